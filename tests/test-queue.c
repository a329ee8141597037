/* test-queue.c: GaioQueue and its LIFO and priority kinds
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Ports of CPython 3.11's test_asyncio/test_queues.py and 3.13's queue
 * shutdown cases, and the item ownership rules C adds. Every test of
 * test_queues.py has a counterpart here (named in the comment above it)
 * but three that test Python alone: test_str (no str/repr pair in C),
 * test_generic_alias (`Queue[int]`) and test_float_maxsize (maxsize is
 * an int). The _QueueJoinTestMixin tests run on the three kinds, as in
 * CPython.
 */

#include "gaio-test-util.h"

static gboolean
stop_cb (gpointer   user_data,
         GError   **error)
{
  gaio_loop_stop (user_data);
  return TRUE;
}

static void
run_briefly (GaioLoop *loop)
{
  gaio_loop_call_soon (loop, stop_cb, loop, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
}

static void
put_int (GaioQueue *queue,
         gint       n)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, n);
  g_assert_true (gaio_queue_put_nowait (queue, &value, &error));
  g_assert_no_error (error);
}

static GaioFuture *
put_int_future (GaioQueue *queue,
                gint       n)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, n);
  return gaio_queue_put (queue, &value);
}

static gint
get_int (GaioQueue *queue)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_queue_get_nowait (queue, &value, &error));
  g_assert_no_error (error);
  return g_value_get_int (&value);
}

static gint
future_int (GaioFuture *future)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gaio_future_get_result (future, &value, NULL));
  return g_value_get_int (&value);
}

static void
set_flag (GaioFuture *future,
          gpointer    user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* What the tasks of a test print, in order, to compare with the output
 * of the Python program the test names. */
static GString *trace;

static void say (const char *format,
                 ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (trace, format, args);
  va_end (args);
  g_string_append_c (trace, '\n');
}

/* asyncio's len(q._getters) and len(q._putters), from the description. */
static guint
count_waiters (GaioQueue  *queue,
               const char *kind)
{
  g_autofree char *repr = gaio_queue_to_string (queue);
  g_autofree char *key = g_strdup_printf (" %s[", kind);
  const char *at = strstr (repr, key);

  return at != NULL ? (guint) g_ascii_strtoull (at + strlen (key), NULL, 10) : 0;
}

static gboolean
sleep0 (GError **error)
{
  return gaio_await (gaio_sleep (0), NULL, error);
}

typedef struct
{
  GaioQueue  *queue;
  const char *name;
  gint        item;       /* a producer's */
  gboolean    say_waits;
} Actor;

/* asyncio: `print(name, "waits"); x = await q.get(); print(name, "got",
 * x)`, printing how it fails instead if it does. */
static gboolean
consumer (gpointer   user_data,
          GValue    *result,
          GError   **error)
{
  Actor *actor = user_data;
  g_auto(GValue) value = G_VALUE_INIT;

  if (actor->say_waits)
    say ("%s waits", actor->name);
  if (gaio_await (gaio_queue_get (actor->queue), &value, error))
    {
      say ("%s got %d", actor->name, g_value_get_int (&value));
      return TRUE;
    }
  if (g_error_matches (*error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN))
    say ("%s QueueShutDown", actor->name);
  else
    say ("%s cancelled", actor->name);
  return FALSE;
}

/* asyncio: `await q.put(item); print(name, "put", item, "qsize", q.qsize())`. */
static gboolean
producer (gpointer   user_data,
          GValue    *result,
          GError   **error)
{
  Actor *actor = user_data;

  if (gaio_await (put_int_future (actor->queue, actor->item), NULL, error))
    {
      say ("%s put %d qsize %u", actor->name, actor->item, gaio_queue_get_size (actor->queue));
      return TRUE;
    }
  if (g_error_matches (*error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN))
    say ("%s QueueShutDown", actor->name);
  else
    say ("%s cancelled", actor->name);
  return FALSE;
}

static GaioTask *
start (GaioCoroutineFunc  func,
       Actor             *actor)
{
  return gaio_loop_create_task (gaio_get_running_loop (), gaio_coroutine_new (func, actor, NULL));
}

/* Runs @main_func as the main task and checks what was said against
 * @expected, the Python program's output. */
static void
run_and_compare (GaioCoroutineFunc  main_func,
                 const char        *expected)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioTask *main_task;

  trace = g_string_new (NULL);
  main_task = gaio_loop_create_task (loop, gaio_coroutine_new (main_func, NULL, NULL));
  gaio_loop_run_until_complete (loop, GAIO_FUTURE (main_task), NULL, NULL);
  g_assert_true (gaio_future_get_result (GAIO_FUTURE (main_task), NULL, NULL));
  g_assert_cmpstr (trace->str, ==, expected);

  gaio_task_unref (main_task);
  g_string_free (g_steal_pointer (&trace), TRUE);
  gaio_test_loop_free (loop);
}

/* Awaits @task and drops it; its outcome was said. */
static void
finish (GaioTask *task)
{
  gaio_await (GAIO_FUTURE (task), NULL, NULL);
}

/* QU-01: FIFO, LIFO and priority orders
 * (test_queues.py::QueueBasicTests::test_order, LifoQueueTests::test_order,
 * PriorityQueueTests::test_order; the description as in
 * QueueBasicTests::test_repr). */
static void
test_queue_orders (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) fifo = gaio_queue_new (loop, 0);
  g_autoptr(GaioQueue) lifo = gaio_queue_new_lifo (loop, 0);
  g_autoptr(GaioQueue) prio = gaio_queue_new_priority (loop, 0, NULL, NULL, NULL);
  const gint items[] = { 1, 3, 2 };
  g_autofree char *repr = NULL;

  for (guint i = 0; i < 3; i++)
    {
      put_int (fifo, items[i]);
      put_int (lifo, items[i]);
      put_int (prio, items[i]);
    }
  repr = gaio_queue_to_string (fifo);
  g_assert_cmpstr (repr, ==, "<GaioQueue maxsize=0 qsize=3 tasks=3>");
  g_assert_cmpint (gaio_queue_get_kind (prio), ==, GAIO_QUEUE_PRIORITY);

  g_assert_cmpint (get_int (fifo), ==, 1);
  g_assert_cmpint (get_int (fifo), ==, 3);
  g_assert_cmpint (get_int (fifo), ==, 2);
  g_assert_cmpint (get_int (lifo), ==, 2);
  g_assert_cmpint (get_int (lifo), ==, 3);
  g_assert_cmpint (get_int (lifo), ==, 1);
  g_assert_cmpint (get_int (prio), ==, 1);
  g_assert_cmpint (get_int (prio), ==, 2);
  g_assert_cmpint (get_int (prio), ==, 3);

  g_clear_object (&fifo);
  g_clear_object (&lifo);
  g_clear_object (&prio);
  gaio_test_loop_free (loop);
}

/* QU-02: with maxsize, put waits while the queue is full and goes in when
 * a get frees a slot (test_queues.py::QueueBasicTests::test_maxsize,
 * QueuePutTests::test_blocking_put_wait). */
static void
test_queue_maxsize (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 2);
  g_autoptr(GaioFuture) put3 = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gaio_queue_get_maxsize (queue), ==, 2);
  put_int (queue, 1);
  g_assert_false (gaio_queue_is_full (queue));
  put_int (queue, 2);
  g_assert_true (gaio_queue_is_full (queue));

  put3 = put_int_future (queue, 3);
  g_assert_false (gaio_future_is_done (put3));
  /* The get wakes the putter, which puts in the next iteration. */
  g_assert_cmpint (get_int (queue), ==, 1);
  g_assert_false (gaio_future_is_done (put3));
  g_assert_cmpuint (gaio_queue_get_size (queue), ==, 1);
  run_briefly (loop);
  g_assert_true (gaio_future_is_done (put3));
  g_assert_cmpuint (gaio_queue_get_size (queue), ==, 2);
  g_assert_cmpint (get_int (queue), ==, 2);
  g_assert_cmpint (get_int (queue), ==, 3);
  run_briefly (loop);

  g_clear_object (&queue);
  g_clear_pointer (&put3, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* QU-03: the _nowait calls fail at once
 * (test_queues.py::QueueGetTests::test_nonblocking_get_exception,
 * QueuePutTests::test_nonblocking_put_exception). */
static void
test_queue_nowait_errors (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 1);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_queue_get_nowait (queue, &value, &error));
  g_assert_error (error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_EMPTY);
  g_clear_error (&error);

  put_int (queue, 1);
  g_value_init (&value, G_TYPE_INT);
  g_assert_false (gaio_queue_put_nowait (queue, &value, &error));
  g_assert_error (error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_FULL);

  g_clear_object (&queue);
  gaio_test_loop_free (loop);
}

/* QU-04: a get waits for a put, first getter first, and takes its item
 * in the next iteration; a cancelled getter never takes an item (the
 * get futures' form of test_queues.py::QueueGetTests::
 * test_get_cancelled_race, which /Gaio/Queue/get-cancelled-race ports
 * with tasks). */
