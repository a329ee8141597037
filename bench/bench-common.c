/* bench-common.c: result lines, clocks, percentiles and the Python peers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench-common.h"

G_DEFINE_QUARK (bench-error-quark, bench_error)

static void
bench_extra_free (gpointer data)
{
  BenchExtra *extra = data;

  g_free (extra->name);
  g_free (extra->text);
  g_free (extra);
}

BenchResult *
bench_result_new (const char *bench,
                  const char *impl,
                  guint64     n)
{
  BenchResult *result = g_new0 (BenchResult, 1);

  result->bench = g_strdup (bench);
  result->impl = g_strdup (impl);
  result->n = n;
  result->extras = g_ptr_array_new_with_free_func (bench_extra_free);

  return result;
}

void
bench_result_free (BenchResult *result)
{
  if (result == NULL)
    return;

  g_free (result->bench);
  g_free (result->impl);
  g_ptr_array_unref (result->extras);
  g_free (result);
}

char *
bench_format_value (double value)
{
  double magnitude = fabs (value);

  /* Enough digits to compare two runs, not so many that the noise of a
   * shared machine looks like information. */
  if (magnitude >= 100.0)
    return g_strdup_printf ("%.0f", value);
  if (magnitude >= 10.0)
    return g_strdup_printf ("%.1f", value);
  if (magnitude >= 1.0)
    return g_strdup_printf ("%.2f", value);
  return g_strdup_printf ("%.3g", value);
}

void
bench_result_add_extra_text (BenchResult *result,
                             const char  *name,
                             const char  *text)
{
  BenchExtra *extra = g_new0 (BenchExtra, 1);

  extra->name = g_strdup (name);
  extra->text = g_strdup (text);
  extra->value = g_ascii_strtod (text, NULL);
  g_ptr_array_add (result->extras, extra);
}

void
bench_result_add_extra (BenchResult *result,
                        const char  *name,
                        double       value)
{
  g_autofree char *text = bench_format_value (value);

  bench_result_add_extra_text (result, name, text);
}

const BenchExtra *
bench_result_lookup_extra (const BenchResult *result,
                           const char        *name)
{
  for (guint i = 0; i < result->extras->len; i++)
    {
      const BenchExtra *extra = g_ptr_array_index (result->extras, i);

      if (g_str_equal (extra->name, name))
        return extra;
    }

  return NULL;
}

char *
bench_result_to_line (const BenchResult *result)
{
  GString *line = g_string_new (NULL);
  g_autofree char *ops = bench_format_value (result->ops_per_s);

  g_string_append_printf (line, "bench=%s impl=%s n=%" G_GUINT64_FORMAT " ops_per_s=%s",
                          result->bench, result->impl, result->n, ops);

  if (result->has_latency)
    {
      g_autofree char *p50 = bench_format_value (result->p50_us);
      g_autofree char *p99 = bench_format_value (result->p99_us);

      g_string_append_printf (line, " p50_us=%s p99_us=%s", p50, p99);
    }

  for (guint i = 0; i < result->extras->len; i++)
    {
      const BenchExtra *extra = g_ptr_array_index (result->extras, i);

      g_string_append_printf (line, " %s=%s", extra->name, extra->text);
    }

  return g_string_free (line, FALSE);
}

static gboolean
parse_double (const char  *text,
              double      *value,
              GError     **error)
{
  char *end = NULL;

  *value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    {
      g_set_error (error, BENCH_ERROR, BENCH_ERROR_FAILED,
                   "'%s' is not a number", text);
      return FALSE;
    }

  return TRUE;
}

