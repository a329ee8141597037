/* gaio-queue.c: asyncio's Queue, PriorityQueue and LifoQueue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Items, and three FIFOs of waiters (gaio-waiter.c): getters, putters and
 * joiners. asyncio's design, kept step for step, since it is observable:
 *
 *  - put_nowait() queues the item and wakes the first getter;
 *    get_nowait() takes one and wakes the first putter. Woken is not
 *    served: qsize() counts the item put, and a get_nowait() (or a get()
 *    finding items) from anyone takes it first;
 *  - a woken waiter retries in the step where asyncio's coroutine resumes
 *    (waiter_retry()): a getter takes an item if there is one, a putter
 *    puts if there is room; one that lost waits again at the END of its
 *    line, as asyncio's `while self.empty()` loop appends a new future.
 *
 * The hops are asyncio's too. asyncio's wakeup sets the waiter's future,
 * whose callback resumes the task one iteration later, and the task then
 * retries. Here the waiter is the future the caller awaits, so waking it
 * holds its done callbacks (_gaio_future_hold_callbacks()) and schedules
 * one handle, the retry; the retry completes the future and resumes the
 * awaiting task at once (_gaio_future_run_held_wakeups()): the task runs
 * in the iteration where asyncio's does. A plain done callback is
 * scheduled from the retry, one iteration later, where the callback of a
 * task wrapping asyncio's get() runs.
 *
 * Cancelled while it waits, a waiter leaves its line and is done at once
 * (its callbacks are not held). Cancelled once woken, before its retry
 * ran, it is done but its callbacks wait for the retry, which does what
 * asyncio's except branch does: if an item (a slot) is still there, the
 * next waiter is woken. A woken waiter is kept in @woken until its retry
 * runs, so that a queue finalized meanwhile cancels it.
 *
 * Every item is freed exactly once, by whoever holds it last: the queue
 * (an item drained by shutdown (immediate) or left when the queue is
 * finalized), a putter's waiter (a put cancelled or refused), or the
 * getter's future that finished with it (its result's destroy notify,
 * for a pointer item). A getter's future finishes with the item in the
 * step that resumes the task awaiting it, so no task lets go of an item
 * unread, as none can in asyncio.
 *
 * Shut down (asyncio 3.13): puts fail with QUEUE_ERROR_SHUT_DOWN and so
 * do gets once the queue is empty; every waiter is woken and retries,
 * a putter failing, a getter failing if the queue is empty by then;
 * shutdown (immediate) also drains the queue, counting each drained item
 * as done for join().
 */

#include "config.h"

#include "gaio-loop-private.h"
#include "gaio-waiter-private.h"

#define SPARE_ITEMS 8

typedef struct
{
  GValue         value;
  GDestroyNotify destroy;   /* for a G_TYPE_POINTER value */
  gint64         seq;       /* a priority queue's tie-break: put order */
} Item;

struct _GaioQueue
{
  GObject               parent_instance;

  GaioLoop             *loop;        /* (owned) */
  GaioQueueKind         kind;
  gint                  maxsize;     /* <= 0: unbounded */

  /* FIFO and LIFO kinds: the items in put order (LIFO pops the newest),
   * ring_len of them from ring_head in a ring of ring_allocated slots, a
   * power of two. A ring rather than a GQueue: no list node to allocate
   * and free per item. */
  Item                **ring;        /* (owned) (array length=ring_allocated) */
  /* Blocks of items gone, for the next puts: a put and a get through a
   * full queue make and free one each. */
  Item                 *spare_items[SPARE_ITEMS];  /* (owned) n_spare_items of them */
  guint                 n_spare_items;
  guint                 ring_head;
  guint                 ring_len;
  guint                 ring_allocated;
  GPtrArray            *heap;        /* (owned) Item, a binary min-heap, PRIORITY kind */
  GaioQueueCompareFunc  compare;
  gpointer              compare_data;
  GDestroyNotify        compare_notify;
  gint64                next_seq;    /* put order */

  GQueue                getters;     /* (owned) GaioWaiter, each with a reference */
  GQueue                putters;     /* (owned) GaioWaiter, each with a reference and its Item in ->data */
  GQueue                woken;       /* (owned) GaioWaiter, getters and putters whose retry is scheduled */
  GQueue                joiners;     /* (owned) GaioWaiter, each with a reference */
  guint                 unfinished;  /* asyncio's _unfinished_tasks */
  gboolean              shut_down;
};

