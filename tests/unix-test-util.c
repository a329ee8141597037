/* unix-test-util.c: helpers of the Unix test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include "unix-test-util.h"

#include <pthread.h>
#include <string.h>

typedef struct
{
  GLogLevelFlags  level;
  char           *message;
} Record;

/* Protected by log_lock, which records written from other threads (a
 * process pool's, a reaper's) take too: a pthread mutex rather than a
 * GMutex, whose futex ThreadSanitizer cannot see. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static GArray *log_records;   /* (element-type Record) */

static char   *last_exception;

static void
record_clear (gpointer data)
{
  g_free (((Record *) data)->message);
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  Record record = { log_level & G_LOG_LEVEL_MASK, NULL };

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
        domain = fields[i].value;
      else if (strcmp (fields[i].key, "MESSAGE") == 0)
        record.message = fields[i].length < 0 ? g_strdup (fields[i].value)
                                              : g_strndup (fields[i].value, fields[i].length);
    }

  if (g_strcmp0 (domain, GAIO_LOG_DOMAIN) != 0)
    {
      g_free (record.message);
      return g_log_writer_default (log_level, fields, n_fields, user_data);
    }

  if (g_test_verbose ())
    g_printerr ("# Gaio record (0x%x): %s\n", record.level, record.message);

  pthread_mutex_lock (&log_lock);
  g_array_append_val (log_records, record);
  pthread_mutex_unlock (&log_lock);

  return G_LOG_WRITER_HANDLED;
}

void
unix_test_init (int    *argc,
                char ***argv)
{
  g_test_init (argc, argv, NULL);
  log_records = g_array_new (FALSE, TRUE, sizeof (Record));
  g_array_set_clear_func (log_records, record_clear);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
unix_test_log_clear (void)
{
  pthread_mutex_lock (&log_lock);
  g_array_set_size (log_records, 0);
  pthread_mutex_unlock (&log_lock);
}

guint
unix_test_log_count (void)
{
  guint n;

  pthread_mutex_lock (&log_lock);
  n = log_records->len;
  pthread_mutex_unlock (&log_lock);

  return n;
}

const char *
unix_test_log_message (guint index)
{
  const char *message = NULL;

  pthread_mutex_lock (&log_lock);
  if (index < log_records->len)
    message = g_array_index (log_records, Record, index).message;
  pthread_mutex_unlock (&log_lock);

  return message;
}

GLogLevelFlags
unix_test_log_level (guint index)
{
  GLogLevelFlags level = 0;

  pthread_mutex_lock (&log_lock);
  if (index < log_records->len)
    level = g_array_index (log_records, Record, index).level;
  pthread_mutex_unlock (&log_lock);

  return level;
}

int
unix_test_log_find (const char *needle)
{
  int found = -1;

  pthread_mutex_lock (&log_lock);
  for (guint i = 0; i < log_records->len && found < 0; i++)
    {
      const char *message = g_array_index (log_records, Record, i).message;

      if (message != NULL && strstr (message, needle) != NULL)
        found = (int) i;
    }
  pthread_mutex_unlock (&log_lock);

  return found;
}

GaioLoop *
unix_test_loop_new (void)
{
  GMainContext *context = g_main_context_new ();
  GaioLoop *loop;

  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (context);
  g_main_context_unref (context);

  return loop;
}

void
unix_test_loop_free (GaioLoop *loop)
{
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_ref (gaio_loop_get_context (loop));

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (loop);

  /* Let GLib drop what it still holds for the context (GTask idles). */
  while (g_main_context_iteration (context, FALSE))
    ;
  if (g_main_context_get_thread_default () == context)
    g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static gboolean
flag_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
unix_test_run_until (GaioLoop *loop,
                     gboolean *flag,
                     gdouble   timeout_s)
{
  GMainContext *context = gaio_loop_get_context (loop);
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new ((guint) (timeout_s * 1000));

  g_source_set_callback (timeout, flag_timeout, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!*flag && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  g_source_unref (timeout);

  if (!*flag)
    {
      g_test_message ("timed out after %.1f s", timeout_s);
      g_test_fail ();
      return FALSE;
    }

  return TRUE;
}

static void
set_flag (GaioFuture *future,
          gpointer    data)
{
  *(gboolean *) data = TRUE;
}

gboolean
unix_test_run_until_done (GaioLoop   *loop,
                          GaioFuture *future,
                          gdouble     timeout_s)
{
  gboolean done = gaio_future_is_done (future);
  gboolean ok;

  if (done)
    return TRUE;

  gaio_future_add_done_callback (future, set_flag, &done, NULL);
  ok = unix_test_run_until (loop, &done, timeout_s);
  gaio_future_remove_done_callback (future, set_flag, &done);

  return ok;
}

void
unix_test_iterate (GaioLoop *loop,
                   guint     n)
{
  for (guint i = 0; i < n; i++)
    g_main_context_iteration (gaio_loop_get_context (loop), FALSE);
}

gboolean
unix_test_count_exceptions (GaioLoop              *loop,
                            GaioExceptionContext  *context,
                            gpointer               user_data,
                            GError               **error)
{
  (*(gint *) user_data)++;
  g_free (last_exception);
  last_exception = gaio_exception_context_to_string (context);
  if (g_test_verbose ())
    g_printerr ("# exception: %s\n", last_exception);

  return TRUE;
}

const char *
unix_test_last_exception (void)
{
  return last_exception;
}

void
unix_test_count_notify (gpointer data)
{
  (*(gint *) data)++;
}

guint
unix_test_scale (guint n)
{
  if (g_strcmp0 (g_getenv ("GAIO_TEST_SHRINK"), "1") == 0)
    return MAX (n / 100, 1);

  return n;
}
