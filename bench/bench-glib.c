/* bench-glib.c: the plain-GLib peers a user would pick instead of libgaio
 *
 * Each peer does with GLib's own calls what the gaio benchmark of the same
 * name does with a GaioLoop, as a GLib developer would write it:
 *
 * - call_soon: g_idle_add(), one GSource per callback, on the global default
 *   context run by g_main_loop_run().
 * - call_soon_threadsafe: g_main_context_invoke_full() from another thread
 *   onto a context that the benchmark thread runs; and atomic_list, not a
 *   peer but the floor of any such post: records of a handle's size,
 *   allocated and made present before the clock starts, pushed on a
 *   lock-free list with GLib's atomics and taken off by a benchmark
 *   thread that spins instead of sleeping. It is what handing one cache
 *   line from one core to the other costs on this machine, with no
 *   allocation, no wake-up and no loop.
 * - timers_N: g_timeout_add_full(), whose intervals are whole milliseconds.
 * - executor_*: gtask, g_task_run_in_thread() with the result in the
 *   GAsyncReadyCallback; gthreadpool_invoke, a raw GThreadPool whose
 *   workers send each result back with g_main_context_invoke_full().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include <gio/gio.h>

#include "bench-glib.h"

/* ------------------------------------------------------------------------ */
/* call_soon: g_idle_add */

typedef struct
{
  GMainLoop *main_loop;
  guint64    n;
  guint64    scheduled;
  guint64    done;
  gint64     end_ns;
} IdleRun;

static gboolean
idle_chain_cb (gpointer data)
{
  IdleRun *run = data;

  if (++run->done < run->n)
    g_idle_add (idle_chain_cb, run);
  else
    {
      run->end_ns = bench_now_ns ();
      g_main_loop_quit (run->main_loop);
    }

  return G_SOURCE_REMOVE;
}

static gboolean
idle_batch_work_cb (gpointer data)
{
  IdleRun *run = data;

  if (++run->done == run->n)
    {
      run->end_ns = bench_now_ns ();
      g_main_loop_quit (run->main_loop);
    }

  return G_SOURCE_REMOVE;
}

static gboolean
idle_batch_driver_cb (gpointer data)
{
  IdleRun *run = data;
  guint64 batch = MIN (BENCH_CALL_SOON_BATCH, run->n - run->scheduled);

  for (guint64 i = 0; i < batch; i++)
    g_idle_add (idle_batch_work_cb, run);
  run->scheduled += batch;

  /* A new source is attached after the batch, so it is dispatched after
   * the whole batch, in the next iteration. */
  if (run->scheduled < run->n)
    g_idle_add (idle_batch_driver_cb, run);

  return G_SOURCE_REMOVE;
}

static gint64
idle_run (guint64     n,
          GSourceFunc first)
{
  IdleRun run = { 0, };
  gint64 start_ns;

  run.main_loop = g_main_loop_new (NULL, FALSE);
  run.n = n;

  start_ns = bench_now_ns ();
  g_idle_add (first, &run);
  g_main_loop_run (run.main_loop);

  g_assert (run.done == n);
  g_main_loop_unref (run.main_loop);

  return run.end_ns - start_ns;
}

gboolean
bench_glib_idle_add (const BenchCase  *bcase,
                     guint64           n,
                     BenchResult      *result,
                     GError          **error)
{
  gint64 batch_ns = idle_run (n, idle_batch_driver_cb);
  gint64 chain_ns = idle_run (n, idle_chain_cb);

  bench_call_soon_finish (result, n, batch_ns, chain_ns);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* call_soon_threadsafe: g_main_context_invoke_full */

typedef struct
{
  GMainContext *context;
  GMainLoop    *main_loop;
  GThread      *producer;
  guint64       n;
  guint64       done;        /* benchmark thread only */
  gint64        start_ns;    /* written by the producer, read after the join */
  gint64        posted_ns;   /* likewise */
  gint64        end_ns;      /* benchmark thread only */
} InvokeRun;

static gboolean
invoke_cb (gpointer data)
{
  InvokeRun *run = data;

  if (++run->done == run->n)
    {
      run->end_ns = bench_now_ns ();
      g_main_loop_quit (run->main_loop);
    }

  return G_SOURCE_REMOVE;
}

static gpointer
invoke_producer (gpointer data)
{
  InvokeRun *run = data;
  /* Copied, as in bench-gaio.c: the loop below never reads the cache
   * line the loop thread writes at every callback. */
  GMainContext *context = run->context;
  guint64 n = run->n;

  run->start_ns = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, invoke_cb, run, NULL);
  run->posted_ns = bench_now_ns ();

  return NULL;
}

