/* test-signal.c: signal handlers (asyncio-cases.md group SG)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Signals are process-wide: every test restores what it changed, and the
 * program runs its tests one after the other.
 */

#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <glib-unix.h>

#include "gaio-run-private.h"
#include "unix-test-util.h"

typedef struct
{
  GaioLoop *loop;
  guint     calls;
  gint      notified;
  GThread  *thread;          /* where the last call ran */
  gboolean  fail;
  gboolean  stop_loop;
  int       resend;          /* kill() this signal 3 times from the callback */
} Handler;

static void
handler_notify (gpointer data)
{
  ((Handler *) data)->notified++;
}

gboolean on_signal (gpointer user_data, GError **error);

gboolean
on_signal (gpointer   user_data,
           GError   **error)
{
  Handler *handler = user_data;

  handler->calls++;
  handler->thread = g_thread_self ();

  if (handler->resend != 0)
    {
      int signum = handler->resend;

      handler->resend = 0;
      for (int i = 0; i < 3; i++)
        kill (getpid (), signum);
    }
  if (handler->stop_loop)
    gaio_loop_stop (handler->loop);
  if (handler->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
      return FALSE;
    }

  return TRUE;
}

static void
run_until_calls (Handler *handler,
                 guint    calls)
{
  GMainContext *context = gaio_loop_get_context (handler->loop);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (handler->calls < calls && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (handler->calls, ==, calls);
}

static void
assert_disposition (int   signum,
                    void (*expected) (int))
{
  struct sigaction current;

  g_assert_cmpint (sigaction (signum, NULL, &current), ==, 0);
  g_assert_true (current.sa_handler == expected);
}

/* SG-01: the handler runs on the loop's thread after kill(), not in the
 * signal handler: nothing has run when kill() returns. Both paths: SIGUSR1
 * (GLib's source) and SIGALRM (libgaio's own handler and self-pipe).
 * CPython: test_events.py::EventLoopTestsMixin::test_add_signal_handler */
static void
test_handler_runs_on_loop (gconstpointer data)
{
  int signum = GPOINTER_TO_INT (data);
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  Handler handler = { loop };

  g_assert_true (gaio_loop_add_signal_handler (loop, signum, on_signal, &handler, handler_notify,
                                               &error));
  g_assert_no_error (error);

  kill (getpid (), signum);
  g_assert_cmpuint (handler.calls, ==, 0);
  run_until_calls (&handler, 1);
  g_assert_true (handler.thread == g_thread_self ());

  g_assert_true (gaio_loop_remove_signal_handler (loop, signum));
  g_assert_cmpint (handler.notified, ==, 1);
  assert_disposition (signum, SIG_DFL);
  unix_test_loop_free (loop);
}

/* SG-02: the data is passed, and the handler runs exactly once per
 * delivery.
 * CPython: test_events.py::test_signal_handling_args */
static void
test_handler_data (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Handler handler = { loop };

  g_assert_true (gaio_loop_add_signal_handler (loop, SIGALRM, on_signal, &handler, NULL, NULL));
  kill (getpid (), SIGALRM);
  run_until_calls (&handler, 1);
  /* No more calls come. */
  unix_test_iterate (loop, 5);
  g_assert_cmpuint (handler.calls, ==, 1);

  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGALRM));
  unix_test_loop_free (loop);
}

/* SG-03: a signal wakes a loop blocked in poll() with a 60 s timer
 * pending; the handler stops the loop.
 * CPython: test_events.py::test_signal_handling_while_selecting */
static void
test_wakes_blocked_loop (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  Handler handler = { loop, .stop_loop = TRUE };
  struct itimerval timer = { { 0, 0 }, { 0, 10000 } };
  GaioHandle *far;
  gint64 start;

  far = gaio_handle_ref (gaio_loop_call_later (loop, 60, on_signal, &handler, NULL, NULL));
  g_assert_true (gaio_loop_add_signal_handler (loop, SIGALRM, on_signal, &handler, NULL, NULL));
  g_assert_cmpint (setitimer (ITIMER_REAL, &timer, NULL), ==, 0);

  start = g_get_monotonic_time ();
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_test_message ("woken after %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (handler.calls, ==, 1);

  gaio_handle_cancel (far);
  gaio_handle_unref (far);
  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGALRM));
  unix_test_loop_free (loop);
}

