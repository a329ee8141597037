/* gaio-log-writer.c: a log writer that keeps slow sinks off the loop thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's documentation warns that "network logging can block the
 * event loop" and recommends "a separate thread for handling logs". This
 * is that thread for GLib's structured logging: an application passes
 * gaio_log_writer_threaded() to g_log_set_writer_func() (libgaio never
 * installs it by itself), and every record is deep-copied into a bounded
 * FIFO that one background thread empties into the real writer, the
 * "sink" (g_log_writer_default() unless set otherwise: journald or
 * stderr, as GLib decides).
 *
 * The contract:
 *  - the calling thread never waits for the sink, except for fatal
 *    records (below);
 *  - records reach the sink in the order they were queued;
 *  - when the queue is full, new records are dropped and counted, and
 *    the count is written to the sink as a record of its own at the
 *    place where the records went missing: never a silent loss;
 *  - everything queued is written before the process exits (a destructor
 *    flushes and joins the thread) and before GLib aborts on a fatal
 *    record: such a record (G_LOG_LEVEL_ERROR, G_LOG_FLAG_FATAL, a level
 *    in g_log_set_always_fatal()'s mask, or a warning or critical of the
 *    old g_log() API, whose per-domain fatal mask a writer cannot see) is
 *    written synchronously once the queue is flushed.
 *
 * The lock is a pthread mutex rather than a GMutex: GLib 2.74's GMutex
 * and GCond are futex-based, and ThreadSanitizer would not see the
 * hand-off of records through them.
 *
 * Lock order: sink_lock, then queue_lock. A sink runs with sink_lock
 * held and queue_lock released; sink_lock is recursive so that a sink
 * that logs a fatal record itself does not deadlock.
 */

#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gaio.h"
#include "gaio-tsan-private.h"

typedef struct _Record Record;
struct _Record
{
  Record         *next;
  GLogLevelFlags  level;
  gsize           n_fields;
  GLogField      *fields;     /* points into the same allocation */
};

/* Protected by queue_lock: */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  queue_cond = PTHREAD_COND_INITIALIZER;  /* records queued, or stop */
static pthread_cond_t  done_cond = PTHREAD_COND_INITIALIZER;   /* records written */
static Record         *queue_head;
static Record         *queue_tail;
static guint           queue_length;
static guint           capacity = GAIO_LOG_THREADED_WRITER_DEFAULT_MAX_QUEUED;
static guint64         pending_dropped;   /* dropped since the last report */
static guint64         total_dropped;
static guint64         n_queued;          /* records ever queued, reports included */
static guint64         n_written;         /* of those, handed to the sink */
static gboolean        worker_started;
static gboolean        worker_stopping;
static pthread_t       worker;

/* Protected by sink_lock: */
static pthread_mutex_t sink_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static GLogWriterFunc  sink_func;         /* NULL: g_log_writer_default() */
static gpointer        sink_data;
static GDestroyNotify  sink_notify;

static gsize           fatal_mask_probed;
static gint            always_fatal_mask;   /* (atomic) GLogLevelFlags; read by any
                                             * thread that logs */

/* ---- records ---- */

static gsize
field_length (const GLogField *field)
{
  return field->length < 0 ? strlen (field->value) : (gsize) field->length;
}

/* One allocation per record: the fields, then every key and value, each
 * followed by a NUL (so a value of length -1 stays a valid string). */
static Record *
record_new (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields)
{
  gsize size = sizeof (Record) + n_fields * sizeof (GLogField);
  Record *record;
  char *text;

  for (gsize i = 0; i < n_fields; i++)
    size += strlen (fields[i].key) + 1 + (fields[i].value != NULL ? field_length (&fields[i]) : 0) + 1;

  record = g_malloc (size);
  record->next = NULL;
  record->level = level;
  record->n_fields = n_fields;
  record->fields = (GLogField *) (record + 1);
  text = (char *) (record->fields + n_fields);

  for (gsize i = 0; i < n_fields; i++)
    {
      gsize key_length = strlen (fields[i].key);
      gsize value_length = fields[i].value != NULL ? field_length (&fields[i]) : 0;

      record->fields[i].key = memcpy (text, fields[i].key, key_length + 1);
      text += key_length + 1;
      if (value_length > 0)
        memcpy (text, fields[i].value, value_length);
      text[value_length] = '\0';
      record->fields[i].value = text;
      record->fields[i].length = fields[i].length;
      text += value_length + 1;
    }

  return record;
}

