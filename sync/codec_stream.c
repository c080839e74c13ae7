/* SPDX-License-Identifier: MIT */
/*
 * Event streams (docs/wire-format.md, "Event streams"): encoder, decoder,
 * and the atomic decode-and-apply path.
 *
 * A stream is one header byte and records. A record starts with a tag byte:
 * type in bits 5-7, a parameter in bits 0-4. Spawn/despawn/prop/motion/tick
 * records are a few varints; a motion run carries n sorted, coalesced motions
 * as four packed columns (id gaps, zigzag dx, dy, dz) that the kernel table
 * decodes in bulk straight into the batch-motion kernel's input arrays.
 * Check records (a CRC-32C chained over the stream) follow every tick and end
 * the stream: nothing is applied or returned from bytes no check covers.
 */
#include "sync/sync_internal.h"

#define RUN_MIN 8 /* shortest strictly increasing motion run worth a run record */

typedef struct rec {
  uint32_t type;
  uint32_t id, arg;
  int32_t a, b, c;
  uint32_t n, base;            /* run: motions, first id */
  uint64_t gapsum;             /* run: upper bound of the sum of the id gaps */
  int decoded;                 /* run: decoded into the destination columns */
  const uint8_t *col[4], *end; /* run: the four columns, end of the record */
  size_t size;                 /* bytes of the record */
} rec;

static int rd_zz(const uint8_t **p, const uint8_t *end, int32_t *out) {
  uint32_t v;
  if (synk_uv32_decode(p, end, &v) || v == 0) return -1; /* present fields are nonzero */
  *out = synk_i32_of(synk_zigzag_dec32(v));
  return 0;
}

/* Where parse_rec decodes a run: four columns of capacity cap (NULL: runs
 * are only validated and skipped). */
typedef struct run_dst {
  uint32_t *col[4];
  size_t cap;
} run_dst;

static synk_status run_finish_checked(const synk_codec_kernels *k, const rec *r, uint32_t *ids);

/* Parse the record at buf[off] (off < len); a run's columns are validated,
 * and decoded into dst when given and large enough (one walk of the bytes). */
static synk_status parse_rec_into(const synk_codec_kernels *k, const uint8_t *buf, size_t len, size_t off, rec *r,
                                  const run_dst *dst) {
  const uint8_t *p = buf + off, *end = buf + len;
  uint32_t tag = *p++, param = tag & 31;
  r->type = tag >> 5;
  r->id = r->arg = 0;
  r->a = r->b = r->c = 0;
  switch (r->type) {
    case SYNK_REC_SPAWN:
      if (param & ~15u || synk_uv32_decode(&p, end, &r->id)) return SYNK_E_FORMAT;
      if (param & 8) {
        if (synk_uv32_decode(&p, end, &r->arg) || r->arg == 0) return SYNK_E_FORMAT;
      }
      if (((param & 1) && rd_zz(&p, end, &r->a)) || ((param & 2) && rd_zz(&p, end, &r->b)) ||
          ((param & 4) && rd_zz(&p, end, &r->c)))
        return SYNK_E_FORMAT;
      break;
    case SYNK_REC_DESPAWN:
      if (param || synk_uv32_decode(&p, end, &r->id)) return SYNK_E_FORMAT;
      break;
    case SYNK_REC_MOTION:
      if (param & ~7u || synk_uv32_decode(&p, end, &r->id)) return SYNK_E_FORMAT;
      if (((param & 1) && rd_zz(&p, end, &r->a)) || ((param & 2) && rd_zz(&p, end, &r->b)) ||
          ((param & 4) && rd_zz(&p, end, &r->c)))
        return SYNK_E_FORMAT;
      break;
    case SYNK_REC_PROP: {
      uint32_t v;
      if (param >= SYNK_MAX_PROPS || synk_uv32_decode(&p, end, &r->id) || synk_uv32_decode(&p, end, &v))
        return SYNK_E_FORMAT;
      r->arg = param;
      r->a = synk_i32_of(synk_zigzag_dec32(v));
      break;
    }
    case SYNK_REC_TICK:
      if (param) {
        r->arg = param;
      } else if (synk_uv32_decode(&p, end, &r->arg) || r->arg < 32) {
        return SYNK_E_FORMAT;
      }
      break;
    case SYNK_REC_CHECK: /* param: final; the CRC in r->id */
      if (param > 1 || end - p < 4) return SYNK_E_FORMAT;
      r->arg = param;
      r->id = synk_load_le32(p);
      p += 4;
      if (param && p != end) return SYNK_E_FORMAT; /* the final check ends the stream */
      break;
    case SYNK_REC_RUN:
      r->gapsum = 0;
      if (param || synk_uv32_decode(&p, end, &r->n) || r->n == 0 || synk_uv32_decode(&p, end, &r->base))
        return SYNK_E_FORMAT;
      r->decoded = dst && r->n <= dst->cap;
      for (int c = 0; c < 4; c++) {
        r->col[c] = p;
        if (synk_col_get(k, &p, end, r->n, r->decoded ? dst->col[c] : NULL, c != 0, c ? NULL : &r->gapsum))
          return SYNK_E_FORMAT;
      }
      r->end = p;
      if (r->decoded && run_finish_checked(k, r, dst->col[0])) return SYNK_E_FORMAT;
      break;
    default:
      return SYNK_E_FORMAT;
  }
  r->size = (size_t)(p - (buf + off));
  return SYNK_OK;
}

