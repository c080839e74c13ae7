/* SPDX-License-Identifier: MIT */
/* Protocol bytes for the net fuzz targets, written here from
 * docs/protocol.md (the targets play peers of the endpoints, so they build
 * and read messages themselves, not with the library's internals):
 *   frame = u8 type | LEB128 body length | body | u32 CRC-32C (LE)
 * plus a little-endian body writer, a frame reader, and the reader that
 * turns a fuzz input into the values a structured target consumes. */
#ifndef SYNK_FUZZ_WIRE_H
#define SYNK_FUZZ_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "synk.h"

/* message types (docs/protocol.md, "Messages") */
enum {
  FZ_HELLO = 1, FZ_ACK = 2, FZ_SYNC = 3, FZ_VIEW = 4, FZ_COMMAND = 5, FZ_APP = 6, FZ_PING = 7, FZ_PONG = 8,
  FZ_BYE = 9, FZ_WELCOME = 16, FZ_REFUSE = 17, FZ_BULK = 18, FZ_FRAG = 19, FZ_TICK = 20, FZ_RESULT = 21,
  FZ_SAPP = 22, FZ_CLOSE = 25, FZ_CHECK = 26, FZ_VIEWRES = 27
};
enum { FZ_SNAPSHOT = 1, FZ_REPAIR = 2, FZ_REPLAY = 3 }; /* BULK kinds */
#define FZ_FRAME_OVERHEAD 10u

/* Frame [type][body: n bytes] into out (room for n + FZ_FRAME_OVERHEAD); its length. */
static inline size_t fz_frame(uint8_t *out, uint32_t type, const uint8_t *body, size_t n) {
  size_t k = 0, v = n;
  out[k++] = (uint8_t)type;
  do {
    uint8_t b = (uint8_t)(v & 0x7F);
    v >>= 7;
    out[k++] = (uint8_t)(b | (v ? 0x80 : 0));
  } while (v);
  if (n) memmove(out + k, body, n);
  k += n;
  uint32_t crc = synk_crc32c(0, out, k);
  for (int i = 0; i < 4; i++) out[k++] = (uint8_t)(crc >> (8 * i));
  return k;
}

/* A frame's type and body (a frame this side just received whole from an
 * endpoint's poll, so well formed); 0 if it is not one. */
static inline int fz_unframe(const uint8_t *f, size_t len, uint32_t *type, const uint8_t **body, size_t *n) {
  size_t i = 1, v = 0;
  int shift = 0;
  if (len < 6) return 0;
  do {
    if (i >= len || shift > 28) return 0;
    v |= (size_t)(f[i] & 0x7F) << shift;
    shift += 7;
  } while (f[i++] & 0x80);
  if (i + v + 4 != len) return 0;
  *type = f[0];
  *body = f + i;
  *n = v;
  return 1;
}

/* A body writer; `err` once it ran out of room. */
typedef struct fz_w {
  uint8_t *p;
  size_t n, cap;
  int err;
} fz_w;
static inline void fz_w_init(fz_w *w, uint8_t *p, size_t cap) {
  w->p = p;
  w->n = 0;
  w->cap = cap;
  w->err = 0;
}
static inline void fz_w_le(fz_w *w, uint64_t v, int bytes) {
  if (w->err || w->cap - w->n < (size_t)bytes) {
    w->err = 1;
    return;
  }
  for (int i = 0; i < bytes; i++) w->p[w->n++] = (uint8_t)(v >> (8 * i));
}
static inline void fz_w8(fz_w *w, uint64_t v) { fz_w_le(w, v, 1); }
static inline void fz_w16(fz_w *w, uint64_t v) { fz_w_le(w, v, 2); }
static inline void fz_w32(fz_w *w, uint64_t v) { fz_w_le(w, v, 4); }
static inline void fz_w64(fz_w *w, uint64_t v) { fz_w_le(w, v, 8); }
static inline void fz_wvar(fz_w *w, uint64_t v) {
  do {
    uint8_t b = (uint8_t)(v & 0x7F);
    v >>= 7;
    fz_w8(w, b | (v ? 0x80u : 0u));
  } while (v);
}
static inline void fz_wbytes(fz_w *w, const void *b, size_t k) {
  if (w->err || w->cap - w->n < k) {
    w->err = 1;
    return;
  }
  if (k) memcpy(w->p + w->n, b, k);
  w->n += k;
}

/* Little-endian fields of a received body. */
static inline uint64_t fz_le(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

/* The fuzz input as a stream of values: past its end every value is 0. */
typedef struct fz_in {
  const uint8_t *p;
  size_t n, off;
} fz_in;
static inline int fz_more(const fz_in *in) { return in->off < in->n; }
static inline uint64_t fz_get(fz_in *in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) v |= (uint64_t)(in->off < in->n ? in->p[in->off++] : 0) << (8 * i);
  return v;
}
static inline uint32_t fz_u8(fz_in *in) { return (uint32_t)fz_get(in, 1); }
static inline uint32_t fz_u16(fz_in *in) { return (uint32_t)fz_get(in, 2); }
static inline uint32_t fz_u32(fz_in *in) { return (uint32_t)fz_get(in, 4); }
static inline uint64_t fz_u64(fz_in *in) { return fz_get(in, 8); }

#endif
