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
 * test_waitfor, test_futures and test_base_events cases. Every test of
 * test_waitfor.py has a counterpart here (a few in test-task.c too); the
 * timeout of -1 of test_wait_for_timeout_less_then_0_or_0 is
 * GAIO_NO_TIMEOUT in C, and the __context__ of the TimeoutError has no
 * GError counterpart.
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

/* test_waitfor.py::test_wait_for_cancellation_race_condition, 3.11: an
 * inner task that swallows the timeout's cancellation and returns a
 * value: wait_for returns that value. */
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

static gboolean
inner_fails_on_cancel (gpointer   user_data,
                       GValue    *result,
                       GError   **error)
{
  if (gaio_await (gaio_sleep (10), NULL, NULL))
    return TRUE;
  yield ();
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "KeyError");
  return FALSE;
}

static gboolean
outer_wait_for_task (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  return gaio_await (gaio_wait_for (user_data, 5), NULL, error);
}

static gboolean
wait_for_cancel_inner_fails_main (gpointer   user_data,
                                  GValue    *result,
                                  GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) inner = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_fails_on_cancel,
                                                                                NULL, NULL));
  g_autoptr(GaioTask) w = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (outer_wait_for_task,
                                                                            inner, NULL));
  g_autoptr(GError) local_error = NULL;

  yield ();
  yield ();
  gaio_future_cancel (GAIO_FUTURE (w), NULL);
  if (!gaio_await (gaio_future_ref (GAIO_FUTURE (w)), NULL, &local_error))
    note ("w %s", g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled"
                                                                                 : local_error->message);
  g_clear_error (&local_error);
  gaio_future_get_result (GAIO_FUTURE (inner), NULL, &local_error);
  note ("inner %s %s", gaio_future_is_done (GAIO_FUTURE (inner)) ? "True" : "False",
        local_error != NULL ? local_error->message : "(none)");
  return TRUE;
}

/* CN-03: a task cancelled while it awaits wait_for() ends cancelled even
 * when the awaited task fails as it handles the cancellation; that error
 * stays the awaited task's (3.11's `await _cancel_and_wait(fut); raise`).
 * No CPython test; Python 3.11:
 *
 *   async def inner():
 *       try: await asyncio.sleep(10)
 *       except asyncio.CancelledError:
 *           await asyncio.sleep(0); raise KeyError("k")
 *   it = create_task(inner()); w = create_task(wait_for(it, 5))
 *   await sleep(0); await sleep(0); w.cancel(); await w
 *
 * prints "w cancelled", then it.exception() is the KeyError. */
static void
test_wait_for_cancel_inner_fails (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, wait_for_cancel_inner_fails_main, NULL));
  ASSERT_TRACE ("w cancelled", "inner True KeyError");
  teardown (loop);
}

typedef struct
{
  const char *name;
  GaioFuture *future;
  gdouble     timeout;
  gboolean    direct;     /* awaits @future itself */
} HopWaiter;

static gboolean
hop_waiter (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  HopWaiter *waiter = user_data;
  GaioFuture *awaited;
  g_auto(GValue) value = G_VALUE_INIT;

  /* Made in the task's first step, where asyncio's wait_for() coroutine
   * starts. */
  if (waiter->direct)
    awaited = gaio_future_ref (waiter->future);
  else
    awaited = gaio_wait_for (waiter->future, waiter->timeout);
  if (!gaio_await (awaited, &value, error))
    return FALSE;
  note ("%s got %d", waiter->name, (int) g_value_get_int64 (&value));
  return TRUE;
}

static gboolean
wait_for_hops_main (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioFuture) fut = gaio_loop_create_future (loop);
  g_autoptr(GaioFuture) f2 = gaio_loop_create_future (loop);
  HopWaiter wa = { "wait_for", fut, 5, FALSE };
  HopWaiter wb = { "direct", f2, 0, TRUE };
  HopWaiter wc = { "wait_for_none", f2, GAIO_NO_TIMEOUT, FALSE };
  g_autoptr(GaioTask) a = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (hop_waiter, &wa, NULL));
  g_autoptr(GaioTask) b = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (hop_waiter, &wb, NULL));
  g_autoptr(GaioTask) c = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (hop_waiter, &wc, NULL));

  yield ();
  gaio_future_set_result_int64 (fut, 1, NULL);
  gaio_future_set_result_int64 (f2, 2, NULL);
  note ("set");
  for (int i = 0; i < 4; i++)
    {
      yield ();
      note ("main %d", i);
    }
  gaio_await (gaio_future_ref (GAIO_FUTURE (a)), NULL, NULL);
  gaio_await (gaio_future_ref (GAIO_FUTURE (b)), NULL, NULL);
  gaio_await (gaio_future_ref (GAIO_FUTURE (c)), NULL, NULL);
  return TRUE;
}

/* CN-03: a task awaiting wait_for() with a timeout resumes one iteration
 * after the awaited future is done (3.11's _release_waiter sets the
 * waiter, whose callback wakes the task); without a timeout it resumes
 * where it would awaiting the future itself (3.11's `return await fut`).
 * No CPython test; Python 3.11:
 *
 *   a = create_task(waiter("wait_for", wait_for(fut, 5)))
 *   b = create_task(waiter("direct", f2))
 *   c = create_task(waiter("wait_for_none", wait_for(f2, None)))
 *   await sleep(0)
 *   fut.set_result(1); f2.set_result(2); print("set")
 *   for i in range(4): await sleep(0); print("main", i)
 *
 * where waiter(name, aw) is `print(name, "got", await aw)`. */
static void
test_wait_for_hops (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, wait_for_hops_main, NULL));
  ASSERT_TRACE ("set", "direct got 2", "wait_for_none got 2", "main 0", "wait_for got 1", "main 1",
                "main 2", "main 3");
  teardown (loop);
}

static gboolean
inner_notes_cancel (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  if (gaio_await (gaio_sleep (10), NULL, error))
    return TRUE;
  note ("inner cancelled");
  return FALSE;
}

static gboolean
outer_zero_timeout (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!gaio_await (gaio_wait_for (user_data, 0), NULL, &local_error) &&
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    note ("timeout");
  return TRUE;
}

static gboolean
wait_for_zero_hops_main (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) inner = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_notes_cancel,
                                                                                NULL, NULL));
  g_autoptr(GaioTask) w = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (outer_zero_timeout,
                                                                            inner, NULL));

  for (int i = 0; i < 5; i++)
    {
      yield ();
      note ("main %d", i);
    }
  gaio_await (gaio_future_ref (GAIO_FUTURE (w)), NULL, NULL);
  return TRUE;
}

/* CN-03: with a timeout of 0, wait_for() cancels a running task in its
 * first step and the awaiting task resumes two iterations after the task
 * ended (3.11's `await _cancel_and_wait(fut)`, then TimeoutError). No
 * CPython test; Python 3.11:
 *
 *   t = create_task(inner())   # prints "inner cancelled" on cancellation
 *   d = create_task(w())       # await wait_for(t, 0); print("timeout")
 *   for i in range(5): await asyncio.sleep(0); print("main", i)
 */
static void
test_wait_for_zero_hops (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, wait_for_zero_hops_main, NULL));
  ASSERT_TRACE ("main 0", "inner cancelled", "main 1", "main 2", "timeout", "main 3", "main 4");
  teardown (loop);
}

