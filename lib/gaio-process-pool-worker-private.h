/* gaio-process-pool-worker-private.h: what the pool needs of the worker side
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The argv[0] that gaio_process_pool_executor_worker_guard() saw in the parent
 * (the program name its workers take), or NULL. Whether this process is
 * a worker, and whether it called the guard, is
 * gaio-process-pool-role-private.h's. */
const char *_gaio_process_pool_get_argv0         (void);

G_END_DECLS
