# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# libgaio as a Python user writes it, with the PyGObject overrides
# (bindings/python/gi/overrides/Gaio.py): results and lifetimes, job
# functions that return and raise, exceptions reported with their
# traceback, executors as context managers, gather() as a list, readers
# and signal handlers as call_soon()'s callbacks, subprocess output as
# bytes, misuse that raises at the call.
#
# Run by `meson test --suite python` (tests/python/meson.build), also
# under valgrind (--setup=valgrind), where a use after free in a binding
# path fails the test. By hand:
#
#   GI_TYPELIB_PATH=_build/lib LD_LIBRARY_PATH=_build/lib \
#     PYTHONPATH=bindings/python /usr/bin/python3 tests/python/test_bindings.py
#
# No CPython test counterpart: the BD case ids (tests/README.md) are about
# the binding itself.

import gc
import os
import signal
import subprocess
import sys
import textwrap
import threading
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Gaio', '1.0')

from gi.repository import Gaio, Gio, GLib, GObject  # noqa: E402

WORKER = os.environ.get('GAIO_TEST_PROCESS_WORKER')


def blocking_io():
    with open('/dev/urandom', 'rb') as f:
        return f.read(100)


class BindingTestCase(unittest.TestCase):

    def setUp(self):
        self.loop = Gaio.Loop.new(None)
        self.reports = []
        self.loop.set_exception_handler(lambda loop, context: self.reports.append(context))

    def tearDown(self):
        if not self.loop.is_closed():
            self.loop.close()
        gc.collect()

    def done_future(self):
        future = self.loop.create_future()
        self.loop.call_soon(future.set_result, None)
        return future