static gboolean
invoke_start_cb (gpointer data)
{
  InvokeRun *run = data;

  /* Started from inside g_main_loop_run(), which owns the context from
   * then on: the producer can never acquire it and run invoke_cb() on its
   * own thread, so every call goes through an idle source. */
  run->producer = g_thread_new ("bench-producer", invoke_producer, run);

  return G_SOURCE_REMOVE;
}

gboolean
bench_glib_context_invoke (const BenchCase  *bcase,
                           guint64           n,
                           BenchResult      *result,
                           GError          **error)
{
  InvokeRun run = { 0, };
  GSource *start;

  /* A context of its own: g_main_context_invoke_full() on the global
   * default context would first try to acquire it from the producer. */
  run.context = g_main_context_new ();
  run.main_loop = g_main_loop_new (run.context, FALSE);
  run.n = n;

  start = g_idle_source_new ();
  g_source_set_callback (start, invoke_start_cb, &run, NULL);
  g_source_attach (start, run.context);
  g_source_unref (start);

  g_main_context_push_thread_default (run.context);
  g_main_loop_run (run.main_loop);
  g_main_context_pop_thread_default (run.context);

  g_thread_join (run.producer);
  g_assert (run.done == n);
  g_main_loop_unref (run.main_loop);
  g_main_context_unref (run.context);

  bench_threadsafe_finish (result, n, run.start_ns, run.posted_ns, run.end_ns);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* call_soon_threadsafe: atomic_list, the floor */

typedef struct _Record Record;

/* A handle's size (64 bytes), so that a post moves as many cache lines. */
struct _Record
{
  Record      *next;
  GSourceFunc  func;
  gpointer     data;
  guint8       pad[64 - 3 * sizeof (gpointer)];
};

G_STATIC_ASSERT (sizeof (Record) == 64);

typedef struct
{
  Record  *records;    /* (owned) n of them, one per post */
  Record  *head;       /* (atomic) the newest post first */
  guint64  n;
  gint64   start_ns;   /* written by the producer, read after the join */
  gint64   posted_ns;  /* likewise */
} AtomicListRun;

static gboolean
record_cb (gpointer data)
{
  guint64 *done = data;

  ++*done;
  return G_SOURCE_REMOVE;
}

static gpointer
atomic_list_producer (gpointer data)
{
  AtomicListRun *run = data;
  Record *records = run->records;
  guint64 n = run->n;

  run->start_ns = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    {
      Record *record = &records[i];
      Record *head = g_atomic_pointer_get (&run->head);

      record->func = record_cb;
      do
        record->next = head;
      while (!g_atomic_pointer_compare_and_exchange_full (&run->head, head, record, &head));
    }
  run->posted_ns = bench_now_ns ();

  return NULL;
}

/* Runs the records of @list (newest first) in the order they were
 * posted, each counting itself in @done. */
static void
run_records (Record  *list,
             guint64 *done)
{
  Record *in_order = NULL;

  while (list != NULL)
    {
      Record *next = list->next;

      list->next = in_order;
      in_order = list;
      list = next;
    }
  for (; in_order != NULL; in_order = in_order->next)
    in_order->func (done);
}

gboolean
bench_glib_atomic_list (const BenchCase  *bcase,
                        guint64           n,
                        BenchResult      *result,
                        GError          **error)
{
  AtomicListRun run = { 0, };
  GThread *producer;
  guint64 done = 0;
  gint64 end_ns;

  run.records = g_aligned_alloc0 (n, sizeof (Record), 64);
  run.n = n;

  producer = g_thread_new ("bench-producer", atomic_list_producer, &run);
  while (done < n)
    run_records (g_atomic_pointer_exchange (&run.head, NULL), &done);
  end_ns = bench_now_ns ();
  g_thread_join (producer);
  g_aligned_free (run.records);

  bench_threadsafe_finish (result, n, run.start_ns, run.posted_ns, end_ns);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* timers_N: g_timeout_add_full */

/* The run being measured (see BenchTimers). */
static BenchTimers *timeout_run;
static GMainLoop *timeout_main_loop;

static gboolean
timeout_cb (gpointer deadline)
{
  if (bench_timers_fired (timeout_run, deadline))
    g_main_loop_quit (timeout_main_loop);

  return G_SOURCE_REMOVE;
}

gboolean
bench_glib_timeout_add (const BenchCase  *bcase,
                        guint64           n,
                        BenchResult      *result,
                        GError          **error)
{
  g_autofree gint64 *delays_ns = bench_timer_delays_ns (n);
  BenchTimers timers;

  bench_timers_init (&timers, n);
  timeout_run = &timers;
  timeout_main_loop = g_main_loop_new (NULL, FALSE);

  for (guint64 i = 0; i < n; i++)
    {
      /* GLib counts whole milliseconds from the moment the source is
       * created: round the delay to the nearest one and take the deadline
       * from there, so that the rounding is not counted as lateness. */
      guint interval_ms = (guint) ((delays_ns[i] + 500000) / 1000000);
      gint64 deadline_ns = bench_timers_arm_now_ns (&timers, i) + (gint64) interval_ms * 1000000;

      g_timeout_add_full (G_PRIORITY_DEFAULT, interval_ms, timeout_cb,
                          bench_timers_deadline (&timers, deadline_ns), NULL);
    }
  bench_timers_armed (&timers);

  g_main_loop_run (timeout_main_loop);
  g_clear_pointer (&timeout_main_loop, g_main_loop_unref);
  timeout_run = NULL;

  bench_timers_finish (&timers, result);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* executor_throughput, executor_latency: gtask, gthreadpool_invoke */

typedef struct _PoolRun PoolRun;

struct _PoolRun
{
  GMainContext *context;
  GMainLoop    *main_loop;
  GThreadPool  *pool;          /* (nullable) gthreadpool_invoke only */
  void        (*submit) (PoolRun *run);
  gboolean      latency;
  guint64       n;
  guint64       submitted;
  guint64       done;
  guint64       sum;
  gint64        start_ns;
  gint64        submitted_ns;
  gint64        op_start_ns;   /* latency: when the job in flight was submitted */
  gint64        end_ns;
  double       *samples_us;    /* (nullable) latency: one round trip each */
};

/* One result on the benchmark thread; the next job of a latency run. */
static void
pool_result (PoolRun *run,
             gint64   value)
{
  gint64 now_ns = bench_now_ns ();

  if (run->samples_us != NULL)
    run->samples_us[run->done] = (double) (now_ns - run->op_start_ns) / 1e3;
  run->sum += (guint64) value;

  if (++run->done == run->n)
    {
      run->end_ns = now_ns;
      g_main_loop_quit (run->main_loop);
      return;
    }

  if (run->latency)
    {
      run->op_start_ns = bench_now_ns ();
      run->submit (run);
    }
}

static gboolean
pool_start_cb (gpointer data)
{
  PoolRun *run = data;

  run->start_ns = bench_now_ns ();
  run->op_start_ns = run->start_ns;
  if (run->latency)
    run->submit (run);
  else
    {
      for (guint64 i = 0; i < run->n; i++)
        run->submit (run);
    }
  run->submitted_ns = bench_now_ns ();

  return G_SOURCE_REMOVE;
}

/* gtask: what GIO does for every *_async() call it runs in a thread. The
 * callback runs in the thread-default context of g_task_new()'s caller. */

static void
gtask_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_task_return_int (task, (gssize) bench_executor_work (GPOINTER_TO_SIZE (task_data)));
}

static void
gtask_ready (GObject      *source_object,
             GAsyncResult *result,
             gpointer      data)
{
  pool_result (data, g_task_propagate_int (G_TASK (result), NULL));
}

static void
gtask_submit (PoolRun *run)
{
  GTask *task = g_task_new (NULL, NULL, gtask_ready, run);

  g_task_set_task_data (task, GSIZE_TO_POINTER (run->submitted++), NULL);
  g_task_run_in_thread (task, gtask_thread);
  g_object_unref (task);
}

/* gthreadpool_invoke: a GThreadPool of BENCH_EXECUTOR_WORKERS shared
 * (non-exclusive) threads, each result sent back with
 * g_main_context_invoke_full(): one idle GSource per result. */

typedef struct
{
  PoolRun *run;
  guint64  i;
  gint64   value;
} InvokeJob;

static gboolean
invoke_result_cb (gpointer data)
{
  InvokeJob *job = data;

  pool_result (job->run, job->value);
  g_free (job);

  return G_SOURCE_REMOVE;
}

static void
invoke_pool_func (gpointer data,
                  gpointer user_data)
{
  InvokeJob *job = data;
  PoolRun *run = user_data;

  job->value = bench_executor_work (job->i);
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, invoke_result_cb, job, NULL);
}

static void
invoke_submit (PoolRun *run)
{
  InvokeJob *job = g_new (InvokeJob, 1);

  job->run = run;
  job->i = run->submitted++;
  g_thread_pool_push (run->pool, job, NULL);
}

/* Runs @n jobs in the form of @run on its context, which the benchmark
 * thread runs (so the workers can never acquire it and run a result
 * callback themselves). */
static gboolean
pool_run (PoolRun  *run,
          guint64   n,
          double   *samples_us,
          GError  **error)
{
  GSource *start;

  run->n = n;
  run->samples_us = samples_us;
  run->submitted = 0;
  run->done = 0;
  run->sum = 0;

  start = g_idle_source_new ();
  g_source_set_callback (start, pool_start_cb, run, NULL);
  g_source_attach (start, run->context);
  g_source_unref (start);
  g_main_loop_run (run->main_loop);

  g_assert (run->done == n);
  return bench_executor_check_sum (run->sum, n, error);
}

static gboolean
bench_glib_executor (guint64        n,
                     gboolean       latency,
                     gboolean       thread_pool,
                     BenchResult   *result,
                     GError       **error)
{
  g_autofree double *samples_us = latency ? g_new (double, n) : NULL;
  PoolRun run = { 0, };
  gboolean ok;

  if (thread_pool)
    {
      run.pool = g_thread_pool_new (invoke_pool_func, &run, BENCH_EXECUTOR_WORKERS, FALSE, error);
      if (run.pool == NULL)
        return FALSE;
    }
  run.context = g_main_context_new ();
  run.main_loop = g_main_loop_new (run.context, FALSE);
  run.latency = latency;
  run.submit = thread_pool ? invoke_submit : gtask_submit;

  g_main_context_push_thread_default (run.context);
  /* The warm-up (see bench-common.h). */
  ok = pool_run (&run, latency ? BENCH_EXECUTOR_WARMUP : n, NULL, error);
  if (ok && !latency)
    bench_executor_first_burst (result, n, run.start_ns, run.end_ns);
  ok = ok && pool_run (&run, n, samples_us, error);
  g_main_context_pop_thread_default (run.context);

  if (run.pool != NULL)
    g_thread_pool_free (run.pool, FALSE, TRUE);
  g_main_loop_unref (run.main_loop);
  g_main_context_unref (run.context);

  if (!ok)
    return FALSE;

  if (latency)
    bench_latency_finish (result, samples_us, n, run.end_ns - run.start_ns);
  else
    bench_executor_throughput_finish (result, n, run.start_ns, run.submitted_ns, run.end_ns);
  if (thread_pool)
    bench_result_add_extra_text (result, "workers", G_STRINGIFY (BENCH_EXECUTOR_WORKERS));

  return TRUE;
}

gboolean
bench_glib_gtask_throughput (const BenchCase  *bcase,
                             guint64           n,
                             BenchResult      *result,
                             GError          **error)
{
  return bench_glib_executor (n, FALSE, FALSE, result, error);
}

gboolean
bench_glib_gtask_latency (const BenchCase  *bcase,
                          guint64           n,
                          BenchResult      *result,
                          GError          **error)
{
  return bench_glib_executor (n, TRUE, FALSE, result, error);
}

gboolean
bench_glib_thread_pool_throughput (const BenchCase  *bcase,
                                   guint64           n,
                                   BenchResult      *result,
                                   GError          **error)
{
  return bench_glib_executor (n, FALSE, TRUE, result, error);
}

gboolean
bench_glib_thread_pool_latency (const BenchCase  *bcase,
                                guint64           n,
                                BenchResult      *result,
                                GError          **error)
{
  return bench_glib_executor (n, TRUE, TRUE, result, error);
}
