/* gaio-subprocess.h: a child process driven from a loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

#define GAIO_TYPE_PROCESS (gaio_process_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioProcess, gaio_process, GAIO, PROCESS, GObject)

GAIO_AVAILABLE_IN_ALL
GaioProcess *gaio_loop_subprocess_exec               (GaioLoop             *loop,
                                                      const char * const   *argv,
                                                      GSubprocessFlags      flags,
                                                      GError              **error);
GAIO_AVAILABLE_IN_ALL
GaioProcess *gaio_loop_subprocess_exec_with_launcher (GaioLoop             *loop,
                                                      GSubprocessLauncher  *launcher,
                                                      const char * const   *argv,
                                                      GError              **error);
GAIO_AVAILABLE_IN_ALL
GaioProcess *gaio_loop_subprocess_shell              (GaioLoop             *loop,
                                                      const char           *command,
                                                      GSubprocessFlags      flags,
                                                      GError              **error);

GAIO_AVAILABLE_IN_ALL
GaioLoop    *gaio_process_get_loop                   (GaioProcess          *process);
GAIO_AVAILABLE_IN_ALL
GSubprocess *gaio_process_get_subprocess             (GaioProcess          *process);
GAIO_AVAILABLE_IN_ALL
GOutputStream *gaio_process_get_stdin_pipe           (GaioProcess          *process);
GAIO_AVAILABLE_IN_ALL
GInputStream *gaio_process_get_stdout_pipe           (GaioProcess          *process);
GAIO_AVAILABLE_IN_ALL
GInputStream *gaio_process_get_stderr_pipe           (GaioProcess          *process);
GAIO_AVAILABLE_IN_ALL
GPid         gaio_process_get_pid                    (GaioProcess          *process);
GAIO_AVAILABLE_IN_ALL
gboolean     gaio_process_get_returncode             (GaioProcess          *process,
                                                      int                  *returncode);

GAIO_AVAILABLE_IN_ALL
GaioFuture  *gaio_process_wait                       (GaioProcess          *process);
GAIO_AVAILABLE_IN_ALL
GaioFuture  *gaio_process_communicate                (GaioProcess          *process,
                                                      GBytes               *input);
GAIO_AVAILABLE_IN_ALL
gboolean     gaio_process_communicate_get_output     (GaioFuture           *future,
                                                      GBytes              **stdout_data,
                                                      GBytes              **stderr_data,
                                                      GError              **error);

GAIO_AVAILABLE_IN_ALL
gboolean     gaio_process_send_signal                (GaioProcess          *process,
                                                      int                   signum,
                                                      GError              **error);
GAIO_AVAILABLE_IN_ALL
gboolean     gaio_process_terminate                  (GaioProcess          *process,
                                                      GError              **error);
GAIO_AVAILABLE_IN_ALL
gboolean     gaio_process_kill                       (GaioProcess          *process,
                                                      GError              **error);

GAIO_AVAILABLE_IN_ALL
char        *gaio_process_to_string                  (GaioProcess          *process);

G_END_DECLS
