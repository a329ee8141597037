/* test-debug.c: asyncio's debug mode
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The DB cases of shared/design/asyncio-cases.md, each named above its
 * test with the CPython test it mirrors. Functions that create objects
 * are exported (not static) so that dladdr() names them in the creation
 * tracebacks the tests look at.
 */

#include <string.h>

#include "gaio-test-util.h"
#include "gaio-loop-private.h"

static GaioLoop *
debug_loop_new (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  gaio_loop_set_debug (loop, TRUE);
  /* Only DB-05 is about slow callbacks: under valgrind anything is. */
  gaio_loop_set_slow_callback_duration (loop, 3600);
  return loop;
}

gboolean noop_cb (gpointer user_data, GError **error);

gboolean
noop_cb (gpointer   user_data,
         GError   **error)
{
  return TRUE;
}

/* Runs one iteration. */
static void
run_once (GaioLoop *loop)
{
  gaio_loop_stop (loop);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
}

/* The records at WARNING or above captured so far, joined. */
static guint
count_warnings (void)
{
  return gaio_test_log_count_level (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

static const char *
last_warning (void)
{
  for (guint i = gaio_test_log_count (); i-- > 0;)
    {
      GaioTestLogRecord *record = gaio_test_log_get (i);

      if (record->level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
        return record->message;
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* DB-01                                                                */

gboolean report_debug (gpointer user_data, GValue *result, GError **error);

gboolean
report_debug (gpointer   user_data,
              GValue    *result,
              GError   **error)
{
  *(gboolean *) user_data = gaio_loop_get_debug (gaio_get_running_loop ());
  return TRUE;
}

/* DB-01, test_base_events.py::test_env_var_debug, ::test_set_debug,
 * test_runners.py::RunTests::test_asyncio_run_debug */
static void
test_db01_enable (void)
{
  GaioLoop *loop;
  gboolean seen = FALSE;

  g_setenv ("GAIO_DEBUG", "1", TRUE);
  loop = gaio_test_loop_new ();
  g_assert_true (gaio_loop_get_debug (loop));
  gaio_loop_set_debug (loop, FALSE);
  g_assert_false (gaio_loop_get_debug (loop));
  gaio_test_loop_free (loop);

  /* run(debug=False) wins over the environment. */
  g_assert_true (gaio_run_full (GAIO_COROUTINE_NEW (report_debug, &seen, NULL),
                                GAIO_RUN_FLAGS_NO_DEBUG, NULL, NULL));
  g_assert_false (seen);

  g_setenv ("GAIO_DEBUG", "", TRUE);
  loop = gaio_test_loop_new ();
  g_assert_false (gaio_loop_get_debug (loop));
  gaio_test_loop_free (loop);

  g_unsetenv ("GAIO_DEBUG");
  g_assert_true (gaio_run (GAIO_COROUTINE_NEW (report_debug, &seen, NULL), NULL, NULL));
  g_assert_false (seen);
  g_assert_true (gaio_run_full (GAIO_COROUTINE_NEW (report_debug, &seen, NULL),
                                GAIO_RUN_FLAGS_DEBUG, NULL, NULL));
  g_assert_true (seen);
  gaio_test_log_assert_no_warnings ();
}

/* ------------------------------------------------------------------ */
/* DB-02, DB-03                                                         */

G_GNUC_NO_INLINE GaioHandle *schedule_in_debug_test (GaioLoop *loop);
G_GNUC_NO_INLINE GaioFuture *create_future_in_debug_test (GaioLoop *loop);

/* The asserts after the calls keep them out of tail position: a tail
 * call leaves no frame of its caller on the stack to name. */
GaioHandle *
schedule_in_debug_test (GaioLoop *loop)
{
  GaioHandle *handle = gaio_loop_call_soon (loop, noop_cb, NULL, NULL, NULL);

  g_assert_nonnull (handle);
  return handle;
}

GaioFuture *
create_future_in_debug_test (GaioLoop *loop)
{
  GaioFuture *future = gaio_loop_create_future (loop);

  g_assert_nonnull (future);
  return future;
}

/* DB-02, test_events.py::HandleTests::test_handle_source_traceback,
 * test_futures.py::test_future_source_traceback,
 * test_tasks.py::test_task_source_traceback: the creation site is the
 * user's function, library frames left out; nothing when debug is off. */
static void
test_db02_creation_site (void)
{
  GaioLoop *loop = debug_loop_new ();
  GaioHandle *handle = schedule_in_debug_test (loop);
  g_autoptr(GaioFuture) future = create_future_in_debug_test (loop);
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (report_debug, &(gboolean) { 0 }, NULL));
  g_autofree char *handle_repr = gaio_handle_to_string (handle);
  g_autofree char *future_repr = gaio_future_to_string (future);
  g_autofree char *task_repr = gaio_future_to_string (GAIO_FUTURE (task));
  g_autofree char *plain_repr = NULL;
  g_autoptr(GaioFuture) plain = NULL;

  g_test_message ("%s\n%s\n%s", handle_repr, future_repr, task_repr);
  g_assert_nonnull (strstr (handle_repr, "<Handle noop_cb() created at schedule_in_debug_test+0x"));
  g_assert_nonnull (strstr (future_repr, "<Future pending created at create_future_in_debug_test+0x"));
  g_assert_nonnull (strstr (task_repr, " created at "));

  gaio_loop_set_debug (loop, FALSE);
  plain = create_future_in_debug_test (loop);
  plain_repr = gaio_future_to_string (plain);
  g_assert_cmpstr (plain_repr, ==, "<Future pending>");

  run_once (loop);
  g_clear_pointer (&task, gaio_task_unref);
  g_clear_pointer (&future, gaio_future_unref);
  g_clear_pointer (&plain, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* DB-03, test_events.py::HandleTests::test_handle_repr_debug: a
 * cancelled handle keeps its callback's name in debug mode. */
static void
test_db03_cancelled_repr (void)
{
  GaioLoop *loop = debug_loop_new ();
  GaioHandle *handle = gaio_handle_ref (schedule_in_debug_test (loop));
  g_autofree char *repr = NULL;

  gaio_handle_cancel (handle);
  repr = gaio_handle_to_string (handle);
  g_assert_true (g_str_has_prefix (repr, "<Handle cancelled noop_cb() created at schedule_in_debug_test+0x"));

  gaio_handle_unref (handle);
  run_once (loop);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* DB-04                                                                */

gboolean failing_cb (gpointer user_data, GError **error);
G_GNUC_NO_INLINE void schedule_failing_in_debug_test (GaioLoop *loop);

gboolean
failing_cb (gpointer   user_data,
            GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
  return FALSE;
}

void
schedule_failing_in_debug_test (GaioLoop *loop)
{
  g_assert_nonnull (gaio_loop_call_soon (loop, failing_cb, NULL, NULL, NULL));
}

/* DB-04, test_base_events.py::test_set_exc_handler_custom (context has
 * source_traceback): rendered as `Object created at (most recent call
 * last):` and frames, the last naming the scheduling function. */
static void
test_db04_callback_failure_traceback (void)
{
  GaioLoop *loop = debug_loop_new ();
  const char *message;

  schedule_failing_in_debug_test (loop);
  run_once (loop);

  g_assert_cmpuint (count_warnings (), ==, 1);
  message = last_warning ();
  g_test_message ("%s", message);
  g_assert_true (g_str_has_prefix (message, "Exception in callback failing_cb()\n"));
  g_assert_nonnull (strstr (message, "\nsource_traceback: Object created at (most recent call last):\n  File \""));
  g_assert_nonnull (strstr (message, ", line 0, in schedule_failing_in_debug_test\n    schedule_failing_in_debug_test+0x"));
  g_assert_true (g_str_has_suffix (message, GAIO_TEST_ERROR_LINE ("boom")));

  gaio_test_log_clear ();
  gaio_test_loop_free (loop);
}

gboolean report_without_traceback_cb (gpointer user_data, GError **error);
G_GNUC_NO_INLINE void schedule_report_in_debug_test (GaioLoop *loop);

gboolean
report_without_traceback_cb (gpointer   user_data,
                             GError   **error)
{
  g_autoptr(GaioExceptionContext) context = gaio_exception_context_new ("custom");

  gaio_loop_call_exception_handler (gaio_get_running_loop (), context);
  return TRUE;
}

void
schedule_report_in_debug_test (GaioLoop *loop)
{
  g_assert_nonnull (gaio_loop_call_soon (loop, report_without_traceback_cb, NULL, NULL, NULL));
}

/* DB-04 (second half), base_events.py::default_exception_handler: with
 * no source_traceback, the running handle's creation is added as
 * `handle_traceback: Handle created at (most recent call last):`. */
static void
test_db04_handle_traceback (void)
{
  GaioLoop *loop = debug_loop_new ();
  const char *message;

  schedule_report_in_debug_test (loop);
  run_once (loop);

  g_assert_cmpuint (count_warnings (), ==, 1);
  message = last_warning ();
  g_assert_true (g_str_has_prefix (message, "custom\nhandle_traceback: Handle created at (most recent call last):\n  File \""));
  g_assert_nonnull (strstr (message, "in schedule_report_in_debug_test\n"));

  gaio_test_log_clear ();
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* DB-05                                                                */

gboolean slow_cb (gpointer user_data, GError **error);
gboolean slow_coro (gpointer user_data, GValue *result, GError **error);

gboolean
slow_cb (gpointer   user_data,
         GError   **error)
{
  g_usleep (2000);
  return TRUE;
}

gboolean
slow_coro (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  g_usleep (2000);
  if (!gaio_await (gaio_sleep (0), NULL, error))
    return FALSE;
  g_usleep (2000);
  return TRUE;
}

/* DB-05, test_base_events.py::test_log_slow_callbacks: every callback and
 * task step at least slow_callback_duration long is reported; a task
 * step by the task. */
static void
test_db05_slow_callbacks (void)
{
  GaioLoop *loop = debug_loop_new ();
  g_autoptr(GaioTask) task = NULL;
  g_autoptr(GRegex) handle_re = g_regex_new ("^Executing <Handle .*slow_cb.*> took \\d+\\.\\d{3} seconds$", 0, 0, NULL);
  g_autoptr(GRegex) task_re = g_regex_new ("^Executing <Task .*slow_coro.*> took \\d+\\.\\d{3} seconds$", 0, 0, NULL);
  guint n_task_steps = 0;

  gaio_loop_set_slow_callback_duration (loop, 0.001);
  gaio_loop_call_soon (loop, slow_cb, NULL, NULL, NULL);
  run_once (loop);
  g_assert_cmpuint (count_warnings (), ==, 1);
  g_assert_true (g_regex_match (handle_re, last_warning (), 0, NULL));
  gaio_test_log_clear ();

  task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (slow_coro, NULL, NULL));
  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, NULL));
  for (guint i = 0; i < gaio_test_log_count (); i++)
    {
      GaioTestLogRecord *record = gaio_test_log_get (i);

      if ((record->level & G_LOG_LEVEL_WARNING) && g_regex_match (task_re, record->message, 0, NULL))
        n_task_steps++;
    }
  g_assert_cmpuint (n_task_steps, ==, 2);
  gaio_test_log_clear ();

  /* Off: nothing. */
  gaio_loop_set_debug (loop, FALSE);
  gaio_loop_call_soon (loop, slow_cb, NULL, NULL, NULL);
  run_once (loop);
  g_assert_cmpuint (count_warnings (), ==, 0);

  g_clear_pointer (&task, gaio_task_unref);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* DB-06                                                                */

typedef struct
{
  GaioLoop *loop;
  GError   *soon_error;
  gboolean  soon_refused;
  gboolean  threadsafe_ok;
  gboolean  future_made;
} OtherThread;

static gpointer
other_thread_main (gpointer user_data)
{
  OtherThread *other = user_data;
  GaioHandle *handle;
  GaioFuture *future;

  other->soon_refused = gaio_loop_call_soon (other->loop, noop_cb, NULL, NULL,
                                             &other->soon_error) == NULL;
  handle = gaio_loop_call_soon_threadsafe (other->loop, noop_cb, NULL, NULL, NULL);
  other->threadsafe_ok = handle != NULL;
  g_clear_pointer (&handle, gaio_handle_unref);
  future = gaio_loop_create_future (other->loop);
  other->future_made = future != NULL;
  g_clear_pointer (&future, gaio_future_unref);

  return NULL;
}

static gboolean
call_from_other_thread_cb (gpointer   user_data,
                           GError   **error)
{
  g_thread_join (g_thread_new ("other", other_thread_main, user_data));
  return TRUE;
}

gboolean never_started (gpointer user_data, GValue *result, GError **error);

gboolean
never_started (gpointer   user_data,
               GValue    *result,
               GError   **error)
{
  g_assert_not_reached ();
  return TRUE;
}

static gpointer
create_task_thread_main (gpointer user_data)
{
  GaioLoop *loop = user_data;
  GaioTask *task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (never_started, NULL, NULL));
  const GError *error = gaio_future_get_error (GAIO_FUTURE (task), NULL);

  g_assert_true (g_error_matches (error, GAIO_ERROR, GAIO_ERROR_WRONG_THREAD));
  gaio_task_unref (task);

  return NULL;
}

static gboolean
create_task_from_other_thread_cb (gpointer   user_data,
                                  GError   **error)
{
  g_thread_join (g_thread_new ("other", create_task_thread_main, user_data));
  return TRUE;
}

/* DB-06, test_base_events.py::BaseEventLoopTests::test_check_thread: in
 * debug mode, a non-thread-safe call from another thread while the loop
 * runs writes a critical naming the call (and call_soon is refused);
 * call_soon_threadsafe is never checked; off, nothing is checked. */
static void
test_db06_wrong_thread (void)
{
  GaioLoop *loop = debug_loop_new ();
  OtherThread other = { loop, NULL, FALSE, FALSE, FALSE };

  gaio_loop_call_soon (loop, call_from_other_thread_cb, &other, NULL, NULL);
  run_once (loop);
  run_once (loop);

  g_assert_true (other.soon_refused);
  g_assert_error (other.soon_error, GAIO_ERROR, GAIO_ERROR_WRONG_THREAD);
  g_assert_true (other.threadsafe_ok);
  g_assert_true (other.future_made);
  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_CRITICAL), ==, 2);
  g_assert_cmpstr (gaio_test_log_get (0)->message, ==,
                   "gaio_loop_call_soon: Non-thread-safe operation invoked on an event loop "
                   "other than the current one");
  g_assert_true (g_str_has_prefix (last_warning (), "gaio_loop_create_future: Non-thread-safe operation"));
  g_clear_error (&other.soon_error);
  gaio_test_log_clear ();

  /* create_task() is refused: the task comes back failed, unrun. */
  gaio_loop_call_soon (loop, create_task_from_other_thread_cb, loop, NULL, NULL);
  run_once (loop);
  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_CRITICAL), ==, 1);
  g_assert_true (g_str_has_prefix (last_warning (), "gaio_loop_create_task: Non-thread-safe operation"));
  gaio_test_log_clear ();

  /* Not running: no thread to compare with. */
  other.soon_refused = TRUE;
  other_thread_main (&other);
  g_thread_join (g_thread_new ("other", other_thread_main, &other));
  g_assert_false (other.soon_refused);
  g_assert_cmpuint (count_warnings (), ==, 0);
  run_once (loop);

  /* Debug off: no check. */
  gaio_loop_set_debug (loop, FALSE);
  gaio_loop_call_soon (loop, call_from_other_thread_cb, &other, NULL, NULL);
  run_once (loop);
  run_once (loop);
  g_assert_false (other.soon_refused);
  g_assert_cmpuint (count_warnings (), ==, 0);

  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioFuture *future;
  gboolean    set;
  GError     *error;
  gboolean    cancelled;
} FutureFromThread;

static gpointer
complete_future_thread_main (gpointer user_data)
{
  FutureFromThread *from = user_data;

  from->set = gaio_future_set_result_int64 (from->future, 1, &from->error);
  from->cancelled = gaio_future_cancel (from->future, NULL);

  return NULL;
}

static gboolean
complete_from_other_thread_cb (gpointer   user_data,
                               GError   **error)
{
  g_thread_join (g_thread_new ("other", complete_future_thread_main, user_data));
  return TRUE;
}

static void
count_done (GaioFuture *future,
            gpointer    user_data)
{
  ++*(guint *) user_data;
}

/* DB-06, test_base_events.py::BaseEventLoopTests::test_check_thread: in
 * debug mode, a future with a done callback, completed or cancelled from
 * another thread while its loop runs, is refused with a critical naming
 * the call (asyncio's set_result() fails in the call_soon() that would
 * schedule the callback); the future stays pending. */
static void
test_db06_future_wrong_thread (void)
{
  GaioLoop *loop = debug_loop_new ();
  FutureFromThread from = { gaio_loop_create_future (loop), TRUE, NULL, TRUE };
  guint done = 0;

  gaio_future_add_done_callback (from.future, count_done, &done, NULL);
  gaio_loop_call_soon (loop, complete_from_other_thread_cb, &from, NULL, NULL);
  run_once (loop);

  g_assert_false (from.set);
  g_assert_error (from.error, GAIO_ERROR, GAIO_ERROR_WRONG_THREAD);
  g_assert_false (from.cancelled);
  g_assert_false (gaio_future_is_done (from.future));
  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_CRITICAL), ==, 2);
  g_assert_cmpstr (gaio_test_log_get (0)->message, ==,
                   "gaio_future_set_result: Non-thread-safe operation invoked on an event loop "
                   "other than the current one");
  g_assert_true (g_str_has_prefix (last_warning (), "gaio_future_cancel: Non-thread-safe operation"));
  gaio_test_log_clear ();

  /* From the loop's thread it completes as usual. */
  g_assert_true (gaio_future_set_result_int64 (from.future, 2, NULL));
  run_once (loop);
  g_assert_cmpuint (done, ==, 1);

  g_clear_error (&from.error);
  gaio_future_unref (from.future);
  gaio_test_loop_free (loop);
}

