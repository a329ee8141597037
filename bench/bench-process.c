/* bench-process.c: the process pool against Python's ProcessPoolExecutor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Standalone (its own worker, through the worker guard), printing the
 * lines of DESIGN.md's "Benchmarks":
 *
 *   cpu_bound_speedup   the seed's cpu_bound() x4 through a 2-worker pool,
 *                       vs serially in this process, the fastest of
 *                       alternating rounds (extra: speedup)
 *   process_throughput  20 000 trivial jobs submitted at once, gathered
 *   process_latency     2 000 sequential round trips (p50, p99), in
 *                       rounds alternating with the Python peer's
 *   process_start       a new pool to its first result (extra: start_ms), and
 *                       the exec_floor line: this executable spawned, doing
 *                       nothing, and waited for (the ceiling)
 *
 * then runs bench/python/process_pool.py for the python_processpool
 * lines when python3 is in PATH. --quick divides the counts by 10,
 * --only=BENCH runs one benchmark, --no-python skips the peer.
 */

#include <gaio.h>

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define CPU_BOUND_N 10000000u

gboolean bench_cpu_bound (GaioJob *job, gpointer user_data, GError **error);
gboolean bench_trivial   (GaioJob *job, gpointer user_data, GError **error);

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Not inlined: the serial run, the two threads and the workers must run
 * one copy of the loop. Inlined into each caller, the copies differed by
 * up to a third in speed with nothing but their placement changed. */
G_GNUC_NO_INLINE static char *
cpu_bound (guint32 limit)
{
  unsigned __int128 sum = 0;
  char digits[48];
  gsize n = sizeof digits - 1;

  for (guint64 i = 0; i < limit; i++)
    sum += (unsigned __int128) (i * i);

  digits[n] = '\0';
  do
    {
      digits[--n] = '0' + (char) (sum % 10);
      sum /= 10;
    }
  while (sum != 0);

  return g_strdup (digits + n);
}

/* The serial run and the workers run this same code, the limit read at
 * run time from the job's arguments: with the constant in sight the
 * compiler may build a different loop, and the comparison would be of
 * two programs. Takes @args (floating or not). */
static char *
cpu_bound_from_args (GVariant *args)
{
  g_autoptr(GVariant) owned = g_variant_take_ref (args);
  guint32 limit;

  g_variant_get (owned, "(u)", &limit);
  return cpu_bound (limit);
}

gboolean
bench_cpu_bound (GaioJob *job, gpointer user_data, GError **error)
{
  g_autofree char *sum = cpu_bound_from_args (g_variant_ref (gaio_job_get_args (job)));

  gaio_job_set_result_string (job, sum);
  return TRUE;
}

gboolean
bench_trivial (GaioJob *job, gpointer user_data, GError **error)
{
  gint32 x;

  g_variant_get (gaio_job_get_args (job), "(i)", &x);
  gaio_job_set_result_int64 (job, x + 1);
  return TRUE;
}

typedef struct
{
  GaioLoop *loop;
  guint     left;
} Gather;

static void
gather_one (GaioFuture *future,
            gpointer    user_data)
{
  Gather *gather = user_data;

  if (--gather->left == 0)
    gaio_loop_stop (gather->loop);
}

/* Submits @n jobs at once and runs the loop until all are done. */
static void
gather (GaioLoop                *loop,
        GaioProcessPoolExecutor *pool,
        GaioJobFunc              func,
        guint                    n,
        GVariant               *(*make_args) (guint i))
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  Gather state = { loop, n };

  for (guint i = 0; i < n; i++)
    {
      GaioFuture *future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), func,
                                                      make_args (i), NULL, NULL);

      gaio_future_add_done_callback (future, gather_one, &state, NULL);
      g_ptr_array_add (futures, future);
    }
  gaio_loop_run_forever (loop, NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      gaio_future_get_result (g_ptr_array_index (futures, i), NULL, &error);
      if (error != NULL)
        g_error ("job failed: %s", error->message);
    }
}

static GVariant *
trivial_args (guint i)
{
  return g_variant_new ("(i)", (gint32) i);
}

