/* SPDX-License-Identifier: MIT */
/*
 * Floor 0: byte mechanics for every wire format of synk (and its tools,
 * benchmarks and tests). Header-only, no semantics, nothing of the kernel:
 *
 *   - little-endian loads and stores of u16/u32/u64 at any alignment, by
 *     explicit byte assembly (compilers turn it into one move), never by
 *     casting an unaligned pointer;
 *   - LEB128 varints with one rule, canonical only: the shortest encoding is
 *     the only one accepted (0x80 0x00 for 0 is malformed), in a 32-bit form
 *     (at most 5 bytes, no bits past 32) and a 64-bit form (at most 10 bytes,
 *     no bits past 64), so one value has one byte string;
 *   - zigzag, which maps small signed values to small unsigned ones;
 *   - a read cursor whose error is sticky (a read past the end, or a malformed
 *     varint, sets it; later reads return 0), for parsing field by field and
 *     checking once;
 *   - a write cursor that counts what does not fit (bytes past the capacity,
 *     or every byte without a buffer, are counted but not written), so one
 *     pass both encodes and sizes.
 *
 * Hot loops that track their own position use the pointer forms
 * (synk_uv32_decode on a [p, end) pair); the cursors are built on them.
 * C11 and C++.
 */
#ifndef SYNK_COMMON_BYTES_H
#define SYNK_COMMON_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 1 when the host stores integers little-endian (what every wire format is),
 * so raw copies of u32 arrays are valid encodings; 0 when unknown or not. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#  define SYNK_LE_HOST 1
#else
#  define SYNK_LE_HOST 0
#endif

/* ---- little-endian loads and stores --------------------------------------- */

/* The u16 stored little-endian at p[0..2). */
static inline uint16_t synk_load_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* The u32 stored little-endian at p[0..4). */
static inline uint32_t synk_load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The u64 stored little-endian at p[0..8). */
static inline uint64_t synk_load_le64(const uint8_t *p) {
  return (uint64_t)synk_load_le32(p) | ((uint64_t)synk_load_le32(p + 4) << 32);
}

/* Store v little-endian at p[0..2). */
static inline void synk_store_le16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

/* Store v little-endian at p[0..4). */
static inline void synk_store_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* Store v little-endian at p[0..8). */
static inline void synk_store_le64(uint8_t *p, uint64_t v) {
  synk_store_le32(p, (uint32_t)v);
  synk_store_le32(p + 4, (uint32_t)(v >> 32));
}

/* ---- zigzag ----------------------------------------------------------------- */

/* Zigzag of the two's complement value v: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ... */
static inline uint32_t synk_zigzag_enc32(uint32_t v) { return (v << 1) ^ (0u - (v >> 31)); }

/* Inverse of synk_zigzag_enc32: the two's complement bit pattern of the value. */
static inline uint32_t synk_zigzag_dec32(uint32_t z) { return (z >> 1) ^ (0u - (z & 1u)); }

/* Zigzag of the 64-bit two's complement value v. */
static inline uint64_t synk_zigzag_enc64(uint64_t v) { return (v << 1) ^ (UINT64_C(0) - (v >> 63)); }

/* Inverse of synk_zigzag_enc64. */
static inline uint64_t synk_zigzag_dec64(uint64_t z) { return (z >> 1) ^ (UINT64_C(0) - (z & 1u)); }

/* ---- LEB128 varints: canonical only ------------------------------------------- */

/* Bytes of v's varint: 1..10. */
static inline size_t synk_uv64_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

/* Bytes of v's varint: 1..5. */
static inline size_t synk_uv32_len(uint32_t v) { return synk_uv64_len(v); }

/* Write v's varint (low 7-bit groups first, bit 7 = more follow) to out[0..10);
 * returns its length. */
