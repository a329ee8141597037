/* gaio-loop-source.c: the one GSource that runs a GaioLoop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Every loop attaches exactly one of these to its GMainContext. It holds
 * the loop's queues:
 *
 *  - the ready FIFO (call_soon, done callbacks), an intrusive list;
 *  - the timer heap (call_later, call_at), whose earliest deadline is the
 *    poll timeout reported by prepare(), so no GSource exists per timer
 *    and no g_source_set_ready_time() call is made per change;
 *  - the inbox (call_soon_threadsafe): posting into an empty inbox wakes
 *    the context with g_main_context_wakeup(), if the loop may be asleep;
 *  - the watched descriptors of add_reader()/add_writer(), one unix fd
 *    tag each on this same source (gaio-fd-watch.c), created on first use.
 *
 * The source is declared recursive: GLib blocks a source that is not for
 * the time of its dispatch by taking its descriptors out of the poll set
 * and putting them back, and each change wakes the context through its
 * eventfd. The source refuses re-entry itself (`dispatching`): a callback
 * that iterates the context does not run the loop's callbacks nested,
 * asyncio never nests iterations. Posts from other threads wake the
 * context through its own wake-up, no descriptor of ours.
 *
 * An asyncio iteration (BaseEventLoop._run_once) takes what other
 * threads posted, moves the due timers behind the callbacks already
 * ready, then runs exactly the callbacks that were ready at that point.
 * What they schedule runs in the next iteration.
 *
 * One dispatch runs such iterations back to back while callbacks keep
 * becoming ready, up to MAX_ITERATIONS_PER_DISPATCH of them or
 * DISPATCH_BUDGET_US of time, and returns to the GMainContext at once
 * when stop() is called. Only then are the context's other sources
 * dispatched. asyncio polls its descriptors at the start of every
 * iteration; so does the source, between two iterations of a dispatch,
 * but only while the loop watches descriptors (readers, writers, the
 * signal self-pipe): then one poll(2) without waiting
 * (_gaio_fd_watches_poll()) puts the ready ones behind the callbacks
 * already ready, as asyncio's _process_events() does, and a reader runs
 * in the iteration after its descriptor became readable. That poll is
 * what an iteration costs with watches: on a loaded 2-core VM, a chain
 * of call_soon() callbacks took 2.4 to 3.7 us a callback with one idle
 * reader against 50 to 80 ns without (asyncio's took 4 to 7 us either
 * way, as its selector is always polled). Without watches nothing is
 * polled, since that would cost a system call each time a task hands a
 * value to another (two thirds of such a hand-off). What
 * waits for the end of a dispatch is the context's other sources (and
 * GLib's signal sources, see gaio-signal.c), for at most the budget.
 *
 * Because it is an ordinary source, whoever drives the context (our own
 * run_forever, g_main_loop_run, GApplication, GTK) runs the loop.
 *
 * Fairness. GLib dispatches only the highest priority that is ready, and
 * this source is ready whenever a callback is: a task that loops on
 * gaio_sleep (0), a long call_soon() chain or a stream of executor
 * results would keep every source of a lower priority waiting (GTK's
 * layout and redraw at GDK_PRIORITY_REDRAW, idles), and a GTK window
 * would freeze. So once the loop has kept the context busy for
 * FAIR_SHARE_US (dispatches that each ended with callbacks still ready,
 * back to back), it lets one iteration of the context pass without it:
 * prepare() and check() say "not ready" once, the context polls without
 * waiting and dispatches whatever else is ready, at any priority, then
 * the loop carries on where it stopped. The order of the loop's own
 * callbacks is untouched; what it costs is one iteration of the context
 * per FAIR_SHARE_US of uninterrupted work.
 *
 * The source sits below the loop: what it needs of the loop (become the
 * running loop, run a callback, ask whether to stop, report an error)
 * the loop hands it at creation as a table of functions
 * (GaioLoopSourceHooks), so this file includes nothing of gaio-loop.c.
 */

#include "config.h"

#include "gaio-fd-watch-private.h"
#include "gaio-handle-slab-private.h"
#include "gaio-inbox-private.h"
#include "gaio-loop-source-private.h"
#include "gaio-timer-heap-private.h"
#include "gaio-tsan-private.h"

