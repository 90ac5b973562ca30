#!/usr/bin/env bash
# Local setup: writes .env for the Makefile and dp_foundation (python-dotenv). Idempotent:
# rerunning it rewrites the same keys and keeps every other line of an existing .env.
#
#   bash setup/bootstrap.sh --local                  # offline (default): ENV=local, no AWS at all
#   bash setup/bootstrap.sh --profile dev --env dev  # use an AWS profile against a dev account
#
# With --profile, the account is resolved with `aws sts get-caller-identity` and checked
# against the non-production allowlist DP_NONPROD_ACCOUNTS (comma list, from the environment
# or the existing .env). An account outside it needs confirmation: interactively, or with
# --yes; a run without a terminal and without --yes refuses. A confirmed
# account is added to the allowlist. prod is never a local target: deploys go through CI.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: setup/bootstrap.sh [--local] [--profile NAME] [--env dev|int] [--yes] [--install]

  --local         offline local development: ENV=local, no AWS profile, no AWS calls (default)
  --profile NAME  use this AWS named profile (implies AWS use; see docs/local-development.md)
  --env ENV       environment whose resources local runs address with --profile (default: dev)
  --yes           confirm an account outside DP_NONPROD_ACCOUNTS without asking
  --install       also run setup/install.sh (the same as `make setup`)
  -h, --help      show this help
USAGE
}

die() {
  echo "error: $*" >&2
  exit "${EXIT_CODE:-1}"
}

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ENV_FILE="${ROOT}/.env"
DOMAIN_FILE="${ROOT}/setup/domain.json"

mode=local
profile=""
target_env=dev
assume_yes=false
install=false

while [ "$#" -gt 0 ]; do
  case "$1" in
    --local) mode=local ;;
    --profile)
      [ "$#" -ge 2 ] || die "--profile needs a profile name"
      mode=aws
      profile="$2"
      shift
      ;;
    --profile=*) mode=aws; profile="${1#--profile=}" ;;
    --env)
      [ "$#" -ge 2 ] || die "--env needs dev or int"
      target_env="$2"
      shift
      ;;
    --env=*) target_env="${1#--env=}" ;;
    --yes | -y) assume_yes=true ;;
    --install) install=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; EXIT_CODE=2 die "unknown option '$1'" ;;
  esac
  shift
done

# ─── Domain facts (setup/domain.json is the single source of truth) ───
json_field() {
  local field="$1"
  if command -v jq >/dev/null 2>&1; then
    jq -er --arg f "$field" '.[$f]' "$DOMAIN_FILE"
  else
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
      "$DOMAIN_FILE" "$field"
  fi
}

[ -f "$DOMAIN_FILE" ] || die "$DOMAIN_FILE is missing"
region="$(json_field aws_region)" || die "no aws_region in $DOMAIN_FILE"
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$ ]] || die "aws_region '$region' is not an AWS region"

# ─── Existing .env: keep what the user wrote ───
MANAGED_KEYS=(ENV AWS_PROFILE AWS_REGION AWS_ACCOUNT_ID DP_NONPROD_ACCOUNTS)

env_value() {  # value of KEY in the existing .env, empty if absent
  [ -f "$ENV_FILE" ] || return 0
  sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1
}

allowlist="${DP_NONPROD_ACCOUNTS:-$(env_value DP_NONPROD_ACCOUNTS)}"
allowlist="${allowlist// /}"
[[ -z "$allowlist" || "$allowlist" =~ ^[0-9]{12}(,[0-9]{12})*$ ]] \
  || die "DP_NONPROD_ACCOUNTS must be a comma list of 12-digit account ids, not '$allowlist'"

in_allowlist() {
  case ",${allowlist}," in
    *",$1,"*) return 0 ;;
    *) return 1 ;;
  esac
}

# ─── AWS (only when asked for) ───
account=""
if [ "$mode" = aws ]; then
  [[ "$profile" =~ ^[A-Za-z0-9_.-]+$ ]] || die "profile name '$profile' has characters other than letters, digits, _ . -"
  case "$target_env" in
    dev | int) ;;
    prod) die "local runs never target prod; deploys to prod go through CI (docs/deployment.md)" ;;
    *) die "--env must be dev or int, not '$target_env'" ;;
  esac
  command -v aws >/dev/null 2>&1 \
    || die "the AWS CLI is not installed; install it or run 'bash setup/bootstrap.sh --local'"

  echo "==> Resolving the AWS account of profile '${profile}'"
  account="$(aws sts get-caller-identity --profile "$profile" --query Account --output text)" \
    || die "aws sts get-caller-identity failed for profile '${profile}' (aws sso login --profile ${profile}?)"
  account="${account//[[:space:]]/}"
  [[ "$account" =~ ^[0-9]{12}$ ]] || die "STS returned '$account', not a 12-digit account id"

  if in_allowlist "$account"; then
    echo "    account ${account} is in the non-production allowlist"
  else
    echo "warning: account ${account} (profile '${profile}') is NOT in the non-production" >&2
    echo "         allowlist DP_NONPROD_ACCOUNTS='${allowlist}'." >&2
    echo "         Local jobs would read and write this account's ${target_env} buckets." >&2
    if [ "$assume_yes" = true ]; then
      echo "    --yes given: treating ${account} as non-production" >&2
    elif [ -t 0 ]; then
      read -r -p "Type the account id ${account} to confirm it is NOT production: " answer || answer=""
      [ "$answer" = "$account" ] || EXIT_CODE=3 die "not confirmed; .env left unchanged"
    else
      EXIT_CODE=3 die "account ${account} is not in DP_NONPROD_ACCOUNTS and there is no terminal to confirm; rerun with --yes or add it to DP_NONPROD_ACCOUNTS"
    fi
    allowlist="${allowlist:+${allowlist},}${account}"
  fi
fi

# ─── Write .env (make-compatible KEY=value lines, no quotes) ───
tmp="$(mktemp "${ENV_FILE}.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
{
  echo "# Written by setup/bootstrap.sh; rerun it to change these keys. Other lines are kept."
  if [ "$mode" = aws ]; then
    echo "ENV=${target_env}"
    echo "AWS_PROFILE=${profile}"
    echo "AWS_ACCOUNT_ID=${account}"
  else
    echo "ENV=local"
  fi
  echo "AWS_REGION=${region}"
  [ -z "$allowlist" ] || echo "DP_NONPROD_ACCOUNTS=${allowlist}"
  if [ -f "$ENV_FILE" ]; then
    pattern="^($(IFS='|'; echo "${MANAGED_KEYS[*]}"))=|^# Written by setup/bootstrap.sh"
    grep -Ev "$pattern" "$ENV_FILE" || true
  fi
} > "$tmp"
chmod 600 "$tmp"
mv "$tmp" "$ENV_FILE"
trap - EXIT

echo "==> Wrote .env:"
sed 's/^/    /' "$ENV_FILE"

if [ "$install" = true ]; then
  bash "${ROOT}/setup/install.sh"
fi

if [ "$mode" = local ]; then
  echo "==> Offline local mode. Next: make setup && make demo"
else
  echo "==> AWS mode (${target_env}, account ${account}). Next: make run-local JOB=<project>/<job>"
fi
