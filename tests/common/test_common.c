/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of common/ (bytes.h, bits.h, mix.h): every helper, every varint
 * form a decoder must refuse (overlong, too long, bits past the width,
 * truncated), and round trips. The same file is compiled as C11, as C++11
 * (test_common_cxx.cpp includes it) and with SYNK_BITS_PORTABLE (the
 * fallbacks of bits.h that compilers without the builtins use).
 */
#include "common/bits.h"
#include "common/bytes.h"
#include "common/mix.h"

#include "test_util.h"

/* the random round trips draw from test_util.h's generator (not common/mix.h's, which is under test) */
static t_rng rng;
static uint64_t next_u64(void) { return t_next(&rng); }

/* ---- bytes.h: little-endian ------------------------------------------------- */

static void test_le(void) {
  static const uint8_t b[9] = {0xEE, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  CHECK(synk_load_le16(b + 1) == 0x0201u);
  CHECK(synk_load_le32(b + 1) == 0x04030201u); /* odd address: no alignment assumed */
  CHECK(synk_load_le64(b + 1) == UINT64_C(0x0807060504030201));
  uint8_t o[11];
  memset(o, 0xAA, sizeof o);
  synk_store_le16(o + 1, 0xBEEF);
  CHECK(o[0] == 0xAA && o[1] == 0xEF && o[2] == 0xBE && o[3] == 0xAA);
  memset(o, 0xAA, sizeof o);
  synk_store_le32(o + 1, 0x11223344u);
  CHECK(o[0] == 0xAA && o[1] == 0x44 && o[2] == 0x33 && o[3] == 0x22 && o[4] == 0x11 && o[5] == 0xAA);
  memset(o, 0xAA, sizeof o);
  synk_store_le64(o + 1, UINT64_C(0x0102030405060708));
  CHECK(o[0] == 0xAA && o[1] == 0x08 && o[8] == 0x01 && o[9] == 0xAA);
  for (int i = 0; i < 1000; i++) {
    uint64_t v = next_u64();
    synk_store_le64(o + 3, v);
    CHECK(synk_load_le64(o + 3) == v);
    synk_store_le32(o + 1, (uint32_t)v);
    CHECK(synk_load_le32(o + 1) == (uint32_t)v);
    synk_store_le16(o + 5, (uint16_t)v);
    CHECK(synk_load_le16(o + 5) == (uint16_t)v);
  }
}

/* ---- bytes.h: zigzag ------------------------------------------------------------ */

static void test_zigzag(void) {
  static const struct { int32_t v; uint32_t z; } t32[] = {
      {0, 0}, {-1, 1}, {1, 2}, {-2, 3}, {2, 4}, {INT32_MAX, 0xFFFFFFFEu}, {INT32_MIN, 0xFFFFFFFFu}};
  for (size_t i = 0; i < sizeof t32 / sizeof t32[0]; i++) {
    CHECK(synk_zigzag_enc32(synk_u32_of(t32[i].v)) == t32[i].z);
    CHECK(synk_i32_of(synk_zigzag_dec32(t32[i].z)) == t32[i].v);
  }
  static const struct { int64_t v; uint64_t z; } t64[] = {
      {0, 0}, {-1, 1}, {1, 2}, {-2, 3}, {INT64_MAX, UINT64_C(0xFFFFFFFFFFFFFFFE)}, {INT64_MIN, UINT64_MAX}};
  for (size_t i = 0; i < sizeof t64 / sizeof t64[0]; i++) {
    CHECK(synk_zigzag_enc64((uint64_t)t64[i].v) == t64[i].z);
    CHECK(synk_zigzag_dec64(t64[i].z) == (uint64_t)t64[i].v);
  }
  for (int i = 0; i < 1000; i++) {
    uint64_t v = next_u64();
    CHECK(synk_zigzag_dec32(synk_zigzag_enc32((uint32_t)v)) == (uint32_t)v);
    CHECK(synk_zigzag_dec64(synk_zigzag_enc64(v)) == v);
  }
}

/* ---- bytes.h: varints --------------------------------------------------------------- */

/* A byte string the decoders must refuse, and why. */
typedef struct bad_varint {
  uint8_t b[12];
  size_t n;
  const char *why;
} bad_varint;

static const bad_varint bad32[] = {
    {{0}, 0, "empty"},
    {{0x80}, 1, "truncated after a continuation byte"},
    {{0xFF, 0xFF}, 2, "truncated"},
    {{0xFF, 0xFF, 0xFF, 0xFF}, 4, "truncated at 4 bytes"},
    {{0x80, 0x00}, 2, "overlong 0"},
    {{0xFF, 0x00}, 2, "overlong 127"},
    {{0x81, 0x80, 0x00}, 3, "overlong 1 in 3 bytes"},
    {{0x81, 0x80, 0x80, 0x80, 0x00}, 5, "overlong 1 in 5 bytes"},
    {{0x80, 0x80, 0x80, 0x80, 0x10}, 5, "2^32: past 32 bits"},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0x1F}, 5, "past 32 bits"},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0x8F, 0x00}, 6, "six bytes"},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 6, "six bytes (continuation on the fifth)"},
};

