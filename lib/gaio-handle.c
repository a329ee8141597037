/* gaio-handle.c: a scheduled callback, cancellable from any thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include "config.h"

#include "gaio-debug-private.h"
#include "gaio-handle-private.h"
#include "gaio-handle-slab-private.h"

/* Set once, before any handle names a task (_gaio_handle_set_task_release()). */
static GDestroyNotify task_release;

void
_gaio_handle_set_task_release (GDestroyNotify release)
{
  task_release = release;
}

/**
 * GaioHandle:
 *
 * A callback scheduled on a [class@Gaio.Loop], asyncio's `Handle` and
 * `TimerHandle`.
 *
 * Handles are returned by [method@Gaio.Loop.call_soon],
 * [method@Gaio.Loop.call_later], [method@Gaio.Loop.call_at] and
 * [method@Gaio.Loop.call_soon_threadsafe]. A handle can be cancelled
 * until its callback starts; a cancelled callback never runs, and its
 * destroy notify runs at once, in the thread that cancelled it.
 *
 * Handles are reference counted and thread-safe.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (GaioHandle, gaio_handle, gaio_handle_ref, gaio_handle_unref)

/* Handles are carved from per-thread slabs (gaio-handle-slab.c), which
 * costs neither a malloc() per handle nor, when one thread posts handles
 * that another frees, a lock. */
GaioHandle *
_gaio_handle_new (GaioCallback   callback,
                  gpointer       user_data,
                  GDestroyNotify notify)
{
  GaioHandle *handle = _gaio_handle_slab_alloc (sizeof (GaioHandle));

  _gaio_handle_init (handle, callback, user_data, notify);

  return handle;
}

/**
 * gaio_handle_ref:
 * @handle: a #GaioHandle
 *
 * Takes a reference on @handle.
 *
 * Returns: (transfer full): @handle
 *
 * Since: 1.0
 */
GaioHandle *
gaio_handle_ref (GaioHandle *handle)
{
  g_return_val_if_fail (handle != NULL, NULL);

  g_atomic_int_inc (&handle->ref_count);

  return handle;
}

/**
 * gaio_handle_unref:
 * @handle: (transfer full): a #GaioHandle
 *
 * Drops a reference on @handle.
 *
 * Since: 1.0
 */
void
gaio_handle_unref (GaioHandle *handle)
{
  g_return_if_fail (handle != NULL);

  if (!g_atomic_int_dec_and_test (&handle->ref_count))
    return;

  /* The loop holds a reference while the handle is queued, so the last
   * reference goes only after the state left PENDING and the closure was
   * released. */
  g_assert (__atomic_load_n (&handle->state, __ATOMIC_RELAXED) != GAIO_HANDLE_PENDING ||
            handle->callback == NULL);

  _gaio_handle_clear (handle);
  _gaio_handle_free (handle);
}

void
_gaio_handle_free (GaioHandle *handle)
{
  _gaio_handle_slab_free (handle, sizeof (GaioHandle));
}

void
_gaio_handle_clear_owned (GaioHandle *handle)
{
  GaioHandleExtra *extra = g_steal_pointer (&handle->extra);

  if (handle->is_timer)
    {
      _gaio_timer_cancels_unref (handle->u.timer.cancels);
      handle->is_timer = FALSE;
      handle->u.soon.static_name = NULL;
    }
  else if (handle->u.soon.task != NULL)
    task_release (handle->u.soon.task);
  handle->u.soon.task = NULL;
  if (extra != NULL)
    {
      g_clear_pointer (&extra->traceback, _gaio_traceback_free);
      g_free (extra->name);
      g_free (extra);
    }
}

GaioHandleExtra *
_gaio_handle_get_extra (GaioHandle *handle)
{
  if (handle->extra == NULL)
    handle->extra = g_new0 (GaioHandleExtra, 1);

  return handle->extra;
}

/* The state's compare-and-swap: a byte, which GLib's atomics do not
 * cover. Sequentially consistent, as g_atomic_int_compare_and_exchange(). */
