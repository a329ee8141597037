/* gaio-event.c: asyncio's Event, for tasks and callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A flag and the waiters (gaio-waiter.c) that wait for it to be set.
 * set() finishes every pending waiter, in the order they came. As in
 * asyncio, a waiter stays listed, woken or cancelled, until it resumes
 * (just before its done callbacks run, the task awaiting it first): the
 * description counts it until then (test_locks.py's
 * test_clear_with_waiters). A waiter holds nothing, so it has nothing to
 * give back when it leaves.
 */

#include "config.h"

#include "gaio-waiter-private.h"

struct _GaioEvent
{
  GObject   parent_instance;

  GaioLoop *loop;      /* (owned) */
  gboolean  value;
  GQueue    waiters;   /* (owned) GaioWaiter, each with a reference */
};

/**
 * GaioEvent:
 *
 * asyncio's `Event`: a flag that tasks and callbacks wait for.
 *
 * [method@Gaio.Event.wait] returns a [struct@Gaio.Future] that finishes
 * with %TRUE once the flag is set; [method@Gaio.Event.set] sets it and
 * wakes every waiter, [method@Gaio.Event.clear] clears it for the next
 * round.
 *
 * Used from the loop's thread only (not thread-safe, as asyncio's is
 * not): another thread sets an event through
 * [method@Gaio.Loop.call_soon_threadsafe]. An event finalized while
 * waited for cancels its waiters.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioEvent, gaio_event, G_TYPE_OBJECT)

/* asyncio's wait() after its `await fut`, before the task awaiting the
 * waiter goes on: the waiter leaves the queue. */
static void
event_waiter_resumed (GaioWaiter *waiter)
{
  _gaio_waiter_unlink (waiter);
}

/* A waiter stays listed, cancelled, until it resumes. */
static gboolean
event_waiter_cancel (GaioWaiter *waiter,
                     const char *message)
{
  _gaio_waiter_cancel_now (waiter, message);
  return TRUE;
}

static const GaioWaiterClass event_waiter_class = {
  .cancel = event_waiter_cancel,
  .resumed = event_waiter_resumed,
};

static void
gaio_event_dispose (GObject *object)
{
  GaioEvent *event = GAIO_EVENT (object);

  _gaio_waiter_queue_clear (&event->waiters, "GaioEvent was finalized while waited for");

  G_OBJECT_CLASS (gaio_event_parent_class)->dispose (object);
}

static void
gaio_event_finalize (GObject *object)
{
  GaioEvent *event = GAIO_EVENT (object);

  g_clear_object (&event->loop);

  G_OBJECT_CLASS (gaio_event_parent_class)->finalize (object);
}

static void
gaio_event_class_init (GaioEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gaio_event_dispose;
  object_class->finalize = gaio_event_finalize;
}

static void
gaio_event_init (GaioEvent *event)
{
  g_queue_init (&event->waiters);
}

/**
 * gaio_event_new:
 * @loop: the loop the event is used on
 *
 * Creates an event whose flag is clear (asyncio's `Event()`).
 *
 * Returns: (transfer full): a new #GaioEvent
 *
 * Since: 1.0
 */
GaioEvent *
gaio_event_new (GaioLoop *loop)
{
  GaioEvent *event;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  event = g_object_new (GAIO_TYPE_EVENT, NULL);
  event->loop = g_object_ref (loop);

  return event;
}

/**
 * gaio_event_get_loop:
 * @event: a #GaioEvent
 *
 * Gets the loop the event is used on.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 1.0
 */
GaioLoop *
gaio_event_get_loop (GaioEvent *event)
{
  g_return_val_if_fail (GAIO_IS_EVENT (event), NULL);

  return event->loop;
}

/**
 * gaio_event_is_set:
 * @event: a #GaioEvent
 *
 * Whether the flag is set (asyncio's `is_set()`).
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
gaio_event_is_set (GaioEvent *event)
{
  g_return_val_if_fail (GAIO_IS_EVENT (event), FALSE);

  return event->value;
}

/**
 * gaio_event_set:
 * @event: a #GaioEvent
 *
 * Sets the flag (asyncio's `set()`) and finishes the future of every
 * waiter with %TRUE; their done callbacks run from the loop, in the order
 * the waiters came. Waits that begin while the flag is set do not wait.
 *
 * Since: 1.0
 */
void
gaio_event_set (GaioEvent *event)
{
  g_return_if_fail (GAIO_IS_EVENT (event));

  if (event->value)
    return;

  event->value = TRUE;
  /* Finishing a waiter runs no code now (its callbacks are scheduled), so
   * the queue does not change under the walk. */
  for (GList *l = event->waiters.head; l != NULL; l = l->next)
    {
      GaioWaiter *waiter = l->data;

      if (GAIO_FUTURE (waiter)->state == GAIO_FUTURE_PENDING)
        _gaio_waiter_finish_true (waiter);
    }
}

/**
 * gaio_event_clear:
 * @event: a #GaioEvent
 *
 * Clears the flag (asyncio's `clear()`): later waits wait for the next
 * [method@Gaio.Event.set]. Waiters already woken stay woken.
 *
 * Since: 1.0
 */
void
gaio_event_clear (GaioEvent *event)
{
  g_return_if_fail (GAIO_IS_EVENT (event));

  event->value = FALSE;
}

/**
 * gaio_event_wait:
 * @event: a #GaioEvent
 *
 * Waits for the flag (asyncio's `wait()`): the future finishes with
 * %TRUE once it is set, at once if it is set now. Cancel the future to
 * stop waiting.
 *
 * Returns: (transfer full): a future of a boolean (%TRUE)
 *
 * Since: 1.0
 */
GaioFuture *
gaio_event_wait (GaioEvent *event)
{
  GaioWaiter *waiter;

  g_return_val_if_fail (GAIO_IS_EVENT (event), NULL);

  if (event->value)
    return _gaio_waiter_new_true (event->loop);

  waiter = _gaio_waiter_new (event->loop, &event_waiter_class, event);
  _gaio_waiter_enqueue (waiter, &event->waiters);

  return GAIO_FUTURE (waiter);
}

/**
 * gaio_event_to_string:
 * @event: a #GaioEvent
 *
 * Describes the event as asyncio's repr does: `<GaioEvent [unset,
 * waiters:1]>`.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_event_to_string (GaioEvent *event)
{
  GString *text;

  g_return_val_if_fail (GAIO_IS_EVENT (event), NULL);

  text = g_string_new ("<GaioEvent [");
  g_string_append (text, event->value ? "set" : "unset");
  if (event->waiters.length > 0)
    g_string_append_printf (text, ", waiters:%u", event->waiters.length);
  g_string_append (text, "]>");

  return g_string_free (text, FALSE);
}
