#!/usr/bin/gjs
// SPDX-License-Identifier: LGPL-2.1-or-later
// SPDX-FileCopyrightText: 2026 The libgaio authors
//
// The asyncio executor example (shared/seeds/asyncio-eventloop-executors.txt)
// as a JavaScript user writes it with libgaio:
//
//   gjs examples/executors.js [WORKER]
//
// GJS runs JavaScript on the main thread only, so options 1 and 2 (a
// JavaScript function in a thread pool) cannot work: libgaio refuses the
// job and says why, which this program prints. Option 3 runs: the process
// pool's workers are a small C executable (examples/executors-worker.c)
// whose registered function runs by name. WORKER is its path (by default
// `executors-worker` next to this script, or $GAIO_EXAMPLE_WORKER).

imports.gi.versions.Gaio = '1.0';
const {Gaio, GLib, Gio} = imports.gi;
const System = imports.system;

Gio._promisify(Gaio.Future.prototype, 'wait_async', 'wait_finish');

function blockingIo() {
    // File operations (such as logging) can block the event loop: in
    // Python they run in a thread pool. In GJS this never runs.
    return GLib.file_get_contents('/dev/urandom');
}

const here = GLib.path_get_dirname(System.programInvocationName);
const worker = ARGV[0] ?? GLib.getenv('GAIO_EXAMPLE_WORKER') ??
    GLib.build_filenamev([here, 'executors-worker']);

const loop = Gaio.Loop.new(null);
const mainLoop = GLib.MainLoop.new(loop.get_context(), false);
let status = 0;

async function main() {
    // Options:

    // 1. Run in the default loop's executor, and 2. in a custom thread
    // pool: refused, with the reason.
    const threads = Gaio.ThreadPoolExecutor.new(0, null);
    for (const [label, executor] of [['default thread pool', null],
        ['custom thread pool', threads]]) {
        try {
            await loop.run_in_executor(executor, blockingIo, null).wait_async(null);
        } catch (e) {
            print(`${label}: not from JavaScript: ${e.message}`);
        }
    }
    threads.shutdown(true, false);

    // 3. Run in a custom process pool, whose workers are a C executable
    // with a registered function called cpu_bound:
    const pool = Gaio.ProcessPoolExecutor.new_for_worker(0, [worker]);
    try {
        const result = await pool.submit_named(loop, 'cpu_bound', null).wait_async(null);
        print('custom process pool', result);
    } finally {
        pool.shutdown(true, false);
    }
}

main().catch(e => {
    printerr(`executors.js: ${e.message}`);
    status = 1;
}).finally(() => mainLoop.quit());
mainLoop.run();
loop.close();
System.exit(status);
