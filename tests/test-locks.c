/* test-locks.c: GaioLock, GaioEvent, GaioCondition, GaioSemaphore,
 * GaioBoundedSemaphore and GaioBarrier
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Ports of CPython 3.11's test_asyncio/test_locks.py (and the callback
 * forms C adds). Some tests drive tasks from outside the loop, as the old
 * test_utils.run_briefly() did: run_briefly() runs one iteration. The
 * Lock, Event and Semaphore ports run in a task of their own, as
 * IsolatedAsyncioTestCase runs a test method (run_in_task()), so that
 * they check the iteration each step happens in against CPython 3.11.7.
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

/* The ports below run as asyncio's IsolatedAsyncioTestCase runs a test
 * method: in a task of their own (the "main" task), which creates the
 * other tasks and yields with gaio_sleep (0), so that every task runs in
 * the iteration its asyncio counterpart runs in. */
typedef struct
{
  void     (*func) (GaioLoop *loop);
  GaioLoop  *loop;
} MainTest;

static gboolean
main_test_run (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  MainTest *test = user_data;

  test->func (test->loop);
  return TRUE;
}

static void
run_in_task (void (*func) (GaioLoop *loop))
{
  GaioLoop *loop = gaio_test_loop_new ();
  MainTest test = { func, loop };
  g_autoptr(GError) error = NULL;
  GaioTask *task;

  task = gaio_loop_create_task (loop, gaio_coroutine_new (main_test_run, &test, NULL));
  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, &error));
  g_assert_no_error (error);
  gaio_task_unref (task);
  gaio_test_loop_free (loop);
}

/* `await asyncio.sleep(delay)` in the main task. */
static void
sleep_in_task (gdouble delay)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_await (gaio_sleep (delay), NULL, &error));
  g_assert_no_error (error);
}

/* `await task` in the main task: whether it succeeded. */
static gboolean
await_task (GaioTask  *task,
            GError   **error)
{
  return gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, error);
}

static void
await_task_cancelled (GaioTask *task)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (await_task (task, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
}

static void
await_task_ok (GaioTask *task)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (await_task (task, &error));
  g_assert_no_error (error);
}

/* The task finished with a result, not cancelled nor failed. */
static void
assert_task_succeeded (GaioTask *task)
{
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (task)));
  g_assert_false (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  g_assert_null (gaio_future_get_error (GAIO_FUTURE (task), NULL));
}

static gboolean
cancel_cb (gpointer   user_data,
           GError   **error)
{
  gaio_future_cancel (user_data, NULL);
  return TRUE;
}

/* `loop.call_soon(task.cancel)` */
static void
call_soon_cancel (GaioLoop *loop,
                  GaioTask *task)
{
  gaio_loop_call_soon (loop, cancel_cb, task, NULL, NULL);
}

#define assert_to_string(func, object, expected) \
  G_STMT_START { \
    g_autofree char *text_ = func (object); \
    g_assert_cmpstr (text_, ==, expected); \
  } G_STMT_END

static void
assert_acquired (GaioFuture *future)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gaio_await (future, &value, &error));
  g_assert_no_error (error);
  g_assert_true (g_value_get_boolean (&value));
}

/* SY-05: the description says whether the lock is held
 * (test_locks.py LockTests.test_repr; asyncio prints
 * `<asyncio.locks.Lock object at 0x... [unlocked]>`). */
static void
lock_repr (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);

  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [unlocked]>");
  assert_acquired (gaio_lock_acquire (lock));
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [locked]>");
}

static void
test_lock_repr (void)
{
  run_in_task (lock_repr);
}

/* SY-01: waiters get the lock first come, first served, each in the
 * iteration after the release that woke it
 * (test_locks.py LockTests.test_acquire). */
static void
lock_acquire (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) t1 = NULL;
  g_autoptr(GaioTask) t2 = NULL;
  g_autoptr(GaioTask) t3 = NULL;

  assert_acquired (gaio_lock_acquire (lock));

  t1 = spawn (loop, OP_LOCK, lock, log, 1, FALSE, NULL);
  t2 = spawn (loop, OP_LOCK, lock, log, 2, FALSE, NULL);
  sleep_in_task (0);
  assert_log (log, NULL, 0);

  g_assert_true (gaio_lock_release (lock, NULL));
  sleep_in_task (0);
  assert_log (log, (gint[]) { 1 }, 1);

  sleep_in_task (0);
  assert_log (log, (gint[]) { 1 }, 1);

  t3 = spawn (loop, OP_LOCK, lock, log, 3, FALSE, NULL);
  g_assert_true (gaio_lock_release (lock, NULL));
  sleep_in_task (0);
  assert_log (log, (gint[]) { 1, 2 }, 2);

  g_assert_true (gaio_lock_release (lock, NULL));
  sleep_in_task (0);
  assert_log (log, (gint[]) { 1, 2, 3 }, 3);

  assert_task_succeeded (t1);
  assert_task_succeeded (t2);
  assert_task_succeeded (t3);
  g_assert_true (gaio_lock_release (lock, NULL));
}

static void
test_lock_acquire (void)
{
  run_in_task (lock_acquire);
}

/* SY-02: a task cancelled in acquire() leaves no waiter behind
 * (test_locks.py LockTests.test_acquire_cancel). */
