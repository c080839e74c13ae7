/* SPDX-License-Identifier: MIT */
/* Minimal test support: checks that count failures and say where, and a
 * fixed PRNG so every random test is replayable from its printed seed. */
#ifndef SYNK_TEST_UTIL_H
#define SYNK_TEST_UTIL_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures = 0;
static int t_checks = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    t_checks++;                                                                \
    if (!(cond)) {                                                             \
      t_failures++;                                                            \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_EQ_U64(a, b)                                                              \
  do {                                                                                  \
    uint64_t ta_ = (uint64_t)(a), tb_ = (uint64_t)(b);                                  \
    t_checks++;                                                                         \
    if (ta_ != tb_) {                                                                   \
      t_failures++;                                                                     \
      fprintf(stderr, "%s:%d: %s == %s failed: 0x%016" PRIx64 " != 0x%016" PRIx64 "\n", \
              __FILE__, __LINE__, #a, #b, ta_, tb_);                                    \
    }                                                                                   \
  } while (0)

#define CHECK_ST(expr, want)                                                       \
  do {                                                                             \
    synk_status ts_ = (expr);                                                      \
    t_checks++;                                                                    \
    if (ts_ != (want)) {                                                           \
      t_failures++;                                                                \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, \
              #expr, synk_status_str(ts_), synk_status_str(want));                 \
    }                                                                              \
  } while (0)

/* Print the summary line ctest logs and return the exit status. */
static inline int t_done(const char *name) {
  printf("%s: %d checks, %d passed, %d failed\n", name, t_checks, t_checks - t_failures, t_failures);
  return t_failures ? 1 : 0;
}

/* xoshiro256** seeded through splitmix64: fixed, portable, replayable. */
typedef struct t_rng { uint64_t s[4]; } t_rng;
static inline uint64_t t_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static inline void t_seed(t_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) {
    uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    r->s[i] = z ^ (z >> 31);
  }
}
static inline uint64_t t_next(t_rng *r) {
  uint64_t *s = r->s, res = t_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = t_rotl(s[3], 45);
  return res;
}
/* uniform in [0, n) for n > 0 (Lemire's multiply; tiny bias is irrelevant here) */
static inline uint32_t t_below(t_rng *r, uint32_t n) {
  return (uint32_t)(((t_next(r) >> 32) * (uint64_t)n) >> 32);
}
static inline int32_t t_i32(t_rng *r) {
  uint32_t u = (uint32_t)t_next(r);
  int32_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}

/* Seed from argv[1] ("--seed=N" or "N"), else from `fallback`; printed. */
static inline uint64_t t_seed_arg(int argc, char **argv, uint64_t fallback) {
  uint64_t seed = fallback;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--seed=", 7) == 0) a += 7;
    if (*a >= '0' && *a <= '9') seed = strtoull(a, NULL, 0);
  }
  printf("seed: %" PRIu64 " (replay with --seed=%" PRIu64 ")\n", seed, seed);
  return seed;
}

#endif
