/* SPDX-License-Identifier: MIT */
/*
 * Deltas (docs/wire-format.md, "Deltas"): what changed from a base world to a
 * target world of the same config, found by the SIMD diff kernel and encoded
 * as packed columns per 65536-id segment: despawned ids; spawned entities;
 * and for entities alive in both a change mask with the position change as
 * wrapping deltas, the new kind and the property deltas. The base and target
 * hashes travel with it; applying verifies the base, then computes the target
 * hash from the base and the delta before writing anything.
 */
#include "sync/sync_internal.h"

#define DELTA_MAGIC "SYND"
#define DELTA_VERSION 1u
#define DELTA_HEADER 60u
#define SEG_BITS 16u
#define SEG_IDS (1u << SEG_BITS)
#define SEG_WORDS (SEG_IDS / 64u)

enum { CLS_D, CLS_S, CLS_C };
enum { CK_ID, CK_MASK, CK_KIND, CK_X, CK_Y, CK_Z, CK_PROP };
#define M_POS 1u
#define M_KIND 2u
#define M_PROP(s) (4u << (s))

static uint32_t change_mask(const synk_world *a, const synk_world *b, uint32_t id) {
  uint32_t m = 0;
  if (a->x[id] != b->x[id] || a->y[id] != b->y[id] || a->z[id] != b->z[id]) m |= M_POS;
  if (a->kind[id] != b->kind[id]) m |= M_KIND;
  for (uint32_t s = 0; s < a->num_props; s++)
    if (a->props[s][id] != b->props[s][id]) m |= M_PROP(s);
  return m;
}

static uint32_t field(const synk_world *w, int what, uint32_t id) {
  switch (what) {
    case CK_KIND: return w->kind[id];
    case CK_X: return (uint32_t)w->x[id];
    case CK_Y: return (uint32_t)w->y[id];
    case CK_Z: return (uint32_t)w->z[id];
    default: return (uint32_t)w->props[what - CK_PROP][id];
  }
}

/* One column of a section: the values of `what` for the ids of class cls in
 * the segment's diff bitmap d (C entities only when their mask has bit). */
static void put_col(synk_wr *wb, const synk_world *a, const synk_world *b, const uint64_t *d, uint32_t nw,
                    uint32_t first, int cls, int what, uint32_t bit) {
  synk_col_writer cw;
  synk_colw_init(&cw, wb);
  int64_t prev = -1;
  for (uint32_t wi = 0; wi < nw; wi++) {
    uint64_t bits = d[wi];
    while (bits) {
      uint32_t local = wi * 64 + synk_ctz64(bits);
      bits &= bits - 1;
      uint32_t id = first + local;
      int aa = synk_alive(a, id), ab = synk_alive(b, id);
      int c = aa && ab ? CLS_C : aa ? CLS_D : CLS_S;
      if (c != cls) continue;
      uint32_t mask = c == CLS_C ? change_mask(a, b, id) : 0;
      if (bit && !(mask & bit)) continue;
      uint32_t v;
      if (what == CK_ID) {
        v = (uint32_t)((int64_t)local - prev - 1);
        prev = local;
      } else if (what == CK_MASK) {
        v = mask;
      } else if (what == CK_KIND) {
        v = b->kind[id];
      } else if (cls == CLS_S) {
        v = synk_zigzag_enc32(field(b, what, id));
      } else {
        v = synk_zigzag_enc32(field(b, what, id) - field(a, what, id));
      }
      synk_colw_push(&cw, v);
    }
  }
  synk_colw_end(&cw);
}

