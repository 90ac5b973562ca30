"""What each table's data contract says, as the catalog shows it, and where the table's
Iceberg metadata disagrees with it.

The site reads the contracts ``dp contract compile`` wrote (the JSON the jobs read) through the
library's loader, :func:`dp_foundation.contracts.load_contract`: no PyYAML, no jsonschema,
nothing compiled here (compiling every contract takes seconds; the site takes about one). The
ODCS YAML files are only listed (and their top-level ``version:`` line read), so that a contract
with no compiled copy, or whose compiled copy is of another version than its YAML, is reported
on the table's page. An edit that keeps the version is not noticed: recompile after editing.

Compiled copies are looked for in these trees, and the newest copy of each contract is used:

* ``dist/contracts`` of the repository: what ``dp contract compile`` writes;
* ``build/contracts`` beside the lake folder (``.local/build/contracts``): what the local
  runner compiled before the jobs it ran;
* ``$DP_CONTRACTS_DIR`` when it is set.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dp_foundation.contracts import (
    CONTRACTS_DIR_ENV,
    TableContract,
    compiled_name,
    load_contract,
)
from dp_foundation.exceptions import ContractError

if TYPE_CHECKING:
    from dp_cli.site.catalog import Column as IcebergColumn

Severity = Literal["error", "warn"]

SCHEMA_MATCH = "schema_match"
"""The rule every contract's checker runs first: the columns, exactly (see
:meth:`TableContract.checker`)."""

# ─── Where the compiled contracts are ───────────────────────────────────────


def compiled_trees(root: Path, lake: Path) -> list[Path]:
    """The trees of compiled contracts the site reads (see the module docstring)."""
    trees = [root / "dist" / "contracts", lake.parent / "build" / "contracts"]
    extra = os.environ.get(CONTRACTS_DIR_ENV)
    if extra:
        trees.append(Path(extra))
    return list(dict.fromkeys(trees))


# ─── What a contract says ────────────────────────────────────────────────────


@dataclass(frozen=True)
class DeclaredColumn:
    """A column as its contract declares it (the library's column and its logical type)."""

    position: int
    name: str
    type: str
    logical_type: str
    required: bool
    primary_key_position: int | None
    classification: str
    pii: bool
    description: str


@dataclass(frozen=True)
class DeclaredRule:
    """A quality rule of a contract, named as the checker names its result."""

    name: str
    kind: str
    severity: str
    origin: str


@dataclass(frozen=True)
class ServiceLevel:
    """One SLA property of a contract: ``name`` is ODCS's ``property`` (``freshness``,
    ``retention``, ...)."""

    name: str
    value: Any
    unit: str = ""
    element: str = ""
    driver: str = ""

    @property
    def text(self) -> str:
        """``2 days``, ``10 years``; the value as written for units it does not know."""
        words = {"d": "day", "day": "day", "days": "day", "h": "hour", "hour": "hour"}
        words |= {"hours": "hour", "w": "week", "y": "year", "yr": "year", "years": "year"}
        word = words.get(self.unit.lower())
        if word is None:
            return f"{self.value} {self.unit}".strip()
        return f"{self.value} {word}{'' if self.value == 1 else 's'}"


@dataclass(frozen=True)
class Contract:
    """A table's compiled contract, with what the catalog shows beyond what jobs need.

    Attributes:
        model: the contract as jobs load it.
        source: the ODCS YAML, from the repository root.
        compiled: the compiled file read.
        status: the contract's ODCS status (``active``, ``draft``, ...).
        owner: the product's data owner (from its ``project.json``).
        support: the product team's e-mail.
        columns: the declared columns, in table order.
        rules: the rules its checker runs, ``schema_match`` first.
        not_run: (where declared, why) of what is declared but not checked per batch.
        service_levels: its SLA properties.
        yaml_version: the version the YAML declares now, when it differs from the compiled
            one (the compiled copy is stale).
    """

    model: TableContract
    source: str
    compiled: Path
    status: str
    owner: str | None
    support: str | None
    columns: tuple[DeclaredColumn, ...]
    rules: tuple[DeclaredRule, ...]
    not_run: tuple[tuple[str, str], ...]
    service_levels: tuple[ServiceLevel, ...]
    yaml_version: str | None = None

    @property
    def name(self) -> str:
        """``<project>.<layer>.<table>``."""
        return self.model.name

    @property
    def version(self) -> str:
        """The contract's semantic version."""
        return self.model.version


@dataclass(frozen=True)
class ContractProblem:
    """A table's contract exists but cannot be shown: not compiled, or unreadable."""

    source: str
    message: str


def _rule_name(rule: Mapping[str, Any]) -> str:
    from dp_foundation.quality.rules import rule_from_dict

    try:
        return rule_from_dict(rule).name
    except ValueError:  # a kind this version of the checker does not know
        return str(rule.get("name") or rule.get("kind", "?"))


def _declared_rules(model: TableContract, origins: Sequence[str]) -> tuple[DeclaredRule, ...]:
    rules = [DeclaredRule(SCHEMA_MATCH, SCHEMA_MATCH, "error", "schema: every column, exactly")]
    for rule, origin in zip(model.rules, origins, strict=False):
        rules.append(
            DeclaredRule(
                _rule_name(rule),
                str(rule.get("kind", "?")),
                str(rule.get("severity", "error")),
                origin,
            )
        )
    return tuple(rules)


_VERSION = re.compile(r"^version:[ \t]*['\"]?([^'\"\s#]+)", re.MULTILINE)


def yaml_version(path: Path) -> str | None:
    """The top-level ``version:`` of an ODCS YAML file, read as text (None: not found)."""
    try:
        match = _VERSION.search(path.read_text(encoding="utf-8"))
    except OSError:
        return None
    return match.group(1) if match else None


def read_contract(root: Path, project: str, layer: str, table: str, tree: Path) -> Contract:
    """The contract of ``project``'s ``layer`` table ``table`` compiled in ``tree``.

    Raises:
        ContractError: the compiled file is missing, unreadable or another project's.
    """
    model = load_contract(project, table, layer=layer, directory=tree)
    compiled = Path(model.origin)
    # The model carries what jobs need; the page also shows logical types, SLA, owner and
    # support and where each rule is declared, which the same compiled file holds.
    data = json.loads(compiled.read_text(encoding="utf-8"))
    declared = {c["name"]: c for c in data.get("columns", [])}
    columns = tuple(
        DeclaredColumn(
            position=i,
            name=c.name,
            type=c.type,
            logical_type=str(declared.get(c.name, {}).get("logical_type") or ""),
            required=c.required,
            primary_key_position=c.primary_key_position,
            classification=c.classification,
            pii=c.pii,
            description=c.description,
        )
        for i, c in enumerate(model.columns, start=1)
    )
    meta = data.get("contract", {})
    source = str(meta.get("file") or "")
    current = yaml_version(root / source) if source else None
    return Contract(
        model=model,
        source=source,
        compiled=compiled,
        status=str(meta.get("status") or ""),
        owner=data.get("owner"),
        support=data.get("support"),
        columns=columns,
        rules=_declared_rules(model, [str(r.get("origin", "")) for r in data.get("rules", [])]),
        not_run=tuple(
            (str(n.get("origin", "")), str(n.get("reason", ""))) for n in data.get("not_run", [])
        ),
        service_levels=tuple(
            ServiceLevel(
                str(s.get("property", "")),
                s.get("value"),
                str(s.get("unit", "")),
                str(s.get("element", "")),
                str(s.get("driver", "")),
            )
            for s in data.get("sla", [])
        ),
        yaml_version=current if current not in (None, model.version) else None,
    )


def find_contracts(
    root: Path, trees: Iterable[Path], projects: Iterable[str]
) -> dict[tuple[str, str], Contract | ContractProblem]:
    """Every contract of the given projects, by (layer, table), read from the newest compiled
    copy in ``trees``; a contract with none, or an unreadable one, as a problem."""
    from dp_cli.contracts.source import find_sources  # lists the YAML files; reads none

    trees = list(trees)
    found: dict[tuple[str, str], Contract | ContractProblem] = {}
    for project in projects:
        for source in find_sources(root, project):
            key = (source.layer, source.table)
            if key in found:
                found[key] = ContractProblem(
                    source.relative, f"{source.layer}.{source.table} is declared by two projects"
                )
                continue
            name = compiled_name(source.layer, source.table)
            copies = [t for t in trees if (t / project / "contracts" / name).is_file()]
            if not copies:
                found[key] = ContractProblem(
                    source.relative,
                    "declared but not compiled: run `dp contract compile` and rebuild the site",
                )
                continue
            newest = max(copies, key=lambda t: (t / project / "contracts" / name).stat().st_mtime)
            try:
                found[key] = read_contract(root, project, source.layer, source.table, newest)
            except (ContractError, OSError, ValueError) as exc:
                found[key] = ContractProblem(source.relative, str(exc))
    return found


# ─── Spark types as Iceberg spells them ──────────────────────────────────────

_SIMPLE = {
    "bigint": "long",
    "long": "long",
    "int": "int",
    "integer": "int",
    "smallint": "int",  # Iceberg has no narrower integers: Spark writes them as int
    "short": "int",
    "tinyint": "int",
    "byte": "int",
    "float": "float",
    "real": "float",
    "double": "double",
    "boolean": "boolean",
    "string": "string",
    "binary": "binary",
    "date": "date",
    "timestamp": "timestamptz",  # Spark's timestamp is Iceberg's timestamp with zone
    "timestamp_ltz": "timestamptz",
    "timestamp_ntz": "timestamp",
}
_DECIMAL = re.compile(r"(?:decimal|dec|numeric)(?:\((\d+)(?:,(\d+))?\))?")
_CHAR = re.compile(r"(?:var)?char\(\d+\)")


def _split(text: str) -> list[str]:
    """Split at the commas outside angle brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def iceberg_type(spark_type: str) -> str:
    """A Spark type string as the site prints the Iceberg type a table stores it as:
    ``bigint`` -> ``long``, ``decimal(15,2)`` -> ``decimal(15, 2)``, ``timestamp`` ->
    ``timestamptz``, ``array<int>`` -> ``list<int>``. A type it does not know is returned as
    written (lower case)."""
    text = spark_type.strip()
    low = re.sub(r"\s+", "", text.lower())
    if low in _SIMPLE:
        return _SIMPLE[low]
    if _CHAR.fullmatch(low):
        return "string"
    decimal = _DECIMAL.fullmatch(low)
    if decimal:
        return f"decimal({decimal.group(1) or 10}, {decimal.group(2) or 0})"
    head, _, rest = text.partition("<")
    inner = rest[:-1] if rest.endswith(">") else rest
    kind = head.strip().lower()
    if kind == "array":
        return f"list<{iceberg_type(inner)}>"
    if kind == "map":
        key, value = [*_split(inner), "", ""][:2]
        return f"map<{iceberg_type(key)}, {iceberg_type(value)}>"
    if kind == "struct":
        fields = []
        for part in _split(inner):
            name, sep, kind_of = part.partition(":")
            if not sep:
                name, _, kind_of = part.partition(" ")
            fields.append(f"{name.strip().strip('`')}: {iceberg_type(kind_of)}")
        return f"struct<{', '.join(fields)}>"
    return low


# ─── Where the table disagrees with its contract ─────────────────────────────


@dataclass(frozen=True)
class Disagreement:
    """A difference between a table's contract and its Iceberg metadata.

    Attributes:
        what: ``missing`` (declared, not in the table), ``type``, ``undeclared`` (in the
            table, not in the contract), ``partitioning`` or ``sort order``.
        column: the column concerned (None for the table's layout).
        message: one line, saying what the contract declares and what the table has.
        severity: ``error`` for a missing or differently typed column, else ``warn``.
    """

    what: str
    column: str | None
    message: str
    severity: Severity


@dataclass(frozen=True)
class SchemaRow:
    """One row of a table page's schema: the column as declared, as stored, or both."""

    name: str
    declared: DeclaredColumn | None
    actual: IcebergColumn | None
    problem: Disagreement | None = None
    partition: str | None = None
    sort: str | None = None


_SORT = re.compile(
    r"(?P<expr>.*?)(?:\s+(?P<dir>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?",
    re.IGNORECASE,
)


def _sort_parts(spec: str) -> tuple[str, str, str]:
    """``revenue DESC`` -> (``revenue``, ``desc``, ``last``): Spark's default null order
    (first when ascending, last when descending) filled in."""
    match = _SORT.fullmatch(spec.strip())
    assert match is not None  # the pattern matches any text
    direction = (match.group("dir") or "asc").lower()
    nulls = (match.group("nulls") or ("first" if direction == "asc" else "last")).lower()
    return match.group("expr"), direction, nulls


def _column_of(expression: str) -> str:
    """The column of a partition or sort expression: ``years(d)`` -> ``d``,
    ``bucket(16, k)`` -> ``k``, ``revenue DESC`` -> ``revenue``."""
    text = _sort_parts(expression)[0].strip()
    if text.endswith(")") and "(" in text:
        return _split(text[text.index("(") + 1 : -1])[-1]
    return text


def _sort_key(spec: str) -> tuple[str, str, str]:
    expr, direction, nulls = _sort_parts(spec)
    return re.sub(r"\s+", "", expr.lower()), direction, nulls


def _same_partitioning(declared: Sequence[str], actual: Sequence[str]) -> bool:
    def norm(items: Sequence[str]) -> list[str]:
        return [re.sub(r"\s+", "", i.lower()) for i in items]

    return norm(declared) == norm(actual)


def compare(
    contract: Contract,
    columns: Sequence[IcebergColumn],
    partitioning: Sequence[str],
    sort_order: Sequence[str],
) -> tuple[list[SchemaRow], list[Disagreement]]:
    """The schema rows of a table with a contract (declared columns in order, then columns
    only the table has) and every disagreement between the two.

    Nullability is not compared: jobs write every column nullable and the checker enforces
    ``required`` (see :meth:`TableContract.struct_type`).
    """
    actual = {c.name: c for c in columns}
    declared_names = {c.name for c in contract.columns}
    partition_of = {_column_of(p): p for p in contract.model.partition_by}
    sort_of = {_column_of(s): s for s in contract.model.sort_by}
    rows: list[SchemaRow] = []
    problems: list[Disagreement] = []
    for col in contract.columns:
        stored = actual.get(col.name)
        problem = None
        if stored is None:
            problem = Disagreement(
                "missing",
                col.name,
                f"{col.name}: declared {col.type}, missing from the table",
                "error",
            )
        elif stored.type != iceberg_type(col.type):
            problem = Disagreement(
                "type",
                col.name,
                f"{col.name}: declared {col.type} (Iceberg {iceberg_type(col.type)}), "
                f"the table has {stored.type}",
                "error",
            )
        if problem:
            problems.append(problem)
        rows.append(
            SchemaRow(
                col.name, col, stored, problem, partition_of.get(col.name), sort_of.get(col.name)
            )
        )
    for stored in columns:
        if stored.name in declared_names:
            continue
        problem = Disagreement(
            "undeclared",
            stored.name,
            f"{stored.name}: in the table ({stored.type}), not declared by the contract",
            "warn",
        )
        problems.append(problem)
        rows.append(SchemaRow(stored.name, None, stored, problem, stored.partition, stored.sort))
    declared_partitioning = contract.model.partition_by
    if not _same_partitioning(declared_partitioning, partitioning):
        problems.append(
            Disagreement(
                "partitioning",
                None,
                f"partitioning: declared {', '.join(declared_partitioning) or 'none'}, "
                f"the table is partitioned by {', '.join(partitioning) or 'nothing'}",
                "warn",
            )
        )
    declared_sort = contract.model.sort_by
    if [_sort_key(s) for s in declared_sort] != [_sort_key(s) for s in sort_order]:
        problems.append(
            Disagreement(
                "sort order",
                None,
                f"sort order: declared {', '.join(declared_sort) or 'none'}, "
                f"the table is sorted by {', '.join(sort_order) or 'nothing'}",
                "warn",
            )
        )
    return rows, problems


__all__ = [
    "SCHEMA_MATCH",
    "Contract",
    "ContractProblem",
    "DeclaredColumn",
    "DeclaredRule",
    "Disagreement",
    "SchemaRow",
    "ServiceLevel",
    "compare",
    "compiled_trees",
    "find_contracts",
    "iceberg_type",
    "read_contract",
]
