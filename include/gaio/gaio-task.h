/* gaio-task.h: a coroutine running on the loop, on its own stack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "gaio-future.h"
#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

/**
 * GAIO_TASK:
 * @ptr: a #GaioFuture that is a task
 *
 * Casts a future to the #GaioTask it is, with a check: a future that is
 * not a task gives a critical and %NULL. See also GAIO_FUTURE(), for the
 * other direction, and GAIO_IS_TASK().
 *
 * Since: 1.0
 */
#define GAIO_TASK(ptr) (gaio_task_from_future (GAIO_FUTURE (ptr)))

/**
 * GAIO_IS_TASK:
 * @ptr: (nullable): a #GaioFuture
 *
 * Whether @ptr is a task, as gaio_future_is_task() tells.
 *
 * Since: 1.0
 */
#define GAIO_IS_TASK(ptr) (gaio_future_is_task (GAIO_FUTURE (ptr)))

GAIO_AVAILABLE_IN_ALL
gboolean       gaio_future_is_task     (GaioFuture     *future);
GAIO_AVAILABLE_IN_ALL
GaioTask      *gaio_task_from_future   (GaioFuture     *future);

GAIO_AVAILABLE_IN_ALL
const char    *gaio_task_get_name      (GaioTask       *task);
GAIO_AVAILABLE_IN_ALL
void           gaio_task_set_name      (GaioTask       *task,
                                        const char     *name);
GAIO_AVAILABLE_IN_ALL
GaioCoroutine *gaio_task_get_coroutine (GaioTask       *task);
GAIO_AVAILABLE_IN_ALL
guint          gaio_task_cancelling    (GaioTask       *task);
GAIO_AVAILABLE_IN_ALL
guint          gaio_task_uncancel      (GaioTask       *task);

GAIO_AVAILABLE_IN_ALL
GaioTask      *gaio_current_task       (void);
GAIO_AVAILABLE_IN_ALL
GPtrArray     *gaio_all_tasks          (GaioLoop       *loop);

GAIO_AVAILABLE_IN_ALL
gboolean       gaio_await              (GaioFuture     *future,
                                        GValue         *result,
                                        GError        **error);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_await_coroutine    (GaioCoroutine  *coroutine,
                                        GValue         *result,
                                        GError        **error);

/**
 * gaio_task_ref: (skip)
 * @task: a #GaioTask
 *
 * [method@Gaio.Future.ref] for a task, typed: a task's reference is its
 * future's.
 *
 * Returns: (transfer full): @task
 *
 * Since: 1.0
 */
static inline GaioTask *
gaio_task_ref (GaioTask *task)
{
  return (GaioTask *) gaio_future_ref (GAIO_FUTURE (task));
}

/**
 * gaio_task_unref: (skip)
 * @task: (transfer full): a #GaioTask
 *
 * [method@Gaio.Future.unref] for a task, typed, as `g_clear_pointer()`
 * and `g_autoptr(GaioTask)` need it.
 *
 * Since: 1.0
 */
static inline void
gaio_task_unref (GaioTask *task)
{
  gaio_future_unref (GAIO_FUTURE (task));
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GaioTask, gaio_task_unref)

G_END_DECLS