static void
test_queue_getters (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  g_autoptr(GaioFuture) g1 = gaio_queue_get (queue);
  g_autoptr(GaioFuture) g2 = gaio_queue_get (queue);
  g_autoptr(GaioFuture) g3 = gaio_queue_get (queue);
  g_autofree char *repr = gaio_queue_to_string (queue);

  g_assert_cmpstr (repr, ==, "<GaioQueue maxsize=0 getters[3]>");
  g_assert_true (gaio_future_cancel (g1, NULL));
  put_int (queue, 7);
  put_int (queue, 8);
  g_assert_false (gaio_future_is_done (g2));
  g_assert_cmpuint (gaio_queue_get_size (queue), ==, 2);
  run_briefly (loop);
  g_assert_cmpint (future_int (g2), ==, 7);
  g_assert_cmpint (future_int (g3), ==, 8);
  g_assert_true (gaio_queue_is_empty (queue));

  g_clear_object (&queue);
  g_clear_pointer (&g1, gaio_future_unref);
  g_clear_pointer (&g2, gaio_future_unref);
  g_clear_pointer (&g3, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* QU-04: a cancelled put's item never goes in, and is freed (the put
 * future's form of test_queues.py::QueuePutTests::
 * test_cancelled_puts_not_being_held_in_self_putters, which
 * /Gaio/Queue/cancelled-putter-leaves ports with a task). */
static void
test_queue_put_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 1);
  GaioFuture *put;
  gint freed = 0;

  put_int (queue, 1);
  put = gaio_queue_put_pointer (queue, &freed, gaio_test_count_notify);
  g_assert_true (gaio_future_cancel (put, NULL));
  gaio_future_unref (put);
  g_assert_cmpint (freed, ==, 1);
  g_assert_cmpint (get_int (queue), ==, 1);
  g_assert_true (gaio_queue_is_empty (queue));
  run_briefly (loop);

  g_clear_object (&queue);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioQueue *queue;
  gint       got;
  gboolean   done;
} Consumer;

static gboolean
consume_one (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  Consumer *consumer = user_data;
  g_auto(GValue) value = G_VALUE_INIT;

  if (!gaio_await (gaio_queue_get (consumer->queue), &value, error))
    return FALSE;
  consumer->got = g_value_get_int (&value);
  consumer->done = TRUE;
  return TRUE;
}

/* QU-04: a task cancelled after a put woke it, before it resumed, takes
 * nothing and wakes the next getter, which gets the item
 * (test_queues.py::QueuePutTests::test_get_cancel_drop_many_pending_readers,
 * the "woken but cancelled" except branch of Queue.get). */
static void
test_queue_woken_task_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  Consumer a = { queue, 0, FALSE }, b = { queue, 0, FALSE };
  GaioTask *ta = gaio_loop_create_task (loop, gaio_coroutine_new (consume_one, &a, NULL));
  GaioTask *tb = gaio_loop_create_task (loop, gaio_coroutine_new (consume_one, &b, NULL));

  run_briefly (loop);
  put_int (queue, 5);
  gaio_future_cancel (GAIO_FUTURE (ta), NULL);
  gaio_loop_run_until_complete (loop, GAIO_FUTURE (tb), NULL, NULL);

  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (ta)));
  g_assert_false (a.done);
  g_assert_true (b.done);
  g_assert_cmpint (b.got, ==, 5);

  gaio_task_unref (ta);
  gaio_task_unref (tb);
  g_clear_object (&queue);
  gaio_test_loop_free (loop);
}

/* QU-05: join() waits for one task_done() per item put; too many fail
 * (test_queues.py::_QueueJoinTests::test_task_done, ::test_join_empty_queue,
 * ::test_task_done_underflow). */
