/* gaio-wait.c: sleeping, and waiting for several futures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's sleep(), gather(), wait_for(), wait() and shield() are
 * coroutines or futures built from done callbacks. Here each returns a
 * future wired with done callbacks (no fiber of its own), so they cost
 * an allocation or two, and work as well from plain callbacks (with
 * gaio_future_add_done_callback() or gaio_loop_run_until_complete()) as
 * inside tasks with gaio_await().
 *
 * Lifetimes: each combinator keeps a small state struct, referenced by
 * the done callbacks it adds; the struct holds the futures it needs.
 * The references go when the futures are done (or, for wait(), when the
 * wait completes and its callbacks are removed from the others).
 */

#include "config.h"

#include "gaio-loop-private.h"

/* A result of "None". */
static void
set_none (GaioFuture *future)
{
  gaio_future_set_result_pointer (future, NULL, NULL, NULL);
}

/* Copies the outcome of @from, which is done, to @to, which is pending:
 * asyncio's futures._chain_future() state copy. Retrieves @from's error. */
static void
copy_outcome (GaioFuture *from,
              GaioFuture *to)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  if (gaio_future_is_cancelled (from))
    {
      gaio_future_get_result (from, NULL, &error);
      gaio_future_cancel (to, error != NULL ? error->message : NULL);
      return;
    }

  if (gaio_future_get_result (from, &value, &error))
    gaio_future_take_result (to, &value, NULL);
  else
    gaio_future_take_error (to, g_steal_pointer (&error), NULL);
}

static GaioLoop *
running_loop_or_warn (const char *function)
{
  GaioLoop *loop = gaio_get_running_loop ();

  if (loop == NULL)
    g_critical ("%s: no running event loop", function);

  return loop;
}

static GaioFuture *
failed_future (GaioLoop   *loop,
               GQuark      domain,
               gint        code,
               const char *message)
{
  GaioFuture *future = gaio_loop_create_future (loop);

  gaio_future_take_error (future, g_error_new_literal (domain, code, message), NULL);

  return future;
}

