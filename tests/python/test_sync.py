# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# libgaio's locks, events, semaphores, barriers and queues from PyGObject,
# through the Gaio-1.0 typelib: their waits are futures, which Python
# waits for with a done callback or run_until_complete.
#
#   GI_TYPELIB_PATH=_build/lib LD_LIBRARY_PATH=_build/lib \
#     /usr/bin/python3 tests/python/test_sync.py

import gc
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gaio', '1.0')

from gi.repository import Gaio, GLib  # noqa: E402


class SyncTestCase(unittest.TestCase):

    def setUp(self):
        self.loop = Gaio.Loop.new(None)

    def tearDown(self):
        if not self.loop.is_closed():
            self.loop.close()
        gc.collect()

    def run_briefly(self):
        def stop(*user_data):
            self.loop.stop()
            return True
        self.loop.call_soon(stop)
        self.loop.run_forever()

    # SY-01, SY-14: acquire() is a future; waiters get the lock in order.
    def test_lock_done_callbacks(self):
        lock = Gaio.Lock.new(self.loop)
        order = []
        first = lock.acquire()
        self.assertTrue(first.is_done())
        waiters = [lock.acquire() for _ in range(2)]
        for i, waiter in enumerate(waiters):
            waiter.add_done_callback(lambda fut, tag: order.append(tag), i)
        self.assertEqual(lock.to_string(), '<GaioLock [locked, waiters:2]>')
        lock.release()
        self.run_briefly()
        self.assertEqual(order, [0])
        lock.release()
        self.run_briefly()
        self.assertEqual(order, [0, 1])
        lock.release()
        self.assertFalse(lock.is_locked())
        with self.assertRaises(GLib.Error) as caught:
            lock.release()
        self.assertTrue(caught.exception.matches(Gaio.error_quark(),
                                                 Gaio.Error.INVALID_STATE))

    # QU-01, QU-03: GValue items from Python, the _nowait errors.
    def test_queue_values(self):
        queue = Gaio.Queue.new(self.loop, 1)
        getter = queue.get()
        queue.put_nowait('hello')
        self.assertEqual(self.loop.run_until_complete(getter), "hello")
        queue.put_nowait('one')
        with self.assertRaises(GLib.Error) as caught:
            queue.put_nowait('two')
        self.assertTrue(caught.exception.matches(Gaio.queue_error_quark(),
                                                 Gaio.QueueError.FULL))
        # The item itself (get_nowait_dup under the name get_nowait).
        self.assertEqual(queue.get_nowait(), 'one')
        with self.assertRaises(GLib.Error) as caught:
            queue.get_nowait()
        self.assertTrue(caught.exception.matches(Gaio.queue_error_quark(),
                                                 Gaio.QueueError.EMPTY))

    # QU-01: a priority queue orders numbers.
    def test_priority_queue(self):
        queue = Gaio.Queue.new_priority(self.loop, 0, None, None)
        for n in (5, 1, 3):
            queue.put_nowait(n)
        self.assertEqual([queue.get_nowait() for _ in range(3)], [1, 3, 5])

    # SY-06, SY-12, SY-13 from Python.
    def test_event_semaphore_barrier(self):
        event = Gaio.Event.new(self.loop)
        wait = event.wait()
        event.set()
        self.assertEqual(self.loop.run_until_complete(wait), True)

        sem = Gaio.BoundedSemaphore.new(self.loop, 1)
        with self.assertRaises(GLib.Error):
            sem.release()

        barrier = Gaio.Barrier.new(self.loop, 2)
        a = barrier.wait()
        b = barrier.wait()
        self.assertEqual(self.loop.run_until_complete(a), 0)
        self.assertEqual(b.get_result_int64(), 1)
        self.run_briefly()


if __name__ == '__main__':
    unittest.main()
