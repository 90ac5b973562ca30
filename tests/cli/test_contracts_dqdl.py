"""DQDL export, rule by rule, against DQDL's documented grammar (awslabs/dqdl's
DataQualityDefinitionLanguage.g4 and the rule types of the AWS Glue DQDL reference): each
rule is ``RuleType parameter* condition? whereClause?`` with parameters as quoted strings,
numbers in DQDL's number syntax, sets as ``in [...]``, durations as ``<n> hours``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from dp_cli.contracts.compile import compile_all
from dp_cli.contracts.dqdl import WRITE_COMMAND, dqdl_differences, write_dqdl
from dp_cli.contracts.interpret import dqdl_ruleset, interpret
from dp_cli.contracts.source import ContractSource
from dp_cli.main import main

ROOT = Path(__file__).resolve().parents[2]

# ─── A recogniser of the grammar's rules we emit ──────────────────────────────

QUOTED = r'"(?:\\.|[^"\\])*"'
NUMBER = r"-?\d+(?:\.\d+)?"
DATE = r'"\d{4}-\d{2}-\d{2}"'
CMP = r"(?:>=|<=|!=|=|>|<)"
NUM_COND = rf"(?:{CMP}\s*{NUMBER}|(?:not\s+)?between\s+{NUMBER}\s+and\s+{NUMBER})"
WHERE = rf"(?:\s+where\s+{QUOTED})?"
RULES = {
    "IsComplete": rf"IsComplete\s+{QUOTED}{WHERE}",
    "IsUnique": rf"IsUnique(?:\s+{QUOTED})+{WHERE}",
    "IsPrimaryKey": rf"IsPrimaryKey(?:\s+{QUOTED})+{WHERE}",
    "ColumnValues": (
        rf"ColumnValues\s+{QUOTED}\s+(?:(?:not\s+)?in\s+\[\s*(?:{QUOTED}|{NUMBER})"
        rf"(?:\s*,\s*(?:{QUOTED}|{NUMBER}))*\s*\]|{CMP}\s*(?:{NUMBER}|{DATE})"
        rf"|between\s+{NUMBER}\s+and\s+{NUMBER}){WHERE}"
    ),
    "RowCount": rf"RowCount\s+{NUM_COND}{WHERE}",
    "Completeness": rf"Completeness\s+{QUOTED}\s+{NUM_COND}{WHERE}",
    "CustomSql": rf"CustomSql\s+{QUOTED}\s+{NUM_COND}",
    "DataFreshness": rf"DataFreshness\s+{QUOTED}\s+{CMP}\s*\d+\s+(?:hours|days|minutes){WHERE}",
    "ReferentialIntegrity": rf"ReferentialIntegrity\s+{QUOTED}\s+{QUOTED}\s+{NUM_COND}",
}


def valid_rule(rule: str) -> bool:
    kind = rule.split(" ", 1)[0]
    return kind in RULES and re.fullmatch(RULES[kind], rule) is not None


def valid_ruleset(text: str) -> bool:
    body = re.fullmatch(r"Rules\s*=\s*\[\s*(.*?)\s*\]", text, re.S)
    if body is None:
        return False
    return body.group(1) == "" or all(valid_rule(r.strip()) for r in _split(body.group(1)))


def _split(body: str) -> list[str]:
    """Top-level commas (not in quotes or brackets)."""
    out, depth, quoted, cur, escape = [], 0, False, "", False
    for ch in body:
        if escape:
            cur, escape = cur + ch, False
            continue
        if ch == "\\" and quoted:
            cur, escape = cur + ch, True
            continue
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "[":
            depth += 1
        elif not quoted and ch == "]":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            out.append(cur)
            cur = ""
            continue
        cur += ch
    return [*out, cur]


def test_the_recogniser_refuses_what_the_grammar_refuses() -> None:
    for bad in (
        "IsComplete o_orderkey",  # parameters are quoted
        'ColumnValues "c" in ("A")',  # sets are [...]
        'RowCount > "5"',
        'DataFreshness "d" <= 1 weeks',
        'ColumnValues "c" >= 1 where c > 1',  # the where clause is a quoted string
        'isComplete "c"',  # rule types are case sensitive
    ):
        assert not valid_rule(bad), bad


# ─── Each declaration, exported ──────────────────────────────────────────────


def _table(properties: list[dict[str, Any]], quality: list[Any] | None = None, **doc: Any) -> Any:
    source = ContractSource(Path("x.odcs.yaml"), "x.odcs.yaml", "p", "refined", "t")
    obj: dict[str, Any] = {"name": "t", "properties": properties}
    if quality:
        obj["quality"] = quality
    return interpret(source, {"schema": [obj], **doc})


def _col(name: str = "c", physical: str = "bigint", **extra: Any) -> dict[str, Any]:
    logical = {"bigint": "integer", "string": "string", "date": "date", "timestamp": "date"}
    return {
        "name": name,
        "logicalType": logical.get(physical, "number"),
        "physicalType": physical,
        "classification": "internal",
        "customProperties": [{"property": "pii", "value": False}],
        **extra,
    }


CASES = [
    ([_col(required=True)], None, {}, ['IsComplete "c"'], [{"kind": "not_null", "column": "c"}]),
    ([_col(unique=True)], None, {}, ['IsUnique "c"'], [{"kind": "unique", "columns": ["c"]}]),
    (
        [
            _col("a", required=True, primaryKey=True, primaryKeyPosition=2),
            _col("b", required=True, primaryKey=True, primaryKeyPosition=1),
        ],
        None,
        {},
        ['IsComplete "a"', 'IsComplete "b"', 'IsUnique "b" "a"'],
        [
            {"kind": "not_null", "column": "a"},
            {"kind": "not_null", "column": "b"},
            {"kind": "unique", "columns": ["b", "a"]},
        ],
    ),
    (
        [
            _col(
                physical="decimal(15,2)",
                logicalTypeOptions={"minimum": -999.99, "maximum": 9999.99},
            )
        ],
        None,
        {},
        [
            'ColumnValues "c" >= -999.99 where "c IS NOT NULL"',
            'ColumnValues "c" <= 9999.99 where "c IS NOT NULL"',
        ],
        [
            {"kind": "min_value", "column": "c", "minimum": -999.99},
            {"kind": "max_value", "column": "c", "maximum": 9999.99},
        ],
    ),
    (
        [_col(required=True, logicalTypeOptions={"minimum": 0, "exclusiveMinimum": True})],
        None,
        {},
        ['IsComplete "c"', 'ColumnValues "c" > 0'],
        [
            {"kind": "not_null", "column": "c"},
            {"kind": "expression", "expression": "c IS NULL OR c > 0"},
        ],
    ),
    (
        [_col("d", "date", required=True, logicalTypeOptions={"minimum": "1992-01-01"})],
        None,
        {},
        ['IsComplete "d"', 'ColumnValues "d" >= "1992-01-01"'],
        [
            {"kind": "not_null", "column": "d"},
            {"kind": "min_value", "column": "d", "minimum": "1992-01-01"},
        ],
    ),
    (
        [_col("s", "string", quality=[{"rule": "validValues", "validValues": ["A", 'say "hi"']}])],
        None,
        {},
        ['ColumnValues "s" in ["A", "say \\"hi\\""] where "s IS NOT NULL"'],
        [{"kind": "value_in_set", "column": "s", "allowed": ["A", 'say "hi"']}],
    ),
    (
        [
            _col(
                quality=[
                    {"type": "library", "rule": "validValues", "validValues": [1, 2], "mustBe": 0}
                ],
                required=True,
            )
        ],
        None,
        {},
        ['IsComplete "c"', 'ColumnValues "c" in [1, 2]'],
        [
            {"kind": "not_null", "column": "c"},
            {"kind": "value_in_set", "column": "c", "allowed": [1, 2]},
        ],
    ),
    (
        [
            _col(
                quality=[
                    {"rule": "nullCheck"},
                    {
                        "rule": "nullCheck",
                        "unit": "percent",
                        "mustBeLessOrEqualTo": 5,
                        "severity": "warning",
                    },
                ]
            )
        ],
        None,
        {},
        ['IsComplete "c"', 'Completeness "c" >= 0.95'],
        [
            {"kind": "not_null", "column": "c"},
            {"kind": "completeness", "column": "c", "percent": 5, "op": "<=", "severity": "warn"},
        ],
    ),
    (
        [_col(quality=[{"rule": "duplicateCount", "mustBe": 0}])],
        None,
        {},
        ['IsUnique "c"'],
        [{"kind": "unique", "columns": ["c"]}],
    ),
    (
        [_col()],
        [
            {"rule": "rowCount", "mustBeGreaterThan": 0},
            {"rule": "rowCount", "mustBeBetween": [10, 20]},
        ],
        {},
        ["RowCount > 0", "RowCount between 10 and 20"],
        [
            {"kind": "row_count_min", "minimum": 1},
            {"kind": "aggregate", "expression": "count(1)", "op": ">", "value": 10},
            {"kind": "aggregate", "expression": "count(1)", "op": "<", "value": 20},
        ],
    ),
    (
        [
            _col(
                quality=[
                    {
                        "type": "sql",
                        "query": "SELECT COUNT(*) FROM ${object}\n WHERE ${property} < 0",
                        "mustBe": 0,
                    }
                ]
            )
        ],
        [{"type": "sql", "query": "select max(c) from ${table}", "mustBeLessThan": 100}],
        {},
        [
            'CustomSql "SELECT COUNT(*) FROM primary WHERE c < 0" = 0',
            'CustomSql "select max(c) from primary" < 100',
        ],
        [
            {
                "kind": "aggregate",
                "expression": "COUNT(*) FILTER (WHERE c < 0)",
                "op": "=",
                "value": 0,
            },
            {"kind": "aggregate", "expression": "max(c)", "op": "<", "value": 100},
        ],
    ),
    (
        [_col("ts", "timestamp")],
        None,
        {"slaProperties": [{"property": "freshness", "value": 36, "unit": "h", "element": "t.ts"}]},
        ['DataFreshness "ts" <= 36 hours'],
        [],
    ),
]


@pytest.mark.parametrize(("props", "quality", "doc", "dqdl", "rules"), CASES)
def test_each_declaration_exports_a_grammatical_rule_and_a_checker_rule(
    props: list, quality: list | None, doc: dict, dqdl: list[str], rules: list[dict]
) -> None:
    it = _table(props, quality, **doc)
    assert it.problems == []
    assert it.dqdl_rules == dqdl
    assert all(valid_rule(r) for r in it.dqdl_rules), it.dqdl_rules
    assert [r["rule"] for r in it.rules] == rules


def test_what_dqdl_cannot_express_is_listed() -> None:
    volume = {"kind": "volume_anomaly", "table": "glue_catalog.db.t", "max_drop_percent": 20}
    it = _table(
        [_col(quality=[{"type": "text", "description": "checked by hand"}])],
        [
            {"type": "custom", "engine": "dp-quality", "implementation": volume},
            {"type": "custom", "engine": "soda", "implementation": "x"},
        ],
        slaProperties=[
            {"property": "retention", "value": 1, "unit": "y"},
            {"property": "freshness", "value": 1, "unit": "d"},
        ],
    )
    assert it.problems == []
    assert it.dqdl_rules == []
    listed = {n["origin"]: n["reason"] for n in it.not_in_dqdl}
    assert set(listed) == {
        "c.quality[0]",
        "quality[0]",
        "quality[1]",
        "slaProperties[0]",
        "slaProperties[1]",
    }
    assert "no static DQDL rule" in listed["quality[0]"]
    assert [r["rule"]["kind"] for r in it.rules] == ["volume_anomaly"]


def test_every_ruleset_of_the_repository_is_grammatical() -> None:
    rulesets = {r.source.key: r.data["dqdl"] for r in compile_all(ROOT) if r.data}
    assert len(rulesets) >= 17
    for key, dqdl in rulesets.items():
        assert valid_ruleset(dqdl["ruleset"]), key
        assert dqdl["ruleset"] == dqdl_ruleset(dqdl["rules"])
    assert 'IsUnique "l_orderkey" "l_linenumber"' in rulesets["project01/refined/lineitem"]["rules"]


# ─── The committed ruleset files Terraform reads ─────────────────────────────

# DQDL's lexer (awslabs/dqdl CommonLexerRules.g4): LINE_COMMENT: '#' .*? '\r'? '\n' -> skip
LINE_COMMENT = re.compile(r"#.*?\r?\n")


def test_committed_rulesets_are_what_the_contracts_export() -> None:
    differences = dqdl_differences(ROOT, compile_all(ROOT))
    assert not differences, f"run `{WRITE_COMMAND}` and commit the files:\n" + "\n".join(
        differences
    )


def test_every_committed_ruleset_parses_and_names_its_contract() -> None:
    files = sorted(ROOT.glob("infrastructure/projects/*/contracts/*/*.dqdl"))
    assert len(files) >= 11
    for path in files:
        text = path.read_text(encoding="utf-8")
        header = f"# Generated by `{WRITE_COMMAND}` from {path.stem}.odcs.yaml"
        assert text.splitlines()[0].startswith(header), path
        assert text.endswith("]\n"), path
        assert valid_ruleset(LINE_COMMENT.sub("", text).strip()), path
    # A table with no rule DQDL can express (the raw tables) gets no file, so no ruleset.
    assert not list(ROOT.glob("infrastructure/projects/*/contracts/raw/*.dqdl"))


def test_the_recogniser_skips_comments_as_the_lexer_does() -> None:
    text = '# header\n# not in DQDL: x: "quoted"\nRules = [\n    IsComplete "c"\n]\n'
    assert valid_ruleset(LINE_COMMENT.sub("", text).strip())
    # A comment swallows the rest of its line, so a rule behind one is gone, not parsed.
    assert not valid_ruleset(LINE_COMMENT.sub("", 'Rules = [ # IsComplete "c" ]\n').strip())


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the repository's test02 project (contracts and project.json)."""
    (tmp_path / "setup").mkdir()
    shutil.copy(ROOT / "setup" / "domain.json", tmp_path / "setup" / "domain.json")
    src = ROOT / "infrastructure" / "projects" / "test02"
    dest = tmp_path / "infrastructure" / "projects" / "test02"
    shutil.copytree(src / "contracts", dest / "contracts")
    shutil.copy(src / "project.json", dest / "project.json")
    return tmp_path


