/* gaio-thread-pool-executor.c: an executor on a GThreadPool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Python's ThreadPoolExecutor on a GThreadPool, created on the first job. The jobs wait in a queue of the executor's own; what goes
 * through the GThreadPool is a wake-up token, one per worker to wake,
 * and a woken worker runs jobs until the queue stays empty.
 *
 * Trivial jobs finish faster than a loop submits them: a worker woken per
 * job would cost a futex wake-up, and a reschedule of the loop thread,
 * per job. So a worker that finds the queue empty first waits a little,
 * yielding the processor, for the next job, and only then gives its
 * token back; and a submission wakes a worker only when the jobs queued
 * outnumber the workers awake and free to take them (n_idle). Jobs that
 * wait for each other still all start, up to max_workers, as Python's
 * executor starts them: a submission never waits for anything but a
 * free worker.
 *
 * Invariants, under the lock: n_idle <= n_draining <= max_workers, and
 * the queue is empty or n_draining > 0 (a worker gives its token back
 * only when it finds the queue empty).
 *
 * Outcomes go back through the loop's inbox (see gaio-job.c), so a
 * thousand jobs finishing together wake the loop once.
 *
 * The pool is not exclusive: as in Python, threads start only when a job
 * finds no idle one, and GLib lends idle threads between pools. A thread
 * takes the executor's name, and runs its initializer, when it starts
 * working for the executor (thread_owner); one that worked for another
 * executor in between does both again.
 *
 * Every wake-up token holds a reference on the
 * executor, so the executor outlives the jobs still queued, even when its
 * owner drops it right after submitting.
 *
 * The lock is a pthread mutex rather than a GMutex: GLib 2.74's GMutex is
 * a futex of its own that ThreadSanitizer cannot see, and the TSan run of
 * the test suite must see this lock to check the code it guards.
 */

#include "config.h"

#include <pthread.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif

#include "gaio-debug-private.h"
#include "gaio-job-private.h"
#include "gaio-thread-pool-executor-private.h"
#include "gaio-tsan-private.h"
#include "gaio.h"

struct _GaioThreadPoolExecutor
{
  GObject                  parent_instance;

  guint                    max_workers;
  char                    *thread_name_prefix;     /* (owned) */
  GaioExecutorInitializer  initializer;
  gpointer                 initializer_data;
  GDestroyNotify           initializer_notify;

  pthread_mutex_t          lock;
  pthread_cond_t           idle_cond;              /* n_inflight reached 0 */

  /* Protected by lock: */
  GThreadPool             *pool;                   /* (owned) (nullable) */
  GQueue                   queue;                  /* (element-type GaioJob) (owned) the
                                                    * jobs' own links (_gaio_job_claim_link()) */
  guint                    n_draining;             /* workers holding a token */
  guint                    n_idle;                 /* of those, not running a job */
  gint                     n_queued;               /* (atomic) the queue's length, for
                                                    * workers waiting without the lock */

  gint                     n_inflight;             /* (atomic) jobs taken, not yet finished */
  gint                     n_waiters;              /* (atomic) shutdown (wait) callers */

  gint                     shutdown;               /* (atomic) */
  gint                     cancel_pending;         /* (atomic) queued jobs are cancelled */
  GError                  *broken;                 /* (atomic) (owned) (nullable) set once */
  gint                     n_threads;              /* (atomic) for thread names */
  guint64                  id;                     /* never 0, never reused */
};

static void gaio_thread_pool_executor_iface_init (GaioExecutorInterface *iface);

/**
 * GaioThreadPoolExecutor:
 *
 * Runs jobs in a pool of threads (Python's
 * `concurrent.futures.ThreadPoolExecutor`), on a #GThreadPool. The
 * default executor of a [class@Gaio.Loop] is one of these.
 *
 * Job functions run in the pool's threads; their outcome reaches the
 * job's future on the loop's thread.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE_WITH_CODE (GaioThreadPoolExecutor, gaio_thread_pool_executor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GAIO_TYPE_EXECUTOR,
                                                      gaio_thread_pool_executor_iface_init))

enum {
  PROP_0,
  PROP_MAX_WORKERS,
  PROP_THREAD_NAME_PREFIX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Which executor this thread last worked for: it was named and ran the
 * initializer for that one. An id, not the executor's address, which a
 * new executor may reuse. */
static __thread guint64 thread_owner;
static guint64 last_executor_id;    /* (atomic) */

