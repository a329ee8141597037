/* gaio-lock.c: asyncio's Lock, for tasks and callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A lock is free or held, with a FIFO of waiters (gaio-waiter.c). The
 * lock passes from hand to hand: release() with waiters queued does not
 * free the lock but gives it to the first waiter, whose future finishes
 * with %TRUE: the future's holder owns the lock from then on. asyncio
 * frees the lock and lets the woken coroutine take it when it resumes;
 * the outcome is the same (the next in line gets it, nobody jumps the
 * queue), and gaio_lock_is_locked() stays %TRUE in between instead of
 * reading %FALSE for one iteration.
 *
 * Invariant: the lock is free only when no waiter is queued. A waiter
 * cancelled while queued leaves the queue (it never holds the lock); a
 * waiter whose task is cancelled after it was granted the lock hands it
 * on (the waiter's dropped hook), so a cancelled waiter never keeps the
 * lock meant for the next one (test_locks.py's test_cancel_race,
 * test_cancel_release_race, test_finished_waiter_cancelled).
 *
 * A condition's waiters re-acquire the lock through the same queue
 * (_gaio_lock_reacquire()), so they take turns with acquire().
 */

#include "config.h"

#include "gaio-lock-private.h"
#include "gaio-waiter-private.h"

struct _GaioLock
{
  GObject   parent_instance;

  GaioLoop *loop;      /* (owned) */
  gboolean  locked;
  GQueue    waiters;   /* (owned) GaioWaiter, each with a reference */
};

/**
 * GaioLock:
 *
 * asyncio's `Lock`: a mutual-exclusion lock for code on one loop.
 *
 * [method@Gaio.Lock.acquire] returns a [struct@Gaio.Future] that finishes
 * with %TRUE once the lock is the caller's: already finished if the lock
 * was free, else when every earlier waiter has had its turn (first come,
 * first served). A task awaits it with gaio_await(); callback code adds a
 * done callback. Whoever holds the future then calls
 * [method@Gaio.Lock.release].
 *
 * Cancelling the future while it waits withdraws the request. A task
 * cancelled after the lock was given to it, before it resumed, does not
 * keep it: its gaio_await() fails with %G_IO_ERROR_CANCELLED and the lock
 * goes to the next waiter. So await the future in one task only.
 *
 * Like everything of a loop, a lock is used from the loop's thread only:
 * it is not thread-safe, as asyncio's is not. Other threads post to the
 * loop with [method@Gaio.Loop.call_soon_threadsafe]. A lock finalized
 * while waited for cancels its waiters.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioLock, gaio_lock, G_TYPE_OBJECT)

static void grant_next (GaioLock *lock);

static void
lock_waiter_dropped (GaioWaiter *waiter)
{
  GaioLock *lock = waiter->owner;

  /* The task was granted the lock and never saw it: pass it on (unless
   * someone released it on the task's behalf meanwhile). */
  if (lock->locked)
    grant_next (lock);
}

static const GaioWaiterClass lock_waiter_class = {
  .dropped = lock_waiter_dropped,
};

static void
gaio_lock_dispose (GObject *object)
{
  GaioLock *lock = GAIO_LOCK (object);

  _gaio_waiter_queue_clear (&lock->waiters, "GaioLock was finalized while waited for");

  G_OBJECT_CLASS (gaio_lock_parent_class)->dispose (object);
}

static void
gaio_lock_finalize (GObject *object)
{
  GaioLock *lock = GAIO_LOCK (object);

  g_clear_object (&lock->loop);

  G_OBJECT_CLASS (gaio_lock_parent_class)->finalize (object);
}

static void
gaio_lock_class_init (GaioLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gaio_lock_dispose;
  object_class->finalize = gaio_lock_finalize;
}

static void
gaio_lock_init (GaioLock *lock)
{
  g_queue_init (&lock->waiters);
}

/**
 * gaio_lock_new:
 * @loop: the loop the lock is used on
 *
 * Creates a free lock (asyncio's `Lock()`).
 *
 * Returns: (transfer full): a new #GaioLock
 *
 * Since: 1.0
 */
GaioLock *
gaio_lock_new (GaioLoop *loop)
{
  GaioLock *lock;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  lock = g_object_new (GAIO_TYPE_LOCK, NULL);
  lock->loop = g_object_ref (loop);

  return lock;
}