static void
test_queue_join (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  g_autoptr(GaioFuture) join = NULL;
  g_autoptr(GaioFuture) empty_join = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_queue_task_done (queue, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);
  g_clear_error (&error);

  empty_join = gaio_queue_join (queue);
  g_assert_true (gaio_future_is_done (empty_join));

  put_int (queue, 1);
  put_int (queue, 2);
  join = gaio_queue_join (queue);
  get_int (queue);
  get_int (queue);
  g_assert_true (gaio_queue_task_done (queue, NULL));
  g_assert_false (gaio_future_is_done (join));
  g_assert_true (gaio_queue_task_done (queue, NULL));
  g_assert_true (gaio_future_is_done (join));
  run_briefly (loop);

  g_clear_object (&queue);
  g_clear_pointer (&join, gaio_future_unref);
  g_clear_pointer (&empty_join, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* QU-06: after shutdown, puts fail, gets drain what is left, then fail;
 * waiting getters and putters are woken and fail in the next iteration
 * (test_queues.py 3.13::_QueueShutdownTestMixin::test_shutdown_empty,
 * ::test_shutdown_nonempty, ::test_shutdown_put). */
static void
test_queue_shutdown (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) empty = gaio_queue_new (loop, 0);
  g_autoptr(GaioQueue) full = gaio_queue_new (loop, 1);
  g_autoptr(GaioFuture) getter = gaio_queue_get (empty);
  g_autoptr(GaioFuture) putter = NULL;
  g_autoptr(GaioFuture) get = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  gint freed = 0;

  gaio_queue_shutdown (empty, FALSE);
  g_assert_true (gaio_queue_is_shut_down (empty));
  g_assert_false (gaio_future_is_done (getter));
  run_briefly (loop);
  g_assert_false (gaio_future_get_result (getter, NULL, &error));
  g_assert_error (error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN);
  g_clear_error (&error);
  g_value_init (&value, G_TYPE_INT);
  g_assert_false (gaio_queue_put_nowait (empty, &value, &error));
  g_assert_error (error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN);
  g_clear_error (&error);

  put_int (full, 1);
  putter = gaio_queue_put_pointer (full, &freed, gaio_test_count_notify);
  gaio_queue_shutdown (full, FALSE);
  g_assert_cmpint (freed, ==, 0);
  run_briefly (loop);
  g_assert_false (gaio_future_get_result (putter, NULL, &error));
  g_assert_error (error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN);
  g_clear_error (&error);
  g_clear_pointer (&putter, gaio_future_unref);
  g_assert_cmpint (freed, ==, 1);

  /* The item left is still there to get, then gets fail. */
  get = gaio_queue_get (full);
  g_assert_cmpint (future_int (get), ==, 1);
  g_clear_pointer (&get, gaio_future_unref);
  get = gaio_queue_get (full);
  g_assert_false (gaio_future_get_result (get, NULL, &error));
  g_assert_error (error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN);
  run_briefly (loop);

  g_clear_object (&empty);
  g_clear_object (&full);
  g_clear_pointer (&getter, gaio_future_unref);
  g_clear_pointer (&putter, gaio_future_unref);
  g_clear_pointer (&get, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* QU-06: shutdown (immediate) frees the items left and counts them done
 * for join() (test_queues.py 3.13::_QueueShutdownTestMixin::
 * test_shutdown_immediate, ::test_shutdown_immediate_with_unfinished). */
static void
test_queue_shutdown_immediate (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  g_autoptr(GaioFuture) join = NULL;
  g_autoptr(GaioFuture) get = NULL;
  g_autoptr(GError) error = NULL;
  gint freed = 0;

  put_int (queue, 1);
  g_assert_true (gaio_queue_put_pointer_nowait (queue, &freed, gaio_test_count_notify, NULL));
  g_assert_true (gaio_queue_put_pointer_nowait (queue, &freed, gaio_test_count_notify, NULL));
  g_assert_cmpint (get_int (queue), ==, 1);
  join = gaio_queue_join (queue);

  gaio_queue_shutdown (queue, TRUE);
  g_assert_cmpint (freed, ==, 2);
  g_assert_true (gaio_queue_is_empty (queue));
  /* One item was taken and not marked done. */
  g_assert_false (gaio_future_is_done (join));
  g_assert_true (gaio_queue_task_done (queue, NULL));
  g_assert_true (gaio_future_is_done (join));

  get = gaio_queue_get (queue);
  g_assert_false (gaio_future_get_result (get, NULL, &error));
  g_assert_error (error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN);
  run_briefly (loop);

  g_clear_object (&queue);
  g_clear_pointer (&join, gaio_future_unref);
  g_clear_pointer (&get, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* QU-07: a pointer item is freed once: by the get future that holds it,
 * by get_pointer_nowait()'s caller, or by the queue it is left in. No
 * CPython counterpart (Python collects its objects). */
static void
test_queue_pointer_ownership (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioQueue *queue = gaio_queue_new (loop, 0);
  GaioFuture *get;
  GDestroyNotify destroy = NULL;
  gint freed = 0;

  g_assert_true (gaio_queue_put_pointer_nowait (queue, &freed, gaio_test_count_notify, NULL));
  get = gaio_queue_get (queue);
  g_assert_true (gaio_future_get_result_pointer (get, NULL) == &freed);
  g_assert_cmpint (freed, ==, 0);
  gaio_future_unref (get);
  g_assert_cmpint (freed, ==, 1);

  g_assert_true (gaio_queue_put_pointer_nowait (queue, &freed, gaio_test_count_notify, NULL));
  g_assert_true (gaio_queue_get_pointer_nowait (queue, &destroy, NULL) == &freed);
  g_assert_true (destroy == gaio_test_count_notify);
  g_assert_cmpint (freed, ==, 1);

  g_assert_true (gaio_queue_put_pointer_nowait (queue, &freed, gaio_test_count_notify, NULL));
  g_object_unref (queue);
  g_assert_cmpint (freed, ==, 2);

  gaio_test_loop_free (loop);
}

/* QU-07: a put on a queue whose loop is closed leaves the item in the
 * queue and ends the waiting getter cancelled, its callbacks dropped
 * (asyncio's put_nowait() raises "Event loop is closed" from the
 * getter's set_result(), the item queued). */
static void
test_queue_put_on_closed_loop (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  g_autoptr(GaioFuture) get = gaio_queue_get (queue);
  gboolean called = FALSE;

  gaio_future_add_done_callback (get, set_flag, &called, NULL);
  g_assert_true (gaio_loop_close (loop, NULL));
  put_int (queue, 1);
  g_assert_true (gaio_future_is_cancelled (get));
  g_assert_cmpuint (gaio_queue_get_size (queue), ==, 1);
  g_assert_false (called);

  g_clear_object (&queue);
  g_clear_pointer (&get, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* QU-08: a put wakes the first getter but queues the item: qsize()
 * counts it and a get_nowait() takes it first; the woken getter finds
 * the queue empty and waits again, at the end of the line. asyncio's
 * Queue.get() loop (`while self.empty()`); this Python 3.11 program
 * prints what the test expects:
 *
 *   q = asyncio.Queue()
 *   a = create_task(consumer("a")); b = create_task(consumer("b"))
 *   await asyncio.sleep(0)
 *   q.put_nowait(1)
 *   print("qsize", q.qsize(), "getters", len(q._getters))
 *   print("get_nowait", q.get_nowait())
 *   await asyncio.sleep(0)
 *   print("main after sleep, getters", len(q._getters))
 *   q.put_nowait(2); await asyncio.sleep(0); print("main after sleep 2")
 *   q.put_nowait(3); await asyncio.sleep(0); print("main after sleep 3")
 */
static gboolean
jump_the_line_main (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  Actor a = { queue, "a", 0, TRUE }, b = { queue, "b", 0, TRUE };
  GaioTask *ta = start (consumer, &a), *tb = start (consumer, &b);

  g_assert_true (sleep0 (error));
  put_int (queue, 1);
  say ("qsize %u getters %u", gaio_queue_get_size (queue), count_waiters (queue, "getters"));
  say ("get_nowait %d", get_int (queue));
  g_assert_true (sleep0 (error));
  say ("main after sleep, getters %u", count_waiters (queue, "getters"));
  put_int (queue, 2);
  g_assert_true (sleep0 (error));
  say ("main after sleep 2");
  put_int (queue, 3);
  g_assert_true (sleep0 (error));
  say ("main after sleep 3");

  finish (ta);
  finish (tb);
  return TRUE;
}

static void
test_queue_jump_the_line (void)
{
  run_and_compare (jump_the_line_main,
                   "a waits\n"
                   "b waits\n"
                   "qsize 1 getters 1\n"
                   "get_nowait 1\n"
                   "main after sleep, getters 2\n"
                   "b got 2\n"
                   "main after sleep 2\n"
                   "a got 3\n"
                   "main after sleep 3\n");
}

static void
say_callback_got (GaioFuture *future,
                  gpointer    user_data)
{
  say ("callback got %d", future_int (future));
}

/* QU-09: a task awaiting get() resumes one iteration after the put, as
 * asyncio's does (the getter future's callback wakes it), so before the
 * producer's sleep(0) returns; a done callback on the get future runs
 * one iteration later, where the callback of a task wrapping asyncio's
 * q.get() runs. Python 3.11:
 *
 *   c = create_task(consumer())          # x = await q.get(); print(...)
 *   w = ensure_future(q.get())
 *   w.add_done_callback(lambda f: print("callback got", f.result()))
 *   await asyncio.sleep(0)
 *   q.put_nowait(1); q.put_nowait(2); print("producer put")
 *   await asyncio.sleep(0); print("producer after sleep 1")
 *   await asyncio.sleep(0); print("producer after sleep 2")
 *
 * (w's task starts waiting in the sleep(0), after c: here the get is
 * made after it.) */
static gboolean
wakeup_hops_main (gpointer   user_data,
                  GValue    *result,
                  GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  Actor c = { queue, "consumer", 0, FALSE };
  GaioTask *tc = start (consumer, &c);
  g_autoptr(GaioFuture) w = NULL;

  g_assert_true (sleep0 (error));
  w = gaio_queue_get (queue);
  gaio_future_add_done_callback (w, say_callback_got, NULL, NULL);
  put_int (queue, 1);
  put_int (queue, 2);
  say ("producer put");
  g_assert_true (sleep0 (error));
  say ("producer after sleep 1");
  g_assert_true (sleep0 (error));
  say ("producer after sleep 2");

  finish (tc);
  return TRUE;
}

static void
test_queue_wakeup_hops (void)
{
  run_and_compare (wakeup_hops_main,
                   "producer put\n"
                   "consumer got 1\n"
                   "producer after sleep 1\n"
                   "callback got 2\n"
                   "producer after sleep 2\n");
}

/* QU-10: a getter cancelled after a put woke it, before it resumed,
 * takes nothing: the item stays in the queue, which never holds more
 * than maxsize, and the next getter is woken in the iteration where the
 * cancelled one resumes (asyncio's except branch in Queue.get();
 * test_queues.py::QueuePutTests::test_get_cancel_drop_many_pending_readers).
 * Python 3.11:
 *
 *   q = asyncio.Queue(maxsize=1)
 *   a = create_task(consumer("a")); b = create_task(consumer("b"))
 *   await asyncio.sleep(0)
 *   q.put_nowait(1); print("qsize", q.qsize(), "full", q.full())
 *   try: q.put_nowait(2)
 *   except asyncio.QueueFull: print("QueueFull")
 *   a.cancel()
 *   await asyncio.sleep(0); print("main after sleep 1, qsize", q.qsize())
 *   await asyncio.sleep(0); print("main after sleep 2, qsize", q.qsize())
 */
static gboolean
woken_getter_cancelled_main (gpointer   user_data,
                             GValue    *result,
                             GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 1);
  Actor a = { queue, "a", 0, FALSE }, b = { queue, "b", 0, FALSE };
  GaioTask *ta = start (consumer, &a), *tb = start (consumer, &b);
  g_auto(GValue) two = G_VALUE_INIT;
  g_autoptr(GError) full = NULL;

  g_assert_true (sleep0 (error));
  put_int (queue, 1);
  say ("qsize %u full %s", gaio_queue_get_size (queue),
       gaio_queue_is_full (queue) ? "True" : "False");
  g_value_init (&two, G_TYPE_INT);
  g_value_set_int (&two, 2);
  if (!gaio_queue_put_nowait (queue, &two, &full) &&
      g_error_matches (full, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_FULL))
    say ("QueueFull");
  gaio_future_cancel (GAIO_FUTURE (ta), NULL);
  g_assert_true (sleep0 (error));
  say ("main after sleep 1, qsize %u", gaio_queue_get_size (queue));
  g_assert_true (sleep0 (error));
  say ("main after sleep 2, qsize %u", gaio_queue_get_size (queue));

  finish (ta);
  finish (tb);
  return TRUE;
}

static void
test_queue_woken_getter_cancelled (void)
{
  run_and_compare (woken_getter_cancelled_main,
                   "qsize 1 full True\n"
                   "QueueFull\n"
                   "a cancelled\n"
                   "main after sleep 1, qsize 1\n"
                   "b got 1\n"
                   "main after sleep 2, qsize 0\n");
}

/* QU-11: a get wakes the first putter but a put_nowait() may take the
 * slot first: the putter waits again at the end of the line; a putter
 * cancelled once woken wakes the next one (asyncio's Queue.put() loop
 * and except branch; test_queues.py::QueuePutTests::test_put_cancel_drop,
 * ::test_cancelled_put_silence_value_error_exception). Python 3.11:
 *
 *   q = asyncio.Queue(maxsize=1); q.put_nowait(1)
 *   p = create_task(producer("p", 2)); r = create_task(producer("r", 4))
 *   await asyncio.sleep(0)
 *   print("get_nowait", q.get_nowait(), "qsize", q.qsize(),
 *         "putters", len(q._putters))
 *   q.put_nowait(3); print("put_nowait 3")
 *   await asyncio.sleep(0)
 *   print("main after sleep 1, putters", len(q._putters))
 *   print("get_nowait", q.get_nowait())
 *   r.cancel()
 *   await asyncio.sleep(0); print("main after sleep 2, qsize", q.qsize())
 *   await asyncio.sleep(0); print("main after sleep 3, qsize", q.qsize())
 *   print("get_nowait", q.get_nowait())
 */
static gboolean
woken_putter_loses_main (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 1);
  Actor p = { queue, "p", 2, FALSE }, r = { queue, "r", 4, FALSE };
  GaioTask *tp, *tr;
  gint got;

  put_int (queue, 1);
  tp = start (producer, &p);
  tr = start (producer, &r);
  g_assert_true (sleep0 (error));
  got = get_int (queue);
  say ("get_nowait %d qsize %u putters %u", got, gaio_queue_get_size (queue),
       count_waiters (queue, "putters"));
  put_int (queue, 3);
  say ("put_nowait 3");
  g_assert_true (sleep0 (error));
  say ("main after sleep 1, putters %u", count_waiters (queue, "putters"));
  say ("get_nowait %d", get_int (queue));
  gaio_future_cancel (GAIO_FUTURE (tr), NULL);
  g_assert_true (sleep0 (error));
  say ("main after sleep 2, qsize %u", gaio_queue_get_size (queue));
  g_assert_true (sleep0 (error));
  say ("main after sleep 3, qsize %u", gaio_queue_get_size (queue));
  say ("get_nowait %d", get_int (queue));

  finish (tp);
  finish (tr);
  return TRUE;
}

static void
test_queue_woken_putter_loses (void)
{
  run_and_compare (woken_putter_loses_main,
                   "get_nowait 1 qsize 0 putters 1\n"
                   "put_nowait 3\n"
                   "main after sleep 1, putters 2\n"
                   "get_nowait 3\n"
                   "r cancelled\n"
                   "main after sleep 2, qsize 0\n"
                   "p put 2 qsize 1\n"
                   "main after sleep 3, qsize 1\n"
                   "get_nowait 2\n");
}

/* QU-06: shutdown wakes every waiter; in the next iteration a getter
 * takes an item still there or fails, a putter fails (asyncio 3.13's
 * shutdown() and the loops of get() and put()). Python 3.13:
 *
 *   q = asyncio.Queue()
 *   a = create_task(consumer("a")); b = create_task(consumer("b"))
 *   await asyncio.sleep(0)
 *   q.put_nowait(1); q.shutdown(); print("shut down, qsize", q.qsize())
 *   await asyncio.sleep(0); print("main after sleep 1")
 *   f = asyncio.Queue(maxsize=1); f.put_nowait(1)
 *   p = create_task(producer("p", 2))
 *   await asyncio.sleep(0)
 *   print("get_nowait", f.get_nowait())
 *   f.shutdown()
 *   await asyncio.sleep(0); print("main after sleep 2, qsize", f.qsize())
 */
static gboolean
shutdown_wakes_main (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  g_autoptr(GaioQueue) full = gaio_queue_new (loop, 1);
  Actor a = { queue, "a", 0, FALSE }, b = { queue, "b", 0, FALSE };
  Actor p = { full, "p", 2, FALSE };
  GaioTask *ta = start (consumer, &a), *tb = start (consumer, &b), *tp;

  g_assert_true (sleep0 (error));
  put_int (queue, 1);
  gaio_queue_shutdown (queue, FALSE);
  say ("shut down, qsize %u", gaio_queue_get_size (queue));
  g_assert_true (sleep0 (error));
  say ("main after sleep 1");

  put_int (full, 1);
  tp = start (producer, &p);
  g_assert_true (sleep0 (error));
  say ("get_nowait %d", get_int (full));
  gaio_queue_shutdown (full, FALSE);
  g_assert_true (sleep0 (error));
  say ("main after sleep 2, qsize %u", gaio_queue_get_size (full));

  finish (ta);
  finish (tb);
  finish (tp);
  return TRUE;
}

static void
test_queue_shutdown_wakes (void)
{
  run_and_compare (shutdown_wakes_main,
                   "shut down, qsize 1\n"
                   "a got 1\n"
                   "b QueueShutDown\n"
                   "main after sleep 1\n"
                   "get_nowait 1\n"
                   "p QueueShutDown\n"
                   "main after sleep 2, qsize 0\n");
}

/* asyncio: `print(name, "waits"); await q.join(); print(name, "joined")`. */
static gboolean
joiner (gpointer   user_data,
        GValue    *result,
        GError   **error)
{
  Actor *actor = user_data;

  say ("%s waits", actor->name);
  if (!gaio_await (gaio_queue_join (actor->queue), NULL, error))
    return FALSE;
  say ("%s joined", actor->name);
  return TRUE;
}

/* QU-05: a task awaiting join() resumes in the iteration after the
 * task_done() that ended the count, even if an item was put since; one
 * that joins while items are unfinished waits for the next end. No
 * CPython test; Python 3.11:
 *
 *   q.put_nowait(1); a = create_task(joiner("a")); await asyncio.sleep(0)
 *   q.get_nowait(); q.task_done(); print("task_done")
 *   b = create_task(joiner("b"))
 *   q.put_nowait(2); print("put again")
 *   await asyncio.sleep(0); print("main after sleep 1")
 *   await asyncio.sleep(0); print("main after sleep 2")
 *   q.get_nowait(); q.task_done(); print("task_done 2")
 *   await asyncio.sleep(0); print("main after sleep 3")
 *   await asyncio.sleep(0); print("main after sleep 4")
 */
static gboolean
join_hops_main (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  Actor a = { queue, "a", 0, FALSE }, b = { queue, "b", 0, FALSE };
  GaioTask *ta, *tb;

  put_int (queue, 1);
  ta = start (joiner, &a);
  g_assert_true (sleep0 (error));
  get_int (queue);
  g_assert_true (gaio_queue_task_done (queue, error));
  say ("task_done");
  tb = start (joiner, &b);
  put_int (queue, 2);
  say ("put again");
  g_assert_true (sleep0 (error));
  say ("main after sleep 1");
  g_assert_true (sleep0 (error));
  say ("main after sleep 2");
  get_int (queue);
  g_assert_true (gaio_queue_task_done (queue, error));
  say ("task_done 2");
  g_assert_true (sleep0 (error));
  say ("main after sleep 3");
  g_assert_true (sleep0 (error));
  say ("main after sleep 4");

  finish (ta);
  finish (tb);
  return TRUE;
}

static void
test_queue_join_hops (void)
{
  run_and_compare (join_hops_main,
                   "a waits\n"
                   "task_done\n"
                   "put again\n"
                   "a joined\n"
                   "b waits\n"
                   "main after sleep 1\n"
                   "main after sleep 2\n"
                   "task_done 2\n"
                   "b joined\n"
                   "main after sleep 3\n"
                   "main after sleep 4\n");
}

static gboolean
get_with_deadline (gpointer   user_data,
                   GValue    *result,
                   GError   **error)
{
  GaioQueue *queue = user_data;
  g_autoptr(GaioFuture) get = gaio_queue_get (queue);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) local_error = NULL;

  if (gaio_await (gaio_wait_for (get, 0.01), &value, &local_error))
    say ("w got %d", g_value_get_int (&value));
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    say ("timeout, qsize %u", gaio_queue_get_size (queue));
  return TRUE;
}

static gboolean
put_one_and_say_cb (gpointer   user_data,
                    GError   **error)
{
  put_int (user_data, 1);
  say ("put");
  return TRUE;
}

static gboolean
put_after_deadline_main (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  GaioTask *w = gaio_loop_create_task (loop, gaio_coroutine_new (get_with_deadline, queue, NULL));

  g_assert_true (sleep0 (error));
  gaio_loop_call_later (loop, 0.02, put_one_and_say_cb, queue, NULL, NULL);
  /* Blocks the loop: both timers are due at the next iteration, and run
   * there in deadline order. */
  g_usleep (50000);
  for (int i = 0; i < 5; i++)
    {
      g_assert_true (sleep0 (error));
      say ("main %d", i);
    }
  finish (w);
  say ("qsize %u getters %u", gaio_queue_get_size (queue), count_waiters (queue, "getters"));
  return TRUE;
}

/* QU-10: a get under wait_for() whose item is put in the iteration where
 * the deadline passed, after it: the getter is cancelled before it takes
 * the item, which stays in the queue, and wait_for() times out (3.11's
 * get task is cancelled by wait_for() as it resumes). No CPython test;
 * Python 3.11:
 *
 *   w = create_task(...)   # await wait_for(q.get(), 0.01), prints outcome
 *   await asyncio.sleep(0)
 *   loop.call_later(0.02, lambda: (q.put_nowait(1), print("put")))
 *   time.sleep(0.05)
 *   for i in range(5): await asyncio.sleep(0); print("main", i)
 *   await w; print("qsize", q.qsize(), "getters", len(q._getters))
 */
static void
test_queue_put_after_deadline (void)
{
  run_and_compare (put_after_deadline_main,
                   "main 0\n"
                   "put\n"
                   "main 1\n"
                   "main 2\n"
                   "main 3\n"
                   "timeout, qsize 1\n"
                   "main 4\n"
                   "qsize 1 getters 0\n");
}

/* QU-07: a queue finalized while a waiter is woken, before it retried:
 * the waiter is cancelled, the item is freed with the queue, and the
 * retry only runs the waiter's callbacks. No CPython counterpart (a
 * woken coroutine keeps its queue alive). */
static void
test_queue_finalized_while_woken (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioQueue *queue = gaio_queue_new (loop, 0);
  g_autoptr(GaioFuture) get = gaio_queue_get (queue);
  gboolean called = FALSE;
  gint freed = 0;

  gaio_future_add_done_callback (get, set_flag, &called, NULL);
  g_assert_true (gaio_queue_put_pointer_nowait (queue, &freed, gaio_test_count_notify, NULL));
  g_object_unref (queue);
  g_assert_cmpint (freed, ==, 1);
  g_assert_true (gaio_future_is_cancelled (get));
  g_assert_false (called);
  /* The retry, then the callback it schedules. */
  run_briefly (loop);
  run_briefly (loop);
  g_assert_true (called);

  g_clear_pointer (&get, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Ports of the rest of test_queues.py, written as the CPython tests  */
/* are: a main task and tasks around q.get() and q.put().             */

/* Runs @main_func as the main task of a new loop and asserts it
 * succeeded; the test's assertions are in @main_func. */
static void
run_main (GaioCoroutineFunc main_func,
          gpointer          data)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioTask) main_task = gaio_loop_create_task (loop, gaio_coroutine_new (main_func, data,
                                                                                   NULL));
  g_autoptr(GError) error = NULL;

  gaio_loop_run_until_complete (loop, GAIO_FUTURE (main_task), NULL, NULL);
  g_assert_true (gaio_future_get_result (GAIO_FUTURE (main_task), NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&main_task, gaio_task_unref);
  gaio_test_loop_free (loop);
}

/* asyncio's `create_task(q.get())`: the task gets in its first step and
 * returns the item. */
static gboolean
get_coro (gpointer   user_data,
          GValue    *result,
          GError   **error)
{
  return gaio_await (gaio_queue_get (user_data), result, error);
}

static GaioTask *
start_get (GaioQueue *queue)
{
  return gaio_loop_create_task (gaio_get_running_loop (),
                                gaio_coroutine_new (get_coro, queue, NULL));
}

typedef struct
{
  GaioQueue *queue;
  gint       item;
} PutArgs;

/* asyncio's `create_task(q.put(item))`. */
static gboolean
put_coro (gpointer   user_data,
          GValue    *result,
          GError   **error)
{
  PutArgs *args = user_data;

  return gaio_await (put_int_future (args->queue, args->item), NULL, error);
}

static GaioTask *
start_put (GaioQueue *queue,
           gint       item)
{
  PutArgs *args = g_new (PutArgs, 1);

  args->queue = queue;
  args->item = item;
  return gaio_loop_create_task (gaio_get_running_loop (),
                                gaio_coroutine_new (put_coro, args, g_free));
}

/* asyncio's `await q.get()`, for an int item. */
static gint
await_get (GaioQueue *queue)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_await (gaio_queue_get (queue), &value, &error));
  g_assert_no_error (error);
  return g_value_get_int (&value);
}

/* asyncio's `await q.put(n)`. */
static void
await_put (GaioQueue *queue,
           gint       n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_await (put_int_future (queue, n), NULL, &error));
  g_assert_no_error (error);
}

/* The int a task returned. */
static gint
await_task_int (GaioTask *task)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_await (gaio_future_ref (GAIO_FUTURE (task)), &value, &error));
  g_assert_no_error (error);
  return g_value_get_int (&value);
}

