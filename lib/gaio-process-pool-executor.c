/* gaio-process-pool-executor.c: an executor whose workers are processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The GObject of Python's ProcessPoolExecutor: its configuration (fixed
 * by the first job), the checks a job passes before it may go to a worker
 * (its function has a name, it carries no C data, this process may start
 * workers), and the public API. The pool itself, its I/O thread and its
 * children, is in gaio-process-pool-core.c, which explains the model.
 */

#include "config.h"

#include <pthread.h>

#include "gaio-debug-private.h"
#include "gaio-future-gio-private.h"
#include "gaio-job-private.h"
#include "gaio-loop-private.h"
#include "gaio-process-pool-core-private.h"
#include "gaio-process-pool-executor-private.h"
#include "gaio-process-pool-registry-private.h"
#include "gaio-process-pool-role-private.h"
#include "gaio-process-pool-worker-private.h"
#include "gaio-process-pool-wire-private.h"

#define DEFAULT_HANDSHAKE_TIMEOUT 10.0

struct _GaioProcessPoolExecutor
{
  GObject      parent_instance;

  guint        max_workers;
  guint        max_tasks_per_child;
  char       **worker_argv;       /* (owned) (nullable) NULL: the program itself */
  char       **launcher_prefix;   /* (owned) (nullable) */
  char        *initializer;       /* (owned) (nullable) */
  GVariant    *initargs;          /* (owned) (nullable) */
  guint        max_message_size;
  gdouble      handshake_timeout;

  /* Several loops, on their own threads, may share a pool: the first job
   * or shutdown() makes the core under start_lock (a pthread mutex, which
   * ThreadSanitizer sees), and publishes it atomically for the readers
   * that take no lock. */
  pthread_mutex_t start_lock;
  gint         started;           /* (atomic) the configuration is frozen */
  GaioPoolCore *core;             /* (owned) (nullable) (atomic) set once */
};

static void gaio_process_pool_executor_iface_init (GaioExecutorInterface *iface);

/**
 * GaioProcessPoolExecutor:
 *
 * Runs jobs in worker processes (Python's
 * `concurrent.futures.ProcessPoolExecutor`), for CPU-bound work that
 * must run in parallel with the loop and with each other. Use it with
 * [method@Gaio.Loop.run_in_executor] like any executor:
 *
 * ```c
 * future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), cpu_bound,
 *                                     g_variant_new ("(u)", 10000000), NULL, NULL);
 * ```
 *
 * Workers are started on demand, up to
 * [property@Gaio.ProcessPoolExecutor:max-workers], and stay alive
 * between jobs. By default a worker is the program itself, which must
 * call [func@Gaio.ProcessPoolExecutor.worker_guard] first thing in main() (the
 * analogue of `if __name__ == '__main__':`). A pool made with
 * [ctor@Gaio.ProcessPoolExecutor.new_for_worker] runs a worker
 * executable instead (see [func@Gaio.ProcessPoolExecutor.worker_main]), possibly
 * behind a [property@Gaio.ProcessPoolExecutor:launcher-prefix] such as a
 * sandbox.
 *
 * What differs from a thread pool:
 *
 * - A job's function travels by name: registered with
 *   [func@Gaio.ProcessPoolExecutor.register], or exported. A function that
 *   cannot travel fails its future at once with
 *   %GAIO_ERROR_NOT_SERIALIZABLE.
 * - Arguments are a #GVariant; `user_data` must be %NULL (C data cannot
 *   cross a process boundary). The result must be a #GVariant, a number,
 *   a boolean, a string or #GBytes; the future gets the same type back.
 *   A #GError returned by the job crosses with its domain, code and
 *   message.
 * - A worker that dies (killed, crashed, `exit()` in a job) breaks the
 *   pool as `BrokenProcessPool` does: its jobs and every job not yet done
 *   fail with %GAIO_ERROR_BROKEN_EXECUTOR, and so does every later
 *   submission.
 * - What workers print (stdout and stderr) is logged in the `Gaio`
 *   domain at %G_LOG_LEVEL_MESSAGE, one record per line, with the
 *   worker's pid in the message and in a `GAIO_WORKER_PID` field.
 *
 * Cancelling a future whose job has not been sent to a worker drops the
 * job; cancelling one already sent cancels the job's #GCancellable in
 * the worker (and drops its outcome).
 *
 * The pool's I/O runs in a thread of its own; futures complete on their
 * loop's thread. The configuration (the setters and properties) is fixed
 * by the first job.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE_WITH_CODE (GaioProcessPoolExecutor, gaio_process_pool_executor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GAIO_TYPE_EXECUTOR,
                                                      gaio_process_pool_executor_iface_init))

enum {
  PROP_0,
  PROP_MAX_WORKERS,
  PROP_WORKER_ARGV,
  PROP_LAUNCHER_PREFIX,
  PROP_MAX_TASKS_PER_CHILD,
  PROP_INITIALIZER,
  PROP_INITIALIZER_ARGS,
  PROP_MAX_MESSAGE_SIZE,
  PROP_HANDSHAKE_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- the executor (loop threads) --------------------------------------- */

