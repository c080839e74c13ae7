/* SPDX-License-Identifier: MIT */
/*
 * Deltas: random base/target pairs (every backend) round trip exactly;
 * the wrong base, truncated, oversized, reordered and bit-flipped deltas are
 * refused with the world unchanged; golden bytes pin the format;
 * synk_world_diff finds exactly the ids that differ.
 */
#include "test_sync_util.h"

/* regenerate by running the test and copying the printed bytes (only for a
 * deliberate, documented format change) */
#define GOLDEN_DELTA "53594e44010200002c0100002a0000000000000000000000000000007a106af9dd24e9eb01000000000000001400000000000000f19134fc467a643700010102040d092b0104090202030403060000059a010481020201010008c8"

static unsigned char *encode(const synk_world *a, const synk_world *b, size_t *len) {
  CHECK_ST(synk_delta_encode(a, b, NULL, 0, len), SYNK_OK);
  unsigned char *buf = (unsigned char *)malloc(*len + 64);
  size_t l2 = 0;
  CHECK_ST(synk_delta_encode(a, b, buf, *len - 1, &l2), SYNK_E_SPACE);
  CHECK_ST(synk_delta_encode(a, b, buf, *len, &l2), SYNK_OK);
  CHECK(l2 == *len);
  return buf;
}

static void refused(synk_world *w, const unsigned char *buf, size_t len, const char *what) {
  synk_world *ref = ts_clone(w);
  synk_status st = synk_delta_apply(w, buf, len);
  if (st != SYNK_E_FORMAT && st != SYNK_E_MISMATCH) {
    fprintf(stderr, "%s: accepted (%s)\n", what, synk_status_str(st));
    CHECK(0);
  }
  CHECK(ts_equal(w, ref));
  synk_world_destroy(ref);
}

static void test_random(t_rng *r) {
  static const uint32_t caps[] = {1, 100, 256, 1000, 70000};
  for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++)
    for (uint32_t np = 0; np <= 16; np += 8) {
      uint32_t cap = caps[ci];
      synk_world *a = ts_world(cap, np, 77, r, t_below(r, 257));
      synk_world *b = ts_clone(a);
      ts_mutate(b, r, cap < 1000 ? cap : 1000 + t_below(r, 3000));
      for (uint32_t t = 0; t < ci; t++) synk_tick(b);
      size_t len = 0;
      unsigned char *buf = encode(a, b, &len);
      synk_world *c = ts_clone(a);
      CHECK_ST(synk_delta_apply(c, buf, len), SYNK_OK);
      CHECK(ts_equal(b, c));
      CHECK_EQ_U64(synk_hash(c), synk_rehash(c));
      /* applying again: c is no longer the base (unless nothing changed) */
      if (synk_hash(a) != synk_hash(b)) refused(c, buf, len, "reapply");
      /* the target to itself: an empty delta */
      size_t l0 = 0;
      unsigned char *e = encode(b, b, &l0);
      CHECK(l0 == 60);
      CHECK_ST(synk_delta_apply(c, e, l0), SYNK_OK);
      free(e);
      /* hostile variants against the real base */
      synk_world *d = ts_clone(a);
      const int big = cap > 10000; /* fewer hostile variants on the large world (each one clones it) */
      for (size_t cut = 0; cut < len; cut += 1 + len / (big ? 8 : 40)) refused(d, buf, cut, "truncated");
      buf[len] = 0;
      refused(d, buf, len + 1, "oversized");
      for (int f = 0; f < (big ? 8 : 60); f++) {
        size_t at = t_below(r, (uint32_t)len);
        unsigned bit = t_below(r, 8);
        buf[at] ^= (unsigned char)(1u << bit);
        if (getenv("SYNK_TEST_VERBOSE")) fprintf(stderr, "flip %zu.%u of %zu (cap %u np %u)\n", at, bit, len, cap, np);
        refused(d, buf, len, "bit flip");
        buf[at] ^= (unsigned char)(1u << bit);
      }
      CHECK_ST(synk_delta_apply(d, buf, len), SYNK_OK);
      CHECK(ts_equal(b, d));
      synk_world_destroy(d);
      free(buf);
      synk_world_destroy(a);
      synk_world_destroy(b);
      synk_world_destroy(c);
    }
}

