/* queue-threads.c: worker threads produce into a GaioQueue, tasks consume
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A queue belongs to its loop and is not thread-safe, as asyncio's is
 * not. Four threads of a GThreadPool compute squares and hand each to the
 * loop with gaio_loop_call_soon_threadsafe(); the callback, on the loop's
 * thread, puts it into the queue. Three consumer tasks take items until
 * the queue is shut down, and main() waits with join() until every item
 * was processed. Prints the sum of the squares of 1..100 (338350).
 */

#include <gaio.h>

#define N_ITEMS 100

typedef struct
{
  GaioLoop  *loop;
  GaioQueue *queue;
  GaioEvent *all_put;  /* set once the N_ITEMS-th item is in */
  guint      n_put;    /* loop thread only, as everything below */
  gint64     sum;      /* the consumers' total */
} App;

typedef struct
{
  App    *app;
  gint64  value;
} Delivery;

/* On the loop's thread: the only place that touches the queue. */
static gboolean
deliver (gpointer   user_data,
         GError   **error)
{
  Delivery *delivery = user_data;
  g_auto(GValue) item = G_VALUE_INIT;

  g_value_init (&item, G_TYPE_INT64);
  g_value_set_int64 (&item, delivery->value);
  /* Unbounded: put_nowait never fails for want of room. */
  if (!gaio_queue_put_nowait (delivery->app->queue, &item, error))
    return FALSE;
  if (++delivery->app->n_put == N_ITEMS)
    gaio_event_set (delivery->app->all_put);
  return TRUE;
}

/* On a worker thread: compute, then post to the loop. */
static void
work (gpointer data,
      gpointer user_data)
{
  App *app = user_data;
  gint64 n = GPOINTER_TO_INT (data);
  Delivery *delivery = g_new0 (Delivery, 1);

  delivery->app = app;
  delivery->value = n * n;
  gaio_loop_call_soon_threadsafe (app->loop, deliver, delivery, g_free, NULL);
}

static gboolean
consume (gpointer   user_data,
         GValue    *result,
         GError   **error)
{
  App *app = user_data;

  for (;;)
    {
      g_auto(GValue) item = G_VALUE_INIT;
      g_autoptr(GError) local_error = NULL;

      if (!gaio_await (gaio_queue_get (app->queue), &item, &local_error))
        {
          /* Shut down and empty: this consumer is done. */
          if (g_error_matches (local_error, GAIO_QUEUE_ERROR, GAIO_QUEUE_ERROR_SHUT_DOWN))
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      app->sum += g_value_get_int64 (&item);
      gaio_queue_task_done (app->queue, NULL);
    }
}

static gboolean
amain (gpointer   user_data,
       GValue    *result,
       GError   **error)
{
  App *app = user_data;
  g_autoptr(GPtrArray) consumers = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  GThreadPool *pool;

  app->loop = g_object_ref (gaio_get_running_loop ());
  app->queue = gaio_queue_new (app->loop, 0);
  app->all_put = gaio_event_new (app->loop);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (consumers,
                     gaio_loop_create_task (app->loop, gaio_coroutine_new (consume, app, NULL)));

  pool = g_thread_pool_new (work, app, 4, FALSE, NULL);
  for (gint n = 1; n <= N_ITEMS; n++)
    g_thread_pool_push (pool, GINT_TO_POINTER (n), NULL);

  /* Every item is in, then every item is processed. */
  if (!gaio_await (gaio_event_wait (app->all_put), NULL, error) ||
      !gaio_await (gaio_queue_join (app->queue), NULL, error))
    return FALSE;
  /* Every item was posted, so the workers are done or about to return
   * from their last post: this waits for no more than that. */
  g_thread_pool_free (pool, FALSE, TRUE);

  gaio_queue_shutdown (app->queue, FALSE);
  for (guint i = 0; i < consumers->len; i++)
    if (!gaio_await (gaio_future_ref (consumers->pdata[i]), NULL, error))
      return FALSE;

  g_print ("%" G_GINT64_FORMAT "\n", app->sum);
  return TRUE;
}

int
main (void)
{
  App app = { 0 };
  g_autoptr(GError) error = NULL;

  if (!gaio_run (gaio_coroutine_new (amain, &app, NULL), NULL, &error))
    g_error ("%s", error->message);

  g_clear_object (&app.queue);
  g_clear_object (&app.all_put);
  g_clear_object (&app.loop);
  return 0;
}
