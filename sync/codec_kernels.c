/* SPDX-License-Identifier: MIT */
/*
 * Scalar references of the sync-layer kernels (the specification the SIMD
 * versions in arch/codec_tmpl.h must match bit for bit; tests/test_sync_checkasm
 * cross-checks them).
 */
#include "sync/sync_internal.h"
#include "sync/crc32c_table.h"

uint32_t synk_unpack256_scalar(const uint8_t *src, uint32_t b, int zz, uint32_t *out) {
  if (b == 0) {
    memset(out, 0, SYNK_COL_BLOCK * 4);
    return 0;
  }
  uint32_t any = 0;
  const uint32_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1;
  for (uint32_t i = 0; i < SYNK_COL_BLOCK; i++) {
    uint32_t lane = i & 7, bit = (i >> 3) * b, j = bit >> 5, s = bit & 31;
    uint32_t v = synk_load_le32(src + 4 * (j * 8 + lane)) >> s;
    if (s + b > 32) v |= synk_load_le32(src + 4 * ((j + 1) * 8 + lane)) << (32 - s);
    v &= mask;
    any |= v;
    out[i] = zz ? synk_zigzag_dec32(v) : v;
  }
  return any;
}

void synk_run_finish_scalar(uint32_t *ids, size_t n, uint32_t base) {
  uint32_t cur = base - 1;
  for (size_t i = 0; i < n; i++) {
    cur += ids[i] + 1;
    ids[i] = cur;
  }
}

void synk_diff_words_scalar(const synk_world *a, const synk_world *b, uint32_t w0, uint32_t nw, uint64_t *out) {
  for (uint32_t i = 0; i < nw; i++) {
    uint32_t wi = w0 + i;
    uint64_t bits = a->alive[wi] ^ b->alive[wi];
    uint32_t first = wi * 64, end = first + 64 > a->cap ? a->cap : first + 64;
    for (uint32_t id = first; id < end; id++) {
      int d = a->kind[id] != b->kind[id] || a->x[id] != b->x[id] || a->y[id] != b->y[id] || a->z[id] != b->z[id];
      for (uint32_t p = 0; p < a->num_props && !d; p++) d = a->props[p][id] != b->props[p][id];
      if (d) bits |= UINT64_C(1) << (id - first);
    }
    out[i] = bits;
  }
}

/* Slice-by-8: eight table lookups per 8 bytes, read as two little-endian
 * words (explicit byte assembly: no alignment or byte-order assumption). */
uint32_t synk_crc32c_scalar(uint32_t crc, const uint8_t *p, size_t n) {
  const uint32_t(*t)[256] = synk_crc32c_tab;
  crc = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    uint32_t lo = synk_load_le32(p) ^ crc, hi = synk_load_le32(p + 4);
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][hi & 0xFF] ^
          t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
  }
  for (; n; n--) crc = t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void synk_codec_init_scalar(synk_codec_kernels *k) {
  k->unpack256 = synk_unpack256_scalar;
  k->run_finish = synk_run_finish_scalar;
  k->diff_words = synk_diff_words_scalar;
  k->crc32c = synk_crc32c_scalar;
}

uint32_t synk_crc32c(uint32_t crc, const void *p, size_t n) {
  if (!n) return crc;
  return synk_codec_kernels_active()->crc32c(crc, (const uint8_t *)p, n);
}
