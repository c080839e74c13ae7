/* SPDX-License-Identifier: MIT */
/*
 * AVX2 sync-layer kernels (compiled with -mavx2 for this file only): column
 * unpacking and run finishing on 8 x u32 ymm vectors, the diff 8 ids per
 * compare. Written against SIMDe's prefixed names: on x86-64 they lower to
 * the native instructions.
 */
#include "sync/sync_internal.h"

#include <simde/x86/avx2.h>

#include "arch/x86/codec_c8_avx2.h"

#define D simde__m256i
#define DW 8
#define D_LOAD(p) simde_mm256_loadu_si256((const simde__m256i *)(const void *)(p))
#define DM simde__m256i
/* vpcmpeqd: all ones where equal */
#define D_EQ(a, b) simde_mm256_cmpeq_epi32(a, b)
#define D_MAND(a, b) simde_mm256_and_si256(a, b)
/* vmovmskps: the sign bit of each lane */
#define D_BITS(m) ((uint32_t)simde_mm256_movemask_ps(simde_mm256_castsi256_ps(m)))

#define SYNK_TMPL(name) name##_avx2
#include "arch/codec_tmpl.h"

/* SSE4.2 crc32 (the instruction computes CRC-32C without the inversions):
 * 8 bytes per instruction. One dependency chain: stream segments are short
 * (a few KB per tick), below where interleaved chains and their combining
 * step pay off. */
static uint32_t synk_crc32c_avx2(uint32_t crc, const uint8_t *p, size_t n) {
  uint64_t c = ~crc;
  for (; n >= 8; n -= 8, p += 8) c = simde_mm_crc32_u64(c, synk_load_le64(p));
  uint32_t c32 = (uint32_t)c;
  for (; n; n--) c32 = simde_mm_crc32_u8(c32, *p++);
  return ~c32;
}

void synk_codec_init_avx2(synk_codec_kernels *k) {
  k->unpack256 = synk_unpack256_avx2;
  k->run_finish = synk_run_finish_avx2;
  k->diff_words = synk_diff_words_avx2;
  k->crc32c = synk_crc32c_avx2;
}
