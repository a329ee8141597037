/* test-task-group.c: GaioTaskGroup and GaioTimeout
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Ports of CPython 3.11's test_taskgroups.py (TG-xx) and test_timeouts.py
 * (TO-xx) cases that C can express, each named above its test.
 */

#include <string.h>

#include "gaio-test-util.h"

static gboolean
run_main (GaioLoop          *loop,
          GaioCoroutineFunc  func,
          gpointer           data,
          GError           **error)
{
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, gaio_coroutine_new (func, data, NULL));

  return gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, error);
}

/* A child: sleeps GPOINTER_TO_INT (user_data) milliseconds, then fails
 * when that is odd, returns it when even. Counts how many were cancelled. */
static guint n_cancelled;
static guint n_finished;

static gboolean
child (gpointer   user_data,
       GValue    *result,
       GError   **error)
{
  gint ms = GPOINTER_TO_INT (user_data);

  if (!gaio_await (gaio_sleep (ms / 1000.0), NULL, error))
    {
      n_cancelled++;
      return FALSE;
    }
  n_finished++;
  if (ms % 2 == 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "child %d failed", ms);
      return FALSE;
    }
  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, ms);
  return TRUE;
}

static void
reset_counts (void)
{
  n_cancelled = 0;
  n_finished = 0;
}

static GaioTask *
spawn_in (GaioTaskGroup *group,
          gint           ms)
{
  return gaio_task_group_create_task (group, GAIO_COROUTINE_NEW (child, GINT_TO_POINTER (ms), NULL),
                                      NULL);
}

/* ------------------------------------------------------------------ */
/* TaskGroup                                                          */

static gboolean
group_all_succeed (gpointer   user_data,
                   GValue    *result,
                   GError   **error)
{
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  g_autoptr(GaioTask) a = NULL;
  g_autoptr(GaioTask) b = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  a = spawn_in (group, 4);
  b = spawn_in (group, 2);
  g_assert_true (gaio_task_group_exit (group, NULL));
  g_assert_cmpint (gaio_future_get_result_int64 (GAIO_FUTURE (a), NULL), ==, 4);
  g_assert_cmpint (gaio_future_get_result_int64 (GAIO_FUTURE (b), NULL), ==, 2);
  return TRUE;
}

/* TG-01, test_taskgroups.py::test_taskgroup_01, _02: leaving the group
 * waits for every task; their results are there. */
static void
test_group_waits_for_all (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  reset_counts ();
  g_assert_true (run_main (loop, group_all_succeed, NULL, NULL));
  g_assert_cmpuint (n_finished, ==, 2);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GError   *error;
  GPtrArray *errors;
  gboolean  body_saw_cancel;
  guint     cancelling_after;
} GroupOutcome;

static gboolean
group_one_fails (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  gaio_task_unref (spawn_in (group, 1));
  gaio_task_unref (spawn_in (group, 1000));
  /* The body awaits too: the failure cancels this await. */
  if (!gaio_await (gaio_sleep (10), NULL, &local_error))
    outcome->body_saw_cancel = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gaio_task_group_exit (group, &local_error);
  outcome->error = local_error;
  outcome->errors = g_ptr_array_ref (gaio_task_group_get_errors (group));
  outcome->cancelling_after = gaio_task_cancelling (gaio_current_task ());
  return TRUE;
}

/* TG-02, test_taskgroups.py::test_taskgroup_03, _07 and _08: the first
 * failure cancels the other tasks and the parent's own await; the group
 * fails with every error, and the cancellation it sent the parent is
 * taken back (cancelling() is 0 again). */
static void
test_group_failure_cancels_rest (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };
  const GError *first;

  reset_counts ();
  g_assert_true (run_main (loop, group_one_fails, &outcome, NULL));
  g_assert_true (outcome.body_saw_cancel);
  g_assert_error (outcome.error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_true (g_str_has_prefix (outcome.error->message,
                                   "unhandled errors in a TaskGroup (1 sub-exception)"));
  g_assert_nonnull (strstr (outcome.error->message, "child 1 failed"));
  g_assert_cmpuint (outcome.errors->len, ==, 1);
  first = g_ptr_array_index (outcome.errors, 0);
  g_assert_error (first, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (n_cancelled, ==, 1);
  g_assert_cmpuint (outcome.cancelling_after, ==, 0);

  g_clear_error (&outcome.error);
  g_ptr_array_unref (outcome.errors);
  gaio_test_loop_free (loop);
}

static gboolean
group_body_fails (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  gaio_task_unref (spawn_in (group, 1000));
  gaio_task_unref (spawn_in (group, 2000));
  /* Let them start: cancelled before their first step they never run. */
  gaio_await (gaio_sleep (0), NULL, NULL);
  g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "body failed");
  gaio_task_group_exit (group, &local_error);
  outcome->error = local_error;
  outcome->errors = g_ptr_array_ref (gaio_task_group_get_errors (group));
  return TRUE;
}

