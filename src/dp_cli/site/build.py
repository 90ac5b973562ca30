"""Render the catalog as a static site: HTML pages from Jinja2 templates, SVG figures drawn
here, a little plain JavaScript for the search box. It opens from a file (``file://``): no
server, no network, no fetch (the search index is a script the pages load)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from dp_cli.site import svg
from dp_cli.site.catalog import Catalog, Lineage, Product, Run, Table, load_catalog
from dp_cli.site.contracts import SchemaRow
from dp_foundation.exceptions import ConfigError

ASSETS = ("style.css", "site.js")


@dataclass(frozen=True)
class Site:
    """What was built."""

    index: Path
    products: int
    tables: int
    runs: int
    pages: int


# ─── Formatting (Jinja filters) ──────────────────────────────────────────────


def human_bytes(value: float) -> str:
    """``1422528`` -> ``1.4 MiB``."""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover


def when(value: datetime | None) -> str:
    """A time as ``2026-01-31 08:00:00 UTC``."""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


def short_when(value: datetime) -> str:
    """A time as an axis label, ``01-31 08:00``."""
    return value.strftime("%m-%d %H:%M")


def seconds(value: float | None) -> str:
    """``75.3`` -> ``1 min 15 s``."""
    if value is None:
        return "-"
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest} s"


def number(value: float | None) -> str:
    """Thousands separated; ``-`` for unknown."""
    return "-" if value is None else f"{value:,.0f}"


def table_page(key: str) -> str:
    """The page of table ``db.table``, from the site's root."""
    return f"tables/{key}.html"


# ─── Figures ─────────────────────────────────────────────────────────────────


def lineage_figure(graph: Lineage, title: str, prefix: str) -> Markup:
    """The lineage graph: data sets and jobs, read and written."""
    nodes = [
        svg.GraphNode(n.id, n.label, n.kind, n.href, n.kind if n.kind != "job" else "job")
        for n in graph.nodes.values()
    ]
    desc = "; ".join(f"{graph.nodes[a].label} to {graph.nodes[b].label}" for a, b in graph.edges)
    return svg.flow_graph(nodes, graph.edges, title, desc or "no lineage recorded", prefix)


def pipeline_figure(product: Product, name: str) -> Markup:
    """A pipeline as the state machine runs it: start, its jobs in order, end."""
    pipeline = product.project.pipelines[name]
    start, end = f"{name}:start", f"{name}:end"
    nodes = [svg.GraphNode(start, "start", "start")]
    edges = []
    previous = start
    retry = (
        f"up to {pipeline.max_retries} retries of transient errors, "
        f"{pipeline.backoff_seconds} s backoff x {pipeline.backoff_rate:g}"
    )
    for job in pipeline.jobs:
        node_id = f"{name}:{job}"
        timeout = product.project.jobs[job].timeout_minutes
        nodes.append(
            svg.GraphNode(node_id, job, "job", f"#job-{job}", f"{retry}; timeout {timeout} min")
        )
        edges.append((previous, node_id))
        previous = node_id
    nodes.append(svg.GraphNode(end, "succeeded", "end"))
    edges.append((previous, end))
    desc = "start, then " + ", then ".join(pipeline.jobs) + f", then succeeded; {retry}"
    return svg.flow_graph(nodes, edges, f"Pipeline {name}", desc)


def runs_figures(runs: list[Run]) -> dict[str, Markup]:
    """Job durations over time (one line per job, failed attempts as red crosses) and rows
    written per run (failed runs red)."""
    if not runs:
        return {}
    labels = [short_when(r.started_at) for r in runs]
    jobs = list(dict.fromkeys(f"{a.project}/{a.job}" for r in runs for a in r.attempts))
    durations: dict[str, list[float | None]] = {j: [None] * len(runs) for j in jobs}
    failed: dict[str, list[bool]] = {j: [False] * len(runs) for j in jobs}
    for i, run in enumerate(runs):
        for attempt in run.attempts:
            key = f"{attempt.project}/{attempt.job}"
            durations[key][i] = (durations[key][i] or 0.0) + attempt.seconds
            failed[key][i] = failed[key][i] or not attempt.ok
    return {
        "durations": svg.line_chart(durations, labels, "Job durations per run", "seconds", failed),
        "rows": svg.bar_chart(
            [
                (label, r.rows_written, r.status != "failed")
                for label, r in zip(labels, runs, strict=True)
            ],
            "Rows written per run",
            "rows added",
            "run (start time, UTC)",
        ),
    }


def table_figure(table: Table) -> Markup:
    """Rows and size of a table over its snapshots."""
    labels = [short_when(s.at) for s in table.snapshots]
    return svg.line_chart(
        {"total rows": [float(s.total_records) for s in table.snapshots]},
        labels,
        f"Rows of {table.key} per snapshot",
        "rows",
    )


# ─── Search ──────────────────────────────────────────────────────────────────


def search_index(catalog: Catalog) -> list[dict[str, str]]:
    """What the search box finds: products, tables and columns (as the contract declares
    them, with description and classification, where there is one), with their pages."""
    entries = [
        {
            "kind": "product",
            "title": p.name,
            "text": str(p.config.get("description", "")),
            "url": f"products/{p.name}.html",
        }
        for p in catalog.products
    ]
    for table in catalog.tables:
        entries.append(
            {
                "kind": "table",
                "title": table.key,
                "text": f"{table.layer} table of {table.project or 'no recorded project'}",
                "url": table_page(table.key),
            }
        )
        for row in table.schema:
            entries.append(
                {
                    "kind": "column",
                    "title": row.name,
                    "text": _column_text(row, table.key),
                    "url": f"{table_page(table.key)}#col-{row.name}",
                }
            )
    return entries