static synk_status parse_rec(const synk_codec_kernels *k, const uint8_t *buf, size_t len, size_t off, rec *r) {
  return parse_rec_into(k, buf, len, off, r, NULL);
}

static size_t rec_events(const rec *r) {
  return r->type == SYNK_REC_RUN ? r->n : r->type == SYNK_REC_CHECK ? 0 : 1;
}

/* ---- check records ------------------------------------------------------------ */

/* The record-order and CRC rules of docs/wire-format.md ("Check records"),
 * fed every parsed record in order. A check's value is the CRC-32C of every
 * stream byte before it except the CRC fields of earlier checks, i.e. the
 * previous check's value continued over the bytes since. */
typedef struct seg {
  const synk_codec_kernels *k;
  const uint8_t *b;
  size_t from;     /* first byte the next check covers */
  size_t ev_from;  /* index of the first event after the last verified check */
  uint32_t crc;    /* the last verified check's value (0 at the stream start) */
  int after_tick;  /* the previous record is a tick: a check must follow */
  int done;        /* the final check has been verified */
} seg;

/* Start at offset `start` of b: 0 (the header) or an offset just past a
 * non-final check, whose CRC the chain continues from. */
static synk_status seg_init(seg *s, const synk_codec_kernels *k, const uint8_t *b, size_t len, size_t start) {
  memset(s, 0, sizeof *s);
  s->k = k;
  s->b = b;
  s->from = start;
  if (start == 0) return len >= 1 && b[0] == SYNK_STREAM_HEADER ? SYNK_OK : SYNK_E_FORMAT;
  if (start < 1 + SYNK_CHECK_SIZE || b[start - SYNK_CHECK_SIZE] != SYNK_REC_CHECK << 5) return SYNK_E_FORMAT;
  s->crc = synk_load_le32(b + start - 4);
  return SYNK_OK;
}

static synk_status seg_rec(seg *s, const rec *r, size_t off, size_t nev) {
  if (r->type != SYNK_REC_CHECK) {
    if (s->after_tick) return SYNK_E_FORMAT; /* a tick not followed by its check */
    s->after_tick = r->type == SYNK_REC_TICK;
    return SYNK_OK;
  }
  /* a check ends a tick's segment, or the stream (the final check may follow
   * a check directly: a writer closing its stream after the last tick) */
  if (!r->arg && !s->after_tick) return SYNK_E_FORMAT;
  uint32_t c = s->k->crc32c(s->crc, s->b + s->from, off + 1 - s->from); /* through the tag byte */
#if !defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) /* fuzzers reach past checks they cannot forge */
  if (c != r->id) return SYNK_E_FORMAT;
#endif
  (void)c;
  s->after_tick = 0;
  s->crc = r->id;
  s->from = off + SYNK_CHECK_SIZE;
  s->ev_from = nev;
  s->done = (int)r->arg;
  return SYNK_OK;
}

/* After an event the world refuses: walk on from `off` to the check that
 * ends its segment; SYNK_OK if that segment is intact (the refusal stands),
 * SYNK_E_FORMAT if not (corrupt bytes are reported as such, whatever they
 * decoded to), with *at the offset of the record that fails (or len). */
static synk_status seg_verify_rest(seg *s, const uint8_t *b, size_t len, size_t off, size_t nev, size_t *at) {
  while (off < len) {
    rec r;
    if (parse_rec(s->k, b, len, off, &r) || seg_rec(s, &r, off, nev)) break;
    if (r.type == SYNK_REC_CHECK) return SYNK_OK;
    off += r.size;
  }
  *at = off;
  return SYNK_E_FORMAT;
}

/* ---- decoding a run ---------------------------------------------------------- */

/* The ids of a run whose gap column is decoded into ids: refuse a run whose
 * ids would pass 2^32 - 1, then the prefix-sum kernel. */
static synk_status run_finish_checked(const synk_codec_kernels *k, const rec *r, uint32_t *ids) {
  if ((uint64_t)r->base + r->n - 1 + r->gapsum > UINT32_MAX) { /* the bound allows an overflow: sum exactly */
    uint64_t s = 0;
    for (uint32_t i = 0; i < r->n; i++) s += ids[i];
    if ((uint64_t)r->base + r->n - 1 + s > UINT32_MAX) return SYNK_E_FORMAT;
  }
  k->run_finish(ids, r->n, r->base);
  return SYNK_OK;
}

/* Decode a whole (parsed) run into ids/dx/dy/dz (n entries each): columns
 * (zigzag fused for the deltas), patches, then the finishing kernel. */
