#!/usr/bin/env bash
# Prints the unique version of this build's wheel: <base>+<short sha>, e.g. 1.0.0+1a2b3c4d.
# The base comes from src/dp_foundation/__init__.py; the sha is GITHUB_SHA (or HEAD locally),
# shortened to 8 characters. CI and the Makefile's WHEEL_VERSION both call this script.
#
# The version is printed in its PEP 440 normal form, because that is what the wheel's file
# name carries and what the Glue jobs load (wheels/data_platform_foundation-<version>-...):
# a local segment of digits only is a number, so a short sha such as 01234567 becomes
# 1234567 (1.0.0+01234567 builds data_platform_foundation-1.0.0+1234567-py3-none-any.whl).
set -euo pipefail
cd "$(dirname "$0")/../.."

base="$(sed -n 's/^__version__ = "\([0-9]*\.[0-9]*\.[0-9]*\)".*/\1/p' src/dp_foundation/__init__.py)"
if [ -z "$base" ]; then
  echo "error: no MAJOR.MINOR.PATCH __version__ in src/dp_foundation/__init__.py" >&2
  exit 1
fi
sha="${GITHUB_SHA:-$(git rev-parse HEAD)}"
if ! [[ "$sha" =~ ^[0-9a-f]{40}$ ]]; then
  echo "error: '$sha' is not a full commit sha" >&2
  exit 1
fi
short="${sha:0:8}"
if [[ "$short" =~ ^[0-9]+$ ]]; then
  short="$((10#$short))"
fi
echo "${base}+${short}"
