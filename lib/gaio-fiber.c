/* gaio-fiber.c: a C function on its own stack, switched in user space
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A task runs its C function on a fiber, so that gaio_await() deep inside
 * that function can leave it half-way (suspend) and the loop can come back
 * to it later (resume), with every frame of the call chain intact. No
 * thread is involved: a switch saves the callee-saved registers and the
 * stack pointer of one stack and loads those of another, which is what a
 * function call does anyway, so it costs a few nanoseconds.
 *
 * The switch code is hand-written for x86-64 and AArch64
 * (gaio-fiber-switch-*.S); other machines, and builds configured with
 * -Dfiber_backend=ucontext, use swapcontext(3), which is portable but
 * makes a system call per switch to save the signal mask.
 *
 * Stacks are mmap()ed with a PROT_NONE guard page below them, so a fiber
 * that overflows its stack dies on a SIGSEGV instead of writing over its
 * neighbour. Only the pages a fiber touches become resident. Finished
 * fibers give their stacks to a process-wide pool, so the next task skips
 * the system calls and the page faults of a fresh stack.
 *
 * Stacks of the default size are mapped in chunks of STACKS_PER_CHUNK,
 * each stack with its own guard page, and a chunk is unmapped only once
 * all its stacks are free. Mapped one by one, the munmap() of each
 * finished stack was a third of the cost of a task that lives briefly
 * (its TLB shootdown reaches every CPU that ran the process); per chunk
 * it is paid once for sixteen. The price is fragmentation: a chunk with
 * one stack in use keeps the other fifteen mapped (and their touched
 * pages resident) until that stack is freed too.
 *
 * Tools that follow the stack pointer are told about every switch:
 *
 *  - AddressSanitizer through __sanitizer_start_switch_fiber() before and
 *    __sanitizer_finish_switch_fiber() after each switch, without which
 *    it reports stack-buffer errors on the other stack and loses its
 *    fake stacks (detect_stack_use_after_return);
 *  - ThreadSanitizer through __tsan_create_fiber(), __tsan_switch_to_fiber()
 *    and __tsan_destroy_fiber(), without which it mixes the shadow call
 *    stacks of the fibers and reports nonsense;
 *  - valgrind through VALGRIND_STACK_REGISTER(), without which memcheck
 *    takes a switch for a huge stack-pointer change and reports every
 *    access to the new stack (optional at build time: <valgrind/valgrind.h>).
 *
 * Fibers belong to the thread that resumes them; nothing here is locked
 * except the stack pool.
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gaio-fiber-private.h"
#include "gaio-tls-private.h"

#if defined(GAIO_FIBER_UCONTEXT)
# include <ucontext.h>
#endif

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#endif

#ifndef __has_feature
# define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
# define GAIO_FIBER_ASAN 1
# include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
# define GAIO_FIBER_TSAN 1
# include <sanitizer/tsan_interface.h>
#endif

/* The stack of a fiber when none is asked for: the usable size, the
 * guard page comes on top. Only the pages a fiber touches become
 * resident, so a suspended task costs a few pages of RSS, not this.
 * Sanitizers make frames several times larger (redzones around every
 * local), so the same code needs a larger stack under them. */
#if defined(GAIO_FIBER_ASAN) || defined(GAIO_FIBER_TSAN)
# define DEFAULT_STACK_SIZE (1024 * 1024)
#else
# define DEFAULT_STACK_SIZE (256 * 1024)
#endif

/* Free stacks kept for reuse beyond those of chunks still in use: a
 * chunk whose stacks are all free is unmapped when the pool holds more. */
#define MAX_POOLED_STACKS 64

/* Default-size stacks mapped at once (see the top of the file). */
#define STACKS_PER_CHUNK 16

typedef struct _GaioStack      GaioStack;
typedef struct _GaioStackChunk GaioStackChunk;

