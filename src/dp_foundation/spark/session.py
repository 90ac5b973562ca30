"""Build or reuse the Spark session: the only place that knows local from Glue.

Two backends sit in a small registry (pyiceberg's ``load_catalog`` pattern):

* ``glue`` — inside an AWS Glue job: reuse the session Glue built from the job's
  ``--datalake-formats iceberg`` and ``--conf`` arguments (catalog ``glue_catalog`` = Glue
  Data Catalog on S3). Nothing from ``awsglue`` is imported.
* ``local`` — everywhere else: local Spark 3.5.6 with the Iceberg runtime and a catalog
  also named ``glue_catalog``, a Hadoop catalog whose warehouse is laid out as
  ``<warehouse>/<database>/<table>`` so any Iceberg reader can open a table by path.

``DP_RUNTIME`` forces a backend; by default Glue is detected.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dp_foundation.config.settings import CATALOG, get_config, on_glue
from dp_foundation.exceptions import RuntimeSetupError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"


def _glue_session(app_name: str) -> SparkSession:
    from pyspark.sql import SparkSession

    return SparkSession.builder.appName(app_name).getOrCreate()


def local_spark_conf(warehouse: str) -> dict[str, str]:
    """The Spark settings of the local backend (pure; no JVM needed to compute them)."""
    from dp_foundation.spark.local_jars import local_jars

    return {
        "spark.master": os.environ.get("DP_SPARK_MASTER", "local[*]"),
        "spark.jars": ",".join(str(j) for j in local_jars()),
        "spark.sql.extensions": ICEBERG_EXTENSIONS,
        f"spark.sql.catalog.{CATALOG}": "org.apache.iceberg.spark.SparkCatalog",
        f"spark.sql.catalog.{CATALOG}.type": "hadoop",
        f"spark.sql.catalog.{CATALOG}.warehouse": warehouse,
        # Small local data: a handful of shuffle partitions beats Spark's default 200.
        "spark.sql.shuffle.partitions": os.environ.get("DP_SHUFFLE_PARTITIONS", "4"),
        "spark.default.parallelism": os.environ.get("DP_SHUFFLE_PARTITIONS", "4"),
        "spark.driver.memory": os.environ.get("DP_DRIVER_MEMORY", "2g"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.adaptive.enabled": "true",
        # Local Derby/Hive metastore is never used: the catalog is Iceberg's.
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.warehouse.dir": str(
            Path(warehouse.removeprefix("file://")).parent / "spark-warehouse"
        ),
        "spark.driver.extraJavaOptions": "-Dlog4j2.level=warn -XX:+UseParallelGC",
    }


def _local_session(app_name: str) -> SparkSession:
    from dp_foundation.spark.local_jars import find_java

    cfg = get_config()
    if cfg["env"] != "local":
        raise RuntimeSetupError(
            f"ENV={cfg['env']} outside Glue: the local runtime has no Glue catalog or S3 client; "
            "run with ENV=local, or deploy and run the job on Glue"
        )
    java = find_java()
    os.environ.setdefault("JAVA_HOME", str(Path(java).resolve().parent.parent))
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers (UDFs) run this interpreter: same version, same packages. Spark's own
    # default, "python3" from PATH, may be another version or lack pandas and pyarrow.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    warehouse = cfg["iceberg_warehouse"]
    Path(warehouse.removeprefix("file://")).mkdir(parents=True, exist_ok=True)

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    for key, value in local_spark_conf(warehouse).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("DP_SPARK_LOG_LEVEL", "WARN"))
    return spark


BACKENDS: dict[str, Callable[[str], SparkSession]] = {
    "glue": _glue_session,
    "local": _local_session,
}


def load_backend(name: str | None = None) -> Callable[[str], SparkSession]:
    """Return the session factory called ``name`` (default: ``DP_RUNTIME`` or auto-detect).

    Raises:
        RuntimeSetupError: ``name`` is not a known backend.
    """
    chosen = name or os.environ.get("DP_RUNTIME") or ("glue" if on_glue() else "local")
    try:
        return BACKENDS[chosen]
    except KeyError:
        raise RuntimeSetupError(
            f"unknown Spark runtime '{chosen}'; expected one of {sorted(BACKENDS)}"
        ) from None


def get_spark(app_name: str = "dp-job") -> SparkSession:
    """Return this process's Spark session, building it on first call.

    On Glue it is Glue's own session; locally a Spark session with Iceberg and the
    ``glue_catalog`` catalog (one per process: later calls return the same session).

    Args:
        app_name: the Spark application name (shown in logs and the Spark UI).

    Raises:
        RuntimeSetupError: no Java, missing jars, or an unknown ``DP_RUNTIME``.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    return load_backend()(app_name)


__all__ = ["BACKENDS", "get_spark", "load_backend", "local_spark_conf"]
