/* bench-gaio.c: the libgaio side of each benchmark
 *
 * Every run gets a GMainContext and a GaioLoop of its own, pushed as the
 * thread default, driven by gaio_loop_run_forever() and closed at the end,
 * so that nothing one run leaves behind can slow down the next.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include <gaio.h>

#include "bench-gaio.h"

typedef struct
{
  GMainContext *context;
  GaioLoop     *loop;
} LoopSetup;

static void
loop_setup (LoopSetup *setup)
{
  setup->context = g_main_context_new ();
  g_main_context_push_thread_default (setup->context);
  setup->loop = gaio_loop_new (setup->context);
}

static gboolean
loop_teardown (LoopSetup  *setup,
               GError    **error)
{
  gboolean ok = gaio_loop_close (setup->loop, error);

  g_clear_object (&setup->loop);
  g_main_context_pop_thread_default (setup->context);
  g_clear_pointer (&setup->context, g_main_context_unref);

  return ok;
}

/* gaio_loop_call_soon() and gaio_loop_call_later() return a handle the
 * loop owns (transfer none); only gaio_loop_call_soon_threadsafe() hands
 * the caller a reference to drop. */
static gboolean
schedule (GaioLoop      *loop,
          GaioCallback   callback,
          gpointer       user_data,
          GError       **error)
{
  return gaio_loop_call_soon (loop, callback, user_data, NULL, error) != NULL;
}

/* ------------------------------------------------------------------------ */
/* call_soon */

typedef struct
{
  GaioLoop *loop;
  guint64   n;
  guint64   scheduled;
  guint64   done;
  gint64    end_ns;
} CallSoonRun;

static gboolean
chain_cb (gpointer   data,
          GError   **error)
{
  CallSoonRun *run = data;

  if (++run->done < run->n)
    return schedule (run->loop, chain_cb, run, error);

  run->end_ns = bench_now_ns ();
  gaio_loop_stop (run->loop);
  return TRUE;
}

static gboolean
batch_work_cb (gpointer   data,
               GError   **error)
{
  CallSoonRun *run = data;

  if (++run->done == run->n)
    {
      run->end_ns = bench_now_ns ();
      gaio_loop_stop (run->loop);
    }

  return TRUE;
}

static gboolean
batch_driver_cb (gpointer   data,
                 GError   **error)
{
  CallSoonRun *run = data;
  guint64 batch = MIN (BENCH_CALL_SOON_BATCH, run->n - run->scheduled);

  for (guint64 i = 0; i < batch; i++)
    {
      if (!schedule (run->loop, batch_work_cb, run, error))
        return FALSE;
    }
  run->scheduled += batch;

  /* Behind the batch in the FIFO, so it runs in the next iteration, after
   * the whole batch. */
  if (run->scheduled < run->n)
    return schedule (run->loop, batch_driver_cb, run, error);

  return TRUE;
}

static gboolean
call_soon_run (guint64        n,
               GaioCallback   first,
               gint64        *elapsed_ns,
               GError       **error)
{
  LoopSetup setup;
  CallSoonRun run = { 0, };
  gint64 start_ns;
  gboolean ok;

  loop_setup (&setup);
  run.loop = setup.loop;
  run.n = n;

  start_ns = bench_now_ns ();
  ok = schedule (setup.loop, first, &run, error) &&
       gaio_loop_run_forever (setup.loop, error);

  if (!loop_teardown (&setup, ok ? error : NULL) || !ok)
    return FALSE;

  g_assert (run.done == n);
  *elapsed_ns = run.end_ns - start_ns;
  return TRUE;
}

