"""Rule declarations: one small frozen dataclass per kind of rule, in a registry by kind name.

A rule says what must hold and how bad it is when it does not (``severity``); it says nothing
about how it is computed (``planning`` decides which pass answers it). Rules are built in
code, ``NotNull(column="o_orderkey", severity="warn")``, or from a plain dict through the
registry, ``rule_from_dict({"kind": "not_null", "column": "o_orderkey"})``: the shape a data
contract's quality section maps to.

Every field is validated and normalised when the rule is built (a list of columns becomes a
tuple, ``"36h"`` a ``timedelta``); a wrong field raises a one-line ``ValueError`` naming the
kind and the field. What needs the DataFrame (do the columns exist, is the column a date) is
checked when the rule is added to a :class:`~dp_foundation.quality.checks.DataQualityChecker`.

This module does not import pyspark, so rules can be read and validated in a plain process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

Severity = Literal["error", "warn"]
"""``error`` fails the job (:meth:`DataQualityChecker.assert_all_passed` raises); ``warn`` is
reported and logged, and the job goes on."""

SEVERITIES: tuple[Severity, ...] = ("error", "warn")

Comparison = Literal["<", "<=", ">", ">=", "=", "!="]
"""How a measured value is compared with a bound (SQL's spelling)."""

COMPARISONS: tuple[Comparison, ...] = ("<", "<=", ">", ">=", "=", "!=")

TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")
"""A table name as Spark takes it (``table``, ``database.table``, ``catalog.database.table``):
plain identifiers only, so a name that matches is safe to place in SQL."""


def _fmt(value: Any) -> str:
    """A bound as rule names show it: strings quoted, everything else as ``str``."""
    return repr(value) if isinstance(value, str) else str(value)


def _fmt_number(value: float) -> str:
    """``1.0`` -> ``1``, ``0.5`` -> ``0.5``."""
    return f"{value:g}"


def format_duration(value: timedelta) -> str:
    """A duration as its largest whole units: ``timedelta(hours=36)`` -> ``1d12h``."""
    seconds = value.total_seconds()
    sign = "-" if seconds < 0 else ""
    rest = abs(seconds)
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        whole, rest = divmod(rest, size)
        if whole:
            parts.append(f"{int(whole)}{unit}")
    if rest or not parts:
        parts.append(f"{rest:g}s")
    return sign + "".join(parts)


_UNITS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
_COMPACT_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_ISO_DURATION = re.compile(
    r"P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


def parse_duration(value: Any) -> timedelta:
    """A duration from a ``timedelta``, a number of seconds, a compact string (``"36h"``,
    ``"1d12h"``, ``"90m"``; units s, m, h, d, w) or an ISO 8601 duration (``"PT36H"``).

    Raises:
        ValueError: the value is none of these.
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        lowered = text.lower()
        if lowered and _COMPACT_DURATION.sub("", lowered) == "":
            return timedelta(
                seconds=sum(float(n) * _UNITS[u] for n, u in _COMPACT_DURATION.findall(lowered))
            )
        iso = _ISO_DURATION.fullmatch(text.upper())
        if iso and text.upper() not in ("P", "PT") and not text.upper().endswith("T"):
            parts = {k: float(v) for k, v in iso.groupdict().items() if v}
            return timedelta(
                days=parts.get("d", 0),
                hours=parts.get("h", 0),
                minutes=parts.get("m", 0),
                seconds=parts.get("s", 0),
            )
    raise ValueError(f"not a duration: {value!r} (use e.g. '36h', '1d12h' or 'PT36H')")


# ─── the base and the registry ───────────────────────────────────────────────


@dataclass(frozen=True, kw_only=True)
class Rule:
    """What every rule has: a severity and a name.

    Attributes:
        severity: ``"error"`` (the default) fails the job when the rule fails; ``"warn"``
            only reports it.
        name: how results and logs call the rule; by default the kind and its arguments,
            e.g. ``not_null(o_orderkey)``.
    """

    kind: ClassVar[str] = ""

    severity: Severity = "error"
    name: str = ""

    def __post_init__(self) -> None:
        self._normalise()
        if self.severity not in SEVERITIES:
            raise self._error("severity", "must be 'error' or 'warn'", self.severity)
        if not isinstance(self.name, str):
            raise self._error("name", "must be a string", self.name)
        if not self.name:
            self._set("name", self.describe())

    def _normalise(self) -> None:
        """Validate and normalise the fields of the kind (overridden per kind)."""

    def describe(self) -> str:
        """The default name: the kind and its arguments."""
        return self.kind

    def input_columns(self) -> tuple[str, ...]:
        """The columns of the checked DataFrame the rule reads by name (expressions aside)."""
        return ()

    def to_dict(self) -> dict[str, Any]:
        """The rule as a plain dict that :func:`rule_from_dict` turns back into it: lists for
        tuples, durations as ``"1d12h"``, times in ISO 8601; ``name`` only when it was given."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if name == "name" and value == self.describe():
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, timedelta):
                value = format_duration(value)
            elif isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out

    # helpers for _normalise: each raises one line naming the kind and the field

    def _error(self, field: str, problem: str, value: Any) -> ValueError:
        return ValueError(f"{self.kind}: field '{field}' {problem}; got {value!r}")

    def _set(self, field: str, value: Any) -> None:
        object.__setattr__(self, field, value)

    def _text(self, field: str) -> str:
        value = getattr(self, field)
        if not isinstance(value, str) or not value.strip():
            raise self._error(field, "must be a non-empty string", value)
        return value

    def _columns(self, field: str) -> tuple[str, ...]:
        value = getattr(self, field)
        columns = (value,) if isinstance(value, str) else value
        if not isinstance(columns, Iterable) or isinstance(columns, Mapping):
            raise self._error(field, "must be a column name or a list of them", value)
        columns = tuple(columns)
        if not columns:
            raise self._error(field, "needs at least one column", value)
        if not all(isinstance(c, str) and c for c in columns):
            raise self._error(field, "must hold column names (strings)", value)
        self._set(field, columns)
        return columns

    def _number(self, field: str, low: float | None = None, high: float | None = None) -> float:
        value = getattr(self, field)
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            bounds = f" from {_fmt_number(low or 0)} to {_fmt_number(high)}" if high else ""
            raise self._error(field, f"must be a number{bounds}", value)
        return float(value)

    def _choice(self, field: str, choices: Iterable[str]) -> None:
        value = getattr(self, field)
        allowed = tuple(choices)
        if value not in allowed:
            raise self._error(field, f"must be one of {list(allowed)}", value)

    def _bound(self, field: str) -> None:
        value = getattr(self, field)
        if value is None:
            raise self._error(field, "must be a value (not null)", value)


def _field_names(cls: type[Rule]) -> list[str]:
    """The fields a rule of ``cls`` is built from: the kind's own first, then the common."""
    names = [f.name for f in fields(cls) if f.init]
    common = [f.name for f in fields(Rule)]
    return [n for n in names if n not in common] + common


RULES: dict[str, type[Rule]] = {}
"""Every rule kind by its name: the registry :func:`rule_from_dict` builds rules from."""

_R = TypeVar("_R", bound=type[Rule])


def _register(cls: _R) -> _R:
    """Class decorator: add a rule kind to :data:`RULES` under its ``kind``."""
    if not cls.kind or cls.kind in RULES:
        raise ValueError(f"rule kind {cls.kind!r} is empty or registered twice")
    RULES[cls.kind] = cls
    return cls


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Build a rule from a plain dict: ``{"kind": ..., <the kind's fields>}``.

    Example:
        >>> rule_from_dict({"kind": "completeness", "column": "c_email", "op": "<",
        ...                 "percent": 1, "severity": "warn"}).name
        'completeness(c_email, nulls < 1%)'

    Raises:
        ValueError: one line naming what is wrong: no or an unknown ``kind``, an unknown or
            a missing field, or a field with a wrong value.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"a rule must be a mapping with a 'kind'; got {type(data).__name__}")
    kind = data.get("kind")
    if kind is None:
        raise ValueError(f"rule {dict(data)!r}: missing field 'kind' (one of {sorted(RULES)})")
    cls = RULES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"rule: field 'kind' must be one of {sorted(RULES)}; got {kind!r}")
    accepted = _field_names(cls)
    unknown = [k for k in data if k != "kind" and k not in accepted]
    if unknown:
        raise ValueError(f"{kind}: unknown field '{unknown[0]}'; {kind} takes {accepted}")
    missing = [
        f.name
        for f in fields(cls)
        if f.init and f.default is MISSING and f.default_factory is MISSING and f.name not in data
    ]
    if missing:
        raise ValueError(f"{kind}: missing field '{missing[0]}'; {kind} takes {accepted}")
    return cls(**{k: v for k, v in data.items() if k != "kind"})


