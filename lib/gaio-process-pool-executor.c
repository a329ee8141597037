/* gaio-process-pool-executor.c: an executor whose workers are processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Python's ProcessPoolExecutor on GSubprocess children that stay alive
 * between jobs (starting one costs 1 to 2 ms). Jobs travel as frames
 * (gaio-wire.c) naming their function (gaio-process-registry.c) with
 * GVariant arguments; workers serve them in gaio-process-pool-worker.c.
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
 * `with ProcessPoolExecutor() as pool:` does exactly that), and because
 * it measured faster: a pipe round trip costs 3 to 5 us, GIO's
 * asynchronous streams on a main context about 11.
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
 * Cancellation. A job's future cancelled while the job waits in the
 * mailbox drops it (gaio-job.c's state machine); cancelled once sent, the
 * job's remote-cancel hook posts its id to the mailbox, and the I/O
 * thread sends the worker a CANCEL, which cancels the job's GCancellable
 * there. No GCancellable is made in the parent for that: on a stream of
 * small jobs, one per job cost more than the rest of the submission.
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
#include "gaio-pool-child-private.h"
#include "gaio-process-pool-worker-private.h"
#include "gaio-process-registry-private.h"
#include "gaio-tsan-private.h"
#include "gaio-wire-private.h"

/* How much estimated work a child may be handed at once, and the most
 * calls it may hold whatever their cost. */
#define BATCH_BUDGET_US  500.0
#define MAX_DEPTH        256

/* How long children get to exit once told to, before they are killed. */
#define EXIT_GRACE_US    (5 * G_USEC_PER_SEC)

#define DEFAULT_HANDSHAKE_TIMEOUT 10.0

#define BROKEN_JOB_MESSAGE \
  "A process in the process pool was terminated abruptly while the future was running or pending."
#define BROKEN_POOL_MESSAGE \
  "A child process terminated abruptly, the process pool is not usable anymore"

typedef struct _PoolCore PoolCore;

/* A job sent to a child, until its outcome comes back. */
typedef struct
{
  guint64         id;
  GaioJob        *job;            /* (owned) */
  GaioPoolChild  *child;          /* (unowned) */
} Inflight;

/* A job the loop submitted, not yet sent. */
typedef struct
{
  GaioJob        *job;            /* (owned) */
  const char     *name;           /* (unowned) interned */
} Pending;

/* What the pool object and its I/O thread share. The thread holds a
 * reference, so a pool dropped without a shutdown winds down in the
 * background as Python's does when its executor is collected. */
struct _PoolCore
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
  gboolean      shutdown;
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

struct _GaioProcessPoolExecutor
{
  GObject      parent_instance;

  guint        max_workers;
  guint        max_tasks_per_child;
  char       **worker_argv;       /* (owned) (nullable) NULL: the program itself */
  char       **launcher_prefix;   /* (owned) (nullable) */
  char        *initializer;       /* (owned) (nullable) */
  GVariant    *initargs;          /* (owned) (nullable) */
  guint        max_message_size;
  gdouble      handshake_timeout;

  gboolean     started;           /* the configuration is frozen: core exists */
  PoolCore    *core;              /* (owned) (nullable) */
};

static void gaio_process_pool_executor_iface_init (GaioExecutorInterface *iface);

/**
 * GaioProcessPoolExecutor:
 *
 * Runs jobs in worker processes (Python's
 * `concurrent.futures.ProcessPoolExecutor`), for CPU-bound work that
 * must run in parallel with the loop and with each other. Use it with
 * [method@Gaio.Loop.run_in_executor] like any executor:
 *
 * ```c
 * future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), cpu_bound,
 *                                     g_variant_new ("(u)", 10000000), NULL, NULL);
 * ```
 *
 * Workers are started on demand, up to
 * [property@Gaio.ProcessPoolExecutor:max-workers], and stay alive
 * between jobs. By default a worker is the program itself, which must
 * call [func@Gaio.process_pool_worker_guard] first thing in main() (the
 * analogue of `if __name__ == '__main__':`). A pool made with
 * [ctor@Gaio.ProcessPoolExecutor.new_for_worker] runs a worker
 * executable instead (see [func@Gaio.process_pool_worker_main]), possibly
 * behind a [property@Gaio.ProcessPoolExecutor:launcher-prefix] such as a
 * sandbox.
 *
 * What differs from a thread pool:
 *
 * - A job's function travels by name: registered with
 *   [func@Gaio.process_pool_register], or exported. A function that
 *   cannot travel fails its future at once with
 *   %GAIO_ERROR_NOT_SERIALIZABLE.
 * - Arguments are a #GVariant; `user_data` must be %NULL (C data cannot
 *   cross a process boundary). The result must be a #GVariant, a number,
 *   a boolean, a string or #GBytes; the future gets the same type back.
 *   A #GError returned by the job crosses with its domain, code and
 *   message.
 * - A worker that dies (killed, crashed, `exit()` in a job) breaks the
 *   pool as `BrokenProcessPool` does: its jobs and every job not yet done
 *   fail with %GAIO_ERROR_BROKEN_EXECUTOR, and so does every later
 *   submission.
 * - What workers print (stdout and stderr) is logged in the `Gaio`
 *   domain at %G_LOG_LEVEL_MESSAGE, one record per line, with the
 *   worker's pid in the message and in a `GAIO_WORKER_PID` field.
 *
 * Cancelling a future whose job has not been sent to a worker drops the
 * job; cancelling one already sent cancels the job's #GCancellable in
 * the worker (and drops its outcome).
 *
 * The pool's I/O runs in a thread of its own; futures complete on their
 * loop's thread. The configuration (the setters and properties) is fixed
 * by the first job.
 */

