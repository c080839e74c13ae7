/* SPDX-License-Identifier: MIT */
/*
 * WebAssembly SIMD128 kernels (compiled with -msimd128 for this file only on
 * wasm32). Two entities per v128, one per 64-bit lane. Written against SIMDe's
 * prefixed names: on wasm32 they lower to the native SIMD128 opcodes; on any
 * other host the same file compiles to SIMDe's emulation, which
 * arch/dispatch.c marks emulated and never picks by itself.
 *
 * Lane layout as the WebAssembly spec defines it (little-endian): i32 lane 2l
 * is the low half of i64 lane l.
 */
#include "kernel/internal.h"

#include <simde/wasm/simd128.h>

#define V simde_v128_t
#define W 2
#define SYNK_TMPL(name) name##_wasm

/* all lanes 0 */
#define V_ZERO() simde_wasm_i64x2_splat(0)
/* i64x2.splat: every lane = u */
#define V_SET64(u) simde_wasm_i64x2_splat((int64_t)(uint64_t)(u))
/* lane l = base + l */
#define V_IOTA(base) simde_wasm_i64x2_add(V_SET64(base), simde_wasm_i64x2_make(0, 1))
/* v128.load32x2_u: two u32 from memory, zero-extended to 64-bit lanes */
#define V_LOAD32(p) simde_wasm_u64x2_load32x2((const void *)(p))
/* no gather in SIMD128: v128.load32_zero + v128.load32_lane of base[idx[l]],
 * then i64x2.extend_low_i32x4_u */
static inline V V_GATHER32(const void *base, const uint32_t *idx) {
  const uint32_t *b = (const uint32_t *)base;
  V v = simde_wasm_v128_load32_zero(b + idx[0]);
  v = simde_wasm_v128_load32_lane(b + idx[1], v, 1);
  return simde_wasm_u64x2_extend_low_u32x4(v);
}
/* i32x4.add: 32-bit lanes, wrapping (the zero upper halves stay zero) */
#define V_ADD32(a, b) simde_wasm_i32x4_add(a, b)
/* i64x2.add / i64x2.sub: 64-bit lanes, wrapping */
#define V_ADD64(a, b) simde_wasm_i64x2_add(a, b)
#define V_SUB64(a, b) simde_wasm_i64x2_sub(a, b)
/* i32x4.shuffle(0, 2): the low halves of both lanes into i32 lanes 0, 1 */
#define T_LOWS(v) simde_wasm_i32x4_shuffle(v, v, 0, 2, 0, 2)
/* i64x2.extmul_low_i32x4_u: (a & 0xffffffff) * (b & 0xffffffff) per lane */
#define V_MUL32(a, b) simde_wasm_u64x2_extmul_low_u32x4(T_LOWS(a), T_LOWS(b))
/* v128.and / v128.or / v128.xor */
#define V_AND(a, b) simde_wasm_v128_and(a, b)
#define V_OR(a, b) simde_wasm_v128_or(a, b)
#define V_XOR(a, b) simde_wasm_v128_xor(a, b)
/* i64x2.shl / i64x2.shr_u by a constant */
#define V_SLL64(v, n) simde_wasm_i64x2_shl(v, n)
#define V_SRL64(v, n) simde_wasm_u64x2_shr(v, n)
/* lane l = all ones when bit l of bits is set: (bits & (1<<l)) == (1<<l)
 * (i64x2.eq) */
static inline V V_MASK(uint32_t bits) {
  const V sel = simde_wasm_i64x2_make(1, 2);
  return simde_wasm_i64x2_eq(simde_wasm_v128_and(V_SET64(bits), sel), sel);
}
/* v128.store64_lane of the shuffled low halves: two consecutive u32 */
#define V_STORE32(p, v) simde_wasm_v128_store64_lane((void *)(p), T_LOWS(v), 0)
/* v128.store */
#define V_STORE64(p, v) simde_wasm_v128_store((void *)(p), v)
/* v128.load: lane l = ((const uint64_t *)p)[l] */
#define V_LOAD64(p) simde_wasm_v128_load((const void *)(p))
/* no gather: v128.load64_zero + v128.load64_lane of base[idx[l]] */
static inline V V_GATHER64(const void *base, const uint32_t *idx) {
  const uint64_t *b = (const uint64_t *)base;
  return simde_wasm_v128_load64_lane(b + idx[1], simde_wasm_v128_load64_zero(b + idx[0]), 1);
}
/* i64x2.extract_lane: sum of the two lanes */
#define V_HSUM(v) ((uint64_t)simde_wasm_i64x2_extract_lane(v, 0) + (uint64_t)simde_wasm_i64x2_extract_lane(v, 1))

/* Two synk_motion records into id/dx/dy/dz lanes: two i32x4 shuffles make
 * [id id dx dx] and [dy dy dz dz], the u32 -> u64 extends split them. */
static inline void T_load_motions(const synk_motion *m, V *id, V *dx, V *dy, V *dz) {
  V a = simde_wasm_v128_load((const void *)m), b = simde_wasm_v128_load((const void *)(m + 1));
  V p = simde_wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), q = simde_wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  *id = simde_wasm_u64x2_extend_low_u32x4(p);
  *dx = simde_wasm_u64x2_extend_high_u32x4(p);
  *dy = simde_wasm_u64x2_extend_low_u32x4(q);
  *dz = simde_wasm_u64x2_extend_high_u32x4(q);
}
#define V_LOAD_MOTIONS(m, id, dx, dy, dz) T_load_motions(m, &(id), &(dx), &(dy), &(dz))

#include "arch/kernels_tmpl.h"

void synk_kernels_init_wasm(synk_kernels *k) {
  k->hash_range = synk_hash_range_wasm;
  k->hash_ids = synk_hash_ids_wasm;
  k->hash_fill = synk_hash_fill_wasm;
  k->motion_apply = synk_motion_apply_wasm;
  k->motion_apply_aos = synk_motion_apply_aos_wasm;
}
