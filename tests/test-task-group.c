/* test-task-group.c: GaioTaskGroup and GaioTimeout
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Ports of CPython 3.11's test_taskgroups.py (TG-xx) and test_timeouts.py
 * (TO-xx) cases that C can express, each named above its test. Every test
 * of test_timeouts.py has one here but test_timeout_exception_cause: the
 * TimeoutError's __cause__ is the CancelledError, and a GError has no
 * cause to chain.
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
static guint n_started;
static guint n_cancelled;
static guint n_finished;

static gboolean
child (gpointer   user_data,
       GValue    *result,
       GError   **error)
{
  gint ms = GPOINTER_TO_INT (user_data);

  n_started++;
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
  n_started = 0;
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
  GError    *error;
  GPtrArray *errors;
  GPtrArray *inner_errors;     /* a nested group's */
  gboolean   body_saw_cancel;
  guint      cancelling_after;
  gint       num;              /* CPython's NUM */
  GaioTask  *tasks[2];
} GroupOutcome;

static void
group_outcome_clear (GroupOutcome *outcome)
{
  g_clear_error (&outcome->error);
  g_clear_pointer (&outcome->errors, g_ptr_array_unref);
  g_clear_pointer (&outcome->inner_errors, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (outcome->tasks); i++)
    g_clear_pointer (&outcome->tasks[i], gaio_task_unref);
}

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

/* TG-02, test_taskgroups.py::test_taskgroup_04 and
 * ::test_cancel_children_on_child_error: the first failure cancels the
 * other tasks and the parent's own await; the group fails with every
 * error, and the cancellation it sent the parent is taken back
 * (cancelling() is 0 again). */
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
  outcome->tasks[0] = spawn_in (group, 1000);
  outcome->tasks[1] = spawn_in (group, 2000);
  /* Let them start: cancelled before their first step they never run. */
  g_assert_true (gaio_await (gaio_sleep (0.01), NULL, NULL));
  g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "body failed");
  gaio_task_group_exit (group, &local_error);
  outcome->error = local_error;
  outcome->errors = g_ptr_array_ref (gaio_task_group_get_errors (group));
  return TRUE;
}

/* TG-03, test_taskgroups.py::test_taskgroup_09: an error in the body
 * cancels the tasks, and the group fails with the body's error. */
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
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (outcome.tasks[0])));
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (outcome.tasks[1])));

  group_outcome_clear (&outcome);
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

/* TG-04, test_taskgroups.py::test_cancellation and ::test_taskgroup_22:
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

/* TG-05, test_taskgroups.py::test_taskgroup_not_entered,
 * ::test_taskgroup_already_entered and ::test_taskgroup_finished: a group
 * refuses tasks before it is entered and after it was left, and a second
 * enter. */
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

  g_autoptr(GError) refusal = NULL;

  gaio_task_group_enter (group, out);
  /* A refused enter leaves the group not entered. */
  g_assert_null (gaio_task_group_create_task (group, GAIO_COROUTINE_NEW (child, GINT_TO_POINTER (2), NULL),
                                              &refusal));
  g_assert_true (g_str_has_suffix (refusal->message, "has not been entered"));
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

/* TG-07, test_taskgroups.py::test_cancel_children_on_child_error (tasks
 * failing in the same iteration): every error is kept and listed. */
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

/* A task of @group running @func (@data), named after @func; the
 * caller keeps no reference. */
#define spawn_func(group, func, data) \
  gaio_task_unref (gaio_task_group_create_task ((group), GAIO_COROUTINE_NEW (func, (data), NULL), NULL))

/* The error at @i of a group's errors. */
#define error_at(errors, i) ((const GError *) g_ptr_array_index ((errors), (i)))

/* test_taskgroups.py's foo() with `finally: 1 / 0`: sleeps, and fails
 * whether the sleep ended or was cancelled. */
static gboolean
fail_on_cleanup (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  if (!gaio_await (gaio_sleep (10), NULL, NULL))
    n_cancelled++;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "division by zero");
  return FALSE;
}

/* CPython's `await asyncio.sleep(0.1); r.cancel()`, in a task of its
 * own: a timer set before the loop runs could fire in the loop's first
 * iteration, before the tasks that the runner creates have started (under
 * valgrind); a task's sleep leaves them at least that iteration. */
static gboolean
cancel_soon (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  GaioFuture *runner = user_data;

  if (!gaio_await (gaio_sleep (0.01), NULL, error))
    return FALSE;
  g_assert_false (gaio_future_is_done (runner));
  gaio_future_cancel (runner, NULL);
  return TRUE;
}

/* A task of @func, cancelled 10 ms later by the task *@canceller. */
static GaioTask *
start_cancelled_soon (GaioLoop           *loop,
                      GaioCoroutineFunc   func,
                      gpointer            data,
                      GaioTask          **canceller)
{
  GaioTask *task = gaio_loop_create_task (loop, gaio_coroutine_new (func, data, NULL));

  *canceller = gaio_loop_create_task (loop,
                                      GAIO_COROUTINE_NEW (cancel_soon, gaio_task_ref (task),
                                                          (GDestroyNotify) gaio_future_unref));
  return task;
}

static gboolean
run_cancelled_soon (GaioLoop           *loop,
                    GaioCoroutineFunc   func,
                    gpointer            data,
                    GError            **error)
{
  g_autoptr(GaioTask) canceller = NULL;
  g_autoptr(GaioTask) task = start_cancelled_soon (loop, func, data, &canceller);
  gboolean ok = gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, error);

  g_assert_true (gaio_future_is_done (GAIO_FUTURE (canceller)));
  g_assert_null (gaio_future_get_error (GAIO_FUTURE (canceller), NULL));
  return ok;
}

/* Leaves @group with the body's error (consumed), keeps the group's
 * errors in @outcome, and fails with exit's error. */
static gboolean
finish_group (GaioTaskGroup  *group,
              GroupOutcome   *outcome,
              GError         *body_error,
              GError        **error)
{
  gboolean ok = gaio_task_group_exit (group, &body_error);

  if (outcome != NULL)
    outcome->errors = g_ptr_array_ref (gaio_task_group_get_errors (group));
  if (!ok)
    g_propagate_error (error, body_error);
  return ok;
}

static gboolean
group_task_created_later (gpointer   user_data,
                          GValue    *result,
                          GError   **error)
{
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  g_autoptr(GaioTask) a = NULL;
  g_autoptr(GaioTask) b = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  a = spawn_in (group, 10);
  g_assert_true (gaio_await (gaio_sleep (0.015), NULL, NULL));
  b = spawn_in (group, 20);
  g_assert_true (gaio_task_group_exit (group, NULL));
  g_assert_cmpint (gaio_future_get_result_int64 (GAIO_FUTURE (a), NULL), ==, 10);
  g_assert_cmpint (gaio_future_get_result_int64 (GAIO_FUTURE (b), NULL), ==, 20);
  return TRUE;
}

/* TG-01, test_taskgroups.py::test_taskgroup_02: a task created after the
 * body awaited is waited for too. */
static void
test_group_task_created_later (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  reset_counts ();
  g_assert_true (run_main (loop, group_task_created_later, NULL, NULL));
  g_assert_cmpuint (n_finished, ==, 2);
  gaio_test_loop_free (loop);
}

static gboolean
group_task_cancelled_by_hand (gpointer   user_data,
                              GValue    *result,
                              GError   **error)
{
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  g_autoptr(GaioTask) a = NULL;
  g_autoptr(GaioTask) b = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  a = spawn_in (group, 1000);
  g_assert_true (gaio_await (gaio_sleep (0.015), NULL, NULL));
  g_assert_true (gaio_future_cancel (GAIO_FUTURE (a), NULL));
  b = spawn_in (group, 20);
  g_assert_true (gaio_task_group_exit (group, NULL));
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (a)));
  g_assert_cmpint (gaio_future_get_result_int64 (GAIO_FUTURE (b), NULL), ==, 20);
  g_assert_cmpuint (gaio_task_group_get_errors (group)->len, ==, 0);
  return TRUE;
}

