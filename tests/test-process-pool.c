/* test-process-pool.c: GaioProcessPoolExecutor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Cases of group EX in asyncio-cases.md (EX-08, EX-10 to EX-13) and
 * ports of CPython's concurrent.futures process-pool tests
 * (Lib/test/test_concurrent_futures.py, 3.11), named where they are
 * covered; the worker-guard cases; and the malformed-frame cases, with a
 * fake worker (process-fake-worker.c).
 *
 * This program is its own worker in the default mode, so it calls the
 * worker guard first thing in main(), after registering the jobs of
 * process-jobs.c. Every test ends with the pool shut down (waiting) and
 * checks that no child of this process is left, zombie or not.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "gaio-process-pool-executor-private.h"
#include "gaio-process-pool-wire-private.h"
#include "gaio-test-util.h"
#include "process-jobs.h"

/* --- helpers ------------------------------------------------------------- */

/* The children of this process, from /proc: zombies included. */
static guint
count_children (gboolean verbose)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *after_comm;
      int ppid;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
      /* Sanitizer builds start a symbolizer of their own. */
      if (strstr (stat, "(llvm-symbolizer)") != NULL || strstr (stat, "(addr2line)") != NULL)
        continue;
      after_comm = strrchr (stat, ')');
      if (after_comm != NULL && sscanf (after_comm + 1, " %*c %d", &ppid) == 1 &&
          ppid == getpid ())
        {
          if (verbose)
            g_test_message ("child left: %s", stat);
          n++;
        }
    }

  return n;
}

static void
assert_no_children (void)
{
  g_assert_cmpuint (count_children (TRUE), ==, 0);
}

static GaioProcessPoolExecutor *
self_pool (guint max_workers)
{
  return gaio_process_pool_executor_new (max_workers);
}

static char *
worker_path (void)
{
  return g_test_build_filename (G_TEST_BUILT, "process-worker", NULL);
}

static GaioProcessPoolExecutor *
worker_pool (guint max_workers)
{
  g_autofree char *path = worker_path ();
  const char *argv[] = { path, NULL };

  return gaio_process_pool_executor_new_for_worker (max_workers, argv);
}

/* Each test gets a loop; the pool it makes is shut down (waiting) and
 * freed after it, once the test's own references are gone. */
typedef struct
{
  GaioLoop                *loop;
  GaioProcessPoolExecutor *pool;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->loop = gaio_test_loop_new ();
}

/* Workers built with the sanitizers report on stderr, which reaches
 * this process's log: a report fails the test, as one in this process
 * would. */
static void
assert_no_sanitizer_reports (void)
{
  for (guint i = 0; i < gaio_test_log_count (); i++)
    {
      const char *message = gaio_test_log_get (i)->message;

      if (message != NULL && (strstr (message, "Sanitizer") != NULL ||
                              strstr (message, "runtime error:") != NULL))
        {
          gaio_test_log_dump ();
          g_error ("a worker reported: %s", message);
        }
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->pool != NULL)
    {
      gaio_executor_shutdown (GAIO_EXECUTOR (f->pool), TRUE, FALSE);
      g_clear_object (&f->pool);
    }
  /* Outcomes posted during the wait reach their futures. */
  gaio_test_iterate (gaio_loop_get_context (f->loop), 10);
  assert_no_children ();
  assert_no_sanitizer_reports ();
  gaio_test_loop_free (f->loop);
}

static GaioFuture *
run (GaioLoop                *loop,
     GaioProcessPoolExecutor *pool,
     GaioJobFunc              func,
     GVariant                *args)
{
  return gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), func, args, NULL, NULL);
}

/* Runs the loop until @future is done, at most 30 s. */
static void
wait_future (GaioLoop   *loop,
             GaioFuture *future)
{
  if (gaio_future_is_done (future))
    return;
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop),
                                          (GaioTestCondition) gaio_future_is_done,
                                          future, 30));
}

static gint64
run_int64 (GaioLoop                *loop,
           GaioProcessPoolExecutor *pool,
           GaioJobFunc              func,
           GVariant                *args)
{
  g_autoptr(GaioFuture) future = run (loop, pool, func, args);
  g_autoptr(GError) error = NULL;
  gint64 value;

  wait_future (loop, future);
  value = gaio_future_get_result_int64 (future, &error);
  g_assert_no_error (error);

  return value;
}

static GError *
run_error (GaioLoop                *loop,
           GaioProcessPoolExecutor *pool,
           GaioJobFunc              func,
           GVariant                *args)
{
  g_autoptr(GaioFuture) future = run (loop, pool, func, args);
  GError *error = NULL;

  wait_future (loop, future);
  g_assert_false (gaio_future_get_result (future, NULL, &error));
  g_assert_nonnull (error);

  return error;
}

/* The future's GVariant result, owned. */
static GVariant *
future_variant (GaioFuture *future)
{
  GValue value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  GVariant *variant;

  g_assert_true (gaio_future_get_result (future, &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_VARIANT (&value));
  variant = g_value_dup_variant (&value);
  g_value_unset (&value);

  return variant;
}

/* Waits until all @futures are done. */
static void
wait_all (GaioLoop  *loop,
          GPtrArray *futures)
{
  for (guint i = 0; i < futures->len; i++)
    wait_future (loop, g_ptr_array_index (futures, i));
}

/* The futures of job_square (i) for i = 0, 1, ... hold i * i. */
static void
assert_squares (GPtrArray *futures)
{
  for (guint i = 0; i < futures->len; i++)
    g_assert_cmpint (gaio_future_get_result_int64 (g_ptr_array_index (futures, i), NULL), ==,
                     (gint64) i * i);
}

/* --- round trips ------------------------------------------------------- */

/* EX-10: run_in_executor (ProcessPoolExecutor (), f) returns f's result,
 * computed in another process. CPython: test_events
 * test_get_event_loop_new_process; test_concurrent_futures
 * ExecutorTest.test_submit. */
static void
test_submit (Fixture       *f,
             gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (2);

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 7)), ==, 49);
  g_assert_cmpint (run_int64 (loop, pool, job_getpid, NULL), !=, getpid ());

}

/* EX-10, probe P1: 20 jobs ran in at most max_workers distinct pids,
 * none the parent's. Default max_workers = number of processors. */
static void
test_worker_pids (Fixture       *f,
                  gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (0);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);

  g_assert_cmpuint (gaio_process_pool_executor_get_max_workers (pool), ==,
                    g_get_num_processors ());
  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (futures, run (loop, pool, job_getpid, NULL));
  wait_all (loop, futures);

  for (guint i = 0; i < futures->len; i++)
    {
      gint64 pid = gaio_future_get_result_int64 (g_ptr_array_index (futures, i), NULL);

      g_assert_cmpint (pid, !=, getpid ());
      g_hash_table_add (pids, GINT_TO_POINTER ((int) pid));
    }
  g_assert_cmpuint (g_hash_table_size (pids), <=, g_get_num_processors ());

}

/* concurrent.futures ExecutorTest.test_map: many jobs at once, each
 * result with its own future, in order. */
