/* SPDX-License-Identifier: MIT */
/*
 * The world: storage, single-entity events, queries. Every mutation keeps the
 * chunk sums and their total current, so synk_hash is O(1).
 */
#include "kernel/internal.h"

#include <stdlib.h>

/* ---- allocation ---------------------------------------------------------- */

static void *default_alloc(void *ctx, size_t size, size_t align) {
  (void)ctx;
  /* aligned_alloc needs size to be a multiple of align */
  size_t rounded = (size + align - 1) & ~(align - 1);
  return aligned_alloc(align, rounded);
}
static void default_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

#define SYNK_ALIGN 64u

static uint64_t align_up(uint64_t v) { return (v + SYNK_ALIGN - 1) & ~(uint64_t)(SYNK_ALIGN - 1); }

/* Lay out every array in one block. With base == NULL only the size is
 * computed; otherwise the world's pointers are set. */
static uint64_t layout(synk_world *w, unsigned char *base) {
  uint64_t off = 0; /* 64-bit even where size_t is 32 (wasm32): overflow is checked */
  uint64_t n32 = (uint64_t)w->cap * 4, nbits = (uint64_t)w->nwords * 8;
#define PLACE(field, type, bytes)                                         \
  do {                                                                    \
    if (base) w->field = (type)(void *)(base + (size_t)off);                      \
    off += align_up(bytes);                                               \
  } while (0)
  PLACE(x, int32_t *, n32);
  PLACE(y, int32_t *, n32);
  PLACE(z, int32_t *, n32);
  PLACE(kind, uint32_t *, n32);
  for (uint32_t p = 0; p < w->num_props; p++) PLACE(props[p], int32_t *, n32);
  PLACE(alive, uint64_t *, nbits);
  PLACE(chunk, uint64_t *, (uint64_t)w->nchunks * 8);
  PLACE(eh, uint64_t *, (uint64_t)w->cap * 8); /* state too: world_copy copies it */
  PLACE(dirty, uint64_t *, ((uint64_t)w->nchunks + 63) / 64 * 8);
  PLACE(acc, uint32_t *, n32 * 4);
  PLACE(touched, uint64_t *, nbits + 64 * SYNK_MAX_TASKS); /* + the sink words (synk_sink_word) */
  PLACE(touched_sum, uint64_t *, (uint64_t)w->nsum * 8);
  PLACE(sorted, uint32_t *, n32);
  PLACE(dx, int32_t *, n32);
  PLACE(dy, int32_t *, n32);
  PLACE(dz, int32_t *, n32);
#undef PLACE
  return off;
}

synk_status synk_world_create(const synk_config *cfg, synk_world **out) {
  if (out) *out = NULL;
  if (!cfg || !out) return SYNK_E_ARG;
  if (cfg->max_entities == 0 || cfg->max_entities > SYNK_MAX_ENTITIES_LIMIT) return SYNK_E_ARG;
  if (cfg->num_props > SYNK_MAX_PROPS) return SYNK_E_ARG;
  synk_allocator a = {default_alloc, default_free, NULL};
  if (cfg->allocator) {
    if (!cfg->allocator->alloc || !cfg->allocator->free) return SYNK_E_ARG;
    a = *cfg->allocator;
  }
  if (cfg->jobs && (!cfg->jobs->parallel_for || cfg->jobs->max_tasks > SYNK_MAX_TASKS)) return SYNK_E_ARG;
  (void)synk_kernels_active(); /* select the backend before the first hot call */

  synk_world *w = (synk_world *)a.alloc(a.ctx, sizeof *w, SYNK_ALIGN);
  if (!w) return SYNK_E_NOMEM;
  memset(w, 0, sizeof *w);
  w->alloc = a;
  if (cfg->jobs) w->jobs = *cfg->jobs;
  w->cap = cfg->max_entities;
  w->num_props = cfg->num_props;
  w->nchunks = (uint32_t)(((uint64_t)w->cap + SYNK_CHUNK_IDS - 1) / SYNK_CHUNK_IDS);
  w->nwords = (uint32_t)(((uint64_t)w->cap + 63) / 64);
  w->nsum = (w->nwords + 63) / 64;
  w->seed = cfg->seed;
  synk_keys_init(&w->keys, cfg->seed);

  uint64_t size64 = layout(w, NULL);
  if (size64 > (uint64_t)SIZE_MAX / 2) {
    a.free(a.ctx, w);
    return SYNK_E_NOMEM;
  }
  size_t size = (size_t)size64;
  unsigned char *block = (unsigned char *)a.alloc(a.ctx, size, SYNK_ALIGN);
  if (!block) {
    a.free(a.ctx, w);
    return SYNK_E_NOMEM;
  }
  memset(block, 0, size);
  w->block = block;
  layout(w, block);
  w->sum = 0;
  *out = w;
  return SYNK_OK;
}

