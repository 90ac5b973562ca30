"""Projects of the domain: their ``project.json`` contracts, jobs, pipelines and scaffolding.

``infrastructure/projects/<name>/project.json`` is the one place a project's jobs, their
default arguments and each pipeline's job order live: Terraform deploys from it and the
local runner reads it here.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dp_foundation.config.settings import find_repo_root
from dp_foundation.exceptions import ConfigError

PROJECTS_DIR = Path("infrastructure") / "projects"
JOBS_DIR = Path("src") / "jobs"
SCHEMA_FILE = PROJECTS_DIR / "project.schema.json"
TEMPLATE = "_template"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


@dataclass(frozen=True)
class Job:
    """One Glue job of a project, with defaults applied."""

    name: str
    script: Path
    arguments: dict[str, str]
    timeout_minutes: int


@dataclass(frozen=True)
class Pipeline:
    """One pipeline (Step Functions state machine) of a project, with defaults applied."""

    name: str
    jobs: list[str]
    max_retries: int
    backoff_seconds: int
    backoff_rate: float


@dataclass(frozen=True)
class Project:
    """A project's validated contract."""

    name: str
    root: Path
    config: dict[str, Any]
    jobs: dict[str, Job]
    pipelines: dict[str, Pipeline]


def repo_root(start: Path | None = None) -> Path:
    """The repository root (the folder holding setup/domain.json).

    Raises:
        ConfigError: not inside the repository.
    """
    root = find_repo_root(start)
    if root is None:
        raise ConfigError(
            "setup/domain.json not found in this folder or any parent: run dp inside the repository"
        )
    return root


def _schema(root: Path) -> dict[str, Any]:
    path = root / SCHEMA_FILE
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ConfigError(f"{SCHEMA_FILE} is missing") from None


