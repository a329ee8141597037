/* subprocess.c: drive child processes from the loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The C version of the asyncio subprocess examples: feed a child its
 * input and collect its output with communicate(), run a shell command,
 * and stop a child that would run too long. Every step is a future of
 * the loop; the loop keeps running (a ticker shows it) while the
 * children work.
 */

#include <signal.h>
#include <stdlib.h>

#include <gaio.h>

static gboolean
tick (gpointer   user_data,
      GError   **error)
{
  GaioLoop *loop = user_data;

  g_print ("  (the loop is alive)\n");
  return gaio_loop_call_later (loop, 0.1, tick, loop, NULL, error) != NULL;
}

static gboolean
upper_case (GaioLoop  *loop,
            GError   **error)
{
  const char *argv[] = { "tr", "a-z", "A-Z", NULL };
  g_autoptr(GaioProcess) process = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("hello from the parent\n", 22);
  g_autoptr(GBytes) output = NULL;
  int returncode;

  process = gaio_loop_subprocess_exec (loop, argv,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       error);
  if (process == NULL)
    return FALSE;

  future = gaio_process_communicate (process, input);
  if (!gaio_loop_run_until_complete (loop, future, NULL, error) ||
      !gaio_process_communicate_get_output (future, &output, NULL, error))
    return FALSE;

  gaio_process_get_returncode (process, &returncode);
  g_print ("tr said: %.*s", (int) g_bytes_get_size (output), (const char *) g_bytes_get_data (output, NULL));
  g_print ("tr exited with %d\n", returncode);
  return TRUE;
}

static gboolean
shell_command (GaioLoop  *loop,
               GError   **error)
{
  g_autoptr(GaioProcess) process = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GBytes) errors = NULL;

  process = gaio_loop_subprocess_shell (loop, "sleep 0.3; echo out; echo err >&2; exit 3",
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                        error);
  if (process == NULL)
    return FALSE;

  future = gaio_process_communicate (process, NULL);
  if (!gaio_loop_run_until_complete (loop, future, NULL, error) ||
      !gaio_process_communicate_get_output (future, &output, &errors, error))
    return FALSE;

  g_print ("the shell wrote %zu bytes to stdout, %zu to stderr\n",
           g_bytes_get_size (output), g_bytes_get_size (errors));
  return TRUE;
}

static gboolean
terminate_slow_child (GaioLoop  *loop,
                      GError   **error)
{
  const char *argv[] = { "sleep", "60", NULL };
  g_autoptr(GaioProcess) process = NULL;
  g_autoptr(GaioFuture) waited = NULL;
  g_auto(GValue) returncode = G_VALUE_INIT;
  g_autofree char *repr = NULL;

  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, error);
  if (process == NULL || !gaio_process_terminate (process, error))
    return FALSE;

  waited = gaio_process_wait (process);
  if (!gaio_loop_run_until_complete (loop, waited, &returncode, error))
    return FALSE;

  repr = gaio_process_to_string (process);
  g_print ("%s: terminated, returncode %" G_GINT64_FORMAT " (-SIGTERM)\n", repr,
           g_value_get_int64 (&returncode));
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  GaioLoop *loop = gaio_loop_new (NULL);
  gboolean ok;

  gaio_loop_call_soon (loop, tick, loop, NULL, NULL);
  ok = upper_case (loop, &error) && shell_command (loop, &error) &&
       terminate_slow_child (loop, &error);
  if (!ok)
    g_printerr ("failed: %s\n", error->message);

  gaio_loop_close (loop, NULL);
  g_object_unref (loop);

  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
