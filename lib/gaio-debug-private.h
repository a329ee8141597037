/* gaio-debug-private.h: names of code for reports
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The symbol name of the function at @address when the dynamic linker
 * knows it (exported symbols, or programs linked with -rdynamic), else
 * the address in hexadecimal. */
char *_gaio_debug_symbol_name (gpointer address);

G_END_DECLS
