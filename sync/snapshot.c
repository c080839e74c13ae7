/* SPDX-License-Identifier: MIT */
/*
 * Snapshots (docs/wire-format.md, "Snapshots"): a whole world as bytes and
 * back, bit-exact. Fixed 52-byte header, the alive bitmap, then each field of
 * the live entities in id order as little-endian u32 columns (kind, x, y, z,
 * props...). Raw columns keep save and load at memory speed; loading
 * recomputes the world hash with the SIMD backend and refuses a mismatch.
 */
#include "sync/sync_internal.h"

#define SNAP_MAGIC "SYNS"
#define SNAP_VERSION 1u
#define SNAP_HEADER 52u

static uint64_t snap_size(uint32_t cap, uint32_t np, uint64_t count) {
  uint64_t nwords = ((uint64_t)cap + 63) / 64;
  return SNAP_HEADER + nwords * 8 + count * 4 * (4 + (uint64_t)np);
}

size_t synk_snapshot_size(const synk_world *w) {
  if (!w) return 0;
  uint64_t s = snap_size(w->cap, w->num_props, w->count);
  return s > SIZE_MAX ? SIZE_MAX : (size_t)s;
}

/* Copy the live entries of one field into dst (little-endian). */
static uint8_t *put_field(uint8_t *dst, const uint32_t *src, const uint64_t *alive, uint32_t nwords) {
  for (uint32_t wi = 0; wi < nwords; wi++) {
    uint64_t bits = alive[wi];
    if (!bits) continue;
    const uint32_t *s = src + (size_t)wi * 64;
    if (bits == ~UINT64_C(0) && SYNK_LE_HOST) {
      memcpy(dst, s, 256);
      dst += 256;
      continue;
    }
    while (bits) {
      synk_store_le32(dst, s[synk_ctz64(bits)]);
      dst += 4;
      bits &= bits - 1;
    }
  }
  return dst;
}

static const uint8_t *get_field(const uint8_t *src, uint32_t *dst, const uint64_t *alive, uint32_t nwords) {
  for (uint32_t wi = 0; wi < nwords; wi++) {
    uint64_t bits = alive[wi];
    if (!bits) continue;
    uint32_t *d = dst + (size_t)wi * 64;
    if (bits == ~UINT64_C(0) && SYNK_LE_HOST) {
      memcpy(d, src, 256);
      src += 256;
      continue;
    }
    while (bits) {
      d[synk_ctz64(bits)] = synk_load_le32(src);
      src += 4;
      bits &= bits - 1;
    }
  }
  return src;
}

synk_status synk_snapshot_save(const synk_world *w, void *buf, size_t cap, size_t *len) {
  if (!w || !len || (!buf && cap)) return SYNK_E_ARG;
  size_t need = synk_snapshot_size(w);
  *len = need;
  if (!buf || cap < need) return buf ? SYNK_E_SPACE : SYNK_OK;
  uint8_t *p = (uint8_t *)buf;
  memcpy(p, SNAP_MAGIC, 4);
  p[4] = SNAP_VERSION;
  p[5] = (uint8_t)w->num_props;
  p[6] = p[7] = 0;
  synk_store_le32(p + 8, w->cap);
  synk_store_le64(p + 12, w->seed);
  synk_store_le64(p + 20, w->frame);
  synk_store_le64(p + 28, (uint64_t)w->count);
  synk_store_le64(p + 36, synk_hash(w));
  synk_store_le64(p + 44, (uint64_t)need);
  p += SNAP_HEADER;
  for (uint32_t wi = 0; wi < w->nwords; wi++, p += 8) synk_store_le64(p, w->alive[wi]);
  p = put_field(p, w->kind, w->alive, w->nwords);
  p = put_field(p, (const uint32_t *)w->x, w->alive, w->nwords);
  p = put_field(p, (const uint32_t *)w->y, w->alive, w->nwords);
  p = put_field(p, (const uint32_t *)w->z, w->alive, w->nwords);
  for (uint32_t q = 0; q < w->num_props; q++) p = put_field(p, (const uint32_t *)w->props[q], w->alive, w->nwords);
  return SYNK_OK;
}

/* The header's fields, checked for structure: magic, version, bounds, and the
 * total size the counts imply equal to len. Reads 52 bytes; allocates nothing. */