static synk_status run_decode_soa(const synk_codec_kernels *k, const rec *r, uint32_t *ids, uint32_t *dx, uint32_t *dy,
                                  uint32_t *dz) {
  uint32_t *out[4] = {ids, dx, dy, dz};
  for (int c = 0; c < 4; c++) {
    const uint8_t *p = r->col[c];
    if (synk_col_get(k, &p, r->end, r->n, out[c], c != 0, NULL)) return SYNK_E_FORMAT;
  }
  return run_finish_checked(k, r, ids);
}

/* Block-wise decode of a run (bounded stack, for the event-array decoder and
 * for runs longer than the world's scratch). For each block of m motions,
 * calls emit(ctx, first index, ids, dx, dy, dz, m); a nonzero return stops. */
typedef int (*run_emit_fn)(void *ctx, size_t first, const uint32_t *ids, const uint32_t *dx, const uint32_t *dy,
                           const uint32_t *dz, uint32_t m);
static synk_status run_decode_blocks(const synk_codec_kernels *k, const rec *r, run_emit_fn emit, void *ctx) {
  uint32_t v[4][SYNK_COL_BLOCK];
  const uint8_t *p[4] = {r->col[0], r->col[1], r->col[2], r->col[3]};
  uint64_t base = r->base;
  for (size_t i = 0; i < r->n; i += SYNK_COL_BLOCK) {
    uint32_t m = r->n - i < SYNK_COL_BLOCK ? (uint32_t)(r->n - i) : SYNK_COL_BLOCK;
    for (int c = 0; c < 4; c++)
      if (synk_col_block(k, &p[c], r->end, m, v[c], c != 0, NULL)) return SYNK_E_FORMAT;
    uint64_t s = m;
    for (uint32_t j = 0; j < m; j++) s += v[0][j];
    if (base + s - 1 > UINT32_MAX) return SYNK_E_FORMAT;
    k->run_finish(v[0], m, (uint32_t)base);
    base += s;
    if (emit(ctx, i, v[0], v[1], v[2], v[3], m)) break;
  }
  return SYNK_OK;
}

/* ---- decode to events ------------------------------------------------------- */

typedef struct dec_ctx {
  synk_event *out;
  size_t cap, at;
} dec_ctx;

static int emit_events(void *ctx, size_t first, const uint32_t *ids, const uint32_t *dx, const uint32_t *dy,
                       const uint32_t *dz, uint32_t m) {
  dec_ctx *d = (dec_ctx *)ctx;
  for (uint32_t j = 0; j < m; j++) {
    size_t at = d->at + first + j;
    if (!d->out || at >= d->cap) continue;
    synk_event *e = &d->out[at];
    e->type = SYNK_EV_MOTION;
    e->id = ids[j];
    e->arg = 0;
    e->a = synk_i32_of(dx[j]);
    e->b = synk_i32_of(dy[j]);
    e->c = synk_i32_of(dz[j]);
  }
  return 0;
}

static const uint32_t rec_to_ev[8] = {0, SYNK_EV_SPAWN, SYNK_EV_DESPAWN, SYNK_EV_MOTION, SYNK_EV_PROP, SYNK_EV_TICK, 0, 0};

synk_status synk_stream_decode(const void *buf, size_t len, synk_event *out, size_t cap, size_t *n_out,
                               synk_stream_info *info) {
  synk_stream_info tmp;
  if (!info) info = &tmp;
  memset(info, 0, sizeof *info);
  if ((!buf && len) || !n_out) return SYNK_E_ARG;
  *n_out = 0;
  if (!out) cap = 0;
  const uint8_t *b = (const uint8_t *)buf;
  const synk_codec_kernels *k = synk_codec_kernels_active();
  seg sg;
  if (seg_init(&sg, k, b, len, 0)) return SYNK_E_FORMAT;
  size_t off = 1, nev = 0;
  while (off < len) {
    rec r;
    synk_status st = parse_rec(k, b, len, off, &r);
    if (st == SYNK_OK) st = seg_rec(&sg, &r, off, nev);
    if (st == SYNK_OK && r.type == SYNK_REC_CHECK) {
      /* nothing to emit */
    } else if (st == SYNK_OK && r.type == SYNK_REC_RUN) {
      dec_ctx d = {out, cap, nev};
      st = run_decode_blocks(k, &r, emit_events, &d);
    } else if (st == SYNK_OK && nev < cap) {
      synk_event *e = &out[nev];
      e->type = rec_to_ev[r.type];
      e->id = r.id;
      e->arg = r.arg;
      e->a = r.a;
      e->b = r.b;
      e->c = r.c;
    }
    if (st) {
      info->bad_event = r.type == SYNK_REC_CHECK ? sg.ev_from : nev;
      info->bad_offset = off;
      info->events = nev;
      return st;
    }
    nev += rec_events(&r);
    off += r.size;
  }
  if (!sg.done) { /* truncated: no final check */
    info->bad_event = info->events = nev;
    info->bad_offset = len;
    return SYNK_E_FORMAT;
  }
  *n_out = nev;
  info->events = nev;
  info->bytes = len;
  info->end = 1;
  return out && nev > cap ? SYNK_E_SPACE : SYNK_OK;
}

