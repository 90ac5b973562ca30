#!/usr/bin/env bash
# `terraform init -backend=false` + `terraform validate` on every root module: each
# environment (infrastructure/environments/<env>, not the shared _* folders), every project
# stack except _template (P2-03) and the CI/CD access stack. Reports every failure, then
# exits non-zero if any stack failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

stacks=()
while IFS= read -r -d '' dir; do
  stacks+=("$dir")
done < <(find infrastructure/environments -mindepth 1 -maxdepth 1 -type d ! -name '_*' -print0 2>/dev/null | sort -z)
while IFS= read -r -d '' file; do
  stacks+=("$(dirname "$file")")
done < <(find infrastructure/projects -mindepth 2 -maxdepth 2 -name project.json \
  ! -path 'infrastructure/projects/_template/*' -print0 | sort -z)
if compgen -G 'infrastructure/cicd/*.tf' > /dev/null; then
  stacks+=("infrastructure/cicd")
fi

if [ "${#stacks[@]}" -eq 0 ]; then
  echo "error: no Terraform root modules found" >&2
  exit 1
fi

failed=()
for dir in "${stacks[@]}"; do
  echo "::group::terraform validate ${dir}"
  if terraform -chdir="$dir" init -backend=false -input=false -no-color \
    && terraform -chdir="$dir" validate -no-color; then
    echo "::endgroup::"
  else
    echo "::endgroup::"
    echo "::error title=terraform validate::${dir} failed"
    failed+=("$dir")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'validation failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "validated ${#stacks[@]} root modules: ${stacks[*]}"
