/* test-executor-shutdown.c: shutting a thread pool down while its
 * workers are busy (asyncio-cases.md group EX)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * concurrent.futures' shutdown(cancel_futures=True) cancels the jobs that
 * have not started at once, in the calling thread, whether or not a
 * worker is free. Every test here keeps its workers busy in a job that
 * waits for the test's word (a Gate), so that a queued job could only be
 * reached by a worker after the test lets the running ones end: what the
 * test sees before it opens the gate was done by shutdown() itself.
 * (The process pool's cases are in test-process-pool.c, which is its own
 * worker.)
 */

#include <pthread.h>

#include "gaio-test-util.h"

#define TIMEOUT_S 30.0

/* A door the running jobs wait at until the test opens it. A pthread
 * mutex, not a GMutex: GLib 2.74's GMutex is a futex of its own that
 * ThreadSanitizer cannot see. */
typedef struct
{
  pthread_mutex_t  lock;
  pthread_cond_t   cond;
  gboolean         open;        /* under lock */
  guint            n_waiting;   /* under lock: jobs at the door */
  gint             n_ran;       /* (atomic) jobs of any kind that ran */
} Gate;

static void
gate_init (Gate *gate)
{
  pthread_mutex_init (&gate->lock, NULL);
  pthread_cond_init (&gate->cond, NULL);
}

static void
gate_clear (Gate *gate)
{
  pthread_mutex_destroy (&gate->lock);
  pthread_cond_destroy (&gate->cond);
}

static void
gate_open (Gate *gate)
{
  pthread_mutex_lock (&gate->lock);
  gate->open = TRUE;
  pthread_cond_broadcast (&gate->cond);
  pthread_mutex_unlock (&gate->lock);
}

static gboolean
gate_has_waiting (Gate  *gate,
                  guint  n)
{
  gboolean reached;

  pthread_mutex_lock (&gate->lock);
  reached = gate->n_waiting >= n;
  pthread_mutex_unlock (&gate->lock);

  return reached;
}

static void
gate_wait_for_jobs (Gate  *gate,
                    guint  n)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);

  while (!gate_has_waiting (gate, n))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

gboolean job_at_gate (GaioJob *job, gpointer user_data, GError **error);

/* Waits at the gate, then returns 7. */
gboolean
job_at_gate (GaioJob   *job,
             gpointer   user_data,
             GError   **error)
{
  Gate *gate = user_data;

  g_atomic_int_inc (&gate->n_ran);
  pthread_mutex_lock (&gate->lock);
  gate->n_waiting++;
  while (!gate->open)
    pthread_cond_wait (&gate->cond, &gate->lock);
  pthread_mutex_unlock (&gate->lock);
  gaio_job_set_result_int64 (job, 7);

  return TRUE;
}

gboolean job_counted (GaioJob *job, gpointer user_data, GError **error);

gboolean
job_counted (GaioJob   *job,
             gpointer   user_data,
             GError   **error)
{
  Gate *gate = user_data;

  g_atomic_int_inc (&gate->n_ran);
  gaio_job_set_result_int64 (job, 1);

  return TRUE;
}

static gboolean
future_is_done (gpointer data)
{
  return gaio_future_is_done (data);
}

static void
wait_future (GaioLoop   *loop,
             GaioFuture *future)
{
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), future_is_done, future,
                                          TIMEOUT_S));
}

static GaioFuture *
submit (GaioLoop     *loop,
        GaioExecutor *executor,
        GaioJobFunc   func,
        Gate         *gate)
{
  return gaio_loop_run_in_executor (loop, executor, func, NULL, gate, NULL);
}

/* Busy workers, then queued jobs behind them. */
typedef struct
{
  GaioLoop               *loop;
  GaioThreadPoolExecutor *executor;
  Gate                    gate;
  GPtrArray              *running;  /* (element-type GaioFuture) (owned) */
  GPtrArray              *queued;   /* (element-type GaioFuture) (owned) */
} Busy;

