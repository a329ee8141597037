/* gaio-coroutine.h: a function and its data, not running yet
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

#define GAIO_TYPE_COROUTINE (gaio_coroutine_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioCoroutine, gaio_coroutine, GAIO, COROUTINE, GObject)

/**
 * GAIO_COROUTINE_NEW:
 * @func: a #GaioCoroutineFunc
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Creates a #GaioCoroutine named after @func, with the calling
 * source file and line as its origin: the C spelling of calling an
 * `async def` function, `func()`.
 *
 * Returns: (transfer full): a new #GaioCoroutine
 *
 * Since: 1.0
 */
#define GAIO_COROUTINE_NEW(func, user_data, notify) \
  gaio_coroutine_new_full (#func, __FILE__, __LINE__, (func), (user_data), (notify))

GAIO_AVAILABLE_IN_ALL
GaioCoroutine *gaio_coroutine_new        (GaioCoroutineFunc  func,
                                          gpointer           user_data,
                                          GDestroyNotify     notify);
GAIO_AVAILABLE_IN_ALL
GaioCoroutine *gaio_coroutine_new_full   (const char        *name,
                                          const char        *file,
                                          int                line,
                                          GaioCoroutineFunc  func,
                                          gpointer           user_data,
                                          GDestroyNotify     notify);
GAIO_AVAILABLE_IN_ALL
const char    *gaio_coroutine_get_name   (GaioCoroutine     *coroutine);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_coroutine_is_started (GaioCoroutine     *coroutine);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_coroutine_is_done    (GaioCoroutine     *coroutine);
GAIO_AVAILABLE_IN_ALL
void           gaio_coroutine_close      (GaioCoroutine     *coroutine);
GAIO_AVAILABLE_IN_ALL
char          *gaio_coroutine_to_string  (GaioCoroutine     *coroutine);

G_END_DECLS
