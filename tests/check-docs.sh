#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# tests/check-docs.sh GIR CONFIG CONTENT_DIR: builds the API reference
# from the Gaio GIR with gi-docgen into a temporary directory, warnings
# fatal, the way `-Ddocs=true -Dwerror=true` does (docs/meson.build), so
# that a broken doc link or an undocumented symbol fails the test suite
# in every build with introspection, not only in a docs build. Exits 77
# (skipped) when gi-docgen is not installed.

set -eu

if [ $# -ne 3 ]; then
  echo "usage: $0 GIR CONFIG CONTENT_DIR" >&2
  exit 2
fi

if ! command -v gi-docgen >/dev/null 2>&1; then
  echo "check-docs: skipped: gi-docgen is not installed (Debian package gi-docgen)"
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gaio-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

gi-docgen generate --quiet --no-namespace-dir --fatal-warnings \
  --config="$2" --content-dir="$3" --output-dir="$tmp/html" "$1"
echo "check-docs: gi-docgen built the reference with no warning"