synk_status synk_delta_encode_chunks(const synk_world *a, const synk_world *b, const uint64_t *chunks, void *buf,
                                     size_t cap, size_t *len) {
  if (!a || !b || !len || (!buf && cap)) return SYNK_E_ARG;
  *len = 0;
  if (a->cap != b->cap || a->num_props != b->num_props || a->seed != b->seed) return SYNK_E_MISMATCH;
  const synk_codec_kernels *k = synk_codec_kernels_active();
  synk_wr wb;
  synk_wr_init(&wb, buf, cap);
  uint8_t h[DELTA_HEADER];
  memcpy(h, DELTA_MAGIC, 4);
  h[4] = DELTA_VERSION;
  h[5] = (uint8_t)a->num_props;
  h[6] = h[7] = 0;
  synk_store_le32(h + 8, a->cap);
  synk_store_le64(h + 12, a->seed);
  synk_store_le64(h + 20, a->frame);
  synk_store_le64(h + 28, synk_hash(a));
  synk_store_le64(h + 36, b->frame);
  synk_store_le64(h + 44, (uint64_t)b->count);
  synk_store_le64(h + 52, synk_hash(b));
  synk_wr_put(&wb, h, DELTA_HEADER);

  uint64_t d[SEG_WORDS];
  const uint32_t nseg = (a->cap + SEG_IDS - 1) >> SEG_BITS;
  uint32_t next = 0;
  for (uint32_t seg = 0; seg < nseg; seg++) {
    uint32_t w0 = seg * SEG_WORDS, nw = a->nwords - w0 < SEG_WORDS ? a->nwords - w0 : SEG_WORDS;
    if (!chunks) {
      k->diff_words(a, b, w0, nw, d);
    } else { /* only the chunks that may differ (4 words per chunk) */
      memset(d, 0, nw * sizeof d[0]);
      for (uint32_t i = 0; i < nw; i += 4) {
        uint32_t c = (w0 + i) / 4;
        if (!synk_bit_get(chunks, c)) continue;
        k->diff_words(a, b, w0 + i, nw - i < 4 ? nw - i : 4, d + i);
      }
    }
    uint32_t n[3] = {0, 0, 0}, any = 0;
    for (uint32_t wi = 0; wi < nw; wi++) {
      uint64_t bits = d[wi];
      any |= bits != 0;
      while (bits) {
        uint32_t id = (w0 + wi) * 64 + synk_ctz64(bits);
        bits &= bits - 1;
        int aa = synk_alive(a, id), ab = synk_alive(b, id);
        n[aa && ab ? CLS_C : aa ? CLS_D : CLS_S]++;
      }
    }
    if (!any) continue;
    const uint32_t first = seg << SEG_BITS;
    synk_wr_uv32(&wb, seg - next);
    next = seg + 1;
    for (int c = 0; c < 3; c++) synk_wr_uv32(&wb, n[c]);
    put_col(&wb, a, b, d, nw, first, CLS_D, CK_ID, 0);
    put_col(&wb, a, b, d, nw, first, CLS_S, CK_ID, 0);
    for (int f = CK_KIND; f < CK_PROP + (int)a->num_props; f++) put_col(&wb, a, b, d, nw, first, CLS_S, f, 0);
    put_col(&wb, a, b, d, nw, first, CLS_C, CK_ID, 0);
    put_col(&wb, a, b, d, nw, first, CLS_C, CK_MASK, 0);
    for (int f = CK_X; f <= CK_Z; f++) put_col(&wb, a, b, d, nw, first, CLS_C, f, M_POS);
    put_col(&wb, a, b, d, nw, first, CLS_C, CK_KIND, M_KIND);
    for (uint32_t s = 0; s < a->num_props; s++) put_col(&wb, a, b, d, nw, first, CLS_C, CK_PROP + (int)s, M_PROP(s));
  }
  *len = wb.len;
  return buf && wb.len > cap ? SYNK_E_SPACE : SYNK_OK;
}

synk_status synk_delta_encode(const synk_world *base, const synk_world *target, void *buf, size_t cap, size_t *len) {
  return synk_delta_encode_chunks(base, target, NULL, buf, cap, len);
}

synk_status synk_world_diff(const synk_world *a, const synk_world *b, uint64_t *out, size_t cap) {
  if (!a || !b || !out) return SYNK_E_ARG;
  if (a->cap != b->cap || a->num_props != b->num_props || a->seed != b->seed) return SYNK_E_MISMATCH;
  if (cap < a->nwords) return SYNK_E_SPACE;
  synk_codec_kernels_active()->diff_words(a, b, 0, a->nwords, out);
  return SYNK_OK;
}

