/* gaio-loop.c: asyncio's event loop on a GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A GaioLoop is asyncio's AbstractEventLoop bound to one GMainContext.
 * The scheduling machinery (ready FIFO, timer heap, inbox) lives in the
 * loop's one GSource (gaio-loop-source.c); this file holds the core API
 * (scheduling, run/stop/close, debug mode), the run/stop/close state
 * machine with its close hooks, and the exception handler. Families of
 * methods are kept apart, each in its own file, and reach the loop
 * through gaio-loop-private.h: the task methods (create_task(),
 * run_until_complete()) in gaio-loop-task.c, the executor methods in
 * gaio-loop-executor.c, the Unix ones (readers, writers, signals) in
 * gaio-loop-unix.c.
 *
 * Threads: a loop is used from the thread that dispatches its context
 * ("the loop thread"), except for the calls documented as thread-safe:
 * call_soon_threadsafe(), stop(), gaio_handle_cancel() and the getters of
 * immutable state.
 */

#include "config.h"

#include <math.h>
#include <pthread.h>

#include "gaio-debug-private.h"
#include "gaio-exception-context-private.h"
#include "gaio-future-private.h"
#include "gaio-handle-private.h"
#include "gaio-log-private.h"
#include "gaio-loop-private.h"
#include "gaio-loop-source-private.h"
#include "gaio-process-pool-role-private.h"

#define DEFAULT_SLOW_CALLBACK_DURATION 0.1

struct _GaioLoop
{
  GObject               parent_instance;

  /* Read by any thread: every gaio_loop_call_soon_threadsafe() reads
   * these (and the instance's class, for the type check). Written only
   * at construction or by setters. */
  GMainContext         *context;          /* (owned) */
  GSource              *source;           /* (owned) attached to context */
  gboolean              debug;
  gint                  priority;         /* of source */
  gdouble               slow_callback_duration;
  gint                  stopping;         /* (atomic) stop() was called */

  /* The loop thread writes the fields below at every callback it runs
   * (current_handle), every dispatch (dispatch_depth, and owner when a
   * dispatch makes the loop running) and every future it creates
   * (n_holds). A line of padding keeps those writes off the line that
   * posts from other threads read, which would otherwise miss in their
   * cache at every post: a GObject instance is aligned to 16 bytes at
   * most, so only a whole line guarantees it. */
  guint8                pad[64];

  /* The futures alive on this loop (_gaio_loop_hold()), which together
   * hold one reference on it. */
  gint                  n_holds;          /* (atomic) */
  GThread              *owner;            /* (atomic) the thread running the loop, or NULL */

  /* Loop thread only. */
  guint                 run_depth;        /* inside run_forever(): 0 or 1 */
  guint                 dispatch_depth;   /* inside the source's dispatch */
  gboolean              quit;             /* run_forever() returns */
  gboolean              closed;
  GError               *escape_error;     /* (owned) (nullable) for run_forever() */
  GaioHandle           *current_handle;   /* (unowned) */
  GaioTask             *current_task;     /* (unowned) the task whose step runs */
  GQueue                tasks;            /* links embedded in the tasks not done */
  gboolean              owner_by_dispatch;/* owner was set by a dispatch, not run_forever() */

  GaioExceptionHandler  handler;
  gpointer              handler_data;
  GDestroyNotify        handler_notify;
  guint                 handler_depth;    /* inside the handler: see _gaio_loop_in_handler() */

  GaioLoopDefaultExecutor default_executor; /* gaio-loop-executor.c's */

  GArray               *close_hooks;      /* (owned) (nullable) (element-type CloseHook) */
};