/* TG-03, test_taskgroups.py::test_taskgroup_10 and _11: an error in the
 * body cancels the tasks, and the group fails with the body's error. */
static void
test_group_body_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };

  reset_counts ();
  g_assert_true (run_main (loop, group_body_fails, &outcome, NULL));
  g_assert_error (outcome.error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_cmpuint (outcome.errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (outcome.errors, 0), G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpuint (n_cancelled, ==, 2);

  g_clear_error (&outcome.error);
  g_ptr_array_unref (outcome.errors);
  gaio_test_loop_free (loop);
}

static gboolean
group_then_wait (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();

  g_assert_true (gaio_task_group_enter (group, NULL));
  gaio_task_unref (spawn_in (group, 1000));
  gaio_task_unref (spawn_in (group, 2000));
  return gaio_task_group_exit (group, error);
}

static gboolean
cancel_cb (gpointer   user_data,
           GError   **error)
{
  gaio_future_cancel (user_data, "from outside");
  return TRUE;
}

/* TG-04, test_taskgroups.py::test_cancellation and ::test_taskgroup_05:
 * cancelling the parent while it waits in exit cancels the tasks, and the
 * parent ends cancelled. */
static void
test_group_parent_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioTask) parent = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (group_then_wait, NULL, NULL));
  g_autoptr(GError) error = NULL;

  reset_counts ();
  gaio_loop_call_later (loop, 0.01, cancel_cb, parent, NULL, NULL);
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (parent), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (parent)));
  g_assert_cmpuint (n_cancelled, ==, 2);
  g_clear_pointer (&parent, gaio_task_unref);
  gaio_test_loop_free (loop);
}

static gboolean
group_refusals (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *repr = NULL;

  /* Not entered. */
  g_assert_null (gaio_task_group_create_task (group, GAIO_COROUTINE_NEW (child, GINT_TO_POINTER (2), NULL),
                                              &local_error));
  g_assert_error (local_error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (local_error->message, ==, "TaskGroup <TaskGroup> has not been entered");
  g_clear_error (&local_error);

  g_assert_true (gaio_task_group_enter (group, NULL));
  repr = gaio_task_group_to_string (group);
  g_assert_cmpstr (repr, ==, "<TaskGroup entered>");
  g_assert_false (gaio_task_group_enter (group, &local_error));
  g_assert_cmpstr (local_error->message, ==, "TaskGroup <TaskGroup entered> has already been entered");
  g_clear_error (&local_error);

  g_assert_true (gaio_task_group_exit (group, NULL));
  g_assert_null (gaio_task_group_create_task (group, GAIO_COROUTINE_NEW (child, GINT_TO_POINTER (2), NULL),
                                              &local_error));
  g_assert_cmpstr (local_error->message, ==, "TaskGroup <TaskGroup entered> is finished");
  return TRUE;
}

/* TG-05, test_taskgroups.py::test_taskgroup_double_enter,
 * ::test_create_task_after_exit (3.11's RuntimeErrors): a group refuses
 * tasks before it is entered and after it was left, and a second enter. */
static void
test_group_refusals (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, group_refusals, NULL, NULL));
  gaio_test_loop_free (loop);
}

static gboolean
enter_group (gpointer   user_data,
             GError   **error)
{
  GError **out = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();

  gaio_task_group_enter (group, out);
  gaio_loop_stop (gaio_get_running_loop ());
  return TRUE;
}

/* TG-06, test_taskgroups.py::test_taskgroup_without_parent_task: outside
 * a task, enter fails. */
static void
test_group_without_parent (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GError) error = NULL;

  gaio_loop_call_soon (loop, enter_group, &error, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_true (g_str_has_suffix (error->message, "cannot determine the parent task"));
  gaio_test_loop_free (loop);
}

static gboolean
group_two_fail (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  gaio_task_unref (spawn_in (group, 1));
  gaio_task_unref (spawn_in (group, 1));
  gaio_task_group_exit (group, &local_error);
  outcome->error = local_error;
  outcome->errors = g_ptr_array_ref (gaio_task_group_get_errors (group));
  return TRUE;
}

/* TG-07, test_taskgroups.py::test_taskgroup_04 (two tasks fail in the
 * same iteration): both errors are kept and listed. */
