"""Find and read a table's compiled contract, locally and on Glue.

``dp contract compile`` writes ``<out>/<project>/contracts/<layer>.<table>.contract.json``.
Where a job finds it:

* ``$DP_CONTRACTS_DIR`` (a compiled tree ``<out>``): the local runner compiles the contracts
  before each job and sets it;
* the working directory: on Glue, Terraform passes the project's compiled contracts as
  ``--extra-files`` (``s3://<artifacts>/jobs/<version>/<project>/contracts/...``), which Glue
  copies there before the script starts;
* ``contracts/`` beside the running script (``jobs/<version>/<project>/`` as uploaded).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from dp_foundation.contracts.model import LAYERS, TableContract
from dp_foundation.exceptions import ContractError

CONTRACTS_DIR_ENV = "DP_CONTRACTS_DIR"
SUFFIX = ".contract.json"


def compiled_name(layer: str, table: str) -> str:
    """The compiled file's name: ``<layer>.<table>.contract.json``."""
    return f"{layer}.{table}{SUFFIX}"


def search_path(project: str, directory: str | Path | None = None) -> list[Path]:
    """The folders :func:`load_contract` looks in for ``project``'s contracts, in order."""
    folders: list[Path] = []
    roots = [directory] if directory is not None else [os.environ.get(CONTRACTS_DIR_ENV)]
    for root in roots:
        if root:
            folders += [Path(root) / project / "contracts", Path(root)]
    if directory is None:
        folders.append(Path.cwd())
        script = sys.argv[0] if sys.argv and sys.argv[0] else ""
        if script:
            folders.append(Path(script).resolve().parent / "contracts")
    return list(dict.fromkeys(folders))


def load_contract(
    project: str, table: str, layer: str | None = None, directory: str | Path | None = None
) -> TableContract:
    """The compiled contract of ``project``'s table ``table``.

    Args:
        project: the project (as in its ``project.json``).
        table: the table name.
        layer: ``raw``, ``refined`` or ``curated``; needed only when the project declares the
            name in more than one layer (project01 has raw and refined ``orders``).
        directory: a compiled tree to read instead of the search path.

    Raises:
        ContractError: no compiled contract found (the message lists where it looked), the
            name is ambiguous, or the file is not a compiled contract of ``project``.
    """
    if layer is not None and layer not in LAYERS:
        raise ContractError(f"layer must be one of {list(LAYERS)}; got '{layer}'")
    layers = [layer] if layer else list(LAYERS)
    folders = search_path(project, directory)
    for folder in folders:
        found = [folder / compiled_name(lay, table) for lay in layers]
        found = [f for f in found if f.is_file()]
        if len(found) > 1:
            raise ContractError(
                f"{project} declares table '{table}' in layers "
                f"{[f.name.split('.')[0] for f in found]}: pass layer="
            )
        if found:
            return _read(found[0], project)
    looked = ", ".join(str(f) for f in folders) or "nowhere"
    raise ContractError(
        f"no compiled contract of {project}.{table} ({' or '.join(layers)}) in {looked}; "
        "run `dp contract compile` (the local runner does) or pass the project's compiled "
        "contracts to the Glue job as --extra-files"
    )


def _read(path: Path, project: str) -> TableContract:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ContractError(f"{path}: not a readable compiled contract ({exc})") from None
    contract = TableContract.from_dict(data, origin=str(path))
    if contract.project != project:
        raise ContractError(
            f"{path} is the contract of project {contract.project}, not of {project}"
        )
    return contract


__all__ = ["CONTRACTS_DIR_ENV", "compiled_name", "load_contract", "search_path"]
