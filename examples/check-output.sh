#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# examples/check-output.sh EXPECTED PROGRAM [ARG...]: runs PROGRAM and
# fails unless it exits with status 0 and prints exactly EXPECTED (one or
# more lines, without the last newline) on stdout. What it printed on
# stderr passes through.

set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 EXPECTED PROGRAM [ARG...]" >&2
  exit 2
fi

expected=$1
shift

output=$("$@")
status=$?

if [ "$status" -ne 0 ]; then
  echo "check-output: $1 exited with status $status" >&2
  exit 1
fi
if [ "$output" != "$expected" ]; then
  printf 'check-output: %s printed\n%s\ninstead of\n%s\n' "$1" "$output" "$expected" >&2
  exit 1
fi
printf '%s\n' "$output"
