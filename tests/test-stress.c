/* test-stress.c: call_soon_threadsafe under load, and cross-thread cancels
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * In the 'slow' suite. GAIO_TEST_SHRINK=1 divides the counts by 100.
 */

#include "gaio-test-util.h"
#include "gaio-loop-private.h"

/* ------------------------------------------------------------------ */
/* Four producers                                                       */

#define N_PRODUCERS 4
#define SEQ_BITS    24

typedef struct
{
  GaioLoop *loop;
  guint     per_producer;
  guint64   expected;

  /* Loop thread only: */
  gint64    last_seq[N_PRODUCERS];
  guint     counts[N_PRODUCERS];
  guint64   total;
  guint     order_violations;
  guint     bad_producer;

  gint      notified;     /* (atomic) */
  GThread  *producers[N_PRODUCERS];
} Producers;

typedef struct
{
  Producers *p;
  guint      index;
} ProducerArg;

static ProducerArg producer_args[N_PRODUCERS];

static gboolean
produced_cb (gpointer   data,
             GError   **error)
{
  Producers *p = producer_args[0].p;
  guint value = GPOINTER_TO_UINT (data);
  guint producer = value >> SEQ_BITS;
  gint64 seq = value & ((1u << SEQ_BITS) - 1);

  if (producer >= N_PRODUCERS)
    {
      p->bad_producer++;
      return TRUE;
    }
  if (seq != p->last_seq[producer] + 1)
    p->order_violations++;
  p->last_seq[producer] = seq;
  p->counts[producer]++;
  if (++p->total == p->expected)
    gaio_loop_stop (p->loop);
  return TRUE;
}

static void
produced_notify (gpointer data)
{
  g_atomic_int_inc (&producer_args[0].p->notified);
}

static gpointer
producer_thread (gpointer data)
{
  ProducerArg *arg = data;

  for (guint seq = 0; seq < arg->p->per_producer; seq++)
    {
      GError *error = NULL;
      GaioHandle *handle;

      handle = gaio_loop_call_soon_threadsafe (arg->p->loop, produced_cb,
                                               GUINT_TO_POINTER (arg->index << SEQ_BITS | seq),
                                               produced_notify, &error);
      g_assert_no_error (error);
      g_assert_nonnull (handle);
      gaio_handle_unref (handle);
    }
  return NULL;
}

static gboolean
start_producers_cb (gpointer   data,
                    GError   **error)
{
  Producers *p = data;

  for (guint i = 0; i < N_PRODUCERS; i++)
    p->producers[i] = g_thread_new ("producer", producer_thread, &producer_args[i]);
  return TRUE;
}

/* LS-10 under load: 4 threads post 250 000 callbacks each with
 * call_soon_threadsafe while the loop runs; every callback runs exactly
 * once, on the loop thread, each producer's order is kept, and every
 * notify runs once. */
static void
test_threadsafe_producers (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Producers *p = g_new0 (Producers, 1);
  GaioTestGuard *guard;
  GError *error = NULL;

  p->loop = loop;
  p->per_producer = gaio_test_scale (250000);
  p->expected = (guint64) p->per_producer * N_PRODUCERS;
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      p->last_seq[i] = -1;
      producer_args[i] = (ProducerArg) { p, i };
    }

  g_assert_nonnull (gaio_loop_call_soon (loop, start_producers_cb, p, NULL, &error));
  g_assert_no_error (error);
  guard = gaio_test_guard_new (loop, NULL, 240);
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));
  for (guint i = 0; i < N_PRODUCERS; i++)
    g_thread_join (p->producers[i]);

  g_assert_cmpuint (p->bad_producer, ==, 0);
  g_assert_cmpuint (p->order_violations, ==, 0);
  g_assert_cmpuint (p->total, ==, p->expected);
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      g_assert_cmpuint (p->counts[i], ==, p->per_producer);
      g_assert_cmpint (p->last_seq[i], ==, (gint64) p->per_producer - 1);
    }
  g_assert_cmpint (g_atomic_int_get (&p->notified), ==, (gint) p->expected);

  gaio_test_loop_free (loop);
  g_assert_cmpint (g_atomic_int_get (&p->notified), ==, (gint) p->expected);
  g_free (p);
}