G_DEFINE_FINAL_TYPE_WITH_CODE (GaioProcessPoolExecutor, gaio_process_pool_executor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GAIO_TYPE_EXECUTOR,
                                                      gaio_process_pool_executor_iface_init))

enum {
  PROP_0,
  PROP_MAX_WORKERS,
  PROP_WORKER_ARGV,
  PROP_LAUNCHER_PREFIX,
  PROP_MAX_TASKS_PER_CHILD,
  PROP_INITIALIZER,
  PROP_INITIALIZER_ARGS,
  PROP_MAX_MESSAGE_SIZE,
  PROP_HANDSHAKE_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/* Delivers a job's outcome: takes @value's contents or @error. */
static void
inflight_finish (PoolCore *core,
                 Inflight *inflight,
                 GValue   *value,
                 GError   *error)
{
  g_hash_table_remove (core->inflight, &inflight->id);
  inflight->child->n_inflight--;

  _gaio_job_finish (inflight->job, value, error);
  gaio_job_unref (inflight->job);
  g_free (inflight);
}

static void
fail_inflight_of (PoolCore      *core,
                  GaioPoolChild *child,
                  const GError  *error)
{
  GHashTableIter iter;
  Inflight *inflight;
  g_autoptr(GPtrArray) doomed = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, core->inflight);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &inflight))
    if (child == NULL || inflight->child == child)
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

  fail_inflight_of (core, NULL, job_error);
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
                     "run this program, it must call gaio_process_pool_worker_guard (&argc, &argv) "
                     "first thing in main() (the analogue of Python's "
                     "`if __name__ == '__main__':`); a worker executable must call "
                     "gaio_process_pool_worker_main()", (int) child->pid, what);

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

/* Sleeps in poll() until a child or the loop has something. */
static void
wait_for_events (PoolCore *core)
{
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, 1 + 3 * core->children->len);
  gsize n = 1;
  int timeout = poll_timeout (core);

  fds[0].fd = core->wake_read_fd;
  fds[0].events = POLLIN;
  for (guint i = 0; i < core->children->len; i++)
    {
      GaioPoolChild *child = g_ptr_array_index (core->children, i);

      fds[n].fd = child->out_fd;
      fds[n++].events = POLLIN;
      fds[n].fd = child->err_fd;
      fds[n++].events = POLLIN;
      fds[n].fd = _gaio_pool_child_wants_write (child) ? child->in_fd : -1;
      fds[n++].events = POLLOUT;
    }

  core_lock (core);
  if (core->mail)
    timeout = 0;
  else
    core->sleeping = TRUE;
  core_unlock (core);

  if (timeout != 0 && poll (fds, n, timeout) < 0 && errno != EINTR)
    g_error ("poll() failed in the process pool: %s", g_strerror (errno));

  core_lock (core);
  core->sleeping = FALSE;
  core_unlock (core);

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

/* --- the executor (loop threads) --------------------------------------- */

