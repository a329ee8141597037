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
 * Futures are not thread-safe, as asyncio's are not: they are used on
 * the loop's thread. Other threads complete them by posting to the loop
 * with gaio_loop_call_soon_threadsafe().
 *
 * Recycling. Creating and finalizing a GObject costs far more than the
 * rest of a hand-off between two tasks (GObject's qdata, notify queue
 * and signal bookkeeping on the last unref). So a future that nothing
 * else can see when its last reference goes (exact type GaioFuture, no
 * qdata: so no user data, weak references, GWeakRefs, toggle references
 * of a binding's wrapper or watched closures; no unretrieved error; not
 * in debug mode) is reset as finalize would reset it and kept in a
 * small pool of the thread that made it; gaio_future_new() takes it
 * from there. In the common pattern the library holds that last
 * reference (the gaio_await() frame, or the scheduled done callbacks
 * until the task's step is over) and drops it with
 * _gaio_future_release(): the object never reaches a reference count of
 * zero and GObject does none of its work. A user's last
 * g_object_unref() reaches dispose, which resurrects the future into the
 * pool (GObject allows it) and saves the allocation and finalization.
 * AddressSanitizer builds never recycle, so that a future used after its
 * last unref is reported, not silently reused.
 */

#include "config.h"

#include "gaio-debug-private.h"
#include "gaio-task-private.h"
#include "gaio-future-private.h"
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
 * consecutive ones share a handle here, which keeps their order). The
 * first list of a future is embedded in it (see INLINE_LIST_WORDS), so
 * a future with one callback costs no allocation for it. */
typedef struct
{
  GaioFuture   *future;      /* (owned) (nullable) set once scheduled */
  gboolean      shares_ref;  /* future is a task's await reference, shared (see share_await_ref()) */
  guint         next;        /* the first callback not run yet */
  guint         len;
  guint         allocated;
  gboolean      embedded;    /* inside the future's private data: never g_free()d */
  DoneCallback  items[];
} CallbackList;

/* Room for a one-entry CallbackList inside the future, used once per
 * life of the future: for its first callback while pending, and then as
 * the closure of the handle that runs it, which holds the future
 * (list->future) and so the memory. A second callback moves the entries
 * to the heap. Plain pointer-aligned words: a struct with a flexible
 * array member cannot be a member of another in ISO C. */
#define INLINE_LIST_WORDS \
  ((sizeof (CallbackList) + sizeof (DoneCallback) + sizeof (gpointer) - 1) / sizeof (gpointer))