/* TG-08, test_taskgroups.py::test_taskgroup_03: a task of the group
 * cancelled by hand is no error; the others go on. */
static void
test_group_task_cancelled_by_hand (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, group_task_cancelled_by_hand, NULL, NULL));
  gaio_test_loop_free (loop);
}

static gboolean
group_body_awaits (gpointer   user_data,
                   GValue    *result,
                   GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  for (guint i = 0; i < 5; i++)
    gaio_task_unref (spawn_in (group, 10000));
  if (!gaio_await (gaio_sleep (10), NULL, &local_error))
    outcome->num += 10;
  return finish_group (group, outcome, local_error, error);
}

/* TG-09, test_taskgroups.py::test_taskgroup_07: the parent cancelled
 * while the body awaits: the body's await and every task are cancelled,
 * and the parent ends cancelled. */
static void
test_group_parent_cancelled_in_body (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };
  g_autoptr(GError) error = NULL;

  reset_counts ();
  g_assert_false (run_cancelled_soon (loop, group_body_awaits, &outcome, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (outcome.num + n_cancelled, ==, 15);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
group_of_failing_cleanups (gpointer   user_data,
                           GValue    *result,
                           GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  for (guint i = 0; i < 5; i++)
    spawn_func (group, fail_on_cleanup, NULL);
  gaio_await (gaio_sleep (10), NULL, &local_error);
  return finish_group (group, outcome, local_error, error);
}

static void
assert_all_failed (GPtrArray *errors,
                   guint      n)
{
  g_assert_cmpuint (errors->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_error ((GError *) g_ptr_array_index (errors, i), G_IO_ERROR, G_IO_ERROR_FAILED);
}

/* TG-10, test_taskgroups.py::test_taskgroup_08: the parent cancelled, its
 * tasks fail as they clean up: the group fails with their errors, not
 * with the cancellation. */
static void
test_group_errors_win_over_cancel (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };
  g_autoptr(GError) error = NULL;

  reset_counts ();
  g_assert_false (run_cancelled_soon (loop, group_of_failing_cleanups, &outcome, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_GROUP);
  assert_all_failed (outcome.errors, 5);
  g_assert_cmpuint (n_cancelled, ==, 5);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
group_body_fails_at_once (gpointer   user_data,
                          GValue    *result,
                          GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();

  g_assert_true (gaio_task_group_enter (group, NULL));
  outcome->tasks[0] = spawn_in (group, 1000);
  outcome->tasks[1] = spawn_in (group, 2000);
  g_set_error_literal (&outcome->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "body failed");
  gaio_task_group_exit (group, &outcome->error);
  outcome->errors = g_ptr_array_ref (gaio_task_group_get_errors (group));
  return TRUE;
}

/* TG-11, test_taskgroups.py::test_taskgroup_10: the body fails before its
 * tasks started: they are cancelled without running. */
static void
test_group_tasks_cancelled_before_start (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };

  reset_counts ();
  g_assert_true (run_main (loop, group_body_fails_at_once, &outcome, NULL));
  g_assert_error (outcome.error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_cmpuint (outcome.errors->len, ==, 1);
  g_assert_error (error_at (outcome.errors, 0), G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (outcome.tasks[0])));
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (outcome.tasks[1])));
  g_assert_cmpuint (n_started, ==, 0);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

/* The nested groups of test_taskgroup_11, _12, _13 and _14: an outer
 * group, with a task of @outer_ms when not 0; an inner one, with five
 * tasks failing as they clean up when @inner_ms is 0, else one task of
 * @inner_ms; the inner body awaits when @inner_ms is 0. */
typedef struct
{
  GroupOutcome outcome;
  gint         outer_ms;
  gint         inner_ms;
  GError      *inner_error;
} NestedGroups;

static gboolean
nested_groups (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  NestedGroups *nested = user_data;
  g_autoptr(GaioTaskGroup) outer = gaio_task_group_new ();
  g_autoptr(GaioTaskGroup) inner = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (outer, NULL));
  if (nested->outer_ms != 0)
    nested->outcome.tasks[0] = spawn_in (outer, nested->outer_ms);

  g_assert_true (gaio_task_group_enter (inner, NULL));
  if (nested->inner_ms == 0)
    {
      for (guint i = 0; i < 5; i++)
        spawn_func (inner, fail_on_cleanup, NULL);
      gaio_await (gaio_sleep (10), NULL, &local_error);
    }
  else
    nested->outcome.tasks[1] = spawn_in (inner, nested->inner_ms);
  gaio_task_group_exit (inner, &local_error);
  nested->outcome.inner_errors = g_ptr_array_ref (gaio_task_group_get_errors (inner));
  if (local_error != NULL)
    nested->inner_error = g_error_copy (local_error);

  return finish_group (outer, &nested->outcome, local_error, error);
}

static void
nested_groups_clear (NestedGroups *nested)
{
  group_outcome_clear (&nested->outcome);
  g_clear_error (&nested->inner_error);
}

/* The outer group failed with one error, the inner group's, which lists
 * @n_inner errors. */
static void
assert_nested_group_error (NestedGroups *nested,
                           const GError *error,
                           guint         n_inner)
{
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_cmpuint (nested->outcome.errors->len, ==, 1);
  g_assert_error (error_at (nested->outcome.errors, 0), GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_error (nested->inner_error, GAIO_ERROR, GAIO_ERROR_GROUP);
  assert_all_failed (nested->outcome.inner_errors, n_inner);
}

/* TG-12, test_taskgroups.py::test_taskgroup_11: the parent cancelled,
 * the tasks of an inner group fail as they clean up: the outer group
 * fails with one error, the inner group's. */
static void
test_group_nested_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  NestedGroups nested = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_cancelled_soon (loop, nested_groups, &nested, &error));
  assert_nested_group_error (&nested, error, 5);
  nested_groups_clear (&nested);
  gaio_test_loop_free (loop);
}

/* TG-12, test_taskgroups.py::test_taskgroup_12: the same with a task in
 * the outer group, which the inner group's error cancels. */
static void
test_group_nested_error_cancels_outer_task (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  NestedGroups nested = { .outer_ms = 10000 };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_cancelled_soon (loop, nested_groups, &nested, &error));
  assert_nested_group_error (&nested, error, 5);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (nested.outcome.tasks[0])));
  nested_groups_clear (&nested);
  gaio_test_loop_free (loop);
}

/* TG-12, test_taskgroups.py::test_taskgroup_14: a task of the inner group
 * fails: the inner group's error aborts the outer group (its task is
 * cancelled), which fails with that one error. (3.11 leaves the parent's
 * cancelling() at 1 here: the inner group asked for its cancellation
 * while it waited in exit, after its only uncancel(); not asserted.) */
static void
test_group_nested_task_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  NestedGroups nested = { .outer_ms = 10001, .inner_ms = 11 };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_main (loop, nested_groups, &nested, &error));
  assert_nested_group_error (&nested, error, 1);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (nested.outcome.tasks[0])));
  nested_groups_clear (&nested);
  gaio_test_loop_free (loop);
}

/* TG-13, test_taskgroups.py::test_taskgroup_13: a task of the outer group
 * fails while the parent waits in an inner group: the inner group's task
 * is cancelled, the inner group fails with the cancellation, and the
 * outer group with its task's error alone. */
