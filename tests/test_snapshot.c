/* SPDX-License-Identifier: MIT */
/*
 * Snapshots: bit-exact round trips of random worlds (every backend), golden
 * bytes, and hostile inputs (truncated, oversized, bit-flipped, wrong hash,
 * a config other than the receiver's) each refused with the right status;
 * a small hostile snapshot claiming a huge world allocates nothing (a
 * counting allocator measures the peak).
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
      const synk_config cfg = synk_get_config(w);
      synk_snapshot_header h;
      CHECK_ST(synk_snapshot_inspect(buf, len, &h), SYNK_OK);
      CHECK(h.max_entities == cfg.max_entities && h.num_props == cfg.num_props && h.seed == cfg.seed);
      CHECK(h.frame == synk_frame(w) && h.count == synk_count(w) && h.hash == synk_hash(w) && h.size == len);
      CHECK_ST(synk_snapshot_load(buf, len, &cfg, &c), SYNK_OK);
      CHECK(c && ts_equal(w, c));
      CHECK_EQ_U64(synk_hash(c), synk_rehash(c));
      size_t l2 = 0;
      unsigned char *b2 = save(c, &l2);
      CHECK(l2 == len && memcmp(buf, b2, len) == 0);
      /* refused: every truncation, one extra byte */
      for (size_t cut = 0; cut < len; cut += 1 + len / 64) {
        synk_world *x = NULL;
        CHECK_ST(synk_snapshot_load(buf, cut, &cfg, &x), SYNK_E_FORMAT);
        CHECK(x == NULL);
        CHECK_ST(synk_snapshot_inspect(buf, cut, &h), SYNK_E_FORMAT);
      }
      synk_world *x = NULL;
      CHECK_ST(synk_snapshot_load(buf, len + 1, &cfg, &x), SYNK_E_FORMAT);
      /* a receiver that agreed on another config refuses it, whatever differs */
      synk_config other[3] = {cfg, cfg, cfg};
      other[0].max_entities = cfg.max_entities + 1;
      other[1].num_props = (cfg.num_props + 1) % (SYNK_MAX_PROPS + 1);
      other[2].seed = cfg.seed ^ 1;
      for (int o = 0; o < 3; o++) {
        CHECK_ST(synk_snapshot_load(buf, len, &other[o], &x), SYNK_E_MISMATCH);
        CHECK(x == NULL);
      }
      /* every single-bit flip is refused (header bits by their checks, data
       * bits by the hash) */
      for (int f = 0; f < 200; f++) {
        size_t at = t_below(r, (uint32_t)len);
        unsigned bit = t_below(r, 8);
        buf[at] ^= (unsigned char)(1u << bit);
        synk_status st = synk_snapshot_load(buf, len, &cfg, &x);
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
  synk_config cfg = {70, 1, 42, NULL, NULL};
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
  synk_config cfg = {64, 0, 1, NULL, NULL};
  synk_snapshot_header h;
  CHECK_ST(synk_snapshot_save(NULL, NULL, 0, &len), SYNK_E_ARG);
  CHECK_ST(synk_snapshot_load(NULL, 0, &cfg, &w), SYNK_E_ARG);
  unsigned char junk[60] = "SYNS";
  CHECK_ST(synk_snapshot_load(junk, sizeof junk, NULL, &w), SYNK_E_ARG);
  CHECK_ST(synk_snapshot_load(junk, sizeof junk, &cfg, &w), SYNK_E_FORMAT);
  CHECK_ST(synk_snapshot_inspect(junk, sizeof junk, &h), SYNK_E_FORMAT);
  CHECK_ST(synk_snapshot_inspect(NULL, 0, &h), SYNK_E_ARG);
  CHECK_ST(synk_snapshot_inspect(junk, sizeof junk, NULL), SYNK_E_ARG);
  synk_allocator bad = {NULL, NULL, NULL};
  cfg.allocator = &bad;
  CHECK_ST(synk_snapshot_load(junk, sizeof junk, &cfg, &w), SYNK_E_ARG);
  CHECK(synk_snapshot_size(NULL) == 0);
  synk_config z = synk_get_config(NULL);
  CHECK(z.max_entities == 0 && z.num_props == 0 && z.seed == 0 && z.allocator == NULL);
}

/* ---- hostile snapshots and the receiver's memory ---------------------------- */

/* Counts the bytes live at once (the peak is what a hostile input can cost). */
typedef struct peak_alloc {
  size_t live, peak, calls;
} peak_alloc;

static void *peak_malloc(void *ctx, size_t size, size_t align) {
  peak_alloc *a = (peak_alloc *)ctx;
  size_t head = align > 16 ? align : 16;
  unsigned char *raw = (unsigned char *)aligned_alloc(head, (size + head + head - 1) / head * head);
  if (!raw) return NULL;
  memcpy(raw, &size, sizeof size);
  a->calls++;
  a->live += size;
  if (a->live > a->peak) a->peak = a->live;
  unsigned char *p = raw + head;
  memcpy(p - sizeof(void *), &raw, sizeof raw); /* where the block starts */
  return p;
}

