/* gaio-barrier.c: asyncio's Barrier, for tasks and callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's Barrier is a state machine on a Condition; this is the same
 * state machine on waiters (gaio-waiter.c), without the lock, since a
 * barrier's calls here never wait for it. `count` is asyncio's _count:
 * the waits of the current round, and those of the last round that have
 * not left yet. A wait leaves when its future's first done callback runs
 * (GaioWaiterClass.resumed), where asyncio's wait() would be past its
 * `await` (the last arrival leaves at once, as in asyncio). Waits that
 * arrive while the barrier drains or resets wait in `blocked` and join
 * the next round, in order, once count is back to zero.
 *
 *   FILLING --parties-th wait--> DRAINING --all left--> FILLING
 *   FILLING/DRAINING --reset, waits inside--> RESETTING --all left--> FILLING
 *   any --abort--> BROKEN --reset--> RESETTING or FILLING
 */

#include "config.h"

#include "gaio-waiter-private.h"

#define ABORTED_MESSAGE "Barrier aborted"
#define BROKEN_MESSAGE  "Abort or reset of barrier"

struct _GaioBarrier
{
  GObject           parent_instance;

  GaioLoop         *loop;      /* (owned) */
  guint             parties;
  guint             count;
  GaioBarrierState  state;
  GQueue            waiters;   /* (owned) the round's waits, each with a reference */
  GQueue            blocked;   /* (owned) waits for the next round, each with a reference */
};

/**
 * GaioBarrier:
 *
 * asyncio's `Barrier`: a meeting point for a fixed number of parties.
 *
 * [method@Gaio.Barrier.wait] returns a [struct@Gaio.Future] that finishes
 * once as many waits as the barrier has parties have arrived; each holds
 * its arrival index (a #gint64, 0 to parties - 1). Then the barrier
 * drains: waits that arrive before the woken ones have left wait for the
 * next round. [method@Gaio.Barrier.reset] fails the waits in the barrier
 * with %GAIO_BARRIER_ERROR_BROKEN and makes it usable again;
 * [method@Gaio.Barrier.abort] breaks it: every wait fails until it is
 * reset.
 *
 * Cancelling a wait's future takes it out of the round. Used from the
 * loop's thread only (not thread-safe, as asyncio's is not).
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioBarrier, gaio_barrier, G_TYPE_OBJECT)

G_DEFINE_QUARK (gaio-barrier-error-quark, gaio_barrier_error)

static void leave (GaioBarrier *barrier);

/* A wait counts in `count` while waiter->inside is set. */
static void
wait_left (GaioWaiter *waiter)
{
  if (!waiter->inside)
    return;

  waiter->inside = FALSE;
  leave (waiter->owner);
}

static const GaioWaiterClass barrier_waiter_class = {
  .cancelled = wait_left,
  .resumed = wait_left,
};

static void
gaio_barrier_dispose (GObject *object)
{
  GaioBarrier *barrier = GAIO_BARRIER (object);

  _gaio_waiter_queue_clear (&barrier->waiters, "GaioBarrier was finalized while waited for");
  _gaio_waiter_queue_clear (&barrier->blocked, "GaioBarrier was finalized while waited for");

  G_OBJECT_CLASS (gaio_barrier_parent_class)->dispose (object);
}

static void
gaio_barrier_finalize (GObject *object)
{
  GaioBarrier *barrier = GAIO_BARRIER (object);

  g_clear_object (&barrier->loop);

  G_OBJECT_CLASS (gaio_barrier_parent_class)->finalize (object);
}

static void
gaio_barrier_class_init (GaioBarrierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gaio_barrier_dispose;
  object_class->finalize = gaio_barrier_finalize;
}

static void
gaio_barrier_init (GaioBarrier *barrier)
{
  g_queue_init (&barrier->waiters);
  g_queue_init (&barrier->blocked);
}

/**
 * gaio_barrier_new:
 * @loop: the loop the barrier is used on
 * @parties: how many waits trip the barrier, at least 1
 *
 * Creates a barrier (asyncio's `Barrier(parties)`).
 *
 * Returns: (transfer full): a new #GaioBarrier
 *
 * Since: 1.0
 */
