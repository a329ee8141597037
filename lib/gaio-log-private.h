/* gaio-log-private.h: how the library writes to the Gaio log domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

gboolean _gaio_log_level_enabled (GLogLevelFlags  level);

/* Writes one structured record in the Gaio domain, unless the threshold
 * set with gaio_log_set_level() drops it. @fields must not hold the
 * GLIB_DOMAIN field: it is added here. */
void     _gaio_log_fields        (GLogLevelFlags  level,
                                  const GLogField *fields,
                                  gsize           n_fields);

/* printf-style shorthand for a record with a MESSAGE only. */
void     _gaio_log               (GLogLevelFlags  level,
                                  const char     *format,
                                  ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
