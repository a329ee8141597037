/* gaio-bench.c: libgaio against what a user would pick instead
 *
 * Usage: gaio-bench [--quick] [--rounds=R] [--impl=IMPL ...] [BENCH...]
 *
 * Runs the benchmarks named in DESIGN.md ("Benchmarks"), all of them when
 * none is named, and prints one line per benchmark and implementation:
 *
 *   bench=<bench> impl=<impl> n=<N> ops_per_s=<x> [p50_us=<x> p99_us=<x>] [name=<x> ...]
 *
 * Lines starting with `#` are notes (a peer skipped or failed). The gaio
 * line of a benchmark ends with `vs_<impl>=<x>` for every peer measured in
 * the same run: gaio's ops_per_s over the peer's, so > 1 means gaio is
 * faster (or, for timers, cheaper in CPU); with latencies on both lines,
 * also `p50_vs_<impl>` and `p99_vs_<impl>`, the peer's over gaio's (> 1:
 * gaio's are lower).
 *
 * Noise: the machines are shared. Each implementation runs --rounds times
 * (3 by default), the implementations of a benchmark taking turns in an
 * order that rotates every round (gaio, peer, python; then peer, python,
 * gaio; ...), so that a burst of load elsewhere hits every implementation
 * alike. The line printed is the round with the median ops_per_s, with that
 * round's own extra fields: a median rather than a best, so that one lucky
 * round does not set the number.
 *
 * To add a benchmark: write a BenchFunc for each implementation (GLib peers
 * in bench-glib.c, gaio in bench-gaio.c, Python peers in python/peers.py
 * reached through bench_python_peer; log_lateness and subprocess_roundtrip
 * live in bench-unix.c) and add their rows to bench_cases.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "bench-gaio.h"
#include "bench-glib.h"
#include "bench-unix.h"

#define N_DEFAULT_ROUNDS 3

/* The rows of one benchmark are contiguous, gaio first; a benchmark runs in
 * the order of this table. The gaio row is the one whose impl starts with
 * "gaio" (log_lateness has "gaio_threaded_writer"). */
static const BenchCase bench_cases[] = {
  /* First: GLib forks for gaio and gsubprocess alike, and fork() copies
   * the page tables of the whole process. What the benchmarks below leave
   * allocated (GLib 2.74's slice allocator keeps ~100 MB after
   * executor_throughput) made each round trip ten times dearer. */
  { "subprocess_roundtrip", "gaio",                     1000, bench_unix_subprocess_gaio },
  { "subprocess_roundtrip", "gsubprocess",              1000, bench_unix_subprocess_gsubprocess },
  { "subprocess_roundtrip", "python_asyncio",           1000, bench_python_peer },
  { "subprocess_roundtrip", "posix_spawn",              1000, bench_unix_subprocess_posix_spawn },

  { "call_soon",            "gaio",                  1000000, bench_gaio_call_soon },
  { "call_soon",            "g_idle_add",            1000000, bench_glib_idle_add },
  { "call_soon",            "python_asyncio",        1000000, bench_python_peer },

  { "call_soon_threadsafe", "gaio",                  1000000, bench_gaio_call_soon_threadsafe },
  { "call_soon_threadsafe", "g_main_context_invoke", 1000000, bench_glib_context_invoke },
  { "call_soon_threadsafe", "python_asyncio",        1000000, bench_python_peer },
  { "call_soon_threadsafe", "atomic_list",           1000000, bench_glib_atomic_list },

  { "timers_1000",          "gaio",                     1000, bench_gaio_timers },
  { "timers_1000",          "g_timeout_add",            1000, bench_glib_timeout_add },
  { "timers_1000",          "python_asyncio",           1000, bench_python_peer },

  { "timers_10000",         "gaio",                    10000, bench_gaio_timers },
  { "timers_10000",         "g_timeout_add",           10000, bench_glib_timeout_add },
  { "timers_10000",         "python_asyncio",          10000, bench_python_peer },

  { "timers_100000",        "gaio",                   100000, bench_gaio_timers },
  { "timers_100000",        "g_timeout_add",          100000, bench_glib_timeout_add },
  { "timers_100000",        "python_asyncio",         100000, bench_python_peer },

  { "executor_throughput",  "gaio",                   200000, bench_gaio_executor_throughput },
  { "executor_throughput",  "gtask",                  200000, bench_glib_gtask_throughput },
  { "executor_throughput",  "gthreadpool_invoke",     200000, bench_glib_thread_pool_throughput },
  { "executor_throughput",  "python_asyncio",         200000, bench_python_peer },

  { "executor_latency",     "gaio",                    20000, bench_gaio_executor_latency },
  { "executor_latency",     "gtask",                   20000, bench_glib_gtask_latency },
  { "executor_latency",     "gthreadpool_invoke",      20000, bench_glib_thread_pool_latency },
  { "executor_latency",     "python_asyncio",          20000, bench_python_peer },

  { "reader_latency",       "gaio",                    10000, bench_unix_reader_latency },
  { "reader_latency",       "python_asyncio",          10000, bench_python_peer },

  { "log_lateness",         "gaio_threaded_writer",    10000, bench_unix_log_lateness },
  { "log_lateness",         "glib_default_writer",     10000, bench_unix_log_lateness },
};

