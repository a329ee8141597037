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
 * gather(), wait_for() and wait() return futures of kinds of their own
 * (a GaioFutureClass each, the future first in their struct), because
 * cancelling them is not cancelling a plain future: asyncio's
 * _GatheringFuture.cancel() cancels the children and waits for them,
 * 3.11's wait_for() waits for the cancelled future to finish, and a
 * wait() whose waiter was released no longer takes a cancel (CN-02,
 * CN-03). sleep (0), wait() and a wait_for() whose deadline passed hold
 * their done callbacks back and run them from a handle of their own, so
 * that an awaiting task resumes where asyncio's would (CN-01, CN-03,
 * test_wait_really_done).
 *
 * Lifetimes: the outer future holds the futures it combines; the done
 * callbacks it adds to them hold the outer future. The references go
 * when the futures are done (or, for wait() and shield(), when their
 * callbacks are removed from the others).
 */

#include "config.h"

#include "gaio-debug-private.h"
#include "gaio-future-private.h"
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

  /* The plain cancel, not @to's kind's: that of a wait_for() cancels
   * the future it waits for, which is @from, done, and copies @from's
   * outcome back, recursing until the stack overflows. */
  if (gaio_future_is_cancelled (from))
    {
      gaio_future_get_result (from, NULL, &error);
      _gaio_future_real_cancel (to, error != NULL ? error->message : NULL);
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

/* asyncio's sleep(0) is a bare yield: the task's step is rescheduled with
 * call_soon() and runs at that place in the ready queue. Here the future's
 * callbacks are held back (a task awaiting it is woken by them) and run
 * from this handle, scheduled at the same moment, whether the future
 * finished here or was cancelled meanwhile (CN-01). */
static gboolean
sleep0_step (gpointer   user_data,
             GError   **error)
{
  GaioFuture *future = user_data;

  if (!gaio_future_is_done (future))
    set_none (future);
  _gaio_future_run_held_callbacks (future);

  return TRUE;
}

static GaioFuture *
sleep0 (GaioLoop   *loop,
        GaioFuture *future)
{
  GaioTask *task = _gaio_loop_get_current_task (loop);

  /* The handle names the task that sleeps, as the step it stands for
   * would in a slow-callback report. */
  _gaio_future_hold_callbacks (future);
  if (!_gaio_loop_schedule (loop, sleep0_step, gaio_future_ref (future),
                            (GDestroyNotify) gaio_future_unref, "sleep.<locals>.__sleep0",
                            task != NULL ? gaio_future_ref (GAIO_FUTURE (task)) : NULL))
    {
      gaio_future_take_error (future,
                              g_error_new_literal (GAIO_ERROR, GAIO_ERROR_CLOSED,
                                                   "Event loop is closed"),
                              NULL);
      _gaio_future_run_held_callbacks (future);
    }

  return future;
}

/**
 * gaio_sleep:
 * @delay: seconds; zero or less means "let the others run first"
 *
 * asyncio's `sleep(delay)`: a future of the running loop that finishes
 * with %NULL (a %G_TYPE_POINTER, Python's `None`) once @delay seconds
 * have passed. Cancelling it cancels the timer. Await it in a task:
 * `gaio_await (gaio_sleep (0.5), NULL, &error)`.
 *
 * With a @delay of zero or less, a task awaiting the future resumes
 * where asyncio's `sleep(0)` resumes one: after the callbacks already
 * scheduled, before the ones they schedule.
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
  if (!(delay > 0))
    return sleep0 (loop, future);

  GAIO_DEBUG_NAME (sleep_fire, "futures._set_result_unless_cancelled");
  GAIO_DEBUG_NAME (sleep_done, "sleep.<locals>.cancel_timer");
  handle = gaio_loop_call_later (loop, delay, sleep_fire, gaio_future_ref (future),
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

/* asyncio's _GatheringFuture: the outer future is a kind of its own,
 * whose cancel() cancels the children and leaves the outer pending
 * until they report (CN-02). The children's done callbacks hold a
 * reference on it; it holds the children. */
typedef struct
{
  GaioFuture  parent;            /* first: the gathering future */
  GPtrArray  *children;          /* (owned) (element-type GaioFuture) */
  guint       n_done;
  gboolean    return_exceptions;
  gboolean    cancel_requested;
} Gather;

static gboolean gather_cancel   (GaioFuture *future,
                                 const char *message);
static void     gather_finalize (GaioFuture *future);

static const GaioFutureClass gather_class = {
  .kind = "_GatheringFuture",
  .cancel = gather_cancel,
  .finalize = gather_finalize,
};

static void
gather_finalize (GaioFuture *future)
{
  g_ptr_array_unref (((Gather *) future)->children);
}

/* asyncio's _GatheringFuture.cancel(): cancels every child it can. If
 * any was, the gather stays pending until the children are done, and
 * then fails with the cancellation; otherwise nothing changes. */
static gboolean
gather_cancel (GaioFuture *future,
               const char *message)
{
  Gather *gather = (Gather *) future;
  gboolean any = FALSE;

  if (gaio_future_is_done (future))
    return FALSE;

  for (guint i = 0; i < gather->children->len; i++)
    any |= gaio_future_cancel (g_ptr_array_index (gather->children, i), message);

  if (any)
    gather->cancel_requested = TRUE;

  return any;
}

/* The cancellation error of @child, or a new one when @child was not
 * cancelled: asyncio's _make_cancelled_error(). */
static GError *
cancelled_error (GaioFuture *child)
{
  GError *error = NULL;

  if (gaio_future_is_cancelled (child))
    {
      gaio_future_get_result (child, NULL, &error);
      return error;
    }

  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Future was cancelled");
}

static void
gather_finish (Gather     *gather,
               GaioFuture *last)
{
  GaioFuture *outer = GAIO_FUTURE (gather);
  GValue value = G_VALUE_INIT;

  /* With return_exceptions the errors are in the children, read by the
   * caller: they count as retrieved. */
  for (guint i = 0; i < gather->children->len; i++)
    {
      GaioFuture *done = g_ptr_array_index (gather->children, i);

      if (gaio_future_get_state (done) == GAIO_FUTURE_FINISHED)
        gaio_future_get_error (done, NULL);
    }

  if (gather->cancel_requested)
    {
      gaio_future_take_error (outer, cancelled_error (last), NULL);
      return;
    }

  g_value_init (&value, G_TYPE_PTR_ARRAY);
  g_value_set_boxed (&value, gather->children);
  gaio_future_take_result (outer, &value, NULL);
}

/* asyncio's gather.<locals>._done_callback. */
static void
gather_child_done (GaioFuture *child,
                   gpointer    user_data)
{
  Gather *gather = user_data;
  GaioFuture *outer = GAIO_FUTURE (gather);

  gather->n_done++;

  if (gaio_future_is_done (outer))
    {
      /* asyncio marks the error retrieved: the gather reported the
       * first one already, or was cancelled. */
      if (!gaio_future_is_cancelled (child))
        gaio_future_get_error (child, NULL);
      return;
    }

  if (!gather->return_exceptions)
    {
      /* The gather fails with the first error, a cancellation included
       * (as an error: the gather itself is not cancelled); the other
       * children go on (asyncio). */
      if (gaio_future_is_cancelled (child))
        {
          gaio_future_take_error (outer, cancelled_error (child), NULL);
          return;
        }
      if (gaio_future_get_error (child, NULL) != NULL)
        {
          gaio_future_set_error (outer, gaio_future_get_error (child, NULL), NULL);
          return;
        }
    }

  if (gather->n_done == gather->children->len)
    gather_finish (gather, child);
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
 * Cancelling the gather cancels every future not done yet, and returns
 * %TRUE if any of them was. The gather itself stays pending until they
 * have reported: it then fails with %G_IO_ERROR_CANCELLED (a failure, not
 * a cancelled state, as in asyncio), unless a child ends cancelled first
 * without @return_exceptions, which fails it with that cancellation
 * then. A child that handles its cancellation and returns is done by the
 * time the gather is.
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

  gather = g_new0 (Gather, 1);
  _gaio_future_init (GAIO_FUTURE (gather), &gather_class, loop);
  gather->children = g_ptr_array_new_full (n_futures, (GDestroyNotify) gaio_future_unref);
  gather->return_exceptions = return_exceptions;
  for (guint i = 0; i < n_futures; i++)
    g_ptr_array_add (gather->children, gaio_future_ref (futures[i]));

  if (n_futures == 0)
    {
      gather_finish (gather, NULL);
      return GAIO_FUTURE (gather);
    }

  GAIO_DEBUG_NAME (gather_child_done, "gather.<locals>._done_callback");
  for (guint i = 0; i < n_futures; i++)
    gaio_future_add_done_callback (futures[i], gather_child_done,
                                   gaio_future_ref (GAIO_FUTURE (gather)),
                                   (GDestroyNotify) gaio_future_unref);

  return GAIO_FUTURE (gather);
}

/* ------------------------------------------------------------------ */
/* wait_for                                                           */

/* asyncio 3.11's wait_for(), as a future of its own kind: the inner
 * future's outcome, unless the deadline passes first; then the inner one
 * is cancelled and, once it is done, the outer fails with
 * G_IO_ERROR_TIMED_OUT, unless the inner one finished anyway: the
 * cancellation the deadline caused becomes the timeout error, while any
 * other cancellation stays one. With no timeout there is no future of
 * this kind: gaio_wait_for() returns the inner one (3.11's `await fut`).
 *
 * Cancelling the outer cancels the inner one and waits for it to be done
 * before the outer is cancelled (3.11's _cancel_and_wait(), CN-03): a
 * task awaiting wait_for() does not resume while the inner work still
 * runs. If the inner one was done already, its outcome wins (3.11).
 *
 * The hops are 3.11's: its timer only releases the waiter, and the
 * inner future is cancelled by the task awaiting wait_for() when it
 * resumes, one iteration later, unless it is done by then, its outcome
 * returned. So the deadline schedules wait_for_timed_out() for that
 * iteration (@expiring meanwhile), which does either; its outcome reaches
 * the awaiting task in that very step (held callbacks), as 3.11 returns
 * it there. A cancel meanwhile is left to that step too, as 3.11's task
 * only sees it when it resumes. */
typedef struct
{
  GaioFuture  parent;         /* first: the outer future */
  GaioFuture *inner;          /* (owned) */
  GaioHandle *timer;          /* (owned) (nullable) */
  gboolean    expiring;       /* the deadline passed: wait_for_timed_out() is scheduled */
  gboolean    expired;        /* the deadline cancelled @inner */
  gboolean    cancel_requested;
  char       *cancel_message; /* (owned) (nullable) */
} WaitFor;

static gboolean wait_for_cancel   (GaioFuture *future,
                                   const char *message);
static void     wait_for_finalize (GaioFuture *future);

static const GaioFutureClass wait_for_class = {
  .kind = "Future",
  .cancel = wait_for_cancel,
  .finalize = wait_for_finalize,
};

static void
wait_for_finalize (GaioFuture *future)
{
  WaitFor *wait_for = (WaitFor *) future;

  gaio_future_unref (wait_for->inner);
  g_clear_pointer (&wait_for->timer, gaio_handle_unref);
  g_free (wait_for->cancel_message);
}

static void
wait_for_stop_timer (WaitFor *wait_for)
{
  if (wait_for->timer != NULL)
    {
      gaio_handle_cancel (wait_for->timer);
      g_clear_pointer (&wait_for->timer, gaio_handle_unref);
    }
}

/* asyncio's _release_waiter, on the inner future. */
static void
wait_for_inner_done (GaioFuture *inner,
                     gpointer    user_data)
{
  WaitFor *wait_for = user_data;
  GaioFuture *outer = GAIO_FUTURE (wait_for);

  wait_for_stop_timer (wait_for);

  /* wait_for_timed_out() reads the outcome, in the step where 3.11's
   * task checks `fut.done()`. */
  if (wait_for->expiring)
    return;

  if (gaio_future_is_done (outer))
    {
      if (gaio_future_get_state (inner) == GAIO_FUTURE_FINISHED)
        gaio_future_get_error (inner, NULL);
      return;
    }

  /* Cancelled from outside: the inner one is done now, whatever it did
   * with its cancellation; the outer one is cancelled (3.11 re-raises). */
  if (wait_for->cancel_requested)
    {
      _gaio_future_mark_retrieved (inner);
      _gaio_future_real_cancel (outer, wait_for->cancel_message);
      return;
    }

  /* Cancelled by the deadline: that is the timeout's error. A result
   * that won the race against the cancel is kept (asyncio 3.11). */
  if (wait_for->expired && gaio_future_is_cancelled (inner))
    {
      gaio_future_take_error (outer,
                              g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                   "Timeout expired"),
                              NULL);
      return;
    }

  copy_outcome (inner, outer);
}