/* ---- encode ------------------------------------------------------------------ */

size_t synk_stream_bound(size_t n) {
  /* worst record: spawn, 1 + 5 + 5 + 3*5 = 26 bytes (a tick and its check:
   * 6 + 5); a run motion costs at most 16 bytes plus 4 block headers per 256
   * and an 11-byte run header; the final check 5 */
  if (n > (SIZE_MAX - 64) / 26) return SIZE_MAX;
  return 1 + 26 * n + 32 + SYNK_CHECK_SIZE;
}

/* A check record over wb's bytes [*from, here]; *crc continues the chain.
 * (When the output does not fit, the value is not computed: the call fails
 * with SYNK_E_SPACE anyway.) */
static void put_check(synk_wr *wb, const synk_codec_kernels *k, uint32_t *crc, size_t *from, uint32_t final) {
  synk_wr_u8(wb, (SYNK_REC_CHECK << 5) | final);
  if (wb->p && wb->len <= wb->cap) *crc = k->crc32c(*crc, wb->p + *from, wb->len - *from);
  synk_wr_u32(wb, *crc);
  *from = wb->len;
}

static void put_rec(synk_wr *wb, const synk_event *e) {
  uint32_t pa = e->a != 0, pb = e->b != 0, pc = e->c != 0;
  switch (e->type) {
    case SYNK_EV_SPAWN:
      synk_wr_u8(wb, (SYNK_REC_SPAWN << 5) | pa | pb << 1 | pc << 2 | (uint32_t)(e->arg != 0) << 3);
      synk_wr_uv32(wb, e->id);
      if (e->arg) synk_wr_uv32(wb, e->arg);
      break;
    case SYNK_EV_DESPAWN:
      synk_wr_u8(wb, SYNK_REC_DESPAWN << 5);
      synk_wr_uv32(wb, e->id);
      return;
    case SYNK_EV_MOTION:
      synk_wr_u8(wb, (SYNK_REC_MOTION << 5) | pa | pb << 1 | pc << 2);
      synk_wr_uv32(wb, e->id);
      break;
    case SYNK_EV_PROP:
      synk_wr_u8(wb, (SYNK_REC_PROP << 5) | e->arg);
      synk_wr_uv32(wb, e->id);
      synk_wr_uv32(wb, synk_zigzag_enc32(synk_u32_of(e->a)));
      return;
    default: /* tick */
      if (e->arg < 32) {
        synk_wr_u8(wb, (SYNK_REC_TICK << 5) | e->arg);
      } else {
        synk_wr_u8(wb, SYNK_REC_TICK << 5);
        synk_wr_uv32(wb, e->arg);
      }
      return;
  }
  if (pa) synk_wr_uv32(wb, synk_zigzag_enc32(synk_u32_of(e->a)));
  if (pb) synk_wr_uv32(wb, synk_zigzag_enc32(synk_u32_of(e->b)));
  if (pc) synk_wr_uv32(wb, synk_zigzag_enc32(synk_u32_of(e->c)));
}

static void put_run(synk_wr *wb, const synk_event *e, size_t n) {
  synk_col_writer cw;
  synk_wr_u8(wb, SYNK_REC_RUN << 5);
  synk_wr_uv32(wb, (uint32_t)n);
  synk_wr_uv32(wb, e[0].id);
  synk_colw_init(&cw, wb);
  for (size_t i = 0; i < n; i++) synk_colw_push(&cw, i ? e[i].id - e[i - 1].id - 1 : 0);
  synk_colw_end(&cw);
  for (size_t i = 0; i < n; i++) synk_colw_push(&cw, synk_zigzag_enc32(synk_u32_of(e[i].a)));
  synk_colw_end(&cw);
  for (size_t i = 0; i < n; i++) synk_colw_push(&cw, synk_zigzag_enc32(synk_u32_of(e[i].b)));
  synk_colw_end(&cw);
  for (size_t i = 0; i < n; i++) synk_colw_push(&cw, synk_zigzag_enc32(synk_u32_of(e[i].c)));
  synk_colw_end(&cw);
}

static synk_status check_events(const synk_event *ev, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t t = ev[i].type;
    if (t < SYNK_EV_SPAWN || t > SYNK_EV_TICK) return SYNK_E_ARG;
    if (t == SYNK_EV_PROP && ev[i].arg >= SYNK_MAX_PROPS) return SYNK_E_ARG;
    if (t == SYNK_EV_TICK && ev[i].arg == 0) return SYNK_E_ARG;
  }
  return SYNK_OK;
}

/* Encode ev[0..n) as the next bytes of a stream whose check chain stands at
 * *crc (the header first when `header`), a check after every tick, and the
 * final check when `final`. *crc becomes the chain's value after the last
 * check written. Returns the bytes needed; writes only when they fit cap. */
