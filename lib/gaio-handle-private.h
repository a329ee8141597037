/* gaio-handle-private.h: the handle structure, shared with the loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"
#include "gaio-debug-private.h"
#include "gaio-timer-cancels-private.h"

G_BEGIN_DECLS

typedef enum {
  GAIO_HANDLE_PENDING,
  GAIO_HANDLE_RUNNING,
  GAIO_HANDLE_DONE,
  GAIO_HANDLE_CANCELLED,
} GaioHandleState;

/* What few handles have: allocated on first use, loop thread only
 * (debug mode, a name given by gaio_handle_set_name(), a failed
 * callback's kept name). Kept out of GaioHandle so that a handle fits in
 * one cache line. */
typedef struct
{
  char          *name;            /* (owned) (nullable) */
  /* Debug mode: where the callback was scheduled (asyncio's
   * _source_traceback). Set before the handle is published. */
  GaioTraceback *traceback;       /* (owned) (nullable) */
} GaioHandleExtra;

/* A handle is shared by the loop (which holds one reference while it is
 * queued) and whoever the scheduling call returned it to. Its closure
 * (callback, user_data, notify) belongs to whichever side moves @state out
 * of PENDING first, with one compare-and-swap: the loop (PENDING ->
 * RUNNING) runs the callback and then releases the closure; a canceller
 * (PENDING -> CANCELLED) releases it at once. That is what makes
 * gaio_handle_cancel() safe from any thread and the notify run exactly
 * once.
 *
 * Sixty-four bytes, one cache line in a slab (gaio-handle-slab.c): with
 * 100 000 timers firing in no order of memory, each handle is a cache
 * miss, and a handle over two lines was two. Hence the unions below, and
 * the rarely used fields in @extra. */
struct _GaioHandle
{
  /* A field added here must be set in _gaio_handle_init() too. */
  gint            ref_count;      /* (atomic) */
  guint8          state;          /* (atomic) GaioHandleState */
  /* Whether @u holds a timer's fields; set before the handle is
   * published, never changed. */
  guint8          is_timer;
  /* gaio_handle_cancel() was called after the callback had started:
   * asyncio's Handle.cancel() marks the handle cancelled all the same,
   * though there is nothing left to stop. */
  guint8          cancelled_late; /* (atomic) */

  GaioCallback    callback;       /* (owned by the state's winner) */
  gpointer        user_data;
  GDestroyNotify  notify;

  /* A timer needs @seq only while it sits in the loop's timer heap
   * (gaio-timer-heap.c), which does not link handles; once it leaves
   * the heap it is linked into the ready FIFO and @seq is never read
   * again. */
  union {
    /* Link in the loop's ready FIFO or inbox; owned by that queue. */
    GaioHandle   *next;
    /* Timers in the heap: the scheduling order that breaks ties. */
    guint64       seq;
  };

  union {
    /* @is_timer: the deadline in g_get_monotonic_time() microseconds,
     * never negative, and a reference to the loop's count of cancelled
     * timers, set before the handle is published and kept until the last
     * unref, so that a cancel from any thread can tell the loop that its
     * heap holds one more dead timer (LS-08). */
    struct {
      GaioTimerCancels *cancels;  /* (owned) */
      gint64            when;
    } timer;
    /* Otherwise: set when the handle runs a step of a task (reports of a
     * slow callback describe the task, as asyncio's _format_handle()
     * does), and the name of an internal handle, a string literal. */
    struct {
      GaioFuture       *task;         /* (owned) (nullable) */
      const char       *static_name;  /* (nullable) used when there is no name */
    } soon;
  } u;

  GaioHandleExtra *extra;         /* (owned) (nullable) */
};

G_STATIC_ASSERT (sizeof (GaioHandle) <= 64);

GaioHandle *_gaio_handle_new       (GaioCallback    callback,
                                    gpointer        user_data,
                                    GDestroyNotify  notify);

void        _gaio_handle_clear_owned (GaioHandle   *handle);

/* Frees what a handle owns besides its closure, leaving its memory for
 * reuse (the loop's cache) or _gaio_handle_free(). Inline: most handles
 * own none of it, and the loop clears one per callback. A timer always
 * owns its reference to the cancel count. */
static inline void
_gaio_handle_clear (GaioHandle *handle)
{
  if (handle->is_timer || handle->u.soon.task != NULL || handle->extra != NULL)
    _gaio_handle_clear_owned (handle);
}

/* Frees the memory of a cleared handle (see _gaio_handle_clear()). */
void        _gaio_handle_free      (GaioHandle     *handle);

/* (Re)initializes a handle's memory as a new pending handle with one
 * reference, for the loop's cache of handles. Inline: once per call_soon.
 * Field by field rather than from a compound literal, which compilers
 * turn into `rep stos`, slow to start for a cache line. */