/* synk_world_diff: the ids a naive comparison through the public view finds,
 * for random pairs (every backend: the SIMD diff kernel behind it), and its
 * errors, which write nothing. */
static int id_differs(const synk_view *a, const synk_view *b, uint32_t id) {
  int la = (int)((a->alive[id >> 6] >> (id & 63)) & 1), lb = (int)((b->alive[id >> 6] >> (id & 63)) & 1);
  if (la != lb) return 1;
  int d = a->kind[id] != b->kind[id] || a->x[id] != b->x[id] || a->y[id] != b->y[id] || a->z[id] != b->z[id];
  for (uint32_t p = 0; p < a->num_props; p++) d |= a->props[p][id] != b->props[p][id];
  return d;
}

static void test_world_diff(t_rng *r) {
  static const uint32_t caps[] = {1, 63, 64, 100, 1000, 5000};
  for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++)
    for (uint32_t np = 0; np <= 16; np += 5) {
      const uint32_t cap = caps[ci], nw = (cap + 63) / 64;
      synk_world *a = ts_world(cap, np, 77, r, t_below(r, 257));
      synk_world *b = ts_clone(a);
      uint64_t *got = (uint64_t *)malloc((nw + 1) * sizeof *got);
      got[nw] = 0xA5A5A5A5A5A5A5A5u; /* a sentinel past the words it writes */
      CHECK_ST(synk_world_diff(a, b, got, nw), SYNK_OK);
      int zero = 1;
      for (uint32_t i = 0; i < nw; i++) zero &= got[i] == 0;
      CHECK(zero); /* a world and its copy: nothing differs */
      ts_mutate(b, r, 1 + t_below(r, cap < 200 ? cap : 200));
      synk_tick(b); /* frames are not compared */
      CHECK_ST(synk_world_diff(a, b, got, nw + 1), SYNK_OK);
      synk_view va = synk_get_view(a), vb = synk_get_view(b);
      int same = got[nw] == 0xA5A5A5A5A5A5A5A5u;
      for (uint32_t id = 0; id < nw * 64; id++) {
        int want = id < cap && id_differs(&va, &vb, id);
        same &= (int)((got[id >> 6] >> (id & 63)) & 1) == want;
      }
      CHECK(same);
      /* errors: nothing written */
      memset(got, 0x5A, (nw + 1) * sizeof *got);
      CHECK_ST(synk_world_diff(a, b, got, nw - 1), SYNK_E_SPACE);
      CHECK_ST(synk_world_diff(NULL, b, got, nw), SYNK_E_ARG);
      CHECK_ST(synk_world_diff(a, NULL, got, nw), SYNK_E_ARG);
      CHECK_ST(synk_world_diff(a, b, NULL, nw), SYNK_E_ARG);
      synk_config other = synk_get_config(a);
      other.seed ^= 1;
      synk_world *c = NULL;
      CHECK_ST(synk_world_create(&other, &c), SYNK_OK);
      CHECK_ST(synk_world_diff(a, c, got, nw), SYNK_E_MISMATCH);
      synk_world_destroy(c);
      other = synk_get_config(a);
      other.num_props = np ? np - 1 : 1;
      CHECK_ST(synk_world_create(&other, &c), SYNK_OK);
      CHECK_ST(synk_world_diff(c, a, got, nw), SYNK_E_MISMATCH);
      synk_world_destroy(c);
      int untouched = 1;
      for (uint32_t i = 0; i <= nw; i++) untouched &= got[i] == 0x5A5A5A5A5A5A5A5Au;
      CHECK(untouched);
      free(got);
      synk_world_destroy(a);
      synk_world_destroy(b);
    }
}

