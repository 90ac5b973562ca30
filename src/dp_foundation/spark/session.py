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

import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dp_foundation.config.settings import CATALOG, get_config, on_glue
from dp_foundation.exceptions import ConfigError, RuntimeSetupError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"


def _glue_session(app_name: str) -> SparkSession:
    from pyspark.sql import SparkSession

    return SparkSession.builder.appName(app_name).getOrCreate()


GIB = 1024**3
MIB = 1024**2
# What Spark keeps off its memory manager's books (its "reserved memory"), and the share of
# the rest that execution and storage get (spark.memory.fraction's default).
_SPARK_RESERVED = 300 * MIB
_SPARK_MEMORY_FRACTION = 0.6
# The driver (which, locally, is also the only executor) gets half the machine: the other half
# is the JVM's own overhead, the Python driver, the page cache the shuffle files live in, and
# the operating system. Capped below 32 GiB, where the JVM loses compressed object pointers.
DRIVER_MEMORY_SHARE = 0.5
DRIVER_MEMORY_MIN = 1 * GIB
DRIVER_MEMORY_MAX = 31 * GIB
# A shuffle partition's serialized size, grown about fourfold when a task holds it in memory
# as rows (a hash aggregate's map, a sort buffer): an advisory size of an eighth of a task's
# share of execution memory leaves that task room to spare. Within Spark's usual range.
ADVISORY_MIN = 16 * MIB
ADVISORY_MAX = 128 * MIB
# Enough initial shuffle partitions that a shuffle as large as all of the driver's execution
# memory still splits into advisory-sized pieces; adaptive execution then coalesces them to what
# the data needs. Not more: Spark 3.5 never coalesces the last shuffle of a cached DataFrame
# (a job's persisted, deduplicated table keeps every initial partition), so each extra partition
# is an extra task in every later pass over small data.

DRIVER_MEMORY_ENV = "DP_DRIVER_MEMORY"
SHUFFLE_PARTITIONS_ENV = "DP_SHUFFLE_PARTITIONS"
SPARK_MASTER_ENV = "DP_SPARK_MASTER"

_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]?)b?\s*$", re.IGNORECASE)
_LOCAL_MASTER = re.compile(r"^local\[(\*|\d+)(?:,\s*\d+)?\]$")


@dataclass(frozen=True)
class Machine:
    """The facts about this machine the local runtime is sized from.

    Attributes:
        cores: CPU cores this process may run on.
        memory_bytes: physical memory (or the container's limit, when lower).
    """

    cores: int
    memory_bytes: int


@dataclass(frozen=True)
class LocalSizing:
    """How big the local runtime is: threads, driver heap and shuffle partitioning.

    Attributes:
        master: Spark's master URL (``local[<cores>]``).
        cores: task threads, i.e. tasks running at once.
        driver_memory_mb: the driver's heap (``spark.driver.memory``), in MiB.
        shuffle_partitions: initial partitions of every shuffle, before adaptive execution
            coalesces them.
        advisory_partition_bytes: the size adaptive execution coalesces shuffle partitions to.
    """

    master: str
    cores: int
    driver_memory_mb: int
    shuffle_partitions: int
    advisory_partition_bytes: int

    def spark_conf(self) -> dict[str, str]:
        """The Spark settings this sizing stands for."""
        return {
            "spark.master": self.master,
            "spark.driver.memory": f"{self.driver_memory_mb}m",
            "spark.sql.shuffle.partitions": str(self.shuffle_partitions),
            "spark.default.parallelism": str(self.cores),
            "spark.sql.adaptive.enabled": "true",
            "spark.sql.adaptive.coalescePartitions.enabled": "true",
            "spark.sql.adaptive.coalescePartitions.initialPartitionNum": str(
                self.shuffle_partitions
            ),
            "spark.sql.adaptive.advisoryPartitionSizeInBytes": str(self.advisory_partition_bytes),
            # A skewed join partition is split at the same size.
            "spark.sql.adaptive.skewJoin.enabled": "true",
        }


def parse_size(text: str, name: str) -> int:
    """``"6g"``, ``"6144m"``, ``"6GB"`` -> bytes (a bare number is MiB, as for the JVM's -Xmx
    in Spark's settings).

    Raises:
        ConfigError: not a size; the message names ``name`` (where the value came from).
    """
    match = _SIZE.match(text)
    if not match:
        raise ConfigError(
            f"{name}={text!r} is not a memory size; expected a number with a unit, e.g. 6g or 6144m"
        )
    number, unit = int(match.group(1)), (match.group(2) or "m").lower()
    return number * int(1024 ** "bkmgt".index(unit))


