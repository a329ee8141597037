/* gaio-process-pool-worker.c: the worker side of process pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A worker is a child process a GaioProcessPoolExecutor started with
 * GAIO_PROCESS_POOL_WORKER in its environment and two pipes as its stdin
 * and stdout. It is either the pool's own program, which turns into a
 * worker in gaio_process_pool_executor_worker_guard() first thing in main() (the
 * analogue of Python's `if __name__ == '__main__':`), or a worker
 * executable whose main() is gaio_process_pool_executor_worker_main().
 *
 * The guard takes the pipes over (the program's stdout becomes its
 * stderr, which the pool logs, and its stdin /dev/null), says HELLO,
 * reads the pool's CONFIG, runs the initializer, then serves CALLs until
 * the pool closes the pipe, and exits. Nothing after the guard in main()
 * runs in a worker.
 *
 * Two threads serve:
 *
 *  - the main thread runs jobs one after the other and writes their
 *    outcomes. Results are written in batches: after a job, the output is
 *    flushed only when no other call is waiting, when it has grown large,
 *    or when its oldest result has waited long enough. Many small jobs
 *    thus cost one write(2) per batch, while a lone job's result leaves
 *    at once.
 *  - the main thread also reads the pool's frames while it has nothing
 *    to run, so a lone call costs no hand-over between threads. Once it
 *    has been busy for a while (READER_TICK_US), a reader thread reads
 *    instead, queues CALLs, and acts on CANCELs at once, so that a long
 *    job sees its GCancellable cancelled while it runs, and on WITHDRAWs,
 *    answering for a dropped call itself (out_lock keeps its frame and
 *    the main thread's apart). Short jobs never
 *    wake the reader: on a small machine, two thread hand-overs per job
 *    cost more than the job's round trip itself.
 *
 * A worker never starts workers itself (the pool refuses to in a process
 * started as a worker), so a program whose workers run into its own pool
 * code cannot fork without end. A program that forgot the guard is
 * caught where it reaches libgaio (a loop or a pool is created): it says
 * so on stderr and in a FATAL frame on the pipe, whose message the
 * parent's futures fail with, and exits (gaio-process-pool-role.c holds
 * that check and the two flags, "started as a worker" and "the guard
 * ran", so that the loop can ask for them without reaching this file). A
 * program that never reaches libgaio is caught by the parent's handshake
 * timeout instead.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "gaio-job-private.h"
#include "gaio-process-pool-registry-private.h"
#include "gaio-process-pool-role-private.h"
#include "gaio-process-pool-worker-private.h"
#include "gaio-tsan-private.h"
#include "gaio-process-pool-wire-private.h"

/* Results wait in the output buffer at most this long, or until it holds
 * this much, while more calls are queued. */
#define FLUSH_AGE_US  200
#define FLUSH_SIZE    (64 * 1024)

/* The reader thread takes the input over once the main thread has been
 * busy (running jobs, writing results) for one of its ticks, which it
 * counts while the worker is active or was within READER_LINGER_US;
 * after that it sleeps until the next job. */
#define READER_TICK_US    (1 * G_TIME_SPAN_MILLISECOND)
#define READER_LINGER_US  (20 * G_TIME_SPAN_MILLISECOND)

static char    *parent_argv0;        /* (owned) set by the guard in the parent */

typedef struct
{
  guint64   id;
  GVariant *body;                    /* (owned) a CALL body */
} Call;

typedef struct
{
  int             in_fd;             /* frames from the pool (blocking) */
  int             out_fd;            /* frames to the pool (blocking) */
  guint           max_tasks;         /* 0: no limit */
  gsize           max_body;          /* the largest body the pool accepts */

  GMutex          lock;
  GCond           cond;
  /* Protected by lock: */
  GQueue          calls;             /* (element-type Call) (owned) */
  GHashTable     *cancelled;         /* (owned) ids cancelled while queued */
  guint64         current_id;        /* the call taken last */
  GaioJob        *current_job;       /* (nullable) the job running now */
  gboolean        current_cancelled; /* CANCEL came before it started */
  gboolean        eof;               /* the input ended (or failed) */
  gboolean        reader_reads;      /* the input is the reader thread's */
  gboolean        give_back;         /* the main thread wants the input back */
  gboolean        quit;              /* the reader thread must stop */
  gboolean        busy;              /* the main thread is not reading the input */
  guint           busy_serial;       /* counts its turns from reading to busy */
  gint64          idle_since_us;     /* when it last started reading */
  gboolean        reader_asleep;     /* the reader waits without a tick */

  /* Whoever owns the input (reader_reads says who): */
  GaioWireReader  reader;
  int             wake_fds[2];       /* a pipe that interrupts the reader's poll() */

  /* Held around every write(2) to out_fd, so that frames from the main
   * thread and the reader thread's WITHDRAW answers never interleave.
   * Lock order: lock, then out_lock. */
  GMutex          out_lock;

  /* Main thread only: */
  GByteArray     *out;               /* (owned) */
  gint64          first_unflushed_us;
  char           *last_name;         /* (owned) (nullable) the function called last */
  GaioJobFunc     last_func;
} Server;