static Record *
drop_report_new (guint64 n_dropped,
                 guint   queue_capacity)
{
  g_autofree char *message = NULL;
  char count[32];
  GLogField fields[] = {
    { "GLIB_DOMAIN", GAIO_LOG_DOMAIN, -1 },
    { "PRIORITY", "4", -1 },
    { "MESSAGE", NULL, -1 },
    { "GAIO_LOG_DROPPED", count, -1 },
  };

  g_snprintf (count, sizeof count, "%" G_GUINT64_FORMAT, n_dropped);
  message = g_strdup_printf ("%" G_GUINT64_FORMAT " log records were dropped: the queue of "
                             "the threaded log writer was full (%u records)",
                             n_dropped, queue_capacity);
  fields[2].value = message;

  return record_new (G_LOG_LEVEL_WARNING, fields, G_N_ELEMENTS (fields));
}

/* ---- the sink ---- */

static GLogWriterOutput
write_to_sink (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields)
{
  GLogWriterOutput result;

  pthread_mutex_lock (&sink_lock);
  if (sink_func != NULL)
    result = sink_func (level, fields, n_fields, sink_data);
  else
    result = g_log_writer_default (level, fields, n_fields, NULL);
  pthread_mutex_unlock (&sink_lock);

  return result;
}

/* ---- the queue ---- */

/* HOLDS: queue_lock */
static void
push_locked (Record *record)
{
  if (queue_tail != NULL)
    queue_tail->next = record;
  else
    queue_head = record;
  queue_tail = record;
  queue_length++;
  n_queued++;
  pthread_cond_signal (&queue_cond);
}

/* HOLDS: queue_lock. Puts the count of the records dropped so far in the
 * queue, where they went missing. Allowed past max_queued: the report
 * must not be dropped itself. */
static void
push_drop_report_locked (void)
{
  Record *report;

  if (pending_dropped == 0)
    return;

  report = drop_report_new (pending_dropped, capacity);
  pending_dropped = 0;
  push_locked (report);
}

/* HOLDS: queue_lock */
static Record *
pop_locked (void)
{
  Record *record = queue_head;

  queue_head = record->next;
  if (queue_head == NULL)
    queue_tail = NULL;
  queue_length--;

  return record;
}

static gpointer
worker_main (gpointer data)
{
  pthread_mutex_lock (&queue_lock);
  for (;;)
    {
      Record *record;

      if (queue_head == NULL)
        push_drop_report_locked ();
      if (queue_head == NULL)
        {
          if (worker_stopping)
            break;
          pthread_cond_wait (&queue_cond, &queue_lock);
          continue;
        }

      record = pop_locked ();
      pthread_mutex_unlock (&queue_lock);

      write_to_sink (record->level, record->fields, record->n_fields);
      g_free (record);

      pthread_mutex_lock (&queue_lock);
      n_written++;
      pthread_cond_broadcast (&done_cond);
    }
  pthread_mutex_unlock (&queue_lock);

  return NULL;
}

static gboolean
in_worker (void)
{
  gboolean result;

  pthread_mutex_lock (&queue_lock);
  result = worker_started && pthread_equal (worker, pthread_self ());
  pthread_mutex_unlock (&queue_lock);

  return result;
}

/**
 * gaio_log_threaded_writer_flush:
 *
 * Blocks until every record queued before the call, and the count of
 * the records dropped so far, has been written to the sink. Called on
 * the writer's thread (from a sink), it returns at once.
 *
 * The writer flushes by itself at exit and before a fatal record.
 *
 * Since: 1.0
 */
void
gaio_log_threaded_writer_flush (void)
{
  guint64 target;

  if (in_worker ())
    return;

  pthread_mutex_lock (&queue_lock);
  if (worker_started)
    {
      push_drop_report_locked ();
      target = n_queued;
      while (n_written < target)
        pthread_cond_wait (&done_cond, &queue_lock);
    }
  pthread_mutex_unlock (&queue_lock);
}

/* At exit (and at unload, should the library ever be unloaded): write
 * what is queued, then stop and join the thread. */
__attribute__((destructor)) static void
flush_at_exit (void)
{
  gboolean started;

  gaio_log_threaded_writer_flush ();

  pthread_mutex_lock (&queue_lock);
  started = worker_started;
  worker_stopping = TRUE;
  pthread_cond_signal (&queue_cond);
  pthread_mutex_unlock (&queue_lock);

  if (started && !pthread_equal (worker, pthread_self ()))
    pthread_join (worker, NULL);
}

