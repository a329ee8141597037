/* test-loop.c: GaioLoop scheduling, running, stopping and closing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The LS cases of shared/design/asyncio-cases.md, each test naming the
 * case and the CPython test it mirrors. Every test ends with its loop
 * closed and finalized (gaio_test_loop_free()).
 */

#include <math.h>
#include <string.h>

#include "gaio-test-util.h"
#include "gaio-loop-private.h"
#include "gaio-timer-heap-private.h"

/* ------------------------------------------------------------------ */
/* Recording callbacks                                                  */

typedef struct
{
  GaioLoop  *loop;
  GPtrArray *events;       /* (element-type utf8): names, in run order */
  GArray    *iterations;   /* (element-type guint64): loop dispatch count at each run */
  GThread   *loop_thread;
  gboolean   wrong_thread;
} Recorder;

typedef struct
{
  Recorder *rec;
  char     *name;
  gint     *notified;      /* (nullable) incremented by the notify */
} Step;

static void
recorder_init (Recorder *rec,
               GaioLoop *loop)
{
  rec->loop = loop;
  rec->events = g_ptr_array_new_with_free_func (g_free);
  rec->iterations = g_array_new (FALSE, FALSE, sizeof (guint64));
  rec->loop_thread = g_thread_self ();
  rec->wrong_thread = FALSE;
}

static void
recorder_clear (Recorder *rec)
{
  g_ptr_array_unref (rec->events);
  g_array_unref (rec->iterations);
}

/* "a,b,c" */
static char *
recorder_join (Recorder *rec)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < rec->events->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, g_ptr_array_index (rec->events, i));
    }
  return g_string_free (s, FALSE);
}

#define assert_events(rec, expected) \
  G_STMT_START { \
    g_autofree char *joined_ = recorder_join (rec); \
    g_assert_cmpstr (joined_, ==, expected); \
  } G_STMT_END

static guint64
recorder_iteration (Recorder *rec,
                    guint     index)
{
  g_assert_cmpuint (index, <, rec->iterations->len);
  return g_array_index (rec->iterations, guint64, index);
}

static void
recorder_add (Recorder   *rec,
              const char *name)
{
  guint64 iteration = _gaio_loop_get_n_iterations (rec->loop);

  if (g_thread_self () != rec->loop_thread)
    rec->wrong_thread = TRUE;
  g_ptr_array_add (rec->events, g_strdup (name));
  g_array_append_val (rec->iterations, iteration);
}

static void
step_free (gpointer data)
{
  Step *step = data;

  if (step->notified != NULL)
    g_atomic_int_inc (step->notified);
  g_free (step->name);
  g_free (step);
}

static Step *
step_new (Recorder   *rec,
          const char *name,
          gint       *notified)
{
  Step *step = g_new0 (Step, 1);

  step->rec = rec;
  step->name = g_strdup (name);
  step->notified = notified;
  return step;
}

static gboolean
record_cb (gpointer   data,
           GError   **error)
{
  Step *step = data;

  recorder_add (step->rec, step->name);
  return TRUE;
}

static gboolean
record_and_stop_cb (gpointer   data,
                    GError   **error)
{
  Step *step = data;

  recorder_add (step->rec, step->name);
  gaio_loop_stop (step->rec->loop);
  return TRUE;
}

static GaioHandle *
soon (Recorder   *rec,
      const char *name)
{
  GError *error = NULL;
  GaioHandle *handle;

  handle = gaio_loop_call_soon (rec->loop, record_cb, step_new (rec, name, NULL), step_free,
                                &error);
  g_assert_no_error (error);
  g_assert_nonnull (handle);
  return handle;
}

static GaioHandle *
later (Recorder   *rec,
       gdouble     delay,
       const char *name)
{
  GError *error = NULL;
  GaioHandle *handle;

  handle = gaio_loop_call_later (rec->loop, delay, record_cb, step_new (rec, name, NULL),
                                 step_free, &error);
  g_assert_no_error (error);
  g_assert_nonnull (handle);
  return handle;
}

static gboolean
stop_cb (gpointer   data,
         GError   **error)
{
  gaio_loop_stop (data);
  return TRUE;
}

static gboolean
noop_cb (gpointer   data,
         GError   **error)
{
  return TRUE;
}

static gboolean
set_flag_cb (gpointer   data,
             GError   **error)
{
  *(gboolean *) data = TRUE;
  return TRUE;
}

static void
schedule_stop (GaioLoop *loop)
{
  GError *error = NULL;

  g_assert_nonnull (gaio_loop_call_soon (loop, stop_cb, loop, NULL, &error));
  g_assert_no_error (error);
}

/* run_forever under a 10 s watchdog; asserts it returns TRUE. */
static void
run_forever_ok (GaioLoop *loop)
{
  GaioTestGuard *guard = gaio_test_guard_new (loop, NULL, 10);
  GError *error = NULL;
  gboolean ok;

  ok = gaio_loop_run_forever (loop, &error);
  g_assert_true (gaio_test_guard_finish (guard));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_false (gaio_loop_is_running (loop));
}

/* A handler that keeps every context it is given. */
static gboolean
collect_handler (GaioLoop              *loop,
                 GaioExceptionContext  *context,
                 gpointer               user_data,
                 GError               **error)
{
  g_ptr_array_add (user_data, gaio_exception_context_ref (context));
  return TRUE;
}

static GPtrArray *
install_collect_handler (GaioLoop *loop)
{
  GPtrArray *contexts = g_ptr_array_new_with_free_func (
    (GDestroyNotify) gaio_exception_context_unref);

  gaio_loop_set_exception_handler (loop, collect_handler, contexts, NULL);
  return contexts;
}

/* ------------------------------------------------------------------ */
/* Creation                                                             */

/* gaio_loop_new (NULL) uses the thread-default context, as
 * g_main_context_ref_thread_default() does; a fresh loop is neither running
 * nor closed, and no loop runs outside of one (asyncio's
 * get_running_loop() raises RuntimeError there, events.py). */
static void
test_new_context (void)
{
  GMainContext *context = g_main_context_new ();
  GaioLoop *loop;

  /* No thread-default context pushed: the global default. */
  loop = gaio_loop_new (NULL);
  g_assert_true (gaio_loop_get_context (loop) == g_main_context_default ());
  g_assert_false (gaio_loop_is_running (loop));
  g_assert_false (gaio_loop_is_closed (loop));
  g_assert_null (gaio_get_running_loop ());
  gaio_test_loop_free (loop);

  /* An explicit context. */
  loop = gaio_loop_new (context);
  g_assert_true (gaio_loop_get_context (loop) == context);
  gaio_test_loop_free (loop);

  /* A pushed thread-default context. */
  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (NULL);
  g_assert_true (gaio_loop_get_context (loop) == context);
  gaio_test_loop_free (loop);   /* pops it */
  g_assert_true (g_main_context_get_thread_default () == NULL);

  g_main_context_unref (context);
}

/* LS-05: loop.time() is the monotonic clock in seconds
 * (test_base_events.py::test_time_and_call_at). */
static void
test_time (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gdouble before, now, after;

  before = g_get_monotonic_time () / 1e6;
  now = gaio_loop_time (loop);
  after = g_get_monotonic_time () / 1e6;

  g_assert_cmpfloat (now, >=, before);
  g_assert_cmpfloat (now, <=, after);

  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* call_soon                                                            */

typedef struct
{
  Recorder *rec;
  guint     n;
} EventsWait;

static gboolean
has_n_events (gpointer data)
{
  EventsWait *wait = data;

  return wait->rec->events->len >= wait->n;
}

/* Iterates the loop's context until @n events were recorded (10 s guard). */
static void
wait_events (Recorder *rec,
             guint     n)
{
  EventsWait wait = { rec, n };

  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (rec->loop), has_n_events,
                                          &wait, 10));
}

typedef struct
{
  GArray *order;
  guint   index;
  gint   *notified;
} Indexed;

static gboolean
append_index_cb (gpointer   data,
                 GError   **error)
{
  Indexed *item = data;

  /* The notify runs after the callback, never before. */
  g_assert_cmpint (item->notified[item->index], ==, 0);
  g_array_append_val (item->order, item->index);
  return TRUE;
}

static void
indexed_notify (gpointer data)
{
  Indexed *item = data;

  item->notified[item->index]++;
}

/* LS-01: 1000 call_soon callbacks run exactly once each, in FIFO order,
 * with their data, and each notify runs once, after its callback
 * (test_events.py::test_call_soon,
 * test_base_events.py::BaseEventLoopTests::test_call_soon). */
static void
test_call_soon_fifo (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));
  gint notified[1000] = { 0 };
  Indexed items[1000];

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      GError *error = NULL;
      GaioHandle *handle;

      items[i].order = order;
      items[i].index = i;
      items[i].notified = notified;
      handle = gaio_loop_call_soon (loop, append_index_cb, &items[i], indexed_notify, &error);
      g_assert_no_error (error);
      g_assert_nonnull (handle);
      g_assert_false (gaio_handle_is_timer (handle));
      g_assert_false (gaio_handle_is_cancelled (handle));
    }
  /* Nothing runs inline. */
  g_assert_cmpuint (order->len, ==, 0);

  schedule_stop (loop);
  run_forever_ok (loop);

  g_assert_cmpuint (order->len, ==, G_N_ELEMENTS (items));
  for (guint i = 0; i < order->len; i++)
    {
      g_assert_cmpuint (g_array_index (order, guint, i), ==, i);
      g_assert_cmpint (notified[i], ==, 1);
    }

  g_array_unref (order);
  gaio_test_loop_free (loop);
  for (guint i = 0; i < G_N_ELEMENTS (notified); i++)
    g_assert_cmpint (notified[i], ==, 1);
}

static gboolean
spawn_child_cb (gpointer   data,
                GError   **error)
{
  Step *step = data;

  recorder_add (step->rec, step->name);
  soon (step->rec, "a-child");
  return TRUE;
}

/* LS-02: a callback scheduled during an iteration runs in the next one, so
 * a stop() queued behind it returns first
 * (test_base_events.py::test__run_once_schedule_handle, ::test_run_once;
 * probe O3: ['a', 'b'] then ['a-child']). */
static void
test_next_iteration (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GError *error = NULL;
  Recorder rec;

  recorder_init (&rec, loop);

  g_assert_nonnull (gaio_loop_call_soon (loop, spawn_child_cb, step_new (&rec, "a", NULL),
                                         step_free, &error));
  g_assert_no_error (error);
  soon (&rec, "b");
  schedule_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "a,b");
  g_assert_cmpuint (recorder_iteration (&rec, 0), ==, recorder_iteration (&rec, 1));

  /* The child stayed queued and runs on the next run_forever. */
  schedule_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "a,b,a-child");
  g_assert_cmpuint (recorder_iteration (&rec, 2), >, recorder_iteration (&rec, 1));
  g_assert_false (rec.wrong_thread);

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