static void
test_group_outer_error_cancels_inner (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  NestedGroups nested = { .outer_ms = 11, .inner_ms = 10001 };
  g_autoptr(GaioTask) task = NULL;
  g_autoptr(GError) error = NULL;

  task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (nested_groups, &nested, NULL));

  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_error (nested.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (nested.outcome.inner_errors->len, ==, 0);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (nested.outcome.tasks[1])));
  assert_all_failed (nested.outcome.errors, 1);
  g_assert_cmpuint (gaio_task_cancelling (task), ==, 0);
  g_clear_pointer (&task, gaio_task_unref);
  nested_groups_clear (&nested);
  gaio_test_loop_free (loop);
}

static gboolean
group_slow_cleanup (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  gaio_task_unref (spawn_in (group, 31));
  if (!gaio_await (gaio_sleep (10), NULL, &local_error))
    {
      g_autoptr(GError) cleanup_error = NULL;

      /* The task fails meanwhile, and the group cancels this too. */
      if (!gaio_await (gaio_sleep (0.05), NULL, &cleanup_error))
        outcome->body_saw_cancel = g_error_matches (cleanup_error, G_IO_ERROR,
                                                    G_IO_ERROR_CANCELLED);
    }
  return finish_group (group, outcome, local_error, error);
}

/* TG-14, test_taskgroups.py::test_taskgroup_15: the parent cancelled from
 * outside, a task fails while the body cleans up: the group fails with
 * the task's error, and the outside request is still counted. */
