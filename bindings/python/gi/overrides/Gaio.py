# SPDX-License-Identifier: LGPL-2.1-or-later
# SPDX-FileCopyrightText: 2026 The libgaio authors
#
# The PyGObject overrides of Gaio-1.0: `from gi.repository import Gaio`
# loads them. Installed in PyGObject's overrides directory (see
# bindings/meson.build); the tests find this copy through PYTHONPATH
# (gi and gi.overrides extend their __path__ over sys.path).
#
# What they do, so that Python reads like asyncio:
# - callbacks (call_soon and its relatives, readers, writers, signal
#   handlers, done callbacks, the exception handler, job functions) are
#   wrapped: they take their arguments after the function, returning
#   anything succeeds, and an exception raised is reported with its type,
#   message and traceback, never printed and lost;
# - a job function returns its value and raises to fail, as the function
#   given to asyncio's run_in_executor() does;
# - handles and futures print (str()) as asyncio's reprs, and the
#   exception handler's context reads as asyncio's dict;
# - results come back as Python values (GBytes as bytes, gather() as a
#   list), read through the (transfer full) copies, never through a GValue
#   the caller allocated (PyGObject 3.42 keeps a pointer into it);
# - executors are context managers that shut down and wait on exit, and
#   take concurrent.futures' constructor arguments;
# - run_in_executor() on a closed loop or a shut-down executor raises at
#   the call, as asyncio's does, where C hands back a failed future;
# - the functions that make a future of the running loop (sleep(), and
#   gather() or wait() of no futures) raise RuntimeError outside one, as
#   asyncio.get_running_loop() does, where C logs a critical;
# - wait_for() and wait() take asyncio's timeouts (None: forever, zero or
#   less: at once), where C's forever is any negative number;
# - Process.communicate() takes bytes, communicate_get_output() gives
#   bytes, returncode is asyncio's.
#
# Maintainer note: the C side holds each wrapper (a closure with a destroy
# notify) and drops it when the callback has run or was cancelled, or when
# the loop closes; a pending callback's wrapper holds its loop, as an
# asyncio Handle does. Module state is one table of weak references
# (_done_callbacks), for remove_done_callback().

import functools
import threading
import traceback
import weakref

from gi.repository import GLib, GObject

from ..module import get_introspection_module
from ..overrides import override

Gaio = get_introspection_module('Gaio')

__all__ = []


def _holds_futures(future):
    """Whether the result is that of gather() or wait(): a GPtrArray of
    futures, which bindings read with dup_result_futures()."""
    return future.get_result_type().name == 'GPtrArray'


def _callable_name(func):
    """The name a report gives a callable: __qualname__ as asyncio's
    reprs do, through functools.partial, else the type's."""
    while isinstance(func, functools.partial):
        func = func.func
    name = getattr(func, '__qualname__', None)
    if name is None:
        name = type(func).__qualname__
    return name


def _format_traceback(exc):
    """The traceback of @exc as Python prints it, without the frame of
    the wrapper that caught it."""
    tb = exc.__traceback__
    if tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return ''.join(traceback.format_exception(type(exc), exc, tb))


def _exception_message(exc):
    text = str(exc)
    name = type(exc).__qualname__
    return '%s: %s' % (name, text) if text else name


def _as_gerror(exc):
    """A GLib.Error for @exc: itself when it is one, else a
    GAIO_ERROR_FAILED error whose message reads `Type: text`."""
    if isinstance(exc, GLib.Error):
        return exc
    return GLib.Error.new_literal(Gaio.error_quark(), _exception_message(exc),
                                  Gaio.Error.FAILED)


def _report(loop, message, exc, handle=None, future=None):
    """Hands @exc to @loop's exception handler, as the loop reports a
    failed C callback, plus two keys a handler can read: `exception_type`
    and `traceback` (the default handler's record prints them)."""
    context = Gaio.ExceptionContext.new(message)
    context.set_error(_as_gerror(exc))
    context.set_string('exception_type', type(exc).__qualname__)
    context.set_string('traceback', _format_traceback(exc))
    if handle is not None:
        context.set_handle(handle)
    if future is not None:
        context.set_future(future)
    loop.call_exception_handler(context)


