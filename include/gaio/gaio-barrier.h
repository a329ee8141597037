/* gaio-barrier.h: asyncio's Barrier, for tasks and callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#if !defined(GAIO_INSIDE) && !defined(GAIO_COMPILATION)
# error "Only <gaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "gaio-types.h"
#include "gaio-version-macros.h"

G_BEGIN_DECLS

/**
 * GAIO_BARRIER_ERROR:
 *
 * The error domain of [class@Gaio.Barrier].
 *
 * Since: 1.0
 */
#define GAIO_BARRIER_ERROR (gaio_barrier_error_quark ())

/**
 * GaioBarrierError:
 * @GAIO_BARRIER_ERROR_BROKEN: the barrier was aborted, or reset while
 *   the wait was in it (asyncio's `BrokenBarrierError`)
 *
 * Error codes of the %GAIO_BARRIER_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum {
  GAIO_BARRIER_ERROR_BROKEN,
} GaioBarrierError;

GAIO_AVAILABLE_IN_ALL
GQuark gaio_barrier_error_quark (void);

/**
 * GaioBarrierState:
 * @GAIO_BARRIER_FILLING: waits gather until there are as many as parties
 * @GAIO_BARRIER_DRAINING: the waits of the last round are being woken;
 *   new waits wait for the next round
 * @GAIO_BARRIER_RESETTING: reset while waits were in it; new waits wait
 *   until those have left
 * @GAIO_BARRIER_BROKEN: aborted: every wait fails
 *
 * The states of a [class@Gaio.Barrier], as asyncio's.
 *
 * Since: 1.0
 */
typedef enum {
  GAIO_BARRIER_FILLING,
  GAIO_BARRIER_DRAINING,
  GAIO_BARRIER_RESETTING,
  GAIO_BARRIER_BROKEN,
} GaioBarrierState;

#define GAIO_TYPE_BARRIER (gaio_barrier_get_type ())

GAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GaioBarrier, gaio_barrier, GAIO, BARRIER, GObject)

GAIO_AVAILABLE_IN_ALL
GaioBarrier      *gaio_barrier_new           (GaioLoop    *loop,
                                              guint        parties);
GAIO_AVAILABLE_IN_ALL
GaioLoop         *gaio_barrier_get_loop      (GaioBarrier *barrier);
GAIO_AVAILABLE_IN_ALL
GaioFuture       *gaio_barrier_wait          (GaioBarrier *barrier);
GAIO_AVAILABLE_IN_ALL
void              gaio_barrier_reset         (GaioBarrier *barrier);
GAIO_AVAILABLE_IN_ALL
void              gaio_barrier_abort         (GaioBarrier *barrier);
GAIO_AVAILABLE_IN_ALL
guint             gaio_barrier_get_parties   (GaioBarrier *barrier);
GAIO_AVAILABLE_IN_ALL
guint             gaio_barrier_get_n_waiting (GaioBarrier *barrier);
GAIO_AVAILABLE_IN_ALL
gboolean          gaio_barrier_is_broken     (GaioBarrier *barrier);
GAIO_AVAILABLE_IN_ALL
GaioBarrierState  gaio_barrier_get_state     (GaioBarrier *barrier);
GAIO_AVAILABLE_IN_ALL
char             *gaio_barrier_to_string     (GaioBarrier *barrier);

G_END_DECLS
