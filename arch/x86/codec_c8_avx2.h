/* SPDX-License-Identifier: MIT */
/*
 * The 8 x u32 column leaves of the sync-layer kernels on ymm registers,
 * shared by arch/x86/codec_avx2.c and arch/x86/codec_avx512.c (which keeps
 * the format's 8-lane column layout on ymm vectors). Include after
 * <simde/x86/avx2.h> (or avx512.h) in a file compiled with -mavx2.
 */
#ifndef SYNK_CODEC_C8_AVX2_H
#define SYNK_CODEC_C8_AVX2_H

#define C8 simde__m256i
/* vmovdqu: 8 u32 */
#define C8_LOAD(p) simde_mm256_loadu_si256((const simde__m256i *)(const void *)(p))
#define C8_STORE(p, v) simde_mm256_storeu_si256((simde__m256i *)(void *)(p), v)
/* vpbroadcastd */
#define C8_SET1(u) simde_mm256_set1_epi32((int32_t)(uint32_t)(u))
/* vpaddd / vpsubd / vpand / vpor / vpxor */
#define C8_ADD(a, b) simde_mm256_add_epi32(a, b)
#define C8_SUB(a, b) simde_mm256_sub_epi32(a, b)
#define C8_AND(a, b) simde_mm256_and_si256(a, b)
#define C8_OR(a, b) simde_mm256_or_si256(a, b)
#define C8_XOR(a, b) simde_mm256_xor_si256(a, b)
/* vpsrld / vpslld by a count (an immediate once the width is a constant) */
#define C8_SRL(v, n) simde_mm256_srl_epi32(v, simde_mm_cvtsi32_si128((int)(n)))
#define C8_SLL(v, n) simde_mm256_sll_epi32(v, simde_mm_cvtsi32_si128((int)(n)))
/* inclusive prefix sum of 8 lanes: within each 128-bit half by two byte
 * shifts (vpslldq), then the low half's total (lane 3, vperm2i128 + vpshufd)
 * added to the high half */
static inline C8 C8_PSUM(C8 x) {
  x = simde_mm256_add_epi32(x, simde_mm256_slli_si256(x, 4));
  x = simde_mm256_add_epi32(x, simde_mm256_slli_si256(x, 8));
  C8 lo = simde_mm256_permute2x128_si256(x, x, 0x08); /* [0 | low half] */
  return simde_mm256_add_epi32(x, simde_mm256_shuffle_epi32(lo, 0xFF));
}
/* vpermd: every lane = lane 7 */
#define C8_BCAST7(v) simde_mm256_permutevar8x32_epi32(v, simde_mm256_set1_epi32(7))

#endif
