"""dp_foundation.config.settings: lazy, cached configuration and its naming rules."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pickle
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from dp_foundation.config import settings
from dp_foundation.config.args import bridge_glue_args
from dp_foundation.config.settings import Settings, bucket_name, database_name, get_config
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
    assert get_config() is first
    assert first.aws_region == "eu-central-1"

    settings._reset()

    assert get_config().aws_region == "us-east-2"


def test_environment_changed_after_import_takes_effect(domain_file: Path) -> None:
    assert get_config().env == "local"
    os.environ["ENV"] = "dev"
    os.environ["AWS_ACCOUNT_ID"] = ACCOUNT
    os.environ["DP_NONPROD_ACCOUNTS"] = ACCOUNT
    settings._reset()
    cfg = get_config()
    assert (cfg.env, cfg.account_id) == ("dev", ACCOUNT)


# ─── local ───────────────────────────────────────────────────────────────────


def test_local_config_needs_no_aws(domain_file: Path, tmp_path: Path) -> None:
    cfg = get_config()
    lake = tmp_path / "lake"
    assert isinstance(cfg, Settings)
    assert (cfg.env, cfg.domain_name, cfg.domain_abbr, cfg.aws_region) == (
        "local",
        "testdomain",
        "t01",
        "eu-central-1",
    )
    assert cfg.is_local
    assert cfg.account_id == settings.LOCAL_ACCOUNT_ID == "000000000000"
    assert cfg.catalog == "glue_catalog"
    for purpose in ("raw", "refined", "curated", "artifacts"):
        bucket = f"t01-{purpose}-000000000000-local"
        assert cfg.bucket(purpose) == bucket
        assert cfg.uri(purpose) == f"file://{lake / bucket}"
    assert (cfg.s3_bucket_raw, cfg.refined_uri) == (
        "t01-raw-000000000000-local",
        f"file://{lake / 't01-refined-000000000000-local'}",
    )
    for layer in ("raw", "refined", "curated"):
        assert cfg.database(layer) == f"t01_{layer}_local"
    assert cfg.iceberg_database_curated == "t01_curated_local"
    assert cfg.iceberg_warehouse == f"file://{lake / 'warehouse'}"
    assert cfg.lake_dir == lake
    assert cfg.args == {}


def test_local_uris_are_not_percent_encoded(domain_file: Path, tmp_path: Path) -> None:
    """Hadoop reads ``file:`` paths literally: ``%20`` would name another folder."""
    os.environ["DP_LAKE_DIR"] = str(tmp_path / "my lake é")
    cfg = get_config()
    assert cfg.iceberg_warehouse == f"file://{tmp_path}/my lake é/warehouse"
    assert cfg.raw_uri == f"file://{tmp_path}/my lake é/t01-raw-000000000000-local"
    assert settings.local_uri(Path("/a b/c")) == "file:///a b/c"


def test_local_account_override_and_env_case(domain_file: Path) -> None:
    os.environ["AWS_ACCOUNT_ID"] = "111122223333"
    os.environ["ENV"] = " LOCAL "
    cfg = get_config()
    assert cfg.env == "local"
    assert cfg.account_id == "111122223333"
    assert cfg.s3_bucket_raw == "t01-raw-111122223333-local"


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
    assert cfg.domain_abbr == "r02"  # read from <repo>/setup/domain.json
    assert cfg.lake_dir == repo / ".local" / "lake"


def test_naming_rules() -> None:
    assert bucket_name("f01", "raw", ACCOUNT, "dev") == f"f01-raw-{ACCOUNT}-dev"
    assert database_name("f01", "curated", "prod") == "f01_curated_prod"


# ─── AWS environments ────────────────────────────────────────────────────────


def test_non_local_uses_aws_account_id(domain_file: Path) -> None:
    os.environ.update(ENV="dev", AWS_ACCOUNT_ID=ACCOUNT, DP_NONPROD_ACCOUNTS=f"999,{ACCOUNT}")
    cfg = get_config()
    assert cfg.account_id == ACCOUNT
    assert not cfg.is_local
    assert cfg.s3_bucket_refined == f"t01-refined-{ACCOUNT}-dev"
    assert cfg.refined_uri == f"s3://t01-refined-{ACCOUNT}-dev"
    assert cfg.iceberg_database_curated == "t01_curated_dev"
    assert cfg.table("curated", "pricing_summary") == "glue_catalog.t01_curated_dev.pricing_summary"
    assert cfg.iceberg_warehouse == f"s3://t01-refined-{ACCOUNT}-dev/warehouse/"
    assert cfg.lake_dir is None


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
    assert cfg.account_id == ACCOUNT
    assert cfg.s3_bucket_raw == f"t01-raw-{ACCOUNT}-int"
    assert len(_FakeSts.calls) == 1
    assert "Action=GetCallerIdentity" in _FakeSts.calls[0]
    get_config()
    assert len(_FakeSts.calls) == 1  # cached


# ─── workstation guard ──────────────────────────────────────────────────────


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
        assert get_config().account_id == ACCOUNT
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'default'" in m and ACCOUNT in m for m in warnings), warnings


def test_guard_accepts_a_confirmed_account(domain_file: Path) -> None:
    os.environ.update(ENV="prod", AWS_ACCOUNT_ID=ACCOUNT, DP_CONFIRM_ACCOUNT=ACCOUNT)
    assert get_config().account_id == ACCOUNT


def test_guard_confirmation_must_name_the_account(domain_file: Path) -> None:
    os.environ.update(ENV="prod", AWS_ACCOUNT_ID=ACCOUNT, DP_CONFIRM_ACCOUNT="210987654321")
    with pytest.raises(ConfigError, match=ACCOUNT):
        get_config()


def test_guard_is_off_inside_glue(domain_file: Path) -> None:
    os.environ.update(ENV="prod", AWS_ACCOUNT_ID=ACCOUNT, JOB_RUN_ID="jr_0123")
    assert get_config().account_id == ACCOUNT


# ─── sources: Glue arguments, .env, domain file ──────────────────────────────


def test_bridged_glue_args_are_the_job_arguments(domain_file: Path) -> None:
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
    # Held once, as passed: no lower-case copies, no aliases.
    assert cfg.args == {
        "JOB_NAME": "f01-q5",
        "Q5_REGION": "ASIA",
        "job-bookmark-option": "x",
        "ENV": "local",
    }
    assert cfg.get("JOB_NAME") == cfg.get("job_name") == "f01-q5"
    assert cfg.get("Q5_REGION") == cfg.get("q5_region") == "ASIA"
    assert cfg.get("job-bookmark-option") == cfg.get("JOB_BOOKMARK_OPTION") == "x"
    assert cfg.env == "local"


def test_dotenv_is_loaded_without_overriding(domain_file: Path, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "ENV=dev\nAWS_ACCOUNT_ID=111122223333\nDP_FROM_DOTENV=yes\n", encoding="utf-8"
    )
    os.environ["ENV"] = "local"  # already set: .env must not replace it
    cfg = get_config()
    assert cfg.env == "local"
    assert cfg.account_id == "111122223333"  # not set before: taken from .env
    assert os.environ["DP_FROM_DOTENV"] == "yes"


def test_dotenv_found_in_a_parent_folder(
    domain_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("AWS_ACCOUNT_ID=111122223333\n", encoding="utf-8")
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert get_config().account_id == "111122223333"


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


# ─── first use: the Glue-args bridge and .env ─────────────────


def test_first_get_config_bridges_sys_argv(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["job.py", "--Q5_REGION", "EUROPE", "--job-bookmark-option", "x"]
    )
    assert "Q5_REGION" not in os.environ  # nothing read before first use
    cfg = get_config()
    assert os.environ["Q5_REGION"] == cfg.get("Q5_REGION") == "EUROPE"
    assert os.environ["job-bookmark-option"] == cfg.get("job-bookmark-option") == "x"  # noqa: SIM112


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
    assert get_config().env == "local"
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
    assert cfg.env == "local"
    assert "DP_FROM_DOTENV" not in os.environ
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        str(tmp_path / ".env") in m and "python-dotenv" in m and "[local]" in m for m in warnings
    ), warnings


# ─── the typed object ────────────────────────────────────────────────────────


def _with_args(monkeypatch: pytest.MonkeyPatch, *argv: str) -> Settings:
    monkeypatch.setattr(sys, "argv", ["job.py", *argv])
    return get_config()


def test_settings_is_frozen(domain_file: Path) -> None:
    cfg = get_config()
    assert dataclasses.is_dataclass(cfg)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.env = "prod"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg["env"] = "prod"  # type: ignore[index]
    with pytest.raises(TypeError):
        cfg.args["TABLES"] = "x"  # type: ignore[index]
    assert get_config().env == "local"


def test_settings_fields_are_the_platform_facts(domain_file: Path) -> None:
    names = [f.name for f in dataclasses.fields(Settings)]
    assert set(names) == (REQUIRED_KEYS | {"args"})
    assert all(isinstance(getattr(get_config(), n), str) for n in REQUIRED_KEYS - {"lake_dir"})


def test_arguments_given_to_the_constructor_are_copied() -> None:
    given = {"TABLES": "orders"}
    cfg = dataclasses.replace(_any_settings(), args=given)
    given["TABLES"] = "changed"
    assert cfg.get("TABLES") == "orders"


def test_settings_pickle_and_compare(domain_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spark pickles what a UDF's closure holds: the settings survive the trip."""
    cfg = _with_args(monkeypatch, "--TABLES", "orders")
    copy = pickle.loads(pickle.dumps(cfg))
    assert copy == cfg
    assert copy.get("TABLES") == "orders"
    assert copy is not cfg
    assert dataclasses.asdict(cfg)["args"] == {"TABLES": "orders"}  # asdict deep-copies
    assert cfg != dataclasses.replace(cfg, args={"TABLES": "lineitem"})


