/* bench-glib.h: the plain-GLib peers a user would pick instead of libgaio
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "bench-common.h"

G_BEGIN_DECLS

gboolean bench_glib_idle_add       (const BenchCase  *bcase,
                                    guint64           n,
                                    BenchResult      *result,
                                    GError          **error);
gboolean bench_glib_context_invoke (const BenchCase  *bcase,
                                    guint64           n,
                                    BenchResult      *result,
                                    GError          **error);
gboolean bench_glib_atomic_list    (const BenchCase  *bcase,
                                    guint64           n,
                                    BenchResult      *result,
                                    GError          **error);
gboolean bench_glib_timeout_add    (const BenchCase  *bcase,
                                    guint64           n,
                                    BenchResult      *result,
                                    GError          **error);
gboolean bench_glib_gtask_throughput       (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);
gboolean bench_glib_gtask_latency          (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);
gboolean bench_glib_thread_pool_throughput (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);
gboolean bench_glib_thread_pool_latency    (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);

G_END_DECLS