static void
lock_acquire_cancel (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) task = NULL;

  assert_acquired (gaio_lock_acquire (lock));

  task = spawn (loop, OP_LOCK, lock, log, 1, FALSE, NULL);
  call_soon_cancel (loop, task);
  await_task_cancelled (task);
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [locked]>");
  g_assert_true (gaio_lock_release (lock, NULL));
}

static void
test_lock_acquire_cancel (void)
{
  run_in_task (lock_acquire_cancel);
}

typedef struct
{
  GaioLock   *lock;
  GaioFuture *blocker;  /* (nullable) (owned) */
} LockIt;

/* test_cancel_race's lockit(): take the lock, await the blocker if any,
 * give the lock back. */
static gboolean
lock_it (gpointer   user_data,
         GValue    *result,
         GError   **error)
{
  LockIt *data = user_data;
  gboolean ok = TRUE;

  if (!gaio_await (gaio_lock_acquire (data->lock), NULL, error))
    return FALSE;
  if (data->blocker != NULL)
    ok = gaio_await (g_steal_pointer (&data->blocker), NULL, error);
  g_assert_true (gaio_lock_release (data->lock, NULL));

  return ok;
}

static void
lock_it_free (gpointer data)
{
  LockIt *lock_it_data = data;

  g_clear_pointer (&lock_it_data->blocker, gaio_future_unref);
  g_free (lock_it_data);
}

static GaioTask *
spawn_lock_it (GaioLoop   *loop,
               GaioLock   *lock,
               GaioFuture *blocker)
{
  LockIt *data = g_new0 (LockIt, 1);

  data->lock = lock;
  data->blocker = blocker != NULL ? gaio_future_ref (blocker) : NULL;

  return gaio_loop_create_task (loop, gaio_coroutine_new (lock_it, data, lock_it_free));
}

/* SY-03: B, cancelled as A releases the lock, is still the first waiter
 * listed: the release wakes nobody, and B, resuming cancelled, wakes C;
 * meanwhile the lock reads free (test_locks.py
 * LockTests.test_cancel_race). */
static void
lock_cancel_race (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GaioFuture) fa = gaio_loop_create_future (loop);
  g_autoptr(GaioTask) ta = NULL;
  g_autoptr(GaioTask) tb = NULL;
  g_autoptr(GaioTask) tc = NULL;

  ta = spawn_lock_it (loop, lock, fa);
  sleep_in_task (0);
  g_assert_true (gaio_lock_is_locked (lock));
  tb = spawn_lock_it (loop, lock, NULL);
  sleep_in_task (0);
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [locked, waiters:1]>");
  tc = spawn_lock_it (loop, lock, NULL);
  sleep_in_task (0);
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [locked, waiters:2]>");

  g_assert_true (gaio_future_set_result (fa, NULL, NULL));
  gaio_future_cancel (GAIO_FUTURE (tb), NULL);
  /* B's cancelled waiter is still listed first. */
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [locked, waiters:2]>");
  sleep_in_task (0);
  g_assert_false (gaio_lock_is_locked (lock));
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (ta)));
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (tb)));
  await_task_ok (tc);
}

static void
test_lock_cancel_race (void)
{
  run_in_task (lock_cancel_race);
}

typedef struct
{
  GaioLock *lock;
  guint     lock_count;
  guint     call_count;
  GaioTask *t1;
} ReleaseRace;

/* test_cancel_release_race's lockit() */
static gboolean
release_race_lock_it (gpointer   user_data,
                      GValue    *result,
                      GError   **error)
{
  ReleaseRace *race = user_data;

  race->call_count++;
  if (!gaio_await (gaio_lock_acquire (race->lock), NULL, error))
    return FALSE;
  race->lock_count++;

  return TRUE;
}

static gboolean
release_race_trigger (gpointer   user_data,
                      GError   **error)
{
  ReleaseRace *race = user_data;

  gaio_future_cancel (GAIO_FUTURE (race->t1), NULL);
  g_assert_true (gaio_lock_release (race->lock, NULL));

  return TRUE;
}

/* SY-03: cancel the first waiter and release in one callback: only one
 * task takes the lock (test_locks.py LockTests.test_cancel_release_race,
 * bpo-32734). */
static void
lock_cancel_release_race (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  ReleaseRace race = { lock, 0, 0, NULL };
  g_autoptr(GaioTask) t1 = NULL;
  g_autoptr(GaioTask) t2 = NULL;
  g_autoptr(GaioTask) t3 = NULL;

  assert_acquired (gaio_lock_acquire (lock));

  t1 = gaio_loop_create_task (loop, gaio_coroutine_new (release_race_lock_it, &race, NULL));
  t2 = gaio_loop_create_task (loop, gaio_coroutine_new (release_race_lock_it, &race, NULL));
  t3 = gaio_loop_create_task (loop, gaio_coroutine_new (release_race_lock_it, &race, NULL));
  race.t1 = t1;
  sleep_in_task (0);

  gaio_loop_call_soon (loop, release_race_trigger, &race, NULL, NULL);
  await_task_cancelled (t1);

  g_assert_cmpuint (race.lock_count, ==, 1);
  g_assert_cmpuint (race.call_count, ==, 3);
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (t2)));

  gaio_future_cancel (GAIO_FUTURE (t3), NULL);
  sleep_in_task (0);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (t3)));
}

static void
test_lock_cancel_release_race (void)
{
  run_in_task (lock_cancel_release_race);
}

/* SY-04: the first waiter cancelled, then the lock released: the next
 * task takes the lock (test_locks.py
 * LockTests.test_finished_waiter_cancelled). */
