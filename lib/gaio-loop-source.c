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
 *  - the inbox (call_soon_threadsafe), woken through one descriptor;
 *  - the watched descriptors of add_reader()/add_writer(), one unix fd
 *    tag each on this same source (gaio-fd-watch.c), created on first use.
 *
 * One dispatch is one asyncio iteration (BaseEventLoop._run_once): take
 * what other threads posted, queue the callbacks of the descriptors
 * poll() found ready, move the due timers behind them, then run exactly
 * the callbacks that were ready at that point. What they schedule runs
 * in the next iteration.
 *
 * Because it is an ordinary source, whoever drives the context (our own
 * run_forever, g_main_loop_run, GApplication, GTK) runs the loop.
 */

#include "config.h"

#include "gaio-fd-watch-private.h"
#include "gaio-inbox-private.h"
#include "gaio-loop-private.h"
#include "gaio-loop-source-private.h"
#include "gaio-timer-heap-private.h"

/* asyncio's _MIN_SCHEDULED_TIMER_HANDLES: below this many timers the heap
 * is never rebuilt, cancelled ones are dropped as they reach the top. */
#define MIN_TIMERS_TO_PRUNE 100

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
  GaioFdWatches *fd_watches;         /* (owned) (nullable) until the first reader/writer */

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

  if (has_work (self))
    return TRUE;

  if (g_source_query_unix_fd (source, self->inbox_tag) & G_IO_IN)
    return TRUE;

  if (self->fd_watches != NULL && _gaio_fd_watches_check (self->fd_watches))
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
  guint n_todo;

  self->n_iterations++;

  if (g_source_query_unix_fd (source, self->inbox_tag) & G_IO_IN)
    _gaio_inbox_acknowledge (&self->inbox);
  collect_inbox (self);
  /* asyncio's _process_events(): descriptor callbacks go behind the
   * callbacks already ready and before the timers that became due. */
  if (self->fd_watches != NULL)
    ready_append (self, _gaio_fd_watches_collect (self->fd_watches));
  collect_due_timers (self, g_get_monotonic_time ());

  previous = _gaio_loop_dispatch_begin (loop);

  /* Only what is ready now: callbacks scheduled by these run in the next
   * iteration (asyncio's ntodo). The loop may be closed by one of them,
   * which empties the queue. */
  n_todo = self->n_ready;
  while (n_todo-- > 0 && self->n_ready > 0)
    {
      GaioHandle *handle = ready_pop (self);
      gboolean go_on = _gaio_loop_run_handle (loop, handle);

      gaio_handle_unref (handle);
      if (!go_on)
        break;
    }

  _gaio_loop_dispatch_end (loop, previous);

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
  g_assert (self->fd_watches == NULL);

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
  /* asyncio's close() forgets the registered descriptors (RW-07). */
  g_clear_pointer (&self->fd_watches, _gaio_fd_watches_free);
}

/* The watched descriptors, created on first use. Loop thread only, and
 * not once the source is closed. */
GaioFdWatches *
_gaio_loop_source_get_fd_watches (GSource *source)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  g_assert (!self->closed);

  if (self->fd_watches == NULL)
    self->fd_watches = _gaio_fd_watches_new (source, self->loop);

  return self->fd_watches;
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
