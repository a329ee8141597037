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

#define GAIO_TYPE_TASK (gaio_task_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioTask, gaio_task, GAIO, TASK, GaioFuture)

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

G_END_DECLS
