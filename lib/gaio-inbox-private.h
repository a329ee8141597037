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
  GaioHandle *head;      /* (atomic) newest first; or the closed mark */
} GaioInbox;

/* Marks a closed inbox: pushes fail from then on, so nothing posted after
 * the loop closed is leaked. */
#define GAIO_INBOX_CLOSED_MARK ((GaioHandle *) GSIZE_TO_POINTER (1))

typedef enum {
  GAIO_INBOX_CLOSED,     /* refused: the reference stays with the caller */
  GAIO_INBOX_QUEUED,     /* queued behind others: the loop is awake already */
  GAIO_INBOX_FIRST,      /* queued into an empty inbox: wake the loop */
} GaioInboxPush;

void           _gaio_inbox_init     (GaioInbox   *inbox);
GaioInboxPush  _gaio_inbox_push     (GaioInbox   *inbox,
                                     GaioHandle  *handle);
GaioHandle    *_gaio_inbox_steal    (GaioInbox   *inbox,
                                     GaioHandle **tail,
                                     guint       *n_handles);
GaioHandle    *_gaio_inbox_close    (GaioInbox   *inbox);

/* Any thread. Inline: the loop asks at every call_soon() and iteration. */
static inline gboolean
_gaio_inbox_is_empty (GaioInbox *inbox)
{
  GaioHandle *head = g_atomic_pointer_get (&inbox->head);

  return head == NULL || head == GAIO_INBOX_CLOSED_MARK;
}

G_END_DECLS
