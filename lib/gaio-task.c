/* gaio-task.c: a coroutine running on the loop, on its own stack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's Task drives a coroutine one step at a time from loop
 * callbacks: a step runs the coroutine until it awaits a pending future
 * or returns; the future's done callback runs the next step. Here the
 * coroutine is a C function on a fiber (gaio-fiber.c): a step resumes the
 * fiber, gaio_await() suspends it. The bookkeeping follows asyncio's
 * Task.__step and Task.cancel closely, so that cancellation behaves the
 * same:
 *
 *  - cancel() on a task that awaits cancels the awaited future; the task
 *    then wakes up and its gaio_await() returns that future's
 *    G_IO_ERROR_CANCELLED;
 *  - cancel() on a task that is not awaiting (scheduled to start or to
 *    resume, or running) sets must_cancel: the next resumption point
 *    (the pending gaio_await(), or the next one that suspends) returns
 *    G_IO_ERROR_CANCELLED instead;
 *  - the function's own G_IO_ERROR_CANCELLED, returned, makes the task
 *    cancelled; any other outcome finishes it.
 *
 * A task is a future in C: its structure begins with a GaioFuture, and
 * _gaio_task_class tells the future how a task cancels, prints and goes.
 * Tasks are C only (skipped for introspection): their functions run on a
 * fiber's stack, which a binding's interpreter cannot follow (Python's
 * frame stack is per thread and does not switch with the fiber).
 *
 * Ownership: the loop owns a reference while a step is scheduled, and
 * the awaited future's done callback owns one while the task awaits.
 * The future itself is owned by the gaio_await() frame on the task's
 * stack, so a task that awaits forever is a reference cycle. It ends when
 * the loop closes: every task still pending is reported (`Task was
 * destroyed but it is pending!`, where asyncio's garbage collector would
 * report it) and resumed with its awaits failing, so that its function
 * unwinds and frees what its frames hold.
 */

#include "config.h"

#include "gaio-coroutine-private.h"
#include "gaio-debug-private.h"
#include "gaio-fiber-private.h"
#include "gaio-future-private.h"
#include "gaio-log-private.h"
#include "gaio-loop-private.h"
#include "gaio-task-private.h"

#define DESTROYED_MESSAGE "Task was destroyed but it is pending!"

struct _GaioTask
{
  GaioFuture      parent_instance;   /* first: a task is a future */

  GaioLoop       *loop;              /* (unowned) the future owns it */
  GaioCoroutine  *coroutine;         /* (owned) */
  char           *name;              /* (owned) */

  GaioFiber      *fiber;             /* (owned) (nullable) from the first step to the last */
  gboolean        started;
  GList           link;              /* in the loop's queue of pending tasks */
  gboolean        registered;

  /* The future the task awaits (asyncio's _fut_waiter), owned by the
   * gaio_await() frame on the fiber. Set while suspended in gaio_await(),
   * and until the next step runs. */
  GaioFuture     *waiter;            /* (unowned) (nullable) */

  gboolean        must_cancel;
  char           *cancel_message;    /* (owned) (nullable) */
  guint           n_cancel_requests;

  /* The loop closed with the task pending: every await fails at once. */
  gboolean        destroying;
  gboolean        destroy_reported;

  /* The function's outcome, handed from the fiber to the step. */
  gboolean        body_ok;
  GValue          body_result;
  GError         *body_error;        /* (owned) (nullable) */
};

