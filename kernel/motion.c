/*
 * Batch motion: validate -> coalesce -> order by id -> apply through the
 * kernel table. The result is defined as exactly that of synk_move on each
 * motion in order; since motions only add to positions (commutative, wrapping)
 * and the hash is a sum over entities, coalescing per entity and applying in
 * id order gives the same state and the same hash.
 */
#include "internal.h"

static inline int32_t as_i32(uint32_t v) {
  int32_t r;
  memcpy(&r, &v, sizeof r);
  return r;
}

/* Batches with at most this many distinct ids are ordered by insertion sort;
 * chosen with bench case motion/batch peer-7x13 (100 distinct ids per batch
 * take the bitmap path, smaller ones are cheaper sorted in registers). */
#define SMALL_SORT 32

static void insertion_sort(uint32_t *a, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint32_t v = a[i];
    size_t j = i;
    while (j > 0 && a[j - 1] > v) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = v;
  }
}

/* LSD radix sort of distinct ids, 8 bits a pass; passes where every id has
 * the same digit are skipped. Returns the buffer holding the result. */
static uint32_t *radix_sort(uint32_t *a, uint32_t *b, size_t n, uint32_t bits) {
  uint32_t passes = (bits + 7) / 8;
  size_t hist[4][256];
  memset(hist, 0, sizeof hist);
  for (size_t i = 0; i < n; i++) {
    uint32_t v = a[i];
    for (uint32_t p = 0; p < passes; p++) hist[p][(v >> (8 * p)) & 255]++;
  }
  for (uint32_t p = 0; p < passes; p++) {
    size_t *h = hist[p];
    if (h[(a[0] >> (8 * p)) & 255] == n) continue; /* all in one bucket */
    size_t sum = 0;
    for (int d = 0; d < 256; d++) {
      size_t c = h[d];
      h[d] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) {
      uint32_t v = a[i];
      b[h[(v >> (8 * p)) & 255]++] = v;
    }
    uint32_t *t = a;
    a = b;
    b = t;
  }
  return a;
}

/* Put the k distinct ids in increasing order and clear their touched bits.
 * [lo, hi] bounds them. Returns the array holding the sorted ids. */
static const uint32_t *order_ids(synk_world *w, size_t k, uint32_t lo, uint32_t hi) {
  uint64_t *touched = w->touched;
  uint32_t *list = w->list;
  size_t wlo = lo >> 6, whi = hi >> 6;
  if (k > SMALL_SORT && whi - wlo + 1 <= 4 * k) {
    /* dense: the touched bitmap already holds the order */
    uint32_t *out = w->tmp;
    size_t o = 0;
    for (size_t wi = wlo; wi <= whi; wi++) {
      uint64_t bits = touched[wi];
      if (!bits) continue;
      touched[wi] = 0;
      uint32_t base = (uint32_t)(wi << 6);
      while (bits) {
        out[o++] = base + (uint32_t)synk_ctz64(bits);
        bits &= bits - 1;
      }
    }
    return out;
  }
  for (size_t i = 0; i < k; i++) touched[list[i] >> 6] = 0;
  if (k <= SMALL_SORT) {
    insertion_sort(list, k);
    return list;
  }
  return radix_sort(list, w->tmp, k, w->id_bits);
}

synk_status synk_apply_motions(synk_world *w, const synk_motion *m, size_t n, size_t *bad_index) {
  if (!w || (!m && n)) return SYNK_E_ARG;
  if (n == 0) return SYNK_OK;
  const uint32_t cap = w->cap;
  const uint64_t *alive = w->alive;
  uint64_t *touched = w->touched;
  int32_t *ax = w->ax, *ay = w->ay, *az = w->az;
  uint32_t *list = w->list;
  size_t k = 0, i = 0;
  uint32_t lo = UINT32_MAX, hi = 0;
  synk_status st = SYNK_OK;

  /* validate + coalesce in one pass; consecutive repeats of one id are summed
   * in registers first */
  while (i < n) {
    uint32_t id = m[i].id;
    if (SYNK_UNLIKELY(id >= cap)) {
      st = SYNK_E_RANGE;
      break;
    }
    if (SYNK_UNLIKELY(!((alive[id >> 6] >> (id & 63)) & 1))) {
      st = SYNK_E_DEAD;
      break;
    }
    uint32_t sx = (uint32_t)m[i].dx, sy = (uint32_t)m[i].dy, sz = (uint32_t)m[i].dz;
    size_t j = i + 1;
    while (j < n && m[j].id == id) {
      sx += (uint32_t)m[j].dx;
      sy += (uint32_t)m[j].dy;
      sz += (uint32_t)m[j].dz;
      j++;
    }
    uint64_t bit = UINT64_C(1) << (id & 63);
    if (!(touched[id >> 6] & bit)) {
      touched[id >> 6] |= bit;
      list[k++] = id;
      ax[id] = as_i32(sx);
      ay[id] = as_i32(sy);
      az[id] = as_i32(sz);
      lo = id < lo ? id : lo;
      hi = id > hi ? id : hi;
    } else {
      ax[id] = as_i32((uint32_t)ax[id] + sx);
      ay[id] = as_i32((uint32_t)ay[id] + sy);
      az[id] = as_i32((uint32_t)az[id] + sz);
    }
    i = j;
  }
  if (st != SYNK_OK) {
    for (size_t q = 0; q < k; q++) touched[list[q] >> 6] = 0;
    if (bad_index) *bad_index = i;
    return st;
  }

  const uint32_t *ids = order_ids(w, k, lo, hi);
  w->sum += synk_kernels_active()->motion_apply(w, ids, k);
  return SYNK_OK;
}
