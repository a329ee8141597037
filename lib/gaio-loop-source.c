/* gaio-loop-source.c: the one GSource that runs a GaioLoop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Every loop attaches exactly one of these to its GMainContext. It holds
 * the three queues of the loop:
 *
 *  - the ready FIFO (call_soon, done callbacks), an intrusive list;
 *  - the timer heap (call_later, call_at), whose earliest deadline is the
 *    poll timeout reported by prepare(), so no GSource exists per timer
 *    and no g_source_set_ready_time() call is made per change;
 *  - the inbox (call_soon_threadsafe), woken through one descriptor.
 *
 * An asyncio iteration (BaseEventLoop._run_once) takes what other
 * threads posted, moves the due timers behind the callbacks already
 * ready, then runs exactly the callbacks that were ready at that point.
 * What they schedule runs in the next iteration.
 *
 * One dispatch runs such iterations back to back while callbacks keep
 * becoming ready, up to MAX_ITERATIONS_PER_DISPATCH of them or
 * DISPATCH_BUDGET_US of time, and returns to the GMainContext at once
 * when stop() is called. Only then are descriptors polled and the
 * context's other sources dispatched: asyncio polls between every two
 * iterations, which would cost a poll() system call each time a task
 * hands a value to another (two thirds of such a hand-off). Ordering is
 * asyncio's; what waits is I/O readiness and other sources, for at most
 * the budget.
 *
 * Because it is an ordinary source, whoever drives the context (our own
 * run_forever, g_main_loop_run, GApplication, GTK) runs the loop.
 */

#include "config.h"

#include "gaio-inbox-private.h"
#include "gaio-loop-private.h"
#include "gaio-loop-source-private.h"
#include "gaio-timer-heap-private.h"

/* asyncio's _MIN_SCHEDULED_TIMER_HANDLES: below this many timers the heap
 * is never rebuilt, cancelled ones are dropped as they reach the top. */
#define MIN_TIMERS_TO_PRUNE 100

/* See the top of the file: how long one dispatch may keep the context. */
#define MAX_ITERATIONS_PER_DISPATCH 256
#define DISPATCH_BUDGET_US          500

typedef struct
{
  GSource        parent;

  GaioLoop      *loop;               /* (unowned) the loop owns the source */

  /* Loop thread only. */
  GaioHandle    *ready_head;         /* (owned) linked through ->next */
  GaioHandle    *ready_tail;
  guint          n_ready;
  GaioTimerHeap  timers;
  guint64        next_timer_seq;
  guint64        n_iterations;
  gboolean       closed;
  gboolean       dispatching;        /* see gaio_loop_source_new() */

  /* Any thread. */
  gint           n_cancelled_timers; /* (atomic) cancels since the last prune */
  GaioInbox      inbox;
  gpointer       inbox_tag;
} GaioLoopSource;

static void
ready_append (GaioLoopSource *self,
              GaioHandle     *list)
{
  while (list != NULL)
    {
      GaioHandle *next = list->next;

      list->next = NULL;
      if (self->ready_tail != NULL)
        self->ready_tail->next = list;
      else
        self->ready_head = list;
      self->ready_tail = list;
      self->n_ready++;
      list = next;
    }
}

static GaioHandle *
ready_pop (GaioLoopSource *self)
{
  GaioHandle *handle = self->ready_head;

  self->ready_head = handle->next;
  if (self->ready_head == NULL)
    self->ready_tail = NULL;
  handle->next = NULL;
  self->n_ready--;

  return handle;
}

static void
collect_inbox (GaioLoopSource *self)
{
  ready_append (self, _gaio_inbox_steal (&self->inbox));
}

static void
drop_timer (GaioHandle *handle,
            gpointer    user_data)
{
  _gaio_handle_discard (handle);
  gaio_handle_unref (handle);
}

/* Drops the cancelled timers at the top of the heap, and rebuilds the
 * heap when most of it is cancelled (asyncio's rule: more than
 * MIN_TIMERS_TO_PRUNE timers, more than half of them cancelled), so
 * that neither the poll timeout nor memory is taken by dead timers. */
