/* gaio-coroutine.c: a function and its data, not running yet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Calling an `async def` function in Python runs nothing: it makes a
 * coroutine object, which runs when awaited or wrapped in a task. A
 * GaioCoroutine is that object for C: the function, its data, and the
 * name asyncio's warnings use. One that is dropped before it ever ran is
 * most likely a forgotten await, so it warns as Python does.
 */

#include "config.h"

#include "gaio-coroutine-private.h"
#include "gaio-debug-private.h"
#include "gaio-log-private.h"

typedef enum {
  COROUTINE_CREATED,
  COROUTINE_RUNNING,
  COROUTINE_DONE,
  COROUTINE_CLOSED,
} CoroutineState;

struct _GaioCoroutine
{
  GObject            parent_instance;

  GaioCoroutineFunc  func;
  gpointer           user_data;
  GDestroyNotify     notify;

  char              *name;       /* (owned) */
  char              *file;       /* (owned) (nullable) */
  int                line;
  CoroutineState     state;

  GaioTraceback     *origin;     /* (owned) (nullable) debug mode */
};

/**
 * GaioCoroutine: (skip)
 *
 * A function with its data that has not run yet: what calling an `async
 * def` function gives in Python.
 *
 * Create one with GAIO_COROUTINE_NEW(), which names it after the function,
 * or gaio_coroutine_new(). Then either run it in the current task
 * with gaio_await_coroutine() (`await coro()`), or wrap it in a new
 * task with gaio_loop_create_task(). A coroutine runs once.
 *
 * A coroutine finalized without having run, and not closed with
 * gaio_coroutine_close(), writes the warning `coroutine 'NAME' was
 * never awaited` in the `Gaio` log domain (with the field
 * `GAIO_WARNING_CATEGORY=RuntimeWarning`, and `CODE_FILE`/`CODE_LINE`
 * set to where it was created when known). If it was created while a
 * loop in debug mode ran, the warning goes on with `Coroutine created at
 * (most recent call last)` and the frames that created it.
 *
 * Coroutines are used from the loop's thread.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioCoroutine, gaio_coroutine, G_TYPE_OBJECT)

static void
release_closure (GaioCoroutine *coroutine)
{
  GDestroyNotify notify = coroutine->notify;
  gpointer user_data = coroutine->user_data;

  coroutine->func = NULL;
  coroutine->user_data = NULL;
  coroutine->notify = NULL;

  if (notify != NULL)
    notify (user_data);
}

static void
warn_never_awaited (GaioCoroutine *coroutine)
{
  g_autofree char *line = NULL;
  GString *message;
  GLogField fields[4];
  gsize n_fields = 0;

  if (!_gaio_log_level_enabled (G_LOG_LEVEL_WARNING))
    return;

  message = g_string_new (NULL);
  g_string_append_printf (message, "coroutine '%s' was never awaited", coroutine->name);

  /* Python: no colon after "(most recent call last)" here. */
  if (coroutine->origin != NULL)
    {
      g_auto(GStrv) frames = _gaio_traceback_format (coroutine->origin);

      g_string_append (message, "\nCoroutine created at (most recent call last)");
      for (guint i = 0; frames[i] != NULL; i++)
        g_string_append_printf (message, "\n%s", frames[i]);
    }

  fields[n_fields++] = (GLogField) { "MESSAGE", message->str, -1 };
  fields[n_fields++] = (GLogField) { "GAIO_WARNING_CATEGORY", "RuntimeWarning", -1 };
  if (coroutine->file != NULL)
    {
      line = g_strdup_printf ("%d", coroutine->line);
      fields[n_fields++] = (GLogField) { "CODE_FILE", coroutine->file, -1 };
      fields[n_fields++] = (GLogField) { "CODE_LINE", line, -1 };
    }

  _gaio_log_fields (G_LOG_LEVEL_WARNING, fields, n_fields);
  g_string_free (message, TRUE);
}

static void
gaio_coroutine_finalize (GObject *object)
{
  GaioCoroutine *coroutine = GAIO_COROUTINE (object);

  if (coroutine->state == COROUTINE_CREATED)
    warn_never_awaited (coroutine);

  release_closure (coroutine);
  g_free (coroutine->name);
  g_free (coroutine->file);
  g_clear_pointer (&coroutine->origin, _gaio_traceback_free);

  G_OBJECT_CLASS (gaio_coroutine_parent_class)->finalize (object);
}

static void
gaio_coroutine_class_init (GaioCoroutineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gaio_coroutine_finalize;
}

static void
gaio_coroutine_init (GaioCoroutine *coroutine)
{
}

/**
 * gaio_coroutine_new_full: (skip)
 * @name: (nullable): the name reports use, normally the function's;
 *   %NULL looks the function's symbol up
 * @file: (nullable): the source file that creates the coroutine
 * @line: the line in @file
 * @func: (scope notified) (closure user_data) (destroy notify): the
 *   function
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data, after @func returned, or when
 *   the coroutine is closed or finalized without running
 *
 * Creates a coroutine. GAIO_COROUTINE_NEW() calls this with the function's
 * name and the calling file and line.
 *
 * Returns: (transfer full): a new #GaioCoroutine
 *
 * Since: 1.0
 */