static gboolean
outer_notes_wait_for (gpointer   user_data,
                      GValue    *result,
                      GError   **error)
{
  g_auto(GValue) value = G_VALUE_INIT;
  GError *local_error = NULL;

  if (gaio_await (gaio_wait_for (user_data, 0.01), &value, &local_error))
    {
      note ("w got %d", (int) g_value_get_int64 (&value));
      return TRUE;
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      note ("timeout");
      g_error_free (local_error);
      return TRUE;
    }
  note ("w cancelled");
  g_propagate_error (error, local_error);
  return FALSE;
}

typedef struct
{
  GaioFuture *inner;       /* what w waits for, 0.01 s at most */
  GaioCallback at_020;     /* a timer due after the deadline, in its iteration */
  gpointer     at_020_data;
  GaioTask    *w;
} ExpiryProgram;

/* The main task of the programs below: w = create_task(...wait_for(inner,
 * 0.01)...); sleep(0); call_later(0.02, at_020); time.sleep(0.05), so
 * that both timers are due at the next iteration and run there in
 * deadline order; then six rounds of sleep(0) and print("main", i). */
static gboolean
expiry_program_main (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  ExpiryProgram *program = user_data;
  GaioLoop *loop = gaio_get_running_loop ();

  program->w = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (outer_notes_wait_for,
                                                                program->inner, NULL));
  yield ();
  gaio_loop_call_later (loop, 0.02, program->at_020, program->at_020_data, NULL, NULL);
  g_usleep (50000);
  for (int i = 0; i < 6; i++)
    {
      yield ();
      note ("main %d", i);
    }
  gaio_await (gaio_future_ref (GAIO_FUTURE (program->w)), NULL, NULL);
  return TRUE;
}

static void
run_expiry_program (GaioLoop      *loop,
                    ExpiryProgram *program)
{
  g_assert_true (run_main (loop, expiry_program_main, program));
  g_clear_pointer (&program->w, gaio_task_unref);
}

/* CN-03: the deadline only releases wait_for(); the task awaiting it
 * cancels the awaited task when it resumes, one iteration later, and
 * resumes two iterations after that task ended (3.11's _release_waiter
 * then `await _cancel_and_wait(fut)`). No CPython test; Python 3.11:
 *
 *   t = create_task(inner())    # prints "inner cancelled", re-raises
 *   w = create_task(outer(t))   # await wait_for(t, 0.01)
 *   await asyncio.sleep(0)
 *   loop.call_later(0.02, print, "timer")
 *   time.sleep(0.05)
 *   for i in range(6): await asyncio.sleep(0); print("main", i)
 */
static void
test_wait_for_expiry_hops (void)
{
  GaioLoop *loop = setup ();
  GaioTask *inner = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_notes_cancel, NULL, NULL));
  ExpiryProgram program = { GAIO_FUTURE (inner), note_cb, "timer" };

  run_expiry_program (loop, &program);
  ASSERT_TRACE ("main 0", "timer", "main 1", "main 2", "inner cancelled", "main 3", "main 4",
                "timeout", "main 5");
  gaio_task_unref (inner);
  teardown (loop);
}

static gboolean
set_three_cb (gpointer   user_data,
              GError   **error)
{
  note ("set");
  gaio_future_set_result_int64 (user_data, 3, NULL);
  return TRUE;
}

/* CN-03: a result that arrives after the deadline passed, in the same
 * iteration, wins: 3.11's task finds the future done when it resumes
 * (`if fut.done(): return fut.result()`). No CPython test; Python 3.11:
 * the program above with a future as inner, and
 * loop.call_later(0.02, inner.set_result, 3). */
static void
test_wait_for_result_after_deadline (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *inner = gaio_loop_create_future (loop);
  ExpiryProgram program = { inner, set_three_cb, inner };

  run_expiry_program (loop, &program);
  ASSERT_TRACE ("main 0", "set", "main 1", "w got 3", "main 2", "main 3", "main 4", "main 5");
  gaio_future_unref (inner);
  teardown (loop);
}

static gboolean
cancel_w_cb (gpointer   user_data,
             GError   **error)
{
  ExpiryProgram *program = user_data;

  note ("cancel w");
  gaio_future_cancel (GAIO_FUTURE (program->w), NULL);
  return TRUE;
}

/* CN-03: the task awaiting wait_for() cancelled after the deadline
 * passed, in the same iteration: it cancels the awaited task when it
 * resumes, waits for it, and ends cancelled, not timed out. No CPython
 * test; Python 3.11: the program of test_wait_for_expiry_hops() with
 * loop.call_later(0.02, w.cancel). */
static void
test_wait_for_cancel_after_deadline (void)
{
  GaioLoop *loop = setup ();
  GaioTask *inner = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_notes_cancel, NULL, NULL));
  ExpiryProgram program = { GAIO_FUTURE (inner), cancel_w_cb, NULL };

  program.at_020_data = &program;
  run_expiry_program (loop, &program);
  ASSERT_TRACE ("main 0", "cancel w", "main 1", "main 2", "inner cancelled", "main 3", "main 4",
                "w cancelled", "main 5");
  gaio_task_unref (inner);
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

/* ------------------------------------------------------------------ */
/* Ports of test_tasks.py cancellation cases                          */

/* test_utils.run_briefly(): one iteration of what is ready now. */
static void
run_briefly (GaioLoop *loop)
{
  gaio_loop_call_soon (loop, stop_cb, loop, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
}

static gboolean
await_data (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  if (!gaio_await (gaio_future_ref (user_data), NULL, error))
    return FALSE;
  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, 12);
  return TRUE;
}

static gboolean
sleep_long (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  return gaio_await (gaio_sleep (10), NULL, error);
}

/* test_tasks.py::BaseTaskTests::test_cancelling and ::test_task_repr:
 * each cancel() counts a request and returns TRUE while the task is
 * pending; the task then reads as `cancelling`. */
static void
test_cancelling_count_and_repr (void)
{
  GaioLoop *loop = setup ();
  GaioTask *task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleep_long, NULL, NULL));
  g_autofree char *before = gaio_future_to_string (GAIO_FUTURE (task));
  g_autofree char *after = NULL;

  g_assert_cmpuint (gaio_task_cancelling (task), ==, 0);
  g_assert_true (g_str_has_prefix (before, "<Task pending "));
  g_assert_true (gaio_future_cancel (GAIO_FUTURE (task), NULL));
  g_assert_cmpuint (gaio_task_cancelling (task), ==, 1);
  after = gaio_future_to_string (GAIO_FUTURE (task));
  g_assert_true (g_str_has_prefix (after, "<Task cancelling "));
  g_assert_true (gaio_future_cancel (GAIO_FUTURE (task), NULL));
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, NULL));
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  g_assert_false (gaio_future_cancel (GAIO_FUTURE (task), NULL));
  gaio_task_unref (task);
  teardown (loop);
}

static gboolean
uncancel_then_sleep (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  if (gaio_await (gaio_sleep (10), NULL, NULL))
    return TRUE;
  gaio_task_uncancel (gaio_current_task ());
  return gaio_await (gaio_sleep (10), NULL, error);
}

static void
run_for (GaioLoop *loop,
         gdouble   seconds)
{
  gaio_loop_call_later (loop, seconds, stop_cb, loop, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
}

/* test_tasks.py::BaseTaskTests::test_uncancel_basic: a task that catches
 * its cancellation and calls uncancel() is back to zero requests and
 * pending; cancelled again, it ends cancelled, and uncancel() after the
 * end changes nothing. */
static void
test_uncancel_basic (void)
{
  GaioLoop *loop = setup ();
  GaioTask *task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (uncancel_then_sleep, NULL, NULL));

  run_for (loop, 0.01);
  g_assert_true (gaio_future_cancel (GAIO_FUTURE (task), NULL));
  g_assert_cmpuint (gaio_task_cancelling (task), ==, 1);
  run_for (loop, 0.01);
  g_assert_cmpuint (gaio_task_cancelling (task), ==, 0);
  g_assert_false (gaio_future_is_done (GAIO_FUTURE (task)));
  g_assert_true (gaio_future_cancel (GAIO_FUTURE (task), NULL));
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, NULL));
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  gaio_task_uncancel (task);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  gaio_task_unref (task);
  teardown (loop);
}

