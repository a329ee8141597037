/* gaio-task-group.c: tasks that end together
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio 3.11's TaskGroup as an enter/exit pair around a stretch of the
 * parent task's function. The rules, as asyncio's:
 *
 *  - exit waits until every task of the group is done;
 *  - the first task to fail (with anything but a cancellation) aborts the
 *    group: the other tasks are cancelled, and so is the parent, once, so
 *    that whatever it awaits inside the group stops too. Exit takes that
 *    cancellation back (gaio_task_uncancel()), so it never leaks out of
 *    the group unless someone else cancelled the parent as well;
 *  - the parent cancelled while it waits in exit cancels the tasks, and
 *    exit then fails with the cancellation, unless tasks failed;
 *  - the errors of the tasks (and the body's own, other than a
 *    cancellation) come out as one GAIO_ERROR_GROUP error whose message
 *    lists them, each one kept as it was for gaio_task_group_get_errors();
 *    an escape error (GAIO_ERROR_ESCAPE, asyncio's SystemExit and
 *    KeyboardInterrupt) comes out as itself.
 *
 * Ownership: the group holds its tasks until they are done, and each
 * task's done callback holds the group. Loop thread only.
 */

#include "config.h"

#include "gaio-debug-private.h"

#include "gaio.h"

struct _GaioTaskGroup
{
  gint        ref_count;               /* (atomic) */

  gboolean    entered;
  gboolean    exiting;
  gboolean    aborting;
  gboolean    parent_cancel_requested;

  GaioLoop   *loop;                    /* (owned) (nullable) from enter */
  GaioTask   *parent;                  /* (owned) (nullable) from enter */
  /* The tasks not done yet, a set as asyncio's: a task leaves it in its
   * done callback, in constant time whatever the group's size. */
  GHashTable *tasks;                   /* (owned) GaioTask -> itself, owning one reference */
  GPtrArray  *errors;                  /* (owned) (element-type GError) */
  GError     *base_error;              /* (owned) (nullable) the first escape error */
  GaioFuture *on_completed;            /* (owned) (nullable) what exit awaits */
};

/**
 * GaioTaskGroup: (skip)
 *
 * asyncio's `TaskGroup`: tasks created in the group end together. Enter
 * it in a task with gaio_task_group_enter() where Python writes `async
 * with TaskGroup() as group:`, create tasks with
 * gaio_task_group_create_task(), and leave it with
 * gaio_task_group_exit(), passing the error the stretch of code in
 * between ends with. Exit waits for every task:
 *
 * |[<!-- language="C" -->
 * g_autoptr(GaioTaskGroup) group = gaio_task_group_new ();
 * g_autoptr(GError) local_error = NULL;
 *
 * if (!gaio_task_group_enter (group, error))
 *   return FALSE;
 * for (guint i = 0; i < n_urls; i++)
 *   {
 *     GaioTask *task = gaio_task_group_create_task (group, fetch (urls[i]), &local_error);
 *
 *     if (task == NULL)
 *       break;
 *     gaio_task_unref (task);
 *   }
 * if (!gaio_task_group_exit (group, &local_error))
 *   {
 *     // GAIO_ERROR_GROUP: gaio_task_group_get_errors() has each error
 *     g_propagate_error (error, g_steal_pointer (&local_error));
 *     return FALSE;
 *   }
 * ]|
 *
 * The first task to fail cancels the others and the parent's current
 * await; exit then fails with %GAIO_ERROR_GROUP, whose message lists
 * every error, and gaio_task_group_get_errors() returns each one as it
 * was. Cancelling the parent cancels the tasks too. A group that was left
 * refuses new tasks.
 *
 * C only, as tasks are. Loop thread only.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (GaioTaskGroup, gaio_task_group, gaio_task_group_ref, gaio_task_group_unref)

/**
 * gaio_task_group_new: (skip)
 *
 * Creates a task group, not entered yet.
 *
 * Returns: (transfer full): the group
 *
 * Since: 1.0
 */
GaioTaskGroup *
gaio_task_group_new (void)
{
  GaioTaskGroup *group = g_new0 (GaioTaskGroup, 1);

  group->ref_count = 1;
  group->tasks = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) gaio_future_unref, NULL);
  group->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  return group;
}

/**
 * gaio_task_group_ref: (skip)
 * @group: a #GaioTaskGroup
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @group
 *
 * Since: 1.0
 */
GaioTaskGroup *
gaio_task_group_ref (GaioTaskGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);

  g_atomic_int_inc (&group->ref_count);

  return group;
}

