"""Data-quality checks over a DataFrame, computed in as few passes as the checks allow.

All checks except ``unique`` become aggregate expressions computed together in one pass;
each distinct ``unique`` key set costs one grouping pass (the way Deequ batches its
analyzers), and the first of those grouping passes carries the aggregate checks too, so a
typical run (some column checks plus one key) reads its input once. ``schema_match`` reads
only the schema. Checks never write anything: the job decides what to do with the results
(stop, quarantine, alert).

How a key is checked: a key that is (nearly) unique does not shrink under Spark's partial
aggregation, so a plain ``GROUP BY`` hashes every row twice and shuffles them all. Instead:

* a key with an integer or date column is packed 64 values to a word: rows are grouped by
  the other key columns and ``value >> 6``, and each group ORs ``1 << (value & 63)`` into a
  bitmask. Dense keys (ids, dates, line numbers) collapse up to 64 rows into one before the
  shuffle; distinct keys = the set bits. Sparse integers (hashed or random ids) do not
  collapse and cost about what a ``GROUP BY`` costs. Only when the bits show a repeated key
  does a second pass count the rows involved. Only the first key set (whose pass already
  saves the aggregation pass) takes this route, so a run never reads its input more often
  than one aggregation pass plus one grouping pass per key set;
* any other key is shuffled and sorted (a window partitioned by the key), which needs no
  hash table and counts the rows of every repeated key in the same pass.

Semantics: ``not_null`` fails on any null; ``unique`` fails when two rows share the same
values in its columns (nulls compare equal, as in GROUP BY); ``value_in_set``, ``min_value``
and ``max_value`` (both inclusive) ignore nulls; on an empty DataFrame every check passes
except ``row_count_min`` (unless its minimum is 0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from dp_foundation.exceptions import DataQualityError, SchemaError
from dp_foundation.logging.logger import get_logger

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

_log = get_logger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check.

    Attributes:
        name: the check and its arguments, e.g. ``not_null(o_orderkey)``.
        passed: whether the check held.
        detail: what was expected and what was found.
        failed_rows: rows that broke the check (for ``unique``: rows in duplicated groups;
            for ``row_count_min``: rows missing to reach the minimum); None for schema checks.
        total_rows: rows checked (None for ``schema_match``).
    """

    name: str
    passed: bool
    detail: str
    failed_rows: int | None = None
    total_rows: int | None = None


@dataclass(frozen=True)
class _Check:
    kind: str
    name: str
    params: tuple[Any, ...]


# Spark DDL accepts these names too; simpleString() always renders the canonical one.
_TYPE_SYNONYMS = {
    "integer": "int",
    "long": "bigint",
    "short": "smallint",
    "byte": "tinyint",
    "real": "float",
    "bool": "boolean",
    "dec": "decimal",
    "numeric": "decimal",
}


def _canonical_type(name: str) -> str:
    """``"Decimal(18, 2)"`` -> ``"decimal(18,2)"``, ``"integer"`` -> ``"int"``, ``"decimal"`` ->
    ``"decimal(10,0)"``: the rendering of ``DataType.simpleString()``."""
    compact = re.sub(r"\s+", "", name.lower())
    # Type names only: a struct field name is followed by ":".
    compact = re.sub(
        r"[a-z_][a-z0-9_]*(?![a-z0-9_:])",
        lambda m: _TYPE_SYNONYMS.get(m.group(0), m.group(0)),
        compact,
    )
    return re.sub(r"(?<![a-z0-9_])decimal(?![(a-z0-9_:])", "decimal(10,0)", compact)


# Key column types the checker packs 64 to a word (see the module docstring); dates as days.
_PACKABLE_TYPES = frozenset({"byte", "short", "integer", "long", "date"})