static void
lock_finished_waiter_cancelled (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) tb = NULL;
  g_autoptr(GaioTask) tc = NULL;

  assert_acquired (gaio_lock_acquire (lock));
  g_assert_true (gaio_lock_is_locked (lock));

  tb = spawn (loop, OP_LOCK, lock, log, 2, FALSE, NULL);
  sleep_in_task (0);
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [locked, waiters:1]>");

  tc = spawn (loop, OP_LOCK, lock, log, 3, FALSE, NULL);
  gaio_future_cancel (GAIO_FUTURE (tb), NULL);
  g_assert_true (gaio_lock_release (lock, NULL));
  sleep_in_task (0);

  g_assert_true (gaio_lock_is_locked (lock));
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (tb)));

  await_task_ok (tc);
  assert_log (log, (gint[]) { 3 }, 1);
  g_assert_true (gaio_lock_release (lock, NULL));
}

static void
test_lock_finished_waiter_cancelled (void)
{
  run_in_task (lock_finished_waiter_cancelled);
}

/* SY-04: a task cancelled after the release woke it, before it resumed,
 * frees the lock again and wakes the next waiter; meanwhile the lock
 * reads free and a release fails, as in asyncio. No test_locks.py
 * counterpart; the sequence is CPython 3.11.7's (a release, a cancel,
 * then a release: RuntimeError; after one sleep(0): locked() False and
 * the next waiter woken; after another: it holds the lock). */
static void
lock_woken_waiter_cancelled (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) tb = NULL;
  g_autoptr(GaioTask) tc = NULL;
  g_autoptr(GError) error = NULL;

  assert_acquired (gaio_lock_acquire (lock));
  tb = spawn (loop, OP_LOCK, lock, log, 2, FALSE, NULL);
  tc = spawn (loop, OP_LOCK, lock, log, 3, FALSE, NULL);
  sleep_in_task (0);

  g_assert_true (gaio_lock_release (lock, NULL));
  gaio_future_cancel (GAIO_FUTURE (tb), NULL);
  g_assert_false (gaio_lock_is_locked (lock));
  g_assert_false (gaio_lock_release (lock, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [unlocked, waiters:2]>");

  sleep_in_task (0);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (tb)));
  g_assert_false (gaio_lock_is_locked (lock));
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [unlocked, waiters:1]>");
  assert_log (log, NULL, 0);

  sleep_in_task (0);
  g_assert_true (gaio_lock_is_locked (lock));
  assert_log (log, (gint[]) { 3 }, 1);
  assert_task_succeeded (tc);
  g_assert_true (gaio_lock_release (lock, NULL));
}

static void
test_lock_woken_waiter_cancelled (void)
{
  run_in_task (lock_woken_waiter_cancelled);
}

/* SY-05: releasing the lock with nobody waiting frees it
 * (test_locks.py LockTests.test_release_no_waiters). */
static void
lock_release_no_waiters (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);

  assert_acquired (gaio_lock_acquire (lock));
  g_assert_true (gaio_lock_is_locked (lock));
  g_assert_true (gaio_lock_release (lock, NULL));
  g_assert_false (gaio_lock_is_locked (lock));
}

static void
test_lock_release_no_waiters (void)
{
  run_in_task (lock_release_no_waiters);
}

/* SY-05: `async with lock:` is an acquire, then a release; held in
 * between, across an await (test_locks.py LockTests.test_context_manager,
 * test_pep492.py LockTests.test_context_manager_async_with). */
static void
lock_context_manager (GaioLoop *loop)
{
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);

  sleep_in_task (0.01);
  g_assert_false (gaio_lock_is_locked (lock));
  assert_acquired (gaio_lock_acquire (lock));
  g_assert_true (gaio_lock_is_locked (lock));
  sleep_in_task (0.01);
  g_assert_true (gaio_lock_is_locked (lock));
  g_assert_true (gaio_lock_release (lock, NULL));
  g_assert_false (gaio_lock_is_locked (lock));
}

static void
test_lock_context_manager (void)
{
  run_in_task (lock_context_manager);
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

/* SY-14: a woken waiter, listed until it resumes, holds its lock; a loop
 * closed before it resumed does not leave the two holding each other. No
 * CPython counterpart (asyncio has a garbage collector). */
static void
test_lock_woken_waiter_loop_closed (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioLock *lock = gaio_lock_new (loop);
  g_autoptr(GaioFuture) held = gaio_lock_acquire (lock);
  g_autoptr(GaioFuture) woken = gaio_lock_acquire (lock);

  g_object_add_weak_pointer (G_OBJECT (lock), (gpointer *) &lock);
  g_assert_true (gaio_lock_release (lock, NULL));
  g_assert_true (gaio_future_is_done (woken));
  g_object_unref (lock);
  g_assert_nonnull (lock);

  g_assert_true (gaio_loop_close (loop, NULL));
  g_clear_pointer (&held, gaio_future_unref);
  g_clear_pointer (&woken, gaio_future_unref);
  g_assert_null (lock);
  gaio_test_loop_free (loop);
}

/* SY-01: a woken waiter takes the lock where asyncio's acquire() would
 * go on after its `await fut`, even with nothing waiting for its future
 * (callback code that dropped it): one iteration after the release, the
 * lock is held again and its queue is empty. */
static void
test_lock_woken_waiter_unwatched (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GaioFuture) held = gaio_lock_acquire (lock);

  gaio_future_unref (gaio_lock_acquire (lock));
  g_assert_true (gaio_lock_release (lock, NULL));
  g_assert_false (gaio_lock_is_locked (lock));

  gaio_test_iterate (gaio_loop_get_context (loop), 1);
  g_assert_true (gaio_lock_is_locked (lock));
  assert_to_string (gaio_lock_to_string, lock, "<GaioLock [locked]>");

  g_clear_object (&lock);
  g_clear_pointer (&held, gaio_future_unref);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioLock   *lock;
  GaioFuture *woken;   /* (owned) done, not yet resumed */
  gboolean    locked;  /* gaio_lock_is_locked() once the await returned */
} AwaitWoken;

