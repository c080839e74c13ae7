/* SPDX-License-Identifier: MIT */
/*
 * AVX2 kernels (compiled with -mavx2 -mbmi2 for this file only). Four
 * entities per ymm register, one per 64-bit lane. Written against SIMDe's
 * prefixed names: on x86-64 they lower to the native instructions.
 */
#include "kernel/internal.h"

#include <simde/x86/avx2.h>

#define V simde__m256i
#define W 4
#define SYNK_TMPL(name) name##_avx2

/* all lanes 0 */
#define V_ZERO() simde_mm256_setzero_si256()
/* every 64-bit lane = u */
#define V_SET64(u) simde_mm256_set1_epi64x((int64_t)(u))
/* lane l = base + l */
#define V_IOTA(base) simde_mm256_add_epi64(V_SET64(base), simde_mm256_setr_epi64x(0, 1, 2, 3))
/* vpmovzxdq: four u32 from memory, zero-extended to 64-bit lanes */
#define V_LOAD32(p) simde_mm256_cvtepu32_epi64(simde_mm_loadu_si128((const simde__m128i *)(const void *)(p)))
/* vpgatherdd: lane l = base[idx[l]] (ids < 2^28, so the signed index is safe), then zero-extend */
#define V_GATHER32(base, idx)                                                                   \
  simde_mm256_cvtepu32_epi64(simde_mm_i32gather_epi32(                                        \
      (const int32_t *)(const void *)(base), simde_mm_loadu_si128((const simde__m128i *)(const void *)(idx)), 4))
/* vpaddd: 32-bit lanes, wrapping */
#define V_ADD32(a, b) simde_mm256_add_epi32(a, b)
/* vpaddq / vpsubq: 64-bit lanes, wrapping */
#define V_ADD64(a, b) simde_mm256_add_epi64(a, b)
#define V_SUB64(a, b) simde_mm256_sub_epi64(a, b)
/* vpmuludq: (a & 0xffffffff) * (b & 0xffffffff) per 64-bit lane */
#define V_MUL32(a, b) simde_mm256_mul_epu32(a, b)
#define V_AND(a, b) simde_mm256_and_si256(a, b)
#define V_OR(a, b) simde_mm256_or_si256(a, b)
#define V_XOR(a, b) simde_mm256_xor_si256(a, b)
/* vpsllq / vpsrlq by an immediate */
#define V_SLL64(v, n) simde_mm256_slli_epi64(v, n)
#define V_SRL64(v, n) simde_mm256_srli_epi64(v, n)

/* lane l = all ones when bit l of bits is set: (bits & (1<<l)) == (1<<l) */
static inline V V_MASK(uint32_t bits) {
  const V sel = simde_mm256_setr_epi64x(1, 2, 4, 8);
  return simde_mm256_cmpeq_epi64(simde_mm256_and_si256(V_SET64(bits), sel), sel);
}
/* low dword of each qword -> 4 consecutive u32: vpermd picks dwords 0,2,4,6 */
static inline void V_STORE32(void *p, V v) {
  V packed = simde_mm256_permutevar8x32_epi32(v, simde_mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
  simde_mm_storeu_si128((simde__m128i *)p, simde_mm256_castsi256_si128(packed));
}
#define V_STORE64(p, v) simde_mm256_storeu_si256((simde__m256i *)(void *)(p), v)
/* lane l = ((const uint64_t *)p)[l] */
#define V_LOAD64(p) simde_mm256_loadu_si256((const simde__m256i *)(const void *)(p))
/* vpgatherdq: lane l = ((const uint64_t *)base)[idx[l]] (four u32 indices, ids < 2^28) */
#define V_GATHER64(base, idx)                                                                   \
  simde_mm256_i32gather_epi64((const int64_t *)(const void *)(base),                            \
                              simde_mm_loadu_si128((const simde__m128i *)(const void *)(idx)), 8)
/* sum of the four lanes: fold high 128 onto low, then the two qwords */
static inline uint64_t V_HSUM(V v) {
  simde__m128i s = simde_mm_add_epi64(simde_mm256_castsi256_si128(v), simde_mm256_extracti128_si256(v, 1));
  s = simde_mm_add_epi64(s, simde_mm_unpackhi_epi64(s, s));
  return (uint64_t)simde_mm_cvtsi128_si64(s);
}

/* Four synk_motion records (64 bytes) into id/dx/dy/dz lanes: vpermd turns
 * each pair of records into [id id dx dx dy dy dz dz], vpunpck{l,h}qdq joins
 * the two pairs per column ([id x4 | dy x4], [dx x4 | dz x4]) and vpmovzxdq
 * widens each half: 12 instructions for 16 words. */
static inline void T_load_motions(const synk_motion *m, V *id, V *dx, V *dy, V *dz) {
  const V perm = simde_mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  V a = simde_mm256_permutevar8x32_epi32(simde_mm256_loadu_si256((const simde__m256i *)(const void *)m), perm);
  V b = simde_mm256_permutevar8x32_epi32(simde_mm256_loadu_si256((const simde__m256i *)(const void *)(m + 2)), perm);
  V lo = simde_mm256_unpacklo_epi64(a, b), hi = simde_mm256_unpackhi_epi64(a, b);
  *id = simde_mm256_cvtepu32_epi64(simde_mm256_castsi256_si128(lo));
  *dy = simde_mm256_cvtepu32_epi64(simde_mm256_extracti128_si256(lo, 1));
  *dx = simde_mm256_cvtepu32_epi64(simde_mm256_castsi256_si128(hi));
  *dz = simde_mm256_cvtepu32_epi64(simde_mm256_extracti128_si256(hi, 1));
}
#define V_LOAD_MOTIONS(m, id, dx, dy, dz) T_load_motions(m, &(id), &(dx), &(dy), &(dz))

#include "arch/kernels_tmpl.h"

void synk_kernels_init_avx2(synk_kernels *k) {
  k->hash_range = synk_hash_range_avx2;
  k->hash_ids = synk_hash_ids_avx2;
  k->hash_fill = synk_hash_fill_avx2;
  k->motion_apply = synk_motion_apply_avx2;
  k->motion_apply_aos = synk_motion_apply_aos_avx2;
}