/* SG-04: numbers that are not signals are refused with
 * GAIO_ERROR_INVALID_ARGUMENT ("invalid signal number 0"), and removing
 * them returns FALSE. (The TypeError case does not apply in C.)
 * CPython: test_events.py::test_add_signal_handler,
 * test_unix_events.py::SelectorEventLoopSignalTests::test_check_signal */
static void
test_invalid_numbers (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const int invalid[] = { 0, -1, NSIG, NSIG + 1, 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("invalid signal number %d", invalid[i]);
      Handler handler = { loop };

      g_assert_false (gaio_loop_add_signal_handler (loop, invalid[i], on_signal, &handler,
                                                    handler_notify, &error));
      g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, expected);
      /* A failed call still releases the data. */
      g_assert_cmpint (handler.notified, ==, 1);
      g_assert_false (gaio_loop_remove_signal_handler (loop, invalid[i]));
    }

  unix_test_loop_free (loop);
}

/* SG-05: SIGKILL and SIGSTOP cannot be caught ("sig 9 cannot be
 * caught"); SIGCHLD is refused because GLib reaps children with it.
 * Nothing stays registered and removing returns FALSE.
 * CPython: test_events.py::test_add_signal_handler,
 * test_unix_events.py::test_add_signal_handler_install_error2,
 * ::test_add_signal_handler_install_error3 */
static void
test_uncatchable (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  const int uncatchable[] = { SIGKILL, SIGSTOP, SIGCHLD };

  for (guint i = 0; i < G_N_ELEMENTS (uncatchable); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("sig %d cannot be caught", uncatchable[i]);
      Handler handler = { loop };

      g_assert_false (gaio_loop_add_signal_handler (loop, uncatchable[i], on_signal, &handler,
                                                    handler_notify, &error));
      g_assert_error (error, GAIO_ERROR, GAIO_ERROR_SIGNAL_UNCATCHABLE);
      g_assert_true (g_str_has_prefix (error->message, expected));
      g_assert_cmpint (handler.notified, ==, 1);
      g_assert_false (gaio_loop_remove_signal_handler (loop, uncatchable[i]));
    }
  assert_disposition (SIGCHLD, SIG_DFL);

  unix_test_loop_free (loop);
}

typedef struct
{
  GaioLoop *loop;
  GError   *error;
  gboolean  added;
  gint      notified;
} ThreadAdd;

static void
thread_add_notify (gpointer data)
{
  ((ThreadAdd *) data)->notified++;
}

static gpointer
add_from_thread (gpointer data)
{
  ThreadAdd *add = data;

  add->added = gaio_loop_add_signal_handler (add->loop, SIGUSR1, on_signal, add,
                                             thread_add_notify, &add->error);
  return NULL;
}

/* SG-07: only the main thread may add handlers:
 * GAIO_ERROR_NOT_MAIN_THREAD with asyncio's text, checked before anything
 * is registered.
 * CPython: test_unix_events.py::test_add_signal_handler_setup_error */
static void
test_not_main_thread (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  ThreadAdd add = { loop };

  g_thread_join (g_thread_new ("not-main", add_from_thread, &add));

  g_assert_false (add.added);
  g_assert_error (add.error, GAIO_ERROR, GAIO_ERROR_NOT_MAIN_THREAD);
  g_assert_cmpstr (add.error->message, ==,
                   "set_wakeup_fd only works in main thread of the main interpreter");
  g_assert_cmpint (add.notified, ==, 1);
  g_assert_false (gaio_loop_remove_signal_handler (loop, SIGUSR1));
  assert_disposition (SIGUSR1, SIG_DFL);

  g_clear_error (&add.error);
  unix_test_loop_free (loop);
}

static void
ignore_signal (int signum)
{
}