/* Where 3.11's task awaiting wait_for() resumes after the deadline
 * released its waiter. */
static gboolean
wait_for_timed_out (gpointer   user_data,
                    GError   **error)
{
  WaitFor *wait_for = user_data;
  GaioFuture *outer = GAIO_FUTURE (wait_for);

  wait_for->expiring = FALSE;
  if (gaio_future_is_done (outer))
    return TRUE;

  /* `if fut.done(): return fut.result()`, whether the task resumed
   * normally or cancelled. */
  if (gaio_future_is_done (wait_for->inner))
    {
      _gaio_future_hold_callbacks (outer);
      copy_outcome (wait_for->inner, outer);
      _gaio_future_run_held_callbacks (outer);
      return TRUE;
    }

  /* _cancel_and_wait(): wait_for_inner_done() finishes the outer future
   * once the inner one is done, cancelled (cancel_requested) or timed
   * out (expired). */
  if (!wait_for->cancel_requested)
    wait_for->expired = TRUE;
  gaio_future_cancel (wait_for->inner, NULL);

  return TRUE;
}

static gboolean
wait_for_expire (gpointer   user_data,
                 GError   **error)
{
  WaitFor *wait_for = user_data;
  GaioFuture *outer = GAIO_FUTURE (wait_for);

  g_clear_pointer (&wait_for->timer, gaio_handle_unref);
  wait_for->expiring = TRUE;
  GAIO_DEBUG_NAME (wait_for_timed_out, "wait_for.<locals>.resume");
  if (!_gaio_loop_schedule (gaio_future_get_loop (outer), wait_for_timed_out,
                            gaio_future_ref (outer), (GDestroyNotify) gaio_future_unref,
                            "wait_for.<locals>.resume", NULL))
    wait_for_timed_out (wait_for, NULL);

  return TRUE;
}

