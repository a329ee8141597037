/* gaio-loop-executor.c: the loop's executor methods
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's run_in_executor() family: run_in_executor() and its GIO
 * form for bindings, set_default_executor() and
 * shutdown_default_executor(). They are methods of GaioLoop kept apart
 * from gaio-loop.c, as gaio-loop-unix.c is: the loop's core knows no
 * executor.
 *
 * A call becomes a GaioJob (gaio-job.c), given the loop's inbox, which
 * an executor runs on its own thread and which carries the outcome back
 * to the future on the loop's thread. The default executor is a
 * GaioThreadPoolExecutor made on first use, kept in the loop
 * (GaioLoopDefaultExecutor); the first one made or set adds a close
 * hook that shuts it down, without waiting, when the loop closes.
 *
 * Threads: every entry point is for the loop's thread. The helpers that
 * cross threads (a GCancellable cancelled anywhere, the thread that waits
 * for the executor's shutdown) come back to the loop through its inbox.
 */

#include "config.h"

#include "gaio-future-gio-private.h"
#include "gaio-handle-private.h"
#include "gaio-job-private.h"
#include "gaio-loop-private.h"
#include "gaio-thread-pool-executor-private.h"

static GaioFuture *
failed_future (GaioLoop       *loop,
               GError         *error,
               gpointer        user_data,
               GDestroyNotify  notify)
{
  GaioFuture *future = gaio_future_new (loop);

  if (notify != NULL)
    notify (user_data);
  gaio_future_take_error (future, error, NULL);

  return future;
}

/* A close hook, added with the default executor: asyncio's close()
 * stops it taking jobs, without waiting for those it has; their outcomes
 * are dropped, as the inbox refuses them from then on. */
static void
shutdown_default_executor_at_close (GaioLoop *loop,
                                    gpointer  data)
{
  GaioLoopDefaultExecutor *state = _gaio_loop_get_default_executor (loop);

  state->shutdown_called = TRUE;
  if (state->executor != NULL)
    {
      gaio_executor_shutdown (state->executor, FALSE, FALSE);
      g_clear_object (&state->executor);
    }
}

static GaioExecutor *
ensure_default_executor (GaioLoop *loop)
{
  GaioLoopDefaultExecutor *state = _gaio_loop_get_default_executor (loop);

  if (state->executor == NULL)
    {
      state->executor = GAIO_EXECUTOR (gaio_thread_pool_executor_new (0, "gaio"));
      _gaio_loop_add_close_hook (loop, GAIO_LOOP_CLOSE_RELEASE,
                                 shutdown_default_executor_at_close, NULL);
    }

  return state->executor;
}

/* A thread pool (a final type) is called directly: the interface lookup
 * of gaio_executor_submit() costs more than the submission. */
static gboolean
submit_job (GaioExecutor  *executor,
            GaioJob       *job,
            GError       **error)
{
  if (G_TYPE_FROM_INSTANCE (executor) == GAIO_TYPE_THREAD_POOL_EXECUTOR)
    return _gaio_thread_pool_executor_submit ((GaioThreadPoolExecutor *) executor, job, error);

  return gaio_executor_submit (executor, job, error);
}

/**
 * gaio_loop_run_in_executor:
 * @loop: a #GaioLoop
 * @executor: (nullable): the executor, or %NULL for the loop's default
 *   executor
 * @func: (scope notified) (closure user_data) (destroy notify): the
 *   function to run
 * @args: (nullable): arguments for @func, read with
 *   [method@Gaio.Job.get_args]; a floating reference is sunk
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Runs @func in @executor and returns a future for its outcome (asyncio's
 * `run_in_executor`): blocking I/O and long computations run away from
 * the loop's thread while the loop goes on. The default executor is a
 * [class@Gaio.ThreadPoolExecutor] made on first use.
 *
 * From JavaScript, a thread pool (the default executor included) cannot
 * run @func: GJS runs JavaScript on the main thread only, and the future
 * fails at once with %GAIO_ERROR_NOT_MAIN_THREAD. Use a
 * [class@Gaio.ProcessPoolExecutor] with a worker executable instead. A
 * process pool runs no Python or JavaScript function either: see the
 * [Bindings](bindings.html) guide.
 *
 * The future finishes on the loop's thread with what @func set with
 * [method@Gaio.Job.set_result] or the error it returned. Cancelling the
 * future before @func starts means it never runs; cancelling it while
 * @func runs cancels [method@Gaio.Job.get_cancellable], and the outcome is
 * dropped.
 *
 * @notify runs exactly once, on the loop's thread: when the outcome
 * arrives, when the job is cancelled before it started, or when the loop
 * closes first (or, if the loop was closed before the job finished, in
 * the thread that ran it).
 *
 * Failures do not return %NULL: the future fails at once, with
 * %GAIO_ERROR_CLOSED if the loop is closed, and with
 * %GAIO_ERROR_EXECUTOR_SHUTDOWN if the executor was shut down (for the
 * default executor, by [method@Gaio.Loop.shutdown_default_executor]).
 *
 * Loop thread only.
 *
 * Returns: (transfer full): the future of the job
 *
 * Since: 1.0
 */
