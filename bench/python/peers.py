#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
"""Python asyncio peers of gaio-bench's benchmarks.

Usage: python3 peers.py --bench NAME --n N

Runs one benchmark with asyncio's default event loop and prints one line
in gaio-bench's format, with impl=python_asyncio:

    bench=<bench> impl=python_asyncio n=<N> ops_per_s=<x> [p50_us=<x> p99_us=<x>] [name=<x> ...]

Each benchmark does what its C counterparts in bench-gaio.c and
bench-glib.c do, the way an asyncio user would write it; keep them in step.
The process times itself, so its start-up is not measured. gaio-bench runs
this script once per round and picks the median round itself.
"""

import argparse
import asyncio
import math
import os
import sys
import threading
import time

# Keep in step with bench-common.h.
CALL_SOON_BATCH = 1000
TIMER_SEED = 20260101
TIMER_WINDOW_NS = 200_000_000
TIMER_CLOCK_EVERY = 64
MASK64 = (1 << 64) - 1
EXECUTOR_WARMUP = 1000

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


def print_result(bench, n, ops_per_s, extras, latency=None):
    """latency: (p50_us, p99_us) or None."""
    fields = ["bench=%s" % bench, "impl=%s" % IMPL, "n=%d" % n,
              "ops_per_s=%s" % format_value(ops_per_s)]
    if latency is not None:
        fields += ["p50_us=%s" % format_value(latency[0]),
                   "p99_us=%s" % format_value(latency[1])]
    fields += ["%s=%s" % (name, value if isinstance(value, int) else format_value(value))
               for name, value in extras]
    print(" ".join(fields), flush=True)


def percentile_sorted(values, percentile):
    """Nearest rank, as bench_percentile_sorted() of bench-common.c."""
    rank = math.ceil(percentile / 100.0 * len(values))
    rank = min(max(rank, 1), len(values))
    return values[rank - 1]


