/* gaio-future.c: the result of an operation that is not done yet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's Future: pending, then cancelled or finished with a result or
 * an error. Results are GValues, so any type a binding understands fits.
 * Done callbacks never run inside the call that completed the future:
 * completion schedules them on the loop, all in one ready-queue entry
 * (they would be consecutive entries anyway, so the order asyncio gives
 * is kept at the cost of one handle instead of one per callback).
 *
 * A value, not an object. A future is made for every job, every await
 * and every done callback, so it costs what a GSource costs: one block,
 * an atomic reference count (gaio_future_ref(), gaio_future_unref()) and
 * a boxed GType whose copy is a reference, which every PyGObject and GJS
 * release handles. A task is the other kind of future: its structure
 * begins with this one's, and a small table (GaioFutureClass in
 * gaio-future-private.h) holds what it does differently.
 *
 * The last unref. asyncio reports an error nobody retrieved from the
 * future's __del__, and the report hands the future to the exception
 * handler, which may keep it. So the last unref takes the reference
 * back, lets the kind dispose of what it holds, reports, and drops the
 * reference again: the future is freed only if nobody took one
 * meanwhile (GObject's dispose allows the same resurrection). The report
 * is made once in the future's life.
 *
 * Futures are not thread-safe, as asyncio's are not: they are used on
 * the loop's thread; only their reference count is atomic, so that a
 * worker thread may hold one. Other threads complete them by posting to
 * the loop with gaio_loop_call_soon_threadsafe().
 *
 * The GIO bridge (gaio_future_new_for_async(), gaio_future_wait_async()
 * and the _async/_finish pairs built on it) is in gaio-future-gio.c.
 */

#include "config.h"

#include "gaio-block-cache-private.h"
#include "gaio-debug-private.h"
#include "gaio-exception-context-private.h"
#include "gaio-future-private.h"
#include "gaio-handle-private.h"
#include "gaio-loop-private.h"

typedef struct
{
  GaioFutureCallback callback;
  gpointer           user_data;
  GDestroyNotify     notify;
  GaioFuture        *task;     /* (unowned) set for a task's wakeup: user_data owns it */
} DoneCallback;

/* The done callbacks of a future, in the order they were added, in one
 * block. Once the future is done the same block is the closure of the
 * handle that runs them (asyncio schedules one handle per callback;
 * consecutive ones share a handle here, which keeps their order).
 *
 * The first list of a future's life is embedded in it (inline_callbacks),
 * so that a future with one callback, as every await makes, costs no
 * allocation for it. Scheduled, the embedded list is the handle's
 * closure and holds the future (list->future), so its memory too; a
 * second callback moves the entries to the heap and leaves it unused. */
struct _GaioFutureCallbacks
{
  GaioFuture   *future;      /* (owned) (nullable) set once scheduled */
  guint         next;        /* the first callback not run yet */
  guint         len;
  guint         allocated;
  guint         embedded : 1;    /* inside the future: never g_free()d */
  guint         shares_ref : 1;  /* future is a task's await reference, shared */
  DoneCallback  items[];
};

typedef GaioFutureCallbacks CallbackList;

G_STATIC_ASSERT (sizeof (CallbackList) + sizeof (DoneCallback) <=
                 GAIO_FUTURE_INLINE_CALLBACK_WORDS * sizeof (gpointer));

/**
 * GaioFuture:
 *
 * asyncio's `Future`: the result of an operation that is not done yet.
 *
 * A future starts pending and ends cancelled or finished, with a result
 * (any type a #GValue holds) or a #GError. Done callbacks added with
 * [method@Gaio.Future.add_done_callback] run on the loop's thread once
 * it is done, never from inside the call that completed it.
 *
 * A future is a reference-counted value, as a #GSource or a #GBytes is:
 * [method@Gaio.Future.ref] and [method@Gaio.Future.unref] (atomic, so any
 * thread may hold a reference), `g_autoptr(GaioFuture)` in C, and a boxed
 * type that bindings hold by reference. A [struct@Gaio.Task] is a
 * future too: GAIO_FUTURE() casts it.
 *
 * An error set on a future that nobody reads before its last reference
 * goes is reported through the loop's exception handler as `Future
 * exception was never retrieved`.
 *
 * Futures are used from the loop's thread.
 *
 * Since: 1.0
 */

static char *describe_boxed_future (gconstpointer boxed);

/* Scalar results. The fundamental types whose GValue holds the datum
 * itself, with nothing to free and a bitwise copy as g_value_copy(): a
 * copy of such a GValue fresh from g_value_init() is one initialized to
 * the type's zero, a copy of a set one is g_value_copy(), and zeroing one
 * is g_value_unset(). A hand-off between tasks sets, reads and drops one
 * result; this saves GType's value-table lookups and checks on each. */
#define N_PLAIN_TYPES ((G_TYPE_POINTER >> G_TYPE_FUNDAMENTAL_SHIFT) + 1)

static GValue plain_values[N_PLAIN_TYPES];  /* set once, with the type; never changed */
static gint   type_ready;                   /* (atomic) future_type_init() ran */

