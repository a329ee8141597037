// SPDX-License-Identifier: LGPL-2.1-or-later
// SPDX-FileCopyrightText: 2026 The libgaio authors
//
// libgaio as a JavaScript user meets it (BD case ids in tests/README.md;
// no CPython counterpart): errors of run_until_complete() arrive as the
// GError itself, gather() results read as a typed list, a JavaScript
// function given to a thread pool or a process pool fails with an error
// that says what to use instead, and handles take the function's name.
//
// Run by `meson test --suite gjs` (tests/gjs/meson.build), also under
// valgrind. By hand:
//
//   GI_TYPELIB_PATH=_build/lib LD_LIBRARY_PATH=_build/lib \
//     gjs tests/gjs/test-bindings.js
//
// One line per check; the exit status decides.

imports.gi.versions.Gaio = '1.0';
const {Gaio, Gio, GLib} = imports.gi;
const System = imports.system;

let failures = 0;

function check(condition, what) {
    print(`${condition ? 'ok' : 'not ok'} - ${what}`);
    if (!condition)
        failures++;
}

function throwsError(func) {
    try {
        func();
    } catch (e) {
        return e;
    }
    return null;
}

const loop = Gaio.Loop.new(null);
const reports = [];
loop.set_exception_handler((reportingLoop, context) => {
    // Copied now: GJS does not copy a boxed argument of a callback.
    reports.push(context.get_message());
    return true;
});

// BD-09: the error of a failed future is the exception, with its
// domain, code and message (GJS threw "Don't know how to convert GType
// (null)" for the caller-allocated GValue of the C function).
{
    const failed = loop.create_future();
    failed.set_error(new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND, 'no such thing'));
    const e = throwsError(() => loop.run_until_complete(failed));
    check(e instanceof GLib.Error && e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND) &&
          e.message === 'no such thing', `run_until_complete throws the future's GError: ${e}`);
}

// BD-01: a result is a value of its own, after the future is gone.
{
    const future = loop.create_future();
    loop.call_soon(() => {
        future.set_result_string('from the loop');
        return true;
    });
    check(loop.run_until_complete(future) === 'from the loop',
        'run_until_complete returns the result');
    const value = loop.run_until_complete((() => {
        const temporary = loop.create_future();
        temporary.set_result_variant(new GLib.Variant('(si)', ['kept', 7]));
        return temporary;
    })());
    System.gc();
    check(JSON.stringify(value.deepUnpack()) === '["kept",7]',
        'the result of a temporary future outlives it');
}

// BD-06: gather's futures as a typed list.
{
    const futures = [1, 2, 3].map(i => {
        const f = loop.create_future();
        f.set_result_int64(i * 10);
        return f;
    });
    const gathered = Gaio.gather(futures, false);
    const e = throwsError(() => loop.run_until_complete(gathered));
    check(e === null, `run_until_complete(gather) does not throw: ${e}`);
    const results = gathered.dup_result_futures().map(f => f.get_result());
    check(JSON.stringify(results) === '[10,20,30]', `gather results: ${results}`);
}

// BD-10: a JavaScript function in a thread pool fails before it runs,
// saying to use a process pool.
{
    const e = throwsError(() => loop.run_until_complete(
        loop.run_in_executor(null, () => true, null)));
    check(e !== null && e.matches(Gaio.error_quark(), Gaio.Error.NOT_MAIN_THREAD) &&
          e.message.includes('process pool') && e.message.includes('new_for_worker'),
    `a JavaScript job in a thread pool fails clearly: ${e?.message}`);
}

// BD-07: a JavaScript function in a process pool fails, naming the way.
{
    const pool = Gaio.ProcessPoolExecutor.new(1);
    const e = throwsError(() => loop.run_until_complete(
        loop.run_in_executor(pool, () => true, null)));
    check(e !== null && e.matches(Gaio.error_quark(), Gaio.Error.NOT_SERIALIZABLE) &&
          e.message.includes('submit_named') && e.message.includes('bindings.md'),
    `a JavaScript job in a process pool fails clearly: ${e?.message}`);
    pool.shutdown(true, false);
}

