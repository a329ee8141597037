/* test-subprocess.c: GaioProcess (asyncio-cases.md group SP, and LG-05)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unix-test-util.h"

#define TIMEOUT_S 20

static int
wait_returncode (GaioLoop    *loop,
                 GaioProcess *process)
{
  g_autoptr(GaioFuture) future = gaio_process_wait (process);
  g_autoptr(GError) error = NULL;
  gint64 returncode;

  g_assert_true (unix_test_run_until_done (loop, future, TIMEOUT_S));
  returncode = gaio_future_get_result_int64 (future, &error);
  g_assert_no_error (error);

  return (int) returncode;
}

static void
communicate (GaioLoop     *loop,
             GaioProcess  *process,
             GBytes       *input,
             GBytes      **out,
             GBytes      **err)
{
  g_autoptr(GaioFuture) future = gaio_process_communicate (process, input);
  g_autoptr(GError) error = NULL;

  g_assert_true (unix_test_run_until_done (loop, future, TIMEOUT_S));
  g_assert_true (gaio_process_communicate_get_output (future, out, err, &error));
  g_assert_no_error (error);
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected)
{
  gsize size;
  const char *data;

  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpmem (data, size, expected, strlen (expected));
}

/* SP-01 / SP-08: exec with pipes; communicate(b'some data') with cat
 * gives the data back on stdout, no stderr (not a pipe), returncode 0.
 * CPython: test_events.py::test_subprocess_exec,
 * test_subprocess.py::test_communicate, ::test_stdin_stdout */
static void
test_exec_communicate (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "cat", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("some data", 9);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = GINT_TO_POINTER (1);
  GaioProcess *process;
  int returncode;

  process = gaio_loop_subprocess_exec (loop, argv,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpint (gaio_process_get_pid (process), >, 0);
  g_assert_false (gaio_process_get_returncode (process, NULL));

  communicate (loop, process, input, &out, &err);
  assert_bytes (out, "some data");
  g_assert_null (err);
  g_assert_true (gaio_process_get_returncode (process, &returncode));
  g_assert_cmpint (returncode, ==, 0);

  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-02: shell; 'echo Python' gives b'Python\n'; 'exit 7' without pipes
 * gives returncode 7.
 * CPython: test_events.py::test_subprocess_shell, ::test_subprocess_exitcode;
 * test_subprocess.py::test_shell */
static void
test_shell (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  GaioProcess *process;

  process = gaio_loop_subprocess_shell (loop, "echo Python", G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  communicate (loop, process, NULL, &out, NULL);
  assert_bytes (out, "Python\n");
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);
  g_object_unref (process);

  process = gaio_loop_subprocess_shell (loop, "exit 7", G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_null (gaio_process_get_stdin_pipe (process));
  g_assert_cmpint (wait_returncode (loop, process), ==, 7);
  g_object_unref (process);

  unix_test_loop_free (loop);
}

/* SP-03: kill, terminate and send_signal give -9, -15 and -1.
 * CPython: test_events.py::test_subprocess_kill, ::test_subprocess_terminate,
 * ::test_subprocess_send_signal; test_subprocess.py::test_kill,
 * ::test_terminate, ::test_send_signal */
static void
test_kill_terminate_signal (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "sleep", "30", NULL };
  const int expected[] = { -SIGKILL, -SIGTERM, -SIGHUP };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;
      GaioProcess *process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error);
      gboolean sent;

      g_assert_no_error (error);
      if (i == 0)
        sent = gaio_process_kill (process, &error);
      else if (i == 1)
        sent = gaio_process_terminate (process, &error);
      else
        sent = gaio_process_send_signal (process, SIGHUP, &error);
      g_assert_no_error (error);
      g_assert_true (sent);

      g_assert_cmpint (wait_returncode (loop, process), ==, expected[i]);
      g_object_unref (process);
    }

  unix_test_loop_free (loop);
}

/* SP-04: once the exit is known, send_signal, terminate and kill fail
 * with GAIO_ERROR_PROCESS_LOOKUP (ProcessLookupError).
 * CPython: test_subprocess.py::SubprocessTransportTests::test_proc_exited */
