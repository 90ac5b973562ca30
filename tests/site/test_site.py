"""dp docs: the catalog site built from a small repository, lake and run logs (no Spark, no
browser: the HTML as written; tests/site/test_browser.py opens it in Chromium)."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sitefixture import CUSTOMERS, ORDERS, RAW_ORDERS, SUMMARY, Fixture, build_fixture

from dp_cli.site import build_site
from dp_cli.site.catalog import load_catalog, read_table
from dp_cli.site.svg import GraphNode, bar_chart, flow_graph, line_chart
from dp_foundation.exceptions import ConfigError


class _Elements(HTMLParser):
    """Collects start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


def test_every_page_is_built_and_needs_nothing_from_the_network(
    catalog_fixture: Fixture,
) -> None:
    site = catalog_fixture.site
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert pages == [
        "index.html",
        "products/project01.html",
        "products/test02.html",
        "runs/index.html",
        "runs/run1good.html",
        "runs/run2bad.html",
        f"tables/{SUMMARY}.html",
        f"tables/{CUSTOMERS}.html",
        f"tables/{ORDERS}.html",
        "tables/index.html",
    ]
    for page in site.rglob("*.html"):
        for tag, attrs in _tags(page):
            for name in ("src", "href"):
                if name not in attrs:
                    continue
                value = attrs[name] or ""
                assert not re.match(r"^(https?:)?//", value), (page, tag, value)
                if name == "src" or (tag == "link" and name == "href"):
                    assert (page.parent / value).is_file(), (page, value)  # shipped with it


def test_products_show_their_governance_facts_pipelines_and_lineage(
    catalog_fixture: Fixture,
) -> None:
    index = (catalog_fixture.site / "index.html").read_text(encoding="utf-8")
    assert '<span id="product-count">2</span> products' in index
    product = (catalog_fixture.site / "products" / "project01.html").read_text(encoding="utf-8")
    for fact in (
        "finance-analytics",
        "finance-analytics@example.com",
        "internal",
        "standard",
        "cron(0 6 * * ? *)",
        "refine → curate",
        "up to 2 per job",
    ):
        assert fact in product, fact
    test02 = (catalog_fixture.site / "products" / "test02.html").read_text(encoding="utf-8")
    assert "yes: personal data" in test02 and "confidential" in test02
    assert "dp pipeline run test02 customer_dimension" in test02  # no runs yet: how to get one
    edges = set(re.findall(r'<path class="edge" data-from="([^"]+)" data-to="([^"]+)"', product))
    assert {
        (RAW_ORDERS, "job:project01/refine"),
        ("job:project01/refine", ORDERS),
        (ORDERS, "job:project01/curate"),
        ("job:project01/curate", SUMMARY),
    } <= edges


def test_a_table_shows_its_schema_layout_snapshots_checks_and_how_to_open_it(
    catalog_fixture: Fixture,
) -> None:
    page = (catalog_fixture.site / "tables" / f"{ORDERS}.html").read_text(encoding="utf-8")
    columns = re.findall(r'<tr id="col-([a-z_]+)">', page)
    assert columns == ["o_orderkey", "o_custkey", "o_orderstatus", "o_totalprice", "o_orderdate"]
    # Layout as the contract declares it (the table's metadata agrees).
    assert '<dd id="partitioning"><code>years(o_orderdate)</code>' in page
    assert '<dd id="sort-order"><code>o_orderkey</code>' in page
    assert '<dd id="row-count">9</dd>' in page
    # The latest run failed unique(o_orderkey) on 2 rows; the run before passed it.
    history = page[page.index('id="check-history"') :]
    row = history[history.index("<code>unique(o_orderkey)</code>") :].split("</tr>")[0]
    assert re.findall(r'<td class="(pass|fail)">', row) == ["fail", "pass"]
    assert "✗ failed (2 rows)" in row
    assert "iceberg_scan(" in page and "StaticTable.from_metadata(" in page


def _row(page: str, column: str) -> str:
    start = page.index(f'<tr id="col-{column}"')
    return page[start : page.index("</tr>", start)]


