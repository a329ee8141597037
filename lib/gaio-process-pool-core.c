/* gaio-process-pool-core.c: a process pool's I/O thread and its children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The machinery of GaioProcessPoolExecutor (gaio-process-pool-executor.c
 * holds the GObject and its configuration): Python's ProcessPoolExecutor
 * on GSubprocess children that stay alive between jobs (starting one
 * costs 1 to 2 ms). Jobs travel as frames (gaio-process-pool-wire.c) naming their
 * function (gaio-process-pool-registry.c) with GVariant arguments; workers
 * serve them in gaio-process-pool-worker.c.
 *
 * Threads. One I/O thread per pool, started with its first job, owns the
 * children: it spawns them, writes their calls, reads their results and
 * their stderr with poll(2) and non-blocking pipes, and reaps them. The
 * loop thread only queues jobs in a mailbox and wakes the I/O thread
 * through an eventfd when it sleeps. Outcomes go from the I/O thread to
 * the loop through the job's delivery (gaio-job.c), that is the loop's
 * inbox, so a batch of results wakes the loop once and every future
 * completes on the loop's thread.
 *
 * A thread of its own, rather than the loop's GMainContext, because the
 * pool belongs to no loop (several loops may share it, as Python's
 * executors are shared), because shutdown (wait = TRUE) must be able to
 * block the loop's thread while the jobs finish (the seed program's
 * `with ProcessPoolExecutor() as pool:` does exactly that). Its I/O is
 * plain non-blocking read(2)/write(2) under one poll(2), not GIO's
 * asynchronous streams: a pipe round trip to a live child costs 3 to 5
 * us, one through GIO's streams about 11 (a GTask and a dispatch per
 * operation).
 *
 * Batching. Calls and results both travel in batches: the I/O thread
 * writes every call queued since it last woke in one write(2) per child,
 * and workers write results in batches (see the worker). How many calls
 * a child may hold at once adapts to the jobs: one while nothing is known
 * (a long job never waits behind another in a busy child while a child
 * is idle), then as many as fit in BATCH_BUDGET_US of the jobs' average
 * run time, which the workers report with each result. Trivial jobs thus
 * stream through a few hundred at a time while long ones go one by one
 * to the least loaded child.
 *
 * Failure. Any worker that dies with jobs (killed, crashed, exit() in a
 * job), sends a malformed frame, fails its handshake or its initializer
 * breaks the whole pool, as BrokenProcessPool does: every job not done
 * fails with GAIO_ERROR_BROKEN_EXECUTOR, the other children are killed
 * and reaped, and later submissions fail at once. Nothing waits on a
 * worker that cannot answer: the handshake has a deadline, and a child
 * that closed its pipe is killed before it is waited for.
 *
 * Latency. A lone job would cross three thread wake-ups: loop -> worker,
 * worker -> I/O thread, I/O thread -> loop. Traced on a loaded 2-core
 * machine, each costs tens of microseconds (a pipe ping-pong between two
 * processes there has a median of 75 to 140 us), far more than the job.
 * So while the I/O thread sleeps, the loop thread that submits a job
 * writes the call itself and reads the outcome itself, from a source of
 * its own context: two wake-ups (see "lone jobs" below).
 *
 * Cancellation. A job's future cancelled while the job waits in the
 * mailbox drops it (gaio-job.c's state machine); cancelled once sent, the
 * job's remote-cancel hook posts its id to the mailbox, and the I/O
 * thread sends the worker a CANCEL, which cancels the job's GCancellable
 * there. No GCancellable is made in the parent for that: on a stream of
 * small jobs, one per job cost more than the rest of the submission.
 * shutdown (cancel_futures) cancels the jobs still in the pool, and takes
 * back those written to a worker, but its oldest, with a WITHDRAW, which
 * the worker answers at once for a call it has not started (see
 * withdraw_inflight()).
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_EVENTFD
# include <sys/eventfd.h>
#endif

#include <glib-unix.h>

#include "gaio-job-private.h"
#include "gaio-log-private.h"
#include "gaio-loop-private.h"
#include "gaio-process-pool-child-private.h"
#include "gaio-process-pool-core-private.h"
#include "gaio-tsan-private.h"
#include "gaio-process-pool-wire-private.h"

/* How much estimated work a child may be handed at once, and the most
 * calls it may hold whatever their cost. */
#define BATCH_BUDGET_US  500.0
#define MAX_DEPTH        256

/* How long children get to exit once told to, before they are killed. */
#define EXIT_GRACE_US    (5 * G_USEC_PER_SEC)

#define BROKEN_JOB_MESSAGE \
  "A process in the process pool was terminated abruptly while the future was running or pending."
#define BROKEN_POOL_MESSAGE \
  "A child process terminated abruptly, the process pool is not usable anymore"

typedef GaioPoolCore PoolCore;

/* A job sent to a child, until its outcome comes back. */
typedef struct
{
  guint64         id;
  GaioJob        *job;            /* (owned) */
  GaioPoolChild  *child;          /* (unowned) */
  gboolean        withdrawn;      /* a WITHDRAW was sent for it */
} Inflight;

/* A job the loop submitted, not yet sent. */
typedef struct
{
  GaioJob        *job;            /* (owned) */
  const char     *name;           /* (unowned) interned */
} Pending;

/* Who may touch what the I/O thread owns (the children, the jobs in
 * flight). While the I/O thread sleeps in poll() it touches nothing: it
 * is parked, and a loop thread may borrow its role for a moment. */
typedef enum
{
  ROLE_IO_THREAD,                 /* the I/O thread, awake */
  ROLE_PARKED,                    /* nobody: any thread holding the lock may borrow it */
  ROLE_BORROWED,                  /* a loop thread, without the lock */
} IoRole;

typedef struct _LeaseSource LeaseSource;
static void revoke_lease (LeaseSource *lease);

/* What the pool object and its I/O thread share. The thread holds a
 * reference, so a pool dropped without a shutdown winds down in the
 * background as Python's does when its executor is collected. */
struct _GaioPoolCore
{
  gint          ref_count;        /* (atomic) */

  /* Set before the I/O thread starts, read-only after: */
  guint         max_workers;
  guint         max_tasks;        /* 0: no limit */
  char        **argv;             /* (owned) launcher prefix + worker argv */
  char         *argv0;            /* (owned) (nullable) */
  char         *initializer;      /* (owned) "" for none */
  GVariant     *initargs;         /* (owned) (nullable) */
  gsize         max_body;
  gint64        handshake_timeout_us;
  int           wake_read_fd;
  int           wake_write_fd;