def _column_text(row: SchemaRow, key: str) -> str:
    """``bigint in db.orders: Order key (internal)``; the stored type when undeclared."""
    declared = row.declared
    if declared is None:
        return f"{row.actual.type if row.actual else '?'} in {key}"
    facts = declared.classification + (", personal data" if declared.pii else "")
    about = f": {declared.description}" if declared.description else ""
    return f"{declared.type} in {key}{about} ({facts})"


# ─── Rendering ───────────────────────────────────────────────────────────────


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dp_cli.site", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        bytes=human_bytes, when=when, seconds=seconds, number=number, table_page=table_page
    )
    return env


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def _display_path(path: Path, root: Path) -> str:
    """A path as people should type it: from the repository root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _clear(out: Path) -> None:
    """Remove a site built before; refuse to remove a folder that holds anything else.

    Raises:
        ConfigError: ``out`` is a file, or a folder that is not a site built by dp docs.
    """
    if not out.exists():
        return
    built_before = (out / "index.html").is_file() and (out / "assets" / "search-index.js").is_file()
    if out.is_dir() and (built_before or not any(out.iterdir())):
        shutil.rmtree(out)
        return
    raise ConfigError(
        f"{out} exists and is not a site built by dp docs (no index.html and "
        "assets/search-index.js): choose another --out, it would be replaced"
    )


def build_site(
    root: Path,
    lake: Path,
    out: Path,
    runs_dir: Path | None = None,
    contracts: Sequence[Path] | None = None,
) -> Site:
    """Build the catalog site of the repository at ``root`` and the lake at ``lake`` into
    ``out`` (replaced). Returns what it built.

    Raises:
        ConfigError: ``out`` holds something that is not a site (see :func:`_clear`).

    Args:
        root: the repository (projects, domain file).
        lake: the local lake (its ``warehouse`` holds the Iceberg tables).
        out: the site's folder; ``out/index.html`` is the front page.
        runs_dir: the run logs (default: ``runs`` beside the lake folder).
        contracts: trees of compiled contracts to read (default:
            :func:`dp_cli.site.contracts.compiled_trees`).
    """
    runs_dir = runs_dir or lake.parent / "runs"
    catalog = load_catalog(root, lake, runs_dir, contracts)
    env = _environment()
    _clear(out)
    (out / "assets").mkdir(parents=True)
    for sub in ("products", "tables", "runs"):
        (out / sub).mkdir()
    package = resources.files("dp_cli.site") / "assets"
    for name in ASSETS:
        (out / "assets" / name).write_text(
            package.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    index = json.dumps(search_index(catalog), ensure_ascii=False, separators=(",", ":"))
    index = index.replace("</", "<\\/")  # never closes the script element early
    # A script, not a JSON file: pages opened from file:// may not fetch() their neighbours.
    (out / "assets" / "search-index.js").write_text(
        f"window.DP_SEARCH_INDEX = {index};\n", encoding="utf-8"
    )

    common = {
        "catalog": catalog,
        "domain": catalog.domain,
        "generated": when(catalog.generated_at),
    }
    pages = 0

    def render(template: str, path: str, **context: Any) -> None:
        nonlocal pages
        depth = path.count("/")
        html = env.get_template(template).render(**common, root="../" * depth, page=path, **context)
        (out / path).write_text(html, encoding="utf-8")
        pages += 1

    figures = runs_figures(catalog.runs)
    render(
        "index.html",
        "index.html",
        lineage=lineage_figure(catalog.lineage, "Lineage of the domain", ""),
    )
    for product in catalog.products:
        render(
            "product.html",
            f"products/{product.name}.html",
            product=product,
            pipelines={n: pipeline_figure(product, n) for n in product.project.pipelines},
            lineage=lineage_figure(product.lineage, f"Lineage of {product.name}", "../"),
            figures=runs_figures(product.runs),
        )
    render("tables.html", "tables/index.html")
    for table in catalog.tables:
        render(
            "table.html",
            f"tables/{table.key}.html",
            table=table,
            figure=table_figure(table),
            location=_display_path(table.location, root),
            metadata_path=_display_path(table.metadata_file, root),
            metadata_href=_relative(table.metadata_file, out / "tables"),
            checks=list(reversed(table.checks)),
            rules=list(dict.fromkeys(c["name"] for _, ch in table.checks for c in ch.checks)),
            latest={c["name"]: c for c in (table.checks[-1][1].checks if table.checks else [])},
            contract_href=(
                _relative(root / table.contract.source, out / "tables")
                if table.contract and table.contract.source
                else None
            ),
            compiled_path=(
                _display_path(table.contract.compiled, root) if table.contract else None
            ),
        )
    render("runs.html", "runs/index.html", figures=figures, runs=list(reversed(catalog.runs)))
    for run in catalog.runs:
        render(
            "run.html",
            f"runs/{run.run_id}.html",
            run=run,
            log_href={
                a.job_run_id: _relative(runs_dir.parent / a.log_file, out / "runs")
                for a in run.attempts
                if a.log_file
            },
        )
    return Site(
        out / "index.html", len(catalog.products), len(catalog.tables), len(catalog.runs), pages
    )


__all__ = ["Site", "build_site", "lineage_figure", "pipeline_figure", "search_index"]