static void
prune_timers (GaioLoopSource *self)
{
  GaioHandle *top;
  guint n_cancelled = g_atomic_int_get (&self->n_cancelled_timers);

  if (self->timers.len > MIN_TIMERS_TO_PRUNE && n_cancelled * 2 > self->timers.len)
    {
      g_atomic_int_set (&self->n_cancelled_timers, 0);
      _gaio_timer_heap_prune (&self->timers, drop_timer, NULL);
    }

  while ((top = _gaio_timer_heap_peek (&self->timers)) != NULL &&
         !_gaio_handle_is_pending (top))
    drop_timer (_gaio_timer_heap_pop (&self->timers), NULL);
}

static void
collect_due_timers (GaioLoopSource *self,
                    gint64          now)
{
  GaioHandle *top;

  prune_timers (self);

  while ((top = _gaio_timer_heap_peek (&self->timers)) != NULL && top->when <= now)
    {
      _gaio_timer_heap_pop (&self->timers);
      if (_gaio_handle_is_pending (top))
        ready_append (self, top);
      else
        drop_timer (top, NULL);
    }
}

static gboolean
has_work (GaioLoopSource *self)
{
  return self->n_ready > 0 ||
         !_gaio_inbox_is_empty (&self->inbox) ||
         _gaio_loop_wants_iteration (self->loop);
}

static gboolean
gaio_loop_source_prepare (GSource *source,
                          gint    *timeout)
{
  GaioLoopSource *self = (GaioLoopSource *) source;
  GaioHandle *top;
  gint64 now, wait_us;

  /* A callback iterating the context: not re-entered (see
   * _gaio_loop_source_new()). */
  if (self->dispatching)
    {
      *timeout = -1;
      return FALSE;
    }

  if (has_work (self))
    {
      *timeout = 0;
      return TRUE;
    }

  prune_timers (self);
  top = _gaio_timer_heap_peek (&self->timers);
  if (top == NULL)
    {
      *timeout = -1;
      return FALSE;
    }

  now = g_source_get_time (source);
  if (top->when <= now)
    {
      *timeout = 0;
      return TRUE;
    }

  /* Round up to whole milliseconds: rounding down would wake the
   * context early and spin until the deadline (LS-09). */
  wait_us = top->when - now;
  *timeout = (gint) MIN ((wait_us + 999) / 1000, G_MAXINT);

  return FALSE;
}

static gboolean
gaio_loop_source_check (GSource *source)
{
  GaioLoopSource *self = (GaioLoopSource *) source;
  GaioHandle *top;

  if (self->dispatching)
    return FALSE;

  if (has_work (self))
    return TRUE;

  if (g_source_query_unix_fd (source, self->inbox_tag) & G_IO_IN)
    return TRUE;

  top = _gaio_timer_heap_peek (&self->timers);
  return top != NULL && top->when <= g_source_get_time (source);
}

static gboolean
gaio_loop_source_dispatch (GSource     *source,
                           GSourceFunc  callback,
                           gpointer     user_data)
{
  GaioLoopSource *self = (GaioLoopSource *) source;
  g_autoptr(GaioLoop) loop = g_object_ref (self->loop);
  GaioLoop *previous;
  gint64 now = g_get_monotonic_time ();
  gint64 deadline = now + DISPATCH_BUDGET_US;
  gboolean go_on = TRUE;

  if (self->dispatching)
    return G_SOURCE_CONTINUE;
  self->dispatching = TRUE;

  if (g_source_query_unix_fd (source, self->inbox_tag) & G_IO_IN)
    _gaio_inbox_acknowledge (&self->inbox);

  previous = _gaio_loop_dispatch_begin (loop);

  for (guint iteration = 0; go_on; iteration++)
    {
      guint n_todo;

      self->n_iterations++;
      collect_inbox (self);
      collect_due_timers (self, now);

      /* Only what is ready now: callbacks scheduled by these run in the
       * next iteration (asyncio's ntodo). The loop may be closed by one
       * of them, which empties the queue. */
      n_todo = self->n_ready;
      while (n_todo-- > 0 && self->n_ready > 0)
        {
          GaioHandle *handle = ready_pop (self);

          go_on = _gaio_loop_run_handle (loop, handle);
          gaio_handle_unref (handle);
          if (!go_on)
            break;
        }

      if (self->n_ready == 0 || self->closed || _gaio_loop_is_stopping (loop) ||
          iteration + 1 >= MAX_ITERATIONS_PER_DISPATCH)
        break;
      now = g_get_monotonic_time ();
      if (now >= deadline)
        break;
    }

  _gaio_loop_dispatch_end (loop, previous);
  self->dispatching = FALSE;

  return G_SOURCE_CONTINUE;
}