static void
test_map (Fixture       *f,
          gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (2);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  guint n = gaio_test_scale (2000);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (futures, run (loop, pool, job_square, g_variant_new ("(i)", (gint32) i)));
  wait_all (loop, futures);
  assert_squares (futures);
}

/* A job's result keeps its GValue type across the boundary. */
static void
test_result_types (Fixture       *f,
                   gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  struct { char which; GType type; } cases[] = {
    { 'x', G_TYPE_INT64 }, { 't', G_TYPE_UINT64 }, { 'd', G_TYPE_DOUBLE },
    { 'b', G_TYPE_BOOLEAN }, { 's', G_TYPE_STRING }, { 'n', G_TYPE_STRING },
    { 'a', G_TYPE_BYTES }, { '-', G_TYPE_INVALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GaioFuture) future = run (loop, pool, job_typed,
                                          g_variant_new ("(y)", (guint8) cases[i].which));
      GValue value = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;

      wait_future (loop, future);
      g_assert_true (gaio_future_get_result (future, &value, &error));
      g_assert_no_error (error);
      if (cases[i].type == G_TYPE_INVALID)
        {
          /* No result: the future's result is a NULL pointer. */
          g_assert_null (gaio_future_get_result_pointer (future, NULL));
          if (G_IS_VALUE (&value))
            g_value_unset (&value);
          continue;
        }
      g_assert_cmpstr (g_type_name (G_VALUE_TYPE (&value)), ==, g_type_name (cases[i].type));
      switch (cases[i].which)
        {
        case 'x': g_assert_cmpint (g_value_get_int64 (&value), ==, G_MININT64); break;
        case 't': g_assert_cmpuint (g_value_get_uint64 (&value), ==, G_MAXUINT64); break;
        case 'd': g_assert_cmpfloat (g_value_get_double (&value), ==, 0.25); break;
        case 'b': g_assert_true (g_value_get_boolean (&value)); break;
        case 's': g_assert_cmpstr (g_value_get_string (&value), ==, "text"); break;
        case 'n': g_assert_null (g_value_get_string (&value)); break;
        case 'a': g_assert_cmpuint (g_bytes_get_size (g_value_get_boxed (&value)), ==, 3); break;
        default: g_assert_not_reached ();
        }
      g_value_unset (&value);
    }

  /* A GVariant of any type comes back as it went. */
  {
    g_autoptr(GaioFuture) future = run (loop, pool, job_echo,
                                        g_variant_new_parsed ("(<{'a': [1, 2], 'b': []}>,)"));
    g_autoptr(GVariant) result = NULL;
    g_autofree char *text = NULL;

    wait_future (loop, future);
    result = future_variant (future);
    text = g_variant_print (result, FALSE);
    g_assert_cmpstr (text, ==, "{'a': [1, 2], 'b': []}");
  }

}

/* EX-08 and EX-10: an error in the job comes back with its domain (by
 * name, re-quarked in the parent), code and message. CPython:
 * ExecutorTest.test_exception (process pool: the same exception type). */
static void
test_error_crosses (Fixture       *f,
                    gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) io_error = NULL;
  g_autoptr(GError) fresh = NULL;

  error = run_error (loop, pool, job_fail,
                     g_variant_new ("(sis)", "process-jobs-error-quark", 42, "bad thing"));
  g_assert_error (error, PROCESS_JOBS_ERROR, 42);
  g_assert_cmpstr (error->message, ==, "bad thing");

  io_error = run_error (loop, pool, job_fail,
                        g_variant_new ("(sis)", "g-io-error-quark", G_IO_ERROR_NOT_FOUND, "nope"));
  g_assert_error (io_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  /* A domain this process never saw is made for it. */
  fresh = run_error (loop, pool, job_fail,
                     g_variant_new ("(sis)", "only-in-the-worker-quark", 3, "fresh"));
  g_assert_cmpstr (g_quark_to_string (fresh->domain), ==, "only-in-the-worker-quark");
  g_assert_cmpint (fresh->code, ==, 3);

}

/* A function that is not registered travels by its exported name. */
static void
test_exported_symbol (Fixture       *f,
                      gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);

  g_assert_cmpint (run_int64 (loop, pool, process_jobs_exported_triple,
                              g_variant_new ("(i)", 5)), ==, 15);

}

/* EX-11: what cannot travel fails the future (not the call), at once,
 * with a message saying how to fix it. */
static void
test_not_serializable (Fixture       *f,
                       gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  g_autoptr(GaioProcessPoolExecutor) small = NULL;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) unregistered = NULL;
  g_autoptr(GaioFuture) with_data = NULL;
  g_autoptr(GaioFuture) too_big = NULL;
  g_autoptr(GaioFuture) big_result = NULL;
  g_autoptr(GError) error = NULL;
  int data_freed = 0;

  unregistered = run (loop, pool, process_jobs_get_unregistered_static (), NULL);
  g_assert_true (gaio_future_is_done (unregistered));
  g_assert_false (gaio_future_get_result (unregistered, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE);
  g_assert_nonnull (strstr (error->message, "gaio_process_pool_executor_register"));
  g_clear_error (&error);

  with_data = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), job_square,
                                         g_variant_new ("(i)", 1), &data_freed,
                                         gaio_test_count_notify);
  g_assert_true (gaio_future_is_done (with_data));
  g_assert_cmpint (data_freed, ==, 1);
  g_assert_false (gaio_future_get_result (with_data, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE);
  g_assert_nonnull (strstr (error->message, "GVariant"));
  g_clear_error (&error);

  /* A result that is a bare pointer cannot leave the worker. */
  error = run_error (loop, pool, job_pointer_result, NULL);
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE);
  g_clear_error (&error);

  /* Messages over max-message-size, both ways: the job fails, the pool
   * goes on. */
  small = g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR, "max-workers", 1,
                        "max-message-size", 1024, NULL);
  too_big = run (loop, small, job_big_result, g_variant_new ("(u)", 10));
  {
    g_autofree guint8 *blob = g_malloc0 (4096);

    g_clear_pointer (&too_big, gaio_future_unref);
    too_big = run (loop, small, job_echo,
                   g_variant_new ("(v)", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, blob,
                                                                    4096, 1)));
  }
  wait_future (loop, too_big);
  g_assert_false (gaio_future_get_result (too_big, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE);
  g_clear_error (&error);

  big_result = run (loop, small, job_big_result, g_variant_new ("(u)", 4096));
  wait_future (loop, big_result);
  g_assert_false (gaio_future_get_result (big_result, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE);
  g_clear_error (&error);
  g_assert_cmpint (run_int64 (loop, small, job_square, g_variant_new ("(i)", 3)), ==, 9);
  gaio_executor_shutdown (GAIO_EXECUTOR (small), TRUE, FALSE);

}

/* The size of the CALL body job_noop's @n bytes of arguments make. */
static gsize
call_body_size (gsize n)
{
  g_autofree guint8 *blob = g_malloc0 (n);
  g_autoptr(GVariant) body = g_variant_ref_sink (
      _gaio_wire_call_body ("job_noop",
                            g_variant_new ("(v)",
                                           g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                                      blob, n, 1))));

  return g_variant_get_size (body);
}