  GMutex        lock;
  GCond         cond;
  /* Protected by lock: */
  GQueue        pending;          /* (element-type Pending) (owned) */
  GArray       *cancels;          /* (element-type guint64) ids to cancel */
  gboolean      mail;             /* something above changed since the I/O thread looked */
  gboolean      sleeping;         /* the I/O thread is in poll() and needs a wake-up */
  IoRole        role;             /* who may do the I/O thread's work now */
  gboolean      role_wanted;      /* the I/O thread waits for a borrowed role */
  GaioPoolChild *lendable;        /* (nullable) while parked: an idle child whose
                                   * stdout the I/O thread does not poll */
  LeaseSource  *lease;            /* (owned) (nullable) the loop source reading
                                   * lendable's outcome */
  guint64       n_lent;           /* jobs sent by lend_child(), for the tests */
  guint64       n_sent_now;       /* jobs sent by send_to_idle_child(), same */
  gboolean      shutdown;         /* (atomic) written under lock, read without */
  gboolean      cancel_backlog;
  GError       *broken;           /* (owned) (nullable) what later submissions fail with */
  GThread      *thread;           /* (owned) (nullable) until joined */
  gboolean      finished;         /* the I/O thread is done: children reaped */
  GArray       *pids;             /* (element-type GPid) live children */

  /* I/O thread only: */
  GPtrArray    *children;         /* (element-type GaioPoolChild) (owned) */
  GHashTable   *inflight;         /* (owned) id -> Inflight */
  GQueue        backlog;          /* (element-type Pending) (owned) */
  guint64       next_id;
  gdouble       average_us;       /* of the jobs' run times; < 0 while unknown */
};

/* The lock, told to ThreadSanitizer (see gaio-tsan-private.h). */
static inline void
core_lock (PoolCore *core)
{
  g_mutex_lock (&core->lock);
  GAIO_TSAN_ACQUIRE (&core->lock);
}

static inline void
core_unlock (PoolCore *core)
{
  GAIO_TSAN_RELEASE (&core->lock);
  g_mutex_unlock (&core->lock);
}

static inline void
core_wait (PoolCore *core)
{
  GAIO_TSAN_RELEASE (&core->lock);
  g_cond_wait (&core->cond, &core->lock);
  GAIO_TSAN_ACQUIRE (&core->lock);
}

/* --- the shared core --------------------------------------------------- */

static PoolCore *
core_ref (PoolCore *core)
{
  g_atomic_int_inc (&core->ref_count);
  return core;
}

static void
pending_free (Pending *pending)
{
  gaio_job_unref (pending->job);
  g_free (pending);
}

static void
core_unref (PoolCore *core)
{
  if (!g_atomic_int_dec_and_test (&core->ref_count))
    return;

  /* The I/O thread has finished, or never started. */
  g_assert (core->children->len == 0);
  g_assert (g_hash_table_size (core->inflight) == 0);
  g_assert (g_queue_is_empty (&core->backlog));
  g_assert (g_queue_is_empty (&core->pending));

  /* A thread nobody joined (shutdown without wait) is let go. */
  if (core->thread != NULL)
    g_thread_unref (core->thread);
  g_strfreev (core->argv);
  g_free (core->argv0);
  g_free (core->initializer);
  g_clear_pointer (&core->initargs, g_variant_unref);
  g_array_unref (core->cancels);
  g_array_unref (core->pids);
  g_clear_error (&core->broken);
  g_ptr_array_unref (core->children);
  g_hash_table_unref (core->inflight);
  if (core->wake_write_fd != core->wake_read_fd)
    close (core->wake_write_fd);
  close (core->wake_read_fd);
  g_mutex_clear (&core->lock);
  g_cond_clear (&core->cond);
  g_free (core);
}

static gboolean
open_wake_fds (PoolCore  *core,
               GError   **error)
{
  int fds[2];

#ifdef HAVE_EVENTFD
  core->wake_read_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (core->wake_read_fd >= 0)
    {
      core->wake_write_fd = core->wake_read_fd;
      return TRUE;
    }
#endif

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;
  g_unix_set_fd_nonblocking (fds[0], TRUE, NULL);
  g_unix_set_fd_nonblocking (fds[1], TRUE, NULL);
  core->wake_read_fd = fds[0];
  core->wake_write_fd = fds[1];
  return TRUE;
}

/* HOLDS: lock. Posts mail: wakes the I/O thread if it sleeps. */
static void
post_mail_locked (PoolCore *core)
{
  static const guint64 one = 1;

  core->mail = TRUE;
  if (!core->sleeping)
    return;

  core->sleeping = FALSE;
  if (write (core->wake_write_fd, &one, core->wake_write_fd == core->wake_read_fd ? 8 : 1) < 0)
    {
      /* EAGAIN: a wake-up is pending already, which is all we need. */
    }
}

static void
drain_wake_fd (PoolCore *core)
{
  guint64 buffer[8];

  while (read (core->wake_read_fd, buffer, sizeof buffer) > 0)
    ;
}

static void
publish_pids (PoolCore *core)
{
  core_lock (core);
  g_array_set_size (core->pids, 0);
  for (guint i = 0; i < core->children->len; i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      if (child->state != GAIO_POOL_CHILD_DEAD)
        g_array_append_val (core->pids, child->pid);
    }
  core_unlock (core);
}

/* --- jobs in flight (I/O thread) --------------------------------------- */

/* The future of a job sent to a worker was cancelled: tell the worker,
 * which cancels the job's GCancellable there. The job's remote-cancel
 * hook, on the loop's thread; the job holds a reference on @data. */
static void
job_cancelled (GaioJob  *job,
               gpointer  data)
{
  PoolCore *core = data;
  guint64 id = _gaio_job_get_remote_id (job);

  core_lock (core);
  g_array_append_val (core->cancels, id);
  post_mail_locked (core);
  core_unlock (core);
}

/* Takes @inflight out of the table and frees it. Returns (transfer full)
 * its job. */
static GaioJob *
inflight_remove (PoolCore *core,
                 Inflight *inflight)
{
  GaioJob *job = inflight->job;

  g_hash_table_remove (core->inflight, &inflight->id);
  inflight->child->n_inflight--;
  g_free (inflight);

  return job;
}

/* Delivers a job's outcome: takes @value's contents or @error. */
static void
inflight_finish (PoolCore *core,
                 Inflight *inflight,
                 GValue   *value,
                 GError   *error)
{
  g_autoptr(GaioJob) job = inflight_remove (core, inflight);

  _gaio_job_finish (job, value, error);
}

