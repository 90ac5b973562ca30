"""Lint and compile contracts: ODCS YAML -> the JSON jobs read (no PyYAML or jsonschema on
Glue), with the checker's rules and the table's DQDL.

Linting is the official ODCS JSON Schema (the file beside this module, see
:data:`ODCS_SCHEMA_SOURCE`) plus what the platform needs of a contract: one table, a file
named after it, types Spark understands, a classification and a PII flag per column, keys and
partitions with positions, rules the checker or DQDL can run, and agreement with the project's
``project.json`` (product name, PII, classification; owner and support are taken from there,
never written in the contract). Every problem is one line naming the file, the table and the
field.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dp_cli.contracts.interpret import CLASSIFICATIONS, Interpretation, dqdl_ruleset, interpret
from dp_cli.contracts.source import ContractSource, find_sources, project_config, read_document
from dp_foundation.contracts.loader import compiled_name
from dp_foundation.contracts.model import COMPILED_FORMAT
from dp_foundation.exceptions import ContractError

ODCS_SCHEMA = Path(__file__).with_name("odcs-3.0.2.schema.json")
ODCS_SCHEMA_SHA256 = "fc9d774ea73d13b473a52868eb8e66784f3a031794d1d22dd94d76f8c9c07c79"
ODCS_SCHEMA_SOURCE = (
    "datacontract-cli 1.2.8 (PyPI), datacontract/schemas/odcs-3.0.2.schema.json: byte for byte "
    "bitol-io/open-data-contract-standard v3.0.2, schema/odcs-json-schema-v3.0.2.json"
)
API_VERSIONS = ("v3.0.0", "v3.0.1", "v3.0.2")
OWNED_BY_PROJECT = ("team", "support")


@functools.lru_cache(maxsize=1)
def odcs_schema() -> dict[str, Any]:
    """The ODCS v3.0.2 JSON Schema shipped with dp (checked against its recorded digest).

    Raises:
        ContractError: the file is missing or is not the recorded one.
    """
    data = ODCS_SCHEMA.read_bytes()
    if hashlib.sha256(data).hexdigest() != ODCS_SCHEMA_SHA256:
        raise ContractError(f"{ODCS_SCHEMA.name} is not the schema of {ODCS_SCHEMA_SOURCE}")
    return dict(json.loads(data))


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft201909Validator(odcs_schema())


def _path(error: Any) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(parts).lstrip(".") or "(document)"


def schema_problems(source: ContractSource, doc: dict[str, Any]) -> list[str]:
    """One line per ODCS JSON Schema violation."""
    validator = _validator()
    table = source.table
    problems = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        message = error.message.splitlines()[0]
        problems.append(f"{source.relative}: {table}: {_path(error)}: {message} (ODCS v3.0.2)")
    return problems


@dataclass
class Compiled:
    """A linted contract and what it compiles to (``data`` is None when it has problems)."""

    source: ContractSource
    interpretation: Interpretation | None
    problems: list[str]
    data: dict[str, Any] | None = None


def _product_problems(it: Interpretation, doc: dict[str, Any], project: dict[str, Any]) -> None:
    source = it.source
    name = project.get("name", source.project)
    if doc.get("apiVersion") not in API_VERSIONS:
        it.problem(
            "apiVersion", f"must be one of {list(API_VERSIONS)}; found {doc.get('apiVersion')!r}"
        )
    expected_id = f"{name}.{source.layer}.{source.table}"
    if doc.get("id") != expected_id:
        it.problem(
            "id", f"must be '{expected_id}' (<project>.<layer>.<table>); found {doc.get('id')!r}"
        )
    if doc.get("dataProduct") != name:
        it.problem(
            "dataProduct",
            f"must be the project, '{name}' (project.json); found {doc.get('dataProduct')!r}",
        )
    version = str(doc.get("version", ""))
    parts = version.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        it.problem("version", f"must be MAJOR.MINOR.PATCH; found {version!r}")
    for key in OWNED_BY_PROJECT:
        if key in doc:
            it.problem(
                key, "owner and support come from project.json (data_owner, team_email): remove it"
            )
    product_pii = bool(project.get("pii", False))
    product_class = project.get("data_classification", "internal")
    for column in it.columns:
        if column["pii"] and not product_pii:
            it.problem(
                f"{column['name']}.customProperties.pii",
                "is personal data, but project.json says the product holds none (pii: false)",
            )
        level = column["classification"]
        if (
            level in CLASSIFICATIONS
            and product_class in CLASSIFICATIONS
            and CLASSIFICATIONS.index(level) > CLASSIFICATIONS.index(product_class)
        ):
            it.problem(
                f"{column['name']}.classification",
                f"'{level}' is above the product's data_classification '{product_class}' "
                "(project.json)",
            )


def published(doc: dict[str, Any], project: dict[str, Any]) -> dict[str, Any]:
    """The contract as consumers get it: owner and support filled in from ``project.json``."""
    out = dict(doc)
    out["team"] = [{"username": project.get("data_owner", "unassigned"), "role": "owner"}]
    out["support"] = [
        {"channel": "team-email", "tool": "email", "url": f"mailto:{project.get('team_email', '')}"}
    ]
    return out


def compile_source(
    source: ContractSource,
    text: str | None = None,
    project: dict[str, Any] | None = None,
    root: Path | None = None,
) -> Compiled:
    """Lint and compile one contract (``text``: its YAML instead of the file's)."""
    try:
        doc = read_document(source, text)
    except ContractError as exc:
        return Compiled(source, None, [str(exc)])
    problems = schema_problems(source, doc)
    it = interpret(source, doc)
    if project is None:
        try:
            project = project_config(root or source.path.parents[4], source.project)
        except ContractError as exc:
            return Compiled(source, it, [*problems, str(exc)])
    _product_problems(it, doc, project)
    problems += it.problems
    if problems:
        return Compiled(source, it, problems)
    data = {
        "format": COMPILED_FORMAT,
        "project": source.project,
        "layer": source.layer,
        "table": source.table,
        "contract": {
            "id": doc["id"],
            "version": str(doc["version"]),
            "status": doc.get("status"),
            "file": source.relative,
        },
        "description": str(doc["schema"][0].get("description", "")),
        "owner": project.get("data_owner"),
        "support": project.get("team_email"),
        "columns": it.columns,
        "partitioning": it.partitioning,
        "partition_columns": it.partition_columns,
        "sort_order": it.sort_order,
        "rules": it.rules,
        "not_run": it.not_run,
        "sla": it.sla,
        "dqdl": {
            "rules": it.dqdl_rules,
            "ruleset": dqdl_ruleset(it.dqdl_rules),
            "not_expressible": it.not_in_dqdl,
        },
        "odcs": published(doc, project),
    }
    return Compiled(source, it, [], data)


def compile_all(root: Path, project: str | None = None) -> list[Compiled]:
    """Lint and compile every contract of the repository (or of ``project``)."""
    configs: dict[str, dict[str, Any]] = {}
    out = []
    for source in find_sources(root, project):
        if source.project not in configs:
            try:
                configs[source.project] = project_config(root, source.project)
            except ContractError as exc:
                out.append(Compiled(source, None, [str(exc)]))
                continue
        out.append(compile_source(source, project=configs[source.project], root=root))
    return out


def write_compiled(results: list[Compiled], out: Path) -> list[Path]:
    """Write each compiled contract to ``out/<project>/contracts/<layer>.<table>.contract.json``.

    Raises:
        ContractError: some contract has problems (all of them are listed).
    """
    problems = [p for r in results for p in r.problems]
    if problems:
        raise ContractError(f"{len(problems)} contract problem(s):\n" + "\n".join(problems))
    written = []
    for result in results:
        assert result.data is not None
        target = (
            out
            / result.source.project
            / "contracts"
            / compiled_name(result.source.layer, result.source.table)
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(result.data, indent=1, sort_keys=False) + "\n"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def compile_project(root: Path, project: str, out: Path) -> Path:
    """Compile ``project``'s contracts into ``out`` (what the local runner does before a job);
    return ``out``.

    Raises:
        ContractError: a contract has problems.
    """
    write_compiled(compile_all(root, project), out)
    return out


__all__ = [
    "ODCS_SCHEMA",
    "ODCS_SCHEMA_SHA256",
    "ODCS_SCHEMA_SOURCE",
    "Compiled",
    "compile_all",
    "compile_project",
    "compile_source",
    "odcs_schema",
    "published",
    "schema_problems",
    "write_compiled",
]
