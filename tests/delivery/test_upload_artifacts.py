""".github/scripts/upload-artifacts.sh, run against a stand-in ``aws`` (aws_stub.py): the
deploy's artifacts job and a local AWS emulator both call it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .aws_stub import ACCOUNT, UPLOAD, VERSION, project_scripts, run_upload
from .checks import REPO

DOMAIN_ABBR = "f01"
REGION = "eu-west-1"
BUCKET = f"{DOMAIN_ABBR}-artifacts-{ACCOUNT}-dev"
WHEEL_KEY = f"wheels/data_platform_foundation-{VERSION}-py3-none-any.whl"
EXCLUDES = ["--exclude", "_template/*", "--exclude", "*__pycache__*", "--exclude", "*.pyc"]


def expected_keys(version: str = VERSION) -> list[str]:
    """What the Glue jobs of every project stack load for a version."""
    keys = [f"wheels/data_platform_foundation-{version}-py3-none-any.whl"]
    for project, scripts in project_scripts().items():
        keys += [f"jobs/{version}/{project}/{script}" for script in scripts]
    return keys


def test_domain_facts_are_the_ones_assumed_here() -> None:
    domain = json.loads((REPO / "setup" / "domain.json").read_text(encoding="utf-8"))
    assert (domain["domain_abbr"], domain["aws_region"]) == (DOMAIN_ABBR, REGION)


def test_uploads_the_wheel_and_the_scripts_under_the_version(tmp_path: Path) -> None:
    run = run_upload(tmp_path, "dev", VERSION, "--dist", str(tmp_path / "dist"))
    assert run.returncode == 0, run.stderr
    assert [c.command for c in run.calls] == [
        ["sts", "get-caller-identity", "--query", "Account", "--output", "text"],
        [
            "s3",
            "cp",
            "--only-show-errors",
            str(tmp_path / "dist" / f"data_platform_foundation-{VERSION}-py3-none-any.whl"),
            f"s3://{BUCKET}/{WHEEL_KEY}",
        ],
        [
            "s3",
            "cp",
            "--only-show-errors",
            "--recursive",
            "src/jobs/",
            f"s3://{BUCKET}/jobs/{VERSION}/",
            *EXCLUDES,
        ],
        [
            "s3",
            "cp",
            "--only-show-errors",
            "--recursive",
            f"{tmp_path / 'dist'}/contracts/",
            f"s3://{BUCKET}/jobs/{VERSION}/",
            "--exclude",
            "_template/*",
        ],
    ]
    assert all(c.options == {"--region": REGION} for c in run.calls), "no endpoint by default"
    assert ACCOUNT not in run.stdout, "the account id is never printed"


def test_the_account_from_the_environment_skips_sts(tmp_path: Path) -> None:
    run = run_upload(
        tmp_path,
        "prod",
        VERSION,
        "--dist",
        str(tmp_path / "dist"),
        env={"ACCOUNT_ID": "210987654321", "AWS_REGION": "us-east-1"},
    )
    assert run.returncode == 0, run.stderr
    assert run.commands("sts") == []
    (wheel, scripts, _contracts) = run.commands("s3", "cp")
    assert wheel[-1] == f"s3://{DOMAIN_ABBR}-artifacts-210987654321-prod/{WHEEL_KEY}"
    assert scripts[5] == f"s3://{DOMAIN_ABBR}-artifacts-210987654321-prod/jobs/{VERSION}/"
    assert {c.options["--region"] for c in run.calls} == {"us-east-1"}


@pytest.mark.parametrize(
    ("args", "env", "endpoint"),
    [
        (["--endpoint-url", "http://localhost:4566"], {}, "http://localhost:4566"),
        (["--endpoint-url=http://127.0.0.1:5000"], {}, "http://127.0.0.1:5000"),
        ([], {"AWS_ENDPOINT_URL": "http://localhost:4566"}, "http://localhost:4566"),
        (
            ["--endpoint-url", "http://flag:1"],
            {"AWS_ENDPOINT_URL": "http://env:2"},
            "http://flag:1",
        ),
    ],
    ids=["flag", "flag=", "AWS_ENDPOINT_URL", "flag over variable"],
)
def test_every_call_goes_to_the_endpoint_as_a_flag(
    tmp_path: Path, args: list[str], env: dict[str, str], endpoint: str
) -> None:
    """AWS CLI v1 ignores AWS_ENDPOINT_URL: the script passes --endpoint-url on every call,
    STS included, for an upload and for a check."""
    dist = str(tmp_path / "dist")
    upload = run_upload(tmp_path, "dev", VERSION, "--dist", dist, *args, env=env)
    check = run_upload(tmp_path, "dev", VERSION, "--check", *args, env=env, stored=expected_keys())
    for run in (upload, check):
        assert run.returncode == 0, run.stderr
        assert run.calls
        assert {c.options.get("--endpoint-url") for c in run.calls} == {endpoint}


def test_only_puts_and_heads_never_lists_or_deletes(tmp_path: Path) -> None:
    upload = run_upload(tmp_path, "dev", VERSION, "--dist", str(tmp_path / "dist"))
    check = run_upload(tmp_path, "dev", VERSION, "--check", stored=expected_keys())
    commands = {tuple(c.command[:2]) for run in (upload, check) for c in run.calls}
    assert commands == {("sts", "get-caller-identity"), ("s3", "cp"), ("s3api", "head-object")}
    flat = [arg for run in (upload, check) for c in run.calls for arg in c.command]
    assert "--delete" not in flat and not any("latest" in arg for arg in flat)
    text = UPLOAD.read_text(encoding="utf-8")
    for forbidden in ("s3 rm", "s3 sync", "s3 mv", "s3 ls", "delete-object", "list-objects"):
        assert forbidden not in text, forbidden


def test_a_missing_wheel_fails_before_any_upload(tmp_path: Path) -> None:
    run = run_upload(tmp_path, "dev", VERSION, "--dist", str(tmp_path / "dist"), wheel=False)
    assert run.returncode == 1
    assert "was not built" in run.stderr
    assert run.commands("s3") == []


@pytest.mark.parametrize(
    ("env", "version"),
    [
        ("dev", "latest"),
        ("dev", "../1.0.0"),
        ("dev", "1.0.0/x"),
        ("dev", "1.0.0+a/b"),
        ("dev", "1.0.0 x"),
        ("qa", VERSION),
        ("dev/..", VERSION),
    ],
)
def test_rejects_an_unknown_environment_or_a_version_that_is_not_a_key_segment(
    tmp_path: Path, env: str, version: str
) -> None:
    run = run_upload(tmp_path, env, version, "--dist", str(tmp_path / "dist"))
    assert run.returncode == 2, run.stderr
    assert run.calls == []


def test_rejects_unknown_arguments(tmp_path: Path) -> None:
    run = run_upload(tmp_path, "dev", VERSION, "--delete")
    assert run.returncode == 2
    assert "unknown argument '--delete'" in run.stderr
    assert run.calls == []


def test_check_heads_the_wheel_and_every_script_the_projects_run(tmp_path: Path) -> None:
    keys = expected_keys()
    assert len(keys) >= 2, "at least one job script besides the wheel"
    run = run_upload(tmp_path, "dev", VERSION, "--check", stored=keys)
    assert run.returncode == 0, run.stderr
    heads = run.commands("s3api", "head-object")
    assert sorted(h[h.index("--key") + 1] for h in heads) == sorted(keys)
    assert {h[h.index("--bucket") + 1] for h in heads} == {BUCKET}
    assert run.commands("s3", "cp") == [], "a check uploads nothing"


@pytest.mark.parametrize("missing", ["wheel", "script"])
def test_check_fails_when_the_wheel_or_a_script_of_the_version_is_missing(
    tmp_path: Path, missing: str
) -> None:
    """A rollback to a version whose scripts were never uploaded under jobs/<version>/ (or
    that lacks a job this commit's project.json declares) stops before any project applies."""
    keys = expected_keys()
    gone = keys[0] if missing == "wheel" else keys[-1]
    run = run_upload(tmp_path, "dev", VERSION, "--check", stored=[k for k in keys if k != gone])
    assert run.returncode == 1
    assert f"::error::{gone} is not in the artifacts bucket of dev" in run.stdout
    assert "1 artifacts of version" in run.stderr


def test_check_of_another_version_heads_that_versions_keys(tmp_path: Path) -> None:
    stored = expected_keys()  # this version only
    run = run_upload(tmp_path, "dev", "0.9.0+1234567", "--check", stored=stored)
    assert run.returncode == 1
    heads = run.commands("s3api", "head-object")
    assert sorted(h[h.index("--key") + 1] for h in heads) == sorted(expected_keys("0.9.0+1234567"))
