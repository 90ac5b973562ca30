"""The Makefile's delivery targets (owned by the lead), checked by rendering them with make -n."""

from __future__ import annotations

import os
import re
import subprocess

from .checks import REPO


def render(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=REPO,
        env={**env, "HOME": "/home/someone"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_docker_run_passes_no_credentials_and_mounts_aws_read_only() -> None:
    command = render("docker-run", "JOB=project01/refine", "DOCKER=docker")
    assert "docker run" in command
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        assert name not in command, f"{name} must not reach the container"
    assert "--env-file" not in command, "an env file could carry credentials"
    assert re.search(r"-v /home/someone/\.aws:/home/app/\.aws:ro\b", command)
    assert "dp run project01/refine" in command


def test_docker_run_home_matches_the_image_user() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "--home-dir /home/app" in dockerfile
    assert "/home/app/.aws" in render("docker-run", "JOB=x/y")


def test_build_stamps_a_unique_version_through_the_build_script() -> None:
    command = render("build", "WHEEL_VERSION=1.0.0+abcdef12")
    assert 'bash setup/build-wheel.sh "1.0.0+abcdef12" dist' in command
