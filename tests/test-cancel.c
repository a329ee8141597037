/* test-cancel.c: cancellation and ordering exactly as asyncio 3.11
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Each test is a small program whose events are written to a trace, and
 * the trace is compared with what the same program prints under CPython
 * 3.11 (the Python program is in the comment above the test, and its
 * output is the expected trace). The cases are CN-xx, LS-16, LS-17,
 * EH-14, EH-15 and FU-12 of tests/README.md, and ports of test_tasks,
 * test_waitfor, test_futures and test_base_events cases.
 */

#include <string.h>

#include "gaio-test-util.h"

/* ------------------------------------------------------------------ */
/* The trace                                                          */

static GPtrArray *trace;

static void
note (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static void
note (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (trace, g_strdup_vprintf (format, args));
  va_end (args);
}

static GaioLoop *
setup (void)
{
  g_clear_pointer (&trace, g_ptr_array_unref);
  trace = g_ptr_array_new_with_free_func (g_free);
  return gaio_test_loop_new ();
}

/* Asserts the trace is exactly @expected (NULL-terminated). */
static void
assert_trace (const char * const *expected)
{
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  g_ptr_array_add (trace, NULL);
  got = g_strjoinv (" | ", (char **) trace->pdata);
  want = g_strjoinv (" | ", (char **) expected);
  g_ptr_array_remove_index (trace, trace->len - 1);
  g_assert_cmpstr (got, ==, want);
}

#define ASSERT_TRACE(...) assert_trace ((const char * const[]) { __VA_ARGS__, NULL })

static void
teardown (GaioLoop *loop)
{
  gaio_test_loop_free (loop);
  g_clear_pointer (&trace, g_ptr_array_unref);
}

static gboolean
note_cb (gpointer   user_data,
         GError   **error)
{
  note ("%s", (const char *) user_data);
  return TRUE;
}

static gboolean
stop_cb (gpointer   user_data,
         GError   **error)
{
  gaio_loop_stop (user_data);
  return TRUE;
}

static gboolean
run_main (GaioLoop          *loop,
          GaioCoroutineFunc  func,
          gpointer           data)
{
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, gaio_coroutine_new (func, data, NULL));

  return gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, NULL);
}

static gboolean
yield (void)
{
  return gaio_await (gaio_sleep (0), NULL, NULL);
}

static const char *
error_message (const GError *error)
{
  return error != NULL ? error->message : "(none)";
}

/* ------------------------------------------------------------------ */
/* CN-01: sleep (0)                                                   */

static gboolean
x_then_y (gpointer   user_data,
          GError   **error)
{
  note ("X");
  gaio_loop_call_soon (gaio_get_running_loop (), note_cb, "Y", NULL, NULL);
  return TRUE;
}

static gboolean
sleep0_main (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  gaio_loop_call_soon (gaio_get_running_loop (), x_then_y, NULL, NULL, NULL);
  yield ();
  note ("resumed");
  yield ();
  yield ();
  return TRUE;
}

/* CN-01, test_tasks.py::BaseTaskTests::test_sleep (sleep(0) is a bare
 * yield, tasks.__sleep0):
 *
 *   loop.call_soon(X)      # X notes "X" and call_soon(Y)
 *   await asyncio.sleep(0)
 *   note("resumed")
 *
 * prints X, resumed, Y. */
static void
test_sleep0_resumes_in_place (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, sleep0_main, NULL));
  ASSERT_TRACE ("X", "resumed", "Y");
  teardown (loop);
}

static gboolean
sleeper0 (gpointer   user_data,
          GValue    *result,
          GError   **error)
{
  g_autoptr(GError) local_error = NULL;

  if (gaio_await (gaio_sleep (0), NULL, &local_error))
    note ("not cancelled");
  else
    note ("cancelled %s", local_error->message);
  return TRUE;
}

static gboolean
cancel_at_sleep0_main (gpointer   user_data,
                       GValue    *result,
                       GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleeper0, NULL, NULL));

  yield ();
  gaio_loop_call_soon (loop, note_cb, "A", NULL, NULL);
  gaio_future_cancel (GAIO_FUTURE (task), "m");
  gaio_loop_call_soon (loop, note_cb, "B", NULL, NULL);
  return gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, error);
}

