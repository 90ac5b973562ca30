"""Bridge AWS Glue job arguments (``sys.argv``) into environment variables.

Glue passes custom job parameters only as ``--KEY value`` pairs in ``sys.argv``; it does not
set environment variables. Reading them here, without importing ``awsglue``, lets settings and
the Spark runtime read one place (the environment) on a laptop and on Glue alike. The package's
``__init__`` calls :func:`bridge_glue_args` before any other module reads the environment.
"""

from __future__ import annotations

import os
import re
import sys

# Names Glue or a user could pass; anything else in argv (pytest's "-q", file paths) is ignored.
_KEY = re.compile(r"^--([A-Za-z_][A-Za-z0-9_.-]*)$")

_bridged: dict[str, str] = {}


def env_name(key: str) -> str:
    """Return the environment variable name for a Glue argument key.

    ``--ENV`` stays ``ENV``; Glue's own hyphenated keys become upper snake case
    (``--job-bookmark-option`` -> ``JOB_BOOKMARK_OPTION``) so that shells can read them.
    """
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return key
    return re.sub(r"[^A-Za-z0-9_]", "_", key).upper()


def parse_glue_args(argv: list[str]) -> dict[str, str]:
    """Parse Glue-style arguments into a ``{env_name: value}`` dict (no side effects).

    Accepts ``--KEY value`` and ``--KEY=value``. A ``--KEY`` followed by another ``--KEY``
    or by nothing is a flag with the value ``"true"``; it never swallows the next key.
    A later occurrence of a key wins, as in Glue.
    """
    parsed: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if not token.startswith("--"):
            continue
        name, sep, value = token.partition("=")
        match = _KEY.match(name)
        if match is None:
            continue
        if not sep:
            if i < len(argv) and not _KEY.match(argv[i].partition("=")[0]):
                value = argv[i]
                i += 1
            else:
                value = "true"
        parsed[env_name(match.group(1))] = value
    return parsed


def bridge_glue_args(argv: list[str] | None = None) -> dict[str, str]:
    """Copy Glue job arguments into ``os.environ`` without overwriting what is already set.

    Args:
        argv: the arguments to read; defaults to ``sys.argv[1:]``.

    Returns:
        Every argument read, as ``{env_name: value}``, including those not copied because
        the variable was already set (the environment wins: a person's explicit setting is
        never silently replaced).
    """
    parsed = parse_glue_args(list(sys.argv[1:] if argv is None else argv))
    for name, value in parsed.items():
        os.environ.setdefault(name, value)
    _bridged.update(parsed)
    return parsed


def bridged_args() -> dict[str, str]:
    """Return the Glue arguments bridged so far in this process, as ``{env_name: value}``."""
    return dict(_bridged)


__all__ = ["bridge_glue_args", "bridged_args", "env_name", "parse_glue_args"]