static gboolean
type_is_plain (GType type)
{
  switch (type)
    {
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR:
    case G_TYPE_BOOLEAN:
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_LONG:
    case G_TYPE_ULONG:
    case G_TYPE_INT64:
    case G_TYPE_UINT64:
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
    case G_TYPE_POINTER:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Runs once, when the type is registered: every future is made after
 * (_gaio_future_init() asks for the type). */
static void
future_type_init (GType type)
{
  for (guint i = 0; i < N_PLAIN_TYPES; i++)
    if (type_is_plain (G_TYPE_MAKE_FUNDAMENTAL (i)))
      g_value_init (&plain_values[i], G_TYPE_MAKE_FUNDAMENTAL (i));

  /* Reports print a future in a context through this, so that the
   * exception context need not know futures. */
  _gaio_exception_context_register_future_type (type, describe_boxed_future);
  /* Handles name the task whose step they run, and let go of it so. */
  _gaio_handle_set_task_release ((GDestroyNotify) gaio_future_unref);
  g_atomic_int_set (&type_ready, TRUE);
}

G_DEFINE_BOXED_TYPE_WITH_CODE (GaioFuture, gaio_future, gaio_future_ref, gaio_future_unref,
                               future_type_init (g_define_type_id))

/* g_value_init (@value, @type), @value being unset. */
static inline void
value_init (GValue *value,
            GType   type)
{
  if (type_is_plain (type))
    *value = plain_values[type >> G_TYPE_FUNDAMENTAL_SHIFT];
  else
    g_value_init (value, type);
}

/* g_value_init() and g_value_copy() from @src to @dest. An initialized
 * @dest takes the slow path, whose g_value_init() warns about it. */
static inline void
value_init_copy (const GValue *src,
                 GValue       *dest)
{
  if (type_is_plain (G_VALUE_TYPE (src)) && G_VALUE_TYPE (dest) == G_TYPE_INVALID)
    {
      *dest = *src;
      return;
    }
  g_value_init (dest, G_VALUE_TYPE (src));
  g_value_copy (src, dest);
}

void
_gaio_future_copy_value (const GValue *src,
                         GValue       *dest)
{
  value_init_copy (src, dest);
}

static inline void
value_unset (GValue *value)
{
  if (type_is_plain (G_VALUE_TYPE (value)))
    *value = (GValue) G_VALUE_INIT;
  else if (G_IS_VALUE (value))
    g_value_unset (value);
}

static CallbackList *
callback_list_new (guint allocated)
{
  CallbackList *list = g_malloc (sizeof (CallbackList) + allocated * sizeof (DoneCallback));

  list->future = NULL;
  list->next = 0;
  list->len = 0;
  list->allocated = allocated;
  list->embedded = FALSE;
  list->shares_ref = FALSE;

  return list;
}

/* Frees the block only: its entries were moved or have run. */
static void
callback_list_discard (CallbackList *list)
{
  if (!list->embedded)
    g_free (list);
}

/* Returns the list, moved if it had to grow: an embedded list moves its
 * entries to the heap and is left behind, unused. */
static CallbackList *
callback_list_append (CallbackList       *list,
                      const DoneCallback *entries,
                      guint               n_entries)
{
  if (list == NULL)
    list = callback_list_new (MAX (n_entries, 1));
  if (list->len + n_entries > list->allocated && list->embedded)
    {
      CallbackList *moved = callback_list_new (MAX (list->len * 2, list->len + n_entries));

      memcpy (moved->items, list->items, list->len * sizeof (DoneCallback));
      moved->len = list->len;
      list = moved;
    }
  else if (list->len + n_entries > list->allocated)
    {
      list->allocated = MAX (list->allocated * 2, list->len + n_entries);
      list = g_realloc (list, sizeof (CallbackList) + list->allocated * sizeof (DoneCallback));
    }
  memcpy (&list->items[list->len], entries, n_entries * sizeof (DoneCallback));
  list->len += n_entries;

  return list;
}

/* Runs klass->resumed() if it has not run since the future was done
 * (GaioFutureClass): every loop callback that runs done callbacks calls
 * this first, so the first of them runs it; one dropped unrun calls it
 * with @ran FALSE. */
static inline void
run_resumed (GaioFuture *future,
             gboolean    ran)
{
  if (G_LIKELY (!future->resume_pending))
    return;

  future->resume_pending = FALSE;
  future->klass->resumed (future, ran);
}

/* Also runs the notifies of the callbacks that never ran: removed with
 * the future, or dropped because the loop closed first. */
static void drop_shared_ref (GaioFuture *future);

static void
callback_list_free (gpointer data)
{
  CallbackList *list = data;
  gboolean shared = list->shares_ref;
  GaioFuture *future;

  if (list->future != NULL)
    run_resumed (list->future, FALSE);
  for (guint i = list->next; i < list->len; i++)
    if (list->items[i].notify != NULL)
      list->items[i].notify (list->items[i].user_data);
  future = g_steal_pointer (&list->future);
  callback_list_discard (list);

  /* Last: an embedded list lives inside this future. */
  if (future != NULL && shared)
    drop_shared_ref (future);
  else if (future != NULL)
    gaio_future_unref (future);
}

static void
clear_result (GaioFuture *future)
{
  if (future->result_destroy != NULL && G_VALUE_HOLDS_POINTER (&future->result))
    future->result_destroy (g_value_get_pointer (&future->result));
  future->result_destroy = NULL;
  value_unset (&future->result);
}

static void
report_unretrieved_error (GaioFuture *future)
{
  g_autofree char *message = g_strdup_printf ("%s exception was never retrieved",
                                              future->klass->kind);
  g_autoptr(GaioExceptionContext) context = gaio_exception_context_new (message);

  gaio_exception_context_set_error (context, future->error);
  gaio_exception_context_set_future (context, future);
  if (future->traceback != NULL)
    {
      g_auto(GStrv) frames = _gaio_traceback_format (future->traceback);

      gaio_exception_context_set_source_traceback (context, (const char * const *) frames);
    }
  gaio_loop_call_exception_handler (future->loop, context);
}

/* What g_new0() gives, for a block taken back from the list: every
 * field zero but the embedded callback list, which is filled in whole
 * when it is first used (add_pending_callback()). Field by field: a
 * memset() of the block is a `rep stos` (27 stores one at a time, slow
 * to start) where these become a few 16-byte stores. */
static inline GaioFuture *
block_reset (GaioFuture *future)
{
  future->klass = NULL;
  future->ref_count = 0;
  future->loop = NULL;
  future->state = GAIO_FUTURE_PENDING;
  future->result = (GValue) G_VALUE_INIT;
  future->result_destroy = NULL;
  future->error = NULL;
  future->error_unretrieved = FALSE;
  future->reported = FALSE;
  future->sealed = FALSE;
  future->hold_callbacks = FALSE;
  future->callbacks = NULL;
  future->cancellable = NULL;
  future->cancel_hook = NULL;
  future->cancel_hook_data = NULL;
  future->cancel_hook_destroy = NULL;
  future->finish = NULL;
  future->finish_type = G_TYPE_INVALID;
  future->traceback = NULL;
  future->share_task = NULL;
  future->share_holders = 0;
  future->dropped = FALSE;
  future->resume_pending = FALSE;

  return future;
}

void
_gaio_future_reset_block (GaioFuture *future)
{
  block_reset (future);
}

/* A plain future's block: one freed earlier in this thread
 * (gaio-block-cache.c), cleared, or a new one. */
static GaioFuture *
block_new (void)
{
  GaioFuture *future = _gaio_block_cache_take (GAIO_BLOCK_FUTURE);

  return future != NULL ? block_reset (future) : g_new0 (GaioFuture, 1);
}

/* Only plain futures' blocks are kept here: another kind's is larger,
 * and kept by its free_block hook if at all. */
static void
block_free (GaioFuture *future)
{
  if (future->klass->free_block != NULL)
    future->klass->free_block (future);
  else if (future->klass == &_gaio_future_class)
    _gaio_block_cache_give (GAIO_BLOCK_FUTURE, future);
  else
    g_free (future);
}

/* Frees everything: the last reference went and nobody took one back.
 * Runs user code (the result's and the callbacks' destroy notifies). */
static inline void
future_free (GaioFuture *future)
{
  /* The hook's data is all there is to free: the test spares a call
   * for the futures that have none, nearly all. */
  if (G_UNLIKELY (future->cancel_hook_destroy != NULL))
    _gaio_future_set_cancel_hook (future, NULL, NULL, NULL);
  if (future->klass->finalize != NULL)
    future->klass->finalize (future);
  clear_result (future);
  if (future->error != NULL)
    g_clear_error (&future->error);
  if (future->callbacks != NULL)
    callback_list_free (g_steal_pointer (&future->callbacks));
  g_clear_object (&future->cancellable);
  g_clear_pointer (&future->traceback, _gaio_traceback_free);
  _gaio_loop_release (future->loop);
  block_free (future);
}

static void last_unref (GaioFuture *future);
static gboolean dispose_and_report (GaioFuture *future);

/**
 * gaio_future_ref:
 * @future: a #GaioFuture
 *
 * Takes a reference on @future. Any thread.
 *
 * Returns: (transfer full): @future
 *
 * Since: 1.0
 */
GaioFuture *
gaio_future_ref (GaioFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (g_atomic_int_get (&future->ref_count) > 0, NULL);

  g_atomic_int_inc (&future->ref_count);

  return future;
}

/**
 * gaio_future_unref:
 * @future: (transfer full): a #GaioFuture
 *
 * Drops a reference on @future. The last one frees it; if it holds an
 * error nobody retrieved, that is first reported through its loop's
 * exception handler (`Future exception was never retrieved`), on the
 * calling thread.
 *
 * Since: 1.0
 */
void
gaio_future_unref (GaioFuture *future)
{
  g_return_if_fail (future != NULL);

  /* A count of one is the caller's own reference: no other thread can
   * take one meanwhile (taking one needs one), so the last reference is
   * recognised with a plain read, without the locked decrement. */
  if (g_atomic_int_get (&future->ref_count) == 1 ||
      g_atomic_int_dec_and_test (&future->ref_count))
    last_unref (future);
}

/* The last reference went (the count reads 1 or 0; the future is ours).
 * Out of line, as the unref before it is on every hand-off's path and
 * this only once in a future's life. */
G_GNUC_NO_INLINE static void
last_unref (GaioFuture *future)
{
  gboolean report = future->error_unretrieved && !future->reported;

  if (G_UNLIKELY (future->klass->dispose != NULL || report) && !dispose_and_report (future))
    return;

  future_free (future);
}

/* The part of the last unref that a plain future without an error to
 * report skips. Returns whether the future is still to be freed: nobody
 * took a reference back. */
G_GNUC_NO_INLINE static gboolean
dispose_and_report (GaioFuture *future)
{
  /* Resurrected for what follows, which may take references (see the
   * top of the file). */
  g_atomic_int_set (&future->ref_count, 1);

  if (future->klass->dispose != NULL)
    future->klass->dispose (future);
  if (future->error_unretrieved && !future->reported)
    {
      future->reported = TRUE;
      report_unretrieved_error (future);
    }

  return g_atomic_int_get (&future->ref_count) == 1 ||
         g_atomic_int_dec_and_test (&future->ref_count);
}

const GaioFutureClass _gaio_future_class = {
  .kind = "Future",
  .cancel = _gaio_future_real_cancel,
  .to_string = NULL,  /* the plain repr: see gaio_future_to_string() */
};

void
_gaio_future_init (GaioFuture            *future,
                   const GaioFutureClass *klass,
                   GaioLoop              *loop)
{
  /* Registers the type, and with it the plain values (future_type_init()),
   * before the first future: one atomic read after that. */
  if (G_UNLIKELY (!g_atomic_int_get (&type_ready)))
    g_type_ensure (gaio_future_get_type ());

  future->klass = klass;
  future->ref_count = 1;
  future->loop = loop;
  _gaio_loop_hold (loop);
  if (G_UNLIKELY (_gaio_loop_get_debug (loop)))
    future->traceback = _gaio_traceback_capture_here ();
}

/**
 * gaio_future_new:
 * @loop: the loop the future belongs to
 *
 * Creates a pending future (asyncio's `loop.create_future()`). Its done
 * callbacks run on @loop.
 *
 * Returns: (transfer full): a new #GaioFuture
 *
 * Since: 1.0
 */
GaioFuture *
gaio_future_new (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  return _gaio_future_new (loop);
}

GaioFuture *
_gaio_future_new (GaioLoop *loop)
{
  GaioFuture *future = block_new ();

  _gaio_future_init (future, &_gaio_future_class, loop);

  return future;
}

void
_gaio_future_seal (GaioFuture *future)
{
  future->sealed = TRUE;
}

void
_gaio_future_mark_retrieved (GaioFuture *future)
{
  future->error_unretrieved = FALSE;

  /* Only the awaiters call this on a future they awaited (gaio-task.c):
   * a result they let go of unread goes back to whoever handed it over. */
  if (future->klass->dropped != NULL && future->state == GAIO_FUTURE_FINISHED &&
      future->error == NULL && !future->dropped)
    {
      future->dropped = TRUE;
      future->klass->dropped (future);
    }
}

/**
 * gaio_future_get_loop:
 * @future: a #GaioFuture
 *
 * Gets the loop the future belongs to.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 1.0
 */
GaioLoop *
gaio_future_get_loop (GaioFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  return future->loop;
}

/**
 * gaio_future_get_state:
 * @future: a #GaioFuture
 *
 * Gets the state of the future.
 *
 * Returns: the state
 *
 * Since: 1.0
 */
GaioFutureState
gaio_future_get_state (GaioFuture *future)
{
  g_return_val_if_fail (future != NULL, GAIO_FUTURE_PENDING);

  return future->state;
}

/**
 * gaio_future_is_done:
 * @future: a #GaioFuture
 *
 * Whether the future is cancelled or finished (asyncio's `done()`).
 *
 * Returns: %TRUE if done
 *
 * Since: 1.0
 */
gboolean
gaio_future_is_done (GaioFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return future->state != GAIO_FUTURE_PENDING;
}

/**
 * gaio_future_is_cancelled:
 * @future: a #GaioFuture
 *
 * Whether the future was cancelled (asyncio's `cancelled()`).
 *
 * Returns: %TRUE if cancelled
 *
 * Since: 1.0
 */
gboolean
gaio_future_is_cancelled (GaioFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return future->state == GAIO_FUTURE_CANCELLED;
}

static gboolean
run_callbacks (gpointer   user_data,
               GError   **error)
{
  CallbackList *list = user_data;

  run_resumed (list->future, TRUE);
  while (list->next < list->len)
    {
      DoneCallback *entry = &list->items[list->next++];

      entry->callback (list->future, entry->user_data);
      if (entry->notify != NULL)
        entry->notify (entry->user_data);
    }

  return TRUE;
}

/* run_callbacks() and callback_list_free() for a task's wakeup, a list
 * of that one entry whose notify schedule_wakeup() cleared (the handle
 * holds the task instead): the same, without the loops over entries. */
static gboolean
run_wakeup (gpointer   user_data,
            GError   **error)
{
  CallbackList *list = user_data;

  run_resumed (list->future, TRUE);
  list->next = 1;
  list->items[0].callback (list->future, list->items[0].user_data);

  return TRUE;
}

static void
wakeup_list_free (gpointer data)
{
  CallbackList *list = data;
  gboolean shared = list->shares_ref;
  GaioFuture *future = list->future;

  g_assert (list->len == 1 && list->items[0].notify == NULL);
  run_resumed (future, FALSE);
  callback_list_discard (list);

  /* Last: an embedded list lives inside this future. */
  if (shared)
    drop_shared_ref (future);
  else
    gaio_future_unref (future);
}

/* The wakeup of a task suspended in gaio_await() on @future (the only
 * kind of task entry: see _gaio_future_add_task_callback()). That frame
 * holds a reference until it returns, after the wakeup is scheduled; the
 * wakeup's list needs one until its handle is done with it, since it may
 * live inside the future. Rather than take one of its own (two atomic
 * operations on every await), the list shares the frame's: whichever
 * lets go last releases it (_gaio_future_release_awaited(),
 * callback_list_free()). Usually the frame returns inside the wakeup and
 * the list goes after; a closing loop drops the list first. Both holders
 * are on the loop's thread, so the count is plain. One share per future
 * at a time: the wakeups of other tasks awaiting it take references. */
static void
share_await_ref (GaioFuture   *future,
                 CallbackList *list,
                 GaioFuture   *task)
{
  if (future->share_holders != 0)
    {
      list->future = gaio_future_ref (future);
      return;
    }

  future->share_task = task;
  future->share_holders = 2;
  list->future = future;
  list->shares_ref = TRUE;
}

static void
drop_shared_ref (GaioFuture *future)
{
  g_assert (future->share_holders > 0);
  if (--future->share_holders == 0)
    gaio_future_unref (future);
}

void
_gaio_future_release_awaited (GaioFuture *future,
                              GaioFuture *task)
{
  if (task == NULL || future->share_task != task)
    {
      gaio_future_unref (future);
      return;
    }

  /* This frame's share: the task cannot await this future again until
   * the frame has returned, so no later frame of it matches. */
  future->share_task = NULL;
  drop_shared_ref (future);
}

/* A task's wakeup, a list of that one entry, gets a handle of its own
 * that names the task. The handle takes over the entry's reference on
 * the task: it holds it from before the callback runs to after, or until
 * a closing loop drops the handle. */
static void
schedule_wakeup (GaioFuture   *future,
                 CallbackList *list)
{
  GaioFuture *task = list->items[0].task;

  g_assert (list->len == 1 && task != NULL);
  g_assert (list->items[0].user_data == task &&
            list->items[0].notify == (GDestroyNotify) gaio_future_unref);
  list->items[0].notify = NULL;
  share_await_ref (future, list, task);

  _gaio_loop_schedule (future->loop, run_wakeup, list, wakeup_list_free,
                       "GaioTask.wakeup", task);
}

static void
schedule_list (GaioFuture   *future,
               CallbackList *list)
{
  if (list->len == 1 && list->items[0].task != NULL)
    {
      schedule_wakeup (future, list);
      return;
    }

  list->future = gaio_future_ref (future);
  _gaio_loop_schedule (future->loop, run_callbacks, list, callback_list_free,
                       "GaioFuture.done_callbacks", NULL);
}

/* Schedules the callbacks in the order they were added: runs of plain
 * callbacks share one handle; each task wakeup has its own. */
static void
schedule_callbacks (GaioFuture   *future,
                    CallbackList *list)
{
  guint start = 0;
  gboolean any_task = FALSE;

  for (guint i = 0; i < list->len; i++)
    any_task |= list->items[i].task != NULL;

  /* The common cases, one kind of callback only, move the list as is. */
  if (!any_task || list->len == 1)
    {
      schedule_list (future, list);
      return;
    }

  for (guint i = 0; i <= list->len; i++)
    {
      gboolean at_end = i == list->len;
      gboolean is_task = !at_end && list->items[i].task != NULL;

      if ((at_end || is_task) && i > start)
        schedule_list (future, callback_list_append (NULL, &list->items[start], i - start));
      if (is_task)
        {
          schedule_list (future, callback_list_append (NULL, &list->items[i], 1));
          start = i + 1;
        }
    }

  /* Every entry moved: free the block without running notifies. */
  callback_list_discard (list);
}

void
_gaio_future_resume_now (GaioFuture *future)
{
  run_resumed (future, TRUE);
}

static gboolean
run_resumed_alone (gpointer   user_data,
                   GError   **error)
{
  run_resumed (user_data, TRUE);
  return TRUE;
}

static void
resumed_alone_free (gpointer data)
{
  GaioFuture *future = data;

  run_resumed (future, FALSE);
  gaio_future_unref (future);
}

/* klass->resumed() for a future done with no callbacks, which runs it
 * where the first would have run. */
static void
schedule_resumed (GaioFuture *future)
{
  _gaio_loop_schedule (future->loop, run_resumed_alone, gaio_future_ref (future),
                       resumed_alone_free, "GaioFuture.resumed", NULL);
}

static void
mark_done (GaioFuture      *future,
           GaioFutureState  state)
{
  CallbackList *list;

  future->state = state;
  if (G_UNLIKELY (future->klass->resumed != NULL))
    future->resume_pending = TRUE;
  if (G_UNLIKELY (future->hold_callbacks))
    return;

  list = g_steal_pointer (&future->callbacks);
  /* The one task awaiting, the common case of a hand-off, skips the
   * sorting of schedule_callbacks(). */
  if (list != NULL && list->len == 1 && list->items[0].task != NULL)
    schedule_wakeup (future, list);
  else if (list != NULL && list->len > 0)
    schedule_callbacks (future, list);
  else
    {
      if (list != NULL)
        callback_list_discard (list);
      if (G_UNLIKELY (future->resume_pending))
        schedule_resumed (future);
    }
}

void
_gaio_future_hold_callbacks (GaioFuture *future)
{
  g_assert (future->state == GAIO_FUTURE_PENDING);

  future->hold_callbacks = TRUE;
}

void
_gaio_future_run_held_callbacks (GaioFuture *future)
{
  CallbackList *list;

  g_assert (future->hold_callbacks && future->state != GAIO_FUTURE_PENDING);

  future->hold_callbacks = FALSE;
  run_resumed (future, TRUE);
  list = g_steal_pointer (&future->callbacks);
  if (list == NULL)
    return;
  if (list->len == 0)
    {
      callback_list_discard (list);
      return;
    }

  /* As a scheduled list would: it holds the future while its entries
   * run, and runs each entry's notify after its callback (for a task's
   * wakeup, dropping the entry's reference on the task). */
  list->future = gaio_future_ref (future);
  run_callbacks (list, NULL);
  callback_list_free (list);
}

void
_gaio_future_unhold_callbacks (GaioFuture *future)
{
  g_assert (future->hold_callbacks && future->state == GAIO_FUTURE_PENDING);

  future->hold_callbacks = FALSE;
}

void
_gaio_future_run_held_wakeups (GaioFuture *future)
{
  CallbackList *list = future->callbacks;
  CallbackList *wakeups = NULL, *others = NULL;

  g_assert (future->hold_callbacks && future->state != GAIO_FUTURE_PENDING);

  run_resumed (future, TRUE);
  /* The common case, one task awaiting and nothing else. */
  if (list == NULL || list->len == 0 || (list->len == 1 && list->items[0].task != NULL))
    {
      _gaio_future_run_held_callbacks (future);
      return;
    }

  future->hold_callbacks = FALSE;
  future->callbacks = NULL;
  for (guint i = 0; i < list->len; i++)
    {
      if (list->items[i].task != NULL)
        wakeups = callback_list_append (wakeups, &list->items[i], 1);
      else
        others = callback_list_append (others, &list->items[i], 1);
    }
  callback_list_discard (list);

  /* Scheduled first, as the completion would have scheduled them. */
  if (others != NULL)
    schedule_list (future, others);
  if (wakeups != NULL)
    {
      wakeups->future = gaio_future_ref (future);
      run_callbacks (wakeups, NULL);
      callback_list_free (wakeups);
    }
}

/* Debug mode, asyncio's _check_thread(): a future with callbacks to
 * schedule is completed (or cancelled) from another thread than its
 * loop's, which asyncio refuses in the call_soon() that would schedule
 * them. Refused here before the future changes, so that it stays
 * pending. Only a future created in debug mode (it has its traceback)
 * asks, so that a completion pays one test when debug mode is off. */
static inline gboolean
is_debug_wrong_thread (GaioFuture *future,
                       const char *function)
{
  return G_UNLIKELY (future->traceback != NULL) &&
         (future->callbacks != NULL || future->sealed) &&
         !_gaio_loop_check_thread (future->loop, function);
}

G_GNUC_NO_INLINE static gboolean
refuse_wrong_thread (const char  *function,
                     GError     **error)
{
  g_set_error (error, GAIO_ERROR, GAIO_ERROR_WRONG_THREAD,
               "%s: Non-thread-safe operation invoked on an event loop other than the current one",
               function);
  return FALSE;
}

/**
 * gaio_future_cancel:
 * @future: a #GaioFuture
 * @message: (nullable): why, kept in the %G_IO_ERROR_CANCELLED error
 *
 * Cancels a pending future (asyncio's `cancel(msg)`): it becomes
 * cancelled, its #GCancellable (see [method@Gaio.Future.get_cancellable])
 * is cancelled and its done callbacks are scheduled. Reading its result
 * then fails with %G_IO_ERROR_CANCELLED carrying @message. Loop thread
 * only: in debug mode, a future with done callbacks (a task among them)
 * is not cancelled from another thread while its loop runs, and a
 * critical says so.
 *
 * Returns: %TRUE if the future was pending and is now cancelled
 *
 * Since: 1.0
 */
gboolean
gaio_future_cancel (GaioFuture *future,
                    const char *message)
{
  g_return_val_if_fail (future != NULL, FALSE);

  /* The critical is the refusal: cancel() has no error to set. */
  if (future->state == GAIO_FUTURE_PENDING && is_debug_wrong_thread (future, "gaio_future_cancel"))
    return FALSE;

  return future->klass->cancel (future, message);
}

gboolean
_gaio_future_real_cancel (GaioFuture *future,
                         const char *message)
{

  /* asyncio's cancel() clears __log_traceback even when it returns
   * False: an error set before the cancel is not reported (DB-09). */
  future->error_unretrieved = FALSE;

  if (future->state != GAIO_FUTURE_PENDING)
    return FALSE;

  future->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     message != NULL ? message : "Future was cancelled");
  mark_done (future, GAIO_FUTURE_CANCELLED);

  if (future->cancel_hook != NULL)
    {
      GaioFutureCancelHook hook = g_steal_pointer (&future->cancel_hook);
      gpointer data = g_steal_pointer (&future->cancel_hook_data);
      GDestroyNotify destroy = g_steal_pointer (&future->cancel_hook_destroy);

      hook (future, data);
      if (destroy != NULL)
        destroy (data);
    }
  if (future->cancellable != NULL)
    g_cancellable_cancel (future->cancellable);

  return TRUE;
}

void
_gaio_future_set_cancel_hook (GaioFuture           *future,
                              GaioFutureCancelHook  hook,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  gpointer old_data = future->cancel_hook_data;
  GDestroyNotify old_destroy = future->cancel_hook_destroy;

  future->cancel_hook = hook;
  future->cancel_hook_data = user_data;
  future->cancel_hook_destroy = destroy;

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * gaio_future_get_cancellable:
 * @future: a #GaioFuture
 *
 * Gets a #GCancellable that is cancelled when the future is cancelled:
 * hand it to the operation whose result the future will hold.
 *
 * Returns: (transfer none): the cancellable, owned by the future
 *
 * Since: 1.0
 */
GCancellable *
gaio_future_get_cancellable (GaioFuture *future)
{

  g_return_val_if_fail (future != NULL, NULL);

  if (future->cancellable == NULL)
    {
      future->cancellable = g_cancellable_new ();
      if (future->state == GAIO_FUTURE_CANCELLED)
        g_cancellable_cancel (future->cancellable);
    }

  return future->cancellable;
}

static char *
describe (GaioFuture *future)
{
  g_autofree char *repr = gaio_future_to_string (future);
  const char *state;

  switch (future->state)
    {
    case GAIO_FUTURE_PENDING:
      state = "PENDING";
      break;
    case GAIO_FUTURE_CANCELLED:
      state = "CANCELLED";
      break;
    case GAIO_FUTURE_FINISHED:
    default:
      state = "FINISHED";
      break;
    }

  return g_strdup_printf ("%s: %s", state, repr);
}

static gboolean refuse_completion (GaioFuture  *future,
                                   gboolean     setting_error,
                                   GError     **error);

/* Whether the future may be completed, with @error set if not. Inline:
 * every completion asks, and the answer is almost always yes. */
static inline gboolean
check_pending_full (GaioFuture  *future,
                    gboolean     setting_error,
                    GError     **error)
{
  const char *function = setting_error ? "gaio_future_set_error" : "gaio_future_set_result";

  if (G_LIKELY (!future->sealed && future->state == GAIO_FUTURE_PENDING))
    return !is_debug_wrong_thread (future, function) || refuse_wrong_thread (function, error);

  return refuse_completion (future, setting_error, error);
}

#define check_pending(future, error) check_pending_full ((future), FALSE, (error))

G_GNUC_NO_INLINE static gboolean
refuse_completion (GaioFuture  *future,
                   gboolean     setting_error,
                   GError     **error)
{
  g_autofree char *text = NULL;

  if (future->sealed)
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                   "%s does not support %s operation", future->klass->kind,
                   setting_error ? "set_exception" : "set_result");
      return FALSE;
    }

  text = describe (future);
  g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE, text);

  return FALSE;
}

