"""dp_foundation.config.args: Glue's ``--KEY value`` job arguments become environment variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
                "JOB_BOOKMARK_OPTION": "job-bookmark-disable",
                "TempDir": "s3://f01-artifacts-123456789012-dev/tmp/",
                "ENABLE_METRICS": "true",
            },
        ),
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
    os.environ.pop("DP_TEST_A", None)
    os.environ.pop("DP_TEST_FLAG", None)
    os.environ.pop("JOB_BOOKMARK_OPTION", None)

    result = bridge_glue_args(
        ["--DP_TEST_A", "1", "--DP_TEST_FLAG", "--job-bookmark-option", "job-bookmark-enable"]
    )

    assert result == {
        "DP_TEST_A": "1",
        "DP_TEST_FLAG": "true",
        "JOB_BOOKMARK_OPTION": "job-bookmark-enable",
    }
    assert os.environ["DP_TEST_A"] == "1"
    assert os.environ["DP_TEST_FLAG"] == "true"
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


def test_importing_the_package_bridges_argv() -> None:
    """What a Glue job sees: ``sys.argv`` read on ``import dp_foundation``, before settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("ENV", "JOB_NAME", "DP_KEEP")}
    env["DP_KEEP"] = "shell"
    code = (
        "import json, os, dp_foundation;"
        "print(json.dumps({k: os.environ.get(k) for k in "
        "['ENV', 'JOB_NAME', 'JOB_BOOKMARK_OPTION', 'DP_FLAG', 'DP_KEEP']}))"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "--JOB_NAME",
            "f01-refine-int",
            "--ENV",
            "int",
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
    assert json.loads(out.stdout) == {
        "ENV": "int",
        "JOB_NAME": "f01-refine-int",
        "JOB_BOOKMARK_OPTION": "job-bookmark-disable",
        "DP_FLAG": "true",
        "DP_KEEP": "shell",
    }
