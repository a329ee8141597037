/* test-exception-handler.c: the loop's exception handler and its context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The EH cases of shared/design/asyncio-cases.md, and LG-06 (errors in
 * callbacks are reported, never raised out of the loop).
 *
 * Not covered here: EH-02 (a C function pointer cannot be "not
 * callable"), EH-07 (the default handler is not overridable); EH-10,
 * EH-11 and EH-12 need tasks and gaio_run(), and are in test-task.c;
 * EH-13 has no C counterpart (libgaio has no run_coroutine_threadsafe()).
 *
 * The failing callbacks are not static and the program exports its
 * symbols, so that the loop can name them in "Exception in callback NAME".
 */

#include <string.h>

#include "gaio-test-util.h"
#include "gaio-loop-private.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

typedef struct
{
  GPtrArray *contexts;      /* (element-type GaioExceptionContext) */
  GaioLoop  *loop_seen;
  GError    *fail_with;     /* (nullable): the handler fails with a copy */
} Collector;

static gboolean
collect_handler (GaioLoop              *loop,
                 GaioExceptionContext  *context,
                 gpointer               user_data,
                 GError               **error)
{
  Collector *collector = user_data;

  collector->loop_seen = loop;
  g_ptr_array_add (collector->contexts, gaio_exception_context_ref (context));
  if (collector->fail_with != NULL)
    {
      g_propagate_error (error, g_error_copy (collector->fail_with));
      return FALSE;
    }
  return TRUE;
}

static void
collector_init (Collector *collector)
{
  collector->contexts = g_ptr_array_new_with_free_func (
    (GDestroyNotify) gaio_exception_context_unref);
  collector->loop_seen = NULL;
  collector->fail_with = NULL;
}

static void
collector_clear (Collector *collector)
{
  g_ptr_array_unref (collector->contexts);
  g_clear_error (&collector->fail_with);
}

static GaioExceptionContext *
collected (Collector *collector,
           guint      index)
{
  g_assert_cmpuint (index, <, collector->contexts->len);
  return g_ptr_array_index (collector->contexts, index);
}

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
set_flag_cb (gpointer   data,
             GError   **error)
{
  *(gboolean *) data = TRUE;
  return TRUE;
}

static void
run_forever_ok (GaioLoop *loop)
{
  GaioTestGuard *guard = gaio_test_guard_new (loop, NULL, 10);
  GError *error = NULL;

  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));
}

static gboolean
noop_handler (GaioLoop              *loop,
              GaioExceptionContext  *context,
              gpointer               user_data,
              GError               **error)
{
  return TRUE;
}

/* The failing callbacks, named in the reports. */
gboolean gaio_test_zero_error_cb (gpointer data, GError **error);
gboolean gaio_test_silent_failure_cb (gpointer data, GError **error);

gboolean
gaio_test_zero_error_cb (gpointer   data,
                         GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "division by zero");
  return FALSE;
}