/* ------------------------------------------------------------------ */
/* Cancel race                                                          */

typedef struct _Race Race;

typedef struct
{
  Race       *race;
  guint       index;
  GaioHandle *handle;      /* (owned) written by the producer before it publishes the item */
  gint        ran;         /* loop thread only */
  gint        notified;    /* (atomic) */
  gint        cancel_called;
} RaceItem;

struct _Race
{
  GaioLoop    *loop;
  guint        n;
  RaceItem    *items;
  /* producer -> canceller: items [0, published) have their handle set.
   * A plain atomic counter rather than a GAsyncQueue, so that TSan (which
   * does not see inside the uninstrumented GLib) sees the hand-off. */
  gint         published;  /* (atomic) */
  gint         notify_during_run;   /* (atomic) */
  gint         double_notify;       /* (atomic) */
};

static gboolean
race_cb (gpointer   data,
         GError   **error)
{
  RaceItem *item = data;
  volatile guint spin = 0;

  if (g_atomic_int_get (&item->notified) != 0)
    g_atomic_int_inc (&item->race->notify_during_run);
  item->ran++;
  /* Widen the window in which a cancel from the other thread can land
   * while the callback runs. */
  for (guint i = 0; i < 200; i++)
    spin += i;
  if (g_atomic_int_get (&item->notified) != 0)
    g_atomic_int_inc (&item->race->notify_during_run);
  return TRUE;
}

static void
race_notify (gpointer data)
{
  RaceItem *item = data;

  if (g_atomic_int_add (&item->notified, 1) != 0)
    g_atomic_int_inc (&item->race->double_notify);
}

static gboolean
race_stop_cb (gpointer   data,
              GError   **error)
{
  gaio_loop_stop (data);
  return TRUE;
}

static gpointer
race_producer_thread (gpointer data)
{
  Race *race = data;

  for (guint i = 0; i < race->n; i++)
    {
      RaceItem *item = &race->items[i];
      GError *error = NULL;

      item->handle = gaio_loop_call_soon_threadsafe (race->loop, race_cb, item, race_notify,
                                                     &error);
      g_assert_no_error (error);
      g_assert_nonnull (item->handle);
      g_atomic_int_set (&race->published, (gint) i + 1);
    }
  return NULL;
}

static gpointer
race_canceller_thread (gpointer data)
{
  Race *race = data;
  GError *error = NULL;
  GaioHandle *stop;

  for (guint next = 0; next < race->n;)
    {
      guint published = (guint) g_atomic_int_get (&race->published);

      if (next == published)
        {
          g_thread_yield ();
          continue;
        }
      for (; next < published; next++)
        {
          RaceItem *item = &race->items[next];

          if (item->index % 2 == 0)
            {
              gaio_handle_cancel (item->handle);
              item->cancel_called = TRUE;
            }
        }
    }

  /* Posted after every handle: the FIFO runs it last. */
  stop = gaio_loop_call_soon_threadsafe (race->loop, race_stop_cb, race->loop, NULL, &error);
  g_assert_no_error (error);
  gaio_handle_unref (stop);
  return NULL;
}

typedef struct
{
  Race    *race;
  GThread *producer;
  GThread *canceller;
} RaceStart;

static gboolean
start_race_threads_cb (gpointer   data,
                       GError   **error)
{
  RaceStart *start = data;

  start->canceller = g_thread_new ("canceller", race_canceller_thread, start->race);
  start->producer = g_thread_new ("producer", race_producer_thread, start->race);
  return TRUE;
}

