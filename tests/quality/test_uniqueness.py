"""dp_foundation.quality.uniqueness: both strategies behind count_shared_keys, exact against a
Python count, with measures riding along; and the samples of repeated keys."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dp_foundation.quality.planning import Measure
from dp_foundation.quality.uniqueness import (
    count_shared_keys,
    packable_column,
    sample_shared_keys,
)

RandomTable = Callable[[int, int], tuple[list[tuple[Any, ...]], DataFrame]]
COLUMNS = ["id", "k", "x", "ts", "d", "s"]  # RANDOM_SCHEMA (see conftest.py)


def _shared(keys: list[tuple[Any, ...]]) -> int:
    return sum(n for n in Counter(keys).values() if n > 1)


@pytest.mark.parametrize("seed", [11, 12])
@pytest.mark.parametrize("packing", [True, False], ids=["packing allowed", "sorted"])
def test_both_strategies_are_exact_and_carry_measures(
    random_table: RandomTable, seed: int, packing: bool
) -> None:
    rows, df = random_table(seed, 400)
    measures = [
        Measure("nulls", F.when(F.col("k").isNull(), 1).otherwise(0), "sum"),
        Measure("newest", F.unix_date(F.col("d")), "max"),
    ]
    days = [r[4].toordinal() - 719_163 for r in rows if r[4] is not None]  # days since 1970
    for key in (["k"], ["d"], ["s", "k"], ["k", "s", "d"], ["s"], ["id"]):
        found = count_shared_keys(df, key, measures, allow_packing=packing)
        expected = _shared([tuple(r[COLUMNS.index(c)] for c in key) for r in rows])
        assert (found.total, found.shared) == (len(rows), expected), key
        assert found.values == {"nulls": sum(r[1] is None for r in rows), "newest": max(days)}
        packable = packing and packable_column(df, key) is not None
        assert found.strategy == ("packed" if packable else "sorted")
        assert found.passes == (2 if packable and expected else 1)


def test_packable_columns(spark: SparkSession) -> None:
    df = spark.createDataFrame([], "s string, t timestamp, d date, b tinyint, n bigint")
    assert packable_column(df, ["s", "t"]) is None
    assert packable_column(df, ["s", "d", "n"]) == "d"
    assert packable_column(df, ["b"]) == "b"


def test_an_empty_input(spark: SparkSession) -> None:
    df = spark.createDataFrame([], "k int, s string")
    for packing in (True, False):
        found = count_shared_keys(df, ["k"], allow_packing=packing)
        assert (found.total, found.shared) == (0, 0)


def test_samples_are_repeated_keys_with_their_row_counts(random_table: RandomTable) -> None:
    rows, df = random_table(13, 300)
    counts = Counter((r[1], r[5]) for r in rows)
    samples = sample_shared_keys(df, ["k", "s"], 4)
    assert len(samples) == 4
    for sample in samples:
        key = (sample["key"]["k"], sample["key"]["s"])
        assert sample["rows"] == counts[key] > 1
    _, unique = random_table(14, 50)
    assert sample_shared_keys(unique, ["id"], 4) == []