/**
 * gaio_task_group_unref: (skip)
 * @group: (transfer full): a #GaioTaskGroup
 *
 * Drops a reference. Tasks still running hold the group until they are
 * done.
 *
 * Since: 1.0
 */
void
gaio_task_group_unref (GaioTaskGroup *group)
{
  g_return_if_fail (group != NULL);

  if (!g_atomic_int_dec_and_test (&group->ref_count))
    return;

  /* Tasks are left in the set only when their loop closed before they
   * were done (their done callbacks, which hold the group, were dropped
   * unrun): the set's references go with it. */
  g_hash_table_unref (group->tasks);
  g_ptr_array_unref (group->errors);
  g_clear_error (&group->base_error);
  g_clear_pointer (&group->on_completed, gaio_future_unref);
  g_clear_pointer (&group->parent, gaio_task_unref);
  g_clear_object (&group->loop);
  g_free (group);
}

/**
 * gaio_task_group_to_string: (skip)
 * @group: a #GaioTaskGroup
 *
 * asyncio's repr: `<TaskGroup tasks=2 errors=1 cancelling>`, with the
 * counts that are not zero, then `cancelling` once the group aborts or
 * `entered` once it was entered.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_task_group_to_string (GaioTaskGroup *group)
{
  GString *text;

  g_return_val_if_fail (group != NULL, NULL);

  text = g_string_new ("<TaskGroup");
  if (g_hash_table_size (group->tasks) > 0)
    g_string_append_printf (text, " tasks=%u", g_hash_table_size (group->tasks));
  if (group->errors->len > 0)
    g_string_append_printf (text, " errors=%u", group->errors->len);
  if (group->aborting)
    g_string_append (text, " cancelling");
  else if (group->entered)
    g_string_append (text, " entered");
  g_string_append_c (text, '>');

  return g_string_free (text, FALSE);
}

static gboolean
refuse (GaioTaskGroup  *group,
        const char     *why,
        GError        **error)
{
  g_autofree char *repr = gaio_task_group_to_string (group);

  g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE, "TaskGroup %s %s", repr, why);
  return FALSE;
}

/**
 * gaio_task_group_enter: (skip)
 * @group: a #GaioTaskGroup not entered yet
 * @error: return location for a #GError
 *
 * Starts the group in the current task, its parent (asyncio's
 * `__aenter__`). Fails with %GAIO_ERROR_INVALID_STATE when @group was
 * entered before or when no task is running.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
gaio_task_group_enter (GaioTaskGroup  *group,
                       GError        **error)
{
  GaioTask *parent;

  g_return_val_if_fail (group != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (group->entered)
    return refuse (group, "has already been entered", error);

  parent = gaio_current_task ();
  if (parent == NULL)
    return refuse (group, "cannot determine the parent task", error);

  group->loop = g_object_ref (gaio_future_get_loop (GAIO_FUTURE (parent)));
  group->parent = gaio_task_ref (parent);
  group->entered = TRUE;

  return TRUE;
}

/* asyncio's _abort(): cancels every task not done yet. */
static void
abort_tasks (GaioTaskGroup *group)
{
  /* A copy: cancelling a task runs no callback at once, but the walk
   * stays independent of the set whatever a cancel does. */
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_full (g_hash_table_size (group->tasks),
                                                     (GDestroyNotify) gaio_future_unref);
  GHashTableIter iter;
  gpointer task;

  g_hash_table_iter_init (&iter, group->tasks);
  while (g_hash_table_iter_next (&iter, &task, NULL))
    g_ptr_array_add (tasks, gaio_future_ref (task));
  group->aborting = TRUE;
  for (guint i = 0; i < tasks->len; i++)
    gaio_future_cancel (g_ptr_array_index (tasks, i), NULL);
}

static gboolean
is_escape (const GError *error)
{
  return g_error_matches (error, GAIO_ERROR, GAIO_ERROR_ESCAPE);
}

/* The error of a task whose parent is already done has nowhere to go:
 * asyncio hands it to the exception handler. */
static void
report_orphan_error (GaioTaskGroup *group,
                     GaioFuture    *task,
                     const GError  *task_error)
{
  g_autofree char *task_repr = gaio_future_to_string (task);
  g_autofree char *parent_repr = gaio_future_to_string (GAIO_FUTURE (group->parent));
  g_autofree char *message = g_strdup_printf ("Task %s has errored out but its parent task "
                                              "%s is already completed",
                                              task_repr, parent_repr);
  g_autoptr(GaioExceptionContext) context = gaio_exception_context_new (message);

  gaio_exception_context_set_error (context, task_error);
  gaio_exception_context_set_task (context, task);
  gaio_loop_call_exception_handler (group->loop, context);
}

