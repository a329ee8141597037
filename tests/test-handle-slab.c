/* test-handle-slab.c: the memory of handles, carved from per-thread slabs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * gaio-handle-slab.c hands out handle memory from slabs owned by the
 * carving thread and freed with their last handle, from any thread. These
 * tests make handles outlive their slab's thread and their loop. Under
 * AddressSanitizer and valgrind every block is a malloc() of its own, and
 * the same tests check that path.
 */

#include <string.h>

#include "gaio-test-util.h"
#include "gaio-handle-private.h"
#include "gaio-handle-slab-private.h"

/* More than two slabs' worth of handles. */
#define N_BLOCKS 500
#define BLOCK_SIZE (sizeof (GaioHandle))

typedef struct
{
  guint    n;   /* how many of @blocks to carve and free */
  gpointer blocks[N_BLOCKS];
} Blocks;

static gpointer
carve_blocks (gpointer data)
{
  Blocks *blocks = data;

  for (guint i = 0; i < blocks->n; i++)
    {
      blocks->blocks[i] = _gaio_handle_slab_alloc (BLOCK_SIZE);
      memset (blocks->blocks[i], i & 0xff, BLOCK_SIZE);
    }

  return NULL;
}

static void
assert_block (gpointer block,
              guint    i)
{
  const guint8 *bytes = block;

  for (gsize b = 0; b < BLOCK_SIZE; b++)
    g_assert_cmpuint (bytes[b], ==, i & 0xff);
}

/* Blocks carved one after the other never overlap: each keeps what was
 * written to it while the others were carved. */
static void
test_blocks_distinct (void)
{
  Blocks blocks = { N_BLOCKS, };

  carve_blocks (&blocks);
  for (guint i = 0; i < N_BLOCKS; i++)
    assert_block (blocks.blocks[i], i);
  for (guint i = 0; i < N_BLOCKS; i++)
    _gaio_handle_slab_free (blocks.blocks[i], BLOCK_SIZE);
}

/* Blocks outlive the thread that carved them (its slab is retired when
 * it exits), and another thread gives them back, in any order. */
static void
test_blocks_outlive_thread (void)
{
  Blocks blocks = { N_BLOCKS, };
  GThread *thread = g_thread_new ("carver", carve_blocks, &blocks);

  g_thread_join (thread);
  for (guint i = N_BLOCKS; i-- > 0;)
    {
      if (i % 2 == 0)
        {
          assert_block (blocks.blocks[i], i);
          _gaio_handle_slab_free (blocks.blocks[i], BLOCK_SIZE);
        }
    }
  for (guint i = 0; i < N_BLOCKS; i++)
    {
      if (i % 2 == 1)
        {
          assert_block (blocks.blocks[i], i);
          _gaio_handle_slab_free (blocks.blocks[i], BLOCK_SIZE);
        }
    }
}

static gpointer
free_blocks (gpointer data)
{
  Blocks *blocks = data;

  for (guint i = 0; i < blocks->n; i++)
    _gaio_handle_slab_free (blocks->blocks[i], BLOCK_SIZE);

  return NULL;
}

/* Slabs emptied by another thread are carved again (they are kept for
 * reuse): the new blocks do not overlap either. */
static void
test_blocks_after_recycling (void)
{
  Blocks blocks = { N_BLOCKS, };

  for (guint round = 0; round < 3; round++)
    {
      carve_blocks (&blocks);
      for (guint i = 0; i < N_BLOCKS; i++)
        assert_block (blocks.blocks[i], i);
      g_thread_join (g_thread_new ("freer", free_blocks, &blocks));
    }
}

/* A few handles: fewer than a slab holds. */
#define N_FEW 8

/* A thread gives back the handles it freed from one slab together, when
 * it frees one of another slab or when it exits (gaio-handle-slab.c):
 * handles freed by a thread that then exits, the last of their slab,
 * free the slab, which the next slab a thread needs is. Without the
 * count given back at exit the slab would stay allocated for good, and
 * the next thread would carve from another. */
static void
test_freer_exit_gives_back (void)
{
  Blocks few = { N_FEW, }, next = { N_FEW, };

  g_thread_join (g_thread_new ("carver", carve_blocks, &few));
  if ((guint8 *) few.blocks[1] != (guint8 *) few.blocks[0] + BLOCK_SIZE)
    {
      g_test_skip ("handles are malloc() blocks of their own here");
      free_blocks (&few);
      return;
    }

  g_thread_join (g_thread_new ("freer", free_blocks, &few));
  g_thread_join (g_thread_new ("next carver", carve_blocks, &next));

  /* Spare slabs are taken last in, first out. */
  g_assert_true (next.blocks[0] == few.blocks[0]);
  g_thread_join (g_thread_new ("next freer", free_blocks, &next));
}

typedef struct
{
  GaioLoop   *loop;
  GArray     *ran;       /* guint, loop thread only */
  GaioHandle *kept;      /* (owned) the first handle posted */
} Poster;

typedef struct
{
  Poster *poster;
  guint   index;
} Post;

static gboolean
record_index_cb (gpointer   data,
                 GError   **error)
{
  Post *post = data;

  g_array_append_val (post->poster->ran, post->index);
  return TRUE;
}

static gpointer
post_and_exit (gpointer data)
{
  Poster *poster = data;

  for (guint i = 0; i < N_BLOCKS; i++)
    {
      Post *post = g_new (Post, 1);
      GError *error = NULL;
      GaioHandle *handle;

      *post = (Post) { poster, i };
      handle = gaio_loop_call_soon_threadsafe (poster->loop, record_index_cb, post, g_free,
                                               &error);
      g_assert_no_error (error);
      if (i == 0)
        poster->kept = handle;
      else
        gaio_handle_unref (handle);
    }

  return NULL;
}

static gboolean
all_ran (gpointer data)
{
  Poster *poster = data;

  return poster->ran->len == N_BLOCKS;
}

/* LS-10: handles posted by a thread that exits before the loop runs any
 * of them all run, in the order posted; one the poster kept a reference
 * to stays usable after the loop closed. */
static void
test_poster_exits_first (void)
{
  Poster poster = { gaio_test_loop_new (), g_array_new (FALSE, FALSE, sizeof (guint)), NULL };
  GThread *thread = g_thread_new ("poster", post_and_exit, &poster);

  g_thread_join (thread);
  g_assert_true (gaio_test_iterate_until (gaio_loop_get_context (poster.loop), all_ran, &poster,
                                          10));
  for (guint i = 0; i < N_BLOCKS; i++)
    g_assert_cmpuint (g_array_index (poster.ran, guint, i), ==, i);

  gaio_test_loop_free (poster.loop);
  g_assert_false (gaio_handle_is_cancelled (poster.kept));
  gaio_handle_unref (poster.kept);
  g_array_unref (poster.ran);
}

int
main (int   argc,
      char *argv[])
{
  gaio_test_init (&argc, &argv);

  g_test_add_func ("/Gaio/HandleSlab/blocks-distinct", test_blocks_distinct);
  g_test_add_func ("/Gaio/HandleSlab/blocks-outlive-thread", test_blocks_outlive_thread);
  g_test_add_func ("/Gaio/HandleSlab/blocks-after-recycling", test_blocks_after_recycling);
  g_test_add_func ("/Gaio/HandleSlab/poster-exits-first", test_poster_exits_first);
  g_test_add_func ("/Gaio/HandleSlab/freer-exit-gives-back", test_freer_exit_gives_back);

  return g_test_run ();
}
