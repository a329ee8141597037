/* gaio.h: the one header users include
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>
#include <glib-object.h>
#include <gio/gio.h>

#define GAIO_INSIDE
# include "gaio/gaio-version.h"
# include "gaio/gaio-version-macros.h"
# include "gaio/gaio-types.h"
# include "gaio/gaio-error.h"
# include "gaio/gaio-enum-types.h"
# include "gaio/gaio-log.h"
# include "gaio/gaio-log-writer.h"
# include "gaio/gaio-handle.h"
# include "gaio/gaio-exception-context.h"
# include "gaio/gaio-future.h"
# include "gaio/gaio-job.h"
# include "gaio/gaio-executor.h"
# include "gaio/gaio-thread-pool-executor.h"
# include "gaio/gaio-coroutine.h"
# include "gaio/gaio-task.h"
# include "gaio/gaio-process-pool-executor.h"
# include "gaio/gaio-process-pool-worker.h"
# include "gaio/gaio-loop.h"
# include "gaio/gaio-loop-unix.h"
# include "gaio/gaio-subprocess.h"
# include "gaio/gaio-run.h"
# include "gaio/gaio-wait.h"
# include "gaio/gaio-timeout.h"
# include "gaio/gaio-task-group.h"
# include "gaio/gaio-lock.h"
# include "gaio/gaio-event.h"
# include "gaio/gaio-condition.h"
# include "gaio/gaio-semaphore.h"
# include "gaio/gaio-barrier.h"
# include "gaio/gaio-queue.h"
#undef GAIO_INSIDE
