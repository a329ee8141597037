/* bench-unix.h: log_lateness and subprocess_roundtrip (issue 6)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "bench-common.h"

G_BEGIN_DECLS

/* Both impls of log_lateness, told apart by bcase->impl. */
gboolean bench_unix_log_lateness           (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);
gboolean bench_unix_subprocess_gaio        (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);
gboolean bench_unix_subprocess_gsubprocess (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);
gboolean bench_unix_subprocess_posix_spawn (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);
gboolean bench_unix_reader_latency         (const BenchCase  *bcase,
                                            guint64           n,
                                            BenchResult      *result,
                                            GError          **error);

G_END_DECLS