GaioCoroutine *
gaio_coroutine_new_full (const char        *name,
                         const char        *file,
                         int                line,
                         GaioCoroutineFunc  func,
                         gpointer           user_data,
                         GDestroyNotify     notify)
{
  GaioCoroutine *coroutine;
  GaioLoop *loop;

  g_return_val_if_fail (func != NULL, NULL);

  coroutine = g_object_new (GAIO_TYPE_COROUTINE, NULL);
  coroutine->func = func;
  coroutine->user_data = user_data;
  coroutine->notify = notify;
  coroutine->name = name != NULL ? g_strdup (name) : _gaio_debug_symbol_name ((gpointer) func);
  coroutine->file = g_strdup (file);
  coroutine->line = line;

  /* As asyncio's loop turns origin tracking on while a debug loop runs:
   * coroutines created outside one carry no origin (DB-08). */
  loop = gaio_get_running_loop ();
  if (loop != NULL && G_UNLIKELY (gaio_loop_get_debug (loop)))
    coroutine->origin = _gaio_traceback_capture_here ();

  return coroutine;
}

/**
 * gaio_coroutine_new: (skip)
 * @func: (scope notified) (closure user_data) (destroy notify): the
 *   function
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Creates a coroutine named after @func's symbol when the platform can
 * find it (exported functions, or programs linked with `-rdynamic`),
 * else after its address. GAIO_COROUTINE_NEW() names it from the source.
 *
 * Returns: (transfer full): a new #GaioCoroutine
 *
 * Since: 1.0
 */
GaioCoroutine *
gaio_coroutine_new (GaioCoroutineFunc func,
                    gpointer          user_data,
                    GDestroyNotify    notify)
{
  return gaio_coroutine_new_full (NULL, NULL, 0, func, user_data, notify);
}

/**
 * gaio_coroutine_get_name: (skip)
 * @coroutine: a #GaioCoroutine
 *
 * Gets the coroutine's name (Python's `__qualname__`).
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
gaio_coroutine_get_name (GaioCoroutine *coroutine)
{
  g_return_val_if_fail (GAIO_IS_COROUTINE (coroutine), NULL);

  return coroutine->name;
}

/**
 * gaio_coroutine_is_started: (skip)
 * @coroutine: a #GaioCoroutine
 *
 * Whether the coroutine's function started, or the coroutine was closed.
 *
 * Returns: %TRUE if it can no longer be awaited
 *
 * Since: 1.0
 */
gboolean
gaio_coroutine_is_started (GaioCoroutine *coroutine)
{
  g_return_val_if_fail (GAIO_IS_COROUTINE (coroutine), FALSE);

  return coroutine->state != COROUTINE_CREATED;
}

/**
 * gaio_coroutine_is_done: (skip)
 * @coroutine: a #GaioCoroutine
 *
 * Whether the coroutine's function returned, or the coroutine was closed.
 *
 * Returns: %TRUE if done
 *
 * Since: 1.0
 */
gboolean
gaio_coroutine_is_done (GaioCoroutine *coroutine)
{
  g_return_val_if_fail (GAIO_IS_COROUTINE (coroutine), FALSE);

  return coroutine->state == COROUTINE_DONE || coroutine->state == COROUTINE_CLOSED;
}

/**
 * gaio_coroutine_close: (skip)
 * @coroutine: a #GaioCoroutine
 *
 * Drops a coroutine that has not started without running it (Python's
 * `coro.close()`): its data is released now and it will not warn that
 * it was never awaited. Does nothing to a coroutine that started.
 *
 * Since: 1.0
 */
void
gaio_coroutine_close (GaioCoroutine *coroutine)
{
  g_return_if_fail (GAIO_IS_COROUTINE (coroutine));

  if (coroutine->state != COROUTINE_CREATED)
    return;

  coroutine->state = COROUTINE_CLOSED;
  release_closure (coroutine);
}

/**
 * gaio_coroutine_to_string: (skip)
 * @coroutine: a #GaioCoroutine
 *
 * A description in the spirit of Python's coroutine repr:
 * `<NAME() running>`, or `<NAME() done>` once its function returned or
 * it was closed, with `, created at FILE:LINE` when the origin is known.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_coroutine_to_string (GaioCoroutine *coroutine)
{
  g_return_val_if_fail (GAIO_IS_COROUTINE (coroutine), NULL);

  if (coroutine->file != NULL)
    return g_strdup_printf ("<%s() %s, created at %s:%d>", coroutine->name,
                            gaio_coroutine_is_done (coroutine) ? "done" : "running",
                            coroutine->file, coroutine->line);

  return g_strdup_printf ("<%s() %s>", coroutine->name,
                          gaio_coroutine_is_done (coroutine) ? "done" : "running");
}

gboolean
_gaio_coroutine_run (GaioCoroutine  *coroutine,
                     GValue         *result,
                     GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_assert (coroutine->state == COROUTINE_CREATED);

  coroutine->state = COROUTINE_RUNNING;
  ok = coroutine->func (coroutine->user_data, result, &local_error);
  coroutine->state = COROUTINE_DONE;
  release_closure (coroutine);

  if (!ok && local_error == NULL)
    local_error = g_error_new (GAIO_ERROR, GAIO_ERROR_FAILED,
                               "The coroutine %s() returned FALSE without setting an error",
                               coroutine->name);
  else if (ok && local_error != NULL)
    {
      g_critical ("The coroutine %s() returned TRUE but set an error: %s",
                  coroutine->name, local_error->message);
      g_clear_error (&local_error);
    }

  if (local_error != NULL)
    {
      if (G_IS_VALUE (result))
        g_value_unset (result);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* A function that set no result returned Python's None. */
  if (!G_IS_VALUE (result))
    {
      g_value_init (result, G_TYPE_POINTER);
      g_value_set_pointer (result, NULL);
    }

  return TRUE;
}