static char **
build_argv (GaioProcessPoolExecutor  *self,
            GError                  **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *self_exe = NULL;

  if (self->launcher_prefix != NULL)
    g_strv_builder_addv (builder, (const char **) self->launcher_prefix);

  if (self->worker_argv != NULL)
    {
      g_strv_builder_addv (builder, (const char **) self->worker_argv);
      return g_strv_builder_end (builder);
    }

  /* The program itself, by the path the kernel has for it. Not
   * "/proc/self/exe" as such: a launcher prefix would resolve it to
   * itself, and so would valgrind, which runs programs inside its own
   * executable (it answers readlink() with the program's path). If the
   * file was replaced or removed since, /proc/self/exe still reaches the
   * original, when there is no launcher in between. */
  self_exe = g_file_read_link ("/proc/self/exe", error);
  if (self_exe == NULL)
    return NULL;
  if (self->launcher_prefix == NULL && !g_file_test (self_exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (self_exe);
      self_exe = g_strdup ("/proc/self/exe");
    }
  g_strv_builder_add (builder, self_exe);

  return g_strv_builder_end (builder);
}

static GaioPoolCore *
core_new (GaioProcessPoolExecutor  *self,
          GError                  **error)
{
  GaioPoolConfig config = { 0 };
  GaioPoolCore *core;

  config.argv = build_argv (self, error);
  if (config.argv == NULL)
    return NULL;

  config.max_workers = self->max_workers;
  config.max_tasks = self->max_tasks_per_child;
  config.argv0 = self->worker_argv == NULL ? g_strdup (_gaio_process_pool_get_argv0 ()) : NULL;
  config.initializer = self->initializer;
  config.initargs = self->initargs;
  config.max_body = self->max_message_size;
  config.handshake_timeout_us = (gint64) (self->handshake_timeout * G_USEC_PER_SEC);

  core = _gaio_pool_core_new (&config, error);
  g_strfreev (config.argv);
  g_free (config.argv0);

  return core;
}

static GaioPoolCore *
get_core (GaioProcessPoolExecutor *self)
{
  return g_atomic_pointer_get (&self->core);
}

/* Makes the core, once; with @start, the first job starts the I/O thread.
 * The configuration is fixed from then on. Returns the core, or NULL with
 * @error set. */
static GaioPoolCore *
ensure_core (GaioProcessPoolExecutor  *self,
             gboolean                  start,
             GError                  **error)
{
  GaioPoolCore *core;
  gboolean ok = TRUE;

  pthread_mutex_lock (&self->start_lock);
  g_atomic_int_set (&self->started, TRUE);
  core = get_core (self);
  if (core == NULL)
    {
      core = core_new (self, error);
      /* On a failed start the core stays, broken: later jobs fail the
       * same way. */
      if (core != NULL && start)
        ok = _gaio_pool_core_start (core, error);
      g_atomic_pointer_set (&self->core, core);
    }
  pthread_mutex_unlock (&self->start_lock);

  return ok ? core : NULL;
}

/* Why a job cannot go to a worker, if it cannot. */
static const char *
job_function_name (GaioProcessPoolExecutor  *self,
                   GaioJob                  *job,
                   GError                  **error)
{
  const char *name = _gaio_job_get_function_name (job);

  if (name == NULL && _gaio_debug_is_generated_code ((gpointer) _gaio_job_get_func (job)))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE,
                           "A Python or JavaScript function cannot run in a worker process: "
                           "workers run C functions, found by name. From a binding, give the pool "
                           "a worker executable that registers its C functions "
                           "(Gaio.ProcessPoolExecutor.new_for_worker()) and call them with "
                           "submit_named(); see the libgaio guide \"Bindings\" (bindings.md)");
      return NULL;
    }

  if (_gaio_job_get_user_data (job) != NULL)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE,
                           "A process pool job cannot take user_data: C data cannot cross a "
                           "process boundary. Pass the job's arguments as a GVariant (args) and "
                           "NULL user_data");
      return NULL;
    }

  if (name != NULL)
    return g_intern_string (name);

  return _gaio_process_registry_name_of (_gaio_job_get_func (job), error);
}