/**
 * GaioTask: (skip)
 *
 * asyncio's `Task`: a #GaioCoroutine running on the loop, and
 * the [struct@Gaio.Future] of its result. A task is a future: GAIO_FUTURE()
 * casts it, and its reference is the future's
 * ([method@Gaio.Future.ref], `g_autoptr(GaioTask)`); GAIO_TASK() casts
 * back, with a check.
 *
 * Create one with gaio_loop_create_task(). The coroutine's
 * function runs on its own stack, switched in user space, so
 * gaio_await() anywhere in its call chain suspends the task (not
 * the thread) until the awaited future is done; meanwhile the loop runs
 * other callbacks and tasks. Each stretch of the function between two
 * awaits is a "step" that runs as a loop callback, on the loop's thread.
 *
 * Cancelling a task ([method@Gaio.Future.cancel]) makes the await it is
 * suspended in, or its next one, fail with %G_IO_ERROR_CANCELLED. The
 * function may return that error (the task becomes cancelled) or handle
 * it and go on, as Python code may catch `CancelledError`.
 *
 * A task's result is what its function returns: setting it with
 * [method@Gaio.Future.set_result] or [method@Gaio.Future.set_error]
 * fails with %GAIO_ERROR_INVALID_STATE. A task that failed and whose
 * error nobody retrieved is reported as `Task exception was never
 * retrieved`.
 *
 * Tasks are used from the loop's thread. They are C only, as are
 * coroutines and gaio_await(): a task's function runs on a stack of
 * its own, and the interpreter of a binding (Python, JavaScript) cannot
 * run there. Bindings use their own coroutines, and meet libgaio's
 * futures through [method@Gaio.Future.wait_async].
 *
 * Since: 1.0
 */

static gboolean gaio_task_cancel    (GaioFuture *future,
                                     const char *message);
static char    *gaio_task_to_string (GaioFuture *future);
static void     gaio_task_dispose   (GaioFuture *future);
static void     gaio_task_finalize  (GaioFuture *future);

static const GaioFutureClass task_class = {
  .kind = "Task",
  .is_task = TRUE,
  .cancel = gaio_task_cancel,
  .to_string = gaio_task_to_string,
  .dispose = gaio_task_dispose,
  .finalize = gaio_task_finalize,
};

/* asyncio's _task_name_counter: one sequence for the whole process. */
static gint task_counter;  /* (atomic) */

static void task_step (GaioTask *task);

static void
unregister (GaioTask *task)
{
  if (!task->registered)
    return;

  task->registered = FALSE;
  g_queue_unlink (_gaio_loop_get_tasks (task->loop), &task->link);
}

/* The task running on this fiber, or NULL when the caller is not in a
 * task. */
static GaioTask *
fiber_task (void)
{
  GaioFiber *fiber = _gaio_fiber_get_current ();

  if (fiber == NULL)
    return NULL;

  return _gaio_fiber_get_user_data (fiber);
}

/**
 * gaio_future_is_task: (skip)
 * @future: (nullable): a #GaioFuture
 *
 * Whether @future is a [struct@Gaio.Task].
 *
 * Returns: %TRUE if @future is a task
 *
 * Since: 1.0
 */
gboolean
gaio_future_is_task (GaioFuture *future)
{
  return future != NULL && future->klass == &task_class;
}

/**
 * gaio_task_from_future: (skip)
 * @future: a #GaioFuture that is a task
 *
 * Casts @future to the task it is: GAIO_TASK() calls this.
 *
 * Returns: (transfer none) (nullable): the task, or %NULL with a
 *   critical if @future is not a task
 *
 * Since: 1.0
 */
GaioTask *
gaio_task_from_future (GaioFuture *future)
{
  g_return_val_if_fail (gaio_future_is_task (future), NULL);

  return (GaioTask *) future;
}

/* Resumes the task's fiber, with the task as the loop's current task and
 * its creation traceback as the origin of what the fiber captures. */
static void
resume (GaioTask *task)
{
  GaioTask *previous = _gaio_loop_swap_current_task (task->loop, task);
  GaioTraceback *origin = GAIO_FUTURE (task)->traceback;
  GaioTraceback *previous_origin = NULL;

  if (G_UNLIKELY (origin != NULL))
    previous_origin = _gaio_traceback_swap_origin (origin);
  _gaio_fiber_resume (task->fiber);
  if (G_UNLIKELY (origin != NULL))
    _gaio_traceback_swap_origin (previous_origin);
  _gaio_loop_swap_current_task (task->loop, previous);
}

static void
cancel_future (GaioTask   *task,
               const char *message)
{
  _gaio_future_real_cancel (GAIO_FUTURE (task), message);
}

