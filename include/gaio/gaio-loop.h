/* gaio-loop.h: asyncio's event loop on a GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gaio-executor.h"
#include "gaio-job.h"
#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

#define GAIO_TYPE_LOOP (gaio_loop_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioLoop, gaio_loop, GAIO, LOOP, GObject)

GAIO_AVAILABLE_IN_ALL
GaioLoop             *gaio_loop_new                       (GMainContext          *context);
GAIO_AVAILABLE_IN_ALL
GaioLoop             *gaio_get_running_loop               (void);
GAIO_AVAILABLE_IN_ALL
GMainContext         *gaio_loop_get_context               (GaioLoop              *loop);
GAIO_AVAILABLE_IN_ALL
gdouble               gaio_loop_time                      (GaioLoop              *loop);

GAIO_AVAILABLE_IN_ALL
GaioHandle           *gaio_loop_call_soon                 (GaioLoop              *loop,
                                                           GaioCallback           callback,
                                                           gpointer               user_data,
                                                           GDestroyNotify         notify,
                                                           GError               **error);
GAIO_AVAILABLE_IN_ALL
GaioHandle           *gaio_loop_call_later                (GaioLoop              *loop,
                                                           gdouble                delay,
                                                           GaioCallback           callback,
                                                           gpointer               user_data,
                                                           GDestroyNotify         notify,
                                                           GError               **error);
GAIO_AVAILABLE_IN_ALL
GaioHandle           *gaio_loop_call_at                   (GaioLoop              *loop,
                                                           gdouble                when,
                                                           GaioCallback           callback,
                                                           gpointer               user_data,
                                                           GDestroyNotify         notify,
                                                           GError               **error);
GAIO_AVAILABLE_IN_ALL
GaioHandle           *gaio_loop_call_soon_threadsafe      (GaioLoop              *loop,
                                                           GaioCallback           callback,
                                                           gpointer               user_data,
                                                           GDestroyNotify         notify,
                                                           GError               **error);

GAIO_AVAILABLE_IN_ALL
gboolean              gaio_loop_run_forever               (GaioLoop              *loop,
                                                           GError               **error);
GAIO_AVAILABLE_IN_ALL
gboolean              gaio_loop_run_until_complete        (GaioLoop              *loop,
                                                           GaioFuture            *future,
                                                           GValue                *result,
                                                           GError               **error);
GAIO_AVAILABLE_IN_ALL
GValue               *gaio_loop_run_until_complete_dup_result (GaioLoop          *loop,
                                                               GaioFuture        *future,
                                                               GError           **error);
GAIO_AVAILABLE_IN_ALL
void                  gaio_loop_stop                      (GaioLoop              *loop);
GAIO_AVAILABLE_IN_ALL
gboolean              gaio_loop_close                     (GaioLoop              *loop,
                                                           GError               **error);
GAIO_AVAILABLE_IN_ALL
gboolean              gaio_loop_is_running                (GaioLoop              *loop);
GAIO_AVAILABLE_IN_ALL
gboolean              gaio_loop_is_closed                 (GaioLoop              *loop);

GAIO_AVAILABLE_IN_ALL
GaioFuture           *gaio_loop_create_future             (GaioLoop              *loop);
GAIO_AVAILABLE_IN_ALL
GaioTask             *gaio_loop_create_task               (GaioLoop              *loop,
                                                           GaioCoroutine         *coroutine);

GAIO_AVAILABLE_IN_ALL
GaioFuture           *gaio_loop_run_in_executor           (GaioLoop              *loop,
                                                           GaioExecutor          *executor,
                                                           GaioJobFunc            func,
                                                           GVariant              *args,
                                                           gpointer               user_data,
                                                           GDestroyNotify         notify);
GAIO_AVAILABLE_IN_ALL
void                  gaio_loop_run_in_executor_async     (GaioLoop              *loop,
                                                           GaioExecutor          *executor,
                                                           GaioJobFunc            func,
                                                           GVariant              *args,
                                                           gpointer               job_data,
                                                           GDestroyNotify         job_data_destroy,
                                                           GCancellable          *cancellable,
                                                           GAsyncReadyCallback    callback,
                                                           gpointer               user_data);
GAIO_AVAILABLE_IN_ALL
GValue               *gaio_loop_run_in_executor_finish    (GaioLoop              *loop,
                                                           GAsyncResult          *result,
                                                           GError               **error);
GAIO_AVAILABLE_IN_ALL
gboolean              gaio_loop_set_default_executor      (GaioLoop              *loop,
                                                           GaioExecutor          *executor,
                                                           GError               **error);
GAIO_AVAILABLE_IN_ALL
GaioFuture           *gaio_loop_shutdown_default_executor (GaioLoop              *loop);

GAIO_AVAILABLE_IN_ALL
void                  gaio_loop_set_exception_handler     (GaioLoop              *loop,
                                                           GaioExceptionHandler   handler,
                                                           gpointer               user_data,
                                                           GDestroyNotify         notify);
GAIO_AVAILABLE_IN_ALL
GaioExceptionHandler  gaio_loop_get_exception_handler     (GaioLoop              *loop,
                                                           gpointer              *user_data);
GAIO_AVAILABLE_IN_ALL
gboolean              gaio_loop_has_exception_handler     (GaioLoop              *loop);
GAIO_AVAILABLE_IN_ALL
void                  gaio_loop_default_exception_handler (GaioLoop              *loop,
                                                           GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
void                  gaio_loop_call_exception_handler    (GaioLoop              *loop,
                                                           GaioExceptionContext  *context);

GAIO_AVAILABLE_IN_ALL
gboolean              gaio_loop_get_debug                 (GaioLoop              *loop);
GAIO_AVAILABLE_IN_ALL
void                  gaio_loop_set_debug                 (GaioLoop              *loop,
                                                           gboolean               enabled);
GAIO_AVAILABLE_IN_ALL
gint                  gaio_loop_get_priority               (GaioLoop             *loop);
GAIO_AVAILABLE_IN_ALL
void                  gaio_loop_set_priority               (GaioLoop             *loop,
                                                            gint                  priority);
GAIO_AVAILABLE_IN_ALL
gdouble               gaio_loop_get_slow_callback_duration (GaioLoop             *loop);
GAIO_AVAILABLE_IN_ALL
void                  gaio_loop_set_slow_callback_duration (GaioLoop             *loop,
                                                            gdouble               seconds);

G_END_DECLS
