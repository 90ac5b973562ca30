"""The ``dp`` command: run jobs and pipelines locally, scaffold projects, demo, doctor.

Not part of the wheel deployed to Glue. pyspark is imported lazily (only by the commands
that need it, and then inside job subprocesses), so ``dp --help`` answers at once.
"""

from __future__ import annotations

__all__: list[str] = []