/* Finishes a pending future with the contents of @value, leaving it
 * unset. */
static void
finish_with_value (GaioFuture *future,
                   GValue     *value)
{
  future->result = *value;
  memset (value, 0, sizeof *value);
  mark_done (future, GAIO_FUTURE_FINISHED);
}

/**
 * gaio_future_take_result:
 * @future: a #GaioFuture
 * @value: (transfer full): the result; the future takes its contents and
 *   leaves it unset
 * @error: return location for a #GError
 *
 * Like [method@Gaio.Future.set_result] without copying @value.
 *
 * Returns: %TRUE on success; %FALSE with %GAIO_ERROR_INVALID_STATE if the
 *   future is already done (@value is then left as it was)
 *
 * Since: 1.0
 */
gboolean
gaio_future_take_result (GaioFuture  *future,
                         GValue      *value,
                         GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_pending (future, error))
    return FALSE;

  finish_with_value (future, value);

  return TRUE;
}

/**
 * gaio_future_set_result:
 * @future: a #GaioFuture
 * @value: (nullable): the result, copied; %NULL for no value (Python's
 *   `None`, stored as a %NULL pointer)
 * @error: return location for a #GError
 *
 * Finishes the future with a result (asyncio's `set_result`) and
 * schedules its done callbacks. Loop thread only: in debug mode, a
 * future with done callbacks is refused from another thread while its
 * loop runs, as every setter of a result or an error refuses it.
 *
 * Returns: %TRUE on success; %FALSE with %GAIO_ERROR_INVALID_STATE if the
 *   future is already done, or in debug mode with
 *   %GAIO_ERROR_WRONG_THREAD (and a critical) from another thread
 *
 * Since: 1.0
 */
