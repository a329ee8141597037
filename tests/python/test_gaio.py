# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# libgaio from PyGObject, through the Gaio-1.0 typelib.
#
# Run by `meson test --suite python` with GI_TYPELIB_PATH and
# LD_LIBRARY_PATH pointing at the build tree (tests/python/meson.build).
# By hand:
#
#   GI_TYPELIB_PATH=_build/lib LD_LIBRARY_PATH=_build/lib \
#     /usr/bin/python3 tests/python/test_gaio.py
#
# One line per test; the exit status decides. Every test ends with its
# loop closed. Every test also installs a recording exception handler, so
# an error the loop reports that a test did not expect fails that test
# instead of being written to the log and forgotten.
#
# With the PyGObject overrides (bindings/python/gi/overrides/Gaio.py,
# found through PYTHONPATH): callbacks return nothing and raise to fail,
# an exception raised is reported with its traceback, and
# run_until_complete() and Future.get_result() return the value itself
# (tests/python/test_bindings.py covers the overrides in depth).
# Gaio.Future.new_for_async is the overrides' (future, callback) pair.

import contextlib
import gc
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import unittest
import weakref

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Gaio', '1.0')

from gi.repository import Gaio, Gio, GLib  # noqa: E402

# Generous: only reached when something is broken. Never an assert on
# timing: the machines are shared.
GUARD_SECONDS = 10.0


class Recorder:
    """A callable that appends its tag to a list."""

    def __init__(self, out, tag):
        self.out = out
        self.tag = tag

    def __call__(self, *user_data):
        self.out.append(self.tag)
        return True


@contextlib.contextmanager
def captured_python_exceptions():
    """PyGObject 3.42 prints an exception raised in a callback with
    sys.excepthook; collect them instead, so the test can check them and
    the output stays readable."""
    caught = []
    old_hook = sys.excepthook
    sys.excepthook = lambda kind, value, tb: caught.append(value)
    try:
        yield caught
    finally:
        sys.excepthook = old_hook


class LoopTestCase(unittest.TestCase):

    def setUp(self):
        self.loop = Gaio.Loop.new(None)
        self.reports = []
        self.handler_loops = []
        self.loop.set_exception_handler(self.record_report)

    def tearDown(self):
        # Drop what the test left queued: a closed loop has released every
        # closure (and so every Python callable) it held.
        if not self.loop.is_closed():
            self.loop.close()
        self.assertTrue(self.loop.is_closed())
        gc.collect()
        reports = self.take_reports()
        self.assertEqual([c.to_string() for c in reports], [],
                         'the loop reported errors the test did not expect')

    def record_report(self, loop, context, *user_data):
        # No assert here: an exception raised in the handler would only be
        # printed and turned into a report to the default handler.
        self.reports.append(context)
        self.handler_loops.append(loop)
        return True

    def take_reports(self):
        self.assertTrue(all(loop is self.loop for loop in self.handler_loops))
        reports, self.reports = self.reports, []
        self.handler_loops = []
        return reports

    def run_loop(self):
        """run_forever() until a callback calls stop(), or fail after
        GUARD_SECONDS."""
        timed_out = []

        def guard(*user_data):
            timed_out.append(True)
            self.loop.stop()
            return True

        guard_handle = self.loop.call_later(GUARD_SECONDS, guard)
        self.assertTrue(self.loop.run_forever())
        guard_handle.cancel()
        self.assertEqual(timed_out, [], 'the loop was not stopped in time')

    def stop_soon(self):
        self.loop.call_soon(lambda *user_data: self.loop.stop() or True)


