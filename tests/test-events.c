/* test-events.c: loop-level cases of test_events.py and
 * test_base_events.py that the other programs do not hold: how debug
 * mode reports a slow callback that fails, or whose exception handler is
 * slow (asyncio-cases.md group DB), and run_until_complete() after an
 * escape (LS)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Callbacks are exported (not static) so that the loop names them in its
 * reports. The slow ones sleep far longer than the threshold they are
 * measured against, and the fast ones are measured against an hour: the
 * tests assert what is reported and in which order, never a duration.
 */

#include <string.h>
#include <unistd.h>

#include "gaio-test-util.h"

/* Longer than SLOW_S, whatever the machine's load: a sleep never ends
 * early. */
#define SLEEP_US 20000
#define SLOW_S   0.01

static GaioLoop *
debug_loop_new (gdouble slow_callback_duration)
{
  GaioLoop *loop = gaio_test_loop_new ();

  gaio_loop_set_debug (loop, TRUE);
  gaio_loop_set_slow_callback_duration (loop, slow_callback_duration);
  return loop;
}

/* Runs one iteration. */
static void
run_once (GaioLoop *loop)
{
  gaio_loop_stop (loop);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
}

/* How many records have a message starting with @prefix. */
static guint
count_records (const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < gaio_test_log_count (); i++)
    {
      const char *message = gaio_test_log_get (i)->message;

      n += message != NULL && g_str_has_prefix (message, prefix);
    }

  return n;
}

/* The index of the first record whose message starts with @prefix, or
 * -1. */
static int
find_record (const char *prefix)
{
  for (guint i = 0; i < gaio_test_log_count (); i++)
    {
      const char *message = gaio_test_log_get (i)->message;

      if (message != NULL && g_str_has_prefix (message, prefix))
        return (int) i;
    }

  return -1;
}

gboolean slow_failing_cb (gpointer user_data, GError **error);

gboolean
slow_failing_cb (gpointer   user_data,
                 GError   **error)
{
  g_usleep (SLEEP_US);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
  return FALSE;
}

/* DB-11: a slow callback that fails is reported twice, in asyncio's
 * order: first the failure through the exception handler (Handle._run()
 * calls it), then the slow-callback warning (_run_once() measures
 * around Handle._run()).
 * CPython: base_events.py::_run_once, events.py::Handle._run;
 * test_base_events.py::test_log_slow_callbacks (the same program under
 * CPython 3.11 logs "Exception in callback" before "Executing") */
static void
test_slow_callback_that_fails (void)
{
  GaioLoop *loop = debug_loop_new (SLOW_S);
  int failure, slow;

  gaio_test_log_clear ();
  g_assert_nonnull (gaio_loop_call_soon (loop, slow_failing_cb, NULL, NULL, NULL));
  run_once (loop);

  failure = find_record ("Exception in callback slow_failing_cb()");
  slow = find_record ("Executing <Handle slow_failing_cb()");
  g_assert_cmpint (failure, >=, 0);
  g_assert_cmpint (slow, >=, 0);
  g_assert_cmpint (failure, <, slow);
  g_assert_cmpuint (count_records ("Executing "), ==, 1);

  gaio_test_log_clear ();
  gaio_test_loop_free (loop);
}

gboolean fast_failing_cb (gpointer user_data, GError **error);

gboolean
fast_failing_cb (gpointer   user_data,
                 GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
  return FALSE;
}

typedef struct
{
  guint n_calls;
  guint n_slow_before;       /* slow-callback warnings logged when it ran */
} SlowHandler;

static gboolean
slow_exception_handler (GaioLoop              *loop,
                        GaioExceptionContext  *context,
                        gpointer               user_data,
                        GError               **error)
{
  SlowHandler *handler = user_data;

  handler->n_calls++;
  handler->n_slow_before = count_records ("Executing ");
  g_usleep (SLEEP_US);

  return TRUE;
}

/* DB-11: the exception handler runs inside the time measured for the
 * callback, as in asyncio: a callback that fails at once but whose
 * handler is slow is reported as slow, after the handler ran.
 * CPython: base_events.py::_run_once, events.py::Handle._run (the same
 * program under CPython 3.11 logs "Executing <Handle fails()> took 0.102
 * seconds" for a callback that raises at once, its handler sleeping
 * 0.1 s) */