def test_stale_missing_and_orphan_files_are_reported_then_rewritten(repo: Path) -> None:
    contracts = repo / "infrastructure" / "projects" / "test02" / "contracts"
    dim, quarantine = (
        contracts / "refined" / "customer_dim.dqdl",
        contracts / "refined" / ("customer_quarantine.dqdl"),
    )
    dim.write_text(dim.read_text().replace("48 hours", "72 hours"))
    quarantine.unlink()
    ghost = contracts / "curated" / "ghost.dqdl"
    ghost.parent.mkdir()
    ghost.write_text("Rules = [ ]\n")
    results = compile_all(repo, "test02")
    assert dqdl_differences(repo, results, "test02") == [
        "infrastructure/projects/test02/contracts/curated/ghost.dqdl: "
        "no contract exports DQDL rules for it any more",
        "infrastructure/projects/test02/contracts/refined/customer_dim.dqdl: "
        "differs from what its contract exports now",
        "infrastructure/projects/test02/contracts/refined/customer_quarantine.dqdl: missing",
    ]
    assert len(write_dqdl(repo, results, "test02")) == 3
    assert dqdl_differences(repo, results, "test02") == []
    assert "48 hours" in dim.read_text()
    assert quarantine.is_file()
    assert not ghost.exists()
    assert write_dqdl(repo, results, "test02") == []  # unchanged files are left alone


def test_cli_check_fails_and_names_the_command_until_written(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    (repo / "infrastructure/projects/test02/contracts/refined/customer_dim.dqdl").unlink()
    assert main(["contract", "dqdl", "--check"]) == 1
    out = capsys.readouterr().out
    assert "customer_dim.dqdl: missing" in out
    assert f"run `{WRITE_COMMAND}`" in out
    assert main(["contract", "dqdl", "test02", "--write"]) == 0
    assert "wrote infrastructure/projects/test02/contracts/refined/customer_dim.dqdl" in (
        capsys.readouterr().out
    )
    assert main(["contract", "dqdl", "--check"]) == 0
    assert "2 ruleset file(s) match their contracts" in capsys.readouterr().out