/* The lock, told to ThreadSanitizer (see gaio-tsan-private.h). */
static inline void
server_lock (Server *server)
{
  g_mutex_lock (&server->lock);
  GAIO_TSAN_ACQUIRE (&server->lock);
}

static inline void
server_unlock (Server *server)
{
  GAIO_TSAN_RELEASE (&server->lock);
  g_mutex_unlock (&server->lock);
}

static inline void
server_wait (Server *server)
{
  GAIO_TSAN_RELEASE (&server->lock);
  g_cond_wait (&server->cond, &server->lock);
  GAIO_TSAN_ACQUIRE (&server->lock);
}

const char *
_gaio_process_pool_get_argv0 (void)
{
  return parent_argv0;
}

/**
 * gaio_process_pool_executor_is_worker:
 *
 * Whether this process was started as a worker of a
 * [class@Gaio.ProcessPoolExecutor]. In a worker, the code of jobs runs;
 * starting a process pool there fails, so that workers never start
 * workers.
 *
 * Returns: %TRUE in a worker process
 *
 * Since: 1.0
 */
gboolean
gaio_process_pool_executor_is_worker (void)
{
  return _gaio_process_pool_started_as_worker ();
}

/* --- output (main thread) ---------------------------------------------- */

/* Any thread. */
static gboolean
write_frames (Server       *server,
              const guint8 *data,
              gsize         left)
{
  gboolean ok = TRUE;

  g_mutex_lock (&server->out_lock);
  GAIO_TSAN_ACQUIRE (&server->out_lock);
  while (left > 0)
    {
      gssize n = write (server->out_fd, data, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          ok = FALSE;   /* the pool went away: nobody wants the rest */
          break;
        }
      data += n;
      left -= n;
    }
  GAIO_TSAN_RELEASE (&server->out_lock);
  g_mutex_unlock (&server->out_lock);

  return ok;
}

static gboolean
flush_output (Server *server)
{
  if (!write_frames (server, server->out->data, server->out->len))
    return FALSE;

  g_byte_array_set_size (server->out, 0);
  return TRUE;
}

static void
append_frame (Server       *server,
              GaioWireKind  kind,
              guint64       id,
              GVariant     *body)
{
  g_autoptr(GError) error = NULL;

  if (server->out->len == 0)
    server->first_unflushed_us = g_get_monotonic_time ();

  if (_gaio_wire_append (server->out, kind, id, body, server->max_body, &error))
    return;

  /* Too big for the pool: the job fails instead, with the reason. */
  _gaio_wire_append (server->out, GAIO_WIRE_ERROR, id, _gaio_wire_error_body (error),
                     server->max_body, NULL);
}

static void
append_error (Server       *server,
              GaioWireKind  kind,
              guint64       id,
              const GError *error)
{
  append_frame (server, kind, id, _gaio_wire_error_body (error));
}

/* --- input -------------------------------------------------------------- */

/* Reads until the reader has a frame. FALSE at the end of the stream or
 * on an error (with @error set then). */
static gboolean
read_frame (int              fd,
            GaioWireReader  *reader,
            GaioWireFrame   *frame,
            GError         **error)
{
  for (;;)
    {
      GaioWirePop pop = _gaio_wire_reader_pop (reader, frame, error);
      gsize available;
      guint8 *space;
      gssize n;

      if (pop == GAIO_WIRE_POP_FRAME)
        return TRUE;
      if (pop == GAIO_WIRE_POP_ERROR)
        return FALSE;

      space = _gaio_wire_reader_reserve (reader, &available);
      do
        n = read (fd, space, available);
      while (n < 0 && errno == EINTR);

      if (n == 0)
        return FALSE;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot read from the process pool: %s", g_strerror (saved_errno));
          return FALSE;
        }
      _gaio_wire_reader_commit (reader, n);
    }
}

