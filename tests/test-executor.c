/* test-executor.c: run_in_executor, thread pools, the default executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The EX cases of shared/design/asyncio-cases.md that concern thread pools,
 * the default executor and shutdown (EX-01..EX-09, EX-13, EX-14's
 * executor steps, with and without gaio_run()), FU-11 (wrap_future: the C analogue is
 * the job that links a worker's outcome to the loop's future), the CPython
 * tests they come from (test_events.py, test_base_events.py) and the
 * thread-pool cases of test_concurrent_futures.py (ExecutorShutdownTest,
 * ThreadPoolShutdownTest, ThreadPoolExecutorTest, the initializer mixins),
 * each named in a comment above its test.
 *
 * Every test ends with its futures finalized, its executors shut down and
 * finalized, and its loop closed and finalized (gaio_test_loop_free()
 * asserts that the test held the last reference): valgrind sees nothing
 * left. Failed futures are always read, so that no "Future exception was
 * never retrieved" report reaches the default handler (a fatal warning
 * under g_test_init()); the one test about that report captures it with an
 * exception handler.
 *
 * Waiting is bounded everywhere (TIMEOUT_S): a hang fails the test instead
 * of blocking the suite. No assertion is about how long something took:
 * the machines are shared and slow under valgrind; the tests count.
 *
 * Not covered: EX-09 (coroutine functions passed to run_in_executor) is
 * N/A: run_in_executor takes a GaioJobFunc, a plain C function, and a
 * GaioCoroutine cannot be passed in its place (C's types refuse it, where
 * Python needs a run-time check). EX-10..EX-12 belong to the process pool. FU-11's
 * test_wrap_future_future (wrapping an asyncio future returns it) has no
 * analogue: there is no wrap_future, run_in_executor returns the loop's
 * future directly.
 */

#include <dirent.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#ifdef __linux__
# include <sys/prctl.h>
#endif

#include "gaio-test-util.h"
#include "gaio-tsan-private.h"

#define TIMEOUT_S 30.0

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static guint64
thread_id (void)
{
  return (guint64) (guintptr) g_thread_self ();
}

/* The calling thread's kernel name (at most 15 bytes). */
static char *
dup_thread_name (void)
{
  char name[17] = { 0 };

#ifdef __linux__
  prctl (PR_GET_NAME, name, 0, 0, 0);
#endif

  return g_strdup (name);
}

static gboolean
have_thread_names (void)
{
#ifdef __linux__
  return TRUE;
#else
  g_test_skip ("thread names are read with prctl (PR_GET_NAME)");
  return FALSE;
#endif
}

/* The number of threads of this process. */
static guint
count_threads (void)
{
  DIR *dir = opendir ("/proc/self/task");
  struct dirent *entry;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      n++;
  closedir (dir);

  return n;
}

static gboolean
future_is_done (gpointer data)
{
  return gaio_future_is_done (data);
}

/* Iterates the loop's context until @future is done. */
static void
wait_future (GaioLoop   *loop,
             GaioFuture *future)
{
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), future_is_done,
                                          future, TIMEOUT_S));
}

typedef gboolean (*Predicate) (gpointer data);

/* Polls @predicate, iterating @context (if any) without blocking in
 * between, for conditions that only other threads change. */
static gboolean
poll_until (GMainContext *context,
            Predicate     predicate,
            gpointer      data)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_test_fail_printf ("condition not met within %.0f s", TIMEOUT_S);
          return FALSE;
        }
      if (context != NULL)
        g_main_context_iteration (context, FALSE);
      g_usleep (500);
    }

  return TRUE;
}

static gboolean
loop_has_one_ref (gpointer data)
{
  return g_atomic_int_get (&G_OBJECT (data)->ref_count) == 1;
}

static gboolean
atomic_is_set (gpointer data)
{
  return g_atomic_int_get ((gint *) data) != 0;
}

/* The tests' own cross-thread state is guarded with pthread primitives:
 * GMutex and GCond are futex based in GLib 2.74, invisible to TSan (see
 * tests/tsan.supp), and state guarded by them would read as races. */
typedef struct
{
  pthread_mutex_t mutex;
  pthread_cond_t  cond;
} Monitor;

static void
monitor_init (Monitor *monitor)
{
  pthread_condattr_t attr;

  pthread_mutex_init (&monitor->mutex, NULL);
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&monitor->cond, &attr);
  pthread_condattr_destroy (&attr);
}

static void
monitor_clear (Monitor *monitor)
{
  pthread_mutex_destroy (&monitor->mutex);
  pthread_cond_destroy (&monitor->cond);
}

static void
monitor_lock (Monitor *monitor)
{
  pthread_mutex_lock (&monitor->mutex);
}

static void
monitor_unlock (Monitor *monitor)
{
  pthread_mutex_unlock (&monitor->mutex);
}

static void
monitor_broadcast (Monitor *monitor)
{
  pthread_cond_broadcast (&monitor->cond);
}

/* Waits (lock held) until woken or @deadline, in g_get_monotonic_time()
 * microseconds (CLOCK_MONOTONIC). Returns FALSE once the deadline passed. */
static gboolean
monitor_wait_until (Monitor *monitor,
                    gint64   deadline)
{
  struct timespec ts = {
    .tv_sec = deadline / G_USEC_PER_SEC,
    .tv_nsec = (deadline % G_USEC_PER_SEC) * 1000,
  };

  return pthread_cond_timedwait (&monitor->cond, &monitor->mutex, &ts) == 0;
}

/* A door jobs wait at; waits give up after TIMEOUT_S. */
typedef struct
{
  Monitor  monitor;
  gboolean open;
} Gate;

static void
gate_init (Gate *gate)
{
  monitor_init (&gate->monitor);
  gate->open = FALSE;
}

static void
gate_clear (Gate *gate)
{
  monitor_clear (&gate->monitor);
}

static void
gate_open (Gate *gate)
{
  monitor_lock (&gate->monitor);
  gate->open = TRUE;
  monitor_broadcast (&gate->monitor);
  monitor_unlock (&gate->monitor);
}

/* Returns FALSE if the gate did not open in time. */
static gboolean
gate_wait (Gate *gate)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);
  gboolean opened;

  monitor_lock (&gate->monitor);
  while (!gate->open && monitor_wait_until (&gate->monitor, deadline))
    ;
  opened = gate->open;
  monitor_unlock (&gate->monitor);

  return opened;
}

/* What happened to one job, written by the job function (worker thread)
 * and its destroy notify (whichever thread), read by the test. */
typedef struct
{
  gint      ran;             /* (atomic) times the function ran */
  gint      started;         /* (atomic) */
  gint      finished;        /* (atomic) the function is about to return */
  gint      notified;        /* (atomic) times the user data's notify ran */
  GThread  *notify_thread;   /* (atomic) where it ran */
  GThread  *job_thread;      /* (atomic) where the function ran */
  char     *job_thread_name; /* written by the function before it returns */
  Gate     *gate;            /* (nullable) the function waits for it */
  gint      gate_timed_out;  /* (atomic) */
  gint      saw_cancel;      /* (atomic) the job's cancellable was cancelled */
  gint      result_freed;    /* (atomic) pointer results freed */
  gint64    value;           /* the int64 result */
} Probe;

static void
probe_clear (Probe *probe)
{
  g_free (probe->job_thread_name);
}

static void
probe_notify (gpointer data)
{
  Probe *probe = data;

  g_atomic_pointer_set (&probe->notify_thread, g_thread_self ());
  g_atomic_int_inc (&probe->notified);
}

static void
probe_result_free (gpointer data)
{
  Probe *probe = data;

  g_atomic_int_inc (&probe->result_freed);
}

/* Records where it runs, waits at the probe's gate if it has one, and
 * returns the probe's value. */
static gboolean
job_record (GaioJob   *job,
            gpointer   user_data,
            GError   **error)
{
  Probe *probe = user_data;

  g_atomic_int_inc (&probe->started);
  g_atomic_int_inc (&probe->ran);
  g_atomic_pointer_set (&probe->job_thread, g_thread_self ());
  g_free (probe->job_thread_name);
  probe->job_thread_name = dup_thread_name ();

  if (probe->gate != NULL && !gate_wait (probe->gate))
    g_atomic_int_set (&probe->gate_timed_out, TRUE);

  gaio_job_set_result_int64 (job, probe->value);
  g_atomic_int_set (&probe->finished, TRUE);

  return TRUE;
}

/* Waits (bounded) until its cancellable is cancelled, then sets a pointer
 * result that must be freed exactly once although nobody receives it. */
static gboolean
job_wait_cancel (GaioJob   *job,
                 gpointer   user_data,
                 GError   **error)
{
  Probe *probe = user_data;
  GCancellable *cancellable = gaio_job_get_cancellable (job);
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);

  g_atomic_int_inc (&probe->ran);
  g_atomic_pointer_set (&probe->job_thread, g_thread_self ());
  g_atomic_int_inc (&probe->started);

  while (!gaio_job_is_cancelled (job) && g_get_monotonic_time () < deadline)
    g_usleep (500);

  if (gaio_job_is_cancelled (job) && g_cancellable_is_cancelled (cancellable))
    g_atomic_int_set (&probe->saw_cancel, TRUE);

  gaio_job_set_result_pointer (job, probe, probe_result_free);
  g_atomic_int_set (&probe->finished, TRUE);

  return TRUE;
}

static gboolean
job_noop (GaioJob   *job,
          gpointer   user_data,
          GError   **error)
{
  return TRUE;
}

/* Returns the name of its thread. */
static gboolean
job_thread_name (GaioJob   *job,
                 gpointer   user_data,
                 GError   **error)
{
  g_autofree char *name = dup_thread_name ();

  gaio_job_set_result_string (job, name);
  return TRUE;
}

/* Returns its thread, as a uint64. */
static gboolean
job_thread_id (GaioJob   *job,
               gpointer   user_data,
               GError   **error)
{
  gaio_job_set_result_uint64 (job, thread_id ());
  return TRUE;
}

/* Reads an error out of a failed future (marking it retrieved). */
static GError *
future_dup_error (GaioFuture *future)
{
  GError *error = NULL;

  g_assert_false (gaio_future_get_result (future, NULL, &error));
  g_assert_nonnull (error);

  return error;
}

/* Shuts @executor down (waiting), drops the caller's reference and waits
 * until it is finalized: the workers drop theirs a moment after the last
 * job, so finalization may happen on one of them. */
static void
weak_notify_flag (gpointer  data,
                  GObject  *where_the_object_was)
{
  /* Pairs with the release in watch_finalize(): GObject's weak-reference
   * lock is invisible to ThreadSanitizer, which would otherwise take the
   * flag's stack slot, written by earlier calls on the main thread, for
   * a race with this write from a worker. */
  GAIO_TSAN_ACQUIRE (data);
  g_atomic_int_set ((gint *) data, TRUE);
}

/* g_object_weak_ref (@object, weak_notify_flag, @finalized), the flag
 * cleared first. */
static void
watch_finalize (gpointer  object,
                gint     *finalized)
{
  g_atomic_int_set (finalized, FALSE);
  GAIO_TSAN_RELEASE (finalized);
  g_object_weak_ref (object, weak_notify_flag, finalized);
}

static void
release_object (gpointer object)
{
  gint finalized;

  /* The notify may run in a worker: see weak_notify_flag(). */
  watch_finalize (object, &finalized);
  g_object_unref (object);
  if (!poll_until (NULL, atomic_is_set, &finalized))
    g_object_weak_unref (object, weak_notify_flag, &finalized);
}

static void
release_executor (gpointer executor)
{
  gaio_executor_shutdown (executor, TRUE, FALSE);
  g_assert_true (gaio_executor_is_shutdown (executor));
  release_object (executor);
}

/* ------------------------------------------------------------------ */
/* A GaioExecutor of the test's own: one GThread per job, or one that    */
/* fails or refuses its jobs. set_default_executor must refuse it.       */

typedef enum
{
  TEST_EXECUTOR_THREAD,
  TEST_EXECUTOR_FAIL,
  TEST_EXECUTOR_REFUSE,
  TEST_EXECUTOR_SUBMIT_TWICE,
} TestExecutorMode;

#define TEST_TYPE_EXECUTOR (test_executor_get_type ())
G_DECLARE_FINAL_TYPE (TestExecutor, test_executor, TEST, EXECUTOR, GObject)

struct _TestExecutor
{
  GObject           parent_instance;
  TestExecutorMode  mode;
  GPtrArray        *threads;   /* (element-type GThread) loop thread only */
  gboolean          shutdown;
  guint             n_submitted;
  /* SUBMIT_TWICE: hands each job to this pool, then again. */
  GaioExecutor     *inner;      /* (owned) (nullable) */
  GError           *second;     /* (owned) (nullable) the second submission's */
};

static void test_executor_iface_init (GaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestExecutor, test_executor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GAIO_TYPE_EXECUTOR,
                                                      test_executor_iface_init))

static gpointer
test_executor_thread (gpointer data)
{
  GaioJob *job = data;

  gaio_job_run (job);
  gaio_job_unref (job);

  return NULL;
}