gboolean
gaio_future_set_result (GaioFuture    *future,
                        const GValue  *value,
                        GError       **error)
{
  GValue copy = G_VALUE_INIT;

  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (value == NULL || G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    return gaio_future_set_result_pointer (future, NULL, NULL, error);

  if (!check_pending (future, error))
    return FALSE;

  value_init_copy (value, &copy);
  finish_with_value (future, &copy);

  return TRUE;
}

/* The setters of the plain types, on a value value_init() just made of
 * that type: what g_value_set_*() store, without their type check and
 * the call (one hand-off between tasks sets one). */
#define set_plain_int64(value, x)   ((value)->data[0].v_int64 = (x))
#define set_plain_uint64(value, x)  ((value)->data[0].v_uint64 = (x))
#define set_plain_double(value, x)  ((value)->data[0].v_double = (x))
#define set_plain_boolean(value, x) ((value)->data[0].v_int = (x) != FALSE)

#define DEFINE_SET_RESULT(suffix, ctype, gtype, setter)                  \
gboolean                                                                  \
gaio_future_set_result_##suffix (GaioFuture  *future,                     \
                                 ctype        value,                      \
                                 GError     **error)                      \
{                                                                         \
  GValue result = G_VALUE_INIT;                                           \
                                                                          \
  g_return_val_if_fail (future != NULL, FALSE);                  \
                                                                          \
  if (!check_pending (future, error))                                     \
    return FALSE;                                                         \
                                                                          \
  value_init (&result, gtype);                                            \
  setter (&result, value);                                                \
  finish_with_value (future, &result);                                    \
  return TRUE;                                                            \
}

