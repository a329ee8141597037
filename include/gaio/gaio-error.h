/* gaio-error.h: the GAIO_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib.h>

#include "gaio-version-macros.h"

G_BEGIN_DECLS

/**
 * GAIO_ERROR:
 *
 * The error domain of libgaio. Cancellation is reported in the
 * `G_IO_ERROR` domain as %G_IO_ERROR_CANCELLED and timeouts as
 * %G_IO_ERROR_TIMED_OUT, so that code written for #GCancellable matches
 * them; everything else is in this domain.
 *
 * Since: 1.0
 */
#define GAIO_ERROR (gaio_error_quark ())

/**
 * GaioError:
 * @GAIO_ERROR_FAILED: a failure with no more specific code, such as a
 *   callback that returned %FALSE without setting an error
 * @GAIO_ERROR_INVALID_STATE: the object is not in a state that allows the
 *   call (asyncio's `InvalidStateError`), e.g. reading the result of a
 *   pending future or setting a result twice
 * @GAIO_ERROR_INVALID_ARGUMENT: an argument has a value that cannot be
 *   used (asyncio's `ValueError`), e.g. a future of another loop
 * @GAIO_ERROR_CLOSED: the loop is closed (`Event loop is closed`)
 * @GAIO_ERROR_RUNNING: the loop is running and the call needs it stopped,
 *   or another loop runs in this thread
 * @GAIO_ERROR_STOPPED_EARLY: the loop was stopped before the future given
 *   to [method@Gaio.Loop.run_until_complete] completed
 * @GAIO_ERROR_ESCAPE: a callback asks to leave
 *   [method@Gaio.Loop.run_forever] (asyncio's `SystemExit` and
 *   `KeyboardInterrupt`); never passed to the exception handler
 * @GAIO_ERROR_WRONG_THREAD: the call was made from a thread that cannot
 *   run the loop (its #GMainContext is owned by another thread)
 * @GAIO_ERROR_NOT_MAIN_THREAD: the call is allowed only in the main thread
 * @GAIO_ERROR_BROKEN_EXECUTOR: an executor lost a worker and cannot run
 *   jobs any more (`BrokenExecutor`)
 * @GAIO_ERROR_EXECUTOR_SHUTDOWN: the executor was shut down
 * @GAIO_ERROR_SIGNAL_UNCATCHABLE: a signal handler cannot be installed for
 *   this signal: SIGKILL and SIGSTOP cannot be caught at all, and SIGCHLD
 *   belongs to GLib's child watches (`sig 9 cannot be caught`)
 * @GAIO_ERROR_PROCESS_LOOKUP: the process has exited already, so it
 *   cannot be signalled (asyncio's `ProcessLookupError`)
 * @GAIO_ERROR_INTERRUPTED: gaio_run() was interrupted by SIGINT, which
 *   cancelled its main task (asyncio's `KeyboardInterrupt`)
 * @GAIO_ERROR_NOT_SERIALIZABLE: a job cannot be sent to a worker process:
 *   its function has no name the worker can find, it carries C data, or
 *   its arguments or result are too big (pickle's `PicklingError`)
 * @GAIO_ERROR_GROUP: tasks of a #GaioTaskGroup failed: the message lists
 *   their errors, and gaio_task_group_get_errors() gives each one
 *   (asyncio's `ExceptionGroup`)
 *
 * Error codes of the %GAIO_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum {
  GAIO_ERROR_FAILED,
  GAIO_ERROR_INVALID_STATE,
  GAIO_ERROR_INVALID_ARGUMENT,
  GAIO_ERROR_CLOSED,
  GAIO_ERROR_RUNNING,
  GAIO_ERROR_STOPPED_EARLY,
  GAIO_ERROR_ESCAPE,
  GAIO_ERROR_WRONG_THREAD,
  GAIO_ERROR_NOT_MAIN_THREAD,
  GAIO_ERROR_BROKEN_EXECUTOR,
  GAIO_ERROR_EXECUTOR_SHUTDOWN,
  GAIO_ERROR_SIGNAL_UNCATCHABLE,
  GAIO_ERROR_PROCESS_LOOKUP,
  GAIO_ERROR_INTERRUPTED,
  GAIO_ERROR_NOT_SERIALIZABLE,
  GAIO_ERROR_GROUP,
} GaioError;

GAIO_AVAILABLE_IN_ALL
GQuark gaio_error_quark (void);

G_END_DECLS
