/* test-locks.c: GaioLock, GaioEvent, GaioCondition, GaioSemaphore,
 * GaioBoundedSemaphore and GaioBarrier
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Ports of CPython 3.11's test_asyncio/test_locks.py (and the callback
 * forms C adds). Tasks are driven from outside the loop, as the old
 * test_utils.run_briefly() did: run_briefly() runs one iteration.
 */

#include "gaio-test-util.h"

static gboolean
stop_cb (gpointer   user_data,
         GError   **error)
{
  gaio_loop_stop (user_data);
  return TRUE;
}

/* asyncio's test_utils.run_briefly(): one iteration of the loop. */
static void
run_briefly (GaioLoop *loop)
{
  g_autoptr(GError) error = NULL;

  gaio_loop_call_soon (loop, stop_cb, loop, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
}

static void
run_n (GaioLoop *loop,
       guint     n)
{
  for (guint i = 0; i < n; i++)
    run_briefly (loop);
}

/* Awaits @future in the loop (outside any task) and returns whether it
 * finished with a result. */
static gboolean
complete (GaioLoop    *loop,
          GaioFuture  *future,
          GError     **error)
{
  g_autoptr(GaioFuture) owned = future;

  return gaio_loop_run_until_complete (loop, future, NULL, error);
}

/* What one task does: await @op (a future-returning call on @object),
 * then record @tag, then maybe give back. */
typedef enum {
  OP_LOCK,
  OP_EVENT,
  OP_COND_WAIT,
  OP_SEMAPHORE,
  OP_BARRIER,
} Op;

typedef struct
{
  Op        op;
  gpointer  object;
  GArray   *log;        /* gint: the tags of the tasks that got through */
  gint      tag;
  gboolean  release;    /* release what was acquired before returning */
  gboolean  got;        /* the await succeeded */
  gint64    index;      /* a barrier wait's index */
  GError   *error;      /* the await's failure */
} Job;

static GaioFuture *
start_op (Job *job)
{
  switch (job->op)
    {
    case OP_LOCK:
      return gaio_lock_acquire (job->object);
    case OP_EVENT:
      return gaio_event_wait (job->object);
    case OP_COND_WAIT:
      return gaio_condition_wait (job->object);
    case OP_SEMAPHORE:
      return gaio_semaphore_acquire (job->object);
    case OP_BARRIER:
    default:
      return gaio_barrier_wait (job->object);
    }
}

static gboolean
job_run (gpointer   user_data,
         GValue    *result,
         GError   **error)
{
  Job *job = user_data;
  g_auto(GValue) value = G_VALUE_INIT;

  /* A condition's wait needs the lock first. */
  if (job->op == OP_COND_WAIT &&
      !gaio_await (gaio_condition_acquire (job->object), NULL, error))
    return FALSE;

  if (!gaio_await (start_op (job), &value, &job->error))
    {
      /* A cancelled condition wait still holds the lock. */
      if (job->op == OP_COND_WAIT)
        gaio_condition_release (job->object, NULL);
      g_propagate_error (error, g_error_copy (job->error));
      return FALSE;
    }

  job->got = TRUE;
  if (job->op == OP_BARRIER)
    job->index = g_value_get_int64 (&value);
  g_array_append_val (job->log, job->tag);

  if (job->release || job->op == OP_COND_WAIT)
    {
      switch (job->op)
        {
        case OP_LOCK:
          g_assert_true (gaio_lock_release (job->object, NULL));
          break;
        case OP_SEMAPHORE:
          g_assert_true (gaio_semaphore_release (job->object, NULL));
          break;
        case OP_COND_WAIT:
          if (job->release)
            g_assert_true (gaio_condition_release (job->object, NULL));
          break;
        default:
          break;
        }
    }

  return TRUE;
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_error (&job->error);
  g_free (job);
}

/* A task running a new job, which the task frees; or, if @job_out is
 * given, which the caller frees with job_free(). */
static GaioTask *
spawn (GaioLoop  *loop,
       Op         op,
       gpointer   object,
       GArray    *log,
       gint       tag,
       gboolean   release,
       Job      **job_out)
{
  Job *job = g_new0 (Job, 1);

  job->op = op;
  job->object = object;
  job->log = log;
  job->tag = tag;
  job->release = release;
  if (job_out != NULL)
    *job_out = job;

  return gaio_loop_create_task (loop, gaio_coroutine_new (job_run, job,
                                                          job_out != NULL ? NULL : job_free));
}

static void
assert_log (GArray     *log,
            const gint *expected,
            guint       n)
{
  g_assert_cmpuint (log->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (log, gint, i), ==, expected[i]);
}

static void
assert_cancelled (GaioLoop *loop,
                  GaioTask *task)
{
  run_n (loop, 3);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
}

static void
finish_task (GaioLoop *loop,
             GaioTask *task)
{
  if (!gaio_future_is_done (GAIO_FUTURE (task)))
    gaio_future_cancel (GAIO_FUTURE (task), NULL);
  gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, NULL);
  gaio_task_unref (task);
}

/* ------------------------------------------------------------------ */
/* Lock                                                                 */

/* SY-01: waiters get the lock first come, first served
 * (test_locks.py::LockTests::test_acquire). */
static void
test_lock_fifo (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GError) error = NULL;
  GaioTask *t1, *t2, *t3;

  g_assert_true (complete (loop, gaio_lock_acquire (lock), &error));
  g_assert_true (gaio_lock_is_locked (lock));

  t1 = spawn (loop, OP_LOCK, lock, log, 1, FALSE, NULL);
  t2 = spawn (loop, OP_LOCK, lock, log, 2, FALSE, NULL);
  run_briefly (loop);
  assert_log (log, NULL, 0);

  g_assert_true (gaio_lock_release (lock, NULL));
  run_briefly (loop);
  assert_log (log, (gint[]) { 1 }, 1);
  run_briefly (loop);
  assert_log (log, (gint[]) { 1 }, 1);

  t3 = spawn (loop, OP_LOCK, lock, log, 3, FALSE, NULL);
  g_assert_true (gaio_lock_release (lock, NULL));
  run_briefly (loop);
  assert_log (log, (gint[]) { 1, 2 }, 2);

  g_assert_true (gaio_lock_release (lock, NULL));
  run_briefly (loop);
  assert_log (log, (gint[]) { 1, 2, 3 }, 3);
  g_assert_true (gaio_lock_is_locked (lock));
  g_assert_true (gaio_lock_release (lock, NULL));
  g_assert_false (gaio_lock_is_locked (lock));

  finish_task (loop, t1);
  finish_task (loop, t2);
  finish_task (loop, t3);
  g_clear_object (&lock);
  gaio_test_loop_free (loop);
}

/* SY-02: a cancelled acquire leaves no waiter behind
 * (test_locks.py::LockTests::test_acquire_cancel). */
static void
test_lock_acquire_cancel (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autofree char *repr = NULL;
  GaioTask *task;

  g_assert_true (complete (loop, gaio_lock_acquire (lock), NULL));
  task = spawn (loop, OP_LOCK, lock, log, 1, FALSE, NULL);
  run_briefly (loop);
  repr = gaio_lock_to_string (lock);
  g_assert_cmpstr (repr, ==, "<GaioLock [locked, waiters:1]>");

  gaio_future_cancel (GAIO_FUTURE (task), NULL);
  assert_cancelled (loop, task);
  g_clear_pointer (&repr, g_free);
  repr = gaio_lock_to_string (lock);
  g_assert_cmpstr (repr, ==, "<GaioLock [locked]>");

  finish_task (loop, task);
  g_clear_object (&lock);
  gaio_test_loop_free (loop);
}

/* SY-03: a waiter cancelled in the same iteration as the release is
 * skipped: the next one gets the lock
 * (test_locks.py::LockTests::test_cancel_race). */
static void
test_lock_cancel_race (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *tb, *tc;

  g_assert_true (complete (loop, gaio_lock_acquire (lock), NULL));
  tb = spawn (loop, OP_LOCK, lock, log, 2, TRUE, NULL);
  tc = spawn (loop, OP_LOCK, lock, log, 3, TRUE, NULL);
  run_briefly (loop);

  gaio_future_cancel (GAIO_FUTURE (tb), NULL);
  g_assert_true (gaio_lock_release (lock, NULL));
  run_n (loop, 3);

  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (tb)));
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (tc)));
  g_assert_false (gaio_future_is_cancelled (GAIO_FUTURE (tc)));
  assert_log (log, (gint[]) { 3 }, 1);
  g_assert_false (gaio_lock_is_locked (lock));

  finish_task (loop, tb);
  finish_task (loop, tc);
  g_clear_object (&lock);
  gaio_test_loop_free (loop);
}

