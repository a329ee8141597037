/* gaio-loop-source-private.h: the one GSource that runs a GaioLoop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio-fd-watch-private.h"
#include "gaio-handle-private.h"

G_BEGIN_DECLS

/* Creates the source and attaches it to @context. */
GSource    *_gaio_loop_source_new              (GaioLoop     *loop,
                                                GMainContext *context);
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
void        _gaio_loop_source_close            (GSource      *source);
void        _gaio_loop_source_unref            (GSource      *source);
guint       _gaio_loop_source_get_n_timers     (GSource      *source);
guint64     _gaio_loop_source_get_n_iterations (GSource      *source);
GaioFdWatches *_gaio_loop_source_get_fd_watches (GSource     *source);

G_END_DECLS
