/* test-process-pool-stress.c: one process pool, many loops, in threads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The lone-job path of GaioProcessPoolExecutor under stress: loops in
 * several threads submit sequential jobs to one pool, so its idle worker
 * is lent to one loop thread after another while another thread sends
 * bursts that make the pool's I/O thread take the worker back. Nothing
 * may be lost, delivered twice or to the wrong loop, and no child may be
 * left. CPython has no such test: its executors are shared across loops
 * but have no loop-side I/O.
 *
 * In the 'slow' suite; GAIO_TEST_SHRINK=1 shrinks it.
 */

#include "config.h"

#include "gaio-process-pool-executor-private.h"
#include "gaio-test-util.h"
#include "process-jobs.h"

#define N_LONE_THREADS 4

typedef struct
{
  GaioProcessPoolExecutor *pool;
  guint                    n_jobs;
  guint                    burst;     /* 0: one job at a time */
  guint                    seed;
  guint                    n_done;    /* the right outcome came */
} Worker;

static gboolean
all_done (gpointer data)
{
  GPtrArray *futures = data;

  for (guint i = 0; i < futures->len; i++)
    if (!gaio_future_is_done (g_ptr_array_index (futures, i)))
      return FALSE;

  return TRUE;
}

/* Submits @worker->n_jobs squares, @burst at a time (one when 0), from a
 * loop of this thread's own, and counts the right outcomes. */
static gpointer
submit_thread (gpointer data)
{
  Worker *worker = data;
  GMainContext *context = g_main_context_new ();
  GaioLoop *loop;
  guint per_round = MAX (worker->burst, 1);

  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (context);

  for (guint done = 0; done < worker->n_jobs; done += per_round)
    {
      g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);

      for (guint i = 0; i < per_round; i++)
        {
          gint32 x = (gint32) (worker->seed + done + i);

          g_ptr_array_add (futures,
                           gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (worker->pool),
                                                      job_square, g_variant_new ("(i)", x),
                                                      NULL, NULL));
        }
      if (!gaio_test_iterate_until (context, all_done, futures, 120))
        break;

      for (guint i = 0; i < per_round; i++)
        {
          gint64 x = worker->seed + done + i;
          g_autoptr(GError) error = NULL;
          gint64 result = gaio_future_get_result_int64 (g_ptr_array_index (futures, i), &error);

          g_assert_no_error (error);
          if (result == x * x)
            worker->n_done++;
        }
    }

  g_assert_true (gaio_loop_close (loop, NULL));
  g_object_unref (loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return NULL;
}

/* Loops in N_LONE_THREADS threads take turns with the lone path of one
 * two-worker pool, while one more thread sends bursts of 64. */
static void
test_lone_many_loops (void)
{
  GaioProcessPoolExecutor *pool = gaio_process_pool_executor_new (2);
  Worker workers[N_LONE_THREADS + 1] = { 0 };
  GThread *threads[N_LONE_THREADS + 1];
  guint64 n_lent = 0, n_sent_now = 0;

  /* The classes the threads use, initialized here: GObject does it under
   * its own lock, which ThreadSanitizer cannot see (see tsan.supp). */
  g_type_class_unref (g_type_class_ref (GAIO_TYPE_LOOP));
  g_type_ensure (GAIO_TYPE_FUTURE);

  for (guint i = 0; i <= N_LONE_THREADS; i++)
    {
      workers[i].pool = pool;
      workers[i].seed = i * 100000;
      workers[i].burst = i == N_LONE_THREADS ? 64 : 0;
      workers[i].n_jobs = gaio_test_scale (i == N_LONE_THREADS ? 64 * 100 : 2000);
      workers[i].n_jobs -= workers[i].n_jobs % MAX (workers[i].burst, 1);
      threads[i] = g_thread_new ("submit", submit_thread, &workers[i]);
    }
  for (guint i = 0; i <= N_LONE_THREADS; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i <= N_LONE_THREADS; i++)
    g_assert_cmpuint (workers[i].n_done, ==, workers[i].n_jobs);

  /* Some jobs went the lone way, or this tested nothing of it. */
  _gaio_process_pool_executor_can_lend (pool, &n_lent, &n_sent_now);
  g_test_message ("%" G_GUINT64_FORMAT " jobs went the lone way, %" G_GUINT64_FORMAT
                  " more straight to another idle worker", n_lent, n_sent_now);
  g_assert_cmpuint (n_lent, >, 0);

  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
  g_object_unref (pool);
}

int
main (int    argc,
      char **argv)
{
  /* First thing: in a worker, the guard serves jobs and never returns. */
  process_jobs_register ();
  gaio_process_pool_executor_worker_guard (&argc, &argv);

  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/ProcessPoolStress/lone-many-loops", test_lone_many_loops);

  return g_test_run ();
}
