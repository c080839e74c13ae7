/* SPDX-License-Identifier: MIT */
/*
 * Packed columns (docs/wire-format.md, "Packed columns"): blocks of 256 u32
 * values, each with its own bit width and patched exceptions (the PFOR idea),
 * the full blocks in a vertical 8-lane layout that SIMD unpacks with shifts
 * only (the SIMD-BP128 idea, widened to 8 lanes), the short last block in a
 * plain little-endian bitstream.
 *
 * Block: [hdr: width b (bits 0-5, 0..32) | exceptions flag (bit 6)]
 *        (canonical: b is 0 or some value's low part has bit b-1 set)
 *        [data: 32*b bytes (full block) or ceil(m*b/8) bytes (m < 256)]
 *        [if flagged: count-1 (u8), count positions (u8, strictly
 *         increasing, < m), count varints hi >= 1 (value = low | hi << b)]
 */
#include "sync/sync_internal.h"

/* Pick the width minimizing the block's size, from a histogram of bit
 * lengths. Candidates are 0 and the lengths present (the canonical rule:
 * some value fills the width exactly); ties go to the smaller width. */
static uint32_t choose_width(const uint32_t *hist, uint32_t m, int full) {
  uint32_t lens[33], nl = 0;
  for (uint32_t len = 1; len <= 32; len++)
    if (hist[len]) lens[nl++] = len;
  uint64_t best = UINT64_MAX;
  uint32_t bw = nl ? lens[nl - 1] : 0;
  for (uint32_t c = 0; c <= nl; c++) {
    const uint32_t b = c ? lens[c - 1] : 0;
    uint64_t cost = full ? 32u * b : ((uint64_t)m * b + 7) / 8;
    uint64_t nexc = 0;
    for (uint32_t j = c; j < nl; j++) { /* lengths above b become exceptions */
      nexc += hist[lens[j]];
      cost += (uint64_t)hist[lens[j]] * (1 + (lens[j] - b + 6) / 7);
    }
    if (nexc) cost += 1;
    if (nexc > 256 || (b == 32 && nexc)) continue;
    if (cost < best) {
      best = cost;
      bw = b;
    }
  }
  return bw;
}

void synk_col_put_block(synk_wr *out, const uint32_t *v, uint32_t m) {
  /* four interleaved histograms: runs of equal lengths (the common case)
   * would otherwise serialize on one counter */
  uint32_t h4[4][33], hist[33];
  memset(h4, 0, sizeof h4);
  for (uint32_t i = 0; i < m; i++) h4[i & 3][synk_bitlen32(v[i])]++;
  for (uint32_t l = 0; l <= 32; l++) hist[l] = h4[0][l] + h4[1][l] + h4[2][l] + h4[3][l];
  const int full = m == SYNK_COL_BLOCK;
  const uint32_t b = choose_width(hist, m, full);
  const uint32_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1;
  uint32_t nexc = 0;
  for (uint32_t len = b + 1; len <= 32; len++) nexc += hist[len];
  synk_wr_u8(out, b | (nexc ? 0x40u : 0));

  uint8_t data[SYNK_COL_BLOCK * 4];
  size_t nbytes;
  if (full) {
    uint32_t words[SYNK_COL_BLOCK];
    nbytes = 32u * b;
    memset(words, 0, nbytes);
    for (uint32_t i = 0; i < m && b; i++) {
      uint32_t lane = i & 7, bit = (i >> 3) * b, j = bit >> 5, s = bit & 31, x = v[i] & mask;
      words[j * 8 + lane] |= x << s;
      if (s + b > 32) words[(j + 1) * 8 + lane] |= x >> (32 - s);
    }
    for (uint32_t j = 0; j < 8u * b; j++) synk_store_le32(data + 4 * j, words[j]);
  } else {
    /* a little-endian bitstream through a 64-bit accumulator (< 8 bits wait
     * in it between values, so b <= 32 more always fit) */
    nbytes = ((size_t)m * b + 7) / 8;
    uint64_t acc = 0;
    uint32_t nb = 0;
    size_t o = 0;
    for (uint32_t i = 0; i < m && b; i++) {
      acc |= (uint64_t)(v[i] & mask) << nb;
      nb += b;
      while (nb >= 8) {
        data[o++] = (uint8_t)acc;
        acc >>= 8;
        nb -= 8;
      }
    }
    if (nb) data[o++] = (uint8_t)acc;
  }
  synk_wr_put(out, data, nbytes);
  if (nexc) {
    synk_wr_u8(out, nexc - 1);
    for (uint32_t i = 0; i < m; i++)
      if (v[i] > mask) synk_wr_u8(out, i);
    for (uint32_t i = 0; i < m; i++)
      if (v[i] > mask) synk_wr_uv32(out, v[i] >> b);
  }
}