static gboolean
same_loop (GaioFuture * const *futures,
           guint               n_futures,
           GaioLoop           *loop)
{
  for (guint i = 0; i < n_futures; i++)
    if (gaio_future_get_loop (futures[i]) != loop)
      return FALSE;

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* sleep                                                              */

static gboolean
sleep_fire (gpointer   user_data,
            GError   **error)
{
  GaioFuture *future = user_data;

  if (!gaio_future_is_done (future))
    set_none (future);

  return TRUE;
}

static void
sleep_done (GaioFuture *future,
            gpointer    user_data)
{
  /* Cancelled: the timer goes too (and with it its reference on the
   * future). After the timer fired this does nothing. */
  gaio_handle_cancel (user_data);
}

/**
 * gaio_sleep:
 * @delay: seconds; zero or less means the next iteration of the loop
 *
 * asyncio's `sleep(delay)`: a future of the running loop that finishes
 * with %NULL (a %G_TYPE_POINTER, Python's `None`) once @delay seconds
 * have passed. Cancelling it cancels the timer. Await it in a task:
 * `gaio_await (gaio_sleep (0.5), NULL, &error)`.
 *
 * Must be called while a loop runs in this thread (in a task or a
 * callback).
 *
 * Returns: (transfer full) (nullable): the future, or %NULL (with a
 *   critical) when no loop is running
 *
 * Since: 1.0
 */
GaioFuture *
gaio_sleep (gdouble delay)
{
  GaioLoop *loop = running_loop_or_warn ("gaio_sleep");
  g_autoptr(GError) error = NULL;
  GaioFuture *future;
  GaioHandle *handle;

  if (loop == NULL)
    return NULL;

  future = gaio_loop_create_future (loop);
  if (delay > 0)
    handle = gaio_loop_call_later (loop, delay, sleep_fire, gaio_future_ref (future),
                                   (GDestroyNotify) gaio_future_unref, &error);
  else
    handle = gaio_loop_call_soon (loop, sleep_fire, gaio_future_ref (future),
                                  (GDestroyNotify) gaio_future_unref, &error);

  if (handle == NULL)
    {
      gaio_future_take_error (future, g_steal_pointer (&error), NULL);
      return future;
    }

  gaio_future_add_done_callback (future, sleep_done, gaio_handle_ref (handle),
                                 (GDestroyNotify) gaio_handle_unref);

  return future;
}

/* ------------------------------------------------------------------ */
/* gather                                                             */

typedef struct
{
  gint        ref_count;
  GaioFuture *outer;             /* (owned) */
  GPtrArray  *children;          /* (owned) (element-type GaioFuture) */
  guint       n_done;
  gboolean    return_exceptions;
} Gather;

static Gather *
gather_ref (Gather *gather)
{
  gather->ref_count++;
  return gather;
}

static void
gather_unref (gpointer data)
{
  Gather *gather = data;

  if (--gather->ref_count > 0)
    return;

  gaio_future_unref (gather->outer);
  g_ptr_array_unref (gather->children);
  g_free (gather);
}

static void
gather_child_done (GaioFuture *child,
                   gpointer    user_data)
{
  Gather *gather = user_data;
  GValue value = G_VALUE_INIT;

  gather->n_done++;

  if (gaio_future_is_done (gather->outer))
    {
      /* asyncio marks the error retrieved: the gather reported the
       * first one already, or was cancelled. */
      if (!gaio_future_is_cancelled (child))
        gaio_future_get_error (child, NULL);
      return;
    }

  if (!gather->return_exceptions)
    {
      if (gaio_future_is_cancelled (child))
        {
          g_autoptr(GError) error = NULL;

          /* The gather fails with the cancellation, as an error: the
           * other children go on (asyncio). */
          gaio_future_get_result (child, NULL, &error);
          gaio_future_take_error (gather->outer, g_steal_pointer (&error), NULL);
          return;
        }
      if (gaio_future_get_state (child) == GAIO_FUTURE_FINISHED &&
          gaio_future_get_error (child, NULL) != NULL)
        {
          gaio_future_set_error (gather->outer, gaio_future_get_error (child, NULL), NULL);
          return;
        }
    }

  if (gather->n_done < gather->children->len)
    return;

  /* All done. With return_exceptions the errors are in the children,
   * read by the caller: they count as retrieved. */
  for (guint i = 0; i < gather->children->len; i++)
    {
      GaioFuture *done = g_ptr_array_index (gather->children, i);

      if (gaio_future_get_state (done) == GAIO_FUTURE_FINISHED)
        gaio_future_get_error (done, NULL);
    }

  g_value_init (&value, G_TYPE_PTR_ARRAY);
  g_value_set_boxed (&value, gather->children);
  gaio_future_take_result (gather->outer, &value, NULL);
}

static void
gather_outer_done (GaioFuture *outer,
                   gpointer    user_data)
{
  Gather *gather = user_data;

  if (!gaio_future_is_cancelled (outer))
    return;

  for (guint i = 0; i < gather->children->len; i++)
    gaio_future_cancel (g_ptr_array_index (gather->children, i), NULL);
}

/**
 * gaio_gather:
 * @futures: (array length=n_futures): the futures to wait for, all of one
 *   loop
 * @n_futures: the number of @futures; 0 needs a running loop
 * @return_exceptions: whether the errors of @futures are results rather
 *   than the gather's failure
 *
 * asyncio's `gather(*futures, return_exceptions=...)`: a future that
 * finishes once all @futures are done. Its result is a #GPtrArray of
 * @futures in the order given (%G_TYPE_PTR_ARRAY, holding a reference on
 * each): read each one's result from it.
 *
 * Without @return_exceptions, the first future to fail (or be cancelled)
 * makes the gather fail with that error at once, and the others go on.
 * With it, failed and cancelled futures are results like the others, and
 * their errors count as retrieved.
 *
 * Cancelling the gather cancels every future not done yet.
 *
 * Returns: (transfer full) (nullable): the gathering future
 *
 * Since: 1.0
 */
GaioFuture *
gaio_gather (GaioFuture * const *futures,
             guint               n_futures,
             gboolean            return_exceptions)
{
  GaioLoop *loop;
  GaioFuture *outer;
  Gather *gather;

  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);
  for (guint i = 0; i < n_futures; i++)
    g_return_val_if_fail (futures[i] != NULL, NULL);

  loop = n_futures > 0 ? gaio_future_get_loop (futures[0]) : running_loop_or_warn ("gaio_gather");
  if (loop == NULL)
    return NULL;
  if (!same_loop (futures, n_futures, loop))
    return failed_future (loop, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                          "futures are tied to different event loops");

  outer = gaio_loop_create_future (loop);
  gather = g_new0 (Gather, 1);
  gather->ref_count = 1;
  gather->outer = gaio_future_ref (outer);
  gather->children = g_ptr_array_new_full (n_futures, (GDestroyNotify) gaio_future_unref);
  gather->return_exceptions = return_exceptions;
  for (guint i = 0; i < n_futures; i++)
    g_ptr_array_add (gather->children, gaio_future_ref (futures[i]));

  if (n_futures == 0)
    {
      GValue value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_PTR_ARRAY);
      g_value_set_boxed (&value, gather->children);
      gaio_future_take_result (outer, &value, NULL);
      gather_unref (gather);
      return outer;
    }

  for (guint i = 0; i < n_futures; i++)
    gaio_future_add_done_callback (futures[i], gather_child_done, gather_ref (gather), gather_unref);
  gaio_future_add_done_callback (outer, gather_outer_done, gather_ref (gather), gather_unref);
  gather_unref (gather);

  return outer;
}