static void
busy_setup (Busy  *busy,
            guint  n_workers,
            guint  n_queued)
{
  busy->loop = gaio_test_loop_new ();
  busy->executor = gaio_thread_pool_executor_new (n_workers, NULL);
  gate_init (&busy->gate);
  busy->running = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  busy->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);

  for (guint i = 0; i < n_workers; i++)
    g_ptr_array_add (busy->running, submit (busy->loop, GAIO_EXECUTOR (busy->executor),
                                            job_at_gate, &busy->gate));
  gate_wait_for_jobs (&busy->gate, n_workers);
  for (guint i = 0; i < n_queued; i++)
    g_ptr_array_add (busy->queued, submit (busy->loop, GAIO_EXECUTOR (busy->executor),
                                           job_counted, &busy->gate));
}

static void
busy_teardown (Busy *busy)
{
  gate_open (&busy->gate);
  for (guint i = 0; i < busy->running->len; i++)
    wait_future (busy->loop, g_ptr_array_index (busy->running, i));
  gaio_executor_shutdown (GAIO_EXECUTOR (busy->executor), TRUE, FALSE);

  g_ptr_array_unref (busy->running);
  g_ptr_array_unref (busy->queued);
  g_object_unref (busy->executor);
  gate_clear (&busy->gate);
  gaio_test_loop_free (busy->loop);
}

static gboolean
all_done (gpointer data)
{
  GPtrArray *futures = data;

  for (guint i = 0; i < futures->len; i++)
    if (!gaio_future_is_done (g_ptr_array_index (futures, i)))
      return FALSE;

  return TRUE;
}

/* EX-15: shutdown (wait = FALSE, cancel_futures = TRUE) while every
 * worker runs a job: the queued jobs are cancelled at once, not when a
 * worker reaches them. Their futures end cancelled in the loop's next
 * iterations while the running jobs still wait at the gate, and their
 * functions never run; the running jobs then finish with their results.
 * CPython: test_concurrent_futures.py::ThreadPoolShutdownTest::
 * test_cancel_futures_wait_false; thread.py ThreadPoolExecutor.shutdown
 * (drains the work queue and cancels each item's future there) */
static void
test_cancel_futures_at_once (void)
{
  Busy busy = { 0 };

  busy_setup (&busy, 2, 10);

  gaio_executor_shutdown (GAIO_EXECUTOR (busy.executor), FALSE, TRUE);
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (busy.loop), all_done,
                                          busy.queued, TIMEOUT_S));

  for (guint i = 0; i < busy.queued->len; i++)
    g_assert_true (gaio_future_is_cancelled (g_ptr_array_index (busy.queued, i)));
  for (guint i = 0; i < busy.running->len; i++)
    g_assert_false (gaio_future_is_done (g_ptr_array_index (busy.running, i)));
  g_assert_cmpint (g_atomic_int_get (&busy.gate.n_ran), ==, 2);

  gate_open (&busy.gate);
  for (guint i = 0; i < busy.running->len; i++)
    {
      GaioFuture *future = g_ptr_array_index (busy.running, i);

      wait_future (busy.loop, future);
      g_assert_cmpint (gaio_future_get_result_int64 (future, NULL), ==, 7);
    }
  g_assert_cmpint (g_atomic_int_get (&busy.gate.n_ran), ==, 2);

  busy_teardown (&busy);
}

/* EX-15: with cancel_futures = FALSE the queued jobs are kept: after the
 * running ones end they run, and their futures get their results.
 * CPython: test_concurrent_futures.py::ThreadPoolShutdownTest::
 * test_shutdown_no_wait */
