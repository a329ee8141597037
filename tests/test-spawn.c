/* test-spawn.c: the posix_spawn() path of gaio_loop_subprocess_exec()
 * and _shell() (asyncio-cases.md group SP: SP-12, SP-13, SP-14; LG-02)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Where glibc can close the child's descriptors in posix_spawn(), exec
 * and shell start the child without GSubprocess (lib/gaio-spawn.c):
 * these tests check that what GSubprocess did for the child still
 * holds. On a C library without that, every test here runs through
 * GSubprocess and must pass all the same, but for the SP-14 cases: a
 * child that outlives its loop is this path's own business (GLib's
 * worker thread reaps a GSubprocess child), and they skip.
 */

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

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

/* Runs a shell command line with @flags and returns what it printed on
 * stdout (a pipe), and its returncode in @returncode. */
static char *
shell_output (GaioLoop         *loop,
              const char       *command,
              GSubprocessFlags  flags,
              GBytes           *input,
              int              *returncode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GaioProcess) process = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GBytes) out = NULL;
  gsize size;
  const char *data;

  process = gaio_loop_subprocess_shell (loop, command, flags | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                        &error);
  g_assert_no_error (error);
  future = gaio_process_communicate (process, input);
  g_assert_true (unix_test_run_until_done (loop, future, TIMEOUT_S));
  g_assert_true (gaio_process_communicate_get_output (future, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_process_get_returncode (process, returncode));

  data = g_bytes_get_data (out, &size);
  return g_strndup (data, size);
}

/* SP-12: the pipes the flags ask for, and only those, are given by the
 * process's own getters, whichever way it was started.
 * CPython: test_subprocess.py::test_stdin_stdout (Process.stdin/stdout) */
