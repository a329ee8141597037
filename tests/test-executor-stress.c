/* test-executor-stress.c: executors under load, from several threads, and
 * cancellation racing completion
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * In the 'slow' suite. GAIO_TEST_SHRINK=1 divides the counts by 100.
 *
 * What each test proves is counted, not timed: every result delivered
 * exactly once (a per-job mark, a count and a sum), every user data
 * released exactly once on the right thread, every future done in the end
 * (finished or cancelled, never both, never pending), every pointer result
 * freed exactly once. Leaks and double frees are for ASan and valgrind,
 * races for TSan, to find.
 */

#include <string.h>

#include "gaio-test-util.h"

#define TIMEOUT_S 300.0

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* Jobs whose user data is their index: the notify counts them. */
static gint     index_notified;       /* (atomic) */
static gint     index_notify_elsewhere; /* (atomic) notifies on an unexpected thread */
static GThread *index_notify_thread;  /* (atomic) where notifies must run */

static void
index_notify (gpointer data)
{
  if (g_thread_self () != g_atomic_pointer_get (&index_notify_thread))
    g_atomic_int_inc (&index_notify_elsewhere);
  g_atomic_int_inc (&index_notified);
}

static void
index_notify_reset (void)
{
  g_atomic_int_set (&index_notified, 0);
  g_atomic_int_set (&index_notify_elsewhere, 0);
  g_atomic_pointer_set (&index_notify_thread, g_thread_self ());
}

/* Returns its index (the user data). */
static gboolean
job_index (GaioJob   *job,
           gpointer   user_data,
           GError   **error)
{
  gaio_job_set_result_uint64 (job, GPOINTER_TO_SIZE (user_data));
  return TRUE;
}

static gboolean
poll_until_at_least (gint *counter,
                     gint  target)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);

  while (g_atomic_int_get (counter) < target)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_test_fail_printf ("counter at %d, not %d, after %.0f s",
                              g_atomic_int_get (counter), target, TIMEOUT_S);
          return FALSE;
        }
      g_usleep (1000);
    }
  return TRUE;
}

/* Iterates @context until @counter reaches @target: outcomes of jobs
 * cancelled while they ran reach the loop after their futures ended. */
static gboolean
iterate_until_at_least (GMainContext *context,
                        gint         *counter,
                        gint          target)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);

  while (g_atomic_int_get (counter) < target)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_test_fail_printf ("counter at %d, not %d, after %.0f s",
                              g_atomic_int_get (counter), target, TIMEOUT_S);
          return FALSE;
        }
      if (!g_main_context_iteration (context, FALSE))
        g_usleep (500);
    }
  return TRUE;
}

static void
weak_notify_flag (gpointer  data,
                  GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) data, 1);
}

/* Shuts @executor down (waiting), drops the caller's reference and waits
 * until it is finalized (a worker may drop the last reference). */
static void
release_executor (gpointer executor)
{
  gint finalized;

  /* Atomic like the notify's write (GObject's locks are invisible to TSan). */
  g_atomic_int_set (&finalized, 0);
  gaio_executor_shutdown (executor, TRUE, FALSE);
  g_object_weak_ref (executor, weak_notify_flag, &finalized);
  g_object_unref (executor);
  if (!poll_until_at_least (&finalized, 1))
    g_object_weak_unref (executor, weak_notify_flag, &finalized);
}

/* Which indexes came back, how often, and their sum. */
typedef struct
{
  guint    n_total;
  guint8  *seen;        /* per index: times delivered (saturating) */
  guint    n_delivered;
  guint    duplicates;
  guint    out_of_range;
  guint    errors;
  guint    wrong_thread;
  guint64  sum;         /* of index + 1 */
} Tally;

static void
tally_init (Tally *tally,
            guint  n_total)
{
  memset (tally, 0, sizeof *tally);
  tally->n_total = n_total;
  tally->seen = g_new0 (guint8, n_total);
}

