/* never-retrieved.c: "Detect never-retrieved exceptions" from asyncio-dev
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The Python program of the seed page:
 *
 *     import asyncio
 *
 *     async def bug():
 *         raise Exception("not consumed")
 *
 *     async def main():
 *         asyncio.create_task(bug())
 *
 *     asyncio.run(main())
 *
 * Nobody awaits the task of bug(), so its error is never read. When the
 * task goes away, the loop's exception handler reports it; the default
 * handler writes in the Gaio log domain:
 *
 *     Gaio-WARNING **: Task exception was never retrieved
 *     future: <Task finished name='Task-2' coro=<bug() done, created at
 *       never-retrieved.c:NN> exception=GError(g-io-error-quark, 0, 'not consumed')>
 *     g-io-error-quark: not consumed (0)
 *
 * In debug mode (GAIO_DEBUG=1, or --debug) the task's description ends
 * with `created at main_coroutine+0x..` and the report goes on with
 * `source_traceback: Object created at (most recent call last):` and the
 * frames that created the task.
 */

#include <gaio.h>

gboolean bug            (gpointer user_data, GValue *result, GError **error);
gboolean main_coroutine (gpointer user_data, GValue *result, GError **error);

gboolean
bug (gpointer   user_data,
     GValue    *result,
     GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "not consumed");
  return FALSE;
}

gboolean
main_coroutine (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  GaioTask *task = gaio_loop_create_task (gaio_get_running_loop (),
                                          GAIO_COROUTINE_NEW (bug, NULL, NULL));

  /* asyncio.create_task(bug()) with the task dropped: the loop keeps it
   * running, nobody awaits it. */
  gaio_task_unref (task);

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  gboolean debug = argc > 1 && g_str_equal (argv[1], "--debug");
  g_autoptr(GError) error = NULL;

  if (!gaio_run_full (GAIO_COROUTINE_NEW (main_coroutine, NULL, NULL),
                      debug ? GAIO_RUN_FLAGS_DEBUG : GAIO_RUN_FLAGS_NONE, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  return 0;
}
