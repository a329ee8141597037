/* gaio-lock.c: asyncio's Lock, for tasks and callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A lock is free or held, with a FIFO of waiters (gaio-waiter.c), which
 * behaves as asyncio's to the iteration:
 *
 *  - release() frees the lock and wakes the first waiter, if it is still
 *    pending: its future finishes with %TRUE. The waiter stays queued
 *    until it resumes (just before the task awaiting it goes on), and
 *    only then takes the lock; in between the lock
 *    reads free, and acquire() still waits, since a live waiter is queued.
 *  - a cancelled waiter also stays queued until it resumes, and then
 *    wakes the next one if the lock is free: release() looks at the first
 *    waiter only, and wakes nobody when that one is done already
 *    (test_locks.py's test_cancel_race, test_finished_waiter_cancelled).
 *  - a task cancelled after it was woken, before it resumed, lets the
 *    lock go again (the waiter's dropped hook), so that the next waiter
 *    gets it (test_cancel_release_race).
 *
 * Invariant: while the lock is free, every queued waiter is done, or is a
 * condition's. The description counts every queued waiter, as asyncio's
 * repr counts its deque.
 *
 * A condition's waiters re-acquire the lock through the same queue
 * (_gaio_lock_reacquire()), so they take turns with acquire(). They are
 * handed the lock when their turn comes: their future is the condition's
 * wait, which finishes holding it.
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
 * As in asyncio, [method@Gaio.Lock.release] frees the lock and wakes the
 * first waiter, which takes the lock when it resumes (just before its
 * done callbacks run, the task awaiting it first): in between,
 * [method@Gaio.Lock.is_locked] reads %FALSE, yet acquire() waits behind
 * the woken waiter.
 *
 * Cancelling the future while it waits withdraws the request. A task
 * cancelled after it was woken, before it resumed, does not keep the
 * lock: its gaio_await() fails with %G_IO_ERROR_CANCELLED and the next
 * waiter is woken. So await the future in one task only.
 *
 * Like everything of a loop, a lock is used from the loop's thread only:
 * it is not thread-safe, as asyncio's is not. Other threads post to the
 * loop with [method@Gaio.Loop.call_soon_threadsafe]. A lock finalized
 * while waited for cancels its waiters.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioLock, gaio_lock, G_TYPE_OBJECT)

static gboolean can_take      (GaioLock *lock);
static void     wake_up_first (GaioLock *lock);

/* asyncio's acquire() after its `await fut`, before the task awaiting
 * the waiter goes on: the waiter leaves the queue; a woken one takes the
 * lock, a cancelled one passes its turn on if the lock is free. Called
 * while the waiter is listed (gaio-waiter.c). */
static void
lock_waiter_resumed (GaioWaiter *waiter)
{
  GaioLock *lock = waiter->owner;

  _gaio_waiter_unlink (waiter);
  if (GAIO_FUTURE (waiter)->state == GAIO_FUTURE_FINISHED)
    lock->locked = TRUE;
  else if (!lock->locked)
    wake_up_first (lock);
}

/* A waiter stays listed, cancelled, until it resumes. */
static gboolean
lock_waiter_cancel (GaioWaiter *waiter,
                    const char *message)
{
  _gaio_waiter_cancel_now (waiter, message);
  return TRUE;
}

/* The task awaiting the waiter was cancelled after the waiter took the
 * lock: asyncio's acquire() never set _locked, so the lock is free again
 * and the next waiter is woken. */
static void
lock_waiter_dropped (GaioWaiter *waiter)
{
  GaioLock *lock = waiter->owner;

  /* Out of the queue already, normally: it resumed before the task
   * did, and took the lock. */
  if (waiter->queue != NULL)
    lock_waiter_resumed (waiter);
  lock->locked = FALSE;
  wake_up_first (lock);
}

static const GaioWaiterClass lock_waiter_class = {
  .cancel = lock_waiter_cancel,
  .resumed = lock_waiter_resumed,
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
 * Cancel the future to give up waiting. Once it finished, the lock is
 * the future's holder's.
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

  if (can_take (lock))
    {
      lock->locked = TRUE;
      return _gaio_waiter_new_true (lock->loop);
    }

  waiter = _gaio_waiter_new (lock->loop, &lock_waiter_class, lock);
  _gaio_waiter_enqueue (waiter, &lock->waiters);

  return GAIO_FUTURE (waiter);
}

/* asyncio's fast path: the lock is free and nobody but cancelled
 * waiters is queued. */
static gboolean
can_take (GaioLock *lock)
{
  if (lock->locked)
    return FALSE;

  for (GList *l = lock->waiters.head; l != NULL; l = l->next)
    if (!gaio_future_is_cancelled (l->data))
      return FALSE;

  return TRUE;
}

/* The lock is free: wake the first waiter, if it is still pending. A
 * condition's waiter is handed the lock instead. */
static void
wake_up_first (GaioLock *lock)
{
  GaioWaiter *waiter = g_queue_peek_head (&lock->waiters);

  if (waiter == NULL || GAIO_FUTURE (waiter)->state != GAIO_FUTURE_PENDING)
    return;

  if (waiter->wclass == &lock_waiter_class)
    {
      _gaio_waiter_finish_true (waiter);
      return;
    }

  waiter = _gaio_waiter_pop (&lock->waiters);
  lock->locked = TRUE;
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
 * Releases the lock (asyncio's `release()`): it becomes free, and the
 * first waiter, if still pending, is woken to take it. Any holder may
 * release it: a lock is not owned by a task.
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

  lock->locked = FALSE;
  wake_up_first (lock);

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

  if (can_take (lock))
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
