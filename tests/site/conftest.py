"""Fixtures of the catalog site's tests: the site built from :mod:`sitefixture`'s repository,
lake and run logs."""

from __future__ import annotations

import pytest
from sitefixture import Fixture, build_fixture


@pytest.fixture(scope="session")
def catalog_fixture(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    """The fixture repository, lake and runs, and the site built from them (session scope:
    building is deterministic and the tests only read it)."""
    from dp_cli.site import build_site

    fixture = build_fixture(tmp_path_factory.mktemp("catalog"))
    build_site(fixture.root, fixture.lake, fixture.site, fixture.runs)
    return fixture