static char **
build_argv (GaioProcessPoolExecutor  *self,
            GError                  **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *self_exe = NULL;

  if (self->launcher_prefix != NULL)
    g_strv_builder_addv (builder, (const char **) self->launcher_prefix);

  if (self->worker_argv != NULL)
    {
      g_strv_builder_addv (builder, (const char **) self->worker_argv);
      return g_strv_builder_end (builder);
    }

  /* The program itself, by the path the kernel has for it. Not
   * "/proc/self/exe" as such: a launcher prefix would resolve it to
   * itself, and so would valgrind, which runs programs inside its own
   * executable (it answers readlink() with the program's path). If the
   * file was replaced or removed since, /proc/self/exe still reaches the
   * original, when there is no launcher in between. */
  self_exe = g_file_read_link ("/proc/self/exe", error);
  if (self_exe == NULL)
    return NULL;
  if (self->launcher_prefix == NULL && !g_file_test (self_exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (self_exe);
      self_exe = g_strdup ("/proc/self/exe");
    }
  g_strv_builder_add (builder, self_exe);

  return g_strv_builder_end (builder);
}

static PoolCore *
core_new (GaioProcessPoolExecutor  *self,
          GError                  **error)
{
  g_auto(GStrv) argv = build_argv (self, error);
  PoolCore *core;

  if (argv == NULL)
    return NULL;

  core = g_new0 (PoolCore, 1);
  core->ref_count = 1;
  core->max_workers = self->max_workers;
  core->max_tasks = self->max_tasks_per_child;
  core->argv = g_steal_pointer (&argv);
  core->argv0 = self->worker_argv == NULL ? g_strdup (_gaio_process_pool_get_argv0 ()) : NULL;
  core->initializer = g_strdup (self->initializer != NULL ? self->initializer : "");
  core->initargs = self->initargs != NULL ? g_variant_ref (self->initargs) : NULL;
  core->max_body = self->max_message_size;
  core->handshake_timeout_us = (gint64) (self->handshake_timeout * G_USEC_PER_SEC);
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

  if (!open_wake_fds (core, error))
    {
      core_unref (core);
      return NULL;
    }

  return core;
}

/* The first job starts the I/O thread; the configuration is fixed then. */
static gboolean
ensure_started (GaioProcessPoolExecutor  *self,
                GError                  **error)
{
  g_autoptr(GError) local_error = NULL;
  GThread *thread;

  if (self->core != NULL)
    return TRUE;

  self->started = TRUE;
  self->core = core_new (self, &local_error);
  if (self->core != NULL)
    {
      thread = g_thread_try_new ("gaio-procpool", io_thread, core_ref (self->core), &local_error);
      if (thread != NULL)
        {
          self->core->thread = thread;
          return TRUE;
        }
      core_unref (self->core);
    }

  /* No thread, no pool: every job fails the same way from now on. */
  self->core = core_new (self, NULL);
  if (self->core == NULL)
    g_error ("Cannot set up a process pool: %s", local_error->message);
  self->core->finished = TRUE;
  self->core->broken = g_error_new (GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                                    "Cannot start the process pool: %s", local_error->message);
  g_propagate_error (error, g_error_copy (self->core->broken));
  return FALSE;
}

/* Why a job cannot go to a worker, if it cannot. */
static const char *
job_function_name (GaioProcessPoolExecutor  *self,
                   GaioJob                  *job,
                   GError                  **error)
{
  const char *name = _gaio_job_get_function_name (job);

  if (_gaio_job_get_user_data (job) != NULL)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE,
                           "A process pool job cannot take user_data: C data cannot cross a "
                           "process boundary. Pass the job's arguments as a GVariant (args) and "
                           "NULL user_data");
      return NULL;
    }

  if (name != NULL)
    return g_intern_string (name);

  return _gaio_process_registry_name_of (_gaio_job_get_func (job), error);
}

/* Workers never start workers, and a pool of the program itself needs
 * the guard in the program's main(). */
static gboolean
check_can_start_workers (GaioProcessPoolExecutor  *self,
                         GError                  **error)
{
  if (_gaio_process_pool_started_as_worker ())
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                           "A process pool worker cannot start workers of its own");
      return FALSE;
    }

  if (self->worker_argv == NULL && !_gaio_process_pool_guard_was_called ())
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                           "This process pool runs its workers from the program itself, which "
                           "must call gaio_process_pool_worker_guard (&argc, &argv) first thing in "
                           "main() (the analogue of Python's `if __name__ == '__main__':`); or "
                           "give the pool a worker executable with "
                           "gaio_process_pool_executor_new_for_worker()");
      return FALSE;
    }

  return TRUE;
}

static gboolean
gaio_process_pool_executor_submit (GaioExecutor  *executor,
                                   GaioJob       *job,
                                   GError       **error)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (executor);
  PoolCore *core;
  Pending *pending;
  const char *name;

  if (self->core != NULL && g_atomic_int_get (&self->core->shutdown))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN,
                           "cannot schedule new futures after shutdown");
      return FALSE;
    }

  name = job_function_name (self, job, error);
  if (name == NULL)
    return FALSE;
  if (!check_can_start_workers (self, error) || !ensure_started (self, error))
    return FALSE;

  core = self->core;
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
      pending = g_new (Pending, 1);
      pending->job = gaio_job_ref (job);
      pending->name = name;
      g_queue_push_tail (&core->pending, pending);
      post_mail_locked (core);
    }
  core_unlock (core);

  return error == NULL || *error == NULL;
}