def _python_value(value):
    """A result as Python code wants it."""
    if isinstance(value, GLib.Bytes):
        return value.get_data() or b''
    return value


def _set_typed_result(target, value):
    """Sets @value on a Gaio.Job or a Gaio.Future with the setter of its
    type, so that C code (and a process boundary) can read it; any other
    Python object is kept as itself."""
    generic = Gaio.Job.set_result if isinstance(target, Gaio.Job) else Gaio.Future.set_result
    if value is None:
        # A job without a result already holds None (a NULL pointer).
        if isinstance(target, Gaio.Future):
            generic(target, GObject.Value(GObject.TYPE_POINTER, None))
    elif isinstance(value, bool):
        target.set_result_boolean(value)
    elif isinstance(value, int) and -2 ** 63 <= value < 2 ** 63:
        target.set_result_int64(value)
    elif isinstance(value, int) and 0 <= value < 2 ** 64:
        target.set_result_uint64(value)
    elif isinstance(value, float):
        target.set_result_double(value)
    elif isinstance(value, str):
        target.set_result_string(value)
    elif isinstance(value, (bytes, bytearray, memoryview, GLib.Bytes)):
        data = value if isinstance(value, GLib.Bytes) else GLib.Bytes.new(bytes(value))
        if isinstance(target, Gaio.Job):
            target.set_result_bytes(data)
        else:
            generic(target, GObject.Value(GLib.Bytes.__gtype__, data))
    elif isinstance(value, GLib.Variant):
        target.set_result_variant(value)
    elif isinstance(value, GObject.Object):
        target.set_result_object(value)
    elif isinstance(value, GObject.Value):
        generic(target, value)
    else:
        # Kept as the Python object itself (in this process only).
        generic(target, GObject.Value(GObject.TYPE_PYOBJECT, value))


def _fileno(fd):
    """A descriptor number from a number or an object with fileno(), as
    asyncio's selector loops take them."""
    if isinstance(fd, int):
        return fd
    try:
        return int(fd.fileno())
    except (AttributeError, TypeError, ValueError):
        raise ValueError('Invalid file object: %r' % (fd,)) from None


def _running_loop(function):
    """The loop running in this thread, for the functions that make a
    future of it; raises as asyncio.get_running_loop() does (C would log
    a critical and return None)."""
    loop = Gaio.get_running_loop()
    if loop is None:
        raise RuntimeError('no running event loop: %s makes a future of the loop '
                           'running in this thread; call it from a callback of a '
                           'running loop' % function)
    return loop


def _refuse_submission(loop, executor):
    """Raises as asyncio's run_in_executor() does at the call, where C
    hands back a future failed with the same error: on a closed loop
    (loop._check_closed()) and on an executor shut down (submit() after
    shutdown()). Checked before the call, because reading the failed
    future's error would count as retrieving it, and silence the report
    of any other failure nobody reads."""
    if loop.is_closed():
        raise GLib.Error.new_literal(Gaio.error_quark(), 'Event loop is closed',
                                     Gaio.Error.CLOSED)
    if executor is not None and executor.is_shutdown():
        raise GLib.Error.new_literal(Gaio.error_quark(),
                                     'cannot schedule new futures after shutdown',
                                     Gaio.Error.EXECUTOR_SHUTDOWN)


class _Callback:
    """A GaioCallback around a Python callable and its arguments."""

    __slots__ = ('loop', 'func', 'args', 'name', 'handle', '__weakref__')

    def __init__(self, loop, func, args):
        if not callable(func):
            raise TypeError('a callable object was expected, got %r' % (func,))
        self.loop = loop
        self.func = func
        self.args = args
        self.name = _callable_name(func)
        self.handle = None

    def __call__(self, *user_data):
        try:
            self.func(*self.args)
        except Exception as exc:
            _report(self.loop, 'Exception in callback %s()' % self.name, exc,
                    handle=self.handle)
        except (KeyboardInterrupt, SystemExit) as exc:
            # asyncio lets these leave run_forever(): libgaio's escape
            # error stops the loop, and Loop re-raises the exception.
            self.loop._gaio_escape = exc
            raise GLib.Error.new_literal(Gaio.error_quark(), _exception_message(exc),
                                         Gaio.Error.ESCAPE)
        return True


