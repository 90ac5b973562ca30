"""dp_foundation.iceberg.catalog: DDL strings (pure) and running them (Spark)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pyiceberg.table import StaticTable
from pyspark.sql import SparkSession
from pyspark.sql.types import (
    DateType,
    DecimalType,
    IntegerType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from dp_foundation.exceptions import SchemaError, TableNotFoundError, WriteError
from dp_foundation.iceberg.catalog import (
    DEFAULT_TABLE_PROPERTIES,
    build_create_database_sql,
    build_create_table_sql,
    create_database_if_not_exists,
    create_table_if_not_exists,
    describe_layout,
    partition_column,
    sort_column,
    split_table_name,
    table_exists,
)

TABLE = "glue_catalog.f01_refined_local.orders"
COLUMNS = {"id": "bigint", "amount": "decimal(18,2)", "order_date": "date", "status": "string"}


def _unique(name: str) -> str:
    return f"glue_catalog.catalog_db.{name}_{uuid.uuid4().hex[:8]}"


# ─── names, transforms, sort specs (pure) ────────────────────────────────────


def test_split_table_name() -> None:
    assert split_table_name(TABLE) == ("glue_catalog", "f01_refined_local", "orders")


@pytest.mark.parametrize(
    "bad", ["orders", "db.orders", "a.b.c.d", "glue_catalog.db.or-ders", "glue_catalog..t", ""]
)
def test_split_table_name_refuses(bad: str) -> None:
    with pytest.raises(WriteError, match=r"catalog\.database\.table"):
        split_table_name(bad)


@pytest.mark.parametrize(
    ("transform", "column"),
    [
        ("status", "status"),
        ("years(order_date)", "order_date"),
        ("months(order_date)", "order_date"),
        ("days(order_date)", "order_date"),
        ("hours(ts)", "ts"),
        ("identity(status)", "status"),
        ("bucket(16, id)", "id"),
        ("truncate(4,status)", "status"),
        (" days(order_date) ", "order_date"),
    ],
)
def test_partition_column(transform: str, column: str) -> None:
    assert partition_column(transform) == column


@pytest.mark.parametrize(
    "bad", ["weeks(d)", "bucket(id)", "bucket(x, id)", "days(a, b)", "a b", "days(d", "1col"]
)
def test_partition_column_refuses(bad: str) -> None:
    with pytest.raises(SchemaError, match="not a column or an Iceberg transform"):
        partition_column(bad)


@pytest.mark.parametrize(
    ("spec", "column"),
    [("id", "id"), ("id DESC", "id"), ("id asc nulls last", "id"), ("id NULLS FIRST", "id")],
)
def test_sort_column(spec: str, column: str) -> None:
    assert sort_column(spec) == column


@pytest.mark.parametrize("bad", ["id DOWN", "id NULLS", "days(d)", "id, amount", ""])
def test_sort_column_refuses(bad: str) -> None:
    with pytest.raises(SchemaError, match="sort spec"):
        sort_column(bad)


# ─── DDL strings (pure) ──────────────────────────────────────────────────────


def test_create_table_sql_from_a_mapping() -> None:
    statements = build_create_table_sql(
        TABLE, COLUMNS, partition_by=["years(order_date)", "bucket(8, id)"], sort_by=["id DESC"]
    )

    assert len(statements) == 2
    create, order = statements
    assert create.startswith(f"CREATE TABLE IF NOT EXISTS {TABLE} (\n")
    assert "  id bigint,\n  amount decimal(18,2),\n  order_date date,\n  status string\n" in create
    assert ") USING iceberg\nPARTITIONED BY (years(order_date), bucket(8, id))\n" in create
    assert "'format-version' = '2'" in create
    for key, value in DEFAULT_TABLE_PROPERTIES.items():
        assert f"'{key}' = '{value}'" in create
    assert order == f"ALTER TABLE {TABLE} WRITE ORDERED BY id DESC"


def test_create_table_sql_from_a_struct_type() -> None:
    schema = StructType(
        [
            StructField("id", IntegerType()),
            StructField("price", DecimalType(12, 2)),
            StructField("ts", TimestampType()),
            StructField("day", DateType()),
            StructField("name", StringType()),
        ]
    )
    (create,) = build_create_table_sql(TABLE, schema)
    assert "id int,\n  price decimal(12,2),\n  ts timestamp,\n  day date,\n  name string" in create
    assert "PARTITIONED BY" not in create


def test_create_table_sql_options() -> None:
    (create,) = build_create_table_sql(
        TABLE,
        COLUMNS,
        properties={"format-version": "3", "owner": "team"},
        comment="it's the orders",
        location="s3://bucket/warehouse/orders",
    )
    assert "'format-version' = '3'" in create
    assert "'format-version' = '2'" not in create
    assert "'owner' = 'team'" in create
    assert "\nLOCATION 's3://bucket/warehouse/orders'" in create
    assert "\nCOMMENT 'it\\'s the orders'" in create


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"table": "orders"}, WriteError, "catalog.database.table"),
        ({"schema": {}}, SchemaError, "at least one column"),
        ({"schema": {"bad name": "int"}}, SchemaError, "'bad name'"),
        ({"partition_by": ["weeks(order_date)"]}, SchemaError, "Iceberg transform"),
        ({"partition_by": ["days(shipped)"]}, SchemaError, "['shipped']"),
        ({"sort_by": ["amount sideways"]}, SchemaError, "sort spec"),
        ({"sort_by": ["nope"]}, SchemaError, "sort column(s) ['nope']"),
    ],
)
def test_create_table_sql_refuses(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    args: dict[str, object] = {"table": TABLE, "schema": COLUMNS, **kwargs}
    with pytest.raises(error) as info:
        build_create_table_sql(**args)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_create_database_sql() -> None:
    assert build_create_database_sql("glue_catalog", "db") == (
        "CREATE NAMESPACE IF NOT EXISTS glue_catalog.db"
    )
    assert build_create_database_sql("glue_catalog", "db", "s3://b/db").endswith(
        " LOCATION 's3://b/db'"
    )
    with pytest.raises(WriteError):
        build_create_database_sql("glue_catalog", "my-db")


# ─── running the DDL (Spark) ─────────────────────────────────────────────────


def test_create_table_if_not_exists(spark: SparkSession, lake: Path) -> None:
    table = _unique("created")
    assert not table_exists(spark, table)

    sql = create_table_if_not_exists(
        spark, table, COLUMNS, partition_by=["months(order_date)"], sort_by=["id", "status DESC"]
    )

    assert sql == ";\n".join(
        build_create_table_sql(
            table, COLUMNS, partition_by=["months(order_date)"], sort_by=["id", "status DESC"]
        )
    )
    assert table_exists(spark, table)
    # What an independent reader sees in the metadata.
    _, database, name = split_table_name(table)
    meta = StaticTable.from_metadata((lake / "warehouse" / database / name).as_uri())
    assert meta.metadata.format_version == 2
    assert [f.name for f in meta.schema().fields] == list(COLUMNS)
    assert [str(f.transform) for f in meta.spec().fields] == ["month"]
    assert [(f.source_id, str(f.direction)) for f in meta.sort_order().fields] == [
        (1, "ASC"),
        (4, "DESC"),
    ]

    # Second call: nothing runs, nothing returned.
    assert create_table_if_not_exists(spark, table, {"other": "int"}) == ""
    assert spark.table(table).columns == list(COLUMNS)


def test_create_table_if_not_exists_validates_first(spark: SparkSession) -> None:
    table = _unique("invalid")
    with pytest.raises(SchemaError):
        create_table_if_not_exists(spark, table, COLUMNS, partition_by=["days(nope)"])
    assert not table_exists(spark, table)


def test_create_database_if_not_exists(spark: SparkSession) -> None:
    database = f"db_{uuid.uuid4().hex[:8]}"
    sql = create_database_if_not_exists(spark, "glue_catalog", database)
    assert sql == f"CREATE NAMESPACE IF NOT EXISTS glue_catalog.{database}"
    names = [r[0] for r in spark.sql("SHOW NAMESPACES IN glue_catalog").collect()]
    assert database in names
    assert create_database_if_not_exists(spark, "glue_catalog", database) == sql  # idempotent


@pytest.mark.parametrize(
    ("partition_by", "sort_by", "expected"),
    [
        ([], [], ([], "")),
        (["status"], [], (["status"], "")),  # identity-only specs render differently
        (["status", "order_date"], [], (["status", "order_date"], "")),
        (
            ["days(order_date)", "status", "bucket(4, id)"],
            ["id"],
            (["days(order_date)", "status", "bucket(4, id)"], "id ASC NULLS FIRST"),
        ),
        (
            ["truncate(2, status)"],
            ["status NULLS LAST", "id DESC", "amount asc nulls last"],
            (
                ["truncate(2, status)"],
                "status ASC NULLS LAST, id DESC NULLS LAST, amount ASC NULLS LAST",
            ),
        ),
    ],
)
def test_describe_layout(
    spark: SparkSession,
    partition_by: list[str],
    sort_by: list[str],
    expected: tuple[list[str], str],
) -> None:
    table = _unique("layout")
    create_table_if_not_exists(spark, table, COLUMNS, partition_by=partition_by, sort_by=sort_by)
    assert describe_layout(spark, table) == expected


def test_describe_layout_of_a_missing_table(spark: SparkSession) -> None:
    with pytest.raises(TableNotFoundError):
        describe_layout(spark, _unique("missing"))
