/* gaio-loop-unix.h: the loop's Unix methods: file descriptors and signals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

GAIO_AVAILABLE_IN_ALL
gboolean gaio_loop_add_reader            (GaioLoop        *loop,
                                          int              fd,
                                          GaioCallback     callback,
                                          gpointer         user_data,
                                          GDestroyNotify   notify,
                                          GError         **error);
GAIO_AVAILABLE_IN_ALL
gboolean gaio_loop_remove_reader         (GaioLoop        *loop,
                                          int              fd);
GAIO_AVAILABLE_IN_ALL
gboolean gaio_loop_add_writer            (GaioLoop        *loop,
                                          int              fd,
                                          GaioCallback     callback,
                                          gpointer         user_data,
                                          GDestroyNotify   notify,
                                          GError         **error);
GAIO_AVAILABLE_IN_ALL
gboolean gaio_loop_remove_writer         (GaioLoop        *loop,
                                          int              fd);

GAIO_AVAILABLE_IN_ALL
gboolean gaio_loop_add_signal_handler    (GaioLoop        *loop,
                                          int              signum,
                                          GaioCallback     callback,
                                          gpointer         user_data,
                                          GDestroyNotify   notify,
                                          GError         **error);
GAIO_AVAILABLE_IN_ALL
gboolean gaio_loop_remove_signal_handler (GaioLoop        *loop,
                                          int              signum);

G_END_DECLS