class _DoneCallback:
    """A GaioFutureCallback: fn(future, *args)."""

    __slots__ = ('func', 'args', 'name', 'removed', '__weakref__')

    def __init__(self, func, args):
        if not callable(func):
            raise TypeError('a callable object was expected, got %r' % (func,))
        self.func = func
        self.args = args
        self.name = _callable_name(func)
        self.removed = False

    def __call__(self, future, *user_data):
        if self.removed:
            return
        _forget_done_callback(future, self)
        try:
            self.func(future, *self.args)
        except Exception as exc:
            _report(future.get_loop(), 'Exception in callback %s()' % self.name, exc,
                    future=future)


class _JobFunction:
    """A GaioJobFunc for a thread pool: returns the function's value as
    the job's result, or fails with its exception."""

    __slots__ = ('func', 'args')

    def __init__(self, func, args):
        self.func = func
        self.args = args

    def __call__(self, job, *user_data):
        try:
            _set_typed_result(job, self.func(*self.args))
        except Exception as exc:
            raise _as_gerror(exc) from exc
        return True


class _ExceptionHandler:
    """A GaioExceptionHandler: handler(loop, context, *args)."""

    __slots__ = ('func', 'args')

    def __init__(self, func, args):
        self.func = func
        self.args = args

    def __call__(self, loop, context, *user_data):
        try:
            self.func(loop, context, *self.args)
        except Exception as exc:
            # Reported here, as the loop reports a handler that fails
            # ("Unhandled error in exception handler", the context under
            # `context`), plus the handler's traceback, which asyncio logs
            # and a GError returned to C would lose.
            outer = Gaio.ExceptionContext.new('Unhandled error in exception handler')
            outer.set_error(_as_gerror(exc))
            outer.set_string('exception_type', type(exc).__qualname__)
            outer.set_string('traceback', _format_traceback(exc))
            outer.set_value('context', GObject.Value(Gaio.ExceptionContext.__gtype__, context))
            loop.default_exception_handler(outer)
        return True


# remove_done_callback(): C finds a done callback by its function pointer
# and data, which are new for every Python call. The wrappers of each
# future's callbacks are kept here, weakly (the C side owns them), keyed
# by the future's address (hash() of a boxed wrapper), so a later call can
# find and disable them.
_done_callbacks = {}
# Reentrant: a weak reference's callback may run while it is held.
_done_callbacks_lock = threading.RLock()


def _forget_done_callback(future, wrapper, key=None):
    """Drops @wrapper (and the wrappers C has let go of) from the table."""
    if key is None:
        key = hash(future)
    with _done_callbacks_lock:
        refs = _done_callbacks.get(key)
        if refs is None:
            return
        refs[:] = [ref for ref in refs if ref() is not None and ref() is not wrapper]
        if not refs:
            del _done_callbacks[key]


def _remember_done_callback(future, wrapper):
    key = hash(future)
    # When C frees the wrapper (the future was freed, or the callback
    # ran), its entry goes too.
    ref = weakref.ref(wrapper, lambda dead: _forget_done_callback(None, None, key))
    with _done_callbacks_lock:
        _done_callbacks.setdefault(key, []).append(ref)