static gboolean
stop_and_spawn_cb (gpointer   data,
                   GError   **error)
{
  Step *step = data;

  recorder_add (step->rec, step->name);
  gaio_loop_stop (step->rec->loop);
  soon (step->rec, "spawned");
  return TRUE;
}

/* LS-02: stop() called by the first of several ready callbacks still lets
 * the others of that iteration run, but not what they schedule
 * (test_base_events.py::test_single_selecter_event_callback_after_stopping). */
static void
test_stop_finishes_iteration (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GError *error = NULL;
  Recorder rec;

  recorder_init (&rec, loop);

  g_assert_nonnull (gaio_loop_call_soon (loop, stop_and_spawn_cb,
                                         step_new (&rec, "stopper", NULL), step_free, &error));
  g_assert_no_error (error);
  soon (&rec, "second");
  soon (&rec, "third");
  run_forever_ok (loop);
  assert_events (&rec, "stopper,second,third");

  schedule_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "stopper,second,third,spawned");

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* LS-02: stop() before run_forever() makes it run exactly one iteration
 * without blocking, even with a far timer pending
 * (test_base_events.py::test_run_forever_pre_stopped; probe O4). The stop
 * request is used up: the next run_forever runs until the next stop. */
static void
test_run_forever_pre_stopped (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GError *error = NULL;
  guint64 before;
  Recorder rec;

  recorder_init (&rec, loop);

  g_assert_nonnull (gaio_loop_call_soon (loop, spawn_child_cb, step_new (&rec, "a", NULL),
                                         step_free, &error));
  g_assert_no_error (error);
  soon (&rec, "b");
  later (&rec, 3600, "far");

  before = _gaio_loop_get_n_iterations (loop);
  gaio_loop_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "a,b");
  g_assert_cmpuint (_gaio_loop_get_n_iterations (loop), ==, before + 1);

  /* The child is ready: pre-stopped again, exactly it runs. */
  gaio_loop_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "a,b,a-child");

  /* Pre-stopped with nothing ready: returns without waiting for the timer
   * (run_forever_ok's watchdog would fire after 10 s). */
  gaio_loop_stop (loop);
  run_forever_ok (loop);

  /* The stop was used up: "c" runs, then the stop callback. */
  soon (&rec, "c");
  schedule_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "a,b,a-child,c");

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* call_later / call_at                                                 */

typedef struct
{
  GaioLoop *loop;
  gdouble   when;      /* deadline of the handle */
  gdouble   ran_at;    /* loop time when the callback ran */
  guint     runs;
  gboolean  stop;
  gint      notified;
} TimerProbe;

static void
timer_probe_notify (gpointer data)
{
  TimerProbe *probe = data;

  g_assert_cmpuint (probe->runs, ==, 1);
  probe->notified++;
}

static gboolean
timer_probe_cb (gpointer   data,
                GError   **error)
{
  TimerProbe *probe = data;

  probe->ran_at = gaio_loop_time (probe->loop);
  probe->runs++;
  if (probe->stop)
    gaio_loop_stop (probe->loop);
  return TRUE;
}

/* LS-03: call_later returns a timer handle kept in the timer heap (not the
 * ready queue); the callback runs once, never before its deadline
 * (test_events.py::test_call_later, test_base_events.py::test_call_later). */
static void
test_call_later (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimerProbe probe = { loop, 0, -1, 0, TRUE, 0 };
  GError *error = NULL;
  GaioHandle *handle;
  gdouble t0, t1;

  t0 = gaio_loop_time (loop);
  handle = gaio_loop_call_later (loop, 0.1, timer_probe_cb, &probe, timer_probe_notify,
                                 &error);
  t1 = gaio_loop_time (loop);
  g_assert_no_error (error);
  g_assert_nonnull (handle);
  g_assert_true (gaio_handle_is_timer (handle));
  g_assert_cmpfloat (gaio_handle_get_when (handle), >=, t0 + 0.1 - 1e-6);
  g_assert_cmpfloat (gaio_handle_get_when (handle), <=, t1 + 0.1 + 1e-6);
  probe.when = gaio_handle_get_when (handle);
  g_assert_cmpuint (_gaio_loop_get_n_timers (loop), ==, 1);

  /* Not ready yet. */
  gaio_test_iterate (gaio_loop_get_context (loop), 3);
  g_assert_cmpuint (probe.runs, ==, 0);

  run_forever_ok (loop);
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpfloat (probe.ran_at, >=, probe.when - 1e-6);
  g_assert_cmpint (probe.notified, ==, 1);
  g_assert_cmpuint (_gaio_loop_get_n_timers (loop), ==, 0);

  gaio_test_loop_free (loop);
  g_assert_cmpint (probe.notified, ==, 1);
}

/* LS-03: a NaN delay is a programmer error (asyncio's TypeError for a None
 * delay): a critical, and nothing is scheduled. */