gboolean
gaio_test_silent_failure_cb (gpointer   data,
                             GError   **error)
{
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* EH-01                                                                */

/* EH-01: no custom handler by default; set installs one (get returns it
 * and its data); set (NULL) restores the default, which the callback
 * failures then reach, and releases the handler's data
 * (test_base_events.py::test_set_exc_handler_custom; probes E11b, E11c). */
static void
test_get_set_reset (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Collector collector;
  gpointer data = &collector;
  gint notified = 0;
  GError *error = NULL;

  collector_init (&collector);
  g_assert_null (gaio_loop_get_exception_handler (loop, &data));
  g_assert_null (data);
  g_assert_false (gaio_loop_has_exception_handler (loop));

  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);
  g_assert_true (gaio_loop_get_exception_handler (loop, &data) == collect_handler);
  g_assert_true (data == &collector);
  g_assert_true (gaio_loop_has_exception_handler (loop));

  g_assert_nonnull (gaio_loop_call_soon (loop, gaio_test_zero_error_cb, NULL, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  run_forever_ok (loop);
  g_assert_cmpuint (collector.contexts->len, ==, 1);
  g_assert_cmpuint (gaio_test_log_count (), ==, 0);

  /* A notified handler, then the reset. */
  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);
  gaio_loop_set_exception_handler (loop, noop_handler, &notified, gaio_test_count_notify);
  g_assert_cmpint (notified, ==, 0);
  gaio_loop_set_exception_handler (loop, NULL, NULL, NULL);
  g_assert_cmpint (notified, ==, 1);
  g_assert_null (gaio_loop_get_exception_handler (loop, &data));
  g_assert_false (gaio_loop_has_exception_handler (loop));

  g_assert_nonnull (gaio_loop_call_soon (loop, gaio_test_zero_error_cb, NULL, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  run_forever_ok (loop);
  g_assert_cmpuint (collector.contexts->len, ==, 1);
  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_WARNING), ==, 1);
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
  g_assert_cmpint (notified, ==, 1);
  collector_clear (&collector);
}

/* EH-01: replacing a handler releases the old one's data; finalizing the
 * loop releases the installed one's. */
static void
test_handler_notify (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gint first = 0, second = 0;

  gaio_loop_set_exception_handler (loop, noop_handler, &first, gaio_test_count_notify);
  gaio_loop_set_exception_handler (loop, noop_handler, &second, gaio_test_count_notify);
  g_assert_cmpint (first, ==, 1);
  g_assert_cmpint (second, ==, 0);

  gaio_test_loop_free (loop);
  g_assert_cmpint (first, ==, 1);
  g_assert_cmpint (second, ==, 1);
}

/* ------------------------------------------------------------------ */
/* EH-03, EH-04, LG-06: callback failures                               */

/* EH-03 + LG-06: a failing callback reaches the handler with the message
 * "Exception in callback NAME...", its error and its handle, and nothing
 * else; the loop goes on with the next callback and run_forever succeeds
 * (test_base_events.py::test_set_exc_handler_custom,
 * test_events.py::HandleTests::test_callback_with_exception; probe E11). */
static void
test_callback_failure (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context;
  Collector collector;
  gboolean next_ran = FALSE;
  gint notified = 0;
  GaioHandle *handle;
  GError *error = NULL;
  const char *message;
  g_auto(GStrv) keys = NULL;

  collector_init (&collector);
  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);

  handle = gaio_loop_call_soon (loop, gaio_test_zero_error_cb, &notified,
                                gaio_test_count_notify, &error);
  g_assert_nonnull (handle);
  gaio_handle_ref (handle);
  g_assert_nonnull (gaio_loop_call_soon (loop, set_flag_cb, &next_ran, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  g_assert_no_error (error);
  run_forever_ok (loop);

  g_assert_true (next_ran);
  /* A failed callback's data is released once, as a successful one's. */
  g_assert_cmpint (notified, ==, 1);
  g_assert_cmpuint (collector.contexts->len, ==, 1);
  g_assert_true (collector.loop_seen == loop);
  context = collected (&collector, 0);
  message = gaio_exception_context_get_message (context);
  g_assert_true (g_str_has_prefix (message, "Exception in callback "));
  g_assert_nonnull (strstr (message, "gaio_test_zero_error_cb"));
  g_assert_error (gaio_exception_context_get_error (context), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (gaio_exception_context_get_error (context)->message, ==, "division by zero");
  g_assert_true (gaio_exception_context_get_handle (context) == handle);
  g_assert_null (gaio_exception_context_get_future (context));
  g_assert_null (gaio_exception_context_get_source_traceback (context));

  /* Exactly the asyncio keys: message, exception, handle. */
  keys = gaio_exception_context_dup_keys (context);
  g_assert_true (g_strv_contains ((const char * const *) keys, "handle"));
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_str_equal (keys[i], "message") && !g_str_equal (keys[i], "exception") &&
        !g_str_equal (keys[i], "handle"))
      g_error ("unexpected key '%s' in the context of a failed callback", keys[i]);

  gaio_handle_unref (handle);
  gaio_test_loop_free (loop);
  g_assert_cmpint (notified, ==, 1);
  collector_clear (&collector);
}

/* EH-04: a failing call_later callback is reported the same way
 * (test_base_events.py::test_default_exc_handler_callback, second part). */
static void
test_timer_callback_failure (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context;
  Collector collector;
  GaioHandle *handle;
  GError *error = NULL;

  collector_init (&collector);
  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);

  handle = gaio_loop_call_later (loop, 0.001, gaio_test_zero_error_cb, NULL, NULL, &error);
  g_assert_nonnull (handle);
  gaio_handle_ref (handle);
  g_assert_nonnull (gaio_loop_call_later (loop, 0.02, stop_cb, loop, NULL, &error));
  run_forever_ok (loop);

  g_assert_cmpuint (collector.contexts->len, ==, 1);
  context = collected (&collector, 0);
  g_assert_true (g_str_has_prefix (gaio_exception_context_get_message (context),
                                   "Exception in callback "));
  g_assert_true (gaio_exception_context_get_handle (context) == handle);
  g_assert_true (gaio_handle_is_timer (gaio_exception_context_get_handle (context)));
  g_assert_error (gaio_exception_context_get_error (context), G_IO_ERROR, G_IO_ERROR_FAILED);

  gaio_handle_unref (handle);
  gaio_test_loop_free (loop);
  collector_clear (&collector);
}

/* EH-03: a callback that returns FALSE without an error is reported with a
 * GAIO_ERROR_FAILED error. */
static void
test_callback_false_without_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context;
  Collector collector;
  GError *error = NULL;

  collector_init (&collector);
  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);

  g_assert_nonnull (gaio_loop_call_soon (loop, gaio_test_silent_failure_cb, NULL, NULL,
                                         &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  run_forever_ok (loop);

  g_assert_cmpuint (collector.contexts->len, ==, 1);
  context = collected (&collector, 0);
  g_assert_true (g_str_has_prefix (gaio_exception_context_get_message (context),
                                   "Exception in callback "));
  g_assert_nonnull (strstr (gaio_exception_context_get_message (context),
                            "gaio_test_silent_failure_cb"));
  g_assert_error (gaio_exception_context_get_error (context), GAIO_ERROR, GAIO_ERROR_FAILED);

  gaio_test_loop_free (loop);
  collector_clear (&collector);
}

/* EH-04 + LG-06: without a custom handler a failing callback is written as
 * one WARNING record of the Gaio domain: the message, the handle line and
 * the error line; the loop goes on
 * (test_base_events.py::test_default_exc_handler_callback; probe E1). */
static void
test_default_logs_callback_failure (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gboolean next_ran = FALSE;
  GaioTestLogRecord *record;
  GError *error = NULL;

  g_assert_nonnull (gaio_loop_call_soon (loop, gaio_test_zero_error_cb, NULL, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, set_flag_cb, &next_ran, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  run_forever_ok (loop);
  g_assert_true (next_ran);

  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL |
                                               G_LOG_LEVEL_ERROR), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpint (record->level, ==, G_LOG_LEVEL_WARNING);
  g_assert_cmpstr (record->domain, ==, "Gaio");
  g_assert_true (g_str_has_prefix (record->message, "Exception in callback "));
  g_assert_nonnull (strstr (record->message, "gaio_test_zero_error_cb"));
  g_assert_nonnull (strstr (record->message, "\nhandle: <"));
  g_assert_true (g_str_has_suffix (record->message,
                                   "\n" GAIO_TEST_ERROR_LINE ("division by zero")));
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_DOMAIN"), ==,
                   "g-io-error-quark");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_CODE"), ==, "0");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_MESSAGE"), ==,
                   "division by zero");
  g_assert_true (g_str_has_prefix (gaio_test_log_record_field (record, "GAIO_CONTEXT_HANDLE"),
                                   "<"));
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* EH-05: the context and its rendering                                 */