/* Workers never start workers, and a pool of the program itself needs
 * the guard in the program's main(). */
static gboolean
check_can_start_workers (GaioProcessPoolExecutor  *self,
                         GError                  **error)
{
  if (_gaio_process_pool_started_as_worker ())
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                           "A process pool worker cannot start workers of its own");
      return FALSE;
    }

  if (self->worker_argv == NULL && !_gaio_process_pool_guard_was_called ())
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                           "This process pool runs its workers from the program itself, which "
                           "must call gaio_process_pool_executor_worker_guard (&argc, &argv) "
                           "first thing in main() (the analogue of Python's `if __name__ == '__main__':`); or "
                           "give the pool a worker executable with "
                           "gaio_process_pool_executor_new_for_worker()");
      return FALSE;
    }

  return TRUE;
}

static gboolean
gaio_process_pool_executor_submit (GaioExecutor  *executor,
                                   GaioJob       *job,
                                   GError       **error)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (executor);
  GaioPoolCore *core = get_core (self);
  const char *name;

  if (core != NULL && _gaio_pool_core_is_shutdown (core))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN,
                           "cannot schedule new futures after shutdown");
      return FALSE;
    }

  name = job_function_name (self, job, error);
  if (name == NULL)
    return FALSE;
  if (!check_can_start_workers (self, error))
    return FALSE;
  /* The lock only until the core exists: a core made by shutdown() has
   * refused the job above, and one that failed to start refuses it in
   * _gaio_pool_core_submit(). */
  if (core == NULL && (core = ensure_core (self, TRUE, error)) == NULL)
    return FALSE;

  return _gaio_pool_core_submit (core, job, name, error);
}

static void
gaio_process_pool_executor_shutdown (GaioExecutor *executor,
                                     gboolean      wait,
                                     gboolean      cancel_futures)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (executor);
  /* Never started: no thread to wait for, but no job may come now. */
  GaioPoolCore *core = ensure_core (self, FALSE, NULL);

  if (core != NULL)
    _gaio_pool_core_shutdown (core, wait, cancel_futures);
}

static gboolean
gaio_process_pool_executor_is_shutdown (GaioExecutor *executor)
{
  GaioPoolCore *core = get_core (GAIO_PROCESS_POOL_EXECUTOR (executor));

  return core != NULL && _gaio_pool_core_is_shutdown (core);
}

static void
gaio_process_pool_executor_iface_init (GaioExecutorInterface *iface)
{
  iface->submit = gaio_process_pool_executor_submit;
  iface->shutdown = gaio_process_pool_executor_shutdown;
  iface->is_shutdown = gaio_process_pool_executor_is_shutdown;
}

/* --- GObject ----------------------------------------------------------- */

static void
gaio_process_pool_executor_constructed (GObject *object)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  G_OBJECT_CLASS (gaio_process_pool_executor_parent_class)->constructed (object);

  /* A program without the guard, running as a worker, stops here. */
  _gaio_process_pool_check_guard ("a process pool was created");

  /* Python's default: os.cpu_count(). */
  if (self->max_workers == 0)
    self->max_workers = g_get_num_processors ();
}

static void
gaio_process_pool_executor_dispose (GObject *object)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  /* As Python's executor when collected: the pool finishes the jobs it
   * has, in the background, then lets its workers go. */
  if (self->core != NULL)
    {
      gaio_process_pool_executor_shutdown (GAIO_EXECUTOR (self), FALSE, FALSE);
      g_clear_pointer (&self->core, _gaio_pool_core_unref);
    }

  G_OBJECT_CLASS (gaio_process_pool_executor_parent_class)->dispose (object);
}