static gboolean
await_woken (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  AwaitWoken *state = user_data;

  if (!gaio_await (g_steal_pointer (&state->woken), NULL, error))
    return FALSE;
  state->locked = gaio_lock_is_locked (state->lock);
  return TRUE;
}

/* SY-01: a task that awaits a waiter woken in this iteration, before its
 * resumption ran, goes on holding the lock: asyncio's acquire() takes it
 * after its `await fut`, before returning to whoever awaited it. */
static void
test_lock_woken_waiter_awaited_late (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioLock) lock = gaio_lock_new (loop);
  g_autoptr(GaioFuture) held = gaio_lock_acquire (lock);
  AwaitWoken state = { lock, gaio_lock_acquire (lock), FALSE };
  g_autoptr(GaioFuture) task = NULL;
  g_autoptr(GError) error = NULL;

  /* The task's first step is scheduled before the waiter's wake-up. */
  task = GAIO_FUTURE (gaio_loop_create_task (loop, gaio_coroutine_new (await_woken, &state, NULL)));
  g_assert_true (gaio_lock_release (lock, NULL));
  g_assert_true (gaio_future_is_done (state.woken));

  g_assert_true (gaio_loop_run_until_complete (loop, task, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (state.locked);

  g_clear_object (&lock);
  g_clear_pointer (&held, gaio_future_unref);
  g_clear_pointer (&task, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Event                                                                */

/* SY-06: the description says whether the flag is set, and counts the
 * waiters still listed (test_locks.py EventTests.test_repr; asyncio
 * prints `<asyncio.locks.Event object at 0x... [unset]>`). */
static void
event_repr (GaioLoop *loop)
{
  g_autoptr(GaioEvent) event = gaio_event_new (loop);
  g_autoptr(GaioFuture) wait = NULL;

  assert_to_string (gaio_event_to_string, event, "<GaioEvent [unset]>");
  wait = gaio_event_wait (event);
  assert_to_string (gaio_event_to_string, event, "<GaioEvent [unset, waiters:1]>");

  gaio_event_set (event);
  /* Woken, the waiter is listed until it resumes. */
  assert_to_string (gaio_event_to_string, event, "<GaioEvent [set, waiters:1]>");
  sleep_in_task (0);
  assert_to_string (gaio_event_to_string, event, "<GaioEvent [set]>");
}

static void
test_event_repr (void)
{
  run_in_task (event_repr);
}

/* SY-06: set() wakes every waiter, in the order they came; a task that
 * starts once the flag is set does not wait, and runs first
 * (test_locks.py EventTests.test_wait). */
static void
event_wait (GaioLoop *loop)
{
  g_autoptr(GaioEvent) event = gaio_event_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) t1 = NULL;
  g_autoptr(GaioTask) t2 = NULL;
  g_autoptr(GaioTask) t3 = NULL;

  g_assert_false (gaio_event_is_set (event));

  t1 = spawn (loop, OP_EVENT, event, log, 1, FALSE, NULL);
  t2 = spawn (loop, OP_EVENT, event, log, 2, FALSE, NULL);
  sleep_in_task (0);
  assert_log (log, NULL, 0);

  t3 = spawn (loop, OP_EVENT, event, log, 3, FALSE, NULL);
  gaio_event_set (event);
  sleep_in_task (0);
  assert_log (log, (gint[]) { 3, 1, 2 }, 3);

  assert_task_succeeded (t1);
  assert_task_succeeded (t2);
  assert_task_succeeded (t3);
}

static void
test_event_wait (void)
{
  run_in_task (event_wait);
}

/* SY-06: a wait on a set event returns TRUE at once
 * (test_locks.py EventTests.test_wait_on_set). */
static void
event_wait_on_set (GaioLoop *loop)
{
  g_autoptr(GaioEvent) event = gaio_event_new (loop);
  g_autoptr(GaioFuture) wait = NULL;

  gaio_event_set (event);
  wait = gaio_event_wait (event);
  g_assert_true (gaio_future_is_done (wait));
  assert_acquired (g_steal_pointer (&wait));
}

static void
test_event_wait_on_set (void)
{
  run_in_task (event_wait_on_set);
}

/* SY-06: a task cancelled in wait() leaves no waiter behind
 * (test_locks.py EventTests.test_wait_cancel). */
static void
event_wait_cancel (GaioLoop *loop)
{
  g_autoptr(GaioEvent) event = gaio_event_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) wait = NULL;

  wait = spawn (loop, OP_EVENT, event, log, 1, FALSE, NULL);
  call_soon_cancel (loop, wait);
  await_task_cancelled (wait);
  assert_to_string (gaio_event_to_string, event, "<GaioEvent [unset]>");
}

static void
test_event_wait_cancel (void)
{
  run_in_task (event_wait_cancel);
}

/* SY-06: clear() clears the flag (test_locks.py EventTests.test_clear). */
static void
event_clear (GaioLoop *loop)
{
  g_autoptr(GaioEvent) event = gaio_event_new (loop);

  g_assert_false (gaio_event_is_set (event));
  gaio_event_set (event);
  g_assert_true (gaio_event_is_set (event));
  gaio_event_clear (event);
  g_assert_false (gaio_event_is_set (event));
}

static void
test_event_clear (void)
{
  run_in_task (event_clear);
}

/* SY-06: a waiter woken by set() stays woken through clear() and is
 * not woken twice; it is listed until it resumes
 * (test_locks.py EventTests.test_clear_with_waiters). */
static void
event_clear_with_waiters (GaioLoop *loop)
{
  g_autoptr(GaioEvent) event = gaio_event_new (loop);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) task = NULL;

  task = spawn (loop, OP_EVENT, event, log, 1, FALSE, NULL);
  sleep_in_task (0);
  assert_log (log, NULL, 0);

  gaio_event_set (event);
  gaio_event_clear (event);
  g_assert_false (gaio_event_is_set (event));

  gaio_event_set (event);
  gaio_event_set (event);
  assert_to_string (gaio_event_to_string, event, "<GaioEvent [set, waiters:1]>");

  sleep_in_task (0);
  assert_log (log, (gint[]) { 1 }, 1);
  assert_to_string (gaio_event_to_string, event, "<GaioEvent [set]>");
  assert_task_succeeded (task);
}