static gboolean
sleep0_twice (gpointer   user_data,
              GValue    *result,
              GError   **error)
{
  if (!gaio_await (gaio_sleep (0), NULL, error) || !gaio_await (gaio_sleep (0), NULL, error))
    return FALSE;
  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, 12);
  return TRUE;
}

/* test_tasks.py::BaseTaskTests::test_cancel_yield: a task cancelled at
 * sleep (0) ends cancelled, and cancel() on it is then FALSE. */
static void
test_cancel_yield (void)
{
  GaioLoop *loop = setup ();
  GaioTask *task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleep0_twice, NULL, NULL));
  g_autoptr(GError) error = NULL;

  run_briefly (loop);
  gaio_future_cancel (GAIO_FUTURE (task), NULL);
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  g_assert_false (gaio_future_cancel (GAIO_FUTURE (task), NULL));
  gaio_task_unref (task);
  teardown (loop);
}

/* test_tasks.py::BaseTaskTests::test_cancel_inner_future and
 * ::test_cancel_both_task_and_inner_future: the awaited future
 * cancelled (with or without the task) cancels the task. */
static void
test_cancel_inner_future (void)
{
  for (guint both = 0; both < 2; both++)
    {
      GaioLoop *loop = setup ();
      GaioFuture *future = gaio_loop_create_future (loop);
      GaioTask *task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (await_data, future, NULL));

      run_briefly (loop);
      gaio_future_cancel (future, NULL);
      if (both)
        gaio_future_cancel (GAIO_FUTURE (task), NULL);
      g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, NULL));
      g_assert_true (gaio_future_is_cancelled (future));
      g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
      gaio_task_unref (task);
      gaio_future_unref (future);
      teardown (loop);
    }
}

typedef struct
{
  GaioFuture *futures[3];
} ThreeFutures;

static gboolean
ignore_second (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  ThreeFutures *f = user_data;

  if (!gaio_await (gaio_future_ref (f->futures[0]), NULL, error))
    return FALSE;
  gaio_await (gaio_future_ref (f->futures[1]), NULL, NULL);
  return gaio_await (gaio_future_ref (f->futures[2]), result, error);
}

/* test_tasks.py::BaseTaskTests::test_cancel_task_ignoring: a task that
 * catches the cancellation of its await goes on, and its result is what
 * it returns. */
static void
test_cancel_task_ignoring (void)
{
  GaioLoop *loop = setup ();
  ThreeFutures f;
  GaioTask *task;
  g_auto(GValue) value = G_VALUE_INIT;

  for (guint i = 0; i < 3; i++)
    f.futures[i] = gaio_loop_create_future (loop);
  task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (ignore_second, &f, NULL));
  run_briefly (loop);
  gaio_future_set_result_int64 (f.futures[0], 0, NULL);
  run_briefly (loop);
  g_assert_true (gaio_future_cancel (GAIO_FUTURE (task), NULL));
  g_assert_true (gaio_future_is_cancelled (f.futures[1]));
  run_briefly (loop);
  gaio_future_set_result_int64 (f.futures[2], 42, NULL);
  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), &value, NULL));
  g_assert_cmpint (g_value_get_int64 (&value), ==, 42);
  g_assert_false (gaio_future_is_cancelled (f.futures[2]));
  g_assert_false (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  gaio_task_unref (task);
  for (guint i = 0; i < 3; i++)
    gaio_future_unref (f.futures[i]);
  teardown (loop);
}

static gboolean
await_sleeper (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) sleeper = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleep_long, NULL, NULL));

  gaio_loop_call_later (loop, 0.01, cancel_with_message, sleeper, NULL, NULL);
  if (gaio_await (gaio_future_ref (GAIO_FUTURE (sleeper)), NULL, NULL))
    note ("slept in");
  else
    note ("cancelled");
  return TRUE;
}

/* test_tasks.py::BaseTaskTests::test_task_cancel_sleeping_task: the
 * awaited task, cancelled by a timer, fails its awaiter's await with the
 * cancellation. */
static void
test_cancel_sleeping_task (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, await_sleeper, NULL));
  ASSERT_TRACE ("cancelled");
  teardown (loop);
}

typedef struct
{
  GaioFuture *waiter;
  guint       proof;
} Proof;

static gboolean
inner_proof (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  Proof *proof = user_data;

  if (!gaio_await (gaio_future_ref (proof->waiter), NULL, error))
    return FALSE;
  proof->proof += 1;
  return TRUE;
}

static gboolean
outer_shielded (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  Proof *proof = user_data;
  g_autoptr(GaioTask) inner = gaio_loop_create_task (gaio_get_running_loop (),
                                                     GAIO_COROUTINE_NEW (inner_proof, proof, NULL));

  if (!gaio_await (gaio_shield (GAIO_FUTURE (inner)), NULL, error))
    return FALSE;
  proof->proof += 100;
  return TRUE;
}

/* test_tasks.py::BaseTaskTests::test_shield_effect: cancelling the task
 * that awaits a shield leaves the shielded work running to its end. */
/* Runs @outer (which starts inner_proof() and waits for it through some
 * combinator) for @n_steps iterations, cancels it, then lets the inner
 * work finish: it must have run to its end (proof 1) and @outer must not
 * have gone on (no 100). */
static void
assert_cancel_spares_inner (GaioCoroutineFunc outer_func,
                            guint             n_steps)
{
  GaioLoop *loop = setup ();
  Proof proof = { gaio_loop_create_future (loop), 0 };
  GaioTask *outer = gaio_loop_create_task (loop, gaio_coroutine_new (outer_func, &proof, NULL));

  for (guint i = 0; i < n_steps; i++)
    run_briefly (loop);
  gaio_future_cancel (GAIO_FUTURE (outer), NULL);
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (outer), NULL, NULL));
  gaio_future_set_result_int64 (proof.waiter, 0, NULL);
  run_briefly (loop);
  run_briefly (loop);
  g_assert_cmpuint (proof.proof, ==, 1);
  gaio_task_unref (outer);
  gaio_future_unref (proof.waiter);
  teardown (loop);
}

static void
test_shield_effect (void)
{
  assert_cancel_spares_inner (outer_shielded, 2);
}

/* test_tasks.py::BaseTaskTests::test_shield_cancel_inner: the shielded
 * future cancelled cancels the shield (without the message: asyncio
 * calls outer.cancel()); the shield cancelled lets go of the inner
 * future's callback (test_shield_cancel_outer's `_callbacks` check). */
static void
test_shield_cancel_inner (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *inner = gaio_loop_create_future (loop);
  GaioFuture *outer = gaio_shield (inner);
  GaioFuture *inner2 = gaio_loop_create_future (loop);
  GaioFuture *outer2 = gaio_shield (inner2);
  g_autoptr(GError) error = NULL;
  g_autofree char *repr = NULL;

  run_briefly (loop);
  gaio_future_cancel (inner, "inner message");
  run_briefly (loop);
  g_assert_true (gaio_future_is_cancelled (outer));
  g_assert_false (gaio_future_get_result (outer, NULL, &error));
  g_assert_cmpstr (error->message, !=, "inner message");

  gaio_future_cancel (outer2, NULL);
  run_briefly (loop);
  run_briefly (loop);
  g_assert_false (gaio_future_is_done (inner2));
  repr = gaio_future_to_string (inner2);
  g_assert_null (strstr (repr, "cb=["));

  gaio_future_unref (outer);
  gaio_future_unref (inner);
  gaio_future_unref (outer2);
  gaio_future_unref (inner2);
  teardown (loop);
}

