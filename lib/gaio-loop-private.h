/* gaio-loop-private.h: what the other files of the library need of GaioLoop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* Schedules an internal handle on the ready FIFO, as call_soon does.
 * Takes the caller's reference. Returns FALSE (and discards the handle,
 * running its notify) when the loop is closed. Loop thread only. */
gboolean    _gaio_loop_schedule_handle    (GaioLoop    *loop,
                                           GaioHandle  *handle);

/* Posts an internal handle to the loop's inbox, as call_soon_threadsafe
 * does. Takes the caller's reference on success; returns FALSE, leaving
 * it with the caller, when the loop is closed. Any thread. */
gboolean    _gaio_loop_post               (GaioLoop    *loop,
                                           GaioHandle  *handle);

/* For the loop's GSource: one dispatch is one asyncio iteration. */
GaioLoop   *_gaio_loop_dispatch_begin     (GaioLoop    *loop);
gboolean    _gaio_loop_run_handle         (GaioLoop    *loop,
                                           GaioHandle  *handle);
void        _gaio_loop_dispatch_end       (GaioLoop    *loop,
                                           GaioLoop    *previous);
gboolean    _gaio_loop_wants_iteration    (GaioLoop    *loop);

/* `<GaioLoop running=0 closed=0 debug=0>`, asyncio's repr. */
char       *_gaio_loop_to_string          (GaioLoop    *loop);

/* Test hooks: the number of timers in the heap, cancelled ones included,
 * and the number of dispatches of the loop's source so far. */
guint       _gaio_loop_get_n_timers       (GaioLoop    *loop);
guint64     _gaio_loop_get_n_iterations   (GaioLoop    *loop);

/* The handle the loop is running on this thread, or NULL. */
GaioHandle *_gaio_loop_get_current_handle (GaioLoop    *loop);

/* The loop's one GSource (gaio-loop-source.c), for the files that add
 * to it: readers and writers, signals. */
GSource    *_gaio_loop_get_source         (GaioLoop    *loop);

G_END_DECLS
