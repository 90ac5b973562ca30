"""dp_foundation.quality.checks: every check passing and failing, and how many passes it costs."""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dp_foundation.exceptions import DataQualityError, SchemaError
from dp_foundation.quality import CheckResult, DataQualityChecker

SCHEMA = "id int, code string, status string, amount decimal(10,2), day date"
ROWS = [
    (1, "a", "OPEN", Decimal("10.00"), date(2026, 1, 1)),
    (2, "a", "FILLED", Decimal("0.00"), date(2026, 1, 2)),
    (3, "b", None, None, date(2026, 1, 3)),
    (4, None, "OPEN", Decimal("99.99"), None),
]


@pytest.fixture(scope="module")
def orders(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(ROWS, SCHEMA)


@pytest.fixture(scope="module")
def empty(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([], SCHEMA)


def _only(checker: DataQualityChecker) -> CheckResult:
    (result,) = checker.run()
    return result


# ─── each check, passing and failing ─────────────────────────────────────────


def test_not_null(orders: DataFrame) -> None:
    assert _only(DataQualityChecker(orders).not_null("id")) == CheckResult(
        "not_null(id)", True, "0 of 4 rows are null", 0, 4
    )
    assert _only(DataQualityChecker(orders).not_null("amount")) == CheckResult(
        "not_null(amount)", False, "1 of 4 rows are null", 1, 4
    )


def test_unique(orders: DataFrame, spark: SparkSession) -> None:
    assert _only(DataQualityChecker(orders).unique("id")).passed
    code = _only(DataQualityChecker(orders).unique("code"))
    assert (code.name, code.passed, code.failed_rows, code.total_rows) == (
        "unique(code)",
        False,
        2,
        4,
    )
    assert code.detail == "2 of 4 rows share their key with another row"

    # Rows in duplicated groups are counted, not extra copies: 1,1,2,3,3,3 -> 5.
    ids = spark.createDataFrame([(i,) for i in (1, 1, 2, 3, 3, 3)], "id int")
    assert _only(DataQualityChecker(ids).unique(["id"])).failed_rows == 5


def test_unique_on_several_columns(orders: DataFrame, spark: SparkSession) -> None:
    assert _only(DataQualityChecker(orders).unique(["code", "status"])).passed
    pairs = spark.createDataFrame([(1, "x"), (1, "y"), (2, "x"), (1, "x")], "a int, b string")
    result = _only(DataQualityChecker(pairs).unique(["a", "b"]))
    assert (result.name, result.passed, result.failed_rows) == ("unique(a, b)", False, 2)


def test_unique_treats_nulls_as_equal(spark: SparkSession) -> None:
    one_null = spark.createDataFrame([(1, None), (2, None), (None, "x")], "a int, b string")
    assert _only(DataQualityChecker(one_null).unique("a")).passed
    assert _only(DataQualityChecker(one_null).unique(["a", "b"])).passed

    two_nulls = spark.createDataFrame([(None, "x"), (None, "x"), (1, "x")], "a int, b string")
    assert _only(DataQualityChecker(two_nulls).unique("a")).failed_rows == 2
    assert _only(DataQualityChecker(two_nulls).unique(["a", "b"])).failed_rows == 2


def _rows_sharing_a_key(rows: list[tuple[Any, ...]]) -> int:
    """The reference: rows whose key (None equal to None) another row has too."""
    counts = Counter(rows)
    return sum(n for n in counts.values() if n > 1)


# Keys the packed route (integers, dates: 64 values to a word) must get exactly right: word
# boundaries, negatives (arithmetic shift), the extremes of bigint, nulls, a date column and
# keys where the integer column is not the first.
PACKED_CASES = {
    "word boundaries": ("k bigint", [(v,) for v in (62, 63, 64, 65, 127, 128, 63, 128)]),
    "negatives": ("k int", [(v,) for v in (-1, -64, -65, 0, 1, -1, -65)]),
    "bigint extremes": (
        "k bigint",
        [(v,) for v in (-(2**63), 2**63 - 1, 2**63 - 2, -(2**63) + 1, 2**63 - 1)],
    ),
    "nulls": ("k tinyint", [(None,), (None,), (1,), (2,), (64,)]),
    "one null": ("k smallint", [(None,), (1,), (65,)]),
    "dates": (
        "d date",
        [(date(2026, 1, 1),), (date(1969, 12, 31),), (date(2026, 1, 1),), (None,)],
    ),
    "string first": ("s string, k int", [("a", 1), ("b", 1), ("a", 1), (None, 1), (None, 1)]),
    "unique pairs": ("k int, s string", [(1, "a"), (1, "b"), (65, "a"), (None, "a")]),
}


@pytest.mark.parametrize("case", PACKED_CASES, ids=list(PACKED_CASES))
@pytest.mark.parametrize("with_flags", [False, True], ids=["key only", "with column checks"])
def test_unique_on_integer_keys_is_exact(spark: SparkSession, case: str, with_flags: bool) -> None:
    schema, rows = PACKED_CASES[case]
    df = spark.createDataFrame(rows, schema)
    checker = DataQualityChecker(df)
    if with_flags:  # the aggregate checks ride on the packed pass
        checker.not_null(df.columns[0]).row_count_min(1)
    checker.unique(df.columns)
    result = checker.run()[-1]
    expected = _rows_sharing_a_key(rows)
    assert (result.passed, result.failed_rows, result.total_rows) == (
        expected == 0,
        expected,
        len(rows),
    )
    if with_flags:
        nulls = sum(1 for row in rows if row[0] is None)
        assert checker.run()[0].failed_rows == nulls


def test_unique_agrees_with_a_reference_on_random_keys(spark: SparkSession) -> None:
    """Both routes (packed first key set, sorted later ones) against a Python count."""
    rng = random.Random(7)
    rows = [
        (
            rng.choice([None, *range(-200, 200)]),
            rng.choice([None, "x", "y"]),
            rng.randrange(-(2**40), 2**40) if rng.random() < 0.98 else 5,
        )
        for _ in range(3_000)
    ]
    df = spark.createDataFrame(rows, "a int, b string, c bigint")
    key_sets = [["a"], ["a", "b"], ["b"], ["c"], ["b", "a"]]
    for first in range(len(key_sets)):  # every key set once in the packed (first) position
        order = key_sets[first:] + key_sets[:first]
        checker = DataQualityChecker(df)
        for key in order:
            checker.unique(key)
        for key, result in zip(order, checker.run(), strict=True):
            columns = [df.columns.index(c) for c in key]
            expected = _rows_sharing_a_key([tuple(row[i] for i in columns) for row in rows])
            assert result.failed_rows == expected, (key, first)


def test_value_in_set_ignores_nulls(orders: DataFrame) -> None:
    passing = _only(DataQualityChecker(orders).value_in_set("status", ["OPEN", "FILLED"]))
    assert passing == CheckResult(
        "value_in_set(status, {'FILLED', 'OPEN'})",
        True,
        "0 of 4 non-null rows are outside the allowed set",
        0,
        4,
    )
    failing = _only(DataQualityChecker(orders).value_in_set("status", {"OPEN"}))
    assert (failing.passed, failing.failed_rows) == (False, 1)
    numbers = _only(DataQualityChecker(orders).value_in_set("id", range(1, 4)))
    assert (numbers.name, numbers.failed_rows) == ("value_in_set(id, {1, 2, 3})", 1)


def test_value_in_set_with_none_allowed_still_finds_outsiders(orders: DataFrame) -> None:
    """A None among the allowed values must not turn ``NOT IN`` into unknown for every row."""
    result = _only(DataQualityChecker(orders).value_in_set("status", ["OPEN", None]))
    assert (result.passed, result.failed_rows) == (False, 1)
    only_none = _only(DataQualityChecker(orders).value_in_set("status", [None]))
    assert (only_none.passed, only_none.failed_rows) == (False, 3)


@pytest.mark.parametrize(
    ("bound", "passed", "failed"),
    [
        (Decimal("0.00"), True, 0),
        (0, True, 0),
        (Decimal("0.01"), False, 1),
        (10, False, 1),
        (100, False, 3),
    ],
)
def test_min_value_is_inclusive_and_ignores_nulls(
    orders: DataFrame, bound: Any, passed: bool, failed: int
) -> None:
    result = _only(DataQualityChecker(orders).min_value("amount", bound))
    assert (result.passed, result.failed_rows, result.total_rows) == (passed, failed, 4)


@pytest.mark.parametrize(
    ("bound", "passed", "failed"),
    [(Decimal("99.99"), True, 0), (100, True, 0), (Decimal("99.98"), False, 1), (0, False, 2)],
)
def test_max_value_is_inclusive_and_ignores_nulls(
    orders: DataFrame, bound: Any, passed: bool, failed: int
) -> None:
    result = _only(DataQualityChecker(orders).max_value("amount", bound))
    assert (result.passed, result.failed_rows) == (passed, failed)


def test_min_and_max_on_dates(orders: DataFrame) -> None:
    checker = (
        DataQualityChecker(orders)
        .min_value("day", date(2026, 1, 1))
        .max_value("day", date(2026, 1, 2))
    )
    assert [(r.name, r.passed, r.failed_rows) for r in checker.run()] == [
        ("min_value(day, 2026-01-01)", True, 0),
        ("max_value(day, 2026-01-02)", False, 1),
    ]


def test_row_count_min(orders: DataFrame) -> None:
    assert _only(DataQualityChecker(orders).row_count_min(4)) == CheckResult(
        "row_count_min(4)", True, "expected at least 4 rows, found 4", 0, 4
    )
    assert _only(DataQualityChecker(orders).row_count_min(10)) == CheckResult(
        "row_count_min(10)", False, "expected at least 10 rows, found 4", 6, 4
    )


# ─── schema_match ────────────────────────────────────────────────────────────

EXPECTED = {
    "id": "int",
    "code": "string",
    "status": "string",
    "amount": "decimal(10,2)",
    "day": "date",
}


def test_schema_match_passes(orders: DataFrame) -> None:
    result = _only(DataQualityChecker(orders).schema_match(EXPECTED, allow_extra_columns=False))
    assert result == CheckResult("schema_match", True, "schema as expected", None, None)


def test_schema_match_accepts_spark_spellings(orders: DataFrame) -> None:
    spelled = {"id": "INTEGER", "amount": "Decimal(10, 2)", "day": "date"}
    assert _only(DataQualityChecker(orders).schema_match(spelled)).passed


def test_schema_match_missing_column(orders: DataFrame) -> None:
    result = _only(DataQualityChecker(orders).schema_match({**EXPECTED, "customer": "bigint"}))
    assert not result.passed
    assert "missing columns ['customer']" in result.detail


def test_schema_match_mistyped_column(orders: DataFrame) -> None:
    result = _only(
        DataQualityChecker(orders).schema_match({"id": "bigint", "amount": "decimal(18,2)"})
    )
    assert not result.passed
    assert "'id': 'expected bigint, found int'" in result.detail
    assert "'amount': 'expected decimal(18,2), found decimal(10,2)'" in result.detail


def test_schema_match_extra_columns(orders: DataFrame) -> None:
    subset = {"id": "int", "code": "string"}
    assert _only(DataQualityChecker(orders).schema_match(subset)).passed  # allowed by default
    assert _only(DataQualityChecker(orders).schema_match(subset, allow_extra_columns=True)).passed
    result = _only(DataQualityChecker(orders).schema_match(subset, allow_extra_columns=False))
    assert not result.passed
    assert "unexpected columns ['status', 'amount', 'day']" in result.detail


def test_schema_match_reports_every_problem(orders: DataFrame) -> None:
    result = _only(
        DataQualityChecker(orders).schema_match(
            {"id": "string", "missing": "int"}, allow_extra_columns=False
        )
    )
    assert "missing columns ['missing']" in result.detail
    assert "type mismatches {'id': 'expected string, found int'}" in result.detail
    assert "unexpected columns ['code', 'status', 'amount', 'day']" in result.detail


# ─── empty input, order, errors ──────────────────────────────────────────────


def test_empty_dataframe(empty: DataFrame) -> None:
    results = (
        DataQualityChecker(empty)
        .not_null("id")
        .unique("id")
        .value_in_set("status", {"OPEN"})
        .min_value("amount", 0)
        .max_value("amount", 0)
        .row_count_min(0)
        .row_count_min(1)
        .schema_match(EXPECTED)
        .run()
    )
    assert [r.passed for r in results] == [True] * 6 + [False, True]
    assert [r.total_rows for r in results] == [0] * 7 + [None]
    assert results[6].failed_rows == 1


def test_results_keep_the_order_checks_were_added(orders: DataFrame) -> None:
    results = (
        DataQualityChecker(orders)
        .row_count_min(1)
        .unique("code")
        .schema_match({"id": "int"})
        .not_null("amount")
        .unique(["id"])
        .max_value("id", 3)
        .run()
    )
    assert [r.name for r in results] == [
        "row_count_min(1)",
        "unique(code)",
        "schema_match",
        "not_null(amount)",
        "unique(id)",
        "max_value(id, 3)",
    ]
    assert [r.passed for r in results] == [True, False, True, False, True, False]


def test_assert_all_passed_lists_every_failure(orders: DataFrame) -> None:
    checker = (
        DataQualityChecker(orders, dataset="orders")
        .not_null("id")
        .not_null("amount")
        .unique("code")
        .row_count_min(10)
    )
    with pytest.raises(DataQualityError) as info:
        checker.assert_all_passed()
    message = str(info.value)
    assert message.startswith("3 of 4 data-quality checks failed on orders: ")
    for part in (
        "not_null(amount): 1 of 4 rows are null",
        "unique(code): 2 of 4 rows share their key with another row",
        "row_count_min(10): expected at least 10 rows, found 4",
    ):
        assert part in message
    assert "not_null(id)" not in message
    assert [r.name for r in info.value.failures] == [  # type: ignore[attr-defined]
        "not_null(amount)",
        "unique(code)",
        "row_count_min(10)",
    ]


def test_assert_all_passed_returns_the_results(orders: DataFrame) -> None:
    results = DataQualityChecker(orders).not_null("id").unique("id").assert_all_passed()
    assert [r.passed for r in results] == [True, True]


@pytest.mark.parametrize(
    ("declare", "error", "message"),
    [
        (lambda c: c.not_null("nope"), SchemaError, "not_null(nope): missing columns ['nope']"),
        (lambda c: c.unique(["id", "nope"]), SchemaError, "missing columns ['nope']"),
        (lambda c: c.unique([]), ValueError, "at least one column"),
        (lambda c: c.value_in_set("nope", {1}), SchemaError, "missing columns ['nope']"),
        (lambda c: c.value_in_set("status", []), ValueError, "at least one allowed value"),
        (lambda c: c.min_value("nope", 1), SchemaError, "missing columns ['nope']"),
        (lambda c: c.max_value("nope", 1), SchemaError, "missing columns ['nope']"),
        (lambda c: c.row_count_min(-1), ValueError, "minimum >= 0"),
    ],
)
def test_bad_declarations_fail_at_once(
    orders: DataFrame,
    declare: Callable[[DataQualityChecker], object],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error) as info:
        declare(DataQualityChecker(orders))
    assert message in str(info.value)


# ─── cost: Spark jobs per run ────────────────────────────────────────────────


def test_the_counter_counts(big: DataFrame, jobs: Callable[[Callable[[], object]], int]) -> None:
    assert jobs(lambda: big.count()) == 1
    assert jobs(lambda: (big.count(), big.agg(F.max("id")).first())) == 2
    assert jobs(lambda: None) == 0


def test_all_aggregate_checks_cost_one_pass(
    big: DataFrame, jobs: Callable[[Callable[[], object]], int]
) -> None:
    checker = (
        DataQualityChecker(big, samples=0)  # the checks' passes only: samples are counted apart
        .not_null("id")
        .not_null("s")
        .value_in_set("k", range(50))
        .min_value("id", 0)
        .max_value("id", 10)
        .row_count_min(1)
        .schema_match({"id": "bigint"})
    )
    assert jobs(checker.run) == 1


@pytest.mark.parametrize(
    ("declare", "passes"),
    [
        # The aggregate checks ride on the first grouping pass.
        (lambda c: c.not_null("id").unique("id"), 1),
        # A packed key that repeats costs a recount: still within 1 + one per key set.
        (lambda c: c.not_null("id").unique("k"), 2),
        (lambda c: c.not_null("id").unique("id").unique(["id"]), 1),  # one key set, one pass
        (lambda c: c.not_null("id").unique("id").unique(["k", "s"]), 2),
        (
            lambda c: (
                c.max_value("k", 9).unique("k").unique(["k", "s"]).unique("s").unique(["s", "k"])
            ),
            5,  # the packed "k" repeats: its recount; the other three are sorted, exact at once
        ),
        # No aggregate check: the grouping pass counts the rows too.
        (lambda c: c.unique("id"), 1),
        (lambda c: c.unique("id").unique("k"), 2),
        (lambda c: c.unique("k").unique("id"), 3),
        (lambda c: c.unique("s").unique("k"), 2),  # a string key is sorted: exact at once
    ],
)
def test_one_pass_per_distinct_unique_key_set(
    big: DataFrame,
    jobs: Callable[[Callable[[], object]], int],
    declare: Callable[[DataQualityChecker], DataQualityChecker],
    passes: int,
) -> None:
    checker = declare(DataQualityChecker(big, samples=0))  # failed checks' samples apart
    assert jobs(checker.run) == passes


def test_unique_alone_reports_rows(big: DataFrame) -> None:
    results = DataQualityChecker(big).unique("id").unique("k").run()
    assert [(r.passed, r.failed_rows, r.total_rows) for r in results] == [
        (True, 0, 5_000),
        (False, 5_000, 5_000),
    ]


def test_no_grouping_pass_on_empty_input(
    empty: DataFrame, jobs: Callable[[Callable[[], object]], int]
) -> None:
    checker = DataQualityChecker(empty).row_count_min(0).unique("id").unique(["id", "code"])
    assert jobs(checker.run) == 1
    assert [r.passed for r in checker.run()] == [True, True, True]


def test_no_pass_for_schema_checks_or_a_second_run(
    big: DataFrame, jobs: Callable[[Callable[[], object]], int]
) -> None:
    assert jobs(DataQualityChecker(big).schema_match({"id": "bigint"}).run) == 0
    checker = DataQualityChecker(big).not_null("id").unique("k")
    first = checker.run()
    assert jobs(checker.run) == 0  # results are kept
    assert checker.run() == first
    checker.row_count_min(1)  # a new check invalidates them
    assert jobs(checker.run) >= 1


# ─── severity ────────────────────────────────────────────────────────────────


def test_a_failed_warning_does_not_fail_the_job(orders: DataFrame) -> None:
    checker = (
        DataQualityChecker(orders, dataset="orders")
        .not_null("id")
        .not_null("amount", severity="warn")
        .completeness("code", 10, severity="warn")
    )
    results = checker.assert_all_passed()
    assert [(r.passed, r.severity, r.blocking) for r in results] == [
        (True, "error", False),
        (False, "warn", False),
        (False, "warn", False),
    ]


def test_errors_fail_the_job_and_name_the_warnings_too(orders: DataFrame) -> None:
    checker = (
        DataQualityChecker(orders, dataset="orders")
        .unique("code")
        .not_null("amount", severity="warn")
        .expression("id < 4")
    )
    with pytest.raises(DataQualityError) as info:
        checker.assert_all_passed()
    assert str(info.value) == (
        "2 of 3 data-quality checks failed on orders: "
        "unique(code): 2 of 4 rows share their key with another row; "
        "expression(id < 4): 1 of 4 rows do not satisfy the expression (false or null) "
        "(warnings, not failing the job: ['not_null(amount)'])"
    )
    assert [r.name for r in info.value.failures] == [  # type: ignore[attr-defined]
        "unique(code)",
        "expression(id < 4)",
    ]


def test_severity_must_be_error_or_warn(orders: DataFrame) -> None:
    with pytest.raises(ValueError, match="field 'severity' must be 'error' or 'warn'"):
        DataQualityChecker(orders).not_null("id", severity="fatal")  # type: ignore[arg-type]


# ─── rules from code and from dicts ──────────────────────────────────────────


def test_rules_from_dicts_and_objects_equal_the_fluent_methods(orders: DataFrame) -> None:
    from dp_foundation.quality import MinValue, rule_from_dict

    fluent = (
        DataQualityChecker(orders)
        .not_null("id")
        .unique(["id"])
        .min_value("amount", 0, severity="warn")
        .completeness("code", 30, op="<")
    )
    declared = DataQualityChecker(orders).add_rules(
        [
            {"kind": "not_null", "column": "id"},
            rule_from_dict({"kind": "unique", "columns": ["id"]}),
            MinValue(column="amount", minimum=0, severity="warn"),
            {"kind": "completeness", "column": "code", "percent": 30, "op": "<"},
        ]
    )
    assert declared.rules == fluent.rules
    assert declared.run() == fluent.run()


# ─── samples of failing rows ─────────────────────────────────────────────────


def test_samples_are_bounded_and_drawn_only_from_failing_rows(spark: SparkSession) -> None:
    rng = random.Random(5)
    rows = [
        (i, rng.choice([None, *range(-5, 6)]), rng.choice([None, "a", "b", "z"]))
        for i in range(300)
    ]
    df = spark.createDataFrame(rows, "id int, k int, s string")
    known = spark.createDataFrame([(v,) for v in range(-2, 3)], "v int")
    n = 3
    checker = (
        DataQualityChecker(df, samples=n)
        .not_null("k")
        .value_in_set("s", {"a", "b"})
        .min_value("k", -3)
        .max_value("k", 4, severity="warn")
        .completeness("s", 1)
        .expression("k * 2 < 7")
        .unique("k")
        .referential_integrity("k", known, "v")
        .not_null("id")  # passes: no samples
        .aggregate("sum(k)", ">", 10_000)  # fails, but has no rows to show
    )
    failing_row: list[Callable[[dict[str, Any]], bool]] = [
        lambda r: r["k"] is None,
        lambda r: r["s"] is not None and r["s"] not in ("a", "b"),
        lambda r: r["k"] is not None and r["k"] < -3,
        lambda r: r["k"] is not None and r["k"] > 4,
        lambda r: r["s"] is None,
        lambda r: not (r["k"] is not None and r["k"] * 2 < 7),
        lambda r: False,  # unique: keys, checked below
        lambda r: r["k"] is not None and not -2 <= r["k"] <= 2,
    ]
    results = checker.run()
    assert [r.passed for r in results] == [False] * 8 + [True, False]
    for result, broken in zip(results[:8], failing_row, strict=True):
        assert 0 < len(result.samples) <= n, result.name
        if result.name != "unique(k)":
            assert all(broken(row) for row in result.samples), result.name
            assert all(set(row) == {"id", "k", "s"} for row in result.samples)
    counts = Counter(row[1] for row in rows)
    for sample in results[6].samples:
        assert sample["rows"] == counts[sample["key"]["k"]] > 1
    assert results[8].samples == results[9].samples == ()
    assert all(r.samples == () for r in DataQualityChecker(df, samples=0).not_null("k").run())


def test_samples_of_an_empty_input_cost_nothing(empty: DataFrame) -> None:
    (result,) = DataQualityChecker(empty).row_count_min(1).run()
    assert (result.passed, result.samples) == (False, ())


def test_samples_must_be_a_count(orders: DataFrame) -> None:
    with pytest.raises(ValueError, match="samples must be an integer >= 0; got -1"):
        DataQualityChecker(orders, samples=-1)


# ─── the structured log record ───────────────────────────────────────────────


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_the_log_record_keeps_its_fields_and_adds_new_ones(orders: DataFrame) -> None:
    from dp_foundation.logging.logger import JsonFormatter

    handler = _Records()
    logger = logging.getLogger("dp.dp_foundation.quality.checks")
    level = logger.level
    logger.setLevel(logging.INFO)  # what a job's setup_logging() sets; the library sets none
    logger.addHandler(handler)
    try:
        DataQualityChecker(orders, dataset="orders", samples=2).not_null("id").not_null(
            "amount", severity="warn"
        ).unique("id").run()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    (record,) = [r for r in handler.records if r.getMessage() == "data quality results"]
    payload = json.loads(JsonFormatter().format(record))  # samples hold Decimals and dates
    # The fields readers rely on, unchanged.
    assert payload["dataset"] == "orders"
    assert payload["passed"] is False
    assert [c["name"] for c in payload["checks"]] == [
        "not_null(id)",
        "not_null(amount)",
        "unique(id)",
    ]
    for check in payload["checks"]:
        assert {"name", "passed", "detail", "failed_rows", "total_rows"} <= set(check)
    # Added: severity and samples per check, counts of failed errors and warnings, passes.
    assert [c["severity"] for c in payload["checks"]] == ["error", "warn", "error"]
    assert payload["checks"][1]["samples"] == [
        {"id": 3, "code": "b", "status": None, "amount": None, "day": "2026-01-03"}
    ]
    assert (payload["errors"], payload["warnings"]) == (0, 1)
    assert payload["passes"] == ["key(id) + aggregation"]
