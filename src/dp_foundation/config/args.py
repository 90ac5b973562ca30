"""Bridge AWS Glue job arguments (``sys.argv``) into environment variables.

Glue passes custom job parameters only as ``--KEY value`` pairs in ``sys.argv``; it does not
set environment variables. Reading them here, without importing ``awsglue``, lets settings and
the Spark runtime read one place (the environment) on a laptop and on Glue alike.

Nothing runs at import: :func:`dp_foundation.config.settings.get_config` bridges ``sys.argv``
when it first computes the configuration. Code that reads an argument from the environment
before that calls :func:`bridge_glue_args` itself.

A key keeps its spelling: ``--job-bookmark-option x`` sets the variable
``job-bookmark-option``. A key that is not a shell identifier also gets an upper-snake alias
(``JOB_BOOKMARK_OPTION``), unless the arguments name that alias themselves.
"""

from __future__ import annotations

import os
import re
import sys

# Names Glue or a user could pass; anything else in argv (pytest's "-q", file paths) is ignored.
_KEY = re.compile(r"^--([A-Za-z_][A-Za-z0-9_.-]*)$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# The keys bridged so far, as passed (aliases are derived from them on demand).
_bridged: dict[str, str] = {}


def env_name(key: str) -> str:
    """Return the shell-safe alias of a Glue argument key.

    ``ENV`` and ``TempDir`` are identifiers already and stay as they are; Glue's hyphenated
    keys become upper snake case (``job-bookmark-option`` -> ``JOB_BOOKMARK_OPTION``).
    """
    if _IDENTIFIER.fullmatch(key):
        return key
    return re.sub(r"[^A-Za-z0-9_]", "_", key).upper()


def _is_key(token: str) -> bool:
    return _KEY.match(token.partition("=")[0]) is not None


def _parse(argv: list[str]) -> dict[str, str]:
    """``{key: value}`` of the arguments as passed, each key once (its last occurrence)."""
    given: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        name, sep, value = token.partition("=")
        match = _KEY.match(name)
        if match is None:
            continue
        if not sep:
            if i < len(argv) and not _is_key(argv[i]):
                value = argv[i]
                i += 1
            else:
                value = "true"
        key = match.group(1)
        given.pop(key, None)  # re-insert: the dict's order is the order of last occurrence
        given[key] = value
    return given


def _with_aliases(given: dict[str, str]) -> dict[str, str]:
    aliases = {env_name(k): v for k, v in given.items() if env_name(k) not in given}
    return {**given, **aliases}


def parse_glue_args(argv: list[str]) -> dict[str, str]:
    """Parse Glue-style arguments into ``{variable name: value}`` (no side effects).

    Accepts ``--KEY value`` and ``--KEY=value``. A ``--KEY`` followed by another ``--KEY``
    (or ``--KEY=value``) or by nothing is a flag with the value ``"true"``: a flag never
    swallows the next key. A later occurrence of a key wins, as in Glue.

    Every key appears under its own spelling; a key that is not a shell identifier also
    appears under its :func:`env_name` alias, unless the arguments set that alias as a key of
    its own (the explicit key wins).
    """
    return _with_aliases(_parse(argv))


def bridge_glue_args(argv: list[str] | None = None) -> dict[str, str]:
    """Copy Glue job arguments into ``os.environ`` without overwriting what is already set.

    Args:
        argv: the arguments to read; defaults to ``sys.argv[1:]``.

    Returns:
        Every argument read, as ``{variable name: value}`` (aliases included), including
        those not copied because the variable was already set (the environment wins: a
        person's explicit setting is never silently replaced).
    """
    given = _parse(list(sys.argv[1:] if argv is None else argv))
    parsed = _with_aliases(given)
    for name, value in parsed.items():
        os.environ.setdefault(name, value)
    for key, value in given.items():
        _bridged.pop(key, None)  # keep the order of last occurrence across calls
        _bridged[key] = value
    return parsed


def bridged_args() -> dict[str, str]:
    """Return the Glue arguments bridged so far in this process, as ``{name: value}``
    (aliases included, as :func:`parse_glue_args` returns them)."""
    return _with_aliases(_bridged)


def passed_args() -> dict[str, str]:
    """Return the Glue arguments bridged so far as they were passed: ``{key: value}``, each
    key once under its own spelling, without the upper-snake aliases."""
    return dict(_bridged)


__all__ = ["bridge_glue_args", "bridged_args", "env_name", "parse_glue_args", "passed_args"]