static void
test_group_error_during_cancelled_body (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };
  g_autoptr(GaioTask) canceller = NULL;
  g_autoptr(GaioTask) task = start_cancelled_soon (loop, group_slow_cleanup, &outcome, &canceller);
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_true (outcome.body_saw_cancel);
  assert_all_failed (outcome.errors, 1);
  g_assert_false (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  g_assert_cmpuint (gaio_task_cancelling (task), ==, 1);
  g_clear_pointer (&task, gaio_task_unref);
  g_clear_pointer (&canceller, gaio_task_unref);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
await_slow_cleanup (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  GaioCoroutine *coroutine = GAIO_COROUTINE_NEW (group_slow_cleanup, user_data, NULL);
  GaioTask *inner = gaio_loop_create_task (gaio_get_running_loop (), coroutine);

  return gaio_await (GAIO_FUTURE (inner), result, error);
}

/* TG-14, test_taskgroups.py::test_taskgroup_16: the same, the group's
 * parent being a task the cancelled one awaits: the group's error reaches
 * the outer task. */
static void
test_group_error_during_cancelled_body_nested (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_cancelled_soon (loop, await_slow_cleanup, &outcome, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_GROUP);
  assert_all_failed (outcome.errors, 1);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
empty_group_body_awaits (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  if (!gaio_await (gaio_sleep (10), NULL, &local_error))
    {
      outcome->num += 10;
      if (outcome->body_saw_cancel)
        {
          /* "This isn't a good idea, but we have to support this": the
           * body turns the cancellation into an error of its own. */
          g_clear_error (&local_error);
          g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "MyExc");
        }
    }
  return finish_group (group, outcome, local_error, error);
}

/* TG-15, test_taskgroups.py::test_taskgroup_17: a group with no task, its
 * parent cancelled in the body: the cancellation goes through. */
static void
test_group_empty_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_cancelled_soon (loop, empty_group_body_awaits, &outcome, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (outcome.num, ==, 10);
  g_assert_cmpuint (outcome.errors->len, ==, 0);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

/* TG-16, test_taskgroups.py::test_taskgroup_18: the body turns the
 * parent's cancellation into an error: the group fails with that error. */
static void
test_group_body_replaces_cancel (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { .body_saw_cancel = TRUE };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_cancelled_soon (loop, empty_group_body_awaits, &outcome, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_cmpint (outcome.num, ==, 10);
  g_assert_cmpuint (outcome.errors->len, ==, 1);
  g_assert_error (error_at (outcome.errors, 0), G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
group_body_fails_in_cleanup (gpointer   user_data,
                             GValue    *result,
                             GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  gaio_task_unref (spawn_in (group, 11));
  /* CPython's nested(): `try: await sleep(10) finally: raise ...`. */
  outcome->body_saw_cancel = !gaio_await (gaio_sleep (10), NULL, NULL);
  if (outcome->num == 1)
    g_set_error_literal (&local_error, GAIO_ERROR, GAIO_ERROR_ESCAPE, "KeyboardInterrupt");
  else
    g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "MyExc");
  gaio_task_group_exit (group, &local_error);
  outcome->error = local_error;
  outcome->errors = g_ptr_array_ref (gaio_task_group_get_errors (group));
  outcome->cancelling_after = gaio_task_cancelling (gaio_current_task ());
  return TRUE;
}

/* TG-17, test_taskgroups.py::test_taskgroup_19, ::test_taskgroup_21a and
 * ::test_taskgroup_context_manager_exit_raises: a task fails, the group
 * cancels the body, which fails with an error of its own: the group lists
 * the task's error then the body's, and takes its cancellation back. */
static void
test_group_body_error_after_abort (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };

  g_assert_true (run_main (loop, group_body_fails_in_cleanup, &outcome, NULL));
  g_assert_true (outcome.body_saw_cancel);
  g_assert_error (outcome.error, GAIO_ERROR, GAIO_ERROR_GROUP);
  g_assert_true (g_str_has_prefix (outcome.error->message,
                                   "unhandled errors in a TaskGroup (2 sub-exceptions)"));
  g_assert_cmpuint (outcome.errors->len, ==, 2);
  g_assert_error (error_at (outcome.errors, 0), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_error (error_at (outcome.errors, 1), G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpuint (outcome.cancelling_after, ==, 0);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

/* TG-18, test_taskgroups.py::test_taskgroup_20: the body fails with an
 * escape error (KeyboardInterrupt): the group fails with it, as it is. */
static void
test_group_body_escape (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { .num = 1 };

  g_assert_true (run_main (loop, group_body_fails_in_cleanup, &outcome, NULL));
  g_assert_error (outcome.error, GAIO_ERROR, GAIO_ERROR_ESCAPE);
  g_assert_cmpstr (outcome.error->message, ==, "KeyboardInterrupt");
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
group_forgets_done_tasks (gpointer   user_data,
                          GValue    *result,
                          GError   **error)
{
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  g_autoptr(GaioTask) task = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  task = spawn_in (group, 0);
  before = gaio_task_group_to_string (group);
  g_assert_cmpstr (before, ==, "<TaskGroup tasks=1 entered>");
  g_assert_true (gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, NULL));
  after = gaio_task_group_to_string (group);
  g_assert_cmpstr (after, ==, "<TaskGroup entered>");
  return gaio_task_group_exit (group, error);
}

/* TG-19, test_taskgroups.py::test_taskgroup_23: a task leaves the group
 * once done, before its awaiter resumes. */
static void
test_group_forgets_done_tasks (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, group_forgets_done_tasks, NULL, NULL));
  gaio_test_loop_free (loop);
}

static gboolean
spawn_two_later (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  GaioTaskGroup *group = user_data;

  if (!gaio_await (gaio_sleep (0.01), NULL, error))
    return FALSE;
  gaio_task_unref (spawn_in (group, 10));
  gaio_task_unref (spawn_in (group, 20));
  return TRUE;
}

static gboolean
group_tasks_spawn_tasks (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();

  g_assert_true (gaio_task_group_enter (group, NULL));
  spawn_func (group, spawn_two_later, group);
  return gaio_task_group_exit (group, error);
}

/* TG-20, test_taskgroups.py::test_taskgroup_24: a task of the group adds
 * tasks to it while exit waits; exit waits for them too. */
static void
test_group_tasks_spawn_tasks (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  reset_counts ();
  g_assert_true (run_main (loop, group_tasks_spawn_tasks, NULL, NULL));
  g_assert_cmpuint (n_finished, ==, 2);
  gaio_test_loop_free (loop);
}

static guint n_hydras;

static gboolean
hydra (gpointer   user_data,
       GValue    *result,
       GError   **error)
{
  GaioTaskGroup *group = user_data;
  GaioTask *head;

  n_hydras++;
  if (!gaio_await (gaio_sleep (0.01), NULL, error))
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      head = gaio_task_group_create_task (group, GAIO_COROUTINE_NEW (hydra, group, NULL), error);
      if (head == NULL)
        return FALSE;
      gaio_task_unref (head);
    }
  return TRUE;
}

static gboolean
hercules (gpointer   user_data,
          GValue    *result,
          GError   **error)
{
  while (n_hydras < 10)
    if (!gaio_await (gaio_sleep (0.015), NULL, error))
      return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "division by zero");
  return FALSE;
}

static gboolean
group_of_hydras (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  GroupOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();

  g_assert_true (gaio_task_group_enter (group, NULL));
  spawn_func (group, hydra, group);
  spawn_func (group, hercules, NULL);
  gaio_task_group_exit (group, &outcome->error);
  outcome->errors = g_ptr_array_ref (gaio_task_group_get_errors (group));
  return TRUE;
}

/* TG-21, test_taskgroups.py::test_taskgroup_25: tasks that keep adding
 * tasks are all cancelled by a failure, and none adds one after it. */
static void
test_group_hydras (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GroupOutcome outcome = { 0 };

  n_hydras = 0;
  g_assert_true (run_main (loop, group_of_hydras, &outcome, NULL));
  g_assert_error (outcome.error, GAIO_ERROR, GAIO_ERROR_GROUP);
  assert_all_failed (outcome.errors, 1);
  g_assert_cmpuint (n_hydras, >=, 10);
  group_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioTaskGroup *group;
  gint           n_released;   /* the refused coroutine's data */
} Refused;

static gboolean
never_runs (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  g_assert_not_reached ();
}

static gboolean
create_when_cancelled (gpointer   user_data,
                       GValue    *result,
                       GError   **error)
{
  Refused *refused = user_data;
  g_autoptr(GError) refusal = NULL;
  GaioCoroutine *coroutine;

  if (gaio_await (gaio_sleep (1), NULL, error))
    return TRUE;
  coroutine = GAIO_COROUTINE_NEW (never_runs, &refused->n_released, gaio_test_count_notify);
  g_assert_null (gaio_task_group_create_task (refused->group, coroutine, &refusal));
  g_assert_error (refusal, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (refusal->message, ==,
                   "TaskGroup <TaskGroup tasks=1 errors=1 cancelling> is shutting down");
  return FALSE;
}

static gboolean
group_refuses_when_aborting (gpointer   user_data,
                             GValue    *result,
                             GError   **error)
{
  Refused *refused = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  refused->group = group;
  gaio_task_unref (spawn_in (group, 1));
  spawn_func (group, create_when_cancelled, refused);
  g_assert_false (gaio_task_group_exit (group, &local_error));
  g_assert_error (local_error, GAIO_ERROR, GAIO_ERROR_GROUP);
  assert_all_failed (gaio_task_group_get_errors (group), 1);
  g_error_free (local_error);
  refused->group = NULL;
  return TRUE;
}

/* TG-22, test_taskgroups.py::test_taskgroup_no_create_task_after_failure:
 * an aborting group refuses new tasks ("is shutting down"). Unlike
 * CPython, which leaves the coroutine to its caller, the refused
 * coroutine is closed: it was given with (transfer full). */
static void
test_group_refuses_when_aborting (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Refused refused = { 0 };

  g_assert_true (run_main (loop, group_refuses_when_aborting, &refused, NULL));
  g_assert_cmpint (refused.n_released, ==, 1);
  gaio_test_loop_free (loop);
}

static gboolean
group_double_enter (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  g_autoptr(GError) local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  g_assert_true (gaio_task_group_exit (group, NULL));
  g_assert_false (gaio_task_group_enter (group, &local_error));
  g_assert_error (local_error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_true (g_str_has_suffix (local_error->message, "has already been entered"));
  return TRUE;
}

/* TG-05, test_taskgroups.py::test_taskgroup_double_enter: a group that was
 * left cannot be entered again. */
static void
test_group_double_enter (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, group_double_enter, NULL, NULL));
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
  g_assert_true (g_regex_match_simple ("^<Timeout \\[active\\] when=\\d+\\.\\d*>$",
                                       outcome.repr_inside, 0, 0));
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

/* TO-02, test_timeouts.py::test_repr_finished: done in time, the scope
 * is finished, not expired. */
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

/* TO-03 (test_timeouts.py::test_nested_timeouts_concurrent without the
 * busy loop): the outer deadline passes inside an inner scope; only the
 * outer scope converts. */
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

/* TO-04 (no CPython test; source: timeouts.Timeout.__aexit__): a
 * cancellation from outside is not turned into a timeout, even when the
 * deadline passes later. */
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

/* TO-05, test_timeouts.py::test_timeout_not_entered,
 * ::test_timeout_finished, ::test_timeout_double_enter and
 * ::test_repr_disabled: reschedule() moves the deadline (here to never)
 * and is refused before entry and after exit; a scope enters once. */
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

  g_autoptr(GError) refusal = NULL;

  gaio_timeout_enter (timeout, out);
  /* A refused enter leaves the scope not entered. */
  g_assert_false (gaio_timeout_reschedule (timeout, 0.02, &refusal));
  g_assert_cmpstr (refusal->message, ==, "Timeout has not been entered");
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

/* TO-06, source: timeouts.timeout(), which reads the running loop's clock
 * (events.get_running_loop() raises "no running event loop"): with no
 * loop running in the thread, gaio_timeout() gives NULL and a critical
 * saying so, as gaio_sleep() does. */
static void
test_timeout_no_running_loop (void)
{
  GaioTestLogRecord *record;

  gaio_test_log_clear ();
  g_assert_null (gaio_timeout (1.0));
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpint (record->level & G_LOG_LEVEL_MASK, ==, G_LOG_LEVEL_CRITICAL);
  g_assert_cmpstr (record->message, ==, "gaio_timeout: no running event loop");
  gaio_test_log_clear ();
}

static gboolean
waiter_cancelled (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  TimeoutOutcome *outcome = user_data;
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.01);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  g_assert_false (gaio_await (gaio_sleep (10), NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gaio_timeout_exit (timeout, &local_error);
  outcome->error = local_error;
  return TRUE;
}

/* TO-01, test_timeouts.py::test_waiter_cancelled: what the task awaits
 * when the deadline passes fails with the cancellation. */
static void
test_timeout_waiter_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimeoutOutcome outcome = { 0 };

  g_assert_true (run_main (loop, waiter_cancelled, &outcome, NULL));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  timeout_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

/* One scope around `await sleep (sleep_s)`, as most tests of
 * test_timeouts.py write it. */
typedef struct
{
  TimeoutOutcome outcome;
  gboolean       at;          /* gaio_timeout_at (now + delay) */
  gdouble        delay;
  gdouble        sleep_s;
  gdouble        t0;          /* the loop's time before the scope */
  gdouble        t1;          /* and after it */
  gdouble        when;        /* the deadline, after the scope */
} OneScope;

static gboolean
one_scope (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  OneScope *scope = user_data;
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTimeout) timeout = NULL;
  GError *local_error = NULL;

  scope->t0 = gaio_loop_time (loop);
  if (scope->at)
    timeout = gaio_timeout_at (scope->delay == GAIO_TIMEOUT_NEVER ? GAIO_TIMEOUT_NEVER
                                                                 : scope->t0 + scope->delay);
  else
    timeout = gaio_timeout (scope->delay);
  g_assert_true (gaio_timeout_enter (timeout, NULL));
  scope->outcome.repr_inside = gaio_timeout_to_string (timeout);
  gaio_await (gaio_sleep (scope->sleep_s), NULL, &local_error);
  gaio_timeout_exit (timeout, &local_error);
  scope->t1 = gaio_loop_time (loop);
  scope->outcome.error = local_error;
  scope->outcome.expired = gaio_timeout_expired (timeout);
  scope->outcome.repr_after = gaio_timeout_to_string (timeout);
  scope->when = gaio_timeout_get_when (timeout);
  g_assert_cmpuint (gaio_task_cancelling (gaio_current_task ()), ==, 0);
  return TRUE;
}

static void
run_one_scope (OneScope *scope)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, one_scope, scope, NULL));
  gaio_test_loop_free (loop);
}

