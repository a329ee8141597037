/* test-future.c: GaioFuture states, results, done callbacks and GIO interop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The FU cases of shared/design/asyncio-cases.md and the never-retrieved
 * rule (DB-09, futures.py Future.__del__). Every test ends with its futures
 * finalized and its loop closed and finalized.
 *
 * Not covered here: FU-03's exception-class and StopIteration parts (no C
 * analogue), FU-09 (no per-task context objects), FU-11 (no executors yet).
 */

#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "gaio-test-util.h"
#include "gaio-future-private.h"
#include "gaio-loop-private.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* What an exception handler was told, copied out so that the handler
 * keeps no reference to a future being finalized. */
typedef struct
{
  guint       calls;
  char       *message;
  GError     *error;
  gpointer    future;       /* only compared, never dereferenced afterwards */
  char       *future_text;  /* gaio_future_to_string () inside the handler */
} Reports;

static gboolean
reports_handler (GaioLoop              *loop,
                 GaioExceptionContext  *context,
                 gpointer               user_data,
                 GError               **error)
{
  Reports *reports = user_data;
  const GError *err = gaio_exception_context_get_error (context);
  GaioFuture *future = gaio_exception_context_get_future (context);

  reports->calls++;
  g_free (reports->message);
  reports->message = g_strdup (gaio_exception_context_get_message (context));
  g_clear_error (&reports->error);
  reports->error = err ? g_error_copy (err) : NULL;
  reports->future = future;
  g_free (reports->future_text);
  reports->future_text = future ? gaio_future_to_string (future) : NULL;
  return TRUE;
}

static void
reports_clear (Reports *reports)
{
  g_free (reports->message);
  g_clear_error (&reports->error);
  g_free (reports->future_text);
  memset (reports, 0, sizeof *reports);
}

static GaioLoop *
loop_with_reports (Reports *reports)
{
  GaioLoop *loop = gaio_test_loop_new ();

  memset (reports, 0, sizeof *reports);
  gaio_loop_set_exception_handler (loop, reports_handler, reports, NULL);
  return loop;
}

static GError *
boom_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
}

/* Runs one dispatch of the loop's source (something must be ready). */
static void
run_one_iteration (GaioLoop *loop)
{
  guint64 target = _gaio_loop_get_n_iterations (loop) + 1;
  GMainContext *context = gaio_loop_get_context (loop);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (_gaio_loop_get_n_iterations (loop) < target && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (_gaio_loop_get_n_iterations (loop), ==, target);
}

/* Iterates until the loop has nothing ready: a few non-blocking rounds. */
static void
drain (GaioLoop *loop)
{
  gaio_test_iterate (gaio_loop_get_context (loop), 10);
}

/* ------------------------------------------------------------------ */
/* FU-01, FU-02, FU-03, FU-04: states                                   */

/* FU-01: a new future is pending, neither done nor cancelled
 * (test_futures.py::BaseFutureTests::test_initial_state). */
static void
test_initial_state (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *futures[2];

  futures[0] = gaio_loop_create_future (loop);
  futures[1] = gaio_future_new (loop);
  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      g_assert_nonnull (futures[i]);
      g_assert_true (gaio_future_get_loop (futures[i]) == loop);
      g_assert_cmpint (gaio_future_get_state (futures[i]), ==, GAIO_FUTURE_PENDING);
      g_assert_false (gaio_future_is_done (futures[i]));
      g_assert_false (gaio_future_is_cancelled (futures[i]));
      gaio_test_assert_finalize_future (futures[i]);
    }
  gaio_test_loop_free (loop);
}

/* FU-01: cancel() of a pending future: TRUE once, then cancelled and done;
 * reading fails with G_IO_ERROR_CANCELLED, setting with INVALID_STATE
 * (test_futures.py::test_cancel). */