/* SY-03: cancel one waiter and release at once: only one task takes the
 * lock (test_locks.py::LockTests::test_cancel_release_race). */
static void
test_lock_cancel_release_race (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *t1, *t2, *t3;

  g_assert_true (complete (loop, gaio_lock_acquire (lock), NULL));
  t1 = spawn (loop, OP_LOCK, lock, log, 1, FALSE, NULL);
  t2 = spawn (loop, OP_LOCK, lock, log, 2, FALSE, NULL);
  t3 = spawn (loop, OP_LOCK, lock, log, 3, FALSE, NULL);
  run_briefly (loop);

  gaio_future_cancel (GAIO_FUTURE (t1), NULL);
  g_assert_true (gaio_lock_release (lock, NULL));
  run_n (loop, 3);

  assert_log (log, (gint[]) { 2 }, 1);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (t1)));
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (t2)));
  g_assert_false (gaio_future_is_done (GAIO_FUTURE (t3)));

  gaio_future_cancel (GAIO_FUTURE (t3), NULL);
  assert_cancelled (loop, t3);

  finish_task (loop, t1);
  finish_task (loop, t2);
  finish_task (loop, t3);
  g_clear_object (&lock);
  gaio_test_loop_free (loop);
}

/* SY-04: a task cancelled after the lock was handed to it, before it
 * resumed, passes the lock on (test_locks.py::LockTests::
 * test_finished_waiter_cancelled). */
static void
test_lock_finished_waiter_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *tb, *tc;

  g_assert_true (complete (loop, gaio_lock_acquire (lock), NULL));
  tb = spawn (loop, OP_LOCK, lock, log, 2, FALSE, NULL);
  run_briefly (loop);
  tc = spawn (loop, OP_LOCK, lock, log, 3, FALSE, NULL);
  run_briefly (loop);

  /* The lock goes to tb's waiter, then tb is cancelled before it runs. */
  g_assert_true (gaio_lock_release (lock, NULL));
  gaio_future_cancel (GAIO_FUTURE (tb), NULL);
  run_n (loop, 3);

  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (tb)));
  assert_log (log, (gint[]) { 3 }, 1);
  g_assert_true (gaio_lock_is_locked (lock));

  finish_task (loop, tb);
  finish_task (loop, tc);
  g_clear_object (&lock);
  gaio_test_loop_free (loop);
}

/* SY-05: releasing a free lock fails; the description says the state
 * (test_locks.py::LockTests::test_release_not_acquired, ::test_repr,
 * ::test_release_no_waiters). */
static void
test_lock_release_not_acquired (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GError) error = NULL;
  g_autofree char *repr = gaio_lock_to_string (lock);

  g_assert_cmpstr (repr, ==, "<GaioLock [unlocked]>");
  g_assert_false (gaio_lock_release (lock, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, "Lock is not acquired.");

  g_assert_true (complete (loop, gaio_lock_acquire (lock), NULL));
  g_assert_true (gaio_lock_release (lock, NULL));
  g_assert_false (gaio_lock_is_locked (lock));

  g_clear_object (&lock);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GArray *log;
  gint    tag;
} Record;

static void
record_done (GaioFuture *future,
             gpointer    user_data)
{
  Record *record = user_data;

  if (!gaio_future_is_cancelled (future))
    g_array_append_val (record->log, record->tag);
}

/* SY-14: callback code waits with done callbacks on the same futures; a
 * waiter future cancelled from a callback withdraws. No CPython
 * counterpart (asyncio's acquire() is a coroutine). */
