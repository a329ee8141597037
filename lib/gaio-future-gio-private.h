/* gaio-future-gio-private.h: the one bridge from a future to GIO's asynchronous style
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* The one future-to-GIO bridge (gaio-future-gio.c, whose top states its
 * contract): a GTask of @source_object (a GObject or NULL) tagged
 * @source_tag, returned once @future is done; @cancellable cancels
 * @future. */
void        _gaio_future_bridge_async  (GaioFuture          *future,
                                        gpointer             source_object,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data,
                                        gpointer             source_tag);

/* The future of a bridged operation, done, owned by @result; or NULL
 * with @error set if the GTask failed. Its outcome is read with the
 * future's own calls. */
GaioFuture *_gaio_future_bridge_finish (GAsyncResult        *result,
                                        gpointer             source_object,
                                        gpointer             source_tag,
                                        GError             **error);

/* _gaio_future_bridge_finish() and then the future's result, as
 * gaio_future_dup_result() gives it: what every `_finish` that returns
 * a GValue returns. */
GValue     *_gaio_future_bridge_finish_value (GAsyncResult  *result,
                                              gpointer       source_object,
                                              gpointer       source_tag,
                                              GError       **error);

G_END_DECLS
