/* gaio-thread-pool-executor.h: an executor on a GThreadPool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "gaio-executor.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

/**
 * GaioExecutorInitializer:
 * @user_data: the data given with the initializer
 * @error: return location for a #GError
 *
 * Runs once in each worker of an executor, before its first job (Python's
 * `initializer`). A failure breaks the executor: its jobs fail with
 * %GAIO_ERROR_BROKEN_EXECUTOR.
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 1.0
 */
typedef gboolean (*GaioExecutorInitializer) (gpointer   user_data,
                                             GError   **error);

#define GAIO_TYPE_THREAD_POOL_EXECUTOR (gaio_thread_pool_executor_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioThreadPoolExecutor, gaio_thread_pool_executor,
                      GAIO, THREAD_POOL_EXECUTOR, GObject)

GAIO_AVAILABLE_IN_ALL
GaioThreadPoolExecutor *gaio_thread_pool_executor_new                 (guint                    max_workers,
                                                                       const char              *thread_name_prefix);
GAIO_AVAILABLE_IN_ALL
GaioThreadPoolExecutor *gaio_thread_pool_executor_new_with_initializer (guint                    max_workers,
                                                                       const char              *thread_name_prefix,
                                                                       GaioExecutorInitializer  initializer,
                                                                       gpointer                 user_data,
                                                                       GDestroyNotify           notify);
GAIO_AVAILABLE_IN_ALL
guint                   gaio_thread_pool_executor_get_max_workers     (GaioThreadPoolExecutor  *executor);
GAIO_AVAILABLE_IN_ALL
const char             *gaio_thread_pool_executor_get_thread_name_prefix (GaioThreadPoolExecutor *executor);

G_END_DECLS
