/* gaio-subprocess.c: a child process driven from a loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's asyncio.subprocess.Process. A process is started one of two
 * ways:
 *
 *  - gaio_loop_subprocess_exec() and _shell() start it without fork(), on
 *    a CLONE_VFORK clone or with posix_spawn() (gaio-spawn.c, which says
 *    why GSubprocess would fork()), and watch its exit with a GLib child
 *    watch on the loop's own context: GLib polls a pidfd there and reaps
 *    the child in that iteration, with no thread hop. Signals go through a pidfd of our own, which names this
 *    child even after its pid is reused. There is no GSubprocess then:
 *    the pipes are GUnix streams over the descriptors gaio-spawn.c made.
 *    Such a child outlives its loop: the loop keeps a list of its
 *    children whose exit it has not seen, and its close hands each to a
 *    reaper thread (gaio-orphan.c), as asyncio's child watcher reaps a
 *    child whatever became of its loop. From then on the child is the
 *    orphan's: its returncode stays unknown, as asyncio's does, and
 *    signals go through the orphan, which never sends one after the
 *    reap. Nothing else reaches the loop's context for the child then,
 *    so a closed loop is no longer held by its running children.
 *  - _exec_with_launcher(), and anything gaio-spawn.c cannot do, go
 *    through GSubprocess: GLib reaps the child from its worker thread and
 *    sends signals through that same thread.
 *
 * What this file adds is asyncio's contract on the loop: one exit watch
 * per process, started at spawn and completed on the loop's context,
 * which sets the returncode (a negative signal number when the child was
 * killed by a signal) and completes every future gaio_process_wait()
 * handed out; signalling fails with GAIO_ERROR_PROCESS_LOOKUP once the
 * exit is known (SP-04); and, in debug mode, asyncio's log trail of a
 * subprocess (LG-05). communicate() is in gaio-subprocess-communicate.c.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "gaio-log-private.h"
#include "gaio-loop-private.h"
#include "gaio-orphan-private.h"
#include "gaio-spawn-private.h"
#include "gaio-subprocess-private.h"

struct _GaioProcess
{
  GObject      parent_instance;

  GaioLoop    *loop;          /* (owned) */
  GSubprocess *subprocess;    /* (owned) (nullable) NULL when spawned by gaio-spawn.c */
  GPid         pid;
  int          pidfd;         /* (owned) without @subprocess, or -1 */

  /* Without @subprocess, until the exit is seen or the loop closes: the
   * child watch on the loop's context, which holds the process, and the
   * process's link in the loop's list of running children. */
  GSource     *watch;         /* (owned) (nullable) */
  GList        running_link;
  GaioOrphan  *orphan;        /* (owned) (nullable) once the loop closed first */

  /* The parent's ends of the pipes, or NULL: @subprocess's, or made
   * from gaio-spawn.c's descriptors. */
  GOutputStream *stdin_pipe;  /* (owned) (nullable) */
  GInputStream  *stdout_pipe; /* (owned) (nullable) */
  GInputStream  *stderr_pipe; /* (owned) (nullable) */

  /* Loop thread only. */
  gboolean     exited;
  int          returncode;
  gboolean     communicating; /* communicate() owns the pipes */
  GPtrArray   *waiters;       /* (owned) (element-type GaioFuture) until the exit */
};