static void
test_no_cancel_keeps_queued (void)
{
  Busy busy = { 0 };

  busy_setup (&busy, 1, 5);

  gaio_executor_shutdown (GAIO_EXECUTOR (busy.executor), FALSE, FALSE);
  gaio_test_iterate (gaio_loop_get_context (busy.loop), 5);
  for (guint i = 0; i < busy.queued->len; i++)
    g_assert_false (gaio_future_is_done (g_ptr_array_index (busy.queued, i)));

  gate_open (&busy.gate);
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (busy.loop), all_done,
                                          busy.queued, TIMEOUT_S));
  for (guint i = 0; i < busy.queued->len; i++)
    g_assert_cmpint (gaio_future_get_result_int64 (g_ptr_array_index (busy.queued, i), NULL),
                     ==, 1);
  g_assert_cmpint (g_atomic_int_get (&busy.gate.n_ran), ==, 6);

  busy_teardown (&busy);
}

/* EX-15: a queued job whose future the caller cancelled first is
 * cancelled once, not twice: shutdown (cancel_futures) finds it already
 * cancelled and the other queued jobs are cancelled as usual.
 * CPython: test_concurrent_futures.py::ExecutorShutdownTest::
 * test_cancel_futures (futures cancelled or done, none both) */
static void
test_cancel_futures_after_user_cancel (void)
{
  Busy busy = { 0 };
  GaioFuture *first;

  busy_setup (&busy, 1, 4);
  first = g_ptr_array_index (busy.queued, 0);
  g_assert_true (gaio_future_cancel (first, NULL));

  gaio_executor_shutdown (GAIO_EXECUTOR (busy.executor), FALSE, TRUE);
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (busy.loop), all_done,
                                          busy.queued, TIMEOUT_S));
  for (guint i = 0; i < busy.queued->len; i++)
    g_assert_true (gaio_future_is_cancelled (g_ptr_array_index (busy.queued, i)));
  g_assert_false (gaio_future_is_done (g_ptr_array_index (busy.running, 0)));

  busy_teardown (&busy);
  g_assert_cmpint (g_atomic_int_get (&busy.gate.n_ran), ==, 1);
}

typedef struct
{
  GaioExecutor *executor;
  gboolean      done;        /* (atomic) */
} ShutdownCall;

static gpointer
shutdown_in_thread (gpointer data)
{
  ShutdownCall *call = data;

  gaio_executor_shutdown (call->executor, FALSE, TRUE);
  g_atomic_int_set (&call->done, TRUE);

  return NULL;
}

/* EX-15: shutdown (cancel_futures) from a thread other than the loop's
 * cancels the queued jobs too; their futures end cancelled on the loop's
 * thread, as a concurrent.futures future wrapped by asyncio is cancelled
 * through call_soon_threadsafe().
 * CPython: futures.py::_chain_future (the loop side of a cancelled
 * concurrent future); thread.py ThreadPoolExecutor.shutdown */
static void
test_cancel_futures_from_thread (void)
{
  Busy busy = { 0 };
  ShutdownCall call = { 0 };
  GThread *thread;

  busy_setup (&busy, 1, 6);
  call.executor = GAIO_EXECUTOR (busy.executor);
  thread = g_thread_new ("shutdown", shutdown_in_thread, &call);
  g_thread_join (thread);
  g_assert_true (g_atomic_int_get (&call.done));

  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (busy.loop), all_done,
                                          busy.queued, TIMEOUT_S));
  for (guint i = 0; i < busy.queued->len; i++)
    g_assert_true (gaio_future_is_cancelled (g_ptr_array_index (busy.queued, i)));
  g_assert_false (gaio_future_is_done (g_ptr_array_index (busy.running, 0)));

  busy_teardown (&busy);
  g_assert_cmpint (g_atomic_int_get (&busy.gate.n_ran), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/ExecutorShutdown/cancel-futures-at-once", test_cancel_futures_at_once);
  g_test_add_func ("/Gaio/ExecutorShutdown/no-cancel-keeps-queued", test_no_cancel_keeps_queued);
  g_test_add_func ("/Gaio/ExecutorShutdown/cancel-futures-after-user-cancel",
                   test_cancel_futures_after_user_cancel);
  g_test_add_func ("/Gaio/ExecutorShutdown/cancel-futures-from-thread",
                   test_cancel_futures_from_thread);

  return g_test_run ();
}
