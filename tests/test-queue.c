/* test-queue.c: GaioQueue and its LIFO and priority kinds
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Ports of CPython 3.11's test_asyncio/test_queues.py and 3.13's queue
 * shutdown cases, and the item ownership rules C adds.
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

/* QU-01: FIFO, LIFO and priority orders
 * (test_queues.py::QueueGetTests::test_get, LifoQueueTests::test_order,
 * PriorityQueueTests::test_order, _QueueBasicTests::test_repr). */
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
  g_assert_cmpint (get_int (queue), ==, 1);
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

/* QU-04: a get waits for a put, first getter first; a cancelled getter
 * never takes an item (test_queues.py::QueueGetTests::test_get_with_putters,
 * ::test_get_cancelled, ::test_get_cancelled_race,
 * ::test_cancelled_getters_not_being_held_in_self_getters). */
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
  g_assert_cmpint (future_int (g2), ==, 7);
  g_assert_cmpint (future_int (g3), ==, 8);
  g_assert_true (gaio_queue_is_empty (queue));
  run_briefly (loop);

  g_clear_object (&queue);
  g_clear_pointer (&g1, gaio_future_unref);
  g_clear_pointer (&g2, gaio_future_unref);
  g_clear_pointer (&g3, gaio_future_unref);
  gaio_test_loop_free (loop);
}

/* QU-04: a cancelled put's item never goes in, and is freed
 * (test_queues.py::QueuePutTests::test_put_cancelled,
 * ::test_cancelled_puts_not_being_held_in_self_putters). */
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

/* QU-04: a task cancelled after an item was handed to it gives it back:
 * the next getter gets it (test_queues.py::QueueGetTests::
 * test_cancelled_getters_not_being_held_in_self_getters, the "woken but
 * cancelled" path of Queue.get). */
static void
test_queue_getter_dropped (void)
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
 * waiting getters and putters fail at once (test_queues.py 3.13::
 * _QueueShutdownTestMixin::test_shutdown_empty, ::test_shutdown_nonempty,
 * ::test_shutdown_put). */
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

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Queue/orders", test_queue_orders);
  g_test_add_func ("/Gaio/Queue/maxsize", test_queue_maxsize);
  g_test_add_func ("/Gaio/Queue/nowait-errors", test_queue_nowait_errors);
  g_test_add_func ("/Gaio/Queue/getters", test_queue_getters);
  g_test_add_func ("/Gaio/Queue/put-cancelled", test_queue_put_cancelled);
  g_test_add_func ("/Gaio/Queue/getter-dropped", test_queue_getter_dropped);
  g_test_add_func ("/Gaio/Queue/join", test_queue_join);
  g_test_add_func ("/Gaio/Queue/shutdown", test_queue_shutdown);
  g_test_add_func ("/Gaio/Queue/shutdown-immediate", test_queue_shutdown_immediate);
  g_test_add_func ("/Gaio/Queue/pointer-ownership", test_queue_pointer_ownership);

  return g_test_run ();
}
