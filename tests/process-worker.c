/* process-worker.c: the worker executable of the process-pool tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * What a worker executable looks like: register the functions, then hand
 * main() to gaio_process_pool_executor_worker_main(). The Python and GJS tests
 * run their jobs here.
 */

#include "process-jobs.h"

int
main (int    argc,
      char **argv)
{
  process_jobs_register ();
  return gaio_process_pool_executor_worker_main (&argc, &argv);
}