typedef struct
{
  GaioLoopCloseStage  stage;
  GaioLoopCloseHook   hook;
  gpointer            data;
} CloseHook;

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_DEBUG,
  PROP_SLOW_CALLBACK_DURATION,
  PROP_PRIORITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The loop whose run_forever() or dispatch is on this thread's stack
 * (asyncio's events._get_running_loop()). */
static __thread GaioLoop *running_loop;

static gboolean run_handle      (GaioLoop   *loop,
                                 GaioHandle *handle);
static gboolean is_stopping     (GaioLoop   *loop);
static gboolean wants_iteration (GaioLoop   *loop);

/* What the loop's source calls (see gaio-loop-source-private.h). */
static const GaioLoopSourceHooks source_hooks = {
  .dispatch_begin = _gaio_loop_dispatch_begin,
  .dispatch_end = _gaio_loop_dispatch_end,
  .run_handle = run_handle,
  .is_stopping = is_stopping,
  .wants_iteration = wants_iteration,
  .report = gaio_loop_call_exception_handler,
};

/**
 * GaioLoop:
 *
 * asyncio's event loop on a #GMainContext.
 *
 * A loop schedules callbacks ([method@Gaio.Loop.call_soon]), timers
 * ([method@Gaio.Loop.call_later], [method@Gaio.Loop.call_at]) and posts
 * from other threads ([method@Gaio.Loop.call_soon_threadsafe]) with
 * asyncio's ordering rules, and reports every error through one exception
 * handler ([method@Gaio.Loop.set_exception_handler]) that by default
 * writes to the `Gaio` log domain.
 *
 * All of it runs from one #GSource attached to the loop's context, so
 * the loop runs whoever iterates the context:
 * [method@Gaio.Loop.run_forever], g_main_loop_run(), a #GApplication or
 * GTK. Callbacks run on the thread that iterates the context.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (GaioLoop, gaio_loop, G_TYPE_OBJECT)

static gboolean
env_enabled (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' && g_strcmp0 (value, "0") != 0;
}

char *
_gaio_loop_to_string (GaioLoop *loop)
{
  return g_strdup_printf ("<GaioLoop running=%d closed=%d debug=%d>",
                          gaio_loop_is_running (loop), loop->closed, loop->debug);
}

void
_gaio_loop_add_close_hook (GaioLoop           *loop,
                           GaioLoopCloseStage  stage,
                           GaioLoopCloseHook   hook,
                           gpointer            data)
{
  CloseHook entry = { stage, hook, data };

  if (loop->close_hooks == NULL)
    loop->close_hooks = g_array_new (FALSE, FALSE, sizeof (CloseHook));

  for (guint i = 0; i < loop->close_hooks->len; i++)
    {
      CloseHook *other = &g_array_index (loop->close_hooks, CloseHook, i);

      if (other->stage == stage && other->hook == hook && other->data == data)
        return;
    }

  g_array_append_val (loop->close_hooks, entry);
}

/* See gaio-loop-private.h. A hook may add others (the array may move):
 * those of the stage running now run too. */
static void
run_close_hooks (GaioLoop           *loop,
                 GaioLoopCloseStage  stage)
{
  for (guint i = 0; loop->close_hooks != NULL && i < loop->close_hooks->len; i++)
    {
      CloseHook entry = g_array_index (loop->close_hooks, CloseHook, i);

      if (entry.stage == stage)
        entry.hook (loop, entry.data);
    }
}

/* The loops not closed, by context, in the order they were made: how a
 * callback that GLib dispatches on a loop's context finds that loop
 * (gaio_get_running_loop()). The loops are not owned: each removes
 * itself when it closes, which its finalize does at the latest. Loops
 * are made and closed in any thread. A pthread mutex rather than a
 * GMutex, whose futex ThreadSanitizer cannot see; a leaf lock, held for
 * a lookup only. */
static pthread_mutex_t loops_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *loops_by_context;  /* (locked) GMainContext* -> GList* of GaioLoop* */

static void
register_loop (GaioLoop *loop)
{
  GList *loops;

  pthread_mutex_lock (&loops_lock);
  if (loops_by_context == NULL)
    loops_by_context = g_hash_table_new (NULL, NULL);
  loops = g_hash_table_lookup (loops_by_context, loop->context);
  g_hash_table_insert (loops_by_context, loop->context, g_list_append (loops, loop));
  pthread_mutex_unlock (&loops_lock);
}

static void
unregister_loop (GaioLoop *loop)
{
  GList *loops;

  pthread_mutex_lock (&loops_lock);
  loops = g_list_remove (g_hash_table_lookup (loops_by_context, loop->context), loop);
  if (loops != NULL)
    g_hash_table_insert (loops_by_context, loop->context, loops);
  else
    g_hash_table_remove (loops_by_context, loop->context);
  pthread_mutex_unlock (&loops_lock);
}

/* The first loop not closed on @context, if any. */
static GaioLoop *
lookup_loop (GMainContext *context)
{
  GaioLoop *loop = NULL;
  GList *loops;

  pthread_mutex_lock (&loops_lock);
  loops = loops_by_context != NULL ? g_hash_table_lookup (loops_by_context, context) : NULL;
  if (loops != NULL)
    loop = loops->data;
  pthread_mutex_unlock (&loops_lock);

  return loop;
}

static void
close_source (GaioLoop *loop)
{
  loop->closed = TRUE;
  unregister_loop (loop);
  /* asyncio's close(): the default executor stops taking jobs, and the
   * loop's signal handlers are removed (SG-11); destroy notifies then
   * see a closed loop. */
  run_close_hooks (loop, GAIO_LOOP_CLOSE_RELEASE);
  _gaio_loop_source_close (loop->source);
  g_source_destroy (loop->source);
}

static void
gaio_loop_constructed (GObject *object)
{
  GaioLoop *loop = GAIO_LOOP (object);

  G_OBJECT_CLASS (gaio_loop_parent_class)->constructed (object);

  /* A process-pool worker whose program forgot the worker guard stops
   * here, saying so, rather than run the program's loop. */
  _gaio_process_pool_check_guard ("an event loop was created");

  if (loop->context == NULL)
    loop->context = g_main_context_ref_thread_default ();

  loop->source = _gaio_loop_source_new (loop, &source_hooks, loop->context);
  if (loop->priority != G_PRIORITY_DEFAULT)
    g_source_set_priority (loop->source, loop->priority);
  register_loop (loop);

  _gaio_log (G_LOG_LEVEL_DEBUG, "Using GMainContext %p", loop->context);
}

static void
gaio_loop_finalize (GObject *object)
{
  GaioLoop *loop = GAIO_LOOP (object);

  if (!loop->closed)
    {
      if (loop->debug || env_enabled ("GAIO_RESOURCE_WARNINGS"))
        {
          g_autofree char *repr = _gaio_loop_to_string (loop);
          g_autofree char *message = g_strdup_printf ("unclosed event loop %s", repr);
          GLogField fields[] = {
            { "MESSAGE", message, -1 },
            { "GAIO_WARNING_CATEGORY", "ResourceWarning", -1 },
          };

          _gaio_log_fields (G_LOG_LEVEL_WARNING, fields, G_N_ELEMENTS (fields));
        }
      close_source (loop);
    }

  g_clear_pointer (&loop->source, _gaio_loop_source_unref);
  g_clear_pointer (&loop->context, g_main_context_unref);
  g_clear_error (&loop->escape_error);
  g_clear_pointer (&loop->close_hooks, g_array_unref);
  if (loop->handler_notify != NULL)
    loop->handler_notify (loop->handler_data);

  G_OBJECT_CLASS (gaio_loop_parent_class)->finalize (object);
}

static void
gaio_loop_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GaioLoop *loop = GAIO_LOOP (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_boxed (value, loop->context);
      break;
    case PROP_DEBUG:
      g_value_set_boolean (value, loop->debug);
      break;
    case PROP_SLOW_CALLBACK_DURATION:
      g_value_set_double (value, loop->slow_callback_duration);
      break;
    case PROP_PRIORITY:
      g_value_set_int (value, loop->priority);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_loop_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  GaioLoop *loop = GAIO_LOOP (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      loop->context = g_value_dup_boxed (value);
      break;
    case PROP_DEBUG:
      gaio_loop_set_debug (loop, g_value_get_boolean (value));
      break;
    case PROP_SLOW_CALLBACK_DURATION:
      gaio_loop_set_slow_callback_duration (loop, g_value_get_double (value));
      break;
    case PROP_PRIORITY:
      gaio_loop_set_priority (loop, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gaio_loop_class_init (GaioLoopClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gaio_loop_constructed;
  object_class->finalize = gaio_loop_finalize;
  object_class->get_property = gaio_loop_get_property;
  object_class->set_property = gaio_loop_set_property;

  /**
   * GaioLoop:context:
   *
   * The #GMainContext the loop's source is attached to. %NULL at
   * construction means the thread-default context.
   *
   * Since: 1.0
   */
  properties[PROP_CONTEXT] =
    g_param_spec_boxed ("context", NULL, NULL,
                        G_TYPE_MAIN_CONTEXT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioLoop:debug:
   *
   * Whether debug mode is on (asyncio's debug mode). Initially on when
   * the environment variable `GAIO_DEBUG` is set to a value other than
   * `0` (asyncio's `PYTHONASYNCIODEBUG`). In debug mode:
   *
   * - handles, futures, tasks and coroutines record where they were
   *   created (a backtrace(3) of up to 10 frames per stack; on a task,
   *   followed by where the task was created), which reports about them
   *   print as `source_traceback: Object created at (most recent call
   *   last):` and descriptions end with ` created at SYMBOL+0xOFFSET`.
   *   Each frame is two lines in Python's layout; the platform gives
   *   objects and symbols, not source lines, so the line number is 0 and
   *   the second line says what `addr2line -e OBJECT ADDRESS` needs:
   *   |[
   *     File "/usr/bin/app", line 0, in fetch_all
   *       fetch_all+0x2c (app+0x13fc)
   *   ]|
   *   Static functions are not named (dladdr(3) sees exported symbols
   *   only; link programs with `-rdynamic` to name theirs);
   * - every callback and every task step that runs at least
   *   [property@Gaio.Loop:slow-callback-duration] is reported with a
   *   warning, `Executing <Handle NAME()> took 0.150 seconds`;
   * - a call that is not thread-safe (call_soon(), call_later(),
   *   call_at(), create_future(), create_task(), run_forever()) made
   *   while the loop runs in another thread writes a critical naming the
   *   call and, where it can, refuses it with %GAIO_ERROR_WRONG_THREAD.
   *
   * Off, it costs one test of a flag per call. Set it from the loop's
   * thread.
   *
   * Since: 1.0
   */
  properties[PROP_DEBUG] =
    g_param_spec_boolean ("debug", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioLoop:slow-callback-duration:
   *
   * In debug mode, a callback that runs at least this many seconds is
   * reported with a warning (asyncio's `slow_callback_duration`).
   *
   * Since: 1.0
   */
  properties[PROP_SLOW_CALLBACK_DURATION] =
    g_param_spec_double ("slow-callback-duration", NULL, NULL,
                         0, G_MAXDOUBLE, DEFAULT_SLOW_CALLBACK_DURATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GaioLoop:priority:
   *
   * The priority of the loop's source in its #GMainContext, as any
   * #GSource has: %G_PRIORITY_DEFAULT unless set. All of the loop's
   * callbacks, timers, results and readers run at this priority.
   *
   * GLib dispatches only the highest priority that is ready, so a loop
   * kept busy would hold back the context's lower priorities (a GTK
   * window's layout and redraw, idles). It does not: after 2 ms of
   * uninterrupted work it lets one iteration of the context pass without
   * it (see "Sharing the main context" in the overview), at any priority.
   *
   * Since: 1.0
   */
  properties[PROP_PRIORITY] =
    g_param_spec_int ("priority", NULL, NULL,
                      G_MININT, G_MAXINT, G_PRIORITY_DEFAULT,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gaio_loop_init (GaioLoop *loop)
{
  loop->debug = env_enabled ("GAIO_DEBUG");
  loop->slow_callback_duration = DEFAULT_SLOW_CALLBACK_DURATION;
  loop->priority = G_PRIORITY_DEFAULT;
}

/**
 * gaio_loop_new:
 * @context: (nullable): the #GMainContext to run on, or %NULL for the
 *   thread-default context
 *
 * Creates a loop and attaches its source to @context.
 *
 * Returns: (transfer full): a new #GaioLoop
 *
 * Since: 1.0
 */
GaioLoop *
gaio_loop_new (GMainContext *context)
{
  return g_object_new (GAIO_TYPE_LOOP, "context", context, NULL);
}

/**
 * gaio_get_running_loop:
 *
 * The loop running in the calling thread (asyncio's
 * `get_running_loop()`, which raises where this returns %NULL):
 *
 * - the one whose [method@Gaio.Loop.run_forever] is on the stack or
 *   whose callback or task is running;
 * - otherwise, while a loop's #GMainContext is being iterated in this
 *   thread by whoever drives it (g_main_loop_run(), g_application_run(),
 *   GTK), that loop: a callback that GLib dispatches on the context (a
 *   GTK signal handler, a g_timeout_add() or g_idle_add() callback, a
 *   GIO completion) finds it here, and may call gaio_sleep(),
 *   [method@Gaio.Loop.create_future] and the rest. The context is the
 *   one of the source being dispatched (g_main_current_source()): code
 *   that runs outside any dispatch, such as a program's main() before it
 *   iterates the context, names its loop itself.
 *
 * Several loops on one context: the one created first that is not
 * closed. A closed loop is never the running loop.
 *
 * Returns: (transfer none) (nullable): the running loop, or %NULL
 *
 * Since: 1.0
 */
GaioLoop *
gaio_get_running_loop (void)
{
  GSource *dispatching;
  GMainContext *context;

  if (G_LIKELY (running_loop != NULL))
    return running_loop;

  /* GLib's own record of this thread's dispatch: the source runs on its
   * context, which this thread therefore iterates now. */
  dispatching = g_main_current_source ();
  context = dispatching != NULL ? g_source_get_context (dispatching) : NULL;

  return context != NULL ? lookup_loop (context) : NULL;
}

/**
 * gaio_loop_get_context:
 * @loop: a #GaioLoop
 *
 * Gets the #GMainContext the loop runs on.
 *
 * Returns: (transfer none): the context
 *
 * Since: 1.0
 */
GMainContext *
gaio_loop_get_context (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  return loop->context;
}

/**
 * gaio_loop_time:
 * @loop: a #GaioLoop
 *
 * The loop's clock: monotonic seconds, the time base of
 * [method@Gaio.Loop.call_at] (g_get_monotonic_time() in seconds).
 *
 * Returns: the current time in seconds
 *
 * Since: 1.0
 */
gdouble
gaio_loop_time (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), 0);

  return g_get_monotonic_time () / (gdouble) G_USEC_PER_SEC;
}

gboolean
_gaio_loop_check_thread (GaioLoop   *loop,
                         const char *function)
{
  GThread *owner;

  /* Debug mode only, as asyncio: one branch when it is off. */
  if (G_LIKELY (!loop->debug))
    return TRUE;

  /* Not running: no thread to compare with (asyncio's _thread_id is None). */
  owner = g_atomic_pointer_get (&loop->owner);
  if (owner == NULL || owner == g_thread_self ())
    return TRUE;

  _gaio_log (G_LOG_LEVEL_CRITICAL,
             "%s: Non-thread-safe operation invoked on an event loop other than the current one",
             function);

  return FALSE;
}

static gboolean
refuse_wrong_thread (GaioLoop        *loop,
                     const char      *function,
                     gpointer         user_data,
                     GDestroyNotify   notify,
                     GError         **error)
{
  if (_gaio_loop_check_thread (loop, function))
    return FALSE;

  if (notify != NULL)
    notify (user_data);
  g_set_error (error, GAIO_ERROR, GAIO_ERROR_WRONG_THREAD,
               "%s: Non-thread-safe operation invoked on an event loop other than the current one",
               function);

  return TRUE;
}

/* Debug mode: where the callback is scheduled from, and its name, kept
 * even once the closure is released (asyncio's Handle._source_traceback
 * and repr). */
static inline GaioHandle *
debug_capture (GaioLoop   *loop,
               GaioHandle *handle)
{
  if (G_LIKELY (!loop->debug))
    return handle;

  _gaio_handle_get_extra (handle)->traceback = _gaio_traceback_capture_here ();
  if (!_gaio_handle_has_name (handle))
    handle->extra->name = _gaio_debug_symbol_name ((gpointer) handle->callback);

  return handle;
}


static gboolean
refuse_closed (GaioLoop        *loop,
               gpointer         user_data,
               GDestroyNotify   notify,
               GError         **error)
{
  if (!loop->closed)
    return FALSE;

  if (notify != NULL)
    notify (user_data);
  g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_CLOSED, "Event loop is closed");

  return TRUE;
}

gboolean
_gaio_loop_schedule_handle (GaioLoop   *loop,
                            GaioHandle *handle)
{
  if (loop->closed)
    {
      _gaio_handle_discard (handle);
      gaio_handle_unref (handle);
      return FALSE;
    }

  debug_capture (loop, handle);
  _gaio_loop_source_push_ready (loop->source, handle);
  return TRUE;
}

gboolean
_gaio_loop_schedule (GaioLoop       *loop,
                     GaioCallback    callback,
                     gpointer        user_data,
                     GDestroyNotify  notify,
                     const char     *static_name,
                     GaioFuture     *task)
{
  GaioHandle *handle;

  if (refuse_closed (loop, user_data, notify, NULL))
    {
      g_clear_pointer (&task, gaio_future_unref);
      return FALSE;
    }

  /* Queued already, but it cannot run before control returns to the
   * loop: name it before debug mode reads the name. */
  handle = _gaio_loop_source_call_soon (loop->source, callback, user_data, notify);
  _gaio_handle_set_static_name (handle, static_name, task);
  debug_capture (loop, handle);

  return TRUE;
}

GaioInbox *
_gaio_loop_get_inbox (GaioLoop *loop)
{
  return _gaio_loop_source_get_inbox (loop->source);
}

/**
 * gaio_loop_call_soon:
 * @loop: a #GaioLoop
 * @callback: (scope notified) (closure user_data) (destroy notify): the
 *   callback
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Schedules @callback to run in the next iteration of the loop, after
 * the callbacks already scheduled (asyncio's `call_soon`). Callbacks
 * scheduled while the loop runs callbacks wait for the next iteration.
 *
 * @notify runs exactly once: after @callback ran, when the handle is
 * cancelled, when the loop is closed with the callback pending, or at
 * once if the loop is already closed.
 *
 * Loop thread only: from other threads use
 * [method@Gaio.Loop.call_soon_threadsafe].
 *
 * Returns: (transfer none) (nullable): the handle, owned by the loop
 *   until the callback has run or was cancelled and control returned to
 *   the loop (gaio_handle_ref() it to keep it longer); %NULL with
 *   %GAIO_ERROR_CLOSED if the loop is closed, or in debug mode with
 *   %GAIO_ERROR_WRONG_THREAD (and a critical) if the loop runs in
 *   another thread
 *
 * Since: 1.0
 */
GaioHandle *
gaio_loop_call_soon (GaioLoop        *loop,
                     GaioCallback     callback,
                     gpointer         user_data,
                     GDestroyNotify   notify,
                     GError         **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (refuse_wrong_thread (loop, "gaio_loop_call_soon", user_data, notify, error))
    return NULL;
  if (refuse_closed (loop, user_data, notify, error))
    return NULL;

  return debug_capture (loop, _gaio_loop_source_call_soon (loop->source, callback,
                                                           user_data, notify));
}

/* Deadlines beyond 2^62 microseconds (146 000 years) either way mean
 * "never" or "long due": far from overflow in the sums and differences
 * the timer heap takes of them. */
#define DEADLINE_LIMIT_US (G_MAXINT64 / 2)

static gint64
round_usec (gdouble usec)
{
  /* Adding one half and truncating rounds as llround() does, without a
   * call into libm. */
  return (gint64) (usec < 0 ? usec - 0.5 : usec + 0.5);
}

static gint64
seconds_to_usec (gdouble seconds)
{
  gdouble usec = seconds * G_USEC_PER_SEC;

  /* A negative deadline is kept as it is: asyncio orders timers by the
   * value given, and get_when() returns it (LS-16). inf or absurd ones
   * mean "never". */
  if (usec >= (gdouble) G_MAXINT64)
    return G_MAXINT64;
  if (usec <= (gdouble) -DEADLINE_LIMIT_US)
    return -DEADLINE_LIMIT_US;

  return round_usec (usec);
}

/* The deadline @delay seconds after @now (microseconds), computed in
 * integers from the clock rather than through seconds in a double: the
 * same deadline to the microsecond, with less arithmetic per timer. */
static gint64
deadline_after (gint64  now,
                gdouble delay)
{
  gdouble usec = delay * G_USEC_PER_SEC;

  if (usec >= (gdouble) DEADLINE_LIMIT_US)
    return G_MAXINT64;
  if (usec <= (gdouble) -DEADLINE_LIMIT_US)
    return now - DEADLINE_LIMIT_US;

  return now + round_usec (usec);
}

static GaioHandle *
schedule_timer (GaioLoop        *loop,
                const char      *function,
                gint64           when,
                GaioCallback     callback,
                gpointer         user_data,
                GDestroyNotify   notify,
                GError         **error)
{
  if (refuse_wrong_thread (loop, function, user_data, notify, error))
    return NULL;
  if (refuse_closed (loop, user_data, notify, error))
    return NULL;

  return debug_capture (loop, _gaio_loop_source_call_at (loop->source, when, callback,
                                                         user_data, notify));
}

/**
 * gaio_loop_call_later:
 * @loop: a #GaioLoop
 * @delay: seconds from now; zero or negative means due at once
 * @callback: (scope notified) (closure user_data) (destroy notify): the
 *   callback
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Schedules @callback to run once @delay seconds have passed (asyncio's
 * `call_later`). Timers run in deadline order; timers with the same
 * deadline run in the order they were scheduled (asyncio leaves that
 * order undefined). A timer that becomes due runs after the callbacks
 * that were already ready.
 *
 * @notify runs exactly once, as for [method@Gaio.Loop.call_soon].
 * Loop thread only.
 *
 * Returns: (transfer none) (nullable): the timer's handle, owned by the
 *   loop as for [method@Gaio.Loop.call_soon]; %NULL with
 *   %GAIO_ERROR_CLOSED if the loop is closed, or with
 *   %GAIO_ERROR_WRONG_THREAD as for [method@Gaio.Loop.call_soon]
 *
 * Since: 1.0
 */
GaioHandle *
gaio_loop_call_later (GaioLoop        *loop,
                      gdouble          delay,
                      GaioCallback     callback,
                      gpointer         user_data,
                      GDestroyNotify   notify,
                      GError         **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (!isnan (delay), NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return schedule_timer (loop, "gaio_loop_call_later",
                         deadline_after (g_get_monotonic_time (), delay),
                         callback, user_data, notify, error);
}

/**
 * gaio_loop_call_at:
 * @loop: a #GaioLoop
 * @when: the deadline, in the time base of [method@Gaio.Loop.time]
 * @callback: (scope notified) (closure user_data) (destroy notify): the
 *   callback
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Schedules @callback to run at @when (asyncio's `call_at`), with the
 * ordering rules of [method@Gaio.Loop.call_later]. The clock has
 * microsecond resolution.
 *
 * Returns: (transfer none) (nullable): the timer's handle, owned by the
 *   loop as for [method@Gaio.Loop.call_soon]; %NULL with
 *   %GAIO_ERROR_CLOSED if the loop is closed, or with
 *   %GAIO_ERROR_WRONG_THREAD as for [method@Gaio.Loop.call_soon]
 *
 * Since: 1.0
 */
GaioHandle *
gaio_loop_call_at (GaioLoop        *loop,
                   gdouble          when,
                   GaioCallback     callback,
                   gpointer         user_data,
                   GDestroyNotify   notify,
                   GError         **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (!isnan (when), NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return schedule_timer (loop, "gaio_loop_call_at", seconds_to_usec (when), callback, user_data, notify, error);
}

/**
 * gaio_loop_call_soon_threadsafe:
 * @loop: a #GaioLoop
 * @callback: (scope notified) (closure user_data) (destroy notify): the
 *   callback
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Like [method@Gaio.Loop.call_soon], from any thread: the callback runs
 * on the loop's thread, and the loop wakes up if it was waiting. The
 * callbacks posted by one thread run in the order it posted them.
 *
 * @notify runs exactly once, on the loop's thread after the callback or
 * when the loop closes, on the cancelling thread if the handle is
 * cancelled, and in the calling thread if the loop is already closed.
 *
 * Returns: (transfer full) (nullable): a reference to the handle, which
 *   the caller owns (the loop may run the callback and drop its own
 *   reference at any moment); %NULL with %GAIO_ERROR_CLOSED if the loop
 *   is closed
 *
 * Since: 1.0
 */
GaioHandle *
gaio_loop_call_soon_threadsafe (GaioLoop        *loop,
                                GaioCallback     callback,
                                gpointer         user_data,
                                GDestroyNotify   notify,
                                GError         **error)
{
  GaioHandle *handle;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  handle = _gaio_handle_new (callback, user_data, notify);
  debug_capture (loop, handle);
  /* The caller's reference, besides the loop's. */
  _gaio_handle_ref_unpublished (handle);

  /* The inbox itself knows whether the loop closed, without a race. */
  if (!_gaio_loop_source_push_threadsafe (loop->source, handle))
    {
      _gaio_handle_discard (handle);
      gaio_handle_unref (handle);
      gaio_handle_unref (handle);
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_CLOSED, "Event loop is closed");
      return NULL;
    }

  return handle;
}

GaioLoop *
_gaio_loop_dispatch_begin (GaioLoop *loop)
{
  GaioLoop *previous = running_loop;

  running_loop = loop;
  loop->dispatch_depth++;

  /* Under g_main_loop_run() and the like, the loop's thread is known
   * only while it dispatches (run_forever() records it for its whole
   * run). */
  if (g_atomic_pointer_get (&loop->owner) == NULL)
    {
      g_atomic_pointer_set (&loop->owner, g_thread_self ());
      loop->owner_by_dispatch = TRUE;
    }

  return previous;
}

void
_gaio_loop_dispatch_end (GaioLoop *loop,
                         GaioLoop *previous)
{
  loop->dispatch_depth--;
  running_loop = previous;

  if (loop->dispatch_depth == 0 && loop->owner_by_dispatch)
    {
      loop->owner_by_dispatch = FALSE;
      g_atomic_pointer_set (&loop->owner, NULL);
    }

  if (loop->run_depth == 0)
    return;

  /* asyncio's stop(): the callbacks ready at the start of the iteration
   * have run; now run_forever() returns. */
  if (loop->escape_error != NULL ||
      g_atomic_int_compare_and_exchange (&loop->stopping, TRUE, FALSE))
    loop->quit = TRUE;
}

static gboolean
is_stopping (GaioLoop *loop)
{
  return g_atomic_int_get (&loop->stopping) || loop->escape_error != NULL;
}

static gboolean
wants_iteration (GaioLoop *loop)
{
  return loop->run_depth > 0 && g_atomic_int_get (&loop->stopping);
}

static void
report_slow_callback (GaioLoop   *loop,
                      GaioHandle *handle,
                      gint64      elapsed)
{
  /* A task's step is described by the task (asyncio's _format_handle). */
  GaioFuture *task = _gaio_handle_get_task (handle);
  g_autofree char *repr = task != NULL ? gaio_future_to_string (task)
                                       : gaio_handle_to_string (handle);

  _gaio_log (G_LOG_LEVEL_WARNING, "Executing %s took %.3f seconds",
             repr, elapsed / (gdouble) G_USEC_PER_SEC);
}

static void
report_callback_error (GaioLoop   *loop,
                       GaioHandle *handle,
                       GError     *error)
{
  g_autofree char *name = gaio_handle_dup_name (handle);
  g_autofree char *message = g_strdup_printf ("Exception in callback %s()", name);
  g_autoptr(GaioExceptionContext) context = gaio_exception_context_new (message);

  gaio_exception_context_set_error (context, error);
  gaio_exception_context_set_handle (context, handle);
  if (_gaio_handle_get_traceback (handle) != NULL)
    {
      g_auto(GStrv) frames = _gaio_traceback_format (_gaio_handle_get_traceback (handle));

      gaio_exception_context_set_source_traceback (context, (const char * const *) frames);
    }
  gaio_loop_call_exception_handler (loop, context);
}

/* A callback failed with @error (taken): an escape error stops
 * run_forever(), any other goes to the exception handler. */
static void
handle_callback_error (GaioLoop   *loop,
                       GaioHandle *handle,
                       GError     *error)
{
  if (loop->run_depth > 0 && g_error_matches (error, GAIO_ERROR, GAIO_ERROR_ESCAPE))
    {
      if (loop->escape_error == NULL)
        {
          loop->escape_error = error;
          return;
        }
    }
  else
    report_callback_error (loop, handle, error);

  g_error_free (error);
}

/* run_handle() in debug mode: times the callback and keeps
 * its name for the reports. As asyncio's Handle._run() calls the
 * exception handler itself, inside the time _run_once() measures, a
 * failure is reported first and the handler's time counts: a fast
 * callback whose handler is slow is reported slow, after the handler
 * ran. Out of line: run_handle() stays what it is without debug mode. */
static G_GNUC_NO_INLINE void
run_handle_debug (GaioLoop   *loop,
                  GaioHandle *handle)
{
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  if (!_gaio_handle_run (handle, TRUE, &error))
    handle_callback_error (loop, handle, error);

  elapsed = g_get_monotonic_time () - start;
  if (elapsed >= loop->slow_callback_duration * G_USEC_PER_SEC)
    report_slow_callback (loop, handle, elapsed);
}

/* Runs one ready handle. Returns FALSE when the iteration must stop
 * because run_forever() has to return an escape error at once. Once per
 * callback: the common case is kept to a flag test, the call and the
 * bookkeeping of the current handle. */
static gboolean
run_handle (GaioLoop   *loop,
            GaioHandle *handle)
{
  GaioHandle *outer = loop->current_handle;
  GError *error = NULL;

  loop->current_handle = handle;

  if (G_UNLIKELY (loop->debug))
    run_handle_debug (loop, handle);
  else if (G_UNLIKELY (!_gaio_handle_run (handle, FALSE, &error)))
    handle_callback_error (loop, handle, error);

  loop->current_handle = outer;

  return loop->escape_error == NULL;
}

/* asyncio's _check_closed() and _check_running(). */
gboolean
_gaio_loop_check_can_run (GaioLoop  *loop,
                          GError   **error)
{
  if (loop->closed)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_CLOSED, "Event loop is closed");
      return FALSE;
    }
  if (gaio_loop_is_running (loop))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_RUNNING,
                           "This event loop is already running");
      return FALSE;
    }
  /* Not only a loop that runs this thread's dispatch: also one whose
   * context GLib is dispatching a callback of (gaio_get_running_loop()),
   * as asyncio refuses to run a loop from any callback of another. */
  if (gaio_get_running_loop () != NULL)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_RUNNING,
                           "Cannot run the event loop while another loop is running");
      return FALSE;
    }

  return TRUE;
}

/**
 * gaio_loop_run_forever:
 * @loop: a #GaioLoop
 * @error: return location for a #GError
 *
 * Runs the loop until [method@Gaio.Loop.stop] is called (asyncio's
 * `run_forever`). The calling thread becomes the loop's thread: it
 * acquires the loop's #GMainContext, makes it the thread-default context
 * while running (so GIO operations started from callbacks complete on
 * it) and iterates it, dispatching its other sources too.
 *
 * Errors: %GAIO_ERROR_CLOSED if the loop is closed; %GAIO_ERROR_RUNNING
 * if it already runs or another loop runs in this thread;
 * %GAIO_ERROR_WRONG_THREAD if another thread owns the context; and the
 * error of a callback that failed with %GAIO_ERROR_ESCAPE, which stops
 * the loop at once (callbacks still ready run at the next run).
 *
 * Returns: %TRUE when stopped, %FALSE with @error set otherwise
 *
 * Since: 1.0
 */
gboolean
gaio_loop_run_forever (GaioLoop  *loop,
                       GError   **error)
{
  GaioLoop *previous;

  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (refuse_wrong_thread (loop, "gaio_loop_run_forever", NULL, NULL, error))
    return FALSE;
  if (!_gaio_loop_check_can_run (loop, error))
    return FALSE;
  if (!g_main_context_acquire (loop->context))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_WRONG_THREAD,
                           "The loop's GMainContext is owned by another thread");
      return FALSE;
    }

  g_object_ref (loop);
  g_main_context_push_thread_default (loop->context);
  previous = running_loop;
  running_loop = loop;
  loop->run_depth++;
  loop->quit = FALSE;
  g_atomic_pointer_set (&loop->owner, g_thread_self ());

  while (!loop->quit)
    g_main_context_iteration (loop->context, TRUE);

  g_atomic_pointer_set (&loop->owner, NULL);
  loop->run_depth--;
  running_loop = previous;
  g_main_context_pop_thread_default (loop->context);
  g_main_context_release (loop->context);

  if (loop->escape_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&loop->escape_error));
      g_object_unref (loop);
      return FALSE;
    }

  g_object_unref (loop);
  return TRUE;
}

