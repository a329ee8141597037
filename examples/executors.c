/* executors.c: blocking I/O in the default thread pool and in a custom one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Options 1 and 2 of the executor example in asyncio's documentation
 * (shared/seeds/asyncio-eventloop-executors.txt):
 *
 *     def blocking_io():
 *         with open('/dev/urandom', 'rb') as f:
 *             return f.read(100)
 *
 *     async def main():
 *         loop = asyncio.get_running_loop()
 *         result = await loop.run_in_executor(None, blocking_io)
 *         print('default thread pool', result)
 *         with concurrent.futures.ThreadPoolExecutor() as pool:
 *             result = await loop.run_in_executor(pool, blocking_io)
 *             print('custom thread pool', result)
 *
 *     asyncio.run(main())
 *
 * Without tasks yet, main() is written out step by step with
 * gaio_loop_run_until_complete(), and the end of asyncio.run() (shut the
 * default executor down, then close the loop) is done by hand. Option 3,
 * the process pool, comes with GaioProcessPoolExecutor.
 *
 * The bytes are printed as Python prints a bytes object, so the output
 * reads like the Python program's.
 */

#include <string.h>

#include <gaio.h>

/* File operations (such as logging) can block the event loop: run them in
 * a thread pool. This runs in a worker thread. */
static gboolean
blocking_io (GaioJob   *job,
             gpointer   user_data,
             GError   **error)
{
  GCancellable *cancellable = gaio_job_get_cancellable (job);
  g_autoptr(GFile) file = g_file_new_for_path ("/dev/urandom");
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return FALSE;

  bytes = g_input_stream_read_bytes (G_INPUT_STREAM (stream), 100, cancellable, error);
  if (bytes == NULL)
    return FALSE;

  gaio_job_set_result_bytes (job, bytes);
  return TRUE;
}

/* Python's repr() of a bytes object: b'...', or b"..." when the bytes
 * hold a single quote and no double quote; \t \n \r, the backslash and
 * the quote escaped; other bytes outside printable ASCII as \xNN. */
static char *
bytes_repr (GBytes *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gboolean has_single = memchr (data, '\'', size) != NULL;
  gboolean has_double = memchr (data, '"', size) != NULL;
  char quote = has_single && !has_double ? '"' : '\'';
  GString *repr = g_string_sized_new (size * 4 + 3);

  g_string_append_c (repr, 'b');
  g_string_append_c (repr, quote);
  for (gsize i = 0; i < size; i++)
    {
      guint8 c = data[i];

      if (c == quote || c == '\\')
        g_string_append_printf (repr, "\\%c", c);
      else if (c == '\t')
        g_string_append (repr, "\\t");
      else if (c == '\n')
        g_string_append (repr, "\\n");
      else if (c == '\r')
        g_string_append (repr, "\\r");
      else if (c < 0x20 || c >= 0x7f)
        g_string_append_printf (repr, "\\x%02x", c);
      else
        g_string_append_c (repr, (char) c);
    }
  g_string_append_c (repr, quote);

  return g_string_free (repr, FALSE);
}

/* run_in_executor() then run_until_complete(): the `await` of the
 * Python program. Prints LABEL and the bytes. */
static gboolean
read_in (GaioLoop      *loop,
         GaioExecutor  *executor,
         const char    *label,
         GError       **error)
{
  g_autoptr(GaioFuture) future = NULL;
  g_auto(GValue) result = G_VALUE_INIT;
  g_autofree char *repr = NULL;

  future = gaio_loop_run_in_executor (loop, executor, blocking_io, NULL, NULL, NULL);
  if (!gaio_loop_run_until_complete (loop, future, &result, error))
    return FALSE;

  repr = bytes_repr (g_value_get_boxed (&result));
  g_print ("%s %s\n", label, repr);

  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GaioLoop) loop = gaio_loop_new (NULL);
  g_autoptr(GaioThreadPoolExecutor) pool = NULL;
  g_autoptr(GaioFuture) shutdown = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* 1. Run in the default loop's executor. */
  ok = read_in (loop, NULL, "default thread pool", &error);

  /* 2. Run in a custom thread pool: `with ThreadPoolExecutor() as pool`
   * shuts the pool down, waiting for its jobs, when the block ends. */
  if (ok)
    {
      pool = gaio_thread_pool_executor_new (0, NULL);
      ok = read_in (loop, GAIO_EXECUTOR (pool), "custom thread pool", &error);
      gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
    }

  /* The end of asyncio.run(): the default executor, then the loop. */
  shutdown = gaio_loop_shutdown_default_executor (loop);
  if (!gaio_loop_run_until_complete (loop, shutdown, NULL, ok ? &error : NULL))
    ok = FALSE;
  if (!gaio_loop_close (loop, ok ? &error : NULL))
    ok = FALSE;

  if (!ok)
    {
      g_printerr ("%s: %s\n", g_get_prgname () != NULL ? g_get_prgname () : argv[0],
                  error != NULL ? error->message : "failed");
      return 1;
    }

  return 0;
}
