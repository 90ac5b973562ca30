"""The catalog site in a real browser: Debian's Chromium, driven by Playwright, opens the
pages from files (no server) with every network request refused, and checks what a person
sees and what assistive technology needs. Screenshots go to ``.local/screenshots/``."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sitefixture import CUSTOMERS, ORDERS, ORDERS_COLUMNS, RAW_ORDERS, SUMMARY, Fixture

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".local" / "screenshots"

# WCAG 2.1 AA: 4.5:1 for text, 3:1 for large text (24 px, or 18.66 px bold).
CONTRAST_SCRIPT = """
() => {
  function rgb(value) {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  }
  function luminance(c) {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || el.closest("svg")) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || style.display === "none" || box.width === 0) continue;
    if (el.closest(".visually-hidden, [hidden]")) continue;
    const fg = rgb(style.color), bg = background(el);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    found.push({ text: el.textContent.trim().slice(0, 40), tag: el.tagName,
                 ratio: (hi + 0.05) / (lo + 0.05), needed: large ? 3 : 4.5,
                 color: style.color });
  }
  return found;
}
"""


def _chromium() -> str | None:
    return (
        os.environ.get("DP_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium: Debian's build (setup/install.sh installs it), not Playwright's
    download, which this project cannot fetch."""
    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium on PATH: make setup installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page that refuses every request that is not a file, and records JavaScript errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.network_requests = []
    tab.js_errors = []

    def refuse(route: Any) -> None:
        tab.network_requests.append(route.request.url)
        route.abort()

    tab.route(lambda url: not url.startswith("file:"), refuse)
    tab.on("pageerror", lambda error: tab.js_errors.append(str(error)))
    tab.on("console", lambda m: tab.js_errors.append(m.text) if m.type == "error" else None)
    try:
        yield tab
    finally:
        assert tab.network_requests == [], "the site must open with no network"
        assert tab.js_errors == []
        context.close()


def _open(page: Any, fixture: Fixture, path: str, shot: str | None = None) -> None:
    page.goto((fixture.site / path).as_uri())
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"catalog-{shot}.png"), full_page=True)


def test_front_page_lists_the_products_and_draws_the_lineage(
    page: Any, catalog_fixture: Fixture
) -> None:
    _open(page, catalog_fixture, "index.html", "index")
    assert page.locator("#products > li").count() == 2
    assert page.locator("#product-count").inner_text() == "2"
    assert page.locator("h1").inner_text() == "Data products of finance01"
    edges = {
        (e.get_attribute("data-from"), e.get_attribute("data-to"))
        for e in page.locator("svg.graph path.edge").all()
    }
    assert edges == {
        (RAW_ORDERS, "job:project01/refine"),
        ("job:project01/refine", ORDERS),
        (ORDERS, "job:project01/curate"),
        ("job:project01/curate", SUMMARY),
    }
    # Following a node of the graph opens the table's page.
    page.locator(f'svg.graph g[data-id="{ORDERS}"] a').click()
    assert page.locator("h1").inner_text() == ORDERS


def test_table_page_shows_its_columns_and_a_failed_check_in_red(
    page: Any, catalog_fixture: Fixture
) -> None:
    _open(page, catalog_fixture, f"tables/{ORDERS}.html", "table")
    names = page.locator("#columns tbody th code").all_inner_texts()
    assert names == [name for name, _ in ORDERS_COLUMNS]
    # As the contract declares them: description, types, classification, PII; and said so.
    assert "From the data contract" in page.locator("#schema-source").inner_text()
    status = page.locator("#col-o_orderstatus")
    assert status.is_visible()
    cells = status.locator("th, td").all_inner_texts()
    assert cells[1] == "o_orderstatus\nOrder status: F(illed), O(pen), P(artial)"
    assert cells[2:] == ["string\nstring", "✓ string", "no", "", "public", "no", "", ""]
    assert page.locator("#contract-agrees").is_visible()
    failed = page.locator("#check-history tbody tr", has_text="unique(o_orderkey)").locator(
        "td.fail"
    )
    assert failed.count() == 1 and "failed (2 rows)" in failed.inner_text()
    colour = failed.evaluate("e => getComputedStyle(e).color")
    background = failed.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(161, 21, 11)" and background == "rgb(253, 236, 234)"  # red on pink
    passed = page.locator("#check-history td.pass").first
    assert passed.evaluate("e => getComputedStyle(e).color") == "rgb(26, 107, 47)"  # green