/**
 * GaioQueue:
 *
 * asyncio's `Queue` (and `LifoQueue` and `PriorityQueue`): items handed
 * from producers to consumers on one loop.
 *
 * Items are #GValues, so that bindings and C pass any type (objects,
 * boxed types, strings, numbers); C code may also put pointers with a
 * destroy notify ([method@Gaio.Queue.put_pointer]). [method@Gaio.Queue.get]
 * returns a [struct@Gaio.Future] that finishes with the next item;
 * [method@Gaio.Queue.put] one that finishes once the item is in (at once
 * unless the queue is full, @maxsize > 0). The `_nowait` calls fail at
 * once with %GAIO_QUEUE_ERROR_EMPTY or %GAIO_QUEUE_ERROR_FULL instead of
 * waiting.
 *
 * As in asyncio, a put wakes the first waiting getter, which takes an
 * item when it resumes, and a get the first waiting putter: the item
 * (the slot) is not reserved meanwhile, a `_nowait` call may take it
 * first, and the waiter then waits again at the end of the line.
 *
 * [method@Gaio.Queue.task_done] and [method@Gaio.Queue.join] count the
 * items put and not yet processed; [method@Gaio.Queue.shutdown] (asyncio
 * 3.13) ends the queue.
 *
 * Every item is freed exactly once: by the consumer that took it, or by
 * the queue if it never reaches one (a put cancelled or refused, a
 * shutdown that drains the queue, the queue finalized with items in it).
 * A pointer item handed out by get() belongs to that future: read it with
 * gaio_future_get_result_pointer() while you hold the future, which frees
 * it with its destroy notify when it goes.
 *
 * A queue is used from the loop's thread only: it is not thread-safe, as
 * asyncio's is not. A worker thread feeds it by posting the put to the
 * loop with [method@Gaio.Loop.call_soon_threadsafe] (see
 * `examples/queue-threads.c`). A queue finalized while waited for cancels
 * its waiters.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioQueue, gaio_queue, G_TYPE_OBJECT)

G_DEFINE_QUARK (gaio-queue-error-quark, gaio_queue_error)

static void
item_free (Item *item)
{
  if (item->destroy != NULL && G_VALUE_HOLDS_POINTER (&item->value))
    item->destroy (g_value_get_pointer (&item->value));
  if (G_IS_VALUE (&item->value))
    g_value_unset (&item->value);
  g_free (item);
}

/* An item taking the contents of @value (left unset). */
static Item *
item_take (GaioQueue      *queue,
           GValue         *value,
           GDestroyNotify  destroy)
{
  Item *item = queue->n_spare_items > 0 ? queue->spare_items[--queue->n_spare_items]
                                        : g_new (Item, 1);

  item->value = *value;
  memset (value, 0, sizeof *value);
  item->destroy = destroy;
  item->seq = 0;

  return item;
}

/* Frees the block of an item whose value went elsewhere. */
static void
item_release (GaioQueue *queue,
              Item      *item)
{
  if (queue->n_spare_items < SPARE_ITEMS)
    queue->spare_items[queue->n_spare_items++] = item;
  else
    g_free (item);
}

/* The priority order: numbers by value, strings by strcmp(); anything
 * else is equal (put order decides). */
static gint
default_compare (const GValue *a,
                 const GValue *b,
                 gpointer      user_data)
{
  if (G_VALUE_HOLDS_STRING (a) && G_VALUE_HOLDS_STRING (b))
    return g_strcmp0 (g_value_get_string (a), g_value_get_string (b));

  if (g_value_type_transformable (G_VALUE_TYPE (a), G_TYPE_DOUBLE) &&
      g_value_type_transformable (G_VALUE_TYPE (b), G_TYPE_DOUBLE) &&
      !G_VALUE_HOLDS_STRING (a) && !G_VALUE_HOLDS_STRING (b))
    {
      GValue da = G_VALUE_INIT, db = G_VALUE_INIT;
      gdouble x, y;

      g_value_init (&da, G_TYPE_DOUBLE);
      g_value_init (&db, G_TYPE_DOUBLE);
      g_value_transform (a, &da);
      g_value_transform (b, &db);
      x = g_value_get_double (&da);
      y = g_value_get_double (&db);

      return x < y ? -1 : x > y ? 1 : 0;
    }

  return 0;
}

static gboolean
heap_less (GaioQueue *queue,
           Item      *a,
           Item      *b)
{
  gint order = queue->compare (&a->value, &b->value, queue->compare_data);

  return order < 0 || (order == 0 && a->seq < b->seq);
}

static void
heap_swap (GPtrArray *heap,
           guint      i,
           guint      j)
{
  gpointer tmp = heap->pdata[i];

  heap->pdata[i] = heap->pdata[j];
  heap->pdata[j] = tmp;
}