/* LS-07 + LS-10 across threads: one thread posts handles with
 * call_soon_threadsafe while another cancels every second one and the loop
 * runs them. Whoever wins, each notify runs exactly once and never while
 * or before its callback runs; a handle never cancelled runs exactly once;
 * a cancelled one runs at most once (only if the loop got it first), so
 * run + cancelled-won == total. */
static void
test_cancel_race (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  Race race = { 0 };
  RaceStart start = { &race, NULL, NULL };
  guint ran = 0, cancelled_won = 0, cancelled_late = 0;
  GaioTestGuard *guard;
  GError *error = NULL;

  race.loop = loop;
  race.n = gaio_test_scale (100000);
  race.items = g_new0 (RaceItem, race.n);
  for (guint i = 0; i < race.n; i++)
    {
      race.items[i].race = &race;
      race.items[i].index = i;
    }

  g_assert_nonnull (gaio_loop_call_soon (loop, start_race_threads_cb, &start, NULL, &error));
  guard = gaio_test_guard_new (loop, NULL, 240);
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));
  g_thread_join (start.producer);
  g_thread_join (start.canceller);

  g_assert_cmpint (g_atomic_int_get (&race.double_notify), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&race.notify_during_run), ==, 0);
  for (guint i = 0; i < race.n; i++)
    {
      RaceItem *item = &race.items[i];

      g_assert_cmpint (g_atomic_int_get (&item->notified), ==, 1);
      g_assert_cmpint (item->ran, <=, 1);
      if (i % 2 == 1)
        g_assert_cmpint (item->ran, ==, 1);
      else
        {
          g_assert_true (item->cancel_called);
          if (item->ran)
            cancelled_late++;
          else
            {
              cancelled_won++;
              g_assert_true (gaio_handle_is_cancelled (item->handle));
            }
        }
      ran += item->ran;
      gaio_handle_unref (item->handle);
    }
  g_assert_cmpuint (ran + cancelled_won, ==, race.n);
  g_test_message ("%u handles: %u ran, %u cancelled before running, %u cancelled too late",
                  race.n, ran, cancelled_won, cancelled_late);

  g_free (race.items);
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Posting while the loop closes                                        */

typedef struct
{
  gint notified;   /* (atomic) */
  gint ran;        /* loop thread only */
} PostItem;

typedef struct
{
  GaioLoop *loop;
  PostItem *items;
  guint     n;
  guint     stop_after;
  gint      n_posted;          /* (atomic) items the poster handed over */
  gint      refused_at;        /* (atomic) index refused as closed, or -1 */
  gint      refused_notified;  /* (atomic) notify count seen right after refusal */
  guint     total_ran;         /* loop thread only */
  gint      violations;        /* (atomic) */
  GThread  *poster;
} ClosePost;

static ClosePost *close_post;   /* the running test's */

static gboolean
close_post_cb (gpointer   data,
               GError   **error)
{
  PostItem *item = data;
  ClosePost *cp = close_post;

  if (g_atomic_int_get (&item->notified) != 0)
    g_atomic_int_inc (&cp->violations);
  item->ran++;
  if (++cp->total_ran == cp->stop_after)
    gaio_loop_stop (cp->loop);
  return TRUE;
}

static void
close_post_notify (gpointer data)
{
  PostItem *item = data;

  g_atomic_int_inc (&item->notified);
}

static gpointer
close_poster_thread (gpointer data)
{
  ClosePost *cp = data;

  for (guint i = 0; i < cp->n; i++)
    {
      GError *error = NULL;
      GaioHandle *handle;

      handle = gaio_loop_call_soon_threadsafe (cp->loop, close_post_cb, &cp->items[i],
                                               close_post_notify, &error);
      g_atomic_int_set (&cp->n_posted, (gint) i + 1);
      if (handle == NULL)
        {
          g_assert_error (error, GAIO_ERROR, GAIO_ERROR_CLOSED);
          g_clear_error (&error);
          g_atomic_int_set (&cp->refused_notified, g_atomic_int_get (&cp->items[i].notified));
          g_atomic_int_set (&cp->refused_at, (gint) i);
          break;
        }
      g_assert_no_error (error);
      gaio_handle_unref (handle);
    }
  return NULL;
}

