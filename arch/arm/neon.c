/* SPDX-License-Identifier: MIT */
/*
 * NEON (AArch64 Advanced SIMD) kernels. Two entities per q register, one per
 * 64-bit lane. Written against SIMDe's prefixed names: on aarch64 they lower
 * to the native instructions (no extra compiler flags: Advanced SIMD is part
 * of the AArch64 base); on any other host the same file compiles to SIMDe's
 * emulation, which arch/dispatch.c marks emulated and never picks by itself.
 *
 * Every lane operation here is defined lane by lane (narrow, widen, 32-bit add
 * on a reinterpreted vector), so the result does not depend on how the host
 * lays the lanes out in memory.
 */
#include "kernel/internal.h"

#include <simde/arm/neon.h>

#define V simde_uint64x2_t
#define W 2
#define SYNK_TMPL(name) name##_neon

/* all lanes 0 (movi) */
#define V_ZERO() simde_vdupq_n_u64(0)
/* every lane = u (dup) */
#define V_SET64(u) simde_vdupq_n_u64((uint64_t)(u))
/* lane l = base + l */
static inline V V_IOTA(uint32_t base) {
  static const uint64_t lanes[2] = {0, 1};
  return simde_vaddq_u64(V_SET64(base), simde_vld1q_u64(lanes));
}
/* ld1 {v.2s} + uxtl: two u32 from memory, zero-extended to 64-bit lanes */
#define V_LOAD32(p) simde_vmovl_u32(simde_vld1_u32((const uint32_t *)(const void *)(p)))
/* no gather in NEON: two single-lane loads (ld1 {v.s}[l]) of base[idx[l]],
 * then uxtl */
static inline V V_GATHER32(const void *base, const uint32_t *idx) {
  const uint32_t *b = (const uint32_t *)base;
  simde_uint32x2_t v = simde_vdup_n_u32(0);
  v = simde_vld1_lane_u32(b + idx[0], v, 0);
  v = simde_vld1_lane_u32(b + idx[1], v, 1);
  return simde_vmovl_u32(v);
}
/* add v.4s: 32-bit lanes, wrapping (the zero upper halves stay zero) */
#define V_ADD32(a, b) \
  simde_vreinterpretq_u64_u32(simde_vaddq_u32(simde_vreinterpretq_u32_u64(a), simde_vreinterpretq_u32_u64(b)))
/* add / sub v.2d: 64-bit lanes, wrapping */
#define V_ADD64(a, b) simde_vaddq_u64(a, b)
#define V_SUB64(a, b) simde_vsubq_u64(a, b)
/* xtn + umull: (a & 0xffffffff) * (b & 0xffffffff) per 64-bit lane */
#define V_MUL32(a, b) simde_vmull_u32(simde_vmovn_u64(a), simde_vmovn_u64(b))
/* and / orr / eor */
#define V_AND(a, b) simde_vandq_u64(a, b)
#define V_OR(a, b) simde_vorrq_u64(a, b)
#define V_XOR(a, b) simde_veorq_u64(a, b)
/* shl / ushr v.2d by an immediate */
#define V_SLL64(v, n) simde_vshlq_n_u64(v, n)
#define V_SRL64(v, n) simde_vshrq_n_u64(v, n)
/* cmtst: lane l = all ones when (bits & (1 << l)) != 0 */
static inline V V_MASK(uint32_t bits) {
  static const uint64_t sel[2] = {1, 2};
  return simde_vtstq_u64(V_SET64(bits), simde_vld1q_u64(sel));
}
/* xtn + st1 {v.2s}: low 32 bits of each lane -> two consecutive u32 */
#define V_STORE32(p, v) simde_vst1_u32((uint32_t *)(void *)(p), simde_vmovn_u64(v))
/* st1 {v.2d} */
#define V_STORE64(p, v) simde_vst1q_u64((uint64_t *)(void *)(p), v)
/* ld1 {v.2d}: lane l = ((const uint64_t *)p)[l] */
#define V_LOAD64(p) simde_vld1q_u64((const uint64_t *)(const void *)(p))
/* no gather: two single-lane loads (ld1 {v.d}[l]) of base[idx[l]] */
static inline V V_GATHER64(const void *base, const uint32_t *idx) {
  const uint64_t *b = (const uint64_t *)base;
  V v = simde_vdupq_n_u64(0);
  v = simde_vld1q_lane_u64(b + idx[0], v, 0);
  return simde_vld1q_lane_u64(b + idx[1], v, 1);
}
/* addp d: sum of the two lanes */
#define V_HSUM(v) ((uint64_t)simde_vaddvq_u64(v))

/* Two synk_motion records into id/dx/dy/dz lanes: vld4 deinterleaves the
 * eight words, vmovl widens each pair. */
static inline void T_load_motions(const synk_motion *m, V *id, V *dx, V *dy, V *dz) {
  simde_uint32x2x4_t r = simde_vld4_u32((const uint32_t *)(const void *)m);
  *id = simde_vmovl_u32(r.val[0]);
  *dx = simde_vmovl_u32(r.val[1]);
  *dy = simde_vmovl_u32(r.val[2]);
  *dz = simde_vmovl_u32(r.val[3]);
}
#define V_LOAD_MOTIONS(m, id, dx, dy, dz) T_load_motions(m, &(id), &(dx), &(dy), &(dz))

#include "arch/kernels_tmpl.h"

void synk_kernels_init_neon(synk_kernels *k) {
  k->hash_range = synk_hash_range_neon;
  k->hash_ids = synk_hash_ids_neon;
  k->hash_fill = synk_hash_fill_neon;
  k->motion_apply = synk_motion_apply_neon;
  k->motion_apply_aos = synk_motion_apply_aos_neon;
}