/* asyncio's _on_task_done. */
static void
on_task_done (GaioFuture *task,
              gpointer    user_data)
{
  GaioTaskGroup *group = user_data;
  const GError *task_error;

  g_hash_table_remove (group->tasks, task);
  if (group->on_completed != NULL && g_hash_table_size (group->tasks) == 0 &&
      !gaio_future_is_done (group->on_completed))
    gaio_future_set_result_boolean (group->on_completed, TRUE, NULL);

  if (gaio_future_is_cancelled (task))
    return;
  task_error = gaio_future_get_error (task, NULL);
  if (task_error == NULL)
    return;

  g_ptr_array_add (group->errors, g_error_copy (task_error));
  if (is_escape (task_error) && group->base_error == NULL)
    group->base_error = g_error_copy (task_error);

  if (gaio_future_is_done (GAIO_FUTURE (group->parent)))
    {
      report_orphan_error (group, task, task_error);
      return;
    }

  /* The parent is not being cancelled: cancel it, so that what it awaits
   * inside the group stops, and take the request back at exit. */
  if (!group->aborting && !group->parent_cancel_requested)
    {
      abort_tasks (group);
      group->parent_cancel_requested = TRUE;
      gaio_future_cancel (GAIO_FUTURE (group->parent), NULL);
    }
}

/**
 * gaio_task_group_create_task: (skip)
 * @group: an entered #GaioTaskGroup
 * @coroutine: (transfer full): what the task runs
 * @error: return location for a #GError
 *
 * Creates a task of the group on the parent's loop (asyncio's
 * `TaskGroup.create_task`). Fails with %GAIO_ERROR_INVALID_STATE, and
 * closes @coroutine, when the group was not entered, has been left with
 * no task running (`is finished`) or is aborting (`is shutting down`).
 *
 * Returns: (transfer full) (nullable): the task
 *
 * Since: 1.0
 */
GaioTask *
gaio_task_group_create_task (GaioTaskGroup  *group,
                             GaioCoroutine  *coroutine,
                             GError        **error)
{
  const char *refusal = NULL;
  GaioTask *task;

  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (GAIO_IS_COROUTINE (coroutine), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!group->entered)
    refusal = "has not been entered";
  else if (group->exiting && g_hash_table_size (group->tasks) == 0)
    refusal = "is finished";
  else if (group->aborting)
    refusal = "is shutting down";
  if (refusal != NULL)
    {
      /* Closed, so that it does not warn that it was never awaited: it
       * was refused, not forgotten. */
      gaio_coroutine_close (coroutine);
      g_object_unref (coroutine);
      refuse (group, refusal, error);
      return NULL;
    }

  task = gaio_loop_create_task (group->loop, coroutine);
  GAIO_DEBUG_NAME (on_task_done, "TaskGroup._on_task_done");
  gaio_future_add_done_callback (GAIO_FUTURE (task), on_task_done, gaio_task_group_ref (group),
                                 (GDestroyNotify) gaio_task_group_unref);
  g_hash_table_add (group->tasks, gaio_task_ref (task));

  return task;
}

/* The error exit leaves with when tasks failed: asyncio's
 * BaseExceptionGroup('unhandled errors in a TaskGroup', errors), whose
 * text counts the errors; each follows on a line of its own. */
static GError *
group_error (GaioTaskGroup *group)
{
  guint n = group->errors->len;
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "unhandled errors in a TaskGroup (%u sub-exception%s)",
                          n, n == 1 ? "" : "s");
  for (guint i = 0; i < n; i++)
    {
      const GError *child = g_ptr_array_index (group->errors, i);

      g_string_append_printf (text, "\n  %u: %s: %s (%d)", i + 1,
                              g_quark_to_string (child->domain), child->message, child->code);
    }

  return g_error_new_literal (GAIO_ERROR, GAIO_ERROR_GROUP, text->str);
}

/* Awaits until every task is done; the parent cancelled meanwhile
 * aborts the group. Returns the cancellation to propagate, if any (the
 * one given, or a new one). */