static void
test_lock_callbacks (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  Record r1 = { log, 1 }, r2 = { log, 2 }, r3 = { log, 3 };
  g_autoptr(GaioFuture) f1 = gaio_lock_acquire (lock);
  g_autoptr(GaioFuture) f2 = gaio_lock_acquire (lock);
  g_autoptr(GaioFuture) f3 = gaio_lock_acquire (lock);
  g_autoptr(GError) error = NULL;

  gaio_future_add_done_callback (f1, record_done, &r1, NULL);
  gaio_future_add_done_callback (f2, record_done, &r2, NULL);
  gaio_future_add_done_callback (f3, record_done, &r3, NULL);
  g_assert_true (gaio_future_is_done (f1));
  g_assert_false (gaio_future_is_done (f2));

  /* A waiter is completed by its lock only. */
  g_assert_false (gaio_future_set_result_boolean (f2, TRUE, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);

  g_assert_true (gaio_future_cancel (f2, NULL));
  run_briefly (loop);
  assert_log (log, (gint[]) { 1 }, 1);

  g_assert_true (gaio_lock_release (lock, NULL));
  run_briefly (loop);
  assert_log (log, (gint[]) { 1, 3 }, 2);
  g_assert_true (gaio_future_get_result_boolean (f3, NULL));
  g_assert_true (gaio_lock_release (lock, NULL));

  g_clear_object (&lock);
  g_clear_pointer (&f1, gaio_future_unref);
  g_clear_pointer (&f2, gaio_future_unref);
  g_clear_pointer (&f3, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* SY-14: a lock finalized while waited for cancels its waiters. No
 * CPython counterpart (asyncio has a garbage collector). */
static void
test_lock_finalized_with_waiters (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioLock *lock = gaio_lock_new (loop);
  g_autoptr(GaioFuture) held = gaio_lock_acquire (lock);
  g_autoptr(GaioFuture) waiting = gaio_lock_acquire (lock);

  g_object_unref (lock);
  g_assert_true (gaio_future_is_cancelled (waiting));
  run_briefly (loop);

  g_clear_pointer (&held, gaio_future_unref);
  g_clear_pointer (&waiting, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Event                                                                */

/* SY-06: set() wakes every waiter, in the order they came; a wait on a
 * set event does not wait (test_locks.py::EventTests::test_wait,
 * ::test_wait_on_set, ::test_repr). */
static void
test_event_wait (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioEvent) event = gaio_event_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autofree char *repr = NULL;
  GaioTask *t1, *t2, *t3;

  g_assert_false (gaio_event_is_set (event));
  t1 = spawn (loop, OP_EVENT, event, log, 1, FALSE, NULL);
  t2 = spawn (loop, OP_EVENT, event, log, 2, FALSE, NULL);
  run_briefly (loop);
  assert_log (log, NULL, 0);
  repr = gaio_event_to_string (event);
  g_assert_cmpstr (repr, ==, "<GaioEvent [unset, waiters:2]>");

  t3 = spawn (loop, OP_EVENT, event, log, 3, FALSE, NULL);
  gaio_event_set (event);
  run_briefly (loop);
  /* t3 had not started: it finds the flag set; t1 and t2 wake after. */
  assert_log (log, (gint[]) { 3, 1, 2 }, 3);
  g_clear_pointer (&repr, g_free);
  repr = gaio_event_to_string (event);
  g_assert_cmpstr (repr, ==, "<GaioEvent [set]>");

  g_assert_true (complete (loop, gaio_event_wait (event), NULL));

  finish_task (loop, t1);
  finish_task (loop, t2);
  finish_task (loop, t3);
  g_clear_object (&event);
  gaio_test_loop_free (loop);
}

/* SY-06: clear() makes later waits wait; a wait cancelled leaves
 * (test_locks.py::EventTests::test_clear, ::test_clear_with_waiters,
 * ::test_wait_cancel). */
static void
test_event_clear_and_cancel (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioEvent) event = gaio_event_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autofree char *repr = NULL;
  GaioTask *t1, *t2;

  t1 = spawn (loop, OP_EVENT, event, log, 1, FALSE, NULL);
  t2 = spawn (loop, OP_EVENT, event, log, 2, FALSE, NULL);
  run_briefly (loop);

  gaio_future_cancel (GAIO_FUTURE (t2), NULL);
  run_briefly (loop);
  repr = gaio_event_to_string (event);
  g_assert_cmpstr (repr, ==, "<GaioEvent [unset, waiters:1]>");

  gaio_event_set (event);
  gaio_event_clear (event);
  g_assert_false (gaio_event_is_set (event));
  gaio_event_set (event);
  gaio_event_set (event);
  run_briefly (loop);
  assert_log (log, (gint[]) { 1 }, 1);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (t2)));

  finish_task (loop, t1);
  finish_task (loop, t2);
  g_clear_object (&event);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Condition                                                            */

/* SY-07: notify(n) wakes the longest waiting first, each once it holds
 * the lock (test_locks.py::ConditionTests::test_wait, ::test_notify,
 * ::test_notify_all, ::test_repr). */
static void
test_condition_notify (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioCondition) cond = gaio_condition_new (loop, NULL);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autofree char *repr = NULL;
  GaioTask *t1, *t2, *t3;

  t1 = spawn (loop, OP_COND_WAIT, cond, log, 1, TRUE, NULL);
  t2 = spawn (loop, OP_COND_WAIT, cond, log, 2, TRUE, NULL);
  t3 = spawn (loop, OP_COND_WAIT, cond, log, 3, TRUE, NULL);
  run_n (loop, 2);
  assert_log (log, NULL, 0);
  g_assert_false (gaio_condition_is_locked (cond));
  repr = gaio_condition_to_string (cond);
  g_assert_cmpstr (repr, ==, "<GaioCondition [unlocked, waiters:3]>");

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  g_assert_true (gaio_condition_notify (cond, 1, NULL));
  run_briefly (loop);
  assert_log (log, NULL, 0);
  g_assert_true (gaio_condition_is_locked (cond));

  g_assert_true (gaio_condition_release (cond, NULL));
  run_n (loop, 2);
  assert_log (log, (gint[]) { 1 }, 1);

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  g_assert_true (gaio_condition_notify (cond, 1, NULL));
  g_assert_true (gaio_condition_notify_all (cond, NULL));
  g_assert_true (gaio_condition_release (cond, NULL));
  run_n (loop, 3);
  assert_log (log, (gint[]) { 1, 2, 3 }, 3);
  g_assert_false (gaio_condition_is_locked (cond));

  finish_task (loop, t1);
  finish_task (loop, t2);
  finish_task (loop, t3);
  g_clear_object (&cond);
  gaio_test_loop_free (loop);
}

/* SY-07: wait() and notify() need the lock
 * (test_locks.py::ConditionTests::test_wait_unacquired,
 * ::test_notify_unacquired, ::test_notify_all_unacquired). */
static void
test_condition_unacquired (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioCondition) cond = gaio_condition_new (loop, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (complete (loop, gaio_condition_wait (cond), &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, "cannot wait on un-acquired lock");
  g_clear_error (&error);

  g_assert_false (gaio_condition_notify (cond, 1, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (gaio_condition_notify_all (cond, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);

  g_clear_object (&cond);
  gaio_test_loop_free (loop);
}

/* SY-08: a cancelled wait ends with the lock held again
 * (test_locks.py::ConditionTests::test_wait_cancel). */
static void
test_condition_wait_cancel (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioCondition) cond = gaio_condition_new (loop, NULL);
  g_autoptr(GaioFuture) wait = NULL;
  g_autofree char *repr = NULL;

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  wait = gaio_condition_wait (cond);
  g_assert_false (gaio_condition_is_locked (cond));

  g_assert_true (gaio_future_cancel (wait, NULL));
  g_assert_true (gaio_future_is_cancelled (wait));
  g_assert_true (gaio_condition_is_locked (cond));
  repr = gaio_condition_to_string (cond);
  g_assert_cmpstr (repr, ==, "<GaioCondition [locked]>");

  g_clear_object (&cond);
  g_clear_pointer (&wait, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* SY-08: a wait cancelled while another holds the lock ends only once it
 * has the lock (test_locks.py::ConditionTests::test_wait_cancel_contested,
 * ::test_wait_cancel_after_notify). */
static void
test_condition_wait_cancel_contested (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioCondition) cond = gaio_condition_new (loop, NULL);
  g_autoptr(GaioFuture) wait = NULL;

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  wait = gaio_condition_wait (cond);
  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));

  g_assert_true (gaio_condition_notify (cond, 1, NULL));
  g_assert_true (gaio_future_cancel (wait, NULL));
  g_assert_false (gaio_future_is_done (wait));

  g_assert_true (gaio_condition_release (cond, NULL));
  g_assert_true (gaio_future_is_cancelled (wait));
  g_assert_true (gaio_condition_is_locked (cond));
  run_briefly (loop);

  g_clear_object (&cond);
  g_clear_pointer (&wait, gaio_future_unref);
  gaio_test_loop_free (loop);
}

static gboolean
flag_predicate (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* SY-09: wait_for() waits until the predicate holds; it need not hold
 * the lock when the predicate holds at once
 * (test_locks.py::ConditionTests::test_wait_for,
 * ::test_wait_for_unacquired). */
static void
test_condition_wait_for (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioCondition) cond = gaio_condition_new (loop, NULL);
  g_autoptr(GaioFuture) wait = NULL;
  g_autoptr(GError) error = NULL;
  gboolean flag = FALSE, yes = TRUE;

  g_assert_true (complete (loop, gaio_condition_wait_for (cond, flag_predicate, &yes, NULL),
                           NULL));
  g_assert_false (complete (loop, gaio_condition_wait_for (cond, flag_predicate, &flag, NULL),
                            &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  wait = gaio_condition_wait_for (cond, flag_predicate, &flag, NULL);
  run_briefly (loop);

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  g_assert_true (gaio_condition_notify (cond, 1, NULL));
  g_assert_true (gaio_condition_release (cond, NULL));
  run_n (loop, 2);
  g_assert_false (gaio_future_is_done (wait));

  flag = TRUE;
  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  g_assert_true (gaio_condition_notify (cond, 1, NULL));
  g_assert_true (gaio_condition_release (cond, NULL));
  run_n (loop, 2);
  g_assert_true (gaio_future_get_result_boolean (wait, NULL));
  g_assert_true (gaio_condition_is_locked (cond));
  g_assert_true (gaio_condition_release (cond, NULL));

  g_clear_object (&cond);
  g_clear_pointer (&wait, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* SY-07: a condition shares an explicit lock
 * (test_locks.py::ConditionTests::test_explicit_lock,
 * ::test_context_manager). */
static void
test_condition_explicit_lock (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GaioCondition) cond = gaio_condition_new (loop, lock);

  g_assert_true (gaio_condition_get_lock (cond) == lock);
  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  g_assert_true (gaio_lock_is_locked (lock));
  g_assert_true (gaio_lock_release (lock, NULL));
  g_assert_false (gaio_condition_is_locked (cond));

  g_clear_object (&cond);
  g_clear_object (&lock);
  gaio_test_loop_free (loop);
}

/* SY-08: a wait whose task is cancelled after the notify, while it
 * waits for the lock, ends cancelled once it has the lock
 * (test_locks.py::ConditionTests::test_wait_cancel_after_notify). */
static void
test_condition_wait_cancel_after_notify (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioCondition) cond = gaio_condition_new (loop, NULL);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autofree char *repr = NULL;
  GaioTask *waiter;

  waiter = spawn (loop, OP_COND_WAIT, cond, log, 1, TRUE, NULL);
  run_n (loop, 2);
  repr = gaio_condition_to_string (cond);
  g_assert_cmpstr (repr, ==, "<GaioCondition [unlocked, waiters:1]>");

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  g_assert_true (gaio_condition_notify (cond, 1, NULL));
  run_briefly (loop);
  gaio_future_cancel (GAIO_FUTURE (waiter), NULL);
  run_briefly (loop);
  g_assert_false (gaio_future_is_done (GAIO_FUTURE (waiter)));
  g_assert_true (gaio_condition_release (cond, NULL));
  assert_cancelled (loop, waiter);
  assert_log (log, NULL, 0);
  /* The cancelled wait released the lock it re-acquired. */
  g_assert_false (gaio_condition_is_locked (cond));

  finish_task (loop, waiter);
  g_clear_object (&cond);
  gaio_test_loop_free (loop);
}

/* SY-08: a wait ended by a timeout has the lock again
 * (test_locks.py::ConditionTests::test_timeout_in_block). */
static void
test_condition_timeout_in_block (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioCondition) cond = gaio_condition_new (loop, NULL);
  g_autoptr(GaioFuture) wait = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  wait = gaio_condition_wait (cond);
  g_assert_false (complete (loop, gaio_wait_for (wait, 0.01), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (gaio_future_is_cancelled (wait));
  g_assert_true (gaio_condition_is_locked (cond));
  g_assert_true (gaio_condition_release (cond, NULL));

  g_clear_object (&cond);
  g_clear_pointer (&wait, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* SY-07: a condition refuses a lock of another loop, a programmer error
 * here (test_locks.py::ConditionTests::test_ambiguous_loops, whose
 * RuntimeError comes at the first wait). */
static void
test_condition_ambiguous_loops (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioLoop *other = gaio_loop_new (NULL);
  g_autoptr(GaioLock) lock = gaio_lock_new (other);

  g_test_expect_message (GAIO_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (gaio_condition_new (loop, lock));
  g_test_assert_expected_messages ();

  g_clear_object (&lock);
  g_assert_true (gaio_loop_close (other, NULL));
  g_object_unref (other);
  gaio_test_loop_free (loop);
}

/* SY-04, SY-07: a task handed the condition's lock and cancelled before
 * it resumed passes the lock on even when the condition, and with it the
 * lock, was let go of meanwhile: the finished waiter holds the lock
 * until it goes (test_locks.py::LockTests::test_finished_waiter_cancelled
 * with the condition finalized in between; a use after free before). */
static void
test_condition_lock_dropped_after_finalize (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioCondition *cond = gaio_condition_new (loop, NULL);
  GaioLock *lock = gaio_condition_get_lock (cond);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *task;

  g_object_add_weak_pointer (G_OBJECT (lock), (gpointer *) &lock);
  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  task = spawn (loop, OP_LOCK, lock, log, 1, FALSE, NULL);
  run_briefly (loop);

  g_assert_true (gaio_condition_release (cond, NULL));
  gaio_future_cancel (GAIO_FUTURE (task), NULL);
  g_object_unref (cond);
  g_assert_nonnull (lock);

  assert_cancelled (loop, task);
  assert_log (log, NULL, 0);
  finish_task (loop, task);
  g_assert_null (lock);
  gaio_test_loop_free (loop);
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

/* SY-09: a wait_for() whose condition is finalized ends cancelled, and
 * cancelling it afterwards does nothing more (its waiter acts on its own
 * state, not on the condition gone). */
static void
test_condition_wait_for_finalized (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioCondition *cond = gaio_condition_new (loop, NULL);
  g_autoptr(GaioFuture) wait = NULL;

  g_assert_true (complete (loop, gaio_condition_acquire (cond), NULL));
  wait = gaio_condition_wait_for (cond, never, NULL, NULL);
  g_object_unref (cond);
  run_briefly (loop);
  g_assert_true (gaio_future_is_cancelled (wait));
  g_assert_false (gaio_future_cancel (wait, NULL));

  g_clear_pointer (&wait, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Semaphore                                                            */

/* SY-10: permits go to waiters first come, first served; the count never
 * goes below zero (test_locks.py::SemaphoreTests::test_acquire,
 * ::test_repr, ::test_initial_value_zero). */
static void
test_semaphore_acquire (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 3);
  g_autoptr(GaioSemaphore) zero = gaio_semaphore_new (loop, 0);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autofree char *repr = gaio_semaphore_to_string (sem);
  GaioTask *t1, *t2, *t3, *t4;

  g_assert_cmpstr (repr, ==, "<GaioSemaphore [unlocked, value:3]>");
  g_assert_true (gaio_semaphore_is_locked (zero));
  g_assert_true (complete (loop, gaio_semaphore_acquire (sem), NULL));
  g_assert_true (complete (loop, gaio_semaphore_acquire (sem), NULL));
  g_assert_false (gaio_semaphore_is_locked (sem));

  t1 = spawn (loop, OP_SEMAPHORE, sem, log, 1, FALSE, NULL);
  t2 = spawn (loop, OP_SEMAPHORE, sem, log, 2, FALSE, NULL);
  t3 = spawn (loop, OP_SEMAPHORE, sem, log, 3, FALSE, NULL);
  run_briefly (loop);
  assert_log (log, (gint[]) { 1 }, 1);
  g_assert_true (gaio_semaphore_is_locked (sem));
  g_assert_cmpuint (gaio_semaphore_get_value (sem), ==, 0);
  g_clear_pointer (&repr, g_free);
  repr = gaio_semaphore_to_string (sem);
  g_assert_cmpstr (repr, ==, "<GaioSemaphore [locked, waiters:2]>");

  t4 = spawn (loop, OP_SEMAPHORE, sem, log, 4, FALSE, NULL);
  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_cmpuint (gaio_semaphore_get_value (sem), ==, 0);
  run_briefly (loop);
  assert_log (log, (gint[]) { 1, 2, 3 }, 3);
  g_assert_false (gaio_future_is_done (GAIO_FUTURE (t4)));

  g_assert_true (gaio_semaphore_release (sem, NULL));
  run_briefly (loop);
  assert_log (log, (gint[]) { 1, 2, 3, 4 }, 4);

  finish_task (loop, t1);
  finish_task (loop, t2);
  finish_task (loop, t3);
  finish_task (loop, t4);
  g_clear_object (&sem);
  g_clear_object (&zero);
  gaio_test_loop_free (loop);
}

/* SY-11: waiters cancelled before the release never take its permit
 * (test_locks.py::SemaphoreTests::test_acquire_cancel_before_awoken,
 * ::test_acquire_hang, ::test_acquire_fifo_order_3). */
static void
test_semaphore_cancel_before_awoken (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 0);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *t[4];

  for (guint i = 0; i < 4; i++)
    t[i] = spawn (loop, OP_SEMAPHORE, sem, log, i + 1, FALSE, NULL);
  run_briefly (loop);

  gaio_future_cancel (GAIO_FUTURE (t[0]), NULL);
  gaio_future_cancel (GAIO_FUTURE (t[1]), NULL);
  g_assert_true (gaio_semaphore_release (sem, NULL));
  run_n (loop, 2);

  assert_log (log, (gint[]) { 3 }, 1);
  g_assert_false (gaio_future_is_done (GAIO_FUTURE (t[3])));
  g_assert_true (gaio_semaphore_is_locked (sem));

  for (guint i = 0; i < 4; i++)
    finish_task (loop, t[i]);
  g_clear_object (&sem);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioSemaphore *sem;
  GaioTask      *other;
} NoHang;

static gboolean
no_hang_holder (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  NoHang *data = user_data;

  if (!gaio_await (gaio_semaphore_acquire (data->sem), NULL, error))
    return FALSE;
  if (!gaio_await (gaio_sleep (0), NULL, error))
    return FALSE;
  gaio_semaphore_release (data->sem, NULL);
  /* The other task was handed the permit and has not run yet. */
  gaio_future_cancel (GAIO_FUTURE (data->other), NULL);
  return TRUE;
}

/* SY-11: a task cancelled after it was handed a permit gives it back
 * (test_locks.py::SemaphoreTests::test_acquire_no_hang). */
static void
test_semaphore_no_hang (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioSemaphore) sem = GAIO_SEMAPHORE (gaio_bounded_semaphore_new (loop, 1));
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  NoHang data = { sem, NULL };
  GaioTask *t1, *t2;

  t1 = gaio_loop_create_task (loop, gaio_coroutine_new (no_hang_holder, &data, NULL));
  t2 = spawn (loop, OP_SEMAPHORE, sem, log, 2, FALSE, NULL);
  data.other = t2;

  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (t1), NULL, NULL));
  run_n (loop, 3);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (t2)));
  assert_log (log, NULL, 0);

  g_assert_cmpuint (gaio_semaphore_get_value (sem), ==, 1);
  g_assert_true (complete (loop, gaio_semaphore_acquire (sem), NULL));

  finish_task (loop, t1);
  finish_task (loop, t2);
  g_clear_object (&sem);
  gaio_test_loop_free (loop);
}

/* SY-11: a task handed a permit and cancelled before it resumed gives it
 * back even when the semaphore was let go of meanwhile: the finished
 * waiter holds the semaphore until it goes
 * (test_locks.py::SemaphoreTests::test_acquire_no_hang with the
 * semaphore finalized in between; a use after free before). */
static void
test_semaphore_permit_dropped_after_finalize (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioSemaphore *sem = gaio_semaphore_new (loop, 0);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *task;

  g_object_add_weak_pointer (G_OBJECT (sem), (gpointer *) &sem);
  task = spawn (loop, OP_SEMAPHORE, sem, log, 1, FALSE, NULL);
  run_briefly (loop);

  g_assert_true (gaio_semaphore_release (sem, NULL));
  gaio_future_cancel (GAIO_FUTURE (task), NULL);
  g_object_unref (sem);
  g_assert_nonnull (sem);

  assert_cancelled (loop, task);
  assert_log (log, NULL, 0);
  finish_task (loop, task);
  g_assert_null (sem);
  gaio_test_loop_free (loop);
}

/* SY-12: a bounded semaphore refuses a release too many; a plain one
 * counts up (test_locks.py::SemaphoreTests::test_release_not_acquired,
 * ::test_release_no_waiters). */
static void
test_bounded_semaphore_release (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioBoundedSemaphore) bounded = gaio_bounded_semaphore_new (loop, 1);
  g_autoptr(GaioSemaphore) plain = gaio_semaphore_new (loop, 1);
  g_autoptr(GError) error = NULL;

  g_assert_true (GAIO_IS_SEMAPHORE (bounded));
  g_assert_false (gaio_semaphore_release (GAIO_SEMAPHORE (bounded), &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, "BoundedSemaphore released too many times");

  g_assert_true (complete (loop, gaio_semaphore_acquire (GAIO_SEMAPHORE (bounded)), NULL));
  g_assert_true (gaio_semaphore_is_locked (GAIO_SEMAPHORE (bounded)));
  g_assert_true (gaio_semaphore_release (GAIO_SEMAPHORE (bounded), NULL));
  g_assert_false (gaio_semaphore_is_locked (GAIO_SEMAPHORE (bounded)));

  g_assert_true (gaio_semaphore_release (plain, NULL));
  g_assert_cmpuint (gaio_semaphore_get_value (plain), ==, 2);

  g_clear_object (&bounded);
  g_clear_object (&plain);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Barrier                                                              */

/* SY-13: the parties-th wait trips the barrier; each wait gets its index
 * once (test_locks.py::BarrierTests::test_filling_task_by_task,
 * ::test_repr, ::test_barrier_parties; ::test_barrier's `await barrier`
 * has no C form). */
static void
test_barrier_filling (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioBarrier) barrier = gaio_barrier_new (loop, 3);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autofree char *repr = gaio_barrier_to_string (barrier);
  Job *jobs[3];
  GaioTask *t[3];
  gboolean seen[3] = { FALSE, FALSE, FALSE };

  g_assert_cmpstr (repr, ==, "<GaioBarrier [filling, waiters:0/3]>");
  for (guint i = 0; i < 3; i++)
    {
      t[i] = spawn (loop, OP_BARRIER, barrier, log, i + 1, FALSE, &jobs[i]);
      run_briefly (loop);
      if (i < 2)
        g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, i + 1);
    }
  run_n (loop, 2);
  g_assert_cmpuint (log->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (jobs[i]->got);
      g_assert_false (seen[jobs[i]->index]);
      seen[jobs[i]->index] = TRUE;
    }
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 0);
  g_assert_cmpint (gaio_barrier_get_state (barrier), ==, GAIO_BARRIER_FILLING);
  g_assert_false (gaio_barrier_is_broken (barrier));

  for (guint i = 0; i < 3; i++)
    {
      finish_task (loop, t[i]);
      job_free (jobs[i]);
    }
  g_clear_object (&barrier);
  gaio_test_loop_free (loop);
}

/* SY-13: with one party, every wait is the last and gets 0 at once
 * (test_locks.py::BarrierTests::test_filling_one_task,
 * ::test_filling_one_task_twice). */
static void
test_barrier_one_party (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioBarrier) barrier = gaio_barrier_new (loop, 1);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GaioFuture) wait = gaio_barrier_wait (barrier);

      g_assert_cmpint (gaio_future_get_result_int64 (wait, NULL), ==, 0);
      g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 0);
      g_assert_cmpint (gaio_barrier_get_state (barrier), ==, GAIO_BARRIER_FILLING);
    }
  g_assert_false (gaio_barrier_is_broken (barrier));

  g_clear_object (&barrier);
  gaio_test_loop_free (loop);
}