/* EH-05: message first, then the other keys sorted as "key: repr", then
 * the error line (base_events.py default_exception_handler; probe E20). */
static void
test_format (void)
{
  GaioExceptionContext *context = gaio_exception_context_new ("custom msg");
  GValue one = G_VALUE_INIT;
  GError *error = boom_error ("r");
  g_autofree char *text = NULL;

  g_value_init (&one, G_TYPE_INT);
  g_value_set_int (&one, 1);
  gaio_exception_context_set_value (context, "zzz", &one);
  g_value_unset (&one);
  gaio_exception_context_set_string (context, "aaa", "x");
  gaio_exception_context_set_error (context, error);
  g_clear_error (&error);

  text = gaio_exception_context_to_string (context);
  g_assert_cmpstr (text, ==, "custom msg\naaa: 'x'\nzzz: 1\n" GAIO_TEST_ERROR_LINE ("r"));

  gaio_exception_context_unref (context);
}

/* EH-05: string values are written as Python's repr() writes a str: in
 * single quotes unless the text holds a single quote and no double quote,
 * with backslashes, the quote, and control characters escaped, so that
 * every key stays on one line ('\n', '\r', '\t'). */
static void
test_format_string_repr (void)
{
  const struct { const char *value; const char *line; } cases[] = {
    { "x", "k: 'x'" },
    { "it's", "k: \"it's\"" },
    { "it's \"q\"", "k: 'it\\'s \"q\"'" },
    { "back\\slash", "k: 'back\\\\slash'" },
    { "two\nlines", "k: 'two\\nlines'" },
    { "tab\there", "k: 'tab\\there'" },
    { "cr\rhere", "k: 'cr\\rhere'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GaioExceptionContext *context = gaio_exception_context_new ("m");
      g_autofree char *text = NULL;
      g_autofree char *expected = g_strconcat ("m\n", cases[i].line, NULL);

      gaio_exception_context_set_string (context, "k", cases[i].value);
      text = gaio_exception_context_to_string (context);
      g_assert_cmpstr (text, ==, expected);
      gaio_exception_context_unref (context);
    }
}

/* EH-05 + EH-09: with no message, or an empty one, the first line is
 * "Unhandled exception in event loop" (probe E20c). */
static void
test_format_default_message (void)
{
  GaioExceptionContext *context = gaio_exception_context_new (NULL);
  g_autofree char *text = gaio_exception_context_to_string (context);
  g_autofree char *text_empty = NULL;

  g_assert_cmpstr (text, ==, "Unhandled exception in event loop");
  gaio_exception_context_set_message (context, "");
  text_empty = gaio_exception_context_to_string (context);
  g_assert_cmpstr (text_empty, ==, "Unhandled exception in event loop");

  gaio_exception_context_unref (context);
}

/* EH-05: source_traceback is rendered as "Object created at (most recent
 * call last):" followed by the frames (§10.1). */
static void
test_format_source_traceback (void)
{
  GaioExceptionContext *context = gaio_exception_context_new ("m");
  const char *frames[] = {
    "  File \"first.c\", line 10, in main",
    "  File \"second.c\", line 20, in helper",
    NULL,
  };
  g_autofree char *text = NULL;
  const char *header, *first, *second;

  gaio_exception_context_set_source_traceback (context, frames);
  g_assert_cmpstrv (gaio_exception_context_get_source_traceback (context), frames);
  text = gaio_exception_context_to_string (context);
  g_assert_true (g_str_has_prefix (text, "m\n"));
  header = strstr (text, "\nsource_traceback: Object created at (most recent call last):\n");
  g_assert_nonnull (header);
  first = strstr (header, "first.c\", line 10, in main");
  g_assert_nonnull (first);
  second = strstr (first, "second.c\", line 20, in helper");
  g_assert_nonnull (second);

  gaio_exception_context_unref (context);
}

/* EH-05: future, handle and task values are rendered with their
 * to_string ("future: <Future pending>", "handle: <Handle ...>"). */
static void
test_format_future_and_handle (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context = gaio_exception_context_new ("m");
  GaioFuture *future = gaio_loop_create_future (loop);
  GaioHandle *handle = gaio_loop_call_later (loop, 60, set_flag_cb, NULL, NULL, NULL);
  g_autofree char *future_text = gaio_future_to_string (future);
  g_autofree char *handle_text = gaio_handle_to_string (handle);
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;

  gaio_exception_context_set_future (context, future);
  gaio_exception_context_set_handle (context, handle);
  gaio_exception_context_set_task (context, future);
  g_assert_true (gaio_exception_context_get_future (context) == future);
  g_assert_true (gaio_exception_context_get_handle (context) == handle);
  g_assert_true (gaio_exception_context_get_task (context) == future);

  text = gaio_exception_context_to_string (context);
  expected = g_strdup_printf ("m\nfuture: %s\nhandle: %s\ntask: %s", future_text, handle_text,
                              future_text);
  g_assert_cmpstr (text, ==, expected);

  gaio_exception_context_unref (context);
  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* The context holds its own reference to the future it names. */
static void
test_context_keeps_future (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context = gaio_exception_context_new ("m");
  GaioFuture *future = gaio_loop_create_future (loop);

  gaio_exception_context_set_future (context, future);
  g_assert_cmpuint (gaio_test_future_refs (future), ==, 2);
  g_assert_true (gaio_exception_context_get_future (context) == future);
  gaio_exception_context_unref (context);
  gaio_test_assert_finalize_future (future);

  gaio_test_loop_free (loop);
}

/* EH-09: arbitrary keys: set/get/contains/remove, sorted key list, a
 * copied error, the message accessors, and the boxed type's copy
 * (a reference). */
static void
test_context_keys (void)
{
  GaioExceptionContext *context = gaio_exception_context_new ("first");
  GaioExceptionContext *copy;
  GValue value = G_VALUE_INIT;
  const GValue *got;
  GError *error = boom_error ("copied");
  g_auto(GStrv) keys = NULL;

  g_assert_cmpstr (gaio_exception_context_get_message (context), ==, "first");
  gaio_exception_context_set_message (context, "second");
  g_assert_cmpstr (gaio_exception_context_get_message (context), ==, "second");

  gaio_exception_context_set_string (context, "zeta", "z");
  gaio_exception_context_set_string (context, "alpha", "a");
  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 7);
  gaio_exception_context_set_value (context, "mid", &value);
  g_value_set_int (&value, 8);   /* the context kept a copy */
  g_value_unset (&value);

  g_assert_true (gaio_exception_context_contains (context, "alpha"));
  g_assert_true (gaio_exception_context_contains (context, "mid"));
  g_assert_false (gaio_exception_context_contains (context, "nope"));
  g_assert_cmpstr (gaio_exception_context_get_string (context, "zeta"), ==, "z");
  got = gaio_exception_context_get_value (context, "mid");
  g_assert_nonnull (got);
  g_assert_true (G_VALUE_HOLDS_INT (got));
  g_assert_cmpint (g_value_get_int (got), ==, 7);
  g_assert_null (gaio_exception_context_get_value (context, "nope"));

  keys = gaio_exception_context_dup_keys (context);
  for (guint i = 1; keys[i] != NULL; i++)
    g_assert_cmpint (strcmp (keys[i - 1], keys[i]), <, 0);
  g_assert_true (g_strv_contains ((const char * const *) keys, "alpha"));
  g_assert_true (g_strv_contains ((const char * const *) keys, "mid"));
  g_assert_true (g_strv_contains ((const char * const *) keys, "zeta"));

  g_assert_true (gaio_exception_context_remove (context, "mid"));
  g_assert_false (gaio_exception_context_contains (context, "mid"));
  g_assert_false (gaio_exception_context_remove (context, "mid"));

  gaio_exception_context_set_error (context, error);
  g_assert_true (gaio_exception_context_get_error (context) != error);
  g_assert_error (gaio_exception_context_get_error (context), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpstr (gaio_exception_context_get_error (context)->message, ==, "copied");

  copy = g_boxed_copy (GAIO_TYPE_EXCEPTION_CONTEXT, context);
  g_assert_cmpstr (gaio_exception_context_get_message (copy), ==, "second");
  g_boxed_free (GAIO_TYPE_EXCEPTION_CONTEXT, copy);
  gaio_exception_context_unref (context);
}

/* EH-09 (no CPython test: a None context is a TypeError there): the
 * message accessors refuse a NULL context with a critical that names
 * them, not the string accessor they delegate to, which a caller never
 * called. */
static void
test_context_message_null (void)
{
  g_test_expect_message (GAIO_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
                         "gaio_exception_context_get_message: assertion*failed*");
  g_assert_null (gaio_exception_context_get_message (NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message (GAIO_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
                         "gaio_exception_context_set_message: assertion*failed*");
  gaio_exception_context_set_message (NULL, "lost");
  g_test_assert_expected_messages ();
}

/* EH-05: the default handler's record: MESSAGE is exactly the context's
 * rendering, and each key is also a GAIO_CONTEXT_<KEY> field holding its
 * rendered value; the error is in GAIO_ERROR_* fields. */
static void
test_default_handler_record (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context = gaio_exception_context_new ("custom msg");
  GValue one = G_VALUE_INIT;
  GError *error = boom_error ("r");
  g_autofree char *expected = NULL;
  GaioTestLogRecord *record;

  g_value_init (&one, G_TYPE_INT);
  g_value_set_int (&one, 1);
  gaio_exception_context_set_value (context, "zzz", &one);
  gaio_exception_context_set_string (context, "aaa", "x");
  gaio_exception_context_set_error (context, error);
  expected = gaio_exception_context_to_string (context);

  gaio_test_log_clear ();
  gaio_loop_call_exception_handler (loop, context);
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpint (record->level, ==, G_LOG_LEVEL_WARNING);
  g_assert_cmpstr (record->message, ==, expected);
  g_assert_cmpstr (record->message, ==,
                   "custom msg\naaa: 'x'\nzzz: 1\n" GAIO_TEST_ERROR_LINE ("r"));
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_DOMAIN"), ==,
                   "g-io-error-quark");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_CODE"), ==, "0");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_MESSAGE"), ==, "r");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_CONTEXT_ZZZ"), ==, "1");
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_CONTEXT_AAA"), ==, "'x'");
  gaio_test_log_clear ();

  g_value_unset (&one);
  g_clear_error (&error);
  gaio_exception_context_unref (context);
  gaio_test_loop_free (loop);
}

/* EH-09: an empty context through the default handler: just "Unhandled
 * exception in event loop", and no GAIO_ERROR_* fields. */
static void
test_default_handler_empty (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context = gaio_exception_context_new (NULL);
  GaioTestLogRecord *record;

  gaio_loop_call_exception_handler (loop, context);
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpint (record->level, ==, G_LOG_LEVEL_WARNING);
  g_assert_cmpstr (record->message, ==, "Unhandled exception in event loop");
  g_assert_null (gaio_test_log_record_field (record, "GAIO_ERROR_DOMAIN"));
  g_assert_null (gaio_test_log_record_field (record, "GAIO_ERROR_MESSAGE"));
  gaio_test_log_clear ();

  gaio_exception_context_unref (context);
  gaio_test_loop_free (loop);
}

/* EH-09: call_exception_handler hands a custom handler the caller's
 * context with its keys unchanged, and writes nothing itself. */
static void
test_call_exception_handler_passthrough (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context = gaio_exception_context_new ("mine");
  GaioExceptionContext *seen;
  Collector collector;

  collector_init (&collector);
  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);
  gaio_exception_context_set_string (context, "extra", "value");

  gaio_loop_call_exception_handler (loop, context);
  g_assert_cmpuint (collector.contexts->len, ==, 1);
  g_assert_true (collector.loop_seen == loop);
  seen = collected (&collector, 0);
  g_assert_cmpstr (gaio_exception_context_get_message (seen), ==, "mine");
  g_assert_cmpstr (gaio_exception_context_get_string (seen, "extra"), ==, "value");
  g_assert_cmpuint (gaio_test_log_count (), ==, 0);

  gaio_exception_context_unref (context);
  gaio_test_loop_free (loop);
  collector_clear (&collector);
}