static void
gaio_process_pool_executor_shutdown (GaioExecutor *executor,
                                     gboolean      wait,
                                     gboolean      cancel_futures)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (executor);
  PoolCore *core = self->core;
  GQueue cancelled = G_QUEUE_INIT;
  GThread *thread = NULL;
  Pending *pending;

  self->started = TRUE;
  if (core == NULL)
    {
      /* Never started: nothing to wait for, but no job may come now. */
      self->core = core = core_new (self, NULL);
      if (core == NULL)
        return;
      core->finished = TRUE;
    }

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

static gboolean
gaio_process_pool_executor_is_shutdown (GaioExecutor *executor)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (executor);

  return self->core != NULL && g_atomic_int_get (&self->core->shutdown);
}

static void
gaio_process_pool_executor_iface_init (GaioExecutorInterface *iface)
{
  iface->submit = gaio_process_pool_executor_submit;
  iface->shutdown = gaio_process_pool_executor_shutdown;
  iface->is_shutdown = gaio_process_pool_executor_is_shutdown;
}

/* --- GObject ----------------------------------------------------------- */

static void
gaio_process_pool_executor_constructed (GObject *object)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  G_OBJECT_CLASS (gaio_process_pool_executor_parent_class)->constructed (object);

  /* A program without the guard, running as a worker, stops here. */
  _gaio_process_pool_check_guard ("a process pool was created");

  /* Python's default: os.cpu_count(). */
  if (self->max_workers == 0)
    self->max_workers = g_get_num_processors ();
}

static void
gaio_process_pool_executor_dispose (GObject *object)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  /* As Python's executor when collected: the pool finishes the jobs it
   * has, in the background, then lets its workers go. */
  if (self->core != NULL)
    {
      gaio_process_pool_executor_shutdown (GAIO_EXECUTOR (self), FALSE, FALSE);
      g_clear_pointer (&self->core, core_unref);
    }

  G_OBJECT_CLASS (gaio_process_pool_executor_parent_class)->dispose (object);
}

static void
gaio_process_pool_executor_finalize (GObject *object)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  g_strfreev (self->worker_argv);
  g_strfreev (self->launcher_prefix);
  g_free (self->initializer);
  g_clear_pointer (&self->initargs, g_variant_unref);

  G_OBJECT_CLASS (gaio_process_pool_executor_parent_class)->finalize (object);
}