# ─── column rules (a 0/1 flag per row, summed on the aggregation pass) ───────


@_register
@dataclass(frozen=True, kw_only=True)
class NotNull(Rule):
    """Fails on any null in ``column``."""

    kind: ClassVar[str] = "not_null"
    column: str

    def _normalise(self) -> None:
        self._text("column")

    def describe(self) -> str:
        return f"not_null({self.column})"

    def input_columns(self) -> tuple[str, ...]:
        return (self.column,)


@_register
@dataclass(frozen=True, kw_only=True)
class ValueInSet(Rule):
    """Fails when a non-null value of ``column`` is not in ``allowed``.

    Nulls are never checked, so a ``None`` in ``allowed`` changes nothing (in SQL it would make
    ``NOT IN`` unknown for every row and hide every outsider).
    """

    kind: ClassVar[str] = "value_in_set"
    column: str
    allowed: tuple[Any, ...]

    def _normalise(self) -> None:
        self._text("column")
        values = self.allowed
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise self._error("allowed", "must be a list of values", values)
        given = set(values)
        if not given:
            raise self._error("allowed", "needs at least one allowed value", self.allowed)
        self._set("allowed", tuple(sorted(given, key=str)))

    @property
    def non_null_values(self) -> list[Any]:
        """The allowed values a row can match (nulls are not checked)."""
        return [v for v in self.allowed if v is not None]

    def describe(self) -> str:
        shown = ", ".join(_fmt(v) for v in self.allowed)
        return f"value_in_set({self.column}, {{{shown}}})"

    def input_columns(self) -> tuple[str, ...]:
        return (self.column,)


