/* bench-unix.c: the benchmarks of issue 6 (log_lateness,
 * subprocess_roundtrip), standalone until they join gaio-bench
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Prints one line per result, as DESIGN.md's "Benchmarks" asks:
 *
 *   bench=<bench> impl=<impl> n=<N> ops_per_s=<x> [p50_us=<x> p99_us=<x>] [name=value ...]
 *
 * log_lateness: a loop runs a 1 ms measuring timer that does nothing
 * but note how late it fires, while another 1 ms timer logs N records
 * (10 a tick) to a sink that sleeps 1 ms a record. One op is one record
 * logged (ops_per_s: records per second of loop time); p50_us/p99_us are
 * the measuring timer's lateness, late_p99_ms the same p99 in ms, and
 * base_p99_ms the p99 of a run that logs nothing (the loop's own
 * millisecond poll granularity and the machine's noise).
 *   gaio_threaded_writer  gaio_log_writer_threaded() in front of the sink
 *   glib_default_writer   the sink called in the logging thread, as
 *                         g_log_writer_default() writes (synchronously)
 *
 * subprocess_roundtrip: spawn /bin/true and wait for its exit, one after
 * the other. One op is one round trip.
 *   gaio            gaio_loop_subprocess_exec() + gaio_process_wait()
 *   gsubprocess     g_subprocess_newv() + g_subprocess_wait_async()
 *   python_asyncio  asyncio.create_subprocess_exec() + wait(), through
 *                   python3 (skipped with a note when there is none)
 *
 * Usage: bench-unix [log_lateness|subprocess_roundtrip ...]
 * GAIO_BENCH_QUICK=1 divides the counts by 10.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gaio.h>

/* ---- statistics ---- */

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gint64
percentile (GArray *samples,
            double  p)
{
  gsize index;

  if (samples->len == 0)
    return 0;
  qsort (samples->data, samples->len, sizeof (gint64), compare_gint64);
  index = (gsize) (p * (samples->len - 1) + 0.5);
  return g_array_index (samples, gint64, index);
}

static guint
scaled (guint n)
{
  return g_strcmp0 (g_getenv ("GAIO_BENCH_QUICK"), "1") == 0 ? MAX (n / 10, 1) : n;
}

/* ---- log_lateness ---- */

#define RECORDS_PER_TICK 10
#define TICK_US          1000

static int devnull_fd = -1;

/* The slow sink: formats the record as GLib's default writer would, then
 * takes 1 ms to write it (a slow journal, a congested network log). */
static GLogWriterOutput
slow_sink (GLogLevelFlags   log_level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  g_autofree char *line = g_log_writer_format_fields (log_level, fields, n_fields, FALSE);

  g_usleep (1000);
  if (write (devnull_fd, line, strlen (line)) < 0)
    return G_LOG_WRITER_UNHANDLED;

  return G_LOG_WRITER_HANDLED;
}

/* A process has one writer func: this one forwards to the impl's. */
static GLogWriterFunc current_writer = g_log_writer_default;

static GLogWriterOutput
bench_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  return current_writer (log_level, fields, n_fields, user_data);
}

typedef struct
{
  GaioLoop *loop;
  guint     n_ticks;
  guint     ticks;
  guint     n_records;
  guint     logged;
  gint64    due;        /* of the measuring timer */
  GArray   *lateness;   /* gint64 µs */
} LogBench;

/* The measuring timer: asks for 1 ms, notes how late it came. It does no
 * work itself, so its lateness is what the other callbacks (the logging
 * ones) cost the loop. */
static gboolean
measure_tick (gpointer   user_data,
              GError   **error)
{
  LogBench *bench = user_data;
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (bench->lateness, (gint64) { MAX (now - bench->due, 0) });
  bench->due = now + TICK_US;
  gaio_loop_call_later (bench->loop, TICK_US / (gdouble) G_USEC_PER_SEC, measure_tick, bench,
                        NULL, NULL);
  return TRUE;
}