static GVariant *
cpu_args (guint i)
{
  return g_variant_new ("(u)", CPU_BOUND_N);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (double *sorted,
            guint   n,
            double  p)
{
  guint rank = (guint) (p / 100.0 * n + 0.999999);

  return sorted[CLAMP (rank, 1, n) - 1];
}

/* One job of the seed's cpu_bound() takes about 10 ms here: a single
 * measurement of 40 ms is at the mercy of whatever else the machine's
 * cores run, so the runs alternate for several rounds and each reports
 * its fastest, as Python's timeit does (interference only ever adds
 * time). Besides the pool, the same four jobs run on two plain threads
 * of this process: that speedup ("ceiling") is what the machine gives
 * two CPU-bound flows at all, whatever the pool does (a virtual
 * machine's two cores may share one physical core). */
#define SPEEDUP_ROUNDS 7

static gpointer
run_two_cpu_bound (gpointer data)
{
  for (guint i = 0; i < 2; i++)
    g_free (cpu_bound_from_args (cpu_args (i)));

  return NULL;
}

static double
time_serial_ms (void)
{
  gint64 start = now_ns ();

  for (guint i = 0; i < 4; i++)
    g_free (cpu_bound_from_args (cpu_args (i)));

  return (now_ns () - start) / 1e6;
}

static double
time_threads_ms (void)
{
  gint64 start = now_ns ();
  GThread *other = g_thread_new ("cpu-bound", run_two_cpu_bound, NULL);

  run_two_cpu_bound (NULL);
  g_thread_join (other);

  return (now_ns () - start) / 1e6;
}

static double
time_pool_ms (GaioLoop                *loop,
              GaioProcessPoolExecutor *pool)
{
  gint64 start = now_ns ();

  gather (loop, pool, bench_cpu_bound, 4, cpu_args);

  return (now_ns () - start) / 1e6;
}

static double
fastest (double *samples,
         guint   n)
{
  double best = samples[0];

  for (guint i = 1; i < n; i++)
    best = MIN (best, samples[i]);

  return best;
}

static void
bench_cpu_bound_speedup (GaioLoop *loop)
{
  g_autoptr(GaioProcessPoolExecutor) pool = gaio_process_pool_executor_new (2);
  double serial_ms[SPEEDUP_ROUNDS], threads_ms[SPEEDUP_ROUNDS], pool_ms[SPEEDUP_ROUNDS];
  double serial, threads, parallel;

  /* Workers started first: the speedup is of the work, not the spawn. */
  gather (loop, pool, bench_trivial, 2, trivial_args);
  for (guint round = 0; round < SPEEDUP_ROUNDS; round++)
    {
      serial_ms[round] = time_serial_ms ();
      threads_ms[round] = time_threads_ms ();
      pool_ms[round] = time_pool_ms (loop, pool);
    }
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);

  serial = fastest (serial_ms, SPEEDUP_ROUNDS);
  threads = fastest (threads_ms, SPEEDUP_ROUNDS);
  parallel = fastest (pool_ms, SPEEDUP_ROUNDS);
  printf ("bench=cpu_bound_speedup impl=gaio n=4 ops_per_s=%.3f extra=speedup=%.2f "
          "serial_ms=%.1f pool_ms=%.1f ceiling=%.2f threads_ms=%.1f rounds=%u\n",
          4 / (parallel / 1e3), serial / parallel, serial, parallel, serial / threads, threads,
          SPEEDUP_ROUNDS);
}

static void
bench_throughput (GaioLoop *loop,
                  guint     n)
{
  g_autoptr(GaioProcessPoolExecutor) pool = gaio_process_pool_executor_new (0);
  gint64 start, elapsed;

  gather (loop, pool, bench_trivial, 200, trivial_args);
  start = now_ns ();
  gather (loop, pool, bench_trivial, n, trivial_args);
  elapsed = now_ns () - start;
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);

  printf ("bench=process_throughput impl=gaio n=%u ops_per_s=%.0f extra=us_per_job=%.2f\n",
          n, n / (elapsed / 1e9), elapsed / 1e3 / n);
}

