/* gaio-process-pool-child.c: one worker process, as its pool sees it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A child with three pipes, driven by the pool's I/O thread with plain
 * non-blocking read(2) and write(2) on their descriptors: GIO's
 * asynchronous streams cost a GTask and a main-context dispatch per
 * operation (about 11 us a round trip where a pipe costs 3 to 5), and the
 * I/O thread polls every child at once anyway.
 *
 * The child is started with posix_spawn() (gaio-spawn.c: no fork() of a
 * parent that may be large, which was most of a pool's start), or,
 * where the C library cannot close descriptors there, with GSubprocess.
 * Either way the I/O thread owns the three descriptors, and it reaps
 * every child it started (_gaio_pool_child_reap(), through which every
 * removal of a child goes, also the teardown of a pool dropped without a
 * shutdown): a spawned child is waited for on its pidfd and reaped with
 * waitpid() by this thread alone, so until then its pid cannot name
 * another process and kill() is safe. A GSubprocess child is reaped by
 * GLib's worker thread, and waited for through GSubprocess. No loop
 * takes part in reaping: a pool shut down without waiting, or whose
 * loops closed, still reaps every child, and a child lent to a loop
 * (gaio-process-pool-core.c) that dies idle is seen by the I/O thread,
 * which polls its stderr, whether or not that loop runs again.
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "gaio-log-private.h"
#include "gaio-process-pool-child-private.h"
#include "gaio-process-pool-role-private.h"
#include "gaio-spawn-private.h"

/* A stderr line longer than this is logged in pieces. */
#define MAX_LOG_LINE 4096

#define PIPE_FLAGS (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | \
                    G_SUBPROCESS_FLAGS_STDERR_PIPE)

/* Takes the descriptor of a GSubprocess pipe from its stream, which
 * then leaves it open when closed or finalized. */
static int
take_input_fd (GInputStream *stream)
{
  GUnixInputStream *unix_stream = G_UNIX_INPUT_STREAM (stream);

  g_unix_input_stream_set_close_fd (unix_stream, FALSE);
  return g_unix_input_stream_get_fd (unix_stream);
}

static int
take_output_fd (GOutputStream *stream)
{
  GUnixOutputStream *unix_stream = G_UNIX_OUTPUT_STREAM (stream);

  g_unix_output_stream_set_close_fd (unix_stream, FALSE);
  return g_unix_output_stream_get_fd (unix_stream);
}

static GSubprocess *
spawn_gsubprocess (const char * const  *argv,
                   const char * const  *envp,
                   GaioPoolChild       *child,
                   GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (PIPE_FLAGS);
  GSubprocess *process;
  const char *identifier;

  g_subprocess_launcher_set_environ (launcher, (char **) envp);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return NULL;

  /* NULL once GLib's worker thread has reaped a child that exited at
   * once (a launcher that failed, say). */
  identifier = g_subprocess_get_identifier (process);
  child->pid = identifier != NULL ? atoi (identifier) : 0;
  child->pidfd = -1;
  child->in_fd = take_output_fd (g_subprocess_get_stdin_pipe (process));
  child->out_fd = take_input_fd (g_subprocess_get_stdout_pipe (process));
  child->err_fd = take_input_fd (g_subprocess_get_stderr_pipe (process));

  return process;
}

static char **
worker_environ (const char *argv0)
{
  g_autofree char *version = g_strdup_printf ("%d", GAIO_WIRE_VERSION);
  char **envp = g_get_environ ();

  envp = g_environ_setenv (envp, GAIO_WORKER_ENV, version, TRUE);
  if (argv0 != NULL)
    envp = g_environ_setenv (envp, GAIO_WORKER_ARGV0_ENV, argv0, TRUE);

  return envp;
}

