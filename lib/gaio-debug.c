/* gaio-debug.c: names of code and creation stacks for reports
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio's debug mode records where each handle, future, task and
 * coroutine was created (`_source_traceback`) and prints it with the
 * errors about them. C has no frames to walk with source lines, so the
 * stack comes from backtrace(3) and names from dladdr(3): object files
 * and symbols, which is enough to find the call site (programs linked
 * with -rdynamic name their own functions too; `addr2line` turns the
 * printed object offsets into source lines).
 */

#include "config.h"

#include <pthread.h>

#ifdef HAVE_DLADDR
# include <dlfcn.h>
#endif
#ifdef HAVE_EXECINFO_H
# include <execinfo.h>
#endif

#include "gaio-debug-private.h"
#include "gaio-tsan-private.h"

/* Frames captured beyond GAIO_TRACEBACK_DEPTH, for the ones inside
 * libgaio that are dropped. */
#define EXTRA_FRAMES 16

/* How many stacks a traceback chains: a task created by a task created
 * by ... the thread's own stack. Older ones are dropped. */
#define MAX_SEGMENTS 4

struct _GaioTraceback
{
  guint    n_frames;
  guint    n_segments;
  guint    segment_end[MAX_SEGMENTS];  /* the end of each stack in frames[] */
  gpointer frames[];                   /* most recent first, stack after stack */
};

/* The names of the library's internal callbacks (GAIO_DEBUG_NAME()):
 * function address -> string literal. Written once per call site,
 * read only when a report or a repr names a callback. */
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;  /* TSan sees it */
static GHashTable *names;  /* (owned) (nullable) guarded by names_lock */

void
_gaio_debug_name_function (gpointer    function,
                           const char *name)
{
  pthread_mutex_lock (&names_lock);
  if (names == NULL)
    names = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (names, function, (gpointer) name);
  pthread_mutex_unlock (&names_lock);
}

static const char *
lookup_name (gpointer function)
{
  const char *name;

  pthread_mutex_lock (&names_lock);
  name = names != NULL ? g_hash_table_lookup (names, function) : NULL;
  pthread_mutex_unlock (&names_lock);

  return name;
}

char *
_gaio_debug_symbol_name (gpointer address)
{
  const char *internal = lookup_name (address);
#ifdef HAVE_DLADDR
  Dl_info info;
#endif

  if (internal != NULL)
    return g_strdup (internal);

#ifdef HAVE_DLADDR
  /* Only an exact match names the function: the nearest exported symbol
   * before a static function would name the wrong one. */
  if (address != NULL && dladdr (address, &info) != 0 && info.dli_sname != NULL &&
      info.dli_saddr == address)
    return g_strdup (info.dli_sname);
#endif

  return g_strdup_printf ("%p", address);
}

gboolean
_gaio_debug_is_generated_code (gpointer address)
{
#ifdef HAVE_DLADDR
  Dl_info info;

  /* dladdr() finds every function of a loaded object, static ones
   * included (with no symbol name); libffi writes closures to anonymous
   * pages that belong to no object. */
  return address != NULL && dladdr (address, &info) == 0;
#else
  return FALSE;
#endif
}

gboolean
_gaio_debug_in_gjs (void)
{
#ifdef HAVE_DLADDR
  static gsize in_gjs;

  /* libgjs is linked into the gjs interpreter (and gnome-shell), so its
   * symbols are global; it cannot be unloaded once loaded. */
  if (g_once_init_enter (&in_gjs))
    g_once_init_leave (&in_gjs, dlsym (RTLD_DEFAULT, "gjs_context_get_current") != NULL ? 2 : 1);

  return in_gjs == 2;
#else
  return FALSE;
#endif
}

GaioTraceback *
_gaio_traceback_capture (GaioTraceback *parent)
{
#ifdef HAVE_EXECINFO_H
  gpointer frames[GAIO_TRACEBACK_DEPTH + EXTRA_FRAMES + 1];
  GaioTraceback *traceback;
  guint n_parent = 0, n_parent_segments = 0;
  int n;

  n = backtrace (frames, G_N_ELEMENTS (frames));
  if (n <= 1)
    return NULL;

  if (parent != NULL)
    {
      n_parent_segments = MIN (parent->n_segments, MAX_SEGMENTS - 1);
      n_parent = parent->segment_end[n_parent_segments - 1];
    }

  /* frames[0] is this function. */
  traceback = g_malloc (sizeof (GaioTraceback) + (n - 1 + n_parent) * sizeof (gpointer));
  traceback->n_frames = n - 1 + n_parent;
  traceback->n_segments = 1 + n_parent_segments;
  traceback->segment_end[0] = n - 1;
  memcpy (traceback->frames, frames + 1, (n - 1) * sizeof (gpointer));
  for (guint i = 0; i < n_parent_segments; i++)
    traceback->segment_end[i + 1] = n - 1 + parent->segment_end[i];
  if (n_parent > 0)
    memcpy (traceback->frames + n - 1, parent->frames, n_parent * sizeof (gpointer));

  return traceback;
#else
  return NULL;
#endif
}

/* The creation traceback of the task whose step runs on this thread:
 * set by the task around each resumption of its fiber, so that what the
 * fiber creates chains to where the task was created. */
static __thread GaioTraceback *current_origin;

