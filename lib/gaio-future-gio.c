/* gaio-future-gio.c: futures and GIO's asynchronous style, both ways
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * From GIO to a future: gaio_future_new_for_async() makes a future that
 * a GIO operation's GAsyncReadyCallback completes with what its _finish
 * function returns; cancelling the future cancels the operation through
 * the future's GCancellable.
 *
 * From a future to GIO: the one bridge, _gaio_future_bridge_async() and
 * _gaio_future_bridge_finish(), behind every `_async`/`_finish` pair of
 * the library (gaio_future_wait_async(), the loop's
 * run_in_executor_async(), the process pool's submit_named_async()). Its
 * contract, the same for all of them:
 *
 *  - the callback runs once the future is done, in the thread-default
 *    main context of the caller of the `_async` function (GTask's rule),
 *    and never before the `_async` call has returned;
 *  - the `_finish` function gives the future's own outcome: its result,
 *    its error, or G_IO_ERROR_CANCELLED if it was cancelled;
 *  - cancelling the GCancellable, from any thread, cancels the future on
 *    its loop's thread (asyncio's rule for a task cancelled in `await
 *    fut`): the job behind it stops if it can, and the callback then
 *    reports G_IO_ERROR_CANCELLED, unless the future was done first.
 *    The wait never ends apart from the future, so an operation is never
 *    reported finished while it still runs.
 */

#include "config.h"

#include "gaio-debug-private.h"

#include "gaio-future-gio-private.h"
#include "gaio-future-private.h"

/**
 * gaio_future_new_for_async: (skip)
 * @loop: the loop the future belongs to
 * @finish: the operation's `_finish` function, cast with
 *   GAIO_ASYNC_FINISH()
 * @result_type: what @finish returns: %G_TYPE_BOOLEAN, %G_TYPE_INT,
 *   %G_TYPE_UINT, %G_TYPE_INT64 (also for #gssize), %G_TYPE_UINT64 (also
 *   for #gsize), %G_TYPE_STRING, %G_TYPE_VARIANT, %G_TYPE_POINTER, or an
 *   object, interface or boxed type (taken as transfer full)
 *
 * Creates a future that a GIO asynchronous operation completes. Start
 * the operation with [method@Gaio.Future.get_cancellable] as its
 * cancellable, [func@Gaio.Future.async_ready_callback] as its callback
 * and a reference on the future as its data:
 *
 * |[<!-- language="C" -->
 * GaioFuture *future = gaio_future_new_for_async (loop,
 *                                                 GAIO_ASYNC_FINISH (g_file_read_finish),
 *                                                 G_TYPE_FILE_INPUT_STREAM);
 * g_file_read_async (file, G_PRIORITY_DEFAULT,
 *                    gaio_future_get_cancellable (future),
 *                    gaio_future_async_ready_callback,
 *                    gaio_future_ref (future));
 * ]|
 *
 * The future then finishes with what the `_finish` function returns, or
 * its error. Cancelling the future cancels the operation. Start the
 * operation on the loop's thread, so that GIO completes it there.
 *
 * Not for bindings: it calls @finish through a C function pointer.
 * Python's overrides offer `Gaio.Future.new_for_async (loop, finish)`,
 * which returns the future and the callback to pass; JavaScript
 * promisifies the operation (see the [Bindings](bindings.html) guide).
 *
 * Returns: (transfer full): a new #GaioFuture
 *
 * Since: 1.0
 */
GaioFuture *
gaio_future_new_for_async (GaioLoop            *loop,
                           GaioAsyncFinishFunc  finish,
                           GType                result_type)
{
  GaioFuture *future;
  GType fundamental = G_TYPE_FUNDAMENTAL (result_type);

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (finish != NULL, NULL);
  g_return_val_if_fail (fundamental == G_TYPE_BOOLEAN || fundamental == G_TYPE_INT ||
                        fundamental == G_TYPE_UINT || fundamental == G_TYPE_INT64 ||
                        fundamental == G_TYPE_UINT64 || fundamental == G_TYPE_STRING ||
                        fundamental == G_TYPE_VARIANT || fundamental == G_TYPE_POINTER ||
                        fundamental == G_TYPE_OBJECT || fundamental == G_TYPE_INTERFACE ||
                        fundamental == G_TYPE_BOXED, NULL);

  future = gaio_future_new (loop);
  future->finish = finish;
  future->finish_type = result_type;

  return future;
}

/* Calls the _finish function with the return type it really has: calling
 * a function through a pointer of another type is undefined. */