BenchResult *
bench_result_parse_line (const char  *line,
                         GError     **error)
{
  g_autoptr(BenchResult) result = bench_result_new (NULL, NULL, 0);
  g_autofree char *stripped = g_strstrip (g_strdup (line));
  g_auto(GStrv) fields = g_strsplit_set (stripped, " \t", -1);
  gboolean has_ops = FALSE;
  gboolean has_p50 = FALSE;
  gboolean has_p99 = FALSE;

  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *field = fields[i];
      const char *eq = strchr (field, '=');
      g_autofree char *name = NULL;
      const char *text;

      if (*field == '\0')
        continue;
      if (eq == NULL || eq == field)
        {
          g_set_error (error, BENCH_ERROR, BENCH_ERROR_FAILED,
                       "field '%s' is not name=value", field);
          return NULL;
        }

      name = g_strndup (field, eq - field);
      text = eq + 1;

      if (g_str_equal (name, "bench"))
        {
          g_free (result->bench);
          result->bench = g_strdup (text);
        }
      else if (g_str_equal (name, "impl"))
        {
          g_free (result->impl);
          result->impl = g_strdup (text);
        }
      else if (g_str_equal (name, "n"))
        {
          if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &result->n, error))
            return NULL;
        }
      else if (g_str_equal (name, "ops_per_s"))
        {
          if (!parse_double (text, &result->ops_per_s, error))
            return NULL;
          has_ops = TRUE;
        }
      else if (g_str_equal (name, "p50_us"))
        {
          if (!parse_double (text, &result->p50_us, error))
            return NULL;
          has_p50 = TRUE;
        }
      else if (g_str_equal (name, "p99_us"))
        {
          if (!parse_double (text, &result->p99_us, error))
            return NULL;
          has_p99 = TRUE;
        }
      else
        bench_result_add_extra_text (result, name, text);
    }

  if (result->bench == NULL || result->impl == NULL || !has_ops)
    {
      g_set_error (error, BENCH_ERROR, BENCH_ERROR_FAILED,
                   "line lacks bench=, impl= or ops_per_s=: %s", line);
      return NULL;
    }
  result->has_latency = has_p50 && has_p99;

  return g_steal_pointer (&result);
}

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

gint64
bench_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

void
bench_sort_doubles (double *values,
                    gsize   n_values)
{
  qsort (values, n_values, sizeof (double), compare_doubles);
}

double
bench_percentile_sorted (const double *sorted,
                         gsize         n_values,
                         double        percentile)
{
  gsize rank;

  g_return_val_if_fail (n_values > 0, 0.0);

  /* Nearest rank: the smallest value with at least @percentile percent of
   * the values at or below it. */
  rank = (gsize) ceil (percentile / 100.0 * (double) n_values);
  rank = CLAMP (rank, 1, n_values);

  return sorted[rank - 1];
}

double
bench_percentile (double *values,
                  gsize   n_values,
                  double  percentile)
{
  bench_sort_doubles (values, n_values);
  return bench_percentile_sorted (values, n_values, percentile);
}

void
bench_call_soon_finish (BenchResult *result,
                        guint64      n,
                        gint64       batch_ns,
                        gint64       chain_ns)
{
  result->ops_per_s = (double) n / ((double) MAX (batch_ns, 1) / 1e9);
  bench_result_add_extra (result, "chain_ops_per_s",
                          (double) n / ((double) MAX (chain_ns, 1) / 1e9));
}

void
bench_threadsafe_finish (BenchResult *result,
                         guint64      n,
                         gint64       start_ns,
                         gint64       posted_ns,
                         gint64       end_ns)
{
  result->ops_per_s = (double) n / ((double) MAX (end_ns - start_ns, 1) / 1e9);
  /* How fast the other thread could post: a post that blocks on a lock
   * the loop holds shows here. */
  bench_result_add_extra (result, "post_ops_per_s",
                          (double) n / ((double) MAX (posted_ns - start_ns, 1) / 1e9));
}

static glong
minor_faults (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;

  return usage.ru_minflt;
}

void
bench_timers_init (BenchTimers *timers,
                   guint64      n)
{
  timers->n = n;
  timers->fired = 0;
  /* Zeroed, so that its pages are present before the clocks start: the
   * measurement should not pay for the harness's own memory. */
  timers->late_ms = memset (g_new (double, n), 0, n * sizeof (double));

  timers->armed_ns = 0;
  timers->arm_faults = 0;
  timers->arm_now_ns = 0;
  timers->base_faults = minor_faults ();
  timers->cpu_base_ns = bench_cpu_ns ();
  timers->base_ns = bench_now_ns ();
}

