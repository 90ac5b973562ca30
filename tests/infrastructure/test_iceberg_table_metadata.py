"""The first metadata file modules/glue_iceberg_table writes, rendered by the real Terraform CLI.

The module writes each Iceberg table's first metadata file itself (as Iceberg's GlueCatalog
does) so a table has its contract's partition spec and sort order before its first write.
Here that file, rendered from every contract (no provider, no account: iceberg_metadata.py),
is read by Iceberg's readers:

* pyiceberg loads it and finds the contract's table (schema, spec, sort order, properties);
* it is the file Spark's Iceberg DDL writes for the same table (the writer's own DDL), field
  for field, so AWS tables and local ones are alike;
* the local Spark runtime writes to a table registered from it, and the writer changes
  neither its spec nor its sort order;
* a column Iceberg has no type for, or a transform its column cannot take, stops the plan
  naming the column.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pyiceberg.table import StaticTable

from dp_cli.contracts.compile import compile_all
from dp_foundation.contracts import TableContract
from dp_foundation.iceberg.catalog import build_create_table_sql, describe_layout
from dp_foundation.io.writers import _normalise_partition, _normalise_sort, write_iceberg

from .iceberg_metadata import describe, differences, module_inputs, render
from .tfchecks import REPO_ROOT

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PROJECTS_DIR = REPO_ROOT / "infrastructure" / "projects"


def iceberg_contracts() -> dict[str, dict[str, Any]]:
    """``<project>/<layer>/<table>`` => compiled contract of every Iceberg table, the
    template's included."""
    found = {}
    for result in compile_all(REPO_ROOT):
        assert not result.problems, result.problems
        data = result.data
        assert data is not None
        if data["layer"] != "raw":
            found[f"{data['project']}/{data['layer']}/{data['table']}"] = data
    return found