static void
heap_push (GaioQueue *queue,
           Item      *item)
{
  GPtrArray *heap = queue->heap;
  guint i = heap->len;

  g_ptr_array_add (heap, item);
  while (i > 0 && heap_less (queue, heap->pdata[i], heap->pdata[(i - 1) / 2]))
    {
      heap_swap (heap, i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
}

static Item *
heap_pop (GaioQueue *queue)
{
  GPtrArray *heap = queue->heap;
  Item *top = heap->pdata[0];
  /* Stolen: the array's free function must not see it go. */
  Item *last = g_ptr_array_steal_index (heap, heap->len - 1);
  guint i = 0;

  if (heap->len == 0)
    return top;

  heap->pdata[0] = last;
  for (;;)
    {
      guint left = 2 * i + 1, right = left + 1, least = i;

      if (left < heap->len && heap_less (queue, heap->pdata[left], heap->pdata[least]))
        least = left;
      if (right < heap->len && heap_less (queue, heap->pdata[right], heap->pdata[least]))
        least = right;
      if (least == i)
        break;
      heap_swap (heap, i, least);
      i = least;
    }

  return top;
}

static void
ring_push (GaioQueue *queue,
           Item      *item)
{
  if (queue->ring_len == queue->ring_allocated)
    {
      guint allocated = MAX (8, queue->ring_allocated * 2);
      Item **ring = g_new (Item *, allocated);

      /* Unwrapped, from the head. */
      for (guint i = 0; i < queue->ring_len; i++)
        ring[i] = queue->ring[(queue->ring_head + i) & (queue->ring_allocated - 1)];
      g_free (queue->ring);
      queue->ring = ring;
      queue->ring_head = 0;
      queue->ring_allocated = allocated;
    }

  queue->ring[(queue->ring_head + queue->ring_len++) & (queue->ring_allocated - 1)] = item;
}

/* The oldest item. The ring must not be empty. */
static Item *
ring_pop_head (GaioQueue *queue)
{
  Item *item = queue->ring[queue->ring_head];

  queue->ring_head = (queue->ring_head + 1) & (queue->ring_allocated - 1);
  queue->ring_len--;

  return item;
}

/* The newest item. The ring must not be empty. */
static Item *
ring_pop_tail (GaioQueue *queue)
{
  return queue->ring[(queue->ring_head + --queue->ring_len) & (queue->ring_allocated - 1)];
}

static void
items_push (GaioQueue *queue,
            Item      *item)
{
  item->seq = queue->next_seq++;
  if (queue->kind == GAIO_QUEUE_PRIORITY)
    heap_push (queue, item);
  else
    ring_push (queue, item);
}

static guint
items_len (GaioQueue *queue)
{
  return queue->kind == GAIO_QUEUE_PRIORITY ? queue->heap->len : queue->ring_len;
}

/* The next item. There must be one. */
static Item *
items_pop (GaioQueue *queue)
{
  switch (queue->kind)
    {
    case GAIO_QUEUE_PRIORITY:
      return heap_pop (queue);
    case GAIO_QUEUE_LIFO:
      return ring_pop_tail (queue);
    case GAIO_QUEUE_FIFO:
    default:
      return ring_pop_head (queue);
    }
}

static gboolean
is_full (GaioQueue *queue)
{
  return queue->maxsize > 0 && items_len (queue) >= (guint) queue->maxsize;
}

/* Sets a future's result to @item's value: the future owns it now. */
static void
complete_with_item (GaioQueue  *queue,
                    GaioFuture *future,
                    Item       *item)
{
  if (item->destroy != NULL && G_VALUE_HOLDS_POINTER (&item->value))
    future->result_destroy = item->destroy;
  _gaio_future_complete_value (future, &item->value);
  item_release (queue, item);
}

static void
finish_none (GaioWaiter *waiter)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_POINTER);
  _gaio_waiter_finish (waiter, &value);
}

#define SHUT_DOWN_MESSAGE "Queue is shut down"

static GError *
shut_down_error (void)
{
  return g_error_new_literal (GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN, SHUT_DOWN_MESSAGE);
}

static void
wake_joiners (GaioQueue *queue)
{
  GaioWaiter *waiter;

  while ((waiter = _gaio_waiter_pop (&queue->joiners)) != NULL)
    {
      finish_none (waiter);
      gaio_future_unref (GAIO_FUTURE (waiter));
    }
}

static void wake (GaioQueue  *queue,
                  GaioWaiter *waiter);

/* asyncio's _wakeup_next(): the first waiter of @waiters, if any, gets
 * to retry. Cancelled waiters have left the line already. */
static void
wakeup_next (GaioQueue *queue,
             GQueue    *waiters)
{
  GaioWaiter *waiter = _gaio_waiter_pop (waiters);

  if (waiter != NULL)
    wake (queue, waiter);
}

/* An item goes in (asyncio's put_nowait() once it may). */
static void
put_in (GaioQueue *queue,
        Item      *item)
{
  items_push (queue, item);
  queue->unfinished++;
  wakeup_next (queue, &queue->getters);
}

/* An item comes out (asyncio's get_nowait() once it may). */
static Item *
take_out (GaioQueue *queue)
{
  Item *item = items_pop (queue);

  wakeup_next (queue, &queue->putters);

  return item;
}

static const GaioWaiterClass getter_class = { 0 };
/* A put whose future finished has put its item. */
static const GaioWaiterClass putter_class = { 0 };
static const GaioWaiterClass joiner_class = { 0 };

/* A woken getter's retry, the rest of asyncio's get() once its future is
 * done: completes the waiter, or puts it back in line. Returns whether
 * the waiter is done. */
static gboolean
retry_get (GaioQueue  *queue,
           GaioWaiter *waiter)
{
  GaioFuture *future = GAIO_FUTURE (waiter);

  if (future->state == GAIO_FUTURE_CANCELLED)
    {
      /* Woken, then cancelled: asyncio's except branch passes the
       * wakeup on. */
      if (items_len (queue) > 0)
        wakeup_next (queue, &queue->getters);
    }
  else if (items_len (queue) > 0)
    complete_with_item (queue, future, take_out (queue));
  else if (queue->shut_down)
    _gaio_waiter_fail (waiter, shut_down_error ());
  else
    return FALSE;

  return TRUE;
}

