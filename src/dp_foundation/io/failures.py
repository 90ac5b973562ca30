"""Spark's failures told in the library's terms: which file or folder, and what was expected.

Spark reports a corrupt Parquet file, a file whose column changed type, or a full disk as a
``Py4JJavaError`` holding hundreds of lines of Java stack trace, with the one fact a person
needs (the file) somewhere inside. :func:`explain` finds that fact and returns the library's
own error; :func:`named_failures` applies it around a block or a job's ``main``::

    @named_failures()
    def main() -> None: ...

Errors it does not recognise pass through unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from dp_foundation.exceptions import (
    DataPlatformError,
    InputDataError,
    SchemaError,
    StorageError,
)

_log = logging.getLogger(__name__)

_FILE = r"(?P<file>[a-z0-9]+:/\S+?|/\S+?)"
_CAUSE = re.compile(r"^Caused by: (?:[\w.$]+\.)?(\w+(?:Exception|Error)): (.+)$", re.MULTILINE)

_CONVERT = re.compile(
    rf"Parquet column cannot be converted in file {_FILE}\. Column: \[(?P<column>[^\]]+)\], "
    r"Expected: (?P<expected>[^,]+), Found: (?P<found>[^.\s]+)"
)
_FOOTER = re.compile(rf"Could not read footer for file: {_FILE}\.(?:\s|$)")
_MAGIC = re.compile(rf"{_FILE} is not a Parquet file\.? ?(?P<detail>[^\n|]*)")
_READING = re.compile(rf"Encountered error while reading file {_FILE}\. Details:")
_VALUE = re.compile(rf"Can not read value at \d+ in block -?\d+ in file {_FILE}(?:\s|$)")
_NO_SPACE = re.compile(r"No space left on device")
_TOO_LARGE = re.compile(r"IOException: File too large")
_CREATE = re.compile(rf"(?:Mkdirs failed to create|Failed to create file:?) {_FILE}(?:\s|$)")
_DENIED = re.compile(rf"(?:AccessDeniedException|Permission denied)[: ]*{_FILE}?")
_READ_ONLY = re.compile(r"Read-only file system")
_REFUSED_FILE = re.compile(rf"{_FILE} \((?:Read-only file system|Permission denied)\)")


def _root_cause(text: str) -> str:
    """The innermost ``Caused by`` of a Java trace, shortened to one line."""
    causes = _CAUSE.findall(text)
    if not causes:
        return ""
    name, message = causes[-1]
    return f"{name}: {message.strip()[:200]}"


def _corrupt(path: str, what: str, text: str) -> InputDataError:
    cause = _root_cause(text)
    return InputDataError(
        f"{path} is not a readable Parquet file ({what}); expected a complete Parquet file: "
        "replace it with a good copy, or move it out of the batch and rerun"
        + (f" [{cause}]" if cause else "")
    )


def _storage(what: str, where: str | None, fix: str) -> StorageError:
    place = f" at {where}" if where else ""
    return StorageError(
        f"{what}{place}: {fix}; the tables keep their last committed snapshot, so a rerun "
        "after the fix is safe"
    )


def explain(exc: BaseException) -> DataPlatformError | None:
    """The library's error for a Spark/Hadoop failure, naming the file; None if unknown.

    Recognised: a Parquet column whose type is not the expected one (:class:`SchemaError`),
    a truncated, damaged or non-Parquet file (:class:`InputDataError`), a full disk, a
    file-size limit, a read-only or unwritable folder (:class:`StorageError`).
    """
    if isinstance(exc, DataPlatformError):
        return None
    text = str(exc)
    if match := _CONVERT.search(text):
        return SchemaError(
            f"{match['file']}: column {match['column']} is {match['found']} in the file, "
            f"expected {match['expected']} (the batch's schema drifted); fix the file or "
            "the contract, then rerun"
        )
    if match := _FOOTER.search(text):
        return _corrupt(match["file"], "its footer is missing or damaged: truncated?", text)
    if match := _MAGIC.search(text):
        return _corrupt(match["file"], f"truncated or not Parquet: {match['detail'].strip()}", text)
    if match := _READING.search(text) or _VALUE.search(text):
        return _corrupt(match["file"], "its data pages are damaged", text)
    if _NO_SPACE.search(text):
        return _storage(
            "no space left on device while writing",
            None,
            "a disk the job writes to is full (the lake folder, or Spark's scratch space "
            "spark.local.dir); free space there and rerun",
        )
    if _TOO_LARGE.search(text):
        return _storage(
            "a file could not grow while writing",
            None,
            "the process's file-size limit was reached (ulimit -f); raise it and rerun",
        )
    found = _REFUSED_FILE.search(text) or _CREATE.search(text) or _DENIED.search(text)
    if found or _READ_ONLY.search(text):
        where = found["file"] if found and found["file"] else None
        return _storage(
            "cannot write",
            where,
            "the folder is read-only or not writable by this user; make the lake folder "
            "writable (or point DP_LAKE_DIR at one that is) and rerun",
        )
    return None


@contextmanager
def named_failures() -> Iterator[None]:
    """Re-raise a recognised Spark failure as the library's error (see :func:`explain`).

    Usable as a decorator (``@named_failures()``). The original trace is logged at DEBUG.
    """
    try:
        yield
    except Exception as exc:
        translated = explain(exc)
        if translated is None:
            raise
        _log.debug("Spark failure, reported as %s", type(translated).__name__, exc_info=exc)
        raise translated from None


__all__ = ["explain", "named_failures"]