static void
gaio_process_pool_executor_finalize (GObject *object)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  g_strfreev (self->worker_argv);
  g_strfreev (self->launcher_prefix);
  g_free (self->initializer);
  g_clear_pointer (&self->initargs, g_variant_unref);
  pthread_mutex_destroy (&self->start_lock);

  G_OBJECT_CLASS (gaio_process_pool_executor_parent_class)->finalize (object);
}

static void
gaio_process_pool_executor_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_MAX_WORKERS:
      g_value_set_uint (value, self->max_workers);
      break;
    case PROP_WORKER_ARGV:
      g_value_set_boxed (value, self->worker_argv);
      break;
    case PROP_LAUNCHER_PREFIX:
      g_value_set_boxed (value, self->launcher_prefix);
      break;
    case PROP_MAX_TASKS_PER_CHILD:
      g_value_set_uint (value, self->max_tasks_per_child);
      break;
    case PROP_INITIALIZER:
      g_value_set_string (value, self->initializer);
      break;
    case PROP_INITIALIZER_ARGS:
      g_value_set_variant (value, self->initargs);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint (value, self->max_message_size);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      g_value_set_double (value, self->handshake_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_process_pool_executor_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  GaioProcessPoolExecutor *self = GAIO_PROCESS_POOL_EXECUTOR (object);

  if (g_atomic_int_get (&self->started))
    {
      g_critical ("GaioProcessPoolExecutor:%s cannot change once the pool has run a job",
                  pspec->name);
      return;
    }

  switch (prop_id)
    {
    case PROP_MAX_WORKERS:
      self->max_workers = g_value_get_uint (value);
      break;
    case PROP_WORKER_ARGV:
      g_strfreev (self->worker_argv);
      self->worker_argv = g_value_dup_boxed (value);
      break;
    case PROP_LAUNCHER_PREFIX:
      g_strfreev (self->launcher_prefix);
      self->launcher_prefix = g_value_dup_boxed (value);
      if (self->launcher_prefix != NULL && self->launcher_prefix[0] == NULL)
        g_clear_pointer (&self->launcher_prefix, g_strfreev);
      break;
    case PROP_MAX_TASKS_PER_CHILD:
      self->max_tasks_per_child = g_value_get_uint (value);
      break;
    case PROP_INITIALIZER:
      g_free (self->initializer);
      self->initializer = g_value_dup_string (value);
      break;
    case PROP_INITIALIZER_ARGS:
      g_clear_pointer (&self->initargs, g_variant_unref);
      self->initargs = g_value_dup_variant (value);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      self->max_message_size = g_value_get_uint (value);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      self->handshake_timeout = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_process_pool_executor_class_init (GaioProcessPoolExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = gaio_process_pool_executor_constructed;
  object_class->dispose = gaio_process_pool_executor_dispose;
  object_class->finalize = gaio_process_pool_executor_finalize;
  object_class->get_property = gaio_process_pool_executor_get_property;
  object_class->set_property = gaio_process_pool_executor_set_property;

  /**
   * GaioProcessPoolExecutor:max-workers:
   *
   * The most worker processes at once. 0 at construction means Python's
   * default, the number of processors.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_uint ("max-workers", NULL, NULL, 0, G_MAXINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioProcessPoolExecutor:worker-argv:
   *
   * The command line of a worker executable (see
   * [func@Gaio.ProcessPoolExecutor.worker_main]), or %NULL for workers that run
   * the program itself (which must call
   * [func@Gaio.ProcessPoolExecutor.worker_guard]). The first element is a path;
   * `PATH` is not searched.
   *
   * Since: 1.0
   */
  properties[PROP_WORKER_ARGV] =
    g_param_spec_boxed ("worker-argv", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioProcessPoolExecutor:launcher-prefix:
   *
   * A command put in front of every worker's command line: `env NAME=value`,
   * a sandbox (`bwrap ... --`), `nice`. It must end by running the rest
   * of its arguments with the same stdin, stdout and stderr, and keep the
   * environment variables whose names start with `GAIO_PROCESS_POOL_`.
   * Fixed by the first job.
   *
   * Since: 1.0
   */
  properties[PROP_LAUNCHER_PREFIX] =
    g_param_spec_boxed ("launcher-prefix", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * GaioProcessPoolExecutor:max-tasks-per-child:
   *
   * How many jobs a worker runs before it exits and is replaced (Python
   * 3.11's `max_tasks_per_child`), or 0 for no limit. Fixed by the first
   * job.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_TASKS_PER_CHILD] =
    g_param_spec_uint ("max-tasks-per-child", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * GaioProcessPoolExecutor:initializer:
   *
   * The name of a [callback@Gaio.JobFunc] every worker runs once before
   * its first job, with
   * [property@Gaio.ProcessPoolExecutor:initializer-args] (Python's
   * `initializer` and `initargs`), or %NULL. If it fails, the pool is
   * broken. Fixed by the first job.
   *
   * Since: 1.0
   */
  properties[PROP_INITIALIZER] =
    g_param_spec_string ("initializer", NULL, NULL, NULL, flags);

  /**
   * GaioProcessPoolExecutor:initializer-args:
   *
   * The arguments of [property@Gaio.ProcessPoolExecutor:initializer].
   *
   * Since: 1.0
   */
  properties[PROP_INITIALIZER_ARGS] =
    g_param_spec_variant ("initializer-args", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, flags);

  /**
   * GaioProcessPoolExecutor:max-message-size:
   *
   * The largest message, in bytes, a job's arguments or result may take.
   * A job whose arguments are larger fails with
   * %GAIO_ERROR_NOT_SERIALIZABLE, as does one whose result is; a worker
   * that sends a larger message anyway breaks the pool. Fixed by the
   * first job. At least 1 KiB, so that the error saying a result was too
   * large always fits; at most the 64 MiB a worker reads.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint ("max-message-size", NULL, NULL, 1024, GAIO_WIRE_DEFAULT_MAX_BODY,
                       GAIO_WIRE_DEFAULT_MAX_BODY, flags | G_PARAM_CONSTRUCT);

  /**
   * GaioProcessPoolExecutor:handshake-timeout:
   *
   * How long, in seconds, a new worker has to answer before the pool
   * gives up on it and breaks: a program that forgot the worker guard
   * and never reaches libgaio would otherwise keep the pool waiting for
   * ever. Fixed by the first job.
   *
   * Since: 1.0
   */
  properties[PROP_HANDSHAKE_TIMEOUT] =
    g_param_spec_double ("handshake-timeout", NULL, NULL, 0.001, 3600.0,
                         DEFAULT_HANDSHAKE_TIMEOUT, flags | G_PARAM_CONSTRUCT);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gaio_process_pool_executor_init (GaioProcessPoolExecutor *self)
{
  pthread_mutex_init (&self->start_lock, NULL);
  self->max_message_size = GAIO_WIRE_DEFAULT_MAX_BODY;
  self->handshake_timeout = DEFAULT_HANDSHAKE_TIMEOUT;
}

/* --- public API -------------------------------------------------------- */

/**
 * gaio_process_pool_executor_new:
 * @max_workers: the most worker processes, or 0 for the number of
 *   processors
 *
 * Creates a process pool whose workers run the program itself: it must
 * call [func@Gaio.ProcessPoolExecutor.worker_guard] first thing in main(), or
 * every job fails saying so. No process starts before the first job.
 *
 * Returns: (transfer full): a new #GaioProcessPoolExecutor
 *
 * Since: 1.0
 */
GaioProcessPoolExecutor *
gaio_process_pool_executor_new (guint max_workers)
{
  g_return_val_if_fail (max_workers <= G_MAXINT, NULL);

  return g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR, "max-workers", max_workers, NULL);
}

/**
 * gaio_process_pool_executor_new_for_worker:
 * @max_workers: the most worker processes, or 0 for the number of
 *   processors
 * @worker_argv: (array zero-terminated=1): the worker executable's path
 *   and arguments
 *
 * Creates a process pool whose workers run @worker_argv, a program whose
 * main() is [func@Gaio.ProcessPoolExecutor.worker_main]. Jobs name functions
 * that program registered. This is the way for bindings (see
 * [method@Gaio.ProcessPoolExecutor.submit_named]) and for lean or
 * sandboxed workers.
 *
 * Returns: (transfer full): a new #GaioProcessPoolExecutor
 *
 * Since: 1.0
 */
GaioProcessPoolExecutor *
gaio_process_pool_executor_new_for_worker (guint               max_workers,
                                           const char * const *worker_argv)
{
  g_return_val_if_fail (max_workers <= G_MAXINT, NULL);
  g_return_val_if_fail (worker_argv != NULL && worker_argv[0] != NULL, NULL);

  return g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR,
                       "max-workers", max_workers,
                       "worker-argv", worker_argv,
                       NULL);
}

/**
 * gaio_process_pool_executor_set_launcher_prefix:
 * @executor: a #GaioProcessPoolExecutor
 * @prefix: (array zero-terminated=1) (nullable): the launcher command, or
 *   %NULL for none
 *
 * Sets [property@Gaio.ProcessPoolExecutor:launcher-prefix]. Before the
 * first job only.
 *
 * Since: 1.0
 */
void
gaio_process_pool_executor_set_launcher_prefix (GaioProcessPoolExecutor *executor,
                                                const char * const      *prefix)
{
  g_return_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor));
  g_return_if_fail (!g_atomic_int_get (&executor->started));

  g_object_set (executor, "launcher-prefix", prefix, NULL);
}

/**
 * gaio_process_pool_executor_set_max_tasks_per_child:
 * @executor: a #GaioProcessPoolExecutor
 * @max_tasks: jobs per worker process, or 0 for no limit
 *
 * Sets [property@Gaio.ProcessPoolExecutor:max-tasks-per-child]. Before
 * the first job only.
 *
 * Since: 1.0
 */
void
gaio_process_pool_executor_set_max_tasks_per_child (GaioProcessPoolExecutor *executor,
                                                    guint                    max_tasks)
{
  g_return_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor));
  g_return_if_fail (!g_atomic_int_get (&executor->started));

  g_object_set (executor, "max-tasks-per-child", max_tasks, NULL);
}