class Loop(Gaio.Loop):

    def _schedule(self, method, prefix, callback, args):
        wrapper = _Callback(self, callback, args)
        handle = method(self, *prefix, wrapper)
        wrapper.handle = handle
        handle.set_name(wrapper.name)
        return handle

    def call_soon(self, callback, *args):
        return self._schedule(Gaio.Loop.call_soon, (), callback, args)

    def call_later(self, delay, callback, *args):
        return self._schedule(Gaio.Loop.call_later, (delay,), callback, args)

    def call_at(self, when, callback, *args):
        return self._schedule(Gaio.Loop.call_at, (when,), callback, args)

    def add_reader(self, fd, callback, *args):
        """asyncio's add_reader(): callback(*args) whenever @fd (a
        descriptor or an object with fileno()) is readable, with the rules
        of call_soon()'s callbacks."""
        Gaio.Loop.add_reader(self, _fileno(fd), _Callback(self, callback, args))

    def remove_reader(self, fd):
        return Gaio.Loop.remove_reader(self, _fileno(fd))

    def add_writer(self, fd, callback, *args):
        """asyncio's add_writer(), as add_reader()."""
        Gaio.Loop.add_writer(self, _fileno(fd), _Callback(self, callback, args))

    def remove_writer(self, fd):
        return Gaio.Loop.remove_writer(self, _fileno(fd))

    def add_signal_handler(self, sig, callback, *args):
        """asyncio's add_signal_handler(): callback(*args) on the loop's
        thread whenever @sig is delivered, with the rules of call_soon()'s
        callbacks."""
        Gaio.Loop.add_signal_handler(self, sig, _Callback(self, callback, args))

    def call_soon_threadsafe(self, callback, *args):
        wrapper = _Callback(self, callback, args)
        handle = Gaio.Loop.call_soon_threadsafe(self, wrapper)
        # The callback may run on the loop's thread before this returns:
        # the report names it anyway (the wrapper knows its name); the
        # handle gets its name only where naming it cannot race.
        wrapper.handle = handle
        if Gaio.get_running_loop() is self:
            handle.set_name(wrapper.name)
        return handle

    def _reraise_escape(self, error):
        escape = getattr(self, '_gaio_escape', None)
        if escape is not None and error.matches(Gaio.error_quark(), Gaio.Error.ESCAPE):
            self._gaio_escape = None
            raise escape from None
        raise error

    def run_forever(self):
        """Runs the loop until stop(); a KeyboardInterrupt or SystemExit
        raised by a callback leaves it, as in asyncio."""
        try:
            return Gaio.Loop.run_forever(self)
        except GLib.Error as error:
            self._reraise_escape(error)

    def run_until_complete(self, future):
        """Runs the loop until @future is done and returns its result, or
        raises its error (GLib.Error)."""
        try:
            value = Gaio.Loop.run_until_complete(self, future)
        except GLib.Error as error:
            self._reraise_escape(error)
        if _holds_futures(future):
            return [f for f in future.dup_result_futures()]
        return _python_value(value)

    def run_in_executor(self, executor, func, *args):
        """asyncio's run_in_executor(): @func(*args) in @executor (None:
        the default thread pool). For a process pool, @func is the name of
        a function of its worker executable, and @args its GVariant
        arguments (or None): a Python function cannot run there."""
        _refuse_submission(self, executor)
        if isinstance(executor, Gaio.ProcessPoolExecutor) and isinstance(func, str):
            if len(args) > 1:
                raise TypeError('a process pool job takes one GLib.Variant of arguments '
                                '(or None), got %d arguments' % len(args))
            variant = args[0] if args else None
            return executor.submit_named(self, func, variant)
        # A Python function given to a process pool: the future fails
        # with the error that says what to do instead.
        if not callable(func):
            raise TypeError('a callable object was expected, got %r' % (func,))
        return Gaio.Loop.run_in_executor(self, executor, _JobFunction(func, args), None)

    def set_exception_handler(self, handler, *args):
        if handler is None:
            self._gaio_exception_handler = None
            Gaio.Loop.set_exception_handler(self, None)
            return
        if not callable(handler):
            raise TypeError('A callable object or None is expected, got %r' % (handler,))
        self._gaio_exception_handler = handler
        Gaio.Loop.set_exception_handler(self, _ExceptionHandler(handler, args))

    def get_exception_handler(self):
        """The handler given to set_exception_handler(), or None."""
        if not self.has_exception_handler():
            return None
        return getattr(self, '_gaio_exception_handler', None)


Loop = override(Loop)
__all__.append('Loop')