static gboolean
test_executor_submit (GaioExecutor  *executor,
                      GaioJob       *job,
                      GError       **error)
{
  TestExecutor *self = TEST_EXECUTOR (executor);

  if (self->shutdown)
    {
      g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN,
                           "cannot schedule new futures after shutdown");
      return FALSE;
    }

  self->n_submitted++;
  switch (self->mode)
    {
    case TEST_EXECUTOR_THREAD:
      g_ptr_array_add (self->threads,
                       g_thread_new ("test-executor", test_executor_thread, gaio_job_ref (job)));
      return TRUE;

    case TEST_EXECUTOR_FAIL:
      {
        g_autoptr(GError) failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                                                         "worker lost");

        gaio_job_fail (job, failure);
        return TRUE;
      }

    case TEST_EXECUTOR_SUBMIT_TWICE:
      if (!gaio_executor_submit (self->inner, job, error))
        return FALSE;
      g_assert_false (gaio_executor_submit (self->inner, job, &self->second));
      return TRUE;

    case TEST_EXECUTOR_REFUSE:
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "refused");
      return FALSE;
    }
}

static void
test_executor_join (TestExecutor *self)
{
  for (guint i = 0; i < self->threads->len; i++)
    g_thread_join (g_ptr_array_index (self->threads, i));
  g_ptr_array_set_size (self->threads, 0);
}

static void
test_executor_shutdown (GaioExecutor *executor,
                        gboolean      wait,
                        gboolean      cancel_futures)
{
  TestExecutor *self = TEST_EXECUTOR (executor);

  self->shutdown = TRUE;
  if (wait)
    test_executor_join (self);
}

static gboolean
test_executor_is_shutdown (GaioExecutor *executor)
{
  return TEST_EXECUTOR (executor)->shutdown;
}

static void
test_executor_iface_init (GaioExecutorInterface *iface)
{
  iface->submit = test_executor_submit;
  iface->shutdown = test_executor_shutdown;
  iface->is_shutdown = test_executor_is_shutdown;
}

static void
test_executor_finalize (GObject *object)
{
  TestExecutor *self = TEST_EXECUTOR (object);

  test_executor_join (self);
  g_ptr_array_unref (self->threads);
  g_clear_object (&self->inner);
  g_clear_error (&self->second);

  G_OBJECT_CLASS (test_executor_parent_class)->finalize (object);
}

static void
test_executor_class_init (TestExecutorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_executor_finalize;
}

static void
test_executor_init (TestExecutor *self)
{
  self->threads = g_ptr_array_new ();
}

static TestExecutor *
test_executor_new (TestExecutorMode mode)
{
  TestExecutor *self = g_object_new (TEST_TYPE_EXECUTOR, NULL);

  self->mode = mode;
  return self;
}

/* ------------------------------------------------------------------ */
/* Saturation: how many jobs run at once                                */

typedef struct
{
  Monitor    monitor;
  guint      running;
  guint      peak;
  guint      ran;
  gboolean   release;
  gboolean   timed_out;
  GPtrArray *threads;   /* distinct threads that ran a job */
} Saturation;

static void
saturation_init (Saturation *s)
{
  memset (s, 0, sizeof *s);
  monitor_init (&s->monitor);
  s->threads = g_ptr_array_new ();
}

static void
saturation_clear (Saturation *s)
{
  monitor_clear (&s->monitor);
  g_ptr_array_unref (s->threads);
}

/* Counts itself running and stays until released. */
static gboolean
job_saturate (GaioJob   *job,
              gpointer   user_data,
              GError   **error)
{
  Saturation *s = user_data;
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);

  monitor_lock (&s->monitor);
  s->running++;
  s->ran++;
  s->peak = MAX (s->peak, s->running);
  if (!g_ptr_array_find (s->threads, g_thread_self (), NULL))
    g_ptr_array_add (s->threads, g_thread_self ());
  monitor_broadcast (&s->monitor);
  while (!s->release)
    if (!monitor_wait_until (&s->monitor, deadline))
      {
        s->timed_out = TRUE;
        break;
      }
  s->running--;
  monitor_unlock (&s->monitor);

  return TRUE;
}

/* Submits 3 * @cap saturating jobs to @executor, waits until @cap run
 * at once, gives a job that would break the cap a moment to start, then
 * lets them all finish. Returns the peak. */
static guint
saturate (GaioLoop     *loop,
          GaioExecutor *executor,
          guint         cap,
          guint        *n_threads)
{
  Saturation s;
  GPtrArray *futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  guint n_jobs = 3 * cap;
  gint64 deadline;
  guint peak;

  saturation_init (&s);

  for (guint i = 0; i < n_jobs; i++)
    g_ptr_array_add (futures, gaio_loop_run_in_executor (loop, executor, job_saturate,
                                                         NULL, &s, NULL));

  /* All of the cap running at once must happen. */
  deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);
  monitor_lock (&s.monitor);
  while (s.running < cap && monitor_wait_until (&s.monitor, deadline))
    ;
  g_assert_cmpuint (s.running, ==, cap);

  /* A grace period in which a job beyond the cap would start if the pool
   * let it; not a timing assertion: a correct pool passes whatever it
   * lasts. */
  deadline = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;
  while (s.running <= cap && monitor_wait_until (&s.monitor, deadline))
    ;
  s.release = TRUE;
  monitor_broadcast (&s.monitor);
  monitor_unlock (&s.monitor);

  for (guint i = 0; i < futures->len; i++)
    {
      GaioFuture *future = g_ptr_array_index (futures, i);
      GError *error = NULL;

      wait_future (loop, future);
      g_assert_true (gaio_future_get_result (future, NULL, &error));
      g_assert_no_error (error);
    }
  g_ptr_array_unref (futures);

  monitor_lock (&s.monitor);
  g_assert_cmpuint (s.ran, ==, n_jobs);
  g_assert_false (s.timed_out);
  peak = s.peak;
  *n_threads = s.threads->len;
  monitor_unlock (&s.monitor);

  saturation_clear (&s);

  return peak;
}

static guint
python_default_workers (void)
{
  return MIN (32, g_get_num_processors () + 4);
}

/* ------------------------------------------------------------------ */
/* EX-01, FU-11: the round trip                                          */

static gboolean
job_echo_with_thread (GaioJob   *job,
                      gpointer   user_data,
                      GError   **error)
{
  const char *word;

  g_variant_get (gaio_job_get_args (job), "(&s)", &word);
  gaio_job_set_result_variant (job, g_variant_new ("(st)", word, thread_id ()));

  return TRUE;
}

/* EX-01: test_events.py::EventLoopTestsMixin::test_run_in_executor, and
 * FU-11: test_futures.py::test_wrap_future_use_running_loop.
 * run_in_executor(None, run, 'yo') returns a (pending) future of this
 * loop, not a coroutine; run('yo') runs in a thread other than the
 * loop's and the result is ('yo', thread ident). */
static void
test_run_in_executor (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future;
  GVariant *result;
  GError *error = NULL;
  const char *word;
  guint64 tid;

  future = gaio_loop_run_in_executor (loop, NULL, job_echo_with_thread,
                                      g_variant_new ("(s)", "yo"), NULL, NULL);
  g_assert_nonnull (future);
  g_assert_true (gaio_future_get_loop (future) == loop);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_PENDING);

  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);
  result = gaio_future_get_result_variant (future, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (result), ==, "(st)");
  g_variant_get (result, "(&st)", &word, &tid);
  g_assert_cmpstr (word, ==, "yo");
  g_assert_cmpuint (tid, !=, thread_id ());

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
}

typedef struct
{
  guint    calls;
  GThread *thread;
  gint64   value;
} DoneRecord;

static void
record_done (GaioFuture *future,
             gpointer    user_data)
{
  DoneRecord *record = user_data;
  GError *error = NULL;

  record->calls++;
  record->thread = g_thread_self ();
  record->value = gaio_future_get_result_int64 (future, &error);
  g_assert_no_error (error);
}

/* FU-11: test_futures.py::test_wrap_future: the result of a thread-pool
 * job reaches the loop's future on the loop's thread; its done callbacks
 * run there too, from the loop (never inside the worker's completion). */
static void
test_result_on_loop_thread (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Probe probe = { .value = 42 };
  DoneRecord record = { 0 };
  GaioFuture *future;

  future = gaio_loop_run_in_executor (loop, NULL, job_record, NULL, &probe, NULL);
  gaio_future_add_done_callback (future, record_done, &record, NULL);

  /* The worker finishing does not complete the future by itself. */
  g_assert_true (poll_until (NULL, atomic_is_set, &probe.finished));
  g_assert_false (gaio_future_is_done (future));
  g_assert_cmpuint (record.calls, ==, 0);

  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop),
                                          (GaioTestCondition) future_is_done, future, TIMEOUT_S));
  gaio_test_iterate (gaio_loop_get_context (loop), 2);
  g_assert_cmpuint (record.calls, ==, 1);
  g_assert_true (record.thread == g_thread_self ());
  g_assert_cmpint (record.value, ==, 42);
  g_assert_true (g_atomic_pointer_get (&probe.job_thread) != g_thread_self ());

  gaio_future_unref (future);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

typedef enum
{
  KIND_INT64,
  KIND_UINT64,
  KIND_DOUBLE,
  KIND_BOOLEAN,
  KIND_STRING,
  KIND_BYTES,
  KIND_OBJECT,
  KIND_VARIANT,
  KIND_POINTER,
  KIND_GVALUE,
  KIND_TAKE_GVALUE,
  N_KINDS
} ResultKind;

static gint pointer_results_freed;

static void
count_pointer_free (gpointer data)
{
  g_assert_true (data == &pointer_results_freed);
  g_atomic_int_inc (&pointer_results_freed);
}

static gboolean
job_typed_result (GaioJob   *job,
                  gpointer   user_data,
                  GError   **error)
{
  guint32 kind;

  g_variant_get (gaio_job_get_args (job), "(u)", &kind);
  switch ((ResultKind) kind)
    {
    case KIND_INT64:
      gaio_job_set_result_int64 (job, G_MININT64);
      break;
    case KIND_UINT64:
      gaio_job_set_result_uint64 (job, G_MAXUINT64);
      break;
    case KIND_DOUBLE:
      gaio_job_set_result_double (job, 2.5);
      break;
    case KIND_BOOLEAN:
      gaio_job_set_result_boolean (job, TRUE);
      break;
    case KIND_STRING:
      gaio_job_set_result_string (job, "from a worker");
      break;
    case KIND_BYTES:
      {
        g_autoptr(GBytes) bytes = g_bytes_new ("\0\1\2", 3);

        gaio_job_set_result_bytes (job, bytes);
      }
      break;
    case KIND_OBJECT:
      {
        g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);

        g_object_set_data_full (object, "made-by", g_strdup ("worker"), g_free);
        gaio_job_set_result_object (job, object);
      }
      break;
    case KIND_VARIANT:
      gaio_job_set_result_variant (job, g_variant_new ("(ib)", 7, TRUE));
      break;
    case KIND_POINTER:
      gaio_job_set_result_pointer (job, &pointer_results_freed, count_pointer_free);
      break;
    case KIND_GVALUE:
      {
        GValue value = G_VALUE_INIT;

        g_value_init (&value, G_TYPE_STRV);
        g_value_take_boxed (&value, g_strsplit ("a,b", ",", -1));
        gaio_job_set_result (job, &value);
        g_value_unset (&value);
      }
      break;
    case KIND_TAKE_GVALUE:
      {
        GValue value = G_VALUE_INIT;

        g_value_init (&value, G_TYPE_INT);
        g_value_set_int (&value, -3);
        gaio_job_take_result (job, &value);
        g_assert_false (G_IS_VALUE (&value));
      }
      break;
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

/* EX-01 (C/GLib line): a thread job returns any typed result the futures
 * hold (numbers, strings, GBytes, GObjects, GVariants, GValues, pointers
 * with a free function), and the future on the loop holds that value. */
static void
test_result_types (void)
{
  GaioLoop *loop = gaio_test_loop_new ();

  g_atomic_int_set (&pointer_results_freed, 0);

  for (guint kind = 0; kind < N_KINDS; kind++)
    {
      GaioFuture *future = gaio_loop_run_in_executor (loop, NULL, job_typed_result,
                                                      g_variant_new ("(u)", kind), NULL, NULL);
      GError *error = NULL;

      wait_future (loop, future);
      g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);

      switch ((ResultKind) kind)
        {
        case KIND_INT64:
          g_assert_cmpint (gaio_future_get_result_int64 (future, &error), ==, G_MININT64);
          break;
        case KIND_UINT64:
          g_assert_cmpuint (gaio_future_get_result_uint64 (future, &error), ==, G_MAXUINT64);
          break;
        case KIND_DOUBLE:
          g_assert_cmpfloat (gaio_future_get_result_double (future, &error), ==, 2.5);
          break;
        case KIND_BOOLEAN:
          g_assert_true (gaio_future_get_result_boolean (future, &error));
          break;
        case KIND_STRING:
          g_assert_cmpstr (gaio_future_get_result_string (future, &error), ==, "from a worker");
          break;
        case KIND_BYTES:
          {
            GBytes *bytes;

            g_assert_true (gaio_future_get_result_type (future) == G_TYPE_BYTES);
            bytes = (GBytes *) gaio_future_get_result_boxed (future, &error);
            g_assert_nonnull (bytes);
            g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                             "\0\1\2", 3);
          }
          break;
        case KIND_OBJECT:
          {
            GObject *object = gaio_future_get_result_object (future, &error);

            g_assert_true (G_IS_OBJECT (object));
            g_assert_cmpstr (g_object_get_data (object, "made-by"), ==, "worker");
          }
          break;
        case KIND_VARIANT:
          {
            GVariant *variant = gaio_future_get_result_variant (future, &error);
            gint32 i;
            gboolean b;

            g_assert_cmpstr (g_variant_get_type_string (variant), ==, "(ib)");
            g_variant_get (variant, "(ib)", &i, &b);
            g_assert_cmpint (i, ==, 7);
            g_assert_true (b);
          }
          break;
        case KIND_POINTER:
          g_assert_true (gaio_future_get_result_pointer (future, &error) == &pointer_results_freed);
          g_assert_cmpint (g_atomic_int_get (&pointer_results_freed), ==, 0);
          break;
        case KIND_GVALUE:
          {
            GValue value = G_VALUE_INIT;
            const char * const *strv;

            g_assert_true (gaio_future_get_result (future, &value, &error));
            g_assert_true (G_VALUE_HOLDS (&value, G_TYPE_STRV));
            strv = g_value_get_boxed (&value);
            g_assert_cmpstrv (strv, ((const char * const []) { "a", "b", NULL }));
            g_value_unset (&value);
          }
          break;
        case KIND_TAKE_GVALUE:
          {
            GValue value = G_VALUE_INIT;

            g_assert_true (gaio_future_get_result (future, &value, &error));
            g_assert_true (G_VALUE_HOLDS_INT (&value));
            g_assert_cmpint (g_value_get_int (&value), ==, -3);
            g_value_unset (&value);
          }
          break;
        case N_KINDS:
        default:
          g_assert_not_reached ();
        }
      g_assert_no_error (error);

      gaio_future_unref (future);
    }

  /* The pointer result went with its future, once. */
  g_assert_cmpint (g_atomic_int_get (&pointer_results_freed), ==, 1);

  gaio_test_loop_free (loop);
}