/* test_tasks.py::BaseTaskTests::test_shield_gather: cancelling the
 * shield of a gather leaves the gather and its children alone. */
static void
test_shield_gather (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *children[2] = { gaio_loop_create_future (loop), gaio_loop_create_future (loop) };
  GaioFuture *parent = gaio_gather (children, 2, FALSE);
  GaioFuture *outer = gaio_shield (parent);
  g_auto(GValue) value = G_VALUE_INIT;

  run_briefly (loop);
  gaio_future_cancel (outer, NULL);
  run_briefly (loop);
  g_assert_true (gaio_future_is_cancelled (outer));
  gaio_future_set_result_int64 (children[0], 1, NULL);
  gaio_future_set_result_int64 (children[1], 2, NULL);
  g_assert_true (gaio_loop_run_until_complete (loop, parent, &value, NULL));
  g_assert_cmpuint (((GPtrArray *) g_value_get_boxed (&value))->len, ==, 2);
  g_value_unset (&value);
  gaio_future_unref (outer);
  gaio_future_unref (parent);
  gaio_future_unref (children[0]);
  gaio_future_unref (children[1]);
  teardown (loop);
}

/* test_tasks.py::BaseTaskTests::test_gather_shield: cancelling a gather
 * of shields cancels the shields, not what they protect; the gather
 * fails with the cancellation. */
static void
test_gather_shield (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *children[2] = { gaio_loop_create_future (loop), gaio_loop_create_future (loop) };
  GaioFuture *inner[2] = { gaio_shield (children[0]), gaio_shield (children[1]) };
  GaioFuture *parent = gaio_gather (inner, 2, FALSE);
  g_autoptr(GError) error = NULL;

  run_briefly (loop);
  g_assert_true (gaio_future_cancel (parent, NULL));
  run_briefly (loop);
  g_assert_false (gaio_future_get_result (parent, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gaio_future_is_cancelled (parent));
  g_assert_true (gaio_future_is_cancelled (inner[0]));
  g_assert_true (gaio_future_is_cancelled (inner[1]));
  g_assert_false (gaio_future_is_done (children[0]));
  gaio_future_set_result_int64 (children[0], 1, NULL);
  gaio_future_set_result_int64 (children[1], 2, NULL);
  run_briefly (loop);
  for (guint i = 0; i < 2; i++)
    {
      gaio_future_unref (inner[i]);
      gaio_future_unref (children[i]);
    }
  gaio_future_unref (parent);
  teardown (loop);
}

static gboolean
outer_gathers (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  GaioFuture **children = user_data;
  GaioFuture *gatherer = gaio_gather (children, 2, FALSE);

  children[2] = gaio_future_ref (gatherer);
  return gaio_await (gatherer, NULL, error);
}

/* test_tasks.py::GatherTests::test_cancellation_broadcast: cancelling
 * the task awaiting a gather cancels every child; the gather cannot be
 * cancelled afterwards. */
static void
test_gather_cancellation_broadcast (void)
{
  GaioLoop *loop = setup ();
  Proof proof = { gaio_loop_create_future (loop), 0 };
  GaioFuture *children[3] = {
    GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_proof, &proof, NULL))),
    GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_proof, &proof, NULL))),
    NULL,
  };
  GaioTask *outer = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (outer_gathers, children, NULL));

  run_briefly (loop);
  g_assert_true (gaio_future_cancel (GAIO_FUTURE (outer), NULL));
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (outer), NULL, NULL));
  g_assert_false (gaio_future_cancel (children[2], NULL));
  g_assert_true (gaio_future_is_cancelled (proof.waiter));
  g_assert_true (gaio_future_is_cancelled (children[0]));
  g_assert_true (gaio_future_is_cancelled (children[1]));
  run_briefly (loop);
  g_assert_cmpuint (proof.proof, ==, 0);
  for (guint i = 0; i < 3; i++)
    gaio_future_unref (children[i]);
  gaio_task_unref (outer);
  gaio_future_unref (proof.waiter);
  teardown (loop);
}

static void
count_done (GaioFuture *future,
            gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* test_tasks.py::FutureGatherTests::test_one_cancellation: a cancelled
 * child fails the gather at once with the cancellation (finished, not
 * cancelled); later outcomes change nothing. */
static void
test_gather_one_cancellation (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *f[5];
  GaioFuture *gathered;
  guint n_calls = 0;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 5; i++)
    f[i] = gaio_loop_create_future (loop);
  gathered = gaio_gather (f, 5, FALSE);
  gaio_future_add_done_callback (gathered, count_done, &n_calls, NULL);
  gaio_future_set_result_int64 (f[0], 1, NULL);
  gaio_future_cancel (f[1], NULL);
  run_briefly (loop);
  run_briefly (loop);
  g_assert_true (gaio_future_is_done (gathered));
  g_assert_cmpuint (n_calls, ==, 1);
  g_assert_false (gaio_future_is_cancelled (gathered));
  g_assert_false (gaio_future_get_result (gathered, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gaio_future_set_result_int64 (f[2], 3, NULL);
  gaio_future_cancel (f[3], NULL);
  gaio_future_take_error (f[4], g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "rte"), NULL);
  run_briefly (loop);
  g_assert_cmpuint (n_calls, ==, 1);
  for (guint i = 0; i < 5; i++)
    gaio_future_unref (f[i]);
  gaio_future_unref (gathered);
  teardown (loop);
}

/* test_tasks.py::FutureGatherTests::test_result_exception_one_cancellation:
 * with return_exceptions, cancelled children are results too, and the
 * gather waits for every child. */
static void
test_gather_return_exceptions_cancellation (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *f[6];
  GaioFuture *gathered;
  g_auto(GValue) value = G_VALUE_INIT;
  GPtrArray *results;

  for (guint i = 0; i < 6; i++)
    f[i] = gaio_loop_create_future (loop);
  gathered = gaio_gather (f, 6, TRUE);
  gaio_future_set_result_int64 (f[0], 1, NULL);
  gaio_future_take_error (f[1], g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "zde"), NULL);
  gaio_future_cancel (f[2], NULL);
  run_briefly (loop);
  run_briefly (loop);
  g_assert_false (gaio_future_is_done (gathered));
  gaio_future_set_result_int64 (f[3], 3, NULL);
  gaio_future_cancel (f[4], NULL);
  gaio_future_take_error (f[5], g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "rte"), NULL);
  g_assert_true (gaio_loop_run_until_complete (loop, gathered, &value, NULL));
  results = g_value_get_boxed (&value);
  g_assert_true (gaio_future_is_cancelled (g_ptr_array_index (results, 2)));
  g_assert_true (gaio_future_is_cancelled (g_ptr_array_index (results, 4)));
  g_assert_cmpint (gaio_future_get_result_int64 (g_ptr_array_index (results, 3), NULL), ==, 3);
  g_value_unset (&value);
  for (guint i = 0; i < 6; i++)
    gaio_future_unref (f[i]);
  gaio_future_unref (gathered);
  teardown (loop);
}

static gboolean
fail_type_error (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "TypeError");
  return FALSE;
}