static void
call_free (Call *call)
{
  g_variant_unref (call->body);
  g_free (call);
}

/* HOLDS: lock */
static void
cancel_locked (Server  *server,
               guint64  id)
{
  /* Calls run in the order they came, and ids grow: an id above the
   * current one is still queued, a lower one is done (the CANCEL crossed
   * its result) and is ignored. */
  if (id == server->current_id)
    {
      if (server->current_job != NULL)
        _gaio_job_cancel_running (server->current_job);
      else
        server->current_cancelled = TRUE;
    }
  else if (id > server->current_id)
    g_hash_table_add (server->cancelled, g_memdup2 (&id, sizeof id));
}

/* HOLDS: lock. A WITHDRAW drops a call that is still queued and says
 * so at once, whichever thread reads (the main thread may be running a
 * long job); the call that runs or has run is left alone: the pool takes
 * back what has not started (shutdown's cancel_futures), never
 * interrupts a job. The pool sends CALLs before their WITHDRAW on the
 * same pipe, so a call not found queued has been taken already. */
static void
withdraw_locked (Server  *server,
                 guint64  id)
{
  g_autoptr(GByteArray) answer = NULL;
  g_autoptr(GError) cancelled = NULL;

  for (GList *link = server->calls.head; link != NULL; link = link->next)
    {
      Call *call = link->data;

      if (call->id != id)
        continue;

      g_queue_delete_link (&server->calls, link);
      call_free (call);

      cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      answer = g_byte_array_new ();
      _gaio_wire_append (answer, GAIO_WIRE_ERROR, id, _gaio_wire_error_body (cancelled),
                         server->max_body, NULL);
      /* A pool that went away reads nothing: the main thread finds the
       * end of its input. */
      write_frames (server, answer->data, answer->len);
      return;
    }
}

/* HOLDS: lock. Queues a CALL, acts on a CANCEL or a WITHDRAW. */
static gboolean
dispatch_frame_locked (Server         *server,
                       GaioWireFrame  *frame,
                       GError        **error)
{
  Call *call;

  if (frame->kind == GAIO_WIRE_CANCEL)
    {
      cancel_locked (server, frame->job_id);
      return TRUE;
    }
  if (frame->kind == GAIO_WIRE_WITHDRAW)
    {
      withdraw_locked (server, frame->job_id);
      return TRUE;
    }
  if (frame->kind != GAIO_WIRE_CALL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Unexpected %s frame from the process pool",
                   _gaio_wire_kind_to_string (frame->kind));
      return FALSE;
    }

  call = g_new (Call, 1);
  call->id = frame->job_id;
  call->body = g_steal_pointer (&frame->body);
  g_queue_push_tail (&server->calls, call);
  return TRUE;
}

/* HOLDS: lock. The input ended or failed: nothing more will come. */
static void
input_ended_locked (Server       *server,
                    const GError *error)
{
  if (error != NULL && !server->eof)
    g_printerr ("gaio worker %d: %s\n", (int) getpid (), error->message);
  server->eof = TRUE;
  server->reader_reads = FALSE;
  g_cond_broadcast (&server->cond);
}

/* Reads what the input holds (the input is blocking: the read waits for
 * something, unless poll() said it is readable), unless @do_read is
 * FALSE, and dispatches every complete frame buffered. FALSE once the
 * input is over. */
static gboolean
read_available (Server   *server,
                gboolean  do_read)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (do_read)
    {
      gsize available;
      guint8 *space = _gaio_wire_reader_reserve (&server->reader, &available);
      gssize n;

      do
        n = read (server->in_fd, space, available);
      while (n < 0 && errno == EINTR);
      if (n <= 0)
        ok = FALSE;
      else
        _gaio_wire_reader_commit (&server->reader, n);
    }

  server_lock (server);
  while (ok)
    {
      GaioWireFrame frame = { 0 };
      GaioWirePop pop = _gaio_wire_reader_pop (&server->reader, &frame, &error);

      if (pop == GAIO_WIRE_POP_NEED_MORE)
        break;
      ok = pop == GAIO_WIRE_POP_FRAME && dispatch_frame_locked (server, &frame, &error);
      _gaio_wire_frame_clear (&frame);
    }
  /* Nobody waits for calls: the main thread reads for itself when it has
   * none, or takes the input back. */
  if (!ok)
    input_ended_locked (server, error);
  server_unlock (server);

  return ok;
}

