/* gaio-process-pool-role.c: whether this process is a pool worker
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A process learns before main() whether a GaioProcessPoolExecutor
 * started it as a worker (GAIO_PROCESS_POOL_WORKER in its environment),
 * and records whether its program called gaio_process_pool_executor_worker_guard().
 * The two flags are kept apart from the worker's server
 * (gaio-process-pool-worker.c) because code far below the pool asks for
 * them: a loop being created in a worker that forgot the guard stops the
 * worker here, and a pool refuses to start workers in a worker.
 *
 * The flags are all there is to it, with the one exit that reads them:
 * _gaio_process_pool_check_guard() says on stderr and in a FATAL frame on
 * the pool's pipe (the parent's futures fail with its message) that the
 * guard was forgotten, and exits.
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gaio-process-pool-role-private.h"
#include "gaio-process-pool-wire-private.h"

static gboolean started_as_worker;   /* set before main(), read-only after */
static gint     guard_called;        /* (atomic) */

/* Read the environment before main(), so that the pool's refusal to
 * start workers in a worker holds even for a program that never calls
 * the guard. */
__attribute__((constructor)) static void
detect_worker (void)
{
  started_as_worker = getenv (GAIO_WORKER_ENV) != NULL;
}

gboolean
_gaio_process_pool_started_as_worker (void)
{
  return started_as_worker;
}

gboolean
_gaio_process_pool_guard_was_called (void)
{
  return g_atomic_int_get (&guard_called);
}

void
_gaio_process_pool_note_guard_called (void)
{
  g_atomic_int_set (&guard_called, TRUE);
}

static void
write_all (int           fd,
           const guint8 *data,
           gsize         size)
{
  while (size > 0)
    {
      gssize n = write (fd, data, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      data += n;
      size -= n;
    }
}

void
_gaio_process_pool_check_guard (const char *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) frame = NULL;
  g_autofree char *line = NULL;

  if (!started_as_worker || g_atomic_int_get (&guard_called))
    return;

  error = g_error_new (GAIO_ERROR, GAIO_ERROR_BROKEN_EXECUTOR,
                       "A process pool worker (pid %d) ran the program's own code (%s) instead "
                       "of serving jobs: the program must call "
                       "gaio_process_pool_executor_worker_guard (&argc, &argv) first thing in "
                       "main(), before anything else runs (the analogue of Python's "
                       "`if __name__ == '__main__':`), or the pool must be given a worker "
                       "executable (gaio_process_pool_executor_new_for_worker())",
                       (int) getpid (), where);

  line = g_strdup_printf ("%s\n", error->message);
  write_all (STDERR_FILENO, (const guint8 *) line, strlen (line));

  /* The guard did not take stdout over, so it is still the pool's pipe. */
  frame = g_byte_array_new ();
  if (_gaio_wire_append (frame, GAIO_WIRE_FATAL, 0, _gaio_wire_error_body (error),
                         GAIO_WIRE_DEFAULT_MAX_BODY, NULL))
    write_all (STDOUT_FILENO, frame->data, frame->len);

  _exit (GAIO_WORKER_EXIT_FAILURE);
}
