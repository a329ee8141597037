/* gaio-future-private.h: what the library needs of GaioFuture's insides
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

typedef void (*GaioFutureCancelHook) (GaioFuture *future,
                                      gpointer    user_data);

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