/* A job the worker dropped unstarted after a WITHDRAW. */
static void
inflight_withdrawn (PoolCore *core,
                    Inflight *inflight)
{
  g_autoptr(GaioJob) job = inflight_remove (core, inflight);

  _gaio_job_withdrawn (job);
}

static void
fail_inflight (PoolCore     *core,
               const GError *error)
{
  GHashTableIter iter;
  Inflight *inflight;
  g_autoptr(GPtrArray) doomed = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, core->inflight);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &inflight))
    g_ptr_array_add (doomed, inflight);

  for (guint i = 0; i < doomed->len; i++)
    inflight_finish (core, g_ptr_array_index (doomed, i), NULL, g_error_copy (error));
}

/* --- breaking the pool (I/O thread) ------------------------------------ */

static void
fail_backlog (PoolCore     *core,
              const GError *error)
{
  Pending *pending;

  while ((pending = g_queue_pop_head (&core->backlog)) != NULL)
    {
      gaio_job_fail (pending->job, error);
      pending_free (pending);
    }
}

/* Python's terminate_broken(): every job not done fails with
 * @job_message, later submissions with @pool_message, and every child is
 * killed (the teardown reaps them). */
static void
break_pool (PoolCore   *core,
            const char *job_message,
            const char *pool_message)
{
  g_autoptr(GError) job_error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                                                     job_message);

  core_lock (core);
  if (core->broken == NULL)
    core->broken = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR, pool_message);
  /* Nothing more can arrive: submissions see ->broken under this lock. */
  while (!g_queue_is_empty (&core->pending))
    g_queue_push_tail (&core->backlog, g_queue_pop_head (&core->pending));
  core_unlock (core);

  fail_inflight (core, job_error);
  fail_backlog (core, job_error);

  /* A child that said it cannot serve exits by itself, and is left to
   * (the teardown still kills it after a grace period): killing a process
   * on its way out gains nothing, and disturbs what it does at exit (the
   * sanitizers' leak check, say). */
  for (guint i = 0; i < core->children->len; i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      if (!child->exiting)
        _gaio_pool_child_kill (child);
    }
}

static gboolean
is_broken (PoolCore *core)
{
  gboolean broken;

  core_lock (core);
  broken = core->broken != NULL;
  core_unlock (core);

  return broken;
}

/* A child failed before it said HELLO: most likely a program that runs
 * its own code instead of serving, because the guard is missing. */
static void
break_pool_at_handshake (PoolCore      *core,
                         GaioPoolChild *child,
                         const char    *what)
{
  g_autofree char *message =
    g_strdup_printf ("A process pool worker (pid %d) %s before the handshake: if the workers "
                     "run this program, it must call "
                     "gaio_process_pool_executor_worker_guard (&argc, &argv) "
                     "first thing in main() (the analogue of Python's "
                     "`if __name__ == '__main__':`); a worker executable must call "
                     "gaio_process_pool_executor_worker_main()", (int) child->pid, what);

  break_pool (core, message, message);
}

static void
break_pool_malformed (PoolCore      *core,
                      GaioPoolChild *child,
                      const GError  *error)
{
  g_autofree char *message = NULL;

  if (child->state == GAIO_POOL_CHILD_STARTING)
    {
      g_autofree char *what = g_strdup_printf ("sent something else than a HELLO (%s)",
                                               error->message);

      break_pool_at_handshake (core, child, what);
      return;
    }

  message = g_strdup_printf ("A process in the process pool (pid %d) sent a malformed message, "
                             "the process pool is not usable anymore: %s",
                             (int) child->pid, error->message);
  break_pool (core, message, message);
}

/* --- spawning and scheduling (I/O thread) ------------------------------ */

static GaioPoolChild *
spawn_child (PoolCore *core)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GaioPoolChild *child;

  child = _gaio_pool_child_spawn ((const char * const *) core->argv, core->argv0,
                                  core->max_body, &error);
  if (child == NULL)
    {
      message = g_strdup_printf ("Cannot start a process pool worker, the process pool is not "
                                 "usable anymore: %s", error->message);
      break_pool (core, message, message);
      return NULL;
    }

  child->handshake_deadline_us = g_get_monotonic_time () + core->handshake_timeout_us;
  child->budget = core->max_tasks != 0 ? core->max_tasks : G_MAXUINT;
  g_ptr_array_add (core->children, child);
  publish_pids (core);

  /* Written at once, ahead of the HELLO: calls can follow right behind. */
  _gaio_pool_child_send (child, GAIO_WIRE_CONFIG, 0,
                         g_variant_new ("(utsmv)", core->max_tasks, (guint64) core->max_body,
                                        core->initializer, core->initargs),
                         G_MAXSIZE, NULL);
  return child;
}

static guint
depth_limit (PoolCore *core)
{
  if (core->average_us < 0)
    return 1;

  return (guint) CLAMP (BATCH_BUDGET_US / MAX (core->average_us, 1.0), 1, MAX_DEPTH);
}

static gboolean
child_can_take_jobs (GaioPoolChild *child)
{
  return (child->state == GAIO_POOL_CHILD_STARTING || child->state == GAIO_POOL_CHILD_READY) &&
         child->budget > 0;
}

/* The least loaded child with room, or NULL. */
static GaioPoolChild *
pick_child (PoolCore *core)
{
  guint limit = depth_limit (core);
  GaioPoolChild *best = NULL;

  for (guint i = 0; i < core->children->len; i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      if (child_can_take_jobs (child) && child->n_inflight < limit &&
          (best == NULL || child->n_inflight < best->n_inflight))
        best = child;
    }

  return best;
}

static void
send_call (PoolCore      *core,
           GaioPoolChild *child,
           Pending       *pending)
{
  g_autoptr(GError) error = NULL;
  GaioJob *job = pending->job;
  Inflight *inflight;
  guint64 id;

  /* A job whose future was cancelled while it waited never runs. */
  id = ++core->next_id;
  _gaio_job_set_remote_id (job, id);
  if (!_gaio_job_begin (job))
    return;

  if (!_gaio_pool_child_send (child, GAIO_WIRE_CALL, id,
                              _gaio_wire_call_body (pending->name, gaio_job_get_args (job)),
                              core->max_body, &error))
    {
      _gaio_job_finish (job, NULL, g_steal_pointer (&error));
      return;
    }

  inflight = g_new0 (Inflight, 1);
  inflight->id = id;
  inflight->job = gaio_job_ref (job);
  inflight->child = child;
  g_hash_table_insert (core->inflight, &inflight->id, inflight);
  child->n_inflight++;
  child->budget--;
}

