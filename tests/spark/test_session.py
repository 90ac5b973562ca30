"""dp_foundation.spark.session: the local backend and the backend registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyiceberg.table import StaticTable
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from dp_foundation.config import settings
from dp_foundation.exceptions import RuntimeSetupError
from dp_foundation.spark import session
from dp_foundation.spark.session import BACKENDS, get_spark, load_backend, local_spark_conf

ROWS = [(1, "a", 1.5), (2, "b", None), (3, None, -2.0)]


# ─── registry (no JVM) ───────────────────────────────────────────────────────


def test_registry_has_glue_and_local() -> None:
    assert set(BACKENDS) == {"glue", "local"}
    assert load_backend("local") is BACKENDS["local"]
    assert load_backend("glue") is BACKENDS["glue"]


def test_runtime_from_environment() -> None:
    os.environ.pop("JOB_RUN_ID", None)
    os.environ["DP_RUNTIME"] = "glue"
    assert load_backend() is BACKENDS["glue"]
    os.environ.pop("DP_RUNTIME")
    assert load_backend() is BACKENDS["local"]  # no awsglue, no JOB_RUN_ID
    os.environ["JOB_RUN_ID"] = "jr_1"
    assert load_backend() is BACKENDS["glue"]


def test_unknown_runtime() -> None:
    os.environ["DP_RUNTIME"] = "emr"
    with pytest.raises(
        RuntimeSetupError, match=r"unknown Spark runtime 'emr'.*\['glue', 'local'\]"
    ):
        load_backend()


def test_get_spark_with_unknown_runtime_fails_before_building(tmp_path: Path) -> None:
    """In a fresh process (no active session) get_spark() refuses an unknown DP_RUNTIME."""
    code = (
        "from dp_foundation.spark import get_spark\n"
        "from dp_foundation.exceptions import RuntimeSetupError\n"
        "try:\n    get_spark()\nexcept RuntimeSetupError as exc:\n    print('refused:', exc)\n"
    )
    env = {**os.environ, "DP_RUNTIME": "bogus", "DP_LAKE_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("refused: unknown Spark runtime 'bogus'")


def test_local_backend_refuses_aws_environments() -> None:
    os.environ.update(ENV="dev", AWS_ACCOUNT_ID="123456789012", DP_CONFIRM_ACCOUNT="123456789012")
    os.environ.pop("JOB_RUN_ID", None)
    settings._reset()
    with pytest.raises(RuntimeSetupError, match="ENV=dev outside Glue"):
        BACKENDS["local"]("x")


def test_local_spark_conf(tmp_path: Path) -> None:
    warehouse = (tmp_path / "warehouse").as_uri()
    os.environ["DP_SHUFFLE_PARTITIONS"] = "3"
    conf = local_spark_conf(warehouse)
    assert conf["spark.sql.catalog.glue_catalog"] == "org.apache.iceberg.spark.SparkCatalog"
    assert conf["spark.sql.catalog.glue_catalog.type"] == "hadoop"
    assert conf["spark.sql.catalog.glue_catalog.warehouse"] == warehouse
    assert conf["spark.sql.extensions"] == session.ICEBERG_EXTENSIONS
    assert conf["spark.sql.shuffle.partitions"] == "3"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    jars = conf["spark.jars"].split(",")
    assert len(jars) == 2
    assert all(Path(j).is_file() for j in jars)
    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "spark-warehouse")


# ─── the local session ───────────────────────────────────────────────────────


def test_one_session_per_process(spark: SparkSession) -> None:
    assert get_spark() is spark
    assert get_spark("another-name") is spark
    assert SparkSession.getActiveSession() is spark


def test_catalog_points_at_the_lake(spark: SparkSession, lake: Path) -> None:
    assert (
        spark.conf.get("spark.sql.catalog.glue_catalog.warehouse") == (lake / "warehouse").as_uri()
    )
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


def test_python_workers_run_this_interpreter(spark: SparkSession) -> None:
    """UDF workers use the driver's interpreter (same version and packages), not PATH's."""
    from pyspark.sql import functions as F

    @F.udf("string")
    def executable(_: int) -> str:
        import sys as worker_sys

        return worker_sys.executable

    (row,) = spark.range(1).select(executable("id")).collect()
    assert row[0] == sys.executable


def _create_sample(spark: SparkSession, database: str, table: str) -> Any:
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS glue_catalog.{database}")
    spark.sql(f"DROP TABLE IF EXISTS glue_catalog.{database}.{table}")
    spark.sql(
        f"CREATE TABLE glue_catalog.{database}.{table} (id int, name string, score double) "
        "USING iceberg PARTITIONED BY (bucket(2, id))"
    )
    df = spark.createDataFrame(ROWS, "id int, name string, score double")
    df.writeTo(f"glue_catalog.{database}.{table}").append()
    return df


def test_glue_catalog_round_trip(spark: SparkSession) -> None:
    df = _create_sample(spark, "session_db", "round_trip")
    assertDataFrameEqual(spark.table("glue_catalog.session_db.round_trip"), df)


def test_table_path_readable_by_pyiceberg(spark: SparkSession, lake: Path) -> None:
    _create_sample(spark, "session_db", "by_pyiceberg")
    folder = lake / "warehouse" / "session_db" / "by_pyiceberg"
    assert (folder / "metadata" / "version-hint.text").is_file()

    table = StaticTable.from_metadata(folder.as_uri())
    rows = sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"])

    assert rows == [{"id": i, "name": n, "score": s} for i, n, s in ROWS]
    assert str(table.spec().fields[0].transform) == "bucket[2]"


def test_table_path_readable_by_duckdb(
    spark: SparkSession, lake: Path, duckdb_iceberg: Any
) -> None:
    _create_sample(spark, "session_db", "by_duckdb")
    folder = lake / "warehouse" / "session_db" / "by_duckdb"

    rows = duckdb_iceberg.execute(
        f"SELECT id, name, score FROM iceberg_scan('{folder}') ORDER BY id"
    ).fetchall()

    assert rows == ROWS
