/* gaio-thread-pool-executor-private.h: the thread pool's submission, for the loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* gaio_executor_submit() on a thread pool without the interface lookup,
 * which costs more than the submission itself: run_in_executor() calls
 * it for the executor it is given most, the default one. */
gboolean    _gaio_thread_pool_executor_submit (GaioThreadPoolExecutor  *self,
                                               GaioJob                 *job,
                                               GError                 **error);

G_END_DECLS
