/* gaio-clone-spawn-private.h: starting a child on a CLONE_VFORK clone
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* What the child's standard stream becomes, besides a descriptor of the
 * parent's that is dup2()ed onto it. */
#define GAIO_CLONE_STDIO_INHERIT  (-1)  /* left as the parent's */
#define GAIO_CLONE_STDIO_DEV_NULL (-2)  /* /dev/null: read for 0, written for 1 and 2 */
#define GAIO_CLONE_STDIO_STDOUT   (-3)  /* 2 only: whatever 1 became */

typedef struct
{
  int      stdio[3];    /* a descriptor above 2, or GAIO_CLONE_STDIO_* */
  gboolean close_fds;   /* close every descriptor above 2 */
} GaioCloneSetup;

/* Whether _gaio_clone_spawn() can be used in this process. */
gboolean _gaio_clone_spawn_available (void);

/* Starts @argv[0] (looked up in PATH, as execvp() does, when it has no
 * `/`) with @argv and @envp (the parent's environment when NULL), the
 * streams of @setup, SIGPIPE and SIGXFSZ at their default and no signal
 * blocked. Returns 0 with *@pid and *@pidfd (-1 where the kernel has no
 * CLONE_PIDFD) set; or the errno of what failed (exec's, say), with
 * nothing left running. */
int      _gaio_clone_spawn           (const char * const   *argv,
                                      const char * const   *envp,
                                      const GaioCloneSetup *setup,
                                      pid_t                *pid,
                                      int                  *pidfd);

G_END_DECLS