static void
test_signal_after_exit (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "true", NULL };
  g_autoptr(GError) error = NULL;
  GaioProcess *process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);

  g_assert_false (gaio_process_send_signal (process, SIGTERM, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_PROCESS_LOOKUP);
  g_clear_error (&error);
  g_assert_false (gaio_process_terminate (process, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_PROCESS_LOOKUP);
  g_clear_error (&error);
  g_assert_false (gaio_process_kill (process, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_PROCESS_LOOKUP);

  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-05: separate stdout and stderr pipes, then stderr merged into
 * stdout (stderr=STDOUT): stderr is then absent.
 * CPython: test_events.py::test_subprocess_stderr,
 * ::test_subprocess_stderr_redirect_to_stdout */
static void
test_stderr (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *command = "printf OUT:test; printf ERR:test >&2";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  GaioProcess *process;

  process = gaio_loop_subprocess_shell (loop, command,
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                        &error);
  g_assert_no_error (error);
  communicate (loop, process, NULL, &out, &err);
  assert_bytes (out, "OUT:test");
  assert_bytes (err, "ERR:test");
  g_object_unref (process);
  g_clear_pointer (&out, g_bytes_unref);
  g_clear_pointer (&err, g_bytes_unref);

  process = gaio_loop_subprocess_shell (loop, command,
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                        &error);
  g_assert_no_error (error);
  communicate (loop, process, NULL, &out, &err);
  assert_bytes (out, "OUT:testERR:test");
  g_assert_null (err);
  g_object_unref (process);

  unix_test_loop_free (loop);
}

/* SP-06: a parent that ignores SIGPIPE does not pass that on: a child
 * writing to a pipe whose read side is closed dies of SIGPIPE (asyncio's
 * restore_signals=True), rather than looping on EPIPE.
 * CPython: test_events.py::test_subprocess_close_client_stream */
static void
test_child_sigpipe_restored (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *command = "sleep 0.2; while :; do echo x || exit 99; done";
  g_autoptr(GError) error = NULL;
  struct sigaction ignore = { 0 }, saved;
  GaioProcess *process;

  ignore.sa_handler = SIG_IGN;
  sigemptyset (&ignore.sa_mask);
  g_assert_cmpint (sigaction (SIGPIPE, &ignore, &saved), ==, 0);

  process = gaio_loop_subprocess_shell (loop, command, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_input_stream_close (gaio_process_get_stdout_pipe (process),
                                       NULL, NULL));
  g_assert_cmpint (wait_returncode (loop, process), ==, -SIGPIPE);

  g_assert_cmpint (sigaction (SIGPIPE, &saved, NULL), ==, 0);
  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-08: a child that exits before reading its input is no error, and
 * the parent (SIGPIPE at its default, deadly disposition) survives.
 * CPython: test_subprocess.py::test_stdin_broken_pipe,
 * ::test_communicate_ignore_broken_pipe */
static void
test_communicate_broken_pipe (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "true", NULL };
  g_autoptr(GError) error = NULL;
  gsize size = 4 * 1024 * 1024;
  g_autoptr(GBytes) input = g_bytes_new_take (g_malloc0 (size), size);
  struct sigaction current;
  GaioProcess *process;

  g_assert_cmpint (sigaction (SIGPIPE, NULL, &current), ==, 0);
  g_assert_true (current.sa_handler == SIG_DFL);

  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  communicate (loop, process, input, NULL, NULL);
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);

  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-08: empty input, /dev/null output, and output written just before
 * the exit is still read after the exit is seen.
 * CPython: test_subprocess.py::test_empty_input, ::test_devnull_output,
 * ::test_read_stdout_after_process_exit */
static void
test_communicate_edges (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *cat[] = { "cat", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) out = NULL;
  GaioProcess *process;
  int returncode;

  process = gaio_loop_subprocess_exec (loop, cat,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error);
  g_assert_no_error (error);
  communicate (loop, process, empty, &out, NULL);
  assert_bytes (out, "");
  g_object_unref (process);
  g_clear_pointer (&out, g_bytes_unref);

  process = gaio_loop_subprocess_shell (loop, "echo hidden", G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  out = GINT_TO_POINTER (1);
  communicate (loop, process, NULL, &out, NULL);
  g_assert_null (out);
  g_object_unref (process);

  process = gaio_loop_subprocess_shell (loop, "echo hello; exit 3", G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                        &error);
  g_assert_no_error (error);
  /* Let the exit be seen first. */
  g_assert_cmpint (wait_returncode (loop, process), ==, 3);
  communicate (loop, process, NULL, &out, NULL);
  assert_bytes (out, "hello\n");
  g_assert_true (gaio_process_get_returncode (process, &returncode));
  g_assert_cmpint (returncode, ==, 3);
  g_object_unref (process);

  unix_test_loop_free (loop);
}

/* communicate() refuses input without a stdin pipe, and a second
 * communicate() while one runs.
 * CPython: none (asyncio silently ignores the input) */
static void
test_communicate_misuse (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "cat", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("x", 1);
  g_autoptr(GaioFuture) first = NULL;
  g_autoptr(GaioFuture) second = NULL;
  g_autoptr(GaioFuture) refused = NULL;
  GaioProcess *process;

  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  refused = gaio_process_communicate (process, input);
  g_assert_true (gaio_future_is_done (refused));
  g_assert_false (gaio_process_communicate_get_output (refused, NULL, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  first = gaio_process_communicate (process, NULL);
  second = gaio_process_communicate (process, NULL);
  g_assert_false (gaio_process_communicate_get_output (second, NULL, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);

  g_assert_true (unix_test_run_until_done (loop, first, TIMEOUT_S));
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);
  g_clear_pointer (&first, gaio_future_unref);
  g_clear_pointer (&second, gaio_future_unref);
  g_clear_pointer (&refused, gaio_future_unref);
  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-09: cancelling a wait() does not break a later wait().
 * CPython: test_subprocess.py::test_cancel_process_wait */
static void
test_cancel_wait (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "sleep", "0.2", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GaioFuture) cancelled = NULL;
  GaioProcess *process;

  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  cancelled = gaio_process_wait (process);
  g_assert_true (gaio_future_cancel (cancelled, NULL));

  g_assert_cmpint (wait_returncode (loop, process), ==, 0);
  g_assert_true (gaio_future_is_cancelled (cancelled));

  g_clear_pointer (&cancelled, gaio_future_unref);
  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-09: cancelling communicate() stops it without touching the child;
 * once the child is killed and has exited, nothing is left of it (no
 * zombie: waitpid() finds no such child).
 * CPython: test_subprocess.py::test_cancel_post_init */
static void
test_cancel_communicate (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "sleep", "30", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GaioFuture) future = NULL;
  GaioProcess *process;
  GPid pid;

  process = gaio_loop_subprocess_exec (loop, argv,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error);
  g_assert_no_error (error);
  pid = gaio_process_get_pid (process);
  future = gaio_process_communicate (process, NULL);
  unix_test_iterate (loop, 3);
  g_assert_true (gaio_future_cancel (future, NULL));
  unix_test_iterate (loop, 3);
  g_assert_false (gaio_process_get_returncode (process, NULL));

  g_assert_true (gaio_process_kill (process, &error));
  g_assert_cmpint (wait_returncode (loop, process), ==, -SIGKILL);
  g_assert_cmpint (waitpid (pid, NULL, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);

  g_clear_pointer (&future, gaio_future_unref);
  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-10: a program that cannot be started fails the call with the spawn
 * error; nothing is left behind.
 * CPython: test_subprocess.py::test_popen_error, ::test_popen_error_with_stdin_pipe */
static void
test_spawn_error (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "/nonexistent/prog", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_null (gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);

  unix_test_loop_free (loop);
}

/* A closed loop refuses to spawn ("Event loop is closed"). */
static void
test_closed_loop (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "true", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_loop_close (loop, NULL));
  g_assert_null (gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_null (gaio_loop_subprocess_shell (loop, "true", G_SUBPROCESS_FLAGS_NONE, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);

  unix_test_loop_free (loop);
}

/* SP-11: the repr, running and after the exit.
 * CPython: test_subprocess.py::SubprocessTransportTests::test_subprocess_repr */
static void
test_repr (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *running = NULL;
  g_autofree char *running_expected = NULL;
  g_autofree char *exited = NULL;
  g_autofree char *exited_expected = NULL;
  GaioProcess *process = gaio_loop_subprocess_shell (loop, "exit 6", G_SUBPROCESS_FLAGS_NONE, &error);

  g_assert_no_error (error);
  running = gaio_process_to_string (process);
  running_expected = g_strdup_printf ("<GaioProcess pid=%d running>", (int) gaio_process_get_pid (process));
  g_assert_cmpstr (running, ==, running_expected);

  g_assert_cmpint (wait_returncode (loop, process), ==, 6);
  exited = gaio_process_to_string (process);
  exited_expected = g_strdup_printf ("<GaioProcess pid=%d returncode=6>", (int) gaio_process_get_pid (process));
  g_assert_cmpstr (exited, ==, exited_expected);

  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* LG-05: in debug mode a subprocess leaves asyncio's log trail; exec
 * logs argv[0] only, never the arguments.
 * CPython: base_events._log_subprocess, base_subprocess (Probe S1/S5) */
static void
test_debug_trail (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "echo", "s3cr3t", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *created = NULL;
  g_autofree char *info = NULL;
  g_autofree char *exited = NULL;
  g_autofree char *exited_info = NULL;
  GaioProcess *process;
  int pid;
  int i_run, i_created, i_info, i_exited, i_exited_info;

  gaio_loop_set_debug (loop, TRUE);
  unix_test_log_clear ();

  process = gaio_loop_subprocess_shell (loop, "exit 7", G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  pid = (int) gaio_process_get_pid (process);
  g_assert_cmpint (wait_returncode (loop, process), ==, 7);
  g_object_unref (process);

  created = g_strdup_printf ("process 'exit 7' created: pid %d", pid);
  info = g_strdup_printf ("run shell command 'exit 7' stdin=<devnull>: <GaioProcess pid=%d running>", pid);
  exited = g_strdup_printf ("process %d exited with returncode 7", pid);
  exited_info = g_strdup_printf ("<GaioProcess pid=%d running> exited with return code 7", pid);

  i_run = unix_test_log_find ("run shell command 'exit 7'");
  i_created = unix_test_log_find (created);
  i_info = unix_test_log_find (info);
  i_exited = unix_test_log_find (exited);
  i_exited_info = unix_test_log_find (exited_info);
  g_assert_cmpint (i_run, ==, 0);
  g_assert_cmpint (unix_test_log_level (i_run), ==, G_LOG_LEVEL_DEBUG);
  g_assert_cmpint (i_created, ==, 1);
  g_assert_cmpint (unix_test_log_level (i_created), ==, G_LOG_LEVEL_DEBUG);
  g_assert_cmpint (i_info, ==, 2);
  g_assert_cmpint (unix_test_log_level (i_info), ==, G_LOG_LEVEL_INFO);
  g_assert_cmpint (i_exited, ==, 3);
  g_assert_cmpint (unix_test_log_level (i_exited), ==, G_LOG_LEVEL_DEBUG);
  g_assert_cmpint (i_exited_info, ==, 4);
  g_assert_cmpint (unix_test_log_level (i_exited_info), ==, G_LOG_LEVEL_INFO);

  unix_test_log_clear ();
  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  communicate (loop, process, NULL, NULL, NULL);
  g_object_unref (process);
  g_assert_cmpint (unix_test_log_find ("execute program 'echo' stdin=<devnull> stdout=<pipe>"), ==, 0);
  g_assert_cmpint (unix_test_log_find ("s3cr3t"), ==, -1);

  unix_test_log_clear ();
  unix_test_loop_free (loop);
}

typedef struct
{
  GBytes   *bytes;
  GError   *error;
  gboolean  done;
} ReadResult;

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ReadResult *read = user_data;

  read->bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &read->error);
  read->done = TRUE;
}

/* Reads exactly @expected from @stream, asynchronously on the loop's
 * context, and checks it. */
static void
read_expecting (GaioLoop     *loop,
                GInputStream *stream,
                const char   *expected)
{
  g_autoptr(GString) got = g_string_new (NULL);

  while (got->len < strlen (expected))
    {
      ReadResult read = { 0 };

      g_input_stream_read_bytes_async (stream, strlen (expected) - got->len, G_PRIORITY_DEFAULT,
                                       NULL, read_done, &read);
      g_assert_true (unix_test_run_until (loop, &read.done, TIMEOUT_S));
      g_assert_no_error (read.error);
      g_assert_cmpuint (g_bytes_get_size (read.bytes), >, 0);
      g_string_append_len (got, g_bytes_get_data (read.bytes, NULL), g_bytes_get_size (read.bytes));
      g_bytes_unref (read.bytes);
    }
  g_assert_cmpstr (got->str, ==, expected);
}

/* SP-01: a child that answers every line it is given, talked to in
 * turns through its pipes while the loop runs; closing its stdin ends
 * it with 0.
 * CPython: test_events.py::test_subprocess_interactive */
static void
test_interactive (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *cat[] = { "cat", NULL };
  g_autoptr(GError) error = NULL;
  GaioProcess *process;
  GOutputStream *in;
  GInputStream *out;

  process = gaio_loop_subprocess_exec (loop, cat,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error);
  g_assert_no_error (error);
  in = gaio_process_get_stdin_pipe (process);
  out = gaio_process_get_stdout_pipe (process);

  g_assert_true (g_output_stream_write_all (in, "Python ", 7, NULL, NULL, &error));
  g_assert_no_error (error);
  read_expecting (loop, out, "Python ");
  g_assert_false (gaio_process_get_returncode (process, NULL));

  g_assert_true (g_output_stream_write_all (in, "The Winner", 10, NULL, NULL, &error));
  g_assert_no_error (error);
  read_expecting (loop, out, "The Winner");

  g_assert_true (g_output_stream_close (in, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);

  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-02: the environment given through a launcher is the child's.
 * CPython: test_subprocess.py::test_create_subprocess_env_exec,
 * ::test_create_subprocess_env_shell */
static void
test_env (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "/bin/sh", "-c", "echo \"$FRUIT\"", NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  GaioProcess *process;

  g_subprocess_launcher_setenv (launcher, "FRUIT", "apple", TRUE);
  process = gaio_loop_subprocess_exec_with_launcher (loop, launcher, argv, &error);
  g_assert_no_error (error);
  communicate (loop, process, NULL, &out, NULL);
  assert_bytes (out, "apple\n");
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);

  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-02: a child with no pipes reads /dev/null (it sees end-of-file at
 * once) and its standard error can be silenced.
 * CPython: test_subprocess.py::test_devnull_input, ::test_devnull_error */
static void
test_devnull (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *cat[] = { "cat", NULL };
  const char *ls[] = { "ls", "/nonexistent-gaio-test-path", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = GINT_TO_POINTER (1);
  GaioProcess *process;

  process = gaio_loop_subprocess_exec (loop, cat, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  communicate (loop, process, NULL, &out, NULL);
  assert_bytes (out, "");
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);
  g_object_unref (process);

  process = gaio_loop_subprocess_exec (loop, ls, G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  communicate (loop, process, NULL, NULL, &err);
  g_assert_null (err);
  g_assert_cmpint (wait_returncode (loop, process), !=, 0);
  g_object_unref (process);

  unix_test_loop_free (loop);
}

static void
new_session (gpointer user_data)
{
  setsid ();
}

/* The session id of @pid, from /proc, or -1. */
static long
session_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *after_comm;
  long session = -1;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return -1;
  /* "pid (comm) state ppid pgrp session ...": comm may hold spaces. */
  after_comm = strrchr (stat, ')');
  if (after_comm == NULL || sscanf (after_comm + 1, " %*c %*d %*d %ld", &session) != 1)
    return -1;

  return session;
}

/* SP-02: a child started in a session of its own (through a launcher's
 * child setup) is waited for and killed as any other: its return code
 * is minus the signal.
 * CPython: test_subprocess.py::test_start_new_session,
 * test_events.py::test_subprocess_wait_no_same_group */
static void
test_new_session (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *sleeper[] = { "sleep", "30", NULL };
  const char *exits[] = { "/bin/sh", "-c", "exit 7", NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  GaioProcess *process;
  gint64 deadline;

  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);

  process = gaio_loop_subprocess_exec_with_launcher (loop, launcher, exits, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, 7);
  g_object_unref (process);

  process = gaio_loop_subprocess_exec_with_launcher (loop, launcher, sleeper, &error);
  g_assert_no_error (error);
  /* setsid() runs in the child after fork(): wait for it to show. */
  deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;
  while (session_of (gaio_process_get_pid (process)) != gaio_process_get_pid (process))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_assert_true (gaio_process_kill (process, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, -SIGKILL);
  g_object_unref (process);

  unix_test_loop_free (loop);
}

/* SP-07: a process is made by gaio_loop_subprocess_exec() and the like;
 * one constructed without a subprocess (as a binding's constructor
 * would) is refused with a critical, not left with no child to wait for.
 * No CPython counterpart: asyncio's Process is not built by users. */
static void
test_construct_without_subprocess (void)
{
  if (g_test_subprocess ())
    {
      GaioLoop *loop = unix_test_loop_new ();
      GObject *process;

      g_test_expect_message ("Gaio", G_LOG_LEVEL_CRITICAL, "*G_IS_SUBPROCESS*");
      process = g_object_new (GAIO_TYPE_PROCESS, "loop", loop, NULL);
      g_test_assert_expected_messages ();
      g_object_unref (process);
      unix_test_loop_free (loop);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* SP-07 (text-mode arguments) does not apply: the API takes bytes and a
 * GStrv or a string by type. */

int
main (int    argc,
      char **argv)
{
  unix_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Subprocess/exec-communicate", test_exec_communicate);
  g_test_add_func ("/Gaio/Subprocess/shell", test_shell);
  g_test_add_func ("/Gaio/Subprocess/kill-terminate-signal", test_kill_terminate_signal);
  g_test_add_func ("/Gaio/Subprocess/signal-after-exit", test_signal_after_exit);
  g_test_add_func ("/Gaio/Subprocess/stderr", test_stderr);
  g_test_add_func ("/Gaio/Subprocess/child-sigpipe-restored", test_child_sigpipe_restored);
  g_test_add_func ("/Gaio/Subprocess/communicate-broken-pipe", test_communicate_broken_pipe);
  g_test_add_func ("/Gaio/Subprocess/communicate-edges", test_communicate_edges);
  g_test_add_func ("/Gaio/Subprocess/communicate-misuse", test_communicate_misuse);
  g_test_add_func ("/Gaio/Subprocess/cancel-wait", test_cancel_wait);
  g_test_add_func ("/Gaio/Subprocess/cancel-communicate", test_cancel_communicate);
  g_test_add_func ("/Gaio/Subprocess/spawn-error", test_spawn_error);
  g_test_add_func ("/Gaio/Subprocess/closed-loop", test_closed_loop);
  g_test_add_func ("/Gaio/Subprocess/repr", test_repr);
  g_test_add_func ("/Gaio/Subprocess/debug-trail", test_debug_trail);
  g_test_add_func ("/Gaio/Subprocess/interactive", test_interactive);
  g_test_add_func ("/Gaio/Subprocess/env", test_env);
  g_test_add_func ("/Gaio/Subprocess/devnull", test_devnull);
  g_test_add_func ("/Gaio/Subprocess/new-session", test_new_session);
  g_test_add_func ("/Gaio/Subprocess/construct-without-subprocess",
                   test_construct_without_subprocess);

  return g_test_run ();
}
