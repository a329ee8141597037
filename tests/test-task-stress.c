/* test-task-stress.c: 10 000 tasks alive at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * In the 'slow' suite. Under GAIO_TEST_SHRINK=1 (valgrind) the count is
 * 100x smaller.
 */

#include <stdio.h>
#include <unistd.h>

#include "gaio-test-util.h"

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

static guint
count_tasks (GaioLoop *loop)
{
  g_autoptr(GPtrArray) tasks = gaio_all_tasks (loop);

  return tasks->len;
}

gboolean wait_at_gate (gpointer user_data, GValue *result, GError **error);

gboolean
wait_at_gate (gpointer   user_data,
              GValue    *result,
              GError   **error)
{
  GaioFuture *gate = user_data;
  g_auto(GValue) value = G_VALUE_INIT;

  /* Some stack in use while suspended, as real code would have. */
  if (!gaio_await (gaio_future_ref (gate), &value, error))
    return FALSE;
  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, g_value_get_int64 (&value) + 1);
  return TRUE;
}

static gboolean
open_gate (gpointer   user_data,
           GError   **error)
{
  gaio_future_set_result_int64 (user_data, 41, NULL);
  return TRUE;
}

/* 10 000 tasks suspended at once, then all resumed; RSS per suspended
 * task is printed, and the whole must stay under 1 GiB. */
static void
test_many_tasks (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  guint n = gaio_test_scale (10000);
  GaioFuture *gate = gaio_loop_create_future (loop);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  g_autoptr(GaioFuture) all = NULL;
  gsize before, suspended;
  g_auto(GValue) value = G_VALUE_INIT;
  GPtrArray *done;

  before = resident_bytes ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (tasks, gaio_loop_create_task (loop, gaio_coroutine_new_full ("wait_at_gate", NULL, 0, wait_at_gate, gate, NULL)));

  /* One iteration starts them all; each suspends at the gate. */
  gaio_loop_stop (loop);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
  g_assert_cmpuint (count_tasks (loop), ==, n);
  suspended = resident_bytes ();
  g_test_message ("%u suspended tasks: %" G_GSIZE_FORMAT " bytes RSS, %" G_GSIZE_FORMAT " bytes per task",
                  n, suspended - before, (suspended - before) / n);
  /* About 5 KiB a task in a plain build; sanitizers' shadow memory and
   * larger stacks multiply that, still far under the 1 GiB bound. */
  g_assert_cmpuint (suspended - before, <, 768 * 1024 * 1024);

  gaio_loop_call_soon (loop, open_gate, gate, NULL, NULL);
  all = gaio_gather ((GaioFuture * const *) tasks->pdata, tasks->len, FALSE);
  g_assert_true (gaio_loop_run_until_complete (loop, all, &value, NULL));
  done = g_value_get_boxed (&value);
  g_assert_cmpuint (done->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (gaio_future_get_result_int64 (g_ptr_array_index (done, i), NULL), ==, 42);

  g_value_unset (&value);
  g_clear_pointer (&all, gaio_future_unref);
  g_ptr_array_set_size (tasks, 0);
  gaio_future_unref (gate);
  gaio_test_loop_free (loop);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Task/stress/10000-tasks", test_many_tasks);

  return g_test_run ();
}