/* SG-08: remove_signal_handler() returns TRUE then FALSE and restores the
 * disposition that was in place before: SIG_DFL, or a handler of the
 * application's own (SIG_IGN here).
 * CPython: test_events.py::test_add_signal_handler,
 * test_unix_events.py::test_remove_signal_handler, ::test_remove_signal_handler_2 */
static void
test_remove_restores (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Handler handler = { loop };
  struct sigaction previous = { 0 }, saved;

  g_assert_true (gaio_loop_add_signal_handler (loop, SIGALRM, on_signal, &handler, NULL, NULL));
  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGALRM));
  g_assert_false (gaio_loop_remove_signal_handler (loop, SIGALRM));
  assert_disposition (SIGALRM, SIG_DFL);

  previous.sa_handler = ignore_signal;
  sigemptyset (&previous.sa_mask);
  g_assert_cmpint (sigaction (SIGURG, &previous, &saved), ==, 0);
  g_assert_true (gaio_loop_add_signal_handler (loop, SIGURG, on_signal, &handler, NULL, NULL));
  g_assert_false (gaio_loop_remove_signal_handler (loop, SIGUSR2));
  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGURG));
  assert_disposition (SIGURG, ignore_signal);
  g_assert_cmpint (sigaction (SIGURG, &saved, NULL), ==, 0);

  /* GLib's path: GLib restores SIG_DFL when its last source goes. */
  g_assert_true (gaio_loop_add_signal_handler (loop, SIGUSR2, on_signal, &handler, NULL, NULL));
  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGUSR2));
  assert_disposition (SIGUSR2, SIG_DFL);

  unix_test_loop_free (loop);
}

/* SG-10: adding a handler for a signal replaces the previous one (whose
 * data is released); only the new one runs.
 * CPython: unix_events.py (_signal_handlers[sig] = handle); Probe E12f */
static void
test_add_replaces (gconstpointer data)
{
  int signum = GPOINTER_TO_INT (data);
  GaioLoop *loop = unix_test_loop_new ();
  Handler first = { loop }, second = { loop };

  g_assert_true (gaio_loop_add_signal_handler (loop, signum, on_signal, &first, handler_notify,
                                               NULL));
  g_assert_true (gaio_loop_add_signal_handler (loop, signum, on_signal, &second, handler_notify,
                                               NULL));
  g_assert_cmpint (first.notified, ==, 1);

  kill (getpid (), signum);
  run_until_calls (&second, 1);
  g_assert_cmpuint (first.calls, ==, 0);

  g_assert_true (gaio_loop_remove_signal_handler (loop, signum));
  g_assert_cmpint (second.notified, ==, 1);
  unix_test_loop_free (loop);
}

/* SG-10: deliveries are not coalesced on libgaio's own path: three
 * kill()s from one callback give three more calls.
 * CPython: Probe E12g */
static void
test_not_coalesced (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Handler handler = { loop, .resend = SIGALRM };

  g_assert_true (gaio_loop_add_signal_handler (loop, SIGALRM, on_signal, &handler, NULL, NULL));
  kill (getpid (), SIGALRM);
  run_until_calls (&handler, 4);
  unix_test_iterate (loop, 5);
  g_assert_cmpuint (handler.calls, ==, 4);

  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGALRM));
  unix_test_loop_free (loop);
}

/* SG-11: close() removes every handler of the loop and restores the
 * dispositions; adding afterwards fails with "Event loop is closed".
 * CPython: test_unix_events.py::test_close; test_events.py::test_close */
