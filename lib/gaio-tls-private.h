/* gaio-tls-private.h: the thread-local variables read on the hottest paths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A thread-local variable of a shared library is found, by default,
 * through a call to __tls_get_addr() (the "global-dynamic" model): a
 * library loaded with dlopen() may need its variables allocated after
 * the thread started. A hand-off between two tasks read such variables
 * four times (the running fiber twice, the list of recycled futures
 * twice), which was a tenth of its instructions.
 *
 * GAIO_TLS_HOT asks for the "initial-exec" model instead: the variable
 * sits in the static TLS block of every thread, at a fixed offset from
 * the thread pointer, and is read in one instruction. libgaio is
 * loaded with dlopen() by PyGObject and GJS (through its typelib), and
 * then its initial-exec variables come out of the small surplus the
 * dynamic loader keeps for such libraries (glibc keeps at least 1664
 * bytes for the whole process; a library that does not fit fails to
 * load). So only a few pointers may be marked: today three, 24 bytes
 * (the running fiber, gaio-fiber.c; the cache of freed futures and
 * waiters, gaio-block-cache.c, read at every future or waiter made and
 * freed; and the handle slabs' block of each thread,
 * gaio-handle-slab.c, read at every handle allocated or freed; the last
 * two point to blocks of their own). Anything larger or colder stays in
 * the default model.
 */

#pragma once

#if defined(__GNUC__) && defined(__ELF__)
# define GAIO_TLS_HOT __attribute__((tls_model ("initial-exec")))
#else
# define GAIO_TLS_HOT
#endif
