/* gaio-subprocess-communicate.c: GaioProcess's communicate()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's Process.communicate(): feed stdin, read stdout and stderr to
 * their end, wait for the exit; done when all of that is done, in
 * whatever order it happens (the output a child wrote before exiting is
 * read after the exit is seen: SP-08).
 *
 * It runs on the loop's own machinery rather than on
 * g_subprocess_communicate_async(), for two reasons that matter to
 * asyncio's contract:
 *
 *  - a child that exits before reading all its input makes the write
 *    fail with EPIPE; asyncio ignores that (test_communicate_ignore_
 *    broken_pipe), GLib fails the whole operation;
 *  - that write raises SIGPIPE, which kills a C program that did not
 *    ignore it. Python ignores SIGPIPE at startup; a library must not
 *    change a process-wide disposition behind the application's back.
 *    Each write here blocks SIGPIPE in the calling thread and consumes
 *    the one it raised (the sigtimedwait() technique), so the
 *    application's disposition is never touched.
 *
 * The pipes are watched with the loop's readers and writer (one source,
 * no thread). Cancelling the future stops the reading and writing and
 * nothing else: the child keeps running, as in asyncio, and GLib reaps it
 * when it exits, so no zombie is left behind.
 */

#include "config.h"

#include "gaio-debug-private.h"

#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>

#include "gaio-subprocess-private.h"

/* asyncio's read size for subprocess pipes; a callback reads at most a
 * few of these, so one chatty child cannot starve the loop. */
#define READ_CHUNK      (64 * 1024)
#define READS_PER_CALL  4

typedef struct
{
  guint          ref_count;      /* loop thread only */
  GaioProcess   *process;        /* (owned) */
  GaioFuture    *future;         /* (owned) the caller's */
  GaioFuture    *exit_future;    /* (owned) (nullable) until the exit is seen */

  GBytes        *input;          /* (owned) (nullable) */
  gsize          input_offset;

  /* Each is set while its pipe is watched, and dropped at its end. */
  GOutputStream *stdin_stream;   /* (owned) (nullable) */
  GInputStream  *stdout_stream;  /* (owned) (nullable) */
  GInputStream  *stderr_stream;  /* (owned) (nullable) */

  GByteArray    *stdout_data;    /* (owned) (nullable) when stdout is no pipe */
  GByteArray    *stderr_data;    /* (owned) (nullable) when stderr is no pipe */

  gboolean       exited;
  gboolean       finished;
} Communicate;

static Communicate *
communicate_ref (Communicate *self)
{
  self->ref_count++;
  return self;
}

static void
communicate_unref (gpointer data)
{
  Communicate *self = data;

  if (--self->ref_count > 0)
    return;

  g_assert (self->stdin_stream == NULL && self->stdout_stream == NULL &&
            self->stderr_stream == NULL);
  g_clear_pointer (&self->exit_future, gaio_future_unref);
  g_clear_pointer (&self->input, g_bytes_unref);
  g_clear_pointer (&self->stdout_data, g_byte_array_unref);
  g_clear_pointer (&self->stderr_data, g_byte_array_unref);
  gaio_future_unref (self->future);
  g_object_unref (self->process);
  g_free (self);
}

static GaioLoop *
loop_of (Communicate *self)
{
  return gaio_process_get_loop (self->process);
}

/* ---- SIGPIPE-free writes ---- */

static gssize
write_without_sigpipe (int            fd,
                       const guint8  *data,
                       gsize          length,
                       int           *saved_errno)
{
  sigset_t sigpipe, old_mask, pending;
  gboolean was_pending;
  gssize n;

  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);

  /* A SIGPIPE already pending is someone else's: leave it be. */
  sigpending (&pending);
  was_pending = sigismember (&pending, SIGPIPE) == 1;
  pthread_sigmask (SIG_BLOCK, &sigpipe, &old_mask);

  do
    n = write (fd, data, length);
  while (n < 0 && errno == EINTR);
  *saved_errno = errno;

  /* The EPIPE left a SIGPIPE pending on this thread, blocked: take it
   * before unblocking, or it would be delivered then. */
  if (n < 0 && *saved_errno == EPIPE && !was_pending)
    {
      const struct timespec zero = { 0, 0 };

      while (sigtimedwait (&sigpipe, NULL, &zero) < 0 && errno == EINTR)
        ;
    }

  pthread_sigmask (SIG_SETMASK, &old_mask, NULL);

  return n;
}

