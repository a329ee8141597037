/* gaio-process-pool-child-private.h: one worker process, as its pool sees it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"
#include "gaio-process-pool-wire-private.h"

G_BEGIN_DECLS

typedef enum {
  GAIO_POOL_CHILD_STARTING,   /* spawned, no HELLO yet */
  GAIO_POOL_CHILD_READY,      /* serving */
  GAIO_POOL_CHILD_RETIRING,   /* stdin closed: it exits once its jobs are done */
  GAIO_POOL_CHILD_DEAD,       /* gone (or killed), waiting to be reaped */
} GaioPoolChildState;

/* Everything here belongs to the pool's I/O thread, except pid (set
 * before the child is shared). */
typedef struct
{
  GSubprocess        *process;        /* (owned) (nullable) NULL when started by gaio-spawn.c */
  GPid                pid;
  int                 pidfd;          /* without @process: its pidfd, or -1 */
  gboolean            reaped;         /* without @process: waitpid() took it */
  int                 wait_status;    /* without @process, once @reaped */
  char                pid_text[16];   /* for the GAIO_WORKER_PID log field */
  int                 in_fd;          /* its stdin, non-blocking; -1 once closed */
  int                 out_fd;         /* its stdout, non-blocking; -1 at EOF */
  int                 err_fd;         /* its stderr, non-blocking; -1 at EOF */
  GaioPoolChildState  state;
  gint64              handshake_deadline_us;

  GaioWireReader      reader;
  GByteArray         *out;            /* (owned) frames not yet written */
  gsize               out_offset;     /* how much of @out was written */
  GString            *err_line;       /* (owned) a stderr line not yet complete */

  gboolean            exiting;        /* said it cannot serve and exits by itself */
  guint               n_inflight;     /* jobs sent, outcome not yet back */
  guint               budget;         /* jobs it may still be sent (max_tasks_per_child) */
} GaioPoolChild;

/* Starts @argv with GAIO_PROCESS_POOL_WORKER in its environment and
 * pipes on its stdin, stdout and stderr. */
GaioPoolChild *_gaio_pool_child_spawn        (const char * const *argv,
                                              const char         *argv0,
                                              gsize               max_body,
                                              GError            **error);
/* Frees the bookkeeping; the child must have been reaped. */
void           _gaio_pool_child_free         (GaioPoolChild      *child);

/* Queues a frame; written by _gaio_pool_child_flush(). */
gboolean       _gaio_pool_child_send         (GaioPoolChild      *child,
                                              GaioWireKind        kind,
                                              guint64             job_id,
                                              GVariant           *body,
                                              gsize               max_body,
                                              GError            **error);
gboolean       _gaio_pool_child_wants_write  (GaioPoolChild      *child);
/* Writes what the pipe takes without blocking. FALSE if the child's end
 * is gone (it died). */
gboolean       _gaio_pool_child_flush        (GaioPoolChild      *child);

/* Reads what its stdout holds into the reader. FALSE at EOF or on a read
 * error. */
gboolean       _gaio_pool_child_read         (GaioPoolChild      *child);
/* Logs what its stderr holds, line by line, in the Gaio domain with a
 * GAIO_WORKER_PID field; closes it at EOF. */
void           _gaio_pool_child_read_stderr  (GaioPoolChild      *child);

/* Signals EOF to the child, which exits once its jobs are done. */
void           _gaio_pool_child_close_stdin  (GaioPoolChild      *child);
void           _gaio_pool_child_kill         (GaioPoolChild      *child);
/* Waits for the child to exit, killing it after @timeout_us, and logs
 * what its stderr still holds. Returns how it ended ("exited with status
 * 3", "was killed by signal 9"). */
char          *_gaio_pool_child_reap         (GaioPoolChild      *child,
                                              gint64              timeout_us);

G_END_DECLS
