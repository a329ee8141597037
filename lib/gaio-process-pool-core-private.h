/* gaio-process-pool-core-private.h: a process pool's I/O thread and its children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* What GaioProcessPoolExecutor gives its core, fixed by the first job. */
typedef struct
{
  guint      max_workers;
  guint      max_tasks;              /* 0: no limit */
  char     **argv;                   /* (owned) launcher prefix + worker argv; stolen */
  char      *argv0;                  /* (owned) (nullable) the program's argv[0]; stolen */
  char      *initializer;            /* (nullable) copied */
  GVariant  *initargs;               /* (nullable) referenced */
  gsize      max_body;
  gint64     handshake_timeout_us;
} GaioPoolConfig;

/* The pool: a mailbox the loop threads post jobs to, and the I/O thread
 * that serves it. Reference-counted: the I/O thread holds one, so a pool
 * dropped without a shutdown winds down in the background. */
typedef struct _GaioPoolCore GaioPoolCore;

GaioPoolCore *_gaio_pool_core_new         (GaioPoolConfig  *config,
                                           GError         **error);
void          _gaio_pool_core_unref       (GaioPoolCore    *core);

/* Starts the I/O thread. On failure the core is broken: later
 * submissions fail with the same error. */
gboolean      _gaio_pool_core_start       (GaioPoolCore    *core,
                                           GError         **error);

/* Queues @job, whose function travels as @name (interned), or fails with
 * GAIO_ERROR_EXECUTOR_SHUTDOWN or the pool's BROKEN_EXECUTOR error. Any
 * thread (a loop's). */
gboolean      _gaio_pool_core_submit      (GaioPoolCore    *core,
                                           GaioJob         *job,
                                           const char      *name,
                                           GError         **error);
/* Executor.shutdown(): with @wait, returns once every job ran and every
 * child was waited for. */
void          _gaio_pool_core_shutdown    (GaioPoolCore    *core,
                                           gboolean         wait,
                                           gboolean         cancel_futures);
gboolean      _gaio_pool_core_is_shutdown (GaioPoolCore    *core);
GPid         *_gaio_pool_core_get_pids    (GaioPoolCore    *core,
                                           guint           *n_pids);
/* Test hook: whether a job submitted now would go the lone way (the I/O
 * thread sleeps with a child idle), how many did so far, and how many
 * more were sent to another idle child from a loop's thread. */
gboolean      _gaio_pool_core_can_lend    (GaioPoolCore    *core,
                                           guint64         *n_lent,
                                           guint64         *n_sent_now);

G_END_DECLS