/* CN-01: a task cancelled while it sleeps 0 is resumed where its step
 * was scheduled, before callbacks scheduled after it:
 *
 *   t = create_task(sleeper())   # await sleep(0), catching CancelledError
 *   await asyncio.sleep(0)
 *   loop.call_soon(A); t.cancel("m"); loop.call_soon(B)
 *   await t
 *
 * prints "cancelled m", A, B. */
static void
test_sleep0_cancelled_in_place (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, cancel_at_sleep0_main, NULL));
  ASSERT_TRACE ("cancelled m", "A", "B");
  teardown (loop);
}

/* ------------------------------------------------------------------ */
/* CN-02: gather                                                      */

static gboolean
child_catches (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  if (gaio_await (gaio_sleep (10), NULL, NULL))
    return TRUE;

  note ("child caught");
  yield ();
  note ("child returns");
  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, 1);
  return TRUE;
}

static gboolean
gather_cancel_main (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) child = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (child_catches, NULL, NULL));
  GaioFuture *children[] = { GAIO_FUTURE (child) };
  g_autoptr(GaioFuture) gathered = gaio_gather (children, 1, FALSE);
  g_autoptr(GError) local_error = NULL;

  yield ();
  note ("cancel %s", gaio_future_cancel (gathered, NULL) ? "True" : "False");
  if (gaio_await (gaio_future_ref (gathered), NULL, &local_error))
    note ("gather result");
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    note ("gather cancelled, child done=%s", gaio_future_is_done (GAIO_FUTURE (child)) ? "True" : "False");
  note ("g.cancelled=%s", gaio_future_is_cancelled (gathered) ? "True" : "False");
  return TRUE;
}

/* CN-02, test_tasks.py::GatherTests::test_cancel_gather_1 and
 * _GatheringFuture.cancel: cancelling a gather cancels its children and
 * completes the gather only once they are done; a child that catches the
 * cancellation and returns has returned by then.
 *
 *   c = create_task(child()); g = gather(c); await sleep(0)
 *   note("cancel", g.cancel())
 *   try: await g
 *   except CancelledError: note("gather cancelled, child done", c.done())
 *   note("g.cancelled", g.cancelled())
 */
static void
test_gather_cancel_waits_for_children (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, gather_cancel_main, NULL));
  ASSERT_TRACE ("cancel True", "child caught", "child returns",
                "gather cancelled, child done=True", "g.cancelled=False");
  teardown (loop);
}

/* CN-02, _GatheringFuture.cancel returns False when no child could be
 * cancelled: the gather is left as it was. */
static void
test_gather_cancel_done_children (void)
{
  GaioLoop *loop = setup ();
  g_autoptr(GaioFuture) child = gaio_loop_create_future (loop);
  GaioFuture *children[] = { child };
  g_autoptr(GaioFuture) gathered = gaio_gather (children, 1, FALSE);
  g_auto(GValue) value = G_VALUE_INIT;

  gaio_future_set_result_int64 (child, 5, NULL);
  g_assert_false (gaio_future_cancel (gathered, NULL));
  g_assert_true (gaio_loop_run_until_complete (loop, gathered, &value, NULL));
  g_assert_cmpuint (((GPtrArray *) g_value_get_boxed (&value))->len, ==, 1);
  g_value_unset (&value);
  g_clear_pointer (&gathered, gaio_future_unref);
  g_clear_pointer (&child, gaio_future_unref);
  teardown (loop);
}

