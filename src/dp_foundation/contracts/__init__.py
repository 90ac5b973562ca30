"""Data contracts at run time: each table's columns, layout and quality rules, read from the
contract compiled from its ODCS YAML (see ``docs/contracts.md``).

A job asks for the contract of what it writes and gets the Spark schema, the partitioning,
the sort order and a checker holding every declared rule::

    orders = load_contract("project01", "orders", layer="refined")
    orders.checker(df).assert_all_passed()
"""

from __future__ import annotations

from dp_foundation.contracts.loader import (
    CONTRACTS_DIR_ENV,
    compiled_name,
    load_contract,
    search_path,
)
from dp_foundation.contracts.model import COMPILED_FORMAT, LAYERS, Column, TableContract

__all__ = [
    "COMPILED_FORMAT",
    "CONTRACTS_DIR_ENV",
    "LAYERS",
    "Column",
    "TableContract",
    "compiled_name",
    "load_contract",
    "search_path",
]
