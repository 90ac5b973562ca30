"""The outcome of one rule: :class:`CheckResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dp_foundation.quality.rules import Severity


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check.

    Attributes:
        name: the check and its arguments, e.g. ``not_null(o_orderkey)``.
        passed: whether the check held.
        detail: what was expected and what was found.
        failed_rows: rows that broke the check (for ``unique``: rows in duplicated groups;
            for ``row_count_min``: rows missing to reach the minimum; for ``completeness``:
            the null rows, which may be within the threshold); None for checks of the table
            as a whole (schema, freshness, aggregate, volume).
        total_rows: rows checked (None for ``schema_match``).
        severity: ``"error"`` (a failure fails the job) or ``"warn"`` (reported only).
        samples: up to the checker's ``samples`` example rows that broke a failed check, as
            dicts (for ``unique``: a repeated key and its row count); empty when the check
            passed or is about the table as a whole. Which rows is not deterministic, so
            samples do not take part in comparing results.
    """

    name: str
    passed: bool
    detail: str
    failed_rows: int | None = None
    total_rows: int | None = None
    severity: Severity = "error"
    samples: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    @property
    def blocking(self) -> bool:
        """Whether this result fails the job: a failed check of severity ``error``."""
        return not self.passed and self.severity == "error"


__all__ = ["CheckResult"]
