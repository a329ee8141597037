/* bench-task.c: task switching and the memory of suspended tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Usage: bench-task [--n N] [--tasks T] [--rounds R] [--no-python]
 *
 *   task_switch  two tasks hand a value back and forth through futures:
 *                one op is one hand-off (a future completed by one task
 *                and awaited by the other), N of them.
 *   task_memory  T tasks suspended at once on one future: ops_per_s is
 *                tasks created and suspended per second, extra
 *                rss_per_task_bytes the resident memory each one costs
 *                (measured in the first round).
 *   taskgroup_spawn  T tasks created in one GaioTaskGroup, each sleeping
 *                0 once, then the group left: ops_per_s is tasks per
 *                second, from the first create to the end of the exit.
 *
 * Each is run R times and the median round printed, in gaio-bench's
 * format, then the same through python/task_switch.py with python3 (the
 * asyncio peer) unless --no-python or python3 is missing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gaio.h>

#ifndef BENCH_TASK_PY
# define BENCH_TASK_PY "task_switch.py"
#endif

/* bench_format_value() of bench-common.c: 3 significant digits or so. */
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

static void
print_result (const char *bench,
              const char *impl,
              guint64     n,
              gdouble     ops_per_s,
              const char *extra_name,
              gdouble     extra_value)
{
  g_autofree char *ops = format_value (ops_per_s);

  if (extra_name != NULL)
    {
      g_autofree char *extra = format_value (extra_value);

      printf ("bench=%s impl=%s n=%" G_GUINT64_FORMAT " ops_per_s=%s %s=%s\n",
              bench, impl, n, ops, extra_name, extra);
    }
  else
    printf ("bench=%s impl=%s n=%" G_GUINT64_FORMAT " ops_per_s=%s\n", bench, impl, n, ops);
  fflush (stdout);
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static gdouble
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, gdouble, values->len / 2);
}

/* ------------------------------------------------------------------ */
/* task_switch                                                          */

typedef struct
{
  GaioLoop   *loop;
  guint64     n;          /* hand-offs */
  GaioFuture *to_a;       /* what A awaits (owned) */
  GaioFuture *to_b;       /* what B awaits (owned) */
} PingPong;

static gboolean
ping (gpointer   user_data,
      GValue    *result,
      GError   **error)
{
  PingPong *game = user_data;

  for (guint64 i = 0; i < game->n; i += 2)
    {
      GaioFuture *to_b = game->to_b;

      game->to_a = gaio_loop_create_future (game->loop);
      gaio_future_set_result_uint64 (to_b, i, NULL);
      gaio_future_unref (to_b);
      if (!gaio_await (gaio_future_ref (game->to_a), NULL, error))
        return FALSE;
      g_clear_pointer (&game->to_a, gaio_future_unref);
    }

  return TRUE;
}

static gboolean
pong (gpointer   user_data,
      GValue    *result,
      GError   **error)
{
  PingPong *game = user_data;

  for (guint64 i = 1; i < game->n; i += 2)
    {
      if (!gaio_await (gaio_future_ref (game->to_b), NULL, error))
        return FALSE;
      /* The next future to wait for exists before A can complete it. */
      game->to_b = gaio_loop_create_future (game->loop);
      gaio_future_set_result_uint64 (game->to_a, i, NULL);
    }

  return TRUE;
}

static gdouble
run_task_switch (guint64 n)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GaioLoop) loop = NULL;
  g_autoptr(GaioTask) b = NULL;
  g_autoptr(GaioTask) a = NULL;
  g_autoptr(GaioFuture) both = NULL;
  GaioFuture *tasks[2];
  PingPong game = { NULL, n, NULL, NULL };
  gint64 start, elapsed;

  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (context);
  game.loop = loop;
  game.to_b = gaio_loop_create_future (loop);

  start = g_get_monotonic_time ();
  b = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (pong, &game, NULL));
  a = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (ping, &game, NULL));
  tasks[0] = GAIO_FUTURE (a);
  tasks[1] = GAIO_FUTURE (b);
  both = gaio_gather (tasks, 2, FALSE);
  if (!gaio_loop_run_until_complete (loop, both, NULL, NULL))
    g_error ("task_switch failed");
  elapsed = g_get_monotonic_time () - start;

  g_clear_pointer (&game.to_b, gaio_future_unref);
  g_clear_pointer (&both, gaio_future_unref);
  g_clear_pointer (&a, gaio_task_unref);
  g_clear_pointer (&b, gaio_task_unref);
  gaio_loop_close (loop, NULL);
  g_main_context_pop_thread_default (context);

  return n / (elapsed / (gdouble) G_USEC_PER_SEC);
}

/* ------------------------------------------------------------------ */
/* task_memory                                                          */

static gsize
resident_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL) ||
      sscanf (text, "%lu %lu", &size, &resident) != 2)
    return 0;

  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

static gboolean
wait_at_gate (gpointer   user_data,
              GValue    *result,
              GError   **error)
{
  return gaio_await (gaio_future_ref (user_data), NULL, error);
}