/* default_exception_handler writes the record even when a custom handler
 * is installed, and does not call it (asyncio handlers defer to it). */
static void
test_default_bypasses_custom (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioExceptionContext *context = gaio_exception_context_new ("direct");
  Collector collector;

  collector_init (&collector);
  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);
  gaio_loop_default_exception_handler (loop, context);
  g_assert_cmpuint (collector.contexts->len, ==, 0);
  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  g_assert_cmpstr (gaio_test_log_get (0)->message, ==, "direct");
  gaio_test_log_clear ();

  gaio_exception_context_unref (context);
  gaio_test_loop_free (loop);
  collector_clear (&collector);
}

/* ------------------------------------------------------------------ */
/* EH-06, EH-08: failing handlers                                       */

/* EH-06, EH-15: a custom handler that fails has its error and the original
 * context reported by the default handler: "Unhandled error in exception
 * handler", a "context" key, the handler's error line; the loop goes on
 * (test_base_events.py::test_set_exc_handler_broken; probe E15). */
static void
test_failing_handler (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Collector collector;
  gboolean next_ran = FALSE;
  GaioTestLogRecord *record;
  GError *error = NULL;

  collector_init (&collector);
  collector.fail_with = boom_error ("spam");
  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);

  g_assert_nonnull (gaio_loop_call_soon (loop, gaio_test_zero_error_cb, NULL, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, set_flag_cb, &next_ran, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  run_forever_ok (loop);
  g_assert_true (next_ran);
  g_assert_cmpuint (collector.contexts->len, ==, 1);

  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_WARNING), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_true (g_str_has_prefix (record->message,
                                   "Unhandled error in exception handler\ncontext: "));
  g_assert_nonnull (strstr (record->message, "Exception in callback"));
  /* EH-15: the nested context reads as Python prints the dict: keys in
   * the order they were set, message, exception, handle
   * (call_exception_handler's report, base_events.py). */
  g_assert_nonnull (strstr (record->message, "context: {'message': 'Exception in callback "));
  g_assert_nonnull (strstr (record->message, "'exception': "));
  g_assert_true (strstr (record->message, "'message': ") < strstr (record->message, "'exception': "));
  g_assert_true (strstr (record->message, "'exception': ") < strstr (record->message, "'handle': <Handle"));
  g_assert_true (g_str_has_suffix (record->message, "\n" GAIO_TEST_ERROR_LINE ("spam")));
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_MESSAGE"), ==, "spam");
  g_assert_nonnull (gaio_test_log_record_field (record, "GAIO_CONTEXT_CONTEXT"));
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
  collector_clear (&collector);
}

