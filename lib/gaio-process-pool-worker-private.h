/* gaio-process-pool-worker-private.h: what the pool needs of the worker side
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* The environment of a worker process, set by the pool: the wire
 * version, and the parent's argv[0] (the worker's program name). */
#define GAIO_WORKER_ENV        "GAIO_PROCESS_POOL_WORKER"
#define GAIO_WORKER_ARGV0_ENV  "GAIO_PROCESS_POOL_ARGV0"

/* Whether this process was started as a process-pool worker: it must
 * never start workers of its own. */
gboolean    _gaio_process_pool_started_as_worker (void);

/* Whether gaio_process_pool_worker_guard() ran in this process (so its
 * workers will run it too), and the argv[0] it saw. */
gboolean    _gaio_process_pool_guard_was_called  (void);
const char *_gaio_process_pool_get_argv0         (void);

/* Called where a program that forgot the guard reaches libgaio in a
 * worker (a loop or a pool is created): says so on stderr and to the
 * parent, and exits. Returns only in a process that is not a worker or
 * that called the guard. */
void        _gaio_process_pool_check_guard       (const char *where);

G_END_DECLS
