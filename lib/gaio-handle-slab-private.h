/* gaio-handle-slab-private.h: the memory of handles, carved from slabs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>

#include "gaio-asan-private.h"

G_BEGIN_DECLS

/* Memory for one handle of @size bytes (always the same size), from any
 * thread. */
gpointer _gaio_handle_slab_alloc (gsize    size);
/* Gives back memory of _gaio_handle_slab_alloc(), from any thread. */
void     _gaio_handle_slab_free  (gpointer mem,
                                  gsize    size);

G_END_DECLS
