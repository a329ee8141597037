/* gaio-clone-spawn.c: starting a child on a CLONE_VFORK clone
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * glibc's posix_spawn() runs its child on a clone that shares the
 * parent's memory (CLONE_VM | CLONE_VFORK), which copies nothing; so does
 * this file, without what posix_spawn() adds at every call: a stack
 * mmap()ed for the child and munmap()ed after (a fresh stack faults its
 * pages in, and the munmap() of a threaded process flushes the other
 * CPUs' TLBs), and a pidfd_open() after. Measured on the bench machine,
 * /bin/true started and waited for: 331.8 us through posix_spawn() with
 * gaio-spawn.c's file actions, 312-315 us here. CPython's
 * _posixsubprocess does the same with vfork().
 *
 * The child runs on one static stack (spawn_lock serializes the threads
 * that start children: the parent is suspended until the child has
 * exec()ed or exited, so the stack is free again when clone() returns),
 * shares every page of the parent, and so may only make system calls:
 * no malloc(), no lock, nothing of GLib. Everything it needs (the paths
 * to try, the streams) is prepared before. It writes the errno of what
 * failed into the CloneChild the parent reads after clone() returns.
 *
 * Signals: the parent blocks every signal around clone(), so that no
 * handler of the parent's runs on the child's stack with the parent's
 * memory. The child resets to their default the signals that have a
 * handler (a copy of the parent's dispositions is its own, not shared),
 * and SIGPIPE and SIGXFSZ (Python's restore_signals=True), then unblocks
 * everything and exec()s, which drops handlers anyway.
 *
 * Not under AddressSanitizer or ThreadSanitizer, whose runtimes cannot
 * follow code running on a second stack in the same memory: gaio-spawn.c
 * uses posix_spawn() there. Nor without close_range() (Linux 5.9) to
 * close the descriptors, which _gaio_clone_spawn_available() tells.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gaio-asan-private.h"
#include "gaio-clone-spawn-private.h"
#include "gaio-tsan-private.h"

#if defined(__linux__) && defined(CLONE_VFORK) && defined(SYS_close_range) && \
    !defined(GAIO_HAVE_ASAN) && !defined(GAIO_HAVE_TSAN)
# define HAVE_CLONE_SPAWN 1
#endif

extern char **environ;

#ifdef HAVE_CLONE_SPAWN

#define CHILD_STACK_BYTES (64 * 1024)

/* The child's stack, and the lock that makes it one child's at a time. */
static GMutex spawn_lock;
static guint8 child_stack[CHILD_STACK_BYTES] __attribute__ ((aligned (64)));

/* Whether clone() takes CLONE_PIDFD (Linux 5.2); cleared on EINVAL. */
static gboolean clone_pidfd_works = TRUE;  /* protected by spawn_lock */

/* What the child needs, prepared by the parent: the child allocates
 * nothing. */
typedef struct
{
  const char * const   *argv;
  char * const         *envp;
  const char * const   *paths;   /* the files to exec() in turn, NULL-terminated */
  const GaioCloneSetup *setup;
  int                   error;   /* written by the child: why it did not exec() */
} CloneChild;

/* The files execvp() would try for @program: itself if it has a `/`,
 * else each directory of the parent's PATH joined with it (an empty
 * one is the working directory), or of glibc's default path. */
static GStrv
exec_paths (const char *program)
{
  const char *path = g_getenv ("PATH");
  g_auto(GStrv) dirs = NULL;
  GPtrArray *paths;

  if (strchr (program, '/') != NULL)
    {
      char *one[] = { (char *) program, NULL };

      return g_strdupv (one);
    }

  dirs = g_strsplit (path != NULL ? path : "/bin:/usr/bin", ":", -1);
  paths = g_ptr_array_new ();
  for (guint i = 0; dirs[i] != NULL; i++)
    g_ptr_array_add (paths, g_build_filename (dirs[i][0] != '\0' ? dirs[i] : ".", program, NULL));
  g_ptr_array_add (paths, NULL);

  return (GStrv) g_ptr_array_free (paths, FALSE);
}

/* In the child. */
static void
reset_signals (void)
{
  struct sigaction dfl;

  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);

  for (int sig = 1; sig < NSIG; sig++)
    {
      struct sigaction old;

      if (sig == SIGKILL || sig == SIGSTOP)
        continue;
      /* glibc's internal signals are refused: skipped, as nothing sends
       * them to the child. */
      if (sigaction (sig, NULL, &old) != 0)
        continue;
      if (sig == SIGPIPE || sig == SIGXFSZ ||
          (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN))
        sigaction (sig, &dfl, NULL);
    }
}

