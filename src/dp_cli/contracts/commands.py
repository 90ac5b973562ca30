"""``dp contract``: list, lint, compile, dqdl, test and diff the projects' data contracts."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dp_foundation.exceptions import ContractError

if TYPE_CHECKING:
    from dp_foundation.config.settings import Settings

DEFAULT_OUT = Path("dist") / "contracts"


def _root() -> Path:
    from dp_cli.projects import repo_root

    return repo_root()


def _compiled(project: str | None) -> list[Any]:
    from dp_cli.contracts.compile import compile_all

    results = compile_all(_root(), project)
    if project and not results:
        raise ContractError(
            f"project {project} has no contracts (contracts/<layer>/<table>.odcs.yaml)"
        )
    return results


def cmd_list(args: argparse.Namespace) -> int:
    """One line per contract: name, version, columns, rules, DQDL rules, file."""
    print(f"{'contract':<44} {'version':>8} {'cols':>5} {'rules':>6} {'dqdl':>5}  file")
    for result in _compiled(args.project):
        data = result.data
        if data is None:
            print(f"{result.source.key:<44} {'INVALID':>8}  {result.source.relative}")
            continue
        print(
            f"{result.source.key:<44} {data['contract']['version']:>8} {len(data['columns']):>5} "
            f"{len(data['rules']):>6} {len(data['dqdl']['rules']):>5}  {result.source.relative}"
        )
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    """ODCS JSON Schema and the platform's rules; one line per problem."""
    results = _compiled(args.project)
    problems = [p for r in results for p in r.problems]
    for problem in problems:
        print(problem)
    if args.datacontract:
        from dp_cli.contracts import external

        for outcome in external.lint(_root(), [r.source.path for r in results]):
            if not outcome.ok:
                problems.append(outcome.target)
                print(f"{outcome.target}: datacontract lint failed:\n{outcome.output}")
    print(f"{len(results)} contracts, {len(problems)} problem(s)")
    return 1 if problems else 0


def cmd_compile(args: argparse.Namespace) -> int:
    """Compile to JSON for the jobs (what upload-artifacts.sh ships beside the scripts)."""
    from dp_cli.contracts.compile import write_compiled

    out = Path(args.out)
    written = write_compiled(_compiled(args.project), out)
    print(f"compiled {len(written)} contracts into {out}/<project>/contracts/")
    return 0


def cmd_dqdl(args: argparse.Namespace) -> int:
    """Print each table's Glue Data Quality ruleset and what DQDL cannot say; with --write,
    write the ruleset files Terraform reads (``contracts/<layer>/<table>.dqdl``); with --check,
    fail when a committed one differs from its contract."""
    from dp_cli.contracts import dqdl

    if args.write or args.check:
        if args.table or args.layer:
            raise ContractError("--write and --check take every table of the project (or all)")
        results = _compiled(args.project)
        if args.write:
            done = dqdl.write_dqdl(_root(), results, args.project)
            for line in done:
                print(line)
            print(f"{len(done)} ruleset file(s) changed")
            return 0
        differences = dqdl.dqdl_differences(_root(), results, args.project)
        for line in differences:
            print(line)
        if differences:
            print(f"the ruleset files differ from the contracts: run `{dqdl.WRITE_COMMAND}`")
            return 1
        print(f"{len(dqdl.expected_files(results))} ruleset file(s) match their contracts")
        return 0
    results = [r for r in _compiled(args.project) if args.table in (None, r.source.table)]
    if args.layer:
        results = [r for r in results if r.source.layer == args.layer]
    if not results:
        raise ContractError(f"{args.project} has no table {args.table}")
    bad = [p for r in results for p in r.problems]
    if bad:
        raise ContractError("contract problems:\n" + "\n".join(bad))
    for result in results:
        where = dqdl.dqdl_path(result).relative_to(_root()).as_posix()
        print(f"# {result.source.key}: {where if dqdl.has_rules(result) else 'no DQDL rule'}")
        print(dqdl.dqdl_document(result))
    return 0


def _warehouse() -> Path:
    from dp_foundation.config.settings import get_config

    return Path(get_config().iceberg_warehouse.removeprefix("file://"))


def cmd_test(args: argparse.Namespace) -> int:
    """Every rule of the contracts against the local tables (the checker, through Spark), or
    with --datacontract through datacontract-cli."""
    from dp_cli.tables import current_metadata_file
    from dp_foundation.config.settings import get_config

    cfg = get_config()
    results = [r for r in _compiled(args.project) if args.table in (None, r.source.table)]
    bad = [p for r in results for p in r.problems]
    if bad:
        raise ContractError("contract problems:\n" + "\n".join(bad))
    warehouse = _warehouse()
    targets = []
    for result in results:
        data = result.data
        if data["layer"] == "raw":
            print(f"- {result.source.key}: raw tables are read as landed; not tested")
            continue
        table_dir = warehouse / cfg.database(data["layer"]) / data["table"]
        if current_metadata_file(table_dir) is None:
            print(f"- {result.source.key}: no local table at {table_dir} (run the pipeline first)")
            continue
        targets.append((result, table_dir))
    failed = 0
    if args.datacontract:
        from dp_cli.contracts import external

        with tempfile.TemporaryDirectory(prefix="dp-contract-test-") as work:
            for result, table_dir in targets:
                outcome = external.test_table(_root(), result.data, table_dir, Path(work))
                failed += not outcome.ok
                print(f"{'✓' if outcome.ok else '✗'} {outcome.target} (datacontract test)")
                if not outcome.ok or args.verbose:
                    print(outcome.output)
    else:
        failed = _test_with_checker(targets, cfg, args.verbose)
    print(f"{len(targets)} tables tested, {failed} failed")
    return 1 if failed else 0


