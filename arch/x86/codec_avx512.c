/* SPDX-License-Identifier: MIT */
/*
 * AVX-512 sync-layer kernels (compiled with -mavx2 -mavx512f for this file
 * only). The diff compares 16 ids per zmm with mask-register results
 * (vpcmpeqd k), AND-ed in mask registers. Unpacking and run finishing keep
 * the 8-lane column layout of the format on ymm vectors (the layout is what
 * every backend decodes; a zmm would need two different shift counts per
 * register), so they are the AVX2 sequences with EVEX encodings available.
 * Written against SIMDe's prefixed names.
 */
#include "sync/sync_internal.h"

#include <simde/x86/avx512.h>

#include "arch/x86/codec_c8_avx2.h"

#define D simde__m512i
#define DW 16
/* vmovdqu32 zmm */
#define D_LOAD(p) simde_mm512_loadu_si512((const void *)(p))
#define DM simde__mmask16
/* vpcmpeqd k, zmm, zmm: bit l set where lane l is equal */
#define D_EQ(a, b) simde_mm512_cmpeq_epi32_mask(a, b)
/* kandw */
#define D_MAND(a, b) ((simde__mmask16)((a) & (b)))
#define D_BITS(m) ((uint32_t)(m))

#define SYNK_TMPL(name) name##_avx512
#include "arch/codec_tmpl.h"

void synk_codec_init_avx512(synk_codec_kernels *k) {
  k->unpack256 = synk_unpack256_avx512;
  k->run_finish = synk_run_finish_avx512;
  k->diff_words = synk_diff_words_avx512;
}