/* Loop thread of the tally's loop only. */
static void
tally_add (Tally   *tally,
           guint64  index)
{
  if (index >= tally->n_total)
    {
      tally->out_of_range++;
      return;
    }
  if (tally->seen[index] != 0)
    tally->duplicates++;
  if (tally->seen[index] < G_MAXUINT8)
    tally->seen[index]++;
  tally->sum += index + 1;
  tally->n_delivered++;
}

static void
tally_check (Tally *tally)
{
  guint missing = 0;
  guint64 n = tally->n_total;

  for (guint i = 0; i < tally->n_total; i++)
    if (tally->seen[i] == 0)
      missing++;

  g_assert_cmpuint (tally->errors, ==, 0);
  g_assert_cmpuint (tally->wrong_thread, ==, 0);
  g_assert_cmpuint (tally->out_of_range, ==, 0);
  g_assert_cmpuint (tally->duplicates, ==, 0);
  g_assert_cmpuint (missing, ==, 0);
  g_assert_cmpuint (tally->n_delivered, ==, tally->n_total);
  g_assert_cmpuint (tally->sum, ==, n * (n + 1) / 2);
}

static void
tally_clear (Tally *tally)
{
  g_free (tally->seen);
}

/* ------------------------------------------------------------------ */
/* 1 000 000 jobs from the loop thread across 4 workers                  */

#define WINDOW 10000

typedef struct
{
  GaioLoop     *loop;
  GaioExecutor *executor;
  GThread      *loop_thread;
  guint         n_submitted;
  Tally         tally;
} Flood;

static void flood_submit_more (Flood *flood);

static void
flood_done (GaioFuture *future,
            gpointer    user_data)
{
  Flood *flood = user_data;
  GError *error = NULL;
  guint64 index = gaio_future_get_result_uint64 (future, &error);

  if (error != NULL)
    {
      flood->tally.errors++;
      g_clear_error (&error);
    }
  else
    tally_add (&flood->tally, index);
  if (g_thread_self () != flood->loop_thread)
    flood->tally.wrong_thread++;

  if (flood->tally.n_delivered + flood->tally.errors == flood->tally.n_total)
    gaio_loop_stop (flood->loop);
  else
    flood_submit_more (flood);
}

/* Keeps WINDOW jobs in flight. */
static void
flood_submit_more (Flood *flood)
{
  while (flood->n_submitted < flood->tally.n_total &&
         flood->n_submitted - flood->tally.n_delivered - flood->tally.errors < WINDOW)
    {
      GaioFuture *future = gaio_loop_run_in_executor (flood->loop, flood->executor, job_index,
                                                      NULL,
                                                      GSIZE_TO_POINTER (flood->n_submitted),
                                                      index_notify);

      /* The done callback holds the future as long as it needs it. */
      gaio_future_add_done_callback (future, flood_done, flood, NULL);
      gaio_future_unref (future);
      flood->n_submitted++;
    }
}

/* Issue 3: 1 000 000 jobs submitted from the loop thread run across 4
 * workers; every result is delivered exactly once, on the loop's thread,
 * and every user data released exactly once there. */
static void
test_million_jobs (void)
{
  Flood flood = { 0 };
  GaioTestGuard *guard;
  GError *error = NULL;

  flood.loop = gaio_test_loop_new ();
  flood.loop_thread = g_thread_self ();
  flood.executor = GAIO_EXECUTOR (gaio_thread_pool_executor_new (4, "flood"));
  tally_init (&flood.tally, gaio_test_scale (1000000));
  index_notify_reset ();

  flood_submit_more (&flood);
  guard = gaio_test_guard_new (flood.loop, NULL, TIMEOUT_S);
  g_assert_true (gaio_loop_run_forever (flood.loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));

  tally_check (&flood.tally);
  g_assert_cmpuint (flood.n_submitted, ==, flood.tally.n_total);
  g_assert_cmpint (g_atomic_int_get (&index_notified), ==, flood.tally.n_total);
  g_assert_cmpint (g_atomic_int_get (&index_notify_elsewhere), ==, 0);

  release_executor (flood.executor);
  tally_clear (&flood.tally);
  gaio_test_loop_free (flood.loop);
}