static size_t encode_piece(const synk_event *ev, size_t n, int header, int final, uint32_t *crc, void *buf,
                           size_t cap) {
  synk_wr wb;
  synk_wr_init(&wb, buf, cap);
  const synk_codec_kernels *k = synk_codec_kernels_active();
  size_t from = 0;
  if (header) synk_wr_u8(&wb, SYNK_STREAM_HEADER);
  size_t i = 0;
  while (i < n) {
    if (ev[i].type == SYNK_EV_MOTION) {
      size_t j = i + 1;
      while (j < n && ev[j].type == SYNK_EV_MOTION && ev[j].id > ev[j - 1].id && j - i < UINT32_MAX) j++;
      if (j - i >= RUN_MIN) {
        put_run(&wb, ev + i, j - i);
        i = j;
        continue;
      }
    }
    put_rec(&wb, &ev[i]);
    if (ev[i].type == SYNK_EV_TICK) put_check(&wb, k, crc, &from, final && i + 1 == n);
    i++;
  }
  if (final && (n == 0 || ev[n - 1].type != SYNK_EV_TICK)) put_check(&wb, k, crc, &from, 1);
  return wb.len;
}

synk_status synk_stream_encode(const synk_event *ev, size_t n, void *buf, size_t cap, size_t *len) {
  if (!len || (!ev && n)) return SYNK_E_ARG;
  *len = 0;
  if (check_events(ev, n)) return SYNK_E_ARG;
  uint32_t crc = 0;
  *len = encode_piece(ev, n, 1, 1, &crc, buf, cap);
  return buf && *len > cap ? SYNK_E_SPACE : SYNK_OK;
}

synk_status synk_stream_write(synk_stream_writer *sw, const synk_event *ev, size_t n, int final, void *buf,
                              size_t cap, size_t *len) {
  if (!sw || !len || (!ev && n)) return SYNK_E_ARG;
  *len = 0;
  if (sw->state > 1 || check_events(ev, n)) return SYNK_E_ARG;
  if (!final && (n == 0 || ev[n - 1].type != SYNK_EV_TICK)) return SYNK_E_ARG; /* a piece ends at a check */
  uint32_t crc = sw->crc;
  *len = encode_piece(ev, n, sw->state == 0, final, &crc, buf, cap);
  if (!buf) return SYNK_OK;
  if (*len > cap) return SYNK_E_SPACE;
  sw->crc = crc;
  sw->bytes += *len;
  sw->state = final ? 2 : 1;
  return SYNK_OK;
}

/* ---- coalesce ---------------------------------------------------------------- */

static void sift(synk_event *e, size_t i, size_t n) {
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) return;
    if (c + 1 < n && e[c + 1].id > e[c].id) c++;
    if (e[c].id <= e[i].id) return;
    synk_event t = e[i];
    e[i] = e[c];
    e[c] = t;
    i = c;
  }
}

static size_t sort_coalesce(synk_event *e, size_t n) {
  int sorted = 1;
  for (size_t i = 1; i < n && sorted; i++) sorted = e[i].id > e[i - 1].id;
  if (sorted) return n;
  for (size_t i = n / 2; i-- > 0;) sift(e, i, n); /* heapsort: in place, O(n log n) */
  for (size_t end = n; end > 1; end--) {
    synk_event t = e[0];
    e[0] = e[end - 1];
    e[end - 1] = t;
    sift(e, 0, end - 1);
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (k && e[k - 1].id == e[i].id) {
      e[k - 1].a = synk_wrap_add(e[k - 1].a, e[i].a);
      e[k - 1].b = synk_wrap_add(e[k - 1].b, e[i].b);
      e[k - 1].c = synk_wrap_add(e[k - 1].c, e[i].c);
    } else {
      e[k++] = e[i];
    }
  }
  return k;
}

synk_status synk_events_coalesce(synk_event *ev, size_t *n) {
  if (!n || (!ev && *n)) return SYNK_E_ARG;
  size_t out = 0, i = 0, total = *n;
  while (i < total) {
    if (ev[i].type != SYNK_EV_MOTION) {
      ev[out++] = ev[i++];
      continue;
    }
    size_t j = i;
    while (j < total && ev[j].type == SYNK_EV_MOTION) j++;
    size_t m = sort_coalesce(ev + i, j - i);
    memmove(ev + out, ev + i, m * sizeof *ev);
    out += m;
    i = j;
  }
  *n = out;
  return SYNK_OK;
}

/* ---- apply ------------------------------------------------------------------- */

/* Liveness during validation: alive XOR the ids toggled by earlier spawns and
 * despawns of this call (kept in the batch scratch `touched`, all zero
 * between calls). */
static inline int alive_now(const synk_world *w, uint32_t id) {
  return (int)(((w->alive[id >> 6] ^ w->touched[id >> 6]) >> (id & 63)) & 1);
}

/* Index of the first motion of a decoded run that fails, with its status, or
 * n when all are valid. */