GaioTraceback *
_gaio_traceback_swap_origin (GaioTraceback *origin)
{
  GaioTraceback *previous = current_origin;

  current_origin = origin;

  return previous;
}

G_GNUC_NO_INLINE GaioTraceback *
_gaio_traceback_capture_here (void)
{
  return _gaio_traceback_capture (current_origin);
}

void
_gaio_traceback_free (GaioTraceback *traceback)
{
  g_free (traceback);
}

typedef struct
{
  const char *object;   /* (nullable) */
  gpointer    object_base;
  const char *symbol;   /* (nullable) */
  gpointer    symbol_address;
} FrameInfo;

static void
lookup_frame (gpointer   address,
              FrameInfo *info)
{
#ifdef HAVE_DLADDR
  Dl_info dl;

  memset (info, 0, sizeof *info);
  if (dladdr (address, &dl) == 0)
    return;

  info->object = dl.dli_fname;
  info->object_base = dl.dli_fbase;
  info->symbol = dl.dli_sname;
  info->symbol_address = dl.dli_saddr;
#else
  memset (info, 0, sizeof *info);
#endif
}

/* Whether the frame is inside libgaio: its exported functions by name,
 * and in libgaio's own object anything when it is the shared library, or
 * anything without a dynamic symbol (its hidden functions) when it is
 * linked statically into a program. */
static gboolean
frame_is_internal (const FrameInfo *info)
{
  static gpointer library_base;
  static gboolean library_is_shared;
  static gsize initialized;

  if (_gaio_once_enter (&initialized))
    {
      FrameInfo self;

      lookup_frame ((gpointer) _gaio_traceback_capture, &self);
      library_base = self.object_base;
      library_is_shared = self.object != NULL && strstr (self.object, ".so") != NULL;
      _gaio_once_leave (&initialized, 1);
    }

  if (info->symbol != NULL &&
      (g_str_has_prefix (info->symbol, "gaio_") || g_str_has_prefix (info->symbol, "_gaio_")))
    return TRUE;

  return library_base != NULL && info->object_base == library_base &&
         (library_is_shared || info->symbol == NULL);
}

static gboolean
address_is_internal (gpointer address)
{
  FrameInfo info;

  /* A return address points after the call: step back into it, so that
   * a call at the very end of a function is not taken for the next
   * function. */
  lookup_frame ((guint8 *) address - 1, &info);
  return frame_is_internal (&info);
}

/* The frames of segment @segment worth printing, [*first, *last): the
 * library's own frames at the recent end (the call that captured) and at
 * the old end (a fiber's entry) are dropped, and at most
 * GAIO_TRACEBACK_DEPTH kept. */
static void
segment_bounds (GaioTraceback *traceback,
                guint          segment,
                guint         *first,
                guint         *last)
{
  guint start = segment > 0 ? traceback->segment_end[segment - 1] : 0;
  guint end = traceback->segment_end[segment];

  while (start < end && address_is_internal (traceback->frames[start]))
    start++;
  while (end > start && address_is_internal (traceback->frames[end - 1]))
    end--;

  *first = start;
  *last = MIN (end, start + GAIO_TRACEBACK_DEPTH);
}

static char *
describe_frame (gpointer address)
{
  FrameInfo info;

  lookup_frame ((guint8 *) address - 1, &info);
  if (info.symbol != NULL)
    return g_strdup_printf ("%s+0x%" G_GINTPTR_MODIFIER "x", info.symbol,
                            (guintptr) address - (guintptr) info.symbol_address);
  if (info.object != NULL)
    {
      g_autofree char *base = g_path_get_basename (info.object);

      return g_strdup_printf ("%s+0x%" G_GINTPTR_MODIFIER "x", base,
                              (guintptr) address - (guintptr) info.object_base);
    }

  return g_strdup_printf ("%p", address);
}

static char *
format_frame (gpointer address)
{
  FrameInfo info;
  g_autofree char *where = describe_frame (address);
  g_autofree char *base = NULL;

  lookup_frame ((guint8 *) address - 1, &info);
  base = g_path_get_basename (info.object != NULL ? info.object : "??");

  return g_strdup_printf ("  File \"%s\", line 0, in %s\n    %s (%s+0x%" G_GINTPTR_MODIFIER "x)",
                          info.object != NULL ? info.object : "??",
                          info.symbol != NULL ? info.symbol : "??",
                          where, base, (guintptr) address - (guintptr) info.object_base);
}

char **
_gaio_traceback_format (GaioTraceback *traceback)
{
  GPtrArray *lines = g_ptr_array_new ();

  /* Python prints the most recent call last: the oldest stack first,
   * each from its oldest frame. */
  for (guint segment = traceback != NULL ? traceback->n_segments : 0; segment-- > 0;)
    {
      guint first, last;

      segment_bounds (traceback, segment, &first, &last);
      for (guint i = last; i-- > first;)
        g_ptr_array_add (lines, format_frame (traceback->frames[i]));
    }
  g_ptr_array_add (lines, NULL);

  return (char **) g_ptr_array_free (lines, FALSE);
}

char *
_gaio_traceback_describe (GaioTraceback *traceback)
{
  if (traceback == NULL)
    return NULL;

  for (guint segment = 0; segment < traceback->n_segments; segment++)
    {
      guint first, last;

      segment_bounds (traceback, segment, &first, &last);
      if (first < last)
        return describe_frame (traceback->frames[first]);
    }

  return NULL;
}