enum {
  PROP_0,
  PROP_LOOP,
  PROP_SUBPROCESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * GaioProcess:
 *
 * A child process driven from a [class@Gaio.Loop]: asyncio's
 * `asyncio.subprocess.Process`.
 *
 * Create one with [method@Gaio.Loop.subprocess_exec] or
 * [method@Gaio.Loop.subprocess_shell]. [method@Gaio.Process.wait] and
 * [method@Gaio.Process.communicate] return futures of the process's loop;
 * [method@Gaio.Process.send_signal], [method@Gaio.Process.terminate] and
 * [method@Gaio.Process.kill] signal it. The returncode follows asyncio:
 * the exit status, or minus the signal number for a child killed by a
 * signal.
 *
 * The child is reaped by the loop's context (or, for a process started
 * through a #GSubprocessLauncher, by GLib's worker thread) as soon as it
 * exits and that context runs, even if every future is cancelled and the
 * object is dropped early. The object itself stays alive until the loop
 * has seen the exit. A child still running when the loop closes is
 * reaped by a thread of its own once it exits, as asyncio's child
 * watcher does: the loop never sees that exit, so the returncode stays
 * unknown, but signals still reach the child until it is reaped, and
 * never reach another process after.
 *
 * Used from the loop's thread.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioProcess, gaio_process, G_TYPE_OBJECT)

static void
gaio_process_finalize (GObject *object)
{
  GaioProcess *process = GAIO_PROCESS (object);

  g_clear_pointer (&process->waiters, g_ptr_array_unref);
  g_clear_object (&process->stdin_pipe);
  g_clear_object (&process->stdout_pipe);
  g_clear_object (&process->stderr_pipe);
  g_clear_pointer (&process->orphan, _gaio_orphan_unref);
  if (process->pidfd >= 0)
    g_close (process->pidfd, NULL);
  g_clear_object (&process->subprocess);
  g_clear_object (&process->loop);

  G_OBJECT_CLASS (gaio_process_parent_class)->finalize (object);
}

static void
gaio_process_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GaioProcess *process = GAIO_PROCESS (object);

