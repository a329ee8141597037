/* gaio-signal-private.h: Unix signal handlers of loops
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* The implementation of gaio_loop_add_signal_handler() and
 * gaio_loop_remove_signal_handler(), arguments already checked for
 * programmer errors. The first handler added to a loop adds a close hook
 * to it that removes every handler of the loop, restoring the
 * dispositions, when it closes or is finalized unclosed. */
gboolean _gaio_signal_add        (GaioLoop        *loop,
                                  int              signum,
                                  GaioCallback     callback,
                                  gpointer         user_data,
                                  GDestroyNotify   notify,
                                  GError         **error);
gboolean _gaio_signal_remove     (GaioLoop        *loop,
                                  int              signum);

/* asyncio accepts signal handlers only from the main thread. */
gboolean _gaio_signal_in_main_thread (void);

/* Whether a handler of any loop is registered for @signum, and if so
 * its callback and data. Any thread. */
gboolean _gaio_signal_get_handler (int              signum,
                                  GaioCallback    *callback,
                                  gpointer        *user_data);

G_END_DECLS