/**
 * gaio_process_pool_executor_set_initializer_name:
 * @executor: a #GaioProcessPoolExecutor
 * @name: (nullable): the name of the initializer in the workers, or %NULL
 *   for none
 * @initargs: (nullable): its arguments; a floating reference is sunk
 *
 * Sets [property@Gaio.ProcessPoolExecutor:initializer] and its
 * arguments. Before the first job only.
 *
 * Since: 1.0
 */
void
gaio_process_pool_executor_set_initializer_name (GaioProcessPoolExecutor *executor,
                                                 const char              *name,
                                                 GVariant                *initargs)
{
  g_autoptr(GVariant) args = initargs != NULL ? g_variant_ref_sink (initargs) : NULL;

  g_return_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor));
  g_return_if_fail (!g_atomic_int_get (&executor->started));

  g_object_set (executor, "initializer", name, "initializer-args", args, NULL);
}

/**
 * gaio_process_pool_executor_set_initializer: (skip)
 * @executor: a #GaioProcessPoolExecutor
 * @initializer: (nullable): a function every worker runs once before its
 *   first job, registered or exported like job functions
 * @initargs: (nullable): its arguments, read with
 *   [method@Gaio.Job.get_args]; a floating reference is sunk
 * @error: return location for a #GError
 *
 * Sets the initializer by function (Python's `initializer` and
 * `initargs`). Its result is ignored; if it fails, the pool is broken and
 * its jobs fail with %GAIO_ERROR_BROKEN_EXECUTOR. Before the first job
 * only.
 *
 * Returns: %TRUE, or %FALSE with %GAIO_ERROR_NOT_SERIALIZABLE if the
 *   function cannot travel to workers
 *
 * Since: 1.0
 */
