#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# run-gtk-test.sh PROGRAM [ARGS...]: runs a GTK test program with a
# display. Under xvfb-run (a private X server) when it is installed, else
# on the session's display if there is one; with neither, the test is
# skipped with a TAP plan that says why. A GtkApplication registers on
# the session bus and warns (fatally, in a test) without one: a private
# bus comes from dbus-run-session where it is installed.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  set -- dbus-run-session -- "$@"
fi
if command -v xvfb-run >/dev/null 2>&1; then
  # -a: a free server number, so parallel runs do not collide.
  exec xvfb-run -a -s "-screen 0 1024x768x24" "$@"
fi
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$@"
fi
echo "1..0 # SKIP no X server: install xvfb (scripts/deps.sh does) to run the GTK tests"
