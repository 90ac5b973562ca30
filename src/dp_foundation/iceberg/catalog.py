"""Iceberg DDL: databases and tables, generated from Python values and run through Spark.

The DDL builders are pure functions (testable without Spark); the ``*_if_not_exists``
functions run the SQL and return it, so callers can log exactly what ran.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING

from dp_foundation.exceptions import SchemaError, TableNotFoundError, WriteError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StructType

# The platform's table properties, in one file that Terraform reads too
# (modules/glue_iceberg_table gives them to the tables it creates on AWS). Why each value -
# merge-on-read writes, zstd, metadata clean-up, commit retries (ten, 0.25 s to 15 s apart,
# five minutes at most) and serializable merges: docs/tables.md.
DEFAULT_TABLE_PROPERTIES: dict[str, str] = json.loads(
    resources.files("dp_foundation.iceberg").joinpath("table_properties.json").read_text("utf-8")
)

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRANSFORM = re.compile(
    r"^(?:(?P<col>[A-Za-z_]\w*)"
    r"|(?P<fn>years|months|days|hours|identity)\((?P<fcol>[A-Za-z_]\w*)\)"
    r"|(?P<pfn>bucket|truncate)\((?P<n>\d+),\s*(?P<pcol>[A-Za-z_]\w*)\))$"
)
_SORT = re.compile(
    r"^(?P<col>[A-Za-z_]\w*)(?:\s+(?P<dir>ASC|DESC))?(?:\s+NULLS\s+(?P<nulls>FIRST|LAST))?$", re.I
)


def split_table_name(table: str) -> tuple[str, str, str]:
    """Split ``catalog.database.table`` into its three parts.

    Raises:
        WriteError: the name does not have exactly three identifier parts.
    """
    parts = table.split(".")
    if len(parts) != 3 or not all(_IDENT.match(p) for p in parts):
        raise WriteError(
            f"table name '{table}' must be 'catalog.database.table' "
            "(e.g. glue_catalog.f01_refined_local.orders)"
        )
    return parts[0], parts[1], parts[2]


def partition_column(transform: str) -> str:
    """Return the source column of a partition transform (``years(d)`` -> ``d``).

    Raises:
        SchemaError: the transform is not a column or one of Iceberg's transforms.
    """
    match = _TRANSFORM.match(transform.strip())
    if match is None:
        raise SchemaError(
            f"partition '{transform}' is not a column or an Iceberg transform "
            "(years|months|days|hours|identity(col), bucket|truncate(N, col))"
        )
    return match.group("col") or match.group("fcol") or match.group("pcol")


def sort_column(spec: str) -> str:
    """Return the column of a sort spec such as ``l_orderkey`` or ``ts DESC NULLS LAST``."""
    match = _SORT.match(spec.strip())
    if match is None:
        raise SchemaError(f"sort spec '{spec}' is not 'column [ASC|DESC] [NULLS FIRST|LAST]'")
    return match.group("col")


def _columns(schema: Mapping[str, str] | StructType) -> list[tuple[str, str]]:
    if isinstance(schema, Mapping):
        return list(schema.items())
    return [(f.name, f.dataType.simpleString()) for f in schema.fields]


def _check_columns_exist(
    kind: str, wanted: Iterable[str], columns: Sequence[str], table: str
) -> None:
    unknown = [c for c in wanted if c not in columns]
    if unknown:
        raise SchemaError(
            f"{kind} column(s) {unknown} of {table} are not in its columns {list(columns)}"
        )


def build_create_database_sql(catalog: str, database: str, location: str | None = None) -> str:
    """Return ``CREATE NAMESPACE IF NOT EXISTS`` DDL for ``catalog.database``."""
    for part in (catalog, database):
        if not _IDENT.match(part):
            raise WriteError(f"'{part}' is not a valid catalog or database identifier")
    sql = f"CREATE NAMESPACE IF NOT EXISTS {catalog}.{database}"
    if location:
        sql += f" LOCATION '{location}'"
    return sql


def build_create_table_sql(
    table: str,
    schema: Mapping[str, str] | StructType,
    partition_by: Sequence[str] | None = None,
    sort_by: Sequence[str] | None = None,
    properties: Mapping[str, str] | None = None,
    comment: str | None = None,
    location: str | None = None,
) -> list[str]:
    """Return the DDL statements that create an Iceberg table.

    The first statement is ``CREATE TABLE IF NOT EXISTS ... USING iceberg`` with columns,
    partition transforms and properties (defaults: :data:`DEFAULT_TABLE_PROPERTIES`, e.g.
    ``format-version=2``); a second ``ALTER TABLE ... WRITE ORDERED BY`` sets the sort
    order when ``sort_by`` is given (Iceberg has no sort clause in CREATE TABLE).

    Raises:
        WriteError: bad table name. SchemaError: no columns, or partition/sort columns
            that are not columns of the table.
    """
    split_table_name(table)
    columns = _columns(schema)
    if not columns:
        raise SchemaError(f"table {table} needs at least one column")
    names = [name for name, _ in columns]
    for name in names:
        if not _IDENT.match(name):
            raise SchemaError(f"column name '{name}' of {table} is not a plain identifier")
    partitions = [p.strip() for p in partition_by or []]
    _check_columns_exist("partition", [partition_column(p) for p in partitions], names, table)
    sorts = [s.strip() for s in sort_by or []]
    _check_columns_exist("sort", [sort_column(s) for s in sorts], names, table)

    body = ",\n  ".join(f"{name} {dtype}" for name, dtype in columns)
    sql = f"CREATE TABLE IF NOT EXISTS {table} (\n  {body}\n) USING iceberg"
    if partitions:
        sql += f"\nPARTITIONED BY ({', '.join(partitions)})"
    if location:
        sql += f"\nLOCATION '{location}'"
    if comment:
        sql += "\nCOMMENT '" + comment.replace("'", "\\'") + "'"
    props = {**DEFAULT_TABLE_PROPERTIES, **(properties or {})}
    sql += (
        "\nTBLPROPERTIES (\n  " + ",\n  ".join(f"'{k}' = '{v}'" for k, v in props.items()) + "\n)"
    )
    statements = [sql]
    if sorts:
        statements.append(f"ALTER TABLE {table} WRITE ORDERED BY {', '.join(sorts)}")
    return statements


def table_exists(spark: SparkSession, table: str) -> bool:
    """True when ``catalog.database.table`` exists."""
    split_table_name(table)
    return bool(spark.catalog.tableExists(table))


def create_database_if_not_exists(
    spark: SparkSession, catalog: str, database: str, location: str | None = None
) -> str:
    """Create ``catalog.database`` when missing; return the SQL that ran."""
    sql = build_create_database_sql(catalog, database, location)
    spark.sql(sql)
    return sql


def create_table_if_not_exists(
    spark: SparkSession,
    table: str,
    schema: Mapping[str, str] | StructType,
    partition_by: Sequence[str] | None = None,
    sort_by: Sequence[str] | None = None,
    properties: Mapping[str, str] | None = None,
    comment: str | None = None,
    location: str | None = None,
) -> str:
    """Create an Iceberg table (and its database) unless it exists; return the SQL that ran.

    Returns an empty string when the table already existed (nothing ran). Arguments as in
    :func:`build_create_table_sql`.
    """
    statements = build_create_table_sql(
        table, schema, partition_by, sort_by, properties, comment, location
    )
    if table_exists(spark, table):
        return ""
    catalog, database, _ = split_table_name(table)
    create_database_if_not_exists(spark, catalog, database)
    for sql in statements:
        spark.sql(sql)
    return ";\n".join(statements)


def describe_layout(spark: SparkSession, table: str) -> tuple[list[str], str]:
    """Return the table's partition transforms and its sort order (``""`` when unsorted).

    Partition fields come back as Spark renders them (``days(d)``, ``bucket(4, id)``; a plain
    column for an identity field); the sort order as Iceberg renders it
    (``a ASC NULLS FIRST, b DESC NULLS LAST``).
    """
    if not table_exists(spark, table):
        raise TableNotFoundError(f"Iceberg table {table} does not exist")
    rows = spark.sql(f"DESCRIBE TABLE EXTENDED {table}").collect()
    partitions: list[str] = []
    section = ""
    for row in rows:
        name, value = (row[0] or "").strip(), (row[1] or "").strip()
        if not name:
            section = ""
        elif name.startswith("#"):
            # "# col_name" is the header row inside "# Partition Information".
            section = section if name == "# col_name" else name
        elif section == "# Partitioning" and name.startswith("Part "):
            partitions.append(value)
        elif section == "# Partition Information":
            # Spark lists a spec made only of identity fields as plain columns here.
            partitions.append(name)
    # The sort order's rendering contains ", ": read the property itself, not a rendering of
    # all properties.
    properties = {r[0]: r[1] for r in spark.sql(f"SHOW TBLPROPERTIES {table}").collect()}
    return partitions, (properties.get("sort-order") or "").strip()


__all__ = [
    "DEFAULT_TABLE_PROPERTIES",
    "build_create_database_sql",
    "build_create_table_sql",
    "create_database_if_not_exists",
    "create_table_if_not_exists",
    "describe_layout",
    "partition_column",
    "sort_column",
    "split_table_name",
    "table_exists",
]
