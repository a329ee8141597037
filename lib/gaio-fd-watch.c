/* gaio-fd-watch.c: the readers and writers of a loop's source
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's add_reader()/add_writer() on the loop's one GSource: each
 * watched descriptor is one g_source_add_unix_fd() tag on it, whatever
 * its number of callbacks, with two slots (reader, writer) and the
 * condition of the tag kept equal to the slots in use
 * (g_source_modify_unix_fd()). No GSource is created per descriptor.
 *
 * Watches are level-triggered, as asyncio's: while a descriptor stays
 * readable its reader is queued once per iteration. Events map to
 * callbacks as asyncio's EpollSelector maps them: G_IO_IN and G_IO_PRI
 * call the reader, G_IO_OUT the writer, and G_IO_HUP and G_IO_ERR both,
 * so a reader sees end-of-file and a writer sees EPIPE.
 *
 * G_IO_NVAL means the descriptor was closed while it was watched. poll()
 * would report it again at once on every iteration, so the loop would
 * spin: instead the descriptor is dropped from the source, and the drop
 * is reported through the report function the table was created with,
 * which is the loop's exception handler. (asyncio's epoll selector
 * forgets a closed descriptor silently; its poll and select selectors
 * fail the whole loop. A report and a loop that goes on is the middle
 * way.)
 *
 * asyncio polls its selector at the start of every iteration. GLib polls
 * our descriptors before a dispatch only, and one dispatch runs many
 * iterations (gaio-loop-source.c), so between two of them the source
 * asks _gaio_fd_watches_poll(): one poll(2) with a zero timeout over an
 * array of the watched descriptors kept next to the table (rebuilt only
 * after a watch was added, changed or removed). A reader thus runs in
 * the iteration after its descriptor became readable, as asyncio's does.
 * With no watch at all the source never calls it, so a loop without
 * readers pays nothing.
 *
 * Each readiness queues a new GaioHandle holding a reference on the
 * registered callback. Replacing or removing a callback marks it removed,
 * so a handle already queued for it does not call it (asyncio cancels the
 * reader's Handle); its destroy notify runs once the last such handle is
 * gone, never while the callback runs.
 */

#include "config.h"

#include <errno.h>
#include <poll.h>

#include "gaio-fd-watch-private.h"
#include "gaio-debug-private.h"

typedef struct
{
  guint           ref_count;   /* loop thread only */
  gboolean        removed;
  GaioCallback    callback;
  gpointer        user_data;
  GDestroyNotify  notify;
  char           *name;        /* (owned) the callback's name for reports */
} FdCallback;

typedef struct
{
  int         fd;
  gpointer    tag;             /* of g_source_add_unix_fd() */
  FdCallback *slots[2];        /* (owned) (nullable) by GaioFdDirection */
} FdWatch;

struct _GaioFdWatches
{
  GSource             *source;       /* (unowned) the loop's source owns us */
  GaioFdWatchesReport  report;
  gpointer             report_data;  /* (unowned) lives as long as the source */
  GHashTable          *by_fd;        /* (owned) int -> (owned) FdWatch */

  /* What _gaio_fd_watches_poll() hands poll(2): one entry per watch, in
   * step with by_fd whenever poll_stale is FALSE. */
  GArray              *poll_fds;     /* (owned) (element-type struct pollfd) */
  GPtrArray           *poll_watches; /* (owned) (element-type FdWatch) (unowned) elements */
  gboolean             poll_stale;
};

static FdCallback *
fd_callback_ref (FdCallback *self)
{
  self->ref_count++;
  return self;
}

static void
fd_callback_unref (gpointer data)
{
  FdCallback *self = data;

  if (--self->ref_count > 0)
    return;

  if (self->notify != NULL)
    self->notify (self->user_data);
  g_free (self->name);
  g_free (self);
}

static void
fd_callback_release (FdCallback *self)
{
  self->removed = TRUE;
  fd_callback_unref (self);
}

