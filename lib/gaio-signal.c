/* gaio-signal.c: Unix signal handlers of loops
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's add_signal_handler() runs a callback on the loop, never in
 * the signal handler, for any catchable signal. Dispositions are
 * process-wide, so the table of handlers is too: one handler per signal
 * in the whole process, owned by the loop it was added on. Adding one for
 * a signal replaces the previous one, whichever loop owned it.
 *
 * Two paths bring a signal to the loop:
 *
 *  - SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2 and SIGWINCH go through
 *    GLib's g_unix_signal_source_new(), attached to the loop's context.
 *    GLib owns the disposition of these six and counts its sources, so
 *    an application's own g_unix_signal_add() (GTK programs have them)
 *    keeps working beside ours, and GLib restores SIG_DFL when the last
 *    source goes. GLib merges the deliveries that arrive before its
 *    source dispatches into one call.
 *
 *  - Every other catchable signal gets our own sigaction() handler,
 *    which only write()s the signal number to a self-pipe (write() is
 *    async-signal-safe; nothing else is done there). The read end is a
 *    reader of the loop (gaio-fd-watch.c) on the loop's one source, as
 *    asyncio's self-pipe is; each byte read schedules one call, so
 *    deliveries are not merged (SG-10; the kernel still merges a signal
 *    that is already pending). The disposition in place before is saved
 *    and restored on removal (SG-08).
 *
 * Either way the callback is queued as a GaioHandle (asyncio's
 * _add_callback_signalsafe()), so it runs in the next iteration, on the
 * loop's thread, and a failure goes to the exception handler like any
 * callback's (SG-12).
 *
 * SIGKILL and SIGSTOP cannot be caught; SIGCHLD is refused because GLib
 * reaps children with it (g_child_watch_add(), GSubprocess): taking it
 * would break every child watch of the process.
 *
 * A loop's handlers go when it closes (asyncio's close(), SG-11): the
 * first handler added to a loop adds a close hook to it. gaio_run()'s
 * SIGINT guard is an ordinary handler of this table, kept in gaio-run.c.
 *
 * Threads: asyncio accepts handlers only from the main thread, and so do
 * we. Handlers are added and removed on the loop's thread; the table is
 * still guarded by a lock because a loop closes on its own thread.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>
#ifdef __linux__
# include <sys/syscall.h>
#endif

#include <glib-unix.h>

#include "gaio-debug-private.h"
#include "gaio-fd-watch-private.h"
#include "gaio-handle-private.h"
#include "gaio-loop-private.h"
#include "gaio-log-private.h"
#include "gaio-loop-source-private.h"
#include "gaio-signal-private.h"
#include "gaio-tsan-private.h"

typedef struct
{
  gint            ref_count;     /* (atomic) */
  gint            removed;       /* (atomic) queued calls are skipped */
  GaioLoop       *loop;          /* (unowned) the handler is removed before the loop goes */
  int             signum;
  GaioCallback    callback;
  gpointer        user_data;
  GDestroyNotify  notify;
  char           *name;          /* (owned) the callback's name for reports */
  GSource        *glib_source;   /* (owned) (nullable) on GLib's path */
} SignalHandler;

/* Lock order: handlers_lock is a leaf; no user code and no other lock is
 * taken while it is held (sigaction() is a system call, not a lock).
 * Protected by handlers_lock: the table, and our sigaction() state, which
 * changes with it: handlers are added on the main thread, but a loop may
 * close, and remove its handlers, on another. */
static GMutex         handlers_lock;
static SignalHandler *handlers[NSIG];         /* (owned) */
static gboolean       own_installed[NSIG];
static struct sigaction saved_actions[NSIG];

/* The self-pipe, created once and never closed, so that a handler running
 * on another thread while ours is being removed never writes to a closed
 * (or reused) descriptor. */
static int            signal_pipe[2] = { -1, -1 };

