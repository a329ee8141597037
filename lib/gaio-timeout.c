/* gaio-timeout.c: a deadline over a stretch of a task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio 3.11's `async with timeout(delay):` as an enter/exit pair
 * around a stretch of a task's function. When the deadline passes, the
 * task is cancelled (a count of its cancellation requests goes up); at
 * exit the scope takes that request back with gaio_task_uncancel() and,
 * if no other request came meanwhile and the stretch ended with the
 * cancellation, turns it into G_IO_ERROR_TIMED_OUT. Comparing the count
 * with the one seen at entry is what lets nested timeouts, task groups
 * and cancellations from outside compose: only the scope whose
 * cancellation it was converts it, and a cancellation from outside
 * stays a cancellation (TO-xx in tests/README.md).
 *
 * States, as asyncio's _State: created, active (entered), expiring (the
 * deadline cancelled the task), expired (exited after that), finished
 * (exited before the deadline).
 *
 * Ownership: the scope holds its task from enter to exit, and the timer
 * handle holds the scope. Loop thread only, as the task.
 */

#include "config.h"

#include <math.h>

#include "gaio-debug-private.h"

#include "gaio.h"

typedef enum {
  STATE_CREATED,
  STATE_ENTERED,
  STATE_EXPIRING,
  STATE_EXPIRED,
  STATE_EXITED,
} State;

/* asyncio's state names, in reprs and errors. */
static const char * const state_names[] = {
  "created", "active", "expiring", "expired", "finished",
};

struct _GaioTimeout
{
  gint        ref_count;     /* (atomic) */
  State       state;
  gdouble     when;          /* GAIO_TIMEOUT_NEVER for none */
  GaioTask   *task;          /* (owned) (nullable) from enter to exit */
  GaioHandle *timer;         /* (owned) (nullable) */
  guint       cancelling;    /* the task's count of requests at entry */
};

/**
 * GaioTimeout: (skip)
 *
 * asyncio's `Timeout`: a deadline over a stretch of a task's function,
 * made by gaio_timeout() or gaio_timeout_at(). Enter it with
 * gaio_timeout_enter() where Python writes `async with`, and leave it
 * with gaio_timeout_exit(), passing the error the stretch ends with:
 *
 * |[<!-- language="C" -->
 * g_autoptr(GaioTimeout) timeout = gaio_timeout (0.5);
 * g_autoptr(GError) local_error = NULL;
 *
 * if (!gaio_timeout_enter (timeout, error))
 *   return FALSE;
 * gaio_await (slow_operation (), NULL, &local_error);
 * if (!gaio_timeout_exit (timeout, &local_error))
 *   {
 *     // G_IO_ERROR_TIMED_OUT if the deadline passed first
 *     g_propagate_error (error, g_steal_pointer (&local_error));
 *     return FALSE;
 *   }
 * ]|
 *
 * When the deadline passes, the task is cancelled: the await running
 * then fails with %G_IO_ERROR_CANCELLED, and gaio_timeout_exit() turns
 * that error into %G_IO_ERROR_TIMED_OUT, unless the task was also
 * cancelled from elsewhere meanwhile (then the cancellation stays).
 *
 * C only, as tasks are.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (GaioTimeout, gaio_timeout, gaio_timeout_ref, gaio_timeout_unref)

static gboolean
is_never (gdouble when)
{
  return when >= GAIO_TIMEOUT_NEVER || isinf (when);
}

static GaioTimeout *
timeout_new (gdouble when)
{
  GaioTimeout *timeout = g_new0 (GaioTimeout, 1);

  timeout->ref_count = 1;
  timeout->state = STATE_CREATED;
  timeout->when = is_never (when) ? GAIO_TIMEOUT_NEVER : when;

  return timeout;
}

/**
 * gaio_timeout: (skip)
 * @delay: seconds from now (zero or less: already due), or
 *   %GAIO_TIMEOUT_NEVER
 *
 * asyncio's `timeout(delay)`: a scope whose deadline is @delay seconds
 * after now on the running loop's clock. Needs a running loop.
 *
 * Returns: (transfer full) (nullable): the scope, not entered yet; %NULL
 *   with a critical when no loop runs in this thread
 *
 * Since: 1.0
 */
GaioTimeout *
gaio_timeout (gdouble delay)
{
  GaioLoop *loop;

  g_return_val_if_fail (!isnan (delay), NULL);

  /* asyncio's timeout() fails with "no running event loop" here; say the
   * same, as gaio_sleep() does, rather than assert on a local variable
   * the caller never saw ("assertion 'loop != NULL' failed"). */
  loop = gaio_get_running_loop ();
  if (loop == NULL)
    {
      g_critical ("gaio_timeout: no running event loop");
      return NULL;
    }

  if (is_never (delay))
    return timeout_new (GAIO_TIMEOUT_NEVER);

  return timeout_new (gaio_loop_time (loop) + delay);
}

