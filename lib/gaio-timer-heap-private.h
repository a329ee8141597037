/* gaio-timer-heap-private.h: a loop's timers in deadline order
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio-handle-private.h"

G_BEGIN_DECLS

/* The deadline is kept in the arrays themselves, next to the handle
 * pointer: ordering compares deadlines without touching the handles,
 * which for 100 000 timers are scattered over megabytes. Only equal
 * deadlines look at the handles' ->seq. Sixteen bytes, so that the four
 * children of a heap node fill one cache line (see gaio-timer-heap.c). */
typedef struct
{
  gint64      when;
  GaioHandle *handle;   /* (owned) */
} GaioTimerEntry;

/* Ordered by (when, handle->seq): deadline order, ties in scheduling
 * order. Holds one reference on each handle; the functions that take
 * handles out hand that reference to @drop or to the caller. Loop thread
 * only. See gaio-timer-heap.c for the three parts. */
typedef struct
{
  /* A 4-ary min-heap. */
  GaioTimerEntry *items;    /* into @block, see gaio-timer-heap.c */
  GaioTimerEntry *block;    /* (owned) (nullable) cache-line aligned */
  guint           len;
  guint           allocated;

  /* A sorted run, consumed from @run_head. */
  GaioTimerEntry *run;      /* (owned) (nullable) */
  guint           run_head;
  guint           run_len;

  /* Scheduled since the last look, in scheduling order. */
  GaioTimerEntry *added;    /* (owned) (nullable) */
  guint           n_added;
  guint           added_allocated;
} GaioTimerHeap;

typedef void (*GaioTimerHeapDrop) (GaioHandle *handle,
                                   gpointer    user_data);

void                  _gaio_timer_heap_init  (GaioTimerHeap     *heap);
void                  _gaio_timer_heap_push  (GaioTimerHeap     *heap,
                                              GaioHandle        *handle);
/* The earliest timer, or NULL. */
const GaioTimerEntry *_gaio_timer_heap_peek  (GaioTimerHeap     *heap);
GaioHandle           *_gaio_timer_heap_pop   (GaioTimerHeap     *heap);
void                  _gaio_timer_heap_prune (GaioTimerHeap     *heap,
                                              GaioTimerHeapDrop  drop,
                                              gpointer           user_data);
void                  _gaio_timer_heap_clear (GaioTimerHeap     *heap,
                                              GaioTimerHeapDrop  drop,
                                              gpointer           user_data);

/* How many timers it holds, cancelled ones included. */
static inline guint
_gaio_timer_heap_len (const GaioTimerHeap *heap)
{
  return heap->len + (heap->run_len - heap->run_head) + heap->n_added;
}

G_END_DECLS
