/* gaio-semaphore.c: asyncio's Semaphore and BoundedSemaphore
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A count of permits and a FIFO of waiters (gaio-waiter.c), which behaves
 * as asyncio's since 3.11.x (gh-90155), to the iteration:
 *
 *  - a permit goes to a waiter when it is woken: release() adds it to the
 *    count, then wakes the first pending waiter, which takes it from the
 *    count at once (its future finishes with %TRUE);
 *  - a waiter stays queued, woken or cancelled, until it resumes (just
 *    before its done callbacks run, the task awaiting it first), and
 *    then wakes as many pending waiters as the count allows;
 *  - acquire() takes a free permit only when no live (uncancelled)
 *    waiter is queued, so that nobody jumps the queue
 *    (test_acquire_fifo_order_2);
 *  - a task cancelled after it was woken gives its permit back (the
 *    waiter's dropped hook), which goes to the next waiter
 *    (test_acquire_no_hang, test_acquire_cancel_before_awoken,
 *    test_acquire_hang).
 *
 * A bounded semaphore refuses a release that would raise the count above
 * its initial value.
 */

#include "config.h"

#include "gaio-waiter-private.h"

typedef struct
{
  GaioLoop *loop;      /* (owned) */
  guint     value;
  guint     bound;     /* the initial value: a bounded semaphore's most */
  GQueue    waiters;   /* (owned) GaioWaiter, each with a reference */
} GaioSemaphorePrivate;

struct _GaioBoundedSemaphore
{
  GaioSemaphore parent_instance;
};

/**
 * GaioSemaphore:
 *
 * asyncio's `Semaphore`: a count of permits that tasks and callbacks take
 * and give back, to limit how many do something at once.
 *
 * [method@Gaio.Semaphore.acquire] returns a [struct@Gaio.Future] that
 * finishes with %TRUE once the caller holds a permit: at once if one is
 * free and nobody waits, else in turn, first come first served.
 * [method@Gaio.Semaphore.release] gives a permit back. A task cancelled
 * after it was handed a permit, before it resumed, gives it back by
 * itself (its gaio_await() fails with %G_IO_ERROR_CANCELLED).
 *
 * Used from the loop's thread only (not thread-safe, as asyncio's is
 * not; see [method@Gaio.Loop.call_soon_threadsafe]). A semaphore
 * finalized while waited for cancels its waiters.
 *
 * Since: 1.0
 */

/**
 * GaioBoundedSemaphore:
 *
 * asyncio's `BoundedSemaphore`: a [class@Gaio.Semaphore] whose
 * [method@Gaio.Semaphore.release] fails when it would raise the count
 * above the initial value, which catches a release too many.
 *
 * Since: 1.0
 */

