/* gaio-handle-slab.c: the memory of handles, carved from slabs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Every call_soon(), call_later() and post from another thread needs a
 * handle, and a loop with 100 000 timers armed at once allocates 100 000
 * of them in a row, which the loop's own cache of handles (a few recent
 * ones) cannot serve. malloc() costs a few hundred instructions a handle
 * there, and when one thread posts handles that the loop's thread frees
 * (call_soon_threadsafe(), executors' outcomes), glibc takes the poster's
 * arena lock on every free().
 *
 * So each thread carves handles one after the other out of a slab of its
 * own: SLAB_BYTES aligned to SLAB_BYTES, a header, then the handles. A
 * slab counts the handles not yet given back (n_live, atomic: any thread
 * frees), and is freed with its last one. The thread carving from a slab
 * holds one more count, so the slab outlives being current; when the slab
 * is full or the thread exits, the carver gives back that count and the
 * handles it never carved. Carving is a bump of n_carved (the carver's
 * alone, on a cache line of its own so that frees from other threads do
 * not bounce it); giving back is one atomic decrement; the slab is found
 * from the handle's address.
 *
 * A thread that frees many handles frees them mostly in the order they
 * were carved (a loop running what another thread posted, one slab after
 * the other), so it does not decrement at every handle: it counts the
 * handles it freed from one slab (SlabThread below) and gives them back
 * in one atomic subtraction when it frees a handle of another slab, or
 * when it exits. At a few hundred handles a slab, that is one
 * atomic operation on a line the carver's frees also write, instead of
 * one a handle (issue 16 measured it at a fifth of the loop thread's
 * time when it runs another thread's posts). A thread that stops freeing
 * keeps its last slab allocated until it frees again or exits: at most
 * SLAB_BYTES a thread.
 *
 * The price: a slab stays allocated while any of its handles lives, so a
 * long-lived handle keeps up to SLAB_BYTES. The loop's cache of handles
 * reuses freed handles before anything is carved, which keeps a loop in a
 * steady state from carving at all.
 *
 * A slab whose handles are all gone is kept for the next one any thread
 * needs, up to MAX_SPARE_SLABS of them, under a lock taken once a slab:
 * a thread posting to a loop that frees its handles would otherwise get
 * fresh memory from malloc() at every slab, which glibc gives back to
 * the kernel and faults in again.
 *
 * Under AddressSanitizer, and under valgrind unless G_SLICE asks for
 * GLib's slices anyway (G_SLICE set, without always-malloc: how callgrind
 * measures this), every handle is a g_malloc() block of its own instead,
 * so that a use after free is caught. ThreadSanitizer follows the atomic
 * counts and sees the slabs allocated and freed; a handle's memory is
 * never carved twice.
 */

#include "config.h"

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#endif

#include "gaio-handle-slab-private.h"
#include "gaio-tls-private.h"
#include "gaio-tsan-private.h"

#include <string.h>

#define SLAB_BYTES       16384
#define LINE_BYTES       64
#define MAX_SPARE_SLABS  32

typedef struct _Slab Slab;

struct _Slab
{
  /* The carver thread's: how many handles it carved, of which size. */
  guint  n_carved;
  guint  size;
  Slab  *next_spare;   /* (nullable) while spare, protected by spare_lock */
  guint8 pad0[LINE_BYTES - 2 * sizeof (guint) - sizeof (Slab *)];
  gint   n_live;                           /* (atomic) see the top of the file */
  guint8 pad1[LINE_BYTES - sizeof (gint)];
};

G_STATIC_ASSERT (sizeof (Slab) == 2 * LINE_BYTES);

/* Slabs with no handle left, for the next slab_new(). */
static GMutex spare_lock;
static Slab *spare_slabs;     /* protected by spare_lock */
static guint n_spare_slabs;   /* protected by spare_lock */

/* A thread's part (see the top of the file): the slab it carves from,
 * and the handles it freed but has not given back yet, @n_freed of
 * them, all from @freed. Every allocation and every free reads it, so it
 * is one block a thread found through one initial-exec pointer
 * (gaio-tls-private.h says why only a few may be): a thread-local
 * variable of the default model costs a call to __tls_get_addr() at
 * each read. The GPrivate holds the same block so that the thread gives
 * back both when it exits. */
typedef struct
{
  Slab  *current;   /* (nullable) */
  Slab  *freed;     /* (nullable) */
  guint  n_freed;
} SlabThread;

static void slab_thread_exit (gpointer data);

static __thread SlabThread *slab_thread GAIO_TLS_HOT;
static GPrivate slab_thread_key = G_PRIVATE_INIT (slab_thread_exit);