/* TO-08, test_timeouts.py::test_timeout_at_basic: a scope made with an
 * absolute deadline expires, and keeps that deadline exactly. */
static void
test_timeout_at_basic (void)
{
  OneScope scope = { .at = TRUE, .delay = 0.01, .sleep_s = 10 };

  run_one_scope (&scope);
  g_assert_error (scope.outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (scope.outcome.expired);
  g_assert_cmpfloat (scope.when, ==, scope.t0 + 0.01);
  timeout_outcome_clear (&scope.outcome);
}

/* TO-02, test_timeouts.py::test_timeout_not_called: done in time, the
 * scope keeps its deadline, still ahead. */
static void
test_timeout_not_called (void)
{
  OneScope scope = { .delay = 10, .sleep_s = 0.01 };

  run_one_scope (&scope);
  g_assert_no_error (scope.outcome.error);
  g_assert_false (scope.outcome.expired);
  g_assert_cmpfloat (scope.when, >, scope.t1);
  timeout_outcome_clear (&scope.outcome);
}

/* TO-09, test_timeouts.py::test_timeout_disabled and ::test_repr_disabled:
 * gaio_timeout (GAIO_TIMEOUT_NEVER), Python's timeout(None), never
 * expires. */
static void
test_timeout_disabled (void)
{
  OneScope scope = { .delay = GAIO_TIMEOUT_NEVER, .sleep_s = 0.01 };

  run_one_scope (&scope);
  g_assert_no_error (scope.outcome.error);
  g_assert_false (scope.outcome.expired);
  g_assert_cmpfloat (scope.when, ==, GAIO_TIMEOUT_NEVER);
  g_assert_cmpstr (scope.outcome.repr_inside, ==, "<Timeout [active] when=None>");
  timeout_outcome_clear (&scope.outcome);
}

/* TO-09, test_timeouts.py::test_timeout_at_disabled: the same with
 * gaio_timeout_at (GAIO_TIMEOUT_NEVER). */
static void
test_timeout_at_disabled (void)
{
  OneScope scope = { .at = TRUE, .delay = GAIO_TIMEOUT_NEVER, .sleep_s = 0.01 };

  run_one_scope (&scope);
  g_assert_no_error (scope.outcome.error);
  g_assert_false (scope.outcome.expired);
  g_assert_cmpfloat (scope.when, ==, GAIO_TIMEOUT_NEVER);
  timeout_outcome_clear (&scope.outcome);
}

/* TO-07, test_timeouts.py::test_timeout_zero: a zero delay expires at
 * the next iteration; the deadline is the time of entry. */
static void
test_timeout_zero (void)
{
  OneScope scope = { .delay = 0, .sleep_s = 10 };

  run_one_scope (&scope);
  g_assert_error (scope.outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (scope.outcome.expired);
  g_assert_cmpfloat (scope.t0, <=, scope.when);
  g_assert_cmpfloat (scope.when, <=, scope.t1);
  timeout_outcome_clear (&scope.outcome);
}

/* TO-07, test_timeouts.py::test_timeout_zero_sleep_zero: even when the
 * task only yields (sleep (0)). */
static void
test_timeout_zero_sleep_zero (void)
{
  OneScope scope = { .delay = 0, .sleep_s = 0 };

  run_one_scope (&scope);
  g_assert_error (scope.outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (scope.outcome.expired);
  g_assert_cmpfloat (scope.t0, <=, scope.when);
  g_assert_cmpfloat (scope.when, <=, scope.t1);
  timeout_outcome_clear (&scope.outcome);
}

/* TO-07, test_timeouts.py::test_timeout_in_the_past_sleep_zero: a
 * deadline already past expires at the next iteration, when the task
 * only yields; the deadline stays in the past. */
static void
test_timeout_in_the_past (void)
{
  OneScope scope = { .delay = -11, .sleep_s = 0 };

  run_one_scope (&scope);
  g_assert_error (scope.outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (scope.outcome.expired);
  g_assert_cmpfloat (scope.when, <=, scope.t0);
  timeout_outcome_clear (&scope.outcome);
}

static gboolean
foreign_error_in_scope (gpointer   user_data,
                        GValue    *result,
                        GError   **error)
{
  TimeoutOutcome *outcome = user_data;
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.01);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "KeyError");
  gaio_timeout_exit (timeout, &local_error);
  outcome->error = local_error;
  outcome->expired = gaio_timeout_expired (timeout);
  return TRUE;
}

/* TO-10, test_timeouts.py::test_foreign_exception_passed: an error of the
 * stretch of code goes through the scope as it is. */
static void
test_timeout_foreign_error_passed (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimeoutOutcome outcome = { 0 };

  g_assert_true (run_main (loop, foreign_error_in_scope, &outcome, NULL));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (outcome.expired);
  timeout_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
crash (gpointer   user_data,
       GValue    *result,
       GError   **error)
{
  gaio_await (gaio_sleep (1), NULL, NULL);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "division by zero");
  return FALSE;
}

static gboolean
crash_in_scope (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  TimeoutOutcome *outcome = user_data;
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.01);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  gaio_await_coroutine (GAIO_COROUTINE_NEW (crash, NULL, NULL), NULL, &local_error);
  gaio_timeout_exit (timeout, &local_error);
  outcome->error = local_error;
  outcome->expired = gaio_timeout_expired (timeout);
  g_assert_cmpuint (gaio_task_cancelling (gaio_current_task ()), ==, 0);
  return TRUE;
}

/* TO-11, test_timeouts.py::test_foreign_exception_on_timeout: the
 * deadline passes and the awaited work ends with another error than the
 * cancellation: that error goes through, not a timeout. */
static void
test_timeout_foreign_error_on_timeout (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimeoutOutcome outcome = { 0 };

  g_assert_true (run_main (loop, crash_in_scope, &outcome, NULL));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (outcome.expired);
  timeout_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
self_cancel_in_scope (gpointer   user_data,
                      GValue    *result,
                      GError   **error)
{
  TimeoutOutcome *outcome = user_data;
  g_autoptr(GaioTimeout) timeout = gaio_timeout (10);
  GError *local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  gaio_future_cancel (GAIO_FUTURE (gaio_current_task ()), NULL);
  gaio_await (gaio_sleep (10), NULL, &local_error);
  gaio_timeout_exit (timeout, &local_error);
  outcome->error = local_error;
  outcome->expired = gaio_timeout_expired (timeout);
  return TRUE;
}

/* TO-12, test_timeouts.py::test_foreign_cancel_doesnt_timeout_if_not_expired:
 * a cancellation inside a scope whose deadline did not pass stays a
 * cancellation. */
static void
test_timeout_foreign_cancel (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimeoutOutcome outcome = { 0 };

  g_assert_true (run_main (loop, self_cancel_in_scope, &outcome, NULL));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (outcome.expired);
  timeout_outcome_clear (&outcome);
  gaio_test_loop_free (loop);
}

static gboolean
handles_timeout (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.001);
  g_autoptr(GError) local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  gaio_await (gaio_sleep (10), NULL, &local_error);
  g_assert_false (gaio_timeout_exit (timeout, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  return TRUE;
}

/* TO-13, test_timeouts.py::test_outer_task_is_not_cancelled: a task that
 * handles its timeout ends normally, not cancelled. */
static void
test_timeout_task_not_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioCoroutine *coroutine = GAIO_COROUTINE_NEW (handles_timeout, NULL, NULL);
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, coroutine);

  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, NULL));
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (task)));
  g_assert_false (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  g_assert_cmpuint (gaio_task_cancelling (task), ==, 0);
  g_clear_pointer (&task, gaio_task_unref);
  gaio_test_loop_free (loop);
}

