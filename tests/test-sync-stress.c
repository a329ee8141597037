/* test-sync-stress.c: a bounded queue and a semaphore under many tasks
 * and random cancellations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * No CPython counterpart: asyncio's tests do not stress its primitives.
 * The counts shrink 100x under GAIO_TEST_SHRINK=1.
 */

#include "gaio-test-util.h"

#define N_PRODUCERS 100
#define N_CONSUMERS 100

typedef struct
{
  GaioQueue *queue;
  guint      n_items;      /* per producer */
  gint      *freed;        /* per item: how many times its destroy ran */
  gint      *delivered;    /* per item: how many consumers got it */
  GPtrArray *tasks;        /* the producers and consumers, to cancel */
  GRand     *rand;
} Stress;

typedef struct
{
  Stress *stress;
  guint   index;           /* the item's number */
} Item;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_atomic_int_inc (&item->stress->freed[item->index]);
  g_free (item);
}

typedef struct
{
  Stress *stress;
  guint   first;
} Producer;

static gboolean
produce (gpointer   user_data,
         GValue    *result,
         GError   **error)
{
  Producer *producer = user_data;
  Stress *stress = producer->stress;

  for (guint i = 0; i < stress->n_items; i++)
    {
      Item *item = g_new0 (Item, 1);

      item->stress = stress;
      item->index = producer->first + i;
      /* The queue owns the item from here on, put or not. */
      if (!gaio_await (gaio_queue_put_pointer (stress->queue, item, item_free), NULL, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
consume (gpointer   user_data,
         GValue    *result,
         GError   **error)
{
  Stress *stress = user_data;

  for (;;)
    {
      g_autoptr(GaioFuture) get = gaio_queue_get (stress->queue);
      Item *item;

      if (!gaio_await (gaio_future_ref (get), NULL, error))
        return FALSE;
      item = gaio_future_get_result_pointer (get, NULL);
      stress->delivered[item->index]++;
      /* A cancelled getter never puts an item back past maxsize. */
      g_assert_cmpuint (gaio_queue_get_size (stress->queue), <=, 10);
      gaio_queue_task_done (stress->queue, NULL);
      /* Freed with the future. */
    }
}

static gboolean
cancel_some (gpointer   user_data,
             GValue    *result,
             GError   **error)
{
  Stress *stress = user_data;

  for (guint round = 0; round < 200; round++)
    {
      GaioFuture *victim = g_ptr_array_index (stress->tasks,
                                              g_rand_int_range (stress->rand, 0,
                                                                stress->tasks->len));

      gaio_future_cancel (victim, "stress");
      if (!gaio_await (gaio_sleep (0), NULL, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
stop_cb (gpointer   user_data,
         GError   **error)
{
  gaio_loop_stop (user_data);
  return TRUE;
}

/* gaio_sleep() needs a running loop: this runs one for @seconds. */
static void
run_for (GaioLoop *loop,
         gdouble   seconds)
{
  gaio_loop_call_later (loop, seconds, stop_cb, loop, NULL, NULL);
  g_assert_true (gaio_loop_run_forever (loop, NULL));
}

static gboolean
all_producers_done (Stress *stress)
{
  for (guint i = 0; i < N_PRODUCERS; i++)
    if (!gaio_future_is_done (g_ptr_array_index (stress->tasks, i)))
      return FALSE;
  return TRUE;
}

/* 100 producers and 100 consumers over one bounded queue, tasks
 * cancelled at random: every item is freed exactly once, and delivered
 * at most once; the queue never holds more than its maxsize. */
static void
test_queue_stress (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Stress stress = { 0 };
  g_autoptr(GaioTask) canceller = NULL;
  g_autoptr(GPtrArray) producers = g_ptr_array_new_with_free_func (g_free);
  guint n_total, n_delivered = 0;

  stress.queue = gaio_queue_new (loop, 10);
  stress.n_items = MAX (gaio_test_scale (2000) / N_PRODUCERS, 2);
  n_total = stress.n_items * N_PRODUCERS;
  stress.freed = g_new0 (gint, n_total);
  stress.delivered = g_new0 (gint, n_total);
  stress.tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  stress.rand = g_rand_new_with_seed (15);

  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      Producer *producer = g_new0 (Producer, 1);

      producer->stress = &stress;
      producer->first = i * stress.n_items;
      g_ptr_array_add (producers, producer);
      g_ptr_array_add (stress.tasks,
                       gaio_loop_create_task (loop, gaio_coroutine_new (produce, producer, NULL)));
    }
  for (guint i = 0; i < N_CONSUMERS; i++)
    g_ptr_array_add (stress.tasks,
                     gaio_loop_create_task (loop, gaio_coroutine_new (consume, &stress, NULL)));
  canceller = gaio_loop_create_task (loop, gaio_coroutine_new (cancel_some, &stress, NULL));

  g_assert_true (gaio_loop_run_until_complete (loop, GAIO_FUTURE (canceller), NULL, NULL));
  while (!all_producers_done (&stress))
    run_for (loop, 0.001);

  /* Let the consumers left drain the queue, then end them. */
  for (guint i = 0; i < 100 && !gaio_queue_is_empty (stress.queue); i++)
    run_for (loop, 0.001);
  gaio_queue_shutdown (stress.queue, TRUE);
  for (guint i = 0; i < stress.tasks->len; i++)
    gaio_loop_run_until_complete (loop, g_ptr_array_index (stress.tasks, i), NULL, NULL);
  g_clear_object (&stress.queue);

  for (guint i = 0; i < n_total; i++)
    {
      g_assert_cmpint (stress.freed[i], <=, 1);
      g_assert_cmpint (stress.delivered[i], <=, 1);
      n_delivered += stress.delivered[i];
    }
  /* Items never made (their producer was cancelled first) were never
   * freed; every item made was freed once. */
  for (guint p = 0; p < N_PRODUCERS; p++)
    {
      gboolean made = TRUE;

      for (guint i = 0; i < stress.n_items; i++)
        {
          guint index = p * stress.n_items + i;

          if (!made)
            g_assert_cmpint (stress.freed[index], ==, 0);
          made = stress.freed[index] == 1;
          if (stress.delivered[index] == 1)
            g_assert_cmpint (stress.freed[index], ==, 1);
        }
    }
  g_assert_cmpuint (n_delivered, >, 0);
  g_test_message ("%u of %u items delivered", n_delivered, n_total);

  g_ptr_array_unref (stress.tasks);
  g_rand_free (stress.rand);
  g_free (stress.freed);
  g_free (stress.delivered);
  g_clear_pointer (&canceller, gaio_task_unref);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioSemaphore *sem;
  guint          inside;
  guint          max_inside;
  guint          entered;
  GPtrArray     *tasks;
  GRand         *rand;
} Limited;

static gboolean
limited_work (gpointer   user_data,
              GValue    *result,
              GError   **error)
{
  Limited *limited = user_data;
  gboolean ok;

  if (!gaio_await (gaio_semaphore_acquire (limited->sem), NULL, error))
    return FALSE;

  limited->inside++;
  limited->entered++;
  limited->max_inside = MAX (limited->max_inside, limited->inside);
  ok = gaio_await (gaio_sleep (0), NULL, error);
  limited->inside--;
  g_assert_true (gaio_semaphore_release (limited->sem, NULL));

  return ok;
}

static gboolean
cancel_limited (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  Limited *limited = user_data;

  for (guint round = 0; round < 2000; round++)
    {
      gaio_future_cancel (g_ptr_array_index (limited->tasks,
                                             g_rand_int_range (limited->rand, 0,
                                                               limited->tasks->len)),
                          "stress");
      if (!gaio_await (gaio_sleep (0), NULL, error))
        return FALSE;
    }
  return TRUE;
}

/* A semaphore of 10 under 10 000 tasks, cancelled at random: never more
 * than 10 inside, and every permit back at the end. */
static void
test_semaphore_stress (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Limited limited = { 0 };
  g_autoptr(GaioTask) canceller = NULL;
  guint n = gaio_test_scale (10000);

  limited.sem = GAIO_SEMAPHORE (gaio_bounded_semaphore_new (loop, 10));
  limited.tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  limited.rand = g_rand_new_with_seed (15);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (limited.tasks,
                     gaio_loop_create_task (loop, gaio_coroutine_new (limited_work, &limited,
                                                                      NULL)));
  canceller = gaio_loop_create_task (loop, gaio_coroutine_new (cancel_limited, &limited, NULL));

  for (guint i = 0; i < limited.tasks->len; i++)
    gaio_loop_run_until_complete (loop, g_ptr_array_index (limited.tasks, i), NULL, NULL);
  gaio_future_cancel (GAIO_FUTURE (canceller), NULL);
  gaio_loop_run_until_complete (loop, GAIO_FUTURE (canceller), NULL, NULL);

  g_assert_cmpuint (limited.max_inside, <=, 10);
  g_assert_cmpuint (limited.max_inside, >, 1);
  g_assert_cmpuint (limited.inside, ==, 0);
  g_assert_cmpuint (gaio_semaphore_get_value (limited.sem), ==, 10);
  g_test_message ("%u of %u tasks got in", limited.entered, n);

  g_ptr_array_unref (limited.tasks);
  g_rand_free (limited.rand);
  g_object_unref (limited.sem);
  g_clear_pointer (&canceller, gaio_task_unref);
  gaio_test_loop_free (loop);
}

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Queue/stress", test_queue_stress);
  g_test_add_func ("/Gaio/Semaphore/stress", test_semaphore_stress);

  return g_test_run ();
}