// BD-03: a handle named after the function, in reports.
{
    function failingCallback() {
        throw new Error('thrown');
    }
    loop.call_soon(failingCallback).set_name(failingCallback.name);
    const done = loop.create_future();
    loop.call_soon(() => {
        done.set_result_boolean(true);
        return true;
    });
    loop.run_until_complete(done);
    check(reports.length === 1 && reports[0] === 'Exception in callback failingCallback()',
        `the report names the function: ${reports}`);
}

// BD-04: a callback that returns nothing (undefined is FALSE) is a
// failure, and the report says what to return.
{
    const errors = [];
    loop.set_exception_handler((reportingLoop, context) => {
        errors.push(context.get_error().message);
        return true;
    });
    loop.call_soon(() => {});
    const done = loop.create_future();
    loop.call_soon(() => {
        done.set_result_boolean(true);
        return true;
    });
    loop.run_until_complete(done);
    check(errors.length === 1 && errors[0].includes('from JavaScript, return true'),
        `a callback returning undefined is reported with the fix: ${errors}`);
}

// BD-04: likewise an exception handler that returns nothing: the report
// of its failure, logged by the default handler, says what to return. Run
// in a child gjs, whose log this test reads.
{
    const code = `
        imports.gi.versions.Gaio = '1.0';
        const {Gaio} = imports.gi;
        const loop = Gaio.Loop.new(null);
        loop.set_exception_handler(() => {});
        loop.call_exception_handler(Gaio.ExceptionContext.new('reported'));
        loop.close();`;
    const child = Gio.Subprocess.new(['gjs', '-c', code],
        Gio.SubprocessFlags.STDOUT_SILENCE | Gio.SubprocessFlags.STDERR_PIPE);
    const [, , stderr] = child.communicate_utf8(null, null);
    check(child.get_successful() &&
          stderr.includes('The exception handler returned FALSE without setting an error ' +
                          '(from JavaScript, return true; throw to fail)'),
    `a handler returning undefined is reported with the fix: ${stderr}`);
}

// BD-04: likewise a reader, which runs inside libgaio's own callback (the
// report had the hint for call_soon()'s callbacks only).
{
    const errors = [];
    loop.set_exception_handler((reportingLoop, context) => {
        errors.push(context.get_error().message);
        return true;
    });
    // /dev/null is always readable (at its end).
    const input = Gio.File.new_for_path('/dev/null').read(null);
    const fd = input.get_fd();
    const done = loop.create_future();
    loop.add_reader(fd, () => {
        loop.remove_reader(fd);
        done.set_result_boolean(true);
    });
    loop.run_until_complete(done);
    input.close(null);
    check(errors.length === 1 && errors[0].includes('from JavaScript, return true'),
        `a reader returning undefined is reported with the fix: ${errors}`);
}

// BD-14: the exception context is GJS's for the call only; the
// documented way to keep it, context.ref(), owns a reference that stays
// readable after the handler returned (reading a kept `context` itself
// crashed).
{
    let kept = null;
    loop.set_exception_handler((reportingLoop, context) => {
        kept = context.ref();
        return true;
    });
    function keptFailure() {
        throw new Error('kept');
    }
    loop.call_soon(keptFailure).set_name(keptFailure.name);
    const done = loop.create_future();
    loop.call_soon(() => {
        done.set_result_boolean(true);
        return true;
    });
    loop.run_until_complete(done);
    System.gc();
    check(kept !== null && kept.get_message() === 'Exception in callback keptFailure()' &&
          kept.get_error().message.includes('kept'),
    `a context kept with ref() reads after the handler: ${kept?.get_message()}`);
}

// BD-14: likewise the future a done callback receives: future.ref() keeps
// it readable after the callback returned and every other reference on
// it went (reading the kept argument itself read a freed future).
{
    let kept = null;
    (function () {
        const future = loop.create_future();
        future.add_done_callback(done => {
            kept = done.ref();
        });
        loop.call_soon(() => {
            future.set_result_int64(7);
            return true;
        });
    })();
    const settled = loop.create_future();
    loop.call_later(0.01, () => {
        settled.set_result_boolean(true);
        return true;
    });
    loop.run_until_complete(settled);
    System.gc();
    check(kept !== null && kept.get_result_int64() === 7,
        `a future kept with ref() from a done callback reads after it: ${kept}`);
}

loop.close();
System.exit(failures ? 1 : 0);
