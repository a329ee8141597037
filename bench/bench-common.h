/* bench-common.h: what every benchmark of gaio-bench shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One `name=value` field after the fixed ones of a result line. */
typedef struct
{
  char   *name;   /* (owned) */
  char   *text;   /* (owned) the value as printed */
  double  value;
} BenchExtra;

/* One line of output:
 *
 *   bench=<bench> impl=<impl> n=<N> ops_per_s=<x> [p50_us=<x> p99_us=<x>] [name=<x> ...]
 */
typedef struct
{
  char      *bench;        /* (owned) */
  char      *impl;         /* (owned) */
  guint64    n;
  double     ops_per_s;
  gboolean   has_latency;
  double     p50_us;
  double     p99_us;
  GPtrArray *extras;       /* (owned) (element-type BenchExtra) in printing order */
} BenchResult;

typedef struct _BenchCase BenchCase;

/* Runs @bcase with @n operations and fills in @result, whose bench, impl
 * and n are already set. Returns %FALSE with @error set if the benchmark
 * could not run (the line is then replaced by a `#` comment). */
typedef gboolean (*BenchFunc) (const BenchCase  *bcase,
                               guint64           n,
                               BenchResult      *result,
                               GError          **error);

/* One row of the table in gaio-bench.c: an implementation of a benchmark. */
struct _BenchCase
{
  const char *bench;    /* a name from DESIGN.md's table, e.g. "call_soon" */
  const char *impl;     /* "gaio", or the peer's name, e.g. "g_idle_add" */
  guint64     n;        /* operations in a full run; --quick divides by 10 */
  BenchFunc   func;
};

BenchResult *bench_result_new        (const char        *bench,
                                      const char        *impl,
                                      guint64            n);
void         bench_result_free       (BenchResult       *result);
void         bench_result_add_extra  (BenchResult       *result,
                                      const char        *name,
                                      double             value);
void         bench_result_add_extra_text (BenchResult   *result,
                                          const char    *name,
                                          const char    *text);
const BenchExtra *bench_result_lookup_extra (const BenchResult *result,
                                             const char        *name);
char        *bench_result_to_line    (const BenchResult *result);
BenchResult *bench_result_parse_line (const char        *line,
                                      GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchResult, bench_result_free)

/* Formats a measurement with as many digits as are worth reading. */
char        *bench_format_value      (double             value);

/* CLOCK_MONOTONIC in nanoseconds: the clock g_get_monotonic_time(),
 * GLib's timeouts and Python's time.monotonic() all read. */
gint64       bench_now_ns            (void);
/* CPU time used by the whole process (all threads), in nanoseconds. */
gint64       bench_cpu_ns            (void);

/* The value at @percentile (0..100) of @values, which it sorts in place
 * (nearest-rank method). */
double       bench_percentile        (double            *values,
                                      gsize              n_values,
                                      double             percentile);
void         bench_sort_doubles      (double            *values,
                                      gsize              n_values);
double       bench_percentile_sorted (const double      *sorted,
                                      gsize              n_values,
                                      double             percentile);

/* call_soon is measured in two forms, and every impl reports both:
 *
 * - batch: a driver callback schedules BENCH_CALL_SOON_BATCH callbacks, then
 *   itself again behind them, so one loop iteration runs a whole batch. This
 *   is the line's ops_per_s: the cost of scheduling and running a callback.
 * - chain: each callback schedules the next, so every callback costs a whole
 *   main-loop iteration (prepare, a poll() system call, check, dispatch).
 *   Reported as chain_ops_per_s.
 */
#define BENCH_CALL_SOON_BATCH 1000
void         bench_call_soon_finish  (BenchResult       *result,
                                      guint64            n,
                                      gint64             batch_ns,
                                      gint64             chain_ns);

/* call_soon_threadsafe: @n callbacks posted from another thread from
 * @start_ns, the producer done posting at @posted_ns and the last callback
 * run at @end_ns (all bench_now_ns()). */
void         bench_threadsafe_finish (BenchResult       *result,
                                      guint64            n,
                                      gint64             start_ns,
                                      gint64             posted_ns,
                                      gint64             end_ns);

/* What a timer benchmark records as its timers fire.
 *
 * A timer's user_data is its deadline itself (bench_timers_deadline()),
 * not a pointer to a per-timer struct: timers fire in deadline order, not
 * in the order they were armed, so reading such a struct would add a cache
 * miss per timer that has nothing to do with the loop being measured. The
 * callbacks find the BenchTimers in a static variable: one run at a time. */
typedef struct
{
  gint64   base_ns;     /* bench_now_ns() at the start of the run */
  gint64   cpu_base_ns; /* bench_cpu_ns() likewise */
  guint64  n;
  guint64  fired;
  double  *late_ms;     /* (owned) how late each timer fired, in ms */
  gint64   armed_ns;    /* bench_now_ns() once all were armed, or 0 */
  glong    base_faults; /* the process's minor page faults at the start */
  glong    arm_faults;  /* those taken while arming */
  gint64   arm_now_ns;  /* see bench_timers_arm_now_ns() */
} BenchTimers;

/* Allocates what the run needs, then starts its clocks. */
void         bench_timers_init       (BenchTimers       *timers,
                                      guint64            n);
/* The time from which the delay of the @i-th timer armed (counting from
 * 0) is counted: a bench_now_ns() read once every
 * BENCH_TIMER_CLOCK_EVERY timers, not at every one. A clock read costs
 * about as much as arming a timer does, and every timer due while the
 * others are armed fires late by the rest of the arming (see
 * bench_timers_armed()), so reading the clock at every timer would double
 * the lateness measured at the 99th percentile, for every impl alike. A
 * reused read is earlier than the loop's own: the deadline it gives is
 * earlier, and lateness is overstated, never understated, by the time
 * the last few timers took to arm (microseconds). */
