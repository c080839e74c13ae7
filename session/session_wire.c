/* SPDX-License-Identifier: MIT */
/*
 * Session datagrams: encoder and hostile-input decoder.
 * The format is docs/wire-format.md, "Session datagrams".
 */
#include "session_wire.h"

#include <string.h>

/* ------------------------------------------------------------------ writer */
typedef struct wr {
  uint8_t *p;
  size_t n;
} wr;
static void w_u8(wr *w, uint32_t v) { w->p[w->n++] = (uint8_t)v; }
static void w_u32(wr *w, uint32_t v) {
  for (int i = 0; i < 4; i++) w_u8(w, (v >> (8 * i)) & 0xFFu);
}
static void w_u64(wr *w, uint64_t v) {
  w_u32(w, (uint32_t)v);
  w_u32(w, (uint32_t)(v >> 32));
}
static void w_var(wr *w, uint64_t v) {
  while (v >= 0x80) {
    w_u8(w, (uint32_t)(v & 0x7F) | 0x80u);
    v >>= 7;
  }
  w_u8(w, (uint32_t)v);
}
static size_t var_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}
static uint64_t zig(int64_t v) { return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1u : (uint64_t)v << 1; }
/* a frame as its signed distance below the span end */
static void w_rel(wr *w, uint64_t e, uint64_t f) { w_var(w, zig(e >= f ? (int64_t)(e - f) : -(int64_t)(f - e))); }

