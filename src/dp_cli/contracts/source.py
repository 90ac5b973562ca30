"""Where the contracts are and how they are read: ODCS YAML, one table per file, at
``infrastructure/projects/<project>/contracts/<layer>/<table>.odcs.yaml``.

The layer is the folder and the table the file name, so neither is written twice. A project's
governance fields (``data_owner``, ``team_email``, ``data_classification``, ``pii``) stay in its
``project.json``: the compiled contract takes owner and support from there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dp_foundation.contracts.model import LAYERS
from dp_foundation.exceptions import ContractError

PROJECTS_DIR = Path("infrastructure") / "projects"
CONTRACTS_DIR = "contracts"
SUFFIX = ".odcs.yaml"


@dataclass(frozen=True)
class ContractSource:
    """One contract file and what its path says."""

    path: Path
    relative: str
    project: str
    layer: str
    table: str

    @property
    def key(self) -> str:
        """``<project>/<layer>/<table>``: how commands name a contract."""
        return f"{self.project}/{self.layer}/{self.table}"


def _load_yaml(text: str, where: str) -> Any:
    import yaml  # type: ignore[import-untyped]

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContractError(f"{where}:{line}: not valid YAML: {problem}") from None


def read_document(source: ContractSource, text: str | None = None) -> dict[str, Any]:
    """The contract's YAML as a dict (``text`` instead of the file, e.g. from git).

    Raises:
        ContractError: unreadable or not a YAML mapping.
    """
    if text is None:
        text = source.path.read_text(encoding="utf-8")
    data = _load_yaml(text, source.relative)
    if not isinstance(data, dict):
        raise ContractError(f"{source.relative}: a contract is a YAML mapping; found {data!r}")
    return data


def source_for(root: Path, relative: str) -> ContractSource:
    """The contract at ``relative`` (to the repository root), from its path alone.

    Raises:
        ContractError: the path is not
            ``infrastructure/projects/<p>/contracts/<layer>/<t>.odcs.yaml``.
    """
    parts = Path(relative).parts
    expected = (*PROJECTS_DIR.parts, "<project>", CONTRACTS_DIR, "<layer>", f"<table>{SUFFIX}")
    if (
        len(parts) != len(expected)
        or parts[:2] != PROJECTS_DIR.parts
        or parts[3] != CONTRACTS_DIR
        or not parts[5].endswith(SUFFIX)
    ):
        raise ContractError(f"{relative}: contracts live at {'/'.join(expected)}")
    if parts[4] not in LAYERS:
        raise ContractError(
            f"{relative}: the folder names the layer: one of {list(LAYERS)}, not '{parts[4]}'"
        )
    return ContractSource(
        path=root / relative,
        relative=relative,
        project=parts[2],
        layer=parts[4],
        table=parts[5][: -len(SUFFIX)],
    )


def find_sources(root: Path, project: str | None = None) -> list[ContractSource]:
    """Every contract of the repository (or of ``project``), sorted by project, layer, table.

    ``_template`` is included: ``dp new-project`` copies its contracts.
    """
    base = root / PROJECTS_DIR
    pattern = f"{project or '*'}/{CONTRACTS_DIR}/*/*{SUFFIX}"
    found = [source_for(root, p.relative_to(root).as_posix()) for p in base.glob(pattern)]
    order = {layer: i for i, layer in enumerate(LAYERS)}
    return sorted(found, key=lambda s: (s.project, order.get(s.layer, 9), s.table))


def project_config(root: Path, project: str) -> dict[str, Any]:
    """The project's ``project.json`` (the product-level descriptor).

    Raises:
        ContractError: there is none.
    """
    path = root / PROJECTS_DIR / project / "project.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContractError(f"{path.relative_to(root)} is missing") from None
    except json.JSONDecodeError as exc:
        raise ContractError(f"{path.relative_to(root)} is not valid JSON: {exc}") from None
    return dict(data)


__all__ = [
    "CONTRACTS_DIR",
    "PROJECTS_DIR",
    "SUFFIX",
    "ContractSource",
    "find_sources",
    "project_config",
    "read_document",
    "source_for",
]
