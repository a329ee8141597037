/* gaio-timer-cancels-private.h: the count of cancelled timers in a heap
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * gaio_handle_cancel() may run in any thread, and tells the loop that its
 * heap holds one more dead timer (asyncio's _timer_cancelled_count, which
 * decides when the heap is rebuilt, LS-08). The counter must outlive
 * every pending timer's handle, which may outlive the loop's source: each
 * timer holds a reference on it, taken when it is scheduled. That used
 * to be a reference on the source itself, whose release locks the
 * GMainContext. The source takes these references in batches and takes
 * them back from the timers it frees itself (gaio-loop-source.c), so
 * that most timers cost no atomic operation here.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint ref_count;     /* (atomic) the source's, one per timer handle, and
                       * the source's bank (gaio-loop-source.c) */
  gint n_cancelled;   /* (atomic) cancels since the loop last pruned */
} GaioTimerCancels;

static inline GaioTimerCancels *
_gaio_timer_cancels_new (void)
{
  GaioTimerCancels *cancels = g_new (GaioTimerCancels, 1);

  cancels->ref_count = 1;
  cancels->n_cancelled = 0;

  return cancels;
}

static inline GaioTimerCancels *
_gaio_timer_cancels_ref (GaioTimerCancels *cancels)
{
  g_atomic_int_inc (&cancels->ref_count);
  return cancels;
}

static inline void
_gaio_timer_cancels_unref (GaioTimerCancels *cancels)
{
  if (g_atomic_int_dec_and_test (&cancels->ref_count))
    g_free (cancels);
}

/* Takes @n references at once: see the loop source's bank of them. */
static inline void
_gaio_timer_cancels_ref_many (GaioTimerCancels *cancels,
                              guint             n)
{
  g_atomic_int_add (&cancels->ref_count, (gint) n);
}

/* Drops @n references at once, the last ones possibly. */
static inline void
_gaio_timer_cancels_unref_many (GaioTimerCancels *cancels,
                                guint             n)
{
  if (n > 0 && g_atomic_int_add (&cancels->ref_count, -(gint) n) == (gint) n)
    g_free (cancels);
}

/* Any thread. */
static inline void
_gaio_timer_cancels_add (GaioTimerCancels *cancels)
{
  g_atomic_int_inc (&cancels->n_cancelled);
}

static inline guint
_gaio_timer_cancels_get (GaioTimerCancels *cancels)
{
  return g_atomic_int_get (&cancels->n_cancelled);
}

static inline void
_gaio_timer_cancels_reset (GaioTimerCancels *cancels)
{
  g_atomic_int_set (&cancels->n_cancelled, 0);
}

G_END_DECLS
