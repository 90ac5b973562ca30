#!/usr/bin/env bash
# `terraform init -backend=false` + `terraform validate` on every Terraform configuration of
# infrastructure/: each environment (environments/<env>, not the shared _* folders), every
# project stack including _template (what `dp new-project` copies), the CI/CD access stack,
# the baseline and every module under modules/. The one command CI, `make test`
# (tests/infrastructure/test_terraform_validate.py) and a person run.
#
# Usage: terraform-validate.sh [--root DIR] [--jobs N] [--log-dir DIR] [--list] [STACK...]
#   --root DIR     tree holding infrastructure/ and setup/domain.json (default: this repository)
#   --jobs N       configurations validated at once (default: the number of CPUs)
#   --log-dir DIR  keep each configuration's output as DIR/<stack, / as __>.log and its exit
#                  status as .rc
#   --list         print the configurations it would validate, then exit
#   STACK...       validate only these (paths relative to the root, e.g. infrastructure/cicd)
#
# It validates a temporary copy of the tree (symlinks kept, setup/domain.json beside it), so
# the working tree gets no .terraform folders. Providers:
#   * a filesystem mirror of registry.terraform.io/hashicorp/aws when one is found
#     ($TF_PROVIDER_MIRROR, else the usual plugin directories), through a generated CLI
#     configuration (TF_CLI_CONFIG_FILE) -- works offline;
#   * the Terraform registry otherwise, through a plugin cache ($TF_PLUGIN_CACHE_DIR, default
#     ${XDG_CACHE_HOME:-~/.cache}/terraform/plugin-cache) filled by the first init.
# Root modules init with their committed .terraform.lock.hcl (-lockfile=readonly); modules
# get a copy of a root's lock file, so every configuration resolves the same provider.
# A Terraform CLI older than the code's required_version validates the copy with that
# constraint relaxed, and says so; the code keeps its constraint.
# Reports every failure, then exits non-zero if any configuration failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"

root="$repo"
jobs=""
log_dir=""
list_only=false
stacks=()
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --log-dir) log_dir="${2:?--log-dir needs a directory}"; shift 2 ;;
    --list) list_only=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) stacks+=("${1%/}"); shift ;;
  esac
done
root="$(cd "$root" && pwd)"
if [ ! -d "$root/infrastructure" ]; then
  echo "error: ${root} holds no infrastructure/ folder" >&2
  exit 2
fi

# ─── Which configurations ───

discover() {
  local dir file
  while IFS= read -r -d '' dir; do
    echo "$dir"
  done < <(find infrastructure/environments -mindepth 1 -maxdepth 1 -type d ! -name '_*' \
    -print0 2>/dev/null | sort -z)
  while IFS= read -r -d '' file; do
    dirname "$file"
  done < <(find infrastructure/projects -mindepth 2 -maxdepth 2 -name project.json -print0 \
    2>/dev/null | sort -z)
  for dir in infrastructure/cicd infrastructure/baseline; do
    if compgen -G "${dir}/*.tf" > /dev/null; then
      echo "$dir"
    fi
  done
  while IFS= read -r -d '' dir; do
    if compgen -G "${dir}/*.tf" > /dev/null; then
      echo "$dir"
    fi
  done < <(find infrastructure/modules -mindepth 1 -maxdepth 1 -type d -print0 2>/dev/null \
    | sort -z)
}

if [ "${#stacks[@]}" -eq 0 ]; then
  while IFS= read -r dir; do
    stacks+=("$dir")
  done < <(cd "$root" && discover)
fi
if [ "${#stacks[@]}" -eq 0 ]; then
  echo "error: no Terraform configurations found under ${root}/infrastructure" >&2
  exit 1
fi
if $list_only; then
  printf '%s\n' "${stacks[@]}"
  exit 0
fi
for dir in "${stacks[@]}"; do
  if ! compgen -G "${root}/${dir}/*.tf" > /dev/null; then
    echo "error: ${dir} is not a Terraform configuration under ${root}" >&2
    exit 2
  fi
done

# ─── Terraform CLI ───

required="$(sed -n 's/^ *required_version *= *">= *\([0-9][0-9.]*\)".*/\1/p' \
  "${root}/infrastructure/shared/versions.tf" 2> /dev/null | head -n 1 || true)"