/* HOLDS: queue_lock */
static void
ensure_worker_locked (void)
{
  sigset_t all, old;

  if (worker_started || worker_stopping)
    return;

  /* The thread must never take a signal meant for the application (our
   * own signal handlers, GLib's unix signal sources). */
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &old);
  worker_started = pthread_create (&worker, NULL, worker_main, NULL) == 0;
  pthread_sigmask (SIG_SETMASK, &old, NULL);

  if (worker_started)
    pthread_setname_np (worker, "gaio-log");
}

/* ---- fatal records ---- */

static GLogLevelFlags
get_always_fatal_mask (void)
{
  /* GLib has no getter: set and restore. Done once, the first time a
   * record is written (g_test_init() and G_DEBUG=fatal-warnings set the
   * mask before that), and again by set_sink(). */
  if (_gaio_once_enter (&fatal_mask_probed))
    {
      GLogLevelFlags mask = g_log_set_always_fatal (G_LOG_FATAL_MASK);

      g_log_set_always_fatal (mask);
      g_atomic_int_set (&always_fatal_mask, mask);
      _gaio_once_leave (&fatal_mask_probed, 1);
    }

  return (GLogLevelFlags) g_atomic_int_get (&always_fatal_mask);
}

static gboolean
is_old_api (const GLogField *fields,
            gsize            n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "GLIB_OLD_LOG_API") == 0)
      return TRUE;

  return FALSE;
}

static gboolean
is_fatal (GLogLevelFlags   level,
          const GLogField *fields,
          gsize            n_fields)
{
  if (level & (G_LOG_FLAG_FATAL | G_LOG_LEVEL_ERROR))
    return TRUE;
  if (level & get_always_fatal_mask () & G_LOG_LEVEL_MASK)
    return TRUE;

  /* g_log() aborts after the writer returns when the domain's fatal
   * mask (g_log_set_fatal_mask()) has the level, and the writer is not
   * told: do not risk losing the record. */
  return (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) && is_old_api (fields, n_fields);
}

/**
 * gaio_log_writer_threaded:
 * @log_level: the record's level
 * @fields: (array length=n_fields): the record's fields
 * @n_fields: the number of fields
 * @user_data: unused
 *
 * A #GLogWriterFunc that hands every record to a background thread,
 * which writes it with the sink (see
 * gaio_log_threaded_writer_set_sink(); g_log_writer_default() by
 * default), so a slow sink (a network journal, a full pipe, a slow disk)
 * never blocks the thread that logs, such as a loop's. This is the
 * "separate thread for handling logs" asyncio's documentation
 * recommends. Install it yourself; libgaio never does:
 *
 * |[<!-- language="C" -->
 * g_log_set_writer_func (gaio_log_writer_threaded, NULL, NULL);
 * ]|
 *
 * Each record is copied, so the caller's fields may go at once. Records
 * reach the sink in the order they were written, from one thread named
 * `gaio-log`. At most gaio_log_threaded_writer_get_max_queued() records
 * wait; beyond that, new records are dropped and counted, and the sink
 * receives a warning in the `Gaio` domain with a `GAIO_LOG_DROPPED`
 * field giving the count, in the place of the records it stands for.
 *
 * Fatal records are written synchronously, after everything queued,
 * before GLib aborts: %G_LOG_LEVEL_ERROR, records with
 * %G_LOG_FLAG_FATAL, levels in the mask of g_log_set_always_fatal() (read
 * when the writer first runs, and again by
 * gaio_log_threaded_writer_set_sink()), and warnings and criticals from
 * the old g_log() API, whose per-domain fatal mask a writer cannot see.
 * At exit, everything queued is written before the process ends.
 *
 * Safe to call from any thread.
 *
 * Returns: %G_LOG_WRITER_HANDLED, or the sink's result for a fatal record
 *
 * Since: 1.0
 */