static void
test_slow_exception_handler (void)
{
  GaioLoop *loop = debug_loop_new (SLOW_S);
  SlowHandler handler = { 0 };

  gaio_loop_set_exception_handler (loop, slow_exception_handler, &handler, NULL);
  gaio_test_log_clear ();
  g_assert_nonnull (gaio_loop_call_soon (loop, fast_failing_cb, NULL, NULL, NULL));
  run_once (loop);

  g_assert_cmpuint (handler.n_calls, ==, 1);
  g_assert_cmpuint (handler.n_slow_before, ==, 0);
  g_assert_cmpint (find_record ("Executing <Handle fast_failing_cb()"), >=, 0);
  g_assert_cmpuint (count_records ("Executing "), ==, 1);

  gaio_test_log_clear ();
  gaio_test_loop_free (loop);
}

/* DB-11: the same handler with debug mode off: no timing, no warning.
 * CPython: base_events.py::_run_once (timing only when self._debug) */
static void
test_slow_exception_handler_no_debug (void)
{
  GaioLoop *loop = debug_loop_new (SLOW_S);
  SlowHandler handler = { 0 };

  gaio_loop_set_debug (loop, FALSE);
  gaio_loop_set_exception_handler (loop, slow_exception_handler, &handler, NULL);
  gaio_test_log_clear ();
  g_assert_nonnull (gaio_loop_call_soon (loop, fast_failing_cb, NULL, NULL, NULL));
  run_once (loop);

  g_assert_cmpuint (handler.n_calls, ==, 1);
  g_assert_cmpuint (count_records ("Executing "), ==, 0);

  gaio_test_loop_free (loop);
}

/* DB-11: a failing callback that is fast, with the default handler, is
 * reported once, as a failure, with no slow-callback warning.
 * CPython: test_base_events.py::test_default_exc_handler_callback (in
 * debug mode) */
static void
test_fast_failure_not_slow (void)
{
  GaioLoop *loop = debug_loop_new (3600);

  gaio_test_log_clear ();
  g_assert_nonnull (gaio_loop_call_soon (loop, fast_failing_cb, NULL, NULL, NULL));
  run_once (loop);

  g_assert_cmpint (find_record ("Exception in callback fast_failing_cb()"), >=, 0);
  g_assert_cmpint (find_record ("Executing "), ==, -1);

  gaio_test_log_clear ();
  gaio_test_loop_free (loop);
}

gboolean slow_cb (gpointer user_data, GError **error);

gboolean
slow_cb (gpointer   user_data,
         GError   **error)
{
  g_usleep (SLEEP_US);
  return TRUE;
}

/* DB-05: a slow timer is reported as a TimerHandle, with its deadline.
 * CPython: test_base_events.py::test_log_slow_callbacks (asyncio formats
 * the handle with TimerHandle.__repr__: "<TimerHandle when=...>") */
static void
test_slow_timer (void)
{
  GaioLoop *loop = debug_loop_new (SLOW_S);
  g_autoptr(GRegex) re = g_regex_new ("^Executing <TimerHandle when=\\d+\\.\\d+ slow_cb\\(\\).*> "
                                      "took \\d+\\.\\d{3} seconds$", 0, 0, NULL);
  int slow;

  gaio_test_log_clear ();
  g_assert_nonnull (gaio_loop_call_later (loop, 0, slow_cb, NULL, NULL, NULL));
  run_once (loop);

  slow = find_record ("Executing <TimerHandle");
  g_assert_cmpint (slow, >=, 0);
  g_assert_true (g_regex_match (re, gaio_test_log_get (slow)->message, 0, NULL));
  g_assert_cmpuint (count_records ("Executing "), ==, 1);

  gaio_test_log_clear ();
  gaio_test_loop_free (loop);
}

typedef struct
{
  int      fd;
  gboolean called;
} SlowReader;

gboolean slow_reader_cb (gpointer user_data, GError **error);

gboolean
slow_reader_cb (gpointer   user_data,
                GError   **error)
{
  SlowReader *reader = user_data;
  char byte;

  g_assert_cmpint (read (reader->fd, &byte, 1), ==, 1);
  reader->called = TRUE;
  g_usleep (SLEEP_US);
  return TRUE;
}