  switch (prop_id)
    {
    case PROP_LOOP:
      g_value_set_object (value, process->loop);
      break;
    case PROP_SUBPROCESS:
      g_value_set_object (value, process->subprocess);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_process_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GaioProcess *process = GAIO_PROCESS (object);

  switch (prop_id)
    {
    case PROP_LOOP:
      process->loop = g_value_dup_object (value);
      break;
    case PROP_SUBPROCESS:
      process->subprocess = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void watch_exit (GaioProcess *process);

/* Set on this thread while process_new_spawned() constructs a process
 * without a GSubprocess, which it then sets up itself: any other
 * construction must name a subprocess. */
static __thread gboolean constructing_spawned;

static void
gaio_process_constructed (GObject *object)
{
  GaioProcess *process = GAIO_PROCESS (object);
  const char *identifier;

  G_OBJECT_CLASS (gaio_process_parent_class)->constructed (object);

  g_return_if_fail (GAIO_IS_LOOP (process->loop));

  /* Without a subprocess, process_new_spawned() sets the process up. */
  if (constructing_spawned)
    return;
  g_return_if_fail (G_IS_SUBPROCESS (process->subprocess));

  identifier = g_subprocess_get_identifier (process->subprocess);
  process->pid = identifier != NULL ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;
  g_set_object (&process->stdin_pipe, g_subprocess_get_stdin_pipe (process->subprocess));
  g_set_object (&process->stdout_pipe, g_subprocess_get_stdout_pipe (process->subprocess));
  g_set_object (&process->stderr_pipe, g_subprocess_get_stderr_pipe (process->subprocess));
  watch_exit (process);
}

static void
gaio_process_class_init (GaioProcessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gaio_process_constructed;
  object_class->finalize = gaio_process_finalize;
  object_class->get_property = gaio_process_get_property;
  object_class->set_property = gaio_process_set_property;

  /**
   * GaioProcess:loop:
   *
   * The loop whose context sees the exit and completes the futures.
   *
   * Since: 1.0
   */
  properties[PROP_LOOP] =
    g_param_spec_object ("loop", NULL, NULL,
                         GAIO_TYPE_LOOP,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioProcess:subprocess:
   *
   * The running #GSubprocess the process drives, if it was started
   * through one: only [method@Gaio.Loop.subprocess_exec_with_launcher]
   * guarantees it. [method@Gaio.Loop.subprocess_exec] and
   * [method@Gaio.Loop.subprocess_shell] start the child without
   * `fork()` and without a #GSubprocess (on a `CLONE_VFORK` clone, as
   * `posix_spawn()` does) where the system can close the child's
   * descriptors that way; use [method@Gaio.Process.get_stdin_pipe] and
   * the others for the pipes.
   *
   * Since: 1.0
   */
  properties[PROP_SUBPROCESS] =
    g_param_spec_object ("subprocess", NULL, NULL,
                         G_TYPE_SUBPROCESS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gaio_process_init (GaioProcess *process)
{
  process->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  process->pidfd = -1;
}

/**
 * gaio_process_to_string:
 * @process: a #GaioProcess
 *
 * A description in the form of asyncio's transport repr:
 * `<GaioProcess pid=42 running>`, `<GaioProcess pid=42 returncode=-9>`.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
gaio_process_to_string (GaioProcess *process)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), NULL);

  if (process->exited)
    return g_strdup_printf ("<GaioProcess pid=%d returncode=%d>", (int) process->pid,
                            process->returncode);

  return g_strdup_printf ("<GaioProcess pid=%d running>", (int) process->pid);
}

static int
returncode_of (GSubprocess *subprocess)
{
  /* asyncio's convention (Popen.returncode): -N for a child killed by
   * signal N. */
  if (g_subprocess_get_if_signaled (subprocess))
    return -g_subprocess_get_term_sig (subprocess);

  return g_subprocess_get_exit_status (subprocess);
}

static void
log_exit (GaioProcess *process)
{
  g_autofree char *repr = NULL;

  if (!gaio_loop_get_debug (process->loop))
    return;

  _gaio_log (G_LOG_LEVEL_DEBUG, "process %d exited with returncode %d",
             (int) process->pid, process->returncode);
  /* asyncio takes the repr before the returncode is stored: this runs
   * before `exited` is set, so it reads "running". */
  repr = gaio_process_to_string (process);
  _gaio_log (G_LOG_LEVEL_INFO, "%s exited with return code %d", repr, process->returncode);
}

static void
set_exited (GaioProcess *process,
            int          returncode)
{
  g_autoptr(GPtrArray) waiters = NULL;

  process->returncode = returncode;
  log_exit (process);
  process->exited = TRUE;

  waiters = g_steal_pointer (&process->waiters);
  for (guint i = 0; i < waiters->len; i++)
    {
      GaioFuture *future = g_ptr_array_index (waiters, i);

      /* A waiter may have been cancelled (SP-09): that is its own
       * business, the others still get the returncode. */
      if (!gaio_future_is_done (future))
        gaio_future_set_result_int64 (future, process->returncode, NULL);
    }
}

static void
on_exited (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GaioProcess) process = user_data;

  /* No cancellable was given: the wait only ends with the exit. */
  g_subprocess_wait_finish (process->subprocess, result, NULL);
  set_exited (process, returncode_of (process->subprocess));
}

/* The loop's children spawned without GSubprocess whose exit it has not
 * seen (element-type GaioProcess), by their running_link: each holds the
 * loop, so the list is empty when the loop goes. Loop thread only. */
static GQuark
running_children_quark (void)
{
  return g_quark_from_static_string ("gaio-process-running-children");
}

static GQueue *
running_children (GaioLoop *loop)
{
  GQueue *children = g_object_get_qdata (G_OBJECT (loop), running_children_quark ());

  if (children == NULL)
    {
      children = g_queue_new ();
      g_object_set_qdata_full (G_OBJECT (loop), running_children_quark (), children,
                               (GDestroyNotify) g_queue_free);
    }

  return children;
}

/* The child watch of a child spawned without GSubprocess: @status is
 * the wait status, on the loop's thread. */
static void
on_child_exited (GPid     pid,
                 int      status,
                 gpointer user_data)
{
  GaioProcess *process = user_data;

  /* GLib removes the watch after this: the context drops its own
   * reference, which holds the process until then. */
  g_queue_unlink (running_children (process->loop), &process->running_link);
  g_clear_pointer (&process->watch, g_source_unref);

  /* The pid may be reused from now on: signals go no further. */
  if (process->pidfd >= 0)
    {
      g_close (process->pidfd, NULL);
      process->pidfd = -1;
    }
  set_exited (process, WIFSIGNALED (status) ? -WTERMSIG (status) : WEXITSTATUS (status));
}

/* Starts the one exit watch. GIO completes it on the context that is the
 * thread-default one when it starts: make that the loop's. */
static void
watch_exit (GaioProcess *process)
{
  GMainContext *context = gaio_loop_get_context (process->loop);

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (process->subprocess, NULL, on_exited, g_object_ref (process));
  g_main_context_pop_thread_default (context);
}

static gboolean
must_reset_child_signals (void)
{
  static const int reset[] = { SIGPIPE, SIGXFSZ };
  sigset_t blocked;

  /* Dispositions set to SIG_IGN and the signal mask survive exec():
   * Python's Popen(restore_signals=True), which asyncio relies on, resets
   * SIGPIPE and SIGXFSZ, so that a child writing to a closed pipe dies of
   * it instead of failing with EPIPE (SP-06). Only then is a child_setup
   * needed, which makes GLib fork() instead of posix_spawn(): pay that
   * only when the parent changed something. */
  for (guint i = 0; i < G_N_ELEMENTS (reset); i++)
    {
      struct sigaction current;

      if (sigaction (reset[i], NULL, &current) == 0 &&
          !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN)
        return TRUE;
    }

  if (pthread_sigmask (SIG_BLOCK, NULL, &blocked) == 0)
    for (int signum = 1; signum < NSIG; signum++)
      if (sigismember (&blocked, signum) == 1)
        return TRUE;

  return FALSE;
}

/* Runs in the child between fork() and exec(): async-signal-safe calls
 * only. */
static void
reset_child_signals (gpointer user_data)
{
  struct sigaction dfl = { 0 };
  sigset_t none;

  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  sigaction (SIGPIPE, &dfl, NULL);
  sigaction (SIGXFSZ, &dfl, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static void
append_pipe (GString    *text,
             const char *name,
             const char *what)
{
  g_string_append_printf (text, " %s=%s", name, what);
}

/* asyncio's base_events._log_subprocess(). */
static char *
describe_spawn (const char       *what,
                const char       *program,
                GSubprocessFlags  flags)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%s '%s'", what, program);
  if (flags & G_SUBPROCESS_FLAGS_STDIN_PIPE)
    append_pipe (text, "stdin", "<pipe>");
  else if (flags & G_SUBPROCESS_FLAGS_STDIN_INHERIT)
    ;
  else
    append_pipe (text, "stdin", "<devnull>");

  if ((flags & G_SUBPROCESS_FLAGS_STDERR_MERGE) && (flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE))
    append_pipe (text, "stdout=stderr", "<pipe>");
  else
    {
      if (flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE)
        append_pipe (text, "stdout", "<pipe>");
      else if (flags & G_SUBPROCESS_FLAGS_STDOUT_SILENCE)
        append_pipe (text, "stdout", "<devnull>");
      if (flags & G_SUBPROCESS_FLAGS_STDERR_PIPE)
        append_pipe (text, "stderr", "<pipe>");
      else if (flags & G_SUBPROCESS_FLAGS_STDERR_SILENCE)
        append_pipe (text, "stderr", "<devnull>");
      else if (flags & G_SUBPROCESS_FLAGS_STDERR_MERGE)
        append_pipe (text, "stderr", "<stdout>");
    }

  return g_string_free (text, FALSE);
}

static GSubprocessLauncher *new_launcher (GSubprocessFlags flags);

/* The loop closes before the child's exit: the watch would never be
 * dispatched again, so a reaper thread takes over the child, with the
 * right to signal it. The watch goes last: its destroy notify may drop
 * the last reference on the process. */
static void
orphan_child (GaioProcess *process)
{
  g_autofree char *closed_loop = _gaio_loop_to_string (process->loop);
  GSource *watch = g_steal_pointer (&process->watch);

  g_queue_unlink (running_children (process->loop), &process->running_link);
  if (process->pidfd >= 0)
    {
      g_close (process->pidfd, NULL);
      process->pidfd = -1;
    }
  process->orphan = _gaio_orphan_adopt (process->pid, closed_loop,
                                        gaio_loop_get_debug (process->loop));

  g_source_destroy (watch);
  g_source_unref (watch);
}

/* The loop's close hook (GAIO_LOOP_CLOSE_RELEASE): every child watch on
 * its context lets go of the loop. */
static void
orphan_running_children (GaioLoop *loop,
                         gpointer  data)
{
  GQueue *children = running_children (loop);

  while (!g_queue_is_empty (children))
    orphan_child (g_queue_peek_head (children));
}

/* Takes @spawned's descriptors. */
static GaioProcess *
process_new_spawned (GaioLoop          *loop,
                     const GaioSpawned *spawned)
{
  GaioProcess *process;

  constructing_spawned = TRUE;
  process = g_object_new (GAIO_TYPE_PROCESS, "loop", loop, NULL);
  constructing_spawned = FALSE;
  process->pid = spawned->pid;
  process->pidfd = spawned->pidfd;
  if (spawned->stdin_fd >= 0)
    process->stdin_pipe = g_unix_output_stream_new (spawned->stdin_fd, TRUE);
  if (spawned->stdout_fd >= 0)
    process->stdout_pipe = g_unix_input_stream_new (spawned->stdout_fd, TRUE);
  if (spawned->stderr_fd >= 0)
    process->stderr_pipe = g_unix_input_stream_new (spawned->stderr_fd, TRUE);

  /* The watch holds the process until the exit, as GSubprocess's wait
   * does on the other path, or until the loop closes. */
  process->watch = g_child_watch_source_new (spawned->pid);
  g_source_set_callback (process->watch, G_SOURCE_FUNC (on_child_exited), g_object_ref (process),
                         g_object_unref);
  g_source_set_static_name (process->watch, "GaioProcess exit");
  g_source_attach (process->watch, gaio_loop_get_context (loop));
  process->running_link.data = process;
  g_queue_push_tail_link (running_children (loop), &process->running_link);
  _gaio_loop_add_close_hook (loop, GAIO_LOOP_CLOSE_RELEASE, orphan_running_children, NULL);

  return process;
}

/* Starts the child through gaio-spawn.c (no fork()) when @launcher is
 * NULL and gaio-spawn.c can, otherwise through GSubprocess (with
 * @launcher, or a new one for @flags). */
static GaioProcess *
spawn (GaioLoop             *loop,
       GSubprocessLauncher  *launcher,
       GSubprocessFlags      flags,
       const char * const   *argv,
       const char           *program,
       char                 *debug_log,   /* (transfer full) (nullable) */
       GError              **error)
{
  g_autoptr(GSubprocessLauncher) own_launcher = NULL;
  GaioProcess *process = NULL;
  g_autofree char *repr = NULL;

  if (debug_log != NULL)
    _gaio_log (G_LOG_LEVEL_DEBUG, "%s", debug_log);

  if (launcher == NULL)
    {
      GaioSpawned spawned;

      switch (_gaio_spawn (argv, flags, NULL, &spawned, error))
        {
        case GAIO_SPAWN_OK:
          process = process_new_spawned (loop, &spawned);
          break;
        case GAIO_SPAWN_FAILED:
          g_free (debug_log);
          return NULL;
        case GAIO_SPAWN_UNSUPPORTED:
        default:
          launcher = own_launcher = new_launcher (flags);
        }
    }

  if (process == NULL)
    {
      GSubprocess *subprocess = g_subprocess_launcher_spawnv (launcher, argv, error);

      if (subprocess == NULL)
        {
          g_free (debug_log);
          return NULL;
        }
      process = g_object_new (GAIO_TYPE_PROCESS, "loop", loop, "subprocess", subprocess, NULL);
      g_object_unref (subprocess);
    }

  if (debug_log != NULL)
    {
      repr = gaio_process_to_string (process);
      _gaio_log (G_LOG_LEVEL_DEBUG, "process '%s' created: pid %d", program, (int) process->pid);
      _gaio_log (G_LOG_LEVEL_INFO, "%s: %s", debug_log, repr);
      g_free (debug_log);
    }

  return process;
}

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  if (must_reset_child_signals ())
    g_subprocess_launcher_set_child_setup (launcher, reset_child_signals, NULL, NULL);

  return launcher;
}

static gboolean
refuse_closed (GaioLoop  *loop,
               GError   **error)
{
  if (!gaio_loop_is_closed (loop))
    return FALSE;

  g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_CLOSED, "Event loop is closed");
  return TRUE;
}

/**
 * gaio_loop_subprocess_exec:
 * @loop: a #GaioLoop
 * @argv: (array zero-terminated=1) (element-type filename): the program
 *   and its arguments; a program without a `/` is looked up in `PATH`
 * @flags: where the child's standard streams go
 * @error: return location for a #GError
 *
 * Starts a child process (asyncio's `loop.subprocess_exec` and
 * `asyncio.create_subprocess_exec`). The streams are given as
 * #GSubprocessFlags, which map onto asyncio's arguments:
 *
 * - `PIPE`: %G_SUBPROCESS_FLAGS_STDIN_PIPE, %G_SUBPROCESS_FLAGS_STDOUT_PIPE,
 *   %G_SUBPROCESS_FLAGS_STDERR_PIPE;
 * - `DEVNULL`: %G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
 *   %G_SUBPROCESS_FLAGS_STDERR_SILENCE, and no stdin flag at all (GLib's
 *   default for stdin is `/dev/null`);
 * - `None` (inherit): %G_SUBPROCESS_FLAGS_STDIN_INHERIT for stdin, and no
 *   flag for stdout and stderr;
 * - `stderr=STDOUT`: %G_SUBPROCESS_FLAGS_STDERR_MERGE.
 *
 * Spawning itself is synchronous, as it is in asyncio (which only awaits
 * the pipes' connection). The child starts with the default disposition
 * for SIGPIPE and SIGXFSZ and an empty signal mask, as with Python's
 * `restore_signals=True`. In debug mode the spawn and the exit are
 * logged as asyncio logs them; only argv[0] is logged, never the
 * arguments, which may hold secrets.
 *
 * Where the system can close the child's descriptors without `fork()`
 * (Linux with `close_range()`, or glibc 2.34's `posix_spawn()`), the
 * child is started on a `CLONE_VFORK` clone, as `posix_spawn()` does,
 * without a #GSubprocess (under valgrind, #GSubprocess is used):
 * [method@Gaio.Process.get_subprocess] returns %NULL, and the pipes are
 * reached with [method@Gaio.Process.get_stdin_pipe] and the others.
 * Everything else is as #GSubprocess does it: the program is looked up
 * in the parent's `PATH`, every descriptor above 2 is closed in the
 * child, and a file without `#!` that the kernel cannot execute is run
 * with `/bin/sh` (through #GSubprocess). Use
 * [method@Gaio.Loop.subprocess_exec_with_launcher] for a #GSubprocess.
 *
 * Loop thread only.
 *
 * Returns: (transfer full): the process, or %NULL with @error set: the
 *   #GSpawnError of a program that cannot be started (e.g.
 *   %G_SPAWN_ERROR_NOENT), or %GAIO_ERROR_CLOSED
 *
 * Since: 1.0
 */
GaioProcess *
gaio_loop_subprocess_exec (GaioLoop            *loop,
                           const char * const  *argv,
                           GSubprocessFlags     flags,
                           GError             **error)
{
  char *debug_log = NULL;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL && argv[0][0] != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (refuse_closed (loop, error))
    return NULL;

  if (gaio_loop_get_debug (loop))
    debug_log = describe_spawn ("execute program", argv[0], flags);

  return spawn (loop, NULL, flags, argv, argv[0], debug_log, error);
}

/**
 * gaio_loop_subprocess_exec_with_launcher:
 * @loop: a #GaioLoop
 * @launcher: the launcher, with the flags, environment, working directory
 *   and descriptors for the child
 * @argv: (array zero-terminated=1) (element-type filename): the program
 *   and its arguments
 * @error: return location for a #GError
 *
 * Like [method@Gaio.Loop.subprocess_exec], with everything a
 * #GSubprocessLauncher can set (asyncio's `cwd=`, `env=`, `pass_fds=`...).
 * The launcher's child setup function, if any, is kept as it is: the
 * signal dispositions of the child are then the caller's business.
 *
 * Returns: (transfer full): the process, or %NULL with @error set
 *
 * Since: 1.0
 */
GaioProcess *
gaio_loop_subprocess_exec_with_launcher (GaioLoop             *loop,
                                         GSubprocessLauncher  *launcher,
                                         const char * const   *argv,
                                         GError              **error)
{
  char *debug_log = NULL;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (G_IS_SUBPROCESS_LAUNCHER (launcher), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL && argv[0][0] != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (refuse_closed (loop, error))
    return NULL;

  if (gaio_loop_get_debug (loop))
    debug_log = g_strdup_printf ("execute program '%s'", argv[0]);

  return spawn (loop, launcher, 0, argv, argv[0], debug_log, error);
}

/**
 * gaio_loop_subprocess_shell:
 * @loop: a #GaioLoop
 * @command: (type filename): a shell command line, run with `/bin/sh -c`
 * @flags: where the child's standard streams go, as for
 *   [method@Gaio.Loop.subprocess_exec]
 * @error: return location for a #GError
 *
 * Starts `/bin/sh -c @command` (asyncio's `loop.subprocess_shell` and
 * `asyncio.create_subprocess_shell`). The caller quotes what needs
 * quoting (g_shell_quote()). In debug mode the whole command is logged.
 *
 * Returns: (transfer full): the process, or %NULL with @error set
 *
 * Since: 1.0
 */
GaioProcess *
gaio_loop_subprocess_shell (GaioLoop          *loop,
                            const char        *command,
                            GSubprocessFlags   flags,
                            GError           **error)
{
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  char *debug_log = NULL;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (command != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (refuse_closed (loop, error))
    return NULL;

  if (gaio_loop_get_debug (loop))
    debug_log = describe_spawn ("run shell command", command, flags);

  return spawn (loop, NULL, flags, argv, command, debug_log, error);
}

/**
 * gaio_process_get_loop:
 * @process: a #GaioProcess
 *
 * Gets the loop the process reports to.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 1.0
 */
GaioLoop *
gaio_process_get_loop (GaioProcess *process)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), NULL);

  return process->loop;
}

/**
 * gaio_process_get_subprocess:
 * @process: a #GaioProcess
 *
 * Gets the #GSubprocess the process was started with: always one for
 * [method@Gaio.Loop.subprocess_exec_with_launcher], usually none for
 * [method@Gaio.Loop.subprocess_exec] and
 * [method@Gaio.Loop.subprocess_shell], which start the child without
 * `fork()` (on a `CLONE_VFORK` clone) where they can. For the pipes, use
 * [method@Gaio.Process.get_stdin_pipe] and the others, which work
 * either way.
 *
 * Returns: (transfer none) (nullable): the subprocess, or %NULL
 *
 * Since: 1.0
 */
GSubprocess *
gaio_process_get_subprocess (GaioProcess *process)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), NULL);

  return process->subprocess;
}