/* A woken putter's retry, the rest of asyncio's put(). */
static gboolean
retry_put (GaioQueue  *queue,
           GaioWaiter *waiter)
{
  GaioFuture *future = GAIO_FUTURE (waiter);

  if (future->state == GAIO_FUTURE_CANCELLED)
    {
      if (!is_full (queue))
        wakeup_next (queue, &queue->putters);
    }
  else if (queue->shut_down)
    {
      /* The item goes with the waiter. */
      _gaio_waiter_fail (waiter, shut_down_error ());
    }
  else if (!is_full (queue))
    {
      Item *item = g_steal_pointer (&waiter->data);

      waiter->data_destroy = NULL;
      put_in (queue, item);
      finish_none (waiter);
    }
  else
    return FALSE;

  return TRUE;
}

/* The handle scheduled by wake(), where asyncio's woken coroutine
 * resumes. It holds a reference on the waiter. */
static gboolean
waiter_retry (gpointer   user_data,
              GError   **error)
{
  GaioWaiter *waiter = user_data;
  GaioQueue *queue = waiter->owner;
  gboolean is_getter = waiter->wclass == &getter_class;

  /* Finalized meanwhile: the waiter was cancelled with the others. */
  if (queue == NULL)
    {
      _gaio_future_run_held_wakeups (GAIO_FUTURE (waiter));
      return TRUE;
    }

  /* Still in @woken unless cancelled (which unlinked it). */
  _gaio_waiter_unlink (waiter);
  if (is_getter ? retry_get (queue, waiter) : retry_put (queue, waiter))
    {
      _gaio_future_run_held_wakeups (GAIO_FUTURE (waiter));
      return TRUE;
    }

  /* Lost to a _nowait call: wait again, at the end of the line. */
  _gaio_future_unhold_callbacks (GAIO_FUTURE (waiter));
  _gaio_waiter_enqueue (waiter, is_getter ? &queue->getters : &queue->putters);

  return TRUE;
}

/* asyncio's waiter.set_result(None): the waiter, popped from its line
 * with the line's reference, retries in the next iteration. Its
 * callbacks are held until then, so that a task awaiting it resumes in
 * that retry, not one iteration after. */
static void
wake (GaioQueue  *queue,
      GaioWaiter *waiter)
{
  GaioFuture *future = GAIO_FUTURE (waiter);

  _gaio_future_hold_callbacks (future);
  g_queue_push_tail_link (&queue->woken, &waiter->link);
  waiter->queue = &queue->woken;

  if (!_gaio_loop_schedule (queue->loop, waiter_retry, gaio_future_ref (future),
                            (GDestroyNotify) gaio_future_unref, "GaioQueue.retry", NULL))
    {
      /* The loop is closed: nothing will retry. The item (the slot)
       * stays; the waiter ends cancelled, its callbacks dropped as a
       * closed loop drops them. */
      gaio_future_ref (future);
      _gaio_waiter_unlink (waiter);
      _gaio_future_unhold_callbacks (future);
      _gaio_future_real_cancel (future, NULL);
      gaio_future_unref (future);
    }
}

static void
gaio_queue_dispose (GObject *object)
{
  GaioQueue *queue = GAIO_QUEUE (object);

  _gaio_waiter_queue_clear (&queue->getters, "GaioQueue was finalized while waited for");
  _gaio_waiter_queue_clear (&queue->putters, "GaioQueue was finalized while waited for");
  _gaio_waiter_queue_clear (&queue->joiners, "GaioQueue was finalized while waited for");
  /* Their retries find no owner and only run the held callbacks. */
  _gaio_waiter_queue_clear (&queue->woken, "GaioQueue was finalized while waited for");

  G_OBJECT_CLASS (gaio_queue_parent_class)->dispose (object);
}

static void
gaio_queue_finalize (GObject *object)
{
  GaioQueue *queue = GAIO_QUEUE (object);

  while (queue->ring_len > 0)
    item_free (ring_pop_head (queue));
  g_clear_pointer (&queue->ring, g_free);
  while (queue->n_spare_items > 0)
    g_free (queue->spare_items[--queue->n_spare_items]);
  g_clear_pointer (&queue->heap, g_ptr_array_unref);
  if (queue->compare_notify != NULL)
    queue->compare_notify (queue->compare_data);
  g_clear_object (&queue->loop);

  G_OBJECT_CLASS (gaio_queue_parent_class)->finalize (object);
}

static void
gaio_queue_class_init (GaioQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gaio_queue_dispose;
  object_class->finalize = gaio_queue_finalize;
}

static void
gaio_queue_init (GaioQueue *queue)
{
  g_queue_init (&queue->getters);
  g_queue_init (&queue->putters);
  g_queue_init (&queue->joiners);
  g_queue_init (&queue->woken);
}

