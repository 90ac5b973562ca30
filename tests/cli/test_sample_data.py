"""dp_cli.sample_data: TPC-H lands in batch folders the raw contracts describe; change batches
insert new keys, update and delete existing orders with their lines, and never touch a key an
earlier batch deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from dp_cli.contracts.compile import compile_all
from dp_cli.sample_data import BATCH_COLUMN, OP_COLUMN, TPCH_TABLES, generate_tpch, land_tpch_batch
from dp_foundation.config.settings import local_uri
from dp_foundation.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SF = 0.001


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    raw = tmp_path_factory.mktemp("raw")
    generate_tpch(local_uri(raw), SF)
    land_tpch_batch(local_uri(raw), 2)
    return raw / "tpch", land_tpch_batch(local_uri(raw), 3)


def rows(folder: Path, table: str, where: str = "true") -> list[tuple[Any, ...]]:
    files = str(folder / table / "**" / "*.parquet")
    return duckdb.sql(
        f"SELECT * FROM read_parquet('{files}', hive_partitioning = true) WHERE {where}"  # nosec B608 - test data
    ).fetchall()


def test_the_layout_is_the_raw_contracts(landed: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = landed
    raw = {
        c.data["table"]: c.data
        for c in compile_all(ROOT, "project01")
        if c.data is not None and c.data["layer"] == "raw"
    }
    assert set(raw) == set(TPCH_TABLES)
    for table, contract in raw.items():
        partitions = contract["partitioning"]
        assert partitions[0] == BATCH_COLUMN
        leaf = next((folder / table).rglob("*.parquet"))
        folders = leaf.relative_to(folder / table).parts[:-1]
        assert [f.split("=")[0] for f in folders] == partitions
        files = f"read_parquet('{leaf}', hive_partitioning = false)"
        described = duckdb.sql(f"DESCRIBE FROM {files}").fetchall()
        declared = [c["name"] for c in contract["columns"] if c["name"] not in partitions]
        assert [c[0] for c in described] == declared
        assert declared[0] == OP_COLUMN


def test_change_batches_insert_update_and_delete(landed: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = landed
    assert [b["batch"] for b in manifest["batches"]] == [1, 2, 3]
    second = manifest["batches"][1]["rows"]
    assert set(second) == {"customer", "supplier", "orders", "lineitem"}
    assert all(second[t][op] > 0 for t in ("orders", "lineitem") for op in "IUD")
    assert not (folder / "region" / f"{BATCH_COLUMN}=2").exists()
    # New orders have keys above every key of batch 1.
    first = [r[1] for r in rows(folder, "orders", "batch_id = 1")]
    new = [r[1] for r in rows(folder, "orders", "batch_id = 2 AND op = 'I'")]
    assert new and min(new) > max(first)
    # A key deleted by batch 2 is not changed by batch 3.
    deleted = {r[1] for r in rows(folder, "orders", "batch_id = 2 AND op = 'D'")}
    later = {r[1] for r in rows(folder, "orders", "batch_id = 3")}
    assert deleted and not deleted & later


def test_landing_a_batch_twice_changes_nothing(
    landed: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder, manifest = landed
    files = sorted(p.relative_to(folder) for p in folder.rglob("*.parquet"))
    assert land_tpch_batch(local_uri(folder.parent), 3) == manifest
    assert sorted(p.relative_to(folder) for p in folder.rglob("*.parquet")) == files


def test_batches_land_in_order_on_generated_data(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run `dp generate` first"):
        land_tpch_batch(local_uri(tmp_path), 2)
    generate_tpch(local_uri(tmp_path), SF)
    with pytest.raises(ConfigError, match="batch 3 needs batch 2 first"):
        land_tpch_batch(local_uri(tmp_path), 3)
    with pytest.raises(ConfigError, match="numbered 2 to"):
        land_tpch_batch(local_uri(tmp_path), 1)
