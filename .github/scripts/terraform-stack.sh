#!/usr/bin/env bash
# Plans or applies one Terraform root module against its remote state.
# Usage: terraform-stack.sh plan|apply DIR
#   DIR holds the stack and the backend.conf that `setup/init-terraform.sh <env>` wrote.
#   plan:  plans without taking the state lock (read-only, for pull requests) and writes the
#          rendered plan to $PLAN_TEXT with the AWS account id ($ACCOUNT_ID) redacted.
#   apply: plans to a file, then applies exactly that plan.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode="${1:?usage: terraform-stack.sh plan|apply DIR}"
dir="${2:?usage: terraform-stack.sh plan|apply DIR}"
backend="${BACKEND_CONFIG:-backend.conf}"

if [ ! -f "${dir}/${backend}" ]; then
  echo "error: ${dir}/${backend} is missing; run 'bash setup/init-terraform.sh <env>' first" >&2
  exit 1
fi

# The committed .terraform.lock.hcl decides the provider version and its checksums;
# readonly: a stack whose requirements no longer match its lock file fails here instead of
# silently resolving another provider.
terraform -chdir="$dir" init -input=false -no-color -backend-config="$backend" -lockfile=readonly

case "$mode" in
  plan)
    out="${PLAN_TEXT:?set PLAN_TEXT to the file that receives the rendered plan}"
    terraform -chdir="$dir" plan -input=false -no-color -lock=false -out=tfplan
    terraform -chdir="$dir" show -no-color tfplan > "$out"
    if [ -n "${ACCOUNT_ID:-}" ]; then
      sed -i "s/${ACCOUNT_ID}/<account-id>/g" "$out"
    fi
    ;;
  apply)
    terraform -chdir="$dir" plan -input=false -no-color -lock-timeout=10m -out=tfplan
    terraform -chdir="$dir" apply -input=false -no-color -lock-timeout=10m tfplan
    ;;
  *)
    echo "error: mode must be plan or apply, not '$mode'" >&2
    exit 2
    ;;
esac
rm -f "${dir}/tfplan"
