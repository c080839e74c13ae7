/* SPDX-License-Identifier: MIT */
/* Shared checks of the sync-layer fuzz targets (libFuzzer). A failed check
 * aborts, which libFuzzer reports as a crash with the input saved. */
#ifndef SYNK_FUZZ_COMMON_H
#define SYNK_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_internal.h"

#define FZ_CHECK(c)                                                       \
  do {                                                                    \
    if (!(c)) {                                                           \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                            \
    }                                                                     \
  } while (0)

/* A seed input being written by a gen_* program: bytes, then saved as
 * dir/name (0 on success), which empties it for the next. */
typedef struct fz_seed {
  uint8_t b[4096];
  size_t n;
} fz_seed;
static inline void fz_put(fz_seed *s, uint32_t v) {
  if (s->n < sizeof s->b) s->b[s->n++] = (uint8_t)v;
}
static inline int fz_seed_save(fz_seed *s, const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  int bad = !f || fwrite(s->b, 1, s->n, f) != s->n;
  if (f && fclose(f) != 0) bad = 1;
  s->n = 0;
  return bad;
}

/* SplitMix64: the finalizer, and the generator (the targets' own motions) */
static inline uint64_t fz_mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static inline uint64_t fz_next(uint64_t *state) { return fz_mix64(*state += 0x9E3779B97F4A7C15ull); }

/* n random motions of the entities 0, 8, ..., 8 * (alive - 1), each by at
 * most `spread` in x and y */
static inline void fz_motions(uint64_t *rng, synk_event *ev, int n, uint32_t alive, int spread) {
  for (int k = 0; k < n; k++) {
    uint64_t r = fz_next(rng);
    synk_event m = {SYNK_EV_MOTION, (uint32_t)(r % alive) * 8, 0,
                    (int32_t)((r >> 8) % (uint64_t)(2 * spread + 1)) - spread,
                    (int32_t)((r >> 16) % (uint64_t)(2 * spread + 1)) - spread, 0};
    ev[k] = m;
  }
}

/* Invariants a run may switch off, to fuzz past a known bug while it is
 * being fixed: SYNK_FUZZ_SKIP lists their names, comma-separated (read
 * once; unset, every check is on). A failure message starts with its
 * invariant's name and a colon ("hello: ..."). */
static inline int fz_skipped(const char *msg) {
  static const char *skip;
  static int read;
  if (!read) {
    skip = getenv("SYNK_FUZZ_SKIP");
    read = 1;
  }
  const char *colon = strchr(msg, ':');
  size_t n = colon ? (size_t)(colon - msg) : strlen(msg);
  for (const char *p = skip; p && *p;) {
    const char *end = strchr(p, ',');
    size_t k = end ? (size_t)(end - p) : strlen(p);
    if (k == n && !strncmp(p, msg, n)) return 1;
    p = end ? end + 1 : NULL;
  }
  return 0;
}

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

/* The receivers the targets play accept worlds of at most FZ_MAX_ENTITIES ids
 * (any props): one world then costs at most (48 + 4*16) * 2^16 B + chunk sums
 * ~ 7.4 MB, which run.sh's -malloc_limit_mb=16 enforces -- a snapshot can
 * never make a target allocate more than its own limit allows. */
#define FZ_MAX_ENTITIES (1u << 16)

/* Load a snapshot as a receiver with a limit does: inspect the header,
 * refuse a world above the limit, load with the config the header names. */
static inline synk_status fz_load_limited(const uint8_t *b, size_t len, synk_world **out) {
  *out = NULL;
  synk_snapshot_header h;
  synk_status st = synk_snapshot_inspect(b, len, &h);
  if (st) return st;
  if (h.max_entities > FZ_MAX_ENTITIES) return SYNK_E_RANGE;
  synk_config cfg = {h.max_entities, h.num_props, h.seed, NULL, NULL};
  return synk_snapshot_load(b, len, &cfg, out);
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