void
bench_timers_armed (BenchTimers *timers)
{
  timers->armed_ns = bench_now_ns ();
  timers->arm_faults = minor_faults () - timers->base_faults;
}

gint64
bench_timers_arm_now_ns (BenchTimers *timers,
                         guint64      i)
{
  if (i % BENCH_TIMER_CLOCK_EVERY == 0)
    timers->arm_now_ns = bench_now_ns ();

  return timers->arm_now_ns;
}

gpointer
bench_timers_deadline (BenchTimers *timers,
                       gint64       deadline_ns)
{
  return GSIZE_TO_POINTER ((gsize) ((deadline_ns - timers->base_ns + 500) / 1000));
}

gboolean
bench_timers_fired (BenchTimers *timers,
                    gpointer     deadline)
{
  double now_us = (double) (bench_now_ns () - timers->base_ns) / 1e3;

  g_assert (timers->fired < timers->n);
  timers->late_ms[timers->fired++] = (now_us - (double) GPOINTER_TO_SIZE (deadline)) / 1e3;

  return timers->fired == timers->n;
}

void
bench_timers_finish (BenchTimers *timers,
                     BenchResult *result)
{
  gint64 cpu_ns = bench_cpu_ns () - timers->cpu_base_ns;
  gint64 wall_ns = bench_now_ns () - timers->base_ns;
  guint64 n = timers->n;
  double *late_ms = timers->late_ms;

  g_assert (timers->fired == n);
  bench_sort_doubles (late_ms, n);

  /* The wall time is set by the 200 ms window, so what a timer costs is
   * the CPU time the process spent arming, waiting for and firing it. */
  result->ops_per_s = (double) n / ((double) MAX (cpu_ns, 1) / 1e9);
  bench_result_add_extra (result, "late_p50_ms", bench_percentile_sorted (late_ms, n, 50.0));
  bench_result_add_extra (result, "late_p99_ms", bench_percentile_sorted (late_ms, n, 99.0));
  bench_result_add_extra (result, "cpu_ms", (double) cpu_ns / 1e6);
  bench_result_add_extra (result, "wall_ms", (double) wall_ns / 1e6);
  if (timers->armed_ns != 0)
    {
      bench_result_add_extra (result, "arm_ms",
                              (double) (timers->armed_ns - timers->base_ns) / 1e6);
      bench_result_add_extra (result, "arm_faults", (double) timers->arm_faults);
    }

  g_clear_pointer (&timers->late_ms, g_free);
}

guint64
bench_splitmix64 (guint64 *state)
{
  guint64 z;

  *state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  z = *state;
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);

  return z ^ (z >> 31);
}

gint64 *
bench_timer_delays_ns (guint64 n)
{
  gint64 *delays = g_new (gint64, n);
  guint64 state = BENCH_TIMER_SEED;

  /* Integer arithmetic only, so that peers.py draws the same delays. */
  for (guint64 i = 0; i < n; i++)
    delays[i] = (gint64) (bench_splitmix64 (&state) % (guint64) BENCH_TIMER_WINDOW_NS);

  return delays;
}

gboolean
bench_executor_check_sum (guint64   sum,
                          guint64   n,
                          GError  **error)
{
  /* The sum of the first n odd numbers (modulo 2^64, like @sum). */
  guint64 expected = n * n;

  if (sum != expected)
    {
      g_set_error (error, BENCH_ERROR, BENCH_ERROR_FAILED,
                   "the results of %" G_GUINT64_FORMAT " jobs add up to %" G_GUINT64_FORMAT
                   ", not %" G_GUINT64_FORMAT ": a result was lost or delivered twice",
                   n, sum, expected);
      return FALSE;
    }

  return TRUE;
}