/**
 * gaio_lock_get_loop:
 * @lock: a #GaioLock
 *
 * Gets the loop the lock is used on.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 1.0
 */
GaioLoop *
gaio_lock_get_loop (GaioLock *lock)
{
  g_return_val_if_fail (GAIO_IS_LOCK (lock), NULL);

  return lock->loop;
}

/**
 * gaio_lock_acquire:
 * @lock: a #GaioLock
 *
 * Acquires the lock (asyncio's `acquire()`). The future finishes with
 * %TRUE when the lock is the caller's: at once if the lock is free and
 * nobody waits, else in turn, first come first served.
 *
 * Cancel the future to give up waiting. If the lock was already given to
 * it, the cancellation fails and the lock is the future's holder's.
 *
 * Returns: (transfer full): a future of a boolean (%TRUE)
 *
 * Since: 1.0
 */
GaioFuture *
gaio_lock_acquire (GaioLock *lock)
{
  GaioWaiter *waiter;

  g_return_val_if_fail (GAIO_IS_LOCK (lock), NULL);

  if (!lock->locked)
    {
      lock->locked = TRUE;
      return _gaio_waiter_new_true (lock->loop);
    }

  waiter = _gaio_waiter_new (lock->loop, &lock_waiter_class, lock);
  _gaio_waiter_enqueue (waiter, &lock->waiters);

  return GAIO_FUTURE (waiter);
}

/* The lock is held: hand it to the first waiter, or free it. */
static void
grant_next (GaioLock *lock)
{
  GaioWaiter *waiter = _gaio_waiter_pop (&lock->waiters);

  if (waiter == NULL)
    {
      lock->locked = FALSE;
      return;
    }

  /* A condition's waiter whose wait was cancelled still takes the lock
   * (asyncio's wait() re-acquires it before raising CancelledError). */
  if (waiter->cancel_requested)
    _gaio_waiter_cancel_now (waiter, NULL);
  else
    _gaio_waiter_finish_true (waiter);
  gaio_future_unref (GAIO_FUTURE (waiter));
}

/**
 * gaio_lock_release:
 * @lock: a #GaioLock
 * @error: return location for a #GError
 *
 * Releases the lock (asyncio's `release()`): the first waiter gets it,
 * or it becomes free. Any holder may release it: a lock is not owned by a
 * task.
 *
 * Returns: %TRUE; %FALSE with %GAIO_ERROR_INVALID_STATE if the lock is
 *   not held (`Lock is not acquired.`)
 *
 * Since: 1.0
 */
gboolean
gaio_lock_release (GaioLock  *lock,
                   GError   **error)
{
  g_return_val_if_fail (GAIO_IS_LOCK (lock), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!lock->locked)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE, "Lock is not acquired.");
      return FALSE;
    }

  grant_next (lock);

  return TRUE;
}

/**
 * gaio_lock_is_locked:
 * @lock: a #GaioLock
 *
 * Whether the lock is held (asyncio's `locked()`).
 *
 * Returns: %TRUE if held
 *
 * Since: 1.0
 */
gboolean
gaio_lock_is_locked (GaioLock *lock)
{
  g_return_val_if_fail (GAIO_IS_LOCK (lock), FALSE);

  return lock->locked;
}

/**
 * gaio_lock_to_string:
 * @lock: a #GaioLock
 *
 * Describes the lock as asyncio's repr does: `<GaioLock [locked,
 * waiters:2]>`.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_lock_to_string (GaioLock *lock)
{
  GString *text;

  g_return_val_if_fail (GAIO_IS_LOCK (lock), NULL);

  text = g_string_new ("<GaioLock [");
  g_string_append (text, lock->locked ? "locked" : "unlocked");
  if (lock->waiters.length > 0)
    g_string_append_printf (text, ", waiters:%u", lock->waiters.length);
  g_string_append (text, "]>");

  return g_string_free (text, FALSE);
}

void
_gaio_lock_reacquire (GaioLock              *lock,
                      GaioWaiter            *waiter,
                      const GaioWaiterClass *wclass)
{
  waiter->owner = lock;
  waiter->wclass = wclass;

  if (!lock->locked)
    {
      lock->locked = TRUE;
      if (waiter->cancel_requested)
        _gaio_waiter_cancel_now (waiter, NULL);
      else
        _gaio_waiter_finish_true (waiter);
      return;
    }

  _gaio_waiter_enqueue (waiter, &lock->waiters);
}