class TestResults(BindingTestCase):

    # BD-01: the result of a temporary future outlives it.
    def test_temporary_future_result_intact_after_gc(self):
        result = self.loop.run_until_complete(self.loop.run_in_executor(None, blocking_io))
        gc.collect()
        self.assertIsInstance(result, bytes)
        self.assertEqual(len(result), 100)
        self.assertEqual(result, bytes(result))

    # BD-01: the same through the future's own reader, the future dropped.
    def test_get_result_after_future_freed(self):
        future = self.loop.run_in_executor(None, lambda: b'kept')
        self.loop.run_until_complete(future)
        value = future.get_result()
        del future
        gc.collect()
        self.assertEqual(value, b'kept')

    # BD-01: an exception-context value outlives the context.
    def test_context_value_outlives_context(self):
        context = Gaio.ExceptionContext.new('values')
        context.set_value('bytes', GObject.Value(GLib.Bytes.__gtype__, GLib.Bytes.new(b'abc')))
        context.set_value('variant', GObject.Value(GObject.TYPE_VARIANT, GLib.Variant('s', 'v')))
        future = self.loop.create_future()
        context.set_future(future)
        data = context.get_value('bytes')
        variant = context.get_value('variant')
        kept = context.get_future()
        del context, future
        gc.collect()
        self.assertEqual(data.get_data(), b'abc')
        self.assertEqual(variant.unpack(), 'v')
        self.assertEqual(kept.get_state(), Gaio.FutureState.PENDING)

    # BD-02: a job returns its value, typed as C reads it.
    def test_job_returns_values(self):
        obj = Gio.Cancellable()
        variant = GLib.Variant('(is)', (1, 'x'))
        cases = [b'bytes', 'text', 42, -7, 2 ** 63 + 1, 10 ** 21, 2.5, True, False,
                 obj, variant, None, [1, 'list']]
        for value in cases:
            with self.subTest(value=value):
                got = self.loop.run_until_complete(
                    self.loop.run_in_executor(None, lambda v=value: v))
                gc.collect()
                if isinstance(value, GLib.Variant):
                    self.assertEqual(got.unpack(), value.unpack())
                else:
                    self.assertEqual(got, value)
                    self.assertIs(type(got), type(value))

    # BD-02: typed for C: a str result reads as a string.
    def test_job_result_typed_for_c(self):
        future = self.loop.run_in_executor(None, lambda: 'for C')
        self.loop.run_until_complete(future)
        self.assertEqual(future.get_result_string(), 'for C')
        future = self.loop.run_in_executor(None, lambda: 12)
        self.loop.run_until_complete(future)
        self.assertEqual(future.get_result_int64(), 12)

    # BD-02: a GObject.Value keeps the type it was given.
    def test_future_set_gvalue(self):
        future = self.loop.create_future()
        future.set_result(GObject.Value(GObject.TYPE_UINT, 7))
        self.assertEqual(future.get_result_type(), GObject.TYPE_UINT)
        self.assertEqual(self.loop.run_until_complete(future), 7)

    # BD-02: arguments reach the job; a job raises to fail.
    def test_job_arguments_and_failure(self):
        self.assertEqual(self.loop.run_until_complete(
            self.loop.run_in_executor(None, pow, 2, 10)), 1024)

        def failing(text):
            raise ValueError(text)

        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_until_complete(self.loop.run_in_executor(None, failing, 'bad input'))
        self.assertTrue(caught.exception.matches(Gaio.error_quark(), Gaio.Error.FAILED))
        self.assertEqual(caught.exception.message, 'ValueError: bad input')

    # BD-02: a GLib.Error raised by a job is the future's error as it is.
    def test_job_raises_glib_error(self):
        def failing():
            raise GLib.Error.new_literal(Gio.io_error_quark(), 'gone', Gio.IOErrorEnum.NOT_FOUND)

        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_until_complete(self.loop.run_in_executor(None, failing))
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.NOT_FOUND))

    # BD-06: gather's result is the list of results, in order.
    def test_gather_list(self):
        futures = [self.loop.run_in_executor(None, lambda i=i: i * i) for i in range(5)]
        self.assertEqual(self.loop.run_until_complete(Gaio.gather(*futures)),
                         [0, 1, 4, 9, 16])
        self.assertEqual(self.loop.run_until_complete(Gaio.gather(futures)),
                         [0, 1, 4, 9, 16])

    # BD-06: with return_exceptions, a failure is its GLib.Error in the list.
    def test_gather_return_exceptions(self):
        ok = self.loop.create_future()
        ok.set_result('fine')
        bad = self.loop.create_future()
        bad.set_error(GLib.Error.new_literal(Gio.io_error_quark(), 'broken',
                                             Gio.IOErrorEnum.FAILED))
        results = self.loop.run_until_complete(Gaio.gather(ok, bad, return_exceptions=True))
        self.assertEqual(results[0], 'fine')
        self.assertIsInstance(results[1], GLib.Error)
        self.assertEqual(results[1].message, 'broken')

    # BD-06: without it, the first error is the gather's.
    def test_gather_fails(self):
        bad = self.loop.create_future()
        bad.set_error(GLib.Error.new_literal(Gio.io_error_quark(), 'broken',
                                             Gio.IOErrorEnum.FAILED))
        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_until_complete(Gaio.gather(bad))
        self.assertEqual(caught.exception.message, 'broken')

    # BD-06: the typed reader C gives bindings for gather() and wait().
    def test_dup_result_futures(self):
        a = self.loop.create_future()
        a.set_result(1)
        waited = Gaio.wait([a], Gaio.NO_TIMEOUT, Gaio.WaitMode.ALL_COMPLETED)
        self.assertEqual(self.loop.run_until_complete(waited), [a])
        self.assertEqual([f.get_result() for f in waited.dup_result_futures()], [1])


