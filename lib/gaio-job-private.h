/* gaio-job-private.h: how the loop and executors drive a job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* Creates a queued job whose outcome goes to @future (which must be
 * pending, on @loop). Loop thread only. */
GaioJob    *_gaio_job_new          (GaioLoop     *loop,
                                    GaioFuture   *future,
                                    GaioJobFunc   func,
                                    GVariant     *args,
                                    gpointer      user_data,
                                    GDestroyNotify notify);

/* Fails a job its executor refused, with @error, at once: its future
 * fails and the data is released. Loop thread only. */
void        _gaio_job_abort        (GaioJob      *job,
                                    const GError *error);

/* Cancels a job that has not started (it never will) and its future, as
 * an executor does when shut down with cancel_futures. Any thread.
 * Returns FALSE if the job had started. */
gboolean    _gaio_job_cancel       (GaioJob      *job);

/* Whether the job has not started yet. Any thread. */
gboolean    _gaio_job_is_queued    (GaioJob      *job);

/* The job's function, for executors that send jobs elsewhere. */
GaioJobFunc _gaio_job_get_func     (GaioJob      *job);
gpointer    _gaio_job_get_user_data (GaioJob     *job);


G_END_DECLS