static gboolean
cancel_failed_task (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  GaioTask *task = gaio_loop_create_task (gaio_get_running_loop (),
                                          GAIO_COROUTINE_NEW (fail_type_error, NULL, NULL));

  if (!gaio_await (gaio_sleep (0.01), NULL, error))
    return FALSE;
  gaio_future_cancel (GAIO_FUTURE (task), NULL);
  gaio_task_unref (task);
  return TRUE;
}

/* test_tasks.py::BaseTaskTests::test_tb_logger_not_called_after_cancel:
 * cancel() on a task that already failed marks its error retrieved: no
 * "never retrieved" report (gaio_test_loop_free() fails on one). */
static void
test_cancel_marks_retrieved (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, cancel_failed_task, NULL));
  teardown (loop);
}

/* ------------------------------------------------------------------ */
/* Ports of test_waitfor.py                                           */

typedef struct
{
  gboolean started;
  gboolean running;
  gboolean done;
  gdouble  sleep_on_cancel;   /* > 0: sleeps this long when cancelled, then re-raises */
  gboolean raise_other;       /* raises a FooException when cancelled */
  guint    swallow;           /* catches this many cancellations, then returns 42 */
} Inner;

static gboolean
inner_work (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  Inner *inner = user_data;
  GError *local_error = NULL;

  inner->started = TRUE;
  inner->running = TRUE;
  while (!gaio_await (gaio_sleep (inner->swallow > 0 ? 0.3 : 10), NULL, &local_error))
    {
      if (inner->swallow == 0)
        break;
      inner->swallow--;
      g_clear_error (&local_error);
      if (inner->swallow == 0)
        {
          gaio_await (gaio_sleep (0.3), NULL, NULL);
          break;
        }
    }
  if (local_error != NULL && inner->sleep_on_cancel > 0)
    gaio_await (gaio_sleep (inner->sleep_on_cancel), NULL, NULL);
  inner->running = FALSE;
  inner->done = TRUE;
  if (local_error != NULL && inner->raise_other)
    {
      g_clear_error (&local_error);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "FooException");
      return FALSE;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, 42);
  return TRUE;
}

static GaioTask *
spawn_inner (GaioLoop *loop,
             Inner    *inner)
{
  return gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_work, inner, NULL));
}

/* test_waitfor.py::test_wait_for: on timeout the awaited task is
 * cancelled and finished (its cleanup ran) before the timeout error
 * arrives. */
static void
test_wait_for_timeout_cancels_task (void)
{
  GaioLoop *loop = setup ();
  Inner inner = { 0 };
  GaioTask *task = spawn_inner (loop, &inner);
  GaioFuture *wait_for = gaio_wait_for (GAIO_FUTURE (task), 0.01);
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_loop_run_until_complete (loop, wait_for, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  g_assert_false (inner.running);
  gaio_future_unref (wait_for);
  gaio_task_unref (task);
  teardown (loop);
}

/* test_waitfor.py::test_wait_for_timeout_less_then_0_or_0_future_done:
 * a done future is not timed out, even with a timeout of 0. */
static void
test_wait_for_zero_done (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GaioFuture *wait_for;
  g_auto(GValue) value = G_VALUE_INIT;

  gaio_future_set_result_string (future, "done", NULL);
  wait_for = gaio_wait_for (future, 0);
  g_assert_true (gaio_loop_run_until_complete (loop, wait_for, &value, NULL));
  g_assert_cmpstr (g_value_get_string (&value), ==, "done");
  g_value_unset (&value);
  gaio_future_unref (wait_for);
  gaio_future_unref (future);
  teardown (loop);
}

/* test_waitfor.py::test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started
 * and ::test_wait_for_timeout_less_then_0_or_0: a timeout of 0 cancels
 * at once: a task not started yet never starts; a running one is
 * cancelled and done when the timeout error arrives. (-1 is
 * GAIO_NO_TIMEOUT in C, see docs/asyncio-mapping.md.) */
static void
test_wait_for_zero_timeout (void)
{
  GaioLoop *loop = setup ();
  Inner not_started = { 0 }, running = { 0 };
  GaioTask *first = spawn_inner (loop, &not_started);
  GaioFuture *wait_for = gaio_wait_for (GAIO_FUTURE (first), 0);
  GaioTask *second;
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_loop_run_until_complete (loop, wait_for, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_false (not_started.started);
  g_clear_error (&error);
  gaio_future_unref (wait_for);

  second = spawn_inner (loop, &running);
  run_briefly (loop);
  g_assert_true (running.started);
  wait_for = gaio_wait_for (GAIO_FUTURE (second), 0);
  g_assert_false (gaio_loop_run_until_complete (loop, wait_for, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (second)));
  g_assert_false (running.running);

  gaio_future_unref (wait_for);
  gaio_task_unref (first);
  gaio_task_unref (second);
  teardown (loop);
}

static gboolean
set_ok_cb (gpointer   user_data,
           GError   **error)
{
  gaio_future_set_result_string (user_data, "ok", NULL);
  return TRUE;
}

/* test_waitfor.py::test_wait_for_race_condition: a result in time is the
 * result. */
static void
test_wait_for_in_time (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GaioFuture *wait_for = gaio_wait_for (future, 0.2);
  g_auto(GValue) value = G_VALUE_INIT;

  gaio_loop_call_later (loop, 0.01, set_ok_cb, future, NULL, NULL);
  g_assert_true (gaio_loop_run_until_complete (loop, wait_for, &value, NULL));
  g_assert_cmpstr (g_value_get_string (&value), ==, "ok");
  g_value_unset (&value);
  gaio_future_unref (wait_for);
  gaio_future_unref (future);
  teardown (loop);
}

/* test_waitfor.py::test_wait_for_waits_for_task_cancellation: the
 * timeout waits for the task's cleanup, however long it takes. */
static void
test_wait_for_waits_for_cleanup (void)
{
  GaioLoop *loop = setup ();
  Inner inner = { .sleep_on_cancel = 0.02 };
  GaioTask *task = spawn_inner (loop, &inner);
  GaioFuture *wait_for = gaio_wait_for (GAIO_FUTURE (task), 0.001);
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_loop_run_until_complete (loop, wait_for, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (inner.done);
  gaio_future_unref (wait_for);
  gaio_task_unref (task);
  teardown (loop);
}

/* test_waitfor.py::test_wait_for_reraises_exception_during_cancellation:
 * an error the task raises while cancelled by the timeout is the
 * outcome, not the timeout. */
static void
test_wait_for_reraises (void)
{
  GaioLoop *loop = setup ();
  Inner inner = { .raise_other = TRUE };
  GaioTask *task = spawn_inner (loop, &inner);
  GaioFuture *wait_for = gaio_wait_for (GAIO_FUTURE (task), 0.001);
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_loop_run_until_complete (loop, wait_for, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  gaio_future_unref (wait_for);
  gaio_task_unref (task);
  teardown (loop);
}

static gboolean
await_wait_for (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  return gaio_await (gaio_wait_for (user_data, 0.1), NULL, error);
}

/* test_waitfor.py::test_wait_for_self_cancellation: cancelling the task
 * awaiting wait_for() while the timeout's cancellation is being handled
 * ends that task at once; the inner task goes on to its result. */
static void
test_wait_for_self_cancellation (void)
{
  GaioLoop *loop = setup ();
  Inner inner = { .swallow = 2 };
  GaioTask *inner_task = spawn_inner (loop, &inner);
  GaioTask *task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (await_wait_for, inner_task, NULL));
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  run_for (loop, 0.2);
  gaio_future_cancel (GAIO_FUTURE (task), NULL);
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (inner_task), &value, NULL));
  g_assert_cmpint (g_value_get_int64 (&value), ==, 42);
  gaio_task_unref (task);
  gaio_task_unref (inner_task);
  teardown (loop);
}

typedef struct
{
  GaioFuture *inner;
  gdouble     timeout;
} WaitSpec;

static gboolean
await_wait_for_spec (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  WaitSpec *spec = user_data;

  return gaio_await (gaio_wait_for (spec->inner, spec->timeout), NULL, error);
}

static gboolean
cancel_quietly (gpointer   user_data,
                GError   **error)
{
  gaio_future_cancel (user_data, NULL);
  return TRUE;
}

/* test_waitfor.py::test_cancel_blocking_wait_for and
 * ::test_cancel_wait_for: cancelling the task awaiting wait_for(), with
 * or without a timeout, cancels the awaited task. */
static void
test_cancel_wait_for (void)
{
  const gdouble timeouts[] = { GAIO_NO_TIMEOUT, 60.0 };

  for (guint i = 0; i < G_N_ELEMENTS (timeouts); i++)
    {
      GaioLoop *loop = setup ();
      GaioFuture *blocker = gaio_loop_create_future (loop);
      GaioTask *task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (await_data, blocker, NULL));
      WaitSpec spec = { GAIO_FUTURE (task), timeouts[i] };
      GaioTask *wait = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (await_wait_for_spec, &spec, NULL));
      g_autoptr(GError) error = NULL;

      gaio_loop_call_soon (loop, cancel_quietly, wait, NULL, NULL);
      g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (wait), NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
      gaio_task_unref (wait);
      gaio_task_unref (task);
      gaio_future_unref (blocker);
      teardown (loop);
    }
}