GaioFuture *
gaio_loop_run_in_executor (GaioLoop       *loop,
                           GaioExecutor   *executor,
                           GaioJobFunc     func,
                           GVariant       *args,
                           gpointer        user_data,
                           GDestroyNotify  notify)
{
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GaioJob) job = NULL;
  g_autoptr(GError) error = NULL;
  GaioLoopDefaultExecutor *state;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (executor == NULL || GAIO_IS_EXECUTOR (executor), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (args != NULL)
    g_variant_ref_sink (args);

  state = _gaio_loop_get_default_executor (loop);
  if (gaio_loop_is_closed (loop))
    error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_CLOSED, "Event loop is closed");
  else if (executor == NULL && state->shutdown_called)
    error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN,
                                 "Executor shutdown has been called");
  if (error != NULL)
    {
      g_clear_pointer (&args, g_variant_unref);
      return failed_future (loop, g_steal_pointer (&error), user_data, notify);
    }

  if (executor == NULL)
    executor = ensure_default_executor (loop);

  future = gaio_future_new (loop);
  job = _gaio_job_new (loop, _gaio_loop_get_inbox (loop), future, func, args, user_data, notify);
  g_clear_pointer (&args, g_variant_unref);

  if (!submit_job (executor, job, &error))
    _gaio_job_abort (job, error);

  return g_steal_pointer (&future);
}

/**
 * gaio_loop_run_in_executor_async:
 * @loop: a #GaioLoop
 * @executor: (nullable): the executor, or %NULL for the default one
 * @func: (scope notified) (closure job_data) (destroy job_data_destroy):
 *   the function to run
 * @args: (nullable): arguments for @func
 * @job_data: data for @func
 * @job_data_destroy: (nullable): frees @job_data
 * @cancellable: (nullable): cancels the job, as cancelling its future does
 * @callback: (scope async) (closure user_data): called once the job is
 *   done
 * @user_data: data for @callback
 *
 * [method@Gaio.Loop.run_in_executor] in GIO's asynchronous style, for
 * GJS's `Gio._promisify()` (and PyGObject's `await` from PyGObject 3.50
 * on, with its own event loop integration). Call
 * [method@Gaio.Loop.run_in_executor_finish] from @callback, which runs in
 * the thread-default main context of the caller (the loop's context when
 * called from a loop callback). @cancellable may be cancelled from any
 * thread: it cancels the job's future on the loop's thread, and the job
 * with it if it has not started. The contract is that of every `_async`
 * function of libgaio: see [method@Gaio.Future.wait_async].
 *
 * From PyGObject 3.42, @job_data, which is not the last closure, is given
 * as a tuple of extra arguments for @func (`()` for none), as PyGObject
 * does for every user data that is not last.
 *
 * Since: 1.0
 */
void
gaio_loop_run_in_executor_async (GaioLoop            *loop,
                                 GaioExecutor        *executor,
                                 GaioJobFunc          func,
                                 GVariant            *args,
                                 gpointer             job_data,
                                 GDestroyNotify       job_data_destroy,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GaioFuture) future = NULL;

  g_return_if_fail (GAIO_IS_LOOP (loop));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  future = gaio_loop_run_in_executor (loop, executor, func, args, job_data, job_data_destroy);
  g_return_if_fail (future != NULL);

  _gaio_future_bridge_async (future, loop, cancellable, callback, user_data,
                             gaio_loop_run_in_executor_async);
}

/**
 * gaio_loop_run_in_executor_finish:
 * @loop: a #GaioLoop
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Gaio.Loop.run_in_executor_async]: the job's result,
 * or its error, or %G_IO_ERROR_CANCELLED if it was cancelled.
 *
 * Returns: (transfer full) (nullable): a copy of the job's result, to free
 *   with `g_boxed_free (G_TYPE_VALUE, value)`, or %NULL with @error set
 *
 * Since: 1.0
 */
GValue *
gaio_loop_run_in_executor_finish (GaioLoop      *loop,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  return _gaio_future_bridge_finish_value (result, loop, gaio_loop_run_in_executor_async, error);
}