static guint default_prefix_counter;

static void
name_thread (GaioThreadPoolExecutor *self)
{
  g_autofree char *name = g_strdup_printf ("%s_%d", self->thread_name_prefix,
                                           g_atomic_int_add (&self->n_threads, 1));

#ifdef __linux__
  /* The kernel keeps 15 bytes of it. */
  prctl (PR_SET_NAME, name, 0, 0, 0);
#endif
}

static void
break_pool (GaioThreadPoolExecutor *self,
            GError                 *cause)
{
  GError *error = g_error_new (GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                               "A thread initializer failed, the thread pool is not usable "
                               "anymore: %s", cause->message);

  if (!g_atomic_pointer_compare_and_exchange (&self->broken, NULL, error))
    g_error_free (error);
}

static void
start_worker_thread (GaioThreadPoolExecutor *self)
{
  g_autoptr(GError) error = NULL;

  thread_owner = self->id;
  name_thread (self);

  if (self->initializer != NULL &&
      !self->initializer (self->initializer_data, &error))
    {
      if (error == NULL)
        error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_FAILED,
                                     "The initializer returned FALSE without setting an error");
      break_pool (self, error);
    }
}

/* The waiter of shutdown (wait) increments n_waiters and then reads
 * n_inflight; this decrements n_inflight and then reads n_waiters: with
 * both sequentially consistent, one of the two sees the other, so the
 * lock and the broadcast are needed only when someone waits. */
static void
job_finished (GaioThreadPoolExecutor *self)
{
  if (g_atomic_int_dec_and_test (&self->n_inflight) &&
      g_atomic_int_get (&self->n_waiters) > 0)
    {
      pthread_mutex_lock (&self->lock);
      pthread_cond_broadcast (&self->idle_cond);
      pthread_mutex_unlock (&self->lock);
    }
}

static void
run_one (GaioThreadPoolExecutor *self,
         GaioJob                *job)
{
  GError *broken;

  /* Pairs with the atomic store that publishes the job (gaio-job.c). */
  _gaio_job_is_queued (job);

  broken = g_atomic_pointer_get (&self->broken);
  if (G_UNLIKELY (broken != NULL))
    {
      gaio_job_fail (job, broken);
      gaio_job_unref (job);
    }
  else if (G_UNLIKELY (g_atomic_int_get (&self->cancel_pending)))
    {
      _gaio_job_cancel (job);
      gaio_job_unref (job);
    }
  else
    {
      /* The queue's reference goes to the loop with the outcome. */
      _gaio_job_run_and_unref (job);
    }

  job_finished (self);
}

/* How long a worker that found the queue empty waits for the next job
 * before it sleeps: this many yields of the processor (each a
 * sched_yield(), far cheaper than a futex sleep and wake-up, and letting
 * the loop thread run on a busy machine). */
#define IDLE_SPINS 200

/* Waits a little, without the lock, for a job to be queued. */
static gboolean
linger (GaioThreadPoolExecutor *self)
{
  for (guint i = 0; i < IDLE_SPINS; i++)
    {
      if (g_atomic_int_get (&self->n_queued) > 0)
        return TRUE;
      g_thread_yield ();
    }

  return FALSE;
}

/* The GThreadPool's function, for one wake-up token (a reference on the
 * executor): runs queued jobs until the queue stays empty. */
static void
drain_queue (gpointer data,
             gpointer user_data)
{
  GaioThreadPoolExecutor *self = data;
  gboolean lingered = FALSE;

  /* The token came through GLib's queue, which ThreadSanitizer cannot
   * see: pairs with wake_worker(). */
  GAIO_TSAN_ACQUIRE (self);

  pthread_mutex_lock (&self->lock);
  if (G_UNLIKELY (thread_owner != self->id))
    {
      pthread_mutex_unlock (&self->lock);
      start_worker_thread (self);
      pthread_mutex_lock (&self->lock);
    }

  for (;;)
    {
      GList *link = g_queue_pop_head_link (&self->queue);

      if (link != NULL)
        {
          GaioJob *job = link->data;

          g_atomic_int_add (&self->n_queued, -1);
          self->n_idle--;
          pthread_mutex_unlock (&self->lock);

          run_one (self, job);
          lingered = FALSE;

          pthread_mutex_lock (&self->lock);
          self->n_idle++;
          continue;
        }

      if (lingered)
        break;

      pthread_mutex_unlock (&self->lock);
      linger (self);
      lingered = TRUE;
      pthread_mutex_lock (&self->lock);
    }

  self->n_idle--;
  self->n_draining--;
  pthread_mutex_unlock (&self->lock);

  g_object_unref (self);
}

