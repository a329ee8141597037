/* gaio-job-private.h: how the loop and executors drive a job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"
#include "gaio-inbox-private.h"

G_BEGIN_DECLS

/* Creates a queued job whose outcome goes to @future (which must be
 * pending, on @loop), posted to @inbox, @loop's (valid while the job
 * holds @loop, which it does until the outcome is delivered). Loop
 * thread only. */
GaioJob    *_gaio_job_new          (GaioLoop     *loop,
                                    GaioInbox    *inbox,
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

/* gaio_job_run() that also drops the caller's reference: a reference
 * that moves with the outcome to the loop, which frees the job on its
 * own thread. */
void        _gaio_job_run_and_unref (GaioJob     *job);

/* The link an executor queues the job with (its data is the job), so
 * that queueing allocates nothing. Owned by the job. A job is queued
 * once in its life: the first caller gets the link, any later one NULL
 * (a job submitted twice would otherwise corrupt both queues). */
GList      *_gaio_job_claim_link   (GaioJob      *job);

/* Whether the job has not started yet. Any thread. */
gboolean    _gaio_job_is_queued    (GaioJob      *job);


/* The job's function, for executors that send jobs elsewhere. */
GaioJobFunc _gaio_job_get_func     (GaioJob      *job);
gpointer    _gaio_job_get_user_data (GaioJob     *job);

/* Process pools.
 *
 * A job submitted by name (gaio_process_pool_executor_submit_named())
 * has no function in this process: its function fails if an executor
 * other than a process pool runs it. */
GaioJob    *_gaio_job_new_named    (GaioLoop     *loop,
                                    GaioInbox    *inbox,
                                    GaioFuture   *future,
                                    const char   *function_name,
                                    GVariant     *args);
/* The name given to _gaio_job_new_named(), or NULL. */
const char *_gaio_job_get_function_name (GaioJob *job);

/* A job whose function runs elsewhere (in a worker process) moves from
 * queued to running with _gaio_job_begin(), which returns FALSE if the
 * job was cancelled first (drop it), and delivers its outcome with
 * _gaio_job_finish(), which takes @value's contents (nullable: no
 * result) or @error (transfer full, nullable), from any thread. While it
 * runs, cancelling its future cancels gaio_job_get_cancellable(). */
gboolean    _gaio_job_begin        (GaioJob      *job);
/* Instead of _gaio_job_finish(): the job, begun, never ran (its worker
 * dropped it when the executor took it back): its future is cancelled.
 * Any thread. */
void        _gaio_job_withdrawn    (GaioJob      *job);

/* Called on the loop's thread when the future of a running job is
 * cancelled, after its cancellable: how a process pool tells the worker.
 * Set on the loop's thread before the job is queued; @destroy frees
 * @data with the job. The id is the executor's, for the hook to read:
 * set it before _gaio_job_begin(). */
typedef void (*GaioJobRemoteCancel) (GaioJob *job,
                                     gpointer data);
void        _gaio_job_set_remote_cancel (GaioJob            *job,
                                         GaioJobRemoteCancel func,
                                         gpointer            data,
                                         GDestroyNotify      destroy);
void        _gaio_job_set_remote_id     (GaioJob            *job,
                                         guint64             id);
guint64     _gaio_job_get_remote_id     (GaioJob            *job);
/* The loop the outcome goes to: the job holds it until it is delivered,
 * so it is valid while the caller holds a job not yet finished. */
GaioLoop   *_gaio_job_get_loop          (GaioJob            *job);
void        _gaio_job_finish       (GaioJob      *job,
                                    GValue       *value,
                                    GError       *error);

/* The worker side of a process pool: a job with no loop and no future,
 * already running, whose function is called in place with
 * _gaio_job_invoke(); its result is then read with
 * _gaio_job_peek_result(), which sets @is_pointer when the result is a
 * bare pointer (it cannot leave the process). _gaio_job_cancel_running()
 * cancels its cancellable, from any thread. */
GaioJob      *_gaio_job_new_local     (GaioJobFunc  func,
                                       GVariant    *args);
gboolean      _gaio_job_invoke        (GaioJob     *job,
                                       GError     **error);
const GValue *_gaio_job_peek_result   (GaioJob     *job,
                                       gboolean    *is_pointer);
void          _gaio_job_cancel_running (GaioJob    *job);


G_END_DECLS
