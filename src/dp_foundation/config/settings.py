"""Domain and environment configuration, computed lazily and cached.

Nothing here runs at import time: no file reads, no AWS calls. :func:`get_config` computes
the configuration on first use; :func:`_reset` clears the cache so tests (or a long-lived
process) can change the environment and see the effect.

Sources, later ones winning: ``setup/domain.json`` (the single source of truth for the
domain), ``.env`` (workstations only, see :func:`load_local_dotenv`; never overrides variables
already set), then the process environment, which includes the Glue job arguments that the
first :func:`get_config` bridges from ``sys.argv``.

On Glue the wheel is put on ``sys.path`` without its dependencies being installed, so this
module imports only the standard library at module level; python-dotenv (the ``local`` extra)
is imported only on a workstation that has a ``.env``, and boto3 (which Glue provides) only
when the account id must come from STS.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from dp_foundation.config.args import bridge_glue_args, bridged_args, parse_glue_args
from dp_foundation.exceptions import ConfigError

LOCAL_ENV = "local"
LOCAL_ACCOUNT_ID = "000000000000"
LAYERS = ("raw", "refined", "curated")
BUCKET_PURPOSES = ("raw", "refined", "curated", "artifacts")
CATALOG = "glue_catalog"
_DOMAIN_KEYS = ("domain_name", "domain_abbr", "aws_region")

_log = logging.getLogger(__name__)


def find_repo_root(start: Path | None = None) -> Path | None:
    """Return the nearest folder at or above ``start`` (or the cwd) holding setup/domain.json.

    Returns None when there is none (e.g. on Glue, which has no repository checkout).
    """
    origin = (start or Path.cwd()).resolve()
    for folder in (origin, *origin.parents):
        if (folder / "setup" / "domain.json").is_file():
            return folder
    return None


def _read_domain_file(path: Path | None) -> tuple[dict[str, Any], str]:
    if path is not None:
        try:
            return json.loads(path.read_text(encoding="utf-8")), str(path)
        except FileNotFoundError:
            raise ConfigError(
                f"domain file {path} does not exist (set by DP_DOMAIN_FILE)"
            ) from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"domain file {path} is not valid JSON: {exc}") from None
    packaged = resources.files("dp_foundation").joinpath("domain.json")
    if packaged.is_file():  # wheels carry a build-time copy of setup/domain.json
        return json.loads(packaged.read_text(encoding="utf-8")), "dp_foundation/domain.json"
    raise ConfigError(
        "setup/domain.json not found: run from inside the repository, set DP_DOMAIN_FILE, "
        "or install a wheel built by setup/build-wheel.sh"
    )


@functools.lru_cache(maxsize=1)
def _get_domain() -> dict[str, str]:
    explicit = os.environ.get("DP_DOMAIN_FILE")
    if explicit:
        path: Path | None = Path(explicit)
    else:
        root = find_repo_root()
        path = root / "setup" / "domain.json" if root else None
    data, origin = _read_domain_file(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{origin} must hold a JSON object; found {type(data).__name__}")
    missing = [k for k in _DOMAIN_KEYS if not isinstance(data.get(k), str) or not data[k]]
    if missing:
        raise ConfigError(f"{origin} lacks non-empty string field(s) {missing}; found {data}")
    return {k: data[k] for k in _DOMAIN_KEYS}


def on_glue() -> bool:
    """True inside an AWS Glue job run (Glue puts ``awsglue`` on the path and passes
    ``--JOB_RUN_ID``, read from the environment or, before the bridge ran, from ``sys.argv``)."""
    import importlib.util

    return (
        importlib.util.find_spec("awsglue") is not None
        or "JOB_RUN_ID" in os.environ
        or "JOB_RUN_ID" in parse_glue_args(sys.argv[1:])
    )


def find_dotenv(start: Path | None = None) -> Path | None:
    """Return the nearest ``.env`` file at or above ``start`` (or the cwd), or None."""
    origin = (start or Path.cwd()).resolve()
    for folder in (origin, *origin.parents):
        if (folder / ".env").is_file():
            return folder / ".env"
    return None


def load_local_dotenv() -> Path | None:
    """Backlog P0-08: on a workstation, load the nearest ``.env`` into the environment.

    ``setup/bootstrap.sh`` writes ``.env``; variables already set are never overridden. A
    Glue job run never reads one (it has no checkout and no python-dotenv). Without
    python-dotenv (the wheel installed without its ``local`` extra) the file is not read and
    a warning says how to install it.

    Returns:
        The file loaded, or None when none was (on Glue, no ``.env``, no python-dotenv).
    """
    if on_glue():
        return None
    path = find_dotenv()
    if path is None:
        return None
    try:
        from dotenv import load_dotenv
    except ImportError:
        _log.warning(
            "%s not loaded: python-dotenv is not installed; install the local extra "
            "(pip install 'data-platform-foundation[local]') or export its variables yourself",
            path,
        )
        return None
    load_dotenv(path, override=False)
    return path


def _sts_account_id() -> str:
    try:
        import boto3

        identity = boto3.client("sts").get_caller_identity()
        return str(identity["Account"])
    except Exception as exc:  # any botocore failure: no credentials, no network, expired token
        raise ConfigError(
            "could not resolve the AWS account id: STS get-caller-identity failed "
            f"({type(exc).__name__}: {exc}); set AWS_ACCOUNT_ID or fix the AWS credentials"
        ) from exc


def _guard_workstation_account(env: str, account_id: str) -> None:
    """Backlog P0-03: warn which profile/account a workstation uses; refuse unknown accounts."""
    profile = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"
    _log.warning(
        "ENV=%s from a workstation: using AWS profile '%s', account %s. "
        "Ensure this is not a production account.",
        env,
        profile,
        account_id,
    )
    allowlist = {
        a.strip() for a in os.environ.get("DP_NONPROD_ACCOUNTS", "").split(",") if a.strip()
    }
    if account_id in allowlist or os.environ.get("DP_CONFIRM_ACCOUNT") == account_id:
        return
    raise ConfigError(
        f"AWS account {account_id} (profile '{profile}') is not in the non-production allowlist "
        f"DP_NONPROD_ACCOUNTS={sorted(allowlist)}; add it there (setup/bootstrap.sh does) or "
        f"confirm once with DP_CONFIRM_ACCOUNT={account_id}"
    )


@functools.lru_cache(maxsize=1)
def _get_account_id(env: str) -> str:
    explicit = os.environ.get("AWS_ACCOUNT_ID", "").strip()
    if env == LOCAL_ENV:
        return explicit or LOCAL_ACCOUNT_ID
    account_id = explicit or _sts_account_id()
    if not (account_id.isdigit() and len(account_id) == 12):
        raise ConfigError(f"AWS account id must be 12 digits; found '{account_id}'")
    if not on_glue():
        _guard_workstation_account(env, account_id)
    return account_id


def bucket_name(domain_abbr: str, purpose: str, account_id: str, env: str) -> str:
    """The one naming rule for buckets: ``{domain_abbr}-{purpose}-{account_id}-{env}``."""
    return f"{domain_abbr}-{purpose}-{account_id}-{env}"


def database_name(domain_abbr: str, layer: str, env: str) -> str:
    """The one naming rule for Glue databases: ``{domain_abbr}_{layer}_{env}``."""
    return f"{domain_abbr}_{layer}_{env}"


def lake_dir() -> Path:
    """Folder holding the local lake (buckets as folders, Iceberg warehouse): ``DP_LAKE_DIR``
    or ``.local/lake`` in the repository (or the cwd outside one)."""
    explicit = os.environ.get("DP_LAKE_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    return (find_repo_root() or Path.cwd()) / ".local" / "lake"


def local_uri(path: Path) -> str:
    """``file://`` + the absolute path, not percent-encoded.

    Hadoop's ``Path`` (Spark, Iceberg) takes the string literally: ``Path.as_uri()``'s
    ``/a%20b`` would become a folder named ``a%20b`` instead of ``a b``.
    """
    return "file://" + path.absolute().as_posix()


def _build_config() -> dict[str, str]:
    bridge_glue_args()  # first use: Glue's --KEY value arguments become variables
    load_local_dotenv()
    env = os.environ.get("ENV", LOCAL_ENV).strip().lower() or LOCAL_ENV
    domain = _get_domain()
    abbr = domain["domain_abbr"]
    account_id = _get_account_id(env)
    cfg: dict[str, str] = {
        "env": env,
        **domain,
        "aws_region": os.environ.get("AWS_REGION", domain["aws_region"]),
        "account_id": account_id,
        "catalog": CATALOG,
    }
    local = env == LOCAL_ENV
    root = lake_dir()
    for purpose in BUCKET_PURPOSES:
        name = bucket_name(abbr, purpose, account_id, env)
        cfg[f"s3_bucket_{purpose}"] = name
        # Locally a bucket is a folder of the lake with the bucket's name.
        cfg[f"{purpose}_uri"] = local_uri(root / name) if local else f"s3://{name}"
    for layer in LAYERS:
        cfg[f"iceberg_database_{layer}"] = database_name(abbr, layer, env)
    cfg["iceberg_warehouse"] = (
        local_uri(root / "warehouse") if local else f"s3://{cfg['s3_bucket_refined']}/warehouse/"
    )
    cfg["lake_dir"] = str(root) if local else ""
    for name, value in bridged_args().items():
        current = os.environ.get(name, value)
        cfg.setdefault(name.lower(), current)
        cfg.setdefault(name, current)
    return cfg


@functools.lru_cache(maxsize=1)
def _cached_config() -> tuple[tuple[str, str], ...]:
    return tuple(_build_config().items())


def get_config() -> dict[str, str]:
    """Return the configuration of this run (a fresh dict; the values are cached).

    Keys include ``env``, ``domain_name``, ``domain_abbr``, ``aws_region``, ``account_id``,
    ``s3_bucket_{raw,refined,curated,artifacts}``, ``{raw,refined,curated,artifacts}_uri``
    (``s3://bucket`` on AWS, a ``file://`` folder locally), ``iceberg_database_{raw,refined,
    curated}``, ``iceberg_warehouse``, ``catalog`` and every bridged Glue argument (under its
    lower-case name and its own name, e.g. ``q5_region`` and ``Q5_REGION``; a hyphenated key
    also under its alias: ``job-bookmark-option``, ``job_bookmark_option``,
    ``JOB_BOOKMARK_OPTION``).

    The first call (and the first after :func:`_reset`) bridges the Glue arguments in
    ``sys.argv`` into the environment and, on a workstation, loads ``.env``.

    With ``ENV=local`` (the default) no AWS account, credentials or network is needed.

    Raises:
        ConfigError: the domain file is missing or invalid, or (outside ``local``) the AWS
            account cannot be resolved or is not allowed from a workstation.
    """
    return dict(_cached_config())


def _reset() -> None:
    """Clear every cached value so the next :func:`get_config` re-reads its sources."""
    _cached_config.cache_clear()
    _get_account_id.cache_clear()
    _get_domain.cache_clear()


__all__ = [
    "CATALOG",
    "LAYERS",
    "LOCAL_ACCOUNT_ID",
    "LOCAL_ENV",
    "bucket_name",
    "database_name",
    "find_dotenv",
    "find_repo_root",
    "get_config",
    "lake_dir",
    "load_local_dotenv",
    "local_uri",
    "on_glue",
]
