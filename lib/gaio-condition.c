/* gaio-condition.c: asyncio's Condition, for tasks and callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A lock and the waiters of wait(). A wait is one waiter (gaio-waiter.c)
 * that goes through two queues, as asyncio's wait() goes through two
 * awaits:
 *
 *   wait()  releases the lock; the waiter joins the condition's queue
 *   notify()  moves it to the lock's queue (_gaio_lock_reacquire())
 *   the lock's turn  finishes it with TRUE: the lock is held again
 *
 * Cancelling a wait does not end it at once: asyncio's wait() re-acquires
 * the lock before it lets CancelledError out, so that `async with cond`
 * releases a lock it holds. Here the cancel request moves the waiter to
 * the lock's queue (if it was not notified yet) and marks it; the lock's
 * turn cancels it instead of finishing it. Whoever awaits the future sees
 * it end, one way or the other, with the lock held.
 *
 * wait_for() is a waiter of its own driving one wait() after another
 * until the predicate holds; cancelling it cancels the wait in progress.
 * Its hooks act on its own state (WaitFor), which is its owner: the
 * condition may go while it waits (it holds the condition weakly), and
 * a waiter's owner must outlive its hooks (gaio-waiter-private.h).
 */

#include "config.h"

#include "gaio-lock-private.h"
#include "gaio-waiter-private.h"

struct _GaioCondition
{
  GObject   parent_instance;

  GaioLoop *loop;      /* (owned) */
  GaioLock *lock;      /* (owned) */
  GQueue    waiters;   /* (owned) GaioWaiter not notified yet, each with a reference */
};

/**
 * GaioCondition:
 *
 * asyncio's `Condition`: a lock, and waiters that wait while not holding
 * it until another holder notifies them.
 *
 * Holding the lock ([method@Gaio.Condition.acquire]), a task or callback
 * calls [method@Gaio.Condition.wait]: the lock is released, and the
 * returned [struct@Gaio.Future] finishes with %TRUE once the waiter was
 * notified ([method@Gaio.Condition.notify]) and holds the lock again.
 * Cancelling that future ends the wait cancelled, but only once the lock
 * is held again, as in asyncio: the wait always ends with the lock held,
 * and its caller releases it.
 *
 * Used from the loop's thread only, as every primitive of a loop (not
 * thread-safe; see [method@Gaio.Loop.call_soon_threadsafe]).
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioCondition, gaio_condition, G_TYPE_OBJECT)

/* In the lock's queue: a cancel request is kept for the lock's turn. */
static gboolean
reacquire_cancel (GaioWaiter *waiter,
                  const char *message)
{
  if (!waiter->cancel_requested)
    {
      waiter->cancel_requested = TRUE;
      waiter->cancel_message = g_strdup (message);
    }

  return TRUE;
}

/* Dropped after the lock's turn: the lock stays with the waiter's holder,
 * as when asyncio's wait() returned (no dropped hook). */
static const GaioWaiterClass reacquire_class = {
  .cancel = reacquire_cancel,
};

/* In the condition's queue, not notified: cancelled, it re-acquires the
 * lock and ends cancelled then. */
static gboolean
wait_cancel (GaioWaiter *waiter,
             const char *message)
{
  GaioCondition *condition = waiter->owner;

  gaio_future_ref (GAIO_FUTURE (waiter));
  _gaio_waiter_unlink (waiter);
  reacquire_cancel (waiter, message);
  _gaio_lock_reacquire (condition->lock, waiter, &reacquire_class);
  gaio_future_unref (GAIO_FUTURE (waiter));

  return TRUE;
}

static const GaioWaiterClass wait_class = {
  .cancel = wait_cancel,
};

static void
gaio_condition_dispose (GObject *object)
{
  GaioCondition *condition = GAIO_CONDITION (object);

  _gaio_waiter_queue_clear (&condition->waiters,
                            "GaioCondition was finalized while waited for");

  G_OBJECT_CLASS (gaio_condition_parent_class)->dispose (object);
}

