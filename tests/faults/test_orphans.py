"""Orphan files: what a killed job left is listed by `dp tables --orphans` and removed by
`dp tables remove-orphans`, which never touches a referenced file."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from iceberg_faults import KILLED, CrashedLake, duckdb_rows, files_under, pyiceberg_rows

from dp_cli.main import main
from dp_cli.tables import find_orphans, list_tables, referenced_files

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("faults")]

FOUR_DAYS_S = 4 * 24 * 3600


@pytest.fixture
def lake_env(crashed_lake: CrashedLake, monkeypatch: pytest.MonkeyPatch) -> CrashedLake:
    monkeypatch.setenv("ENV", "local")
    monkeypatch.setenv("DP_LAKE_DIR", str(crashed_lake.lake))
    return crashed_lake


def _dp(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_the_orphans_are_exactly_what_the_killed_job_left(lake_env: CrashedLake) -> None:
    for name in KILLED:
        folder = lake_env.dir(name)
        orphans = {str(o.path.relative_to(folder)) for o in find_orphans(folder)}
        # The rerun wrote and committed its own files; the killed job's stay unreferenced.
        assert orphans == lake_env.leftovers(name), name
    # Tables no job was killed on have none, however many snapshots they hold.
    for info in list_tables(lake_env.lake / "warehouse"):
        if info.name not in KILLED:
            assert find_orphans(info.location) == [], info.name


def test_dp_tables_orphans_lists_them(
    lake_env: CrashedLake, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _dp(capsys, "tables", "--orphans")
    for name in KILLED:
        assert f"faults.{name}: {len(lake_env.leftovers(name))} orphan file(s)" in out
        for leftover in lake_env.leftovers(name):
            assert leftover in out
    assert "new " in out and "remove-orphans" in out


def _age(paths: list[Path]) -> None:
    old = time.time() - FOUR_DAYS_S
    for path in paths:
        os.utime(path, (old, old))


def test_remove_orphans_keeps_every_referenced_file(
    lake_env: CrashedLake, capsys: pytest.CaptureFixture[str], duckdb_iceberg: Any
) -> None:
    warehouse = lake_env.lake / "warehouse"
    tables = [t.location for t in list_tables(warehouse)]
    before = {t: files_under(t) for t in tables}
    rows = {t: pyiceberg_rows(t) for t in tables}
    referenced = {t: referenced_files(t) for t in tables}
    # An older snapshot's own files, no longer in the current one (the rollback table's
    # replaced partition), must be among the referenced files.
    rollback = lake_env.dir("rollback")
    good = lake_env.results["good"]["rollback"]
    good_rows = pyiceberg_rows_at(rollback, good)
    assert len(good_rows) == 200

    # Young orphans are kept by the default age (3 days): they may be a commit in flight.
    out = _dp(capsys, "tables", "remove-orphans")
    assert "removed 0 orphan file(s)" in out
    assert {t: files_under(t) for t in tables} == before

    # Old ones, next to old referenced files: only the orphans go.
    for table in tables:
        _age(sorted(table.rglob("*")))
    out = _dp(capsys, "tables", "remove-orphans", "--dry-run")
    expected = sum(len(lake_env.leftovers(n)) for n in KILLED)
    assert f"would remove {expected} orphan file(s)" in out
    assert {t: files_under(t) for t in tables} == before

    out = _dp(capsys, "tables", "remove-orphans")
    assert f"removed {expected} orphan file(s)" in out
    for table in tables:
        gone = lake_env.leftovers(table.name) if table.name in KILLED else set()
        assert files_under(table) == before[table] - gone, table.name
        assert all(path.exists() for path in referenced[table]), table.name
        # Every table reads as before, with pyiceberg and DuckDB.
        assert pyiceberg_rows(table) == rows[table], table.name
        assert duckdb_rows(duckdb_iceberg, table) == rows[table], table.name
    assert pyiceberg_rows_at(rollback, good) == good_rows  # time travel still works
    assert all(find_orphans(t) == [] for t in tables)


def pyiceberg_rows_at(folder: Path, snapshot_id: int) -> list[tuple[Any, ...]]:
    """The table's rows at ``snapshot_id`` as pyiceberg reads them."""
    from pyiceberg.table import StaticTable

    from dp_cli.tables import current_metadata_file

    table = StaticTable.from_metadata(str(current_metadata_file(folder)))
    arrow = table.scan(snapshot_id=snapshot_id).to_arrow()
    return sorted(zip(*(arrow.column(c).to_pylist() for c in arrow.column_names), strict=True))


def test_an_age_that_is_not_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENV", "local")
    monkeypatch.setenv("DP_LAKE_DIR", str(tmp_path))
    assert main(["tables", "remove-orphans", "--older-than", "3 days"]) == 2
    assert "'3 days' is not an age; expected a number and s, m, h or d" in capsys.readouterr().err
