/* SPDX-License-Identifier: MIT */
/*
 * The hash: scalar reference. This file is the specification (docs/hash.md
 * describes it in prose); every SIMD backend must match it bit for bit, and
 * tests/golden pins it. Changing anything here is a format change.
 */
#include "common/mix.h"
#include "kernel/internal.h"

/* The seed expands into keys through splitmix64 (scalar, once per world). */
void synk_keys_init(synk_keys *k, uint64_t seed) {
  uint64_t st = seed;
  for (uint32_t j = 0; j < SYNK_HASH_WORDS; j += 2) {
    uint64_t r = synk_splitmix64(&st);
    k->k[j] = (uint32_t)r;
    k->k[j + 1] = (uint32_t)(r >> 32);
  }
  k->s0 = synk_splitmix64(&st);
  for (int i = 0; i < 4; i++) k->wk[i] = synk_splitmix64(&st);
}

uint64_t synk_hash_words_ref(const synk_keys *k, const uint32_t *words, uint32_t nw) {
  uint64_t acc = k->s0;
  for (uint32_t j = 0; j + 1 < nw; j += 2)
    acc += synk_pair(words[j], words[j + 1], k->k[j], k->k[j + 1]);
  return synk_fin(acc);
}

uint32_t synk_entity_words(const synk_world *w, uint32_t id, uint32_t *words) {
  uint32_t n = 0;
  words[n++] = id;
  words[n++] = w->kind[id];
  words[n++] = (uint32_t)w->x[id];
  words[n++] = (uint32_t)w->y[id];
  words[n++] = (uint32_t)w->z[id];
  for (uint32_t p = 0; p < w->num_props; p++) words[n++] = (uint32_t)w->props[p][id];
  if (n & 1) words[n++] = 0;
  return n;
}

uint64_t synk_hash_entity_ref(const synk_world *w, uint32_t id) {
  uint32_t words[SYNK_HASH_WORDS];
  uint32_t n = synk_entity_words(w, id, words);
  return synk_hash_words_ref(&w->keys, words, n);
}

/* h(e) of a state that need not be in the world: the words of
 * synk_entity_words, from the caller's record (test_api checks that both
 * agree after a spawn). */
synk_status synk_entity_hash_of(const synk_world *w, const synk_entity *e, uint64_t *out) {
  if (!w || !e || !out) return SYNK_E_ARG;
  if (e->id >= w->cap) return SYNK_E_RANGE;
  uint32_t words[SYNK_HASH_WORDS], n = 0;
  words[n++] = e->id;
  words[n++] = e->kind;
  words[n++] = (uint32_t)e->x;
  words[n++] = (uint32_t)e->y;
  words[n++] = (uint32_t)e->z;
  for (uint32_t p = 0; p < w->num_props; p++) words[n++] = (uint32_t)e->props[p];
  if (n & 1) words[n++] = 0;
  *out = synk_hash_words_ref(&w->keys, words, n);
  return SYNK_OK;
}

uint64_t synk_hash_with(const synk_world *w, uint64_t sum, uint64_t frame, uint64_t count) {
  /* the world-level mix is splitmix64's finalizer (once per synk_hash call,
   * so a 64x64 multiply is fine here); count passes through size_t, the
   * world's count type, as it always has: on a 32-bit host a count past 2^32
   * (which no world holds) wraps */
  uint64_t h = synk_mix64(sum + w->keys.wk[0]);
  h = synk_mix64(h ^ (frame + w->keys.wk[1]));
  h = synk_mix64(h ^ ((uint64_t)(size_t)count + w->keys.wk[2]));
  h = synk_mix64(h ^ ((((uint64_t)w->cap << 8) | w->num_props) + w->keys.wk[3]));
  return h;
}

/* ---- scalar kernels ------------------------------------------------------ */

uint64_t synk_hash_range_scalar(const synk_world *w, uint32_t first, uint32_t count) {
  uint64_t sum = 0;
  uint32_t id = first, end = first + count;
  while (id < end) {
    uint32_t span = 64 - (id & 63);
    if (span > end - id) span = end - id;
    uint64_t bits = w->alive[id >> 6] >> (id & 63);
    if (span < 64) bits &= (UINT64_C(1) << span) - 1;
    while (bits) {
      sum += synk_hash_entity_ref(w, id + synk_ctz64(bits));
      bits &= bits - 1;
    }
    id += span;
  }
  return sum;
}

uint64_t synk_hash_fill_scalar(const synk_world *w, uint32_t first, uint32_t count) {
  uint64_t sum = 0;
  for (uint32_t id = first, end = first + count; id < end; id++) {
    uint64_t h = synk_alive(w, id) ? synk_hash_entity_ref(w, id) : 0;
    w->eh[id] = h;
    sum += h;
  }
  return sum;
}

void synk_hash_ids_scalar(const synk_world *w, const uint32_t *ids, size_t n, uint64_t *out) {
  for (size_t i = 0; i < n; i++) out[i] = synk_hash_entity_ref(w, ids[i]);
}

uint64_t synk_motion_apply_scalar(synk_world *w, const uint32_t *ids, const int32_t *dx,
                                  const int32_t *dy, const int32_t *dz, size_t n) {
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t id = ids[i];
    uint64_t before = w->eh[id]; /* the cache: h(e) of the state before */
    w->x[id] = synk_wrap_add(w->x[id], dx[i]);
    w->y[id] = synk_wrap_add(w->y[id], dy[i]);
    w->z[id] = synk_wrap_add(w->z[id], dz[i]);
    uint64_t after = synk_hash_entity_ref(w, id);
    w->eh[id] = after;
    uint64_t diff = after - before;
    synk_chunk_add(w, id / SYNK_CHUNK_IDS, diff);
    total += diff;
  }
  return total;
}

uint64_t synk_motion_apply_aos_scalar(synk_world *w, const synk_motion *m, size_t n) {
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) total += synk_motion_apply_scalar(w, &m[i].id, &m[i].dx, &m[i].dy, &m[i].dz, 1);
  return total;
}

void synk_kernels_init_scalar(synk_kernels *k) {
  k->name = "scalar";
  k->hash_range = synk_hash_range_scalar;
  k->hash_ids = synk_hash_ids_scalar;
  k->hash_fill = synk_hash_fill_scalar;
  k->motion_apply = synk_motion_apply_scalar;
  k->motion_apply_aos = synk_motion_apply_aos_scalar;
}