class TestReports(BindingTestCase):

    # BD-03: an exception raised in a callback reaches the handler with its
    # type, text and traceback, the callback named by __qualname__.
    def test_callback_exception_reported(self):
        def failing_callback(text):
            raise ValueError(text)

        handle = self.loop.call_soon(failing_callback, 'callback failed')
        self.assertIn('failing_callback', handle.to_string())
        self.loop.run_until_complete(self.done_future())

        self.assertEqual(len(self.reports), 1)
        context = self.reports[0]
        name = 'TestReports.test_callback_exception_reported.<locals>.failing_callback'
        self.assertEqual(context.get_message(), 'Exception in callback %s()' % name)
        self.assertEqual(context.get_error().message, 'ValueError: callback failed')
        self.assertEqual(context.get_string('exception_type'), 'ValueError')
        tb = context.get_string('traceback')
        self.assertTrue(tb.startswith('Traceback (most recent call last):'), tb)
        self.assertIn('raise ValueError(text)', tb)
        self.assertTrue(tb.endswith('ValueError: callback failed\n'), tb)
        self.assertEqual(context.get_handle(), handle)
        # The default handler's record: `key: value` lines, values as repr.
        self.assertIn("traceback: 'Traceback (most recent call last):", context.to_string())

    # BD-04: a callback that returns None (or anything) succeeds.
    def test_callback_return_value_ignored(self):
        ran = []
        self.loop.call_soon(lambda: ran.append('none'))
        self.loop.call_soon(lambda: False)
        self.loop.call_later(0, lambda: 0)
        self.loop.run_until_complete(self.done_future())
        self.assertEqual(ran, ['none'])
        self.assertEqual(self.reports, [])

    # BD-04: a callback given to the C method itself (not the override's
    # wrapper) that returns a false value is reported as such, without the
    # hint for JavaScript, which would name the wrong language.
    def test_raw_callback_false_has_no_javascript_hint(self):
        raw_call_soon = Gaio.Loop.__mro__[1].call_soon
        self.assertIsNot(raw_call_soon, Gaio.Loop.call_soon)
        raw_call_soon(self.loop, lambda *user_data: False)
        self.loop.run_until_complete(self.done_future())

        self.assertEqual(len(self.reports), 1)
        message = self.reports[0].get_error().message
        self.assertEqual(message, 'The callback returned FALSE without setting an error')

    # BD-04: KeyboardInterrupt and SystemExit leave the loop, as in asyncio
    # (test_base_events.py::test_run_until_complete_baseexception).
    def test_base_exception_leaves_loop(self):
        def leave():
            raise SystemExit('bye')

        ran = []
        self.loop.call_soon(leave)
        self.loop.call_soon(lambda: ran.append('next'))
        with self.assertRaises(SystemExit):
            self.loop.run_until_complete(self.loop.create_future())
        self.assertEqual(self.reports, [])
        # The loop can run again.
        self.loop.run_until_complete(self.done_future())
        self.assertEqual(ran, ['next'])

    # BD-03: a done callback's exception is reported with its future.
    def test_done_callback_exception_reported(self):
        future = self.loop.create_future()

        def on_done(fut):
            raise RuntimeError('done callback failed')

        future.add_done_callback(on_done)
        future.set_result(1)
        self.loop.run_until_complete(future)
        self.loop.run_until_complete(self.done_future())
        self.assertEqual(len(self.reports), 1)
        self.assertTrue(self.reports[0].get_message().endswith('on_done()'))
        self.assertEqual(self.reports[0].get_future(), future)
        self.assertEqual(self.reports[0].get_string('exception_type'), 'RuntimeError')

    # BD-15: the context reads as the dict asyncio gives a handler
    # (test_base_events.py::test_set_exc_handler_custom reads
    # context['message'] and context['exception']).
    def test_context_reads_as_dict(self):
        def failing_callback():
            raise ValueError('as a dict')

        handle = self.loop.call_soon(failing_callback)
        self.loop.run_until_complete(self.done_future())
        context = self.reports[0]
        self.assertEqual(context['message'], context.get_message())
        self.assertEqual(context['exception'].message, 'ValueError: as a dict')
        self.assertEqual(context['handle'], handle)
        self.assertIn('handle', context)
        self.assertNotIn('future', context)
        self.assertIsNone(context.get('future'))
        self.assertEqual(sorted(context), sorted(context.keys()))
        with self.assertRaises(KeyError):
            context['future']

    # BD-16: a handle and a future print as asyncio's reprs (repr()
    # stays PyGObject's, with the C address).
    def test_str_is_asyncio_repr(self):
        def named():
            pass

        self.assertEqual(str(self.loop.call_soon(named)),
                         '<Handle TestReports.test_str_is_asyncio_repr.<locals>.named()>')
        future = self.loop.create_future()
        self.assertEqual(str(future), '<Future pending>')
        future.set_result(1)
        self.assertEqual(str(future), '<Future finished result=1>')
        self.assertIn('GaioFuture at 0x', repr(future))

    # BD-17: an exception the handler raises is reported as asyncio logs
    # it, with the handler's traceback (test_base_events.py::
    # test_set_exc_handler_broken); the GError handed back to C kept
    # only its message. In a child: the report is a log record.
    def test_handler_exception_traceback(self):
        script = textwrap.dedent('''
            import gi
            gi.require_version('Gaio', '1.0')
            from gi.repository import Gaio

            def broken_handler(loop, context):
                raise RuntimeError('handler broke')

            def failing():
                raise ValueError('callback failed')

            loop = Gaio.Loop.new(None)
            loop.set_exception_handler(broken_handler)
            loop.call_soon(failing)
            loop.call_soon(loop.stop)
            loop.run_forever()
            loop.close()
        ''')
        env = dict(os.environ)
        env.pop('G_DEBUG', None)
        child = subprocess.run([sys.executable, '-c', script], env=env,
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertIn('Unhandled error in exception handler', child.stderr)
        # The record's traceback value, as repr() writes it (no source
        # lines for -c).
        self.assertIn('in broken_handler\\nRuntimeError: handler broke', child.stderr)

    # BD-08: get_exception_handler() gives back the Python handler.
    def test_get_exception_handler(self):
        def handler(loop, context):
            pass

        self.loop.set_exception_handler(handler)
        self.assertIs(self.loop.get_exception_handler(), handler)
        self.loop.set_exception_handler(None)
        self.assertIsNone(self.loop.get_exception_handler())

    # BD-08: remove_done_callback() finds Python callbacks.
    def test_remove_done_callback(self):
        future = self.loop.create_future()
        calls = []

        def first(fut):
            calls.append('first')

        def second(fut):
            calls.append('second')

        future.add_done_callback(first)
        future.add_done_callback(second)
        future.add_done_callback(first)
        self.assertEqual(future.remove_done_callback(first), 2)
        self.assertEqual(future.remove_done_callback(first), 0)
        future.set_result(None)
        self.loop.run_until_complete(future)
        self.loop.run_until_complete(self.done_future())
        self.assertEqual(calls, ['second'])
        # The table that finds them keeps nothing once C let them go.
        del future
        gc.collect()
        from gi.overrides import Gaio as overrides
        self.assertEqual(overrides._done_callbacks, {})

    # BD-08: new_for_async() ties a GIO operation to a future.
    def test_new_for_async(self):
        path = os.path.join(GLib.get_tmp_dir(), 'gaio-bindings-%d' % os.getpid())
        with open(path, 'wb') as f:
            f.write(b'async contents')
        try:
            gfile = Gio.File.new_for_path(path)
            future, callback = Gaio.Future.new_for_async(self.loop, Gio.File.load_contents_finish)
            gfile.load_contents_async(future.get_cancellable(), callback)
            ok, contents, etag = self.loop.run_until_complete(future)
            self.assertTrue(ok)
            self.assertEqual(bytes(contents), b'async contents')
        finally:
            os.unlink(path)


class TestWatches(BindingTestCase):

    def pipe(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        return r, w

    # BD-11: a reader takes its arguments after the function and what it
    # returns is ignored (the raw binding reported every call as "returned
    # FALSE without setting an error").
    def test_reader_arguments_return_ignored(self):
        r, w = self.pipe()
        calls = []

        def on_readable(tag):
            calls.append((tag, os.read(r, 100)))
            self.loop.remove_reader(r)
            self.loop.stop()

        self.loop.add_reader(r, on_readable, 'tag')
        os.write(w, b'data')
        self.loop.run_forever()
        self.assertEqual(calls, [('tag', b'data')])
        self.assertEqual(self.reports, [])

    # BD-11: an exception raised in a reader is reported with its type and
    # traceback, the reader named after the function (the raw binding
    # printed it and reported an address).
    def test_reader_exception_reported(self):
        r, w = self.pipe()

        def failing_reader():
            os.read(r, 100)
            self.loop.remove_reader(r)
            self.loop.stop()
            raise OSError('reader failed')

        self.loop.add_reader(r, failing_reader)
        os.write(w, b'x')
        self.loop.run_forever()
        self.assertEqual(len(self.reports), 1)
        context = self.reports[0]
        self.assertTrue(context.get_message().endswith('failing_reader()'),
                        context.get_message())
        self.assertEqual(context.get_error().message, 'OSError: reader failed')
        self.assertIn("raise OSError('reader failed')", context.get_string('traceback'))

    # BD-11: a writer too; a file object stands for its descriptor, as in
    # asyncio.
    def test_writer_file_object(self):
        r, w = self.pipe()
        calls = []

        def on_writable(tag):
            calls.append(tag)
            self.assertTrue(self.loop.remove_writer(wfile))
            self.loop.stop()

        with open(w, 'wb', closefd=False) as wfile:
            self.loop.add_writer(wfile, on_writable, 'writable')
            self.loop.run_forever()
        self.assertEqual(calls, ['writable'])
        self.assertEqual(self.reports, [])

    def send_sigusr1(self, handler, *args):
        self.loop.add_signal_handler(signal.SIGUSR1, handler, *args)
        self.addCleanup(self.loop.remove_signal_handler, signal.SIGUSR1)
        self.loop.call_soon(os.kill, os.getpid(), signal.SIGUSR1)
        self.loop.run_forever()

    # BD-11: a signal handler (SIGUSR1 sent to this process) takes its
    # arguments after the function, and what it returns is ignored.
    def test_signal_handler_arguments(self):
        calls = []

        def on_signal(tag):
            calls.append(tag)
            self.loop.stop()

        self.send_sigusr1(on_signal, 'usr1')
        self.assertEqual(calls, ['usr1'])
        self.assertEqual(self.reports, [])

    # BD-11: an exception a signal handler raises is reported with its
    # type, the handler named after the function.
    def test_signal_handler_exception_reported(self):
        def on_signal():
            self.loop.stop()
            raise ValueError('in signal handler')

        self.send_sigusr1(on_signal)
        self.assertEqual(len(self.reports), 1)
        self.assertTrue(self.reports[0].get_message().endswith('on_signal()'))
        self.assertEqual(self.reports[0].get_string('exception_type'), 'ValueError')


class TestMisuse(BindingTestCase):

    # BD-12: sleep() outside a running loop raises, as
    # asyncio.get_running_loop() does (C logged a critical and gave None).
    def test_sleep_without_running_loop(self):
        with self.assertRaisesRegex(RuntimeError, 'no running event loop'):
            Gaio.sleep(0.1)

    # BD-12: the same for gather() of no futures.
    def test_gather_nothing_without_running_loop(self):
        with self.assertRaisesRegex(RuntimeError, 'no running event loop'):
            Gaio.gather()

    # BD-12: inside a callback, sleep() is a future of the running loop.
    def test_sleep_in_callback(self):
        done = self.loop.create_future()

        def start():
            Gaio.sleep(0.01).add_done_callback(lambda fut: done.set_result('slept'))

        self.loop.call_soon(start)
        self.assertEqual(self.loop.run_until_complete(done), 'slept')

    # BD-12: a process-pool job takes one GVariant: more arguments raise
    # instead of being dropped.
    def test_process_pool_extra_arguments(self):
        with Gaio.ProcessPoolExecutor(max_workers=1) as pool:
            with self.assertRaisesRegex(TypeError, 'one GLib.Variant'):
                self.loop.run_in_executor(pool, 'job_square', GLib.Variant('(i)', (1,)), 2)

    # BD-12: run_in_executor() on a closed loop raises at the call, as
    # asyncio's _check_closed() does (test_events.py::test_close; C hands
    # back a future failed with the error).
    def test_run_in_executor_closed_loop_raises(self):
        self.loop.close()
        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_in_executor(None, lambda: 1)
        self.assertTrue(caught.exception.matches(Gaio.error_quark(), Gaio.Error.CLOSED))

    # BD-12: a failure that is no refusal stays the future's, reported as
    # never retrieved when nobody reads it (the check for a refusal reads
    # no error).
    def test_run_in_executor_other_failure_stays_unretrieved(self):
        with Gaio.ProcessPoolExecutor(max_workers=1) as pool:
            future = self.loop.run_in_executor(pool, lambda: 1)
            self.loop.run_until_complete(Gaio.wait([future]))
            del future
            gc.collect()
        self.loop.run_until_complete(self.done_future())
        self.assertEqual([c.get_message() for c in self.reports],
                         ['Future exception was never retrieved'])

    # BD-12: run_in_executor() on an executor shut down raises at the
    # call, as concurrent.futures' submit() does after shutdown().
    def test_run_in_executor_after_shutdown_raises(self):
        pool = Gaio.ThreadPoolExecutor(1)
        pool.shutdown()
        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_in_executor(pool, lambda: 1)
        self.assertTrue(caught.exception.matches(Gaio.error_quark(),
                                                 Gaio.Error.EXECUTOR_SHUTDOWN))


class TestTimeouts(BindingTestCase):

    # BD-18: wait_for() with a negative timeout times out at once, as
    # asyncio's (test_waitfor.py::test_wait_for_timeout_less_then_0_or_0);
    # C reads a negative timeout as "forever".
    def test_wait_for_negative_timeout(self):
        future = self.loop.create_future()
        # Ends the wait, without the error, where -1 meant "forever".
        self.loop.call_later(10, future.set_result, 'waited')
        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_until_complete(Gaio.wait_for(future, -1))
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.TIMED_OUT))
        self.assertTrue(future.is_cancelled())

    # BD-18: wait_for() with None waits for the result (the raw binding
    # refused None).
    def test_wait_for_none_waits(self):
        future = self.loop.create_future()
        self.loop.call_later(0.01, future.set_result, 'late')
        self.assertEqual(self.loop.run_until_complete(Gaio.wait_for(future, None)), 'late')

    # BD-18: wait() takes asyncio's timeout=None by default.
    def test_wait_default_timeout(self):
        future = self.loop.create_future()
        self.loop.call_later(0.01, future.set_result, 1)
        self.assertEqual(self.loop.run_until_complete(Gaio.wait([future])), [future])