/* ------------------------------------------------------------------ */
/* Jobs posted from several threads through call_soon_threadsafe         */

#define N_POSTERS 4
#define POSTER_BACKLOG 5000

typedef struct
{
  GaioLoop     *loop;
  GaioExecutor *executor;
  GThread      *loop_thread;
  guint         per_poster;
  gint          posted;        /* (atomic) */
  gint          delivered;     /* (atomic) mirror of tally.n_delivered */
  gint          post_failures; /* (atomic) */
  Tally         tally;         /* loop thread only */
} Posters;

typedef struct
{
  Posters *posters;
  guint    first;
} PosterArg;

static void
posted_done (GaioFuture *future,
             gpointer    user_data)
{
  Posters *posters = user_data;
  GError *error = NULL;
  guint64 index = gaio_future_get_result_uint64 (future, &error);

  if (error != NULL)
    {
      posters->tally.errors++;
      g_clear_error (&error);
    }
  else
    tally_add (&posters->tally, index);
  if (g_thread_self () != posters->loop_thread)
    posters->tally.wrong_thread++;

  g_atomic_int_inc (&posters->delivered);
  if (posters->tally.n_delivered + posters->tally.errors == posters->tally.n_total)
    gaio_loop_stop (posters->loop);
}

static Posters *current_posters;

/* On the loop's thread: submits the job the poster asked for. */
static gboolean
submit_posted (gpointer   user_data,
               GError   **error)
{
  Posters *posters = current_posters;
  GaioFuture *future;

  if (g_thread_self () != posters->loop_thread)
    posters->tally.wrong_thread++;

  future = gaio_loop_run_in_executor (posters->loop, posters->executor, job_index, NULL,
                                      user_data, index_notify);
  gaio_future_add_done_callback (future, posted_done, posters, NULL);
  gaio_future_unref (future);

  return TRUE;
}

static gpointer
poster_thread (gpointer data)
{
  PosterArg *arg = data;
  Posters *posters = arg->posters;

  for (guint i = 0; i < posters->per_poster; i++)
    {
      GError *error = NULL;
      GaioHandle *handle;

      /* Bounded backlog: the point is concurrency, not memory. */
      while (g_atomic_int_get (&posters->posted) - g_atomic_int_get (&posters->delivered) >
             POSTER_BACKLOG)
        g_usleep (100);

      handle = gaio_loop_call_soon_threadsafe (posters->loop, submit_posted,
                                               GSIZE_TO_POINTER (arg->first + i), NULL, &error);
      if (handle == NULL)
        {
          g_atomic_int_inc (&posters->post_failures);
          g_clear_error (&error);
          continue;
        }
      gaio_handle_unref (handle);
      g_atomic_int_inc (&posters->posted);
    }

  return NULL;
}

/* Issue 3 ("jobs submitted from several threads at once"), the first way:
 * 4 threads post call_soon_threadsafe callbacks that each submit a job
 * (run_in_executor itself is for the loop's thread); every job's result
 * comes back exactly once. */
