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

/* A handle is shared by the loop (which holds one reference while it is
 * queued) and whoever the scheduling call returned it to. Its closure
 * (callback, user_data, notify) belongs to whichever side moves @state out
 * of PENDING first, with one compare-and-swap: the loop (PENDING ->
 * RUNNING) runs the callback and then releases the closure; a canceller
 * (PENDING -> CANCELLED) releases it at once. That is what makes
 * gaio_handle_cancel() safe from any thread and the notify run exactly
 * once. */
struct _GaioHandle
{
  /* A field added here must be set in _gaio_handle_init() too. */
  gint            ref_count;      /* (atomic) */
  gint            state;          /* (atomic) GaioHandleState */

  GaioCallback    callback;       /* (owned by the state's winner) */
  gpointer        user_data;
  GDestroyNotify  notify;

  /* Link in the loop's ready FIFO or inbox; owned by that queue. */
  GaioHandle     *next;

  /* Timers only (when >= 0): the deadline in g_get_monotonic_time()
   * microseconds, the scheduling order that breaks ties, and a reference
   * to the loop's count of cancelled timers, set before the handle is
   * published and kept until the last unref, so that a cancel from any
   * thread can tell the loop that its heap holds one more dead timer
   * (LS-08). */
  gint64            when;
  guint64           seq;
  GaioTimerCancels *timer_cancels;  /* (owned) (nullable) */

  char           *name;           /* (owned) (nullable) */
  const char     *static_name;    /* (nullable) a literal, used when name is NULL */

  /* Set when the handle runs a step of a task: reports of a slow
   * callback describe the task, as asyncio's _format_handle() does. */
  GaioFuture     *task;           /* (owned) (nullable) */

  /* Debug mode: where the callback was scheduled (asyncio's
   * _source_traceback). Set before the handle is published. */
  GaioTraceback  *traceback;      /* (owned) (nullable) */
};

GaioHandle *_gaio_handle_new       (GaioCallback    callback,
                                    gpointer        user_data,
                                    GDestroyNotify  notify);

void        _gaio_handle_clear_owned (GaioHandle   *handle);

/* Frees what a handle owns besides its closure, leaving its memory for
 * reuse (the loop's cache) or _gaio_handle_free(). Inline: most handles
 * own none of it, and the loop clears one per callback. */
static inline void
_gaio_handle_clear (GaioHandle *handle)
{
  if (handle->timer_cancels != NULL || handle->task != NULL ||
      handle->traceback != NULL || handle->name != NULL)
    _gaio_handle_clear_owned (handle);
}

/* Frees the memory of a cleared handle (see _gaio_handle_clear()). */
void        _gaio_handle_free      (GaioHandle     *handle);

/* (Re)initializes a handle's memory as a new pending handle with one
 * reference, for the loop's cache of handles. Inline: once per call_soon.
 * Field by field rather than from a compound literal, which compilers
 * turn into `rep stos`, slow to start for a hundred bytes. */
static inline void
_gaio_handle_init (GaioHandle     *handle,
                   GaioCallback    callback,
                   gpointer        user_data,
                   GDestroyNotify  notify)
{
  handle->ref_count = 1;
  handle->state = GAIO_HANDLE_PENDING;
  handle->callback = callback;
  handle->user_data = user_data;
  handle->notify = notify;
  handle->next = NULL;
  handle->when = -1;
  handle->seq = 0;
  handle->timer_cancels = NULL;
  handle->name = NULL;
  handle->static_name = NULL;
  handle->task = NULL;
  handle->traceback = NULL;
}

/* Runs the callback if the handle is still pending. Returns FALSE with
 * @error set when the callback failed; a cancelled handle is skipped and
 * counts as a success. With @keep_name, the callback's name stays
 * known after the closure is released. Loop thread only. */
gboolean    _gaio_handle_run       (GaioHandle     *handle,
                                    gboolean        keep_name,
                                    GError        **error);

/* Names an internal handle with a string literal, without a copy: set
 * on every done callback and task step, so it must cost nothing. */
static inline void
_gaio_handle_set_static_name (GaioHandle *handle,
                              const char *name)
{
  handle->static_name = name;
}

/* Drops a pending handle without running it, as a cancel does but
 * without counting it as a cancelled timer: used when the loop closes. */
void        _gaio_handle_discard   (GaioHandle     *handle);

static inline gboolean
_gaio_handle_is_pending (GaioHandle *handle)
{
  return g_atomic_int_get (&handle->state) == GAIO_HANDLE_PENDING;
}

G_END_DECLS
