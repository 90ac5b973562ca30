"""Graphs and plots drawn as inline SVG when the site is built: no JavaScript library, no CDN.

Every figure is ``role="img"`` with a ``<title>`` and a description; the pages put the same
numbers in a table beside it for screen readers and copying.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

TEXT = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
FAIL = "#b3261e"
# Series colours: each has >= 3:1 contrast on white (WCAG's non-text contrast).
SERIES = ("#0b5cad", "#a4470a", "#1a7f37", "#8250df", "#bf3989", "#0a7480", "#6e5c00")

_NODE_W, _NODE_H, _COL_GAP, _ROW_GAP, _PAD = 190, 30, 70, 14, 12


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _ident(*parts: object) -> str:
    """A stable id for a figure's elements (ids must be unique within a page)."""
    return "f" + format(zlib.crc32("|".join(map(str, parts)).encode()), "08x")


def _figure(
    ident: str, width: float, height: float, title: str, desc: str, body: list[str], cls: str
) -> Markup:
    return Markup(  # noqa: S704  # nosec B704 - every value interpolated is escaped by _e
        f'<svg class="{cls}" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" aria-labelledby="{ident}-t {ident}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{_e(title)}</title><desc id="{ident}-d">{_e(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _arrow(ident: str) -> str:
    return (
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>'
    )


@dataclass(frozen=True)
class GraphNode:
    """A box of a flow graph."""

    id: str
    label: str
    kind: str
    href: str | None = None
    tooltip: str = ""


def _ranks(nodes: Sequence[GraphNode], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering: a node sits one column right of its furthest predecessor."""
    rank = {n.id: 0 for n in nodes}
    for _ in range(len(nodes)):  # a cycle cannot loop forever
        changed = False
        for source, target in edges:
            if rank[target] < rank[source] + 1:
                rank[target] = rank[source] + 1
                changed = True
        if not changed:
            break
    return rank


def flow_graph(
    nodes: Sequence[GraphNode],
    edges: Sequence[tuple[str, str]],
    title: str,
    desc: str,
    href_prefix: str = "",
) -> Markup:
    """Boxes in columns (left to right along the edges) joined by arrows.

    Each box is ``<g class="node kind-<kind>" data-id=...>``, each arrow ``<path
    class="edge" data-from=... data-to=...>``, so a test or a script can read the graph.
    """
    if not nodes:
        return Markup("")
    rank = _ranks(nodes, edges)
    columns: dict[int, list[GraphNode]] = {}
    for node in nodes:
        columns.setdefault(rank[node.id], []).append(node)
    position: dict[str, int] = {}
    preds: dict[str, list[str]] = {}
    for source, target in edges:
        preds.setdefault(target, []).append(source)
    for col in sorted(columns):
        members = columns[col]

        def barycentre(node: GraphNode) -> tuple[float, str]:
            above = [position[p] for p in preds.get(node.id, []) if p in position]
            return (sum(above) / len(above) if above else -1.0, node.label)

        members.sort(key=barycentre)
        for i, node in enumerate(members):
            position[node.id] = i
    tallest = max(len(c) for c in columns.values())
    height = _PAD * 2 + tallest * _NODE_H + (tallest - 1) * _ROW_GAP
    width = _PAD * 2 + len(columns) * _NODE_W + (len(columns) - 1) * _COL_GAP
    xy: dict[str, tuple[float, float]] = {}
    for col, members in columns.items():
        block = len(members) * _NODE_H + (len(members) - 1) * _ROW_GAP
        top = (height - block) / 2
        for i, node in enumerate(members):
            xy[node.id] = (_PAD + col * (_NODE_W + _COL_GAP), top + i * (_NODE_H + _ROW_GAP))
    ident = _ident(title, *[n.id for n in nodes])
    body = [_arrow(ident)]
    for source, target in edges:
        (x1, y1), (x2, y2) = xy[source], xy[target]
        x1, y1, y2 = x1 + _NODE_W, y1 + _NODE_H / 2, y2 + _NODE_H / 2
        mid = (x1 + x2) / 2
        body.append(
            f'<path class="edge" data-from="{_e(source)}" data-to="{_e(target)}" '
            f'd="M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2 - 2:.1f},{y2:.1f}" '
            f'fill="none" stroke="{MUTED}" stroke-width="1.4" marker-end="url(#{ident}-arrow)"/>'
        )
    for node in nodes:
        x, y = xy[node.id]
        rx = 15 if node.kind == "job" else 4
        label = _clip(node.label, 26)
        box = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{_NODE_W}" height="{_NODE_H}" rx="{rx}"/>'
            f'<text x="{x + _NODE_W / 2:.1f}" y="{y + _NODE_H / 2 + 4:.1f}" '
            f'text-anchor="middle">{_e(label)}</text>'
        )
        tip = f"<title>{_e(node.tooltip or node.label)}</title>"
        link = f'<a href="{_e(href_prefix + node.href)}">' if node.href else ""
        box = f"{link}{tip}{box}{'</a>' if link else ''}"
        body.append(
            f'<g class="node kind-{_e(node.kind)}" data-id="{_e(node.id)}" '
            f'data-label="{_e(node.label)}">{box}</g>'
        )
    return _figure(ident, width, height, title, desc, body, "graph")


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _fmt(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 720, 250, 56, 16, 16, 56


def _axes(y_max: float, y_label: str, x_labels: Sequence[str], step: float) -> list[str]:
    inner_h = _H - _TOP - _BOTTOM
    out = [f'<g class="axes" fill="{MUTED}" font-size="11">']
    for i in range(5):
        value = y_max * i / 4
        y = _TOP + inner_h - inner_h * i / 4
        out.append(
            f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>'
        )
    every = max(1, math.ceil(len(x_labels) / 10))
    for i, label in enumerate(x_labels):
        if i % every:
            continue
        x = _LEFT + step * (i + 0.5)
        out.append(
            f'<text x="{x:.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle">{_e(label)}</text>'
        )
    out.append(
        f'<text x="14" y="{_TOP + inner_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_TOP + inner_h / 2:.1f})">{_e(y_label)}</text></g>'
    )
    return out


def line_chart(
    series: Mapping[str, Sequence[float | None]],
    x_labels: Sequence[str],
    title: str,
    y_label: str,
    failed: Mapping[str, Sequence[bool]] | None = None,
) -> Markup:
    """One line per series over the same x positions (None: no point there); points of
    failed attempts drawn as red crosses. A legend names the series."""
    values = [v for vs in series.values() for v in vs if v is not None]
    y_max = _nice_max(max(values, default=0.0))
    inner_w, inner_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    step = inner_w / max(1, len(x_labels))
    body = _axes(y_max, y_label, x_labels, step)
    for index, (name, points) in enumerate(series.items()):
        colour = SERIES[index % len(SERIES)]
        coords = [
            (i, _LEFT + step * (i + 0.5), _TOP + inner_h - inner_h * v / y_max)
            for i, v in enumerate(points)
            if v is not None
        ]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for _, x, y in coords)
            body.append(
                f'<polyline class="series" data-series="{_e(name)}" points="{path}" '
                f'fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        bad = (failed or {}).get(name, ())
        for i, x, y in coords:
            value = points[i]
            tip = f"<title>{_e(name)}: {value:.1f} ({_e(x_labels[i])})</title>"
            if i < len(bad) and bad[i]:
                body.append(
                    f'<g class="point failed">{tip}<path d="M{x - 5:.1f},{y - 5:.1f} l10,10 '
                    f'M{x - 5:.1f},{y + 5:.1f} l10,-10" stroke="{FAIL}" stroke-width="2.5"/></g>'
                )
            else:
                body.append(
                    f'<g class="point">{tip}<circle cx="{x:.1f}" cy="{y:.1f}" r="4" '
                    f'fill="{colour}"/></g>'
                )
    for index, name in enumerate(series):
        colour = SERIES[index % len(SERIES)]
        x = _LEFT + (index % 4) * 165
        y = _H - 18 + (index // 4) * 14
        body.append(
            f'<g class="legend"><rect x="{x}" y="{y - 9}" width="12" height="12" '
            f'fill="{colour}"/><text x="{x + 17}" y="{y + 1}" font-size="12" fill="{TEXT}">'
            f"{_e(_clip(name, 24))}</text></g>"
        )
    desc = f"{y_label} per run for {', '.join(series)}"
    ident = _ident(title, desc, *x_labels)
    return _figure(ident, _W, _H + 14 * (len(series) // 4), title, desc, body, "chart")


def bar_chart(
    bars: Sequence[tuple[str, float, bool]], title: str, y_label: str, x_title: str = ""
) -> Markup:
    """One bar per ``(label, value, ok)``; bars that are not ok are red and hatched."""
    y_max = _nice_max(max((v for _, v, _ in bars), default=0.0))
    inner_w, inner_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    step = inner_w / max(1, len(bars))
    ident = _ident(title, y_label, *[label for label, _, _ in bars])
    body = [
        f'<defs><pattern id="{ident}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{FAIL}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>',
        *_axes(y_max, y_label, [label for label, _, _ in bars], step),
    ]
    for i, (label, value, ok) in enumerate(bars):
        h = inner_h * value / y_max
        x = _LEFT + step * i + step * 0.15
        fill = SERIES[0] if ok else f"url(#{ident}-hatch)"
        body.append(
            f'<g class="bar{"" if ok else " failed"}"><title>{_e(label)}: {value:,.0f}'
            f'{"" if ok else " (failed run)"}</title><rect x="{x:.1f}" '
            f'y="{_TOP + inner_h - h:.1f}" width="{step * 0.7:.1f}" height="{max(h, 0.5):.1f}" '
            f'fill="{fill}"/></g>'
        )
    if x_title:
        body.append(
            f'<text x="{_LEFT + inner_w / 2:.1f}" y="{_H - 8}" text-anchor="middle" '
            f'font-size="11" fill="{MUTED}">{_e(x_title)}</text>'
        )
    desc = f"{y_label} per {x_title or 'bar'}"
    return _figure(ident, _W, _H, title, desc, body, "chart")


__all__ = ["GraphNode", "bar_chart", "flow_graph", "line_chart"]
