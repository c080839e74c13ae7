/* SPDX-License-Identifier: MIT */
/*
 * The sync-layer kernels (column unpacking, motion-run finishing, world diff),
 * written once. An arch file defines the leaf operations below and includes
 * this file; full vectors are handled here, tails by the scalar references in
 * sync/codec_kernels.c (the specification).
 *
 * The column layout has 8 lanes (docs/wire-format.md): vector k of a block
 * holds values 8k..8k+7, so an 8 x u32 vector type C8 is the unit of
 * unpacking and prefix sums. ISAs with 4-lane registers (NEON, WASM) make C8
 * a pair of registers. The diff kernel uses the ISA's own width D (DW lanes).
 *
 * Leaves the includer must define:
 *   C8                         8 x u32 (lane l = value l)
 *   C8_LOAD(p), C8_STORE(p, v) 32 bytes, unaligned, little-endian lanes
 *   C8_SET1(u)                 every lane = u
 *   C8_ADD, C8_SUB, C8_AND, C8_OR, C8_XOR   lanewise (mod 2^32)
 *   C8_SRL(v, n), C8_SLL(v, n) lanewise shifts, 0 <= n <= 31
 *   C8_PSUM(v)                 inclusive prefix sum: lane l = v0 + ... + vl
 *   C8_BCAST7(v)               every lane = lane 7
 *   D, DW                      diff vector of DW x u32 (DW divides 64)
 *   D_LOAD(p)                  DW u32 from p
 *   DM, D_EQ(a, b)             lane mask of a == b
 *   D_MAND(m1, m2)             both masks
 *   D_BITS(m)                  bit l = lane l of the mask (uint32_t)
 *   SYNK_TMPL(name)            name with the ISA suffix
 * The SIMD paths assume a little-endian host (every SIMD target synk builds
 * is); big-endian hosts build the scalar reference only.
 */
#include "sync/sync_internal.h"

/* Full unrolling gives each width's copy constant shift counts (the point of
 * the per-width copies below). An includer that is only a correctness check --
 * SIMDe's emulation of another ISA's instructions, never timed (README.md,
 * "Backends") -- defines SYNK_TMPL_EMULATED and keeps the loops rolled: the same
 * operations in the same order, so the same results; unrolled, its 62 copies
 * of 32 emulated steps made one function that gcc 12.2 -O2 -g with ASan+UBSan
 * (the asan preset) compiled in 435 s and 3.7 GB (codec_neon.c; -O1 66 s,
 * -O3 14 s: the dataflow passes grow faster than the function), rolled in 21 s
 * and 0.35 GB. The unrolled form is what the native targets compile: aarch64
 * and wasm32, tested under qemu and Node.js by the cross presets. */
#if defined(SYNK_TMPL_EMULATED)
#  define T_UNROLL
#elif defined(__clang__)
#  define T_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#  define T_UNROLL _Pragma("GCC unroll 32")
#else
#  define T_UNROLL
#endif

/* One full block at a width known at compile time (1..31): 32 vectors, each
 * one or two loads, shifts, or, and. */
/* zigzag decode: (z >> 1) ^ -(z & 1) */
SYNK_INLINE C8 T_unzigzag(C8 z, C8 one, C8 zero) { return C8_XOR(C8_SRL(z, 1), C8_SUB(zero, C8_AND(z, one))); }

SYNK_INLINE C8 T_unpack_b(const uint8_t *src, uint32_t *out, const uint32_t b, const int zz) {
  const C8 mask = C8_SET1((1u << b) - 1), one = C8_SET1(1), zero = C8_SET1(0);
  C8 any = C8_SET1(0);
  T_UNROLL
  for (uint32_t k = 0; k < 32; k++) {
    const uint32_t bit = k * b, j = bit >> 5, s = bit & 31;
    C8 v = C8_SRL(C8_LOAD(src + 32 * j), s);
    if (s + b > 32) v = C8_OR(v, C8_SLL(C8_LOAD(src + 32 * (j + 1)), 32 - s));
    v = C8_AND(v, mask);
    any = C8_OR(any, v);
    C8_STORE(out + 8 * k, zz ? T_unzigzag(v, one, zero) : v);
  }
  return any;
}

