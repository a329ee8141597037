/* test-unix-fd.c: readers and writers (asyncio-cases.md group RW)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "unix-test-util.h"

typedef struct
{
  int      fd;
  guint    calls;
  GString *data;
  gboolean eof;
  gboolean remove_at_eof;
  GaioLoop *loop;
} Reader;

static void
make_pipe (int fds[2])
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  g_assert_true (g_unix_set_fd_nonblocking (fds[0], TRUE, NULL));
  g_assert_true (g_unix_set_fd_nonblocking (fds[1], TRUE, NULL));
}

static void
write_all (int         fd,
           const char *text)
{
  g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
}

gboolean reader_cb (gpointer user_data, GError **error);

gboolean
reader_cb (gpointer   user_data,
           GError   **error)
{
  Reader *reader = user_data;
  char buffer[64];
  gssize n;

  reader->calls++;
  n = read (reader->fd, buffer, sizeof buffer);
  if (n > 0)
    g_string_append_len (reader->data, buffer, n);
  else if (n == 0)
    {
      reader->eof = TRUE;
      if (reader->remove_at_eof)
        g_assert_true (gaio_loop_remove_reader (reader->loop, reader->fd));
    }
  /* n < 0 with EAGAIN: a spurious wake-up, which asyncio's test
   * tolerates too. */

  return TRUE;
}

/* RW-01: add_reader is level-triggered until removed; EOF reaches the
 * reader and remove_reader() then returns TRUE.
 * CPython: test_events.py::test_reader_callback,
 * test_selector_events.py::test_add_reader, ::test_process_events_read */
static void
test_reader_callback (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  Reader reader = { 0 };
  int fds[2];

  make_pipe (fds);
  reader.fd = fds[0];
  reader.data = g_string_new (NULL);
  reader.loop = loop;
  reader.remove_at_eof = TRUE;

  g_assert_true (gaio_loop_add_reader (loop, fds[0], reader_cb, &reader, NULL, &error));
  g_assert_no_error (error);

  write_all (fds[1], "abc");
  while (reader.data->len < 3)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  write_all (fds[1], "def");
  while (reader.data->len < 6)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  g_assert_cmpstr (reader.data->str, ==, "abcdef");

  close (fds[1]);
  unix_test_run_until (loop, &reader.eof, 5);
  /* The reader removed itself at EOF. */
  g_assert_false (gaio_loop_remove_reader (loop, fds[0]));

  close (fds[0]);
  g_string_free (reader.data, TRUE);
  unix_test_loop_free (loop);
}

typedef struct
{
  guint    calls;
  gboolean fail;
  gint     notified;
} Counter;

static void
counter_notify (gpointer data)
{
  ((Counter *) data)->notified++;
}

gboolean count_cb (gpointer user_data, GError **error);

gboolean
count_cb (gpointer   user_data,
          GError   **error)
{
  Counter *counter = user_data;

  counter->calls++;
  if (counter->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
      return FALSE;
    }

  return TRUE;
}

/* RW-02: add_writer calls the writer with its data; remove_writer() is
 * TRUE the first time, FALSE the second.
 * CPython: test_events.py::test_writer_callback,
 * test_selector_events.py::test_add_writer, ::test_process_events_write */
static void
test_writer_callback (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  Counter counter = { 0 };
  int fds[2];

  make_pipe (fds);
  g_assert_true (gaio_loop_add_writer (loop, fds[1], count_cb, &counter, NULL, &error));
  g_assert_no_error (error);

  while (counter.calls == 0)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);

  g_assert_true (gaio_loop_remove_writer (loop, fds[1]));
  g_assert_false (gaio_loop_remove_writer (loop, fds[1]));

  close (fds[0]);
  close (fds[1]);
  unix_test_loop_free (loop);
}

/* RW-03: a second add_reader() replaces the first (whose destroy notify
 * runs) and keeps the writer of the same descriptor.
 * CPython: test_selector_events.py::test_add_reader_existing,
 * ::test_add_reader_existing_writer, ::test_add_writer_existing */
