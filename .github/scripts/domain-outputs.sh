#!/usr/bin/env bash
# Writes domain_abbr and aws_region from setup/domain.json (the single source of truth) to
# $GITHUB_OUTPUT, so no workflow hard-codes them.
set -euo pipefail
cd "$(dirname "$0")/../.."

abbr="$(jq -er '.domain_abbr' setup/domain.json)"
region="$(jq -er '.aws_region' setup/domain.json)"
[[ "$abbr" =~ ^[a-z][a-z0-9]{1,9}$ ]] || { echo "error: bad domain_abbr '$abbr'" >&2; exit 1; }
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$ ]] || { echo "error: bad aws_region '$region'" >&2; exit 1; }
{
  echo "domain_abbr=${abbr}"
  echo "aws_region=${region}"
} >> "${GITHUB_OUTPUT:-/dev/stdout}"
