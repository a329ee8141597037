/* process-noguard.c: a program whose workers miss the worker guard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Started by the tests as `process-noguard --parent [--hang]`: it calls
 * the guard only when it sees --parent, which its workers (started with
 * no arguments) do not. A worker thus runs the program's own code, as a
 * program with the guard in the wrong place would:
 *
 *  - by default it reaches libgaio (it creates a loop) and must fail
 *    loudly, the parent's future failing with the message naming the fix;
 *  - with --hang (given to workers through GAIO_TEST_NOGUARD_HANG) it
 *    blocks without touching libgaio, and the parent's handshake timeout
 *    must fail the future instead.
 *
 * Either way the parent prints `error: <message>` and exits 0, and no
 * worker ever starts workers of its own.
 */

#include <gaio.h>

#include <stdio.h>

gboolean noguard_job (GaioJob *job, gpointer user_data, GError **error);

gboolean
noguard_job (GaioJob *job, gpointer user_data, GError **error)
{
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GaioLoop) loop = NULL;
  g_autoptr(GaioProcessPoolExecutor) pool = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  gboolean parent = argc > 1 && g_str_equal (argv[1], "--parent");

  if (parent)
    {
      gaio_process_pool_executor_register ("noguard_job", noguard_job);
      gaio_process_pool_executor_worker_guard (&argc, &argv);
      if (argc > 2 && g_str_equal (argv[2], "--hang"))
        g_setenv ("GAIO_TEST_NOGUARD_HANG", "1", TRUE);
    }
  else if (g_getenv ("GAIO_TEST_NOGUARD_HANG") != NULL)
    {
      /* A worker stuck in the program's own code, away from libgaio. */
      g_usleep (60 * G_USEC_PER_SEC);
      return 0;
    }

  /* Only the hanging worker waits out the deadline: a worker that is
   * merely slow to start (a loaded machine, a sanitizer build) must still
   * get to report the missing guard itself. */
  loop = gaio_loop_new (NULL);
  pool = g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR,
                       "max-workers", 1,
                       "handshake-timeout", g_getenv ("GAIO_TEST_NOGUARD_HANG") != NULL ? 0.5 : 30.0,
                       NULL);
  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), noguard_job, NULL, NULL, NULL);
  if (gaio_loop_run_until_complete (loop, future, NULL, &error))
    printf ("ok\n");
  else
    printf ("error: %s\n", error->message);

  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
  gaio_loop_close (loop, NULL);
  return 0;
}