/* asyncio's _MIN_SCHEDULED_TIMER_HANDLES: below this many timers the heap
 * is never rebuilt, cancelled ones are dropped as they reach the top. */
#define MIN_TIMERS_TO_PRUNE 100

/* Handles run by the loop and referenced by nobody else are kept for the
 * next call_soon()/call_later() instead of going back to malloc: most
 * scheduling then allocates nothing. Not under AddressSanitizer, which
 * must see a handle used after its callback ran (a pointer kept without
 * a reference) as the use-after-free it is. */
#ifdef GAIO_HAVE_ASAN
# define MAX_CACHED_HANDLES 0
#else
# define MAX_CACHED_HANDLES 1024
#endif

/* How many references on the cancel count the source takes at once for
 * its bank (see GaioLoopSource). */
#define CANCEL_REFS_PER_REFILL 256

/* See the top of the file: how long one dispatch may keep the context. */
#define MAX_ITERATIONS_PER_DISPATCH 256
#define DISPATCH_BUDGET_US          500

/* See the top of the file: how long the loop keeps the context busy
 * before it lets one context iteration pass (a frame at 60 Hz is 16.7 ms:
 * a redraw waits at most this long behind the loop). */
#define FAIR_SHARE_US               2000

/* Between two iterations of one dispatch, the clock is read for the due
 * timers and for the budget. Without timers it serves the budget alone,
 * and is read after every CLOCK_EVERY_ITERATIONS iterations only: a read
 * costs a quarter of an iteration that runs one callback (a chain of
 * call_soon()s, a task handing values to another), and the budget is
 * overrun by at most that many iterations. */
#define CLOCK_EVERY_ITERATIONS      8

typedef struct
{
  GSource        parent;

  GaioLoop      *loop;               /* (unowned) the loop owns the source */
  const GaioLoopSourceHooks *hooks;  /* (unowned) static, the loop's */
  /* (unowned) woken by posts. The loop owns it, and whoever posts holds
   * the loop. Not owned here: GLib still locks the context after a
   * source's finalize, so the source must not drop the last reference. */
  GMainContext  *context;

  /* Loop thread only. */
  GaioHandle    *ready_head;         /* (owned) linked through ->next */
  GaioHandle    *ready_tail;
  guint          n_ready;
  GaioTimerHeap  timers;
  guint64        next_timer_seq;
  guint64        n_iterations;
  gboolean       closed;
  GaioHandle    *cached_handles;     /* (owned) linked through ->next */
  guint          n_cached_handles;
  GaioFdWatches *fd_watches;         /* (owned) (nullable) until the first reader/writer */
  gboolean       dispatching;        /* see gaio_loop_source_new() */
  /* Fairness (see the top of the file): when the current stretch of
   * busy dispatches began (0: the last dispatch left nothing ready), and
   * the context iteration to sit out (TRUE from the dispatch that used
   * up the share to the check() of the next iteration). */
  gint64         busy_since;
  gboolean       sitting_out;

  /* References on timer_cancels held for timers to come: each timer
   * needs one, taken from here, and gives it back here when the loop
   * drops the timer's last reference, so that neither costs an atomic
   * operation. A timer whose last reference goes elsewhere drops its
   * own. Released when the source is finalized. */
  guint          n_banked_cancel_refs;

  /* Any thread. */
  GaioTimerCancels *timer_cancels;   /* (owned) shared with the timers */
  gint           may_sleep;          /* (atomic) between prepare() and check() */

  /* Every post from another thread writes the inbox's head; the loop
   * thread writes the fields above at every iteration, and some at every
   * timer. A line of padding keeps the two apart (a GSource is aligned
   * to 16 bytes at most), so that a post does not have to take back a
   * line the loop thread wrote for reasons of its own. */
  guint8         pad[64];
  GaioInbox      inbox;
} GaioLoopSource;

