/* SPDX-License-Identifier: MIT */
/*
 * Cross-check of the sync-layer kernels (unpack256, run_finish, diff_words,
 * crc32c)
 * on every runnable backend, native and SIMDe-emulated, against the scalar
 * reference: random inputs from a printed seed (replay with --seed=N),
 * outputs padded with sentinels, and a mismatch prints where.
 *
 *   test_sync_checkasm [--seed=N] [--isa=NAME]
 */
#include "sync/sync_internal.h"
#include "test_sync_util.h"

#define PAD 16
#define SENT 0xA5A5A5A5u

static int fails = 0;

static void report(const char *isa, const char *kernel, const char *what, size_t at, uint64_t got, uint64_t want) {
  if (fails++ < 20)
    fprintf(stderr, "MISMATCH %s %s: %s at %zu: got 0x%" PRIx64 ", want 0x%" PRIx64 "\n", isa, kernel, what, at, got,
            want);
}

static void check_unpack(const synk_codec_kernels *k, const synk_codec_kernels *ref, t_rng *r) {
  uint8_t src[32 * 32 + 64];
  uint32_t got[256 + 2 * PAD], want[256];
  for (uint32_t b = 0; b <= 32; b++) {
    for (int rep = 0; rep < 8; rep++) {
      int zz = rep & 1;
      for (size_t i = 0; i < sizeof src; i++) src[i] = (uint8_t)t_next(r);
      size_t off = t_below(r, 32); /* unaligned sources */
      for (size_t i = 0; i < 256 + 2 * PAD; i++) got[i] = SENT;
      uint32_t wor = ref->unpack256(src + off, b, zz, want);
      uint32_t gor = k->unpack256(src + off, b, zz, got + PAD);
      if (wor != gor) report(k->name, "unpack256", "returned OR", 0, gor, wor);
      for (size_t i = 0; i < 256; i++)
        if (got[PAD + i] != want[i]) {
          report(k->name, "unpack256", "value", i, got[PAD + i], want[i]);
          break;
        }
      for (size_t i = 0; i < PAD; i++)
        if (got[i] != SENT || got[PAD + 256 + i] != SENT) report(k->name, "unpack256", "sentinel", i, 0, 0);
    }
  }
}

static void check_finish(const synk_codec_kernels *k, const synk_codec_kernels *ref, t_rng *r) {
  enum { N = 700 };
  static uint32_t g[4][N + 2 * PAD], w[4][N];
  for (int rep = 0; rep < 60; rep++) {
    size_t n = t_below(r, N + 1);
    uint32_t base = t_below(r, 4) ? t_below(r, 1000) : (uint32_t)t_next(r);
    for (int c = 0; c < 4; c++) {
      for (size_t i = 0; i < N + 2 * PAD; i++) g[c][i] = SENT;
      for (size_t i = 0; i < n; i++) {
        uint32_t v = t_below(r, 3) ? t_below(r, 8) : (uint32_t)t_next(r) >> t_below(r, 32);
        g[c][PAD + i] = w[c][i] = v;
      }
    }
    ref->run_finish(w[0], n, base);
    k->run_finish(g[0] + PAD, n, base);
    for (int c = 0; c < 1; c++) {
      for (size_t i = 0; i < n; i++)
        if (g[c][PAD + i] != w[c][i]) {
          report(k->name, "run_finish", c ? "delta" : "id", i, g[c][PAD + i], w[c][i]);
          break;
        }
      for (size_t i = 0; i < PAD; i++)
        if (g[c][i] != SENT || g[c][PAD + n + i] != SENT) report(k->name, "run_finish", "sentinel", i, 0, 0);
    }
  }
}