static gboolean
start_close_poster_cb (gpointer   data,
                       GError   **error)
{
  ClosePost *cp = data;

  cp->poster = g_thread_new ("poster", close_poster_thread, cp);
  return TRUE;
}

/* LS-14 under load: a thread keeps posting with call_soon_threadsafe while
 * the loop stops and closes. Each post is either accepted (then its
 * callback runs at most once, before the close, and its notify runs once:
 * after the run or at the close) or refused with "Event loop is closed"
 * (then its notify already ran when the call returned); nothing runs after
 * the close. */
static void
test_threadsafe_vs_close (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  ClosePost cp = { 0 };
  GaioTestGuard *guard;
  GError *error = NULL;
  guint ran_at_close, n_posted;
  gint refused_at;

  cp.loop = loop;
  cp.n = gaio_test_scale (1000000);
  cp.stop_after = MAX (cp.n / 100, 1);
  cp.items = g_new0 (PostItem, cp.n);
  cp.refused_at = -1;
  close_post = &cp;

  g_assert_nonnull (gaio_loop_call_soon (loop, start_close_poster_cb, &cp, NULL, &error));
  guard = gaio_test_guard_new (loop, NULL, 240);
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));

  g_assert_true (gaio_loop_close (loop, &error));
  g_assert_no_error (error);
  ran_at_close = cp.total_ran;
  g_thread_join (cp.poster);
  gaio_test_iterate (gaio_loop_get_context (loop), 5);
  g_assert_cmpuint (cp.total_ran, ==, ran_at_close);

  n_posted = (guint) g_atomic_int_get (&cp.n_posted);
  refused_at = g_atomic_int_get (&cp.refused_at);
  g_test_message ("%u posted, %u ran, refused at %d", n_posted, cp.total_ran, refused_at);
  g_assert_cmpint (g_atomic_int_get (&cp.violations), ==, 0);
  if (refused_at >= 0)
    {
      g_assert_cmpint (g_atomic_int_get (&cp.refused_notified), ==, 1);
      g_assert_cmpint (cp.items[refused_at].ran, ==, 0);
    }
  for (guint i = 0; i < n_posted; i++)
    {
      g_assert_cmpint (g_atomic_int_get (&cp.items[i].notified), ==, 1);
      g_assert_cmpint (cp.items[i].ran, <=, 1);
    }

  g_free (cp.items);
  close_post = NULL;
  gaio_test_loop_free (loop);
}

/* ------------------------------------------------------------------ */
/* Timers cancelled from another thread                                 */

typedef struct
{
  GaioLoop   *loop;
  guint       n;
  RaceItem   *items;         /* reuses the cancel race's bookkeeping */
  gint        published;     /* (atomic) */
  gint        notify_during_run;
  gint        double_notify;
  GThread    *canceller;
  gboolean    all_scheduled;
} TimerRace;

static TimerRace *timer_race;

static gboolean
timer_race_cb (gpointer   data,
               GError   **error)
{
  RaceItem *item = data;

  if (g_atomic_int_get (&item->notified) != 0)
    g_atomic_int_inc (&timer_race->notify_during_run);
  item->ran++;
  return TRUE;
}

static void
timer_race_notify (gpointer data)
{
  RaceItem *item = data;

  if (g_atomic_int_add (&item->notified, 1) != 0)
    g_atomic_int_inc (&timer_race->double_notify);
}

static gpointer
timer_canceller_thread (gpointer data)
{
  TimerRace *tr = data;

  for (guint next = 0; next < tr->n;)
    {
      guint published = (guint) g_atomic_int_get (&tr->published);

      if (next == published)
        {
          g_thread_yield ();
          continue;
        }
      for (; next < published; next++)
        if (next % 2 == 0)
          {
            gaio_handle_cancel (tr->items[next].handle);
            tr->items[next].cancel_called = TRUE;
          }
    }
  return NULL;
}

