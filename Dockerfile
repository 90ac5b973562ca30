# syntax=docker/dockerfile:1
# Local runtime image: Python 3.11 + Java 17 + Spark 3.5.6 (= AWS Glue 5.1) + Iceberg 1.10,
# installed exactly as setup/install.sh does, from PyPI and Debian only (no other downloads).
#
#   make docker-build
#   make docker-run JOB=project01/refine     # ~/.aws mounted read-only, no credentials in env
#
# Debian bookworm is named explicitly: it ships openjdk-17 (trixie, the newer default of
# python:3.11-slim, does not). Dependabot (docker) proposes base-image updates.
FROM python:3.11-slim-bookworm

LABEL org.opencontainers.image.title="data-platform-local" \
      org.opencontainers.image.description="Run the domain's PySpark jobs locally: Spark 3.5.6, Iceberg, dp CLI" \
      org.opencontainers.image.licenses="Apache-2.0"

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    SPARK_LOCAL_IP=127.0.0.1 \
    ENV=local

# Java 17 for Spark; jarjar relocates Jackson for the Iceberg runtime (see
# dp_foundation/spark/local_jars.py). The man directory works around openjdk's postinst on
# slim images.
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openjdk-17-jre-headless \
        libjarjar-java \
    && rm -rf /var/lib/apt/lists/*

# The runtime user: no root at run time.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# The project, installed like setup/install.sh does: editable, so a src/ mounted over
# /app/src (make docker-run) is the code that runs. The venv and the code stay root-owned.
COPY pyproject.toml README.md ./
COPY tools/dp/pyproject.toml tools/dp/
COPY setup/domain.json setup/
COPY src/ src/
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install --upgrade pip \
    && pip install -e '.[local]' -e tools/dp \
    && python -m dp_foundation.spark.local_jars

# Project contracts (project.json, the _template) read by `dp run` / `dp pipeline run`.
COPY infrastructure/ infrastructure/

# The local lake is the only place the runtime writes (mounted by make docker-run).
RUN mkdir -p /app/.local && chown app:app /app/.local

USER app
ENV HOME=/home/app

# A batch CLI, not a service: nothing to probe.
HEALTHCHECK NONE

CMD ["dp", "--help"]
