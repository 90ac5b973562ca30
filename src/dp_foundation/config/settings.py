"""Domain and environment configuration, computed lazily and cached.

Nothing here runs at import time: no file reads, no AWS calls. :func:`get_config` computes
the configuration on first use and returns it as a frozen :class:`Settings`; :func:`_reset`
clears the cache so tests (or a long-lived process) can change the environment and see the
effect.

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

import dataclasses
import functools
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast, overload

from dp_foundation.config.args import bridge_glue_args, env_name, parse_glue_args, passed_args
from dp_foundation.exceptions import ConfigError

LOCAL_ENV = "local"
LOCAL_ACCOUNT_ID = "000000000000"
LAYERS = ("raw", "refined", "curated")
BUCKET_PURPOSES = ("raw", "refined", "curated", "artifacts")
CATALOG = "glue_catalog"
_DOMAIN_KEYS = ("domain_name", "domain_abbr", "aws_region")
# What Iceberg's Glue catalog accepts as a table name, and an unquoted Spark SQL identifier.
_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,254}")
_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off"})
_T = TypeVar("_T")

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
    """On a workstation, load the nearest ``.env`` into the environment.

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
    """Warn which profile/account a workstation uses; refuse unknown accounts."""
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


def _argument_key(name: str) -> str:
    """How argument names are compared: ``tables``, ``TABLES`` and ``Tables`` are one name, as
    are ``job-bookmark-option`` and ``JOB_BOOKMARK_OPTION`` (its alias)."""
    return env_name(name).upper()