/* DB-06: a future with no done callback has nothing to schedule, and
 * asyncio's set_result() checks nothing then: completing it from
 * another thread is not refused (it is still not thread-safe). */
static void
test_db06_future_without_callbacks (void)
{
  GaioLoop *loop = debug_loop_new ();
  FutureFromThread from = { gaio_loop_create_future (loop), FALSE, NULL, TRUE };

  gaio_loop_call_soon (loop, complete_from_other_thread_cb, &from, NULL, NULL);
  run_once (loop);

  g_assert_true (from.set);
  g_assert_no_error (from.error);
  g_assert_false (from.cancelled);
  g_assert_cmpint (gaio_future_get_result_int64 (from.future, NULL), ==, 1);
  g_assert_cmpuint (count_warnings (), ==, 0);

  gaio_future_unref (from.future);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* DB-07                                                                */

/* DB-07, test_base_events.py::test_call_soon_non_callable: a NULL
 * callback is a programmer error in every mode. */
static void
test_db07_null_callback (void)
{
  GaioLoop *loop = debug_loop_new ();

  g_test_expect_message (GAIO_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*callback != NULL*");
  g_assert_null (gaio_loop_call_soon (loop, NULL, NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* DB-08                                                                */

gboolean never (gpointer user_data, GValue *result, GError **error);
G_GNUC_NO_INLINE gboolean make_never_in_task (gpointer user_data, GValue *result, GError **error);

gboolean
never (gpointer   user_data,
       GValue    *result,
       GError   **error)
{
  g_assert_not_reached ();
  return TRUE;
}

gboolean
make_never_in_task (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  GaioCoroutine *coroutine = GAIO_COROUTINE_NEW (never, NULL, NULL);

  g_object_unref (coroutine);
  return TRUE;
}

/* DB-08, test_coroutines.py::OriginTrackingTest::test_origin_tracking_warning:
 * a coroutine dropped unrun warns; in debug mode with where it was made. */
static void
test_db08_never_awaited (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioTask) task = NULL;
  GaioTestLogRecord *record;

  /* Outside a debug loop: the message alone, as a RuntimeWarning. */
  g_object_unref (GAIO_COROUTINE_NEW (never, NULL, NULL));
  g_assert_cmpuint (count_warnings (), ==, 1);
  record = gaio_test_log_get (gaio_test_log_count () - 1);
  g_assert_cmpstr (record->message, ==, "coroutine 'never' was never awaited");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_WARNING_CATEGORY"), ==, "RuntimeWarning");
  g_assert_true (g_str_has_suffix (gaio_test_log_record_field (record, "CODE_FILE"), "test-debug.c"));
  gaio_test_log_clear ();

  /* Closed: no warning. */
  {
    GaioCoroutine *closed = GAIO_COROUTINE_NEW (never, NULL, NULL);

    gaio_coroutine_close (closed);
    g_object_unref (closed);
    g_assert_cmpuint (count_warnings (), ==, 0);
  }

  /* Created in a debug loop's task: the origin follows. */
  gaio_loop_set_debug (loop, TRUE);
  task = gaio_loop_create_task (loop, GAIO_COROUTINE_NEW (make_never_in_task, NULL, NULL));
  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), NULL, NULL));
  g_assert_cmpuint (count_warnings (), ==, 1);
  record = gaio_test_log_get (gaio_test_log_count () - 1);
  g_test_message ("%s", record->message);
  g_assert_true (g_str_has_prefix (record->message,
                                   "coroutine 'never' was never awaited\n"
                                   "Coroutine created at (most recent call last)\n  File \""));
  g_assert_nonnull (strstr (record->message, ", line 0, in make_never_in_task\n"));
  gaio_test_log_clear ();

  g_clear_pointer (&task, gaio_task_unref);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* DB-09                                                                */

G_GNUC_NO_INLINE void fail_future_in_debug_test (GaioLoop *loop);

void
fail_future_in_debug_test (GaioLoop *loop)
{
  GaioFuture *future = gaio_loop_create_future (loop);

  gaio_future_take_error (future, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "bad"), NULL);
  gaio_future_unref (future);
}

/* DB-09, test_futures.py::test_future_exception_never_retrieved,
 * ::test_future_exception_never_retrieved_debug, ::test_tb_logger_*:
 * reported once iff an error nobody read is dropped; never after a read
 * or a cancel; with the creation traceback in debug mode. */
static void
test_db09_never_retrieved (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future;
  const char *message;

  fail_future_in_debug_test (loop);
  g_assert_cmpuint (count_warnings (), ==, 1);
  g_assert_cmpstr (last_warning (), ==,
                   "Future exception was never retrieved\n"
                   "future: <Future finished exception=GError(g-io-error-quark, 0, 'bad')>\n"
                   GAIO_TEST_ERROR_LINE ("bad"));
  gaio_test_log_clear ();

  /* Read: no report. */
  future = gaio_loop_create_future (loop);
  gaio_future_take_error (future, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "bad"), NULL);
  g_assert_nonnull (gaio_future_get_error (future, NULL));
  gaio_future_unref (future);
  /* Cancelled after the error: no report (cancel() clears the flag). */
  future = gaio_loop_create_future (loop);
  gaio_future_take_error (future, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "bad"), NULL);
  g_assert_false (gaio_future_cancel (future, NULL));
  gaio_future_unref (future);
  /* Pending or result only: no report. */
  gaio_future_unref (gaio_loop_create_future (loop));
  g_assert_cmpuint (count_warnings (), ==, 0);

  gaio_loop_set_debug (loop, TRUE);
  fail_future_in_debug_test (loop);
  g_assert_cmpuint (count_warnings (), ==, 1);
  message = last_warning ();
  g_test_message ("%s", message);
  g_assert_true (g_str_has_prefix (message,
                                   "Future exception was never retrieved\n"
                                   "future: <Future finished exception=GError(g-io-error-quark, 0, 'bad') "
                                   "created at fail_future_in_debug_test+0x"));
  g_assert_nonnull (strstr (message, "\nsource_traceback: Object created at (most recent call last):\n"));
  g_assert_nonnull (strstr (message, "in fail_future_in_debug_test\n"));
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* DB-10                                                                */