@_register
@dataclass(frozen=True, kw_only=True)
class MinValue(Rule):
    """Fails when a non-null value of ``column`` is below ``minimum`` (inclusive bound)."""

    kind: ClassVar[str] = "min_value"
    column: str
    minimum: Any

    def _normalise(self) -> None:
        self._text("column")
        self._bound("minimum")

    def describe(self) -> str:
        return f"min_value({self.column}, {_fmt(self.minimum)})"

    def input_columns(self) -> tuple[str, ...]:
        return (self.column,)


@_register
@dataclass(frozen=True, kw_only=True)
class MaxValue(Rule):
    """Fails when a non-null value of ``column`` is above ``maximum`` (inclusive bound)."""

    kind: ClassVar[str] = "max_value"
    column: str
    maximum: Any

    def _normalise(self) -> None:
        self._text("column")
        self._bound("maximum")

    def describe(self) -> str:
        return f"max_value({self.column}, {_fmt(self.maximum)})"

    def input_columns(self) -> tuple[str, ...]:
        return (self.column,)


@_register
@dataclass(frozen=True, kw_only=True)
class Completeness(Rule):
    """Fails unless the share of null rows in ``column``, in percent, compares with
    ``percent`` as ``op`` says: ``op="<", percent=1`` is "fewer than 1% nulls".

    On an empty DataFrame the share is 0%.
    """

    kind: ClassVar[str] = "completeness"
    column: str
    percent: float
    op: Literal["<", "<="] = "<="

    def _normalise(self) -> None:
        self._text("column")
        self._set("percent", self._number("percent", 0, 100))
        self._choice("op", ("<", "<="))

    def describe(self) -> str:
        return f"completeness({self.column}, nulls {self.op} {_fmt_number(self.percent)}%)"

    def input_columns(self) -> tuple[str, ...]:
        return (self.column,)


@_register
@dataclass(frozen=True, kw_only=True)
class Expression(Rule):
    """Fails on every row where the SQL boolean ``expression`` is false or null, e.g.
    ``"l_shipdate <= l_receiptdate"``."""

    kind: ClassVar[str] = "expression"
    expression: str

    def _normalise(self) -> None:
        self._text("expression")

    def describe(self) -> str:
        return f"expression({self.expression})"


# ─── table rules (one value per DataFrame) ───────────────────────────────────