GaioPoolChild *
_gaio_pool_child_spawn (const char * const  *argv,
                        const char          *argv0,
                        gsize                max_body,
                        GError             **error)
{
  g_auto(GStrv) envp = worker_environ (argv0);
  g_autofree GaioPoolChild *child = g_new0 (GaioPoolChild, 1);
  GaioSpawned spawned;

  switch (_gaio_spawn (argv, PIPE_FLAGS, (const char * const *) envp, &spawned, error))
    {
    case GAIO_SPAWN_OK:
      child->pid = spawned.pid;
      child->pidfd = spawned.pidfd;
      child->in_fd = spawned.stdin_fd;
      child->out_fd = spawned.stdout_fd;
      child->err_fd = spawned.stderr_fd;
      break;
    case GAIO_SPAWN_FAILED:
      return NULL;
    case GAIO_SPAWN_UNSUPPORTED:
    default:
      child->process = spawn_gsubprocess (argv, (const char * const *) envp, child, error);
      if (child->process == NULL)
        return NULL;
    }

  g_snprintf (child->pid_text, sizeof child->pid_text, "%d", (int) child->pid);
  child->state = GAIO_POOL_CHILD_STARTING;
  child->out = g_byte_array_new ();
  child->err_line = g_string_new (NULL);
  _gaio_wire_reader_init (&child->reader, max_body);

  /* The pipes are new and ours: this cannot fail. */
  g_unix_set_fd_nonblocking (child->in_fd, TRUE, NULL);
  g_unix_set_fd_nonblocking (child->out_fd, TRUE, NULL);
  g_unix_set_fd_nonblocking (child->err_fd, TRUE, NULL);

  return g_steal_pointer (&child);
}

static void
close_fd (int *fd)
{
  if (*fd < 0)
    return;

  g_close (*fd, NULL);
  *fd = -1;
}

static void
close_output (GaioPoolChild *child)
{
  close_fd (&child->out_fd);
}

static void
close_stderr (GaioPoolChild *child)
{
  close_fd (&child->err_fd);
}

void
_gaio_pool_child_close_stdin (GaioPoolChild *child)
{
  if (child->in_fd < 0)
    return;

  close_fd (&child->in_fd);
  g_byte_array_set_size (child->out, 0);
  child->out_offset = 0;
}

void
_gaio_pool_child_free (GaioPoolChild *child)
{
  _gaio_pool_child_close_stdin (child);
  close_output (child);
  close_stderr (child);
  close_fd (&child->pidfd);
  g_clear_object (&child->process);
  g_byte_array_unref (child->out);
  g_string_free (child->err_line, TRUE);
  _gaio_wire_reader_clear (&child->reader);
  g_free (child);
}

gboolean
_gaio_pool_child_send (GaioPoolChild  *child,
                       GaioWireKind    kind,
                       guint64         job_id,
                       GVariant       *body,
                       gsize           max_body,
                       GError        **error)
{
  if (child->in_fd < 0)
    {
      g_variant_unref (g_variant_ref_sink (body));
      return TRUE;   /* it is going away: its jobs fail with its death */
    }

  return _gaio_wire_append (child->out, kind, job_id, body, max_body, error);
}

gboolean
_gaio_pool_child_wants_write (GaioPoolChild *child)
{
  return child->in_fd >= 0 && child->out_offset < child->out->len;
}

