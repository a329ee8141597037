/* test-log-writer.c: the threaded log writer (asyncio-dev: "use a
 * separate thread for handling logs")
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * The test program keeps its own capture writer installed (a process has
 * one writer func), so the tests call gaio_log_writer_threaded() directly,
 * as GLib would, with a sink of their own.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unix-test-util.h"

/* pthread primitives, not GMutex/GCond: GLib 2.74's are futex-based and
 * ThreadSanitizer would not see them synchronise the sink's thread with
 * the test's. */
typedef struct
{
  pthread_mutex_t lock;
  pthread_cond_t  cond;
  GPtrArray *messages;     /* (element-type utf8) Protected by lock */
  GPtrArray *threads;      /* the thread of each call. Protected by lock */
  guint64    dropped;      /* sum of GAIO_LOG_DROPPED seen. Protected by lock */
  guint      delay_ms;
  gboolean   gate_closed;  /* calls wait while TRUE. Protected by lock */
  gboolean   to_stdout;
} Sink;

static Sink sink = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static const char *
field (const GLogField *fields,
       gsize            n_fields,
       const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, key) == 0)
      return fields[i].value;

  return NULL;
}

static GLogWriterOutput
test_sink (GLogLevelFlags   log_level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  const char *message = field (fields, n_fields, "MESSAGE");
  const char *dropped = field (fields, n_fields, "GAIO_LOG_DROPPED");

  if (sink.delay_ms > 0)
    g_usleep (sink.delay_ms * 1000);

  pthread_mutex_lock (&sink.lock);
  while (sink.gate_closed)
    pthread_cond_wait (&sink.cond, &sink.lock);
  g_ptr_array_add (sink.messages, dropped != NULL ? g_strdup_printf ("<dropped %s>", dropped)
                                                  : g_strdup (message));
  g_ptr_array_add (sink.threads, g_thread_self ());
  if (dropped != NULL)
    sink.dropped += g_ascii_strtoull (dropped, NULL, 10);
  pthread_cond_broadcast (&sink.cond);
  pthread_mutex_unlock (&sink.lock);

  if (sink.to_stdout)
    {
      printf ("%s\n", message);
      fflush (stdout);
    }

  return G_LOG_WRITER_HANDLED;
}

static void
sink_setup (guint delay_ms)
{
  pthread_mutex_lock (&sink.lock);
  g_clear_pointer (&sink.messages, g_ptr_array_unref);
  g_clear_pointer (&sink.threads, g_ptr_array_unref);
  sink.messages = g_ptr_array_new_with_free_func (g_free);
  sink.threads = g_ptr_array_new ();
  sink.dropped = 0;
  sink.delay_ms = delay_ms;
  sink.gate_closed = FALSE;
  pthread_mutex_unlock (&sink.lock);

  gaio_log_threaded_writer_set_sink (test_sink, NULL, NULL);
  gaio_log_threaded_writer_set_max_queued (GAIO_LOG_THREADED_WRITER_DEFAULT_MAX_QUEUED);
}

static void
sink_teardown (void)
{
  gaio_log_threaded_writer_flush ();
  pthread_mutex_lock (&sink.lock);
  g_clear_pointer (&sink.messages, g_ptr_array_unref);
  g_clear_pointer (&sink.threads, g_ptr_array_unref);
  pthread_mutex_unlock (&sink.lock);
}

static void
set_gate (gboolean closed)
{
  pthread_mutex_lock (&sink.lock);
  sink.gate_closed = closed;
  pthread_cond_broadcast (&sink.cond);
  pthread_mutex_unlock (&sink.lock);
}

static void
log_message (GLogLevelFlags  level,
             const char     *message)
{
  GLogField fields[] = {
    { "GLIB_DOMAIN", "TestLogWriter", -1 },
    { "MESSAGE", message, -1 },
  };

  gaio_log_writer_threaded (level, fields, G_N_ELEMENTS (fields), NULL);
}

static void
log_numbered (guint i)
{
  char message[32];

  g_snprintf (message, sizeof message, "record %u", i);
  log_message (G_LOG_LEVEL_MESSAGE, message);
}

/* Records reach the sink in the order they were written, all of them,
 * from the writer's own thread.
 * asyncio-dev: QueueHandler/QueueListener keep the order */
static void
test_order (void)
{
  guint n = unix_test_scale (2000);

  sink_setup (0);
  for (guint i = 0; i < n; i++)
    log_numbered (i);
  gaio_log_threaded_writer_flush ();

  g_assert_cmpuint (sink.messages->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *expected = g_strdup_printf ("record %u", i);

      g_assert_cmpstr (g_ptr_array_index (sink.messages, i), ==, expected);
      g_assert_true (g_ptr_array_index (sink.threads, i) != g_thread_self ());
    }

  sink_teardown ();
}

/* Each record is copied: the caller's fields, binary ones included, may
 * change as soon as the writer returns. */