class TestProcess(BindingTestCase):

    # BD-13: communicate() takes bytes and its output reads as bytes;
    # returncode is None until the exit, as asyncio's.
    def test_communicate_bytes(self):
        flags = (Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE |
                 Gio.SubprocessFlags.STDERR_PIPE)
        process = self.loop.subprocess_exec(['sh', '-c', 'cat; echo err >&2; exit 3'], flags)
        self.assertIsNone(process.returncode)
        future = process.communicate(b'to stdin')
        self.loop.run_until_complete(future)
        self.assertEqual(process.communicate_get_output(future), (b'to stdin', b'err\n'))
        self.assertEqual(process.returncode, 3)

    # BD-13: a stream that is not a pipe reads as None.
    def test_communicate_no_pipe(self):
        process = self.loop.subprocess_exec(['true'], Gio.SubprocessFlags.NONE)
        future = process.communicate()
        self.loop.run_until_complete(future)
        self.assertEqual(process.communicate_get_output(future), (None, None))
        self.assertEqual(process.returncode, 0)


class TestExecutors(BindingTestCase):

    # BD-05: the constructor takes concurrent.futures' arguments, by
    # position too (GObject's took keywords only).
    def test_thread_pool_positional_arguments(self):
        with Gaio.ThreadPoolExecutor(2, 'named') as pool:
            self.assertEqual(pool.get_max_workers(), 2)
            self.assertEqual(pool.get_thread_name_prefix(), 'named')
            self.assertEqual(self.loop.run_until_complete(
                self.loop.run_in_executor(pool, lambda: 'ran')), 'ran')

    # BD-05: `with` shuts the pool down and waits for its jobs.
    def test_thread_pool_context_manager(self):
        started = threading.Event()
        with Gaio.ThreadPoolExecutor(max_workers=2) as pool:
            future = self.loop.run_in_executor(pool, lambda: started.set() or 'done')
            self.assertEqual(self.loop.run_until_complete(future), 'done')
        self.assertTrue(pool.is_shutdown())
        with self.assertRaises(GLib.Error) as caught:
            self.loop.run_until_complete(self.loop.run_in_executor(pool, lambda: 1))
        self.assertTrue(caught.exception.matches(Gaio.error_quark(),
                                                 Gaio.Error.EXECUTOR_SHUTDOWN))

    # BD-07: a Python function cannot go to a worker process: the error
    # says what to use instead.
    def test_process_pool_python_function(self):
        with Gaio.ProcessPoolExecutor(max_workers=1) as pool:
            with self.assertRaises(GLib.Error) as caught:
                self.loop.run_until_complete(self.loop.run_in_executor(pool, blocking_io))
        self.assertTrue(caught.exception.matches(Gaio.error_quark(),
                                                 Gaio.Error.NOT_SERIALIZABLE))
        for words in ('new_for_worker', 'submit_named', 'bindings.md'):
            self.assertIn(words, caught.exception.message)

    # BD-05: a process pool of a worker executable, run by function name.
    @unittest.skipIf(WORKER is None, 'GAIO_TEST_PROCESS_WORKER is not set')
    def test_process_pool_by_name(self):
        with Gaio.ProcessPoolExecutor.new_for_worker(1, [WORKER]) as pool:
            value = self.loop.run_until_complete(
                self.loop.run_in_executor(pool, 'job_square', GLib.Variant('(i)', (9,))))
        self.assertEqual(value, 81)
        self.assertTrue(pool.is_shutdown())


if __name__ == '__main__':
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__]))
    sys.exit(0 if result.wasSuccessful() else 1)
