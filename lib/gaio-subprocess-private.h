/* gaio-subprocess-private.h: what gaio-subprocess-communicate.c needs of GaioProcess
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* communicate() owns the pipes while it runs: one at a time. Claim
 * returns FALSE if another communicate() runs. Loop thread only. */
gboolean _gaio_process_claim_pipes   (GaioProcess *process);
void     _gaio_process_release_pipes (GaioProcess *process);

G_END_DECLS