/* test_waitfor.py's SlowTask: runs until its deadline, however often it
 * is cancelled, then returns 5. */
typedef struct
{
  gdouble  duration;
  gboolean exited;
} SlowTask;

static gboolean
slow_task_run (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  SlowTask *slow = user_data;
  GaioLoop *loop = gaio_get_running_loop ();
  gdouble exit_at = gaio_loop_time (loop) + slow->duration;
  gdouble to_sleep;

  while ((to_sleep = exit_at - gaio_loop_time (loop)) > 0)
    gaio_await (gaio_sleep (to_sleep), NULL, NULL);
  slow->exited = TRUE;
  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, 5);
  return TRUE;
}

/* CN-03, test_waitfor.py::test_asyncio_wait_for_cancelled: cancelling
 * the task awaiting wait_for() ends it only once the awaited task has
 * run to its end, which it does, ignoring the cancellation. */
static void
test_wait_for_cancelled_waits_for_slow_task (void)
{
  GaioLoop *loop = setup ();
  SlowTask slow = { 0.05, FALSE };
  GaioTask *slow_task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (slow_task_run, &slow, NULL));
  WaitSpec spec = { GAIO_FUTURE (slow_task), slow.duration * 2 };
  GaioTask *wait = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (await_wait_for_spec, &spec, NULL));
  g_autoptr(GError) error = NULL;

  run_briefly (loop);
  gaio_future_cancel (GAIO_FUTURE (wait), NULL);
  g_assert_false (gaio_loop_run_until_complete (loop, GAIO_FUTURE (wait), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (slow.exited);
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (slow_task)));
  gaio_task_unref (wait);
  gaio_task_unref (slow_task);
  teardown (loop);
}

/* test_waitfor.py::test_asyncio_wait_for_timeout: on timeout the awaited
 * task is cancelled and waited for; one that ignores the cancellation
 * and returns makes its value wait_for()'s, not a timeout (3.11's
 * `return fut.result()` after _cancel_and_wait; the CPython test accepts
 * either and checks the task exited). */
static void
test_wait_for_timeout_slow_task (void)
{
  GaioLoop *loop = setup ();
  SlowTask slow = { 0.05, FALSE };
  GaioTask *slow_task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (slow_task_run, &slow, NULL));
  GaioFuture *wait_for = gaio_wait_for (GAIO_FUTURE (slow_task), slow.duration / 2);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_loop_run_until_complete (loop, wait_for, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 5);
  g_assert_true (slow.exited);
  gaio_future_unref (wait_for);
  gaio_task_unref (slow_task);
  teardown (loop);
}

static gboolean
return_done (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  g_value_init (result, G_TYPE_STRING);
  g_value_set_static_string (result, "done");
  return TRUE;
}

/* test_waitfor.py::test_wait_for_blocking: without a timeout (asyncio's
 * None, GAIO_NO_TIMEOUT here) wait_for() is the awaited task's outcome. */
static void
test_wait_for_no_timeout (void)
{
  GaioLoop *loop = setup ();
  GaioTask *task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (return_done, NULL, NULL));
  GaioFuture *wait_for = gaio_wait_for (GAIO_FUTURE (task), GAIO_NO_TIMEOUT);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_loop_run_until_complete (loop, wait_for, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (&value), ==, "done");
  gaio_future_unref (wait_for);
  gaio_task_unref (task);
  teardown (loop);
}

/* CN-03, test_waitfor.py::test_wait_for_waits_for_task_cancellation_w_timeout_0:
 * with a timeout of 0 too, the timeout error comes only once the
 * running task's cleanup, which takes time, is over. */
static void
test_wait_for_zero_waits_for_cleanup (void)
{
  GaioLoop *loop = setup ();
  Inner inner = { .sleep_on_cancel = 0.001 };
  GaioTask *task = spawn_inner (loop, &inner);
  GaioFuture *wait_for;
  g_autoptr(GError) error = NULL;

  run_briefly (loop);
  g_assert_true (inner.running);
  wait_for = gaio_wait_for (GAIO_FUTURE (task), 0);
  g_assert_false (gaio_loop_run_until_complete (loop, wait_for, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (inner.done);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
  gaio_future_unref (wait_for);
  gaio_task_unref (task);
  teardown (loop);
}

static gboolean
outer_notes_outcome (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  WaitSpec *spec = user_data;
  g_auto(GValue) value = G_VALUE_INIT;

  if (gaio_await (gaio_wait_for (spec->inner, spec->timeout), &value, error))
    {
      note ("w got %d", (int) g_value_get_int64 (&value));
      return TRUE;
    }
  note ("w %s", g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled"
                                                                           : (*error)->message);
  return FALSE;
}

static gboolean
wait_for_cancel_swallowed_main (gpointer   user_data,
                                GValue    *result,
                                GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) inner = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_returns_on_cancel,
                                                                                NULL, NULL));
  WaitSpec spec = { GAIO_FUTURE (inner), *(gdouble *) user_data };
  g_autoptr(GaioTask) w = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (outer_notes_outcome,
                                                                            &spec, NULL));

  yield ();
  yield ();
  gaio_future_cancel (GAIO_FUTURE (w), NULL);
  gaio_await (gaio_future_ref (GAIO_FUTURE (w)), NULL, NULL);
  return TRUE;
}

/* CN-03: a task cancelled while it awaits wait_for() with a timeout ends
 * cancelled even though the awaited task swallowed the cancellation and
 * returned (3.11's `await _cancel_and_wait(fut); raise`). No CPython
 * test; Python 3.11:
 *
 *   async def inner():
 *       try: await asyncio.sleep(10)
 *       except asyncio.CancelledError: print("inner caught"); return 7
 *   it = create_task(inner()); w = create_task(wait_for(it, 5))
 *   await sleep(0); await sleep(0); w.cancel(); await w
 *
 * prints "inner caught", "w cancelled". */