static void
test_cancel (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GError *error = NULL;

  g_assert_true (gaio_future_cancel (future, NULL));
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);
  g_assert_true (gaio_future_is_cancelled (future));
  g_assert_true (gaio_future_is_done (future));

  g_assert_false (gaio_future_get_result (future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (gaio_future_get_error (future, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_false (gaio_future_set_result_int64 (future, 1, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  {
    g_autoptr(GError) value = boom_error ("late");

    g_assert_false (gaio_future_set_error (future, value, &error));
    g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
    g_clear_error (&error);
  }

  g_assert_false (gaio_future_cancel (future, NULL));
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* FU-01: set_result: the result is readable, there is no error, cancel()
 * returns FALSE and a second set fails (test_futures.py::test_result). */
static void
test_result (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GError *error = NULL;

  g_assert_true (gaio_future_set_result_int64 (future, 42, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);
  g_assert_true (gaio_future_is_done (future));
  g_assert_false (gaio_future_is_cancelled (future));
  g_assert_cmpint (gaio_future_get_result_int64 (future, &error), ==, 42);
  g_assert_no_error (error);
  g_assert_null (gaio_future_get_error (future, &error));
  g_assert_no_error (error);

  g_assert_false (gaio_future_cancel (future, NULL));
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);

  g_assert_false (gaio_future_set_result_int64 (future, 43, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  {
    g_autoptr(GError) value = boom_error ("late");

    g_assert_false (gaio_future_set_error (future, value, &error));
    g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
    g_clear_error (&error);
  }
  g_assert_cmpint (gaio_future_get_result_int64 (future, &error), ==, 42);
  g_assert_no_error (error);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* FU-01: set_error copies the error; reading the result fails with a copy
 * of it, get_error returns it; cancel() returns FALSE; a second set fails
 * (test_futures.py::test_exception). */
static void
test_exception (void)
{
  Reports reports;
  GaioLoop *loop = loop_with_reports (&reports);
  GaioFuture *future = gaio_loop_create_future (loop);
  GError *value = boom_error ("bad");
  const GError *stored;
  GError *error = NULL;

  g_assert_true (gaio_future_set_error (future, value, &error));
  g_assert_no_error (error);
  /* A copy: the caller's error is still the caller's. */
  g_clear_error (&value);

  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);
  g_assert_true (gaio_future_is_done (future));
  g_assert_false (gaio_future_get_result (future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "bad");
  stored = gaio_future_get_error (future, NULL);
  g_assert_nonnull (stored);
  g_assert_true (stored != error);
  g_assert_error (stored, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (stored->message, ==, "bad");
  g_clear_error (&error);

  g_assert_false (gaio_future_cancel (future, NULL));
  g_assert_false (gaio_future_is_cancelled (future));
  g_assert_false (gaio_future_set_result_int64 (future, 1, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_clear_error (&error);

  gaio_test_assert_finalize_future (future);
  g_assert_cmpuint (reports.calls, ==, 0);
  gaio_test_loop_free (loop);
  reports_clear (&reports);
}

/* FU-01: take_error takes the caller's error (valgrind checks it is freed
 * exactly once). */
static void
test_take_error (void)
{
  Reports reports;
  GaioLoop *loop = loop_with_reports (&reports);
  GaioFuture *future = gaio_loop_create_future (loop);
  GError *error = NULL;

  g_assert_true (gaio_future_take_error (future, boom_error ("taken"), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gaio_future_get_error (future, NULL)->message, ==, "taken");

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
  reports_clear (&reports);
}

/* FU-02: reading a pending future fails with INVALID_STATE, "Result is not
 * ready." / "Exception is not set." (futures.py; test_futures.py::test_result,
 * ::test_exception; probes F3, F4). */
static void
test_pending_read (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  g_assert_false (gaio_future_get_result (future, &value, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, "Result is not ready.");
  g_clear_error (&error);
  g_assert_false (G_IS_VALUE (&value));

  g_assert_null (gaio_future_dup_result (future, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_clear_error (&error);

  gaio_future_get_result_int64 (future, &error);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, "Result is not ready.");
  g_clear_error (&error);

  g_assert_null (gaio_future_get_result_string (future, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_null (gaio_future_get_error (future, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, "Exception is not set.");
  g_clear_error (&error);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* FU-03: set_error with a NULL error is a programmer error (a critical),
 * and the future stays pending. */
static void
test_set_error_null (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);

  g_test_expect_message (GAIO_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (gaio_future_set_error (future, NULL, NULL));
  g_test_assert_expected_messages ();
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_PENDING);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* FU-04: cancel(msg) carries the message into the G_IO_ERROR_CANCELLED
 * error (test_futures.py::test_future_cancel_message_getter; probe F5);
 * without one there is still a message. */
static void
test_cancel_message (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GaioFuture *plain = gaio_loop_create_future (loop);
  GError *error = NULL;

  g_assert_true (gaio_future_cancel (future, "my message"));
  g_assert_false (gaio_future_get_result (future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "my message");
  g_clear_error (&error);
  /* A second cancel does not replace the message. */
  g_assert_false (gaio_future_cancel (future, "other"));
  gaio_future_get_result_int64 (future, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "my message");
  g_clear_error (&error);

  g_assert_true (gaio_future_cancel (plain, NULL));
  g_assert_false (gaio_future_get_result (plain, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);

  gaio_test_assert_finalize_future (future);
  gaio_test_assert_finalize_future (plain);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Typed results                                                        */

/* Results of the number types keep their value and type. */
static void
test_result_numbers (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f;
  GError *error = NULL;

  f = gaio_loop_create_future (loop);
  g_assert_true (gaio_future_set_result_int64 (f, G_MININT64, &error));
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_INT64);
  g_assert_cmpint (gaio_future_get_result_int64 (f, &error), ==, G_MININT64);
  g_assert_no_error (error);
  gaio_test_assert_finalize_future (f);

  f = gaio_loop_create_future (loop);
  g_assert_true (gaio_future_set_result_uint64 (f, G_MAXUINT64, &error));
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_UINT64);
  g_assert_cmpuint (gaio_future_get_result_uint64 (f, &error), ==, G_MAXUINT64);
  g_assert_no_error (error);
  gaio_test_assert_finalize_future (f);

  f = gaio_loop_create_future (loop);
  g_assert_true (gaio_future_set_result_double (f, -2.5, &error));
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_DOUBLE);
  g_assert_cmpfloat (gaio_future_get_result_double (f, &error), ==, -2.5);
  g_assert_no_error (error);
  gaio_test_assert_finalize_future (f);

  f = gaio_loop_create_future (loop);
  g_assert_true (gaio_future_set_result_boolean (f, TRUE, &error));
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_BOOLEAN);
  g_assert_true (gaio_future_get_result_boolean (f, &error));
  g_assert_no_error (error);
  gaio_test_assert_finalize_future (f);

  gaio_test_loop_free (loop);
}

/* A string result is copied in and returned (transfer none). */
static void
test_result_string (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f = gaio_loop_create_future (loop);
  char buffer[] = "hello";
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  g_assert_true (gaio_future_set_result_string (f, buffer, &error));
  g_assert_no_error (error);
  buffer[0] = 'J';
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_STRING);
  g_assert_cmpstr (gaio_future_get_result_string (f, &error), ==, "hello");
  g_assert_no_error (error);

  /* get_result copies into the caller's GValue. */
  g_assert_true (gaio_future_get_result (f, &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_STRING (&value));
  g_assert_cmpstr (g_value_get_string (&value), ==, "hello");
  g_assert_true (g_value_get_string (&value) != gaio_future_get_result_string (f, NULL));
  g_value_unset (&value);

  /* dup_result returns a new copy. */
  {
    GValue *dup = gaio_future_dup_result (f, &error);

    g_assert_no_error (error);
    g_assert_nonnull (dup);
    g_assert_cmpstr (g_value_get_string (dup), ==, "hello");
    g_assert_true (g_value_get_string (dup) != gaio_future_get_result_string (f, NULL));
    g_boxed_free (G_TYPE_VALUE, dup);
  }

  gaio_test_assert_finalize_future (f);
  gaio_test_loop_free (loop);
}

/* An object result holds a reference until the future is finalized. */
static void
test_result_object (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f = gaio_loop_create_future (loop);
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GError *error = NULL;

  g_object_add_weak_pointer (object, (gpointer *) &object);
  g_assert_true (gaio_future_set_result_object (f, object, &error));
  g_assert_no_error (error);
  g_object_unref (object);
  g_assert_nonnull (object);
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_OBJECT);
  g_assert_true (gaio_future_get_result_object (f, &error) == object);
  g_assert_no_error (error);

  gaio_test_assert_finalize_future (f);
  g_assert_null (object);
  gaio_test_loop_free (loop);
}

/* A boxed result is copied with its boxed type. */
static void
test_result_boxed (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f = gaio_loop_create_future (loop);
  GBytes *bytes = g_bytes_new ("abc", 3);
  GBytes *got;
  GError *error = NULL;

  g_assert_true (gaio_future_set_result_boxed (f, G_TYPE_BYTES, bytes, &error));
  g_assert_no_error (error);
  g_bytes_unref (bytes);
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_BYTES);
  got = (GBytes *) gaio_future_get_result_boxed (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "abc", 3);

  gaio_test_assert_finalize_future (f);
  gaio_test_loop_free (loop);
}

/* A variant result: a floating variant is sunk, a normal one referenced. */
static void
test_result_variant (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f;
  GVariant *variant;
  GError *error = NULL;

  f = gaio_loop_create_future (loop);
  g_assert_true (gaio_future_set_result_variant (f, g_variant_new_int32 (5), &error));
  g_assert_no_error (error);
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_VARIANT);
  variant = gaio_future_get_result_variant (f, &error);
  g_assert_no_error (error);
  g_assert_false (g_variant_is_floating (variant));
  g_assert_cmpint (g_variant_get_int32 (variant), ==, 5);
  gaio_test_assert_finalize_future (f);

  f = gaio_loop_create_future (loop);
  variant = g_variant_ref_sink (g_variant_new_string ("v"));
  g_assert_true (gaio_future_set_result_variant (f, variant, &error));
  g_variant_unref (variant);
  g_assert_cmpstr (g_variant_get_string (gaio_future_get_result_variant (f, NULL), NULL), ==,
                   "v");
  gaio_test_assert_finalize_future (f);

  gaio_test_loop_free (loop);
}

static void
count_destroy (gpointer data)
{
  (*(gint *) data)++;
}

/* A pointer result is freed by its destroy function when the future is
 * finalized, not before. */
static void
test_result_pointer (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f = gaio_loop_create_future (loop);
  gint destroyed = 0;
  GError *error = NULL;

  g_assert_true (gaio_future_set_result_pointer (f, &destroyed, count_destroy, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_future_get_result_type (f) == G_TYPE_POINTER);
  g_assert_true (gaio_future_get_result_pointer (f, &error) == &destroyed);
  g_assert_no_error (error);
  g_assert_cmpint (destroyed, ==, 0);

  gaio_test_assert_finalize_future (f);
  g_assert_cmpint (destroyed, ==, 1);
  gaio_test_loop_free (loop);
}

/* set_result copies the caller's GValue; take_result takes it over. */
static void
test_result_gvalue (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f;
  GValue value = G_VALUE_INIT;
  GObject *object;
  GError *error = NULL;

  f = gaio_loop_create_future (loop);
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "copied");
  g_assert_true (gaio_future_set_result (f, &value, &error));
  g_assert_no_error (error);
  g_value_unset (&value);
  g_assert_cmpstr (gaio_future_get_result_string (f, NULL), ==, "copied");
  gaio_test_assert_finalize_future (f);

  /* If take_result copied, the object would keep a reference and outlive
   * the future. */
  f = gaio_loop_create_future (loop);
  object = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_add_weak_pointer (object, (gpointer *) &object);
  g_value_init (&value, G_TYPE_OBJECT);
  g_value_take_object (&value, object);
  g_assert_true (gaio_future_take_result (f, &value, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_future_get_result_object (f, NULL) == object);
  gaio_test_assert_finalize_future (f);
  g_assert_null (object);

  gaio_test_loop_free (loop);
}

/* Every scalar type round-trips through set_result() and get_result()
 * (they copy such GValues bitwise), and a recycled future holds no trace
 * of the last result (clearing one zeroes it). */
static void
test_result_scalars (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  const GType types[] = {
    G_TYPE_CHAR, G_TYPE_UCHAR, G_TYPE_BOOLEAN, G_TYPE_INT, G_TYPE_UINT, G_TYPE_LONG,
    G_TYPE_ULONG, G_TYPE_INT64, G_TYPE_UINT64, G_TYPE_FLOAT, G_TYPE_DOUBLE, G_TYPE_POINTER,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GaioFuture *f = gaio_loop_create_future (loop);
      g_auto(GValue) in = G_VALUE_INIT;
      g_auto(GValue) out = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;

      g_value_init (&in, types[i]);
      g_assert_true (g_value_type_transformable (G_TYPE_INT, types[i]) ||
                     types[i] == G_TYPE_POINTER);
      if (types[i] == G_TYPE_POINTER)
        g_value_set_pointer (&in, &in);
      else
        {
          g_auto(GValue) number = G_VALUE_INIT;

          g_value_init (&number, G_TYPE_INT);
          g_value_set_int (&number, 1);
          g_assert_true (g_value_transform (&number, &in));
        }

      g_assert_true (gaio_future_set_result (f, &in, &error));
      g_assert_no_error (error);
      g_assert_true (gaio_future_get_result (f, &out, &error));
      g_assert_no_error (error);
      g_assert_true (G_VALUE_TYPE (&out) == types[i]);
      g_assert_cmpmem (&out.data[0], sizeof out.data[0], &in.data[0], sizeof in.data[0]);
      gaio_future_unref (f);

      /* Pending, no result: the next one may be the same object. */
      f = gaio_loop_create_future (loop);
      g_assert_false (gaio_future_get_result (f, NULL, &error));
      g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
      g_clear_error (&error);
      g_assert_true (gaio_future_set_result_string (f, "later", NULL));
      g_assert_cmpstr (gaio_future_get_result_string (f, NULL), ==, "later");
      gaio_future_unref (f);
    }

  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Done callbacks (FU-05 .. FU-08)                                      */

typedef struct
{
  GaioFuture *future;
  GArray     *values;          /* (element-type gint) in run order */
  gboolean    wrong_future;
  gint        notified;
} DoneLog;

typedef struct
{
  DoneLog *log;
  gint     value;
  gint     notified;           /* this entry's own notify count */
} DoneEntry;

static void
done_log_init (DoneLog    *log,
               GaioFuture *future)
{
  log->future = future;
  log->values = g_array_new (FALSE, FALSE, sizeof (gint));
  log->wrong_future = FALSE;
  log->notified = 0;
}

static void
done_log_clear (DoneLog *log)
{
  g_array_unref (log->values);
}

static char *
done_log_join (DoneLog *log)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < log->values->len; i++)
    g_string_append_printf (s, "%s%d", i ? "," : "", g_array_index (log->values, gint, i));
  return g_string_free (s, FALSE);
}

#define assert_done_values(log, expected) \
  G_STMT_START { \
    g_autofree char *joined_ = done_log_join (log); \
    g_assert_cmpstr (joined_, ==, expected); \
  } G_STMT_END

static void
done_cb (GaioFuture *future,
         gpointer    data)
{
  DoneEntry *entry = data;

  if (future != entry->log->future)
    entry->log->wrong_future = TRUE;
  g_assert_true (gaio_future_is_done (future));
  g_array_append_val (entry->log->values, entry->value);
}

static void
other_done_cb (GaioFuture *future,
               gpointer    data)
{
  done_cb (future, data);
}

static void
done_entry_notify (gpointer data)
{
  DoneEntry *entry = data;

  entry->notified++;
  entry->log->notified++;
}

typedef enum
{
  COMPLETE_RESULT,
  COMPLETE_ERROR,
  COMPLETE_CANCEL,
} CompleteHow;

static void
complete (GaioFuture  *future,
          CompleteHow  how)
{
  GError *error = NULL;

  switch (how)
    {
    case COMPLETE_RESULT:
      g_assert_true (gaio_future_set_result_int64 (future, 1, &error));
      break;
    case COMPLETE_ERROR:
      g_assert_true (gaio_future_take_error (future, boom_error ("done"), &error));
      break;
    case COMPLETE_CANCEL:
      g_assert_true (gaio_future_cancel (future, NULL));
      break;
    }
  g_assert_no_error (error);
}

/* FU-05: done callbacks are scheduled with call_soon when the future is
 * done (by a result, an error or a cancel): none runs inside the call that
 * completes it; one loop iteration later all ran, in registration order,
 * with the future, and their notify ran after them
 * (test_futures.py::BaseFutureDoneCallbackTests::
 * test_callbacks_invoked_on_set_result, ::test_callbacks_invoked_on_set_exception;
 * probes F1, F1b). */
static void
test_done_callbacks (gconstpointer data)
{
  CompleteHow how = GPOINTER_TO_INT (data);
  Reports reports;
  GaioLoop *loop = loop_with_reports (&reports);
  GaioFuture *future = gaio_loop_create_future (loop);
  DoneLog log;
  DoneEntry first, second;

  done_log_init (&log, future);
  first = (DoneEntry) { &log, 42, 0 };
  second = (DoneEntry) { &log, 17, 0 };
  gaio_future_add_done_callback (future, done_cb, &first, done_entry_notify);
  gaio_future_add_done_callback (future, done_cb, &second, done_entry_notify);

  drain (loop);
  assert_done_values (&log, "");

  complete (future, how);
  assert_done_values (&log, "");
  g_assert_cmpint (log.notified, ==, 0);

  run_one_iteration (loop);
  assert_done_values (&log, "42,17");
  g_assert_false (log.wrong_future);
  g_assert_cmpint (first.notified, ==, 1);
  g_assert_cmpint (second.notified, ==, 1);

  drain (loop);
  assert_done_values (&log, "42,17");

  /* The error of COMPLETE_ERROR was never read: that is reported below,
   * not here. */
  if (how == COMPLETE_ERROR)
    g_assert_nonnull (gaio_future_get_error (future, NULL));
  gaio_test_assert_finalize_future (future);
  g_assert_cmpuint (reports.calls, ==, 0);
  done_log_clear (&log);
  gaio_test_loop_free (loop);
  reports_clear (&reports);
}

/* FU-06: a callback added to a done future is scheduled at once, still
 * not run inline (futures.py add_done_callback; probes F2, F2b). */
static void
test_done_callback_on_done_future (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  DoneLog log;
  DoneEntry entry;

  done_log_init (&log, future);
  entry = (DoneEntry) { &log, 5, 0 };
  complete (future, COMPLETE_RESULT);
  drain (loop);

  gaio_future_add_done_callback (future, done_cb, &entry, done_entry_notify);
  assert_done_values (&log, "");
  g_assert_cmpint (entry.notified, ==, 0);
  run_one_iteration (loop);
  assert_done_values (&log, "5");
  g_assert_cmpint (entry.notified, ==, 1);

  gaio_test_assert_finalize_future (future);
  done_log_clear (&log);
  gaio_test_loop_free (loop);
}

/* FU-07: remove_done_callback removes every (callback, data) pair that
 * matches and returns how many, running their notify
 * (test_futures.py::test_remove_done_callback). */
static void
test_remove_done_callback (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  DoneLog log;
  DoneEntry cb1, cb2, cb3;

  done_log_init (&log, future);
  cb1 = (DoneEntry) { &log, 1, 0 };
  cb2 = (DoneEntry) { &log, 2, 0 };
  cb3 = (DoneEntry) { &log, 3, 0 };

  gaio_future_add_done_callback (future, done_cb, &cb1, done_entry_notify);
  gaio_future_add_done_callback (future, done_cb, &cb2, done_entry_notify);
  g_assert_cmpuint (gaio_future_remove_done_callback (future, done_cb, &cb2), ==, 1);
  g_assert_cmpint (cb2.notified, ==, 1);
  g_assert_cmpuint (gaio_future_remove_done_callback (future, done_cb, &cb3), ==, 0);
  /* Same data, another function: no match. */
  g_assert_cmpuint (gaio_future_remove_done_callback (future, other_done_cb, &cb1), ==, 0);
  g_assert_cmpint (cb1.notified, ==, 0);

  /* cb2 + 5 x cb1 (one already there, four more). */
  gaio_future_add_done_callback (future, done_cb, &cb2, done_entry_notify);
  for (guint i = 0; i < 4; i++)
    gaio_future_add_done_callback (future, done_cb, &cb1, done_entry_notify);
  g_assert_cmpuint (gaio_future_remove_done_callback (future, done_cb, &cb1), ==, 5);
  g_assert_cmpint (cb1.notified, ==, 5);

  complete (future, COMPLETE_RESULT);
  drain (loop);
  assert_done_values (&log, "2");
  g_assert_cmpint (cb2.notified, ==, 2);

  gaio_test_assert_finalize_future (future);
  done_log_clear (&log);
  gaio_test_loop_free (loop);
}

/* FU-07: removing the first callback twice leaves the others, in order
 * (test_futures.py::test_callbacks_remove_first_callback,
 * ::test_callbacks_remove_third_callback). */
static void
test_remove_first_callback (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  DoneLog log;
  DoneEntry cb1, cb2, cb3;

  done_log_init (&log, future);
  cb1 = (DoneEntry) { &log, 42, 0 };
  cb2 = (DoneEntry) { &log, 17, 0 };
  cb3 = (DoneEntry) { &log, 100, 0 };
  gaio_future_add_done_callback (future, done_cb, &cb1, done_entry_notify);
  gaio_future_add_done_callback (future, done_cb, &cb2, done_entry_notify);
  gaio_future_add_done_callback (future, done_cb, &cb3, done_entry_notify);

  g_assert_cmpuint (gaio_future_remove_done_callback (future, done_cb, &cb1), ==, 1);
  g_assert_cmpuint (gaio_future_remove_done_callback (future, done_cb, &cb1), ==, 0);

  complete (future, COMPLETE_RESULT);
  run_one_iteration (loop);
  assert_done_values (&log, "17,100");
  g_assert_cmpint (log.notified, ==, 3);

  gaio_test_assert_finalize_future (future);
  done_log_clear (&log);
  gaio_test_loop_free (loop);
}

typedef struct
{
  DoneLog   *log;
  DoneEntry *late;      /* added by the mutator */
  DoneEntry *victim;    /* removed by the mutator */
  guint      removed;
} Mutator;

static void
mutator_cb (GaioFuture *future,
            gpointer    data)
{
  Mutator *m = data;
  gint marker = -1;

  g_array_append_val (m->log->values, marker);
  gaio_future_add_done_callback (future, done_cb, m->late, done_entry_notify);
  m->removed = gaio_future_remove_done_callback (future, done_cb, m->victim);
}

/* FU-08: a done callback that adds and removes callbacks of its own future
 * while the callbacks are being scheduled does not corrupt anything: the
 * added one runs (once, later), the removed one runs only if it was not
 * removed, and every notify runs exactly once
 * (test_futures.py::test_schedule_callbacks_list_mutation_1, _2). */
static void
test_done_callback_mutation (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  DoneLog log;
  DoneEntry victim, late, last;
  Mutator m;
  guint victim_runs = 0;

  done_log_init (&log, future);
  victim = (DoneEntry) { &log, 2, 0 };
  late = (DoneEntry) { &log, 9, 0 };
  last = (DoneEntry) { &log, 3, 0 };
  m = (Mutator) { &log, &late, &victim, G_MAXUINT };

  gaio_future_add_done_callback (future, mutator_cb, &m, NULL);
  gaio_future_add_done_callback (future, done_cb, &victim, done_entry_notify);
  gaio_future_add_done_callback (future, done_cb, &last, done_entry_notify);
  complete (future, COMPLETE_RESULT);
  drain (loop);

  g_assert_cmpuint (m.removed, <=, 1);
  for (guint i = 0; i < log.values->len; i++)
    if (g_array_index (log.values, gint, i) == 2)
      victim_runs++;
  g_assert_cmpuint (victim_runs + m.removed, ==, 1);
  g_assert_cmpint (g_array_index (log.values, gint, 0), ==, -1);
  g_assert_cmpint (g_array_index (log.values, gint, log.values->len - 1), ==, 9);
  g_assert_cmpuint (log.values->len, ==, 3 + victim_runs);
  g_assert_cmpint (victim.notified, ==, 1);
  g_assert_cmpint (late.notified, ==, 1);
  g_assert_cmpint (last.notified, ==, 1);

  gaio_test_assert_finalize_future (future);
  done_log_clear (&log);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioFuture *future;
  DoneEntry  *added;
  DoneEntry  *removed;
  guint       n_removed;
  gint        notified;
} RemovingNotify;

static void
removing_notify (gpointer data)
{
  RemovingNotify *rn = data;

  rn->notified++;
  gaio_future_add_done_callback (rn->future, done_cb, rn->added, done_entry_notify);
  rn->n_removed = gaio_future_remove_done_callback (rn->future, done_cb, rn->removed);
}

/* FU-08: the notify of a removed callback may itself add and remove
 * callbacks of the same future (the C analogue of an __eq__ that mutates
 * the list during remove_done_callback;
 * test_futures.py::test_remove_done_callbacks_list_mutation, ::_list_clear). */
static void
test_remove_during_notify (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  DoneLog log;
  DoneEntry b, c, x;
  RemovingNotify rn;

  done_log_init (&log, future);
  b = (DoneEntry) { &log, 2, 0 };
  c = (DoneEntry) { &log, 3, 0 };
  x = (DoneEntry) { &log, 9, 0 };
  rn = (RemovingNotify) { future, &x, &b, G_MAXUINT, 0 };

  gaio_future_add_done_callback (future, other_done_cb, &rn, removing_notify);
  gaio_future_add_done_callback (future, done_cb, &b, done_entry_notify);
  gaio_future_add_done_callback (future, done_cb, &c, done_entry_notify);

  g_assert_cmpuint (gaio_future_remove_done_callback (future, other_done_cb, &rn), ==, 1);
  g_assert_cmpint (rn.notified, ==, 1);
  g_assert_cmpuint (rn.n_removed, ==, 1);
  g_assert_cmpint (b.notified, ==, 1);

  complete (future, COMPLETE_RESULT);
  drain (loop);
  assert_done_values (&log, "3,9");
  g_assert_cmpint (c.notified, ==, 1);
  g_assert_cmpint (x.notified, ==, 1);
  g_assert_cmpint (rn.notified, ==, 1);

  gaio_test_assert_finalize_future (future);
  done_log_clear (&log);
  gaio_test_loop_free (loop);
}

/* Done callbacks still registered when a pending future is finalized are
 * dropped with their notify (never run). */
static void
test_done_callback_dropped (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  DoneLog log;
  DoneEntry entry;

  done_log_init (&log, future);
  entry = (DoneEntry) { &log, 1, 0 };
  gaio_future_add_done_callback (future, done_cb, &entry, done_entry_notify);
  gaio_test_assert_finalize_future (future);
  g_assert_cmpint (entry.notified, ==, 1);
  drain (loop);
  assert_done_values (&log, "");

  done_log_clear (&log);
  gaio_test_loop_free (loop);
}

/* A future completed after its loop was closed cannot schedule its done
 * callbacks: they never run, and their notify still runs exactly once
 * (asyncio's call_soon raises "Event loop is closed" there). */
static void
test_done_callback_after_close (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GError *error = NULL;
  DoneLog log;
  DoneEntry entry;

  done_log_init (&log, future);
  entry = (DoneEntry) { &log, 1, 0 };
  gaio_future_add_done_callback (future, done_cb, &entry, done_entry_notify);
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);

  gaio_future_set_result_int64 (future, 1, NULL);
  g_clear_error (&error);
  g_assert_true (gaio_future_is_done (future));
  gaio_test_iterate (gaio_loop_get_context (loop), 5);
  assert_done_values (&log, "");
  g_assert_cmpint (entry.notified, ==, 1);

  gaio_test_assert_finalize_future (future);
  g_assert_cmpint (entry.notified, ==, 1);
  done_log_clear (&log);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* to_string (FU-10)                                                    */

static void
assert_to_string (GaioFuture *future,
                  const char *prefix,
                  const char *contains)
{
  g_autofree char *text = gaio_future_to_string (future);

  if (!g_str_has_prefix (text, prefix) || (contains != NULL && strstr (text, contains) == NULL))
    g_error ("'%s' does not start with '%s' or lacks '%s'", text, prefix,
             contains ? contains : "");
  g_assert_true (g_str_has_suffix (text, ">"));
}

/* FU-10: the asyncio repr layout (test_futures.py::test_future_repr). */
static void
test_to_string (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f;

  f = gaio_loop_create_future (loop);
  assert_to_string (f, "<Future pending", NULL);
  gaio_test_assert_finalize_future (f);

  f = gaio_loop_create_future (loop);
  gaio_future_cancel (f, NULL);
  assert_to_string (f, "<Future cancelled", NULL);
  gaio_test_assert_finalize_future (f);

  f = gaio_loop_create_future (loop);
  gaio_future_set_result_int64 (f, 42, NULL);
  assert_to_string (f, "<Future finished result=", "42");
  gaio_test_assert_finalize_future (f);

  f = gaio_loop_create_future (loop);
  gaio_future_set_result_string (f, "x", NULL);
  assert_to_string (f, "<Future finished result=", "'x'");
  gaio_test_assert_finalize_future (f);

  f = gaio_loop_create_future (loop);
  gaio_future_take_error (f, boom_error ("kaboom"), NULL);
  assert_to_string (f, "<Future finished exception=", "kaboom");
  g_assert_nonnull (gaio_future_get_error (f, NULL));
  gaio_test_assert_finalize_future (f);

  gaio_test_loop_free (loop);
}

static gboolean
set_result_later_cb (gpointer   user_data,
                     GError   **error)
{
  gaio_future_set_result_int64 (user_data, 1, NULL);
  return TRUE;
}

static gboolean
describe_while_running (gpointer   user_data,
                        GError   **error)
{
  char **repr = user_data;

  *repr = gaio_future_to_string (repr[1] != NULL ? (GaioFuture *) repr[1] : NULL);
  return TRUE;
}

/* FU-12: the library's own done callbacks are named in reprs as asyncio
 * names its own (`cb=[_run_until_complete_cb() at ...]`,
 * `gather.<locals>._done_callback`), never by address. */
static void
test_internal_callbacks_named (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *child = gaio_loop_create_future (loop);
  GaioFuture *children[] = { child };
  GaioFuture *gathered = gaio_gather (children, 1, FALSE);
  g_autofree char *gather_repr = gaio_future_to_string (child);
  char *seen[2] = { NULL, (char *) gathered };

  g_assert_nonnull (strstr (gather_repr, "cb=[gather.<locals>._done_callback()]"));

  /* run_until_complete's own callback, seen from inside the run. */
  gaio_loop_call_soon (loop, describe_while_running, seen, NULL, NULL);
  gaio_loop_call_later (loop, 0.001, set_result_later_cb, child, NULL, NULL);
  g_assert_true (gaio_loop_run_until_complete (loop, gathered, NULL, NULL));
  g_assert_nonnull (strstr (seen[0], "_run_until_complete_cb()"));
  g_assert_null (strstr (seen[0], "0x"));

  g_free (seen[0]);
  gaio_test_assert_finalize_future (gathered);
  gaio_test_assert_finalize_future (child);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Never retrieved (DB-09)                                              */

/* DB-09: a future finalized while holding an error nobody read calls the
 * loop's exception handler once with "Future exception was never
 * retrieved", the error and the future
 * (test_futures.py::test_future_exception_never_retrieved,
 * ::test_tb_logger_exception_unretrieved; probe E3). */
static void
test_never_retrieved (void)
{
  Reports reports;
  GaioLoop *loop = loop_with_reports (&reports);
  GaioFuture *future = gaio_loop_create_future (loop);
  gpointer address = future;

  g_assert_true (gaio_future_take_error (future, boom_error ("bad"), NULL));
  g_assert_cmpuint (reports.calls, ==, 0);
  gaio_test_assert_finalize_future (future);

  g_assert_cmpuint (reports.calls, ==, 1);
  g_assert_cmpstr (reports.message, ==, "Future exception was never retrieved");
  g_assert_error (reports.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (reports.error->message, ==, "bad");
  g_assert_true (reports.future == address);
  g_assert_nonnull (reports.future_text);
  g_assert_true (g_str_has_prefix (reports.future_text, "<Future finished exception="));

  drain (loop);
  g_assert_cmpuint (reports.calls, ==, 1);
  gaio_test_loop_free (loop);
  g_assert_cmpuint (reports.calls, ==, 1);
  reports_clear (&reports);
}

/* DB-09: through the default handler the report is one WARNING record
 * "Future exception was never retrieved\nfuture: <Future finished
 * exception=...>\n<error line>" (futures.py __del__; probe E3). */
static void
test_never_retrieved_default_handler (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GaioTestLogRecord *record;

  g_assert_true (gaio_future_take_error (future, boom_error ("bad"), NULL));
  gaio_test_log_clear ();
  gaio_test_assert_finalize_future (future);

  g_assert_cmpuint (gaio_test_log_count (), ==, 1);
  record = gaio_test_log_get (0);
  g_assert_cmpint (record->level, ==, G_LOG_LEVEL_WARNING);
  g_assert_true (g_str_has_prefix (record->message,
                                   "Future exception was never retrieved\n"
                                   "future: <Future finished exception="));
  g_assert_true (g_str_has_suffix (record->message, "\n" GAIO_TEST_ERROR_LINE ("bad")));
  g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_ERROR_MESSAGE"), ==, "bad");
  gaio_test_log_clear ();

  gaio_test_loop_free (loop);
}

typedef enum
{
  READ_NOTHING_RESULT_ONLY,
  READ_NOTHING_PENDING,
  READ_NOTHING_CANCELLED,
  READ_GET_RESULT,
  READ_GET_RESULT_TYPED,
  READ_GET_ERROR,
  READ_RUN_UNTIL_COMPLETE,
  READ_CANCEL_AFTER_ERROR,
} ReadHow;

/* DB-09: nothing is reported for a future finished with a result, dropped
 * pending, cancelled, or whose error was read by get_result, a typed
 * getter, get_error or run_until_complete; nor when cancel() is called
 * after the error was set (test_futures.py::test_tb_logger_abandoned,
 * ::test_tb_logger_result_unretrieved, ::test_tb_logger_result_retrieved,
 * ::test_tb_logger_exception_retrieved,
 * ::test_tb_logger_exception_result_retrieved,
 * ::test_tb_logger_not_called_after_cancel). */
static void
test_never_retrieved_not_reported (gconstpointer data)
{
  ReadHow how = GPOINTER_TO_INT (data);
  Reports reports;
  GaioLoop *loop = loop_with_reports (&reports);
  GaioFuture *future = gaio_loop_create_future (loop);
  GError *error = NULL;

  switch (how)
    {
    case READ_NOTHING_RESULT_ONLY:
      complete (future, COMPLETE_RESULT);
      break;
    case READ_NOTHING_PENDING:
      break;
    case READ_NOTHING_CANCELLED:
      complete (future, COMPLETE_CANCEL);
      break;
    case READ_GET_RESULT:
      complete (future, COMPLETE_ERROR);
      g_assert_false (gaio_future_get_result (future, NULL, &error));
      break;
    case READ_GET_RESULT_TYPED:
      complete (future, COMPLETE_ERROR);
      gaio_future_get_result_string (future, &error);
      break;
    case READ_GET_ERROR:
      complete (future, COMPLETE_ERROR);
      g_assert_nonnull (gaio_future_get_error (future, NULL));
      break;
    case READ_RUN_UNTIL_COMPLETE:
      complete (future, COMPLETE_ERROR);
      g_assert_false (gaio_loop_run_until_complete (loop, future, NULL, &error));
      break;
    case READ_CANCEL_AFTER_ERROR:
      complete (future, COMPLETE_ERROR);
      g_assert_false (gaio_future_cancel (future, NULL));
      break;
    }
  if (how == READ_GET_RESULT || how == READ_GET_RESULT_TYPED || how == READ_RUN_UNTIL_COMPLETE)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  gaio_test_assert_finalize_future (future);
  drain (loop);
  g_assert_cmpuint (reports.calls, ==, 0);

  gaio_test_loop_free (loop);
  reports_clear (&reports);
}

/* ------------------------------------------------------------------ */
/* GCancellable and GIO interop                                         */

/* The future's cancellable is cancelled by cancel(), not by a result. */
static void
test_cancellable (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *f = gaio_loop_create_future (loop);
  GaioFuture *g = gaio_loop_create_future (loop);
  GCancellable *cancellable = gaio_future_get_cancellable (f);

  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_true (gaio_future_get_cancellable (f) == cancellable);
  g_assert_false (g_cancellable_is_cancelled (cancellable));
  g_assert_true (gaio_future_cancel (f, NULL));
  g_assert_true (g_cancellable_is_cancelled (cancellable));

  g_assert_true (gaio_future_set_result_int64 (g, 1, NULL));
  g_assert_false (g_cancellable_is_cancelled (gaio_future_get_cancellable (g)));

  gaio_test_assert_finalize_future (f);
  gaio_test_assert_finalize_future (g);
  gaio_test_loop_free (loop);
}

static GFile *
make_temp_file (const char *contents)
{
  GFileIOStream *iostream = NULL;
  GError *error = NULL;
  GFile *file;

  file = g_file_new_tmp ("gaio-test-XXXXXX", &iostream, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (
    g_io_stream_get_output_stream (G_IO_STREAM (iostream)), contents, strlen (contents), NULL,
    NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_close (G_IO_STREAM (iostream), NULL, &error));
  g_assert_no_error (error);
  g_object_unref (iostream);
  return file;
}

static void
delete_temp_file (GFile *file)
{
  g_file_delete (file, NULL, NULL);
  g_object_unref (file);
}

/* Runs the loop until @future is done; asserts success and returns the
 * result in @value. */
static void
await_ok (GaioLoop   *loop,
          GaioFuture *future,
          GValue     *value)
{
  GaioTestGuard *guard = gaio_test_guard_new (loop, NULL, 10);
  GError *error = NULL;

  g_assert_true (gaio_loop_run_until_complete (loop, future, value, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));
}

/* GIO interop, object result: a future made with new_for_async receives
 * what g_file_read_finish returns (transfer full, a GFileInputStream). */
static void
test_async_object (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GFile *file = make_temp_file ("hello gaio");
  GaioFuture *future = gaio_future_new_for_async (loop, GAIO_ASYNC_FINISH (g_file_read_finish),
                                                  G_TYPE_FILE_INPUT_STREAM);
  GValue value = G_VALUE_INIT;
  char buffer[32] = { 0 };
  gsize n_read = 0;
  GError *error = NULL;
  GInputStream *stream;

  g_assert_true (gaio_future_get_loop (future) == loop);
  g_file_read_async (file, G_PRIORITY_DEFAULT, gaio_future_get_cancellable (future),
                     gaio_future_async_ready_callback, gaio_future_ref (future));
  await_ok (loop, future, &value);

  g_assert_true (G_VALUE_HOLDS (&value, G_TYPE_FILE_INPUT_STREAM));
  stream = g_value_get_object (&value);
  g_assert_true (gaio_future_get_result_object (future, NULL) == (gpointer) stream);
  g_assert_true (g_input_stream_read_all (stream, buffer, sizeof buffer - 1, &n_read, NULL,
                                          &error));
  g_assert_no_error (error);
  g_assert_cmpstr (buffer, ==, "hello gaio");
  g_value_unset (&value);

  gaio_test_assert_finalize_future (future);
  delete_temp_file (file);
  gaio_test_loop_free (loop);
}

/* GIO interop, boxed result: g_input_stream_read_bytes_finish's GBytes. */
static void
test_async_boxed (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GFile *file = make_temp_file ("hello gaio");
  GInputStream *stream = G_INPUT_STREAM (g_file_read (file, NULL, NULL));
  GaioFuture *future = gaio_future_new_for_async (
    loop, GAIO_ASYNC_FINISH (g_input_stream_read_bytes_finish), G_TYPE_BYTES);
  GValue value = G_VALUE_INIT;
  GBytes *bytes;

  g_input_stream_read_bytes_async (stream, 5, G_PRIORITY_DEFAULT,
                                   gaio_future_get_cancellable (future),
                                   gaio_future_async_ready_callback, gaio_future_ref (future));
  await_ok (loop, future, &value);
  g_assert_true (G_VALUE_HOLDS (&value, G_TYPE_BYTES));
  bytes = g_value_get_boxed (&value);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "hello", 5);
  g_value_unset (&value);

  gaio_test_assert_finalize_future (future);
  g_object_unref (stream);
  delete_temp_file (file);
  gaio_test_loop_free (loop);
}

/* GIO interop, G_TYPE_INT64 result: g_input_stream_skip_finish's gssize. */
static void
test_async_int64 (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GFile *file = make_temp_file ("hello gaio");
  GInputStream *stream = G_INPUT_STREAM (g_file_read (file, NULL, NULL));
  GaioFuture *future = gaio_future_new_for_async (
    loop, GAIO_ASYNC_FINISH (g_input_stream_skip_finish), G_TYPE_INT64);
  GValue value = G_VALUE_INIT;

  g_input_stream_skip_async (stream, 6, G_PRIORITY_DEFAULT,
                             gaio_future_get_cancellable (future),
                             gaio_future_async_ready_callback, gaio_future_ref (future));
  await_ok (loop, future, &value);
  g_assert_true (G_VALUE_HOLDS_INT64 (&value));
  g_assert_cmpint (g_value_get_int64 (&value), ==, 6);
  g_assert_cmpint (gaio_future_get_result_int64 (future, NULL), ==, 6);

  gaio_test_assert_finalize_future (future);
  g_object_unref (stream);
  delete_temp_file (file);
  gaio_test_loop_free (loop);
}

/* GIO interop, G_TYPE_BOOLEAN result: g_input_stream_close_finish. */
static void
test_async_boolean (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GFile *file = make_temp_file ("hello gaio");
  GInputStream *stream = G_INPUT_STREAM (g_file_read (file, NULL, NULL));
  GaioFuture *future = gaio_future_new_for_async (
    loop, GAIO_ASYNC_FINISH (g_input_stream_close_finish), G_TYPE_BOOLEAN);
  GValue value = G_VALUE_INIT;

  g_input_stream_close_async (stream, G_PRIORITY_DEFAULT, gaio_future_get_cancellable (future),
                              gaio_future_async_ready_callback, gaio_future_ref (future));
  await_ok (loop, future, &value);
  g_assert_true (G_VALUE_HOLDS_BOOLEAN (&value));
  g_assert_true (g_value_get_boolean (&value));
  g_assert_true (g_input_stream_is_closed (stream));

  gaio_test_assert_finalize_future (future);
  g_object_unref (stream);
  delete_temp_file (file);
  gaio_test_loop_free (loop);
}

/* GIO interop, error: the finish function's error becomes the future's. */
static void
test_async_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "gaio-test-does-not-exist", NULL);
  GFile *file = g_file_new_for_path (path);
  GaioFuture *future = gaio_future_new_for_async (loop, GAIO_ASYNC_FINISH (g_file_read_finish),
                                                  G_TYPE_FILE_INPUT_STREAM);
  GaioTestGuard *guard;
  GError *error = NULL;

  g_file_read_async (file, G_PRIORITY_DEFAULT, gaio_future_get_cancellable (future),
                     gaio_future_async_ready_callback, gaio_future_ref (future));
  guard = gaio_test_guard_new (loop, NULL, 10);
  g_assert_false (gaio_loop_run_until_complete (loop, future, NULL, &error));
  g_assert_true (gaio_test_guard_finish (guard));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);

  gaio_test_assert_finalize_future (future);
  g_object_unref (file);
  gaio_test_loop_free (loop);
}

static gboolean
stream_not_pending (gpointer data)
{
  return !g_input_stream_has_pending (data);
}

/* GIO interop, cancel: cancelling the future cancels the operation through
 * the cancellable; GIO answers G_IO_ERROR_CANCELLED and the future stays
 * cancelled (with its own message), is not reported, and is released by
 * the callback. With @before, the future is cancelled before the operation
 * starts. */
static void
run_async_cancel (gboolean before)
{
  Reports reports;
  GaioLoop *loop = loop_with_reports (&reports);
  GaioFuture *future = gaio_future_new_for_async (
    loop, GAIO_ASYNC_FINISH (g_input_stream_read_bytes_finish), G_TYPE_BYTES);
  GCancellable *cancellable = g_object_ref (gaio_future_get_cancellable (future));
  GInputStream *stream;
  GError *error = NULL;
  int fds[2];

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  stream = g_unix_input_stream_new (fds[0], TRUE);

  if (before)
    g_assert_true (gaio_future_cancel (future, "bye"));
  g_input_stream_read_bytes_async (stream, 10, G_PRIORITY_DEFAULT, cancellable,
                                   gaio_future_async_ready_callback, gaio_future_ref (future));
  g_assert_true (g_input_stream_has_pending (stream));
  if (!before)
    {
      /* Let the read start and block on the empty pipe. */
      gaio_test_iterate (gaio_loop_get_context (loop), 3);
      g_assert_true (g_input_stream_has_pending (stream));
      g_assert_true (gaio_future_cancel (future, "bye"));
    }
  g_assert_true (g_cancellable_is_cancelled (cancellable));

  /* GIO clears the pending flag just before it calls the callback. */
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), stream_not_pending,
                                          stream, 10));
  drain (loop);

  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);
  g_assert_false (gaio_future_get_result (future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "bye");
  g_clear_error (&error);

  gaio_test_assert_finalize_future (future);
  g_assert_cmpuint (reports.calls, ==, 0);
  g_object_unref (cancellable);
  g_object_unref (stream);
  close (fds[1]);
  gaio_test_loop_free (loop);
  reports_clear (&reports);
}

static void
test_async_cancel (void)
{
  run_async_cancel (FALSE);
}

static void
test_async_cancel_before_start (void)
{
  run_async_cancel (TRUE);
}

/* wait_async / wait_finish: the GAsyncResult side. wait_finish returns a
 * new GValue (g_boxed_free (G_TYPE_VALUE, ...)) or NULL with an error. */

typedef struct
{
  GaioFuture   *future;
  GAsyncResult *result;
  gpointer      source;
  GThread      *thread;
  GMainContext *context;
} WaitData;

static void
wait_ready (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  WaitData *wd = data;

  g_assert_null (wd->result);
  wd->source = source;
  wd->result = g_object_ref (result);
  wd->thread = g_thread_self ();
  wd->context = g_main_context_get_thread_default ();
}

static gboolean
wait_done (gpointer data)
{
  return ((WaitData *) data)->result != NULL;
}

static gboolean
set_result_cb (gpointer   data,
               GError   **error)
{
  return gaio_future_set_result_int64 (data, 42, error);
}

static gboolean
set_error_cb (gpointer   data,
              GError   **error)
{
  return gaio_future_take_error (data, boom_error ("waited"), error);
}

static gboolean
cancel_cb (gpointer   data,
           GError   **error)
{
  gaio_future_cancel (data, "gone");
  return TRUE;
}

/* wait_async completes when the future is done, never inside the call,
 * on the loop's thread, with the future as source object; wait_finish
 * gives the result. */
static void
test_wait_async_result (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  WaitData wd = { future };
  GValue *value;
  GError *error = NULL;

  /* Nothing completes the wait while the future is pending; then a
   * callback completes the future. (Not a timer: under valgrind a short
   * delay could pass before the first check.) */
  gaio_future_wait_async (future, NULL, wait_ready, &wd);
  drain (loop);
  g_assert_null (wd.result);
  g_assert_nonnull (gaio_loop_call_soon (loop, set_result_cb, future, NULL, &error));

  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), wait_done, &wd, 10));
  /* A future is no GObject: the wait's source object is its loop, whose
   * wait_finish() gives the same outcome (GJS's promisify calls it). */
  g_assert_true (wd.source == (gpointer) loop);
  g_assert_true (wd.thread == g_thread_self ());
  value = gaio_future_wait_finish (future, wd.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, 42);
  g_boxed_free (G_TYPE_VALUE, value);

  g_object_unref (wd.result);
  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* wait_finish fails with the future's error, which counts as retrieved. */
static void
test_wait_async_error (void)
{
  Reports reports;
  GaioLoop *loop = loop_with_reports (&reports);
  GaioFuture *future = gaio_loop_create_future (loop);
  WaitData wd = { future };
  GError *error = NULL;

  gaio_future_wait_async (future, NULL, wait_ready, &wd);
  g_assert_nonnull (gaio_loop_call_soon (loop, set_error_cb, future, NULL, &error));
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), wait_done, &wd, 10));
  g_assert_null (gaio_future_wait_finish (future, wd.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "waited");
  g_clear_error (&error);

  g_object_unref (wd.result);
  gaio_test_assert_finalize_future (future);
  g_assert_cmpuint (reports.calls, ==, 0);
  gaio_test_loop_free (loop);
  reports_clear (&reports);
}

/* wait_finish of a cancelled future: G_IO_ERROR_CANCELLED. */
static void
test_wait_async_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  WaitData wd = { future };
  GError *error = NULL;

  gaio_future_wait_async (future, NULL, wait_ready, &wd);
  g_assert_nonnull (gaio_loop_call_soon (loop, cancel_cb, future, NULL, &error));
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), wait_done, &wd, 10));
  g_assert_null (gaio_future_wait_finish (future, wd.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_object_unref (wd.result);
  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* wait_async on a done future still completes later, not inside the call
 * (GTask's rule). */
static void
test_wait_async_done_future (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  WaitData wd = { future };
  GValue *value;
  GError *error = NULL;

  g_assert_true (gaio_future_set_result_int64 (future, 42, NULL));
  gaio_future_wait_async (future, NULL, wait_ready, &wd);
  g_assert_null (wd.result);
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), wait_done, &wd, 10));
  value = gaio_future_wait_finish (future, wd.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, 42);
  g_boxed_free (G_TYPE_VALUE, value);

  g_object_unref (wd.result);
  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* The bridge's contract (gaio-future-gio.c): cancelling the wait's
 * cancellable cancels the future, on the loop's thread, as cancelling a
 * task that awaits a future does in asyncio (test_tasks.py's
 * test_cancel_inner_future); the wait then ends with the future's own
 * outcome, G_IO_ERROR_CANCELLED. Also when the cancellable was cancelled
 * before the wait began. */
static void
run_wait_async_cancellable (gboolean before)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GCancellable *cancellable = g_cancellable_new ();
  WaitData wd = { future };
  GError *error = NULL;

  if (before)
    g_cancellable_cancel (cancellable);
  gaio_future_wait_async (future, cancellable, wait_ready, &wd);
  g_assert_null (wd.result);
  if (!before)
    {
      drain (gaio_future_get_loop (future));
      g_assert_null (wd.result);
      g_cancellable_cancel (cancellable);
    }
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), wait_done, &wd, 10));
  g_assert_null (gaio_future_wait_finish (future, wd.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (gaio_future_is_cancelled (future));

  /* Nothing else is delivered. */
  g_assert_false (gaio_future_set_result_int64 (future, 1, NULL));
  drain (loop);

  g_object_unref (wd.result);
  g_object_unref (cancellable);
  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

static void
test_wait_async_cancellable (void)
{
  run_wait_async_cancellable (FALSE);
}

static void
test_wait_async_cancellable_before (void)
{
  run_wait_async_cancellable (TRUE);
}

static gboolean
set_flag_cb_for_wait (gpointer   data,
                      GError   **error)
{
  *(gboolean *) data = TRUE;
  return TRUE;
}

/* wait_async completes on the thread-default context of its caller (as
 * GTask does), which need not be the loop's. */
static void
test_wait_async_caller_context (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *caller = g_main_context_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  WaitData wd = { future };
  GValue *value;
  GError *error = NULL;
  gboolean set = FALSE;

  g_main_context_push_thread_default (caller);
  gaio_future_wait_async (future, NULL, wait_ready, &wd);
  g_main_context_pop_thread_default (caller);

  g_assert_nonnull (gaio_loop_call_soon (loop, set_result_cb, future, NULL, &error));
  g_assert_nonnull (gaio_loop_call_soon (loop, set_flag_cb_for_wait, &set, NULL, &error));
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), gaio_test_flag_is_set,
                                          &set, 10));
  drain (loop);
  g_assert_true (gaio_future_is_done (future));
  /* Not delivered through the loop's context... */
  g_assert_null (wd.result);
  /* ...but through the caller's. */
  g_assert_true (gaio_test_iterate_until (caller, wait_done, &wd, 10));
  g_assert_true (wd.context == caller);
  value = gaio_future_wait_finish (future, wd.result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int64 (value), ==, 42);
  g_boxed_free (G_TYPE_VALUE, value);

  g_object_unref (wd.result);
  gaio_test_assert_finalize_future (future);
  g_main_context_unref (caller);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* A future is a reference-counted boxed value (gaio-future.c).          */

/* ref and unref count; the boxed type's copy is a reference and its free
 * an unref, so a GValue holding a future shares it, as a binding does. */
static void
test_boxed_refcount (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  g_auto(GValue) value = G_VALUE_INIT;
  gpointer copy;

  g_assert_true (G_TYPE_IS_BOXED (GAIO_TYPE_FUTURE));
  g_assert_true (gaio_future_ref (future) == future);
  g_assert_cmpuint (gaio_test_future_refs (future), ==, 2);
  gaio_future_unref (future);

  copy = g_boxed_copy (GAIO_TYPE_FUTURE, future);
  g_assert_true (copy == future);
  g_assert_cmpuint (gaio_test_future_refs (future), ==, 2);
  g_boxed_free (GAIO_TYPE_FUTURE, copy);

  g_value_init (&value, GAIO_TYPE_FUTURE);
  g_value_set_boxed (&value, future);
  g_assert_cmpuint (gaio_test_future_refs (future), ==, 2);
  g_value_unset (&value);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* g_autoptr(GaioFuture) drops its reference at the end of the scope. */
static void
test_boxed_autoptr (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *kept = gaio_loop_create_future (loop);

  {
    g_autoptr(GaioFuture) scoped = gaio_future_ref (kept);

    g_assert_cmpuint (gaio_test_future_refs (scoped), ==, 2);
  }

  gaio_test_assert_finalize_future (kept);
  gaio_test_loop_free (loop);
}

static void
count_call (GaioFuture *future,
            gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* The last unref runs what the future holds: the result's destroy
 * notify and the notifies of callbacks that never ran. */
static void
test_last_unref_frees_contents (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  gboolean result_freed = FALSE, callback_freed = FALSE;
  guint calls = 0;

  gaio_future_add_done_callback (future, count_call, &calls, NULL);
  g_assert_cmpuint (gaio_future_remove_done_callback (future, count_call, &calls), ==, 1);
  gaio_future_add_done_callback (future, count_call, &callback_freed, set_flag);
  gaio_future_remove_done_callback (future, count_call, &calls);
  g_assert_true (gaio_future_set_result_pointer (future, &result_freed, set_flag, NULL));

  /* The callback is scheduled: the closing loop drops it, then the
   * future goes with its result. */
  gaio_future_unref (future);
  g_assert_false (result_freed);
  gaio_test_loop_free (loop);
  g_assert_true (callback_freed);
  g_assert_true (result_freed);
  g_assert_cmpuint (calls, ==, 0);
}

static gboolean
keep_future_handler (GaioLoop              *loop,
                     GaioExceptionContext  *context,
                     gpointer               user_data,
                     GError               **error)
{
  GaioFuture **kept = user_data;

  g_assert_null (*kept);
  *kept = gaio_future_ref (gaio_exception_context_get_future (context));
  return TRUE;
}

/* DB-09: the never-retrieved report hands the future to the exception
 * handler, which may keep it (asyncio's __del__ may resurrect): the
 * future lives on, and is reported once in its life. */
static void
test_last_unref_resurrects (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GaioFuture *kept = NULL;

  gaio_loop_set_exception_handler (loop, keep_future_handler, &kept, NULL);
  g_assert_true (gaio_future_take_error (future, boom_error ("lost"), NULL));
  gaio_future_unref (future);
  g_assert_true (kept == future);
  g_assert_cmpint (gaio_future_get_state (kept), ==, GAIO_FUTURE_FINISHED);

  /* Reported once: the handler would fail its assertion on a second. */
  gaio_test_assert_finalize_future (kept);

  gaio_loop_set_exception_handler (loop, NULL, NULL, NULL);
  gaio_test_loop_free (loop);
}

static gpointer
unref_in_thread (gpointer data)
{
  for (guint i = 0; i < 10000; i++)
    gaio_future_unref (data);

  return NULL;
}

/* The count is atomic: references taken on the loop's thread may be
 * dropped on others, and the last one on any thread frees the future. */
static void
test_unref_other_threads (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GThread *threads[4];

  g_assert_true (gaio_future_set_result_int64 (future, 1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (threads) * 10000; i++)
    gaio_future_ref (future);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("unref", unref_in_thread, future);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* BD-01: the bindings' run_until_complete returns a copy that owns its
 * value: a boxed result outlives the future (no CPython counterpart). */
static void
test_run_until_complete_dup_result (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  g_autoptr(GBytes) bytes = g_bytes_new ("seed", 4);
  GValue *value;
  GError *error = NULL;

  g_assert_true (gaio_future_set_result_boxed (future, G_TYPE_BYTES, bytes, NULL));
  value = gaio_loop_run_until_complete_dup_result (loop, future, &error);
  g_assert_no_error (error);
  gaio_test_assert_finalize_future (future);

  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_BYTES));
  g_assert_true (g_bytes_equal (g_value_get_boxed (value), bytes));
  g_boxed_free (G_TYPE_VALUE, value);

  future = gaio_loop_create_future (loop);
  gaio_future_take_error (future, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"),
                          NULL);
  g_assert_null (gaio_loop_run_until_complete_dup_result (loop, future, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  gaio_test_assert_finalize_future (future);

  gaio_test_loop_free (loop);
}

/* BD-06: the futures of gather() read as a typed list; dup_result gives
 * bindings a NULL pointer for the untyped array (no CPython counterpart). */
static void
test_dup_result_futures (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *children[2];
  GaioFuture *gathered;
  GPtrArray *futures;
  GValue *value;
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      children[i] = gaio_loop_create_future (loop);
      gaio_future_set_result_int64 (children[i], i + 1, NULL);
    }
  gathered = gaio_gather (children, G_N_ELEMENTS (children), FALSE);
  g_assert_null (gaio_future_dup_result_futures (gathered, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_true (gaio_loop_run_until_complete (loop, gathered, NULL, NULL));

  futures = gaio_future_dup_result_futures (gathered, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (futures->len, ==, 2);
  g_assert_true (g_ptr_array_index (futures, 0) == children[0]);
  g_assert_cmpint (gaio_future_get_result_int64 (g_ptr_array_index (futures, 1), NULL), ==, 2);
  g_ptr_array_unref (futures);

  value = gaio_future_dup_result (gathered, &error);
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_POINTER (value));
  g_assert_null (g_value_get_pointer (value));
  g_boxed_free (G_TYPE_VALUE, value);

  /* Not a list of futures: an error, not a crash. */
  g_assert_null (gaio_future_dup_result_futures (children[0], &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  gaio_future_unref (gathered);
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    gaio_future_unref (children[i]);
  gaio_test_loop_free (loop);
}

/* FU-01: the typed setters of the scalar types store what the GValue
 * setters store (they write the value in place, without
 * g_value_set_*()): the result reads back equal to a value made with
 * g_value_set_*(), a boolean other than 1 as TRUE. No CPython
 * counterpart: the typed setters are libgaio's. */
static void
test_typed_scalar_setters (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  const GType types[] = { G_TYPE_INT64, G_TYPE_UINT64, G_TYPE_DOUBLE, G_TYPE_BOOLEAN };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GaioFuture *future = gaio_loop_create_future (loop);
      g_auto(GValue) expected = G_VALUE_INIT;
      g_auto(GValue) out = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;

      g_value_init (&expected, types[i]);
      switch (types[i])
        {
        case G_TYPE_INT64:
          g_assert_true (gaio_future_set_result_int64 (future, G_MININT64 + 5, NULL));
          g_value_set_int64 (&expected, G_MININT64 + 5);
          break;
        case G_TYPE_UINT64:
          g_assert_true (gaio_future_set_result_uint64 (future, G_MAXUINT64 - 3, NULL));
          g_value_set_uint64 (&expected, G_MAXUINT64 - 3);
          break;
        case G_TYPE_DOUBLE:
          g_assert_true (gaio_future_set_result_double (future, -2.5, NULL));
          g_value_set_double (&expected, -2.5);
          break;
        default:
          g_assert_true (gaio_future_set_result_boolean (future, 2, NULL));
          g_value_set_boolean (&expected, 2);
          break;
        }

      g_assert_true (gaio_future_get_result (future, &out, &error));
      g_assert_no_error (error);
      g_assert_true (G_VALUE_TYPE (&out) == types[i]);
      g_assert_cmpmem (&out.data[0], sizeof out.data[0], &expected.data[0], sizeof expected.data[0]);
      gaio_test_assert_finalize_future (future);
    }

  gaio_test_loop_free (loop);
}

/* FU-01, DB-09: a future made after others were freed, whose memory it
 * may reuse (gaio-future.c keeps freed blocks for the next futures of
 * the thread), starts as a new one: pending, no callback, a cancellable
 * not cancelled; and its error, never read, is reported though the freed
 * future's was reported too. No CPython counterpart. */
static void
test_recycled_future_starts_new (void)
{
  Reports reports = { 0, };
  GaioLoop *loop = loop_with_reports (&reports);

  for (guint i = 0; i < 4; i++)
    {
      GaioFuture *future = gaio_loop_create_future (loop);
      g_autofree char *repr = gaio_future_to_string (future);
      guint calls = 0;

      g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_PENDING);
      g_assert_cmpstr (repr, ==, "<Future pending>");
      g_assert_false (g_cancellable_is_cancelled (gaio_future_get_cancellable (future)));

      gaio_future_add_done_callback (future, count_call, &calls, NULL);
      g_assert_true (gaio_future_take_error (future, boom_error ("bad"), NULL));
      drain (loop);
      g_assert_cmpuint (calls, ==, 1);

      gaio_test_assert_finalize_future (future);
      g_assert_cmpuint (reports.calls, ==, i + 1);
    }

  gaio_test_loop_free (loop);
  reports_clear (&reports);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Future/boxed-refcount", test_boxed_refcount);
  g_test_add_func ("/Gaio/Future/boxed-autoptr", test_boxed_autoptr);
  g_test_add_func ("/Gaio/Future/last-unref-frees-contents", test_last_unref_frees_contents);
  g_test_add_func ("/Gaio/Future/last-unref-resurrects", test_last_unref_resurrects);
  g_test_add_func ("/Gaio/Future/unref-other-threads", test_unref_other_threads);
  g_test_add_func ("/Gaio/Future/initial-state", test_initial_state);
  g_test_add_func ("/Gaio/Future/cancel", test_cancel);
  g_test_add_func ("/Gaio/Future/result", test_result);
  g_test_add_func ("/Gaio/Future/exception", test_exception);
  g_test_add_func ("/Gaio/Future/take-error", test_take_error);
  g_test_add_func ("/Gaio/Future/pending-read", test_pending_read);
  g_test_add_func ("/Gaio/Future/set-error-null", test_set_error_null);
  g_test_add_func ("/Gaio/Future/cancel-message", test_cancel_message);
  g_test_add_func ("/Gaio/Future/result-numbers", test_result_numbers);
  g_test_add_func ("/Gaio/Future/result-string", test_result_string);
  g_test_add_func ("/Gaio/Future/result-object", test_result_object);
  g_test_add_func ("/Gaio/Future/result-boxed", test_result_boxed);
  g_test_add_func ("/Gaio/Future/result-variant", test_result_variant);
  g_test_add_func ("/Gaio/Future/result-pointer", test_result_pointer);
  g_test_add_func ("/Gaio/Future/result-gvalue", test_result_gvalue);
  g_test_add_func ("/Gaio/Future/result-scalars", test_result_scalars);
  g_test_add_func ("/Gaio/Future/FU-01/typed-scalar-setters", test_typed_scalar_setters);
  g_test_add_func ("/Gaio/Future/FU-01/recycled-future-starts-new",
                   test_recycled_future_starts_new);
  g_test_add_data_func ("/Gaio/Future/done-callbacks/result",
                        GINT_TO_POINTER (COMPLETE_RESULT), test_done_callbacks);
  g_test_add_data_func ("/Gaio/Future/done-callbacks/error",
                        GINT_TO_POINTER (COMPLETE_ERROR), test_done_callbacks);
  g_test_add_data_func ("/Gaio/Future/done-callbacks/cancel",
                        GINT_TO_POINTER (COMPLETE_CANCEL), test_done_callbacks);
  g_test_add_func ("/Gaio/Future/done-callback-on-done-future",
                   test_done_callback_on_done_future);
  g_test_add_func ("/Gaio/Future/remove-done-callback", test_remove_done_callback);
  g_test_add_func ("/Gaio/Future/remove-first-callback", test_remove_first_callback);
  g_test_add_func ("/Gaio/Future/done-callback-mutation", test_done_callback_mutation);
  g_test_add_func ("/Gaio/Future/remove-during-notify", test_remove_during_notify);
  g_test_add_func ("/Gaio/Future/done-callback-dropped", test_done_callback_dropped);
  g_test_add_func ("/Gaio/Future/done-callback-after-close", test_done_callback_after_close);
  g_test_add_func ("/Gaio/Future/to-string", test_to_string);
  g_test_add_func ("/Gaio/Future/never-retrieved", test_never_retrieved);
  g_test_add_func ("/Gaio/Future/never-retrieved-default-handler",
                   test_never_retrieved_default_handler);
  g_test_add_data_func ("/Gaio/Future/never-retrieved-not-reported/result-only",
                        GINT_TO_POINTER (READ_NOTHING_RESULT_ONLY),
                        test_never_retrieved_not_reported);
  g_test_add_data_func ("/Gaio/Future/never-retrieved-not-reported/pending",
                        GINT_TO_POINTER (READ_NOTHING_PENDING), test_never_retrieved_not_reported);
  g_test_add_data_func ("/Gaio/Future/never-retrieved-not-reported/cancelled",
                        GINT_TO_POINTER (READ_NOTHING_CANCELLED),
                        test_never_retrieved_not_reported);
  g_test_add_data_func ("/Gaio/Future/never-retrieved-not-reported/get-result",
                        GINT_TO_POINTER (READ_GET_RESULT), test_never_retrieved_not_reported);
  g_test_add_data_func ("/Gaio/Future/never-retrieved-not-reported/get-result-typed",
                        GINT_TO_POINTER (READ_GET_RESULT_TYPED),
                        test_never_retrieved_not_reported);
  g_test_add_data_func ("/Gaio/Future/never-retrieved-not-reported/get-error",
                        GINT_TO_POINTER (READ_GET_ERROR), test_never_retrieved_not_reported);
  g_test_add_data_func ("/Gaio/Future/never-retrieved-not-reported/run-until-complete",
                        GINT_TO_POINTER (READ_RUN_UNTIL_COMPLETE),
                        test_never_retrieved_not_reported);
  g_test_add_data_func ("/Gaio/Future/never-retrieved-not-reported/cancel-after-error",
                        GINT_TO_POINTER (READ_CANCEL_AFTER_ERROR),
                        test_never_retrieved_not_reported);
  g_test_add_func ("/Gaio/Future/cancellable", test_cancellable);
  g_test_add_func ("/Gaio/Future/async-object", test_async_object);
  g_test_add_func ("/Gaio/Future/async-boxed", test_async_boxed);
  g_test_add_func ("/Gaio/Future/async-int64", test_async_int64);
  g_test_add_func ("/Gaio/Future/async-boolean", test_async_boolean);
  g_test_add_func ("/Gaio/Future/async-error", test_async_error);
  g_test_add_func ("/Gaio/Future/async-cancel", test_async_cancel);
  g_test_add_func ("/Gaio/Future/async-cancel-before-start", test_async_cancel_before_start);
  g_test_add_func ("/Gaio/Future/wait-async-result", test_wait_async_result);
  g_test_add_func ("/Gaio/Future/wait-async-error", test_wait_async_error);
  g_test_add_func ("/Gaio/Future/wait-async-cancelled", test_wait_async_cancelled);
  g_test_add_func ("/Gaio/Future/wait-async-done-future", test_wait_async_done_future);
  g_test_add_func ("/Gaio/Future/wait-async-caller-context", test_wait_async_caller_context);
  g_test_add_func ("/Gaio/Future/FU-12/internal-callbacks-named", test_internal_callbacks_named);
  g_test_add_func ("/Gaio/Future/wait-async-cancellable", test_wait_async_cancellable);
  g_test_add_func ("/Gaio/Future/wait-async-cancellable-before",
                   test_wait_async_cancellable_before);

  g_test_add_func ("/Gaio/Future/run-until-complete-dup-result",
                   test_run_until_complete_dup_result);
  g_test_add_func ("/Gaio/Future/dup-result-futures", test_dup_result_futures);

  return g_test_run ();
}
