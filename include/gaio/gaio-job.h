/* gaio-job.h: one call of a function in an executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

typedef struct _GaioJob GaioJob;

/**
 * GaioJobFunc:
 * @job: the job, to read its arguments and cancellable and set its result
 * @user_data: the data passed to [method@Gaio.Loop.run_in_executor]
 * @error: return location for a #GError
 *
 * A function run by an executor, in a worker thread or a worker process
 * (asyncio's `func` of `run_in_executor`). It sets its result with
 * [method@Gaio.Job.set_result] or one of its typed variants (no result
 * means a %NULL pointer), or fails by returning %FALSE with @error set;
 * the future returned by [method@Gaio.Loop.run_in_executor] then holds
 * that result or error, on the loop's thread.
 *
 * A long job should check [method@Gaio.Job.get_cancellable]: it is
 * cancelled when the job's future is cancelled.
 *
 * A JavaScript function cannot be a job of a thread pool (GJS runs
 * JavaScript on the main thread only), and neither a Python nor a
 * JavaScript function can be a job of a process pool: see the
 * [Bindings](bindings.html) guide.
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 1.0
 */
typedef gboolean (*GaioJobFunc) (GaioJob   *job,
                                 gpointer   user_data,
                                 GError   **error);

#define GAIO_TYPE_JOB (gaio_job_get_type ())

GAIO_AVAILABLE_IN_ALL
GType         gaio_job_get_type           (void) G_GNUC_CONST;
GAIO_AVAILABLE_IN_ALL
GaioJob      *gaio_job_ref                (GaioJob        *job);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_unref              (GaioJob        *job);
GAIO_AVAILABLE_IN_ALL
GVariant     *gaio_job_get_args           (GaioJob        *job);
GAIO_AVAILABLE_IN_ALL
GCancellable *gaio_job_get_cancellable    (GaioJob        *job);
GAIO_AVAILABLE_IN_ALL
gboolean      gaio_job_is_cancelled       (GaioJob        *job);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result         (GaioJob        *job,
                                           const GValue   *value);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_take_result        (GaioJob        *job,
                                           GValue         *value);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_int64   (GaioJob        *job,
                                           gint64          value);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_uint64  (GaioJob        *job,
                                           guint64         value);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_double  (GaioJob        *job,
                                           gdouble         value);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_boolean (GaioJob        *job,
                                           gboolean        value);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_string  (GaioJob        *job,
                                           const char     *value);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_bytes   (GaioJob        *job,
                                           GBytes         *value);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_object  (GaioJob        *job,
                                           gpointer        object);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_variant (GaioJob        *job,
                                           GVariant       *variant);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_set_result_pointer (GaioJob        *job,
                                           gpointer        pointer,
                                           GDestroyNotify  destroy);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_run                (GaioJob        *job);
GAIO_AVAILABLE_IN_ALL
void          gaio_job_fail               (GaioJob        *job,
                                           const GError   *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GaioJob, gaio_job_unref)

G_END_DECLS