static guint
count_children (PoolCore *core)
{
  guint n = 0;

  for (guint i = 0; i < core->children->len; i++)
    if (((GaioPoolChild *) g_ptr_array_index (core->children, i))->state != GAIO_POOL_CHILD_DEAD)
      n++;

  return n;
}

static void
schedule (PoolCore *core)
{
  while (!g_queue_is_empty (&core->backlog))
    {
      GaioPoolChild *child = pick_child (core);
      Pending *pending;

      if (child == NULL)
        {
          if (count_children (core) >= core->max_workers)
            return;
          child = spawn_child (core);
          if (child == NULL)
            return;
        }

      pending = g_queue_pop_head (&core->backlog);
      send_call (core, child, pending);
      pending_free (pending);
    }
}

/* --- frames from children (I/O thread) --------------------------------- */

static void
record_run_time (PoolCore *core,
                 guint64   run_us)
{
  /* An exponential moving average: a few jobs are enough to adapt to a
   * change in the kind of work. */
  if (core->average_us < 0)
    core->average_us = run_us;
  else
    core->average_us = 0.875 * core->average_us + 0.125 * run_us;
}

static void
maybe_retire (GaioPoolChild *child)
{
  /* max_tasks_per_child: the child exits by itself after its last task;
   * closing its stdin makes sure of it. */
  if (child->budget == 0 && child->n_inflight == 0 && child->state == GAIO_POOL_CHILD_READY)
    {
      child->state = GAIO_POOL_CHILD_RETIRING;
      _gaio_pool_child_close_stdin (child);
    }
}

static gboolean
handle_outcome (PoolCore       *core,
                GaioPoolChild  *child,
                GaioWireFrame  *frame,
                GError        **error)
{
  Inflight *inflight = g_hash_table_lookup (core->inflight, &frame->job_id);
  GValue value = G_VALUE_INIT;
  GError *job_error = NULL;
  guint64 run_us;

  if (inflight == NULL || inflight->child != child)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Malformed frame: a %s for job %" G_GUINT64_FORMAT ", which it was not given",
                   _gaio_wire_kind_to_string (frame->kind), frame->job_id);
      return FALSE;
    }

  if (frame->kind == GAIO_WIRE_RESULT)
    {
      if (!_gaio_wire_parse_result (frame->body, &value, &run_us, error))
        return FALSE;
      record_run_time (core, run_us);
    }
  else
    {
      job_error = _gaio_wire_parse_error (frame->body, error);
      if (job_error == NULL)
        return FALSE;
    }

  /* Withdrawn in time: the worker never ran it. */
  if (inflight->withdrawn && g_error_matches (job_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (job_error);
      inflight_withdrawn (core, inflight);
    }
  else
    inflight_finish (core, inflight, &value, job_error);
  maybe_retire (child);
  return TRUE;
}

static gboolean
handle_hello (PoolCore       *core,
              GaioPoolChild  *child,
              GaioWireFrame  *frame,
              GError        **error)
{
  guint32 version;
  gint64 pid;

  if (!_gaio_wire_parse_hello (frame->body, &version, &pid, error))
    return FALSE;
  if (version != GAIO_WIRE_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The worker speaks version %u of the protocol, this pool version %d: is it "
                   "linked with another libgaio?", version, GAIO_WIRE_VERSION);
      return FALSE;
    }

  child->state = GAIO_POOL_CHILD_READY;
  return TRUE;
}

/* FATAL and INIT_FAILED: the worker cannot serve, and says why. */
static gboolean
handle_worker_failure (PoolCore       *core,
                       GaioPoolChild  *child,
                       GaioWireFrame  *frame,
                       GError        **error)
{
  g_autoptr(GError) reason = _gaio_wire_parse_error (frame->body, error);
  g_autofree char *message = NULL;

  if (reason == NULL)
    return FALSE;

  child->exiting = TRUE;
  /* What it printed on the way out (the guard's note) goes first. */
  _gaio_pool_child_read_stderr (child);

  if (frame->kind == GAIO_WIRE_INIT_FAILED)
    message = g_strdup_printf ("A process initializer failed, the process pool is not usable "
                               "anymore: %s", reason->message);
  else
    message = g_strdup (reason->message);

  break_pool (core, message, message);
  return TRUE;
}

static gboolean
handle_frame (PoolCore       *core,
              GaioPoolChild  *child,
              GaioWireFrame  *frame,
              GError        **error)
{
  gboolean starting = child->state == GAIO_POOL_CHILD_STARTING;

  switch (frame->kind)
    {
    case GAIO_WIRE_HELLO:
      if (starting)
        return handle_hello (core, child, frame, error);
      break;
    case GAIO_WIRE_RESULT:
    case GAIO_WIRE_ERROR:
      if (!starting)
        return handle_outcome (core, child, frame, error);
      break;
    case GAIO_WIRE_FATAL:
    case GAIO_WIRE_INIT_FAILED:
      return handle_worker_failure (core, child, frame, error);
    default:
      break;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "Malformed frame: unexpected %s", _gaio_wire_kind_to_string (frame->kind));
  return FALSE;
}

/* Handles every complete frame the child sent. FALSE if it broke the pool. */
static gboolean
handle_frames (PoolCore      *core,
               GaioPoolChild *child)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GaioWireFrame frame = { 0 };
      GaioWirePop pop = _gaio_wire_reader_pop (&child->reader, &frame, &error);
      gboolean ok;

      if (pop == GAIO_WIRE_POP_NEED_MORE)
        return TRUE;
      if (pop == GAIO_WIRE_POP_ERROR)
        {
          break_pool_malformed (core, child, error);
          return FALSE;
        }

      ok = handle_frame (core, child, &frame, &error);
      _gaio_wire_frame_clear (&frame);
      if (!ok)
        {
          break_pool_malformed (core, child, error);
          return FALSE;
        }
      if (is_broken (core))
        return FALSE;
    }
}

/* The child's stdout reached EOF: it exited (or closed it, which is the
 * same to us). Expected only from a child told to go with nothing left. */
