"""The public surface of dp_foundation: what each package exports, typing marker, errors."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import dp_foundation
from dp_foundation import exceptions

PACKAGES = [
    "dp_foundation",
    "dp_foundation.config",
    "dp_foundation.config.args",
    "dp_foundation.config.settings",
    "dp_foundation.exceptions",
    "dp_foundation.iceberg",
    "dp_foundation.iceberg.catalog",
    "dp_foundation.io",
    "dp_foundation.io.readers",
    "dp_foundation.io.writers",
    "dp_foundation.logging",
    "dp_foundation.logging.logger",
    "dp_foundation.quality",
    "dp_foundation.quality.checks",
    "dp_foundation.spark",
    "dp_foundation.spark.local_jars",
    "dp_foundation.spark.session",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_exists(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    # ruff's isort-style order (RUF022): constants, then classes, then everything else.
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == []


def test_version_and_typing_marker() -> None:
    assert dp_foundation.__version__.count(".") >= 2
    assert (Path(dp_foundation.__file__).parent / "py.typed").is_file()


def test_every_error_is_a_data_platform_error() -> None:
    errors = [
        obj
        for _, obj in inspect.getmembers(exceptions, inspect.isclass)
        if obj.__module__ == exceptions.__name__
    ]
    assert len(errors) == len(exceptions.__all__)
    for error in errors:
        assert issubclass(error, exceptions.DataPlatformError)
        assert error.__doc__


def test_data_quality_error_keeps_its_failures() -> None:
    error = exceptions.DataQualityError("2 checks failed", failures=["a", "b"])
    assert error.failures == ["a", "b"]
    assert exceptions.DataQualityError("x").failures == []
