/* bench-unix.c: the benchmarks of issue 6, log_lateness and
 * subprocess_roundtrip
 *
 * log_lateness: a loop runs a 1 ms measuring timer that does nothing but
 * note how late it fires, while another 1 ms timer logs n records (10 a
 * tick) to a sink that sleeps 1 ms a record. One op is one record logged
 * (ops_per_s: records per second of loop time); p50_us/p99_us are the
 * measuring timer's lateness, late_p99_ms the same p99 in ms, and
 * base_p99_ms the p99 of a run just before, as long, that logs nothing
 * (the loop's own millisecond poll granularity and the machine's noise).
 *   gaio_threaded_writer  gaio_log_writer_threaded() in front of the sink
 *   glib_default_writer   the sink called in the logging thread, as
 *                         g_log_writer_default() writes (synchronously)
 *
 * subprocess_roundtrip: spawn /bin/true and wait for its exit, one after
 * the other. One op is one round trip; p50_us/p99_us are those of one.
 *   gaio            gaio_loop_subprocess_exec() + gaio_process_wait()
 *   gsubprocess     g_subprocess_newv() + g_subprocess_wait_async()
 *   python_asyncio  asyncio.create_subprocess_exec() + wait(), in
 *                   python/peers.py
 *   posix_spawn     posix_spawn() + waitpid(), no loop, no pipe, no
 *                   descriptor closing: what the machine allows, the
 *                   ceiling for every impl above (on the virtual machines
 *                   the benchmarks run on, exec() itself dominates)
 *
 * reader_latency: another thread writes its clock (8 bytes) to a pipe
 * whose read end is a reader of the loop, waits for the reader's one-byte
 * answer on a second pipe, and writes again. One op is one such write;
 * p50_us/p99_us are the time from the write() to the moment the reader's
 * callback runs on the loop, while the loop is busy: a callback that
 * schedules itself again with call_soon() keeps it iterating, so what is
 * measured is how soon the loop looks at its descriptors between
 * iterations (issue 17: asyncio polls at every iteration). idle_p50_us
 * and idle_p99_us are the same without that callback, the loop asleep
 * in poll() at each write: there the thread's wake-up by the kernel
 * dominates (a bare poll(2) loop measures about 4.6 us at the median on
 * the loaded 2-core machine this was written on).
 *   gaio            gaio_loop_add_reader()
 *   python_asyncio  loop.add_reader(), in python/peers.py
 *
 * Every run gets a GMainContext of its own, pushed as the thread default,
 * as in bench-gaio.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gaio.h>
#include <glib-unix.h>

#include "bench-unix.h"

typedef struct
{
  GMainContext *context;
  GaioLoop     *loop;
} UnixLoop;

static void
unix_loop_setup (UnixLoop *setup)
{
  setup->context = g_main_context_new ();
  g_main_context_push_thread_default (setup->context);
  setup->loop = gaio_loop_new (setup->context);
}

static gboolean
unix_loop_teardown (UnixLoop  *setup,
                    GError   **error)
{
  gboolean ok = gaio_loop_close (setup->loop, error);

  g_clear_object (&setup->loop);
  g_main_context_pop_thread_default (setup->context);
  g_clear_pointer (&setup->context, g_main_context_unref);

  return ok;
}

/* ------------------------------------------------------------------------ */
/* log_lateness */

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

/* A process sets its writer func once: this one forwards to the impl's. */
static GLogWriterFunc current_writer = g_log_writer_default;

static GLogWriterOutput
bench_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  return current_writer (log_level, fields, n_fields, user_data);
}

