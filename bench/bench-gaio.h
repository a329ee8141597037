/* bench-gaio.h: the libgaio side of each benchmark
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "bench-common.h"

G_BEGIN_DECLS

gboolean bench_gaio_call_soon            (const BenchCase  *bcase,
                                          guint64           n,
                                          BenchResult      *result,
                                          GError          **error);
gboolean bench_gaio_call_soon_threadsafe (const BenchCase  *bcase,
                                          guint64           n,
                                          BenchResult      *result,
                                          GError          **error);
gboolean bench_gaio_timers               (const BenchCase  *bcase,
                                          guint64           n,
                                          BenchResult      *result,
                                          GError          **error);
gboolean bench_gaio_executor_throughput  (const BenchCase  *bcase,
                                          guint64           n,
                                          BenchResult      *result,
                                          GError          **error);
gboolean bench_gaio_executor_latency     (const BenchCase  *bcase,
                                          guint64           n,
                                          BenchResult      *result,
                                          GError          **error);

G_END_DECLS
