#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# The asyncio executor example (shared/seeds/asyncio-eventloop-executors.txt)
# as a Python user writes it with libgaio, all three options:
#
#   python3 examples/executors.py [WORKER]
#
# Jobs in thread pools are Python functions that return their value. A
# process pool's workers cannot run Python: they are a small C executable
# (examples/executors-worker.c) whose registered function runs by name.
# WORKER is its path (by default `executors-worker` next to this script,
# or $GAIO_EXAMPLE_WORKER). There is no `await` here: PyGObject 3.42 has
# no event loop integration, so each step is run_until_complete(), the
# asyncio API that runs a loop from plain code (see docs/bindings.md).

import os
import sys

import gi

gi.require_version('Gaio', '1.0')
from gi.repository import Gaio  # noqa: E402


def blocking_io():
    # File operations (such as logging) can block the
    # event loop: run them in a thread pool.
    with open('/dev/urandom', 'rb') as f:
        return f.read(100)


def main(worker):
    loop = Gaio.Loop.new(None)

    ## Options:

    # 1. Run in the default loop's executor:
    result = loop.run_until_complete(loop.run_in_executor(None, blocking_io))
    print('default thread pool', result)

    # 2. Run in a custom thread pool:
    with Gaio.ThreadPoolExecutor() as pool:
        result = loop.run_until_complete(loop.run_in_executor(pool, blocking_io))
        print('custom thread pool', result)

    # 3. Run in a custom process pool, whose workers are a C executable
    # with a registered function called cpu_bound:
    with Gaio.ProcessPoolExecutor.new_for_worker(0, [worker]) as pool:
        result = loop.run_until_complete(loop.run_in_executor(pool, 'cpu_bound'))
        print('custom process pool', result)

    loop.close()


if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.environ.get('GAIO_EXAMPLE_WORKER', os.path.join(here, 'executors-worker')))