/**
 * gaio_loop_stop:
 * @loop: a #GaioLoop
 *
 * Stops [method@Gaio.Loop.run_forever] (asyncio's `stop`): the callbacks
 * of the current iteration still run, then it returns. Called before
 * run_forever(), it makes the next run one iteration long. Callbacks
 * scheduled meanwhile stay queued for the next run.
 *
 * Safe to call from any thread.
 *
 * Since: 1.0
 */
void
gaio_loop_stop (GaioLoop *loop)
{
  g_return_if_fail (GAIO_IS_LOOP (loop));

  g_atomic_int_set (&loop->stopping, TRUE);

  /* Called from another thread, the context must come back to our
   * source's prepare(). On the thread running the loop, it is not in
   * poll(), and will call prepare() before it is again: the wake-up
   * would only cost a write(2) and a spurious poll(). */
  if (g_atomic_pointer_get (&loop->owner) != g_thread_self ())
    g_main_context_wakeup (loop->context);
}

/**
 * gaio_loop_close:
 * @loop: a #GaioLoop
 * @error: return location for a #GError
 *
 * Closes the loop (asyncio's `close`): pending callbacks and timers are
 * dropped without running, their destroy notifies run now, and every
 * later scheduling call fails with %GAIO_ERROR_CLOSED. The loop's source
 * leaves its context. Closing twice is allowed.
 *
 * Returns: %TRUE on success; %FALSE with %GAIO_ERROR_RUNNING if the loop
 *   is running
 *
 * Since: 1.0
 */