/* The reader thread reads the input only while the main thread is busy,
 * so that a CANCEL reaches a running job: an idle main thread reads for
 * itself, and a call then costs no hand-over between threads. The reader
 * takes the input over when the main thread has stayed busy for a whole
 * tick (a job that short is not worth cancelling, and wakes nobody), and
 * the main thread takes it back, through the wake pipe, when it runs out
 * of calls. */
static void
reader_wait_locked (Server  *server,
                    guint   *seen_serial)
{
  gint64 now = g_get_monotonic_time ();

  if (server->busy && server->busy_serial == *seen_serial && !server->give_back &&
      !server->eof)
    {
      /* Busy since the last tick. */
      server->reader_reads = TRUE;
      return;
    }
  *seen_serial = server->busy_serial;

  if (server->busy || now - server->idle_since_us < READER_LINGER_US)
    {
      GAIO_TSAN_RELEASE (&server->lock);
      g_cond_wait_until (&server->cond, &server->lock, now + READER_TICK_US);
      GAIO_TSAN_ACQUIRE (&server->lock);
      return;
    }

  /* Idle for a while: no ticks until the next job wakes us. */
  server->reader_asleep = TRUE;
  server_wait (server);
  server->reader_asleep = FALSE;
}

static gpointer
reader_thread (gpointer data)
{
  Server *server = data;
  guint seen_serial = 0;

  server_lock (server);
  for (;;)
    {
      struct pollfd fds[2] = {
        { .fd = server->in_fd, .events = POLLIN },
        { .fd = server->wake_fds[0], .events = POLLIN },
      };
      char drain[64];

      if (server->give_back && server->reader_reads)
        {
          /* give_back stays set until the main thread has the input:
           * until then it must not be taken over again. The ticks
           * start over. */
          server->reader_reads = FALSE;
          seen_serial = server->busy_serial - 1;
          g_cond_broadcast (&server->cond);
        }
      if (server->quit)
        break;
      if (!server->reader_reads)
        {
          reader_wait_locked (server, &seen_serial);
          continue;
        }

      server_unlock (server);
      if (poll (fds, 2, -1) < 0 && errno != EINTR)
        fds[0].revents = POLLERR;
      if (fds[1].revents != 0)
        while (read (server->wake_fds[0], drain, sizeof drain) > 0)
          ;
      if (fds[0].revents != 0)
        read_available (server, TRUE);
      server_lock (server);
    }
  server_unlock (server);

  return NULL;
}

/* HOLDS: lock. Takes the input back from the reader thread. */
static void
take_input_back_locked (Server *server)
{
  static const char one = 1;

  server->give_back = TRUE;
  if (write (server->wake_fds[1], &one, 1) < 0)
    {
      /* EAGAIN: a wake-up is pending already. */
    }
  g_cond_broadcast (&server->cond);
  while (server->reader_reads)
    server_wait (server);
  server->give_back = FALSE;
}

/* HOLDS: lock. The main thread turns to running jobs: the reader thread
 * starts counting ticks, woken only if it stopped counting. */
static void
set_busy_locked (Server *server)
{
  if (server->busy)
    return;

  server->busy = TRUE;
  server->busy_serial++;
  if (server->reader_asleep)
    g_cond_broadcast (&server->cond);
}

/* --- running calls (main thread) --------------------------------------- */

static void
run_job (Server      *server,
         guint64      id,
         GaioJobFunc  func,
         GVariant    *args)
{
  g_autoptr(GaioJob) job = _gaio_job_new_local (func, args);
  g_autoptr(GError) error = NULL;
  GVariant *body = NULL;
  gboolean is_pointer;
  gboolean cancelled;
  gint64 start;

  server_lock (server);
  cancelled = server->current_cancelled;
  if (!cancelled)
    server->current_job = job;
  server_unlock (server);

  if (cancelled)
    {
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      append_error (server, GAIO_WIRE_ERROR, id, error);
      return;
    }

  start = g_get_monotonic_time ();
  if (_gaio_job_invoke (job, &error))
    body = _gaio_wire_result_body (_gaio_job_peek_result (job, &is_pointer),
                                   g_get_monotonic_time () - start, &error);

  server_lock (server);
  server->current_job = NULL;
  server_unlock (server);

  if (body != NULL)
    append_frame (server, GAIO_WIRE_RESULT, id, body);
  else
    append_error (server, GAIO_WIRE_ERROR, id, error);
}

