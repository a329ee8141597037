/* gaio-exception-context.h: what an exception handler is told
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

#define GAIO_TYPE_EXCEPTION_CONTEXT (gaio_exception_context_get_type ())

GAIO_AVAILABLE_IN_ALL
GType                 gaio_exception_context_get_type             (void) G_GNUC_CONST;
GAIO_AVAILABLE_IN_ALL
GaioExceptionContext *gaio_exception_context_new                  (const char            *message);
GAIO_AVAILABLE_IN_ALL
GaioExceptionContext *gaio_exception_context_ref                  (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_unref                (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
const char           *gaio_exception_context_get_message          (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_set_message          (GaioExceptionContext  *context,
                                                                   const char            *message);
GAIO_AVAILABLE_IN_ALL
const GError         *gaio_exception_context_get_error            (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_set_error            (GaioExceptionContext  *context,
                                                                   const GError          *error);
GAIO_AVAILABLE_IN_ALL
GaioFuture           *gaio_exception_context_get_future           (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_set_future           (GaioExceptionContext  *context,
                                                                   GaioFuture            *future);
GAIO_AVAILABLE_IN_ALL
GaioFuture           *gaio_exception_context_get_task             (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_set_task             (GaioExceptionContext  *context,
                                                                   GaioFuture            *task);
GAIO_AVAILABLE_IN_ALL
GaioHandle           *gaio_exception_context_get_handle           (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_set_handle           (GaioExceptionContext  *context,
                                                                   GaioHandle            *handle);
GAIO_AVAILABLE_IN_ALL
const char * const   *gaio_exception_context_get_source_traceback (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_set_source_traceback (GaioExceptionContext  *context,
                                                                   const char * const    *frames);
GAIO_AVAILABLE_IN_ALL
const GValue         *gaio_exception_context_get_value            (GaioExceptionContext  *context,
                                                                   const char            *key);
GAIO_AVAILABLE_IN_ALL
GValue               *gaio_exception_context_dup_value            (GaioExceptionContext  *context,
                                                                   const char            *key);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_set_value            (GaioExceptionContext  *context,
                                                                   const char            *key,
                                                                   const GValue          *value);
GAIO_AVAILABLE_IN_ALL
const char           *gaio_exception_context_get_string           (GaioExceptionContext  *context,
                                                                   const char            *key);
GAIO_AVAILABLE_IN_ALL
void                  gaio_exception_context_set_string           (GaioExceptionContext  *context,
                                                                   const char            *key,
                                                                   const char            *value);
GAIO_AVAILABLE_IN_ALL
gboolean              gaio_exception_context_contains             (GaioExceptionContext  *context,
                                                                   const char            *key);
GAIO_AVAILABLE_IN_ALL
gboolean              gaio_exception_context_remove               (GaioExceptionContext  *context,
                                                                   const char            *key);
GAIO_AVAILABLE_IN_ALL
char                **gaio_exception_context_dup_keys             (GaioExceptionContext  *context);
GAIO_AVAILABLE_IN_ALL
char                 *gaio_exception_context_to_string            (GaioExceptionContext  *context);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GaioExceptionContext, gaio_exception_context_unref)

G_END_DECLS
