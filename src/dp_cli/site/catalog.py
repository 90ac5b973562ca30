"""What the catalog site shows, gathered from the repository and the local lake.

Three sources, each read the way it is written, with no Spark session:

* products: each project's ``project.json`` (governance fields, jobs, pipelines);
* tables: each Iceberg table's current metadata file (schema, partition spec, sort order,
  snapshots with their summaries) and its data contract, compiled by ``dp contract compile``
  (:mod:`dp_cli.site.contracts`): the schema shown is the contract's where there is one,
  compared with the metadata's;
* runs: the run logs the runner writes (``.local/runs/*.jsonl``), read as the events of
  :mod:`dp_foundation.logging.events`. Data-quality results, rows written and lineage (what
  each job read and wrote) all come from there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dp_cli.projects import Project, load_project, project_names
from dp_cli.site.contracts import (
    Contract,
    ContractProblem,
    Disagreement,
    SchemaRow,
    compare,
    compiled_trees,
    find_contracts,
)
from dp_cli.tables import current_metadata_file
from dp_foundation.config.settings import LAYERS
from dp_foundation.logging.events import (
    ChecksRun,
    Event,
    JobAttempt,
    JobRetrying,
    PipelineFinished,
    PipelineStarted,
    TableWritten,
    event_from_record,
)

# ─── Tables ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Column:
    """One column of a table's current schema."""

    id: int
    name: str
    type: str
    required: bool
    doc: str = ""
    partition: str | None = None
    sort: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """One snapshot of a table, from its summary."""

    snapshot_id: int
    at: datetime
    operation: str
    added_records: int
    deleted_records: int
    total_records: int
    total_size: int
    added_size: int
    current: bool


@dataclass
class Table:
    """An Iceberg table of the local lake."""

    database: str
    name: str
    layer: str
    location: Path
    metadata_file: Path
    format_version: int
    columns: list[Column]
    partitioning: list[str]
    sort_order: list[str]
    snapshots: list[Snapshot]
    properties: dict[str, str]
    project: str | None = None
    written_by: set[str] = field(default_factory=set)
    read_by: set[str] = field(default_factory=set)
    checks: list[tuple[Run, ChecksRun]] = field(default_factory=list)
    contract: Contract | None = None
    contract_problem: ContractProblem | None = None
    disagreements: list[Disagreement] = field(default_factory=list)
    _schema: list[SchemaRow] | None = field(default=None, repr=False)

    @property
    def schema(self) -> list[SchemaRow]:
        """The columns the page shows: the contract's (with what the table stores beside
        each) when there is a contract, else the Iceberg metadata's."""
        if self._schema is None:
            return [SchemaRow(c.name, None, c, None, c.partition, c.sort) for c in self.columns]
        return self._schema

    @property
    def schema_source(self) -> str:
        """``contract`` or ``iceberg``: where :attr:`schema` comes from."""
        return "contract" if self.contract is not None else "iceberg"

    def use_contract(self, contract: Contract) -> None:
        """Take the schema from ``contract`` and record where the table disagrees with it."""
        self.contract = contract
        self._schema, self.disagreements = compare(
            contract, self.columns, self.partitioning, self.sort_order
        )

    @property
    def key(self) -> str:
        """``database.name``."""
        return f"{self.database}.{self.name}"

    @property
    def current(self) -> Snapshot | None:
        """The current snapshot (None for a table never written)."""
        return next((s for s in self.snapshots if s.current), None)

    @property
    def rows(self) -> int:
        """Rows in the current snapshot."""
        return self.current.total_records if self.current else 0

    @property
    def size(self) -> int:
        """Bytes of data files in the current snapshot."""
        return self.current.total_size if self.current else 0


def _transform(transform: str, column: str) -> str:
    """Iceberg's ``year`` on ``o_orderdate`` -> ``years(o_orderdate)`` (Spark's DDL spelling)."""
    if transform == "identity":
        return column
    plural = {"year": "years", "month": "months", "day": "days", "hour": "hours"}
    if transform in plural:
        return f"{plural[transform]}({column})"
    if "[" in transform:  # bucket[16], truncate[4]
        name, _, arg = transform.partition("[")
        return f"{name}({arg.rstrip(']')}, {column})"
    return f"{transform}({column})"


