/* gaio-wait.h: sleeping, and waiting for several futures
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

/**
 * GAIO_NO_TIMEOUT:
 *
 * The timeout of [func@Gaio.wait_for] and [func@Gaio.wait] that never
 * expires (asyncio's `timeout=None`). Any negative timeout means the same.
 *
 * Since: 1.0
 */
#define GAIO_NO_TIMEOUT (-1.0)

/**
 * GaioWaitMode:
 * @GAIO_WAIT_FIRST_COMPLETED: when any future is done or cancelled
 * @GAIO_WAIT_FIRST_EXCEPTION: when any future finishes with an error, or
 *   when all are done
 * @GAIO_WAIT_ALL_COMPLETED: when all futures are done
 *
 * When [func@Gaio.wait] completes (asyncio's `return_when`).
 *
 * Since: 1.0
 */
typedef enum {
  GAIO_WAIT_FIRST_COMPLETED,
  GAIO_WAIT_FIRST_EXCEPTION,
  GAIO_WAIT_ALL_COMPLETED,
} GaioWaitMode;

GAIO_AVAILABLE_IN_ALL
GaioFuture *gaio_sleep    (gdouble              delay);
GAIO_AVAILABLE_IN_ALL
GaioFuture *gaio_gather   (GaioFuture * const  *futures,
                           guint                n_futures,
                           gboolean             return_exceptions);
GAIO_AVAILABLE_IN_ALL
GaioFuture *gaio_wait_for (GaioFuture          *future,
                           gdouble              timeout);
GAIO_AVAILABLE_IN_ALL
GaioFuture *gaio_wait     (GaioFuture * const  *futures,
                           guint                n_futures,
                           gdouble              timeout,
                           GaioWaitMode         return_when);
GAIO_AVAILABLE_IN_ALL
GaioFuture *gaio_shield   (GaioFuture          *future);

G_END_DECLS
