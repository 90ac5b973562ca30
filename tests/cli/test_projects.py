"""project.json contracts: validation with clear errors, defaults, and scaffolding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dp_cli.projects import get_job, get_pipeline, load_project, new_project, project_names
from dp_foundation.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _write(repo: Path, contract: object) -> None:
    path = repo / "infrastructure" / "projects" / "demo" / "project.json"
    path.write_text(contract if isinstance(contract, str) else json.dumps(contract), "utf-8")


def test_real_contracts_are_valid_with_schema_defaults() -> None:
    assert project_names(ROOT) == sorted(["project01", "test02"])
    test02 = load_project("test02", ROOT)
    assert test02.config["pii"] is True
    pipeline = get_pipeline(test02, "customer_dimension")
    assert (pipeline.max_retries, pipeline.backoff_seconds, pipeline.backoff_rate) == (1, 30, 2.0)
    job = get_job(test02, "customer_changes")
    assert job.script.name == "customer_changes.py" and job.timeout_minutes == 30


@pytest.mark.parametrize(
    ("contract", "message"),
    [
        ("{not json", "is not valid JSON"),
        ({"name": "demo", "pii": "yes"}, "pii: 'yes' is not of type 'boolean'"),
        (
            {"name": "demo", "data_classification": "secret"},
            "data_classification: 'secret' is not one of",
        ),
        ({"name": "demo", "team_email": "nobody"}, "team_email"),
        ({"name": "other"}, "must equal the folder name 'demo'"),
        ({"name": "demo", "jobs": {}, "pipelines": {"pp": {"jobs": ["ghost"]}}}, "['ghost']"),
        ({"name": "demo", "jobs": {"j": {"script": "j.sh"}}}, "jobs/j/script"),
        ({"name": "demo", "surprise": 1}, "Additional properties are not allowed"),
    ],
)
def test_invalid_contracts_name_file_field_and_expectation(
    repo: Path, contract: object, message: str
) -> None:
    _write(repo, contract)
    with pytest.raises(ConfigError) as caught:
        load_project("demo", repo)
    assert "infrastructure/projects/demo/project.json" in str(caught.value)
    assert message in str(caught.value)


def test_unknown_names_list_what_exists(repo: Path) -> None:
    with pytest.raises(ConfigError, match="unknown project 'nope'; projects: demo"):
        load_project("nope", repo)
    with pytest.raises(ConfigError, match="unknown project '_template'"):
        load_project("_template", repo)
    project = load_project("demo", repo)
    with pytest.raises(ConfigError, match="no job 'x'; jobs: flaky, always_fails, record"):
        get_job(project, "x")
    with pytest.raises(ConfigError, match="no pipeline 'x'; pipelines: recovers, breaks"):
        get_pipeline(project, "x")


def test_new_project_scaffolds_terraform_and_jobs(repo: Path) -> None:
    created = new_project("sales_eu", repo)
    infra, jobs = created
    assert infra == repo / "infrastructure" / "projects" / "sales_eu"
    assert json.loads((infra / "project.json").read_text())["name"] == "sales_eu"
    script = (jobs / "job_example.py").read_text()
    assert "<project>" not in script and "sales_eu-job_example" in script
    # A package, so that tests import its jobs as jobs.sales_eu.<script>.
    assert "sales_eu's jobs" in (jobs / "__init__.py").read_text()
    project = load_project("sales_eu", repo)  # valid out of the box
    assert get_pipeline(project, "main").jobs == ["job_example"]
    assert get_job(project, "job_example").script.is_file()
    template_files = {p.name for p in (repo / "infrastructure/projects/_template").iterdir()}
    assert template_files <= {p.name for p in infra.iterdir()}


@pytest.mark.parametrize("name", ["Sales", "1abc", "a", "has-dash", "x" * 40, "../evil"])
def test_new_project_refuses_invalid_names(repo: Path, name: str) -> None:
    with pytest.raises(ConfigError, match="invalid project name"):
        new_project(name, repo)


def test_new_project_refuses_existing_projects(repo: Path) -> None:
    with pytest.raises(ConfigError, match="project 'demo' already exists"):
        new_project("demo", repo)
    (repo / "src" / "jobs" / "half").mkdir()
    with pytest.raises(ConfigError, match="project 'half' already exists: src/jobs/half"):
        new_project("half", repo)
    assert not (repo / "infrastructure" / "projects" / "half").exists()
