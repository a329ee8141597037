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
 * lock-free stacks: nothing ever pops a single node. The inbox carries
 * its wake-up (the owner source's, given at init), so that whoever posts
 * (call_soon_threadsafe(), a job delivering its outcome from a worker
 * thread) needs the inbox alone, not the loop.
 */

#include "config.h"

#include "gaio-inbox-private.h"
#include "gaio-tsan-private.h"

void
_gaio_inbox_init (GaioInbox     *inbox,
                  GSource       *owner,
                  GMainContext  *context,
                  GaioInboxWake  wake)
{
  inbox->head = NULL;
  inbox->owner = owner;
  inbox->context = context;
  inbox->wake = wake;
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

gboolean
_gaio_inbox_post (GaioInbox  *inbox,
                  GaioHandle *handle)
{
  switch (_gaio_inbox_push (inbox, handle))
    {
    case GAIO_INBOX_FIRST:
      inbox->wake (inbox->owner);
      return TRUE;
    case GAIO_INBOX_QUEUED:
      return TRUE;
    case GAIO_INBOX_CLOSED:
    default:
      return FALSE;
    }
}

gboolean
_gaio_inbox_post_holding (GaioInbox  *inbox,
                          GaioHandle *handle)
{
  /* The handle may run, and the last reference on the loop go, before
   * the push returns: keep what the push still touches. The context
   * outlives the source: GLib still locks it after a source's finalize. */
  GSource *owner = g_source_ref (inbox->owner);
  g_autoptr(GMainContext) context = g_main_context_ref (inbox->context);
  gboolean posted = _gaio_inbox_post (inbox, handle);

  /* What this thread did with the source happens before its
   * finalization, wherever that runs (see the source's finalize). */
  GAIO_TSAN_RELEASE (owner);
  g_source_unref (owner);

  return posted;
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
