"""A throw-away repository with a project whose jobs succeed, fail transiently once, or fail
(a data-quality error)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Exit code 75 (EX_TEMPFAIL) is how a local job stands for a transient Glue API error
# (infrastructure/modules/stepfunction_pipeline/retry_policy.json, "local").
FLAKY = """
import os, pathlib, sys
import dp_foundation
dp_foundation.bridge_glue_args()  # --STATE_DIR into the environment, as on Glue

marker = pathlib.Path(os.environ["STATE_DIR"]) / "flaky.attempts"
attempts = int(marker.read_text()) + 1 if marker.exists() else 1
marker.write_text(str(attempts))
if attempts == 1:
    print("transient failure on the first attempt", file=sys.stderr)
    sys.exit(75)

if __name__ == "__main__":
    print("flaky succeeded")
"""

ALWAYS_FAILS = """
from dp_foundation.exceptions import DataQualityError

def main():
    raise DataQualityError("1 of 3 data-quality checks failed on orders: unique(o_orderkey)")

if __name__ == "__main__":
    main()
"""

RECORD = """
import os, pathlib, sys
import dp_foundation
dp_foundation.bridge_glue_args()

def main():
    out = pathlib.Path(os.environ["STATE_DIR"]) / (os.environ["JOB_NAME"] + ".ran")
    out.write_text(" ".join(sys.argv[1:]) + "\\n" + os.environ.get("ENV", "?"))

if __name__ == "__main__":
    main()
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A minimal repository: domain file, project schema, the pipelines' retry policy,
    templates and project ``demo``."""
    (tmp_path / "setup").mkdir()
    shutil.copy(ROOT / "setup" / "domain.json", tmp_path / "setup" / "domain.json")
    policy = Path("infrastructure") / "modules" / "stepfunction_pipeline" / "retry_policy.json"
    (tmp_path / policy).parent.mkdir(parents=True)
    shutil.copy(ROOT / policy, tmp_path / policy)
    projects = tmp_path / "infrastructure" / "projects"
    projects.mkdir(parents=True)
    shutil.copy(ROOT / "infrastructure" / "projects" / "project.schema.json", projects)
    shutil.copytree(ROOT / "infrastructure" / "projects" / "_template", projects / "_template")
    shutil.copytree(ROOT / "src" / "jobs" / "_template", tmp_path / "src" / "jobs" / "_template")
    state = tmp_path / "state"
    state.mkdir()
    (projects / "demo").mkdir()
    contract = {
        "name": "demo",
        "jobs": {
            "flaky": {"script": "flaky.py", "arguments": {"--STATE_DIR": str(state)}},
            "always_fails": {"script": "always_fails.py"},
            "record": {"script": "record.py", "arguments": {"--STATE_DIR": str(state), "--X": "1"}},
        },
        "pipelines": {
            "recovers": {"jobs": ["flaky", "record"], "max_retries": 2, "backoff_seconds": 10},
            "breaks": {
                "jobs": ["always_fails", "record"],
                "max_retries": 2,
                "backoff_seconds": 5,
                "backoff_rate": 3,
            },
        },
    }
    (projects / "demo" / "project.json").write_text(json.dumps(contract), encoding="utf-8")
    jobs = tmp_path / "src" / "jobs" / "demo"
    jobs.mkdir(parents=True)
    (jobs / "flaky.py").write_text(FLAKY, encoding="utf-8")
    (jobs / "always_fails.py").write_text(ALWAYS_FAILS, encoding="utf-8")
    (jobs / "record.py").write_text(RECORD, encoding="utf-8")
    return tmp_path
