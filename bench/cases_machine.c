/* SPDX-License-Identifier: MIT */
/*
 * Cases that measure the machine, not synk: DRAM read bandwidth and the
 * latency of a dependent load that misses every cache. They set the floor
 * of the roofline section of the report (bench/harness.c): a case that must
 * move B bytes cannot run faster than B / bandwidth, and one that chains
 * misses pays the latency per miss. Flagged SYNK_BENCH_MACHINE: the smoke
 * test and the instruction-count gate leave them out (nothing of synk runs).
 *
 * DRAM: a 1 GiB buffer, beyond the last-level cache of any machine we run on
 * (a server part's shared L3 can exceed 256 MiB). LLC: a buffer of a quarter
 * of the last-level cache the C library reports (at most 64 MiB), which fits
 * there and not in L2; where no size is reported, or a quarter is not above
 * twice the L2, the LLC cases measure 32 MiB and say so in their parameter.
 * Setup (touching the pages, building the chase cycle) is untimed.
 */
#include "cases.h"

#include "rng.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__unix__)
#include <unistd.h>
#endif

size_t synk_bench_machine_cases(const synk_bench_case **out);

#define DRAM_BYTES ((size_t)1 << 30)
#define LINE 64u
#define CHASE_HOPS (1u << 18) /* dependent loads per run */

static volatile uint64_t machine_sink;

typedef struct mem_state {
  uint64_t *buf;
  size_t bytes;
  uint32_t at;     /* chase: the line the next run starts from */
} mem_state;

static void teardown_mem(void *p) {
  mem_state *s = (mem_state *)p;
  if (s) free(s->buf);
  free(s);
}

/* The LLC buffer's size: a quarter of the last-level cache, capped at 64 MiB
 * (32 MiB when the size is unknown or too close to the L2's). */
static size_t llc_bytes(void) {
  long l3 = -1, l2 = -1;
#if defined(_SC_LEVEL3_CACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
  l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  size_t q = l3 > 0 ? (size_t)l3 / 4 : 0;
  if (q > ((size_t)64 << 20)) q = (size_t)64 << 20;
  if (q == 0 || (l2 > 0 && q <= 2 * (size_t)l2)) q = (size_t)32 << 20;
  return q & ~(size_t)(LINE - 1);
}

static void *setup_bw(const synk_bench_case *c) {
  mem_state *s = (mem_state *)calloc(1, sizeof *s);
  if (s) s->bytes = *(const int *)c->arg ? llc_bytes() : DRAM_BYTES;
  if (!s || !(s->buf = (uint64_t *)malloc(s->bytes))) {
    teardown_mem(s);
    return NULL;
  }
  for (size_t i = 0; i < s->bytes / 8; i++) s->buf[i] = i;
  return s;
}

/* Bytes one run of a read case reads: the DRAM buffer once; the LLC buffer
 * as many times as this (ops must be fixed per case). */
#define LLC_READ_BYTES ((size_t)1 << 28)

/* Sum every word: 4 independent accumulators so the adds never limit. The
 * LLC buffer is read again and again up to LLC_READ_BYTES. */
static void run_bw(void *p) {
  const mem_state *s = (const mem_state *)p;
  const uint64_t *b = s->buf;
  uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  size_t total = s->bytes == DRAM_BYTES ? DRAM_BYTES : LLC_READ_BYTES;
  for (size_t done = 0; done < total; done += s->bytes) {
    const size_t words = total - done < s->bytes ? (total - done) / 8 : s->bytes / 8;
    for (size_t i = 0; i + 4 <= words; i += 4) {
      a0 += b[i];
      a1 += b[i + 1];
      a2 += b[i + 2];
      a3 += b[i + 3];
    }
  }
  machine_sink = a0 + a1 + a2 + a3;
}

/* One random cycle through every 64-byte line (Sattolo's shuffle): the first
 * word of each line holds the index of the next, so every load depends on
 * the one before and the prefetchers cannot guess it. */
static void *setup_chase(const synk_bench_case *c) {
  mem_state *s = (mem_state *)setup_bw(c);
  if (!s) return NULL;
  const uint32_t lines = (uint32_t)(s->bytes / LINE), stride = LINE / 8;
  uint32_t *perm = (uint32_t *)malloc((size_t)lines * sizeof *perm);
  if (!perm) {
    teardown_mem(s);
    return NULL;
  }
  for (uint32_t i = 0; i < lines; i++) perm[i] = i;
  synk_rng r;
  synk_rng_seed(&r, 0xC4A5E);
  for (uint32_t i = lines - 1; i > 0; i--) {
    uint32_t j = synk_rng_below(&r, i); /* j < i: one cycle through all */
    uint32_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  for (uint32_t i = 0; i < lines; i++) s->buf[(size_t)i * stride] = perm[i];
  free(perm);
  return s;
}

static void run_chase(void *p) {
  mem_state *s = (mem_state *)p;
  const uint64_t *b = s->buf;
  uint64_t at = s->at;
  for (uint32_t h = 0; h < CHASE_HOPS; h++) at = b[at * (LINE / 8)];
  s->at = (uint32_t)at;
  machine_sink = at;
}

#define MACH (SYNK_BENCH_PEER | SYNK_BENCH_HEAVY | SYNK_BENCH_MACHINE)
static const int dram = 0, llc = 1;
/* ops of the read cases are bytes: the LLC case's size is known at run time,
 * so its run reads the buffer as many times as make LLC_READ_BYTES */
static const synk_bench_case machine_cases[] = {
    {"machine/dram/read", "machine/dram", "1 GiB", (double)DRAM_BYTES, DRAM_BYTES, "byte", MACH, NULL, NULL, NULL,
     "DRAM read bandwidth: sum of every word of a 1 GiB buffer (ns/op per byte)", setup_bw, run_bw, teardown_mem,
     NULL, NULL, &dram},
    {"machine/dram/latency", "machine/dram", "1 GiB chase", (double)DRAM_BYTES, CHASE_HOPS, "load", MACH, NULL,
     NULL, NULL, "DRAM latency: dependent loads along one random cycle through the 64-byte lines of 1 GiB",
     setup_chase, run_chase, teardown_mem, NULL, NULL, &dram},
    {"machine/llc/read", "machine/llc", "LLC/4", (double)LLC_READ_BYTES, LLC_READ_BYTES, "byte", MACH, NULL, NULL,
     NULL, "last-level-cache read bandwidth: the sum over a buffer of a quarter of the LLC, repeated to 256 MiB",
     setup_bw, run_bw, teardown_mem, NULL, NULL, &llc},
    {"machine/llc/latency", "machine/llc", "LLC/4 chase", (double)LLC_READ_BYTES, CHASE_HOPS, "load", MACH, NULL,
     NULL, NULL, "last-level-cache latency: the dependent-load chase over a quarter of the LLC", setup_chase,
     run_chase, teardown_mem, NULL, NULL, &llc},
};

size_t synk_bench_machine_cases(const synk_bench_case **out) {
  if (out) *out = machine_cases;
  return sizeof machine_cases / sizeof machine_cases[0];
}