/* SY-13: a cancelled wait leaves the round
 * (test_locks.py::BarrierTests::test_filling_tasks_cancel_one). */
static void
test_barrier_cancel_one (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioBarrier) barrier = gaio_barrier_new (loop, 3);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *t[4];

  t[0] = spawn (loop, OP_BARRIER, barrier, log, 1, FALSE, NULL);
  t[1] = spawn (loop, OP_BARRIER, barrier, log, 2, FALSE, NULL);
  run_briefly (loop);
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 2);

  /* It leaves when its task resumes, as asyncio's coroutine does. */
  gaio_future_cancel (GAIO_FUTURE (t[0]), NULL);
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 2);
  assert_cancelled (loop, t[0]);
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 1);

  t[2] = spawn (loop, OP_BARRIER, barrier, log, 3, FALSE, NULL);
  run_briefly (loop);
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 2);
  t[3] = spawn (loop, OP_BARRIER, barrier, log, 4, FALSE, NULL);
  run_n (loop, 3);
  g_assert_cmpuint (log->len, ==, 3);
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 0);

  for (guint i = 0; i < 4; i++)
    finish_task (loop, t[i]);
  g_clear_object (&barrier);
  gaio_test_loop_free (loop);
}

/* SY-13: reset() fails the waits inside with BROKEN and leaves the
 * barrier usable; abort() breaks it for every later wait
 * (test_locks.py::BarrierTests::test_reset_barrier_while_tasks_waiting,
 * ::test_abort_barrier, ::test_reset_barrier, ::test_repr). */