static void
gaio_condition_finalize (GObject *object)
{
  GaioCondition *condition = GAIO_CONDITION (object);

  g_clear_object (&condition->lock);
  g_clear_object (&condition->loop);

  G_OBJECT_CLASS (gaio_condition_parent_class)->finalize (object);
}

static void
gaio_condition_class_init (GaioConditionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gaio_condition_dispose;
  object_class->finalize = gaio_condition_finalize;
}

static void
gaio_condition_init (GaioCondition *condition)
{
  g_queue_init (&condition->waiters);
}

/**
 * gaio_condition_new:
 * @loop: the loop the condition is used on
 * @lock: (nullable): the lock to use, of the same loop; %NULL for a new
 *   one
 *
 * Creates a condition (asyncio's `Condition(lock)`).
 *
 * Returns: (transfer full): a new #GaioCondition
 *
 * Since: 1.0
 */
GaioCondition *
gaio_condition_new (GaioLoop *loop,
                    GaioLock *lock)
{
  GaioCondition *condition;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (lock == NULL || GAIO_IS_LOCK (lock), NULL);
  g_return_val_if_fail (lock == NULL || gaio_lock_get_loop (lock) == loop, NULL);

  condition = g_object_new (GAIO_TYPE_CONDITION, NULL);
  condition->loop = g_object_ref (loop);
  condition->lock = lock != NULL ? g_object_ref (lock) : gaio_lock_new (loop);

  return condition;
}

/**
 * gaio_condition_get_lock:
 * @condition: a #GaioCondition
 *
 * Gets the condition's lock.
 *
 * Returns: (transfer none): the lock
 *
 * Since: 1.0
 */
GaioLock *
gaio_condition_get_lock (GaioCondition *condition)
{
  g_return_val_if_fail (GAIO_IS_CONDITION (condition), NULL);

  return condition->lock;
}

/**
 * gaio_condition_acquire:
 * @condition: a #GaioCondition
 *
 * [method@Gaio.Lock.acquire] on the condition's lock.
 *
 * Returns: (transfer full): a future of a boolean (%TRUE)
 *
 * Since: 1.0
 */
GaioFuture *
gaio_condition_acquire (GaioCondition *condition)
{
  g_return_val_if_fail (GAIO_IS_CONDITION (condition), NULL);

  return gaio_lock_acquire (condition->lock);
}

/**
 * gaio_condition_release:
 * @condition: a #GaioCondition
 * @error: return location for a #GError
 *
 * [method@Gaio.Lock.release] on the condition's lock.
 *
 * Returns: %TRUE; %FALSE with %GAIO_ERROR_INVALID_STATE if the lock is
 *   not held
 *
 * Since: 1.0
 */
gboolean
gaio_condition_release (GaioCondition  *condition,
                        GError        **error)
{
  g_return_val_if_fail (GAIO_IS_CONDITION (condition), FALSE);

  return gaio_lock_release (condition->lock, error);
}

/**
 * gaio_condition_is_locked:
 * @condition: a #GaioCondition
 *
 * Whether the condition's lock is held.
 *
 * Returns: %TRUE if held
 *
 * Since: 1.0
 */
gboolean
gaio_condition_is_locked (GaioCondition *condition)
{
  g_return_val_if_fail (GAIO_IS_CONDITION (condition), FALSE);

  return gaio_lock_is_locked (condition->lock);
}

/**
 * gaio_condition_wait:
 * @condition: a #GaioCondition
 *
 * Waits to be notified (asyncio's `wait()`). The caller must hold the
 * lock: it is released, and the future finishes with %TRUE once
 * [method@Gaio.Condition.notify] chose this waiter and the lock is held
 * again. Cancelled, the future ends cancelled once the lock is held
 * again: either way the wait ends with the lock held.
 *
 * Returns: (transfer full): a future of a boolean (%TRUE); failed with
 *   %GAIO_ERROR_INVALID_STATE if the lock is not held (`cannot wait on
 *   un-acquired lock`)
 *
 * Since: 1.0
 */
