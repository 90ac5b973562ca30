"""dp_foundation.io.writers: Iceberg writes in every mode, and Parquet writes."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyiceberg.table import StaticTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from dp_foundation.config.settings import local_uri
from dp_foundation.exceptions import SchemaError, WriteError
from dp_foundation.iceberg.catalog import describe_layout, split_table_name, table_exists
from dp_foundation.io.readers import read_parquet
from dp_foundation.io.writers import current_snapshot_id, write_iceberg, write_parquet

SCHEMA = "id int, region string, amount double, day date"


def _table(name: str) -> str:
    return f"glue_catalog.writers_db.{name}_{uuid.uuid4().hex[:8]}"


def _df(spark: SparkSession, rows: list[tuple[object, ...]]) -> DataFrame:
    return spark.createDataFrame(rows, SCHEMA).withColumn("day", F.col("day").cast("date"))


def _rows(spark: SparkSession, *rows: tuple[int, str | None, float | None, str]) -> DataFrame:
    return spark.createDataFrame(
        [(i, r, a, d) for i, r, a, d in rows], "id int, region string, amount double, day string"
    ).withColumn("day", F.col("day").cast("date"))


def _metadata(lake: Path, table: str) -> StaticTable:
    _, database, name = split_table_name(table)
    return StaticTable.from_metadata((lake / "warehouse" / database / name).as_uri())


def _snapshot_count(spark: SparkSession, table: str) -> int:
    return spark.sql(f"SELECT count(*) FROM {table}.snapshots").first()[0]  # type: ignore[index]


# ─── modes ───────────────────────────────────────────────────────────────────


def test_append(spark: SparkSession) -> None:
    table = _table("append")
    first = _rows(spark, (1, "EU", 1.0, "2026-01-01"), (2, "US", 2.0, "2026-01-02"))
    second = _rows(spark, (3, "EU", None, "2026-01-03"))

    s1 = write_iceberg(first, table)
    s2 = write_iceberg(second, table, mode="append")

    assert s1 is not None and s2 is not None and s1 != s2
    assert s2 == current_snapshot_id(spark, table)
    assertDataFrameEqual(spark.table(table), first.unionByName(second))


def test_overwrite(spark: SparkSession) -> None:
    table = _table("overwrite")
    write_iceberg(_rows(spark, (1, "EU", 1.0, "2026-01-01"), (2, "US", 2.0, "2026-01-02")), table)
    replacement = _rows(spark, (9, "APAC", 9.0, "2026-02-01"))

    write_iceberg(replacement, table, mode="overwrite", partition_by=["region"])

    assertDataFrameEqual(spark.table(table), replacement)


def test_overwrite_partitions(spark: SparkSession) -> None:
    table = _table("overwrite_partitions")
    write_iceberg(
        _rows(
            spark,
            (1, "EU", 1.0, "2026-01-01"),
            (2, "US", 2.0, "2026-01-01"),
            (3, "US", 3.0, "2026-01-02"),
        ),
        table,
        partition_by=["region"],
    )
    batch = _rows(spark, (4, "US", 4.0, "2026-01-03"))

    write_iceberg(batch, table, mode="overwrite_partitions", partition_by=["region"])
    write_iceberg(batch, table, mode="overwrite_partitions", partition_by=["region"])  # rerun

    expected = _rows(spark, (1, "EU", 1.0, "2026-01-01"), (4, "US", 4.0, "2026-01-03"))
    assertDataFrameEqual(spark.table(table), expected)


def test_merge_upserts_and_a_rerun_changes_nothing(spark: SparkSession) -> None:
    table = _table("merge")
    write_iceberg(
        _rows(
            spark,
            (1, "EU", 1.0, "2026-01-01"),
            (2, "US", None, "2026-01-01"),
            (3, "US", 3.0, "2026-01-01"),
        ),
        table,
        mode="merge",
        merge_keys=["id"],
    )
    changes = _rows(
        spark,
        (2, "US", 20.0, "2026-01-01"),  # null -> value
        (3, "US", 3.0, "2026-01-01"),  # unchanged
        (4, "EU", None, "2026-01-05"),  # new
    )
    expected = _rows(
        spark,
        (1, "EU", 1.0, "2026-01-01"),
        (2, "US", 20.0, "2026-01-01"),
        (3, "US", 3.0, "2026-01-01"),
        (4, "EU", None, "2026-01-05"),
    )

    write_iceberg(changes, table, mode="merge", merge_keys=["id"])
    assertDataFrameEqual(spark.table(table), expected)
    files_before = spark.table(f"{table}.files").select("file_path").collect()

    write_iceberg(changes, table, mode="merge", merge_keys=["id"])  # rerun

    assertDataFrameEqual(spark.table(table), expected)
    # Identical rows are not rewritten: no data or delete file is added.
    assert sorted(spark.table(f"{table}.files").select("file_path").collect()) == sorted(
        files_before
    )


def test_merge_on_a_composite_key(spark: SparkSession) -> None:
    table = _table("merge_composite")
    write_iceberg(_rows(spark, (1, "EU", 1.0, "2026-01-01"), (1, "US", 2.0, "2026-01-01")), table)

    write_iceberg(
        _rows(spark, (1, "US", 5.0, "2026-01-01"), (2, "US", 6.0, "2026-01-01")),
        table,
        mode="merge",
        merge_keys=["id", "region"],
    )

    expected = _rows(
        spark,
        (1, "EU", 1.0, "2026-01-01"),
        (1, "US", 5.0, "2026-01-01"),
        (2, "US", 6.0, "2026-01-01"),
    )
    assertDataFrameEqual(spark.table(table), expected)


def test_columns_are_matched_by_name(spark: SparkSession) -> None:
    table = _table("by_name")
    df = _rows(spark, (1, "EU", 1.0, "2026-01-01"))
    write_iceberg(df, table)
    write_iceberg(df.select("day", "amount", "id", "region"), table)
    assertDataFrameEqual(spark.table(table), df.unionByName(df))


# ─── refusals before any write ───────────────────────────────────────────────


def test_unknown_mode_is_refused_before_any_write(spark: SparkSession) -> None:
    table = _table("unknown_mode")
    with pytest.raises(WriteError, match="unknown write mode 'upsert'"):
        write_iceberg(_rows(spark, (1, "EU", 1.0, "2026-01-01")), table, mode="upsert")
    assert not table_exists(spark, table)


def test_merge_needs_keys(spark: SparkSession) -> None:
    table = _table("merge_no_keys")
    df = _rows(spark, (1, "EU", 1.0, "2026-01-01"))
    with pytest.raises(WriteError, match="needs merge_keys"):
        write_iceberg(df, table, mode="merge")
    with pytest.raises(WriteError, match="only used by mode 'merge'"):
        write_iceberg(df, table, mode="append", merge_keys=["id"])
    with pytest.raises(SchemaError, match=r"merge key column\(s\) \['nope'\]"):
        write_iceberg(df, table, mode="merge", merge_keys=["nope"])
    assert not table_exists(spark, table)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"partition_by": ["days(nope)"]}, "partition column(s) ['nope']"),
        ({"partition_by": ["weeks(day)"]}, "Iceberg transform"),
        ({"sort_by": ["nope DESC"]}, "sort column(s) ['nope']"),
        ({"table": "writers_db.no_catalog"}, "catalog.database.table"),
    ],
)
def test_bad_layout_arguments_are_refused(
    spark: SparkSession, kwargs: dict[str, object], message: str
) -> None:
    table = str(kwargs.pop("table", _table("bad_layout")))
    with pytest.raises((SchemaError, WriteError)) as info:
        write_iceberg(_rows(spark, (1, "EU", 1.0, "2026-01-01")), table, **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert table.count(".") != 2 or not table_exists(spark, table)


@pytest.mark.parametrize(
    "change",
    [
        lambda df: df.drop("amount"),
        lambda df: df.withColumn("extra", F.lit(1)),
        lambda df: df.withColumnRenamed("amount", "amount_eur"),
    ],
    ids=["missing", "extra", "renamed"],
)
def test_mismatched_columns_leave_the_table_unchanged(spark: SparkSession, change: object) -> None:
    table = _table("mismatch")
    df = _rows(spark, (1, "EU", 1.0, "2026-01-01"))
    snapshot = write_iceberg(df, table)

    for mode in ("append", "overwrite", "merge"):
        keys = ["id"] if mode == "merge" else None
        with pytest.raises(SchemaError, match=f"does not fit {table}"):
            write_iceberg(change(df), table, mode=mode, merge_keys=keys)  # type: ignore[operator]

    assert current_snapshot_id(spark, table) == snapshot
    assert _snapshot_count(spark, table) == 1
    assertDataFrameEqual(spark.table(table), df)


# ─── layout: partitioning and sort order ─────────────────────────────────────


def test_first_write_creates_the_table_with_its_layout(spark: SparkSession, lake: Path) -> None:
    table = _table("created")
    df = _rows(spark, (1, "EU", 1.0, "2026-01-01"), (2, "US", 2.0, "2027-03-01"))

    write_iceberg(df, table, partition_by=["years(day)", "region"], sort_by=["id DESC"])

    meta = _metadata(lake, table)
    assert meta.metadata.format_version == 2
    assert [(f.name, str(f.transform)) for f in meta.spec().fields] == [
        ("day_year", "year"),
        ("region", "identity"),
    ]
    assert [(f.source_id, str(f.direction)) for f in meta.sort_order().fields] == [(1, "DESC")]
    assert [f.name for f in meta.schema().fields] == ["id", "region", "amount", "day"]
    partitions = spark.table(f"{table}.partitions").count()
    assert partitions == 2
    assertDataFrameEqual(spark.table(table), df)


def test_rewriting_a_partitioned_table_keeps_its_layout(spark: SparkSession, lake: Path) -> None:
    """A second write with the same layout neither fails nor changes the table's layout."""
    table = _table("rewrite")
    df = _rows(spark, (1, "EU", 1.0, "2026-01-01"))
    layout = {"partition_by": ["region"], "sort_by": ["region NULLS LAST", "id DESC"]}
    write_iceberg(df, table, **layout)  # type: ignore[arg-type]
    specs_before = len(_metadata(lake, table).metadata.partition_specs)
    orders_before = len(_metadata(lake, table).metadata.sort_orders)

    write_iceberg(df, table, **layout)  # type: ignore[arg-type]
    write_iceberg(df, table, mode="overwrite_partitions", **layout)  # type: ignore[arg-type]

    meta = _metadata(lake, table)
    assert len(meta.metadata.partition_specs) == specs_before
    assert len(meta.metadata.sort_orders) == orders_before
    assert describe_layout(spark, table) == (
        ["region"],
        "region ASC NULLS LAST, id DESC NULLS LAST",
    )
    assertDataFrameEqual(spark.table(table), df)  # the last write replaced its partition


