/* gaio-process-pool-executor-private.h: what the tests see of process pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* Test hook: whether a job submitted now would go the lone way, written
 * and read by the loop's thread while the pool's I/O thread sleeps (see
 * gaio-process-pool-core.c), how many jobs went that way so far, and how
 * many more the loop's thread sent to another idle worker meanwhile. */
gboolean _gaio_process_pool_executor_can_lend (GaioProcessPoolExecutor *self,
                                               guint64                 *n_lent,
                                               guint64                 *n_sent_now);

G_END_DECLS
