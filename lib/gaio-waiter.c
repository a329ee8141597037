/* gaio-waiter.c: the future a synchronization primitive hands out for one
 * wait
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's locks, events, conditions, semaphores, barriers and queues
 * park each waiting coroutine on a plain future in a deque, and finish
 * the wait in the coroutine once that future is done. Here the future
 * *is* the operation, so that callback code (a done callback) and tasks
 * (gaio_await()) use the same call: a waiter is a future whose kind tells
 * its primitive what asyncio's coroutine would have done after its
 * `await fut`:
 *
 *  - cancelled while pending, it leaves its primitive's queue at once
 *    (asyncio leaves it there, cancelled, until the coroutine resumes),
 *    unless its primitive takes the request (GaioWaiterClass.cancel): a
 *    lock, an event and a semaphore keep it listed until it resumes, as
 *    asyncio does, since it shows there (a lock's release() looks at its
 *    first waiter only; a semaphore's locked() and every description
 *    count the futures listed);
 *  - finished, it owns what its primitive handed it: the lock, a
 *    permit. A task awaiting it that is cancelled before it resumes lets
 *    go of the result unread; gaio_await() says so through
 *    _gaio_future_mark_retrieved(), and the primitive takes the thing
 *    back (GaioWaiterClass.dropped), as asyncio's acquire() does when
 *    CancelledError reaches it after the wakeup (test_locks.py's
 *    test_acquire_no_hang). A queue hands nothing over early: its woken
 *    waiters retry as asyncio's do (gaio-queue.c).
 *
 * A waiter is sealed: gaio_future_set_result() on it fails, only its
 * primitive completes it.
 *
 * Ownership: a primitive's queue holds a reference on every waiter linked
 * in it; a pending waiter does not hold its primitive (a primitive freed
 * while waited for would otherwise be a cycle). A primitive that goes
 * cancels its pending waiters and clears their owner
 * (_gaio_waiter_queue_clear()), so no hook runs on a freed primitive. A
 * waiter that finished with a result may have its dropped hook run as
 * late as the awaiting task resumes: from then on it holds its primitive
 * (holds_owner), until it is freed. A lock's or a semaphore's stays
 * listed until it resumes (GaioWaiterClass.resumed), which breaks that
 * cycle, as a closing loop that drops the resumption unrun does.
 *
 * The resumption is a hook of the future's kind, run by the loop
 * callback that runs its done callbacks, not a done callback of its
 * own: a task's wakeup then stays the future's only callback, which the
 * future schedules without allocating or sorting a list (a lock's
 * contended hand-off lost a third of its speed to that list).
 * Loop thread only, as futures.
 */

#include "config.h"

#include "gaio-block-cache-private.h"
#include "gaio-waiter-private.h"

static gboolean waiter_cancel   (GaioFuture *future,
                                 const char *message);
static void     waiter_finalize (GaioFuture *future);
static void     waiter_dropped  (GaioFuture *future);

static void     waiter_resumed  (GaioFuture *future,
                                 gboolean    ran);
static void     waiter_free_block (GaioFuture *future);

static const GaioFutureClass waiter_class = {
  .kind = "Future",
  .cancel = waiter_cancel,
  .to_string = NULL,
  .dispose = NULL,
  .finalize = waiter_finalize,
  .free_block = waiter_free_block,
  .dropped = waiter_dropped,
};

/* The same, for a primitive with a resumed hook. */
static const GaioFutureClass resuming_waiter_class = {
  .kind = "Future",
  .cancel = waiter_cancel,
  .to_string = NULL,
  .dispose = NULL,
  .finalize = waiter_finalize,
  .free_block = waiter_free_block,
  .dropped = waiter_dropped,
  .resumed = waiter_resumed,
};

/* A waiter's block: one freed earlier in this thread
 * (gaio-block-cache.c), cleared, or a new one. */
static GaioWaiter *
waiter_block_new (void)
{
  GaioWaiter *waiter = _gaio_block_cache_take (GAIO_BLOCK_WAITER);

  if (waiter == NULL)
    return g_new0 (GaioWaiter, 1);

  /* What g_new0() gives, field by field: a memset() of the block is a
   * `rep stos`, slow to start (see block_reset() in gaio-future.c). A
   * field added to GaioWaiter must be cleared here too. */
  _gaio_future_reset_block (GAIO_FUTURE (waiter));
  waiter->wclass = NULL;
  waiter->owner = NULL;
  waiter->holds_owner = FALSE;
  waiter->queue = NULL;
  waiter->link = (GList) { NULL, NULL, NULL };
  waiter->index = 0;
  waiter->inside = FALSE;
  waiter->cancel_requested = FALSE;
  waiter->cancel_message = NULL;
  waiter->data = NULL;
  waiter->data_destroy = NULL;

  return waiter;
}

/* The future layer's last step: the waiter's fields are freed. */
static void
waiter_free_block (GaioFuture *future)
{
  _gaio_block_cache_give (GAIO_BLOCK_WAITER, future);
}

GaioWaiter *
_gaio_waiter_new (GaioLoop              *loop,
                  const GaioWaiterClass *wclass,
                  gpointer               owner)
{
  GaioWaiter *waiter = waiter_block_new ();

  _gaio_future_init (GAIO_FUTURE (waiter),
                     wclass->resumed != NULL ? &resuming_waiter_class : &waiter_class, loop);
  _gaio_future_seal (GAIO_FUTURE (waiter));
  waiter->wclass = wclass;
  waiter->owner = owner;
  waiter->link.data = waiter;

  return waiter;
}