def test_an_existing_table_keeps_its_partitioning_and_gets_the_sort_order(
    spark: SparkSession, caplog: pytest.LogCaptureFixture
) -> None:
    """Who creates a table sets its partitioning (Terraform on AWS, from the contract): a
    write adds no partition field to an unpartitioned table, and says so."""
    table = _table("unpartitioned")
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.writers_db")
    spark.sql(
        f"CREATE TABLE {table} (id int, region string, amount double, day date) USING iceberg"
    )
    # Attached to the writer's own logger: setup_logging stops "dp" records at "dp".
    writer_log = logging.getLogger("dp.dp_foundation.io.writers")
    writer_log.addHandler(caplog.handler)
    try:
        write_iceberg(
            _rows(spark, (1, "EU", 1.0, "2026-01-01")),
            table,
            partition_by=["months(day)", "bucket(4, id)"],
            sort_by=["amount"],
        )
    finally:
        writer_log.removeHandler(caplog.handler)
    assert describe_layout(spark, table) == ([], "amount ASC NULLS FIRST")
    assert "table keeps its partitioning" in caplog.text


def test_a_differently_partitioned_table_keeps_its_partitioning(spark: SparkSession) -> None:
    table = _table("keeps")
    df = _rows(spark, (1, "EU", 1.0, "2026-01-01"))
    write_iceberg(df, table, partition_by=["region"])
    write_iceberg(df, table, partition_by=["days(day)"])
    assert describe_layout(spark, table)[0] == ["region"]


