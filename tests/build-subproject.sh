#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# tests/build-subproject.sh SOURCE_ROOT WORK_DIR: libgaio as a meson
# subproject of another project, for real. Copies tests/consumer/ (a
# project whose meson.build asks for dependency('gaio-1', fallback:
# 'libgaio')) into WORK_DIR/project, makes its subprojects/libgaio a symlink
# to SOURCE_ROOT, configures it with --force-fallback-for=gaio-1 (an
# installed or uninstalled gaio-1.pc must not answer instead), builds it,
# runs its program and checks that:
#
#   - the fallback resolved gaio-1 (lib/meson.build overrides it);
#   - libgaio as a subproject registers no tests and builds no examples;
#   - nothing was written into SOURCE_ROOT.
#
# WORK_DIR is emptied first, and removed again when everything passed.
# GAIO_TEST_MESONINTROSPECT (environment, set by tests/meson.build): the
# command line of the meson that configured libgaio plus "introspect",
# quoted for a shell, so that the same meson builds the project; plain
# `meson` from PATH when unset.

set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 SOURCE_ROOT WORK_DIR" >&2
  exit 2
fi
srcroot=$(cd "$1" && pwd)
work=$2

# The command is quoted for a shell by meson itself (shlex): eval splits it.
meson_cmd=()
eval "meson_cmd=(${GAIO_TEST_MESONINTROSPECT:-meson introspect})"
unset 'meson_cmd[${#meson_cmd[@]}-1]'

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

# Entries of the source tree, without .git, build directories (_build*,
# build*, and WORK_DIR's own parents when they are inside it) and hidden
# files (an editor's swap file is no build output).
list_source_tree () {
  find "$srcroot" \
    \( -path "$srcroot/.git" -o -path "$srcroot/_build*" -o -path "$srcroot/build*" \
       -o -path "$abs_work" -o -name '.*' -o -name '*~' \) -prune \
    -o -print | LC_ALL=C sort
}

rm -rf "$work"
mkdir -p "$work/project/subprojects"
abs_work=$(cd "$work" && pwd)

before=$abs_work/source-tree-before
after=$abs_work/source-tree-after
list_source_tree >"$before"

cp "$srcroot/tests/consumer/meson.build" "$srcroot/tests/consumer/consumer.c" "$work/project/"
ln -s "$srcroot" "$work/project/subprojects/libgaio"

echo "== meson setup (${meson_cmd[*]})"
"${meson_cmd[@]}" setup --force-fallback-for=gaio-1 --wrap-mode=nodownload \
  "$work/build" "$work/project" ||
  fail "meson setup of a project using libgaio as a subproject failed"

# Two jobs: this test runs alone (is_parallel: false) on machines with two
# cores shared with others.
echo "== meson compile"
"${meson_cmd[@]}" compile -C "$work/build" -j 2 ||
  fail "building a project using libgaio as a subproject failed"

echo "== gaio-consumer"
output=$("$work/build/gaio-consumer") || fail "gaio-consumer exited with status $?"
echo "$output"
[[ $output == "gaio-consumer: callback ran on libgaio "* ]] ||
  fail "unexpected output from gaio-consumer"

echo "== what the subproject built"
tests=$("${meson_cmd[@]}" introspect --tests "$work/build")
if [[ $tests != '[]' ]]; then
  grep -E -o '"name": "[^"]*"' <<<"$tests" >&2 || true
  fail "libgaio as a subproject registered the tests above"
fi
if "${meson_cmd[@]}" introspect --targets "$work/build" |
  grep -E -o '"defined_in": "[^"]*/(tests|examples|bench)/meson\.build"' | sort -u | grep .; then
  fail "libgaio as a subproject built the targets above (tests, examples or benchmarks)"
fi

list_source_tree >"$after"
if ! diff -u "$before" "$after"; then
  fail "the build wrote into the source tree (the + lines above)"
fi

rm -rf "$work"
echo "PASS: a project builds and runs with libgaio as a subproject"
