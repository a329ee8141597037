/* gaio-handle.h: a scheduled callback
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

#define GAIO_TYPE_HANDLE (gaio_handle_get_type ())

GAIO_AVAILABLE_IN_ALL
GType       gaio_handle_get_type     (void) G_GNUC_CONST;
GAIO_AVAILABLE_IN_ALL
GaioHandle *gaio_handle_ref          (GaioHandle *handle);
GAIO_AVAILABLE_IN_ALL
void        gaio_handle_unref        (GaioHandle *handle);
GAIO_AVAILABLE_IN_ALL
void        gaio_handle_cancel       (GaioHandle *handle);
GAIO_AVAILABLE_IN_ALL
gboolean    gaio_handle_is_cancelled (GaioHandle *handle);
GAIO_AVAILABLE_IN_ALL
gboolean    gaio_handle_is_timer     (GaioHandle *handle);
GAIO_AVAILABLE_IN_ALL
gdouble     gaio_handle_get_when     (GaioHandle *handle);
GAIO_AVAILABLE_IN_ALL
void        gaio_handle_set_name     (GaioHandle *handle,
                                      const char *name);
GAIO_AVAILABLE_IN_ALL
char       *gaio_handle_dup_name     (GaioHandle *handle);
GAIO_AVAILABLE_IN_ALL
char       *gaio_handle_to_string    (GaioHandle *handle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GaioHandle, gaio_handle_unref)

G_END_DECLS
