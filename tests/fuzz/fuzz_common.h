/* Shared checks of the sync-layer fuzz targets (libFuzzer). A failed check
 * aborts, which libFuzzer reports as a crash with the input saved. */
#ifndef SYNK_FUZZ_COMMON_H
#define SYNK_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

#define FZ_CHECK(c)                                                       \
  do {                                                                    \
    if (!(c)) {                                                           \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                            \
    }                                                                     \
  } while (0)

/* The world is self-consistent: maintained hash == recomputed, count == live
 * ids, and the batch scratch bitmaps are clean between calls. */
static inline void fz_consistent(const synk_world *w) {
  FZ_CHECK(synk_hash(w) == synk_rehash(w));
  size_t live = 0;
  for (uint32_t i = 0; i < w->nwords; i++) {
    live += (size_t)__builtin_popcountll(w->alive[i]);
    FZ_CHECK(w->touched[i] == 0);
  }
  for (uint32_t i = 0; i < w->nsum; i++) FZ_CHECK(w->touched_sum[i] == 0);
  FZ_CHECK(live == synk_count(w));
}

/* Two worlds hold the same state. */
static inline int fz_same(const synk_world *a, const synk_world *b) {
  if (synk_hash(a) != synk_hash(b) || a->frame != b->frame || a->count != b->count) return 0;
  size_t n = (size_t)a->cap * 4;
  if (memcmp(a->alive, b->alive, (size_t)a->nwords * 8) || memcmp(a->x, b->x, n) || memcmp(a->y, b->y, n) ||
      memcmp(a->z, b->z, n) || memcmp(a->kind, b->kind, n) || memcmp(a->chunk, b->chunk, (size_t)a->nchunks * 8))
    return 0;
  for (uint32_t p = 0; p < a->num_props; p++)
    if (memcmp(a->props[p], b->props[p], n)) return 0;
  return 1;
}

#endif
