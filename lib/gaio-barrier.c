/* gaio-barrier.c: asyncio's Barrier, for tasks and callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's Barrier is a state machine on a Condition: wait() blocks
 * while the barrier drains or resets (_block()), arrives (takes the
 * index _count, then counts in it), waits until the round is full
 * (_wait()) and leaves (_exit()). Every change of state calls
 * notify_all(), which wakes every waiting coroutine; each one, when it
 * resumes in its turn, looks at the state *then* and waits again, fails
 * or goes on. Its lock is never held across a suspension, so it never
 * makes anyone wait, and reset() and abort() never wait either.
 *
 * This is the same state machine on waiters (gaio-waiter.c), without the
 * lock. A wait that must wait joins `waiters`, the condition's queue,
 * with its done callbacks held back (_gaio_future_hold_callbacks()).
 * notify_all() empties the queue and schedules one resume() per wait,
 * as asyncio's set_result() schedules the coroutine's wakeup; resume()
 * decides there what asyncio's coroutine decides after its `await`, and
 * runs the held callbacks at once, so that a task awaiting the wait goes
 * on from the same place in the ready queue as asyncio's coroutine does.
 * A cancelled wait ends cancelled at once, and leaves the barrier in its
 * resume(), as asyncio's coroutine leaves it when CancelledError reaches
 * it. The outcome of a wait is thus decided when it resumes: a wait woken
 * by the round filling up fails if the barrier is reset or aborted before
 * it resumed, as in asyncio.
 *
 * `count` is asyncio's _count: the waits that arrived (waiter->inside)
 * and have not left. A scheduled resume() holds the barrier (in the
 * waiter's data), as asyncio's woken coroutine holds its barrier; a wait
 * in the queue does not (see gaio-waiter.c).
 *
 *   FILLING --parties-th wait--> DRAINING --all left--> FILLING
 *   FILLING/DRAINING --reset, waits inside--> RESETTING --all left--> FILLING
 *   any --abort--> BROKEN --reset--> RESETTING or FILLING
 */

#include "config.h"

#include "gaio-loop-private.h"
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
  GQueue            waiters;   /* (owned) waits not woken yet, each with a reference */
};

/**
 * GaioBarrier:
 *
 * asyncio's `Barrier`: a meeting point for a fixed number of parties.
 *
 * [method@Gaio.Barrier.wait] returns a [struct@Gaio.Future] that finishes
 * with its arrival index (a #gint64, 0 to parties - 1) once as many waits
 * as the barrier has parties have arrived: the last one at once, the
 * others when they resume, in the next iteration, as asyncio's waiting
 * coroutines do. Then the barrier drains: waits that arrive before the
 * woken ones have left wait for the next round.
 * [method@Gaio.Barrier.reset] fails the waits in the barrier, even those
 * woken that have not resumed yet, with %GAIO_BARRIER_ERROR_BROKEN and
 * makes it usable again; [method@Gaio.Barrier.abort] breaks it: every
 * wait fails until it is reset.
 *
 * Cancelling a wait's future takes it out of the round. Used from the
 * loop's thread only (not thread-safe, as asyncio's is not).
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioBarrier, gaio_barrier, G_TYPE_OBJECT)

G_DEFINE_QUARK (gaio-barrier-error-quark, gaio_barrier_error)

static void schedule_resume (GaioBarrier *barrier,
                             GaioWaiter  *waiter);

/* A wait waits in the condition's queue until notify_all(). */
static void
wait_in_queue (GaioBarrier *barrier,
               GaioWaiter  *waiter)
{
  _gaio_future_hold_callbacks (GAIO_FUTURE (waiter));
  _gaio_waiter_enqueue (waiter, &barrier->waiters);
}

/* asyncio's notify_all(): every wait in the queue resumes, in order. */
static void
notify_all (GaioBarrier *barrier)
{
  GaioWaiter *waiter;

  while ((waiter = _gaio_waiter_pop (&barrier->waiters)) != NULL)
    schedule_resume (barrier, waiter);
}