static void
child_ended (PoolCore      *core,
             GaioPoolChild *child)
{
  gboolean expected = child->state == GAIO_POOL_CHILD_RETIRING && child->n_inflight == 0;
  gboolean starting = child->state == GAIO_POOL_CHILD_STARTING;
  g_autofree char *how = NULL;

  if (_gaio_wire_reader_pending (&child->reader) > 0)
    expected = FALSE;

  /* Before failing anything, collect its status and its last words. */
  how = _gaio_pool_child_reap (child, expected ? EXIT_GRACE_US : G_USEC_PER_SEC);

  if (expected)
    return;

  if (starting)
    {
      g_autofree char *what = g_strdup_printf ("%s", how);

      break_pool_at_handshake (core, child, what);
      return;
    }

  _gaio_log (G_LOG_LEVEL_MESSAGE, "A process pool worker (pid %d) %s with %u jobs running: "
             "the pool is broken", (int) child->pid, how, child->n_inflight);
  break_pool (core, BROKEN_JOB_MESSAGE, BROKEN_POOL_MESSAGE);
}

static void
remove_dead_children (PoolCore *core)
{
  gboolean removed = FALSE;

  for (guint i = core->children->len; i-- > 0;)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      if (child->state != GAIO_POOL_CHILD_DEAD || child->out_fd >= 0)
        continue;

      g_free (_gaio_pool_child_reap (child, EXIT_GRACE_US));
      _gaio_pool_child_free (child);
      g_ptr_array_remove_index (core->children, i);
      removed = TRUE;
    }

  if (removed)
    publish_pids (core);
}

/* --- the I/O thread ---------------------------------------------------- */

/* shutdown (cancel_futures): concurrent.futures cancels every work item
 * but those in its call queue, about one per worker, which count as
 * running. A worker here may hold many short jobs at once (see
 * "Batching" at the top), and would run them all: every job written to
 * a worker is taken back but the oldest of each worker, which it runs
 * or is about to. The worker drops a withdrawn job only if it has not
 * started it, which only the worker knows. */
static void
withdraw_inflight (PoolCore *core)
{
  g_autoptr(GHashTable) oldest = g_hash_table_new (NULL, NULL);   /* child -> Inflight */
  GHashTableIter iter;
  Inflight *inflight;

  g_hash_table_iter_init (&iter, core->inflight);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &inflight))
    {
      Inflight *first = g_hash_table_lookup (oldest, inflight->child);

      /* A worker runs its calls in the order of their ids. */
      if (first == NULL || inflight->id < first->id)
        g_hash_table_insert (oldest, inflight->child, inflight);
    }

  g_hash_table_iter_init (&iter, core->inflight);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &inflight))
    {
      if (inflight->withdrawn || g_hash_table_lookup (oldest, inflight->child) == inflight)
        continue;
      inflight->withdrawn = TRUE;
      _gaio_pool_child_send (inflight->child, GAIO_WIRE_WITHDRAW, inflight->id,
                             g_variant_new ("()"), G_MAXSIZE, NULL);
    }
}

/* Takes what the loop threads posted. Returns whether shutdown was asked. */
static gboolean
take_mail (PoolCore *core,
           GArray   *cancels)
{
  gboolean shutdown;
  gboolean cancel_backlog;

  core_lock (core);
  while (!g_queue_is_empty (&core->pending))
    g_queue_push_tail (&core->backlog, g_queue_pop_head (&core->pending));
  g_array_append_vals (cancels, core->cancels->data, core->cancels->len);
  g_array_set_size (core->cancels, 0);
  shutdown = core->shutdown;
  cancel_backlog = core->cancel_backlog;
  core->cancel_backlog = FALSE;
  core->mail = FALSE;
  core_unlock (core);

  if (cancel_backlog)
    {
      Pending *pending;

      while ((pending = g_queue_pop_head (&core->backlog)) != NULL)
        {
          _gaio_job_cancel (pending->job);
          pending_free (pending);
        }
      withdraw_inflight (core);
    }

  return shutdown;
}

static void
send_cancels (PoolCore *core,
              GArray   *cancels)
{
  for (guint i = 0; i < cancels->len; i++)
    {
      guint64 id = g_array_index (cancels, guint64, i);
      Inflight *inflight = g_hash_table_lookup (core->inflight, &id);

      /* Gone already if its outcome crossed the cancel. */
      if (inflight != NULL)
        _gaio_pool_child_send (inflight->child, GAIO_WIRE_CANCEL, id,
                               g_variant_new ("()"), G_MAXSIZE, NULL);
    }
  g_array_set_size (cancels, 0);
}

static void
flush_children (PoolCore *core)
{
  for (guint i = 0; i < core->children->len; i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      /* A child whose pipe broke is dead: its stdout's EOF says so. */
      if (!_gaio_pool_child_flush (child))
        _gaio_pool_child_close_stdin (child);
    }
}

/* The poll() timeout: until the nearest handshake deadline. */
static int
poll_timeout (PoolCore *core)
{
  gint64 now = g_get_monotonic_time ();
  gint64 deadline = G_MAXINT64;

  for (guint i = 0; i < core->children->len; i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      if (child->state == GAIO_POOL_CHILD_STARTING)
        deadline = MIN (deadline, child->handshake_deadline_us);
    }

  if (deadline == G_MAXINT64)
    return -1;

  return (int) CLAMP ((deadline - now + 999) / 1000, 0, G_MAXINT);
}

static void
check_handshake_deadlines (PoolCore *core)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < core->children->len && !is_broken (core); i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);
      g_autofree char *what = NULL;

      if (child->state != GAIO_POOL_CHILD_STARTING || now < child->handshake_deadline_us)
        continue;

      what = g_strdup_printf ("did not answer within %.1f s",
                              core->handshake_timeout_us / (gdouble) G_USEC_PER_SEC);
      break_pool_at_handshake (core, child, what);
    }
}

static gboolean
child_is_idle (GaioPoolChild *child)
{
  return child->state == GAIO_POOL_CHILD_READY && child->budget > 0 &&
         child->n_inflight == 0 && child->in_fd >= 0 && !_gaio_pool_child_wants_write (child);
}

/* The child to lend while this thread sleeps (see lend_child()): an idle
 * one, when nothing waits to be sent. */
static GaioPoolChild *
find_idle_child (PoolCore *core)
{
  if (!g_queue_is_empty (&core->backlog))
    return NULL;

  for (guint i = 0; i < core->children->len; i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      if (child_is_idle (child))
        return child;
    }

  return NULL;
}

/* The poll() set: the wake fd, then each child's stdout, stderr and (when
 * it has frames to write) stdin, except @lendable's stdout, which the
 * loop thread it is lent to polls instead. */