static inline gboolean
state_transition (GaioHandle *handle,
                  guint8      from,
                  guint8      to)
{
  return __atomic_compare_exchange_n (&handle->state, &from, to, FALSE,
                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void
gaio_handle_release_closure (GaioHandle *handle)
{
  GDestroyNotify notify = handle->notify;
  gpointer user_data = handle->user_data;

  handle->callback = NULL;
  handle->user_data = NULL;
  handle->notify = NULL;

  if (notify != NULL)
    notify (user_data);
}

/* Moves a handle the loop is about to run from PENDING to RUNNING, and
 * says whether it was still pending. */
static inline gboolean
claim_for_running (GaioHandle *handle)
{
  /* The loop's reference is the only one: no other thread can hold the
   * handle (a pointer returned without a reference is only valid on the
   * loop's thread), so nothing can cancel it concurrently and a plain
   * store will do, saving a locked instruction per callback. The acquire
   * load pairs with the release of any other thread's last unref, so what
   * it did to the handle (a cancel) is seen here. */
  if (__atomic_load_n (&handle->ref_count, __ATOMIC_ACQUIRE) == 1)
    {
      if (__atomic_load_n (&handle->state, __ATOMIC_RELAXED) != GAIO_HANDLE_PENDING)
        return FALSE;
      __atomic_store_n (&handle->state, GAIO_HANDLE_RUNNING, __ATOMIC_RELAXED);
      return TRUE;
    }

  return state_transition (handle, GAIO_HANDLE_PENDING, GAIO_HANDLE_RUNNING);
}

GError *
_gaio_callback_false_error (const char *what,
                            gpointer    function)
{
  /* A JavaScript function (generated code, under gjs) that returned
   * nothing: say what it should return, since `undefined` is FALSE. Not
   * for other bindings' closures: Python's `None` is FALSE too, but the
   * hint would name the wrong language. */
  if (_gaio_debug_in_gjs () && _gaio_debug_is_generated_code (function))
    return g_error_new (GAIO_ERROR, GAIO_ERROR_FAILED,
                        "%s returned FALSE without setting an error "
                        "(from JavaScript, return true; throw to fail)", what);

  return g_error_new (GAIO_ERROR, GAIO_ERROR_FAILED,
                      "%s returned FALSE without setting an error", what);
}

/* The error of @callback, which returned FALSE without setting one. */
static GError *
false_without_error (GaioCallback callback)
{
  return _gaio_callback_false_error ("The callback", (gpointer) callback);
}

/* Calls a callback that a handle's own callback wraps (a reader's, a
 * signal handler's): the error of one that returns FALSE without setting
 * one is made here, where the function that returned is known; the
 * handle only knows the wrapper. */
gboolean
_gaio_callback_invoke (GaioCallback   callback,
                       gpointer       user_data,
                       GError       **error)
{
  GError *local_error = NULL;

  if (callback (user_data, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return TRUE;
    }

  g_propagate_error (error, local_error != NULL ? local_error : false_without_error (callback));
  return FALSE;
}

/* The end of _gaio_handle_run() for a callback that failed, or whose
 * name must be kept: takes @local_error. */
static gboolean
finish_run_slow (GaioHandle  *handle,
                 gboolean     ok,
                 GError      *local_error,
                 gboolean     keep_name,
                 GError     **error)
{
  if (!ok && local_error == NULL)
    local_error = false_without_error (handle->callback);
  else if (ok && local_error != NULL)
    {
      g_critical ("A GaioCallback returned TRUE but set an error: %s", local_error->message);
      g_clear_error (&local_error);
    }

  /* The name is derived from the callback, which is about to go: keep it
   * for the report of a failure, or when the caller asks (debug mode). */
  if ((keep_name || local_error != NULL) && !_gaio_handle_has_name (handle))
    _gaio_handle_get_extra (handle)->name = _gaio_debug_symbol_name ((gpointer) handle->callback);

  gaio_handle_release_closure (handle);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

gboolean
_gaio_handle_run (GaioHandle  *handle,
                  gboolean     keep_name,
                  GError     **error)
{
  GError *local_error = NULL;
  gboolean ok;

  if (!claim_for_running (handle))
    return TRUE;

  ok = handle->callback (handle->user_data, &local_error);

  /* Only cancel() reads the state from other threads, and it can no
   * longer win: a release store is enough (a plain store on x86, where
   * g_atomic_int_set() would be a full barrier per callback). */
  __atomic_store_n (&handle->state, GAIO_HANDLE_DONE, __ATOMIC_RELEASE);

  if (G_UNLIKELY (!ok || local_error != NULL || keep_name))
    return finish_run_slow (handle, ok, local_error, keep_name, error);

  gaio_handle_release_closure (handle);
  return TRUE;
}

void
_gaio_handle_discard (GaioHandle *handle)
{
  if (state_transition (handle, GAIO_HANDLE_PENDING, GAIO_HANDLE_CANCELLED))
    gaio_handle_release_closure (handle);
}

/**
 * gaio_handle_cancel:
 * @handle: a #GaioHandle
 *
 * Cancels the callback: if it has not started, it never runs, and the
 * destroy notify given when it was scheduled runs now, in the calling
 * thread. Cancelling a callback that already started or ran stops
 * nothing, but marks the handle cancelled all the same (asyncio's
 * `Handle.cancel()`); cancelling twice does nothing more.
 *
 * Safe to call from any thread.
 *
 * Since: 1.0
 */
void
gaio_handle_cancel (GaioHandle *handle)
{
  g_return_if_fail (handle != NULL);

  if (!state_transition (handle, GAIO_HANDLE_PENDING, GAIO_HANDLE_CANCELLED))
    {
      __atomic_store_n (&handle->cancelled_late, TRUE, __ATOMIC_RELAXED);
      return;
    }

  /* A timer's fields are set before the handle is published and kept
   * until the last unref, so reading them here races with nothing. */
  if (handle->is_timer)
    _gaio_timer_cancels_add (handle->u.timer.cancels);

  gaio_handle_release_closure (handle);
}

/**
 * gaio_handle_is_cancelled:
 * @handle: a #GaioHandle
 *
 * Whether [method@Gaio.Handle.cancel] was called on @handle, before or
 * after its callback ran (asyncio's `Handle.cancelled()`).
 *
 * Returns: %TRUE if cancelled
 *
 * Since: 1.0
 */
gboolean
gaio_handle_is_cancelled (GaioHandle *handle)
{
  g_return_val_if_fail (handle != NULL, FALSE);

  return __atomic_load_n (&handle->state, __ATOMIC_SEQ_CST) == GAIO_HANDLE_CANCELLED ||
         __atomic_load_n (&handle->cancelled_late, __ATOMIC_RELAXED);
}

/**
 * gaio_handle_is_timer:
 * @handle: a #GaioHandle
 *
 * Whether @handle was scheduled with a deadline, by
 * [method@Gaio.Loop.call_later] or [method@Gaio.Loop.call_at] (asyncio's
 * `TimerHandle`).
 *
 * Returns: %TRUE for a timer
 *
 * Since: 1.0
 */
gboolean
gaio_handle_is_timer (GaioHandle *handle)
{
  g_return_val_if_fail (handle != NULL, FALSE);

  return handle->is_timer;
}

/**
 * gaio_handle_get_when:
 * @handle: a #GaioHandle
 *
 * The deadline of a timer, in the time base of [method@Gaio.Loop.time].
 *
 * Returns: the deadline in seconds, or -1 if @handle is not a timer
 *
 * Since: 1.0
 */
gdouble
gaio_handle_get_when (GaioHandle *handle)
{
  g_return_val_if_fail (handle != NULL, -1);

  if (!handle->is_timer)
    return -1;

  return handle->u.timer.when / (gdouble) G_USEC_PER_SEC;
}

/**
 * gaio_handle_set_name:
 * @handle: a #GaioHandle
 * @name: (nullable): a name for the callback
 *
 * Names the callback in reports and in [method@Gaio.Handle.to_string].
 * Without a name, the callback's symbol name is used when the platform
 * can find it. Call it right after scheduling, on the loop's thread.
 *
 * Since: 1.0
 */
void
gaio_handle_set_name (GaioHandle *handle,
                      const char *name)
{
  g_return_if_fail (handle != NULL);

  if (name == NULL && handle->extra == NULL)
    return;

  g_free (_gaio_handle_get_extra (handle)->name);
  handle->extra->name = g_strdup (name);
}

/**
 * gaio_handle_dup_name:
 * @handle: a #GaioHandle
 *
 * The name of the callback: the one set with
 * [method@Gaio.Handle.set_name], else the callback's symbol name, else
 * its address.
 *
 * Returns: (transfer full): the name
 *
 * Since: 1.0
 */
char *
gaio_handle_dup_name (GaioHandle *handle)
{
  g_return_val_if_fail (handle != NULL, NULL);

  if (_gaio_handle_get_name (handle) != NULL)
    return g_strdup (_gaio_handle_get_name (handle));
  if (_gaio_handle_get_static_name (handle) != NULL)
    return g_strdup (_gaio_handle_get_static_name (handle));

  if (handle->callback == NULL)
    return g_strdup ("<released>");

  return _gaio_debug_symbol_name ((gpointer) handle->callback);
}

/**
 * gaio_handle_to_string:
 * @handle: a #GaioHandle
 *
 * A description in asyncio's repr format: `<Handle NAME()>`,
 * `<TimerHandle when=WHEN NAME()>`, `<Handle cancelled>`. In debug mode
 * it ends with ` created at SITE`, the function that scheduled the
 * callback (asyncio's `created at FILE:LINE`), and a cancelled handle
 * keeps its callback's name.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_handle_to_string (GaioHandle *handle)
{
  const char *kind;
  g_autofree char *name = NULL;
  g_autofree char *when = NULL;
  g_autofree char *created = NULL;

  g_return_val_if_fail (handle != NULL, NULL);

  kind = handle->is_timer ? "TimerHandle" : "Handle";
  if (handle->is_timer)
    when = g_strdup_printf (" when=%.6f", handle->u.timer.when / (gdouble) G_USEC_PER_SEC);

  if (_gaio_handle_get_traceback (handle) != NULL)
    {
      g_autofree char *site = _gaio_traceback_describe (_gaio_handle_get_traceback (handle));

      if (site != NULL)
        created = g_strdup_printf (" created at %s", site);
    }

  /* In debug mode the name was kept when the closure went (DB-03). */
  if (gaio_handle_is_cancelled (handle) && (_gaio_handle_get_traceback (handle) == NULL ||
                                            !_gaio_handle_has_name (handle)))
    return g_strdup_printf ("<%s cancelled%s%s>", kind, when ? when : "", created ? created : "");

  name = gaio_handle_dup_name (handle);
  return g_strdup_printf ("<%s%s%s %s()%s>", kind,
                          gaio_handle_is_cancelled (handle) ? " cancelled" : "",
                          when ? when : "", name, created ? created : "");
}
