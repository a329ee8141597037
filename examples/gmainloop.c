/* gmainloop.c: a libgaio loop driven by g_main_loop_run()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A GaioLoop is one GSource attached to a GMainContext, so it runs under
 * whatever iterates that context: gaio_loop_run_forever(), a GApplication,
 * GTK, or, as here, a plain GMainLoop. Its callbacks and timers run next
 * to the context's other sources (a g_timeout_add() here), and a worker
 * GThread hands a result back with gaio_loop_call_soon_threadsafe(),
 * which wakes the context like any cross-thread GLib wake-up.
 *
 * Nothing here calls gaio_loop_run_forever(): the GMainLoop decides when
 * to stop. Output (the 20 ms GLib timeout and the worker's 30 ms of work
 * race only on a badly loaded machine):
 *
 *   call_soon callback: gaio_get_running_loop() is this loop: yes
 *   GLib timeout source fired (20 ms)
 *   worker thread: computed 5050
 *   result arrived on the main thread: yes
 *   Future done: <Future finished result=5050>; quitting the GMainLoop
 *   g_main_loop_run() returned; the future holds 5050
 */

#include <gaio.h>

typedef struct
{
  GaioLoop   *loop;      /* (owned) */
  GaioFuture *future;    /* (owned) only touched on the loop's thread */
  GThread    *main_thread;
  gint64      result;    /* written by the worker before it posts */
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_object_unref (job->loop);
  gaio_future_unref (job->future);
  g_free (job);
}

static gboolean
report_running_loop (gpointer   user_data,
                     GError   **error)
{
  GaioLoop *loop = user_data;

  /* While the GMainLoop dispatches the loop's source, the loop counts as
   * running, as asyncio's get_running_loop() would say. */
  g_print ("call_soon callback: gaio_get_running_loop() is this loop: %s\n",
           gaio_get_running_loop () == loop ? "yes" : "no");

  return TRUE;
}

static gboolean
plain_glib_timeout (gpointer user_data)
{
  g_print ("GLib timeout source fired (20 ms)\n");

  return G_SOURCE_REMOVE;
}

/* Runs on the loop's thread, posted by the worker. */
static gboolean
deliver_result (gpointer   user_data,
                GError   **error)
{
  Job *job = user_data;

  g_print ("result arrived on the main thread: %s\n",
           g_thread_self () == job->main_thread ? "yes" : "no");

  /* Futures are not thread-safe: only the loop's thread completes them. */
  return gaio_future_set_result_int64 (job->future, job->result, error);
}

static gpointer
worker (gpointer data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  GaioHandle *handle;

  g_usleep (30 * G_TIME_SPAN_MILLISECOND);
  for (gint64 i = 1; i <= 100; i++)
    job->result += i;
  g_print ("worker thread: computed %" G_GINT64_FORMAT "\n", job->result);

  /* The job travels with the callback; job_free() runs on the loop's
   * thread after deliver_result(), or at once if the loop is closed. */
  handle = gaio_loop_call_soon_threadsafe (job->loop, deliver_result, job, job_free, &error);
  if (handle == NULL)
    g_printerr ("could not post the result: %s\n", error->message);
  else
    gaio_handle_unref (handle);   /* the threadsafe variant returns a reference */

  return NULL;
}

static void
quit_when_done (GaioFuture *future,
                gpointer    user_data)
{
  GMainLoop *main_loop = user_data;
  g_autofree char *description = gaio_future_to_string (future);

  g_print ("Future done: %s; quitting the GMainLoop\n", description);
  g_main_loop_quit (main_loop);
}

int
main (void)
{
  g_autoptr(GMainLoop) main_loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GaioLoop) loop = gaio_loop_new (NULL);
  g_autoptr(GaioFuture) future = gaio_loop_create_future (loop);
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  Job *job;

  gaio_loop_call_soon (loop, report_running_loop, loop, NULL, NULL);
  g_timeout_add (20, plain_glib_timeout, NULL);

  gaio_future_add_done_callback (future, quit_when_done,
                                 g_main_loop_ref (main_loop),
                                 (GDestroyNotify) g_main_loop_unref);

  job = g_new0 (Job, 1);
  job->loop = g_object_ref (loop);
  job->future = gaio_future_ref (future);
  job->main_thread = g_thread_self ();
  thread = g_thread_new ("gaio-example-worker", worker, job);

  g_main_loop_run (main_loop);
  g_thread_join (g_steal_pointer (&thread));

  g_print ("g_main_loop_run() returned; the future holds %" G_GINT64_FORMAT "\n",
           gaio_future_get_result_int64 (future, NULL));

  if (!gaio_loop_close (loop, &error))
    {
      g_printerr ("close() failed: %s\n", error->message);
      return 1;
    }

  return 0;
}
