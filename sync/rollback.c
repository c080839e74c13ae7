/* SPDX-License-Identifier: MIT */
/*
 * Rings of saved frames (rollback and catch-up history), built on the
 * world's per-chunk dirty bits.
 *
 * A save copies only the 256-id chunks changed since the previous save: the
 * frame's entry holds "after images" of those chunks (their state at that
 * frame) in a FIFO pool. A `base` copy holds, for every chunk, its state
 * before the oldest image still in the ring. The state of chunk c at saved
 * frame g is therefore the newest image of c among the frames <= g, or the
 * base when there is none. When the oldest frame leaves the window, each of
 * its images either still matters (the next frame has no image of that
 * chunk: it moves into the base) or is superseded (dropped). So a save costs
 * the chunks changed since the previous save, plus at most as many moved to
 * the base, whatever the window size; a restore or a catch-up costs the
 * chunks changed since the frame asked for.
 *
 * Dirty bits with several consumers. The world sets a bit of w->dirty per
 * chunk on every change. Rings never use those bits directly: before any
 * save, restore or catch-up, rings_collect() ORs w->dirty into the `pending`
 * bitmap of every ring attached to the world (the world's `rings` list) and
 * clears w->dirty. Each ring keeps its own notion ("changed since my last
 * save"), so a short rollback ring and a long history ring on one world each
 * see every change. A restore writes the world directly (not through
 * synk_chunk_add) and adds the chunks it wrote to every other ring's
 * `pending`; its own ring then equals the world.
 */
#include "sync/sync_internal.h"

typedef struct ring_frame {
  uint64_t frame, count, sum;
  uint32_t first, n; /* its images: pool slots first .. first + n - 1 (circular), chunks increasing */
} ring_frame;

struct synk_ring {
  synk_world *w;
  synk_ring *next;   /* next ring on the same world */
  uint32_t slots;    /* frames kept */
  uint32_t swords;   /* words of a chunk bitmap */
  ring_frame *fr;    /* circular, oldest at head */
  uint64_t *fbits;   /* slots * swords: the chunks imaged by each frame (same index as fr) */
  uint32_t head, nfr;
  uint64_t *pending; /* chunks changed since this ring's last save (or restore) */
  uint64_t *mask;    /* swords of scratch */
  /* image pool: FIFO of chunk images */
  uint32_t pcap, phead, pused;
  uint32_t *pchunk;  /* chunk of each pool slot */
  unsigned char *pool;
  size_t ibytes;     /* bytes of one image */
  synk_world base;   /* shadow world: each chunk's state before its oldest image */
  synk_world scratch;/* shadow world rebuilt for catch-up deltas */
  void *block;
};

static uint64_t al(uint64_t v) { return (v + 63) & ~(uint64_t)63; }

static void rings_collect(synk_world *w) {
  const uint32_t sw = (w->nchunks + 63) / 64;
  uint64_t any = 0;
  for (uint32_t i = 0; i < sw; i++) any |= w->dirty[i];
  if (!any) return;
  for (synk_ring *r = (synk_ring *)w->rings; r; r = r->next)
    for (uint32_t i = 0; i < sw; i++) r->pending[i] |= w->dirty[i];
  memset(w->dirty, 0, sw * sizeof w->dirty[0]);
}

/* ---- chunk copies ---------------------------------------------------------- */

static uint32_t chunk_ids(const synk_world *w, uint32_t c) {
  uint32_t first = c * SYNK_CHUNK_IDS;
  return w->cap - first < SYNK_CHUNK_IDS ? w->cap - first : SYNK_CHUNK_IDS;
}

/* world-like (w or a shadow) chunk c <-> image bytes: the columns (kind, x,
 * y, z, props; SYNK_CHUNK_IDS * 4 bytes each), then a tail of the alive
 * words (32 bytes) and the chunk sum (8), then the cached entity hashes
 * (SYNK_CHUNK_IDS * 8): a restore brings the cache back with the state. */
