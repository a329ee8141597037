/* test-log.c: the Gaio log domain, its levels and its threshold
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The LG cases of shared/design/asyncio-cases.md that apply to what exists
 * (LG-01 to LG-04; LG-05 needs subprocesses, LG-06 is in
 * test-exception-handler.c), and gaio_log_set_level(), the analogue of
 * logging.getLogger("asyncio").setLevel().
 */

#include <string.h>

#include "gaio-test-util.h"

static GError *
boom_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
}

static gboolean
stop_cb (gpointer   data,
         GError   **error)
{
  gaio_loop_stop (data);
  return TRUE;
}

static gboolean
noop_cb (gpointer   data,
         GError   **error)
{
  return TRUE;
}

/* Reports an empty context through the default handler: one WARNING. */
static void
report_something (GaioLoop *loop)
{
  GaioExceptionContext *context = gaio_exception_context_new ("something");

  gaio_loop_call_exception_handler (loop, context);
  gaio_exception_context_unref (context);
}

/* The records whose MESSAGE starts with @prefix. */
static guint
count_messages (const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < gaio_test_log_count (); i++)
    {
      GaioTestLogRecord *record = gaio_test_log_get (i);

      if (record->message != NULL && g_str_has_prefix (record->message, prefix))
        n++;
    }
  return n;
}

static GaioTestLogRecord *
find_message (const char *prefix)
{
  for (guint i = 0; i < gaio_test_log_count (); i++)
    {
      GaioTestLogRecord *record = gaio_test_log_get (i);

      if (record->message != NULL && g_str_has_prefix (record->message, prefix))
        return record;
    }
  return NULL;
}

/* LG-01: every record comes from one domain, "Gaio" (asyncio/log.py's one
 * logger); the default handler's record carries it as GLIB_DOMAIN. */
static void
test_domain (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioTestLogRecord *record;

  g_assert_cmpstr (GAIO_LOG_DOMAIN, ==, "Gaio");
  gaio_test_log_clear ();
  report_something (loop);
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpstr (gaio_test_log_record_field (record, "GLIB_DOMAIN"), ==, "Gaio");
  g_assert_cmpstr (record->message, ==, "something");
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
}

/* LG-02: the default exception handler writes at WARNING (DESIGN.md maps
 * asyncio's logger.error there; GLib's ERROR level aborts). */
static void
test_level_default_handler (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  gaio_test_log_clear ();
  report_something (loop);
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  g_assert_cmpint (gaio_test_log_get (0)->level, ==, G_LOG_LEVEL_WARNING);
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
}

/* LG-02 + DB-05: in debug mode a callback slower than
 * slow_callback_duration is reported at WARNING as "Executing <Handle ...>
 * took N.NNN seconds" (test_base_events.py::test_log_slow_callbacks, with
 * slow_callback_duration = 0.0). */
static void
test_level_slow_callback (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioTestLogRecord *record;
  GError *error = NULL;
  GaioTestGuard *guard;

  gaio_loop_set_debug (loop, TRUE);
  gaio_loop_set_slow_callback_duration (loop, 0.0);
  g_assert_cmpfloat (gaio_loop_get_slow_callback_duration (loop), ==, 0.0);
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  gaio_test_log_clear ();
  guard = gaio_test_guard_new (loop, NULL, 10);
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));

  record = find_message ("Executing <");
  g_assert_nonnull (record);
  g_assert_cmpint (record->level, ==, G_LOG_LEVEL_WARNING);
  g_assert_true (g_str_has_suffix (record->message, " seconds"));
  g_assert_nonnull (strstr (record->message, "> took "));
  gaio_test_log_clear ();

  gaio_loop_set_debug (loop, FALSE);
  gaio_test_loop_free (loop);
}

/* LG-02: outside debug mode no slow-callback record is written. */
static void
test_slow_callback_needs_debug (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GError *error = NULL;

  gaio_loop_set_slow_callback_duration (loop, 0.0);
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages ("Executing "), ==, 0);

  gaio_test_loop_free (loop);
}

/* gaio_test_loop_new() without clearing the log after the creation. */
static GaioLoop *
loop_new_logged (void)
{
  GMainContext *context = g_main_context_new ();
  GaioLoop *loop;

  gaio_test_log_clear ();
  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (NULL);
  g_main_context_unref (context);
  return loop;
}

/* LG-03: every new loop writes DEBUG "Using GMainContext <address>" (the
 * analogue of asyncio's "Using selector: EpollSelector"). */
