"""The local runtime image (Dockerfile), checked by reading it: no Docker engine needed."""

from __future__ import annotations

import fnmatch
import re
import shlex

import pytest

from .checks import REPO

DOCKERFILE = REPO / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    lines: list[str] = []
    current = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        current += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            lines.append(current.strip())
            current = ""
    assert not current, "dangling line continuation"
    result = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


def of(keyword: str) -> list[str]:
    return [args for kw, args in instructions() if kw == keyword]


def test_base_image_is_python_311_slim_on_bookworm() -> None:
    (base,) = of("FROM")
    image = base.split()[0]
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim-bookworm(@sha256:[0-9a-f]{64})?", image), (
        "Python 3.11 (Glue 5.1), slim, on the Debian release that has openjdk-17; no 'latest'"
    )


def test_runs_as_non_root_app_user() -> None:
    users = of("USER")
    assert users, "no USER: the container would run as root"
    assert users[-1] == "app"
    runs = " ".join(of("RUN"))
    assert "useradd" in runs
    assert "--home-dir /home/app" in runs
    assert of("WORKDIR")[-1] == "/app"
    assert any(env.startswith("HOME=/home/app") for env in of("ENV"))
    # Nothing after the last USER switches back to root.
    kws = [kw for kw, _ in instructions()]
    last_user = len(kws) - 1 - kws[::-1].index("USER")
    assert "RUN" not in kws[last_user:], "RUN after USER app would run unprivileged setup"


def test_installs_the_runtime_like_setup_install_sh() -> None:
    runs = " ".join(of("RUN"))
    install_sh = (REPO / "setup" / "install.sh").read_text(encoding="utf-8")
    assert "openjdk-17-jre-headless" in runs
    assert "libjarjar-java" in runs
    assert "libjarjar-java" in install_sh
    assert "--no-install-recommends" in runs
    assert "rm -rf /var/lib/apt/lists/*" in runs
    assert "pip install -e '.[local]' -e tools/dp" in runs
    assert "-e '.[dev]' -e tools/dp" in install_sh
    assert "python -m dp_foundation.spark.local_jars" in runs
    assert "dp_foundation.spark.local_jars" in install_sh


def test_downloads_only_from_package_registries() -> None:
    text = " ".join(args for _, args in instructions())
    assert not re.search(r"\b(curl|wget)\b", text)
    assert not any(re.match(r"https?://", a) for a in of("ADD"))
    assert not of("ADD"), "COPY, never ADD (which fetches URLs and unpacks archives)"


def test_no_credentials_or_secrets_baked_in() -> None:
    for env in of("ENV") + of("ARG"):
        assert not re.search(r"AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)", env)
    for copy in of("COPY"):
        assert ".aws" not in copy
        assert ".env" not in shlex.split(copy)


def test_healthcheck_is_explicit_and_cmd_is_dp() -> None:
    assert of("HEALTHCHECK") == ["NONE"], "a batch CLI: explicitly no health probe"
    assert not of("ENTRYPOINT"), "make docker-run passes the full `dp run ...` command"
    (cmd,) = of("CMD")
    assert cmd.startswith('["dp"')


def _dockerignore() -> list[str]:
    text = (REPO / ".dockerignore").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(path, p.removeprefix("**/")) or fnmatch.fnmatch(path, p) for p in patterns
    )


@pytest.mark.parametrize("secret", [".env", ".git", ".venv", ".aws", "node_modules", ".local"])
def test_dockerignore_keeps_secrets_and_bulk_out(secret: str) -> None:
    assert _ignored(secret, _dockerignore())


def test_every_copied_source_exists_and_is_not_ignored() -> None:
    patterns = _dockerignore()
    for copy in of("COPY"):
        *sources, _dest = shlex.split(copy)
        for src in sources:
            if src.startswith("--"):
                continue
            path = src.rstrip("/")
            assert (REPO / path).exists(), f"COPY {src}: missing in the repository"
            assert not _ignored(path, patterns), f"COPY {src}: excluded by .dockerignore"