static inline void
_gaio_handle_init (GaioHandle     *handle,
                   GaioCallback    callback,
                   gpointer        user_data,
                   GDestroyNotify  notify)
{
  handle->ref_count = 1;
  handle->state = GAIO_HANDLE_PENDING;
  handle->is_timer = FALSE;
  handle->cancelled_late = FALSE;
  handle->callback = callback;
  handle->user_data = user_data;
  handle->notify = notify;
  handle->next = NULL;
  handle->u.soon.task = NULL;
  handle->u.soon.static_name = NULL;
  handle->extra = NULL;
}

/* Takes a reference on a handle no other thread can see yet: a plain
 * increment, where gaio_handle_ref() is an atomic one (a tenth of the
 * cost of a post from another thread, which gives its caller a
 * reference before posting). */
static inline void
_gaio_handle_ref_unpublished (GaioHandle *handle)
{
  handle->ref_count++;
}

/* Runs the callback if the handle is still pending. Returns FALSE with
 * @error set when the callback failed; a cancelled handle is skipped and
 * counts as a success. With @keep_name, the callback's name stays
 * known after the closure is released. Loop thread only. */
gboolean    _gaio_handle_run       (GaioHandle     *handle,
                                    gboolean        keep_name,
                                    GError        **error);

/* The error of a function that returned FALSE without setting one:
 * "@what returned FALSE without setting an error", with the hint to
 * return true when @function is a JavaScript one. */
GError     *_gaio_callback_false_error (const char *what,
                                        gpointer    function);

/* Calls @callback, a callback that a handle's callback wraps, as the
 * handle calls its own: one that returns FALSE without an error fails
 * with the error that says so (naming JavaScript's `return true` for a
 * JavaScript function). */
gboolean    _gaio_callback_invoke  (GaioCallback    callback,
                                    gpointer        user_data,
                                    GError        **error);

/* Makes a new handle a timer due at @when, the @seq-th of its loop,
 * giving it a reference on @cancels (the caller's). Before it is
 * published. */
static inline void
_gaio_handle_set_timer (GaioHandle       *handle,
                        gint64            when,
                        guint64           seq,
                        GaioTimerCancels *cancels)
{
  handle->is_timer = TRUE;
  handle->seq = seq;
  handle->u.timer.when = when;
  handle->u.timer.cancels = cancels;
}

/* Takes back the reference on the cancel count of a timer about to be
 * cleared, which is then cleared as a plain handle: for a caller that
 * holds the handle's last reference and keeps the count's reference
 * itself. Returns whether @handle was a timer. */
static inline gboolean
_gaio_handle_steal_timer (GaioHandle *handle)
{
  if (!handle->is_timer)
    return FALSE;

  handle->is_timer = FALSE;
  handle->u.soon.task = NULL;
  handle->u.soon.static_name = NULL;
  return TRUE;
}

/* Names an internal handle with a string literal, without a copy, and
 * gives it the task whose step it runs (owned): set on every done
 * callback and task step, so it must cost nothing. Not for timers. */
static inline void
_gaio_handle_set_static_name (GaioHandle *handle,
                              const char *name,
                              GaioFuture *task)
{
  g_assert (!handle->is_timer);

  handle->u.soon.static_name = name;
  handle->u.soon.task = task;
}

static inline GaioFuture *
_gaio_handle_get_task (GaioHandle *handle)
{
  return handle->is_timer ? NULL : handle->u.soon.task;
}

/* Takes the handle's reference on its task (NULL for a timer). */
static inline GaioFuture *
_gaio_handle_steal_task (GaioHandle *handle)
{
  return handle->is_timer ? NULL : g_steal_pointer (&handle->u.soon.task);
}

static inline const char *
_gaio_handle_get_static_name (GaioHandle *handle)
{
  return handle->is_timer ? NULL : handle->u.soon.static_name;
}

static inline const char *
_gaio_handle_get_name (GaioHandle *handle)
{
  return handle->extra != NULL ? handle->extra->name : NULL;
}

static inline GaioTraceback *
_gaio_handle_get_traceback (GaioHandle *handle)
{
  return handle->extra != NULL ? handle->extra->traceback : NULL;
}

/* The rarely used fields, allocated on first use. Loop thread only, or
 * before the handle is published. */
GaioHandleExtra *_gaio_handle_get_extra (GaioHandle *handle);

/* Whether the handle has a name of its own, given or static. */
static inline gboolean
_gaio_handle_has_name (GaioHandle *handle)
{
  return _gaio_handle_get_name (handle) != NULL || _gaio_handle_get_static_name (handle) != NULL;
}

/* Drops a pending handle without running it, as a cancel does but
 * without counting it as a cancelled timer: used when the loop closes. */
void        _gaio_handle_discard   (GaioHandle     *handle);

static inline gboolean
_gaio_handle_is_pending (GaioHandle *handle)
{
  return __atomic_load_n (&handle->state, __ATOMIC_SEQ_CST) == GAIO_HANDLE_PENDING;
}

/* How a handle lets go of the task it names: gaio_future_unref(), which
 * the future layer hands down when its type is registered, before any
 * task exists. Handles sit below futures and call nothing of theirs. */
void _gaio_handle_set_task_release (GDestroyNotify release);

G_END_DECLS