static void
report_destroyed_pending (GaioTask *task)
{
  g_autoptr(GaioExceptionContext) context = NULL;
  GaioTraceback *traceback;

  if (task->destroy_reported)
    return;
  task->destroy_reported = TRUE;

  context = gaio_exception_context_new (DESTROYED_MESSAGE);
  gaio_exception_context_set_task (context, GAIO_FUTURE (task));
  traceback = GAIO_FUTURE (task)->traceback;
  if (traceback != NULL)
    {
      g_auto(GStrv) frames = _gaio_traceback_format (traceback);

      gaio_exception_context_set_source_traceback (context, (const char * const *) frames);
    }
  gaio_loop_call_exception_handler (task->loop, context);
}

/* Resumes a task whose loop is gone so that its function returns: its
 * awaits fail from now on (asyncio closes such a coroutine, raising
 * GeneratorExit at its await). */
static void
destroy (GaioTask *task)
{
  gaio_future_ref (GAIO_FUTURE (task));

  report_destroyed_pending (task);
  task->destroying = TRUE;
  unregister (task);

  if (task->started && task->fiber != NULL)
    {
      GaioLoop *previous_loop = _gaio_loop_dispatch_begin (task->loop);

      /* A function that ignores the failed await and tries again gets
       * the same failure without suspending, so this ends. */
      while (!_gaio_fiber_is_finished (task->fiber))
        resume (task);

      _gaio_loop_dispatch_end (task->loop, previous_loop);

      g_clear_pointer (&task->fiber, _gaio_fiber_free);
      if (G_IS_VALUE (&task->body_result))
        g_value_unset (&task->body_result);
      g_clear_error (&task->body_error);
    }

  /* An unstarted coroutine stays unstarted: it will warn that it was
   * never awaited, as Python's does when its task is collected. */
  if (!gaio_future_is_done (GAIO_FUTURE (task)))
    cancel_future (task, DESTROYED_MESSAGE);

  gaio_future_unref (GAIO_FUTURE (task));
}

void
_gaio_task_destroy_pending (GaioLoop *loop)
{
  GQueue *tasks = _gaio_loop_get_tasks (loop);

  while (!g_queue_is_empty (tasks))
    destroy (g_queue_peek_head (tasks));
}

static void
gaio_task_dispose (GaioFuture *future)
{
  GaioTask *task = (GaioTask *) future;

  /* The last reference to a pending task went (asyncio's __del__ with
   * _log_destroy_pending): normally its step handle, dropped by a
   * closing loop before the task ever ran. */
  if (!gaio_future_is_done (future))
    destroy (task);
  unregister (task);
}

static void
gaio_task_finalize (GaioFuture *future)
{
  GaioTask *task = (GaioTask *) future;

  g_assert (task->fiber == NULL || !_gaio_fiber_is_started (task->fiber) ||
            _gaio_fiber_is_finished (task->fiber));

  g_clear_pointer (&task->fiber, _gaio_fiber_free);
  g_clear_object (&task->coroutine);
  g_free (task->name);
  g_free (task->cancel_message);
  if (G_IS_VALUE (&task->body_result))
    g_value_unset (&task->body_result);
  g_clear_error (&task->body_error);
}

static gboolean
gaio_task_cancel (GaioFuture *future,
                  const char *message)
{
  GaioTask *task = (GaioTask *) future;

  /* asyncio: cancel() always stops "exception was never retrieved". */
  _gaio_future_mark_retrieved (future);

  if (gaio_future_is_done (future))
    return FALSE;

  task->n_cancel_requests++;

  /* The waiter may be a task that handles its cancellation and goes
   * on; then this task goes on too, as in asyncio. */
  if (task->waiter != NULL && gaio_future_cancel (task->waiter, message))
    return TRUE;

  /* Not awaiting: the next resumption point fails instead. */
  task->must_cancel = TRUE;
  g_free (task->cancel_message);
  task->cancel_message = g_strdup (message);

  return TRUE;
}

