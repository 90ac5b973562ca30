"""How a ``unique`` key set is checked: two strategies behind :func:`count_shared_keys`.

A key that is (nearly) unique does not shrink under Spark's partial aggregation, so a plain
``GROUP BY`` hashes every row twice and shuffles them all. Instead:

* **packed**, for a key with an integer or date column: rows are grouped by the other key
  columns and ``value >> 6``, and each group ORs ``1 << (value & 63)`` into a bitmask. Dense
  keys (ids, dates, line numbers) collapse up to 64 rows into one before the shuffle;
  distinct keys = the set bits. Sparse integers (hashed or random ids) do not collapse and
  cost about what a ``GROUP BY`` costs. Only when the bits show a repeated key does a second
  pass count the rows involved, so the caller allows packing only where a pass was saved
  (see :mod:`~dp_foundation.quality.planning`);
* **sorted**, for any other key: the rows are shuffled and sorted (a window partitioned by
  the key), which needs no hash table and counts the rows of every repeated key in the same
  pass.

Both can carry the aggregation pass's measures (sums and maxima), combined per group first.
Rows sharing a key are counted exactly either way; nulls compare equal, as in ``GROUP BY``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dp_foundation.quality.planning import TOTAL, Measure

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# Key column types packed 64 to a word (``DataType.typeName()``); dates as day numbers.
PACKABLE_TYPES = frozenset({"byte", "short", "integer", "long", "date"})


@dataclass(frozen=True)
class KeyCount:
    """What one key pass found.

    Attributes:
        total: rows checked.
        shared: rows whose key another row has too (all rows of every repeated key).
        values: the combined measures the pass carried, by alias.
        strategy: ``"packed"`` or ``"sorted"``.
        passes: passes over the input it took (2 when a packed key repeats).
    """

    total: int
    shared: int
    values: dict[str, Any] = field(default_factory=dict)
    strategy: str = "sorted"
    passes: int = 1


def packable_column(df: DataFrame, columns: Sequence[str]) -> str | None:
    """The first key column whose values are integers (dates count as day numbers)."""
    types = {f.name: f.dataType.typeName() for f in df.schema.fields}
    return next((c for c in columns if types.get(c) in PACKABLE_TYPES), None)


def count_shared_keys(
    df: DataFrame,
    columns: Sequence[str],
    measures: Sequence[Measure] = (),
    *,
    allow_packing: bool = False,
) -> KeyCount:
    """Count the rows of ``df`` whose ``columns`` another row shares, in one pass.

    Args:
        df: the rows.
        columns: the key.
        measures: values of the aggregation pass to compute on the way.
        allow_packing: pack an integer or date key column (see the module docstring); a
            repeated packed key then costs a second pass.

    Returns:
        The row count, the rows sharing a key and the measures' values.
    """
    columns = tuple(columns)
    packed = packable_column(df, columns) if allow_packing else None
    if packed is None:
        row = _sorted_pass(df, columns, measures)
        return KeyCount(_int(row.pop(TOTAL)), _int(row.pop("__shared")), row)
    row = _packed_pass(df, columns, packed, measures)
    total, repeats = _int(row.pop(TOTAL)), bool(row.pop("__repeats"))
    if not repeats:  # packing proves uniqueness
        return KeyCount(total, 0, row, "packed")
    shared = _int(_sorted_pass(df, columns, ())["__shared"])  # count the rows involved exactly
    return KeyCount(total, shared, row, "packed", passes=2)


def sample_shared_keys(df: DataFrame, columns: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` repeated keys, each as ``{"key": {column: value}, "rows": n}``.

    One more grouping pass over the input: call it only when the key is known to repeat.
    """
    from pyspark.sql import functions as F

    groups = df.groupBy(*columns).agg(F.count(F.lit(1)).alias("__rows"))
    rows = groups.where(F.col("__rows") > 1).limit(limit).collect()
    return [
        {"key": {c: row[c] for c in columns}, "rows": int(row["__rows"])}
        for row in (r.asDict(recursive=True) for r in rows)
    ]


def _int(value: Any) -> int:
    return int(value or 0)


def _sorted_pass(
    df: DataFrame, columns: tuple[str, ...], measures: Sequence[Measure]
) -> dict[str, Any]:
    """Shuffle and sort by the key; every row learns how many rows share its key."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    same_key = F.count(F.lit(1)).over(Window.partitionBy(*[F.col(c) for c in columns]))
    rows = df.select(*[m.value.alias(m.alias) for m in measures], same_key.alias("__n"))
    first = rows.agg(
        F.count(F.lit(1)).alias(TOTAL),
        F.count(F.when(F.col("__n") > 1, 1)).alias("__shared"),
        *[m.over(m.alias) for m in measures],
    ).first()
    return first.asDict() if first else {TOTAL: 0, "__shared": 0}


def _packed_pass(
    df: DataFrame, columns: tuple[str, ...], packed: str, measures: Sequence[Measure]
) -> dict[str, Any]:
    """Group by the other key columns and ``packed >> 6``; OR each value's bit into a 64-bit
    mask. A group has a repeated key when it has more rows than set bits."""
    from pyspark.sql import functions as F

    is_date = next(f for f in df.schema.fields if f.name == packed).dataType.typeName() == "date"
    value = F.col(packed)
    as_long = F.unix_date(value) if is_date else value.cast("bigint")
    others = [F.col(c) for c in columns if c != packed]
    rows = df.select(*others, as_long.alias("__v"), *[m.value.alias(m.alias) for m in measures])
    # A null value is one key of its own: it gets a bit (1) in its own (null) word.
    bit = F.coalesce(F.expr("shiftleft(1L, cast(__v & 63 AS INT))"), F.lit(1))
    words = rows.groupBy(*others, F.shiftright("__v", 6).alias("__word")).agg(
        F.count(F.lit(1)).alias("__n"),
        F.bit_or(bit).alias("__bits"),
        *[m.over(m.alias) for m in measures],
    )
    first = words.agg(
        F.sum("__n").alias(TOTAL),
        F.max(F.col("__n") - F.bit_count("__bits")).alias("__repeats"),
        *[m.over(m.alias) for m in measures],
    ).first()
    row = first.asDict() if first else {}
    row["__repeats"] = bool(row.get("__repeats") or 0)
    row.setdefault(TOTAL, 0)
    return row


__all__ = [
    "PACKABLE_TYPES",
    "KeyCount",
    "count_shared_keys",
    "packable_column",
    "sample_shared_keys",
]