/**
 * gaio_timeout_at: (skip)
 * @when: the deadline, on the clock of [method@Gaio.Loop.time], or
 *   %GAIO_TIMEOUT_NEVER
 *
 * asyncio's `timeout_at(when)`: a scope with an absolute deadline. A
 * deadline already past expires at the next iteration of the loop once
 * the scope is entered.
 *
 * Returns: (transfer full): the scope, not entered yet
 *
 * Since: 1.0
 */
GaioTimeout *
gaio_timeout_at (gdouble when)
{
  g_return_val_if_fail (!isnan (when), NULL);

  return timeout_new (when);
}

/**
 * gaio_timeout_ref: (skip)
 * @timeout: a #GaioTimeout
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @timeout
 *
 * Since: 1.0
 */
GaioTimeout *
gaio_timeout_ref (GaioTimeout *timeout)
{
  g_return_val_if_fail (timeout != NULL, NULL);

  g_atomic_int_inc (&timeout->ref_count);

  return timeout;
}

/**
 * gaio_timeout_unref: (skip)
 * @timeout: (transfer full): a #GaioTimeout
 *
 * Drops a reference. A scope entered and never left holds its task and
 * its timer until it is left: leave every scope you enter.
 *
 * Since: 1.0
 */
void
gaio_timeout_unref (GaioTimeout *timeout)
{
  g_return_if_fail (timeout != NULL);

  if (!g_atomic_int_dec_and_test (&timeout->ref_count))
    return;

  /* A timer is left only by a loop that closed with the scope entered:
   * it dropped the timer's callback, whose reference this was. */
  g_clear_pointer (&timeout->timer, gaio_handle_unref);
  g_clear_pointer (&timeout->task, gaio_task_unref);
  g_free (timeout);
}

/* asyncio's Timeout._on_timeout(). */
static gboolean
on_timeout (gpointer   user_data,
            GError   **error)
{
  GaioTimeout *timeout = user_data;

  g_assert (timeout->state == STATE_ENTERED);

  gaio_future_cancel (GAIO_FUTURE (timeout->task), NULL);
  timeout->state = STATE_EXPIRING;
  g_clear_pointer (&timeout->timer, gaio_handle_unref);

  return TRUE;
}

static void
stop_timer (GaioTimeout *timeout)
{
  if (timeout->timer == NULL)
    return;

  gaio_handle_cancel (timeout->timer);
  g_clear_pointer (&timeout->timer, gaio_handle_unref);
}

/* Schedules on_timeout() at @when, or in the next iteration when @when is
 * past (asyncio's reschedule() uses call_soon() then). */
static gboolean
schedule (GaioTimeout  *timeout,
          GError      **error)
{
  GaioLoop *loop = gaio_future_get_loop (GAIO_FUTURE (timeout->task));
  GaioHandle *timer;

  GAIO_DEBUG_NAME (on_timeout, "Timeout._on_timeout");
  if (timeout->when <= gaio_loop_time (loop))
    timer = gaio_loop_call_soon (loop, on_timeout, gaio_timeout_ref (timeout),
                                 (GDestroyNotify) gaio_timeout_unref, error);
  else
    timer = gaio_loop_call_at (loop, timeout->when, on_timeout, gaio_timeout_ref (timeout),
                               (GDestroyNotify) gaio_timeout_unref, error);
  if (timer == NULL)
    return FALSE;

  timeout->timer = gaio_handle_ref (timer);
  return TRUE;
}

static gboolean
refuse_state (GaioTimeout  *timeout,
              GError      **error)
{
  if (timeout->state == STATE_CREATED)
    g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                         "Timeout has not been entered");
  else
    g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                 "Cannot change state of %s Timeout", state_names[timeout->state]);

  return FALSE;
}

