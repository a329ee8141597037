/* test-main-context.c: a loop sharing its GMainContext with other sources
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A GaioLoop is one GSource among others: GTK's layout and redraw, idles,
 * GIO completions. These tests drive the context the way an application
 * does (g_main_loop_run()), and check two rules of lib/gaio-loop-source.c
 * and lib/gaio-loop.c that asyncio has no counterpart for:
 *
 *  - fairness: a loop kept busy (a task looping on gaio_sleep (0), a
 *    call_soon() chain) still lets the context's lower priorities run;
 *  - the running loop: a callback that GLib dispatches on the loop's
 *    context finds the loop with gaio_get_running_loop().
 *
 * No test asserts on a time: each counts what ran, and a busy loop stops
 * on its own after a fixed number of rounds, which without the fairness
 * rule it reaches with nothing else having run.
 */

#include "gaio-test-util.h"

/* Rounds a busy loop may spin before the test gives up on the other
 * sources: far more than the 2 ms of work after which the loop lets the
 * context go (a round is well under a microsecond; under valgrind, tens
 * of them). */
#define MAX_BUSY_ROUNDS 20000000

/* How many times the other sources must run while the loop is busy. */
#define WANTED_TURNS 3

typedef struct
{
  GaioLoop   *loop;
  GMainLoop  *main_loop;
  guint       idles;      /* g_idle_add() callbacks that ran meanwhile */
  guint64     rounds;     /* rounds of the busy loop */
  gboolean    busy_done;
} Busy;

static gboolean
count_idle (gpointer user_data)
{
  Busy *busy = user_data;

  busy->idles++;
  return busy->busy_done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* g_idle_add() on the loop's context (g_idle_add() itself takes the
 * global default one). */
static void
add_idle (Busy *busy)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, count_idle, busy, NULL);
  g_source_attach (idle, gaio_loop_get_context (busy->loop));
  g_source_unref (idle);
}

static void
busy_init (Busy *busy)
{
  *busy = (Busy) { 0 };
  busy->loop = gaio_test_loop_new ();
  busy->main_loop = g_main_loop_new (gaio_loop_get_context (busy->loop), FALSE);
}

static void
busy_clear (Busy *busy)
{
  g_main_loop_unref (busy->main_loop);
  gaio_test_loop_free (busy->loop);
}

static gboolean
quit_main_loop (gpointer   user_data,
                GError   **error)
{
  Busy *busy = user_data;

  busy->busy_done = TRUE;
  g_main_loop_quit (busy->main_loop);
  return TRUE;
}

static gboolean
sleep_zero_until_idles (gpointer   user_data,
                        GValue    *result,
                        GError   **error)
{
  Busy *busy = user_data;

  while (busy->idles < WANTED_TURNS && busy->rounds < MAX_BUSY_ROUNDS)
    {
      busy->rounds++;
      if (!gaio_await (gaio_sleep (0), NULL, error))
        return FALSE;
    }

  gaio_loop_call_soon (busy->loop, quit_main_loop, busy, NULL, NULL);
  return TRUE;
}

/* The standard asyncio idiom "let the UI breathe", a task that loops on
 * gaio_sleep (0), under g_main_loop_run(): an idle source of the same
 * context runs while the task is still looping. */
static void
test_fair_sleep_zero_task (void)
{
  Busy busy;
  g_autoptr(GaioTask) task = NULL;

  busy_init (&busy);
  add_idle (&busy);
  task = gaio_loop_create_task (busy.loop, GAIO_COROUTINE_NEW (sleep_zero_until_idles, &busy,
                                                               NULL));
  g_main_loop_run (busy.main_loop);

  g_assert_true (gaio_future_is_done (GAIO_FUTURE (task)));
  g_assert_cmpuint (busy.idles, >=, WANTED_TURNS);
  g_assert_cmpuint (busy.rounds, <, MAX_BUSY_ROUNDS);
  g_test_message ("idles: %u over %" G_GUINT64_FORMAT " rounds of gaio_sleep (0)",
                  busy.idles, busy.rounds);

  g_clear_pointer (&task, gaio_task_unref);
  busy_clear (&busy);
}

