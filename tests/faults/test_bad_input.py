"""Bad input at every entry point: each case ends in an error naming the file and what was
expected, or in the quarantine with its reason; tables keep their last good snapshot and no
raw file is modified or deleted.

Library readers and the jobs' logic run in the test session's Spark (the point is the
error); one `dp run` in a process of its own shows what a user sees.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pytest
from badinput_helpers import (
    DP,
    current_metadata,
    damage_pages,
    dp_env,
    fingerprint,
    job_args,
    run,
    truncate,
    write_parquet,
)

from dp_foundation.config import settings
from dp_foundation.config.settings import local_uri
from dp_foundation.exceptions import InputDataError, SchemaError
from dp_foundation.io.failures import named_failures
from dp_foundation.io.readers import read_parquet

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("faults")]

ROWS = pa.table({"k": pa.array([1, 2, 3], pa.int32()), "v": ["a", "b", "c"]})
EXPECTED = {"k": "int", "v": "string"}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One folder per bad batch, each beside a good file; unchanged by every test."""
    root = tmp_path_factory.mktemp("raw")
    for case in ("truncated", "damaged", "not_parquet", "new_column", "retyped"):
        write_parquet(root / case / "part-0.parquet", ROWS)
    truncate(write_parquet(root / "truncated" / "part-1.parquet", ROWS))
    damage_pages(write_parquet(root / "damaged" / "part-1.parquet", ROWS))
    (root / "not_parquet" / "part-1.parquet").write_text("k,v\n4,d\n", encoding="utf-8")
    write_parquet(
        root / "new_column" / "part-1.parquet",
        pa.table({"k": pa.array([4], pa.int32()), "v": ["d"], "extra": [1.5]}),
    )
    write_parquet(root / "retyped" / "part-1.parquet", pa.table({"k": ["x"], "v": ["d"]}))
    (root / "empty").mkdir()
    before = fingerprint(root)
    yield root
    assert fingerprint(root) == before, "a reader modified, added or deleted a raw file"


def _short(error: BaseException) -> str:
    text = str(error)
    assert "\tat " not in text and len(text) < 800, f"not a one-paragraph message: {text}"
    return text


def test_a_truncated_file_is_named_when_its_rows_are_read(spark: SparkSession, raw: Path) -> None:
    df = read_parquet(spark, local_uri(raw / "truncated"))  # the first file's footer is fine
    with pytest.raises(InputDataError) as caught, named_failures():
        df.count()
    text = _short(caught.value)
    assert str(raw / "truncated" / "part-1.parquet") in text
    assert "truncated" in text and "part-0.parquet" not in text


def test_with_an_expected_schema_every_footer_is_read_before_any_row(
    spark: SparkSession, raw: Path
) -> None:
    for case in ("truncated", "not_parquet"):
        with pytest.raises(InputDataError, match=re.escape(str(raw / case / "part-1.parquet"))):
            read_parquet(spark, local_uri(raw / case), expected=EXPECTED)


def test_damaged_data_pages_are_named(spark: SparkSession, raw: Path) -> None:
    df = read_parquet(spark, local_uri(raw / "damaged"), expected=EXPECTED)
    with pytest.raises(InputDataError) as caught, named_failures():
        df.collect()
    text = _short(caught.value)
    assert str(raw / "damaged" / "part-1.parquet") in text and "damaged" in text


def test_an_empty_batch_is_an_error_not_an_empty_table(spark: SparkSession, raw: Path) -> None:
    with pytest.raises(InputDataError, match=r"no Parquet data file under .*empty batch"):
        read_parquet(spark, local_uri(raw / "empty"), expected=EXPECTED)


def test_a_new_column_names_the_file_and_the_expected_columns(
    spark: SparkSession, raw: Path
) -> None:
    with pytest.raises(SchemaError) as caught:
        read_parquet(spark, local_uri(raw / "new_column"), expected=EXPECTED)
    text = _short(caught.value)
    assert f"{raw / 'new_column' / 'part-1.parquet'}: unexpected column extra (double)" in text
    assert "k int, v string" in text and "part-0.parquet" not in text


def test_a_retyped_column_names_the_file_read_eagerly_or_lazily(
    spark: SparkSession, raw: Path
) -> None:
    drifted = str(raw / "retyped" / "part-1.parquet")
    with pytest.raises(
        SchemaError, match=re.escape(f"{drifted}: column k is string, expected int")
    ):
        read_parquet(spark, local_uri(raw / "retyped"), expected=EXPECTED)
    # Without an expected schema Spark takes the first file's; the other fails when read.
    df = read_parquet(spark, local_uri(raw / "retyped"), schema="k int, v string")
    with pytest.raises(SchemaError) as caught, named_failures():
        df.collect()
    text = _short(caught.value)
    assert drifted in text and "column k is BINARY in the file, expected int" in text


def test_a_good_batch_reads_with_the_expected_columns(spark: SparkSession, tmp_path: Path) -> None:
    write_parquet(tmp_path / "ok" / "part-0.parquet", ROWS.select(["v", "k"]))
    df = read_parquet(spark, local_uri(tmp_path / "ok"), expected=EXPECTED)
    assert df.columns == ["k", "v"] and sorted(df.collect()) == [(1, "a"), (2, "b"), (3, "c")]


# ── test02: the CSV feed (row-level problems go to the quarantine) ──────────


@pytest.fixture(scope="module")
def contracts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dp_cli.contracts.compile import compile_all, write_compiled

    out = tmp_path_factory.mktemp("contracts")
    write_compiled(compile_all(Path(__file__).resolve().parents[2]), out)
    return out