static void
test_threadsafe_submitters (void)
{
  Posters posters = { 0 };
  PosterArg args[N_POSTERS];
  GThread *threads[N_POSTERS];
  GaioTestGuard *guard;
  GError *error = NULL;

  posters.loop = gaio_test_loop_new ();
  posters.loop_thread = g_thread_self ();
  posters.executor = GAIO_EXECUTOR (gaio_thread_pool_executor_new (4, "posted"));
  posters.per_poster = gaio_test_scale (100000);
  tally_init (&posters.tally, posters.per_poster * N_POSTERS);
  current_posters = &posters;
  index_notify_reset ();

  for (guint i = 0; i < N_POSTERS; i++)
    {
      args[i] = (PosterArg) { &posters, i * posters.per_poster };
      threads[i] = g_thread_new ("poster", poster_thread, &args[i]);
    }

  guard = gaio_test_guard_new (posters.loop, NULL, TIMEOUT_S);
  g_assert_true (gaio_loop_run_forever (posters.loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));

  for (guint i = 0; i < N_POSTERS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (g_atomic_int_get (&posters.post_failures), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&posters.posted), ==, posters.tally.n_total);
  tally_check (&posters.tally);
  g_assert_cmpint (g_atomic_int_get (&index_notified), ==, posters.tally.n_total);
  g_assert_cmpint (g_atomic_int_get (&index_notify_elsewhere), ==, 0);

  current_posters = NULL;
  release_executor (posters.executor);
  tally_clear (&posters.tally);
  gaio_test_loop_free (posters.loop);
}

/* ------------------------------------------------------------------ */
/* Several loops, each in its own thread, sharing one executor           */

#define N_LOOPS 4
#define LOOP_WINDOW 1000

typedef struct
{
  GaioExecutor *executor;   /* shared */
  guint         id;
  guint         n_jobs;
  gint          notified;   /* (atomic) */
  gint          notify_elsewhere; /* (atomic) */

  /* The loop's thread only: */
  GaioLoop     *loop;
  GThread      *thread;
  guint         n_submitted;
  guint         n_other_loop;
  Tally         tally;
  gboolean      ok;
} LoopWorker;

static void
loop_worker_notify (gpointer data)
{
  LoopWorker *worker = data;

  if (g_thread_self () != worker->thread)
    g_atomic_int_inc (&worker->notify_elsewhere);
  g_atomic_int_inc (&worker->notified);
}

/* Returns (loop id << 32) | index, from "(uu)" args. */
static gboolean
job_tagged (GaioJob   *job,
            gpointer   user_data,
            GError   **error)
{
  guint32 id, index;

  g_variant_get (gaio_job_get_args (job), "(uu)", &id, &index);
  gaio_job_set_result_uint64 (job, ((guint64) id << 32) | index);
  return TRUE;
}

static void loop_worker_submit_more (LoopWorker *worker);

static void
loop_worker_done (GaioFuture *future,
                  gpointer    user_data)
{
  LoopWorker *worker = user_data;
  GError *error = NULL;
  guint64 tagged = gaio_future_get_result_uint64 (future, &error);

  if (error != NULL)
    {
      worker->tally.errors++;
      g_clear_error (&error);
    }
  else if ((tagged >> 32) != worker->id)
    worker->n_other_loop++;
  else
    tally_add (&worker->tally, tagged & G_MAXUINT32);
  if (g_thread_self () != worker->thread)
    worker->tally.wrong_thread++;

  if (worker->tally.n_delivered + worker->tally.errors + worker->n_other_loop ==
      worker->tally.n_total)
    gaio_loop_stop (worker->loop);
  else
    loop_worker_submit_more (worker);
}

static void
loop_worker_submit_more (LoopWorker *worker)
{
  while (worker->n_submitted < worker->n_jobs &&
         worker->n_submitted - worker->tally.n_delivered - worker->tally.errors -
         worker->n_other_loop < LOOP_WINDOW)
    {
      GaioFuture *future =
        gaio_loop_run_in_executor (worker->loop, worker->executor, job_tagged,
                                   g_variant_new ("(uu)", worker->id, worker->n_submitted),
                                   worker, loop_worker_notify);

      gaio_future_add_done_callback (future, loop_worker_done, worker, NULL);
      gaio_future_unref (future);
      worker->n_submitted++;
    }
}