/* HOLDS: lock */
static void
wake_worker (GaioThreadPoolExecutor *self)
{
  self->n_draining++;
  self->n_idle++;
  GAIO_TSAN_RELEASE (self);
  g_thread_pool_push (self->pool, g_object_ref (self), NULL);
}

static gboolean
check_accepting (GaioThreadPoolExecutor  *self,
                 GError                 **error)
{
  GError *broken = g_atomic_pointer_get (&self->broken);

  if (g_atomic_int_get (&self->shutdown))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN,
                           "cannot schedule new futures after shutdown");
      return FALSE;
    }
  if (broken != NULL)
    {
      g_propagate_error (error, g_error_copy (broken));
      return FALSE;
    }

  return TRUE;
}

/* HOLDS: lock */
static gboolean
ensure_pool (GaioThreadPoolExecutor  *self,
             GError                 **error)
{
  if (self->pool != NULL)
    return TRUE;

  self->pool = g_thread_pool_new (drain_queue, NULL, self->max_workers, FALSE, error);
  return self->pool != NULL;
}

gboolean
_gaio_thread_pool_executor_submit (GaioThreadPoolExecutor  *self,
                                   GaioJob                 *job,
                                   GError                 **error)
{
  GList *link;

  if (!check_accepting (self, error))
    return FALSE;

  /* GJS runs JavaScript on the main thread only: a JavaScript job on a
   * worker would print a critical and return FALSE with no error. Say
   * what works instead, before it runs. */
  if (_gaio_debug_in_gjs () && _gaio_debug_is_generated_code ((gpointer) _gaio_job_get_func (job)))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_NOT_MAIN_THREAD,
                           "A JavaScript function cannot run in a thread pool: GJS runs "
                           "JavaScript on the main thread only. Use a process pool whose workers "
                           "are a C executable (Gaio.ProcessPoolExecutor.new_for_worker() and "
                           "submit_named()); see the libgaio guide \"Bindings\" (bindings.md)");
      return FALSE;
    }

  pthread_mutex_lock (&self->lock);

  /* shutdown() takes the pool under the lock: re-check under it. */
  if (g_atomic_int_get (&self->shutdown))
    {
      pthread_mutex_unlock (&self->lock);
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN,
                           "cannot schedule new futures after shutdown");
      return FALSE;
    }
  if (!ensure_pool (self, error))
    {
      pthread_mutex_unlock (&self->lock);
      return FALSE;
    }
  link = _gaio_job_claim_link (job);
  if (G_UNLIKELY (link == NULL))
    {
      pthread_mutex_unlock (&self->lock);
      g_critical ("%s: the job was submitted before; a job runs once", G_STRFUNC);
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                           "the job was submitted before");
      return FALSE;
    }

  g_atomic_int_inc (&self->n_inflight);
  gaio_job_ref (job);
  g_queue_push_tail_link (&self->queue, link);
  g_atomic_int_inc (&self->n_queued);

  if (self->queue.length > self->n_idle && self->n_draining < self->max_workers)
    wake_worker (self);

  pthread_mutex_unlock (&self->lock);

  return TRUE;
}

static gboolean
gaio_thread_pool_executor_submit (GaioExecutor  *executor,
                                  GaioJob       *job,
                                  GError       **error)
{
  return _gaio_thread_pool_executor_submit (GAIO_THREAD_POOL_EXECUTOR (executor), job, error);
}

