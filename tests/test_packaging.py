"""The wheel deployed to Glue: versioned per build, the library only, the domain inside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INIT = ROOT / "src" / "dp_foundation" / "__init__.py"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    before = INIT.read_text(encoding="utf-8")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        ["bash", str(ROOT / "setup" / "build-wheel.sh"), "1.0.0+abc12345", str(out)],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert INIT.read_text(encoding="utf-8") == before  # the trap restored the version stamp
    (found,) = out.glob("*.whl")
    return found


def test_wheel_name_carries_the_unique_build_version(wheel: Path) -> None:
    assert wheel.name == "data_platform_foundation-1.0.0+abc12345-py3-none-any.whl"


def test_wheel_holds_the_library_and_the_domain_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    packages = {n.split("/")[0] for n in names if not n.endswith(".dist-info/") and "/" in n}
    assert packages == {"dp_foundation", "data_platform_foundation-1.0.0+abc12345.dist-info"}
    assert "dp_foundation/py.typed" in names
    domain = json.loads(zipfile.ZipFile(wheel).read("dp_foundation/domain.json"))
    assert domain == json.loads((ROOT / "setup" / "domain.json").read_text(encoding="utf-8"))
    init = zipfile.ZipFile(wheel).read("dp_foundation/__init__.py").decode()
    assert '__version__ = "1.0.0+abc12345"' in init


def test_installed_wheel_configures_itself_without_a_repository(
    wheel: Path, tmp_path: Path
) -> None:
    """As on Glue: the wheel on the path, no checkout, Glue-style arguments in sys.argv."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.argv[1:] = ['--ENV', 'dev', "
        "'--AWS_ACCOUNT_ID', '123456789012', '--JOB_RUN_ID', 'jr_1']\n"
        "import dp_foundation\n"
        "from dp_foundation.config.settings import get_config\n"
        "c = get_config(); print(c['s3_bucket_raw'], c['iceberg_database_curated'], c['raw_uri'])"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("ENV", "AWS_ACCOUNT_ID", "DP_DOMAIN_FILE")
    }
    result = subprocess.run(
        [sys.executable, "-I", "-c", code, str(wheel)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "f01-raw-123456789012-dev",
        "f01_curated_dev",
        "s3://f01-raw-123456789012-dev",
    ]


def test_build_refuses_a_malformed_version(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "setup" / "build-wheel.sh"), "latest", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "is not MAJOR.MINOR.PATCH" in result.stderr