gboolean
gaio_process_pool_executor_set_initializer (GaioProcessPoolExecutor  *executor,
                                            GaioJobFunc               initializer,
                                            GVariant                 *initargs,
                                            GError                  **error)
{
  g_autoptr(GVariant) args = initargs != NULL ? g_variant_ref_sink (initargs) : NULL;
  const char *name = NULL;

  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), FALSE);
  g_return_val_if_fail (!g_atomic_int_get (&executor->started), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (initializer != NULL)
    {
      name = _gaio_process_registry_name_of (initializer, error);
      if (name == NULL)
        return FALSE;
    }

  gaio_process_pool_executor_set_initializer_name (executor, name, args);
  return TRUE;
}

/**
 * gaio_process_pool_executor_get_max_workers:
 * @executor: a #GaioProcessPoolExecutor
 *
 * Gets [property@Gaio.ProcessPoolExecutor:max-workers].
 *
 * Returns: the most worker processes
 *
 * Since: 1.0
 */
guint
gaio_process_pool_executor_get_max_workers (GaioProcessPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), 0);

  return executor->max_workers;
}

/**
 * gaio_process_pool_executor_get_max_tasks_per_child:
 * @executor: a #GaioProcessPoolExecutor
 *
 * Gets [property@Gaio.ProcessPoolExecutor:max-tasks-per-child].
 *
 * Returns: jobs per worker, or 0 for no limit
 *
 * Since: 1.0
 */