static void
test_using_context_record (void)
{
  GaioLoop *loop = loop_new_logged ();
  GaioTestLogRecord *record = find_message ("Using GMainContext ");

  g_assert_nonnull (record);
  g_assert_cmpint (record->level, ==, G_LOG_LEVEL_DEBUG);
  g_assert_cmpuint (count_messages ("Using GMainContext "), ==, 1);
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
}

/* LG-04: in debug mode close() writes DEBUG "Close <GaioLoop running=0
 * closed=0 debug=1>" (BaseEventLoop.close; probe E2b); not outside it. */
static void
test_close_record (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioLoop *quiet = gaio_test_loop_new ();
  GaioTestLogRecord *record;
  GError *error = NULL;

  gaio_loop_set_debug (loop, TRUE);
  gaio_test_log_clear ();
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpint (record->level, ==, G_LOG_LEVEL_DEBUG);
  g_assert_cmpstr (record->message, ==, "Close <GaioLoop running=0 closed=0 debug=1>");

  /* Closing again is a no-op and writes nothing. */
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  gaio_test_log_clear ();

  g_assert_true (gaio_loop_close (quiet, &error));
  g_assert_cmpuint (count_messages ("Close "), ==, 0);

  gaio_test_loop_free (quiet);
  gaio_test_loop_free (loop);
}

/* The threshold is DEBUG by default (nothing dropped by libgaio). */
static void
test_default_threshold (void)
{
  g_assert_cmpint (gaio_log_get_level (), ==, G_LOG_LEVEL_DEBUG);
}

/* gaio_log_set_level: records less severe than the threshold never reach a
 * writer; as severe or more do. A CRITICAL threshold drops the default
 * handler's WARNING (logging.getLogger("asyncio").setLevel(ERROR)). */