gboolean
gaio_loop_close (GaioLoop  *loop,
                 GError   **error)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gaio_loop_is_running (loop))
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_RUNNING,
                           "Cannot close a running event loop");
      return FALSE;
    }
  if (loop->closed)
    return TRUE;

  if (loop->debug)
    {
      g_autofree char *repr = _gaio_loop_to_string (loop);

      _gaio_log (G_LOG_LEVEL_DEBUG, "Close %s", repr);
    }

  close_source (loop);

  /* What is still pending now can never run: asyncio's tasks would be
   * reported when garbage-collected, here they are reported and unwound
   * now, so that what their stacks hold is freed. */
  run_close_hooks (loop, GAIO_LOOP_CLOSE_UNWIND);

  return TRUE;
}

/**
 * gaio_loop_is_running:
 * @loop: a #GaioLoop
 *
 * Whether the loop runs: inside [method@Gaio.Loop.run_forever], while
 * its callbacks run under whatever iterates its context, and, in the
 * thread that iterates it, inside any callback GLib dispatches on its
 * context (a GTK signal handler, say), where
 * [func@Gaio.get_running_loop] returns the loop too. As in asyncio, a
 * running loop cannot be run again nor closed.
 *
 * Returns: %TRUE if running
 *
 * Since: 1.0
 */
