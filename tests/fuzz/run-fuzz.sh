#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# tests/fuzz/run-fuzz.sh [SECONDS]: builds the libFuzzer targets with clang
# in _build-fuzz (re-used when it exists) and runs each for a bounded time
# (60 s by default, or $GAIO_FUZZ_SECONDS), starting from the seed corpus in
# tests/fuzz/corpus/<target>. New inputs are kept in _build-fuzz/corpus, not
# in the source tree. Exits non-zero if a target crashes, leaks or times
# out on an input; the reproducer is left in _build-fuzz/crashes.
#
# For ./scripts/test: run it as a step of its own and count it as one test.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

seconds=${1:-${GAIO_FUZZ_SECONDS:-60}}
builddir=_build-fuzz
targets=(fuzz-wire)

if ! command -v clang >/dev/null; then
  echo "run-fuzz: clang not found" >&2
  exit 1
fi

if [[ ! -f $builddir/build.ninja ]]; then
  CC=clang meson setup "$builddir" -Dfuzzing=enabled -Dintrospection=disabled \
    -Dexamples=disabled -Dbenchmarks=false
fi
meson compile -C "$builddir" "${targets[@]}"

status=0
for target in "${targets[@]}"; do
  corpus=$builddir/corpus/$target
  crashes=$builddir/crashes/$target
  mkdir -p "$corpus" "$crashes"
  echo "run-fuzz: $target for ${seconds}s"
  # -rss_limit_mb: the decoder must never allocate much (frames are
  # limited before anything is set aside for them).
  if ! ASAN_OPTIONS=detect_leaks=1 \
    "$builddir/tests/fuzz/$target" "$corpus" "tests/fuzz/corpus/$target" \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=512 -timeout=10 \
      -artifact_prefix="$crashes/" -print_final_stats=1; then
    echo "run-fuzz: $target FAILED, reproducers in $crashes" >&2
    status=1
  fi
done
exit $status
