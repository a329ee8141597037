/* gaio-spawn.c: starting a child without fork()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Why not GSubprocess: GLib (2.74 to 2.84 at least) takes its
 * posix_spawn() path only when it need not close the parent's
 * descriptors (G_SPAWN_LEAVE_DESCRIPTORS_OPEN, which GSubprocess sets
 * only for G_SUBPROCESS_FLAGS_INHERIT_FDS), has no working directory, no
 * child setup function and no search path from envp. asyncio closes the
 * descriptors (close_fds=True), so GSubprocess fork()s, which copies the
 * page tables of the whole parent, and reports the exit through GLib's
 * worker thread, one more thread hop. Measured on the bench machine
 * (spawn /bin/true and wait): fork() about twice posix_spawn().
 *
 * glibc's posix_spawn() runs the child on a CLONE_VFORK clone: nothing is
 * copied, and an exec() failure comes back as its errno. Descriptors are
 * closed in the child with posix_spawn_file_actions_addclosefrom_np()
 * (glibc 2.34); without it, or for what this file does not do (a search
 * path from the child's environment, a script without `#!` that GLib
 * runs with /bin/sh), the caller falls back to GSubprocess. The pipes
 * are made here, close-on-exec in the parent; their child ends are
 * dup2()ed onto 0, 1 and 2, which clears close-on-exec there.
 *
 * The signal state matches what gaio_loop_subprocess_exec() documents
 * (Python's restore_signals=True): SIGPIPE and SIGXFSZ at their default
 * disposition and an empty signal mask, set by posix_spawn() itself, so
 * no child setup function (which forces a fork()) is ever needed.
 *
 * Where it can (Linux with close_range(), no sanitizer),
 * gaio-clone-spawn.c starts the child the same way as posix_spawn()
 * does, on a CLONE_VFORK clone, without the stack posix_spawn() maps for
 * every child and with the pidfd from clone() itself: 5 % less time for
 * a short-lived child (the file says what was measured). Both take the
 * same streams, signal state and PATH rule from here.
 *
 * Under valgrind, GSubprocess is used: valgrind runs the CLONE_VFORK
 * child as a fork(), so the errno of a failed exec() never reaches
 * posix_spawn(), which then reports a child that exits with 127.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#endif

#include "gaio-clone-spawn-private.h"
#include "gaio-spawn-private.h"

extern char **environ;

#define STDIN_FLAGS  (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDIN_INHERIT)
#define STDOUT_FLAGS (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE)
#define STDERR_FLAGS (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE | \
                      G_SUBPROCESS_FLAGS_STDERR_MERGE)
#define HANDLED_FLAGS (STDIN_FLAGS | STDOUT_FLAGS | STDERR_FLAGS | G_SUBPROCESS_FLAGS_INHERIT_FDS)

/* The pipes of one spawn, both ends; -1 where there is none. */
typedef struct
{
  int fds[3][2];
} Pipes;

static void
pipes_close (Pipes *pipes)
{
  for (guint i = 0; i < 3; i++)
    for (guint end = 0; end < 2; end++)
      if (pipes->fds[i][end] >= 0)
        g_close (pipes->fds[i][end], NULL);
}

/* A pipe end on 0, 1 or 2 would be overwritten by the dup2() of another
 * stream in the child: move it above. */
static gboolean
lift_above_stdio (int     *fd,
                  GError **error)
{
  int lifted;

  if (*fd > 2)
    return TRUE;

  lifted = fcntl (*fd, F_DUPFD_CLOEXEC, 3);
  if (lifted < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Failed to create a pipe for the child: %s", g_strerror (saved_errno));
      return FALSE;
    }
  g_close (*fd, NULL);
  *fd = lifted;

  return TRUE;
}

static gboolean
pipe_open (int      fds[2],
           GError **error)
{
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;

  return lift_above_stdio (&fds[0], error) && lift_above_stdio (&fds[1], error);
}

static gboolean
pipes_open (Pipes            *pipes,
            GSubprocessFlags  flags,
            GError          **error)
{
  memset (pipes->fds, 0xff, sizeof pipes->fds);

  return (!(flags & G_SUBPROCESS_FLAGS_STDIN_PIPE) || pipe_open (pipes->fds[0], error)) &&
         (!(flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE) || pipe_open (pipes->fds[1], error)) &&
         (!(flags & G_SUBPROCESS_FLAGS_STDERR_PIPE) || pipe_open (pipes->fds[2], error));
}

/* Where each standard stream of the child comes from, as GSubprocess
 * sets them up: stdin from /dev/null unless piped or inherited, stdout
 * and stderr inherited unless piped, silenced or (stderr) merged. */
