"""The wheel as AWS Glue 5.1 runs it.

Glue 5.1 puts the wheel named in ``--extra-py-files`` on ``sys.path`` as a zip and installs
none of its dependencies; the job scripts run beside it with Glue's own arguments and the
job's default arguments in ``sys.argv``. These tests build the wheel as CI does, render the
``refine`` job of project01 in ``dev`` with Terraform's own expressions (tfparse, as
``tests/infrastructure`` does), and run a fresh Python 3.11 whose imports are limited to the
standard library, the wheel and the modules Glue 5.1 provides (``tests/glue/``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infrastructure import tfchecks

ROOT = Path(__file__).resolve().parents[1]
GLUE = ROOT / "tests" / "glue"
HARNESS = GLUE / "glue_python.py"
MODULES = json.loads((GLUE / "glue51_modules.json").read_text(encoding="utf-8"))
DOMAIN = json.loads((ROOT / "setup" / "domain.json").read_text(encoding="utf-8"))
JOB_SCRIPTS = sorted(
    p
    for project in ("project01", "test02")
    for p in (ROOT / "src" / "jobs" / project).glob("*.py")
    if p.name != "__init__.py"
)
PROVIDED = {canonicalize_name(m["distribution"]): m for m in MODULES["modules"]}
GLUE_IMPORTS = {m["import"] for m in MODULES["modules"] + MODULES["runtime"]}
NOT_PROVIDED = [m["import"] for m in MODULES["not_provided"]]


# ─── The wheel, built as CI builds it ────────────────────────────────────────


def _source_copy(dest: Path) -> Path:
    """Copy what the build reads (tracked and untracked, not ignored) into ``dest``, so the
    build's temporary version stamp never touches the work tree (nor races a parallel build)."""
    read = ["pyproject.toml", "README.md", "setup", "src/dp_foundation", ".github/scripts"]
    # setup/build-wheel.sh compiles the projects' data contracts beside the wheel.
    read += ["src/dp_cli", "infrastructure/projects"]
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *read],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / relative)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """``(version, wheel)``: the version from .github/scripts/wheel-version.sh (GITHUB_SHA =
    HEAD, as in CI), the wheel from ``setup/build-wheel.sh <version> <dir>`` (the Makefile's
    ``build`` target)."""
    tree = _source_copy(tmp_path_factory.mktemp("tree"))
    init = tree / "src" / "dp_foundation" / "__init__.py"
    before = init.read_text(encoding="utf-8")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {**os.environ, "GITHUB_SHA": head, "PYTHON": sys.executable}
    version = subprocess.run(
        ["bash", str(tree / ".github" / "scripts" / "wheel-version.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        ["bash", str(tree / "setup" / "build-wheel.sh"), version, str(out)],
        env=env,
        capture_output=True,
        check=True,
    )
    assert init.read_text(encoding="utf-8") == before  # the build left its tree as it was
    (wheel,) = out.glob("*.whl")
    assert wheel.name == f"data_platform_foundation-{version}-py3-none-any.whl"
    return version, wheel


def _wheel_packages(wheel: Path) -> set[str]:
    names = zipfile.ZipFile(wheel).namelist()
    return {n.split("/")[0] for n in names if "/" in n and ".dist-info/" not in n}


# ─── The job as Terraform deploys it ─────────────────────────────────────────


@pytest.fixture(scope="module")
def refine_job(built: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """project01's ``refine`` Glue job in ``dev``, rendered by tfparse from the real stack
    (data-source reads stubbed as in tests/infrastructure), with this build's wheel version."""
    version, _ = built
    scratch = tmp_path_factory.mktemp("tf")
    infra = tfchecks.stub_tree(scratch / "tree")
    parsed = tfchecks.evaluate(
        infra / "projects" / "project01",
        {"environment": "dev", "wheel_version": version},
        scratch / "vars",
    )
    (job,) = [
        b
        for b in tfchecks.blocks(parsed, "aws_glue_job")
        if tfchecks.address(b).startswith('module.glue_jobs["refine"]')
    ]
    return job


def glue_argv(job: dict) -> list[str]:
    """``sys.argv[1:]`` of a run of ``job``: Glue's own arguments, then its default arguments."""
    arguments: dict[str, str] = job["default_arguments"]
    argv = ["--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--JOB_NAME", job["name"]]
    argv += ["--TempDir", arguments["--TempDir"]]
    argv += ["--job-bookmark-option", "job-bookmark-disable", "--enable-glue-datacatalog", "true"]
    for key, value in arguments.items():
        argv += [key, value]
    return argv


# ─── The harness ─────────────────────────────────────────────────────────────


def run_as_glue(
    wheel: Path,
    argv: list[str],
    cwd: Path,
    jobs: Sequence[Path] = (),
    contracts: Sequence[tuple[str, str, str]] = (),
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run tests/glue/glue_python.py on ``wheel``; return the process and its JSON report."""
    site = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    spec = {
        "wheel": str(wheel),
        "site": site,
        "allowed": sorted(GLUE_IMPORTS | _wheel_packages(wheel)),
        "argv": argv,
        "jobs": [str(j) for j in jobs],
        "contracts": [list(c) for c in contracts],
        "script": "refine.py",
    }
    spec_file = cwd / "spec.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": str(cwd / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(cwd / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(HARNESS), str(spec_file)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    lines = proc.stdout.strip().splitlines()
    assert lines, f"no report; exit {proc.returncode}; stderr:\n{proc.stderr}"
    return proc, json.loads(lines[-1])


@pytest.fixture
def glue_cwd(tmp_path: Path) -> Path:
    """A working folder without a checkout; its ``.env`` must be ignored on Glue."""
    (tmp_path / ".env").write_text("ENV=local\nAWS_ACCOUNT_ID=000000000000\n", encoding="utf-8")
    return tmp_path


# ─── Tests ───────────────────────────────────────────────────────────────────


def test_wheel_declares_only_what_glue_provides(built: tuple[str, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as whl:
        (metadata,) = [n for n in whl.namelist() if n.endswith(".dist-info/METADATA")]
        lines = whl.read(metadata).decode().splitlines()
    requires = [
        Requirement(line.partition(":")[2].strip())
        for line in lines
        if line.startswith("Requires-Dist:")
    ]
    runtime = [r for r in requires if r.marker is None or "extra" not in str(r.marker)]
    assert runtime, "the wheel declares no runtime dependency at all: is METADATA read right?"
    for requirement in runtime:
        name = canonicalize_name(requirement.name)
        assert name in PROVIDED, f"{requirement} is not provided by Glue 5.1 ({sorted(PROVIDED)})"
        version = PROVIDED[name]["version"]
        if version is not None:
            assert requirement.specifier.contains(version), (
                f"{requirement} excludes Glue 5.1's {name} {version}"
            )
    declared = {canonicalize_name(r.name) for r in runtime}
    assert declared.isdisjoint(
        canonicalize_name(m["distribution"]) for m in MODULES["not_provided"]
    )


def test_refine_job_configures_itself_as_on_glue(
    built: tuple[str, Path], refine_job: dict, glue_cwd: Path
) -> None:
    _, wheel = built
    arguments = refine_job["default_arguments"]
    assert arguments["--extra-py-files"].rsplit("/", 1)[1] == wheel.name  # the file deployed
    account = arguments["--AWS_ACCOUNT_ID"]
    abbr = DOMAIN["domain_abbr"]

    # Glue copies --extra-files (the project's compiled contracts, uploaded from the build's
    # dist/contracts/ under jobs/<version>/<project>/contracts/) into the working folder.
    extra = arguments["--extra-files"].split(",")
    prefix = f"s3://{arguments['--TempDir'].split('/')[2]}/jobs/{built[0]}/project01/contracts/"
    assert extra and all(uri.startswith(prefix) for uri in extra)
    compiled = wheel.parent / "contracts" / "project01" / "contracts"
    for uri in extra:
        shutil.copy(compiled / uri.rsplit("/", 1)[1], glue_cwd)
    wanted = [tuple(uri.rsplit("/", 1)[1].split(".")[:2]) for uri in extra]
    contracts = [("project01", table, layer) for layer, table in wanted]

    proc, report = run_as_glue(wheel, glue_argv(refine_job), glue_cwd, JOB_SCRIPTS, contracts)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report["error"] is None
    assert report["python"] == [int(p) for p in MODULES["python"].split(".")]
    assert report["dp_foundation_file"].startswith(str(wheel) + os.sep)  # from the zip
    assert set(report["loaded_from_site"]) <= GLUE_IMPORTS, report["loaded_from_site"]
    assert not {"dotenv", "dp_cli", "jobs"} & set(report["refused"]), report["refused"]
    # Importing the package bridged nothing; the first get_config() did.
    assert set(report["environ_after_import"].values()) == {None}
    # get_config() returns the typed, frozen settings.
    assert report["config_type"] == "dp_foundation.config.settings.Settings"
    assert report["config_frozen"] is True
    cfg = report["config"]
    assert cfg["env"] == "dev"
    assert cfg["lake_dir"] is None
    assert cfg["account_id"] == account == tfchecks.STUB_ACCOUNT_ID
    assert cfg["domain_abbr"] == abbr
    for purpose in ("raw", "refined", "curated", "artifacts"):
        assert cfg[f"s3_bucket_{purpose}"] == f"{abbr}-{purpose}-{account}-dev"
        assert cfg[f"{purpose}_uri"] == f"s3://{abbr}-{purpose}-{account}-dev"
    for layer in ("raw", "refined", "curated"):
        assert cfg[f"iceberg_database_{layer}"] == f"{abbr}_{layer}_dev"
    assert report["config_table"] == f"glue_catalog.{abbr}_refined_dev.orders"
    # The library agrees with what Terraform deployed the job with.
    warehouse = f"spark.sql.catalog.glue_catalog.warehouse={cfg['iceberg_warehouse']}"
    assert warehouse in arguments["--conf"]
    assert arguments["--TempDir"].startswith(f"s3://{cfg['s3_bucket_artifacts']}/")
    # The job's arguments, each held once under the key Glue passed.
    args = report["config_args"]
    assert args["JOB_NAME"] == refine_job["name"]
    assert args["SOURCE_PREFIX"] == arguments["--SOURCE_PREFIX"]
    assert args["job-bookmark-option"] == "job-bookmark-disable"
    assert "JOB_BOOKMARK_OPTION" not in args
    # Glue's spelling stays, with its upper-snake alias beside it.
    assert report["environ"]["job-bookmark-option"] == "job-bookmark-disable"
    assert report["environ"]["JOB_BOOKMARK_OPTION"] == "job-bookmark-disable"
    assert report["environ"]["enable-glue-datacatalog"] == "true"
    assert report["environ"]["JOB_RUN_ID"] == "jr_1"
    # Every job script of project01 and test02 imports beside the wheel.
    assert report["jobs"] == {str(j): None for j in JOB_SCRIPTS}
    assert len(JOB_SCRIPTS) >= 3
    # Every contract the jobs load comes from the working folder, without PyYAML or jsonschema.
    loaded = report["contracts"]
    assert set(loaded) == {f"{layer}.{table}" for _, table, layer in contracts}
    assert all(c["origin"].startswith(str(glue_cwd)) for c in loaded.values()), loaded
    assert loaded["refined.lineitem"]["partition_by"] == ["years(l_shipdate)"]
    assert loaded["refined.lineitem"]["rules"] > 0
    assert not {"yaml", "jsonschema"} & set(report["loaded_from_site"])


def _with_top_import(wheel: Path, module: str, dest: Path) -> Path:
    """A copy of ``wheel`` whose config/settings.py imports ``module`` at module level."""
    target = "dp_foundation/config/settings.py"
    copy = dest / wheel.name
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(copy, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == target:
                text = data.decode()
                anchor = "from __future__ import annotations\n"
                assert anchor in text
                data = text.replace(anchor, f"{anchor}\nimport {module}  # noqa\n", 1).encode()
            out.writestr(item, data)
    return copy


@pytest.mark.parametrize("module", NOT_PROVIDED)
def test_a_dependency_glue_lacks_fails_the_import(
    built: tuple[str, Path], refine_job: dict, glue_cwd: Path, tmp_path: Path, module: str
) -> None:
    """The harness can fail: a top-level import of a module Glue 5.1 does not provide stops
    ``import dp_foundation`` as it would on Glue, although the package is installed here."""
    import importlib.util

    assert importlib.util.find_spec(module) is not None, f"{module} should be installed here"
    (tmp_path / "broken").mkdir()
    broken = _with_top_import(built[1], module, tmp_path / "broken")

    proc, report = run_as_glue(broken, glue_argv(refine_job), glue_cwd)

    assert proc.returncode == 1
    error = report["error"]
    assert (error["type"], error["name"]) == ("ModuleNotFoundError", module), error
    assert error["message"] == f"No module named '{module}'"
    assert module in report["refused"]