static void
test_close_removes_all (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  Handler alarm_handler = { loop }, usr1_handler = { loop };

  g_assert_true (gaio_loop_add_signal_handler (loop, SIGALRM, on_signal, &alarm_handler,
                                               handler_notify, NULL));
  g_assert_true (gaio_loop_add_signal_handler (loop, SIGUSR1, on_signal, &usr1_handler,
                                               handler_notify, NULL));
  g_assert_true (gaio_loop_close (loop, NULL));

  g_assert_cmpint (alarm_handler.notified, ==, 1);
  g_assert_cmpint (usr1_handler.notified, ==, 1);
  assert_disposition (SIGALRM, SIG_DFL);
  assert_disposition (SIGUSR1, SIG_DFL);

  g_assert_false (gaio_loop_add_signal_handler (loop, SIGALRM, on_signal, &alarm_handler,
                                                handler_notify, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_assert_cmpint (alarm_handler.notified, ==, 2);
  g_assert_false (gaio_loop_remove_signal_handler (loop, SIGALRM));

  unix_test_loop_free (loop);
}

/* SG-12: a failing handler is reported ("Exception in callback NAME()")
 * and stays installed.
 * CPython: test_unix_events.py::test_handle_signal_no_handler; Probe E12c */
static void
test_handler_error (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Handler handler = { loop, .fail = TRUE };
  gint n_exceptions = 0;

  gaio_loop_set_exception_handler (loop, unix_test_count_exceptions, &n_exceptions, NULL);
  g_assert_true (gaio_loop_add_signal_handler (loop, SIGALRM, on_signal, &handler, NULL, NULL));

  kill (getpid (), SIGALRM);
  run_until_calls (&handler, 1);
  g_assert_cmpint (n_exceptions, ==, 1);
  g_assert_true (g_str_has_prefix (unix_test_last_exception (), "Exception in callback on_signal()"));

  kill (getpid (), SIGALRM);
  run_until_calls (&handler, 2);
  g_assert_cmpint (n_exceptions, ==, 2);

  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGALRM));
  unix_test_loop_free (loop);
}

/* SG-12: a delivery queued before the handler was removed is dropped.
 * CPython: test_unix_events.py::test_handle_signal_cancelled_handler */
static gboolean
remove_alarm_handler (gpointer   user_data,
                      GError   **error)
{
  Handler *handler = user_data;

  g_assert_cmpuint (handler->calls, ==, 0);
  g_assert_true (gaio_loop_remove_signal_handler (handler->loop, SIGALRM));

  return TRUE;
}

/* Runs in the iteration that reads the signal, before the descriptors'
 * callbacks: what it schedules runs in the next iteration ahead of the
 * handler call the read queued behind it. */
static gboolean
schedule_removal (gpointer   user_data,
                  GError   **error)
{
  Handler *handler = user_data;

  g_assert_nonnull (gaio_loop_call_soon (handler->loop, remove_alarm_handler, handler,
                                         NULL, NULL));

  return TRUE;
}

static void
test_removed_while_queued (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Handler handler = { loop };

  g_assert_true (gaio_loop_add_signal_handler (loop, SIGALRM, on_signal, &handler,
                                               handler_notify, NULL));
  kill (getpid (), SIGALRM);
  g_assert_nonnull (gaio_loop_call_soon (loop, schedule_removal, &handler, NULL, NULL));
  unix_test_iterate (loop, 5);

  g_assert_cmpuint (handler.calls, ==, 0);
  g_assert_cmpint (handler.notified, ==, 1);
  unix_test_loop_free (loop);
}

static gboolean
count_glib_signal (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* A program's own g_unix_signal_add() keeps working beside a loop's
 * handler of the same signal, and after it is removed (GLib keeps the
 * disposition while one of its sources is left).
 * CPython: none (GLib integration) */
static void
test_glib_coexistence (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Handler handler = { loop };
  guint glib_calls = 0;
  GSource *source = g_unix_signal_source_new (SIGUSR2);

  g_source_set_callback (source, count_glib_signal, &glib_calls, NULL);
  g_source_attach (source, gaio_loop_get_context (loop));
  g_assert_true (gaio_loop_add_signal_handler (loop, SIGUSR2, on_signal, &handler, NULL, NULL));

  kill (getpid (), SIGUSR2);
  run_until_calls (&handler, 1);
  while (glib_calls == 0)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);

  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGUSR2));
  kill (getpid (), SIGUSR2);
  while (glib_calls < 2)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  g_assert_cmpuint (handler.calls, ==, 1);

  g_source_destroy (source);
  g_source_unref (source);
  unix_test_loop_free (loop);
}

