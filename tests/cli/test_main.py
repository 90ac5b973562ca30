"""The dp command line: help, one-line errors, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dp_cli.main import build_parser

COMMANDS = ("run", "pipeline", "new-project", "generate", "demo", "tables", "doctor")


def _dp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dp_cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "DP_LAKE_DIR": str(cwd / "lake")},
        check=False,
    )


def test_help_explains_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out


def test_help_does_not_import_pyspark() -> None:
    code = (
        "import sys; from dp_cli.main import build_parser; build_parser(); "
        "print('pyspark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "nope/job"), "dp: error: unknown project 'nope'; projects: demo"),
        (("run", "demo/ghost"), "dp: error: project 'demo' has no job 'ghost'"),
        (("run", "demo"), "dp: error: 'demo' is not <project>/<job>"),
        (("pipeline", "run", "demo", "ghost"), "dp: error: project 'demo' has no pipeline 'ghost'"),
        (("new-project", "Bad-Name"), "dp: error: invalid project name 'Bad-Name'"),
    ],
)
def test_bad_names_give_one_line_errors(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = _dp(*args, cwd=repo)
    assert result.returncode == 2
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]  # one line
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_missing_domain_file_is_a_one_line_error(repo: Path) -> None:
    (repo / "setup" / "domain.json").unlink()
    result = _dp("tables", cwd=repo)
    assert result.returncode == 2
    assert "setup/domain.json" in result.stderr and "Traceback" not in result.stderr


def test_malformed_project_json_is_a_one_line_error(repo: Path) -> None:
    (repo / "infrastructure/projects/demo/project.json").write_text("{", encoding="utf-8")
    result = _dp("pipeline", "run", "demo", "recovers", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "dp: error: infrastructure/projects/demo/project.json is not valid JSON"
    )


def test_pipeline_run_exit_code_and_summary(repo: Path) -> None:
    result = _dp("pipeline", "run", "demo", "breaks", "--backoff-scale", "0", cwd=repo)
    assert result.returncode == 1
    # A failed job run (States.TaskFailed) is not retried.
    assert "failed at job 'always_fails' after 1 attempt(s): DataQualityError" in result.stdout
    ok = _dp("pipeline", "run", "demo", "recovers", "--backoff-scale", "0", cwd=repo)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "pipeline demo/recovers succeeded" in ok.stdout
    assert "retrying flaky in 0 s" in ok.stdout


def test_run_passes_extra_arguments(repo: Path) -> None:
    result = _dp("run", "demo/record", "--", "--X", "7", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "state" / "demo-record.ran").read_text().splitlines()[0].endswith("--X 7")


def test_new_project_command(repo: Path) -> None:
    result = _dp("new-project", "sales", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "created infrastructure/projects/sales/" in result.stdout
    assert (repo / "src" / "jobs" / "sales" / "job_example.py").is_file()


def test_tables_lists_nothing_yet(repo: Path) -> None:
    result = _dp("tables", cwd=repo)
    assert result.returncode == 0
    assert "no Iceberg tables" in result.stdout