static inline guint
handles_per_slab (gsize size)
{
  return (SLAB_BYTES - sizeof (Slab)) / size;
}

/* Keeps @slab, empty, for the next slab_new(), or frees it. */
static void
slab_recycle (Slab *slab)
{
  gboolean kept = FALSE;

  g_mutex_lock (&spare_lock);
  GAIO_TSAN_ACQUIRE (&spare_lock);
  if (n_spare_slabs < MAX_SPARE_SLABS)
    {
      slab->next_spare = spare_slabs;
      spare_slabs = slab;
      n_spare_slabs++;
      kept = TRUE;
    }
  GAIO_TSAN_RELEASE (&spare_lock);
  g_mutex_unlock (&spare_lock);

  if (!kept)
    g_aligned_free (slab);
}

static void
slab_release (Slab  *slab,
              guint  n)
{
  /* The decrement that reaches zero comes after all the others: every
   * handle was given back before the slab goes. */
  if (g_atomic_int_add (&slab->n_live, -(gint) n) == (gint) n)
    slab_recycle (slab);
}

/* The carver lets go of @slab: its own count, and the handles it never
 * carved. */
static void
slab_retire (Slab *slab)
{
  slab_release (slab, 1 + handles_per_slab (slab->size) - slab->n_carved);
}

/* Gives back the handles @thread freed and has not given back yet. */
static void
flush_freed (SlabThread *thread)
{
  Slab *slab = g_steal_pointer (&thread->freed);
  guint n = thread->n_freed;

  thread->n_freed = 0;
  if (slab != NULL)
    slab_release (slab, n);
}

static SlabThread *
get_slab_thread (void)
{
  SlabThread *thread = slab_thread;

  if (G_LIKELY (thread != NULL))
    return thread;

  thread = g_new0 (SlabThread, 1);
  slab_thread = thread;
  g_private_set (&slab_thread_key, thread);

  return thread;
}

/* The GPrivate's destructor, at thread exit. A handle allocated or freed
 * after it (by another destructor) makes a new block, which the thread
 * lets go of in a later round of destructors. */
static void
slab_thread_exit (gpointer data)
{
  SlabThread *thread = data;

  slab_thread = NULL;
  if (thread->current != NULL)
    slab_retire (thread->current);
  flush_freed (thread);
  g_free (thread);
}

static Slab *
slab_new (gsize size)
{
  Slab *slab;

  g_mutex_lock (&spare_lock);
  GAIO_TSAN_ACQUIRE (&spare_lock);
  slab = spare_slabs;
  if (slab != NULL)
    {
      spare_slabs = slab->next_spare;
      n_spare_slabs--;
    }
  GAIO_TSAN_RELEASE (&spare_lock);
  g_mutex_unlock (&spare_lock);

  if (slab == NULL)
    slab = g_aligned_alloc (1, SLAB_BYTES, SLAB_BYTES);

  slab->n_carved = 0;
  slab->size = size;
  slab->n_live = handles_per_slab (size) + 1;

  return slab;
}

static gboolean
use_plain_malloc (void)
{
#ifdef GAIO_HAVE_ASAN
  return TRUE;
#else
  static gsize decided = 0;
  static gboolean plain = FALSE;

  if (_gaio_once_enter (&decided))
    {
# ifdef HAVE_VALGRIND_H
      const char *env = g_getenv ("G_SLICE");

      plain = RUNNING_ON_VALGRIND &&
              (env == NULL || strstr (env, "always-malloc") != NULL);
# endif
      _gaio_once_leave (&decided, 1);
    }

  return plain;
#endif
}

gpointer
_gaio_handle_slab_alloc (gsize size)
{
  SlabThread *thread;
  Slab *slab;

  if (G_UNLIKELY (use_plain_malloc ()))
    return g_malloc (size);

  thread = get_slab_thread ();
  slab = thread->current;
  if (G_UNLIKELY (slab == NULL || slab->n_carved == handles_per_slab (size)))
    {
      if (slab != NULL)
        slab_retire (slab);
      slab = slab_new (size);
      thread->current = slab;
    }

  return (guint8 *) slab + sizeof (Slab) + size * slab->n_carved++;
}

void
_gaio_handle_slab_free (gpointer mem,
                        gsize    size)
{
  SlabThread *thread;
  Slab *slab;

  if (G_UNLIKELY (use_plain_malloc ()))
    {
      g_free (mem);
      return;
    }

  slab = (Slab *) ((guintptr) mem & ~(guintptr) (SLAB_BYTES - 1));
  thread = get_slab_thread ();
  if (G_LIKELY (slab == thread->freed))
    {
      thread->n_freed++;
      return;
    }

  flush_freed (thread);
  thread->freed = slab;
  thread->n_freed = 1;
}