static GVariant *
noop_args (gsize n)
{
  g_autofree guint8 *blob = g_malloc0 (n);

  return g_variant_new ("(v)", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, blob, n, 1));
}

/* The size of the RESULT body job_big_result (@n) makes. */
static gsize
result_body_size (gsize n)
{
  g_autofree guint8 *blob = g_malloc (n);
  GValue value = G_VALUE_INIT;
  g_autoptr(GVariant) body = NULL;

  memset (blob, 'x', n);
  g_value_init (&value, G_TYPE_VARIANT);
  g_value_set_variant (&value, g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, blob, n,
                                                        TRUE, NULL, NULL));
  body = g_variant_ref_sink (_gaio_wire_result_body (&value, 0, NULL));
  g_value_unset (&value);

  return g_variant_get_size (body);
}

/* The payload size, near @limit, whose body is exactly @limit bytes and
 * one more byte of which makes it @limit + 1. */
static gsize
payload_for_limit (gsize (*body_size) (gsize),
                   gsize   limit)
{
  for (gsize n = limit; n > limit - 64; n--)
    if (body_size (n) == limit && body_size (n + 1) == limit + 1)
      return n;

  g_assert_not_reached ();
}

#define LIMIT 4096

/* EX-16: a job's arguments whose CALL frame body is exactly
 * max-message-size bytes go through; one byte more fails the job at
 * once with the limit named, and the pool goes on.
 * CPython: none (concurrent.futures has no frame limit; a boundary test
 * of libgaio's own limit) */
static void
test_message_size_limit_call (Fixture       *f,
                              gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool =
    g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR, "max-workers", 1,
                  "max-message-size", LIMIT, NULL);
  gsize n = payload_for_limit (call_body_size, LIMIT);
  g_autoptr(GaioFuture) at_limit = NULL;
  g_autoptr(GError) error = NULL;

  at_limit = run (loop, pool, job_noop, noop_args (n));
  wait_future (loop, at_limit);
  g_assert_true (gaio_future_get_result (at_limit, NULL, &error));
  g_assert_no_error (error);

  error = run_error (loop, pool, job_noop, noop_args (n + 1));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE);
  g_assert_cmpstr (error->message, ==,
                   "A CALL message of 4097 bytes is over the limit of 4096 bytes "
                   "(GaioProcessPoolExecutor:max-message-size)");

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 3)), ==, 9);
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
}

/* EX-16: a result whose RESULT frame body is exactly max-message-size
 * bytes comes back whole; one byte more fails the job with the limit
 * named (the worker refuses to send it), and the pool goes on.
 * CPython: none (see above) */
static void
test_message_size_limit_result (Fixture       *f,
                                gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool =
    g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR, "max-workers", 1,
                  "max-message-size", LIMIT, NULL);
  gsize n = payload_for_limit (result_body_size, LIMIT);
  g_autoptr(GaioFuture) at_limit = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;

  at_limit = run (loop, pool, job_big_result, g_variant_new ("(u)", (guint32) n));
  wait_future (loop, at_limit);
  result = future_variant (at_limit);
  g_assert_cmpuint (g_variant_get_size (result), ==, n);

  error = run_error (loop, pool, job_big_result, g_variant_new ("(u)", (guint32) n + 1));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE);
  g_assert_cmpstr (error->message, ==,
                   "A RESULT message of 4097 bytes is over the limit of 4096 bytes "
                   "(GaioProcessPoolExecutor:max-message-size)");

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 3)), ==, 9);
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
}

/* EX-16: the reading side of the limit, for a peer that does not check
 * it before sending: a frame whose header announces exactly the limit is
 * read, one announcing a byte more is refused as malformed, with the
 * limit named.
 * CPython: none (see above) */
static void
test_message_size_limit_decode (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  GaioWireFrame frame = { 0 };
  gsize n = payload_for_limit (call_body_size, LIMIT);
  gsize consumed = 0;
  guint32 length_le;

  g_assert_true (_gaio_wire_append (out, GAIO_WIRE_CALL, 1,
                                    _gaio_wire_call_body ("job_noop", noop_args (n)),
                                    G_MAXSIZE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, ==, GAIO_WIRE_HEADER_SIZE + LIMIT);
  g_assert_cmpint (_gaio_wire_decode (out->data, out->len, LIMIT, &frame, &consumed, &error), ==,
                   GAIO_WIRE_POP_FRAME);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, out->len);
  g_assert_cmpint (frame.kind, ==, GAIO_WIRE_CALL);
  _gaio_wire_frame_clear (&frame);

  g_byte_array_set_size (out, 0);
  g_assert_true (_gaio_wire_append (out, GAIO_WIRE_CALL, 1,
                                    _gaio_wire_call_body ("job_noop", noop_args (n + 1)),
                                    G_MAXSIZE, &error));
  memcpy (&length_le, out->data, sizeof length_le);
  g_assert_cmpuint (GUINT32_FROM_LE (length_le), ==, LIMIT + 1);
  g_assert_cmpint (_gaio_wire_decode (out->data, out->len, LIMIT, &frame, &consumed, &error), ==,
                   GAIO_WIRE_POP_ERROR);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==,
                   "Malformed frame: a CALL frame of 4097 bytes is over the limit of 4096 bytes");
}

/* --- broken pools ------------------------------------------------------ */

static void
assert_broken_job (const GError *error)
{
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);
  g_assert_cmpstr (error->message, ==,
                   "A process in the process pool was terminated abruptly while the future "
                   "was running or pending.");
}

static void
assert_broken_later (GaioLoop                *loop,
                     GaioProcessPoolExecutor *pool)
{
  g_autoptr(GaioFuture) later = run (loop, pool, job_square, g_variant_new ("(i)", 2));
  g_autoptr(GError) error = NULL;

  g_assert_true (gaio_future_is_done (later));
  g_assert_false (gaio_future_get_result (later, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);
  g_assert_cmpstr (error->message, ==,
                   "A child process terminated abruptly, the process pool is not usable anymore");
}

/* How many jobs went the lone way: written and read by the loop's thread
 * while the pool's I/O thread slept (gaio-process-pool-core.c). */
static guint64
count_lent (GaioProcessPoolExecutor *pool)
{
  guint64 n_lent, n_sent_now;

  _gaio_process_pool_executor_can_lend (pool, &n_lent, &n_sent_now);
  return n_lent;
}

/* How many jobs the loop's thread sent to another idle worker while the
 * lent one was busy and the I/O thread slept. */
static guint64
count_sent_now (GaioProcessPoolExecutor *pool)
{
  guint64 n_lent, n_sent_now;

  _gaio_process_pool_executor_can_lend (pool, &n_lent, &n_sent_now);
  return n_sent_now;
}

/* Waits (without iterating the loop) until a job submitted now goes the
 * lone way. Returns how many did so far. */
static guint64
wait_can_lend (GaioProcessPoolExecutor *pool)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint64 n_lent, n_sent_now;

  while (!_gaio_process_pool_executor_can_lend (pool, &n_lent, &n_sent_now))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }

  return n_lent;
}