static gboolean
is_glib_signal (int signum)
{
  switch (signum)
    {
    case SIGHUP:
    case SIGINT:
    case SIGTERM:
    case SIGUSR1:
    case SIGUSR2:
    case SIGWINCH:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
in_main_thread (void)
{
#if defined(__linux__) && defined(SYS_gettid)
  return syscall (SYS_gettid) == getpid ();
#else
  static GThread *main_thread;

  /* Without gettid(), the first thread to ask is taken as the main one:
   * the best a library loaded after main() started can do. */
  if (g_once_init_enter (&main_thread))
    g_once_init_leave (&main_thread, g_thread_self ());
  return g_thread_self () == main_thread;
#endif
}

static gboolean
signal_is_valid (int signum)
{
  sigset_t valid;

  if (signum < 1 || signum >= NSIG)
    return FALSE;

  /* Python's signal.valid_signals(): glibc keeps two real-time signals
   * for itself and sigfillset() leaves them out. */
  sigfillset (&valid);
  return sigismember (&valid, signum) == 1;
}

static SignalHandler *
handler_ref (SignalHandler *handler)
{
  g_atomic_int_inc (&handler->ref_count);
  return handler;
}

static void
handler_unref (gpointer data)
{
  SignalHandler *handler = data;

  if (!g_atomic_int_dec_and_test (&handler->ref_count))
    return;

  g_assert (handler->glib_source == NULL);
  if (handler->notify != NULL)
    handler->notify (handler->user_data);
  g_free (handler->name);
  g_free (handler);
}

static gboolean
run_handler (gpointer   user_data,
             GError   **error)
{
  SignalHandler *handler = user_data;

  /* Removed or replaced after this delivery was queued. */
  if (g_atomic_int_get (&handler->removed))
    return TRUE;

  return _gaio_callback_invoke (handler->callback, handler->user_data, error);
}

static GaioHandle *
new_delivery (SignalHandler *handler)
{
  GaioHandle *handle = _gaio_handle_new (run_handler, handler_ref (handler), handler_unref);

  gaio_handle_set_name (handle, handler->name);

  return handle;
}

/* GLib's path: runs on the loop's thread, from GLib's source. */
static gboolean
on_glib_signal (gpointer user_data)
{
  SignalHandler *handler = user_data;

  if (!g_atomic_int_get (&handler->removed))
    _gaio_loop_schedule_handle (handler->loop, new_delivery (handler));

  return G_SOURCE_CONTINUE;
}

/* Our path: the only code that runs in signal context. */
static void
on_signal (int signum)
{
  int saved_errno = errno;
  unsigned char byte = (unsigned char) signum;

  /* A full pipe (64 KiB of signals the loop has not read) loses the
   * byte: the loop is awake anyway, and nothing else may be done here. */
  if (write (signal_pipe[1], &byte, 1) < 0)
    {
      /* Nothing to do. */
    }

  errno = saved_errno;
}

static void
deliver (GaioLoop *reading_loop,
         int       signum)
{
  SignalHandler *handler;
  GaioHandle *handle = NULL;
  GaioLoop *loop = NULL;

  g_mutex_lock (&handlers_lock);
  handler = signum > 0 && signum < NSIG ? handlers[signum] : NULL;
  if (handler != NULL)
    {
      handle = new_delivery (handler);
      loop = handler->loop;
      /* Another loop's handler (every loop with a handler on this path
       * reads the one pipe): post it there, under the lock, which keeps
       * that loop from closing meanwhile. */
      if (loop != reading_loop &&
          !_gaio_loop_source_push_threadsafe (_gaio_loop_get_source (loop), handle))
        {
          _gaio_handle_discard (handle);
          gaio_handle_unref (handle);
        }
    }
  g_mutex_unlock (&handlers_lock);

  /* A signal with no handler (removed meanwhile) is ignored (SG-12). */
  if (handle != NULL && loop == reading_loop)
    _gaio_loop_schedule_handle (loop, handle);
}

/* The reader of the self-pipe, on the loop's thread. */
static gboolean
read_signal_pipe (gpointer   user_data,
                  GError   **error)
{
  GaioLoop *loop = user_data;
  unsigned char buffer[256];
  ssize_t n;

  while ((n = read (signal_pipe[0], buffer, sizeof buffer)) > 0)
    for (ssize_t i = 0; i < n; i++)
      deliver (loop, buffer[i]);

  return TRUE;
}

static gboolean
ensure_signal_pipe (GError **error)
{
  static gsize created;
  static int fds[2] = { -1, -1 };
  static gboolean ok;

  if (_gaio_once_enter (&created))
    {
      g_autoptr(GError) local_error = NULL;

      ok = g_unix_open_pipe (fds, FD_CLOEXEC, &local_error) &&
           g_unix_set_fd_nonblocking (fds[0], TRUE, &local_error) &&
           g_unix_set_fd_nonblocking (fds[1], TRUE, &local_error);
      if (ok)
        {
          signal_pipe[0] = fds[0];
          signal_pipe[1] = fds[1];
        }
      else
        {
          _gaio_log (G_LOG_LEVEL_WARNING, "Cannot create the self-pipe of signal handlers: %s",
                     local_error->message);
          for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
            if (fds[i] >= 0)
              close (fds[i]);
        }
      _gaio_once_leave (&created, 1);
    }

  if (!ok)
    g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_FAILED,
                         "Cannot create the self-pipe of signal handlers");
  return ok;
}

/* HOLDS: handlers_lock. Whether @loop still has a handler on our path. */
static gboolean
loop_uses_pipe (GaioLoop *loop)
{
  for (int signum = 1; signum < NSIG; signum++)
    if (handlers[signum] != NULL && handlers[signum]->loop == loop && !is_glib_signal (signum))
      return TRUE;

  return FALSE;
}

/* Watches the self-pipe on @loop's source exactly while @loop has a
 * handler on our path. Loop thread. */
static void
update_pipe_reader (GaioLoop *loop)
{
  GaioFdWatches *watches;
  gboolean wanted;

  if (gaio_loop_is_closed (loop))
    return;

  g_mutex_lock (&handlers_lock);
  wanted = loop_uses_pipe (loop);
  g_mutex_unlock (&handlers_lock);

  watches = _gaio_loop_source_get_fd_watches (_gaio_loop_get_source (loop));
  if (wanted && !_gaio_fd_watches_has (watches, signal_pipe[0], GAIO_FD_READER))
    _gaio_fd_watches_add (watches, signal_pipe[0], GAIO_FD_READER, read_signal_pipe, loop, NULL);
  else if (!wanted)
    _gaio_fd_watches_remove (watches, signal_pipe[0], GAIO_FD_READER);
}

/* HOLDS: handlers_lock */
static gboolean
install_own_handler (int       signum,
                     GError  **error)
{
  struct sigaction action = { 0 };
  int saved_errno;

  if (own_installed[signum])
    return TRUE;

  action.sa_handler = on_signal;
  sigemptyset (&action.sa_mask);
  /* Python installs its handlers the same way (siginterrupt(False)):
   * system calls of other code are restarted, not failed with EINTR. */
  action.sa_flags = SA_RESTART | SA_ONSTACK;

  if (sigaction (signum, &action, &saved_actions[signum]) == 0)
    {
      own_installed[signum] = TRUE;
      return TRUE;
    }

  saved_errno = errno;
  if (saved_errno == EINVAL)
    g_set_error (error, GAIO_ERROR, GAIO_ERROR_SIGNAL_UNCATCHABLE, "sig %d cannot be caught", signum);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "Cannot install a handler for signal %d: %s", signum, g_strerror (saved_errno));
  return FALSE;
}

