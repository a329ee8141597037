/* gaio-loop-unix.c: the loop's Unix methods: file descriptors and signals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The entry points of asyncio's add_reader()/add_writer() and
 * add_signal_handler() families. They are methods of GaioLoop kept apart
 * from gaio-loop.c the way GLib keeps its Unix-only API in glib-unix.h:
 * the machinery is in gaio-fd-watch.c (descriptors on the loop's one
 * source) and gaio-signal.c (the signal table and the self-pipe).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include "gaio-fd-watch-private.h"
#include "gaio-loop-private.h"
#include "gaio-loop-source-private.h"
#include "gaio-signal-private.h"

static gboolean
check_fd (int       fd,
          GError  **error)
{
  if (fd < 0)
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT, "Invalid file object: %d", fd);
      return FALSE;
    }

  /* poll() would report a descriptor that is not open as G_IO_NVAL on
   * every iteration: refuse it here, where the caller can be told. */
  if (fcntl (fd, F_GETFD) < 0 && errno == EBADF)
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                   "Invalid file object: %d is not an open file descriptor", fd);
      return FALSE;
    }

  return TRUE;
}

static gboolean
add_fd_callback (GaioLoop         *loop,
                 int               fd,
                 GaioFdDirection   direction,
                 GaioCallback      callback,
                 gpointer          user_data,
                 GDestroyNotify    notify,
                 GError          **error)
{
  GaioFdWatches *watches;

  if (gaio_loop_is_closed (loop))
    g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_CLOSED, "Event loop is closed");
  else if (check_fd (fd, error))
    {
      watches = _gaio_loop_source_get_fd_watches (_gaio_loop_get_source (loop));
      _gaio_fd_watches_add (watches, fd, direction, callback, user_data, notify);
      return TRUE;
    }

  if (notify != NULL)
    notify (user_data);

  return FALSE;
}

static gboolean
remove_fd_callback (GaioLoop        *loop,
                    int              fd,
                    GaioFdDirection  direction)
{
  /* asyncio: removing from a closed loop is not an error (RW-07), and
   * an fd that was never added is simply not there (RW-04). */
  if (gaio_loop_is_closed (loop) || fd < 0)
    return FALSE;

  return _gaio_fd_watches_remove (_gaio_loop_source_get_fd_watches (_gaio_loop_get_source (loop)),
                                  fd, direction);
}

/**
 * gaio_loop_add_reader:
 * @loop: a #GaioLoop
 * @fd: the file descriptor to watch
 * @callback: (scope notified) (closure user_data) (destroy notify): the
 *   callback
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Calls @callback whenever @fd is readable, until
 * [method@Gaio.Loop.remove_reader] (asyncio's `add_reader`). A reader
 * already registered for @fd is replaced (and released); a writer of the
 * same descriptor is kept.
 *
 * The watch is level-triggered: while @fd stays readable, @callback is
 * queued once in every iteration. It runs on the loop's thread as a
 * loop callback, in asyncio's order: the callbacks of the descriptors
 * found ready in an iteration run after the callbacks that were already
 * ready and before the timers that became due. Hang-up and error
 * conditions call the reader too, so that it sees end-of-file; a reader
 * that does not remove itself at end-of-file is called again and again.
 * A callback that fails is reported through the exception handler and
 * stays registered.
 *
 * The descriptor stays the caller's: close it only after removing its
 * reader and writer. One closed under a watch is reported through the
 * exception handler and dropped, rather than polled in a busy loop.
 *
 * @notify runs once @callback is released: when it is replaced or
 * removed, when the loop closes, or at once if this call fails, on the
 * loop's thread, never while @callback runs.
 *
 * Loop thread only.
 *
 * Returns: %TRUE on success; %FALSE with %GAIO_ERROR_CLOSED if the loop
 *   is closed, or %GAIO_ERROR_INVALID_ARGUMENT if @fd is negative or not
 *   an open descriptor
 *
 * Since: 1.0
 */
gboolean
gaio_loop_add_reader (GaioLoop        *loop,
                      int              fd,
                      GaioCallback     callback,
                      gpointer         user_data,
                      GDestroyNotify   notify,
                      GError         **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_fd_callback (loop, fd, GAIO_FD_READER, callback, user_data, notify, error);
}

/**
 * gaio_loop_remove_reader:
 * @loop: a #GaioLoop
 * @fd: the file descriptor
 *
 * Stops watching @fd for reading (asyncio's `remove_reader`). A call of
 * the reader already queued for this iteration is dropped. The writer of
 * @fd, if any, stays.
 *
 * Loop thread only.
 *
 * Returns: %TRUE if a reader was registered for @fd; %FALSE otherwise,
 *   and always once the loop is closed
 *
 * Since: 1.0
 */
gboolean
gaio_loop_remove_reader (GaioLoop *loop,
                         int       fd)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);

  return remove_fd_callback (loop, fd, GAIO_FD_READER);
}

