#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
"""asyncio peer of bench/bench-task.c.

Usage: python3 task_switch.py --bench task_switch|task_memory --n N [--rounds R]

task_switch: two tasks hand a value back and forth through asyncio.Futures,
one op per hand-off, as ping()/pong() in bench-task.c do.
task_memory: N tasks suspended at once on one future; rss_per_task_bytes is
the resident memory each costs (from /proc/self/statm, first round).
taskgroup_spawn: N tasks created in one TaskGroup, each sleeping 0 once,
then the group left; ops_per_s is tasks per second.

Prints the median round in gaio-bench's format with impl=python_asyncio.
"""

import argparse
import asyncio
import os
import statistics
import time

IMPL = "python_asyncio"


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


def print_result(bench, n, ops_per_s, extras=()):
    fields = ["bench=%s" % bench, "impl=%s" % IMPL, "n=%d" % n,
              "ops_per_s=%s" % format_value(ops_per_s)]
    fields += ["%s=%s" % (name, format_value(value)) for name, value in extras]
    print(" ".join(fields), flush=True)


def task_switch(n):
    loop = asyncio.new_event_loop()
    state = {"to_a": None, "to_b": loop.create_future()}

    async def ping():
        for i in range(0, n, 2):
            to_b = state["to_b"]
            state["to_a"] = loop.create_future()
            to_b.set_result(i)
            await state["to_a"]

    async def pong():
        for i in range(1, n, 2):
            await state["to_b"]
            state["to_b"] = loop.create_future()
            state["to_a"].set_result(i)

    async def main():
        b = loop.create_task(pong())
        a = loop.create_task(ping())
        await asyncio.gather(a, b)

    start = time.perf_counter()
    loop.run_until_complete(main())
    elapsed = time.perf_counter() - start
    loop.close()
    return n / elapsed


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGESIZE")


def task_memory(n):
    loop = asyncio.new_event_loop()
    gate = loop.create_future()

    async def wait_at_gate():
        await gate

    before = resident_bytes()
    start = time.perf_counter()
    tasks = [loop.create_task(wait_at_gate()) for _ in range(n)]
    loop.call_soon(loop.stop)
    loop.run_forever()
    elapsed = time.perf_counter() - start
    after = resident_bytes()
    gate.set_result(None)
    loop.run_until_complete(asyncio.gather(*tasks))
    loop.close()
    return n / elapsed, (after - before) / n


def taskgroup_spawn(n):
    loop = asyncio.new_event_loop()

    async def child():
        await asyncio.sleep(0)

    async def main():
        async with asyncio.TaskGroup() as group:
            for _ in range(n):
                group.create_task(child())

    start = time.perf_counter()
    loop.run_until_complete(main())
    elapsed = time.perf_counter() - start
    loop.close()
    return n / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True, choices=["task_switch", "task_memory", "taskgroup_spawn"])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    if args.bench == "task_switch":
        rates = [task_switch(args.n) for _ in range(args.rounds)]
        print_result("task_switch", args.n, statistics.median(rates))
    elif args.bench == "taskgroup_spawn":
        rates = [taskgroup_spawn(args.n) for _ in range(args.rounds)]
        print_result("taskgroup_spawn", args.n, statistics.median(rates))
    else:
        rounds = [task_memory(args.n) for _ in range(args.rounds)]
        # Memory from the first round only: later ones reuse what the
        # first one left in the allocator's arenas, and touch no new page.
        print_result("task_memory", args.n, statistics.median(r[0] for r in rounds),
                     [("rss_per_task_bytes", rounds[0][1])])


if __name__ == "__main__":
    main()