/* The same for a plain type (type_is_plain()): the result is made in
 * place, the pending future's being unset, without a copy through a
 * local value. */
#define DEFINE_SET_PLAIN_RESULT(suffix, ctype, gtype, setter)            \
gboolean                                                                  \
gaio_future_set_result_##suffix (GaioFuture  *future,                     \
                                 ctype        value,                      \
                                 GError     **error)                      \
{                                                                         \
  g_return_val_if_fail (future != NULL, FALSE);                           \
                                                                          \
  if (!check_pending (future, error))                                     \
    return FALSE;                                                         \
                                                                          \
  value_init (&future->result, gtype);                                    \
  setter (&future->result, value);                                        \
  mark_done (future, GAIO_FUTURE_FINISHED);                               \
  return TRUE;                                                            \
}

/**
 * gaio_future_set_result_int64:
 * @future: a #GaioFuture
 * @value: the result
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #gint64.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
DEFINE_SET_PLAIN_RESULT (int64, gint64, G_TYPE_INT64, set_plain_int64)

/**
 * gaio_future_set_result_uint64:
 * @future: a #GaioFuture
 * @value: the result
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #guint64.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
DEFINE_SET_PLAIN_RESULT (uint64, guint64, G_TYPE_UINT64, set_plain_uint64)

/**
 * gaio_future_set_result_double:
 * @future: a #GaioFuture
 * @value: the result
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #gdouble.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
DEFINE_SET_PLAIN_RESULT (double, gdouble, G_TYPE_DOUBLE, set_plain_double)

/**
 * gaio_future_set_result_boolean:
 * @future: a #GaioFuture
 * @value: the result
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #gboolean.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
DEFINE_SET_PLAIN_RESULT (boolean, gboolean, G_TYPE_BOOLEAN, set_plain_boolean)

/**
 * gaio_future_set_result_string:
 * @future: a #GaioFuture
 * @value: (nullable): the result, copied
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a string.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
DEFINE_SET_RESULT (string, const char *, G_TYPE_STRING, g_value_set_string)

/**
 * gaio_future_set_result_variant:
 * @future: a #GaioFuture
 * @variant: (nullable): the result; a floating reference is sunk
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #GVariant.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
DEFINE_SET_RESULT (variant, GVariant *, G_TYPE_VARIANT, g_value_set_variant)

/**
 * gaio_future_set_result_object:
 * @future: a #GaioFuture
 * @object: (type GObject) (nullable): the result; the future takes a
 *   reference
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #GObject.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
gaio_future_set_result_object (GaioFuture  *future,
                               gpointer     object,
                               GError     **error)
{
  GValue result = G_VALUE_INIT;

  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (object == NULL || G_IS_OBJECT (object), FALSE);

  if (!check_pending (future, error))
    return FALSE;

  g_value_init (&result, object != NULL ? G_OBJECT_TYPE (object) : G_TYPE_OBJECT);
  g_value_set_object (&result, object);
  finish_with_value (future, &result);

  return TRUE;
}

/**
 * gaio_future_set_result_boxed: (skip)
 * @future: a #GaioFuture
 * @boxed_type: a boxed #GType
 * @boxed: (nullable): the result, copied with g_boxed_copy()
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a boxed value.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
gaio_future_set_result_boxed (GaioFuture     *future,
                              GType           boxed_type,
                              gconstpointer   boxed,
                              GError        **error)
{
  GValue result = G_VALUE_INIT;

  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (G_TYPE_FUNDAMENTAL (boxed_type) == G_TYPE_BOXED, FALSE);

  if (!check_pending (future, error))
    return FALSE;

  g_value_init (&result, boxed_type);
  g_value_set_boxed (&result, boxed);
  finish_with_value (future, &result);

  return TRUE;
}

/**
 * gaio_future_set_result_pointer: (skip)
 * @future: a #GaioFuture
 * @pointer: (nullable): the result
 * @destroy: (nullable): frees @pointer when the future is finalized
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a plain pointer that the future
 * owns: @destroy runs when the future is finalized. If the future is
 * already done, the call fails and @destroy is not called.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
gaio_future_set_result_pointer (GaioFuture      *future,
                                gpointer         pointer,
                                GDestroyNotify   destroy,
                                GError         **error)
{
  GValue result = G_VALUE_INIT;

  g_return_val_if_fail (future != NULL, FALSE);

  if (!check_pending (future, error))
    return FALSE;

  value_init (&result, G_TYPE_POINTER);
  g_value_set_pointer (&result, pointer);
  future->result_destroy = destroy;
  finish_with_value (future, &result);

  return TRUE;
}

/**
 * gaio_future_take_error: (skip)
 * @future: a #GaioFuture
 * @error_value: (transfer full): the error
 * @error: return location for a #GError
 *
 * Like [method@Gaio.Future.set_error], taking @error_value. If the
 * future is already done, @error_value is freed.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
gaio_future_take_error (GaioFuture  *future,
                        GError      *error_value,
                        GError     **error)
{

  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error_value != NULL, FALSE);

  if (!check_pending_full (future, TRUE, error))
    {
      g_error_free (error_value);
      return FALSE;
    }

  future->error = error_value;
  future->error_unretrieved = TRUE;
  mark_done (future, GAIO_FUTURE_FINISHED);

  return TRUE;
}

void
_gaio_future_complete_value (GaioFuture *future,
                             GValue     *value)
{

  g_assert (future->state == GAIO_FUTURE_PENDING);

  finish_with_value (future, value);
}

void
_gaio_future_complete_error (GaioFuture *future,
                             GError     *error)
{

  g_assert (future->state == GAIO_FUTURE_PENDING);

  future->error = error;
  future->error_unretrieved = TRUE;
  mark_done (future, GAIO_FUTURE_FINISHED);
}

/**
 * gaio_future_set_error:
 * @future: a #GaioFuture
 * @error_value: the error, copied
 * @error: return location for a #GError
 *
 * Finishes the future with an error (asyncio's `set_exception`) and
 * schedules its done callbacks. If nobody reads the error before the
 * future is finalized, the loop's exception handler is told `Future
 * exception was never retrieved`.
 *
 * Returns: %TRUE on success; %FALSE with %GAIO_ERROR_INVALID_STATE if the
 *   future is already done
 *
 * Since: 1.0
 */