guint
gaio_process_pool_executor_get_max_tasks_per_child (GaioProcessPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), 0);

  return executor->max_tasks_per_child;
}

/**
 * gaio_process_pool_executor_get_worker_argv:
 * @executor: a #GaioProcessPoolExecutor
 *
 * Gets [property@Gaio.ProcessPoolExecutor:worker-argv].
 *
 * Returns: (array zero-terminated=1) (nullable) (transfer none): the
 *   worker command line, or %NULL for the program itself
 *
 * Since: 1.0
 */
const char * const *
gaio_process_pool_executor_get_worker_argv (GaioProcessPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);

  return (const char * const *) executor->worker_argv;
}

/**
 * gaio_process_pool_executor_get_launcher_prefix:
 * @executor: a #GaioProcessPoolExecutor
 *
 * Gets [property@Gaio.ProcessPoolExecutor:launcher-prefix].
 *
 * Returns: (array zero-terminated=1) (nullable) (transfer none): the
 *   launcher command, or %NULL
 *
 * Since: 1.0
 */
const char * const *
gaio_process_pool_executor_get_launcher_prefix (GaioProcessPoolExecutor *executor)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);

  return (const char * const *) executor->launcher_prefix;
}

/**
 * gaio_process_pool_executor_get_worker_pids:
 * @executor: a #GaioProcessPoolExecutor
 * @n_pids: (out): the number of pids
 *
 * Gets the process ids of the workers alive now (Python's
 * `executor._processes`), for monitoring and tests. Any thread.
 *
 * Returns: (array length=n_pids) (transfer container) (nullable): the pids,
 *   %NULL if there are none
 *
 * Since: 1.0
 */
GPid *
gaio_process_pool_executor_get_worker_pids (GaioProcessPoolExecutor *executor,
                                            guint                   *n_pids)
{
  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);
  g_return_val_if_fail (n_pids != NULL, NULL);

  *n_pids = 0;
  if (get_core (executor) == NULL)
    return NULL;

  return _gaio_pool_core_get_pids (get_core (executor), n_pids);
}

gboolean
_gaio_process_pool_executor_can_lend (GaioProcessPoolExecutor *self,
                                      guint64                 *n_lent,
                                      guint64                 *n_sent_now)
{
  GaioPoolCore *core = get_core (self);

  *n_lent = *n_sent_now = 0;
  return core != NULL && _gaio_pool_core_can_lend (core, n_lent, n_sent_now);
}

/**
 * gaio_process_pool_executor_submit_named:
 * @executor: a #GaioProcessPoolExecutor
 * @loop: the loop the future belongs to
 * @function_name: the name of a function in the workers (registered
 *   there, or exported)
 * @args: (nullable): its arguments; a floating reference is sunk
 *
 * Runs the function called @function_name in a worker, like
 * [method@Gaio.Loop.run_in_executor] with a function pointer. This is how
 * language bindings use a process pool: their own functions cannot run
 * in a worker, but a worker executable's C functions can (see
 * [ctor@Gaio.ProcessPoolExecutor.new_for_worker]).
 *
 * A name no worker knows fails the future with
 * %GAIO_ERROR_NOT_SERIALIZABLE. Loop thread only.
 *
 * Returns: (transfer full): the future of the job, completed on @loop's
 *   thread
 *
 * Since: 1.0
 */