/* Two nested scopes: outer and inner deadlines (absolute when
 * @same_deadline), and a blocking pause of @busy_s inside the inner one
 * before it awaits. */
typedef struct
{
  gdouble   outer_delay;
  gdouble   inner_delay;
  gboolean  same_deadline;
  gdouble   busy_s;
  GError   *inner_error;
  GError   *outer_error;
  gboolean  inner_expired;
  gboolean  outer_expired;
} TwoScopes;

static gboolean
two_scopes (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  TwoScopes *scopes = user_data;
  GaioLoop *loop = gaio_get_running_loop ();
  gdouble deadline = gaio_loop_time (loop) + scopes->outer_delay;
  g_autoptr(GaioTimeout) outer = NULL;
  g_autoptr(GaioTimeout) inner = NULL;
  GError *local_error = NULL;

  outer = scopes->same_deadline ? gaio_timeout_at (deadline) : gaio_timeout (scopes->outer_delay);
  g_assert_true (gaio_timeout_enter (outer, NULL));
  inner = scopes->same_deadline ? gaio_timeout_at (deadline) : gaio_timeout (scopes->inner_delay);
  g_assert_true (gaio_timeout_enter (inner, NULL));
  /* Python's time.sleep(): the loop is busy, both deadlines may pass. */
  if (scopes->busy_s > 0)
    g_usleep (scopes->busy_s * G_USEC_PER_SEC);
  gaio_await (gaio_sleep (1), NULL, &local_error);
  gaio_timeout_exit (inner, &local_error);
  scopes->inner_error = g_error_copy (local_error);
  scopes->inner_expired = gaio_timeout_expired (inner);
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The inner scope converted: the outer one's deadline
       * interrupts what follows. */
      g_clear_error (&local_error);
      gaio_await (gaio_sleep (10), NULL, &local_error);
    }
  gaio_timeout_exit (outer, &local_error);
  scopes->outer_error = local_error;
  scopes->outer_expired = gaio_timeout_expired (outer);
  g_assert_cmpuint (gaio_task_cancelling (gaio_current_task ()), ==, 0);
  return TRUE;
}

static void
run_two_scopes (TwoScopes *scopes)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, two_scopes, scopes, NULL));
  gaio_test_loop_free (loop);
}

static void
two_scopes_clear (TwoScopes *scopes)
{
  g_clear_error (&scopes->inner_error);
  g_clear_error (&scopes->outer_error);
}

/* TO-03, test_timeouts.py::test_nested_timeouts_concurrent: the outer
 * deadline passes while the loop is busy inside an inner scope whose
 * deadline is far: the inner scope lets the cancellation through, the
 * outer one converts it. */
static void
test_timeout_nested_concurrent (void)
{
  TwoScopes scopes = { .outer_delay = 0.002, .inner_delay = 10, .busy_s = 0.01 };

  run_two_scopes (&scopes);
  g_assert_error (scopes.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (scopes.inner_expired);
  g_assert_error (scopes.outer_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (scopes.outer_expired);
  two_scopes_clear (&scopes);
}

/* TO-14, test_timeouts.py::test_nested_timeouts: two scopes expire in the
 * same iteration: both read expired, the inner one lets the cancellation
 * through (a second request is pending), the outer one converts. */
static void
test_timeout_nested_same_deadline (void)
{
  TwoScopes scopes = { .outer_delay = 0.01, .same_deadline = TRUE };

  run_two_scopes (&scopes);
  g_assert_error (scopes.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (scopes.inner_expired);
  g_assert_error (scopes.outer_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (scopes.outer_expired);
  two_scopes_clear (&scopes);
}

/* TO-14, test_timeouts.py::test_nested_timeouts_loop_busy: the loop busy
 * past both deadlines, the inner one earlier: the same as CPython 3.11
 * shows it (both expire in one iteration; the inner scope lets the
 * cancellation through, the outer one converts). */
static void
test_timeout_nested_loop_busy (void)
{
  TwoScopes scopes = { .outer_delay = 0.02, .inner_delay = 0.002, .busy_s = 0.03 };

  run_two_scopes (&scopes);
  g_assert_error (scopes.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (scopes.inner_expired);
  g_assert_error (scopes.outer_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (scopes.outer_expired);
  two_scopes_clear (&scopes);
}

typedef struct
{
  GaioFuture  *entered;      /* set once the scope is entered */
  GaioTimeout *timeout;      /* (owned) */
  gdouble      deadline;
} Rescheduled;

static gboolean
scope_to_reschedule (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  Rescheduled *rescheduled = user_data;
  GError *local_error = NULL;

  rescheduled->timeout = gaio_timeout_at (rescheduled->deadline);
  g_assert_true (gaio_timeout_enter (rescheduled->timeout, NULL));
  gaio_future_set_result_boolean (rescheduled->entered, TRUE, NULL);
  gaio_await (gaio_sleep (50), NULL, &local_error);
  gaio_timeout_exit (rescheduled->timeout, &local_error);
  g_propagate_error (error, local_error);
  return local_error == NULL;
}

static gboolean
reschedule_from_outside (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  Rescheduled rescheduled = { .entered = gaio_loop_create_future (loop) };
  g_autoptr(GaioTask) task = NULL;
  g_autoptr(GError) local_error = NULL;
  gdouble deadline2;

  rescheduled.deadline = gaio_loop_time (loop) + 10;
  deadline2 = rescheduled.deadline + 20;
  task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (scope_to_reschedule, &rescheduled, NULL));
  g_assert_true (gaio_await (rescheduled.entered, NULL, NULL));

  g_assert_cmpfloat (gaio_timeout_get_when (rescheduled.timeout), ==, rescheduled.deadline);
  g_assert_true (gaio_timeout_reschedule (rescheduled.timeout, deadline2, NULL));
  g_assert_cmpfloat (gaio_timeout_get_when (rescheduled.timeout), ==, deadline2);
  g_assert_true (gaio_timeout_reschedule (rescheduled.timeout, GAIO_TIMEOUT_NEVER, NULL));
  g_assert_cmpfloat (gaio_timeout_get_when (rescheduled.timeout), ==, GAIO_TIMEOUT_NEVER);

  gaio_future_cancel (GAIO_FUTURE (task), NULL);
  g_assert_false (gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gaio_timeout_expired (rescheduled.timeout));
  gaio_timeout_unref (rescheduled.timeout);
  return TRUE;
}

/* TO-05, test_timeouts.py::test_reschedule: another task moves an active
 * scope's deadline, then removes it. */
static void
test_timeout_reschedule_from_outside (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, reschedule_from_outside, NULL, NULL));
  gaio_test_loop_free (loop);
}

static gboolean
scope_in_cleanup (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  TwoScopes *scopes = user_data;
  g_autoptr(GaioTimeout) outer = gaio_timeout (0.01);
  g_autoptr(GaioTimeout) inner = gaio_timeout (0.01);
  GError *local_error = NULL;
  GError *cleanup_error = NULL;

  g_assert_true (gaio_timeout_enter (outer, NULL));
  gaio_await (gaio_sleep (1), NULL, &local_error);
  /* Python's `finally:` */
  g_assert_true (gaio_timeout_enter (inner, NULL));
  gaio_await (gaio_sleep (10), NULL, &cleanup_error);
  gaio_timeout_exit (inner, &cleanup_error);
  scopes->inner_error = cleanup_error;
  gaio_timeout_exit (outer, &local_error);
  scopes->outer_error = local_error;
  g_assert_cmpuint (gaio_task_cancelling (gaio_current_task ()), ==, 0);
  return TRUE;
}

/* TO-15, test_timeouts.py::test_nested_timeout_in_finally: a scope
 * entered while the task cleans up after an expired one converts its own
 * expiry, and the first scope still converts its. */
static void
test_timeout_in_cleanup (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TwoScopes scopes = { 0 };

  g_assert_true (run_main (loop, scope_in_cleanup, &scopes, NULL));
  g_assert_error (scopes.inner_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (scopes.outer_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  two_scopes_clear (&scopes);
  gaio_test_loop_free (loop);
}

static gboolean
scope_after_cancellation (gpointer   user_data,
                          GValue    *result,
                          GError   **error)
{
  gboolean cancel_inside = GPOINTER_TO_INT (user_data);
  g_autoptr(GaioTimeout) timeout = gaio_timeout (cancel_inside ? 1.0 : 0.0);
  GError *local_error = NULL;

  /* A cancellation handled and not taken back: cancelling() stays 1. */
  gaio_future_cancel (GAIO_FUTURE (gaio_current_task ()), NULL);
  g_assert_false (gaio_await (gaio_sleep (1), NULL, NULL));
  g_assert_cmpuint (gaio_task_cancelling (gaio_current_task ()), ==, 1);

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  if (cancel_inside)
    gaio_future_cancel (GAIO_FUTURE (gaio_current_task ()), NULL);
  gaio_await (gaio_sleep (cancel_inside ? 2 : 1), NULL, &local_error);
  gaio_timeout_exit (timeout, &local_error);
  if (cancel_inside)
    g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_error_free (local_error);
  return TRUE;
}

/* TO-16, test_timeouts.py::test_timeout_after_cancellation: after a
 * cancellation the task handled (its count still 1), a scope still
 * converts its own expiry: it compares with the count at entry. */
static void
test_timeout_after_cancellation (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, scope_after_cancellation, GINT_TO_POINTER (FALSE), NULL));
  gaio_test_loop_free (loop);
}

/* TO-04, test_timeouts.py::test_cancel_in_timeout_after_cancellation: the
 * same, cancelled again inside the scope: that stays a cancellation. */
static void
test_timeout_cancel_after_cancellation (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, scope_after_cancellation, GINT_TO_POINTER (TRUE), NULL));
  gaio_test_loop_free (loop);
}

static gboolean
expiring_scope (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.01);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *repr = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  g_assert_false (gaio_await (gaio_sleep (1), NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&local_error);
  g_assert_false (gaio_timeout_reschedule (timeout, 0.02, &local_error));
  g_assert_error (local_error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (local_error->message, ==, "Cannot change state of expiring Timeout");
  g_clear_error (&local_error);
  /* The cancellation was handled: leaving succeeds. */
  g_assert_true (gaio_timeout_exit (timeout, &local_error));
  g_assert_true (gaio_timeout_expired (timeout));
  repr = gaio_timeout_to_string (timeout);
  g_assert_cmpstr (repr, ==, "<Timeout [expired]>");
  g_assert_cmpuint (gaio_task_cancelling (gaio_current_task ()), ==, 0);
  return TRUE;
}

/* TO-17, test_timeouts.py::test_timeout_expiring: a scope whose
 * cancellation the code inside handled cannot be rescheduled, and is
 * left without error (no timeout), its request taken back. */
static void
test_timeout_expiring (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, expiring_scope, NULL, NULL));
  gaio_test_loop_free (loop);
}

