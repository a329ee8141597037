/* gaio-executor.h: where run_in_executor() runs functions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "gaio-job.h"
#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

#define GAIO_TYPE_EXECUTOR (gaio_executor_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (GaioExecutor, gaio_executor, GAIO, EXECUTOR, GObject)

/**
 * GaioExecutorInterface:
 * @submit: queues @job: the executor calls gaio_job_run() on it later,
 *   in whatever thread or process it runs jobs in, or gaio_job_fail().
 *   Returns %FALSE with %GAIO_ERROR_EXECUTOR_SHUTDOWN (or another error)
 *   if it takes no more jobs. Called on the loop's thread.
 * @shutdown: stops taking jobs; see gaio_executor_shutdown()
 * @is_shutdown: whether @shutdown was called
 *
 * The interface of executors (Python's `concurrent.futures.Executor`).
 *
 * Since: 1.0
 */
struct _GaioExecutorInterface
{
  GTypeInterface parent_iface;

  gboolean (*submit)      (GaioExecutor  *executor,
                           GaioJob       *job,
                           GError       **error);
  void     (*shutdown)    (GaioExecutor  *executor,
                           gboolean       wait,
                           gboolean       cancel_futures);
  gboolean (*is_shutdown) (GaioExecutor  *executor);

  /*< private >*/
  gpointer _reserved[8];
};

GAIO_AVAILABLE_IN_ALL
gboolean gaio_executor_submit      (GaioExecutor  *executor,
                                    GaioJob       *job,
                                    GError       **error);
GAIO_AVAILABLE_IN_ALL
void     gaio_executor_shutdown    (GaioExecutor  *executor,
                                    gboolean       wait,
                                    gboolean       cancel_futures);
GAIO_AVAILABLE_IN_ALL
gboolean gaio_executor_is_shutdown (GaioExecutor  *executor);

G_END_DECLS