static gboolean
wait_for_cancel (GaioFuture *future,
                 const char *message)
{
  WaitFor *wait_for = (WaitFor *) future;

  if (gaio_future_is_done (future))
    return FALSE;

  /* The inner one is done and its outcome on its way: 3.11 returns it
   * rather than the cancellation. */
  if (gaio_future_is_done (wait_for->inner) && !wait_for->cancel_requested && !wait_for->expired)
    {
      copy_outcome (wait_for->inner, future);
      return TRUE;
    }

  /* The deadline passed: wait_for_timed_out() takes the request into
   * account, where 3.11's task sees it. */
  if (wait_for->expiring)
    {
      if (!wait_for->cancel_requested)
        {
          wait_for->cancel_requested = TRUE;
          wait_for->cancel_message = g_strdup (message);
        }
      return TRUE;
    }

  /* Already waiting for the inner one to go (cancelled again, or
   * cancelled while the deadline's cancellation runs): 3.11 stops
   * waiting at once. */
  if (wait_for->cancel_requested || wait_for->expired)
    {
      _gaio_future_real_cancel (future, message);
      return TRUE;
    }

  wait_for->cancel_requested = TRUE;
  wait_for->cancel_message = g_strdup (message);
  wait_for_stop_timer (wait_for);
  gaio_future_cancel (wait_for->inner, NULL);

  return TRUE;
}