/* ---- finishing ---- */

static GVariant *
maybe_bytes (GByteArray **data)
{
  GVariant *child = NULL;

  if (*data != NULL)
    {
      g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (data));

      child = g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE);
    }

  return g_variant_new_maybe (G_VARIANT_TYPE_BYTESTRING, child);
}

static void stop (Communicate *self);

static void
try_finish (Communicate *self)
{
  GVariant *children[2];

  if (self->finished || !self->exited || self->stdin_stream != NULL ||
      self->stdout_stream != NULL || self->stderr_stream != NULL)
    return;

  self->finished = TRUE;
  _gaio_process_release_pipes (self->process);

  if (gaio_future_is_done (self->future))
    return;

  children[0] = maybe_bytes (&self->stdout_data);
  children[1] = maybe_bytes (&self->stderr_data);
  gaio_future_set_result_variant (self->future, g_variant_new_tuple (children, 2), NULL);
}

static void
fail (Communicate *self,
      GError      *error)   /* (transfer full) */
{
  stop (self);
  if (!gaio_future_is_done (self->future))
    gaio_future_take_error (self->future, error, NULL);
  else
    g_error_free (error);
}

static int
output_fd (GOutputStream *stream)
{
  return g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (stream));
}

static int
input_fd (GInputStream *stream)
{
  return g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream));
}

/* Closing the pipe is what tells the child its input ended. */
static void
close_stdin (Communicate *self)
{
  g_autoptr(GOutputStream) stream = g_steal_pointer (&self->stdin_stream);

  if (stream == NULL)
    return;

  gaio_loop_remove_writer (loop_of (self), output_fd (stream));
  g_output_stream_close (stream, NULL, NULL);
}

static void
close_output (Communicate   *self,
              GInputStream **slot)
{
  g_autoptr(GInputStream) stream = g_steal_pointer (slot);

  if (stream == NULL)
    return;

  gaio_loop_remove_reader (loop_of (self), input_fd (stream));
  g_input_stream_close (stream, NULL, NULL);
}

/* Cancelled or failed: stop watching, leave the child alone. The streams
 * stay open (they belong to the GSubprocess), as asyncio leaves the
 * pipe transports of a cancelled communicate(). */
static void
stop (Communicate *self)
{
  GaioLoop *loop = loop_of (self);

  if (self->finished)
    return;
  self->finished = TRUE;

  if (self->stdin_stream != NULL)
    gaio_loop_remove_writer (loop, output_fd (self->stdin_stream));
  if (self->stdout_stream != NULL)
    gaio_loop_remove_reader (loop, input_fd (self->stdout_stream));
  if (self->stderr_stream != NULL)
    gaio_loop_remove_reader (loop, input_fd (self->stderr_stream));
  g_clear_object (&self->stdin_stream);
  g_clear_object (&self->stdout_stream);
  g_clear_object (&self->stderr_stream);

  /* Our own waiter: cancelling it releases its reference on us now
   * rather than at the exit. */
  if (self->exit_future != NULL)
    gaio_future_cancel (self->exit_future, NULL);

  _gaio_process_release_pipes (self->process);
}

/* ---- the loop callbacks ---- */

static gboolean
feed_stdin (gpointer   user_data,
            GError   **error)
{
  Communicate *self = user_data;
  gsize length;
  const guint8 *data = g_bytes_get_data (self->input, &length);
  gssize n;
  int saved_errno;

  if (self->finished || self->stdin_stream == NULL)
    return TRUE;
  if (gaio_future_is_done (self->future))
    {
      stop (self);
      return TRUE;
    }

  n = write_without_sigpipe (output_fd (self->stdin_stream), data + self->input_offset,
                             length - self->input_offset, &saved_errno);
  if (n >= 0)
    self->input_offset += n;
  else if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
    return TRUE;
  else if (saved_errno != EPIPE && saved_errno != ECONNRESET)
    {
      fail (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "Cannot write to the stdin of process %d: %s",
                               (int) gaio_process_get_pid (self->process),
                               g_strerror (saved_errno)));
      return TRUE;
    }

  /* All written, or the child went away before reading it all: asyncio
   * ignores BrokenPipeError and ConnectionResetError here (SP-08). */
  if (n < 0 || self->input_offset == length)
    {
      close_stdin (self);
      try_finish (self);
    }

  return TRUE;
}

