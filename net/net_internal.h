/* SPDX-License-Identifier: MIT */
/*
 * net/ internals shared by the server and the client endpoints: message
 * types, framing, little-endian readers/writers, byte queues. Uses the
 * public synk.h only (DESIGN.md section 8). docs/protocol.md specifies every
 * message.
 */
#ifndef SYNK_NET_INTERNAL_H
#define SYNK_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "synk_net.h"

/* message types: client -> server */
enum {
  NM_HELLO = 1,
  NM_ACK = 2,
  NM_SYNC = 3,
  NM_VIEW = 4,
  NM_COMMAND = 5,
  NM_APP = 6,
  NM_PING = 7, /* both directions */
  NM_PONG = 8, /* both directions */
  NM_BYE = 9,
  /* server -> client */
  NM_WELCOME = 16,
  NM_REFUSE = 17,
  NM_BULK = 18,
  NM_FRAG = 19,
  NM_TICK = 20,
  NM_RESULT = 21,
  NM_SAPP = 22,
  NM_CLOSE = 25,
  NM_CHECK = 26,
  NM_VIEWRES = 27
};

/* BULK kinds */
enum { NB_SNAPSHOT = 1, NB_REPAIR = 2, NB_REPLAY = 3 };

/* framing: [u8 type][varint len][body][u32 crc32c] */
#define NET_FRAME_OVERHEAD 10u /* 1 + at most 5 + 4 */
#define NET_NONE 0xFFFFFFFFu

/* ---- little-endian writer ------------------------------------------------ */

typedef struct nw {
  uint8_t *p;
  size_t n, cap;
  int err; /* ran out of room */
} nw;

static inline void nw_init(nw *w, void *buf, size_t cap) {
  w->p = (uint8_t *)buf;
  w->n = 0;
  w->cap = cap;
  w->err = 0;
}
static inline uint8_t *nw_room(nw *w, size_t k) {
  if (w->err || w->cap - w->n < k) {
    w->err = 1;
    return NULL;
  }
  uint8_t *q = w->p + w->n;
  w->n += k;
  return q;
}
static inline void nw_u8(nw *w, uint32_t v) {
  uint8_t *q = nw_room(w, 1);
  if (q) q[0] = (uint8_t)v;
}
static inline void nw_u16(nw *w, uint32_t v) {
  uint8_t *q = nw_room(w, 2);
  if (q) {
    q[0] = (uint8_t)v;
    q[1] = (uint8_t)(v >> 8);
  }
}
static inline void nw_u32(nw *w, uint32_t v) {
  uint8_t *q = nw_room(w, 4);
  if (q)
    for (int i = 0; i < 4; i++) q[i] = (uint8_t)(v >> (8 * i));
}
static inline void nw_u64(nw *w, uint64_t v) {
  uint8_t *q = nw_room(w, 8);
  if (q)
    for (int i = 0; i < 8; i++) q[i] = (uint8_t)(v >> (8 * i));
}
static inline void nw_bytes(nw *w, const void *b, size_t k) {
  uint8_t *q = nw_room(w, k);
  if (q && k) memcpy(q, b, k);
}
static inline void nw_var(nw *w, uint64_t v) {
  do {
    uint32_t b = (uint32_t)(v & 0x7F);
    v >>= 7;
    nw_u8(w, b | (v ? 0x80u : 0));
  } while (v);
}

/* ---- little-endian reader (bounded; any overrun sets err) ------------------ */

typedef struct nr {
  const uint8_t *p;
  size_t n, off;
  int err;
} nr;

static inline void nr_init(nr *r, const void *buf, size_t n) {
  r->p = (const uint8_t *)buf;
  r->n = n;
  r->off = 0;
  r->err = 0;
}
static inline const uint8_t *nr_take(nr *r, size_t k) {
  if (r->err || r->n - r->off < k) {
    r->err = 1;
    return NULL;
  }
  const uint8_t *q = r->p + r->off;
  r->off += k;
  return q;
}
static inline uint32_t nr_u8(nr *r) {
  const uint8_t *q = nr_take(r, 1);
  return q ? q[0] : 0;
}
static inline uint32_t nr_u16(nr *r) {
  const uint8_t *q = nr_take(r, 2);
  return q ? (uint32_t)q[0] | ((uint32_t)q[1] << 8) : 0;
}
static inline uint32_t nr_u32(nr *r) {
  const uint8_t *q = nr_take(r, 4);
  uint32_t v = 0;
  if (q)
    for (int i = 0; i < 4; i++) v |= (uint32_t)q[i] << (8 * i);
  return v;
}
static inline uint64_t nr_u64(nr *r) {
  const uint8_t *q = nr_take(r, 8);
  uint64_t v = 0;
  if (q)
    for (int i = 0; i < 8; i++) v |= (uint64_t)q[i] << (8 * i);
  return v;
}
static inline int32_t nr_i32(nr *r) {
  uint32_t u = nr_u32(r);
  int32_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}
/* LEB128, at most 10 bytes, canonical (no redundant trailing zero byte) */
static inline uint64_t nr_var(nr *r) {
  uint64_t v = 0;
  for (int i = 0; i < 10; i++) {
    uint32_t b = nr_u8(r);
    if (r->err) return 0;
    if (i == 9 && b > 1) break;
    v |= (uint64_t)(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) {
      if (i > 0 && b == 0) break;
      return v;
    }
  }
  r->err = 1;
  return 0;
}
static inline int nr_done(const nr *r) { return !r->err && r->off == r->n; }