static void
call_finish (GaioFuture    *future,
             GObject       *source_object,
             GAsyncResult  *result,
             GValue        *value,
             GError       **error)
{
  GType type = future->finish_type;
  void (*generic) (void) = (void (*) (void)) future->finish;

  g_value_init (value, type);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value,
        ((gboolean (*) (gpointer, GAsyncResult *, GError **)) generic) (source_object, result, error));
      break;
    case G_TYPE_INT:
      g_value_set_int (value,
        ((gint (*) (gpointer, GAsyncResult *, GError **)) generic) (source_object, result, error));
      break;
    case G_TYPE_UINT:
      g_value_set_uint (value,
        ((guint (*) (gpointer, GAsyncResult *, GError **)) generic) (source_object, result, error));
      break;
    case G_TYPE_INT64:
      g_value_set_int64 (value,
        ((gint64 (*) (gpointer, GAsyncResult *, GError **)) generic) (source_object, result, error));
      break;
    case G_TYPE_UINT64:
      g_value_set_uint64 (value,
        ((guint64 (*) (gpointer, GAsyncResult *, GError **)) generic) (source_object, result, error));
      break;
    case G_TYPE_STRING:
      g_value_take_string (value, future->finish (source_object, result, error));
      break;
    case G_TYPE_VARIANT:
      g_value_take_variant (value, future->finish (source_object, result, error));
      break;
    case G_TYPE_POINTER:
      g_value_set_pointer (value, future->finish (source_object, result, error));
      break;
    case G_TYPE_OBJECT:
    case G_TYPE_INTERFACE:
      g_value_take_object (value, future->finish (source_object, result, error));
      break;
    case G_TYPE_BOXED:
    default:
      g_value_take_boxed (value, future->finish (source_object, result, error));
      break;
    }
}

/**
 * gaio_future_async_ready_callback: (skip)
 * @source_object: (nullable): the operation's source object
 * @result: the operation's result
 * @user_data: (transfer full) (type Gaio.Future): a future made with
 *   [ctor@Gaio.Future.new_for_async]
 *
 * The #GAsyncReadyCallback that completes a future made with
 * [ctor@Gaio.Future.new_for_async]; pass a reference on the future as its
 * data. If the future was cancelled meanwhile, the operation's result is
 * dropped and the future stays cancelled.
 *
 * Since: 1.0
 */
void
gaio_future_async_ready_callback (GObject      *source_object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GaioFuture) future = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_if_fail (future != NULL);
  g_return_if_fail (future->finish != NULL);

  call_finish (future, source_object, result, &value, &error);

  if (future->state != GAIO_FUTURE_PENDING)
    return;

  if (error != NULL)
    gaio_future_take_error (future, g_steal_pointer (&error), NULL);
  else
    gaio_future_take_result (future, &value, NULL);
}

typedef struct
{
  GaioFuture   *future;       /* (owned) */
  GCancellable *cancellable;  /* (owned) (nullable) */
  gulong        handler;      /* of cancellable; disconnected on the loop's thread */
} Bridge;

static void
bridge_free (gpointer data)
{
  Bridge *bridge = data;

  g_clear_object (&bridge->cancellable);
  gaio_future_unref (bridge->future);
  g_free (bridge);
}

static gboolean
cancel_on_loop (gpointer   user_data,
                GError   **error)
{
  gaio_future_cancel (user_data, NULL);

  return TRUE;
}

/* Any thread: the cancellable's. The future is the loop's, so the cancel
 * travels there; a closed loop has nothing left to cancel. */
static void
bridge_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  GaioFuture *future = user_data;
  GaioHandle *handle;

  /* NULL from a closed loop, which ran the notify already. */
  GAIO_DEBUG_NAME (cancel_on_loop, "GaioFuture.wait_async.<locals>.cancel");
  handle = gaio_loop_call_soon_threadsafe (future->loop, cancel_on_loop, gaio_future_ref (future),
                                           (GDestroyNotify) gaio_future_unref, NULL);
  g_clear_pointer (&handle, gaio_handle_unref);
}

static void
bridge_done (GaioFuture *future,
             gpointer    user_data)
{
  GTask *task = user_data;
  Bridge *bridge = g_task_get_task_data (task);

  /* Never blocks: the handler only posts. */
  if (bridge->handler != 0)
    g_cancellable_disconnect (bridge->cancellable, bridge->handler);
  bridge->handler = 0;
  g_task_return_boolean (task, TRUE);
}

