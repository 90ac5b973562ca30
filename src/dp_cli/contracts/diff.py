"""Contract changes between two versions of the repository, classified for a CI gate.

Breaking (for the table's consumers or its writers): a contract or a column removed or
renamed, a type narrowed or changed, a nullable column made required, the primary key
changed, a rule added or tightened, a column's classification lowered (or its PII flag
dropped). Everything else is not breaking: columns added, types widened, rules removed or
loosened, descriptions, layout, SLA.

A breaking change passes only when the contract's major ``version`` was raised.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dp_cli.contracts.compile import compile_source
from dp_cli.contracts.interpret import CLASSIFICATIONS
from dp_cli.contracts.source import (
    PROJECTS_DIR,
    SUFFIX,
    ContractSource,
    project_config,
    source_for,
)
from dp_foundation.exceptions import ContractError

_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")
_INTEGERS = ("tinyint", "smallint", "int", "bigint")
_FLOATS = ("float", "double")


@dataclass(frozen=True)
class Change:
    """One change of one contract."""

    contract: str
    what: str
    breaking: bool


@dataclass
class ContractDiff:
    """The changes of one contract and whether its major version allows the breaking ones."""

    contract: str
    base_version: str | None
    head_version: str | None
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def major_raised(self) -> bool:
        def major(v: str | None) -> int | None:
            head = (v or "").split(".")[0]
            return int(head) if head.isdigit() else None

        base, head = major(self.base_version), major(self.head_version)
        return base is not None and head is not None and head > base

    @property
    def blocked(self) -> bool:
        """Breaking changes without a raised major version (a removed contract always is)."""
        return bool(self.breaking) and not self.major_raised


def widens(old: str, new: str) -> bool:
    """Whether every value of type ``old`` fits type ``new`` unchanged."""
    if old == new:
        return True
    if old in _INTEGERS and new in _INTEGERS:
        return _INTEGERS.index(new) >= _INTEGERS.index(old)
    if old == "float" and new == "double":
        return True
    a, b = _DECIMAL.match(old), _DECIMAL.match(new)
    if a and b:
        (p1, s1), (p2, s2) = map(int, a.groups()), map(int, b.groups())
        return s2 >= s1 and p2 - s2 >= p1 - s1
    if old in _INTEGERS and b:
        digits = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 19}[old]
        precision, scale = map(int, b.groups())
        return precision - scale >= digits
    return old == "date" and new == "timestamp"


def _rule_key(rule: dict[str, Any]) -> str:
    kind = rule["kind"]
    if "column" in rule:
        return f"{kind}({rule['column']})"
    if "columns" in rule:
        return f"{kind}({', '.join(rule['columns'])})"
    if kind in ("aggregate", "expression"):
        return f"{kind}({rule['expression']} {rule.get('op', '')})".strip()
    return str(kind)


def _tightened(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """How ``new`` is stricter than ``old`` (same key), or None when it is not."""
    kind = old["kind"]
    if old.get("severity", "error") == "warn" and new.get("severity", "error") == "error":
        return "warning became an error"
    try:
        if kind == "min_value" and new["minimum"] > old["minimum"]:
            return f"minimum raised {old['minimum']} -> {new['minimum']}"
        if kind == "max_value" and new["maximum"] < old["maximum"]:
            return f"maximum lowered {old['maximum']} -> {new['maximum']}"
        if kind == "value_in_set" and not set(new["allowed"]) >= set(old["allowed"]):
            gone = sorted(map(str, set(old["allowed"]) - set(new["allowed"])))
            return f"values no longer allowed: {gone}"
        if kind == "row_count_min" and new["minimum"] > old["minimum"]:
            return f"minimum rows raised {old['minimum']} -> {new['minimum']}"
        if kind == "completeness" and new["percent"] < old["percent"]:
            return f"allowed nulls lowered {old['percent']}% -> {new['percent']}%"
        if kind == "aggregate" and new.get("value") != old.get("value"):
            return f"bound changed {old.get('value')} -> {new.get('value')}"
        if kind == "freshness" and new != old:
            return "freshness bound changed"
    except TypeError:
        return "bound changed"
    return None


def diff_compiled(
    name: str, base: dict[str, Any] | None, head: dict[str, Any] | None
) -> ContractDiff:
    """The changes from ``base`` to ``head`` (compiled contracts; None: absent)."""
    result = ContractDiff(
        name,
        base["contract"]["version"] if base else None,
        head["contract"]["version"] if head else None,
    )

    def add(what: str, breaking: bool) -> None:
        result.changes.append(Change(name, what, breaking))

    if base is None and head is None:
        return result
    if base is None:
        add("contract added", False)
        return result
    if head is None:
        add("contract removed", True)
        return result
    old_cols = {c["name"]: c for c in base["columns"]}
    new_cols = {c["name"]: c for c in head["columns"]}
    removed = [n for n in old_cols if n not in new_cols]
    added = [n for n in new_cols if n not in old_cols]
    renamed = {}
    for gone in list(removed):
        same = [
            n
            for n in added
            if new_cols[n]["type"] == old_cols[gone]["type"]
            and list(new_cols).index(n) == list(old_cols).index(gone)
        ]
        if same:
            renamed[gone] = same[0]
            removed.remove(gone)
            added.remove(same[0])
    for old, new in renamed.items():
        add(f"column {old} renamed to {new}", True)
    for n in removed:
        add(f"column {n} removed", True)
    for n in added:
        add(f"column {n} added ({new_cols[n]['type']})", False)
    for n in (n for n in old_cols if n in new_cols):
        o, c = old_cols[n], new_cols[n]
        if o["type"] != c["type"]:
            wide = widens(o["type"], c["type"])
            add(
                f"column {n} type {o['type']} -> {c['type']}" + (" (widened)" if wide else ""),
                not wide,
            )
        if not o["required"] and c["required"]:
            add(f"column {n} nullable -> required", True)
        elif o["required"] and not c["required"]:
            add(f"column {n} required -> nullable", False)
        lo, hi = (
            CLASSIFICATIONS.index(x) if x in CLASSIFICATIONS else -1
            for x in (o["classification"], c["classification"])
        )
        if hi < lo:
            add(
                f"column {n} classification lowered {o['classification']} -> {c['classification']}",
                True,
            )
        elif hi > lo:
            add(
                f"column {n} classification raised {o['classification']} -> {c['classification']}",
                False,
            )
        if o["pii"] and not c["pii"]:
            add(f"column {n} no longer marked personal data", True)
        elif c["pii"] and not o["pii"]:
            add(f"column {n} marked personal data", False)
        if o["description"] != c["description"]:
            add(f"column {n} description changed", False)

    def key_of(compiled: dict[str, Any]) -> list[str]:
        keyed = [c for c in compiled["columns"] if c["primary_key_position"]]
        return [c["name"] for c in sorted(keyed, key=lambda c: c["primary_key_position"])]

    old_key = key_of(base)
    new_key = [renamed.get(k, k) for k in old_key]
    if key_of(head) != new_key:
        add(f"primary key {old_key} -> {key_of(head)}", True)
    if base["partitioning"] != head["partitioning"]:
        add(f"partitioning {base['partitioning']} -> {head['partitioning']}", False)
    if base["sort_order"] != head["sort_order"]:
        add(f"sort order {base['sort_order']} -> {head['sort_order']}", False)

    def rules(compiled: dict[str, Any], rename: dict[str, str]) -> dict[str, dict[str, Any]]:
        out = {}
        for entry in compiled["rules"]:
            rule = dict(entry["rule"])
            if rule.get("column") in rename:
                rule["column"] = rename[rule["column"]]
            if "columns" in rule:
                rule["columns"] = [rename.get(c, c) for c in rule["columns"]]
            out[_rule_key(rule)] = rule
        return out

    old_rules, new_rules = rules(base, renamed), rules(head, {})
    for key, rule in new_rules.items():
        if key not in old_rules:
            add(f"rule {key} added", True)
        else:
            how = _tightened(old_rules[key], rule)
            if how:
                add(f"rule {key} tightened: {how}", True)
            elif old_rules[key] != rule:
                add(f"rule {key} loosened or reworded", False)
    for key in old_rules:
        if key not in new_rules:
            add(f"rule {key} removed", False)
    if base.get("sla") != head.get("sla"):
        add("SLA changed", False)
    if base["description"] != head["description"]:
        add("table description changed", False)
    if base["contract"]["version"] != head["contract"]["version"] and not result.changes:
        add(f"version {base['contract']['version']} -> {head['contract']['version']}", False)
    return result


def _git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ContractError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def _compiled(
    source: ContractSource, text: str, root: Path, project: dict[str, Any] | None
) -> dict[str, Any]:
    result = compile_source(source, text=text, project=project or {}, root=root)
    if result.data is None:
        first = result.problems[0] if result.problems else "unreadable"
        raise ContractError(f"{source.relative} does not compile: {first}")
    return result.data


def diff_against(root: Path, base: str) -> list[ContractDiff]:
    """Every contract's changes from git ref ``base`` to the working tree.

    Governance fields are not compared (they live in project.json), so both sides compile
    without project.json: a rename of a product would otherwise look like a change of every
    contract.

    Raises:
        ContractError: ``base`` is not a git ref, or a contract does not compile.
    """
    _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    listed = _git(root, "ls-tree", "-r", "--name-only", base, "--", str(PROJECTS_DIR))
    base_paths = {p for p in listed.splitlines() if p.endswith(SUFFIX) and "/contracts/" in p}
    head_paths = {
        p.relative_to(root).as_posix()
        for p in (root / PROJECTS_DIR).glob(f"*/contracts/*/*{SUFFIX}")
    }
    diffs = []
    for relative in sorted(base_paths | head_paths):
        source = source_for(root, relative)
        try:
            name = project_config(root, source.project).get("name", source.project)
        except ContractError:
            name = source.project
        project = {"name": name, "pii": True, "data_classification": "restricted"}
        old = (
            _compiled(source, _git(root, "show", f"{base}:{relative}"), root, project)
            if relative in base_paths
            else None
        )
        new = (
            _compiled(source, source.path.read_text(encoding="utf-8"), root, project)
            if relative in head_paths
            else None
        )
        diffs.append(diff_compiled(source.key, old, new))
    return diffs


__all__ = ["Change", "ContractDiff", "diff_against", "diff_compiled", "widens"]