/* ---- apply -------------------------------------------------------------------- */

/* Readers of one segment's columns, in format order. */
enum { R_D, R_SID, R_SKIND, R_SX, R_SY, R_SZ, R_SP0, R_CID = R_SP0 + SYNK_MAX_PROPS, R_CMASK, R_CX, R_CY, R_CZ, R_CKIND,
       R_CP0, R_D2 = R_CP0 + SYNK_MAX_PROPS, R_COUNT };

/* A segment's columns: where each starts and how many values it holds
 * (validated by seg_open); readers are set up per section, so at most 24
 * exist at once (~25 KB of stack). */
typedef struct seg_state {
  const uint8_t *at[R_COUNT];
  size_t cnt[R_COUNT];
  const uint8_t *end;
  const synk_codec_kernels *k;
  uint32_t n[3];
  synk_col_reader r[24];
} seg_state;

static synk_col_reader *rd(seg_state *s, int slot, int col) {
  synk_col_reader_init(&s->r[slot], s->k, s->at[col], s->end, s->cnt[col]);
  return &s->r[slot];
}

/* Next id of an id column: local = prev + 1 + gap, must stay in the segment
 * and below cap. Returns -1 when out of bounds. */
static int64_t next_id(synk_col_reader *r, int64_t *prev, uint32_t first, uint32_t cap) {
  int64_t local = *prev + 1 + (int64_t)synk_col_next(r);
  if (local >= (int64_t)SEG_IDS || (int64_t)first + local >= (int64_t)cap) return -1;
  *prev = local;
  return (int64_t)first + local;
}

/* Validate the structure of one segment's columns at *pp and set up readers. */
static synk_status seg_open(const synk_world *w, const synk_codec_kernels *k, const uint8_t **pp, const uint8_t *end,
                            seg_state *s) {
  const uint32_t np = w->num_props;
  for (int c = 0; c < 3; c++)
    if (synk_uv32_decode(pp, end, &s->n[c]) || s->n[c] > SEG_IDS) return SYNK_E_FORMAT;
  if ((uint64_t)s->n[0] + s->n[1] + s->n[2] > SEG_IDS || (s->n[0] | s->n[1] | s->n[2]) == 0) return SYNK_E_FORMAT;
  s->end = end;
  s->k = k;
#define OPEN(idx, count)                                                 \
  do {                                                                   \
    s->at[idx] = *pp;                                                    \
    s->cnt[idx] = (count);                                               \
    if (synk_col_get(k, pp, end, (count), NULL, 0, NULL)) return SYNK_E_FORMAT;   \
  } while (0)
  OPEN(R_D, s->n[CLS_D]);
  s->at[R_D2] = s->at[R_D];
  s->cnt[R_D2] = s->cnt[R_D];
  OPEN(R_SID, s->n[CLS_S]);
  OPEN(R_SKIND, s->n[CLS_S]);
  OPEN(R_SX, s->n[CLS_S]);
  OPEN(R_SY, s->n[CLS_S]);
  OPEN(R_SZ, s->n[CLS_S]);
  for (uint32_t q = 0; q < np; q++) OPEN(R_SP0 + (int)q, s->n[CLS_S]);
  OPEN(R_CID, s->n[CLS_C]);
  OPEN(R_CMASK, s->n[CLS_C]);
  /* counts of the conditional columns come from the masks */
  uint32_t npos = 0, nkind = 0, nprop[SYNK_MAX_PROPS] = {0};
  synk_col_reader *mr = rd(s, 0, R_CMASK);
  for (uint32_t i = 0; i < s->n[CLS_C]; i++) {
    uint32_t m = synk_col_next(mr);
    if (m == 0 || (m >> (2 + np))) return SYNK_E_FORMAT;
    npos += m & M_POS;
    nkind += (m >> 1) & 1;
    for (uint32_t q = 0; q < np; q++) nprop[q] += (m >> (2 + q)) & 1;
  }
  if (mr->bad) return SYNK_E_FORMAT;
  OPEN(R_CX, npos);
  OPEN(R_CY, npos);
  OPEN(R_CZ, npos);
  OPEN(R_CKIND, nkind);
  for (uint32_t q = 0; q < np; q++) OPEN(R_CP0 + (int)q, nprop[q]);
#undef OPEN
  return SYNK_OK;
}