static gsize
fill_poll_set (PoolCore      *core,
               struct pollfd *fds,
               GaioPoolChild *lendable)
{
  gsize n = 1;

  fds[0].fd = core->wake_read_fd;
  fds[0].events = POLLIN;
  for (guint i = 0; i < core->children->len; i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      fds[n].fd = child != lendable ? child->out_fd : -1;
      fds[n++].events = POLLIN;
      fds[n].fd = child->err_fd;
      fds[n++].events = POLLIN;
      fds[n].fd = _gaio_pool_child_wants_write (child) ? child->in_fd : -1;
      fds[n++].events = POLLOUT;
    }

  return n;
}

/* HOLDS: lock. Takes the role back from a loop thread that borrowed it
 * (it holds it for a moment, never blocking), and the lendable child
 * with it: a loop that still waits for that child's outcome loses its
 * lease, so the outcome comes through this thread. Returns the lease. */
static LeaseSource *
reclaim_role_locked (PoolCore *core)
{
  while (core->role == ROLE_BORROWED)
    {
      core->role_wanted = TRUE;
      core_wait (core);
    }
  core->role_wanted = FALSE;
  core->role = ROLE_IO_THREAD;
  core->sleeping = FALSE;
  core->lendable = NULL;

  return g_steal_pointer (&core->lease);
}

/* Sleeps in poll() until a child or the loop has something. While it
 * sleeps the thread is parked: it touches nothing it owns, so that a
 * loop thread may lend itself the idle child (see lend_child()). */
static void
wait_for_events (PoolCore *core)
{
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, 1 + 3 * core->children->len);
  GaioPoolChild *lendable = find_idle_child (core);
  gsize n = fill_poll_set (core, fds, lendable);
  int timeout = poll_timeout (core);
  LeaseSource *lease;

  core_lock (core);
  if (core->mail)
    {
      /* More to do at once: the children are read anyway. */
      core_unlock (core);
      return;
    }
  core->sleeping = TRUE;
  core->role = ROLE_PARKED;
  core->lendable = lendable;
  core_unlock (core);

  if (poll (fds, n, timeout) < 0 && errno != EINTR)
    g_error ("poll() failed in the process pool: %s", g_strerror (errno));

  core_lock (core);
  lease = reclaim_role_locked (core);
  core_unlock (core);

  if (lease != NULL)
    revoke_lease (lease);
  if (fds[0].revents != 0)
    drain_wake_fd (core);
}

static void
service_children (PoolCore *core)
{
  for (guint i = 0; i < core->children->len && !is_broken (core); i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);
      gboolean open;

      if (child->state == GAIO_POOL_CHILD_DEAD)
        continue;

      /* stderr first, so that what a dying worker said is logged before
       * its futures fail. */
      _gaio_pool_child_read_stderr (child);
      open = _gaio_pool_child_read (child);
      if (!handle_frames (core, child))
        return;
      if (!open)
        child_ended (core, child);
    }
}

static gboolean
idle_for_shutdown (PoolCore *core)
{
  return g_queue_is_empty (&core->backlog) && g_hash_table_size (core->inflight) == 0;
}

/* Lets every child go and waits for each: closing stdin ends a healthy
 * worker; one that does not exit within the grace period is killed. */
static void
teardown (PoolCore *core)
{
  gint64 deadline = g_get_monotonic_time () + EXIT_GRACE_US;

  for (guint i = 0; i < core->children->len; i++)
    _gaio_pool_child_close_stdin (g_ptr_array_index (core->children, i));

  while (core->children->len > 0)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, 0);
      gint64 left = MAX (deadline - g_get_monotonic_time (), 1);

      g_free (_gaio_pool_child_reap (child, left));
      _gaio_pool_child_free (child);
      g_ptr_array_remove_index (core->children, 0);
    }
  publish_pids (core);
}

static gpointer
io_thread (gpointer data)
{
  PoolCore *core = data;
  g_autoptr(GArray) cancels = g_array_new (FALSE, FALSE, sizeof (guint64));
  sigset_t set;

  /* A write to a dead child's pipe must fail with EPIPE, not kill the
   * program: SIGPIPE is blocked in this thread, the one that writes. */
  sigemptyset (&set);
  sigaddset (&set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &set, NULL);

  for (;;)
    {
      gboolean shutdown = take_mail (core, cancels);

      if (is_broken (core))
        break;
      send_cancels (core, cancels);
      schedule (core);
      flush_children (core);
      if (is_broken (core) || (shutdown && idle_for_shutdown (core)))
        break;

      wait_for_events (core);
      service_children (core);
      check_handshake_deadlines (core);
      remove_dead_children (core);
    }

  teardown (core);

  core_lock (core);
  core->finished = TRUE;
  g_cond_broadcast (&core->cond);
  core_unlock (core);

  core_unref (core);
  return NULL;
}

/* --- lone jobs: the loop thread as the I/O thread ---------------------- */

/* The latency path. A lone job would cross three thread wake-ups: loop ->
 * worker, worker -> I/O thread, I/O thread -> loop. So while the I/O
 * thread sleeps, the loop thread that submits a job lends itself the idle
 * child (core->lendable, whose stdout the sleeping I/O thread leaves out
 * of its poll() set): it writes the call itself, and a source of its own
 * GMainContext, the lease, polls the child's stdout. The outcome wakes
 * the loop directly, which reads it with the I/O thread's own code,
 * having borrowed its role. Two wake-ups; the I/O thread sleeps on. A
 * job submitted while the lent child is busy is written to another idle
 * child the same way, without a lease (send_to_idle_child()): the I/O
 * thread polls that one's stdout, and wakes for its outcome.
 *
 * The lease stays attached between jobs, as the idle child writes nothing
 * unasked: adding a descriptor to a GMainContext, or removing one, writes
 * to its wake-up fd, which would cost the loop more than the job. A child
 * that dies while idle makes its stdout readable too, and the lease then
 * hands it to the I/O thread.
 *
 * Anything else (a broken pipe, EOF, a malformed frame, more jobs, a
 * cancel, shutdown) wakes the I/O thread, which takes its role and the
 * child back first: a loop thread borrows the role only for a moment,
 * never blocking, and the lease is revoked, so an outcome still awaited
 * comes the usual way. A loop that is not running thus holds nothing up:
 * shutdown (wait = TRUE) on the loop's own thread wakes the I/O thread,
 * which reads the outcome itself. */
struct _LeaseSource
{
  GSource        source;
  PoolCore      *core;            /* (owned) */
  GMainContext  *context;         /* (unowned) alive while the lease is the core's */
};