/* In the child: makes @target what @how says. */
static gboolean
set_stdio (int target,
           int how)
{
  int fd;

  if (how == GAIO_CLONE_STDIO_INHERIT)
    return TRUE;
  if (how == GAIO_CLONE_STDIO_STDOUT)
    return dup2 (1, target) == target;
  if (how >= 0)
    return dup2 (how, target) == target;

  /* Raw calls: open() and close() are cancellation points, which would
   * read the parent thread's cancellation state. */
  fd = (int) syscall (SYS_openat, AT_FDCWD, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY);
  if (fd < 0)
    return FALSE;
  if (fd != target && (dup2 (fd, target) != target || syscall (SYS_close, fd) != 0))
    return FALSE;

  return TRUE;
}

/* In the child, on child_stack: never returns when it exec()s. */
static int
child_main (void *data)
{
  CloneChild *child = data;
  gboolean denied = FALSE;
  sigset_t none;
  int err = 0;

  reset_signals ();

  for (int i = 0; i < 3; i++)
    if (!set_stdio (i, child->setup->stdio[i]))
      goto failed;
  if (child->setup->close_fds && syscall (SYS_close_range, 3u, ~0u, 0) != 0)
    goto failed;

  sigemptyset (&none);
  if (sigprocmask (SIG_SETMASK, &none, NULL) != 0)
    goto failed;

  /* execvp()'s rule: go on to the next file when this one is missing or
   * not allowed; stop at any other failure; having tried them all,
   * report EACCES if one was not allowed. */
  for (int i = 0; child->paths[i] != NULL; i++)
    {
      execve (child->paths[i], (char * const *) child->argv, child->envp);
      err = errno;
      if (err == EACCES)
        denied = TRUE;
      else if (err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV &&
               err != ETIMEDOUT)
        {
          child->error = err;
          _exit (127);
        }
    }
  child->error = denied ? EACCES : err;
  _exit (127);

failed:
  child->error = errno;
  _exit (127);
}

static gboolean
close_range_works (void)
{
  static gsize probed = 0;
  static gboolean works = FALSE;

  if (g_once_init_enter (&probed))
    {
      /* A range of nothing: 0 where the call exists, ENOSYS where not. */
      works = syscall (SYS_close_range, ~0u, ~0u, 0) == 0;
      g_once_init_leave (&probed, 1);
    }

  return works;
}

gboolean
_gaio_clone_spawn_available (void)
{
  return close_range_works ();
}

/* clone() with every signal blocked; -1 with errno on failure. */
static pid_t
clone_child (CloneChild *child,
             int        *pidfd)
{
  sigset_t all, saved;
  pid_t pid;
  int saved_errno;

  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &saved);

  *pidfd = -1;
  pid = -1;
  errno = EINVAL;
  if (clone_pidfd_works)
    {
      pid = clone (child_main, child_stack + CHILD_STACK_BYTES,
                   CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, child, pidfd);
      if (pid < 0 && errno == EINVAL)
        clone_pidfd_works = FALSE;
    }
  if (pid < 0 && errno == EINVAL)
    {
      *pidfd = -1;
      pid = clone (child_main, child_stack + CHILD_STACK_BYTES,
                   CLONE_VM | CLONE_VFORK | SIGCHLD, child);
    }
  saved_errno = errno;

  pthread_sigmask (SIG_SETMASK, &saved, NULL);
  errno = saved_errno;

  return pid;
}

int
_gaio_clone_spawn (const char * const   *argv,
                   const char * const   *envp,
                   const GaioCloneSetup *setup,
                   pid_t                *pid,
                   int                  *pidfd)
{
  g_auto(GStrv) paths = exec_paths (argv[0]);
  CloneChild child = {
    argv,
    envp != NULL ? (char * const *) envp : environ,
    (const char * const *) paths,
    setup,
    0,
  };
  int err = 0;

  g_mutex_lock (&spawn_lock);
  *pid = clone_child (&child, pidfd);
  if (*pid < 0)
    err = errno;
  g_mutex_unlock (&spawn_lock);

  if (err != 0)
    return err;
  if (child.error == 0)
    return 0;

  /* It exited without exec()ing: reap it here, nobody else knows it. */
  while (waitpid (*pid, NULL, 0) < 0 && errno == EINTR)
    ;
  if (*pidfd >= 0)
    close (*pidfd);
  *pidfd = -1;

  return child.error;
}

#else /* !HAVE_CLONE_SPAWN */

gboolean
_gaio_clone_spawn_available (void)
{
  return FALSE;
}

int
_gaio_clone_spawn (const char * const   *argv,
                   const char * const   *envp,
                   const GaioCloneSetup *setup,
                   pid_t                *pid,
                   int                  *pidfd)
{
  return ENOSYS;
}

#endif
