"""What the session's deploy created for each Iceberg table, read by an independent reader.

:func:`recorder` is the deploy's ``after_apply`` hook: while every stack is applied, it opens
each Iceberg table of the refined and curated databases through pyiceberg's GlueCatalog pointed
at the emulator (Glue for the table, S3 for its metadata file), as any Iceberg engine would,
and writes what it finds to ``iceberg_tables.json`` in the kept folder. A table pyiceberg cannot
load is recorded with the error, so the tests name it instead of the whole deploy failing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dp_cli.local_aws import ADMIN_KEYS, LocalDeployment
from infrastructure.iceberg_metadata import describe

RECORD = "iceberg_tables.json"
LAYERS = ("refined", "curated")


def inspect_tables(d: LocalDeployment) -> dict[str, Any]:
    """Every Iceberg table of the layer databases, as Glue, S3 and pyiceberg see it."""
    from pyiceberg.catalog.glue import GlueCatalog

    baseline = d.baseline_outputs()
    keys = {"access-key-id": ADMIN_KEYS["AWS_ACCESS_KEY_ID"]}
    keys["secret-access-key"] = ADMIN_KEYS["AWS_SECRET_ACCESS_KEY"]
    properties = {"glue.endpoint": d.endpoint, "glue.region": d.region}
    properties |= {"s3.endpoint": d.endpoint, "s3.region": d.region}
    for service in ("glue", "s3"):
        properties |= {f"{service}.{k}": v for k, v in keys.items()}
    catalog = GlueCatalog("deployed", **properties)
    glue, s3 = d.client("glue"), d.client("s3")
    found: dict[str, Any] = {"kms_key_arn": baseline["kms_key_arn"], "tables": {}}
    for layer in LAYERS:
        database = baseline[f"glue_database_{layer}"]
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
            for glue_table in page["TableList"]:
                parameters = glue_table.get("Parameters", {})
                entry: dict[str, Any] = {
                    "layer": layer,
                    "database": database,
                    "table": glue_table["Name"],
                    "glue_location": glue_table["StorageDescriptor"]["Location"],
                    "glue_parameters": parameters,
                    "glue_columns": [
                        {"name": c["Name"], "type": c["Type"], "comment": c.get("Comment")}
                        for c in glue_table["StorageDescriptor"].get("Columns", [])
                    ],
                }
                location = parameters.get("metadata_location", "")
                if location.startswith("s3://"):
                    bucket, _, key = location.removeprefix("s3://").partition("/")
                    head = s3.head_object(Bucket=bucket, Key=key)
                    entry["metadata_object"] = {
                        "encryption": head.get("ServerSideEncryption"),
                        "kms_key": head.get("SSEKMSKeyId"),
                        "bucket_key": head.get("BucketKeyEnabled"),
                    }
                try:
                    entry["iceberg"] = describe(catalog.load_table((database, glue_table["Name"])))
                except Exception as exc:  # recorded: the test names the table and the error
                    entry["error"] = f"{type(exc).__name__}: {exc}"
                found["tables"][f"{layer}/{glue_table['Name']}"] = entry
    return found


def recorder(folder: Path) -> Callable[[LocalDeployment], None]:
    """The ``after_apply`` hook that writes :func:`inspect_tables` to ``folder/RECORD``."""

    def record(d: LocalDeployment) -> None:
        (folder / RECORD).write_text(json.dumps(inspect_tables(d), indent=1, sort_keys=True))

    return record