/* Waits (without iterating the loop, which would block until an
 * outcome) until the pool has started a worker. */
static void
wait_for_worker (GaioProcessPoolExecutor *pool)
{
  for (guint i = 0; i < 10000; i++)
    {
      guint n = 0;
      g_autofree GPid *pids G_GNUC_UNUSED = gaio_process_pool_executor_get_worker_pids (pool, &n);

      if (n > 0)
        return;
      g_usleep (1000);
    }
  g_assert_not_reached ();
}

/* EX-12 (probes P4, P5): a worker killed while running a job breaks the
 * pool; its job and the queued ones fail with BrokenProcessPool's
 * message, later submissions with the other one. CPython:
 * ExecutorDeadlockTest (crash in the worker). */
static void
test_broken_killed (Fixture       *f,
                    gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) running = NULL;
  g_autoptr(GaioFuture) queued = NULL;
  g_autofree GPid *pids = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  /* The worker has said HELLO once a job came back: killed after that,
   * it dies with jobs running, however slow its start (ThreadSanitizer). */
  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 2)), ==, 4);
  running = run (loop, pool, job_sleep, g_variant_new ("(u)", 20000));
  queued = run (loop, pool, job_square, g_variant_new ("(i)", 1));
  wait_for_worker (pool);
  g_usleep (100 * 1000);
  pids = gaio_process_pool_executor_get_worker_pids (pool, &n);
  g_assert_cmpuint (n, ==, 1);
  kill (pids[0], SIGKILL);

  wait_future (loop, running);
  wait_future (loop, queued);
  g_assert_false (gaio_future_get_result (running, NULL, &error));
  assert_broken_job (error);
  g_clear_error (&error);
  g_assert_false (gaio_future_get_result (queued, NULL, &error));
  assert_broken_job (error);
  assert_broken_later (loop, pool);

}

/* EX-12: a worker killed while idle, and a job submitted right after,
 * before the pool noticed: the job may be written to the dead worker's
 * pipe from the loop's thread (the lone-job path), which must fail the
 * job, not kill this program with SIGPIPE. Every other time the worker
 * has just served a lone job, so the loop's lease on it is still there
 * and sees it die, or the I/O thread does first. */
static void
test_broken_killed_idle (Fixture       *f,
                         gconstpointer  data)
{
  GaioLoop *loop = f->loop;

  for (guint i = 0; i < gaio_test_scale (20); i++)
    {
      g_autoptr(GaioProcessPoolExecutor) pool = self_pool (1);
      g_autoptr(GaioFuture) after = NULL;
      g_autoptr(GError) error = NULL;
      gint64 pid = run_int64 (loop, pool, job_getpid, NULL);

      if (i % 2 == 1)
        {
          guint64 n_lent = wait_can_lend (pool);

          g_assert_cmpint (run_int64 (loop, pool, job_getpid, NULL), ==, pid);
          g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);
        }
      kill ((pid_t) pid, SIGKILL);
      g_usleep (i * 100);
      if (i % 4 == 1)
        gaio_test_iterate (gaio_loop_get_context (loop), 20);
      after = run (loop, pool, job_square, g_variant_new ("(i)", 2));
      wait_future (loop, after);
      g_assert_false (gaio_future_get_result (after, NULL, &error));
      g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);
      gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
    }
}

/* EX-12: exit() inside a job (Python's os._exit(3) probe). */
static void
test_broken_exit (Fixture       *f,
                  gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (2);
  g_autoptr(GError) error = run_error (loop, pool, job_exit, g_variant_new ("(i)", 3));

  assert_broken_job (error);
  assert_broken_later (loop, pool);

}

/* EX-12: a crash (the worker kills itself) inside a job. */
static void
test_broken_crash (Fixture       *f,
                   gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = worker_pool (1);
  g_autoptr(GError) error = run_error (loop, pool, job_crash, NULL);

  assert_broken_job (error);
  assert_broken_later (loop, pool);

}

/* --- configuration ----------------------------------------------------- */

/* concurrent.futures ProcessPoolExecutorTest.test_max_tasks_per_child:
 * with 1 worker and 3 tasks per child, jobs run in a new process every 3
 * jobs. */
static void
test_max_tasks_per_child (Fixture       *f,
                          gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  gint64 pids[7];

  gaio_process_pool_executor_set_max_tasks_per_child (pool, 3);
  g_assert_cmpuint (gaio_process_pool_executor_get_max_tasks_per_child (pool), ==, 3);

  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    pids[i] = run_int64 (loop, pool, job_getpid, NULL);

  g_assert_cmpint (pids[0], ==, pids[1]);
  g_assert_cmpint (pids[1], ==, pids[2]);
  g_assert_cmpint (pids[2], !=, pids[3]);
  g_assert_cmpint (pids[3], ==, pids[5]);
  g_assert_cmpint (pids[5], !=, pids[6]);

  /* Gathered too: every job still runs. */
  {
    g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);

    for (guint i = 0; i < 50; i++)
      g_ptr_array_add (futures, run (loop, pool, job_square, g_variant_new ("(i)", (gint32) i)));
    wait_all (loop, futures);
    assert_squares (futures);
  }

}

/* concurrent.futures InitializerMixin.test_initializer: the initializer
 * runs in every worker before its jobs. */
static void
test_initializer (Fixture       *f,
                  gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GaioFuture) future = NULL;

  g_assert_true (gaio_process_pool_executor_set_initializer (pool, job_init_store,
                                                             g_variant_new ("(s)", "ready"),
                                                             &error));
  g_assert_no_error (error);

  future = run (loop, pool, job_get_init, NULL);
  wait_future (loop, future);
  g_assert_cmpstr (gaio_future_get_result_string (future, NULL), ==, "ready");

}

/* concurrent.futures FailingInitializerMixin.test_initializer: an
 * initializer that fails breaks the pool. */
static void
test_initializer_fails (Fixture       *f,
                        gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GError) error = NULL;

  gaio_process_pool_executor_set_initializer_name (pool, "job_init_fail", NULL);
  error = run_error (loop, pool, job_square, g_variant_new ("(i)", 1));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);
  g_assert_nonnull (strstr (error->message, "initializer failed"));
  g_assert_nonnull (strstr (error->message, "the initializer refuses"));

}

/* --- shutdown and cancellation ----------------------------------------- */

/* concurrent.futures ProcessPoolShutdownTest.test_cancel_futures: the
 * running job finishes, the queued ones are cancelled. */
