/* gaio-future.h: the result of an operation that is not done yet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

/**
 * GaioFutureState:
 * @GAIO_FUTURE_PENDING: no result yet
 * @GAIO_FUTURE_CANCELLED: cancelled with [method@Gaio.Future.cancel]
 * @GAIO_FUTURE_FINISHED: holds a result or an error
 *
 * The states of a [struct@Gaio.Future], as asyncio's.
 *
 * Since: 1.0
 */
typedef enum {
  GAIO_FUTURE_PENDING,
  GAIO_FUTURE_CANCELLED,
  GAIO_FUTURE_FINISHED,
} GaioFutureState;

/**
 * GaioAsyncFinishFunc:
 * @source_object: (nullable): the source object of the operation
 * @result: the result passed to the #GAsyncReadyCallback
 * @error: return location for a #GError
 *
 * The shape of a GIO `_finish` function, for
 * [ctor@Gaio.Future.new_for_async]. The real function may return
 * another type than a pointer: the result type given to
 * [ctor@Gaio.Future.new_for_async] says which. Cast with
 * GAIO_ASYNC_FINISH().
 *
 * Returns: the operation's result
 *
 * Since: 1.0
 */
typedef gpointer (*GaioAsyncFinishFunc) (gpointer       source_object,
                                         GAsyncResult  *result,
                                         GError       **error);

/**
 * GAIO_ASYNC_FINISH:
 * @func: a GIO `_finish` function
 *
 * Casts @func to a #GaioAsyncFinishFunc.
 *
 * Since: 1.0
 */
#define GAIO_ASYNC_FINISH(func) ((GaioAsyncFinishFunc) (void (*) (void)) (func))

#define GAIO_TYPE_FUTURE (gaio_future_get_type ())

/**
 * GAIO_FUTURE:
 * @ptr: a #GaioFuture or a #GaioTask
 *
 * Casts a task (or a pointer known to hold a future) to a #GaioFuture.
 * A task is a future: its structure begins with the future's, so the cast
 * is always valid and checks nothing. For the other direction, use
 * GAIO_TASK(), which checks.
 *
 * Since: 1.0
 */
#define GAIO_FUTURE(ptr) ((GaioFuture *) (ptr))

GAIO_AVAILABLE_IN_ALL
GType            gaio_future_get_type               (void) G_GNUC_CONST;

GAIO_AVAILABLE_IN_ALL
GaioFuture      *gaio_future_ref                    (GaioFuture          *future);
GAIO_AVAILABLE_IN_ALL
void             gaio_future_unref                  (GaioFuture          *future);

GAIO_AVAILABLE_IN_ALL
GaioFuture      *gaio_future_new                    (GaioLoop            *loop);
GAIO_AVAILABLE_IN_ALL
GaioFuture      *gaio_future_new_for_async          (GaioLoop            *loop,
                                                     GaioAsyncFinishFunc  finish,
                                                     GType                result_type);
GAIO_AVAILABLE_IN_ALL
void             gaio_future_async_ready_callback   (GObject             *source_object,
                                                     GAsyncResult        *result,
                                                     gpointer             user_data);
GAIO_AVAILABLE_IN_ALL
GaioLoop        *gaio_future_get_loop               (GaioFuture          *future);
GAIO_AVAILABLE_IN_ALL
GaioFutureState  gaio_future_get_state              (GaioFuture          *future);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_is_done                (GaioFuture          *future);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_is_cancelled           (GaioFuture          *future);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_cancel                 (GaioFuture          *future,
                                                     const char          *message);
GAIO_AVAILABLE_IN_ALL
GCancellable    *gaio_future_get_cancellable        (GaioFuture          *future);

GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result             (GaioFuture          *future,
                                                     const GValue        *value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_take_result            (GaioFuture          *future,
                                                     GValue              *value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_int64       (GaioFuture          *future,
                                                     gint64               value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_uint64      (GaioFuture          *future,
                                                     guint64              value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_double      (GaioFuture          *future,
                                                     gdouble              value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_boolean     (GaioFuture          *future,
                                                     gboolean             value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_string      (GaioFuture          *future,
                                                     const char          *value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_object      (GaioFuture          *future,
                                                     gpointer             object,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_boxed       (GaioFuture          *future,
                                                     GType                boxed_type,
                                                     gconstpointer        boxed,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_variant     (GaioFuture          *future,
                                                     GVariant            *variant,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_result_pointer     (GaioFuture          *future,
                                                     gpointer             pointer,
                                                     GDestroyNotify       destroy,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_set_error              (GaioFuture          *future,
                                                     const GError        *error_value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_take_error             (GaioFuture          *future,
                                                     GError              *error_value,
                                                     GError             **error);

GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_get_result             (GaioFuture          *future,
                                                     GValue              *value,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
GValue          *gaio_future_dup_result             (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
GType            gaio_future_get_result_type        (GaioFuture          *future);
GAIO_AVAILABLE_IN_ALL
gint64           gaio_future_get_result_int64       (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
guint64          gaio_future_get_result_uint64      (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gdouble          gaio_future_get_result_double      (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gboolean         gaio_future_get_result_boolean     (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
const char      *gaio_future_get_result_string      (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gpointer         gaio_future_get_result_object      (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gconstpointer    gaio_future_get_result_boxed       (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
GVariant        *gaio_future_get_result_variant     (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
gpointer         gaio_future_get_result_pointer     (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
GPtrArray       *gaio_future_dup_result_futures     (GaioFuture          *future,
                                                     GError             **error);
GAIO_AVAILABLE_IN_ALL
const GError    *gaio_future_get_error              (GaioFuture          *future,
                                                     GError             **error);

GAIO_AVAILABLE_IN_ALL
void             gaio_future_add_done_callback      (GaioFuture          *future,
                                                     GaioFutureCallback   callback,
                                                     gpointer             user_data,
                                                     GDestroyNotify       notify);
GAIO_AVAILABLE_IN_ALL
guint            gaio_future_remove_done_callback   (GaioFuture          *future,
                                                     GaioFutureCallback   callback,
                                                     gpointer             user_data);

GAIO_AVAILABLE_IN_ALL
void             gaio_future_wait_async             (GaioFuture          *future,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GAIO_AVAILABLE_IN_ALL
GValue          *gaio_future_wait_finish            (GaioFuture          *future,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* The wait's source object is the future's loop: see gaio_future_wait_async(). */
GAIO_AVAILABLE_IN_ALL
GValue          *gaio_loop_wait_finish              (GaioLoop            *loop,
                                                     GAsyncResult        *result,
                                                     GError             **error);

GAIO_AVAILABLE_IN_ALL
char            *gaio_future_to_string              (GaioFuture          *future);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GaioFuture, gaio_future_unref)

G_END_DECLS