static void
test_event_clear_with_waiters (void)
{
  run_in_task (event_clear_with_waiters);
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

/* SY-10: a semaphore made with no permit is locked
 * (test_locks.py SemaphoreTests.test_initial_value_zero). */
static void
semaphore_initial_value_zero (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 0);

  g_assert_true (gaio_semaphore_is_locked (sem));
}

static void
test_semaphore_initial_value_zero (void)
{
  run_in_task (semaphore_initial_value_zero);
}

/* SY-10: the description gives the free permits while unlocked, and the
 * waiters listed (test_locks.py SemaphoreTests.test_repr; asyncio prints
 * `<asyncio.locks.Semaphore object at 0x... [unlocked, value:1]>`). */
static void
semaphore_repr (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 1);
  g_autoptr(GaioFuture) w1 = NULL;
  g_autoptr(GaioFuture) w2 = NULL;

  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [unlocked, value:1]>");
  assert_acquired (gaio_semaphore_acquire (sem));
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked]>");

  w1 = gaio_semaphore_acquire (sem);
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked, waiters:1]>");
  w2 = gaio_semaphore_acquire (sem);
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked, waiters:2]>");

  /* Cancelled, the waiters are listed until they resume (asyncio's repr
   * says the same of two tasks cancelled in acquire()). */
  gaio_future_cancel (w1, NULL);
  gaio_future_cancel (w2, NULL);
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked, waiters:2]>");
  sleep_in_task (0);
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked]>");
}

static void
test_semaphore_repr (void)
{
  run_in_task (semaphore_repr);
}

/* SY-10: released permits go to the waiters first come, first served,
 * never to a task that starts after them; woken waiters are listed until
 * they resume (test_locks.py SemaphoreTests.test_acquire). */
static void
semaphore_acquire (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 3);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *t[4];
  guint n_done = 0;

  assert_acquired (gaio_semaphore_acquire (sem));
  assert_acquired (gaio_semaphore_acquire (sem));
  g_assert_false (gaio_semaphore_is_locked (sem));

  for (guint i = 0; i < 3; i++)
    t[i] = spawn (loop, OP_SEMAPHORE, sem, log, i + 1, FALSE, NULL);
  sleep_in_task (0);
  assert_log (log, (gint[]) { 1 }, 1);
  g_assert_true (gaio_semaphore_is_locked (sem));
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked, waiters:2]>");
  g_assert_cmpuint (gaio_semaphore_get_value (sem), ==, 0);

  t[3] = spawn (loop, OP_SEMAPHORE, sem, log, 4, FALSE, NULL);
  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_cmpuint (gaio_semaphore_get_value (sem), ==, 0);
  /* Woken, t2's and t3's waiters are listed until they resume (asyncio's
   * repr says the same at this point). */
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked, waiters:2]>");

  sleep_in_task (0);
  g_assert_cmpuint (gaio_semaphore_get_value (sem), ==, 0);
  g_assert_cmpuint (log->len, ==, 3);
  g_assert_true (gaio_semaphore_is_locked (sem));
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked, waiters:1]>");

  assert_task_succeeded (t[0]);
  for (guint i = 1; i < 4; i++)
    n_done += gaio_future_is_done (GAIO_FUTURE (t[i]));
  g_assert_cmpuint (n_done, ==, 2);
  /* Which two, asyncio leaves open; it is t2 and t3 there as here. */
  assert_log (log, (gint[]) { 1, 2, 3 }, 3);

  g_assert_true (gaio_semaphore_release (sem, NULL));
  for (guint i = 1; i < 4; i++)
    await_task_ok (t[i]);
  for (guint i = 0; i < 4; i++)
    gaio_task_unref (t[i]);
}

static void
test_semaphore_acquire (void)
{
  run_in_task (semaphore_acquire);
}