if ! command -v terraform > /dev/null 2>&1; then
  echo "error: terraform is not on PATH. Install Terraform >= ${required:-1.14}: on Debian or" \
    "Ubuntu from HashiCorp's apt repository (https://apt.releases.hashicorp.com, see" \
    "https://developer.hashicorp.com/terraform/install), else the zip from" \
    "https://releases.hashicorp.com/terraform/." >&2
  exit 1
fi

# "1.11.4" -> 0 when $1 < $2 (numeric, per dot-separated part).
version_lt() {
  local IFS=.
  local -a a b
  read -r -a a <<< "$1"
  read -r -a b <<< "$2"
  local i x y
  for i in 0 1 2; do
    x="${a[i]:-0}"
    y="${b[i]:-0}"
    x="${x%%[!0-9]*}"
    y="${y%%[!0-9]*}"
    if [ "${x:-0}" -lt "${y:-0}" ]; then return 0; fi
    if [ "${x:-0}" -gt "${y:-0}" ]; then return 1; fi
  done
  return 1
}

installed="$(terraform version -json 2> /dev/null \
  | sed -n 's/.*"terraform_version": *"\([0-9][0-9.]*\)".*/\1/p' | head -n 1 || true)"
relax=false
if [ -n "$installed" ] && [ -n "$required" ] && version_lt "$installed" "$required"; then
  relax=true
fi
relax_note="NOTE: Terraform ${installed} is older than the code's required_version \">= ${required}\": validating a temporary copy with required_version relaxed to \">= ${installed}\" (the code keeps \">= ${required}\"; CI uses its pinned Terraform). Install Terraform >= ${required} to validate exactly as CI does."

# ─── The temporary copy ───

work="$(mktemp -d -t terraform-validate.XXXXXX)"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
tar -C "$root" --exclude='.terraform' --exclude='*.tfstate' --exclude='*.tfstate.*' \
  --exclude='backend.conf' --exclude='tfplan' -cf - infrastructure \
  | tar -C "$work" -xf -
# Files outside infrastructure/ the stacks read: the domain, and the Iceberg table properties
# the library and modules/glue_iceberg_table share.
for file in setup/domain.json src/dp_foundation/iceberg/table_properties.json; do
  if [ -f "${root}/${file}" ]; then
    mkdir -p "${work}/$(dirname "$file")"
    cp "${root}/${file}" "${work}/${file}"
  fi
done
if $relax; then
  # Real files only: the symlinks point at files this loop rewrites.
  while IFS= read -r -d '' file; do
    sed -i.orig "s/^\( *required_version *= *\)\".*\"/\1\">= ${installed}\"/" "$file"
    rm -f "${file}.orig"
  done < <(find "${work}/infrastructure" -type f -name '*.tf' -print0)
fi

# Modules have no lock file of their own: give each that requires providers the lock file of
# the first root module that has one (they are all the same; tests/infrastructure checks it).
lock=""
for dir in "${stacks[@]}"; do
  case "$dir" in infrastructure/modules/* | infrastructure/baseline) continue ;; esac
  if [ -f "${work}/${dir}/.terraform.lock.hcl" ]; then
    lock="${work}/${dir}/.terraform.lock.hcl"
    break
  fi
done
if [ -z "$lock" ]; then
  lock="$(find "${work}/infrastructure/environments" "${work}/infrastructure/projects" \
    "${work}/infrastructure/cicd" -name .terraform.lock.hcl -print 2> /dev/null | sort | head -n 1 \
    || true)"
fi
if [ -n "$lock" ]; then
  for dir in "${stacks[@]}"; do
    case "$dir" in infrastructure/modules/* | infrastructure/baseline) ;; *) continue ;; esac
    if [ ! -f "${work}/${dir}/.terraform.lock.hcl" ] \
      && grep -qs 'required_providers' "${work}/${dir}"/*.tf; then
      cp "$lock" "${work}/${dir}/.terraform.lock.hcl"
    fi
  done
fi

# ─── Where providers come from ───

mirror=""
if [ -n "${TF_PROVIDER_MIRROR:-}" ]; then
  if [ ! -d "${TF_PROVIDER_MIRROR}/registry.terraform.io/hashicorp/aws" ]; then
    echo "error: TF_PROVIDER_MIRROR=${TF_PROVIDER_MIRROR} holds no" \
      "registry.terraform.io/hashicorp/aws/<version>/<platform>/ (filesystem mirror layout)" >&2
    exit 1
  fi
  mirror="$(cd "$TF_PROVIDER_MIRROR" && pwd)"
else
  for base in "${HOME:-}/.terraform.d" "${XDG_DATA_HOME:-${HOME:-}/.local/share}/terraform" \
    /usr/local/share /usr/share /opt; do
    [ -d "$base" ] || continue
    found="$(find "$base" -maxdepth 5 -type d -path '*/registry.terraform.io/hashicorp/aws' \
      -print 2> /dev/null | sort | head -n 1 || true)"
    if [ -n "$found" ]; then
      mirror="${found%/registry.terraform.io/hashicorp/aws}"
      break
    fi
  done