void synk_col_put(synk_wr *out, const uint32_t *v, size_t n) {
  for (size_t i = 0; i < n; i += SYNK_COL_BLOCK) {
    size_t m = n - i < SYNK_COL_BLOCK ? n - i : SYNK_COL_BLOCK;
    synk_col_put_block(out, v + i, (uint32_t)m);
  }
}

/* Horizontal layout (short last block): value i is bits [i*b, i*b + b) of a
 * little-endian bitstream of nbytes bytes. */
static void unpack_horizontal(const uint8_t *src, size_t nbytes, uint32_t b, uint32_t m, uint32_t *out) {
  if (b == 0) {
    memset(out, 0, (size_t)m * 4);
    return;
  }
  const uint64_t mask = b == 32 ? 0xFFFFFFFFu : (UINT64_C(1) << b) - 1;
  for (uint32_t i = 0; i < m; i++) {
    uint64_t bit = (uint64_t)i * b, acc = 0;
    size_t byte = (size_t)(bit >> 3);
    for (size_t t = 0; t < 5 && byte + t < nbytes; t++) acc |= (uint64_t)src[byte + t] << (8 * t);
    out[i] = (uint32_t)((acc >> (bit & 7)) & mask);
  }
}

synk_status synk_col_block(const synk_codec_kernels *k, const uint8_t **pp, const uint8_t *end, uint32_t m,
                           uint32_t *out, int zz, uint64_t *bound) {
  const uint8_t *p = *pp;
  if (m == 0 || m > SYNK_COL_BLOCK || p >= end) return SYNK_E_FORMAT;
  uint32_t hdr = *p++;
  uint32_t b = hdr & 63;
  int exc = (hdr >> 6) & 1;
  if ((hdr & 0x80) || b > 32 || (b == 32 && exc)) return SYNK_E_FORMAT;
  const int full = m == SYNK_COL_BLOCK;
  size_t nbytes = full ? 32u * b : ((size_t)m * b + 7) / 8;
  if ((size_t)(end - p) < nbytes) return SYNK_E_FORMAT;
  const uint8_t *data = p;
  p += nbytes;
  /* canonical: the unused high bits of a short block's last byte are 0 */
  if (!full && ((size_t)m * b) & 7 && (data[nbytes - 1] >> (((size_t)m * b) & 7))) return SYNK_E_FORMAT;
  if (out) {
    uint32_t any = 0;
    if (full) {
      any = k->unpack256(data, b, zz, out);
    } else {
      unpack_horizontal(data, nbytes, b, m, out);
      for (uint32_t i = 0; i < m; i++) any |= out[i];
      if (zz)
        for (uint32_t i = 0; i < m; i++) out[i] = synk_zigzag_dec32(out[i]);
    }
    /* canonical width: the low parts fill it (bit b-1 of some value is set) */
    if (b && !((any >> (b - 1)) & 1)) return SYNK_E_FORMAT;
  }
  if (bound) *bound += (uint64_t)m * ((UINT64_C(1) << b) - 1);
  if (exc) {
    if (p >= end) return SYNK_E_FORMAT;
    uint32_t cnt = (uint32_t)*p++ + 1;
    if (cnt > m || (size_t)(end - p) < cnt) return SYNK_E_FORMAT;
    const uint8_t *pos = p;
    p += cnt;
    uint32_t limit = b == 0 ? 0xFFFFFFFFu : 0xFFFFFFFFu >> b; /* largest hi that fits */
    for (uint32_t e = 0; e < cnt; e++) {
      if (pos[e] >= m || (e && pos[e] <= pos[e - 1])) return SYNK_E_FORMAT;
      uint32_t hi;
      if (synk_uv32_decode(&p, end, &hi) || hi == 0 || hi > limit) return SYNK_E_FORMAT;
      /* patch: low | hi << b; on a zigzag-decoded low part d the same value
       * is d ^ (hi << (b - 1)) (b >= 1: the sign bit is in the low part),
       * or zz_dec(hi) when b == 0 */
      if (out) out[pos[e]] = !zz ? out[pos[e]] | hi << b : b ? out[pos[e]] ^ (hi << (b - 1)) : synk_zigzag_dec32(hi);
      if (bound) *bound += (uint64_t)hi << b;
    }
  }
  *pp = p;
  return SYNK_OK;
}

synk_status synk_col_get(const synk_codec_kernels *k, const uint8_t **pp, const uint8_t *end, size_t n, uint32_t *out,
                         int zz, uint64_t *bound) {
  for (size_t i = 0; i < n; i += SYNK_COL_BLOCK) {
    uint32_t m = n - i < SYNK_COL_BLOCK ? (uint32_t)(n - i) : SYNK_COL_BLOCK;
    synk_status st = synk_col_block(k, pp, end, m, out ? out + i : NULL, zz, bound);
    if (st) return st;
  }
  return SYNK_OK;
}