typedef struct
{
  GaioLoop            *loop;           /* (owned) */
  GaioFutureState      state;

  GValue               result;         /* set when finished with a result */
  GDestroyNotify       result_destroy; /* for a G_TYPE_POINTER result */
  GError              *error;          /* (owned) when finished with an error, or cancelled */

  /* asyncio's __log_traceback: an error was set and nobody read it yet. */
  gboolean             error_unretrieved;
  gboolean             reported;

  CallbackList        *callbacks;      /* (owned) (nullable) may be inline_callbacks */
  gpointer             inline_callbacks[INLINE_LIST_WORDS];
  GCancellable        *cancellable;    /* (owned) (nullable) created on demand */

  /* Told synchronously when the future is cancelled: the executor job
   * that will complete it (see _gaio_future_set_cancel_hook()). */
  GaioFutureCancelHook cancel_hook;
  gpointer             cancel_hook_data;   /* (owned) by cancel_hook_destroy */
  GDestroyNotify       cancel_hook_destroy;

  /* gaio_future_new_for_async() */
  GaioAsyncFinishFunc  finish;
  GType                finish_type;

  /* A task's outcome is set by the task only (_gaio_future_seal()). */
  gboolean             sealed;

  GaioTraceback       *traceback;      /* (owned) (nullable) debug mode: where created */

  /* A task's await reference shared with its wakeup (share_await_ref()):
   * the task whose gaio_await() frame still holds it, and how many of the
   * frame and the wakeup's callback list still hold it. */
  GaioFuture          *share_task;     /* (unowned) (nullable) */
  guint                share_holders;

  GaioFuture          *pool_next;      /* in the thread's pool of recycled futures */
  gpointer             home_pool;      /* the pool of the thread that made the future */
} GaioFuturePrivate;

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
 * An error set on a future that nobody reads before the future is
 * finalized is reported through the loop's exception handler as `Future
 * exception was never retrieved`.
 *
 * Futures are used from the loop's thread.
 */

G_DEFINE_TYPE_WITH_PRIVATE (GaioFuture, gaio_future, G_TYPE_OBJECT)

#define PRIV(f) ((GaioFuturePrivate *) gaio_future_get_instance_private (f))

static CallbackList *
callback_list_new (guint allocated)
{
  CallbackList *list = g_malloc (sizeof (CallbackList) + allocated * sizeof (DoneCallback));

  list->future = NULL;
  list->shares_ref = FALSE;
  list->next = 0;
  list->len = 0;
  list->allocated = allocated;
  list->embedded = FALSE;

  return list;
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

/* Frees the block only: its entries were moved or have run. */
static void
callback_list_discard (CallbackList *list)
{
  if (!list->embedded)
    g_free (list);
}

static void drop_shared_ref (GaioFuture *future);

/* Also runs the notifies of the callbacks that never ran: removed with
 * the future, or dropped because the loop closed first. */
static void
callback_list_free (gpointer data)
{
  CallbackList *list = data;
  gboolean shared = list->shares_ref;
  GaioFuture *future;

  for (guint i = list->next; i < list->len; i++)
    if (list->items[i].notify != NULL)
      list->items[i].notify (list->items[i].user_data);
  future = g_steal_pointer (&list->future);
  callback_list_discard (list);

  /* Last: an embedded list lives inside this future. */
  if (future != NULL && shared)
    drop_shared_ref (future);
  else if (future != NULL)
    _gaio_future_release (future);
}

/* Adds a callback to a pending future: the first one of its life goes
 * into the embedded list. While the future is pending its list, once
 * made, stays (removals keep it, even empty), and it goes only when the
 * future is done or reset for the pool: no list means the embedded one
 * is free. */
static void
add_pending_callback (GaioFuturePrivate  *priv,
                      const DoneCallback *entry)
{
  if (priv->callbacks == NULL)
    {
      CallbackList *list = (CallbackList *) priv->inline_callbacks;

      *list = (CallbackList) { .allocated = 1, .embedded = TRUE };
      priv->callbacks = list;
    }
  priv->callbacks = callback_list_append (priv->callbacks, entry, 1);
}

/* Scalar results. The fundamental types whose GValue holds the datum
 * itself, with nothing to free and a bitwise copy as g_value_copy(): a
 * copy of such a GValue fresh from g_value_init() is one initialized to
 * the type's zero, a copy of a set one is g_value_copy(), and zeroing one
 * is g_value_unset(). A hand-off between tasks sets, reads and drops one
 * result; this saves GType's value-table lookups and checks on each. */
#define N_PLAIN_TYPES ((G_TYPE_POINTER >> G_TYPE_FUNDAMENTAL_SHIFT) + 1)

static GValue plain_values[N_PLAIN_TYPES];  /* initialized in class_init, never set */

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

static void
init_plain_values (void)
{
  for (guint i = 0; i < N_PLAIN_TYPES; i++)
    if (type_is_plain (G_TYPE_MAKE_FUNDAMENTAL (i)))
      g_value_init (&plain_values[i], G_TYPE_MAKE_FUNDAMENTAL (i));
}

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

static inline void
value_unset (GValue *value)
{
  if (type_is_plain (G_VALUE_TYPE (value)))
    *value = (GValue) G_VALUE_INIT;
  else if (G_IS_VALUE (value))
    g_value_unset (value);
}

static void
clear_result (GaioFuturePrivate *priv)
{
  if (priv->result_destroy != NULL && G_VALUE_HOLDS_POINTER (&priv->result))
    priv->result_destroy (g_value_get_pointer (&priv->result));
  priv->result_destroy = NULL;
  value_unset (&priv->result);
}

static char *
class_short_name (GaioFuture *future)
{
  const char *name = G_OBJECT_TYPE_NAME (future);

  /* asyncio says "Future exception...", "Task exception...". */
  if (g_str_has_prefix (name, "Gaio"))
    name += strlen ("Gaio");

  return g_strdup (name);
}

static void
report_unretrieved_error (GaioFuture *future)
{
  GaioFuturePrivate *priv = PRIV (future);
  g_autofree char *kind = class_short_name (future);
  g_autofree char *message = g_strdup_printf ("%s exception was never retrieved", kind);
  g_autoptr(GaioExceptionContext) context = gaio_exception_context_new (message);

  gaio_exception_context_set_error (context, priv->error);
  gaio_exception_context_set_future (context, future);
  if (priv->traceback != NULL)
    {
      g_auto(GStrv) frames = _gaio_traceback_format (priv->traceback);

      gaio_exception_context_set_source_traceback (context, (const char * const *) frames);
    }
  gaio_loop_call_exception_handler (priv->loop, context);
}

static gboolean pool_from_dispose (GaioFuture *future);

static void
gaio_future_dispose (GObject *object)
{
  GaioFuture *future = GAIO_FUTURE (object);
  GaioFuturePrivate *priv = PRIV (future);

  /* Reported from dispose, not finalize: the context takes a reference
   * on the future, and a handler may keep it, which GObject allows only
   * here. `reported` makes it happen once even if the object is
   * resurrected and disposed again. */
  if (priv->error_unretrieved && !priv->reported)
    {
      priv->reported = TRUE;
      report_unretrieved_error (future);
    }

  /* Recycled rather than finalized, when nothing else can reach it. */
  if (pool_from_dispose (future))
    return;

  G_OBJECT_CLASS (gaio_future_parent_class)->dispose (object);
}

/* Drops what the future holds but its loop: what finalize does, and
 * what recycling does before the future is reused. Runs user code (the
 * result's and the callbacks' destroy notifies). */
static void
clear_state (GaioFuture *future)
{
  GaioFuturePrivate *priv = PRIV (future);

  _gaio_future_set_cancel_hook (future, NULL, NULL, NULL);
  clear_result (priv);
  g_clear_error (&priv->error);
  if (priv->callbacks != NULL)
    callback_list_free (g_steal_pointer (&priv->callbacks));
  g_clear_object (&priv->cancellable);
  g_clear_pointer (&priv->traceback, _gaio_traceback_free);
}

/* Recycling (see the top of the file). A future in the pool holds no
 * loop and is reset; its one reference belongs to the pool. Each thread
 * has its own pool, so it takes no lock; a thread that ends finalizes
 * what its pool holds. The size is in gaio-future-private.h. */
typedef struct
{
  GaioFuture *head;        /* (owned) linked through pool_next */
  guint       len;
  gboolean    registered;  /* future_pool_key set, so the thread's end drains it */
  gboolean    draining;
} FuturePool;

static void future_pool_drain (gpointer data);

static __thread FuturePool future_pool;
static GPrivate future_pool_key = G_PRIVATE_INIT (future_pool_drain);

/* Set in class_init: GAIO_TYPE_FUTURE without the g_once check, and
 * the quark of GObject's notify queue. */
static GType future_type;
static GQuark notify_queue_quark;

static void
future_pool_drain (gpointer data)
{
  FuturePool *pool = data;

  pool->draining = TRUE;
  while (pool->head != NULL)
    {
      GaioFuture *future = pool->head;

      pool->head = PRIV (future)->pool_next;
      pool->len--;
      PRIV (future)->pool_next = NULL;
      g_object_unref (future);
    }
}

/* What the future itself must be to be pooled: of the exact type (a
 * subclass has its own dispose and finalize), made on this thread (whose
 * pool it joins), without an unretrieved error (dispose must report it)
 * and not in debug mode (which keeps GObject's whole life cycle, as its
 * tracebacks describe it). Returns the pool to put it in, or NULL: the
 * thread-local pool's address is looked up once for both. */
static FuturePool *
may_pool (GaioFuture *future)
{
  GaioFuturePrivate *priv = PRIV (future);
  FuturePool *pool = &future_pool;

  /* The pool never grows past its size (none at all under ASan). */
  if (pool->len != GAIO_FUTURE_POOL_SIZE && !pool->draining &&
      G_TYPE_FROM_INSTANCE (future) == future_type &&
      priv->home_pool == pool &&
      !priv->error_unretrieved && priv->traceback == NULL)
    return pool;

  return NULL;
}

/* Whether the caller holds the only reference and nothing else can reach
 * the future. No qdata at all means no user data, weak reference,
 * GWeakRef, toggle reference (a binding's wrapper), watched closure or
 * floating flag. */
static gboolean
is_unreachable (GaioFuture *future)
{
  GObject *object = (GObject *) future;

  return g_atomic_int_get (&object->ref_count) == 1 &&
         g_atomic_pointer_get (&object->qdata) == NULL;
}

static void
count_foreign_qdata (GQuark   key,
                     gpointer data,
                     gpointer user_data)
{
  if (key != notify_queue_quark)
    (*(guint *) user_data)++;
}

/* is_unreachable() for dispose on the last g_object_unref(): GObject has
 * frozen the notify queue by then, which is qdata, so that entry alone is
 * allowed. (The quark's name is GLib's: a GLib that names it otherwise
 * only keeps futures out of the pool.) */
static gboolean
is_unreachable_in_dispose (GaioFuture *future)
{
  GObject *object = (GObject *) future;
  guint foreign = 0;

  if (g_atomic_int_get (&object->ref_count) != 1 || g_datalist_get_flags (&object->qdata) != 0)
    return FALSE;
  g_datalist_foreach (&object->qdata, count_foreign_qdata, &foreign);

  return foreign == 0;
}

/* What clear_state() leaves as it was, back to what a new future has.
 * Field by field rather than a memset of the whole: the hand-off between
 * two tasks spends a noticeable part of its time in a memset this size.
 * (inline_callbacks is rewritten when used; the loop is stolen first.) */
static void
reset_for_pool (GaioFuturePrivate *priv)
{
  g_assert (priv->loop == NULL && priv->error == NULL && priv->callbacks == NULL &&
            priv->cancellable == NULL && priv->cancel_hook_destroy == NULL &&
            priv->traceback == NULL && priv->result_destroy == NULL &&
            !priv->error_unretrieved && priv->share_holders == 0 &&
            G_VALUE_TYPE (&priv->result) == G_TYPE_INVALID);

  priv->state = GAIO_FUTURE_PENDING;
  priv->reported = FALSE;
  priv->cancel_hook = NULL;
  priv->cancel_hook_data = NULL;
  priv->finish = NULL;
  priv->finish_type = G_TYPE_INVALID;
  priv->sealed = FALSE;
  priv->share_task = NULL;
  priv->home_pool = NULL;
}

/* Resets a future that may be pooled and puts it in the pool, with the
 * one reference the caller holds. */
static void
pool_put (FuturePool *pool,
          GaioFuture *future)
{
  GaioFuturePrivate *priv = PRIV (future);
  GaioLoop *loop = g_steal_pointer (&priv->loop);

  reset_for_pool (priv);
  priv->pool_next = pool->head;
  pool->head = future;
  pool->len++;
  if (G_UNLIKELY (!pool->registered))
    {
      pool->registered = TRUE;
      g_private_set (&future_pool_key, pool);
    }

  /* Last: finalizing the loop may release more futures. */
  g_object_unref (loop);
}

/* Drops what the future holds as the last unref would: its signal
 * handlers are disconnected, and clear_state() runs the destroy
 * notifies of its result and of callbacks that never ran. */
static void
clear_for_pool (GaioFuture *future)
{
  g_signal_handlers_destroy (future);
  clear_state (future);
}

void
_gaio_future_release (GaioFuture *future)
{
  FuturePool *pool;

  if (may_pool (future) == NULL || !is_unreachable (future))
    {
      g_object_unref (future);
      return;
    }

  clear_for_pool (future);

  /* A destroy notify may have taken a reference, or filled the pool:
   * then the ordinary path. */
  pool = may_pool (future);
  if (pool != NULL && is_unreachable (future))
    pool_put (pool, future);
  else
    g_object_unref (future);
}

/* From dispose: TRUE if the future went to the pool, resurrected (GObject
 * lets dispose take a reference; the unref then stops short of
 * finalize). */
static gboolean
pool_from_dispose (GaioFuture *future)
{
  FuturePool *pool;

  if (may_pool (future) == NULL || !is_unreachable_in_dispose (future))
    return FALSE;

  clear_for_pool (future);
  pool = may_pool (future);
  if (pool == NULL || !is_unreachable_in_dispose (future))
    return FALSE;

  /* The pool's reference, once the unref has dropped the caller's. */
  g_object_ref (future);
  pool_put (pool, future);

  return TRUE;
}

guint
_gaio_future_get_pool_size (void)
{
  return future_pool.len;
}

static GaioFuture *
future_pool_take (void)
{
  GaioFuture *future = future_pool.head;

  if (future != NULL)
    {
      future_pool.head = PRIV (future)->pool_next;
      future_pool.len--;
      PRIV (future)->pool_next = NULL;
    }

  return future;
}

static void
gaio_future_finalize (GObject *object)
{
  clear_state (GAIO_FUTURE (object));
  g_clear_object (&PRIV (GAIO_FUTURE (object))->loop);

  G_OBJECT_CLASS (gaio_future_parent_class)->finalize (object);
}

static gboolean gaio_future_real_cancel    (GaioFuture *future,
                                            const char *message);
static char    *gaio_future_real_to_string (GaioFuture *future);

static void
gaio_future_class_init (GaioFutureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gaio_future_dispose;
  object_class->finalize = gaio_future_finalize;

  klass->cancel = gaio_future_real_cancel;
  klass->to_string = gaio_future_real_to_string;

  future_type = G_TYPE_FROM_CLASS (klass);
  init_plain_values ();
  notify_queue_quark = g_quark_from_static_string ("GObject-notify-queue");
}

static void
gaio_future_init (GaioFuture *future)
{
}

/**
 * gaio_future_new:
 * @loop: the loop the future belongs to
 *
 * Creates a pending future (asyncio's `loop.create_future()`). Its done
 * callbacks run on @loop.
 *
 * Returns: (transfer full): a new #GaioFuture
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
  GaioFuture *future = future_pool_take ();

  if (future == NULL)
    future = g_object_new (GAIO_TYPE_FUTURE, NULL);
  PRIV (future)->home_pool = &future_pool;
  _gaio_future_set_loop (future, loop);

  return future;
}

void
_gaio_future_set_loop (GaioFuture *future,
                       GaioLoop   *loop)
{
  GaioFuturePrivate *priv = PRIV (future);

  g_assert (priv->loop == NULL);

  priv->loop = g_object_ref (loop);
  if (G_UNLIKELY (_gaio_loop_get_debug (loop)))
    priv->traceback = _gaio_task_capture_traceback ();
}

GaioTraceback *
_gaio_future_get_traceback (GaioFuture *future)
{
  return PRIV (future)->traceback;
}

void
_gaio_future_seal (GaioFuture *future)
{
  PRIV (future)->sealed = TRUE;
}

void
_gaio_future_mark_retrieved (GaioFuture *future)
{
  PRIV (future)->error_unretrieved = FALSE;
}

/**
 * gaio_future_get_loop:
 * @future: a #GaioFuture
 *
 * Gets the loop the future belongs to.
 *
 * Returns: (transfer none): the loop
 */
GaioLoop *
gaio_future_get_loop (GaioFuture *future)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);

  return PRIV (future)->loop;
}

GaioFutureState
_gaio_future_peek_state (GaioFuture *future)
{
  return PRIV (future)->state;
}

GaioLoop *
_gaio_future_peek_loop (GaioFuture *future)
{
  return PRIV (future)->loop;
}

/**
 * gaio_future_get_state:
 * @future: a #GaioFuture
 *
 * Gets the state of the future.
 *
 * Returns: the state
 */
GaioFutureState
gaio_future_get_state (GaioFuture *future)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), GAIO_FUTURE_PENDING);

  return PRIV (future)->state;
}

/**
 * gaio_future_is_done:
 * @future: a #GaioFuture
 *
 * Whether the future is cancelled or finished (asyncio's `done()`).
 *
 * Returns: %TRUE if done
 */
gboolean
gaio_future_is_done (GaioFuture *future)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);

  return PRIV (future)->state != GAIO_FUTURE_PENDING;
}

/**
 * gaio_future_is_cancelled:
 * @future: a #GaioFuture
 *
 * Whether the future was cancelled (asyncio's `cancelled()`).
 *
 * Returns: %TRUE if cancelled
 */
gboolean
gaio_future_is_cancelled (GaioFuture *future)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);

  return PRIV (future)->state == GAIO_FUTURE_CANCELLED;
}

static gboolean
run_callbacks (gpointer   user_data,
               GError   **error)
{
  CallbackList *list = user_data;

  while (list->next < list->len)
    {
      DoneCallback *entry = &list->items[list->next++];

      entry->callback (list->future, entry->user_data);
      if (entry->notify != NULL)
        entry->notify (entry->user_data);
    }

  return TRUE;
}

/* The wakeup of a task suspended in gaio_await() on @future (the only
 * kind of task entry: see _gaio_future_add_task_callback()). That frame
 * holds a reference until it returns, after the wakeup is scheduled; the
 * wakeup's list needs one until its handle is done with it, since it may
 * live inside the future. Rather than take one of its own, the list
 * shares the frame's: whichever lets go last releases it
 * (_gaio_future_release_awaited(), callback_list_free()). Usually the
 * frame returns inside the wakeup and the list goes after; a closing loop
 * drops the list first. One share per future at a time: the wakeups of
 * other tasks awaiting it take references. */
static void
share_await_ref (GaioFuture   *future,
                 CallbackList *list,
                 GaioFuture   *task)
{
  GaioFuturePrivate *priv = PRIV (future);

  if (priv->share_holders != 0)
    {
      list->future = g_object_ref (future);
      return;
    }

  priv->share_task = task;
  priv->share_holders = 2;
  list->future = future;
  list->shares_ref = TRUE;
}

static void
drop_shared_ref (GaioFuture *future)
{
  GaioFuturePrivate *priv = PRIV (future);

  g_assert (priv->share_holders > 0);
  if (--priv->share_holders == 0)
    _gaio_future_release (future);
}

void
_gaio_future_release_awaited (GaioFuture *future,
                              GaioFuture *task)
{
  GaioFuturePrivate *priv = PRIV (future);

  if (task == NULL || priv->share_task != task)
    {
      _gaio_future_release (future);
      return;
    }

  /* This frame's share: the task cannot await this future again until
   * the frame has returned, so no later frame of it matches. */
  priv->share_task = NULL;
  drop_shared_ref (future);
}

static void
schedule_list (GaioFuture   *future,
               CallbackList *list)
{
  GaioFuture *task = NULL;

  /* A task's wakeup gets a handle of its own that names the task. The
   * handle takes over the entry's reference on the task: it holds it
   * from before the callback runs to after, or until a closing loop
   * drops the handle. */
  if (list->len == 1 && list->items[0].task != NULL)
    {
      g_assert (list->items[0].user_data == list->items[0].task &&
                list->items[0].notify == g_object_unref);
      task = list->items[0].task;
      list->items[0].notify = NULL;
      share_await_ref (future, list, task);
    }
  else
    list->future = g_object_ref (future);

  _gaio_loop_schedule (PRIV (future)->loop, run_callbacks, list, callback_list_free,
                       task != NULL ? "GaioTask.wakeup" : "GaioFuture.done_callbacks", task);
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

static void
mark_done (GaioFuture      *future,
           GaioFutureState  state)
{
  GaioFuturePrivate *priv = PRIV (future);

  priv->state = state;
  if (priv->callbacks != NULL)
    {
      if (priv->callbacks->len > 0)
        schedule_callbacks (future, g_steal_pointer (&priv->callbacks));
      else
        callback_list_discard (g_steal_pointer (&priv->callbacks));
    }
}

/**
 * gaio_future_cancel:
 * @future: a #GaioFuture
 * @message: (nullable): why, kept in the %G_IO_ERROR_CANCELLED error
 *
 * Cancels a pending future (asyncio's `cancel(msg)`): it becomes
 * cancelled, its #GCancellable (see [method@Gaio.Future.get_cancellable])
 * is cancelled and its done callbacks are scheduled. Reading its result
 * then fails with %G_IO_ERROR_CANCELLED carrying @message.
 *
 * Returns: %TRUE if the future was pending and is now cancelled
 */
gboolean
gaio_future_cancel (GaioFuture *future,
                    const char *message)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);

  return GAIO_FUTURE_GET_CLASS (future)->cancel (future, message);
}

static gboolean
gaio_future_real_cancel (GaioFuture *future,
                         const char *message)
{
  GaioFuturePrivate *priv = PRIV (future);

  /* asyncio's cancel() clears __log_traceback even when it returns
   * False: an error set before the cancel is not reported (DB-09). */
  priv->error_unretrieved = FALSE;

  if (priv->state != GAIO_FUTURE_PENDING)
    return FALSE;

  priv->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     message != NULL ? message : "Future was cancelled");
  mark_done (future, GAIO_FUTURE_CANCELLED);

  if (priv->cancel_hook != NULL)
    {
      GaioFutureCancelHook hook = g_steal_pointer (&priv->cancel_hook);
      gpointer data = g_steal_pointer (&priv->cancel_hook_data);
      GDestroyNotify destroy = g_steal_pointer (&priv->cancel_hook_destroy);

      hook (future, data);
      if (destroy != NULL)
        destroy (data);
    }
  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);

  return TRUE;
}

void
_gaio_future_set_cancel_hook (GaioFuture           *future,
                              GaioFutureCancelHook  hook,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  GaioFuturePrivate *priv = PRIV (future);
  gpointer old_data = priv->cancel_hook_data;
  GDestroyNotify old_destroy = priv->cancel_hook_destroy;

  priv->cancel_hook = hook;
  priv->cancel_hook_data = user_data;
  priv->cancel_hook_destroy = destroy;

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
 */
GCancellable *
gaio_future_get_cancellable (GaioFuture *future)
{
  GaioFuturePrivate *priv;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);

  priv = PRIV (future);
  if (priv->cancellable == NULL)
    {
      priv->cancellable = g_cancellable_new ();
      if (priv->state == GAIO_FUTURE_CANCELLED)
        g_cancellable_cancel (priv->cancellable);
    }

  return priv->cancellable;
}

static char *
describe (GaioFuture *future)
{
  g_autofree char *repr = gaio_future_to_string (future);
  const char *state;

  switch (PRIV (future)->state)
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
  GaioFuturePrivate *priv = PRIV (future);

  if (G_LIKELY (!priv->sealed && priv->state == GAIO_FUTURE_PENDING))
    return TRUE;

  return refuse_completion (future, setting_error, error);
}

#define check_pending(future, error) check_pending_full ((future), FALSE, (error))

G_GNUC_NO_INLINE static gboolean
refuse_completion (GaioFuture  *future,
                   gboolean     setting_error,
                   GError     **error)
{
  g_autofree char *text = NULL;

  if (PRIV (future)->sealed)
    {
      g_autofree char *kind = class_short_name (future);

      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                   "%s does not support %s operation", kind,
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
  PRIV (future)->result = *value;
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
 */
gboolean
gaio_future_take_result (GaioFuture  *future,
                         GValue      *value,
                         GError     **error)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);
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
 * schedules its done callbacks.
 *
 * Returns: %TRUE on success; %FALSE with %GAIO_ERROR_INVALID_STATE if the
 *   future is already done
 */
gboolean
gaio_future_set_result (GaioFuture    *future,
                        const GValue  *value,
                        GError       **error)
{
  GValue copy = G_VALUE_INIT;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);
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

#define DEFINE_SET_RESULT(suffix, ctype, gtype, setter)                  \
gboolean                                                                  \
gaio_future_set_result_##suffix (GaioFuture  *future,                     \
                                 ctype        value,                      \
                                 GError     **error)                      \
{                                                                         \
  GValue result = G_VALUE_INIT;                                           \
                                                                          \
  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);                  \
                                                                          \
  if (!check_pending (future, error))                                     \
    return FALSE;                                                         \
                                                                          \
  value_init (&result, gtype);                                            \
  setter (&result, value);                                                \
  finish_with_value (future, &result);                                    \
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
 */
DEFINE_SET_RESULT (int64, gint64, G_TYPE_INT64, g_value_set_int64)

/**
 * gaio_future_set_result_uint64:
 * @future: a #GaioFuture
 * @value: the result
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #guint64.
 *
 * Returns: %TRUE on success
 */
DEFINE_SET_RESULT (uint64, guint64, G_TYPE_UINT64, g_value_set_uint64)

/**
 * gaio_future_set_result_double:
 * @future: a #GaioFuture
 * @value: the result
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #gdouble.
 *
 * Returns: %TRUE on success
 */
DEFINE_SET_RESULT (double, gdouble, G_TYPE_DOUBLE, g_value_set_double)

/**
 * gaio_future_set_result_boolean:
 * @future: a #GaioFuture
 * @value: the result
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a #gboolean.
 *
 * Returns: %TRUE on success
 */
DEFINE_SET_RESULT (boolean, gboolean, G_TYPE_BOOLEAN, g_value_set_boolean)

/**
 * gaio_future_set_result_string:
 * @future: a #GaioFuture
 * @value: (nullable): the result, copied
 * @error: return location for a #GError
 *
 * [method@Gaio.Future.set_result] with a string.
 *
 * Returns: %TRUE on success
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
 */
gboolean
gaio_future_set_result_object (GaioFuture  *future,
                               gpointer     object,
                               GError     **error)
{
  GValue result = G_VALUE_INIT;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);
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
 */
gboolean
gaio_future_set_result_boxed (GaioFuture     *future,
                              GType           boxed_type,
                              gconstpointer   boxed,
                              GError        **error)
{
  GValue result = G_VALUE_INIT;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);
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
 */
gboolean
gaio_future_set_result_pointer (GaioFuture      *future,
                                gpointer         pointer,
                                GDestroyNotify   destroy,
                                GError         **error)
{
  GValue result = G_VALUE_INIT;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);

  if (!check_pending (future, error))
    return FALSE;

  value_init (&result, G_TYPE_POINTER);
  g_value_set_pointer (&result, pointer);
  PRIV (future)->result_destroy = destroy;
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
 */
gboolean
gaio_future_take_error (GaioFuture  *future,
                        GError      *error_value,
                        GError     **error)
{
  GaioFuturePrivate *priv;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (error_value != NULL, FALSE);

  if (!check_pending_full (future, TRUE, error))
    {
      g_error_free (error_value);
      return FALSE;
    }

  priv = PRIV (future);
  priv->error = error_value;
  priv->error_unretrieved = TRUE;
  mark_done (future, GAIO_FUTURE_FINISHED);

  return TRUE;
}

void
_gaio_future_complete_value (GaioFuture *future,
                             GValue     *value)
{
  GaioFuturePrivate *priv = PRIV (future);

  g_assert (priv->state == GAIO_FUTURE_PENDING);

  finish_with_value (future, value);
}

void
_gaio_future_complete_error (GaioFuture *future,
                             GError     *error)
{
  GaioFuturePrivate *priv = PRIV (future);

  g_assert (priv->state == GAIO_FUTURE_PENDING);

  priv->error = error;
  priv->error_unretrieved = TRUE;
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
 */
gboolean
gaio_future_set_error (GaioFuture    *future,
                       const GError  *error_value,
                       GError       **error)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);
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
  GaioFuturePrivate *priv = PRIV (future);

  switch (priv->state)
    {
    case GAIO_FUTURE_PENDING:
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE, "Result is not ready.");
      return NULL;

    case GAIO_FUTURE_CANCELLED:
      g_propagate_error (error, g_error_copy (priv->error));
      return NULL;

    case GAIO_FUTURE_FINISHED:
    default:
      if (priv->error != NULL)
        {
          priv->error_unretrieved = FALSE;
          g_propagate_error (error, g_error_copy (priv->error));
          return NULL;
        }
      return &priv->result;
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
 */
gboolean
gaio_future_get_result (GaioFuture  *future,
                        GValue      *value,
                        GError     **error)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _gaio_future_get_result (future, value, error);
}

gboolean
_gaio_future_get_result (GaioFuture  *future,
                         GValue      *value,
                         GError     **error)
{
  const GValue *result = lookup_result (future, error);

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
 * `get_result`: it returns the value instead of filling one in.
 *
 * Returns: (transfer full) (nullable): a copy of the result, to free with
 *   `g_boxed_free (G_TYPE_VALUE, value)`, or %NULL with @error set
 */
GValue *
gaio_future_dup_result (GaioFuture  *future,
                        GError     **error)
{
  const GValue *result;
  GValue *copy;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = lookup_result (future, error);
  if (result == NULL)
    return NULL;

  copy = g_new0 (GValue, 1);
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
 */
GType
gaio_future_get_result_type (GaioFuture *future)
{
  GaioFuturePrivate *priv;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), G_TYPE_INVALID);

  priv = PRIV (future);
  return G_IS_VALUE (&priv->result) ? G_VALUE_TYPE (&priv->result) : G_TYPE_INVALID;
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
  g_return_val_if_fail (GAIO_IS_FUTURE (future), fallback);               \
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
 */
const char *
gaio_future_get_result_string (GaioFuture  *future,
                               GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);

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
 */
gpointer
gaio_future_get_result_object (GaioFuture  *future,
                               GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);

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
 */
gconstpointer
gaio_future_get_result_boxed (GaioFuture  *future,
                              GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);

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
 */
GVariant *
gaio_future_get_result_variant (GaioFuture  *future,
                                GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);

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
 */
gpointer
gaio_future_get_result_pointer (GaioFuture  *future,
                                GError     **error)
{
  const GValue *value;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);

  value = stored_result (future, G_TYPE_POINTER, error);
  return value != NULL ? g_value_get_pointer (value) : NULL;
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
 */
const GError *
gaio_future_get_error (GaioFuture  *future,
                       GError     **error)
{
  GaioFuturePrivate *priv;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = PRIV (future);
  switch (priv->state)
    {
    case GAIO_FUTURE_PENDING:
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE, "Exception is not set.");
      return NULL;

    case GAIO_FUTURE_CANCELLED:
      g_propagate_error (error, g_error_copy (priv->error));
      return NULL;

    case GAIO_FUTURE_FINISHED:
    default:
      priv->error_unretrieved = FALSE;
      return priv->error;
    }
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
 */
void
gaio_future_add_done_callback (GaioFuture         *future,
                               GaioFutureCallback  callback,
                               gpointer            user_data,
                               GDestroyNotify      notify)
{
  GaioFuturePrivate *priv;
  DoneCallback entry = { callback, user_data, notify };

  g_return_if_fail (GAIO_IS_FUTURE (future));
  g_return_if_fail (callback != NULL);

  priv = PRIV (future);
  if (priv->state != GAIO_FUTURE_PENDING)
    {
      schedule_callbacks (future, callback_list_append (NULL, &entry, 1));
      return;
    }

  add_pending_callback (priv, &entry);
}

void
_gaio_future_add_task_callback (GaioFuture         *future,
                                GaioFutureCallback  callback,
                                GaioFuture         *task)
{
  GaioFuturePrivate *priv = PRIV (future);
  DoneCallback entry = { callback, task, g_object_unref, task };

  /* Its one caller, a task suspending on @future, checked. */
  g_assert (priv->state == GAIO_FUTURE_PENDING);
  add_pending_callback (priv, &entry);
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
 * Returns: the number of callbacks removed
 */
guint
gaio_future_remove_done_callback (GaioFuture         *future,
                                  GaioFutureCallback  callback,
                                  gpointer            user_data)
{
  GaioFuturePrivate *priv;
  g_autoptr(GArray) removed = NULL;
  guint kept = 0;

  g_return_val_if_fail (GAIO_IS_FUTURE (future), 0);

  priv = PRIV (future);
  if (priv->callbacks == NULL)
    return 0;

  removed = g_array_new (FALSE, FALSE, sizeof (DoneCallback));
  for (guint i = 0; i < priv->callbacks->len; i++)
    {
      DoneCallback entry = priv->callbacks->items[i];

      if (entry.callback == callback && entry.user_data == user_data)
        g_array_append_val (removed, entry);
      else
        priv->callbacks->items[kept++] = entry;
    }
  priv->callbacks->len = kept;

  /* Notifies run last: they may add or remove callbacks (FU-08). */
  for (guint i = 0; i < removed->len; i++)
    {
      DoneCallback *entry = &g_array_index (removed, DoneCallback, i);

      if (entry->notify != NULL)
        entry->notify (entry->user_data);
    }

  return removed->len;
}

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
 *                    g_object_ref (future));
 * ]|
 *
 * The future then finishes with what the `_finish` function returns, or
 * its error. Cancelling the future cancels the operation. Start the
 * operation on the loop's thread, so that GIO completes it there.
 *
 * Returns: (transfer full): a new #GaioFuture
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
  PRIV (future)->finish = finish;
  PRIV (future)->finish_type = result_type;

  return future;
}

/* Calls the _finish function with the return type it really has: calling
 * a function through a pointer of another type is undefined. */
static void
call_finish (GaioFuturePrivate  *priv,
             GObject            *source_object,
             GAsyncResult       *result,
             GValue             *value,
             GError            **error)
{
  GType type = priv->finish_type;
  void (*generic) (void) = (void (*) (void)) priv->finish;

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
      g_value_take_string (value, priv->finish (source_object, result, error));
      break;
    case G_TYPE_VARIANT:
      g_value_take_variant (value, priv->finish (source_object, result, error));
      break;
    case G_TYPE_POINTER:
      g_value_set_pointer (value, priv->finish (source_object, result, error));
      break;
    case G_TYPE_OBJECT:
    case G_TYPE_INTERFACE:
      g_value_take_object (value, priv->finish (source_object, result, error));
      break;
    case G_TYPE_BOXED:
    default:
      g_value_take_boxed (value, priv->finish (source_object, result, error));
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
 */
void
gaio_future_async_ready_callback (GObject      *source_object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GaioFuture) future = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GaioFuturePrivate *priv;

  g_return_if_fail (GAIO_IS_FUTURE (future));
  g_return_if_fail (PRIV (future)->finish != NULL);

  priv = PRIV (future);
  call_finish (priv, source_object, result, &value, &error);

  if (priv->state != GAIO_FUTURE_PENDING)
    return;

  if (error != NULL)
    gaio_future_take_error (future, g_steal_pointer (&error), NULL);
  else
    gaio_future_take_result (future, &value, NULL);
}

typedef struct
{
  gint    completed;   /* (atomic) the task was returned */
  gulong  cancelled_id;
} WaitData;

static void
wait_cancelled (GCancellable *cancellable,
                gpointer      user_data)
{
  GTask *task = user_data;
  WaitData *data = g_task_get_task_data (task);

  /* Any thread: whoever completes first returns the task. */
  if (g_atomic_int_compare_and_exchange (&data->completed, FALSE, TRUE))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "Operation was cancelled");
}

static void
wait_done (GaioFuture *future,
           gpointer    user_data)
{
  GTask *task = user_data;
  WaitData *data = g_task_get_task_data (task);

  if (!g_atomic_int_compare_and_exchange (&data->completed, FALSE, TRUE))
    return;

  g_cancellable_disconnect (g_task_get_cancellable (task), data->cancelled_id);
  data->cancelled_id = 0;
  g_task_return_boolean (task, TRUE);
}

/**
 * gaio_future_wait_async:
 * @future: a #GaioFuture
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when @future is done
 * @user_data: data for @callback
 *
 * Waits for the future in GIO's asynchronous style, for code that takes
 * a #GAsyncReadyCallback (and for PyGObject's `await` and GJS's
 * promisify). @callback runs in the thread-default main context of the
 * caller, as for any GIO operation; call
 * [method@Gaio.Future.wait_finish] from it. Cancelling @cancellable
 * stops the wait, not the future.
 */
void
gaio_future_wait_async (GaioFuture          *future,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WaitData *data;

  g_return_if_fail (GAIO_IS_FUTURE (future));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (future, cancellable, callback, user_data);
  g_task_set_source_tag (task, gaio_future_wait_async);
  g_task_set_check_cancellable (task, FALSE);

  if (gaio_future_is_done (future))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data = g_new0 (WaitData, 1);
  g_task_set_task_data (task, data, g_free);
  if (cancellable != NULL)
    data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (wait_cancelled),
                                                task, NULL);

  gaio_future_add_done_callback (future, wait_done, g_object_ref (task), g_object_unref);
}

/**
 * gaio_future_wait_finish:
 * @future: a #GaioFuture
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Gaio.Future.wait_async]: the future's result, as
 * [method@Gaio.Future.dup_result] gives it, or its error, or
 * %G_IO_ERROR_CANCELLED if the wait was cancelled.
 *
 * Returns: (transfer full) (nullable): a copy of the result, to free with
 *   `g_boxed_free (G_TYPE_VALUE, value)`, or %NULL with @error set
 */
GValue *
gaio_future_wait_finish (GaioFuture    *future,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);
  g_return_val_if_fail (g_task_is_valid (result, future), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  return gaio_future_dup_result (future, error);
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
  switch (PRIV (future)->state)
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
  GaioFuturePrivate *priv = PRIV (future);

  if (priv->state != GAIO_FUTURE_FINISHED)
    return;

  if (priv->error != NULL)
    g_string_append_printf (text, " exception=GError(%s, %d, '%s')",
                            g_quark_to_string (priv->error->domain), priv->error->code,
                            priv->error->message);
  else
    {
      g_autofree char *result = describe_result (&priv->result);

      g_string_append_printf (text, " result=%s", result);
    }
}

void
_gaio_future_describe_tail (GaioFuture *future,
                            GString    *text)
{
  GaioFuturePrivate *priv = PRIV (future);

  if (priv->callbacks != NULL && priv->callbacks->len > 0)
    describe_callbacks (text, priv->callbacks);

  if (priv->traceback != NULL)
    {
      g_autofree char *site = _gaio_traceback_describe (priv->traceback);

      if (site != NULL)
        g_string_append_printf (text, " created at %s", site);
    }
}

static char *
gaio_future_real_to_string (GaioFuture *future)
{
  g_autofree char *kind = class_short_name (future);
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "<%s ", kind);
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
 */
char *
gaio_future_to_string (GaioFuture *future)
{
  g_return_val_if_fail (GAIO_IS_FUTURE (future), NULL);

  return GAIO_FUTURE_GET_CLASS (future)->to_string (future);
}