static gboolean
log_setup (GError **error)
{
  static gsize done = 0;
  static int saved_errno = 0;

  if (g_once_init_enter (&done))
    {
      devnull_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
      if (devnull_fd < 0)
        saved_errno = errno;
      else
        {
          g_log_set_writer_func (bench_writer, NULL, NULL);
          gaio_log_threaded_writer_set_sink (slow_sink, NULL, NULL);
        }
      g_once_init_leave (&done, 1);
    }

  if (devnull_fd < 0)
    {
      g_set_error (error, BENCH_ERROR, BENCH_ERROR_FAILED,
                   "cannot open /dev/null: %s", g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  GaioLoop *loop;
  guint64   n_ticks;
  guint64   ticks;
  guint64   n_records;
  guint64   logged;
  gint64    due;        /* of the measuring timer, g_get_monotonic_time() */
  GArray   *late_us;    /* (owned) (element-type double) one per firing */
} LogRun;

/* The measuring timer: asks for 1 ms, notes how late it came. It does no
 * work itself, so its lateness is what the other callbacks (the logging
 * ones) cost the loop. */
static gboolean
measure_tick (gpointer   user_data,
              GError   **error)
{
  LogRun *run = user_data;
  gint64 now = g_get_monotonic_time ();
  double late_us = (double) MAX (now - run->due, 0);

  g_array_append_val (run->late_us, late_us);
  run->due = now + TICK_US;

  return gaio_loop_call_later (run->loop, TICK_US / (double) G_USEC_PER_SEC, measure_tick, run,
                               NULL, error) != NULL;
}

/* The work: every millisecond, log RECORDS_PER_TICK records. */
static gboolean
log_tick (gpointer   user_data,
          GError   **error)
{
  LogRun *run = user_data;

  for (guint i = 0; i < RECORDS_PER_TICK && run->logged < run->n_records; i++, run->logged++)
    g_log_structured ("Bench", G_LOG_LEVEL_MESSAGE,
                      "MESSAGE", "record %" G_GUINT64_FORMAT " of the log_lateness benchmark",
                      run->logged);

  if (++run->ticks == run->n_ticks)
    {
      gaio_loop_stop (run->loop);
      return TRUE;
    }

  return gaio_loop_call_later (run->loop, TICK_US / (double) G_USEC_PER_SEC, log_tick, run,
                               NULL, error) != NULL;
}

/* @n_ticks ticks logging @n_records records through @writer: the
 * lateness of each firing of the measuring timer, sorted, in @run, and
 * the loop time. */
static gboolean
log_run (GLogWriterFunc   writer,
         guint64          n_ticks,
         guint64          n_records,
         LogRun          *run,
         gint64          *elapsed_us,
         GError         **error)
{
  UnixLoop setup;
  gint64 start;
  gboolean ok;

  current_writer = writer;
  unix_loop_setup (&setup);
  *run = (LogRun) { 0, };
  run->loop = setup.loop;
  run->n_ticks = n_ticks;
  run->n_records = n_records;
  run->late_us = g_array_sized_new (FALSE, FALSE, sizeof (double), n_ticks + 16);

  start = g_get_monotonic_time ();
  run->due = start + TICK_US;
  ok = gaio_loop_call_later (setup.loop, TICK_US / (double) G_USEC_PER_SEC, measure_tick, run,
                             NULL, error) != NULL &&
       gaio_loop_call_later (setup.loop, TICK_US / (double) G_USEC_PER_SEC, log_tick, run,
                             NULL, error) != NULL &&
       gaio_loop_run_forever (setup.loop, error);
  *elapsed_us = g_get_monotonic_time () - start;

  /* Not timed: the sink catches up. */
  gaio_log_threaded_writer_flush ();
  current_writer = g_log_writer_default;

  ok = unix_loop_teardown (&setup, ok ? error : NULL) && ok;
  if (ok && run->late_us->len == 0)
    {
      g_set_error_literal (error, BENCH_ERROR, BENCH_ERROR_FAILED,
                           "the measuring timer never fired");
      ok = FALSE;
    }
  if (!ok)
    {
      g_clear_pointer (&run->late_us, g_array_unref);
      return FALSE;
    }

  bench_sort_doubles (&g_array_index (run->late_us, double, 0), run->late_us->len);
  return TRUE;
}

gboolean
bench_unix_log_lateness (const BenchCase  *bcase,
                         guint64           n,
                         BenchResult      *result,
                         GError          **error)
{
  GLogWriterFunc writer;
  guint64 n_ticks = MAX (n / RECORDS_PER_TICK, 1);
  guint64 dropped_before;
  LogRun base, run;
  gint64 base_us, elapsed_us;
  double base_p99_us, p99_us;
  const double *late_us;
  guint n_late;

  if (g_str_equal (bcase->impl, "gaio_threaded_writer"))
    writer = gaio_log_writer_threaded;
  else if (g_str_equal (bcase->impl, "glib_default_writer"))
    writer = slow_sink;
  else
    g_assert_not_reached ();

  if (!log_setup (error))
    return FALSE;
  /* Room for every record: a record dropped would be a record not
   * written, which would flatter the threaded writer. */
  gaio_log_threaded_writer_set_max_queued (n + 16);

  /* The same loop, as long, with nothing logged: what lateness the
   * machine gives anyway, measured next to the run it is compared with. */
  if (!log_run (writer, n_ticks, 0, &base, &base_us, error))
    return FALSE;
  base_p99_us = bench_percentile_sorted (&g_array_index (base.late_us, double, 0),
                                         base.late_us->len, 99.0);
  g_array_unref (base.late_us);

  dropped_before = gaio_log_threaded_writer_get_n_dropped ();
  if (!log_run (writer, n_ticks, n, &run, &elapsed_us, error))
    return FALSE;

  late_us = &g_array_index (run.late_us, double, 0);
  n_late = run.late_us->len;
  p99_us = bench_percentile_sorted (late_us, n_late, 99.0);
  result->ops_per_s = (double) run.logged / ((double) MAX (elapsed_us, 1) / 1e6);
  result->has_latency = TRUE;
  result->p50_us = bench_percentile_sorted (late_us, n_late, 50.0);
  result->p99_us = p99_us;
  bench_result_add_extra (result, "late_p99_ms", p99_us / 1e3);
  bench_result_add_extra (result, "base_p99_ms", base_p99_us / 1e3);
  bench_result_add_extra (result, "dropped",
                          (double) (gaio_log_threaded_writer_get_n_dropped () - dropped_before));
  g_array_unref (run.late_us);

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* subprocess_roundtrip */

#define ROUNDTRIP_WARMUP 10

static const char * const true_argv[] = { "/bin/true", NULL };

typedef gboolean (*RoundtripFunc) (UnixLoop  *setup,
                                   GError   **error);

static gboolean
gaio_roundtrip (UnixLoop  *setup,
                GError   **error)
{
  g_autoptr(GaioProcess) process = NULL;
  g_autoptr(GaioFuture) waited = NULL;

  process = gaio_loop_subprocess_exec (setup->loop, true_argv, G_SUBPROCESS_FLAGS_NONE, error);
  if (process == NULL)
    return FALSE;
  waited = gaio_process_wait (process);

  return gaio_loop_run_until_complete (setup->loop, waited, NULL, error);
}

typedef struct
{
  gboolean  done;
  GError   *error;   /* (owned) (nullable) */
} GSubprocessWait;

static void
gsubprocess_waited (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GSubprocessWait *wait = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &wait->error);
  wait->done = TRUE;
}

/* As a GLib program would: the callback runs in the thread-default
 * context, which nothing but this iterates. */
static gboolean
gsubprocess_roundtrip (UnixLoop  *setup,
                       GError   **error)
{
  g_autoptr(GSubprocess) subprocess = NULL;
  GSubprocessWait wait = { FALSE, NULL };

  subprocess = g_subprocess_newv (true_argv, G_SUBPROCESS_FLAGS_NONE, error);
  if (subprocess == NULL)
    return FALSE;
  g_subprocess_wait_async (subprocess, NULL, gsubprocess_waited, &wait);
  while (!wait.done)
    g_main_context_iteration (setup->context, TRUE);

  if (wait.error != NULL)
    {
      g_propagate_error (error, wait.error);
      return FALSE;
    }

  return TRUE;
}

extern char **environ;

/* The floor: the kernel's part of a round trip, from this thread. */
static gboolean
posix_spawn_roundtrip (UnixLoop  *setup,
                       GError   **error)
{
  pid_t pid;
  int status;
  int errsv;

  errsv = posix_spawn (&pid, true_argv[0], NULL, NULL, (char * const *) true_argv, environ);
  if (errsv != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "posix_spawn: %s", g_strerror (errsv));
      return FALSE;
    }
  while (waitpid (pid, &status, 0) < 0)
    {
      if (errno != EINTR)
        {
          errsv = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "waitpid: %s", g_strerror (errsv));
          return FALSE;
        }
    }

  return g_spawn_check_wait_status (status, error);
}