static GaioQueue *
queue_new (GaioLoop      *loop,
           GaioQueueKind  kind,
           gint           maxsize)
{
  GaioQueue *queue = g_object_new (GAIO_TYPE_QUEUE, NULL);

  queue->loop = g_object_ref (loop);
  queue->kind = kind;
  queue->maxsize = maxsize;

  return queue;
}

/**
 * gaio_queue_new:
 * @loop: the loop the queue is used on
 * @maxsize: the most items it holds; 0 or less for no limit
 *
 * Creates a first-in, first-out queue (asyncio's `Queue(maxsize)`).
 *
 * Returns: (transfer full): a new #GaioQueue
 *
 * Since: 1.0
 */
GaioQueue *
gaio_queue_new (GaioLoop *loop,
                gint      maxsize)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  return queue_new (loop, GAIO_QUEUE_FIFO, maxsize);
}

/**
 * gaio_queue_new_lifo:
 * @loop: the loop the queue is used on
 * @maxsize: the most items it holds; 0 or less for no limit
 *
 * Creates a last-in, first-out queue (asyncio's `LifoQueue(maxsize)`).
 *
 * Returns: (transfer full): a new #GaioQueue
 *
 * Since: 1.0
 */
GaioQueue *
gaio_queue_new_lifo (GaioLoop *loop,
                     gint      maxsize)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  return queue_new (loop, GAIO_QUEUE_LIFO, maxsize);
}

/**
 * gaio_queue_new_priority:
 * @loop: the loop the queue is used on
 * @maxsize: the most items it holds; 0 or less for no limit
 * @compare: (nullable) (scope notified) (closure user_data) (destroy notify):
 *   the order of items; %NULL orders numbers by value and strings with
 *   strcmp()
 * @user_data: data for @compare
 * @notify: (nullable): frees @user_data with the queue
 *
 * Creates a priority queue (asyncio's `PriorityQueue(maxsize)`): the
 * lowest item comes out first, equal items in the order they were put
 * (asyncio's heap does not keep that order).
 *
 * Returns: (transfer full): a new #GaioQueue
 *
 * Since: 1.0
 */
GaioQueue *
gaio_queue_new_priority (GaioLoop             *loop,
                         gint                  maxsize,
                         GaioQueueCompareFunc  compare,
                         gpointer              user_data,
                         GDestroyNotify        notify)
{
  GaioQueue *queue;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  queue = queue_new (loop, GAIO_QUEUE_PRIORITY, maxsize);
  queue->heap = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  queue->compare = compare != NULL ? compare : default_compare;
  queue->compare_data = user_data;
  queue->compare_notify = notify;

  return queue;
}

/**
 * gaio_queue_get_loop:
 * @queue: a #GaioQueue
 *
 * Gets the loop the queue is used on.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 1.0
 */
GaioLoop *
gaio_queue_get_loop (GaioQueue *queue)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), NULL);

  return queue->loop;
}

/**
 * gaio_queue_get_kind:
 * @queue: a #GaioQueue
 *
 * Gets the order in which the queue hands out items.
 *
 * Returns: the kind
 *
 * Since: 1.0
 */
GaioQueueKind
gaio_queue_get_kind (GaioQueue *queue)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), GAIO_QUEUE_FIFO);

  return queue->kind;
}

/**
 * gaio_queue_get_maxsize:
 * @queue: a #GaioQueue
 *
 * Gets the most items the queue holds (asyncio's `maxsize`).
 *
 * Returns: the size given at creation; 0 or less for no limit
 *
 * Since: 1.0
 */
gint
gaio_queue_get_maxsize (GaioQueue *queue)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), 0);

  return queue->maxsize;
}

/**
 * gaio_queue_get_size:
 * @queue: a #GaioQueue
 *
 * Gets the number of items in the queue (asyncio's `qsize()`).
 *
 * Returns: the number of items
 *
 * Since: 1.0
 */
guint
gaio_queue_get_size (GaioQueue *queue)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), 0);

  return items_len (queue);
}

/**
 * gaio_queue_is_empty:
 * @queue: a #GaioQueue
 *
 * Whether the queue holds no item (asyncio's `empty()`).
 *
 * Returns: %TRUE if empty
 *
 * Since: 1.0
 */
gboolean
gaio_queue_is_empty (GaioQueue *queue)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), TRUE);

  return items_len (queue) == 0;
}

/**
 * gaio_queue_is_full:
 * @queue: a #GaioQueue
 *
 * Whether the queue holds @maxsize items (asyncio's `full()`); never for
 * a queue without a limit.
 *
 * Returns: %TRUE if full
 *
 * Since: 1.0
 */
gboolean
gaio_queue_is_full (GaioQueue *queue)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), FALSE);

  return is_full (queue);
}

/**
 * gaio_queue_is_shut_down:
 * @queue: a #GaioQueue
 *
 * Whether [method@Gaio.Queue.shutdown] was called.
 *
 * Returns: %TRUE if shut down
 *
 * Since: 1.0
 */
gboolean
gaio_queue_is_shut_down (GaioQueue *queue)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), FALSE);

  return queue->shut_down;
}