GLogWriterOutput
gaio_log_writer_threaded (GLogLevelFlags   log_level,
                          const GLogField *fields,
                          gsize            n_fields,
                          gpointer         user_data)
{
  Record *record;

  g_return_val_if_fail (fields != NULL || n_fields == 0, G_LOG_WRITER_UNHANDLED);

  if (is_fatal (log_level, fields, n_fields))
    {
      gaio_log_threaded_writer_flush ();
      return write_to_sink (log_level, fields, n_fields);
    }

  /* Copied before the lock is taken, so that the lock is held for a few
   * pointer moves only. */
  record = record_new (log_level, fields, n_fields);

  pthread_mutex_lock (&queue_lock);
  ensure_worker_locked ();
  if (!worker_started || worker_stopping)
    {
      /* After the exit flush (a record from a later destructor), or if
       * no thread could be started: write it here rather than lose it. */
      pthread_mutex_unlock (&queue_lock);
      g_free (record);
      return write_to_sink (log_level, fields, n_fields);
    }
  if (queue_length >= capacity)
    {
      pending_dropped++;
      total_dropped++;
      pthread_mutex_unlock (&queue_lock);
      g_free (record);
      return G_LOG_WRITER_HANDLED;
    }
  push_drop_report_locked ();
  push_locked (record);
  pthread_mutex_unlock (&queue_lock);

  return G_LOG_WRITER_HANDLED;
}

/**
 * gaio_log_threaded_writer_set_sink:
 * @sink: (nullable) (scope notified) (closure user_data) (destroy notify):
 *   the writer that really writes, or %NULL for g_log_writer_default()
 * @user_data: data for @sink
 * @notify: (nullable): frees @user_data
 *
 * Sets the writer that gaio_log_writer_threaded() hands records to. It
 * runs on the writer's thread (and, for fatal records, on the thread that
 * logs them), one record at a time. The records queued before the call
 * are written to the previous sink first; the previous sink's @notify
 * then runs in the calling thread.
 *
 * This also reads again the mask of g_log_set_always_fatal().
 *
 * Since: 1.0
 */
void
gaio_log_threaded_writer_set_sink (GLogWriterFunc sink,
                                   gpointer       user_data,
                                   GDestroyNotify notify)
{
  GDestroyNotify old_notify;
  gpointer old_data;
  GLogLevelFlags fatal_mask;

  gaio_log_threaded_writer_flush ();

  pthread_mutex_lock (&sink_lock);
  old_notify = sink_notify;
  old_data = sink_data;
  sink_func = sink;
  sink_data = sink != NULL ? user_data : NULL;
  sink_notify = sink != NULL ? notify : NULL;
  /* Restored from the local: a first probe on another thread may store
   * the shared copy meanwhile. */
  fatal_mask = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_always_fatal (fatal_mask);
  g_atomic_int_set (&always_fatal_mask, fatal_mask);
  pthread_mutex_unlock (&sink_lock);

  if (sink == NULL && notify != NULL)
    notify (user_data);
  if (old_notify != NULL)
    old_notify (old_data);
}

/**
 * gaio_log_threaded_writer_set_max_queued:
 * @max_queued: how many records may wait, at least 1
 *
 * Sets the bound of the queue of gaio_log_writer_threaded()
 * (%GAIO_LOG_THREADED_WRITER_DEFAULT_MAX_QUEUED by default). A larger
 * bound absorbs longer bursts at the cost of memory and of a longer
 * flush at exit; a record is the size of its fields.
 *
 * Since: 1.0
 */
void
gaio_log_threaded_writer_set_max_queued (guint max_queued)
{
  g_return_if_fail (max_queued > 0);

  pthread_mutex_lock (&queue_lock);
  capacity = max_queued;
  pthread_mutex_unlock (&queue_lock);
}

/**
 * gaio_log_threaded_writer_get_max_queued:
 *
 * Gets the bound set with gaio_log_threaded_writer_set_max_queued().
 *
 * Returns: the maximum number of waiting records
 *
 * Since: 1.0
 */
guint
gaio_log_threaded_writer_get_max_queued (void)
{
  guint result;

  pthread_mutex_lock (&queue_lock);
  result = capacity;
  pthread_mutex_unlock (&queue_lock);

  return result;
}

/**
 * gaio_log_threaded_writer_get_n_dropped:
 *
 * The number of records gaio_log_writer_threaded() dropped since the
 * program started because its queue was full.
 *
 * Returns: the number of dropped records
 *
 * Since: 1.0
 */
guint64
gaio_log_threaded_writer_get_n_dropped (void)
{
  guint64 result;

  pthread_mutex_lock (&queue_lock);
  result = total_dropped;
  pthread_mutex_unlock (&queue_lock);

  return result;
}