static GError *
wait_for_tasks (GaioTaskGroup *group,
                GError        *propagate)
{
  while (g_hash_table_size (group->tasks) > 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (group->on_completed == NULL)
        group->on_completed = gaio_loop_create_future (group->loop);

      if (!gaio_await (gaio_future_ref (group->on_completed), NULL, &local_error) &&
          !gaio_future_is_done (group->on_completed))
        {
          /* The await failed without waiting: the parent cannot suspend
           * (its loop closed with it pending, or it runs inside an
           * exception handler), and would fail the same way at every
           * try. The tasks are cancelled and exit leaves with that error,
           * the tasks still in the set (gaio_task_group_exit()). */
          if (!group->aborting)
            abort_tasks (group);
          g_clear_error (&propagate);
          propagate = g_steal_pointer (&local_error);
          g_clear_pointer (&group->on_completed, gaio_future_unref);
          break;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !group->aborting)
        {
          /* The parent is being cancelled while its tasks run. */
          g_clear_error (&propagate);
          propagate = g_steal_pointer (&local_error);
          abort_tasks (group);
        }
      g_clear_pointer (&group->on_completed, gaio_future_unref);
    }

  return propagate;
}

/**
 * gaio_task_group_exit: (skip)
 * @group: an entered #GaioTaskGroup
 * @error: (inout) (optional) (nullable): the error the stretch of code
 *   inside the group ends with, %NULL when it succeeded
 *
 * Leaves the group (asyncio's `__aexit__`), in the parent task: waits
 * until every task of the group is done, suspending the parent. An error
 * in *@error aborts the group first (its tasks are cancelled).
 *
 * On return *@error is, in this order of precedence: an escape error
 * (%GAIO_ERROR_ESCAPE) of a task or of the body, as it was; a
 * cancellation of the parent, when no task failed (a cancellation the
 * group itself requested is taken back, and ends here); a
 * %GAIO_ERROR_GROUP error listing the tasks' errors and the body's (see
 * gaio_task_group_get_errors()); else %NULL. A parent that cannot
 * suspend (its loop was closed with it pending) cannot wait: the tasks
 * are cancelled and *@error is the error of the await that failed.
 *
 * Returns: %TRUE when *@error is %NULL on return
 *
 * Since: 1.0
 */
gboolean
gaio_task_group_exit (GaioTaskGroup  *group,
                      GError        **error)
{
  GError *body = NULL;
  GError *propagate = NULL;

  g_return_val_if_fail (group != NULL, FALSE);
  g_return_val_if_fail (group->entered && !group->exiting, FALSE);

  group->exiting = TRUE;
  if (error != NULL)
    body = g_steal_pointer (error);

  if (body != NULL && is_escape (body) && group->base_error == NULL)
    group->base_error = g_error_copy (body);
  if (g_error_matches (body, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    propagate = g_error_copy (body);

  /* This must be called once the group cancelled its parent. */
  if (group->parent_cancel_requested && gaio_task_uncancel (group->parent) == 0)
    g_clear_error (&propagate);

  if (body != NULL && !group->aborting)
    abort_tasks (group);

  propagate = wait_for_tasks (group, propagate);
  if (g_hash_table_size (group->tasks) > 0)
    {
      /* Could not wait (see wait_for_tasks()). */
      g_clear_error (&body);
      g_propagate_error (error, propagate);
      return FALSE;
    }

  if (group->base_error != NULL)
    {
      g_clear_error (&propagate);
      g_clear_error (&body);
      g_propagate_error (error, g_error_copy (group->base_error));
      return FALSE;
    }

  if (propagate != NULL && group->errors->len == 0)
    {
      g_clear_error (&body);
      g_propagate_error (error, propagate);
      return FALSE;
    }
  g_clear_error (&propagate);

  if (body != NULL && !g_error_matches (body, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_ptr_array_add (group->errors, g_steal_pointer (&body));
  g_clear_error (&body);

  if (group->errors->len > 0)
    {
      g_propagate_error (error, group_error (group));
      return FALSE;
    }

  return TRUE;
}

/**
 * gaio_task_group_get_errors: (skip)
 * @group: a #GaioTaskGroup
 *
 * The errors the group collected: each failed task's, in the order they
 * failed, then the body's own (not a cancellation), as
 * gaio_task_group_exit() found them. What a %GAIO_ERROR_GROUP error
 * lists, one #GError each (asyncio's `ExceptionGroup.exceptions`).
 *
 * Returns: (transfer none) (element-type GError): the errors, owned by
 *   @group
 *
 * Since: 1.0
 */
GPtrArray *
gaio_task_group_get_errors (GaioTaskGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);

  return group->errors;
}
