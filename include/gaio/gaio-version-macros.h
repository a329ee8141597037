/* gaio-version-macros.h: symbol export and availability
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib.h>

/* The library is built with -fvisibility=hidden; only prototypes marked
 * with GAIO_AVAILABLE_IN_* are exported. */
#ifndef _GAIO_EXTERN
# define _GAIO_EXTERN __attribute__((visibility("default"))) extern
#endif

#define GAIO_AVAILABLE_IN_ALL _GAIO_EXTERN
#define GAIO_AVAILABLE_IN_0_1 _GAIO_EXTERN
