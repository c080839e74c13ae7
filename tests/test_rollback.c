/* SPDX-License-Identifier: MIT */
/*
 * Rings of saved frames: rollback restores any frame of the window exactly
 * (state, frame, count, chunk sums, hash), several rings on one world each see
 * every change, and catch-up ("since frame F") brings a peer to the current
 * world by delta (F saved) or snapshot (F too old).
 */
#include "test_sync_util.h"

static unsigned char *snap(const synk_world *w, size_t *len) {
  synk_snapshot_save(w, NULL, 0, len);
  unsigned char *b = (unsigned char *)malloc(*len);
  synk_snapshot_save(w, b, *len, len);
  return b;
}

static void test_window(t_rng *r) {
  const uint32_t W = 8, K = 20, F = 60;
  synk_world *w = ts_world(3000, 2, 11, r, 128);
  const synk_config cfg = synk_get_config(w);
  synk_ring *rb = NULL, *hist = NULL;
  CHECK_ST(synk_ring_create(w, W, &rb), SYNK_OK);
  CHECK_ST(synk_ring_create(w, K, &hist), SYNK_OK);
  unsigned char *saved[60];
  size_t slen[60];
  uint64_t shash[60];
  for (uint32_t f = 0; f < F; f++) {
    CHECK(synk_frame(w) == f);
    CHECK_ST(synk_ring_save(rb), SYNK_OK);
    if (f % 2 == 0) CHECK_ST(synk_ring_save(hist), SYNK_OK); /* history every other frame */
    saved[f] = snap(w, &slen[f]);
    shash[f] = synk_hash(w);
    ts_mutate(w, r, t_below(r, 3) ? 20 : 300); /* sometimes a big change */
    synk_tick(w);
    /* now and then roll back a few frames and re-simulate differently */
    if (f > 10 && t_below(r, 6) == 0) {
      uint32_t back = 1 + t_below(r, W - 1);
      uint32_t g = f + 1 - back;
      CHECK(synk_ring_has(rb, g));
      CHECK_ST(synk_ring_restore(rb, g), SYNK_OK);
      CHECK_EQ_U64(synk_hash(w), shash[g]);
      CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
      size_t l = 0;
      unsigned char *now = snap(w, &l);
      CHECK(l == slen[g] && memcmp(now, saved[g], l) == 0);
      free(now);
      /* re-simulate from g: frames g..f are saved again */
      for (uint32_t h = g; h <= f; h++) {
        CHECK_ST(synk_ring_save(rb), SYNK_OK);
        if (h % 2 == 0) CHECK_ST(synk_ring_save(hist), SYNK_OK);
        free(saved[h]);
        saved[h] = snap(w, &slen[h]);
        shash[h] = synk_hash(w);
        ts_mutate(w, r, 15);
        synk_tick(w);
      }
    }
    /* catch-up of a peer that is at an older frame */
    if (f >= 2 && f % 5 == 0) {
      uint32_t pf = t_below(r, f + 1);
      synk_world *peer = NULL;
      CHECK_ST(synk_snapshot_load(saved[pf], slen[pf], &cfg, &peer), SYNK_OK);
      size_t len = 0;
      int is_snap = -1;
      CHECK_ST(synk_ring_since(hist, pf, NULL, 0, &len, &is_snap), SYNK_OK);
      unsigned char *buf = (unsigned char *)malloc(len);
      CHECK_ST(synk_ring_since(hist, pf, buf, len, &len, &is_snap), SYNK_OK);
      CHECK(is_snap == !synk_ring_has(hist, pf));
      if (is_snap) {
        synk_world_destroy(peer);
        peer = NULL;
        CHECK_ST(synk_snapshot_load(buf, len, &cfg, &peer), SYNK_OK);
      } else {
        CHECK_ST(synk_delta_apply(peer, buf, len), SYNK_OK);
      }
      CHECK(peer && ts_equal(peer, w));
      free(buf);
      synk_world_destroy(peer);
    }
  }
  /* every frame of the window restores exactly, newest first (a restore
   * drops the frames after it); older ones are refused */
  uint64_t now = synk_frame(w);
  CHECK(!synk_ring_has(rb, now));
  CHECK(synk_ring_has(rb, now - 1));
  for (uint64_t g = now - 1; g >= now - W; g--) {
    CHECK_ST(synk_ring_restore(rb, g), SYNK_OK);
    CHECK_EQ_U64(synk_hash(w), shash[g]);
    size_t l = 0;
    unsigned char *s = snap(w, &l);
    CHECK(l == slen[g] && memcmp(s, saved[g], l) == 0);
    free(s);
    if (g < now - 1) CHECK(!synk_ring_has(rb, g + 1));
  }
  uint64_t h = synk_hash(w);
  CHECK_ST(synk_ring_restore(rb, now - W - 1), SYNK_E_RANGE);
  CHECK_ST(synk_ring_restore(rb, now + 5), SYNK_E_RANGE);
  CHECK_EQ_U64(synk_hash(w), h);
  /* the history ring still restores its frames after the rollback ring wrote the world */
  uint64_t hf = (now - 1) & ~(uint64_t)1;
  while (!synk_ring_has(hist, hf) && hf > 0) hf -= 2;
  CHECK_ST(synk_ring_restore(hist, hf), SYNK_OK);
  CHECK_EQ_U64(synk_hash(w), shash[hf]);
  synk_ring_destroy(rb);
  synk_ring_destroy(hist);
  for (uint32_t f = 0; f < F; f++) free(saved[f]);
  synk_world_destroy(w);
}

