/* process-pool.c: CPU-bound work in a process pool, its function registered by name
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The process-pool part of the executor example of asyncio's documentation
 * (shared/seeds/asyncio-eventloop-executors.txt), without tasks: a loop
 * driven by run_until_complete(), as it reads in Python:
 *
 *     if __name__ == '__main__':
 *         loop = asyncio.new_event_loop()
 *         with concurrent.futures.ProcessPoolExecutor() as pool:
 *             result = loop.run_until_complete(
 *                 loop.run_in_executor(pool, cpu_bound, 10 ** 7))
 *             print('custom process pool', result)
 *         loop.close()
 *
 * Python's workers import the main module to find cpu_bound(); a C
 * worker finds a function by the name the job carries. cpu_bound() is
 * static, so it has no symbol a worker could look up: main() registers it
 * under a name, in every process, before the worker guard, which turns
 * the pool's workers (this program again) into servers of jobs.
 * examples/executors.c runs the whole seed, with tasks, and registers an
 * exported function with GAIO_PROCESS_POOL_REGISTER().
 *
 * The sum is printed as Python prints an int, so the output is the Python
 * program's: "custom process pool 333333283333335000000". The test suite
 * checks it (examples/meson.build).
 */

#include <gaio.h>

/* sum(i * i for i in range(n)), with n from the job's "(u)" arguments.
 * This runs in a worker process. For n = 10 ** 7 the sum needs more than
 * 64 bits: it is summed in 128 bits and returned as the decimal string
 * Python prints, since a job's result is a GVariant, a number of at most
 * 64 bits, a boolean, a string or GBytes. */
static gboolean
cpu_bound (GaioJob   *job,
           gpointer   user_data,
           GError   **error)
{
  unsigned __int128 sum = 0;
  char digits[40];
  gsize pos = sizeof digits - 1;
  guint32 n;

  g_variant_get (gaio_job_get_args (job), "(u)", &n);
  for (guint64 i = 0; i < n; i++)
    sum += (unsigned __int128) i * i;

  digits[pos] = '\0';
  do
    {
      digits[--pos] = (char) ('0' + (int) (sum % 10));
      sum /= 10;
    }
  while (sum != 0);

  gaio_job_set_result_string (job, digits + pos);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GaioLoop) loop = NULL;
  g_autoptr(GaioProcessPoolExecutor) pool = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) result = G_VALUE_INIT;
  gboolean ok;

  /* Jobs carry their function's name: the parent looks the name up when
   * it submits, the worker looks the function up when it runs the job. */
  gaio_process_pool_executor_register ("cpu_bound", cpu_bound);

  /* if __name__ == '__main__': in a worker process, this serves jobs and
   * exits; here it returns at once. */
  gaio_process_pool_executor_worker_guard (&argc, &argv);

  loop = gaio_loop_new (NULL);
  pool = gaio_process_pool_executor_new (0);   /* as many workers as processors */

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), cpu_bound,
                                      g_variant_new ("(u)", 10000000), NULL, NULL);
  ok = gaio_loop_run_until_complete (loop, future, &result, &error);

  /* The end of the `with` block: waits until every worker has exited. */
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);

  if (!ok)
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      return 1;
    }
  g_print ("custom process pool %s\n", g_value_get_string (&result));

  if (!gaio_loop_close (loop, &error))
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      return 1;
    }

  return 0;
}