static void
test_wait_for_cancel_swallowed (void)
{
  GaioLoop *loop = setup ();
  gdouble timeout = 5;

  g_assert_true (run_main (loop, wait_for_cancel_swallowed_main, &timeout));
  ASSERT_TRACE ("inner caught", "w cancelled");
  teardown (loop);
}

/* CN-03: the same without a timeout: 3.11's wait_for(fut, None) is
 * `return await fut`, so the cancellation goes to the awaited task, and
 * the value it returns instead is the awaiting task's
 * (test_waitfor.py::test_cancel_blocking_wait_for checks the awaited
 * task is cancelled; this is the case where it declines). Python 3.11:
 * the program above with wait_for(it, None) prints "inner caught",
 * "w got 7". */
static void
test_wait_for_no_timeout_cancel_swallowed (void)
{
  GaioLoop *loop = setup ();
  gdouble timeout = GAIO_NO_TIMEOUT;

  g_assert_true (run_main (loop, wait_for_cancel_swallowed_main, &timeout));
  ASSERT_TRACE ("inner caught", "w got 7");
  teardown (loop);
}

static gboolean
inner_cancelled_by_other_main (gpointer   user_data,
                               GValue    *result,
                               GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioTask) inner = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (inner_notes_cancel,
                                                                                NULL, NULL));
  WaitSpec spec = { GAIO_FUTURE (inner), 5 };
  g_autoptr(GaioTask) w = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (outer_notes_outcome,
                                                                            &spec, NULL));

  yield ();
  gaio_future_cancel (GAIO_FUTURE (inner), NULL);
  gaio_await (gaio_future_ref (GAIO_FUTURE (w)), NULL, NULL);
  note ("w cancelled=%s", gaio_future_is_cancelled (GAIO_FUTURE (w)) ? "True" : "False");
  return TRUE;
}

/* CN-03: the awaited task cancelled by someone else: wait_for() ends
 * with its cancellation, and the awaiting task ends cancelled (3.11's
 * `return fut.result()` raises the CancelledError). No CPython test;
 * Python 3.11:
 *
 *   it = create_task(inner()); w = create_task(outer(it))  # wait_for(it, 5)
 *   await asyncio.sleep(0); it.cancel(); await w
 *
 * prints "inner cancelled", "w cancelled", w.cancelled() True. */
static void
test_wait_for_inner_cancelled_by_other (void)
{
  GaioLoop *loop = setup ();

  g_assert_true (run_main (loop, inner_cancelled_by_other_main, NULL));
  ASSERT_TRACE ("inner cancelled", "w cancelled", "w cancelled=True");
  teardown (loop);
}

/* CN-03: wait_for() on a future cancelled already ends cancelled, with
 * the future's message (3.11: `return fut.result()` raises its
 * CancelledError). No CPython test. */
static void
test_wait_for_cancelled_future (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GaioFuture *wait_for;
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_future_cancel (future, "gone"));
  wait_for = gaio_wait_for (future, 5);
  g_assert_false (gaio_loop_run_until_complete (loop, wait_for, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "gone");
  g_assert_true (gaio_future_is_cancelled (wait_for));
  gaio_future_unref (wait_for);
  gaio_future_unref (future);
  teardown (loop);
}

/* ------------------------------------------------------------------ */
/* Ports of test_tasks.py wait() cases                                */

static gboolean
sleep0_n (gpointer   user_data,
          GValue    *result,
          GError   **error)
{
  for (guint i = 0; i < GPOINTER_TO_UINT (user_data); i++)
    if (!gaio_await (gaio_sleep (0), NULL, error))
      return FALSE;
  return TRUE;
}

static guint
result_len (GaioFuture *future)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gaio_future_get_result (future, &value, NULL));
  return ((GPtrArray *) g_value_get_boxed (&value))->len;
}

/* test_tasks.py::BaseTaskTests::test_wait_really_done: the done set is
 * taken where the awaiting task resumes, so a future that finished in
 * between is in it. */
static void
test_wait_really_done (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *tasks[2] = {
    GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleep0_n, GUINT_TO_POINTER (2), NULL))),
    GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleep0_n, GUINT_TO_POINTER (1), NULL))),
  };
  GaioFuture *wait = gaio_wait (tasks, 2, GAIO_NO_TIMEOUT, GAIO_WAIT_FIRST_COMPLETED);

  g_assert_true (gaio_loop_run_until_complete (loop, wait, NULL, NULL));
  g_assert_cmpuint (result_len (wait), ==, 2);
  gaio_future_unref (wait);
  gaio_future_unref (tasks[0]);
  gaio_future_unref (tasks[1]);
  teardown (loop);
}

static gboolean
fail_after (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  if (!gaio_await (gaio_sleep (0.01), NULL, error))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "err");
  return FALSE;
}

/* test_tasks.py::BaseTaskTests::test_wait_first_exception_in_wait: an
 * error during the wait ends a FIRST_EXCEPTION wait with that future
 * done and the other pending. */
static void
test_wait_first_exception_in_wait (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *tasks[2] = {
    GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (fail_after, NULL, NULL))),
    GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleep_long, NULL, NULL))),
  };
  GaioFuture *wait = gaio_wait (tasks, 2, GAIO_NO_TIMEOUT, GAIO_WAIT_FIRST_EXCEPTION);
  GaioFuture *all;

  g_assert_true (gaio_loop_run_until_complete (loop, wait, NULL, NULL));
  g_assert_cmpuint (result_len (wait), ==, 1);
  g_assert_false (gaio_future_is_done (tasks[1]));
  gaio_future_get_error (tasks[0], NULL);
  gaio_future_cancel (tasks[1], NULL);
  all = gaio_wait (tasks, 2, GAIO_NO_TIMEOUT, GAIO_WAIT_ALL_COMPLETED);
  g_assert_true (gaio_loop_run_until_complete (loop, all, NULL, NULL));
  gaio_future_unref (all);
  gaio_future_unref (wait);
  gaio_future_unref (tasks[0]);
  gaio_future_unref (tasks[1]);
  teardown (loop);
}

static gboolean
outer_waits (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  Proof *proof = user_data;
  GaioFuture *inner = GAIO_FUTURE (gaio_loop_create_task (gaio_get_running_loop (),
                                                          GAIO_COROUTINE_NEW (inner_proof, proof, NULL)));
  gboolean ok = gaio_await (gaio_wait (&inner, 1, GAIO_NO_TIMEOUT, GAIO_WAIT_ALL_COMPLETED), NULL, error);

  gaio_future_unref (inner);
  if (!ok)
    return FALSE;
  proof->proof += 100;
  return TRUE;
}

/* test_tasks.py::BaseTaskTests::test_yield_wait_does_not_shield_cancel:
 * cancelling the task awaiting wait() ends that wait early; the future it
 * waited for goes on. */
static void
test_wait_does_not_shield_cancel (void)
{
  assert_cancel_spares_inner (outer_waits, 1);
}

static gboolean
sleep_for (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  return gaio_await (gaio_sleep (GPOINTER_TO_UINT (user_data) / 1000.0), NULL, error);
}

/* test_tasks.py::BaseTaskTests::test_wait_concurrent_complete and
 * ::test_wait_with_timeout: at the timeout, the futures done are the done
 * set and the rest stay pending; a timeout is no error. */
