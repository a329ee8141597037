/* gaio-loop-task.c: the loop's task methods
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's create_task() and run_until_complete(): the methods of
 * GaioLoop that run coroutines, kept apart from gaio-loop.c as
 * gaio-loop-unix.c is. The task itself is gaio-task.c; the loop keeps
 * the queue of its pending tasks and the one whose step runs
 * (gaio-loop-private.h).
 *
 * The first task of a loop adds the close hook that reports and unwinds
 * the tasks still pending when the loop closes: their stacks hold
 * references that would otherwise never be released.
 *
 * Loop thread only.
 */

#include "config.h"

#include "gaio-debug-private.h"

#include "gaio-loop-private.h"
#include "gaio-task-private.h"

/* A close hook: a task still pending when the loop closes is reported
 * and unwound. */
static void
destroy_pending_tasks (GaioLoop *loop,
                       gpointer  data)
{
  _gaio_task_destroy_pending (loop);
}

/**
 * gaio_loop_create_task: (skip)
 * @loop: a #GaioLoop
 * @coroutine: (transfer full): the coroutine to run
 *
 * Wraps @coroutine in a #GaioTask and schedules its first step
 * (asyncio's `create_task`): the coroutine's function starts on its own
 * stack in the next iteration of the loop, and runs until it awaits or
 * returns. The task is named `Task-N` (see gaio_task_set_name()).
 *
 * The loop keeps the task alive until it is done: the returned reference
 * may be dropped at once. A task still pending when the loop is closed is
 * reported as `Task was destroyed but it is pending!` and unwound: its
 * awaits fail with %G_IO_ERROR_CANCELLED so that its function returns.
 *
 * Loop thread only. On a closed loop (or, in debug mode, from another
 * thread) the task is returned already failed with %GAIO_ERROR_CLOSED
 * (%GAIO_ERROR_WRONG_THREAD) and the coroutine is closed without running.
 *
 * Returns: (transfer full): the task
 *
 * Since: 1.0
 */
GaioTask *
gaio_loop_create_task (GaioLoop      *loop,
                       GaioCoroutine *coroutine)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (GAIO_IS_COROUTINE (coroutine), NULL);

  _gaio_loop_add_close_hook (loop, GAIO_LOOP_CLOSE_UNWIND, destroy_pending_tasks, NULL);

  return _gaio_task_new (loop, coroutine,
                         _gaio_loop_check_thread (loop, "gaio_loop_create_task"));
}

static void
stop_when_done (GaioFuture *future,
                gpointer    user_data)
{
  gaio_loop_stop (GAIO_LOOP (user_data));
}

/**
 * gaio_loop_run_until_complete:
 * @loop: a #GaioLoop
 * @future: a future of @loop
 * @result: (out caller-allocates) (optional): where to copy the result
 * @error: return location for a #GError
 *
 * Runs the loop until @future is done, then returns its result (asyncio's
 * `run_until_complete`). The errors of [method@Gaio.Loop.run_forever]
 * apply, plus %GAIO_ERROR_INVALID_ARGUMENT if @future belongs to another
 * loop, %GAIO_ERROR_STOPPED_EARLY if the loop was stopped before @future
 * completed, and the future's own error.
 *
 * Bindings see [method@Gaio.Loop.run_until_complete_dup_result] under
 * this name: it returns the result instead of filling in a #GValue the
 * caller allocated, which PyGObject 3.42 and GJS 1.74 cannot use safely.
 *
 * Returns: %TRUE with @result set if @future finished with a result
 *
 * Since: 1.0
 */
gboolean
gaio_loop_run_until_complete (GaioLoop    *loop,
                              GaioFuture  *future,
                              GValue      *result,
                              GError     **error)
{
  gboolean ran;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gaio_future_get_loop (future) != loop)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                           "The future belongs to a different loop than the one "
                           "specified as the loop argument");
      return FALSE;
    }

  /* Checked before the done callback goes on: on a done future it is
   * scheduled at once, and a refused run must leave nothing behind. */
  if (!_gaio_loop_check_can_run (loop, error))
    return FALSE;

  /* Even for a future already done, asyncio runs the loop: its done
   * callbacks (ours among them) run in the first iteration. */
  gaio_future_ref (future);
  GAIO_DEBUG_NAME (stop_when_done, "_run_until_complete_cb");
  gaio_future_add_done_callback (future, stop_when_done, loop, NULL);
  ran = gaio_loop_run_forever (loop, error);
  gaio_future_remove_done_callback (future, stop_when_done, loop);

  if (!ran)
    {
      gaio_future_unref (future);
      return FALSE;
    }
  if (!gaio_future_is_done (future))
    {
      gaio_future_unref (future);
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_STOPPED_EARLY,
                           "Event loop stopped before Future completed.");
      return FALSE;
    }

  ran = gaio_future_get_result (future, result, error);
  gaio_future_unref (future);

  return ran;
}

/**
 * gaio_loop_run_until_complete_dup_result: (rename-to gaio_loop_run_until_complete)
 * @loop: a #GaioLoop
 * @future: a future of @loop
 * @error: return location for a #GError
 *
 * [method@Gaio.Loop.run_until_complete] returning a copy of the result:
 * the form bindings see as `run_until_complete`. The copy owns what it
 * holds (a reference on an object, a boxed value or a #GVariant, its own
 * string), so it stays valid after @future is freed, even when @future
 * was a temporary, as in `loop.run_until_complete (loop.run_in_executor
 * (None, func))`. As with [method@Gaio.Future.dup_result], the result
 * of [func@Gaio.gather] and [func@Gaio.wait] comes back as %NULL: read
 * it with [method@Gaio.Future.dup_result_futures].
 *
 * Returns: (transfer full) (nullable): a copy of the result, to free with
 *   `g_boxed_free (G_TYPE_VALUE, value)`, or %NULL with @error set
 *
 * Since: 1.0
 */
GValue *
gaio_loop_run_until_complete_dup_result (GaioLoop    *loop,
                                         GaioFuture  *future,
                                         GError     **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The caller's reference keeps @future alive across both calls. */
  if (!gaio_loop_run_until_complete (loop, future, NULL, error))
    return NULL;

  return gaio_future_dup_result (future, error);
}