static void
test_shutdown_cancel_futures (Fixture       *f,
                              gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  guint n_cancelled = 0;

  g_ptr_array_add (futures, run (loop, pool, job_sleep, g_variant_new ("(u)", 300)));
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (futures, run (loop, pool, job_square, g_variant_new ("(i)", 1)));
  wait_for_worker (pool);

  gaio_executor_shutdown (GAIO_EXECUTOR (pool), FALSE, TRUE);
  g_assert_true (gaio_executor_is_shutdown (GAIO_EXECUTOR (pool)));
  wait_all (loop, futures);

  g_assert_true (gaio_future_get_result_boolean (g_ptr_array_index (futures, 0), NULL));
  for (guint i = 1; i < futures->len; i++)
    n_cancelled += gaio_future_is_cancelled (g_ptr_array_index (futures, i));
  g_assert_cmpuint (n_cancelled, ==, 10);
}

/* concurrent.futures ProcessPoolShutdownTest.test_shutdown_no_wait and
 * EX-13: shutdown (wait) from the loop's thread returns once every job
 * ran and every worker exited; submitting afterwards fails at once. */
static void
test_shutdown_wait (Fixture       *f,
                    gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (2);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  g_autoptr(GaioFuture) late = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (futures, run (loop, pool, job_sleep, g_variant_new ("(u)", 50)));
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
  assert_no_children ();

  wait_all (loop, futures);
  for (guint i = 0; i < futures->len; i++)
    g_assert_true (gaio_future_get_result_boolean (g_ptr_array_index (futures, i), NULL));

  late = run (loop, pool, job_square, g_variant_new ("(i)", 1));
  g_assert_true (gaio_future_is_done (late));
  g_assert_false (gaio_future_get_result (late, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_EXECUTOR_SHUTDOWN);
  g_assert_cmpstr (error->message, ==, "cannot schedule new futures after shutdown");

}

/* EX-15: shutdown (wait = FALSE, cancel_futures = TRUE) cancels the
 * queued jobs at once: their futures end cancelled while the worker still
 * runs its job, not when it is free again.
 * CPython: test_concurrent_futures.py::ProcessPoolShutdownTest::
 * test_cancel_futures_wait_false; process.py
 * _ExecutorManagerThread.flag_executor_shutting_down (the pending work
 * items are cancelled as soon as the manager wakes) */
static void
test_shutdown_cancel_futures_at_once (Fixture       *f,
                                      gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GPtrArray) queued = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  g_autoptr(GaioFuture) running = NULL;
  guint64 n_lent;

  /* A worker that finished its handshake and waits: the next job is
   * written to it at once, by this thread (the lone-job path), so it has
   * started when shutdown() comes, however slow the machine. */
  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 2)), ==, 4);
  n_lent = wait_can_lend (pool);
  running = run (loop, pool, job_sleep, g_variant_new ("(u)", 3000));
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);

  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (queued, run (loop, pool, job_square, g_variant_new ("(i)", 1)));

  gaio_executor_shutdown (GAIO_EXECUTOR (pool), FALSE, TRUE);
  for (guint i = 0; i < queued->len; i++)
    {
      wait_future (loop, g_ptr_array_index (queued, i));
      g_assert_true (gaio_future_is_cancelled (g_ptr_array_index (queued, i)));
    }
  /* The job that started is left to finish. */
  g_assert_false (gaio_future_is_done (running));
  wait_future (loop, running);
  g_assert_true (gaio_future_get_result_boolean (running, NULL));
}

/* A pool dropped without a shutdown finishes its jobs in the background
 * (Python: the executor's weakref callback), then lets its workers go. */
static void
test_dropped_pool (Fixture       *f,
                   gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) future = run (loop, pool, job_square, g_variant_new ("(i)", 6));

  g_clear_object (&f->pool);
  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_result_int64 (future, NULL), ==, 36);

  /* The children go soon after. */
  for (guint i = 0; i < 500 && count_children (FALSE) > 0; i++)
    g_usleep (10 * 1000);
}

/* Cancelling the future of a job not yet sent drops it: it never runs. */
static void
test_cancel_pending (Fixture       *f,
                     gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) busy G_GNUC_UNUSED = run (loop, pool, job_sleep,
                                                 g_variant_new ("(u)", 200));
  g_autoptr(GaioFuture) dropped = run (loop, pool, job_count, NULL);
  g_autoptr(GaioFuture) count = NULL;
  g_autoptr(GVariant) n = NULL;

  g_assert_true (gaio_future_cancel (dropped, NULL));
  count = run (loop, pool, job_count, NULL);
  wait_future (loop, count);
  n = future_variant (count);
  /* job_sleep, then this one: the cancelled job_count never ran. */
  g_assert_cmpuint (g_variant_get_uint32 (n), ==, 2);

}

/* Cancelling the future of a running job cancels its GCancellable in the
 * worker: the job stops early, and the worker serves the next one. */
static void
test_cancel_running (Fixture       *f,
                     gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) running = run (loop, pool, job_sleep, g_variant_new ("(u)", 20000));
  gint64 start;

  wait_for_worker (pool);
  g_usleep (200 * 1000);
  gaio_test_iterate (gaio_loop_get_context (loop), 5);

  start = g_get_monotonic_time ();
  g_assert_true (gaio_future_cancel (running, NULL));
  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 4)), ==, 16);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_true (gaio_future_is_cancelled (running));

}

/* Waits up to 30 s, iterating nothing, until no child of this process
 * is left, zombie or not. */
static gboolean
wait_no_children (void)
{
  for (guint i = 0; i < 3000; i++)
    {
      if (count_children (FALSE) == 0)
        return TRUE;
      g_usleep (10 * 1000);
    }

  return count_children (TRUE) == 0;
}

/* concurrent.futures ProcessPoolShutdownTest.test_shutdown_no_wait: a
 * pool shut down without waiting reaps its workers once their jobs are
 * done, also when the loop the jobs came from was closed meanwhile and
 * is never iterated again: the I/O thread, not the loop, reaps them. */
static void
test_shutdown_no_wait_loop_closed (Fixture       *f,
                                   gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (2);
  g_autoptr(GaioFuture) first G_GNUC_UNUSED = run (loop, pool, job_sleep,
                                                  g_variant_new ("(u)", 200));
  g_autoptr(GaioFuture) second G_GNUC_UNUSED = run (loop, pool, job_sleep,
                                                   g_variant_new ("(u)", 200));
  g_autoptr(GError) error = NULL;

  wait_for_worker (pool);
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), FALSE, FALSE);
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);

  g_assert_true (wait_no_children ());
}

/* A worker that dies idle after the loop it served its last lone job to
 * was closed is reaped all the same: that loop's lease polls its stdout,
 * but the I/O thread polls its stderr, and takes it back.
 * CPython: process.py _ExecutorManagerThread.wait_result_broken_or_wakeup
 * (the manager thread waits on every worker's sentinel) */
static void
test_leased_worker_dies_loop_closed (Fixture       *f,
                                     gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autofree GPid *pids = NULL;
  g_autoptr(GError) error = NULL;
  guint64 n_lent;
  guint n;

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 2)), ==, 4);
  n_lent = wait_can_lend (pool);
  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 3)), ==, 9);
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);

  pids = gaio_process_pool_executor_get_worker_pids (pool, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  kill (pids[0], SIGKILL);

  g_assert_true (wait_no_children ());
}