/* The job function's doc: no result set means a NULL pointer result
 * (asyncio: a function returning None). */
static void
test_no_result_is_null_pointer (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_run_in_executor (loop, NULL, job_noop, NULL, NULL, NULL);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  wait_future (loop, future);
  g_assert_true (gaio_future_get_result (future, &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_POINTER (&value));
  g_assert_null (g_value_get_pointer (&value));
  g_value_unset (&value);

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
}

static gint replaced_freed;

static void
count_replaced_free (gpointer data)
{
  g_atomic_int_inc (&replaced_freed);
}

static gboolean
job_set_twice (GaioJob   *job,
               gpointer   user_data,
               GError   **error)
{
  gaio_job_set_result_pointer (job, &replaced_freed, count_replaced_free);
  gaio_job_set_result_string (job, "second");
  return TRUE;
}

/* gaio_job_set_result's doc: setting the result again replaces it; the
 * replaced pointer result is freed at once, exactly once. */
static void
test_result_set_twice (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future;
  GError *error = NULL;

  g_atomic_int_set (&replaced_freed, 0);
  future = gaio_loop_run_in_executor (loop, NULL, job_set_twice, NULL, NULL, NULL);
  wait_future (loop, future);
  g_assert_cmpstr (gaio_future_get_result_string (future, &error), ==, "second");
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&replaced_freed), ==, 1);

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&replaced_freed), ==, 1);
}

static gboolean
job_check_args (GaioJob   *job,
                gpointer   user_data,
                GError   **error)
{
  GVariant *args = gaio_job_get_args (job);

  if (args == NULL)
    gaio_job_set_result_string (job, "no args");
  else
    {
      g_assert_false (g_variant_is_floating (args));
      gaio_job_set_result_string (job, g_variant_get_type_string (args));
    }
  return TRUE;
}

/* run_in_executor's doc: the arguments reach the job (a floating
 * reference is sunk, and released with the job); none means NULL. */
static void
test_args (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GVariant *kept = g_variant_ref_sink (g_variant_new ("(sx)", "kept", (gint64) 5));
  GaioFuture *futures[3];
  const char *expected[3] = { "(iu)", "no args", "(sx)" };

  futures[0] = gaio_loop_run_in_executor (loop, NULL, job_check_args,
                                          g_variant_new ("(iu)", -1, 1), NULL, NULL);
  futures[1] = gaio_loop_run_in_executor (loop, NULL, job_check_args, NULL, NULL, NULL);
  futures[2] = gaio_loop_run_in_executor (loop, NULL, job_check_args, kept, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      GError *error = NULL;

      wait_future (loop, futures[i]);
      g_assert_cmpstr (gaio_future_get_result_string (futures[i], &error), ==, expected[i]);
      g_assert_no_error (error);
      gaio_future_unref (futures[i]);
    }

  /* The caller's own reference is untouched. */
  g_assert_false (g_variant_is_floating (kept));
  g_variant_unref (kept);

  gaio_test_loop_free (loop);
}

/* run_in_executor's doc: the user data's notify runs exactly once, on
 * the loop's thread, when the outcome is delivered. */
static void
test_notify_once_on_loop_thread (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Probe probe = { .value = 1 };
  GaioFuture *future;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, NULL, job_record, NULL, &probe, probe_notify);
  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_result_int64 (future, &error), ==, 1);
  g_assert_no_error (error);

  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  probe_clear (&probe);
}

/* EX-01, LS-10: asyncio delivers a job's outcome with
 * call_soon_threadsafe() once the function returned, so what the job
 * itself posted with call_soon_threadsafe() runs first: its future is
 * still pending then, and done when its done callback runs. Many jobs
 * at once, through several workers, so that outcomes queue up together. */
#define POSTS_PER_JOB 3

typedef struct
{
  GaioLoop   *loop;
  gint        posts_run;     /* loop thread: the job's posts that ran */
  GaioFuture *future;        /* (unowned) set on the loop thread before it runs */
  gboolean    pending_seen;  /* every post found the future pending */
} OrderProbe;

static gboolean
order_post_cb (gpointer   user_data,
               GError   **error)
{
  OrderProbe *probe = user_data;

  probe->posts_run++;
  probe->pending_seen = probe->pending_seen && !gaio_future_is_done (probe->future);
  return TRUE;
}

static gboolean
job_post_then_return (GaioJob   *job,
                      gpointer   user_data,
                      GError   **error)
{
  OrderProbe *probe = user_data;

  for (guint i = 0; i < POSTS_PER_JOB; i++)
    {
      GaioHandle *handle = gaio_loop_call_soon_threadsafe (probe->loop, order_post_cb, probe,
                                                           NULL, NULL);

      g_assert_nonnull (handle);
      gaio_handle_unref (handle);
    }
  return TRUE;
}

static void
order_done_cb (GaioFuture *future,
               gpointer    user_data)
{
  OrderProbe *probe = user_data;

  g_assert_cmpint (probe->posts_run, ==, POSTS_PER_JOB);
}

static void
test_outcome_after_job_posts (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *pool = gaio_thread_pool_executor_new (4, NULL);
  guint n = gaio_test_scale (500);
  g_autofree OrderProbe *probes = g_new0 (OrderProbe, n);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);

  for (guint i = 0; i < n; i++)
    {
      GaioFuture *future;

      probes[i].loop = loop;
      probes[i].pending_seen = TRUE;
      /* The posts run on the loop's thread, after this loop of
       * submissions: the future is known by then. */
      future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), job_post_then_return,
                                          NULL, &probes[i], NULL);
      probes[i].future = future;
      gaio_future_add_done_callback (future, order_done_cb, &probes[i], NULL);
      g_ptr_array_add (futures, future);
    }

  for (guint i = 0; i < n; i++)
    {
      wait_future (loop, g_ptr_array_index (futures, i));
      g_assert_cmpint (probes[i].posts_run, ==, POSTS_PER_JOB);
      g_assert_true (probes[i].pending_seen);
    }

  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
  g_object_unref (pool);
  g_clear_pointer (&futures, g_ptr_array_unref);
  gaio_test_loop_free (loop);
}

/* A loop, job after job, must be let go by the job once its future is
 * done: otherwise the last reference (and the loop's finalization) may
 * land on a worker thread after the test (or the application) dropped
 * its own, and "the test held the last reference" fails at random. */
static void
test_loop_released_on_delivery (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  guint n = gaio_test_scale (2000);
  guint held = 0;

  for (guint i = 0; i < n; i++)
    {
      GaioFuture *future = gaio_loop_run_in_executor (loop, NULL, job_noop, NULL, NULL, NULL);
      GError *error = NULL;

      wait_future (loop, future);
      g_assert_true (gaio_future_get_result (future, NULL, &error));
      g_assert_no_error (error);
      gaio_future_unref (future);

      /* Only the test's reference is left once the outcome is delivered. */
      if (g_atomic_int_get (&G_OBJECT (loop)->ref_count) != 1)
        held++;
    }

  if (held != 0)
    g_test_message ("the loop was still referenced from a worker after %u of %u deliveries",
                    held, n);
  g_assert_cmpuint (held, ==, 0);

  /* Let the workers drop whatever they still hold before the strict
   * teardown below. */
  g_assert_true (poll_until (NULL, loop_has_one_ref, loop));
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* EX-08: errors                                                         */

static gboolean
job_fail (GaioJob   *job,
          gpointer   user_data,
          GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "nothing there");
  return FALSE;
}

/* EX-08: an error raised in the job is the future's error (the same
 * domain, code and message); the future is finished, not cancelled. */
static void
test_job_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_run_in_executor (loop, NULL, job_fail, NULL, NULL, NULL);
  GError *error = NULL;
  const GError *stored;

  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);
  g_assert_false (gaio_future_is_cancelled (future));

  stored = gaio_future_get_error (future, &error);
  g_assert_no_error (error);
  g_assert_error (stored, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (stored->message, ==, "nothing there");

  error = future_dup_error (future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "nothing there");
  g_clear_error (&error);

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
}

static gboolean
job_false_without_error (GaioJob   *job,
                         gpointer   user_data,
                         GError   **error)
{
  return FALSE;
}

/* EX-08: a job that fails without saying why still fails its future
 * (GAIO_ERROR_FAILED), rather than finishing it with a result. */
static void
test_job_false_without_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_run_in_executor (loop, NULL, job_false_without_error,
                                                  NULL, NULL, NULL);
  GError *error = NULL;

  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);
  error = future_dup_error (future);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_FAILED);
  g_clear_error (&error);

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
}

typedef struct
{
  guint   calls;
  char   *message;
  GError *error;
  gboolean had_future;
} Reports;

static gboolean
reports_handler (GaioLoop              *loop,
                 GaioExceptionContext  *context,
                 gpointer               user_data,
                 GError               **error)
{
  Reports *reports = user_data;
  const GError *err = gaio_exception_context_get_error (context);

  reports->calls++;
  g_free (reports->message);
  reports->message = g_strdup (gaio_exception_context_get_message (context));
  g_clear_error (&reports->error);
  reports->error = err != NULL ? g_error_copy (err) : NULL;
  reports->had_future = gaio_exception_context_get_future (context) != NULL;

  return TRUE;
}

/* EX-08: a job error nobody retrieves is reported when the future goes
 * away, as "Future exception was never retrieved", with the error. */
