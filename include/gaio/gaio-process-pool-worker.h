/* gaio-process-pool-worker.h: the worker side of process pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib.h>

#include "gaio-job.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

GAIO_AVAILABLE_IN_ALL
gboolean gaio_process_pool_executor_register      (const char    *name,
                                                   GaioJobFunc    func);

/**
 * GAIO_PROCESS_POOL_REGISTER:
 * @func: a [callback@Gaio.JobFunc]
 *
 * Registers @func under its own name, spelled as in the source, with
 * gaio_process_pool_executor_register().
 *
 * Since: 1.0
 */
#define GAIO_PROCESS_POOL_REGISTER(func) gaio_process_pool_executor_register (#func, (func))

GAIO_AVAILABLE_IN_ALL
void     gaio_process_pool_executor_worker_guard  (int           *argc,
                                                   char        ***argv);
GAIO_AVAILABLE_IN_ALL
int      gaio_process_pool_executor_worker_main   (int           *argc,
                                                   char        ***argv);
GAIO_AVAILABLE_IN_ALL
gboolean gaio_process_pool_executor_is_worker     (void);

G_END_DECLS