static void
run_call (Server *server,
          Call   *call)
{
  g_autoptr(GVariant) args = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  GaioJobFunc func;

  name = _gaio_wire_parse_call (call->body, &args);

  /* Streams of jobs mostly call one function: skip the lookup. */
  if (server->last_name != NULL && strcmp (name, server->last_name) == 0)
    func = server->last_func;
  else if ((func = _gaio_process_registry_lookup (name, &error)) != NULL)
    {
      g_free (server->last_name);
      server->last_name = g_strdup (name);
      server->last_func = func;
    }

  if (func == NULL)
    append_error (server, GAIO_WIRE_ERROR, call->id, error);
  else
    run_job (server, call->id, func, args);
}

/* Takes the next call; NULL once the pool closed the pipe and every call
 * is done. Flushes the output before it waits, and reads the input itself
 * when it has nothing to do. */
static Call *
next_call (Server *server)
{
  Call *call;

  server_lock (server);
  while (g_queue_is_empty (&server->calls))
    {
      if (server->out->len > 0)
        {
          server_unlock (server);
          if (!flush_output (server))
            return NULL;
          server_lock (server);
          continue;
        }
      if (server->eof)
        {
          server_unlock (server);
          return NULL;
        }
      if (server->reader_reads)
        {
          take_input_back_locked (server);
          continue;
        }

      /* Blocks in read(): the input is ours. */
      server->busy = FALSE;
      server->idle_since_us = g_get_monotonic_time ();
      server_unlock (server);
      /* A plain blocking read(2): a poll(2) first would cost a system
       * call and a wait-queue round more per call. */
      read_available (server, TRUE);
      server_lock (server);
    }

  call = g_queue_pop_head (&server->calls);
  server->current_id = call->id;
  server->current_cancelled = g_hash_table_remove (server->cancelled, &call->id);
  set_busy_locked (server);
  server_unlock (server);

  return call;
}

static void
serve_calls (Server *server)
{
  guint n_done = 0;
  Call *call;

  while ((call = next_call (server)) != NULL)
    {
      run_call (server, call);
      call_free (call);
      n_done++;

      if (server->max_tasks != 0 && n_done >= server->max_tasks)
        break;
      if (server->out->len >= FLUSH_SIZE ||
          g_get_monotonic_time () - server->first_unflushed_us >= FLUSH_AGE_US)
        if (!flush_output (server))
          return;
    }

  flush_output (server);
}

/* --- start-up ----------------------------------------------------------- */

/* The pipes move off fds 0 and 1, so that what the program prints (to
 * stdout or stderr) reaches the pool's log rather than the pipe, and
 * reading stdin finds nothing, as in Python's workers. */