def rendered(tables: dict[str, dict[str, Any]], scratch: Path) -> dict[str, dict[str, Any]]:
    result = render(tables, scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    return {key: json.loads(text) for key, text in json.loads(result.stdout).items()}


def load(metadata: dict[str, Any], folder: Path) -> Any:
    """pyiceberg's reading of a metadata file (named as the module names it)."""
    path = folder / "metadata" / "00000-0.metadata.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metadata))
    return StaticTable.from_metadata(path.as_uri())


def test_pyiceberg_loads_every_contracts_table_as_declared(tmp_path: Path) -> None:
    contracts = iceberg_contracts()
    inputs = {
        key.replace("/", "."): module_inputs(c, (tmp_path / "tables" / key).as_uri() + "/")
        for key, c in contracts.items()
    }
    files = rendered(inputs, tmp_path / "render")
    problems = {}
    for key, contract in contracts.items():
        table = load(files[key.replace("/", ".")], tmp_path / "tables" / key)
        problems[key] = differences(describe(table), contract)
    assert not {k: p for k, p in problems.items() if p}, problems
    assert any(c["partition_columns"] for c in contracts.values())
    assert any(c["sort_order"] for c in contracts.values())


# Every Iceberg type the contracts may use and every transform, in one table.
EVERY_TYPE: dict[str, Any] = {
    "project": "metadata",
    "layer": "refined",
    "table": "every_type",
    "columns": [
        {"name": name, "type": type_, "required": name == "id", "description": description}
        for name, type_, description in [
            ("id", "bigint", "Key"),
            ("s", "string", "Text"),
            ("d", "date", ""),
            ("d2", "date", ""),
            ("ts", "timestamp", ""),
            ("tn", "timestamp_ntz", ""),
            ("n", "decimal(15,2)", ""),
            ("i", "int", ""),
            ("sm", "smallint", ""),
            ("ti", "tinyint", ""),
            ("f", "float", ""),
            ("db", "double", ""),
            ("b", "boolean", ""),
            ("bin", "binary", ""),
        ]
    ],
    "partition_columns": [
        {"name": "d", "transform": "year"},
        {"name": "d2", "transform": "month"},
        {"name": "tn", "transform": "day"},
        {"name": "ts", "transform": "hour"},
        {"name": "id", "transform": "bucket[4]"},
        {"name": "s", "transform": "truncate[3]"},
        {"name": "b", "transform": "identity"},
    ],
    "partitioning": [
        "years(d)", "months(d2)", "days(tn)", "hours(ts)", "bucket(4, id)", "truncate(3, s)", "b"
    ],
    "sort_order": ["id", "s DESC", "n ASC NULLS LAST", "ts DESC NULLS FIRST"],
}  # fmt: skip

# What a file records of its own making, not of the table.
INCIDENTAL = ("table-uuid", "location", "last-updated-ms", "metadata-log", "statistics")


def test_the_file_is_the_one_sparks_iceberg_ddl_writes(
    spark: SparkSession, lake: Path, tmp_path: Path
) -> None:
    """The same table created by the writer's DDL (dp_foundation.iceberg.catalog) in the
    local runtime: the same schema, field ids, partition spec, sort orders and properties."""
    table = "glue_catalog.metadata_db.every_type"
    schema = {
        c["name"]: c["type"]
        + (" NOT NULL" if c["required"] else "")
        + (f" COMMENT '{c['description']}'" if c["description"] else "")
        for c in EVERY_TYPE["columns"]
    }
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.metadata_db")
    for sql in build_create_table_sql(
        table, schema, EVERY_TYPE["partitioning"], EVERY_TYPE["sort_order"]
    ):
        spark.sql(sql)
    folder = lake / "warehouse" / "metadata_db" / "every_type" / "metadata"
    version = (folder / "version-hint.text").read_text().strip()
    spark_file = json.loads((folder / f"v{version}.metadata.json").read_text())

    files = rendered(
        {"every_type": module_inputs(EVERY_TYPE, "file:///tables/every_type/")}, tmp_path
    )
    ours = files["every_type"]
    pyiceberg = describe(load(ours, tmp_path / "table"))
    assert differences(pyiceberg, EVERY_TYPE) == []

    spark_properties = spark_file.pop("properties")
    properties = ours.pop("properties")
    for key in INCIDENTAL:
        spark_file.pop(key, None)
        ours.pop(key, None)
    assert ours == spark_file
    # Spark adds the creating user; Parquet is Iceberg's default format, written out here.
    spark_properties.pop("owner", None)
    assert properties == {**spark_properties, "write.format.default": "parquet"}


def _value(type_: str) -> Any:
    if type_.startswith("decimal"):
        return Decimal("1.00")
    values = {"date": dt.date(2024, 3, 1), "string": "x", "timestamp": dt.datetime(2024, 3, 1)}
    return values.get(type_, 1)


def test_spark_writes_to_a_table_registered_from_the_file(
    spark: SparkSession, lake: Path, tmp_path: Path
) -> None:
    """project01's refined orders (partitioned by year, sorted), registered in the local
    catalog from the rendered file: Spark appends and overwrites, and the writer, given the
    contract's layout, changes neither the spec nor the sort order."""
    compiled = iceberg_contracts()["project01/refined/orders"]
    contract = TableContract.from_dict(compiled)
    folder = lake / "warehouse" / "registered_db" / "orders"
    files = rendered({"orders": module_inputs(compiled, folder.as_uri() + "/")}, tmp_path)
    (folder / "metadata").mkdir(parents=True)
    (folder / "metadata" / "v1.metadata.json").write_text(json.dumps(files["orders"]))
    (folder / "metadata" / "version-hint.text").write_text("1")
    table = "glue_catalog.registered_db.orders"

    rows = [
        tuple(_value(c.type) for c in contract.columns),
        tuple(2 if c.type == "bigint" else _value(c.type) for c in contract.columns),
    ]
    df = spark.createDataFrame(rows, contract.struct_type())
    layout = {"partition_by": contract.partition_by, "sort_by": contract.sort_by}
    write_iceberg(df, table, mode="overwrite_partitions", **layout)  # type: ignore[arg-type]
    write_iceberg(df, table, mode="append", **layout)  # type: ignore[arg-type]

    assert spark.table(table).count() == 4
    partitions, sort_order = describe_layout(spark, table)
    assert [_normalise_partition(p) for p in partitions] == [
        _normalise_partition(p) for p in contract.partition_by
    ]
    assert sort_order == ", ".join(_normalise_sort(s) for s in contract.sort_by)
    version = (folder / "metadata" / "version-hint.text").read_text().strip()
    latest = json.loads((folder / "metadata" / f"v{version}.metadata.json").read_text())
    assert int(version) == 3, "one commit per write, no layout change in between"
    assert latest["partition-specs"] == files["orders"]["partition-specs"]
    assert latest["sort-orders"] == files["orders"]["sort-orders"]
    assert latest["schemas"] == files["orders"]["schemas"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"columns": [{"name": "tags", "type": "array<string>"}]},
            "No Iceberg type for column(s) tags (array<string>)",
        ),
        (
            {
                "columns": [{"name": "day", "type": "date"}],
                "partition_fields": [{"column": "day", "transform": "hour"}],
            },
            "Partition transform(s) hour(day) do not fit the column's type",
        ),
        (
            {
                "columns": [{"name": "x", "type": "int"}],
                "partition_fields": [{"column": "x", "transform": "weeks"}],
            },
            "Unknown partition transform(s) x: weeks",
        ),
        (
            {"columns": [{"name": "x", "type": "int"}], "sort_order": ["y DESC"]},
            "Sort entries 'y DESC' are not",
        ),
    ],
    ids=["type", "transform-type", "transform", "sort"],
)
def test_what_iceberg_cannot_load_stops_the_plan(
    change: dict[str, Any], message: str, tmp_path: Path
) -> None:
    inputs = {
        "location": "s3://bucket/project/table/",
        "columns": [{"name": "x", "type": "int"}],
        "partition_fields": [],
        "sort_order": [],
        "last_updated_ms": 0,
        **change,
    }
    result = render({"broken": inputs}, tmp_path)
    assert result.returncode != 0
    assert message in " ".join((result.stdout + result.stderr).split()), result.stderr