static char *
gaio_task_to_string (GaioFuture *future)
{
  GaioTask *task = (GaioTask *) future;
  g_autofree char *coroutine = gaio_coroutine_to_string (task->coroutine);
  GString *text = g_string_new ("<Task ");

  /* asyncio 3.11 shows a pending task with cancellation requests as
   * `cancelling` (base_tasks._task_repr_info). */
  if (task->n_cancel_requests > 0 && !gaio_future_is_done (future))
    g_string_append (text, "cancelling");
  else
    _gaio_future_describe_state (future, text);
  g_string_append_printf (text, " name='%s' coro=%s", task->name, coroutine);
  _gaio_future_describe_outcome (future, text);
  if (task->waiter != NULL)
    {
      g_autofree char *waiter = gaio_future_to_string (task->waiter);

      g_string_append_printf (text, " wait_for=%s", waiter);
    }
  _gaio_future_describe_tail (future, text);
  g_string_append_c (text, '>');

  return g_string_free (text, FALSE);
}

static gboolean
first_step (gpointer   user_data,
            GError   **error)
{
  task_step (user_data);
  return TRUE;
}

static void
wakeup (GaioFuture *future,
        gpointer    user_data)
{
  task_step (user_data);
}

GaioTask *
_gaio_task_new (GaioLoop      *loop,
                GaioCoroutine *coroutine,
                gboolean       thread_ok)
{
  GaioTask *task = g_new0 (GaioTask, 1);

  _gaio_future_init (GAIO_FUTURE (task), &task_class, loop);
  task->link.data = task;
  _gaio_future_seal (GAIO_FUTURE (task));
  task->loop = loop;
  task->coroutine = coroutine;
  task->name = g_strdup_printf ("Task-%d", g_atomic_int_add (&task_counter, 1) + 1);

  if (!thread_ok || gaio_loop_is_closed (loop))
    {
      gaio_coroutine_close (coroutine);
      _gaio_future_complete_error (GAIO_FUTURE (task),
                                   thread_ok
                                   ? g_error_new_literal (GAIO_ERROR, GAIO_ERROR_CLOSED,
                                                          "Event loop is closed")
                                   : g_error_new_literal (GAIO_ERROR, GAIO_ERROR_WRONG_THREAD,
                                                          "gaio_loop_create_task: Non-thread-safe "
                                                          "operation invoked on an event loop "
                                                          "other than the current one"));
      return task;
    }

  g_queue_push_tail_link (_gaio_loop_get_tasks (loop), &task->link);
  task->registered = TRUE;

  _gaio_loop_schedule (loop, first_step, gaio_future_ref (GAIO_FUTURE (task)),
                       (GDestroyNotify) gaio_future_unref, "GaioTask.step",
                       gaio_future_ref (GAIO_FUTURE (task)));

  return task;
}

static void
fiber_main (gpointer user_data)
{
  GaioTask *task = user_data;

  task->body_ok = _gaio_coroutine_run (task->coroutine, &task->body_result, &task->body_error);
}

/* The function returned: the task takes its outcome (asyncio's
 * __step after StopIteration or an exception). */
static void
complete (GaioTask *task)
{
  GaioFuture *future = GAIO_FUTURE (task);

  unregister (task);

  if (!task->body_ok)
    {
      GError *error = g_steal_pointer (&task->body_error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          cancel_future (task, error->message);
          g_error_free (error);
        }
      else
        _gaio_future_complete_error (future, error);
      return;
    }

  if (task->must_cancel)
    {
      task->must_cancel = FALSE;
      if (G_IS_VALUE (&task->body_result))
        g_value_unset (&task->body_result);
      cancel_future (task, task->cancel_message);
      return;
    }

  _gaio_future_complete_value (future, &task->body_result);
}

/* One step: resume the function until it awaits something pending or
 * returns. Runs as a loop callback, on the loop's own stack, from a
 * handle that holds a reference on the task (the first step's closure,
 * the task a wakeup's handle names): the task outlives the step without one of
 * its own. */
