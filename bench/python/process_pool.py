#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
"""The python_processpool peer of bench/bench-process.c.

ProcessPoolExecutor through loop.run_in_executor, as the seed program uses
it, measured the same way and printed in the same line format:

  process_throughput  20 000 trivial jobs submitted at once, gathered
  process_latency     2 000 sequential round trips (p50, p99)
  process_start       a new pool to its first result (extra: start_ms)
  cpu_bound_speedup   the seed's cpu_bound() x4 through a 2-worker pool vs serial

--quick divides the counts by 10 (cpu_bound uses 10**6 then). bench-process.c
runs process_latency itself, alternating rounds of --latency-samples N (which
prints the N round trips' times) with its own, and passes --no-latency here.
"""

import asyncio
import concurrent.futures
import statistics
import sys
import time


def trivial(x):
    return x + 1


def cpu_bound(n=10 ** 7):
    return sum(i * i for i in range(n))


def percentile(sorted_values, p):
    rank = max(1, min(len(sorted_values), int(p / 100.0 * len(sorted_values) + 0.999999)))
    return sorted_values[rank - 1]


async def throughput(n):
    loop = asyncio.get_running_loop()
    with concurrent.futures.ProcessPoolExecutor() as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, trivial, i) for i in range(200)))
        start = time.perf_counter()
        await asyncio.gather(*(loop.run_in_executor(pool, trivial, i) for i in range(n)))
        elapsed = time.perf_counter() - start
    print(f"bench=process_throughput impl=python_processpool n={n} ops_per_s={n / elapsed:.0f} "
          f"extra=us_per_job={elapsed * 1e6 / n:.2f}", flush=True)


async def round_trips(n):
    """The times of n sequential round trips, in us, through a warm pool."""
    loop = asyncio.get_running_loop()
    samples = []
    with concurrent.futures.ProcessPoolExecutor() as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, trivial, i) for i in range(10)))
        for i in range(n):
            start = time.perf_counter()
            await loop.run_in_executor(pool, trivial, i)
            samples.append((time.perf_counter() - start) * 1e6)
    return samples


async def latency(n):
    samples = await round_trips(n)
    total = sum(samples) / 1e6
    samples.sort()
    print(f"bench=process_latency impl=python_processpool n={n} ops_per_s={n / total:.0f} "
          f"p50_us={percentile(samples, 50):.1f} p99_us={percentile(samples, 99):.1f}", flush=True)


async def latency_samples(n):
    """For bench-process.c, which alternates rounds of this with its own."""
    samples = await round_trips(n)
    print("latency_samples_us=" + ",".join(f"{s:.1f}" for s in samples), flush=True)


async def start(n):
    loop = asyncio.get_running_loop()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        with concurrent.futures.ProcessPoolExecutor() as pool:
            await loop.run_in_executor(pool, trivial, 1)
            samples.append((time.perf_counter() - t0) * 1e3)
    median = statistics.median(samples)
    print(f"bench=process_start impl=python_processpool n={n} ops_per_s={1000.0 / median:.1f} "
          f"extra=start_ms={median:.2f}", flush=True)


async def speedup(size):
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    for _ in range(4):
        cpu_bound(size)
    serial = time.perf_counter() - t0
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, trivial, i) for i in range(2)))
        t0 = time.perf_counter()
        await asyncio.gather(*(loop.run_in_executor(pool, cpu_bound, size) for _ in range(4)))
        parallel = time.perf_counter() - t0
    print(f"bench=cpu_bound_speedup impl=python_processpool n=4 ops_per_s={4 / parallel:.3f} "
          f"extra=speedup={serial / parallel:.2f} serial_ms={serial * 1e3:.1f} "
          f"pool_ms={parallel * 1e3:.1f}", flush=True)


async def main():
    if "--latency-samples" in sys.argv:
        await latency_samples(int(sys.argv[sys.argv.index("--latency-samples") + 1]))
        return
    quick = "--quick" in sys.argv
    scale = 10 if quick else 1
    await speedup(10 ** 7 // scale)
    await throughput(20000 // scale)
    # bench-process.c runs process_latency in rounds alternating with its own.
    if "--no-latency" not in sys.argv:
        await latency(2000 // scale)
    await start(20 // (4 if quick else 1))


if __name__ == '__main__':
    asyncio.run(main())
