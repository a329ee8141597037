/* hello.c: a first tour of the libgaio event loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * What asyncio users know as
 *
 *   loop = asyncio.new_event_loop()
 *   loop.set_exception_handler(print_exception)
 *   loop.call_soon(say, "Hello")            # run in the next iteration
 *   loop.call_later(0.05, say, "...")       # run in 50 ms
 *   loop.call_later(0.02, ...).cancel()     # never runs
 *   loop.call_soon(parse_answer, "forty-two")   # raises
 *   future = loop.create_future()
 *   loop.call_later(0.1, future.set_result, 42)
 *   print(loop.run_until_complete(future))
 *   loop.close()
 *
 * written with libgaio. The output is the same on every run:
 *
 *   Hello
 *   from
 *   libgaio
 *   The exception handler was told:
 *   | Exception in callback parse_answer()
 *   | handle: <Handle parse_answer()>
 *   | g-io-error-quark: 'forty-two' is not a number (35)
 *   50 ms timer fired
 *   Future done: <Future finished result=42>
 *   run_until_complete() returned 42
 *   Loop closed
 */

#include <gaio.h>

/* A GaioCallback: runs on the loop's thread, returns TRUE on success. */
static gboolean
say (gpointer   user_data,
     GError   **error)
{
  g_print ("%s\n", (const char *) user_data);

  return TRUE;
}

/* A callback that fails, the analogue of an asyncio callback that raises:
 * it returns FALSE with @error set, and the loop hands the error to its
 * exception handler, then goes on with the next callback. */
static gboolean
parse_answer (gpointer   user_data,
              GError   **error)
{
  const char *text = user_data;
  guint64 number;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &number, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'%s' is not a number", text);
      return FALSE;
    }

  g_print ("The answer is %" G_GUINT64_FORMAT "\n", number);

  return TRUE;
}

/* The loop's exception handler (asyncio's set_exception_handler). The
 * default handler would write a warning to the `Gaio` log domain; this one
 * prints the same asyncio-style text to stdout. */
static gboolean
print_exception (GaioLoop              *loop,
                 GaioExceptionContext  *context,
                 gpointer               user_data,
                 GError               **error)
{
  g_autofree char *text = gaio_exception_context_to_string (context);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_print ("The exception handler was told:\n");
  for (guint i = 0; lines[i] != NULL; i++)
    g_print ("| %s\n", lines[i]);

  return TRUE;
}

/* Completes the future: what an I/O callback or a worker would do. */
static gboolean
resolve_future (gpointer   user_data,
                GError   **error)
{
  GaioFuture *future = user_data;

  return gaio_future_set_result_int64 (future, 42, error);
}

/* A done callback: scheduled on the loop once the future is done, never
 * called from inside gaio_future_set_result_int64(). */
static void
future_done (GaioFuture *future,
             gpointer    user_data)
{
  g_autofree char *description = gaio_future_to_string (future);

  g_print ("Future done: %s\n", description);
}

int
main (void)
{
  g_autoptr(GaioLoop) loop = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) result = G_VALUE_INIT;
  GaioHandle *handle;

  /* A loop on the thread-default GMainContext. */
  loop = gaio_loop_new (NULL);
  gaio_loop_set_exception_handler (loop, print_exception, NULL, NULL);

  /* call_soon(): the callbacks run in the order they were scheduled. The
   * string literals need no destroy notify; the error return is only set
   * once the loop is closed. */
  gaio_loop_call_soon (loop, say, "Hello", NULL, NULL);
  gaio_loop_call_soon (loop, say, "from", NULL, NULL);
  gaio_loop_call_soon (loop, say, "libgaio", NULL, NULL);

  /* A callback that fails. Naming its handle makes the report read
   * "parse_answer()" whatever the platform knows about symbols. */
  handle = gaio_loop_call_soon (loop, parse_answer, "forty-two", NULL, NULL);
  gaio_handle_set_name (handle, "parse_answer");

  /* call_later(): a timer. Timers run in deadline order. */
  gaio_loop_call_later (loop, 0.05, say, "50 ms timer fired", NULL, NULL);

  /* A cancelled handle never runs (its destroy notify, if any, runs at
   * once). The handle belongs to the loop; no unref is needed. */
  handle = gaio_loop_call_later (loop, 0.02, say, "never printed", NULL, NULL);
  gaio_handle_cancel (handle);

  /* A future completed by a timer 100 ms from now. The timer holds a
   * reference on the future until it has run (or the loop is closed). */
  future = gaio_loop_create_future (loop);
  gaio_future_add_done_callback (future, future_done, NULL, NULL);
  gaio_loop_call_later (loop, 0.1, resolve_future,
                        gaio_future_ref (future), (GDestroyNotify) gaio_future_unref, NULL);

  /* Run the loop until the future is done, and get its result. */
  if (!gaio_loop_run_until_complete (loop, future, &result, &error))
    {
      g_printerr ("run_until_complete() failed: %s\n", error->message);
      return 1;
    }
  g_print ("run_until_complete() returned %" G_GINT64_FORMAT "\n",
           g_value_get_int64 (&result));

  /* close(): whatever is still scheduled is dropped, and every later
   * scheduling call fails with GAIO_ERROR_CLOSED. */
  if (!gaio_loop_close (loop, &error))
    {
      g_printerr ("close() failed: %s\n", error->message);
      return 1;
    }
  g_print ("Loop closed\n");

  return 0;
}
