#!/usr/bin/env bash
# Resolves the AWS account of the assumed role, masks it in the job log (::add-mask::) and
# writes it to $GITHUB_OUTPUT as account_id. Never echo the id anywhere else.
set -euo pipefail

account="$(aws sts get-caller-identity --query Account --output text)"
if ! [[ "$account" =~ ^[0-9]{12}$ ]]; then
  echo "error: STS returned no 12-digit account id" >&2
  exit 1
fi
echo "::add-mask::${account}"
echo "account_id=${account}" >> "$GITHUB_OUTPUT"
