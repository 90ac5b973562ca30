"""A table's data contract as a job uses it: columns, layout and quality rules.

The contract is written once, in ODCS YAML beside the project's ``project.json``
(``infrastructure/projects/<project>/contracts/<layer>/<table>.odcs.yaml``); ``dp contract
compile`` turns it into the JSON this module reads. Glue 5.1 has neither PyYAML nor
jsonschema, so nothing here parses YAML or validates ODCS: the compiled file is already
checked, and it holds the rules in the form :func:`dp_foundation.quality.rule_from_dict` takes.

Only the standard library is imported at module level; pyspark is imported by the methods
that need it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dp_foundation.exceptions import ContractError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

    from dp_foundation.config.settings import Settings
    from dp_foundation.quality.checks import DataQualityChecker

COMPILED_FORMAT = 1
"""Version of the compiled file's layout; a file of another version is refused."""

LAYERS = ("raw", "refined", "curated")


@dataclass(frozen=True)
class Column:
    """One column as its contract declares it.

    Attributes:
        name: the column name.
        type: the Spark/Hive type string, e.g. ``bigint`` or ``decimal(15,2)``.
        required: whether nulls break the contract (``required`` or part of the primary key).
        primary_key_position: 1-based position in the primary key, or None.
        classification: ``public``, ``internal``, ``confidential`` or ``restricted``.
        pii: whether the column holds personal data.
        description: what the column holds.
    """

    name: str
    type: str
    required: bool = False
    primary_key_position: int | None = None
    classification: str = "internal"
    pii: bool = False
    description: str = ""


@dataclass(frozen=True)
class TableContract:
    """The compiled contract of one table.

    Attributes:
        project: the project (data product) that owns the table.
        layer: ``raw``, ``refined`` or ``curated``.
        table: the table name.
        version: the contract's semantic version.
        columns: the columns, in table order.
        partition_by: Iceberg partition transforms in Spark's spelling, e.g.
            ``["years(o_orderdate)"]``.
        sort_by: the write order, e.g. ``["l_orderkey", "revenue DESC"]``.
        rules: every quality rule the contract declares, as plain rule dicts.
        description: what the table holds.
        origin: where the compiled file was read from (for messages).
    """

    project: str
    layer: str
    table: str
    version: str
    columns: tuple[Column, ...]
    partition_by: tuple[str, ...] = ()
    sort_by: tuple[str, ...] = ()
    rules: tuple[Mapping[str, Any], ...] = ()
    description: str = ""
    origin: str = ""
    _by_name: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", MappingProxyType({c.name: c for c in self.columns}))

    @property
    def name(self) -> str:
        """``<project>.<layer>.<table>``: how messages name the contract."""
        return f"{self.project}.{self.layer}.{self.table}"

    @property
    def schema(self) -> dict[str, str]:
        """Column name -> Spark type string, in table order (what ``schema_match`` expects)."""
        return {c.name: c.type for c in self.columns}

    @property
    def primary_key(self) -> list[str]:
        """The primary-key columns in key order (empty when the table declares none)."""
        keyed = [c for c in self.columns if c.primary_key_position is not None]
        return [c.name for c in sorted(keyed, key=lambda c: c.primary_key_position or 0)]

    def column(self, name: str) -> Column:
        """The column ``name``.

        Raises:
            ContractError: the contract has no such column.
        """
        try:
            return self._by_name[name]
        except KeyError:
            raise ContractError(
                f"contract {self.name} has no column '{name}'; it has {list(self._by_name)}"
            ) from None

    def qualified_name(self, cfg: Settings) -> str:
        """``glue_catalog.<database>.<table>`` in this environment, from ``get_config()``."""
        return cfg.table(self.layer, self.table)

    def struct_type(self) -> StructType:
        """The columns as a Spark ``StructType`` (every field nullable: ``required`` is a
        rule the checker enforces, and Iceberg refuses nullable data for a required field)."""
        from pyspark.sql.types import StructField, StructType, _parse_datatype_string

        return StructType(
            [StructField(c.name, _parse_datatype_string(c.type), True) for c in self.columns]
        )

    def conform(self, df: DataFrame) -> DataFrame:
        """``df`` reduced to the contract's columns, in its order, cast to its types.

        Raises:
            SchemaError: ``df`` lacks some of the columns.
        """
        from pyspark.sql import functions as F

        from dp_foundation.exceptions import SchemaError

        missing = [c.name for c in self.columns if c.name not in df.columns]
        if missing:
            raise SchemaError(
                f"{self.name} needs columns {missing}; the DataFrame has {df.columns}"
            )
        return df.select(*[F.col(c.name).cast(c.type).alias(c.name) for c in self.columns])

    def checker(self, df: DataFrame, dataset: str | None = None) -> DataQualityChecker:
        """A checker over ``df`` holding the contract: an exact ``schema_match`` on its
        columns, then every rule it declares.

        Args:
            df: the rows about to be written.
            dataset: how results name the data (default: the contract's name).
        """
        from dp_foundation.quality.checks import DataQualityChecker

        checker = DataQualityChecker(df, dataset=dataset or self.name)
        checker.schema_match(self.schema, allow_extra_columns=False)
        return checker.add_rules(self.rules)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "") -> TableContract:
        """Build from a compiled contract (the JSON ``dp contract compile`` writes).

        Raises:
            ContractError: the data is not a compiled contract of this format.
        """
        where = origin or "compiled contract"
        if not isinstance(data, Mapping) or data.get("format") != COMPILED_FORMAT:
            found = data.get("format") if isinstance(data, Mapping) else type(data).__name__
            raise ContractError(
                f"{where}: expected a compiled contract of format {COMPILED_FORMAT}, found "
                f"{found!r}; recompile with `dp contract compile`"
            )
        try:
            columns = tuple(
                Column(
                    name=c["name"],
                    type=c["type"],
                    required=bool(c.get("required", False)),
                    primary_key_position=c.get("primary_key_position"),
                    classification=c.get("classification", "internal"),
                    pii=bool(c.get("pii", False)),
                    description=c.get("description", ""),
                )
                for c in data["columns"]
            )
            return cls(
                project=data["project"],
                layer=data["layer"],
                table=data["table"],
                version=data["contract"]["version"],
                columns=columns,
                partition_by=tuple(data.get("partitioning", ())),
                sort_by=tuple(data.get("sort_order", ())),
                rules=tuple(MappingProxyType(dict(r["rule"])) for r in data.get("rules", ())),
                description=data.get("description", ""),
                origin=origin,
            )
        except (KeyError, TypeError) as exc:
            raise ContractError(f"{where}: malformed compiled contract ({exc!r})") from None


__all__ = ["COMPILED_FORMAT", "LAYERS", "Column", "TableContract"]