/* DB-10 (documented, not in 3.11): no record about the time spent
 * polling, even in debug mode with a zero slow-callback duration. */
static void
test_db10_no_selector_record (void)
{
  GaioLoop *loop = debug_loop_new ();

  gaio_loop_set_slow_callback_duration (loop, 1.0);
  gaio_loop_call_later (loop, 0.02, noop_cb, NULL, NULL, NULL);
  gaio_loop_stop (loop);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
  while (_gaio_loop_get_n_timers (loop) > 0)
    run_once (loop);
  g_assert_cmpuint (count_warnings (), ==, 0);

  gaio_test_loop_free (loop);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Debug/DB-01/enable", test_db01_enable);
  g_test_add_func ("/Gaio/Debug/DB-02/creation-site", test_db02_creation_site);
  g_test_add_func ("/Gaio/Debug/DB-03/cancelled-repr", test_db03_cancelled_repr);
  g_test_add_func ("/Gaio/Debug/DB-04/callback-failure-traceback", test_db04_callback_failure_traceback);
  g_test_add_func ("/Gaio/Debug/DB-04/handle-traceback", test_db04_handle_traceback);
  g_test_add_func ("/Gaio/Debug/DB-05/slow-callbacks", test_db05_slow_callbacks);
  g_test_add_func ("/Gaio/Debug/DB-06/wrong-thread", test_db06_wrong_thread);
  g_test_add_func ("/Gaio/Debug/DB-06/future-wrong-thread", test_db06_future_wrong_thread);
  g_test_add_func ("/Gaio/Debug/DB-06/future-without-callbacks", test_db06_future_without_callbacks);
  g_test_add_func ("/Gaio/Debug/DB-07/null-callback", test_db07_null_callback);
  g_test_add_func ("/Gaio/Debug/DB-08/never-awaited", test_db08_never_awaited);
  g_test_add_func ("/Gaio/Debug/DB-09/never-retrieved", test_db09_never_retrieved);
  g_test_add_func ("/Gaio/Debug/DB-10/no-selector-record", test_db10_no_selector_record);

  return g_test_run ();
}
