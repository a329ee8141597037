/* gaio-inbox-private.h: the multi-producer queue other threads post to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio-handle-private.h"

G_BEGIN_DECLS

typedef struct
{
  GaioHandle *head;      /* (atomic) newest first; or INBOX_CLOSED */
  int         read_fd;   /* an eventfd, or the read end of a pipe */
  int         write_fd;  /* the same eventfd, or the write end */
} GaioInbox;

gboolean    _gaio_inbox_init        (GaioInbox   *inbox,
                                     GError     **error);
void        _gaio_inbox_clear       (GaioInbox   *inbox);
gboolean    _gaio_inbox_push        (GaioInbox   *inbox,
                                     GaioHandle  *handle);
GaioHandle *_gaio_inbox_steal       (GaioInbox   *inbox);
GaioHandle *_gaio_inbox_close       (GaioInbox   *inbox);
void        _gaio_inbox_acknowledge (GaioInbox   *inbox);
gboolean    _gaio_inbox_is_empty    (GaioInbox   *inbox);

G_END_DECLS