/* DB-05: a slow reader is reported under the reader's own name.
 * CPython: test_base_events.py::test_log_slow_callbacks; asyncio queues
 * the reader's own Handle (selector_events._add_reader) */
static void
test_slow_reader (void)
{
  GaioLoop *loop = debug_loop_new (SLOW_S);
  SlowReader reader = { -1, FALSE };
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  reader.fd = fds[0];
  g_assert_true (gaio_loop_add_reader (loop, fds[0], slow_reader_cb, &reader, NULL, NULL));
  g_assert_cmpint (write (fds[1], "x", 1), ==, 1);

  gaio_test_log_clear ();
  while (!reader.called)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);

  g_assert_cmpint (find_record ("Executing <Handle slow_reader_cb()"), >=, 0);
  g_assert_cmpuint (count_records ("Executing "), ==, 1);

  g_assert_true (gaio_loop_remove_reader (loop, fds[0]));
  close (fds[0]);
  close (fds[1]);
  gaio_test_log_clear ();
  gaio_test_loop_free (loop);
}

gboolean escape_cb (gpointer user_data, GError **error);

gboolean
escape_cb (gpointer   user_data,
           GError   **error)
{
  g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_ESCAPE, "show stopper");
  return FALSE;
}

gboolean set_result_cb (gpointer user_data, GError **error);

gboolean
set_result_cb (gpointer   user_data,
               GError   **error)
{
  return gaio_future_set_result_int64 (user_data, 1, error);
}

typedef struct
{
  GaioLoop   *loop;
  GaioFuture *future;
  guint       hops;
} Delayed;

gboolean set_result_later_cb (gpointer user_data, GError **error);

/* Sets the future's result after @hops more iterations. */
gboolean
set_result_later_cb (gpointer   user_data,
                     GError   **error)
{
  Delayed *delayed = user_data;

  if (delayed->hops-- > 0)
    return gaio_loop_call_soon (delayed->loop, set_result_later_cb, delayed, NULL, error) != NULL;

  return gaio_future_set_result_int64 (delayed->future, 2, error);
}

/* LS-13: run_until_complete() left by an escape (asyncio's SystemExit)
 * lets go of its future: when that future completes later, during
 * another run_until_complete(), it does not stop that one early.
 * CPython: test_base_events.py::
 * test_run_until_complete_loop_orphan_future_close_loop */
static void
test_orphan_future (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *first = gaio_loop_create_future (loop);
  GaioFuture *second = gaio_loop_create_future (loop);
  Delayed delayed = { loop, second, 3 };
  GError *error = NULL;

  g_assert_nonnull (gaio_loop_call_soon (loop, escape_cb, NULL, NULL, NULL));
  g_assert_false (gaio_loop_run_until_complete (loop, first, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_ESCAPE);
  g_clear_error (&error);
  g_assert_false (gaio_future_is_done (first));

  /* The first future completes in the first iteration, the second three
   * iterations later. */
  g_assert_nonnull (gaio_loop_call_soon (loop, set_result_cb, first, NULL, NULL));
  g_assert_nonnull (gaio_loop_call_soon (loop, set_result_later_cb, &delayed, NULL, NULL));
  g_assert_true (gaio_loop_run_until_complete (loop, second, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_future_is_done (first));
  g_assert_cmpint (gaio_future_get_result_int64 (second, NULL), ==, 2);

  gaio_future_unref (first);
  gaio_future_unref (second);
  gaio_test_loop_free (loop);
}

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Events/DB-11/slow-callback-that-fails", test_slow_callback_that_fails);
  g_test_add_func ("/Gaio/Events/DB-11/slow-exception-handler", test_slow_exception_handler);
  g_test_add_func ("/Gaio/Events/DB-11/slow-exception-handler-no-debug",
                   test_slow_exception_handler_no_debug);
  g_test_add_func ("/Gaio/Events/DB-11/fast-failure-not-slow", test_fast_failure_not_slow);
  g_test_add_func ("/Gaio/Events/DB-05/slow-timer", test_slow_timer);
  g_test_add_func ("/Gaio/Events/DB-05/slow-reader", test_slow_reader);
  g_test_add_func ("/Gaio/Events/LS-13/orphan-future", test_orphan_future);

  return g_test_run ();
}