/**
 * gaio_timeout_reschedule: (skip)
 * @timeout: an entered #GaioTimeout
 * @when: the new deadline, on the clock of [method@Gaio.Loop.time], or
 *   %GAIO_TIMEOUT_NEVER
 * @error: return location for a #GError
 *
 * Moves the deadline (asyncio's `reschedule`). Only an active scope can
 * be rescheduled: one not entered yet, expired or left fails with
 * %GAIO_ERROR_INVALID_STATE.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
gaio_timeout_reschedule (GaioTimeout  *timeout,
                         gdouble       when,
                         GError      **error)
{
  g_return_val_if_fail (timeout != NULL, FALSE);
  g_return_val_if_fail (!isnan (when), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (timeout->state != STATE_ENTERED)
    return refuse_state (timeout, error);

  timeout->when = is_never (when) ? GAIO_TIMEOUT_NEVER : when;
  stop_timer (timeout);
  if (timeout->when == GAIO_TIMEOUT_NEVER)
    return TRUE;

  return schedule (timeout, error);
}

/**
 * gaio_timeout_enter: (skip)
 * @timeout: a #GaioTimeout not entered yet
 * @error: return location for a #GError
 *
 * Starts the scope in the current task (asyncio's `__aenter__`): the
 * deadline is armed, and the task's count of cancellation requests
 * ([method@Gaio.Task.cancelling]) is noted, for gaio_timeout_exit().
 *
 * Fails with %GAIO_ERROR_INVALID_STATE outside a task (`Timeout should be
 * used inside a task`) or when @timeout was entered before.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
gaio_timeout_enter (GaioTimeout  *timeout,
                    GError      **error)
{
  GaioTask *task;

  g_return_val_if_fail (timeout != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (timeout->state != STATE_CREATED)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                           "Timeout has already been entered");
      return FALSE;
    }

  task = gaio_current_task ();
  if (task == NULL)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                           "Timeout should be used inside a task");
      return FALSE;
    }

  timeout->state = STATE_ENTERED;
  timeout->task = gaio_task_ref (task);
  timeout->cancelling = gaio_task_cancelling (task);
  if (timeout->when == GAIO_TIMEOUT_NEVER)
    return TRUE;

  return schedule (timeout, error);
}

/**
 * gaio_timeout_exit: (skip)
 * @timeout: an entered #GaioTimeout
 * @error: (inout) (optional) (nullable): the error the stretch of code
 *   inside the scope ends with, %NULL when it succeeded
 *
 * Ends the scope (asyncio's `__aexit__`). If the deadline passed, the
 * scope takes back the cancellation it requested
 * ([method@Gaio.Task.uncancel]); if that leaves no more requests than
 * there were at entry and *@error is %G_IO_ERROR_CANCELLED, *@error is
 * replaced by %G_IO_ERROR_TIMED_OUT. Any other error, or a cancellation
 * requested from elsewhere meanwhile, is left as it is.
 *
 * Returns: %TRUE when *@error is %NULL (or @error is %NULL) on return
 *
 * Since: 1.0
 */
gboolean
gaio_timeout_exit (GaioTimeout  *timeout,
                   GError      **error)
{
  gboolean cancelled;

  g_return_val_if_fail (timeout != NULL, FALSE);
  g_return_val_if_fail (timeout->state == STATE_ENTERED || timeout->state == STATE_EXPIRING,
                        FALSE);

  stop_timer (timeout);
  cancelled = error != NULL && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  if (timeout->state == STATE_EXPIRING)
    {
      timeout->state = STATE_EXPIRED;
      if (gaio_task_uncancel (timeout->task) <= timeout->cancelling && cancelled)
        {
          g_clear_error (error);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timeout expired");
        }
    }
  else
    timeout->state = STATE_EXITED;

  g_clear_pointer (&timeout->task, gaio_task_unref);

  return error == NULL || *error == NULL;
}

/**
 * gaio_timeout_get_when: (skip)
 * @timeout: a #GaioTimeout
 *
 * The deadline (asyncio's `when()`).
 *
 * Returns: the deadline on the loop's clock, or %GAIO_TIMEOUT_NEVER
 *
 * Since: 1.0
 */
gdouble
gaio_timeout_get_when (GaioTimeout *timeout)
{
  g_return_val_if_fail (timeout != NULL, GAIO_TIMEOUT_NEVER);

  return timeout->when;
}

/**
 * gaio_timeout_expired: (skip)
 * @timeout: a #GaioTimeout
 *
 * Whether the deadline passed while the scope was active (asyncio's
 * `expired()`), whatever the stretch of code did then.
 *
 * Returns: %TRUE if the scope expired
 *
 * Since: 1.0
 */
gboolean
gaio_timeout_expired (GaioTimeout *timeout)
{
  g_return_val_if_fail (timeout != NULL, FALSE);

  return timeout->state == STATE_EXPIRING || timeout->state == STATE_EXPIRED;
}

/* Python's repr() of a float: the shortest text that reads back, with a
 * ".0" when it would look like an integer. */
static const char *
python_float (gdouble value,
              char    buffer[G_ASCII_DTOSTR_BUF_SIZE + 2])
{
  g_ascii_dtostr (buffer, G_ASCII_DTOSTR_BUF_SIZE, value);
  if (strpbrk (buffer, ".en") == NULL)
    strcat (buffer, ".0");

  return buffer;
}

/**
 * gaio_timeout_to_string: (skip)
 * @timeout: a #GaioTimeout
 *
 * asyncio's repr: `<Timeout [active] when=12.345>`, the deadline (rounded
 * to the millisecond, `None` for none) shown while the scope is active.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_timeout_to_string (GaioTimeout *timeout)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 2];

  g_return_val_if_fail (timeout != NULL, NULL);

  if (timeout->state != STATE_ENTERED)
    return g_strdup_printf ("<Timeout [%s]>", state_names[timeout->state]);
  if (timeout->when == GAIO_TIMEOUT_NEVER)
    return g_strdup ("<Timeout [active] when=None>");

  return g_strdup_printf ("<Timeout [active] when=%s>", python_float (round (timeout->when * 1000) / 1000, buffer));
}