void
_gaio_future_bridge_async (GaioFuture          *future,
                           gpointer             source_object,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data,
                           gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, user_data);
  Bridge *bridge = g_new0 (Bridge, 1);

  g_task_set_source_tag (task, source_tag);
  /* The outcome is the future's, cancelled or not (see the top). */
  g_task_set_check_cancellable (task, FALSE);

  bridge->future = gaio_future_ref (future);
  g_task_set_task_data (task, bridge, bridge_free);

  if (cancellable != NULL)
    {
      bridge->cancellable = g_object_ref (cancellable);
      bridge->handler = g_cancellable_connect (cancellable, G_CALLBACK (bridge_cancelled),
                                               gaio_future_ref (future),
                                               (GDestroyNotify) gaio_future_unref);
    }

  GAIO_DEBUG_NAME (bridge_done, "GaioFuture.wait_async.<locals>.done");
  gaio_future_add_done_callback (future, bridge_done, g_object_ref (task), g_object_unref);
}

GaioFuture *
_gaio_future_bridge_finish (GAsyncResult  *result,
                            gpointer       source_object,
                            gpointer       source_tag,
                            GError       **error)
{
  Bridge *bridge;

  g_return_val_if_fail (g_task_is_valid (result, source_object), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  bridge = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  return bridge->future;
}

GValue *
_gaio_future_bridge_finish_value (GAsyncResult  *result,
                                  gpointer       source_object,
                                  gpointer       source_tag,
                                  GError       **error)
{
  GaioFuture *future = _gaio_future_bridge_finish (result, source_object, source_tag, error);

  if (future == NULL)
    return NULL;

  return gaio_future_dup_result (future, error);
}

/**
 * gaio_future_wait_async:
 * @future: a #GaioFuture
 * @cancellable: (nullable): cancels @future
 * @callback: (scope async) (closure user_data): called when @future is done
 * @user_data: data for @callback
 *
 * Waits for the future in GIO's asynchronous style, for code that takes
 * a #GAsyncReadyCallback: GJS's `Gio._promisify()`, and PyGObject's
 * `await` from PyGObject 3.50 on, with its own event loop integration.
 * @callback runs in the thread-default main context of the caller, as
 * for any GIO operation, once @future is done; its source object is the
 * future's loop (a future is no #GObject). Call
 * [method@Gaio.Future.wait_finish] (or [method@Gaio.Loop.wait_finish]
 * on the source object, as GJS's promisify does) from it.
 *
 * Cancelling @cancellable cancels @future, on its loop's thread, as
 * cancelling a task that awaits a future does in asyncio; the wait then
 * ends with the future's outcome, which is cancelled unless it was done
 * first. Every `_async` function of libgaio follows this contract.
 *
 * Since: 1.0
 */
void
gaio_future_wait_async (GaioFuture          *future,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (future != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _gaio_future_bridge_async (future, future->loop, cancellable, callback, user_data,
                             gaio_future_wait_async);
}

/**
 * gaio_future_wait_finish:
 * @future: a #GaioFuture
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Gaio.Future.wait_async]: the future's result, as
 * [method@Gaio.Future.dup_result] gives it, or its error
 * (%G_IO_ERROR_CANCELLED if it was cancelled).
 *
 * Returns: (transfer full) (nullable): a copy of the result, to free with
 *   `g_boxed_free (G_TYPE_VALUE, value)`, or %NULL with @error set
 *
 * Since: 1.0
 */
GValue *
gaio_future_wait_finish (GaioFuture    *future,
                         GAsyncResult  *result,
                         GError       **error)
{
  GaioFuture *done;

  g_return_val_if_fail (future != NULL, NULL);

  done = _gaio_future_bridge_finish (result, future->loop, gaio_future_wait_async, error);
  if (done == NULL)
    return NULL;
  /* The result of another future's wait: a programming error. */
  g_return_val_if_fail (done == future, NULL);

  return gaio_future_dup_result (future, error);
}

/**
 * gaio_loop_wait_finish:
 * @loop: the loop of the awaited future
 * @result: the #GAsyncResult given to the callback of
 *   [method@Gaio.Future.wait_async]
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.wait_finish] called on the source object of the
 * wait, the future's loop: what GJS's `Gio._promisify()` calls, so that
 * `Gio._promisify (Gaio.Future.prototype, 'wait_async', 'wait_finish')`
 * works although a future is no #GObject.
 *
 * Returns: (transfer full) (nullable): a copy of the future's result, to
 *   free with `g_boxed_free (G_TYPE_VALUE, value)`, or %NULL with @error
 *   set
 *
 * Since: 1.0
 */
GValue *
gaio_loop_wait_finish (GaioLoop      *loop,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  return _gaio_future_bridge_finish_value (result, loop, gaio_future_wait_async, error);
}
