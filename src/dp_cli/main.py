"""`dp`: the data engineer's command line for this domain.

Commands import what they need when they run; pyspark is never imported here (jobs run in
their own processes), so ``dp --help`` and ``dp tables`` answer at once.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dp_foundation.exceptions import DataPlatformError
from dp_foundation.logging import events as ev
from dp_foundation.logging.logger import setup_logging

EXIT_USAGE = 2


def _split_target(target: str) -> tuple[str, str]:
    project, sep, job = target.partition("/")
    if not sep or not project or not job:
        raise DataPlatformError(f"'{target}' is not <project>/<job> (e.g. project01/refine)")
    return project, job


def _require_java() -> None:
    """Jobs run on a local JVM: say so before anything starts when there is no usable Java
    (rather than after generating data, or as a job's failure)."""
    from dp_foundation.spark.local_jars import find_java

    find_java()  # raises RuntimeSetupError with the fix


def cmd_run(args: argparse.Namespace) -> int:
    """Run one job as Glue would."""
    from dp_cli.projects import get_job, load_project
    from dp_cli.runner import run_job

    _require_java()
    project_name, job_name = _split_target(args.target)
    project = load_project(project_name)
    job = get_job(project, job_name)
    extra = [a for a in args.job_args if a != "--"]
    run = run_job(project, job, args.env, extra, echo=sys.stderr)
    status = "succeeded" if run.ok else f"failed: {run.reason}"
    print(f"{project_name}/{job_name} {status} in {run.seconds:.1f} s (log: {run.log_path})")
    return 0 if run.ok else 1


class Progress:
    """Prints a pipeline's progress from its events (the run log's contract, not the wording
    of log messages): jobs, retries, checks and tables as they happen."""

    def __init__(self, out: Any = None) -> None:
        self.out = out or sys.stdout
        self.checks: list[ev.ChecksRun] = []
        self.tables: dict[str, int | None] = {}

    def __call__(self, message: str, record: dict[str, Any]) -> None:
        say = self._say
        event = ev.event_from_record(record)
        if isinstance(event, ev.JobStarted):
            attempt = f" (attempt {event.attempt})" if event.attempt > 1 else ""
            say(f"▶ {event.job}{attempt}")
        elif isinstance(event, ev.JobAttempt):
            verdict = "done" if event.ok else f"FAILED: {event.reason}"
            say(f"  {event.job} {verdict} ({event.seconds:.1f} s)")
        elif isinstance(event, ev.JobRetrying):
            say(f"  retrying {event.job} in {event.delay:.0f} s (as Step Functions would)")
        elif isinstance(event, ev.ChecksRun):
            self.checks.append(event)
            passed = sum(1 for c in event.checks if c.get("passed"))
            mark = "✓" if passed == len(event.checks) else "✗"
            say(f"  {mark} {passed}/{len(event.checks)} checks passed on {event.dataset}")
        elif isinstance(event, ev.TableWritten):
            self.tables[event.table] = event.snapshot_id
            rows = f", {event.added_records:,} rows added" if event.added_records else ""
            say(f"  → wrote {event.table} ({event.mode}{rows})")

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _pipeline(
    project_name: str,
    pipeline_name: str,
    args: argparse.Namespace,
    progress: Progress,
    job_arguments: dict[str, list[str]] | None = None,
) -> Any:
    from dp_cli.projects import get_pipeline, load_project
    from dp_cli.runner import run_pipeline

    project = load_project(project_name)
    pipeline = get_pipeline(project, pipeline_name)
    echo = sys.stderr if getattr(args, "verbose", False) else None
    return run_pipeline(
        project,
        pipeline,
        args.env,
        backoff_scale=args.backoff_scale,
        echo=echo,
        on_event=progress,
        start_at=getattr(args, "start_at", None),
        job_arguments=job_arguments,
    )


def _summary(result: Any) -> str:
    if result.ok:
        return f"pipeline {result.project}/{result.pipeline} succeeded in {result.seconds:.1f} s"
    attempts = sum(1 for r in result.runs if r.job == result.failed_job)
    log = [r.log_path for r in result.runs if r.job == result.failed_job][-1]
    return (
        f"pipeline {result.project}/{result.pipeline} failed at job '{result.failed_job}' "
        f"after {attempts} attempt(s): {result.reason} (log: {log}); once fixed, resume with "
        f"`dp pipeline run {result.project} {result.pipeline} --from {result.failed_job}`"
    )


def cmd_pipeline_run(args: argparse.Namespace) -> int:
    """Run a project's pipeline locally with Step Functions' semantics."""
    _require_java()
    result = _pipeline(args.project, args.pipeline, args, Progress())
    print(_summary(result))
    return 0 if result.ok else 1


def cmd_pipeline_list(args: argparse.Namespace) -> int:
    """List projects and their pipelines."""
    from dp_cli.projects import load_project, project_names, repo_root

    for name in project_names(repo_root()):
        project = load_project(name)
        for pipeline in project.pipelines.values():
            print(f"{name}/{pipeline.name}: {' -> '.join(pipeline.jobs)}")
    return 0


def cmd_new_project(args: argparse.Namespace) -> int:
    """Scaffold a project."""
    from dp_cli.projects import new_project, repo_root

    root = repo_root()
    for folder in new_project(args.name):
        print(f"created {folder.relative_to(root)}/")
    print(
        f"next: edit infrastructure/projects/{args.name}/project.json (jobs, pipelines), "
        "tables.tf, and the job scripts; then `dp pipeline run "
        f"{args.name} main`"
    )
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """Generate the sample raw data (TPC-H and the CRM change feed)."""
    from dp_cli.sample_data import (
        generate_customer_changes,
        generate_tpch,
        land_tpch_batch,
        read_manifest,
    )
    from dp_foundation.config.settings import get_config

    cfg = get_config()
    started = time.monotonic()
    previous = read_manifest(Path(cfg.raw_uri.removeprefix("file://")) / "tpch")
    manifest = generate_tpch(cfg.raw_uri, args.scale_factor, force=args.force)
    if previous is not None and manifest != previous:
        print(
            "raw TPC-H replaced: the refined tables' watermarks belong to the old data; rebuild "
            "them with `dp run project01/refine -- --FULL_REFRESH true`"
        )
    for batch in range(2, args.tpch_batch + 1):
        manifest = land_tpch_batch(cfg.raw_uri, batch)
    rows = sum(manifest["rows"].values())
    batches = [b["batch"] for b in manifest["batches"]]
    print(f"TPC-H SF {args.scale_factor}: {rows:,} rows, batches {batches}, in {cfg.raw_uri}/tpch")
    feed = generate_customer_changes(cfg.raw_uri, batch=args.crm_batch)
    print(f"CRM change feed: {feed}")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate data if missing, run project01's pipeline, report."""
    from dp_cli.sample_data import ANSWER_SCALE_FACTORS, generate_tpch, read_manifest
    from dp_cli.tables import table_info
    from dp_cli.verify import compare_with_answers
    from dp_foundation.config.settings import get_config

    cfg = get_config()
    if not cfg.is_local:
        raise DataPlatformError(f"dp demo runs on the local lake only; ENV is '{cfg.env}'")
    _require_java()
    started = time.monotonic()
    print(f"Generating TPC-H data at scale factor {args.scale_factor} (skipped if present) ...")
    previous = read_manifest(Path(cfg.raw_uri.removeprefix("file://")) / "tpch")
    manifest = generate_tpch(cfg.raw_uri, args.scale_factor)
    batches = [b["batch"] for b in manifest["batches"]]
    print(
        f"  raw layer: {sum(manifest['rows'].values()):,} rows in {len(manifest['rows'])} "
        f"tables, batches {batches}"
    )
    print("Running pipeline project01/order_to_revenue (refine -> curate) ...")
    progress = Progress()
    # New raw data: the refined tables' watermarks belong to the data it replaced.
    rebuild = {"refine": ["--FULL_REFRESH", "true"]} if manifest != previous else None
    result = _pipeline("project01", "order_to_revenue", args, progress, rebuild)
    print()
    print(_summary(result))
    if not result.ok:
        return 1

    warehouse = Path(cfg.iceberg_warehouse.removeprefix("file://"))
    print("\nTables written (open them with DuckDB iceberg_scan or pyiceberg):")
    for table in progress.tables:
        database, name = table.split(".")
        info = table_info(warehouse / database / name)
        rows = f"{info.rows:>9,} rows" if info else ""
        print(f"  {database}.{name:<24} {rows}  {warehouse / database / name}")
    failed = [c for r in progress.checks for c in r.checks if not c.get("passed")]
    total = sum(len(r.checks) for r in progress.checks)
    print(
        f"\nData quality: {total - len(failed)}/{total} checks passed"
        f" on {len(progress.checks)} datasets"
    )
    if len(batches) > 1:
        print(
            f"TPC-H answers not compared: the raw layer holds change batches {batches[1:]} "
            "(the answers are for batch 1 alone)"
        )
    elif args.scale_factor in ANSWER_SCALE_FACTORS:
        problems = compare_with_answers(warehouse, cfg.iceberg_database_curated, args.scale_factor)
        verdict = "match" if not problems else f"DIFFER: {'; '.join(problems[:3])}"
        print(f"TPC-H Q1 and Q5 answers (SF {args.scale_factor}), read back with DuckDB: {verdict}")
        if problems:
            return 1
    print(f"Time taken: {time.monotonic() - started:.1f} s")
    print("Browse the domain's catalog: dp docs (make docs), then open .local/site/index.html")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """Generate the domain's data-product catalog as a static site."""
    from dp_cli.projects import repo_root
    from dp_cli.site import build_site
    from dp_foundation.config.settings import lake_dir

    root = repo_root()
    lake = lake_dir()
    out = Path(args.out) if args.out else lake.parent / "site"
    started = time.monotonic()
    site = build_site(root, lake, out, runs_dir=lake.parent / "runs")
    print(
        f"catalog: {site.products} products, {site.tables} tables, {site.runs} runs "
        f"in {time.monotonic() - started:.1f} s"
    )
    print(f"open {site.index.resolve().as_uri()}")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    """List local Iceberg tables (or, with --orphans, their orphan files)."""
    if args.orphans:
        from dp_cli.table_commands import cmd_orphans

        return cmd_orphans(args)
    from dp_cli.tables import list_tables
    from dp_foundation.config.settings import get_config

    warehouse = Path(get_config().iceberg_warehouse.removeprefix("file://"))
    tables = list_tables(warehouse)
    if not tables:
        print(f"no Iceberg tables under {warehouse} yet: run `make demo`")
        return 0
    print(f"{'table':<44} {'rows':>10} {'snapshot':>20}  location")
    for t in tables:
        print(
            f"{t.database + '.' + t.name:<44} {t.rows:>10,} "
            f"{t.snapshot_id or '-':>20}  {t.location}"
        )
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the environment."""
    from dp_cli.doctor import describe, diagnose

    findings = diagnose()
    print(describe(findings))
    return 0 if all(f.ok for f in findings) else 1


def cmd_deploy_local(args: argparse.Namespace) -> int:
    """Deploy every stack into a local AWS emulator, run the pipelines, destroy."""
    from dp_cli.local_aws import deploy_local

    keep = Path(args.keep).resolve() if args.keep else None
    report = deploy_local(args.env, keep=keep, destroy=not args.no_destroy)
    for name, outcome in report.executions.items():
        print(f"pipeline {name}: {outcome}")
    print(f"alerts received: {len(report.alerts)}")
    for call in report.denied:
        print(f"refused by IAM: {call}")
    width = max(len(step) for step in report.steps)
    for step, seconds in report.steps.items():
        print(f"  {step:<{width}}  {seconds:7.1f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="dp",
        description="Run this domain's jobs and pipelines locally exactly as AWS runs them.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    def env_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--env", default="local", help="value of --ENV for the job (default: local)")

    p = add("run", cmd_run, "run one job as Glue would: dp run project01/refine -- --KEY value")
    p.add_argument("target", help="<project>/<job>, a job of the project's project.json")
    env_options(p)
    p.add_argument(
        "job_args", nargs=argparse.REMAINDER, help="after --: extra --KEY value arguments"
    )

    p = add("pipeline", cmd_pipeline_list, "run or list pipelines (as Step Functions runs them)")
    psub = p.add_subparsers(dest="action", metavar="ACTION")
    prun = psub.add_parser(
        "run",
        help="run a project's pipeline: its jobs in order, retries with backoff, "
        "stop at the first failure",
    )
    prun.set_defaults(func=cmd_pipeline_run)
    prun.add_argument("project")
    prun.add_argument("pipeline")
    env_options(prun)
    prun.add_argument(
        "--backoff-scale",
        type=float,
        default=1.0,
        help="multiply retry waits (1 = as deployed, 0 = retry at once)",
    )
    prun.add_argument("-v", "--verbose", action="store_true", help="stream the jobs' logs")
    prun.add_argument(
        "--from",
        dest="start_at",
        metavar="JOB",
        help="resume a run that stopped at JOB, as a Step Functions redrive does: "
        "the jobs before it in the pipeline's order are not run again",
    )
    psub.add_parser("list", help="list every project's pipelines").set_defaults(
        func=cmd_pipeline_list
    )

    p = add(
        "new-project",
        cmd_new_project,
        "scaffold a project (Terraform from _template + src/jobs/<name>)",
    )
    p.add_argument("name")

    p = add("generate", cmd_generate, "generate sample raw data (TPC-H, CRM change feed)")
    p.add_argument("--scale-factor", "--sf", type=float, default=0.01)
    p.add_argument("--crm-batch", type=int, default=1, help="which batch of the CRM feed to write")
    p.add_argument("--force", action="store_true", help="regenerate TPC-H even if present")
    p.add_argument(
        "--tpch-batch",
        type=int,
        default=1,
        help="land TPC-H change batches 2..N (new, updated and deleted orders) after batch 1",
    )

    p = add("demo", cmd_demo, "generate data if missing, run project01's pipeline, report")
    p.add_argument("--scale-factor", "--sf", type=float, default=0.01)
    p.add_argument("-v", "--verbose", action="store_true", help="stream the jobs' logs")
    p.set_defaults(env="local", backoff_scale=1.0)

    p = add(
        "deploy-local",
        cmd_deploy_local,
        "deploy every stack into a local AWS emulator (moto), run every pipeline there, destroy",
    )
    p.add_argument("--env", default="dev", help="environment to deploy (default: dev)")
    p.add_argument("--keep", metavar="DIR", help="keep the copy, logs and state in DIR")
    p.add_argument("--no-destroy", action="store_true", help="leave the stacks deployed")

    p = add(
        "tables",
        cmd_tables,
        "list local Iceberg tables (location, snapshot, rows); their snapshots, orphan files, "
        "rollback",
    )
    from dp_cli.table_commands import add_parser as add_table_actions

    add_table_actions(p)
    p = add(
        "docs",
        cmd_docs,
        "generate the domain's catalog (products, tables, runs) as a static site to open "
        "from a file",
    )
    p.add_argument("--out", metavar="DIR", help="where to write it (default: .local/site)")
    add(
        "doctor", cmd_doctor, "check Java, Spark, Iceberg, the lake and AWS profile; say how to fix"
    )
    from dp_cli.contracts.commands import add_parser as add_contract

    add_contract(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``dp``: one-line errors, never a stack trace, for expected failures."""
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging()  # what the library logs in this process (e.g. `dp contract test`'s checks)
    try:
        return int(args.func(args))
    except DataPlatformError as exc:
        print(f"dp: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("dp: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