/* A model of a ring: the frames it holds (oldest first) and the world's
 * snapshot at each save. */
typedef struct model {
  uint32_t slots, n;
  uint64_t frame[64];
  unsigned char *snap[64];
  size_t len[64];
} model;

static void model_drop(model *m, uint32_t i) {
  free(m->snap[i]);
  memmove(m->frame + i, m->frame + i + 1, (m->n - i - 1) * sizeof m->frame[0]);
  memmove(m->snap + i, m->snap + i + 1, (m->n - i - 1) * sizeof m->snap[0]);
  memmove(m->len + i, m->len + i + 1, (m->n - i - 1) * sizeof m->len[0]);
  m->n--;
}
static void model_save(model *m, const synk_world *w) {
  uint64_t f = synk_frame(w);
  while (m->n && m->frame[m->n - 1] >= f) model_drop(m, m->n - 1);
  if (m->n == m->slots) model_drop(m, 0);
  m->frame[m->n] = f;
  m->snap[m->n] = snap(w, &m->len[m->n]);
  m->n++;
}
static int model_find(const model *m, uint64_t f) {
  for (uint32_t i = 0; i < m->n; i++)
    if (m->frame[i] == f) return (int)i;
  return -1;
}

/* Random saves, restores, catch-ups and changes (local and scattered) on two
 * rings of different windows sharing one world, against the model. */
