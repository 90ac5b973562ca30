"""`dp docs`: the domain's data-product catalog as a static site (products, tables, runs).

:func:`build_site` gathers the catalog (:mod:`dp_cli.site.catalog`) and renders it with the
Jinja2 templates and assets shipped in this package; figures are SVG drawn at build time
(:mod:`dp_cli.site.svg`).
"""

from __future__ import annotations

from dp_cli.site.build import Site, build_site

__all__ = ["Site", "build_site"]