/* Appends the list @head .. @tail of @n handles, in one step. */
static void
ready_splice (GaioLoopSource *self,
              GaioHandle     *head,
              GaioHandle     *tail,
              guint           n)
{
  if (head == NULL)
    return;

  tail->next = NULL;
  if (self->ready_tail != NULL)
    self->ready_tail->next = head;
  else
    self->ready_head = head;
  self->ready_tail = tail;
  self->n_ready += n;
}

static inline void
ready_append (GaioLoopSource *self,
              GaioHandle     *handle)
{
  ready_splice (self, handle, handle, 1);
}

static void
ready_append_list (GaioLoopSource *self,
                   GaioHandle     *list)
{
  while (list != NULL)
    {
      GaioHandle *next = list->next;

      ready_append (self, list);
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
  else
    __builtin_prefetch (self->ready_head);  /* loaded while this one runs */
  handle->next = NULL;
  self->n_ready--;

  return handle;
}

static void
collect_inbox (GaioLoopSource *self)
{
  GaioHandle *tail;
  guint n;
  GaioHandle *head;

  if (_gaio_inbox_is_empty (&self->inbox))
    return;

  head = _gaio_inbox_steal (&self->inbox, &tail, &n);
  ready_splice (self, head, tail, n);
}

/* Drops the loop's reference on a handle it is done with, keeping the
 * memory for the next handle when nobody else holds one. Nobody can take
 * a reference concurrently: a pointer the loop handed out without a
 * reference is valid only until the callback ran. So when the loop's
 * reference is the last, it is dropped without an atomic decrement. */
static void
release_handle (GaioLoopSource *self,
                GaioHandle     *handle)
{
  if (g_atomic_int_get (&handle->ref_count) != 1)
    {
      gaio_handle_unref (handle);
      return;
    }

  if (_gaio_handle_steal_timer (handle))
    self->n_banked_cancel_refs++;
  _gaio_handle_clear (handle);
  /* The cache never grows past its size (none at all under ASan). */
  if (self->n_cached_handles == MAX_CACHED_HANDLES)
    {
      _gaio_handle_free (handle);
      return;
    }

  handle->next = self->cached_handles;
  self->cached_handles = handle;
  self->n_cached_handles++;
}

static GaioHandle *
new_handle (GaioLoopSource *self,
            GaioCallback    callback,
            gpointer        user_data,
            GDestroyNotify  notify)
{
  GaioHandle *handle = self->cached_handles;

  if (handle == NULL)
    return _gaio_handle_new (callback, user_data, notify);

  self->cached_handles = handle->next;
  self->n_cached_handles--;
  _gaio_handle_init (handle, callback, user_data, notify);

  return handle;
}

static void
drop_timer (GaioHandle *handle,
            gpointer    user_data)
{
  GaioLoopSource *self = user_data;

  _gaio_handle_discard (handle);
  release_handle (self, handle);
}

/* Drops the cancelled timers at the top of the heap, and rebuilds the
 * heap when most of it is cancelled (asyncio's rule: more than
 * MIN_TIMERS_TO_PRUNE timers, more than half of them cancelled), so
 * that neither the poll timeout nor memory is taken by dead timers. */
static void
prune_timers (GaioLoopSource *self)
{
  const GaioTimerEntry *top;
  guint n_timers = _gaio_timer_heap_len (&self->timers);
  guint n_cancelled;

  /* Once per iteration: nothing to look at without timers. */
  if (n_timers == 0)
    return;

  n_cancelled = _gaio_timer_cancels_get (self->timer_cancels);
  if (n_timers > MIN_TIMERS_TO_PRUNE && n_cancelled * 2 > n_timers)
    {
      _gaio_timer_cancels_reset (self->timer_cancels);
      _gaio_timer_heap_prune (&self->timers, drop_timer, self);
    }

  while ((top = _gaio_timer_heap_peek (&self->timers)) != NULL &&
         !_gaio_handle_is_pending (top->handle))
    drop_timer (_gaio_timer_heap_pop (&self->timers), self);
}

static void
collect_due_timers (GaioLoopSource *self,
                    gint64          now)
{
  const GaioTimerEntry *top;

  /* Once per iteration: without timers, not even a look at the heap
   * (two calls, a tenth of an iteration that runs one callback). */
  if (_gaio_timer_heap_len (&self->timers) == 0)
    return;

  prune_timers (self);

  while ((top = _gaio_timer_heap_peek (&self->timers)) != NULL && top->when <= now)
    {
      GaioHandle *handle = _gaio_timer_heap_pop (&self->timers);

      /* With many timers, the handles fire in no order of memory and each
       * is a cache miss: start loading the next one now, so that its miss
       * overlaps with this one's and with the next pop. */
      top = _gaio_timer_heap_peek (&self->timers);
      if (top != NULL)
        __builtin_prefetch (top->handle);

      if (_gaio_handle_is_pending (handle))
        ready_append (self, handle);
      else
        drop_timer (handle, self);
    }
}

static gboolean
has_work (GaioLoopSource *self)
{
  return self->n_ready > 0 ||
         !_gaio_inbox_is_empty (&self->inbox) ||
         self->hooks->wants_iteration (self->loop);
}

static gboolean
gaio_loop_source_prepare (GSource *source,
                          gint    *timeout)
{
  GaioLoopSource *self = (GaioLoopSource *) source;
  const GaioTimerEntry *top;
  gint64 now, wait_us;

  /* A callback iterating the context: not re-entered (see
   * _gaio_loop_source_new()). */
  if (self->dispatching)
    {
      *timeout = -1;
      return FALSE;
    }

  /* This iteration belongs to the rest of the context: poll without
   * waiting, since work is ready. Not the one iteration a stopped
   * run_forever() makes, which is the loop's. */
  if (self->sitting_out && !self->hooks->wants_iteration (self->loop))
    {
      *timeout = 0;
      return FALSE;
    }
  self->sitting_out = FALSE;

  /* From here to check() the context may block in poll(). The flag is
   * set before the inbox is looked at, and a producer looks at the flag
   * after its push: with both accesses sequentially consistent, either
   * we see its handle here or it sees the flag and wakes the context. */
  g_atomic_int_set (&self->may_sleep, TRUE);

  if (has_work (self))
    {
      g_atomic_int_set (&self->may_sleep, FALSE);
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
  const GaioTimerEntry *top;

  g_atomic_int_set (&self->may_sleep, FALSE);

  if (self->dispatching)
    return FALSE;

  if (self->sitting_out)
    {
      self->sitting_out = FALSE;
      return FALSE;
    }

  if (has_work (self))
    return TRUE;

  if (self->fd_watches != NULL && _gaio_fd_watches_check (self->fd_watches))
    return TRUE;

  top = _gaio_timer_heap_peek (&self->timers);
  return top != NULL && top->when <= g_source_get_time (source);
}

/* After a dispatch: decides whether the next context iteration goes to
 * the other sources (see the top of the file). */
static void
take_fair_share (GaioLoopSource *self)
{
  gint64 now;

  if (self->n_ready == 0 && _gaio_inbox_is_empty (&self->inbox))
    {
      self->busy_since = 0;
      return;
    }

  now = g_get_monotonic_time ();
  if (self->busy_since == 0)
    self->busy_since = now;
  else if (now - self->busy_since >= FAIR_SHARE_US)
    {
      self->busy_since = 0;
      self->sitting_out = TRUE;
    }
}

/* The descriptors found ready at the start of an iteration. GLib polled
 * them before the first iteration of a dispatch; before the others the
 * source polls them itself, only while something is watched (see the
 * top of the file). Out of line: the loop that runs callbacks stays as
 * small without watches as it was before there were any. */
static G_GNUC_NO_INLINE void
collect_fd_events (GaioLoopSource *self,
                   guint           iteration)
{
  if (iteration == 0)
    ready_append_list (self, _gaio_fd_watches_collect (self->fd_watches));
  else if (!_gaio_fd_watches_is_empty (self->fd_watches))
    ready_append_list (self, _gaio_fd_watches_poll (self->fd_watches));
}

static gboolean
gaio_loop_source_dispatch (GSource     *source,
                           GSourceFunc  callback,
                           gpointer     user_data)
{
  GaioLoopSource *self = (GaioLoopSource *) source;
  const GaioLoopSourceHooks *hooks = self->hooks;
  /* Read once: a callback's call through a register, not two loads. */
  gboolean (*run_handle) (GaioLoop *, GaioHandle *) = hooks->run_handle;
  g_autoptr(GaioLoop) loop = g_object_ref (self->loop);
  GaioLoop *previous;
  gint64 now = g_get_monotonic_time ();
  gint64 deadline = now + DISPATCH_BUDGET_US;
  gboolean go_on = TRUE;

  if (self->dispatching)
    return G_SOURCE_CONTINUE;
  self->dispatching = TRUE;

  previous = hooks->dispatch_begin (loop);

  for (guint iteration = 0; go_on; iteration++)
    {
      guint n_todo;

      self->n_iterations++;
      collect_inbox (self);
      /* asyncio's _process_events(): descriptor callbacks go behind the
       * callbacks already ready and before the timers that became due. */
      if (G_UNLIKELY (self->fd_watches != NULL))
        collect_fd_events (self, iteration);
      collect_due_timers (self, now);

      /* Only what is ready now: callbacks scheduled by these run in the
       * next iteration (asyncio's ntodo). The loop may be closed by one
       * of them, which empties the queue. */
      n_todo = self->n_ready;
      while (n_todo-- > 0 && self->n_ready > 0)
        {
          GaioHandle *handle = ready_pop (self);

          go_on = run_handle (loop, handle);
          release_handle (self, handle);
          if (!go_on)
            break;
        }

      if (self->n_ready == 0 || self->closed || hooks->is_stopping (loop) ||
          iteration + 1 >= MAX_ITERATIONS_PER_DISPATCH)
        break;
      if (_gaio_timer_heap_len (&self->timers) == 0 &&
          (iteration + 1) % CLOCK_EVERY_ITERATIONS != 0)
        continue;
      now = g_get_monotonic_time ();
      if (now >= deadline)
        break;
    }

  hooks->dispatch_end (loop, previous);
  self->dispatching = FALSE;
  take_fair_share (self);

  return G_SOURCE_CONTINUE;
}

static void
gaio_loop_source_finalize (GSource *source)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  /* The last reference may go in another thread (a worker posting an
   * outcome, see _gaio_inbox_post_holding()). GSource's reference count is an
   * atomic inside GLib, which ThreadSanitizer cannot see: pairs with
   * _gaio_loop_source_unref(). */
  GAIO_TSAN_ACQUIRE (source);

  /* The loop closes the source before dropping it, which empties it. */
  g_assert (self->ready_head == NULL);
  g_assert (_gaio_timer_heap_len (&self->timers) == 0);
  g_assert (self->fd_watches == NULL);

  while (self->cached_handles != NULL)
    {
      GaioHandle *next = self->cached_handles->next;

      _gaio_handle_free (self->cached_handles);
      self->cached_handles = next;
    }
  _gaio_timer_heap_clear (&self->timers, NULL, NULL);
  _gaio_timer_cancels_unref_many (self->timer_cancels, self->n_banked_cancel_refs + 1);
}

/* The inbox's wake-up: a post into the empty inbox. Any thread. */
static void
wake_for_inbox (GSource *source)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  /* A loop that is dispatching looks at the inbox before it sleeps
   * again: only one that may be asleep needs the write(2). */
  if (g_atomic_int_get (&self->may_sleep))
    g_main_context_wakeup (self->context);
}

