"""dp_foundation.config.settings: lazy, cached configuration and its naming rules."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from dp_foundation.config import settings
from dp_foundation.config.args import bridge_glue_args
from dp_foundation.config.settings import bucket_name, database_name, get_config
from dp_foundation.exceptions import ConfigError

ACCOUNT = "123456789012"
REQUIRED_KEYS = {
    "env",
    "domain_name",
    "domain_abbr",
    "aws_region",
    "account_id",
    "catalog",
    "s3_bucket_raw",
    "s3_bucket_refined",
    "s3_bucket_curated",
    "s3_bucket_artifacts",
    "raw_uri",
    "refined_uri",
    "curated_uri",
    "artifacts_uri",
    "iceberg_database_raw",
    "iceberg_database_refined",
    "iceberg_database_curated",
    "iceberg_warehouse",
    "lake_dir",
}


def _dummy_aws(monkeypatch: pytest.MonkeyPatch, sts_endpoint: str) -> None:
    """Credentials and an STS endpoint of our choosing; no retries."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts_endpoint)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")


class _FakeSts(BaseHTTPRequestHandler):
    """Answers every request with STS's GetCallerIdentity response for ``ACCOUNT``."""

    calls: list[str] = []  # noqa: RUF012 - shared by the server's handler instances

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        type(self).calls.append(body)
        xml = (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<GetCallerIdentityResult>"
            f"<Arn>arn:aws:iam::{ACCOUNT}:user/tester</Arn><UserId>AIDATEST</UserId>"
            f"<Account>{ACCOUNT}</Account>"
            "</GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>4f5e6d7c-0000-1111-2222-333344445555</RequestId>"
            "</ResponseMetadata></GetCallerIdentityResponse>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(xml)))
        self.end_headers()
        self.wfile.write(xml)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_sts() -> Iterator[str]:
    """A local HTTP endpoint that speaks just enough STS; yields its URL."""
    _FakeSts.calls = []
    server = HTTPServer(("127.0.0.1", 0), _FakeSts)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ─── laziness ────────────────────────────────────────────────────────────────


def test_import_reads_nothing_and_calls_no_aws(tmp_path: Path) -> None:
    """Importing every module works with a missing domain file; only get_config() fails."""
    missing = tmp_path / "nowhere" / "domain.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DP_", "ENV"))}
    env.update(DP_DOMAIN_FILE=str(missing), ENV="dev")  # dev would need STS if it ran
    code = """
import json, sys
import dp_foundation, dp_foundation.config.settings as settings
import dp_foundation.io, dp_foundation.iceberg, dp_foundation.quality
import dp_foundation.spark, dp_foundation.logging
heavy = sorted(m for m in ("boto3", "botocore", "pyspark", "py4j", "dotenv") if m in sys.modules)
try:
    settings.get_config()
    error = None
except Exception as exc:
    error = [type(exc).__name__, str(exc)]
print(json.dumps({"heavy_after_import": heavy, "error": error}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["heavy_after_import"] == []
    assert result["error"][0] == "ConfigError"
    assert str(missing) in result["error"][1]


def test_config_is_cached_until_reset(domain_file: Path) -> None:
    first = get_config()
    os.environ["AWS_REGION"] = "us-east-2"
    assert get_config()["aws_region"] == first["aws_region"] == "eu-central-1"

    settings._reset()

    assert get_config()["aws_region"] == "us-east-2"


def test_get_config_returns_a_copy(domain_file: Path) -> None:
    get_config()["env"] = "prod"
    assert get_config()["env"] == "local"


def test_environment_changed_after_import_takes_effect(domain_file: Path) -> None:
    assert get_config()["env"] == "local"
    os.environ["ENV"] = "dev"
    os.environ["AWS_ACCOUNT_ID"] = ACCOUNT
    os.environ["DP_NONPROD_ACCOUNTS"] = ACCOUNT
    settings._reset()
    cfg = get_config()
    assert (cfg["env"], cfg["account_id"]) == ("dev", ACCOUNT)


# ─── local ───────────────────────────────────────────────────────────────────


def test_local_config_needs_no_aws(domain_file: Path, tmp_path: Path) -> None:
    cfg = get_config()
    lake = tmp_path / "lake"
    assert cfg.keys() >= REQUIRED_KEYS
    assert {k: cfg[k] for k in ("env", "domain_name", "domain_abbr", "aws_region")} == {
        "env": "local",
        "domain_name": "testdomain",
        "domain_abbr": "t01",
        "aws_region": "eu-central-1",
    }
    assert cfg["account_id"] == settings.LOCAL_ACCOUNT_ID == "000000000000"
    assert cfg["catalog"] == "glue_catalog"
    for purpose in ("raw", "refined", "curated", "artifacts"):
        bucket = f"t01-{purpose}-000000000000-local"
        assert cfg[f"s3_bucket_{purpose}"] == bucket
        assert cfg[f"{purpose}_uri"] == f"file://{lake / bucket}"
    for layer in ("raw", "refined", "curated"):
        assert cfg[f"iceberg_database_{layer}"] == f"t01_{layer}_local"
    assert cfg["iceberg_warehouse"] == f"file://{lake / 'warehouse'}"
    assert cfg["lake_dir"] == str(lake)


def test_local_uris_are_not_percent_encoded(domain_file: Path, tmp_path: Path) -> None:
    """Hadoop reads ``file:`` paths literally: ``%20`` would name another folder."""
    os.environ["DP_LAKE_DIR"] = str(tmp_path / "my lake é")
    cfg = get_config()
    assert cfg["iceberg_warehouse"] == f"file://{tmp_path}/my lake é/warehouse"
    assert cfg["raw_uri"] == f"file://{tmp_path}/my lake é/t01-raw-000000000000-local"
    assert settings.local_uri(Path("/a b/c")) == "file:///a b/c"


def test_local_account_override_and_env_case(domain_file: Path) -> None:
    os.environ["AWS_ACCOUNT_ID"] = "111122223333"
    os.environ["ENV"] = " LOCAL "
    cfg = get_config()
    assert cfg["env"] == "local"
    assert cfg["account_id"] == "111122223333"
    assert cfg["s3_bucket_raw"] == "t01-raw-111122223333-local"


def test_lake_dir_defaults_to_the_repository(
    domain_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "setup").mkdir(parents=True)
    (repo / "setup" / "domain.json").write_text(
        json.dumps({**json.loads(domain_file.read_text()), "domain_abbr": "r02"})
    )
    (repo / "src" / "jobs").mkdir(parents=True)
    monkeypatch.chdir(repo / "src" / "jobs")
    monkeypatch.delenv("DP_LAKE_DIR")
    monkeypatch.delenv("DP_DOMAIN_FILE")

    assert settings.find_repo_root() == repo
    cfg = get_config()
    assert cfg["domain_abbr"] == "r02"  # read from <repo>/setup/domain.json
    assert cfg["lake_dir"] == str(repo / ".local" / "lake")


def test_naming_rules() -> None:
    assert bucket_name("f01", "raw", ACCOUNT, "dev") == f"f01-raw-{ACCOUNT}-dev"
    assert database_name("f01", "curated", "prod") == "f01_curated_prod"


# ─── AWS environments ────────────────────────────────────────────────────────


def test_non_local_uses_aws_account_id(domain_file: Path) -> None:
    os.environ.update(ENV="dev", AWS_ACCOUNT_ID=ACCOUNT, DP_NONPROD_ACCOUNTS=f"999,{ACCOUNT}")
    cfg = get_config()
    assert cfg["account_id"] == ACCOUNT
    assert cfg["s3_bucket_refined"] == f"t01-refined-{ACCOUNT}-dev"
    assert cfg["refined_uri"] == f"s3://t01-refined-{ACCOUNT}-dev"
    assert cfg["iceberg_database_curated"] == "t01_curated_dev"
    assert cfg["iceberg_warehouse"] == f"s3://t01-refined-{ACCOUNT}-dev/warehouse/"
    assert cfg["lake_dir"] == ""


@pytest.mark.parametrize("bad", ["12345", "abcdefghijkl", "1234567890123"])
def test_account_id_must_be_12_digits(domain_file: Path, bad: str) -> None:
    os.environ.update(ENV="dev", AWS_ACCOUNT_ID=bad, DP_CONFIRM_ACCOUNT=bad)
    with pytest.raises(ConfigError, match="12 digits"):
        get_config()


def test_sts_unreachable_is_a_config_error(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.environ["ENV"] = "dev"
    _dummy_aws(monkeypatch, "http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="STS get-caller-identity failed") as info:
        get_config()
    assert "127.0.0.1:9" in str(info.value)  # botocore really tried our endpoint
    assert "AWS_ACCOUNT_ID" in str(info.value)  # and the message says how to fix it


def test_account_from_sts(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch, fake_sts: str
) -> None:
    os.environ.update(ENV="int", DP_NONPROD_ACCOUNTS=ACCOUNT)
    _dummy_aws(monkeypatch, fake_sts)
    cfg = get_config()
    assert cfg["account_id"] == ACCOUNT
    assert cfg["s3_bucket_raw"] == f"t01-raw-{ACCOUNT}-int"
    assert len(_FakeSts.calls) == 1
    assert "Action=GetCallerIdentity" in _FakeSts.calls[0]
    get_config()
    assert len(_FakeSts.calls) == 1  # cached


# ─── P0-03: workstation guard ────────────────────────────────────────────────


def test_guard_refuses_an_unknown_account(
    domain_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    os.environ.update(ENV="dev", AWS_ACCOUNT_ID=ACCOUNT, AWS_PROFILE="prod-admin")
    with caplog.at_level(logging.WARNING), pytest.raises(ConfigError) as info:
        get_config()
    assert ACCOUNT in str(info.value)
    assert "prod-admin" in str(info.value)
    assert f"DP_CONFIRM_ACCOUNT={ACCOUNT}" in str(info.value)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("prod-admin" in m and ACCOUNT in m for m in warnings), warnings


def test_guard_warns_for_an_allowed_account(
    domain_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    os.environ.update(ENV="dev", AWS_ACCOUNT_ID=ACCOUNT, DP_NONPROD_ACCOUNTS=f" {ACCOUNT} ,")
    with caplog.at_level(logging.WARNING):
        assert get_config()["account_id"] == ACCOUNT
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'default'" in m and ACCOUNT in m for m in warnings), warnings


def test_guard_accepts_a_confirmed_account(domain_file: Path) -> None:
    os.environ.update(ENV="prod", AWS_ACCOUNT_ID=ACCOUNT, DP_CONFIRM_ACCOUNT=ACCOUNT)
    assert get_config()["account_id"] == ACCOUNT


def test_guard_confirmation_must_name_the_account(domain_file: Path) -> None:
    os.environ.update(ENV="prod", AWS_ACCOUNT_ID=ACCOUNT, DP_CONFIRM_ACCOUNT="210987654321")
    with pytest.raises(ConfigError, match=ACCOUNT):
        get_config()


def test_guard_is_off_inside_glue(domain_file: Path) -> None:
    os.environ.update(ENV="prod", AWS_ACCOUNT_ID=ACCOUNT, JOB_RUN_ID="jr_0123")
    assert get_config()["account_id"] == ACCOUNT


# ─── sources: Glue arguments, .env, domain file ──────────────────────────────


def test_bridged_glue_args_are_config_keys(domain_file: Path) -> None:
    os.environ["Q5_REGION"] = "ASIA"  # set before the bridge: the environment wins
    bridge_glue_args(
        [
            "--JOB_NAME",
            "f01-q5",
            "--Q5_REGION",
            "EUROPE",
            "--job-bookmark-option",
            "x",
            "--ENV",
            "local",
        ]
    )
    cfg = get_config()
    assert cfg["job_name"] == cfg["JOB_NAME"] == "f01-q5"
    assert cfg["q5_region"] == cfg["Q5_REGION"] == "ASIA"
    assert cfg["job_bookmark_option"] == "x"
    assert cfg["env"] == "local"


def test_dotenv_is_loaded_without_overriding(domain_file: Path, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "ENV=dev\nAWS_ACCOUNT_ID=111122223333\nDP_FROM_DOTENV=yes\n", encoding="utf-8"
    )
    os.environ["ENV"] = "local"  # already set: .env must not replace it
    cfg = get_config()
    assert cfg["env"] == "local"
    assert cfg["account_id"] == "111122223333"  # not set before: taken from .env
    assert os.environ["DP_FROM_DOTENV"] == "yes"


def test_dotenv_found_in_a_parent_folder(
    domain_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("AWS_ACCOUNT_ID=111122223333\n", encoding="utf-8")
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert get_config()["account_id"] == "111122223333"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"domain_name": "x",', "is not valid JSON"),
        ('["not", "an", "object"]', "must hold a JSON object; found list"),
        ('{"domain_name": "x", "domain_abbr": ""}', "['domain_abbr', 'aws_region']"),
        ('{"domain_name": "x", "domain_abbr": "x", "aws_region": 5}', "['aws_region']"),
    ],
)
def test_malformed_domain_file(domain_file: Path, content: str, message: str) -> None:
    domain_file.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        get_config()
    assert message in str(info.value)
    assert str(domain_file) in str(info.value)


def test_missing_domain_file(domain_file: Path) -> None:
    domain_file.unlink()
    with pytest.raises(ConfigError, match="does not exist") as info:
        get_config()
    assert str(domain_file) in str(info.value)


# ─── first use: the Glue-args bridge and .env (P0-06, P0-08) ─────────────────


def test_first_get_config_bridges_sys_argv(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["job.py", "--Q5_REGION", "EUROPE", "--job-bookmark-option", "x"]
    )
    assert "Q5_REGION" not in os.environ  # nothing read before first use
    cfg = get_config()
    assert os.environ["Q5_REGION"] == cfg["q5_region"] == "EUROPE"
    assert os.environ["job-bookmark-option"] == cfg["job-bookmark-option"] == "x"  # noqa: SIM112


def test_on_glue_reads_argv_before_the_bridge(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not settings.on_glue()
    monkeypatch.setattr(sys, "argv", ["job.py", "--JOB_RUN_ID", "jr_1"])
    assert settings.on_glue()
    assert "JOB_RUN_ID" not in os.environ  # asking has no side effect


def test_dotenv_is_not_read_on_glue(
    domain_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("DP_FROM_DOTENV=yes\nENV=dev\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["job.py", "--JOB_RUN_ID", "jr_1"])
    assert settings.load_local_dotenv() is None
    assert get_config()["env"] == "local"
    assert "DP_FROM_DOTENV" not in os.environ


def test_dotenv_without_python_dotenv_warns_and_continues(
    domain_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The wheel installed without its ``local`` extra: ``.env`` is named, not read."""
    (tmp_path / ".env").write_text("DP_FROM_DOTENV=yes\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "dotenv", None)  # import dotenv -> ImportError
    with caplog.at_level(logging.WARNING):
        cfg = get_config()
    assert cfg["env"] == "local"
    assert "DP_FROM_DOTENV" not in os.environ
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        str(tmp_path / ".env") in m and "python-dotenv" in m and "[local]" in m for m in warnings
    ), warnings