/* HOLDS: handlers_lock. Puts back the disposition our handler replaced.
 * Returns 0, or the errno of a failure, for log_restore_failure() to
 * report once the lock is dropped (logging runs the program's writers). */
static int
restore_own_handler (int signum)
{
  if (!own_installed[signum])
    return 0;

  own_installed[signum] = FALSE;
  if (sigaction (signum, &saved_actions[signum], NULL) != 0)
    return errno;

  return 0;
}

static void
log_restore_failure (int signum,
                     int error_code)
{
  /* asyncio logs the failure of set_wakeup_fd(-1) at INFO and goes on. */
  if (error_code != 0)
    _gaio_log (G_LOG_LEVEL_INFO, "Cannot restore the disposition of signal %d: %s", signum,
               g_strerror (error_code));
}

static gboolean
check_catchable (int       signum,
                 GError  **error)
{
  if (signum == SIGKILL || signum == SIGSTOP)
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_SIGNAL_UNCATCHABLE, "sig %d cannot be caught", signum);
      return FALSE;
    }
  if (signum == SIGCHLD)
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_SIGNAL_UNCATCHABLE,
                   "sig %d cannot be caught: GLib reaps child processes with SIGCHLD; "
                   "use gaio_loop_subprocess_exec() or g_child_watch_add() to learn "
                   "when a child exits", signum);
      return FALSE;
    }

  return TRUE;
}

static SignalHandler *
handler_new (GaioLoop       *loop,
             int             signum,
             GaioCallback    callback,
             gpointer        user_data,
             GDestroyNotify  notify)
{
  SignalHandler *handler = g_new0 (SignalHandler, 1);

  handler->ref_count = 1;
  handler->loop = loop;
  handler->signum = signum;
  handler->callback = callback;
  handler->user_data = user_data;
  handler->notify = notify;
  handler->name = _gaio_debug_symbol_name ((gpointer) callback);

  return handler;
}

/* Marks @handler removed and drops the table's reference. Its GLib source
 * goes first, so that no new delivery is made. */
static void
handler_release (SignalHandler *handler)
{
  g_atomic_int_set (&handler->removed, TRUE);
  if (handler->glib_source != NULL)
    {
      g_source_destroy (handler->glib_source);
      g_clear_pointer (&handler->glib_source, g_source_unref);
    }
  handler_unref (handler);
}

static void
attach_glib_source (SignalHandler *handler)
{
  GSource *source = g_unix_signal_source_new (handler->signum);

  g_source_set_callback (source, on_glib_signal, handler_ref (handler), handler_unref);
  g_source_set_static_name (source, "GaioLoop signal handler");
  g_source_attach (source, gaio_loop_get_context (handler->loop));
  handler->glib_source = source;
}

