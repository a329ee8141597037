/* gaio-task-private.h: what the loop needs of GaioTask
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* gaio_loop_create_task(): takes @coroutine. With @thread_ok FALSE (a
 * debug-mode call from another thread) or on a closed loop, the task is
 * returned failed and the coroutine closed. */
GaioTask *_gaio_task_new             (GaioLoop      *loop,
                                      GaioCoroutine *coroutine,
                                      gboolean       thread_ok);

/* The loop's close hook for its tasks (registered by gaio-loop-task.c
 * with the first task): reports every task of @loop still pending as
 * `Task was destroyed but it is pending!` and unwinds it. */
void      _gaio_task_destroy_pending (GaioLoop      *loop);

G_END_DECLS
