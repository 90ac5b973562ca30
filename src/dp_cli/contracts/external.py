"""The field's own tool on our contracts: datacontract-cli (in its own venv,
``.venv-datacontract``, installed by setup/install.sh) lints every contract and tests the
local tables against them.

datacontract-cli reads tables through DuckDB from files, not from an Iceberg catalog, so a
table is exported first: its current snapshot, read by DuckDB's own Iceberg reader (deletes
applied), to one Parquet file; the contract gets a ``local`` server pointing at it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from dp_foundation.exceptions import ContractError

VENV = ".venv-datacontract"
VERSION = "1.2.8"


def datacontract_bin(root: Path) -> Path:
    """The datacontract executable of the repository's venv.

    Raises:
        ContractError: it is not installed.
    """
    path = root / VENV / "bin" / "datacontract"
    if not path.is_file():
        raise ContractError(
            f"{VENV}/bin/datacontract is missing: run `make setup` (setup/install.sh installs "
            f"datacontract-cli {VERSION} in its own venv)"
        )
    return path


@dataclass(frozen=True)
class Outcome:
    """What one datacontract command said."""

    target: str
    ok: bool
    output: str


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # nosec B603 - our own venv's executable, no shell
        args, cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )


def lint(root: Path, files: list[Path]) -> list[Outcome]:
    """``datacontract lint`` on each file."""
    exe = str(datacontract_bin(root))
    out = []
    for file in files:
        proc = _run([exe, "lint", str(file)], root)
        out.append(Outcome(str(file), proc.returncode == 0, proc.stdout + proc.stderr))
    return out


def export_table(table_dir: Path, target: Path) -> int:
    """Write the current snapshot of the Iceberg table in ``table_dir`` to ``target`` (Parquet);
    return its row count."""
    from dp_cli.sample_data import duckdb_connection

    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb_connection("avro", "iceberg")
    try:
        con.execute(
            f"COPY (SELECT * FROM iceberg_scan('{table_dir}')) TO '{target}' (FORMAT PARQUET)"  # noqa: S608  # nosec B608 - our own paths
        )
        row = con.execute("SELECT count(*) FROM read_parquet(?)", [str(target)]).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


# ODCS v3.0.2 library rules (`rule:`) and their v3.1 names (`metric:`): datacontract-cli 1.2.8
# runs only the v3.1 spelling and passes over a `rule:` without a word.
_V31_METRICS = {
    "nullCheck": "nullValues",
    "duplicateCount": "duplicateValues",
    "validValues": "invalidValues",
    "rowCount": "rowCount",
}


def _rule_as_v31(rule: dict[str, Any]) -> dict[str, Any]:
    metric = (
        _V31_METRICS.get(str(rule.get("rule")))
        if rule.get("type", "library") == "library"
        else None
    )
    if metric is None:
        return rule
    out = {k: v for k, v in rule.items() if k not in ("rule", "validValues")}
    out["metric"] = metric
    if "validValues" in rule:
        out["arguments"] = {**rule.get("arguments", {}), "validValues": rule["validValues"]}
    return out


def as_odcs_v31(doc: dict[str, Any]) -> dict[str, Any]:
    """The same contract in ODCS v3.1 spelling, as datacontract-cli executes it.

    Only the library rules change spelling (``rule: validValues`` becomes ``metric:
    invalidValues`` with ``arguments.validValues``); everything else is the same in both
    releases. The contract in the repository stays v3.0.2, the release our schema validates.
    """

    def with_rules(node: dict[str, Any]) -> dict[str, Any]:
        if "quality" not in node:
            return node
        return {**node, "quality": [_rule_as_v31(r) for r in node["quality"]]}

    return {
        **doc,
        "apiVersion": "v3.1.0",
        "schema": [
            {**with_rules(obj), "properties": [with_rules(p) for p in obj.get("properties", [])]}
            for obj in doc.get("schema", [])
        ],
    }


def test_table(root: Path, compiled: dict[str, Any], table_dir: Path, work: Path) -> Outcome:
    """``datacontract test`` of one compiled contract against the local table in ``table_dir``."""
    exe = str(datacontract_bin(root))
    name = compiled["table"]
    folder = work / compiled["project"] / compiled["layer"]
    export_table(table_dir, folder / name / "data.parquet")
    doc = dict(compiled["odcs"])
    doc["servers"] = [
        {
            "server": "local",
            "type": "local",
            "format": "parquet",
            "path": str(folder / "{model}" / "*.parquet"),
        }
    ]
    contract = folder / f"{name}.odcs.yaml"
    contract.write_text(yaml.safe_dump(as_odcs_v31(doc), sort_keys=False), encoding="utf-8")
    proc = _run([exe, "test", str(contract), "--server", "local"], root)
    return Outcome(
        f"{compiled['project']}.{compiled['layer']}.{name}",
        proc.returncode == 0,
        proc.stdout + proc.stderr,
    )


__all__ = [
    "VENV",
    "VERSION",
    "Outcome",
    "as_odcs_v31",
    "datacontract_bin",
    "export_table",
    "lint",
    "test_table",
]
