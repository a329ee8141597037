/* gaio-orphan-private.h: reaping a child whose loop went away
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GaioOrphan GaioOrphan;

/* Hands @pid, a child of this process that nothing else waits for any
 * more, to a thread that reaps it once it exits. @closed_loop is the
 * repr of the closed loop that watched it, for asyncio's warning once it
 * is reaped; with @debug, the exit is logged first. Returns a reference
 * for the former owner, which may still signal the child through it.
 * Any thread. */
GaioOrphan *_gaio_orphan_adopt        (GPid        pid,
                                       const char *closed_loop,
                                       gboolean    debug);
/* Sends @signum to the child unless it has been reaped, so never to a
 * process that reused its pid. Any thread. */
void        _gaio_orphan_send_signal  (GaioOrphan *orphan,
                                       int         signum);
void        _gaio_orphan_unref        (GaioOrphan *orphan);

G_END_DECLS
