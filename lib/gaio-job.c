/* gaio-job.c: one call of a function in an executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A job carries a function, its arguments and its data from the loop to
 * an executor, runs there, and carries the outcome back to the loop's
 * future through the loop's inbox (one compare-and-swap, and one wake-up
 * for however many jobs finish between two iterations). The job is
 * given the inbox when it is made, and posts to it without calling the
 * loop; it holds the loop only to keep it (and so the inbox) alive.
 *
 * Its life is a small state machine, moved with compare-and-swap so that
 * the loop (cancelling the future) and a worker (starting the job) never
 * both win:
 *
 *   QUEUED --worker--> RUNNING --worker--> DONE --loop--> (delivered)
 *   QUEUED --loop, future cancelled--> CANCELLED   (never runs)
 *   QUEUED --executor, shut down--> CANCELLED      (never runs)
 *   QUEUED --executor, gaio_job_fail()--> DONE
 *   RUNNING --executor, taken back unstarted--> CANCELLED  (a worker process
 *                                                          dropped it)
 *
 * The user data's destroy notify runs exactly once, on the loop's thread:
 * when the outcome is delivered, when the job is cancelled before it
 * started, or when the loop closes with the outcome still queued. Only if
 * the loop was closed before the outcome could be posted does it run in
 * the thread that finished the job.
 */

#include "config.h"

#include "gaio-future-private.h"
#include "gaio-handle-private.h"
#include "gaio-inbox-private.h"
#include "gaio-job-private.h"

typedef enum {
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_DONE,
  JOB_CANCELLED,
} JobState;

struct _GaioJob
{
  gint            ref_count;        /* (atomic) */
  gint            state;            /* (atomic) JobState */

  GaioJobFunc     func;
  char           *function_name;    /* (owned) (nullable) named jobs of process pools */
  gpointer        user_data;        /* (owned) released by release_closure() */
  GDestroyNotify  notify;
  gint            closure_released; /* (atomic) asserted at the last unref,
                                     * which may be on another thread */

  GVariant       *args;             /* (owned) (nullable) */
  GaioLoop       *loop;             /* (owned) until delivered, released on the loop's thread */
  GaioInbox      *inbox;            /* (unowned) the loop's, valid while the job holds the loop */
  GaioFuture     *future;           /* (owned) (nullable) loop thread only */
  GCancellable   *cancellable;      /* (owned) (atomic) (nullable) made on demand */

  /* The link an executor queues the job with (data: the job), and
   * whether it was handed out (see _gaio_job_claim_link()). */
  GList           link;
  gint            link_claimed;     /* (atomic) */
  /* The handle that carries the outcome to the loop: made with the job,
   * on the loop's thread, so that the thread that finishes the job
   * allocates nothing and the loop frees what it allocated (glibc frees
   * memory of another thread's arena under that arena's lock). Taken by
   * the one post of the job; freed unposted with the job otherwise. */
  GaioHandle     *delivery;         /* (owned) (nullable) */

  /* A job running in another process is cancelled there through this
   * hook, set before the job is queued. */
  GaioJobRemoteCancel remote_cancel;
  gpointer            remote_data;  /* (owned) freed by remote_destroy */
  GDestroyNotify      remote_destroy;
  guint64             remote_id;    /* written before the job runs */

  /* Written by the thread that runs the job before it posts the job to
   * the loop, read by the loop after: the inbox orders the two. */
  GValue          result;
  GDestroyNotify  result_destroy;
  GError         *error;            /* (owned) (nullable) */
};

/**
 * GaioJob:
 *
 * One call of a [callback@Gaio.JobFunc] in an executor, made by
 * [method@Gaio.Loop.run_in_executor]. The function reads its arguments
 * and cancellable from the job and sets its result on it, like a
 * #GTask's thread function.
 *
 * A job is passed to its function on the executor's thread; the result
 * setters are called there. Executors implementing
 * [iface@Gaio.Executor] call [method@Gaio.Job.run] or
 * [method@Gaio.Job.fail] once for each job they were given.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (GaioJob, gaio_job, gaio_job_ref, gaio_job_unref)

static void          cancel_hook        (GaioFuture *future,
                                         gpointer    user_data);
static void          delivery_done      (gpointer    user_data);
static GCancellable *ensure_cancellable (GaioJob    *job);
static void          clear_job_result   (GaioJob    *job);

/* Whether a result was set. Not G_IS_VALUE(), which validates the type
 * with a library call, once or twice per job: the job's value is only
 * ever zeroed or initialized. */
