/* gaio-lock-private.h: what a condition needs of its lock
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"
#include "gaio-waiter-private.h"

G_BEGIN_DECLS

/* Gives @lock to @waiter (a condition's waiter that must re-acquire it):
 * at once if it is free, else when its turn comes, in FIFO order with the
 * lock's own waiters. Granting finishes @waiter with %TRUE, or cancels it
 * if its cancellation was requested meanwhile (the lock is held either
 * way). The lock becomes @waiter's owner, and @wclass its class, so that
 * the lock's dispose clears it. */
void _gaio_lock_reacquire (GaioLock              *lock,
                           GaioWaiter            *waiter,
                           const GaioWaiterClass *wclass);

G_END_DECLS
