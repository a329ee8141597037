/* gaio-process-pool-registry-private.h: how functions travel to worker processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* The name a worker can find @func by, in the parent: the name it was
 * registered under, else its exported symbol name. Fails with
 * GAIO_ERROR_NOT_SERIALIZABLE and a message saying how to make it
 * travel. The string is interned. Any thread. */
const char  *_gaio_process_registry_name_of (GaioJobFunc   func,
                                             GError      **error);

/* The function called @name, in a worker: the registered one, else the
 * exported symbol. Fails with GAIO_ERROR_NOT_SERIALIZABLE. Any thread. */
GaioJobFunc  _gaio_process_registry_lookup  (const char   *name,
                                             GError      **error);

G_END_DECLS