/* put() and put_nowait(): @item is taken in every case. Returns the
 * put's future, or NULL with @error set (put_nowait only). */
static GaioFuture *
put_item (GaioQueue  *queue,
          Item       *item,
          gboolean    wait,
          GError    **error)
{
  GaioWaiter *putter;

  if (queue->shut_down || (!wait && is_full (queue)))
    {
      GError *failure = queue->shut_down
                        ? shut_down_error ()
                        : g_error_new_literal (GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_FULL,
                                               "Queue is full");

      item_free (item);
      if (wait)
        return _gaio_waiter_new_failed (queue->loop, failure);
      g_propagate_error (error, failure);
      return NULL;
    }

  /* A put that finds room goes in, ahead of any putter waiting or
   * woken, as asyncio's does. */
  if (!is_full (queue))
    {
      put_in (queue, item);
      return wait ? _gaio_waiter_new_none (queue->loop) : NULL;
    }

  /* The putter holds the item until it goes in; item_free() if never. */
  putter = _gaio_waiter_new (queue->loop, &putter_class, queue);
  putter->data = item;
  putter->data_destroy = (GDestroyNotify) item_free;
  _gaio_waiter_enqueue (putter, &queue->putters);

  return GAIO_FUTURE (putter);
}

static Item *
item_copy (GaioQueue    *queue,
           const GValue *value)
{
  GValue copy = G_VALUE_INIT;

  /* A number copied without the type system's look-ups: a sixth of a
   * put through a full queue. */
  _gaio_future_copy_value (value, &copy);

  return item_take (queue, &copy, NULL);
}

static Item *
item_pointer (GaioQueue      *queue,
              gpointer        pointer,
              GDestroyNotify  destroy)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, pointer);

  return item_take (queue, &value, destroy);
}

/**
 * gaio_queue_put:
 * @queue: a #GaioQueue
 * @item: the item, copied
 *
 * Puts an item in (asyncio's `put()`). The future finishes (with no
 * value) once the item is in: at once unless the queue is full, else in
 * the iteration after a get woke it, if the slot is still free (else it
 * waits again, at the end of the line). It fails with
 * %GAIO_QUEUE_ERROR_SHUT_DOWN if the queue is or gets shut down first.
 * Cancel it to take the item back before it went in.
 *
 * Returns: (transfer full): a future with no value
 *
 * Since: 1.0
 */
GaioFuture *
gaio_queue_put (GaioQueue    *queue,
                const GValue *item)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (G_IS_VALUE (item), NULL);

  return put_item (queue, item_copy (queue, item), TRUE, NULL);
}

/**
 * gaio_queue_put_nowait:
 * @queue: a #GaioQueue
 * @item: the item, copied
 * @error: return location for a #GError
 *
 * Puts an item in without waiting (asyncio's `put_nowait()`).
 *
 * Returns: %TRUE if the item is in; %FALSE with %GAIO_QUEUE_ERROR_FULL
 *   or %GAIO_QUEUE_ERROR_SHUT_DOWN
 *
 * Since: 1.0
 */