static void
test_group_two_errors (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };

  g_assert_true (run_main (loop, group_two_fail, &outcome, NULL));
  g_assert_error (outcome.error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_true (g_str_has_prefix (outcome.error->message,
                                   "unhandled errors in a TaskGroup (2 sub-exceptions)"));
  g_assert_cmpuint (outcome.errors->len, ==, 2);
  g_clear_error (&outcome.error);
  g_ptr_array_unref (outcome.errors);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* timeout                                                            */

typedef struct
{
  GError   *error;
  gboolean  expired;
  char     *repr_inside;
  char     *repr_after;
} TimeoutOutcome;

static void
timeout_outcome_clear (TimeoutOutcome *outcome)
{
  g_clear_error (&outcome->error);
  g_clear_pointer (&outcome->repr_inside, g_free);
  g_clear_pointer (&outcome->repr_after, g_free);
}

static gboolean
sleep_in_timeout (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  TimeoutOutcome *outcome = user_data;
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.01);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  outcome->repr_inside = gaio_timeout_to_string (timeout);
  gaio_await (gaio_sleep (10), NULL, &local_error);
  gaio_timeout_exit (timeout, &local_error);
  outcome->error = local_error;
  outcome->expired = gaio_timeout_expired (timeout);
  outcome->repr_after = gaio_timeout_to_string (timeout);
  g_assert_cmpuint (gaio_task_cancelling (gaio_current_task ()), ==, 0);
  return TRUE;
}

/* TO-01, test_timeouts.py::test_timeout_basic and ::test_repr_active,
 * ::test_repr_expired: the deadline cancels the await, and exit turns the
 * cancellation into a timeout; the scope reads as expired. */
static void
test_timeout_expires (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimeoutOutcome outcome = { 0 };

  g_assert_true (run_main (loop, sleep_in_timeout, &outcome, NULL));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (outcome.expired);
  g_assert_true (g_str_has_prefix (outcome.repr_inside, "<Timeout [active] when="));
  g_assert_cmpstr (outcome.repr_after, ==, "<Timeout [expired]>");
  timeout_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
quick_in_timeout (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  TimeoutOutcome *outcome = user_data;
  g_autoptr(GaioTimeout) timeout = gaio_timeout (10);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  gaio_await (gaio_sleep (0), NULL, &local_error);
  gaio_timeout_exit (timeout, &local_error);
  outcome->error = local_error;
  outcome->expired = gaio_timeout_expired (timeout);
  outcome->repr_after = gaio_timeout_to_string (timeout);
  return TRUE;
}

/* TO-02, test_timeouts.py::test_timeout_not_triggered and
 * ::test_repr_finished: done in time, the scope is finished, not expired. */
static void
test_timeout_not_triggered (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimeoutOutcome outcome = { 0 };

  g_assert_true (run_main (loop, quick_in_timeout, &outcome, NULL));
  g_assert_no_error (outcome.error);
  g_assert_false (outcome.expired);
  g_assert_cmpstr (outcome.repr_after, ==, "<Timeout [finished]>");
  timeout_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
nested_timeouts (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  TimeoutOutcome *outcome = user_data;
  g_autoptr(GaioTimeout) outer = gaio_timeout (0.01);
  g_autoptr(GaioTimeout) inner = gaio_timeout (10);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (outer, NULL));
  g_assert_true (gaio_timeout_enter (inner, NULL));
  gaio_await (gaio_sleep (10), NULL, &local_error);
  gaio_timeout_exit (inner, &local_error);
  /* The inner scope did not expire: the cancellation is not its own. */
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gaio_timeout_expired (inner));
  gaio_timeout_exit (outer, &local_error);
  outcome->error = local_error;
  outcome->expired = gaio_timeout_expired (outer);
  return TRUE;
}

/* TO-03, test_timeouts.py::test_nested_timeouts: the outer deadline
 * passes inside an inner scope; only the outer scope converts. */
static void
test_timeout_nested (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimeoutOutcome outcome = { 0 };

  g_assert_true (run_main (loop, nested_timeouts, &outcome, NULL));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (outcome.expired);
  timeout_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
cancelled_inside_timeout (gpointer   user_data,
                          GValue    *result,
                          GError   **error)
{
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.02);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  gaio_await (gaio_sleep (10), NULL, &local_error);
  /* Cancelled from outside, then the deadline passes too: the outside
   * cancellation stays. */
  gaio_await (gaio_sleep (0.05), NULL, NULL);
  if (gaio_timeout_exit (timeout, &local_error))
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/* TO-04, test_timeouts.py::test_cancel_in_timeout_after_cancellation and
 * ::test_outer_task_is_not_cancelled: a cancellation from outside is not
 * turned into a timeout, even when the deadline passes later. */
static void
test_timeout_outer_cancel_stays (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (cancelled_inside_timeout,
                                                                               NULL, NULL));
  g_autoptr(GError) error = NULL;

  gaio_loop_call_later (loop, 0.005, cancel_cb, task, NULL, NULL);
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "from outside");
  g_clear_pointer (&task, gaio_task_unref);
  gaio_test_loop_free (loop);
}

