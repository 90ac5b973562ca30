"""Every error the library raises. Messages say what was expected and what was found."""

from __future__ import annotations


class DataPlatformError(Exception):
    """Base class of all dp_foundation errors."""


class ConfigError(DataPlatformError):
    """Configuration is missing or invalid (domain file, environment, AWS account)."""


class RuntimeSetupError(DataPlatformError):
    """The Spark runtime cannot be built (Java, jars, unknown backend)."""


class TableNotFoundError(DataPlatformError):
    """An Iceberg table or a raw data path does not exist."""


class SchemaError(DataPlatformError):
    """A DataFrame does not have the columns or types a table or check expects."""


class InputDataError(DataPlatformError):
    """An input file cannot be read as what it claims to be (truncated or corrupt Parquet,
    an empty batch); the message names the file and what was expected."""


class StorageError(DataPlatformError):
    """The lake's storage refused a write (no space left, read-only, no permission); the
    message names where and how to fix it. The table keeps its last committed snapshot."""


class WriteError(DataPlatformError):
    """A write was refused before touching the table (bad mode, keys or arguments)."""


class WriteConflictError(DataPlatformError):
    """A commit to an Iceberg table lost to a concurrent writer (retries ran out or the other
    commit changed rows this write depends on); nothing of it is visible, rerunning applies it."""


class SnapshotNotFoundError(DataPlatformError):
    """An Iceberg table has no snapshot with the requested id, or none at the requested time."""


class ContractError(DataPlatformError):
    """A data contract is missing, invalid, or does not fit what uses it."""


class DataQualityError(DataPlatformError):
    """One or more data-quality checks failed.

    Attributes:
        failures: the failed ``CheckResult`` objects, in the order the checks were added.
    """

    def __init__(self, message: str, failures: list[object] | None = None) -> None:
        super().__init__(message)
        self.failures = failures or []


__all__ = [
    "ConfigError",
    "ContractError",
    "DataPlatformError",
    "DataQualityError",
    "InputDataError",
    "RuntimeSetupError",
    "SchemaError",
    "SnapshotNotFoundError",
    "StorageError",
    "TableNotFoundError",
    "WriteConflictError",
    "WriteError",
]