static GIOCondition
wanted_condition (FdWatch *watch)
{
  return (watch->slots[GAIO_FD_READER] != NULL ? G_IO_IN : 0) |
         (watch->slots[GAIO_FD_WRITER] != NULL ? G_IO_OUT : 0);
}

static void
fd_watch_free (gpointer data)
{
  FdWatch *watch = data;

  for (guint i = 0; i < G_N_ELEMENTS (watch->slots); i++)
    if (watch->slots[i] != NULL)
      fd_callback_release (g_steal_pointer (&watch->slots[i]));
  g_free (watch);
}

GaioFdWatches *
_gaio_fd_watches_new (GSource             *source,
                      GaioFdWatchesReport  report,
                      gpointer             report_data)
{
  GaioFdWatches *watches = g_new0 (GaioFdWatches, 1);

  watches->source = source;
  watches->report = report;
  watches->report_data = report_data;
  watches->by_fd = g_hash_table_new_full (g_int_hash, g_int_equal, NULL, fd_watch_free);
  watches->poll_fds = g_array_new (FALSE, FALSE, sizeof (struct pollfd));
  watches->poll_watches = g_ptr_array_new ();
  watches->poll_stale = TRUE;

  return watches;
}

void
_gaio_fd_watches_free (GaioFdWatches *watches)
{
  GHashTableIter iter;
  FdWatch *watch;

  /* The source may already be destroyed (loop closed): its tags are gone
   * with it then, and removing them is not allowed. */
  if (!g_source_is_destroyed (watches->source))
    {
      g_hash_table_iter_init (&iter, watches->by_fd);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
        g_source_remove_unix_fd (watches->source, watch->tag);
    }

  g_hash_table_unref (watches->by_fd);
  g_array_unref (watches->poll_fds);
  g_ptr_array_unref (watches->poll_watches);
  g_free (watches);
}

gboolean
_gaio_fd_watches_add (GaioFdWatches   *watches,
                      int              fd,
                      GaioFdDirection  direction,
                      GaioCallback     callback,
                      gpointer         user_data,
                      GDestroyNotify   notify)
{
  FdWatch *watch = g_hash_table_lookup (watches->by_fd, &fd);
  FdCallback *entry = g_new0 (FdCallback, 1);
  FdCallback *old;

  entry->ref_count = 1;
  entry->callback = callback;
  entry->user_data = user_data;
  entry->notify = notify;
  entry->name = _gaio_debug_symbol_name ((gpointer) callback);
  watches->poll_stale = TRUE;

  if (watch == NULL)
    {
      watch = g_new0 (FdWatch, 1);
      watch->fd = fd;
      watch->slots[direction] = entry;
      watch->tag = g_source_add_unix_fd (watches->source, fd, wanted_condition (watch));
      g_hash_table_insert (watches->by_fd, &watch->fd, watch);
      return FALSE;
    }

  old = g_steal_pointer (&watch->slots[direction]);
  watch->slots[direction] = entry;
  g_source_modify_unix_fd (watches->source, watch->tag, wanted_condition (watch));

  /* Released last: its notify may call back into the loop. */
  if (old != NULL)
    fd_callback_release (old);

  return old != NULL;
}

gboolean
_gaio_fd_watches_remove (GaioFdWatches   *watches,
                         int              fd,
                         GaioFdDirection  direction)
{
  FdWatch *watch = g_hash_table_lookup (watches->by_fd, &fd);
  FdCallback *old;

  if (watch == NULL || watch->slots[direction] == NULL)
    return FALSE;

  old = g_steal_pointer (&watch->slots[direction]);
  watches->poll_stale = TRUE;
  if (wanted_condition (watch) == 0)
    {
      g_source_remove_unix_fd (watches->source, watch->tag);
      g_hash_table_remove (watches->by_fd, &fd);
    }
  else
    g_source_modify_unix_fd (watches->source, watch->tag, wanted_condition (watch));

  fd_callback_release (old);

  return TRUE;
}

