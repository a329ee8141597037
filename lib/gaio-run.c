/* gaio-run.c: asyncio.run()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The entry point of a program written with tasks: a fresh loop on a
 * fresh GMainContext, the main coroutine as a task, and asyncio.run()'s
 * cleanup (cancel what is left, report what failed while being
 * cancelled, shut the default executor down, close).
 *
 * It also holds gaio_run()'s SIGINT guard (asyncio.Runner._on_sigint):
 * Ctrl-C cancels the main task, through a handler of the loop's signal
 * table (gaio-signal.c) installed only where asyncio installs it.
 */

#include "config.h"

#include <signal.h>

#include "gaio-loop-private.h"
#include "gaio-run-private.h"
#include "gaio-signal-private.h"

#define SHUTDOWN_MESSAGE "unhandled exception during asyncio.run() shutdown"

struct _GaioSigintGuard
{
  GaioLoop   *loop;         /* (owned) */
  GaioFuture *main_future;  /* (owned) */
  gboolean    interrupted;
};

static gboolean
on_sigint (gpointer   user_data,
           GError   **error)
{
  GaioSigintGuard *guard = user_data;

  guard->interrupted = TRUE;
  /* The second Ctrl-C gets the default disposition: it terminates the
   * process, as asyncio's KeyboardInterrupt ends the program. */
  _gaio_signal_remove (guard->loop, SIGINT);
  if (!gaio_future_is_done (guard->main_future))
    gaio_future_cancel (guard->main_future, "Interrupted by SIGINT");

  return TRUE;
}

static gboolean
sigint_has_default_disposition (void)
{
  struct sigaction current;

  if (sigaction (SIGINT, NULL, &current) != 0)
    return FALSE;

  return !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_DFL;
}

GaioSigintGuard *
_gaio_sigint_guard_install (GaioLoop   *loop,
                            GaioFuture *main_future)
{
  GaioSigintGuard *guard;
  GaioCallback callback;
  gpointer user_data;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (main_future != NULL, NULL);

  if (!_gaio_signal_in_main_thread () || !sigint_has_default_disposition ())
    return NULL;

  if (_gaio_signal_get_handler (SIGINT, &callback, &user_data))
    return NULL;

  guard = g_new0 (GaioSigintGuard, 1);
  guard->loop = g_object_ref (loop);
  guard->main_future = gaio_future_ref (main_future);
  if (!_gaio_signal_add (loop, SIGINT, on_sigint, guard, NULL, NULL))
    {
      g_object_unref (guard->loop);
      gaio_future_unref (guard->main_future);
      g_free (guard);
      return NULL;
    }

  return guard;
}

gboolean
_gaio_sigint_guard_uninstall (GaioSigintGuard *guard)
{
  GaioCallback callback;
  gpointer user_data;
  gboolean ours, interrupted;

  g_return_val_if_fail (guard != NULL, FALSE);

  ours = _gaio_signal_get_handler (SIGINT, &callback, &user_data) &&
         callback == on_sigint && user_data == guard;

  if (ours)
    _gaio_signal_remove (guard->loop, SIGINT);

  interrupted = guard->interrupted;
  g_object_unref (guard->loop);
  gaio_future_unref (guard->main_future);
  g_free (guard);

  return interrupted;
}

/* asyncio.runners._cancel_all_tasks(). */
static void
cancel_all_tasks (GaioLoop *loop)
{
  g_autoptr(GPtrArray) tasks = gaio_all_tasks (loop);
  g_autoptr(GaioFuture) gathered = NULL;

  if (tasks->len == 0)
    return;

  for (guint i = 0; i < tasks->len; i++)
    gaio_future_cancel (g_ptr_array_index (tasks, i), NULL);

  gathered = gaio_gather ((GaioFuture * const *) tasks->pdata, tasks->len, TRUE);
  /* Only an escape error (a callback asking to leave) stops this early;
   * the tasks still pending are then destroyed by gaio_loop_close(). */
  gaio_loop_run_until_complete (loop, gathered, NULL, NULL);

  for (guint i = 0; i < tasks->len; i++)
    {
      GaioFuture *task = g_ptr_array_index (tasks, i);
      const GError *task_error;
      g_autoptr(GaioExceptionContext) context = NULL;

      if (gaio_future_get_state (task) != GAIO_FUTURE_FINISHED)
        continue;
      task_error = gaio_future_get_error (task, NULL);
      if (task_error == NULL)
        continue;

      /* A task that failed instead of ending cancelled (EH-12). */
      context = gaio_exception_context_new (SHUTDOWN_MESSAGE);
      gaio_exception_context_set_error (context, task_error);
      gaio_exception_context_set_task (context, task);
      gaio_loop_call_exception_handler (loop, context);
    }
}

