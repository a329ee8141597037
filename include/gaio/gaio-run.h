/* gaio-run.h: asyncio.run()
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
 * GaioRunFlags:
 * @GAIO_RUN_FLAGS_NONE: debug mode as the environment says
 *   (`GAIO_DEBUG`)
 * @GAIO_RUN_FLAGS_DEBUG: debug mode on (asyncio's `run(debug=True)`)
 * @GAIO_RUN_FLAGS_NO_DEBUG: debug mode off, whatever the environment says
 *   (`run(debug=False)`)
 *
 * Options of [func@Gaio.run_full].
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/ {
  GAIO_RUN_FLAGS_NONE     = 0,
  GAIO_RUN_FLAGS_DEBUG    = 1 << 0,
  GAIO_RUN_FLAGS_NO_DEBUG = 1 << 1,
} GaioRunFlags;

GAIO_AVAILABLE_IN_ALL
gboolean gaio_run      (GaioCoroutine  *main,
                        GValue         *result,
                        GError        **error);
GAIO_AVAILABLE_IN_ALL
gboolean gaio_run_full (GaioCoroutine  *main,
                        GaioRunFlags    flags,
                        GValue         *result,
                        GError        **error);

G_END_DECLS