static gdouble
run_task_memory (guint   n_tasks,
                 gdouble *rss_per_task)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GaioLoop) loop = NULL;
  g_autoptr(GaioFuture) gate = NULL;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  g_autoptr(GaioFuture) all = NULL;
  gsize before, after;
  gint64 start, elapsed;

  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (context);
  gate = gaio_loop_create_future (loop);

  before = resident_bytes ();
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_tasks; i++)
    g_ptr_array_add (tasks, gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (wait_at_gate, gate, NULL)));
  gaio_loop_stop (loop);
  gaio_loop_run_forever (loop, NULL);
  elapsed = g_get_monotonic_time () - start;
  after = resident_bytes ();
  *rss_per_task = (after - before) / (gdouble) n_tasks;

  gaio_future_set_result_pointer (gate, NULL, NULL, NULL);
  all = gaio_gather ((GaioFuture * const *) tasks->pdata, tasks->len, FALSE);
  gaio_loop_run_until_complete (loop, all, NULL, NULL);

  g_clear_pointer (&all, gaio_future_unref);
  g_ptr_array_set_size (tasks, 0);
  gaio_loop_close (loop, NULL);
  g_main_context_pop_thread_default (context);

  return n_tasks / (elapsed / (gdouble) G_USEC_PER_SEC);
}

/* ------------------------------------------------------------------ */
/* taskgroup_spawn                                                      */

static gboolean
sleep_once (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  return gaio_await (gaio_sleep (0), NULL, error);
}

static gboolean
spawn_group (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  guint n_tasks = GPOINTER_TO_UINT (user_data);
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();

  if (!gaio_task_group_enter (group, error))
    return FALSE;
  for (guint i = 0; i < n_tasks; i++)
    gaio_task_unref (gaio_task_group_create_task (group, GAIO_COROUTINE_NEW (sleep_once, NULL, NULL),
                                                  NULL));
  return gaio_task_group_exit (group, error);
}

static gdouble
run_taskgroup_spawn (guint n_tasks)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GaioLoop) loop = NULL;
  g_autoptr(GaioTask) main_task = NULL;
  gint64 start, elapsed;

  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (context);

  start = g_get_monotonic_time ();
  main_task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (spawn_group, GUINT_TO_POINTER (n_tasks),
                                                               NULL));
  if (!gaio_loop_run_until_complete (loop, GAIO_FUTURE (main_task), NULL, NULL))
    g_error ("taskgroup_spawn failed");
  elapsed = g_get_monotonic_time () - start;

  g_clear_pointer (&main_task, gaio_task_unref);
  gaio_loop_close (loop, NULL);
  g_main_context_pop_thread_default (context);

  return n_tasks / (elapsed / (gdouble) G_USEC_PER_SEC);
}

/* ------------------------------------------------------------------ */

static gboolean
run_python (const char *bench,
            guint64     n)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *n_text = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  const char *script = g_getenv ("GAIO_BENCH_TASK_PY") ? g_getenv ("GAIO_BENCH_TASK_PY") : BENCH_TASK_PY;
  const char *argv[] = { NULL, script, "--bench", bench, "--n", n_text, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (python == NULL)
    {
      printf ("# bench=%s impl=python_asyncio skipped: no python3 on PATH\n", bench);
      return FALSE;
    }

  argv[0] = python;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      printf ("# bench=%s impl=python_asyncio failed: %s\n", bench, error->message);
      return FALSE;
    }

  fputs (out, stdout);
  fflush (stdout);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  gint64 n = 1000000;
  gint n_tasks = 10000;
  gint rounds = 5;
  gboolean no_python = FALSE;
  GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT64, &n, "hand-offs for task_switch", "N" },
    { "tasks", 0, 0, G_OPTION_ARG_INT, &n_tasks, "suspended tasks for task_memory", "T" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "rounds (the median is printed)", "R" },
    { "no-python", 0, 0, G_OPTION_ARG_NONE, &no_python, "skip the asyncio peer", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("- libgaio task benchmarks");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rates = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gdouble));

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  for (gint r = 0; r < MAX (rounds, 1); r++)
    {
      gdouble rate = run_task_switch ((guint64) n);

      g_array_append_val (rates, rate);
    }
  print_result ("task_switch", "gaio", (guint64) n, median (rates), NULL, 0);
  if (!no_python)
    run_python ("task_switch", (guint64) n);

  g_array_set_size (rates, 0);
  for (gint r = 0; r < MAX (rounds, 1); r++)
    {
      gdouble size = 0;
      gdouble rate = run_task_memory ((guint) n_tasks, &size);

      g_array_append_val (rates, rate);
      g_array_append_val (sizes, size);
    }
  /* Memory from the first round, as the Python peer does: later rounds
   * reuse pages the first one left behind. */
  print_result ("task_memory", "gaio", (guint64) n_tasks, median (rates),
                "rss_per_task_bytes", g_array_index (sizes, gdouble, 0));
  if (!no_python)
    run_python ("task_memory", (guint64) n_tasks);

  g_array_set_size (rates, 0);
  for (gint r = 0; r < MAX (rounds, 1); r++)
    {
      gdouble rate = run_taskgroup_spawn ((guint) n_tasks);

      g_array_append_val (rates, rate);
    }
  print_result ("taskgroup_spawn", "gaio", (guint64) n_tasks, median (rates), NULL, 0);
  if (!no_python)
    run_python ("taskgroup_spawn", (guint64) n_tasks);

  return 0;
}