static size_t run_check(const synk_world *w, const uint32_t *ids, size_t n, synk_status *st) {
  size_t lim = n;
  if (ids[n - 1] >= w->cap) { /* ids increase: find the first out of range */
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (ids[mid] >= w->cap) hi = mid;
      else lo = mid + 1;
    }
    lim = lo;
  }
  size_t i = 0;
  const uint64_t *alive = w->alive, *tog = w->touched;
  while (i < lim) {
    /* 8 consecutive ids inside one 64-id word: one mask test */
    if (i + 8 <= lim && ids[i + 7] - ids[i] == 7 && (ids[i] >> 6) == (ids[i + 7] >> 6)) {
      uint32_t a = ids[i];
      if ((((alive[a >> 6] ^ tog[a >> 6]) >> (a & 63)) & 0xFF) == 0xFF) {
        i += 8;
        continue;
      }
    }
    uint32_t wi = ids[i] >> 6;
    uint64_t live = w->alive[wi] ^ w->touched[wi], need = 0;
    size_t j = i;
    while (j < lim && (ids[j] >> 6) == wi) need |= UINT64_C(1) << (ids[j++] & 63);
    if (need & ~live) {
      while (alive_now(w, ids[i])) i++;
      *st = SYNK_E_DEAD;
      return i;
    }
    i = j;
  }
  if (lim < n) *st = SYNK_E_RANGE;
  return lim;
}

typedef struct bad_ctx {
  const synk_world *w;
  size_t bad;
  synk_status st;
} bad_ctx;
static int find_bad(void *ctx, size_t first, const uint32_t *ids, const uint32_t *dx, const uint32_t *dy,
                    const uint32_t *dz, uint32_t m) {
  (void)dx, (void)dy, (void)dz;
  bad_ctx *c = (bad_ctx *)ctx;
  for (uint32_t j = 0; j < m; j++) {
    c->st = ids[j] >= c->w->cap ? SYNK_E_RANGE : alive_now(c->w, ids[j]) ? SYNK_OK : SYNK_E_DEAD;
    if (c->st) {
      c->bad = first + j;
      return 1;
    }
  }
  return 0;
}

static synk_status validate_rec(synk_world *w, const synk_codec_kernels *k, const rec *r, const uint8_t **scratch_run,
                                size_t *bad) {
  uint32_t id = r->id;
  *bad = 0;
  switch (r->type) {
    case SYNK_REC_SPAWN:
    case SYNK_REC_DESPAWN:
      if (id >= w->cap) return SYNK_E_RANGE;
      if (alive_now(w, id) != (r->type == SYNK_REC_DESPAWN)) return r->type == SYNK_REC_SPAWN ? SYNK_E_EXISTS : SYNK_E_DEAD;
      w->touched[id >> 6] ^= UINT64_C(1) << (id & 63);
      return SYNK_OK;
    case SYNK_REC_MOTION:
    case SYNK_REC_PROP:
      if (id >= w->cap || (r->type == SYNK_REC_PROP && r->arg >= w->num_props)) return SYNK_E_RANGE;
      return alive_now(w, id) ? SYNK_OK : SYNK_E_DEAD;
    case SYNK_REC_RUN: {
      if (r->n > w->cap) { /* more motions than ids, so one is out of range: find the first bad */
        bad_ctx c = {w, 0, SYNK_E_RANGE};
        synk_status st = run_decode_blocks(k, r, find_bad, &c);
        if (st) return st;
        *bad = c.bad;
        return c.st ? c.st : SYNK_E_RANGE;
      }
      if (!r->decoded) return SYNK_E_FORMAT; /* unreachable: n <= cap decodes while parsing */
      *scratch_run = r->col[0];
      synk_status st = SYNK_OK;
      *bad = run_check(w, w->sorted, r->n, &st);
      return st;
    }
    default: /* tick */
      return SYNK_OK;
  }
}

static void clear_toggles(synk_world *w, const synk_codec_kernels *k, const uint8_t *b, size_t len, size_t from,
                          size_t to) {
  size_t o = from;
  while (o < to) {
    rec r;
    if (parse_rec(k, b, len, o, &r)) return;
    if ((r.type == SYNK_REC_SPAWN || r.type == SYNK_REC_DESPAWN) && r.id < w->cap) w->touched[r.id >> 6] = 0;
    o += r.size;
  }
}

/* Pass 2 of synk_stream_apply: apply the records [start, stop) that pass 1
 * validated (nothing can fail any more). The run decoded last is still in the
 * world's scratch: *last_run, at offset last_off. */