class TestScheduling(LoopTestCase):

    def test_call_soon_fifo(self):
        out = []
        for i in range(5):
            handle = self.loop.call_soon(Recorder(out, i))
            self.assertIsInstance(handle, Gaio.Handle)
            self.assertFalse(handle.is_timer())
        self.stop_soon()
        self.run_loop()
        self.assertEqual(out, [0, 1, 2, 3, 4])

    def test_call_soon_user_data(self):
        got = []

        def callback(*user_data):
            got.append(user_data)
            return True

        self.loop.call_soon(callback, 'data')
        self.loop.call_soon(callback)
        self.stop_soon()
        self.run_loop()
        self.assertEqual(got, [('data',), ()])

    def test_stop_runs_current_iteration_only(self):
        # asyncio's rule: the callbacks ready when the iteration began run;
        # those they schedule wait for the next run.
        out = []

        def first(*user_data):
            out.append('first')
            self.loop.stop()
            self.loop.call_soon(Recorder(out, 'next-run'))
            return True

        self.loop.call_soon(first)
        self.loop.call_soon(Recorder(out, 'second'))
        self.run_loop()
        self.assertEqual(out, ['first', 'second'])

        self.stop_soon()
        self.run_loop()
        self.assertEqual(out, ['first', 'second', 'next-run'])

    def test_call_later_order(self):
        out = []
        # Deadlines from one reading of the clock: call_later() reads it
        # at each call, and a slow machine (valgrind) could reorder them.
        now = self.loop.time()
        for delay, tag in ((0.03, 'c'), (0.01, 'a'), (0.02, 'b')):
            handle = self.loop.call_at(now + delay, Recorder(out, tag))
            self.assertTrue(handle.is_timer())
        self.loop.call_at(now + 0.04, lambda *u: self.loop.stop() or True)
        self.run_loop()
        self.assertEqual(out, ['a', 'b', 'c'])

    def test_call_at(self):
        ran_at = []
        when = self.loop.time() + 0.02

        def callback(*user_data):
            ran_at.append(self.loop.time())
            self.loop.stop()
            return True

        handle = self.loop.call_at(when, callback)
        self.assertTrue(handle.is_timer())
        # The clock has microsecond resolution.
        self.assertAlmostEqual(handle.get_when(), when, delta=1e-6)
        self.run_loop()
        self.assertEqual(len(ran_at), 1)
        self.assertGreaterEqual(ran_at[0], when - 1e-6)

    def test_call_at_ties_in_scheduling_order(self):
        out = []
        when = self.loop.time() + 0.01
        for tag in ('x', 'y', 'z'):
            self.loop.call_at(when, Recorder(out, tag))
        self.loop.call_at(when, lambda *u: self.loop.stop() or True)
        self.run_loop()
        self.assertEqual(out, ['x', 'y', 'z'])

    def test_cancel_handle(self):
        out = []
        recorder = Recorder(out, 'cancelled')
        alive = weakref.ref(recorder)
        handle = self.loop.call_soon(recorder)
        timer = self.loop.call_later(0.01, Recorder(out, 'cancelled timer'))
        del recorder

        handle.cancel()
        timer.cancel()
        self.assertTrue(handle.is_cancelled())
        self.assertTrue(timer.is_cancelled())
        self.assertIn('cancelled', handle.to_string())
        # The destroy notify ran at once: the loop let go of the callable.
        gc.collect()
        self.assertIsNone(alive())

        self.loop.call_later(0.03, lambda *u: self.loop.stop() or True)
        self.run_loop()
        self.assertEqual(out, [])
        handle.cancel()  # twice: nothing happens


