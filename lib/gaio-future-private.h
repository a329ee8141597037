/* gaio-future-private.h: the future's structure, for the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"
#include "gaio-debug-private.h"

G_BEGIN_DECLS

typedef struct _GaioFutureCallbacks GaioFutureCallbacks;

/* The size of a one-entry callback list, in pointers (checked in
 * gaio-future.c). */
#define GAIO_FUTURE_INLINE_CALLBACK_WORDS 7

/* What a kind of future does differently: the plain future's and the
 * task's (gaio-task.c), the only two kinds. A table per kind, not a
 * GObject class: a future is a reference-counted value, as a GSource is
 * (see the top of gaio-future.c). */
typedef struct
{
  /* asyncio's class name, in reports and reprs: "Future", "Task". */
  const char *kind;
  /* Whether the kind is GaioTask's (for the files below gaio-task.c). */
  gboolean    is_task;

  /* gaio_future_cancel() and gaio_future_to_string(). */
  gboolean  (*cancel)    (GaioFuture *future,
                          const char *message);
  char     *(*to_string) (GaioFuture *future);

  /* The last reference went. Called with a reference held again, before
   * the future reports an unretrieved error; it may take references
   * (asyncio's __del__ may resurrect), and then the future lives on.
   * May be NULL. */
  void      (*dispose)   (GaioFuture *future);

  /* Frees what the kind adds to the future; the future's own fields,
   * and the block, are freed after. May be NULL. */
  void      (*finalize)  (GaioFuture *future);

  /* Frees the block, whose fields are freed: a kind that keeps blocks
   * for its next futures (gaio-waiter.c). NULL: g_free(), or the plain
   * future's own list of blocks. */
  void      (*free_block) (GaioFuture *future);

  /* The future finished with a result, but the task awaiting it let go
   * of it unread: the task was cancelled after the future was done and
   * before it resumed, or is destroyed (_gaio_future_mark_retrieved()
   * tells). A future whose result hands something over (a lock, a
   * permit: gaio-waiter.c) takes it back here, as asyncio's
   * acquire() does when CancelledError reaches it after the wakeup. Called
   * at most once. May be NULL. */
  void      (*dropped)   (GaioFuture *future);

  /* The done future's code that asyncio runs after `await fut` in the
   * coroutine that made it (a primitive's acquire() or wait():
   * gaio-waiter.c): once, in the loop callback that runs its first done
   * callbacks, before them, so before the task awaiting it goes on; in a
   * loop callback of its own when it has none. @ran is FALSE when a
   * closing loop drops that loop callback unrun. May be NULL. */
  void      (*resumed)   (GaioFuture *future,
                          gboolean    ran);
} GaioFutureClass;

/* The future, public to the library so that a task can begin with one.
 * Loop thread only, but for ref_count. */
struct _GaioFuture
{
  /* A field added here must be cleared in block_reset() (gaio-future.c)
   * too. */
  const GaioFutureClass *klass;
  gint                   ref_count;      /* (atomic) */

  GaioLoop              *loop;           /* (owned) by _gaio_loop_hold() */
  GaioFutureState        state;

  GValue                 result;         /* set when finished with a result */
  GDestroyNotify         result_destroy; /* for a G_TYPE_POINTER result */
  GError                *error;          /* (owned) when finished with an error, or cancelled */

  /* asyncio's __log_traceback: an error was set and nobody read it yet. */
  gboolean               error_unretrieved;
  gboolean               reported;

  /* A task's outcome is set by the task only (_gaio_future_seal()). */
  gboolean               sealed;
  /* Done callbacks wait for _gaio_future_run_held_callbacks(). */
  gboolean               hold_callbacks;

  GaioFutureCallbacks   *callbacks;      /* (owned) (nullable) may be inline_callbacks */
  /* Room for the first callback list of the future's life, so that one
   * await or one done callback costs no allocation (gaio-future.c). */
  gpointer               inline_callbacks[GAIO_FUTURE_INLINE_CALLBACK_WORDS];
  GCancellable          *cancellable;    /* (owned) (nullable) created on demand */

  /* Told synchronously when the future is cancelled: the executor job
   * that will complete it (see _gaio_future_set_cancel_hook()). */
  void                 (*cancel_hook) (GaioFuture *future,
                                       gpointer    user_data);
  gpointer               cancel_hook_data;   /* (owned) by cancel_hook_destroy */
  GDestroyNotify         cancel_hook_destroy;

  /* gaio_future_new_for_async() (gaio-future-gio.c) */
  GaioAsyncFinishFunc    finish;
  GType                  finish_type;

  GaioTraceback         *traceback;      /* (owned) (nullable) debug mode: where created */

  /* A task's await reference shared with its wakeup (share_await_ref()
   * in gaio-future.c): the task whose gaio_await() frame still holds it,
   * and how many of the frame and the wakeup's callback list do. */
  GaioFuture            *share_task;     /* (unowned) (nullable) */
  guint                  share_holders;

  /* klass->dropped() was called (it is called once). */
  gboolean               dropped;
  /* Done, and klass->resumed() has not run yet. */
  gboolean               resume_pending;
};

/* Whether @future is a task, without calling up into gaio-task.c. */
static inline gboolean
_gaio_future_is_task (GaioFuture *future)
{
  return future->klass->is_task;
}

/* The class of plain futures: what a kind chains up to. */
extern const GaioFutureClass _gaio_future_class;

/* gaio_future_new() without the argument check, for
 * gaio_loop_create_future(). */
GaioFuture    *_gaio_future_new                 (GaioLoop           *loop);
/* g_value_init() and g_value_copy() from @src into the unset @dest,
 * without the type system's look-ups for the fundamental types that
 * hold nothing but their bits (numbers, booleans, pointers), as the
 * future's own results are copied. */