#define BENCH_TIMER_CLOCK_EVERY 64
gint64       bench_timers_arm_now_ns (BenchTimers       *timers,
                                      guint64            i);
/* @deadline_ns (a bench_now_ns() time) as the user_data of a timer:
 * microseconds since the start of the run, which fit a pointer anywhere. */
gpointer     bench_timers_deadline   (BenchTimers       *timers,
                                      gint64             deadline_ns);
/* Notes that all n timers are armed (optional): the line then has arm_ms,
 * the time arming took, and arm_faults, the page faults the process took
 * meanwhile. A timer due before arming ends fires late by the rest of the
 * arming, up to arm_ms for the first ones armed: once arm_ms is well above
 * 2 ms (1 % of the 200 ms window), it sets late_p99_ms. */
void         bench_timers_armed      (BenchTimers       *timers);
/* Records the firing of the timer whose user_data is @deadline. Returns
 * %TRUE once all n timers fired. */
gboolean     bench_timers_fired      (BenchTimers       *timers,
                                      gpointer           deadline);
/* Stops the clocks and fills in @result: ops_per_s is timers per
 * CPU-second of the process, then late_p50_ms, late_p99_ms, cpu_ms and
 * wall_ms. Frees what bench_timers_init() allocated. */
void         bench_timers_finish     (BenchTimers       *timers,
                                      BenchResult       *result);

/* splitmix64: the same generator as bench/python/peers.py, so that every
 * implementation of the timer benchmarks arms the same delays. */
guint64      bench_splitmix64        (guint64           *state);
/* The @n delays of the timer benchmarks, in nanoseconds, uniform in
 * [0, BENCH_TIMER_WINDOW_NS), drawn before the clocks start. */
#define BENCH_TIMER_SEED       G_GUINT64_CONSTANT (20260101)
#define BENCH_TIMER_WINDOW_NS  G_GINT64_CONSTANT (200000000)
gint64      *bench_timer_delays_ns   (guint64            n);

/* executor_throughput and executor_latency: every impl runs the same
 * trivial job, job i returning bench_executor_work (i), and the loop thread
 * adds up what comes back, so a result lost or delivered twice shows as a
 * wrong sum (bench_executor_check_sum()), not as a fast run.
 *
 * - throughput: n jobs submitted from one loop callback, at once; the run
 *   ends when the last result has reached the loop thread. ops_per_s is
 *   jobs per second from the first submission to the last result; the
 *   extra submit_ops_per_s is how fast the submitting loop went.
 * - latency: n round trips one after the other, each submitted from the
 *   callback that received the previous result; p50_us and p99_us are
 *   those of one round trip, from submission to the result's callback.
 *
 * Warm-up, untimed in ops_per_s, through the same pool: for latency,
 * BENCH_EXECUTOR_WARMUP round trips, so that no impl pays for starting its
 * threads in the measurement; for throughput, a first burst of the same n
 * jobs, so that the measured burst runs in memory the process already
 * used. The first burst of n jobs holds n jobs' memory at once, all of it
 * new to the process, and on the bench machines (virtual machines) a page
 * the kernel gives a process for the first time costs 6 to 12 us: tens
 * of MB of them cost more than the jobs' own work, and how much more
 * depends on what the host did with the memory before, not on the impl.
 * The first burst's rate is reported too, as first_burst_ops_per_s.
 * Pools that take a size get BENCH_EXECUTOR_WORKERS threads. */
#define BENCH_EXECUTOR_WORKERS 4
#define BENCH_EXECUTOR_WARMUP  1000

static inline gint64
bench_executor_work (guint64 i)
{
  return (gint64) (2 * i + 1);
}

/* Whether @sum, the results of @n jobs added up, is what one result of
 * each job gives; a BENCH_ERROR_FAILED error if not. */
gboolean     bench_executor_check_sum (guint64           sum,
                                       guint64           n,
                                       GError          **error);
/* Fills in ops_per_s and submit_ops_per_s of a throughput run of @n jobs
 * (see above). */
void         bench_executor_throughput_finish (BenchResult *result,
                                               guint64      n,
                                               gint64       start_ns,
                                               gint64       submitted_ns,
                                               gint64       end_ns);
/* Adds first_burst_ops_per_s: the rate of the untimed first burst of @n
 * jobs, from @start_ns to @end_ns (see above). */
void         bench_executor_first_burst (BenchResult *result,
                                         guint64      n,
                                         gint64       start_ns,
                                         gint64       end_ns);
/* Fills in ops_per_s (n over @total_ns), p50_us and p99_us from the @n
 * round trips of @samples_us, which it sorts. */
void         bench_latency_finish     (BenchResult       *result,
                                       double            *samples_us,
                                       guint64            n,
                                       gint64             total_ns);

/* A benchmark that cannot run here (BENCH_ERROR_SKIPPED) is noted as
 * `# <impl> skipped: <message>`; any other error as `# <impl> failed: ...`. */
#define BENCH_ERROR (bench_error_quark ())
typedef enum
{
  BENCH_ERROR_FAILED,
  BENCH_ERROR_SKIPPED,
} BenchError;
GQuark       bench_error_quark       (void);

/* Runs the Python peer of @bcase (bench/python/peers.py) and parses its line. */
gboolean     bench_python_peer       (const BenchCase   *bcase,
                                      guint64            n,
                                      BenchResult       *result,
                                      GError           **error);
/* The python3 interpreter found in PATH, or %NULL; looked up once. */
const char  *bench_python3_path      (void);

G_END_DECLS