/**
 * gaio_run_full: (skip)
 * @main: (transfer full): the coroutine to run
 * @flags: options
 * @result: (out caller-allocates) (optional): where to put the
 *   coroutine's result
 * @error: return location for a #GError
 *
 * asyncio's `run(main, debug=...)`: runs @main as a task on a new loop,
 * on a new #GMainContext made the thread-default one meanwhile, until it
 * is done. Then it cancels the tasks that are left and runs the loop
 * until they end, reporting through the loop's exception handler each
 * one that failed with another error than the cancellation (`unhandled
 * exception during asyncio.run() shutdown`); shuts the default executor
 * down, waiting for its jobs; and closes the loop.
 *
 * Run in the main thread with SIGINT at its default disposition, Ctrl-C
 * cancels the main task, as asyncio.run() does; the task may catch the
 * cancellation and clean up. If it ends cancelled, the run fails with
 * %GAIO_ERROR_INTERRUPTED (asyncio's `KeyboardInterrupt`). A second
 * Ctrl-C terminates the process.
 *
 * Fails with %GAIO_ERROR_RUNNING (closing @main unrun) when a loop is
 * already running in this thread, and otherwise with @main's error.
 *
 * Returns: %TRUE with @result set if @main succeeded
 *
 * Since: 1.0
 */
gboolean
gaio_run_full (GaioCoroutine  *main,
               GaioRunFlags    flags,
               GValue         *result,
               GError        **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GaioLoop) loop = NULL;
  g_autoptr(GaioTask) task = NULL;
  g_autoptr(GError) local_error = NULL;
  GaioSigintGuard *sigint_guard;
  gboolean ok;

  g_return_val_if_fail (GAIO_IS_COROUTINE (main), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gaio_get_running_loop () != NULL)
    {
      gaio_coroutine_close (main);
      g_object_unref (main);
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_RUNNING,
                           "gaio_run() cannot be called from a running event loop");
      return FALSE;
    }

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (context);
  if (flags & GAIO_RUN_FLAGS_DEBUG)
    gaio_loop_set_debug (loop, TRUE);
  else if (flags & GAIO_RUN_FLAGS_NO_DEBUG)
    gaio_loop_set_debug (loop, FALSE);

  task = gaio_loop_create_task (loop, main);

  /* asyncio.Runner: Ctrl-C cancels the main task, which may catch the
   * cancellation and clean up; the run then ends as interrupted. */
  sigint_guard = _gaio_sigint_guard_install (loop, GAIO_FUTURE (task));
  ok = gaio_loop_run_until_complete (loop, GAIO_FUTURE (task), result, &local_error);
  if (sigint_guard != NULL && _gaio_sigint_guard_uninstall (sigint_guard) && !ok &&
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&local_error);
      local_error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_INTERRUPTED,
                                         "Interrupted by SIGINT");
    }
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));

  cancel_all_tasks (loop);
  _gaio_loop_shutdown_default_executor_sync (loop);
  gaio_loop_close (loop, NULL);
  g_main_context_pop_thread_default (context);

  return ok;
}

/**
 * gaio_run: (skip)
 * @main: (transfer full): the coroutine to run
 * @result: (out caller-allocates) (optional): where to put the
 *   coroutine's result
 * @error: return location for a #GError
 *
 * asyncio's `run(main)`: [func@Gaio.run_full] with debug mode as the
 * environment variable `GAIO_DEBUG` says.
 *
 * |[<!-- language="C" -->
 * static gboolean
 * main_coroutine (gpointer user_data, GValue *result, GError **error)
 * {
 *   if (!gaio_await (gaio_sleep (1.0), NULL, error))
 *     return FALSE;
 *   g_print ("hello\n");
 *   return TRUE;
 * }
 *
 * int
 * main (void)
 * {
 *   g_autoptr(GError) error = NULL;
 *
 *   if (!gaio_run (GAIO_COROUTINE_NEW (main_coroutine, NULL, NULL), NULL, &error))
 *     g_printerr ("%s\n", error->message);
 *   return error != NULL;
 * }
 * ]|
 *
 * Returns: %TRUE with @result set if @main succeeded
 *
 * Since: 1.0
 */
gboolean
gaio_run (GaioCoroutine  *main,
          GValue         *result,
          GError        **error)
{
  return gaio_run_full (main, GAIO_RUN_FLAGS_NONE, result, error);
}