static void
gaio_process_pool_executor_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_MAX_WORKERS:
      g_value_set_uint (value, self->max_workers);
      break;
    case PROP_WORKER_ARGV:
      g_value_set_boxed (value, self->worker_argv);
      break;
    case PROP_LAUNCHER_PREFIX:
      g_value_set_boxed (value, self->launcher_prefix);
      break;
    case PROP_MAX_TASKS_PER_CHILD:
      g_value_set_uint (value, self->max_tasks_per_child);
      break;
    case PROP_INITIALIZER:
      g_value_set_string (value, self->initializer);
      break;
    case PROP_INITIALIZER_ARGS:
      g_value_set_variant (value, self->initargs);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint (value, self->max_message_size);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      g_value_set_double (value, self->handshake_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_process_pool_executor_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  if (self->started)
    {
      g_critical ("GaioProcessPoolExecutor:%s cannot change once the pool has run a job",
                  pspec->name);
      return;
    }

  switch (prop_id)
    {
    case PROP_MAX_WORKERS:
      self->max_workers = g_value_get_uint (value);
      break;
    case PROP_WORKER_ARGV:
      g_strfreev (self->worker_argv);
      self->worker_argv = g_value_dup_boxed (value);
      break;
    case PROP_LAUNCHER_PREFIX:
      g_strfreev (self->launcher_prefix);
      self->launcher_prefix = g_value_dup_boxed (value);
      if (self->launcher_prefix != NULL && self->launcher_prefix[0] == NULL)
        g_clear_pointer (&self->launcher_prefix, g_strfreev);
      break;
    case PROP_MAX_TASKS_PER_CHILD:
      self->max_tasks_per_child = g_value_get_uint (value);
      break;
    case PROP_INITIALIZER:
      g_free (self->initializer);
      self->initializer = g_value_dup_string (value);
      break;
    case PROP_INITIALIZER_ARGS:
      g_clear_pointer (&self->initargs, g_variant_unref);
      self->initargs = g_value_dup_variant (value);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      self->max_message_size = g_value_get_uint (value);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      self->handshake_timeout = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_process_pool_executor_class_init (GaioProcessPoolExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = gaio_process_pool_executor_constructed;
  object_class->dispose = gaio_process_pool_executor_dispose;
  object_class->finalize = gaio_process_pool_executor_finalize;
  object_class->get_property = gaio_process_pool_executor_get_property;
  object_class->set_property = gaio_process_pool_executor_set_property;

  /**
   * GaioProcessPoolExecutor:max-workers:
   *
   * The most worker processes at once. 0 at construction means Python's
   * default, the number of processors.
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_uint ("max-workers", NULL, NULL, 0, G_MAXINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioProcessPoolExecutor:worker-argv:
   *
   * The command line of a worker executable (see
   * [func@Gaio.process_pool_worker_main]), or %NULL for workers that run
   * the program itself (which must call
   * [func@Gaio.process_pool_worker_guard]). The first element is a path;
   * `PATH` is not searched.
   */
  properties[PROP_WORKER_ARGV] =
    g_param_spec_boxed ("worker-argv", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioProcessPoolExecutor:launcher-prefix:
   *
   * A command put in front of every worker's command line: `env NAME=value`,
   * a sandbox (`bwrap ... --`), `nice`. It must end by running the rest
   * of its arguments with the same stdin, stdout and stderr, and keep the
   * environment variables whose names start with `GAIO_PROCESS_POOL_`.
   * Fixed by the first job.
   */
  properties[PROP_LAUNCHER_PREFIX] =
    g_param_spec_boxed ("launcher-prefix", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * GaioProcessPoolExecutor:max-tasks-per-child:
   *
   * How many jobs a worker runs before it exits and is replaced (Python
   * 3.11's `max_tasks_per_child`), or 0 for no limit. Fixed by the first
   * job.
   */
  properties[PROP_MAX_TASKS_PER_CHILD] =
    g_param_spec_uint ("max-tasks-per-child", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * GaioProcessPoolExecutor:initializer:
   *
   * The name of a [callback@Gaio.JobFunc] every worker runs once before
   * its first job, with
   * [property@Gaio.ProcessPoolExecutor:initializer-args] (Python's
   * `initializer` and `initargs`), or %NULL. If it fails, the pool is
   * broken. Fixed by the first job.
   */
  properties[PROP_INITIALIZER] =
    g_param_spec_string ("initializer", NULL, NULL, NULL, flags);

  /**
   * GaioProcessPoolExecutor:initializer-args:
   *
   * The arguments of [property@Gaio.ProcessPoolExecutor:initializer].
   */
  properties[PROP_INITIALIZER_ARGS] =
    g_param_spec_variant ("initializer-args", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, flags);

  /**
   * GaioProcessPoolExecutor:max-message-size:
   *
   * The largest message, in bytes, a job's arguments or result may take.
   * A job whose arguments are larger fails with
   * %GAIO_ERROR_NOT_SERIALIZABLE, as does one whose result is; a worker
   * that sends a larger message anyway breaks the pool. Fixed by the
   * first job.
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint ("max-message-size", NULL, NULL, 64, G_MAXUINT32,
                       GAIO_WIRE_DEFAULT_MAX_BODY, flags | G_PARAM_CONSTRUCT);

  /**
   * GaioProcessPoolExecutor:handshake-timeout:
   *
   * How long, in seconds, a new worker has to answer before the pool
   * gives up on it and breaks: a program that forgot the worker guard
   * and never reaches libgaio would otherwise keep the pool waiting for
   * ever. Fixed by the first job.
   */
  properties[PROP_HANDSHAKE_TIMEOUT] =
    g_param_spec_double ("handshake-timeout", NULL, NULL, 0.001, 3600.0,
                         DEFAULT_HANDSHAKE_TIMEOUT, flags | G_PARAM_CONSTRUCT);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gaio_process_pool_executor_init (GaioProcessPoolExecutor *self)
{
  self->max_message_size = GAIO_WIRE_DEFAULT_MAX_BODY;
  self->handshake_timeout = DEFAULT_HANDSHAKE_TIMEOUT;
}

/* --- public API -------------------------------------------------------- */

/**
 * gaio_process_pool_executor_new:
 * @max_workers: the most worker processes, or 0 for the number of
 *   processors
 *
 * Creates a process pool whose workers run the program itself: it must
 * call [func@Gaio.process_pool_worker_guard] first thing in main(), or
 * every job fails saying so. No process starts before the first job.
 *
 * Returns: (transfer full): a new #GaioProcessPoolExecutor
 */
GaioProcessPoolExecutor *
gaio_process_pool_executor_new (guint max_workers)
{
  g_return_val_if_fail (max_workers <= G_MAXINT, NULL);

  return g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR, "max-workers", max_workers, NULL);
}

/**
 * gaio_process_pool_executor_new_for_worker:
 * @max_workers: the most worker processes, or 0 for the number of
 *   processors
 * @worker_argv: (array zero-terminated=1): the worker executable's path
 *   and arguments
 *
 * Creates a process pool whose workers run @worker_argv, a program whose
 * main() is [func@Gaio.process_pool_worker_main]. Jobs name functions
 * that program registered. This is the way for bindings (see
 * [method@Gaio.ProcessPoolExecutor.submit_named]) and for lean or
 * sandboxed workers.
 *
 * Returns: (transfer full): a new #GaioProcessPoolExecutor
 */
GaioProcessPoolExecutor *
gaio_process_pool_executor_new_for_worker (guint               max_workers,
                                           const char * const *worker_argv)
{
  g_return_val_if_fail (max_workers <= G_MAXINT, NULL);
  g_return_val_if_fail (worker_argv != NULL && worker_argv[0] != NULL, NULL);

  return g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR,
                       "max-workers", max_workers,
                       "worker-argv", worker_argv,
                       NULL);
}

/**
 * gaio_process_pool_executor_set_launcher_prefix:
 * @executor: a #GaioProcessPoolExecutor
 * @prefix: (array zero-terminated=1) (nullable): the launcher command, or
 *   %NULL for none
 *
 * Sets [property@Gaio.ProcessPoolExecutor:launcher-prefix]. Before the
 * first job only.
 */
void
gaio_process_pool_executor_set_launcher_prefix (GaioProcessPoolExecutor *executor,
                                                const char * const      *prefix)
{
  g_return_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor));
  g_return_if_fail (!executor->started);

  g_object_set (executor, "launcher-prefix", prefix, NULL);
}

/**
 * gaio_process_pool_executor_set_max_tasks_per_child:
 * @executor: a #GaioProcessPoolExecutor
 * @max_tasks: jobs per worker process, or 0 for no limit
 *
 * Sets [property@Gaio.ProcessPoolExecutor:max-tasks-per-child]. Before
 * the first job only.
 */
void
gaio_process_pool_executor_set_max_tasks_per_child (GaioProcessPoolExecutor *executor,
                                                    guint                    max_tasks)
{
  g_return_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor));
  g_return_if_fail (!executor->started);

  g_object_set (executor, "max-tasks-per-child", max_tasks, NULL);
}

/**
 * gaio_process_pool_executor_set_initializer_name:
 * @executor: a #GaioProcessPoolExecutor
 * @name: (nullable): the name of the initializer in the workers, or %NULL
 *   for none
 * @initargs: (nullable): its arguments; a floating reference is sunk
 *
 * Sets [property@Gaio.ProcessPoolExecutor:initializer] and its
 * arguments. Before the first job only.
 */
void
gaio_process_pool_executor_set_initializer_name (GaioProcessPoolExecutor *executor,
                                                 const char              *name,
                                                 GVariant                *initargs)
{
  g_autoptr(GVariant) args = initargs != NULL ? g_variant_ref_sink (initargs) : NULL;

  g_return_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor));
  g_return_if_fail (!executor->started);

  g_object_set (executor, "initializer", name, "initializer-args", args, NULL);
}

