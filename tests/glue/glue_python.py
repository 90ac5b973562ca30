"""A Python process whose imports are what an AWS Glue 5.1 job run can import.

Run as ``python -I -S glue_python.py SPEC.json`` (``-I -S``: no site-packages, no
``PYTHON*`` variables, no user site, the script's folder not on the path). SPEC holds:

* ``wheel`` — the wheel file, put first on ``sys.path`` as a zip, as ``--extra-py-files`` does;
* ``site`` — folders holding real copies of the allowed packages (a venv's site-packages);
* ``allowed`` — top-level module names importable besides the standard library (the modules
  Glue 5.1 provides and the wheel's own packages);
* ``argv`` — the job's ``sys.argv[1:]`` as Glue passes it;
* ``jobs`` — job scripts to import (never run: their ``__main__`` block stays unexecuted);
* ``contracts`` — ``[project, table, layer]`` compiled contracts to load, from the working
  folder as Glue's ``--extra-files`` leave them.

Only the path-based finder is gated: a module that is neither standard library nor allowed is
not found, so ``import dotenv`` fails with Python's own ``ModuleNotFoundError: No module named
'dotenv'``, as on Glue, even when the package is installed in ``site``.

Prints one JSON object on the last line of stdout: Python's version, where ``dp_foundation``
was imported from, what ``get_config()`` returned (its type, whether it is frozen, its fields,
its job arguments, a table name it builds), the job-argument variables, each job's import
outcome, the top-level names refused, and the top-level packages actually loaded from
``site``. Exits 1 if anything failed.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import sys
import traceback
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from types import ModuleType
from typing import Any

ENVIRON_NAMES = (
    "ENV",
    "JOB_ID",
    "JOB_RUN_ID",
    "JOB_NAME",
    "AWS_ACCOUNT_ID",
    "TempDir",
    "job-bookmark-option",
    "JOB_BOOKMARK_OPTION",
    "enable-glue-datacatalog",
    "ENABLE_GLUE_DATACATALOG",
)


class GlueModulesOnly:
    """Stands in for ``PathFinder``: finds only standard-library and allowed top-level names."""

    def __init__(self, allowed: set[str]) -> None:
        self.allowed = allowed
        self.refused: set[str] = set()

    def permits(self, top: str) -> bool:
        return (
            top in self.allowed
            or top in sys.stdlib_module_names
            or top.startswith("_sysconfigdata")  # the interpreter's build settings (stdlib)
        )

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        top = fullname.partition(".")[0]
        if not self.permits(top):
            self.refused.add(top)
            return None
        return PathFinder.find_spec(fullname, path, target)

    def invalidate_caches(self) -> None:
        PathFinder.invalidate_caches()


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "name": getattr(exc, "name", None),
        "traceback": traceback.format_exc(),
    }


def _frozen(cfg: Any) -> bool:
    try:
        cfg.env = "changed"
    except dataclasses.FrozenInstanceError:
        return True
    return False


def _loaded_from(folders: list[str]) -> list[str]:
    """Top-level packages in ``sys.modules`` whose file lies in one of ``folders``."""
    roots = [str(Path(f).resolve()) + os.sep for f in folders]
    found = set()
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin and any(str(Path(origin).resolve()).startswith(r) for r in roots):
            found.add(name.partition(".")[0])
    return sorted(found)


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    gate = GlueModulesOnly(set(spec["allowed"]))
    sys.meta_path[:] = [gate if f is PathFinder else f for f in sys.meta_path]
    sys.path.insert(0, spec["wheel"])
    sys.path.extend(spec["site"])
    sys.argv = [spec.get("script", "glue_job.py"), *spec["argv"]]

    result: dict[str, Any] = {"python": list(sys.version_info[:2]), "jobs": {}, "error": None}
    try:
        import dp_foundation
        from dp_foundation.config.settings import get_config

        result["dp_foundation_file"] = dp_foundation.__file__
        result["environ_after_import"] = {n: os.environ.get(n) for n in ENVIRON_NAMES}
        cfg = get_config()
        result["config_type"] = f"{type(cfg).__module__}.{type(cfg).__qualname__}"
        result["config_frozen"] = _frozen(cfg)
        result["config"] = {
            f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg) if f.name != "args"
        }
        result["config_args"] = dict(cfg.args)
        result["config_table"] = cfg.table("refined", "orders")
        result["environ"] = {n: os.environ.get(n) for n in ENVIRON_NAMES}
    except Exception as exc:
        result["error"] = _error(exc)
    if result["error"] is None:
        for index, script in enumerate(spec.get("jobs", [])):
            name = f"glue_job_{index}_{Path(script).stem}"
            try:
                job_spec = importlib.util.spec_from_file_location(name, script)
                assert job_spec is not None and job_spec.loader is not None, script
                module = importlib.util.module_from_spec(job_spec)
                sys.modules[name] = module
                job_spec.loader.exec_module(module)
                result["jobs"][script] = None
            except Exception as exc:
                result["jobs"][script] = _error(exc)
        # The jobs' compiled data contracts, found as on Glue (--extra-files in the cwd).
        result["contracts"] = {}
        for project, table, layer in spec.get("contracts", []):
            try:
                from dp_foundation.contracts import load_contract

                contract = load_contract(project, table, layer=layer)
                result["contracts"][f"{layer}.{table}"] = {
                    "columns": len(contract.columns),
                    "rules": len(contract.rules),
                    "partition_by": list(contract.partition_by),
                    "origin": contract.origin,
                }
            except Exception as exc:
                result["contracts"][f"{layer}.{table}"] = _error(exc)
    result["refused"] = sorted(gate.refused)
    result["loaded_from_site"] = _loaded_from(spec["site"])
    print(json.dumps(result, default=str))
    failed = (
        result["error"] is not None
        or any(result["jobs"].values())
        or any("traceback" in c for c in result.get("contracts", {}).values())
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