static void
test_wait_timeout_splits (void)
{
  GaioLoop *loop = setup ();
  GaioFuture *tasks[2] = {
    GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleep_for, GUINT_TO_POINTER (1), NULL))),
    GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (sleep_for, GUINT_TO_POINTER (500), NULL))),
  };
  GaioFuture *wait = gaio_wait (tasks, 2, 0.1, GAIO_WAIT_ALL_COMPLETED);

  g_assert_true (gaio_loop_run_until_complete (loop, wait, NULL, NULL));
  g_assert_cmpuint (result_len (wait), ==, 1);
  g_assert_true (gaio_future_is_done (tasks[0]));
  g_assert_false (gaio_future_is_done (tasks[1]));
  gaio_future_cancel (tasks[1], NULL);
  g_assert_false (gaio_loop_run_until_complete (loop, tasks[1], NULL, NULL));
  gaio_future_unref (wait);
  gaio_future_unref (tasks[0]);
  gaio_future_unref (tasks[1]);
  teardown (loop);
}

/* ------------------------------------------------------------------ */
/* EH-14: the handler's context as given                              */

typedef struct
{
  gboolean   called;
  gboolean   had_task_key;
  GaioFuture *future;       /* (unowned) the context's `future`, compared only */
  GaioTask   *current;      /* (unowned) gaio_current_task() inside the handler */
} Seen;

static gboolean
seeing_handler (GaioLoop              *loop,
                GaioExceptionContext  *context,
                gpointer               user_data,
                GError               **error)
{
  Seen *seen = user_data;

  seen->called = TRUE;
  seen->had_task_key = gaio_exception_context_contains (context, "task");
  seen->future = gaio_exception_context_get_future (context);
  seen->current = gaio_current_task ();
  return TRUE;
}

static gboolean
drop_last_ref (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  GaioFuture **failed = user_data;

  /* The failed task's last reference goes inside this task. */
  g_clear_pointer (failed, gaio_future_unref);
  return TRUE;
}

/* EH-14, test_base_events.py::test_default_exc_handler_coro: "Task
 * exception was never retrieved" reported while another task drops the
 * last reference names the task that failed (its `future` key, and the
 * task the handler runs in), and no `task` key is added. */
static void
test_never_retrieved_names_failed_task (void)
{
  GaioLoop *loop = setup ();
  Seen seen = { 0 };
  GaioFuture *failed = GAIO_FUTURE (gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (fail_type_error,
                                                                                      NULL, NULL)));
  GaioFuture *failed_address = failed;
  GaioTask *dropper;

  gaio_loop_set_exception_handler (loop, seeing_handler, &seen, NULL);
  run_briefly (loop);
  g_assert_true (gaio_future_is_done (failed));
  dropper = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (drop_last_ref, &failed, NULL));
  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (dropper), NULL, NULL));

  g_assert_true (seen.called);
  g_assert_false (seen.had_task_key);
  g_assert_true (seen.future == failed_address);
  g_assert_true (GAIO_FUTURE (seen.current) == failed_address);
  gaio_task_unref (dropper);
  gaio_loop_set_exception_handler (loop, NULL, NULL, NULL);
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
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-cancel-inner-fails", test_wait_for_cancel_inner_fails);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-hops", test_wait_for_hops);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-zero-hops", test_wait_for_zero_hops);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-expiry-hops", test_wait_for_expiry_hops);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-result-after-deadline",
                   test_wait_for_result_after_deadline);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-cancel-after-deadline",
                   test_wait_for_cancel_after_deadline);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-cancel-swallowed", test_wait_for_cancel_swallowed);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-no-timeout-cancel-swallowed",
                   test_wait_for_no_timeout_cancel_swallowed);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-inner-cancelled-by-other",
                   test_wait_for_inner_cancelled_by_other);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-cancelled-future", test_wait_for_cancelled_future);
  g_test_add_func ("/Gaio/Cancel/CN-04/cancel-twice-first-message", test_cancel_twice_first_message);
  g_test_add_func ("/Gaio/Cancel/LS-16/call-at-negative", test_call_at_negative);
  g_test_add_func ("/Gaio/Cancel/EH-14/never-retrieved-names-failed-task",
                   test_never_retrieved_names_failed_task);
  g_test_add_func ("/Gaio/Cancel/tasks/cancelling", test_cancelling_count_and_repr);
  g_test_add_func ("/Gaio/Cancel/tasks/uncancel-basic", test_uncancel_basic);
  g_test_add_func ("/Gaio/Cancel/tasks/cancel-yield", test_cancel_yield);
  g_test_add_func ("/Gaio/Cancel/tasks/cancel-inner-future", test_cancel_inner_future);
  g_test_add_func ("/Gaio/Cancel/tasks/cancel-task-ignoring", test_cancel_task_ignoring);
  g_test_add_func ("/Gaio/Cancel/tasks/cancel-sleeping-task", test_cancel_sleeping_task);
  g_test_add_func ("/Gaio/Cancel/tasks/shield-effect", test_shield_effect);
  g_test_add_func ("/Gaio/Cancel/tasks/shield-cancel-inner", test_shield_cancel_inner);
  g_test_add_func ("/Gaio/Cancel/tasks/shield-gather", test_shield_gather);
  g_test_add_func ("/Gaio/Cancel/tasks/gather-shield", test_gather_shield);
  g_test_add_func ("/Gaio/Cancel/tasks/gather-cancellation-broadcast", test_gather_cancellation_broadcast);
  g_test_add_func ("/Gaio/Cancel/tasks/gather-one-cancellation", test_gather_one_cancellation);
  g_test_add_func ("/Gaio/Cancel/tasks/gather-return-exceptions-cancellation",
                   test_gather_return_exceptions_cancellation);
  g_test_add_func ("/Gaio/Cancel/tasks/cancel-marks-retrieved", test_cancel_marks_retrieved);
  g_test_add_func ("/Gaio/Cancel/wait/really-done", test_wait_really_done);
  g_test_add_func ("/Gaio/Cancel/wait/first-exception-in-wait", test_wait_first_exception_in_wait);
  g_test_add_func ("/Gaio/Cancel/wait/does-not-shield-cancel", test_wait_does_not_shield_cancel);
  g_test_add_func ("/Gaio/Cancel/wait/timeout-splits", test_wait_timeout_splits);
  g_test_add_func ("/Gaio/Cancel/waitfor/timeout-cancels-task", test_wait_for_timeout_cancels_task);
  g_test_add_func ("/Gaio/Cancel/waitfor/zero-done", test_wait_for_zero_done);
  g_test_add_func ("/Gaio/Cancel/waitfor/zero-timeout", test_wait_for_zero_timeout);
  g_test_add_func ("/Gaio/Cancel/waitfor/in-time", test_wait_for_in_time);
  g_test_add_func ("/Gaio/Cancel/waitfor/waits-for-cleanup", test_wait_for_waits_for_cleanup);
  g_test_add_func ("/Gaio/Cancel/waitfor/reraises", test_wait_for_reraises);
  g_test_add_func ("/Gaio/Cancel/waitfor/self-cancellation", test_wait_for_self_cancellation);
  g_test_add_func ("/Gaio/Cancel/waitfor/cancel-wait-for", test_cancel_wait_for);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-cancelled-waits-for-slow-task",
                   test_wait_for_cancelled_waits_for_slow_task);
  g_test_add_func ("/Gaio/Cancel/waitfor/timeout-slow-task", test_wait_for_timeout_slow_task);
  g_test_add_func ("/Gaio/Cancel/waitfor/no-timeout", test_wait_for_no_timeout);
  g_test_add_func ("/Gaio/Cancel/CN-03/wait-for-zero-waits-for-cleanup",
                   test_wait_for_zero_waits_for_cleanup);
  g_test_add_func ("/Gaio/Cancel/LS-17/handle-cancel-after-run", test_handle_cancel_after_run);

  return g_test_run ();
}