/**
 * gaio_process_pool_executor_set_initializer: (skip)
 * @executor: a #GaioProcessPoolExecutor
 * @initializer: (nullable): a function every worker runs once before its
 *   first job, registered or exported like job functions
 * @initargs: (nullable): its arguments, read with
 *   [method@Gaio.Job.get_args]; a floating reference is sunk
 * @error: return location for a #GError
 *
 * Sets the initializer by function (Python's `initializer` and
 * `initargs`). Its result is ignored; if it fails, the pool is broken and
 * its jobs fail with %GAIO_ERROR_BROKEN_EXECUTOR. Before the first job
 * only.
 *
 * Returns: %TRUE, or %FALSE with %GAIO_ERROR_NOT_SERIALIZABLE if the
 *   function cannot travel to workers
 */
gboolean
gaio_process_pool_executor_set_initializer (GaioProcessPoolExecutor  *executor,
                                            GaioJobFunc               initializer,
                                            GVariant                 *initargs,
                                            GError                  **error)
{
  g_autoptr(GVariant) args = initargs != NULL ? g_variant_ref_sink (initargs) : NULL;
  const char *name = NULL;

  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), FALSE);
  g_return_val_if_fail (!executor->started, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (initializer != NULL)
    {
      name = _gaio_process_registry_name_of (initializer, error);
      if (name == NULL)
        return FALSE;
    }

  gaio_process_pool_executor_set_initializer_name (executor, name, args);
  return TRUE;
}