static void
await_task_ok (GaioTask *task)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, &error));
  g_assert_no_error (error);
}

static void
await_task_cancelled (GaioTask *task)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_await (gaio_future_ref (GAIO_FUTURE (task)), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gaio_future_is_cancelled (GAIO_FUTURE (task)));
}

static gboolean
repr_main (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  g_autoptr(GaioQueue) bounded = gaio_queue_new (loop, 1);
  g_autoptr(GaioTask) getter = NULL;
  g_autoptr(GaioTask) putter = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *getters = NULL;
  g_autofree char *putters = NULL;
  g_autofree char *items = NULL;

  empty = gaio_queue_to_string (queue);
  g_assert_cmpstr (empty, ==, "<GaioQueue maxsize=0>");

  getter = start_get (queue);
  g_assert_true (sleep0 (error));
  getters = gaio_queue_to_string (queue);
  g_assert_cmpstr (getters, ==, "<GaioQueue maxsize=0 getters[1]>");
  put_int (queue, 0);
  g_assert_cmpint (await_task_int (getter), ==, 0);

  put_int (bounded, 1);
  putter = start_put (bounded, 2);
  g_assert_true (sleep0 (error));
  putters = gaio_queue_to_string (bounded);
  g_assert_cmpstr (putters, ==, "<GaioQueue maxsize=1 qsize=1 putters[1] tasks=1>");
  g_assert_cmpint (get_int (bounded), ==, 1);
  await_task_ok (putter);

  /* asyncio's `_queue=[1]`: a C queue's items are not printable, so the
   * description counts them. One item got and not marked done counts. */
  items = gaio_queue_to_string (bounded);
  g_assert_cmpstr (items, ==, "<GaioQueue maxsize=1 qsize=1 tasks=2>");
  return TRUE;
}