def _test_with_checker(targets: list[Any], cfg: Settings, verbose: bool) -> int:
    from dp_foundation.contracts.model import TableContract
    from dp_foundation.spark.session import get_spark

    spark = get_spark(app_name="dp-contract-test")
    failed = 0
    for result, _ in targets:
        contract = TableContract.from_dict(result.data, origin=result.source.relative)
        df = spark.table(contract.qualified_name(cfg))
        checks = contract.checker(df, dataset=contract.name).run()
        errors = [c for c in checks if not c.passed and getattr(c, "severity", "error") == "error"]
        failed += bool(errors)
        held = sum(c.passed for c in checks)
        print(f"{'✗' if errors else '✓'} {contract.name}: {held}/{len(checks)} rules hold")
        for check in checks:
            if verbose or not check.passed:
                print(f"    {'ok ' if check.passed else 'FAIL'} {check.name}: {check.detail}")
    return failed


def cmd_diff(args: argparse.Namespace) -> int:
    """Classify every contract change since --base; fail on breaking ones without a major bump."""
    from dp_cli.contracts.diff import diff_against

    diffs = [d for d in diff_against(_root(), args.base) if d.changes]
    blocked = [d for d in diffs if d.blocked]
    for d in diffs:
        verdict = "BLOCKED" if d.blocked else ("major version raised" if d.breaking else "ok")
        print(f"{d.contract} {d.base_version or '-'} -> {d.head_version or '-'}: {verdict}")
        for change in d.changes:
            print(f"  {'breaking' if change.breaking else 'compatible':<10} {change.what}")
    if args.json:
        json.dump(
            [
                {
                    "contract": d.contract,
                    "blocked": d.blocked,
                    "changes": [c.__dict__ for c in d.changes],
                }
                for d in diffs
            ],
            sys.stdout,
            indent=1,
        )
        print()
    if blocked:
        print(
            f"{len(blocked)} contract(s) change in a breaking way without a new major version: "
            "raise their version's major number (and tell their consumers), or make the "
            "change compatible"
        )
        return 1
    print(f"{len(diffs)} contract(s) changed since {args.base}; none breaks its consumers")
    return 0


def add_parser(sub: Any) -> None:
    """Add ``dp contract ...`` to the ``dp`` parser's subcommands."""
    p = sub.add_parser(
        "contract",
        help="list, lint, compile, dqdl, test and diff the data contracts (ODCS)",
        description="The projects' data contracts: infrastructure/projects/<p>/contracts/"
        "<layer>/<table>.odcs.yaml",
    )
    csub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    c = csub.add_parser("list", help="every contract: version, columns, rules")
    c.add_argument("project", nargs="?")
    c.set_defaults(func=cmd_list)

    c = csub.add_parser("lint", help="validate against ODCS v3.0.2 and the platform's rules")
    c.add_argument("project", nargs="?")
    c.add_argument("--datacontract", action="store_true", help="also run `datacontract lint`")
    c.set_defaults(func=cmd_lint)

    c = csub.add_parser("compile", help="write the JSON the jobs read (next to the job scripts)")
    c.add_argument("project", nargs="?")
    c.add_argument("--out", default=str(DEFAULT_OUT), help=f"default: {DEFAULT_OUT}")
    c.set_defaults(func=cmd_compile)

    c = csub.add_parser("dqdl", help="print, write or check the Glue Data Quality rulesets")
    c.add_argument("project", nargs="?")
    c.add_argument("table", nargs="?")
    c.add_argument("--layer", choices=["raw", "refined", "curated"])
    mode = c.add_mutually_exclusive_group()
    mode.add_argument(
        "--write", action="store_true", help="write contracts/<layer>/<table>.dqdl (Terraform's)"
    )
    mode.add_argument(
        "--check", action="store_true", help="exit 1 when a committed .dqdl is out of date"
    )
    c.set_defaults(func=cmd_dqdl)

    c = csub.add_parser("test", help="check the local tables against their contracts")
    c.add_argument("project", nargs="?")
    c.add_argument("table", nargs="?")
    c.add_argument("--datacontract", action="store_true", help="with datacontract-cli instead")
    c.add_argument("-v", "--verbose", action="store_true")
    c.set_defaults(func=cmd_test)

    c = csub.add_parser("diff", help="classify contract changes since a git ref (CI gate)")
    c.add_argument("--base", required=True, help="git ref to compare with, e.g. origin/main")
    c.add_argument("--json", action="store_true", help="also print the changes as JSON")
    c.set_defaults(func=cmd_diff)


__all__ = ["add_parser"]
