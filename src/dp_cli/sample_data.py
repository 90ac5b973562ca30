"""Sample raw data from real generators: TPC-H (DuckDB's dbgen) and a CRM change feed.

The raw layer receives the data the way a source system would drop it: Parquet files,
``lineitem`` Hive-partitioned by ship year and month; the CRM feed as CSV files with a few
broken rows, as real feeds have. Everything runs offline: DuckDB's extensions are loaded
from their PyPI wheels, never downloaded.
"""

from __future__ import annotations

import csv
import json
import shutil
from importlib import util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dp_foundation.exceptions import ConfigError, RuntimeSetupError

if TYPE_CHECKING:
    import duckdb

TPCH_TABLES = ("region", "nation", "customer", "supplier", "orders", "lineitem")
ANSWER_SCALE_FACTORS = (0.01, 0.1, 1.0)
MANIFEST = "_manifest.json"


def duckdb_connection(*extensions: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the given extensions loaded from their PyPI wheels."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    for name in extensions:
        spec = util.find_spec(f"duckdb_extension_{name}")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeSetupError(f"duckdb-extension-{name} is not installed; run `make setup`")
        folder = Path(next(iter(spec.submodule_search_locations)))
        found = sorted(folder.glob(f"extensions/*/{name}.duckdb_extension"))
        if not found:
            raise RuntimeSetupError(f"duckdb-extension-{name} has no {name}.duckdb_extension")
        con.execute(f"LOAD '{found[-1]}'")
    return con


def _local_path(uri: str) -> Path:
    if not uri.startswith("file://"):
        raise ConfigError(f"sample data is generated into the local lake only; got {uri}")
    return Path(uri.removeprefix("file://"))


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a generated TPC-H folder, or None."""
    path = folder / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def generate_tpch(raw_uri: str, scale_factor: float, force: bool = False) -> dict[str, Any]:
    """Generate TPC-H at ``scale_factor`` into ``<raw>/tpch/<table>/`` unless already there.

    Returns the manifest: scale factor and row count of every table.
    """
    if not 0 < scale_factor <= 10:
        raise ConfigError(f"scale factor must be > 0 and <= 10; got {scale_factor}")
    folder = _local_path(raw_uri) / "tpch"
    manifest = read_manifest(folder)
    if manifest and manifest.get("scale_factor") == scale_factor and not force:
        return manifest
    staging = folder.with_name("tpch.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    con = duckdb_connection("tpch")
    con.execute(f"CALL dbgen(sf={float(scale_factor)})")
    counts: dict[str, int] = {}
    for table in TPCH_TABLES:
        target = staging / table
        if table == "lineitem":
            con.execute(
                "COPY (SELECT *, year(l_shipdate) AS ship_year, month(l_shipdate) AS ship_month "  # noqa: S608  # nosec B608 - fixed table names, our own folder
                f"FROM lineitem) TO '{target}' "
                "(FORMAT PARQUET, PARTITION_BY (ship_year, ship_month), COMPRESSION zstd)"
            )
        else:
            target.mkdir()
            con.execute(
                f"COPY {table} TO '{target / 'part-0.parquet'}' (FORMAT PARQUET, COMPRESSION zstd)"
            )
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608  # nosec B608 - table from TPCH_TABLES
        counts[table] = int(row[0]) if row else 0
    con.close()
    manifest = {"generator": "duckdb dbgen", "scale_factor": scale_factor, "rows": counts}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    # Swap in whole: a reader never sees half a data set.
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return manifest


def tpch_answers(scale_factor: float) -> dict[int, list[dict[str, str]]]:
    """TPC-H's published answers for queries 1 and 5 at ``scale_factor`` (0.01, 0.1 or 1)."""
    if scale_factor not in ANSWER_SCALE_FACTORS:
        raise ConfigError(
            f"TPC-H publishes answers for scale factors {ANSWER_SCALE_FACTORS}; not {scale_factor}"
        )
    con = duckdb_connection("tpch")
    rows = con.execute(
        "SELECT query_nr, answer FROM tpch_answers() WHERE query_nr IN (1, 5) AND scale_factor = ?",
        [scale_factor],
    ).fetchall()
    con.close()
    answers: dict[int, list[dict[str, str]]] = {}
    for query_nr, text in rows:
        reader = csv.DictReader(text.strip().splitlines(), delimiter="|")
        answers[int(query_nr)] = list(reader)
    return answers


# A CRM feed: valid changes of TPC-H customers, some customers changed twice, and rows broken
# in the ways real feeds break (each caught by one rule of test02's parser).
_BAD_ROWS = [
    [
        "not-a-number",
        "Customer#X",
        "Somewhere 1",
        "3",
        "25-989-741-2988",
        "711.56",
        "BUILDING",
        "2026-01-02 10:00:00",
    ],
    [
        "9000001",
        "",
        "Nowhere 2",
        "3",
        "25-989-741-2988",
        "711.56",
        "BUILDING",
        "2026-01-02 10:00:00",
    ],
    [
        "9000002",
        "Customer#Y",
        "Elsewhere 3",
        "77",
        "25-989-741-2988",
        "12,5",
        "SPACESHIPS",
        "yesterday",
    ],
]


def generate_customer_changes(
    raw_uri: str, batch: int = 1, customers: int = 200, prefix: str = "crm/customer_changes"
) -> Path:
    """Write batch ``batch`` of the CRM change feed as ``<raw>/<prefix>/batch-<n>.csv``.

    Batch 1 holds ``customers`` TPC-H customers (SF 0.01 data, generated in memory), a second
    change for every tenth one, and broken rows; later batches update every fifth customer.
    Returns the file written.
    """
    con = duckdb_connection("tpch")
    con.execute("CALL dbgen(sf=0.01)")
    rows = con.execute(
        "SELECT c_custkey, c_name, c_address, c_nationkey, c_phone, c_acctbal, c_mktsegment "
        "FROM customer ORDER BY c_custkey LIMIT ?",
        [customers],
    ).fetchall()
    con.close()
    day = f"2026-01-{batch:02d}"
    lines: list[list[str]] = []
    for i, (key, name, address, nation, phone, balance, segment) in enumerate(rows):
        if batch > 1 and i % 5:
            continue
        bal = balance + (batch - 1) * 10
        lines.append(
            [str(key), name, address, str(nation), phone, f"{bal:.2f}", segment, f"{day} 08:00:00"]
        )
        if batch == 1 and i % 10 == 0:
            lines.append(
                [
                    str(key),
                    name,
                    f"{address} (moved)",
                    str(nation),
                    phone,
                    f"{bal:.2f}",
                    segment,
                    f"{day} 09:30:00",
                ]
            )
    if batch == 1:
        lines.extend(_BAD_ROWS)
    folder = _local_path(raw_uri) / prefix
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"batch-{batch:03d}.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "c_custkey",
                "c_name",
                "c_address",
                "c_nationkey",
                "c_phone",
                "c_acctbal",
                "c_mktsegment",
                "change_ts",
            ]
        )
        writer.writerows(lines)
        if batch == 1:
            handle.write('1,"unterminated quote,3\n')
    return target


__all__ = [
    "TPCH_TABLES",
    "duckdb_connection",
    "generate_customer_changes",
    "generate_tpch",
    "read_manifest",
    "tpch_answers",
]
