"""Fixtures of the quality tests: a Spark job counter and a seeded random table."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession

JobCounter = Callable[[Callable[[], object]], int]

RANDOM_SCHEMA = "id int, k int, x double, ts timestamp, d date, s string"
BASE_TIME = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def random_rows(seed: int, n: int) -> list[tuple[Any, ...]]:
    """``n`` rows of ``RANDOM_SCHEMA``: small integers, exact binary fractions (sums are
    exact in any order), times and dates before ``BASE_TIME``, about one value in ten null."""
    rng = random.Random(seed)

    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.1 else value

    return [
        (
            i,
            maybe(rng.randrange(-3, 4)),
            maybe(rng.choice([0.0, 0.5, 1.0, 2.5, -1.5])),
            maybe(BASE_TIME - timedelta(hours=rng.randrange(0, 200), seconds=rng.randrange(60))),
            maybe(date(2026, 1, 10) - timedelta(days=rng.randrange(0, 10))),
            maybe(rng.choice(["a", "b", "c"])),
        )
        for i in range(n)
    ]


RandomTable = Callable[[int, int], tuple[list[tuple[Any, ...]], DataFrame]]


@pytest.fixture
def random_table(spark: SparkSession) -> RandomTable:
    """``random_table(seed, n)``: the rows of :func:`random_rows` and a DataFrame of them."""

    def make(seed: int, n: int) -> tuple[list[tuple[Any, ...]], DataFrame]:
        rows = random_rows(seed, n)
        return rows, spark.createDataFrame(rows, RANDOM_SCHEMA)

    return make


@pytest.fixture
def jobs(spark: SparkSession) -> Iterator[JobCounter]:
    """Count the Spark jobs a call starts, through a job group and the status tracker.

    With adaptive query execution every shuffle stage is submitted as a job of its own, so
    job counts would measure stages, not passes. With AQE off one action is one job (its
    shuffle stages belong to it), so the count is the number of passes over the data.
    """
    sc = spark.sparkContext
    previous = spark.conf.get("spark.sql.adaptive.enabled")
    spark.conf.set("spark.sql.adaptive.enabled", "false")

    def count(call: Callable[[], object]) -> int:
        group = f"dq-{uuid.uuid4().hex}"
        sc.setJobGroup(group, "counting jobs")
        try:
            call()
        finally:
            sc.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
        sc._jsc.sc().listenerBus().waitUntilEmpty()  # type: ignore[union-attr]
        return len(sc.statusTracker().getJobIdsForGroup(group))

    try:
        yield count
    finally:
        spark.conf.set("spark.sql.adaptive.enabled", previous)


@pytest.fixture
def big(spark: SparkSession) -> DataFrame:
    """Several input partitions, some duplicates: a shape where extra passes would show."""
    from pyspark.sql import functions as F

    return spark.range(0, 5_000, numPartitions=4).select(
        F.col("id"),
        (F.col("id") % 100).alias("k"),
        F.when(F.col("id") % 7 == 0, None).otherwise(F.col("id").cast("string")).alias("s"),
        F.date_add(F.lit("2026-01-01").cast("date"), (F.col("id") % 30).cast("int")).alias("d"),
    )
