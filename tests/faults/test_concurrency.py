"""Two writers on one table at once (separate job processes, real Spark, the local Hadoop
catalog): both commit through Iceberg's optimistic retries, or one fails with a clear
conflict error naming the table; the table stays consistent and no update is lost.

The race is forced, not hoped for (``iceberg_worker.py``, fault ``before-commit``): writer A
runs up to the rename that would commit its new metadata version and waits there; writer B
then commits that version; A goes on and finds it taken. That is the interleaving in which a
lost update would happen, on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from iceberg_faults import Worker, pyiceberg_rows, snapshot_log, table_dir

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("faults")]

DB = "race"
BASE_N = 30


def _rows(start: int, stop: int, tag: str, p: int | None = None) -> str:
    part = f"CAST({p} AS INT)" if p is not None else "CAST(id % 3 AS INT)"
    return f"SELECT id, '{tag}' AS v, {part} AS p FROM range({start}, {stop})"


def _seed(name: str, partitioned: bool = False) -> dict[str, Any]:
    step: dict[str, Any] = {
        "write": f"{DB}.{name}",
        "mode": "append",
        "sql": _rows(0, BASE_N, "base"),
    }
    if partitioned:
        step["partition_by"] = ["p"]
    return step


def _race(name: str, a: dict[str, Any], b: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A holds before its commit until B has committed; then A goes on."""
    table = f"{DB}.{name}"
    first = {"write": table, **a, "fault": "before-commit", "signal": f"{name}-a-held",
             "release": f"{name}-b", "result": f"{name}-a"}  # fmt: skip
    second = {"write": table, **b, "after": f"{name}-a-held", "result": f"{name}-b"}
    return first, second


MERGE = {"mode": "merge", "merge_keys": ["id"]}
RACES = {
    # Two partition overwrites of different partitions: both land.
    "op": ({"mode": "overwrite_partitions", "sql": _rows(100, 110, "a", 1), "partition_by": ["p"]},
           {"mode": "overwrite_partitions", "sql": _rows(300, 310, "b", 2), "partition_by": ["p"]}),
    # Two overwrites of the same partition: blind writes, so the later commit's batch is the
    # partition, whole, as if they had run one after the other.
    "os": ({"mode": "overwrite_partitions", "sql": _rows(100, 110, "a", 1), "partition_by": ["p"]},
           {"mode": "overwrite_partitions", "sql": _rows(300, 320, "b", 1), "partition_by": ["p"]}),
    # Two merges on overlapping keys: the later one must not overwrite what it never read.
    "mm": ({**MERGE, "sql": _rows(0, 10, "a")}, {**MERGE, "sql": _rows(5, 15, "b")}),
    # An append racing a merge that commits first: the append is re-applied on top.
    "am": ({"mode": "append", "sql": _rows(200, 205, "a")}, {**MERGE, "sql": _rows(5, 15, "b")}),
    # A merge racing an append that commits first: the merge may have missed the new rows.
    "ma": ({**MERGE, "sql": _rows(0, 10, "a")}, {"mode": "append", "sql": _rows(400, 405, "b")}),
    # A table that allows no retry: the loser's commit fails.
    "nr": ({"mode": "append", "sql": _rows(500, 505, "a")},
           {"mode": "append", "sql": _rows(600, 605, "b")}),
}  # fmt: skip


class Race:
    def __init__(self, root: Path) -> None:
        self.lake = root / "lake"
        self.markers = root / "markers"
        a_steps: list[dict[str, Any]] = [
            _seed("op", partitioned=True),
            _seed("os", partitioned=True),
            _seed("mm"),
        ]
        b_steps: list[dict[str, Any]] = [
            _seed("am"),
            _seed("ma"),
            _seed("nr"),
            {"sql": f"ALTER TABLE glue_catalog.{DB}.nr "
                    "SET TBLPROPERTIES ('commit.retry.num-retries' = '0')"},
        ]  # fmt: skip
        a_steps += [{"signal": "a-seeded"}, {"wait": "b-seeded"}]
        b_steps += [{"signal": "b-seeded"}, {"wait": "a-seeded"}]
        for name, (a, b) in RACES.items():
            first, second = _race(name, a, b)
            a_steps.append(first)
            b_steps.append(second)
            if name == "mm":  # what the loser sees, then its rerun
                a_steps += [
                    {"read": f"{DB}.mm", "result": "mm-after-conflict"},
                    {"write": f"{DB}.mm", **a, "result": "mm-a-rerun"},
                ]
        writers = [Worker(self.lake, self.markers, a_steps, "writer-a"),
                   Worker(self.lake, self.markers, b_steps, "writer-b")]  # fmt: skip
        for writer in writers:
            writer.finish()

    def result(self, name: str) -> Any:
        import json

        return json.loads((self.markers / name).read_text(encoding="utf-8"))

    def rows(self, name: str) -> list[tuple[Any, ...]]:
        return pyiceberg_rows(table_dir(self.lake, f"{DB}.{name}"))

    def parent_of(self, name: str, snapshot_id: int) -> int | None:
        for snapshot in snapshot_log(table_dir(self.lake, f"{DB}.{name}")):
            if snapshot["snapshot-id"] == snapshot_id:
                return snapshot.get("parent-snapshot-id")
        raise AssertionError(f"snapshot {snapshot_id} is not in {name}")


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory) -> Race:
    return Race(tmp_path_factory.mktemp("race"))