/* EH-08: a handler failing with GAIO_ERROR_ESCAPE is not swallowed: it
 * leaves run_forever with that error (call_exception_handler re-raises
 * SystemExit/KeyboardInterrupt; probe L2). */
static void
test_escape_from_handler (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Collector collector;
  GaioTestGuard *guard;
  GError *error = NULL;

  collector_init (&collector);
  collector.fail_with = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_ESCAPE, "exit 3");
  gaio_loop_set_exception_handler (loop, collect_handler, &collector, NULL);

  g_assert_nonnull (gaio_loop_call_soon (loop, gaio_test_zero_error_cb, NULL, NULL, &error));
  g_assert_nonnull (gaio_loop_call_later (loop, 5, stop_cb, loop, NULL, &error));
  guard = gaio_test_guard_new (loop, NULL, 10);
  g_assert_false (gaio_loop_run_forever (loop, &error));
  g_assert_true (gaio_test_guard_finish (guard));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_ESCAPE);
  g_assert_cmpstr (error->message, ==, "exit 3");
  g_clear_error (&error);
  g_assert_cmpuint (collector.contexts->len, ==, 1);
  g_assert_cmpuint (gaio_test_log_count (), ==, 0);
  g_assert_false (gaio_loop_is_running (loop));

  gaio_test_loop_free (loop);
  collector_clear (&collector);
}

