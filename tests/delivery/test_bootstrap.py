"""setup/bootstrap.sh, run for real in a temporary copy of the repository's setup/ folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .checks import REPO

DOMAIN = json.loads((REPO / "setup" / "domain.json").read_text(encoding="utf-8"))
UNKNOWN_ACCOUNT = "123456789012"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "setup").mkdir()
    for name in ("bootstrap.sh", "domain.json"):
        shutil.copy(REPO / "setup" / name, tmp_path / "setup" / name)
    return tmp_path


def fake_aws(tmp_path: Path, account: str) -> dict[str, str]:
    """A PATH whose `aws` prints `account` for sts get-caller-identity and logs each call."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "aws.log"
    script = bin_dir / "aws"
    script.write_text(
        f'#!/bin/sh\necho "$*" >> "{log}"\n'
        f'case "$*" in *"sts get-caller-identity"*) echo {account} ;; *) exit 9 ;; esac\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("DP_NONPROD_ACCOUNTS", "ENV")}
    return {**env, "PATH": f"{bin_dir}:{os.environ['PATH']}", "AWS_LOG": str(log)}


def bootstrap(workdir: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(workdir / "setup" / "bootstrap.sh"), *args],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,  # no terminal, like CI
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def read_env(workdir: Path) -> dict[str, str]:
    lines = (workdir / ".env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_local_mode_is_offline_and_writes_env(workdir: Path, tmp_path: Path) -> None:
    env = fake_aws(tmp_path, UNKNOWN_ACCOUNT)
    result = bootstrap(workdir, "--local", env=env)
    assert result.returncode == 0, result.stderr
    assert read_env(workdir) == {"ENV": "local", "AWS_REGION": DOMAIN["aws_region"]}
    assert not Path(env["AWS_LOG"]).exists(), "--local must not call the AWS CLI"
    assert (workdir / ".env").stat().st_mode & 0o077 == 0, ".env is private to its owner"


def test_local_mode_works_without_aws_cli_or_jq(workdir: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "minimal"
    bin_dir.mkdir()
    needed = ("bash", "sed", "grep", "mktemp", "chmod", "mv", "rm", "cat", "tail")
    for tool in needed:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(Path(found).resolve())
    # No jq: domain.json is read with Python (any python3 the project already needs).
    (bin_dir / "python3").symlink_to(Path(sys.executable).resolve())
    dirname = shutil.which("dirname")
    assert dirname
    (bin_dir / "dirname").symlink_to(Path(dirname).resolve())
    result = bootstrap(workdir, "--local", env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert read_env(workdir)["AWS_REGION"] == DOMAIN["aws_region"]


def test_rerun_is_idempotent_and_keeps_user_lines(workdir: Path, tmp_path: Path) -> None:
    env = fake_aws(tmp_path, UNKNOWN_ACCOUNT)
    assert bootstrap(workdir, "--local", env=env).returncode == 0
    with (workdir / ".env").open("a", encoding="utf-8") as f:
        f.write("MY_SETTING=42\n")
    assert bootstrap(workdir, "--local", env=env).returncode == 0
    first = (workdir / ".env").read_text(encoding="utf-8")
    assert bootstrap(workdir, "--local", env=env).returncode == 0
    assert (workdir / ".env").read_text(encoding="utf-8") == first
    assert read_env(workdir)["MY_SETTING"] == "42"
    assert first.count("ENV=local") == 1


def test_unknown_account_without_terminal_is_refused(workdir: Path, tmp_path: Path) -> None:
    env = fake_aws(tmp_path, UNKNOWN_ACCOUNT)
    result = bootstrap(workdir, "--profile", "dev", env=env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert UNKNOWN_ACCOUNT in result.stderr
    assert "DP_NONPROD_ACCOUNTS" in result.stderr
    assert not (workdir / ".env").exists(), "nothing is written when refused"
    assert "sts get-caller-identity --profile dev" in Path(env["AWS_LOG"]).read_text()


def test_unknown_account_with_yes_is_allowlisted(workdir: Path, tmp_path: Path) -> None:
    env = fake_aws(tmp_path, UNKNOWN_ACCOUNT)
    result = bootstrap(workdir, "--profile", "dev", "--yes", env=env)
    assert result.returncode == 0, result.stderr
    assert read_env(workdir) == {
        "ENV": "dev",
        "AWS_PROFILE": "dev",
        "AWS_ACCOUNT_ID": UNKNOWN_ACCOUNT,
        "AWS_REGION": DOMAIN["aws_region"],
        "DP_NONPROD_ACCOUNTS": UNKNOWN_ACCOUNT,
    }
    # Allowlisted now: a second run needs no confirmation.
    assert bootstrap(workdir, "--profile", "dev", env=env).returncode == 0


def test_allowlisted_account_needs_no_confirmation(workdir: Path, tmp_path: Path) -> None:
    env = {**fake_aws(tmp_path, "210987654321"), "DP_NONPROD_ACCOUNTS": "111111111111,210987654321"}
    result = bootstrap(workdir, "--profile", "int", "--env", "int", env=env)
    assert result.returncode == 0, result.stderr
    assert read_env(workdir)["ENV"] == "int"
    assert read_env(workdir)["DP_NONPROD_ACCOUNTS"] == "111111111111,210987654321"


def test_prod_is_never_a_local_target(workdir: Path, tmp_path: Path) -> None:
    env = fake_aws(tmp_path, UNKNOWN_ACCOUNT)
    result = bootstrap(workdir, "--profile", "prod", "--env", "prod", "--yes", env=env)
    assert result.returncode != 0
    assert "prod" in result.stderr
    assert not Path(env["AWS_LOG"]).exists()


def test_bad_options_are_rejected(workdir: Path, tmp_path: Path) -> None:
    env = fake_aws(tmp_path, UNKNOWN_ACCOUNT)
    assert bootstrap(workdir, "--bogus", env=env).returncode == 2
    assert bootstrap(workdir, "--profile", "x;rm -rf /", env=env).returncode == 1