HEADER = b"c_custkey,c_name,c_address,c_nationkey,c_phone,c_acctbal,c_mktsegment,change_ts\n"
HUGE = 1_000_000


def _line(key: int, name: bytes) -> bytes:
    return b"%d,%s,Street 1,7,17-555,10.00,BUILDING,2026-02-01 08:00:00\n" % (key, name)


def _raw_dir() -> Path:
    return Path(settings.get_config().raw_uri.removeprefix("file://"))


def _run_customer_changes(prefix: str, contracts_dir: Path) -> None:
    from jobs.test02 import customer_changes

    with job_args(contracts_dir, "--SOURCE_PREFIX", prefix):
        customer_changes.main()


def test_csv_rows_with_wrong_columns_or_not_utf8_are_quarantined_with_the_file(
    spark: SparkSession, lake: Path, contracts_dir: Path
) -> None:
    feed = _raw_dir() / "crm" / "faults_feed"
    feed.mkdir(parents=True)
    body = (
        HEADER
        + _line(910001, b"Good Name")
        + b"910002,Too Few,Street 1,7\n"
        + _line(910003, b"M\xfcller")  # Latin-1, not UTF-8
        + _line(910004, b"H" * HUGE)
    )
    (feed / "batch-001.csv").write_bytes(body)
    before = fingerprint(feed)
    _run_customer_changes("crm/faults_feed", contracts_dir)
    assert fingerprint(feed) == before

    cfg = settings.get_config()
    quarantine = {
        r["raw_record"].split(",")[0]: r
        for r in spark.table(cfg.table("refined", "customer_quarantine"))
        .where("source_file LIKE '%faults_feed/batch-001.csv'")
        .collect()
    }
    assert set(quarantine) == {"910002", "910003"}
    assert quarantine["910002"]["reason"].startswith(
        "malformed CSV line: expected 8 comma-separated columns (c_custkey,"
    )
    assert "not valid UTF-8" in quarantine["910003"]["reason"]
    # A long value breaks no rule of the contract: it is kept whole, not cut or dropped.
    dim = spark.table(cfg.table("refined", "customer_dim")).where("c_custkey > 910000")
    names = {r["c_custkey"]: r["c_name"] for r in dim.collect()}
    assert names == {910001: "Good Name", 910004: "H" * HUGE}


def test_an_empty_csv_batch_changes_nothing(
    spark: SparkSession, lake: Path, contracts_dir: Path
) -> None:
    feed = _raw_dir() / "crm" / "faults_empty"
    feed.mkdir(parents=True)
    (feed / "batch-001.csv").write_bytes(HEADER)
    cfg = settings.get_config()
    dim = cfg.table("refined", "customer_dim")
    before = [r[0] for r in spark.sql(f"SELECT snapshot_id FROM {dim}.snapshots").collect()]
    _run_customer_changes("crm/faults_empty", contracts_dir)
    after = [r[0] for r in spark.sql(f"SELECT snapshot_id FROM {dim}.snapshots").collect()]
    assert after == before


# ── project01: raw Parquet through `dp run`, as a user runs it ──────────────


@pytest.fixture(scope="module")
def tpch(lake: Path, spark: SparkSession, contracts_dir: Path) -> dict[str, Any]:
    """TPC-H raw data in the test lake and a good refined ``nation`` (its last snapshot)."""
    from dp_cli.sample_data import generate_tpch
    from jobs.project01 import refine

    generate_tpch(settings.get_config().raw_uri, 0.01)
    with job_args(contracts_dir, "--TABLES", "nation"):
        refine.main()
    table = settings.get_config().table("refined", "nation")
    _, database, name = table.split(".")
    return {"table": table, "dir": lake / "warehouse" / database / name}


def _nation_files() -> list[Path]:
    return sorted((_raw_dir() / "tpch" / "nation").rglob("*.parquet"))


def _next_batch() -> Path:
    """A folder for a new batch beside the generated ones (``batch_id=<n+1>`` when the raw
    layout has batches), so an incremental refine reads it too."""
    first = _nation_files()[0].parent
    match = re.match(r"^(\w+)=(\d+)$", first.name)
    if match:
        return first.with_name(f"{match[1]}={int(match[2]) + 1}")
    return first


def test_dp_run_names_a_truncated_raw_file_and_keeps_the_table(
    lake: Path, tpch: dict[str, Any], duckdb_iceberg: Any
) -> None:
    good = _nation_files()[0]
    batch = _next_batch()
    batch.mkdir(exist_ok=True)
    bad = batch / "part-9.parquet"
    shutil.copyfile(good, bad)
    truncate(bad)
    try:
        before_raw = fingerprint(_raw_dir())
        before_meta = current_metadata(tpch["dir"])
        done = run([str(DP), "run", "project01/refine", "--", "--TABLES", "nation"], dp_env(lake))
        assert done.returncode == 1, done.stdout + done.stderr
        summary = done.stdout.strip().splitlines()[-1]
        assert summary.startswith("project01/refine failed: InputDataError: "), summary
        assert str(bad) in summary and "truncated" in summary
        assert fingerprint(_raw_dir()) == before_raw
        assert current_metadata(tpch["dir"]) == before_meta
        rows = duckdb_iceberg.execute(
            f"SELECT count(*) FROM iceberg_scan('{tpch['dir']}')"
        ).fetchone()
        assert rows == (25,)
    finally:
        bad.unlink()
        if batch != good.parent:
            batch.rmdir()