gboolean
gaio_future_set_error (GaioFuture    *future,
                       const GError  *error_value,
                       GError       **error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error_value != NULL, FALSE);

  if (!check_pending_full (future, TRUE, error))
    return FALSE;

  return gaio_future_take_error (future, g_error_copy (error_value), error);
}

/* The stored result, or NULL with @error set as asyncio's result()
 * raises. Reading the error marks it retrieved. */
static const GValue *
lookup_result (GaioFuture  *future,
               GError     **error)
{

  switch (future->state)
    {
    case GAIO_FUTURE_PENDING:
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE, "Result is not ready.");
      return NULL;

    case GAIO_FUTURE_CANCELLED:
      g_propagate_error (error, g_error_copy (future->error));
      return NULL;

    case GAIO_FUTURE_FINISHED:
    default:
      if (future->error != NULL)
        {
          future->error_unretrieved = FALSE;
          g_propagate_error (error, g_error_copy (future->error));
          return NULL;
        }
      return &future->result;
    }
}

/**
 * gaio_future_get_result: (skip)
 * @future: a #GaioFuture
 * @value: (out caller-allocates) (optional): where to copy the result
 * @error: return location for a #GError
 *
 * Gets the result (asyncio's `result()`). Fails with
 * %GAIO_ERROR_INVALID_STATE if the future is pending, with
 * %G_IO_ERROR_CANCELLED if it was cancelled, and with the future's own
 * error if it has one.
 *
 * Returns: %TRUE with @value set if the future finished with a result
 *
 * Since: 1.0
 */
gboolean
gaio_future_get_result (GaioFuture  *future,
                        GValue      *value,
                        GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _gaio_future_get_result (future, value, error);
}

gboolean
_gaio_future_get_result (GaioFuture  *future,
                         GValue      *value,
                         GError     **error)
{
  const GValue *result;

  /* Every await ends here: its usual outcome first, before the frame the
   * failures need. */
  if (G_LIKELY (future->state == GAIO_FUTURE_FINISHED && future->error == NULL && value == NULL))
    return TRUE;

  result = lookup_result (future, error);
  if (result == NULL)
    return FALSE;

  if (value != NULL)
    value_init_copy (result, value);

  return TRUE;
}

/**
 * gaio_future_dup_result: (rename-to gaio_future_get_result)
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * Gets a copy of the result (asyncio's `result()`), failing as
 * [method@Gaio.Future.get_result] does. This is the form bindings see as
 * `get_result`: it returns the value instead of filling one in, and the
 * copy owns what it holds, so it outlives @future.
 *
 * A #GPtrArray result, the futures of [func@Gaio.gather] and
 * [func@Gaio.wait], is returned as a %NULL %G_TYPE_POINTER value: an
 * untyped array is what bindings cannot convert (GJS throws). Read it
 * with [method@Gaio.Future.dup_result_futures].
 *
 * Returns: (transfer full) (nullable): a copy of the result, to free with
 *   `g_boxed_free (G_TYPE_VALUE, value)`, or %NULL with @error set
 *
 * Since: 1.0
 */
GValue *
gaio_future_dup_result (GaioFuture  *future,
                        GError     **error)
{
  const GValue *result;
  GValue *copy;

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = lookup_result (future, error);
  if (result == NULL)
    return NULL;

  copy = g_new0 (GValue, 1);

  /* An untyped array is what no binding can convert (GJS throws "Can't
   * convert untyped array"): give them a NULL pointer, and the typed
   * reader for the futures of gather() and wait(). */
  if (G_VALUE_HOLDS (result, G_TYPE_PTR_ARRAY))
    {
      g_value_init (copy, G_TYPE_POINTER);
      return copy;
    }

  g_value_init (copy, G_VALUE_TYPE (result));
  g_value_copy (result, copy);

  return copy;
}

