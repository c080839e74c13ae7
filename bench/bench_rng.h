/* SPDX-License-Identifier: MIT */
/*
 * The benchmark suite's own PRNG: xoshiro256** seeded through splitmix64.
 * Fixed and portable, so every generated input (worlds, motion batches,
 * scenarios) is identical on every machine and every run. Header-only; also
 * used by tools/cmd_sim.c.
 */
#ifndef SYNK_BENCH_RNG_H
#define SYNK_BENCH_RNG_H

#include <stdint.h>
#include <string.h>

typedef struct synk_bench_rng {
  uint64_t s[4];
} synk_bench_rng;

static inline uint64_t synk_bench_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline void synk_bench_seed(synk_bench_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) {
    uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    r->s[i] = z ^ (z >> 31);
  }
}

static inline uint64_t synk_bench_next(synk_bench_rng *r) {
  uint64_t *s = r->s;
  uint64_t res = synk_bench_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = synk_bench_rotl(s[3], 45);
  return res;
}

/* Uniform in [0, n) for n > 0 (multiply-shift; the bias is far below noise). */
static inline uint32_t synk_bench_below(synk_bench_rng *r, uint32_t n) {
  return (uint32_t)(((synk_bench_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform int32 in [lo, hi] (hi - lo < 2^32 - 1). */
static inline int32_t synk_bench_range(synk_bench_rng *r, int32_t lo, int32_t hi) {
  uint32_t span = (uint32_t)((int64_t)hi - (int64_t)lo + 1);
  int64_t v = (int64_t)lo + (int64_t)synk_bench_below(r, span);
  return (int32_t)v;
}

/* Any int32 bit pattern. */
static inline int32_t synk_bench_i32(synk_bench_rng *r) {
  uint32_t u = (uint32_t)synk_bench_next(r);
  int32_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}

#endif