static void
test_deep_copy (void)
{
  char text[16] = "before";
  guint8 blob[4] = { 'a', 'b', 0, 'c' };
  GLogField fields[] = {
    { "GLIB_DOMAIN", "TestLogWriter", -1 },
    { "MESSAGE", text, -1 },
    { "BLOB", blob, sizeof blob },
  };

  sink_setup (0);
  set_gate (TRUE);
  gaio_log_writer_threaded (G_LOG_LEVEL_MESSAGE, fields, G_N_ELEMENTS (fields), NULL);
  strcpy (text, "after");
  memset (blob, 'x', sizeof blob);
  set_gate (FALSE);
  gaio_log_threaded_writer_flush ();

  g_assert_cmpuint (sink.messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sink.messages, 0), ==, "before");

  sink_teardown ();
}

/* A full queue drops new records and counts them; the count reaches the
 * sink as a record of its own, where the records went missing, and the
 * writer never blocks meanwhile. */
/* Checks that the sink got records 0..n-1, each one or counted in a
 * drop report standing exactly where the missing ones were. Returns the
 * number of reports. */
static guint
assert_drops_in_place (guint n)
{
  guint next = 0, n_reports = 0;

  for (guint i = 0; i < sink.messages->len; i++)
    {
      const char *message = g_ptr_array_index (sink.messages, i);
      guint number;

      if (g_str_has_prefix (message, "<dropped "))
        {
          next += (guint) g_ascii_strtoull (message + strlen ("<dropped "), NULL, 10);
          n_reports++;
        }
      else if (sscanf (message, "record %u", &number) == 1)
        {
          g_assert_cmpuint (number, ==, next);
          next++;
        }
    }
  g_assert_cmpuint (next, ==, n);

  return n_reports;
}

/* A full queue drops new records and counts them; the count reaches the
 * sink as a record of its own, exactly where the records went missing,
 * and the writer never blocks meanwhile. */
static void
test_overflow_reported (void)
{
  guint64 dropped_before = gaio_log_threaded_writer_get_n_dropped ();
  guint64 dropped;
  guint n = 100;

  sink_setup (0);
  gaio_log_threaded_writer_set_max_queued (10);
  set_gate (TRUE);
  for (guint i = 0; i < n; i++)
    log_numbered (i);
  dropped = gaio_log_threaded_writer_get_n_dropped () - dropped_before;
  g_assert_cmpuint (dropped, >=, n - 11);

  set_gate (FALSE);
  /* Once the kept records are out, the queue has room again. */
  pthread_mutex_lock (&sink.lock);
  while (sink.messages->len < n - dropped)
    pthread_cond_wait (&sink.cond, &sink.lock);
  pthread_mutex_unlock (&sink.lock);
  log_message (G_LOG_LEVEL_MESSAGE, "after");
  gaio_log_threaded_writer_flush ();

  g_assert_cmpuint (assert_drops_in_place (n), >=, 1);
  g_assert_cmpuint (sink.dropped, ==, dropped);
  g_assert_cmpstr (g_ptr_array_index (sink.messages, sink.messages->len - 1), ==, "after");

  sink_teardown ();
}

/* Drops with nothing logged after them are still reported, at the
 * latest by a flush. */
static void
test_overflow_reported_at_flush (void)
{
  sink_setup (0);
  gaio_log_threaded_writer_set_max_queued (1);
  set_gate (TRUE);
  for (guint i = 0; i < 20; i++)
    log_numbered (i);
  set_gate (FALSE);
  gaio_log_threaded_writer_flush ();

  g_assert_cmpuint (assert_drops_in_place (20), >=, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (sink.messages, sink.messages->len - 1),
                                   "<dropped "));

  sink_teardown ();
}

/* flush() returns once everything queued before it is written. */
static void
test_flush (void)
{
  sink_setup (10);
  for (guint i = 0; i < 5; i++)
    log_numbered (i);
  gaio_log_threaded_writer_flush ();
  g_assert_cmpuint (sink.messages->len, ==, 5);

  sink_teardown ();
}

/* A record at a fatal level (g_test_init() makes warnings fatal) is
 * written synchronously, on the calling thread, after the records queued
 * before it: GLib may abort as soon as the writer returns. */
static void
test_fatal_mask_synchronous (void)
{
  sink_setup (20);
  for (guint i = 0; i < 3; i++)
    log_numbered (i);
  log_message (G_LOG_LEVEL_WARNING, "fatal warning");

  g_assert_cmpuint (sink.messages->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (sink.messages, 3), ==, "fatal warning");
  g_assert_true (g_ptr_array_index (sink.threads, 3) == g_thread_self ());
  g_assert_true (g_ptr_array_index (sink.threads, 0) != g_thread_self ());

  sink_teardown ();
}

static void
fatal_error_child (void)
{
  sink.to_stdout = TRUE;
  sink_setup (50);
  for (guint i = 0; i < 3; i++)
    log_numbered (i);
  /* GLib aborts right after the writer returns on G_LOG_LEVEL_ERROR. */
  log_message (G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL, "the error");
  abort ();
}