static void
test_add_replaces (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Counter first = { 0 }, second = { 0 }, writer = { 0 };
  int sv[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  write_all (sv[1], "x");

  g_assert_true (gaio_loop_add_writer (loop, sv[0], count_cb, &writer, NULL, NULL));
  g_assert_true (gaio_loop_add_reader (loop, sv[0], count_cb, &first, counter_notify, NULL));
  g_assert_true (gaio_loop_add_reader (loop, sv[0], count_cb, &second, counter_notify, NULL));

  g_assert_cmpint (first.notified, ==, 1);

  while (second.calls == 0 || writer.calls == 0)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  g_assert_cmpuint (first.calls, ==, 0);

  g_assert_true (gaio_loop_remove_reader (loop, sv[0]));
  g_assert_cmpint (second.notified, ==, 1);
  g_assert_true (gaio_loop_remove_writer (loop, sv[0]));

  close (sv[0]);
  close (sv[1]);
  unix_test_loop_free (loop);
}

/* RW-03 (notify): the replaced reader's destroy notify runs at once. */
static void
test_replace_notifies (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Counter counter = { 0 };
  int fds[2];

  make_pipe (fds);
  g_assert_true (gaio_loop_add_reader (loop, fds[0], count_cb, &counter, counter_notify, NULL));
  g_assert_true (gaio_loop_add_reader (loop, fds[0], count_cb, &counter, NULL, NULL));
  g_assert_cmpint (counter.notified, ==, 1);
  g_assert_true (gaio_loop_remove_reader (loop, fds[0]));

  close (fds[0]);
  close (fds[1]);
  unix_test_loop_free (loop);
}

/* RW-04: removing one direction keeps the other; unknown descriptors
 * give FALSE.
 * CPython: test_selector_events.py::test_remove_reader,
 * ::test_remove_reader_read_write, ::test_remove_writer,
 * ::test_remove_writer_read_write, ::test_remove_reader_unknown,
 * ::test_remove_writer_unknown */
static void
test_remove_one_direction (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Counter reader = { 0 }, writer = { 0 };
  int sv[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  write_all (sv[1], "x");

  g_assert_false (gaio_loop_remove_reader (loop, sv[0]));
  g_assert_false (gaio_loop_remove_writer (loop, sv[0]));
  g_assert_false (gaio_loop_remove_reader (loop, 12345));

  g_assert_true (gaio_loop_add_reader (loop, sv[0], count_cb, &reader, NULL, NULL));
  g_assert_true (gaio_loop_add_writer (loop, sv[0], count_cb, &writer, NULL, NULL));
  g_assert_true (gaio_loop_remove_reader (loop, sv[0]));
  g_assert_false (gaio_loop_remove_reader (loop, sv[0]));

  while (writer.calls < 3)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  g_assert_cmpuint (reader.calls, ==, 0);

  g_assert_true (gaio_loop_remove_writer (loop, sv[0]));
  g_assert_false (gaio_loop_remove_writer (loop, sv[0]));

  close (sv[0]);
  close (sv[1]);
  unix_test_loop_free (loop);
}

/* RW-05: a negative descriptor, or one that is not open, is refused with
 * GAIO_ERROR_INVALID_ARGUMENT ("Invalid file object: -1"), and the
 * destroy notify runs.
 * CPython: test_unix_events.py::TestFunctional::test_add_reader_invalid_argument */
static void
test_invalid_fd (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  Counter counter = { 0 };
  int fds[2];

  g_assert_false (gaio_loop_add_reader (loop, -1, count_cb, &counter, counter_notify, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Invalid file object: -1");
  g_assert_cmpint (counter.notified, ==, 1);
  g_clear_error (&error);

  g_assert_false (gaio_loop_add_writer (loop, -1, count_cb, &counter, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (gaio_loop_remove_reader (loop, -1));
  g_assert_false (gaio_loop_remove_writer (loop, -1));

  /* A closed descriptor: refused rather than polled as G_IO_NVAL. */
  make_pipe (fds);
  close (fds[0]);
  close (fds[1]);
  g_assert_false (gaio_loop_add_reader (loop, fds[0], count_cb, &counter, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not an open file descriptor"));

  unix_test_loop_free (loop);
}

/* RW-07: after close(), add_reader()/add_writer() fail with
 * GAIO_ERROR_CLOSED, remove_*() return FALSE, and the descriptors
 * registered before are forgotten (their destroy notifies ran).
 * CPython: test_events.py::test_add_fds_after_closing,
 * ::test_remove_fds_after_closing; test_selector_events.py::test_close */
static void
test_closed_loop (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GError) error = NULL;
  Counter counter = { 0 };
  int fds[2];

  make_pipe (fds);
  g_assert_true (gaio_loop_add_reader (loop, fds[0], count_cb, &counter, counter_notify, NULL));
  g_assert_true (gaio_loop_add_writer (loop, fds[1], count_cb, &counter, counter_notify, NULL));
  g_assert_true (gaio_loop_close (loop, NULL));
  g_assert_cmpint (counter.notified, ==, 2);

  g_assert_false (gaio_loop_add_reader (loop, fds[0], count_cb, &counter, counter_notify, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Event loop is closed");
  g_assert_cmpint (counter.notified, ==, 3);
  g_clear_error (&error);
  g_assert_false (gaio_loop_add_writer (loop, fds[1], count_cb, &counter, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);

  g_assert_false (gaio_loop_remove_reader (loop, fds[0]));
  g_assert_false (gaio_loop_remove_writer (loop, fds[1]));

  close (fds[0]);
  close (fds[1]);
  unix_test_loop_free (loop);
}

/* RW-08: a reader that fails is reported as "Exception in callback
 * NAME()" and stays registered: it is called again.
 * CPython: test_selector_events.py (Probe E26) */
static void
test_callback_error_stays (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Counter counter = { 0, TRUE };
  gint n_exceptions = 0;
  int fds[2];

  gaio_loop_set_exception_handler (loop, unix_test_count_exceptions, &n_exceptions, NULL);
  make_pipe (fds);
  write_all (fds[1], "x");   /* never read: stays readable */
  g_assert_true (gaio_loop_add_reader (loop, fds[0], count_cb, &counter, NULL, NULL));

  while (counter.calls < 3)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);

  g_assert_cmpint (n_exceptions, ==, (gint) counter.calls);
  g_assert_true (g_str_has_prefix (unix_test_last_exception (), "Exception in callback count_cb()"));
  g_assert_true (gaio_loop_remove_reader (loop, fds[0]));

  close (fds[0]);
  close (fds[1]);
  unix_test_loop_free (loop);
}

typedef struct
{
  GaioLoop *loop;
  int       fd;
  guint     reader_calls;
  guint     writer_calls;
  gint      writer_notified;
} Pair;

static void
pair_notify (gpointer data)
{
  ((Pair *) data)->writer_notified++;
}

gboolean pair_reader (gpointer user_data, GError **error);
gboolean pair_writer (gpointer user_data, GError **error);

gboolean
pair_reader (gpointer   user_data,
             GError   **error)
{
  Pair *pair = user_data;

  /* The writer's call is already queued for this iteration. */
  if (pair->reader_calls++ == 0)
    g_assert_true (gaio_loop_remove_writer (pair->loop, pair->fd));

  return TRUE;
}

gboolean
pair_writer (gpointer   user_data,
             GError   **error)
{
  ((Pair *) user_data)->writer_calls++;
  return TRUE;
}

/* RW-08: a callback removed after its readiness was queued is not
 * called (asyncio cancels the Handle).
 * CPython: test_selector_events.py::test_process_events_read_cancelled,
 * ::test_process_events_write_cancelled */
static void
test_removed_while_queued (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Pair pair = { loop };
  int sv[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  write_all (sv[1], "x");
  pair.fd = sv[0];

  g_assert_true (gaio_loop_add_reader (loop, sv[0], pair_reader, &pair, NULL, NULL));
  g_assert_true (gaio_loop_add_writer (loop, sv[0], pair_writer, &pair, pair_notify, NULL));

  while (pair.reader_calls == 0)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  unix_test_iterate (loop, 3);

  g_assert_cmpuint (pair.writer_calls, ==, 0);
  g_assert_cmpint (pair.writer_notified, ==, 1);
  g_assert_true (gaio_loop_remove_reader (loop, sv[0]));

  close (sv[0]);
  close (sv[1]);
  unix_test_loop_free (loop);
}

typedef struct
{
  GPtrArray *order;
  const char *name;
  int         fd;
} Step;

gboolean record_step (gpointer user_data, GError **error);

gboolean
record_step (gpointer   user_data,
             GError   **error)
{
  Step *step = user_data;
  char byte;

  g_ptr_array_add (step->order, (gpointer) step->name);
  if (step->fd >= 0)
    g_assert_cmpint (read (step->fd, &byte, 1), ==, 1);

  return TRUE;
}

/* LS/RW ordering: in one iteration the callbacks already ready run
 * first, then the callbacks of descriptors found ready, then the timers
 * that became due (asyncio's _run_once: _process_events() before the
 * scheduled timers move to _ready).
 * CPython: base_events.py::_run_once (no direct test) */
static void
test_iteration_order (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Step soon = { order, "soon", -1 }, timer = { order, "timer", -1 }, reader = { order, "reader", -1 };
  int fds[2];

  make_pipe (fds);
  reader.fd = fds[0];
  g_assert_true (gaio_loop_add_reader (loop, fds[0], record_step, &reader, NULL, NULL));
  /* Nothing is readable yet: let the loop poll once. */
  unix_test_iterate (loop, 2);

  write_all (fds[1], "x");
  g_assert_nonnull (gaio_loop_call_later (loop, 0, record_step, &timer, NULL, NULL));
  g_assert_nonnull (gaio_loop_call_soon (loop, record_step, &soon, NULL, NULL));

  while (order->len < 3)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);

  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "soon");
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "reader");
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, "timer");

  g_assert_true (gaio_loop_remove_reader (loop, fds[0]));
  close (fds[0]);
  close (fds[1]);
  unix_test_loop_free (loop);
}

/* A pipe whose write end is closed under its reader: the reader is
 * called at EOF (G_IO_HUP) and, being level-triggered, again on every
 * iteration until it removes itself, as in asyncio.
 * CPython: test_events.py::test_reader_callback (EOF part) */
static void
test_reader_hangup (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Reader reader = { 0 };
  int fds[2];

  make_pipe (fds);
  reader.fd = fds[0];
  reader.data = g_string_new (NULL);
  reader.loop = loop;
  g_assert_true (gaio_loop_add_reader (loop, fds[0], reader_cb, &reader, NULL, NULL));

  close (fds[1]);
  while (reader.calls < 3)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  g_assert_true (reader.eof);

  g_assert_true (gaio_loop_remove_reader (loop, fds[0]));
  /* Removed: nothing is left to wake the context. */
  g_assert_false (g_main_context_iteration (gaio_loop_get_context (loop), FALSE));

  close (fds[0]);
  g_string_free (reader.data, TRUE);
  unix_test_loop_free (loop);
}

/* A writer on a pipe whose read end is closed is called (G_IO_ERR), so
 * it can see EPIPE.
 * CPython: selectors.EpollSelector's event mapping */
static void
test_writer_error (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Counter counter = { 0 };
  int fds[2];

  make_pipe (fds);
  close (fds[0]);
  g_assert_true (gaio_loop_add_writer (loop, fds[1], count_cb, &counter, NULL, NULL));
  while (counter.calls == 0)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  g_assert_true (gaio_loop_remove_writer (loop, fds[1]));

  close (fds[1]);
  unix_test_loop_free (loop);
}

/* A descriptor closed while it is watched (G_IO_NVAL) does not make the
 * loop spin: it is dropped, its destroy notify runs, and the exception
 * handler is told once.
 * CPython: none (asyncio's epoll selector forgets it silently) */
static void
test_closed_under_reader (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  Counter counter = { 0 };
  gint n_exceptions = 0;
  int fds[2];

  gaio_loop_set_exception_handler (loop, unix_test_count_exceptions, &n_exceptions, NULL);
  make_pipe (fds);
  g_assert_true (gaio_loop_add_reader (loop, fds[0], count_cb, &counter, counter_notify, NULL));
  unix_test_iterate (loop, 2);

  close (fds[0]);
  while (n_exceptions == 0)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);

  g_assert_cmpuint (counter.calls, ==, 0);
  g_assert_cmpint (counter.notified, ==, 1);
  g_assert_nonnull (strstr (unix_test_last_exception (), "was closed while the loop watched it"));
  /* No busy loop: nothing is ready any more. */
  unix_test_iterate (loop, 2);
  g_assert_false (g_main_context_iteration (gaio_loop_get_context (loop), FALSE));
  g_assert_cmpint (n_exceptions, ==, 1);
  g_assert_false (gaio_loop_remove_reader (loop, fds[0]));

  close (fds[1]);
  unix_test_loop_free (loop);
}

/* A chain of call_soon() callbacks, each recording its name and
 * scheduling the next, started by a callback that first runs @action. */
typedef struct
{
  GaioLoop   *loop;
  GPtrArray  *order;
  guint       n_links;
  guint       next;
  void      (*action) (gpointer data);
  gpointer    action_data;
} Chain;

static const char *const chain_names[] = { "X1", "X2", "X3", "X4", "X5", "X6" };

gboolean chain_link (gpointer user_data, GError **error);

gboolean
chain_link (gpointer   user_data,
            GError   **error)
{
  Chain *chain = user_data;

  g_ptr_array_add (chain->order, (gpointer) chain_names[chain->next++]);
  if (chain->next < chain->n_links)
    g_assert_nonnull (gaio_loop_call_soon (chain->loop, chain_link, chain, NULL, NULL));

  return TRUE;
}

gboolean chain_start (gpointer user_data, GError **error);

gboolean
chain_start (gpointer   user_data,
             GError   **error)
{
  Chain *chain = user_data;

  chain->action (chain->action_data);
  g_assert_nonnull (gaio_loop_call_soon (chain->loop, chain_link, chain, NULL, NULL));

  return TRUE;
}

static void
write_byte (gpointer data)
{
  write_all (GPOINTER_TO_INT (data), "x");
}

static void
assert_order (GPtrArray          *order,
              const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  g_assert_cmpuint (order->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (order, i), ==, expected[i]);
}

/* RW-09: a descriptor that becomes readable while callbacks keep the
 * loop busy is polled at the start of the next iteration, as asyncio's
 * _run_once polls its selector each time: the reader runs right after
 * the callback scheduled together with the write, not after the whole
 * chain.
 * CPython: base_events.py::_run_once, test_events.py::test_reader_callback
 * (the same program under CPython 3.11 prints X1 reader X2 X3 X4) */
static void
test_reader_between_iterations (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Step reader = { order, "reader", -1 };
  Chain chain = { loop, order, 4, 0, write_byte, NULL };
  const char *expected[] = { "X1", "reader", "X2", "X3", "X4", NULL };
  int fds[2];

  make_pipe (fds);
  reader.fd = fds[0];
  chain.action_data = GINT_TO_POINTER (fds[1]);
  g_assert_true (gaio_loop_add_reader (loop, fds[0], record_step, &reader, NULL, NULL));
  unix_test_iterate (loop, 2);

  g_assert_nonnull (gaio_loop_call_soon (loop, chain_start, &chain, NULL, NULL));
  while (order->len < 5)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  assert_order (order, expected);

  g_assert_true (gaio_loop_remove_reader (loop, fds[0]));
  close (fds[0]);
  close (fds[1]);
  unix_test_loop_free (loop);
}

gboolean record_once (gpointer user_data, GError **error);

static void
add_recording_writer (gpointer data)
{
  Step *writer = data;

  g_assert_true (gaio_loop_add_writer (gaio_get_running_loop (), writer->fd, record_once,
                                       writer, NULL, NULL));
}

/* Records the step and removes itself, as a writer with nothing more to
 * write does. */
gboolean
record_once (gpointer   user_data,
             GError   **error)
{
  Step *step = user_data;

  g_ptr_array_add (step->order, (gpointer) step->name);
  g_assert_true (gaio_loop_remove_writer (gaio_get_running_loop (), step->fd));

  return TRUE;
}

/* RW-09: a writer added by a callback is polled from the next iteration
 * on, in the same dispatch: asyncio registers it with the selector at
 * once.
 * CPython: test_events.py::test_writer_callback; base_events.py::_run_once */
static void
test_writer_added_between_iterations (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Step writer = { order, "writer", -1 };
  Chain chain = { loop, order, 3, 0, add_recording_writer, &writer };
  const char *expected[] = { "X1", "writer", "X2", "X3", NULL };
  int fds[2];

  make_pipe (fds);
  writer.fd = fds[1];
  /* No descriptor is watched before: the first watch, added in the
   * middle of a dispatch, is polled from the next iteration. */

  g_assert_nonnull (gaio_loop_call_soon (loop, chain_start, &chain, NULL, NULL));
  while (order->len < 4)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  assert_order (order, expected);

  close (fds[0]);
  close (fds[1]);
  unix_test_loop_free (loop);
}

static void
close_fd (gpointer data)
{
  close (GPOINTER_TO_INT (data));
}

/* A descriptor closed under its reader in the middle of a busy dispatch
 * is found by the poll between iterations: dropped and reported once,
 * the loop does not spin and the chain goes on in order.
 * CPython: none (asyncio's epoll selector forgets it silently) */
static void
test_closed_between_iterations (void)
{
  GaioLoop *loop = unix_test_loop_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Counter counter = { 0 };
  Chain chain = { loop, order, 4, 0, close_fd, NULL };
  const char *expected[] = { "X1", "X2", "X3", "X4", NULL };
  gint n_exceptions = 0;
  int fds[2];

  gaio_loop_set_exception_handler (loop, unix_test_count_exceptions, &n_exceptions, NULL);
  make_pipe (fds);
  chain.action_data = GINT_TO_POINTER (fds[0]);
  g_assert_true (gaio_loop_add_reader (loop, fds[0], count_cb, &counter, counter_notify, NULL));
  unix_test_iterate (loop, 2);

  g_assert_nonnull (gaio_loop_call_soon (loop, chain_start, &chain, NULL, NULL));
  while (order->len < 4 || n_exceptions == 0)
    g_main_context_iteration (gaio_loop_get_context (loop), TRUE);
  assert_order (order, expected);
  unix_test_iterate (loop, 2);

  g_assert_cmpint (n_exceptions, ==, 1);
  g_assert_cmpuint (counter.calls, ==, 0);
  g_assert_cmpint (counter.notified, ==, 1);
  g_assert_false (g_main_context_iteration (gaio_loop_get_context (loop), FALSE));

  close (fds[1]);
  unix_test_loop_free (loop);
}

/* RW-06 (descriptors owned by a transport) does not apply: libgaio has
 * no transports. */

int
main (int    argc,
      char **argv)
{
  unix_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Reader/reader-callback", test_reader_callback);
  g_test_add_func ("/Gaio/Reader/writer-callback", test_writer_callback);
  g_test_add_func ("/Gaio/Reader/add-replaces", test_add_replaces);
  g_test_add_func ("/Gaio/Reader/replace-notifies", test_replace_notifies);
  g_test_add_func ("/Gaio/Reader/remove-one-direction", test_remove_one_direction);
  g_test_add_func ("/Gaio/Reader/invalid-fd", test_invalid_fd);
  g_test_add_func ("/Gaio/Reader/closed-loop", test_closed_loop);
  g_test_add_func ("/Gaio/Reader/callback-error-stays", test_callback_error_stays);
  g_test_add_func ("/Gaio/Reader/removed-while-queued", test_removed_while_queued);
  g_test_add_func ("/Gaio/Reader/iteration-order", test_iteration_order);
  g_test_add_func ("/Gaio/Reader/reader-hangup", test_reader_hangup);
  g_test_add_func ("/Gaio/Reader/writer-error", test_writer_error);
  g_test_add_func ("/Gaio/Reader/closed-under-reader", test_closed_under_reader);
  g_test_add_func ("/Gaio/Reader/reader-between-iterations", test_reader_between_iterations);
  g_test_add_func ("/Gaio/Reader/writer-added-between-iterations",
                   test_writer_added_between_iterations);
  g_test_add_func ("/Gaio/Reader/closed-between-iterations", test_closed_between_iterations);

  return g_test_run ();
}
