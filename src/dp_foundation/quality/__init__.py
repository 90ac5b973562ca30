"""Data-quality checks over a DataFrame (no I/O of their own)."""

from __future__ import annotations

from dp_foundation.quality.checks import CheckResult, DataQualityChecker

__all__ = ["CheckResult", "DataQualityChecker"]