def _table(*changes: dict[int, tuple[str, int]]) -> list[tuple[Any, ...]]:
    rows = {i: ("base", i % 3) for i in range(BASE_N)}
    for change in changes:
        rows.update(change)
    return sorted((i, v, p) for i, (v, p) in rows.items())


def _tagged(ids: range, tag: str, p: int | None = None) -> dict[int, tuple[str, int]]:
    return {i: (tag, i % 3 if p is None else p) for i in ids}


def test_two_partition_overwrites_both_commit(race: Race) -> None:
    a, b = race.result("op-a"), race.result("op-b")
    assert a["ok"] and b["ok"], (a, b)
    # A's commit was retried on top of B's (A lost the race to the rename).
    assert race.parent_of("op", a["snapshot"]) == b["snapshot"]
    expected = [r for r in _table() if r[2] not in (1, 2)]
    expected += [(i, "a", 1) for i in range(100, 110)] + [(i, "b", 2) for i in range(300, 310)]
    assert race.rows("op") == sorted(expected)


def test_two_overwrites_of_one_partition_leave_one_whole_batch(race: Race) -> None:
    a, b = race.result("os-a"), race.result("os-b")
    assert a["ok"] and b["ok"], (a, b)
    assert race.parent_of("os", a["snapshot"]) == b["snapshot"]
    expected = [r for r in _table() if r[2] != 1] + [(i, "a", 1) for i in range(100, 110)]
    assert race.rows("os") == sorted(expected)


def test_two_merges_one_fails_with_a_conflict_naming_the_table(race: Race) -> None:
    a, b = race.result("mm-a"), race.result("mm-b")
    assert b["ok"], b
    assert not a["ok"] and a["error"] == "WriteConflictError", a
    assert "glue_catalog.race.mm" in a["message"] and "Rerun the job" in a["message"]
    assert "ValidationException" in a["message"]
    # The table holds exactly B's merge: nothing of A, nothing of B lost.
    after = sorted(tuple(r) for r in race.result("mm-after-conflict"))
    assert after == _table(_tagged(range(5, 15), "b"))
    # A's rerun applies its merge on top: both updates are there.
    assert race.result("mm-a-rerun")["ok"]
    assert race.rows("mm") == _table(_tagged(range(5, 15), "b"), _tagged(range(0, 10), "a"))


def test_an_append_racing_a_merge_is_retried_on_top_of_it(race: Race) -> None:
    a, b = race.result("am-a"), race.result("am-b")
    assert a["ok"] and b["ok"], (a, b)
    assert race.parent_of("am", a["snapshot"]) == b["snapshot"]
    assert race.rows("am") == _table(_tagged(range(5, 15), "b"), _tagged(range(200, 205), "a"))


def test_a_merge_racing_an_append_fails_and_keeps_the_appended_rows(race: Race) -> None:
    a, b = race.result("ma-a"), race.result("ma-b")
    assert b["ok"], b
    assert not a["ok"] and a["error"] == "WriteConflictError", a
    assert "glue_catalog.race.ma" in a["message"]
    assert race.rows("ma") == _table(_tagged(range(400, 405), "b"))


def test_without_retries_the_loser_fails_clearly(race: Race) -> None:
    a, b = race.result("nr-a"), race.result("nr-b")
    assert b["ok"], b
    assert not a["ok"] and a["error"] == "WriteConflictError", a
    assert "glue_catalog.race.nr" in a["message"] and "commit.retry" in a["message"]
    assert "CommitFailedException" in a["message"]
    assert race.rows("nr") == _table(_tagged(range(600, 605), "b"))


def test_only_commit_conflicts_become_write_conflicts() -> None:
    """A ValidationException that is not about a concurrent commit stays what it is."""
    from dp_foundation.iceberg.commits import commit_conflict

    other = RuntimeError(
        "org.apache.iceberg.exceptions.ValidationException: Cannot find field 'x' in struct"
    )
    assert commit_conflict(other) is None
    lost = RuntimeError(
        "org.apache.iceberg.exceptions.CommitFailedException: Version 3 already exists: v3"
    )
    assert commit_conflict(lost) == "CommitFailedException: Version 3 already exists: v3"
    wrapped = RuntimeError("job aborted")
    wrapped.__cause__ = RuntimeError(
        "Caused by: org.apache.iceberg.exceptions.ValidationException: Found conflicting files "
        "that can contain records matching true: [a.parquet]"
    )
    assert (commit_conflict(wrapped) or "").startswith("ValidationException: Found conflicting")
