/* SPDX-License-Identifier: MIT */
/*
 * AVX-512 kernels (compiled with -mavx2 -mbmi2 -mavx512f -mavx512dq for this
 * file only). Eight entities per zmm register, one per 64-bit lane. Written
 * against SIMDe's prefixed names: on x86-64 they lower to the native
 * instructions.
 *
 * Subsets used, and therefore required at run time (arch/dispatch.c):
 *   AVX512F   every zmm operation below;
 *   AVX512DQ  vpmovm2q (mask register -> lane mask) in V_MASK;
 *   AVX2      vpgatherdd ymm in V_GATHER32 (eight 32-bit indices fit one ymm);
 *   BMI2      inherited from the avx2 rung, which fills the table first.
 * AVX512BW (8/16-bit lanes) and AVX512VL (EVEX forms of xmm/ymm operations)
 * have nothing to offer kernels on 32/64-bit lanes; they are detected and
 * reported but neither used nor required, and this file is not compiled with
 * them (with -mavx512vl the compiler could pick EVEX-only ymm16..31 forms).
 */
#include "kernel/internal.h"

#include <simde/x86/avx512.h>

#define V simde__m512i
#define W 8
#define SYNK_TMPL(name) name##_avx512

/* all lanes 0 */
#define V_ZERO() simde_mm512_setzero_si512()
/* every 64-bit lane = u (vpbroadcastq) */
#define V_SET64(u) simde_mm512_set1_epi64((int64_t)(u))
/* Vector constants are loaded from tables: SIMDe 0.7.4's simde_mm512_setr_*
 * fills lanes one by one, which GCC 12 rebuilds with 8-16 masked broadcasts
 * on every use (5x slower hash_range, measured with the kernel timing loop). */
static const _Alignas(64) int64_t T_iota[8] = {0, 1, 2, 3, 4, 5, 6, 7};
/* dword l of the source to dword 2l (the odd dwords are zeroed by the mask) */
static const _Alignas(64) int32_t T_zext_idx[16] = {0, 0, 1, 0, 2, 0, 3, 0,
                                                     4, 0, 5, 0, 6, 0, 7, 0};
/* lane l = base + l */
#define V_IOTA(base) simde_mm512_add_epi64(V_SET64(base), simde_mm512_load_si512(T_iota))

/* Zero-extend eight u32 (in the low 256 bits) into eight u64 lanes: vpermd
 * with zero-masking moves dword l to dword 2l and clears the odd dwords
 * (SIMDe 0.7.4 has no simde_mm512_cvtepu32_epi64, i.e. vpmovzxdq zmm). */
static inline V T_zext32(simde__m256i v) {
  /* dword 2l = v[l], dword 2l+1 = 0 (mask 0x5555 keeps the even dwords) */
  return simde_mm512_maskz_permutexvar_epi32((simde__mmask16)0x5555, simde_mm512_load_si512(T_zext_idx),
                                             simde_mm512_castsi256_si512(v));
}
/* lane l = ((const uint32_t *)p)[l] */
#define V_LOAD32(p) T_zext32(simde_mm256_loadu_si256((const simde__m256i *)(const void *)(p)))
/* vpgatherdd ymm: lane l = base[idx[l]] (ids < 2^28, so the signed index is
 * safe), then zero-extend */
#define V_GATHER32(base, idx)                                                        \
  T_zext32(simde_mm256_i32gather_epi32((const int32_t *)(const void *)(base),        \
                                       simde_mm256_loadu_si256((const simde__m256i *)(const void *)(idx)), 4))
