"""Pass planning: which pass over the DataFrame answers each rule, and what the rule adds to it.

The passes (with adaptive query execution off, each is one Spark job):

* the **aggregation pass**, one ``agg`` for all of: the row count; every row rule
  (``not_null``, ``value_in_set``, ``min_value``, ``max_value``, ``completeness``,
  ``expression``) as a 0/1 flag per row, summed; ``freshness`` as the newest value (a max);
  every custom ``aggregate`` expression and its comparison;
* one **key pass** per distinct ``unique`` column set (:mod:`~dp_foundation.quality.uniqueness`);
* one **join** per distinct ``referential_integrity`` rule (columns, reference), a left-anti
  join that yields only the rows whose key is missing.

``row_count_min`` and ``volume_anomaly`` use the row count of the aggregation pass;
``volume_anomaly`` also reads the table's snapshot list, which is metadata, not data;
``schema_match`` reads only the schema.

Riding: when there is a key and no custom aggregate, the aggregation pass rides on the first
key pass (the flags and maxima travel with the key and are combined at the end), so a typical
run (column rules plus one key) reads its input once. Only then may the first key be packed
(see :mod:`~dp_foundation.quality.uniqueness`): its recount, when the packed key repeats, takes
the place of the aggregation pass it saved. A custom aggregate cannot be split over the key's
pre-aggregation (``avg`` of averages is not an average), so with one the aggregation pass runs
on its own and every key is sorted, exact in one pass. Either way a run never reads its input
more often than one aggregation pass, plus one pass per key set, plus one join per reference.

After the passes, failed rules may cost one small action each to sample failing rows (see
:class:`~dp_foundation.quality.checks.DataQualityChecker`); passing rules never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from dp_foundation.quality.rules import (
    Aggregate,
    Completeness,
    Expression,
    Freshness,
    MaxValue,
    MinValue,
    NotNull,
    ReferentialIntegrity,
    RowCountMin,
    Rule,
    Unique,
    ValueInSet,
    VolumeAnomaly,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pyspark.sql import Column
    from pyspark.sql.types import StructType

ROW_RULES: tuple[type[Rule], ...] = (
    NotNull,
    ValueInSet,
    MinValue,
    MaxValue,
    Completeness,
    Expression,
)
"""Kinds judged row by row: a 0/1 flag per row, summed; their failing rows can be sampled."""

TOTAL = "__total"
"""The alias of the row count in every pass's output."""

# Column types freshness reads: dates count as midnight UTC at their start.
FRESHNESS_TYPES = frozenset({"date", "timestamp", "timestamp_ntz"})

JoinKey = tuple[tuple[str, ...], object, tuple[str, ...]]
"""What makes two referential-integrity rules one join: columns, reference, its columns."""


@dataclass(frozen=True)
class Measure:
    """What one rule adds to the aggregation pass: a value per row and how rows combine.

    Attributes:
        alias: the name of the combined value in the pass's output.
        value: the per-row value (a 0/1 flag, or a number whose maximum is wanted).
        combine: ``"sum"`` or ``"max"``; both can be combined in stages (per group, then
            overall), which is what lets them ride on a key pass.
    """

    alias: str
    value: Column
    combine: Literal["sum", "max"]

    def over(self, column: Column | str) -> Column:
        """The combining aggregate over ``column`` (the per-row values or partial results)."""
        from pyspark.sql import functions as F

        fn = F.sum if self.combine == "sum" else F.max
        return fn(column).alias(self.alias)


@dataclass(frozen=True)
class Plan:
    """Which passes a run makes and which rules each one answers.

    Attributes:
        aggregated: positions of the rules the aggregation pass answers.
        aggregation_pass: whether the aggregation pass runs on its own; when False and there
            are key sets, it rides on the first key pass.
        counted: whether any rule needs the row count.
        key_sets: the distinct ``unique`` column sets in the order they were declared.
        joins: the distinct referential-integrity joins in the order they were declared.
        tables: the tables whose snapshot lists ``volume_anomaly`` rules read.
    """

    aggregated: tuple[int, ...]
    aggregation_pass: bool
    counted: bool
    key_sets: tuple[tuple[str, ...], ...]
    joins: tuple[JoinKey, ...]
    tables: tuple[str, ...]

    @property
    def rides_on_key(self) -> bool:
        """Whether the first key pass also does the aggregation pass's work."""
        return bool(self.key_sets) and not self.aggregation_pass

    @property
    def pack_first_key(self) -> bool:
        """Whether the first key may be packed (its recount replaces the saved pass)."""
        return self.rides_on_key

    def describe(self) -> list[str]:
        """The passes over the input, in the order they run, e.g.
        ``["key(id) + aggregation", "key(k, s)"]``."""
        passes = ["aggregation"] if self.aggregation_pass else []
        for i, key in enumerate(self.key_sets):
            rider = " + aggregation" if i == 0 and self.rides_on_key and self.counted else ""
            passes.append(f"key({', '.join(key)}){rider}")
        passes += [f"join({', '.join(cols)} -> {', '.join(ref)})" for cols, _, ref in self.joins]
        return passes