/**
 * gaio_wait_for:
 * @future: the future to wait for
 * @timeout: seconds, or %GAIO_NO_TIMEOUT (any negative value)
 *
 * asyncio's `wait_for(future, timeout)`: a future that gets @future's
 * outcome, unless @timeout seconds pass first. Then @future is cancelled
 * and, once it is done, the returned future fails with
 * %G_IO_ERROR_TIMED_OUT (or gets @future's outcome, if @future finished
 * all the same). With a @timeout of 0 a pending @future times out at
 * once.
 *
 * Cancelling the returned future cancels @future and waits for it to be
 * done before the returned future is cancelled, so that a task awaiting
 * it resumes only once @future's work has stopped (asyncio 3.11). If
 * @future was done already, its outcome is kept instead.
 *
 * With no timeout (%GAIO_NO_TIMEOUT) the returned future is @future
 * itself, a new reference, as asyncio 3.11's `wait_for(future, None)` is
 * `await future`: a task awaiting it resumes when it would for @future,
 * and cancelling it cancels @future, which may decline.
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
  WaitFor *wait_for;

  g_return_val_if_fail (future != NULL, NULL);

  /* 3.11's wait_for() returns `await fut` when there is no timeout. A
   * future of our own kind in between would resume the awaiting task one
   * iteration late (the hop of _release_waiter), and end it cancelled
   * where @future swallowed the cancellation and returned a value. */
  if (timeout < 0)
    return gaio_future_ref (future);

  loop = gaio_future_get_loop (future);
  wait_for = g_new0 (WaitFor, 1);
  _gaio_future_init (GAIO_FUTURE (wait_for), &wait_for_class, loop);
  wait_for->inner = gaio_future_ref (future);

  if (gaio_future_is_done (future))
    {
      copy_outcome (future, GAIO_FUTURE (wait_for));
      return GAIO_FUTURE (wait_for);
    }

  GAIO_DEBUG_NAME (wait_for_inner_done, "_release_waiter");
  GAIO_DEBUG_NAME (wait_for_expire, "wait_for.<locals>._on_timeout");
  if (timeout == 0)
    {
      wait_for->expired = TRUE;
      gaio_future_cancel (future, NULL);
    }
  else if (timeout > 0)
    {
      GaioHandle *timer = gaio_loop_call_later (loop, timeout, wait_for_expire,
                                                gaio_future_ref (GAIO_FUTURE (wait_for)),
                                                (GDestroyNotify) gaio_future_unref, NULL);

      if (timer != NULL)
        wait_for->timer = gaio_handle_ref (timer);
    }

  gaio_future_add_done_callback (future, wait_for_inner_done,
                                 gaio_future_ref (GAIO_FUTURE (wait_for)),
                                 (GDestroyNotify) gaio_future_unref);

  return GAIO_FUTURE (wait_for);
}