static void
test_call_later_nan (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioHandle *handle;

  g_test_expect_message (GAIO_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  handle = gaio_loop_call_later (loop, NAN, noop_cb, NULL, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (handle);
  g_assert_cmpuint (_gaio_loop_get_n_timers (loop), ==, 0);

  gaio_test_loop_free (loop);
}

/* LS-03: an infinite delay is accepted and never comes due (asyncio takes
 * call_later(float('inf'), cb)); -inf is due at once. */
static void
test_call_later_infinite (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioHandle *never;
  gint notified = 0;
  Recorder rec;

  recorder_init (&rec, loop);
  never = gaio_loop_call_later (loop, INFINITY, record_cb, step_new (&rec, "never", &notified),
                                step_free, NULL);
  g_assert_nonnull (never);
  g_assert_true (gaio_handle_is_timer (never));
  g_assert_cmpfloat (gaio_handle_get_when (never), >, gaio_loop_time (loop) + 1e6);
  later (&rec, -INFINITY, "now");
  g_assert_nonnull (gaio_loop_call_later (loop, 0.05, record_and_stop_cb,
                                          step_new (&rec, "stop", NULL), step_free, NULL));
  run_forever_ok (loop);
  assert_events (&rec, "now,stop");
  g_assert_cmpint (notified, ==, 0);

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
  g_assert_cmpint (notified, ==, 1);
}

/* LS-04: negative delays are due at once and ordered by deadline, not by
 * scheduling order (test_base_events.py::test_call_later_negative_delays). */
static void
test_negative_delays (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Recorder rec;

  recorder_init (&rec, loop);
  later (&rec, -1, "a");
  later (&rec, -2, "b");
  wait_events (&rec, 2);
  assert_events (&rec, "b,a");

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* LS-04: timers that became due are appended after the callbacks already
 * ready, all in the same iteration (probe O2: ['soon', 'later-1',
 * 'later0']). */
static void
test_ready_before_due_timers (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Recorder rec;

  recorder_init (&rec, loop);
  later (&rec, 0, "later0");
  soon (&rec, "soon");
  later (&rec, -1, "later-1");
  wait_events (&rec, 3);
  assert_events (&rec, "soon,later-1,later0");
  g_assert_cmpuint (recorder_iteration (&rec, 0), ==, recorder_iteration (&rec, 1));
  g_assert_cmpuint (recorder_iteration (&rec, 1), ==, recorder_iteration (&rec, 2));

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* LS-05: call_at takes a deadline in loop.time() and runs the callback
 * once it is reached (test_base_events.py::test_time_and_call_at). */
static void
test_call_at (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimerProbe probe = { loop, 0, -1, 0, TRUE, 0 };
  GError *error = NULL;
  GaioHandle *handle;

  probe.when = gaio_loop_time (loop) + 0.1;
  handle = gaio_loop_call_at (loop, probe.when, timer_probe_cb, &probe, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (handle);
  g_assert_true (gaio_handle_is_timer (handle));
  g_assert_cmpfloat_with_epsilon (gaio_handle_get_when (handle), probe.when, 1e-6);

  run_forever_ok (loop);
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpfloat (probe.ran_at, >=, probe.when - 1e-6);

  gaio_test_loop_free (loop);
}

/* LS-05: a deadline closer than the clock resolution (1 µs) is due on the
 * next iteration, without a busy loop (base_events.py _run_once's
 * end_time = time() + clock_resolution). */
static void
test_call_at_sub_resolution (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *context = gaio_loop_get_context (loop);
  TimerProbe probe = { loop, 0, -1, 0, FALSE, 0 };
  GError *error = NULL;
  guint64 before = _gaio_loop_get_n_iterations (loop);
  guint n_context_iterations = 0;

  probe.when = gaio_loop_time (loop) + 1e-7;
  g_assert_nonnull (gaio_loop_call_at (loop, probe.when, timer_probe_cb, &probe, NULL, &error));
  g_assert_no_error (error);

  while (probe.runs == 0 && n_context_iterations < 1000)
    {
      g_main_context_iteration (context, TRUE);
      n_context_iterations++;
    }
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpuint (n_context_iterations, <=, 3);
  g_assert_cmpuint (_gaio_loop_get_n_iterations (loop) - before, <=, 2);

  gaio_test_loop_free (loop);
}

/* LS-06: timers with the same deadline all run in the same iteration, in
 * scheduling order (libgaio documents FIFO ties, a strengthening of
 * asyncio's unspecified order; probe O1). */
static void
test_timer_ties_fifo (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gdouble when = gaio_loop_time (loop) + 0.01;
  GString *expected = g_string_new (NULL);
  Recorder rec;

  recorder_init (&rec, loop);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u", i);
      GError *error = NULL;

      g_assert_nonnull (gaio_loop_call_at (loop, when, record_cb, step_new (&rec, name, NULL),
                                           step_free, &error));
      g_assert_no_error (error);
      g_string_append_printf (expected, "%s%u", i ? "," : "", i);
    }
  wait_events (&rec, 50);
  assert_events (&rec, expected->str);
  for (guint i = 1; i < 50; i++)
    g_assert_cmpuint (recorder_iteration (&rec, i), ==, recorder_iteration (&rec, 0));

  g_string_free (expected, TRUE);
  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* LS-06/LS-04: timers run in deadline order whatever the scheduling order
 * (test_base_events.py::test__run_once: the heap orders by `when`). */
static void
test_timer_deadline_order (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gdouble base = gaio_loop_time (loop);
  Recorder rec;

  recorder_init (&rec, loop);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("t%u", 5 - i);
      GError *error = NULL;

      /* t5 at +50 ms, t4 at +40 ms, ... t1 at +10 ms */
      g_assert_nonnull (gaio_loop_call_at (loop, base + 0.01 * (5 - i), record_cb,
                                           step_new (&rec, name, NULL), step_free, &error));
      g_assert_no_error (error);
    }
  wait_events (&rec, 5);
  assert_events (&rec, "t1,t2,t3,t4,t5");

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* Many timers at once, for the order of the heap. */
typedef struct
{
  GArray  *fired;     /* guint: the indices of the timers, as they ran */
  guint    index;
  gint64   when_us;   /* the deadline, in microseconds of the loop's clock */
} TimerMark;

typedef struct
{
  TimerMark *marks;
  guint      n_marks;
  GArray    *fired;
  guint      n_expected;
} TimerMarks;

static gboolean
mark_fired_cb (gpointer   data,
               GError   **error)
{
  TimerMark *mark = data;

  g_array_append_val (mark->fired, mark->index);
  return TRUE;
}

static gboolean
all_marks_fired (gpointer data)
{
  TimerMarks *marks = data;

  return marks->fired->len == marks->n_expected;
}

static int
compare_marks (gconstpointer a,
               gconstpointer b)
{
  const TimerMark *x = a;
  const TimerMark *y = b;

  if (x->when_us != y->when_us)
    return x->when_us < y->when_us ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

static void
timer_marks_init (TimerMarks *marks,
                  guint       n)
{
  marks->marks = g_new0 (TimerMark, n);
  marks->n_marks = 0;
  marks->fired = g_array_new (FALSE, FALSE, sizeof (guint));
  marks->n_expected = n;
}

/* Schedules @n more timers with call_at() at @base plus one of
 * 4 * @spread_ms offsets drawn at random within @spread_ms milliseconds
 * (so many deadlines are equal, and they differ in every byte that
 * sorting them looks at), and returns their handles. */
static GaioHandle **
timer_marks_add (TimerMarks *marks,
                 GaioLoop   *loop,
                 GRand      *rand,
                 gdouble     base,
                 guint       spread_ms,
                 guint       n)
{
  GaioHandle **handles = g_new (GaioHandle *, n);

  for (guint i = 0; i < n; i++)
    {
      TimerMark *mark = &marks->marks[marks->n_marks];
      gint64 offset_us = g_rand_int_range (rand, 0, spread_ms) * 1000 +
                         g_rand_int_range (rand, 0, 4) * 61;
      GError *error = NULL;

      *mark = (TimerMark) { marks->fired, marks->n_marks++, llround (base * 1e6) + offset_us };
      handles[i] = gaio_loop_call_at (loop, base + offset_us / 1e6, mark_fired_cb, mark, NULL,
                                      &error);
      g_assert_no_error (error);
    }

  return handles;
}

/* Schedules @n timers, all already due, as timer_marks_add() does. */
static GaioHandle **
timer_marks_schedule (TimerMarks *marks,
                      GaioLoop   *loop,
                      guint       spread_ms,
                      guint       n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);

  timer_marks_init (marks, n);
  return timer_marks_add (marks, loop, rand, floor (gaio_loop_time (loop) * 1000) / 1000 - 1,
                          spread_ms, n);
}

/* Runs the loop until the timers not cancelled ran, and checks that they
 * ran in deadline order, ties in scheduling order. */
static void
timer_marks_check (TimerMarks *marks,
                   GaioLoop   *loop)
{
  g_autofree TimerMark *expected = g_new (TimerMark, marks->n_marks);
  guint n_expected = 0;

  for (guint i = 0; i < marks->n_marks; i++)
    {
      if (marks->marks[i].fired != NULL)
        expected[n_expected++] = marks->marks[i];
    }
  marks->n_expected = n_expected;
  qsort (expected, n_expected, sizeof (TimerMark), compare_marks);

  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), all_marks_fired, marks,
                                          10));
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpuint (g_array_index (marks->fired, guint, i), ==, expected[i].index);

  g_array_unref (marks->fired);
  g_free (marks->marks);
}

/* LS-04/LS-06: thousands of timers, many with equal deadlines, run in
 * deadline order and ties in scheduling order: the heap's order holds
 * beyond the few timers of the tests above. */
static void
test_timer_heap_order (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimerMarks marks;

  /* Deadlines within 50 ms differ in two bytes, within 100 ms in three:
   * the sort ends in either of its two arrays. */
  g_free (timer_marks_schedule (&marks, loop, 50, 5000));
  timer_marks_check (&marks, loop);
  g_free (timer_marks_schedule (&marks, loop, 100, 5000));
  timer_marks_check (&marks, loop);

  gaio_test_loop_free (loop);
}

/* LS-04/LS-06: timers scheduled in bursts and one by one, across
 * iterations of the loop (so that some are ordered before others are
 * added), still run in deadline order, ties in scheduling order. */
static void
test_timer_heap_order_merged (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  gdouble base = floor (gaio_loop_time (loop) * 1000) / 1000 + 0.3;
  TimerMarks marks;

  timer_marks_init (&marks, 3020);
  g_free (timer_marks_add (&marks, loop, rand, base, 100, 1000));
  gaio_test_iterate (gaio_loop_get_context (loop), 1);
  g_free (timer_marks_add (&marks, loop, rand, base, 100, 10));
  gaio_test_iterate (gaio_loop_get_context (loop), 1);
  g_free (timer_marks_add (&marks, loop, rand, base, 50, 1000));
  g_free (timer_marks_add (&marks, loop, rand, base - 1, 50, 10));
  gaio_test_iterate (gaio_loop_get_context (loop), 1);
  g_free (timer_marks_add (&marks, loop, rand, base, 50, 1000));
  g_assert_cmpuint (_gaio_loop_get_n_timers (loop), >=, 3010);
  timer_marks_check (&marks, loop);

  gaio_test_loop_free (loop);
}

static gint
compare_timer_handles (gconstpointer a,
                       gconstpointer b)
{
  GaioHandle *x = *(GaioHandle * const *) a;
  GaioHandle *y = *(GaioHandle * const *) b;

  if (x->u.timer.when != y->u.timer.when)
    return x->u.timer.when < y->u.timer.when ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
drop_heap_handle (GaioHandle *handle,
                  gpointer    user_data)
{
  _gaio_handle_discard (handle);
  gaio_handle_unref (handle);
}

/* A burst of timers is radix-sorted on the bits in which its deadlines
 * differ, in digits whose width depends on the burst's size and spread:
 * bursts of several sizes, over a few microseconds up to "never", with
 * many ties, come out of the heap in (deadline, scheduling) order. */
static void
test_timer_heap_burst_orders (void)
{
  static const guint sizes[] = { 64, 300, 5000 };
  static const gint64 spreads[] = { 30, 1 << 20, G_GINT64_CONSTANT (1) << 45, G_MAXINT64 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  GaioTimerCancels *cancels = _gaio_timer_cancels_new ();

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint r = 0; r < G_N_ELEMENTS (spreads); r++)
      {
        guint n = sizes[s];
        g_autofree GaioHandle **expected = g_new (GaioHandle *, n);
        GaioTimerHeap heap;

        _gaio_timer_heap_init (&heap);
        for (guint i = 0; i < n; i++)
          {
            /* One deadline in four repeats an earlier one. */
            gdouble spread = g_rand_double (rand) * (gdouble) spreads[r];
            gint64 when = spread >= (gdouble) G_MAXINT64 ? G_MAXINT64 : (gint64) spread;

            if (i % 4 == 3)
              when = expected[g_rand_int_range (rand, 0, i)]->u.timer.when;
            expected[i] = _gaio_handle_new (noop_cb, NULL, NULL);
            _gaio_handle_set_timer (expected[i], when, i, _gaio_timer_cancels_ref (cancels));
            _gaio_timer_heap_push (&heap, expected[i]);
          }
        qsort (expected, n, sizeof (GaioHandle *), compare_timer_handles);

        for (guint i = 0; i < n; i++)
          {
            GaioHandle *handle = _gaio_timer_heap_pop (&heap);

            g_assert_true (handle == expected[i]);
            drop_heap_handle (handle, NULL);
          }
        g_assert_null (_gaio_timer_heap_pop (&heap));
        _gaio_timer_heap_clear (&heap, drop_heap_handle, NULL);
      }

  _gaio_timer_cancels_unref (cancels);
}

/* LS-08 + LS-06: after most timers were cancelled and the heap was
 * rebuilt without them, the others still run in order. */
static void
test_timer_heap_order_after_prune (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimerMarks marks;
  g_autofree GaioHandle **handles = timer_marks_schedule (&marks, loop, 100, 5000);

  for (guint i = 0; i < marks.n_marks; i++)
    {
      if (i % 5 < 3)
        {
          gaio_handle_cancel (handles[i]);
          /* Left out of the expected order. */
          marks.marks[i].fired = NULL;
        }
    }
  timer_marks_check (&marks, loop);
  g_assert_cmpuint (_gaio_loop_get_n_timers (loop), ==, 0);

  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Cancel                                                               */

/* LS-07: a cancelled handle never runs; cancel releases the data at once
 * (its notify runs inside gaio_handle_cancel) and is idempotent
 * (test_events.py::HandleTests::test_handle,
 * test_base_events.py::test__add_callback_cancelled_handle; probe O5). */
static void
test_cancel_soon (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gint notified = 0;
  GaioHandle *handle;
  Recorder rec;

  recorder_init (&rec, loop);
  soon (&rec, "before");
  handle = gaio_loop_call_soon (loop, record_cb, step_new (&rec, "cancelled", &notified),
                                step_free, NULL);
  g_assert_nonnull (handle);
  gaio_handle_ref (handle);
  soon (&rec, "after");

  g_assert_false (gaio_handle_is_cancelled (handle));
  gaio_handle_cancel (handle);
  g_assert_true (gaio_handle_is_cancelled (handle));
  g_assert_cmpint (notified, ==, 1);
  gaio_handle_cancel (handle);
  g_assert_true (gaio_handle_is_cancelled (handle));
  g_assert_cmpint (notified, ==, 1);

  schedule_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "before,after");
  g_assert_cmpint (notified, ==, 1);
  g_assert_true (gaio_handle_is_cancelled (handle));

  gaio_handle_unref (handle);
  recorder_clear (&rec);
  gaio_test_loop_free (loop);
  g_assert_cmpint (notified, ==, 1);
}

/* LS-07: a cancelled timer never runs (test_events.py::TimerTests::test_timer). */
static void
test_cancel_timer (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gint notified = 0;
  GaioHandle *handle;
  Recorder rec;
  GError *error = NULL;

  recorder_init (&rec, loop);
  handle = gaio_loop_call_later (loop, 0.01, record_cb, step_new (&rec, "cancelled", &notified),
                                 step_free, &error);
  g_assert_no_error (error);
  gaio_handle_ref (handle);
  g_assert_nonnull (gaio_loop_call_later (loop, 0.05, record_and_stop_cb,
                                          step_new (&rec, "stopper", NULL), step_free, &error));
  g_assert_no_error (error);

  gaio_handle_cancel (handle);
  g_assert_cmpint (notified, ==, 1);
  g_assert_true (gaio_handle_is_cancelled (handle));
  g_assert_true (gaio_handle_is_timer (handle));
  gaio_handle_cancel (handle);
  g_assert_cmpint (notified, ==, 1);

  run_forever_ok (loop);
  assert_events (&rec, "stopper");
  g_assert_cmpint (notified, ==, 1);

  gaio_handle_unref (handle);
  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

typedef struct
{
  Recorder   *rec;
  GaioHandle *victim;
} CancelOther;

static gboolean
cancel_other_cb (gpointer   data,
                 GError   **error)
{
  CancelOther *co = data;

  recorder_add (co->rec, "canceller");
  gaio_handle_cancel (co->victim);
  return TRUE;
}

/* LS-07: a handle cancelled by a callback of the same iteration, while it
 * already sits among that iteration's ready callbacks, does not run
 * (events.py Handle._run is skipped when _cancelled). */
static void
test_cancel_in_same_iteration (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  CancelOther co;
  gint notified = 0;
  GError *error = NULL;
  Recorder rec;

  recorder_init (&rec, loop);
  co.rec = &rec;
  g_assert_nonnull (gaio_loop_call_soon (loop, cancel_other_cb, &co, NULL, &error));
  co.victim = gaio_loop_call_soon (loop, record_cb, step_new (&rec, "victim", &notified),
                                   step_free, &error);
  g_assert_no_error (error);
  gaio_handle_ref (co.victim);
  soon (&rec, "last");

  wait_events (&rec, 2);
  assert_events (&rec, "canceller,last");
  g_assert_cmpint (notified, ==, 1);
  g_assert_true (gaio_handle_is_cancelled (co.victim));

  gaio_handle_unref (co.victim);
  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* LS-07: the description of a cancelled handle says so (asyncio's
 * `<Handle cancelled>`, `<TimerHandle cancelled when=...>`). */
static void
test_handle_to_string_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioHandle *handles[2];

  handles[0] = gaio_loop_call_soon (loop, noop_cb, NULL, NULL, NULL);
  handles[1] = gaio_loop_call_later (loop, 10, noop_cb, NULL, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (handles); i++)
    {
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      g_assert_nonnull (handles[i]);
      before = gaio_handle_to_string (handles[i]);
      g_assert_true (g_str_has_prefix (before, "<"));
      g_assert_null (strstr (before, "cancelled"));
      gaio_handle_cancel (handles[i]);
      after = gaio_handle_to_string (handles[i]);
      g_assert_true (g_str_has_prefix (after, "<"));
      g_assert_nonnull (strstr (after, "cancelled"));
    }
  gaio_test_loop_free (loop);
}

/* A timer's handle shares its memory between the fields it needs in the
 * heap (the tie-breaking order) and those it needs once due (the ready
 * queue's link), and keeps its name apart: after timers with one
 * deadline fired together, each still reports its own deadline and name,
 * and a plain handle is still no timer. */
static gboolean
count_cb (gpointer   data,
          GError   **error)
{
  (*(gint *) data)++;
  return TRUE;
}

static void
test_handle_fields_after_firing (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gdouble when = floor (gaio_loop_time (loop) * 1000) / 1000 - 0.5;
  GaioHandle *timers[3];
  GaioHandle *soon;
  gint ran = 0;

  for (guint i = 0; i < G_N_ELEMENTS (timers); i++)
    timers[i] = gaio_handle_ref (gaio_loop_call_at (loop, when + (i / 2) * 0.001, count_cb, &ran,
                                                    NULL, NULL));
  gaio_handle_set_name (timers[1], "second");
  gaio_handle_set_name (timers[2], NULL);
  soon = gaio_handle_ref (gaio_loop_call_soon (loop, count_cb, &ran, NULL, NULL));

  while (ran < 4)
    gaio_test_iterate (gaio_loop_get_context (loop), 1);

  for (guint i = 0; i < G_N_ELEMENTS (timers); i++)
    {
      g_autofree char *repr = gaio_handle_to_string (timers[i]);

      g_assert_true (gaio_handle_is_timer (timers[i]));
      g_assert_cmpfloat_with_epsilon (gaio_handle_get_when (timers[i]),
                                     when + (i / 2) * 0.001, 1e-6);
      g_assert_true (g_str_has_prefix (repr, "<TimerHandle when="));
      g_assert_false (gaio_handle_is_cancelled (timers[i]));
      if (i == 1)
        g_assert_nonnull (strstr (repr, " second()>"));
      gaio_handle_unref (timers[i]);
    }
  g_assert_false (gaio_handle_is_timer (soon));
  g_assert_cmpfloat (gaio_handle_get_when (soon), ==, -1);
  gaio_handle_unref (soon);

  gaio_test_loop_free (loop);
}

/* Each timer holds a reference on its loop's count of cancelled timers,
 * taken from and given back to a bank the loop refills in batches: more
 * timers than one batch, some fired, some cancelled from another thread,
 * some held past the loop's end and cancelled or dropped then, all
 * leave the count alive while any of them lives and freed after the last
 * (ASan and valgrind see the rest). */
static gpointer
cancel_in_thread (gpointer data)
{
  gaio_handle_cancel (data);
  return NULL;
}

static void
test_timers_outlive_loop (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gdouble now = gaio_loop_time (loop);
  GPtrArray *kept = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_handle_unref);
  gint ran = 0;

  for (guint i = 0; i < 1000; i++)
    {
      /* Half due at once, half never during the test. */
      GaioHandle *handle = gaio_loop_call_at (loop, i % 2 ? now + 3600 : now - 1, count_cb, &ran,
                                              NULL, NULL);

      if (i % 3 == 0)
        g_ptr_array_add (kept, gaio_handle_ref (handle));
    }
  for (guint i = 0; i < kept->len; i += 4)
    g_thread_join (g_thread_new ("canceller", cancel_in_thread, kept->pdata[i]));

  while (_gaio_loop_get_n_timers (loop) > 500)
    gaio_test_iterate (gaio_loop_get_context (loop), 1);
  g_assert_cmpint (ran, >, 0);
  g_assert_cmpint (ran, <=, 500);

  gaio_test_loop_free (loop);
  /* The loop is gone: those still held are cancelled or released now. */
  for (guint i = 0; i < kept->len; i++)
    {
      gaio_handle_cancel (kept->pdata[i]);
      g_assert_true (gaio_handle_is_timer (kept->pdata[i]));
    }
  g_ptr_array_unref (kept);
}

/* LS-08: with more than 100 timers of which more than half are cancelled,
 * the heap drops the cancelled ones at the next iteration
 * (test_base_events.py::test__run_once_cancelled_event_cleanup). The
 * notify of every timer runs once: 6000 at cancel, 4000 at close. */
static void
test_cancelled_timer_cleanup (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gboolean ran = FALSE;
  gint notified = 0;
  GError *error = NULL;
  guint n;

  for (guint i = 0; i < 10000; i++)
    {
      GaioHandle *handle = gaio_loop_call_later (loop, 3600, noop_cb, &notified,
                                                 gaio_test_count_notify, &error);

      g_assert_no_error (error);
      if (i % 5 < 3)
        gaio_handle_cancel (handle);
    }
  g_assert_cmpint (notified, ==, 6000);
  n = _gaio_loop_get_n_timers (loop);
  g_assert_cmpuint (n, >=, 4000);
  g_assert_cmpuint (n, <=, 10000);

  /* One iteration of the loop. */
  g_assert_nonnull (gaio_loop_call_soon (loop, set_flag_cb, &ran, NULL, &error));
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), gaio_test_flag_is_set,
                                          &ran, 10));
  g_assert_cmpuint (_gaio_loop_get_n_timers (loop), ==, 4000);

  gaio_test_loop_free (loop);
  g_assert_cmpint (notified, ==, 10000);
}

