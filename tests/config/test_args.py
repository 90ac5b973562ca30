"""dp_foundation.config.args: Glue's ``--KEY value`` job arguments become environment variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dp_foundation.config.args import bridge_glue_args, bridged_args, env_name, parse_glue_args


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--ENV", "dev"], {"ENV": "dev"}),
        (["--ENV=dev"], {"ENV": "dev"}),
        (["--SQL=a=b"], {"SQL": "a=b"}),
        (["--EMPTY="], {"EMPTY": ""}),
        (["--ENV", "dev", "--Q5_REGION", "EUROPE"], {"ENV": "dev", "Q5_REGION": "EUROPE"}),
        (["--VERBOSE"], {"VERBOSE": "true"}),
        (["--VERBOSE", "--ENV", "dev"], {"VERBOSE": "true", "ENV": "dev"}),
        (["--VERBOSE", "--ENV=dev"], {"VERBOSE": "true", "ENV": "dev"}),
        (["--ENV", "dev", "--VERBOSE"], {"ENV": "dev", "VERBOSE": "true"}),
        (["--OFFSET", "-5"], {"OFFSET": "-5"}),
        (["--ENV", "dev", "--ENV", "int"], {"ENV": "int"}),
        # What Glue itself passes to every job script.
        (
            [
                "--JOB_ID",
                "j_0123",
                "--JOB_RUN_ID",
                "jr_0123",
                "--JOB_NAME",
                "f01-refine-dev",
                "--job-bookmark-option",
                "job-bookmark-disable",
                "--TempDir",
                "s3://f01-artifacts-123456789012-dev/tmp/",
                "--enable-metrics",
            ],
            {
                "JOB_ID": "j_0123",
                "JOB_RUN_ID": "jr_0123",
                "JOB_NAME": "f01-refine-dev",
                "job-bookmark-option": "job-bookmark-disable",
                "JOB_BOOKMARK_OPTION": "job-bookmark-disable",
                "TempDir": "s3://f01-artifacts-123456789012-dev/tmp/",
                "enable-metrics": "true",
                "ENABLE_METRICS": "true",
            },
        ),
        # A key keeps its spelling; the upper-snake alias never replaces an explicit key.
        (
            ["--job-bookmark-option", "a", "--JOB_BOOKMARK_OPTION", "b"],
            {"job-bookmark-option": "a", "JOB_BOOKMARK_OPTION": "b"},
        ),
        (
            ["--JOB_BOOKMARK_OPTION", "b", "--job-bookmark-option", "a"],
            {"JOB_BOOKMARK_OPTION": "b", "job-bookmark-option": "a"},
        ),
        (["--q5.region", "ASIA"], {"q5.region": "ASIA", "Q5_REGION": "ASIA"}),
        # A valueless flag never swallows the next key, whatever its spelling.
        (
            ["--enable-metrics", "--job-bookmark-option", "x"],
            {
                "enable-metrics": "true",
                "job-bookmark-option": "x",
                "ENABLE_METRICS": "true",
                "JOB_BOOKMARK_OPTION": "x",
            },
        ),
        (
            ["--FLAG", "--q5.region=ASIA"],
            {"FLAG": "true", "q5.region": "ASIA", "Q5_REGION": "ASIA"},
        ),
        (["--FLAG", "--TempDir", "s3://t/"], {"FLAG": "true", "TempDir": "s3://t/"}),
        (["--A", "--B", "--C"], {"A": "true", "B": "true", "C": "true"}),
        # A value that merely contains "--" is a value (Glue's --conf chains Spark settings so).
        (
            ["--conf", "spark.a=1 --conf spark.b=2", "--ENV", "dev"],
            {"conf": "spark.a=1 --conf spark.b=2", "ENV": "dev"},
        ),
        (["--SQL", "-- a comment"], {"SQL": "-- a comment"}),
        # Anything that is not a --KEY is ignored: the script path, pytest's own options.
        (["script.py", "-q", "-", "--", "--ENV", "dev"], {"ENV": "dev"}),
        ([], {}),
    ],
)
def test_parse_glue_args(argv: list[str], expected: dict[str, str]) -> None:
    assert parse_glue_args(argv) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("ENV", "ENV"),
        ("JOB_NAME", "JOB_NAME"),
        ("TempDir", "TempDir"),
        ("job-bookmark-option", "JOB_BOOKMARK_OPTION"),
        ("q5.region", "Q5_REGION"),
    ],
)
def test_env_name(key: str, expected: str) -> None:
    assert env_name(key) == expected


def test_bridge_sets_variables_and_returns_everything_read() -> None:
    for name in ("DP_TEST_A", "DP_TEST_FLAG", "job-bookmark-option", "JOB_BOOKMARK_OPTION"):
        os.environ.pop(name, None)

    result = bridge_glue_args(
        ["--DP_TEST_A", "1", "--DP_TEST_FLAG", "--job-bookmark-option", "job-bookmark-enable"]
    )

    assert result == {
        "DP_TEST_A": "1",
        "DP_TEST_FLAG": "true",
        "job-bookmark-option": "job-bookmark-enable",
        "JOB_BOOKMARK_OPTION": "job-bookmark-enable",
    }
    assert os.environ["DP_TEST_A"] == "1"
    assert os.environ["DP_TEST_FLAG"] == "true"
    # Glue's own spelling, and the alias.
    assert os.environ["job-bookmark-option"] == "job-bookmark-enable"  # noqa: SIM112
    assert os.environ["JOB_BOOKMARK_OPTION"] == "job-bookmark-enable"
    assert bridged_args().items() >= result.items()


def test_bridge_never_overwrites_a_set_variable() -> None:
    os.environ["DP_TEST_SET"] = "from-shell"
    os.environ.pop("DP_TEST_NEW", None)

    result = bridge_glue_args(["--DP_TEST_SET", "from-glue", "--DP_TEST_NEW", "new"])

    assert os.environ["DP_TEST_SET"] == "from-shell"
    assert os.environ["DP_TEST_NEW"] == "new"
    # The returned dict still reports what was read.
    assert result == {"DP_TEST_SET": "from-glue", "DP_TEST_NEW": "new"}


def test_bridge_reads_sys_argv_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["job.py", "--DP_TEST_ARGV", "x"])
    os.environ.pop("DP_TEST_ARGV", None)

    assert bridge_glue_args() == {"DP_TEST_ARGV": "x"}
    assert os.environ["DP_TEST_ARGV"] == "x"


def test_import_bridges_nothing_first_get_config_does(domain_file: Path) -> None:
    """What a Glue job sees: ``import dp_foundation`` leaves the environment alone; the first
    ``get_config()`` reads ``sys.argv`` (Glue's own spelling kept), and never overwrites."""
    env = {k: v for k, v in os.environ.items() if k not in ("ENV", "JOB_NAME", "DP_KEEP")}
    env["DP_KEEP"] = "shell"
    names = ["ENV", "JOB_NAME", "job-bookmark-option", "JOB_BOOKMARK_OPTION", "DP_FLAG", "DP_KEEP"]
    code = f"""
import json, os, sys
names = {names!r}
import dp_foundation
after_import = {{k: os.environ.get(k) for k in names}}
from dp_foundation.config.settings import get_config
cfg = get_config()
after_config = {{k: os.environ.get(k) for k in names}}
print(json.dumps([after_import, after_config, cfg.env, cfg.get("JOB_NAME")]))
"""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "--JOB_NAME",
            "f01-refine-int",
            "--ENV",
            "int",
            "--JOB_RUN_ID",
            "jr_1",
            "--AWS_ACCOUNT_ID",
            "123456789012",
            "--job-bookmark-option",
            "job-bookmark-disable",
            "--DP_FLAG",
            "--DP_KEEP",
            "glue",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    after_import, after_config, cfg_env, cfg_job = json.loads(out.stdout)
    assert after_import == dict.fromkeys(names) | {"DP_KEEP": "shell"}
    assert after_config == {
        "ENV": "int",
        "JOB_NAME": "f01-refine-int",
        "job-bookmark-option": "job-bookmark-disable",
        "JOB_BOOKMARK_OPTION": "job-bookmark-disable",
        "DP_FLAG": "true",
        "DP_KEEP": "shell",
    }
    assert (cfg_env, cfg_job) == ("int", "f01-refine-int")