static void
test_barrier_reset_abort (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioBarrier) barrier = gaio_barrier_new (loop, 3);
  g_autoptr(GaioFuture) w1 = gaio_barrier_wait (barrier);
  g_autoptr(GaioFuture) w2 = gaio_barrier_wait (barrier);
  g_autoptr(GaioFuture) w3 = NULL;
  g_autoptr(GaioFuture) w4 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *repr = NULL;

  gaio_barrier_reset (barrier);
  g_assert_cmpint (gaio_barrier_get_state (barrier), ==, GAIO_BARRIER_RESETTING);
  repr = gaio_barrier_to_string (barrier);
  g_assert_cmpstr (repr, ==, "<GaioBarrier [resetting, waiters:0/3]>");
  g_clear_pointer (&repr, g_free);
  /* A wait arriving while resetting waits for the next round. */
  w3 = gaio_barrier_wait (barrier);
  g_assert_false (gaio_future_is_done (w3));
  run_briefly (loop);

  gaio_future_get_result_boolean (w1, &error);
  g_assert_error (error, GAIO_BARRIER_ERROR, GAIO_BARRIER_ERROR_BROKEN);
  g_clear_error (&error);
  gaio_future_get_result_boolean (w2, &error);
  g_assert_error (error, GAIO_BARRIER_ERROR, GAIO_BARRIER_ERROR_BROKEN);
  g_clear_error (&error);
  g_assert_cmpint (gaio_barrier_get_state (barrier), ==, GAIO_BARRIER_FILLING);
  /* The last wait to leave woke w3, which arrives when it resumes. */
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 0);
  run_briefly (loop);
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 1);

  gaio_barrier_abort (barrier);
  g_assert_true (gaio_barrier_is_broken (barrier));
  repr = gaio_barrier_to_string (barrier);
  g_assert_cmpstr (repr, ==, "<GaioBarrier [broken]>");
  w4 = gaio_barrier_wait (barrier);
  run_briefly (loop);
  gaio_future_get_result_boolean (w3, &error);
  g_assert_error (error, GAIO_BARRIER_ERROR, GAIO_BARRIER_ERROR_BROKEN);
  g_assert_cmpstr (error->message, ==, "Abort or reset of barrier");
  g_clear_error (&error);
  gaio_future_get_result_boolean (w4, &error);
  g_assert_error (error, GAIO_BARRIER_ERROR, GAIO_BARRIER_ERROR_BROKEN);
  g_assert_cmpstr (error->message, ==, "Barrier aborted");
  g_clear_error (&error);

  gaio_barrier_reset (barrier);
  g_assert_false (gaio_barrier_is_broken (barrier));
  g_assert_cmpint (gaio_barrier_get_state (barrier), ==, GAIO_BARRIER_FILLING);

  g_clear_object (&barrier);
  g_clear_pointer (&w1, gaio_future_unref);
  g_clear_pointer (&w2, gaio_future_unref);
  g_clear_pointer (&w3, gaio_future_unref);
  g_clear_pointer (&w4, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* SY-13: waits arriving while the barrier drains wait for the next
 * round; woken once the last wait left, they arrive when they resume, so
 * a wait made before that arrives first
 * (test_locks.py::BarrierTests::test_blocking_tasks_while_draining,
 * ::test_repr, with callbacks). */
static void
test_barrier_draining (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioBarrier) barrier = gaio_barrier_new (loop, 2);
  g_autoptr(GaioFuture) a = gaio_barrier_wait (barrier);
  g_autoptr(GaioFuture) b = gaio_barrier_wait (barrier);
  g_autoptr(GaioFuture) c = NULL;
  g_autoptr(GaioFuture) d = NULL;
  g_autofree char *repr = NULL;

  /* The last party leaves at once; the first when it resumes. */
  g_assert_cmpint (gaio_future_get_result_int64 (b, NULL), ==, 1);
  g_assert_false (gaio_future_is_done (a));
  g_assert_cmpint (gaio_barrier_get_state (barrier), ==, GAIO_BARRIER_DRAINING);
  repr = gaio_barrier_to_string (barrier);
  g_assert_cmpstr (repr, ==, "<GaioBarrier [draining, waiters:0/2]>");
  c = gaio_barrier_wait (barrier);
  g_assert_false (gaio_future_is_done (c));

  run_briefly (loop);
  g_assert_cmpint (gaio_future_get_result_int64 (a, NULL), ==, 0);
  g_assert_cmpint (gaio_barrier_get_state (barrier), ==, GAIO_BARRIER_FILLING);
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 0);
  d = gaio_barrier_wait (barrier);
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 1);

  run_briefly (loop);
  g_assert_cmpint (gaio_future_get_result_int64 (c, NULL), ==, 1);
  g_assert_false (gaio_future_is_done (d));
  run_briefly (loop);
  g_assert_cmpint (gaio_future_get_result_int64 (d, NULL), ==, 0);
  g_assert_cmpint (gaio_barrier_get_state (barrier), ==, GAIO_BARRIER_FILLING);

  g_clear_object (&barrier);
  g_clear_pointer (&a, gaio_future_unref);
  g_clear_pointer (&b, gaio_future_unref);
  g_clear_pointer (&c, gaio_future_unref);
  g_clear_pointer (&d, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* BarrierTests' coroutines, which gather_parties() runs as n tasks
 * (test_locks.py's gather_tasks()): what they share. */
typedef struct
{
  GaioBarrier *barrier;
  GaioBarrier *barrier2;
  guint        n;
  guint        count;      /* the coroutines' nonlocal count */
  guint        rewait;     /* test_blocking_tasks_while_draining's rewait_n */
  guint        results1;
  guint        results2;
  guint        results3;
  gboolean     draining[5];
  gboolean     index_seen[5];
} Parties;

#define N_PARTIES 5

typedef enum {
  WAIT_PASSED,
  WAIT_BROKEN,
  WAIT_FAILED,
} WaitOutcome;

/* `await barrier.wait()` in a coroutine that catches BrokenBarrierError:
 * any other error goes to @error. */
static WaitOutcome
party_wait (GaioBarrier  *barrier,
            gint64       *index,
            GError      **error)
{
  g_auto(GValue) value = G_VALUE_INIT;
  GError *local = NULL;

  if (gaio_await (gaio_barrier_wait (barrier), &value, &local))
    {
      if (index != NULL)
        *index = g_value_get_int64 (&value);
      return WAIT_PASSED;
    }
  if (g_error_matches (local, GAIO_BARRIER_ERROR, GAIO_BARRIER_ERROR_BROKEN))
    {
      g_error_free (local);
      return WAIT_BROKEN;
    }
  g_propagate_error (error, local);
  return WAIT_FAILED;
}

/* `await barrier.wait()` that lets every error out. */
static gboolean
party_wait_ok (GaioBarrier  *barrier,
               gint64       *index,
               GError      **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  if (!gaio_await (gaio_barrier_wait (barrier), &value, error))
    return FALSE;
  if (index != NULL)
    *index = g_value_get_int64 (&value);
  return TRUE;
}

static void
parties_init (Parties  *parties,
              GaioLoop *loop)
{
  *parties = (Parties) { .n = N_PARTIES };
  parties->barrier = gaio_barrier_new (loop, N_PARTIES);
}

static void
parties_clear (Parties *parties)
{
  g_clear_object (&parties->barrier);
  g_clear_object (&parties->barrier2);
}

/* gather_tasks(): n tasks of @func, each of which must succeed. */
static void
gather_parties (GaioLoop          *loop,
                GaioCoroutineFunc  func,
                Parties           *parties)
{
  GaioTask *tasks[N_PARTIES];

  for (guint i = 0; i < parties->n; i++)
    tasks[i] = gaio_loop_create_task (loop, gaio_coroutine_new (func, parties, NULL));
  for (guint i = 0; i < parties->n; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (tasks[i]), NULL, &error));
      g_assert_no_error (error);
      gaio_future_unref (GAIO_FUTURE (tasks[i]));
    }
}

