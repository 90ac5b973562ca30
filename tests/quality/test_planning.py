"""dp_foundation.quality.planning: which pass answers each rule, and the pass budget measured
in Spark jobs (adaptive query execution off: one action, one job) with the new rule kinds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from pyspark.sql import DataFrame, SparkSession

from dp_foundation.quality import (
    Aggregate,
    Completeness,
    DataQualityChecker,
    Expression,
    Freshness,
    NotNull,
    ReferentialIntegrity,
    RowCountMin,
    SchemaMatch,
    Unique,
    VolumeAnomaly,
)
from dp_foundation.quality.planning import plan

JobCounter = Callable[[Callable[[], object]], int]

# ─── the plan (no Spark) ─────────────────────────────────────────────────────

ROW = [
    NotNull(column="a"),
    Completeness(column="a", percent=1),
    Expression(expression="a > 0"),
    Freshness(column="d", max_age="1d"),  # type: ignore[arg-type]
]


def test_column_rules_alone_make_one_aggregation_pass() -> None:
    p = plan([*ROW, RowCountMin(minimum=1), SchemaMatch(expected={"a": "int"})])
    assert (p.aggregated, p.aggregation_pass, p.rides_on_key) == ((0, 1, 2, 3), True, False)
    assert p.describe() == ["aggregation"]


def test_column_rules_ride_on_the_first_key_pass_which_may_pack() -> None:
    p = plan([*ROW, Unique(columns=("a",)), Unique(columns=("b", "c")), Unique(columns=("a",))])
    assert (p.aggregation_pass, p.rides_on_key, p.pack_first_key) == (False, True, True)
    assert p.key_sets == (("a",), ("b", "c"))
    assert p.describe() == ["key(a) + aggregation", "key(b, c)"]


def test_a_custom_aggregate_keeps_its_own_pass_and_no_key_is_packed() -> None:
    p = plan([*ROW, Aggregate(expression="sum(a)", op=">", value=0), Unique(columns=("a",))])
    assert (p.aggregation_pass, p.rides_on_key, p.pack_first_key) == (True, False, False)
    assert p.describe() == ["aggregation", "key(a)"]


def test_references_join_once_per_distinct_reference() -> None:
    orders = "c.d.orders"
    p = plan(
        [
            ReferentialIntegrity(columns=("k",), reference=orders, reference_columns=("o",)),
            ReferentialIntegrity(
                columns=("k",), reference=orders, reference_columns=("o",), severity="warn"
            ),
            ReferentialIntegrity(columns=("k",), reference="c.d.other", reference_columns=("o",)),
        ]
    )
    assert len(p.joins) == 2
    assert p.aggregation_pass  # the joins need the row count
    assert p.describe() == ["aggregation", "join(k -> o)", "join(k -> o)"]


def test_volume_reads_metadata_and_the_row_count() -> None:
    p = plan([VolumeAnomaly(table="c.d.t", max_drop_percent=10), Unique(columns=("a",))])
    assert (p.tables, p.counted, p.rides_on_key) == (("c.d.t",), True, True)


def test_schema_alone_needs_no_pass() -> None:
    p = plan([SchemaMatch(expected={"a": "int"})])
    assert (p.aggregation_pass, p.key_sets, p.describe()) == (False, (), [])


# ─── the budget, in Spark jobs ───────────────────────────────────────────────


@pytest.fixture
def no_broadcast(spark: SparkSession) -> Iterator[None]:
    """Sort-merge joins only: a broadcast is a Spark job of its own (of the reference, not
    of the input), which would blur the count of passes over the input."""
    previous = spark.conf.get("spark.sql.autoBroadcastJoinThreshold")
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    try:
        yield
    finally:
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", previous)


def _contract_rules(c: DataQualityChecker) -> DataQualityChecker:
    """Every rule kind that rides on the aggregation pass, except custom aggregates."""
    return (
        c.not_null("id")
        .completeness("s", 20)
        .freshness("d", "100000d")
        .expression("k >= 0 AND s IS NOT NULL", severity="warn")
        .value_in_set("k", range(100))
        .row_count_min(1)
    )


@pytest.mark.parametrize(
    ("declare", "passes"),
    [
        # Every aggregate-pass rule, custom aggregates included: one pass.
        (
            lambda c: (
                _contract_rules(c)
                .aggregate("sum(k)", ">", 0)
                .aggregate("max(d)", ">=", date(2026, 1, 1))
            ),
            1,
        ),
        # They ride on the (packed) first key pass.
        (lambda c: _contract_rules(c).unique("id"), 1),
        # A packed key that repeats: its recount replaces the saved aggregation pass.
        (lambda c: _contract_rules(c).unique("k"), 2),
        # A custom aggregate keeps its own pass; keys are then sorted, exact at once.
        (lambda c: _contract_rules(c).aggregate("sum(k)", ">", 0).unique("id"), 2),
        (lambda c: c.aggregate("count(distinct s)", ">", 0).unique("k"), 2),
        (lambda c: c.aggregate("avg(k)", "<", 50).unique("k").unique(["k", "s"]), 3),
    ],
)
def test_the_pass_budget_holds_with_the_new_rules(
    big: DataFrame,
    jobs: JobCounter,
    declare: Callable[[DataQualityChecker], DataQualityChecker],
    passes: int,
) -> None:
    checker = declare(DataQualityChecker(big, samples=0))
    assert jobs(checker.run) == passes
    assert passes <= 1 + len(checker.plan().key_sets)  # one aggregation pass + one per key
    assert checker.run()[0].passed


@pytest.mark.usefixtures("no_broadcast")
@pytest.mark.parametrize(
    ("declare", "passes"),
    [
        # A reference costs one join besides the aggregation pass (which counts the rows).
        (lambda c, ref: c.referential_integrity("k", ref, "id"), 2),
        (lambda c, ref: _contract_rules(c).referential_integrity("k", ref, "id"), 2),
        # The same reference twice is one join; with a key, the count rides on the key.
        (
            lambda c, ref: (
                c.unique("id")
                .referential_integrity("k", ref, "id")
                .referential_integrity("k", ref, "id", severity="warn")
            ),
            2,
        ),
    ],
)
def test_a_reference_costs_one_join(
    big: DataFrame,
    spark: SparkSession,
    jobs: JobCounter,
    declare: Callable[[DataQualityChecker, DataFrame], DataQualityChecker],
    passes: int,
) -> None:
    reference = spark.range(0, 100)
    checker = declare(DataQualityChecker(big, samples=0), reference)
    assert jobs(checker.run) == passes
    assert not any(r.blocking for r in checker.run())


def test_a_broadcast_reference_adds_its_broadcast_only(
    big: DataFrame, spark: SparkSession, jobs: JobCounter
) -> None:
    """A small reference is broadcast: a job that reads the reference, not the input."""
    checker = DataQualityChecker(big, samples=0).referential_integrity("k", spark.range(100), "id")
    assert jobs(checker.run) <= 3


def test_samples_cost_nothing_when_everything_passes(big: DataFrame, jobs: JobCounter) -> None:
    def passing(samples: int) -> DataQualityChecker:
        checker = DataQualityChecker(big, samples=samples)
        return checker.completeness("s", 20).expression("k >= 0").unique("id")

    assert jobs(passing(5).run) == jobs(passing(0).run) == 1


def test_samples_cost_bounded_actions_only_for_failed_rules(
    big: DataFrame, jobs: JobCounter
) -> None:
    def failing(samples: int) -> DataQualityChecker:
        return (
            DataQualityChecker(big, samples=samples)
            .not_null("s")  # fails
            .max_value("k", 50)  # fails
            .min_value("k", 0)  # passes: no action
            .unique("id")
        )

    without = jobs(failing(0).run)
    extra = jobs(failing(5).run) - without
    # One limited collect per failed rule; Spark may split a limit into a few jobs (it
    # reads one partition first, then more if that was not enough).
    assert without == 1
    assert 2 <= extra <= 2 * 4