/* ------------------------------------------------------------------ */
/* wait_for                                                           */

typedef struct
{
  gint        ref_count;
  GaioFuture *outer;      /* (owned) */
  GaioFuture *inner;      /* (owned) */
  GaioHandle *timer;      /* (owned) (nullable) */
  gboolean    timed_out;
} WaitFor;

static WaitFor *
wait_for_ref (WaitFor *wait_for)
{
  wait_for->ref_count++;
  return wait_for;
}

static void
wait_for_unref (gpointer data)
{
  WaitFor *wait_for = data;

  if (--wait_for->ref_count > 0)
    return;

  gaio_future_unref (wait_for->outer);
  gaio_future_unref (wait_for->inner);
  g_clear_pointer (&wait_for->timer, gaio_handle_unref);
  g_free (wait_for);
}

static void
wait_for_inner_done (GaioFuture *inner,
                     gpointer    user_data)
{
  WaitFor *wait_for = user_data;

  if (wait_for->timer != NULL)
    gaio_handle_cancel (wait_for->timer);

  if (gaio_future_is_done (wait_for->outer))
    {
      if (gaio_future_get_state (inner) == GAIO_FUTURE_FINISHED)
        gaio_future_get_error (inner, NULL);
      return;
    }

  /* Cancelled by the timeout: that is the timeout's error. A result that
   * won the race against the cancel is kept (asyncio 3.11). */
  if (wait_for->timed_out && gaio_future_is_cancelled (inner))
    {
      gaio_future_take_error (wait_for->outer,
                              g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                   "Timeout expired"),
                              NULL);
      return;
    }

  copy_outcome (inner, wait_for->outer);
}

static gboolean
wait_for_timeout (gpointer   user_data,
                  GError   **error)
{
  WaitFor *wait_for = user_data;

  wait_for->timed_out = TRUE;
  gaio_future_cancel (wait_for->inner, NULL);

  return TRUE;
}

static void
wait_for_outer_done (GaioFuture *outer,
                     gpointer    user_data)
{
  WaitFor *wait_for = user_data;

  if (!gaio_future_is_cancelled (outer))
    return;

  if (wait_for->timer != NULL)
    gaio_handle_cancel (wait_for->timer);
  gaio_future_cancel (wait_for->inner, NULL);
}

/**
 * gaio_wait_for:
 * @future: the future to wait for
 * @timeout: seconds, or %GAIO_NO_TIMEOUT (any negative value)
 *
 * asyncio's `wait_for(future, timeout)`: a future that gets @future's
 * outcome, unless @timeout seconds pass first. Then @future is cancelled
 * and, once it is done, the returned future fails with
 * %G_IO_ERROR_TIMED_OUT. With a @timeout of 0 a pending @future times out
 * at once. Cancelling the returned future cancels @future too.
 *
 * Returns: (transfer full): the future
 *
 * Since: 1.0
 */