def _type_name(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "list":
            return f"list<{_type_name(value.get('element'))}>"
        if kind == "map":
            return f"map<{_type_name(value.get('key'))}, {_type_name(value.get('value'))}>"
        if kind == "struct":
            inner = ", ".join(f"{f['name']}: {_type_name(f['type'])}" for f in value["fields"])
            return f"struct<{inner}>"
    return str(value)


def _layer(database: str) -> str:
    parts = database.split("_")
    return next((p for p in parts[1:] if p in LAYERS), "other")


def _ms(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def read_table(table_dir: Path) -> Table | None:
    """The table in ``table_dir`` as its current metadata file describes it (None: no table)."""
    metadata_file = current_metadata_file(table_dir)
    if metadata_file is None:
        return None
    meta = json.loads(metadata_file.read_text(encoding="utf-8"))
    schema_id = meta.get("current-schema-id", 0)
    schema = next(
        (s for s in meta.get("schemas", []) if s.get("schema-id") == schema_id),
        meta.get("schema", {"fields": []}),
    )
    by_id = {f["id"]: f["name"] for f in schema.get("fields", [])}
    spec_id = meta.get("default-spec-id", 0)
    spec: dict[str, Any] = next(
        (s for s in meta.get("partition-specs", []) if s.get("spec-id") == spec_id), {}
    )
    partitions = {
        f["source-id"]: _transform(f["transform"], by_id.get(f["source-id"], "?"))
        for f in spec.get("fields", [])
    }
    order_id = meta.get("default-sort-order-id", 0)
    order: dict[str, Any] = next(
        (o for o in meta.get("sort-orders", []) if o.get("order-id") == order_id), {}
    )
    sorts = {
        f["source-id"]: (
            f"{_transform(f['transform'], by_id.get(f['source-id'], '?'))} "
            f"{f.get('direction', 'asc').upper()} "
            f"{f.get('null-order', 'nulls-first').upper().replace('-', ' ')}"
        )
        for f in order.get("fields", [])
    }
    columns = [
        Column(
            f["id"],
            f["name"],
            _type_name(f["type"]),
            bool(f.get("required")),
            f.get("doc", ""),
            partitions.get(f["id"]),
            sorts.get(f["id"]),
        )
        for f in schema.get("fields", [])
    ]
    current = meta.get("current-snapshot-id")
    snapshots = []
    for s in sorted(meta.get("snapshots", []), key=lambda s: s.get("timestamp-ms", 0)):
        summary = s.get("summary", {})
        snapshots.append(
            Snapshot(
                snapshot_id=int(s["snapshot-id"]),
                at=_ms(s.get("timestamp-ms", 0)),
                operation=str(summary.get("operation", "")),
                added_records=int(summary.get("added-records", 0)),
                deleted_records=int(summary.get("deleted-records", 0)),
                total_records=int(summary.get("total-records", 0)),
                total_size=int(summary.get("total-files-size", 0)),
                added_size=int(summary.get("added-files-size", 0)),
                current=s["snapshot-id"] == current,
            )
        )
    return Table(
        database=table_dir.parent.name,
        name=table_dir.name,
        layer=_layer(table_dir.parent.name),
        location=table_dir,
        metadata_file=metadata_file,
        format_version=int(meta.get("format-version", 1)),
        columns=columns,
        partitioning=[p for _, p in sorted(partitions.items())],
        sort_order=[sorts[f["source-id"]] for f in order.get("fields", [])],
        snapshots=snapshots,
        properties=dict(meta.get("properties", {})),
    )


def read_tables(warehouse: Path) -> list[Table]:
    """Every Iceberg table under the local warehouse (``<db>/<table>``), sorted."""
    found = []
    for table_dir in sorted(warehouse.glob("*/*")):
        table = read_table(table_dir) if table_dir.is_dir() else None
        if table is not None:
            found.append(table)
    return found


# ─── Runs ────────────────────────────────────────────────────────────────────


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class Run:
    """One pipeline run, from its run log."""

    run_id: str
    path: Path
    started: PipelineStarted
    finished: PipelineFinished | None
    attempts: list[JobAttempt]
    retries: list[JobRetrying]
    checks: list[ChecksRun]
    writes: list[TableWritten]

    @property
    def project(self) -> str:
        """The project the pipeline belongs to."""
        return self.started.project

    @property
    def pipeline(self) -> str:
        """The pipeline's name."""
        return self.started.pipeline

    @property
    def started_at(self) -> datetime:
        """When the run started."""
        return _time(self.started.started_at) or datetime.fromtimestamp(0, UTC)

    @property
    def status(self) -> str:
        """``succeeded``, ``failed`` or ``incomplete`` (no end recorded: interrupted)."""
        if self.finished is None:
            return "incomplete"
        return "succeeded" if self.finished.ok else "failed"

    @property
    def seconds(self) -> float:
        """The run's duration (its attempts' for an incomplete run)."""
        if self.finished is not None:
            return self.finished.seconds
        return sum(a.seconds for a in self.attempts)

    @property
    def rows_written(self) -> int:
        """Rows the run's commits added, from their snapshots' summaries."""
        return sum(w.added_records or 0 for w in self.writes)

    @property
    def checks_failed(self) -> int:
        """Data-quality checks that failed in the run."""
        return sum(len(c.failed) for c in self.checks)

    @property
    def checks_total(self) -> int:
        """Data-quality checks the run ran."""
        return sum(len(c.checks) for c in self.checks)


def read_run(path: Path) -> Run | None:
    """The run recorded in ``path`` (None if it holds no ``PipelineStarted``)."""
    events: list[Event] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("{"):
            continue
        try:
            event = event_from_record(json.loads(line))
        except (json.JSONDecodeError, ValueError):
            continue  # a line cut short by an interrupted run, or from another version
        if event is not None:
            events.append(event)
    started = next((e for e in events if isinstance(e, PipelineStarted)), None)
    if started is None:
        return None
    return Run(
        run_id=started.run_id,
        path=path,
        started=started,
        finished=next((e for e in events if isinstance(e, PipelineFinished)), None),
        attempts=[e for e in events if isinstance(e, JobAttempt)],
        retries=[e for e in events if isinstance(e, JobRetrying)],
        checks=[e for e in events if isinstance(e, ChecksRun)],
        writes=[e for e in events if isinstance(e, TableWritten)],
    )


def read_runs(runs_dir: Path) -> list[Run]:
    """Every recorded run, oldest first."""
    runs = [r for p in sorted(runs_dir.glob("*.jsonl")) if (r := read_run(p)) is not None]
    return sorted(runs, key=lambda r: r.started_at)


# ─── Lineage ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Node:
    """A node of the lineage graph: a data set (table or raw folder) or a job."""

    id: str
    label: str
    kind: str  # "job" or a layer: "raw", "refined", "curated", "other"
    href: str | None = None
    full_name: str = ""

    @property
    def name(self) -> str:
        """The name that identifies the node on its own (the label is short)."""
        return self.full_name or self.label


@dataclass
class Lineage:
    """Data sets and jobs, with edges data set -> job (read) and job -> data set (written)."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

    def add_edge(self, source: str, target: str) -> None:
        """Add an edge once."""
        if (source, target) not in self.edges:
            self.edges.append((source, target))


def job_io(runs: list[Run]) -> dict[tuple[str, str], JobAttempt]:
    """Per (project, job), the attempt whose reads and writes stand for the job: its latest
    successful one, else its latest."""
    chosen: dict[tuple[str, str], JobAttempt] = {}
    for run in runs:  # oldest first: later attempts replace earlier ones
        for attempt in run.attempts:
            key = (attempt.project, attempt.job)
            held = chosen.get(key)
            if held is None or attempt.ok or not held.ok:
                chosen[key] = attempt
    return chosen


def dataset_node(name: str, raw_bucket: str, tables: dict[str, Table]) -> Node:
    """The node of a data set a job read or wrote: ``db.table`` or ``<bucket>/<prefix>``."""
    if name in tables:
        table = tables[name]
        return Node(name, table.name, table.layer, f"tables/{name}.html", name)
    if name.startswith(raw_bucket + "/"):
        prefix = name.removeprefix(raw_bucket + "/")
        return Node(name, prefix, "raw", None, f"raw: {prefix}")
    if "/" not in name and "." in name:
        return Node(name, name.split(".")[-1], _layer(name.split(".")[0]), None, name)
    return Node(name, name, "raw")


def lineage(
    attempts: dict[tuple[str, str], JobAttempt],
    raw_bucket: str,
    tables: dict[str, Table],
    projects: set[str] | None = None,
) -> Lineage:
    """The lineage graph of the given projects' jobs (all projects when None)."""
    graph = Lineage()
    for (project, job), attempt in sorted(attempts.items()):
        if projects is not None and project not in projects:
            continue
        job_id = f"job:{project}/{job}"
        graph.nodes[job_id] = Node(
            job_id, job, "job", f"products/{project}.html#job-{job}", f"{project}/{job}"
        )
        for source in attempt.inputs:
            graph.nodes.setdefault(source, dataset_node(source, raw_bucket, tables))
            graph.add_edge(source, job_id)
        for target in attempt.outputs:
            graph.nodes.setdefault(target, dataset_node(target, raw_bucket, tables))
            graph.add_edge(job_id, target)
    return graph


# ─── Products ────────────────────────────────────────────────────────────────


@dataclass
class Product:
    """A project of the domain, as its contract and its runs describe it."""

    project: Project
    tables: list[Table]
    runs: list[Run]
    lineage: Lineage

    @property
    def name(self) -> str:
        """The project's name."""
        return self.project.name

    @property
    def config(self) -> dict[str, Any]:
        """The project's project.json."""
        return self.project.config

    @property
    def last_run(self) -> Run | None:
        """The latest recorded run of any of its pipelines."""
        return self.runs[-1] if self.runs else None


@dataclass
class Catalog:
    """Everything the site shows."""

    domain: dict[str, str]
    products: list[Product]
    tables: list[Table]
    runs: list[Run]
    lineage: Lineage
    raw_bucket: str
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def load_catalog(
    root: Path, lake: Path, runs_dir: Path, contracts: Sequence[Path] | None = None
) -> Catalog:
    """Gather the catalog of the repository at ``root`` and the local lake at ``lake``.

    Args:
        root: the repository.
        lake: the local lake (its ``warehouse`` holds the Iceberg tables).
        runs_dir: the run logs.
        contracts: trees of compiled contracts (default:
            :func:`~dp_cli.site.contracts.compiled_trees`).
    """
    from dp_foundation.config.settings import (
        LOCAL_ACCOUNT_ID,
        LOCAL_ENV,
        bucket_name,
        database_name,
    )

    domain = json.loads((root / "setup" / "domain.json").read_text(encoding="utf-8"))
    raw_bucket = bucket_name(domain["domain_abbr"], "raw", LOCAL_ACCOUNT_ID, LOCAL_ENV)
    tables = read_tables(lake / "warehouse")
    by_key = {t.key: t for t in tables}
    trees = compiled_trees(root, lake) if contracts is None else contracts
    for (layer, name), found in find_contracts(root, trees, project_names(root)).items():
        table = by_key.get(f"{database_name(domain['domain_abbr'], layer, LOCAL_ENV)}.{name}")
        if table is None:
            continue  # declared, not in the lake (raw files, or never written)
        if isinstance(found, ContractProblem):
            table.contract_problem = found
        else:
            table.use_contract(found)
            table.project = found.model.project
    runs = read_runs(runs_dir) if runs_dir.is_dir() else []
    attempts = job_io(runs)
    for (project, job), attempt in attempts.items():
        for name in attempt.outputs:
            if name in by_key:
                by_key[name].project = by_key[name].project or project
                by_key[name].written_by.add(f"{project}/{job}")
        for name in attempt.inputs:
            if name in by_key:
                by_key[name].read_by.add(f"{project}/{job}")
    for run in runs:
        for checks in run.checks:
            table = by_key.get(checks.dataset or "")
            if table is not None:
                table.checks.append((run, checks))
    products = []
    for name in project_names(root):
        products.append(
            Product(
                project=load_project(name, root),
                tables=[t for t in tables if t.project == name],
                runs=[r for r in runs if r.project == name],
                lineage=lineage(attempts, raw_bucket, by_key, {name}),
            )
        )
    return Catalog(
        domain=domain,
        products=products,
        tables=tables,
        runs=runs,
        lineage=lineage(attempts, raw_bucket, by_key),
        raw_bucket=raw_bucket,
    )


__all__ = [
    "Catalog",
    "Column",
    "Lineage",
    "Node",
    "Product",
    "Run",
    "Snapshot",
    "Table",
    "dataset_node",
    "job_io",
    "lineage",
    "load_catalog",
    "read_run",
    "read_runs",
    "read_table",
    "read_tables",
]