static void test_model(t_rng *r) {
  synk_world *w = ts_world(5000, 3, 21, r, 200);
  const synk_config cfg = synk_get_config(w);
  synk_ring *ring[2];
  model m[2];
  memset(m, 0, sizeof m);
  m[0].slots = 4;
  m[1].slots = 13;
  CHECK_ST(synk_ring_create(w, m[0].slots, &ring[0]), SYNK_OK);
  ts_mutate(w, r, 50); /* changes between the two creations */
  CHECK_ST(synk_ring_create(w, m[1].slots, &ring[1]), SYNK_OK);
  for (int step = 0; step < 400; step++) {
    uint32_t op = t_below(r, 10), x = t_below(r, 2);
    if (op < 4) { /* change the world: a few entities in one chunk, or anywhere */
      if (t_below(r, 2)) {
        uint32_t c = t_below(r, 20);
        for (int k = 0; k < 5; k++) synk_move(w, c * 256 + t_below(r, 256), 1, -1, 0);
      } else {
        ts_mutate(w, r, 1 + t_below(r, 30));
      }
      if (t_below(r, 3)) synk_tick(w);
    } else if (op < 7) {
      CHECK_ST(synk_ring_save(ring[x]), SYNK_OK);
      model_save(&m[x], w);
    } else if (op < 9) {
      if (!m[x].n) continue;
      uint32_t i = t_below(r, m[x].n);
      uint64_t g = m[x].frame[i];
      CHECK(synk_ring_has(ring[x], g));
      CHECK_ST(synk_ring_restore(ring[x], g), SYNK_OK);
      size_t l = 0;
      unsigned char *now = snap(w, &l);
      CHECK(l == m[x].len[i] && memcmp(now, m[x].snap[i], l) == 0);
      CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
      free(now);
      while (m[x].n > i + 1) model_drop(&m[x], m[x].n - 1);
    } else { /* catch-up of a peer from a frame of the model (or a missing one) */
      uint64_t f = m[x].n && t_below(r, 4) ? m[x].frame[t_below(r, m[x].n)] : synk_frame(w) + 1000;
      int i = model_find(&m[x], f);
      CHECK(synk_ring_has(ring[x], f) == (i >= 0));
      size_t len = 0;
      int is_snap = -1;
      CHECK_ST(synk_ring_since(ring[x], f, NULL, 0, &len, &is_snap), SYNK_OK);
      unsigned char *buf = (unsigned char *)malloc(len);
      CHECK_ST(synk_ring_since(ring[x], f, buf, len, &len, &is_snap), SYNK_OK);
      CHECK(is_snap == (i < 0));
      synk_world *peer = NULL;
      if (is_snap) {
        CHECK_ST(synk_snapshot_load(buf, len, &cfg, &peer), SYNK_OK);
      } else {
        CHECK_ST(synk_snapshot_load(m[x].snap[i], m[x].len[i], &cfg, &peer), SYNK_OK);
        CHECK_ST(synk_delta_apply(peer, buf, len), SYNK_OK);
      }
      CHECK(peer && ts_equal(peer, w));
      synk_world_destroy(peer);
      free(buf);
    }
    for (int k = 0; k < 2; k++)
      for (uint32_t i = 0; i < m[k].n; i++) CHECK(synk_ring_has(ring[k], m[k].frame[i]));
  }
  for (int k = 0; k < 2; k++) {
    synk_ring_destroy(ring[k]);
    while (m[k].n) model_drop(&m[k], 0);
  }
  synk_world_destroy(w);
}

static void test_args(void) {
  synk_ring *r = NULL;
  CHECK_ST(synk_ring_create(NULL, 4, &r), SYNK_E_ARG);
  synk_config cfg = {10, 0, 1, NULL, NULL};
  synk_world *w = NULL;
  CHECK_ST(synk_world_create(&cfg, &w), SYNK_OK);
  CHECK_ST(synk_ring_create(w, 0, &r), SYNK_E_ARG);
  CHECK_ST(synk_ring_save(NULL), SYNK_E_ARG);
  CHECK_ST(synk_ring_restore(NULL, 0), SYNK_E_ARG);
  CHECK(synk_ring_has(NULL, 0) == 0);
  CHECK_ST(synk_ring_create(w, 3, &r), SYNK_OK);
  CHECK(synk_ring_has(r, 0) == 0);
  CHECK_ST(synk_ring_restore(r, 0), SYNK_E_RANGE);
  size_t len;
  int s = 0;
  CHECK_ST(synk_ring_since(r, 0, NULL, 0, &len, &s), SYNK_OK);
  CHECK(s == 1 && len == synk_snapshot_size(w));
  synk_ring_destroy(r);
  synk_ring_destroy(NULL);
  synk_world_destroy(w);
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 0x4011);
  t_rng r;
  t_seed(&r, seed);
  test_args();
  test_window(&r);
  test_model(&r);
  return t_done("test_rollback");
}