gboolean
gaio_loop_is_running (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);

  /* The last test only matters outside the loop's own dispatch, and
   * costs a lookup of GLib's: it comes last. */
  return loop->run_depth > 0 || loop->dispatch_depth > 0 || gaio_get_running_loop () == loop;
}

/**
 * gaio_loop_is_closed:
 * @loop: a #GaioLoop
 *
 * Whether [method@Gaio.Loop.close] was called.
 *
 * Returns: %TRUE if closed
 *
 * Since: 1.0
 */
gboolean
gaio_loop_is_closed (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);

  return loop->closed;
}

/**
 * gaio_loop_create_future:
 * @loop: a #GaioLoop
 *
 * Creates a pending future attached to the loop (asyncio's
 * `create_future`).
 *
 * Returns: (transfer full): a new #GaioFuture
 *
 * Since: 1.0
 */
GaioFuture *
gaio_loop_create_future (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  /* Debug mode: only a critical. Making a future touches none of the
   * loop's queues, so the call goes on. */
  _gaio_loop_check_thread (loop, "gaio_loop_create_future");

  return _gaio_future_new (loop);
}

GaioTask *
_gaio_loop_get_current_task (GaioLoop *loop)
{
  return loop->current_task;
}

gboolean
_gaio_loop_steal_step_ref (GaioLoop   *loop,
                           GaioFuture *task)
{
  GaioHandle *handle = loop->current_handle;

  if (loop->debug || handle == NULL || _gaio_handle_get_task (handle) != task)
    return FALSE;

  _gaio_handle_steal_task (handle);
  return TRUE;
}

