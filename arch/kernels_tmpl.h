/* SPDX-License-Identifier: MIT */
/*
 * The SIMD kernels, written once. An arch file defines a handful of leaf
 * operations on a vector V of W 64-bit lanes (one entity per lane, its 32-bit
 * words zero-extended into the lane) and then includes this file; the
 * algorithm below is identical for every ISA. Full vectors are handled here,
 * tails by the shared scalar reference routines.
 *
 * Leaves the includer must define:
 *   V, W                       vector type, lanes (2, 4 or 8; divides 64)
 *   V_ZERO()                   all lanes 0
 *   V_SET64(u)                 every lane = u
 *   V_IOTA(base)               lane l = base + l
 *   V_LOAD32(p)                lane l = ((const uint32_t *)p)[l]
 *   V_GATHER32(base, idx)      lane l = ((const uint32_t *)base)[idx[l]]
 *   V_STORE32(p, v)            ((uint32_t *)p)[l] = low 32 bits of lane l
 *   V_STORE64(p, v)            ((uint64_t *)p)[l] = lane l
 *   V_LOAD64(p)                lane l = ((const uint64_t *)p)[l]
 *   V_GATHER64(base, idx)      lane l = ((const uint64_t *)base)[idx[l]]
 *   V_ADD32(a, b)              32-bit lanewise add (mod 2^32)
 *   V_ADD64, V_SUB64           64-bit lanewise add / subtract (mod 2^64)
 *   V_MUL32(a, b)              lane = (low 32 of a) * (low 32 of b), 64-bit
 *   V_AND, V_OR, V_XOR         bitwise
 *   V_SLL64(v, n), V_SRL64     64-bit lanewise shifts by a constant
 *   V_MASK(bits)               lane l = all ones if bit l of bits, else 0
 *   V_HSUM(v)                  sum of lanes (mod 2^64)
 *   SYNK_TMPL(name)            name with the ISA suffix
 * and may define (else a portable version below is used):
 *   V_LOAD_MOTIONS(m, id, dx, dy, dz)
 *                              W consecutive synk_motion records at m (id, dx,
 *                              dy, dz: four 32-bit words each) deinterleaved:
 *                              lane l of id = m[l].id, of dx = m[l].dx, ...,
 *                              each word zero-extended into its lane
 */

/* synk_motion is four 32-bit words, no padding: the leaves read it as such */
typedef char SYNK_TMPL(motion_is_16_bytes)[sizeof(synk_motion) == 16 ? 1 : -1];

#ifndef V_LOAD_MOTIONS
SYNK_INLINE void SYNK_TMPL(T_load_motions)(const synk_motion *m, V *id, V *dx, V *dy, V *dz) {
  uint32_t c[4][W];
  for (int l = 0; l < W; l++) {
    c[0][l] = m[l].id;
    memcpy(&c[1][l], &m[l].dx, 4);
    memcpy(&c[2][l], &m[l].dy, 4);
    memcpy(&c[3][l], &m[l].dz, 4);
  }
  *id = V_LOAD32(c[0]);
  *dx = V_LOAD32(c[1]);
  *dy = V_LOAD32(c[2]);
  *dz = V_LOAD32(c[3]);
}
#  define V_LOAD_MOTIONS(m, id, dx, dy, dz) SYNK_TMPL(T_load_motions)(m, &(id), &(dx), &(dy), &(dz))
#endif

/* A pair term: X = a + ka, Y = b + kb (mod 2^32); X*Y + (Y << 32 | X). */
SYNK_INLINE V T_pair(V a, V b, V ka, V kb) {
  V X = V_ADD32(a, ka), Y = V_ADD32(b, kb);
  return V_ADD64(V_MUL32(X, Y), V_OR(V_SLL64(Y, 32), X));
}

/* h * c mod 2^64 for a 32-bit c: lo*c + (hi*c << 32). */
SYNK_INLINE V T_mul64x32(V h, V c) {
  return V_ADD64(V_MUL32(h, c), V_SLL64(V_MUL32(V_SRL64(h, 32), c), 32));
}

typedef struct {
  V k[SYNK_HASH_WORDS];
  V s0, m1, m2, hi;
} SYNK_TMPL(tkeys);

