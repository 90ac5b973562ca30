"""The documentation matches the code: every Python example compiles and imports names that
exist, every JSON example is valid against the schema, every make target, dp command and
relative link it names exists."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

import jsonschema
import pytest

from .checks import REPO, WORKFLOWS

DOCS = [*sorted((REPO / "docs").glob("*.md")), REPO / "setup" / "README.md"]
OWN_DOCS = {
    "adding-a-job.md",
    "creating-a-project.md",
    "local-development.md",
    "alerting.md",
    "deployment.md",
}
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)


def blocks(lang: str) -> list[tuple[str, int, str]]:
    """(doc name, block number, code) of every fenced block in ``lang``."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for n, match in enumerate(m for m in FENCE.finditer(text) if m[1] == lang):
            found.append((doc.name, n, match[2]))
    return found


PYTHON_BLOCKS = blocks("python")


def test_own_docs_exist() -> None:
    assert {d.name for d in DOCS} >= OWN_DOCS
    assert (REPO / "setup" / "README.md").is_file()


def test_there_are_python_examples() -> None:
    names = {doc for doc, _, _ in PYTHON_BLOCKS}
    assert {"adding-a-job.md"} <= names
    assert len(PYTHON_BLOCKS) >= 5


@pytest.mark.parametrize(
    ("doc", "n", "code"), PYTHON_BLOCKS, ids=[f"{d}#{n}" for d, n, _ in PYTHON_BLOCKS]
)
def test_python_example_compiles(doc: str, n: int, code: str) -> None:
    compile(code, f"{doc} python block {n}", "exec")