static gboolean
gather_loop (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  for (guint i = 0; i < 100; i++)
    {
      GaioFuture *children[] = { gaio_sleep (0.001) };
      GaioFuture *gathered = gaio_gather (children, 1, TRUE);

      gaio_future_unref (children[0]);
      if (!gaio_await (gathered, NULL, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
cancel_with_message (gpointer   user_data,
                     GError   **error)
{
  gaio_future_cancel (user_data, "my message");
  return TRUE;
}

/* test_tasks.py::GatherTests::test_cancel_gather_2: a task cancelled
 * with a message while it awaits gather(sleep(), return_exceptions=True)
 * ends cancelled with that message. */
static void
test_gather_cancel_message (void)
{
  GaioLoop *loop = setup ();
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (gather_loop, NULL, NULL));
  g_autoptr(GError) error = NULL;

  gaio_loop_call_later (loop, 0.01, cancel_with_message, task, NULL, NULL);
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "my message");
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  g_clear_pointer (&task, gaio_task_unref);
  teardown (loop);
}

/* ------------------------------------------------------------------ */
/* CN-03: wait_for                                                    */

static gboolean
inner_reraises (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  if (gaio_await (gaio_sleep (10), NULL, error))
    return TRUE;

  note ("inner caught");
  yield ();
  note ("inner done");
  return FALSE;
}

static gboolean
outer_wait_for (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) inner = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_reraises, NULL, NULL));

  if (gaio_await (gaio_wait_for (GAIO_FUTURE (inner), 5), NULL, error))
    return TRUE;

  note ("outer cancelled %s", error_message (*error));
  return FALSE;
}

static gboolean
wait_for_cancel_main (gpointer   user_data,
                      GValue    *result,
                      GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (outer_wait_for, NULL, NULL));

  yield ();
  yield ();
  gaio_future_cancel (GAIO_FUTURE (task), "bye");
  if (!gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, NULL))
    note ("t cancelled=%s", gaio_future_is_cancelled (GAIO_FUTURE (task)) ? "True" : "False");
  return TRUE;
}

/* CN-03, test_waitfor.py::test_wait_for_waits_for_task_cancellation
 * (3.11's _cancel_and_wait): a task cancelled while it awaits
 * wait_for(inner) resumes only once inner has finished cancelling.
 *
 *   t = create_task(outer())   # await wait_for(inner(), 5)
 *   await sleep(0); await sleep(0); t.cancel("bye"); await t
 *
 * prints inner caught, inner done, "outer cancelled bye", t cancelled. */
static void
test_wait_for_cancel_waits_for_inner (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, wait_for_cancel_main, NULL));
  ASSERT_TRACE ("inner caught", "inner done", "outer cancelled bye", "t cancelled=True");
  teardown (loop);
}

static gboolean
inner_returns_on_cancel (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  if (gaio_await (gaio_sleep (10), NULL, NULL))
    return TRUE;

  note ("inner caught");
  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, 7);
  return TRUE;
}

static gboolean
wait_for_swallowed_main (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) inner = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_returns_on_cancel,
                                                                                NULL, NULL));
  g_auto(GValue) value = G_VALUE_INIT;

  if (!gaio_await (gaio_wait_for (GAIO_FUTURE (inner), 0.01), &value, error))
    return FALSE;
  note ("result %d", (int) g_value_get_int64 (&value));
  return TRUE;
}

/* test_waitfor.py::test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started
 * family, 3.11: an inner task that swallows the timeout's cancellation
 * and returns a value: wait_for returns that value. */
static void
test_wait_for_timeout_swallowed (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, wait_for_swallowed_main, NULL));
  ASSERT_TRACE ("inner caught", "result 7");
  teardown (loop);
}

static gboolean
outer_awaits_future (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  if (!gaio_await (gaio_wait_for (user_data, 5), &value, error))
    {
      note ("outer failed %s", error_message (*error));
      return FALSE;
    }
  note ("outer got %d", (int) g_value_get_int64 (&value));
  return TRUE;
}

static gboolean
wait_for_result_wins_main (gpointer   user_data,
                           GValue    *result,
                           GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioFuture) future = gaio_loop_create_future (loop);
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (outer_awaits_future,
                                                                               future, NULL));

  yield ();
  gaio_future_set_result_int64 (future, 3, NULL);
  gaio_future_cancel (GAIO_FUTURE (task), NULL);
  gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, NULL);
  note ("t cancelled %s", gaio_future_is_cancelled (GAIO_FUTURE (task)) ? "True" : "False");
  return TRUE;
}

/* 3.11's wait_for: the task is cancelled after the inner future finished
 * but before wait_for saw it: the result wins (`if fut.done(): return
 * fut.result()`).
 *
 *   t = create_task(outer())   # await wait_for(fut, 5)
 *   await sleep(0); fut.set_result(3); t.cancel(); await t
 *
 * prints "outer got 3", "t cancelled False". */