def test_table_page_warns_in_red_where_the_table_disagrees_with_its_contract(
    page: Any, catalog_fixture: Fixture
) -> None:
    _open(page, catalog_fixture, f"tables/{CUSTOMERS}.html", "table-drift")
    drift = page.locator("#contract-drift")
    assert drift.is_visible()
    assert "c_phone: declared string, missing from the table" in drift.inner_text()
    assert drift.evaluate("e => getComputedStyle(e).color") == "rgb(161, 21, 11)"  # red
    assert drift.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(253, 236, 234)"
    undeclared = page.locator("#contract-drift li.drift-warn")
    assert undeclared.evaluate("e => getComputedStyle(e).color") == "rgb(107, 68, 0)"  # amber
    missing = page.locator("#col-c_phone td.fail")
    assert missing.is_visible() and missing.inner_text() == "✗ missing"
    name = page.locator("#col-c_name").locator("th, td").all_inner_texts()
    assert name[1] == "c_name\nCustomer name"
    assert name[6:8] == ["confidential", "yes: personal data"]


def test_runs_page_plots_durations_and_rows(page: Any, catalog_fixture: Fixture) -> None:
    _open(page, catalog_fixture, "runs/index.html", "runs")
    charts = page.locator("svg.chart")
    assert charts.count() == 2
    assert page.locator("svg.chart .point.failed").count() == 1
    assert page.locator("svg.chart .bar.failed").count() == 1
    assert page.locator("table.runs tbody tr").count() == 2
    page.locator("table.runs a", has_text="2026-01-02").click()
    assert page.locator("h1").inner_text() == "Run of project01/order_to_revenue"
    assert "failed" in page.locator(".status").first.inner_text()


def test_search_finds_columns_and_opens_their_table(page: Any, catalog_fixture: Fixture) -> None:
    _open(page, catalog_fixture, "products/project01.html")
    page.get_by_label("Search products, tables and columns").fill("orderkey")
    results = page.locator("#search-results a")
    assert results.first.is_visible()
    assert "o_orderkey" in results.all_inner_texts()[0]
    assert "match" in page.locator("#search-status").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "catalog-search.png"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tables/{ORDERS}.html#col-o_orderkey")
    assert page.locator("#col-o_orderkey").is_visible()


PAGES = [
    "index.html",
    "products/project01.html",
    "tables/index.html",
    f"tables/{ORDERS}.html",
    f"tables/{CUSTOMERS}.html",
    f"tables/{SUMMARY}.html",
    "runs/index.html",
    "runs/run2bad.html",
]


@pytest.mark.parametrize("path", PAGES)
def test_accessibility_basics(page: Any, catalog_fixture: Fixture, path: str) -> None:
    _open(page, catalog_fixture, path)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").count() == 1
    levels = [
        int(t[1])
        for t in page.locator("h1, h2, h3, h4").evaluate_all("els => els.map(e => e.tagName)")
    ]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
    # Every form control has a label.
    unlabelled = page.locator("input, select, textarea").evaluate_all(
        """els => els.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                     .map(e => e.outerHTML)"""
    )
    assert unlabelled == []
    # Every figure has an accessible name; every table a caption.
    nameless = page.locator("svg[role=img]").evaluate_all(
        """els => els.filter(e => !(e.getAttribute('aria-labelledby') || '').split(' ')
                       .every(id => document.getElementById(id))).length"""
    )
    assert nameless == 0
    assert page.locator("table:not(:has(caption))").count() == 0
    # Text contrast, every text element of the page.
    measured = page.evaluate(CONTRAST_SCRIPT)
    assert len(measured) > 20  # the header, the navigation, the content
    low = [c for c in measured if c["ratio"] < c["needed"]]
    assert low == [], low[:5]