/* ------------------------------------------------------------------ */
/* wait                                                               */

/* asyncio 3.11's _wait(): a done callback on every future counts them
 * down; once the mode is satisfied (or the timeout passes) the waiter is
 * released, and the awaiting task, woken one iteration later, lists the
 * futures done *then*. Here the outer future stands for both the waiter
 * and the task's view: when released it holds its done callbacks back and
 * schedules wait_finish(), which, in the iteration where asyncio's task
 * would wake, lists the futures done, completes the outer future and runs
 * its callbacks there (so a task awaiting it resumes at that very place).
 * Futures done before the call count through their callbacks too, as in
 * asyncio, which has no shortcut for them. */
typedef struct
{
  GaioFuture    parent;      /* first: the outer future */
  GPtrArray    *children;    /* (owned) (element-type GaioFuture) */
  GaioHandle   *timer;       /* (owned) (nullable) */
  GaioWaitMode  mode;
  guint         counter;     /* children whose callback has not run yet */
  gboolean      released;    /* asyncio's waiter is done: wait_finish() is scheduled */
  gboolean      listening;   /* the children's callbacks are in place */
} Wait;

static gboolean wait_cancel   (GaioFuture *future,
                               const char *message);
static void     wait_finalize (GaioFuture *future);

static const GaioFutureClass wait_class = {
  .kind = "Future",
  .cancel = wait_cancel,
  .finalize = wait_finalize,
};

