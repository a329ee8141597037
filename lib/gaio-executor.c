/* gaio-executor.c: where run_in_executor() runs functions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include "config.h"

#include "gaio.h"

/**
 * GaioExecutor:
 *
 * Something that runs [callback@Gaio.JobFunc]s away from the loop's
 * thread: Python's `concurrent.futures.Executor`. libgaio provides
 * [class@Gaio.ThreadPoolExecutor]; give an executor to
 * [method@Gaio.Loop.run_in_executor] to run a function in it.
 *
 * An implementation takes jobs in @submit, on the loop's thread, and
 * later calls [method@Gaio.Job.run] (or [method@Gaio.Job.fail]) once for
 * each, from any thread.
 *
 * Since: 1.0
 */

G_DEFINE_INTERFACE (GaioExecutor, gaio_executor, G_TYPE_OBJECT)

static void
gaio_executor_default_init (GaioExecutorInterface *iface)
{
}

/**
 * gaio_executor_submit:
 * @executor: a #GaioExecutor
 * @job: the job
 * @error: return location for a #GError
 *
 * Hands @job to the executor, which runs it later. Most code calls
 * [method@Gaio.Loop.run_in_executor] instead, which makes the job.
 *
 * A job is taken by one executor at most: an executor that delegates to
 * another hands the job on once. [class@Gaio.ThreadPoolExecutor] refuses
 * a job it or another pool took before, with a critical and
 * %GAIO_ERROR_INVALID_STATE.
 *
 * Returns: %TRUE if the executor took the job; %FALSE with
 *   %GAIO_ERROR_EXECUTOR_SHUTDOWN if it was shut down
 *
 * Since: 1.0
 */
gboolean
gaio_executor_submit (GaioExecutor  *executor,
                      GaioJob       *job,
                      GError       **error)
{
  g_return_val_if_fail (GAIO_IS_EXECUTOR (executor), FALSE);
  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return GAIO_EXECUTOR_GET_IFACE (executor)->submit (executor, job, error);
}

/**
 * gaio_executor_shutdown:
 * @executor: a #GaioExecutor
 * @wait: whether to block until the jobs already taken have run
 * @cancel_futures: whether to cancel the jobs that have not started
 *
 * Stops the executor taking jobs (Python's `Executor.shutdown`): later
 * submissions fail with %GAIO_ERROR_EXECUTOR_SHUTDOWN. Jobs already
 * taken still run, unless @cancel_futures is set, in which case those
 * not started are cancelled at once, even while every worker is busy:
 * they never run, and their futures end cancelled in their loop's next
 * iteration (as asyncio's futures that wrap cancelled
 * `concurrent.futures` futures do). Jobs already running finish.
 * Shutting down twice is allowed.
 *
 * With @wait this blocks the calling thread: on a loop's thread use
 * [method@Gaio.Loop.shutdown_default_executor] or call this from a worker
 * thread.
 *
 * Since: 1.0
 */
void
gaio_executor_shutdown (GaioExecutor *executor,
                        gboolean      wait,
                        gboolean      cancel_futures)
{
  g_return_if_fail (GAIO_IS_EXECUTOR (executor));

  GAIO_EXECUTOR_GET_IFACE (executor)->shutdown (executor, wait, cancel_futures);
}

/**
 * gaio_executor_is_shutdown:
 * @executor: a #GaioExecutor
 *
 * Whether [method@Gaio.Executor.shutdown] was called.
 *
 * Returns: %TRUE if shut down
 *
 * Since: 1.0
 */
gboolean
gaio_executor_is_shutdown (GaioExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_EXECUTOR (executor), FALSE);

  return GAIO_EXECUTOR_GET_IFACE (executor)->is_shutdown (executor);
}
