/* gaio-run-private.h: gaio_run()'s SIGINT guard, declared for the tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* The building block of gaio_run()'s "Ctrl-C cancels the main task"
 * (asyncio.Runner._on_sigint):
 *
 *   guard = _gaio_sigint_guard_install (loop, main_task);
 *   ... run the loop until main_task is done ...
 *   interrupted = _gaio_sigint_guard_uninstall (guard);
 *
 * install() installs a SIGINT handler on @loop, as asyncio does only when
 * the calling thread is the main thread and SIGINT still has its default
 * disposition (no handler of the application, of GLib's
 * g_unix_signal_add() or of another loop; not ignored). It returns NULL
 * and changes nothing otherwise.
 *
 * The first SIGINT cancels @main_future (gaio_future_cancel(), message
 * "Interrupted by SIGINT") and restores the default disposition, so a
 * second Ctrl-C terminates the process at once (asyncio raises
 * KeyboardInterrupt there).
 *
 * uninstall() removes the handler if it is still installed (and frees the
 * guard); it returns TRUE if SIGINT was received, in which case gaio_run()
 * reports the interruption (asyncio.run() raises KeyboardInterrupt). Both
 * are called on the loop's thread, which is the main thread. */
typedef struct _GaioSigintGuard GaioSigintGuard;

GaioSigintGuard *_gaio_sigint_guard_install   (GaioLoop        *loop,
                                               GaioFuture      *main_future);
gboolean         _gaio_sigint_guard_uninstall (GaioSigintGuard *guard);

G_END_DECLS