static void apply_records(synk_world *w, const synk_codec_kernels *k, const uint8_t *b, size_t len, size_t start,
                          size_t stop, const run_dst *dst, const rec *last_run, size_t last_off) {
  for (size_t o = start; o < stop;) {
    rec r;
    if (o == last_off) {
      r = *last_run; /* still decoded in the scratch: no second walk */
    } else {
      (void)parse_rec_into(k, b, len, o, &r, dst);
      if (r.type == SYNK_REC_RUN) last_off = SIZE_MAX; /* the scratch now holds this run */
    }
    switch (r.type) {
      case SYNK_REC_SPAWN:
        w->touched[r.id >> 6] = 0;
        (void)synk_spawn(w, r.id, r.arg, r.a, r.b, r.c);
        break;
      case SYNK_REC_DESPAWN:
        w->touched[r.id >> 6] = 0;
        (void)synk_despawn(w, r.id);
        break;
      case SYNK_REC_MOTION:
        (void)synk_move(w, r.id, r.a, r.b, r.c);
        break;
      case SYNK_REC_PROP:
        (void)synk_set_prop(w, r.id, r.arg, r.a);
        break;
      case SYNK_REC_TICK:
        w->frame += r.arg;
        break;
      case SYNK_REC_CHECK:
        break;
      default: /* run: decoded into the scratch by the parse above, or still there */
        w->sum += synk_kernels_active()->motion_apply(w, w->sorted, w->dx, w->dy, w->dz, r.n);
        break;
    }
    o += r.size;
  }
}

synk_status synk_stream_apply(synk_world *w, const void *buf, size_t len, size_t *pos, uint64_t max_ticks,
                              synk_stream_info *info) {
  synk_stream_info tmp;
  if (!info) info = &tmp;
  memset(info, 0, sizeof *info);
  if (!w || (!buf && len)) return SYNK_E_ARG;
  size_t start = pos ? *pos : 0;
  if (start > len) return SYNK_E_ARG;
  const uint8_t *b = (const uint8_t *)buf;
  const synk_codec_kernels *k = synk_codec_kernels_active();
  if (start == len && start) { /* at the end of the bytes already */
    if (pos) *pos = len;
    info->bytes = len;
    info->end = len >= SYNK_CHECK_SIZE && b[len - SYNK_CHECK_SIZE] == ((SYNK_REC_CHECK << 5) | 1);
    return SYNK_OK;
  }
  seg sg;
  if (seg_init(&sg, k, b, len, start)) return SYNK_E_FORMAT;
  if (start == 0) start = 1;

  /* pass 1: validate everything against the world as it would be */
  const uint8_t *scratch_run = NULL; /* the run whose decoded columns are in the scratch */
  size_t o = start, nev = 0;
  uint64_t ticks = 0;
  synk_status st = SYNK_OK;
  const run_dst dst = {{w->sorted, (uint32_t *)w->dx, (uint32_t *)w->dy, (uint32_t *)w->dz}, w->cap};
  rec last_run; /* the run decoded last (its columns are in the scratch) */
  size_t last_off = SIZE_MAX;
  while (o < len) {
    rec r;
    size_t bad = 0;
    scratch_run = NULL;
    st = parse_rec_into(k, b, len, o, &r, &dst);
    if (st == SYNK_OK) st = seg_rec(&sg, &r, o, nev);
    if (st == SYNK_OK) st = validate_rec(w, k, &r, &scratch_run, &bad);
    if (scratch_run) {
      last_run = r;
      last_off = o;
    }
    if (st) {
      clear_toggles(w, k, b, len, start, o);
      /* a refused event stands only if its segment's bytes are intact; if
       * not (or a check failed), the segment is refused from its first event */
      size_t at = o;
      int corrupt = st == SYNK_E_FORMAT ? r.type == SYNK_REC_CHECK
                                         : seg_verify_rest(&sg, b, len, o + r.size, nev, &at) != SYNK_OK;
      if (corrupt) st = SYNK_E_FORMAT;
      info->bad_event = corrupt ? sg.ev_from : nev + bad;
      info->bad_offset = at;
      return st;
    }
    nev += rec_events(&r);
    o += r.size;
    if (r.type == SYNK_REC_TICK) ticks += r.arg;
    if (r.type == SYNK_REC_CHECK && max_ticks && ticks >= max_ticks) break;
  }
  /* The end of the bytes: the stream's final check, or (with max_ticks) a
   * tick's check, where a stream still being received continues later.
   * Anything else is a truncated stream. */
  if (o == len && !sg.done && !(max_ticks && o == sg.from)) {
    clear_toggles(w, k, b, len, start, o);
    info->bad_event = sg.ev_from;
    info->bad_offset = len;
    return SYNK_E_FORMAT;
  }

  /* pass 2: apply (nothing can fail any more) */
  apply_records(w, k, b, len, start, o, &dst, &last_run, last_off);
  info->events = nev;
  info->bytes = o;
  info->end = sg.done;
  if (pos) *pos = o;
  return SYNK_OK;
}

/* A verified walk over the records of a whole stream: each step parses the
 * next record and checks it against the check chain, as the decoder does. */
typedef struct walk {
  seg sg;
  size_t len, off; /* the stream's length, the next record's offset */
} walk;

static synk_status walk_open(walk *w, const void *buf, size_t len) {
  w->len = len;
  w->off = 1;
  return seg_init(&w->sg, synk_codec_kernels_active(), (const uint8_t *)buf, len, 0);
}

/* The next record into *r (nev: the stream's events before it): 1 for a
 * record, 0 at the end of a complete stream, -1 when malformed, a check
 * fails, or the final check is missing. */
