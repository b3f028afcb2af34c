#!/usr/bin/env bash
# Installs the system C libraries taskrun links against (libyaml, libcmark, SQLite) when
# pkg-config cannot find them. Safe to run repeatedly: it does nothing when all are present.
#
# --release also installs libcurl's development files: a release build links the Swift runtime and
# Foundation statically (`--static-swift-stdlib`), and the static FoundationNetworking links libcurl.
set -euo pipefail

release=false
[ "${1:-}" = "--release" ] && release=true

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if command -v pkg-config >/dev/null 2>&1; then
  pkg-config --exists yaml-0.1 || missing+=(libyaml-dev)
  pkg-config --exists libcmark || missing+=(libcmark-dev)
  pkg-config --exists sqlite3 || missing+=(libsqlite3-dev)
  if $release; then pkg-config --exists libcurl || missing+=(libcurl4-openssl-dev); fi
else
  missing+=(libyaml-dev libcmark-dev libsqlite3-dev)
  if $release; then missing+=(libcurl4-openssl-dev); fi
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: taskrun needs ${missing[*]} (pkg-config modules yaml-0.1, libcmark and sqlite3)," >&2
  echo "       and this system has no apt-get. Install libyaml, cmark and SQLite with your package" >&2
  echo "       manager (for example 'brew install libyaml cmark sqlite pkg-config'), then retry." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "error: installing ${missing[*]} needs root, and sudo is not available." >&2
    exit 1
  fi
fi
echo "==> installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
