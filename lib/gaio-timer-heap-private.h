/* gaio-timer-heap-private.h: a 4-ary min-heap of timer handles
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio-handle-private.h"

G_BEGIN_DECLS

/* The deadline is kept in the array itself, next to the handle pointer:
 * sifting compares deadlines without touching the handles, which for
 * 100 000 timers are scattered over megabytes. Only equal deadlines look
 * at the handles' ->seq. Sixteen bytes, so that the four children of a
 * node fill one cache line (see gaio-timer-heap.c). */
typedef struct
{
  gint64      when;
  GaioHandle *handle;   /* (owned) */
} GaioTimerEntry;

/* Ordered by (when, handle->seq): deadline order, ties in scheduling
 * order. The heap owns one reference on each handle it holds; the
 * functions that take handles out hand that reference to @drop or to
 * the caller. Loop thread only. */
typedef struct
{
  GaioTimerEntry *items;    /* into @block, see gaio-timer-heap.c */
  GaioTimerEntry *block;    /* (owned) (nullable) cache-line aligned */
  guint           len;
  guint           allocated;
} GaioTimerHeap;

typedef void (*GaioTimerHeapDrop) (GaioHandle *handle,
                                   gpointer    user_data);

void        _gaio_timer_heap_init  (GaioTimerHeap     *heap);
void        _gaio_timer_heap_push  (GaioTimerHeap     *heap,
                                    GaioHandle        *handle);
GaioHandle *_gaio_timer_heap_pop   (GaioTimerHeap     *heap);
void        _gaio_timer_heap_prune (GaioTimerHeap     *heap,
                                    GaioTimerHeapDrop  drop,
                                    gpointer           user_data);
void        _gaio_timer_heap_clear (GaioTimerHeap     *heap,
                                    GaioTimerHeapDrop  drop,
                                    gpointer           user_data);

static inline const GaioTimerEntry *
_gaio_timer_heap_peek (GaioTimerHeap *heap)
{
  return heap->len > 0 ? &heap->items[0] : NULL;
}

G_END_DECLS
