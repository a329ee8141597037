#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# tests/build-uninstalled-pc.sh BUILD_ROOT WORK_DIR PKG_CONFIG CC [CC ARGS...]:
# builds tests/consumer/consumer.c the way a project outside meson uses a
# libgaio that is built but not installed, with the flags of
# BUILD_ROOT/meson-uninstalled/gaio-1-uninstalled.pc, then runs it with the
# build tree's lib/ on LD_LIBRARY_PATH. Fails when <gaio.h> or the
# generated headers it includes are not on that file's include path.
# WORK_DIR is emptied first, and removed again when everything passed.

set -euo pipefail

if (($# < 4)); then
  echo "usage: $0 BUILD_ROOT WORK_DIR PKG_CONFIG CC [CC ARGS...]" >&2
  exit 2
fi
buildroot=$(cd "$1" && pwd)
work=$2
pkg_config=$3
shift 3
cc=("$@")
srcroot=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$work"
mkdir -p "$work"

export PKG_CONFIG_PATH=$buildroot/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}

cflags=$("$pkg_config" --cflags gaio-1) || fail "pkg-config cannot read gaio-1-uninstalled.pc"
libs=$("$pkg_config" --libs gaio-1)
echo "cflags: $cflags"
echo "libs: $libs"

# pkg-config prints several words on purpose: split them.
# shellcheck disable=SC2086
"${cc[@]}" -Wall -o "$work/gaio-consumer" "$srcroot/tests/consumer/consumer.c" $cflags $libs ||
  fail "cannot build a program with the flags of gaio-1-uninstalled.pc"

# The library directories the .pc names (-L...), for the dynamic loader.
libdirs=
for word in $("$pkg_config" --libs-only-L gaio-1); do
  libdirs+=${libdirs:+:}${word#-L}
done

output=$(LD_LIBRARY_PATH=$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$work/gaio-consumer") ||
  fail "gaio-consumer exited with status $?"
echo "$output"
[[ $output == "gaio-consumer: callback ran on libgaio "* ]] ||
  fail "unexpected output from gaio-consumer"

rm -rf "$work"
echo "PASS: a program builds and runs against gaio-1-uninstalled.pc"