@_register
@dataclass(frozen=True, kw_only=True)
class RowCountMin(Rule):
    """Fails when the DataFrame has fewer than ``minimum`` rows."""

    kind: ClassVar[str] = "row_count_min"
    minimum: int

    def _normalise(self) -> None:
        if not isinstance(self.minimum, int) or isinstance(self.minimum, bool) or self.minimum < 0:
            raise self._error("minimum", "must be an integer, a minimum >= 0", self.minimum)

    def describe(self) -> str:
        return f"row_count_min({self.minimum})"


@_register
@dataclass(frozen=True, kw_only=True)
class Aggregate(Rule):
    """Fails unless the SQL aggregate ``expression`` (e.g. ``"sum(l_quantity)"``) compares
    with ``value`` as ``op`` says. The comparison is Spark's, so ``value`` may be a number, a
    string or a date; a null aggregate (e.g. ``sum`` of no rows) fails."""

    kind: ClassVar[str] = "aggregate"
    expression: str
    op: Comparison
    value: Any

    def _normalise(self) -> None:
        self._text("expression")
        self._choice("op", COMPARISONS)
        self._bound("value")

    def describe(self) -> str:
        return f"aggregate({self.expression} {self.op} {_fmt(self.value)})"


@_register
@dataclass(frozen=True, kw_only=True)
class Freshness(Rule):
    """Fails when the newest value of the date or timestamp ``column`` is older than
    ``max_age`` (or there is no value at all: nothing proves the data is fresh).

    Attributes:
        max_age: a ``timedelta``, a number of seconds, ``"36h"``, ``"1d12h"`` or
            ``"PT36H"``.
        now: the moment the age is measured from; the time of the run when not given. A
            naive datetime (or ISO string without an offset) is read as UTC. A date counts
            as midnight UTC at its start.
    """

    kind: ClassVar[str] = "freshness"
    column: str
    max_age: timedelta
    now: datetime | None = None

    def _normalise(self) -> None:
        self._text("column")
        try:
            max_age = parse_duration(self.max_age)
        except ValueError:
            raise self._error(
                "max_age", "must be a duration like '36h' or 'PT36H'", self.max_age
            ) from None
        if max_age <= timedelta(0):
            raise self._error("max_age", "must be a positive duration", self.max_age)
        self._set("max_age", max_age)
        now = self.now
        if isinstance(now, str):
            try:
                now = datetime.fromisoformat(now)
            except ValueError:
                raise self._error("now", "must be an ISO 8601 timestamp", self.now) from None
        elif isinstance(now, date) and not isinstance(now, datetime):
            now = datetime(now.year, now.month, now.day)
        if now is not None and not isinstance(now, datetime):
            raise self._error("now", "must be a datetime or an ISO 8601 string", now)
        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        self._set("now", now)

    def describe(self) -> str:
        return f"freshness({self.column}, max age {format_duration(self.max_age)})"

    def input_columns(self) -> tuple[str, ...]:
        return (self.column,)


@_register
@dataclass(frozen=True, kw_only=True)
class VolumeAnomaly(Rule):
    """Fails when the row count dropped by more than ``max_drop_percent`` against the
    ``total-records`` of an Iceberg snapshot of ``table``, read from the table's metadata
    (no data file is read). Growth never fails.

    Attributes:
        table: the Iceberg table, e.g. ``glue_catalog.f01_refined_dev.orders``.
        max_drop_percent: the largest drop that passes, in percent of the snapshot's rows.
        compare_with: ``"current"`` (default) compares the rows checked with the table's
            current snapshot: check a DataFrame before it replaces the table's rows, whose
            current snapshot is about to become the previous one. ``"parent"`` compares with
            the parent of the current snapshot: check the table as just written.

    A table that does not exist yet, or has no snapshot to compare with, passes (a first
    load cannot be a drop); the detail says so.
    """

    kind: ClassVar[str] = "volume_anomaly"
    table: str
    max_drop_percent: float
    compare_with: Literal["current", "parent"] = "current"

    def _normalise(self) -> None:
        if not isinstance(self.table, str) or not TABLE_NAME.fullmatch(self.table):
            raise self._error(
                "table", "must be a table name like catalog.database.table", self.table
            )
        self._set("max_drop_percent", self._number("max_drop_percent", 0, 100))
        self._choice("compare_with", ("current", "parent"))

    def describe(self) -> str:
        which = "" if self.compare_with == "current" else ", parent snapshot"
        return (
            f"volume_anomaly({self.table}, max drop {_fmt_number(self.max_drop_percent)}%{which})"
        )