/**
 * gaio_process_get_stdin_pipe:
 * @process: a #GaioProcess
 *
 * The parent's end of the child's stdin pipe (asyncio's
 * `Process.stdin`), as g_subprocess_get_stdin_pipe() gives it: only if
 * the process was started with %G_SUBPROCESS_FLAGS_STDIN_PIPE. Not to be
 * used while [method@Gaio.Process.communicate] runs.
 *
 * Returns: (transfer none) (nullable): the stream, or %NULL
 *
 * Since: 1.0
 */
GOutputStream *
gaio_process_get_stdin_pipe (GaioProcess *process)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), NULL);

  return process->stdin_pipe;
}

/**
 * gaio_process_get_stdout_pipe:
 * @process: a #GaioProcess
 *
 * The parent's end of the child's stdout pipe (asyncio's
 * `Process.stdout`): only with %G_SUBPROCESS_FLAGS_STDOUT_PIPE.
 *
 * Returns: (transfer none) (nullable): the stream, or %NULL
 *
 * Since: 1.0
 */
GInputStream *
gaio_process_get_stdout_pipe (GaioProcess *process)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), NULL);

  return process->stdout_pipe;
}

/**
 * gaio_process_get_stderr_pipe:
 * @process: a #GaioProcess
 *
 * The parent's end of the child's stderr pipe (asyncio's
 * `Process.stderr`): only with %G_SUBPROCESS_FLAGS_STDERR_PIPE.
 *
 * Returns: (transfer none) (nullable): the stream, or %NULL
 *
 * Since: 1.0
 */