static inline gboolean
job_has_result (GaioJob *job)
{
  return G_VALUE_TYPE (&job->result) != G_TYPE_INVALID;
}

GaioJob *
_gaio_job_new (GaioLoop       *loop,
               GaioInbox      *inbox,
               GaioFuture     *future,
               GaioJobFunc     func,
               GVariant       *args,
               gpointer        user_data,
               GDestroyNotify  notify)
{
  GaioJob *job = g_new0 (GaioJob, 1);

  job->ref_count = 1;
  job->func = func;
  job->user_data = user_data;
  job->notify = notify;
  job->args = args != NULL ? g_variant_ref_sink (args) : NULL;
  job->loop = g_object_ref (loop);
  job->inbox = inbox;
  job->future = gaio_future_ref (future);
  job->link.data = job;
  /* Its callback is set when it is posted (see post_to_loop()). */
  job->delivery = _gaio_handle_new (NULL, job, delivery_done);

  /* The hook holds a reference: the worker may drop the executor's
   * reference while the loop runs the hook. */
  _gaio_future_set_cancel_hook (future, cancel_hook, gaio_job_ref (job),
                                (GDestroyNotify) gaio_job_unref);

  /* Last, and atomic: the executor hands the job to a worker through
   * GLib's queue, whose futex locks ThreadSanitizer cannot see; the
   * worker's first read of the state pairs with this store, so the
   * fields above are seen as published. */
  g_atomic_int_set (&job->state, JOB_QUEUED);

  return job;
}

/**
 * gaio_job_ref:
 * @job: a #GaioJob
 *
 * Takes a reference on @job.
 *
 * Returns: (transfer full): @job
 *
 * Since: 1.0
 */
GaioJob *
gaio_job_ref (GaioJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);

  g_atomic_int_inc (&job->ref_count);

  return job;
}

/**
 * gaio_job_unref:
 * @job: (transfer full): a #GaioJob
 *
 * Drops a reference on @job.
 *
 * Since: 1.0
 */
void
gaio_job_unref (GaioJob *job)
{
  g_return_if_fail (job != NULL);

  if (!g_atomic_int_dec_and_test (&job->ref_count))
    return;

  g_assert (g_atomic_int_get (&job->closure_released));
  g_assert (job->future == NULL);

  if (job->result_destroy != NULL)
    job->result_destroy (g_value_get_pointer (&job->result));
  if (job_has_result (job))
    g_value_unset (&job->result);
  g_clear_error (&job->error);
  g_clear_pointer (&job->args, g_variant_unref);
  g_free (job->function_name);
  if (job->remote_destroy != NULL)
    job->remote_destroy (job->remote_data);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->loop);
  /* The delivery handle of a job never posted (cancelled while queued,
   * or refused by its executor): unreffing a handle runs no notify. */
  if (job->delivery != NULL)
    gaio_handle_unref (job->delivery);
  g_free (job);
}

static void
release_closure (GaioJob *job)
{
  if (g_atomic_int_get (&job->closure_released))
    return;

  g_atomic_int_set (&job->closure_released, TRUE);
  if (job->notify != NULL)
    job->notify (job->user_data);
  job->user_data = NULL;
  job->notify = NULL;
}

/* Loop thread only: lets go of the future (and its hook on us). */
static GaioFuture *
steal_future (GaioJob *job)
{
  GaioFuture *future = g_steal_pointer (&job->future);

  if (future != NULL)
    _gaio_future_set_cancel_hook (future, NULL, NULL, NULL);

  return future;
}

static gboolean
deliver_on_loop (gpointer   user_data,
                 GError   **error)
{
  GaioJob *job = user_data;
  g_autoptr(GaioFuture) future = steal_future (job);

  if (future != NULL && !gaio_future_is_done (future))
    {
      if (job->error != NULL)
        gaio_future_take_error (future, g_steal_pointer (&job->error), NULL);
      else if (job->result_destroy != NULL)
        {
          gaio_future_set_result_pointer (future, g_value_get_pointer (&job->result),
                                          g_steal_pointer (&job->result_destroy), NULL);
          g_value_unset (&job->result);
        }
      else if (job_has_result (job))
        gaio_future_take_result (future, &job->result, NULL);
      else
        gaio_future_set_result_pointer (future, NULL, NULL, NULL);
    }

  release_closure (job);

  return TRUE;
}