/* Warms up (page cache, GLib's worker thread, the SIGCHLD handler), then
 * times @n round trips. The gsubprocess impl runs the same UnixLoop, so
 * that both pay for the same context; it only ignores the GaioLoop. */
static gboolean
roundtrip_run (RoundtripFunc   roundtrip,
               guint64         n,
               BenchResult    *result,
               GError        **error)
{
  g_autofree double *samples_us = g_new (double, n);
  UnixLoop setup;
  gint64 start_ns = 0;
  gboolean ok = TRUE;

  unix_loop_setup (&setup);

  for (guint i = 0; ok && i < ROUNDTRIP_WARMUP; i++)
    ok = roundtrip (&setup, error);

  if (ok)
    start_ns = bench_now_ns ();
  for (guint64 i = 0; ok && i < n; i++)
    {
      gint64 op_start_ns = bench_now_ns ();

      ok = roundtrip (&setup, error);
      samples_us[i] = (double) (bench_now_ns () - op_start_ns) / 1e3;
    }
  if (ok)
    bench_latency_finish (result, samples_us, n, bench_now_ns () - start_ns);

  return unix_loop_teardown (&setup, ok ? error : NULL) && ok;
}

gboolean
bench_unix_subprocess_gaio (const BenchCase  *bcase,
                            guint64           n,
                            BenchResult      *result,
                            GError          **error)
{
  return roundtrip_run (gaio_roundtrip, n, result, error);
}

