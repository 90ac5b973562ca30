"""Sample raw data from real generators: TPC-H (DuckDB's dbgen) and a CRM change feed.

The raw layer receives the data the way a source system would drop it: Parquet files in one
partition folder per batch (``<table>/batch_id=<n>/``, ``lineitem`` also by ship year and
month), every row flagged with the change it is (``op``: I, U, D, as AWS DMS writes CDC
files). Batch 1 is TPC-H itself; later batches add orders and change or delete some
(:func:`land_tpch_batch`). The CRM feed is CSV files with a few broken rows, as real feeds
have. Everything runs offline: DuckDB's extensions are loaded from their PyPI wheels, never
downloaded.
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
BATCH_COLUMN = "batch_id"
"""The raw tables' first partition key: the batch a row arrived in (contracts/raw)."""
OP_COLUMN = "op"
"""The change flag of a raw row, as AWS DMS writes it: I(nsert), U(pdate) or D(elete)."""
MAX_BATCH = 20
DBGEN_STEP = 0.001
"""dbgen's smallest scale-factor step: it generates SF 0.0012 as SF 0.001."""


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


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    # Replaced whole: a reader never sees half a manifest.
    staged = folder / f".{MANIFEST}.tmp"
    staged.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    staged.replace(folder / MANIFEST)