static void
test_job_error_never_retrieved (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Reports reports = { 0 };
  GaioFuture *future;

  gaio_loop_set_exception_handler (loop, reports_handler, &reports, NULL);

  future = gaio_loop_run_in_executor (loop, NULL, job_fail, NULL, NULL, NULL);
  wait_future (loop, future);
  g_assert_cmpuint (reports.calls, ==, 0);

  gaio_future_unref (future);
  g_assert_cmpuint (reports.calls, ==, 1);
  g_assert_cmpstr (reports.message, ==, "Future exception was never retrieved");
  g_assert_error (reports.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (reports.error->message, ==, "nothing there");
  g_assert_true (reports.had_future);

  gaio_loop_set_exception_handler (loop, NULL, NULL, NULL);
  g_free (reports.message);
  g_clear_error (&reports.error);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* EX-02: the default executor                                           */

/* EX-02: nothing is created until the first run_in_executor(None, ...):
 * making and running a loop starts no thread, and shutting down a default
 * executor that was never used has nothing to wait for. */
static void
test_default_created_lazily (void)
{
  guint before = count_threads ();
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future;
  GError *error = NULL;

  gaio_test_iterate (gaio_loop_get_context (loop), 3);
  g_assert_cmpuint (count_threads (), <=, before);

  future = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_future_is_done (future));
  g_assert_true (gaio_future_get_result (future, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_threads (), <=, before);

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
}

/* EX-02: the default executor's threads are named after it (asyncio:
 * asyncio_0, asyncio_1, ...; libgaio: gaio_0, gaio_1, ...). */
static void
test_default_thread_names (void)
{
  GaioLoop *loop;
  GPtrArray *futures;
  guint n = python_default_workers () * 2;

  if (!have_thread_names ())
    return;

  loop = gaio_test_loop_new ();
  futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (futures, gaio_loop_run_in_executor (loop, NULL, job_thread_name,
                                                         NULL, NULL, NULL));

  for (guint i = 0; i < n; i++)
    {
      GaioFuture *future = g_ptr_array_index (futures, i);
      GError *error = NULL;
      const char *name;
      guint64 index;

      wait_future (loop, future);
      name = gaio_future_get_result_string (future, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (name, "gaio_"));
      g_assert_true (g_ascii_string_to_unsigned (name + strlen ("gaio_"), 10, 0,
                                                 python_default_workers () - 1, &index, NULL));
    }

  g_ptr_array_unref (futures);
  gaio_test_loop_free (loop);
}

/* EX-02: test_concurrent_futures.py::ThreadPoolExecutorTest::
 * test_default_workers: max_workers 0 means min(32, cpu count + 4). */
static void
test_default_max_workers (void)
{
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (0, NULL);

  g_assert_cmpuint (gaio_thread_pool_executor_get_max_workers (executor), ==,
                    python_default_workers ());
  release_executor (executor);
}

/* EX-02: the default executor runs min(32, cpu count + 4) jobs at once,
 * never more, and as many as that do run at once. */
static void
test_default_concurrency_cap (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  guint n_threads;

  g_assert_cmpuint (saturate (loop, NULL, python_default_workers (), &n_threads), ==,
                    python_default_workers ());
  g_assert_cmpuint (n_threads, ==, python_default_workers ());

  gaio_test_loop_free (loop);
}

static void
warm_up_job (gpointer data,
             gpointer user_data)
{
}

static gboolean
no_unused_threads (gpointer data)
{
  return g_thread_pool_get_num_unused_threads () == 0;
}

/* EX-02 ("threads are spawned on demand only when no idle worker
 * exists"): test_concurrent_futures.py::ThreadPoolExecutorTest::
 * test_idle_thread_reuse: jobs submitted one after the other, each
 * waited for, all run in the one thread the pool started; a pool of 4
 * does not start 4 threads for them. */
static void
test_idle_thread_reuse (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor;
  GPtrArray *threads = g_ptr_array_new ();
  GThreadPool *warm;
  guint before, after;
  guint n_jobs = 10;

  /* Threads a process starts once, with its first thread pool (GLib's
   * "pool-spawner", a sanitizer's background thread), are not the
   * executor's: have them started before counting. Then idle threads
   * GLib keeps from earlier tests would be reused by a new pool and hide
   * what it starts: stop them. */
  warm = g_thread_pool_new (warm_up_job, NULL, 1, FALSE, NULL);
  g_thread_pool_push (warm, GINT_TO_POINTER (1), NULL);
  g_thread_pool_free (warm, FALSE, TRUE);
  g_thread_pool_stop_unused_threads ();
  g_assert_true (poll_until (NULL, no_unused_threads, NULL));
  before = count_threads ();

  executor = gaio_thread_pool_executor_new (4, "idle");
  for (guint i = 0; i < n_jobs; i++)
    {
      GaioFuture *future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor),
                                                      job_thread_id, NULL, NULL, NULL);
      GError *error = NULL;
      gpointer thread;

      wait_future (loop, future);
      thread = GSIZE_TO_POINTER ((gsize) gaio_future_get_result_uint64 (future, &error));
      g_assert_no_error (error);
      if (!g_ptr_array_find (threads, thread, NULL))
        g_ptr_array_add (threads, thread);
      gaio_future_unref (future);

      /* The worker posts the outcome before it goes back to waiting:
       * give it that moment, so that it is idle when the next job comes
       * (CPython's test relies on the GIL for the same). A pool that
       * reuses idle threads passes however long this takes. */
      g_usleep (10 * 1000);
    }
  after = count_threads ();

  g_test_message ("%u sequential jobs ran in %u threads; the process went from %u to %u threads",
                  n_jobs, threads->len, before, after);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpuint (after, <=, before + 1);

  g_ptr_array_unref (threads);
  release_executor (executor);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* EX-03: custom thread pools                                            */

/* EX-03 (Probe E10b): run_in_executor(ThreadPoolExecutor(...), f) runs f
 * in that pool's threads, named PREFIX_N. */
static void
test_custom_pool (void)
{
  GaioLoop *loop;
  GaioThreadPoolExecutor *executor;
  GaioFuture *future;
  GError *error = NULL;

  if (!have_thread_names ())
    return;

  loop = gaio_test_loop_new ();
  executor = gaio_thread_pool_executor_new (2, "custom");
  g_assert_cmpuint (gaio_thread_pool_executor_get_max_workers (executor), ==, 2);
  g_assert_cmpstr (gaio_thread_pool_executor_get_thread_name_prefix (executor), ==, "custom");

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_thread_name,
                                      NULL, NULL, NULL);
  wait_future (loop, future);
  g_assert_cmpstr (gaio_future_get_result_string (future, &error), ==, "custom_0");
  g_assert_no_error (error);

  gaio_future_unref (future);
  release_executor (executor);
  gaio_test_loop_free (loop);
}

/* EX-03: Python's thread_name_prefix default, "ThreadPoolExecutor-M"
 * with M counting executors; thread names keep the 15 bytes the kernel
 * allows of "ThreadPoolExecutor-M_N". */
static void
test_custom_pool_default_prefix (void)
{
  GaioLoop *loop;
  GaioThreadPoolExecutor *first, *second;
  const char *prefix1, *prefix2;
  guint64 m1, m2;
  GaioFuture *future;
  GError *error = NULL;
  g_autofree char *expected = NULL;

  if (!have_thread_names ())
    return;

  loop = gaio_test_loop_new ();
  first = gaio_thread_pool_executor_new (1, NULL);
  second = gaio_thread_pool_executor_new (1, NULL);
  prefix1 = gaio_thread_pool_executor_get_thread_name_prefix (first);
  prefix2 = gaio_thread_pool_executor_get_thread_name_prefix (second);
  g_assert_true (g_str_has_prefix (prefix1, "ThreadPoolExecutor-"));
  g_assert_true (g_str_has_prefix (prefix2, "ThreadPoolExecutor-"));
  g_assert_true (g_ascii_string_to_unsigned (prefix1 + strlen ("ThreadPoolExecutor-"), 10,
                                             0, G_MAXUINT, &m1, NULL));
  g_assert_true (g_ascii_string_to_unsigned (prefix2 + strlen ("ThreadPoolExecutor-"), 10,
                                             0, G_MAXUINT, &m2, NULL));
  g_assert_cmpuint (m2, ==, m1 + 1);

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (first), job_thread_name,
                                      NULL, NULL, NULL);
  wait_future (loop, future);
  expected = g_strndup (prefix1, 15);
  g_assert_cmpstr (gaio_future_get_result_string (future, &error), ==, expected);
  g_assert_no_error (error);

  gaio_future_unref (future);
  release_executor (first);
  release_executor (second);
  gaio_test_loop_free (loop);
}

/* EX-03 (at most 2 concurrent jobs, "observable with a barrier test")
 * and test_concurrent_futures.py::ThreadPoolExecutorTest::test_saturation:
 * a pool of N runs N jobs at once, never more, in N threads. */
static void
test_custom_pool_concurrency_cap (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  guint caps[] = { 1, 2, 4 };

  for (guint i = 0; i < G_N_ELEMENTS (caps); i++)
    {
      GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (caps[i], "cap");
      guint n_threads;

      g_assert_cmpuint (saturate (loop, GAIO_EXECUTOR (executor), caps[i], &n_threads), ==,
                        caps[i]);
      g_assert_cmpuint (n_threads, ==, caps[i]);
      release_executor (executor);
    }

  gaio_test_loop_free (loop);
}

/* EX-03: a custom pool is not affected by shutdown_default_executor(). */
static void
test_custom_pool_unaffected_by_shutdown_default (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, "mine");
  Probe probe = { .value = 5 };
  GaioFuture *shutdown, *future;
  GError *error = NULL;

  /* Make the default executor exist, then shut it down. */
  future = gaio_loop_run_in_executor (loop, NULL, job_noop, NULL, NULL, NULL);
  wait_future (loop, future);
  gaio_future_unref (future);
  shutdown = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_loop_run_until_complete (loop, shutdown, NULL, &error));
  g_assert_no_error (error);
  gaio_future_unref (shutdown);

  g_assert_false (gaio_executor_is_shutdown (GAIO_EXECUTOR (executor)));
  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL,
                                      &probe, NULL);
  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_result_int64 (future, &error), ==, 5);
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 1);

  gaio_future_unref (future);
  release_executor (executor);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Initializers                                                         */

typedef struct
{
  Monitor    lock;
  GPtrArray *threads;     /* threads the initializer ran in, in order */
  guint      calls;
  gint       notified;    /* (atomic) */
  guint      serial;      /* tells executors apart, even at one address */
} InitRecord;

static guint init_serial;

static void
init_record_init (InitRecord *record)
{
  memset (record, 0, sizeof *record);
  monitor_init (&record->lock);
  record->threads = g_ptr_array_new ();
  record->serial = ++init_serial;
}

static void
init_record_clear (InitRecord *record)
{
  g_ptr_array_unref (record->threads);
  monitor_clear (&record->lock);
}

static GPrivate initialized_by = G_PRIVATE_INIT (NULL);

static gboolean
record_initializer (gpointer   user_data,
                    GError   **error)
{
  InitRecord *record = user_data;

  monitor_lock (&record->lock);
  record->calls++;
  g_ptr_array_add (record->threads, g_thread_self ());
  monitor_unlock (&record->lock);
  g_private_set (&initialized_by, GUINT_TO_POINTER (record->serial));

  return TRUE;
}

static void
init_record_notify (gpointer data)
{
  InitRecord *record = data;

  g_atomic_int_inc (&record->notified);
}

/* Sleeps a little, so that the pool uses several threads, and reports
 * whether the initializer of *this* executor ran in its thread first. */
static gboolean
job_check_initialized (GaioJob   *job,
                       gpointer   user_data,
                       GError   **error)
{
  InitRecord *record = user_data;

  g_usleep (2000);
  gaio_job_set_result_boolean (job, g_private_get (&initialized_by) ==
                                    GUINT_TO_POINTER (record->serial));
  return TRUE;
}

/* test_concurrent_futures.py::InitializerMixin::test_initializer: the
 * initializer runs once in each worker thread, before that thread's first
 * job; its data is released once, with the executor. */
static void
test_initializer_once_per_thread (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  InitRecord record;
  GaioThreadPoolExecutor *executor;
  GPtrArray *futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  guint n_jobs = 30;

  init_record_init (&record);
  executor = gaio_thread_pool_executor_new_with_initializer (3, "init", record_initializer,
                                                             &record, init_record_notify);

  for (guint i = 0; i < n_jobs; i++)
    g_ptr_array_add (futures, gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor),
                                                         job_check_initialized, NULL,
                                                         &record, NULL));
  for (guint i = 0; i < n_jobs; i++)
    {
      GaioFuture *future = g_ptr_array_index (futures, i);
      GError *error = NULL;

      wait_future (loop, future);
      g_assert_true (gaio_future_get_result_boolean (future, &error));
      g_assert_no_error (error);
    }
  g_ptr_array_unref (futures);

  monitor_lock (&record.lock);
  g_assert_cmpuint (record.calls, >=, 1);
  g_assert_cmpuint (record.calls, <=, 3);
  for (guint i = 0; i < record.threads->len; i++)
    for (guint j = i + 1; j < record.threads->len; j++)
      g_assert_true (g_ptr_array_index (record.threads, i) !=
                     g_ptr_array_index (record.threads, j));
  monitor_unlock (&record.lock);

  g_assert_cmpint (g_atomic_int_get (&record.notified), ==, 0);
  release_executor (executor);
  g_assert_cmpint (g_atomic_int_get (&record.notified), ==, 1);

  init_record_clear (&record);
  gaio_test_loop_free (loop);
}

/* test_concurrent_futures.py::InitializerMixin::test_initializer, for
 * executor after executor: each new executor runs its own initializer
 * and names its threads, even when GLib hands it a thread an earlier
 * executor used and the new executor lives where the old one did. */
static void
test_initializer_fresh_executor (void)
{
  GaioLoop *loop;
  guint n_rounds = 8;

  if (!have_thread_names ())
    return;

  loop = gaio_test_loop_new ();
  for (guint round = 0; round < n_rounds; round++)
    {
      g_autofree char *prefix = g_strdup_printf ("round%u", round);
      g_autofree char *expected = g_strdup_printf ("round%u_0", round);
      InitRecord record;
      GaioThreadPoolExecutor *executor;
      GaioFuture *checked, *named;
      GError *error = NULL;

      init_record_init (&record);
      executor = gaio_thread_pool_executor_new_with_initializer (1, prefix, record_initializer,
                                                                 &record, init_record_notify);

      checked = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor),
                                           job_check_initialized, NULL, &record, NULL);
      named = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_thread_name,
                                         NULL, NULL, NULL);
      wait_future (loop, checked);
      wait_future (loop, named);
      g_assert_true (gaio_future_get_result_boolean (checked, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (gaio_future_get_result_string (named, &error), ==, expected);
      g_assert_no_error (error);
      g_assert_cmpuint (record.calls, ==, 1);

      gaio_future_unref (checked);
      gaio_future_unref (named);
      release_executor (executor);
      g_assert_cmpint (g_atomic_int_get (&record.notified), ==, 1);
      init_record_clear (&record);
    }

  gaio_test_loop_free (loop);
}