/* The delivery handle's notify: runs after deliver_on_loop(), or instead
 * of it when the loop closes first. Loop thread. */
static void
delivery_done (gpointer user_data)
{
  GaioJob *job = user_data;

  g_clear_pointer (&job->future, gaio_future_unref);
  release_closure (job);
  /* The job lets go of the loop here, on the loop's thread: the thread
   * that ran it may still hold the job, and must not be the one that
   * drops the loop's last reference. */
  g_clear_object (&job->loop);
  gaio_job_unref (job);
}

/* Takes the caller's reference on @job, which the delivery handle keeps
 * until delivery_done() on the loop's thread: the job is freed there,
 * where it was allocated. A job is posted once at most: only the winner
 * of its move out of QUEUED, or out of RUNNING, gets here. */
static void
post_to_loop (GaioJob     *job,
              GaioCallback callback)
{
  GaioHandle *handle = g_steal_pointer (&job->delivery);

  g_assert (handle != NULL);
  handle->callback = callback;

  /* Once posted, the handle may run at once and the loop go away with
   * the job's reference (delivery_done()): the post holds on to the
   * loop's source and context instead, for its own last steps. */
  if (!_gaio_inbox_post_holding (job->inbox, handle))
    {
      /* The loop is closed: nobody will read the outcome. Releasing the
       * future and the data falls to this thread, through the handle's
       * notify, as no other thread can reach the job any more. */
      _gaio_handle_discard (handle);
      gaio_handle_unref (handle);
    }
}

/**
 * gaio_job_run:
 * @job: a #GaioJob
 *
 * Runs the job's function in the calling thread and sends its outcome to
 * the loop, unless the job was cancelled before it started, in which case
 * nothing happens. For implementations of [iface@Gaio.Executor].
 *
 * Since: 1.0
 */
void
gaio_job_run (GaioJob *job)
{
  g_return_if_fail (job != NULL);

  _gaio_job_run_and_unref (gaio_job_ref (job));
}

void
_gaio_job_run_and_unref (GaioJob *job)
{
  g_autoptr(GError) error = NULL;

  if (!g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_RUNNING))
    {
      gaio_job_unref (job);
      return;
    }

  if (!job->func (job, job->user_data, &error))
    {
      if (error == NULL)
        error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_FAILED,
                                     "The job returned FALSE without setting an error");
      g_clear_error (&job->error);
      job->error = g_steal_pointer (&error);
    }
  else if (error != NULL)
    g_critical ("A GaioJobFunc returned TRUE but set an error: %s", error->message);

  g_atomic_int_set (&job->state, JOB_DONE);
  post_to_loop (job, deliver_on_loop);
}

/**
 * gaio_job_fail:
 * @job: a #GaioJob
 * @error: why the job cannot run
 *
 * Fails a job without running it, as an executor does when it cannot run
 * jobs any more. Does nothing if the job already started or was
 * cancelled. For implementations of [iface@Gaio.Executor].
 *
 * Since: 1.0
 */
void
gaio_job_fail (GaioJob      *job,
               const GError *error)
{
  g_return_if_fail (job != NULL);
  g_return_if_fail (error != NULL);

  if (!g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_DONE))
    return;

  job->error = g_error_copy (error);
  post_to_loop (gaio_job_ref (job), deliver_on_loop);
}

void
_gaio_job_abort (GaioJob      *job,
                 const GError *error)
{
  g_autoptr(GaioFuture) future = NULL;

  if (!g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_DONE))
    return;

  future = steal_future (job);
  gaio_future_set_error (future, error, NULL);
  release_closure (job);
}

static gboolean
cancel_on_loop (gpointer   user_data,
                GError   **error)
{
  GaioJob *job = user_data;
  g_autoptr(GaioFuture) future = steal_future (job);

  if (future != NULL)
    gaio_future_cancel (future, NULL);
  release_closure (job);

  return TRUE;
}

/* A job its executor took back after _gaio_job_begin() and before it
 * ran (a process pool's call a worker dropped unstarted): its future is
 * cancelled, as if the job had been cancelled while queued. */
void
_gaio_job_withdrawn (GaioJob *job)
{
  g_assert (g_atomic_int_get (&job->state) == JOB_RUNNING);

  g_atomic_int_set (&job->state, JOB_CANCELLED);
  post_to_loop (gaio_job_ref (job), cancel_on_loop);
}