static int walk_next(walk *w, rec *r, size_t nev) {
  if (w->off >= w->len) return w->sg.done ? 0 : -1;
  if (parse_rec(w->sg.k, w->sg.b, w->len, w->off, r) || seg_rec(&w->sg, r, w->off, nev)) return -1;
  w->off += r->size;
  return 1;
}

synk_status synk_stream_records(const void *buf, size_t len, synk_stream_record *out, size_t cap,
                                size_t *n_out) {
  if ((!buf && len) || !n_out) return SYNK_E_ARG;
  *n_out = 0;
  if (!out) cap = 0;
  walk wk;
  if (walk_open(&wk, buf, len)) return SYNK_E_FORMAT;
  size_t nev = 0, nrec = 0;
  rec r;
  int more;
  while ((more = walk_next(&wk, &r, nev)) > 0) {
    if (nrec < cap) {
      out[nrec].type = r.type;
      out[nrec].offset = wk.off - r.size;
      out[nrec].bytes = r.size;
      out[nrec].events = rec_events(&r);
      out[nrec].first_event = nev;
    }
    nrec++;
    nev += rec_events(&r);
  }
  if (more < 0) return SYNK_E_FORMAT;
  *n_out = nrec;
  return out && nrec > cap ? SYNK_E_SPACE : SYNK_OK;
}

synk_status synk_stream_decode_motions(const void *buf, size_t len, uint32_t *ids, int32_t *dx, int32_t *dy,
                                       int32_t *dz, size_t cap, size_t *n_out) {
  if ((!buf && len) || !n_out || (cap && (!ids || !dx || !dy || !dz))) return SYNK_E_ARG;
  *n_out = 0;
  walk wk;
  if (walk_open(&wk, buf, len)) return SYNK_E_FORMAT;
  size_t at = 0; /* motions so far: past cap, only counted */
  rec r;
  int more;
  while ((more = walk_next(&wk, &r, at)) > 0) {
    if (r.type == SYNK_REC_RUN) {
      if (at <= cap && r.n <= cap - at &&
          run_decode_soa(wk.sg.k, &r, ids + at, (uint32_t *)dx + at, (uint32_t *)dy + at, (uint32_t *)dz + at))
        return SYNK_E_FORMAT;
      at += r.n;
    } else if (r.type == SYNK_REC_MOTION) {
      if (at < cap) {
        ids[at] = r.id;
        dx[at] = r.a;
        dy[at] = r.b;
        dz[at] = r.c;
      }
      at++;
    }
  }
  if (more < 0) return SYNK_E_FORMAT;
  *n_out = at;
  return cap && at > cap ? SYNK_E_SPACE : SYNK_OK;
}

/* ---- apply decoded events ------------------------------------------------------ */

synk_status synk_events_apply(synk_world *w, const synk_event *ev, size_t n, size_t *bad_index) {
  if (!w || (!ev && n)) return SYNK_E_ARG;
  synk_status st = SYNK_OK;
  size_t i = 0;
  for (; i < n && st == SYNK_OK; i++) { /* validate against the world as it would be */
    const synk_event *e = &ev[i];
    uint32_t id = e->id;
    switch (e->type) {
      case SYNK_EV_SPAWN:
      case SYNK_EV_DESPAWN:
        if (id >= w->cap) st = SYNK_E_RANGE;
        else if (alive_now(w, id) != (e->type == SYNK_EV_DESPAWN))
          st = e->type == SYNK_EV_SPAWN ? SYNK_E_EXISTS : SYNK_E_DEAD;
        else w->touched[id >> 6] ^= UINT64_C(1) << (id & 63);
        break;
      case SYNK_EV_MOTION:
      case SYNK_EV_PROP:
        if (id >= w->cap || (e->type == SYNK_EV_PROP && e->arg >= w->num_props)) st = SYNK_E_RANGE;
        else if (!alive_now(w, id)) st = SYNK_E_DEAD;
        break;
      case SYNK_EV_TICK:
        if (e->arg == 0) st = SYNK_E_ARG;
        break;
      default:
        st = SYNK_E_ARG;
    }
  }
  const size_t stop = i;
  for (size_t j = 0; j < stop; j++) /* the toggles go, the scratch is clean again */
    if ((ev[j].type == SYNK_EV_SPAWN || ev[j].type == SYNK_EV_DESPAWN) && ev[j].id < w->cap)
      w->touched[ev[j].id >> 6] = 0;
  if (st) {
    if (bad_index) *bad_index = stop - 1;
    return st;
  }
  for (i = 0; i < n; i++) {
    const synk_event *e = &ev[i];
    switch (e->type) {
      case SYNK_EV_SPAWN: (void)synk_spawn(w, e->id, e->arg, e->a, e->b, e->c); break;
      case SYNK_EV_DESPAWN: (void)synk_despawn(w, e->id); break;
      case SYNK_EV_MOTION: (void)synk_move(w, e->id, e->a, e->b, e->c); break;
      case SYNK_EV_PROP: (void)synk_set_prop(w, e->id, e->arg, e->a); break;
      default: w->frame += e->arg; break;
    }
  }
  return SYNK_OK;
}
