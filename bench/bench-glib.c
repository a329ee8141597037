/* bench-glib.c: the plain-GLib peers a user would pick instead of libgaio
 *
 * Each peer does with GLib's own calls what the gaio benchmark of the same
 * name does with a GaioLoop, as a GLib developer would write it:
 *
 * - call_soon: g_idle_add(), one GSource per callback, on the global default
 *   context run by g_main_loop_run().
 * - call_soon_threadsafe: g_main_context_invoke_full() from another thread
 *   onto a context that the benchmark thread runs.
 * - timers_N: g_timeout_add_full(), whose intervals are whole milliseconds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

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

  run->start_ns = bench_now_ns ();
  for (guint64 i = 0; i < run->n; i++)
    g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, invoke_cb, run, NULL);
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
      gint64 deadline_ns = bench_now_ns () + (gint64) interval_ms * 1000000;

      g_timeout_add_full (G_PRIORITY_DEFAULT, interval_ms, timeout_cb,
                          bench_timers_deadline (&timers, deadline_ns), NULL);
    }

  g_main_loop_run (timeout_main_loop);
  g_clear_pointer (&timeout_main_loop, g_main_loop_unref);
  timeout_run = NULL;

  bench_timers_finish (&timers, result);
  return TRUE;
}