SYNK_INLINE void T_keys(SYNK_TMPL(tkeys) *t, const synk_keys *k) {
  for (int j = 0; j < SYNK_HASH_WORDS; j++) t->k[j] = V_SET64(k->k[j]);
  t->s0 = V_SET64(k->s0);
  t->m1 = V_SET64(SYNK_FIN_M1);
  t->m2 = V_SET64(SYNK_FIN_M2);
  t->hi = V_SET64(0xFFFFFFFF00000000u);
}

SYNK_INLINE V T_fin(const SYNK_TMPL(tkeys) *t, V h) {
  h = V_XOR(h, V_SRL64(h, 32));
  h = V_ADD64(V_MUL32(h, t->m1), V_AND(h, t->hi)); /* lo*M1 + (hi << 32) */
  h = V_XOR(h, V_SRL64(h, 32));
  h = T_mul64x32(h, t->m2);
  return V_XOR(h, V_SRL64(h, 32));
}

/* Load W words of array `a`: contiguous from id0, or gathered at ids. With a
 * constant `contig` the branch folds away. */
SYNK_INLINE V T_ld(const void *a, int contig, uint32_t id0, const uint32_t *ids) {
  return contig ? V_LOAD32((const uint32_t *)a + id0) : V_GATHER32(a, ids);
}

/* s0 + every pair that motion does not change ((id, kind) and the property
 * pairs after (z, word5)). */
SYNK_INLINE V T_static(const synk_world *w, const SYNK_TMPL(tkeys) *t, V idv, int contig,
                       uint32_t id0, const uint32_t *ids) {
  V acc = V_ADD64(t->s0, T_pair(idv, T_ld(w->kind, contig, id0, ids), t->k[0], t->k[1]));
  const uint32_t np = w->num_props;
  for (uint32_t p = 1; p < np; p += 2) {
    V a = T_ld(w->props[p], contig, id0, ids);
    V b = p + 1 < np ? T_ld(w->props[p + 1], contig, id0, ids) : V_ZERO();
    acc = V_ADD64(acc, T_pair(a, b, t->k[5 + p], t->k[6 + p]));
  }
  return acc;
}

SYNK_INLINE V T_word5(const synk_world *w, int contig, uint32_t id0, const uint32_t *ids) {
  return w->num_props ? T_ld(w->props[0], contig, id0, ids) : V_ZERO();
}

SYNK_INLINE V T_moving(const SYNK_TMPL(tkeys) *t, V x, V y, V z, V w5) {
  return V_ADD64(T_pair(x, y, t->k[2], t->k[3]), T_pair(z, w5, t->k[4], t->k[5]));
}

/* h(e) of W entities: contiguous ids id0.., or the ids listed. */
SYNK_INLINE V T_hash_block(const synk_world *w, const SYNK_TMPL(tkeys) *t, int contig,
                           uint32_t id0, const uint32_t *ids) {
  V idv = contig ? V_IOTA(id0) : V_LOAD32(ids);
  V acc = T_static(w, t, idv, contig, id0, ids);
  acc = V_ADD64(acc, T_moving(t, T_ld(w->x, contig, id0, ids), T_ld(w->y, contig, id0, ids),
                              T_ld(w->z, contig, id0, ids), T_word5(w, contig, id0, ids)));
  return T_fin(t, acc);
}

static uint64_t SYNK_TMPL(synk_hash_range)(const synk_world *w, uint32_t first, uint32_t count) {
  SYNK_TMPL(tkeys) t;
  T_keys(&t, &w->keys);
  V acc = V_ZERO();
  uint32_t id = first, end = first + count;
  uint64_t sum = 0;
  /* a head that does not start a 64-id alive word: scalar reference */
  if (id & 63) {
    uint32_t head = 64 - (id & 63);
    if (head > count) head = count;
    sum += synk_hash_range_scalar(w, id, head);
    id += head;
  }
  for (; id < end; id += 64) {
    uint64_t word = w->alive[id >> 6];
    uint32_t span = end - id < 64 ? end - id : 64;
    if (span < 64) word &= (UINT64_C(1) << span) - 1;
    if (word == ~UINT64_C(0)) { /* all alive: no masks */
      for (uint32_t b = 0; b < 64; b += W) acc = V_ADD64(acc, T_hash_block(w, &t, 1, id + b, NULL));
      continue;
    }
    uint32_t b = 0;
    for (; word && b + W <= span; b += W, word >>= W) {
      uint32_t bits = (uint32_t)word & ((1u << W) - 1);
      if (bits) acc = V_ADD64(acc, V_AND(T_hash_block(w, &t, 1, id + b, NULL), V_MASK(bits)));
    }
    if (word) sum += synk_hash_range_scalar(w, id + b, span - b); /* < W ids at the very end */
  }
  sum += V_HSUM(acc);
  return sum;
}