gboolean
_gaio_pool_child_flush (GaioPoolChild *child)
{
  while (_gaio_pool_child_wants_write (child))
    {
      gssize n = write (child->in_fd, child->out->data + child->out_offset,
                        child->out->len - child->out_offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return TRUE;   /* the pipe is full: poll() says when to go on */
      if (n <= 0)
        return FALSE;  /* EPIPE: the child is gone */
      child->out_offset += n;
    }

  /* Everything went: start the buffer over rather than let it grow. */
  if (child->out_offset == child->out->len)
    {
      g_byte_array_set_size (child->out, 0);
      child->out_offset = 0;
    }

  return TRUE;
}

gboolean
_gaio_pool_child_read (GaioPoolChild *child)
{
  if (child->out_fd < 0)
    return FALSE;

  for (;;)
    {
      gsize available;
      guint8 *space = _gaio_wire_reader_reserve (&child->reader, &available);
      gssize n = read (child->out_fd, space, available);

      if (n > 0)
        {
          _gaio_wire_reader_commit (&child->reader, n);
          /* A short read means the pipe is empty: save a read(2) call. */
          if ((gsize) n < available)
            return TRUE;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return TRUE;

      close_output (child);
      return FALSE;
    }
}

static void
log_line (GaioPoolChild *child,
          const char    *line,
          gsize          length)
{
  g_autofree char *valid = g_utf8_make_valid (line, length);
  g_autofree char *message = g_strdup_printf ("worker %s: %s", child->pid_text, valid);
  const GLogField fields[] = {
    { "MESSAGE", message, -1 },
    { "GAIO_WORKER_PID", child->pid_text, -1 },
  };

  _gaio_log_fields (G_LOG_LEVEL_MESSAGE, fields, G_N_ELEMENTS (fields));
}

static void
log_complete_lines (GaioPoolChild *child,
                    gboolean       at_eof)
{
  GString *buffer = child->err_line;
  gsize start = 0;

  for (gsize i = 0; i < buffer->len; i++)
    if (buffer->str[i] == '\n' || i - start >= MAX_LOG_LINE)
      {
        log_line (child, buffer->str + start, i - start);
        start = buffer->str[i] == '\n' ? i + 1 : i;
      }

  if (at_eof && start < buffer->len)
    {
      log_line (child, buffer->str + start, buffer->len - start);
      start = buffer->len;
    }

  g_string_erase (buffer, 0, start);
}

void
_gaio_pool_child_read_stderr (GaioPoolChild *child)
{
  char chunk[4096];

  while (child->err_fd >= 0)
    {
      gssize n = read (child->err_fd, chunk, sizeof chunk);

      if (n > 0)
        {
          g_string_append_len (child->err_line, chunk, n);
          log_complete_lines (child, FALSE);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;

      log_complete_lines (child, TRUE);
      close_stderr (child);
    }
}

void
_gaio_pool_child_kill (GaioPoolChild *child)
{
  /* Safe at any time: GSubprocess signals only a child it has not
   * reaped, and a spawned child is reaped by this thread alone. */
  if (child->process != NULL)
    g_subprocess_force_exit (child->process);
  else if (!child->reaped)
    kill (child->pid, SIGKILL);
  child->state = GAIO_POOL_CHILD_DEAD;
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
wait_timed_out (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* g_subprocess_wait() with a deadline: the exit is seen by GLib's child
 * watch in its worker thread, and reported to a context of our own. */
static void
wait_for_gsubprocess (GSubprocess *process,
                      gint64       timeout_us)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (MAX (timeout_us / 1000, 1));
  gboolean done = FALSE;
  gboolean timed_out = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (process, NULL, wait_done, &done);
  g_source_set_callback (timeout, wait_timed_out, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!done)
    {
      if (timed_out)
        {
          g_subprocess_force_exit (process);
          timed_out = FALSE;
        }
      g_main_context_iteration (context, TRUE);
    }

  if (!g_source_is_destroyed (timeout))
    g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
}

/* Waits until @child exits or @deadline_us passes. On its pidfd when
 * there is one; otherwise (a kernel before 5.3) by polling, which only
 * costs at the end of a pool. */
static gboolean
wait_spawned_until (GaioPoolChild *child,
                    gint64         deadline_us)
{
  for (;;)
    {
      gint64 left_us = deadline_us - g_get_monotonic_time ();
      int status;
      pid_t pid = waitpid (child->pid, &status, WNOHANG);

      if (pid == child->pid || (pid < 0 && errno == ECHILD))
        {
          /* ECHILD: someone else reaped it (a waitpid(-1) elsewhere in
           * the program); nothing is known of how it ended. */
          child->wait_status = pid == child->pid ? status : 0;
          child->reaped = TRUE;
          return TRUE;
        }
      if (pid < 0 && errno != EINTR)
        return FALSE;
      if (left_us <= 0)
        return FALSE;
      if (child->pidfd >= 0)
        {
          struct pollfd pfd = { child->pidfd, POLLIN, 0 };

          poll (&pfd, 1, (int) MIN ((left_us + 999) / 1000, G_MAXINT));
        }
      else
        g_usleep (MIN (left_us, 1000));
    }
}

static void
wait_for_spawned (GaioPoolChild *child,
                  gint64         timeout_us)
{
  if (wait_spawned_until (child, g_get_monotonic_time () + timeout_us))
    return;

  kill (child->pid, SIGKILL);
  wait_spawned_until (child, G_MAXINT64);
}

static char *
describe_exit (GaioPoolChild *child)
{
  int status = child->process != NULL ? g_subprocess_get_status (child->process)
                                      : child->wait_status;

  if (WIFSIGNALED (status))
    return g_strdup_printf ("was killed by signal %d (%s)", WTERMSIG (status),
                            g_strsignal (WTERMSIG (status)));

  return g_strdup_printf ("exited with status %d", WEXITSTATUS (status));
}

char *
_gaio_pool_child_reap (GaioPoolChild *child,
                       gint64         timeout_us)
{
  _gaio_pool_child_close_stdin (child);
  if (child->process != NULL)
    wait_for_gsubprocess (child->process, timeout_us);
  else
    wait_for_spawned (child, timeout_us);
  child->state = GAIO_POOL_CHILD_DEAD;

  /* It is gone: what it wrote last is all in the pipe (unless a process
   * it started holds stderr open, and then reading stops at EAGAIN). */
  _gaio_pool_child_read_stderr (child);

  return describe_exit (child);
}
