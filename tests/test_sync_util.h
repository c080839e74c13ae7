/* SPDX-License-Identifier: MIT */
/* Helpers shared by the sync-layer tests (tests/test_sync_*.c, test_codec.c,
 * test_snapshot.c, test_delta.c, test_rollback.c). */
#ifndef SYNK_TEST_SYNC_UTIL_H
#define SYNK_TEST_SYNC_UTIL_H

#include "synk.h"
#include "test_util.h"

/* A world with random live entities (density/256 of the ids), kinds,
 * positions and properties (some extreme values). */
static inline synk_world *ts_world(uint32_t cap, uint32_t np, uint64_t seed, t_rng *r, uint32_t density) {
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_entities = cap;
  cfg.num_props = np;
  cfg.seed = seed;
  synk_world *w = NULL;
  if (synk_world_create(&cfg, &w) != SYNK_OK) return NULL;
  for (uint32_t id = 0; id < cap; id++) {
    if (t_below(r, 256) >= density) continue;
    int32_t x = t_below(r, 8) == 0 ? t_i32(r) : (int32_t)t_below(r, 2000) - 1000;
    if (synk_spawn(w, id, t_below(r, 4) ? t_below(r, 16) : (uint32_t)t_next(r), x, t_i32(r) >> 12, INT32_MIN + (int32_t)t_below(r, 3)))
      return NULL;
    for (uint32_t p = 0; p < np; p++)
      if (t_below(r, 2)) synk_set_prop(w, id, p, t_below(r, 4) ? (int32_t)t_below(r, 100) : t_i32(r));
  }
  return w;
}

/* Same config, same live ids and same stored values everywhere, same frame,
 * count and hash, same synk_entity_hash of every live id. */
static inline int ts_equal(const synk_world *a, const synk_world *b) {
  synk_view va = synk_get_view(a), vb = synk_get_view(b);
  if (va.capacity != vb.capacity || va.num_props != vb.num_props) return 0;
  if (synk_hash(a) != synk_hash(b) || synk_frame(a) != synk_frame(b) || synk_count(a) != synk_count(b)) return 0;
  size_t n = va.capacity;
  if (memcmp(va.alive, vb.alive, (n + 63) / 64 * 8) || memcmp(va.x, vb.x, n * 4) || memcmp(va.y, vb.y, n * 4) ||
      memcmp(va.z, vb.z, n * 4) || memcmp(va.kind, vb.kind, n * 4))
    return 0;
  for (uint32_t p = 0; p < va.num_props; p++)
    if (memcmp(va.props[p], vb.props[p], n * 4)) return 0;
  /* the cached entity hashes too: a world restored, loaded or patched must
   * keep its cache exact, or its next change would corrupt its hash */
  for (uint32_t id = 0; id < n; id++) {
    if (!((va.alive[id >> 6] >> (id & 63)) & 1)) continue;
    uint64_t ha = 0, hb = 1;
    if (synk_entity_hash(a, id, &ha) != SYNK_OK || synk_entity_hash(b, id, &hb) != SYNK_OK || ha != hb) return 0;
  }
  return 1;
}

/* A copy of w through a snapshot (NULL on failure). */
static inline synk_world *ts_clone(const synk_world *w) {
  size_t len = 0;
  synk_snapshot_save(w, NULL, 0, &len);
  unsigned char *buf = (unsigned char *)malloc(len);
  synk_world *c = NULL;
  const synk_config cfg = synk_get_config(w);
  if (buf && synk_snapshot_save(w, buf, len, &len) == SYNK_OK) synk_snapshot_load(buf, len, &cfg, &c);
  free(buf);
  return c;
}

/* Random valid changes: moves, prop sets, despawns, spawns (n of them). */
static inline void ts_mutate(synk_world *w, t_rng *r, uint32_t n) {
  synk_view v = synk_get_view(w);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t id = t_below(r, v.capacity), op = t_below(r, 10);
    int live = (int)((v.alive[id >> 6] >> (id & 63)) & 1);
    if (!live) {
      if (op < 3) synk_spawn(w, id, t_below(r, 8), t_i32(r) >> 20, (int32_t)t_below(r, 100), 0);
    } else if (op < 6) {
      synk_move(w, id, (int32_t)t_below(r, 7) - 3, (int32_t)t_below(r, 7) - 3, t_below(r, 10) == 0 ? t_i32(r) : 0);
    } else if (op < 8 && v.num_props) {
      synk_set_prop(w, id, t_below(r, v.num_props), (int32_t)t_below(r, 1000) - 500);
    } else if (op < 9) {
      synk_despawn(w, id);
    } else {
      synk_despawn(w, id);
      synk_spawn(w, id, t_below(r, 8), 1, 2, 3); /* replaced in place: a kind/position change */
    }
  }
}

static inline void ts_hex(const unsigned char *b, size_t n, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = d[b[i] >> 4];
    out[2 * i + 1] = d[b[i] & 15];
  }
  out[2 * n] = 0;
}

#endif