GInputStream *
gaio_process_get_stderr_pipe (GaioProcess *process)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), NULL);

  return process->stderr_pipe;
}

/**
 * gaio_process_get_pid:
 * @process: a #GaioProcess
 *
 * The child's process id (asyncio's `Process.pid`). It stays available
 * after the exit, when the id may already belong to another process.
 *
 * Returns: the process id
 *
 * Since: 1.0
 */
GPid
gaio_process_get_pid (GaioProcess *process)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), 0);

  return process->pid;
}

/**
 * gaio_process_get_returncode:
 * @process: a #GaioProcess
 * @returncode: (out) (optional): the exit status, or minus the number of
 *   the signal that killed the child
 *
 * asyncio's `Process.returncode`, which is `None` until the loop has seen
 * the exit.
 *
 * Returns: %TRUE if the process has exited and @returncode was set
 *
 * Since: 1.0
 */
gboolean
gaio_process_get_returncode (GaioProcess *process,
                             int         *returncode)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), FALSE);

  if (!process->exited)
    return FALSE;

  if (returncode != NULL)
    *returncode = process->returncode;

  return TRUE;
}

/**
 * gaio_process_wait:
 * @process: a #GaioProcess
 *
 * Waits for the process to exit (asyncio's `Process.wait()`). The future
 * finishes with the returncode as a #gint64 (see
 * [method@Gaio.Future.get_result_int64]), on the loop's thread.
 *
 * Each call returns a new future: cancelling one does not affect the
 * process or the other waiters (SP-09). With pipes, prefer
 * [method@Gaio.Process.communicate]: a child blocked on a full pipe that
 * nobody reads never exits.
 *
 * Returns: (transfer full): a future of the process's loop
 *
 * Since: 1.0
 */