gboolean
gaio_queue_put_nowait (GaioQueue     *queue,
                       const GValue  *item,
                       GError       **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (GAIO_IS_QUEUE (queue), FALSE);
  g_return_val_if_fail (G_IS_VALUE (item), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  put_item (queue, item_copy (queue, item), FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

/**
 * gaio_queue_put_pointer: (skip)
 * @queue: a #GaioQueue
 * @item: (transfer full): the item
 * @destroy: (nullable): frees @item
 *
 * [method@Gaio.Queue.put] for a pointer: the queue takes @item, and frees
 * it with @destroy if it never reaches a consumer (the put is cancelled
 * or fails, the queue drains it or is finalized with it). A consumer gets
 * it as the pointer result of its get() future, which then owns it.
 *
 * Returns: (transfer full): a future with no value
 *
 * Since: 1.0
 */
GaioFuture *
gaio_queue_put_pointer (GaioQueue      *queue,
                        gpointer        item,
                        GDestroyNotify  destroy)
{
  if (!GAIO_IS_QUEUE (queue))
    {
      if (destroy != NULL)
        destroy (item);
      g_return_val_if_fail (GAIO_IS_QUEUE (queue), NULL);
    }

  return put_item (queue, item_pointer (queue, item, destroy), TRUE, NULL);
}

/**
 * gaio_queue_put_pointer_nowait: (skip)
 * @queue: a #GaioQueue
 * @item: (transfer full): the item
 * @destroy: (nullable): frees @item
 * @error: return location for a #GError
 *
 * [method@Gaio.Queue.put_nowait] for a pointer; see
 * gaio_queue_put_pointer(). If the put fails, @item is freed with
 * @destroy before this returns.
 *
 * Returns: %TRUE if the item is in; %FALSE with %GAIO_QUEUE_ERROR_FULL
 *   or %GAIO_QUEUE_ERROR_SHUT_DOWN
 *
 * Since: 1.0
 */
gboolean
gaio_queue_put_pointer_nowait (GaioQueue       *queue,
                               gpointer         item,
                               GDestroyNotify   destroy,
                               GError         **error)
{
  GError *local_error = NULL;

  if (!GAIO_IS_QUEUE (queue))
    {
      if (destroy != NULL)
        destroy (item);
      g_return_val_if_fail (GAIO_IS_QUEUE (queue), FALSE);
    }
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  put_item (queue, item_pointer (queue, item, destroy), FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

/* The next item, out of the queue, waking the first putter; NULL with
 * @error set if there is none. */
static Item *
take_item (GaioQueue  *queue,
           GError    **error)
{
  if (items_len (queue) == 0)
    {
      if (queue->shut_down)
        g_propagate_error (error, shut_down_error ());
      else
        g_set_error_literal (error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_EMPTY, "Queue is empty");
      return NULL;
    }

  return take_out (queue);
}

/**
 * gaio_queue_get:
 * @queue: a #GaioQueue
 *
 * Takes the next item (asyncio's `get()`). The future finishes with it:
 * at once if the queue holds one, else in the iteration after a put woke
 * it, if the item is still there (else it waits again, at the end of the
 * line). It fails with %GAIO_QUEUE_ERROR_SHUT_DOWN if the queue is shut
 * down and empty. Cancel it to stop waiting; cancelled after a put woke
 * it, it takes nothing and the next getter is woken instead.
 *
 * A pointer item stays the future's: see [class@Gaio.Queue].
 *
 * Returns: (transfer full): a future of the item
 *
 * Since: 1.0
 */
GaioFuture *
gaio_queue_get (GaioQueue *queue)
{
  GaioWaiter *getter;

  g_return_val_if_fail (GAIO_IS_QUEUE (queue), NULL);

  if (items_len (queue) > 0 || queue->shut_down)
    {
      GError *error = NULL;
      Item *item = take_item (queue, &error);
      GaioFuture *future;

      if (item == NULL)
        return _gaio_waiter_new_failed (queue->loop, error);
      future = _gaio_future_new (queue->loop);
      complete_with_item (queue, future, item);
      return future;
    }

  getter = _gaio_waiter_new (queue->loop, &getter_class, queue);
  _gaio_waiter_enqueue (getter, &queue->getters);

  return GAIO_FUTURE (getter);
}

/**
 * gaio_queue_get_nowait:
 * @queue: a #GaioQueue
 * @item: (out caller-allocates): where to move the item
 * @error: return location for a #GError
 *
 * Takes the next item without waiting (asyncio's `get_nowait()`). A
 * pointer item becomes the caller's (use
 * gaio_queue_get_pointer_nowait() to get its destroy notify too).
 *
 * Bindings see [method@Gaio.Queue.get_nowait_dup] under this name: it
 * returns the item instead of filling in a #GValue the caller allocated,
 * which GJS 1.74 converts even when the call failed.
 *
 * Returns: %TRUE with @item set; %FALSE with %GAIO_QUEUE_ERROR_EMPTY, or
 *   %GAIO_QUEUE_ERROR_SHUT_DOWN if the queue is shut down and empty
 *
 * Since: 1.0
 */
gboolean
gaio_queue_get_nowait (GaioQueue  *queue,
                       GValue     *item,
                       GError    **error)
{
  Item *taken;

  g_return_val_if_fail (GAIO_IS_QUEUE (queue), FALSE);
  g_return_val_if_fail (item != NULL && !G_IS_VALUE (item), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  taken = take_item (queue, error);
  if (taken == NULL)
    return FALSE;

  *item = taken->value;
  g_free (taken);

  return TRUE;
}

/**
 * gaio_queue_get_nowait_dup: (rename-to gaio_queue_get_nowait)
 * @queue: a #GaioQueue
 * @error: return location for a #GError
 *
 * [method@Gaio.Queue.get_nowait] returning the item: the form bindings
 * see as `get_nowait`, where an empty queue is an exception and nothing
 * else.
 *
 * Returns: (transfer full) (nullable): the item, to free with
 *   `g_boxed_free (G_TYPE_VALUE, item)`; %NULL with @error set
 *   (%GAIO_QUEUE_ERROR_EMPTY, %GAIO_QUEUE_ERROR_SHUT_DOWN)
 *
 * Since: 1.0
 */
GValue *
gaio_queue_get_nowait_dup (GaioQueue  *queue,
                           GError    **error)
{
  GValue *item;

  g_return_val_if_fail (GAIO_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  item = g_new0 (GValue, 1);
  if (!gaio_queue_get_nowait (queue, item, error))
    {
      g_free (item);
      return NULL;
    }

  return item;
}

/**
 * gaio_queue_get_pointer_nowait: (skip)
 * @queue: a #GaioQueue
 * @destroy: (out) (optional) (nullable): where to store the item's
 *   destroy notify
 * @error: return location for a #GError
 *
 * [method@Gaio.Queue.get_nowait] for a queue of pointers: the item
 * becomes the caller's, to free with @destroy. An item that is not a
 * pointer is freed and %NULL returned, with %GAIO_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full) (nullable): the item; %NULL with @error set
 *   (%GAIO_QUEUE_ERROR_EMPTY, %GAIO_QUEUE_ERROR_SHUT_DOWN)
 *
 * Since: 1.0
 */
gpointer
gaio_queue_get_pointer_nowait (GaioQueue       *queue,
                               GDestroyNotify  *destroy,
                               GError         **error)
{
  Item *taken;
  gpointer pointer;

  g_return_val_if_fail (GAIO_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  taken = take_item (queue, error);
  if (taken == NULL)
    return NULL;

  if (!G_VALUE_HOLDS_POINTER (&taken->value))
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                   "The item is a %s, not a pointer", G_VALUE_TYPE_NAME (&taken->value));
      item_free (taken);
      return NULL;
    }

  pointer = g_value_get_pointer (&taken->value);
  if (destroy != NULL)
    *destroy = taken->destroy;
  g_free (taken);

  return pointer;
}

/**
 * gaio_queue_task_done:
 * @queue: a #GaioQueue
 * @error: return location for a #GError
 *
 * Says that an item taken from the queue is processed (asyncio's
 * `task_done()`); [method@Gaio.Queue.join] waits for one such call per
 * item put.
 *
 * Returns: %TRUE; %FALSE with %GAIO_ERROR_INVALID_STATE if called more
 *   times than items were put (`task_done() called too many times`,
 *   asyncio's `ValueError`)
 *
 * Since: 1.0
 */
gboolean
gaio_queue_task_done (GaioQueue  *queue,
                      GError    **error)
{
  g_return_val_if_fail (GAIO_IS_QUEUE (queue), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (queue->unfinished == 0)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                           "task_done() called too many times");
      return FALSE;
    }

  if (--queue->unfinished == 0)
    wake_joiners (queue);

  return TRUE;
}

/**
 * gaio_queue_join:
 * @queue: a #GaioQueue
 *
 * Waits until every item put was processed (asyncio's `join()`): the
 * future finishes (with no value) once [method@Gaio.Queue.task_done] was
 * called for each, at once if none is pending.
 *
 * Returns: (transfer full): a future with no value
 *
 * Since: 1.0
 */
GaioFuture *
gaio_queue_join (GaioQueue *queue)
{
  GaioWaiter *joiner;

  g_return_val_if_fail (GAIO_IS_QUEUE (queue), NULL);

  if (queue->unfinished == 0)
    return _gaio_waiter_new_none (queue->loop);

  joiner = _gaio_waiter_new (queue->loop, &joiner_class, queue);
  _gaio_waiter_enqueue (joiner, &queue->joiners);

  return GAIO_FUTURE (joiner);
}

/**
 * gaio_queue_shutdown:
 * @queue: a #GaioQueue
 * @immediate: whether to drop the items in the queue too
 *
 * Shuts the queue down (asyncio 3.13's `shutdown()`): puts fail with
 * %GAIO_QUEUE_ERROR_SHUT_DOWN from now on, and gets once the queue is
 * empty. Every waiter is woken: in the next iteration a waiting putter
 * fails (its item is freed), and a waiting getter fails unless it finds
 * an item left. With @immediate, the items in the queue are freed now,
 * each counted as processed for [method@Gaio.Queue.join].
 *
 * Since: 1.0
 */
void
gaio_queue_shutdown (GaioQueue *queue,
                     gboolean   immediate)
{
  g_return_if_fail (GAIO_IS_QUEUE (queue));

  queue->shut_down = TRUE;
  if (immediate)
    {
      while (items_len (queue) > 0)
        {
          item_free (items_pop (queue));
          if (queue->unfinished > 0)
            queue->unfinished--;
        }
      if (queue->unfinished == 0)
        wake_joiners (queue);
    }

  /* Every waiter retries, and fails unless a getter finds an item. */
  while (queue->getters.length > 0)
    wakeup_next (queue, &queue->getters);
  while (queue->putters.length > 0)
    wakeup_next (queue, &queue->putters);
}

/**
 * gaio_queue_to_string:
 * @queue: a #GaioQueue
 *
 * Describes the queue as asyncio's str() does: `<GaioQueue maxsize=0
 * qsize=2 getters[1] tasks=2 shutdown>`.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_queue_to_string (GaioQueue *queue)
{
  static const char * const names[] = { "GaioQueue", "GaioLifoQueue", "GaioPriorityQueue" };
  GString *text;

  g_return_val_if_fail (GAIO_IS_QUEUE (queue), NULL);

  text = g_string_new (NULL);
  g_string_append_printf (text, "<%s maxsize=%d", names[queue->kind], queue->maxsize);
  if (items_len (queue) > 0)
    g_string_append_printf (text, " qsize=%u", items_len (queue));
  if (queue->getters.length > 0)
    g_string_append_printf (text, " getters[%u]", queue->getters.length);
  if (queue->putters.length > 0)
    g_string_append_printf (text, " putters[%u]", queue->putters.length);
  if (queue->unfinished > 0)
    g_string_append_printf (text, " tasks=%u", queue->unfinished);
  if (queue->shut_down)
    g_string_append (text, " shutdown");
  g_string_append_c (text, '>');

  return g_string_free (text, FALSE);
}
