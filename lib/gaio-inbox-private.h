/* gaio-inbox-private.h: the multi-producer queue other threads post to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio-handle-private.h"

G_BEGIN_DECLS

/* Wakes the loop that drains the inbox, if it may be asleep: called by
 * the post that found the inbox empty. Any thread. */
typedef void (*GaioInboxWake) (GSource *owner);

typedef struct
{
  GaioHandle    *head;     /* (atomic) newest first; or the closed mark */

  /* Set once by _gaio_inbox_init(), read by any thread. */
  GSource       *owner;    /* (unowned) the loop's source, which embeds the inbox */
  GMainContext  *context;  /* (unowned) the context @owner is attached to */
  GaioInboxWake  wake;
} GaioInbox;

/* Marks a closed inbox: pushes fail from then on, so nothing posted after
 * the loop closed is leaked. */
#define GAIO_INBOX_CLOSED_MARK ((GaioHandle *) GSIZE_TO_POINTER (1))

typedef enum {
  GAIO_INBOX_CLOSED,     /* refused: the reference stays with the caller */
  GAIO_INBOX_QUEUED,     /* queued behind others: the loop is awake already */
  GAIO_INBOX_FIRST,      /* queued into an empty inbox: wake the loop */
} GaioInboxPush;

void           _gaio_inbox_init     (GaioInbox    *inbox,
                                     GSource      *owner,
                                     GMainContext *context,
                                     GaioInboxWake wake);
GaioInboxPush  _gaio_inbox_push     (GaioInbox   *inbox,
                                     GaioHandle  *handle);

/* Posts @handle, waking the loop if the inbox was empty. Takes the
 * caller's reference on success; returns FALSE, leaving it with the
 * caller, when the inbox is closed (the loop closed). Any thread. The
 * caller keeps the inbox alive for the time of the call. */
gboolean       _gaio_inbox_post         (GaioInbox  *inbox,
                                         GaioHandle *handle);
/* The same, for a caller whose hold on the loop may go with the handle
 * (the handle may run, and release it, before the post returns): holds
 * the owner source and its context itself for the time of the call. The
 * caller holds the inbox alive up to the call only. */
gboolean       _gaio_inbox_post_holding (GaioInbox  *inbox,
                                         GaioHandle *handle);
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
