/* gaio-timer-heap.c: a 4-ary min-heap of timer handles
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * One array for all of a loop's timers: arming or firing one costs
 * O(log n) and no GSource, so 100 000 pending timers cost the main loop
 * nothing per iteration beyond a look at the top of the heap (a pending
 * g_timeout_add source costs every iteration a check).
 *
 * With many timers, what firing one costs is the cache misses of taking
 * the top out: one per level the hole travels down. Hence four children
 * a node instead of two (half the levels), entries of sixteen bytes, and
 * the array placed so that the children of node i, 4i+1 .. 4i+4, always
 * share one 64-byte line: index 1 starts a line, the three entries
 * before it (one of them the root) sit at the end of the line before.
 *
 * Taking the top out moves the hole down to a leaf along the smallest
 * children, then lets the last entry rise from there (Floyd's bottom-up
 * variant): the last entry, a leaf, almost always belongs near the
 * bottom, so this saves the comparison with it at every level.
 */

#include "config.h"

#include <string.h>

#include "gaio-timer-heap-private.h"

#define ARITY      4
#define LINE_BYTES 64
/* Entries before index 1 in its cache line (see the top of the file). */
#define PAD        (LINE_BYTES / sizeof (GaioTimerEntry) - 1)

G_STATIC_ASSERT (sizeof (GaioTimerEntry) * ARITY == LINE_BYTES);

static inline gboolean
before (const GaioTimerEntry *a,
        const GaioTimerEntry *b)
{
  /* Equal deadlines are rare enough to afford a look at the handles. */
  return a->when < b->when || (a->when == b->when && a->handle->seq < b->handle->seq);
}

static inline guint
parent_of (guint i)
{
  return (i - 1) / ARITY;
}

static inline guint
first_child_of (guint i)
{
  return ARITY * i + 1;
}

/* The smallest of the children of a node, whose first child is @first,
 * in @items of @len entries. Takes the array rather than the heap so that
 * the compiler keeps both in registers across the stores of a sift. */
static inline guint
smallest_child (const GaioTimerEntry *items,
                guint                 len,
                guint                 first)
{
  guint end = MIN (first + ARITY, len);
  guint best = first;

  for (guint c = first + 1; c < end; c++)
    {
      if (before (&items[c], &items[best]))
        best = c;
    }

  return best;
}

/* The smallest of four children starting at @first, as a tournament:
 * the first two comparisons are independent of each other. */
static inline guint
smallest_of_four (const GaioTimerEntry *items,
                  guint                 first)
{
  guint a = before (&items[first + 1], &items[first]) ? first + 1 : first;
  guint b = before (&items[first + 3], &items[first + 2]) ? first + 3 : first + 2;

  return before (&items[b], &items[a]) ? b : a;
}

/* Puts @item at the hole @i or above it. */
static void
sift_up (GaioTimerHeap  *heap,
         guint           i,
         GaioTimerEntry  item)
{
  GaioTimerEntry *items = heap->items;

  while (i > 0)
    {
      guint parent = parent_of (i);

      if (!before (&item, &items[parent]))
        break;
      items[i] = items[parent];
      i = parent;
    }
  items[i] = item;
}

/* Puts the entry at @i where it belongs below it: used to rebuild. */
static void
sift_down (GaioTimerHeap *heap,
           guint          i)
{
  GaioTimerEntry *items = heap->items;
  guint len = heap->len;
  GaioTimerEntry item = items[i];

  for (;;)
    {
      guint first = first_child_of (i);
      guint child;

      if (first >= len)
        break;
      child = smallest_child (items, len, first);
      if (!before (&items[child], &item))
        break;
      items[i] = items[child];
      i = child;
    }
  items[i] = item;
}

/* Fills the hole at the root, for a heap that has lost its last entry,
 * @last (see the top of the file). */
static void
refill_root (GaioTimerHeap  *heap,
             GaioTimerEntry  last)
{
  GaioTimerEntry *items = heap->items;
  guint len = heap->len;
  guint i = 0;
  guint first;

  /* Nodes with four children: all but the last parent. */
  while ((first = first_child_of (i)) + ARITY <= len)
    {
      guint child = smallest_of_four (items, first);

      items[i] = items[child];
      i = child;
    }
  if (first < len)
    {
      guint child = smallest_child (items, len, first);

      items[i] = items[child];
      i = child;
    }
  sift_up (heap, i, last);
}

static void
grow (GaioTimerHeap *heap)
{
  guint allocated = MAX (64, heap->allocated * 2);
  GaioTimerEntry *block = g_aligned_alloc (allocated + PAD, sizeof (GaioTimerEntry), LINE_BYTES);

  if (heap->len > 0)
    memcpy (block + PAD, heap->items, heap->len * sizeof (GaioTimerEntry));
  g_aligned_free (heap->block);

  heap->block = block;
  heap->items = block + PAD;
  heap->allocated = allocated;
}

void
_gaio_timer_heap_init (GaioTimerHeap *heap)
{
  heap->items = NULL;
  heap->block = NULL;
  heap->len = 0;
  heap->allocated = 0;
}

void
_gaio_timer_heap_push (GaioTimerHeap *heap,
                       GaioHandle    *handle)
{
  if (heap->len == heap->allocated)
    grow (heap);

  heap->len++;
  sift_up (heap, heap->len - 1, (GaioTimerEntry) { handle->when, handle });
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
    refill_root (heap, heap->items[heap->len]);

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

  if (heap->len < 2)
    return;
  for (guint i = parent_of (heap->len - 1) + 1; i-- > 0;)
    sift_down (heap, i);
}

/* Drops every handle and frees the array. */
void
_gaio_timer_heap_clear (GaioTimerHeap     *heap,
                        GaioTimerHeapDrop  drop,
                        gpointer           user_data)
{
  /* Detach the items first: @drop may run user code (a destroy notify)
   * that schedules new timers on a loop being closed. */
  GaioTimerEntry *block = g_steal_pointer (&heap->block);
  GaioTimerEntry *items = g_steal_pointer (&heap->items);
  guint len = heap->len;

  heap->len = 0;
  heap->allocated = 0;

  for (guint i = 0; i < len; i++)
    drop (items[i].handle, user_data);

  g_aligned_free (block);
}
