/* SPDX-License-Identifier: MIT */
/*
 * Session datagrams: encoder and hostile-input decoder.
 * The format is docs/wire-format.md, "Session datagrams".
 */
#include "session_wire.h"

#include <string.h>

#include "common/bits.h"
#include "common/bytes.h"

/* ------------------------------------------------------------------ integers */
/* The mechanics are common/bytes.h's (LE, canonical LEB128, zigzag); this
 * format adds two rules of its own: a varint holds at most 63 bits (9 bytes;
 * every field is far smaller), and a frame is sent as its zigzag distance
 * below the span end. */

/* a frame as its signed distance below the span end: zz(e - f), the
   difference taken mod 2^64 (two's complement) */
static void put_rel(synk_wr *w, uint64_t e, uint64_t f) { synk_wr_uv64(w, synk_zigzag_enc64(e - f)); }

/* the next canonical varint of at most 9 bytes: a value of 63 bits or more
   (a 10-byte encoding) is refused with the rest */
static uint64_t get_var(synk_rd *r) {
  uint64_t v = synk_rd_uv64(r);
  if (v >> 63) {
    r->err = 1;
    return 0;
  }
  return v;
}
/* a header field escaped to a varint: only for values the short form cannot hold */
static uint64_t get_escaped(synk_rd *r, uint64_t least) {
  uint64_t v = get_var(r);
  if (v < least) r->err = 1;
  return v;
}
/* the frame e - unzigzag(z) into *out: 0 when it would be below 0, or so far
   above e that it nears 2^64 */
static int frame_of(uint64_t e, uint64_t z, uint64_t *out) {
  uint64_t dist = z >> 1;
  if (!(z & 1u)) { /* at or below e */
    if (dist > e) return 0;
    *out = e - dist;
  } else { /* dist + 1 frames above e */
    if (dist >= (UINT64_MAX >> 2)) return 0;
    *out = e + dist + 1;
  }
  return 1;
}
/* the frame sent relative to e; a malformed one sets the error */
static uint64_t get_rel(synk_rd *r, uint64_t e) {
  uint64_t f = 0;
  if (!frame_of(e, get_var(r), &f)) r->err = 1;
  return f;
}

/* ------------------------------------------------------------------ check */
/* the CRC-32C of the pseudo-header's first 6 bytes (session_id, from, to):
   the same for every candidate frame of a datagram */
static uint32_t check_keys(const sw_keys *k) {
  uint8_t ph[6];
  synk_store_le32(ph, k->session_id);
  ph[4] = (uint8_t)k->from;
  ph[5] = (uint8_t)k->to;
  return synk_crc32c(0, ph, sizeof ph);
}
/* the check: the CRC continued over e (u64) and the bytes */
static uint32_t check(uint32_t keys_crc, uint64_t e, const uint8_t *buf, size_t n) {
  uint8_t eb[8];
  synk_store_le64(eb, e);
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
    return synk_uv64_len(*mask4) + changed;
  }
  return synk_uv64_len(skip) + mask_bytes(block) + changed;
}
static void record_write(synk_wr *w, uint32_t block, uint64_t skip, uint64_t head4, const uint8_t *prev,
                         const uint8_t *cur) {
  if (block <= 4) {
    synk_wr_uv64(w, head4);
  } else {
    synk_wr_uv64(w, skip);
    for (uint32_t b = 0; b < mask_bytes(block); b++) {
      uint32_t m = 0;
      for (uint32_t i = 0; i < 8 && b * 8 + i < block; i++)
        if (prev[b * 8 + i] != cur[b * 8 + i]) m |= 1u << i;
      synk_wr_u8(w, m);
    }
  }
  for (uint32_t i = 0; i < block; i++)
    if (prev[i] != cur[i]) synk_wr_u8(w, cur[i]);
}