def splitmix64(state):
    """Returns (new state, value): bench_splitmix64() of bench-common.c."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


# --------------------------------------------------------------------------
# call_soon: a batch form (ops_per_s) and a chain form (chain_ops_per_s),
# as described in bench-common.h.

def call_soon_batch(n):
    loop = asyncio.new_event_loop()
    done = 0
    scheduled = 0
    end_ns = 0

    def work():
        nonlocal done, end_ns
        done += 1
        if done == n:
            end_ns = time.monotonic_ns()
            loop.stop()

    def driver():
        nonlocal scheduled
        batch = min(CALL_SOON_BATCH, n - scheduled)
        call_soon = loop.call_soon
        for _ in range(batch):
            call_soon(work)
        scheduled += batch
        if scheduled < n:
            call_soon(driver)

    start_ns = time.monotonic_ns()
    loop.call_soon(driver)
    loop.run_forever()
    loop.close()
    assert done == n
    return end_ns - start_ns


def call_soon_chain(n):
    loop = asyncio.new_event_loop()
    done = 0
    end_ns = 0

    def step():
        nonlocal done, end_ns
        done += 1
        if done < n:
            loop.call_soon(step)
        else:
            end_ns = time.monotonic_ns()
            loop.stop()

    start_ns = time.monotonic_ns()
    loop.call_soon(step)
    loop.run_forever()
    loop.close()
    assert done == n
    return end_ns - start_ns


def bench_call_soon(bench, n):
    batch_ns = call_soon_batch(n)
    chain_ns = call_soon_chain(n)
    print_result(bench, n, n / (max(batch_ns, 1) / 1e9),
                 [("chain_ops_per_s", n / (max(chain_ns, 1) / 1e9))])


# --------------------------------------------------------------------------
# call_soon_threadsafe

def bench_call_soon_threadsafe(bench, n):
    loop = asyncio.new_event_loop()
    done = 0
    end_ns = 0
    times = {}

    def callback():
        nonlocal done, end_ns
        done += 1
        if done == n:
            end_ns = time.monotonic_ns()
            loop.stop()

    def producer():
        post = loop.call_soon_threadsafe
        times["start"] = time.monotonic_ns()
        for _ in range(n):
            post(callback)
        times["posted"] = time.monotonic_ns()

    thread = threading.Thread(target=producer, name="bench-producer")
    # Started from the running loop, as in the C versions.
    loop.call_soon(thread.start)
    loop.run_forever()
    thread.join()
    loop.close()
    assert done == n

    start_ns = times["start"]
    print_result(bench, n, n / (max(end_ns - start_ns, 1) / 1e9),
                 [("post_ops_per_s", n / (max(times["posted"] - start_ns, 1) / 1e9))])


# --------------------------------------------------------------------------
# timers_N

def timer_delays_ns(n):
    """bench_timer_delays_ns() of bench-common.c: the same delays."""
    delays = []
    state = TIMER_SEED
    for _ in range(n):
        state, value = splitmix64(state)
        delays.append(value % TIMER_WINDOW_NS)
    return delays


def bench_timers(bench, n):
    delays = timer_delays_ns(n)
    late_ms = []

    # Drawing the delays is not timed: only the loop's work is.
    cpu_start = time.process_time_ns()
    wall_start = time.monotonic_ns()
    loop = asyncio.new_event_loop()

    def fire(deadline_ns):
        late_ms.append((time.monotonic_ns() - deadline_ns) / 1e6)
        if len(late_ms) == n:
            loop.stop()

    call_later = loop.call_later
    now_ns = time.monotonic_ns
    # The clock is read once every TIMER_CLOCK_EVERY timers, as in
    # bench_timers_arm_now_ns() of bench-common.c (which says why).
    for i, delay_ns in enumerate(delays):
        if i % TIMER_CLOCK_EVERY == 0:
            arm_now_ns = now_ns()
        call_later(delay_ns / 1e9, fire, arm_now_ns + delay_ns)

    loop.run_forever()
    loop.close()
    cpu_ns = time.process_time_ns() - cpu_start
    wall_ns = time.monotonic_ns() - wall_start
    assert len(late_ms) == n

    late_ms.sort()
    print_result(bench, n, n / (max(cpu_ns, 1) / 1e9),
                 [("late_p50_ms", percentile_sorted(late_ms, 50.0)),
                  ("late_p99_ms", percentile_sorted(late_ms, 99.0)),
                  ("cpu_ms", cpu_ns / 1e6),
                  ("wall_ms", wall_ns / 1e6)])


# --------------------------------------------------------------------------
# executor_throughput, executor_latency: run_in_executor() with the loop's
# default executor, the trivial job of bench-common.h (job i returns
# 2 i + 1, and the results must add up to n * n). Warm-up as in
# bench-common.h: EXECUTOR_WARMUP round trips before the latency run; before
# the throughput run, a first burst of the same n jobs, reported as
# first_burst_ops_per_s.

def executor_work(i):
    return 2 * i + 1


def default_workers():
    """ThreadPoolExecutor's default max_workers (Python 3.8+)."""
    return min(32, (os.cpu_count() or 1) + 4)


def bench_executor_throughput(bench, n):
    times = {}

    async def main():
        loop = asyncio.get_running_loop()
        run = loop.run_in_executor
        times["first_start"] = time.monotonic_ns()
        await asyncio.gather(*[run(None, executor_work, i) for i in range(n)])
        times["first_end"] = time.monotonic_ns()

        times["start"] = time.monotonic_ns()
        futures = [run(None, executor_work, i) for i in range(n)]
        times["submitted"] = time.monotonic_ns()
        results = await asyncio.gather(*futures)
        times["end"] = time.monotonic_ns()
        assert sum(results) == n * n

    asyncio.run(main())
    start_ns = times["start"]
    first_ns = times["first_end"] - times["first_start"]
    print_result(bench, n, n / (max(times["end"] - start_ns, 1) / 1e9),
                 [("first_burst_ops_per_s", n / (max(first_ns, 1) / 1e9)),
                  ("submit_ops_per_s", n / (max(times["submitted"] - start_ns, 1) / 1e9)),
                  ("workers", default_workers())])


def bench_executor_latency(bench, n):
    samples_us = []
    times = {}

    async def main():
        loop = asyncio.get_running_loop()
        run = loop.run_in_executor
        now_ns = time.monotonic_ns
        for i in range(EXECUTOR_WARMUP):
            await run(None, executor_work, i)

        total = 0
        times["start"] = now_ns()
        for i in range(n):
            op_start_ns = now_ns()
            total += await run(None, executor_work, i)
            samples_us.append((now_ns() - op_start_ns) / 1e3)
        times["end"] = now_ns()
        assert total == n * n

    asyncio.run(main())
    samples_us.sort()
    print_result(bench, n, n / (max(times["end"] - times["start"], 1) / 1e9),
                 [("workers", default_workers())],
                 (percentile_sorted(samples_us, 50.0), percentile_sorted(samples_us, 99.0)))