/**
 * gaio_loop_set_default_executor:
 * @loop: a #GaioLoop
 * @executor: a [class@Gaio.ThreadPoolExecutor]
 * @error: return location for a #GError
 *
 * Makes @executor the executor [method@Gaio.Loop.run_in_executor] uses
 * when given %NULL (asyncio's `set_default_executor`). As in Python 3.11,
 * only a thread pool executor is accepted; anything else fails with
 * %GAIO_ERROR_INVALID_ARGUMENT and changes nothing. The previous default
 * executor is released, not shut down.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
gaio_loop_set_default_executor (GaioLoop      *loop,
                                GaioExecutor  *executor,
                                GError       **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!GAIO_IS_THREAD_POOL_EXECUTOR (executor))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                           "executor must be ThreadPoolExecutor instance");
      return FALSE;
    }

  g_set_object (&_gaio_loop_get_default_executor (loop)->executor, executor);
  _gaio_loop_add_close_hook (loop, GAIO_LOOP_CLOSE_RELEASE,
                             shutdown_default_executor_at_close, NULL);
  return TRUE;
}

typedef struct
{
  GaioLoop     *loop;      /* (owned) */
  GaioExecutor *executor;  /* (owned) */
  GaioFuture   *future;    /* (owned) */
} ShutdownRequest;

static void
shutdown_request_free (gpointer data)
{
  ShutdownRequest *request = data;

  g_object_unref (request->loop);
  g_object_unref (request->executor);
  gaio_future_unref (request->future);
  g_free (request);
}

static gboolean
shutdown_done_on_loop (gpointer   user_data,
                       GError   **error)
{
  ShutdownRequest *request = user_data;

  if (!gaio_future_is_done (request->future))
    gaio_future_set_result_pointer (request->future, NULL, NULL, NULL);

  return TRUE;
}

/* asyncio runs executor.shutdown(wait=True) in a helper thread, so that
 * the loop goes on while the pool finishes its jobs. */
static gpointer
shutdown_thread (gpointer data)
{
  ShutdownRequest *request = data;
  GaioHandle *handle;

  gaio_executor_shutdown (request->executor, TRUE, FALSE);

  handle = _gaio_handle_new (shutdown_done_on_loop, request, shutdown_request_free);
  if (!_gaio_inbox_post_holding (_gaio_loop_get_inbox (request->loop), handle))
    {
      _gaio_handle_discard (handle);
      gaio_handle_unref (handle);
    }

  return NULL;
}

/**
 * gaio_loop_shutdown_default_executor:
 * @loop: a #GaioLoop
 *
 * Shuts the default executor down and waits for its jobs, without
 * blocking the loop (asyncio's `shutdown_default_executor`): the wait
 * happens in a helper thread, and the returned future finishes when it is
 * over. From then on, [method@Gaio.Loop.run_in_executor] with the default
 * executor fails with %GAIO_ERROR_EXECUTOR_SHUTDOWN.
 *
 * Returns: (transfer full): a future that finishes when the default
 *   executor has finished its jobs
 *
 * Since: 1.0
 */
GaioFuture *
gaio_loop_shutdown_default_executor (GaioLoop *loop)
{
  GaioLoopDefaultExecutor *state;
  GaioFuture *future;
  ShutdownRequest *request;
  GError *error = NULL;
  GThread *thread;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  state = _gaio_loop_get_default_executor (loop);
  future = gaio_future_new (loop);
  state->shutdown_called = TRUE;

  if (state->executor == NULL)
    {
      gaio_future_set_result_pointer (future, NULL, NULL, NULL);
      return future;
    }

  request = g_new0 (ShutdownRequest, 1);
  request->loop = g_object_ref (loop);
  request->executor = g_steal_pointer (&state->executor);
  request->future = gaio_future_ref (future);

  thread = g_thread_try_new ("gaio-shutdown", shutdown_thread, request, &error);
  if (thread == NULL)
    {
      shutdown_request_free (request);
      gaio_future_take_error (future, error, NULL);
      return future;
    }
  g_thread_unref (thread);

  return future;
}

void
_gaio_loop_shutdown_default_executor_sync (GaioLoop *loop)
{
  GaioLoopDefaultExecutor *state = _gaio_loop_get_default_executor (loop);
  g_autoptr(GaioExecutor) executor = g_steal_pointer (&state->executor);

  /* asyncio.run() awaits shutdown_default_executor(); nothing else runs
   * on the loop by then, so waiting in this thread is the same. */
  state->shutdown_called = TRUE;
  if (executor != NULL)
    gaio_executor_shutdown (executor, TRUE, FALSE);
}