GaioFuture *
gaio_process_wait (GaioProcess *process)
{
  GaioFuture *future;

  g_return_val_if_fail (GAIO_IS_PROCESS (process), NULL);

  future = gaio_future_new (process->loop);
  if (process->exited)
    gaio_future_set_result_int64 (future, process->returncode, NULL);
  else
    g_ptr_array_add (process->waiters, gaio_future_ref (future));

  return future;
}

/* The pidfd names this child even once it is reaped (ESRCH then), so
 * the signal cannot reach a process that reused the pid. kill() is the
 * fallback for a kernel without pidfds (before 5.3): GLib then reaps in
 * its worker thread, and a signal sent just after that reap could reach
 * a recycled pid, as with any kill(). */
static void
send_signal_direct (GaioProcess *process,
                    int          signum)
{
#ifdef SYS_pidfd_send_signal
  if (process->pidfd >= 0 &&
      (syscall (SYS_pidfd_send_signal, process->pidfd, signum, NULL, 0) == 0 || errno == ESRCH))
    return;
#endif
  kill (process->pid, signum);
}

/**
 * gaio_process_send_signal:
 * @process: a #GaioProcess
 * @signum: the signal number
 * @error: return location for a #GError
 *
 * Sends @signum to the child (asyncio's `Process.send_signal`). It never
 * reaches another process that reused the pid: it goes through a pidfd
 * (or, for a #GSubprocess, from the thread that reaps children; after
 * the loop closed, under the lock of the thread that reaps the child).
 *
 * Returns: %TRUE if the signal was sent; %FALSE with
 *   %GAIO_ERROR_PROCESS_LOOKUP if the exit is already known (asyncio's
 *   `ProcessLookupError`)
 *
 * Since: 1.0
 */