static GSourceFuncs gaio_loop_source_funcs = {
  .prepare = gaio_loop_source_prepare,
  .check = gaio_loop_source_check,
  .dispatch = gaio_loop_source_dispatch,
  .finalize = gaio_loop_source_finalize,
};

GSource *
_gaio_loop_source_new (GaioLoop                  *loop,
                       const GaioLoopSourceHooks *hooks,
                       GMainContext              *context)
{
  GaioLoopSource *self;

  self = (GaioLoopSource *) g_source_new (&gaio_loop_source_funcs, sizeof (GaioLoopSource));
  self->loop = loop;
  self->hooks = hooks;
  self->context = context;
  _gaio_inbox_init (&self->inbox, (GSource *) self, context, wake_for_inbox);
  _gaio_timer_heap_init (&self->timers);
  self->timer_cancels = _gaio_timer_cancels_new ();
  g_source_set_static_name ((GSource *) self, "GaioLoop");
  /* Never blocked by GLib, so never churns its descriptors (see the top
   * of the file); re-entry is refused in dispatch(). */
  g_source_set_can_recurse ((GSource *) self, TRUE);
  g_source_attach ((GSource *) self, context);

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

  ready_append (self, handle);
}

/* Schedules a new handle for @callback, as call_soon does. Returns it
 * without a reference for the caller. Loop thread only. */