gboolean
_gaio_fd_watches_has (GaioFdWatches   *watches,
                      int              fd,
                      GaioFdDirection  direction)
{
  FdWatch *watch = g_hash_table_lookup (watches->by_fd, &fd);

  return watch != NULL && watch->slots[direction] != NULL;
}

gboolean
_gaio_fd_watches_check (GaioFdWatches *watches)
{
  GHashTableIter iter;
  FdWatch *watch;

  g_hash_table_iter_init (&iter, watches->by_fd);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    if (g_source_query_unix_fd (watches->source, watch->tag) != 0)
      return TRUE;

  return FALSE;
}

static gboolean
run_fd_callback (gpointer   user_data,
                 GError   **error)
{
  FdCallback *entry = user_data;

  /* Replaced or removed after this readiness was queued. */
  if (entry->removed)
    return TRUE;

  return _gaio_callback_invoke (entry->callback, entry->user_data, error);
}

static GaioHandle *
queue_callback (GaioHandle *list,
                FdCallback *entry)
{
  GaioHandle *handle = _gaio_handle_new (run_fd_callback, fd_callback_ref (entry),
                                         fd_callback_unref);

  /* Reports name the user's callback, not the trampoline. */
  gaio_handle_set_name (handle, entry->name);
  handle->next = list;

  return handle;
}

typedef struct
{
  GaioFdWatchesReport  report;
  gpointer             report_data;
  FdWatch             *watch;     /* (owned) dropped from the table, freed with the report */
} ClosedFdReport;

/* The dropped watch's callbacks are released (and their destroy notifies
 * run) only here, after the report ran as a loop callback: never in the
 * middle of _gaio_fd_watches_collect()'s walk over the table, which a
 * notify calling add_reader() would break. */
static void
closed_fd_report_free (gpointer data)
{
  ClosedFdReport *report = data;

  fd_watch_free (report->watch);
  g_free (report);
}

static gboolean
report_closed_fd (gpointer   user_data,
                  GError   **error)
{
  ClosedFdReport *report = user_data;
  g_autofree char *message = NULL;
  g_autoptr(GaioExceptionContext) context = NULL;
  g_autoptr(GError) closed_error = NULL;
  GValue fd_value = G_VALUE_INIT;

  FdWatch *watch = report->watch;
  gboolean had_reader = watch->slots[GAIO_FD_READER] != NULL;
  gboolean had_writer = watch->slots[GAIO_FD_WRITER] != NULL;

  message = g_strdup_printf ("File descriptor %d was closed while the loop watched it: "
                             "its %s removed (call remove_reader()/remove_writer() "
                             "before closing a descriptor)",
                             watch->fd,
                             had_reader && had_writer ? "reader and writer were" :
                             had_reader ? "reader was" : "writer was");
  closed_error = g_error_new (GAIO_ERROR, GAIO_ERROR_INVALID_ARGUMENT,
                              "Invalid file object: %d is not an open file descriptor",
                              watch->fd);
  context = gaio_exception_context_new (message);
  gaio_exception_context_set_error (context, closed_error);
  g_value_init (&fd_value, G_TYPE_INT);
  g_value_set_int (&fd_value, watch->fd);
  gaio_exception_context_set_value (context, "fd", &fd_value);
  g_value_unset (&fd_value);

  report->report (context, report->report_data);

  return TRUE;
}

static GaioHandle *
drop_closed_fd (GaioFdWatches *watches,
                FdWatch       *watch,
                GaioHandle    *list)
{
  ClosedFdReport *report = g_new0 (ClosedFdReport, 1);
  GaioHandle *handle;

  report->report = watches->report;
  report->report_data = watches->report_data;
  report->watch = watch;

  handle = _gaio_handle_new (report_closed_fd, report, closed_fd_report_free);
  gaio_handle_set_name (handle, "GaioLoop.closed_fd_report");
  handle->next = list;

  g_source_remove_unix_fd (watches->source, watch->tag);

  return handle;
}

