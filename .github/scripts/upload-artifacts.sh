#!/usr/bin/env bash
# Uploads this build's foundation wheel and the job scripts to an environment's artifacts
# bucket, both under the wheel's version, so that a project stack applied with a version
# (TF_VAR_wheel_version) runs that version's scripts with that version's library, and a
# rollback to it gets both back:
#   dist/data_platform_foundation-<version>-py3-none-any.whl -> wheels/<the same file name>
#   src/jobs/<project>/<script>                              -> jobs/<version>/<project>/<script>
#   dist/contracts/<project>/contracts/<layer>.<table>.contract.json
#                          -> jobs/<version>/<project>/contracts/<layer>.<table>.contract.json
# (not src/jobs/_template, __pycache__ or *.pyc; the compiled contracts come from
# setup/build-wheel.sh, and the Glue jobs get them as --extra-files).
#
# Usage: upload-artifacts.sh <env> <wheel_version> [--endpoint-url URL] [--dist DIR] [--check]
#   --check         upload nothing: check that the version's wheel and every script the
#                   project stacks point their Glue jobs at (project.json "jobs") are stored
#   --endpoint-url  another S3/STS endpoint (a local AWS emulator); AWS_ENDPOINT_URL works too
#   --dist          where the wheel was built (default: dist; relative to the repository root)
#
# The bucket is <domain_abbr>-artifacts-<account_id>-<env>: domain_abbr from setup/domain.json,
# the account from $ACCOUNT_ID or else from STS. Only `aws s3 cp` and `aws s3api head-object`:
# no listing, no deletes, so every earlier version stays for rollback. Works with AWS CLI v1
# and v2 (the endpoint goes on the command line: v1 ignores AWS_ENDPOINT_URL).
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(...) fails the script too
cd "$(dirname "$0")/../.."

usage="usage: upload-artifacts.sh <env> <wheel_version> [--endpoint-url URL] [--dist DIR] [--check]"
env="${1:?$usage}"
version="${2:?$usage}"
shift 2
endpoint="${AWS_ENDPOINT_URL:-}"
dist=dist
check=false
while [ "$#" -gt 0 ]; do
  case "$1" in
    --endpoint-url) endpoint="${2:?$usage}"; shift 2 ;;
    --endpoint-url=*) endpoint="${1#*=}"; shift ;;
    --dist) dist="${2:?$usage}"; shift 2 ;;
    --check) check=true; shift ;;
    *) echo "error: unknown argument '$1'; ${usage}" >&2; exit 2 ;;
  esac
done

if ! jq -e --arg env "$env" 'has($env)' infrastructure/environments/environments.json > /dev/null; then
  echo "error: '$env' is not an environment of infrastructure/environments/environments.json" >&2
  exit 2
fi
# The version becomes part of S3 keys: the shape Terraform accepts for wheel_version, no '/'.
if ! [[ "$version" =~ ^[0-9]+(\.[0-9]+)*[a-z0-9.]*(\+[A-Za-z0-9.]+)?$ ]]; then
  echo "error: '$version' is not a wheel version such as 1.0.0+1a2b3c4d" >&2
  exit 2
fi

abbr="$(jq -er '.domain_abbr' setup/domain.json)"
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-$(jq -er '.aws_region' setup/domain.json)}}"
aws_args=(--region "$region")
if [ -n "$endpoint" ]; then
  aws_args+=(--endpoint-url "$endpoint")
fi
run_aws() { aws "${aws_args[@]}" "$@"; }

account="${ACCOUNT_ID:-$(run_aws sts get-caller-identity --query Account --output text)}"
if ! [[ "$account" =~ ^[0-9]{12}$ ]]; then
  echo "error: no 12-digit AWS account id (ACCOUNT_ID or STS)" >&2
  exit 1
fi
bucket="${abbr}-artifacts-${account}-${env}"
wheel_name="data_platform_foundation-${version}-py3-none-any.whl"
wheel_key="wheels/${wheel_name}"
scripts_prefix="jobs/${version}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"

upload() {
  local wheel="${dist}/${wheel_name}"
  if [ ! -f "$wheel" ]; then
    echo "error: ${wheel} was not built (setup/build-wheel.sh ${version} ${dist})" >&2
    exit 1
  fi
  if [ ! -d "${dist}/contracts" ]; then
    echo "error: ${dist}/contracts (the compiled data contracts) was not built (setup/build-wheel.sh ${version} ${dist})" >&2
    exit 1
  fi
  # Versioned names only, never an alias or an overwrite of another version's objects.
  run_aws s3 cp --only-show-errors "$wheel" "s3://${bucket}/${wheel_key}"
  # `cp --recursive` needs only s3:PutObject (no listing, no deletes).
  run_aws s3 cp --only-show-errors --recursive src/jobs/ "s3://${bucket}/${scripts_prefix}/" \
    --exclude "_template/*" --exclude "*__pycache__*" --exclude "*.pyc"
  run_aws s3 cp --only-show-errors --recursive "${dist}/contracts/" "s3://${bucket}/${scripts_prefix}/" \
    --exclude "_template/*"
  echo "uploaded ${wheel_key}, src/jobs/ and the compiled contracts as ${scripts_prefix}/ (${env})"
  {
    echo "### Artifacts (${env})"
    echo "- wheel: \`${wheel_key}\`"
    echo "- job scripts: \`${scripts_prefix}/\`"
  } >> "$summary"
}

# The keys the Glue jobs of this commit's project stacks load with this version: the wheel,
# and jobs/<version>/<project.json name>/<script> for every job (projects/_shared/main.tf).
stored_keys() {
  local file listed script
  echo "$wheel_key"
  for file in infrastructure/projects/*/project.json; do
    if [ "$file" = infrastructure/projects/_template/project.json ]; then
      continue
    fi
    listed="$(jq -r '.name as $project | (.jobs // {})[] | "\($project)/\(.script)"' "$file")"
    while IFS= read -r script; do
      if [ -n "$script" ]; then
        echo "${scripts_prefix}/${script}"
      fi
    done <<< "$listed"
    # The compiled contract of each of the project's tables (--extra-files of its jobs).
    local project contract layer
    project="$(jq -r '.name' "$file")"
    for contract in "$(dirname "$file")"/contracts/*/*.odcs.yaml; do
      [ -f "$contract" ] || continue
      layer="$(basename "$(dirname "$contract")")"
      echo "${scripts_prefix}/${project}/contracts/${layer}.$(basename "$contract" .odcs.yaml).contract.json"
    done
  done
}

check() {
  local keys key missing=0
  keys="$(stored_keys)"
  if [ "$(wc -l <<< "$keys")" -lt 2 ]; then
    echo "error: no project declares a job: no ${scripts_prefix}/ script to check" >&2
    exit 1
  fi
  while IFS= read -r key; do
    if ! run_aws s3api head-object --bucket "$bucket" --key "$key" > /dev/null; then
      echo "::error::${key} is not in the artifacts bucket of ${env}"
      missing=$((missing + 1))
    fi
  done <<< "$keys"
  if [ "$missing" -gt 0 ]; then
    echo "error: ${missing} artifacts of version ${version} are missing: pick a version whose" \
      "scripts were uploaded under ${scripts_prefix}/ and include every job of this commit's" \
      "project.json files, or revert the commit instead" >&2
    exit 1
  fi
  echo "stored: ${wheel_key} and the job scripts under ${scripts_prefix}/ (${env})"
  echo "- projects load \`${wheel_key}\` and \`${scripts_prefix}/\`" >> "$summary"
}

if [ "$check" = true ]; then
  check
else
  upload
fi