/**
 * gaio_future_get_result_type:
 * @future: a #GaioFuture
 *
 * Gets the type of the result.
 *
 * Returns: the result's #GType, or %G_TYPE_INVALID if the future has no
 *   result
 *
 * Since: 1.0
 */
GType
gaio_future_get_result_type (GaioFuture *future)
{

  g_return_val_if_fail (future != NULL, G_TYPE_INVALID);

  return G_IS_VALUE (&future->result) ? G_VALUE_TYPE (&future->result) : G_TYPE_INVALID;
}

/* The result as a value of @type, converting where GLib can (an int64
 * getter reads an int result, say). @scratch receives a converted copy. */
static const GValue *
typed_result (GaioFuture  *future,
              GType        type,
              GValue      *scratch,
              GError     **error)
{
  const GValue *result = lookup_result (future, error);

  if (result == NULL)
    return NULL;

  if (G_VALUE_HOLDS (result, type))
    return result;

  g_value_init (scratch, type);
  if (!g_value_type_transformable (G_VALUE_TYPE (result), type) ||
      !g_value_transform (result, scratch))
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                   "The result is a %s, not a %s",
                   G_VALUE_TYPE_NAME (result), g_type_name (type));
      g_value_unset (scratch);
      return NULL;
    }

  return scratch;
}

#define DEFINE_GET_RESULT(suffix, ctype, gtype, getter, fallback)        \
ctype                                                                     \
gaio_future_get_result_##suffix (GaioFuture  *future,                     \
                                 GError     **error)                      \
{                                                                         \
  g_auto(GValue) scratch = G_VALUE_INIT;                                  \
  const GValue *value;                                                    \
                                                                          \
  g_return_val_if_fail (future != NULL, fallback);               \
                                                                          \
  value = typed_result (future, gtype, &scratch, error);                  \
  return value != NULL ? getter (value) : fallback;                       \
}

/**
 * gaio_future_get_result_int64:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for a number.
 *
 * Returns: the result, or 0 with @error set
 *
 * Since: 1.0
 */
DEFINE_GET_RESULT (int64, gint64, G_TYPE_INT64, g_value_get_int64, 0)

/**
 * gaio_future_get_result_uint64:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for an unsigned number.
 *
 * Returns: the result, or 0 with @error set
 *
 * Since: 1.0
 */
DEFINE_GET_RESULT (uint64, guint64, G_TYPE_UINT64, g_value_get_uint64, 0)

/**
 * gaio_future_get_result_double:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for a floating-point number.
 *
 * Returns: the result, or 0 with @error set
 *
 * Since: 1.0
 */
DEFINE_GET_RESULT (double, gdouble, G_TYPE_DOUBLE, g_value_get_double, 0)

/**
 * gaio_future_get_result_boolean:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for a boolean.
 *
 * Returns: the result, or %FALSE with @error set
 *
 * Since: 1.0
 */
DEFINE_GET_RESULT (boolean, gboolean, G_TYPE_BOOLEAN, g_value_get_boolean, FALSE)

/* Pointer-like results are returned as stored: converting them would
 * hand out a pointer into a scratch value about to be freed. */
static const GValue *
stored_result (GaioFuture  *future,
               GType        type,
               GError     **error)
{
  const GValue *result = lookup_result (future, error);

  if (result == NULL)
    return NULL;

  if (!G_VALUE_HOLDS (result, type))
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                   "The result is a %s, not a %s",
                   G_VALUE_TYPE_NAME (result), g_type_name (type));
      return NULL;
    }

  return result;
}

/**
 * gaio_future_get_result_string:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for a string.
 *
 * Returns: (transfer none) (nullable): the result, owned by the future,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
const char *
gaio_future_get_result_string (GaioFuture  *future,
                               GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (future != NULL, NULL);

  value = stored_result (future, G_TYPE_STRING, error);
  return value != NULL ? g_value_get_string (value) : NULL;
}

/**
 * gaio_future_get_result_object:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for an object.
 *
 * Returns: (transfer none) (type GObject) (nullable): the result, owned
 *   by the future, or %NULL with @error set
 *
 * Since: 1.0
 */
gpointer
gaio_future_get_result_object (GaioFuture  *future,
                               GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (future != NULL, NULL);

  value = stored_result (future, G_TYPE_OBJECT, error);
  return value != NULL ? g_value_get_object (value) : NULL;
}

/**
 * gaio_future_get_result_boxed: (skip)
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for a boxed value.
 *
 * Returns: (transfer none) (nullable): the result, owned by the future,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
gconstpointer
gaio_future_get_result_boxed (GaioFuture  *future,
                              GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (future != NULL, NULL);

  value = stored_result (future, G_TYPE_BOXED, error);
  return value != NULL ? g_value_get_boxed (value) : NULL;
}

/**
 * gaio_future_get_result_variant:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for a #GVariant.
 *
 * Returns: (transfer none) (nullable): the result, owned by the future,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GVariant *
gaio_future_get_result_variant (GaioFuture  *future,
                                GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (future != NULL, NULL);

  value = stored_result (future, G_TYPE_VARIANT, error);
  return value != NULL ? g_value_get_variant (value) : NULL;
}

/**
 * gaio_future_get_result_pointer: (skip)
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for a plain pointer.
 *
 * Returns: (transfer none) (nullable): the result, owned by the future,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
gpointer
gaio_future_get_result_pointer (GaioFuture  *future,
                                GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (future != NULL, NULL);

  value = stored_result (future, G_TYPE_POINTER, error);
  return value != NULL ? g_value_get_pointer (value) : NULL;
}

/**
 * gaio_future_dup_result_futures:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.get_result] for the result of [func@Gaio.gather]
 * and [func@Gaio.wait]: a list of futures, in a form bindings can read
 * (the result itself is a #GPtrArray, which they see as an untyped
 * array). Read each future's result or error from it.
 *
 * Fails as [method@Gaio.Future.get_result] does, and with
 * %GAIO_ERROR_INVALID_ARGUMENT if the result is not a #GPtrArray.
 *
 * Returns: (transfer container) (element-type GaioFuture) (nullable): a
 *   new array of the futures, which @future's result keeps alive (free
 *   the array with g_ptr_array_unref(); take a reference on a future you
 *   keep longer than @future), or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
gaio_future_dup_result_futures (GaioFuture  *future,
                                GError     **error)
{
  const GValue *value;
  GPtrArray *stored;
  GPtrArray *copy;

  g_return_val_if_fail (future != NULL, NULL);

  value = stored_result (future, G_TYPE_PTR_ARRAY, error);
  if (value == NULL)
    return NULL;

  /* (transfer container), with no free function: PyGObject 3.42 frees
   * a (transfer full) array with its free function after handing its
   * elements to Python objects that own them, a double unref. */
  stored = g_value_get_boxed (value);
  copy = g_ptr_array_sized_new (stored != NULL ? stored->len : 0);
  for (guint i = 0; stored != NULL && i < stored->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (stored, i));

  return copy;
}

/**
 * gaio_future_get_error:
 * @future: a #GaioFuture
 * @error: return location for a #GError
 *
 * Gets the error the future finished with (asyncio's `exception()`),
 * which counts as retrieving it. Fails with %GAIO_ERROR_INVALID_STATE if
 * the future is pending and with %G_IO_ERROR_CANCELLED if it was
 * cancelled.
 *
 * Returns: (transfer none) (nullable): the error, owned by the future, or
 *   %NULL if it finished with a result or @error is set
 *
 * Since: 1.0
 */
const GError *
gaio_future_get_error (GaioFuture  *future,
                       GError     **error)
{

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (future->state)
    {
    case GAIO_FUTURE_PENDING:
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE, "Exception is not set.");
      return NULL;

    case GAIO_FUTURE_CANCELLED:
      g_propagate_error (error, g_error_copy (future->error));
      return NULL;

    case GAIO_FUTURE_FINISHED:
    default:
      future->error_unretrieved = FALSE;
      return future->error;
    }
}