static void wait_child_done (GaioFuture *child,
                             gpointer    user_data);

static void
wait_finalize (GaioFuture *future)
{
  Wait *wait = (Wait *) future;

  g_ptr_array_unref (wait->children);
  g_clear_pointer (&wait->timer, gaio_handle_unref);
}

static void
wait_stop_timer (Wait *wait)
{
  if (wait->timer != NULL)
    {
      gaio_handle_cancel (wait->timer);
      g_clear_pointer (&wait->timer, gaio_handle_unref);
    }
}

/* asyncio's `finally:` of _wait(): the timer and the callbacks go, so
 * that the futures still pending no longer hold the wait. */
static void
wait_stop_listening (Wait *wait)
{
  wait_stop_timer (wait);
  if (!wait->listening)
    return;

  /* Held while the callbacks' references go. */
  gaio_future_ref (GAIO_FUTURE (wait));
  wait->listening = FALSE;
  for (guint i = 0; i < wait->children->len; i++)
    gaio_future_remove_done_callback (g_ptr_array_index (wait->children, i), wait_child_done, wait);
  gaio_future_unref (GAIO_FUTURE (wait));
}

/* Where asyncio's task wakes up after the waiter was released: the result
 * is what is done now. */
static gboolean
wait_finish (gpointer   user_data,
             GError   **error)
{
  Wait *wait = user_data;
  GaioFuture *outer = GAIO_FUTURE (wait);

  wait_stop_listening (wait);
  if (!gaio_future_is_done (outer))
    {
      GPtrArray *done = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
      GValue value = G_VALUE_INIT;

      for (guint i = 0; i < wait->children->len; i++)
        if (gaio_future_is_done (g_ptr_array_index (wait->children, i)))
          g_ptr_array_add (done, gaio_future_ref (g_ptr_array_index (wait->children, i)));

      g_value_init (&value, G_TYPE_PTR_ARRAY);
      g_value_take_boxed (&value, done);
      gaio_future_take_result (outer, &value, NULL);
    }
  _gaio_future_run_held_callbacks (outer);

  return TRUE;
}

/* asyncio's waiter.set_result(None) in _on_completion or on timeout. */
static void
wait_release (Wait *wait)
{
  GaioFuture *outer = GAIO_FUTURE (wait);

  wait_stop_timer (wait);
  if (wait->released || gaio_future_is_done (outer))
    return;

  wait->released = TRUE;
  _gaio_future_hold_callbacks (outer);
  GAIO_DEBUG_NAME (wait_finish, "wait.<locals>.resume");
  if (!_gaio_loop_schedule (gaio_future_get_loop (outer), wait_finish, gaio_future_ref (outer),
                            (GDestroyNotify) gaio_future_unref, "_wait.<locals>.resume", NULL))
    {
      /* The loop closed: nothing will run; let go of the callbacks. */
      wait_stop_listening (wait);
      _gaio_future_real_cancel (outer, NULL);
      _gaio_future_run_held_callbacks (outer);
    }
}

/* asyncio's _wait.<locals>._on_completion. */
static void
wait_child_done (GaioFuture *child,
                 gpointer    user_data)
{
  Wait *wait = user_data;

  wait->counter--;
  if (wait->counter == 0 || wait->mode == GAIO_WAIT_FIRST_COMPLETED ||
      (wait->mode == GAIO_WAIT_FIRST_EXCEPTION &&
       gaio_future_get_state (child) == GAIO_FUTURE_FINISHED &&
       gaio_future_get_error (child, NULL) != NULL))
    wait_release (wait);
}