static void
read_output (Communicate   *self,
             GInputStream **slot,
             GByteArray    *data)
{
  guint8 buffer[READ_CHUNK];

  if (self->finished || *slot == NULL)
    return;
  if (gaio_future_is_done (self->future))
    {
      stop (self);
      return;
    }

  for (guint i = 0; i < READS_PER_CALL; i++)
    {
      gssize n = read (input_fd (*slot), buffer, sizeof buffer);
      int saved_errno = errno;

      if (n > 0)
        {
          g_byte_array_append (data, buffer, n);
          continue;
        }
      if (n < 0 && saved_errno == EINTR)
        continue;
      if (n < 0 && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK))
        return;
      if (n < 0)
        {
          fail (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   "Cannot read from process %d: %s",
                                   (int) gaio_process_get_pid (self->process),
                                   g_strerror (saved_errno)));
          return;
        }

      /* End of file. */
      close_output (self, slot);
      try_finish (self);
      return;
    }
}

static gboolean
read_stdout (gpointer   user_data,
             GError   **error)
{
  Communicate *self = user_data;

  read_output (self, &self->stdout_stream, self->stdout_data);
  return TRUE;
}

static gboolean
read_stderr (gpointer   user_data,
             GError   **error)
{
  Communicate *self = user_data;

  read_output (self, &self->stderr_stream, self->stderr_data);
  return TRUE;
}

static void
on_process_exit (GaioFuture *exit_future,
         gpointer    user_data)
{
  Communicate *self = user_data;

  if (gaio_future_is_cancelled (exit_future))
    return;

  self->exited = TRUE;
  try_finish (self);
}

static void
on_done (GaioFuture *future,
         gpointer    user_data)
{
  /* Cancelled by the caller (finishing stops nothing). */
  stop (user_data);
}

/* ---- starting ---- */

static gboolean
watch_stdin (Communicate  *self,
             GError      **error)
{
  GOutputStream *stream = gaio_process_get_stdin_pipe (self->process);

  if (stream == NULL || g_output_stream_is_closed (stream))
    return TRUE;

  self->stdin_stream = g_object_ref (stream);
  if (self->input == NULL || g_bytes_get_size (self->input) == 0)
    {
      close_stdin (self);
      return TRUE;
    }

  /* A blocking pipe reports writable when it has any room, then blocks
   * until it has room for the whole write. */
  return g_unix_set_fd_nonblocking (output_fd (stream), TRUE, error) &&
         gaio_loop_add_writer (loop_of (self), output_fd (stream), feed_stdin,
                               communicate_ref (self), communicate_unref, error);
}

static gboolean
watch_output (Communicate   *self,
              GInputStream  *stream,
              GInputStream **slot,
              GByteArray   **data,
              GaioCallback   callback,
              GError       **error)
{
  if (stream == NULL)
    return TRUE;

  *data = g_byte_array_new ();
  if (g_input_stream_is_closed (stream))
    return TRUE;

  *slot = g_object_ref (stream);
  return g_unix_set_fd_nonblocking (input_fd (stream), TRUE, error) &&
         gaio_loop_add_reader (loop_of (self), input_fd (stream), callback,
                               communicate_ref (self), communicate_unref, error);
}

static gboolean
start (Communicate  *self,
       GError      **error)
{
  if (!watch_stdin (self, error) ||
      !watch_output (self, gaio_process_get_stdout_pipe (self->process), &self->stdout_stream,
                     &self->stdout_data, read_stdout, error) ||
      !watch_output (self, gaio_process_get_stderr_pipe (self->process), &self->stderr_stream,
                     &self->stderr_data, read_stderr, error))
    return FALSE;

  self->exit_future = gaio_process_wait (self->process);
  GAIO_DEBUG_NAME (on_process_exit, "Process.communicate.<locals>.on_exit");
  GAIO_DEBUG_NAME (on_done, "Process.communicate.<locals>.on_done");
  gaio_future_add_done_callback (self->exit_future, on_process_exit, communicate_ref (self),
                                 communicate_unref);
  gaio_future_add_done_callback (self->future, on_done, communicate_ref (self),
                                 communicate_unref);

  return TRUE;
}