# --------------------------------------------------------------------------
# subprocess_roundtrip: spawn /bin/true and wait for it, one after the
# other, as bench-unix.c does.

def bench_subprocess_roundtrip(bench, n):
    samples_us = []
    times = {}

    async def roundtrip():
        process = await asyncio.create_subprocess_exec("/bin/true")
        await process.wait()

    async def main():
        now_ns = time.monotonic_ns
        for _ in range(10):
            await roundtrip()

        times["start"] = now_ns()
        for _ in range(n):
            op_start_ns = now_ns()
            await roundtrip()
            samples_us.append((now_ns() - op_start_ns) / 1e3)
        times["end"] = now_ns()

    asyncio.run(main())
    samples_us.sort()
    print_result(bench, n, n / (max(times["end"] - times["start"], 1) / 1e9), [],
                 (percentile_sorted(samples_us, 50.0), percentile_sorted(samples_us, 99.0)))


# --------------------------------------------------------------------------
# reader_latency: another thread writes its clock to a pipe read by a
# reader of the loop and waits for the reader's answer, as bench-unix.c
# does: first with the loop idle (idle_p50_us, idle_p99_us), then kept
# busy by a callback that schedules itself again (p50_us, p99_us).

READER_WARMUP = 1000


def reader_latency_phase(busy, n):
    samples_us = []
    times = {}
    data_r, data_w = os.pipe()
    ack_r, ack_w = os.pipe()
    total = n + READER_WARMUP

    def writer():
        now_ns = time.monotonic_ns
        for _ in range(total):
            os.write(data_w, now_ns().to_bytes(8, sys.byteorder, signed=True))
            if len(os.read(ack_r, 1)) != 1:
                break

    async def main():
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        state = {"seen": 0, "busy": busy}
        now_ns = time.monotonic_ns

        def tick():
            if state["busy"]:
                loop.call_soon(tick)

        def on_readable():
            received_ns = now_ns()
            sent_ns = int.from_bytes(os.read(data_r, 8), sys.byteorder, signed=True)
            if state["seen"] >= READER_WARMUP:
                samples_us.append((received_ns - sent_ns) / 1e3)
            state["seen"] += 1
            if state["seen"] == total:
                state["busy"] = False
                done.set_result(None)
            os.write(ack_w, b"a")

        loop.add_reader(data_r, on_readable)
        if busy:
            loop.call_soon(tick)
        thread = threading.Thread(target=writer)
        times["start"] = now_ns()
        thread.start()
        await done
        times["end"] = now_ns()
        loop.remove_reader(data_r)
        thread.join()

    asyncio.run(main())
    for fd in (data_r, data_w, ack_r, ack_w):
        os.close(fd)
    samples_us.sort()
    return samples_us, times["end"] - times["start"]


def bench_reader_latency(bench, n):
    idle_us, _ = reader_latency_phase(False, n)
    busy_us, busy_ns = reader_latency_phase(True, n)
    print_result(bench, n, n / (max(busy_ns, 1) / 1e9),
                 [("idle_p50_us", percentile_sorted(idle_us, 50.0)),
                  ("idle_p99_us", percentile_sorted(idle_us, 99.0))],
                 (percentile_sorted(busy_us, 50.0), percentile_sorted(busy_us, 99.0)))


BENCHES = {
    "call_soon": bench_call_soon,
    "call_soon_threadsafe": bench_call_soon_threadsafe,
    "timers_1000": bench_timers,
    "timers_10000": bench_timers,
    "timers_100000": bench_timers,
    "executor_throughput": bench_executor_throughput,
    "executor_latency": bench_executor_latency,
    "subprocess_roundtrip": bench_subprocess_roundtrip,
    "reader_latency": bench_reader_latency,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", required=True, choices=sorted(BENCHES))
    parser.add_argument("--n", type=int, required=True)
    args = parser.parse_args()
    if args.n < 1:
        parser.error("--n must be at least 1")

    BENCHES[args.bench](args.bench, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