static void
test_pipe_getters (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "cat", NULL };
  g_autoptr(GError) error = NULL;
  GaioProcess *process;

  process = gaio_loop_subprocess_exec (loop, argv,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_OUTPUT_STREAM (gaio_process_get_stdin_pipe (process)));
  g_assert_true (G_IS_INPUT_STREAM (gaio_process_get_stdout_pipe (process)));
  g_assert_null (gaio_process_get_stderr_pipe (process));
  if (gaio_process_get_subprocess (process) != NULL)
    g_assert_true (gaio_process_get_stdin_pipe (process) ==
                   g_subprocess_get_stdin_pipe (gaio_process_get_subprocess (process)));

  /* cat ends with its input. */
  g_assert_true (g_output_stream_close (gaio_process_get_stdin_pipe (process), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);

  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-12: the exit status comes back as given, 0 to 255.
 * CPython: test_events.py::test_subprocess_exitcode */
static void
test_exit_status (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const int statuses[] = { 0, 1, 7, 255 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *command = g_strdup_printf ("exit %d", statuses[i]);
      GaioProcess *process = gaio_loop_subprocess_shell (loop, command, G_SUBPROCESS_FLAGS_NONE,
                                                         &error);

      g_assert_no_error (error);
      g_assert_cmpint (wait_returncode (loop, process), ==, statuses[i]);
      g_object_unref (process);
    }

  unix_test_loop_free (loop);
}

/* SP-12: a child that kills itself with a signal reports minus it.
 * CPython: test_subprocess.py::test_kill (Popen.returncode convention) */
static void
test_killed_by_signal (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  GaioProcess *process = gaio_loop_subprocess_shell (loop, "kill -USR1 $$", G_SUBPROCESS_FLAGS_NONE,
                                                     &error);

  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, -SIGUSR1);
  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-12: the child's stdin is /dev/null unless piped or inherited:
 * reading it ends at once.
 * CPython: test_subprocess.py::test_devnull_input */
static void
test_stdin_devnull (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autofree char *out = NULL;
  int returncode;

  out = shell_output (loop, "wc -c", G_SUBPROCESS_FLAGS_NONE, NULL, &returncode);
  g_assert_cmpint (returncode, ==, 0);
  g_assert_cmpint (g_ascii_strtoll (out, NULL, 10), ==, 0);

  unix_test_loop_free (loop);
}

/* SP-12: with STDIN_INHERIT the child reads the parent's stdin: here a
 * file put on the parent's descriptor 0 for the test.
 * CPython: test_subprocess.py (stdin=None inherits) */
static void
test_stdin_inherit (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int saved_stdin = dup (0);
  int file_fd;
  int returncode;

  file_fd = g_file_open_tmp ("gaio-spawn-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (file_fd, "inherited", 9), ==, 9);
  g_assert_cmpint (lseek (file_fd, 0, SEEK_SET), ==, 0);
  g_assert_cmpint (dup2 (file_fd, 0), ==, 0);

  out = shell_output (loop, "cat", G_SUBPROCESS_FLAGS_STDIN_INHERIT, NULL, &returncode);

  g_assert_cmpint (dup2 (saved_stdin, 0), ==, 0);
  close (saved_stdin);
  close (file_fd);
  g_unlink (path);

  g_assert_cmpint (returncode, ==, 0);
  g_assert_cmpstr (out, ==, "inherited");
  unix_test_loop_free (loop);
}

/* SP-12: stdout and stderr: piped apart, stderr merged into stdout, or
 * silenced.
 * CPython: test_events.py::test_subprocess_stderr,
 * ::test_subprocess_stderr_redirect_to_stdout; test_subprocess.py
 * (stdout=DEVNULL) */
static void
test_output_streams (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *command = "echo out; echo err >&2";
  g_autoptr(GError) error = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autofree char *merged = NULL;
  g_autofree char *silenced = NULL;
  GaioProcess *process;
  int returncode;

  process = gaio_loop_subprocess_shell (loop, command,
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                        &error);
  g_assert_no_error (error);
  future = gaio_process_communicate (process, NULL);
  g_assert_true (unix_test_run_until_done (loop, future, TIMEOUT_S));
  g_assert_true (gaio_process_communicate_get_output (future, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "out\n", 4);
  g_assert_cmpmem (g_bytes_get_data (err, NULL), g_bytes_get_size (err), "err\n", 4);
  g_clear_pointer (&future, gaio_future_unref);
  g_object_unref (process);

  merged = shell_output (loop, command, G_SUBPROCESS_FLAGS_STDERR_MERGE, NULL, &returncode);
  g_assert_cmpstr (merged, ==, "out\nerr\n");

  silenced = shell_output (loop, "echo err >&2; echo out",
                           G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL, &returncode);
  g_assert_cmpstr (silenced, ==, "out\n");

  unix_test_loop_free (loop);
}

/* SP-12: the child gets no descriptor of the parent above 2, even one
 * without close-on-exec (asyncio's close_fds=True), unless
 * G_SUBPROCESS_FLAGS_INHERIT_FDS asks for them.
 * CPython: test_subprocess.py::test_close_fds (subprocess module) */
static void
test_descriptors_closed (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  int pipe_fds[2];
  g_autofree char *command = NULL;
  g_autofree char *closed = NULL;
  g_autofree char *inherited = NULL;
  int returncode;

  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  g_assert_cmpint (fcntl (pipe_fds[1], F_GETFD) & FD_CLOEXEC, ==, 0);
  command = g_strdup_printf ("if [ -e /proc/self/fd/%d ]; then echo open; else echo closed; fi",
                             pipe_fds[1]);

  closed = shell_output (loop, command, G_SUBPROCESS_FLAGS_NONE, NULL, &returncode);
  g_assert_cmpstr (closed, ==, "closed\n");
  inherited = shell_output (loop, command, G_SUBPROCESS_FLAGS_INHERIT_FDS, NULL, &returncode);
  g_assert_cmpstr (inherited, ==, "open\n");

  close (pipe_fds[0]);
  close (pipe_fds[1]);
  unix_test_loop_free (loop);
}

/* SP-12: the parent's stdin closed, a pipe the child gets lands on
 * descriptor 0 of the parent, and must still reach the child's stdin
 * and not be overwritten by another of its streams. GLib 2.74's own
 * fork() path loses it (the child reads a closed stdin): skipped when
 * the process was started through GSubprocess (under valgrind).
 * CPython: test_subprocess.py::test_stdin_none_closed_fds (the
 * subprocess module's handling of closed standard descriptors) */
static void
test_parent_stdio_closed (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "cat", NULL };
  g_autoptr(GBytes) input = g_bytes_new_static ("piped", 5);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  GaioProcess *process;
  int saved_stdin = dup (0);

  close (0);
  process = gaio_loop_subprocess_exec (loop, argv,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error);
  g_assert_cmpint (dup2 (saved_stdin, 0), ==, 0);
  close (saved_stdin);
  g_assert_no_error (error);

  future = gaio_process_communicate (process, input);
  g_assert_true (unix_test_run_until_done (loop, future, TIMEOUT_S));
  if (gaio_process_get_subprocess (process) != NULL)
    g_test_skip ("started through GSubprocess, which loses a pipe on descriptor 0");
  else
    {
      g_assert_true (gaio_process_communicate_get_output (future, &out, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "piped", 5);
      g_assert_cmpint (wait_returncode (loop, process), ==, 0);
    }

  g_clear_pointer (&future, gaio_future_unref);
  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-12: a program without a `/` is looked up in PATH; one that does not
 * exist fails with G_SPAWN_ERROR_NOENT, one that cannot be executed
 * with G_SPAWN_ERROR_ACCES, and no child is left behind.
 * CPython: test_subprocess.py::test_popen_error */
static void
test_path_and_errors (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *found[] = { "true", NULL };
  const char *missing[] = { "gaio-test-no-such-program", NULL };
  const char *not_executable[] = { "/dev/null", NULL };
  g_autoptr(GError) error = NULL;
  GaioProcess *process;

  process = gaio_loop_subprocess_exec (loop, found, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);
  g_object_unref (process);

  g_assert_null (gaio_loop_subprocess_exec (loop, missing, G_SUBPROCESS_FLAGS_NONE, &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  g_clear_error (&error);

  g_assert_null (gaio_loop_subprocess_exec (loop, not_executable, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                            &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_ACCES);

  unix_test_loop_free (loop);
}

/* Writes a script that exits with 3 as @dir/gaio-test-prog, with @mode. */
static void
write_exit_3 (const char *dir,
              int         mode)
{
  g_autofree char *path = g_build_filename (dir, "gaio-test-prog", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "#!/bin/sh\nexit 3\n", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* SP-12: execvp()'s PATH rule, which GSubprocess follows: a file found
 * but not executable is passed over for one in a later directory, and
 * fails with G_SPAWN_ERROR_ACCES only when no later one runs.
 * CPython: none (GLib's and execvp()'s behaviour, kept) */
static void
test_path_skips_not_executable (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "gaio-test-prog", NULL };
  g_autofree char *saved_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *denied = g_dir_make_tmp ("gaio-path-XXXXXX", NULL);
  g_autofree char *allowed = g_dir_make_tmp ("gaio-path-XXXXXX", NULL);
  g_autofree char *both = g_strjoin (":", denied, allowed, NULL);
  g_autoptr(GError) error = NULL;
  GaioProcess *process;

  write_exit_3 (denied, 0644);
  write_exit_3 (allowed, 0755);

  g_setenv ("PATH", both, TRUE);
  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, 3);
  g_object_unref (process);

  g_setenv ("PATH", denied, TRUE);
  g_assert_null (gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_ACCES);

  g_setenv ("PATH", saved_path, TRUE);
  unix_test_loop_free (loop);
  for (guint i = 0; i < 2; i++)
    {
      const char *dir = i == 0 ? denied : allowed;
      g_autofree char *path = g_build_filename (dir, "gaio-test-prog", NULL);

      g_unlink (path);
      g_rmdir (dir);
    }
}

/* SP-12: an executable file without `#!` runs with /bin/sh, as
 * GSubprocess (and execvp()) run it.
 * CPython: none (GLib's behaviour, kept) */
static void
test_script_without_interpreter (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GBytes) out = NULL;
  const char *argv[2] = { NULL, NULL };
  GaioProcess *process;
  int fd;

  fd = g_file_open_tmp ("gaio-spawn-script-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "echo script\n", 12), ==, 12);
  close (fd);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
  argv[0] = path;

  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  future = gaio_process_communicate (process, NULL);
  g_assert_true (unix_test_run_until_done (loop, future, TIMEOUT_S));
  g_assert_true (gaio_process_communicate_get_output (future, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "script\n", 7);
  g_assert_cmpint (wait_returncode (loop, process), ==, 0);

  g_clear_pointer (&future, gaio_future_unref);
  g_object_unref (process);
  g_unlink (path);
  unix_test_loop_free (loop);
}

/* SP-12: a signal sent before the exit reaches the child, also when the
 * child ignored nothing and blocked nothing: the parent's blocked
 * signals are not the child's.
 * CPython: test_subprocess.py::test_send_signal, and Popen's
 * restore_signals=True for the signal mask */
static void
test_signal_mask_not_inherited (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "sleep", "30", NULL };
  g_autoptr(GError) error = NULL;
  sigset_t blocked;
  sigset_t saved;
  GaioProcess *process;

  sigemptyset (&blocked);
  sigaddset (&blocked, SIGTERM);
  g_assert_cmpint (pthread_sigmask (SIG_BLOCK, &blocked, &saved), ==, 0);
  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_cmpint (pthread_sigmask (SIG_SETMASK, &saved, NULL), ==, 0);
  g_assert_no_error (error);

  g_assert_true (gaio_process_terminate (process, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_returncode (loop, process), ==, -SIGTERM);

  g_object_unref (process);
  unix_test_loop_free (loop);
}

#define N_CHILDREN 64

typedef struct
{
  guint    n_done;
  gboolean all_done;
  int      returncodes[N_CHILDREN];
} ManyRun;

typedef struct
{
  ManyRun *run;
  guint    index;
} ManyChild;

static void
many_child_exited (GaioFuture *future,
                   gpointer    user_data)
{
  ManyChild *child = user_data;

  child->run->returncodes[child->index] = (int) gaio_future_get_result_int64 (future, NULL);
  child->run->all_done = ++child->run->n_done == N_CHILDREN;
}

/* SP-13: many children running at once, exiting in any order: each
 * exit is seen once, with its own returncode.
 * CPython: test_subprocess.py::test_subprocess_concurrent_wait (many
 * waits at once) */
static void
test_many_children (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  GaioProcess *processes[N_CHILDREN];
  ManyChild children[N_CHILDREN];
  ManyRun run = { 0, };

  for (guint i = 0; i < N_CHILDREN; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GaioFuture) waited = NULL;
      g_autofree char *command = g_strdup_printf ("exit %u", i);

      processes[i] = gaio_loop_subprocess_shell (loop, command, G_SUBPROCESS_FLAGS_NONE, &error);
      g_assert_no_error (error);
      children[i].run = &run;
      children[i].index = i;
      run.returncodes[i] = -1000;
      waited = gaio_process_wait (processes[i]);
      gaio_future_add_done_callback (waited, many_child_exited, &children[i], NULL);
    }

  g_assert_true (unix_test_run_until (loop, &run.all_done, TIMEOUT_S));

  for (guint i = 0; i < N_CHILDREN; i++)
    {
      g_assert_cmpint (run.returncodes[i], ==, (int) i);
      g_object_unref (processes[i]);
    }
  unix_test_loop_free (loop);
}

/* SP-12: a process dropped before its exit is still reaped: its exit
 * is seen by the loop (the watch holds it), and no zombie remains.
 * CPython: test_subprocess.py::test_close_dont_kill_finished (the
 * transport reaps what it started) */
static void
test_dropped_process_reaped (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const char *argv[] = { "true", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *status_path = NULL;
  GaioProcess *process;
  GWeakRef weak;
  GPid pid;

  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  pid = gaio_process_get_pid (process);
  g_weak_ref_init (&weak, process);
  g_object_unref (process);

  /* The loop's context reaps it: iterate until the object goes. */
  for (guint i = 0; i < 2000; i++)
    {
      GaioProcess *alive = g_weak_ref_get (&weak);

      if (alive == NULL)
        break;
      g_object_unref (alive);
      g_main_context_iteration (gaio_loop_get_context (loop), FALSE);
      g_usleep (1000);
    }
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);

  status_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_assert_false (g_file_test (status_path, G_FILE_TEST_EXISTS));

  unix_test_loop_free (loop);
}

/* Whether @pid is a child of this process not reaped yet, running or a
 * zombie. Reaps nothing (WNOWAIT): ECHILD once someone reaped it. */
static gboolean
is_unreaped_child (GPid pid)
{
  siginfo_t info = { 0 };

  return waitid (P_PID, (id_t) pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* Waits up to @timeout_s for @pid to be reaped by someone else, without
 * iterating any context. */
static gboolean
wait_reaped (GPid    pid,
             gdouble timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (is_unreaped_child (pid))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }

  return TRUE;
}

/* Starts `@argv_0 @argument` on @loop, through posix_spawn(); NULL (and
 * the test skipped, the child killed and waited for, the loop freed)
 * where it went through GSubprocess (under valgrind): GLib's worker
 * thread reaps that child, and the process's wait, on the loop's
 * context, holds the process and the loop until that context runs. */
static GaioProcess *
spawn_or_skip (GaioLoop   *loop,
               const char *argv_0,
               const char *argument)
{
  const char *argv[] = { argv_0, argument, NULL };
  g_autoptr(GError) error = NULL;
  GaioProcess *process;

  process = gaio_loop_subprocess_exec (loop, argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  if (gaio_process_get_subprocess (process) == NULL)
    return process;

  g_assert_true (gaio_process_kill (process, &error));
  g_assert_no_error (error);
  wait_returncode (loop, process);
  g_object_unref (process);
  unix_test_loop_free (loop);
  g_test_skip ("started through GSubprocess: GLib's worker thread reaps it");

  return NULL;
}

/* Closes @loop, which is not running. */
static void
close_loop (GaioLoop *loop)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
}

/* SP-14: a child still running when its loop closes, its process
 * dropped, is reaped when it exits all the same, although nothing
 * iterates the loop's context again: no zombie is left for the life of
 * the program.
 * CPython: unix_events.py ThreadedChildWatcher._do_waitpid (the watcher
 * reaps the child whether or not its loop is closed, and only then looks
 * at the loop) */
static void
test_child_outlives_loop (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  GMainContext *context = g_main_context_ref (gaio_loop_get_context (loop));
  GaioProcess *process = spawn_or_skip (loop, "sleep", "0.2");
  GPid pid;

  if (process == NULL)
    {
      g_main_context_unref (context);
      return;
    }
  pid = gaio_process_get_pid (process);
  g_object_unref (process);
  close_loop (loop);

  /* Whatever still holds the loop, its context is never iterated again. */
  g_object_unref (loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  g_assert_true (wait_reaped (pid, TIMEOUT_S));
}

/* SP-14: a closed loop is not held by a child still running: the loop
 * lets go of the child's watch when it closes, and with it of the
 * dropped process, which held the loop.
 * CPython: none (asyncio's transport holds its loop until the watcher
 * thread lets go of it; here nothing is left waiting on the loop) */
static void
test_closed_loop_not_held (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  GaioProcess *process = spawn_or_skip (loop, "sleep", "0.2");
  GPid pid;

  if (process == NULL)
    return;
  pid = gaio_process_get_pid (process);
  g_object_unref (process);

  /* Closes the loop, and asserts it is finalized. */
  unix_test_loop_free (loop);

  g_assert_true (wait_reaped (pid, TIMEOUT_S));
}

/* LG-02: once it reaps a child whose loop was closed, the reaper warns
 * with asyncio's text and the closed loop's repr.
 * CPython: unix_events.py ThreadedChildWatcher._do_waitpid ("Loop %r
 * that handles pid %r is closed", WARNING) */
static void
test_closed_loop_warning (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  GaioProcess *process = spawn_or_skip (loop, "sleep", "0.2");
  g_autofree char *expected = NULL;
  GPid pid;
  int index;

  if (process == NULL)
    return;
  pid = gaio_process_get_pid (process);
  g_object_unref (process);
  unix_test_log_clear ();
  unix_test_loop_free (loop);
  g_assert_true (wait_reaped (pid, TIMEOUT_S));

  /* The reaper logs just after the reap. */
  expected = g_strdup_printf ("Loop <GaioLoop running=0 closed=1 debug=0> that handles pid %d is closed",
                              (int) pid);
  for (guint i = 0; i < 5000 && unix_test_log_find (expected) < 0; i++)
    g_usleep (1000);
  index = unix_test_log_find (expected);
  g_assert_cmpint (index, >=, 0);
  g_assert_cmpint (unix_test_log_level (index), ==, G_LOG_LEVEL_WARNING);
}

/* SP-14: after its loop closed, the child can still be killed through
 * its process, and is then reaped; the process's returncode stays
 * unknown, the loop never having seen the exit.
 * CPython: base_subprocess.py BaseSubprocessTransport.kill() (works
 * until the transport sees the exit, which a closed loop never
 * delivers: Process.returncode stays None) */
static void
test_kill_after_close (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  GaioProcess *process = spawn_or_skip (loop, "sleep", "30");
  g_autoptr(GError) error = NULL;

  if (process == NULL)
    return;
  close_loop (loop);

  g_assert_true (gaio_process_kill (process, &error));
  g_assert_no_error (error);
  g_assert_true (wait_reaped (gaio_process_get_pid (process), TIMEOUT_S));
  g_assert_false (gaio_process_get_returncode (process, NULL));

  g_object_unref (process);
  unix_test_loop_free (loop);
}

/* SP-11: a child that something else in the program reaped before its
 * loop closed is reported as asyncio's watcher reports it: unknown,
 * then handled by a closed loop; nothing is reaped in its place.
 * CPython: unix_events.py ThreadedChildWatcher._do_waitpid (the
 * ChildProcessError branch, then the closed loop's warning) */
static void
test_reaped_elsewhere_then_closed (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  GaioProcess *process = spawn_or_skip (loop, "true", NULL);
  g_autofree char *unknown = NULL;
  g_autofree char *closed = NULL;
  GPid pid;

  if (process == NULL)
    return;
  pid = gaio_process_get_pid (process);
  g_object_unref (process);

  /* The loop's context is not iterated: its watch never sees the exit. */
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
  unix_test_log_clear ();
  unix_test_loop_free (loop);

  unknown = g_strdup_printf ("Unknown child process pid %d, will report returncode 255",
                             (int) pid);
  closed = g_strdup_printf ("Loop <GaioLoop running=0 closed=1 debug=0> that handles pid %d is closed",
                            (int) pid);
  for (guint i = 0; i < 5000 && unix_test_log_find (closed) < 0; i++)
    g_usleep (1000);
  g_assert_cmpint (unix_test_log_find (unknown), ==, 0);
  g_assert_cmpint (unix_test_log_level (0), ==, G_LOG_LEVEL_WARNING);
  g_assert_cmpint (unix_test_log_find (closed), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  unix_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Spawn/pipe-getters", test_pipe_getters);
  g_test_add_func ("/Gaio/Spawn/exit-status", test_exit_status);
  g_test_add_func ("/Gaio/Spawn/killed-by-signal", test_killed_by_signal);
  g_test_add_func ("/Gaio/Spawn/stdin-devnull", test_stdin_devnull);
  g_test_add_func ("/Gaio/Spawn/stdin-inherit", test_stdin_inherit);
  g_test_add_func ("/Gaio/Spawn/output-streams", test_output_streams);
  g_test_add_func ("/Gaio/Spawn/descriptors-closed", test_descriptors_closed);
  g_test_add_func ("/Gaio/Spawn/parent-stdio-closed", test_parent_stdio_closed);
  g_test_add_func ("/Gaio/Spawn/path-and-errors", test_path_and_errors);
  g_test_add_func ("/Gaio/Spawn/path-skips-not-executable", test_path_skips_not_executable);
  g_test_add_func ("/Gaio/Spawn/script-without-interpreter", test_script_without_interpreter);
  g_test_add_func ("/Gaio/Spawn/signal-mask-not-inherited", test_signal_mask_not_inherited);
  g_test_add_func ("/Gaio/Spawn/many-children", test_many_children);
  g_test_add_func ("/Gaio/Spawn/dropped-process-reaped", test_dropped_process_reaped);
  g_test_add_func ("/Gaio/Spawn/child-outlives-loop", test_child_outlives_loop);
  g_test_add_func ("/Gaio/Spawn/closed-loop-not-held", test_closed_loop_not_held);
  g_test_add_func ("/Gaio/Spawn/closed-loop-warning", test_closed_loop_warning);
  g_test_add_func ("/Gaio/Spawn/kill-after-close", test_kill_after_close);
  g_test_add_func ("/Gaio/Spawn/reaped-elsewhere-then-closed", test_reaped_elsewhere_then_closed);

  return g_test_run ();
}
