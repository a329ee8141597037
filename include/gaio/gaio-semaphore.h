/* gaio-semaphore.h: asyncio's Semaphore and BoundedSemaphore
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

#define GAIO_TYPE_SEMAPHORE (gaio_semaphore_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (GaioSemaphore, gaio_semaphore, GAIO, SEMAPHORE, GObject)

/**
 * GaioSemaphoreClass:
 * @parent_class: the parent class
 *
 * The class of [class@Gaio.Semaphore]; [class@Gaio.BoundedSemaphore] is
 * the only subclass.
 *
 * Since: 1.0
 */
struct _GaioSemaphoreClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[4];
};

GAIO_AVAILABLE_IN_ALL
GaioSemaphore *gaio_semaphore_new       (GaioLoop       *loop,
                                         guint           value);
GAIO_AVAILABLE_IN_ALL
GaioLoop      *gaio_semaphore_get_loop  (GaioSemaphore  *semaphore);
GAIO_AVAILABLE_IN_ALL
guint          gaio_semaphore_get_value (GaioSemaphore  *semaphore);
GAIO_AVAILABLE_IN_ALL
GaioFuture    *gaio_semaphore_acquire   (GaioSemaphore  *semaphore);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_semaphore_release   (GaioSemaphore  *semaphore,
                                         GError        **error);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_semaphore_is_locked (GaioSemaphore  *semaphore);
GAIO_AVAILABLE_IN_ALL
char          *gaio_semaphore_to_string (GaioSemaphore  *semaphore);

#define GAIO_TYPE_BOUNDED_SEMAPHORE (gaio_bounded_semaphore_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioBoundedSemaphore, gaio_bounded_semaphore, GAIO, BOUNDED_SEMAPHORE,
                      GaioSemaphore)

GAIO_AVAILABLE_IN_ALL
GaioBoundedSemaphore *gaio_bounded_semaphore_new (GaioLoop *loop,
                                                  guint     value);

G_END_DECLS