/* Revokes a lease (the I/O thread took the child back, or another loop
 * leases it): the loop may be in poll() with the child's stdout, or
 * dispatching the lease, but GLib lets any thread destroy a source, and
 * the dispatch sees the lease is no longer the core's. */
static void
revoke_lease (LeaseSource *lease)
{
  g_source_destroy ((GSource *) lease);
  g_source_unref ((GSource *) lease);
}

/* The lent child's stdout is readable: read what it says as the I/O
 * thread would. Loop thread, role borrowed, without the lock. FALSE if
 * the I/O thread must look at the child (it ended, or broke the pool). */
static gboolean
serve_lent_child (PoolCore      *core,
                  GaioPoolChild *child)
{
  gboolean open = _gaio_pool_child_read (child);

  return handle_frames (core, child) && open;
}

static gboolean
lease_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  LeaseSource *lease = (LeaseSource *) source;
  PoolCore *core = lease->core;
  GaioPoolChild *child;
  gboolean served, keep;

  core_lock (core);
  if (core->lease != lease)
    {
      /* Revoked: the I/O thread reads the outcome. */
      core_unlock (core);
      return G_SOURCE_REMOVE;
    }
  g_assert (core->role == ROLE_PARKED);
  core->role = ROLE_BORROWED;
  child = core->lendable;
  core_unlock (core);

  served = serve_lent_child (core, child);

  core_lock (core);
  /* Kept while its outcome is awaited, or for the next lone job. */
  keep = served && (child->n_inflight > 0 || child_is_idle (child));
  if (!keep)
    {
      /* The I/O thread must poll the child's stdout again, or act on it. */
      core->lease = NULL;
      core->lendable = NULL;
      post_mail_locked (core);
    }
  core->role = ROLE_PARKED;
  if (core->role_wanted)
    g_cond_broadcast (&core->cond);
  core_unlock (core);

  if (keep)
    return G_SOURCE_CONTINUE;

  /* The core's reference; the context drops its own. */
  g_source_unref (source);
  return G_SOURCE_REMOVE;
}

/* Runs when the lease's source is destroyed, on the thread that did it,
 * without the lock (a GSource callback's notify). A lease still the
 * core's was destroyed with its context, whose loop went away: the I/O
 * thread takes the child back, with any outcome on its way. Revoked or
 * ended leases are the core's no more. */
static void
lease_detached (gpointer data)
{
  LeaseSource *lease = data;
  PoolCore *core = lease->core;
  gboolean current;

  core_lock (core);
  current = core->lease == lease;
  if (current)
    {
      core->lease = NULL;
      core->lendable = NULL;
      post_mail_locked (core);
    }
  core_unlock (core);

  /* The core's reference; the context still holds its own. */
  if (current)
    g_source_unref ((GSource *) lease);
}

/* Never called (lease_dispatch() calls no callback): the callback is
 * there for its notify, lease_detached(). */