/* asyncio's `_count -= 1` and _exit(). */
static void
leave (GaioBarrier *barrier,
       GaioWaiter  *waiter)
{
  g_assert (waiter->inside && barrier->count > 0);

  waiter->inside = FALSE;
  if (--barrier->count > 0)
    return;

  if (barrier->state == GAIO_BARRIER_DRAINING || barrier->state == GAIO_BARRIER_RESETTING)
    barrier->state = GAIO_BARRIER_FILLING;
  notify_all (barrier);
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

/* asyncio's wait() past _block(): the wait takes its index, and the last
 * party trips the barrier (_release()) and leaves at once; the others
 * wait for the round to fill (_wait()). */
static void
arrive (GaioBarrier *barrier,
        GaioWaiter  *waiter)
{
  waiter->index = barrier->count++;
  waiter->inside = TRUE;

  if (waiter->index + 1 < barrier->parties)
    {
      wait_in_queue (barrier, waiter);
      return;
    }

  barrier->state = GAIO_BARRIER_DRAINING;
  notify_all (barrier);
  finish_index (waiter);
  leave (barrier, waiter);
}

/* A woken wait looks at the state, as asyncio's wait_for() calls its
 * predicate again: in _block() it waits while the barrier drains or
 * resets; in _wait(), while the round fills. */
static void
resume (GaioBarrier *barrier,
        GaioWaiter  *waiter)
{
  GaioBarrierState state = barrier->state;

  if (!waiter->inside)
    {
      if (state == GAIO_BARRIER_DRAINING || state == GAIO_BARRIER_RESETTING)
        wait_in_queue (barrier, waiter);
      else if (state == GAIO_BARRIER_BROKEN)
        fail (waiter, ABORTED_MESSAGE);
      else
        arrive (barrier, waiter);
      return;
    }

  if (state == GAIO_BARRIER_FILLING)
    {
      wait_in_queue (barrier, waiter);
      return;
    }

  if (state == GAIO_BARRIER_DRAINING)
    finish_index (waiter);
  else
    fail (waiter, BROKEN_MESSAGE);
  leave (barrier, waiter);
}

/* A woken or cancelled wait resumes, in the place in the ready queue of
 * asyncio's coroutine's wakeup. waiter->data is the barrier (NULL once
 * the barrier went: the wait was cancelled then). */
static gboolean
resume_step (gpointer   user_data,
             GError   **error)
{
  GaioWaiter *waiter = user_data;
  GaioBarrier *barrier = waiter->data;

  if (barrier != NULL && GAIO_FUTURE (waiter)->state == GAIO_FUTURE_PENDING)
    resume (barrier, waiter);
  else if (barrier != NULL && waiter->inside)
    leave (barrier, waiter);

  /* Still pending: it waits in the queue again, its callbacks held. */
  if (GAIO_FUTURE (waiter)->state != GAIO_FUTURE_PENDING)
    _gaio_future_run_held_callbacks (GAIO_FUTURE (waiter));

  return TRUE;
}

static void
resume_step_free (gpointer data)
{
  GaioWaiter *waiter = data;

  g_clear_object (&waiter->data);
  gaio_future_unref (GAIO_FUTURE (waiter));
}

/* Takes the caller's reference on @waiter, and one on @barrier (NULL: the
 * barrier goes) until the step has run. On a closed loop nothing runs
 * any more: the wait stays pending. */
static void
schedule_resume (GaioBarrier *barrier,
                 GaioWaiter  *waiter)
{
  g_assert (waiter->data == NULL);

  waiter->data = barrier != NULL ? g_object_ref (barrier) : NULL;
  _gaio_loop_schedule (GAIO_FUTURE (waiter)->loop, resume_step, waiter, resume_step_free,
                       "Barrier.wait", NULL);
}

/* Cancelled while it waits in the queue, or woken and not resumed yet:
 * the wait ends cancelled now, and leaves the barrier when it resumes. */
static gboolean
wait_cancel (GaioWaiter *waiter,
             const char *message)
{
  gboolean queued = waiter->queue != NULL;

  gaio_future_ref (GAIO_FUTURE (waiter));
  _gaio_waiter_unlink (waiter);
  _gaio_future_real_cancel (GAIO_FUTURE (waiter), message);
  if (queued)
    schedule_resume (waiter->owner, waiter);
  else
    gaio_future_unref (GAIO_FUTURE (waiter));

  return TRUE;
}

static const GaioWaiterClass barrier_waiter_class = {
  .cancel = wait_cancel,
};

static void
gaio_barrier_dispose (GObject *object)
{
  GaioBarrier *barrier = GAIO_BARRIER (object);
  GaioWaiter *waiter;

  /* The waits in the queue end cancelled, resuming without the barrier
   * (woken ones hold it, so none is scheduled now). */
  while ((waiter = _gaio_waiter_pop (&barrier->waiters)) != NULL)
    {
      waiter->owner = NULL;
      _gaio_future_real_cancel (GAIO_FUTURE (waiter),
                                "GaioBarrier was finalized while waited for");
      schedule_resume (NULL, waiter);
    }

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

/**
 * gaio_barrier_wait:
 * @barrier: a #GaioBarrier
 *
 * Waits at the barrier (asyncio's `wait()`). The future finishes with
 * this wait's arrival index (a #gint64 from 0 to parties - 1, each once
 * per round) when the round is full: at once for the wait that fills it,
 * when they resume in the next iteration for the others. It fails with
 * %GAIO_BARRIER_ERROR_BROKEN if the barrier is broken (`Barrier
 * aborted`), or is aborted or reset while the wait is in it, until it
 * has resumed (`Abort or reset of barrier`). Cancel it to leave the
 * round.
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
      wait_in_queue (barrier, waiter);
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
 * %GAIO_BARRIER_ERROR_BROKEN when they resume, and new waits join a new
 * round once they have left. A broken barrier becomes usable again.
 *
 * Since: 1.0
 */
void
gaio_barrier_reset (GaioBarrier *barrier)
{
  g_return_if_fail (GAIO_IS_BARRIER (barrier));

  barrier->state = barrier->count > 0 ? GAIO_BARRIER_RESETTING : GAIO_BARRIER_FILLING;
  notify_all (barrier);
}

/**
 * gaio_barrier_abort:
 * @barrier: a #GaioBarrier
 *
 * Breaks the barrier (asyncio's `abort()`): every wait in it or waiting
 * to enter fails with %GAIO_BARRIER_ERROR_BROKEN when it resumes, and
 * later waits fail at once, until [method@Gaio.Barrier.reset].
 *
 * Since: 1.0
 */
void
gaio_barrier_abort (GaioBarrier *barrier)
{
  g_return_if_fail (GAIO_IS_BARRIER (barrier));

  barrier->state = GAIO_BARRIER_BROKEN;
  notify_all (barrier);
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