static gboolean
expired_scope (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.01);
  g_autoptr(GError) local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  gaio_await (gaio_sleep (1), NULL, &local_error);
  g_assert_false (gaio_timeout_exit (timeout, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&local_error);
  g_assert_false (gaio_timeout_reschedule (timeout, 0.02, &local_error));
  g_assert_cmpstr (local_error->message, ==, "Cannot change state of expired Timeout");
  return TRUE;
}

/* TO-05, test_timeouts.py::test_timeout_expired: an expired scope cannot
 * be rescheduled. */
static void
test_timeout_expired_refuses (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, expired_scope, NULL, NULL));
  gaio_test_loop_free (loop);
}

static gboolean
enter_active_scope (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.01);
  g_autoptr(GError) local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  g_assert_false (gaio_timeout_enter (timeout, &local_error));
  g_assert_error (local_error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (local_error->message, ==, "Timeout has already been entered");
  g_assert_true (gaio_timeout_exit (timeout, NULL));
  return TRUE;
}

/* TO-05, test_timeouts.py::test_timeout_already_entered: an active scope
 * cannot be entered again. */
static void
test_timeout_already_entered (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_assert_true (run_main (loop, enter_active_scope, NULL, NULL));
  gaio_test_loop_free (loop);
}

typedef struct
{
  gboolean  exited;
  GError   *error;
} ClosedOutcome;

static gboolean
group_waits_long (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  ClosedOutcome *outcome = user_data;
  g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
  GError *local_error = NULL;

  g_assert_true (gaio_task_group_enter (group, NULL));
  gaio_task_unref (spawn_in (group, 10000));
  gaio_task_group_exit (group, &local_error);
  outcome->exited = TRUE;
  outcome->error = local_error;
  return FALSE;
}

static gboolean
stop_loop_cb (gpointer   user_data,
              GError   **error)
{
  gaio_loop_stop (user_data);
  return TRUE;
}

static gboolean
count_reports (GaioLoop              *loop,
               GaioExceptionContext  *context,
               gpointer               user_data,
               GError               **error)
{
  (*(guint *) user_data)++;
  return TRUE;
}

/* TG-23 (no CPython counterpart: asyncio raises GeneratorExit into a
 * coroutine collected while pending): the loop closes while the parent
 * waits in exit. Its await then fails without waiting, every time: exit
 * cancels the tasks and leaves with that error instead of trying again
 * forever, and the group and its tasks are freed. */
static void
test_group_loop_closed_in_exit (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  ClosedOutcome outcome = { 0 };
  guint n_reports = 0;
  GaioTask *parent = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (group_waits_long, &outcome, NULL));

  gaio_loop_set_exception_handler (loop, count_reports, &n_reports, NULL);
  gaio_loop_call_later (loop, 0.01, stop_loop_cb, loop, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
  g_assert_false (outcome.exited);
  gaio_task_unref (parent);

  gaio_test_loop_free (loop);
  g_assert_true (outcome.exited);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (n_reports, >=, 1);
  g_clear_error (&outcome.error);
}

/* What test_timeout_expiry_hops() saw, in order. */
static GString *expiry_trace;

static gboolean
append_line_cb (gpointer   user_data,
                GError   **error)
{
  g_string_append (expiry_trace, user_data);
  g_string_append_c (expiry_trace, '\n');
  return TRUE;
}

static gboolean
body_in_timeout (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  g_autoptr(GaioTimeout) timeout = gaio_timeout (0.01);
  g_autoptr(GError) local_error = NULL;

  g_assert_true (gaio_timeout_enter (timeout, NULL));
  if (!gaio_await (gaio_sleep (10), NULL, &local_error))
    g_string_append (expiry_trace, "body cancelled\n");
  gaio_timeout_exit (timeout, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_string_append (expiry_trace, "timeout\n");
  return TRUE;
}

static gboolean
expiry_hops_main (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) w = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (body_in_timeout,
                                                                            NULL, NULL));

  g_assert_true (gaio_await (gaio_sleep (0), NULL, NULL));
  gaio_loop_call_later (loop, 0.02, append_line_cb, "timer", NULL, NULL);
  /* Blocks the loop: both timers are due at the next iteration, and run
   * there in deadline order. */
  g_usleep (50000);
  for (int i = 0; i < 4; i++)
    {
      g_assert_true (gaio_await (gaio_sleep (0), NULL, NULL));
      g_string_append_printf (expiry_trace, "main %d\n", i);
    }
  return gaio_await (gaio_future_ref (GAIO_FUTURE (w)), NULL, error);
}