/* BD-01: dup_value, the bindings' get_value, is a copy that outlives the
 * context (no CPython counterpart). */
static void
test_context_dup_value (void)
{
  GaioExceptionContext *context = gaio_exception_context_new ("values");
  g_autoptr(GBytes) bytes = g_bytes_new ("kept", 4);
  g_auto(GValue) stored = G_VALUE_INIT;
  GValue *copy;

  g_value_init (&stored, G_TYPE_BYTES);
  g_value_set_boxed (&stored, bytes);
  gaio_exception_context_set_value (context, "bytes", &stored);
  g_assert_null (gaio_exception_context_dup_value (context, "missing"));

  copy = gaio_exception_context_dup_value (context, "bytes");
  gaio_exception_context_unref (context);
  g_assert_true (G_VALUE_HOLDS (copy, G_TYPE_BYTES));
  g_assert_true (g_bytes_equal (g_value_get_boxed (copy), bytes));
  g_boxed_free (G_TYPE_VALUE, copy);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/ExceptionHandler/get-set-reset", test_get_set_reset);
  g_test_add_func ("/Gaio/ExceptionHandler/handler-notify", test_handler_notify);
  g_test_add_func ("/Gaio/ExceptionHandler/callback-failure", test_callback_failure);
  g_test_add_func ("/Gaio/ExceptionHandler/timer-callback-failure",
                   test_timer_callback_failure);
  g_test_add_func ("/Gaio/ExceptionHandler/callback-false-without-error",
                   test_callback_false_without_error);
  g_test_add_func ("/Gaio/ExceptionHandler/default-logs-callback-failure",
                   test_default_logs_callback_failure);
  g_test_add_func ("/Gaio/ExceptionHandler/format", test_format);
  g_test_add_func ("/Gaio/ExceptionHandler/format-string-repr", test_format_string_repr);
  g_test_add_func ("/Gaio/ExceptionHandler/format-default-message",
                   test_format_default_message);
  g_test_add_func ("/Gaio/ExceptionHandler/format-source-traceback",
                   test_format_source_traceback);
  g_test_add_func ("/Gaio/ExceptionHandler/format-future-and-handle",
                   test_format_future_and_handle);
  g_test_add_func ("/Gaio/ExceptionHandler/context-keeps-future", test_context_keeps_future);
  g_test_add_func ("/Gaio/ExceptionHandler/context-keys", test_context_keys);
  g_test_add_func ("/Gaio/ExceptionHandler/context-message-null", test_context_message_null);
  g_test_add_func ("/Gaio/ExceptionHandler/default-handler-record",
                   test_default_handler_record);
  g_test_add_func ("/Gaio/ExceptionHandler/default-handler-empty", test_default_handler_empty);
  g_test_add_func ("/Gaio/ExceptionHandler/call-exception-handler-passthrough",
                   test_call_exception_handler_passthrough);
  g_test_add_func ("/Gaio/ExceptionHandler/default-bypasses-custom",
                   test_default_bypasses_custom);
  g_test_add_func ("/Gaio/ExceptionHandler/failing-handler", test_failing_handler);
  g_test_add_func ("/Gaio/ExceptionHandler/escape-from-handler", test_escape_from_handler);
  g_test_add_func ("/Gaio/ExceptionHandler/context-dup-value", test_context_dup_value);

  return g_test_run ();
}
