"""The Iceberg table a data contract declares, and the metadata modules/glue_iceberg_table writes.

* :func:`render` runs the module's provider-free part (``glue_iceberg_table/metadata``) with the
  real Terraform CLI: one ``terraform apply`` of a scratch root module, no provider, no account.
* :func:`describe` reads a table as pyiceberg loads it (an independent reader of the file).
* :func:`expected` is what a compiled contract (``dp_cli.contracts``) says the table must be,
  in the same shape; the deploy test (tests/deploy) holds the tables moto holds against it too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dp_foundation.iceberg.catalog import DEFAULT_TABLE_PROPERTIES
from dp_foundation.io.writers import _normalise_sort

from .tfchecks import INFRA

MODULE = INFRA / "modules" / "glue_iceberg_table" / "metadata"
PROPERTIES_FILE = INFRA.parent / "src" / "dp_foundation" / "iceberg" / "table_properties.json"
TIMEOUT = 300

# Spark/Hive physical types as Spark's Iceberg catalog stores them (Iceberg table spec,
# "Primitive Types"; Spark's timestamp has a time zone, timestamp_ntz has none).
ICEBERG_TYPES = {
    "string": "string", "tinyint": "int", "smallint": "int", "int": "int", "bigint": "long",
    "float": "float", "double": "double", "boolean": "boolean", "binary": "binary",
    "date": "date", "timestamp": "timestamptz", "timestamp_ntz": "timestamp",
}  # fmt: skip

# The platform's table properties (the writer's, for tables it creates), as Iceberg stores them:
# format-version is the file's format, not a property.
PLATFORM_PROPERTIES = {k: v for k, v in DEFAULT_TABLE_PROPERTIES.items() if k != "format-version"}


def iceberg_type(physical: str) -> str:
    decimal = re.fullmatch(r"decimal\((\d+),(\d+)\)", physical)
    if decimal:
        return f"decimal({decimal[1]}, {decimal[2]})"
    if re.fullmatch(r"(var)?char\(\d+\)", physical):
        return "string"
    return ICEBERG_TYPES[physical]


def describe(table: Any) -> dict[str, Any]:
    """A pyiceberg table's format, schema, partition spec, sort order and properties; the sort
    order as Iceberg renders it (what the writer compares with the one it is asked for)."""
    schema = table.schema()
    return {
        "format_version": table.metadata.format_version,
        "location": table.metadata.location,
        "schema": [
            {
                "id": f.field_id,
                "name": f.name,
                "type": str(f.field_type),
                "required": f.required,
                "doc": f.doc,
            }
            for f in schema.fields
        ],
        "partition_spec": [
            {
                "name": f.name,
                "source": schema.find_column_name(f.source_id),
                "transform": str(f.transform),
                "field_id": f.field_id,
            }
            for f in table.spec().fields
        ],
        "sort_order": ", ".join(
            f"{schema.find_column_name(f.source_id)} {f.direction.value.upper()} "
            + f.null_order.value.replace("-", " ").upper()
            for f in table.sort_order().fields
        ),
        "properties": dict(table.properties),
    }


def expected(contract: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`describe` must find for the table of a compiled contract."""
    return {
        "format_version": 2,
        "schema": [
            {
                "id": i,
                "name": c["name"],
                "type": iceberg_type(c["type"]),
                "required": c["required"],
                "doc": c["description"] or None,
            }
            for i, c in enumerate(contract["columns"], start=1)
        ],
        "partition_spec": [
            {"source": c["name"], "transform": c["transform"], "field_id": 1000 + i}
            for i, c in enumerate(contract["partition_columns"])
        ],
        "sort_order": ", ".join(_normalise_sort(s) for s in contract["sort_order"]),
    }