def test_table_names_a_table_of_a_layer(domain_file: Path) -> None:
    cfg = get_config()
    assert cfg.table("refined", "orders") == "glue_catalog.t01_refined_local.orders"
    assert cfg.table("curated", "q5_by_nation") == "glue_catalog.t01_curated_local.q5_by_nation"
    assert cfg.table("raw", "_staging") == "glue_catalog.t01_raw_local._staging"


@pytest.mark.parametrize(
    ("layer", "name", "message"),
    [
        ("gold", "orders", "unknown layer 'gold'; the layers are ['raw', 'refined', 'curated']"),
        ("Refined", "orders", "unknown layer 'Refined'"),
        ("refined", "Orders", "table name 'Orders' is not a Glue table name"),
        ("refined", "", "table name '' is not a Glue table name"),
        ("refined", "1orders", "starting with a letter or underscore"),
        ("refined", "order-lines", "lower-case letters, digits and underscores"),
        ("refined", "t01_refined_local.orders", "without its database"),
        ("refined", "x" * 256, "is not a Glue table name"),
    ],
)
def test_table_refuses_bad_layers_and_names(
    domain_file: Path, layer: str, name: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        get_config().table(layer, name)


def test_buckets_and_databases_by_name_refuse_unknown_ones(domain_file: Path) -> None:
    cfg = get_config()
    with pytest.raises(ConfigError, match=r"unknown bucket purpose 'logs'; the purposes are"):
        cfg.bucket("logs")
    with pytest.raises(ConfigError, match=r"unknown bucket purpose 'logs'"):
        cfg.uri("logs")
    with pytest.raises(ConfigError, match=r"unknown layer 'artifacts'"):
        cfg.database("artifacts")


def test_get_reads_a_job_argument_in_any_case(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _with_args(monkeypatch, "--SOURCE_PREFIX", "tpch", "--enable-metrics", "--TempDir", "s3")
    assert cfg.get("SOURCE_PREFIX") == cfg.get("source_prefix") == "tpch"
    assert cfg.get("ENABLE_METRICS") == cfg.get("enable-metrics") == "true"  # a bare flag
    assert cfg.get("TempDir") == cfg.get("tempdir") == "s3"
    assert cfg.get("MISSING") is None
    assert cfg.get("MISSING", "default") == "default"


def test_get_int(domain_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _with_args(monkeypatch, "--Q5_YEAR", " 1995 ", "--DELTA", "-3")
    assert cfg.get_int("Q5_YEAR", 1994) == 1995
    assert cfg.get_int("q5_year") == 1995
    assert cfg.get_int("DELTA", 0) == -3
    assert cfg.get_int("MISSING", 90) == 90


@pytest.mark.parametrize("value", ["abc", "1.5", "", "12x"])
def test_get_int_names_the_argument_and_the_bad_value(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    cfg = _with_args(monkeypatch, f"--Q5_YEAR={value}")
    with pytest.raises(ConfigError) as info:
        cfg.get_int("q5_year", 1994)
    assert str(info.value) == f"job argument --Q5_YEAR must be an integer; found {value!r}"


def test_get_int_and_get_bool_without_default_require_the_argument(domain_file: Path) -> None:
    cfg = get_config()
    with pytest.raises(ConfigError, match=r"job argument --Q5_YEAR \(an integer\) is required"):
        cfg.get_int("Q5_YEAR")
    with pytest.raises(ConfigError, match=r"job argument --DRY_RUN \(true or false\) is required"):
        cfg.get_bool("DRY_RUN")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(word, True) for word in ("true", "TRUE", "yes", "on", "1", " y ")],
        *[(word, False) for word in ("false", "False", "no", "off", "0")],
    ],
)
def test_get_bool(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    cfg = _with_args(monkeypatch, "--DRY_RUN", value)
    assert cfg.get_bool("DRY_RUN", not expected) is expected


def test_get_bool_flag_default_and_error(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _with_args(monkeypatch, "--FULL_REFRESH", "--MODE", "maybe")
    assert cfg.get_bool("FULL_REFRESH", False) is True  # passed without a value
    assert cfg.get_bool("MISSING", False) is False
    with pytest.raises(ConfigError) as info:
        cfg.get_bool("mode", False)
    assert str(info.value) == (
        "job argument --MODE must be a boolean (true/false, yes/no, on/off, 1/0); found 'maybe'"
    )


# ─── the old dict's keys, for the transition ─────────────────────────────────


def test_mapping_access_keeps_working(domain_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _with_args(monkeypatch, "--JOB_NAME", "f01-q5", "--job-bookmark-option", "x")
    assert isinstance(cfg, Mapping)
    assert cfg.keys() >= REQUIRED_KEYS
    assert cfg["iceberg_database_refined"] == cfg.iceberg_database_refined
    assert cfg["lake_dir"] == str(cfg.lake_dir)
    # Every argument under its own name, its lower-case name and its alias, as the dict had.
    assert cfg["job_name"] == cfg["JOB_NAME"] == "f01-q5"
    for key in ("job-bookmark-option", "JOB_BOOKMARK_OPTION", "job_bookmark_option"):
        assert key in list(cfg)  # listed, not only found
        assert cfg[key] == "x"
    legacy = dict(cfg)
    assert len(legacy) == len(cfg) == len(REQUIRED_KEYS) + 2 + 3
    assert json.loads(json.dumps(legacy)) == legacy
    with pytest.raises(KeyError):
        cfg["nope"]


def test_a_fact_wins_over_an_argument_spelled_the_same(
    domain_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _with_args(monkeypatch, "--ENV", " LOCAL ")
    assert cfg["env"] == cfg.get("env") == "local"
    assert cfg.get("ENV") == " LOCAL "  # the argument as passed


def _any_settings() -> Settings:
    return Settings(
        env="dev",
        domain_name="d",
        domain_abbr="t01",
        aws_region="eu-west-1",
        account_id=ACCOUNT,
        s3_bucket_raw="r",
        s3_bucket_refined="rf",
        s3_bucket_curated="c",
        s3_bucket_artifacts="a",
        raw_uri="s3://r",
        refined_uri="s3://rf",
        curated_uri="s3://c",
        artifacts_uri="s3://a",
        iceberg_database_raw="t01_raw_dev",
        iceberg_database_refined="t01_refined_dev",
        iceberg_database_curated="t01_curated_dev",
        iceberg_warehouse="s3://rf/warehouse/",
    )