struct _GaioStack
{
  GaioStackChunk *chunk;   /* (unowned) the mapping it lives in */
  guint8         *lo;      /* the lowest usable byte, right above its guard page */
  gsize           size;    /* usable bytes */
  guint           valgrind_id;
  /* Links in the pool while the stack is free (pool_lock). */
  GaioStack      *prev;
  GaioStack      *next;
};

struct _GaioStackChunk
{
  guint8    *map;          /* what mmap() returned: guard page, stack, guard page, stack... */
  gsize      map_size;
  guint      n_stacks;
  guint      n_free;       /* its stacks in the pool (pool_lock) */
  /* Links in chunks (pool_lock), default-size chunks only. */
  GaioStackChunk *prev_chunk;
  GaioStackChunk *next_chunk;
  GaioStack  stacks[];
};

typedef enum {
  FIBER_CREATED,
  FIBER_RUNNING,
  FIBER_SUSPENDED,
  FIBER_FINISHED,
} FiberState;

struct _GaioFiber
{
#if defined(GAIO_FIBER_UCONTEXT)
  ucontext_t     context;
  ucontext_t     caller_context;
#else
  gpointer       sp;              /* saved while the fiber is not running */
  gpointer       caller_sp;       /* saved while the fiber runs */
#endif
  FiberState     state;

  GaioFiberFunc  func;
  gpointer       user_data;
  GaioStack     *stack;           /* (owned) */

#ifdef GAIO_FIBER_ASAN
  void          *fake_stack;      /* ASan's fake stack of the fiber while switched out */
  const void    *caller_bottom;   /* the bounds of the stack that resumed the fiber */
  gsize          caller_size;
#endif
#ifdef GAIO_FIBER_TSAN
  void          *tsan_fiber;      /* (owned) */
  void          *tsan_caller;     /* (unowned) */
#endif
};

/* Protected by pool_lock: the free default-size stacks, most recently
 * freed first (its pages are the likeliest to be resident and cached). */
static GMutex     pool_lock;
static GaioStack *pool;
static guint      n_pooled;
/* Protected by pool_lock: every default-size chunk mapped. The pool
 * points into chunks, never at their start, and valgrind reports a block
 * reached only through interior pointers as "possibly lost": this list
 * keeps the chunks the pool holds at exit plainly reachable. */
static GaioStackChunk *chunks;

/* The fiber running on this thread. Read only through the function
 * below, which is never inlined: a fiber may be resumed by another
 * thread than the one that suspended it (a loop run from another thread
 * later), and a compiler may keep the address of a thread-local
 * variable in a register across the switch inside one function. Written
 * only by _gaio_fiber_resume(), whose switch comes back on the thread it
 * left from (see there). One pointer in the initial-exec model, read in
 * one instruction (see gaio-tls-private.h). */
static __thread GaioFiber *current_fiber GAIO_TLS_HOT;

G_GNUC_NO_INLINE GaioFiber *
_gaio_fiber_get_current (void)
{
  return current_fiber;
}

#if !defined(GAIO_FIBER_UCONTEXT)
void _gaio_fiber_switch     (gpointer *save_sp,
                             gpointer  load_sp);
void _gaio_fiber_trampoline (void);
#endif

const char *
_gaio_fiber_get_backend (void)
{
#if defined(GAIO_FIBER_UCONTEXT)
  return "ucontext";
#elif defined(__x86_64__)
  return "x86_64";
#else
  return "aarch64";
#endif
}

/* Asked each time: only the slow path that maps a new stack needs it. */
static gsize
page_size (void)
{
  return (gsize) sysconf (_SC_PAGESIZE);
}

/* Maps @n_stacks stacks of @size usable bytes (rounded up to pages), each
 * above a PROT_NONE guard page. */
