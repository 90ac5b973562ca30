#!/usr/bin/env bash
# Prints the project stacks as a compact JSON array of folder names, e.g. ["project01","test02"]:
# every infrastructure/projects/<name>/project.json except the _template.
set -euo pipefail
cd "$(dirname "$0")/../.."

find infrastructure/projects -mindepth 2 -maxdepth 2 -name project.json \
  ! -path 'infrastructure/projects/_template/*' -print0 |
  while IFS= read -r -d '' file; do
    name="$(basename "$(dirname "$file")")"
    if ! [[ "$name" =~ ^[a-z][a-z0-9_]{1,30}$ ]]; then
      echo "error: project folder '$name' does not match ^[a-z][a-z0-9_]{1,30}\$" >&2
      exit 1
    fi
    if [ "$name" = baseline ]; then
      # _plan.yml names the environment's own stack "baseline" in the same matrix.
      echo "error: 'baseline' is reserved; rename infrastructure/projects/baseline" >&2
      exit 1
    fi
    echo "$name"
  done | sort | jq -R -s -c 'split("\n") | map(select(length > 0))'
