/* gaio-process-pool-role-private.h: whether this process is a pool worker
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The environment of a worker process, set by the pool: the wire
 * version, and the parent's argv[0] (the worker's program name). */
#define GAIO_WORKER_ENV        "GAIO_PROCESS_POOL_WORKER"
#define GAIO_WORKER_ARGV0_ENV  "GAIO_PROCESS_POOL_ARGV0"

/* Exit status of a worker that cannot serve (EX_SOFTWARE). */
#define GAIO_WORKER_EXIT_FAILURE 70

/* Whether this process was started as a process-pool worker: it must
 * never start workers of its own. */
gboolean    _gaio_process_pool_started_as_worker (void);

/* Whether gaio_process_pool_executor_worker_guard() ran in this process (so its
 * workers will run it too); the guard says so first thing. Any thread. */
gboolean    _gaio_process_pool_guard_was_called  (void);
void        _gaio_process_pool_note_guard_called (void);

/* Called where a program that forgot the guard reaches libgaio in a
 * worker (a loop or a pool is created): says so on stderr and to the
 * parent, and exits. Returns only in a process that is not a worker or
 * that called the guard. */
void        _gaio_process_pool_check_guard       (const char *where);

G_END_DECLS
