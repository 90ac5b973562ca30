"""Foundation library for the domain's PySpark jobs.

The same job code runs on a laptop (local Spark + Iceberg, catalog ``glue_catalog``) and
on AWS Glue 5.1. Importing the package first bridges Glue's ``--KEY value`` job arguments
into environment variables, so everything that reads the environment sees them.
"""

from __future__ import annotations

from dp_foundation.config.args import bridge_glue_args

bridge_glue_args()

__version__ = "1.0.0"

__all__ = ["__version__", "bridge_glue_args"]
