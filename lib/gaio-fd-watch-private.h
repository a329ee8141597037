/* gaio-fd-watch-private.h: the readers and writers of a loop's source
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio-handle-private.h"

G_BEGIN_DECLS

typedef enum {
  GAIO_FD_READER,
  GAIO_FD_WRITER,
} GaioFdDirection;

typedef struct _GaioFdWatches GaioFdWatches;

/* Where the watches report what goes wrong outside any callback (a
 * descriptor closed while watched): the loop's exception handler. Called
 * from a handle of the loop, on the loop thread; @context is borrowed. */
typedef void (*GaioFdWatchesReport) (GaioExceptionContext *context,
                                     gpointer              user_data);

/* The table of watched descriptors of one loop source, which reports
 * through @report. Every function is for the loop thread only. */
GaioFdWatches *_gaio_fd_watches_new     (GSource             *source,
                                         GaioFdWatchesReport  report,
                                         gpointer             report_data);
/* Drops every watch (running the destroy notifies of callbacks that are
 * not queued) and frees the table. */
void           _gaio_fd_watches_free    (GaioFdWatches    *watches);

/* Registers @callback for @fd in @direction, replacing (and releasing)
 * the callback registered before. Returns TRUE if one was replaced. */
gboolean       _gaio_fd_watches_add     (GaioFdWatches    *watches,
                                         int               fd,
                                         GaioFdDirection   direction,
                                         GaioCallback      callback,
                                         gpointer          user_data,
                                         GDestroyNotify    notify);
/* Returns TRUE if a callback was registered for @fd in @direction. */
gboolean       _gaio_fd_watches_remove  (GaioFdWatches    *watches,
                                         int               fd,
                                         GaioFdDirection   direction);
gboolean       _gaio_fd_watches_has     (GaioFdWatches    *watches,
                                         int               fd,
                                         GaioFdDirection   direction);

/* For the source's check(): whether poll() reported anything. */
gboolean       _gaio_fd_watches_check   (GaioFdWatches    *watches);

/* For the source's dispatch(): one new handle per callback whose
 * descriptor is ready, linked through ->next, each with its reference.
 * A descriptor that poll() reports as not open (G_IO_NVAL) is dropped
 * here, and a handle that reports it is returned in its place. */
GaioHandle    *_gaio_fd_watches_collect (GaioFdWatches    *watches);

/* Between two iterations of one dispatch: polls the watched descriptors
 * without waiting (one poll(2)) and returns their handles as
 * _gaio_fd_watches_collect() does. */
GaioHandle    *_gaio_fd_watches_poll    (GaioFdWatches    *watches);
/* Whether no descriptor is watched: nothing to poll then. */
gboolean       _gaio_fd_watches_is_empty (GaioFdWatches   *watches);

G_END_DECLS