class Handle(Gaio.Handle):

    def __str__(self):
        # asyncio's repr: <Handle NAME()>, <TimerHandle when=... NAME()>.
        # repr() stays PyGObject's, which gives the C address.
        return self.to_string()


Handle = override(Handle)
__all__.append('Handle')


class ExceptionContext(Gaio.ExceptionContext):
    """Reads as the dict asyncio gives an exception handler:
    context['message'], context.get('future'), 'handle' in context,
    context.keys(). Values are what get_value() returns (the exception
    as a GLib.Error)."""

    def __getitem__(self, key):
        if not self.contains(key):
            raise KeyError(key)
        return self.get_value(key)

    def get(self, key, default=None):
        return self.get_value(key) if self.contains(key) else default

    def __contains__(self, key):
        return isinstance(key, str) and self.contains(key)

    def keys(self):
        return self.dup_keys()

    def __iter__(self):
        return iter(self.dup_keys())

    def __str__(self):
        # The default exception handler's record.
        return self.to_string()


ExceptionContext = override(ExceptionContext)
__all__.append('ExceptionContext')


class Future(Gaio.Future):

    def __str__(self):
        # asyncio's repr: <Future pending>, <Future finished result=1>.
        # repr() stays PyGObject's, which gives the C address.
        return self.to_string()

    def get_result(self):
        """The result (asyncio's result()), or raises the error."""
        value = Gaio.Future.get_result(self)
        if _holds_futures(self):
            return [f for f in self.dup_result_futures()]
        return _python_value(value)

    def set_result(self, value):
        """Sets a Python value, typed where C can read it."""
        _set_typed_result(self, value)

    def add_done_callback(self, callback, *args):
        wrapper = _DoneCallback(callback, args)
        _remember_done_callback(self, wrapper)
        Gaio.Future.add_done_callback(self, wrapper)

    def remove_done_callback(self, callback):
        """Removes every done callback that is @callback; returns how many
        (asyncio's remove_done_callback())."""
        removed = 0
        key = hash(self)
        with _done_callbacks_lock:
            refs = _done_callbacks.get(key, [])
            kept = []
            for ref in refs:
                wrapper = ref()
                if wrapper is None:
                    continue
                if wrapper.func == callback and not wrapper.removed:
                    wrapper.removed = True
                    removed += 1
                else:
                    kept.append(ref)
            if kept:
                _done_callbacks[key] = kept
            else:
                _done_callbacks.pop(key, None)
        return removed

    @staticmethod
    def new_for_async(loop, finish):
        """A future for a GIO operation: returns (future, callback); pass
        callback as the GAsyncReadyCallback of the `_async` call (and
        future.get_cancellable() as its cancellable). @finish is the
        operation's `_finish` function, called as finish(source, result)."""
        future = loop.create_future()

        def ready(source, result, *user_data):
            if future.is_done():
                return
            try:
                value = finish(source, result)
            except Exception as exc:
                future.set_error(_as_gerror(exc))
                return
            _set_typed_result(future, value)

        return future, ready


Future = override(Future)
__all__.append('Future')


@override(Gaio.gather)
def gather(*futures, return_exceptions=False):
    """asyncio.gather(): a future whose result is the list of the
    futures' results (with return_exceptions, a failed future gives its
    GLib.Error in the list)."""
    futures = list(futures[0]) if len(futures) == 1 and isinstance(futures[0], (list, tuple)) \
        else list(futures)
    if not futures:
        _running_loop('Gaio.gather() of no futures')
    inner = Gaio.gather(futures, return_exceptions)
    outer = inner.get_loop().create_future()

    def collect(done, *user_data):
        if outer.is_done():
            return
        if done.is_cancelled():
            outer.cancel(None)
            return
        try:
            children = done.dup_result_futures()
        except GLib.Error as error:
            outer.set_error(error)
            return
        results = []
        for child in children:
            try:
                results.append(child.get_result())
            except GLib.Error as error:
                results.append(error)
        Gaio.Future.set_result(outer, results)

    def cancel_inner(done, *user_data):
        if done.is_cancelled():
            inner.cancel(None)

    Gaio.Future.add_done_callback(inner, collect)
    Gaio.Future.add_done_callback(outer, cancel_inner)
    return outer