/* read one record's head: its skip, and the changed-byte mask into mask[] */
static uint64_t record_head(synk_rd *r, uint32_t block, uint8_t *mask) {
  uint64_t skip;
  uint32_t any = 0;
  if (block <= 4) {
    uint64_t h = get_var(r);
    skip = h >> block;
    mask[0] = (uint8_t)(h & ((1u << block) - 1));
    any = mask[0];
  } else {
    skip = get_var(r);
    for (uint32_t b = 0; b < mask_bytes(block); b++) {
      mask[b] = (uint8_t)synk_rd_u8(r);
      any |= mask[b];
    }
    if (block % 8 && (mask[block / 8] >> (block % 8))) r->err = 1; /* bits past the block */
  }
  if (!any) r->err = 1; /* a record changes at least one byte */
  return skip;
}
int sw_span_changes(const sw_datagram *d, uint32_t block, const uint8_t *base) {
  uint8_t cur[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
  uint8_t mask[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT / 8];
  memcpy(cur, base, block);
  synk_rd r = {d->changes, d->changes_end, 0}; /* validated by sw_decode */
  for (uint32_t i = 0; i < d->num_changes; i++) {
    record_head(&r, block, mask);
    for (uint32_t b = 0; b < block; b++) {
      if (!((mask[b / 8] >> (b % 8)) & 1u)) continue;
      uint8_t v = (uint8_t)synk_rd_u8(&r);
      if (v == cur[b]) return 0;
      cur[b] = v;
    }
  }
  return 1;
}

void sw_span_begin(sw_span_iter *it, const sw_datagram *d, uint32_t block) {
  it->next_record = d->changes;
  it->left = d->num_changes;
  it->block = block;
  it->offset = 0;
  it->next_change = UINT64_MAX;
  it->end = d->changes_end;
  if (it->left) { /* the records were validated by sw_decode */
    synk_rd r = {it->next_record, it->end, 0};
    uint8_t mask[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT / 8];
    it->next_change = record_head(&r, block, mask);
  }
}

void sw_span_next(sw_span_iter *it, uint8_t *cur) {
  if (it->offset == it->next_change) {
    synk_rd r = {it->next_record, it->end, 0};
    uint8_t mask[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT / 8];
    record_head(&r, it->block, mask);
    for (uint32_t i = 0; i < it->block; i++)
      if ((mask[i / 8] >> (i % 8)) & 1u) cur[i] = (uint8_t)synk_rd_u8(&r);
    it->next_record = r.p;
    it->left--;
    it->next_change = UINT64_MAX;
    if (it->left) {
      synk_rd r2 = {it->next_record, it->end, 0};
      it->next_change = it->offset + 1 + record_head(&r2, it->block, mask);
    }
  }
  it->offset++;
}

/* ------------------------------------------------------------------ decode */
/* Place the span end: of the frames within `window` of ref whose low 4 bits
 * byte 1 gives, the one the check (which covers the whole frame) accepts,
 * trying the nearest to ref first. -1 when none does. */
static int64_t place_span_end(const uint8_t *buf, size_t len, const sw_keys *keys, uint64_t ref, uint32_t window) {
  uint32_t want = synk_load_le32(buf + len - 4);
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
  return e;
}

/* The change records at r: each inside the span, each changing every byte
 * it names (a byte given the value the span's last record of it gave it
 * again is refused: that frame repeats the one before it there; against the
 * frame before the span, the session checks it: sw_span_changes). */
static int changes_valid(synk_rd *r, const sw_datagram *d, uint32_t block) {
  if (!d->num_changes) return 1;
  uint8_t last[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
  uint8_t seen[sizeof last / 8];
  memset(seen, 0, (block + 7) / 8);
  uint64_t pos = 0;
  for (uint64_t i = 0; i < d->num_changes; i++) {
    uint8_t mask[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT / 8];
    uint64_t skip = record_head(r, block, mask);
    if (r->err || skip >= d->span_len - pos) return 0;
    pos += skip + 1;
    for (uint32_t b = 0; b < block; b++) {
      if (!((mask[b / 8] >> (b % 8)) & 1u)) continue;
      uint8_t v = (uint8_t)synk_rd_u8(r);
      if (((seen[b / 8] >> (b % 8)) & 1u) && last[b] == v) return 0;
      seen[b / 8] |= (uint8_t)(1u << (b % 8));
      last[b] = v;
    }
    if (r->err) return 0;
  }
  return 1;
}

/* The localization data extension (after its frame). */
static int loc_data_valid(synk_rd *r, sw_datagram *d) {
  d->loc_kind = synk_rd_u8(r);
  if (d->loc_kind == SW_LOC_CHUNKS) {
    d->loc_first = get_var(r);
    uint64_t cnt = get_var(r);
    if (cnt == 0 || cnt > SW_LOC_CHUNKS_PER_PIECE || d->loc_first > UINT32_MAX) return 0;
    d->loc_count = (uint32_t)cnt;
    d->loc_payload = synk_rd_bytes(r, 8 * (size_t)cnt);
  } else if (d->loc_kind == SW_LOC_ENTS) {
    d->loc_first = get_var(r);
    d->loc_piece = synk_rd_u8(r);
    uint64_t cnt = get_var(r);
    if (d->loc_piece >= SW_LOC_ENT_PIECES || cnt > SW_LOC_ENT_SLOTS || d->loc_first > UINT32_MAX) return 0;
    d->loc_count = (uint32_t)cnt;
    d->loc_payload = synk_rd_bytes(r, 5 * (size_t)cnt);
    /* slots ascending, < SW_LOC_ENT_SLOTS; a listed fingerprint has bit 0 set (0 is a
       dead id, which is not listed) */
    for (uint32_t i = 0; !r->err && i < d->loc_count; i++)
      if (d->loc_payload[5 * i] >= SW_LOC_ENT_SLOTS || (i && d->loc_payload[5 * i] <= d->loc_payload[5 * (i - 1)]) ||
          !(d->loc_payload[5 * i + 1] & 1u))
        return 0;
  } else {
    return 0;
  }
  return 1;
}

/* The extension block: a flags byte, then the fields of its bits in order. */
static int extensions_valid(synk_rd *r, sw_datagram *d) {
  uint32_t f = synk_rd_u8(r);
  if (f == 0 || (f & 0xC0u)) return 0;
  if (f & SW_F_PING) {
    d->has_ping = 1;
    d->ping_ms = synk_rd_u16(r);
    uint64_t adv = get_var(r); /* zz of an int32: below 2^32 */
    if (adv > UINT32_MAX) return 0;
    d->ping_frames_ahead = synk_i32_of(synk_zigzag_dec32((uint32_t)adv));
  }
  if (f & SW_F_PONG) {
    d->has_pong = 1;
    d->pong_ms = synk_rd_u16(r);
  }
  if (f & SW_F_HASH) {
    d->has_hash = 1;
    d->hash_frame = get_rel(r, d->span_end);
    d->hash = synk_rd_u64(r);
  }
  if (f & SW_F_HASHACK) {
    d->has_hashack = 1;
    d->hashack_frame = get_rel(r, d->span_end);
  }
  if (f & SW_F_LOCSTATE) {
    d->has_loc_state = 1;
    d->loc_state_frame = get_rel(r, d->span_end);
    d->loc_state = (uint8_t)synk_rd_u8(r);
    if (d->loc_state & ~(SW_LOC_HAVE_CHUNKS | SW_LOC_HAVE_ENTS)) return 0;
  }
  if (f & SW_F_LOCDATA) {
    d->has_loc_data = 1;
    d->loc_frame = get_rel(r, d->span_end);
    if (!loc_data_valid(r, d)) return 0;
  }
  return 1;
}

synk_status sw_decode(const uint8_t *buf, size_t len, const sw_keys *keys, uint64_t ref, uint32_t window,
                      uint32_t block, uint32_t history, sw_datagram *d) {
  memset(d, 0, sizeof *d);
  if (!buf || len < 2 + 4) return SYNK_E_FORMAT;
  if (buf[0] & 0x80u) return SYNK_E_FORMAT; /* a later version of the format */
  int64_t e = place_span_end(buf, len, keys, ref, window);
  if (e < 0) return SYNK_E_FORMAT;
  synk_rd r = {buf + 2, buf + len - 4, 0};
  d->span_end = (uint64_t)e;
  uint64_t az = (buf[0] >> 2) & 15u;
  if (az == 15) az = get_escaped(&r, 15);
  if (!frame_of(d->span_end, az, &d->ack)) return SYNK_E_FORMAT;
  uint64_t n = buf[1] & 15u, c = buf[0] & 3u;
  if (n == 15) n = get_escaped(&r, 15);
  if (c == 3) c = get_escaped(&r, 3);
  if (r.err || n > history || n > (uint64_t)e || c > n || (c && block == 0)) return SYNK_E_FORMAT;
  d->span_len = (uint32_t)n;
  d->num_changes = (uint32_t)c;
  d->changes = r.p;
  if (!changes_valid(&r, d, block)) return SYNK_E_FORMAT;
  d->changes_end = r.p;
  if ((buf[0] & 0x40u) && !extensions_valid(&r, d)) return SYNK_E_FORMAT;
  if (!synk_rd_done(&r)) return SYNK_E_FORMAT;
  return SYNK_OK;
}

/* ------------------------------------------------------------------ encode */
/* The change records of the span into c (at most budget bytes): the span is
 * cut before the first frame that does not fit (d->span_end and d->span_len
 * then say what is sent). Returns the number of records. */
static uint32_t encode_changes(sw_datagram *d, synk_wr *c, size_t budget, uint32_t block, const uint8_t *base,
                               sw_block_fn get, const void *ctx) {
  uint8_t prev[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT], cur[sizeof prev];
  memcpy(prev, base, block);
  uint64_t start = d->span_end - d->span_len, last = 0;
  uint32_t nrec = 0, n = d->span_len;
  for (uint32_t i = 0; i < n; i++) {
    get(ctx, start + i, cur);
    if (memcmp(prev, cur, block) == 0) continue;
    uint64_t head4 = 0, skip = i - last;
    size_t need = record_len(block, skip, prev, cur, &head4);
    if (c->len + need > budget) { /* cut the span before this frame */
      d->span_len = i;
      d->span_end = start + i;
      break;
    }
    record_write(c, block, skip, head4, prev, cur);
    memcpy(prev, cur, block);
    last = (uint64_t)i + 1;
    nrec++;
  }
  return nrec;
}

/* The flags of the extensions but the localization data. */
static uint32_t extension_flags(const sw_datagram *d) {
  return (d->has_ping ? SW_F_PING : 0) | (d->has_pong ? SW_F_PONG : 0) | (d->has_hash ? SW_F_HASH : 0) |
         (d->has_hashack ? SW_F_HASHACK : 0) | (d->has_loc_state ? SW_F_LOCSTATE : 0);
}

/* The fields of those extensions into x. */
static void encode_extensions(const sw_datagram *d, synk_wr *x) {
  uint64_t e = d->span_end;
  if (d->has_ping) {
    synk_wr_u16(x, d->ping_ms);
    synk_wr_uv32(x, synk_zigzag_enc32(synk_u32_of(d->ping_frames_ahead)));
  }
  if (d->has_pong) synk_wr_u16(x, d->pong_ms);
  if (d->has_hash) {
    put_rel(x, e, d->hash_frame);
    synk_wr_u64(x, d->hash);
  }
  if (d->has_hashack) put_rel(x, e, d->hashack_frame);
  if (d->has_loc_state) {
    put_rel(x, e, d->loc_state_frame);
    synk_wr_u8(x, d->loc_state);
  }
}

/* The localization data extension (after the flags and other fields). */
static void encode_loc_data(const sw_datagram *d, synk_wr *w) {
  put_rel(w, d->span_end, d->loc_frame);
  synk_wr_u8(w, d->loc_kind);
  if (d->loc_kind == SW_LOC_CHUNKS) {
    synk_wr_uv64(w, d->loc_first);
    synk_wr_uv32(w, d->loc_count);
    for (uint32_t i = 0; i < d->loc_count; i++) synk_wr_u64(w, d->loc_chunks[i]);
  } else {
    uint32_t live = 0;
    for (uint32_t i = 0; i < d->loc_fp_count; i++) live += d->loc_fp[i] != 0;
    synk_wr_uv64(w, d->loc_first);
    synk_wr_u8(w, d->loc_piece);
    synk_wr_uv32(w, live);
    for (uint32_t i = 0; i < d->loc_fp_count; i++)
      if (d->loc_fp[i]) {
        synk_wr_u8(w, i);
        synk_wr_u32(w, d->loc_fp[i]);
      }
  }
}

size_t sw_encode(sw_datagram *d, const sw_keys *keys, uint32_t block, const uint8_t *base, sw_block_fn get,
                 const void *ctx, uint8_t *scratch, uint8_t *out, size_t mtu) {
  /* the change records first: the span may be cut, which moves its end */
  synk_wr c;
  synk_wr_init(&c, scratch, mtu);
  uint32_t nrec = encode_changes(d, &c, mtu - (SW_MAX_OVERHEAD - 10), block, base, get, ctx);
  d->num_changes = nrec;
  uint64_t e = d->span_end;
  /* extensions, localization data apart */
  uint8_t ext[64];
  synk_wr x;
  synk_wr_init(&x, ext, sizeof ext);
  uint32_t f = extension_flags(d);
  if (f) encode_extensions(d, &x);
  /* the header; the records were cut to leave room for it, the extensions
     and the check (SW_MAX_OVERHEAD), so every write below fits out[0..mtu)
     (mtu >= SYNK_SESSION_MIN_MTU) and synk_wr_reserve never returns NULL */
  synk_wr w;
  synk_wr_init(&w, out, mtu);
  uint64_t az = synk_zigzag_enc64(e - d->ack);
  size_t loc_need = 0;
  if (d->has_loc_data)
    loc_need = 10 + 1 + 10 + 10 + 1 +
               (d->loc_kind == SW_LOC_CHUNKS ? 8 * (size_t)d->loc_count : 5 * (size_t)d->loc_fp_count);
  uint8_t *head = synk_wr_reserve(&w, 2); /* byte 0 is written last, when the extensions are known */
  head[1] = (uint8_t)((uint32_t)(e & 15u) << 4 | (d->span_len < 15 ? d->span_len : 15u));
  if (az >= 15) synk_wr_uv64(&w, az);
  if (d->span_len >= 15) synk_wr_uv32(&w, d->span_len);
  if (nrec >= 3) synk_wr_uv32(&w, nrec);
  if (c.len) synk_wr_put(&w, scratch, c.len);
  if (d->has_loc_data && w.len + 1 + x.len + loc_need + 4 > mtu) d->has_loc_data = 0; /* next time */
  if (d->has_loc_data) f |= SW_F_LOCDATA;
  out[0] = (uint8_t)((f ? 0x40u : 0) | (az < 15 ? (uint32_t)az : 15u) << 2 | (nrec < 3 ? nrec : 3u));
  if (f) {
    synk_wr_u8(&w, f);
    synk_wr_put(&w, ext, x.len);
  }
  if (d->has_loc_data) encode_loc_data(d, &w);
  uint32_t crc = sw_check(keys, e, out, w.len);
  synk_store_le32(synk_wr_reserve(&w, 4), crc);
  return w.len;
}