GaioBarrier *
gaio_barrier_new (GaioLoop *loop,
                  guint     parties)
{
  GaioBarrier *barrier;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (parties >= 1, NULL);

  barrier = g_object_new (GAIO_TYPE_BARRIER, NULL);
  barrier->loop = g_object_ref (loop);
  barrier->parties = parties;

  return barrier;
}

/**
 * gaio_barrier_get_loop:
 * @barrier: a #GaioBarrier
 *
 * Gets the loop the barrier is used on.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 1.0
 */
GaioLoop *
gaio_barrier_get_loop (GaioBarrier *barrier)
{
  g_return_val_if_fail (GAIO_IS_BARRIER (barrier), NULL);

  return barrier->loop;
}

static void
finish_index (GaioWaiter *waiter)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT64);
  g_value_set_int64 (&value, waiter->index);
  _gaio_waiter_finish (waiter, &value);
}

static void
fail (GaioWaiter *waiter,
      const char *message)
{
  _gaio_waiter_fail (waiter, g_error_new_literal (GAIO_BARRIER_ERROR,
                                                  GAIO_BARRIER_ERROR_BROKEN, message));
}

/* Fails every wait of @queue; they leave as they resume. */
static void
fail_all (GQueue     *queue,
          const char *message)
{
  _gaio_waiter_queue_fail (queue, GAIO_BARRIER_ERROR, GAIO_BARRIER_ERROR_BROKEN, message);
}

/* A wait joins the filling round (asyncio's wait() past _block()). */
static void
arrive (GaioBarrier *barrier,
        GaioWaiter  *waiter)
{
  GaioWaiter *woken;

  waiter->index = barrier->count++;
  waiter->inside = TRUE;

  if (waiter->index + 1 < barrier->parties)
    {
      _gaio_waiter_enqueue (waiter, &barrier->waiters);
      return;
    }

  /* The last party trips the barrier and leaves at once. */
  barrier->state = GAIO_BARRIER_DRAINING;
  while ((woken = _gaio_waiter_pop (&barrier->waiters)) != NULL)
    {
      finish_index (woken);
      gaio_future_unref (GAIO_FUTURE (woken));
    }
  finish_index (waiter);
  wait_left (waiter);
}

/* Waits blocked while the barrier drained or reset join the new round. */
static void
admit_blocked (GaioBarrier *barrier)
{
  GaioWaiter *waiter;

  while (barrier->state == GAIO_BARRIER_FILLING &&
         (waiter = _gaio_waiter_pop (&barrier->blocked)) != NULL)
    {
      arrive (barrier, waiter);
      gaio_future_unref (GAIO_FUTURE (waiter));
    }
}

/* asyncio's _exit(). */
static void
leave (GaioBarrier *barrier)
{
  g_assert (barrier->count > 0);

  if (--barrier->count > 0)
    return;

  if (barrier->state == GAIO_BARRIER_DRAINING || barrier->state == GAIO_BARRIER_RESETTING)
    barrier->state = GAIO_BARRIER_FILLING;
  admit_blocked (barrier);
}

/**
 * gaio_barrier_wait:
 * @barrier: a #GaioBarrier
 *
 * Waits at the barrier (asyncio's `wait()`). The future finishes with
 * this wait's arrival index (a #gint64 from 0 to parties - 1, each once
 * per round) when the round is full. It fails with
 * %GAIO_BARRIER_ERROR_BROKEN if the barrier is broken (`Barrier
 * aborted`), or is aborted or reset while the wait is in it (`Abort or
 * reset of barrier`). Cancel it to leave the round.
 *
 * Returns: (transfer full): a future of a #gint64
 *
 * Since: 1.0
 */
GaioFuture *
gaio_barrier_wait (GaioBarrier *barrier)
{
  GaioWaiter *waiter;

  g_return_val_if_fail (GAIO_IS_BARRIER (barrier), NULL);

  waiter = _gaio_waiter_new (barrier->loop, &barrier_waiter_class, barrier);

  switch (barrier->state)
    {
    case GAIO_BARRIER_BROKEN:
      fail (waiter, ABORTED_MESSAGE);
      break;
    case GAIO_BARRIER_DRAINING:
    case GAIO_BARRIER_RESETTING:
      _gaio_waiter_enqueue (waiter, &barrier->blocked);
      break;
    case GAIO_BARRIER_FILLING:
    default:
      arrive (barrier, waiter);
      break;
    }

  return GAIO_FUTURE (waiter);
}

