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
 * The loop is woken through one file descriptor, and only when the stack
 * goes from empty to non-empty: a thousand posts between two iterations
 * cost one write(2). For that to lose no wake-up, the loop clears the
 * descriptor (_gaio_inbox_acknowledge) *before* it takes the stack: a
 * push that lands after the exchange finds the stack empty again and
 * writes; one that lands between the two is taken by the exchange.
 *
 * Taking the whole stack at once also makes the classic ABA problem of
 * lock-free stacks impossible: nothing ever pops a single node.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#ifdef HAVE_EVENTFD
# include <sys/eventfd.h>
#endif

#include <glib-unix.h>

#include "gaio-inbox-private.h"

/* Marks a closed inbox: pushes fail from then on, so nothing posted after
 * the loop closed is leaked. */
#define INBOX_CLOSED ((GaioHandle *) GSIZE_TO_POINTER (1))

gboolean
_gaio_inbox_init (GaioInbox  *inbox,
                  GError    **error)
{
  inbox->head = NULL;

#ifdef HAVE_EVENTFD
  inbox->read_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (inbox->read_fd >= 0)
    {
      inbox->write_fd = inbox->read_fd;
      return TRUE;
    }
#endif

  {
    int fds[2];

    if (!g_unix_open_pipe (fds, FD_CLOEXEC, error) ||
        !g_unix_set_fd_nonblocking (fds[0], TRUE, error) ||
        !g_unix_set_fd_nonblocking (fds[1], TRUE, error))
      return FALSE;
    inbox->read_fd = fds[0];
    inbox->write_fd = fds[1];
  }

  return TRUE;
}

void
_gaio_inbox_clear (GaioInbox *inbox)
{
  g_assert (inbox->head == NULL || inbox->head == INBOX_CLOSED);

  if (inbox->write_fd != inbox->read_fd && inbox->write_fd >= 0)
    close (inbox->write_fd);
  if (inbox->read_fd >= 0)
    close (inbox->read_fd);
  inbox->read_fd = inbox->write_fd = -1;
}

static void
wake (GaioInbox *inbox)
{
#ifdef HAVE_EVENTFD
  if (inbox->write_fd == inbox->read_fd)
    {
      guint64 one = 1;

      while (write (inbox->write_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
      return;
    }
#endif

  {
    char byte = 'x';

    /* EAGAIN means the pipe is full, so the loop is awake already. */
    while (write (inbox->write_fd, &byte, 1) < 0 && errno == EINTR)
      ;
  }
}

/* Takes the caller's reference on @handle. Returns FALSE, leaving the
 * reference with the caller, when the inbox is closed. Any thread. */
gboolean
_gaio_inbox_push (GaioInbox  *inbox,
                  GaioHandle *handle)
{
  GaioHandle *old = g_atomic_pointer_get (&inbox->head);

  do
    {
      if (old == INBOX_CLOSED)
        return FALSE;
      handle->next = old;
    }
  while (!g_atomic_pointer_compare_and_exchange_full (&inbox->head, old, handle, &old));

  if (old == NULL)
    wake (inbox);

  return TRUE;
}

static GaioHandle *
reverse (GaioHandle *list)
{
  GaioHandle *reversed = NULL;

  while (list != NULL)
    {
      GaioHandle *next = list->next;

      list->next = reversed;
      reversed = list;
      list = next;
    }

  return reversed;
}

/* Returns the posted handles, oldest first, linked through ->next, with
 * their references. Loop thread only. */
GaioHandle *
_gaio_inbox_steal (GaioInbox *inbox)
{
  GaioHandle *head = g_atomic_pointer_get (&inbox->head);

  /* Only the loop thread closes the inbox, so a head that is neither
   * empty nor closed here is still a list when exchanged. */
  if (head == NULL || head == INBOX_CLOSED)
    return NULL;

  return reverse (g_atomic_pointer_exchange (&inbox->head, NULL));
}

/* Like _gaio_inbox_steal(), and every later push fails. */
GaioHandle *
_gaio_inbox_close (GaioInbox *inbox)
{
  GaioHandle *list = g_atomic_pointer_exchange (&inbox->head, INBOX_CLOSED);

  if (list == INBOX_CLOSED)
    return NULL;

  return reverse (list);
}

void
_gaio_inbox_acknowledge (GaioInbox *inbox)
{
  char buffer[64];

  /* An eventfd needs one read of 8 bytes; a pipe is drained. */
  while (read (inbox->read_fd, buffer, sizeof buffer) > 0 &&
         inbox->read_fd != inbox->write_fd)
    ;
}

gboolean
_gaio_inbox_is_empty (GaioInbox *inbox)
{
  GaioHandle *head = g_atomic_pointer_get (&inbox->head);

  return head == NULL || head == INBOX_CLOSED;
}