/* QU-01: the description shows the maxsize, the items, the getters and
 * putters waiting and the unfinished count
 * (test_queues.py::QueueBasicTests::test_repr, _QueueJoinTestMixin::
 * test_format). */
static void
test_queue_repr (void)
{
  run_main (repr_main, NULL);
}

static gboolean
empty_main (gpointer   user_data,
            GValue    *result,
            GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);

  g_assert_true (gaio_queue_is_empty (queue));
  await_put (queue, 1);
  g_assert_false (gaio_queue_is_empty (queue));
  g_assert_cmpint (await_get (queue), ==, 1);
  g_assert_true (gaio_queue_is_empty (queue));
  return TRUE;
}

/* QU-01: empty() follows the items put and got
 * (test_queues.py::QueueBasicTests::test_empty). */
static void
test_queue_empty (void)
{
  run_main (empty_main, NULL);
}

static gboolean
full_main (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) unbounded = gaio_queue_new (loop, 0);
  g_autoptr(GaioQueue) bounded = gaio_queue_new (loop, 1);

  g_assert_false (gaio_queue_is_full (unbounded));
  await_put (bounded, 1);
  g_assert_true (gaio_queue_is_full (bounded));
  return TRUE;
}

/* QU-02: an unbounded queue is never full; a bounded one is once it
 * holds maxsize items (test_queues.py::QueueBasicTests::test_full). */
static void
test_queue_full (void)
{
  run_main (full_main, NULL);
}

static gboolean
blocking_get_main (gpointer   user_data,
                   GValue    *result,
                   GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  g_autoptr(GaioFuture) get = NULL;

  put_int (queue, 1);
  /* asyncio's get() finds the item and returns without suspending. */
  get = gaio_queue_get (queue);
  g_assert_true (gaio_future_is_done (get));
  g_assert_cmpint (future_int (get), ==, 1);
  g_assert_true (gaio_queue_is_empty (queue));
  return TRUE;
}

/* QU-01: get() on a queue holding an item has it at once
 * (test_queues.py::QueueGetTests::test_blocking_get). */
static void
test_queue_blocking_get (void)
{
  run_main (blocking_get_main, NULL);
}

static gboolean
get_with_putters_main (gpointer   user_data,
                       GValue    *result,
                       GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 1);
  g_autoptr(GaioFuture) putter = NULL;

  await_put (queue, 1);
  putter = put_int_future (queue, 2);
  g_assert_false (gaio_future_is_done (putter));
  g_assert_cmpint (await_get (queue), ==, 1);
  /* The get woke the putter; it puts when it resumes. */
  g_assert_true (sleep0 (error));
  g_assert_true (gaio_future_is_done (putter));
  g_assert_true (gaio_future_get_result (putter, NULL, NULL));
  g_assert_cmpint (get_int (queue), ==, 2);
  return TRUE;
}

/* QU-02: a get from a full queue with a putter waiting wakes the putter,
 * whose put then succeeds (test_queues.py::QueueGetTests::
 * test_get_with_putters; CPython puts a bare future in _putters, which
 * the get sets: here the putter is a real put). */
static void
test_queue_get_with_putters (void)
{
  run_main (get_with_putters_main, NULL);
}

typedef struct
{
  GaioQueue *queue;
  gboolean   finished;
} GetWait;

static gboolean
get_and_finish (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  GetWait *state = user_data;

  if (!gaio_await (gaio_queue_get (state->queue), result, error))
    return FALSE;
  state->finished = TRUE;
  return TRUE;
}

static gboolean
put_one_cb (gpointer   user_data,
            GError   **error)
{
  put_int (user_data, 1);
  return TRUE;
}

static gboolean
blocking_get_wait_main (gpointer   user_data,
                        GValue    *result,
                        GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);
  GetWait state = { queue, FALSE };
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, gaio_coroutine_new (get_and_finish,
                                                                               &state, NULL));

  g_assert_true (sleep0 (error));
  g_assert_false (state.finished);
  g_assert_nonnull (gaio_loop_call_later (loop, 0.01, put_one_cb, queue, NULL, NULL));
  g_assert_cmpint (await_task_int (task), ==, 1);
  g_assert_true (state.finished);
  return TRUE;
}

