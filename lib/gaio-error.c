/* gaio-error.c: the GAIO_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include "config.h"

#include "gaio.h"

/**
 * gaio_error_quark:
 *
 * The quark of the %GAIO_ERROR domain.
 *
 * Returns: the error domain's quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (gaio-error-quark, gaio_error)