/* Whoever runs this holds a reference on the waiter. */
static void
waiter_resumed (GaioFuture *future,
                gboolean    ran)
{
  GaioWaiter *waiter = GAIO_WAITER (future);

  /* Gone with its primitive (whose dispose unlinked every waiter), or
   * left already. */
  if (waiter->owner == NULL || waiter->queue == NULL)
    return;

  if (!ran)
    _gaio_waiter_unlink (waiter);
  else if (waiter->wclass->resumed != NULL)
    waiter->wclass->resumed (waiter);
}

static void
waiter_finalize (GaioFuture *future)
{
  GaioWaiter *waiter = GAIO_WAITER (future);

  g_assert (waiter->queue == NULL);

  if (waiter->holds_owner)
    g_object_unref (waiter->owner);
  g_free (waiter->cancel_message);
  if (waiter->data_destroy != NULL)
    waiter->data_destroy (waiter->data);
}

static void
waiter_dropped (GaioFuture *future)
{
  GaioWaiter *waiter = GAIO_WAITER (future);

  if (waiter->owner != NULL && waiter->wclass->dropped != NULL)
    waiter->wclass->dropped (waiter);
}

static gboolean
waiter_cancel (GaioFuture *future,
               const char *message)
{
  GaioWaiter *waiter = GAIO_WAITER (future);

  if (future->state != GAIO_FUTURE_PENDING || waiter->owner == NULL)
    return _gaio_future_real_cancel (future, message);

  if (waiter->wclass->cancel != NULL)
    return waiter->wclass->cancel (waiter, message);

  /* The queue's reference may be the last but the caller's. */
  gaio_future_ref (future);
  _gaio_waiter_unlink (waiter);
  _gaio_future_real_cancel (future, message);
  gaio_future_unref (future);

  return TRUE;
}

void
_gaio_waiter_enqueue (GaioWaiter *waiter,
                      GQueue     *queue)
{
  g_assert (waiter->queue == NULL);

  gaio_future_ref (GAIO_FUTURE (waiter));
  waiter->queue = queue;
  g_queue_push_tail_link (queue, &waiter->link);
}

void
_gaio_waiter_unlink (GaioWaiter *waiter)
{
  if (waiter->queue == NULL)
    return;

  g_queue_unlink (waiter->queue, &waiter->link);
  waiter->queue = NULL;
  gaio_future_unref (GAIO_FUTURE (waiter));
}

GaioWaiter *
_gaio_waiter_pop (GQueue *queue)
{
  GList *link = g_queue_pop_head_link (queue);
  GaioWaiter *waiter;

  if (link == NULL)
    return NULL;

  waiter = link->data;
  waiter->queue = NULL;

  return waiter;
}

/* Finished with a result, the waiter may be dropped: see the top. */
static inline void
hold_owner (GaioWaiter *waiter)
{
  if (waiter->wclass->dropped != NULL && waiter->owner != NULL)
    {
      g_object_ref (waiter->owner);
      waiter->holds_owner = TRUE;
    }
}

void
_gaio_waiter_finish (GaioWaiter *waiter,
                     GValue     *value)
{
  hold_owner (waiter);
  _gaio_future_complete_value (GAIO_FUTURE (waiter), value);
}

void
_gaio_waiter_finish_true (GaioWaiter *waiter)
{
  /* A boolean holds no memory: set by hand, without g_value_init()'s
   * type-table lookups, on the path of every hand-off. */
  GValue value = { G_TYPE_BOOLEAN, { { .v_int = TRUE } } };

  hold_owner (waiter);
  _gaio_future_complete_value (GAIO_FUTURE (waiter), &value);
}

void
_gaio_waiter_fail (GaioWaiter *waiter,
                   GError     *error)
{
  _gaio_future_complete_error (GAIO_FUTURE (waiter), error);
}

void
_gaio_waiter_cancel_now (GaioWaiter *waiter,
                         const char *message)
{
  _gaio_future_real_cancel (GAIO_FUTURE (waiter),
                            message != NULL ? message : waiter->cancel_message);
}

GaioFuture *
_gaio_waiter_new_true (GaioLoop *loop)
{
  GaioFuture *future = _gaio_future_new (loop);

  gaio_future_set_result_boolean (future, TRUE, NULL);

  return future;
}

GaioFuture *
_gaio_waiter_new_none (GaioLoop *loop)
{
  GaioFuture *future = _gaio_future_new (loop);

  gaio_future_set_result (future, NULL, NULL);

  return future;
}

GaioFuture *
_gaio_waiter_new_failed (GaioLoop *loop,
                         GError   *error)
{
  GaioFuture *future = _gaio_future_new (loop);

  _gaio_future_complete_error (future, error);

  return future;
}

void
_gaio_waiter_queue_clear (GQueue     *queue,
                          const char *message)
{
  GaioWaiter *waiter;

  while ((waiter = _gaio_waiter_pop (queue)) != NULL)
    {
      waiter->owner = NULL;
      if (GAIO_FUTURE (waiter)->state == GAIO_FUTURE_PENDING)
        _gaio_future_real_cancel (GAIO_FUTURE (waiter), message);
      gaio_future_unref (GAIO_FUTURE (waiter));
    }
}