static gboolean
chain (gpointer   user_data,
       GError   **error)
{
  Busy *busy = user_data;

  busy->rounds++;
  if (busy->idles >= WANTED_TURNS || busy->rounds >= MAX_BUSY_ROUNDS)
    return quit_main_loop (busy, error);

  return gaio_loop_call_soon (busy->loop, chain, busy, NULL, error) != NULL;
}

/* A call_soon() chain, each callback scheduling the next: idles run
 * before the chain ends. */
static void
test_fair_call_soon_chain (void)
{
  Busy busy;

  busy_init (&busy);
  add_idle (&busy);
  gaio_loop_call_soon (busy.loop, chain, &busy, NULL, NULL);
  g_main_loop_run (busy.main_loop);

  g_assert_cmpuint (busy.idles, >=, WANTED_TURNS);
  g_assert_cmpuint (busy.rounds, <, MAX_BUSY_ROUNDS);
  g_test_message ("idles: %u over a chain of %" G_GUINT64_FORMAT " callbacks",
                  busy.idles, busy.rounds);

  busy_clear (&busy);
}

typedef struct
{
  GPtrArray *order;
  GMainLoop *main_loop;
} Order;

static gboolean
record_loop (gpointer   user_data,
             GError   **error)
{
  Order *order = user_data;

  g_ptr_array_add (order->order, "loop");
  return TRUE;
}

static gboolean
record_idle (gpointer user_data)
{
  Order *order = user_data;

  g_ptr_array_add (order->order, "idle");
  return G_SOURCE_REMOVE;
}

static void
run_one_of_each (GaioLoop *loop,
                 Order    *order)
{
  GMainContext *context = gaio_loop_get_context (loop);
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, record_idle, order, NULL);
  g_source_attach (idle, context);
  g_source_unref (idle);
  gaio_loop_call_soon (loop, record_loop, order, NULL, NULL);
  while (order->order->len < 2)
    g_main_context_iteration (context, TRUE);
}

/* GaioLoop:priority is the priority of the loop's source: by default
 * G_PRIORITY_DEFAULT, ahead of an idle; below the idle's, after it. */
static void
test_priority_property (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Order order = { g_ptr_array_new (), NULL };
  gint priority = 0;

  g_assert_cmpint (gaio_loop_get_priority (loop), ==, G_PRIORITY_DEFAULT);
  run_one_of_each (loop, &order);
  g_assert_cmpstr (g_ptr_array_index (order.order, 0), ==, "loop");
  g_assert_cmpstr (g_ptr_array_index (order.order, 1), ==, "idle");

  g_object_set (loop, "priority", G_PRIORITY_LOW, NULL);
  g_object_get (loop, "priority", &priority, NULL);
  g_assert_cmpint (priority, ==, G_PRIORITY_LOW);
  g_ptr_array_set_size (order.order, 0);
  run_one_of_each (loop, &order);
  g_assert_cmpstr (g_ptr_array_index (order.order, 0), ==, "idle");
  g_assert_cmpstr (g_ptr_array_index (order.order, 1), ==, "loop");

  g_ptr_array_unref (order.order);
  gaio_test_loop_free (loop);
}

/* The priority given at construction applies from the start. */
static void
test_priority_construct (void)
{
  GMainContext *context = g_main_context_new ();
  GaioLoop *loop = g_object_new (GAIO_TYPE_LOOP, "context", context,
                                 "priority", G_PRIORITY_HIGH_IDLE, NULL);
  Order order = { g_ptr_array_new (), NULL };

  g_main_context_push_thread_default (context);
  run_one_of_each (loop, &order);
  g_assert_cmpstr (g_ptr_array_index (order.order, 0), ==, "loop");
  g_ptr_array_set_size (order.order, 0);
  gaio_loop_set_priority (loop, G_PRIORITY_DEFAULT_IDLE + 10);
  run_one_of_each (loop, &order);
  g_assert_cmpstr (g_ptr_array_index (order.order, 0), ==, "idle");

  g_ptr_array_unref (order.order);
  gaio_test_loop_free (loop);
  g_main_context_unref (context);
}

typedef struct
{
  GaioLoop   *loop;
  GaioLoop   *seen;
  GaioFuture *sleep;
  GaioTask   *task;
  GMainLoop  *main_loop;
  GPtrArray  *reports;
} FromGLib;

