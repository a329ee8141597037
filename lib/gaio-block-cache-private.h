/* gaio-block-cache-private.h: freed blocks kept per thread for the next
 * of their kind
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include <glib.h>

#include "gaio-asan-private.h"
#include "gaio-tls-private.h"

G_BEGIN_DECLS

/* The kinds of blocks kept, each of one size. */
typedef enum
{
  GAIO_BLOCK_FUTURE,  /* a plain future (gaio-future.c) */
  GAIO_BLOCK_WAITER,  /* a primitive's waiter (gaio-waiter.c) */
  GAIO_N_BLOCK_KINDS
} GaioBlockKind;

/* None under AddressSanitizer, which must see a block used after its
 * owner freed it. */
#ifdef GAIO_HAVE_ASAN
# define GAIO_BLOCK_CACHE_MAX 0
#else
# define GAIO_BLOCK_CACHE_MAX 32
#endif

typedef struct
{
  gpointer blocks[GAIO_N_BLOCK_KINDS][GAIO_BLOCK_CACHE_MAX + 1];
  guint    len[GAIO_N_BLOCK_KINDS];
} GaioBlockCache;

/* The thread's cache, made by the first block it gives back; see
 * gaio-block-cache.c. Read through the functions below only. */
extern __thread GaioBlockCache *_gaio_block_cache GAIO_TLS_HOT;

GaioBlockCache *_gaio_block_cache_new (void);

/* A block of @kind freed earlier in this thread, its contents as they
 * were; or NULL. */
static inline gpointer
_gaio_block_cache_take (GaioBlockKind kind)
{
  GaioBlockCache *cache = _gaio_block_cache;

  if (cache != NULL && cache->len[kind] > 0)
    return cache->blocks[kind][--cache->len[kind]];

  return NULL;
}

/* Frees @block, a block of @kind made with g_malloc(): keeps it for the
 * next _gaio_block_cache_take() of this thread while there is room. */
static inline void
_gaio_block_cache_give (GaioBlockKind kind,
                        gpointer      block)
{
  GaioBlockCache *cache = _gaio_block_cache;

  if (G_UNLIKELY (cache == NULL) && GAIO_BLOCK_CACHE_MAX > 0)
    cache = _gaio_block_cache_new ();
  if (cache == NULL || cache->len[kind] >= GAIO_BLOCK_CACHE_MAX)
    {
      g_free (block);
      return;
    }

  cache->blocks[kind][cache->len[kind]++] = block;
}

G_END_DECLS