GaioFuture *
gaio_wait_for (GaioFuture *future,
               gdouble     timeout)
{
  GaioLoop *loop;
  GaioFuture *outer;
  WaitFor *wait_for;

  g_return_val_if_fail (future != NULL, NULL);

  loop = gaio_future_get_loop (future);
  outer = gaio_loop_create_future (loop);

  if (gaio_future_is_done (future))
    {
      copy_outcome (future, outer);
      return outer;
    }

  wait_for = g_new0 (WaitFor, 1);
  wait_for->ref_count = 1;
  wait_for->outer = gaio_future_ref (outer);
  wait_for->inner = gaio_future_ref (future);

  if (timeout == 0)
    {
      wait_for->timed_out = TRUE;
      gaio_future_cancel (future, NULL);
    }
  else if (timeout > 0)
    {
      GaioHandle *timer = gaio_loop_call_later (loop, timeout, wait_for_timeout,
                                                wait_for_ref (wait_for), wait_for_unref, NULL);

      if (timer != NULL)
        wait_for->timer = gaio_handle_ref (timer);
    }

  gaio_future_add_done_callback (future, wait_for_inner_done, wait_for_ref (wait_for),
                                 wait_for_unref);
  gaio_future_add_done_callback (outer, wait_for_outer_done, wait_for_ref (wait_for),
                                 wait_for_unref);
  wait_for_unref (wait_for);

  return outer;
}

/* ------------------------------------------------------------------ */
/* wait                                                               */

typedef struct
{
  gint          ref_count;
  GaioFuture   *outer;      /* (owned) */
  GPtrArray    *children;   /* (owned) (element-type GaioFuture) */
  GaioHandle   *timer;      /* (owned) (nullable) */
  GaioWaitMode  mode;
  guint         n_done;
} Wait;

static Wait *
wait_ref (Wait *wait)
{
  wait->ref_count++;
  return wait;
}

static void
wait_unref (gpointer data)
{
  Wait *wait = data;

  if (--wait->ref_count > 0)
    return;

  gaio_future_unref (wait->outer);
  g_ptr_array_unref (wait->children);
  g_clear_pointer (&wait->timer, gaio_handle_unref);
  g_free (wait);
}

static void wait_child_done (GaioFuture *child,
                             gpointer    user_data);

/* Ends the wait: the result lists the futures done now. The callbacks
 * on the others go, so that they do not keep the wait alive (asyncio's
 * _wait() removes _on_completion). */
static void
wait_complete (Wait *wait)
{
  GPtrArray *done = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  GValue value = G_VALUE_INIT;

  wait_ref (wait);

  if (wait->timer != NULL)
    gaio_handle_cancel (wait->timer);

  for (guint i = 0; i < wait->children->len; i++)
    {
      GaioFuture *child = g_ptr_array_index (wait->children, i);

      if (gaio_future_is_done (child))
        g_ptr_array_add (done, gaio_future_ref (child));
      else
        gaio_future_remove_done_callback (child, wait_child_done, wait);
    }

  if (!gaio_future_is_done (wait->outer))
    {
      g_value_init (&value, G_TYPE_PTR_ARRAY);
      g_value_take_boxed (&value, done);
      gaio_future_take_result (wait->outer, &value, NULL);
    }
  else
    g_ptr_array_unref (done);

  wait_unref (wait);
}

static gboolean
wait_is_satisfied (Wait       *wait,
                   GaioFuture *child)
{
  if (wait->n_done == wait->children->len || wait->mode == GAIO_WAIT_FIRST_COMPLETED)
    return TRUE;

  return wait->mode == GAIO_WAIT_FIRST_EXCEPTION &&
         gaio_future_get_state (child) == GAIO_FUTURE_FINISHED &&
         gaio_future_get_error (child, NULL) != NULL;
}

static void
wait_child_done (GaioFuture *child,
                 gpointer    user_data)
{
  Wait *wait = user_data;

  wait->n_done++;
  if (!gaio_future_is_done (wait->outer) && wait_is_satisfied (wait, child))
    wait_complete (wait);
}

static gboolean
wait_timeout (gpointer   user_data,
              GError   **error)
{
  wait_complete (user_data);
  return TRUE;
}

static void
wait_outer_done (GaioFuture *outer,
                 gpointer    user_data)
{
  Wait *wait = user_data;

  /* Cancelled: stop waiting; the futures themselves go on (asyncio). */
  if (gaio_future_is_cancelled (outer))
    wait_complete (wait);
}