static void store_words(synk_world *w, uint32_t id, const uint32_t *words) {
  w->kind[id] = words[1];
  w->x[id] = synk_i32_of(words[2]);
  w->y[id] = synk_i32_of(words[3]);
  w->z[id] = synk_i32_of(words[4]);
  for (uint32_t p = 0; p < w->num_props; p++) w->props[p][id] = synk_i32_of(words[5 + p]);
}

/* One segment: with commit == 0 check it against w and accumulate the sum
 * and count it leads to; with commit == 1 (after a successful check) write. */
static synk_status seg_run(synk_world *w, seg_state *s, uint32_t seg, int commit, uint64_t *sum, uint64_t *count) {
  const uint32_t first = seg << SEG_BITS, np = w->num_props;
  uint32_t words[SYNK_HASH_WORDS];
  int64_t prev = -1;
  synk_col_reader *r[24];
  r[0] = rd(s, 0, R_D);
  for (uint32_t i = 0; i < s->n[CLS_D]; i++) {
    int64_t id = next_id(r[0], &prev, first, w->cap);
    if (id < 0 || !synk_alive(w, (uint32_t)id)) return SYNK_E_FORMAT;
    uint64_t h = w->eh[id]; /* the cached h(e) */
    *sum -= h;
    *count -= 1;
    if (commit) {
      uint32_t u = (uint32_t)id;
      synk_chunk_add(w, u / SYNK_CHUNK_IDS, (uint64_t)0 - h);
      w->eh[u] = 0;
      synk_bit_clear(w->alive, u);
      memset(words, 0, sizeof words);
      words[0] = u;
      store_words(w, u, words);
    }
  }
  if (r[0]->bad) return SYNK_E_FORMAT;
  prev = -1;
  for (int c = 0; c < 5 + (int)np; c++) r[c] = rd(s, c, R_SID + c);
  for (uint32_t i = 0; i < s->n[CLS_S]; i++) {
    int64_t id = next_id(r[0], &prev, first, w->cap);
    if (id < 0 || synk_alive(w, (uint32_t)id)) return SYNK_E_FORMAT;
    uint32_t u = (uint32_t)id, nw = 0;
    words[nw++] = u;
    words[nw++] = synk_col_next(r[1]);
    for (uint32_t q = 0; q < 3 + np; q++) words[nw++] = synk_zigzag_dec32(synk_col_next(r[2 + q]));
    if (nw & 1) words[nw++] = 0;
    uint64_t h = synk_hash_words_ref(&w->keys, words, nw);
    *sum += h;
    *count += 1;
    if (commit) {
      store_words(w, u, words);
      synk_bit_set(w->alive, u);
      w->eh[u] = h;
      synk_chunk_add(w, u / SYNK_CHUNK_IDS, h);
    }
  }
  for (int c = 0; c < 5 + (int)np; c++)
    if (r[c]->bad) return SYNK_E_FORMAT;
  prev = -1;
  int64_t dprev = -1, did = -1;
  uint32_t dleft = s->n[CLS_D];
  for (int c = 0; c < 6 + (int)np; c++) r[c] = rd(s, c, R_CID + c);
  r[23] = rd(s, 23, R_D2);
  for (uint32_t i = 0; i < s->n[CLS_C]; i++) {
    int64_t id = next_id(r[0], &prev, first, w->cap);
    if (id < 0 || !synk_alive(w, (uint32_t)id)) return SYNK_E_FORMAT;
    while (did < id && dleft) { /* ids both despawned and changed are malformed */
      did = next_id(r[23], &dprev, first, w->cap);
      dleft--;
    }
    if (did == id) return SYNK_E_FORMAT;
    uint32_t u = (uint32_t)id, m = synk_col_next(r[1]);
    uint32_t nw = synk_entity_words(w, u, words);
    const uint64_t before = w->eh[u]; /* the cached h(e) of the state before */
    if (m & M_POS) {
      words[2] += synk_zigzag_dec32(synk_col_next(r[2]));
      words[3] += synk_zigzag_dec32(synk_col_next(r[3]));
      words[4] += synk_zigzag_dec32(synk_col_next(r[4]));
    }
    if (m & M_KIND) words[1] = synk_col_next(r[5]);
    for (uint32_t q = 0; q < np; q++)
      if (m & M_PROP(q)) words[5 + q] += synk_zigzag_dec32(synk_col_next(r[6 + q]));
    const uint64_t after = synk_hash_words_ref(&w->keys, words, nw), diff = after - before;
    *sum += diff;
    if (commit) {
      store_words(w, u, words);
      w->eh[u] = after;
      synk_chunk_add(w, u / SYNK_CHUNK_IDS, diff);
    }
  }
  for (int c = 0; c < 6 + (int)np; c++)
    if (r[c]->bad) return SYNK_E_FORMAT;
  return r[23]->bad ? SYNK_E_FORMAT : SYNK_OK;
}