/* QU-01: a task waiting in get() gets the item a timer puts later
 * (test_queues.py::QueueGetTests::test_blocking_get_wait). */
static void
test_queue_blocking_get_wait (void)
{
  run_main (blocking_get_wait_main, NULL);
}

/* QU-03: put_nowait() then get_nowait() hands the item over
 * (test_queues.py::QueueGetTests::test_nonblocking_get,
 * QueuePutTests::test_nonblocking_put, which have the same body). */
static void
test_queue_nonblocking (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 0);

  put_int (queue, 1);
  g_assert_cmpint (get_int (queue), ==, 1);

  g_clear_object (&queue);
  gaio_test_loop_free (loop);
}

static gboolean
get_cancelled_race_main (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  g_autoptr(GaioTask) t1 = start_get (queue);
  g_autoptr(GaioTask) t2 = start_get (queue);

  g_assert_true (sleep0 (error));
  gaio_future_cancel (GAIO_FUTURE (t1), NULL);
  g_assert_true (sleep0 (error));
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (t1)));
  await_put (queue, 7);
  g_assert_true (sleep0 (error));
  g_assert_cmpint (await_task_int (t2), ==, 7);
  await_task_cancelled (t1);
  return TRUE;
}

/* QU-04: a getter task cancelled while it waits leaves the line; the
 * next item goes to the getter behind it
 * (test_queues.py::QueueGetTests::test_get_cancelled_race). */
static void
test_queue_get_cancelled_race (void)
{
  run_main (get_cancelled_race_main, NULL);
}

static gboolean
get_with_waiting_putters_main (gpointer   user_data,
                               GValue    *result,
                               GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 1);
  g_autoptr(GaioTask) put_a = start_put (queue, 1);
  g_autoptr(GaioTask) put_b = start_put (queue, 2);

  g_assert_cmpint (await_get (queue), ==, 1);
  g_assert_cmpint (await_get (queue), ==, 2);
  await_task_ok (put_a);
  await_task_ok (put_b);
  return TRUE;
}

/* QU-02: two put tasks on a queue of one, got in the order they were
 * put (test_queues.py::QueueGetTests::test_get_with_waiting_putters). */
static void
test_queue_get_with_waiting_putters (void)
{
  run_main (get_with_waiting_putters_main, NULL);
}

typedef struct
{
  GaioQueue *queue;
  gint       n;
} Loop;

static gboolean
consume_n (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  Loop *args = user_data;

  for (gint i = 0; i < args->n; i++)
    if (!gaio_await (gaio_queue_get (args->queue), NULL, error))
      return FALSE;
  return TRUE;
}

static gboolean
produce_n (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  Loop *args = user_data;

  for (gint i = 0; i < args->n; i++)
    if (!gaio_await (put_int_future (args->queue, i), NULL, error))
      return FALSE;
  return TRUE;
}

static gboolean
why_are_getters_waiting_main (gpointer   user_data,
                              GValue    *result,
                              GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 1);
  Loop args = { queue, 5 };
  g_autoptr(GaioTask) producer_task = gaio_loop_create_task (loop, gaio_coroutine_new (produce_n,
                                                                                        &args, NULL));
  g_autoptr(GaioTask) consumer_task = gaio_loop_create_task (loop, gaio_coroutine_new (consume_n,
                                                                                        &args, NULL));

  await_task_ok (producer_task);
  await_task_ok (consumer_task);
  g_assert_true (gaio_queue_is_empty (queue));
  g_assert_cmpuint (count_waiters (queue, "getters"), ==, 0);
  return TRUE;
}

/* QU-04: a producer and a consumer of five items through a queue of one
 * both finish: no getter is left waiting with an item in the queue
 * (test_queues.py::QueueGetTests::test_why_are_getters_waiting). */
static void
test_queue_why_are_getters_waiting (void)
{
  run_main (why_are_getters_waiting_main, NULL);
}

static gboolean
getter_timed_out_main (gpointer   user_data,
                       GValue    *result,
                       GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 5);
  g_autoptr(GaioFuture) get = gaio_queue_get (queue);
  g_autoptr(GError) local_error = NULL;

  /* gaio_wait_for() takes a reference of its own. */
  g_assert_false (gaio_await (gaio_wait_for (get, 0.01), NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (count_waiters (queue, "getters"), ==, 0);
  return TRUE;
}

/* QU-04: a get that wait_for() timed out leaves the getters' line
 * (test_queues.py::QueueGetTests::
 * test_cancelled_getters_not_being_held_in_self_getters). */
static void
test_queue_getter_timed_out (void)
{
  run_main (getter_timed_out_main, NULL);
}

static gboolean
blocking_put_main (gpointer   user_data,
                   GValue    *result,
                   GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  g_autoptr(GaioFuture) put = put_int_future (queue, 1);

  /* No maxsize: asyncio's put() returns without suspending. */
  g_assert_true (gaio_future_is_done (put));
  g_assert_cmpint (await_get (queue), ==, 1);
  return TRUE;
}

/* QU-02: a put on an unbounded queue never waits
 * (test_queues.py::QueuePutTests::test_blocking_put). */
static void
test_queue_blocking_put (void)
{
  run_main (blocking_put_main, NULL);
}

static gboolean
drop_one_pending_reader_main (gpointer   user_data,
                              GValue    *result,
                              GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  g_autoptr(GaioTask) reader = start_get (queue);
  g_autoptr(GaioTask) retry = NULL;

  g_assert_true (sleep0 (error));
  put_int (queue, 1);
  put_int (queue, 2);
  gaio_future_cancel (GAIO_FUTURE (reader), NULL);
  await_task_cancelled (reader);
  /* If the retry got 2, the cancelled reader dropped 1. */
  retry = start_get (queue);
  g_assert_cmpint (await_task_int (retry), ==, 1);
  return TRUE;
}

/* QU-10: a reader cancelled after a put woke it drops nothing: the next
 * reader gets the first item (test_queues.py::QueuePutTests::
 * test_get_cancel_drop_one_pending_reader). */
static void
test_queue_get_cancel_drop_one_pending_reader (void)
{
  run_main (drop_one_pending_reader_main, NULL);
}

static gboolean
put_cancel_drop_main (gpointer   user_data,
                      GValue    *result,
                      GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 1);
  g_autoptr(GaioTask) writer = NULL;
  g_autoptr(GaioTask) retry = NULL;

  put_int (queue, 1);
  writer = start_put (queue, 2);
  g_assert_true (sleep0 (error));
  g_assert_cmpint (get_int (queue), ==, 1);
  gaio_future_cancel (GAIO_FUTURE (writer), NULL);
  await_task_cancelled (writer);
  retry = start_put (queue, 2);
  await_task_ok (retry);
  g_assert_cmpint (get_int (queue), ==, 2);
  g_assert_cmpuint (gaio_queue_get_size (queue), ==, 0);
  return TRUE;
}

/* QU-11: a writer cancelled after a get woke it puts nothing; its retry
 * puts the item once (test_queues.py::QueuePutTests::
 * test_put_cancel_drop). */
static void
test_queue_put_cancel_drop (void)
{
  run_main (put_cancel_drop_main, NULL);
}

static gboolean
put_wakes_getter_main (gpointer   user_data,
                       GValue    *result,
                       GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  g_autoptr(GaioTask) putter = start_put (queue, 1);

  g_assert_cmpint (await_get (queue), ==, 1);
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (putter)));
  await_task_ok (putter);
  return TRUE;
}

/* QU-01: a get waiting on an empty queue is served by a put task started
 * before it, which is done by the time the get returns
 * (test_queues.py::QueuePutTests::test_put_cancelled, despite its name). */
static void
test_queue_put_wakes_getter (void)
{
  run_main (put_wakes_getter_main, NULL);
}

static gboolean
put_cancelled_race_main (gpointer   user_data,
                         GValue    *result,
                         GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 1);
  g_autoptr(GaioTask) put_a = start_put (queue, 1);
  g_autoptr(GaioTask) put_b = start_put (queue, 2);
  g_autoptr(GaioTask) put_c = start_put (queue, 99);

  g_assert_true (sleep0 (error));
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (put_a)));
  g_assert_false (gaio_future_is_done (GAIO_FUTURE (put_b)));

  gaio_future_cancel (GAIO_FUTURE (put_c), NULL);
  g_assert_true (sleep0 (error));
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (put_c)));
  g_assert_cmpint (get_int (queue), ==, 1);
  g_assert_true (sleep0 (error));
  g_assert_cmpint (get_int (queue), ==, 2);

  await_task_ok (put_b);
  await_task_cancelled (put_c);
  g_assert_true (gaio_queue_is_empty (queue));
  return TRUE;
}

/* QU-04: a putter cancelled while it waits never puts; the slot goes to
 * the putter ahead of it (test_queues.py::QueuePutTests::
 * test_put_cancelled_race). */
static void
test_queue_put_cancelled_race (void)
{
  run_main (put_cancelled_race_main, NULL);
}