static void
assert_barrier_rest (GaioBarrier      *barrier,
                     GaioBarrierState  state)
{
  g_assert_cmpuint (gaio_barrier_get_n_waiting (barrier), ==, 0);
  g_assert_cmpint (gaio_barrier_get_state (barrier), ==, state);
  g_assert_true (gaio_barrier_is_broken (barrier) == (state == GAIO_BARRIER_BROKEN));
}

static gboolean
wait_twice (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  Parties *parties = user_data;
  gint64 index;

  if (!party_wait_ok (parties->barrier, NULL, error))
    return FALSE;
  parties->results1++;
  if (!party_wait_ok (parties->barrier, &index, error))
    return FALSE;
  parties->results2++;
  g_assert_false (parties->index_seen[index]);
  parties->index_seen[index] = TRUE;
  return TRUE;
}

/* SY-13: a barrier serves one round after another
 * (test_locks.py::BarrierTests::test_filling_tasks_wait_twice,
 * ::test_filling_tasks_check_return_value, ::test_context_manager). */
static void
test_barrier_wait_twice (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  gather_parties (loop, wait_twice, &parties);

  g_assert_cmpuint (parties.results1, ==, N_PARTIES);
  g_assert_cmpuint (parties.results2, ==, N_PARTIES);
  for (guint i = 0; i < N_PARTIES; i++)
    g_assert_true (parties.index_seen[i]);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_FILLING);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
see_draining (gpointer   user_data,
              GValue    *result,
              GError   **error)
{
  Parties *parties = user_data;

  if (!party_wait_ok (parties->barrier, NULL, error))
    return FALSE;
  parties->draining[parties->count++] =
    gaio_barrier_get_state (parties->barrier) == GAIO_BARRIER_DRAINING;
  return TRUE;
}

/* SY-13: the barrier drains until the last woken wait has left
 * (test_locks.py::BarrierTests::test_draining_state). */
static void
test_barrier_draining_state (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  gather_parties (loop, see_draining, &parties);

  g_assert_cmpuint (parties.count, ==, N_PARTIES);
  for (guint i = 0; i + 1 < N_PARTIES; i++)
    g_assert_true (parties.draining[i]);
  g_assert_false (parties.draining[N_PARTIES - 1]);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_FILLING);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
rewait_while_draining (gpointer   user_data,
                       GValue    *result,
                       GError   **error)
{
  Parties *parties = user_data;

  if (!party_wait_ok (parties->barrier, NULL, error))
    return FALSE;
  if (parties->rewait > 0)
    {
      parties->rewait--;
      return party_wait_ok (parties->barrier, NULL, error);
    }
  return party_wait_ok (parties->barrier2, NULL, error) &&
         party_wait_ok (parties->barrier, NULL, error);
}