static synk_status snap_header(const uint8_t *p, size_t len, synk_snapshot_header *h) {
  if (len < SNAP_HEADER || memcmp(p, SNAP_MAGIC, 4) != 0 || p[4] != SNAP_VERSION || p[6] || p[7])
    return SYNK_E_FORMAT;
  h->num_props = p[5];
  h->max_entities = synk_load_le32(p + 8);
  h->seed = synk_load_le64(p + 12);
  h->frame = synk_load_le64(p + 20);
  h->count = synk_load_le64(p + 28);
  h->hash = synk_load_le64(p + 36);
  uint64_t total = synk_load_le64(p + 44);
  if (h->num_props > SYNK_MAX_PROPS || h->max_entities == 0 || h->max_entities > SYNK_MAX_ENTITIES_LIMIT ||
      h->count > h->max_entities)
    return SYNK_E_FORMAT;
  if (total != len || snap_size(h->max_entities, h->num_props, h->count) != total) return SYNK_E_FORMAT;
  h->size = (size_t)total;
  return SYNK_OK;
}

/* The alive bitmap (inside the bytes, whose size the header checked): no
 * bits at ids >= max_entities, and exactly `count` bits set. */
static synk_status snap_bitmap(const uint8_t *p, const synk_snapshot_header *h) {
  const uint32_t cap = h->max_entities, nwords = (uint32_t)(((uint64_t)cap + 63) / 64);
  const uint8_t *bm = p + SNAP_HEADER;
  uint64_t live = 0;
  for (uint32_t wi = 0; wi < nwords; wi++) {
    uint64_t v = synk_load_le64(bm + 8 * (size_t)wi);
    if (wi == nwords - 1 && (cap & 63) && (v >> (cap & 63))) return SYNK_E_FORMAT; /* ids >= cap */
    live += synk_popcount64(v);
  }
  return live == h->count ? SYNK_OK : SYNK_E_FORMAT;
}

synk_status synk_snapshot_inspect(const void *buf, size_t len, synk_snapshot_header *out) {
  if (!buf || !out) return SYNK_E_ARG;
  synk_snapshot_header h;
  synk_status st = snap_header((const uint8_t *)buf, len, &h);
  if (!st) st = snap_bitmap((const uint8_t *)buf, &h);
  if (!st) *out = h;
  return st;
}

synk_status synk_snapshot_load(const void *buf, size_t len, const synk_config *expect, synk_world **out) {
  if (out) *out = NULL;
  if (!buf || !out || !expect) return SYNK_E_ARG;
  if (expect->allocator && (!expect->allocator->alloc || !expect->allocator->free)) return SYNK_E_ARG;
  const uint8_t *p = (const uint8_t *)buf;
  synk_snapshot_header h;
  synk_status st = snap_header(p, len, &h);
  if (st) return st;
  /* The receiver's config bounds everything that follows: a snapshot of any
   * other world is refused before a byte is allocated. */
  if (h.max_entities != expect->max_entities || h.num_props != expect->num_props || h.seed != expect->seed)
    return SYNK_E_MISMATCH;
  if ((st = snap_bitmap(p, &h))) return st;
  const uint32_t np = h.num_props, cap = h.max_entities, nwords = (uint32_t)(((uint64_t)cap + 63) / 64);
  const uint8_t *bm = p + SNAP_HEADER;
  synk_world *w = NULL;
  if ((st = synk_world_create(expect, &w))) return st; /* exactly the world the caller asked for */
  for (uint32_t wi = 0; wi < nwords; wi++) w->alive[wi] = synk_load_le64(bm + 8 * (size_t)wi);
  const uint8_t *q = bm + 8 * (size_t)nwords;
  q = get_field(q, w->kind, w->alive, nwords);
  q = get_field(q, (uint32_t *)w->x, w->alive, nwords);
  q = get_field(q, (uint32_t *)w->y, w->alive, nwords);
  q = get_field(q, (uint32_t *)w->z, w->alive, nwords);
  for (uint32_t s = 0; s < np; s++) q = get_field(q, (uint32_t *)w->props[s], w->alive, nwords);
  w->count = (size_t)h.count;
  w->frame = h.frame;
  w->sum = synk_sum_chunks(w, 1);
  if (synk_hash(w) != h.hash) {
    synk_world_destroy(w);
    return SYNK_E_MISMATCH;
  }
  *out = w;
  return SYNK_OK;
}