static gboolean
put_with_waiting_getters_main (gpointer   user_data,
                               GValue    *result,
                               GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  g_autoptr(GaioTask) getter = start_get (queue);

  g_assert_true (sleep0 (error));
  await_put (queue, 1);
  g_assert_cmpint (await_task_int (getter), ==, 1);
  return TRUE;
}

/* QU-01: a put hands its item to the getter task waiting
 * (test_queues.py::QueuePutTests::test_put_with_waiting_getters). */
static void
test_queue_put_with_waiting_getters (void)
{
  run_main (put_with_waiting_getters_main, NULL);
}

static gboolean
drain_after_sleep0 (gpointer   user_data,
                    GValue    *result,
                    GError   **error)
{
  GaioQueue *queue = user_data;
  guint n;

  if (!sleep0 (error))
    return FALSE;
  n = gaio_queue_get_size (queue);
  for (guint i = 0; i < n; i++)
    get_int (queue);
  return TRUE;
}

static gboolean
why_are_putters_waiting_main (gpointer   user_data,
                              GValue    *result,
                              GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 2);
  g_autoptr(GaioTask) getter = gaio_loop_create_task (loop, gaio_coroutine_new (drain_after_sleep0,
                                                                                 queue, NULL));
  GaioTask *putters[4];

  for (guint i = 0; i < G_N_ELEMENTS (putters); i++)
    putters[i] = start_put (queue, i);
  await_task_ok (getter);
  for (guint i = 0; i < G_N_ELEMENTS (putters); i++)
    {
      await_task_ok (putters[i]);
      gaio_task_unref (putters[i]);
    }
  g_assert_cmpuint (count_waiters (queue, "putters"), ==, 0);
  g_assert_cmpuint (gaio_queue_get_size (queue), ==, 2);
  return TRUE;
}

/* QU-02: four putters on a queue of two, drained once: the two left
 * waiting put as soon as the slots free up, none stays waiting
 * (test_queues.py::QueuePutTests::test_why_are_putters_waiting). */
static void
test_queue_why_are_putters_waiting (void)
{
  run_main (why_are_putters_waiting_main, NULL);
}

static gboolean
cancelled_putter_leaves_main (gpointer   user_data,
                              GValue    *result,
                              GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 1);
  g_autoptr(GaioTask) put_task = NULL;

  put_int (queue, 1);
  put_task = start_put (queue, 1);
  g_assert_true (sleep0 (error));
  g_assert_cmpuint (count_waiters (queue, "putters"), ==, 1);
  gaio_future_cancel (GAIO_FUTURE (put_task), NULL);
  await_task_cancelled (put_task);
  g_assert_cmpuint (count_waiters (queue, "putters"), ==, 0);
  g_assert_cmpuint (gaio_queue_get_size (queue), ==, 1);
  return TRUE;
}

/* QU-04: a putter task cancelled while it waits leaves the putters' line
 * (test_queues.py::QueuePutTests::
 * test_cancelled_puts_not_being_held_in_self_putters). */
static void
test_queue_cancelled_putter_leaves (void)
{
  run_main (cancelled_putter_leaves_main, NULL);
}

static gboolean
woken_putter_cancelled_main (gpointer   user_data,
                             GValue    *result,
                             GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 1);
  g_autoptr(GaioTask) put_task = NULL;

  put_int (queue, 1);
  put_task = start_put (queue, 2);
  g_assert_true (sleep0 (error));
  /* The get takes the putter out of the line and wakes it. */
  get_int (queue);
  gaio_future_cancel (GAIO_FUTURE (put_task), NULL);
  await_task_cancelled (put_task);
  g_assert_true (gaio_queue_is_empty (queue));
  return TRUE;
}

/* QU-11: a putter task a get woke, then cancelled before it resumed,
 * ends cancelled, with nothing put (test_queues.py::QueuePutTests::
 * test_cancelled_put_silence_value_error_exception). */
static void
test_queue_woken_putter_cancelled (void)
{
  run_main (woken_putter_cancelled_main, NULL);
}

typedef struct
{
  GaioQueue *queue;
  GArray    *have_been_put;
} Putter;

static gboolean
put_three (gpointer   user_data,
           GValue    *result,
           GError   **error)
{
  Putter *putter = user_data;

  for (gint i = 0; i < 3; i++)
    {
      if (!gaio_await (put_int_future (putter->queue, i), NULL, error))
        return FALSE;
      g_array_append_val (putter->have_been_put, i);
    }
  return TRUE;
}

static void
assert_have_been_put (GArray *have_been_put,
                      gint    n)
{
  g_assert_cmpuint (have_been_put->len, ==, n);
  for (gint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (have_been_put, gint, i), ==, i);
}

static gboolean
maxsize_putter_main (gpointer   user_data,
                     GValue    *result,
                     GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 2);
  g_autoptr(GArray) have_been_put = g_array_new (FALSE, FALSE, sizeof (gint));
  Putter putter = { queue, have_been_put };
  g_autoptr(GaioTask) task = gaio_loop_create_task (loop, gaio_coroutine_new (put_three, &putter,
                                                                               NULL));

  g_assert_cmpint (gaio_queue_get_maxsize (queue), ==, 2);
  g_assert_true (sleep0 (error));
  g_assert_true (sleep0 (error));
  /* The putter is blocked after putting two items. */
  assert_have_been_put (have_been_put, 2);
  g_assert_cmpint (await_get (queue), ==, 0);
  /* The get woke it: it puts the last item when it resumes. */
  g_assert_true (sleep0 (error));
  assert_have_been_put (have_been_put, 3);
  g_assert_cmpint (await_get (queue), ==, 1);
  g_assert_cmpint (await_get (queue), ==, 2);
  g_assert_true (gaio_future_is_done (GAIO_FUTURE (task)));
  await_task_ok (task);
  return TRUE;
}

/* QU-02: a putter task blocks once the queue holds maxsize items and
 * puts the next one in the iteration after a get
 * (test_queues.py::QueueBasicTests::test_maxsize, as CPython writes it;
 * /Gaio/Queue/maxsize is its put futures' form). */
static void
test_queue_maxsize_putter (void)
{
  run_main (maxsize_putter_main, NULL);
}

typedef struct
{
  GaioQueue *queue;
  gboolean   finished;
} PutTwo;

static gboolean
put_two (gpointer   user_data,
         GValue    *result,
         GError   **error)
{
  PutTwo *state = user_data;

  if (!gaio_await (put_int_future (state->queue, 1), NULL, error) ||
      !gaio_await (put_int_future (state->queue, 2), NULL, error))
    return FALSE;
  state->finished = TRUE;
  return TRUE;
}

static gboolean
get_one_cb (gpointer   user_data,
            GError   **error)
{
  get_int (user_data);
  return TRUE;
}

static gboolean
blocking_put_wait_main (gpointer   user_data,
                        GValue    *result,
                        GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = gaio_queue_new (loop, 1);
  PutTwo state = { queue, FALSE };
  g_autoptr(GaioTask) task = NULL;

  g_assert_nonnull (gaio_loop_call_later (loop, 0.01, get_one_cb, queue, NULL, NULL));
  task = gaio_loop_create_task (loop, gaio_coroutine_new (put_two, &state, NULL));
  g_assert_true (sleep0 (error));
  g_assert_false (state.finished);
  await_task_ok (task);
  g_assert_true (state.finished);
  g_assert_cmpint (get_int (queue), ==, 2);
  return TRUE;
}

/* QU-02: a putter task waiting on a full queue goes on once a timer's
 * get_nowait() frees the slot (test_queues.py::QueuePutTests::
 * test_blocking_put_wait). */
static void
test_queue_blocking_put_wait (void)
{
  run_main (blocking_put_wait_main, NULL);
}

static gboolean
drop_many_pending_readers_main (gpointer   user_data,
                                GValue    *result,
                                GError   **error)
{
  g_autoptr(GaioQueue) queue = gaio_queue_new (gaio_get_running_loop (), 0);
  g_autoptr(GaioTask) reader1 = start_get (queue);
  g_autoptr(GaioTask) reader2 = start_get (queue);
  g_autoptr(GaioTask) reader3 = start_get (queue);

  g_assert_true (sleep0 (error));
  put_int (queue, 1);
  put_int (queue, 2);
  gaio_future_cancel (GAIO_FUTURE (reader1), NULL);
  await_task_cancelled (reader1);
  /* The CPython test leaves the order open; 3.11 gives 1 to reader2 and
   * 2 to reader3, and so does libgaio. */
  g_assert_cmpint (await_task_int (reader3), ==, 2);
  g_assert_cmpint (await_task_int (reader2), ==, 1);
  g_assert_true (gaio_queue_is_empty (queue));
  return TRUE;
}

/* QU-10: of three readers woken by two puts, the one cancelled drops
 * nothing: the other two get both items (test_queues.py::QueuePutTests::
 * test_get_cancel_drop_many_pending_readers, with tasks as CPython
 * writes it; /Gaio/Queue/woken-task-cancelled is the two-reader form). */
static void
test_queue_get_cancel_drop_many_pending_readers (void)
{
  run_main (drop_many_pending_readers_main, NULL);
}