static const bad_varint bad64[] = {
    {{0}, 0, "empty"},
    {{0x80}, 1, "truncated after a continuation byte"},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 9, "truncated at 9 bytes"},
    {{0x80, 0x00}, 2, "overlong 0"},
    {{0xFF, 0x00}, 2, "overlong 127"},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 10, "overlong 0 in 10 bytes"},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}, 10, "2^64: past 64 bits"},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, 10, "past 64 bits"},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 11, "eleven bytes"},
};

static void expect_bad32(const bad_varint *t) {
  const uint8_t *p = t->b, *start = p;
  uint32_t v = 0x5A5A5A5Au;
  int rc = synk_uv32_decode(&p, t->b + t->n, &v);
  CHECK(rc == -1);
  CHECK(p == start && v == 0x5A5A5A5Au); /* nothing moved, nothing written */
  if (rc != -1) fprintf(stderr, "  the 32-bit decoder accepted: %s\n", t->why);
  synk_rd r;
  synk_rd_init(&r, t->b, t->n);
  CHECK(synk_rd_uv32(&r) == 0 && r.err);
}

static void expect_bad64(const bad_varint *t) {
  const uint8_t *p = t->b, *start = p;
  uint64_t v = 0x5A5A5A5Au;
  int rc = synk_uv64_decode(&p, t->b + t->n, &v);
  CHECK(rc == -1);
  CHECK(p == start && v == 0x5A5A5A5Au);
  if (rc != -1) fprintf(stderr, "  the 64-bit decoder accepted: %s\n", t->why);
  synk_rd r;
  synk_rd_init(&r, t->b, t->n);
  CHECK(synk_rd_uv64(&r) == 0 && r.err);
}

/* v's encoding is `want` (n bytes) in both widths where it fits, and decodes back */
static void expect_encoding(uint64_t v, const uint8_t *want, size_t n) {
  uint8_t b[10];
  CHECK(synk_uv64_len(v) == n);
  CHECK(synk_uv64_encode(b, v) == n && memcmp(b, want, n) == 0);
  const uint8_t *p = want;
  uint64_t got = ~v;
  CHECK(synk_uv64_decode(&p, want + n, &got) == 0 && got == v && p == want + n);
  if (v <= UINT32_MAX) {
    CHECK(synk_uv32_len((uint32_t)v) == n);
    CHECK(synk_uv32_encode(b, (uint32_t)v) == n && memcmp(b, want, n) == 0);
    uint32_t got32 = ~(uint32_t)v;
    p = want;
    CHECK(synk_uv32_decode(&p, want + n, &got32) == 0 && got32 == v && p == want + n);
  } else { /* a value past 32 bits is refused by the 32-bit decoder */
    uint32_t got32 = 7;
    p = want;
    CHECK(synk_uv32_decode(&p, want + n, &got32) == -1 && got32 == 7 && p == want);
  }
}