def test_a_table_takes_its_schema_from_its_contract(catalog_fixture: Fixture) -> None:
    page = (catalog_fixture.site / "tables" / f"{ORDERS}.html").read_text(encoding="utf-8")
    source = page[page.index('id="schema-source"') :].split("</p>")[0]
    assert 'data-source="contract"' in source
    assert "infrastructure/projects/project01/contracts/refined/orders.odcs.yaml" in source
    assert "version 1.2.0" in source
    assert 'id="contract-agrees"' in page and 'id="contract-drift"' not in page
    # Each column: physical and logical type, what the table stores, required, key,
    # classification, PII and description.
    key = _row(page, "o_orderkey")
    for fact in ("<code>bigint</code>", "integer", "✓ <code>long</code>", ">yes<", ">1<", "no"):
        assert fact in key, fact
    status = _row(page, "o_orderstatus")
    assert "Order status: F(illed), O(pen), P(artial)" in status
    assert '<span class="tag">public</span>' in status
    # Owner, support and SLA.
    assert '<dd id="contract-owner">finance-analytics</dd>' in page
    assert 'href="mailto:finance-analytics@example.com"' in page
    assert "1 day on <code>orders.o_orderdate</code>" in page
    assert '<dd id="sla-retention">7 years' in page


def test_the_contract_rules_are_listed_with_severity_beside_their_latest_result(
    catalog_fixture: Fixture,
) -> None:
    page = (catalog_fixture.site / "tables" / f"{ORDERS}.html").read_text(encoding="utf-8")
    rules = page[page.index('id="contract-rules"') :].split("</table>")[0]
    names = re.findall(r'<th scope="row"><code>([^<]+)</code></th>', rules)
    assert names == [
        "schema_match",
        "not_null(o_orderkey)",
        "value_in_set(o_orderstatus, {&#39;F&#39;, &#39;O&#39;, &#39;P&#39;})",
        "unique(o_orderkey)",
        "row_count_min(1)",
    ]
    rows = dict(zip(names, rules.split("<tr>")[2:], strict=True))
    assert '<span class="tag tag-warn">warn</span>' in rows[names[2]]
    assert "<code>o_orderstatus.quality[0]</code>" in rows[names[2]]
    assert '<td class="fail">✗ failed (2 rows)</td>' in rows["unique(o_orderkey)"]  # latest run
    assert '<td class="pass">✓ passed</td>' in rows["row_count_min(1)"]
    assert "not in the latest run" in rows["not_null(o_orderkey)"]
    assert "retention is a service level, not a data rule" in page  # declared, not checked


def test_a_column_shows_its_classification_pii_and_description(catalog_fixture: Fixture) -> None:
    page = (catalog_fixture.site / "tables" / f"{CUSTOMERS}.html").read_text(encoding="utf-8")
    name = _row(page, "c_name")
    assert "Customer name" in name
    assert '<span class="tag">confidential</span>' in name
    assert "yes: personal data" in name
    assert "yes: personal data" not in _row(page, "c_custkey")
    # The product comes from the contract: no run of test02 is recorded.
    assert '<a href="../products/test02.html">test02</a>' in page


def test_a_table_that_disagrees_with_its_contract_says_so(catalog_fixture: Fixture) -> None:
    page = (catalog_fixture.site / "tables" / f"{CUSTOMERS}.html").read_text(encoding="utf-8")
    drift = page[page.index('id="contract-drift"') :].split("</div>")[0]
    assert 'class="drift drift-error"' in page  # red: a declared column is missing
    assert "3 differences" in drift
    found = re.findall(r'<li class="drift-(\w+)" data-what="([^"]+)" data-column="(\w+)"', drift)
    assert found == [
        ("error", "missing", "c_phone"),
        ("error", "type", "c_acctbal"),
        ("warn", "undeclared", "c_comment"),
    ]
    assert "c_phone: declared string, missing from the table" in drift
    assert "c_acctbal: declared decimal(15,2) (Iceberg decimal(15, 2)), the table has double" in (
        drift
    )
    # The declared column is still listed, marked missing; the undeclared one is listed last.
    assert re.findall(r'<tr id="col-(\w+)"', page) == [
        "c_custkey",
        "c_name",
        "c_phone",
        "c_acctbal",
        "change_ts",
        "c_comment",
    ]
    assert '<td class="fail">✗ missing</td>' in _row(page, "c_phone")
    assert 'class="drift-warn"' in _row(page, "c_comment")
    index = (catalog_fixture.site / "tables" / "index.html").read_text(encoding="utf-8")
    assert '<td class="fail">contract 1.0.0: ✗ 3 differences</td>' in index


def test_a_table_without_a_contract_keeps_the_iceberg_schema(catalog_fixture: Fixture) -> None:
    page = (catalog_fixture.site / "tables" / f"{SUMMARY}.html").read_text(encoding="utf-8")
    assert 'data-source="iceberg"' in page and "no data contract declares this table" in page
    assert re.findall(r'<tr id="col-(\w+)">', page) == ["l_returnflag", "count_order"]
    assert 'id="contract-rules"' not in page