static void
test_wait_for_result_wins_over_cancel (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, wait_for_result_wins_main, NULL));
  ASSERT_TRACE ("outer got 3", "t cancelled False");
  teardown (loop);
}

/* ------------------------------------------------------------------ */
/* CN-04: cancel() twice                                              */

static gboolean
sleeper_notes_message (gpointer   user_data,
                       GValue    *result,
                       GError   **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!gaio_await (gaio_sleep (10), NULL, &local_error))
    note ("got %s", local_error->message);
  return TRUE;
}

static gboolean
cancel_twice_main (gpointer   user_data,
                   GValue    *result,
                   GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleeper_notes_message,
                                                                               NULL, NULL));

  yield ();
  gaio_future_cancel (GAIO_FUTURE (task), "first");
  gaio_future_cancel (GAIO_FUTURE (task), "second");
  note ("cancelling=%u", gaio_task_cancelling (task));
  return gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, error);
}

/* CN-04, Task.cancel() and __step: two cancel() calls on a suspended
 * task count two requests and deliver the first message. */
static void
test_cancel_twice_first_message (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, cancel_twice_main, NULL));
  ASSERT_TRACE ("cancelling=2", "got first");
  teardown (loop);
}

/* ------------------------------------------------------------------ */
/* LS-16, LS-17: handles                                              */

/* LS-16, test_base_events.py::test_call_later_negative_delays, for
 * call_at: negative deadlines are kept, run in their order, and
 * get_when() returns them. */
static void
test_call_at_negative (void)
{
  GaioLoop *loop = setup ();
  GaioHandle *first;

  first = gaio_loop_call_at (loop, -1, note_cb, "at -1", NULL, NULL);
  gaio_loop_call_at (loop, -3, note_cb, "at -3", NULL, NULL);
  gaio_loop_call_at (loop, -2, note_cb, "at -2", NULL, NULL);
  g_assert_cmpfloat (gaio_handle_get_when (first), ==, -1.0);

  gaio_loop_call_later (loop, 0.01, note_cb, "later", NULL, NULL);
  gaio_loop_call_later (loop, 0.02, stop_cb, loop, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
  ASSERT_TRACE ("at -3", "at -2", "at -1", "later");
  teardown (loop);
}

/* LS-17, test_events.py::HandleTests::test_handle (Handle.cancel() sets
 * _cancelled whatever the state): a handle cancelled after its callback
 * ran reads as cancelled, and its callback did run once. */
static void
test_handle_cancel_after_run (void)
{
  GaioLoop *loop = setup ();
  g_autoptr(GaioHandle) handle = gaio_handle_ref (gaio_loop_call_soon (loop, note_cb, "ran", NULL, NULL));

  gaio_loop_call_soon (loop, stop_cb, loop, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
  g_assert_false (gaio_handle_is_cancelled (handle));
  gaio_handle_cancel (handle);
  g_assert_true (gaio_handle_is_cancelled (handle));
  ASSERT_TRACE ("ran");
  teardown (loop);
}

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Cancel/CN-01/sleep0-resumes-in-place", test_sleep0_resumes_in_place);
  g_test_add_func ("/Gaio/Cancel/CN-01/sleep0-cancelled-in-place", test_sleep0_cancelled_in_place);
  g_test_add_func ("/Gaio/Cancel/CN-02/gather-waits-for-children", test_gather_cancel_waits_for_children);
  g_test_add_func ("/Gaio/Cancel/CN-02/gather-cancel-done-children", test_gather_cancel_done_children);
  g_test_add_func ("/Gaio/Cancel/CN-02/gather-cancel-message", test_gather_cancel_message);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-waits-for-inner", test_wait_for_cancel_waits_for_inner);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-timeout-swallowed", test_wait_for_timeout_swallowed);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-result-wins", test_wait_for_result_wins_over_cancel);
  g_test_add_func ("/Gaio/Cancel/CN-04/cancel-twice-first-message", test_cancel_twice_first_message);
  g_test_add_func ("/Gaio/Cancel/LS-16/call-at-negative", test_call_at_negative);
  g_test_add_func ("/Gaio/Cancel/LS-17/handle-cancel-after-run", test_handle_cancel_after_run);

  return g_test_run ();
}