static void
test_threshold_drops_warning (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  const struct { GLogLevelFlags threshold; guint expected; } cases[] = {
    { G_LOG_LEVEL_CRITICAL, 0 },
    { G_LOG_LEVEL_ERROR, 0 },
    { G_LOG_LEVEL_WARNING, 1 },
    { G_LOG_LEVEL_MESSAGE, 1 },
    { G_LOG_LEVEL_DEBUG, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gaio_log_set_level (cases[i].threshold);
      g_assert_cmpint (gaio_log_get_level (), ==, cases[i].threshold);
      gaio_test_log_clear ();
      report_something (loop);
      g_assert_cmpuint (gaio_test_log_count (), ==, cases[i].expected);
    }
  gaio_log_set_level (G_LOG_LEVEL_DEBUG);
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
}

/* The threshold also applies to the loop's own debug records: INFO drops
 * "Using GMainContext", DEBUG lets it through. */
static void
test_threshold_drops_debug (void)
{
  GaioLoop *loop;

  gaio_log_set_level (G_LOG_LEVEL_INFO);
  loop = loop_new_logged ();
  g_assert_cmpuint (count_messages ("Using GMainContext "), ==, 0);
  gaio_test_loop_free (loop);

  gaio_log_set_level (G_LOG_LEVEL_DEBUG);
  loop = loop_new_logged ();
  g_assert_cmpuint (count_messages ("Using GMainContext "), ==, 1);
  gaio_test_log_clear ();
  gaio_test_loop_free (loop);
}

/* The threshold also silences the unclosed-loop ResourceWarning (LS-15). */
static void
test_threshold_drops_resource_warning (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *context = g_main_context_ref (gaio_loop_get_context (loop));

  gaio_loop_set_debug (loop, TRUE);
  gaio_log_set_level (G_LOG_LEVEL_CRITICAL);
  gaio_test_log_clear ();
  g_assert_finalize_object (loop);
  g_assert_cmpuint (gaio_test_log_count (), ==, 0);
  gaio_log_set_level (G_LOG_LEVEL_DEBUG);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* G_MESSAGES_DEBUG=Gaio shows the debug records through GLib's default
 * writer while the threshold lets them through, and not when it drops
 * them (LG-01: "honour G_MESSAGES_DEBUG"). Each case runs in a subprocess
 * whose output is checked. */
static void
test_messages_debug (void)
{
  if (g_test_subprocess ())
    {
      GaioLoop *loop;

      g_setenv ("G_MESSAGES_DEBUG", "Gaio", TRUE);
      gaio_test_log_set_passthrough (TRUE);
      loop = gaio_test_loop_new ();
      gaio_test_loop_free (loop);

      gaio_log_set_level (G_LOG_LEVEL_INFO);
      g_print ("-- threshold INFO --\n");
      loop = gaio_test_loop_new ();
      gaio_test_loop_free (loop);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* GLib writes debug records to stdout. One "Using GMainContext" before
   * the threshold changed, none after. */
  g_test_trap_assert_stdout ("*Gaio-DEBUG*Using GMainContext*-- threshold INFO --*");
  g_test_trap_assert_stdout_unmatched ("*-- threshold INFO --*Using GMainContext*");
}

/* Without G_MESSAGES_DEBUG, GLib's writer hides the debug records. */
static void
test_messages_debug_unset (void)
{
  if (g_test_subprocess ())
    {
      GaioLoop *loop;

      g_unsetenv ("G_MESSAGES_DEBUG");
      gaio_test_log_set_passthrough (TRUE);
      loop = gaio_test_loop_new ();
      gaio_test_loop_free (loop);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*Using GMainContext*");
  g_test_trap_assert_stderr_unmatched ("*Using GMainContext*");
}

/* The default handler's fields: GAIO_ERROR_* only when the context has an
 * error, a GAIO_CONTEXT_<KEY> per key with the rendered value, e.g. the
 * future's to_string for "future". */
static void
test_record_fields (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context = gaio_exception_context_new ("fields");
  GaioFuture *future = gaio_loop_create_future (loop);
  g_autofree char *future_text = gaio_future_to_string (future);
  GError *error = boom_error ("bad");
  GaioTestLogRecord *record;

  gaio_exception_context_set_future (context, future);
  gaio_exception_context_set_string (context, "note", "n");
  gaio_test_log_clear ();
  gaio_loop_call_exception_handler (loop, context);
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_CONTEXT_FUTURE"), ==, future_text);
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_CONTEXT_NOTE"), ==, "'n'");
  g_assert_null (gaio_test_log_record_field (record, "GAIO_ERROR_DOMAIN"));
  g_assert_null (gaio_test_log_record_field (record, "GAIO_ERROR_CODE"));
  g_assert_null (gaio_test_log_record_field (record, "GAIO_ERROR_MESSAGE"));

  gaio_exception_context_set_error (context, error);
  gaio_test_log_clear ();
  gaio_loop_call_exception_handler (loop, context);
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_DOMAIN"), ==,
                   "g-io-error-quark");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_CODE"), ==, "0");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_MESSAGE"), ==, "bad");
  gaio_test_log_clear ();

  g_clear_error (&error);
  gaio_exception_context_unref (context);
  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* Callbacks that succeed make the loop write nothing at MESSAGE or more
 * severe (asyncio logs only failures outside debug mode). */
static void
test_no_record_for_success (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GError *error = NULL;

  gaio_test_log_clear ();
  g_assert_nonnull (gaio_loop_call_soon (loop, noop_cb, NULL, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL |
                                               G_LOG_LEVEL_ERROR | G_LOG_LEVEL_MESSAGE), ==, 0);

  gaio_test_loop_free (loop);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Log/default-threshold", test_default_threshold);
  g_test_add_func ("/Gaio/Log/domain", test_domain);
  g_test_add_func ("/Gaio/Log/level-default-handler", test_level_default_handler);
  g_test_add_func ("/Gaio/Log/level-slow-callback", test_level_slow_callback);
  g_test_add_func ("/Gaio/Log/slow-callback-needs-debug", test_slow_callback_needs_debug);
  g_test_add_func ("/Gaio/Log/using-context-record", test_using_context_record);
  g_test_add_func ("/Gaio/Log/close-record", test_close_record);
  g_test_add_func ("/Gaio/Log/threshold-drops-warning", test_threshold_drops_warning);
  g_test_add_func ("/Gaio/Log/threshold-drops-debug", test_threshold_drops_debug);
  g_test_add_func ("/Gaio/Log/threshold-drops-resource-warning",
                   test_threshold_drops_resource_warning);
  g_test_add_func ("/Gaio/Log/messages-debug", test_messages_debug);
  g_test_add_func ("/Gaio/Log/messages-debug-unset", test_messages_debug_unset);
  g_test_add_func ("/Gaio/Log/record-fields", test_record_fields);
  g_test_add_func ("/Gaio/Log/no-record-for-success", test_no_record_for_success);

  return g_test_run ();
}