static gboolean
take_over_stdio (Server  *server,
                 GError **error)
{
  int null_fd;

  server->in_fd = fcntl (STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  server->out_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (server->in_fd < 0 || server->out_fd < 0 || null_fd < 0 ||
      dup2 (null_fd, STDIN_FILENO) < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot set up the worker's pipes: %s", g_strerror (saved_errno));
      return FALSE;
    }
  close (null_fd);

  /* The parent's I/O thread blocks SIGPIPE, and children inherit masks;
   * a worker wants its default (dying when the pool is gone). */
  {
    sigset_t set;

    sigemptyset (&set);
    sigaddset (&set, SIGPIPE);
    pthread_sigmask (SIG_UNBLOCK, &set, NULL);
  }

  setvbuf (stdout, NULL, _IOLBF, 0);

  return g_unix_set_fd_nonblocking (server->in_fd, FALSE, error) &&
         g_unix_set_fd_nonblocking (server->out_fd, FALSE, error);
}

static gboolean
run_initializer (Server      *server,
                 const char  *name,
                 GVariant    *initargs,
                 GError     **error)
{
  g_autoptr(GaioJob) job = NULL;
  GaioJobFunc func;

  if (*name == '\0')
    return TRUE;

  func = _gaio_process_registry_lookup (name, error);
  if (func == NULL)
    return FALSE;

  job = _gaio_job_new_local (func, initargs);
  return _gaio_job_invoke (job, error);
}

/* HELLO, then the pool's CONFIG and the initializer. */
static gboolean
handshake (Server  *server,
           GError **error)
{
  GaioWireFrame frame = { 0 };
  g_autoptr(GVariant) initargs = NULL;
  g_autoptr(GError) init_error = NULL;
  const char *initializer;
  guint64 max_body;
  gboolean ok;

  append_frame (server, GAIO_WIRE_HELLO, 0,
                g_variant_new ("(ux)", (guint32) GAIO_WIRE_VERSION, (gint64) getpid ()));
  if (!flush_output (server))
    return FALSE;

  if (!read_frame (server->in_fd, &server->reader, &frame, error))
    return FALSE;
  if (frame.kind != GAIO_WIRE_CONFIG)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The process pool sent %s before CONFIG",
                   _gaio_wire_kind_to_string (frame.kind));
      _gaio_wire_frame_clear (&frame);
      return FALSE;
    }

  g_variant_get (frame.body, "(ut&smv)", &server->max_tasks, &max_body, &initializer, &initargs);
  server->max_body = MIN (max_body, GAIO_WIRE_DEFAULT_MAX_BODY);

  ok = run_initializer (server, initializer, initargs, &init_error);
  _gaio_wire_frame_clear (&frame);
  if (!ok)
    {
      append_error (server, GAIO_WIRE_INIT_FAILED, 0, init_error);
      flush_output (server);
      g_propagate_error (error, g_steal_pointer (&init_error));
    }

  return ok;
}

static void
server_clear (Server *server)
{
  g_queue_clear_full (&server->calls, (GDestroyNotify) call_free);
  g_clear_pointer (&server->cancelled, g_hash_table_unref);
  g_clear_pointer (&server->out, g_byte_array_unref);
  g_free (server->last_name);
  _gaio_wire_reader_clear (&server->reader);
  g_mutex_clear (&server->lock);
  g_mutex_clear (&server->out_lock);
  g_cond_clear (&server->cond);
  if (server->in_fd >= 0)
    close (server->in_fd);
  if (server->out_fd >= 0)
    close (server->out_fd);
  for (guint i = 0; i < 2; i++)
    if (server->wake_fds[i] >= 0)
      close (server->wake_fds[i]);
}

static int
serve (void)
{
  Server server = { .in_fd = -1, .out_fd = -1, .wake_fds = { -1, -1 },
                    .max_body = GAIO_WIRE_DEFAULT_MAX_BODY };
  g_autoptr(GError) error = NULL;
  GThread *reader = NULL;
  const char *argv0 = g_getenv (GAIO_WORKER_ARGV0_ENV);
  int status = 0;

  if (argv0 != NULL)
    {
      g_autofree char *basename = g_path_get_basename (argv0);

      g_set_prgname (basename);
    }
  /* Programs the jobs run are not workers. */
  g_unsetenv (GAIO_WORKER_ENV);
  g_unsetenv (GAIO_WORKER_ARGV0_ENV);

  g_mutex_init (&server.lock);
  g_mutex_init (&server.out_lock);
  g_cond_init (&server.cond);
  server.cancelled = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  server.out = g_byte_array_sized_new (4096);
  _gaio_wire_reader_init (&server.reader, GAIO_WIRE_DEFAULT_MAX_BODY);

  if (!take_over_stdio (&server, &error) ||
      !g_unix_open_pipe (server.wake_fds, FD_CLOEXEC, &error) ||
      !g_unix_set_fd_nonblocking (server.wake_fds[0], TRUE, &error) ||
      !g_unix_set_fd_nonblocking (server.wake_fds[1], TRUE, &error) ||
      !handshake (&server, &error))
    status = GAIO_WORKER_EXIT_FAILURE;
  else
    {
      /* Calls may have come with the CONFIG, in the same read. */
      read_available (&server, FALSE);
      reader = g_thread_new ("gaio-worker-reader", reader_thread, &server);
      serve_calls (&server);
    }

  if (error != NULL)
    g_printerr ("gaio worker %d: %s\n", (int) getpid (), error->message);

  /* The reader may be polling (after the last task of
   * max_tasks_per_child): the wake pipe stops it. */
  if (reader != NULL)
    {
      static const char one = 1;

      server_lock (&server);
      server.quit = TRUE;
      g_cond_broadcast (&server.cond);
      server_unlock (&server);
      if (write (server.wake_fds[1], &one, 1) < 0)
        {
          /* EAGAIN: a wake-up is pending already. */
        }
      g_thread_join (reader);
    }

  server_clear (&server);
  return status;
}