GaioFuture *
gaio_condition_wait (GaioCondition *condition)
{
  GaioWaiter *waiter;

  g_return_val_if_fail (GAIO_IS_CONDITION (condition), NULL);

  if (!gaio_lock_is_locked (condition->lock))
    return _gaio_waiter_new_failed (condition->loop,
                                    g_error_new_literal (GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                                                         "cannot wait on un-acquired lock"));

  waiter = _gaio_waiter_new (condition->loop, &wait_class, condition);
  _gaio_waiter_enqueue (waiter, &condition->waiters);
  gaio_lock_release (condition->lock, NULL);

  return GAIO_FUTURE (waiter);
}

/* wait_for(): the state its waiter keeps, as its owner and its data
 * (which frees it with the waiter). */
typedef struct
{
  GWeakRef                condition;
  GaioConditionPredicate  predicate;
  gpointer                user_data;
  GDestroyNotify          notify;
  GaioFuture             *wait;       /* (owned) (nullable) the wait() in progress */
} WaitFor;

static void
wait_for_free (gpointer data)
{
  WaitFor *state = data;

  g_weak_ref_clear (&state->condition);
  if (state->notify != NULL)
    state->notify (state->user_data);
  g_clear_pointer (&state->wait, gaio_future_unref);
  g_free (state);
}

static gboolean
wait_for_cancel (GaioWaiter *waiter,
                 const char *message)
{
  WaitFor *state = waiter->owner;

  reacquire_cancel (waiter, message);
  if (state->wait != NULL)
    gaio_future_cancel (state->wait, message);

  return TRUE;
}

static const GaioWaiterClass wait_for_class = {
  .cancel = wait_for_cancel,
};

static void wait_for_step (GaioWaiter *waiter);

static void
wait_for_woken (GaioFuture *wait,
                gpointer    user_data)
{
  GaioWaiter *waiter = user_data;
  WaitFor *state = waiter->data;
  GError *error = NULL;

  g_clear_pointer (&state->wait, gaio_future_unref);

  if (gaio_future_is_cancelled (wait) || waiter->cancel_requested)
    {
      _gaio_waiter_cancel_now (waiter, NULL);
      return;
    }
  if (!_gaio_future_get_result (wait, NULL, &error))
    {
      _gaio_waiter_fail (waiter, error);
      return;
    }

  wait_for_step (waiter);
}

/* The lock is held: check, and wait again if need be. */
static void
wait_for_step (GaioWaiter *waiter)
{
  WaitFor *state = waiter->data;
  g_autoptr(GaioCondition) condition = NULL;

  if (state->predicate (state->user_data))
    {
      _gaio_waiter_finish_true (waiter);
      return;
    }

  condition = g_weak_ref_get (&state->condition);
  if (condition == NULL)
    {
      _gaio_waiter_cancel_now (waiter, "GaioCondition was finalized while waited for");
      return;
    }

  state->wait = gaio_condition_wait (condition);
  gaio_future_add_done_callback (state->wait, wait_for_woken,
                                 gaio_future_ref (GAIO_FUTURE (waiter)),
                                 (GDestroyNotify) gaio_future_unref);
}

/**
 * gaio_condition_wait_for:
 * @condition: a #GaioCondition
 * @predicate: (scope notified) (closure user_data) (destroy notify): what
 *   to wait for
 * @user_data: data for @predicate
 * @notify: (nullable): frees @user_data when the wait is over
 *
 * Waits until @predicate returns %TRUE (asyncio's `wait_for()`):
 * @predicate is called now, and after each notification with the lock
 * held, and the future finishes with %TRUE once it holds. If @predicate
 * holds at once, the lock need not be held; otherwise the caller must
 * hold it, as for [method@Gaio.Condition.wait]. Cancelling the future
 * cancels the wait in progress; it ends with the lock held.
 *
 * Returns: (transfer full): a future of a boolean (%TRUE)
 *
 * Since: 1.0
 */