gboolean
bench_gaio_call_soon (const BenchCase  *bcase,
                      guint64           n,
                      BenchResult      *result,
                      GError          **error)
{
  gint64 batch_ns, chain_ns;

  if (!call_soon_run (n, batch_driver_cb, &batch_ns, error) ||
      !call_soon_run (n, chain_cb, &chain_ns, error))
    return FALSE;

  bench_call_soon_finish (result, n, batch_ns, chain_ns);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* call_soon_threadsafe */

typedef struct
{
  GaioLoop *loop;
  GThread  *producer;
  guint64   n;
  guint64   done;        /* loop thread only */
  gint64    start_ns;    /* written by the producer, read after the join */
  gint64    posted_ns;   /* likewise */
  gint64    end_ns;      /* loop thread only */
  GError   *error;       /* (owned) the producer's, read after the join */
} ThreadsafeRun;

static gboolean
threadsafe_cb (gpointer   data,
               GError   **error)
{
  ThreadsafeRun *run = data;

  if (++run->done == run->n)
    {
      run->end_ns = bench_now_ns ();
      gaio_loop_stop (run->loop);
    }

  return TRUE;
}

static gboolean
threadsafe_stop_cb (gpointer data)
{
  ThreadsafeRun *run = data;

  gaio_loop_stop (run->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
threadsafe_producer (gpointer data)
{
  ThreadsafeRun *run = data;
  /* Copied, so that the loop below never reads @run: the loop thread
   * writes run->done at every callback, and a read of the same cache
   * line here would measure that line's trips between the two cores, a
   * cost of this harness, not of posting. */
  GaioLoop *loop = run->loop;
  guint64 n = run->n;
  GError *error = NULL;

  run->start_ns = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    {
      GaioHandle *handle;

      handle = gaio_loop_call_soon_threadsafe (loop, threadsafe_cb, run, NULL, &error);
      if (handle == NULL)
        {
          run->error = error;
          /* The last callback will never run to stop the loop: stop it
           * from its own thread through plain GLib. */
          g_main_context_invoke (gaio_loop_get_context (loop),
                                 threadsafe_stop_cb, run);
          break;
        }
      gaio_handle_unref (handle);
    }
  run->posted_ns = bench_now_ns ();

  return NULL;
}

static gboolean
threadsafe_start_cb (gpointer   data,
                     GError   **error)
{
  ThreadsafeRun *run = data;

  /* Started once the loop runs, so that the measurement is of a running
   * loop taking posts, not of posts piling up before it starts. */
  run->producer = g_thread_new ("bench-producer", threadsafe_producer, run);
  return TRUE;
}

gboolean
bench_gaio_call_soon_threadsafe (const BenchCase  *bcase,
                                 guint64           n,
                                 BenchResult      *result,
                                 GError          **error)
{
  LoopSetup setup;
  ThreadsafeRun run = { 0, };
  gboolean ok;

  loop_setup (&setup);
  run.loop = setup.loop;
  run.n = n;

  ok = schedule (setup.loop, threadsafe_start_cb, &run, error) &&
       gaio_loop_run_forever (setup.loop, error);

  if (run.producer != NULL)
    g_thread_join (run.producer);
  if (ok && run.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run.error));
      ok = FALSE;
    }
  g_clear_error (&run.error);

  if (!loop_teardown (&setup, ok ? error : NULL) || !ok)
    return FALSE;

  g_assert (run.done == n);
  bench_threadsafe_finish (result, n, run.start_ns, run.posted_ns, run.end_ns);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* timers_N */

/* The run being measured (see BenchTimers). */
static BenchTimers *timers_run;
static GaioLoop *timers_loop;

static gboolean
timer_cb (gpointer   deadline,
          GError   **error)
{
  if (bench_timers_fired (timers_run, deadline))
    gaio_loop_stop (timers_loop);

  return TRUE;
}

gboolean
bench_gaio_timers (const BenchCase  *bcase,
                   guint64           n,
                   BenchResult      *result,
                   GError          **error)
{
  g_autofree gint64 *delays_ns = bench_timer_delays_ns (n);
  BenchTimers timers;
  LoopSetup setup;
  gboolean ok = TRUE;

  bench_timers_init (&timers, n);
  loop_setup (&setup);
  timers_run = &timers;
  timers_loop = setup.loop;

  for (guint64 i = 0; ok && i < n; i++)
    {
      gint64 delay_ns = delays_ns[i];
      gpointer deadline = bench_timers_deadline (&timers,
                                                 bench_timers_arm_now_ns (&timers, i) + delay_ns);

      ok = gaio_loop_call_later (setup.loop, (double) delay_ns / 1e9,
                                 timer_cb, deadline, NULL, error) != NULL;
    }
  bench_timers_armed (&timers);

  ok = ok && gaio_loop_run_forever (setup.loop, error);
  ok = loop_teardown (&setup, ok ? error : NULL) && ok;
  timers_run = NULL;
  timers_loop = NULL;

  if (!ok)
    {
      g_free (timers.late_ms);
      return FALSE;
    }

  bench_timers_finish (&timers, result);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* executor_throughput, executor_latency */

static gboolean
trivial_job (GaioJob   *job,
             gpointer   user_data,
             GError   **error)
{
  gaio_job_set_result_int64 (job, bench_executor_work (GPOINTER_TO_SIZE (user_data)));
  return TRUE;
}

typedef struct
{
  GaioLoop     *loop;
  GaioExecutor *executor;     /* (nullable) the loop's default one */
  guint64       n;
  guint64       submitted;
  guint64       done;
  guint64       sum;
  gint64        start_ns;
  gint64        submitted_ns;
  gint64        op_start_ns;  /* latency: when the job in flight was submitted */
  gint64        end_ns;
  double       *samples_us;   /* (nullable) latency: one round trip each */
  GError       *error;        /* (owned) (nullable) the first job that failed */
} ExecutorRun;

/* Counts one result; returns %TRUE when it was the last. */
static gboolean
executor_result (ExecutorRun *run,
                 GaioFuture  *future)
{
  GError *error = NULL;
  gint64 value = gaio_future_get_result_int64 (future, &error);

  if (error != NULL)
    {
      if (run->error == NULL)
        run->error = error;
      else
        g_error_free (error);
    }
  else
    run->sum += (guint64) value;

  if (++run->done < run->n)
    return FALSE;

  run->end_ns = bench_now_ns ();
  gaio_loop_stop (run->loop);
  return TRUE;
}

static void
submit_job (ExecutorRun        *run,
            GaioFutureCallback  done_cb)
{
  GaioFuture *future;

  /* The job holds the future until its result is in, and the future its
   * done callbacks until they ran: no need to keep our reference. */
  future = gaio_loop_run_in_executor (run->loop, run->executor, trivial_job, NULL,
                                      GSIZE_TO_POINTER (run->submitted++), NULL);
  gaio_future_add_done_callback (future, done_cb, run, NULL);
  gaio_future_unref (future);
}

static void
throughput_done_cb (GaioFuture *future,
                    gpointer    data)
{
  executor_result (data, future);
}

static gboolean
throughput_start_cb (gpointer   data,
                     GError   **error)
{
  ExecutorRun *run = data;

  run->start_ns = bench_now_ns ();
  for (guint64 i = 0; i < run->n; i++)
    submit_job (run, throughput_done_cb);
  run->submitted_ns = bench_now_ns ();

  return TRUE;
}

static void
latency_done_cb (GaioFuture *future,
                 gpointer    data)
{
  ExecutorRun *run = data;
  gint64 now_ns = bench_now_ns ();

  if (run->samples_us != NULL)
    run->samples_us[run->done] = (double) (now_ns - run->op_start_ns) / 1e3;
  if (executor_result (run, future))
    return;

  run->op_start_ns = bench_now_ns ();
  submit_job (run, latency_done_cb);
}

static gboolean
latency_start_cb (gpointer   data,
                  GError   **error)
{
  ExecutorRun *run = data;

  run->start_ns = bench_now_ns ();
  run->op_start_ns = run->start_ns;
  submit_job (run, latency_done_cb);

  return TRUE;
}

/* One run of @n jobs through @executor on @loop, started by @start. */
static gboolean
executor_run (GaioLoop      *loop,
              GaioExecutor  *executor,
              GaioCallback   start,
              guint64        n,
              double        *samples_us,
              ExecutorRun   *run,
              GError       **error)
{
  *run = (ExecutorRun) { 0, };
  run->loop = loop;
  run->executor = executor;
  run->n = n;
  run->samples_us = samples_us;

  if (!schedule (loop, start, run, error) ||
      !gaio_loop_run_forever (loop, error))
    {
      g_clear_error (&run->error);
      return FALSE;
    }

  if (run->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run->error));
      return FALSE;
    }

  g_assert (run->done == n);
  return bench_executor_check_sum (run->sum, n, error);
}

/* Warms @executor up, then measures @n jobs of the form @start. The
 * warm-up is BENCH_EXECUTOR_WARMUP round trips for latency, a first burst
 * of @n jobs for throughput, whose rate goes to @first_burst (see
 * bench-common.h). */
static gboolean
executor_measure (GaioLoop      *loop,
                  GaioExecutor  *executor,
                  GaioCallback   start,
                  guint64        n,
                  double        *samples_us,
                  BenchResult   *first_burst,
                  ExecutorRun   *run,
                  GError       **error)
{
  gboolean latency = samples_us != NULL;

  if (!executor_run (loop, executor, start, latency ? BENCH_EXECUTOR_WARMUP : n,
                     NULL, run, error))
    return FALSE;
  if (!latency)
    bench_executor_first_burst (first_burst, n, run->start_ns, run->end_ns);

  return executor_run (loop, executor, start, n, samples_us, run, error);
}

/* Shuts the loop's default executor down, if it was used, and waits for
 * its threads to finish, as asyncio.run() does. */
static gboolean
shutdown_default_executor (GaioLoop  *loop,
                           GError   **error)
{
  g_autoptr(GaioFuture) shutdown = gaio_loop_shutdown_default_executor (loop);

  return gaio_loop_run_until_complete (loop, shutdown, NULL, error);
}

/* The form of the line is the same for both benchmarks: the 4-worker
 * pool's run gives the numbers, and the loop's default executor (Python's
 * size, min (32, cpus + 4)) a second run reported as default_pool_*. */
static gboolean
bench_gaio_executor (guint64        n,
                     GaioCallback   start,
                     gboolean       latency,
                     BenchResult   *result,
                     GError       **error)
{
  g_autoptr(GaioThreadPoolExecutor) pool = NULL;
  g_autofree double *samples_us = latency ? g_new (double, n) : NULL;
  g_autoptr(BenchResult) default_result = bench_result_new (result->bench, result->impl, n);
  LoopSetup setup;
  ExecutorRun run;
  gboolean ok;

  loop_setup (&setup);
  pool = gaio_thread_pool_executor_new (BENCH_EXECUTOR_WORKERS, "bench-pool");

  ok = executor_measure (setup.loop, GAIO_EXECUTOR (pool), start, n, samples_us, result, &run,
                         error);
  if (ok)
    {
      if (latency)
        bench_latency_finish (result, samples_us, n, run.end_ns - run.start_ns);
      else
        bench_executor_throughput_finish (result, n, run.start_ns, run.submitted_ns,
                                          run.end_ns);
      bench_result_add_extra_text (result, "workers", G_STRINGIFY (BENCH_EXECUTOR_WORKERS));
    }
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);

  ok = ok && executor_measure (setup.loop, NULL, start, n, samples_us, default_result, &run,
                               error);
  if (ok)
    {
      if (latency)
        {
          bench_latency_finish (default_result, samples_us, n, run.end_ns - run.start_ns);
          bench_result_add_extra (result, "default_pool_p50_us", default_result->p50_us);
          bench_result_add_extra (result, "default_pool_p99_us", default_result->p99_us);
        }
      else
        bench_executor_throughput_finish (default_result, n, run.start_ns, run.submitted_ns,
                                          run.end_ns);
      bench_result_add_extra (result, "default_pool_ops_per_s", default_result->ops_per_s);
      {
        g_autofree char *workers = g_strdup_printf ("%u", MIN (32, g_get_num_processors () + 4));

        bench_result_add_extra_text (result, "default_pool_workers", workers);
      }
    }
  ok = ok && shutdown_default_executor (setup.loop, error);

  return loop_teardown (&setup, ok ? error : NULL) && ok;
}

gboolean
bench_gaio_executor_throughput (const BenchCase  *bcase,
                                guint64           n,
                                BenchResult      *result,
                                GError          **error)
{
  return bench_gaio_executor (n, throughput_start_cb, FALSE, result, error);
}

gboolean
bench_gaio_executor_latency (const BenchCase  *bcase,
                             guint64           n,
                             BenchResult      *result,
                             GError          **error)
{
  return bench_gaio_executor (n, latency_start_cb, TRUE, result, error);
}
