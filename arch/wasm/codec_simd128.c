/* SPDX-License-Identifier: MIT */
/*
 * WebAssembly SIMD128 sync-layer kernels. The 8-lane column vector is a pair
 * of v128; the diff compares 4 ids per v128. Written against SIMDe's prefixed
 * names: native on wasm32 (-msimd128 for this file only), SIMDe's emulation
 * elsewhere (marked emulated by arch/dispatch.c, never chosen
 * automatically).
 */
#include "sync/sync_internal.h"

#include <simde/wasm/simd128.h>

typedef struct {
  simde_v128_t lo, hi;
} synk_c8_wasm;
#define C8 synk_c8_wasm

/* v128.load x2 (no alignment assumed) */
static inline C8 C8_LOAD(const void *p) {
  const uint8_t *b = (const uint8_t *)p;
  C8 r = {simde_wasm_v128_load(b), simde_wasm_v128_load(b + 16)};
  return r;
}
/* v128.store x2 */
static inline void C8_STORE(uint32_t *p, C8 v) {
  simde_wasm_v128_store(p, v.lo);
  simde_wasm_v128_store(p + 4, v.hi);
}
/* i32x4.splat */
static inline C8 C8_SET1(uint32_t u) {
  C8 r = {simde_wasm_i32x4_splat((int32_t)u), simde_wasm_i32x4_splat((int32_t)u)};
  return r;
}
#define T_W2(name, op)                         \
  static inline C8 name(C8 a, C8 b) {          \
    C8 r = {op(a.lo, b.lo), op(a.hi, b.hi)};   \
    return r;                                  \
  }
T_W2(C8_ADD, simde_wasm_i32x4_add) /* i32x4.add */
T_W2(C8_SUB, simde_wasm_i32x4_sub) /* i32x4.sub */
T_W2(C8_AND, simde_wasm_v128_and)  /* v128.and */
T_W2(C8_OR, simde_wasm_v128_or)    /* v128.or */
T_W2(C8_XOR, simde_wasm_v128_xor)  /* v128.xor */
#undef T_W2
/* i32x4.shr_u / i32x4.shl by a scalar count */
static inline C8 C8_SRL(C8 v, uint32_t n) {
  C8 r = {simde_wasm_u32x4_shr(v.lo, n), simde_wasm_u32x4_shr(v.hi, n)};
  return r;
}
static inline C8 C8_SLL(C8 v, uint32_t n) {
  C8 r = {simde_wasm_i32x4_shl(v.lo, n), simde_wasm_i32x4_shl(v.hi, n)};
  return r;
}
/* prefix sum of a v128: + [0, v0, v1, v2] + [0, 0, s0, s1] (i32x4.shuffle with zero) */
static inline simde_v128_t T_psum4(simde_v128_t x) {
  const simde_v128_t z = simde_wasm_i32x4_splat(0);
  x = simde_wasm_i32x4_add(x, simde_wasm_i32x4_shuffle(z, x, 0, 4, 5, 6));
  return simde_wasm_i32x4_add(x, simde_wasm_i32x4_shuffle(z, x, 0, 1, 4, 5));
}
static inline C8 C8_PSUM(C8 v) {
  C8 r;
  r.lo = T_psum4(v.lo);
  r.hi = simde_wasm_i32x4_add(T_psum4(v.hi), simde_wasm_i32x4_shuffle(r.lo, r.lo, 3, 3, 3, 3));
  return r;
}
static inline C8 C8_BCAST7(C8 v) {
  simde_v128_t t = simde_wasm_i32x4_shuffle(v.hi, v.hi, 3, 3, 3, 3);
  C8 r = {t, t};
  return r;
}

#define D simde_v128_t
#define DW 4
#define D_LOAD(p) simde_wasm_v128_load((const void *)(p))
#define DM simde_v128_t
/* i32x4.eq */
#define D_EQ(a, b) simde_wasm_i32x4_eq(a, b)
#define D_MAND(a, b) simde_wasm_v128_and(a, b)
/* i32x4.bitmask: the sign bit of each lane */
#define D_BITS(m) ((uint32_t)simde_wasm_i32x4_bitmask(m))

#define SYNK_TMPL(name) name##_wasm
#if !defined(__wasm__) || defined(SYNK_SIMDE_NO_NATIVE)
#  define SYNK_TMPL_EMULATED 1 /* SIMDe's emulation: a correctness check (arch/dispatch.c) */
#endif
#include "arch/codec_tmpl.h"

void synk_codec_init_wasm(synk_codec_kernels *k) {
  k->unpack256 = synk_unpack256_wasm;
  k->run_finish = synk_run_finish_wasm;
  k->diff_words = synk_diff_words_wasm;
}