static void
task_step (GaioTask *task)
{
  if (GAIO_FUTURE (task)->state != GAIO_FUTURE_PENDING)
    return;

  if (!task->started)
    {
      task->started = TRUE;

      /* Cancelled before it started: asyncio throws CancelledError into
       * the coroutine, which ends it before its first line. */
      if (task->must_cancel)
        {
          task->must_cancel = FALSE;
          unregister (task);
          gaio_coroutine_close (task->coroutine);
          cancel_future (task, task->cancel_message);
          return;
        }

      task->fiber = _gaio_fiber_new (fiber_main, task, 0);
    }

  resume (task);

  if (_gaio_fiber_is_finished (task->fiber))
    {
      g_clear_pointer (&task->fiber, _gaio_fiber_free);
      complete (task);
    }
}

/* A reference on @task for the wakeup of the await about to suspend
 * it. The handle running this step holds one until the step is over
 * (wakeup(), first_step()): take that one over rather than add another.
 * The task stays alive to the end of the step all the same: the wakeup
 * entry sits in the awaited future, which the suspended gaio_await()
 * frame holds; completing the future only moves the reference to the
 * wakeup's handle, and a loop cannot be closed while it runs a step. */
static GaioFuture *
step_ref (GaioTask *task)
{
  GaioFuture *future = GAIO_FUTURE (task);

  if (_gaio_loop_steal_step_ref (task->loop, future))
    return future;

  return gaio_future_ref (future);
}

/* gaio_await() in @task (NULL outside one) without the argument checks
 * and the reference it takes. */
static gboolean
await_future (GaioTask    *task,
              GaioFuture  *future,
              GValue      *result,
              GError     **error)
{
  if (task == NULL)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                           "gaio_await() was called outside of a task: only a task's "
                           "coroutine can be suspended");
      return FALSE;
    }
  if (future == GAIO_FUTURE (task))
    {
      g_autofree char *repr = gaio_future_to_string (future);

      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                   "Task cannot await on itself: %s", repr);
      return FALSE;
    }
  if (future->loop != task->loop)
    {
      g_autofree char *task_repr = gaio_future_to_string (GAIO_FUTURE (task));
      g_autofree char *future_repr = gaio_future_to_string (future);

      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                   "Task %s got Future %s attached to a different loop", task_repr, future_repr);
      return FALSE;
    }

  if (future->state == GAIO_FUTURE_PENDING)
    {
      if (task->destroying)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, DESTROYED_MESSAGE);
          return FALSE;
        }

      /* A callback the loop runs on this fiber, as an exception handler
       * from a binding may be, must return before the task switches:
       * an interpreter's frames cannot stay on a suspended fiber. */
      if (_gaio_loop_in_handler (task->loop))
        {
          g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                               "gaio_await() cannot suspend a task from inside the exception "
                               "handler it called: handle the error without waiting, or "
                               "schedule the waiting with gaio_loop_create_task()");
          return FALSE;
        }

      task->waiter = future;
      _gaio_future_add_task_callback (future, wakeup, step_ref (task));

      /* Cancelled while running: the first thing it waits for is
       * cancelled at once (asyncio's __step). */
      if (task->must_cancel && gaio_future_cancel (future, task->cancel_message))
        task->must_cancel = FALSE;

      /* The task runs on its fiber, the current one (fiber_task()). */
      _gaio_fiber_suspend_running (task->fiber);

      /* Maybe on another thread than before the switch, if the loop
       * moved, but the same task: this fiber is its own. */
      task->waiter = NULL;

      if (task->destroying)
        {
          if (!gaio_future_is_done (future))
            gaio_future_remove_done_callback (future, wakeup, task);
          _gaio_future_mark_retrieved (future);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, DESTROYED_MESSAGE);
          return FALSE;
        }

      /* Cancelled after the future was done but before this step ran:
       * the cancellation wins over the result (asyncio throws
       * CancelledError into the coroutine). A future that was itself
       * cancelled, by the first of several cancel() calls, delivers its
       * own error: the first message, as asyncio's __step keeps the
       * CancelledError it is woken with (CN-04). */
      if (task->must_cancel)
        {
          task->must_cancel = FALSE;
          if (future->state == GAIO_FUTURE_CANCELLED)
            return _gaio_future_get_result (future, result, error);
          _gaio_future_mark_retrieved (future);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               task->cancel_message != NULL ? task->cancel_message
                                                            : "Task was cancelled");
          return FALSE;
        }
    }
  else
    {
      /* Done before it was awaited, and maybe not resumed yet (a
       * primitive's wait woken in this iteration): what asyncio runs
       * after `await fut` inside the primitive runs before this task
       * goes on, as it would have in the primitive's coroutine. */
      _gaio_future_resume_now (future);
    }

  return _gaio_future_get_result (future, result, error);
}

