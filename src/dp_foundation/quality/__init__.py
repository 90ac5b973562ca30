"""Data-quality checks over a DataFrame (no I/O of their own beyond reading what they check).

Declare rules with :class:`DataQualityChecker`'s methods or as rule objects and plain dicts
(:func:`rule_from_dict`); :meth:`DataQualityChecker.run` computes them in as few passes as
they allow (see :mod:`dp_foundation.quality.planning`).
"""

from __future__ import annotations

from dp_foundation.quality.checks import DataQualityChecker
from dp_foundation.quality.planning import Plan
from dp_foundation.quality.results import CheckResult
from dp_foundation.quality.rules import (
    Aggregate,
    Comparison,
    Completeness,
    Expression,
    Freshness,
    MaxValue,
    MinValue,
    NotNull,
    ReferentialIntegrity,
    RowCountMin,
    Rule,
    SchemaMatch,
    Severity,
    Unique,
    ValueInSet,
    VolumeAnomaly,
    rule_from_dict,
    rules_from_dicts,
)

__all__ = [
    "Aggregate",
    "CheckResult",
    "Comparison",
    "Completeness",
    "DataQualityChecker",
    "Expression",
    "Freshness",
    "MaxValue",
    "MinValue",
    "NotNull",
    "Plan",
    "ReferentialIntegrity",
    "RowCountMin",
    "Rule",
    "SchemaMatch",
    "Severity",
    "Unique",
    "ValueInSet",
    "VolumeAnomaly",
    "rule_from_dict",
    "rules_from_dicts",
]