gboolean
_gaio_job_cancel (GaioJob *job)
{
  if (!g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_CANCELLED))
    return FALSE;

  post_to_loop (gaio_job_ref (job), cancel_on_loop);
  return TRUE;
}

static GCancellable *
ensure_cancellable (GaioJob *job)
{
  GCancellable *cancellable = g_atomic_pointer_get (&job->cancellable);
  GCancellable *created;

  if (cancellable != NULL)
    return cancellable;

  /* Both the loop (cancelling) and the worker (asking) may get here;
   * the first to install its cancellable wins. */
  created = g_cancellable_new ();
  if (g_atomic_pointer_compare_and_exchange (&job->cancellable, NULL, created))
    return created;

  g_object_unref (created);
  return g_atomic_pointer_get (&job->cancellable);
}

/* The future was cancelled (loop thread, from gaio_future_cancel()). */
static void
cancel_hook (GaioFuture *future,
             gpointer    user_data)
{
  GaioJob *job = user_data;

  if (g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_CANCELLED))
    {
      /* It will never run, and nothing of it will be posted: the
       * executor drops it when it comes to it. What the job holds of
       * the loop goes now, on the loop's thread. */
      gaio_future_unref (steal_future (job));
      release_closure (job);
      g_clear_object (&job->loop);
      return;
    }

  if (g_atomic_int_get (&job->state) == JOB_RUNNING)
    {
      g_cancellable_cancel (ensure_cancellable (job));
      if (job->remote_cancel != NULL)
        job->remote_cancel (job, job->remote_data);
    }
}

void
_gaio_job_set_remote_cancel (GaioJob             *job,
                             GaioJobRemoteCancel  func,
                             gpointer             data,
                             GDestroyNotify       destroy)
{
  g_assert (job->remote_cancel == NULL);

  job->remote_cancel = func;
  job->remote_data = data;
  job->remote_destroy = destroy;
}

void
_gaio_job_set_remote_id (GaioJob *job,
                         guint64  id)
{
  job->remote_id = id;
}

guint64
_gaio_job_get_remote_id (GaioJob *job)
{
  return job->remote_id;
}

GaioLoop *
_gaio_job_get_loop (GaioJob *job)
{
  return job->loop;
}

GList *
_gaio_job_claim_link (GaioJob *job)
{
  if (!g_atomic_int_compare_and_exchange (&job->link_claimed, FALSE, TRUE))
    return NULL;

  return &job->link;
}

gboolean
_gaio_job_is_queued (GaioJob *job)
{
  return g_atomic_int_get (&job->state) == JOB_QUEUED;
}

GaioJobFunc
_gaio_job_get_func (GaioJob *job)
{
  return job->func;
}

gpointer
_gaio_job_get_user_data (GaioJob *job)
{
  return job->user_data;
}

/* The function of a job submitted by name: it has no code in this
 * process, so running it here (an executor that is not a process pool
 * was given it) is an error. */
static gboolean
named_job_func (GaioJob   *job,
                gpointer   user_data,
                GError   **error)
{
  g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
               "The job names the function '%s', which only a process pool can run",
               job->function_name);
  return FALSE;
}

GaioJob *
_gaio_job_new_named (GaioLoop   *loop,
                     GaioInbox  *inbox,
                     GaioFuture *future,
                     const char *function_name,
                     GVariant   *args)
{
  GaioJob *job = _gaio_job_new (loop, inbox, future, named_job_func, args, NULL, NULL);

  job->function_name = g_strdup (function_name);

  return job;
}

const char *
_gaio_job_get_function_name (GaioJob *job)
{
  return job->function_name;
}

gboolean
_gaio_job_begin (GaioJob *job)
{
  return g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_RUNNING);
}

void
_gaio_job_finish (GaioJob *job,
                  GValue  *value,
                  GError  *error)
{
  g_assert (g_atomic_int_get (&job->state) == JOB_RUNNING);

  clear_job_result (job);
  g_clear_error (&job->error);
  if (error != NULL)
    {
      job->error = error;
      if (value != NULL && G_IS_VALUE (value))
        g_value_unset (value);
    }
  else if (value != NULL && G_IS_VALUE (value))
    {
      job->result = *value;
      memset (value, 0, sizeof *value);
    }

  g_atomic_int_set (&job->state, JOB_DONE);
  post_to_loop (gaio_job_ref (job), deliver_on_loop);
}