/**
 * gaio_process_communicate:
 * @process: a #GaioProcess
 * @input: (nullable): bytes for the child's stdin, or %NULL
 *
 * asyncio's `Process.communicate()`: writes @input to the child's stdin
 * and closes it, reads stdout and stderr to their end, and waits for the
 * exit. The future then finishes with a #GVariant of type `(maymay)`: the
 * bytes read from stdout and from stderr, each absent (asyncio's `None`)
 * when that stream is not a pipe. [func@Gaio.Process.communicate_get_output]
 * unpacks it as #GBytes.
 *
 * A child that exits before it has read all of @input is no error
 * (asyncio ignores the broken pipe), and writing never raises SIGPIPE in
 * the calling process, whatever its disposition.
 *
 * Cancelling the future stops the reading and writing only: the child
 * runs on, and is reaped by GLib when it exits (no zombie). Kill it
 * first with [method@Gaio.Process.kill] if it must end.
 *
 * The pipes belong to the operation until it is done: one
 * communicate() at a time. Loop thread only.
 *
 * Returns: (transfer full): a future of the process's loop; it fails with
 *   %GAIO_ERROR_INVALID_ARGUMENT if @input is given but stdin is not a
 *   pipe, %GAIO_ERROR_INVALID_STATE if a communicate() is already running,
 *   %GAIO_ERROR_CLOSED if the loop is closed, or a %G_IO_ERROR for a read
 *   or write that fails otherwise
 *
 * Since: 1.0
 */
GaioFuture *
gaio_process_communicate (GaioProcess *process,
                          GBytes      *input)
{
  g_autoptr(GError) error = NULL;
  Communicate *self;
  GaioFuture *future;

  g_return_val_if_fail (GAIO_IS_PROCESS (process), NULL);

  future = gaio_future_new (gaio_process_get_loop (process));

  if (gaio_loop_is_closed (gaio_process_get_loop (process)))
    error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_CLOSED, "Event loop is closed");
  else if (input != NULL && gaio_process_get_stdin_pipe (process) == NULL)
    error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                                 "Input given, but the process has no stdin pipe "
                                 "(spawn it with G_SUBPROCESS_FLAGS_STDIN_PIPE)");
  else if (!_gaio_process_claim_pipes (process))
    error = g_error_new_literal (GAIO_ERROR, GAIO_ERROR_INVALID_STATE,
                                 "communicate() is already running on this process");
  if (error != NULL)
    {
      gaio_future_take_error (future, g_steal_pointer (&error), NULL);
      return future;
    }

  self = g_new0 (Communicate, 1);
  self->ref_count = 1;
  self->process = g_object_ref (process);
  self->future = gaio_future_ref (future);
  self->input = input != NULL ? g_bytes_ref (input) : NULL;

  if (!start (self, &error))
    fail (self, g_steal_pointer (&error));
  else
    try_finish (self);

  communicate_unref (self);

  return future;
}

/**
 * gaio_process_communicate_get_output:
 * @future: a future returned by [method@Gaio.Process.communicate]
 * @stdout_data: (out) (optional) (nullable) (transfer full): the bytes
 *   read from stdout, or %NULL if stdout was not a pipe
 * @stderr_data: (out) (optional) (nullable) (transfer full): the bytes
 *   read from stderr, or %NULL if stderr was not a pipe
 * @error: return location for a #GError
 *
 * Unpacks the result of [method@Gaio.Process.communicate].
 *
 * Returns: %TRUE if the future finished with a result; %FALSE with the
 *   future's error (or %GAIO_ERROR_INVALID_STATE if it is not done)
 *
 * Since: 1.0
 */
gboolean
gaio_process_communicate_get_output (GaioFuture  *future,
                                     GBytes     **stdout_data,
                                     GBytes     **stderr_data,
                                     GError     **error)
{
  GBytes **out[2] = { stdout_data, stderr_data };
  GVariant *result;

  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result = gaio_future_get_result_variant (future, error);
  if (result == NULL)
    return FALSE;

  g_return_val_if_fail (g_variant_is_of_type (result, G_VARIANT_TYPE ("(maymay)")), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (out); i++)
    {
      g_autoptr(GVariant) maybe = g_variant_get_child_value (result, i);
      g_autoptr(GVariant) child = g_variant_get_maybe (maybe);

      if (out[i] != NULL)
        *out[i] = child != NULL ? g_variant_get_data_as_bytes (child) : NULL;
    }

  return TRUE;
}