gboolean
bench_unix_subprocess_gsubprocess (const BenchCase  *bcase,
                                   guint64           n,
                                   BenchResult      *result,
                                   GError          **error)
{
  return roundtrip_run (gsubprocess_roundtrip, n, result, error);
}

gboolean
bench_unix_subprocess_posix_spawn (const BenchCase  *bcase,
                                   guint64           n,
                                   BenchResult      *result,
                                   GError          **error)
{
  return roundtrip_run (posix_spawn_roundtrip, n, result, error);
}

/* ------------------------------------------------------------------------ */
/* reader_latency */

#define READER_WARMUP 1000

typedef struct
{
  GaioLoop *loop;
  int       data_fds[2];   /* the writer thread's clock -> the loop's reader */
  int       ack_fds[2];    /* the reader's answer -> the writer thread */
  guint64   n;             /* samples to take, after the warm-up */
  guint64   seen;          /* writes read, warm-up included */
  double   *samples_us;    /* (owned) */
  gboolean  busy;          /* the ticker keeps the loop iterating */
  gboolean  failed;
} ReaderLatency;

static gpointer
reader_latency_writer (gpointer data)
{
  ReaderLatency *bench = data;
  guint64 total = bench->n + READER_WARMUP;

  for (guint64 i = 0; i < total; i++)
    {
      gint64 now_ns = bench_now_ns ();
      char ack;

      if (write (bench->data_fds[1], &now_ns, sizeof now_ns) != sizeof now_ns ||
          read (bench->ack_fds[0], &ack, 1) != 1)
        break;
    }

  return NULL;
}

static gboolean
reader_latency_tick (gpointer   user_data,
                     GError   **error)
{
  ReaderLatency *bench = user_data;

  if (bench->busy)
    gaio_loop_call_soon (bench->loop, reader_latency_tick, bench, NULL, NULL);

  return TRUE;
}

