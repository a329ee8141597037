/* gaio-future-private.h: what the library needs of GaioFuture's insides
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"
#include "gaio-asan-private.h"
#include "gaio-debug-private.h"

G_BEGIN_DECLS

/* gaio_future_new() without the argument check, for
 * gaio_loop_create_future(), which made it. */
GaioFuture    *_gaio_future_new                 (GaioLoop           *loop);

/* Binds a future made with g_object_new() to @loop, and in debug mode
 * records where it was created. gaio_future_new() does this; subclasses
 * call it right after g_object_new(). */
void           _gaio_future_set_loop            (GaioFuture         *future,
                                                 GaioLoop           *loop);

/* How many recycled futures a thread keeps at most: none under
 * AddressSanitizer, which must see a future used after its last unref. */
#ifdef GAIO_HAVE_ASAN
# define GAIO_FUTURE_POOL_SIZE 0
#else
# define GAIO_FUTURE_POOL_SIZE 64
#endif

/* Test hook: the number of futures in this thread's pool. */
guint          _gaio_future_get_pool_size       (void);

/* Drops a reference the library holds, as g_object_unref() does. When it
 * is the last one and nothing else can reach the future, the future is
 * recycled for gaio_future_new() instead (see the top of gaio-future.c).
 * Loop thread only. */
void           _gaio_future_release             (GaioFuture         *future);

/* gaio_future_get_state(), gaio_future_get_loop() and
 * gaio_future_get_result() without the argument checks, for the paths
 * every await takes (a type check is a function call). */
GaioFutureState _gaio_future_peek_state         (GaioFuture         *future);
GaioLoop      *_gaio_future_peek_loop           (GaioFuture         *future);
gboolean       _gaio_future_get_result          (GaioFuture         *future,
                                                 GValue             *value,
                                                 GError            **error);

/* The creation stack recorded in debug mode, or NULL. */
GaioTraceback *_gaio_future_get_traceback       (GaioFuture         *future);

/* Makes gaio_future_set_result(), gaio_future_set_error() and their
 * relatives fail with GAIO_ERROR_INVALID_STATE ("Task does not support
 * set_result operation"): a task's outcome is its function's. The owner
 * completes it with the _gaio_future_complete_*() calls below. */
void           _gaio_future_seal                (GaioFuture         *future);
void           _gaio_future_complete_value      (GaioFuture         *future,
                                                 GValue             *value);
void           _gaio_future_complete_error      (GaioFuture         *future,
                                                 GError             *error);

/* asyncio's `_log_traceback = False`: the error counts as retrieved. */
void           _gaio_future_mark_retrieved      (GaioFuture         *future);

/* Adds a done callback that resumes @task, taking the caller's reference
 * on @task (released when the callback has run or is dropped): it is
 * scheduled as a handle of its own that names @task, so that the loop
 * reports a slow step as `Executing <Task ...> took ...` (asyncio's
 * _format_handle()). Callbacks keep the order they were added in. Only
 * for a gaio_await() frame of @task suspended on @future (still
 * pending), which holds a reference on it until it returns, then lets go
 * of it with _gaio_future_release_awaited(): the wakeup may share that
 * reference. */
void           _gaio_future_add_task_callback   (GaioFuture         *future,
                                                 GaioFutureCallback  callback,
                                                 GaioFuture         *task);

/* _gaio_future_release() for the reference of a gaio_await() frame of
 * @task (%NULL outside a task): it may be shared with the wakeup. */
void           _gaio_future_release_awaited     (GaioFuture         *future,
                                                 GaioFuture         *task);

/* The pieces of asyncio's future repr, for subclasses that override
 * to_string: the state word (`pending`, `cancelled`, `finished`), the
 * outcome (` result=...` or ` exception=...`, nothing when not finished)
 * and the tail (` cb=[...]` and, in debug mode, ` created at SITE`). */
void           _gaio_future_describe_state      (GaioFuture         *future,
                                                 GString            *text);
void           _gaio_future_describe_outcome    (GaioFuture         *future,
                                                 GString            *text);
void           _gaio_future_describe_tail       (GaioFuture         *future,
                                                 GString            *text);

typedef void (*GaioFutureCancelHook) (GaioFuture *future,
                                      gpointer    user_data);

/* Sets the one function told, synchronously and on the loop's thread,
 * when the future is cancelled; NULL removes it. @destroy frees
 * @user_data when the hook is replaced, removed, finalized with the
 * future, or has been called (the hook is dropped once called). Cheaper
 * than a done callback and immediate, which is what lets an executor job
 * that has not started never run. */
void _gaio_future_set_cancel_hook (GaioFuture           *future,
                                   GaioFutureCancelHook  hook,
                                   gpointer              user_data,
                                   GDestroyNotify        destroy);

G_END_DECLS