void           _gaio_future_copy_value          (const GValue       *src,
                                                 GValue             *dest);
/* Clears the fields of a freed future's block for the next future, as
 * g_new0() would, faster (see block_reset() in gaio-future.c): for a
 * kind that keeps its blocks (GaioFutureClass.free_block). */
void           _gaio_future_reset_block         (GaioFuture         *future);

/* Makes a zeroed block of a kind's size (its struct begins with a
 * GaioFuture) a pending future of @klass on @loop, with one reference;
 * in debug mode it records where it was created. */
void           _gaio_future_init                (GaioFuture            *future,
                                                 const GaioFutureClass *klass,
                                                 GaioLoop              *loop);

/* gaio_future_unref() for the reference of a gaio_await() frame of
 * @task (%NULL outside a task): it may be shared with the wakeup. */
void           _gaio_future_release_awaited     (GaioFuture         *future,
                                                 GaioFuture         *task);

/* gaio_future_get_result() without the argument checks, for the path
 * every await takes. */
gboolean       _gaio_future_get_result          (GaioFuture         *future,
                                                 GValue             *value,
                                                 GError            **error);

/* Makes gaio_future_set_result(), gaio_future_set_error() and their
 * relatives fail with GAIO_ERROR_INVALID_STATE ("Task does not support
 * set_result operation"): a task's outcome is its function's. The owner
 * completes it with the _gaio_future_complete_*() calls below. */
void           _gaio_future_seal                (GaioFuture         *future);
void           _gaio_future_complete_value      (GaioFuture         *future,
                                                 GValue             *value);
void           _gaio_future_complete_error      (GaioFuture         *future,
                                                 GError             *error);

/* Holds the done callbacks of the pending @future back when it
 * completes or is cancelled, until _gaio_future_run_held_callbacks()
 * runs them at once from a loop callback, rather than scheduling them:
 * for gaio_sleep (0), whose awaiting task resumes (finished or
 * cancelled) in the iteration where asyncio's sleep(0) has rescheduled
 * its step (CN-01). Loop thread. */
void           _gaio_future_hold_callbacks      (GaioFuture         *future);
void           _gaio_future_run_held_callbacks  (GaioFuture         *future);

/* For a primitive's wait that asyncio ends with a retry in the waiting
 * coroutine (gaio-queue.c): the callbacks were held when the waiter was
 * woken, and the retry lost, so the still pending @future waits again
 * with its callbacks scheduled as usual when it completes. Loop thread. */
void           _gaio_future_unhold_callbacks    (GaioFuture         *future);

/* _gaio_future_run_held_callbacks() for such a retry that completed
 * @future: the wakeups of the tasks awaiting it run now, as asyncio's
 * coroutine returns into its task in the step that retried; the other
 * done callbacks are scheduled, as they are for a task that wraps that
 * coroutine, which schedules its callbacks when it completes. Loop
 * thread. */
void           _gaio_future_run_held_wakeups    (GaioFuture         *future);

/* Runs klass->resumed() now if the done @future has not run it yet
 * (GaioFutureClass): for a task that awaits a future already done, which
 * goes on without a loop callback of the future's. Loop thread. */
void           _gaio_future_resume_now          (GaioFuture         *future);

/* asyncio's `_log_traceback = False`: the error counts as retrieved.
 * gaio_await() calls this on the future it awaited when it returns
 * without reading the outcome (the task was cancelled after the future
 * was done, or is destroyed): a future that finished with a result is
 * then told through its class's dropped(). */
void           _gaio_future_mark_retrieved      (GaioFuture         *future);

/* Adds a done callback that resumes @task, taking the caller's reference
 * on @task (released when the callback has run or is dropped): it is
 * scheduled as a handle of its own that names @task, so that the loop
 * reports a slow step as `Executing <Task ...> took ...` (asyncio's
 * _format_handle()). Callbacks keep the order they were added in. Only
 * for a gaio_await() frame of @task suspended on @future (still
 * pending), which holds a reference on it until it returns, then lets go
 * of it with _gaio_future_release_awaited(): the wakeup may share that
 * reference. */
void           _gaio_future_add_task_callback   (GaioFuture         *future,
                                                 GaioFutureCallback  callback,
                                                 GaioFuture         *task);

/* The pieces of asyncio's future repr, for subclasses that override
 * to_string: the state word (`pending`, `cancelled`, `finished`), the
 * outcome (` result=...` or ` exception=...`, nothing when not finished)
 * and the tail (` cb=[...]` and, in debug mode, ` created at SITE`). */
void           _gaio_future_describe_state      (GaioFuture         *future,
                                                 GString            *text);
void           _gaio_future_describe_outcome    (GaioFuture         *future,
                                                 GString            *text);
void           _gaio_future_describe_tail       (GaioFuture         *future,
                                                 GString            *text);

typedef void (*GaioFutureCancelHook) (GaioFuture *future,
                                      gpointer    user_data);

/* The plain future's cancel(), for a kind that chains up. */
gboolean _gaio_future_real_cancel (GaioFuture *future,
                                   const char *message);

/* Sets the one function told, synchronously and on the loop's thread,
 * when the future is cancelled; NULL removes it. @destroy frees
 * @user_data when the hook is replaced, removed, finalized with the
 * future, or has been called (the hook is dropped once called). Cheaper
 * than a done callback and immediate, which is what lets an executor job
 * that has not started never run. */
void _gaio_future_set_cancel_hook (GaioFuture           *future,
                                   GaioFutureCancelHook  hook,
                                   gpointer              user_data,
                                   GDestroyNotify        destroy);

G_END_DECLS
