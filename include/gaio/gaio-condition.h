/* gaio-condition.h: asyncio's Condition, for tasks and callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "gaio-lock.h"
#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

/**
 * GaioConditionPredicate:
 * @user_data: the data given to [method@Gaio.Condition.wait_for]
 *
 * The predicate [method@Gaio.Condition.wait_for] waits for. It is called
 * on the loop's thread with the condition's lock held.
 *
 * Returns: %TRUE when the wait is over
 *
 * Since: 1.0
 */
typedef gboolean (*GaioConditionPredicate) (gpointer user_data);

#define GAIO_TYPE_CONDITION (gaio_condition_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioCondition, gaio_condition, GAIO, CONDITION, GObject)

GAIO_AVAILABLE_IN_ALL
GaioCondition *gaio_condition_new        (GaioLoop               *loop,
                                          GaioLock               *lock);
GAIO_AVAILABLE_IN_ALL
GaioLock      *gaio_condition_get_lock   (GaioCondition          *condition);
GAIO_AVAILABLE_IN_ALL
GaioFuture    *gaio_condition_acquire    (GaioCondition          *condition);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_condition_release    (GaioCondition          *condition,
                                          GError                **error);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_condition_is_locked  (GaioCondition          *condition);
GAIO_AVAILABLE_IN_ALL
GaioFuture    *gaio_condition_wait       (GaioCondition          *condition);
GAIO_AVAILABLE_IN_ALL
GaioFuture    *gaio_condition_wait_for   (GaioCondition          *condition,
                                          GaioConditionPredicate  predicate,
                                          gpointer                user_data,
                                          GDestroyNotify          notify);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_condition_notify     (GaioCondition          *condition,
                                          guint                   n,
                                          GError                **error);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_condition_notify_all (GaioCondition          *condition,
                                          GError                **error);
GAIO_AVAILABLE_IN_ALL
char          *gaio_condition_to_string  (GaioCondition          *condition);

G_END_DECLS