gboolean
gaio_process_send_signal (GaioProcess  *process,
                          int           signum,
                          GError      **error)
{
  g_return_val_if_fail (GAIO_IS_PROCESS (process), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (process->exited)
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_PROCESS_LOOKUP,
                   "Process %d has exited already (returncode %d)",
                   (int) process->pid, process->returncode);
      return FALSE;
    }

  if (process->subprocess != NULL)
    g_subprocess_send_signal (process->subprocess, signum);
  else if (process->orphan != NULL)
    _gaio_orphan_send_signal (process->orphan, signum);
  else
    send_signal_direct (process, signum);

  return TRUE;
}

/**
 * gaio_process_terminate:
 * @process: a #GaioProcess
 * @error: return location for a #GError
 *
 * Sends SIGTERM (asyncio's `Process.terminate`).
 *
 * Returns: %TRUE if sent; %FALSE with %GAIO_ERROR_PROCESS_LOOKUP after the
 *   exit
 *
 * Since: 1.0
 */
gboolean
gaio_process_terminate (GaioProcess  *process,
                        GError      **error)
{
  return gaio_process_send_signal (process, SIGTERM, error);
}

/**
 * gaio_process_kill:
 * @process: a #GaioProcess
 * @error: return location for a #GError
 *
 * Sends SIGKILL (asyncio's `Process.kill`).
 *
 * Returns: %TRUE if sent; %FALSE with %GAIO_ERROR_PROCESS_LOOKUP after the
 *   exit
 *
 * Since: 1.0
 */
gboolean
gaio_process_kill (GaioProcess  *process,
                   GError      **error)
{
  return gaio_process_send_signal (process, SIGKILL, error);
}

gboolean
_gaio_process_claim_pipes (GaioProcess *process)
{
  if (process->communicating)
    return FALSE;

  process->communicating = TRUE;
  return TRUE;
}

void
_gaio_process_release_pipes (GaioProcess *process)
{
  process->communicating = FALSE;
}