static gboolean
failing_initializer (gpointer   user_data,
                     GError   **error)
{
  g_atomic_int_inc ((gint *) user_data);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "initializer says no");
  return FALSE;
}

/* test_concurrent_futures.py::FailingInitializerMixin::test_initializer
 * (BrokenThreadPool): a failing initializer breaks the pool; its jobs
 * fail with GAIO_ERROR_BROKEN_EXECUTOR and never run; later submissions
 * fail at once the same way; every user data is still released once. */
static void
test_initializer_failure_breaks_pool (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gint init_calls = 0;
  Probe probes[4] = { { 0 } };
  GaioFuture *futures[4];
  GaioThreadPoolExecutor *executor;
  GaioFuture *later;
  Probe later_probe = { 0 };
  GError *error = NULL;

  executor = gaio_thread_pool_executor_new_with_initializer (2, "broken", failing_initializer,
                                                             &init_calls, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL,
                                            &probes[i], probe_notify);
  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      wait_future (loop, futures[i]);
      g_assert_cmpint (gaio_future_get_state (futures[i]), ==, GAIO_FUTURE_FINISHED);
      error = future_dup_error (futures[i]);
      g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);
      g_assert_nonnull (strstr (error->message, "initializer says no"));
      g_clear_error (&error);
      g_assert_cmpint (g_atomic_int_get (&probes[i].ran), ==, 0);
      g_assert_cmpint (g_atomic_int_get (&probes[i].notified), ==, 1);
      gaio_future_unref (futures[i]);
    }
  g_assert_cmpint (g_atomic_int_get (&init_calls), >=, 1);

  /* The pool stays broken: a new job fails without waiting for a worker. */
  later = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL,
                                     &later_probe, probe_notify);
  g_assert_true (gaio_future_is_done (later));
  error = future_dup_error (later);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&later_probe.notified), ==, 1);
  gaio_future_unref (later);

  release_executor (executor);
  g_assert_cmpint (g_atomic_int_get (&later_probe.ran), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    probe_clear (&probes[i]);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* EX-04: set_default_executor                                           */

/* EX-04: test_base_events.py::BaseEventLoopTests::test_set_default_executor:
 * a ThreadPoolExecutor becomes the one run_in_executor(None, ...) uses. */
static void
test_set_default_executor (void)
{
  GaioLoop *loop;
  GaioThreadPoolExecutor *executor;
  GaioFuture *future;
  GError *error = NULL;

  if (!have_thread_names ())
    return;

  loop = gaio_test_loop_new ();
  executor = gaio_thread_pool_executor_new (1, "chosen");
  g_assert_true (gaio_loop_set_default_executor (loop, GAIO_EXECUTOR (executor), &error));
  g_assert_no_error (error);

  future = gaio_loop_run_in_executor (loop, NULL, job_thread_name, NULL, NULL, NULL);
  wait_future (loop, future);
  g_assert_cmpstr (gaio_future_get_result_string (future, &error), ==, "chosen_0");
  g_assert_no_error (error);
  gaio_future_unref (future);

  gaio_test_loop_free (loop);
  /* close() shut the default executor down (EX-06). */
  g_assert_true (gaio_executor_is_shutdown (GAIO_EXECUTOR (executor)));
  release_executor (executor);
}

/* EX-04: test_base_events.py::BaseEventLoopTests::
 * test_set_default_executor_error (and §10.3, probe E9): anything but a
 * ThreadPoolExecutor (another executor kind, a non-executor, None) is
 * refused with "executor must be ThreadPoolExecutor instance", and
 * nothing changes: the previous default stays, the refused object gets
 * no reference. */
static void
test_set_default_executor_error (void)
{
  GaioLoop *loop;
  GaioThreadPoolExecutor *before;
  TestExecutor *other;
  GObject *not_an_executor;
  GaioFuture *future;
  GError *error = NULL;

  if (!have_thread_names ())
    return;

  loop = gaio_test_loop_new ();
  before = gaio_thread_pool_executor_new (1, "before");
  g_assert_true (gaio_loop_set_default_executor (loop, GAIO_EXECUTOR (before), &error));
  g_assert_no_error (error);

  other = test_executor_new (TEST_EXECUTOR_THREAD);
  g_assert_false (gaio_loop_set_default_executor (loop, GAIO_EXECUTOR (other), &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "executor must be ThreadPoolExecutor instance");
  g_clear_error (&error);

  not_an_executor = g_object_new (G_TYPE_OBJECT, NULL);
  g_assert_false (gaio_loop_set_default_executor (loop, (GaioExecutor *) not_an_executor,
                                                  &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "executor must be ThreadPoolExecutor instance");
  g_clear_error (&error);

  g_assert_false (gaio_loop_set_default_executor (loop, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "executor must be ThreadPoolExecutor instance");
  g_clear_error (&error);

  /* Nothing changed. */
  future = gaio_loop_run_in_executor (loop, NULL, job_thread_name, NULL, NULL, NULL);
  wait_future (loop, future);
  g_assert_cmpstr (gaio_future_get_result_string (future, &error), ==, "before_0");
  g_assert_no_error (error);
  gaio_future_unref (future);
  g_assert_cmpuint (other->n_submitted, ==, 0);

  g_assert_finalize_object (other);
  g_assert_finalize_object (not_an_executor);
  gaio_test_loop_free (loop);
  release_executor (before);
}

/* EX-04 (source, checked by probe): set_default_executor does not shut
 * the previous default down, and close() later shuts down only the
 * current one: the caller owns the old one, which still runs jobs. */
static void
test_set_default_executor_keeps_old_running (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *old = gaio_thread_pool_executor_new (1, "old");
  GaioThreadPoolExecutor *new = gaio_thread_pool_executor_new (1, "new");
  Probe probe = { .value = 8 };
  GaioFuture *future;
  GError *error = NULL;

  g_assert_true (gaio_loop_set_default_executor (loop, GAIO_EXECUTOR (old), &error));
  future = gaio_loop_run_in_executor (loop, NULL, job_noop, NULL, NULL, NULL);
  wait_future (loop, future);
  gaio_future_unref (future);

  g_assert_true (gaio_loop_set_default_executor (loop, GAIO_EXECUTOR (new), &error));
  g_assert_no_error (error);
  g_assert_false (gaio_executor_is_shutdown (GAIO_EXECUTOR (old)));

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_false (gaio_executor_is_shutdown (GAIO_EXECUTOR (old)));
  g_assert_true (gaio_executor_is_shutdown (GAIO_EXECUTOR (new)));

  /* The old one still works (with another loop). */
  {
    GaioLoop *other = gaio_test_loop_new ();

    future = gaio_loop_run_in_executor (other, GAIO_EXECUTOR (old), job_record, NULL,
                                        &probe, NULL);
    wait_future (other, future);
    g_assert_cmpint (gaio_future_get_result_int64 (future, &error), ==, 8);
    g_assert_no_error (error);
    gaio_future_unref (future);
    release_executor (old);
    gaio_test_loop_free (other);
  }

  release_executor (new);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

/* EX-04 (§10.3): installing a new default after
 * shutdown_default_executor() is allowed, but run_in_executor(None, ...)
 * still fails with "Executor shutdown has been called"; the new executor
 * is not used. */
static void
test_set_default_executor_after_shutdown (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, "late");
  Probe probe = { 0 };
  GaioFuture *shutdown, *future;
  GError *error = NULL;

  shutdown = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_loop_run_until_complete (loop, shutdown, NULL, &error));
  g_assert_no_error (error);
  gaio_future_unref (shutdown);

  g_assert_true (gaio_loop_set_default_executor (loop, GAIO_EXECUTOR (executor), &error));
  g_assert_no_error (error);

  future = gaio_loop_run_in_executor (loop, NULL, job_record, NULL, &probe, probe_notify);
  g_assert_true (gaio_future_is_done (future));
  error = future_dup_error (future);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN);
  g_assert_cmpstr (error->message, ==, "Executor shutdown has been called");
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  gaio_future_unref (future);

  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 0);
  release_executor (executor);
}

/* ------------------------------------------------------------------ */
/* EX-05: shutdown_default_executor                                      */

typedef struct
{
  GaioLoop *loop;
  gboolean  counting;   /* loop thread: shutdown_default_executor was called */
  gboolean  stop;       /* loop thread */
  gint      ticks;      /* (atomic) ticks counted while the job ran */
  gint      job_done;   /* (atomic) */
  gint      job_started;/* (atomic) */
} Ticker;

static gboolean
ticker_tick (gpointer   user_data,
             GError   **error)
{
  Ticker *ticker = user_data;

  if (ticker->stop)
    return TRUE;
  if (ticker->counting && !g_atomic_int_get (&ticker->job_done))
    g_atomic_int_inc (&ticker->ticks);
  g_assert_nonnull (gaio_loop_call_later (ticker->loop, 0.01, ticker_tick, ticker, NULL,
                                          error));
  return TRUE;
}

/* Runs at least 200 ms, and until the loop has ticked 3 times since
 * shutdown_default_executor() was called (or TIMEOUT_S passed, which only
 * happens if the loop is blocked). */
static gboolean
job_outlast_ticks (GaioJob   *job,
                   gpointer   user_data,
                   GError   **error)
{
  Ticker *ticker = user_data;
  gint64 start = g_get_monotonic_time ();
  gint64 now;

  g_atomic_int_set (&ticker->job_started, TRUE);
  do
    {
      g_usleep (1000);
      now = g_get_monotonic_time ();
    }
  while ((now - start < 200 * G_TIME_SPAN_MILLISECOND || g_atomic_int_get (&ticker->ticks) < 3) &&
         now - start < (gint64) (TIMEOUT_S * G_USEC_PER_SEC));

  gaio_job_set_result_boolean (job, g_atomic_int_get (&ticker->ticks) >= 3);
  g_atomic_int_set (&ticker->job_done, TRUE);

  return TRUE;
}

/* EX-05: test_base_events.py / test_events.py shutdown_default_executor
 * (probes X2, E10): awaiting shutdown_default_executor() waits for the
 * running job, which completes with its result, without blocking the
 * loop: a ticker keeps ticking meanwhile. The shutdown future's result is
 * None (a NULL pointer). */
static void
test_shutdown_default_executor (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Ticker ticker = { .loop = loop };
  GaioFuture *job_future, *shutdown;
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  job_future = gaio_loop_run_in_executor (loop, NULL, job_outlast_ticks, NULL, &ticker, NULL);
  g_assert_true (poll_until (NULL, atomic_is_set, &ticker.job_started));

  ticker.counting = TRUE;
  shutdown = gaio_loop_shutdown_default_executor (loop);
  /* The job cannot end before the loop ticked: nothing is done yet. */
  g_assert_false (gaio_future_is_done (shutdown));
  g_assert_nonnull (gaio_loop_call_later (loop, 0.01, ticker_tick, &ticker, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (gaio_loop_run_until_complete (loop, shutdown, &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_POINTER (&value));
  g_assert_null (g_value_get_pointer (&value));
  g_value_unset (&value);

  /* The running job finished, its outcome delivered first. */
  g_assert_true (gaio_future_is_done (job_future));
  g_assert_true (gaio_future_get_result_boolean (job_future, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&ticker.ticks), >=, 3);

  ticker.stop = TRUE;
  gaio_future_unref (shutdown);
  gaio_future_unref (job_future);
  gaio_test_loop_free (loop);
}

/* EX-05 (asyncio source): a second shutdown_default_executor() has
 * nothing left to wait for and completes at once. */
static void
test_shutdown_default_executor_twice (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future, *first, *second;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, NULL, job_noop, NULL, NULL, NULL);
  first = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_loop_run_until_complete (loop, first, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_future_is_done (future));
  g_assert_true (gaio_future_get_result (future, NULL, &error));
  g_assert_no_error (error);

  second = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_future_is_done (second));
  g_assert_true (gaio_future_get_result (second, NULL, &error));
  g_assert_no_error (error);

  gaio_future_unref (future);
  gaio_future_unref (first);
  gaio_future_unref (second);
  gaio_test_loop_free (loop);
}

/* EX-05: after shutdown_default_executor(), run_in_executor(None, ...)
 * fails at once with "Executor shutdown has been called"; the function
 * never runs and its data is released once. */
static void
test_run_after_shutdown_default (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Probe probe = { 0 };
  GaioFuture *future, *shutdown;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, NULL, job_noop, NULL, NULL, NULL);
  wait_future (loop, future);
  gaio_future_unref (future);
  shutdown = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_loop_run_until_complete (loop, shutdown, NULL, &error));
  g_assert_no_error (error);
  gaio_future_unref (shutdown);

  future = gaio_loop_run_in_executor (loop, NULL, job_record, NULL, &probe, probe_notify);
  g_assert_true (gaio_future_is_done (future));
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);
  error = future_dup_error (future);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN);
  g_assert_cmpstr (error->message, ==, "Executor shutdown has been called");
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 0);
}

/* EX-05 (probe E10g): the flag is set first, so the same holds when no
 * default executor was ever created. */
