/* process-jobs.h: job functions the process-pool tests run in workers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <gaio.h>

G_BEGIN_DECLS

#define PROCESS_JOBS_ERROR (process_jobs_error_quark ())
GQuark   process_jobs_error_quark (void);

/* Registers every job below under its own name. Call before the guard. */
void     process_jobs_register    (void);

/* (i) -> x: the square. Registered. */
gboolean job_square               (GaioJob *job, gpointer user_data, GError **error);
/* (v) -> v: the argument back. Registered. */
gboolean job_echo                 (GaioJob *job, gpointer user_data, GError **error);
/* () -> x: the worker's pid. Registered. */
gboolean job_getpid               (GaioJob *job, gpointer user_data, GError **error);
/* (sis) -> error in that domain (re-quarked by name), code, message. Registered. */
gboolean job_fail                 (GaioJob *job, gpointer user_data, GError **error);
/* (u) -> b: sleeps u ms, or until cancelled (then fails with G_IO_ERROR_CANCELLED). */
gboolean job_sleep                (GaioJob *job, gpointer user_data, GError **error);
/* (i) -> never returns: exit (i) inside the job. */
gboolean job_exit                 (GaioJob *job, gpointer user_data, GError **error);
/* () -> never returns: raise (SIGSEGV) inside the job. */
gboolean job_crash                (GaioJob *job, gpointer user_data, GError **error);
/* (s) -> ms: getenv (s). */
gboolean job_getenv               (GaioJob *job, gpointer user_data, GError **error);
/* (s) -> nothing: prints s on stderr and on stdout. */
gboolean job_print                (GaioJob *job, gpointer user_data, GError **error);
/* () -> u: how many jobs this worker process ran so far. */
gboolean job_count                (GaioJob *job, gpointer user_data, GError **error);
/* initializer (s): stores s; job_get_init () -> s returns it. */
gboolean job_init_store           (GaioJob *job, gpointer user_data, GError **error);
gboolean job_get_init             (GaioJob *job, gpointer user_data, GError **error);
/* initializer that fails. */
gboolean job_init_fail            (GaioJob *job, gpointer user_data, GError **error);
/* (u) -> ay of u bytes. */
gboolean job_big_result           (GaioJob *job, gpointer user_data, GError **error);
/* () -> a pointer: cannot leave the worker. */
gboolean job_pointer_result       (GaioJob *job, gpointer user_data, GError **error);
/* (u) -> s: the seed's cpu_bound(): sum of i * i for i < u, in decimal. */
gboolean job_cpu_bound            (GaioJob *job, gpointer user_data, GError **error);
/* () -> error: tries to start a process pool inside the worker. */
gboolean job_nested_pool          (GaioJob *job, gpointer user_data, GError **error);
/* () -> nothing, trivially. */
gboolean job_noop                 (GaioJob *job, gpointer user_data, GError **error);
/* Every result type: (y) -> int64 / uint64 / double / boolean / string / bytes / none. */
gboolean job_typed                (GaioJob *job, gpointer user_data, GError **error);

/* Exported (the test programs link with export_dynamic) and never
 * registered: it travels by its symbol name. */
gboolean process_jobs_exported_triple (GaioJob *job, gpointer user_data, GError **error);

/* A static function that is not registered cannot travel. */
GaioJobFunc process_jobs_get_unregistered_static (void);

G_END_DECLS