static gboolean
reschedule_timeouts (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTimeout) timeout = gaio_timeout_at (gaio_loop_time (loop) + 0.01);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *repr = NULL;

  g_assert_false (gaio_timeout_reschedule (timeout, 1.0, &local_error));
  g_assert_cmpstr (local_error->message, ==, "Timeout has not been entered");
  g_clear_error (&local_error);

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  g_assert_true (gaio_timeout_reschedule (timeout, GAIO_TIMEOUT_NEVER, NULL));
  g_assert_cmpfloat (gaio_timeout_get_when (timeout), ==, GAIO_TIMEOUT_NEVER);
  repr = gaio_timeout_to_string (timeout);
  g_assert_cmpstr (repr, ==, "<Timeout [active] when=None>");
  g_assert_true (gaio_await (gaio_sleep (0.03), NULL, NULL));
  g_assert_false (gaio_timeout_expired (timeout));
  g_assert_true (gaio_timeout_exit (timeout, NULL));

  g_assert_false (gaio_timeout_reschedule (timeout, 1.0, &local_error));
  g_assert_cmpstr (local_error->message, ==, "Cannot change state of finished Timeout");
  g_clear_error (&local_error);
  g_assert_false (gaio_timeout_enter (timeout, &local_error));
  g_assert_cmpstr (local_error->message, ==, "Timeout has already been entered");
  return TRUE;
}

/* TO-05, test_timeouts.py::test_timeout_disabled, ::test_reschedule and
 * ::test_timeout_double_enter (3.11): reschedule() moves the deadline
 * (here to never) and is refused before entry and after exit; a scope
 * enters once. */
static void
test_timeout_reschedule (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, reschedule_timeouts, NULL, NULL));
  gaio_test_loop_free (loop);
}

static gboolean
enter_timeout (gpointer   user_data,
               GError   **error)
{
  GError **out = user_data;
  g_autoptr(GaioTimeout) timeout = gaio_timeout (1);

  gaio_timeout_enter (timeout, out);
  gaio_loop_stop (gaio_get_running_loop ());
  return TRUE;
}

/* TO-06, test_timeouts.py::test_timeout_without_task: outside a task the
 * scope refuses to start. */
static void
test_timeout_without_task (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GError) error = NULL;

  gaio_loop_call_soon (loop, enter_timeout, &error, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, "Timeout should be used inside a task");
  gaio_test_loop_free (loop);
}

static gboolean
timeout_in_the_past (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  TimeoutOutcome *outcome = user_data;
  g_autoptr(GaioTimeout) timeout = gaio_timeout_at (gaio_loop_time (gaio_get_running_loop ()) - 1);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  gaio_await (gaio_sleep (10), NULL, &local_error);
  gaio_timeout_exit (timeout, &local_error);
  outcome->error = local_error;
  outcome->expired = gaio_timeout_expired (timeout);
  return TRUE;
}

/* TO-07, test_timeouts.py::test_timeout_in_the_past_sleep_zero: a
 * deadline already past expires at the next iteration. */
static void
test_timeout_in_the_past (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimeoutOutcome outcome = { 0 };

  g_assert_true (run_main (loop, timeout_in_the_past, &outcome, NULL));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (outcome.expired);
  timeout_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/TaskGroup/TG-01/waits-for-all", test_group_waits_for_all);
  g_test_add_func ("/Gaio/TaskGroup/TG-02/failure-cancels-rest", test_group_failure_cancels_rest);
  g_test_add_func ("/Gaio/TaskGroup/TG-03/body-error", test_group_body_error);
  g_test_add_func ("/Gaio/TaskGroup/TG-04/parent-cancelled", test_group_parent_cancelled);
  g_test_add_func ("/Gaio/TaskGroup/TG-05/refusals", test_group_refusals);
  g_test_add_func ("/Gaio/TaskGroup/TG-06/without-parent", test_group_without_parent);
  g_test_add_func ("/Gaio/TaskGroup/TG-07/two-errors", test_group_two_errors);
  g_test_add_func ("/Gaio/Timeout/TO-01/expires", test_timeout_expires);
  g_test_add_func ("/Gaio/Timeout/TO-02/not-triggered", test_timeout_not_triggered);
  g_test_add_func ("/Gaio/Timeout/TO-03/nested", test_timeout_nested);
  g_test_add_func ("/Gaio/Timeout/TO-04/outer-cancel-stays", test_timeout_outer_cancel_stays);
  g_test_add_func ("/Gaio/Timeout/TO-05/reschedule", test_timeout_reschedule);
  g_test_add_func ("/Gaio/Timeout/TO-06/without-task", test_timeout_without_task);
  g_test_add_func ("/Gaio/Timeout/TO-07/in-the-past", test_timeout_in_the_past);

  return g_test_run ();
}
