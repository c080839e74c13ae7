/* SPDX-License-Identifier: MIT */
/*
 * Floor 0: 64-bit mixers for every layer of synk (and its tools, benchmarks
 * and tests). Header-only: splitmix64 (Steele, Lea and Flood's generator,
 * the one Java's SplittableRandom uses) and its finalizer. Not keyed, not a
 * PRF: what a peer must not predict needs a keyed hash. C11 and C++.
 */
#ifndef SYNK_COMMON_MIX_H
#define SYNK_COMMON_MIX_H

#include <stdint.h>

/* splitmix64's increment, the golden ratio scaled to 2^64 (odd). */
#define SYNK_SPLITMIX64_GAMMA UINT64_C(0x9E3779B97F4A7C15)

/* splitmix64's finalizer: a bijection of 64-bit words with full avalanche. */
static inline uint64_t synk_mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* One splitmix64 step: advances *state by the gamma and returns the mixed value. */
static inline uint64_t synk_splitmix64(uint64_t *state) { return synk_mix64(*state += SYNK_SPLITMIX64_GAMMA); }

#endif
