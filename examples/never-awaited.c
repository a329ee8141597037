/* never-awaited.c: "Detect never-awaited coroutines" from asyncio-dev
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The Python program of the seed page:
 *
 *     import asyncio
 *
 *     async def test():
 *         print("never scheduled")
 *
 *     async def main():
 *         test()
 *
 *     asyncio.run(main())
 *
 * main() makes the coroutine test() and drops it: neither awaited nor
 * scheduled. libgaio warns in its log domain:
 *
 *     Gaio-WARNING **: coroutine 'test' was never awaited
 *
 * and in debug mode (GAIO_DEBUG=1, or --debug for asyncio.run(main(),
 * debug=True)) goes on with where the coroutine was created:
 *
 *     Coroutine created at (most recent call last)
 *       File "/usr/lib/.../libgaio-1.so.0", line 0, in ??
 *         ...
 *       File ".../never-awaited", line 0, in main_coroutine
 *         main_coroutine+0x1b (never-awaited+0x12ab)
 *
 * The functions are not static, and the program is linked with
 * -rdynamic (export_dynamic in meson), so that their names appear in the
 * traceback; `addr2line -e never-awaited 0x12ab` gives the source line.
 * The fix is the same as in Python: await it,
 * `gaio_await_coroutine (GAIO_COROUTINE_NEW (test, NULL, NULL), NULL, error)`,
 * or schedule it with gaio_loop_create_task().
 */

#include <gaio.h>

gboolean test           (gpointer user_data, GValue *result, GError **error);
gboolean main_coroutine (gpointer user_data, GValue *result, GError **error);

gboolean
test (gpointer   user_data,
      GValue    *result,
      GError   **error)
{
  g_print ("never scheduled\n");
  return TRUE;
}

gboolean
main_coroutine (gpointer   user_data,
                GValue    *result,
                GError   **error)
{
  /* Python's `test()` without `await`: a coroutine made and dropped. */
  g_autoptr(GaioCoroutine) coroutine = GAIO_COROUTINE_NEW (test, NULL, NULL);

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