static void
test_run_after_shutdown_default_never_created (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Probe probe = { 0 };
  GaioFuture *future, *shutdown;
  GError *error = NULL;

  shutdown = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_future_is_done (shutdown));
  g_assert_true (gaio_future_get_result (shutdown, NULL, &error));
  g_assert_no_error (error);
  gaio_future_unref (shutdown);

  future = gaio_loop_run_in_executor (loop, NULL, job_record, NULL, &probe, probe_notify);
  g_assert_true (gaio_future_is_done (future));
  error = future_dup_error (future);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN);
  g_assert_cmpstr (error->message, ==, "Executor shutdown has been called");
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);

  gaio_future_unref (future);
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 0);
}

/* ------------------------------------------------------------------ */
/* EX-06: close()                                                        */

/* EX-06 (BaseEventLoop.close, probes E10d, E10f): close() shuts the
 * default executor down, and afterwards run_in_executor fails with
 * "Event loop is closed". */
static void
test_close_shuts_down_default (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, "closing");
  Probe probe = { 0 };
  GaioFuture *future;
  GError *error = NULL;

  g_assert_true (gaio_loop_set_default_executor (loop, GAIO_EXECUTOR (executor), &error));
  future = gaio_loop_run_in_executor (loop, NULL, job_noop, NULL, NULL, NULL);
  wait_future (loop, future);
  gaio_future_unref (future);

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_executor_is_shutdown (GAIO_EXECUTOR (executor)));

  future = gaio_loop_run_in_executor (loop, NULL, job_record, NULL, &probe, probe_notify);
  g_assert_true (gaio_future_is_done (future));
  error = future_dup_error (future);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  gaio_future_unref (future);

  release_executor (executor);
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 0);
}

/* EX-06: on a closed loop the closed check comes first, for the default
 * executor (shut down by close) and for an explicit one already shut
 * down alike. */
static void
test_closed_loop_fails (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, NULL);
  Probe probes[2] = { { 0 } };
  GaioExecutor *executors[2] = { NULL, GAIO_EXECUTOR (executor) };
  GError *error = NULL;

  gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, FALSE);
  g_assert_true (gaio_loop_close (loop, &error));

  for (guint i = 0; i < G_N_ELEMENTS (executors); i++)
    {
      GaioFuture *future = gaio_loop_run_in_executor (loop, executors[i], job_record, NULL,
                                                      &probes[i], probe_notify);

      g_assert_true (gaio_future_is_done (future));
      error = future_dup_error (future);
      g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
      g_assert_cmpstr (error->message, ==, "Event loop is closed");
      g_clear_error (&error);
      g_assert_cmpint (g_atomic_int_get (&probes[i].notified), ==, 1);
      g_assert_cmpint (g_atomic_int_get (&probes[i].ran), ==, 0);
      gaio_future_unref (future);
    }

  release_executor (executor);
  gaio_test_loop_free (loop);
}

/* EX-06, EX-07 (probe E10f): close() does not wait for a running job of
 * the default executor; the job completes later, and its outcome, with
 * nowhere to go, is dropped quietly: the future stays pending, the user
 * data is released once, in the worker (the loop is closed), and nothing
 * is logged. The job lets go of the loop afterwards. */
static void
test_close_does_not_wait (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *context = g_main_context_ref (gaio_loop_get_context (loop));
  Gate gate;
  Probe probe = { .gate = &gate, .value = 3 };
  GaioFuture *future;
  GThread *job_thread;
  GError *error = NULL;

  gate_init (&gate);
  future = gaio_loop_run_in_executor (loop, NULL, job_record, NULL, &probe, probe_notify);
  g_assert_true (poll_until (NULL, atomic_is_set, &probe.started));

  /* If close() waited for the job, it would return only when the gate
   * gave up: the job would report the time-out. */
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&probe.finished), ==, 0);
  gate_open (&gate);

  g_assert_true (poll_until (NULL, atomic_is_set, &probe.notified));
  g_assert_false (g_atomic_int_get (&probe.gate_timed_out));
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  job_thread = g_atomic_pointer_get (&probe.job_thread);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == job_thread);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_PENDING);

  gaio_future_unref (future);
  g_main_context_pop_thread_default (context);
  release_object (loop);
  g_main_context_unref (context);
  gate_clear (&gate);
  gaio_test_log_assert_no_warnings ();
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  probe_clear (&probe);
}

/* ------------------------------------------------------------------ */
/* EX-07: cancellation                                                   */

/* EX-07 ("completion on a closed loop is a no-op (no crash, no log)"): a
 * job still running when its loop closes finishes later and its outcome
 * is dropped by the worker; cancelling its future, still pending, after
 * that is safe: the future ends cancelled, the data is not released
 * again, nothing is logged, and everything is let go in the end. */
static void
test_cancel_after_close (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, NULL);
  Gate gate;
  Probe probe = { .gate = &gate };
  GaioFuture *future;
  GError *error = NULL;

  gate_init (&gate);
  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL, &probe,
                                      probe_notify);
  g_assert_true (poll_until (NULL, atomic_is_set, &probe.started));
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  gate_open (&gate);
  g_assert_true (poll_until (NULL, atomic_is_set, &probe.notified));

  /* The worker is done with the job: it dropped the outcome and its own
   * reference. */
  gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, FALSE);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_PENDING);

  g_assert_true (gaio_future_cancel (future, NULL));
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);
  error = future_dup_error (future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);

  gaio_future_unref (future);
  release_object (executor);
  gate_clear (&gate);
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  probe_clear (&probe);
}

/* EX-07: test_events.py::test_run_in_executor_cancel (probe4: a queued job
 * cancelled behind a busy one-worker pool never ran) and FU-11:
 * test_futures.py::test_wrap_future_cancel: cancelling the future of a
 * queued job cancels the job: it never runs; the future is cancelled; the
 * data is released once, on the loop's thread. */
static void
test_cancel_queued (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, "busy");
  Gate gate;
  Probe busy = { .gate = &gate, .value = 1 };
  Probe queued = { .value = 2 };
  GaioFuture *busy_future, *queued_future;
  GError *error = NULL;

  gate_init (&gate);
  busy_future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL,
                                           &busy, probe_notify);
  queued_future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL,
                                             &queued, probe_notify);
  g_assert_true (poll_until (NULL, atomic_is_set, &busy.started));

  g_assert_true (gaio_future_cancel (queued_future, NULL));
  g_assert_cmpint (gaio_future_get_state (queued_future), ==, GAIO_FUTURE_CANCELLED);
  gate_open (&gate);

  wait_future (loop, busy_future);
  g_assert_cmpint (gaio_future_get_result_int64 (busy_future, &error), ==, 1);
  g_assert_no_error (error);
  gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, FALSE);
  gaio_test_iterate (gaio_loop_get_context (loop), 3);

  g_assert_cmpint (g_atomic_int_get (&queued.ran), ==, 0);
  g_assert_cmpint (gaio_future_get_state (queued_future), ==, GAIO_FUTURE_CANCELLED);
  error = future_dup_error (queued_future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&queued.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&queued.notify_thread) == g_thread_self ());
  g_assert_cmpint (g_atomic_int_get (&busy.notified), ==, 1);

  gaio_future_unref (busy_future);
  gaio_future_unref (queued_future);
  release_executor (executor);
  gate_clear (&gate);
  probe_clear (&busy);
  probe_clear (&queued);
  gaio_test_loop_free (loop);
}

/* EX-07 (probe T1; libgaio goes further than Python): cancelling the
 * future of a running job cancels the job's GCancellable; the job still
 * runs to its end, its outcome is dropped (a pointer result is freed
 * once), the future stays cancelled, the data is released once on the
 * loop's thread. */
static void
test_cancel_running (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Probe probe = { 0 };
  GaioFuture *future;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, NULL, job_wait_cancel, NULL, &probe, probe_notify);
  g_assert_true (poll_until (NULL, atomic_is_set, &probe.started));

  g_assert_true (gaio_future_cancel (future, "stop it"));
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);

  g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set, &probe.notified));
  g_assert_true (g_atomic_int_get (&probe.saw_cancel));
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());

  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);
  error = future_dup_error (future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "stop it");
  g_clear_error (&error);

  gaio_future_unref (future);
  /* The dropped result is freed with the job, which a worker may hold a
   * moment longer. */
  g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set, &probe.result_freed));
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.result_freed), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  probe_clear (&probe);
}

/* FU-11: test_futures.py::test_wrap_future_cancel2: the job already has
 * its outcome (it finished in the worker, not yet delivered) when the
 * loop's future is cancelled: the future ends cancelled, the outcome is
 * dropped cleanly (freed once), the data released once. */
static void
test_cancel_after_job_finished (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Probe probe = { .value = 42 };
  GaioFuture *future;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, NULL, job_record, NULL, &probe, probe_notify);
  g_assert_true (poll_until (NULL, atomic_is_set, &probe.finished));
  /* Give the worker the moment it needs to post the outcome (either way
   * the outcome is not delivered: the loop is not iterated). */
  g_usleep (10 * 1000);

  g_assert_false (gaio_future_is_done (future));
  g_assert_true (gaio_future_cancel (future, NULL));
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);

  g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set, &probe.notified));
  gaio_test_iterate (gaio_loop_get_context (loop), 2);
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);
  error = future_dup_error (future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());

  gaio_future_unref (future);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

static gboolean
job_sleep_50ms (GaioJob   *job,
                gpointer   user_data,
                GError   **error)
{
  Probe *probe = user_data;

  g_atomic_int_inc (&probe->ran);
  g_usleep (50 * 1000);
  g_atomic_int_set (&probe->finished, TRUE);
  return TRUE;
}

/* EX-07: test_events.py::EventLoopTestsMixin::test_run_in_executor_cancel
 * in full: run(sleep 0.05) in the default executor, cancel its future,
 * run_until_complete(shutdown_default_executor()), close(); nothing is
 * ever posted to the closed loop afterwards: the data was released once,
 * on the loop's thread, before close() returned, and a while later still
 * only once, with nothing logged. */
static void
test_cancel_then_shutdown_and_close (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Probe probe = { 0 };
  GaioFuture *future, *shutdown;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, NULL, job_sleep_50ms, NULL, &probe, probe_notify);
  g_assert_true (gaio_future_cancel (future, NULL));

  shutdown = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_loop_run_until_complete (loop, shutdown, NULL, &error));
  g_assert_no_error (error);
  gaio_future_unref (shutdown);

  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_CANCELLED);
  error = future_dup_error (future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  gaio_future_unref (future);

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());

  /* time.sleep(0.4) in the CPython test. */
  g_usleep (100 * 1000);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* EX-13 and concurrent.futures shutdown                                 */

/* EX-13 (probe E10c) and test_concurrent_futures.py::ExecutorShutdownTest::
 * test_run_after_shutdown: submitting to a shut-down executor fails at
 * once with "cannot schedule new futures after shutdown" (libgaio: a
 * failed future rather than NULL); the function never runs, the data is
 * released once. */
static void
test_submit_after_shutdown (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, NULL);
  Probe probe = { 0 };
  GaioFuture *future;
  GError *error = NULL;

  /* Once used, then shut down (a pool that exists) ... */
  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_noop, NULL, NULL, NULL);
  wait_future (loop, future);
  gaio_future_unref (future);
  gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, FALSE);
  g_assert_true (gaio_executor_is_shutdown (GAIO_EXECUTOR (executor)));

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL, &probe,
                                      probe_notify);
  g_assert_true (gaio_future_is_done (future));
  g_assert_cmpint (gaio_future_get_state (future), ==, GAIO_FUTURE_FINISHED);
  error = future_dup_error (future);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN);
  g_assert_cmpstr (error->message, ==, "cannot schedule new futures after shutdown");
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());
  gaio_future_unref (future);

  release_executor (executor);

  /* ... and one never used. */
  executor = gaio_thread_pool_executor_new (1, NULL);
  gaio_executor_shutdown (GAIO_EXECUTOR (executor), FALSE, FALSE);
  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL, &probe,
                                      probe_notify);
  g_assert_true (gaio_future_is_done (future));
  error = future_dup_error (future);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 2);
  gaio_future_unref (future);

  release_executor (executor);
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 0);
}

typedef struct
{
  gint   done;       /* (atomic) jobs that got to their end */
} Finished;

static gboolean
job_sleep_then_count (GaioJob   *job,
                      gpointer   user_data,
                      GError   **error)
{
  Finished *finished = user_data;

  g_usleep (20 * 1000);
  gaio_job_set_result_int64 (job, g_atomic_int_add (&finished->done, 1));
  return TRUE;
}

/* test_concurrent_futures.py::ExecutorShutdownTest::test_hang_issue12364
 * and ThreadPoolShutdownTest::test_context_manager_shutdown: shutdown
 * (wait=True) returns only when every job already submitted has run;
 * their results then all reach the loop. */
static void
test_shutdown_wait (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (2, NULL);
  Finished finished = { 0 };
  GaioFuture *futures[8];

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor),
                                            job_sleep_then_count, NULL, &finished, NULL);

  gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, FALSE);
  g_assert_cmpint (g_atomic_int_get (&finished.done), ==, G_N_ELEMENTS (futures));

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      GError *error = NULL;

      wait_future (loop, futures[i]);
      gaio_future_get_result_int64 (futures[i], &error);
      g_assert_no_error (error);
      gaio_future_unref (futures[i]);
    }

  release_executor (executor);
  gaio_test_loop_free (loop);
}

