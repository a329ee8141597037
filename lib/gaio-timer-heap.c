/* gaio-timer-heap.c: a loop's timers in deadline order
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * All of a loop's timers in a few arrays: arming or firing one costs at
 * most O(log n) and no GSource, so 100 000 pending timers cost the main
 * loop nothing per iteration beyond a look at the earliest one (a pending
 * g_timeout_add source costs every iteration a check).
 *
 * Three parts, the earliest timer being the earlier of the heap's top and
 * the run's head:
 *
 *  - a 4-ary min-heap. With many timers, what firing one from a heap
 *    costs is the cache misses of taking the top out: one per level the
 *    hole travels down. Hence four children a node instead of two (half
 *    the levels), entries of sixteen bytes, and the array placed so that
 *    the children of node i, 4i+1 .. 4i+4, always share one 64-byte
 *    line: index 1 starts a line, the three entries before it (one of
 *    them the root) sit at the end of the line before. Taking the top out
 *    moves the hole down to a leaf along the smallest children, then lets
 *    the last entry rise from there (Floyd's bottom-up variant).
 *
 *  - a sorted run, taken from its head: firing from it reads memory in
 *    order, which the processor prefetches.
 *
 *  - the timers added since the last look, in scheduling order. Looking
 *    (peek, pop, prune) first moves them into one of the others: a few
 *    go into the heap one by one; a burst of them (at least
 *    MIN_SORTED_BURST, and at least an eighth of the run, so that the
 *    merge below costs O(1) a timer) is sorted by deadline with a stable
 *    radix sort, which keeps ties in scheduling order, and merged with
 *    the run. A program that arms 100 000 timers at once never builds
 *    a heap of them.
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

/* Bursts smaller than this go into the heap one by one. */
#define MIN_SORTED_BURST 64

/* How far ahead in the run firing loads handles (see
 * _gaio_timer_heap_pop()). */
#define PREFETCH_AHEAD 8

static void
heap_push (GaioTimerHeap  *heap,
           GaioTimerEntry  entry)
{
  if (heap->len == heap->allocated)
    grow (heap);

  heap->len++;
  sift_up (heap, heap->len - 1, entry);
}

static GaioHandle *
heap_pop (GaioTimerHeap *heap)
{
  GaioHandle *top = heap->items[0].handle;

  heap->len--;
  if (heap->len > 0)
    refill_root (heap, heap->items[heap->len]);

  return top;
}

/* The widest digit of radix_sort(): 2^11 counts, 8 KiB, stay in the
 * first-level cache while items are scattered by them. */
#define MAX_DIGIT_BITS 11

/* How many bits the deadlines of @items differ in from the earliest,
 * @min. */
static guint
deadline_bits (const GaioTimerEntry *items,
               guint                 n,
               gint64               *min)
{
  gint64 lo = items[0].when;
  gint64 hi = lo;

  for (guint i = 1; i < n; i++)
    {
      lo = MIN (lo, items[i].when);
      hi = MAX (hi, items[i].when);
    }
  *min = lo;

  /* Unsigned: deadlines may be negative (call_at() keeps the value it
   * is given), and the spread of 'never' and such a deadline overflows
   * a gint64. */
  return hi == lo ? 0 : 64 - __builtin_clzll ((guint64) hi - (guint64) lo);
}

/* Sorts @items by deadline, stably, with @scratch of the same size.
 * Returns whichever of the two holds the result. Least significant digit
 * first, over the bits in which the deadlines differ from the earliest,
 * in as few passes as digits of at most MAX_DIGIT_BITS bits allow (two
 * for 100 000 timers over four seconds), and with no more counts than
 * items, so that a small burst does not clear large tables. The counts
 * of every pass are taken in one read of the items, then each pass moves
 * them once. */
