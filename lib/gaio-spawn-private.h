/* gaio-spawn-private.h: starting a child without fork()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  GAIO_SPAWN_OK,
  GAIO_SPAWN_FAILED,       /* @error is set: the child could not start */
  GAIO_SPAWN_UNSUPPORTED,  /* nothing happened: start it with GSubprocess */
} GaioSpawnStatus;

/* A started child: its pid, a pidfd (or -1 where the kernel has none),
 * and the parent's ends of the pipes the flags asked for (or -1), all
 * close-on-exec and owned by the caller. */
typedef struct
{
  GPid pid;
  int  pidfd;
  int  stdin_fd;
  int  stdout_fd;
  int  stderr_fd;
} GaioSpawned;

GaioSpawnStatus _gaio_spawn (const char * const  *argv,
                             GSubprocessFlags     flags,
                             const char * const  *envp,
                             GaioSpawned         *spawned,
                             GError             **error);

G_END_DECLS