/* ------------------------------------------------------------------ reader */
typedef struct rd {
  const uint8_t *p, *end;
  int bad;
} rd;
static uint32_t r_u8(rd *r) {
  if (r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  return *r->p++;
}
static const uint8_t *r_bytes(rd *r, size_t n) {
  if ((size_t)(r->end - r->p) < n) {
    r->bad = 1;
    return NULL;
  }
  const uint8_t *q = r->p;
  r->p += n;
  return q;
}
static uint64_t r_u64(rd *r) {
  const uint8_t *q = r_bytes(r, 8);
  return q ? sw_get64(q) : 0;
}
/* LEB128, at most 9 bytes (63 bits): every field this format has is far
 * smaller. Canonical only: a last byte of 0 after others (80 00 for 0) is
 * an overlong encoding of a value a shorter one holds, and is refused */
static uint64_t r_var(rd *r) {
  uint64_t v = 0;
  for (int i = 0; i < 9; i++) {
    uint32_t b = r_u8(r);
    v |= (uint64_t)(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) {
      if (i > 0 && b == 0) r->bad = 1;
      return v;
    }
  }
  r->bad = 1;
  return 0;
}
/* a header field escaped to a varint: only for values the short form cannot hold */
static uint64_t r_escaped(rd *r, uint64_t least) {
  uint64_t v = r_var(r);
  if (v < least) r->bad = 1;
  return v;
}
static int64_t unzig(uint64_t z) { return (z & 1u) ? -(int64_t)(z >> 1) - 1 : (int64_t)(z >> 1); }
/* the frame e - zigzag(varint); negative frames are malformed */
static uint64_t r_rel(rd *r, uint64_t e) {
  int64_t v = unzig(r_var(r));
  if (v > 0 && (uint64_t)v > e) {
    r->bad = 1;
    return 0;
  }
  if (v < 0 && (uint64_t)(-(v + 1)) >= (UINT64_MAX >> 2)) {
    r->bad = 1;
    return 0;
  }
  return v >= 0 ? e - (uint64_t)v : e + (uint64_t)(-(v + 1)) + 1;
}

/* ------------------------------------------------------------------ check */
/* the CRC-32C of the pseudo-header's first 6 bytes (session_id, from, to):
   the same for every candidate frame of a datagram */
static uint32_t check_keys(const sw_keys *k) {
  const uint8_t ph[6] = {(uint8_t)k->session_id, (uint8_t)(k->session_id >> 8), (uint8_t)(k->session_id >> 16),
                         (uint8_t)(k->session_id >> 24), (uint8_t)k->from, (uint8_t)k->to};
  return synk_crc32c(0, ph, sizeof ph);
}
/* the check: the CRC continued over e (u64) and the bytes */
static uint32_t check(uint32_t keys_crc, uint64_t e, const uint8_t *buf, size_t n) {
  const uint8_t eb[8] = {(uint8_t)e,         (uint8_t)(e >> 8),  (uint8_t)(e >> 16), (uint8_t)(e >> 24),
                         (uint8_t)(e >> 32), (uint8_t)(e >> 40), (uint8_t)(e >> 48), (uint8_t)(e >> 56)};
  return synk_crc32c(synk_crc32c(keys_crc, eb, sizeof eb), buf, n);
}
uint32_t sw_check(const sw_keys *keys, uint64_t e, const uint8_t *buf, size_t n) {
  return check(check_keys(keys), e, buf, n);
}

/* ------------------------------------------------------------------ change records */
static uint32_t mask_bytes(uint32_t block) { return block <= 4 ? 0 : (block + 7) / 8; }

/* one record: the frame `skip` frames after the previous one differs from it */
static size_t record_len(uint32_t block, uint64_t skip, const uint8_t *prev, const uint8_t *cur, uint64_t *mask4) {
  uint32_t changed = 0, m = 0;
  for (uint32_t i = 0; i < block; i++)
    if (prev[i] != cur[i]) {
      changed++;
      m |= 1u << (i & 31);
    }
  if (block <= 4) {
    *mask4 = (skip << block) | m;
    return var_len(*mask4) + changed;
  }
  return var_len(skip) + mask_bytes(block) + changed;
}
static void record_write(wr *w, uint32_t block, uint64_t skip, uint64_t head4, const uint8_t *prev,
                         const uint8_t *cur) {
  if (block <= 4) {
    w_var(w, head4);
  } else {
    w_var(w, skip);
    for (uint32_t b = 0; b < mask_bytes(block); b++) {
      uint32_t m = 0;
      for (uint32_t i = 0; i < 8 && b * 8 + i < block; i++)
        if (prev[b * 8 + i] != cur[b * 8 + i]) m |= 1u << i;
      w_u8(w, m);
    }
  }
  for (uint32_t i = 0; i < block; i++)
    if (prev[i] != cur[i]) w_u8(w, cur[i]);
}

/* read one record's head: its skip, and the changed-byte mask into mask[] */
static uint64_t record_head(rd *r, uint32_t block, uint8_t *mask) {
  uint64_t skip;
  uint32_t any = 0;
  if (block <= 4) {
    uint64_t h = r_var(r);
    skip = h >> block;
    mask[0] = (uint8_t)(h & ((1u << block) - 1));
    any = mask[0];
  } else {
    skip = r_var(r);
    for (uint32_t b = 0; b < mask_bytes(block); b++) {
      mask[b] = (uint8_t)r_u8(r);
      any |= mask[b];
    }
    if (block % 8 && (mask[block / 8] >> (block % 8))) r->bad = 1; /* bits past the block */
  }
  if (!any) r->bad = 1; /* a record changes at least one byte */
  return skip;
}
int sw_span_changes(const sw_datagram *d, uint32_t block, const uint8_t *base) {
  uint8_t cur[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
  uint8_t mask[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT / 8];
  memcpy(cur, base, block);
  rd r = {d->changes, d->changes_end, 0}; /* validated by sw_decode */
  for (uint32_t i = 0; i < d->c; i++) {
    record_head(&r, block, mask);
    for (uint32_t b = 0; b < block; b++) {
      if (!((mask[b / 8] >> (b % 8)) & 1u)) continue;
      uint8_t v = (uint8_t)r_u8(&r);
      if (v == cur[b]) return 0;
      cur[b] = v;
    }
  }
  return 1;
}

void sw_span_begin(sw_span_iter *it, const sw_datagram *d, uint32_t block) {
  it->p = d->changes;
  it->left = d->c;
  it->block = block;
  it->pos = 0;
  it->next = UINT64_MAX;
  it->end = d->changes_end;
  if (it->left) { /* the records were validated by sw_decode */
    rd r = {it->p, it->end, 0};
    uint8_t mask[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT / 8];
    it->next = record_head(&r, block, mask);
  }
}

void sw_span_next(sw_span_iter *it, uint8_t *cur) {
  if (it->pos == it->next) {
    rd r = {it->p, it->end, 0};
    uint8_t mask[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT / 8];
    record_head(&r, it->block, mask);
    for (uint32_t i = 0; i < it->block; i++)
      if ((mask[i / 8] >> (i % 8)) & 1u) cur[i] = (uint8_t)r_u8(&r);
    it->p = r.p;
    it->left--;
    it->next = UINT64_MAX;
    if (it->left) {
      rd r2 = {it->p, it->end, 0};
      it->next = it->pos + 1 + record_head(&r2, it->block, mask);
    }
  }
  it->pos++;
}

/* ------------------------------------------------------------------ decode */
synk_status sw_decode(const uint8_t *buf, size_t len, const sw_keys *keys, uint64_t ref, uint32_t window,
                      uint32_t block, uint32_t q, sw_datagram *d) {
  memset(d, 0, sizeof *d);
  if (!buf || len < 2 + 4) return SYNK_E_FORMAT;
  if (buf[0] & 0x80u) return SYNK_E_FORMAT; /* a later version of the format */
  /* place the span end: of the frames within `window` of ref whose low 4 bits
     byte 1 gives, the one the check (which covers the whole frame) accepts,
     trying the nearest to ref first */
  uint32_t want = sw_get32(buf + len - 4);
  int64_t r0 = (int64_t)ref, lo = r0 - (int64_t)window, hi = r0 + (int64_t)window;
  int64_t c0 = (r0 & ~(int64_t)15) | (int64_t)(buf[1] >> 4);
  if (c0 > r0 + 7) c0 -= 16;
  else if (c0 + 8 < r0) c0 += 16;
  const uint32_t kc = check_keys(keys);
  int64_t e = -1, nearest = -1;
  for (int64_t k = 0; k <= 2 * (int64_t)window / 16 + 2 && e < 0; k++) {
    int64_t cand = c0 + ((k & 1) ? 16 * ((k + 1) / 2) : -16 * (k / 2));
    if (cand < 0 || cand < lo || cand > hi) continue;
    if (nearest < 0) nearest = cand;
    if (check(kc, (uint64_t)cand, buf, len - 4) != want) continue;
    e = cand;
  }
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  /* fuzzing: the check is computed but not enforced, so mutated bytes reach
     the parser: a datagram no frame's check accepts is placed at the nearest
     candidate; one that passes is placed as in production */
  if (e < 0) e = nearest;
#else
  (void)nearest;
#endif
  if (e < 0) return SYNK_E_FORMAT;
  rd r = {buf + 2, buf + len - 4, 0};
  d->e = (uint64_t)e;
  uint64_t az = (buf[0] >> 2) & 15u;
  if (az == 15) az = r_escaped(&r, 15);
  int64_t av = unzig(az);
  if ((av > 0 && av > e) || (av < 0 && (uint64_t)(-(av + 1)) >= (UINT64_MAX >> 2))) return SYNK_E_FORMAT;
  d->ack = av >= 0 ? (uint64_t)e - (uint64_t)av : (uint64_t)e + (uint64_t)(-(av + 1)) + 1;
  uint64_t n = buf[1] & 15u, c = buf[0] & 3u;
  if (n == 15) n = r_escaped(&r, 15);
  if (c == 3) c = r_escaped(&r, 3);
  if (r.bad || n > q || n > (uint64_t)e || c > n || (c && block == 0)) return SYNK_E_FORMAT;
  d->n = (uint32_t)n;
  d->c = (uint32_t)c;
  d->changes = r.p;
  /* each record changes every byte it names: a byte given the value the
     span's last record of it gave it again is refused (that frame repeats
     the one before it there; against the frame before the span, the session
     checks it: sw_span_changes) */
  uint8_t last[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
  uint8_t seen[sizeof last / 8];
  memset(seen, 0, (block + 7) / 8);
  uint64_t pos = 0;
  for (uint64_t i = 0; i < c; i++) {
    uint8_t mask[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT / 8];
    uint64_t skip = record_head(&r, block, mask);
    if (r.bad || skip >= n - pos) return SYNK_E_FORMAT;
    pos += skip + 1;
    for (uint32_t b = 0; b < block; b++) {
      if (!((mask[b / 8] >> (b % 8)) & 1u)) continue;
      uint8_t v = (uint8_t)r_u8(&r);
      if (((seen[b / 8] >> (b % 8)) & 1u) && last[b] == v) return SYNK_E_FORMAT;
      seen[b / 8] |= (uint8_t)(1u << (b % 8));
      last[b] = v;
    }
    if (r.bad) return SYNK_E_FORMAT;
  }
  d->changes_end = r.p;
  if (buf[0] & 0x40u) {
    uint32_t f = r_u8(&r);
    if (f == 0 || (f & 0xC0u)) return SYNK_E_FORMAT;
    if (f & SW_F_PING) {
      d->has_ping = 1;
      d->ping_ms = r_u8(&r);
      d->ping_ms |= r_u8(&r) << 8;
      int64_t adv = unzig(r_var(&r));
      if (adv < INT32_MIN || adv > INT32_MAX) return SYNK_E_FORMAT;
      d->ping_adv = (int32_t)adv;
    }
    if (f & SW_F_PONG) {
      d->has_pong = 1;
      d->pong_ms = r_u8(&r);
      d->pong_ms |= r_u8(&r) << 8;
    }
    if (f & SW_F_HASH) {
      d->has_hash = 1;
      d->hash_frame = r_rel(&r, d->e);
      d->hash = r_u64(&r);
    }
    if (f & SW_F_HASHACK) {
      d->has_hashack = 1;
      d->hashack_frame = r_rel(&r, d->e);
    }
    if (f & SW_F_LOCSTATE) {
      d->has_loc_state = 1;
      d->loc_state_frame = r_rel(&r, d->e);
      d->loc_state = (uint8_t)r_u8(&r);
      if (d->loc_state & ~(SW_LOC_HAVE_CHUNKS | SW_LOC_HAVE_ENTS)) return SYNK_E_FORMAT;
    }
    if (f & SW_F_LOCDATA) {
      d->has_loc_data = 1;
      d->loc_frame = r_rel(&r, d->e);
      d->loc_kind = r_u8(&r);
      if (d->loc_kind == SW_LOC_CHUNKS) {
        d->loc_first = r_var(&r);
        uint64_t cnt = r_var(&r);
        if (cnt == 0 || cnt > SW_LOC_CHUNKS_PER_PIECE || d->loc_first > UINT32_MAX) return SYNK_E_FORMAT;
        d->loc_count = (uint32_t)cnt;
        d->loc_payload = r_bytes(&r, 8 * (size_t)cnt);
      } else if (d->loc_kind == SW_LOC_ENTS) {
        d->loc_first = r_var(&r);
        d->loc_piece = r_u8(&r);
        uint64_t cnt = r_var(&r);
        if (d->loc_piece >= SW_LOC_ENT_PIECES || cnt > SW_LOC_ENT_SLOTS || d->loc_first > UINT32_MAX)
          return SYNK_E_FORMAT;
        d->loc_count = (uint32_t)cnt;
        d->loc_payload = r_bytes(&r, 5 * (size_t)cnt);
        /* slots ascending, < SW_LOC_ENT_SLOTS; a listed fingerprint has bit 0 set (0 is a
           dead id, which is not listed) */
        for (uint32_t i = 0; !r.bad && i < d->loc_count; i++)
          if (d->loc_payload[5 * i] >= SW_LOC_ENT_SLOTS || (i && d->loc_payload[5 * i] <= d->loc_payload[5 * (i - 1)]) ||
              !(d->loc_payload[5 * i + 1] & 1u))
            return SYNK_E_FORMAT;
      } else {
        return SYNK_E_FORMAT;
      }
    }
  }
  if (r.bad || r.p != r.end) return SYNK_E_FORMAT;
  return SYNK_OK;
}

/* ------------------------------------------------------------------ encode */
size_t sw_encode(sw_datagram *d, const sw_keys *keys, uint32_t block, const uint8_t *base, sw_block_fn get,
                 const void *ctx, uint8_t *scratch, uint8_t *out, size_t mtu) {
  /* extensions, localization data apart */
  uint8_t ext[64];
  wr x = {ext, 0};
  uint32_t f = (d->has_ping ? SW_F_PING : 0) | (d->has_pong ? SW_F_PONG : 0) | (d->has_hash ? SW_F_HASH : 0) |
               (d->has_hashack ? SW_F_HASHACK : 0) | (d->has_loc_state ? SW_F_LOCSTATE : 0);
  /* the change records first: the span may be cut, which moves e */
  uint8_t prev[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT], cur[sizeof prev];
  memcpy(prev, base, block);
  size_t budget = mtu - (SW_MAX_OVERHEAD - 10);
  wr c = {scratch, 0};
  uint64_t S = d->e - d->n, last = 0;
  uint32_t nrec = 0, n = d->n;
  for (uint32_t i = 0; i < n; i++) {
    get(ctx, S + i, cur);
    if (memcmp(prev, cur, block) == 0) continue;
    uint64_t head4 = 0, skip = i - last;
    size_t need = record_len(block, skip, prev, cur, &head4);
    if (c.n + need > budget) { /* cut the span before this frame */
      d->n = i;
      d->e = S + i;
      break;
    }
    record_write(&c, block, skip, head4, prev, cur);
    memcpy(prev, cur, block);
    last = (uint64_t)i + 1;
    nrec++;
  }
  d->c = nrec;
  uint64_t e = d->e;
  if (d->has_ping) {
    w_u8(&x, d->ping_ms & 0xFFu);
    w_u8(&x, (d->ping_ms >> 8) & 0xFFu);
    w_var(&x, zig(d->ping_adv));
  }
  if (d->has_pong) {
    w_u8(&x, d->pong_ms & 0xFFu);
    w_u8(&x, (d->pong_ms >> 8) & 0xFFu);
  }
  if (d->has_hash) {
    w_rel(&x, e, d->hash_frame);
    w_u64(&x, d->hash);
  }
  if (d->has_hashack) w_rel(&x, e, d->hashack_frame);
  if (d->has_loc_state) {
    w_rel(&x, e, d->loc_state_frame);
    w_u8(&x, d->loc_state);
  }
  /* the header */
  wr w = {out, 0};
  int64_t av = e >= d->ack ? (int64_t)(e - d->ack) : -(int64_t)(d->ack - e);
  uint64_t az = zig(av);
  size_t loc_need = 0;
  if (d->has_loc_data)
    loc_need = 10 + 1 + 10 + 10 + 1 +
               (d->loc_kind == SW_LOC_CHUNKS ? 8 * (size_t)d->loc_count : 5 * (size_t)d->loc_fp_count);
  w_u8(&w, 0); /* byte 0 is written last, when the extensions are known */
  w_u8(&w, (uint32_t)(e & 15u) << 4 | (d->n < 15 ? d->n : 15u));
  if (az >= 15) w_var(&w, az);
  if (d->n >= 15) w_var(&w, d->n);
  if (nrec >= 3) w_var(&w, nrec);
  memcpy(out + w.n, scratch, c.n);
  w.n += c.n;
  if (d->has_loc_data && w.n + 1 + x.n + loc_need + 4 > mtu) d->has_loc_data = 0; /* next time */
  if (d->has_loc_data) f |= SW_F_LOCDATA;
  out[0] = (uint8_t)((f ? 0x40u : 0) | (az < 15 ? (uint32_t)az : 15u) << 2 | (nrec < 3 ? nrec : 3u));
  if (f) {
    w_u8(&w, f);
    memcpy(out + w.n, ext, x.n);
    w.n += x.n;
  }
  if (d->has_loc_data) {
    w_rel(&w, e, d->loc_frame);
    w_u8(&w, d->loc_kind);
    if (d->loc_kind == SW_LOC_CHUNKS) {
      w_var(&w, d->loc_first);
      w_var(&w, d->loc_count);
      for (uint32_t i = 0; i < d->loc_count; i++) w_u64(&w, d->loc_chunks[i]);
    } else {
      uint32_t live = 0;
      for (uint32_t i = 0; i < d->loc_fp_count; i++) live += d->loc_fp[i] != 0;
      w_var(&w, d->loc_first);
      w_u8(&w, d->loc_piece);
      w_var(&w, live);
      for (uint32_t i = 0; i < d->loc_fp_count; i++)
        if (d->loc_fp[i]) {
          w_u8(&w, i);
          w_u32(&w, d->loc_fp[i]);
        }
    }
  }
  uint32_t crc = sw_check(keys, e, out, w.n);
  w_u32(&w, crc);
  return w.n;
}