/* SY-13: waits made while the barrier drains wait for the next round:
 * the tasks that do not wait again meet at a barrier of N - 2 parties
 * (test_locks.py::BarrierTests::test_blocking_tasks_while_draining). */
static void
test_barrier_blocking_while_draining (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  parties.rewait = 2;
  parties.barrier2 = gaio_barrier_new (loop, N_PARTIES - 2);
  gather_parties (loop, rewait_while_draining, &parties);

  assert_barrier_rest (parties.barrier, GAIO_BARRIER_FILLING);
  assert_barrier_rest (parties.barrier2, GAIO_BARRIER_FILLING);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
reset_half_drained (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  Parties *parties = user_data;

  switch (party_wait (parties->barrier, NULL, error))
    {
    case WAIT_FAILED:
      return FALSE;
    case WAIT_BROKEN:
      parties->results1++;
      return TRUE;
    case WAIT_PASSED:
    default:
      break;
    }

  /* asyncio's `rest_of_tasks == barrier._count`: N / 2 woken waits
   * have not resumed yet when the (N - N / 2)-th task is through. */
  if (++parties->count == parties->n - parties->n / 2)
    gaio_barrier_reset (parties->barrier);
  return TRUE;
}

/* SY-13: a reset while the barrier drains fails the woken waits that
 * have not resumed yet
 * (test_locks.py::BarrierTests::test_reset_barrier_when_tasks_half_draining). */
static void
test_barrier_reset_half_draining (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  gather_parties (loop, reset_half_drained, &parties);

  g_assert_cmpuint (parties.results1, ==, N_PARTIES / 2);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_FILLING);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
reset_half_drained_half_blocked (gpointer   user_data,
                                 GValue    *result,
                                 GError   **error)
{
  Parties *parties = user_data;

  switch (party_wait (parties->barrier, NULL, error))
    {
    case WAIT_FAILED:
      return FALSE;
    case WAIT_BROKEN:
      /* Still waiting when the barrier was reset: wait again. */
      parties->results1++;
      return party_wait_ok (parties->barrier, NULL, error);
    case WAIT_PASSED:
    default:
      break;
    }

  if (++parties->count > parties->n / 2)
    {
      gaio_barrier_reset (parties->barrier);
      return party_wait_ok (parties->barrier, NULL, error);
    }

  /* Blocked while the barrier drains: the reset does not fail it. */
  switch (party_wait (parties->barrier, NULL, error))
    {
    case WAIT_FAILED:
      return FALSE;
    case WAIT_BROKEN:
      parties->results2++;
      return TRUE;
    case WAIT_PASSED:
    default:
      return TRUE;
    }
}

/* SY-13: a reset while the barrier drains fails the woken waits that
 * have not resumed, not the waits blocked for the next round
 * (test_locks.py::BarrierTests::test_reset_barrier_when_tasks_half_draining_half_blocking). */
static void
test_barrier_reset_half_draining_half_blocking (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  gather_parties (loop, reset_half_drained_half_blocked, &parties);

  g_assert_cmpuint (parties.results1, ==, N_PARTIES / 2);
  g_assert_cmpuint (parties.results2, ==, 0);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_FILLING);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
reset_after_drained (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  Parties *parties = user_data;

  if (!party_wait_ok (parties->barrier, NULL, error))
    return FALSE;

  if (++parties->count == parties->n)
    {
      /* The last task out of the barrier. */
      gaio_barrier_reset (parties->barrier);
      if (!party_wait_ok (parties->barrier, NULL, error))
        return FALSE;
    }
  else
    {
      switch (party_wait (parties->barrier, NULL, error))
        {
        case WAIT_FAILED:
          return FALSE;
        case WAIT_BROKEN:
          parties->results2++;
          break;
        case WAIT_PASSED:
        default:
          parties->results1++;
          break;
        }
    }

  if (!party_wait_ok (parties->barrier, NULL, error))
    return FALSE;
  parties->results3++;
  return TRUE;
}

/* SY-13: a reset once every woken wait has left fails none of the waits
 * blocked for the next round
 * (test_locks.py::BarrierTests::test_reset_barrier_while_tasks_draining). */
static void
test_barrier_reset_after_draining (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  gather_parties (loop, reset_after_drained, &parties);

  g_assert_cmpuint (parties.results1, ==, N_PARTIES - 1);
  g_assert_cmpuint (parties.results2, ==, 0);
  g_assert_cmpuint (parties.results3, ==, N_PARTIES);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_FILLING);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
reset_waiting_again (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  Parties *parties = user_data;

  switch (party_wait (parties->barrier, NULL, error))
    {
    case WAIT_FAILED:
      return FALSE;
    case WAIT_BROKEN:
      parties->results1++;
      break;
    case WAIT_PASSED:
    default:
      break;
    }

  /* The coroutine's `finally:` */
  if (!party_wait_ok (parties->barrier, NULL, error))
    return FALSE;
  parties->results2++;
  return TRUE;
}

static gboolean
join_once (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  Parties *parties = user_data;

  if (!party_wait_ok (parties->barrier, NULL, error))
    return FALSE;
  parties->results2++;
  return TRUE;
}

static gboolean
reset_barrier (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  Parties *parties = user_data;

  gaio_barrier_reset (parties->barrier);
  return TRUE;
}

/* SY-13: waits failed by a reset may wait again at once and meet a new
 * party (test_locks.py::BarrierTests::test_reset_barrier_while_tasks_waiting_and_waiting_again). */
static void
test_barrier_reset_waiting_again (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;
  GaioTask *tasks[N_PARTIES - 1];

  parties_init (&parties, loop);
  for (guint i = 0; i < N_PARTIES - 1; i++)
    tasks[i] = gaio_loop_create_task (loop, gaio_coroutine_new (reset_waiting_again,
                                                                &parties, NULL));
  gaio_future_unref (GAIO_FUTURE (gaio_loop_create_task (loop,
                                                         gaio_coroutine_new (reset_barrier,
                                                                             &parties, NULL))));
  run_briefly (loop);
  gaio_future_unref (GAIO_FUTURE (gaio_loop_create_task (loop,
                                                         gaio_coroutine_new (join_once,
                                                                             &parties, NULL))));
  for (guint i = 0; i < N_PARTIES - 1; i++)
    {
      g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (tasks[i]), NULL, NULL));
      gaio_future_unref (GAIO_FUTURE (tasks[i]));
    }

  g_assert_cmpuint (parties.results1, ==, N_PARTIES - 1);
  g_assert_cmpuint (parties.results2, ==, N_PARTIES);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_FILLING);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
abort_half_drained (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  Parties *parties = user_data;

  switch (party_wait (parties->barrier, NULL, error))
    {
    case WAIT_FAILED:
      return FALSE;
    case WAIT_BROKEN:
      /* Woken, not resumed yet when the barrier was aborted. */
      parties->results1++;
      return TRUE;
    case WAIT_PASSED:
    default:
      break;
    }

  if (++parties->count > parties->n / 2)
    {
      gaio_barrier_abort (parties->barrier);
      return TRUE;
    }

  /* Blocked while the barrier drains. */
  switch (party_wait (parties->barrier, NULL, error))
    {
    case WAIT_FAILED:
      return FALSE;
    case WAIT_BROKEN:
      parties->results2++;
      return TRUE;
    case WAIT_PASSED:
    default:
      return TRUE;
    }
}

/* SY-13: an abort while the barrier drains fails the woken waits that
 * have not resumed and the waits blocked for the next round
 * (test_locks.py::BarrierTests::test_abort_barrier_when_tasks_half_draining_half_blocking). */
static void
test_barrier_abort_half_draining (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  gather_parties (loop, abort_half_drained, &parties);

  g_assert_cmpuint (parties.results1, ==, N_PARTIES / 2);
  g_assert_cmpuint (parties.results2, ==, N_PARTIES - N_PARTIES / 2 - 1);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_BROKEN);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
