/* signals.c: a program that shuts down gracefully on SIGINT or SIGTERM
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * It "works" on a timer until Ctrl-C or `kill PID`, then finishes the
 * piece of work in progress, says goodbye and exits with status 0. The
 * handlers run on the loop like any callback, never in signal context,
 * so they may do anything. Logs go through the threaded writer, so a
 * slow terminal or journal never delays the loop.
 *
 *   ./signals            # stop it with Ctrl-C
 *   ./signals 2          # sends itself SIGTERM after 2 seconds
 */

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <gaio.h>

typedef struct
{
  GaioLoop *loop;
  guint     ticks;
  gboolean  shutting_down;
} App;

static gboolean
work (gpointer   user_data,
      GError   **error)
{
  App *app = user_data;

  if (app->shutting_down)
    return TRUE;

  app->ticks++;
  g_message ("working... (tick %u)", app->ticks);
  return gaio_loop_call_later (app->loop, 0.5, work, app, NULL, error) != NULL;
}

static gboolean
finish (gpointer   user_data,
        GError   **error)
{
  App *app = user_data;

  g_message ("goodbye after %u ticks", app->ticks);
  gaio_loop_stop (app->loop);
  return TRUE;
}

static gboolean
on_shutdown_signal (gpointer   user_data,
                    GError   **error)
{
  App *app = user_data;

  if (app->shutting_down)
    return TRUE;

  g_message ("shutdown requested: finishing the current work");
  app->shutting_down = TRUE;
  /* Give the work in flight a moment, as a server would drain requests. */
  return gaio_loop_call_later (app->loop, 0.1, finish, app, NULL, error) != NULL;
}

static gboolean
send_sigterm (gpointer   user_data,
              GError   **error)
{
  kill (getpid (), SIGTERM);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  App app = { 0 };

  g_log_set_writer_func (gaio_log_writer_threaded, NULL, NULL);

  app.loop = gaio_loop_new (NULL);
  if (!gaio_loop_add_signal_handler (app.loop, SIGINT, on_shutdown_signal, &app, NULL, &error) ||
      !gaio_loop_add_signal_handler (app.loop, SIGTERM, on_shutdown_signal, &app, NULL, &error))
    {
      g_printerr ("Cannot install the signal handlers: %s\n", error->message);
      return EXIT_FAILURE;
    }

  gaio_loop_call_soon (app.loop, work, &app, NULL, NULL);
  if (argc > 1)
    gaio_loop_call_later (app.loop, g_ascii_strtod (argv[1], NULL), send_sigterm, NULL, NULL, NULL);

  g_message ("running as pid %d: press Ctrl-C or run `kill %d` to stop", (int) getpid (),
             (int) getpid ());
  if (!gaio_loop_run_forever (app.loop, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  /* close() also removes the signal handlers, restoring the defaults. */
  gaio_loop_close (app.loop, NULL);
  g_object_unref (app.loop);

  return EXIT_SUCCESS;
}
