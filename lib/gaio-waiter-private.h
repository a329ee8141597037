/* gaio-waiter-private.h: the future a synchronization primitive hands out
 * for one wait
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"
#include "gaio-future-private.h"

G_BEGIN_DECLS

typedef struct _GaioWaiter      GaioWaiter;
typedef struct _GaioWaiterClass GaioWaiterClass;

/* What a primitive does when one of its waiters is cancelled or is let
 * go of (see the top of gaio-waiter.c). Every hook runs on the loop's
 * thread, and only while the waiter's owner is alive: a primitive that
 * goes first clears its waiters' owner (_gaio_waiter_queue_clear()).
 * Any hook may be NULL. */
struct _GaioWaiterClass
{
  /* gaio_future_cancel() on a pending waiter. NULL: the waiter leaves its
   * queue and is cancelled at once. A primitive that must do something
   * before the waiter may end (a condition re-acquires its lock) takes
   * the request here and cancels the waiter later with
   * _gaio_waiter_cancel_now(). */
  gboolean (*cancel)    (GaioWaiter *waiter,
                         const char *message);

  /* asyncio's code after `await fut`, once the waiter is done (finished
   * or cancelled): before whoever awaits it goes on, in the same loop
   * callback (GaioFutureClass.resumed). A lock, an event and a semaphore
   * keep the waiter listed until then. If a closing loop drops that
   * callback unrun, the waiter is unlinked instead. */
  void     (*resumed)   (GaioWaiter *waiter);

  /* The task awaiting the finished waiter was cancelled before it could
   * take the result (GaioFutureClass.dropped): give it back. A waiter
   * of such a class holds its owner, a GObject, from the moment it
   * finishes with a result, so that this hook never finds it gone. */
  void     (*dropped)   (GaioWaiter *waiter);
};

/* A waiter is a future: its structure begins with one. Loop thread only. */
struct _GaioWaiter
{
  /* A field added here must be cleared in waiter_block_new()
   * (gaio-waiter.c) too. */
  GaioFuture             parent_instance;

  const GaioWaiterClass *wclass;      /* (unowned) static; a condition's wait changes it once notified */
  gpointer               owner;       /* (nullable) the primitive, unowned unless holds_owner; NULL once it went */
  gboolean               holds_owner; /* a reference on owner: finished, with a dropped hook */
  GQueue                *queue;       /* (unowned) (nullable) the queue it is linked in */
  GList                  link;        /* in *queue */

  /* What primitives keep per wait. */
  guint                  index;       /* a barrier's arrival index */
  gboolean               inside;      /* a barrier's wait arrived and counts in the barrier */
  gboolean               cancel_requested; /* a condition's wait ends cancelled once it holds the lock */
  char                  *cancel_message;   /* (owned) (nullable) that request's message */
  gpointer               data;        /* (owned) by data_destroy: a put's item, a wait_for()'s state;
                                       * a barrier's wait holds the barrier while its resume is scheduled */
  GDestroyNotify         data_destroy;
};

#define GAIO_WAITER(future) ((GaioWaiter *) (future))

/* A pending waiter of @wclass for @owner, with one reference (the
 * caller's). It is sealed: only its primitive completes it. */
GaioWaiter *_gaio_waiter_new          (GaioLoop              *loop,
                                       const GaioWaiterClass *wclass,
                                       gpointer               owner);

/* Links @waiter at the tail of @queue, which takes a reference on it. */
void        _gaio_waiter_enqueue      (GaioWaiter            *waiter,
                                       GQueue                *queue);

/* Unlinks @waiter from its queue, if it is in one, and drops the queue's
 * reference: the caller holds one if it still uses the waiter. */
void        _gaio_waiter_unlink       (GaioWaiter            *waiter);

/* The first waiter of @queue, unlinked, with the queue's reference passed
 * to the caller; NULL when @queue is empty. */
GaioWaiter *_gaio_waiter_pop          (GQueue                *queue);

/* Finishes a pending waiter with @value (taken) or with %TRUE. */
void        _gaio_waiter_finish       (GaioWaiter            *waiter,
                                       GValue                *value);
void        _gaio_waiter_finish_true  (GaioWaiter            *waiter);
/* Finishes a pending waiter with @error (taken). */
void        _gaio_waiter_fail         (GaioWaiter            *waiter,
                                       GError                *error);
/* Cancels a pending waiter now, with @message (NULL: the one its cancel
 * request carried), without asking its class. */
void        _gaio_waiter_cancel_now   (GaioWaiter            *waiter,
                                       const char            *message);

/* Finished futures, not waiters: what a call that need not wait returns
 * (with %TRUE, with no value, or failed with @error, taken). */
GaioFuture *_gaio_waiter_new_true     (GaioLoop              *loop);
GaioFuture *_gaio_waiter_new_none     (GaioLoop              *loop);
GaioFuture *_gaio_waiter_new_failed   (GaioLoop              *loop,
                                       GError                *error);

/* A primitive goes: every waiter of @queue is unlinked and forgets its
 * owner; the pending ones are cancelled with @message. */
void        _gaio_waiter_queue_clear  (GQueue                *queue,
                                       const char            *message);

G_END_DECLS