static gboolean
lease_callback (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
lease_finalize (GSource *source)
{
  core_unref (((LeaseSource *) source)->core);
}

static GSourceFuncs lease_funcs = {
  .dispatch = lease_dispatch,
  .finalize = lease_finalize,
};

/* HOLDS: lock. Leases the lendable child's stdout to the context of
 * @loop, normally this thread's (run_in_executor() is for the loop's
 * thread). Returns a lease to revoke once the lock is dropped. */
static LeaseSource *
lease_to_loop (PoolCore *core,
               GaioLoop *loop)
{
  GMainContext *context = gaio_loop_get_context (loop);
  LeaseSource *old = core->lease;
  GSource *source;

  /* The core's lease is attached (see lease_detached()), so its context
   * is alive: a match is this context, not one at a reused address. */
  if (old != NULL && old->context == context)
    return NULL;

  source = g_source_new (&lease_funcs, sizeof (LeaseSource));
  ((LeaseSource *) source)->core = core_ref (core);
  ((LeaseSource *) source)->context = context;
  g_source_set_callback (source, lease_callback, source, lease_detached);
  g_source_set_static_name (source, "GaioProcessPoolExecutor lease");
  /* Blocking a source while it dispatches removes its descriptor from
   * the context and adds it back, each a wake-up write: it never
   * recurses anyway. */
  g_source_set_can_recurse (source, TRUE);
  g_source_set_priority (source, g_source_get_priority (_gaio_loop_get_source (loop)));
  g_source_add_unix_fd (source, core->lendable->out_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_attach (source, context);
  core->lease = (LeaseSource *) source;

  return old;
}

/* HOLDS: lock, while the I/O thread is parked. Does what send_call() and
 * the flush would do on the I/O thread. FALSE after a partial write, or
 * if the child is gone: the I/O thread must take it from there. */
static gboolean
send_call_now (PoolCore      *core,
               GaioPoolChild *child,
               GaioJob       *job,
               const char    *name)
{
  Pending pending = { job, name };
  sigset_t pipe_set, old_set;
  gboolean written;

  send_call (core, child, &pending);

  /* This thread does not block SIGPIPE as the I/O thread does: a child
   * that just died must make the write fail, not kill the program. */
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old_set);
  written = _gaio_pool_child_flush (child) && !_gaio_pool_child_wants_write (child);
  if (!written)
    {
      const struct timespec no_wait = { 0, 0 };

      /* The SIGPIPE the write may have raised, still pending here. */
      sigtimedwait (&pipe_set, NULL, &no_wait);
    }
  pthread_sigmask (SIG_SETMASK, &old_set, NULL);

  return written;
}

/* HOLDS: lock, while the I/O thread is parked with core->lendable idle.
 * Sends @job's call to it, then leases the child's outcome to @job's
 * loop. Returns a lease to revoke once the lock is dropped. */
static LeaseSource *
lend_child (PoolCore   *core,
            GaioJob    *job,
            const char *name)
{
  GaioPoolChild *child = core->lendable;
  GaioLoop *loop = _gaio_job_get_loop (job);   /* the job holds it while it runs */

  if (!send_call_now (core, child, job, name))
    {
      core->lendable = NULL;
      post_mail_locked (core);
      return g_steal_pointer (&core->lease);
    }

  /* A job cancelled first, or whose call could not be encoded, is done
   * already: the child is still idle. */
  if (child->n_inflight == 0)
    return NULL;

  core->n_lent++;
  return lease_to_loop (core, loop);
}

/* HOLDS: lock, while the I/O thread is parked and the lent child busy.
 * A few jobs at once (a gather as big as the pool) need not wake the I/O
 * thread either: another idle child's stdout is in its poll() set
 * already, so the call is written from here, and the outcome comes back
 * the usual way. FALSE if no child is idle. */
static gboolean
send_to_idle_child (PoolCore   *core,
                    GaioJob    *job,
                    const char *name)
{
  GaioPoolChild *child = find_idle_child (core);

  if (child == NULL)
    return FALSE;

  g_assert (child != core->lendable);
  if (!send_call_now (core, child, job, name))
    post_mail_locked (core);
  core->n_sent_now++;
  return TRUE;
}

/* HOLDS: lock. Whether the I/O thread sleeps with nothing queued, so
 * that a job may be sent from this thread. */
static gboolean
can_send_now (PoolCore *core)
{
  return core->role == ROLE_PARKED && core->lendable != NULL &&
         g_queue_is_empty (&core->pending);
}

/* HOLDS: lock. Whether a job would go the lone way, lend_child(). */
static gboolean
can_lend_child (PoolCore *core)
{
  return can_send_now (core) && core->lendable->n_inflight == 0;
}

/* HOLDS: lock. Sends @job from this thread while the I/O thread sleeps:
 * to the lendable child, leased, or to another idle one. FALSE if it
 * cannot: the I/O thread is awake, calls wait already, or no child is
 * idle. Sets @revoked to a lease to revoke once the lock is dropped. */
static gboolean
send_now (PoolCore     *core,
          GaioJob      *job,
          const char   *name,
          LeaseSource **revoked)
{
  if (can_lend_child (core))
    {
      *revoked = lend_child (core, job, name);
      return TRUE;
    }

  return can_send_now (core) && send_to_idle_child (core, job, name);
}

/* --- what the executor calls (loop threads) ---------------------------- */

GaioPoolCore *
_gaio_pool_core_new (GaioPoolConfig  *config,
                     GError         **error)
{
  PoolCore *core = g_new0 (PoolCore, 1);

  core->ref_count = 1;
  core->max_workers = config->max_workers;
  core->max_tasks = config->max_tasks;
  core->argv = g_steal_pointer (&config->argv);
  core->argv0 = g_steal_pointer (&config->argv0);
  core->initializer = g_strdup (config->initializer != NULL ? config->initializer : "");
  core->initargs = config->initargs != NULL ? g_variant_ref (config->initargs) : NULL;
  core->max_body = config->max_body;
  core->handshake_timeout_us = config->handshake_timeout_us;
  core->wake_read_fd = core->wake_write_fd = -1;
  g_mutex_init (&core->lock);
  g_cond_init (&core->cond);
  g_queue_init (&core->pending);
  core->cancels = g_array_new (FALSE, FALSE, sizeof (guint64));
  core->pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  core->children = g_ptr_array_new ();
  core->inflight = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_queue_init (&core->backlog);
  core->average_us = -1;
  /* Until an I/O thread runs, there is nothing to wait for. */
  core->finished = TRUE;

  if (!open_wake_fds (core, error))
    {
      core_unref (core);
      return NULL;
    }

  return core;
}

void
_gaio_pool_core_unref (GaioPoolCore *core)
{
  core_unref (core);
}

gboolean
_gaio_pool_core_start (GaioPoolCore  *core,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GThread *thread;

  core->finished = FALSE;
  thread = g_thread_try_new ("gaio-procpool", io_thread, core_ref (core), &local_error);
  if (thread != NULL)
    {
      core->thread = thread;
      return TRUE;
    }

  /* No thread, no pool: every job fails the same way from now on. */
  core_unref (core);
  core->finished = TRUE;
  core->broken = g_error_new (GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                              "Cannot start the process pool: %s", local_error->message);
  g_propagate_error (error, g_error_copy (core->broken));
  return FALSE;
}

gboolean
_gaio_pool_core_submit (GaioPoolCore  *core,
                        GaioJob       *job,
                        const char    *name,
                        GError       **error)
{
  LeaseSource *revoked = NULL;
  Pending *pending;

  core_lock (core);
  if (core->shutdown)
    g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN,
                         "cannot schedule new futures after shutdown");
  else if (core->broken != NULL)
    g_propagate_error (error, g_error_copy (core->broken));
  else
    {
      _gaio_job_set_remote_cancel (job, job_cancelled, core_ref (core),
                                   (GDestroyNotify) core_unref);
      if (!send_now (core, job, name, &revoked))
        {
          pending = g_new (Pending, 1);
          pending->job = gaio_job_ref (job);
          pending->name = name;
          g_queue_push_tail (&core->pending, pending);
          post_mail_locked (core);
        }
    }
  core_unlock (core);

  if (revoked != NULL)
    revoke_lease (revoked);

  return error == NULL || *error == NULL;
}

void
_gaio_pool_core_shutdown (GaioPoolCore *core,
                          gboolean      wait,
                          gboolean      cancel_futures)
{
  GQueue cancelled = G_QUEUE_INIT;
  GThread *thread = NULL;
  Pending *pending;

  core_lock (core);
  g_atomic_int_set (&core->shutdown, TRUE);
  if (cancel_futures)
    {
      cancelled = core->pending;
      g_queue_init (&core->pending);
      core->cancel_backlog = TRUE;
    }
  post_mail_locked (core);
  if (wait)
    thread = g_steal_pointer (&core->thread);
  core_unlock (core);

  while ((pending = g_queue_pop_head (&cancelled)) != NULL)
    {
      _gaio_job_cancel (pending->job);
      pending_free (pending);
    }

  if (!wait)
    return;

  if (thread != NULL)
    g_thread_join (thread);

  /* Another thread may be joining it: wait for its end either way. */
  core_lock (core);
  while (!core->finished)
    core_wait (core);
  core_unlock (core);
}

gboolean
_gaio_pool_core_can_lend (GaioPoolCore *core,
                          guint64      *n_lent,
                          guint64      *n_sent_now)
{
  gboolean can_lend;

  core_lock (core);
  can_lend = can_lend_child (core);
  *n_lent = core->n_lent;
  *n_sent_now = core->n_sent_now;
  core_unlock (core);

  return can_lend;
}

gboolean
_gaio_pool_core_is_shutdown (GaioPoolCore *core)
{
  return g_atomic_int_get (&core->shutdown);
}

GPid *
_gaio_pool_core_get_pids (GaioPoolCore *core,
                          guint        *n_pids)
{
  GPid *pids = NULL;

  core_lock (core);
  *n_pids = core->pids->len;
  if (core->pids->len > 0)
    pids = g_memdup2 (core->pids->data, sizeof (GPid) * core->pids->len);
  core_unlock (core);

  return pids;
}