static void
add_stdio_actions (posix_spawn_file_actions_t *actions,
                   GSubprocessFlags            flags,
                   const Pipes                *pipes)
{
  if (flags & G_SUBPROCESS_FLAGS_STDIN_PIPE)
    posix_spawn_file_actions_adddup2 (actions, pipes->fds[0][0], 0);
  else if (!(flags & G_SUBPROCESS_FLAGS_STDIN_INHERIT))
    posix_spawn_file_actions_addopen (actions, 0, "/dev/null", O_RDONLY, 0);

  if (flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE)
    posix_spawn_file_actions_adddup2 (actions, pipes->fds[1][1], 1);
  else if (flags & G_SUBPROCESS_FLAGS_STDOUT_SILENCE)
    posix_spawn_file_actions_addopen (actions, 1, "/dev/null", O_WRONLY, 0);

  if (flags & G_SUBPROCESS_FLAGS_STDERR_PIPE)
    posix_spawn_file_actions_adddup2 (actions, pipes->fds[2][1], 2);
  else if (flags & G_SUBPROCESS_FLAGS_STDERR_SILENCE)
    posix_spawn_file_actions_addopen (actions, 2, "/dev/null", O_WRONLY, 0);
  else if (flags & G_SUBPROCESS_FLAGS_STDERR_MERGE)
    posix_spawn_file_actions_adddup2 (actions, 1, 2);
}