static void test_varints(void) {
  static const uint8_t e0[] = {0x00}, e127[] = {0x7F}, e128[] = {0x80, 0x01}, e300[] = {0xAC, 0x02},
                       e16383[] = {0xFF, 0x7F}, e16384[] = {0x80, 0x80, 0x01},
                       emax32[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, e2p32[] = {0x80, 0x80, 0x80, 0x80, 0x10},
                       emax64[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  expect_encoding(0, e0, 1);
  expect_encoding(127, e127, 1);
  expect_encoding(128, e128, 2);
  expect_encoding(300, e300, 2);
  expect_encoding(16383, e16383, 2);
  expect_encoding(16384, e16384, 3);
  expect_encoding(UINT32_MAX, emax32, 5);
  expect_encoding(UINT64_C(1) << 32, e2p32, 5);
  expect_encoding(UINT64_MAX, emax64, 10);
  for (size_t i = 0; i < sizeof bad32 / sizeof bad32[0]; i++) expect_bad32(&bad32[i]);
  for (size_t i = 0; i < sizeof bad64 / sizeof bad64[0]; i++) expect_bad64(&bad64[i]);

  /* every proper prefix of a valid encoding is truncated */
  uint8_t b[10];
  for (int i = 0; i < 200; i++) {
    uint64_t v = next_u64() >> (next_u64() & 63);
    size_t n = synk_uv64_encode(b, v);
    for (size_t k = 0; k < n; k++) {
      const uint8_t *p = b;
      uint64_t got = 0;
      CHECK(synk_uv64_decode(&p, b + k, &got) == -1 && p == b);
    }
    /* and it round-trips, stopping at its own end whatever follows */
    uint8_t more[11];
    memcpy(more, b, n);
    more[n] = 0xFF;
    const uint8_t *p = more;
    uint64_t got = 0;
    CHECK(synk_uv64_decode(&p, more + n + 1, &got) == 0 && got == v && p == more + n);
    uint32_t v32 = (uint32_t)v;
    n = synk_uv32_encode(b, v32);
    p = b;
    uint32_t got32 = 0;
    CHECK(synk_uv32_decode(&p, b + n, &got32) == 0 && got32 == v32 && p == b + n);
    for (size_t k = 0; k < n; k++) {
      p = b;
      CHECK(synk_uv32_decode(&p, b + k, &got32) == -1 && p == b);
    }
  }
  /* the boundaries of every length */
  for (unsigned k = 1; k < 64; k++) {
    uint64_t lo = UINT64_C(1) << k;
    uint64_t vals[3] = {lo - 1, lo, lo + 1};
    for (int j = 0; j < 3; j++) {
      size_t n = synk_uv64_encode(b, vals[j]);
      CHECK(n == (size_t)(64 - synk_clz64(vals[j]) + 6) / 7);
      const uint8_t *p = b;
      uint64_t got = 0;
      CHECK(synk_uv64_decode(&p, b + n, &got) == 0 && got == vals[j]);
    }
  }
}

/* ---- bytes.h: cursors ------------------------------------------------------------------ */

static void test_cursors(void) {
  uint8_t buf[64];
  memset(buf, 0xCC, sizeof buf);
  synk_wr w;
  synk_wr_init(&w, buf, sizeof buf);
  synk_wr_u8(&w, 0x1A5); /* the low byte */
  synk_wr_u16(&w, 0x12345); /* the low 16 bits */
  synk_wr_u32(&w, 0xDEADBEEFu);
  synk_wr_u64(&w, UINT64_C(0x0123456789ABCDEF));
  synk_wr_uv32(&w, 300);
  synk_wr_uv64(&w, UINT64_MAX);
  uint8_t *room = synk_wr_reserve(&w, 3);
  CHECK(room == buf + 1 + 2 + 4 + 8 + 2 + 10);
  if (room) memcpy(room, "xyz", 3);
  synk_wr_put(&w, "AB", 2);
  const size_t total = 1 + 2 + 4 + 8 + 2 + 10 + 3 + 2;
  CHECK(w.len == total && synk_wr_fits(&w));
  CHECK(buf[0] == 0xA5 && buf[1] == 0x45 && buf[2] == 0x23 && buf[total] == 0xCC);

  synk_rd r;
  synk_rd_init(&r, buf, total);
  CHECK(synk_rd_u8(&r) == 0xA5);
  CHECK(synk_rd_u16(&r) == 0x2345);
  CHECK(synk_rd_u32(&r) == 0xDEADBEEFu);
  CHECK(synk_rd_u64(&r) == UINT64_C(0x0123456789ABCDEF));
  CHECK(synk_rd_uv32(&r) == 300);
  CHECK(synk_rd_uv64(&r) == UINT64_MAX);
  const uint8_t *q = synk_rd_bytes(&r, 3);
  CHECK(q && memcmp(q, "xyz", 3) == 0);
  CHECK(synk_rd_left(&r) == 2 && !synk_rd_done(&r));
  CHECK(synk_rd_u16(&r) == 0x4241 && synk_rd_done(&r));

  /* the read error is sticky: after a short read, reads that would fit return 0 */
  synk_rd_init(&r, buf, 3);
  CHECK(synk_rd_u32(&r) == 0 && r.err && synk_rd_left(&r) == 3);
  CHECK(synk_rd_u8(&r) == 0 && synk_rd_bytes(&r, 0) == NULL && !synk_rd_done(&r));
  /* a malformed varint too */
  static const uint8_t overlong[] = {0x80, 0x00, 0x05};
  synk_rd_init(&r, overlong, sizeof overlong);
  CHECK(synk_rd_uv32(&r) == 0 && r.err);
  CHECK(synk_rd_u8(&r) == 0);
  synk_rd_init(&r, overlong, sizeof overlong);
  CHECK(synk_rd_uv64(&r) == 0 && r.err);
  /* an empty buffer, NULL allowed */
  synk_rd_init(&r, NULL, 0);
  CHECK(synk_rd_done(&r) && synk_rd_left(&r) == 0);
  CHECK(synk_rd_u8(&r) == 0 && r.err && !synk_rd_done(&r));

  /* the writer counts what does not fit and stores nothing past it */
  memset(buf, 0xCC, sizeof buf);
  synk_wr_init(&w, buf, 6);
  synk_wr_u32(&w, 0x04030201u);
  CHECK(w.len == 4 && synk_wr_fits(&w));
  synk_wr_u32(&w, 0x08070605u); /* 8 > 6: not stored */
  CHECK(w.len == 8 && !synk_wr_fits(&w));
  synk_wr_u8(&w, 0x09); /* would fit in bytes 4..5 by itself: stays unstored (sticky) */
  CHECK(synk_wr_reserve(&w, 1) == NULL);
  CHECK(w.len == 10 && !synk_wr_fits(&w));
  CHECK(buf[3] == 0x04 && buf[4] == 0xCC && buf[5] == 0xCC);
  /* count only */
  synk_wr_init(&w, NULL, 100);
  CHECK(w.cap == 0);
  synk_wr_uv32(&w, UINT32_MAX);
  synk_wr_uv64(&w, 1);
  CHECK(synk_wr_reserve(&w, 4) == NULL);
  CHECK(w.len == 5 + 1 + 4 && !synk_wr_fits(&w));
  synk_wr_init(&w, NULL, 0);
  CHECK(synk_wr_fits(&w));
}

/* ---- bits.h ------------------------------------------------------------------------------- */

static uint32_t naive_popcount(uint64_t v) {
  uint32_t n = 0;
  for (int i = 0; i < 64; i++) n += (uint32_t)((v >> i) & 1u);
  return n;
}

static void test_bits(void) {
  for (uint32_t i = 0; i < 64; i++) {
    uint64_t bit = UINT64_C(1) << i;
    CHECK(synk_ctz64(bit) == i);
    CHECK(synk_ctz64(bit | (UINT64_MAX << i)) == i); /* higher bits do not matter */
    CHECK(synk_clz64(bit) == 63 - i);
    CHECK(synk_clz64(bit | (bit - 1)) == 63 - i); /* lower bits do not matter */
    if (i < 32) {
      CHECK(synk_clz32((uint32_t)bit) == 31 - i);
      CHECK(synk_clz32((uint32_t)(bit | (bit - 1))) == 31 - i);
      CHECK(synk_bitlen32((uint32_t)bit) == i + 1);
    }
  }
  CHECK(synk_bitlen32(0) == 0 && synk_bitlen32(UINT32_MAX) == 32);
  CHECK(synk_popcount64(0) == 0 && synk_popcount64(UINT64_MAX) == 64);
  CHECK(synk_popcount64(UINT64_C(0xAAAAAAAAAAAAAAAA)) == 32 && synk_popcount64(UINT64_C(1) << 63) == 1);
  for (int i = 0; i < 1000; i++) {
    uint64_t v = next_u64() & next_u64();
    CHECK(synk_popcount64(v) == naive_popcount(v));
  }

  uint64_t words[3] = {0, 0, 0};
  static const uint32_t idx[] = {0, 1, 63, 64, 100, 127, 128, 191};
  for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
    CHECK(synk_bit_get(words, idx[i]) == 0);
    synk_bit_set(words, idx[i]);
    CHECK(synk_bit_get(words, idx[i]) == 1);
  }
  CHECK(words[0] == (UINT64_C(3) | UINT64_C(1) << 63));
  CHECK(words[1] == (UINT64_C(1) | UINT64_C(1) << 36 | UINT64_C(1) << 63));
  CHECK(words[2] == (UINT64_C(1) | UINT64_C(1) << 63));
  synk_bit_set(words, 100); /* idempotent */
  synk_bit_clear(words, 100);
  synk_bit_clear(words, 100);
  CHECK(synk_bit_get(words, 100) == 0 && words[1] == (UINT64_C(1) | UINT64_C(1) << 63));
  CHECK(synk_bit_get(words, 99) == 0 && synk_bit_get(words, 127) == 1);

  CHECK(synk_i32_of(0xFFFFFFFFu) == -1 && synk_i32_of(0x80000000u) == INT32_MIN);
  CHECK(synk_i32_of(0x7FFFFFFFu) == INT32_MAX && synk_u32_of(INT32_MIN) == 0x80000000u);
  CHECK(synk_u32_of(-1) == 0xFFFFFFFFu);
  for (int i = 0; i < 1000; i++) {
    uint32_t u = (uint32_t)next_u64();
    CHECK(synk_u32_of(synk_i32_of(u)) == u);
  }
}

/* ---- mix.h ----------------------------------------------------------------------------- */

static void test_mix(void) {
  /* splitmix64 from state 0: the reference generator's first outputs */
  uint64_t s = 0;
  CHECK(synk_splitmix64(&s) == UINT64_C(0xE220A8397B1DCDAF));
  CHECK(s == SYNK_SPLITMIX64_GAMMA);
  CHECK(synk_splitmix64(&s) == UINT64_C(0x6E789E6AA1B965F4));
  CHECK(synk_splitmix64(&s) == UINT64_C(0x06C45D188009454F));
  CHECK(s == SYNK_SPLITMIX64_GAMMA * 3);
  CHECK(SYNK_SPLITMIX64_GAMMA == UINT64_C(0x9E3779B97F4A7C15));
  CHECK(synk_mix64(0) == 0);
  CHECK(synk_mix64(1) == UINT64_C(0x5692161D100B05E5));
  CHECK(synk_mix64(UINT64_MAX) == UINT64_C(0xB4D055FCF2CBBD7B));
}

int main(void) {
  t_seed(&rng, 0x243F6A8885A308D3u);
  test_le();
  test_zigzag();
  test_varints();
  test_cursors();
  test_bits();
  test_mix();
#if defined(SYNK_BITS_PORTABLE)
  return t_done("test_common (portable bits)");
#elif defined(__cplusplus)
  return t_done("test_common (C++)");
#else
  return t_done("test_common");
#endif
}
