// SPDX-License-Identifier: LGPL-2.1-or-later
// SPDX-FileCopyrightText: 2026 The libgaio authors
//
// A process pool from GJS: this is how JavaScript gets parallel work.
// JavaScript runs on the main thread only, so jobs are C functions of a
// worker executable (tests/process-worker.c), named with submit_named();
// the promisified submit_named_async() resolves on the loop's thread.
//
// Run by `meson test --suite gjs` (tests/bindings-process/meson.build).
// By hand:
//
//   GI_TYPELIB_PATH=_build/lib LD_LIBRARY_PATH=_build/lib \
//     GAIO_TEST_PROCESS_WORKER=_build/tests/process-worker \
//     gjs tests/bindings-process/test-process-pool.js

imports.gi.versions.Gaio = '1.0';
const {Gaio, Gio, GLib} = imports.gi;
const System = imports.system;

Gio._promisify(Gaio.ProcessPoolExecutor.prototype, 'submit_named_async',
    'submit_named_finish');

const WORKER = GLib.getenv('GAIO_TEST_PROCESS_WORKER');
let failures = 0;

function check(condition, what) {
    print(`${condition ? 'ok' : 'not ok'} - ${what}`);
    if (!condition)
        failures++;
}

const loop = Gaio.Loop.new(null);
const mainLoop = GLib.MainLoop.new(loop.get_context(), false);
const pool = Gaio.ProcessPoolExecutor.new_for_worker(2, [WORKER]);

async function main() {
    // Many jobs at once, in parallel in the workers.
    const squares = await Promise.all([...Array(20).keys()].map(i =>
        pool.submit_named_async(loop, 'job_square', new GLib.Variant('(i)', [i]), null)));
    check(squares.every((v, i) => v.unpack() === i * i), 'job_square x20 through the pool');

    const sum = await pool.submit_named_async(loop, 'job_cpu_bound',
        new GLib.Variant('(u)', [10000000]), null);
    check(sum.unpack() === '333333283333335000000', 'cpu_bound in a worker');

    try {
        await pool.submit_named_async(loop, 'job_fail',
            new GLib.Variant('(sis)', ['g-io-error-quark', 1, 'not found']), null);
        check(false, 'a failing job rejects');
    } catch (e) {
        check(e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND) &&
              e.message === 'not found', 'the GError crosses with domain, code and message');
    }

    const prefixed = new Gaio.ProcessPoolExecutor({
        max_workers: 1,
        worker_argv: [WORKER],
        launcher_prefix: ['/usr/bin/env', 'GAIO_TEST_PREFIX=from-gjs'],
    });
    const value = await prefixed.submit_named_async(loop, 'job_getenv',
        new GLib.Variant('(s)', ['GAIO_TEST_PREFIX']), null);
    check(value.unpack() === 'from-gjs', 'the launcher prefix ran in front of the worker');
    prefixed.shutdown(true, false);
}

const guard = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => {
    check(false, 'finished within 30 s');
    mainLoop.quit();
    return GLib.SOURCE_REMOVE;
});

main().catch(e => check(false, `unexpected error: ${e}`)).finally(() => mainLoop.quit());
mainLoop.run();
GLib.source_remove(guard);

pool.shutdown(true, false);
loop.close();
System.exit(failures ? 1 : 0);