static GaioTimerEntry *
radix_sort (GaioTimerEntry *items,
            GaioTimerEntry *scratch,
            guint           n)
{
  gint64 min;
  guint bits = deadline_bits (items, n, &min);
  guint max_digit = CLAMP (g_bit_storage (n) - 1, 8, MAX_DIGIT_BITS);
  guint n_passes = (bits + max_digit - 1) / max_digit;
  guint digit, n_buckets;
  guint *counts;

  if (n_passes == 0)
    return items;

  digit = (bits + n_passes - 1) / n_passes;
  n_buckets = 1u << digit;
  counts = g_new0 (guint, n_passes * n_buckets);

  for (guint i = 0; i < n; i++)
    {
      guint64 key = (guint64) items[i].when - (guint64) min;

      for (guint p = 0; p < n_passes; p++)
        counts[p * n_buckets + ((key >> (p * digit)) & (n_buckets - 1))]++;
    }

  for (guint p = 0; p < n_passes; p++)
    {
      guint *count = counts + p * n_buckets;
      guint shift = p * digit;
      guint sum = 0;
      GaioTimerEntry *swap;

      for (guint b = 0; b < n_buckets; b++)
        {
          guint c = count[b];

          count[b] = sum;
          sum += c;
        }
      for (guint i = 0; i < n; i++)
        scratch[count[(((guint64) items[i].when - (guint64) min) >> shift) & (n_buckets - 1)]++] = items[i];

      swap = items;
      items = scratch;
      scratch = swap;
    }

  g_free (counts);
  return items;
}

/* Merges the sorted @sorted into the run, keeping (when, seq) order. */
static void
merge_into_run (GaioTimerHeap        *heap,
                const GaioTimerEntry *sorted,
                guint                 n)
{
  const GaioTimerEntry *old = heap->run + heap->run_head;
  guint n_old = heap->run_len - heap->run_head;
  GaioTimerEntry *merged = g_new (GaioTimerEntry, n_old + n);
  guint i = 0, j = 0, k = 0;

  while (i < n_old && j < n)
    merged[k++] = before (&sorted[j], &old[i]) ? sorted[j++] : old[i++];
  while (i < n_old)
    merged[k++] = old[i++];
  while (j < n)
    merged[k++] = sorted[j++];

  g_free (heap->run);
  heap->run = merged;
  heap->run_head = 0;
  heap->run_len = k;
}

/* Sorts the @n timers added since the last look into the run: merged
 * with it, or as the run itself when there is none (saving a copy, and
 * with 100 000 timers the page faults of a fresh array). */
static void
sort_added_into_run (GaioTimerHeap *heap,
                     guint          n)
{
  GaioTimerEntry *scratch = g_new (GaioTimerEntry, n);
  GaioTimerEntry *sorted = radix_sort (heap->added, scratch, n);

  if (heap->run_head < heap->run_len)
    {
      merge_into_run (heap, sorted, n);
      g_free (scratch);
      return;
    }

  g_free (heap->run);
  heap->run = sorted;
  heap->run_head = 0;
  heap->run_len = n;
  /* If the result is in the array timers are added to, the scratch one
   * takes its place; else the scratch one is the run now. */
  if (sorted == heap->added)
    {
      heap->added = scratch;
      heap->added_allocated = n;
    }
}

/* Moves the timers added since the last look into the heap or the run
 * (see the top of the file). */
static void
settle (GaioTimerHeap *heap)
{
  guint n = heap->n_added;

  if (G_LIKELY (n == 0))
    return;

  heap->n_added = 0;
  if (n < MIN_SORTED_BURST || n < (heap->run_len - heap->run_head) / 8)
    {
      for (guint i = 0; i < n; i++)
        heap_push (heap, heap->added[i]);
    }
  else
    sort_added_into_run (heap, n);
}

void
_gaio_timer_heap_init (GaioTimerHeap *heap)
{
  *heap = (GaioTimerHeap) { NULL, };
}

