"""Compare the curated tables with TPC-H's published answers, reading them with DuckDB.

DuckDB is an independent Iceberg reader: if it reads the right numbers from the files the
Spark jobs wrote, the tables are right and readable outside Spark.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from dp_cli.sample_data import duckdb_connection, tpch_answers

# TPC-H answers print sums at the columns' scale and averages with more digits; compare
# averages to 1e-4 relative (well inside TPC-H's rounding rules) and the rest exactly.
_AVERAGES = ("avg_qty", "avg_price", "avg_disc")


def read_table(table_dir: Path) -> list[dict[str, object]]:
    """Every row of the Iceberg table in ``table_dir`` as dicts, read by DuckDB."""
    con = duckdb_connection("avro", "iceberg")
    try:
        cursor = con.execute("SELECT * FROM iceberg_scan(?)", [str(table_dir)])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _same(column: str, got: object, expected: str) -> bool:
    if got is None:
        return False
    if isinstance(got, str):
        return got == expected
    g, e = Decimal(str(got)), Decimal(expected)
    if column in _AVERAGES:
        return abs(g - e) <= abs(e) * Decimal("1e-4")
    return g == e


def compare_with_answers(warehouse: Path, curated_db: str, scale_factor: float) -> list[str]:
    """Differences between the curated tables and TPC-H's answers (empty when equal)."""
    answers = tpch_answers(scale_factor)
    problems: list[str] = []
    for query, table, key in (
        (1, "pricing_summary", ("l_returnflag", "l_linestatus")),
        (5, "local_supplier_volume", ("n_name",)),
    ):
        rows = {
            tuple(str(r[k]) for k in key): r for r in read_table(warehouse / curated_db / table)
        }
        expected = {tuple(a[k] for k in key): a for a in answers[query]}
        if set(rows) != set(expected):
            problems.append(
                f"{table}: keys {sorted(rows)} differ from the answer's {sorted(expected)}"
            )
            continue
        for k, answer in expected.items():
            for column, value in answer.items():
                if not _same(column, rows[k].get(column), value):
                    problems.append(
                        f"{table}[{', '.join(k)}].{column}: {rows[k].get(column)} != {value}"
                    )
    return problems


__all__ = ["compare_with_answers", "read_table"]