/* LS-08: the poll timeout comes from the first live timer, not from a
 * cancelled one at the head of the heap
 * (test_base_events.py::test__run_once: cancelled 5 s + live 10 s ->
 * timeout 9.5..10.5 s). No iteration may end around the cancelled timer's
 * deadline (0.5 s) before the live one (1.5 s); an early spurious wake-up
 * (g_source_set_ready_time() wakes the context) is allowed. */
static void
test_cancelled_timer_not_poll_timeout (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *context = gaio_loop_get_context (loop);
  TimerProbe probe = { loop, 0, -1, 0, FALSE, 0 };
  GaioTestGuard *guard = gaio_test_guard_new (loop, NULL, 10);
  GaioHandle *cancelled;
  gdouble t0;

  t0 = gaio_loop_time (loop);
  cancelled = gaio_loop_call_later (loop, 0.5, noop_cb, NULL, NULL, NULL);
  g_assert_nonnull (gaio_loop_call_later (loop, 1.5, timer_probe_cb, &probe, NULL, NULL));
  gaio_handle_cancel (cancelled);

  while (probe.runs == 0 && gaio_loop_time (loop) - t0 < 10)
    {
      gdouble woke;

      g_main_context_iteration (context, TRUE);
      woke = gaio_loop_time (loop) - t0;
      if (probe.runs == 0 && woke > 0.45 && woke < 1.4)
        g_error ("the loop woke up at +%.3f s, for the cancelled timer (+0.5 s)", woke);
    }
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_true (gaio_test_guard_finish (guard));

  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioLoop *loop;
  guint     next;
  gboolean  done;
} SleepChain;

static const gdouble sleep_chain_delays[] = { 1e-2, 1e-4, 1e-6, 1e-8, 1e-10 };

static gboolean
sleep_chain_cb (gpointer   data,
                GError   **error)
{
  SleepChain *chain = data;

  if (chain->next == G_N_ELEMENTS (sleep_chain_delays))
    {
      chain->done = TRUE;
      return TRUE;
    }
  g_assert_nonnull (gaio_loop_call_later (chain->loop, sleep_chain_delays[chain->next++],
                                          sleep_chain_cb, chain, NULL, error));
  return TRUE;
}

/* LS-09: sleeps of 1e-2 .. 1e-10 s complete in at most 20 iterations in
 * all: timeouts shorter than the poll resolution are rounded up, not
 * spun on (test_events.py::test_timeout_rounding). Both the dispatches of
 * the loop's source and the iterations of the context are counted, so a
 * busy loop that never dispatches is caught too. */
