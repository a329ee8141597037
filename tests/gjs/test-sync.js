// SPDX-License-Identifier: LGPL-2.1-or-later
// SPDX-FileCopyrightText: 2026 The libgaio authors
//
// libgaio's locks, events, semaphores, barriers and queues from GJS
// (SY and QU case ids in tests/README.md): their waits are futures,
// which JavaScript waits for with run_until_complete(), a done callback
// or, promisified, with await.
//
//   GI_TYPELIB_PATH=_build/lib LD_LIBRARY_PATH=_build/lib \
//     gjs tests/gjs/test-sync.js
//
// One line per check; the exit status decides.

imports.gi.versions.Gaio = '1.0';
const {Gaio, Gio, GLib} = imports.gi;
const System = imports.system;

Gio._promisify(Gaio.Future.prototype, 'wait_async', 'wait_finish');

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

function runBriefly() {
    loop.call_soon(() => {
        loop.stop();
        return true;
    });
    loop.run_forever();
}

// SY-01, SY-14: acquire() is a future; the waiters get the lock in the
// order they asked, from done callbacks.
{
    const lock = Gaio.Lock.new(loop);
    const order = [];
    const first = lock.acquire();
    check(first.is_done(), 'a free lock is taken at once');
    for (const tag of [0, 1]) {
        lock.acquire().add_done_callback(() => order.push(tag));
    }
    lock.release();
    runBriefly();
    check(order.join() === '0', `the first waiter has the lock: ${order}`);
    lock.release();
    runBriefly();
    check(order.join() === '0,1', `then the second: ${order}`);
    lock.release();
    check(!lock.is_locked(), 'released by its last holder');
    const e = throwsError(() => lock.release());
    check(e instanceof GLib.Error && e.matches(Gaio.error_quark(), Gaio.Error.INVALID_STATE),
          `releasing an unlocked lock throws INVALID_STATE: ${e}`);
}

// QU-01, QU-03: values through a queue, and the _nowait errors as
// exceptions.
{
    const queue = Gaio.Queue.new(loop, 1);
    const getter = queue.get();
    queue.put_nowait('hello');
    check(loop.run_until_complete(getter) === 'hello', 'get() gives the value put');
    queue.put_nowait('one');
    const full = throwsError(() => queue.put_nowait('two'));
    check(full instanceof GLib.Error && full.matches(Gaio.queue_error_quark(), Gaio.QueueError.FULL),
          `put_nowait on a full queue throws FULL: ${full}`);
    const item = queue.get_nowait();
    check(item === 'one', `get_nowait gives the item: ${item}`);
    const empty = throwsError(() => queue.get_nowait());
    check(empty instanceof GLib.Error && empty.matches(Gaio.queue_error_quark(), Gaio.QueueError.EMPTY),
          `get_nowait on an empty queue throws EMPTY: ${empty}`);
}

// SY-06: an event's wait, awaited from JavaScript's own async code.
{
    const event = Gaio.Event.new(loop);
    let seen = null;
    (async () => {
        seen = await event.wait().wait_async(null);
    })();
    event.set();
    for (let i = 0; i < 5 && seen === null; i++)
        runBriefly();
    // Let GLib deliver the GTask completion of wait_async().
    const context = GLib.MainContext.default();
    while (seen === null && context.iteration(false))
        ;
    check(seen === true, `await event.wait().wait_async() gives true: ${seen}`);
}

// SY-12, SY-13: a bounded semaphore refuses an extra release; a barrier
// numbers its parties.
{
    const sem = Gaio.BoundedSemaphore.new(loop, 1);
    check(throwsError(() => sem.release()) instanceof GLib.Error,
          'a bounded semaphore released once too often throws');
    const barrier = Gaio.Barrier.new(loop, 2);
    const a = barrier.wait();
    const b = barrier.wait();
    check(loop.run_until_complete(a) === 0, 'the first party of the barrier is 0');
    check(b.get_result_int64() === 1, 'the second is 1');
    runBriefly();
}

loop.close();
System.exit(failures === 0 ? 0 : 1);
