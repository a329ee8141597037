/* gaio-task-group.h: tasks that end together
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

typedef struct _GaioTaskGroup GaioTaskGroup;

#define GAIO_TYPE_TASK_GROUP (gaio_task_group_get_type ())

GAIO_AVAILABLE_IN_ALL
GType          gaio_task_group_get_type    (void) G_GNUC_CONST;

GAIO_AVAILABLE_IN_ALL
GaioTaskGroup *gaio_task_group_new         (void);
GAIO_AVAILABLE_IN_ALL
GaioTaskGroup *gaio_task_group_ref         (GaioTaskGroup  *group);
GAIO_AVAILABLE_IN_ALL
void           gaio_task_group_unref       (GaioTaskGroup  *group);

GAIO_AVAILABLE_IN_ALL
gboolean       gaio_task_group_enter       (GaioTaskGroup  *group,
                                            GError        **error);
GAIO_AVAILABLE_IN_ALL
GaioTask      *gaio_task_group_create_task (GaioTaskGroup  *group,
                                            GaioCoroutine  *coroutine,
                                            GError        **error);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_task_group_exit        (GaioTaskGroup  *group,
                                            GError        **error);

GAIO_AVAILABLE_IN_ALL
GPtrArray     *gaio_task_group_get_errors  (GaioTaskGroup  *group);
GAIO_AVAILABLE_IN_ALL
char          *gaio_task_group_to_string   (GaioTaskGroup  *group);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GaioTaskGroup, gaio_task_group_unref)

G_END_DECLS
