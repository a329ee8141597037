/* gaio-test-util.h: helpers shared by the libgaio test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Every test program calls gaio_test_init() instead of g_test_init(). It
 * installs a structured-log writer that keeps every record of the `Gaio`
 * domain in a list the tests inspect (and hands the other domains to
 * g_log_writer_default(), so a stray GLib warning still fails the test).
 * g_test_expect_message() does not see structured records, and under
 * g_test_init() warnings are fatal only inside g_log_writer_default(): a
 * writer that handles the `Gaio` records itself keeps the library's
 * expected warnings from aborting the program.
 */

#pragma once

#include <gaio.h>

G_BEGIN_DECLS

typedef struct
{
  GLogLevelFlags  level;    /* the level bits of the record */
  char           *domain;   /* GLIB_DOMAIN */
  char           *message;  /* MESSAGE, or NULL */
  GHashTable     *fields;   /* (element-type utf8 utf8): every field as text */
} GaioTestLogRecord;

void                gaio_test_init                 (int          *argc,
                                                    char       ***argv);

/* Captured records of the Gaio domain. Safe from any thread. The records
 * returned stay valid until the next gaio_test_log_clear(). */
void                gaio_test_log_clear            (void);
guint               gaio_test_log_count            (void);
guint               gaio_test_log_count_level      (GLogLevelFlags levels);
GaioTestLogRecord  *gaio_test_log_get              (guint         index);
const char         *gaio_test_log_record_field     (const GaioTestLogRecord *record,
                                                    const char   *key);
/* Also hand the Gaio records to g_log_writer_default() (for tests of
 * G_MESSAGES_DEBUG: never with warnings, which g_test_init() makes fatal). */
void                gaio_test_log_set_passthrough  (gboolean      passthrough);

/* Fails the test if a record at WARNING or more severe was captured and
 * not cleared: the library reported something the test did not expect. */
#define gaio_test_log_assert_no_warnings() \
  G_STMT_START { \
    guint n_ = gaio_test_log_count_level (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | \
                                          G_LOG_LEVEL_WARNING); \
    if (n_ != 0) \
      { \
        gaio_test_log_dump (); \
        g_assert_cmpuint (n_, ==, 0); \
      } \
  } G_STMT_END
void                gaio_test_log_dump             (void);

/* A loop on a new GMainContext pushed as the thread-default context (so
 * GIO operations and GTask completions of the test land on it). Clears the
 * captured log once the loop exists. */
GaioLoop           *gaio_test_loop_new             (void);
/* Closes @loop (asserting success), unrefs it asserting that this was the
 * last reference, and pops its context if it is the thread-default one.
 * Also asserts that no unexpected warning was logged. */
void                gaio_test_loop_free            (GaioLoop     *loop);

/* The number of references on @future, read from its private count:
 * futures are reference-counted values, with no weak references. */
guint               gaio_test_future_refs          (GaioFuture   *future);

/* Drops the caller's reference on @future (a future or a task),
 * asserting that it was the last one. */
#define gaio_test_assert_finalize_future(future) \
  G_STMT_START { \
    g_assert_cmpuint (gaio_test_future_refs (GAIO_FUTURE (future)), ==, 1); \
    gaio_future_unref (GAIO_FUTURE (future)); \
  } G_STMT_END

typedef gboolean (*GaioTestCondition) (gpointer data);

/* Iterates @context, blocking, until @condition returns TRUE. Returns
 * FALSE (and marks the test failed) if that did not happen within
 * @timeout_s seconds. */
gboolean            gaio_test_iterate_until        (GMainContext *context,
                                                    GaioTestCondition condition,
                                                    gpointer      data,
                                                    gdouble       timeout_s);
/* TRUE when *(gboolean *) data; for gaio_test_iterate_until(). */
gboolean            gaio_test_flag_is_set          (gpointer      data);
/* @n non-blocking iterations of @context. */
void                gaio_test_iterate              (GMainContext *context,
                                                    guint         n);

/* A watchdog for code that runs the loop itself (run_forever, a
 * GMainLoop, a GApplication): after @timeout_s it marks the test failed,
 * stops @loop and quits @main_loop (either may be NULL). */
typedef struct _GaioTestGuard GaioTestGuard;
GaioTestGuard      *gaio_test_guard_new            (GaioLoop     *loop,
                                                    GMainLoop    *main_loop,
                                                    gdouble       timeout_s);
/* Removes the guard; returns TRUE if it did not fire. */
gboolean            gaio_test_guard_finish         (GaioTestGuard *guard);

/* A GDestroyNotify that increments the gint counter it is given. */
void                gaio_test_count_notify         (gpointer      data);

/* Counts shrunk 100x when GAIO_TEST_SHRINK=1 (valgrind), at least 1. */
guint               gaio_test_scale                (guint         n);

/* A GError in G_IO_ERROR with G_IO_ERROR_FAILED (code 0), so that its
 * rendering is "g-io-error-quark: MESSAGE (0)". */
#define GAIO_TEST_ERROR_LINE(msg) "g-io-error-quark: " msg " (0)"

G_END_DECLS