GaioTask *
_gaio_loop_swap_current_task (GaioLoop *loop,
                              GaioTask *task)
{
  GaioTask *previous = loop->current_task;

  loop->current_task = task;

  return previous;
}

GQueue *
_gaio_loop_get_tasks (GaioLoop *loop)
{
  return &loop->tasks;
}

/**
 * gaio_loop_set_exception_handler:
 * @loop: a #GaioLoop
 * @handler: (nullable) (scope notified) (closure user_data) (destroy notify):
 *   the handler, or %NULL for the default one
 * @user_data: data for @handler
 * @notify: (nullable): frees @user_data
 *
 * Sets the handler that receives every error the loop reports (asyncio's
 * `set_exception_handler`): failed callbacks, errors nobody retrieved
 * from futures, and whatever [method@Gaio.Loop.call_exception_handler]
 * is given. %NULL restores [method@Gaio.Loop.default_exception_handler].
 *
 * Since: 1.0
 */
void
gaio_loop_set_exception_handler (GaioLoop             *loop,
                                 GaioExceptionHandler  handler,
                                 gpointer              user_data,
                                 GDestroyNotify        notify)
{
  GDestroyNotify old_notify;
  gpointer old_data;

  g_return_if_fail (GAIO_IS_LOOP (loop));

  old_notify = loop->handler_notify;
  old_data = loop->handler_data;

  loop->handler = handler;
  loop->handler_data = handler != NULL ? user_data : NULL;
  loop->handler_notify = handler != NULL ? notify : NULL;

  if (handler == NULL && notify != NULL)
    notify (user_data);
  if (old_notify != NULL)
    old_notify (old_data);
}