static void
gaio_loop_source_finalize (GSource *source)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  /* The loop closes the source before dropping it; timers in the heap
   * hold references on the source, so reaching here means it is empty. */
  g_assert (self->ready_head == NULL);
  g_assert (self->timers.len == 0);

  _gaio_inbox_clear (&self->inbox);
  g_free (self->timers.items);
}

static GSourceFuncs gaio_loop_source_funcs = {
  .prepare = gaio_loop_source_prepare,
  .check = gaio_loop_source_check,
  .dispatch = gaio_loop_source_dispatch,
  .finalize = gaio_loop_source_finalize,
};

GSource *
_gaio_loop_source_new (GaioLoop  *loop,
                       GError   **error)
{
  GaioLoopSource *self;
  GaioInbox inbox;

  if (!_gaio_inbox_init (&inbox, error))
    return NULL;

  self = (GaioLoopSource *) g_source_new (&gaio_loop_source_funcs, sizeof (GaioLoopSource));
  self->loop = loop;
  self->inbox = inbox;
  _gaio_timer_heap_init (&self->timers);
  self->inbox_tag = g_source_add_unix_fd ((GSource *) self, inbox.read_fd, G_IO_IN);
  g_source_set_static_name ((GSource *) self, "GaioLoop");

  /* GLib blocks a source that cannot recurse for the time of its
   * dispatch by taking its descriptor out of the poll set and putting it
   * back after, and each change wakes the context up through its eventfd:
   * two write()s and a read() per iteration, about half the cost of an
   * iteration that runs one callback. Declared recursive, the source is
   * never blocked; it refuses re-entry itself (`dispatching`), which
   * callbacks that iterate the context would otherwise cause. */
  g_source_set_can_recurse ((GSource *) self, TRUE);

  return (GSource *) self;
}

/* Takes the caller's reference on @handle. Loop thread only. */
void
_gaio_loop_source_push_ready (GSource    *source,
                              GaioHandle *handle)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  /* What this thread posted with call_soon_threadsafe() before must run
   * first (LS-10): move it over now. One load when the inbox is empty. */
  if (G_UNLIKELY (!_gaio_inbox_is_empty (&self->inbox)))
    collect_inbox (self);

  handle->next = NULL;
  ready_append (self, handle);
}

/* Takes the caller's reference on @handle. Loop thread only. */
void
_gaio_loop_source_push_timer (GSource    *source,
                              GaioHandle *handle,
                              gint64      when)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  handle->when = when;
  handle->seq = self->next_timer_seq++;
  handle->timer_source = g_source_ref (source);
  _gaio_timer_heap_push (&self->timers, handle);
}

/* Takes the caller's reference on @handle when it returns TRUE. Any
 * thread. */
gboolean
_gaio_loop_source_push_threadsafe (GSource    *source,
                                   GaioHandle *handle)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  return _gaio_inbox_push (&self->inbox, handle);
}

void
_gaio_loop_source_timer_cancelled (GSource *source)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  g_atomic_int_inc (&self->n_cancelled_timers);
}

static void
discard_list (GaioHandle *list)
{
  while (list != NULL)
    {
      GaioHandle *next = list->next;

      list->next = NULL;
      _gaio_handle_discard (list);
      gaio_handle_unref (list);
      list = next;
    }
}

/* Drops every queued callback, running its destroy notify, and refuses
 * posts from then on. Loop thread only. Destroy notifies may schedule
 * more: the loop is marked closed first, so those are refused. */
void
_gaio_loop_source_close (GSource *source)
{
  GaioLoopSource *self = (GaioLoopSource *) source;
  GaioHandle *ready;

  if (self->closed)
    return;
  self->closed = TRUE;

  ready = g_steal_pointer (&self->ready_head);
  self->ready_tail = NULL;
  self->n_ready = 0;
  discard_list (ready);
  discard_list (_gaio_inbox_close (&self->inbox));
  _gaio_timer_heap_clear (&self->timers, drop_timer, NULL);
}

guint
_gaio_loop_source_get_n_timers (GSource *source)
{
  return ((GaioLoopSource *) source)->timers.len;
}

guint64
_gaio_loop_source_get_n_iterations (GSource *source)
{
  return ((GaioLoopSource *) source)->n_iterations;
}
