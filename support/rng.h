/* SPDX-License-Identifier: MIT */
/*
 * The seeded PRNG of tools/, bench/ and tests/: fixed and portable, so every
 * generated input (worlds, motion batches, scenarios, network faults) is the
 * same on every machine, compiler and run. Never the library's randomness
 * (libsynk draws none: its hash keys come from synk_config.seed).
 * Header-only.
 *
 * Two streams over one mixer:
 *   synk_rng       xoshiro256** (four words) seeded through splitmix64: the
 *                  general generator (the benchmarks, `synk sim`, the golden
 *                  scenarios, the tests);
 *   synk_splitmix  splitmix64 over one 64-bit state: the stream of `synk gen`
 *                  and of the message-channel simulator (msgnet.h).
 * Both map a draw to a range the same way (synk_rng_scale: a multiply-shift
 * of the draw's high half; the bias is far below anything measured here).
 * The two streams are kept because outputs are pinned on each of them (the
 * golden hashes and bench digests on the first; the `synk gen` stream pins
 * and the fuzz seed corpus on the second): each draws exactly what the code
 * it replaced drew.
 *
 * Draw each value in its own statement or declarator: C leaves the order in
 * which a call's arguments are evaluated unspecified (gcc and clang differ).
 */
#ifndef SYNK_SUPPORT_RNG_H
#define SYNK_SUPPORT_RNG_H

#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- mapping one 64-bit draw ------------------------------------------------ */

/* Uniform in [0, n) for 1 <= n <= 2^32 (0 for n == 0). */
static inline uint64_t synk_rng_scale(uint64_t draw, uint64_t n) { return ((draw >> 32) * n) >> 32; }

/* Uniform int32 in [lo, hi] (hi - lo < 2^32 - 1). */
static inline int32_t synk_rng_scale_range(uint64_t draw, int32_t lo, int32_t hi) {
  uint32_t span = (uint32_t)((int64_t)hi - (int64_t)lo + 1);
  return (int32_t)((int64_t)lo + (int64_t)synk_rng_scale(draw, span));
}

/* The int32 with the bit pattern of v (portable: no implementation-defined cast). */
static inline int32_t synk_rng_as_i32(uint32_t v) {
  int32_t out;
  memcpy(&out, &v, sizeof out);
  return out;
}

/* ---- splitmix64 ---------------------------------------------------------------- */

/* The next output of the splitmix64 stream whose state is *state. */
static inline uint64_t synk_splitmix_next(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

typedef struct synk_splitmix {
  uint64_t s; /* the state; any value (the seed) */
} synk_splitmix;

/* Uniform in [0, n) for n > 0. */
static inline uint32_t synk_splitmix_below(synk_splitmix *r, uint32_t n) {
  return (uint32_t)synk_rng_scale(synk_splitmix_next(&r->s), n);
}

/* Uniform int32 in [lo, hi] (hi - lo < 2^32 - 1). */
static inline int32_t synk_splitmix_range(synk_splitmix *r, int32_t lo, int32_t hi) {
  return synk_rng_scale_range(synk_splitmix_next(&r->s), lo, hi);
}

/* ---- xoshiro256** ------------------------------------------------------------------ */

typedef struct synk_rng {
  uint64_t s[4];
} synk_rng;

/* The four words are the first four splitmix64 outputs from `seed`. */
static inline void synk_rng_seed(synk_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = synk_splitmix_next(&seed);
}

static inline uint64_t synk_rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t synk_rng_next(synk_rng *r) {
  uint64_t *s = r->s;
  uint64_t res = synk_rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = synk_rng_rotl(s[3], 45);
  return res;
}

/* Uniform in [0, n) for n > 0. */
static inline uint32_t synk_rng_below(synk_rng *r, uint32_t n) { return (uint32_t)synk_rng_scale(synk_rng_next(r), n); }

/* Uniform int32 in [lo, hi] (hi - lo < 2^32 - 1). */
static inline int32_t synk_rng_range(synk_rng *r, int32_t lo, int32_t hi) {
  return synk_rng_scale_range(synk_rng_next(r), lo, hi);
}

/* Any int32 bit pattern: the draw's low half. */
static inline int32_t synk_rng_i32(synk_rng *r) { return synk_rng_as_i32((uint32_t)synk_rng_next(r)); }

#ifdef __cplusplus
}
#endif

#endif
