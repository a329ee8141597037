/* gaio-inbox.c: the multi-producer queue other threads post to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Producers (any thread) push handles onto a lock-free stack with one
 * compare-and-swap. The loop takes the whole stack with one exchange and
 * reverses it, which gives the handles back in the order they were
 * pushed: each producer's order is kept, and no lock is ever taken.
 *
 * A push tells its caller whether the stack was empty: only then must the
 * loop be woken, so a thousand posts between two iterations cost one
 * wake-up. That loses no wake-up because the loop looks at the stack
 * after the context wakes it (in check(), after poll), and the stack only
 * goes from empty to non-empty through a push that wakes it.
 *
 * Taking the whole stack at once also rules out the ABA problem of
 * lock-free stacks: nothing ever pops a single node.
 */

#include "config.h"

#include "gaio-inbox-private.h"

void
_gaio_inbox_init (GaioInbox *inbox)
{
  inbox->head = NULL;
}

/* Takes the caller's reference on @handle unless the inbox is closed.
 * Any thread. */
GaioInboxPush
_gaio_inbox_push (GaioInbox  *inbox,
                  GaioHandle *handle)
{
  GaioHandle *old = g_atomic_pointer_get (&inbox->head);

  do
    {
      if (old == GAIO_INBOX_CLOSED_MARK)
        return GAIO_INBOX_CLOSED;
      handle->next = old;
    }
  while (!g_atomic_pointer_compare_and_exchange_full (&inbox->head, old, handle, &old));

  return old == NULL ? GAIO_INBOX_FIRST : GAIO_INBOX_QUEUED;
}

static GaioHandle *
reverse (GaioHandle  *list,
         GaioHandle **tail,
         guint       *n_handles)
{
  GaioHandle *reversed = NULL;
  guint n = 0;

  *tail = list;
  while (list != NULL)
    {
      GaioHandle *next = list->next;

      list->next = reversed;
      reversed = list;
      list = next;
      n++;
    }
  *n_handles = n;

  return reversed;
}

/* Returns the posted handles, oldest first, linked through ->next, with
 * their references, and the last one and their count. Loop thread only. */
GaioHandle *
_gaio_inbox_steal (GaioInbox   *inbox,
                   GaioHandle **tail,
                   guint       *n_handles)
{
  /* Only the loop thread closes the inbox, so a head that is neither
   * empty nor closed here is still a list when exchanged. */
  if (_gaio_inbox_is_empty (inbox))
    {
      *tail = NULL;
      *n_handles = 0;
      return NULL;
    }

  return reverse (g_atomic_pointer_exchange (&inbox->head, NULL), tail, n_handles);
}

/* Like _gaio_inbox_steal(), and every later push fails. */
GaioHandle *
_gaio_inbox_close (GaioInbox *inbox)
{
  GaioHandle *list = g_atomic_pointer_exchange (&inbox->head, GAIO_INBOX_CLOSED_MARK);
  GaioHandle *tail;
  guint n;

  if (list == GAIO_INBOX_CLOSED_MARK)
    return NULL;

  return reverse (list, &tail, &n);
}
