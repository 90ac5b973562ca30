"""Shared fixtures: one local Spark + Iceberg session per test process, and a clean environment.

* ``spark`` (session scope) builds the session through :func:`dp_foundation.spark.get_spark`,
  so the real local backend (catalog ``glue_catalog``, Hadoop catalog) is what the tests use.
  Its warehouse lives in a temporary lake folder (``ENV=local``, ``DP_LAKE_DIR``). It is only
  created for tests that request it; every such test is marked ``spark`` and put in the
  ``xdist_group`` "spark", so ``pytest -n 2 --dist loadgroup`` builds one session per worker
  that runs Spark tests and keeps the other worker free for the fast tests.
* ``lake`` (session scope) is that lake folder.
* ``_clean_environment`` (autouse) restores ``os.environ`` and the bridged-argument record after
  every test and clears the cached configuration, so a test that changes the environment
  cannot leak into the next one.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from dp_foundation.config import args as glue_args
from dp_foundation.config import settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPARK_GROUP = "spark"


# pyspark.testing imports pandas-on-Spark, which warns (an error here) unless this is set.
os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")

# Variables that would steer the session away from the local, temporary lake.
_SPARK_ENV_CLEARED = (
    "DP_RUNTIME",
    "JOB_RUN_ID",
    "DP_DOMAIN_FILE",
    "AWS_ACCOUNT_ID",
    "PYSPARK_PYTHON",  # the library chooses the workers' interpreter
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "spark: uses the session-scoped local Spark + Iceberg session (seconds)"
    )
    # pytest-xdist registers this marker; registering it here too lets `-p no:xdist` runs
    # (which --strict-markers would otherwise refuse) collect the grouped tests.
    config.addinivalue_line("markers", "xdist_group(name): run on one xdist worker, in order")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses ``spark`` and keep those tests on one xdist worker each."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)
            item.add_marker(pytest.mark.xdist_group(SPARK_GROUP))
    _keep_xdist_groups(config, items)


def _keep_xdist_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make ``--dist loadgroup`` group again under pytest 9.

    pytest-xdist (3.8) tells its scheduler an item's group by appending ``@group`` to the
    item's ``_nodeid``; pytest 9 computes ``nodeid`` from ``_id`` instead, so the suffix is
    lost and every group is spread over the workers (the e2e tests, which share one lake in
    order, then fail). This sets the same suffix through ``_id``, on xdist workers only.
    Remove it once pytest-xdist supports pytest 9; with pytest < 9 it does nothing.
    """
    if not hasattr(config, "workerinput") or not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId  # pytest >= 9
    except ImportError:  # older pytest: xdist's own suffix works
        return
    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        if names and "@" not in item.nodeid.rpartition("]")[2]:
            suffixed = f"{item.nodeid}@{'_'.join(sorted(names))}"
            item._id = NodeId.parse(suffixed)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local lake folder of the test session (``DP_LAKE_DIR`` of the ``spark`` session)."""
    return tmp_path_factory.mktemp("lake")


@pytest.fixture(scope="session")
def spark(lake: Path) -> Iterator[SparkSession]:
    """The process's local Spark session with Iceberg, built by the library's local backend."""
    from dp_foundation.spark.session import get_spark

    saved = dict(os.environ)
    for name in _SPARK_ENV_CLEARED:
        os.environ.pop(name, None)
    os.environ["ENV"] = "local"
    os.environ["DP_LAKE_DIR"] = str(lake)
    os.environ.setdefault("DP_SHUFFLE_PARTITIONS", "2")
    os.environ.setdefault("DP_SPARK_MASTER", "local[2]")
    settings._reset()
    session = get_spark("dp-foundation-tests")
    try:
        yield session
    finally:
        session.stop()
        os.environ.clear()
        os.environ.update(saved)
        settings._reset()


@pytest.fixture(autouse=True)
def _clean_environment() -> Iterator[None]:
    """Restore ``os.environ`` and the bridged Glue arguments after each test; reset config."""
    saved_env = dict(os.environ)
    saved_bridged = dict(glue_args._bridged)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        glue_args._bridged.clear()
        glue_args._bridged.update(saved_bridged)
        settings._reset()


@pytest.fixture
def duckdb_iceberg() -> Iterator[Any]:
    """A DuckDB connection with the iceberg extension loaded from the PyPI wheels (offline)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        for name in ("avro", "iceberg"):  # iceberg needs avro: load it first
            spec = importlib.util.find_spec(f"duckdb_extension_{name}")
            assert spec is not None and spec.submodule_search_locations, name
            folder = Path(next(iter(spec.submodule_search_locations)))
            (extension,) = sorted(folder.glob(f"extensions/*/{name}.duckdb_extension"))
            con.execute(f"LOAD '{extension}'")
        yield con
    finally:
        con.close()