static void
set_signal_attributes (posix_spawnattr_t *attr)
{
  sigset_t defaults;
  sigset_t none;

  sigemptyset (&defaults);
  sigaddset (&defaults, SIGPIPE);
  sigaddset (&defaults, SIGXFSZ);
  sigemptyset (&none);
  posix_spawnattr_setsigdefault (attr, &defaults);
  posix_spawnattr_setsigmask (attr, &none);
  posix_spawnattr_setflags (attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

/* GLib's own mapping from an exec() errno, which is private to it. */
static GSpawnError
spawn_error_from_errno (int err)
{
  switch (err)
    {
    case EACCES: return G_SPAWN_ERROR_ACCES;
    case EPERM: return G_SPAWN_ERROR_PERM;
    case E2BIG: return G_SPAWN_ERROR_TOO_BIG;
    case ENOEXEC: return G_SPAWN_ERROR_NOEXEC;
    case ENAMETOOLONG: return G_SPAWN_ERROR_NAMETOOLONG;
    case ENOENT: return G_SPAWN_ERROR_NOENT;
    case ENOMEM: return G_SPAWN_ERROR_NOMEM;
    case ENOTDIR: return G_SPAWN_ERROR_NOTDIR;
    case ELOOP: return G_SPAWN_ERROR_LOOP;
    case ETXTBSY: return G_SPAWN_ERROR_TXTBUSY;
    case EIO: return G_SPAWN_ERROR_IO;
    case ENFILE: return G_SPAWN_ERROR_NFILE;
    case EMFILE: return G_SPAWN_ERROR_MFILE;
    case EINVAL: return G_SPAWN_ERROR_INVAL;
    case EISDIR: return G_SPAWN_ERROR_ISDIR;
    case ELIBBAD: return G_SPAWN_ERROR_LIBBAD;
    default: return G_SPAWN_ERROR_FAILED;
    }
}

static gboolean
running_on_valgrind (void)
{
#ifdef HAVE_VALGRIND_H
  return RUNNING_ON_VALGRIND;
#else
  return FALSE;
#endif
}

static gboolean
flags_supported (GSubprocessFlags flags)
{
  /* GSubprocess itself rejects conflicting stream flags: let it. */
  return (flags & ~HANDLED_FLAGS) == 0 &&
         __builtin_popcount (flags & STDIN_FLAGS) <= 1 &&
         __builtin_popcount (flags & STDOUT_FLAGS) <= 1 &&
         __builtin_popcount (flags & STDERR_FLAGS) <= 1;
}

static int
open_pidfd (GPid pid)
{
#ifdef SYS_pidfd_open
  /* Close-on-exec by definition. The child is not reaped before the
   * caller's child watch sees it, so @pid cannot be another process. */
  return (int) syscall (SYS_pidfd_open, (pid_t) pid, 0);
#else
  return -1;
#endif
}

/* The streams of add_stdio_actions(), for gaio-clone-spawn.c. */
static void
clone_setup (GaioCloneSetup   *setup,
             GSubprocessFlags  flags,
             const Pipes      *pipes)
{
  if (flags & G_SUBPROCESS_FLAGS_STDIN_PIPE)
    setup->stdio[0] = pipes->fds[0][0];
  else if (flags & G_SUBPROCESS_FLAGS_STDIN_INHERIT)
    setup->stdio[0] = GAIO_CLONE_STDIO_INHERIT;
  else
    setup->stdio[0] = GAIO_CLONE_STDIO_DEV_NULL;

  if (flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE)
    setup->stdio[1] = pipes->fds[1][1];
  else if (flags & G_SUBPROCESS_FLAGS_STDOUT_SILENCE)
    setup->stdio[1] = GAIO_CLONE_STDIO_DEV_NULL;
  else
    setup->stdio[1] = GAIO_CLONE_STDIO_INHERIT;

  if (flags & G_SUBPROCESS_FLAGS_STDERR_PIPE)
    setup->stdio[2] = pipes->fds[2][1];
  else if (flags & G_SUBPROCESS_FLAGS_STDERR_SILENCE)
    setup->stdio[2] = GAIO_CLONE_STDIO_DEV_NULL;
  else if (flags & G_SUBPROCESS_FLAGS_STDERR_MERGE)
    setup->stdio[2] = GAIO_CLONE_STDIO_STDOUT;
  else
    setup->stdio[2] = GAIO_CLONE_STDIO_INHERIT;

  setup->close_fds = !(flags & G_SUBPROCESS_FLAGS_INHERIT_FDS);
}

#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
static int
run_posix_spawn (const char * const *argv,
                 GSubprocessFlags    flags,
                 const char * const *envp,
                 const Pipes        *pipes,
                 pid_t              *pid)
{
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int err;

  posix_spawn_file_actions_init (&actions);
  posix_spawnattr_init (&attr);
  add_stdio_actions (&actions, flags, pipes);
  if (!(flags & G_SUBPROCESS_FLAGS_INHERIT_FDS))
    posix_spawn_file_actions_addclosefrom_np (&actions, 3);
  set_signal_attributes (&attr);

  /* GSubprocess looks a program without a `/` up in the parent's PATH,
   * as posix_spawnp() does. */
  err = (strchr (argv[0], '/') != NULL ? posix_spawn : posix_spawnp)
          (pid, argv[0], &actions, &attr, (char * const *) argv,
           envp != NULL ? (char * const *) envp : environ);

  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);

  return err;
}
#endif

/* Starts @argv with the streams @flags ask for and the environment @envp
 * (the parent's when NULL). GAIO_SPAWN_UNSUPPORTED when GSubprocess must
 * do it instead: nothing was started then, and @error is not set. */
GaioSpawnStatus
_gaio_spawn (const char * const  *argv,
             GSubprocessFlags     flags,
             const char * const  *envp,
             GaioSpawned         *spawned,
             GError             **error)
{
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
  Pipes pipes;
  pid_t pid;
  int pidfd;
  int err;

  if (!flags_supported (flags) || running_on_valgrind ())
    return GAIO_SPAWN_UNSUPPORTED;

  if (!pipes_open (&pipes, flags, error))
    {
      pipes_close (&pipes);
      return GAIO_SPAWN_FAILED;
    }

  if (_gaio_clone_spawn_available ())
    {
      GaioCloneSetup setup;

      clone_setup (&setup, flags, &pipes);
      err = _gaio_clone_spawn (argv, envp, &setup, &pid, &pidfd);
    }
  else
    {
      err = run_posix_spawn (argv, flags, envp, &pipes, &pid);
      pidfd = -1;
    }
  if (err == ENOEXEC)
    {
      /* GLib runs such a file with /bin/sh, as execvp() once did. */
      pipes_close (&pipes);
      return GAIO_SPAWN_UNSUPPORTED;
    }
  if (err != 0)
    {
      pipes_close (&pipes);
      g_set_error (error, G_SPAWN_ERROR, spawn_error_from_errno (err),
                   "Failed to execute child process “%s” (%s)", argv[0], g_strerror (err));
      return GAIO_SPAWN_FAILED;
    }

  /* The child has its copies: the parent keeps its own ends only. */
  for (guint i = 0; i < 3; i++)
    {
      int child_end = i == 0 ? 0 : 1;

      if (pipes.fds[i][child_end] >= 0)
        g_close (pipes.fds[i][child_end], NULL);
    }

  spawned->pid = pid;
  spawned->pidfd = pidfd >= 0 ? pidfd : open_pidfd (pid);
  spawned->stdin_fd = pipes.fds[0][1];
  spawned->stdout_fd = pipes.fds[1][0];
  spawned->stderr_fd = pipes.fds[2][0];

  return GAIO_SPAWN_OK;
#else
  return GAIO_SPAWN_UNSUPPORTED;
#endif
}
