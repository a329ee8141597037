# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# Sourced by scripts/demo, scripts/test and scripts/bench (not executable on
# its own). It holds the one list of Debian packages libgaio needs to build
# and test, and the helpers every script shares.

# shellcheck shell=bash
# shellcheck disable=SC2034  # the lists are used by the scripts sourcing this

# The Debian (bookworm) packages needed to build, test and run the examples.
# Keep this the only list: every script installs from it.
GAIO_DEBIAN_PACKAGES=(
  meson
  ninja-build
  pkg-config
  gcc
  libglib2.0-dev
  libglib2.0-dev-bin        # glib-mkenums, glib-compile-resources
  gobject-introspection     # g-ir-scanner, g-ir-compiler
  libgirepository1.0-dev
  gir1.2-glib-2.0
  python3                   # GI tests and python_asyncio benchmark peers
  python3-gi
  valgrind                  # meson test --setup=valgrind
  libc6-dbg                 # lets valgrind see through glibc
  clang                     # the TSan configuration
  libclang-rt-14-dev        # clang's sanitizer runtimes
  gjs                       # GJS introspection tests
  gi-docgen                 # the docs suite and -Ddocs=true
  libgtk-4-dev              # the GTK 4 application tests (tests/gtk)
  xvfb                      # their display: xvfb-run
  xauth                     # which xvfb-run needs
  dbus                      # dbus-run-session: a session bus for GtkApplication
)

# Prints a header line so each step stands out in long CI logs.
gaio_step () {
  printf '\n==== %s ====\n' "$*"
}

# True when the Debian package $1 is installed. `dpkg -s` alone also succeeds
# for a package that was removed but left its configuration behind, so look at
# the status itself.
gaio_package_installed () {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ $status == "install ok installed" ]]
}

# gaio_ensure_packages PKG...: installs whichever of PKG... is missing, with
# one `apt-get update` first. Without root or without dpkg/apt-get, prints
# what to install and exits 1 (when something is missing).
gaio_ensure_packages () {
  local missing=() pkg

  if ! command -v dpkg-query >/dev/null 2>&1; then
    # Not Debian: we cannot check packages, so check the tools the build needs
    # and leave the rest to meson's own error messages.
    local tool
    for tool in meson ninja pkg-config cc; do
      command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    if ((${#missing[@]})); then
      echo "error: missing tools: ${missing[*]}" >&2
      echo "This is not a Debian system; install the equivalents of these Debian packages:" >&2
      echo "  $*" >&2
      exit 1
    fi
    return 0
  fi

  for pkg in "$@"; do
    gaio_package_installed "$pkg" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0

  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "Install them as root with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi

  gaio_step "Installing missing Debian packages: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# gaio_setup BUILDDIR [MESON SETUP OPTIONS...]: configures BUILDDIR, or, when
# it is already configured, re-applies the -D options to it with `meson
# configure` (ninja re-runs meson by itself when a meson.build changes). Re-
# applying matters when an option changes type: meson then drops the value a
# directory had (introspection became a feature, and an old sanitizer build
# would otherwise come back with introspection on). Other setup arguments
# (the compiler, through CC) only apply to a new build directory: delete it to
# change them.
gaio_setup () {
  local builddir=$1
  shift
  if [[ -f $builddir/build.ninja ]]; then
    local options=() arg
    for arg in "$@"; do
      [[ $arg == -D* ]] && options+=("$arg")
    done
    ((${#options[@]} == 0)) || meson configure "$builddir" "${options[@]}" >/dev/null
    return 0
  fi
  if [[ -f $builddir/meson-private/coredata.dat ]]; then
    # A previous setup got as far as writing its state and then failed (for
    # instance on a meson.build error that has been fixed since).
    meson setup --reconfigure "$@" "$builddir"
  else
    meson setup "$@" "$builddir"
  fi
}
