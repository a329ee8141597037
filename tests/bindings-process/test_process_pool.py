# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# A process pool from PyGObject: Python code cannot run in a worker
# process, but a worker executable's C functions can. The pool's workers
# are tests/process-worker.c (gaio_process_pool_executor_worker_main()); jobs name
# its functions with submit_named(), and their results come back on the
# loop's thread.
#
# Run by `meson test --suite python` (tests/bindings-process/meson.build).
# By hand:
#
#   GI_TYPELIB_PATH=_build/lib LD_LIBRARY_PATH=_build/lib \
#     GAIO_TEST_PROCESS_WORKER=_build/tests/process-worker \
#     /usr/bin/python3 tests/bindings-process/test_process_pool.py

import os
import threading
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gaio', '1.0')

from gi.repository import Gaio, GLib  # noqa: E402

WORKER = os.environ['GAIO_TEST_PROCESS_WORKER']
GUARD_SECONDS = 30


class ProcessPoolTest(unittest.TestCase):

    def setUp(self):
        self.loop = Gaio.Loop.new(None)
        self.pool = Gaio.ProcessPoolExecutor.new_for_worker(2, [WORKER])
        self.main_thread = threading.get_ident()

    def tearDown(self):
        self.pool.shutdown(True, False)
        self.loop.close()

    def run_until(self, condition):
        context = self.loop.get_context()
        deadline = GLib.get_monotonic_time() + GUARD_SECONDS * 1000000
        while not condition():
            self.assertLess(GLib.get_monotonic_time(), deadline, 'timed out')
            context.iteration(True)

    def test_future(self):
        future = self.pool.submit_named(self.loop, 'job_square', GLib.Variant('(i)', (12,)))
        value = self.loop.run_until_complete(future)
        self.assertEqual(value, 144)

    def test_async_on_loop_thread(self):
        results = []

        def done(pool, result, tag):
            results.append((tag, pool.submit_named_finish(result), threading.get_ident()))

        for i in range(20):
            self.pool.submit_named_async(self.loop, 'job_square', GLib.Variant('(i)', (i,)),
                                         None, done, i)
        self.run_until(lambda: len(results) == 20)
        for tag, value, thread in results:
            self.assertEqual(value.unpack(), tag * tag)
            self.assertEqual(thread, self.main_thread)

    def test_variant_round_trip(self):
        results = []
        arg = GLib.Variant('(v)', (GLib.Variant('a{sv}', {'k': GLib.Variant('s', 'v')}),))
        self.pool.submit_named_async(self.loop, 'job_echo', arg, None,
                                     lambda pool, res: results.append(pool.submit_named_finish(res)))
        self.run_until(lambda: results)
        self.assertEqual(results[0].unpack(), {'k': 'v'})

    def test_error_crosses(self):
        errors = []

        def done(pool, result):
            try:
                pool.submit_named_finish(result)
            except GLib.Error as error:
                errors.append(error)

        self.pool.submit_named_async(self.loop, 'job_fail',
                                     GLib.Variant('(sis)', ('g-io-error-quark', 1, 'not found')),
                                     None, done)
        self.run_until(lambda: errors)
        self.assertEqual(errors[0].domain, 'g-io-error-quark')
        self.assertEqual(errors[0].code, 1)
        self.assertEqual(errors[0].message, 'not found')

    def test_launcher_prefix(self):
        pool = Gaio.ProcessPoolExecutor(max_workers=1, worker_argv=[WORKER],
                                        launcher_prefix=['/usr/bin/env',
                                                         'GAIO_TEST_PREFIX=from-python'])
        future = pool.submit_named(self.loop, 'job_getenv',
                                   GLib.Variant('(s)', ('GAIO_TEST_PREFIX',)))
        value = self.loop.run_until_complete(future)
        pool.shutdown(True, False)
        self.assertEqual(value, 'from-python')

    def test_cpu_bound(self):
        future = self.pool.submit_named(self.loop, 'job_cpu_bound', GLib.Variant('(u)', (10 ** 7,)))
        value = self.loop.run_until_complete(future)
        # sum(i * i for i in range(10 ** 7)), not computed here: under
        # valgrind that alone takes minutes.
        self.assertEqual(int(value), 333333283333335000000)


if __name__ == '__main__':
    unittest.main(verbosity=2)