def _land(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> dict[str, int]:
    """Write the rows of DuckDB's ``batch_rows`` (``op``, ``batch_id``, the table's columns)
    as ``target/<table>/batch_id=<n>/``, Hive-partitioned as the table's raw contract says.

    Returns:
        The rows written per ``op``.
    """
    statement = _COPY_LINEITEM if table == "lineitem" else _COPY
    con.execute(statement, {"target": str(target / table)})
    counts = con.execute("SELECT op, count(*) FROM batch_rows GROUP BY op ORDER BY op").fetchall()
    return {str(op): int(n) for op, n in counts}


# Fixed statements with parameters: no value is formatted into SQL.
_COPY = (
    "COPY batch_rows TO $target "
    "(FORMAT PARQUET, PARTITION_BY (batch_id), FILENAME_PATTERN 'part-{i}', COMPRESSION zstd)"
)
_COPY_LINEITEM = (
    "COPY (SELECT *, year(l_shipdate) AS ship_year, month(l_shipdate) AS ship_month "
    "FROM batch_rows) TO $target (FORMAT PARQUET, PARTITION_BY (batch_id, ship_year, "
    "ship_month), FILENAME_PATTERN 'part-{i}', COMPRESSION zstd)"
)
_FULL_LOAD = (
    "CREATE OR REPLACE TABLE batch_rows AS SELECT 'I' AS op, *, 1 AS batch_id "
    "FROM query_table($table)"
)
_BATCH = "CREATE OR REPLACE TABLE batch_rows AS SELECT *, $batch AS batch_id FROM ({changes})"
# New keys are those above every key landed so far ($landed: the table's files of every batch;
# a line is new when its order is). Existing orders are read from batch 1 (base_orders,
# base_lineitem): an order with o_orderkey % 89 = batch is filled (status F, its lines F with a
# larger discount) unless this or an earlier batch deletes it; one with o_orderkey % 97 = batch
# is deleted with its lines. So no batch changes a key an earlier batch deleted.
_CHANGES = {
    "customer": [
        "SELECT 'I' AS op, * FROM customer WHERE c_custkey > "
        "(SELECT max(c_custkey) FROM read_parquet($landed, hive_partitioning = false))",
    ],
    "supplier": [
        "SELECT 'I' AS op, * FROM supplier WHERE s_suppkey > "
        "(SELECT max(s_suppkey) FROM read_parquet($landed, hive_partitioning = false))",
    ],
    "orders": [
        "SELECT 'I' AS op, * FROM orders WHERE o_orderkey > "
        "(SELECT max(o_orderkey) FROM read_parquet($landed, hive_partitioning = false))",
        "SELECT 'U' AS op, * REPLACE ('F' AS o_orderstatus) FROM base_orders "
        "WHERE o_orderkey % 89 = $batch AND o_orderkey % 97 NOT BETWEEN 2 AND $batch",
        "SELECT 'D' AS op, * FROM base_orders WHERE o_orderkey % 97 = $batch",
    ],
    "lineitem": [
        "SELECT 'I' AS op, * FROM lineitem WHERE l_orderkey > "
        "(SELECT max(o_orderkey) FROM read_parquet($landed, hive_partitioning = false))",
        "SELECT 'U' AS op, * REPLACE ('F' AS l_linestatus, CAST(least(l_discount + 0.01 * "
        "($batch - 1), 0.10) AS DECIMAL(15,2)) AS l_discount) FROM base_lineitem "
        "WHERE l_orderkey % 89 = $batch AND l_orderkey % 97 NOT BETWEEN 2 AND $batch",
        "SELECT 'D' AS op, * FROM base_lineitem WHERE l_orderkey % 97 = $batch",
    ],
}
_BASE = {
    "orders": "CREATE OR REPLACE TABLE base_orders AS SELECT * EXCLUDE (op) FROM "
    "read_parquet($first, hive_partitioning = false)",
    "lineitem": "CREATE OR REPLACE TABLE base_lineitem AS SELECT * EXCLUDE (op) FROM "
    "read_parquet($first, hive_partitioning = false)",
}


def generate_tpch(raw_uri: str, scale_factor: float, force: bool = False) -> dict[str, Any]:
    """Generate TPC-H at ``scale_factor`` as batch 1 into ``<raw>/tpch/<table>/batch_id=1/``
    unless that data set is already there.

    Batch 1 is a full load: every row with ``op`` = ``I``, as AWS DMS writes a full load with
    ``IncludeOpForFullLoad``. Generating replaces the whole folder, later batches included.

    Returns:
        The manifest: scale factor, rows per table, and the batches landed.
    """
    if not 0 < scale_factor <= 10:
        raise ConfigError(f"scale factor must be > 0 and <= 10; got {scale_factor}")
    folder = _local_path(raw_uri) / "tpch"
    manifest = read_manifest(folder)
    if (
        manifest
        and manifest.get("scale_factor") == scale_factor
        and "batches" in manifest  # a layout older than batches is regenerated
        and not force
    ):
        return manifest
    staging = folder.with_name("tpch.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    con = duckdb_connection("tpch")
    con.execute("CALL dbgen(sf = $sf)", {"sf": float(scale_factor)})
    counts: dict[str, int] = {}
    for table in TPCH_TABLES:
        con.execute(_FULL_LOAD, {"table": table})
        counts[table] = sum(_land(con, table, staging).values())
    con.close()
    manifest = {
        "generator": "duckdb dbgen",
        "scale_factor": scale_factor,
        "rows": counts,
        "batches": [
            {
                "batch": 1,
                "scale_factor": scale_factor,
                "rows": {table: {"I": n} for table, n in counts.items()},
            }
        ],
    }
    _write_manifest(staging, manifest)
    # Swap in whole: a reader never sees half a data set.
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return manifest


def land_tpch_batch(raw_uri: str, batch: int) -> dict[str, Any]:
    """Land batch ``batch`` (2 to :data:`MAX_BATCH`) of changes to the generated TPC-H data.

    Batch ``n`` holds the keys TPC-H adds from the previous batch's scale factor to
    ``base + (n - 1) x max(0.2 x base, DBGEN_STEP)``: new customers, suppliers, orders and
    their line items (``op`` = ``I``), plus updates (``U``) and deletes (``D``) of some orders
    of batch 1 and their line items. Each table's batch lands as ``<table>/batch_id=<n>/``,
    renamed into place whole; tables without changes (region, nation) get no folder. Landing a
    batch that is already there does nothing.

    Returns:
        The manifest, with the batch's rows per table and ``op``.

    Raises:
        ConfigError: no TPC-H data generated yet, the previous batch is missing, or ``batch``
            is out of range.
    """
    if not 2 <= batch <= MAX_BATCH:
        raise ConfigError(f"TPC-H change batches are numbered 2 to {MAX_BATCH}; got {batch}")
    folder = _local_path(raw_uri) / "tpch"
    manifest = read_manifest(folder)
    if not manifest or "batches" not in manifest:
        raise ConfigError(f"no TPC-H batch 1 in {folder}; run `dp generate` first")
    landed = [b["batch"] for b in manifest["batches"]]
    if batch in landed:
        return manifest
    if batch - 1 not in landed:
        raise ConfigError(
            f"TPC-H batch {batch} needs batch {batch - 1} first; {folder} has batches {landed}"
        )
    base = manifest["scale_factor"]
    scale_factor = round(base + (batch - 1) * max(0.2 * base, DBGEN_STEP), 6)
    staging = folder.with_name(f"tpch.staging-{batch}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    con = duckdb_connection("tpch")
    con.execute("CALL dbgen(sf = $sf)", {"sf": float(scale_factor)})
    for table, statement in _BASE.items():
        con.execute(
            statement, {"first": str(folder / table / f"{BATCH_COLUMN}=1" / "**/*.parquet")}
        )
    rows: dict[str, dict[str, int]] = {}
    for table, queries in _CHANGES.items():
        keys_from = "orders" if table == "lineitem" else table
        con.execute(
            _BATCH.format(changes=" UNION ALL ".join(queries)),
            {"batch": batch, "landed": str(folder / keys_from / "**/*.parquet")},
        )
        by_op = _land(con, table, staging)
        if by_op:  # no rows, no folder
            rows[table] = by_op
    con.close()
    # Line items before their orders: a reader in between sees lines of orders still to come,
    # never an order without its lines.
    for table in sorted(rows, key=lambda t: t != "lineitem"):
        (staging / table / f"{BATCH_COLUMN}={batch}").rename(
            folder / table / f"{BATCH_COLUMN}={batch}"
        )
    shutil.rmtree(staging, ignore_errors=True)
    for table, by_op in rows.items():
        manifest["rows"][table] = manifest["rows"].get(table, 0) + sum(by_op.values())
    manifest["batches"].append({"batch": batch, "scale_factor": scale_factor, "rows": rows})
    _write_manifest(folder, manifest)
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
    "BATCH_COLUMN",
    "MAX_BATCH",
    "OP_COLUMN",
    "TPCH_TABLES",
    "duckdb_connection",
    "generate_customer_changes",
    "generate_tpch",
    "land_tpch_batch",
    "read_manifest",
    "tpch_answers",
]