def local_sizing(machine: Machine, overrides: Mapping[str, str] | None = None) -> LocalSizing:
    """Size the local runtime from the machine and any overrides (pure: no JVM, no I/O).

    Args:
        machine: the machine's cores and memory.
        overrides: ``DP_SPARK_MASTER`` (``local[N]`` or ``local[*]``), ``DP_DRIVER_MEMORY``
            (e.g. ``6g``) and ``DP_SHUFFLE_PARTITIONS`` (a fixed count), usually
            ``os.environ``; each wins over what the machine implies.

    Returns:
        Task threads = the cores; driver heap = half the memory, within 1 and 31 GiB;
        advisory partition size = an eighth of a task's share of execution memory, within
        16 and 128 MiB; initial shuffle partitions = enough advisory-sized pieces for all the
        execution memory, a multiple of the cores (at least twice).

    Raises:
        ConfigError: an override that is not a size, a count or a local master URL.
    """
    overrides = overrides or {}
    master = overrides.get(SPARK_MASTER_ENV) or "local[*]"
    local = _LOCAL_MASTER.match(master.strip())
    if local is None:
        raise ConfigError(
            f"{SPARK_MASTER_ENV}={master!r}: the local runtime runs in this process; "
            "expected local[*] or local[N], e.g. local[2]"
        )
    threads = local.group(1)
    cores = max(1, machine.cores if threads == "*" else int(threads))

    if overrides.get(DRIVER_MEMORY_ENV):
        heap = parse_size(overrides[DRIVER_MEMORY_ENV], DRIVER_MEMORY_ENV)
    else:
        heap = int(machine.memory_bytes * DRIVER_MEMORY_SHARE)
        heap = min(max(heap, DRIVER_MEMORY_MIN), DRIVER_MEMORY_MAX)
    heap_mb = max(heap // MIB, 1)

    task_memory = max(heap - _SPARK_RESERVED, 0) * _SPARK_MEMORY_FRACTION / cores
    advisory = int(min(max(task_memory / 8, ADVISORY_MIN), ADVISORY_MAX))
    advisory -= advisory % MIB

    fixed = overrides.get(SHUFFLE_PARTITIONS_ENV)
    if fixed:
        if not fixed.strip().isdigit() or int(fixed) < 1:
            raise ConfigError(
                f"{SHUFFLE_PARTITIONS_ENV}={fixed!r}: expected a whole number of partitions >= 1"
            )
        partitions = int(fixed)
    else:
        wanted = math.ceil(task_memory * cores / advisory)
        partitions = max(math.ceil(wanted / cores), 2) * cores
    return LocalSizing(f"local[{cores}]", cores, heap_mb, partitions, advisory)


def this_machine() -> Machine:
    """This machine's cores (those this process may use) and memory (the cgroup's limit,
    when a container sets a lower one)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        memory = 4 * GIB  # a guess where the platform does not say; DP_DRIVER_MEMORY overrides
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            limit = Path(limit_file).read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if limit.isdigit():
            memory = min(memory, int(limit))
        break
    return Machine(cores=cores, memory_bytes=memory)


def local_spark_conf(
    warehouse: str,
    sizing: LocalSizing | None = None,
) -> dict[str, str]:
    """The Spark settings of the local backend (pure but for reading the machine's size when
    ``sizing`` is not given; no JVM needed).

    Args:
        warehouse: the Iceberg warehouse URI.
        sizing: threads, memory and partitioning (default: :func:`local_sizing` of this
            machine and ``os.environ``).

    Raises:
        ConfigError: a sizing override in the environment is malformed.
    """
    from dp_foundation.spark.local_jars import local_jars

    sizing = sizing or local_sizing(this_machine(), os.environ)
    return {
        "spark.jars": ",".join(str(j) for j in local_jars()),
        "spark.sql.extensions": ICEBERG_EXTENSIONS,
        f"spark.sql.catalog.{CATALOG}": "org.apache.iceberg.spark.SparkCatalog",
        f"spark.sql.catalog.{CATALOG}.type": "hadoop",
        f"spark.sql.catalog.{CATALOG}.warehouse": warehouse,
        **sizing.spark_conf(),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
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
    if cfg.env != "local":
        raise RuntimeSetupError(
            f"ENV={cfg.env} outside Glue: the local runtime has no Glue catalog or S3 client; "
            "run with ENV=local, or deploy and run the job on Glue"
        )
    java = find_java()
    os.environ.setdefault("JAVA_HOME", str(Path(java).resolve().parent.parent))
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers (UDFs) run this interpreter: same version, same packages. Spark's own
    # default, "python3" from PATH, may be another version or lack pandas and pyarrow.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    warehouse = cfg.iceberg_warehouse
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


__all__ = [
    "BACKENDS",
    "LocalSizing",
    "Machine",
    "get_spark",
    "load_backend",
    "local_sizing",
    "local_spark_conf",
    "parse_size",
    "this_machine",
]