class TestFuture(LoopTestCase):

    def test_run_until_complete_timer(self):
        future = self.loop.create_future()
        self.assertEqual(future.get_state(), Gaio.FutureState.PENDING)

        def resolve(*user_data):
            future.set_result_string('hello from a timer')
            return True

        self.loop.call_later(0.01, resolve)
        value = self.loop.run_until_complete(future)
        self.assertEqual(value, 'hello from a timer')
        self.assertEqual(future.get_state(), Gaio.FutureState.FINISHED)
        self.assertEqual(future.get_result_string(), 'hello from a timer')
        self.assertEqual(future.get_loop(), self.loop)

    def test_result_from_python_value(self):
        # set_result() takes a Python value, typed as C reads it.
        future = self.loop.create_future()
        self.loop.call_soon(lambda *u: future.set_result(42) or True)
        self.assertEqual(self.loop.run_until_complete(future), 42)
        self.assertEqual(future.get_result_int64(), 42)

    def test_cancel(self):
        future = self.loop.create_future()
        self.assertTrue(future.cancel('no longer needed'))
        self.assertFalse(future.cancel(None))  # already done
        self.assertTrue(future.is_cancelled())
        self.assertTrue(future.is_done())
        self.assertTrue(future.get_cancellable().is_cancelled())

        with self.assertRaises(GLib.Error) as caught:
            future.get_result()
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.CANCELLED))
        self.assertEqual(caught.exception.message, 'no longer needed')

        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_until_complete(future)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.CANCELLED))

    def test_result_twice_is_invalid_state(self):
        future = self.loop.create_future()
        with self.assertRaises(GLib.Error) as caught:
            future.get_result()
        self.assertTrue(caught.exception.matches(Gaio.error_quark(),
                                                 Gaio.Error.INVALID_STATE))
        future.set_result_int64(1)
        with self.assertRaises(GLib.Error) as caught:
            future.set_result_int64(2)
        self.assertTrue(caught.exception.matches(Gaio.error_quark(),
                                                 Gaio.Error.INVALID_STATE))

    def test_done_callback_runs_on_loop_after_completion(self):
        future = self.loop.create_future()
        events = []

        def done(fut, *user_data):
            # A boxed value: a new wrapper of the same future, equal to it.
            events.append(('done', fut == future, user_data,
                           threading.get_ident()))

        future.add_done_callback(done, 'data')
        future.set_result_int64(7)
        # Never inline: scheduled on the loop by set_result().
        events.append('after set_result')
        self.assertEqual(events, ['after set_result'])

        self.stop_soon()
        self.run_loop()
        self.assertEqual(events, ['after set_result',
                                  ('done', True, ('data',), threading.get_ident())])

    def test_wait_async(self):
        future = self.loop.create_future()
        finished = []

        def waited(source, result, *user_data):
            # The source object is the future's loop (a future is no GObject).
            finished.append((source == self.loop, user_data, future.wait_finish(result)))
            self.loop.stop()

        future.wait_async(None, waited, 'data')
        self.loop.call_later(0.01, lambda *u: future.set_result_string('waited') or True)
        self.run_loop()
        self.assertEqual(finished, [(True, ('data',), 'waited')])

    def test_wait_async_done_future(self):
        future = self.loop.create_future()
        future.set_result_boolean(True)
        finished = []

        def waited(source, result, *user_data):
            # The loop's wait_finish, as GJS's promisify calls it.
            finished.append(source.wait_finish(result))
            self.loop.stop()

        future.wait_async(None, waited)
        self.run_loop()
        self.assertEqual(finished, [True])

    def test_wait_async_cancelled(self):
        future = self.loop.create_future()
        cancellable = Gio.Cancellable()
        errors = []

        def waited(source, result, *user_data):
            try:
                future.wait_finish(result)
            except GLib.Error as error:
                errors.append(error)
            self.loop.stop()

        future.wait_async(cancellable, waited)
        self.loop.call_soon(lambda *u: cancellable.cancel() or True)
        self.run_loop()
        self.assertEqual(len(errors), 1)
        self.assertTrue(errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        # One contract for every _async call: cancelling cancels the future.
        self.assertTrue(future.is_cancelled())


class TestExceptionHandler(LoopTestCase):

    def test_callback_failure_reported(self):
        contexts = []

        def handler(loop, context, *user_data):
            contexts.append((loop, context, user_data))

        self.loop.set_exception_handler(handler, 'handler data')
        self.assertTrue(self.loop.has_exception_handler())

        def failing(*user_data):
            raise ValueError('callback failed')

        with captured_python_exceptions() as caught:
            handle = self.loop.call_soon(failing)
            self.loop.call_soon(Recorder([], 'after'))  # the loop goes on
            self.stop_soon()
            self.run_loop()

        # Reported, not printed.
        self.assertEqual(caught, [])
        self.assertEqual(len(contexts), 1)
        loop, context, user_data = contexts[0]
        self.assertIs(loop, self.loop)
        self.assertEqual(user_data, ('handler data',))
        self.assertEqual(context.get_message(),
                         'Exception in callback '
                         'TestExceptionHandler.test_callback_failure_reported.<locals>.failing()')
        error = context.get_error()
        self.assertTrue(error.matches(Gaio.error_quark(), Gaio.Error.FAILED))
        self.assertEqual(error.message, 'ValueError: callback failed')
        self.assertTrue(context.contains('handle'))
        self.assertEqual(context.get_handle(), handle)
        self.assertEqual(sorted(context.dup_keys()),
                         ['exception', 'exception_type', 'handle', 'message', 'traceback'])
        self.assertTrue(context.to_string().startswith('Exception in callback '))

    def test_callback_return_value_ignored(self):
        # asyncio ignores what a callback returns: None and False succeed.
        self.loop.call_soon(lambda *user_data: False)
        self.loop.call_soon(lambda *user_data: None)
        self.stop_soon()
        self.run_loop()
        self.assertEqual(self.take_reports(), [])

    def test_never_retrieved_reported_once(self):
        future = self.loop.create_future()
        error = GLib.Error.new_literal(Gio.io_error_quark(), 'lost error',
                                       Gio.IOErrorEnum.FAILED)
        future.set_error(error)
        described = future.to_string()
        address = re.search(r'GaioFuture at (0x[0-9a-f]+)', repr(future)).group(1)
        del future
        gc.collect()

        reports = self.take_reports()
        self.assertEqual(len(reports), 1)
        context = reports[0]
        self.assertEqual(context.get_message(), 'Future exception was never retrieved')
        self.assertTrue(context.get_error().matches(Gio.io_error_quark(),
                                                    Gio.IOErrorEnum.FAILED))
        self.assertEqual(context.get_error().message, 'lost error')
        reported = context.get_future()
        self.assertIsInstance(reported, Gaio.Future)
        self.assertIn('GaioFuture at %s' % address, repr(reported))
        self.assertEqual(reported.to_string(), described)

        # The context kept the future alive; letting it go again reports
        # nothing more.
        del reported, context, reports
        gc.collect()
        self.stop_soon()
        self.run_loop()
        self.assertEqual(self.take_reports(), [])

    def test_retrieved_error_not_reported(self):
        future = self.loop.create_future()
        future.set_error(GLib.Error.new_literal(Gio.io_error_quark(), 'seen',
                                                Gio.IOErrorEnum.FAILED))
        self.assertEqual(future.get_error().message, 'seen')
        del future
        gc.collect()
        self.assertEqual(self.take_reports(), [])

    def test_call_exception_handler(self):
        context = Gaio.ExceptionContext.new('custom report')
        context.set_string('extra', 'value')
        self.loop.call_exception_handler(context)
        reports = self.take_reports()
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports[0].get_message(), 'custom report')
        self.assertEqual(reports[0].get_string('extra'), 'value')

    def test_unset_handler(self):
        self.assertTrue(self.loop.has_exception_handler())
        self.loop.set_exception_handler(None)
        self.assertFalse(self.loop.has_exception_handler())

    def test_failing_handler_goes_to_default_handler(self):
        # The default handler writes a WARNING record to the log; PyGObject
        # 3.42 cannot read the fields of a structured record (they are
        # gpointers), so a child process shows what the default writer
        # printed on its stderr.
        child = textwrap.dedent('''
            import gi
            gi.require_version('Gaio', '1.0')
            from gi.repository import Gaio
            loop = Gaio.Loop.new(None)

            def failing_callback():
                raise ValueError('callback bug')

            def run_one_failure():
                loop.call_soon(failing_callback)
                loop.call_soon(loop.stop)
                loop.run_forever()

            def raising(*args):
                raise RuntimeError('handler bug')
            loop.set_exception_handler(raising)
            run_one_failure()

            def deferring(loop, context):
                loop.default_exception_handler(context)
            loop.set_exception_handler(deferring)
            run_one_failure()

            loop.close()
            print('child done')
            ''')
        env = dict(os.environ)
        for name in ('G_DEBUG', 'G_MESSAGES_DEBUG'):
            env.pop(name, None)
        result = subprocess.run([sys.executable, '-c', child], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, 'child done\n')
        self.assertEqual(result.stderr.count('Gaio-WARNING'), 2, result.stderr)
        self.assertEqual(result.stderr.count('Unhandled error in exception handler'), 1,
                         result.stderr)
        self.assertIn('RuntimeError: handler bug', result.stderr)
        self.assertEqual(len(re.findall(r'Gaio-WARNING \*\*: [0-9:.]+: Exception in callback '
                                        r'failing_callback\(\)', result.stderr)), 1,
                         result.stderr)
        # The record carries the Python traceback.
        self.assertIn("traceback: 'Traceback (most recent call last):", result.stderr)
        self.assertIn('ValueError: callback bug', result.stderr)