void synk_world_destroy(synk_world *w) {
  if (!w) return;
  synk_allocator a = w->alloc;
  a.free(a.ctx, w->block);
  a.free(a.ctx, w);
}

synk_status synk_world_copy(synk_world *dst, const synk_world *src) {
  if (!dst || !src) return SYNK_E_ARG;
  if (dst->cap != src->cap || dst->num_props != src->num_props || dst->seed != src->seed) return SYNK_E_MISMATCH;
  if (dst == src) return SYNK_OK;
  /* equal configs lay out equal blocks: the state (positions, kinds, props,
   * alive bitmap, chunk sums, cached entity hashes) is the block's prefix up
   * to the dirty bits */
  const size_t state = (size_t)((const unsigned char *)src->dirty - (const unsigned char *)src->block);
  memcpy(dst->block, src->block, state);
  dst->frame = src->frame;
  dst->count = src->count;
  dst->sum = src->sum;
  /* every chunk of dst may have changed: rings attached to dst see them all */
  for (uint32_t c = 0; c < dst->nchunks; c++) synk_bit_set(dst->dirty, c);
  return SYNK_OK;
}

/* ---- hash bookkeeping ---------------------------------------------------- */

static inline void chunk_add(synk_world *w, uint32_t id, uint64_t delta) {
  synk_chunk_add(w, id / SYNK_CHUNK_IDS, delta);
  w->sum += delta;
}

/* ---- events -------------------------------------------------------------- */

/* The cached entity hash (w->eh, internal.h): every change hashes only the
 * new state (despawn: none) and synk_entity_hash is a load, for 8 bytes per
 * id and one more cache line per touched entity. Decided by measurement:
 * bench/README.md, "Cached entity hash". */

static synk_status check_live(const synk_world *w, uint32_t id) {
  if (!w) return SYNK_E_ARG;
  if (id >= w->cap) return SYNK_E_RANGE;
  if (!synk_alive(w, id)) return SYNK_E_DEAD;
  return SYNK_OK;
}

synk_status synk_spawn(synk_world *w, uint32_t id, uint32_t kind, int32_t x, int32_t y, int32_t z) {
  if (!w) return SYNK_E_ARG;
  if (id >= w->cap) return SYNK_E_RANGE;
  if (synk_alive(w, id)) return SYNK_E_EXISTS;
  w->kind[id] = kind;
  w->x[id] = x;
  w->y[id] = y;
  w->z[id] = z;
  /* props of a dead id are already 0 (despawn clears them) */
  synk_bit_set(w->alive, id);
  w->count++;
  uint64_t h = synk_hash_stored(w, id);
  w->eh[id] = h;
  chunk_add(w, id, h);
  return SYNK_OK;
}

synk_status synk_despawn(synk_world *w, uint32_t id) {
  synk_status st = check_live(w, id);
  if (st) return st;
  chunk_add(w, id, (uint64_t)0 - w->eh[id]);
  w->eh[id] = 0;
  synk_bit_clear(w->alive, id);
  w->count--;
  w->kind[id] = 0;
  w->x[id] = w->y[id] = w->z[id] = 0;
  for (uint32_t p = 0; p < w->num_props; p++) w->props[p][id] = 0;
  return SYNK_OK;
}

synk_status synk_set_prop(synk_world *w, uint32_t id, uint32_t slot, int32_t value) {
  if (!w) return SYNK_E_ARG;
  if (id >= w->cap || slot >= w->num_props) return SYNK_E_RANGE;
  if (!synk_alive(w, id)) return SYNK_E_DEAD;
  w->props[slot][id] = value;
  uint64_t after = synk_hash_stored(w, id);
  chunk_add(w, id, after - w->eh[id]);
  w->eh[id] = after;
  return SYNK_OK;
}

synk_status synk_move(synk_world *w, uint32_t id, int32_t dx, int32_t dy, int32_t dz) {
  synk_status st = check_live(w, id);
  if (st) return st;
  int32_t x1 = synk_wrap_add(w->x[id], dx), y1 = synk_wrap_add(w->y[id], dy), z1 = synk_wrap_add(w->z[id], dz);
  uint64_t after = synk_fin(synk_hash_static_part(w, id) +
                            synk_hash_motion_part(&w->keys, (uint32_t)x1, (uint32_t)y1, (uint32_t)z1, synk_word5(w, id)));
  w->x[id] = x1;
  w->y[id] = y1;
  w->z[id] = z1;
  chunk_add(w, id, after - w->eh[id]);
  w->eh[id] = after;
  return SYNK_OK;
}

