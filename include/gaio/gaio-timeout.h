/* gaio-timeout.h: a deadline over a stretch of a task
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
 * GAIO_TIMEOUT_NEVER:
 *
 * A deadline that never comes: Python's `None` for `timeout()`,
 * `timeout_at()` and `Timeout.reschedule()`. Any infinite or larger
 * value means the same.
 *
 * Since: 1.0
 */
#define GAIO_TIMEOUT_NEVER (G_MAXDOUBLE)

typedef struct _GaioTimeout GaioTimeout;

#define GAIO_TYPE_TIMEOUT (gaio_timeout_get_type ())

GAIO_AVAILABLE_IN_ALL
GType        gaio_timeout_get_type   (void) G_GNUC_CONST;

GAIO_AVAILABLE_IN_ALL
GaioTimeout *gaio_timeout            (gdouble       delay);
GAIO_AVAILABLE_IN_ALL
GaioTimeout *gaio_timeout_at         (gdouble       when);
GAIO_AVAILABLE_IN_ALL
GaioTimeout *gaio_timeout_ref        (GaioTimeout  *timeout);
GAIO_AVAILABLE_IN_ALL
void         gaio_timeout_unref      (GaioTimeout  *timeout);

GAIO_AVAILABLE_IN_ALL
gboolean     gaio_timeout_enter      (GaioTimeout  *timeout,
                                      GError      **error);
GAIO_AVAILABLE_IN_ALL
gboolean     gaio_timeout_exit       (GaioTimeout  *timeout,
                                      GError      **error);

GAIO_AVAILABLE_IN_ALL
gdouble      gaio_timeout_get_when   (GaioTimeout  *timeout);
GAIO_AVAILABLE_IN_ALL
gboolean     gaio_timeout_reschedule (GaioTimeout  *timeout,
                                      gdouble       when,
                                      GError      **error);
GAIO_AVAILABLE_IN_ALL
gboolean     gaio_timeout_expired    (GaioTimeout  *timeout);
GAIO_AVAILABLE_IN_ALL
char        *gaio_timeout_to_string  (GaioTimeout  *timeout);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GaioTimeout, gaio_timeout_unref)

G_END_DECLS
