/* gaio-log-writer.h: a log writer that keeps slow sinks off the loop thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib.h>

#include "gaio-version-macros.h"

G_BEGIN_DECLS

/**
 * GAIO_LOG_THREADED_WRITER_DEFAULT_MAX_QUEUED:
 *
 * How many records the threaded writer holds by default before it
 * drops new ones; see gaio_log_threaded_writer_set_max_queued().
 *
 * Since: 1.0
 */
#define GAIO_LOG_THREADED_WRITER_DEFAULT_MAX_QUEUED 4096

GAIO_AVAILABLE_IN_ALL
GLogWriterOutput gaio_log_writer_threaded                (GLogLevelFlags   log_level,
                                                          const GLogField *fields,
                                                          gsize            n_fields,
                                                          gpointer         user_data);
GAIO_AVAILABLE_IN_ALL
void             gaio_log_threaded_writer_set_sink       (GLogWriterFunc   sink,
                                                          gpointer         user_data,
                                                          GDestroyNotify   notify);
GAIO_AVAILABLE_IN_ALL
void             gaio_log_threaded_writer_set_max_queued (guint            max_queued);
GAIO_AVAILABLE_IN_ALL
guint            gaio_log_threaded_writer_get_max_queued (void);
GAIO_AVAILABLE_IN_ALL
void             gaio_log_threaded_writer_flush          (void);
GAIO_AVAILABLE_IN_ALL
guint64          gaio_log_threaded_writer_get_n_dropped  (void);

G_END_DECLS