def _defaults(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    """The ``default`` of every property of the schema object at ``path``."""
    node = schema
    for key in path:
        node = node[key]
    return {k: v["default"] for k, v in node.get("properties", {}).items() if "default" in v}


def project_names(root: Path) -> list[str]:
    """Every project of the repository (folders with a project.json), template excluded."""
    return sorted(
        p.parent.name
        for p in (root / PROJECTS_DIR).glob("*/project.json")
        if p.parent.name != TEMPLATE
    )


def validate_contract(config: Any, schema: dict[str, Any], source: str) -> None:
    """Validate a parsed project.json against the schema; one clear error per problem.

    Raises:
        ConfigError: naming the file, the field and what was expected.
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors[:5]:
            where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
            lines.append(f"{where}: {error.message}")
        raise ConfigError(f"{source} is invalid: " + "; ".join(lines))
    if not isinstance(config, dict):  # pragma: no cover - the schema requires an object
        raise ConfigError(f"{source} must hold a JSON object")
    for name, pipeline in config.get("pipelines", {}).items():
        unknown = [j for j in pipeline["jobs"] if j not in config.get("jobs", {})]
        if unknown:
            raise ConfigError(
                f"{source}: pipeline '{name}' lists jobs {unknown} that are not in 'jobs' "
                f"{sorted(config.get('jobs', {}))}"
            )


def load_project(name: str, root: Path | None = None) -> Project:
    """Load and validate ``infrastructure/projects/<name>/project.json``.

    Raises:
        ConfigError: unknown project, unreadable or invalid project.json, or a name that
            differs from the folder.
    """
    root = root or repo_root()
    path = root / PROJECTS_DIR / name / "project.json"
    source = str(path.relative_to(root))
    if name == TEMPLATE or not path.is_file():
        known = ", ".join(project_names(root)) or "none"
        raise ConfigError(f"unknown project '{name}'; projects: {known}")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{source} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    schema = _schema(root)
    validate_contract(config, schema, source)
    if config["name"] != name:
        raise ConfigError(f"{source}: name '{config['name']}' must equal the folder name '{name}'")
    job_defaults = _defaults(schema, "properties", "jobs", "additionalProperties")
    pipe_defaults = _defaults(schema, "properties", "pipelines", "additionalProperties")
    jobs = {
        job_name: Job(
            name=job_name,
            script=root / JOBS_DIR / name / spec["script"],
            arguments=dict(spec.get("arguments", {})),
            timeout_minutes=int(spec.get("timeout_minutes", job_defaults["timeout_minutes"])),
        )
        for job_name, spec in config.get("jobs", {}).items()
    }
    pipelines = {
        pipe_name: Pipeline(
            name=pipe_name,
            jobs=list(spec["jobs"]),
            max_retries=int(spec.get("max_retries", pipe_defaults["max_retries"])),
            backoff_seconds=int(spec.get("backoff_seconds", pipe_defaults["backoff_seconds"])),
            backoff_rate=float(spec.get("backoff_rate", pipe_defaults["backoff_rate"])),
        )
        for pipe_name, spec in config.get("pipelines", {}).items()
    }
    return Project(name, root / PROJECTS_DIR / name, config, jobs, pipelines)


def get_job(project: Project, job: str) -> Job:
    """The job called ``job`` of ``project``; a clear error naming the known ones."""
    try:
        found = project.jobs[job]
    except KeyError:
        raise ConfigError(
            f"project '{project.name}' has no job '{job}'; "
            f"jobs: {', '.join(project.jobs) or 'none'}"
        ) from None
    if not found.script.is_file():
        raise ConfigError(f"job '{project.name}/{job}': script {found.script.name} is missing")
    return found


def get_pipeline(project: Project, pipeline: str) -> Pipeline:
    """The pipeline called ``pipeline`` of ``project``; a clear error naming the known ones."""
    try:
        return project.pipelines[pipeline]
    except KeyError:
        known = ", ".join(project.pipelines) or "none"
        raise ConfigError(
            f"project '{project.name}' has no pipeline '{pipeline}'; pipelines: {known}"
        ) from None


def new_project(name: str, root: Path | None = None) -> list[Path]:
    """Scaffold a project the plug-and-play way: Terraform from ``_template`` and jobs dir.

    Copies ``infrastructure/projects/_template/`` to ``infrastructure/projects/<name>/`` with
    ``project.json`` and the data contracts named, and the scripts of ``src/jobs/_template/``
    (``job_example.py`` and the ``__init__.py`` that makes ``jobs.<name>`` importable by
    tests) to ``src/jobs/<name>/``, ``<project>`` replaced by the name. Returns the folders
    created.

    Raises:
        ConfigError: invalid name, or the project (either folder) already exists.
    """
    root = root or repo_root()
    if not NAME_PATTERN.match(name):
        raise ConfigError(
            f"invalid project name '{name}': use 2-31 lower-case letters, digits or underscores, "
            "starting with a letter (it becomes part of AWS resource names)"
        )
    infra, jobs = root / PROJECTS_DIR / name, root / JOBS_DIR / name
    for folder in (infra, jobs):
        if folder.exists():
            raise ConfigError(f"project '{name}' already exists: {folder.relative_to(root)}")
    template = root / PROJECTS_DIR / TEMPLATE
    shutil.copytree(
        template, infra, symlinks=True, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*")
    )
    contract_path = infra / "project.json"
    contract = json.loads(contract_path.read_text(encoding="utf-8"))
    contract["name"] = name
    contract_path.write_text(json.dumps(contract, indent=2) + "\n", encoding="utf-8")
    # The data contracts name their product: the template's placeholder becomes the project.
    for path in sorted(infra.glob("contracts/*/*.odcs.yaml")):
        path.write_text(path.read_text(encoding="utf-8").replace("REPLACE_ME", name), "utf-8")
    jobs.mkdir(parents=True)
    for script in sorted((root / JOBS_DIR / TEMPLATE).glob("*.py")):
        text = script.read_text(encoding="utf-8").replace("<project>", name)
        (jobs / script.name).write_text(text, encoding="utf-8")
    return [infra, jobs]


__all__ = [
    "Job",
    "Pipeline",
    "Project",
    "get_job",
    "get_pipeline",
    "load_project",
    "new_project",
    "project_names",
    "repo_root",
    "validate_contract",
]