GaioHandle *
_gaio_loop_source_call_soon (GSource        *source,
                             GaioCallback    callback,
                             gpointer        user_data,
                             GDestroyNotify  notify)
{
  GaioLoopSource *self = (GaioLoopSource *) source;
  GaioHandle *handle = new_handle (self, callback, user_data, notify);

  _gaio_loop_source_push_ready (source, handle);

  return handle;
}

/* Schedules a new timer for @callback at @when, as call_at does. Returns
 * it without a reference for the caller. Loop thread only. */
GaioHandle *
_gaio_loop_source_call_at (GSource        *source,
                           gint64          when,
                           GaioCallback    callback,
                           gpointer        user_data,
                           GDestroyNotify  notify)
{
  GaioLoopSource *self = (GaioLoopSource *) source;
  GaioHandle *handle = new_handle (self, callback, user_data, notify);

  if (self->n_banked_cancel_refs == 0)
    {
      _gaio_timer_cancels_ref_many (self->timer_cancels, CANCEL_REFS_PER_REFILL);
      self->n_banked_cancel_refs = CANCEL_REFS_PER_REFILL;
    }
  self->n_banked_cancel_refs--;
  _gaio_handle_set_timer (handle, when, self->next_timer_seq++, self->timer_cancels);
  _gaio_timer_heap_push (&self->timers, handle);

  return handle;
}