/* A signal has one handler in the process: adding it on another loop
 * replaces (and releases) the first loop's.
 * CPython: signal.set_wakeup_fd is process-wide */
static void
test_other_loop_replaces (void)
{
  GaioLoop *first_loop = unix_test_loop_new ();
  GaioLoop *second_loop = unix_test_loop_new ();
  Handler first = { first_loop }, second = { second_loop };

  g_assert_true (gaio_loop_add_signal_handler (first_loop, SIGALRM, on_signal, &first,
                                               handler_notify, NULL));
  g_assert_true (gaio_loop_add_signal_handler (second_loop, SIGALRM, on_signal, &second,
                                               handler_notify, NULL));
  g_assert_cmpint (first.notified, ==, 1);
  g_assert_false (gaio_loop_remove_signal_handler (first_loop, SIGALRM));

  kill (getpid (), SIGALRM);
  run_until_calls (&second, 1);
  g_assert_cmpuint (first.calls, ==, 0);

  g_assert_true (gaio_loop_remove_signal_handler (second_loop, SIGALRM));
  unix_test_loop_free (second_loop);
  unix_test_loop_free (first_loop);
}

/* gaio_run()'s building block: the first SIGINT cancels the main future
 * and gives SIGINT back its default disposition; uninstalling reports
 * the interruption.
 * CPython: test_runners.py::RunTests::test_asyncio_run_cancels... (Runner._on_sigint) */
static void
test_sigint_guard (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  GaioFuture *main_future = gaio_loop_create_future (loop);
  GaioSigintGuard *guard;

  guard = _gaio_sigint_guard_install (loop, main_future);
  g_assert_nonnull (guard);

  kill (getpid (), SIGINT);
  unix_test_run_until_done (loop, main_future, 5);
  g_assert_true (gaio_future_is_cancelled (main_future));
  assert_disposition (SIGINT, SIG_DFL);

  g_assert_true (_gaio_sigint_guard_uninstall (guard));
  gaio_future_unref (main_future);
  unix_test_loop_free (loop);
}

/* The guard stays out of the way of an application's own SIGINT
 * handler, as asyncio.run() does. */
static void
test_sigint_guard_respects_handler (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  GaioFuture *main_future = gaio_loop_create_future (loop);
  Handler handler = { loop };
  GaioSigintGuard *guard;

  g_assert_true (gaio_loop_add_signal_handler (loop, SIGINT, on_signal, &handler, NULL, NULL));
  g_assert_null (_gaio_sigint_guard_install (loop, main_future));
  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGINT));

  guard = _gaio_sigint_guard_install (loop, main_future);
  g_assert_nonnull (guard);
  g_assert_false (_gaio_sigint_guard_uninstall (guard));
  assert_disposition (SIGINT, SIG_DFL);
  g_assert_false (gaio_future_is_done (main_future));

  gaio_future_cancel (main_future, NULL);
  gaio_future_unref (main_future);
  unix_test_loop_free (loop);
}

/* SG-06 (coroutines rejected) and SG-09 (sigaction failing with another
 * errno than EINVAL) cannot be produced from C; SG-11's interpreter
 * shutdown path has no analogue. */

typedef struct
{
  GaioLoop  *loop;
  GPtrArray *order;
  guint      next;
} SignalChain;

static const char *const link_names[] = { "X1", "X2", "X3", "X4", "X5" };

gboolean signal_chain_link (gpointer user_data, GError **error);

gboolean
signal_chain_link (gpointer   user_data,
                   GError   **error)
{
  SignalChain *chain = user_data;

  g_ptr_array_add (chain->order, (gpointer) link_names[chain->next++]);
  if (chain->next < G_N_ELEMENTS (link_names))
    g_assert_nonnull (gaio_loop_call_soon (chain->loop, signal_chain_link, chain, NULL, NULL));

  return TRUE;
}

gboolean signal_chain_start (gpointer user_data, GError **error);