/**
 * gaio_process_pool_executor_get_max_workers:
 * @executor: a #GaioProcessPoolExecutor
 *
 * Gets [property@Gaio.ProcessPoolExecutor:max-workers].
 *
 * Returns: the most worker processes
 */
guint
gaio_process_pool_executor_get_max_workers (GaioProcessPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), 0);

  return executor->max_workers;
}

/**
 * gaio_process_pool_executor_get_max_tasks_per_child:
 * @executor: a #GaioProcessPoolExecutor
 *
 * Gets [property@Gaio.ProcessPoolExecutor:max-tasks-per-child].
 *
 * Returns: jobs per worker, or 0 for no limit
 */
guint
gaio_process_pool_executor_get_max_tasks_per_child (GaioProcessPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), 0);

  return executor->max_tasks_per_child;
}

/**
 * gaio_process_pool_executor_get_worker_argv:
 * @executor: a #GaioProcessPoolExecutor
 *
 * Gets [property@Gaio.ProcessPoolExecutor:worker-argv].
 *
 * Returns: (array zero-terminated=1) (nullable) (transfer none): the
 *   worker command line, or %NULL for the program itself
 */
const char * const *
gaio_process_pool_executor_get_worker_argv (GaioProcessPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);

  return (const char * const *) executor->worker_argv;
}

/**
 * gaio_process_pool_executor_get_launcher_prefix:
 * @executor: a #GaioProcessPoolExecutor
 *
 * Gets [property@Gaio.ProcessPoolExecutor:launcher-prefix].
 *
 * Returns: (array zero-terminated=1) (nullable) (transfer none): the
 *   launcher command, or %NULL
 */
const char * const *
gaio_process_pool_executor_get_launcher_prefix (GaioProcessPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);

  return (const char * const *) executor->launcher_prefix;
}

/**
 * gaio_process_pool_executor_get_worker_pids:
 * @executor: a #GaioProcessPoolExecutor
 * @n_pids: (out): the number of pids
 *
 * Gets the process ids of the workers alive now (Python's
 * `executor._processes`), for monitoring and tests. Any thread.
 *
 * Returns: (array length=n_pids) (transfer container) (nullable): the pids,
 *   %NULL if there are none
 */
GPid *
gaio_process_pool_executor_get_worker_pids (GaioProcessPoolExecutor *executor,
                                            guint                   *n_pids)
{
  GPid *pids = NULL;

  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);
  g_return_val_if_fail (n_pids != NULL, NULL);

  *n_pids = 0;
  if (executor->core == NULL)
    return NULL;

  core_lock (executor->core);
  if (executor->core->pids->len > 0)
    {
      *n_pids = executor->core->pids->len;
      pids = g_memdup2 (executor->core->pids->data, sizeof (GPid) * *n_pids);
    }
  core_unlock (executor->core);

  return pids;
}

/**
 * gaio_process_pool_executor_submit_named:
 * @executor: a #GaioProcessPoolExecutor
 * @loop: the loop the future belongs to
 * @function_name: the name of a function in the workers (registered
 *   there, or exported)
 * @args: (nullable): its arguments; a floating reference is sunk
 *
 * Runs the function called @function_name in a worker, like
 * [method@Gaio.Loop.run_in_executor] with a function pointer. This is how
 * language bindings use a process pool: their own functions cannot run
 * in a worker, but a worker executable's C functions can (see
 * [ctor@Gaio.ProcessPoolExecutor.new_for_worker]).
 *
 * A name no worker knows fails the future with
 * %GAIO_ERROR_NOT_SERIALIZABLE. Loop thread only.
 *
 * Returns: (transfer full): the future of the job, completed on @loop's
 *   thread
 */
GaioFuture *
gaio_process_pool_executor_submit_named (GaioProcessPoolExecutor *executor,
                                         GaioLoop                *loop,
                                         const char              *function_name,
                                         GVariant                *args)
{
  g_autoptr(GVariant) owned_args = args != NULL ? g_variant_ref_sink (args) : NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GaioJob) job = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (function_name != NULL && *function_name != '\0', NULL);

  future = gaio_future_new (loop);
  if (gaio_loop_is_closed (loop))
    {
      gaio_future_take_error (future, g_error_new_literal (GAIO_ERROR, GAIO_ERROR_CLOSED,
                                                           "Event loop is closed"), NULL);
      return g_steal_pointer (&future);
    }

  job = _gaio_job_new_named (loop, future, function_name, owned_args);
  if (!gaio_executor_submit (GAIO_EXECUTOR (executor), job, &error))
    _gaio_job_abort (job, error);

  return g_steal_pointer (&future);
}

