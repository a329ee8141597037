/* process-pool.c: option 3 of the seed program, CPU-bound work in a process pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The Python it ports (asyncio-eventloop-executors.txt):
 *
 *     def cpu_bound():
 *         return sum(i * i for i in range(10 ** 7))
 *
 *     async def main():
 *         loop = asyncio.get_running_loop()
 *         with concurrent.futures.ProcessPoolExecutor() as pool:
 *             result = await loop.run_in_executor(pool, cpu_bound)
 *             print('custom process pool', result)
 *
 *     if __name__ == '__main__':
 *         asyncio.run(main())
 *
 * The workers are this program itself: gaio_process_pool_worker_guard()
 * first thing in main() is the `if __name__ == '__main__':` guard. In a
 * worker it serves jobs and exits; here it returns at once.
 *
 * The sum is 333333283333335000000, more than 64 bits hold, so it is
 * computed in 128 bits and returned as a decimal string, which Python's
 * integers would print the same.
 */

#include <gaio.h>

#include <stdio.h>

gboolean cpu_bound (GaioJob   *job,
                    gpointer   user_data,
                    GError   **error);

/* Runs in a worker process. Exported, and registered too, so it travels
 * to the worker by name whatever the link flags. */
gboolean
cpu_bound (GaioJob   *job,
           gpointer   user_data,
           GError   **error)
{
  unsigned __int128 sum = 0;
  char digits[40];
  gsize n = sizeof digits - 1;

  for (guint64 i = 0; i < 10000000; i++)
    sum += i * i;

  digits[n] = '\0';
  do
    {
      digits[--n] = '0' + (char) (sum % 10);
      sum /= 10;
    }
  while (sum != 0);

  gaio_job_set_result_string (job, digits + n);
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
  GValue result = G_VALUE_INIT;

  GAIO_PROCESS_POOL_REGISTER (cpu_bound);
  gaio_process_pool_worker_guard (&argc, &argv);

  loop = gaio_loop_new (NULL);

  /* with concurrent.futures.ProcessPoolExecutor() as pool: */
  pool = gaio_process_pool_executor_new (0);
  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), cpu_bound, NULL, NULL, NULL);
  if (!gaio_loop_run_until_complete (loop, future, &result, &error))
    {
      g_printerr ("process pool: %s\n", error->message);
      return 1;
    }
  printf ("custom process pool %s\n", g_value_get_string (&result));
  g_value_unset (&result);
  /* The `with` block's exit: wait for the workers to go. */
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);

  gaio_loop_close (loop, NULL);
  return 0;
}