/* TO-01: the deadline cancels the task in the iteration where its timer
 * runs, and the body and exit run in the next one, as 3.11's
 * Timeout._on_timeout() cancels the task. No CPython test; Python 3.11:
 *
 *   async def w():
 *       try:
 *           async with asyncio.timeout(0.01):
 *               try: await asyncio.sleep(10)
 *               except asyncio.CancelledError: print("body cancelled"); raise
 *       except TimeoutError: print("timeout")
 *   wt = create_task(w()); await asyncio.sleep(0)
 *   loop.call_later(0.02, print, "timer")
 *   time.sleep(0.05)   # both timers are due at the next iteration
 *   for i in range(4): await asyncio.sleep(0); print("main", i)
 */
static void
test_timeout_expiry_hops (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  expiry_trace = g_string_new (NULL);
  g_assert_true (run_main (loop, expiry_hops_main, NULL, NULL));
  g_assert_cmpstr (expiry_trace->str, ==,
                   "main 0\n"
                   "timer\n"
                   "main 1\n"
                   "body cancelled\n"
                   "timeout\n"
                   "main 2\n"
                   "main 3\n");
  g_string_free (g_steal_pointer (&expiry_trace), TRUE);
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
  g_test_add_func ("/Gaio/TaskGroup/TG-01/task-created-later", test_group_task_created_later);
  g_test_add_func ("/Gaio/TaskGroup/TG-05/double-enter", test_group_double_enter);
  g_test_add_func ("/Gaio/TaskGroup/TG-08/task-cancelled-by-hand",
                   test_group_task_cancelled_by_hand);
  g_test_add_func ("/Gaio/TaskGroup/TG-09/parent-cancelled-in-body",
                   test_group_parent_cancelled_in_body);
  g_test_add_func ("/Gaio/TaskGroup/TG-10/errors-win-over-cancel",
                   test_group_errors_win_over_cancel);
  g_test_add_func ("/Gaio/TaskGroup/TG-11/cancelled-before-start",
                   test_group_tasks_cancelled_before_start);
  g_test_add_func ("/Gaio/TaskGroup/TG-12/nested-error", test_group_nested_error);
  g_test_add_func ("/Gaio/TaskGroup/TG-12/nested-error-cancels-outer-task",
                   test_group_nested_error_cancels_outer_task);
  g_test_add_func ("/Gaio/TaskGroup/TG-12/nested-task-error", test_group_nested_task_error);
  g_test_add_func ("/Gaio/TaskGroup/TG-13/outer-error-cancels-inner",
                   test_group_outer_error_cancels_inner);
  g_test_add_func ("/Gaio/TaskGroup/TG-14/error-during-cancelled-body",
                   test_group_error_during_cancelled_body);
  g_test_add_func ("/Gaio/TaskGroup/TG-14/error-during-cancelled-body-nested",
                   test_group_error_during_cancelled_body_nested);
  g_test_add_func ("/Gaio/TaskGroup/TG-15/empty-cancelled", test_group_empty_cancelled);
  g_test_add_func ("/Gaio/TaskGroup/TG-16/body-replaces-cancel", test_group_body_replaces_cancel);
  g_test_add_func ("/Gaio/TaskGroup/TG-17/body-error-after-abort",
                   test_group_body_error_after_abort);
  g_test_add_func ("/Gaio/TaskGroup/TG-18/body-escape", test_group_body_escape);
  g_test_add_func ("/Gaio/TaskGroup/TG-19/forgets-done-tasks", test_group_forgets_done_tasks);
  g_test_add_func ("/Gaio/TaskGroup/TG-20/tasks-spawn-tasks", test_group_tasks_spawn_tasks);
  g_test_add_func ("/Gaio/TaskGroup/TG-21/hydras", test_group_hydras);
  g_test_add_func ("/Gaio/TaskGroup/TG-22/refuses-when-aborting", test_group_refuses_when_aborting);
  g_test_add_func ("/Gaio/TaskGroup/TG-23/loop-closed-in-exit", test_group_loop_closed_in_exit);
  g_test_add_func ("/Gaio/Timeout/TO-01/expires", test_timeout_expires);
  g_test_add_func ("/Gaio/Timeout/TO-02/not-triggered", test_timeout_not_triggered);
  g_test_add_func ("/Gaio/Timeout/TO-03/nested", test_timeout_nested);
  g_test_add_func ("/Gaio/Timeout/TO-04/outer-cancel-stays", test_timeout_outer_cancel_stays);
  g_test_add_func ("/Gaio/Timeout/TO-05/reschedule", test_timeout_reschedule);
  g_test_add_func ("/Gaio/Timeout/TO-06/without-task", test_timeout_without_task);
  g_test_add_func ("/Gaio/Timeout/TO-06/no-running-loop", test_timeout_no_running_loop);
  g_test_add_func ("/Gaio/Timeout/TO-07/in-the-past", test_timeout_in_the_past);
  g_test_add_func ("/Gaio/Timeout/TO-01/waiter-cancelled", test_timeout_waiter_cancelled);
  g_test_add_func ("/Gaio/Timeout/TO-02/not-called", test_timeout_not_called);
  g_test_add_func ("/Gaio/Timeout/TO-03/nested-concurrent", test_timeout_nested_concurrent);
  g_test_add_func ("/Gaio/Timeout/TO-04/cancel-after-cancellation",
                   test_timeout_cancel_after_cancellation);
  g_test_add_func ("/Gaio/Timeout/TO-05/reschedule-from-outside",
                   test_timeout_reschedule_from_outside);
  g_test_add_func ("/Gaio/Timeout/TO-05/expired-refuses", test_timeout_expired_refuses);
  g_test_add_func ("/Gaio/Timeout/TO-05/already-entered", test_timeout_already_entered);
  g_test_add_func ("/Gaio/Timeout/TO-07/zero", test_timeout_zero);
  g_test_add_func ("/Gaio/Timeout/TO-07/zero-sleep-zero", test_timeout_zero_sleep_zero);
  g_test_add_func ("/Gaio/Timeout/TO-08/at-basic", test_timeout_at_basic);
  g_test_add_func ("/Gaio/Timeout/TO-09/disabled", test_timeout_disabled);
  g_test_add_func ("/Gaio/Timeout/TO-09/at-disabled", test_timeout_at_disabled);
  g_test_add_func ("/Gaio/Timeout/TO-10/foreign-error-passed", test_timeout_foreign_error_passed);
  g_test_add_func ("/Gaio/Timeout/TO-11/foreign-error-on-timeout",
                   test_timeout_foreign_error_on_timeout);
  g_test_add_func ("/Gaio/Timeout/TO-12/foreign-cancel", test_timeout_foreign_cancel);
  g_test_add_func ("/Gaio/Timeout/TO-13/task-not-cancelled", test_timeout_task_not_cancelled);
  g_test_add_func ("/Gaio/Timeout/TO-14/nested-same-deadline", test_timeout_nested_same_deadline);
  g_test_add_func ("/Gaio/Timeout/TO-14/nested-loop-busy", test_timeout_nested_loop_busy);
  g_test_add_func ("/Gaio/Timeout/TO-15/in-cleanup", test_timeout_in_cleanup);
  g_test_add_func ("/Gaio/Timeout/TO-16/after-cancellation", test_timeout_after_cancellation);
  g_test_add_func ("/Gaio/Timeout/TO-17/expiring", test_timeout_expiring);
  g_test_add_func ("/Gaio/Timeout/TO-01/expiry-hops", test_timeout_expiry_hops);

  return g_test_run ();
}