abort_on_error (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  Parties *parties = user_data;
  gint64 index;

  switch (party_wait (parties->barrier, &index, error))
    {
    case WAIT_FAILED:
      return FALSE;
    case WAIT_BROKEN:
      parties->results2++;
      return TRUE;
    case WAIT_PASSED:
    default:
      break;
    }

  /* asyncio's coroutine raises RuntimeError here and aborts in its
   * handler. */
  if (index == parties->n / 2)
    {
      gaio_barrier_abort (parties->barrier);
      return TRUE;
    }

  switch (party_wait (parties->barrier, NULL, error))
    {
    case WAIT_FAILED:
      return FALSE;
    case WAIT_BROKEN:
      parties->results2++;
      return TRUE;
    case WAIT_PASSED:
    default:
      parties->results1++;
      return TRUE;
    }
}

/* SY-13: a party that fails aborts the barrier for every other
 * (test_locks.py::BarrierTests::test_abort_barrier_when_exception). */
static void
test_barrier_abort_on_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  gather_parties (loop, abort_on_error, &parties);

  g_assert_cmpuint (parties.results1, ==, 0);
  g_assert_cmpuint (parties.results2, ==, N_PARTIES - 1);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_BROKEN);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

static gboolean
abort_then_reset (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  Parties *parties = user_data;
  gint64 index;

  if (!abort_on_error (user_data, result, error))
    return FALSE;

  /* Synchronize, reset the first barrier, synchronize again so that no
   * one enters it before the reset. */
  if (!party_wait_ok (parties->barrier2, &index, error))
    return FALSE;
  if (index == parties->n / 2)
    gaio_barrier_reset (parties->barrier);
  if (!party_wait_ok (parties->barrier2, NULL, error) ||
      !party_wait_ok (parties->barrier, NULL, error))
    return FALSE;
  parties->results3++;
  return TRUE;
}

/* SY-13: a broken barrier, reset once every party has left it, serves
 * again (test_locks.py::BarrierTests::test_abort_barrier_when_exception_then_resetting). */
static void
test_barrier_abort_then_reset (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Parties parties;

  parties_init (&parties, loop);
  parties.barrier2 = gaio_barrier_new (loop, N_PARTIES);
  gather_parties (loop, abort_then_reset, &parties);

  g_assert_cmpuint (parties.results1, ==, 0);
  g_assert_cmpuint (parties.results2, ==, N_PARTIES - 1);
  g_assert_cmpuint (parties.results3, ==, N_PARTIES);
  assert_barrier_rest (parties.barrier, GAIO_BARRIER_FILLING);

  parties_clear (&parties);
  gaio_test_loop_free (loop);
}

/* SY-13: a barrier finalized while waited for cancels the waits in its
 * queue; a woken wait keeps it until it has resumed, and gets its index
 * (as asyncio's coroutine keeps its barrier). */
static void
test_barrier_finalized_with_waiters (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioBarrier *barrier = gaio_barrier_new (loop, 2);
  GaioBarrier *filling = gaio_barrier_new (loop, 2);
  g_autoptr(GaioFuture) woken = gaio_barrier_wait (barrier);
  g_autoptr(GaioFuture) last = gaio_barrier_wait (barrier);
  g_autoptr(GaioFuture) waiting = gaio_barrier_wait (filling);
  g_autoptr(GError) error = NULL;

  g_object_unref (barrier);
  g_object_unref (filling);
  g_assert_true (gaio_future_is_cancelled (waiting));
  g_assert_false (gaio_future_is_done (woken));

  run_briefly (loop);
  g_assert_cmpint (gaio_future_get_result_int64 (woken, NULL), ==, 0);
  g_assert_cmpint (gaio_future_get_result_int64 (last, NULL), ==, 1);
  gaio_future_get_result_int64 (waiting, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "GaioBarrier was finalized while waited for");

  g_clear_pointer (&woken, gaio_future_unref);
  g_clear_pointer (&last, gaio_future_unref);
  g_clear_pointer (&waiting, gaio_future_unref);
  gaio_test_loop_free (loop);
}

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Lock/fifo", test_lock_fifo);
  g_test_add_func ("/Gaio/Lock/acquire-cancel", test_lock_acquire_cancel);
  g_test_add_func ("/Gaio/Lock/cancel-race", test_lock_cancel_race);
  g_test_add_func ("/Gaio/Lock/cancel-release-race", test_lock_cancel_release_race);
  g_test_add_func ("/Gaio/Lock/finished-waiter-cancelled", test_lock_finished_waiter_cancelled);
  g_test_add_func ("/Gaio/Lock/release-not-acquired", test_lock_release_not_acquired);
  g_test_add_func ("/Gaio/Lock/callbacks", test_lock_callbacks);
  g_test_add_func ("/Gaio/Lock/finalized-with-waiters", test_lock_finalized_with_waiters);
  g_test_add_func ("/Gaio/Event/wait", test_event_wait);
  g_test_add_func ("/Gaio/Event/clear-and-cancel", test_event_clear_and_cancel);
  g_test_add_func ("/Gaio/Condition/notify", test_condition_notify);
  g_test_add_func ("/Gaio/Condition/unacquired", test_condition_unacquired);
  g_test_add_func ("/Gaio/Condition/wait-cancel", test_condition_wait_cancel);
  g_test_add_func ("/Gaio/Condition/wait-cancel-contested", test_condition_wait_cancel_contested);
  g_test_add_func ("/Gaio/Condition/wait-for", test_condition_wait_for);
  g_test_add_func ("/Gaio/Condition/explicit-lock", test_condition_explicit_lock);
  g_test_add_func ("/Gaio/Condition/wait-cancel-after-notify",
                   test_condition_wait_cancel_after_notify);
  g_test_add_func ("/Gaio/Condition/timeout-in-block", test_condition_timeout_in_block);
  g_test_add_func ("/Gaio/Condition/ambiguous-loops", test_condition_ambiguous_loops);
  g_test_add_func ("/Gaio/Condition/lock-dropped-after-finalize",
                   test_condition_lock_dropped_after_finalize);
  g_test_add_func ("/Gaio/Condition/wait-for-finalized", test_condition_wait_for_finalized);
  g_test_add_func ("/Gaio/Semaphore/acquire", test_semaphore_acquire);
  g_test_add_func ("/Gaio/Semaphore/cancel-before-awoken", test_semaphore_cancel_before_awoken);
  g_test_add_func ("/Gaio/Semaphore/no-hang", test_semaphore_no_hang);
  g_test_add_func ("/Gaio/Semaphore/permit-dropped-after-finalize",
                   test_semaphore_permit_dropped_after_finalize);
  g_test_add_func ("/Gaio/Semaphore/bounded-release", test_bounded_semaphore_release);
  g_test_add_func ("/Gaio/Barrier/filling", test_barrier_filling);
  g_test_add_func ("/Gaio/Barrier/one-party", test_barrier_one_party);
  g_test_add_func ("/Gaio/Barrier/cancel-one", test_barrier_cancel_one);
  g_test_add_func ("/Gaio/Barrier/reset-abort", test_barrier_reset_abort);
  g_test_add_func ("/Gaio/Barrier/draining", test_barrier_draining);
  g_test_add_func ("/Gaio/Barrier/wait-twice", test_barrier_wait_twice);
  g_test_add_func ("/Gaio/Barrier/draining-state", test_barrier_draining_state);
  g_test_add_func ("/Gaio/Barrier/blocking-while-draining", test_barrier_blocking_while_draining);
  g_test_add_func ("/Gaio/Barrier/reset-half-draining", test_barrier_reset_half_draining);
  g_test_add_func ("/Gaio/Barrier/reset-half-draining-half-blocking",
                   test_barrier_reset_half_draining_half_blocking);
  g_test_add_func ("/Gaio/Barrier/reset-after-draining", test_barrier_reset_after_draining);
  g_test_add_func ("/Gaio/Barrier/reset-waiting-again", test_barrier_reset_waiting_again);
  g_test_add_func ("/Gaio/Barrier/abort-half-draining", test_barrier_abort_half_draining);
  g_test_add_func ("/Gaio/Barrier/abort-on-error", test_barrier_abort_on_error);
  g_test_add_func ("/Gaio/Barrier/abort-then-reset", test_barrier_abort_then_reset);
  g_test_add_func ("/Gaio/Barrier/finalized-with-waiters", test_barrier_finalized_with_waiters);

  return g_test_run ();
}
