/* gaio-test-util.c: helpers shared by the libgaio test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#include "gaio-test-util.h"

#include "gaio-future-private.h"

#include <string.h>

/* Protected by log_lock: */
static GMutex     log_lock;
static GPtrArray *log_records;     /* (element-type GaioTestLogRecord) (owned) */
static gboolean   log_passthrough;

static void
log_record_free (gpointer data)
{
  GaioTestLogRecord *record = data;

  g_free (record->domain);
  g_free (record->message);
  g_hash_table_unref (record->fields);
  g_free (record);
}

static char *
field_dup (const GLogField *field)
{
  if (field->value == NULL)
    return g_strdup ("");
  if (field->length < 0)
    return g_strdup (field->value);
  return g_strndup (field->value, field->length);
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  GaioTestLogRecord *record;
  gboolean passthrough;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
      domain = fields[i].value;

  if (g_strcmp0 (domain, GAIO_LOG_DOMAIN) != 0)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  record = g_new0 (GaioTestLogRecord, 1);
  record->level = log_level & G_LOG_LEVEL_MASK;
  record->domain = g_strdup (domain);
  record->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (gsize i = 0; i < n_fields; i++)
    {
      char *value = field_dup (&fields[i]);

      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        record->message = g_strdup (value);
      g_hash_table_replace (record->fields, g_strdup (fields[i].key), value);
    }

  g_mutex_lock (&log_lock);
  g_ptr_array_add (log_records, record);
  passthrough = log_passthrough;
  g_mutex_unlock (&log_lock);

  if (g_test_verbose ())
    g_printerr ("# captured Gaio record (level 0x%x): %s\n",
                (guint) record->level, record->message ? record->message : "(no message)");

  if (passthrough)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  return G_LOG_WRITER_HANDLED;
}

void
gaio_test_init (int    *argc,
                char ***argv)
{
  g_test_init (argc, argv, NULL);

  /* The tests decide debug mode and resource warnings themselves. */
  g_unsetenv ("GAIO_DEBUG");
  g_unsetenv ("GAIO_RESOURCE_WARNINGS");

  log_records = g_ptr_array_new_with_free_func (log_record_free);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
gaio_test_log_clear (void)
{
  g_mutex_lock (&log_lock);
  g_ptr_array_set_size (log_records, 0);
  g_mutex_unlock (&log_lock);
}

guint
gaio_test_log_count (void)
{
  guint n;

  g_mutex_lock (&log_lock);
  n = log_records->len;
  g_mutex_unlock (&log_lock);

  return n;
}

guint
gaio_test_log_count_level (GLogLevelFlags levels)
{
  guint n = 0;

  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_records->len; i++)
    {
      GaioTestLogRecord *record = g_ptr_array_index (log_records, i);

      if (record->level & levels)
        n++;
    }
  g_mutex_unlock (&log_lock);

  return n;
}

GaioTestLogRecord *
gaio_test_log_get (guint index)
{
  GaioTestLogRecord *record;

  g_mutex_lock (&log_lock);
  g_assert_cmpuint (index, <, log_records->len);
  record = g_ptr_array_index (log_records, index);
  g_mutex_unlock (&log_lock);

  return record;
}

const char *
gaio_test_log_record_field (const GaioTestLogRecord *record,
                            const char              *key)
{
  return g_hash_table_lookup (record->fields, key);
}

void
gaio_test_log_set_passthrough (gboolean passthrough)
{
  g_mutex_lock (&log_lock);
  log_passthrough = passthrough;
  g_mutex_unlock (&log_lock);
}

void
gaio_test_log_dump (void)
{
  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_records->len; i++)
    {
      GaioTestLogRecord *record = g_ptr_array_index (log_records, i);

      g_printerr ("# Gaio record %u (level 0x%x): %s\n", i, (guint) record->level,
                  record->message ? record->message : "(no message)");
    }
  g_mutex_unlock (&log_lock);
}