/* hash_range that also stores every id's h(e) into w->eh, 0 for dead ids. */
static uint64_t SYNK_TMPL(synk_hash_fill)(const synk_world *w, uint32_t first, uint32_t count) {
  SYNK_TMPL(tkeys) t;
  T_keys(&t, &w->keys);
  V acc = V_ZERO();
  uint32_t id = first, end = first + count;
  uint64_t sum = 0;
  if (id & 63) { /* a head that does not start a 64-id alive word */
    uint32_t head = 64 - (id & 63);
    if (head > count) head = count;
    sum += synk_hash_fill_scalar(w, id, head);
    id += head;
  }
  for (; id < end; id += 64) {
    uint64_t word = w->alive[id >> 6];
    uint32_t span = end - id < 64 ? end - id : 64;
    if (span < 64) word &= (UINT64_C(1) << span) - 1;
    uint32_t b = 0;
    for (; b + W <= span; b += W, word >>= W) {
      uint32_t bits = (uint32_t)word & ((1u << W) - 1);
      V h = V_ZERO();
      if (bits) {
        h = T_hash_block(w, &t, 1, id + b, NULL);
        if (bits != (1u << W) - 1) h = V_AND(h, V_MASK(bits));
        acc = V_ADD64(acc, h);
      }
      V_STORE64(w->eh + id + b, h);
    }
    if (b < span) sum += synk_hash_fill_scalar(w, id + b, span - b); /* < W ids at the very end */
  }
  sum += V_HSUM(acc);
  return sum;
}

static void SYNK_TMPL(synk_hash_ids)(const synk_world *w, const uint32_t *ids, size_t n,
                                     uint64_t *out) {
  SYNK_TMPL(tkeys) t;
  T_keys(&t, &w->keys);
  size_t i = 0;
  for (; i + W <= n; i += W) V_STORE64(out + i, T_hash_block(w, &t, 0, 0, ids + i));
  if (i < n) synk_hash_ids_scalar(w, ids + i, n - i, out + i);
}

/* Move W entities (lane l: id idv[l], delta (ddx, ddy, ddz)[l]) by their
 * coalesced deltas; returns new - old hash per lane. Contiguous: the ids are
 * id0.., else listed in ids. The old hash is the cache (w->eh), the new one
 * replaces it there. */
SYNK_INLINE V T_motion_block(synk_world *w, const SYNK_TMPL(tkeys) *t, int contig,
                             uint32_t id0, const uint32_t *ids, V idv, V ddx, V ddy, V ddz) {
  V stat = T_static(w, t, idv, contig, id0, ids);
  V w5 = T_word5(w, contig, id0, ids);
  V x = T_ld(w->x, contig, id0, ids), y = T_ld(w->y, contig, id0, ids);
  V z = T_ld(w->z, contig, id0, ids);
  V before = contig ? V_LOAD64(w->eh + id0) : V_GATHER64(w->eh, ids);
  /* wrapping add in 32-bit lanes: the upper halves stay 0 */
  x = V_ADD32(x, ddx);
  y = V_ADD32(y, ddy);
  z = V_ADD32(z, ddz);
  V after = T_fin(t, V_ADD64(stat, T_moving(t, x, y, z, w5)));
  if (contig) { /* a run of ids: straight stores */
    V_STORE32(w->x + id0, x);
    V_STORE32(w->y + id0, y);
    V_STORE32(w->z + id0, z);
    V_STORE64(w->eh + id0, after);
  } else {
    uint32_t nx[W], ny[W], nz[W];
    uint64_t nh[W];
    V_STORE32(nx, x);
    V_STORE32(ny, y);
    V_STORE32(nz, z);
    V_STORE64(nh, after);
    for (int l = 0; l < W; l++) {
      memcpy(&w->x[ids[l]], &nx[l], 4);
      memcpy(&w->y[ids[l]], &ny[l], 4);
      memcpy(&w->z[ids[l]], &nz[l], 4);
      w->eh[ids[l]] = nh[l];
    }
  }
  return V_SUB64(after, before);
}