def test_every_dp_foundation_import_exists() -> None:
    """Imports each module with the venv's Python and checks each imported name is there."""
    wanted: set[tuple[str, str]] = set()
    for _, _, code in PYTHON_BLOCKS:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dp_foundation"):
                wanted |= {(node.module or "", alias.name) for alias in node.names}
            elif isinstance(node, ast.Import):
                wanted |= {(a.name, "") for a in node.names if a.name.startswith("dp_foundation")}
    assert len(wanted) >= 8, wanted  # the whole documented API
    probe = (
        "import importlib, json, sys\n"
        "missing = []\n"
        "for module, name in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        mod = importlib.import_module(module)\n"
        "    except ImportError as exc:\n"
        "        missing.append(f'{module}: {exc}')\n"
        "        continue\n"
        "    if name and not hasattr(mod, name):\n"
        "        missing.append(f'{module}.{name}')\n"
        "print(json.dumps(missing))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(sorted(wanted))],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == []


def test_documented_api_signatures_match() -> None:
    """The call shapes the docs teach are the library's (P0-DEV-04)."""
    probe = """
import inspect, json
from dp_foundation.io.readers import read_iceberg, read_parquet
from dp_foundation.io.writers import write_iceberg
from dp_foundation.spark.session import get_spark
from dp_foundation.quality.checks import DataQualityChecker
out = {f.__name__: list(inspect.signature(f).parameters)
       for f in (read_iceberg, read_parquet, write_iceberg, get_spark)}
out["checker"] = [m for m in ("not_null", "unique", "value_in_set", "min_value", "max_value",
                  "row_count_min", "schema_match", "assert_all_passed")
                  if callable(getattr(DataQualityChecker, m, None))]
print(json.dumps(out))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    sig = json.loads(result.stdout)
    assert sig["read_iceberg"][:4] == ["spark", "table", "snapshot_id", "as_of_timestamp"]
    assert sig["read_parquet"][:2] == ["spark", "path"]
    assert sig["write_iceberg"][:6] == [
        "df",
        "table",
        "mode",
        "partition_by",
        "sort_by",
        "merge_keys",
    ]
    assert sig["get_spark"][0] == "app_name"
    assert len(sig["checker"]) == 8


def test_adding_a_job_has_no_stale_api() -> None:
    text = (REPO / "docs" / "adding-a-job.md").read_text(encoding="utf-8")
    for stale in ("refined_db", "curated_db", "catalog_db", "import sys", "core-latest"):
        assert stale not in text, stale
    # Table names come from the settings, never built by hand.
    assert 'cfg.table("refined", ' in text
    assert 'cfg.table("curated", ' in text
    for doc in (text, (REPO / "README.md").read_text(encoding="utf-8")):
        assert 'f"glue_catalog.' not in doc
        assert "setup_logging()" in doc  # the job's entry point installs the JSON handler


def test_creating_a_project_checklist_is_current() -> None:
    text = (REPO / "docs" / "creating-a-project.md").read_text(encoding="utf-8")
    assert "infrastructure/projects/main.tf" not in text, "no such file (P0-DEV-06)"
    assert "`optimizers.tf` left empty" in text
    assert "src/jobs/<name>/" in text
    assert "make new-project NAME=" in text


def test_json_examples_are_valid_project_contracts() -> None:
    schema = json.loads(
        (REPO / "infrastructure" / "projects" / "project.schema.json").read_text(encoding="utf-8")
    )
    checked = 0
    for doc, n, code in blocks("json"):
        data = json.loads(code)
        if {"jobs", "pipelines"} & set(data):
            jsonschema.validate({"name": "example", **data}, schema)
            checked += 1
        else:
            assert doc == "alerting.md", f"{doc} json block {n}: unexpected example"
    assert checked >= 2


def _makefile_targets() -> set[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-zA-Z][\w-]*):", text, re.M))


def test_make_targets_named_in_docs_exist() -> None:
    targets = _makefile_targets()
    named = set()
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        code = [c for _, c in FENCE.findall(text)] + re.findall(r"`[^`\n]+`", text)
        commands = re.sub(r"#.*", "", "\n".join(code))  # not the comments
        named |= set(re.findall(r"(?:^|[\s`])make ([a-z][\w-]*)", commands, re.M))
    assert named, "the docs name no make target"
    assert named - targets == set()


def test_dp_commands_named_in_docs_exist() -> None:
    probe = (
        "import json\n"
        "from dp_cli.main import build_parser\n"
        "parser = build_parser()\n"
        "sub = next(a for a in parser._actions if a.dest == 'command')\n"
        "print(json.dumps(sorted(sub.choices)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    commands = set(json.loads(result.stdout))
    named = set()
    for doc in DOCS:
        for _, code in FENCE.findall(doc.read_text(encoding="utf-8")):
            named |= set(re.findall(r"(?:^|\s)dp ([a-z][\w-]*)", code, re.M))
    assert {"run", "pipeline", "new-project", "tables", "doctor"} <= named
    assert named - commands == set()


def test_relative_links_resolve() -> None:
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", doc.read_text("utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"


def test_deployment_doc_names_every_deploy_secret() -> None:
    text = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    secrets = set()
    for path in WORKFLOWS.glob("*.yml"):
        secrets |= set(re.findall(r"secrets\.(AWS_ROLE_ARN_[A-Z]+)_[A-Z]+\b", path.read_text()))
    assert secrets >= {
        "AWS_ROLE_ARN_BASELINE",
        "AWS_ROLE_ARN_ARTIFACTS",
        "AWS_ROLE_ARN_PROJECTS",
    }
    for name in secrets:
        assert f"`{name}_<ENV>`" in text, name
    assert "TF_VAR_wheel_version=" in text, "rollback by re-applying with an older wheel"


def test_alerting_doc_names_the_topic_by_the_naming_rule() -> None:
    text = (REPO / "docs" / "alerting.md").read_text(encoding="utf-8")
    domain = json.loads((REPO / "setup" / "domain.json").read_text(encoding="utf-8"))
    assert "<domain_abbr>-pipeline-alerts-<account_id>-<env>" in text
    assert f"{domain['domain_abbr']}-pipeline-alerts-" in text
    # The environment exports the baseline as one object output (environments/_shared/outputs.tf).
    assert "output -json baseline | jq -r .alerts_topic_arn" in text
    assert "sns_pipeline_alerts_topic_arn" not in text


def test_docs_hold_no_machine_paths() -> None:
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        # /home/app is the image's user, not a machine's.
        assert not re.search(r"/(work|root|tmp)/|/home/(?!app/)\w+/", text), doc.name