typedef struct
{
  gboolean   quick;
  int        rounds;
  char     **impls;   /* (nullable) only these implementations */
} BenchOptions;

static gboolean
impl_selected (const BenchOptions *options,
               const char         *impl)
{
  return options->impls == NULL || g_strv_contains ((const char * const *) options->impls, impl);
}

static gboolean
bench_exists (const char *bench)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bench_cases); i++)
    {
      if (g_str_equal (bench_cases[i].bench, bench))
        return TRUE;
    }

  return FALSE;
}

static int
compare_results_by_ops (gconstpointer a,
                        gconstpointer b)
{
  const BenchResult *x = *(BenchResult * const *) a;
  const BenchResult *y = *(BenchResult * const *) b;

  return (x->ops_per_s > y->ops_per_s) - (x->ops_per_s < y->ops_per_s);
}

/* Adds gaio's ratios over every peer: ops_per_s gives vs_<peer>, and an
 * extra `<form>_ops_per_s` that both lines carry gives `<form>_vs_<peer>`.
 * When both lines have latencies, p50_vs_<peer> and p99_vs_<peer> are the
 * peer's over gaio's, so that there too > 1 means gaio is better (lower):
 * p50_vs_gtask=1.25 is a gaio p50 of 0.8x GTask's. */
static void
add_ratios (BenchResult       *gaio,
            const BenchResult *peer)
{
  g_autofree char *name = g_strdup_printf ("vs_%s", peer->impl);
  guint n_extras = gaio->extras->len;

  if (peer->ops_per_s > 0)
    bench_result_add_extra (gaio, name, gaio->ops_per_s / peer->ops_per_s);

  if (gaio->has_latency && peer->has_latency && gaio->p50_us > 0 && gaio->p99_us > 0)
    {
      g_autofree char *p50_name = g_strdup_printf ("p50_vs_%s", peer->impl);
      g_autofree char *p99_name = g_strdup_printf ("p99_vs_%s", peer->impl);

      bench_result_add_extra (gaio, p50_name, peer->p50_us / gaio->p50_us);
      bench_result_add_extra (gaio, p99_name, peer->p99_us / gaio->p99_us);
    }

  for (guint i = 0; i < n_extras; i++)
    {
      const BenchExtra *extra = g_ptr_array_index (gaio->extras, i);
      const BenchExtra *peer_extra;
      g_autofree char *stem = NULL;
      g_autofree char *form_name = NULL;

      if (!g_str_has_suffix (extra->name, "_ops_per_s"))
        continue;
      peer_extra = bench_result_lookup_extra (peer, extra->name);
      if (peer_extra == NULL || peer_extra->value <= 0)
        continue;

      stem = g_strndup (extra->name, strlen (extra->name) - strlen ("_ops_per_s"));
      form_name = g_strdup_printf ("%s_vs_%s", stem, peer->impl);
      bench_result_add_extra (gaio, form_name, extra->value / peer_extra->value);
    }
}

/* The ops_per_s of every line printed so far, by "bench impl". */
static GHashTable *printed_ops;

/* The timer benchmarks differ only in their number of timers, so a line
 * of timers_10000 or timers_100000 also says what a timer costs there
 * compared with timers_1000 of the same impl, when that ran too:
 * cost_vs_timers_1000 > 1 means each timer got dearer as they multiplied. */
static void
add_scaling (BenchResult *result)
{
  g_autofree char *key = NULL;
  double *base_ops;

  if (!g_str_has_prefix (result->bench, "timers_") || g_str_equal (result->bench, "timers_1000"))
    return;

  key = g_strdup_printf ("timers_1000 %s", result->impl);
  base_ops = g_hash_table_lookup (printed_ops, key);
  if (base_ops != NULL && result->ops_per_s > 0)
    bench_result_add_extra (result, "cost_vs_timers_1000", *base_ops / result->ops_per_s);
}

static void
print_line (const BenchResult *result)
{
  g_autofree char *line = bench_result_to_line (result);

  printf ("%s\n", line);
  fflush (stdout);
}

/* `# python_asyncio skipped: python3 not found`, once per run rather than
 * once per benchmark; a failure is noted every time, with its benchmark. */
static void
note_failure (const BenchCase *bcase,
              const GError    *error)
{
  static GHashTable *skips_noted = NULL;

  if (g_error_matches (error, BENCH_ERROR, BENCH_ERROR_SKIPPED))
    {
      char *note = g_strdup_printf ("# %s skipped: %s", bcase->impl, error->message);

      if (skips_noted == NULL)
        skips_noted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (!g_hash_table_add (skips_noted, note))
        return;
      printf ("%s\n", note);
    }
  else
    printf ("# %s failed in %s: %s\n", bcase->impl, bcase->bench, error->message);

  fflush (stdout);
}

