/* gaio-types.h: forward declarations shared by the public headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GaioLoop             GaioLoop;
typedef struct _GaioFuture           GaioFuture;
typedef struct _GaioHandle           GaioHandle;
typedef struct _GaioExceptionContext GaioExceptionContext;
typedef struct _GaioTask             GaioTask;
typedef struct _GaioCoroutine        GaioCoroutine;

/**
 * GaioCallback:
 * @user_data: the data passed when the callback was scheduled
 * @error: return location for a #GError
 *
 * A callback scheduled on a [class@Gaio.Loop] with
 * [method@Gaio.Loop.call_soon] and its relatives. It always runs on the
 * thread that dispatches the loop's #GMainContext.
 *
 * A callback reports a failure, the analogue of an exception raised by
 * an asyncio callback, by returning %FALSE with @error set. The loop then
 * calls its exception handler with the message `Exception in callback
 * NAME()`, the error and the handle, and goes on with the next callback.
 * An error in the %GAIO_ERROR domain with the code %GAIO_ERROR_ESCAPE is
 * not reported: it stops [method@Gaio.Loop.run_forever], which returns it
 * (asyncio's `KeyboardInterrupt`/`SystemExit`).
 *
 * From JavaScript, return `true`: `undefined` converts to %FALSE without
 * an error, which is reported as a failure; GJS turns a thrown exception
 * into the error. From Python, libgaio's overrides wrap callbacks: what
 * they return is ignored and an exception raised is reported with its
 * traceback (see the [Bindings](bindings.html) guide).
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 1.0
 */
typedef gboolean (*GaioCallback) (gpointer   user_data,
                                  GError   **error);

/**
 * GaioFutureCallback:
 * @future: the future that is done
 * @user_data: the data passed to [method@Gaio.Future.add_done_callback]
 *
 * A done callback of a [struct@Gaio.Future]. It runs on the loop's thread,
 * scheduled with [method@Gaio.Loop.call_soon] once the future is done,
 * never from inside the call that completed the future.
 *
 * Since: 1.0
 */
typedef void (*GaioFutureCallback) (GaioFuture *future,
                                    gpointer    user_data);

/**
 * GaioExceptionHandler:
 * @loop: the loop reporting
 * @context: what happened
 * @user_data: the data passed to [method@Gaio.Loop.set_exception_handler]
 * @error: return location for a #GError
 *
 * An exception handler installed with
 * [method@Gaio.Loop.set_exception_handler]. It runs on the thread that
 * called [method@Gaio.Loop.call_exception_handler], normally the loop's.
 * @context is valid during the call: take a reference (C) or copy what
 * you keep (GJS does not copy boxed arguments of callbacks) to use it
 * later.
 * A handler may defer to [method@Gaio.Loop.default_exception_handler].
 *
 * A handler that fails (returns %FALSE with @error set) has its error and
 * the original context reported by the default handler with the message
 * `Unhandled error in exception handler`.
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 1.0
 */
typedef gboolean (*GaioExceptionHandler) (GaioLoop              *loop,
                                          GaioExceptionContext  *context,
                                          gpointer               user_data,
                                          GError               **error);

/**
 * GaioCoroutineFunc:
 * @user_data: the data the coroutine was created with
 * @result: (out caller-allocates): an unset #GValue (%G_VALUE_INIT);
 *   the function may initialize it and set its result there
 * @error: return location for a #GError
 *
 * The body of a #GaioCoroutine: asyncio's `async def` function.
 * It runs on a task's own stack (a fiber), so it may call gaio_await()
 * anywhere in its call chain; each await suspends the task, never the
 * thread. It runs on the loop's thread.
 *
 * It fails, the analogue of raising, by returning %FALSE with @error
 * set. Returning the %G_IO_ERROR_CANCELLED error that an await gave it
 * lets the cancellation go on; catching it (returning %TRUE, or going on
 * with other awaits) refuses the cancellation, as catching
 * `CancelledError` does in asyncio. A result left unset is Python's
 * `None`: a %G_TYPE_POINTER holding %NULL.
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 1.0
 */
typedef gboolean (*GaioCoroutineFunc) (gpointer   user_data,
                                       GValue    *result,
                                       GError   **error);

G_END_DECLS
