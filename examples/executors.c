/* executors.c: the asyncio executor example, all three options, in C
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The executor example of asyncio's documentation
 * (shared/seeds/asyncio-eventloop-executors.txt), as it reads in Python:
 *
 *     async def main():
 *         loop = asyncio.get_running_loop()
 *         result = await loop.run_in_executor(None, blocking_io)
 *         print('default thread pool', result)
 *         with concurrent.futures.ThreadPoolExecutor() as pool:
 *             result = await loop.run_in_executor(pool, blocking_io)
 *             print('custom thread pool', result)
 *         with concurrent.futures.ProcessPoolExecutor() as pool:
 *             result = await loop.run_in_executor(pool, cpu_bound)
 *             print('custom process pool', result)
 *
 *     if __name__ == '__main__':
 *         asyncio.run(main())
 *
 * gaio_run() is asyncio.run(), gaio_await() is `await`: it suspends the
 * main task, never the thread, while a job runs. The process pool's
 * workers are this program again: gaio_process_pool_executor_worker_guard(),
 * first thing in main(), is the `if __name__ == '__main__':` guard that
 * turns them into workers. examples/process-pool.c runs the process pool
 * alone, without tasks.
 *
 * The bytes are printed as Python prints a bytes object, and the sum as
 * Python prints an int, so the output reads like the Python program's.
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

/* CPU-bound operations will block the event loop: in general it is
 * preferable to run them in a process pool. This runs in a worker
 * process. sum(i * i for i in range(10 ** 7)) is 333333283333335000000,
 * more than 64 bits hold: it is summed in 128 bits and returned as the
 * decimal string Python prints. Exported (not static) and registered
 * below, so that the workers find it by name. */
gboolean cpu_bound (GaioJob   *job,
                    gpointer   user_data,
                    GError   **error);

gboolean
cpu_bound (GaioJob   *job,
           gpointer   user_data,
           GError   **error)
{
  unsigned __int128 sum = 0;
  char digits[40];
  gsize n = sizeof digits - 1;

  for (guint64 i = 0; i < 10000000; i++)
    sum += (unsigned __int128) i * i;

  digits[n] = '\0';
  do
    {
      digits[--n] = (char) ('0' + (int) (sum % 10));
      sum /= 10;
    }
  while (sum != 0);

  gaio_job_set_result_string (job, digits + n);
  return TRUE;
}

/* `print(label, await loop.run_in_executor (executor, func))` */
static gboolean
run_and_print (GaioExecutor  *executor,
               GaioJobFunc    func,
               const char    *label,
               GError       **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_auto(GValue) result = G_VALUE_INIT;

  if (!gaio_await (gaio_loop_run_in_executor (loop, executor, func, NULL, NULL, NULL),
                   &result, error))
    return FALSE;

  if (G_VALUE_HOLDS (&result, G_TYPE_BYTES))
    {
      g_autofree char *repr = bytes_repr (g_value_get_boxed (&result));

      g_print ("%s %s\n", label, repr);
    }
  else
    g_print ("%s %s\n", label, g_value_get_string (&result));

  return TRUE;
}

/* The main task. Each `with` block ends with the pool's shutdown, which
 * waits for its workers, as the Python block's exit does. */
static gboolean
amain (gpointer   user_data,
       GValue    *result,
       GError   **error)
{
  g_autoptr(GaioThreadPoolExecutor) threads = NULL;
  g_autoptr(GaioProcessPoolExecutor) processes = NULL;
  gboolean ok;

  /* 1. Run in the default loop's executor. */
  if (!run_and_print (NULL, blocking_io, "default thread pool", error))
    return FALSE;

  /* 2. Run in a custom thread pool. */
  threads = gaio_thread_pool_executor_new (0, NULL);
  ok = run_and_print (GAIO_EXECUTOR (threads), blocking_io, "custom thread pool", error);
  gaio_executor_shutdown (GAIO_EXECUTOR (threads), TRUE, FALSE);
  if (!ok)
    return FALSE;

  /* 3. Run in a custom process pool. */
  processes = gaio_process_pool_executor_new (0);
  ok = run_and_print (GAIO_EXECUTOR (processes), cpu_bound, "custom process pool", error);
  gaio_executor_shutdown (GAIO_EXECUTOR (processes), TRUE, FALSE);

  return ok;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  /* if __name__ == '__main__': in a worker process, this serves jobs and
   * exits; here it returns at once. */
  GAIO_PROCESS_POOL_REGISTER (cpu_bound);
  gaio_process_pool_executor_worker_guard (&argc, &argv);

  if (!gaio_run (GAIO_COROUTINE_NEW (amain, NULL, NULL), NULL, &error))
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      return 1;
    }

  return 0;
}