static gpointer
loop_worker_thread (gpointer data)
{
  LoopWorker *worker = data;
  GMainContext *context = g_main_context_new ();
  GaioTestGuard *guard;
  GError *error = NULL;

  g_main_context_push_thread_default (context);
  worker->thread = g_thread_self ();
  worker->loop = gaio_loop_new (context);
  tally_init (&worker->tally, worker->n_jobs);

  loop_worker_submit_more (worker);
  guard = gaio_test_guard_new (worker->loop, NULL, TIMEOUT_S);
  worker->ok = gaio_loop_run_forever (worker->loop, &error);
  g_clear_error (&error);
  if (!gaio_test_guard_finish (guard))
    worker->ok = FALSE;

  if (!gaio_loop_close (worker->loop, &error))
    {
      worker->ok = FALSE;
      g_clear_error (&error);
    }
  g_object_unref (worker->loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return NULL;
}

/* Issue 3 ("jobs submitted from several threads at once"), the second
 * way: 4 loops, each running in its own thread, share one
 * GaioThreadPoolExecutor; every loop gets its own results, exactly once,
 * on its own thread, and its user data released there. */
static void
test_loops_sharing_one_pool (void)
{
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (4, "shared");
  LoopWorker workers[N_LOOPS];
  GThread *threads[N_LOOPS];
  guint n_jobs = gaio_test_scale (100000);

  /* GLib is not built with TSan: the first initialisation of a class,
   * racing in several threads, reads as a race in our class_init. The
   * classes the loops use are made here first, in one thread. */
  g_type_class_unref (g_type_class_ref (GAIO_TYPE_LOOP));
  g_type_ensure (GAIO_TYPE_FUTURE);

  for (guint i = 0; i < N_LOOPS; i++)
    {
      workers[i] = (LoopWorker) { .executor = GAIO_EXECUTOR (executor), .id = i + 1,
                                  .n_jobs = n_jobs };
      threads[i] = g_thread_new ("loop", loop_worker_thread, &workers[i]);
    }
  for (guint i = 0; i < N_LOOPS; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < N_LOOPS; i++)
    {
      LoopWorker *worker = &workers[i];

      g_assert_true (worker->ok);
      g_assert_cmpuint (worker->n_other_loop, ==, 0);
      tally_check (&worker->tally);
      g_assert_cmpint (g_atomic_int_get (&worker->notified), ==, n_jobs);
      g_assert_cmpint (g_atomic_int_get (&worker->notify_elsewhere), ==, 0);
      tally_clear (&worker->tally);
    }

  release_executor (executor);
  gaio_test_log_assert_no_warnings ();
}

/* ------------------------------------------------------------------ */
/* Cancellation racing completion                                        */

#define RACE_BATCH 64

static gint race_ran;            /* (atomic) job functions that ran */
static gint race_results_freed;  /* (atomic) pointer results freed */

static void
race_result_free (gpointer data)
{
  g_atomic_int_inc (&race_results_freed);
}

/* Spins a few microseconds (its user data says how many) so that the
 * cancel lands before, during or after it; sets a pointer result that
 * must be freed exactly once whatever happens to it. */
static gboolean
job_race (GaioJob   *job,
          gpointer   user_data,
          GError   **error)
{
  gint64 until = g_get_monotonic_time () + GPOINTER_TO_UINT (user_data);

  g_atomic_int_inc (&race_ran);
  while (g_get_monotonic_time () < until && !gaio_job_is_cancelled (job))
    ;
  gaio_job_set_result_pointer (job, &race_results_freed, race_result_free);

  return TRUE;
}

typedef struct
{
  guint done_calls;
} RaceSlot;

static void
race_done (GaioFuture *future,
           gpointer    user_data)
{
  RaceSlot *slot = user_data;

  slot->done_calls++;
}

static gboolean
all_done (gpointer data)
{
  GaioFuture **futures = data;

  for (guint i = 0; i < RACE_BATCH; i++)
    if (!gaio_future_is_done (futures[i]))
      return FALSE;
  return TRUE;
}

/* Issue 3: cancellation racing completion 100 000 times: the cancel
 * comes before the job starts, while it runs, after it finished but
 * before delivery, or after delivery. Every future ends cancelled (if
 * cancel() said so) or finished with its result (if cancel() came too
 * late), never pending; every done callback runs once; every user data
 * is released once, on the loop's thread; every result is freed once. */
static void
test_cancel_race (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *context = gaio_loop_get_context (loop);
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (4, "race");
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint n_jobs = gaio_test_scale (100000);
  guint n_cancelled = 0, n_finished = 0, n_bad = 0;

  index_notify_reset ();
  g_atomic_int_set (&race_ran, 0);
  g_atomic_int_set (&race_results_freed, 0);

  for (guint done = 0; done < n_jobs; done += RACE_BATCH)
    {
      GaioFuture *futures[RACE_BATCH];
      gboolean cancelled[RACE_BATCH];
      RaceSlot slots[RACE_BATCH] = { { 0 } };
      guint order[RACE_BATCH];

      for (guint i = 0; i < RACE_BATCH; i++)
        {
          futures[i] = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_race, NULL,
                                                  GUINT_TO_POINTER (g_rand_int_range (rand, 0, 20)),
                                                  index_notify);
          gaio_future_add_done_callback (futures[i], race_done, &slots[i], NULL);
          order[i] = i;
        }
      for (guint i = RACE_BATCH - 1; i > 0; i--)
        {
          guint j = g_rand_int_range (rand, 0, i + 1);
          guint tmp = order[i];

          order[i] = order[j];
          order[j] = tmp;
        }

      for (guint k = 0; k < RACE_BATCH; k++)
        {
          guint i = order[k];
          gint64 until = g_get_monotonic_time () + g_rand_int_range (rand, 0, 15);

          while (g_get_monotonic_time () < until)
            ;
          /* Sometimes let outcomes arrive first. */
          if (g_rand_int_range (rand, 0, 4) == 0)
            g_main_context_iteration (context, FALSE);
          cancelled[i] = gaio_future_cancel (futures[i], NULL);
        }

      g_assert_true (gaio_test_iterate_until (context, all_done, futures, TIMEOUT_S));
      gaio_test_iterate (context, 2);

      for (guint i = 0; i < RACE_BATCH; i++)
        {
          GaioFutureState state = gaio_future_get_state (futures[i]);
          GError *error = NULL;

          if (slots[i].done_calls != 1)
            n_bad++;
          if (cancelled[i])
            {
              if (state != GAIO_FUTURE_CANCELLED)
                n_bad++;
              n_cancelled++;
              gaio_future_get_result (futures[i], NULL, &error);
              if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                n_bad++;
            }
          else
            {
              if (state != GAIO_FUTURE_FINISHED ||
                  gaio_future_get_result_pointer (futures[i], &error) != &race_results_freed)
                n_bad++;
              n_finished++;
            }
          g_clear_error (&error);
          gaio_future_unref (futures[i]);
        }
      g_assert_cmpuint (n_bad, ==, 0);
    }

  g_test_message ("%u cancelled, %u finished before the cancel, %d job functions ran",
                  n_cancelled, n_finished, g_atomic_int_get (&race_ran));
  g_assert_cmpuint (n_cancelled + n_finished, ==,
                    (n_jobs + RACE_BATCH - 1) / RACE_BATCH * RACE_BATCH);

  release_executor (executor);
  g_assert_true (iterate_until_at_least (context, &index_notified, n_cancelled + n_finished));
  gaio_test_iterate (context, 3);
  g_assert_cmpint (g_atomic_int_get (&index_notified), ==, n_cancelled + n_finished);
  g_assert_cmpint (g_atomic_int_get (&index_notify_elsewhere), ==, 0);
  /* Every job that ran set a result; each is freed once, with its future
   * or, for a dropped outcome, with its job. */
  g_assert_true (poll_until_at_least (&race_results_freed, g_atomic_int_get (&race_ran)));
  g_assert_cmpint (g_atomic_int_get (&race_results_freed), ==, g_atomic_int_get (&race_ran));

  g_rand_free (rand);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Cancellation racing shutdown(cancel_futures=True)                     */

typedef struct
{
  GaioExecutor *executor;
  guint         delay_us;
} ShutdownArg;

static gpointer
shutdown_thread (gpointer data)
{
  ShutdownArg *arg = data;
  gint64 until = g_get_monotonic_time () + arg->delay_us;

  while (g_get_monotonic_time () < until)
    ;
  gaio_executor_shutdown (arg->executor, FALSE, TRUE);

  return NULL;
}

/* The loop cancelling futures while another thread shuts the executor
 * down with cancel_futures: both try to cancel the same queued jobs;
 * each job is cancelled or run once, its future ends cancelled or
 * finished, its user data is released once, on the loop's thread. */
static void
test_cancel_races_shutdown (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *context = gaio_loop_get_context (loop);
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint n_rounds = gaio_test_scale (5000);
  guint n_total = 0, n_bad = 0;

  index_notify_reset ();
  g_atomic_int_set (&race_ran, 0);
  g_atomic_int_set (&race_results_freed, 0);

  for (guint round = 0; round < n_rounds; round++)
    {
      GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, "racedown");
      ShutdownArg arg = { GAIO_EXECUTOR (executor), g_rand_int_range (rand, 0, 30) };
      GaioFuture *futures[RACE_BATCH];
      gboolean cancelled[RACE_BATCH] = { 0 };
      RaceSlot slots[RACE_BATCH] = { { 0 } };
      GThread *thread;

      for (guint i = 0; i < RACE_BATCH; i++)
        {
          futures[i] = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_race, NULL,
                                                  GUINT_TO_POINTER (g_rand_int_range (rand, 0, 3)),
                                                  index_notify);
          gaio_future_add_done_callback (futures[i], race_done, &slots[i], NULL);
        }

      thread = g_thread_new ("shutdown", shutdown_thread, &arg);
      for (guint i = 0; i < RACE_BATCH; i++)
        if (g_rand_boolean (rand))
          cancelled[i] = gaio_future_cancel (futures[i], NULL);
      g_thread_join (thread);

      g_assert_true (gaio_test_iterate_until (context, all_done, futures, TIMEOUT_S));
      gaio_test_iterate (context, 2);

      for (guint i = 0; i < RACE_BATCH; i++)
        {
          GaioFutureState state = gaio_future_get_state (futures[i]);
          GError *error = NULL;

          if (slots[i].done_calls != 1)
            n_bad++;
          if (cancelled[i] && state != GAIO_FUTURE_CANCELLED)
            n_bad++;
          if (state == GAIO_FUTURE_CANCELLED)
            {
              gaio_future_get_result (futures[i], NULL, &error);
              if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                n_bad++;
            }
          else if (state != GAIO_FUTURE_FINISHED ||
                   gaio_future_get_result_pointer (futures[i], &error) != &race_results_freed)
            n_bad++;
          g_clear_error (&error);
          gaio_future_unref (futures[i]);
          n_total++;
        }
      g_assert_cmpuint (n_bad, ==, 0);

      release_executor (executor);
    }

  g_assert_true (iterate_until_at_least (context, &index_notified, n_total));
  gaio_test_iterate (context, 3);
  g_assert_cmpint (g_atomic_int_get (&index_notified), ==, n_total);
  g_assert_cmpint (g_atomic_int_get (&index_notify_elsewhere), ==, 0);
  g_assert_true (poll_until_at_least (&race_results_freed, g_atomic_int_get (&race_ran)));
  g_assert_cmpint (g_atomic_int_get (&race_results_freed), ==, g_atomic_int_get (&race_ran));

  g_rand_free (rand);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Cancellation racing the drop of an outcome after close()              */