static void peak_free(void *ctx, void *p) {
  peak_alloc *a = (peak_alloc *)ctx;
  if (!p) return;
  unsigned char *raw;
  memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof raw);
  size_t size;
  memcpy(&size, raw, sizeof size);
  a->live -= size;
  free(raw);
}

/* A well-formed snapshot of an empty world of cap ids and np props whose hash
 * field is `hash`: 52 bytes + cap/8 bytes of zero bitmap. */
static unsigned char *empty_snapshot(uint32_t cap, uint32_t np, uint64_t seed, uint64_t hash, size_t *len) {
  *len = 52 + ((size_t)cap + 63) / 64 * 8;
  unsigned char *b = (unsigned char *)calloc(1, *len);
  CHECK(b != NULL);
  memcpy(b, "SYNS", 4);
  b[4] = 1;
  b[5] = (unsigned char)np;
  for (int i = 0; i < 4; i++) b[8 + i] = (unsigned char)(cap >> (8 * i));
  for (int i = 0; i < 8; i++) {
    b[12 + i] = (unsigned char)(seed >> (8 * i));
    b[36 + i] = (unsigned char)(hash >> (8 * i));
    b[44 + i] = (unsigned char)((uint64_t)*len >> (8 * i));
  }
  return b;
}

static void test_hostile_size(void) {
  /* the receiver agreed on 10 000 ids, 4 props; bytes claiming 2^26 ids x 16
   * props (8 MiB) or 2^28 x 16 (32 MiB) are refused with nothing allocated */
  peak_alloc pa = {0, 0, 0};
  synk_allocator al = {peak_malloc, peak_free, &pa};
  const synk_config mine = {10000, 4, 0x5EED, &al, NULL};
  static const uint32_t huge[] = {1u << 26, SYNK_MAX_ENTITIES_LIMIT};
  for (int i = 0; i < 2; i++) {
    size_t len = 0;
    unsigned char *b = empty_snapshot(huge[i], 16, 0x5EED, 0x1234, &len);
    synk_world *w = (synk_world *)&pa; /* must be reset to NULL */
    CHECK_ST(synk_snapshot_load(b, len, &mine, &w), SYNK_E_MISMATCH);
    CHECK(w == NULL && pa.calls == 0 && pa.peak == 0);
    /* a receiver with a limit instead of a fixed config inspects first: the
     * header is read, nothing is allocated, and the claim is visible */
    synk_snapshot_header h;
    CHECK_ST(synk_snapshot_inspect(b, len, &h), SYNK_OK);
    CHECK(h.max_entities == huge[i] && h.num_props == 16 && h.count == 0 && h.size == len);
    free(b);
  }
  /* a snapshot of the agreed config with a wrong hash: refused, and the
   * memory it cost is the receiver's own world, released */
  synk_world *ref = NULL;
  CHECK_ST(synk_world_create(&mine, &ref), SYNK_OK);
  const size_t world_bytes = pa.peak;
  CHECK(world_bytes > 0);
  synk_world_destroy(ref);
  CHECK(pa.live == 0);
  pa.peak = 0;
  size_t len = 0;
  unsigned char *b = empty_snapshot(mine.max_entities, mine.num_props, mine.seed, 0x1234, &len);
  synk_world *w = NULL;
  CHECK_ST(synk_snapshot_load(b, len, &mine, &w), SYNK_E_MISMATCH);
  CHECK(w == NULL && pa.live == 0 && pa.peak == world_bytes);
  /* the same bytes with the right hash load, within the same bound */
  synk_world *e = NULL;
  CHECK_ST(synk_world_create(&mine, &e), SYNK_OK);
  const uint64_t hash = synk_hash(e);
  synk_world_destroy(e);
  for (int i = 0; i < 8; i++) b[36 + i] = (unsigned char)(hash >> (8 * i));
  pa.peak = 0;
  CHECK_ST(synk_snapshot_load(b, len, &mine, &w), SYNK_OK);
  CHECK(w != NULL && synk_hash(w) == hash && pa.peak == world_bytes);
  synk_world_destroy(w);
  CHECK(pa.live == 0);
  /* a bitmap that disagrees with the count is refused before allocating */
  b[52] = 1;
  pa.calls = 0;
  CHECK_ST(synk_snapshot_load(b, len, &mine, &w), SYNK_E_FORMAT);
  CHECK(w == NULL && pa.calls == 0);
  free(b);
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 0x5A95);
  t_rng r;
  t_seed(&r, seed);
  test_args();
  test_hostile_size();
  test_golden();
  const char *isas[16];
  size_t ni = synk_isa_list(isas, 16);
  for (size_t i = 0; i < ni && i < 16; i++) {
    CHECK_ST(synk_use_isa(isas[i]), SYNK_OK);
    test_roundtrip(&r);
  }
  return t_done("test_snapshot");
}