/* G_LOG_LEVEL_ERROR: everything queued is written, then the error, before
 * the abort. */
static void
test_error_flushes_before_abort (void)
{
  if (g_test_subprocess ())
    {
      fatal_error_child ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout ("record 0\nrecord 1\nrecord 2\nthe error\n");
}

/* At exit, every queued record is written before the process ends. */
static void
test_flush_at_exit (void)
{
  if (g_test_subprocess ())
    {
      sink.to_stdout = TRUE;
      sink_setup (20);
      for (guint i = 0; i < 5; i++)
        log_numbered (i);
      exit (0);
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("record 0\nrecord 1\nrecord 2\nrecord 3\nrecord 4\n");
}

/* Setting a sink runs the previous one's destroy notify, after the
 * records queued for it are written. */
static void
test_set_sink_notify (void)
{
  gint notified = 0;

  sink_setup (5);
  gaio_log_threaded_writer_set_sink (test_sink, &notified, unix_test_count_notify);
  log_numbered (0);
  gaio_log_threaded_writer_set_sink (test_sink, NULL, NULL);
  g_assert_cmpint (notified, ==, 1);
  g_assert_cmpuint (sink.messages->len, ==, 1);

  sink_teardown ();
}

typedef struct
{
  GaioLoop *loop;
  guint     ticks;
  guint     wanted_ticks;
  guint     logged;
  guint     to_log;
  gint64    next_due;
  gint64    max_late_us;
  gint64    log_time_us;
  gboolean  done;
} Ticker;

gboolean tick (gpointer user_data, GError **error);

gboolean
tick (gpointer   user_data,
      GError   **error)
{
  Ticker *ticker = user_data;
  gint64 now = g_get_monotonic_time ();

  ticker->max_late_us = MAX (ticker->max_late_us, now - ticker->next_due);
  ticker->ticks++;

  if (ticker->logged < ticker->to_log)
    {
      gint64 start = g_get_monotonic_time ();

      log_numbered (ticker->logged++);
      ticker->log_time_us += g_get_monotonic_time () - start;
    }

  if (ticker->ticks == ticker->wanted_ticks)
    {
      ticker->done = TRUE;
      return TRUE;
    }

  ticker->next_due = g_get_monotonic_time () + 10000;
  gaio_loop_call_later (ticker->loop, 0.010, tick, ticker, NULL, NULL);

  return TRUE;
}

/* The scenario: a sink that sleeps 50 ms per record, and a loop
 * that keeps a 10 ms timer running while it logs. The loop is never held
 * up by the sink (observed, not asserted: shared machines are noisy);
 * every tick runs and every record arrives, in order. */
static void
test_slow_sink_keeps_loop_running (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Ticker ticker = { loop, .wanted_ticks = 60, .to_log = 20 };

  sink_setup (50);
  ticker.next_due = g_get_monotonic_time () + 10000;
  gaio_loop_call_later (loop, 0.010, tick, &ticker, NULL, NULL);
  unix_test_run_until (loop, &ticker.done, 30);

  g_test_message ("20 records to a 50 ms sink: %.2f ms spent logging on the loop, "
                  "max timer lateness %.2f ms over %u ticks",
                  ticker.log_time_us / 1000.0, ticker.max_late_us / 1000.0, ticker.ticks);
  g_assert_cmpuint (ticker.ticks, ==, 60);
  g_assert_cmpuint (ticker.logged, ==, 20);

  gaio_log_threaded_writer_flush ();
  g_assert_cmpuint (sink.messages->len, ==, 20);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *expected = g_strdup_printf ("record %u", i);

      g_assert_cmpstr (g_ptr_array_index (sink.messages, i), ==, expected);
    }

  sink_teardown ();
  unix_test_loop_free (loop);
}

int
main (int    argc,
      char **argv)
{
  unix_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/LogWriter/order", test_order);
  g_test_add_func ("/Gaio/LogWriter/deep-copy", test_deep_copy);
  g_test_add_func ("/Gaio/LogWriter/overflow-reported", test_overflow_reported);
  g_test_add_func ("/Gaio/LogWriter/overflow-reported-at-flush", test_overflow_reported_at_flush);
  g_test_add_func ("/Gaio/LogWriter/flush", test_flush);
  g_test_add_func ("/Gaio/LogWriter/fatal-mask-synchronous", test_fatal_mask_synchronous);
  g_test_add_func ("/Gaio/LogWriter/error-flushes-before-abort", test_error_flushes_before_abort);
  g_test_add_func ("/Gaio/LogWriter/flush-at-exit", test_flush_at_exit);
  g_test_add_func ("/Gaio/LogWriter/set-sink-notify", test_set_sink_notify);
  g_test_add_func ("/Gaio/LogWriter/slow-sink-keeps-loop-running", test_slow_sink_keeps_loop_running);

  return g_test_run ();
}