def test_a_contract_not_compiled_or_compiled_from_another_version_is_reported(
    tmp_path: Path,
) -> None:
    fixture = build_fixture(tmp_path)
    contracts = fixture.root / "infrastructure" / "projects"
    yaml = contracts / "project01" / "contracts" / "refined" / "orders.odcs.yaml"
    yaml.write_text(yaml.read_text().replace("version: 1.2.0", "version: 1.3.0"))
    compiled = fixture.root / "dist" / "contracts" / "test02" / "contracts"
    (compiled / "refined.customer_dim.contract.json").unlink()
    build_site(fixture.root, fixture.lake, fixture.site, fixture.runs)
    orders = (fixture.site / "tables" / f"{ORDERS}.html").read_text(encoding="utf-8")
    assert 'id="contract-stale"' in orders and "declares version 1.3.0" in orders
    customers = (fixture.site / "tables" / f"{CUSTOMERS}.html").read_text(encoding="utf-8")
    assert 'data-source="iceberg"' in customers
    problem = customers[customers.index('id="contract-problem"') :].split("</p>")[0]
    assert "test02/contracts/refined/customer_dim.odcs.yaml" in problem
    assert "not compiled: run `dp contract compile`" in problem


def test_the_site_reads_compiled_contracts_without_pyyaml(catalog_fixture: Fixture) -> None:
    """dp docs reads the compiled JSON through the library's loader; PyYAML is a dev tool."""
    code = (
        "import sys; from pathlib import Path\n"
        "sys.modules['yaml'] = None  # any import of PyYAML fails\n"
        "from dp_cli.site.catalog import load_catalog\n"
        "root, lake, runs = map(Path, sys.argv[1:])\n"
        "tables = {t.key: t for t in load_catalog(root, lake, runs).tables}\n"
        f"print(tables[{ORDERS!r}].schema_source, len(tables[{CUSTOMERS!r}].disagreements))\n"
    )
    fixture = catalog_fixture
    result = subprocess.run(
        [sys.executable, "-c", code, str(fixture.root), str(fixture.lake), str(fixture.runs)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["contract", "3"]


def test_runs_are_plotted_and_listed(catalog_fixture: Fixture) -> None:
    page = (catalog_fixture.site / "runs" / "index.html").read_text(encoding="utf-8")
    assert page.count('<svg class="chart" role="img"') == 2
    assert 'data-series="project01/refine"' in page
    assert '<g class="point failed">' in page  # refine failed in the second run
    assert page.count('<g class="bar">') == 1 and page.count('<g class="bar failed">') == 1
    failed = (catalog_fixture.site / "runs" / "run2bad.html").read_text(encoding="utf-8")
    assert "job <strong>refine</strong> failed (States.TaskFailed)" in failed
    assert 'class="fail">✗ failed (2 rows)</td>' in failed


def test_search_index_covers_products_tables_and_columns(catalog_fixture: Fixture) -> None:
    script = (catalog_fixture.site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert script.startswith("window.DP_SEARCH_INDEX = [")
    for entry in (
        '"kind":"product","title":"project01"',
        f'"kind":"table","title":"{ORDERS}"',
        f'"kind":"column","title":"o_orderkey","text":"bigint in {ORDERS}: Order key (internal)"',
        # Declared by the contract: found, though the lake's table lacks it.
        f'"title":"c_phone","text":"string in {CUSTOMERS}: Customer phone number '
        '(confidential, personal data)"',
        # No contract: the Iceberg type.
        f'"kind":"column","title":"count_order","text":"long in {SUMMARY}"',
    ):
        assert entry in script, entry


def test_lineage_and_quality_come_from_the_run_logs(catalog_fixture: Fixture) -> None:
    catalog = load_catalog(catalog_fixture.root, catalog_fixture.lake, catalog_fixture.runs)
    orders = next(t for t in catalog.tables if t.key == ORDERS)
    assert orders.project == "project01"
    assert (orders.written_by, orders.read_by) == ({"project01/refine"}, {"project01/curate"})
    assert [ch.passed for _, ch in orders.checks] == [True, False]
    assert [r.status for r in catalog.runs] == ["succeeded", "failed"]
    assert [r.rows_written for r in catalog.runs] == [13, 0]
    # A failed attempt does not replace what the job read and wrote when it last succeeded.
    assert ("job:project01/refine", ORDERS) in catalog.lineage.edges


def test_an_empty_lake_builds_a_site_that_says_what_to_run(tmp_path: Path) -> None:
    fixture = build_fixture(tmp_path)
    empty = tmp_path / "empty"
    site = build_site(fixture.root, empty, tmp_path / "site", empty / "runs")
    assert (site.products, site.tables, site.runs) == (2, 0, 0)
    assert "make demo" in (tmp_path / "site" / "tables" / "index.html").read_text()
    assert "No runs recorded yet" in (tmp_path / "site" / "index.html").read_text()


def test_reading_a_table_needs_only_its_metadata_file(catalog_fixture: Fixture) -> None:
    table = read_table(catalog_fixture.lake / "warehouse" / "f01_refined_local" / "orders")
    assert table is not None
    assert (table.rows, table.size, len(table.snapshots)) == (9, 360, 1)
    assert table.partitioning == ["years(o_orderdate)"]
    assert read_table(catalog_fixture.lake / "nothing" / "here") is None


def test_svg_figures_are_accessible_images_with_escaped_text() -> None:
    graph = flow_graph(
        [GraphNode("a", "<raw>", "raw"), GraphNode("b", "job & co", "job", "x.html")],
        [("a", "b")],
        "Lineage",
        "a to b",
    )
    assert 'role="img"' in graph and "<title id=" in graph and "<desc id=" in graph
    assert "&lt;raw&gt;" in graph and "job &amp; co" in graph and "<raw>" not in graph
    chart = line_chart({"j": [1.0, None, 3.0]}, ["a", "b", "c"], "T", "seconds", {"j": [0, 0, 1]})
    assert chart.count("<circle") == 1 and 'class="point failed"' in chart
    bars = bar_chart([("a", 5, True), ("b", 0, False)], "Rows", "rows")
    assert bars.count('class="bar"') == 1 and bars.count('class="bar failed"') == 1


def test_dp_docs_builds_the_site(catalog_fixture: Fixture, tmp_path: Path) -> None:
    """The command, as a person runs it, on the fixture lake (DP_LAKE_DIR); its speed is
    measured by bench/bench_docs.py, not here."""
    import os

    out = tmp_path / "site"  # the run logs are read beside the lake: <lake>/../runs
    result = subprocess.run(
        [sys.executable, "-m", "dp_cli", "docs", "--out", str(out)],
        cwd=catalog_fixture.root,
        env={**os.environ, "DP_LAKE_DIR": str(catalog_fixture.lake)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "catalog: 2 products, 3 tables, 2 runs" in result.stdout
    assert (out / "index.html").is_file()


def test_building_never_replaces_a_folder_that_is_not_a_site(
    catalog_fixture: Fixture, tmp_path: Path
) -> None:
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "todo.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a site built by dp docs"):
        build_site(catalog_fixture.root, catalog_fixture.lake, precious, catalog_fixture.runs)
    assert (precious / "todo.txt").read_text(encoding="utf-8") == "keep me"
    # A site built before is replaced.
    again = tmp_path / "site"
    build_site(catalog_fixture.root, catalog_fixture.lake, again, catalog_fixture.runs)
    (again / "stale.html").write_text("old", encoding="utf-8")
    build_site(catalog_fixture.root, catalog_fixture.lake, again, catalog_fixture.runs)
    assert not (again / "stale.html").exists()


def test_a_failed_warning_is_not_shown_as_a_failure(tmp_path: Path) -> None:
    """The checker's record may mark a check ``severity: warn`` (reported, never fatal)."""
    from sitefixture import ORDERS, write_run

    from dp_foundation.logging.events import ChecksRun, PipelineStarted

    fixture = build_fixture(tmp_path)
    check = {
        "name": "freshness(o_orderdate)",
        "passed": False,
        "detail": "3 days old",
        "failed_rows": None,
        "total_rows": 9,
        "severity": "warn",
    }
    write_run(
        fixture.runs,
        "run3warn",
        3,
        [
            PipelineStarted(
                "run3warn",
                "project01",
                "order_to_revenue",
                ["refine"],
                2,
                60,
                2.0,
                started_at="2026-01-03T08:00:00.000+00:00",
            ),
            ChecksRun("run3warn", "project01", "refine", 1, ORDERS, True, [check]),
        ],
    )
    build_site(fixture.root, fixture.lake, fixture.site, fixture.runs)
    page = (fixture.site / "tables" / f"{ORDERS}.html").read_text(encoding="utf-8")
    assert '<td class="warn">⚠ warning</td>' in page