static inline size_t synk_uv64_encode(uint8_t *out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

/* Write v's varint to out[0..5); returns its length. */
static inline size_t synk_uv32_encode(uint8_t *out, uint32_t v) { return synk_uv64_encode(out, v); }

/* Read the canonical varint of a u32 at [*pp, end): at most 5 bytes, no bits
 * past 32, no redundant final zero byte. Returns 0 and advances *pp past it,
 * or -1 (malformed or truncated; *pp and *out unchanged). */
static inline int synk_uv32_decode(const uint8_t **pp, const uint8_t *end, uint32_t *out) {
  const uint8_t *p = *pp;
  uint32_t v = 0;
  for (unsigned i = 0; i < 5; i++) {
    if (p >= end) return -1;
    uint32_t c = *p++;
    if (i == 4 && c > 0x0F) return -1; /* bits past 32, or a sixth byte */
    v |= (c & 0x7F) << (7 * i);
    if (!(c & 0x80)) {
      if (i > 0 && c == 0) return -1; /* non-canonical: a shorter encoding exists */
      *out = v;
      *pp = p;
      return 0;
    }
  }
  return -1;
}

/* Read the canonical varint of a u64 at [*pp, end): at most 10 bytes, no
 * bits past 64, no redundant final zero byte. Returns 0 and advances *pp, or
 * -1 (malformed or truncated; *pp and *out unchanged). */
static inline int synk_uv64_decode(const uint8_t **pp, const uint8_t *end, uint64_t *out) {
  const uint8_t *p = *pp;
  uint64_t v = 0;
  for (unsigned i = 0; i < 10; i++) {
    if (p >= end) return -1;
    uint32_t c = *p++;
    if (i == 9 && c > 0x01) return -1; /* bits past 64, or an eleventh byte */
    v |= (uint64_t)(c & 0x7F) << (7 * i);
    if (!(c & 0x80)) {
      if (i > 0 && c == 0) return -1; /* non-canonical: a shorter encoding exists */
      *out = v;
      *pp = p;
      return 0;
    }
  }
  return -1;
}

/* ---- read cursor ------------------------------------------------------------------ */

/* A bounded reader over [p, end). Every read checks the bounds; the first
 * failure sets err, which stays set: later reads return 0 and move nothing. */
typedef struct synk_rd {
  const uint8_t *p;   /* next byte */
  const uint8_t *end; /* one past the last byte */
  int err;            /* sticky: a read ran past end or met a malformed varint */
} synk_rd;

/* Start reading len bytes at buf (buf may be NULL when len is 0). */
static inline void synk_rd_init(synk_rd *r, const void *buf, size_t len) {
  r->p = (const uint8_t *)buf;
  r->end = buf ? r->p + len : r->p;
  r->err = 0;
}

/* Bytes not read yet. */
static inline size_t synk_rd_left(const synk_rd *r) { return (size_t)(r->end - r->p); }

/* 1 when every read succeeded and every byte was read. */
static inline int synk_rd_done(const synk_rd *r) { return !r->err && r->p == r->end; }

/* The next n bytes (a pointer into the buffer), or NULL (and err) when fewer remain. */
static inline const uint8_t *synk_rd_bytes(synk_rd *r, size_t n) {
  if (r->err || synk_rd_left(r) < n) {
    r->err = 1;
    return NULL;
  }
  const uint8_t *q = r->p;
  r->p += n;
  return q;
}

/* The next byte, or 0 (and err). */
static inline uint32_t synk_rd_u8(synk_rd *r) {
  const uint8_t *q = synk_rd_bytes(r, 1);
  return q ? q[0] : 0;
}

/* The next little-endian u16, or 0 (and err). */
static inline uint32_t synk_rd_u16(synk_rd *r) {
  const uint8_t *q = synk_rd_bytes(r, 2);
  return q ? synk_load_le16(q) : 0;
}

/* The next little-endian u32, or 0 (and err). */
static inline uint32_t synk_rd_u32(synk_rd *r) {
  const uint8_t *q = synk_rd_bytes(r, 4);
  return q ? synk_load_le32(q) : 0;
}

/* The next little-endian u64, or 0 (and err). */
static inline uint64_t synk_rd_u64(synk_rd *r) {
  const uint8_t *q = synk_rd_bytes(r, 8);
  return q ? synk_load_le64(q) : 0;
}

/* The next canonical u32 varint, or 0 (and err) when malformed or truncated. */
static inline uint32_t synk_rd_uv32(synk_rd *r) {
  uint32_t v = 0;
  if (!r->err && synk_uv32_decode(&r->p, r->end, &v)) r->err = 1;
  return r->err ? 0 : v;
}

/* The next canonical u64 varint, or 0 (and err) when malformed or truncated. */
static inline uint64_t synk_rd_uv64(synk_rd *r) {
  uint64_t v = 0;
  if (!r->err && synk_uv64_decode(&r->p, r->end, &v)) r->err = 1;
  return r->err ? 0 : v;
}

/* ---- write cursor ------------------------------------------------------------------ */

/* A writer into p[0..cap) that counts what does not fit: len grows by every
 * byte written, and bytes are stored only while all of them fit. Once
 * len > cap it stays so (the output is incomplete: synk_wr_fits is 0), and
 * len is the size the output needs. With p NULL (cap 0) it only counts. */
typedef struct synk_wr {
  uint8_t *p; /* the buffer, or NULL to count only */
  size_t cap; /* its size */
  size_t len; /* bytes written so far, including those that did not fit */
} synk_wr;

/* Start writing into buf[0..cap) (buf NULL: count only). */
static inline void synk_wr_init(synk_wr *w, void *buf, size_t cap) {
  w->p = (uint8_t *)buf;
  w->cap = buf ? cap : 0;
  w->len = 0;
}

/* 1 when every byte so far was stored (len <= cap). */
static inline int synk_wr_fits(const synk_wr *w) { return w->len <= w->cap; }

/* Append the n bytes at src (src non-NULL). */
static inline void synk_wr_put(synk_wr *w, const void *src, size_t n) {
  if (w->p && n <= w->cap && w->len <= w->cap - n) memcpy(w->p + w->len, src, n);
  w->len += n;
}

/* Append n bytes for the caller to fill: their address, or NULL when they do
 * not fit (they are counted either way). */
static inline uint8_t *synk_wr_reserve(synk_wr *w, size_t n) {
  uint8_t *q = w->p && n <= w->cap && w->len <= w->cap - n ? w->p + w->len : NULL;
  w->len += n;
  return q;
}

/* Append the low byte of v. */
static inline void synk_wr_u8(synk_wr *w, uint32_t v) {
  uint8_t c = (uint8_t)v;
  synk_wr_put(w, &c, 1);
}

/* Append the low 16 bits of v, little-endian. */
static inline void synk_wr_u16(synk_wr *w, uint32_t v) {
  uint8_t t[2];
  synk_store_le16(t, (uint16_t)v);
  synk_wr_put(w, t, 2);
}

/* Append v little-endian. */
static inline void synk_wr_u32(synk_wr *w, uint32_t v) {
  uint8_t t[4];
  synk_store_le32(t, v);
  synk_wr_put(w, t, 4);
}

/* Append v little-endian. */
static inline void synk_wr_u64(synk_wr *w, uint64_t v) {
  uint8_t t[8];
  synk_store_le64(t, v);
  synk_wr_put(w, t, 8);
}

/* Append v's canonical varint (1..5 bytes). */
static inline void synk_wr_uv32(synk_wr *w, uint32_t v) {
  uint8_t t[5];
  synk_wr_put(w, t, synk_uv32_encode(t, v));
}

/* Append v's canonical varint (1..10 bytes). */
static inline void synk_wr_uv64(synk_wr *w, uint64_t v) {
  uint8_t t[10];
  synk_wr_put(w, t, synk_uv64_encode(t, v));
}

#endif
