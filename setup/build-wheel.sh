#!/usr/bin/env bash
# Builds the foundation wheel with a unique version per build (e.g. 1.0.0+1a2b3c4d), and the
# projects' compiled data contracts beside it (OUTDIR/contracts/<project>/contracts/).
# Usage: setup/build-wheel.sh VERSION [OUTDIR]
# The version is stamped into src/dp_foundation/__init__.py for the build only; a trap
# restores the file however the build ends, so the tree is never left modified.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${1:?usage: setup/build-wheel.sh VERSION [OUTDIR]}"
OUTDIR="${2:-dist}"
PYTHON="${PYTHON:-python3}"
INIT="src/dp_foundation/__init__.py"

if ! [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+(\+[a-z0-9.]+)?$ ]]; then
  echo "error: version '$VERSION' is not MAJOR.MINOR.PATCH[+local] (e.g. 1.0.0+1a2b3c4d)" >&2
  exit 2
fi

BACKUP="$(mktemp)"
cp "$INIT" "$BACKUP"
trap 'cp "$BACKUP" "$INIT"; rm -f "$BACKUP"' EXIT

sed -i "s/^__version__ = .*/__version__ = \"${VERSION}\"/" "$INIT"
"$PYTHON" -m build --wheel --outdir "$OUTDIR" . >/dev/null
# The jobs' data contracts, compiled to JSON (Glue has no YAML parser): shipped with the job
# scripts by upload-artifacts.sh. Needs PyYAML and jsonschema, not the built wheel.
PYTHONPATH=src "$PYTHON" -m dp_cli contract compile --out "$OUTDIR/contracts" >/dev/null
ls "$OUTDIR"/data_platform_foundation-*.whl
