# Data-platform domain template. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
CHECKOV_VENV:= .venv-checkov
STAMP       := $(VENV)/.setup-complete
# Domain facts come from setup/domain.json, never from this file.
DOMAIN_ABBR := $(shell sed -n 's/.*"domain_abbr": *"\([^"]*\)".*/\1/p' setup/domain.json)
AWS_REGION  := $(shell sed -n 's/.*"aws_region": *"\([^"]*\)".*/\1/p' setup/domain.json)
ENVIRONMENT ?= dev
WHEEL_DIR   := dist
# Unique per build: base version + short commit, computed by the same script CI uses.
WHEEL_VERSION ?= $(shell bash .github/scripts/wheel-version.sh)
SF          ?= 0.01
DOCKER      ?= docker
DOCKER_IMAGE?= $(DOMAIN_ABBR)-data-platform
DOCKER_TAG  ?= latest
JOB         ?=
NAME        ?=

# Load .env (written by setup/bootstrap.sh) for the targets that run jobs.
ifneq (,$(wildcard .env))
include .env
export
endif

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# ─── Setup ───────────────────────────────────────────────────────────────────

.PHONY: setup
setup: $(STAMP) ## Create .venv and install everything offline from Maven (idempotent)

$(STAMP): pyproject.toml tools/dp/pyproject.toml package.json setup/install.sh
	bash setup/install.sh
	@touch $@

# ─── Daily work ──────────────────────────────────────────────────────────────

.PHONY: demo
demo: setup ## Run the main job: TPC-H raw -> refined -> curated Iceberg, offline (SF=0.01)
	$(BIN)/dp demo --scale-factor $(SF)

.PHONY: docs
docs: setup ## Build the domain's catalog (products, tables, runs) into .local/site/index.html
	$(BIN)/dp docs

.PHONY: test
test: setup lint ## Run every test (lint, unit, Spark, Terraform, workflows)
	$(BIN)/pytest -n 2 --dist loadgroup

.PHONY: test-fast
test-fast: setup ## Run the tests that need no Spark session
	$(BIN)/pytest -m "not slow and not spark"

.PHONY: lint
lint: setup ## ruff, mypy, shellcheck, yamllint
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy
	$(BIN)/shellcheck setup/*.sh .ci/run
	$(BIN)/yamllint -s .github

.PHONY: fmt
fmt: setup ## Format Python code
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

.PHONY: security
security: setup ## bandit, checkov, zizmor, pip-audit (strict: no silent passes)
	$(BIN)/bandit -q -c pyproject.toml -r src
	$(CHECKOV_VENV)/bin/checkov --quiet --skip-download --directory infrastructure --config-file .checkov.yml
	$(BIN)/zizmor --offline .github/
	$(BIN)/pip-audit --strict --skip-editable  # needs the vulnerability service (network)

.PHONY: bench
bench: setup ## Run the benchmarks in bench/ (prints measured ratios)
	$(BIN)/python bench/bench_quality.py
	$(BIN)/python bench/bench_pipeline.py
	$(BIN)/python bench/bench_docs.py

.PHONY: deploy-local
deploy-local: setup ## Deploy every stack into a local AWS emulator (moto) as the CI roles, run the pipelines, destroy
	$(BIN)/dp deploy-local

.PHONY: run-local
run-local: setup ## Run one job locally with .env loaded: make run-local JOB=project01/refine
	@test -n "$(JOB)" || { echo "usage: make run-local JOB=<project>/<job>"; exit 2; }
	$(BIN)/dp run $(JOB)

.PHONY: pipeline
pipeline: setup ## Run a project's pipeline locally: make pipeline PROJECT=project01 PIPELINE=order_to_revenue
	$(BIN)/dp pipeline run $(PROJECT) $(PIPELINE)

.PHONY: new-project
new-project: setup ## Scaffold a project (Terraform + src/jobs): make new-project NAME=my_project
	@test -n "$(NAME)" || { echo "usage: make new-project NAME=<name>"; exit 2; }
	$(BIN)/dp new-project $(NAME)

# ─── Build and deliver ───────────────────────────────────────────────────────

.PHONY: build
build: setup ## Build the versioned foundation wheel into dist/ (WHEEL_VERSION=1.2.3+sha)
	rm -rf $(WHEEL_DIR)
	PYTHON=$(BIN)/python bash setup/build-wheel.sh "$(WHEEL_VERSION)" $(WHEEL_DIR)

.PHONY: upload-wheel
upload-wheel: build ## Build and upload the wheel to the artifacts bucket (ENVIRONMENT=dev)
	ACCOUNT_ID=$$(aws sts get-caller-identity --query Account --output text) && \
	WHEEL=$$(ls $(WHEEL_DIR)/*.whl | head -1) && \
	aws s3 cp "$$WHEEL" \
		"s3://$(DOMAIN_ABBR)-artifacts-$$ACCOUNT_ID-$(ENVIRONMENT)/wheels/$${WHEEL##*/}"

.PHONY: docker-build
docker-build: ## Build the local runtime image (Python 3.11-slim, Java 17, Spark 3.5.6, Iceberg)
	$(DOCKER) build -t $(DOCKER_IMAGE):$(DOCKER_TAG) .

.PHONY: docker-run
docker-run: ## Run a job in the container: make docker-run JOB=project01/refine (~/.aws mounted read-only)
	@test -n "$(JOB)" || { echo "usage: make docker-run JOB=<project>/<job>"; exit 2; }
	$(DOCKER) run --rm \
		-e ENV=local \
		-e AWS_REGION=$(AWS_REGION) \
		-v $(HOME)/.aws:/home/app/.aws:ro \
		-v $(CURDIR)/src:/app/src \
		-v $(CURDIR)/.local:/app/.local \
		$(DOCKER_IMAGE):$(DOCKER_TAG) \
		dp run $(JOB)

.PHONY: clean
clean: ## Remove build output and the local lake (keeps .venv)
	rm -rf $(WHEEL_DIR) .local .pytest_cache .mypy_cache .ruff_cache