/* The kinds _QueueJoinTestMixin runs its tests with. */
static GaioQueue *
queue_new_of_kind (GaioLoop      *loop,
                   GaioQueueKind  kind)
{
  switch (kind)
    {
    case GAIO_QUEUE_FIFO:
      return gaio_queue_new (loop, 0);
    case GAIO_QUEUE_LIFO:
      return gaio_queue_new_lifo (loop, 0);
    case GAIO_QUEUE_PRIORITY:
      return gaio_queue_new_priority (loop, 0, NULL, NULL, NULL);
    default:
      g_assert_not_reached ();
    }
}

/* QU-05: task_done() with nothing unfinished fails, on every kind
 * (test_queues.py::_QueueJoinTestMixin::test_task_done_underflow). */
static void
test_queue_task_done_underflow (gconstpointer data)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GaioQueue) queue = queue_new_of_kind (loop, GPOINTER_TO_INT (data));
  g_autoptr(GError) error = NULL;

  g_assert_false (gaio_queue_task_done (queue, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);

  g_clear_object (&queue);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioQueue *queue;
  gboolean   running;
  gint       accumulator;
} Workers;

static gboolean
join_worker (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  Workers *workers = user_data;

  while (workers->running)
    {
      g_auto(GValue) item = G_VALUE_INIT;

      if (!gaio_await (gaio_queue_get (workers->queue), &item, error))
        return FALSE;
      workers->accumulator += g_value_get_int (&item);
      if (!gaio_queue_task_done (workers->queue, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
task_done_main (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  GaioLoop *loop = gaio_get_running_loop ();
  g_autoptr(GaioQueue) queue = queue_new_of_kind (loop, GPOINTER_TO_INT (user_data));
  Workers workers = { queue, TRUE, 0 };
  GaioTask *tasks[2];

  for (gint i = 0; i < 100; i++)
    put_int (queue, i);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    tasks[i] = gaio_loop_create_task (loop, gaio_coroutine_new (join_worker, &workers, NULL));

  g_assert_true (gaio_await (gaio_queue_join (queue), NULL, error));
  g_assert_cmpint (workers.accumulator, ==, 99 * 100 / 2);

  /* Let the workers out of their loop. */
  workers.running = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    put_int (queue, 0);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      await_task_ok (tasks[i]);
      gaio_task_unref (tasks[i]);
    }
  return TRUE;
}

/* QU-05: two workers get a hundred items and mark each done; join()
 * returns once all are processed, on every kind
 * (test_queues.py::_QueueJoinTestMixin::test_task_done). */
static void
test_queue_task_done (gconstpointer data)
{
  run_main (task_done_main, (gpointer) data);
}

static gboolean
join_empty_main (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  g_autoptr(GaioQueue) queue = queue_new_of_kind (gaio_get_running_loop (),
                                                  GPOINTER_TO_INT (user_data));
  g_autoptr(GaioFuture) first = gaio_queue_join (queue);
  g_autoptr(GaioFuture) second = gaio_queue_join (queue);

  /* Done before anything else runs. */
  g_assert_true (gaio_future_is_done (first));
  g_assert_true (gaio_future_is_done (second));
  g_assert_true (gaio_await (gaio_future_ref (first), NULL, error));
  g_assert_true (gaio_await (gaio_future_ref (second), NULL, error));
  return TRUE;
}

/* QU-05: join() on a queue with nothing unfinished is done at once, and
 * again, on every kind (test_queues.py::_QueueJoinTestMixin::
 * test_join_empty_queue). */
static void
test_queue_join_empty (gconstpointer data)
{
  run_main (join_empty_main, (gpointer) data);
}

int
main (int    argc,
      char **argv)
{
  static const struct
  {
    const char    *name;
    GaioQueueKind  kind;
  } kinds[] = {
    { "fifo", GAIO_QUEUE_FIFO },
    { "lifo", GAIO_QUEUE_LIFO },
    { "priority", GAIO_QUEUE_PRIORITY },
  };

  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Queue/orders", test_queue_orders);
  g_test_add_func ("/Gaio/Queue/maxsize", test_queue_maxsize);
  g_test_add_func ("/Gaio/Queue/nowait-errors", test_queue_nowait_errors);
  g_test_add_func ("/Gaio/Queue/getters", test_queue_getters);
  g_test_add_func ("/Gaio/Queue/put-cancelled", test_queue_put_cancelled);
  g_test_add_func ("/Gaio/Queue/woken-task-cancelled", test_queue_woken_task_cancelled);
  g_test_add_func ("/Gaio/Queue/join", test_queue_join);
  g_test_add_func ("/Gaio/Queue/shutdown", test_queue_shutdown);
  g_test_add_func ("/Gaio/Queue/shutdown-immediate", test_queue_shutdown_immediate);
  g_test_add_func ("/Gaio/Queue/pointer-ownership", test_queue_pointer_ownership);
  g_test_add_func ("/Gaio/Queue/finalized-while-woken", test_queue_finalized_while_woken);
  g_test_add_func ("/Gaio/Queue/put-on-closed-loop", test_queue_put_on_closed_loop);
  g_test_add_func ("/Gaio/Queue/jump-the-line", test_queue_jump_the_line);
  g_test_add_func ("/Gaio/Queue/wakeup-hops", test_queue_wakeup_hops);
  g_test_add_func ("/Gaio/Queue/woken-getter-cancelled", test_queue_woken_getter_cancelled);
  g_test_add_func ("/Gaio/Queue/woken-putter-loses", test_queue_woken_putter_loses);
  g_test_add_func ("/Gaio/Queue/shutdown-wakes", test_queue_shutdown_wakes);
  g_test_add_func ("/Gaio/Queue/join-hops", test_queue_join_hops);
  g_test_add_func ("/Gaio/Queue/put-after-deadline", test_queue_put_after_deadline);

  g_test_add_func ("/Gaio/Queue/repr", test_queue_repr);
  g_test_add_func ("/Gaio/Queue/empty", test_queue_empty);
  g_test_add_func ("/Gaio/Queue/full", test_queue_full);
  g_test_add_func ("/Gaio/Queue/blocking-get", test_queue_blocking_get);
  g_test_add_func ("/Gaio/Queue/get-with-putters", test_queue_get_with_putters);
  g_test_add_func ("/Gaio/Queue/blocking-get-wait", test_queue_blocking_get_wait);
  g_test_add_func ("/Gaio/Queue/nonblocking", test_queue_nonblocking);
  g_test_add_func ("/Gaio/Queue/get-cancelled-race", test_queue_get_cancelled_race);
  g_test_add_func ("/Gaio/Queue/get-with-waiting-putters", test_queue_get_with_waiting_putters);
  g_test_add_func ("/Gaio/Queue/why-are-getters-waiting", test_queue_why_are_getters_waiting);
  g_test_add_func ("/Gaio/Queue/getter-timed-out", test_queue_getter_timed_out);
  g_test_add_func ("/Gaio/Queue/blocking-put", test_queue_blocking_put);
  g_test_add_func ("/Gaio/Queue/get-cancel-drop-one-pending-reader",
                   test_queue_get_cancel_drop_one_pending_reader);
  g_test_add_func ("/Gaio/Queue/put-cancel-drop", test_queue_put_cancel_drop);
  g_test_add_func ("/Gaio/Queue/put-wakes-getter", test_queue_put_wakes_getter);
  g_test_add_func ("/Gaio/Queue/put-cancelled-race", test_queue_put_cancelled_race);
  g_test_add_func ("/Gaio/Queue/put-with-waiting-getters", test_queue_put_with_waiting_getters);
  g_test_add_func ("/Gaio/Queue/why-are-putters-waiting", test_queue_why_are_putters_waiting);
  g_test_add_func ("/Gaio/Queue/cancelled-putter-leaves", test_queue_cancelled_putter_leaves);
  g_test_add_func ("/Gaio/Queue/woken-putter-cancelled", test_queue_woken_putter_cancelled);
  g_test_add_func ("/Gaio/Queue/maxsize-putter", test_queue_maxsize_putter);
  g_test_add_func ("/Gaio/Queue/blocking-put-wait", test_queue_blocking_put_wait);
  g_test_add_func ("/Gaio/Queue/get-cancel-drop-many-pending-readers",
                   test_queue_get_cancel_drop_many_pending_readers);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *underflow = g_strdup_printf ("/Gaio/Queue/%s/task-done-underflow",
                                                    kinds[i].name);
      g_autofree char *task_done = g_strdup_printf ("/Gaio/Queue/%s/task-done", kinds[i].name);
      g_autofree char *join_empty = g_strdup_printf ("/Gaio/Queue/%s/join-empty", kinds[i].name);

      g_test_add_data_func (underflow, GINT_TO_POINTER (kinds[i].kind),
                            test_queue_task_done_underflow);
      g_test_add_data_func (task_done, GINT_TO_POINTER (kinds[i].kind), test_queue_task_done);
      g_test_add_data_func (join_empty, GINT_TO_POINTER (kinds[i].kind), test_queue_join_empty);
    }

  return g_test_run ();
}