static gboolean
failing_task (gpointer   user_data,
              GValue    *result,
              GError   **error)
{
  if (!gaio_await (gaio_sleep (0), NULL, error))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failed in a task from GLib");
  return FALSE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  FromGLib *from = user_data;

  from->seen = gaio_get_running_loop ();
  /* What asyncio code does in any callback of its loop: */
  from->sleep = gaio_sleep (0.001);
  /* One call starts a task; its reference can go at once. */
  gaio_task_unref (gaio_loop_create_task (gaio_get_running_loop (),
                                          GAIO_COROUTINE_NEW (failing_task, NULL, NULL)));
  return G_SOURCE_REMOVE;
}

static gboolean
recording_handler (GaioLoop              *loop,
                   GaioExceptionContext  *context,
                   gpointer               user_data,
                   GError               **error)
{
  FromGLib *from = user_data;

  g_ptr_array_add (from->reports, gaio_exception_context_to_string (context));
  g_main_loop_quit (from->main_loop);
  return TRUE;
}

/* A callback that GLib dispatches on the loop's context, here a
 * g_timeout_add() one as a GTK signal handler would be, finds the loop
 * as the running loop, may use it as asyncio code does, and an error in
 * a task it started reaches the loop's exception handler. */
static void
test_running_loop_in_glib_callback (void)
{
  FromGLib from = { 0 };
  GSource *timeout;

  from.loop = gaio_test_loop_new ();
  from.main_loop = g_main_loop_new (gaio_loop_get_context (from.loop), FALSE);
  from.reports = g_ptr_array_new_with_free_func (g_free);
  gaio_loop_set_exception_handler (from.loop, recording_handler, &from, NULL);

  g_assert_null (gaio_get_running_loop ());
  timeout = g_timeout_source_new (1);
  g_source_set_callback (timeout, timeout_cb, &from, NULL);
  g_source_attach (timeout, gaio_loop_get_context (from.loop));
  g_source_unref (timeout);
  g_main_loop_run (from.main_loop);

  g_assert_true (from.seen == from.loop);
  g_assert_nonnull (from.sleep);
  g_assert_true (gaio_future_get_loop (from.sleep) == from.loop);
  g_assert_cmpuint (from.reports->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (from.reports, 0),
                            "Task exception was never retrieved"));
  g_assert_nonnull (strstr (g_ptr_array_index (from.reports, 0), "failed in a task from GLib"));
  g_assert_null (gaio_get_running_loop ());

  gaio_future_unref (from.sleep);
  gaio_loop_set_exception_handler (from.loop, NULL, NULL, NULL);
  g_ptr_array_unref (from.reports);
  g_main_loop_unref (from.main_loop);
  gaio_test_loop_free (from.loop);
}

static gboolean
note_running_loop (gpointer user_data)
{
  *(GaioLoop **) user_data = gaio_get_running_loop ();
  return G_SOURCE_REMOVE;
}

static GaioLoop *
running_loop_seen_by_idle (GMainContext *context)
{
  GaioLoop *seen = (GaioLoop *) 0x1;
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, note_running_loop, &seen, NULL);
  g_source_attach (idle, context);
  g_source_unref (idle);
  while (seen == (GaioLoop *) 0x1)
    g_main_context_iteration (context, TRUE);

  return seen;
}

/* Several loops on one context: the one created first that is not
 * closed; none once all are closed; and a callback of another context
 * finds no loop. */
static void
test_running_loop_several_loops (void)
{
  GaioLoop *first = gaio_test_loop_new ();
  GMainContext *context = gaio_loop_get_context (first);
  GaioLoop *second = gaio_loop_new (context);
  GMainContext *other = g_main_context_new ();

  g_assert_true (running_loop_seen_by_idle (context) == first);
  g_assert_true (gaio_loop_close (first, NULL));
  g_assert_true (running_loop_seen_by_idle (context) == second);
  g_assert_true (gaio_loop_close (second, NULL));
  g_assert_null (running_loop_seen_by_idle (context));
  g_assert_null (running_loop_seen_by_idle (other));

  g_object_unref (second);
  g_main_context_unref (other);
  gaio_test_loop_free (first);
}

/* Runs @func once, from an idle that GLib (not the loop) dispatches on
 * the loop's context while a GMainLoop iterates it, as GTK dispatches a
 * signal handler. */