#define IMG_TAIL 40u
static void chunk_to_image(const synk_world *s, uint32_t c, unsigned char *img) {
  const uint32_t first = c * SYNK_CHUNK_IDS, n = chunk_ids(s, c);
  const size_t col = SYNK_CHUNK_IDS * 4, bytes = (size_t)n * 4;
  memcpy(img, s->kind + first, bytes);
  memcpy(img + col, s->x + first, bytes);
  memcpy(img + 2 * col, s->y + first, bytes);
  memcpy(img + 3 * col, s->z + first, bytes);
  for (uint32_t q = 0; q < s->num_props; q++) memcpy(img + (4 + q) * col, s->props[q] + first, bytes);
  unsigned char *tail = img + (4 + s->num_props) * col;
  const uint32_t w0 = first / 64, w1 = (first + n + 63) / 64;
  memcpy(tail, s->alive + w0, (size_t)(w1 - w0) * 8);
  memcpy(tail + 32, &s->chunk[c], 8);
  memcpy(tail + IMG_TAIL, s->eh + first, (size_t)n * 8);
}
static void image_to_chunk(synk_world *d, uint32_t c, const unsigned char *img) {
  const uint32_t first = c * SYNK_CHUNK_IDS, n = chunk_ids(d, c);
  const size_t col = SYNK_CHUNK_IDS * 4, bytes = (size_t)n * 4;
  memcpy(d->kind + first, img, bytes);
  memcpy(d->x + first, img + col, bytes);
  memcpy(d->y + first, img + 2 * col, bytes);
  memcpy(d->z + first, img + 3 * col, bytes);
  for (uint32_t q = 0; q < d->num_props; q++) memcpy(d->props[q] + first, img + (4 + q) * col, bytes);
  const unsigned char *tail = img + (4 + d->num_props) * col;
  const uint32_t w0 = first / 64, w1 = (first + n + 63) / 64;
  memcpy(d->alive + w0, tail, (size_t)(w1 - w0) * 8);
  memcpy(&d->chunk[c], tail + 32, 8);
  memcpy(d->eh + first, tail + IMG_TAIL, (size_t)n * 8);
}
static void copy_chunk(synk_world *d, const synk_world *s, uint32_t c) {
  const uint32_t first = c * SYNK_CHUNK_IDS, n = chunk_ids(s, c);
  const size_t bytes = (size_t)n * 4;
  memcpy(d->kind + first, s->kind + first, bytes);
  memcpy(d->x + first, s->x + first, bytes);
  memcpy(d->y + first, s->y + first, bytes);
  memcpy(d->z + first, s->z + first, bytes);
  for (uint32_t q = 0; q < s->num_props; q++) memcpy(d->props[q] + first, s->props[q] + first, bytes);
  const uint32_t w0 = first / 64, w1 = (first + n + 63) / 64;
  memcpy(d->alive + w0, s->alive + w0, (size_t)(w1 - w0) * 8);
  d->chunk[c] = s->chunk[c];
  memcpy(d->eh + first, s->eh + first, (size_t)n * 8);
}

static inline unsigned char *pimg(const synk_ring *r, uint32_t slot) { return r->pool + (size_t)slot * r->ibytes; }
static inline uint32_t fidx(const synk_ring *r, uint32_t i) { return (r->head + i) % r->slots; } /* i-th oldest */
static inline uint64_t *fb(const synk_ring *r, uint32_t idx) { return r->fbits + (size_t)idx * r->swords; }

/* ---- creation --------------------------------------------------------------- */

static unsigned char *place_shadow(synk_world *d, const synk_world *w, unsigned char *p) {
  memset(d, 0, sizeof *d);
  d->alloc = w->alloc;
  d->cap = w->cap;
  d->num_props = w->num_props;
  d->nchunks = w->nchunks;
  d->nwords = w->nwords;
  d->seed = w->seed;
  d->keys = w->keys;
  const size_t col = (size_t)al((uint64_t)w->cap * 4);
  d->kind = (uint32_t *)(void *)p;
  d->x = (int32_t *)(void *)(p + col);
  d->y = (int32_t *)(void *)(p + 2 * col);
  d->z = (int32_t *)(void *)(p + 3 * col);
  for (uint32_t q = 0; q < w->num_props; q++) d->props[q] = (int32_t *)(void *)(p + (4 + q) * col);
  p += (4 + w->num_props) * col;
  d->alive = (uint64_t *)(void *)p;
  p += al((uint64_t)w->nwords * 8);
  d->chunk = (uint64_t *)(void *)p;
  p += al((uint64_t)w->nchunks * 8);
  d->eh = (uint64_t *)(void *)p;
  return p + al((uint64_t)w->cap * 8);
}