static void
test_timeout_rounding (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *context = gaio_loop_get_context (loop);
  SleepChain chain = { loop, 0, FALSE };
  guint64 before = _gaio_loop_get_n_iterations (loop);
  guint n_context_iterations = 0;
  GError *error = NULL;

  g_assert_nonnull (gaio_loop_call_soon (loop, sleep_chain_cb, &chain, NULL, &error));
  g_assert_no_error (error);
  while (!chain.done && n_context_iterations < 10000)
    {
      g_main_context_iteration (context, TRUE);
      n_context_iterations++;
    }
  g_assert_true (chain.done);
  g_assert_cmpuint (_gaio_loop_get_n_iterations (loop) - before, <=, 20);
  g_assert_cmpuint (n_context_iterations, <=, 20);

  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* call_soon_threadsafe                                                 */

typedef struct
{
  Recorder *rec;
  gint      notified;
} ThreadsafeData;

static gpointer
post_three_thread (gpointer data)
{
  ThreadsafeData *td = data;
  const char *names[] = { "a", "b", "c" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GError *error = NULL;
      GaioHandle *handle;

      handle = gaio_loop_call_soon_threadsafe (td->rec->loop,
                                               i == 2 ? record_and_stop_cb : record_cb,
                                               step_new (td->rec, names[i], &td->notified),
                                               step_free, &error);
      g_assert_no_error (error);
      g_assert_nonnull (handle);
      gaio_handle_unref (handle);
    }
  return NULL;
}

typedef struct
{
  GThread        *thread;
  ThreadsafeData *td;
} PosterStart;

static gboolean
start_thread_cb (gpointer   data,
                 GError   **error)
{
  PosterStart *start = data;

  start->thread = g_thread_new ("poster", post_three_thread, start->td);
  return TRUE;
}

/* LS-10: three call_soon_threadsafe calls from another thread, made while
 * the loop runs, run on the loop's thread in order
 * (test_events.py::test_call_soon_threadsafe). */
static void
test_threadsafe_other_thread (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  ThreadsafeData td = { NULL, 0 };
  PosterStart start = { NULL, &td };
  GError *error = NULL;
  Recorder rec;

  recorder_init (&rec, loop);
  td.rec = &rec;
  g_assert_nonnull (gaio_loop_call_soon (loop, start_thread_cb, &start, NULL, &error));
  g_assert_no_error (error);
  run_forever_ok (loop);
  g_thread_join (start.thread);

  assert_events (&rec, "a,b,c");
  g_assert_false (rec.wrong_thread);
  g_assert_cmpint (td.notified, ==, 3);

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioLoop *loop;
  gboolean  ran;
  GThread  *ran_in;
} WakeData;

static gboolean
wake_cb (gpointer   data,
         GError   **error)
{
  WakeData *wd = data;

  wd->ran_in = g_thread_self ();
  wd->ran = TRUE;
  return TRUE;
}

static gpointer
sleep_then_post_thread (gpointer data)
{
  WakeData *wd = data;
  GError *error = NULL;
  GaioHandle *handle;

  g_usleep (50 * G_TIME_SPAN_MILLISECOND);
  handle = gaio_loop_call_soon_threadsafe (wd->loop, wake_cb, wd, NULL, &error);
  g_assert_no_error (error);
  gaio_handle_unref (handle);
  return NULL;
}

/* LS-10: a thread's call_soon_threadsafe wakes a loop blocked in poll()
 * with nothing else to do (test_events.py::test_call_soon_threadsafe;
 * probe O6). Without the wake-up the iteration would block until the
 * guard's 5 s timeout and the test fails. */
static void
test_threadsafe_wakes_blocked_loop (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  WakeData wd = { loop, FALSE, NULL };
  GThread *thread;

  thread = g_thread_new ("waker", sleep_then_post_thread, &wd);
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), gaio_test_flag_is_set,
                                          &wd.ran, 5));
  g_thread_join (thread);
  g_assert_true (wd.ran_in == g_thread_self ());

  gaio_test_loop_free (loop);
}

/* LS-10: from the loop's own thread, call_soon_threadsafe and call_soon
 * share one FIFO (test_events.py::test_call_soon_threadsafe_same_thread;
 * probe O7: ['hello', 'world']). */
static void
test_threadsafe_same_thread_fifo (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  const char *names[] = { "hello", "world", "ts2", "soon2", "ts3" };
  Recorder rec;

  recorder_init (&rec, loop);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_str_has_prefix (names[i], "ts") || i == 0)
        {
          GError *error = NULL;
          GaioHandle *handle;

          handle = gaio_loop_call_soon_threadsafe (loop, record_cb,
                                                   step_new (&rec, names[i], NULL), step_free,
                                                   &error);
          g_assert_no_error (error);
          gaio_handle_unref (handle);
        }
      else
        soon (&rec, names[i]);
    }
  wait_events (&rec, G_N_ELEMENTS (names));
  assert_events (&rec, "hello,world,ts2,soon2,ts3");

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* LS-07 + LS-10: a handle of call_soon_threadsafe (transfer full) can be
 * cancelled: it never runs and its notify runs once, at the cancel. */
static void
test_threadsafe_cancel (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gint notified = 0;
  GError *error = NULL;
  GaioHandle *handle;
  Recorder rec;

  recorder_init (&rec, loop);
  handle = gaio_loop_call_soon_threadsafe (loop, record_cb,
                                           step_new (&rec, "cancelled", &notified), step_free,
                                           &error);
  g_assert_no_error (error);
  soon (&rec, "other");
  gaio_handle_cancel (handle);
  g_assert_cmpint (notified, ==, 1);
  g_assert_true (gaio_handle_is_cancelled (handle));

  wait_events (&rec, 1);
  schedule_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "other");
  g_assert_cmpint (notified, ==, 1);

  gaio_handle_unref (handle);
  recorder_clear (&rec);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* run_until_complete                                                   */

typedef struct
{
  GaioFuture *future;
  gint64      value;
} SetResult;

static gboolean
set_result_cb (gpointer   data,
               GError   **error)
{
  SetResult *sr = data;

  return gaio_future_set_result_int64 (sr->future, sr->value, error);
}

static gboolean
set_error_cb (gpointer   data,
              GError   **error)
{
  GError *boom = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "boom");

  return gaio_future_take_error (data, boom, error);
}

static gboolean
cancel_future_cb (gpointer   data,
                  GError   **error)
{
  g_assert_true (gaio_future_cancel (data, "stop it"));
  return TRUE;
}

/* LS-11: run_until_complete returns the future's result
 * (test_events.py::test_run_until_complete). */
static void
test_run_until_complete_result (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  SetResult sr = { future, 42 };
  GValue value = G_VALUE_INIT;
  GError *error = NULL;
  GaioTestGuard *guard;

  g_assert_nonnull (gaio_loop_call_later (loop, 0.01, set_result_cb, &sr, NULL, &error));
  guard = gaio_test_guard_new (loop, NULL, 10);
  g_assert_true (gaio_loop_run_until_complete (loop, future, &value, &error));
  g_assert_true (gaio_test_guard_finish (guard));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_INT64 (&value));
  g_assert_cmpint (g_value_get_int64 (&value), ==, 42);
  g_value_unset (&value);
  g_assert_false (gaio_loop_is_running (loop));

  /* Already done, and no GValue wanted. */
  g_assert_true (gaio_loop_run_until_complete (loop, future, NULL, &error));
  g_assert_no_error (error);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* LS-11: a failed future makes run_until_complete fail with a copy of its
 * error, which counts as retrieved (no "never retrieved" report). */