static void
gaio_thread_pool_executor_shutdown (GaioExecutor *executor,
                                    gboolean      wait,
                                    gboolean      cancel_futures)
{
  GaioThreadPoolExecutor *self = GAIO_THREAD_POOL_EXECUTOR (executor);
  GQueue cancelled = G_QUEUE_INIT;
  GThreadPool *pool;
  GList *link;

  /* For the jobs a worker took off the queue just before the lock below
   * and has not started: the worker sees the flag and cancels them. */
  if (cancel_futures)
    g_atomic_int_set (&self->cancel_pending, TRUE);

  pthread_mutex_lock (&self->lock);
  g_atomic_int_set (&self->shutdown, TRUE);
  pool = g_steal_pointer (&self->pool);
  /* concurrent.futures cancels the queued jobs at once, whether or not
   * a worker is free to reach them: they are taken off the queue here,
   * and their futures are cancelled in the loop's next iteration. */
  if (cancel_futures)
    {
      cancelled = self->queue;
      g_queue_init (&self->queue);
      g_atomic_int_set (&self->n_queued, 0);
    }
  pthread_mutex_unlock (&self->lock);

  /* Not under the lock: posting to the loop may wake its context. */
  while ((link = g_queue_pop_head_link (&cancelled)) != NULL)
    {
      GaioJob *job = link->data;

      _gaio_job_cancel (job);
      gaio_job_unref (job);
      job_finished (self);
    }

  /* The wake-up tokens already pushed still run, and the workers they
   * wake drain the queue (empty if cancel_futures) and end. */
  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, wait);

  if (wait)
    {
      pthread_mutex_lock (&self->lock);
      g_atomic_int_inc (&self->n_waiters);
      while (g_atomic_int_get (&self->n_inflight) > 0)
        pthread_cond_wait (&self->idle_cond, &self->lock);
      g_atomic_int_dec_and_test (&self->n_waiters);
      pthread_mutex_unlock (&self->lock);
    }
}

static gboolean
gaio_thread_pool_executor_is_shutdown (GaioExecutor *executor)
{
  return g_atomic_int_get (&GAIO_THREAD_POOL_EXECUTOR (executor)->shutdown);
}

static void
gaio_thread_pool_executor_iface_init (GaioExecutorInterface *iface)
{
  iface->submit = gaio_thread_pool_executor_submit;
  iface->shutdown = gaio_thread_pool_executor_shutdown;
  iface->is_shutdown = gaio_thread_pool_executor_is_shutdown;
}

static void
gaio_thread_pool_executor_constructed (GObject *object)
{
  GaioThreadPoolExecutor *self = GAIO_THREAD_POOL_EXECUTOR (object);

  G_OBJECT_CLASS (gaio_thread_pool_executor_parent_class)->constructed (object);

  /* Python's default: min(32, os.cpu_count() + 4). */
  if (self->max_workers == 0)
    self->max_workers = MIN (32, g_get_num_processors () + 4);

  if (self->thread_name_prefix == NULL)
    self->thread_name_prefix =
      g_strdup_printf ("ThreadPoolExecutor-%u", g_atomic_int_add (&default_prefix_counter, 1));
}

static void
gaio_thread_pool_executor_finalize (GObject *object)
{
  GaioThreadPoolExecutor *self = GAIO_THREAD_POOL_EXECUTOR (object);

  /* Queued jobs hold references: reaching here means none is left, but
   * the idle pool's threads still wait; let them go without blocking,
   * since this may run in one of them. */
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, FALSE);

  if (self->initializer_notify != NULL)
    self->initializer_notify (self->initializer_data);
  g_clear_error (&self->broken);
  g_free (self->thread_name_prefix);
  pthread_mutex_destroy (&self->lock);
  pthread_cond_destroy (&self->idle_cond);

  G_OBJECT_CLASS (gaio_thread_pool_executor_parent_class)->finalize (object);
}

