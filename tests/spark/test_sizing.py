"""The local runtime sizes itself from the machine (pure: no JVM), and overrides win."""

from __future__ import annotations

import pytest

from dp_foundation.exceptions import ConfigError
from dp_foundation.spark.session import (
    GIB,
    MIB,
    LocalSizing,
    Machine,
    local_sizing,
    parse_size,
    this_machine,
)

LAPTOP = Machine(cores=2, memory_bytes=24 * GIB)


def test_driver_gets_half_the_memory() -> None:
    assert local_sizing(LAPTOP).driver_memory_mb == 12 * 1024
    assert local_sizing(Machine(8, 64 * GIB)).driver_memory_mb == 32 * 1024 - 1024  # capped


def test_driver_memory_has_a_floor_on_a_small_machine() -> None:
    assert local_sizing(Machine(1, 1 * GIB)).driver_memory_mb == 1024


def test_threads_are_the_cores() -> None:
    sizing = local_sizing(LAPTOP)
    assert sizing.master == "local[2]" and sizing.cores == 2
    assert local_sizing(Machine(16, 64 * GIB)).master == "local[16]"


def test_initial_partitions_split_the_execution_memory_into_advisory_pieces() -> None:
    sizing = local_sizing(LAPTOP)
    assert sizing.advisory_partition_bytes == 128 * MIB
    # (12288 - 300) MiB * 0.6 = 7192.8 MiB of execution memory / 128 MiB = 56.2 -> 58 (x2 cores)
    assert sizing.shuffle_partitions == 58


def test_less_memory_means_smaller_and_fewer_partitions() -> None:
    tight = local_sizing(LAPTOP, {"DP_DRIVER_MEMORY": "2g"})
    # (2048 - 300) MiB * 0.6 / 2 tasks / 8 = 65.55 MiB, rounded down to whole MiB
    assert tight.advisory_partition_bytes == 65 * MIB
    # 1048.8 MiB / 65 MiB = 16.1 -> 18, a multiple of the 2 cores
    assert tight.shuffle_partitions == 18


def test_at_least_two_partitions_per_core() -> None:
    assert local_sizing(Machine(64, 2 * GIB)).shuffle_partitions == 128


def test_overrides_win() -> None:
    sizing = local_sizing(
        LAPTOP,
        {"DP_DRIVER_MEMORY": "3g", "DP_SHUFFLE_PARTITIONS": "7", "DP_SPARK_MASTER": "local[1]"},
    )
    assert sizing == LocalSizing("local[1]", 1, 3072, 7, sizing.advisory_partition_bytes)
    # Empty values (an unset Make variable) mean "not overridden".
    assert local_sizing(LAPTOP, {"DP_DRIVER_MEMORY": "", "DP_SHUFFLE_PARTITIONS": ""}) == (
        local_sizing(LAPTOP)
    )


def test_spark_conf_turns_on_adaptive_execution_with_the_sizes() -> None:
    conf = local_sizing(LAPTOP).spark_conf()
    assert conf["spark.master"] == "local[2]"
    assert conf["spark.driver.memory"] == "12288m"
    assert conf["spark.sql.adaptive.enabled"] == "true"
    assert conf["spark.sql.adaptive.coalescePartitions.enabled"] == "true"
    assert conf["spark.sql.adaptive.coalescePartitions.initialPartitionNum"] == "58"
    assert conf["spark.sql.shuffle.partitions"] == "58"
    assert conf["spark.sql.adaptive.advisoryPartitionSizeInBytes"] == str(128 * MIB)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("6g", 6 * GIB), ("6144m", 6 * GIB), ("6GB", 6 * GIB), ("512", 512 * MIB), ("1t", 1024 * GIB)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text, "DP_DRIVER_MEMORY") == expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DP_DRIVER_MEMORY": "lots"}, r"DP_DRIVER_MEMORY='lots' is not a memory size.*6g"),
        ({"DP_SHUFFLE_PARTITIONS": "0"}, r"DP_SHUFFLE_PARTITIONS='0'.*whole number"),
        ({"DP_SHUFFLE_PARTITIONS": "many"}, r"DP_SHUFFLE_PARTITIONS='many'"),
        ({"DP_SPARK_MASTER": "yarn"}, r"DP_SPARK_MASTER='yarn'.*local\[\*\] or local\[N\]"),
    ],
)
def test_bad_overrides_are_named(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        local_sizing(LAPTOP, overrides)


def test_this_machine_reports_what_the_os_says() -> None:
    import os

    machine = this_machine()
    assert 1 <= machine.cores <= (os.cpu_count() or 1)
    assert machine.memory_bytes <= os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert machine.memory_bytes > 256 * MIB