synk_status synk_ring_create(synk_world *w, uint32_t slots, synk_ring **out) {
  if (out) *out = NULL;
  if (!w || !out || slots == 0 || slots > 65536) return SYNK_E_ARG;
  const uint32_t sw = (w->nchunks + 63) / 64, np = w->num_props;
  const uint64_t shadow = al((uint64_t)w->cap * 4) * (4 + np) + al((uint64_t)w->nwords * 8) +
                          al((uint64_t)w->nchunks * 8) + al((uint64_t)w->cap * 8);
  const uint64_t ibytes = (uint64_t)SYNK_CHUNK_IDS * 4 * (4 + np) + IMG_TAIL + (uint64_t)SYNK_CHUNK_IDS * 8;
  const uint64_t pcap = (uint64_t)slots * w->nchunks; /* every frame may image every chunk */
  const uint64_t size = al(sizeof(synk_ring)) + al((uint64_t)slots * sizeof(ring_frame)) + al((uint64_t)slots * sw * 8) +
                        2 * al((uint64_t)sw * 8) + al(pcap * 4) + al(pcap * ibytes) + 2 * shadow;
  if (pcap > UINT32_MAX || size > (uint64_t)SIZE_MAX / 2) return SYNK_E_NOMEM;
  unsigned char *blk = (unsigned char *)w->alloc.alloc(w->alloc.ctx, (size_t)size, 64);
  if (!blk) return SYNK_E_NOMEM;
  memset(blk, 0, (size_t)al(sizeof(synk_ring)) + (size_t)al((uint64_t)slots * sizeof(ring_frame)) +
                     (size_t)al((uint64_t)slots * sw * 8) + 2 * (size_t)al((uint64_t)sw * 8));
  unsigned char *p = blk;
  synk_ring *r = (synk_ring *)(void *)p;
  p += al(sizeof(synk_ring));
  r->block = blk;
  r->w = w;
  r->slots = slots;
  r->swords = sw;
  r->fr = (ring_frame *)(void *)p;
  p += al((uint64_t)slots * sizeof(ring_frame));
  r->fbits = (uint64_t *)(void *)p;
  p += al((uint64_t)slots * sw * 8);
  r->pending = (uint64_t *)(void *)p;
  p += al((uint64_t)sw * 8);
  r->mask = (uint64_t *)(void *)p;
  p += al((uint64_t)sw * 8);
  r->pcap = (uint32_t)pcap;
  r->pchunk = (uint32_t *)(void *)p;
  p += al(pcap * 4);
  r->ibytes = (size_t)ibytes;
  r->pool = p;
  p += al(pcap * ibytes);
  p = place_shadow(&r->base, w, p);
  (void)place_shadow(&r->scratch, w, p);
  /* the base starts as the whole world; changes made before the ring existed
   * go to the rings that existed then */
  rings_collect(w);
  for (uint32_t c = 0; c < w->nchunks; c++) copy_chunk(&r->base, w, c);
  r->next = (synk_ring *)w->rings;
  w->rings = r;
  *out = r;
  return SYNK_OK;
}

void synk_ring_destroy(synk_ring *r) {
  if (!r) return;
  synk_world *w = r->w;
  synk_ring **pp = (synk_ring **)&w->rings;
  while (*pp && *pp != r) pp = &(*pp)->next;
  if (*pp) *pp = r->next;
  w->alloc.free(w->alloc.ctx, r->block);
}

/* ---- frames ------------------------------------------------------------------- */