fi
if [ -n "$mirror" ]; then
  cat > "${work}/terraform.rc" << EOF
provider_installation {
  filesystem_mirror {
    path    = "${mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
  export TF_CLI_CONFIG_FILE="${work}/terraform.rc"
  providers_note="providers: filesystem mirror ${mirror} (hashicorp/*; others from the registry)"
  hint="the mirror ${mirror} may lack the version the lock file pins: add it, or point TF_PROVIDER_MIRROR at one that has it"
else
  cache_home="${XDG_CACHE_HOME:-${HOME:-${work}}/.cache}"
  export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-${cache_home}/terraform/plugin-cache}"
  mkdir -p "$TF_PLUGIN_CACHE_DIR"
  providers_note="providers: registry.terraform.io (no filesystem mirror found), plugin cache ${TF_PLUGIN_CACHE_DIR}"
  hint="no provider mirror was found and the registry gave no provider: allow access to registry.terraform.io, or set TF_PROVIDER_MIRROR to a directory holding registry.terraform.io/hashicorp/aws/<version>/<platform>/ (e.g. made by 'terraform providers mirror')"
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0

# ─── Validate ───

logs="${log_dir:-${work}/logs}"
mkdir -p "$logs"
logs="$(cd "$logs" && pwd)"
export WORK="$work" LOGS="$logs" HINT="$hint"

validate_one() {
  local dir="$1" id="${1//\//__}" status=0 lockfile="-lockfile=readonly" log
  log="${LOGS}/${id}.log"
  if [ ! -f "${WORK}/${dir}/.terraform.lock.hcl" ]; then
    lockfile=""  # no lock file (a module without providers): nothing to hold it to
  fi
  # shellcheck disable=SC2086  # $lockfile is one flag or none
  if ! (cd "$WORK" && terraform -chdir="$dir" init -backend=false -input=false -no-color \
    $lockfile) > "$log" 2>&1; then
    status=1
    if grep -qE 'Failed to (query available provider packages|install provider)' "$log"; then
      echo "hint: ${HINT}" >> "$log"
    fi
  elif ! (cd "$WORK" && terraform -chdir="$dir" validate -no-color) >> "$log" 2>&1; then
    status=1
  fi
  echo "$status" > "${LOGS}/${id}.rc"
}
export -f validate_one

if [ -z "$jobs" ]; then
  jobs="$(getconf _NPROCESSORS_ONLN 2> /dev/null || echo 2)"
fi
echo "terraform $(terraform version 2> /dev/null | head -n 1 | sed 's/^Terraform //')," \
  "${#stacks[@]} configurations, ${jobs} at a time; ${providers_note}"
if $relax; then
  echo "$relax_note"
fi

# The first one alone: it fills the plugin cache the others then link from.
validate_one "${stacks[0]}"
if [ "${#stacks[@]}" -gt 1 ]; then
  # shellcheck disable=SC2016  # $1 is expanded by the child bash
  printf '%s\0' "${stacks[@]:1}" | xargs -0 -n 1 -P "$jobs" bash -c 'validate_one "$1"' _
fi

failed=()
for dir in "${stacks[@]}"; do
  id="${dir//\//__}"
  if [ "$(cat "${logs}/${id}.rc" 2> /dev/null || echo 1)" = 0 ]; then
    echo "::group::terraform validate ${dir}: ok"
    cat "${logs}/${id}.log"
    echo "::endgroup::"
  else
    # Failures stay outside a group, so CI shows them unfolded.
    echo "::error title=terraform validate::${dir} failed"
    cat "${logs}/${id}.log" 2> /dev/null || echo "(no output)"
    failed+=("$dir")
  fi
done

if $relax; then
  echo "$relax_note"
fi
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'validation failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "validated ${#stacks[@]} configurations: ${stacks[*]}"
