"""Runs .github/scripts/upload-artifacts.sh against a stand-in ``aws`` command that records
every call, so the tests see exactly which S3 keys the deploy writes and checks without an
AWS account, an emulator or the AWS CLI installed.

The stand-in answers ``sts get-caller-identity`` with a fixed account, succeeds on
``s3 cp`` and answers ``s3api head-object`` from a list of stored keys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .checks import GITHUB, REPO

UPLOAD = GITHUB / "scripts" / "upload-artifacts.sh"
ACCOUNT = "123456789012"
VERSION = "1.0.0+1a2b3c4d"
# The options every call carries before the command (the CLI v1 form; v2 accepts it too).
GLOBAL_OPTIONS = ("--region", "--endpoint-url")

STUB = f"""#!{sys.executable}
import json, os, sys

args = sys.argv[1:]
with open(os.environ["AWS_STUB_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
rest = list(args)
while rest and rest[0] in {GLOBAL_OPTIONS!r}:
    rest = rest[2:]
if rest[:2] == ["sts", "get-caller-identity"]:
    print("{ACCOUNT}")
elif rest[:2] == ["s3api", "head-object"]:
    key = rest[rest.index("--key") + 1]
    with open(os.environ["AWS_STUB_STORED"], encoding="utf-8") as stored:
        if key not in stored.read().splitlines():
            print("An error occurred (404) when calling the HeadObject operation", file=sys.stderr)
            sys.exit(254)
    print("{{}}")
elif rest[:2] != ["s3", "cp"]:
    print(f"stub: unexpected aws call {{args}}", file=sys.stderr)
    sys.exit(2)
"""


@dataclass
class Call:
    """One ``aws`` invocation: its global options and the command after them."""

    options: dict[str, str]
    command: list[str]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    calls: list[Call]

    def commands(self, *prefix: str) -> list[list[str]]:
        return [c.command for c in self.calls if c.command[: len(prefix)] == list(prefix)]


def _parse(args: list[str]) -> Call:
    options: dict[str, str] = {}
    while args and args[0] in GLOBAL_OPTIONS:
        options[args[0]] = args[1]
        args = args[2:]
    return Call(options, args)


def run_upload(
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    stored: list[str] | None = None,
    wheel: bool = True,
) -> Run:
    """upload-artifacts.sh with ``args`` (after nothing: pass env and version yourself),
    the stand-in ``aws`` first on PATH and, unless ``wheel`` is false, a built wheel of
    VERSION in ``tmp_path/dist`` (pass ``--dist`` to use it)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "aws"
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(0o755)
    dist = tmp_path / "dist"
    dist.mkdir(exist_ok=True)
    if wheel:
        (dist / f"data_platform_foundation-{VERSION}-py3-none-any.whl").write_bytes(b"wheel")
        (dist / "contracts").mkdir(exist_ok=True)
    log = tmp_path / "aws-calls.jsonl"
    log.write_text("", encoding="utf-8")
    stored_file = tmp_path / "stored.txt"
    stored_file.write_text("\n".join(stored or []) + "\n", encoding="utf-8")
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "GITHUB_")) and k != "ACCOUNT_ID"
    }
    result = subprocess.run(
        ["bash", str(UPLOAD), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={
            **base,
            "PATH": f"{bin_dir}{os.pathsep}{base.get('PATH', '')}",
            "AWS_STUB_LOG": str(log),
            "AWS_STUB_STORED": str(stored_file),
            **(env or {}),
        },
    )
    calls = [_parse(json.loads(line)) for line in log.read_text("utf-8").splitlines()]
    return Run(result.returncode, result.stdout, result.stderr, calls)


def project_scripts() -> dict[str, list[str]]:
    """project.json name -> the scripts of its jobs and its compiled contracts
    (``contracts/<layer>.<table>.contract.json``), for every project stack."""
    found = {}
    for path in sorted((REPO / "infrastructure" / "projects").glob("*/project.json")):
        if path.parent.name == "_template":
            continue
        config = json.loads(path.read_text(encoding="utf-8"))
        found[config["name"]] = [job["script"] for job in config.get("jobs", {}).values()] + [
            f"contracts/{c.parent.name}.{c.name.removesuffix('.odcs.yaml')}.contract.json"
            for c in sorted(path.parent.glob("contracts/*/*.odcs.yaml"))
        ]
    return found
