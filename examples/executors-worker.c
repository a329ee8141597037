/* executors-worker.c: the worker executable of executors.py and executors.js
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Python and JavaScript cannot run in a worker process: a binding's
 * process pool runs the C functions of a small executable like this one,
 * by name (Gaio.ProcessPoolExecutor.new_for_worker() and submit_named(),
 * see docs/bindings.md). This is how a binding user ships the seed's
 * cpu_bound(): one function, registered, and main() handed to the worker
 * loop.
 */

#include <gaio.h>

/* sum(i * i for i in range(10 ** 7)), 333333283333335000000: more than
 * 64 bits hold, so it is summed in 128 bits and returned as the decimal
 * string Python prints (as examples/executors.c does). */
static gboolean
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

int
main (int    argc,
      char **argv)
{
  GAIO_PROCESS_POOL_REGISTER (cpu_bound);
  return gaio_process_pool_executor_worker_main (&argc, &argv);
}
