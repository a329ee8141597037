/* gaio-debug.c: names of code for reports
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include "config.h"

#ifdef HAVE_DLADDR
# include <dlfcn.h>
#endif

#include "gaio-debug-private.h"

char *
_gaio_debug_symbol_name (gpointer address)
{
#ifdef HAVE_DLADDR
  Dl_info info;

  /* Only an exact match names the function: the nearest exported symbol
   * before a static function would name the wrong one. */
  if (address != NULL && dladdr (address, &info) != 0 && info.dli_sname != NULL &&
      info.dli_saddr == address)
    return g_strdup (info.dli_sname);
#endif

  return g_strdup_printf ("%p", address);
}
