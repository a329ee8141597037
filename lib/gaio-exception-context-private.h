/* gaio-exception-context-private.h: writing a context to the log
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

G_END_DECLS
