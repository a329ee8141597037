/* gaio-loop-source-private.h: the one GSource that runs a GaioLoop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio-fd-watch-private.h"
#include "gaio-handle-private.h"
#include "gaio-inbox-private.h"

G_BEGIN_DECLS

/* What the source needs of the loop that owns it, handed over at
 * creation so that the source includes nothing of the loop: the loop's
 * is one static const table. Every function runs on the loop thread.
 *
 * They sit on the hot path: begin() and end() run once per dispatch,
 * is_stopping() once per iteration, and run_handle() once per callback,
 * read from the table once per dispatch (an indirect call the branch
 * predictor always gets right, in place of a direct one). */
typedef struct
{
  /* A dispatch, a run of asyncio iterations, starts: @loop becomes the
   * running loop. Returns what dispatch_end() puts back. */
  GaioLoop *(*dispatch_begin)  (GaioLoop             *loop);
  void      (*dispatch_end)    (GaioLoop             *loop,
                                GaioLoop             *previous);
  /* Runs one ready handle (the source keeps its reference). Returns
   * FALSE when the iteration must end at once: run_forever() has to
   * return an escape error. */
  gboolean  (*run_handle)      (GaioLoop             *loop,
                                GaioHandle           *handle);
  /* stop() was called, or a callback asked to leave run_forever(): the
   * dispatch ends after the current iteration. */
  gboolean  (*is_stopping)     (GaioLoop             *loop);
  /* run_forever() waits for a stop() made before it ran: dispatch at
   * once, for the one iteration asyncio runs then. */
  gboolean  (*wants_iteration) (GaioLoop             *loop);
  /* Reports what goes wrong outside any callback (a watched descriptor
   * closed) to the loop's exception handler. */
  void      (*report)          (GaioLoop             *loop,
                                GaioExceptionContext *context);
} GaioLoopSourceHooks;

/* Creates the source and attaches it to @context. @hooks must outlive
 * the source; @loop owns the source. */
GSource    *_gaio_loop_source_new              (GaioLoop                  *loop,
                                                const GaioLoopSourceHooks *hooks,
                                                GMainContext              *context);
void        _gaio_loop_source_push_ready       (GSource      *source,
                                                GaioHandle   *handle);
GaioHandle *_gaio_loop_source_call_soon        (GSource      *source,
                                                GaioCallback  callback,
                                                gpointer      user_data,
                                                GDestroyNotify notify);
GaioHandle *_gaio_loop_source_call_at          (GSource      *source,
                                                gint64        when,
                                                GaioCallback  callback,
                                                gpointer      user_data,
                                                GDestroyNotify notify);
gboolean    _gaio_loop_source_push_threadsafe  (GSource      *source,
                                                GaioHandle   *handle);
GaioInbox  *_gaio_loop_source_get_inbox        (GSource      *source);
void        _gaio_loop_source_close            (GSource      *source);
void        _gaio_loop_source_unref            (GSource      *source);
guint       _gaio_loop_source_get_n_timers     (GSource      *source);
guint64     _gaio_loop_source_get_n_iterations (GSource      *source);
GaioFdWatches *_gaio_loop_source_get_fd_watches (GSource     *source);

G_END_DECLS