/**
 * gaio_loop_get_exception_handler: (skip)
 * @loop: a #GaioLoop
 * @user_data: (out) (optional): the handler's data
 *
 * Gets the handler set with [method@Gaio.Loop.set_exception_handler]
 * (asyncio's `get_exception_handler`).
 *
 * Not for bindings: it returns a C function pointer. Python's overrides
 * give back the Python handler; JavaScript keeps its own reference (see
 * the [Bindings](bindings.html) guide).
 *
 * Returns: (nullable): the handler, or %NULL when the default one is used
 *
 * Since: 1.0
 */
GaioExceptionHandler
gaio_loop_get_exception_handler (GaioLoop *loop,
                                 gpointer *user_data)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), NULL);

  if (user_data != NULL)
    *user_data = loop->handler_data;

  return loop->handler;
}

/**
 * gaio_loop_has_exception_handler:
 * @loop: a #GaioLoop
 *
 * Whether a handler was set with [method@Gaio.Loop.set_exception_handler];
 * the form of `get_exception_handler() is not None` for bindings.
 *
 * Returns: %TRUE if a custom handler is set
 *
 * Since: 1.0
 */
gboolean
gaio_loop_has_exception_handler (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);

  return loop->handler != NULL;
}

/**
 * gaio_loop_default_exception_handler:
 * @loop: a #GaioLoop
 * @context: what happened
 *
 * The default exception handler (asyncio's `default_exception_handler`):
 * writes one structured record in the `Gaio` log domain at
 * %G_LOG_LEVEL_WARNING. Its `MESSAGE` is asyncio's text (see
 * [method@Gaio.ExceptionContext.to_string]); the error is also given as
 * the fields `GAIO_ERROR_DOMAIN`, `GAIO_ERROR_CODE` and
 * `GAIO_ERROR_MESSAGE`, and every other key as a field
 * `GAIO_CONTEXT_<KEY>`.
 *
 * With `G_DEBUG=fatal-warnings` (as under `meson test` with
 * g_test_init()), an error that reaches this handler aborts the program:
 * an unhandled error fails the test.
 *
 * A custom handler may call this to defer to the default behaviour.
 *
 * Since: 1.0
 */
void
gaio_loop_default_exception_handler (GaioLoop             *loop,
                                     GaioExceptionContext *context)
{
  g_return_if_fail (GAIO_IS_LOOP (loop));
  g_return_if_fail (context != NULL);

  if (!_gaio_log_level_enabled (G_LOG_LEVEL_WARNING))
    return;

  /* asyncio adds where the running callback was scheduled when the
   * context says nothing of where its object came from (DB-04). */
  if (loop->current_handle != NULL && _gaio_handle_get_traceback (loop->current_handle) != NULL &&
      !gaio_exception_context_contains (context, "source_traceback") &&
      !gaio_exception_context_contains (context, "handle_traceback"))
    {
      g_auto(GStrv) frames = _gaio_traceback_format (_gaio_handle_get_traceback (loop->current_handle));
      GValue value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_STRV);
      g_value_take_boxed (&value, g_steal_pointer (&frames));
      gaio_exception_context_set_value (context, "handle_traceback", &value);
      g_value_unset (&value);
    }

  _gaio_exception_context_log (context, G_LOG_LEVEL_WARNING);
}

static void
report_handler_error (GaioLoop             *loop,
                      GaioExceptionContext *context,
                      GError               *error)
{
  g_autoptr(GaioExceptionContext) outer =
    gaio_exception_context_new ("Unhandled error in exception handler");
  GValue value = G_VALUE_INIT;

  gaio_exception_context_set_error (outer, error);
  g_value_init (&value, GAIO_TYPE_EXCEPTION_CONTEXT);
  g_value_set_boxed (&value, context);
  gaio_exception_context_set_value (outer, "context", &value);
  g_value_unset (&value);

  gaio_loop_default_exception_handler (loop, outer);
}

/* The task a custom handler runs in (asyncio 3.12's rule, EH-10): the
 * `task` key, else the `future` key when it holds a task (a task whose
 * error nobody retrieved), else the task running now. Only its identity
 * changes, for gaio_current_task(): the handler runs on the caller's
 * stack, and cannot suspend (_gaio_loop_in_handler()). */
static GaioTask *
originating_task (GaioLoop             *loop,
                  GaioExceptionContext *context)
{
  GaioFuture *named = gaio_exception_context_get_task (context);

  if (named == NULL || !_gaio_future_is_task (named))
    named = gaio_exception_context_get_future (context);
  if (named != NULL && _gaio_future_is_task (named) && gaio_future_get_loop (named) == loop)
    return (GaioTask *) named;

  return loop->current_task;
}

