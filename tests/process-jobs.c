/* process-jobs.c: job functions the process-pool tests run in workers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Compiled into the test program (whose workers are the program itself)
 * and into the test worker executable, so every case runs the same jobs
 * in both modes.
 */

#include "process-jobs.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

G_DEFINE_QUARK (process-jobs-error-quark, process_jobs_error)

static guint jobs_run;
static char *init_value;

gboolean
job_square (GaioJob *job, gpointer user_data, GError **error)
{
  gint32 x;

  g_variant_get (gaio_job_get_args (job), "(i)", &x);
  gaio_job_set_result_int64 (job, (gint64) x * x);
  jobs_run++;
  return TRUE;
}

gboolean
job_echo (GaioJob *job, gpointer user_data, GError **error)
{
  g_autoptr(GVariant) inner = NULL;

  g_variant_get (gaio_job_get_args (job), "(v)", &inner);
  gaio_job_set_result_variant (job, inner);
  jobs_run++;
  return TRUE;
}

gboolean
job_getpid (GaioJob *job, gpointer user_data, GError **error)
{
  gaio_job_set_result_int64 (job, getpid ());
  jobs_run++;
  return TRUE;
}

gboolean
job_fail (GaioJob *job, gpointer user_data, GError **error)
{
  const char *domain, *message;
  gint32 code;

  g_variant_get (gaio_job_get_args (job), "(&si&s)", &domain, &code, &message);
  g_set_error_literal (error, g_quark_from_string (domain), code, message);
  jobs_run++;
  return FALSE;
}

gboolean
job_sleep (GaioJob *job, gpointer user_data, GError **error)
{
  GCancellable *cancellable = gaio_job_get_cancellable (job);
  guint32 ms;
  gint64 end;

  g_variant_get (gaio_job_get_args (job), "(u)", &ms);
  end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  jobs_run++;
  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (1000);
    }

  gaio_job_set_result_boolean (job, TRUE);
  return TRUE;
}

gboolean
job_exit (GaioJob *job, gpointer user_data, GError **error)
{
  gint32 status;

  g_variant_get (gaio_job_get_args (job), "(i)", &status);
  exit (status);
}

gboolean
job_crash (GaioJob *job, gpointer user_data, GError **error)
{
  /* A crash without a core dump: the test machines should not fill up. */
  signal (SIGSEGV, SIG_DFL);
  raise (SIGKILL);
  return FALSE;
}

gboolean
job_getenv (GaioJob *job, gpointer user_data, GError **error)
{
  const char *name;

  g_variant_get (gaio_job_get_args (job), "(&s)", &name);
  gaio_job_set_result_string (job, g_getenv (name));
  jobs_run++;
  return TRUE;
}

gboolean
job_print (GaioJob *job, gpointer user_data, GError **error)
{
  const char *text;

  g_variant_get (gaio_job_get_args (job), "(&s)", &text);
  fprintf (stderr, "stderr: %s\n", text);
  printf ("stdout: %s\n", text);
  fflush (stdout);
  jobs_run++;
  return TRUE;
}

gboolean
job_count (GaioJob *job, gpointer user_data, GError **error)
{
  jobs_run++;
  gaio_job_set_result_variant (job, g_variant_new_uint32 (jobs_run));
  return TRUE;
}

gboolean
job_init_store (GaioJob *job, gpointer user_data, GError **error)
{
  g_variant_get (gaio_job_get_args (job), "(s)", &init_value);
  return TRUE;
}

gboolean
job_get_init (GaioJob *job, gpointer user_data, GError **error)
{
  gaio_job_set_result_string (job, init_value);
  return TRUE;
}

gboolean
job_init_fail (GaioJob *job, gpointer user_data, GError **error)
{
  g_set_error_literal (error, PROCESS_JOBS_ERROR, 7, "the initializer refuses");
  return FALSE;
}

gboolean
job_big_result (GaioJob *job, gpointer user_data, GError **error)
{
  guint32 size;
  guint8 *data;

  g_variant_get (gaio_job_get_args (job), "(u)", &size);
  data = g_malloc (size);
  memset (data, 'x', size);
  gaio_job_set_result_variant (job, g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING,
                                                             data, size, TRUE, g_free, data));
  return TRUE;
}

gboolean
job_pointer_result (GaioJob *job, gpointer user_data, GError **error)
{
  gaio_job_set_result_pointer (job, g_strdup ("local"), g_free);
  return TRUE;
}