GaioJob *
_gaio_job_new_local (GaioJobFunc  func,
                     GVariant    *args)
{
  GaioJob *job = g_new0 (GaioJob, 1);

  job->ref_count = 1;
  job->state = JOB_RUNNING;
  job->func = func;
  job->closure_released = TRUE;
  job->args = args != NULL ? g_variant_ref_sink (args) : NULL;

  return job;
}

gboolean
_gaio_job_invoke (GaioJob  *job,
                  GError  **error)
{
  g_autoptr(GError) local_error = NULL;

  if (job->func (job, NULL, &local_error))
    {
      if (local_error != NULL)
        g_critical ("A GaioJobFunc returned TRUE but set an error: %s", local_error->message);
      return TRUE;
    }

  if (local_error == NULL)
    local_error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_FAILED,
                                       "The job returned FALSE without setting an error");
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

const GValue *
_gaio_job_peek_result (GaioJob  *job,
                       gboolean *is_pointer)
{
  *is_pointer = job->result_destroy != NULL ||
                (job_has_result (job) && G_VALUE_HOLDS_POINTER (&job->result));

  return job_has_result (job) ? &job->result : NULL;
}

void
_gaio_job_cancel_running (GaioJob *job)
{
  g_cancellable_cancel (ensure_cancellable (job));
}


/**
 * gaio_job_get_args:
 * @job: a #GaioJob
 *
 * Gets the arguments given to [method@Gaio.Loop.run_in_executor].
 *
 * Returns: (transfer none) (nullable): the arguments
 *
 * Since: 1.0
 */
GVariant *
gaio_job_get_args (GaioJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);

  return job->args;
}

/**
 * gaio_job_get_cancellable:
 * @job: a #GaioJob
 *
 * Gets a #GCancellable that is cancelled when the job's future is
 * cancelled while the job runs. Safe to call from the job's thread.
 *
 * Returns: (transfer none): the cancellable, owned by the job
 *
 * Since: 1.0
 */
GCancellable *
gaio_job_get_cancellable (GaioJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);

  return ensure_cancellable (job);
}

/**
 * gaio_job_is_cancelled:
 * @job: a #GaioJob
 *
 * Whether the job's future was cancelled: a cheap check for loops in a
 * job function.
 *
 * Returns: %TRUE if cancelled
 *
 * Since: 1.0
 */
gboolean
gaio_job_is_cancelled (GaioJob *job)
{
  GCancellable *cancellable;

  g_return_val_if_fail (job != NULL, FALSE);

  if (g_atomic_int_get (&job->state) == JOB_CANCELLED)
    return TRUE;

  cancellable = g_atomic_pointer_get (&job->cancellable);
  return cancellable != NULL && g_cancellable_is_cancelled (cancellable);
}

static void
clear_job_result (GaioJob *job)
{
  if (job->result_destroy != NULL)
    job->result_destroy (g_value_get_pointer (&job->result));
  job->result_destroy = NULL;
  if (job_has_result (job))
    g_value_unset (&job->result);
}

/**
 * gaio_job_take_result:
 * @job: a #GaioJob
 * @value: (transfer full): the result; the job takes its contents and
 *   leaves it unset
 *
 * Like [method@Gaio.Job.set_result] without a copy.
 *
 * Since: 1.0
 */
void
gaio_job_take_result (GaioJob *job,
                      GValue  *value)
{
  g_return_if_fail (job != NULL);
  g_return_if_fail (G_IS_VALUE (value));

  clear_job_result (job);
  job->result = *value;
  memset (value, 0, sizeof *value);
}

/**
 * gaio_job_set_result:
 * @job: a #GaioJob
 * @value: the result, copied
 *
 * Sets the result the job's future finishes with. Setting it again
 * replaces it. Call it from the job's function.
 *
 * Since: 1.0
 */
void
gaio_job_set_result (GaioJob      *job,
                     const GValue *value)
{
  GValue copy = G_VALUE_INIT;

  g_return_if_fail (job != NULL);
  g_return_if_fail (G_IS_VALUE (value));

  g_value_init (&copy, G_VALUE_TYPE (value));
  g_value_copy (value, &copy);
  gaio_job_take_result (job, &copy);
}