/**
 * gaio_loop_add_writer:
 * @loop: a #GaioLoop
 * @fd: the file descriptor to watch
 * @callback: (scope notified) (closure user_data) (destroy notify): the
 *   callback
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Calls @callback whenever @fd is writable, until
 * [method@Gaio.Loop.remove_writer] (asyncio's `add_writer`), with the
 * rules of [method@Gaio.Loop.add_reader]: a writer already registered
 * for @fd is replaced, the reader of @fd is kept, hang-up and error
 * conditions call the writer too.
 *
 * @notify runs once @callback is released: when it is replaced or
 * removed, when the loop closes, or at once if this call fails, on the
 * loop's thread, never while @callback runs.
 *
 * Loop thread only.
 *
 * Returns: %TRUE on success; %FALSE with %GAIO_ERROR_CLOSED or
 *   %GAIO_ERROR_INVALID_ARGUMENT as for [method@Gaio.Loop.add_reader]
 *
 * Since: 1.0
 */
gboolean
gaio_loop_add_writer (GaioLoop        *loop,
                      int              fd,
                      GaioCallback     callback,
                      gpointer         user_data,
                      GDestroyNotify   notify,
                      GError         **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_fd_callback (loop, fd, GAIO_FD_WRITER, callback, user_data, notify, error);
}

/**
 * gaio_loop_remove_writer:
 * @loop: a #GaioLoop
 * @fd: the file descriptor
 *
 * Stops watching @fd for writing (asyncio's `remove_writer`), with the
 * rules of [method@Gaio.Loop.remove_reader].
 *
 * Returns: %TRUE if a writer was registered for @fd
 *
 * Since: 1.0
 */
gboolean
gaio_loop_remove_writer (GaioLoop *loop,
                         int       fd)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);

  return remove_fd_callback (loop, fd, GAIO_FD_WRITER);
}

/**
 * gaio_loop_add_signal_handler:
 * @loop: a #GaioLoop
 * @signum: the signal number, e.g. `SIGTERM`
 * @callback: (scope notified) (closure user_data) (destroy notify): the
 *   callback
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Calls @callback on the loop whenever @signum is delivered to the
 * process (asyncio's `add_signal_handler`). The callback never runs in
 * signal context: it is queued as a loop callback and runs in the next
 * iteration, on the loop's thread; a failure goes to the exception
 * handler (`Exception in callback NAME()`) and the handler stays.
 *
 * A signal has one handler in the process: adding one replaces the
 * previous handler of @signum (releasing it), even one added on another
 * loop.
 *
 * SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2 and SIGWINCH are watched with
 * g_unix_signal_source_new(), so handlers installed with
 * g_unix_signal_add() elsewhere in the program keep working beside this
 * one; GLib merges deliveries of these that arrive before the loop's
 * context dispatches into one call. Every other catchable signal is
 * caught with a handler of libgaio's own that only wakes the loop, and
 * @callback runs once per delivery.
 *
 * Like asyncio, only the main thread may add handlers, and the loop
 * should run on it.
 *
 * @notify runs once the handler is released: when it is replaced or
 * removed, when the loop closes, or at once if this call fails, never
 * while @callback runs.
 *
 * Returns: %TRUE on success; %FALSE with @error set:
 *   %GAIO_ERROR_INVALID_ARGUMENT for a number that is not a signal
 *   (`invalid signal number 0`), %GAIO_ERROR_CLOSED if the loop is
 *   closed, %GAIO_ERROR_NOT_MAIN_THREAD from another thread than the main
 *   one, %GAIO_ERROR_SIGNAL_UNCATCHABLE for SIGKILL and SIGSTOP (`sig 9
 *   cannot be caught`) and for SIGCHLD, which GLib needs for its child
 *   watches; a %G_IO_ERROR if sigaction() fails otherwise
 *
 * Since: 1.0
 */
gboolean
gaio_loop_add_signal_handler (GaioLoop        *loop,
                              int              signum,
                              GaioCallback     callback,
                              gpointer         user_data,
                              GDestroyNotify   notify,
                              GError         **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _gaio_signal_add (loop, signum, callback, user_data, notify, error);
}

/**
 * gaio_loop_remove_signal_handler:
 * @loop: a #GaioLoop
 * @signum: the signal number
 *
 * Removes the handler of @signum added on @loop (asyncio's
 * `remove_signal_handler`) and restores the signal's disposition: the one
 * in place before libgaio's handler was installed, or, for the signals
 * GLib watches, GLib's default (SIG_DFL once no g_unix_signal_add()
 * source is left). A call already queued is dropped.
 *
 * Returns: %TRUE if a handler was removed; %FALSE if @loop had none for
 *   @signum, including for numbers that are not signals
 *
 * Since: 1.0
 */
gboolean
gaio_loop_remove_signal_handler (GaioLoop *loop,
                                 int       signum)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);

  return _gaio_signal_remove (loop, signum);
}
