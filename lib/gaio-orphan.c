/* gaio-orphan.c: reaping a child whose loop went away
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A child started by gaio-spawn.c (a CLONE_VFORK clone, or posix_spawn())
 * is reaped by a GLib child watch on its loop's context, which GLib
 * polls through a pidfd there and reaps in that context's iteration. A loop closed before the
 * child exits never iterates again for it, and nothing else would ever
 * call waitpid(): the child would stay a zombie for the life of the
 * program. GSubprocess does not have that problem (GLib's own worker
 * thread, which outlives every loop, reaps its children), nor does
 * asyncio (3.11's ThreadedChildWatcher waits in a thread of its own per
 * child, whatever becomes of the loop). GLib's worker context is private
 * to it, so an orphan gets what asyncio gives every child: a thread that
 * blocks until the child exits, reaps it, and ends.
 *
 * Lifetime: an orphan is held by its thread until the reap, and by its
 * former owner (a GaioProcess) for signals; whichever lets go last frees
 * it. The thread is detached, and lives exactly as long as the child,
 * which is the life of the program for a child that never exits (as
 * asyncio's daemon threads do).
 *
 * Locking: the thread waits without reaping (WNOWAIT), then reaps under
 * the orphan's lock, which a signal takes too: until the reap the pid
 * is still this child, whatever the child did, so kill() can reach no
 * other process. Only the one pid is ever waited for, never -1. A plain
 * pthread mutex, which ThreadSanitizer sees, and a leaf lock.
 *
 * The handing over is race-free when GLib's watch has a pidfd (the
 * GLib 2.74 of the bench machine opens one on Linux 5.3 and later, and
 * reaps with waitid(P_PIDFD) in the context's iteration): GLib reaps
 * only in the watch's dispatch, on the loop's thread, which is the
 * thread that hands the child over, after removing the watch. Without
 * one, GLib's worker thread reaps on SIGCHLD, and may do it just before
 * the watch is removed: the thread then finds no such child (ECHILD),
 * unless within that instant the pid went to another child of this
 * process, the window GLib's own kill() fallback also leaves.
 */

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "gaio-log-private.h"
#include "gaio-orphan-private.h"

struct _GaioOrphan
{
  gint             ref_count;     /* (atomic) the thread's and the owner's */
  GPid             pid;
  char            *closed_loop;   /* (owned) set before the thread starts */
  gboolean         debug;

  pthread_mutex_t  lock;
  gboolean         reaped;        /* (locked) waitpid() took it: the pid is free */
};

static GaioOrphan *
orphan_ref (GaioOrphan *orphan)
{
  g_atomic_int_inc (&orphan->ref_count);
  return orphan;
}

void
_gaio_orphan_unref (GaioOrphan *orphan)
{
  if (!g_atomic_int_dec_and_test (&orphan->ref_count))
    return;

  pthread_mutex_destroy (&orphan->lock);
  g_free (orphan->closed_loop);
  g_free (orphan);
}

/* Blocks until the child has exited, leaving it a zombie. FALSE if it is
 * no child of ours any more: someone reaped it already. */
static gboolean
wait_exited (GPid pid)
{
  for (;;)
    {
      siginfo_t info = { 0 };

      if (waitid (P_PID, (id_t) pid, &info, WEXITED | WNOWAIT) == 0)
        return TRUE;
      if (errno != EINTR)
        return FALSE;
    }
}

/* asyncio's ThreadedChildWatcher._do_waitpid(): the exit, in debug
 * mode, or a warning if someone else reaped the child; then a warning
 * that nobody is left to tell. */
static void
log_reaped (GaioOrphan *orphan,
            gboolean    reaped_here,
            int         status)
{
  if (!reaped_here)
    _gaio_log (G_LOG_LEVEL_WARNING, "Unknown child process pid %d, will report returncode 255",
               (int) orphan->pid);
  else if (orphan->debug)
    _gaio_log (G_LOG_LEVEL_DEBUG, "process %d exited with returncode %d", (int) orphan->pid,
               WIFSIGNALED (status) ? -WTERMSIG (status) : WEXITSTATUS (status));
  _gaio_log (G_LOG_LEVEL_WARNING, "Loop %s that handles pid %d is closed",
             orphan->closed_loop, (int) orphan->pid);
}

static gpointer
reap_when_exited (gpointer data)
{
  GaioOrphan *orphan = data;
  gboolean exited = wait_exited (orphan->pid);
  int status = 0;
  pid_t reaped = -1;

  pthread_mutex_lock (&orphan->lock);
  if (exited)
    do
      reaped = waitpid (orphan->pid, &status, WNOHANG);
    while (reaped < 0 && errno == EINTR);
  orphan->reaped = TRUE;
  pthread_mutex_unlock (&orphan->lock);

  log_reaped (orphan, reaped == orphan->pid, status);

  _gaio_orphan_unref (orphan);
  return NULL;
}

GaioOrphan *
_gaio_orphan_adopt (GPid        pid,
                    const char *closed_loop,
                    gboolean    debug)
{
  GaioOrphan *orphan = g_new0 (GaioOrphan, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;

  orphan->ref_count = 1;
  orphan->pid = pid;
  orphan->closed_loop = g_strdup (closed_loop);
  orphan->debug = debug;
  pthread_mutex_init (&orphan->lock, NULL);

  thread = g_thread_try_new ("gaio-reaper", reap_when_exited, orphan_ref (orphan), &error);
  if (thread == NULL)
    {
      /* The child stays unreaped (so signals still reach it). */
      _gaio_log (G_LOG_LEVEL_WARNING, "Cannot start a thread to reap process %d: %s",
                 (int) pid, error->message);
      _gaio_orphan_unref (orphan);
      return orphan;
    }
  g_thread_unref (thread);

  return orphan;
}

void
_gaio_orphan_send_signal (GaioOrphan *orphan,
                          int         signum)
{
  pthread_mutex_lock (&orphan->lock);
  if (!orphan->reaped)
    kill (orphan->pid, signum);
  pthread_mutex_unlock (&orphan->lock);
}