/**
 * gaio_await: (skip)
 * @future: (transfer full): the future to wait for
 * @result: (out caller-allocates) (optional): where to copy the result
 * @error: return location for a #GError
 *
 * Waits for @future inside a task: asyncio's `await future`. If @future
 * is pending, the calling task is suspended (its stack and every frame on
 * it stay as they are) and the loop goes on with other work; the task
 * resumes when @future is done, on the loop's thread. A future that is
 * already done is not waited for.
 *
 * Takes @future, so that a call that returns a new future can be awaited
 * in one line: `gaio_await (gaio_sleep (1.0), NULL, &error)`. To await a
 * future you keep, pass gaio_future_ref (future).
 *
 * If the task is cancelled while it waits (or was cancelled before),
 * this fails with %G_IO_ERROR_CANCELLED. The task may return that error
 * to end cancelled, or go on.
 *
 * Outside a task there is nothing to suspend: this fails with
 * %GAIO_ERROR_INVALID_STATE, without blocking. Awaiting a future of
 * another loop fails with %GAIO_ERROR_INVALID_ARGUMENT, and a task
 * awaiting itself with %GAIO_ERROR_INVALID_STATE.
 *
 * Returns: %TRUE with @result set if @future finished with a result;
 *   %FALSE with @error set to its error, or to why it could not be awaited
 *
 * Since: 1.0
 */
gboolean
gaio_await (GaioFuture  *future,
            GValue      *result,
            GError     **error)
{
  GaioTask *task;
  gboolean ok;

  g_return_val_if_fail (future != NULL, FALSE);
  if (error != NULL && *error != NULL)
    {
      /* g_return_val_if_fail()'s critical, without leaking the future
       * the caller handed over. */
      g_return_if_fail_warning (G_LOG_DOMAIN, G_STRFUNC, "error == NULL || *error == NULL");
      gaio_future_unref (future);
      return FALSE;
    }

  task = fiber_task ();
  ok = await_future (task, future, result, error);

  /* Often the last reference: the caller handed over its own, and the
   * done callback that woke the task has let go of its (or shares it,
   * and lets go after this). */
  _gaio_future_release_awaited (future, (GaioFuture *) task);

  return ok;
}

/**
 * gaio_await_coroutine: (skip)
 * @coroutine: (transfer full): the coroutine to run
 * @result: (out caller-allocates) (optional): where to put its result
 * @error: return location for a #GError
 *
 * Runs @coroutine in the current task, on its stack, and returns its
 * outcome: asyncio's `await coro()`. No task is created; the
 * coroutine's awaits suspend the current task.
 *
 * Outside a task this fails with %GAIO_ERROR_INVALID_STATE (and closes
 * @coroutine); a coroutine that already ran fails with
 * %GAIO_ERROR_INVALID_STATE (`cannot reuse already awaited coroutine`).
 *
 * Returns: %TRUE with @result set on success; %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gaio_await_coroutine (GaioCoroutine  *coroutine,
                      GValue         *result,
                      GError        **error)
{
  g_autoptr(GaioCoroutine) owned = coroutine;
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (GAIO_IS_COROUTINE (coroutine), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (fiber_task () == NULL)
    {
      gaio_coroutine_close (coroutine);
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                   "gaio_await_coroutine(%s) was called outside of a task",
                   gaio_coroutine_get_name (coroutine));
      return FALSE;
    }
  if (gaio_coroutine_is_started (coroutine))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                           "cannot reuse already awaited coroutine");
      return FALSE;
    }

  if (!_gaio_coroutine_run (coroutine, &value, error))
    return FALSE;

  if (result != NULL)
    {
      *result = value;
      memset (&value, 0, sizeof value);
    }

  return TRUE;
}

/**
 * gaio_current_task: (skip)
 *
 * The task whose step runs now on the loop running in this thread
 * (asyncio's `current_task()`): the task calling this, or the task on
 * whose behalf an exception handler runs.
 *
 * Returns: (transfer none) (nullable): the task, or %NULL outside tasks
 *
 * Since: 1.0
 */