static void
gaio_thread_pool_executor_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  GaioThreadPoolExecutor *self = GAIO_THREAD_POOL_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_MAX_WORKERS:
      g_value_set_uint (value, self->max_workers);
      break;
    case PROP_THREAD_NAME_PREFIX:
      g_value_set_string (value, self->thread_name_prefix);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_thread_pool_executor_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  GaioThreadPoolExecutor *self = GAIO_THREAD_POOL_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_MAX_WORKERS:
      self->max_workers = g_value_get_uint (value);
      break;
    case PROP_THREAD_NAME_PREFIX:
      self->thread_name_prefix = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_thread_pool_executor_class_init (GaioThreadPoolExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* G_DEFINE_QUARK sets its quark lazily, unsynchronized: have it set
   * before workers can fail jobs with GAIO_ERROR from several threads. */
  (void) gaio_error_quark ();

  object_class->constructed = gaio_thread_pool_executor_constructed;
  object_class->finalize = gaio_thread_pool_executor_finalize;
  object_class->get_property = gaio_thread_pool_executor_get_property;
  object_class->set_property = gaio_thread_pool_executor_set_property;

  /**
   * GaioThreadPoolExecutor:max-workers:
   *
   * The number of threads. 0 at construction means Python's default,
   * `min (32, number of processors + 4)`.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_uint ("max-workers", NULL, NULL,
                       0, G_MAXINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioThreadPoolExecutor:thread-name-prefix:
   *
   * Worker threads are named `PREFIX_N` (the kernel keeps the first 15
   * bytes). %NULL at construction means `ThreadPoolExecutor-M`, M
   * counting executors, as Python names them.
   *
   * Since: 1.0
   */
  properties[PROP_THREAD_NAME_PREFIX] =
    g_param_spec_string ("thread-name-prefix", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* The lock is taken once per job by the submitter and by the worker
 * that takes it, for a few instructions each time: on contention a
 * thread that spins a little gets it sooner, and cheaper, than one that
 * sleeps in the kernel and must be woken with a second system call. */
static void
init_lock (pthread_mutex_t *lock)
{
  pthread_mutexattr_t attr;

  pthread_mutexattr_init (&attr);
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
  pthread_mutexattr_settype (&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
  pthread_mutex_init (lock, &attr);
  pthread_mutexattr_destroy (&attr);
}

static void
gaio_thread_pool_executor_init (GaioThreadPoolExecutor *self)
{
  init_lock (&self->lock);
  pthread_cond_init (&self->idle_cond, NULL);
  g_queue_init (&self->queue);
  self->id = __atomic_add_fetch (&last_executor_id, 1, __ATOMIC_RELAXED);
}

/**
 * gaio_thread_pool_executor_new:
 * @max_workers: the number of threads, or 0 for Python's default
 * @thread_name_prefix: (nullable): how to name the threads
 *
 * Creates a thread pool executor. Its threads start with its first job.
 *
 * Returns: (transfer full): a new #GaioThreadPoolExecutor
 *
 * Since: 1.0
 */
GaioThreadPoolExecutor *
gaio_thread_pool_executor_new (guint       max_workers,
                               const char *thread_name_prefix)
{
  g_return_val_if_fail (max_workers <= G_MAXINT, NULL);

  return g_object_new (GAIO_TYPE_THREAD_POOL_EXECUTOR,
                       "max-workers", max_workers,
                       "thread-name-prefix", thread_name_prefix,
                       NULL);
}

/**
 * gaio_thread_pool_executor_new_with_initializer:
 * @max_workers: the number of threads, or 0 for Python's default
 * @thread_name_prefix: (nullable): how to name the threads
 * @initializer: (scope notified) (closure user_data) (destroy notify):
 *   runs once in each worker thread before its first job
 * @user_data: data for @initializer
 * @notify: (nullable): frees @user_data when the executor is finalized
 *
 * Creates a thread pool executor whose threads run @initializer first
 * (Python's `initializer` and `initargs`). If it fails, the executor is
 * broken: its jobs fail with %GAIO_ERROR_BROKEN_EXECUTOR.
 *
 * Returns: (transfer full): a new #GaioThreadPoolExecutor
 *
 * Since: 1.0
 */
GaioThreadPoolExecutor *
gaio_thread_pool_executor_new_with_initializer (guint                    max_workers,
                                                const char              *thread_name_prefix,
                                                GaioExecutorInitializer  initializer,
                                                gpointer                 user_data,
                                                GDestroyNotify           notify)
{
  GaioThreadPoolExecutor *self;

  g_return_val_if_fail (initializer != NULL, NULL);

  self = gaio_thread_pool_executor_new (max_workers, thread_name_prefix);
  self->initializer = initializer;
  self->initializer_data = user_data;
  self->initializer_notify = notify;

  return self;
}

/**
 * gaio_thread_pool_executor_get_max_workers:
 * @executor: a #GaioThreadPoolExecutor
 *
 * Gets [property@Gaio.ThreadPoolExecutor:max-workers].
 *
 * Returns: the number of threads
 *
 * Since: 1.0
 */
guint
gaio_thread_pool_executor_get_max_workers (GaioThreadPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_THREAD_POOL_EXECUTOR (executor), 0);

  return executor->max_workers;
}

/**
 * gaio_thread_pool_executor_get_thread_name_prefix:
 * @executor: a #GaioThreadPoolExecutor
 *
 * Gets [property@Gaio.ThreadPoolExecutor:thread-name-prefix].
 *
 * Returns: the prefix
 *
 * Since: 1.0
 */
const char *
gaio_thread_pool_executor_get_thread_name_prefix (GaioThreadPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_THREAD_POOL_EXECUTOR (executor), NULL);

  return executor->thread_name_prefix;
}
