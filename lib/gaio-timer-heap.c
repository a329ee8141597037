/* gaio-timer-heap.c: a binary min-heap of timer handles
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * One array for all of a loop's timers: arming or firing one costs
 * O(log n) and no GSource, so 100 000 pending timers cost the main loop
 * nothing per iteration beyond a look at the top of the heap (a pending
 * g_timeout_add source costs every iteration a check).
 */

#include "config.h"

#include "gaio-timer-heap-private.h"

static inline gboolean
before (const GaioTimerEntry *a,
        const GaioTimerEntry *b)
{
  return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void
sift_up (GaioTimerHeap *heap,
         guint          i)
{
  GaioTimerEntry item = heap->items[i];

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (!before (&item, &heap->items[parent]))
        break;
      heap->items[i] = heap->items[parent];
      i = parent;
    }
  heap->items[i] = item;
}

static void
sift_down (GaioTimerHeap *heap,
           guint          i)
{
  GaioTimerEntry item = heap->items[i];

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && before (&heap->items[child + 1], &heap->items[child]))
        child++;
      if (!before (&heap->items[child], &item))
        break;
      heap->items[i] = heap->items[child];
      i = child;
    }
  heap->items[i] = item;
}

void
_gaio_timer_heap_init (GaioTimerHeap *heap)
{
  heap->items = NULL;
  heap->len = 0;
  heap->allocated = 0;
}

void
_gaio_timer_heap_push (GaioTimerHeap *heap,
                       GaioHandle    *handle)
{
  if (heap->len == heap->allocated)
    {
      heap->allocated = MAX (64, heap->allocated * 2);
      heap->items = g_renew (GaioTimerEntry, heap->items, heap->allocated);
    }

  heap->items[heap->len++] = (GaioTimerEntry) { handle->when, handle->seq, handle };
  sift_up (heap, heap->len - 1);
}

GaioHandle *
_gaio_timer_heap_pop (GaioTimerHeap *heap)
{
  GaioHandle *top;

  if (heap->len == 0)
    return NULL;

  top = heap->items[0].handle;
  heap->len--;
  if (heap->len > 0)
    {
      heap->items[0] = heap->items[heap->len];
      sift_down (heap, 0);
    }

  return top;
}

/* Removes every handle that is no longer pending (cancelled ones, in
 * practice) and rebuilds the heap in O(n). */
void
_gaio_timer_heap_prune (GaioTimerHeap     *heap,
                        GaioTimerHeapDrop  drop,
                        gpointer           user_data)
{
  guint kept = 0;

  for (guint i = 0; i < heap->len; i++)
    {
      GaioHandle *handle = heap->items[i].handle;

      if (_gaio_handle_is_pending (handle))
        heap->items[kept++] = heap->items[i];
      else
        drop (handle, user_data);
    }
  heap->len = kept;

  for (guint i = heap->len / 2; i-- > 0;)
    sift_down (heap, i);
}

void
_gaio_timer_heap_clear (GaioTimerHeap     *heap,
                        GaioTimerHeapDrop  drop,
                        gpointer           user_data)
{
  /* Detach the items first: @drop may run user code (a destroy notify)
   * that schedules new timers on a loop being closed. */
  GaioTimerEntry *items = g_steal_pointer (&heap->items);
  guint len = heap->len;

  heap->len = 0;
  heap->allocated = 0;

  for (guint i = 0; i < len; i++)
    drop (items[i].handle, user_data);

  g_free (items);
}