static void
test_run_until_complete_error (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GPtrArray *contexts = install_collect_handler (loop);
  GaioFuture *future = gaio_loop_create_future (loop);
  GError *error = NULL;

  g_assert_nonnull (gaio_loop_call_soon (loop, set_error_cb, future, NULL, &error));
  g_assert_false (gaio_loop_run_until_complete (loop, future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "boom");
  g_clear_error (&error);

  gaio_test_assert_finalize_future (future);
  g_assert_cmpuint (contexts->len, ==, 0);

  gaio_test_loop_free (loop);
  g_ptr_array_unref (contexts);
}

/* LS-11: a future cancelled while the loop runs: G_IO_ERROR_CANCELLED
 * (asyncio raises CancelledError from run_until_complete). */
static void
test_run_until_complete_cancelled (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  GError *error = NULL;

  g_assert_nonnull (gaio_loop_call_soon (loop, cancel_future_cb, future, NULL, &error));
  g_assert_false (gaio_loop_run_until_complete (loop, future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "stop it");
  g_clear_error (&error);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

/* LS-11: a future of another loop is refused
 * (test_base_events.py::test_run_until_complete_loop; probe L4). */
static void
test_run_until_complete_other_loop (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *other_context = g_main_context_new ();
  GaioLoop *other = gaio_loop_new (other_context);
  GaioFuture *future = gaio_loop_create_future (other);
  GError *error = NULL;

  g_assert_true (gaio_future_get_loop (future) == other);
  g_assert_false (gaio_loop_run_until_complete (loop, future, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "The future belongs to a different loop than the one specified as the "
                   "loop argument");
  g_clear_error (&error);
  g_assert_false (gaio_loop_is_running (loop));
  g_assert_false (gaio_future_is_done (future));

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (other);
  g_main_context_unref (other_context);
  gaio_test_loop_free (loop);
}

/* LS-12: stop() before the future completes fails run_until_complete; the
 * loop stays usable (test_events.py::test_run_until_complete_stopped;
 * probe E16). */
static void
test_run_until_complete_stopped (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  SetResult sr = { future, 7 };
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  schedule_stop (loop);
  g_assert_false (gaio_loop_run_until_complete (loop, future, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_STOPPED_EARLY);
  g_assert_cmpstr (error->message, ==, "Event loop stopped before Future completed.");
  g_clear_error (&error);
  g_assert_false (gaio_loop_is_running (loop));
  g_assert_false (gaio_future_is_done (future));

  g_assert_nonnull (gaio_loop_call_soon (loop, set_result_cb, &sr, NULL, &error));
  g_assert_true (gaio_loop_run_until_complete (loop, future, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 7);
  g_value_unset (&value);

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioLoop   *loop;
  GaioLoop   *other;         /* (nullable) */
  GaioFuture *future;        /* of @loop */
  GaioFuture *other_future;  /* (nullable) of @other */
  gboolean    checked;
  gboolean    was_running;
  GaioLoop   *running_loop;
  GError     *forever_error;
  GError     *until_error;
  GError     *other_forever_error;
  GError     *other_until_error;
  GError     *close_error;
  gboolean    keep_running;  /* do not stop the loop */
} Nested;

static gboolean
nested_cb (gpointer   data,
           GError   **error)
{
  Nested *n = data;

  n->checked = TRUE;
  n->was_running = gaio_loop_is_running (n->loop);
  n->running_loop = gaio_get_running_loop ();
  g_assert_false (gaio_loop_run_forever (n->loop, &n->forever_error));
  g_assert_false (gaio_loop_run_until_complete (n->loop, n->future, NULL, &n->until_error));
  if (n->other != NULL)
    {
      g_assert_false (gaio_loop_run_forever (n->other, &n->other_forever_error));
      g_assert_false (gaio_loop_run_until_complete (n->other, n->other_future, NULL,
                                                    &n->other_until_error));
    }
  g_assert_false (gaio_loop_close (n->loop, &n->close_error));
  if (!n->keep_running)
    gaio_loop_stop (n->loop);
  return TRUE;
}

static void
nested_clear (Nested *n)
{
  g_clear_error (&n->forever_error);
  g_clear_error (&n->until_error);
  g_clear_error (&n->other_forever_error);
  g_clear_error (&n->other_until_error);
  g_clear_error (&n->close_error);
}

/* LS-12 + LS-14: from a callback of a running loop, running it again fails
 * with "This event loop is already running", and closing it with "Cannot
 * close a running event loop"; inside, the loop is running and is the
 * running loop (test_events.py::test_run_until_complete_nesting,
 * ::test_close_running_event_loop; probe E19). */
static void
test_run_nested (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Nested n = { 0 };
  GError *error = NULL;

  n.loop = loop;
  n.future = gaio_loop_create_future (loop);
  g_assert_null (gaio_get_running_loop ());
  g_assert_nonnull (gaio_loop_call_soon (loop, nested_cb, &n, NULL, &error));
  run_forever_ok (loop);

  g_assert_true (n.checked);
  g_assert_true (n.was_running);
  g_assert_true (n.running_loop == loop);
  g_assert_error (n.forever_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
  g_assert_cmpstr (n.forever_error->message, ==, "This event loop is already running");
  g_assert_error (n.until_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
  g_assert_cmpstr (n.until_error->message, ==, "This event loop is already running");
  g_assert_error (n.close_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
  g_assert_cmpstr (n.close_error->message, ==, "Cannot close a running event loop");
  g_assert_false (gaio_loop_is_closed (loop));
  g_assert_false (gaio_loop_is_running (loop));
  g_assert_null (gaio_get_running_loop ());

  nested_clear (&n);

  /* The same from inside run_until_complete. */
  {
    GaioFuture *until = gaio_loop_create_future (loop);
    SetResult sr = { until, 1 };

    n.checked = FALSE;
    n.keep_running = TRUE;
    g_assert_nonnull (gaio_loop_call_soon (loop, nested_cb, &n, NULL, &error));
    g_assert_nonnull (gaio_loop_call_soon (loop, set_result_cb, &sr, NULL, &error));
    g_assert_true (gaio_loop_run_until_complete (loop, until, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (n.checked);
    g_assert_true (n.was_running);
    g_assert_true (n.running_loop == loop);
    g_assert_error (n.forever_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
    g_assert_error (n.until_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
    g_assert_error (n.close_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
    g_assert_false (gaio_loop_is_running (loop));
    nested_clear (&n);
    gaio_test_assert_finalize_future (until);
  }

  gaio_test_assert_finalize_future (n.future);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioLoop   *loop;
  GaioLoop   *other;          /* (nullable) */
  GaioFuture *done_future;    /* already done, of @loop or @other */
  GError     *nested_error;
  gboolean    final_ran;
} NestedDone;

static gboolean
final_stop_cb (gpointer   data,
               GError   **error)
{
  NestedDone *nd = data;

  nd->final_ran = TRUE;
  gaio_loop_stop (nd->loop);
  return TRUE;
}

static gboolean
nested_done_cb (gpointer   data,
                GError   **error)
{
  NestedDone *nd = data;

  g_assert_false (gaio_loop_run_until_complete (nd->other ? nd->other : nd->loop,
                                                nd->done_future, NULL, &nd->nested_error));
  return TRUE;
}

/* LS-12: a refused nested run_until_complete leaves no trace: with a
 * future that is already done, the refusal must not leave a pending
 * stop() behind, neither on the running loop (which would return early)
 * nor on the other loop (whose next run would be cut short). asyncio
 * checks that no loop runs before it adds its done callback
 * (base_events.py run_until_complete -> run_forever -> _check_running). */
static void
test_run_nested_done_future (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *other_context = g_main_context_new ();
  GaioLoop *other = gaio_loop_new (other_context);
  NestedDone nd = { loop, NULL, NULL, NULL, FALSE };
  Recorder rec;
  GError *error = NULL;

  recorder_init (&rec, other);

  for (guint pass = 0; pass < 2; pass++)
    {
      nd.other = pass == 0 ? NULL : other;
      nd.done_future = gaio_loop_create_future (pass == 0 ? loop : other);
      nd.final_ran = FALSE;
      g_assert_true (gaio_future_set_result_int64 (nd.done_future, 1, NULL));

      g_assert_nonnull (gaio_loop_call_soon (loop, nested_done_cb, &nd, NULL, &error));
      g_assert_nonnull (gaio_loop_call_later (loop, 0.05, final_stop_cb, &nd, NULL, &error));
      run_forever_ok (loop);
      g_assert_error (nd.nested_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
      g_clear_error (&nd.nested_error);
      /* run_forever returned because of final_stop_cb, not earlier. */
      g_assert_true (nd.final_ran);
      gaio_test_assert_finalize_future (nd.done_future);
    }

  /* The other loop has no stop pending: a run goes on until the stop
   * callback queued behind "a" and the one-iteration-later "b". */
  g_assert_nonnull (gaio_loop_call_soon (other, spawn_child_cb, step_new (&rec, "a", NULL),
                                         step_free, &error));
  g_assert_nonnull (gaio_loop_call_later (other, 0.05, record_and_stop_cb,
                                          step_new (&rec, "stop", NULL), step_free, &error));
  run_forever_ok (other);
  assert_events (&rec, "a,a-child,stop");

  recorder_clear (&rec);
  gaio_test_loop_free (other);
  g_main_context_unref (other_context);
  gaio_test_loop_free (loop);
}

typedef struct
{
  GaioLoop *loop;
  gboolean  ran;
  gboolean  was_running;
  GaioLoop *running_loop;
} ForeignSource;

static gboolean
foreign_source_cb (gpointer data)
{
  ForeignSource *fs = data;

  fs->ran = TRUE;
  fs->was_running = gaio_loop_is_running (fs->loop);
  fs->running_loop = gaio_get_running_loop ();
  gaio_loop_stop (fs->loop);
  return G_SOURCE_REMOVE;
}

/* While run_forever runs, the loop is running and is the running loop for
 * any code the context dispatches, not only the loop's own callbacks
 * (base_events.py run_forever sets events._set_running_loop(self) for its
 * whole duration, so get_running_loop() answers from any code it runs). */
static void
test_running_loop_in_other_source (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  ForeignSource fs = { loop, FALSE, FALSE, NULL };
  GSource *source = g_timeout_source_new (10);

  g_source_set_callback (source, foreign_source_cb, &fs, NULL);
  g_source_attach (source, gaio_loop_get_context (loop));
  run_forever_ok (loop);
  g_assert_true (fs.ran);
  g_assert_true (fs.was_running);
  g_assert_true (fs.running_loop == loop);
  g_assert_null (gaio_get_running_loop ());

  g_source_destroy (source);
  g_source_unref (source);
  gaio_test_loop_free (loop);
}

/* LS-12: running a second loop while one runs in this thread fails with
 * "Cannot run the event loop while another loop is running", both under
 * run_forever and while the first loop's source is dispatched by
 * g_main_context_iteration()
 * (test_base_events.py::RunningLoopTests::test_running_loop_within_a_loop). */
static void
test_run_other_loop_nested (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *other_context = g_main_context_new ();
  Nested n = { 0 };
  GError *error = NULL;

  n.loop = loop;
  n.future = gaio_loop_create_future (loop);
  n.other = gaio_loop_new (other_context);
  n.other_future = gaio_loop_create_future (n.other);

  for (guint pass = 0; pass < 2; pass++)
    {
      n.checked = FALSE;
      g_assert_nonnull (gaio_loop_call_soon (loop, nested_cb, &n, NULL, &error));
      if (pass == 0)
        run_forever_ok (loop);
      else
        g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop),
                                                gaio_test_flag_is_set, &n.checked, 10));

      g_assert_true (n.checked);
      g_assert_true (n.was_running);
      g_assert_true (n.running_loop == loop);
      g_assert_error (n.other_forever_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
      g_assert_cmpstr (n.other_forever_error->message, ==,
                       "Cannot run the event loop while another loop is running");
      g_assert_error (n.other_until_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
      g_assert_cmpstr (n.other_until_error->message, ==,
                       "Cannot run the event loop while another loop is running");
      g_assert_false (gaio_loop_is_running (n.other));
      nested_clear (&n);
    }
  g_assert_null (gaio_get_running_loop ());
  /* A stop() left over from the second pass would end the first
   * run_forever of the other loop early; it is not this test's subject:
   * the other loop was never run. */

  gaio_test_assert_finalize_future (n.future);
  gaio_test_assert_finalize_future (n.other_future);
  gaio_test_loop_free (n.other);
  g_main_context_unref (other_context);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Escape (LS-13)                                                       */

static gboolean
escape_cb (gpointer   data,
           GError   **error)
{
  Step *step = data;

  recorder_add (step->rec, step->name);
  g_set_error_literal (error, GAIO_ERROR, GAIO_ERROR_ESCAPE, "bye");
  return FALSE;
}

/* LS-13: a callback failing with GAIO_ERROR_ESCAPE (asyncio's
 * KeyboardInterrupt/SystemExit) leaves run_forever with that error, is not
 * passed to the exception handler, and leaves the loop usable: the
 * callbacks still ready run on the next run_forever
 * (test_base_events.py::test_run_forever_keyboard_interrupt; probe L1). */
static void
test_escape (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GPtrArray *contexts = install_collect_handler (loop);
  GError *error = NULL;
  GaioTestGuard *guard;
  gint notified = 0;
  Recorder rec;

  recorder_init (&rec, loop);
  soon (&rec, "a");
  g_assert_nonnull (gaio_loop_call_soon (loop, escape_cb, step_new (&rec, "escape", &notified),
                                         step_free, &error));
  soon (&rec, "b");

  guard = gaio_test_guard_new (loop, NULL, 10);
  g_assert_false (gaio_loop_run_forever (loop, &error));
  g_assert_true (gaio_test_guard_finish (guard));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_ESCAPE);
  g_assert_cmpstr (error->message, ==, "bye");
  g_clear_error (&error);
  assert_events (&rec, "a,escape");
  g_assert_cmpint (notified, ==, 1);
  g_assert_false (gaio_loop_is_running (loop));
  g_assert_null (gaio_get_running_loop ());
  g_assert_cmpuint (contexts->len, ==, 0);

  schedule_stop (loop);
  run_forever_ok (loop);
  assert_events (&rec, "a,escape,b");
  g_assert_cmpuint (contexts->len, ==, 0);

  recorder_clear (&rec);
  gaio_test_loop_free (loop);
  g_ptr_array_unref (contexts);
}

/* LS-13: the escape also leaves run_until_complete, whose future stays
 * pending; a later run_until_complete of it works
 * (test_base_events.py::test_run_until_complete_baseexception). */
static void
test_escape_run_until_complete (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GPtrArray *contexts = install_collect_handler (loop);
  GaioFuture *future = gaio_loop_create_future (loop);
  SetResult sr = { future, 7 };
  GValue value = G_VALUE_INIT;
  GError *error = NULL;
  Recorder rec;

  recorder_init (&rec, loop);
  g_assert_nonnull (gaio_loop_call_soon (loop, escape_cb, step_new (&rec, "escape", NULL),
                                         step_free, &error));
  g_assert_false (gaio_loop_run_until_complete (loop, future, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_ESCAPE);
  g_clear_error (&error);
  g_assert_false (gaio_future_is_done (future));
  g_assert_false (gaio_loop_is_running (loop));

  g_assert_nonnull (gaio_loop_call_soon (loop, set_result_cb, &sr, NULL, &error));
  g_assert_true (gaio_loop_run_until_complete (loop, future, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 7);
  g_value_unset (&value);
  g_assert_cmpuint (contexts->len, ==, 0);

  gaio_test_assert_finalize_future (future);
  recorder_clear (&rec);
  gaio_test_loop_free (loop);
  g_assert_cmpuint (contexts->len, ==, 0);
  g_ptr_array_unref (contexts);
}

/* ------------------------------------------------------------------ */
/* close (LS-14)                                                        */

/* LS-14: close() drops the ready and scheduled callbacks (never run) and
 * runs their notify; it is idempotent
 * (test_base_events.py::test_close, test_events.py::test_close). */
static void
test_close (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainContext *context = g_main_context_ref (gaio_loop_get_context (loop));
  gint notified = 0;
  GError *error = NULL;
  GaioHandle *threadsafe;
  Recorder rec;

  recorder_init (&rec, loop);
  g_assert_nonnull (gaio_loop_call_soon (loop, record_cb, step_new (&rec, "soon", &notified),
                                         step_free, &error));
  g_assert_nonnull (gaio_loop_call_later (loop, 0.001, record_cb,
                                          step_new (&rec, "later", &notified), step_free,
                                          &error));
  g_assert_nonnull (gaio_loop_call_at (loop, gaio_loop_time (loop) - 1, record_cb,
                                       step_new (&rec, "at", &notified), step_free, &error));
  threadsafe = gaio_loop_call_soon_threadsafe (loop, record_cb,
                                               step_new (&rec, "threadsafe", &notified),
                                               step_free, &error);
  g_assert_no_error (error);
  g_assert_cmpint (notified, ==, 0);

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_loop_is_closed (loop));
  g_assert_cmpint (notified, ==, 4);
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_cmpint (notified, ==, 4);

  /* Nothing runs any more, whatever drives the context. */
  g_usleep (5 * G_TIME_SPAN_MILLISECOND);
  gaio_test_iterate (context, 5);
  assert_events (&rec, "");
  g_assert_cmpint (notified, ==, 4);

  gaio_handle_unref (threadsafe);
  recorder_clear (&rec);
  gaio_test_loop_free (loop);
  g_main_context_unref (context);
}

static gboolean
never_cb (gpointer   data,
          GError   **error)
{
  g_assert_not_reached ();
  return TRUE;
}

/* LS-14: after close() every scheduling call and both ways of running the
 * loop fail with "Event loop is closed"; a refused callback's notify runs
 * at once (test_base_events.py::test_close; probes E18, L6, L8). */
static void
test_closed_refuses (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GaioFuture *future = gaio_loop_create_future (loop);
  gint notified = 0;
  GError *error = NULL;

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);

  g_assert_null (gaio_loop_call_soon (loop, never_cb, &notified, gaio_test_count_notify,
                                      &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_clear_error (&error);
  g_assert_cmpint (notified, ==, 1);

  g_assert_null (gaio_loop_call_later (loop, 0, never_cb, &notified, gaio_test_count_notify,
                                       &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_clear_error (&error);
  g_assert_cmpint (notified, ==, 2);

  g_assert_null (gaio_loop_call_at (loop, 0, never_cb, &notified, gaio_test_count_notify,
                                    &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_clear_error (&error);
  g_assert_cmpint (notified, ==, 3);

  g_assert_null (gaio_loop_call_soon_threadsafe (loop, never_cb, &notified,
                                                 gaio_test_count_notify, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_clear_error (&error);
  g_assert_cmpint (notified, ==, 4);

  g_assert_false (gaio_loop_run_forever (loop, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_clear_error (&error);

  g_assert_false (gaio_loop_run_until_complete (loop, future, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_clear_error (&error);
  g_assert_false (gaio_loop_is_running (loop));

  gaio_test_assert_finalize_future (future);
  gaio_test_loop_free (loop);
  g_assert_cmpint (notified, ==, 4);
}

static gboolean
close_while_dispatching_cb (gpointer   data,
                            GError   **error)
{
  Nested *n = data;

  n->checked = TRUE;
  n->was_running = gaio_loop_is_running (n->loop);
  n->running_loop = gaio_get_running_loop ();
  g_assert_false (gaio_loop_close (n->loop, &n->close_error));
  return TRUE;
}

/* LS-14: close() from a callback dispatched by g_main_context_iteration()
 * (no run_forever) also fails: the loop is running while its source
 * dispatches (test_events.py::test_close_running_event_loop). */
static void
test_close_while_dispatching (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Nested n = { 0 };
  GError *error = NULL;

  n.loop = loop;
  g_assert_nonnull (gaio_loop_call_soon (loop, close_while_dispatching_cb, &n, NULL, &error));
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), gaio_test_flag_is_set,
                                          &n.checked, 10));
  g_assert_true (n.was_running);
  g_assert_true (n.running_loop == loop);
  g_assert_error (n.close_error, GAIO_ERROR, GAIO_ERROR_RUNNING);
  g_assert_cmpstr (n.close_error->message, ==, "Cannot close a running event loop");
  g_assert_false (gaio_loop_is_closed (loop));
  g_assert_false (gaio_loop_is_running (loop));
  g_assert_null (gaio_get_running_loop ());

  nested_clear (&n);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Unclosed loop (LS-15)                                                */

/* Finalizes @loop, with a ready and a scheduled callback whose notify
 * increments @notified, without closing it. */
static void
drop_unclosed_loop (GaioLoop *loop,
                    gint     *notified)
{
  GMainContext *context = g_main_context_ref (gaio_loop_get_context (loop));
  GError *error = NULL;

  g_assert_nonnull (gaio_loop_call_soon (loop, never_cb, notified, gaio_test_count_notify,
                                         &error));
  g_assert_nonnull (gaio_loop_call_later (loop, 60, never_cb, notified,
                                          gaio_test_count_notify, &error));
  g_assert_no_error (error);
  gaio_test_log_clear ();
  g_assert_finalize_object (loop);

  /* Nothing of the loop is left on the context. */
  gaio_test_iterate (context, 3);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static void
assert_unclosed_warning (gboolean debug)
{
  g_autofree char *expected = g_strdup_printf (
    "unclosed event loop <GaioLoop running=0 closed=0 debug=%d>", debug ? 1 : 0);
  GaioTestLogRecord *record;

  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_WARNING), ==, 1);
  for (guint i = 0; i < gaio_test_log_count (); i++)
    {
      record = gaio_test_log_get (i);
      if (record->level != G_LOG_LEVEL_WARNING)
        continue;
      g_assert_cmpstr (record->domain, ==, "Gaio");
      g_assert_cmpstr (record->message, ==, expected);
      g_assert_cmpstr (gaio_test_log_record_field (record, "GAIO_WARNING_CATEGORY"), ==,
                       "ResourceWarning");
    }
}

/* LS-15: finalizing an unclosed, non-running loop in debug mode warns
 * "unclosed event loop <GaioLoop running=0 closed=0 debug=1>" as a
 * ResourceWarning, then closes it (BaseEventLoop.__del__; probe L7). */
static void
test_unclosed_warning (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gint notified = 0;

  gaio_loop_set_debug (loop, TRUE);
  g_assert_true (gaio_loop_get_debug (loop));
  drop_unclosed_loop (loop, &notified);
  assert_unclosed_warning (TRUE);
  g_assert_cmpint (notified, ==, 2);
  gaio_test_log_clear ();
}

/* LS-15: outside debug mode (and without GAIO_RESOURCE_WARNINGS) the
 * warning is hidden, as Python hides ResourceWarning by default; the loop
 * is still closed. */
static void
test_unclosed_silent (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gint notified = 0;

  g_assert_false (gaio_loop_get_debug (loop));
  drop_unclosed_loop (loop, &notified);
  g_assert_cmpuint (gaio_test_log_count_level (G_LOG_LEVEL_WARNING), ==, 0);
  g_assert_cmpint (notified, ==, 2);
}

/* LS-15: GAIO_RESOURCE_WARNINGS=1 shows the warning outside debug mode
 * (python -W default). Run in a subprocess so the variable is set before
 * the library could read it. */
static void
test_unclosed_warning_env (void)
{
  if (g_test_subprocess ())
    {
      GaioLoop *loop;
      gint notified = 0;

      g_setenv ("GAIO_RESOURCE_WARNINGS", "1", TRUE);
      loop = gaio_test_loop_new ();
      g_assert_false (gaio_loop_get_debug (loop));
      drop_unclosed_loop (loop, &notified);
      assert_unclosed_warning (FALSE);
      g_assert_cmpint (notified, ==, 2);
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ------------------------------------------------------------------ */
/* Notify exactly once                                                  */

static gboolean
check_not_notified_cb (gpointer   data,
                       GError   **error)
{
  g_assert_cmpint (*(gint *) data, ==, 0);
  return TRUE;
}

/* The notify of a scheduled callback runs exactly once: after the
 * callback ran, at the cancel, at close, or at once when the loop is
 * closed (the GDestroyNotify analogue of asyncio dropping _callback and
 * _args; LS-07, LS-14). */
static void
test_notify_once (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  gint ran = 0, cancelled = 0, closed = 0, refused = 0, ts_ran = 0, timer_ran = 0;
  GError *error = NULL;
  GaioHandle *handle;

  g_assert_nonnull (gaio_loop_call_soon (loop, check_not_notified_cb, &ran,
                                         gaio_test_count_notify, &error));
  handle = gaio_loop_call_soon_threadsafe (loop, check_not_notified_cb, &ts_ran,
                                           gaio_test_count_notify, &error);
  gaio_handle_unref (handle);
  g_assert_nonnull (gaio_loop_call_later (loop, 0, check_not_notified_cb, &timer_ran,
                                          gaio_test_count_notify, &error));
  handle = gaio_loop_call_soon (loop, never_cb, &cancelled, gaio_test_count_notify, &error);
  g_assert_no_error (error);
  gaio_handle_cancel (handle);
  g_assert_cmpint (cancelled, ==, 1);

  schedule_stop (loop);
  run_forever_ok (loop);
  g_assert_cmpint (ran, ==, 1);
  g_assert_cmpint (ts_ran, ==, 1);
  g_assert_cmpint (timer_ran, ==, 1);
  g_assert_cmpint (cancelled, ==, 1);

  g_assert_nonnull (gaio_loop_call_later (loop, 30, never_cb, &closed, gaio_test_count_notify,
                                          &error));
  g_assert_no_error (error);
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_cmpint (closed, ==, 1);

  g_assert_null (gaio_loop_call_soon (loop, never_cb, &refused, gaio_test_count_notify,
                                      &error));
  g_clear_error (&error);
  g_assert_cmpint (refused, ==, 1);

  gaio_test_loop_free (loop);
  g_assert_cmpint (ran, ==, 1);
  g_assert_cmpint (ts_ran, ==, 1);
  g_assert_cmpint (timer_ran, ==, 1);
  g_assert_cmpint (cancelled, ==, 1);
  g_assert_cmpint (closed, ==, 1);
  g_assert_cmpint (refused, ==, 1);
}

/* ------------------------------------------------------------------ */
/* Other drivers of the context                                         */

typedef struct
{
  GaioLoop     *loop;
  GMainLoop    *main_loop;
  GApplication *app;
  guint         runs;
  gboolean      all_running;
  gboolean      all_current;
  gboolean      quit_app;
} Driver;

static gboolean
driver_cb (gpointer   data,
           GError   **error)
{
  Driver *d = data;

  d->runs++;
  if (!gaio_loop_is_running (d->loop))
    d->all_running = FALSE;
  if (gaio_get_running_loop () != d->loop)
    d->all_current = FALSE;
  return TRUE;
}

static gboolean
driver_finish_cb (gpointer   data,
                  GError   **error)
{
  Driver *d = data;

  driver_cb (data, error);
  if (d->main_loop != NULL)
    g_main_loop_quit (d->main_loop);
  if (d->app != NULL)
    {
      if (d->quit_app)
        g_application_quit (d->app);
      else
        g_application_release (d->app);
    }
  return TRUE;
}

/* Schedules a call_soon, a call_later and a threadsafe callback, then a
 * finishing timer that quits whatever drives the loop. */
static void
driver_schedule (Driver *d)
{
  GError *error = NULL;
  GaioHandle *handle;

  g_assert_nonnull (gaio_loop_call_soon (d->loop, driver_cb, d, NULL, &error));
  g_assert_nonnull (gaio_loop_call_later (d->loop, 0.01, driver_cb, d, NULL, &error));
  handle = gaio_loop_call_soon_threadsafe (d->loop, driver_cb, d, NULL, &error);
  g_assert_no_error (error);
  gaio_handle_unref (handle);
  g_assert_nonnull (gaio_loop_call_later (d->loop, 0.03, driver_finish_cb, d, NULL, &error));
  g_assert_no_error (error);
}

static void
driver_check (Driver *d)
{
  g_assert_cmpuint (d->runs, ==, 4);
  g_assert_true (d->all_running);
  g_assert_true (d->all_current);
  g_assert_false (gaio_loop_is_running (d->loop));
  g_assert_null (gaio_get_running_loop ());
}

static gboolean
driver_done (gpointer data)
{
  return ((Driver *) data)->runs >= 4;
}

/* The loop runs when its context is driven by g_main_context_iteration();
 * it is running (and the running loop) while its callbacks run. */
static void
test_driven_by_context_iteration (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Driver d = { loop, NULL, NULL, 0, TRUE, TRUE, FALSE };

  driver_schedule (&d);
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), driver_done, &d, 10));
  driver_check (&d);

  gaio_test_loop_free (loop);
}

/* The loop runs under g_main_loop_run() on its context. */
static void
test_driven_by_main_loop (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  GMainLoop *main_loop = g_main_loop_new (gaio_loop_get_context (loop), FALSE);
  Driver d = { loop, main_loop, NULL, 0, TRUE, TRUE, FALSE };
  GaioTestGuard *guard = gaio_test_guard_new (NULL, main_loop, 10);

  driver_schedule (&d);
  g_main_loop_run (main_loop);
  g_assert_true (gaio_test_guard_finish (guard));
  driver_check (&d);

  g_main_loop_unref (main_loop);
  gaio_test_loop_free (loop);
}

static gboolean
app_guard_fired (gpointer data)
{
  Driver *d = data;

  g_test_fail_printf ("the application was still running after 10 s");
  g_application_quit (d->app);
  return G_SOURCE_REMOVE;
}

static void
app_activate (GApplication *app,
              gpointer      data)
{
  Driver *d = data;

  g_application_hold (app);
  driver_schedule (d);
}

/* The loop runs under g_application_run() (which drives the global default
 * context); the application ends when a loop callback releases it, or
 * quits it. */
static void
run_application (gboolean quit)
{
  GApplication *app = g_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  GaioLoop *loop;
  Driver d = { NULL, NULL, app, 0, TRUE, TRUE, quit };
  GSource *guard;
  int status;

  gaio_test_log_clear ();
  g_assert_null (g_main_context_get_thread_default ());
  loop = gaio_loop_new (NULL);
  g_assert_true (gaio_loop_get_context (loop) == g_main_context_default ());
  d.loop = loop;
  guard = g_timeout_source_new_seconds (10);
  g_source_set_callback (guard, app_guard_fired, &d, NULL);
  g_source_attach (guard, NULL);
  g_signal_connect (app, "activate", G_CALLBACK (app_activate), &d);

  status = g_application_run (app, 0, NULL);
  g_source_destroy (guard);
  g_source_unref (guard);
  g_assert_cmpint (status, ==, 0);
  driver_check (&d);

  if (quit)
    g_application_release (app);
  g_assert_finalize_object (app);
  gaio_test_loop_free (loop);
}

static void
test_driven_by_application_release (void)
{
  run_application (FALSE);
}

static void
test_driven_by_application_quit (void)
{
  run_application (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Loop/new-context", test_new_context);
  g_test_add_func ("/Gaio/Loop/time", test_time);
  g_test_add_func ("/Gaio/Loop/call-soon-fifo", test_call_soon_fifo);
  g_test_add_func ("/Gaio/Loop/next-iteration", test_next_iteration);
  g_test_add_func ("/Gaio/Loop/stop-finishes-iteration", test_stop_finishes_iteration);
  g_test_add_func ("/Gaio/Loop/run-forever-pre-stopped", test_run_forever_pre_stopped);
  g_test_add_func ("/Gaio/Loop/call-later", test_call_later);
  g_test_add_func ("/Gaio/Loop/call-later-nan", test_call_later_nan);
  g_test_add_func ("/Gaio/Loop/call-later-infinite", test_call_later_infinite);
  g_test_add_func ("/Gaio/Loop/negative-delays", test_negative_delays);
  g_test_add_func ("/Gaio/Loop/ready-before-due-timers", test_ready_before_due_timers);
  g_test_add_func ("/Gaio/Loop/call-at", test_call_at);
  g_test_add_func ("/Gaio/Loop/call-at-sub-resolution", test_call_at_sub_resolution);
  g_test_add_func ("/Gaio/Loop/timer-ties-fifo", test_timer_ties_fifo);
  g_test_add_func ("/Gaio/Loop/timer-deadline-order", test_timer_deadline_order);
  g_test_add_func ("/Gaio/Loop/timer-heap-order", test_timer_heap_order);
  g_test_add_func ("/Gaio/Loop/timer-heap-order-after-prune", test_timer_heap_order_after_prune);
  g_test_add_func ("/Gaio/Loop/timer-heap-order-merged", test_timer_heap_order_merged);
  g_test_add_func ("/Gaio/Loop/timer-heap-burst-orders", test_timer_heap_burst_orders);
  g_test_add_func ("/Gaio/Loop/timers-outlive-loop", test_timers_outlive_loop);
  g_test_add_func ("/Gaio/Loop/cancel-soon", test_cancel_soon);
  g_test_add_func ("/Gaio/Loop/cancel-timer", test_cancel_timer);
  g_test_add_func ("/Gaio/Loop/cancel-in-same-iteration", test_cancel_in_same_iteration);
  g_test_add_func ("/Gaio/Loop/handle-to-string-cancelled", test_handle_to_string_cancelled);
  g_test_add_func ("/Gaio/Loop/handle-fields-after-firing", test_handle_fields_after_firing);
  g_test_add_func ("/Gaio/Loop/cancelled-timer-cleanup", test_cancelled_timer_cleanup);
  g_test_add_func ("/Gaio/Loop/cancelled-timer-not-poll-timeout",
                   test_cancelled_timer_not_poll_timeout);
  g_test_add_func ("/Gaio/Loop/timeout-rounding", test_timeout_rounding);
  g_test_add_func ("/Gaio/Loop/threadsafe-other-thread", test_threadsafe_other_thread);
  g_test_add_func ("/Gaio/Loop/threadsafe-wakes-blocked-loop",
                   test_threadsafe_wakes_blocked_loop);
  g_test_add_func ("/Gaio/Loop/threadsafe-same-thread-fifo", test_threadsafe_same_thread_fifo);
  g_test_add_func ("/Gaio/Loop/threadsafe-cancel", test_threadsafe_cancel);
  g_test_add_func ("/Gaio/Loop/run-until-complete-result", test_run_until_complete_result);
  g_test_add_func ("/Gaio/Loop/run-until-complete-error", test_run_until_complete_error);
  g_test_add_func ("/Gaio/Loop/run-until-complete-cancelled", test_run_until_complete_cancelled);
  g_test_add_func ("/Gaio/Loop/run-until-complete-other-loop",
                   test_run_until_complete_other_loop);
  g_test_add_func ("/Gaio/Loop/run-until-complete-stopped", test_run_until_complete_stopped);
  g_test_add_func ("/Gaio/Loop/run-nested", test_run_nested);
  g_test_add_func ("/Gaio/Loop/run-other-loop-nested", test_run_other_loop_nested);
  g_test_add_func ("/Gaio/Loop/run-nested-done-future", test_run_nested_done_future);
  g_test_add_func ("/Gaio/Loop/running-loop-in-other-source",
                   test_running_loop_in_other_source);
  g_test_add_func ("/Gaio/Loop/escape", test_escape);
  g_test_add_func ("/Gaio/Loop/escape-run-until-complete", test_escape_run_until_complete);
  g_test_add_func ("/Gaio/Loop/close", test_close);
  g_test_add_func ("/Gaio/Loop/closed-refuses", test_closed_refuses);
  g_test_add_func ("/Gaio/Loop/close-while-dispatching", test_close_while_dispatching);
  g_test_add_func ("/Gaio/Loop/unclosed-warning", test_unclosed_warning);
  g_test_add_func ("/Gaio/Loop/unclosed-silent", test_unclosed_silent);
  g_test_add_func ("/Gaio/Loop/unclosed-warning-env", test_unclosed_warning_env);
  g_test_add_func ("/Gaio/Loop/notify-once", test_notify_once);
  g_test_add_func ("/Gaio/Loop/driven-by-context-iteration", test_driven_by_context_iteration);
  g_test_add_func ("/Gaio/Loop/driven-by-main-loop", test_driven_by_main_loop);
  g_test_add_func ("/Gaio/Loop/driven-by-application-release",
                   test_driven_by_application_release);
  g_test_add_func ("/Gaio/Loop/driven-by-application-quit", test_driven_by_application_quit);

  return g_test_run ();
}