/* SY-11: a task cancelled in acquire() leaves no pending waiter
 * (test_locks.py SemaphoreTests.test_acquire_cancel). */
static void
semaphore_acquire_cancel (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 1);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) acquire = NULL;

  assert_acquired (gaio_semaphore_acquire (sem));
  acquire = spawn (loop, OP_SEMAPHORE, sem, log, 1, FALSE, NULL);
  call_soon_cancel (loop, acquire);
  await_task_cancelled (acquire);
  assert_to_string (gaio_semaphore_to_string, sem, "<GaioSemaphore [locked]>");
}

static void
test_semaphore_acquire_cancel (void)
{
  run_in_task (semaphore_acquire_cancel);
}

/* SY-11: waiters cancelled before a release never take its permit: the
 * third gets it, the fourth still waits (test_locks.py
 * SemaphoreTests.test_acquire_cancel_before_awoken). */
static void
semaphore_acquire_cancel_before_awoken (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 0);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *t[4];

  for (guint i = 0; i < 4; i++)
    t[i] = spawn (loop, OP_SEMAPHORE, sem, log, i + 1, FALSE, NULL);
  sleep_in_task (0);

  gaio_future_cancel (GAIO_FUTURE (t[0]), NULL);
  gaio_future_cancel (GAIO_FUTURE (t[1]), NULL);
  g_assert_true (gaio_semaphore_release (sem, NULL));

  sleep_in_task (0);
  sleep_in_task (0);
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (t[2])));
  g_assert_false (gaio_future_is_done (GAIO_FUTURE (t[3])));
  assert_log (log, (gint[]) { 3 }, 1);

  gaio_future_cancel (GAIO_FUTURE (t[2]), NULL);
  gaio_future_cancel (GAIO_FUTURE (t[3]), NULL);
  sleep_in_task (0);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (t[3])));
  for (guint i = 0; i < 4; i++)
    gaio_task_unref (t[i]);
}

static void
test_semaphore_acquire_cancel_before_awoken (void)
{
  run_in_task (semaphore_acquire_cancel_before_awoken);
}

/* SY-11: the permit released after the first waiter was cancelled goes
 * to the second (test_locks.py SemaphoreTests.test_acquire_hang). */
static void
semaphore_acquire_hang (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 0);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GaioTask) t1 = NULL;
  g_autoptr(GaioTask) t2 = NULL;

  t1 = spawn (loop, OP_SEMAPHORE, sem, log, 1, FALSE, NULL);
  t2 = spawn (loop, OP_SEMAPHORE, sem, log, 2, FALSE, NULL);
  sleep_in_task (0);

  gaio_future_cancel (GAIO_FUTURE (t1), NULL);
  g_assert_true (gaio_semaphore_release (sem, NULL));
  sleep_in_task (0);
  sleep_in_task (0);
  g_assert_true (gaio_semaphore_is_locked (sem));
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (t2)));
  assert_task_succeeded (t2);
}

static void
test_semaphore_acquire_hang (void)
{
  run_in_task (semaphore_acquire_hang);
}

typedef struct
{
  GaioSemaphore *sem;
  GaioTask      *t2;
} NoHang;

/* test_acquire_no_hang's c1(): `async with sem: await sleep(0)`, then
 * cancel c2, which was woken and has not resumed yet. */
static gboolean
no_hang_c1 (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  NoHang *data = user_data;

  if (!gaio_await (gaio_semaphore_acquire (data->sem), NULL, error))
    return FALSE;
  if (!gaio_await (gaio_sleep (0), NULL, error))
    return FALSE;
  g_assert_true (gaio_semaphore_release (data->sem, NULL));
  gaio_future_cancel (GAIO_FUTURE (data->t2), NULL);

  return TRUE;
}

/* test_acquire_no_hang's c2(): `async with sem:` must not be entered. */
static gboolean
no_hang_c2 (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  NoHang *data = user_data;

  if (!gaio_await (gaio_semaphore_acquire (data->sem), NULL, error))
    return FALSE;
  g_assert_not_reached ();
  return TRUE;
}

/* SY-11: a task cancelled after it was woken gives its permit back
 * (test_locks.py SemaphoreTests.test_acquire_no_hang). */
static void
semaphore_acquire_no_hang (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 1);
  NoHang data = { sem, NULL };
  g_autoptr(GaioTask) t1 = NULL;
  g_autoptr(GaioTask) t2 = NULL;
  g_autoptr(GaioFuture) acquire = NULL;

  t1 = gaio_loop_create_task (loop, gaio_coroutine_new (no_hang_c1, &data, NULL));
  t2 = gaio_loop_create_task (loop, gaio_coroutine_new (no_hang_c2, &data, NULL));
  data.t2 = t2;

  await_task_ok (t1);
  await_task_cancelled (t2);

  /* gaio_wait_for() takes a reference of its own. */
  acquire = gaio_semaphore_acquire (sem);
  assert_acquired (gaio_wait_for (acquire, 1.0));
}

static void
test_semaphore_acquire_no_hang (void)
{
  run_in_task (semaphore_acquire_no_hang);
}

/* SY-10: releasing with nobody waiting frees the permit
 * (test_locks.py SemaphoreTests.test_release_no_waiters). */
static void
semaphore_release_no_waiters (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 1);

  assert_acquired (gaio_semaphore_acquire (sem));
  g_assert_true (gaio_semaphore_is_locked (sem));
  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_false (gaio_semaphore_is_locked (sem));
}

