"""dp_foundation.quality.rules: declarations, the registry, dicts in and out, one-line errors.

No Spark here: rules are plain values, readable in a process without a JVM.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dp_foundation.quality import (
    Aggregate,
    Completeness,
    Freshness,
    NotNull,
    ReferentialIntegrity,
    Unique,
    ValueInSet,
    VolumeAnomaly,
    rule_from_dict,
    rules_from_dicts,
)
from dp_foundation.quality.rules import RULES, Rule, format_duration, parse_duration

# One valid dict per kind: every kind of the registry must appear here.
EXAMPLES: dict[str, dict[str, Any]] = {
    "not_null": {"column": "o_orderkey"},
    "unique": {"columns": ["l_orderkey", "l_linenumber"]},
    "value_in_set": {"column": "o_orderstatus", "allowed": ["O", "F", "P"]},
    "min_value": {"column": "o_totalprice", "minimum": 0},
    "max_value": {"column": "l_discount", "maximum": 0.1},
    "row_count_min": {"minimum": 1},
    "schema_match": {"expected": {"o_orderkey": "bigint"}, "allow_extra_columns": False},
    "completeness": {"column": "c_email", "percent": 1, "op": "<"},
    "freshness": {"column": "o_orderdate", "max_age": "36h"},
    "expression": {"expression": "l_shipdate <= l_receiptdate"},
    "aggregate": {"expression": "sum(l_quantity)", "op": ">", "value": 0},
    "referential_integrity": {
        "columns": "l_orderkey",
        "reference": "glue_catalog.refined.orders",
        "reference_columns": "o_orderkey",
    },
    "volume_anomaly": {"table": "glue_catalog.refined.orders", "max_drop_percent": 20},
}


def test_every_kind_has_an_example() -> None:
    assert sorted(EXAMPLES) == sorted(RULES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_a_dict_builds_its_kind_and_round_trips(kind: str) -> None:
    rule = rule_from_dict({"kind": kind, **EXAMPLES[kind], "severity": "warn"})
    assert type(rule) is RULES[kind]
    assert (rule.kind, rule.severity) == (kind, "warn")
    assert rule.name.startswith(kind)
    assert rule_from_dict(rule.to_dict()) == rule


def test_names_say_what_is_checked() -> None:
    assert [rule_from_dict({"kind": k, **v}).name for k, v in EXAMPLES.items()] == [
        "not_null(o_orderkey)",
        "unique(l_orderkey, l_linenumber)",
        "value_in_set(o_orderstatus, {'F', 'O', 'P'})",
        "min_value(o_totalprice, 0)",
        "max_value(l_discount, 0.1)",
        "row_count_min(1)",
        "schema_match",
        "completeness(c_email, nulls < 1%)",
        "freshness(o_orderdate, max age 1d12h)",
        "expression(l_shipdate <= l_receiptdate)",
        "aggregate(sum(l_quantity) > 0)",
        "referential_integrity(l_orderkey -> glue_catalog.refined.orders(o_orderkey))",
        "volume_anomaly(glue_catalog.refined.orders, max drop 20%)",
    ]


def test_a_given_name_wins_and_survives_the_round_trip() -> None:
    rule = rule_from_dict({"kind": "expression", "expression": "a > 0", "name": "positive a"})
    assert rule.name == "positive a"
    assert rule.to_dict()["name"] == "positive a"
    assert "name" not in NotNull(column="a").to_dict()  # a default name is not repeated


def test_rules_are_frozen_values() -> None:
    rule = NotNull(column="a")
    assert rule == NotNull(column="a", severity="error")
    assert rule != NotNull(column="a", severity="warn")
    with pytest.raises(AttributeError):
        rule.column = "b"  # type: ignore[misc]


def test_fields_are_normalised() -> None:
    assert Unique(columns="a").columns == ("a",)  # type: ignore[arg-type]
    assert Unique(columns=["a", "b"]).columns == ("a", "b")  # type: ignore[arg-type]
    assert ValueInSet(column="s", allowed=["b", "a", "b"]).allowed == ("a", "b")  # type: ignore[arg-type]
    assert Completeness(column="c", percent=1).percent == 1.0
    ref = ReferentialIntegrity(columns="k", reference="c.d.t")  # type: ignore[arg-type]
    assert (ref.reference_columns, ref.reference_name) == (("k",), "c.d.t")
    fresh = Freshness(column="d", max_age="PT36H", now="2026-01-02T03:04:05")  # type: ignore[arg-type]
    assert fresh.max_age == timedelta(hours=36)
    assert fresh.now == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # naive means UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("36h", timedelta(hours=36)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("90m", timedelta(minutes=90)),
        ("1w", timedelta(days=7)),
        ("1.5h", timedelta(minutes=90)),
        ("PT36H", timedelta(hours=36)),
        ("P1DT30M", timedelta(days=1, minutes=30)),
        ("P2D", timedelta(days=2)),
        (3600, timedelta(hours=1)),
        (timedelta(seconds=5), timedelta(seconds=5)),
    ],
)
def test_durations(text: Any, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "P", "PT", "36", "h", "1y", "P1DT", True, None])
def test_bad_durations(text: Any) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(timedelta(hours=36)) == "1d12h"
    assert format_duration(timedelta(seconds=90)) == "1m30s"
    assert format_duration(timedelta(0)) == "0s"
    assert format_duration(timedelta(seconds=-3600)) == "-1h"


# Each wrong dict, and the one line that must say what is wrong.
BAD_DICTS: list[tuple[Any, str]] = [
    ("not_null", "a rule must be a mapping with a 'kind'; got str"),
    ({"column": "a"}, "missing field 'kind'"),
    ({"kind": "nope"}, "rule: field 'kind' must be one of ['aggregate', "),
    ({"kind": 3}, "field 'kind' must be one of"),
    ({"kind": "not_null"}, "not_null: missing field 'column'; not_null takes ['column', "),
    ({"kind": "not_null", "column": "a", "colour": 1}, "not_null: unknown field 'colour'"),
    ({"kind": "not_null", "column": ""}, "not_null: field 'column' must be a non-empty string"),
    ({"kind": "not_null", "column": 5}, "not_null: field 'column' must be a non-empty string"),
    (
        {"kind": "not_null", "column": "a", "severity": "fatal"},
        "not_null: field 'severity' must be 'error' or 'warn'; got 'fatal'",
    ),
    ({"kind": "unique", "columns": []}, "unique: field 'columns' needs at least one column"),
    ({"kind": "unique", "columns": ["a", 1]}, "unique: field 'columns' must hold column names"),
    (
        {"kind": "value_in_set", "column": "a", "allowed": "abc"},
        "value_in_set: field 'allowed' must be a list of values",
    ),
    (
        {"kind": "value_in_set", "column": "a", "allowed": []},
        "value_in_set: field 'allowed' needs at least one allowed value",
    ),
    ({"kind": "min_value", "column": "a", "minimum": None}, "min_value: field 'minimum' must be"),
    ({"kind": "row_count_min", "minimum": -1}, "row_count_min: field 'minimum' must be an integer"),
    (
        {"kind": "row_count_min", "minimum": 1.5},
        "row_count_min: field 'minimum' must be an integer",
    ),
    (
        {"kind": "completeness", "column": "c", "percent": "1%"},
        "completeness: field 'percent' must be a number from 0 to 100; got '1%'",
    ),
    (
        {"kind": "completeness", "column": "c", "percent": 101},
        "completeness: field 'percent' must be a number from 0 to 100",
    ),
    (
        {"kind": "completeness", "column": "c", "percent": 1, "op": ">"},
        "completeness: field 'op' must be one of ['<', '<=']",
    ),
    (
        {"kind": "freshness", "column": "d", "max_age": "soon"},
        "freshness: field 'max_age' must be a duration like '36h'",
    ),
    ({"kind": "freshness", "column": "d", "max_age": 0}, "field 'max_age' must be a positive"),
    (
        {"kind": "freshness", "column": "d", "max_age": "1h", "now": "yesterday"},
        "freshness: field 'now' must be an ISO 8601 timestamp",
    ),
    ({"kind": "expression", "expression": " "}, "expression: field 'expression' must be a non-"),
    (
        {"kind": "aggregate", "expression": "sum(a)", "op": "~", "value": 0},
        "aggregate: field 'op' must be one of ['<', '<=', '>', '>=', '=', '!=']; got '~'",
    ),
    (
        {"kind": "aggregate", "expression": "sum(a)", "op": ">", "value": None},
        "aggregate: field 'value' must be a value",
    ),
    (
        {"kind": "referential_integrity", "columns": "a", "reference": "no such table!"},
        "referential_integrity: field 'reference' must be a DataFrame or a table name",
    ),
    (
        {
            "kind": "referential_integrity",
            "columns": ["a", "b"],
            "reference": "c.d.t",
            "reference_columns": ["x"],
        },
        "referential_integrity: field 'reference_columns' must name 2 columns",
    ),
    (
        {"kind": "volume_anomaly", "table": "a.b.c.d", "max_drop_percent": 5},
        "volume_anomaly: field 'table' must be a table name",
    ),
    (
        {"kind": "volume_anomaly", "table": "a.b", "max_drop_percent": 5, "compare_with": "x"},
        "volume_anomaly: field 'compare_with' must be one of ['current', 'parent']",
    ),
    ({"kind": "schema_match", "expected": {"a": 1}}, "schema_match: field 'expected' must map"),
]


@pytest.mark.parametrize(("data", "message"), BAD_DICTS, ids=[m for _, m in BAD_DICTS])
def test_a_wrong_dict_fails_in_one_line_naming_the_field(data: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:  # noqa: PT011 - the message is checked below
        rule_from_dict(data)
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_rules_from_dicts_says_which_entry() -> None:
    rules = rules_from_dicts(
        [{"kind": "not_null", "column": "a"}, EXAMPLES["row_count_min"] | {"kind": "row_count_min"}]
    )
    assert [r.kind for r in rules] == ["not_null", "row_count_min"]
    with pytest.raises(ValueError, match=r"^rules\[1\]: unique: missing field 'columns'"):
        rules_from_dicts([{"kind": "not_null", "column": "a"}, {"kind": "unique"}])


def test_code_and_dicts_build_equal_rules() -> None:
    assert rule_from_dict(
        {"kind": "aggregate", "expression": "sum(q)", "op": ">", "value": 0}
    ) == Aggregate(expression="sum(q)", op=">", value=0)
    assert rule_from_dict(
        {"kind": "volume_anomaly", "table": "c.d.t", "max_drop_percent": 20}
    ) == VolumeAnomaly(table="c.d.t", max_drop_percent=20)


def test_every_kind_is_a_frozen_rule_with_a_docstring() -> None:
    for cls in RULES.values():
        assert issubclass(cls, Rule)
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert cls.__doc__


def test_rules_load_without_pyspark() -> None:
    """A contract can be read and validated in a plain process: no pyspark import."""
    code = (
        "import sys; from dp_foundation.quality import rule_from_dict; "
        "rule_from_dict({'kind': 'not_null', 'column': 'a'}); "
        "assert 'pyspark' not in sys.modules, 'pyspark was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