/* Queues the callbacks of @watch that @revents call, onto @list (newest
 * first). A descriptor reported as not open is dropped, the handle that
 * reports it queued instead: the caller has taken @watch out of the
 * table when this returns TRUE in @dropped. */
static GaioHandle *
collect_watch (GaioFdWatches *watches,
               FdWatch       *watch,
               GIOCondition   revents,
               GaioHandle    *list,
               gboolean      *dropped)
{
  FdCallback *reader = watch->slots[GAIO_FD_READER];
  FdCallback *writer = watch->slots[GAIO_FD_WRITER];

  *dropped = FALSE;
  if (revents & G_IO_NVAL)
    {
      *dropped = TRUE;
      watches->poll_stale = TRUE;
      return drop_closed_fd (watches, watch, list);
    }

  if (reader != NULL && (revents & (G_IO_IN | G_IO_PRI | G_IO_HUP | G_IO_ERR)))
    list = queue_callback (list, reader);
  if (writer != NULL && (revents & (G_IO_OUT | G_IO_HUP | G_IO_ERR)))
    list = queue_callback (list, writer);

  return list;
}

/* Built newest first: gives them back in the order found. */
static GaioHandle *
reverse_list (GaioHandle *list)
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

GaioHandle *
_gaio_fd_watches_collect (GaioFdWatches *watches)
{
  GHashTableIter iter;
  FdWatch *watch;
  GaioHandle *list = NULL;

  g_hash_table_iter_init (&iter, watches->by_fd);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    {
      GIOCondition revents = g_source_query_unix_fd (watches->source, watch->tag);
      gboolean dropped;

      if (revents == 0)
        continue;

      /* A dropped watch is taken over by its report. */
      list = collect_watch (watches, watch, revents, list, &dropped);
      if (dropped)
        g_hash_table_iter_steal (&iter);
    }

  return reverse_list (list);
}

gboolean
_gaio_fd_watches_is_empty (GaioFdWatches *watches)
{
  return g_hash_table_size (watches->by_fd) == 0;
}

static void
rebuild_poll_set (GaioFdWatches *watches)
{
  GHashTableIter iter;
  FdWatch *watch;

  g_array_set_size (watches->poll_fds, 0);
  g_ptr_array_set_size (watches->poll_watches, 0);

  g_hash_table_iter_init (&iter, watches->by_fd);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    {
      struct pollfd pfd = { .fd = watch->fd, .events = 0, .revents = 0 };

      /* GLib's GIOCondition values are poll(2)'s on every Unix it
       * supports (it checks so when it is built). */
      pfd.events = (short) wanted_condition (watch);
      g_array_append_val (watches->poll_fds, pfd);
      g_ptr_array_add (watches->poll_watches, watch);
    }

  watches->poll_stale = FALSE;
}

GaioHandle *
_gaio_fd_watches_poll (GaioFdWatches *watches)
{
  struct pollfd *fds;
  GaioHandle *list = NULL;
  int n_ready;

  if (watches->poll_stale)
    rebuild_poll_set (watches);

  fds = (struct pollfd *) (gpointer) watches->poll_fds->data;
  do
    n_ready = poll (fds, watches->poll_fds->len, 0);
  while (n_ready < 0 && errno == EINTR);

  /* Nothing ready, or poll() itself failed (ENOMEM): GLib's own poll
   * before the next dispatch reports the same descriptors. */
  if (n_ready <= 0)
    return NULL;

  for (guint i = 0; i < watches->poll_fds->len && n_ready > 0; i++)
    {
      FdWatch *watch = g_ptr_array_index (watches->poll_watches, i);
      gboolean dropped;

      if (fds[i].revents == 0)
        continue;

      n_ready--;
      list = collect_watch (watches, watch, (GIOCondition) fds[i].revents, list, &dropped);
      if (dropped)
        g_hash_table_steal (watches->by_fd, &watch->fd);
    }

  return reverse_list (list);
}
