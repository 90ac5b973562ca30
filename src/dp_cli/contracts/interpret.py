"""What a contract means: its columns, layout, the checker's rules and their DQDL, in one walk.

Each declaration of the contract is read once, here, and becomes at most one checker rule
(a plain dict for :func:`dp_foundation.quality.rule_from_dict`) and one DQDL rule. What one of
the two cannot express is listed with the reason, never dropped silently. The walk's order is
the order of both lists: per column, in table order, ``required`` (or key), ``unique``, the
``logicalTypeOptions`` bounds, then the column's ``quality`` entries; then the primary key;
then the table's ``quality`` entries; then the SLA. Terraform creates each table's Glue Data
Quality ruleset from the file :mod:`dp_cli.contracts.dqdl` writes beside the contract.

Supported ODCS v3.0.x declarations:

* ``required: true`` and ``primaryKey`` columns: not null (DQDL ``IsComplete``);
* ``unique: true``: unique (``IsUnique``); the primary key: unique over its columns;
* ``logicalTypeOptions`` ``minimum``/``maximum`` (``exclusive*`` too): bounds
  (``ColumnValues "c" >= n``);
* ``quality`` ``type: library``: ``validValues`` (with ``validValues: [...]``), ``nullCheck``
  (no nulls, or ``unit: percent`` with ``mustBeLessThan``/``mustBeLessOrEqualTo``),
  ``duplicateCount`` (column level: unique) and ``rowCount`` (table level, any ``mustBe*``);
* ``type: sql``: ``SELECT <aggregate> FROM ${object} [WHERE <condition>]`` compared with one
  ``mustBe*`` (``${property}`` is the column): a checker aggregate and a DQDL ``CustomSql``;
* ``type: custom`` with ``engine: dp-quality``: ``implementation`` is a rule dict of the
  quality registry (``column`` defaults to the property), e.g. ``freshness``,
  ``referential_integrity``, ``volume_anomaly``;
* ``type: text`` rules are descriptions: listed, not run;
* ``slaProperties``: ``freshness`` with an ``element`` (``table.column``) exports
  ``DataFreshness``; SLAs are not batch checks, so the job does not run them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dp_cli.contracts.source import ContractSource

CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
"""Column and product classifications, least to most sensitive (project.schema.json's)."""

CUSTOM_ENGINE = "dp-quality"
"""``quality[].engine`` of custom rules the checker runs: the implementation is a rule dict."""

TABLE_PROPERTIES = ("sortOrder",)
COLUMN_PROPERTIES = ("pii", "partitionTransform")
PARTITION_TRANSFORMS = re.compile(r"^(identity|year|month|day|hour|bucket\[\d+\]|truncate\[\d+\])$")
_SPARK_TRANSFORM = {"year": "years", "month": "months", "day": "days", "hour": "hours"}
_SORT = re.compile(
    r"^(?P<col>[a-z_][a-z0-9_]*)(?:\s+(?P<dir>ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?$", re.I
)
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_TYPE = re.compile(
    r"^(?:tinyint|smallint|int|bigint|float|double|boolean|string|binary|date|timestamp"
    r"|timestamp_ntz|decimal\(\s*\d+\s*,\s*\d+\s*\)|varchar\(\d+\)|char\(\d+\))$"
)
_LOGICAL = {
    "integer": re.compile(r"^(tinyint|smallint|int|bigint)$"),
    "number": re.compile(r"^(float|double|decimal\(.*\))$"),
    "string": re.compile(r"^(string|varchar\(\d+\)|char\(\d+\))$"),
    "date": re.compile(r"^(date|timestamp|timestamp_ntz)$"),
    "boolean": re.compile(r"^boolean$"),
}
_SQL = re.compile(
    r"^\s*select\s+(?P<expr>.+?)\s+from\s+\$\{(?:object|table)\}"
    r"(?:\s+where\s+(?P<where>.+?))?\s*;?\s*$",
    re.I | re.S,
)
OPERATORS = {
    "mustBe": "=",
    "mustNotBe": "!=",
    "mustBeGreaterThan": ">",
    "mustBeGreaterOrEqualTo": ">=",
    "mustBeLessThan": "<",
    "mustBeLessOrEqualTo": "<=",
    "mustBeBetween": "between",
    "mustNotBeBetween": "not between",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNITS_HOURS = {"h": 1, "hr": 1, "hour": 1, "hours": 1, "d": 24, "day": 24, "days": 24}


@dataclass(frozen=True)
class Declared:
    """One declaration of the contract and what it becomes.

    Attributes:
        origin: where it is in the contract, e.g. ``o_orderkey.required``.
        rule: the checker's rule dict, or None when the job does not run it.
        dqdl: the DQDL rule, or None when DQDL cannot express it.
        note: why one of the two is missing.
    """

    origin: str
    rule: dict[str, Any] | None
    dqdl: str | None
    note: str = ""


@dataclass
class Interpretation:
    """A contract, read: everything the compiled contract, Terraform and DQDL derive from."""

    source: ContractSource
    doc: dict[str, Any]
    columns: list[dict[str, Any]] = field(default_factory=list)
    partitioning: list[str] = field(default_factory=list)
    partition_columns: list[dict[str, Any]] = field(default_factory=list)
    sort_order: list[str] = field(default_factory=list)
    declared: list[Declared] = field(default_factory=list)
    sla: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def table(self) -> str:
        return self.source.table

    @property
    def rules(self) -> list[dict[str, Any]]:
        """The checker's rules, with their origin."""
        return [{"rule": d.rule, "origin": d.origin} for d in self.declared if d.rule is not None]

    @property
    def dqdl_rules(self) -> list[str]:
        return [d.dqdl for d in self.declared if d.dqdl is not None]

    @property
    def not_in_dqdl(self) -> list[dict[str, str]]:
        return [{"origin": d.origin, "reason": d.note} for d in self.declared if d.dqdl is None]

    @property
    def not_run(self) -> list[dict[str, str]]:
        return [{"origin": d.origin, "reason": d.note} for d in self.declared if d.rule is None]

    def problem(self, where: str, message: str) -> None:
        """Record a one-line problem naming the file, the table and the field."""
        self.problems.append(f"{self.source.relative}: {self.table}: {where}: {message}")


def dqdl_ruleset(rules: list[str]) -> str:
    """A DQDL document holding ``rules``."""
    if not rules:
        return "Rules = [ ]"
    return "Rules = [\n    " + ",\n    ".join(rules) + "\n]"


def quote(text: str) -> str:
    """A DQDL quoted string (``"`` and ``\\`` escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def number(value: Any) -> str:
    """A number as DQDL (and HCL's ``format("%v")`` of a YAML number) writes it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _custom(entries: Any) -> dict[str, Any]:
    if not isinstance(entries, list):
        return {}
    return {str(e.get("property")): e.get("value") for e in entries if isinstance(e, dict)}


def _operator(entry: Mapping[str, Any]) -> tuple[str, Any] | None:
    """The one ``mustBe*`` of a quality entry: (ODCS key, value), or None."""
    found = [(k, entry[k]) for k in OPERATORS if k in entry]
    if len(found) > 1:
        raise ValueError(f"has several comparisons {[k for k, _ in found]}; give one")
    return found[0] if found else None


def _dqdl_condition(key: str, value: Any) -> str:
    op = OPERATORS[key]
    if op in ("between", "not between"):
        low, high = value
        return f"{op} {number(low)} and {number(high)}"
    return f"{op} {number(value)}"


def _checker_comparisons(expression: str, key: str, value: Any) -> list[dict[str, Any]]:
    """Aggregate rules for ``expression <op> value`` (ODCS' between is exclusive)."""
    op = OPERATORS[key]
    if op == "between":
        low, high = value
        return [
            {"kind": "aggregate", "expression": expression, "op": ">", "value": low},
            {"kind": "aggregate", "expression": expression, "op": "<", "value": high},
        ]
    if op == "not between":
        low, high = value
        either = f"(({expression}) <= {number(low)} OR ({expression}) >= {number(high)})"
        return [{"kind": "aggregate", "expression": either, "op": "=", "value": True}]
    return [{"kind": "aggregate", "expression": expression, "op": op, "value": value}]


def _severity(entry: Mapping[str, Any]) -> str:
    value = str(entry.get("severity", "error")).lower()
    return "warn" if value in ("warn", "warning", "info") else "error"


def interpret(source: ContractSource, doc: dict[str, Any]) -> Interpretation:
    """Read ``doc`` (the contract at ``source``): never raises; problems are collected."""
    it = Interpretation(source, doc)
    schema = doc.get("schema")
    if not isinstance(schema, list) or len(schema) != 1 or not isinstance(schema[0], dict):
        it.problem("schema", "a contract declares exactly one table (one schema object)")
        return it
    obj = schema[0]
    if obj.get("name") != source.table:
        it.problem(
            "schema[0].name",
            f"must be '{source.table}', the file's name; found {obj.get('name')!r}",
        )
    if obj.get("physicalName", source.table) != source.table:
        it.problem("schema[0].physicalName", f"must be '{source.table}' (or left out)")
    props = obj.get("properties")
    if not isinstance(props, list) or not props:
        it.problem("schema[0].properties", "a table needs at least one column")
        return it
    _columns(it, props)
    _layout(it, obj, props)
    _rules(it, obj, props)
    _sla(it, doc)
    return it


def _columns(it: Interpretation, props: list[Any]) -> None:
    seen: set[str] = set()
    positions: list[tuple[int, str]] = []
    for prop in props:
        name = prop.get("name") if isinstance(prop, dict) else None
        if not isinstance(name, str) or not _IDENT.match(name):
            it.problem(
                f"properties[{name!r}].name", "must be lower-case letters, digits and underscores"
            )
            continue
        where = f"{name}"
        if name in seen:
            it.problem(where, "is declared twice")
        seen.add(name)
        physical = str(prop.get("physicalType", "")).strip().lower().replace(" ", "")
        if not _TYPE.match(physical):
            it.problem(
                f"{where}.physicalType",
                "must be a Spark/Hive type (bigint, decimal(15,2), ...); "
                f"found {prop.get('physicalType')!r}",
            )
        logical = prop.get("logicalType")
        if logical not in _LOGICAL or not _LOGICAL[logical].match(physical):
            it.problem(
                f"{where}.logicalType", f"'{logical}' does not fit physicalType '{physical}'"
            )
        custom = _custom(prop.get("customProperties"))
        unknown = [k for k in custom if k not in COLUMN_PROPERTIES]
        if unknown:
            it.problem(
                f"{where}.customProperties", f"unknown {unknown}; known: {list(COLUMN_PROPERTIES)}"
            )
        classification = prop.get("classification")
        if classification not in CLASSIFICATIONS:
            it.problem(
                f"{where}.classification",
                f"must be one of {list(CLASSIFICATIONS)}; found {classification!r}",
            )
        pii = custom.get("pii")
        if not isinstance(pii, bool):
            it.problem(f"{where}.customProperties.pii", f"must be true or false; found {pii!r}")
        sensitive = classification in CLASSIFICATIONS[2:]
        if pii is True and classification in CLASSIFICATIONS and not sensitive:
            it.problem(
                f"{where}.classification",
                f"personal data must be confidential or restricted; found '{classification}'",
            )
        key_position = None
        if prop.get("primaryKey") is True:
            key_position = prop.get("primaryKeyPosition")
            if not isinstance(key_position, int) or key_position < 1:
                it.problem(
                    f"{where}.primaryKeyPosition",
                    "a primary-key column needs its position (1, 2, ...)",
                )
                key_position = None
            else:
                positions.append((key_position, name))
            if prop.get("required") is not True:
                it.problem(f"{where}.required", "a primary-key column must be required: true")
        it.columns.append(
            {
                "name": name,
                "type": physical,
                "logical_type": logical,
                "required": prop.get("required") is True or key_position is not None,
                "primary_key_position": key_position,
                "classification": classification,
                "pii": pii is True,
                "description": str(prop.get("description", "")),
            }
        )
    ordered = sorted(positions)
    if [p for p, _ in ordered] != list(range(1, len(ordered) + 1)):
        it.problem(
            "primaryKeyPosition",
            f"positions must be 1..{len(ordered)} once each; found {[p for p, _ in ordered]}",
        )


def _layout(it: Interpretation, obj: dict[str, Any], props: list[Any]) -> None:
    names = [c["name"] for c in it.columns]
    parts: list[tuple[int, str, str]] = []
    for prop in props:
        if not isinstance(prop, dict) or prop.get("partitioned") is not True:
            continue
        name = prop.get("name")
        position = prop.get("partitionKeyPosition")
        transform = str(_custom(prop.get("customProperties")).get("partitionTransform", "identity"))
        if not isinstance(position, int) or position < 1:
            it.problem(
                f"{name}.partitionKeyPosition",
                "a partitioned column needs its position (1, 2, ...)",
            )
            continue
        if not PARTITION_TRANSFORMS.match(transform):
            it.problem(
                f"{name}.customProperties.partitionTransform",
                "must be identity, year, month, day, hour, bucket[N] or truncate[W]; "
                f"found '{transform}'",
            )
            continue
        if it.source.layer == "raw" and transform != "identity":
            it.problem(
                f"{name}.customProperties.partitionTransform",
                "raw (Hive) tables partition by folder values: identity only",
            )
        parts.append((position, str(name), transform))
    parts.sort()
    if [p for p, _, _ in parts] != list(range(1, len(parts) + 1)):
        it.problem(
            "partitionKeyPosition",
            f"positions must be 1..{len(parts)} once each; found {[p for p, _, _ in parts]}",
        )
    for _, name, transform in parts:
        it.partition_columns.append({"name": name, "transform": transform})
        if transform == "identity":
            it.partitioning.append(name)
        elif transform in _SPARK_TRANSFORM:
            it.partitioning.append(f"{_SPARK_TRANSFORM[transform]}({name})")
        else:
            kind, _, arg = transform.partition("[")
            it.partitioning.append(f"{kind}({arg.rstrip(']')}, {name})")
    custom = _custom(obj.get("customProperties"))
    unknown = [k for k in custom if k not in TABLE_PROPERTIES]
    if unknown:
        it.problem(
            "schema[0].customProperties", f"unknown {unknown}; known: {list(TABLE_PROPERTIES)}"
        )
    sort = custom.get("sortOrder", [])
    if not isinstance(sort, list) or not all(isinstance(s, str) for s in sort):
        it.problem(
            "schema[0].customProperties.sortOrder", "must be a list like [l_orderkey, revenue DESC]"
        )
        return
    for spec in sort:
        match = _SORT.match(spec.strip())
        if match is None or match.group("col") not in names:
            it.problem(
                "schema[0].customProperties.sortOrder",
                f"'{spec}' is not '<column> [ASC|DESC] [NULLS FIRST|LAST]' of a column of "
                "the table",
            )
        else:
            it.sort_order.append(spec.strip())
    if it.source.layer == "raw" and it.sort_order:
        it.problem(
            "schema[0].customProperties.sortOrder", "raw tables are read as landed: no sort order"
        )


def _where_not_null(column: dict[str, Any]) -> str:
    """DQDL fails ColumnValues on nulls; the checker ignores them: filter them out unless the
    column is required anyway."""
    return "" if column["required"] else f" where {quote(column['name'] + ' IS NOT NULL')}"


def _rules(it: Interpretation, obj: dict[str, Any], props: list[Any]) -> None:
    by_name = {c["name"]: c for c in it.columns}
    for prop in props:
        column = by_name.get(prop.get("name")) if isinstance(prop, dict) else None
        if column is None:
            continue
        name = column["name"]
        if column["required"]:
            what = "required" if prop.get("required") is True else "primaryKey"
            it.declared.append(
                Declared(
                    f"{name}.{what}",
                    {"kind": "not_null", "column": name},
                    f"IsComplete {quote(name)}",
                )
            )
        if prop.get("unique") is True:
            it.declared.append(
                Declared(
                    f"{name}.unique",
                    {"kind": "unique", "columns": [name]},
                    f"IsUnique {quote(name)}",
                )
            )
        _bounds(it, column, prop.get("logicalTypeOptions") or {})
        for i, entry in enumerate(prop.get("quality") or []):
            _quality(it, f"{name}.quality[{i}]", entry, column)
    key = [
        c["name"]
        for c in sorted(
            (c for c in it.columns if c["primary_key_position"]),
            key=lambda c: c["primary_key_position"],
        )
    ]
    if key:
        it.declared.append(
            Declared(
                "primaryKey",
                {"kind": "unique", "columns": key},
                "IsUnique " + " ".join(quote(k) for k in key),
            )
        )
    for i, entry in enumerate(obj.get("quality") or []):
        _quality(it, f"quality[{i}]", entry, None)


def _bounds(it: Interpretation, column: dict[str, Any], options: Mapping[str, Any]) -> None:
    name = column["name"]
    for bound, kind, op in (("minimum", "min_value", ">="), ("maximum", "max_value", "<=")):
        if bound not in options:
            continue
        value = options[bound]
        exclusive = options.get(f"exclusive{bound.capitalize()}") is True
        origin = f"{name}.logicalTypeOptions.{bound}"
        strict = op[0]
        if exclusive:
            literal = repr(value) if isinstance(value, str) else number(value)
            rule: dict[str, Any] = {
                "kind": "expression",
                "expression": f"{name} IS NULL OR {name} {strict} {literal}",
            }
        else:
            rule = {
                "kind": kind,
                "column": name,
                ("minimum" if kind == "min_value" else "maximum"): value,
            }
        shown = strict if exclusive else op
        if isinstance(value, bool):
            it.problem(origin, f"must be a number or a date; found {value!r}")
            continue
        if isinstance(value, int | float) and math.isfinite(value):
            dqdl = f"ColumnValues {quote(name)} {shown} {number(value)}{_where_not_null(column)}"
        elif isinstance(value, str) and _DATE.match(value):
            dqdl = f"ColumnValues {quote(name)} {shown} {quote(value)}{_where_not_null(column)}"
        else:
            it.declared.append(
                Declared(origin, rule, None, "DQDL compares numbers and yyyy-MM-dd dates only")
            )
            continue
        it.declared.append(Declared(origin, rule, dqdl))


def _quality(it: Interpretation, origin: str, entry: Any, column: dict[str, Any] | None) -> None:
    if not isinstance(entry, dict):
        it.problem(origin, "a quality rule is a mapping")
        return
    kind = entry.get("type", "library")
    try:
        compare = _operator(entry)
    except ValueError as exc:
        it.problem(origin, str(exc))
        return
    severity = _severity(entry)
    name = column["name"] if column else None
    if kind == "text":
        it.declared.append(Declared(origin, None, None, "a text rule describes; nothing runs it"))
    elif kind == "library":
        _library(it, origin, entry, column, compare, severity)
    elif kind == "sql":
        _sql(it, origin, entry, name, compare, severity)
    elif kind == "custom" and entry.get("engine") == CUSTOM_ENGINE:
        _custom_rule(it, origin, entry, name, severity)
    elif kind == "custom":
        it.declared.append(
            Declared(
                origin,
                None,
                None,
                f"engine '{entry.get('engine')}' is run by neither the checker nor Glue Data "
                "Quality",
            )
        )
    else:
        it.problem(f"{origin}.type", f"must be text, library, sql or custom; found {kind!r}")


def _library(
    it: Interpretation,
    origin: str,
    entry: dict[str, Any],
    column: dict[str, Any] | None,
    compare: tuple[str, Any] | None,
    severity: str,
) -> None:
    rule = entry.get("rule")
    zero = compare is None or compare == ("mustBe", 0)
    name = column["name"] if column else None
    extra = {} if severity == "error" else {"severity": severity}
    if rule == "rowCount":
        if column is not None:
            it.problem(
                f"{origin}.rule", "rowCount is a table rule: declare it in schema[0].quality"
            )
        elif compare is None:
            it.problem(origin, "rowCount needs a comparison (mustBeGreaterThan: 0, ...)")
        else:
            key, value = compare
            if key == "mustBeGreaterThan" and isinstance(value, int):
                rules = [{"kind": "row_count_min", "minimum": value + 1}]
            elif key == "mustBeGreaterOrEqualTo" and isinstance(value, int):
                rules = [{"kind": "row_count_min", "minimum": value}]
            else:
                rules = _checker_comparisons("count(1)", key, value)
            dqdl = f"RowCount {_dqdl_condition(key, value)}"
            for i, r in enumerate(rules):
                it.declared.append(
                    Declared(
                        origin,
                        {**r, **extra},
                        dqdl if i == 0 else None,
                        "" if i == 0 else "one DQDL rule covers both bounds",
                    )
                )
        return
    if column is None:
        it.problem(
            f"{origin}.rule",
            f"'{rule}' is a column rule: declare it on the column (a table-wide duplicate "
            "check is primaryKey)",
        )
        return
    if rule == "validValues":
        values = entry.get("validValues")
        if not isinstance(values, list) or not values or not zero:
            it.problem(
                origin,
                "validValues needs a non-empty validValues list and no comparison other than "
                "mustBe: 0",
            )
            return
        shown = ", ".join(
            number(v) if isinstance(v, int | float) and not isinstance(v, bool) else quote(str(v))
            for v in values
        )
        it.declared.append(
            Declared(
                origin,
                {"kind": "value_in_set", "column": name, "allowed": values, **extra},
                f"ColumnValues {quote(name or '')} in [{shown}]{_where_not_null(column)}",
            )
        )
    elif rule == "nullCheck":
        if zero and entry.get("unit", "rows") == "rows":
            it.declared.append(
                Declared(
                    origin,
                    {"kind": "not_null", "column": name, **extra},
                    f"IsComplete {quote(name or '')}",
                )
            )
        elif (
            entry.get("unit") == "percent"
            and compare
            and compare[0] in ("mustBeLessThan", "mustBeLessOrEqualTo")
        ):
            op = OPERATORS[compare[0]]
            percent = compare[1]
            share = 1 - percent / 100
            dq_op = ">" if op == "<" else ">="
            it.declared.append(
                Declared(
                    origin,
                    {"kind": "completeness", "column": name, "percent": percent, "op": op, **extra},
                    f"Completeness {quote(name or '')} {dq_op} {number(round(share, 10))}",
                )
            )
        else:
            it.problem(
                origin,
                "nullCheck is mustBe: 0 (no nulls) or unit: percent with "
                "mustBeLessThan/mustBeLessOrEqualTo",
            )
    elif rule == "duplicateCount":
        if not zero:
            it.problem(origin, "duplicateCount supports mustBe: 0 (no duplicates) only")
            return
        it.declared.append(
            Declared(
                origin,
                {"kind": "unique", "columns": [name], **extra},
                f"IsUnique {quote(name or '')}",
            )
        )
    else:
        it.problem(
            f"{origin}.rule",
            f"unknown library rule {rule!r}; supported: validValues, nullCheck, "
            "duplicateCount, rowCount",
        )


def _sql(
    it: Interpretation,
    origin: str,
    entry: dict[str, Any],
    column: str | None,
    compare: tuple[str, Any] | None,
    severity: str,
) -> None:
    query = entry.get("query")
    if not isinstance(query, str) or compare is None:
        it.problem(
            origin, "an sql rule needs a query and one comparison (mustBe, mustBeLessThan, ...)"
        )
        return
    text = query.strip()
    if column is not None:
        text = text.replace("${property}", column).replace("${column}", column)
    elif "${property}" in text or "${column}" in text:
        it.problem(f"{origin}.query", "${property} has no meaning in a table rule")
        return
    match = _SQL.match(text)
    if match is None:
        it.problem(
            f"{origin}.query", "must be SELECT <aggregate> FROM ${object} [WHERE <condition>]"
        )
        return
    expression = match.group("expr").strip()
    if match.group("where"):
        expression = f"{expression} FILTER (WHERE {match.group('where').strip()})"
    extra = {} if severity == "error" else {"severity": severity}
    primary = re.sub(r"\$\{(?:object|table)\}", "primary", " ".join(text.split()))
    dqdl = f"CustomSql {quote(primary)} {_dqdl_condition(*compare)}"
    for i, rule in enumerate(_checker_comparisons(expression, *compare)):
        it.declared.append(
            Declared(
                origin,
                {**rule, **extra},
                dqdl if i == 0 else None,
                "" if i == 0 else "one DQDL rule covers both bounds",
            )
        )


def _custom_rule(
    it: Interpretation, origin: str, entry: dict[str, Any], column: str | None, severity: str
) -> None:
    from dp_foundation.quality.rules import rule_from_dict

    implementation = entry.get("implementation")
    if not isinstance(implementation, dict) or "kind" not in implementation:
        it.problem(
            f"{origin}.implementation", f"engine {CUSTOM_ENGINE} takes a rule dict with a kind"
        )
        return
    rule = dict(implementation)
    takes_column = rule["kind"] in (
        "not_null",
        "value_in_set",
        "min_value",
        "max_value",
        "completeness",
        "freshness",
    )
    if column is not None and takes_column:
        rule.setdefault("column", column)
    if column is not None and rule["kind"] in ("unique", "referential_integrity"):
        rule.setdefault("columns", [column])
    if severity != "error":
        rule.setdefault("severity", severity)
    try:
        built = rule_from_dict(rule)
    except ValueError as exc:
        it.problem(f"{origin}.implementation", str(exc))
        return
    dqdl, note = None, f"{rule['kind']} has no DQDL equivalent"
    if rule["kind"] == "freshness":
        hours = built.max_age.total_seconds() / 3600  # type: ignore[attr-defined]
        dqdl = f"DataFreshness {quote(rule['column'])} <= {number(hours)} hours"
    elif rule["kind"] == "referential_integrity" and isinstance(rule.get("reference"), str):
        alias = rule["reference"].split(".")[-1]
        mine = ",".join(rule["columns"])
        theirs = ",".join(rule.get("reference_columns") or rule["columns"])
        dqdl = f"ReferentialIntegrity {quote(mine)} {quote(f'{alias}.{{{theirs}}}')} = 1.0"
        note = ""
    elif rule["kind"] == "expression":
        failing = f"SELECT COUNT(*) FROM primary WHERE NOT coalesce({rule['expression']}, false)"  # noqa: S608  # nosec B608 - DQDL text, not run here
        dqdl = f"CustomSql {quote(failing)} = 0"
    elif rule["kind"] == "aggregate":
        op = rule["op"]
        value = rule["value"]
        if isinstance(value, int | float) and not isinstance(value, bool):
            query = f"SELECT {rule['expression']} FROM primary"  # noqa: S608  # nosec B608 - DQDL text
            dqdl = f"CustomSql {quote(query)} {op} {number(value)}"
    elif rule["kind"] == "completeness":
        share = 1 - rule["percent"] / 100
        dq_op = ">" if rule.get("op", "<=") == "<" else ">="
        dqdl = f"Completeness {quote(rule['column'])} {dq_op} {number(round(share, 10))}"
    elif rule["kind"] == "volume_anomaly":
        note = "compares with an Iceberg snapshot's row count: no static DQDL rule says that"
    it.declared.append(Declared(origin, rule, dqdl, "" if dqdl else note))


def _sla(it: Interpretation, doc: dict[str, Any]) -> None:
    names = {c["name"]: c for c in it.columns}
    for i, entry in enumerate(doc.get("slaProperties") or []):
        origin = f"slaProperties[{i}]"
        if not isinstance(entry, dict):
            continue
        prop = entry.get("property")
        it.sla.append(
            {k: entry[k] for k in ("property", "value", "unit", "element", "driver") if k in entry}
        )
        if prop == "freshness" and entry.get("element"):
            table, _, column = str(entry["element"]).partition(".")
            if table != it.table or column not in names or names[column]["logical_type"] != "date":
                it.problem(
                    f"{origin}.element",
                    f"must be {it.table}.<a date or timestamp column>; found {entry['element']!r}",
                )
                continue
            unit = str(entry.get("unit", "d")).lower()
            value = entry.get("value")
            if (
                unit not in _UNITS_HOURS
                or not isinstance(value, int | float)
                or isinstance(value, bool)
            ):
                it.problem(origin, "freshness needs a number value and a unit of h or d")
                continue
            hours = value * _UNITS_HOURS[unit]
            it.declared.append(
                Declared(
                    origin,
                    None,
                    f"DataFreshness {quote(column)} <= {number(hours)} hours",
                    "an SLA is monitored on the table, not checked on each batch",
                )
            )
        elif prop == "freshness":
            it.declared.append(
                Declared(
                    origin, None, None, "freshness without an element names no column to measure"
                )
            )
        else:
            it.declared.append(
                Declared(origin, None, None, f"{prop} is a service level, not a data rule")
            )


__all__ = [
    "CLASSIFICATIONS",
    "CUSTOM_ENGINE",
    "Declared",
    "Interpretation",
    "dqdl_ruleset",
    "interpret",
    "number",
    "quote",
]