/**
 * gaio_barrier_reset:
 * @barrier: a #GaioBarrier
 *
 * Resets the barrier to its empty state (asyncio's `reset()`, which
 * never waits here): the waits in it fail with
 * %GAIO_BARRIER_ERROR_BROKEN, and new waits join a new round once they
 * have left. A broken barrier becomes usable again.
 *
 * Since: 1.0
 */
void
gaio_barrier_reset (GaioBarrier *barrier)
{
  g_return_if_fail (GAIO_IS_BARRIER (barrier));

  if (barrier->count > 0)
    {
      barrier->state = GAIO_BARRIER_RESETTING;
      fail_all (&barrier->waiters, BROKEN_MESSAGE);
      return;
    }

  barrier->state = GAIO_BARRIER_FILLING;
  admit_blocked (barrier);
}

/**
 * gaio_barrier_abort:
 * @barrier: a #GaioBarrier
 *
 * Breaks the barrier (asyncio's `abort()`): every wait in it or waiting
 * to enter fails with %GAIO_BARRIER_ERROR_BROKEN, and so do later waits
 * until [method@Gaio.Barrier.reset].
 *
 * Since: 1.0
 */
void
gaio_barrier_abort (GaioBarrier *barrier)
{
  g_return_if_fail (GAIO_IS_BARRIER (barrier));

  barrier->state = GAIO_BARRIER_BROKEN;
  fail_all (&barrier->waiters, BROKEN_MESSAGE);
  fail_all (&barrier->blocked, ABORTED_MESSAGE);
}

/**
 * gaio_barrier_get_parties:
 * @barrier: a #GaioBarrier
 *
 * Gets how many waits trip the barrier (asyncio's `parties`).
 *
 * Returns: the number of parties
 *
 * Since: 1.0
 */
guint
gaio_barrier_get_parties (GaioBarrier *barrier)
{
  g_return_val_if_fail (GAIO_IS_BARRIER (barrier), 0);

  return barrier->parties;
}

/**
 * gaio_barrier_get_n_waiting:
 * @barrier: a #GaioBarrier
 *
 * Gets how many waits the filling round has (asyncio's `n_waiting`): 0
 * while the barrier drains, resets or is broken.
 *
 * Returns: the number of waits
 *
 * Since: 1.0
 */
guint
gaio_barrier_get_n_waiting (GaioBarrier *barrier)
{
  g_return_val_if_fail (GAIO_IS_BARRIER (barrier), 0);

  return barrier->state == GAIO_BARRIER_FILLING ? barrier->count : 0;
}

/**
 * gaio_barrier_is_broken:
 * @barrier: a #GaioBarrier
 *
 * Whether the barrier is broken (asyncio's `broken`).
 *
 * Returns: %TRUE if aborted and not reset since
 *
 * Since: 1.0
 */
gboolean
gaio_barrier_is_broken (GaioBarrier *barrier)
{
  g_return_val_if_fail (GAIO_IS_BARRIER (barrier), FALSE);

  return barrier->state == GAIO_BARRIER_BROKEN;
}

/**
 * gaio_barrier_get_state:
 * @barrier: a #GaioBarrier
 *
 * Gets the barrier's state.
 *
 * Returns: the state
 *
 * Since: 1.0
 */
GaioBarrierState
gaio_barrier_get_state (GaioBarrier *barrier)
{
  g_return_val_if_fail (GAIO_IS_BARRIER (barrier), GAIO_BARRIER_BROKEN);

  return barrier->state;
}

/**
 * gaio_barrier_to_string:
 * @barrier: a #GaioBarrier
 *
 * Describes the barrier as asyncio's repr does: `<GaioBarrier [filling,
 * waiters:2/5]>`, `<GaioBarrier [broken]>`.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_barrier_to_string (GaioBarrier *barrier)
{
  static const char * const names[] = { "filling", "draining", "resetting", "broken" };
  GString *text;

  g_return_val_if_fail (GAIO_IS_BARRIER (barrier), NULL);

  text = g_string_new ("<GaioBarrier [");
  g_string_append (text, names[barrier->state]);
  if (barrier->state != GAIO_BARRIER_BROKEN)
    g_string_append_printf (text, ", waiters:%u/%u", gaio_barrier_get_n_waiting (barrier),
                            barrier->parties);
  g_string_append (text, "]>");

  return g_string_free (text, FALSE);
}