/* The work: every millisecond, log RECORDS_PER_TICK records. */
static gboolean
log_tick (gpointer   user_data,
          GError   **error)
{
  LogBench *bench = user_data;

  for (guint i = 0; i < RECORDS_PER_TICK && bench->logged < bench->n_records; i++, bench->logged++)
    g_log_structured ("Bench", G_LOG_LEVEL_MESSAGE,
                      "MESSAGE", "record %u of the log_lateness benchmark", bench->logged);

  if (++bench->ticks == bench->n_ticks)
    {
      gaio_loop_stop (bench->loop);
      return TRUE;
    }

  gaio_loop_call_later (bench->loop, TICK_US / (gdouble) G_USEC_PER_SEC, log_tick, bench, NULL,
                        NULL);
  return TRUE;
}

/* The timer's own lateness with nothing logged: the loop's millisecond
 * poll granularity, for comparison (extra base_p99_ms). */
static gint64 base_p99_us = -1;

static void
run_log_lateness (const char     *impl,
                  GLogWriterFunc  writer,
                  guint           n_records)
{
  LogBench bench = { 0 };
  gint64 start, elapsed;
  guint64 dropped_before = gaio_log_threaded_writer_get_n_dropped ();
  gint64 p50, p99;

  current_writer = writer;
  bench.loop = gaio_loop_new (NULL);
  bench.n_records = n_records;
  bench.n_ticks = scaled (10000) / RECORDS_PER_TICK;
  bench.lateness = g_array_new (FALSE, FALSE, sizeof (gint64));

  start = g_get_monotonic_time ();
  bench.due = start + TICK_US;
  gaio_loop_call_later (bench.loop, TICK_US / (gdouble) G_USEC_PER_SEC, measure_tick, &bench,
                        NULL, NULL);
  gaio_loop_call_later (bench.loop, TICK_US / (gdouble) G_USEC_PER_SEC, log_tick, &bench, NULL,
                        NULL);
  gaio_loop_run_forever (bench.loop, NULL);
  elapsed = g_get_monotonic_time () - start;

  /* Not timed: the sink catches up. */
  gaio_log_threaded_writer_flush ();

  p50 = percentile (bench.lateness, 0.50);
  p99 = percentile (bench.lateness, 0.99);
  if (n_records == 0)
    base_p99_us = p99;
  else
    printf ("bench=log_lateness impl=%s n=%u ops_per_s=%.0f p50_us=%" G_GINT64_FORMAT
          " p99_us=%" G_GINT64_FORMAT " late_p99_ms=%.3f base_p99_ms=%.3f dropped=%" G_GUINT64_FORMAT "\n",
          impl, bench.n_records, bench.n_records / (elapsed / (double) G_USEC_PER_SEC),
          p50, p99, p99 / 1000.0, base_p99_us / 1000.0,
          gaio_log_threaded_writer_get_n_dropped () - dropped_before);
  fflush (stdout);

  gaio_loop_close (bench.loop, NULL);
  g_object_unref (bench.loop);
  g_array_unref (bench.lateness);
}

static void
bench_log_lateness (void)
{
  devnull_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  g_log_set_writer_func (bench_writer, NULL, NULL);

  gaio_log_threaded_writer_set_sink (slow_sink, NULL, NULL);
  gaio_log_threaded_writer_set_max_queued (scaled (10000) + 16);
  run_log_lateness ("baseline", gaio_log_writer_threaded, 0);
  run_log_lateness ("gaio_threaded_writer", gaio_log_writer_threaded, scaled (10000));
  run_log_lateness ("glib_default_writer", slow_sink, scaled (10000));
}

/* ---- subprocess_roundtrip ---- */

static const char *true_argv[] = { "/bin/true", NULL };

static gboolean
gaio_roundtrip (GaioLoop *loop)
{
  g_autoptr(GaioProcess) process = NULL;
  g_autoptr(GaioFuture) waited = NULL;

  process = gaio_loop_subprocess_exec (loop, true_argv, G_SUBPROCESS_FLAGS_NONE, NULL);
  if (process == NULL)
    return FALSE;
  waited = gaio_process_wait (process);
  return gaio_loop_run_until_complete (loop, waited, NULL, NULL);
}