/* --- lone jobs ---------------------------------------------------------- */

/* While the pool's I/O thread sleeps with a worker idle, a job goes the
 * lone way: the loop's thread writes the call and reads the outcome
 * itself (gaio-process-pool-core.c). These tests wait until a job would
 * go that way before they submit it, and count that it did. */

/* EX-10 (sequential round trips, the process_latency benchmark): each
 * job goes the lone way, and its outcome reaches its future. */
static void
test_lone_round_trips (Fixture       *f,
                       gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 1)), ==, 1);
  for (gint i = 2; i < 40; i++)
    {
      guint64 n_lent = wait_can_lend (pool);

      g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", i)), ==, i * i);
      g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);
    }
}

/* EX-10 (the seed's gather of CPU-bound jobs): as many jobs at once as
 * the pool has idle workers all leave from the loop's thread while the
 * I/O thread sleeps, the first one lent, the others written to the other
 * idle workers; the I/O thread wakes for their outcomes. */
static void
test_lone_small_burst (Fixture       *f,
                       gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (2);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  g_autofree GPid *pids = NULL;
  guint64 n_lent, n_sent_now;
  guint n_pids = 0;

  /* Both workers started and idle: two jobs that overlap. */
  for (guint i = 0; i < 2; i++)
    g_ptr_array_add (futures, run (loop, pool, job_sleep, g_variant_new ("(u)", 200)));
  wait_all (loop, futures);
  pids = gaio_process_pool_executor_get_worker_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);
  g_ptr_array_set_size (futures, 0);

  n_lent = wait_can_lend (pool);
  n_sent_now = count_sent_now (pool);
  for (guint i = 0; i < 2; i++)
    g_ptr_array_add (futures, run (loop, pool, job_square, g_variant_new ("(i)", (gint32) i)));
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);
  g_assert_cmpuint (count_sent_now (pool), ==, n_sent_now + 1);

  wait_all (loop, futures);
  assert_squares (futures);
}

/* A lone job still running when more jobs come: the I/O thread takes
 * the worker back, and every outcome, the lone job's first, arrives. */
static void
test_lone_then_burst (Fixture       *f,
                      gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func ((GDestroyNotify) gaio_future_unref);
  g_autoptr(GaioFuture) lone = NULL;
  guint64 n_lent;

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 1)), ==, 1);
  n_lent = wait_can_lend (pool);
  lone = run (loop, pool, job_sleep, g_variant_new ("(u)", 100));
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);

  for (guint i = 0; i < 200; i++)
    g_ptr_array_add (futures, run (loop, pool, job_square, g_variant_new ("(i)", (gint32) i)));
  wait_all (loop, futures);

  g_assert_true (gaio_future_is_done (lone));
  g_assert_true (gaio_future_get_result_boolean (lone, NULL));
  assert_squares (futures);
}

/* EX-13: shutdown (wait = TRUE) on the loop's thread, the loop not
 * running, while a lone job runs: it returns once the job is done (the
 * I/O thread reads the outcome the loop cannot), and the outcome reaches
 * the future when the loop runs again. */
static void
test_lone_shutdown_wait (Fixture       *f,
                         gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) lone = NULL;
  guint64 n_lent;

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 1)), ==, 1);
  n_lent = wait_can_lend (pool);
  lone = run (loop, pool, job_sleep, g_variant_new ("(u)", 50));
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);

  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
  assert_no_children ();

  wait_future (loop, lone);
  g_assert_true (gaio_future_get_result_boolean (lone, NULL));
}

/* Two loops (two GMainContexts) take turns with one pool: the worker is
 * lent to one, then the other, and each outcome reaches its own loop. */
static void
test_lone_two_loops (Fixture       *f,
                     gconstpointer  data)
{
  GaioLoop *loops[2] = { f->loop, gaio_test_loop_new () };
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);

  g_assert_cmpint (run_int64 (loops[0], pool, job_square, g_variant_new ("(i)", 1)), ==, 1);
  for (gint i = 0; i < 20; i++)
    {
      GaioLoop *loop = loops[i % 2];
      guint64 n_lent = wait_can_lend (pool);

      g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", i)), ==, i * i);
      g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);
    }

  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
  gaio_test_loop_free (loops[1]);
}

/* EX-12: the worker of a lone job is killed while it runs: the job fails
 * with BrokenProcessPool's message, and so do later submissions. */
static void
test_lone_killed (Fixture       *f,
                  gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) lone = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pid = run_int64 (loop, pool, job_getpid, NULL);
  guint64 n_lent = wait_can_lend (pool);

  lone = run (loop, pool, job_sleep, g_variant_new ("(u)", 20000));
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);
  kill ((pid_t) pid, SIGKILL);

  wait_future (loop, lone);
  g_assert_false (gaio_future_get_result (lone, NULL, &error));
  assert_broken_job (error);
  assert_broken_later (loop, pool);
}

/* A lone job's outcome larger than a pipe holds arrives in pieces: the
 * loop reads each as it comes, and the frame whole. */
static void
test_lone_big_result (Fixture       *f,
                      gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GVariant) result = NULL;
  const guint8 *bytes;
  gsize size;
  guint64 n_lent;

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 1)), ==, 1);
  n_lent = wait_can_lend (pool);
  future = run (loop, pool, job_big_result, g_variant_new ("(u)", 1024 * 1024));
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);

  wait_future (loop, future);
  result = future_variant (future);
  bytes = g_variant_get_fixed_array (result, &size, 1);
  g_assert_cmpuint (size, ==, 1024 * 1024);
  g_assert_cmpint (bytes[0], ==, 'x');
  g_assert_cmpint (bytes[size - 1], ==, 'x');
}

/* max_tasks_per_child: a worker whose last task was a lone job retires
 * (the loop hands it back to the I/O thread), and a new one serves the
 * next job. */
static void
test_lone_max_tasks_per_child (Fixture       *f,
                               gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  gint64 first, last, next;
  guint64 n_lent;

  gaio_process_pool_executor_set_max_tasks_per_child (pool, 2);
  first = run_int64 (loop, pool, job_getpid, NULL);
  n_lent = wait_can_lend (pool);
  last = run_int64 (loop, pool, job_getpid, NULL);
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);
  next = run_int64 (loop, pool, job_getpid, NULL);

  g_assert_cmpint (first, ==, last);
  g_assert_cmpint (next, !=, last);
}

/* Cancelling the future of a lone job that runs: the worker's reader
 * thread, which takes the input over once a job has run for a while,
 * cancels the job's GCancellable, and the single worker is free again. */
static void
test_lone_cancel_running (Fixture       *f,
                          gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) running = NULL;
  guint64 n_lent;
  gint64 start;

  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 1)), ==, 1);
  n_lent = wait_can_lend (pool);
  running = run (loop, pool, job_sleep, g_variant_new ("(u)", 20000));
  g_assert_cmpuint (count_lent (pool), ==, n_lent + 1);
  g_usleep (200 * 1000);
  gaio_test_iterate (gaio_loop_get_context (loop), 5);

  start = g_get_monotonic_time ();
  g_assert_true (gaio_future_cancel (running, NULL));
  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 4)), ==, 16);
  /* Not a timing claim: without the cancel the worker is busy for 20 s. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_true (gaio_future_is_cancelled (running));
}

/* --- workers' output, worker executables, launchers --------------------- */

