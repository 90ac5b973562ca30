"""The rule kinds of data contracts (completeness, freshness, expression, aggregate,
referential integrity), passing and failing, against a plain-Python reference.

Seeded random rows (nulls in every column), bounds placed exactly on the data's own values
(so both sides of each boundary are exercised), one row, and no rows at all.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession

from dp_foundation.exceptions import SchemaError, TableNotFoundError
from dp_foundation.io.writers import write_iceberg
from dp_foundation.quality import DataQualityChecker

RandomTable = Callable[[int, int], tuple[list[tuple[Any, ...]], DataFrame]]
Row = tuple[Any, ...]
ID, K, X, TS, D, S = range(6)  # the columns of RANDOM_SCHEMA (see conftest.py)
NOW = datetime(2026, 1, 10, 13, 0, tzinfo=UTC)  # an hour after the newest possible time
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}

# (seed, rows): two random tables, a single row, and an empty one.
DATASETS = [(1, 300), (2, 300), (3, 1), (4, 0)]
IDS = ["300 rows a", "300 rows b", "one row", "empty"]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


Expected = tuple[bool, int | None]  # passed, failed rows


def _completeness(c: DataQualityChecker, rows: list[Row]) -> list[Expected]:
    expected: list[Expected] = []
    for col, name in ((K, "k"), (S, "s")):
        nulls = sum(1 for r in rows if r[col] is None)
        share = 100.0 * nulls / len(rows) if rows else 0.0
        for percent in (share, 0.0, 100.0, min(100.0, share + 0.5)):
            for op in ("<", "<="):
                c.completeness(name, percent, op=op)  # type: ignore[arg-type]
                expected.append((OPS[op](share, percent), nulls))
    return expected


def _freshness(c: DataQualityChecker, rows: list[Row]) -> list[Expected]:
    expected: list[Expected] = []
    times = [r[TS] for r in rows if r[TS] is not None]
    days = [_midnight(r[D]) for r in rows if r[D] is not None]
    for values, name in ((times, "ts"), (days, "d")):
        age = NOW - max(values) if values else timedelta(hours=1)
        for max_age in (age, age - timedelta(seconds=1), age + timedelta(days=1)):
            c.freshness(name, max_age, now=NOW)
            expected.append((bool(values) and age <= max_age, None))
    return expected


# Per-row SQL expressions and the same condition in Python (null makes a row fail).
EXPRESSIONS: dict[str, Callable[[Row], bool]] = {
    "k > 0 AND x < 2": lambda r: r[K] is not None and r[K] > 0 and r[X] is not None and r[X] < 2,
    "k > 0 OR s = 'a'": lambda r: (r[K] is not None and r[K] > 0) or r[S] == "a",
    "coalesce(k, 0) >= -3": lambda r: True,
    "ts < d": lambda r: r[TS] is not None and r[D] is not None and r[TS] < _midnight(r[D]),
    "s IN ('a', 'b')": lambda r: r[S] in ("a", "b"),
}


def _expressions(c: DataQualityChecker, rows: list[Row]) -> list[Expected]:
    expected: list[Expected] = []
    for sql, holds in EXPRESSIONS.items():
        c.expression(sql)
        failed = sum(1 for r in rows if not holds(r))
        expected.append((failed == 0, failed))
    return expected


def _aggregates(c: DataQualityChecker, rows: list[Row]) -> list[Expected]:
    xs = [r[X] for r in rows if r[X] is not None]
    ks = [r[K] for r in rows if r[K] is not None]
    days = [r[D] for r in rows if r[D] is not None]
    values: dict[str, Any] = {
        "sum(x)": sum(xs) if xs else None,
        "max(k)": max(ks) if ks else None,
        "count(distinct s)": len({r[S] for r in rows if r[S] is not None}),
        "min(d)": min(days) if days else None,
        "count(*)": len(rows),
    }
    expected: list[Expected] = []
    for sql, value in values.items():
        bounds = [0 if value is None else value, 1]
        if sql == "min(d)":
            bounds = [value or date(2026, 1, 5), date(2026, 1, 5)]
        for bound in bounds:
            for op, compare in OPS.items():
                c.aggregate(sql, op, bound)  # type: ignore[arg-type]
                expected.append((value is not None and compare(value, bound), None))
    return expected


def _references(c: DataQualityChecker, rows: list[Row], spark: SparkSession) -> list[Expected]:
    some = {-3, -1, 0, 2, 3}
    every = set(range(-3, 4))
    pairs = {(k, s) for k in (-1, 0, 1, 2) for s in ("a", "b")}
    expected: list[Expected] = []
    for keys in (some, every):
        c.referential_integrity("k", spark.createDataFrame([(v,) for v in keys], "o int"), "o")
        failed = sum(1 for r in rows if r[K] is not None and r[K] not in keys)
        expected.append((failed == 0, failed))
    ref = spark.createDataFrame(sorted(pairs), "rk bigint, rs string")
    c.referential_integrity(["k", "s"], ref, ["rk", "rs"])
    failed = sum(
        1 for r in rows if r[K] is not None and r[S] is not None and (r[K], r[S]) not in pairs
    )
    expected.append((failed == 0, failed))
    return expected


@pytest.mark.parametrize(("seed", "n"), DATASETS, ids=IDS)
def test_every_new_kind_agrees_with_a_python_reference(
    spark: SparkSession, random_table: RandomTable, seed: int, n: int
) -> None:
    rows, df = random_table(seed, n)
    checker = DataQualityChecker(df, samples=0)
    expected = (
        _completeness(checker, rows)
        + _freshness(checker, rows)
        + _expressions(checker, rows)
        + _aggregates(checker, rows)
        + _references(checker, rows, spark)
    )
    results = checker.run()
    assert len(results) == len(expected)
    for result, (passed, failed) in zip(results, expected, strict=True):
        assert (result.passed, result.failed_rows, result.total_rows) == (passed, failed, n), (
            result.name,
            result.detail,
        )
    if n >= 300:  # the random tables exercise both outcomes of every kind
        for kind in ("completeness", "freshness", "expression", "aggregate", "referential"):
            outcomes = {r.passed for r in results if r.name.startswith(kind)}
            assert outcomes == {True, False}, kind


def test_details_say_what_was_expected_and_found(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [(1, None, datetime(2026, 1, 10, tzinfo=UTC)), (2, "x", None)],
        "k int, s string, t timestamp",
    )
    ref = spark.createDataFrame([(1,)], "k int")
    results = (
        DataQualityChecker(df, samples=0)
        .completeness("s", 10, op="<")
        .freshness("t", "1h", now=datetime(2026, 1, 10, 2, 30, tzinfo=UTC))
        .expression("k < 2")
        .aggregate("sum(k)", ">", 5)
        .referential_integrity("k", ref, reference_name="orders")
        .run()
    )
    assert [(r.name, r.detail) for r in results] == [
        ("completeness(s, nulls < 10%)", "1 of 2 rows are null (50%); expected < 10%"),
        (
            "freshness(t, max age 1h)",
            "newest t is 2026-01-10T00:00:00+00:00, 2h30m before 2026-01-10T02:30:00+00:00; "
            "expected at most 1h",
        ),
        ("expression(k < 2)", "1 of 2 rows do not satisfy the expression (false or null)"),
        ("aggregate(sum(k) > 5)", "sum(k) is 3; expected > 5"),
        ("referential_integrity(k -> orders(k))", "1 of 2 rows have a (k) not found in orders(k)"),
    ]


def test_freshness_of_no_value_fails(spark: SparkSession) -> None:
    df = spark.createDataFrame([(None,)], "d date")
    (result,) = DataQualityChecker(df).freshness("d", "1d").run()
    assert (result.passed, result.detail) == (
        False,
        "no value in d, so nothing shows the data is fresh",
    )


def test_freshness_measures_from_the_time_of_the_run(spark: SparkSession) -> None:
    recent = datetime.now(UTC) - timedelta(minutes=5)
    df = spark.createDataFrame([(recent,)], "t timestamp")
    assert DataQualityChecker(df).freshness("t", "1h").run()[0].passed
    assert not DataQualityChecker(df).freshness("t", "1m").run()[0].passed


def test_referential_integrity_against_itself_and_a_table(spark: SparkSession) -> None:
    """A parent id against the id column of the same DataFrame, and a table by name."""
    people = spark.createDataFrame(
        [(1, None), (2, 1), (3, 2), (4, 9), (5, 9)], "id int, parent_id int"
    )
    (result,) = DataQualityChecker(people).referential_integrity("parent_id", people, "id").run()
    assert (result.passed, result.failed_rows) == (False, 2)
    table = f"glue_catalog.quality_db.people_{uuid.uuid4().hex[:8]}"
    write_iceberg(people, table)
    (named,) = DataQualityChecker(people).referential_integrity("parent_id", table, "id").run()
    assert (named.name, named.failed_rows) == (
        f"referential_integrity(parent_id -> {table}(id))",
        2,
    )


@pytest.mark.parametrize(
    ("declare", "error", "message"),
    [
        (
            lambda c, _: c.completeness("nope", 1),
            SchemaError,
            "completeness(nope, nulls <= 1%): missing columns ['nope']",
        ),
        (
            lambda c, _: c.freshness("s", "1h"),
            SchemaError,
            "freshness(s, max age 1h): column 's' is string; expected a date or timestamp",
        ),
        (
            lambda c, _: c.expression("nope > 1"),
            SchemaError,
            "expression(nope > 1): field 'expression' must be a per-row boolean expression: ",
        ),
        (
            lambda c, _: c.expression("k + 1"),
            SchemaError,
            "expression(k + 1): field 'expression' must be a per-row boolean expression; "
            "it is of type int",
        ),
        (
            lambda c, _: c.expression("sum(k) > 1"),
            SchemaError,
            "field 'expression' must be a per-row boolean expression: ",
        ),
        (
            lambda c, _: c.expression("k >"),
            SchemaError,
            "field 'expression' must be a per-row boolean expression: ",
        ),
        (
            lambda c, _: c.aggregate("k", ">", 1),
            SchemaError,
            "aggregate(k > 1): field 'expression' must be an aggregate expression: ",
        ),
        (
            lambda c, _: c.referential_integrity("nope", "glue_catalog.quality_db.any"),
            SchemaError,
            "missing columns ['nope']",
        ),
        (
            lambda c, _: c.referential_integrity("k", "glue_catalog.quality_db.no_such_table"),
            TableNotFoundError,
            "the reference table glue_catalog.quality_db.no_such_table does not exist",
        ),
        (
            lambda c, spark: c.referential_integrity("k", spark.range(1), "nope"),
            SchemaError,
            "the reference lacks columns ['nope']; it has ['id']",
        ),
        (lambda c, _: c.add_rule({"kind": "not_null"}), ValueError, "missing field 'column'"),
        (lambda c, _: c.add_rule("not_null"), TypeError, "add_rule takes a Rule or a dict"),
    ],
)
def test_bad_declarations_fail_at_once_in_one_line(
    spark: SparkSession,
    declare: Callable[[DataQualityChecker, SparkSession], object],
    error: type[Exception],
    message: str,
) -> None:
    df = spark.createDataFrame([(1, "a")], "k int, s string")
    with pytest.raises(error) as info:
        declare(DataQualityChecker(df), spark)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