static void
run_bench (const BenchOptions *options,
           const char         *bench)
{
  const BenchCase *cases[G_N_ELEMENTS (bench_cases)];
  GPtrArray *rounds[G_N_ELEMENTS (bench_cases)];   /* (element-type BenchResult) */
  gboolean dropped[G_N_ELEMENTS (bench_cases)] = { FALSE, };
  BenchResult *chosen[G_N_ELEMENTS (bench_cases)] = { NULL, };
  gsize n_cases = 0;
  gsize gaio_index = G_MAXSIZE;

  for (gsize i = 0; i < G_N_ELEMENTS (bench_cases); i++)
    {
      if (g_str_equal (bench_cases[i].bench, bench) && impl_selected (options, bench_cases[i].impl))
        {
          if (gaio_index == G_MAXSIZE && g_str_has_prefix (bench_cases[i].impl, "gaio"))
            gaio_index = n_cases;
          rounds[n_cases] = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_result_free);
          cases[n_cases++] = &bench_cases[i];
        }
    }

  for (int round = 0; round < options->rounds; round++)
    {
      for (gsize k = 0; k < n_cases; k++)
        {
          /* Rotate the order every round (see the top of this file). */
          gsize i = (k + (gsize) round) % n_cases;
          const BenchCase *bcase = cases[i];
          guint64 n = options->quick ? MAX (bcase->n / 10, 1) : bcase->n;
          g_autoptr(BenchResult) result = bench_result_new (bcase->bench, bcase->impl, n);
          g_autoptr(GError) error = NULL;

          if (dropped[i])
            continue;

          if (!bcase->func (bcase, n, result, &error))
            {
              note_failure (bcase, error);
              dropped[i] = TRUE;
              continue;
            }

          g_ptr_array_add (rounds[i], g_steal_pointer (&result));
        }
    }

  for (gsize i = 0; i < n_cases; i++)
    {
      if (dropped[i] || rounds[i]->len == 0)
        continue;
      /* The median round; with an even count, the lower of the two middle
       * ones. */
      g_ptr_array_sort (rounds[i], compare_results_by_ops);
      chosen[i] = g_ptr_array_index (rounds[i], (rounds[i]->len - 1) / 2);
    }

  if (gaio_index != G_MAXSIZE && chosen[gaio_index] != NULL)
    {
      for (gsize i = 0; i < n_cases; i++)
        {
          if (i != gaio_index && chosen[i] != NULL)
            add_ratios (chosen[gaio_index], chosen[i]);
        }
    }

  for (gsize i = 0; i < n_cases; i++)
    {
      if (chosen[i] != NULL)
        {
          double *ops = g_new (double, 1);

          add_scaling (chosen[i]);
          print_line (chosen[i]);

          *ops = chosen[i]->ops_per_s;
          g_hash_table_insert (printed_ops,
                               g_strdup_printf ("%s %s", chosen[i]->bench, chosen[i]->impl),
                               ops);
        }
      g_ptr_array_unref (rounds[i]);
    }
}

int
main (int    argc,
      char **argv)
{
  BenchOptions options = { FALSE, N_DEFAULT_ROUNDS, NULL };
  gboolean list = FALSE;
  g_auto(GStrv) benches = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  const GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &options.quick,
      "Run a tenth of the operations (a smoke test, not a measurement)", NULL },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &options.rounds,
      "Run each implementation R times and report the median (default 3)", "R" },
    { "impl", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &options.impls,
      "Run only implementation IMPL (repeatable), e.g. gaio", "IMPL" },
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list,
      "List the benchmarks and their implementations, then exit", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &benches, NULL, "[BENCH...]" },
    { NULL }
  };

  context = g_option_context_new ("- libgaio benchmarks");
  g_option_context_set_summary (context,
                                "Runs the named benchmarks (all when none is named) and prints\n"
                                "one `bench=... impl=... n=... ops_per_s=...` line per result.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gaio-bench: %s\n", error->message);
      return 2;
    }
  if (options.rounds < 1)
    {
      g_printerr ("gaio-bench: --rounds must be at least 1\n");
      return 2;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bench_cases); i++)
    {
      if (list)
        printf ("%s %s\n", bench_cases[i].bench, bench_cases[i].impl);
      else if (benches == NULL &&
               (order->len == 0 || !g_str_equal (g_ptr_array_index (order, order->len - 1),
                                                 bench_cases[i].bench)))
        g_ptr_array_add (order, (gpointer) bench_cases[i].bench);
    }
  if (list)
    return 0;

  for (guint i = 0; benches != NULL && benches[i] != NULL; i++)
    {
      if (!bench_exists (benches[i]))
        {
          g_printerr ("gaio-bench: no benchmark named '%s' (--list shows them)\n", benches[i]);
          return 2;
        }
      g_ptr_array_add (order, benches[i]);
    }

  printed_ops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  printf ("# gaio-bench: %d round(s) per impl, order rotating, median round reported%s;"
          " glib %u.%u.%u; %u cpus\n",
          options.rounds, options.quick ? "; --quick: n/10" : "",
          glib_major_version, glib_minor_version, glib_micro_version,
          g_get_num_processors ());
  fflush (stdout);

  for (guint i = 0; i < order->len; i++)
    run_bench (&options, g_ptr_array_index (order, i));

  g_hash_table_unref (printed_ops);
  g_strfreev (options.impls);
  return 0;
}
