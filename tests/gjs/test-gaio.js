// SPDX-License-Identifier: LGPL-2.1-or-later
// SPDX-FileCopyrightText: 2026 The libgaio authors
//
// A GJS smoke test of libgaio through the Gaio-1.0 typelib: a Gaio.Loop
// driven by a GLib.MainLoop runs callbacks and timers, a timer resolves
// a future, and JavaScript awaits it through the promisified
// wait_async()/wait_finish() pair.
//
// Run by `meson test --suite gjs` (tests/gjs/meson.build). By hand:
//
//   GI_TYPELIB_PATH=_build/lib LD_LIBRARY_PATH=_build/lib \
//     gjs tests/gjs/test-gaio.js
//
// One line per check; the exit status decides.
//
// A GaioCallback in JavaScript takes no arguments (the user data is the
// closure) and must return true: false or undefined is a failure that the
// loop reports as "Exception in callback ...".

imports.gi.versions.Gaio = '1.0';
const {Gaio, Gio, GLib} = imports.gi;
const System = imports.system;

Gio._promisify(Gaio.Future.prototype, 'wait_async', 'wait_finish');

const GUARD_SECONDS = 10;

let failures = 0;

function check(condition, what) {
    print(`${condition ? 'ok' : 'not ok'} - ${what}`);
    if (!condition)
        failures++;
}

const loop = Gaio.Loop.new(null);
const mainLoop = GLib.MainLoop.new(loop.get_context(), false);

// Read the context inside the handler: GJS 1.74 does not copy a boxed
// argument of a callback, so a context kept past the handler's return
// points to freed memory (reported to the lead).
const reports = [];
loop.set_exception_handler((reportingLoop, context) => {
    reports.push({
        message: context.get_message(),
        errorMessage: context.get_error()?.message,
        hasHandle: context.get_handle() !== null,
        text: context.to_string().replace(/\n/g, ' | '),
    });
    return true;
});

// GJS turns an exception thrown by a callback into the GError of the
// callback (the GaioCallback `throws`), which the loop reports.
loop.call_soon(() => {
    throw new Error('thrown from JavaScript');
});

const order = [];
loop.call_soon(() => {
    order.push('soon 1');
    return true;
});
loop.call_soon(() => {
    order.push('soon 2');
    return true;
});
const cancelled = loop.call_soon(() => {
    order.push('cancelled');
    return true;
});
cancelled.cancel();
// Deadlines from one reading of the clock: call_later() reads it at
// each call, and under valgrind the two calls can be 10 ms apart.
const now = loop.time();
loop.call_at(now + 0.02, () => {
    order.push('timer 0.02');
    return true;
});
loop.call_at(now + 0.01, () => {
    order.push('timer 0.01');
    return true;
});

const future = loop.create_future();
loop.call_later(0.03, () => {
    future.set_result_string('from a timer');
    return true;
});

const guard = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, GUARD_SECONDS, () => {
    check(false, `finished within ${GUARD_SECONDS} s`);
    mainLoop.quit();
    return GLib.SOURCE_REMOVE;
});

// GJS 1.74 cannot use an (out caller-allocates) GValue argument of a
// function that fails (it converts the unset value before it looks at
// the GError): wait_finish() returns the value instead, so the GError of
// a cancelled future reaches JavaScript as a GLib.Error.
async function checkCancelledFutureThrows() {
    const what = 'awaiting a cancelled future throws G_IO_ERROR_CANCELLED';
    const cancelledFuture = loop.create_future();
    cancelledFuture.cancel('not needed');
    try {
        await cancelledFuture.wait_async(null);
        check(false, what);
    } catch (e) {
        check(e instanceof GLib.Error &&
              e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED) &&
              e.message === 'not needed', `${what}: ${e.message ?? e}`);
    }
}

async function main() {
    try {
        // wait_finish() returns the future's value.
        const value = await future.wait_async(null);
        check(value === 'from a timer', `awaited the future: ${value}`);
        check(future.is_done() && future.get_result_string() === 'from a timer',
            'the future is finished with its result');
        check(cancelled.is_cancelled(), 'the handle is cancelled');
        check(JSON.stringify(order) ===
              JSON.stringify(['soon 1', 'soon 2', 'timer 0.01', 'timer 0.02']),
        `callbacks in order: ${order.join(', ')}`);

        await checkCancelledFutureThrows();
    } catch (e) {
        check(false, `unexpected error: ${e}`);
    } finally {
        mainLoop.quit();
    }
}

main();
mainLoop.run();
GLib.source_remove(guard);

check(reports.length === 1 &&
      reports[0].message.startsWith('Exception in callback ') &&
      reports[0].errorMessage === 'thrown from JavaScript' &&
      reports[0].hasHandle,
`one error reported, the thrown one: ${reports.map(r => r.text).join('; ')}`);
loop.close();
check(loop.is_closed(), 'the loop is closed');
try {
    loop.call_soon(() => true);
    check(false, 'call_soon on a closed loop throws');
} catch (e) {
    check(e.matches(Gaio.error_quark(), Gaio.Error.CLOSED),
        `call_soon on a closed loop throws GAIO_ERROR_CLOSED: ${e.message}`);
}

System.exit(failures === 0 ? 0 : 1);