/* What workers print reaches the parent's log, tagged with their pid. */
static void
test_stderr_logged (Fixture       *f,
                    gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GaioFuture) future = run (loop, pool, job_print, g_variant_new ("(s)", "hi there"));
  g_autofree char *pid_text = NULL;
  gboolean seen_stderr = FALSE, seen_stdout = FALSE;
  g_autofree GPid *pids = NULL;
  guint n;

  wait_future (loop, future);
  pids = gaio_process_pool_executor_get_worker_pids (pool, &n);
  g_assert_cmpuint (n, ==, 1);
  pid_text = g_strdup_printf ("%d", pids[0]);

  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
  for (guint i = 0; i < gaio_test_log_count (); i++)
    {
      GaioTestLogRecord *record = gaio_test_log_get (i);

      if (g_strcmp0 (gaio_test_log_record_field (record, "GAIO_WORKER_PID"), pid_text) != 0)
        continue;
      g_assert_cmpint (record->level, ==, G_LOG_LEVEL_MESSAGE);
      seen_stderr |= strstr (record->message, "stderr: hi there") != NULL;
      seen_stdout |= strstr (record->message, "stdout: hi there") != NULL;
      g_assert_true (g_str_has_prefix (record->message, "worker "));
    }
  g_assert_true (seen_stderr);
  g_assert_true (seen_stdout);

}

/* A worker executable serves jobs by name (the way bindings use pools). */
static void
test_worker_executable (Fixture       *f,
                        gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = worker_pool (2);
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GaioFuture) unknown = NULL;
  g_autoptr(GError) error = NULL;

  future = gaio_process_pool_executor_submit_named (pool, loop, "job_square",
                                                    g_variant_new ("(i)", 12));
  wait_future (loop, future);
  g_assert_cmpint (gaio_future_get_result_int64 (future, NULL), ==, 144);

  /* A function pointer travels by name to the executable too. */
  g_assert_cmpint (run_int64 (loop, pool, job_square, g_variant_new ("(i)", 3)), ==, 9);

  unknown = gaio_process_pool_executor_submit_named (pool, loop, "no_such_function", NULL);
  wait_future (loop, unknown);
  g_assert_false (gaio_future_get_result (unknown, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE);
  g_assert_nonnull (strstr (error->message, "no_such_function"));

}

/* A launcher prefix (env NAME=value) runs in front of the worker. */
static void
test_launcher_prefix (Fixture       *f,
                      gconstpointer  data)
{
  const char *prefix[] = { "/usr/bin/env", "GAIO_TEST_PREFIX=took-effect", NULL };

  for (guint mode = 0; mode < 2; mode++)
    {
      GaioLoop *loop = f->loop;
      GaioProcessPoolExecutor *pool = mode == 0 ? worker_pool (1) : self_pool (1);
      g_autoptr(GaioFuture) future = NULL;

      gaio_process_pool_executor_set_launcher_prefix (pool, prefix);
      g_assert_cmpstrv (gaio_process_pool_executor_get_launcher_prefix (pool), prefix);
      future = run (loop, pool, job_getenv, g_variant_new ("(s)", "GAIO_TEST_PREFIX"));
      wait_future (loop, future);
      g_assert_cmpstr (gaio_future_get_result_string (future, NULL), ==, "took-effect");

      gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
      g_object_unref (pool);
    }
}

static void
named_async_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GVariant **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gaio_process_pool_executor_submit_named_finish (GAIO_PROCESS_POOL_EXECUTOR (source),
                                                         result, &error);
  g_assert_no_error (error);
}

static gboolean
pointer_is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* The binding-friendly _async/_finish pair. */
static void
test_submit_named_async (Fixture       *f,
                         gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = worker_pool (1);
  g_autoptr(GVariant) result = NULL;

  gaio_process_pool_executor_submit_named_async (pool, loop, "job_square",
                                                 g_variant_new ("(i)", 9), NULL,
                                                 named_async_done, &result);
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (loop), pointer_is_set,
                                          &result, 30));
  g_assert_cmpint (g_variant_get_int64 (result), ==, 81);

}

/* --- the worker guard -------------------------------------------------- */

/* Runs process-noguard; returns its stdout, and its stderr in @err. */
static char *
run_noguard (const char  *arg1,
             const char  *arg2,
             char       **err)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "process-noguard", NULL);
  const char *argv[] = { path, arg1, arg2, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *output = NULL;

  process = g_subprocess_newv (argv,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &output, err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  return output;
}

/* A worker that reaches the program's code without the guard fails
 * loudly, naming the fix, and its parent's future fails with that
 * message: no fork bomb, no hang. */
static void
test_guard_missing (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *output = run_noguard ("--parent", NULL, &err);

  g_assert_true (g_str_has_prefix (output, "error: "));
  /* The worker's loud note reached the parent's log, tagged. */
  g_assert_nonnull (strstr (err, "Gaio-Message"));
  g_assert_nonnull (strstr (err, "ran the program's own code"));
  g_assert_nonnull (strstr (output, "ran the program's own code (an event loop was created)"));
  g_assert_nonnull (strstr (output, "gaio_process_pool_executor_worker_guard (&argc, &argv)"));
  assert_no_children ();
}

/* A worker stuck in the program's own code, away from libgaio: the
 * handshake deadline fails the future. */
static void
test_guard_hang (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *output = run_noguard ("--parent", "--hang", &err);

  g_assert_true (g_str_has_prefix (output, "error: "));
  g_assert_nonnull (strstr (output, "did not answer within 0.5 s"));
  g_assert_nonnull (strstr (output, "gaio_process_pool_executor_worker_guard"));
  assert_no_children ();
}

/* A program that never called the guard cannot use its own program as
 * workers: the job fails at once, naming the fix. */
static void
test_guard_not_called (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *output = run_noguard (NULL, NULL, &err);

  g_assert_true (g_str_has_prefix (output, "error: "));
  g_assert_nonnull (strstr (output, "must call gaio_process_pool_executor_worker_guard"));
}

/* A worker never starts workers (Python: daemonic processes are not
 * allowed to have children). */
static void
test_no_nested_workers (Fixture       *f,
                        gconstpointer  data)
{
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = f->pool = self_pool (1);
  g_autoptr(GError) error = run_error (loop, pool, job_nested_pool, NULL);

  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);
  g_assert_cmpstr (error->message, ==, "A process pool worker cannot start workers of its own");

}

/* --- malformed frames from a fake worker ------------------------------- */

typedef struct
{
  const char *mode;
  const char *expected;   /* in the job's error message */
} MalformedCase;

/* The "hang" case waits out the handshake deadline, so it is short. The
 * others end by themselves: a long deadline keeps a fake worker slow to
 * start (a loaded machine, a sanitizer build) from being reported as one
 * that does not answer. */
