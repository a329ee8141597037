/* gaio-exception-context-private.h: writing a context to the log, and the future type
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* Writes @context as one structured record in the Gaio domain: MESSAGE is
 * gaio_exception_context_to_string(), plus the GAIO_ERROR_* fields and a
 * GAIO_CONTEXT_<KEY> field per key. */
void _gaio_exception_context_log (GaioExceptionContext *context,
                                  GLogLevelFlags        level);

/* Describes one boxed value of a registered type, as asyncio's repr(). */
typedef char *(*GaioValueDescriber) (gconstpointer boxed);

/* The future layer tells the context its boxed type, and how to write a
 * future, when the type is registered: before any future exists, so the
 * `future` and `task` keys never see a future of an unknown type. This
 * keeps the context below the futures it reports. */
void _gaio_exception_context_register_future_type (GType              type,
                                                   GaioValueDescriber describe);

G_END_DECLS