static void check_diff(const synk_codec_kernels *k, const synk_codec_kernels *ref, t_rng *r) {
  for (int rep = 0; rep < 12; rep++) {
    uint32_t cap = 1 + t_below(r, 3000), np = t_below(r, 5);
    uint64_t wseed = t_next(r);
    t_rng r1 = *r;
    synk_world *a = ts_world(cap, np, 9, &r1, 200);
    synk_world *b = ts_clone(a);
    t_seed(&r1, wseed);
    ts_mutate(b, &r1, t_below(r, 200));
    synk_view v = synk_get_view(a);
    uint32_t nw = (cap + 63) / 64;
    uint64_t got[64 + 2 * PAD], want[64];
    for (int q = 0; q < 8; q++) {
      uint32_t w0 = t_below(r, nw), cnt = 1 + t_below(r, nw - w0 < 64 ? nw - w0 : 64);
      for (size_t i = 0; i < 64 + 2 * PAD; i++) got[i] = SENT;
      ref->diff_words(a, b, w0, cnt, want);
      k->diff_words(a, b, w0, cnt, got + PAD);
      for (uint32_t i = 0; i < cnt; i++)
        if (got[PAD + i] != want[i]) {
          report(k->name, "diff_words", "word", w0 + i, got[PAD + i], want[i]);
          break;
        }
      for (size_t i = 0; i < PAD; i++)
        if (got[i] != SENT || got[PAD + cnt + i] != SENT) report(k->name, "diff_words", "sentinel", i, 0, 0);
    }
    (void)v;
    synk_world_destroy(a);
    synk_world_destroy(b);
  }
}

/* CRC-32C one bit at a time, straight from the definition (reflected
 * polynomial 0x82F63B78, pre- and post-inversion): the reference the scalar
 * slice-by-8 tables are checked against too. */
static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *p, size_t n) {
  crc = ~crc;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static void check_crc(const synk_codec_kernels *k, t_rng *r) {
  /* the published check value of CRC-32C */
  uint32_t kat = k->crc32c(0, (const uint8_t *)"123456789", 9);
  if (kat != 0xE3069283u) report(k->name, "crc32c", "\"123456789\"", 0, kat, 0xE3069283u);
  uint8_t buf[4096 + 64];
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)t_next(r);
  /* every byte value at every position of an 8-byte group (all table entries) */
  for (uint32_t v = 0; v < 256; v++)
    for (size_t at = 0; at < 16; at++) {
      uint8_t m[16] = {0};
      m[at] = (uint8_t)v;
      uint32_t got = k->crc32c(0, m, 16), want = crc32c_bitwise(0, m, 16);
      if (got != want) report(k->name, "crc32c", "byte value at position", v * 16 + at, got, want);
    }
  for (int rep = 0; rep < 300; rep++) {
    size_t off = t_below(r, 64), n = rep < 40 ? (size_t)rep : t_below(r, 4096);
    uint32_t seed = rep & 1 ? t_next(r) : 0;
    uint32_t got = k->crc32c(seed, buf + off, n), want = crc32c_bitwise(seed, buf + off, n);
    if (got != want) report(k->name, "crc32c", "length", n, got, want);
    /* chaining: the CRC of a || b continues from the CRC of a */
    size_t cut = n ? t_below(r, (uint32_t)n + 1) : 0;
    uint32_t two = k->crc32c(k->crc32c(seed, buf + off, cut), buf + off + cut, n - cut);
    if (two != want) report(k->name, "crc32c", "chained at", cut, two, want);
  }
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 1);
  const char *only = NULL;
  for (int i = 1; i < argc; i++)
    if (strncmp(argv[i], "--isa=", 6) == 0) only = argv[i] + 6;
  synk_codec_kernels ref;
  if (synk_codec_kernels_for("scalar", &ref) != SYNK_OK) return 1;
  const char *isas[16];
  size_t ni = synk_isa_list(isas, 16);
  for (size_t i = 0; i < ni && i < 16; i++) {
    if (only && strcmp(only, isas[i]) != 0) continue;
    synk_codec_kernels k;
    if (synk_codec_kernels_for(isas[i], &k) != SYNK_OK) return 1;
    t_rng r;
    t_seed(&r, seed);
    int before = fails;
    check_unpack(&k, &ref, &r);
    check_finish(&k, &ref, &r);
    check_diff(&k, &ref, &r);
    check_crc(&k, &r);
    printf("%-8s %s%s\n", isas[i], fails == before ? "ok" : "FAILED",
           synk_isa_emulated(isas[i]) == 1 ? " (emulated)" : "");
  }
  if (fails) printf("replay: test_sync_checkasm --seed=%" PRIu64 "\n", seed);
  return fails ? 1 : 0;
}