void
bench_executor_throughput_finish (BenchResult *result,
                                  guint64      n,
                                  gint64       start_ns,
                                  gint64       submitted_ns,
                                  gint64       end_ns)
{
  result->ops_per_s = (double) n / ((double) MAX (end_ns - start_ns, 1) / 1e9);
  bench_result_add_extra (result, "submit_ops_per_s",
                          (double) n / ((double) MAX (submitted_ns - start_ns, 1) / 1e9));
}

void
bench_executor_first_burst (BenchResult *result,
                            guint64      n,
                            gint64       start_ns,
                            gint64       end_ns)
{
  bench_result_add_extra (result, "first_burst_ops_per_s",
                          (double) n / ((double) MAX (end_ns - start_ns, 1) / 1e9));
}

void
bench_latency_finish (BenchResult *result,
                      double      *samples_us,
                      guint64      n,
                      gint64       total_ns)
{
  bench_sort_doubles (samples_us, n);
  result->ops_per_s = (double) n / ((double) MAX (total_ns, 1) / 1e9);
  result->has_latency = TRUE;
  result->p50_us = bench_percentile_sorted (samples_us, n, 50.0);
  result->p99_us = bench_percentile_sorted (samples_us, n, 99.0);
}

const char *
bench_python3_path (void)
{
  static char *path = NULL;
  static gsize looked_up = 0;

  if (g_once_init_enter (&looked_up))
    {
      path = g_find_program_in_path ("python3");
      g_once_init_leave (&looked_up, 1);
    }

  return path;
}

static const char *
peers_script_path (void)
{
  const char *path = g_getenv ("GAIO_BENCH_PEERS");

  /* The source tree's script, so that editing it needs no rebuild. */
  return path != NULL ? path : BENCH_PEERS_PY;
}

gboolean
bench_python_peer (const BenchCase  *bcase,
                   guint64           n,
                   BenchResult      *result,
                   GError          **error)
{
  const char *python3 = bench_python3_path ();
  g_autofree char *n_text = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(BenchResult) parsed = NULL;
  int wait_status = 0;
  const char *argv[8];

  if (python3 == NULL)
    {
      g_set_error_literal (error, BENCH_ERROR, BENCH_ERROR_SKIPPED, "python3 not found");
      return FALSE;
    }

  n_text = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  argv[0] = python3;
  argv[1] = peers_script_path ();
  argv[2] = "--bench";
  argv[3] = bcase->bench;
  argv[4] = "--n";
  argv[5] = n_text;
  argv[6] = NULL;

  /* The peer times itself; its start-up is not part of the measurement.
   * Its stderr goes straight to ours, so a traceback is visible. */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &wait_status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (wait_status, error))
    {
      g_prefix_error (error, "%s: ", argv[1]);
      return FALSE;
    }

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && parsed == NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "bench="))
        {
          parsed = bench_result_parse_line (lines[i], error);
          if (parsed == NULL)
            return FALSE;
        }
    }

  if (parsed == NULL)
    {
      g_set_error (error, BENCH_ERROR, BENCH_ERROR_FAILED,
                   "%s printed no result line", argv[1]);
      return FALSE;
    }
  if (g_strcmp0 (parsed->bench, bcase->bench) != 0 ||
      g_strcmp0 (parsed->impl, bcase->impl) != 0)
    {
      g_set_error (error, BENCH_ERROR, BENCH_ERROR_FAILED,
                   "%s answered for bench=%s impl=%s", argv[1], parsed->bench, parsed->impl);
      return FALSE;
    }

  result->n = parsed->n;
  result->ops_per_s = parsed->ops_per_s;
  result->has_latency = parsed->has_latency;
  result->p50_us = parsed->p50_us;
  result->p99_us = parsed->p99_us;
  for (guint i = 0; i < parsed->extras->len; i++)
    {
      const BenchExtra *extra = g_ptr_array_index (parsed->extras, i);

      bench_result_add_extra_text (result, extra->name, extra->text);
    }

  return TRUE;
}
