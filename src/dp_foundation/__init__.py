"""Foundation library for the domain's PySpark jobs.

The same job code runs on a laptop (local Spark + Iceberg, catalog ``glue_catalog``) and
on AWS Glue 5.1. Importing the package has no side effects: the first
:func:`dp_foundation.config.settings.get_config` bridges Glue's ``--KEY value`` job arguments
from ``sys.argv`` into environment variables (and, on a workstation, loads ``.env``) and
returns the run's :class:`~dp_foundation.config.settings.Settings`. Code that reads a job
argument from the environment before that calls :func:`bridge_glue_args`.
"""

from __future__ import annotations

from dp_foundation.config.args import bridge_glue_args
from dp_foundation.config.settings import Settings, get_config

__version__ = "1.0.0"

__all__ = ["Settings", "__version__", "bridge_glue_args", "get_config"]