/* The motion kernel over n coalesced motions with strictly increasing ids:
 * from the columns ids/dx/dy/dz, or (aos, a constant) from the synk_motion
 * records m. */
SYNK_INLINE uint64_t T_motion_loop(synk_world *w, int aos, const synk_motion *m, const uint32_t *ids,
                                   const int32_t *dx, const int32_t *dy, const int32_t *dz, size_t n) {
  SYNK_TMPL(tkeys) t;
  T_keys(&t, &w->keys);
  V total = V_ZERO();
  /* Blocks inside one chunk accumulate in a vector, added to the chunk's sum
   * (one horizontal sum) when the ids leave it: ids increase, so a chunk's
   * blocks come one after another. */
  V cacc = V_ZERO();
  uint32_t cur = UINT32_MAX; /* the chunk cacc belongs to, none yet */
  size_t i = 0;
  for (; i + W <= n; i += W) {
    uint32_t lbuf[W];
    const uint32_t *ib;
    uint32_t id0, idl;
    V idv, ddx, ddy, ddz;
    if (aos) {
      V_LOAD_MOTIONS(m + i, idv, ddx, ddy, ddz);
      id0 = m[i].id;
      idl = m[i + W - 1].id;
      ib = lbuf;
    } else {
      ib = ids + i;
      id0 = ib[0];
      idl = ib[W - 1];
      idv = V_LOAD32(ib);
      ddx = V_LOAD32(dx + i);
      ddy = V_LOAD32(dy + i);
      ddz = V_LOAD32(dz + i);
    }
    const int contig = idl - id0 == W - 1;
    V d;
    if (contig) {
      d = T_motion_block(w, &t, 1, id0, NULL, idv, ddx, ddy, ddz);
    } else {
      if (aos) V_STORE32(lbuf, idv); /* the ids the gathers and scatters index */
      d = T_motion_block(w, &t, 0, id0, ib, idv, ddx, ddy, ddz);
    }
    total = V_ADD64(total, d);
    uint32_t c0 = id0 / SYNK_CHUNK_IDS;
    if (c0 == idl / SYNK_CHUNK_IDS) {
      if (c0 != cur) {
        if (cur != UINT32_MAX) synk_chunk_add(w, cur, V_HSUM(cacc));
        cacc = V_ZERO();
        cur = c0;
      }
      cacc = V_ADD64(cacc, d);
    } else {
      uint64_t dl[W];
      V_STORE64(dl, d);
      for (int l = 0; l < W; l++) {
        uint32_t id = aos && contig ? id0 + (uint32_t)l : ib[l]; /* aos: lbuf holds no contiguous ids */
        synk_chunk_add(w, id / SYNK_CHUNK_IDS, dl[l]);
      }
    }
  }
  if (cur != UINT32_MAX) synk_chunk_add(w, cur, V_HSUM(cacc));
  uint64_t sum = V_HSUM(total);
  if (i < n)
    sum += aos ? synk_motion_apply_aos_scalar(w, m + i, n - i)
               : synk_motion_apply_scalar(w, ids + i, dx + i, dy + i, dz + i, n - i);
  return sum;
}

static uint64_t SYNK_TMPL(synk_motion_apply)(synk_world *w, const uint32_t *ids, const int32_t *dx,
                                             const int32_t *dy, const int32_t *dz, size_t n) {
  return T_motion_loop(w, 0, NULL, ids, dx, dy, dz, n);
}

static uint64_t SYNK_TMPL(synk_motion_apply_aos)(synk_world *w, const synk_motion *m, size_t n) {
  return T_motion_loop(w, 1, m, NULL, NULL, NULL, NULL, n);
}