def differences(found: Mapping[str, Any], contract: Mapping[str, Any]) -> list[str]:
    """How a described table differs from its contract's (empty when it does not)."""
    want = expected(contract)
    got = {
        "format_version": found["format_version"],
        "schema": found["schema"],
        "partition_spec": [
            {k: f[k] for k in ("source", "transform", "field_id")} for f in found["partition_spec"]
        ],
        "sort_order": found["sort_order"],
    }
    problems = [f"{k}: {got[k]!r} != {want[k]!r}" for k in want if got[k] != want[k]]
    missing = {k: v for k, v in PLATFORM_PROPERTIES.items() if found["properties"].get(k) != v}
    if missing or found["properties"].get("write.format.default") != "parquet":
        problems.append(f"properties {found['properties']} lack {missing} or Parquet")
    return problems


def module_inputs(contract: Mapping[str, Any], location: str) -> dict[str, Any]:
    """The metadata module's inputs for a compiled contract, as the project stacks give them
    (test_infra_projects checks that the stacks' inputs are the contracts')."""
    return {
        "location": location,
        "columns": [
            {
                "name": c["name"],
                "type": c["type"],
                "comment": c["description"] or None,
                "required": c["required"],
            }
            for c in contract["columns"]
        ],
        "partition_fields": [
            {"column": c["name"], "transform": c["transform"]}
            for c in contract["partition_columns"]
        ],
        "sort_order": list(contract["sort_order"]),
        "last_updated_ms": 1_767_225_600_000,
    }


ROOT = """
locals {
  tables = jsondecode(file("${path.module}/tables.json"))
  # As modules/glue_iceberg_table passes them: the library's file, without format-version.
  platform = {
    for k, v in jsondecode(file("${path.module}/table_properties.json")) :
    k => v if k != "format-version"
  }
}

module "table" {
  source   = "./metadata"
  for_each = local.tables

  location         = each.value.location
  columns          = each.value.columns
  partition_fields = each.value.partition_fields
  sort_order       = each.value.sort_order
  last_updated_ms  = each.value.last_updated_ms
  properties       = local.platform
}

output "json" {
  value = { for key, table in module.table : key => table.json }
}
"""


def render(
    tables: Mapping[str, Mapping[str, Any]], scratch: Path
) -> subprocess.CompletedProcess[str]:
    """``terraform apply`` of the metadata module once per table (``key`` => its inputs) in
    ``scratch``; the result's stdout is ``terraform output -json json`` when it succeeded."""
    if shutil.which("terraform") is None:
        raise AssertionError("no terraform CLI on PATH: install Terraform (docs/infrastructure.md)")
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copytree(MODULE, scratch / "metadata", dirs_exist_ok=True)
    _relax_required_version(scratch / "metadata" / "versions.tf")
    (scratch / "main.tf").write_text(ROOT)
    shutil.copy2(PROPERTIES_FILE, scratch / "table_properties.json")
    (scratch / "tables.json").write_text(json.dumps(tables))
    env = {**os.environ, "TF_IN_AUTOMATION": "1"}
    env.pop("TF_CLI_ARGS", None)
    result = subprocess.CompletedProcess[str]([], 0, "", "")
    for args in (
        ["init", "-input=false", "-no-color"],
        ["apply", "-auto-approve", "-input=false", "-no-color"],
        ["output", "-json", "json"],
    ):
        result = subprocess.run(
            ["terraform", *args],
            cwd=scratch, capture_output=True, text=True, check=False, env=env, timeout=TIMEOUT,
        )  # fmt: skip
        if result.returncode != 0:
            return result
    return result


def _relax_required_version(versions: Path) -> None:
    """An older CLI than the module asks for renders a copy with the constraint relaxed, as
    terraform-validate.sh does; the module uses nothing newer than 1.9."""
    out = subprocess.run(
        ["terraform", "version", "-json"], capture_output=True, text=True, check=True
    ).stdout
    version = json.loads(out)["terraform_version"]
    versions.write_text(
        re.sub(
            r'required_version\s*=\s*">=\s*[0-9.]+"',
            f'required_version = ">= {version}"',
            versions.read_text(),
        )
    )