static GaioStackChunk *
chunk_map (gsize size,
           guint n_stacks)
{
  gsize page = page_size ();
  GaioStackChunk *chunk;
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  gsize stride;
  void *map;

#ifdef MAP_STACK
  flags |= MAP_STACK;
#endif

  size = (size + page - 1) & ~(page - 1);
  stride = size + page;
  map = mmap (NULL, stride * n_stacks, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (map == MAP_FAILED)
    g_error ("Cannot map %u fiber stacks of %" G_GSIZE_FORMAT " bytes: %s",
             n_stacks, size, g_strerror (errno));

  chunk = g_malloc0 (sizeof (GaioStackChunk) + n_stacks * sizeof (GaioStack));
  chunk->map = map;
  chunk->map_size = stride * n_stacks;
  chunk->n_stacks = n_stacks;

  for (guint i = 0; i < n_stacks; i++)
    {
      GaioStack *stack = &chunk->stacks[i];
      guint8 *guard = (guint8 *) map + i * stride;

      /* Stacks grow down: each one's guard page is below it. */
      if (mprotect (guard, page, PROT_NONE) != 0)
        g_error ("Cannot protect the guard page of a fiber stack: %s", g_strerror (errno));

      stack->chunk = chunk;
      stack->lo = guard + page;
      stack->size = size;
#ifdef HAVE_VALGRIND_H
      stack->valgrind_id = VALGRIND_STACK_REGISTER (stack->lo, stack->lo + stack->size);
#endif
    }

  return chunk;
}

static void
chunk_unmap (GaioStackChunk *chunk)
{
#ifdef HAVE_VALGRIND_H
  for (guint i = 0; i < chunk->n_stacks; i++)
    VALGRIND_STACK_DEREGISTER (chunk->stacks[i].valgrind_id);
#endif
  munmap (chunk->map, chunk->map_size);
  g_free (chunk);
}

/* The list of chunks, under pool_lock. */
static void
chunks_add (GaioStackChunk *chunk)
{
  chunk->prev_chunk = NULL;
  chunk->next_chunk = chunks;
  if (chunks != NULL)
    chunks->prev_chunk = chunk;
  chunks = chunk;
}

static void
chunks_remove (GaioStackChunk *chunk)
{
  if (chunk->prev_chunk != NULL)
    chunk->prev_chunk->next_chunk = chunk->next_chunk;
  else
    chunks = chunk->next_chunk;
  if (chunk->next_chunk != NULL)
    chunk->next_chunk->prev_chunk = chunk->prev_chunk;
}

/* The pool's list, under pool_lock. */
static void
pool_push (GaioStack *stack)
{
  stack->prev = NULL;
  stack->next = pool;
  if (pool != NULL)
    pool->prev = stack;
  pool = stack;
  stack->chunk->n_free++;
  n_pooled++;
}

static void
pool_remove (GaioStack *stack)
{
  if (stack->prev != NULL)
    stack->prev->next = stack->next;
  else
    pool = stack->next;
  if (stack->next != NULL)
    stack->next->prev = stack->prev;
  stack->prev = stack->next = NULL;
  stack->chunk->n_free--;
  n_pooled--;
}

static GaioStack *
stack_get (gsize size)
{
  GaioStackChunk *chunk;
  GaioStack *stack = NULL;

  if (size != DEFAULT_STACK_SIZE)
    return &chunk_map (size, 1)->stacks[0];

  g_mutex_lock (&pool_lock);
  if (pool != NULL)
    {
      stack = pool;
      pool_remove (stack);
    }
  g_mutex_unlock (&pool_lock);
  if (stack != NULL)
    return stack;

  /* The first stack of a new chunk is the caller's, the others go to the
   * pool for the next tasks. */
  chunk = chunk_map (size, STACKS_PER_CHUNK);
  g_mutex_lock (&pool_lock);
  chunks_add (chunk);
  for (guint i = chunk->n_stacks; i-- > 1; )
    pool_push (&chunk->stacks[i]);
  g_mutex_unlock (&pool_lock);

  return &chunk->stacks[0];
}

static void
stack_put (GaioStack *stack)
{
  GaioStackChunk *chunk = stack->chunk;
  gboolean unmap = FALSE;

  if (chunk->n_stacks == 1)
    {
      chunk_unmap (chunk);
      return;
    }

  g_mutex_lock (&pool_lock);
  pool_push (stack);
  if (chunk->n_free == chunk->n_stacks && n_pooled > MAX_POOLED_STACKS)
    {
      for (guint i = 0; i < chunk->n_stacks; i++)
        pool_remove (&chunk->stacks[i]);
      chunks_remove (chunk);
      unmap = TRUE;
    }
  g_mutex_unlock (&pool_lock);

  if (unmap)
    chunk_unmap (chunk);
}

guint
_gaio_fiber_get_n_pooled_stacks (void)
{
  guint n;

  g_mutex_lock (&pool_lock);
  n = n_pooled;
  g_mutex_unlock (&pool_lock);

  return n;
}

/* Leaves @fiber for the code that resumed it. With @finishing, the fiber
 * never comes back: ASan may then free its fake stack. */
static void
switch_out (GaioFiber *fiber,
            gboolean   finishing)
{
#ifdef GAIO_FIBER_TSAN
  __tsan_switch_to_fiber (fiber->tsan_caller, 0);
#endif
#ifdef GAIO_FIBER_ASAN
  __sanitizer_start_switch_fiber (finishing ? NULL : &fiber->fake_stack,
                                  fiber->caller_bottom, fiber->caller_size);
#endif

#if defined(GAIO_FIBER_UCONTEXT)
  swapcontext (&fiber->context, &fiber->caller_context);
#else
  _gaio_fiber_switch (&fiber->sp, fiber->caller_sp);
#endif

  /* Resumed, maybe from another stack than last time. */
#ifdef GAIO_FIBER_ASAN
  __sanitizer_finish_switch_fiber (fiber->fake_stack, &fiber->caller_bottom, &fiber->caller_size);
#endif
}

/* The bottom frame of every fiber. */
static void
fiber_main (GaioFiber *fiber)
{
#ifdef GAIO_FIBER_ASAN
  __sanitizer_finish_switch_fiber (NULL, &fiber->caller_bottom, &fiber->caller_size);
#endif

  fiber->func (fiber->user_data);

  fiber->state = FIBER_FINISHED;
  switch_out (fiber, TRUE);
  g_assert_not_reached ();
}

#if defined(GAIO_FIBER_UCONTEXT)
/* makecontext() passes int arguments only: the pointer comes in halves. */
static void
fiber_main_ucontext (unsigned int hi,
                     unsigned int lo)
{
  fiber_main ((GaioFiber *) (((guintptr) hi << 16 << 16) | (guintptr) lo));
}
#endif

static void
prepare_stack (GaioFiber *fiber)
{
#if defined(GAIO_FIBER_UCONTEXT)
  guintptr address = (guintptr) fiber;

  if (getcontext (&fiber->context) != 0)
    g_error ("getcontext() failed: %s", g_strerror (errno));
  fiber->context.uc_stack.ss_sp = fiber->stack->lo;
  fiber->context.uc_stack.ss_size = fiber->stack->size;
  fiber->context.uc_link = NULL;
  makecontext (&fiber->context, (void (*) (void)) fiber_main_ucontext, 2,
               (unsigned int) (address >> 16 >> 16), (unsigned int) (address & 0xffffffffu));
#else
  guintptr top = ((guintptr) fiber->stack->lo + fiber->stack->size) & ~(guintptr) 15;
  guintptr *frame;

# if defined(__x86_64__)
  /* What _gaio_fiber_switch() pops, lowest address first: MXCSR and the
   * x87 control word (their power-on defaults), r15, r14, r13 = the
   * entry, r12 = the fiber, rbx, rbp = 0 (the end of the frame chain),
   * then the return address. Above it one zero word keeps the stack
   * 16-byte aligned at the trampoline's call, as the ABI wants. */
  frame = (guintptr *) (top - 16 - 64);
  memset (frame, 0, 80);
  frame[0] = 0x1F80 | ((guintptr) 0x037F << 32);
  frame[3] = (guintptr) fiber_main;
  frame[4] = (guintptr) fiber;
  frame[7] = (guintptr) _gaio_fiber_trampoline;
# elif defined(__aarch64__)
  /* The 160-byte frame of _gaio_fiber_switch(): x19 = the fiber,
   * x20 = the entry, x29 = 0, x30 = the trampoline, the rest zero. */
  frame = (guintptr *) (top - 160);
  memset (frame, 0, 160);
  frame[0] = (guintptr) fiber;
  frame[1] = (guintptr) fiber_main;
  frame[11] = (guintptr) _gaio_fiber_trampoline;
# else
#  error "No fiber switch code for this machine: configure with -Dfiber_backend=ucontext"
# endif
  fiber->sp = frame;
#endif
}

GaioFiber *
_gaio_fiber_new (GaioFiberFunc func,
                 gpointer      user_data,
                 gsize         stack_size)
{
  GaioFiber *fiber = g_new0 (GaioFiber, 1);

  fiber->func = func;
  fiber->user_data = user_data;
  fiber->state = FIBER_CREATED;
  fiber->stack = stack_get (stack_size != 0 ? stack_size : DEFAULT_STACK_SIZE);
#ifdef GAIO_FIBER_TSAN
  fiber->tsan_fiber = __tsan_create_fiber (0);
#endif

  prepare_stack (fiber);

  return fiber;
}

void
_gaio_fiber_free (GaioFiber *fiber)
{
  if (fiber == NULL)
    return;

  g_assert (fiber->state == FIBER_CREATED || fiber->state == FIBER_FINISHED);

#ifdef GAIO_FIBER_TSAN
  __tsan_destroy_fiber (fiber->tsan_fiber);
#endif
  stack_put (fiber->stack);
  g_free (fiber);
}

void
_gaio_fiber_resume (GaioFiber *fiber)
{
  /* The thread-local variable is used directly here, its address kept
   * across the switch: the switch returns when @fiber suspends or
   * finishes, and @fiber runs on this thread until then, so this frame
   * goes on on the thread it left. */
  GaioFiber *caller = current_fiber;
#ifdef GAIO_FIBER_ASAN
  void *fake_stack = NULL;
#endif

  g_assert (fiber->state == FIBER_CREATED || fiber->state == FIBER_SUSPENDED);

  fiber->state = FIBER_RUNNING;
  current_fiber = fiber;

#ifdef GAIO_FIBER_TSAN
  fiber->tsan_caller = __tsan_get_current_fiber ();
  __tsan_switch_to_fiber (fiber->tsan_fiber, 0);
#endif
#ifdef GAIO_FIBER_ASAN
  __sanitizer_start_switch_fiber (&fake_stack, fiber->stack->lo, fiber->stack->size);
#endif

#if defined(GAIO_FIBER_UCONTEXT)
  swapcontext (&fiber->caller_context, &fiber->context);
#else
  _gaio_fiber_switch (&fiber->caller_sp, fiber->sp);
#endif

#ifdef GAIO_FIBER_ASAN
  __sanitizer_finish_switch_fiber (fake_stack, NULL, NULL);
#endif

  current_fiber = caller;
}

void
_gaio_fiber_suspend (void)
{
  _gaio_fiber_suspend_running (_gaio_fiber_get_current ());
}

void
_gaio_fiber_suspend_running (GaioFiber *fiber)
{
  g_assert (fiber != NULL && fiber->state == FIBER_RUNNING);

  fiber->state = FIBER_SUSPENDED;
  switch_out (fiber, FALSE);
}

gboolean
_gaio_fiber_is_started (GaioFiber *fiber)
{
  return fiber->state != FIBER_CREATED;
}

gboolean
_gaio_fiber_is_finished (GaioFiber *fiber)
{
  return fiber->state == FIBER_FINISHED;
}

gpointer
_gaio_fiber_get_user_data (GaioFiber *fiber)
{
  return fiber->user_data;
}
