#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
"""asyncio peer of bench/bench-sync.c.

Usage: python3 sync.py --bench queue_handoff|lock_contended --n N [--rounds R]

queue_handoff: a producer task puts N items into an asyncio.Queue(maxsize=1)
that a consumer task gets: one op per item.
lock_contended: 100 tasks take one asyncio.Lock in turn, yield once
(sleep(0)) holding it and release it, N times in all: one op per acquire
and release.

Prints the median round in gaio-bench's format with impl=python_asyncio.
"""

import argparse
import asyncio
import statistics
import time

TASKS = 100


def format_value(value):
    """bench_format_value() of bench-common.c."""
    magnitude = abs(value)
    if magnitude >= 100.0:
        return "%.0f" % value
    if magnitude >= 10.0:
        return "%.1f" % value
    if magnitude >= 1.0:
        return "%.2f" % value
    return "%.3g" % value


async def queue_handoff(n):
    queue = asyncio.Queue(maxsize=1)

    async def produce():
        for i in range(n):
            await queue.put(i)

    async def consume():
        for _ in range(n):
            await queue.get()

    start = time.perf_counter()
    await asyncio.gather(produce(), consume())
    return time.perf_counter() - start


async def lock_contended(n):
    lock = asyncio.Lock()
    per_task = n // TASKS

    async def worker():
        for _ in range(per_task):
            await lock.acquire()
            await asyncio.sleep(0)
            lock.release()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(TASKS)))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True, choices=["queue_handoff", "lock_contended"])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    bench = queue_handoff if args.bench == "queue_handoff" else lock_contended
    n = args.n if args.bench == "queue_handoff" else args.n // TASKS * TASKS
    times = [asyncio.run(bench(n)) for _ in range(args.rounds)]
    print("bench=%s impl=python_asyncio n=%d ops_per_s=%s"
          % (args.bench, n, format_value(n / statistics.median(times))), flush=True)


if __name__ == "__main__":
    main()
