/* gaio-asan-private.h: whether this is an AddressSanitizer build
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * GAIO_HAVE_ASAN is defined in builds with AddressSanitizer (GCC's and
 * clang's ways of saying so). The library's caches of freed memory (the
 * loop's handles, handle slabs, recycled futures) step aside there, so
 * that a use after free is reported rather than silently reused.
 */

#pragma once

#if defined(__SANITIZE_ADDRESS__)
# define GAIO_HAVE_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define GAIO_HAVE_ASAN 1
# endif
#endif