class TestClose(LoopTestCase):

    def test_closed_loop_refuses_work(self):
        out = []
        recorder = Recorder(out, 'dropped')
        alive = weakref.ref(recorder)
        self.loop.call_later(0.01, recorder)
        del recorder

        self.assertTrue(self.loop.close())
        self.assertTrue(self.loop.is_closed())
        self.assertTrue(self.loop.close())  # twice is allowed
        gc.collect()
        self.assertIsNone(alive(), 'close() did not release a pending callback')

        attempts = [
            lambda: self.loop.call_soon(Recorder(out, 'x')),
            lambda: self.loop.call_later(0, Recorder(out, 'x')),
            lambda: self.loop.call_at(self.loop.time(), Recorder(out, 'x')),
            lambda: self.loop.call_soon_threadsafe(Recorder(out, 'x')),
            lambda: self.loop.run_forever(),
        ]
        for attempt in attempts:
            with self.assertRaises(GLib.Error) as caught:
                attempt()
            self.assertTrue(caught.exception.matches(Gaio.error_quark(), Gaio.Error.CLOSED))
            self.assertEqual(caught.exception.message, 'Event loop is closed')
        self.assertEqual(out, [])

    def test_close_while_running_refused(self):
        errors = []

        def try_close(*user_data):
            try:
                self.loop.close()
            except GLib.Error as error:
                errors.append(error)
            self.loop.stop()
            return True

        self.loop.call_soon(try_close)
        self.run_loop()
        self.assertEqual(len(errors), 1)
        self.assertTrue(errors[0].matches(Gaio.error_quark(), Gaio.Error.RUNNING))
        self.assertFalse(self.loop.is_closed())


