/* SPDX-License-Identifier: MIT */
/*
 * x86 CPU feature detection: CPUID for what the processor implements, XGETBV
 * for what the operating system saves on context switch (a feature is usable
 * only when both agree). Compiled without any ISA flags.
 */
#include "kernel/internal.h"

#include <cpuid.h>

static uint64_t xgetbv0(void) {
  uint32_t eax, edx;
  /* XGETBV with ECX=0 reads XCR0, the OS-enabled state components */
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
}

uint32_t synk_cpu_detect(void) {
  unsigned a, b, c, d;
  uint32_t f = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  if (d & (1u << 26)) f |= SYNK_CPU_SSE2;   /* CPUID.1:EDX[26] SSE2 */
  if (c & (1u << 19)) f |= SYNK_CPU_SSE41;  /* CPUID.1:ECX[19] SSE4.1 */
  if (c & (1u << 20)) f |= SYNK_CPU_SSE42;  /* CPUID.1:ECX[20] SSE4.2 (crc32) */
  int osxsave = (c >> 27) & 1;              /* CPUID.1:ECX[27] OSXSAVE: XGETBV usable */
  int avx = (c >> 28) & 1;                  /* CPUID.1:ECX[28] AVX */
  uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  int ymm_os = (xcr0 & 0x6) == 0x6;         /* XCR0[1] SSE state, XCR0[2] AVX (upper ymm) state */
  int zmm_os = (xcr0 & 0xE6) == 0xE6;       /* plus XCR0[5..7]: opmask, ZMM_Hi256, Hi16_ZMM */
  if (avx && ymm_os) f |= SYNK_CPU_AVX;
  if (__get_cpuid_max(0, NULL) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    if ((f & SYNK_CPU_AVX) && (b & (1u << 5))) f |= SYNK_CPU_AVX2; /* CPUID.7.0:EBX[5] AVX2 */
    if (b & (1u << 8)) f |= SYNK_CPU_BMI2;                        /* CPUID.7.0:EBX[8] BMI2 */
    if (ymm_os && zmm_os) {
      if (b & (1u << 16)) f |= SYNK_CPU_AVX512F;  /* CPUID.7.0:EBX[16] AVX512F */
      if (b & (1u << 17)) f |= SYNK_CPU_AVX512DQ; /* CPUID.7.0:EBX[17] AVX512DQ */
      if (b & (1u << 30)) f |= SYNK_CPU_AVX512BW; /* CPUID.7.0:EBX[30] AVX512BW */
      if (b & (1u << 31)) f |= SYNK_CPU_AVX512VL; /* CPUID.7.0:EBX[31] AVX512VL */
    }
  }
  return f;
}