/* Two segments swapped: refused. */
static void test_reordered(void) {
  synk_config cfg = {200000, 0, 5, NULL, NULL};
  synk_world *a = NULL, *b = NULL;
  CHECK_ST(synk_world_create(&cfg, &a), SYNK_OK);
  CHECK_ST(synk_world_create(&cfg, &b), SYNK_OK);
  CHECK_ST(synk_spawn(b, 10, 1, 1, 1, 1), SYNK_OK);
  CHECK_ST(synk_spawn(b, 70000, 1, 1, 1, 1), SYNK_OK);
  size_t len = 0;
  unsigned char *buf = encode(a, b, &len);
  /* segments: [60: gap 0, counts 0 1 0, columns...][gap 0 ...]. Build the
   * swapped order from two single-segment deltas. */
  synk_world *b1 = NULL;
  CHECK_ST(synk_world_create(&cfg, &b1), SYNK_OK);
  CHECK_ST(synk_spawn(b1, 10, 1, 1, 1, 1), SYNK_OK);
  size_t l1 = 0;
  unsigned char *s1 = encode(a, b1, &l1);
  size_t seg0 = l1 - 60, seg1 = len - 60 - seg0;
  unsigned char *sw = (unsigned char *)malloc(len);
  memcpy(sw, buf, 60);
  memcpy(sw + 60, buf + 60 + seg0, seg1);
  memcpy(sw + 60 + seg1, buf + 60, seg0);
  refused(a, sw, len, "reordered");
  CHECK_ST(synk_delta_apply(a, buf, len), SYNK_OK);
  CHECK(ts_equal(a, b));
  free(sw);
  free(s1);
  free(buf);
  synk_world_destroy(a);
  synk_world_destroy(b);
  synk_world_destroy(b1);
}

static void test_golden(void) {
  synk_config cfg = {300, 2, 42, NULL, NULL};
  synk_world *a = NULL;
  CHECK_ST(synk_world_create(&cfg, &a), SYNK_OK);
  for (uint32_t id = 0; id < 20; id++) CHECK_ST(synk_spawn(a, id * 13, id, (int32_t)id, -(int32_t)id, 7), SYNK_OK);
  synk_world *b = ts_clone(a);
  CHECK_ST(synk_despawn(b, 13), SYNK_OK);
  CHECK_ST(synk_spawn(b, 299, 9, 1, 2, 3), SYNK_OK);
  CHECK_ST(synk_move(b, 26, 1, -1, 0), SYNK_OK);
  CHECK_ST(synk_set_prop(b, 39, 1, 100), SYNK_OK);
  synk_tick(b);
  size_t len = 0;
  unsigned char *buf = encode(a, b, &len);
  char hex[1024];
  ts_hex(buf, len, hex);
  printf("golden delta (%zu bytes): %s\n", len, hex);
  CHECK(strcmp(hex, GOLDEN_DELTA) == 0);
  /* a different base of the same config: refused */
  synk_world *o = ts_clone(a);
  CHECK_ST(synk_move(o, 0, 1, 0, 0), SYNK_OK);
  CHECK_ST(synk_delta_apply(o, buf, len), SYNK_E_MISMATCH);
  synk_config cfg2 = {301, 2, 42, NULL, NULL};
  synk_world *o2 = NULL;
  CHECK_ST(synk_world_create(&cfg2, &o2), SYNK_OK);
  CHECK_ST(synk_delta_apply(o2, buf, len), SYNK_E_MISMATCH);
  size_t l2;
  CHECK_ST(synk_delta_encode(a, o2, NULL, 0, &l2), SYNK_E_MISMATCH);
  free(buf);
  synk_world_destroy(a);
  synk_world_destroy(b);
  synk_world_destroy(o);
  synk_world_destroy(o2);
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 0xDE17A);
  t_rng r;
  t_seed(&r, seed);
  test_golden();
  test_reordered();
  const char *isas[16];
  size_t ni = synk_isa_list(isas, 16);
  for (size_t i = 0; i < ni && i < 16; i++) {
    CHECK_ST(synk_use_isa(isas[i]), SYNK_OK);
    test_random(&r);
    test_world_diff(&r);
  }
  return t_done("test_delta");
}