/* process_latency alternates with its Python peer, LATENCY_ROUNDS times:
 * on a shared machine the cost of a thread wake-up, which these round
 * trips are made of, drifts by several times within a minute, so two
 * runs minutes apart compare the machine's moods, not the pools. */
#define LATENCY_ROUNDS 5

/* Runs @n gaio round trips on @pool into @samples; returns their total
 * time in ns. */
static gint64
latency_round (GaioLoop                *loop,
               GaioProcessPoolExecutor *pool,
               double                  *samples,
               guint                    n)
{
  gint64 total = 0;

  for (guint i = 0; i < n; i++)
    {
      gint64 start = now_ns ();
      g_autoptr(GaioFuture) future =
        gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), bench_trivial,
                                   g_variant_new ("(i)", (gint32) i), NULL, NULL);

      gaio_loop_run_until_complete (loop, future, NULL, NULL);
      samples[i] = (now_ns () - start) / 1e3;
      total += now_ns () - start;
    }

  return total;
}

/* Runs @n Python round trips (the peer's --latency-samples mode, its own
 * pool warmed up first) into @samples; returns their total time in ns, or
 * -1 when Python is missing or failed. */
static gint64
python_latency_round (double *samples,
                      guint   n)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *count = g_strdup_printf ("%u", n);
  const char *argv[] = { python, BENCH_PROCESS_PY, "--latency-samples", count, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) fields = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;
  gint64 total = 0;
  int status;

  if (python == NULL)
    return -1;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      printf ("# python_processpool failed: %s\n", error->message);
      return -1;
    }

  line = strstr (out, "latency_samples_us=");
  if (line == NULL)
    return -1;
  fields = g_strsplit (line + strlen ("latency_samples_us="), ",", -1);
  if (g_strv_length (fields) != n)
    return -1;
  for (guint i = 0; i < n; i++)
    {
      samples[i] = g_ascii_strtod (fields[i], NULL);
      total += (gint64) (samples[i] * 1e3);
    }

  return total;
}

/* @samples: sorted. */
static void
print_latency (const char *impl,
               double     *samples,
               guint       n,
               gint64      total,
               const char *extra)
{
  printf ("bench=process_latency impl=%s n=%u ops_per_s=%.0f p50_us=%.1f p99_us=%.1f%s\n",
          impl, n, n / (total / 1e9), percentile (samples, n, 50), percentile (samples, n, 99),
          extra);
}

static void
bench_latency (GaioLoop *loop,
               guint     n,
               gboolean  with_python)
{
  g_autoptr(GaioProcessPoolExecutor) pool = gaio_process_pool_executor_new (0);
  guint rounds = with_python ? LATENCY_ROUNDS : 1;
  guint per_round = n / rounds;
  g_autofree double *samples = g_new (double, n);
  g_autofree double *python_samples = g_new (double, n);
  g_autofree char *extra = NULL;
  gint64 total = 0, python_total = 0;

  n = per_round * rounds;
  gather (loop, pool, bench_trivial, 10, trivial_args);
  for (guint round = 0; round < rounds; round++)
    {
      total += latency_round (loop, pool, samples + round * per_round, per_round);
      if (with_python && python_total >= 0)
        {
          gint64 spent = python_latency_round (python_samples + round * per_round, per_round);

          python_total = spent < 0 ? -1 : python_total + spent;
        }
    }
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);

  qsort (samples, n, sizeof (double), compare_doubles);
  if (!with_python || python_total < 0)
    {
      print_latency ("gaio", samples, n, total, "");
      return;
    }

  qsort (python_samples, n, sizeof (double), compare_doubles);
  extra = g_strdup_printf (" extra=rounds=%u p50_vs_python_processpool=%.2f "
                           "p99_vs_python_processpool=%.2f", rounds,
                           percentile (samples, n, 50) / percentile (python_samples, n, 50),
                           percentile (samples, n, 99) / percentile (python_samples, n, 99));
  print_latency ("gaio", samples, n, total, extra);
  print_latency ("python_processpool", python_samples, n, python_total,
                 " extra=alternating_with=gaio");
}