static gboolean
wait_timeout (gpointer   user_data,
              GError   **error)
{
  Wait *wait = user_data;

  g_clear_pointer (&wait->timer, gaio_handle_unref);
  wait_release (wait);
  return TRUE;
}

/* Cancelling the awaiting task cancels asyncio's waiter if it is still
 * pending; once released, cancel() is FALSE and the task's own
 * cancellation takes over when it wakes. The futures go on either way. */
static gboolean
wait_cancel (GaioFuture *future,
             const char *message)
{
  Wait *wait = (Wait *) future;

  if (gaio_future_is_done (future) || wait->released)
    return FALSE;

  wait_stop_listening (wait);
  return _gaio_future_real_cancel (future, message);
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
 * As in asyncio, the futures done are listed one iteration after the
 * condition was met, where a task awaiting the wait resumes: a future
 * that finished meanwhile is listed too. Futures already done when this
 * is called are counted the same way, through their callbacks.
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

  wait = g_new0 (Wait, 1);
  _gaio_future_init (GAIO_FUTURE (wait), &wait_class, loop);
  wait->children = g_ptr_array_new_full (n_futures, (GDestroyNotify) gaio_future_unref);
  wait->mode = return_when;
  wait->counter = n_futures;
  wait->listening = TRUE;

  GAIO_DEBUG_NAME (wait_child_done, "_wait.<locals>._on_completion");
  GAIO_DEBUG_NAME (wait_timeout, "_release_waiter");
  if (timeout >= 0)
    {
      GaioHandle *timer = gaio_loop_call_later (loop, timeout, wait_timeout,
                                                gaio_future_ref (GAIO_FUTURE (wait)),
                                                (GDestroyNotify) gaio_future_unref, NULL);

      if (timer != NULL)
        wait->timer = gaio_handle_ref (timer);
    }

  /* Each callback holds the wait: one may already be scheduled when the
   * others are removed. Removing them (wait_stop_listening()) lets go of
   * the rest, so pending futures do not keep a finished wait alive. */
  for (guint i = 0; i < n_futures; i++)
    {
      g_ptr_array_add (wait->children, gaio_future_ref (futures[i]));
      gaio_future_add_done_callback (futures[i], wait_child_done, gaio_future_ref (GAIO_FUTURE (wait)),
                                     (GDestroyNotify) gaio_future_unref);
    }

  return GAIO_FUTURE (wait);
}

/* ------------------------------------------------------------------ */
/* shield                                                             */

/* asyncio's shield.<locals>._inner_done_callback. */
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

  /* A cancelled inner future cancels the outer one, without its message
   * (asyncio calls outer.cancel()). */
  if (gaio_future_is_cancelled (inner))
    {
      _gaio_future_mark_retrieved (inner);
      gaio_future_cancel (outer, NULL);
      return;
    }

  copy_outcome (inner, outer);
}

/* asyncio's shield.<locals>._outer_done_callback: the outer future done
 * first (cancelled) lets go of the inner one, so that the work it
 * shields keeps no reference on a shield nobody awaits. */
static void
shield_outer_done (GaioFuture *outer,
                   gpointer    user_data)
{
  GaioFuture *inner = user_data;

  if (!gaio_future_is_done (inner))
    gaio_future_remove_done_callback (inner, shield_inner_done, outer);
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
  GAIO_DEBUG_NAME (shield_inner_done, "shield.<locals>._inner_done_callback");
  GAIO_DEBUG_NAME (shield_outer_done, "shield.<locals>._outer_done_callback");
  gaio_future_add_done_callback (future, shield_inner_done, gaio_future_ref (outer),
                                 (GDestroyNotify) gaio_future_unref);
  gaio_future_add_done_callback (outer, shield_outer_done, gaio_future_ref (future),
                                 (GDestroyNotify) gaio_future_unref);

  return outer;
}
