/* bench-sync.c: a queue hand-off and a contended lock
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Usage: bench-sync [--n N] [--rounds R] [--no-python] [BENCH...]
 *
 *   queue_handoff   a producer task puts N items into a GaioQueue of
 *                   maxsize 1 that a consumer task gets: one op per item,
 *                   each one a hand-off from one task to the other.
 *   lock_contended  100 tasks take one GaioLock in turn, yield once
 *                   (gaio_sleep (0)) holding it and release it, N times
 *                   in all: one op per acquire and release, each acquire
 *                   waiting for the 99 tasks before it.
 *
 * Each is run R times and the median round printed in gaio-bench's
 * format, then the same through python/sync.py with python3 (the asyncio
 * peer, in the same run) unless --no-python or python3 is missing.
 */

#include <stdio.h>
#include <stdlib.h>

#include <gaio.h>

#ifndef BENCH_SYNC_PY
# define BENCH_SYNC_PY "sync.py"
#endif

#define LOCK_TASKS 100

static char *
format_value (gdouble value)
{
  gdouble magnitude = ABS (value);

  if (magnitude >= 100.0)
    return g_strdup_printf ("%.0f", value);
  if (magnitude >= 10.0)
    return g_strdup_printf ("%.1f", value);
  if (magnitude >= 1.0)
    return g_strdup_printf ("%.2f", value);
  return g_strdup_printf ("%.3g", value);
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  GaioQueue *queue;
  GaioLock  *lock;
  guint      n;
} Shared;

static gboolean
produce (gpointer   user_data,
         GValue    *result,
         GError   **error)
{
  Shared *shared = user_data;
  GValue item = G_VALUE_INIT;

  g_value_init (&item, G_TYPE_INT);
  for (guint i = 0; i < shared->n; i++)
    {
      g_value_set_int (&item, i);
      if (!gaio_await (gaio_queue_put (shared->queue, &item), NULL, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
consume (gpointer   user_data,
         GValue    *result,
         GError   **error)
{
  Shared *shared = user_data;

  for (guint i = 0; i < shared->n; i++)
    if (!gaio_await (gaio_queue_get (shared->queue), NULL, error))
      return FALSE;
  return TRUE;
}

static gboolean
take_turns (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  Shared *shared = user_data;

  for (guint i = 0; i < shared->n / LOCK_TASKS; i++)
    {
      gboolean ok;

      if (!gaio_await (gaio_lock_acquire (shared->lock), NULL, error))
        return FALSE;
      /* Yield holding it, so that the others queue up behind. */
      ok = gaio_await (gaio_sleep (0), NULL, error);
      gaio_lock_release (shared->lock, NULL);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* One round: the tasks of @bench on a new loop; returns seconds. */
static gdouble
run_round (const char *bench,
           guint       n)
{
  g_autoptr(GaioLoop) loop = gaio_loop_new (NULL);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  Shared shared = { NULL, NULL, n };
  gint64 start;

  if (g_str_equal (bench, "queue_handoff"))
    {
      shared.queue = gaio_queue_new (loop, 1);
      g_ptr_array_add (tasks, gaio_loop_create_task (loop, gaio_coroutine_new (produce, &shared, NULL)));
      g_ptr_array_add (tasks, gaio_loop_create_task (loop, gaio_coroutine_new (consume, &shared, NULL)));
    }
  else
    {
      shared.lock = gaio_lock_new (loop);
      for (guint i = 0; i < LOCK_TASKS; i++)
        g_ptr_array_add (tasks, gaio_loop_create_task (loop, gaio_coroutine_new (take_turns, &shared, NULL)));
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < tasks->len; i++)
    if (!gaio_loop_run_until_complete (loop, tasks->pdata[i], NULL, NULL))
      g_error ("%s: a task failed", bench);
  start = g_get_monotonic_time () - start;

  g_ptr_array_set_size (tasks, 0);
  g_clear_object (&shared.queue);
  g_clear_object (&shared.lock);
  gaio_loop_close (loop, NULL);

  return start / 1e6;
}

static void
run_gaio (const char *bench,
          guint       n,
          guint       rounds)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autofree char *ops = NULL;
  gdouble median;

  for (guint r = 0; r < rounds; r++)
    {
      gdouble t = run_round (bench, n);

      g_array_append_val (times, t);
    }
  g_array_sort (times, compare_doubles);
  median = g_array_index (times, gdouble, rounds / 2);
  ops = format_value (n / median);
  printf ("bench=%s impl=gaio n=%u ops_per_s=%s\n", bench, n, ops);
  fflush (stdout);
}

static void
run_python (const char *bench,
            guint       n,
            guint       rounds)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *n_arg = g_strdup_printf ("%u", n);
  g_autofree char *rounds_arg = g_strdup_printf ("%u", rounds);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { python, BENCH_SYNC_PY, "--bench", bench, "--n", n_arg,
                         "--rounds", rounds_arg, NULL };
  gint status = 0;

  if (python == NULL)
    {
      printf ("# python3 not found: python_asyncio skipped\n");
      return;
    }
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      printf ("# python_asyncio failed: %s\n", error->message);
      return;
    }
  fputs (out, stdout);
  fflush (stdout);
}

/* Whether @bench is among the arguments left after the options. */
static gboolean
named (int          argc,
       char       **argv,
       const char  *bench)
{
  for (int a = 1; a < argc; a++)
    if (g_str_equal (argv[a], bench))
      return TRUE;

  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  gint n = 200000, rounds = 5;
  gboolean no_python = FALSE;
  GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT, &n, "Operations per round", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds (the median is printed)", "R" },
    { "no-python", 0, 0, G_OPTION_ARG_NONE, &no_python, "Skip the asyncio peer", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[BENCH...] - libgaio's queue and lock benchmarks");
  g_autoptr(GError) error = NULL;
  const char * const benches[] = { "queue_handoff", "lock_contended", NULL };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n < LOCK_TASKS || rounds < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--n must be >= 100, --rounds >= 1");
      return 2;
    }

  for (int a = 1; a < argc; a++)
    if (!g_strv_contains (benches, argv[a]))
      {
        g_printerr ("bench-sync: no benchmark named '%s' (queue_handoff, lock_contended)\n",
                    argv[a]);
        return 2;
      }

  for (guint i = 0; benches[i] != NULL; i++)
    {
      guint ops = g_str_equal (benches[i], "lock_contended") ? n / LOCK_TASKS * LOCK_TASKS : n;

      if (argc > 1 && !named (argc, argv, benches[i]))
        continue;

      run_gaio (benches[i], ops, rounds);
      if (!no_python)
        run_python (benches[i], ops, rounds);
    }

  return 0;
}