GaioLoop *
gaio_test_loop_new (void)
{
  GMainContext *context = g_main_context_new ();
  GaioLoop *loop;

  g_main_context_push_thread_default (context);
  loop = gaio_loop_new (NULL);
  g_assert_nonnull (loop);
  g_assert_true (GAIO_IS_LOOP (loop));
  g_assert_true (gaio_loop_get_context (loop) == context);
  g_main_context_unref (context);

  /* Starts each test with an empty log (after the loop's own debug
   * record, "Using GMainContext"). */
  gaio_test_log_clear ();

  return loop;
}

void
gaio_test_loop_free (GaioLoop *loop)
{
  GMainContext *context = g_main_context_ref (gaio_loop_get_context (loop));
  GError *error = NULL;

  g_assert_false (gaio_loop_is_running (loop));
  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_loop_is_closed (loop));

  /* The loop's own source must not keep it alive, nor anything else the
   * test forgot: valgrind would only say "possibly lost". */
  g_assert_finalize_object (loop);

  if (g_main_context_get_thread_default () == context)
    g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  g_assert_null (gaio_get_running_loop ());
  gaio_test_log_assert_no_warnings ();
}

typedef struct
{
  gboolean fired;
} IterateGuard;

static gboolean
iterate_guard_fired (gpointer data)
{
  IterateGuard *guard = data;

  guard->fired = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
gaio_test_iterate_until (GMainContext      *context,
                         GaioTestCondition  condition,
                         gpointer           data,
                         gdouble            timeout_s)
{
  IterateGuard guard = { FALSE };
  GSource *source = g_timeout_source_new ((guint) (timeout_s * 1000));

  g_source_set_callback (source, iterate_guard_fired, &guard, NULL);
  g_source_set_name (source, "gaio-test-iterate-guard");
  g_source_attach (source, context);

  while (!condition (data) && !guard.fired)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (source);
  g_source_unref (source);

  if (guard.fired && !condition (data))
    {
      g_test_fail_printf ("condition not met within %.1f s", timeout_s);
      return FALSE;
    }
  return TRUE;
}

gboolean
gaio_test_flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

void
gaio_test_iterate (GMainContext *context,
                   guint         n)
{
  for (guint i = 0; i < n; i++)
    g_main_context_iteration (context, FALSE);
}

struct _GaioTestGuard
{
  GSource   *source;
  GaioLoop  *loop;        /* (unowned) */
  GMainLoop *main_loop;   /* (unowned) */
  gdouble    timeout_s;
  gboolean   fired;
};

static gboolean
guard_fired (gpointer data)
{
  GaioTestGuard *guard = data;

  guard->fired = TRUE;
  g_test_fail_printf ("the loop was still running after %.1f s", guard->timeout_s);
  if (guard->loop != NULL)
    gaio_loop_stop (guard->loop);
  if (guard->main_loop != NULL)
    g_main_loop_quit (guard->main_loop);
  return G_SOURCE_REMOVE;
}

GaioTestGuard *
gaio_test_guard_new (GaioLoop  *loop,
                     GMainLoop *main_loop,
                     gdouble    timeout_s)
{
  GaioTestGuard *guard = g_new0 (GaioTestGuard, 1);
  GMainContext *context;

  guard->loop = loop;
  guard->main_loop = main_loop;
  guard->timeout_s = timeout_s;
  if (loop != NULL)
    context = gaio_loop_get_context (loop);
  else
    context = g_main_loop_get_context (main_loop);

  guard->source = g_timeout_source_new ((guint) (timeout_s * 1000));
  g_source_set_callback (guard->source, guard_fired, guard, NULL);
  g_source_set_name (guard->source, "gaio-test-guard");
  g_source_attach (guard->source, context);

  return guard;
}

gboolean
gaio_test_guard_finish (GaioTestGuard *guard)
{
  gboolean ok = !guard->fired;

  g_source_destroy (guard->source);
  g_source_unref (guard->source);
  g_free (guard);

  return ok;
}

void
gaio_test_count_notify (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

guint
gaio_test_scale (guint n)
{
  if (g_strcmp0 (g_getenv ("GAIO_TEST_SHRINK"), "1") == 0)
    n /= 100;
  return MAX (n, 1);
}

guint
gaio_test_future_refs (GaioFuture *future)
{
  return (guint) g_atomic_int_get (&future->ref_count);
}
