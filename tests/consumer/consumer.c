/* consumer.c: the smallest program another project would build on libgaio
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Built outside libgaio's own build, by the tests of the `build` suite:
 * tests/build-subproject.sh builds it with libgaio as a meson subproject
 * (meson.build next to this file), tests/build-uninstalled-pc.sh against
 * meson-uninstalled/gaio-1-uninstalled.pc. It includes <gaio.h> as users
 * do, which needs both include directories: the source tree's for the
 * public headers, the build tree's for the generated gaio-version.h and
 * gaio-enum-types.h. The scripts check the line it prints.
 */

#include <gaio.h>

/* Runs on the loop's thread, from run_forever() below. */
static gboolean
greet (gpointer   user_data,
       GError   **error)
{
  GaioLoop *loop = user_data;

  g_print ("gaio-consumer: callback ran on libgaio %s\n", GAIO_VERSION_S);
  gaio_loop_stop (loop);

  return TRUE;
}

int
main (void)
{
  g_autoptr(GaioLoop) loop = NULL;
  g_autoptr(GError) error = NULL;

  loop = gaio_loop_new (NULL);
  gaio_loop_call_soon (loop, greet, loop, NULL, NULL);

  if (!gaio_loop_run_forever (loop, &error) ||
      !gaio_loop_close (loop, &error))
    {
      g_printerr ("gaio-consumer: %s\n", error->message);
      return 1;
    }

  return 0;
}