GaioTask *
gaio_current_task (void)
{
  GaioLoop *loop = gaio_get_running_loop ();

  return loop != NULL ? _gaio_loop_get_current_task (loop) : NULL;
}

/**
 * gaio_all_tasks: (skip)
 * @loop: a #GaioLoop
 *
 * The tasks of @loop that are not done, in the order they were created
 * (asyncio's `all_tasks(loop)`). Loop thread only.
 *
 * Returns: (transfer container) (element-type GaioTask): the tasks, each
 *   with a reference the array releases
 *
 * Since: 1.0
 */
GPtrArray *
gaio_all_tasks (GaioLoop *loop)
{
  GPtrArray *tasks;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  for (GList *link = _gaio_loop_get_tasks (loop)->head; link != NULL; link = link->next)
    if (!gaio_future_is_done (link->data))
      g_ptr_array_add (tasks, gaio_future_ref (link->data));

  return tasks;
}

/**
 * gaio_task_get_name: (skip)
 * @task: a #GaioTask
 *
 * Gets the task's name: `Task-N` by default, N counting the tasks created
 * in the process.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
gaio_task_get_name (GaioTask *task)
{
  g_return_val_if_fail (GAIO_IS_TASK (task), NULL);

  return task->name;
}

/**
 * gaio_task_set_name: (skip)
 * @task: a #GaioTask
 * @name: the new name
 *
 * Renames the task (asyncio's `set_name`).
 *
 * Since: 1.0
 */
void
gaio_task_set_name (GaioTask   *task,
                    const char *name)
{
  g_return_if_fail (GAIO_IS_TASK (task));
  g_return_if_fail (name != NULL);

  g_free (task->name);
  task->name = g_strdup (name);
}

/**
 * gaio_task_get_coroutine: (skip)
 * @task: a #GaioTask
 *
 * Gets the coroutine the task runs (asyncio's `get_coro`).
 *
 * Returns: (transfer none): the coroutine
 *
 * Since: 1.0
 */
GaioCoroutine *
gaio_task_get_coroutine (GaioTask *task)
{
  g_return_val_if_fail (GAIO_IS_TASK (task), NULL);

  return task->coroutine;
}

/**
 * gaio_task_cancelling: (skip)
 * @task: a #GaioTask
 *
 * The number of cancellation requests not withdrawn with
 * gaio_task_uncancel() (asyncio 3.11's `cancelling`).
 *
 * Returns: the count
 *
 * Since: 1.0
 */
guint
gaio_task_cancelling (GaioTask *task)
{
  g_return_val_if_fail (GAIO_IS_TASK (task), 0);

  return task->n_cancel_requests;
}

/**
 * gaio_task_uncancel: (skip)
 * @task: a #GaioTask
 *
 * Withdraws one cancellation request (asyncio 3.11's `uncancel`), for
 * code that turns a cancellation it caused into another outcome, as a
 * timeout does.
 *
 * Returns: the remaining count
 *
 * Since: 1.0
 */
guint
gaio_task_uncancel (GaioTask *task)
{
  g_return_val_if_fail (GAIO_IS_TASK (task), 0);

  if (task->n_cancel_requests > 0)
    task->n_cancel_requests--;

  return task->n_cancel_requests;
}