gboolean
job_cpu_bound (GaioJob *job, gpointer user_data, GError **error)
{
  unsigned __int128 sum = 0;
  char digits[48];
  gsize n = sizeof digits - 1;
  guint32 limit;

  g_variant_get (gaio_job_get_args (job), "(u)", &limit);
  for (guint64 i = 0; i < limit; i++)
    sum += (unsigned __int128) (i * i);

  digits[n] = '\0';
  do
    {
      digits[--n] = '0' + (char) (sum % 10);
      sum /= 10;
    }
  while (sum != 0);

  gaio_job_set_result_string (job, digits + n);
  return TRUE;
}

gboolean
job_nested_pool (GaioJob *job, gpointer user_data, GError **error)
{
  g_autoptr(GaioLoop) loop = gaio_loop_new (g_main_context_get_thread_default ());
  g_autoptr(GaioProcessPoolExecutor) pool = gaio_process_pool_executor_new (1);
  g_autoptr(GaioFuture) future = NULL;
  gboolean ok;

  future = gaio_loop_run_in_executor (loop, GAIO_EXECUTOR (pool), job_noop, NULL, NULL, NULL);
  ok = gaio_loop_run_until_complete (loop, future, NULL, error);
  gaio_executor_shutdown (GAIO_EXECUTOR (pool), TRUE, FALSE);
  gaio_loop_close (loop, NULL);
  return ok;
}

gboolean
job_noop (GaioJob *job, gpointer user_data, GError **error)
{
  return TRUE;
}

gboolean
job_typed (GaioJob *job, gpointer user_data, GError **error)
{
  guint8 which;
  g_autoptr(GBytes) bytes = NULL;

  g_variant_get (gaio_job_get_args (job), "(y)", &which);
  switch (which)
    {
    case 'x': gaio_job_set_result_int64 (job, G_MININT64); break;
    case 't': gaio_job_set_result_uint64 (job, G_MAXUINT64); break;
    case 'd': gaio_job_set_result_double (job, 0.25); break;
    case 'b': gaio_job_set_result_boolean (job, TRUE); break;
    case 's': gaio_job_set_result_string (job, "text"); break;
    case 'n': gaio_job_set_result_string (job, NULL); break;
    case 'a':
      bytes = g_bytes_new ("\0\1\2", 3);
      gaio_job_set_result_bytes (job, bytes);
      break;
    default: break;
    }
  return TRUE;
}

gboolean
process_jobs_exported_triple (GaioJob *job, gpointer user_data, GError **error)
{
  gint32 x;

  g_variant_get (gaio_job_get_args (job), "(i)", &x);
  gaio_job_set_result_int64 (job, 3 * (gint64) x);
  return TRUE;
}

static gboolean
unregistered_static (GaioJob *job, gpointer user_data, GError **error)
{
  return TRUE;
}

GaioJobFunc
process_jobs_get_unregistered_static (void)
{
  return unregistered_static;
}

void
process_jobs_register (void)
{
  GAIO_PROCESS_POOL_REGISTER (job_square);
  GAIO_PROCESS_POOL_REGISTER (job_echo);
  GAIO_PROCESS_POOL_REGISTER (job_getpid);
  GAIO_PROCESS_POOL_REGISTER (job_fail);
  GAIO_PROCESS_POOL_REGISTER (job_sleep);
  GAIO_PROCESS_POOL_REGISTER (job_exit);
  GAIO_PROCESS_POOL_REGISTER (job_crash);
  GAIO_PROCESS_POOL_REGISTER (job_getenv);
  GAIO_PROCESS_POOL_REGISTER (job_print);
  GAIO_PROCESS_POOL_REGISTER (job_count);
  GAIO_PROCESS_POOL_REGISTER (job_init_store);
  GAIO_PROCESS_POOL_REGISTER (job_get_init);
  GAIO_PROCESS_POOL_REGISTER (job_init_fail);
  GAIO_PROCESS_POOL_REGISTER (job_big_result);
  GAIO_PROCESS_POOL_REGISTER (job_pointer_result);
  GAIO_PROCESS_POOL_REGISTER (job_cpu_bound);
  GAIO_PROCESS_POOL_REGISTER (job_nested_pool);
  GAIO_PROCESS_POOL_REGISTER (job_noop);
  GAIO_PROCESS_POOL_REGISTER (job_typed);
}