void synk_tick(synk_world *w) {
  if (w) w->frame++;
}

/* ---- queries ------------------------------------------------------------- */

uint64_t synk_frame(const synk_world *w) { return w ? w->frame : 0; }
size_t synk_count(const synk_world *w) { return w ? w->count : 0; }

synk_status synk_get(const synk_world *w, uint32_t id, synk_entity *out) {
  if (!out) return SYNK_E_ARG;
  synk_status st = check_live(w, id);
  if (st) return st;
  memset(out, 0, sizeof *out);
  out->id = id;
  out->kind = w->kind[id];
  out->x = w->x[id];
  out->y = w->y[id];
  out->z = w->z[id];
  for (uint32_t p = 0; p < w->num_props; p++) out->props[p] = w->props[p][id];
  return SYNK_OK;
}

uint64_t synk_hash(const synk_world *w) { return w ? synk_hash_with(w, w->sum, w->frame, w->count) : 0; }

uint64_t synk_rehash(const synk_world *w) {
  if (!w) return 0;
  return synk_hash_with(w, synk_sum_chunks(w, 0), w->frame, w->count);
}

synk_status synk_entity_hash(const synk_world *w, uint32_t id, uint64_t *out) {
  if (!out) return SYNK_E_ARG;
  synk_status st = check_live(w, id);
  if (st) return st;
  *out = w->eh[id]; /* the cache: exact for every live id */
  return SYNK_OK;
}

uint64_t synk_hash_compose(const synk_world *w, uint64_t sum, uint64_t frame, uint64_t count) {
  return w ? synk_hash_with(w, sum, frame, count) : 0;
}

uint64_t synk_hash_sum(const synk_world *w) { return w ? w->sum : 0; }

size_t synk_chunk_hashes(const synk_world *w, uint64_t *out, size_t cap) {
  if (!w) return 0;
  size_t n = w->nchunks < cap ? w->nchunks : cap;
  if (out && n) memcpy(out, w->chunk, n * sizeof *out);
  return w->nchunks;
}

synk_config synk_get_config(const synk_world *w) {
  synk_config c;
  memset(&c, 0, sizeof c);
  if (!w) return c;
  c.max_entities = w->cap;
  c.num_props = w->num_props;
  c.seed = w->seed;
  c.allocator = &w->alloc;
  c.jobs = w->jobs.parallel_for ? &w->jobs : NULL;
  return c;
}

synk_view synk_get_view(const synk_world *w) {
  synk_view v;
  memset(&v, 0, sizeof v);
  if (!w) return v;
  v.x = w->x;
  v.y = w->y;
  v.z = w->z;
  v.kind = w->kind;
  for (uint32_t p = 0; p < w->num_props; p++) v.props[p] = w->props[p];
  v.alive = w->alive;
  v.capacity = w->cap;
  v.num_props = w->num_props;
  return v;
}

const char *synk_status_str(synk_status s) {
  switch (s) {
    case SYNK_OK: return "SYNK_OK";
    case SYNK_E_ARG: return "SYNK_E_ARG";
    case SYNK_E_RANGE: return "SYNK_E_RANGE";
    case SYNK_E_EXISTS: return "SYNK_E_EXISTS";
    case SYNK_E_DEAD: return "SYNK_E_DEAD";
    case SYNK_E_NOMEM: return "SYNK_E_NOMEM";
    case SYNK_E_ISA: return "SYNK_E_ISA";
    case SYNK_E_FORMAT: return "SYNK_E_FORMAT";
    case SYNK_E_MISMATCH: return "SYNK_E_MISMATCH";
    case SYNK_E_SPACE: return "SYNK_E_SPACE";
    case SYNK_SESSION_STALL: return "SYNK_SESSION_STALL";
    case SYNK_EMPTY: return "SYNK_EMPTY";
  }
  return "SYNK_E_UNKNOWN";
}

#define SYNK_STR2(x) #x
#define SYNK_STR(x) SYNK_STR2(x)
const char *synk_version(void) {
  return SYNK_STR(SYNK_VERSION_MAJOR) "." SYNK_STR(SYNK_VERSION_MINOR) "." SYNK_STR(SYNK_VERSION_PATCH);
}