static synk_status delta_pass(synk_world *w, const synk_codec_kernels *k, const uint8_t *b, size_t len, int commit,
                              uint64_t *sum, uint64_t *count, seg_state *s) {
  const uint8_t *p = b + DELTA_HEADER, *end = b + len;
  const uint32_t nseg = (w->cap + SEG_IDS - 1) >> SEG_BITS;
  uint64_t next = 0;
  while (p < end) {
    uint32_t gap;
    if (synk_uv32_decode(&p, end, &gap)) return SYNK_E_FORMAT;
    uint64_t seg = next + gap;
    if (seg >= nseg) return SYNK_E_FORMAT;
    next = seg + 1;
    synk_status st = seg_open(w, k, &p, end, s);
    if (st) return st;
    st = seg_run(w, s, (uint32_t)seg, commit, sum, count);
    if (st) return st;
  }
  return SYNK_OK;
}

synk_status synk_delta_apply(synk_world *w, const void *buf, size_t len) {
  if (!w || (!buf && len)) return SYNK_E_ARG;
  const uint8_t *b = (const uint8_t *)buf;
  if (len < DELTA_HEADER || memcmp(b, DELTA_MAGIC, 4) != 0 || b[4] != DELTA_VERSION || b[6] || b[7])
    return SYNK_E_FORMAT;
  if (b[5] != w->num_props || synk_load_le32(b + 8) != w->cap || synk_load_le64(b + 12) != w->seed) return SYNK_E_MISMATCH;
  if (synk_load_le64(b + 20) != w->frame || synk_load_le64(b + 28) != synk_hash(w)) return SYNK_E_MISMATCH;
  const uint64_t tframe = synk_load_le64(b + 36), tcount = synk_load_le64(b + 44), thash = synk_load_le64(b + 52);
  if (tcount > w->cap) return SYNK_E_FORMAT;
  const synk_codec_kernels *k = synk_codec_kernels_active();
  seg_state s; /* ~26 KB of column readers, on the stack: no allocation */
  uint64_t sum = w->sum, count = w->count;
  synk_status st = delta_pass(w, k, b, len, 0, &sum, &count, &s);
  if (st) return st;
  if (count != tcount || synk_hash_with(w, sum, tframe, count) != thash) return SYNK_E_MISMATCH;
  sum = w->sum;
  count = w->count;
  (void)delta_pass(w, k, b, len, 1, &sum, &count, &s);
  w->sum = sum;
  w->count = (size_t)count;
  w->frame = tframe;
  return SYNK_OK;
}
