/* gaio-queue.h: asyncio's Queue, PriorityQueue and LifoQueue
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

/**
 * GAIO_QUEUE_ERROR:
 *
 * The error domain of [class@Gaio.Queue].
 *
 * Since: 1.0
 */
#define GAIO_QUEUE_ERROR (gaio_queue_error_quark ())

/**
 * GaioQueueError:
 * @GAIO_QUEUE_ERROR_FULL: the queue is full (asyncio's `QueueFull`)
 * @GAIO_QUEUE_ERROR_EMPTY: the queue is empty (asyncio's `QueueEmpty`)
 * @GAIO_QUEUE_ERROR_SHUT_DOWN: the queue was shut down (asyncio 3.13's
 *   `QueueShutDown`)
 *
 * Error codes of the %GAIO_QUEUE_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum {
  GAIO_QUEUE_ERROR_FULL,
  GAIO_QUEUE_ERROR_EMPTY,
  GAIO_QUEUE_ERROR_SHUT_DOWN,
} GaioQueueError;

GAIO_AVAILABLE_IN_ALL
GQuark gaio_queue_error_quark (void);

/**
 * GaioQueueKind:
 * @GAIO_QUEUE_FIFO: first in, first out (asyncio's `Queue`)
 * @GAIO_QUEUE_LIFO: last in, first out (asyncio's `LifoQueue`)
 * @GAIO_QUEUE_PRIORITY: lowest first, equal items in the order they came
 *   (asyncio's `PriorityQueue`)
 *
 * The order in which a [class@Gaio.Queue] hands out its items.
 *
 * Since: 1.0
 */
typedef enum {
  GAIO_QUEUE_FIFO,
  GAIO_QUEUE_LIFO,
  GAIO_QUEUE_PRIORITY,
} GaioQueueKind;

/**
 * GaioQueueCompareFunc:
 * @a: an item
 * @b: another item
 * @user_data: the data given to [ctor@Gaio.Queue.new_priority]
 *
 * Orders the items of a priority queue.
 *
 * Returns: negative if @a comes before @b, positive if after, 0 if equal
 *
 * Since: 1.0
 */
typedef gint (*GaioQueueCompareFunc) (const GValue *a,
                                      const GValue *b,
                                      gpointer      user_data);

#define GAIO_TYPE_QUEUE (gaio_queue_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioQueue, gaio_queue, GAIO, QUEUE, GObject)

GAIO_AVAILABLE_IN_ALL
GaioQueue     *gaio_queue_new                 (GaioLoop             *loop,
                                               gint                  maxsize);
GAIO_AVAILABLE_IN_ALL
GaioQueue     *gaio_queue_new_lifo            (GaioLoop             *loop,
                                               gint                  maxsize);
GAIO_AVAILABLE_IN_ALL
GaioQueue     *gaio_queue_new_priority        (GaioLoop             *loop,
                                               gint                  maxsize,
                                               GaioQueueCompareFunc  compare,
                                               gpointer              user_data,
                                               GDestroyNotify        notify);
GAIO_AVAILABLE_IN_ALL
GaioLoop      *gaio_queue_get_loop            (GaioQueue            *queue);
GAIO_AVAILABLE_IN_ALL
GaioQueueKind  gaio_queue_get_kind            (GaioQueue            *queue);
GAIO_AVAILABLE_IN_ALL
gint           gaio_queue_get_maxsize         (GaioQueue            *queue);
GAIO_AVAILABLE_IN_ALL
guint          gaio_queue_get_size            (GaioQueue            *queue);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_queue_is_empty            (GaioQueue            *queue);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_queue_is_full             (GaioQueue            *queue);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_queue_is_shut_down        (GaioQueue            *queue);

GAIO_AVAILABLE_IN_ALL
GaioFuture    *gaio_queue_put                 (GaioQueue            *queue,
                                               const GValue         *item);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_queue_put_nowait          (GaioQueue            *queue,
                                               const GValue         *item,
                                               GError              **error);
GAIO_AVAILABLE_IN_ALL
GaioFuture    *gaio_queue_put_pointer         (GaioQueue            *queue,
                                               gpointer              item,
                                               GDestroyNotify        destroy);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_queue_put_pointer_nowait  (GaioQueue            *queue,
                                               gpointer              item,
                                               GDestroyNotify        destroy,
                                               GError              **error);

GAIO_AVAILABLE_IN_ALL
GaioFuture    *gaio_queue_get                 (GaioQueue            *queue);
GAIO_AVAILABLE_IN_ALL
gboolean       gaio_queue_get_nowait          (GaioQueue            *queue,
                                               GValue               *item,
                                               GError              **error);
GAIO_AVAILABLE_IN_ALL
GValue        *gaio_queue_get_nowait_dup      (GaioQueue            *queue,
                                               GError              **error);
GAIO_AVAILABLE_IN_ALL
gpointer       gaio_queue_get_pointer_nowait  (GaioQueue            *queue,
                                               GDestroyNotify       *destroy,
                                               GError              **error);

GAIO_AVAILABLE_IN_ALL
gboolean       gaio_queue_task_done           (GaioQueue            *queue,
                                               GError              **error);
GAIO_AVAILABLE_IN_ALL
GaioFuture    *gaio_queue_join                (GaioQueue            *queue);
GAIO_AVAILABLE_IN_ALL
void           gaio_queue_shutdown            (GaioQueue            *queue,
                                               gboolean              immediate);
GAIO_AVAILABLE_IN_ALL
char          *gaio_queue_to_string           (GaioQueue            *queue);

G_END_DECLS