/**
 * gaio_wait:
 * @futures: (array length=n_futures): the futures to wait for, all of one
 *   loop, at least one
 * @n_futures: the number of @futures
 * @timeout: seconds, or %GAIO_NO_TIMEOUT (any negative value)
 * @return_when: when to complete
 *
 * asyncio's `wait(futures, timeout, return_when)`: a future that
 * finishes when @return_when says, or when @timeout seconds pass, with
 * the futures done by then as its result: a #GPtrArray
 * (%G_TYPE_PTR_ARRAY) of them in the order given. The others are the
 * pending set: they go on, as the done ones keep their outcomes, errors
 * included (unlike [func@Gaio.wait_for], nothing is cancelled and a
 * timeout is no error). Cancelling the returned future stops the wait
 * only.
 *
 * Returns: (transfer full) (nullable): the future; failed with
 *   %GAIO_ERROR_INVALID_ARGUMENT when @futures is empty, or %NULL when
 *   @futures is empty and no loop runs in this thread
 *
 * Since: 1.0
 */
GaioFuture *
gaio_wait (GaioFuture * const *futures,
           guint               n_futures,
           gdouble             timeout,
           GaioWaitMode        return_when)
{
  GaioLoop *loop;
  GaioFuture *outer;
  Wait *wait;

  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);
  for (guint i = 0; i < n_futures; i++)
    g_return_val_if_fail (futures[i] != NULL, NULL);

  if (n_futures == 0)
    {
      loop = running_loop_or_warn ("gaio_wait");
      if (loop == NULL)
        return NULL;
      return failed_future (loop, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                            "Set of Tasks/Futures is empty.");
    }

  loop = gaio_future_get_loop (futures[0]);
  if (!same_loop (futures, n_futures, loop))
    return failed_future (loop, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                          "futures are tied to different event loops");

  outer = gaio_loop_create_future (loop);
  wait = g_new0 (Wait, 1);
  wait->ref_count = 1;
  wait->outer = gaio_future_ref (outer);
  wait->children = g_ptr_array_new_full (n_futures, (GDestroyNotify) gaio_future_unref);
  wait->mode = return_when;

  for (guint i = 0; i < n_futures; i++)
    {
      g_ptr_array_add (wait->children, gaio_future_ref (futures[i]));
      if (gaio_future_is_done (futures[i]))
        wait->n_done++;
    }

  /* Already satisfied: asyncio's wait() checks before it waits. */
  for (guint i = 0; i < n_futures; i++)
    if (gaio_future_is_done (futures[i]) && wait_is_satisfied (wait, futures[i]))
      {
        wait_complete (wait);
        wait_unref (wait);
        return outer;
      }

  for (guint i = 0; i < n_futures; i++)
    if (!gaio_future_is_done (futures[i]))
      gaio_future_add_done_callback (futures[i], wait_child_done, wait_ref (wait), wait_unref);
  gaio_future_add_done_callback (outer, wait_outer_done, wait_ref (wait), wait_unref);

  if (timeout >= 0)
    {
      GaioHandle *timer = gaio_loop_call_later (loop, timeout, wait_timeout, wait_ref (wait),
                                                wait_unref, NULL);

      if (timer != NULL)
        wait->timer = gaio_handle_ref (timer);
    }

  wait_unref (wait);

  return outer;
}

/* ------------------------------------------------------------------ */
/* shield                                                             */

static void
shield_inner_done (GaioFuture *inner,
                   gpointer    user_data)
{
  GaioFuture *outer = user_data;

  if (gaio_future_is_done (outer))
    {
      /* The outer was cancelled: nobody will read this error. */
      if (gaio_future_get_state (inner) == GAIO_FUTURE_FINISHED)
        gaio_future_get_error (inner, NULL);
      return;
    }

  copy_outcome (inner, outer);
}

/**
 * gaio_shield:
 * @future: the future to protect
 *
 * asyncio's `shield(future)`: a future that gets @future's outcome, and
 * whose cancellation does not cancel @future. A task awaiting the shield
 * that is cancelled sees %G_IO_ERROR_CANCELLED while @future goes on.
 *
 * Returns: (transfer full): the shielding future
 *
 * Since: 1.0
 */
GaioFuture *
gaio_shield (GaioFuture *future)
{
  GaioFuture *outer;

  g_return_val_if_fail (future != NULL, NULL);

  if (gaio_future_is_done (future))
    return gaio_future_ref (future);

  outer = gaio_loop_create_future (gaio_future_get_loop (future));
  gaio_future_add_done_callback (future, shield_inner_done, gaio_future_ref (outer), (GDestroyNotify) gaio_future_unref);

  return outer;
}