void
_gaio_timer_heap_push (GaioTimerHeap *heap,
                       GaioHandle    *handle)
{
  if (heap->n_added == heap->added_allocated)
    {
      heap->added_allocated = MAX (64, heap->added_allocated * 2);
      heap->added = g_renew (GaioTimerEntry, heap->added, heap->added_allocated);
    }

  heap->added[heap->n_added++] = (GaioTimerEntry) { handle->u.timer.when, handle };
}

/* Whether the earliest timer is the run's head rather than the heap's
 * top. Both must not be empty together. */
static inline gboolean
earliest_in_run (const GaioTimerHeap *heap)
{
  if (heap->run_head == heap->run_len)
    return FALSE;
  if (heap->len == 0)
    return TRUE;

  return before (&heap->run[heap->run_head], &heap->items[0]);
}

const GaioTimerEntry *
_gaio_timer_heap_peek (GaioTimerHeap *heap)
{
  settle (heap);

  if (earliest_in_run (heap))
    return &heap->run[heap->run_head];

  return heap->len > 0 ? &heap->items[0] : NULL;
}

GaioHandle *
_gaio_timer_heap_pop (GaioTimerHeap *heap)
{
  GaioHandle *top;

  settle (heap);

  if (!earliest_in_run (heap))
    return heap->len > 0 ? heap_pop (heap) : NULL;

  /* The handles of a run are touched in its order but scattered in
   * memory: start loading one a few timers ahead, so that its cache miss
   * is over by the time it fires. */
  if (heap->run_head + PREFETCH_AHEAD < heap->run_len)
    __builtin_prefetch (heap->run[heap->run_head + PREFETCH_AHEAD].handle);

  top = heap->run[heap->run_head++].handle;
  if (heap->run_head == heap->run_len)
    {
      g_clear_pointer (&heap->run, g_free);
      heap->run_head = heap->run_len = 0;
    }

  return top;
}

/* Keeps the pending entries of @items, in order, dropping the others.
 * Returns how many were kept. */
static guint
filter_pending (GaioTimerEntry    *items,
                guint              n,
                GaioTimerHeapDrop  drop,
                gpointer           user_data)
{
  guint kept = 0;

  for (guint i = 0; i < n; i++)
    {
      GaioHandle *handle = items[i].handle;

      if (_gaio_handle_is_pending (handle))
        items[kept++] = items[i];
      else
        drop (handle, user_data);
    }

  return kept;
}

/* Removes every handle that is no longer pending (cancelled ones, in
 * practice), and rebuilds the heap in O(n). */
void
_gaio_timer_heap_prune (GaioTimerHeap     *heap,
                        GaioTimerHeapDrop  drop,
                        gpointer           user_data)
{
  settle (heap);

  heap->run_len = heap->run_head +
                  filter_pending (heap->run + heap->run_head, heap->run_len - heap->run_head,
                                  drop, user_data);

  heap->len = filter_pending (heap->items, heap->len, drop, user_data);
  if (heap->len < 2)
    return;
  for (guint i = parent_of (heap->len - 1) + 1; i-- > 0;)
    sift_down (heap, i);
}

/* Drops every handle and frees the arrays. */
void
_gaio_timer_heap_clear (GaioTimerHeap     *heap,
                        GaioTimerHeapDrop  drop,
                        gpointer           user_data)
{
  /* Detach everything first: @drop may run user code (a destroy notify)
   * that schedules new timers on a loop being closed. */
  GaioTimerHeap old = *heap;

  _gaio_timer_heap_init (heap);

  for (guint i = 0; i < old.len; i++)
    drop (old.items[i].handle, user_data);
  for (guint i = old.run_head; i < old.run_len; i++)
    drop (old.run[i].handle, user_data);
  for (guint i = 0; i < old.n_added; i++)
    drop (old.added[i].handle, user_data);

  g_aligned_free (old.block);
  g_free (old.run);
  g_free (old.added);
}