/* OR of the 8 lanes */
SYNK_INLINE uint32_t T_or8(C8 v) {
  uint32_t t[8];
  C8_STORE(t, v);
  return t[0] | t[1] | t[2] | t[3] | t[4] | t[5] | t[6] | t[7];
}

static uint32_t SYNK_TMPL(synk_unpack256)(const uint8_t *src, uint32_t b, int zz, uint32_t *out) {
  C8 any = C8_SET1(0);
  const C8 one = C8_SET1(1), zero = C8_SET1(0);
  /* one copy per width and zigzag flag: every shift count is a constant */
  switch (b * 2 + (zz != 0)) {
#define T_W(n)                                 \
  case 2 * n:                                  \
    any = T_unpack_b(src, out, n, 0);          \
    break;                                     \
  case 2 * n + 1:                              \
    any = T_unpack_b(src, out, n, 1);          \
    break;
    T_W(1) T_W(2) T_W(3) T_W(4) T_W(5) T_W(6) T_W(7) T_W(8) T_W(9) T_W(10) T_W(11) T_W(12) T_W(13) T_W(14)
    T_W(15) T_W(16) T_W(17) T_W(18) T_W(19) T_W(20) T_W(21) T_W(22) T_W(23) T_W(24) T_W(25) T_W(26) T_W(27)
    T_W(28) T_W(29) T_W(30) T_W(31)
#undef T_W
    case 64:
    case 65:
      for (uint32_t k = 0; k < 32; k++) {
        C8 v = C8_LOAD(src + 32 * k);
        C8_STORE(out + 8 * k, zz ? T_unzigzag(v, one, zero) : v);
        any = C8_OR(any, v);
      }
      break;
    default: /* 0 */
      for (uint32_t k = 0; k < 32; k++) C8_STORE(out + 8 * k, C8_SET1(0));
      return 0;
  }
  return T_or8(any);
}

static void SYNK_TMPL(synk_run_finish)(uint32_t *ids, size_t n, uint32_t base) {
  const C8 one = C8_SET1(1);
  C8 carry = C8_SET1(base - 1);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) { /* carry + prefix sum of (gap + 1) */
    C8 x = C8_PSUM(C8_ADD(C8_LOAD(ids + i), one));
    C8_STORE(ids + i, C8_ADD(x, carry));
    carry = C8_ADD(carry, C8_BCAST7(x)); /* one add on the loop-carried path */
  }
  if (i < n) synk_run_finish_scalar(ids + i, n - i, i ? ids[i - 1] + 1 : base);
}

static void SYNK_TMPL(synk_diff_words)(const synk_world *a, const synk_world *b, uint32_t w0, uint32_t nw,
                                       uint64_t *out) {
  const uint32_t np = a->num_props;
  for (uint32_t i = 0; i < nw; i++) {
    const uint32_t wi = w0 + i, first = wi * 64;
    if (first + 64 > a->cap) { /* the last, partial word: scalar */
      synk_diff_words_scalar(a, b, wi, 1, out + i);
      continue;
    }
    uint64_t eq = 0;
    for (uint32_t l = 0; l < 64; l += DW) {
      const uint32_t id = first + l;
      DM m = D_EQ(D_LOAD(a->kind + id), D_LOAD(b->kind + id));
      m = D_MAND(m, D_EQ(D_LOAD(a->x + id), D_LOAD(b->x + id)));
      m = D_MAND(m, D_EQ(D_LOAD(a->y + id), D_LOAD(b->y + id)));
      m = D_MAND(m, D_EQ(D_LOAD(a->z + id), D_LOAD(b->z + id)));
      for (uint32_t q = 0; q < np; q++) m = D_MAND(m, D_EQ(D_LOAD(a->props[q] + id), D_LOAD(b->props[q] + id)));
      eq |= (uint64_t)D_BITS(m) << l;
    }
    out[i] = (a->alive[wi] ^ b->alive[wi]) | ~eq;
  }
}

#undef T_UNROLL