static void
run_from_glib_callback (GaioLoop    *loop,
                        GSourceFunc  func,
                        gpointer     data)
{
  GMainContext *context = gaio_loop_get_context (loop);
  GMainLoop *main_loop = g_main_loop_new (context, FALSE);
  GSource *idle = g_idle_source_new ();
  gpointer closure[] = { data, main_loop };

  g_source_set_callback (idle, func, closure, NULL);
  g_source_attach (idle, context);
  g_source_unref (idle);
  g_main_loop_run (main_loop);
  g_main_loop_unref (main_loop);
}

typedef struct
{
  GaioLoop *loop;
  gboolean  running;
  gboolean  ran;
  GError   *error;
} FromCallback;

static gboolean
try_nested_run (gpointer user_data)
{
  gpointer *closure = user_data;
  FromCallback *from = closure[0];
  g_autoptr(GaioFuture) future = gaio_loop_create_future (from->loop);

  from->running = gaio_loop_is_running (from->loop);
  gaio_future_set_result_boolean (future, TRUE, NULL);
  from->ran = gaio_loop_run_until_complete (from->loop, future, NULL, &from->error);
  g_main_loop_quit (closure[1]);
  return G_SOURCE_REMOVE;
}

/* LS-12: in a callback GLib dispatches on the loop's context, where
 * gaio_get_running_loop() returns the loop, the loop is running: running
 * it again (a nested run_until_complete()) fails, as asyncio's does from
 * any callback of the loop (test_events.py::test_run_until_complete_nesting),
 * and as gaio_run() did there already. */
static void
test_running_loop_glib_callback_cannot_run (void)
{
  FromCallback from = { gaio_test_loop_new (), FALSE, TRUE, NULL };

  run_from_glib_callback (from.loop, try_nested_run, &from);

  g_assert_true (from.running);
  g_assert_false (from.ran);
  g_assert_error (from.error, GAIO_ERROR, GAIO_ERROR_RUNNING);
  g_assert_cmpstr (from.error->message, ==, "This event loop is already running");
  /* Outside the callback it is not running, and runs. */
  g_assert_false (gaio_loop_is_running (from.loop));
  g_clear_error (&from.error);
  gaio_test_loop_free (from.loop);
}

static gboolean
try_close (gpointer user_data)
{
  gpointer *closure = user_data;
  FromCallback *from = closure[0];

  from->ran = gaio_loop_close (from->loop, &from->error);
  g_main_loop_quit (closure[1]);
  return G_SOURCE_REMOVE;
}

/* LS-14: likewise closing the loop from such a callback fails, as closing
 * a running loop does (test_events.py::test_close_running_event_loop);
 * it closes once the callback returned. */
static void
test_running_loop_glib_callback_cannot_close (void)
{
  FromCallback from = { gaio_test_loop_new (), FALSE, TRUE, NULL };

  run_from_glib_callback (from.loop, try_close, &from);

  g_assert_false (from.ran);
  g_assert_error (from.error, GAIO_ERROR, GAIO_ERROR_RUNNING);
  g_assert_cmpstr (from.error->message, ==, "Cannot close a running event loop");
  g_assert_false (gaio_loop_is_closed (from.loop));
  g_assert_true (gaio_loop_close (from.loop, NULL));
  g_clear_error (&from.error);
  gaio_test_loop_free (from.loop);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/MainContext/fair/sleep-zero-task", test_fair_sleep_zero_task);
  g_test_add_func ("/Gaio/MainContext/fair/call-soon-chain", test_fair_call_soon_chain);
  g_test_add_func ("/Gaio/MainContext/priority/property", test_priority_property);
  g_test_add_func ("/Gaio/MainContext/priority/construct", test_priority_construct);
  g_test_add_func ("/Gaio/MainContext/running-loop/glib-callback",
                   test_running_loop_in_glib_callback);
  g_test_add_func ("/Gaio/MainContext/running-loop/several-loops", test_running_loop_several_loops);
  g_test_add_func ("/Gaio/MainContext/running-loop/glib-callback-cannot-run",
                   test_running_loop_glib_callback_cannot_run);
  g_test_add_func ("/Gaio/MainContext/running-loop/glib-callback-cannot-close",
                   test_running_loop_glib_callback_cannot_close);

  return g_test_run ();
}