__all__.append('gather')


@override(Gaio.sleep)
def sleep(delay):
    """asyncio.sleep(): a future of the running loop that finishes with
    None after @delay seconds; raises RuntimeError outside a running loop."""
    _running_loop('Gaio.sleep()')
    return Gaio.sleep(delay)


__all__.append('sleep')


def _timeout(timeout):
    """asyncio's timeout for C: None waits forever (C's NO_TIMEOUT, which
    is negative), and a negative one times out at once, as asyncio's."""
    if timeout is None:
        return Gaio.NO_TIMEOUT
    return max(float(timeout), 0.0)


@override(Gaio.wait)
def wait(futures, timeout=None, return_when=Gaio.WaitMode.ALL_COMPLETED):
    """asyncio.wait(): a future whose result is the list of the futures
    done; the others are the pending ones. Defaults as asyncio's."""
    futures = list(futures)
    if not futures:
        _running_loop('Gaio.wait() of no futures')
    return Gaio.wait(futures, _timeout(timeout), return_when)


__all__.append('wait')


@override(Gaio.wait_for)
def wait_for(future, timeout):
    """asyncio.wait_for(): None waits forever, zero or less times out at
    once."""
    return Gaio.wait_for(future, _timeout(timeout))


__all__.append('wait_for')


class Process(Gaio.Process):

    def communicate(self, input=None):
        """asyncio's Process.communicate(input=None): @input as bytes (or
        GLib.Bytes). Read the output with communicate_get_output()."""
        if input is not None and not isinstance(input, GLib.Bytes):
            if isinstance(input, str):
                raise TypeError('communicate() takes bytes, not str')
            input = GLib.Bytes.new(bytes(input))
        return Gaio.Process.communicate(self, input)

    @staticmethod
    def communicate_get_output(future):
        """(stdout, stderr) of a finished communicate() future: bytes, or
        None for a stream that is not a pipe; raises the future's error."""
        ok, out, err = Gaio.Process.communicate_get_output(future)
        return (None if out is None else _python_value(out),
                None if err is None else _python_value(err))

    @property
    def returncode(self):
        """asyncio's Process.returncode: None until the loop has seen the
        exit."""
        exited, code = Gaio.Process.get_returncode(self)
        return code if exited else None


Process = override(Process)
__all__.append('Process')


class _ExecutorContext:
    """`with executor:` shuts the executor down on exit, waiting for its
    jobs, as concurrent.futures executors do."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self.shutdown(True, False)
        return False


class ThreadPoolExecutor(_ExecutorContext, Gaio.ThreadPoolExecutor):

    def __init__(self, max_workers=None, thread_name_prefix=None, **kwargs):
        """concurrent.futures' ThreadPoolExecutor(max_workers=None,
        thread_name_prefix=''); None (or 0) lets the pool choose."""
        if max_workers is not None:
            kwargs['max_workers'] = max_workers
        if thread_name_prefix:
            kwargs['thread_name_prefix'] = thread_name_prefix
        super().__init__(**kwargs)

    def shutdown(self, wait=True, cancel_futures=False):
        Gaio.Executor.shutdown(self, wait, cancel_futures)


ThreadPoolExecutor = override(ThreadPoolExecutor)
__all__.append('ThreadPoolExecutor')


class ProcessPoolExecutor(_ExecutorContext, Gaio.ProcessPoolExecutor):

    def __init__(self, max_workers=None, **kwargs):
        """concurrent.futures' ProcessPoolExecutor(max_workers=None); its
        workers run C functions only (new_for_worker())."""
        if max_workers is not None:
            kwargs['max_workers'] = max_workers
        super().__init__(**kwargs)

    def shutdown(self, wait=True, cancel_futures=False):
        Gaio.Executor.shutdown(self, wait, cancel_futures)


ProcessPoolExecutor = override(ProcessPoolExecutor)
__all__.append('ProcessPoolExecutor')
