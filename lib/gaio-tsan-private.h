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

#include <glib.h>

/* g_once_init_enter() and g_once_init_leave() on a gsize, with the
 * ordering they give told to ThreadSanitizer: what the first caller sets
 * up before leaving is seen by every caller that enters after it. */
static inline gboolean
_gaio_once_enter (gsize *location)
{
  if (g_once_init_enter (location))
    return TRUE;

  GAIO_TSAN_ACQUIRE (location);
  return FALSE;
}

static inline void
_gaio_once_leave (gsize *location,
                  gsize  value)
{
  GAIO_TSAN_RELEASE (location);
  g_once_init_leave (location, value);
}