/* vpaddd: 32-bit lanes, wrapping */
#define V_ADD32(a, b) simde_mm512_add_epi32(a, b)
/* vpaddq / vpsubq: 64-bit lanes, wrapping */
#define V_ADD64(a, b) simde_mm512_add_epi64(a, b)
#define V_SUB64(a, b) simde_mm512_sub_epi64(a, b)
/* vpmuludq: (a & 0xffffffff) * (b & 0xffffffff) per 64-bit lane */
#define V_MUL32(a, b) simde_mm512_mul_epu32(a, b)
/* vpandq / vporq / vpxorq */
#define V_AND(a, b) simde_mm512_and_si512(a, b)
#define V_OR(a, b) simde_mm512_or_si512(a, b)
#define V_XOR(a, b) simde_mm512_xor_si512(a, b)
/* vpsllq / vpsrlq by an immediate */
#define V_SLL64(v, n) simde_mm512_slli_epi64(v, n)
#define V_SRL64(v, n) simde_mm512_srli_epi64(v, n)
/* vpmovm2q (AVX512DQ): lane l = all ones when bit l of the mask is set */
#define V_MASK(bits) simde_mm512_movm_epi64((simde__mmask8)(bits))
/* vpmovqd: low dword of each qword -> eight consecutive u32 */
#define V_STORE32(p, v) simde_mm256_storeu_si256((simde__m256i *)(void *)(p), simde_mm512_cvtepi64_epi32(v))
/* ((uint64_t *)p)[l] = lane l */
#define V_STORE64(p, v) simde_mm512_storeu_si512((void *)(p), v)
/* lane l = ((const uint64_t *)p)[l] */
#define V_LOAD64(p) simde_mm512_loadu_si512((const void *)(p))
/* lane l = ((const uint64_t *)base)[idx[l]]: two ymm vpgatherdq of four lanes
 * each (AVX2; SIMDe 0.7.4 has no zmm qword gather), joined by vinserti64x4 */
static inline V V_GATHER64(const void *base, const uint32_t *idx) {
  const int64_t *b = (const int64_t *)base;
  simde__m256i lo = simde_mm256_i32gather_epi64(b, simde_mm_loadu_si128((const simde__m128i *)(const void *)idx), 8);
  simde__m256i hi =
      simde_mm256_i32gather_epi64(b, simde_mm_loadu_si128((const simde__m128i *)(const void *)(idx + 4)), 8);
  return simde_mm512_inserti64x4(simde_mm512_castsi256_si512(lo), hi, 1);
}
/* sum of the eight lanes: fold 512 -> 256 -> 128 -> 64 */
static inline uint64_t V_HSUM(V v) {
  simde__m256i s4 = simde_mm256_add_epi64(simde_mm512_castsi512_si256(v), simde_mm512_extracti64x4_epi64(v, 1));
  simde__m128i s2 = simde_mm_add_epi64(simde_mm256_castsi256_si128(s4), simde_mm256_extracti128_si256(s4, 1));
  s2 = simde_mm_add_epi64(s2, simde_mm_unpackhi_epi64(s2, s2));
  return (uint64_t)simde_mm_cvtsi128_si64(s2);
}

/* Eight synk_motion records (128 bytes, two zmm) into id/dx/dy/dz lanes:
 * per column one vpermt2d with zero-masking takes word c of record l to
 * dword 2l and clears the odd dwords (6 instructions for 32 words). */
static const _Alignas(64) int32_t T_aos_idx[4][16] = {
    {0, 0, 4, 0, 8, 0, 12, 0, 16, 0, 20, 0, 24, 0, 28, 0},
    {1, 0, 5, 0, 9, 0, 13, 0, 17, 0, 21, 0, 25, 0, 29, 0},
    {2, 0, 6, 0, 10, 0, 14, 0, 18, 0, 22, 0, 26, 0, 30, 0},
    {3, 0, 7, 0, 11, 0, 15, 0, 19, 0, 23, 0, 27, 0, 31, 0}};
static inline void T_load_motions(const synk_motion *m, V *id, V *dx, V *dy, V *dz) {
  const simde__mmask16 even = (simde__mmask16)0x5555;
  V a = simde_mm512_loadu_si512((const void *)m), b = simde_mm512_loadu_si512((const void *)(m + 4));
  *id = simde_mm512_maskz_permutex2var_epi32(even, a, simde_mm512_load_si512(T_aos_idx[0]), b);
  *dx = simde_mm512_maskz_permutex2var_epi32(even, a, simde_mm512_load_si512(T_aos_idx[1]), b);
  *dy = simde_mm512_maskz_permutex2var_epi32(even, a, simde_mm512_load_si512(T_aos_idx[2]), b);
  *dz = simde_mm512_maskz_permutex2var_epi32(even, a, simde_mm512_load_si512(T_aos_idx[3]), b);
}
#define V_LOAD_MOTIONS(m, id, dx, dy, dz) T_load_motions(m, &(id), &(dx), &(dy), &(dz))

#include "arch/kernels_tmpl.h"

void synk_kernels_init_avx512(synk_kernels *k) {
  k->hash_range = synk_hash_range_avx512;
  k->hash_ids = synk_hash_ids_avx512;
  k->hash_fill = synk_hash_fill_avx512;
  k->motion_apply = synk_motion_apply_avx512;
  k->motion_apply_aos = synk_motion_apply_aos_avx512;
}
