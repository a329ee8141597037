/* test-unix-stress.c: bursts of signals (suite 'slow')
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include <signal.h>
#include <unistd.h>

#include "unix-test-util.h"

/* ThreadSanitizer delays every signal to a safe point and keeps one
 * pending slot per signal number, so under it deliveries of one signal
 * merge even when the kernel queued them all. */
#if defined(__SANITIZE_THREAD__)
# define SIGNALS_MERGE_UNDER_SANITIZER 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define SIGNALS_MERGE_UNDER_SANITIZER 1
# endif
#endif

typedef struct
{
  GaioLoop *loop;
  guint     calls;
  guint     ticks;
  guint     ticks_during_burst;
  gint      sending;         /* (atomic) */
  int       signum;
  guint     n_signals;
} Burst;

gboolean burst_handler (gpointer user_data, GError **error);
gboolean burst_tick (gpointer user_data, GError **error);

gboolean
burst_handler (gpointer   user_data,
               GError   **error)
{
  ((Burst *) user_data)->calls++;
  return TRUE;
}

gboolean
burst_tick (gpointer   user_data,
            GError   **error)
{
  Burst *burst = user_data;

  burst->ticks++;
  if (g_atomic_int_get (&burst->sending))
    burst->ticks_during_burst++;
  gaio_loop_call_later (burst->loop, 0.002, burst_tick, burst, NULL, NULL);

  return TRUE;
}

static gpointer
send_burst (gpointer data)
{
  Burst *burst = data;

  for (guint i = 0; i < burst->n_signals; i++)
    {
      g_assert_cmpint (kill (getpid (), burst->signum), ==, 0);
      /* Give the loop a chance to show it is alive mid-burst. */
      if (i % 100 == 99)
        g_usleep (2000);
    }
  g_atomic_int_set (&burst->sending, FALSE);

  return NULL;
}

static void
run_burst (Burst *burst)
{
  GMainContext *context = gaio_loop_get_context (burst->loop);
  GaioHandle *tick;
  GThread *thread;
  gint64 deadline;

  g_assert_true (gaio_loop_add_signal_handler (burst->loop, burst->signum, burst_handler, burst,
                                               NULL, NULL));
  tick = gaio_handle_ref (gaio_loop_call_later (burst->loop, 0.002, burst_tick, burst, NULL, NULL));

  g_atomic_int_set (&burst->sending, TRUE);
  thread = g_thread_new ("burst", send_burst, burst);
  while (g_atomic_int_get (&burst->sending))
    g_main_context_iteration (context, TRUE);
  g_thread_join (thread);

  /* The deliveries still in the pipe or GLib's flags: until all came, or
   * none came for 200 ms (merged ones never will). */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (burst->calls < burst->n_signals && g_get_monotonic_time () < deadline)
    {
      guint before = burst->calls;
      gint64 quiet_until = g_get_monotonic_time () + 200000;

      while (burst->calls == before && g_get_monotonic_time () < quiet_until)
        g_main_context_iteration (context, TRUE);
      if (burst->calls == before)
        break;
    }
  unix_test_iterate (burst->loop, 5);

  g_test_message ("%u signals sent: %u handler calls, %u timer ticks during the burst",
                  burst->n_signals, burst->calls, burst->ticks_during_burst);
  gaio_handle_unref (tick);
  g_assert_true (gaio_loop_remove_signal_handler (burst->loop, burst->signum));
}

/* 1 000 real-time signals, which the kernel queues rather than merges:
 * libgaio's own path calls the handler once per delivery, exactly 1 000
 * times, while the loop keeps running its timers.
 * asyncio: SG-10 (one call per delivered signal) */
static void
test_burst_own_path (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Burst burst = { loop, .signum = SIGRTMIN + 1, .n_signals = unix_test_scale (1000) };

  run_burst (&burst);
#ifdef SIGNALS_MERGE_UNDER_SANITIZER
  g_assert_cmpuint (burst.calls, >=, 1);
  g_assert_cmpuint (burst.calls, <=, burst.n_signals);
#else
  g_assert_cmpuint (burst.calls, ==, burst.n_signals);
#endif
  g_assert_cmpuint (burst.ticks, >, 0);

  unix_test_loop_free (loop);
}

/* 1 000 SIGUSR1 through GLib's source: GLib merges what arrives between
 * two dispatches, so the handler runs at least once and at most once per
 * signal; the loop stays responsive. */
static void
test_burst_glib_path (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Burst burst = { loop, .signum = SIGUSR1, .n_signals = unix_test_scale (1000) };

  run_burst (&burst);
  g_assert_cmpuint (burst.calls, >=, 1);
  g_assert_cmpuint (burst.calls, <=, burst.n_signals);
  g_assert_cmpuint (burst.ticks, >, 0);

  unix_test_loop_free (loop);
}

int
main (int    argc,
      char **argv)
{
  unix_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Signal/burst/own-path", test_burst_own_path);
  g_test_add_func ("/Gaio/Signal/burst/glib-path", test_burst_glib_path);

  return g_test_run ();
}