/**
 * gaio_loop_call_exception_handler:
 * @loop: a #GaioLoop
 * @context: what happened
 *
 * Reports @context to the loop's exception handler (asyncio's
 * `call_exception_handler`): the custom one if set, else the default one.
 * If the custom handler fails, its error and @context are reported by the
 * default handler with the message `Unhandled error in exception
 * handler`; if it fails with %GAIO_ERROR_ESCAPE while
 * [method@Gaio.Loop.run_forever] runs, the loop stops with that error.
 *
 * The handler gets @context as it is: nothing is added to it. It runs
 * in the calling thread, normally the loop's, and in the task @context
 * names (its `task` key, or its `future` key when that is a task), else
 * in the task running now: there, gaio_current_task() returns that task,
 * as asyncio 3.12 runs the handler in the originating task's context.
 *
 * Since: 1.0
 */
void
gaio_loop_call_exception_handler (GaioLoop             *loop,
                                  GaioExceptionContext *context)
{
  g_autoptr(GError) error = NULL;
  GaioTask *previous_task;
  gboolean ok;

  g_return_if_fail (GAIO_IS_LOOP (loop));
  g_return_if_fail (context != NULL);

  if (loop->handler == NULL)
    {
      gaio_loop_default_exception_handler (loop, context);
      return;
    }

  /* The context is passed on as the caller built it (asyncio adds no
   * key); the handler runs in the task it names (EH-10, EH-14), when it
   * is called on the loop's thread (the current task is the loop
   * thread's to change). */
  gaio_exception_context_ref (context);
  previous_task = loop->current_task;
  if (running_loop == loop)
    loop->current_task = originating_task (loop, context);
  loop->handler_depth++;
  ok = loop->handler (loop, context, loop->handler_data, &error);
  loop->handler_depth--;
  if (running_loop == loop)
    loop->current_task = previous_task;
  if (!ok)
    {
      if (error == NULL)
        error = _gaio_callback_false_error ("The exception handler", (gpointer) loop->handler);

      if (loop->run_depth > 0 && g_error_matches (error, GAIO_ERROR, GAIO_ERROR_ESCAPE))
        {
          if (loop->escape_error == NULL)
            loop->escape_error = g_steal_pointer (&error);
        }
      else
        report_handler_error (loop, context, error);
    }
  gaio_exception_context_unref (context);
}

/**
 * gaio_loop_get_debug:
 * @loop: a #GaioLoop
 *
 * Whether debug mode is on; see [property@Gaio.Loop:debug].
 *
 * Returns: %TRUE in debug mode
 *
 * Since: 1.0
 */
gboolean
gaio_loop_get_debug (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), FALSE);

  return loop->debug;
}

/* A future holds its loop, as asyncio's Future._loop does, through a
 * count: the first hold takes one GObject reference for them all and the
 * last release drops it. An atomic add each instead of g_object_ref()
 * and its type checks (measured, bench-task pinned to one CPU: 7.25 M
 * task switches/s with g_object_ref(), 7.6 M with the count). Safe against
 * a release racing a hold: whoever holds names the loop, so it owns a
 * reference of its own, and the released one is never the last. */
void
_gaio_loop_hold (GaioLoop *loop)
{
  if (g_atomic_int_add (&loop->n_holds, 1) == 0)
    g_object_ref (loop);
}

void
_gaio_loop_release (GaioLoop *loop)
{
  if (g_atomic_int_dec_and_test (&loop->n_holds))
    g_object_unref (loop);
}

/* The handler may be a binding's function, run on the reporting task's
 * fiber: it must not suspend that task, whose stack would then hold the
 * interpreter's frames across a switch (gaio_await() refuses). Loop
 * thread only. */
gboolean
_gaio_loop_in_handler (GaioLoop *loop)
{
  return loop->handler_depth > 0;
}

gboolean
_gaio_loop_get_debug (GaioLoop *loop)
{
  return loop->debug;
}

/**
 * gaio_loop_set_debug:
 * @loop: a #GaioLoop
 * @enabled: whether to turn debug mode on
 *
 * Turns debug mode on or off; see [property@Gaio.Loop:debug].
 *
 * Since: 1.0
 */
void
gaio_loop_set_debug (GaioLoop *loop,
                     gboolean  enabled)
{
  g_return_if_fail (GAIO_IS_LOOP (loop));

  enabled = !!enabled;
  if (loop->debug == enabled)
    return;

  loop->debug = enabled;
  g_object_notify_by_pspec (G_OBJECT (loop), properties[PROP_DEBUG]);
}

/**
 * gaio_loop_get_slow_callback_duration:
 * @loop: a #GaioLoop
 *
 * Gets [property@Gaio.Loop:slow-callback-duration].
 *
 * Returns: the duration in seconds
 *
 * Since: 1.0
 */
gdouble
gaio_loop_get_slow_callback_duration (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), 0);

  return loop->slow_callback_duration;
}

/**
 * gaio_loop_set_slow_callback_duration:
 * @loop: a #GaioLoop
 * @seconds: the duration, zero or more
 *
 * Sets [property@Gaio.Loop:slow-callback-duration].
 *
 * Since: 1.0
 */
void
gaio_loop_set_slow_callback_duration (GaioLoop *loop,
                                      gdouble   seconds)
{
  g_return_if_fail (GAIO_IS_LOOP (loop));
  g_return_if_fail (seconds >= 0);

  if (loop->slow_callback_duration == seconds)
    return;

  loop->slow_callback_duration = seconds;
  g_object_notify_by_pspec (G_OBJECT (loop), properties[PROP_SLOW_CALLBACK_DURATION]);
}

/**
 * gaio_loop_get_priority:
 * @loop: a #GaioLoop
 *
 * Gets [property@Gaio.Loop:priority].
 *
 * Returns: the priority of the loop's source
 *
 * Since: 1.0
 */
gint
gaio_loop_get_priority (GaioLoop *loop)
{
  g_return_val_if_fail (GAIO_IS_LOOP (loop), G_PRIORITY_DEFAULT);

  return loop->priority;
}

/**
 * gaio_loop_set_priority:
 * @loop: a #GaioLoop
 * @priority: the priority, as for g_source_set_priority()
 *
 * Sets [property@Gaio.Loop:priority]. Loop thread only.
 *
 * Since: 1.0
 */
void
gaio_loop_set_priority (GaioLoop *loop,
                        gint      priority)
{
  g_return_if_fail (GAIO_IS_LOOP (loop));

  if (loop->priority == priority)
    return;

  loop->priority = priority;
  /* At construction the source comes after: constructed() sets it. */
  if (loop->source != NULL)
    g_source_set_priority (loop->source, priority);
  g_object_notify_by_pspec (G_OBJECT (loop), properties[PROP_PRIORITY]);
}

guint
_gaio_loop_get_n_timers (GaioLoop *loop)
{
  return _gaio_loop_source_get_n_timers (loop->source);
}

guint64
_gaio_loop_get_n_iterations (GaioLoop *loop)
{
  return _gaio_loop_source_get_n_iterations (loop->source);
}

GSource *
_gaio_loop_get_source (GaioLoop *loop)
{
  return loop->source;
}

GaioLoopDefaultExecutor *
_gaio_loop_get_default_executor (GaioLoop *loop)
{
  return &loop->default_executor;
}