/* Adds a callback to a pending future: the first one of its life goes
 * into the embedded list. While the future is pending its list, once
 * made, stays (removals keep it, even empty), and it goes only when the
 * future is done: no list means the embedded one is free. */
static void
add_pending_callback (GaioFuture         *future,
                      const DoneCallback *entry)
{
  if (future->callbacks == NULL)
    {
      CallbackList *list = (CallbackList *) future->inline_callbacks;

      *list = (CallbackList) { .allocated = 1, .embedded = TRUE };
      future->callbacks = list;
    }
  future->callbacks = callback_list_append (future->callbacks, entry, 1);
}

/**
 * gaio_future_add_done_callback:
 * @future: a #GaioFuture
 * @callback: (scope notified) (closure user_data) (destroy notify): the
 *   callback
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data
 *
 * Adds a callback to run once the future is done (asyncio's
 * `add_done_callback`). Callbacks are scheduled on the loop with
 * [method@Gaio.Loop.call_soon] in the order they were added, never run
 * from inside the call that completes the future; one added to a done
 * future is scheduled at once. @notify runs after @callback, or when the
 * callback is removed, or when the loop closes first.
 *
 * Since: 1.0
 */
void
gaio_future_add_done_callback (GaioFuture         *future,
                               GaioFutureCallback  callback,
                               gpointer            user_data,
                               GDestroyNotify      notify)
{
  DoneCallback entry = { callback, user_data, notify };

  g_return_if_fail (future != NULL);
  g_return_if_fail (callback != NULL);

  if (future->state != GAIO_FUTURE_PENDING && !future->hold_callbacks)
    {
      schedule_callbacks (future, callback_list_append (NULL, &entry, 1));
      return;
    }

  add_pending_callback (future, &entry);
}

void
_gaio_future_add_task_callback (GaioFuture         *future,
                                GaioFutureCallback  callback,
                                GaioFuture         *task)
{
  DoneCallback entry = { callback, task, (GDestroyNotify) gaio_future_unref, task };
  CallbackList *list;

  /* Its one caller, a task suspending on @future, checked. */
  g_assert (future->state == GAIO_FUTURE_PENDING);

  if (future->callbacks != NULL)
    {
      add_pending_callback (future, &entry);
      return;
    }

  /* An await's own future, with no callback yet: add_pending_callback()
   * made short, the embedded list filled in place (every await). */
  list = (CallbackList *) future->inline_callbacks;
  list->future = NULL;
  list->next = 0;
  list->len = 1;
  list->allocated = 1;
  list->embedded = TRUE;
  list->shares_ref = FALSE;
  list->items[0] = entry;
  future->callbacks = list;
}

/**
 * gaio_future_remove_done_callback: (skip)
 * @future: a #GaioFuture
 * @callback: (scope call): the callback
 * @user_data: the data it was added with
 *
 * Removes every done callback added with @callback and @user_data
 * (asyncio's `remove_done_callback`), running their notifies. Callbacks
 * already scheduled are not removed.
 *
 * Not for bindings: they make a new C callback and data for every call,
 * so none would match. Python's overrides find Python callbacks
 * themselves (see the [Bindings](bindings.html) guide).
 *
 * Returns: the number of callbacks removed
 *
 * Since: 1.0
 */
guint
gaio_future_remove_done_callback (GaioFuture         *future,
                                  GaioFutureCallback  callback,
                                  gpointer            user_data)
{
  g_autoptr(GArray) removed = NULL;
  guint kept = 0;

  g_return_val_if_fail (future != NULL, 0);

  if (future->callbacks == NULL)
    return 0;

  removed = g_array_new (FALSE, FALSE, sizeof (DoneCallback));
  for (guint i = 0; i < future->callbacks->len; i++)
    {
      DoneCallback entry = future->callbacks->items[i];

      if (entry.callback == callback && entry.user_data == user_data)
        g_array_append_val (removed, entry);
      else
        future->callbacks->items[kept++] = entry;
    }
  future->callbacks->len = kept;

  /* Notifies run last: they may add or remove callbacks (FU-08). */
  for (guint i = 0; i < removed->len; i++)
    {
      DoneCallback *entry = &g_array_index (removed, DoneCallback, i);

      if (entry->notify != NULL)
        entry->notify (entry->user_data);
    }

  return removed->len;
}

static char *
describe_result (const GValue *value)
{
  if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    return g_strdup_printf ("'%s'", g_value_get_string (value));
  if (G_VALUE_HOLDS_BOOLEAN (value))
    return g_strdup (g_value_get_boolean (value) ? "True" : "False");
  /* No value, as set_result (NULL) or a task whose function set none
   * leaves: Python's None. */
  if (G_VALUE_HOLDS_POINTER (value) && g_value_get_pointer (value) == NULL)
    return g_strdup ("None");

  return g_strdup_value_contents (value);
}

static void
describe_callbacks (GString      *text,
                    CallbackList *callbacks)
{
  guint n = callbacks->len;

  /* asyncio shows at most the first and the last, with a count between. */
  g_string_append (text, " cb=[");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = NULL;

      if (n > 2 && i == 1)
        {
          g_string_append_printf (text, ", <%u more>", n - 2);
          i = n - 2;
          continue;
        }
      if (callbacks->items[i].task != NULL)
        name = g_strdup ("GaioTask.wakeup");
      else
        name = _gaio_debug_symbol_name ((gpointer) callbacks->items[i].callback);
      g_string_append_printf (text, "%s%s()", i > 0 ? ", " : "", name);
    }
  g_string_append_c (text, ']');
}

void
_gaio_future_describe_state (GaioFuture *future,
                             GString    *text)
{
  switch (future->state)
    {
    case GAIO_FUTURE_PENDING:
      g_string_append (text, "pending");
      break;
    case GAIO_FUTURE_CANCELLED:
      g_string_append (text, "cancelled");
      break;
    case GAIO_FUTURE_FINISHED:
    default:
      g_string_append (text, "finished");
      break;
    }
}

void
_gaio_future_describe_outcome (GaioFuture *future,
                               GString    *text)
{

  if (future->state != GAIO_FUTURE_FINISHED)
    return;

  if (future->error != NULL)
    g_string_append_printf (text, " exception=GError(%s, %d, '%s')",
                            g_quark_to_string (future->error->domain), future->error->code,
                            future->error->message);
  else
    {
      g_autofree char *result = describe_result (&future->result);

      g_string_append_printf (text, " result=%s", result);
    }
}

void
_gaio_future_describe_tail (GaioFuture *future,
                            GString    *text)
{

  if (future->callbacks != NULL && future->callbacks->len > 0)
    describe_callbacks (text, future->callbacks);

  if (future->traceback != NULL)
    {
      g_autofree char *site = _gaio_traceback_describe (future->traceback);

      if (site != NULL)
        g_string_append_printf (text, " created at %s", site);
    }
}

static char *
plain_to_string (GaioFuture *future)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "<%s ", future->klass->kind);
  _gaio_future_describe_state (future, text);
  _gaio_future_describe_outcome (future, text);
  _gaio_future_describe_tail (future, text);
  g_string_append_c (text, '>');

  return g_string_free (text, FALSE);
}

/**
 * gaio_future_to_string:
 * @future: a #GaioFuture
 *
 * A description in asyncio's repr format: `<Future pending cb=[...]>`,
 * `<Future cancelled>`, `<Future finished result=42>`,
 * `<Future finished exception=GError(DOMAIN, CODE, 'MESSAGE')>`. In
 * debug mode it ends with ` created at SITE`, the function that created
 * the future (see [property@Gaio.Loop:debug]).
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_future_to_string (GaioFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  if (future->klass->to_string != NULL)
    return future->klass->to_string (future);

  return plain_to_string (future);
}

/* The exception context's describer for GAIO_TYPE_FUTURE values. */
static char *
describe_boxed_future (gconstpointer boxed)
{
  return gaio_future_to_string ((GaioFuture *) boxed);
}