/**
 * gaio_process_pool_executor_worker_guard: (skip)
 * @argc: (inout): the address of main()'s `argc`
 * @argv: (inout) (array length=argc) (element-type utf8) (transfer none): the
 *   address of main()'s `argv`
 *
 * The entry-point guard of a program whose process pools run their
 * workers from the program itself (the analogue of Python's
 * `if __name__ == '__main__':`). Call it first thing in main(), after
 * registering the functions jobs use with
 * [func@Gaio.ProcessPoolExecutor.register]:
 *
 * ```c
 * int
 * main (int argc, char **argv)
 * {
 *   GAIO_PROCESS_POOL_REGISTER (cpu_bound);
 *   gaio_process_pool_executor_worker_guard (&argc, &argv);
 *   ...
 * }
 * ```
 *
 * In the program started by the user it only records that the guard is
 * there, and returns at once. In a worker started by a
 * [class@Gaio.ProcessPoolExecutor] it never returns: it serves the pool's
 * jobs and exits the process when the pool lets it go. Nothing the
 * program does after the guard happens in workers.
 *
 * A worker that reaches libgaio without having called it (the guard was
 * forgotten, or comes too late) exits with a message naming the fix, and
 * the pool's futures fail with that message.
 *
 * Language bindings cannot call it: a worker started from
 * `/proc/self/exe` would be the interpreter, not the script, and a
 * worker runs only C functions. A program written in another language
 * gives its pools a worker executable written in C instead, see
 * [ctor@Gaio.ProcessPoolExecutor.new_for_worker] and
 * [func@Gaio.ProcessPoolExecutor.worker_main].
 *
 * Since: 1.0
 */
void
gaio_process_pool_executor_worker_guard (int    *argc,
                                         char ***argv)
{
  g_return_if_fail (argc != NULL);
  g_return_if_fail (argv != NULL);

  _gaio_process_pool_note_guard_called ();

  if (!_gaio_process_pool_started_as_worker ())
    {
      if (parent_argv0 == NULL && *argc > 0 && *argv != NULL && (*argv)[0] != NULL)
        parent_argv0 = g_strdup ((*argv)[0]);
      return;
    }

  exit (serve ());
}

/**
 * gaio_process_pool_executor_worker_main: (skip)
 * @argc: (inout): the address of main()'s `argc`
 * @argv: (inout) (array length=argc) (element-type utf8) (transfer none): the
 *   address of main()'s `argv`
 *
 * The main() of a worker executable, for pools made with
 * [ctor@Gaio.ProcessPoolExecutor.new_for_worker]: lean workers, workers
 * behind a sandbox, workers for programs written in another language.
 * Register the functions first:
 *
 * ```c
 * int
 * main (int argc, char **argv)
 * {
 *   GAIO_PROCESS_POOL_REGISTER (square);
 *   return gaio_process_pool_executor_worker_main (&argc, &argv);
 * }
 * ```
 *
 * Started by a pool, it serves jobs and exits the process. Started any
 * other way, it prints a note on stderr and returns 2.
 *
 * Not for language bindings: a worker runs C functions only (registered,
 * or exported), so the worker executable is a small C program; bindings
 * name its functions with
 * [method@Gaio.ProcessPoolExecutor.submit_named_async].
 *
 * Returns: the exit status for main() when not started by a pool
 *
 * Since: 1.0
 */
int
gaio_process_pool_executor_worker_main (int    *argc,
                                        char ***argv)
{
  g_return_val_if_fail (argc != NULL, 2);
  g_return_val_if_fail (argv != NULL, 2);

  gaio_process_pool_executor_worker_guard (argc, argv);

  g_printerr ("%s: a libgaio process pool worker; it serves the GaioProcessPoolExecutor "
              "that starts it, and does nothing on its own\n",
              *argc > 0 && (*argv)[0] != NULL ? (*argv)[0] : "worker");
  return 2;
}