static void
test_semaphore_release_no_waiters (void)
{
  run_in_task (semaphore_release_no_waiters);
}

typedef struct
{
  GaioSemaphore *sem;
  GPtrArray     *result;  /* (element-type utf8) */
  const char    *tag;
} FifoOrder;

/* test_acquire_fifo_order's coro(): twice, take the permit, log, sleep
 * 10 ms, give it back. */
static gboolean
fifo_order_coro (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  FifoOrder *data = user_data;

  for (guint round = 1; round <= 2; round++)
    {
      if (!gaio_await (gaio_semaphore_acquire (data->sem), NULL, error))
        return FALSE;
      g_ptr_array_add (data->result, g_strdup_printf ("%s_%u", data->tag, round));
      if (!gaio_await (gaio_sleep (0.01), NULL, error))
        return FALSE;
      g_assert_true (gaio_semaphore_release (data->sem, NULL));
    }

  return TRUE;
}

/* SY-10: tasks that give the permit back and ask again queue behind the
 * others (test_locks.py SemaphoreTests.test_acquire_fifo_order). */
static void
semaphore_acquire_fifo_order (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 1);
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);
  const char *expected[] = { "c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2" };
  FifoOrder data[3] = {
    { sem, result, "c1" }, { sem, result, "c2" }, { sem, result, "c3" },
  };
  GaioTask *t[3];

  for (guint i = 0; i < 3; i++)
    t[i] = gaio_loop_create_task (loop, gaio_coroutine_new (fifo_order_coro, &data[i], NULL));
  for (guint i = 0; i < 3; i++)
    {
      await_task_ok (t[i]);
      gaio_task_unref (t[i]);
    }

  g_assert_cmpuint (result->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (result, i), ==, expected[i]);
}

static void
test_semaphore_acquire_fifo_order (void)
{
  run_in_task (semaphore_acquire_fifo_order);
}

typedef struct
{
  GaioSemaphore *sem;
  GArray        *log;
} FifoOrder2;

/* test_acquire_fifo_order_2's c2(): take, log 2, give back, take again
 * (behind the woken c3), log 4. */
static gboolean
fifo_order_2_c2 (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  FifoOrder2 *data = user_data;
  gint tag;

  if (!gaio_await (gaio_semaphore_acquire (data->sem), NULL, error))
    return FALSE;
  tag = 2;
  g_array_append_val (data->log, tag);
  g_assert_true (gaio_semaphore_release (data->sem, NULL));
  if (!gaio_await (gaio_semaphore_acquire (data->sem), NULL, error))
    return FALSE;
  tag = 4;
  g_array_append_val (data->log, tag);

  return TRUE;
}

/* SY-10: a permit given back while a woken waiter has not resumed yet
 * is not taken by the giver's next acquire(): it waits its turn
 * (test_locks.py SemaphoreTests.test_acquire_fifo_order_2). */
static void
semaphore_acquire_fifo_order_2 (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 1);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  FifoOrder2 data = { sem, log };
  GaioTask *t[3];

  t[0] = spawn (loop, OP_SEMAPHORE, sem, log, 1, FALSE, NULL);
  t[1] = gaio_loop_create_task (loop, gaio_coroutine_new (fifo_order_2_c2, &data, NULL));
  t[2] = spawn (loop, OP_SEMAPHORE, sem, log, 3, FALSE, NULL);
  sleep_in_task (0);

  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_true (gaio_semaphore_release (sem, NULL));

  for (guint i = 0; i < 3; i++)
    {
      await_task_ok (t[i]);
      gaio_task_unref (t[i]);
    }
  assert_log (log, (gint[]) { 1, 2, 3, 4 }, 4);
}

static void
test_semaphore_acquire_fifo_order_2 (void)
{
  run_in_task (semaphore_acquire_fifo_order_2);
}

/* SY-11: a waiter cancelled before any release never takes a permit:
 * the two released go to the next two (test_locks.py
 * SemaphoreTests.test_acquire_fifo_order_3). */
static void
semaphore_acquire_fifo_order_3 (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 0);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint));
  GaioTask *t[3];

  for (guint i = 0; i < 3; i++)
    t[i] = spawn (loop, OP_SEMAPHORE, sem, log, i + 1, FALSE, NULL);
  sleep_in_task (0);

  gaio_future_cancel (GAIO_FUTURE (t[0]), NULL);
  sleep_in_task (0);

  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_true (gaio_semaphore_release (sem, NULL));

  await_task_cancelled (t[0]);
  await_task_ok (t[1]);
  await_task_ok (t[2]);
  assert_log (log, (gint[]) { 2, 3 }, 2);
  for (guint i = 0; i < 3; i++)
    gaio_task_unref (t[i]);
}

static void
test_semaphore_acquire_fifo_order_3 (void)
{
  run_in_task (semaphore_acquire_fifo_order_3);
}

/* test_pep492.py LockTests.test_context_manager_async_with for one
 * semaphore: `async with sem:` holds it across an await. */
static void
semaphore_context_manager (GaioSemaphore *sem)
{
  sleep_in_task (0.01);
  g_assert_false (gaio_semaphore_is_locked (sem));
  assert_acquired (gaio_semaphore_acquire (sem));
  g_assert_true (gaio_semaphore_is_locked (sem));
  sleep_in_task (0.01);
  g_assert_true (gaio_semaphore_is_locked (sem));
  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_false (gaio_semaphore_is_locked (sem));
}