/* test_concurrent_futures.py::ThreadPoolShutdownTest::test_shutdown_no_wait:
 * shutdown(wait=False) returns while jobs still run or wait; they all
 * still run (cancel_futures=False) and deliver their results. */
static void
test_shutdown_no_wait (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (2, NULL);
  Gate gate;
  Probe probes[5];
  GaioFuture *futures[5];

  gate_init (&gate);
  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      probes[i] = (Probe) { .gate = &gate, .value = i };
      futures[i] = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL,
                                              &probes[i], probe_notify);
    }
  g_assert_true (poll_until (NULL, atomic_is_set, &probes[0].started));

  /* Returns although the gate is shut: nothing waits for the jobs. */
  gaio_executor_shutdown (GAIO_EXECUTOR (executor), FALSE, FALSE);
  g_assert_true (gaio_executor_is_shutdown (GAIO_EXECUTOR (executor)));
  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    g_assert_cmpint (g_atomic_int_get (&probes[i].finished), ==, 0);
  gate_open (&gate);

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      GError *error = NULL;

      wait_future (loop, futures[i]);
      g_assert_cmpint (gaio_future_get_result_int64 (futures[i], &error), ==, i);
      g_assert_no_error (error);
      g_assert_false (g_atomic_int_get (&probes[i].gate_timed_out));
      g_assert_cmpint (g_atomic_int_get (&probes[i].notified), ==, 1);
      gaio_future_unref (futures[i]);
      probe_clear (&probes[i]);
    }

  release_object (executor);
  gate_clear (&gate);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioExecutor *executor;
  gint          ran;       /* (atomic) */
  gint          timed_out; /* (atomic) */
} ShutdownWatch;

/* Waits until its executor is shut down, so that every job behind it is
 * still queued when the shutdown happens. */
static gboolean
job_until_shutdown (GaioJob   *job,
                    gpointer   user_data,
                    GError   **error)
{
  ShutdownWatch *watch = user_data;
  gint64 deadline = g_get_monotonic_time () + (gint64) (TIMEOUT_S * G_USEC_PER_SEC);

  g_atomic_int_inc (&watch->ran);
  while (!gaio_executor_is_shutdown (watch->executor))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_atomic_int_set (&watch->timed_out, TRUE);
          break;
        }
      g_usleep (500);
    }
  gaio_job_set_result_int64 (job, 7);

  return TRUE;
}

static void
check_cancel_futures (gboolean wait)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, NULL);
  ShutdownWatch watch = { GAIO_EXECUTOR (executor), 0, 0 };
  Probe probes[20] = { { 0 } };
  GaioFuture *running, *queued[20];
  GError *error = NULL;

  running = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_until_shutdown, NULL,
                                       &watch, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    queued[i] = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL,
                                           &probes[i], probe_notify);
  g_assert_true (poll_until (NULL, atomic_is_set, &watch.ran));

  gaio_executor_shutdown (GAIO_EXECUTOR (executor), wait, TRUE);
  if (!wait)
    gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, FALSE);

  /* The running job ran to its end, with its result. */
  wait_future (loop, running);
  g_assert_cmpint (gaio_future_get_result_int64 (running, &error), ==, 7);
  g_assert_no_error (error);
  g_assert_false (g_atomic_int_get (&watch.timed_out));

  /* The queued ones never ran; their futures end cancelled. */
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    {
      wait_future (loop, queued[i]);
      g_assert_cmpint (gaio_future_get_state (queued[i]), ==, GAIO_FUTURE_CANCELLED);
      error = future_dup_error (queued[i]);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_cmpint (g_atomic_int_get (&probes[i].ran), ==, 0);
      gaio_future_unref (queued[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    {
      g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set,
                                 &probes[i].notified));
      g_assert_cmpint (g_atomic_int_get (&probes[i].notified), ==, 1);
      g_assert_true (g_atomic_pointer_get (&probes[i].notify_thread) == g_thread_self ());
      probe_clear (&probes[i]);
    }

  gaio_future_unref (running);
  release_object (executor);
  gaio_test_loop_free (loop);
}

/* test_concurrent_futures.py::ExecutorShutdownTest::test_cancel_futures:
 * shutdown(cancel_futures=True) cancels every job not started: their
 * futures end cancelled, their functions never run; the running job
 * finishes with its result. */
static void
test_shutdown_cancel_futures (void)
{
  check_cancel_futures (TRUE);
}

/* test_concurrent_futures.py::ThreadPoolShutdownTest::
 * test_cancel_futures_wait_false: the same with wait=False. */
static void
test_shutdown_cancel_futures_no_wait (void)
{
  check_cancel_futures (FALSE);
}

/* gaio_executor_shutdown's doc ("shutting down twice is allowed") and
 * Python's Executor.shutdown, which may be called again. */
static void
test_shutdown_twice (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, NULL);
  GaioFuture *future;

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_noop, NULL, NULL, NULL);
  wait_future (loop, future);
  gaio_future_unref (future);

  gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, FALSE);
  gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, TRUE);
  gaio_executor_shutdown (GAIO_EXECUTOR (executor), FALSE, FALSE);
  g_assert_true (gaio_executor_is_shutdown (GAIO_EXECUTOR (executor)));

  release_executor (executor);
  gaio_test_loop_free (loop);
}

/* test_concurrent_futures.py::ThreadPoolShutdownTest::test_del_shutdown,
 * and the executor's doc (queued jobs keep it alive): dropping the
 * executor right after submitting does not lose the jobs; they run and
 * deliver, and the executor goes away after them. */
static void
test_unref_after_submit (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (2, NULL);
  Finished finished = { 0 };
  gint finalized;
  GaioFuture *futures[6];

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor),
                                            job_sleep_then_count, NULL, &finished, NULL);
  watch_finalize (executor, &finalized);
  g_object_unref (executor);

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      GError *error = NULL;

      wait_future (loop, futures[i]);
      gaio_future_get_result_int64 (futures[i], &error);
      g_assert_no_error (error);
      gaio_future_unref (futures[i]);
    }
  g_assert_cmpint (g_atomic_int_get (&finished.done), ==, G_N_ELEMENTS (futures));
  g_assert_true (poll_until (NULL, atomic_is_set, &finalized));

  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Executors of other kinds, through the GaioExecutor interface          */

/* EX-01 ("the same call serves a thread pool and a process pool"): an
 * executor implementing GaioExecutor receives the job and runs it where it
 * likes; the outcome reaches the loop's future the same way. */
static void
test_custom_executor (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TestExecutor *executor = test_executor_new (TEST_EXECUTOR_THREAD);
  Probe probe = { .value = 11 };
  GaioFuture *future;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL, &probe,
                                      probe_notify);
  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_result_int64 (future, &error), ==, 11);
  g_assert_no_error (error);
  g_assert_cmpstr (probe.job_thread_name, ==, "test-executor");
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());
  gaio_future_unref (future);

  gaio_executor_shutdown (GAIO_EXECUTOR (executor), TRUE, FALSE);
  g_assert_finalize_object (executor);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

/* GaioExecutorInterface.submit and gaio_job_fail: an executor that cannot
 * run a job fails it; the future holds that error; the function never
 * runs; the data is released once, on the loop's thread. */
static void
test_custom_executor_fails_job (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TestExecutor *executor = test_executor_new (TEST_EXECUTOR_FAIL);
  Probe probe = { 0 };
  GaioFuture *future;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL, &probe,
                                      probe_notify);
  wait_future (loop, future);
  error = future_dup_error (future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_cmpstr (error->message, ==, "worker lost");
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());
  gaio_future_unref (future);

  g_assert_finalize_object (executor);
  gaio_test_loop_free (loop);
}

/* GaioExecutorInterface.submit returning FALSE: the future fails at once
 * with the executor's error; the function never runs; the data is
 * released once. */
static void
test_custom_executor_refuses (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TestExecutor *executor = test_executor_new (TEST_EXECUTOR_REFUSE);
  Probe probe = { 0 };
  GaioFuture *future;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL, &probe,
                                      probe_notify);
  g_assert_true (gaio_future_is_done (future));
  error = future_dup_error (future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  gaio_future_unref (future);

  g_assert_finalize_object (executor);
  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 0);
}

/* A job handed to a thread pool twice (by an executor that delegates):
 * the second submission is refused with a critical and
 * GAIO_ERROR_INVALID_STATE, and the job runs once. */
static void
test_submit_job_twice (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TestExecutor *executor = test_executor_new (TEST_EXECUTOR_SUBMIT_TWICE);
  Probe probe = { .value = 5 };
  GaioFuture *future;
  GError *error = NULL;

  executor->inner = GAIO_EXECUTOR (gaio_thread_pool_executor_new (1, "twice"));
  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL, &probe,
                                      probe_notify);
  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_CRITICAL), ==, 1);
  g_assert_nonnull (strstr (gaio_test_log_record_field (gaio_test_log_get (0), "MESSAGE"),
                            "submitted before"));
  gaio_test_log_clear ();
  g_assert_error (executor->second, GAIO_ERROR, GAIO_ERROR_INVALID_STATE);

  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_result_int64 (future, &error), ==, 5);
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  gaio_future_unref (future);

  gaio_executor_shutdown (executor->inner, TRUE, FALSE);
  g_assert_finalize_object (executor);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* run_in_executor_async / _finish                                       */

typedef struct
{
  GaioLoop *loop;
  guint     calls;
  GThread  *thread;
  gboolean  ok;
  GValue    value;
  GError   *error;
} AsyncOutcome;

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncOutcome *outcome = user_data;
  GValue *value;

  g_assert_true (source == G_OBJECT (outcome->loop));
  outcome->calls++;
  outcome->thread = g_thread_self ();
  value = gaio_loop_run_in_executor_finish (outcome->loop, result, &outcome->error);
  outcome->ok = value != NULL;
  if (value != NULL)
    {
      g_value_init (&outcome->value, G_VALUE_TYPE (value));
      g_value_copy (value, &outcome->value);
      g_boxed_free (G_TYPE_VALUE, value);
    }
}

static gboolean
async_outcome_ready (gpointer data)
{
  return ((AsyncOutcome *) data)->calls > 0;
}

static void
async_outcome_wait (AsyncOutcome *outcome)
{
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (outcome->loop),
                                          async_outcome_ready, outcome, TIMEOUT_S));
  gaio_test_iterate (gaio_loop_get_context (outcome->loop), 2);
  g_assert_cmpuint (outcome->calls, ==, 1);
  g_assert_true (outcome->thread == g_thread_self ());
}

static void
async_outcome_clear (AsyncOutcome *outcome)
{
  if (G_IS_VALUE (&outcome->value))
    g_value_unset (&outcome->value);
  g_clear_error (&outcome->error);
}

/* The _async/_finish pair: the callback runs once, on the loop's thread
 * (the thread-default context of the caller), and _finish gives the
 * job's result; the job data is released once. */
static void
test_async (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  AsyncOutcome outcome = { .loop = loop };
  Probe probe = { .value = 99 };

  gaio_loop_run_in_executor_async (loop, NULL, job_record, NULL, &probe, probe_notify, NULL,
                                   async_done, &outcome);
  async_outcome_wait (&outcome);
  g_assert_true (outcome.ok);
  g_assert_no_error (outcome.error);
  g_assert_true (G_VALUE_HOLDS_INT64 (&outcome.value));
  g_assert_cmpint (g_value_get_int64 (&outcome.value), ==, 99);
  g_assert_true (g_atomic_pointer_get (&probe.job_thread) != g_thread_self ());
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);

  async_outcome_clear (&outcome);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

/* The _async/_finish pair with a job that fails: _finish gives its
 * error. */
static void
test_async_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, NULL);
  AsyncOutcome outcome = { .loop = loop };

  gaio_loop_run_in_executor_async (loop, GAIO_EXECUTOR (executor), job_fail, NULL, NULL, NULL,
                                   NULL, async_done, &outcome);
  async_outcome_wait (&outcome);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (outcome.error->message, ==, "nothing there");

  async_outcome_clear (&outcome);
  release_executor (executor);
  gaio_test_loop_free (loop);
}

/* The _async pair's GCancellable, cancelled while the job waits behind a
 * busy worker: as cancelling the future, the job never runs; _finish
 * fails with G_IO_ERROR_CANCELLED; the job data is released once. */
static void
test_async_cancel_before_start (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioThreadPoolExecutor *executor = gaio_thread_pool_executor_new (1, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  AsyncOutcome outcome = { .loop = loop };
  Gate gate;
  Probe busy = { .gate = &gate };
  Probe queued = { 0 };
  GaioFuture *busy_future;
  GError *error = NULL;

  gate_init (&gate);
  busy_future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (executor), job_record, NULL,
                                           &busy, NULL);
  gaio_loop_run_in_executor_async (loop, GAIO_EXECUTOR (executor), job_record, NULL, &queued,
                                   probe_notify, cancellable, async_done, &outcome);
  g_assert_true (poll_until (NULL, atomic_is_set, &busy.started));

  g_cancellable_cancel (cancellable);
  async_outcome_wait (&outcome);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gate_open (&gate);
  wait_future (loop, busy_future);
  gaio_future_get_result_int64 (busy_future, &error);
  g_assert_no_error (error);
  release_executor (executor);
  g_assert_cmpint (g_atomic_int_get (&queued.ran), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&queued.notified), ==, 1);

  gaio_future_unref (busy_future);
  g_object_unref (cancellable);
  async_outcome_clear (&outcome);
  gate_clear (&gate);
  probe_clear (&busy);
  probe_clear (&queued);
  gaio_test_loop_free (loop);
}

