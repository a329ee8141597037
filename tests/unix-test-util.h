/* unix-test-util.h: helpers of the Unix test programs (signals, fds,
 * subprocesses, the log writer)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * unix_test_init() replaces g_test_init(): it installs a structured-log
 * writer that keeps the records of the `Gaio` domain for the tests to
 * inspect and hands every other record to g_log_writer_default() (so a
 * stray GLib warning still fails the test). g_test_expect_message() does
 * not see structured records, and g_test_init() makes warnings fatal only
 * inside g_log_writer_default().
 */

#pragma once

#include <gaio.h>

G_BEGIN_DECLS

void         unix_test_init              (int          *argc,
                                          char       ***argv);

/* Captured records of the Gaio domain (any thread). */
void         unix_test_log_clear         (void);
guint        unix_test_log_count         (void);
/* The MESSAGE of record @index, or NULL; valid until the next clear. */
const char  *unix_test_log_message       (guint         index);
GLogLevelFlags unix_test_log_level       (guint         index);
/* Index of the first record whose MESSAGE contains @needle, or -1. */
int          unix_test_log_find          (const char   *needle);

/* A loop on a new context pushed as the thread-default one. */
GaioLoop    *unix_test_loop_new          (void);
/* Closes @loop, checks it was the last reference, pops its context. */
void         unix_test_loop_free         (GaioLoop     *loop);

/* Iterates @loop's context until *flag is TRUE; fails the test after
 * @timeout_s seconds. */
gboolean     unix_test_run_until         (GaioLoop     *loop,
                                          gboolean     *flag,
                                          gdouble       timeout_s);
/* Runs @loop until @future is done (fails the test after @timeout_s). */
gboolean     unix_test_run_until_done    (GaioLoop     *loop,
                                          GaioFuture   *future,
                                          gdouble       timeout_s);
/* @n non-blocking iterations. */
void         unix_test_iterate           (GaioLoop     *loop,
                                          guint         n);

/* An exception handler that counts calls (gint *) and keeps the last
 * message in a static buffer: unix_test_last_exception(). */
gboolean     unix_test_count_exceptions  (GaioLoop              *loop,
                                          GaioExceptionContext  *context,
                                          gpointer               user_data,
                                          GError               **error);
const char  *unix_test_last_exception    (void);

/* A GDestroyNotify that increments the gint it is given. */
void         unix_test_count_notify      (gpointer      data);

/* Counts shrunk 100x when GAIO_TEST_SHRINK=1 (valgrind), at least 1. */
guint        unix_test_scale             (guint         n);

G_END_DECLS
