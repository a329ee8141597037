/* gaio-log.c: the Gaio log domain and its level threshold
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Everything libgaio reports goes through GLib's structured logging in the
 * domain "Gaio", the analogue of asyncio's one `asyncio` logger. Python
 * users silence it with `logging.getLogger("asyncio").setLevel(...)`;
 * GLib has no per-domain threshold, so the library applies its own before
 * a record reaches g_log_structured_array(): a dropped record costs no
 * formatting and never reaches a writer.
 */

#include "config.h"

#include <stdarg.h>

#include "gaio-log-private.h"

/* The least severe level still written. GLib numbers levels so that a
 * larger flag is less severe (ERROR = 1 << 2 ... DEBUG = 1 << 7). (atomic) */
static gint log_threshold = G_LOG_LEVEL_DEBUG;

/**
 * gaio_log_set_level:
 * @level: the least severe level to keep, one of the #GLogLevelFlags
 *   levels (e.g. %G_LOG_LEVEL_WARNING)
 *
 * Sets the level threshold of the `Gaio` log domain: records less severe
 * than @level are dropped before any log writer sees them. This is the
 * analogue of `logging.getLogger("asyncio").setLevel(logging.WARNING)`.
 *
 * The default, %G_LOG_LEVEL_DEBUG, drops nothing; GLib's own rules still
 * apply on top, so debug and info records are shown only when
 * `G_MESSAGES_DEBUG` names `Gaio`.
 *
 * May be called from any thread.
 *
 * Since: 1.0
 */
void
gaio_log_set_level (GLogLevelFlags level)
{
  GLogLevelFlags single = level & G_LOG_LEVEL_MASK;

  g_return_if_fail (single != 0);

  /* Several bits: the least severe of them is the threshold. */
  g_atomic_int_set (&log_threshold, 1 << (g_bit_nth_msf (single, -1)));
}

/**
 * gaio_log_get_level:
 *
 * Gets the threshold set with gaio_log_set_level().
 *
 * Returns: the least severe level written in the `Gaio` domain
 *
 * Since: 1.0
 */
GLogLevelFlags
gaio_log_get_level (void)
{
  return (GLogLevelFlags) g_atomic_int_get (&log_threshold);
}

gboolean
_gaio_log_level_enabled (GLogLevelFlags level)
{
  GLogLevelFlags single = level & G_LOG_LEVEL_MASK;

  return single != 0 && single <= (GLogLevelFlags) g_atomic_int_get (&log_threshold);
}

void
_gaio_log_fields (GLogLevelFlags   level,
                  const GLogField *fields,
                  gsize            n_fields)
{
  g_autofree GLogField *all = NULL;

  if (!_gaio_log_level_enabled (level))
    return;

  all = g_new (GLogField, n_fields + 1);
  all[0] = (GLogField) { "GLIB_DOMAIN", GAIO_LOG_DOMAIN, -1 };
  memcpy (all + 1, fields, n_fields * sizeof (GLogField));
  g_log_structured_array (level, all, n_fields + 1);
}

void
_gaio_log (GLogLevelFlags  level,
           const char     *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;
  GLogField fields[1];

  if (!_gaio_log_level_enabled (level))
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fields[0] = (GLogField) { "MESSAGE", message, -1 };
  _gaio_log_fields (level, fields, G_N_ELEMENTS (fields));
}