G_DEFINE_TYPE_WITH_PRIVATE (GaioSemaphore, gaio_semaphore, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (GaioBoundedSemaphore, gaio_bounded_semaphore, GAIO_TYPE_SEMAPHORE)

static gboolean wake_up_next      (GaioSemaphorePrivate *priv);
static void     wake_up_while_free (GaioSemaphorePrivate *priv);

/* asyncio's acquire() after its `await fut`, before the task awaiting
 * the waiter goes on: the waiter leaves the queue, and waiters that
 * arrived meanwhile and had to wait behind it take the free permits.
 * Called while the waiter is listed (gaio-waiter.c). */
static void
semaphore_waiter_resumed (GaioWaiter *waiter)
{
  GaioSemaphore *semaphore = waiter->owner;

  _gaio_waiter_unlink (waiter);
  wake_up_while_free (gaio_semaphore_get_instance_private (semaphore));
}

/* A waiter stays listed, cancelled, until it resumes. */
static gboolean
semaphore_waiter_cancel (GaioWaiter *waiter,
                         const char *message)
{
  _gaio_waiter_cancel_now (waiter, message);
  return TRUE;
}

/* The task was cancelled after it was woken: its permit goes back to the
 * count, and on to the next waiter. */
static void
semaphore_waiter_dropped (GaioWaiter *waiter)
{
  GaioSemaphore *semaphore = waiter->owner;
  GaioSemaphorePrivate *priv = gaio_semaphore_get_instance_private (semaphore);

  /* Out of the queue already, normally: it resumed before the task
   * did. */
  if (waiter->queue != NULL)
    semaphore_waiter_resumed (waiter);
  priv->value++;
  wake_up_while_free (priv);
}

static const GaioWaiterClass semaphore_waiter_class = {
  .cancel = semaphore_waiter_cancel,
  .resumed = semaphore_waiter_resumed,
  .dropped = semaphore_waiter_dropped,
};

static void
gaio_semaphore_dispose (GObject *object)
{
  GaioSemaphorePrivate *priv = gaio_semaphore_get_instance_private (GAIO_SEMAPHORE (object));

  _gaio_waiter_queue_clear (&priv->waiters, "GaioSemaphore was finalized while waited for");

  G_OBJECT_CLASS (gaio_semaphore_parent_class)->dispose (object);
}

static void
gaio_semaphore_finalize (GObject *object)
{
  GaioSemaphorePrivate *priv = gaio_semaphore_get_instance_private (GAIO_SEMAPHORE (object));

  g_clear_object (&priv->loop);

  G_OBJECT_CLASS (gaio_semaphore_parent_class)->finalize (object);
}

static void
gaio_semaphore_class_init (GaioSemaphoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gaio_semaphore_dispose;
  object_class->finalize = gaio_semaphore_finalize;
}

static void
gaio_semaphore_init (GaioSemaphore *semaphore)
{
  GaioSemaphorePrivate *priv = gaio_semaphore_get_instance_private (semaphore);

  g_queue_init (&priv->waiters);
}

static void
gaio_bounded_semaphore_class_init (GaioBoundedSemaphoreClass *klass)
{
}

static void
gaio_bounded_semaphore_init (GaioBoundedSemaphore *semaphore)
{
}

static void
setup (GaioSemaphore *semaphore,
       GaioLoop      *loop,
       guint          value)
{
  GaioSemaphorePrivate *priv = gaio_semaphore_get_instance_private (semaphore);

  priv->loop = g_object_ref (loop);
  priv->value = value;
  priv->bound = value;
}

/**
 * gaio_semaphore_new:
 * @loop: the loop the semaphore is used on
 * @value: the number of permits
 *
 * Creates a semaphore with @value permits (asyncio's `Semaphore(value)`;
 * a negative value cannot be written in C).
 *
 * Returns: (transfer full): a new #GaioSemaphore
 *
 * Since: 1.0
 */
GaioSemaphore *
gaio_semaphore_new (GaioLoop *loop,
                    guint     value)
{
  GaioSemaphore *semaphore;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  semaphore = g_object_new (GAIO_TYPE_SEMAPHORE, NULL);
  setup (semaphore, loop, value);

  return semaphore;
}

/**
 * gaio_bounded_semaphore_new:
 * @loop: the loop the semaphore is used on
 * @value: the number of permits, and the most it may have
 *
 * Creates a bounded semaphore (asyncio's `BoundedSemaphore(value)`).
 *
 * Returns: (transfer full): a new #GaioBoundedSemaphore
 *
 * Since: 1.0
 */
GaioBoundedSemaphore *
gaio_bounded_semaphore_new (GaioLoop *loop,
                            guint     value)
{
  GaioBoundedSemaphore *semaphore;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  semaphore = g_object_new (GAIO_TYPE_BOUNDED_SEMAPHORE, NULL);
  setup (GAIO_SEMAPHORE (semaphore), loop, value);

  return semaphore;
}

/**
 * gaio_semaphore_get_loop:
 * @semaphore: a #GaioSemaphore
 *
 * Gets the loop the semaphore is used on.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 1.0
 */
GaioLoop *
gaio_semaphore_get_loop (GaioSemaphore *semaphore)
{
  GaioSemaphorePrivate *priv;

  g_return_val_if_fail (GAIO_IS_SEMAPHORE (semaphore), NULL);

  priv = gaio_semaphore_get_instance_private (semaphore);
  return priv->loop;
}

/**
 * gaio_semaphore_get_value:
 * @semaphore: a #GaioSemaphore
 *
 * Gets the number of free permits (asyncio's `_value`).
 *
 * Returns: the count
 *
 * Since: 1.0
 */
guint
gaio_semaphore_get_value (GaioSemaphore *semaphore)
{
  GaioSemaphorePrivate *priv;

  g_return_val_if_fail (GAIO_IS_SEMAPHORE (semaphore), 0);

  priv = gaio_semaphore_get_instance_private (semaphore);
  return priv->value;
}

/**
 * gaio_semaphore_is_locked:
 * @semaphore: a #GaioSemaphore
 *
 * Whether an acquire would wait (asyncio's `locked()`): no permit is
 * free, or others wait already (a woken waiter that has not resumed
 * yet counts, a cancelled one does not).
 *
 * Returns: %TRUE if an acquire would wait
 *
 * Since: 1.0
 */
gboolean
gaio_semaphore_is_locked (GaioSemaphore *semaphore)
{
  GaioSemaphorePrivate *priv;

  g_return_val_if_fail (GAIO_IS_SEMAPHORE (semaphore), FALSE);

  priv = gaio_semaphore_get_instance_private (semaphore);
  if (priv->value == 0)
    return TRUE;

  for (GList *l = priv->waiters.head; l != NULL; l = l->next)
    if (!gaio_future_is_cancelled (l->data))
      return TRUE;

  return FALSE;
}

/**
 * gaio_semaphore_acquire:
 * @semaphore: a #GaioSemaphore
 *
 * Takes a permit (asyncio's `acquire()`). The future finishes with %TRUE
 * when the caller holds one: at once if one is free and nobody waits,
 * else in turn. Cancel the future to give up waiting.
 *
 * Returns: (transfer full): a future of a boolean (%TRUE)
 *
 * Since: 1.0
 */
GaioFuture *
gaio_semaphore_acquire (GaioSemaphore *semaphore)
{
  GaioSemaphorePrivate *priv;
  GaioWaiter *waiter;

  g_return_val_if_fail (GAIO_IS_SEMAPHORE (semaphore), NULL);

  priv = gaio_semaphore_get_instance_private (semaphore);
  if (!gaio_semaphore_is_locked (semaphore))
    {
      priv->value--;
      return _gaio_waiter_new_true (priv->loop);
    }

  waiter = _gaio_waiter_new (priv->loop, &semaphore_waiter_class, semaphore);
  _gaio_waiter_enqueue (waiter, &priv->waiters);

  return GAIO_FUTURE (waiter);
}

/* Wakes the first pending waiter, which takes a permit from the count;
 * FALSE if none is pending. */
static gboolean
wake_up_next (GaioSemaphorePrivate *priv)
{
  for (GList *l = priv->waiters.head; l != NULL; l = l->next)
    {
      GaioWaiter *waiter = l->data;

      if (GAIO_FUTURE (waiter)->state == GAIO_FUTURE_PENDING)
        {
          priv->value--;
          _gaio_waiter_finish_true (waiter);
          return TRUE;
        }
    }

  return FALSE;
}

static void
wake_up_while_free (GaioSemaphorePrivate *priv)
{
  while (priv->value > 0 && wake_up_next (priv))
    ;
}

/**
 * gaio_semaphore_release:
 * @semaphore: a #GaioSemaphore
 * @error: return location for a #GError
 *
 * Gives a permit back (asyncio's `release()`): the count goes up, and the
 * first pending waiter is woken and takes it. A plain semaphore may be
 * released more times than it was acquired, raising its count, as
 * asyncio's may.
 *
 * Returns: %TRUE; %FALSE with %GAIO_ERROR_INVALID_STATE if @semaphore is
 *   a [class@Gaio.BoundedSemaphore] already at its initial count
 *   (`BoundedSemaphore released too many times`, asyncio's `ValueError`)
 *
 * Since: 1.0
 */
gboolean
gaio_semaphore_release (GaioSemaphore  *semaphore,
                        GError        **error)
{
  GaioSemaphorePrivate *priv;

  g_return_val_if_fail (GAIO_IS_SEMAPHORE (semaphore), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = gaio_semaphore_get_instance_private (semaphore);
  if (GAIO_IS_BOUNDED_SEMAPHORE (semaphore) && priv->value >= priv->bound)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                           "BoundedSemaphore released too many times");
      return FALSE;
    }

  priv->value++;
  wake_up_next (priv);

  return TRUE;
}

/**
 * gaio_semaphore_to_string:
 * @semaphore: a #GaioSemaphore
 *
 * Describes the semaphore as asyncio's repr does: `<GaioSemaphore
 * [unlocked, value:1]>`, `<GaioSemaphore [locked, waiters:2]>`.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_semaphore_to_string (GaioSemaphore *semaphore)
{
  GaioSemaphorePrivate *priv;
  GString *text;

  g_return_val_if_fail (GAIO_IS_SEMAPHORE (semaphore), NULL);

  priv = gaio_semaphore_get_instance_private (semaphore);
  text = g_string_new (NULL);
  g_string_append_printf (text, "<%s [", G_OBJECT_TYPE_NAME (semaphore));
  if (gaio_semaphore_is_locked (semaphore))
    g_string_append (text, "locked");
  else
    g_string_append_printf (text, "unlocked, value:%u", priv->value);
  if (priv->waiters.length > 0)
    g_string_append_printf (text, ", waiters:%u", priv->waiters.length);
  g_string_append (text, "]>");

  return g_string_free (text, FALSE);
}
