/* gaio-coroutine-private.h: running a coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* Runs the coroutine's function on the calling stack, once: the caller
 * checked that it was never started. Its data is released right after
 * it returns. @result is an unset GValue; on success it is set, to a
 * NULL pointer (None) if the function set nothing. */
gboolean _gaio_coroutine_run (GaioCoroutine  *coroutine,
                              GValue         *result,
                              GError        **error);

G_END_DECLS
