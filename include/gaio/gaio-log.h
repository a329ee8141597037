/* gaio-log.h: the Gaio log domain and its level threshold
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
 * GAIO_LOG_DOMAIN:
 *
 * The log domain of every record libgaio writes: the analogue of
 * asyncio's `asyncio` logger.
 *
 * Since: 1.0
 */
#define GAIO_LOG_DOMAIN "Gaio"

GAIO_AVAILABLE_IN_ALL
void           gaio_log_set_level (GLogLevelFlags level);
GAIO_AVAILABLE_IN_ALL
GLogLevelFlags gaio_log_get_level (void);

G_END_DECLS