typedef struct
{
  guint spin_us;
  gint  notified;   /* (atomic) */
} CloseRaceSlot;

static void
close_race_notify (gpointer data)
{
  g_atomic_int_inc (&((CloseRaceSlot *) data)->notified);
}

/* job_race with a slot as its user data. */
static gboolean
job_race_slot (GaioJob   *job,
               gpointer   user_data,
               GError   **error)
{
  CloseRaceSlot *slot = user_data;

  return job_race (job, GUINT_TO_POINTER (slot->spin_us), error);
}

static void
spin_us (GRand *rand,
         gint   max_us)
{
  gint64 until = g_get_monotonic_time () + g_rand_int_range (rand, 0, max_us);

  while (g_get_monotonic_time () < until)
    ;
}

static gboolean
wait_loop_refs (GaioLoop *loop,
                gint      n)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);

  while (g_atomic_int_get (&G_OBJECT (loop)->ref_count) != n)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (50);
    }
  return TRUE;
}

/* EX-07 under load: a job runs while its loop closes; the worker then
 * drops the outcome (nowhere to go) while the loop's thread cancels the
 * still-pending future. Whoever comes first, the future ends cancelled,
 * the user data is released exactly once, the job lets go of the loop,
 * nothing is used after it was freed. */
static void
test_cancel_races_closed_drop (void)
{
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (2, "closerace");
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint n_rounds = gaio_test_scale (20000);
  guint n_bad = 0;

  g_atomic_int_set (&race_ran, 0);
  g_atomic_int_set (&race_results_freed, 0);

  for (guint round = 0; round < n_rounds; round++)
    {
      GaioLoop *loop = gaio_test_loop_new ();
      CloseRaceSlot slot = { g_rand_int_range (rand, 0, 20), 0 };
      GaioFuture *future;
      GError *error = NULL;

      future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_race_slot, NULL,
                                          &slot, close_race_notify);
      spin_us (rand, 20);
      g_assert_true (gaio_loop_close (loop, &error));
      spin_us (rand, 20);

      /* Pending (its outcome can no longer arrive) or already cancelled
       * by close(): either way it ends cancelled. */
      gaio_future_cancel (future, NULL);
      if (gaio_future_get_state (future) != GAIO_FUTURE_CANCELLED)
        n_bad++;
      gaio_future_get_result (future, NULL, &error);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        n_bad++;
      g_clear_error (&error);
      gaio_future_unref (future);

      /* The data is released once, here or in the worker; then the job
       * lets go of the loop. */
      if (!poll_until_at_least (&slot.notified, 1) || !wait_loop_refs (loop, 1))
        n_bad++;
      if (g_atomic_int_get (&slot.notified) != 1)
        n_bad++;

      gaio_test_loop_free (loop);
      g_assert_cmpuint (n_bad, ==, 0);
    }

  release_executor (executor);
  g_assert_true (poll_until_at_least (&race_results_freed, g_atomic_int_get (&race_ran)));
  g_assert_cmpint (g_atomic_int_get (&race_results_freed), ==, g_atomic_int_get (&race_ran));
  g_rand_free (rand);
}

/* ------------------------------------------------------------------ */

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Executor/stress/million-jobs", test_million_jobs);
  g_test_add_func ("/Gaio/Executor/stress/threadsafe-submitters", test_threadsafe_submitters);
  g_test_add_func ("/Gaio/Executor/stress/loops-sharing-one-pool", test_loops_sharing_one_pool);
  g_test_add_func ("/Gaio/Executor/stress/cancel-race", test_cancel_race);
  g_test_add_func ("/Gaio/Executor/stress/cancel-races-shutdown", test_cancel_races_shutdown);
  g_test_add_func ("/Gaio/Executor/stress/cancel-races-closed-drop",
                   test_cancel_races_closed_drop);

  return g_test_run ();
}