GaioFuture *
gaio_process_pool_executor_submit_named (GaioProcessPoolExecutor *executor,
                                         GaioLoop                *loop,
                                         const char              *function_name,
                                         GVariant                *args)
{
  g_autoptr(GVariant) owned_args = args != NULL ? g_variant_ref_sink (args) : NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GaioJob) job = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (function_name != NULL && *function_name != '\0', NULL);

  future = gaio_future_new (loop);
  if (gaio_loop_is_closed (loop))
    {
      gaio_future_take_error (future, g_error_new_literal (GAIO_ERROR, GAIO_ERROR_CLOSED,
                                                           "Event loop is closed"), NULL);
      return g_steal_pointer (&future);
    }

  job = _gaio_job_new_named (loop, _gaio_loop_get_inbox (loop), future, function_name, owned_args);
  if (!gaio_executor_submit (GAIO_EXECUTOR (executor), job, &error))
    _gaio_job_abort (job, error);

  return g_steal_pointer (&future);
}

/* A future's result as a GVariant, for the _finish() of bindings. */
static GVariant *
result_to_variant (const GValue *value)
{
  GType type = G_VALUE_TYPE (value);

  if (type == G_TYPE_VARIANT)
    return g_value_dup_variant (value);
  if (type == G_TYPE_INT64)
    return g_variant_ref_sink (g_variant_new_int64 (g_value_get_int64 (value)));
  if (type == G_TYPE_UINT64)
    return g_variant_ref_sink (g_variant_new_uint64 (g_value_get_uint64 (value)));
  if (type == G_TYPE_DOUBLE)
    return g_variant_ref_sink (g_variant_new_double (g_value_get_double (value)));
  if (type == G_TYPE_BOOLEAN)
    return g_variant_ref_sink (g_variant_new_boolean (g_value_get_boolean (value)));
  if (type == G_TYPE_STRING && g_value_get_string (value) != NULL)
    return g_variant_ref_sink (g_variant_new_string (g_value_get_string (value)));
  if (type == G_TYPE_BYTES && g_value_get_boxed (value) != NULL)
    return g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING,
                                                         g_value_get_boxed (value), TRUE));
  return NULL;
}

/**
 * gaio_process_pool_executor_submit_named_async:
 * @executor: a #GaioProcessPoolExecutor
 * @loop: the loop to run the job for
 * @function_name: the name of a function in the workers
 * @args: (nullable): its arguments; a floating reference is sunk
 * @cancellable: (nullable): cancels the job, as cancelling its future does
 * @callback: (scope async) (closure user_data): called once the job is
 *   done
 * @user_data: data for @callback
 *
 * [method@Gaio.ProcessPoolExecutor.submit_named] in GIO's asynchronous
 * style, for GJS's `Gio._promisify()` (and PyGObject's `await` from
 * PyGObject 3.50 on, with its own event loop integration). Call
 * [method@Gaio.ProcessPoolExecutor.submit_named_finish] from @callback,
 * which runs in the thread-default main context of the caller. Call it on
 * the loop's thread; @cancellable may be cancelled from any thread. The
 * contract is that of every `_async` function of libgaio: see
 * [method@Gaio.Future.wait_async].
 *
 * Since: 1.0
 */
void
gaio_process_pool_executor_submit_named_async (GaioProcessPoolExecutor *executor,
                                               GaioLoop                *loop,
                                               const char              *function_name,
                                               GVariant                *args,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data)
{
  g_autoptr(GaioFuture) future = NULL;

  g_return_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  future = gaio_process_pool_executor_submit_named (executor, loop, function_name, args);
  g_return_if_fail (future != NULL);

  _gaio_future_bridge_async (future, executor, cancellable, callback, user_data,
                             gaio_process_pool_executor_submit_named_async);
}

/**
 * gaio_process_pool_executor_submit_named_finish:
 * @executor: a #GaioProcessPoolExecutor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Gaio.ProcessPoolExecutor.submit_named_async]. A
 * result set as a number, boolean, string or bytes comes back as a
 * #GVariant of the matching basic type.
 *
 * Returns: (transfer full) (nullable): the job's result, %NULL if it set
 *   none or on error
 *
 * Since: 1.0
 */
GVariant *
gaio_process_pool_executor_submit_named_finish (GaioProcessPoolExecutor  *executor,
                                                GAsyncResult             *result,
                                                GError                  **error)
{
  GaioFuture *future;
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (GAIO_IS_PROCESS_POOL_EXECUTOR (executor), NULL);

  future = _gaio_future_bridge_finish (result, executor,
                                       gaio_process_pool_executor_submit_named_async, error);
  if (future == NULL || !gaio_future_get_result (future, &value, error))
    return NULL;

  return G_IS_VALUE (&value) ? result_to_variant (&value) : NULL;
}
