/* gaio-process-pool-executor.h: an executor whose workers are processes
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
#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

#define GAIO_TYPE_PROCESS_POOL_EXECUTOR (gaio_process_pool_executor_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioProcessPoolExecutor, gaio_process_pool_executor,
                      GAIO, PROCESS_POOL_EXECUTOR, GObject)

GAIO_AVAILABLE_IN_ALL
GaioProcessPoolExecutor *gaio_process_pool_executor_new                 (guint                     max_workers);
GAIO_AVAILABLE_IN_ALL
GaioProcessPoolExecutor *gaio_process_pool_executor_new_for_worker      (guint                     max_workers,
                                                                         const char * const       *worker_argv);

GAIO_AVAILABLE_IN_ALL
void                     gaio_process_pool_executor_set_launcher_prefix (GaioProcessPoolExecutor  *executor,
                                                                         const char * const       *prefix);
GAIO_AVAILABLE_IN_ALL
void                     gaio_process_pool_executor_set_max_tasks_per_child (GaioProcessPoolExecutor *executor,
                                                                         guint                     max_tasks);
GAIO_AVAILABLE_IN_ALL
gboolean                 gaio_process_pool_executor_set_initializer     (GaioProcessPoolExecutor  *executor,
                                                                         GaioJobFunc               initializer,
                                                                         GVariant                 *initargs,
                                                                         GError                  **error);
GAIO_AVAILABLE_IN_ALL
void                     gaio_process_pool_executor_set_initializer_name (GaioProcessPoolExecutor *executor,
                                                                         const char               *name,
                                                                         GVariant                 *initargs);

GAIO_AVAILABLE_IN_ALL
guint                    gaio_process_pool_executor_get_max_workers     (GaioProcessPoolExecutor  *executor);
GAIO_AVAILABLE_IN_ALL
guint                    gaio_process_pool_executor_get_max_tasks_per_child (GaioProcessPoolExecutor *executor);
GAIO_AVAILABLE_IN_ALL
const char * const      *gaio_process_pool_executor_get_worker_argv     (GaioProcessPoolExecutor  *executor);
GAIO_AVAILABLE_IN_ALL
const char * const      *gaio_process_pool_executor_get_launcher_prefix (GaioProcessPoolExecutor  *executor);
GAIO_AVAILABLE_IN_ALL
GPid                    *gaio_process_pool_executor_get_worker_pids     (GaioProcessPoolExecutor  *executor,
                                                                         guint                    *n_pids);

GAIO_AVAILABLE_IN_ALL
GaioFuture              *gaio_process_pool_executor_submit_named        (GaioProcessPoolExecutor  *executor,
                                                                         GaioLoop                 *loop,
                                                                         const char               *function_name,
                                                                         GVariant                 *args);
GAIO_AVAILABLE_IN_ALL
void                     gaio_process_pool_executor_submit_named_async  (GaioProcessPoolExecutor  *executor,
                                                                         GaioLoop                 *loop,
                                                                         const char               *function_name,
                                                                         GVariant                 *args,
                                                                         GCancellable             *cancellable,
                                                                         GAsyncReadyCallback       callback,
                                                                         gpointer                  user_data);
GAIO_AVAILABLE_IN_ALL
GVariant                *gaio_process_pool_executor_submit_named_finish (GaioProcessPoolExecutor  *executor,
                                                                         GAsyncResult             *result,
                                                                         GError                  **error);

G_END_DECLS
