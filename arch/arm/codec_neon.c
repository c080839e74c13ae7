/* SPDX-License-Identifier: MIT */
/*
 * NEON sync-layer kernels. The 8-lane column vector is a pair of q
 * registers; the diff compares 4 ids per q register. Written against SIMDe's
 * prefixed names: native on AArch64, SIMDe's emulation elsewhere (marked
 * emulated by arch/dispatch.c, never chosen automatically).
 */
#include "sync/sync_internal.h"

#include <simde/arm/neon.h>

typedef struct {
  simde_uint32x4_t lo, hi;
} synk_c8_neon;
#define C8 synk_c8_neon

/* ld1 {v.16b} x2, reinterpreted as u32 lanes (byte loads: no alignment assumed) */
static inline C8 C8_LOAD(const void *p) {
  const uint8_t *b = (const uint8_t *)p;
  C8 r = {simde_vreinterpretq_u32_u8(simde_vld1q_u8(b)), simde_vreinterpretq_u32_u8(simde_vld1q_u8(b + 16))};
  return r;
}
/* st1 {v.4s} x2 */
static inline void C8_STORE(uint32_t *p, C8 v) {
  simde_vst1q_u32(p, v.lo);
  simde_vst1q_u32(p + 4, v.hi);
}
/* dup */
static inline C8 C8_SET1(uint32_t u) {
  C8 r = {simde_vdupq_n_u32(u), simde_vdupq_n_u32(u)};
  return r;
}
#define T_NEON2(name, op)                      \
  static inline C8 name(C8 a, C8 b) {          \
    C8 r = {op(a.lo, b.lo), op(a.hi, b.hi)};   \
    return r;                                  \
  }
T_NEON2(C8_ADD, simde_vaddq_u32) /* add v.4s */
T_NEON2(C8_SUB, simde_vsubq_u32) /* sub v.4s */
T_NEON2(C8_AND, simde_vandq_u32) /* and */
T_NEON2(C8_OR, simde_vorrq_u32)  /* orr */
T_NEON2(C8_XOR, simde_veorq_u32) /* eor */
#undef T_NEON2
/* ushl by -n: logical right shift by n */
static inline C8 C8_SRL(C8 v, uint32_t n) {
  simde_int32x4_t c = simde_vdupq_n_s32(-(int32_t)n);
  C8 r = {simde_vshlq_u32(v.lo, c), simde_vshlq_u32(v.hi, c)};
  return r;
}
/* ushl by n: left shift */
static inline C8 C8_SLL(C8 v, uint32_t n) {
  simde_int32x4_t c = simde_vdupq_n_s32((int32_t)n);
  C8 r = {simde_vshlq_u32(v.lo, c), simde_vshlq_u32(v.hi, c)};
  return r;
}
/* prefix sum of a q register: + [0, v0, v1, v2] + [0, 0, s0, s1] (ext with zero) */
static inline simde_uint32x4_t T_psum4(simde_uint32x4_t x) {
  const simde_uint32x4_t z = simde_vdupq_n_u32(0);
  x = simde_vaddq_u32(x, simde_vextq_u32(z, x, 3));
  return simde_vaddq_u32(x, simde_vextq_u32(z, x, 2));
}
/* then the low register's total (dup lane 3) added to the high one */
static inline C8 C8_PSUM(C8 v) {
  C8 r;
  r.lo = T_psum4(v.lo);
  r.hi = simde_vaddq_u32(T_psum4(v.hi), simde_vdupq_laneq_u32(r.lo, 3));
  return r;
}
/* dup v.4s, v.s[3] of the high register */
static inline C8 C8_BCAST7(C8 v) {
  simde_uint32x4_t t = simde_vdupq_laneq_u32(v.hi, 3);
  C8 r = {t, t};
  return r;
}

#define D simde_uint32x4_t
#define DW 4
#define D_LOAD(p) simde_vld1q_u32((const uint32_t *)(const void *)(p))
#define DM simde_uint32x4_t
/* cmeq: all ones where equal */
#define D_EQ(a, b) simde_vceqq_u32(a, b)
#define D_MAND(a, b) simde_vandq_u32(a, b)
/* lane l contributes 1 << l: and with {1,2,4,8}, addv */
static inline uint32_t D_BITS(DM m) {
  static const uint32_t w[4] = {1, 2, 4, 8};
  return simde_vaddvq_u32(simde_vandq_u32(m, simde_vld1q_u32(w)));
}

#define SYNK_TMPL(name) name##_neon
#if !defined(__aarch64__) || defined(SYNK_SIMDE_NO_NATIVE)
#  define SYNK_TMPL_EMULATED 1 /* SIMDe's emulation: a correctness check (arch/dispatch.c) */
#endif
#include "arch/codec_tmpl.h"

#if defined(__aarch64__) && defined(__GNUC__) && !defined(SYNK_SIMDE_NO_NATIVE)
/* The CRC32 instructions (crc32cx: 8 bytes per instruction) are optional in
 * ARMv8.0 and mandatory from v8.1: compiled for this function only and used
 * when the CPU reports them (HWCAP_CRC32, arch/dispatch.c). Otherwise the
 * scalar slice-by-8 stays in the table. (Clang's arm_acle.h declares the
 * intrinsics only when the whole file targets +crc: use its builtins.) */
#  if defined(__clang__)
#    define CRC_TARGET __attribute__((target("crc")))
#    define CRC32CD(c, v) __builtin_arm_crc32cd(c, v)
#    define CRC32CB(c, v) __builtin_arm_crc32cb(c, v)
#  else
#    include <arm_acle.h>
#    define CRC_TARGET __attribute__((target("+crc")))
#    define CRC32CD(c, v) __crc32cd(c, v)
#    define CRC32CB(c, v) __crc32cb(c, v)
#  endif
CRC_TARGET static uint32_t synk_crc32c_neon(uint32_t crc, const uint8_t *p, size_t n) {
  crc = ~crc;
  for (; n >= 8; n -= 8, p += 8) crc = CRC32CD(crc, synk_load_le64(p));
  for (; n; n--) crc = CRC32CB(crc, *p++);
  return ~crc;
}
#  define SYNK_NEON_CRC 1
#endif

void synk_codec_init_neon(synk_codec_kernels *k) {
#if defined(SYNK_NEON_CRC)
  if (synk_cpu_detect() & SYNK_CPU_CRC32) k->crc32c = synk_crc32c_neon;
#endif
  k->unpack256 = synk_unpack256_neon;
  k->run_finish = synk_run_finish_neon;
  k->diff_words = synk_diff_words_neon;
}
