/* gaio-loop-private.h: what the other files of the library need of GaioLoop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"
#include "gaio-inbox-private.h"

G_BEGIN_DECLS

/* Schedules an internal handle on the ready FIFO, as call_soon does.
 * Takes the caller's reference. Returns FALSE (and discards the handle,
 * running its notify) when the loop is closed. Loop thread only. */
gboolean    _gaio_loop_schedule_handle    (GaioLoop    *loop,
                                           GaioHandle  *handle);

/* Schedules an internal callback, as call_soon does, on a handle from
 * the loop's cache of handles (no allocation once the loop runs). The
 * handle is named with the literal @static_name and, when it runs a step
 * of @task, names that task in slow-callback reports; it takes @task's
 * reference. Returns FALSE (running @notify and dropping @task) when the
 * loop is closed. Loop thread only. */
gboolean    _gaio_loop_schedule           (GaioLoop       *loop,
                                           GaioCallback    callback,
                                           gpointer        user_data,
                                           GDestroyNotify  notify,
                                           const char     *static_name,
                                           GaioFuture     *task);

/* Where other threads post internal handles to the loop, as
 * call_soon_threadsafe() does (_gaio_inbox_post_holding() for a poster
 * whose hold on the loop may go with the handle). Valid as long as the
 * loop; a closed loop's inbox refuses posts. Any thread. */
GaioInbox  *_gaio_loop_get_inbox          (GaioLoop    *loop);

/* Makes @loop the running loop of this thread, as a dispatch of its
 * source does (the source calls it through its hooks; a task destroyed
 * at close calls it to unwind its fiber). Returns what
 * _gaio_loop_dispatch_end() puts back. Loop thread only. */
GaioLoop   *_gaio_loop_dispatch_begin     (GaioLoop    *loop);
void        _gaio_loop_dispatch_end       (GaioLoop    *loop,
                                           GaioLoop    *previous);

/* Close hooks: what other files of the library do when the loop closes,
 * registered by them (the loop knows none of them). gaio_loop_close()
 * runs, in this order:
 *
 *  1. the loop is marked closed: scheduling fails from then on;
 *  2. the GAIO_LOOP_CLOSE_RELEASE hooks, in the order they were added:
 *     what reaches the loop from outside lets go of it (the default
 *     executor stops taking jobs, signal handlers are removed and the
 *     dispositions restored);
 *  3. the source drops every queued callback and timer, running their
 *     destroy notifies, refuses posts, and leaves its context;
 *  4. the GAIO_LOOP_CLOSE_UNWIND hooks, in the order they were added:
 *     what can never run now is unwound (the pending tasks are reported
 *     and destroyed).
 *
 * A loop finalized unclosed runs steps 1 to 3 (nothing pending holds it
 * by then, so there is nothing to unwind). Adding a hook already added
 * (same function, same data) does nothing, so a file may add its hook
 * each time it is used. Loop thread only. */
typedef enum {
  GAIO_LOOP_CLOSE_RELEASE,
  GAIO_LOOP_CLOSE_UNWIND,
} GaioLoopCloseStage;

typedef void (*GaioLoopCloseHook) (GaioLoop *loop,
                                   gpointer  data);

void        _gaio_loop_add_close_hook     (GaioLoop           *loop,
                                           GaioLoopCloseStage  stage,
                                           GaioLoopCloseHook   hook,
                                           gpointer            data);

/* asyncio's _check_closed() and _check_running(): whether the loop may
 * run now, in this thread; @error says why not. */
gboolean    _gaio_loop_check_can_run      (GaioLoop    *loop,
                                           GError     **error);

/* `<GaioLoop running=0 closed=0 debug=0>`, asyncio's repr. */
char       *_gaio_loop_to_string          (GaioLoop    *loop);

/* Test hooks: the number of timers in the heap, cancelled ones included,
 * and the number of dispatches of the loop's source so far. */
guint       _gaio_loop_get_n_timers       (GaioLoop    *loop);
guint64     _gaio_loop_get_n_iterations   (GaioLoop    *loop);

/* The loop's one GSource (gaio-loop-source.c), for the files that add
 * to it: readers and writers, signals. */
GSource    *_gaio_loop_get_source         (GaioLoop    *loop);
/* The task whose step runs now (asyncio's _current_tasks[loop]). Swap
 * returns the previous one, to be put back after the step. */
GaioTask   *_gaio_loop_get_current_task   (GaioLoop    *loop);
/* Hands the caller the reference on @task held by the handle running
 * @task's step (_gaio_handle_get_task()), if it is one and the loop is
 * not in debug mode (where that handle names the task in its
 * slow-callback report, after the step). Returns FALSE, with nothing
 * handed over, otherwise. */
gboolean    _gaio_loop_steal_step_ref     (GaioLoop    *loop,
                                           GaioFuture  *task);
GaioTask   *_gaio_loop_swap_current_task  (GaioLoop    *loop,
                                           GaioTask    *task);

/* The tasks of the loop that are not done, in creation order: a queue
 * of the links the tasks embed (gaio-task.c adds and removes them).
 * Loop thread only. */
GQueue     *_gaio_loop_get_tasks          (GaioLoop    *loop);

/* gaio_loop_get_debug() without the argument check, for what every
 * future and handle reads. */
gboolean    _gaio_loop_get_debug          (GaioLoop    *loop);

/* Whether @loop is calling its exception handler now: a task cannot
 * suspend from inside it (see gaio_await()). */
gboolean    _gaio_loop_in_handler         (GaioLoop    *loop);

/* What a future holds its loop with, instead of a GObject reference: see
 * gaio-loop.c. Any thread. */
void        _gaio_loop_hold               (GaioLoop    *loop);
void        _gaio_loop_release            (GaioLoop    *loop);

/* Debug mode: asyncio's _check_thread(). Returns FALSE, after a critical
 * naming @function, when the loop runs in another thread than the
 * caller's; the caller then refuses the call if it can. Free (one
 * branch on the debug flag) when debug mode is off. */
gboolean    _gaio_loop_check_thread       (GaioLoop    *loop,
                                           const char  *function);

/* The loop's default executor and whether shutdown_default_executor()
 * was called, kept in the loop for gaio-loop-executor.c, which alone
 * reads and writes them. Loop thread only. */
typedef struct
{
  GaioExecutor *executor;         /* (owned) (nullable) made on first use */
  gboolean      shutdown_called;
} GaioLoopDefaultExecutor;

GaioLoopDefaultExecutor *_gaio_loop_get_default_executor (GaioLoop *loop);

/* Step of gaio_run() after the last task (gaio-loop-executor.c): shuts
 * the default executor down and waits for its threads, as asyncio.run()
 * awaits loop.shutdown_default_executor(). Loop thread, loop not
 * running. */
void        _gaio_loop_shutdown_default_executor_sync (GaioLoop *loop);

G_END_DECLS
