/* gaio-fiber-private.h: a C function on its own stack, switched in user space
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GaioFiber GaioFiber;

/* The body of a fiber. When it returns, the fiber is finished and control
 * goes back to whoever resumed it last. */
typedef void (*GaioFiberFunc) (gpointer user_data);

/* A fiber that will run @func (@user_data) on a stack of at least
 * @stack_size bytes (0 for the default) when first resumed. Its stack is
 * taken from a process-wide pool of recycled stacks. Any thread. */
GaioFiber   *_gaio_fiber_new                    (GaioFiberFunc  func,
                                                 gpointer       user_data,
                                                 gsize          stack_size);

/* Frees a fiber that is finished or was never started; its stack goes
 * back to the pool. A suspended fiber cannot be freed: what its frames
 * own would leak, so it must be resumed until it finishes first. */
void         _gaio_fiber_free                   (GaioFiber     *fiber);

/* Switches to @fiber and returns when it suspends or finishes. Runs on
 * the thread's own stack or on another fiber (fibers nest). */
void         _gaio_fiber_resume                 (GaioFiber     *fiber);

/* Called on a fiber: switches back to the code that resumed it, and
 * returns when the fiber is resumed again. */
void         _gaio_fiber_suspend                (void);
/* _gaio_fiber_suspend() for a caller that knows the running fiber: it
 * must be @fiber. Spares a thread-local lookup on every await. */
void         _gaio_fiber_suspend_running        (GaioFiber     *fiber);

/* The fiber running on this thread, or NULL on the thread's own stack. */
GaioFiber   *_gaio_fiber_get_current            (void);

gboolean     _gaio_fiber_is_started             (GaioFiber     *fiber);
gboolean     _gaio_fiber_is_finished            (GaioFiber     *fiber);

/* The user data given to _gaio_fiber_new(). */
gpointer     _gaio_fiber_get_user_data          (GaioFiber     *fiber);

/* Test hooks: the name of the switch code compiled in ("x86_64",
 * "aarch64" or "ucontext") and the number of stacks in the pool. */
const char  *_gaio_fiber_get_backend            (void);
guint        _gaio_fiber_get_n_pooled_stacks    (void);

G_END_DECLS