#define DEFINE_JOB_SET_RESULT(suffix, ctype, gtype, setter)               \
void                                                                      \
gaio_job_set_result_##suffix (GaioJob *job,                               \
                              ctype    value)                             \
{                                                                         \
  GValue result = G_VALUE_INIT;                                           \
                                                                          \
  g_return_if_fail (job != NULL);                                         \
                                                                          \
  g_value_init (&result, gtype);                                          \
  setter (&result, value);                                                \
  gaio_job_take_result (job, &result);                                    \
}

/**
 * gaio_job_set_result_int64:
 * @job: a #GaioJob
 * @value: the result
 *
 * [method@Gaio.Job.set_result] with a #gint64.
 *
 * Since: 1.0
 */
DEFINE_JOB_SET_RESULT (int64, gint64, G_TYPE_INT64, g_value_set_int64)

/**
 * gaio_job_set_result_uint64:
 * @job: a #GaioJob
 * @value: the result
 *
 * [method@Gaio.Job.set_result] with a #guint64.
 *
 * Since: 1.0
 */
DEFINE_JOB_SET_RESULT (uint64, guint64, G_TYPE_UINT64, g_value_set_uint64)

/**
 * gaio_job_set_result_double:
 * @job: a #GaioJob
 * @value: the result
 *
 * [method@Gaio.Job.set_result] with a #gdouble.
 *
 * Since: 1.0
 */
DEFINE_JOB_SET_RESULT (double, gdouble, G_TYPE_DOUBLE, g_value_set_double)

/**
 * gaio_job_set_result_boolean:
 * @job: a #GaioJob
 * @value: the result
 *
 * [method@Gaio.Job.set_result] with a #gboolean.
 *
 * Since: 1.0
 */
DEFINE_JOB_SET_RESULT (boolean, gboolean, G_TYPE_BOOLEAN, g_value_set_boolean)

/**
 * gaio_job_set_result_string:
 * @job: a #GaioJob
 * @value: (nullable): the result, copied
 *
 * [method@Gaio.Job.set_result] with a string.
 *
 * Since: 1.0
 */
DEFINE_JOB_SET_RESULT (string, const char *, G_TYPE_STRING, g_value_set_string)

/**
 * gaio_job_set_result_bytes:
 * @job: a #GaioJob
 * @value: (nullable): the result; the job takes a reference
 *
 * [method@Gaio.Job.set_result] with a #GBytes.
 *
 * Since: 1.0
 */
DEFINE_JOB_SET_RESULT (bytes, GBytes *, G_TYPE_BYTES, g_value_set_boxed)

/**
 * gaio_job_set_result_variant:
 * @job: a #GaioJob
 * @variant: (nullable): the result; a floating reference is sunk
 *
 * [method@Gaio.Job.set_result] with a #GVariant.
 *
 * Since: 1.0
 */
DEFINE_JOB_SET_RESULT (variant, GVariant *, G_TYPE_VARIANT, g_value_set_variant)

/**
 * gaio_job_set_result_object:
 * @job: a #GaioJob
 * @object: (type GObject) (nullable): the result; the job takes a
 *   reference
 *
 * [method@Gaio.Job.set_result] with a #GObject.
 *
 * Since: 1.0
 */
void
gaio_job_set_result_object (GaioJob  *job,
                            gpointer  object)
{
  GValue result = G_VALUE_INIT;

  g_return_if_fail (job != NULL);
  g_return_if_fail (object == NULL || G_IS_OBJECT (object));

  g_value_init (&result, object != NULL ? G_OBJECT_TYPE (object) : G_TYPE_OBJECT);
  g_value_set_object (&result, object);
  gaio_job_take_result (job, &result);
}

/**
 * gaio_job_set_result_pointer: (skip)
 * @job: a #GaioJob
 * @pointer: (nullable): the result
 * @destroy: (nullable): frees @pointer with the future, or with the job
 *   if the future never receives it
 *
 * [method@Gaio.Job.set_result] with a plain pointer.
 *
 * Since: 1.0
 */
void
gaio_job_set_result_pointer (GaioJob        *job,
                             gpointer        pointer,
                             GDestroyNotify  destroy)
{
  g_return_if_fail (job != NULL);

  clear_job_result (job);
  g_value_init (&job->result, G_TYPE_POINTER);
  g_value_set_pointer (&job->result, pointer);
  job->result_destroy = destroy;
}
