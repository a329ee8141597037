/* gaio-event.h: asyncio's Event, for tasks and callbacks
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

#define GAIO_TYPE_EVENT (gaio_event_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioEvent, gaio_event, GAIO, EVENT, GObject)

GAIO_AVAILABLE_IN_ALL
GaioEvent  *gaio_event_new       (GaioLoop  *loop);
GAIO_AVAILABLE_IN_ALL
GaioLoop   *gaio_event_get_loop  (GaioEvent *event);
GAIO_AVAILABLE_IN_ALL
gboolean    gaio_event_is_set    (GaioEvent *event);
GAIO_AVAILABLE_IN_ALL
void        gaio_event_set       (GaioEvent *event);
GAIO_AVAILABLE_IN_ALL
void        gaio_event_clear     (GaioEvent *event);
GAIO_AVAILABLE_IN_ALL
GaioFuture *gaio_event_wait      (GaioEvent *event);
GAIO_AVAILABLE_IN_ALL
char       *gaio_event_to_string (GaioEvent *event);

G_END_DECLS