/* A future's result as a GVariant, for the _finish() of bindings. */
static GVariant *
result_to_variant (const GValue *value)
{
  GType type = G_VALUE_TYPE (value);

  if (type == G_TYPE_VARIANT)
    return g_value_dup_variant (value);
  if (type == G_TYPE_INT64)
    return g_variant_ref_sink (g_variant_new_int64 (g_value_get_int64 (value)));
  if (type == G_TYPE_UINT64)
    return g_variant_ref_sink (g_variant_new_uint64 (g_value_get_uint64 (value)));
  if (type == G_TYPE_DOUBLE)
    return g_variant_ref_sink (g_variant_new_double (g_value_get_double (value)));
  if (type == G_TYPE_BOOLEAN)
    return g_variant_ref_sink (g_variant_new_boolean (g_value_get_boolean (value)));
  if (type == G_TYPE_STRING && g_value_get_string (value) != NULL)
    return g_variant_ref_sink (g_variant_new_string (g_value_get_string (value)));
  if (type == G_TYPE_BYTES && g_value_get_boxed (value) != NULL)
    return g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING,
                                                         g_value_get_boxed (value), TRUE));
  return NULL;
}

typedef struct
{
  GCancellable *cancellable;   /* (owned) (nullable) */
  gulong        handler;
} SubmitNamedData;

static void
submit_named_data_free (gpointer data)
{
  SubmitNamedData *submit = data;

  g_clear_object (&submit->cancellable);
  g_free (submit);
}

static void
submit_named_done (GaioFuture *future,
                   gpointer    user_data)
{
  GTask *task = user_data;
  SubmitNamedData *submit = g_task_get_task_data (task);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  if (submit->handler != 0)
    g_cancellable_disconnect (submit->cancellable, submit->handler);

  if (gaio_future_get_result (future, &value, &error))
    {
      g_task_return_pointer (task, G_IS_VALUE (&value) ? result_to_variant (&value) : NULL,
                             (GDestroyNotify) g_variant_unref);
      if (G_IS_VALUE (&value))
        g_value_unset (&value);
    }
  else
    g_task_return_error (task, error);
}

static void
submit_named_cancelled (GCancellable *cancellable,
                        gpointer      user_data)
{
  GaioFuture *future = user_data;

  gaio_future_cancel (future, NULL);
}

/**
 * gaio_process_pool_executor_submit_named_async:
 * @executor: a #GaioProcessPoolExecutor
 * @loop: the loop to run the job for
 * @function_name: the name of a function in the workers
 * @args: (nullable): its arguments; a floating reference is sunk
 * @cancellable: (nullable): cancels the job, as cancelling its future does
 * @callback: (scope async) (closure user_data): called on the loop's
 *   thread when the job is done
 * @user_data: data for @callback
 *
 * [method@Gaio.ProcessPoolExecutor.submit_named] in GIO's asynchronous
 * style: PyGObject can `await` it and GJS can promisify it. Call
 * [method@Gaio.ProcessPoolExecutor.submit_named_finish] from @callback.
 * Loop thread only; @cancellable must be cancelled on the loop's thread.
 */
void
gaio_process_pool_executor_submit_named_async (GaioProcessPoolExecutor *executor,
                                               GaioLoop                *loop,
                                               const char              *function_name,
                                               GVariant                *args,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GaioFuture) future = NULL;
  SubmitNamedData *submit;

  g_return_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  future = gaio_process_pool_executor_submit_named (executor, loop, function_name, args);
  g_return_if_fail (future != NULL);

  submit = g_new0 (SubmitNamedData, 1);
  task = g_task_new (executor, cancellable, callback, user_data);
  g_task_set_source_tag (task, gaio_process_pool_executor_submit_named_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, submit, submit_named_data_free);

  /* Disconnected by the done callback, on the loop's thread. */
  if (cancellable != NULL)
    {
      submit->cancellable = g_object_ref (cancellable);
      submit->handler = g_cancellable_connect (cancellable, G_CALLBACK (submit_named_cancelled),
                                               g_object_ref (future), g_object_unref);
    }

  gaio_future_add_done_callback (future, submit_named_done, g_object_ref (task), g_object_unref);
}

/**
 * gaio_process_pool_executor_submit_named_finish:
 * @executor: a #GaioProcessPoolExecutor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Gaio.ProcessPoolExecutor.submit_named_async]. A
 * result set as a number, boolean, string or bytes comes back as a
 * #GVariant of the matching basic type.
 *
 * Returns: (transfer full) (nullable): the job's result, %NULL if it set
 *   none or on error
 */
GVariant *
gaio_process_pool_executor_submit_named_finish (GaioProcessPoolExecutor  *executor,
                                                GAsyncResult             *result,
                                                GError                  **error)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);
  g_return_val_if_fail (g_task_is_valid (result, executor), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
