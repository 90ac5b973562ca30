"""Each Iceberg table the project stacks create is its contract's table before any write.

The session's deploy (``dp deploy-local``) records, once every stack is applied, what pyiceberg's
GlueCatalog loads from the emulator for each table of the refined and curated databases
(``iceberg_tables.py``): Glue's entry, then the metadata file it points at. Here that is held
against the compiled data contracts (``dp_cli.contracts``): the columns with their field ids,
Iceberg types, required flags and comments, the partition spec, the sort order and the
platform's table properties, so the writers find nothing to change on the first run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dp_cli.contracts.compile import compile_all
from dp_cli.projects import project_names, repo_root
from infrastructure.iceberg_metadata import differences

from .conftest import DEPLOY_GROUP
from .iceberg_tables import RECORD

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(DEPLOY_GROUP)]

REPO = repo_root()


@pytest.fixture(scope="module")
def deployed(deploy_run: Path) -> dict[str, Any]:
    return json.loads((deploy_run / RECORD).read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def contracts() -> dict[str, dict[str, Any]]:
    """``<layer>/<table>`` => compiled contract, for every Iceberg table of the deployed
    projects (``_template`` is not deployed)."""
    found = {}
    for project in project_names(REPO):
        if project == "_template":
            continue
        for result in compile_all(REPO, project):
            assert not result.problems, result.problems
            data = result.data
            assert data is not None
            if data["layer"] != "raw":
                found[f"{data['layer']}/{data['table']}"] = data
    return found


def test_every_contract_has_its_iceberg_table(
    deployed: dict[str, Any], contracts: dict[str, dict[str, Any]]
) -> None:
    assert set(deployed["tables"]) == set(contracts)
    errors = {k: t["error"] for k, t in deployed["tables"].items() if "error" in t}
    assert not errors, f"pyiceberg's GlueCatalog could not load: {errors}"
    for key, table in deployed["tables"].items():
        assert table["glue_parameters"]["table_type"] == "ICEBERG", key
        assert table["iceberg"]["format_version"] == 2, key


def test_each_table_is_its_contracts(
    deployed: dict[str, Any], contracts: dict[str, dict[str, Any]]
) -> None:
    """Columns (field ids, Iceberg types, required, comments), partition spec, sort order
    (as the writer compares it: it finds nothing to set) and the platform's properties."""
    problems = {
        key: differences(deployed["tables"][key]["iceberg"], contract)
        for key, contract in contracts.items()
    }
    assert not {k: p for k, p in problems.items() if p}, problems
    layouts = [k for k, c in contracts.items() if c["partition_columns"] or c["sort_order"]]
    assert layouts, "no deployed contract declares a partitioning or a sort order"


def test_glue_shows_the_contracts_columns(
    deployed: dict[str, Any], contracts: dict[str, dict[str, Any]]
) -> None:
    """What Glue, Athena and the console show before the first write."""
    for key, contract in contracts.items():
        glue = deployed["tables"][key]["glue_columns"]
        assert [(c["name"], c["comment"]) for c in glue] == [
            (c["name"], c["description"] or None) for c in contract["columns"]
        ], key


def test_first_metadata_files_are_where_iceberg_looks_and_encrypted(
    deployed: dict[str, Any],
) -> None:
    for key, table in deployed["tables"].items():
        location = table["glue_location"]
        assert table["iceberg"]["location"] == location.rstrip("/"), key
        metadata = table["glue_parameters"]["metadata_location"]
        first = re.escape(location) + r"metadata/00000-[0-9a-f-]{36}\.metadata\.json"
        assert re.fullmatch(first, metadata), key
        assert table["metadata_object"]["encryption"] == "aws:kms", key
        assert table["metadata_object"]["kms_key"] == deployed["kms_key_arn"], key