static void
gsubprocess_waited (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
gsubprocess_roundtrip (GMainContext *context)
{
  g_autoptr(GSubprocess) subprocess = NULL;
  gboolean done = FALSE;

  subprocess = g_subprocess_newv (true_argv, G_SUBPROCESS_FLAGS_NONE, NULL);
  if (subprocess == NULL)
    return FALSE;
  g_subprocess_wait_async (subprocess, NULL, gsubprocess_waited, &done);
  while (!done)
    g_main_context_iteration (context, TRUE);

  return TRUE;
}

static void
print_roundtrip (const char *impl,
                 GArray     *samples,
                 gint64      total_us)
{
  guint n = samples->len;
  gint64 p50 = percentile (samples, 0.50), p99 = percentile (samples, 0.99);

  printf ("bench=subprocess_roundtrip impl=%s n=%u ops_per_s=%.1f p50_us=%" G_GINT64_FORMAT
          " p99_us=%" G_GINT64_FORMAT "\n",
          impl, n, n / (total_us / (double) G_USEC_PER_SEC), p50, p99);
  fflush (stdout);
}

static void
run_python_roundtrip (guint n)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *output = NULL;
  const char *script = g_getenv ("GAIO_BENCH_UNIX_PY");
  int status;

  if (script == NULL)
    script = BENCH_UNIX_PY;
  if (python == NULL)
    {
      printf ("# bench=subprocess_roundtrip impl=python_asyncio skipped: no python3 on PATH\n");
      return;
    }

  {
    const char *argv[] = { python, script, count, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL,
                       &status, NULL) ||
        !g_spawn_check_wait_status (status, NULL))
      {
        printf ("# bench=subprocess_roundtrip impl=python_asyncio failed\n");
        return;
      }
  }
  printf ("%s", output);
  fflush (stdout);
}

static void
bench_subprocess_roundtrip (void)
{
  guint n = scaled (1000), rounds = 5;
  GaioLoop *loop = gaio_loop_new (NULL);
  GMainContext *context = gaio_loop_get_context (loop);
  g_autoptr(GArray) gaio_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) glib_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 gaio_total = 0, glib_total = 0;

  /* Warm up both (page cache, GLib's worker thread, SIGCHLD handler). */
  for (guint i = 0; i < 10; i++)
    {
      gaio_roundtrip (loop);
      gsubprocess_roundtrip (context);
    }

  /* Alternate in rounds, so that the machine's mood is shared. */
  for (guint round = 0; round < rounds; round++)
    for (guint pass = 0; pass < 2; pass++)
      {
        gboolean is_gaio = (pass + round) % 2 == 0;
        GArray *samples = is_gaio ? gaio_samples : glib_samples;
        gint64 round_start = g_get_monotonic_time ();

        for (guint i = 0; i < n / rounds; i++)
          {
            gint64 start = g_get_monotonic_time ();
            gboolean ok = is_gaio ? gaio_roundtrip (loop) : gsubprocess_roundtrip (context);

            g_assert (ok);
            g_array_append_val (samples, (gint64) { g_get_monotonic_time () - start });
          }
        *(is_gaio ? &gaio_total : &glib_total) += g_get_monotonic_time () - round_start;
      }

  print_roundtrip ("gaio", gaio_samples, gaio_total);
  print_roundtrip ("gsubprocess", glib_samples, glib_total);

  gaio_loop_close (loop, NULL);
  g_object_unref (loop);

  run_python_roundtrip (n);
}

int
main (int    argc,
      char **argv)
{
  gboolean all = argc < 2;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "log_lateness") != 0 && strcmp (argv[i], "subprocess_roundtrip") != 0)
      {
        fprintf (stderr, "unknown benchmark %s\n", argv[i]);
        return EXIT_FAILURE;
      }

  for (int i = all ? 0 : 1; i < (all ? 1 : argc); i++)
    {
      if (all || strcmp (argv[i], "subprocess_roundtrip") == 0)
        bench_subprocess_roundtrip ();
      if (all || strcmp (argv[i], "log_lateness") == 0)
        bench_log_lateness ();
    }

  return EXIT_SUCCESS;
}