static void
reader_latency_done (ReaderLatency *bench,
                     gboolean       failed)
{
  bench->failed = failed;
  bench->busy = FALSE;
  gaio_loop_stop (bench->loop);
}

static gboolean
reader_latency_cb (gpointer   user_data,
                   GError   **error)
{
  ReaderLatency *bench = user_data;
  gint64 now_ns = bench_now_ns ();
  gint64 sent_ns;
  char ack = 'a';

  if (read (bench->data_fds[0], &sent_ns, sizeof sent_ns) != sizeof sent_ns)
    {
      reader_latency_done (bench, TRUE);
      return TRUE;
    }

  if (bench->seen >= READER_WARMUP)
    bench->samples_us[bench->seen - READER_WARMUP] = (double) (now_ns - sent_ns) / 1e3;
  bench->seen++;

  if (bench->seen == bench->n + READER_WARMUP)
    reader_latency_done (bench, FALSE);
  if (write (bench->ack_fds[1], &ack, 1) != 1)
    reader_latency_done (bench, TRUE);

  return TRUE;
}

/* One phase: @n timed writes, the loop busy or idle. */
static gboolean
reader_latency_phase (gboolean   busy,
                      guint64    n,
                      double    *samples_us,
                      gint64    *elapsed_ns,
                      GError   **error)
{
  ReaderLatency bench = { 0 };
  UnixLoop setup;
  GThread *writer;
  gint64 start_ns;
  gboolean ok;

  if (!g_unix_open_pipe (bench.data_fds, FD_CLOEXEC, error))
    return FALSE;
  if (!g_unix_open_pipe (bench.ack_fds, FD_CLOEXEC, error))
    {
      close (bench.data_fds[0]);
      close (bench.data_fds[1]);
      return FALSE;
    }
  bench.n = n;
  bench.samples_us = samples_us;
  bench.busy = busy;

  unix_loop_setup (&setup);
  bench.loop = setup.loop;
  ok = gaio_loop_add_reader (setup.loop, bench.data_fds[0], reader_latency_cb, &bench, NULL,
                             error);
  if (ok && busy)
    gaio_loop_call_soon (setup.loop, reader_latency_tick, &bench, NULL, NULL);

  start_ns = bench_now_ns ();
  if (ok)
    {
      writer = g_thread_new ("reader-latency", reader_latency_writer, &bench);
      ok = gaio_loop_run_forever (setup.loop, error);
      gaio_loop_remove_reader (setup.loop, bench.data_fds[0]);
      /* A writer stopped early by a failure waits for an answer. */
      close (bench.ack_fds[1]);
      g_thread_join (writer);
    }
  else
    close (bench.ack_fds[1]);
  *elapsed_ns = bench_now_ns () - start_ns;

  if (ok && bench.failed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "reader_latency: short pipe I/O");
      ok = FALSE;
    }

  close (bench.data_fds[0]);
  close (bench.data_fds[1]);
  close (bench.ack_fds[0]);

  return unix_loop_teardown (&setup, ok ? error : NULL) && ok;
}

gboolean
bench_unix_reader_latency (const BenchCase  *bcase,
                           guint64           n,
                           BenchResult      *result,
                           GError          **error)
{
  g_autofree double *idle_us = g_new (double, n);
  g_autofree double *busy_us = g_new (double, n);
  gint64 idle_ns, busy_ns;

  if (!reader_latency_phase (FALSE, n, idle_us, &idle_ns, error) ||
      !reader_latency_phase (TRUE, n, busy_us, &busy_ns, error))
    return FALSE;

  bench_latency_finish (result, busy_us, n, busy_ns);
  bench_sort_doubles (idle_us, n);
  bench_result_add_extra (result, "idle_p50_us", bench_percentile_sorted (idle_us, n, 50.0));
  bench_result_add_extra (result, "idle_p99_us", bench_percentile_sorted (idle_us, n, 99.0));

  return TRUE;
}