GaioFuture *
gaio_condition_wait_for (GaioCondition          *condition,
                         GaioConditionPredicate  predicate,
                         gpointer                user_data,
                         GDestroyNotify          notify)
{
  GaioWaiter *waiter;
  WaitFor *state;

  g_return_val_if_fail (GAIO_IS_CONDITION (condition), NULL);
  g_return_val_if_fail (predicate != NULL, NULL);

  state = g_new0 (WaitFor, 1);
  g_weak_ref_init (&state->condition, condition);
  state->predicate = predicate;
  state->user_data = user_data;
  state->notify = notify;

  waiter = _gaio_waiter_new (condition->loop, &wait_for_class, state);
  waiter->data = state;
  waiter->data_destroy = wait_for_free;

  if (predicate (user_data))
    _gaio_waiter_finish_true (waiter);
  else if (!gaio_lock_is_locked (condition->lock))
    _gaio_waiter_fail (waiter, g_error_new_literal (GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                                                    "cannot wait on un-acquired lock"));
  else
    wait_for_step (waiter);

  return GAIO_FUTURE (waiter);
}

/**
 * gaio_condition_notify:
 * @condition: a #GaioCondition
 * @n: how many waiters to wake
 * @error: return location for a #GError
 *
 * Wakes up to @n waiters, the longest waiting first (asyncio's
 * `notify(n)`). The caller must hold the lock; each woken waiter's
 * future finishes once it holds the lock in turn, so after the caller
 * releases it.
 *
 * Returns: %TRUE; %FALSE with %GAIO_ERROR_INVALID_STATE if the lock is
 *   not held (`cannot notify on un-acquired lock`)
 *
 * Since: 1.0
 */
gboolean
gaio_condition_notify (GaioCondition  *condition,
                       guint           n,
                       GError        **error)
{
  g_return_val_if_fail (GAIO_IS_CONDITION (condition), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gaio_lock_is_locked (condition->lock))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                           "cannot notify on un-acquired lock");
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      GaioWaiter *waiter = _gaio_waiter_pop (&condition->waiters);

      if (waiter == NULL)
        break;
      _gaio_lock_reacquire (condition->lock, waiter, &reacquire_class);
      gaio_future_unref (GAIO_FUTURE (waiter));
    }

  return TRUE;
}

/**
 * gaio_condition_notify_all:
 * @condition: a #GaioCondition
 * @error: return location for a #GError
 *
 * Wakes every waiter (asyncio's `notify_all()`); see
 * [method@Gaio.Condition.notify].
 *
 * Returns: %TRUE; %FALSE with %GAIO_ERROR_INVALID_STATE if the lock is
 *   not held
 *
 * Since: 1.0
 */
gboolean
gaio_condition_notify_all (GaioCondition  *condition,
                           GError        **error)
{
  g_return_val_if_fail (GAIO_IS_CONDITION (condition), FALSE);

  return gaio_condition_notify (condition, G_MAXUINT, error);
}

/**
 * gaio_condition_to_string:
 * @condition: a #GaioCondition
 *
 * Describes the condition as asyncio's repr does: `<GaioCondition
 * [locked, waiters:2]>`, counting the waiters not notified yet.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_condition_to_string (GaioCondition *condition)
{
  GString *text;

  g_return_val_if_fail (GAIO_IS_CONDITION (condition), NULL);

  text = g_string_new ("<GaioCondition [");
  g_string_append (text, gaio_lock_is_locked (condition->lock) ? "locked" : "unlocked");
  if (condition->waiters.length > 0)
    g_string_append_printf (text, ", waiters:%u", condition->waiters.length);
  g_string_append (text, "]>");

  return g_string_free (text, FALSE);
}
