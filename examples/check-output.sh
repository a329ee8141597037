#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# examples/check-output.sh [--match] EXPECTED PROGRAM [ARG...]: runs
# PROGRAM and fails unless it exits with status 0 and prints exactly
# EXPECTED (one or more lines, without the last newline) on stdout. With
# --match, each line of EXPECTED is an extended regular expression that
# the whole line of output at the same place must match (for output with
# random parts). What it printed on stderr passes through.

set -u

match=false
if [ "${1:-}" = --match ]; then
  match=true
  shift
fi

if [ $# -lt 2 ]; then
  echo "usage: $0 [--match] EXPECTED PROGRAM [ARG...]" >&2
  exit 2
fi

expected=$1
shift

# line N TEXT: the Nth line of TEXT.
line () {
  printf '%s\n' "$2" | sed -n "$1p"
}

# matches OUTPUT EXPECTED: each line of OUTPUT matches the pattern on
# the same line of EXPECTED, and there are as many lines.
matches () {
  n_output=$(printf '%s\n' "$1" | wc -l)
  n_expected=$(printf '%s\n' "$2" | wc -l)
  [ "$n_output" -eq "$n_expected" ] || return 1
  i=1
  while [ "$i" -le "$n_expected" ]; do
    line "$i" "$1" | grep -Eqx -e "$(line "$i" "$2")" || return 1
    i=$((i + 1))
  done
}

output=$("$@")
status=$?

if [ "$status" -ne 0 ]; then
  echo "check-output: $1 exited with status $status" >&2
  exit 1
fi
if $match && ! matches "$output" "$expected"; then
  printf 'check-output: %s printed\n%s\ninstead of lines matching\n%s\n' "$1" "$output" \
    "$expected" >&2
  exit 1
fi
if ! $match && [ "$output" != "$expected" ]; then
  printf 'check-output: %s printed\n%s\ninstead of\n%s\n' "$1" "$output" "$expected" >&2
  exit 1
fi
printf '%s\n' "$output"