def join_key(rule: ReferentialIntegrity) -> JoinKey:
    """Rules with the same columns, reference and reference columns share one join."""
    reference = rule.reference if isinstance(rule.reference, str) else id(rule.reference)
    return (rule.columns, reference, rule.reference_columns)


def plan(rules: Sequence[Rule]) -> Plan:
    """Assign every rule to a pass (see the module docstring)."""
    aggregated = tuple(
        i for i, r in enumerate(rules) if isinstance(r, (*ROW_RULES, Freshness, Aggregate))
    )
    counted = bool(aggregated) or any(
        isinstance(r, (RowCountMin, VolumeAnomaly, ReferentialIntegrity)) for r in rules
    )
    key_sets = tuple(dict.fromkeys(r.columns for r in rules if isinstance(r, Unique)))
    custom = any(isinstance(r, Aggregate) for r in rules)
    return Plan(
        aggregated=aggregated,
        aggregation_pass=custom or (counted and not key_sets),
        counted=counted,
        key_sets=key_sets,
        joins=tuple(
            dict.fromkeys(join_key(r) for r in rules if isinstance(r, ReferentialIntegrity))
        ),
        tables=tuple(dict.fromkeys(r.table for r in rules if isinstance(r, VolumeAnomaly))),
    )


def alias(position: int) -> str:
    """The name of a rule's value in a pass's output."""
    return f"__r{position}"


def failing(rule: Rule) -> Column | None:
    """For a row rule, the condition true on exactly the rows that break it; else None."""
    from pyspark.sql import functions as F

    if isinstance(rule, NotNull | Completeness):
        return F.col(rule.column).isNull()
    if isinstance(rule, ValueInSet):
        col, values = F.col(rule.column), rule.non_null_values
        outside = ~col.isin(values) if values else F.lit(True)
        return col.isNotNull() & outside
    if isinstance(rule, MinValue):
        return F.col(rule.column) < F.lit(rule.minimum)
    if isinstance(rule, MaxValue):
        return F.col(rule.column) > F.lit(rule.maximum)
    if isinstance(rule, Expression):
        return ~F.coalesce(F.expr(rule.expression), F.lit(False))
    return None


def epoch_micros(column: str, type_name: str) -> Column:
    """A date or timestamp column as microseconds since the epoch (a date: midnight UTC)."""
    from pyspark.sql import functions as F

    if type_name == "date":
        return F.unix_date(F.col(column)).cast("bigint") * F.lit(86_400_000_000)
    return F.unix_micros(F.col(column).cast("timestamp"))


def measures(rules: Sequence[Rule], positions: Sequence[int], schema: StructType) -> list[Measure]:
    """What the rules at ``positions`` add to the aggregation pass, row by row."""
    from pyspark.sql import functions as F

    types = {f.name: f.dataType.simpleString() for f in schema.fields}
    out = []
    for i in positions:
        rule = rules[i]
        condition = failing(rule)
        if condition is not None:
            out.append(Measure(alias(i), F.when(condition, 1).otherwise(0), "sum"))
        elif isinstance(rule, Freshness):
            out.append(Measure(alias(i), epoch_micros(rule.column, types[rule.column]), "max"))
    return out


def aggregates(rules: Sequence[Rule], positions: Sequence[int]) -> list[Column]:
    """The custom aggregate expressions among ``positions``, each with its comparison
    (``<alias>`` the value, ``<alias>_ok`` whether it holds, computed by Spark)."""
    from pyspark.sql import functions as F

    out = []
    for i in positions:
        rule = rules[i]
        if isinstance(rule, Aggregate):
            value = F.expr(rule.expression)
            bound = F.lit(rule.value)
            ok = {
                "<": value < bound,
                "<=": value <= bound,
                ">": value > bound,
                ">=": value >= bound,
                "=": value == bound,
                "!=": value != bound,
            }[rule.op]
            out += [value.alias(alias(i)), ok.alias(f"{alias(i)}_ok")]
    return out


__all__ = [
    "FRESHNESS_TYPES",
    "ROW_RULES",
    "TOTAL",
    "JoinKey",
    "Measure",
    "Plan",
    "aggregates",
    "alias",
    "epoch_micros",
    "failing",
    "join_key",
    "measures",
    "plan",
]
