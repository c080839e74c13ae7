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

#include "rng.h"

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

/* The tests' PRNG is the one of support/rng.h (xoshiro256** seeded through
 * splitmix64: fixed, portable, replayable) under the tests' t_ prefix. */
typedef synk_rng t_rng;
#define t_seed synk_rng_seed
#define t_next synk_rng_next
#define t_below synk_rng_below
#define t_i32 synk_rng_i32

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