static void remove_all_at_close (GaioLoop *loop,
                                 gpointer  data);

gboolean
_gaio_signal_add (GaioLoop        *loop,
                  int              signum,
                  GaioCallback     callback,
                  gpointer         user_data,
                  GDestroyNotify   notify,
                  GError         **error)
{
  SignalHandler *handler, *old;
  GaioLoop *old_loop = NULL;

  if (!signal_is_valid (signum))
    g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT, "invalid signal number %d", signum);
  else if (gaio_loop_is_closed (loop))
    g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_CLOSED, "Event loop is closed");
  else if (!in_main_thread ())
    g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_NOT_MAIN_THREAD,
                         "set_wakeup_fd only works in main thread of the main interpreter");
  else if (check_catchable (signum, error) &&
           (is_glib_signal (signum) || ensure_signal_pipe (error)))
    {
      gboolean installed = TRUE;

      handler = handler_new (loop, signum, callback, user_data, notify);
      /* The new GLib source goes in before the old one goes out: GLib
       * would restore SIG_DFL in between, and a signal arriving then
       * would kill the process. */
      if (is_glib_signal (signum))
        attach_glib_source (handler);

      g_mutex_lock (&handlers_lock);
      if (!is_glib_signal (signum))
        installed = install_own_handler (signum, error);
      old = installed ? handlers[signum] : NULL;
      if (installed)
        handlers[signum] = handler;
      g_mutex_unlock (&handlers_lock);

      if (!installed)
        {
          /* Releasing the new handler runs the notify. */
          handler_release (handler);
          return FALSE;
        }

      /* Once per loop: the handlers go when the loop closes. */
      _gaio_loop_add_close_hook (loop, GAIO_LOOP_CLOSE_RELEASE, remove_all_at_close, NULL);

      if (old != NULL)
        old_loop = old->loop;
      if (!is_glib_signal (signum))
        update_pipe_reader (loop);
      if (old_loop != NULL && old_loop != loop && !is_glib_signal (signum))
        update_pipe_reader (old_loop);
      /* Last: the old handler's notify may drop the last reference on
       * its loop. */
      if (old != NULL)
        handler_release (old);

      return TRUE;
    }

  /* asyncio's add_signal_handler() takes no data to free; ours does, and
   * a failed call must not leak it. */
  if (notify != NULL)
    notify (user_data);

  return FALSE;
}

gboolean
_gaio_signal_remove (GaioLoop *loop,
                     int       signum)
{
  SignalHandler *handler = NULL;
  int restore_error = 0;

  if (!signal_is_valid (signum))
    return FALSE;

  g_mutex_lock (&handlers_lock);
  if (handlers[signum] != NULL && handlers[signum]->loop == loop)
    {
      handler = g_steal_pointer (&handlers[signum]);
      if (!is_glib_signal (signum))
        restore_error = restore_own_handler (signum);
    }
  g_mutex_unlock (&handlers_lock);

  if (handler == NULL)
    return FALSE;

  log_restore_failure (signum, restore_error);

  if (!is_glib_signal (signum))
    update_pipe_reader (loop);
  handler_release (handler);

  return TRUE;
}

/* The loop's close hook (see _gaio_loop_add_close_hook()): removes
 * every handler of @loop, restoring the dispositions. */
static void
remove_all_at_close (GaioLoop *loop,
                     gpointer  data)
{
  SignalHandler *removed[NSIG] = { NULL, };
  int restore_errors[NSIG] = { 0, };
  gboolean any = FALSE;

  g_mutex_lock (&handlers_lock);
  for (int signum = 1; signum < NSIG; signum++)
    if (handlers[signum] != NULL && handlers[signum]->loop == loop)
      {
        removed[signum] = g_steal_pointer (&handlers[signum]);
        if (!is_glib_signal (signum))
          restore_errors[signum] = restore_own_handler (signum);
        any = TRUE;
      }
  g_mutex_unlock (&handlers_lock);

  if (!any)
    return;

  /* The self-pipe reader goes with the loop source's other watches. */
  for (int signum = 1; signum < NSIG; signum++)
    if (removed[signum] != NULL)
      {
        log_restore_failure (signum, restore_errors[signum]);
        handler_release (removed[signum]);
      }
}

gboolean
_gaio_signal_in_main_thread (void)
{
  return in_main_thread ();
}

gboolean
_gaio_signal_get_handler (int           signum,
                          GaioCallback *callback,
                          gpointer     *user_data)
{
  SignalHandler *current;

  g_mutex_lock (&handlers_lock);
  current = signal_is_valid (signum) ? handlers[signum] : NULL;
  if (current != NULL)
    {
      *callback = current->callback;
      *user_data = current->user_data;
    }
  g_mutex_unlock (&handlers_lock);

  return current != NULL;
}