# ─── rules with a pass of their own ──────────────────────────────────────────


@_register
@dataclass(frozen=True, kw_only=True)
class Unique(Rule):
    """Fails when two rows share the same values in ``columns`` (nulls compare equal, as in
    ``GROUP BY``)."""

    kind: ClassVar[str] = "unique"
    columns: tuple[str, ...]

    def _normalise(self) -> None:
        self._columns("columns")

    def describe(self) -> str:
        return f"unique({', '.join(self.columns)})"

    def input_columns(self) -> tuple[str, ...]:
        return self.columns


@_register
@dataclass(frozen=True, kw_only=True)
class ReferentialIntegrity(Rule):
    """Fails on every row whose ``columns`` are not found in ``reference_columns`` of
    ``reference`` (a DataFrame, or a table name the checker reads through the DataFrame's
    session). Rows with a null in ``columns`` are not checked, as SQL foreign keys do not;
    add ``not_null`` for that.

    Attributes:
        reference_columns: the matching columns of the reference; ``columns`` by default.
        reference_name: how the name shows the reference; the table name by default.
    """

    kind: ClassVar[str] = "referential_integrity"
    columns: tuple[str, ...]
    reference: DataFrame | str
    reference_columns: tuple[str, ...] = ()
    reference_name: str = ""

    def _normalise(self) -> None:
        columns = self._columns("columns")
        if isinstance(self.reference, str):
            if not TABLE_NAME.fullmatch(self.reference):
                raise self._error(
                    "reference", "must be a DataFrame or a table name", self.reference
                )
        elif not hasattr(self.reference, "sparkSession"):
            raise self._error("reference", "must be a DataFrame or a table name", self.reference)
        if not self.reference_columns:
            self._set("reference_columns", columns)
        if len(self._columns("reference_columns")) != len(columns):
            raise self._error(
                "reference_columns", f"must name {len(columns)} columns", self.reference_columns
            )
        if not isinstance(self.reference_name, str):
            raise self._error("reference_name", "must be a string", self.reference_name)
        if not self.reference_name and isinstance(self.reference, str):
            self._set("reference_name", self.reference)

    def describe(self) -> str:
        mine = ", ".join(self.columns)
        theirs = ", ".join(self.reference_columns)
        where = self.reference_name or "reference"
        return f"referential_integrity({mine} -> {where}({theirs}))"

    def input_columns(self) -> tuple[str, ...]:
        return self.columns


@_register
@dataclass(frozen=True, kw_only=True)
class SchemaMatch(Rule):
    """Fails when columns of ``expected`` ({name: Spark type string}) are missing or typed
    differently, or, unless ``allow_extra_columns``, when the DataFrame has others."""

    kind: ClassVar[str] = "schema_match"
    expected: Mapping[str, str]
    allow_extra_columns: bool = True

    def _normalise(self) -> None:
        expected = self.expected
        if not isinstance(expected, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in expected.items()
        ):
            raise self._error("expected", "must map column names to Spark type strings", expected)
        self._set("expected", MappingProxyType(dict(expected)))
        if not isinstance(self.allow_extra_columns, bool):
            raise self._error(
                "allow_extra_columns", "must be true or false", self.allow_extra_columns
            )

    def describe(self) -> str:
        return "schema_match"


def rules_from_dicts(data: Iterable[Mapping[str, Any]]) -> list[Rule]:
    """:func:`rule_from_dict` over a list; the error says which entry is wrong.

    Raises:
        ValueError: ``rules[<i>]: <what rule_from_dict said>``.
    """
    rules = []
    for i, entry in enumerate(data):
        try:
            rules.append(rule_from_dict(entry))
        except ValueError as exc:
            raise ValueError(f"rules[{i}]: {exc}") from None
    return rules


__all__ = [
    "COMPARISONS",
    "RULES",
    "SEVERITIES",
    "TABLE_NAME",
    "Aggregate",
    "Comparison",
    "Completeness",
    "Expression",
    "Freshness",
    "MaxValue",
    "MinValue",
    "NotNull",
    "ReferentialIntegrity",
    "RowCountMin",
    "Rule",
    "SchemaMatch",
    "Severity",
    "Unique",
    "ValueInSet",
    "VolumeAnomaly",
    "format_duration",
    "parse_duration",
    "rule_from_dict",
    "rules_from_dicts",
]