/* The floor of process_start: this executable spawned and waited for,
 * doing nothing (main() returns before the worker guard). A pool cannot
 * start a worker faster than the kernel runs its executable: on the
 * virtual machines the benchmarks run on, exec() and the dynamic linking
 * of GLib and GIO take most of a worker's start. Returns the median in
 * ms, or a negative value if spawning failed. */
static double
exec_floor_ms (guint n)
{
  g_autofree double *samples = g_new (double, n);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  char *argv[] = { self, (char *) "--exit-at-once", NULL };

  if (self == NULL)
    return -1;

  for (guint i = 0; i < n; i++)
    {
      gint64 start = now_ns ();
      pid_t pid;
      int status;

      if (posix_spawn (&pid, self, NULL, NULL, argv, environ) != 0)
        return -1;
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      samples[i] = (now_ns () - start) / 1e6;
    }

  qsort (samples, n, sizeof (double), compare_doubles);
  return percentile (samples, n, 50);
}

static void
bench_start (GaioLoop *loop,
             guint     n)
{
  g_autofree double *samples = g_new (double, n);
  double floor_ms;

  for (guint i = 0; i < n; i++)
    {
      gint64 start = now_ns ();
      g_autoptr(GaioProcessPoolExecutor) pool = gaio_process_pool_executor_new (0);
      g_autoptr(GaioFuture) future =
        gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), bench_trivial,
                                   g_variant_new ("(i)", 1), NULL, NULL);

      gaio_loop_run_until_complete (loop, future, NULL, NULL);
      samples[i] = (now_ns () - start) / 1e6;
      gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
    }

  qsort (samples, n, sizeof (double), compare_doubles);
  floor_ms = exec_floor_ms (n);
  printf ("bench=process_start impl=gaio n=%u ops_per_s=%.1f extra=start_ms=%.2f",
          n, 1000.0 / percentile (samples, n, 50), percentile (samples, n, 50));
  if (floor_ms > 0)
    printf (" exec_floor_ms=%.2f", floor_ms);
  printf ("\n");
  if (floor_ms > 0)
    printf ("bench=process_start impl=exec_floor n=%u ops_per_s=%.1f extra=start_ms=%.2f\n",
            n, 1000.0 / floor_ms, floor_ms);
}

static void
run_python (const char *script,
            gboolean    quick)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  /* process_latency ran already, in rounds alternating with Python's. */
  const char *argv[] = { python, script, "--no-latency", quick ? "--quick" : NULL, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  if (python == NULL)
    {
      printf ("# python_processpool skipped: no python3 in PATH\n");
      return;
    }
  fflush (stdout);
  /* Its lines go straight to our stdout. */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                     NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    printf ("# python_processpool failed: %s\n", error->message);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GaioLoop) loop = NULL;
  gboolean quick = FALSE;
  gboolean no_python = FALSE;
  const char *only = NULL;
  guint scale;

  /* process_start's floor (exec_floor_ms()): nothing but the exec. */
  if (argc == 2 && strcmp (argv[1], "--exit-at-once") == 0)
    return 0;

  GAIO_PROCESS_POOL_REGISTER (bench_cpu_bound);
  GAIO_PROCESS_POOL_REGISTER (bench_trivial);
  gaio_process_pool_executor_worker_guard (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick"))
        quick = TRUE;
      else if (g_str_equal (argv[i], "--no-python"))
        no_python = TRUE;
      else if (g_str_has_prefix (argv[i], "--only="))
        only = argv[i] + strlen ("--only=");
    }
  scale = quick ? 10 : 1;

#define WANTED(name) (only == NULL || g_str_equal (only, name))
  loop = gaio_loop_new (NULL);
  if (WANTED ("cpu_bound_speedup"))
    bench_cpu_bound_speedup (loop);
  if (WANTED ("process_throughput"))
    bench_throughput (loop, 20000 / scale);
  if (WANTED ("process_latency"))
    bench_latency (loop, 2000 / scale, !no_python);
  if (WANTED ("process_start"))
    bench_start (loop, 20 / (quick ? 4 : 1));
  gaio_loop_close (loop, NULL);

  if (!no_python && only == NULL)
    run_python (BENCH_PROCESS_PY, quick);

  return 0;
}