def test_sort_by_writes_sorted_data_files(spark: SparkSession) -> None:
    """P0-ENG-02: every data file written holds its rows in the sort order."""
    table = _table("sorted")
    df = (
        spark.range(0, 20_000, numPartitions=4)
        .select(
            F.col("id").cast("int").alias("id"),
            F.when(F.col("id") % 2 == 0, "EU").otherwise("US").alias("region"),
            (F.rand(seed=7) * 1000).alias("amount"),
            F.lit("2026-01-01").cast("date").alias("day"),
        )
        .repartition(4)  # scatter the rows: unsorted unless the writer sorts
    )

    write_iceberg(df, table, partition_by=["region"], sort_by=["amount DESC"])
    write_iceberg(df, table, mode="append", sort_by=["amount DESC"])

    paths = [r[0] for r in spark.table(f"{table}.files").select("file_path").collect()]
    assert len(paths) >= 2
    for path in paths:
        amounts = pq.ParquetFile(path.removeprefix("file:")).read(columns=["amount"]).column(0)
        values = amounts.to_pylist()
        assert values == sorted(values, reverse=True), path
    assert spark.table(table).count() == 40_000


# ─── Parquet ─────────────────────────────────────────────────────────────────


def test_write_parquet_modes(spark: SparkSession, tmp_path: Path) -> None:
    path = (tmp_path / "raw").as_uri()
    day1 = _rows(spark, (1, "EU", 1.0, "2026-01-01"), (2, "US", 2.0, "2026-01-01"))
    us_again = _rows(spark, (3, "US", 3.0, "2026-01-02"))

    write_parquet(day1, path, partition_by=["region"])
    assert sorted(p.name for p in (tmp_path / "raw").glob("region=*")) == [
        "region=EU",
        "region=US",
    ]
    with pytest.raises(Exception, match="already exists"):
        write_parquet(day1, path)  # mode "error" by default
    write_parquet(day1, path, mode="ignore")
    write_parquet(us_again, path, mode="overwrite_partitions", partition_by=["region"])

    expected = _rows(spark, (1, "EU", 1.0, "2026-01-01"), (3, "US", 3.0, "2026-01-02"))
    actual = spark.read.parquet(path).select("id", "region", "amount", "day")
    assertDataFrameEqual(actual, expected)

    write_parquet(us_again, path, mode="append", partition_by=["region"])
    assert spark.read.parquet(path).count() == 3
    write_parquet(us_again, path, mode="overwrite")
    assert spark.read.parquet(path).count() == 1


def test_parquet_under_a_folder_with_a_space(spark: SparkSession, tmp_path: Path) -> None:
    """The lake's ``file://`` URIs are not percent-encoded because Spark takes them literally."""
    df = _rows(spark, (1, "EU", 1.0, "2026-01-01"))
    write_parquet(df, local_uri(tmp_path / "my lake" / "raw"))
    assert list((tmp_path / "my lake" / "raw").glob("*.parquet"))
    assert not (tmp_path / "my%20lake").exists()
    assertDataFrameEqual(read_parquet(spark, local_uri(tmp_path / "my lake" / "raw")), df)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"mode": "merge"}, WriteError, "unknown write mode 'merge'"),
        ({"mode": "overwrite_partitions"}, WriteError, "needs partition_by"),
        ({"partition_by": ["nope"]}, SchemaError, "['nope']"),
    ],
)
def test_write_parquet_refuses(
    spark: SparkSession,
    tmp_path: Path,
    kwargs: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error) as info:
        write_parquet(
            _rows(spark, (1, "EU", 1.0, "2026-01-01")), tmp_path.as_uri() + "/x", **kwargs
        )  # type: ignore[arg-type]
    assert message in str(info.value)
    assert not (tmp_path / "x").exists()