class TestThreads(LoopTestCase):

    def test_call_soon_threadsafe_wakes_loop(self):
        loop_thread = threading.get_ident()
        ran_in = []
        posted = []

        def on_loop(*user_data):
            ran_in.append((threading.get_ident(), user_data))
            self.loop.stop()
            return True

        def worker():
            # Long enough for the loop to be asleep in poll(): the post
            # has to wake it.
            time.sleep(0.05)
            posted.append(self.loop.call_soon_threadsafe(on_loop, 'from thread'))

        thread = threading.Thread(target=worker)
        self.loop.call_soon(lambda *u: thread.start() or True)
        self.run_loop()
        thread.join()

        self.assertEqual(ran_in, [(loop_thread, ('from thread',))])
        self.assertNotEqual(thread.ident, loop_thread)
        self.assertEqual(len(posted), 1)
        self.assertIsInstance(posted[0], Gaio.Handle)


class TestGLibMainLoop(LoopTestCase):

    def test_runs_under_g_main_loop(self):
        main_loop = GLib.MainLoop.new(self.loop.get_context(), False)
        out = []

        def soon(*user_data):
            out.append(('soon', self.loop.is_running(),
                        Gaio.get_running_loop() is self.loop))
            return True

        def later(*user_data):
            out.append('later')
            main_loop.quit()
            return True

        guard = GLib.timeout_add_seconds(int(GUARD_SECONDS), lambda: main_loop.quit())
        self.loop.call_soon(soon)
        self.loop.call_later(0.02, later)
        main_loop.run()
        GLib.source_remove(guard)

        self.assertEqual(out, [('soon', True, True), 'later'])
        self.assertFalse(self.loop.is_running())
        self.assertIsNone(Gaio.get_running_loop())


if __name__ == '__main__':
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__]))
    sys.exit(0 if result.wasSuccessful() else 1)