/* raise() delivers the signal to this thread before it returns. */
gboolean
signal_chain_start (gpointer   user_data,
                    GError   **error)
{
  SignalChain *chain = user_data;

  raise (SIGALRM);
  g_assert_nonnull (gaio_loop_call_soon (chain->loop, signal_chain_link, chain, NULL, NULL));

  return TRUE;
}

gboolean record_signal (gpointer user_data, GError **error);

gboolean
record_signal (gpointer   user_data,
               GError   **error)
{
  SignalChain *chain = user_data;

  g_ptr_array_add (chain->order, (gpointer) "signal");

  return TRUE;
}

/* SG-13: a signal that arrives while callbacks keep the loop busy is
 * read from the self-pipe at the start of the next iteration, and its
 * handler runs in the iteration after (asyncio's _read_from_self()
 * queues it with _add_callback_signalsafe()): X1 X2 signal X3 X4 X5,
 * as the same program prints under CPython 3.11. The self-pipe path
 * only: GLib's signal sources are dispatched by the context, after the
 * loop's dispatch (docs/asyncio-mapping.md).
 * CPython: unix_events.py::_handle_signal, base_events.py::_run_once */
static void
test_signal_between_iterations (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  SignalChain chain = { loop, order, 0 };
  const char *expected[] = { "X1", "X2", "signal", "X3", "X4", "X5" };

  g_assert_true (gaio_loop_add_signal_handler (loop, SIGALRM, record_signal, &chain, NULL, NULL));
  unix_test_iterate (loop, 2);

  g_assert_nonnull (gaio_loop_call_soon (loop, signal_chain_start, &chain, NULL, NULL));
  while (order->len < G_N_ELEMENTS (expected))
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);

  g_assert_cmpuint (order->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (order, i), ==, expected[i]);

  g_assert_true (gaio_loop_remove_signal_handler (loop, SIGALRM));
  unix_test_loop_free (loop);
}

int
main (int    argc,
      char **argv)
{
  unix_test_init (&argc, &argv);

  g_test_add_data_func ("/Gaio/Signal/runs-on-loop/glib-path", GINT_TO_POINTER (SIGUSR1),
                        test_handler_runs_on_loop);
  g_test_add_data_func ("/Gaio/Signal/runs-on-loop/own-path", GINT_TO_POINTER (SIGALRM),
                        test_handler_runs_on_loop);
  g_test_add_func ("/Gaio/Signal/handler-data", test_handler_data);
  g_test_add_func ("/Gaio/Signal/wakes-blocked-loop", test_wakes_blocked_loop);
  g_test_add_func ("/Gaio/Signal/invalid-numbers", test_invalid_numbers);
  g_test_add_func ("/Gaio/Signal/uncatchable", test_uncatchable);
  g_test_add_func ("/Gaio/Signal/not-main-thread", test_not_main_thread);
  g_test_add_func ("/Gaio/Signal/remove-restores", test_remove_restores);
  g_test_add_data_func ("/Gaio/Signal/add-replaces/glib-path", GINT_TO_POINTER (SIGTERM),
                        test_add_replaces);
  g_test_add_data_func ("/Gaio/Signal/add-replaces/own-path", GINT_TO_POINTER (SIGALRM),
                        test_add_replaces);
  g_test_add_func ("/Gaio/Signal/not-coalesced", test_not_coalesced);
  g_test_add_func ("/Gaio/Signal/close-removes-all", test_close_removes_all);
  g_test_add_func ("/Gaio/Signal/handler-error", test_handler_error);
  g_test_add_func ("/Gaio/Signal/removed-while-queued", test_removed_while_queued);
  g_test_add_func ("/Gaio/Signal/glib-coexistence", test_glib_coexistence);
  g_test_add_func ("/Gaio/Signal/other-loop-replaces", test_other_loop_replaces);
  g_test_add_func ("/Gaio/Signal/sigint-guard", test_sigint_guard);
  g_test_add_func ("/Gaio/Signal/sigint-guard-respects-handler", test_sigint_guard_respects_handler);
  g_test_add_func ("/Gaio/Signal/between-iterations", test_signal_between_iterations);

  return g_test_run ();
}