/* u32 at p, little-endian (bytes already bounds-checked) */
static inline uint32_t net_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void net_put_i32(nw *w, int32_t v) {
  uint32_t u;
  memcpy(&u, &v, sizeof u);
  nw_u32(w, u);
}

/* ---- frames ---------------------------------------------------------------- */

/* Write one frame (type, body) at w; sets w->err when it does not fit. */
void net_frame(nw *w, uint32_t type, const void *body, size_t len);

/* Begin a frame whose body is written in place: reserves the header (the
 * longest length); net_frame_end fixes the length (moving the body when the
 * varint is shorter) and appends the CRC. */
size_t net_frame_begin(nw *w, uint32_t type);
void net_frame_end(nw *w, size_t mark);

/* The frame reassembler of one connection: bytes in any split, complete
 * frames out. Bounded by max_body (a longer length is a protocol error). */
typedef struct net_rx {
  uint8_t *buf;
  size_t cap;      /* max_body + NET_FRAME_OVERHEAD */
  size_t have;     /* bytes of the current frame so far */
  size_t need;     /* total frame size once the header is known, else 0 */
  uint32_t max_body;
} net_rx;

/* Feed bytes; for each complete frame calls fn(ctx, type, body, len); stops
 * and returns -1 on a framing error (bad length, CRC) or when fn returns
 * nonzero (its value is returned); 0 when all bytes were consumed. */
int net_rx_feed(net_rx *rx, const uint8_t *p, size_t n,
                int (*fn)(void *ctx, uint32_t type, const uint8_t *body, size_t len), void *ctx);

/* ---- byte FIFO of records (bounded, linear with compaction) ------------------ */

typedef struct net_fifo {
  uint8_t *buf;
  size_t cap, head, tail; /* live bytes are buf[head..tail) */
} net_fifo;

static inline size_t net_fifo_used(const net_fifo *f) { return f->tail - f->head; }
/* Room for k more bytes at the tail (compacting); NULL when it cannot fit. */
uint8_t *net_fifo_reserve(net_fifo *f, size_t k);
/* Append one frame (type, body) to f; -1 when it does not fit. */
int net_fifo_frame(net_fifo *f, uint32_t type, const void *body, size_t len);

/* Size of the well-formed frame at p (one this endpoint framed); *hdr (may
 * be NULL) receives the size of its type and length. */
static inline size_t net_frame_size(const uint8_t *p, size_t *hdr) {
  size_t i = 1;
  uint64_t len = 0;
  do len |= (uint64_t)(p[i] & 0x7F) << (7 * (i - 1));
  while (p[i++] & 0x80);
  if (hdr) *hdr = i;
  return i + (size_t)len + 4;
}
static inline void net_fifo_clear(net_fifo *f) { f->head = f->tail = 0; }

/* ---- allocation -------------------------------------------------------------- */

void *net_alloc(const synk_allocator *a, size_t n);
void net_free(const synk_allocator *a, void *p);

/* ---- views: shared by server and client ---------------------------------------- */

/* Kind filter: bit k for kind k < 63, bit 63 for every kind >= 63. */
static inline int net_kind_ok(uint64_t mask, uint32_t kind) {
  return (int)((mask >> (kind < 63 ? kind : 63)) & 1u);
}

/* Cell index of (x, y) on grid g (clamped to the border cells). */
uint32_t net_cell_of(const synk_net_grid *g, int32_t x, int32_t y);

/* Encode / decode a view (VIEW message body, also used by the server's
 * set_view check). The decoder writes the cells and ids into caller arrays
 * of max_cells / max_ids entries and refuses more. */
void net_view_write(nw *w, const synk_net_view *v);
int net_view_read(nr *r, synk_net_view *v, uint32_t *cells, uint32_t max_cells, uint32_t *ids,
                  uint32_t max_ids);

/* repair payload entity record: id, kind, x, y, z, props */
void net_put_entity(nw *w, const synk_entity *e, uint32_t num_props);

/* Set bits of v: the SWAR count, inline (a portable build has no popcnt
 * instruction, and the compiler's builtin then is a library call). */
static inline uint32_t popcount64(uint64_t v) {
  v = v - ((v >> 1) & 0x5555555555555555ull);
  v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
  v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return (uint32_t)((v * 0x0101010101010101ull) >> 56);
}

/* Index of the lowest set bit of v (v != 0). */
static inline uint32_t ctz64(uint64_t v) {
#if defined(__GNUC__)
  return (uint32_t)__builtin_ctzll(v);
#else
  uint32_t n = 0;
  while (!(v & 1)) {
    v >>= 1;
    n++;
  }
  return n;
#endif
}

/* Largest snapshot (docs/wire-format.md) and repair payload (docs/protocol.md)
 * of a world of cap ids with np props: what the bulk buffers hold. */
static inline size_t net_snapshot_bound(uint32_t cap, uint32_t np) {
  return 52 + 8 * (((size_t)cap + 63) / 64) + (size_t)cap * 4 * (4 + np);
}
static inline size_t net_repair_bound(uint32_t cap, uint32_t np) {
  return 40 + 8 * (((size_t)cap + SYNK_CHUNK_IDS - 1) / SYNK_CHUNK_IDS) + (size_t)cap * 4 * (5 + np);
}
static inline int64_t net_clamp64(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

#endif
