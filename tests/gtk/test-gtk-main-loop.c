/* test-gtk-main-loop.c: a loop inside a real GTK 4 application
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The way a GTK developer meets libgaio: a GtkApplication with a window,
 * run by g_application_run(), and a GaioLoop on the same (default)
 * context. Run under xvfb-run by run-gtk-test.sh; skipped when no display
 * can be had.
 *
 *  - fairness (lib/gaio-loop-source.c): while a task loops on
 *    gaio_sleep (0), or a call_soon() chain runs, the window's frame
 *    clock keeps ticking and idles run: counted, never timed;
 *  - a signal handler (a button's "clicked") finds the loop with
 *    gaio_get_running_loop() and starts a task in one call; the task's
 *    error reaches the loop's exception handler.
 *
 * Each busy loop stops by itself after WANTED frames or, failing that,
 * MAX_ROUNDS rounds, which it reaches only if nothing else ran.
 */

#include <string.h>

#include <gtk/gtk.h>

#include <gaio.h>

#define WANTED          3
#define MAX_ROUNDS      20000000

typedef enum {
  BUSY_SLEEP_ZERO_TASK,
  BUSY_CALL_SOON_CHAIN,
} BusyKind;

typedef struct
{
  GtkApplication *app;
  GtkWidget      *window;
  GtkWidget      *button;
  GaioLoop       *loop;
  BusyKind        kind;

  guint           frames_before;  /* ticks before the busy loop started */
  guint           frames;         /* frame clock ticks while it ran */
  guint           idles;          /* idles while it ran */
  guint64         rounds;
  gboolean        busy;
  GPtrArray      *reports;        /* what the exception handler saw */
  GaioLoop       *seen_in_clicked;
} App;

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  App *app = user_data;

  if (app->busy)
    app->frames++;
  else
    app->frames_before++;
  /* Something to draw each frame, as an animation has. */
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_idle (gpointer user_data)
{
  App *app = user_data;

  if (app->busy)
    app->idles++;
  return G_SOURCE_CONTINUE;
}

static gboolean
enough (App *app)
{
  return (app->frames >= WANTED && app->idles >= WANTED) || app->rounds >= MAX_ROUNDS;
}

static gboolean
quit_cb (gpointer   user_data,
         GError   **error)
{
  App *app = user_data;

  app->busy = FALSE;
  gtk_window_destroy (GTK_WINDOW (app->window));
  g_application_quit (G_APPLICATION (app->app));
  return TRUE;
}

static gboolean
sleep_zero_task (gpointer   user_data,
                 GValue    *result,
                 GError   **error)
{
  App *app = user_data;

  app->busy = TRUE;
  for (; !enough (app); app->rounds++)
    if (!gaio_await (gaio_sleep (0), NULL, error))
      return FALSE;

  return gaio_loop_call_soon (app->loop, quit_cb, app, NULL, error) != NULL;
}

static gboolean
chain_cb (gpointer   user_data,
          GError   **error)
{
  App *app = user_data;

  app->busy = TRUE;
  app->rounds++;
  if (enough (app))
    return quit_cb (app, error);

  return gaio_loop_call_soon (app->loop, chain_cb, app, NULL, error) != NULL;
}

static gboolean
failing_task (gpointer   user_data,
              GValue    *result,
              GError   **error)
{
  if (!gaio_await (gaio_sleep (0), NULL, error))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failed in a task from a button");
  return FALSE;
}

/* What an application writes: a task started from a signal handler. */
static void
on_clicked (GtkButton *button,
            gpointer   user_data)
{
  App *app = user_data;

  app->seen_in_clicked = gaio_get_running_loop ();
  gaio_task_unref (gaio_loop_create_task (gaio_get_running_loop (),
                                          GAIO_COROUTINE_NEW (failing_task, NULL, NULL)));
}

static gboolean
start_busy (gpointer user_data)
{
  App *app = user_data;

  /* The window is on screen and drawing: now keep the loop busy. */
  if (app->frames_before < WANTED)
    return G_SOURCE_CONTINUE;

  g_signal_emit_by_name (app->button, "clicked");
  if (app->kind == BUSY_SLEEP_ZERO_TASK)
    gaio_task_unref (gaio_loop_create_task (app->loop,
                                            GAIO_COROUTINE_NEW (sleep_zero_task, app, NULL)));
  else
    gaio_loop_call_soon (app->loop, chain_cb, app, NULL, NULL);

  return G_SOURCE_REMOVE;
}

static gboolean
record_report (GaioLoop              *loop,
               GaioExceptionContext  *context,
               gpointer               user_data,
               GError               **error)
{
  App *app = user_data;

  g_ptr_array_add (app->reports, gaio_exception_context_to_string (context));
  return TRUE;
}

static void
on_activate (GApplication *application,
             gpointer      user_data)
{
  App *app = user_data;

  app->window = gtk_application_window_new (app->app);
  gtk_window_set_default_size (GTK_WINDOW (app->window), 200, 100);
  app->button = gtk_button_new_with_label ("Start");
  g_signal_connect (app->button, "clicked", G_CALLBACK (on_clicked), app);
  gtk_window_set_child (GTK_WINDOW (app->window), app->button);
  gtk_widget_add_tick_callback (app->button, on_tick, app, NULL);
  g_idle_add (on_idle, app);
  g_timeout_add (10, start_busy, app);
  gtk_window_present (GTK_WINDOW (app->window));
}

static void
run_app (App *app)
{
  app->app = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  app->loop = gaio_loop_new (NULL);
  app->reports = g_ptr_array_new_with_free_func (g_free);
  gaio_loop_set_exception_handler (app->loop, record_report, app, NULL);
  g_signal_connect (app->app, "activate", G_CALLBACK (on_activate), app);

  g_application_run (G_APPLICATION (app->app), 0, NULL);

  g_idle_remove_by_data (app);
  g_assert_true (gaio_loop_close (app->loop, NULL));
  g_object_unref (app->loop);
  g_object_unref (app->app);
}

static void
check_busy_run (App *app)
{
  g_test_message ("frames: %u, idles: %u over %" G_GUINT64_FORMAT " rounds", app->frames,
                  app->idles, app->rounds);
  g_assert_cmpuint (app->rounds, <, MAX_ROUNDS);
  g_assert_cmpuint (app->frames, >=, WANTED);
  g_assert_cmpuint (app->idles, >=, WANTED);

  /* The button's handler found the loop and its task's error was
   * reported. */
  g_assert_true (app->seen_in_clicked == app->loop);
  g_assert_cmpuint (app->reports->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (app->reports, 0),
                            "Task exception was never retrieved"));
  g_assert_nonnull (strstr (g_ptr_array_index (app->reports, 0), "failed in a task from a button"));
  g_ptr_array_unref (app->reports);
}

static void
test_gtk_sleep_zero_task (void)
{
  App app = { .kind = BUSY_SLEEP_ZERO_TASK };

  run_app (&app);
  check_busy_run (&app);
}

static void
test_gtk_call_soon_chain (void)
{
  App app = { .kind = BUSY_CALL_SOON_CHAIN };

  run_app (&app);
  check_busy_run (&app);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* run-gtk-test.sh gives it a display when one can be had. */
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display: GTK 4 cannot start (run-gtk-test.sh uses xvfb-run)\n");
      return 0;
    }

  g_test_add_func ("/Gaio/Gtk/fair/sleep-zero-task", test_gtk_sleep_zero_task);
  g_test_add_func ("/Gaio/Gtk/fair/call-soon-chain", test_gtk_call_soon_chain);

  return g_test_run ();
}