class _Arguments(Mapping[str, str]):
    """A read-only ``{key: value}`` of job arguments.

    Not a ``MappingProxyType``: that cannot be pickled or deep-copied, and Spark pickles what
    a UDF's closure holds (``dataclasses.asdict`` deep-copies too).
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return repr(self._values)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._values,))


@dataclass(frozen=True)
class Settings(Mapping[str, str]):
    """The configuration of one run: the platform's facts and the job's arguments.

    Returned by :func:`get_config`; frozen (assigning a field raises
    ``dataclasses.FrozenInstanceError``). Name tables with :meth:`table` and read job
    arguments with :meth:`get`, :meth:`get_int` and :meth:`get_bool`.

    For the transition from the ``dict`` that :func:`get_config` used to return it is also a
    read-only ``Mapping``: ``cfg["iceberg_database_refined"]``, ``cfg["q5_region"]`` and
    ``dict(cfg)`` work as before (every field below under its name, ``lake_dir`` as a string,
    ``""`` on AWS, and every job argument under its own name, its lower-case name and its
    alias). New code uses the attributes.

    Attributes:
        env: ``local``, ``dev``, ``int`` or ``prod`` (lower case).
        domain_name: from ``setup/domain.json``.
        domain_abbr: from ``setup/domain.json``; the prefix of every resource name.
        aws_region: ``AWS_REGION``, else the domain's region.
        account_id: the AWS account (``000000000000`` locally unless ``AWS_ACCOUNT_ID``).
        s3_bucket_raw: ``{domain_abbr}-raw-{account_id}-{env}``; likewise the next three.
        s3_bucket_refined: the refined layer's bucket.
        s3_bucket_curated: the curated layer's bucket.
        s3_bucket_artifacts: the bucket of wheels, job scripts and Glue's temporary files.
        raw_uri: ``s3://<raw bucket>`` on AWS, a ``file://`` folder of the lake locally;
            likewise the next three.
        refined_uri: the refined bucket's URI.
        curated_uri: the curated bucket's URI.
        artifacts_uri: the artifacts bucket's URI.
        iceberg_database_raw: ``{domain_abbr}_raw_{env}``; likewise the next two.
        iceberg_database_refined: the refined layer's Glue database.
        iceberg_database_curated: the curated layer's Glue database.
        iceberg_warehouse: the Iceberg catalog's warehouse URI.
        lake_dir: the local lake folder; None on AWS.
        catalog: the Spark catalog of the Iceberg tables (``glue_catalog``).
        args: the job's arguments as passed (``{"TABLES": "orders"}``), each once; a value
            set in the environment before the bridge wins, as it does in ``os.environ``.
    """

    env: str
    domain_name: str
    domain_abbr: str
    aws_region: str
    account_id: str
    s3_bucket_raw: str
    s3_bucket_refined: str
    s3_bucket_curated: str
    s3_bucket_artifacts: str
    raw_uri: str
    refined_uri: str
    curated_uri: str
    artifacts_uri: str
    iceberg_database_raw: str
    iceberg_database_refined: str
    iceberg_database_curated: str
    iceberg_warehouse: str
    lake_dir: Path | None = None
    catalog: str = CATALOG
    args: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # A read-only copy: nobody, the caller included, changes the arguments afterwards.
        object.__setattr__(self, "args", _Arguments(self.args))

    # ─── Platform facts ──────────────────────────────────────────────────────

    @property
    def is_local(self) -> bool:
        """True for ``ENV=local``: the lake is folders on this machine, no AWS is involved."""
        return self.env == LOCAL_ENV

    def database(self, layer: str) -> str:
        """The Glue database of ``layer`` (``raw``, ``refined`` or ``curated``).

        Raises:
            ConfigError: ``layer`` is not one of them.
        """
        if layer not in LAYERS:
            raise ConfigError(f"unknown layer {layer!r}; the layers are {list(LAYERS)}")
        return str(getattr(self, f"iceberg_database_{layer}"))

    def table(self, layer: str, name: str) -> str:
        """The name Spark knows a table of ``layer`` by: ``glue_catalog.<database>.<name>``.

        ``cfg.table("refined", "orders")`` is ``glue_catalog.f01_refined_dev.orders`` in
        ``dev``. The raw layer's tables are Hive tables over Parquet files; read those by path
        under :attr:`raw_uri`.

        Args:
            layer: ``raw``, ``refined`` or ``curated``.
            name: the table's own name (lower-case letters, digits and underscores).

        Raises:
            ConfigError: an unknown layer, or a name Glue or Spark would not take as is.
        """
        database = self.database(layer)
        if not _TABLE_NAME.fullmatch(name):
            hint = " (pass the table's own name, without its database)" if "." in name else ""
            raise ConfigError(
                f"table name {name!r} is not a Glue table name: expected lower-case letters, "
                f"digits and underscores, starting with a letter or underscore{hint}"
            )
        return f"{self.catalog}.{database}.{name}"

    def bucket(self, purpose: str) -> str:
        """The bucket of ``purpose`` (``raw``, ``refined``, ``curated`` or ``artifacts``).

        Raises:
            ConfigError: ``purpose`` is not one of them.
        """
        if purpose not in BUCKET_PURPOSES:
            raise ConfigError(
                f"unknown bucket purpose {purpose!r}; the purposes are {list(BUCKET_PURPOSES)}"
            )
        return str(getattr(self, f"s3_bucket_{purpose}"))

    def uri(self, purpose: str) -> str:
        """``s3://<bucket>`` of ``purpose`` on AWS, its ``file://`` folder locally.

        Raises:
            ConfigError: ``purpose`` is not a bucket purpose.
        """
        self.bucket(purpose)
        return str(getattr(self, f"{purpose}_uri"))

    # ─── Job arguments ───────────────────────────────────────────────────────

    def _argument(self, name: str) -> str | None:
        """The key of ``args`` that ``name`` names, or None."""
        if name in self.args:
            return name
        wanted = _argument_key(name)
        matches = [key for key in self.args if _argument_key(key) == wanted]
        return matches[-1] if matches else None

    def _facts(self) -> dict[str, str]:
        facts = {
            f.name: str(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in ("args", "lake_dir")
        }
        facts["lake_dir"] = str(self.lake_dir) if self.lake_dir is not None else ""
        return facts

    @overload
    def get(self, name: str, /) -> str | None: ...
    @overload
    def get(self, name: str, default: str, /) -> str: ...
    @overload
    def get(self, name: str, default: _T, /) -> str | _T: ...
    def get(self, name: str, default: object = None, /) -> object:
        """The job argument ``name`` (``--NAME`` on Glue), or ``default`` when not passed.

        During the transition a field name (``"env"``) also works, and wins over an
        argument spelled the same.

        Args:
            name: the argument's key without ``--``, in any case (``TABLES``, ``tables``); a
                hyphenated key also by its alias (``JOB_BOOKMARK_OPTION``).
            default: what to return when the argument was not passed.

        Returns:
            The value as passed (a string; ``"true"`` for a key passed without a value).
        """
        try:
            return self[name]
        except KeyError:
            return default

    def _required(self, name: str, default: object, expected: str) -> str | None:
        """The argument's value; None when it was not passed but has a default."""
        value = self.get(name)
        if value is None and default is None:
            raise ConfigError(f"job argument --{name} ({expected}) is required and was not passed")
        return value

    def _label(self, name: str) -> str:
        return f"--{self._argument(name) or name}"

    def get_int(self, name: str, default: int | None = None) -> int:
        """The job argument ``name`` as an integer, or ``default`` when not passed.

        Args:
            name: as for :meth:`get`.
            default: the value when the argument was not passed; None makes it required.

        Raises:
            ConfigError: the value is not an integer, or the argument was not passed and
                there is no default.
        """
        value = self._required(name, default, "an integer")
        if value is None:
            return cast(int, default)  # not None: _required raised otherwise
        try:
            return int(value.strip())
        except ValueError:
            raise ConfigError(
                f"job argument {self._label(name)} must be an integer; found {value!r}"
            ) from None

    def get_bool(self, name: str, default: bool | None = None) -> bool:
        """The job argument ``name`` as a boolean, or ``default`` when not passed.

        ``true``/``false``, ``yes``/``no``, ``on``/``off``, ``1``/``0`` in any case; a
        ``--NAME`` passed without a value is ``true``.

        Args:
            name: as for :meth:`get`.
            default: the value when the argument was not passed; None makes it required.

        Raises:
            ConfigError: the value is none of those, or the argument was not passed and
                there is no default.
        """
        value = self._required(name, default, "true or false")
        if value is None:
            return cast(bool, default)  # not None: _required raised otherwise
        word = value.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ConfigError(
            f"job argument {self._label(name)} must be a boolean (true/false, yes/no, on/off, "
            f"1/0); found {value!r}"
        )

    # ─── Read-only mapping, for code written against the old dict ───────────

    def __getitem__(self, key: str) -> str:
        facts = self._facts()
        if key in facts:
            return facts[key]
        argument = self._argument(key)
        if argument is None:
            raise KeyError(key)
        return self.args[argument]

    def __iter__(self) -> Iterator[str]:
        facts = self._facts()
        seen = set(facts)
        yield from facts
        for key in self.args:
            for name in (key, key.lower(), env_name(key), env_name(key).lower()):
                if name not in seen:
                    seen.add(name)
                    yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _build_config() -> Settings:
    bridge_glue_args()  # first use: Glue's --KEY value arguments become variables
    load_local_dotenv()
    env = os.environ.get("ENV", LOCAL_ENV).strip().lower() or LOCAL_ENV
    domain = _get_domain()
    abbr = domain["domain_abbr"]
    account_id = _get_account_id(env)
    local = env == LOCAL_ENV
    root = lake_dir()
    buckets = {p: bucket_name(abbr, p, account_id, env) for p in BUCKET_PURPOSES}
    # Locally a bucket is a folder of the lake with the bucket's name.
    uris = {p: local_uri(root / b) if local else f"s3://{b}" for p, b in buckets.items()}
    databases = {layer: database_name(abbr, layer, env) for layer in LAYERS}
    return Settings(
        env=env,
        domain_name=domain["domain_name"],
        domain_abbr=abbr,
        aws_region=os.environ.get("AWS_REGION", domain["aws_region"]),
        account_id=account_id,
        s3_bucket_raw=buckets["raw"],
        s3_bucket_refined=buckets["refined"],
        s3_bucket_curated=buckets["curated"],
        s3_bucket_artifacts=buckets["artifacts"],
        raw_uri=uris["raw"],
        refined_uri=uris["refined"],
        curated_uri=uris["curated"],
        artifacts_uri=uris["artifacts"],
        iceberg_database_raw=databases["raw"],
        iceberg_database_refined=databases["refined"],
        iceberg_database_curated=databases["curated"],
        iceberg_warehouse=(
            local_uri(root / "warehouse") if local else f"s3://{buckets['refined']}/warehouse/"
        ),
        lake_dir=root if local else None,
        catalog=CATALOG,
        args={key: os.environ.get(key, value) for key, value in passed_args().items()},
    )


@functools.lru_cache(maxsize=1)
def get_config() -> Settings:
    """Return the configuration of this run (computed once, then cached; it is frozen).

    The first call (and the first after :func:`_reset`) bridges the Glue arguments in
    ``sys.argv`` into the environment and, on a workstation, loads ``.env``.

    With ``ENV=local`` (the default) no AWS account, credentials or network is needed.

    Returns:
        The platform's facts (``cfg.env``, ``cfg.raw_uri``, ``cfg.table("refined",
        "orders")``, ...) and the job's arguments (``cfg.get("TABLES", "all")``,
        ``cfg.get_int("Q5_YEAR", 1994)``); see :class:`Settings`.

    Raises:
        ConfigError: the domain file is missing or invalid, or (outside ``local``) the AWS
            account cannot be resolved or is not allowed from a workstation.
    """
    return _build_config()


def _reset() -> None:
    """Clear every cached value so the next :func:`get_config` re-reads its sources."""
    get_config.cache_clear()
    _get_account_id.cache_clear()
    _get_domain.cache_clear()


__all__ = [
    "CATALOG",
    "LAYERS",
    "LOCAL_ACCOUNT_ID",
    "LOCAL_ENV",
    "Settings",
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
