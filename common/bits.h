/* SPDX-License-Identifier: MIT */
/*
 * Floor 0: bit mechanics over 32- and 64-bit words, for every layer of synk
 * (and its tools, benchmarks and tests). Header-only, no semantics, nothing
 * of the kernel: bit scans and counts (the compiler's builtins where they are
 * instructions, a portable fallback otherwise), single bits of u64 bitmaps,
 * and two's complement reinterpretation. C11 and C++. Defining
 * SYNK_BITS_PORTABLE selects the fallbacks everywhere (tests/common checks them).
 */
#ifndef SYNK_COMMON_BITS_H
#define SYNK_COMMON_BITS_H

#include <stdint.h>
#include <string.h>

/* Index of the lowest set bit of v; v must not be 0. */
static inline uint32_t synk_ctz64(uint64_t v) {
#if defined(__GNUC__) && !defined(SYNK_BITS_PORTABLE)
  return (uint32_t)__builtin_ctzll(v);
#else
  uint32_t n = 0;
  if (!(v & 0xFFFFFFFFu)) { n += 32; v >>= 32; }
  if (!(v & 0xFFFFu)) { n += 16; v >>= 16; }
  if (!(v & 0xFFu)) { n += 8; v >>= 8; }
  if (!(v & 0xFu)) { n += 4; v >>= 4; }
  if (!(v & 0x3u)) { n += 2; v >>= 2; }
  return n + (uint32_t)!(v & 1u);
#endif
}

/* Number of leading zero bits of v (bit 31 down); v must not be 0. */
static inline uint32_t synk_clz32(uint32_t v) {
#if defined(__GNUC__) && !defined(SYNK_BITS_PORTABLE)
  return (uint32_t)__builtin_clz(v);
#else
  uint32_t n = 0;
  if (!(v & 0xFFFF0000u)) { n += 16; v <<= 16; }
  if (!(v & 0xFF000000u)) { n += 8; v <<= 8; }
  if (!(v & 0xF0000000u)) { n += 4; v <<= 4; }
  if (!(v & 0xC0000000u)) { n += 2; v <<= 2; }
  return n + (uint32_t)!(v & 0x80000000u);
#endif
}

/* Number of leading zero bits of v (bit 63 down); v must not be 0. */
static inline uint32_t synk_clz64(uint64_t v) {
  return v >> 32 ? synk_clz32((uint32_t)(v >> 32)) : 32 + synk_clz32((uint32_t)v);
}

/* Bits needed to write v: 0 for 0, else 1 + the index of its highest set bit. */
static inline uint32_t synk_bitlen32(uint32_t v) { return v ? 32u - synk_clz32(v) : 0; }

/* Number of set bits of v: one instruction where the target has one (x86
 * with POPCNT, AArch64, wasm), else the SWAR count inline (the builtin would
 * be a library call there). */
static inline uint32_t synk_popcount64(uint64_t v) {
#if defined(__GNUC__) && !defined(SYNK_BITS_PORTABLE) && (defined(__POPCNT__) || defined(__aarch64__) || defined(__wasm__))
  return (uint32_t)__builtin_popcountll(v);
#else
  v = v - ((v >> 1) & UINT64_C(0x5555555555555555));
  v = (v & UINT64_C(0x3333333333333333)) + ((v >> 2) & UINT64_C(0x3333333333333333));
  v = (v + (v >> 4)) & UINT64_C(0x0F0F0F0F0F0F0F0F);
  return (uint32_t)((v * UINT64_C(0x0101010101010101)) >> 56);
#endif
}

/* Bit i of the bitmap `words` (bit i % 64 of words[i / 64]): 0 or 1. */
static inline int synk_bit_get(const uint64_t *words, uint32_t i) { return (int)((words[i >> 6] >> (i & 63)) & 1u); }

/* Set bit i of the bitmap `words`. */
static inline void synk_bit_set(uint64_t *words, uint32_t i) { words[i >> 6] |= UINT64_C(1) << (i & 63); }

/* Clear bit i of the bitmap `words`. */
static inline void synk_bit_clear(uint64_t *words, uint32_t i) { words[i >> 6] &= ~(UINT64_C(1) << (i & 63)); }

/* The int32 whose two's complement bit pattern is v (no implementation-defined conversion). */
static inline int32_t synk_i32_of(uint32_t v) {
  int32_t r;
  memcpy(&r, &v, sizeof r);
  return r;
}

/* The bit pattern of v as a uint32 (the conversion is defined: v mod 2^32). */
static inline uint32_t synk_u32_of(int32_t v) { return (uint32_t)v; }

#endif