#define HANG_HANDSHAKE_TIMEOUT_S  0.5
#define HANDSHAKE_TIMEOUT_S       30.0

static const MalformedCase malformed_cases[] = {
  { "garbage", "sent something else than a HELLO" },
  { "hang", "did not answer within 0.5 s" },
  { "exit-before-hello", "exited with status 3 before the handshake" },
  { "bad-version", "speaks version" },
  { "oversized", "over the limit of" },
  { "truncated", "terminated abruptly" },
  { "not-normal", "not a normal-form GVariant" },
  { "wrong-type", "holds a value of type s" },
  { "bad-result-kind", "RESULT of kind 200" },
  { "bad-kind", "unknown frame kind 99" },
  { "bad-padding", "non-zero padding" },
  { "unknown-id", "which it was not given" },
  { "bad-domain", "not a quark name" },
  { "hello-twice", "unexpected HELLO" },
  { "call-from-worker", "unexpected CALL" },
};

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  const MalformedCase *c = data;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "process-fake-worker", NULL);
  const char *argv[] = { path, c->mode, NULL };
  GaioLoop *loop = f->loop;
  GaioProcessPoolExecutor *pool = NULL;
  g_autoptr(GaioFuture) future = NULL;
  g_autoptr(GError) error = NULL;

  pool = f->pool = g_object_new (GAIO_TYPE_PROCESS_POOL_EXECUTOR,
                       "max-workers", 1,
                       "worker-argv", argv,
                       "handshake-timeout",
                       g_str_equal (c->mode, "hang") ? HANG_HANDSHAKE_TIMEOUT_S
                                                     : HANDSHAKE_TIMEOUT_S,
                       NULL);
  future = gaio_process_pool_executor_submit_named (pool, loop, "job_square",
                                                    g_variant_new ("(i)", 2));
  wait_future (loop, future);
  g_assert_false (gaio_future_get_result (future, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);
  if (strstr (error->message, c->expected) == NULL)
    g_error ("'%s' not in '%s'", c->expected, error->message);
  g_clear_error (&error);

  /* The pool is broken for good, the parent fine. */
  g_clear_pointer (&future, gaio_future_unref);
  future = gaio_process_pool_executor_submit_named (pool, loop, "job_square", NULL);
  g_assert_true (gaio_future_is_done (future));
  g_assert_false (gaio_future_get_result (future, NULL, &error));
  g_assert_error (error, GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR);

  gaio_test_log_clear ();
}

static void
add_test (const char *path,
          void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int    argc,
      char **argv)
{
  /* First thing: in a worker, the guard serves jobs and never returns. */
  process_jobs_register ();
  gaio_process_pool_executor_worker_guard (&argc, &argv);

  gaio_test_init (&argc, &argv);

  add_test ("/Gaio/ProcessPool/submit", test_submit);
  add_test ("/Gaio/ProcessPool/worker-pids", test_worker_pids);
  add_test ("/Gaio/ProcessPool/shutdown-no-wait-loop-closed", test_shutdown_no_wait_loop_closed);
  add_test ("/Gaio/ProcessPool/leased-worker-dies-loop-closed", test_leased_worker_dies_loop_closed);
  add_test ("/Gaio/ProcessPool/map", test_map);
  add_test ("/Gaio/ProcessPool/result-types", test_result_types);
  add_test ("/Gaio/ProcessPool/error-crosses", test_error_crosses);
  add_test ("/Gaio/ProcessPool/exported-symbol", test_exported_symbol);
  add_test ("/Gaio/ProcessPool/not-serializable", test_not_serializable);
  add_test ("/Gaio/ProcessPool/broken/killed", test_broken_killed);
  add_test ("/Gaio/ProcessPool/broken/killed-idle", test_broken_killed_idle);
  add_test ("/Gaio/ProcessPool/broken/exit-in-job", test_broken_exit);
  add_test ("/Gaio/ProcessPool/broken/crash", test_broken_crash);
  add_test ("/Gaio/ProcessPool/max-tasks-per-child", test_max_tasks_per_child);
  add_test ("/Gaio/ProcessPool/initializer", test_initializer);
  add_test ("/Gaio/ProcessPool/initializer-fails", test_initializer_fails);
  add_test ("/Gaio/ProcessPool/shutdown/cancel-futures", test_shutdown_cancel_futures);
  add_test ("/Gaio/ProcessPool/shutdown/cancel-futures-at-once",
            test_shutdown_cancel_futures_at_once);
  add_test ("/Gaio/ProcessPool/message-size-limit/call", test_message_size_limit_call);
  add_test ("/Gaio/ProcessPool/message-size-limit/result", test_message_size_limit_result);
  add_test ("/Gaio/ProcessPool/message-size-limit/decode", test_message_size_limit_decode);
  add_test ("/Gaio/ProcessPool/shutdown/wait", test_shutdown_wait);
  add_test ("/Gaio/ProcessPool/shutdown/dropped", test_dropped_pool);
  add_test ("/Gaio/ProcessPool/cancel/pending", test_cancel_pending);
  add_test ("/Gaio/ProcessPool/cancel/running", test_cancel_running);
  add_test ("/Gaio/ProcessPool/lone/round-trips", test_lone_round_trips);
  add_test ("/Gaio/ProcessPool/lone/small-burst", test_lone_small_burst);
  add_test ("/Gaio/ProcessPool/lone/then-burst", test_lone_then_burst);
  add_test ("/Gaio/ProcessPool/lone/shutdown-wait", test_lone_shutdown_wait);
  add_test ("/Gaio/ProcessPool/lone/two-loops", test_lone_two_loops);
  add_test ("/Gaio/ProcessPool/lone/killed", test_lone_killed);
  add_test ("/Gaio/ProcessPool/lone/big-result", test_lone_big_result);
  add_test ("/Gaio/ProcessPool/lone/max-tasks-per-child", test_lone_max_tasks_per_child);
  add_test ("/Gaio/ProcessPool/lone/cancel-running", test_lone_cancel_running);
  add_test ("/Gaio/ProcessPool/stderr-logged", test_stderr_logged);
  add_test ("/Gaio/ProcessPool/worker-executable", test_worker_executable);
  add_test ("/Gaio/ProcessPool/launcher-prefix", test_launcher_prefix);
  add_test ("/Gaio/ProcessPool/submit-named-async", test_submit_named_async);
  add_test ("/Gaio/ProcessPool/guard/missing", test_guard_missing);
  add_test ("/Gaio/ProcessPool/guard/hang", test_guard_hang);
  add_test ("/Gaio/ProcessPool/guard/not-called", test_guard_not_called);
  add_test ("/Gaio/ProcessPool/guard/no-nested-workers", test_no_nested_workers);
  for (guint i = 0; i < G_N_ELEMENTS (malformed_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Gaio/ProcessPool/malformed/%s",
                                               malformed_cases[i].mode);

      g_test_add (path, Fixture, &malformed_cases[i], fixture_setup, test_malformed,
                  fixture_teardown);
    }

  return g_test_run ();
}