/* The _async pair's GCancellable, cancelled while the job runs: the job's
 * own cancellable is cancelled, and _finish fails with
 * G_IO_ERROR_CANCELLED. */
static void
test_async_cancel_while_running (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GCancellable *cancellable = g_cancellable_new ();
  AsyncOutcome outcome = { .loop = loop };
  Probe probe = { 0 };

  gaio_loop_run_in_executor_async (loop, NULL, job_wait_cancel, NULL, &probe, probe_notify,
                                   cancellable, async_done, &outcome);
  g_assert_true (poll_until (NULL, atomic_is_set, &probe.started));

  g_cancellable_cancel (cancellable);
  async_outcome_wait (&outcome);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set, &probe.notified));
  g_assert_true (g_atomic_int_get (&probe.saw_cancel));
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set, &probe.result_freed));

  g_object_unref (cancellable);
  async_outcome_clear (&outcome);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

static gpointer
cancel_in_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

/* The _async pair's GCancellable may be cancelled from any thread: the
 * cancellation reaches the loop's thread, the callback runs there. */
static void
test_async_cancel_from_other_thread (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GCancellable *cancellable = g_cancellable_new ();
  AsyncOutcome outcome = { .loop = loop };
  Probe probe = { 0 };
  GThread *thread;

  gaio_loop_run_in_executor_async (loop, NULL, job_wait_cancel, NULL, &probe, probe_notify,
                                   cancellable, async_done, &outcome);
  g_assert_true (poll_until (NULL, atomic_is_set, &probe.started));

  thread = g_thread_new ("canceller", cancel_in_thread, cancellable);
  async_outcome_wait (&outcome);
  g_thread_join (thread);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set, &probe.notified));
  g_assert_true (g_atomic_int_get (&probe.saw_cancel));
  g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set, &probe.result_freed));

  g_object_unref (cancellable);
  async_outcome_clear (&outcome);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

/* A cancellable cancelled before the call: the job is cancelled too (it
 * may not even start), and _finish fails with G_IO_ERROR_CANCELLED. */
static void
test_async_cancelled_before_call (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GCancellable *cancellable = g_cancellable_new ();
  AsyncOutcome outcome = { .loop = loop };
  Probe probe = { 0 };

  g_cancellable_cancel (cancellable);
  gaio_loop_run_in_executor_async (loop, NULL, job_wait_cancel, NULL, &probe, probe_notify,
                                   cancellable, async_done, &outcome);
  async_outcome_wait (&outcome);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set, &probe.notified));
  if (g_atomic_int_get (&probe.ran))
    {
      g_assert_true (g_atomic_int_get (&probe.saw_cancel));
      g_assert_true (poll_until (gaio_loop_get_context (loop), atomic_is_set,
                                 &probe.result_freed));
    }
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);

  g_object_unref (cancellable);
  async_outcome_clear (&outcome);
  probe_clear (&probe);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* EX-14: asyncio.run()'s teardown, the part that exists                 */

/* EX-14 (runners.py Runner.close; test_runners.py::test_asyncio_run_return):
 * the teardown's last two steps, shutdown_default_executor() then
 * close(): a job still running when the teardown starts completes and is
 * delivered before the shutdown future, then the loop closes cleanly.
 * (gaio_run() itself: the two tests below.) */
static void
test_teardown (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Probe probe = { 0 };
  GaioFuture *future, *shutdown;
  GError *error = NULL;

  future = gaio_loop_run_in_executor (loop, NULL, job_sleep_50ms, NULL, &probe, probe_notify);

  shutdown = gaio_loop_shutdown_default_executor (loop);
  g_assert_true (gaio_loop_run_until_complete (loop, shutdown, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_future_is_done (future));
  g_assert_true (gaio_future_get_result (future, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 1);

  gaio_future_unref (shutdown);
  gaio_future_unref (future);
  gaio_test_loop_free (loop);
}

typedef struct
{
  Probe    *probe;
  gboolean  await_job;   /* else start it and return at once */
  GThread  *task_thread;
} RunMain;

/* The seed program's main(): `result = await loop.run_in_executor(None,
 * blocking_io)`, or a job started and left running. */
static gboolean
run_main (gpointer   user_data,
          GValue    *result,
          GError   **error)
{
  RunMain *run = user_data;
  GaioLoop *loop = gaio_get_running_loop ();
  GaioFuture *future;

  run->task_thread = g_thread_self ();
  future = gaio_loop_run_in_executor (loop, NULL, run->await_job ? job_record : job_sleep_50ms,
                                      NULL, run->probe, probe_notify);
  if (run->await_job)
    return gaio_await (future, result, error);

  gaio_future_unref (future);
  g_value_init (result, G_TYPE_STRING);
  g_value_set_string (result, "returned");
  return TRUE;
}

/* EX-01 and EX-14, the seed program's shape: inside gaio_run() (asyncio.run),
 * a task awaits run_in_executor(None, ...): it resumes on the loop's
 * thread with the job's result, which gaio_run() returns. */
static void
test_run_awaits_executor (void)
{
  Probe probe = { .value = 42 };
  RunMain run = { &probe, TRUE, NULL };
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  g_assert_true (gaio_run_full (GAIO_COROUTINE_NEW (run_main, &run, NULL), GAIO_RUN_FLAGS_NO_DEBUG,
                                &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_INT64 (&value));
  g_assert_cmpint (g_value_get_int64 (&value), ==, 42);
  g_value_unset (&value);

  g_assert_true (run.task_thread == g_thread_self ());
  g_assert_true (g_atomic_pointer_get (&probe.job_thread) != g_thread_self ());
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());
  gaio_test_log_assert_no_warnings ();
  probe_clear (&probe);
}

/* EX-14: test_runners.py::RunTests::test_asyncio_run_return, and
 * Runner.close's shutdown_default_executor(): a job main() started and
 * did not wait for still runs to its end before gaio_run() returns main's
 * result; its data is released once, on this thread. */
static void
test_run_teardown_waits_default_executor (void)
{
  Probe probe = { 0 };
  RunMain run = { &probe, FALSE, NULL };
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  g_assert_true (gaio_run_full (GAIO_COROUTINE_NEW (run_main, &run, NULL), GAIO_RUN_FLAGS_NO_DEBUG,
                                &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (&value), ==, "returned");
  g_value_unset (&value);

  g_assert_cmpint (g_atomic_int_get (&probe.ran), ==, 1);
  g_assert_true (g_atomic_int_get (&probe.finished));
  g_assert_cmpint (g_atomic_int_get (&probe.notified), ==, 1);
  g_assert_true (g_atomic_pointer_get (&probe.notify_thread) == g_thread_self ());
  gaio_test_log_assert_no_warnings ();
}

/* ------------------------------------------------------------------ */

int
main (int    argc,
      char **argv)
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Executor/run-in-executor", test_run_in_executor);
  g_test_add_func ("/Gaio/Executor/result-on-loop-thread", test_result_on_loop_thread);
  g_test_add_func ("/Gaio/Executor/outcome-after-job-posts", test_outcome_after_job_posts);
  g_test_add_func ("/Gaio/Executor/result-types", test_result_types);
  g_test_add_func ("/Gaio/Executor/no-result-is-null-pointer", test_no_result_is_null_pointer);
  g_test_add_func ("/Gaio/Executor/result-set-twice", test_result_set_twice);
  g_test_add_func ("/Gaio/Executor/args", test_args);
  g_test_add_func ("/Gaio/Executor/notify-once-on-loop-thread", test_notify_once_on_loop_thread);
  g_test_add_func ("/Gaio/Executor/loop-released-on-delivery", test_loop_released_on_delivery);

  g_test_add_func ("/Gaio/Executor/job-error", test_job_error);
  g_test_add_func ("/Gaio/Executor/job-false-without-error", test_job_false_without_error);
  g_test_add_func ("/Gaio/Executor/job-error-never-retrieved", test_job_error_never_retrieved);

  g_test_add_func ("/Gaio/Executor/default-created-lazily", test_default_created_lazily);
  g_test_add_func ("/Gaio/Executor/default-thread-names", test_default_thread_names);
  g_test_add_func ("/Gaio/Executor/default-max-workers", test_default_max_workers);
  g_test_add_func ("/Gaio/Executor/default-concurrency-cap", test_default_concurrency_cap);
  g_test_add_func ("/Gaio/Executor/idle-thread-reuse", test_idle_thread_reuse);

  g_test_add_func ("/Gaio/Executor/custom-pool", test_custom_pool);
  g_test_add_func ("/Gaio/Executor/custom-pool-default-prefix", test_custom_pool_default_prefix);
  g_test_add_func ("/Gaio/Executor/custom-pool-concurrency-cap",
                   test_custom_pool_concurrency_cap);
  g_test_add_func ("/Gaio/Executor/custom-pool-unaffected-by-shutdown-default",
                   test_custom_pool_unaffected_by_shutdown_default);

  g_test_add_func ("/Gaio/Executor/initializer-once-per-thread",
                   test_initializer_once_per_thread);
  g_test_add_func ("/Gaio/Executor/initializer-fresh-executor", test_initializer_fresh_executor);
  g_test_add_func ("/Gaio/Executor/initializer-failure-breaks-pool",
                   test_initializer_failure_breaks_pool);

  g_test_add_func ("/Gaio/Executor/set-default-executor", test_set_default_executor);
  g_test_add_func ("/Gaio/Executor/set-default-executor-error", test_set_default_executor_error);
  g_test_add_func ("/Gaio/Executor/set-default-executor-keeps-old-running",
                   test_set_default_executor_keeps_old_running);
  g_test_add_func ("/Gaio/Executor/set-default-executor-after-shutdown",
                   test_set_default_executor_after_shutdown);

  g_test_add_func ("/Gaio/Executor/shutdown-default-executor", test_shutdown_default_executor);
  g_test_add_func ("/Gaio/Executor/shutdown-default-executor-twice",
                   test_shutdown_default_executor_twice);
  g_test_add_func ("/Gaio/Executor/run-after-shutdown-default", test_run_after_shutdown_default);
  g_test_add_func ("/Gaio/Executor/run-after-shutdown-default-never-created",
                   test_run_after_shutdown_default_never_created);

  g_test_add_func ("/Gaio/Executor/close-shuts-down-default", test_close_shuts_down_default);
  g_test_add_func ("/Gaio/Executor/closed-loop-fails", test_closed_loop_fails);
  g_test_add_func ("/Gaio/Executor/close-does-not-wait", test_close_does_not_wait);

  g_test_add_func ("/Gaio/Executor/cancel-queued", test_cancel_queued);
  g_test_add_func ("/Gaio/Executor/cancel-running", test_cancel_running);
  g_test_add_func ("/Gaio/Executor/cancel-after-job-finished", test_cancel_after_job_finished);
  g_test_add_func ("/Gaio/Executor/cancel-then-shutdown-and-close",
                   test_cancel_then_shutdown_and_close);
  g_test_add_func ("/Gaio/Executor/cancel-after-close", test_cancel_after_close);

  g_test_add_func ("/Gaio/Executor/submit-after-shutdown", test_submit_after_shutdown);
  g_test_add_func ("/Gaio/Executor/shutdown-wait", test_shutdown_wait);
  g_test_add_func ("/Gaio/Executor/shutdown-no-wait", test_shutdown_no_wait);
  g_test_add_func ("/Gaio/Executor/shutdown-cancel-futures", test_shutdown_cancel_futures);
  g_test_add_func ("/Gaio/Executor/shutdown-cancel-futures-no-wait",
                   test_shutdown_cancel_futures_no_wait);
  g_test_add_func ("/Gaio/Executor/shutdown-twice", test_shutdown_twice);
  g_test_add_func ("/Gaio/Executor/unref-after-submit", test_unref_after_submit);

  g_test_add_func ("/Gaio/Executor/custom-executor", test_custom_executor);
  g_test_add_func ("/Gaio/Executor/custom-executor-fails-job", test_custom_executor_fails_job);
  g_test_add_func ("/Gaio/Executor/custom-executor-refuses", test_custom_executor_refuses);
  g_test_add_func ("/Gaio/Executor/submit-job-twice", test_submit_job_twice);

  g_test_add_func ("/Gaio/Executor/async", test_async);
  g_test_add_func ("/Gaio/Executor/async-error", test_async_error);
  g_test_add_func ("/Gaio/Executor/async-cancel-before-start", test_async_cancel_before_start);
  g_test_add_func ("/Gaio/Executor/async-cancel-while-running", test_async_cancel_while_running);
  g_test_add_func ("/Gaio/Executor/async-cancel-from-other-thread",
                   test_async_cancel_from_other_thread);
  g_test_add_func ("/Gaio/Executor/async-cancelled-before-call", test_async_cancelled_before_call);

  g_test_add_func ("/Gaio/Executor/teardown", test_teardown);
  g_test_add_func ("/Gaio/Executor/run-awaits-executor", test_run_awaits_executor);
  g_test_add_func ("/Gaio/Executor/run-teardown-waits-default-executor",
                   test_run_teardown_waits_default_executor);

  return g_test_run ();
}