def _fmt(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class DataQualityChecker:
    """Chainable data-quality checks on one DataFrame.

    Example:
        >>> results = (
        ...     DataQualityChecker(df)
        ...     .not_null("id")
        ...     .unique(["id"])
        ...     .value_in_set("status", {"O", "F", "P"})
        ...     .min_value("amount", 0)
        ...     .row_count_min(1)
        ...     .run()
        ... )  # doctest: +SKIP
    """

    def __init__(self, df: DataFrame, dataset: str | None = None) -> None:
        """Args:
        df: the rows to check.
        dataset: a name for logs and errors, e.g. the table the rows are bound for.
        """
        self._df = df
        self._dataset = dataset
        self._checks: list[_Check] = []
        self._results: list[CheckResult] | None = None

    # ─── check declarations ──────────────────────────────────────────────────

    def _add(self, kind: str, name: str, *params: Any) -> DataQualityChecker:
        self._checks.append(_Check(kind, name, params))
        self._results = None
        return self

    def _require(self, columns: Iterable[str], check: str) -> None:
        missing = [c for c in columns if c not in self._df.columns]
        if missing:
            raise SchemaError(
                f"{check}: missing columns {missing}; the DataFrame has {self._df.columns}"
            )

    def not_null(self, column: str) -> DataQualityChecker:
        """Fail on any null in ``column``."""
        self._require([column], f"not_null({column})")
        return self._add("not_null", f"not_null({column})", column)

    def unique(self, columns: str | Sequence[str]) -> DataQualityChecker:
        """Fail when two rows share the same values in ``columns`` (nulls compare equal)."""
        cols = [columns] if isinstance(columns, str) else list(columns)
        if not cols:
            raise ValueError("unique() needs at least one column")
        self._require(cols, f"unique({', '.join(cols)})")
        return self._add("unique", f"unique({', '.join(cols)})", tuple(cols))

    def value_in_set(self, column: str, allowed: Iterable[Any]) -> DataQualityChecker:
        """Fail when a non-null value of ``column`` is not in ``allowed``.

        Nulls are never checked, so a ``None`` in ``allowed`` changes nothing (in SQL it would
        make ``NOT IN`` unknown for every row and hide every outsider).
        """
        given = set(allowed)
        if not given:
            raise ValueError(f"value_in_set({column}) needs at least one allowed value")
        self._require([column], f"value_in_set({column})")
        values = sorted((v for v in given if v is not None), key=str)
        shown = ", ".join(_fmt(v) for v in sorted(given, key=str))
        return self._add("value_in_set", f"value_in_set({column}, {{{shown}}})", column, values)

    def min_value(self, column: str, minimum: Any) -> DataQualityChecker:
        """Fail when a non-null value of ``column`` is below ``minimum`` (inclusive bound)."""
        self._require([column], f"min_value({column})")
        return self._add("min_value", f"min_value({column}, {_fmt(minimum)})", column, minimum)

    def max_value(self, column: str, maximum: Any) -> DataQualityChecker:
        """Fail when a non-null value of ``column`` is above ``maximum`` (inclusive bound)."""
        self._require([column], f"max_value({column})")
        return self._add("max_value", f"max_value({column}, {_fmt(maximum)})", column, maximum)

    def row_count_min(self, minimum: int) -> DataQualityChecker:
        """Fail when the DataFrame has fewer than ``minimum`` rows."""
        if minimum < 0:
            raise ValueError(f"row_count_min needs a minimum >= 0; got {minimum}")
        return self._add("row_count_min", f"row_count_min({minimum})", minimum)

    def schema_match(
        self, expected: Mapping[str, str], allow_extra_columns: bool = True
    ) -> DataQualityChecker:
        """Fail when columns of ``expected`` ({name: Spark type string}) are missing or typed
        differently, or, unless ``allow_extra_columns``, when the DataFrame has others."""
        return self._add("schema_match", "schema_match", dict(expected), allow_extra_columns)

    # ─── evaluation ──────────────────────────────────────────────────────────

    def _row_flags(self) -> dict[str, Column]:
        """Per aggregate check, a 0/1 column: 1 where the row breaks the check."""
        from pyspark.sql import functions as F

        flags: dict[str, Column] = {}
        for i, check in enumerate(self._checks):
            if check.kind == "not_null":
                broken = F.col(check.params[0]).isNull()
            elif check.kind == "value_in_set":
                col, values = F.col(check.params[0]), check.params[1]
                outside = ~col.isin(values) if values else F.lit(True)
                broken = col.isNotNull() & outside
            elif check.kind == "min_value":
                broken = F.col(check.params[0]) < F.lit(check.params[1])
            elif check.kind == "max_value":
                broken = F.col(check.params[0]) > F.lit(check.params[1])
            else:
                continue
            flags[f"__c{i}"] = F.when(broken, 1).otherwise(0)
        return flags

    def _aggregate_pass(self) -> dict[str, Any]:
        """Row count and every aggregate check's failures in one ``agg``."""
        from pyspark.sql import functions as F

        exprs = [F.count(F.lit(1)).alias("__total")]
        exprs += [F.sum(flag).alias(alias) for alias, flag in self._row_flags().items()]
        first = self._df.agg(*exprs).first()
        return first.asDict() if first else {}

    def _grouping_pass(
        self, columns: tuple[str, ...], with_flags: bool, pack: bool = False
    ) -> dict[str, Any]:
        """One pass over a ``unique`` key set: the row count (``__total``), the rows whose key
        another row shares (``__dups``) and, ``with_flags``, every aggregate check's failures.

        Folding the aggregate checks in saves a whole pass over the input: their per-row
        flags travel with the key and are summed at the end. ``pack`` allows packing an
        integer key column (see the module docstring), which costs a second pass when the
        key repeats.
        """
        flags = self._row_flags() if with_flags else {}
        packable = self._packable_column(columns) if pack else None
        if packable is None:
            return self._sorted_pass(columns, flags)
        row = self._packed_pass(columns, packable, flags)
        # Packing proves uniqueness; on a repeat, count the rows involved exactly.
        row["__dups"] = self._sorted_pass(columns, {})["__dups"] if row.pop("__repeats") else 0
        return row

    def _packable_column(self, columns: tuple[str, ...]) -> tuple[str, str] | None:
        """The first key column whose values are integers (dates count as day numbers), with
        its type name."""
        types = {f.name: f.dataType.typeName() for f in self._df.schema.fields}
        return next(((c, types[c]) for c in columns if types.get(c) in _PACKABLE_TYPES), None)

    def _sorted_pass(self, columns: tuple[str, ...], flags: dict[str, Column]) -> dict[str, Any]:
        """Shuffle and sort by the key; every row learns how many rows share its key."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        same_key = F.count(F.lit(1)).over(Window.partitionBy(*[F.col(c) for c in columns]))
        rows = self._df.select(*[f.alias(a) for a, f in flags.items()], same_key.alias("__n"))
        first = rows.agg(
            F.count(F.lit(1)).alias("__total"),
            F.count(F.when(F.col("__n") > 1, 1)).alias("__dups"),
            *[F.sum(a).alias(a) for a in flags],
        ).first()
        return first.asDict() if first else {}

    def _packed_pass(
        self, columns: tuple[str, ...], packed: tuple[str, str], flags: dict[str, Column]
    ) -> dict[str, Any]:
        """Group by the other key columns and ``packed >> 6``; OR each value's bit into a
        64-bit mask. A group has a repeated key when it has more rows than set bits."""
        from pyspark.sql import functions as F

        name, type_name = packed
        value = F.col(name)
        as_long = F.unix_date(value) if type_name == "date" else value.cast("bigint")
        others = [F.col(c) for c in columns if c != name]
        rows = self._df.select(
            *others, as_long.alias("__v"), *[f.alias(a) for a, f in flags.items()]
        )
        # A null value is one key of its own: it gets a bit (1) in its own (null) word.
        bit = F.coalesce(F.expr("shiftleft(1L, cast(__v & 63 AS INT))"), F.lit(1))
        words = rows.groupBy(*others, F.shiftright("__v", 6).alias("__word")).agg(
            F.count(F.lit(1)).alias("__n"),
            F.bit_or(bit).alias("__bits"),
            *[F.sum(a).alias(a) for a in flags],
        )
        first = words.agg(
            F.sum("__n").alias("__total"),
            F.max(F.col("__n") - F.bit_count("__bits")).alias("__repeats"),
            *[F.sum(a).alias(a) for a in flags],
        ).first()
        row = first.asDict() if first else {}
        row["__repeats"] = bool(row.get("__repeats") or 0)
        return row

    def _schema_result(self, check: _Check) -> CheckResult:
        expected, allow_extra = check.params
        actual = {f.name: f.dataType.simpleString() for f in self._df.schema.fields}
        missing = [c for c in expected if c not in actual]
        mismatched = {
            c: f"expected {expected[c]}, found {actual[c]}"
            for c in expected
            if c in actual and _canonical_type(actual[c]) != _canonical_type(str(expected[c]))
        }
        extra = [] if allow_extra else [c for c in actual if c not in expected]
        parts = []
        if missing:
            parts.append(f"missing columns {missing}")
        if mismatched:
            parts.append(f"type mismatches {mismatched}")
        if extra:
            parts.append(f"unexpected columns {extra}")
        passed = not parts
        detail = (
            "schema as expected" if passed else "; ".join(parts) + f"; the DataFrame has {actual}"
        )
        return CheckResult(check.name, passed, detail)

    def run(self) -> list[CheckResult]:
        """Run every check and return the results in the order the checks were added.

        Cost: one grouping pass per distinct ``unique`` column set, the first of which also
        computes every aggregate check (not_null, value_in_set, min/max_value, row_count_min);
        without ``unique`` checks, one aggregation pass; no pass at all when only
        ``schema_match`` is asked; one more pass when the first key set, packed, repeats.
        The input is read once per pass, never more often than one aggregation pass plus
        one grouping pass per key set.
        """
        if self._results is not None:
            return list(self._results)
        needs_agg = any(c.kind not in ("unique", "schema_match") for c in self._checks)
        unique_sets = list(dict.fromkeys(c.params[0] for c in self._checks if c.kind == "unique"))
        agg_row: dict[str, Any] = {}
        duplicates: dict[tuple[str, ...], int] = {}
        if unique_sets:
            # The first grouping pass also computes the aggregate checks: one pass fewer.
            agg_row = self._grouping_pass(unique_sets[0], with_flags=needs_agg, pack=True)
            duplicates[unique_sets[0]] = int(agg_row.get("__dups") or 0)
        elif needs_agg:
            agg_row = self._aggregate_pass()
        total = int(agg_row.get("__total") or 0)
        for cols in unique_sets[1:]:
            # Known to be empty: nothing can repeat, no pass needed.
            duplicates[cols] = (
                int(self._grouping_pass(cols, False).get("__dups") or 0) if total else 0
            )

        results: list[CheckResult] = []
        for i, check in enumerate(self._checks):
            if check.kind == "schema_match":
                results.append(self._schema_result(check))
                continue
            if check.kind == "row_count_min":
                minimum = check.params[0]
                passed = total >= minimum
                detail = f"expected at least {minimum} rows, found {total}"
                results.append(
                    CheckResult(check.name, passed, detail, max(0, minimum - total), total)
                )
                continue
            if check.kind == "unique":
                failed = duplicates[check.params[0]]
                what = "rows share their key with another row"
            else:
                failed = int(agg_row.get(f"__c{i}") or 0)
                what = {
                    "not_null": "rows are null",
                    "value_in_set": "non-null rows are outside the allowed set",
                    "min_value": "rows are below the minimum",
                    "max_value": "rows are above the maximum",
                }[check.kind]
            detail = f"{failed} of {total} {what}"
            results.append(CheckResult(check.name, failed == 0, detail, failed, total))
        self._results = results
        # One structured record per run: the local runner and CloudWatch read the results here.
        _log.info(
            "data quality results",
            extra={
                "dataset": self._dataset,
                "passed": all(r.passed for r in results),
                "checks": [asdict(r) for r in results],
            },
        )
        return list(results)

    def assert_all_passed(self) -> list[CheckResult]:
        """Run the checks (if not yet run) and return the results when all passed.

        Raises:
            DataQualityError: listing every failed check with its detail.
        """
        results = self.run()
        failures = [r for r in results if not r.passed]
        if failures:
            lines = "; ".join(f"{r.name}: {r.detail}" for r in failures)
            where = f" on {self._dataset}" if self._dataset else ""
            raise DataQualityError(
                f"{len(failures)} of {len(results)} data-quality checks failed{where}: {lines}",
                failures=list(failures),
            )
        return results


__all__ = ["CheckResult", "DataQualityChecker"]
