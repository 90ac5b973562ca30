"""``schema_match``: a DataFrame's schema against expected Spark type strings (no pass)."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Spark DDL accepts these names too; simpleString() always renders the canonical one.
_TYPE_SYNONYMS = {
    "integer": "int",
    "long": "bigint",
    "short": "smallint",
    "byte": "tinyint",
    "real": "float",
    "bool": "boolean",
    "dec": "decimal",
    "numeric": "decimal",
}


def canonical_type(name: str) -> str:
    """``"Decimal(18, 2)"`` -> ``"decimal(18,2)"``, ``"integer"`` -> ``"int"``, ``"decimal"`` ->
    ``"decimal(10,0)"``: the rendering of ``DataType.simpleString()``."""
    compact = re.sub(r"\s+", "", name.lower())
    # Type names only: a struct field name is followed by ":".
    compact = re.sub(
        r"[a-z_][a-z0-9_]*(?![a-z0-9_:])",
        lambda m: _TYPE_SYNONYMS.get(m.group(0), m.group(0)),
        compact,
    )
    return re.sub(r"(?<![a-z0-9_])decimal(?![(a-z0-9_:])", "decimal(10,0)", compact)


def compare_schema(
    expected: Mapping[str, str], actual: Mapping[str, str], allow_extra_columns: bool
) -> tuple[bool, str]:
    """Compare ``actual`` ({column: ``simpleString()``}) with ``expected``.

    Returns:
        Whether they match, and a detail naming every missing, mistyped and (unless
        ``allow_extra_columns``) unexpected column.
    """
    missing = [c for c in expected if c not in actual]
    mismatched = {
        c: f"expected {expected[c]}, found {actual[c]}"
        for c in expected
        if c in actual and canonical_type(actual[c]) != canonical_type(str(expected[c]))
    }
    extra = [] if allow_extra_columns else [c for c in actual if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing columns {missing}")
    if mismatched:
        parts.append(f"type mismatches {mismatched}")
    if extra:
        parts.append(f"unexpected columns {extra}")
    if not parts:
        return True, "schema as expected"
    return False, "; ".join(parts) + f"; the DataFrame has {dict(actual)}"


__all__ = ["canonical_type", "compare_schema"]
