/*
 * Snapshots: bit-exact round trips of random worlds (every backend), golden
 * bytes, and hostile inputs (truncated, oversized, bit-flipped, wrong hash)
 * each refused with the right status.
 */
#include "test_sync_util.h"

/* regenerate by running the test and copying the printed bytes (only for a
 * deliberate, documented format change) */
#define GOLDEN_SNAPSHOT "53594e5301010000460000002a00000000000000010000000000000002000000000000003d90f90c5c3fd2a26c000000000000000200000000000000200000000000000002000000ffffffff0300000000000080fcffffffffffff7f050000000000000000000000ffffffff"

static unsigned char *save(const synk_world *w, size_t *len) {
  CHECK_ST(synk_snapshot_save(w, NULL, 0, len), SYNK_OK);
  CHECK(*len == synk_snapshot_size(w));
  unsigned char *buf = (unsigned char *)malloc(*len + 16);
  size_t l2 = 0;
  CHECK_ST(synk_snapshot_save(w, buf, *len - 1, &l2), SYNK_E_SPACE);
  CHECK_ST(synk_snapshot_save(w, buf, *len, &l2), SYNK_OK);
  return buf;
}

static void test_roundtrip(t_rng *r) {
  static const uint32_t caps[] = {1, 63, 64, 65, 256, 1000, 4097};
  for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++)
    for (uint32_t np = 0; np <= 16; np += 5) {
      synk_world *w = ts_world(caps[ci], np, t_next(r), r, (uint32_t)t_below(r, 257));
      for (uint32_t t = 0; t < ci; t++) synk_tick(w);
      size_t len = 0;
      unsigned char *buf = save(w, &len);
      synk_world *c = NULL;
      CHECK_ST(synk_snapshot_load(buf, len, NULL, &c), SYNK_OK);
      CHECK(c && ts_equal(w, c));
      CHECK_EQ_U64(synk_hash(c), synk_rehash(c));
      size_t l2 = 0;
      unsigned char *b2 = save(c, &l2);
      CHECK(l2 == len && memcmp(buf, b2, len) == 0);
      /* refused: every truncation, one extra byte */
      for (size_t cut = 0; cut < len; cut += 1 + len / 64) {
        synk_world *x = NULL;
        CHECK_ST(synk_snapshot_load(buf, cut, NULL, &x), SYNK_E_FORMAT);
        CHECK(x == NULL);
      }
      synk_world *x = NULL;
      CHECK_ST(synk_snapshot_load(buf, len + 1, NULL, &x), SYNK_E_FORMAT);
      /* every single-bit flip is refused (header bits by their checks, data
       * bits by the hash) */
      for (int f = 0; f < 200; f++) {
        size_t at = t_below(r, (uint32_t)len);
        unsigned bit = t_below(r, 8);
        buf[at] ^= (unsigned char)(1u << bit);
        synk_status st = synk_snapshot_load(buf, len, NULL, &x);
        CHECK(st == SYNK_E_FORMAT || st == SYNK_E_MISMATCH);
        if (st == SYNK_OK) synk_world_destroy(x);
        buf[at] ^= (unsigned char)(1u << bit);
      }
      free(b2);
      free(buf);
      synk_world_destroy(c);
      synk_world_destroy(w);
    }
}

static void test_golden(void) {
  synk_config cfg = {70, 1, 42, NULL};
  synk_world *w = NULL;
  CHECK_ST(synk_world_create(&cfg, &w), SYNK_OK);
  CHECK_ST(synk_spawn(w, 1, 2, 3, -4, 5), SYNK_OK);
  CHECK_ST(synk_spawn(w, 69, 0xFFFFFFFFu, INT32_MIN, INT32_MAX, 0), SYNK_OK);
  CHECK_ST(synk_set_prop(w, 69, 0, -1), SYNK_OK);
  synk_tick(w);
  size_t len = 0;
  unsigned char *buf = save(w, &len);
  char hex[512];
  ts_hex(buf, len, hex);
  printf("golden snapshot (%zu bytes): %s\n", len, hex);
  CHECK(strcmp(hex, GOLDEN_SNAPSHOT) == 0);
  free(buf);
  synk_world_destroy(w);
}

static void test_args(void) {
  synk_world *w = NULL;
  size_t len;
  CHECK_ST(synk_snapshot_save(NULL, NULL, 0, &len), SYNK_E_ARG);
  CHECK_ST(synk_snapshot_load(NULL, 0, NULL, &w), SYNK_E_ARG);
  unsigned char junk[60] = "SYNS";
  CHECK_ST(synk_snapshot_load(junk, sizeof junk, NULL, &w), SYNK_E_FORMAT);
  synk_allocator bad = {NULL, NULL, NULL};
  CHECK_ST(synk_snapshot_load(junk, sizeof junk, &bad, &w), SYNK_E_ARG);
  CHECK(synk_snapshot_size(NULL) == 0);
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 0x5A95);
  t_rng r;
  t_seed(&r, seed);
  test_args();
  test_golden();
  const char *isas[16];
  size_t ni = synk_isa_list(isas, 16);
  for (size_t i = 0; i < ni && i < 16; i++) {
    CHECK_ST(synk_use_isa(isas[i]), SYNK_OK);
    test_roundtrip(&r);
  }
  return t_done("test_snapshot");
}