/* Takes the caller's reference on @handle when it returns TRUE. Any
 * thread. */
gboolean
_gaio_loop_source_push_threadsafe (GSource    *source,
                                   GaioHandle *handle)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  return _gaio_inbox_post (&self->inbox, handle);
}

/* Where other threads post to the loop. Valid as long as the source. */
GaioInbox *
_gaio_loop_source_get_inbox (GSource *source)
{
  return &((GaioLoopSource *) source)->inbox;
}

static void
discard_list (GaioLoopSource *self,
              GaioHandle     *list)
{
  while (list != NULL)
    {
      GaioHandle *next = list->next;

      list->next = NULL;
      _gaio_handle_discard (list);
      release_handle (self, list);
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
  discard_list (self, ready);
  discard_list (self, _gaio_inbox_close (&self->inbox));
  _gaio_timer_heap_clear (&self->timers, drop_timer, self);
  /* asyncio's close() forgets the registered descriptors (RW-07). */
  g_clear_pointer (&self->fd_watches, _gaio_fd_watches_free);
}

/* The watches report a closed descriptor to the loop's exception
 * handler. */
static void
report_to_loop (GaioExceptionContext *context,
                gpointer              user_data)
{
  GaioLoopSource *self = user_data;

  self->hooks->report (self->loop, context);
}

/* The watched descriptors, created on first use. Loop thread only, and
 * not once the source is closed. */
GaioFdWatches *
_gaio_loop_source_get_fd_watches (GSource *source)
{
  GaioLoopSource *self = (GaioLoopSource *) source;

  g_assert (!self->closed);

  if (self->fd_watches == NULL)
    self->fd_watches = _gaio_fd_watches_new (source, report_to_loop, self);

  return self->fd_watches;
}

guint
_gaio_loop_source_get_n_timers (GSource *source)
{
  return _gaio_timer_heap_len (&((GaioLoopSource *) source)->timers);
}

guint64
_gaio_loop_source_get_n_iterations (GSource *source)
{
  return ((GaioLoopSource *) source)->n_iterations;
}

/* g_source_unref() for the loop's source, telling ThreadSanitizer that
 * what this thread did with the source happens before its finalization,
 * wherever that runs. */
void
_gaio_loop_source_unref (GSource *source)
{
  GAIO_TSAN_RELEASE (source);
  g_source_unref (source);
}