/* SY-10: `async with` on a semaphore and a bounded one is an acquire,
 * then a release (test_pep492.py
 * LockTests.test_context_manager_async_with). */
static void
semaphore_context_manager_async_with (GaioLoop *loop)
{
  g_autoptr(GaioSemaphore) sem = gaio_semaphore_new (loop, 1);
  g_autoptr(GaioBoundedSemaphore) bounded = gaio_bounded_semaphore_new (loop, 1);

  semaphore_context_manager (sem);
  semaphore_context_manager (GAIO_SEMAPHORE (bounded));
}

static void
test_semaphore_context_manager_async_with (void)
{
  run_in_task (semaphore_context_manager_async_with);
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

/* SY-14: a woken waiter, listed until it resumes, holds its semaphore;
 * a loop closed before it resumed does not leave the two holding each
 * other. No CPython counterpart (asyncio has a garbage collector). */
static void
test_semaphore_woken_waiter_loop_closed (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioSemaphore *sem = gaio_semaphore_new (loop, 0);
  g_autoptr(GaioFuture) woken = gaio_semaphore_acquire (sem);

  g_object_add_weak_pointer (G_OBJECT (sem), (gpointer *) &sem);
  g_assert_true (gaio_semaphore_release (sem, NULL));
  g_assert_true (gaio_future_is_done (woken));
  g_object_unref (sem);
  g_assert_nonnull (sem);

  g_assert_true (gaio_loop_close (loop, NULL));
  g_clear_pointer (&woken, gaio_future_unref);
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

  g_test_add_func ("/Gaio/Lock/acquire", test_lock_acquire);
  g_test_add_func ("/Gaio/Lock/acquire-cancel", test_lock_acquire_cancel);
  g_test_add_func ("/Gaio/Lock/cancel-race", test_lock_cancel_race);
  g_test_add_func ("/Gaio/Lock/cancel-release-race", test_lock_cancel_release_race);
  g_test_add_func ("/Gaio/Lock/finished-waiter-cancelled", test_lock_finished_waiter_cancelled);
  g_test_add_func ("/Gaio/Lock/release-not-acquired", test_lock_release_not_acquired);
  g_test_add_func ("/Gaio/Lock/callbacks", test_lock_callbacks);
  g_test_add_func ("/Gaio/Lock/finalized-with-waiters", test_lock_finalized_with_waiters);
  g_test_add_func ("/Gaio/Lock/repr", test_lock_repr);
  g_test_add_func ("/Gaio/Lock/woken-waiter-cancelled", test_lock_woken_waiter_cancelled);
  g_test_add_func ("/Gaio/Lock/release-no-waiters", test_lock_release_no_waiters);
  g_test_add_func ("/Gaio/Lock/context-manager", test_lock_context_manager);
  g_test_add_func ("/Gaio/Lock/woken-waiter-loop-closed", test_lock_woken_waiter_loop_closed);
  g_test_add_func ("/Gaio/Lock/woken-waiter-unwatched", test_lock_woken_waiter_unwatched);
  g_test_add_func ("/Gaio/Lock/woken-waiter-awaited-late", test_lock_woken_waiter_awaited_late);
  g_test_add_func ("/Gaio/Event/wait", test_event_wait);
  g_test_add_func ("/Gaio/Event/repr", test_event_repr);
  g_test_add_func ("/Gaio/Event/wait-on-set", test_event_wait_on_set);
  g_test_add_func ("/Gaio/Event/wait-cancel", test_event_wait_cancel);
  g_test_add_func ("/Gaio/Event/clear", test_event_clear);
  g_test_add_func ("/Gaio/Event/clear-with-waiters", test_event_clear_with_waiters);
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
  g_test_add_func ("/Gaio/Semaphore/acquire-cancel-before-awoken", test_semaphore_acquire_cancel_before_awoken);
  g_test_add_func ("/Gaio/Semaphore/acquire-no-hang", test_semaphore_acquire_no_hang);
  g_test_add_func ("/Gaio/Semaphore/permit-dropped-after-finalize",
                   test_semaphore_permit_dropped_after_finalize);
  g_test_add_func ("/Gaio/Semaphore/bounded-release", test_bounded_semaphore_release);
  g_test_add_func ("/Gaio/Semaphore/initial-value-zero", test_semaphore_initial_value_zero);
  g_test_add_func ("/Gaio/Semaphore/repr", test_semaphore_repr);
  g_test_add_func ("/Gaio/Semaphore/acquire-cancel", test_semaphore_acquire_cancel);
  g_test_add_func ("/Gaio/Semaphore/acquire-hang", test_semaphore_acquire_hang);
  g_test_add_func ("/Gaio/Semaphore/release-no-waiters", test_semaphore_release_no_waiters);
  g_test_add_func ("/Gaio/Semaphore/acquire-fifo-order", test_semaphore_acquire_fifo_order);
  g_test_add_func ("/Gaio/Semaphore/acquire-fifo-order-2", test_semaphore_acquire_fifo_order_2);
  g_test_add_func ("/Gaio/Semaphore/acquire-fifo-order-3", test_semaphore_acquire_fifo_order_3);
  g_test_add_func ("/Gaio/Semaphore/context-manager-async-with", test_semaphore_context_manager_async_with);
  g_test_add_func ("/Gaio/Semaphore/woken-waiter-loop-closed", test_semaphore_woken_waiter_loop_closed);
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
