/* gaio-tsan-private.h: telling ThreadSanitizer about GLib's locks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * GMutex and GCond are futex based in GLib 2.74, and GLib is not built
 * with ThreadSanitizer: a TSan build sees no ordering in them, and reports
 * every access to data they protect as a race. Code whose data is guarded
 * by a GMutex says so with these, which are nothing outside TSan builds:
 * GAIO_TSAN_ACQUIRE (lock) after taking a lock (and after g_cond_wait()),
 * GAIO_TSAN_RELEASE (lock) before letting it go (and before waiting).
 */

#pragma once

#if defined(__SANITIZE_THREAD__)
# define GAIO_HAVE_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define GAIO_HAVE_TSAN 1
# endif
#endif

#ifdef GAIO_HAVE_TSAN
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);
# define GAIO_TSAN_ACQUIRE(addr) __tsan_acquire ((void *) (addr))
# define GAIO_TSAN_RELEASE(addr) __tsan_release ((void *) (addr))
#else
# define GAIO_TSAN_ACQUIRE(addr) ((void) 0)
# define GAIO_TSAN_RELEASE(addr) ((void) 0)
#endif
