/* gaio-lock.h: asyncio's Lock, for tasks and callbacks
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

#define GAIO_TYPE_LOCK (gaio_lock_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioLock, gaio_lock, GAIO, LOCK, GObject)

GAIO_AVAILABLE_IN_ALL
GaioLock   *gaio_lock_new       (GaioLoop  *loop);
GAIO_AVAILABLE_IN_ALL
GaioLoop   *gaio_lock_get_loop  (GaioLock  *lock);
GAIO_AVAILABLE_IN_ALL
GaioFuture *gaio_lock_acquire   (GaioLock  *lock);
GAIO_AVAILABLE_IN_ALL
gboolean    gaio_lock_release   (GaioLock  *lock,
                                 GError   **error);
GAIO_AVAILABLE_IN_ALL
gboolean    gaio_lock_is_locked (GaioLock  *lock);
GAIO_AVAILABLE_IN_ALL
char       *gaio_lock_to_string (GaioLock  *lock);

G_END_DECLS