/* Arms the timers 500 per iteration, so that the canceller's cancels
 * land while earlier timers come due and run. */
static gboolean
schedule_timers_cb (gpointer   data,
                    GError   **error)
{
  TimerRace *tr = data;
  guint start = (guint) g_atomic_int_get (&tr->published);
  guint end = MIN (start + 500, tr->n);

  if (tr->canceller == NULL)
    tr->canceller = g_thread_new ("canceller", timer_canceller_thread, tr);

  for (guint i = start; i < end; i++)
    {
      gdouble delay = g_random_double_range (0, 0.005);
      GaioHandle *handle;

      handle = gaio_loop_call_later (tr->loop, delay, timer_race_cb, &tr->items[i],
                                     timer_race_notify, error);
      g_assert_nonnull (handle);
      /* Kept for the other thread: a timer handle of the loop is valid
       * only until it ran. */
      tr->items[i].handle = gaio_handle_ref (handle);
      g_atomic_int_set (&tr->published, (gint) i + 1);
    }

  if (end < tr->n)
    g_assert_nonnull (gaio_loop_call_soon (tr->loop, schedule_timers_cb, tr, NULL, error));
  else
    g_assert_nonnull (gaio_loop_call_later (tr->loop, 0.05, race_stop_cb, tr->loop, NULL,
                                            error));
  return TRUE;
}

/* LS-07 + LS-08 across threads: the loop thread arms timers at random
 * delays within 5 ms while another thread cancels every second one.
 * Each notify runs once and never before or during its callback; a timer
 * never cancelled runs once; a cancelled one runs at most once; the heap
 * is empty at the end. */
static void
test_timer_cancel_race (void)
{
  GaioLoop *loop = gaio_test_loop_new ();
  TimerRace tr = { 0 };
  guint ran = 0, cancelled_won = 0;
  GaioTestGuard *guard;
  GError *error = NULL;

  tr.loop = loop;
  tr.n = gaio_test_scale (100000);
  tr.items = g_new0 (RaceItem, tr.n);
  for (guint i = 0; i < tr.n; i++)
    tr.items[i].index = i;
  timer_race = &tr;

  g_assert_nonnull (gaio_loop_call_soon (loop, schedule_timers_cb, &tr, NULL, &error));
  guard = gaio_test_guard_new (loop, NULL, 240);
  g_assert_true (gaio_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_true (gaio_test_guard_finish (guard));
  g_thread_join (tr.canceller);

  g_assert_cmpint (g_atomic_int_get (&tr.double_notify), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&tr.notify_during_run), ==, 0);
  for (guint i = 0; i < tr.n; i++)
    {
      RaceItem *item = &tr.items[i];

      g_assert_cmpint (g_atomic_int_get (&item->notified), ==, 1);
      g_assert_cmpint (item->ran, <=, 1);
      if (i % 2 == 1)
        g_assert_cmpint (item->ran, ==, 1);
      else if (!item->ran)
        cancelled_won++;
      ran += item->ran;
      gaio_handle_unref (item->handle);
    }
  g_assert_cmpuint (ran + cancelled_won, ==, tr.n);
  g_test_message ("%u timers: %u ran, %u cancelled before running", tr.n, ran, cancelled_won);
  g_assert_cmpuint (_gaio_loop_get_n_timers (loop), ==, 0);

  timer_race = NULL;
  g_free (tr.items);
  gaio_test_loop_free (loop);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/Stress/threadsafe-producers", test_threadsafe_producers);
  g_test_add_func ("/Gaio/Stress/cancel-race", test_cancel_race);
  g_test_add_func ("/Gaio/Stress/threadsafe-vs-close", test_threadsafe_vs_close);
  g_test_add_func ("/Gaio/Stress/timer-cancel-race", test_timer_cancel_race);

  return g_test_run ();
}
