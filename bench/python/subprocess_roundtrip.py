# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
"""subprocess_roundtrip's python_asyncio peer: spawn /bin/true and wait,
one after the other, with asyncio.create_subprocess_exec().

Usage: python3 subprocess_roundtrip.py N
Prints the bench line of DESIGN.md's "Benchmarks".
"""

import asyncio
import sys
import time


async def roundtrip():
    process = await asyncio.create_subprocess_exec("/bin/true")
    await process.wait()


async def main(n):
    for _ in range(10):
        await roundtrip()

    samples = []
    start = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        await roundtrip()
        samples.append(time.perf_counter() - t0)
    total = time.perf_counter() - start

    samples.sort()
    p50 = samples[int(0.50 * (n - 1) + 0.5)] * 1e6
    p99 = samples[int(0.99 * (n - 1) + 0.5)] * 1e6
    print(f"bench=subprocess_roundtrip impl=python_asyncio n={n} "
          f"ops_per_s={n / total:.1f} p50_us={p50:.0f} p99_us={p99:.0f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