/* Logical index of the newest frame <= f, or -1. Frames increase. */
static int64_t newest_at_most(const synk_ring *r, uint64_t f) {
  int64_t lo = 0, hi = (int64_t)r->nfr - 1, ans = -1;
  while (lo <= hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (r->fr[fidx(r, (uint32_t)mid)].frame <= f) {
      ans = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return ans;
}

/* The image of chunk c at frame entry i (its images are sorted by chunk). */
static const unsigned char *frame_image(const synk_ring *r, uint32_t i, uint32_t c) {
  const ring_frame *f = &r->fr[fidx(r, i)];
  uint32_t lo = 0, hi = f->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (r->pchunk[(f->first + mid) % r->pcap] < c) lo = mid + 1;
    else hi = mid;
  }
  return pimg(r, (f->first + lo) % r->pcap);
}

/* State of chunk c at the frame of entry `at` (logical index): the newest
 * image at or before it, else the base. */
static void state_at(const synk_ring *r, int64_t at, uint32_t c, synk_world *dst) {
  for (int64_t i = at; i >= 0; i--)
    if (synk_bit_get(fb(r, fidx(r, (uint32_t)i)), c)) {
      image_to_chunk(dst, c, frame_image(r, (uint32_t)i, c));
      return;
    }
  copy_chunk(dst, &r->base, c);
}

/* Drop the oldest frame: an image the next frame does not supersede moves
 * into the base. */
static void evict_oldest(synk_ring *r) {
  const uint32_t idx = r->head;
  const ring_frame *f = &r->fr[idx];
  const uint64_t *next = r->nfr > 1 ? fb(r, fidx(r, 1)) : NULL;
  for (uint32_t j = 0; j < f->n; j++) {
    uint32_t slot = (f->first + j) % r->pcap, c = r->pchunk[slot];
    if (!next || !synk_bit_get(next, c)) image_to_chunk(&r->base, c, pimg(r, slot));
  }
  r->phead = (r->phead + f->n) % r->pcap;
  r->pused -= f->n;
  r->head = (r->head + 1) % r->slots;
  r->nfr--;
}

/* Drop the newest frame (a frame saved again, or undone by a restore); its
 * chunks count as changed since the frame before it. */
static void drop_newest(synk_ring *r) {
  const uint32_t idx = fidx(r, r->nfr - 1);
  const uint64_t *bits = fb(r, idx);
  for (uint32_t i = 0; i < r->swords; i++) r->pending[i] |= bits[i];
  r->pused -= r->fr[idx].n;
  r->nfr--;
}

synk_status synk_ring_save(synk_ring *r) {
  if (!r) return SYNK_E_ARG;
  synk_world *w = r->w;
  rings_collect(w);
  while (r->nfr && r->fr[fidx(r, r->nfr - 1)].frame >= w->frame) drop_newest(r);
  if (r->nfr == r->slots) evict_oldest(r);
  const uint32_t idx = fidx(r, r->nfr);
  ring_frame *f = &r->fr[idx];
  f->frame = w->frame;
  f->count = w->count;
  f->sum = w->sum;
  f->first = (r->phead + r->pused) % r->pcap;
  f->n = 0;
  uint64_t *bits = fb(r, idx);
  for (uint32_t i = 0; i < r->swords; i++) {
    uint64_t b = r->pending[i];
    bits[i] = b;
    while (b) {
      uint32_t c = i * 64 + synk_ctz64(b), slot = (f->first + f->n) % r->pcap;
      b &= b - 1;
      r->pchunk[slot] = c;
      chunk_to_image(w, c, pimg(r, slot));
      f->n++;
    }
  }
  r->pused += f->n;
  r->nfr++;
  memset(r->pending, 0, r->swords * 8);
  return SYNK_OK;
}

int synk_ring_has(const synk_ring *r, uint64_t frame) {
  if (!r) return 0;
  int64_t i = newest_at_most(r, frame);
  return i >= 0 && r->fr[fidx(r, (uint32_t)i)].frame == frame;
}

/* Chunks that may differ between the world and saved entry `at`: the ring's
 * pending changes and every chunk imaged by a later frame. Into r->mask. */
static void changed_since(synk_ring *r, int64_t at) {
  memcpy(r->mask, r->pending, r->swords * 8);
  for (uint32_t i = (uint32_t)at + 1; i < r->nfr; i++) {
    const uint64_t *b = fb(r, fidx(r, i));
    for (uint32_t j = 0; j < r->swords; j++) r->mask[j] |= b[j];
  }
}

synk_status synk_ring_restore(synk_ring *r, uint64_t frame) {
  if (!r) return SYNK_E_ARG;
  if (!synk_ring_has(r, frame)) return SYNK_E_RANGE;
  synk_world *w = r->w;
  rings_collect(w);
  const int64_t at = newest_at_most(r, frame);
  changed_since(r, at);
  for (uint32_t i = 0; i < r->swords; i++) {
    uint64_t b = r->mask[i];
    while (b) {
      state_at(r, at, i * 64 + synk_ctz64(b), w);
      b &= b - 1;
    }
  }
  const ring_frame *f = &r->fr[fidx(r, (uint32_t)at)];
  w->frame = f->frame;
  w->count = (size_t)f->count;
  w->sum = f->sum;
  /* later frames are gone (the timeline restarts at `frame`); the world
   * changed in the restored chunks for every other ring */
  while (r->nfr > (uint32_t)at + 1) drop_newest(r);
  memset(r->pending, 0, r->swords * 8);
  for (synk_ring *o = (synk_ring *)w->rings; o; o = o->next)
    if (o != r)
      for (uint32_t i = 0; i < r->swords; i++) o->pending[i] |= r->mask[i];
  return SYNK_OK;
}

const synk_world *synk_ring_frame(synk_ring *r, uint64_t frame, const uint64_t **stale, synk_world **world) {
  *world = r->w;
  if (!synk_ring_has(r, frame)) return NULL;
  rings_collect(r->w);
  const int64_t at = newest_at_most(r, frame);
  changed_since(r, at);
  /* the scratch shadow gets frame F's state in the chunks that may differ;
   * the others are never read (the delta visits the mask only) */
  for (uint32_t i = 0; i < r->swords; i++) {
    uint64_t b = r->mask[i];
    while (b) {
      state_at(r, at, i * 64 + synk_ctz64(b), &r->scratch);
      b &= b - 1;
    }
  }
  const ring_frame *f = &r->fr[fidx(r, (uint32_t)at)];
  r->scratch.frame = f->frame;
  r->scratch.count = (size_t)f->count;
  r->scratch.sum = f->sum;
  *stale = r->mask;
  return &r->scratch;
}
