/* gaio-debug-private.h: names of code and creation stacks for reports
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

/* Names the library's own function @function (a static callback, which
 * dladdr() cannot name) with the string literal @name, for every report
 * and repr that names callbacks: asyncio's reprs name their internal
 * callbacks (`_run_until_complete_cb`), never an address. Any thread;
 * GAIO_DEBUG_NAME() calls it once per call site. */
void  _gaio_debug_name_function (gpointer    function,
                                 const char *name);

#define GAIO_DEBUG_NAME(function, name)                                 \
  G_STMT_START {                                                        \
    static gsize gaio_debug_named__ = 0;                                \
    if (g_once_init_enter (&gaio_debug_named__))                        \
      {                                                                 \
        _gaio_debug_name_function ((gpointer) (function), "" name "");  \
        g_once_init_leave (&gaio_debug_named__, 1);                     \
      }                                                                 \
  } G_STMT_END

/* Whether @address is code written at run time rather than a function
 * of the program or a library it loaded: what PyGObject and GJS pass
 * for a Python or JavaScript callable (a libffi closure). FALSE where
 * the platform cannot tell. Any thread. */
gboolean _gaio_debug_is_generated_code (gpointer address);

/* Whether GJS runs in this process: its JavaScript runs on the main
 * thread only. Any thread. */
gboolean _gaio_debug_in_gjs (void);

/* How many frames of the caller's stack a creation traceback keeps
 * (asyncio's DEBUG_STACK_DEPTH). */
#define GAIO_TRACEBACK_DEPTH 10

/* Where an object was created, captured in debug mode: raw return
 * addresses, most recent first. Symbols are looked up only when the
 * traceback is printed, so capturing costs one backtrace(3) call. */
typedef struct _GaioTraceback GaioTraceback;

/* Captures the calling stack, or returns NULL where the platform has no
 * backtrace(3). Any thread.
 *
 * On a task's fiber the stack ends at the task's first frame; @parent,
 * the task's own creation traceback, is then appended so that the
 * traceback goes on to where the task was created, as far back as the
 * code that started the loop (Python's stack runs through the loop's
 * frames into the task's coroutine). Use _gaio_traceback_capture_here(),
 * which finds @parent. */
GaioTraceback *_gaio_traceback_capture  (GaioTraceback *parent);

/* _gaio_traceback_capture() chained to the origin of this thread: the
 * creation traceback of the task whose fiber runs now, if any. */
GaioTraceback *_gaio_traceback_capture_here (void);

/* Sets the origin of this thread and returns the one it replaces. A
 * task sets its own creation traceback around each resumption of its
 * fiber (debug mode only, when it has one) and restores the previous
 * one after. */
GaioTraceback *_gaio_traceback_swap_origin  (GaioTraceback *origin);
void           _gaio_traceback_free     (GaioTraceback *traceback);

/* The frames as Python prints them, oldest first, the frames inside
 * libgaio at either end of each stack left out, one string per frame:
 *
 *   File "OBJECT", line 0, in SYMBOL
 *     SYMBOL+0xOFFSET (OBJECT-BASENAME+0xADDRESS-IN-OBJECT)
 *
 * The line is always 0: the platform gives object files and symbols,
 * not source lines. The second line holds what `addr2line -e OBJECT
 * 0xADDRESS-IN-OBJECT` needs to find the source line. */
char         **_gaio_traceback_format   (GaioTraceback *traceback);

/* The most recent frame outside libgaio as `SYMBOL+0xOFFSET`: the
 * "created at" of debug-mode descriptions. */
char          *_gaio_traceback_describe (GaioTraceback *traceback);

G_END_DECLS
