/* SPDX-License-Identifier: MIT */
/*
 * Cases that measure the machine, not synk: DRAM read bandwidth and the
 * latency of a dependent load that misses every cache. They set the floor
 * of the Roofline section of the report (written below): a case that must
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__unix__)
#include <unistd.h>
#endif

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

/* ---- the Roofline section ------------------------------------------------------------ */

/* What a case must move per run (its compulsory traffic, in bytes) and the
 * memory it touches (its working set), by a model stated in `model`; the
 * report sets them against the machine cases (machine/dram, machine/llc)
 * measured in the same run. Entity state is x, y, z, kind + 4 bytes a prop;
 * a random access moves a whole 64-byte line, read and written back. */
typedef struct roof_row {
  const char *case_name, *isa, *model;
  double bytes;        /* per run */
  double working_set;  /* bytes */
  double random_lines; /* lines reached by dependent-free random accesses (0: streaming only) */
} roof_row;

static const roof_row roofline[] = {
    {"hash/rehash/1e6/p0", "avx2", "read 1e6 x 16 B of state + the alive bitmap", 16.125e6, 16.125e6, 0},
    {"hash/rehash/1e6/p4", "avx2", "read 1e6 x 32 B of state + the alive bitmap", 32.125e6, 32.125e6, 0},
    {"motion/batch/rand-1e6", "avx2",
     "read 1e6 motions (16 MB); 1e6 random accumulator lines read + written (128 MB); stream the dense state "
     "(16 MB read, 12 MB written) and the 632k coalesced motions (20 MB)",
     192.2e6, 64e6, 1e6},
    {"motion/batch/rand-1e5", "avx2", "the rand-1e6 model at a tenth: 1.6 + 12.8 + 2.8 + 2.0 MB", 19.2e6, 6.4e6,
     1e5},
    {"motion/batch/crowd-1e5", "avx2",
     "10k motions in clustered runs (160 KB) through the runs path: merged into 160 KB of columns (written, then "
     "read), state of 10k entities with 4 props read (320 KB) and positions written (120 KB)",
     0.92e6, 0.8e6, 0},
    {"snapshot/save/1e5", "-", "read 1e5 x 32 B of state + bitmap (3.2 MB), write the 3.2 MB snapshot", 6.4e6,
     6.4e6, 0},
};

static long cache_size(int level) {
#if defined(_SC_LEVEL3_CACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
  return sysconf(level == 3 ? _SC_LEVEL3_CACHE_SIZE : _SC_LEVEL2_CACHE_SIZE);
#else
  (void)level;
  return -1;
#endif
}

/* The machine as measured in this run, and how the roofline is read. */
static void write_roofline_intro(FILE *f, const synk_bench_result *dr, const synk_bench_result *dl,
                                 const synk_bench_result *lr, const synk_bench_result *ll, long l2, long l3) {
  char l2s[32] = "unknown", l3s[32] = "unknown";
  if (l2 > 0) snprintf(l2s, sizeof l2s, "%.1f MiB", (double)l2 / 1048576.0);
  if (l3 > 0) snprintf(l3s, sizeof l3s, "%.0f MiB", (double)l3 / 1048576.0);
  fprintf(f,
          "This machine, measured in this run (one thread): DRAM read %.1f GB/s and %.0f ns per dependent miss "
          "(`machine/dram/*`, 1 GiB); last-level cache read %.1f GB/s and %.0f ns (`machine/llc/*`, a quarter of "
          "the LLC). Caches as the C library reports them: L2 %s, L3 %s. Latencies are of 4 KiB pages, TLB "
          "misses included, as malloc gives worlds their memory here.\n\n",
          1.0 / dr->ns_op, dl->ns_op, 1.0 / lr->ns_op, ll->ns_op, l2s, l3s);
  fprintf(f,
          "Each case's compulsory traffic by the model in its row, at the bandwidth of the level its working set "
          "fits in (L2-resident cases are held to the LLC's bandwidth, a floor they can beat), against its "
          "measured time; `of bound` is bound / measured (100%% = at the limit). For random accesses, `serial "
          "misses` is what the random lines would cost one miss at a time at that level's latency; bound / "
          "measured there says how many misses the code keeps in flight.\n\n");
}

static void write_roofline(FILE *f, const synk_bench_results *rs) {
  const synk_bench_result *dr = synk_bench_measured(rs, "machine/dram/read", "-");
  const synk_bench_result *dl = synk_bench_measured(rs, "machine/dram/latency", "-");
  const synk_bench_result *lr = synk_bench_measured(rs, "machine/llc/read", "-");
  const synk_bench_result *ll = synk_bench_measured(rs, "machine/llc/latency", "-");
  if (!dr || !dl || !lr || !ll) {
    fprintf(f, "Not measured in this run (the machine/* cases did not run).\n");
    return;
  }
  const long l2 = cache_size(2), l3 = cache_size(3);
  write_roofline_intro(f, dr, dl, lr, ll, l2, l3);
  fprintf(f, "| case | isa | working set | level | model | bandwidth bound | serial misses | measured | of bound | "
             "misses in flight |\n|:--|:--|--:|:--|:--|--:|--:|--:|--:|--:|\n");
  for (size_t i = 0; i < sizeof roofline / sizeof roofline[0]; i++) {
    const roof_row *q = &roofline[i];
    const synk_bench_result *r = synk_bench_measured(rs, q->case_name, q->isa);
    if (!r) continue;
    const int in_llc = l3 > 0 && q->working_set <= (double)l3;
    const int in_l2 = l2 > 0 && q->working_set <= (double)l2;
    const double ns_byte = in_llc ? lr->ns_op : dr->ns_op, lat = in_llc ? ll->ns_op : dl->ns_op;
    const double bound = q->bytes * ns_byte, serial = q->random_lines * lat;
    char ws[32], b[32], sm[32] = "-", meas[32], mif[32] = "-";
    snprintf(ws, sizeof ws, "%.1f MB", q->working_set / 1e6);
    synk_bench_fmt_time(b, sizeof b, bound);
    synk_bench_fmt_time(meas, sizeof meas, r->ns_run);
    if (serial > 0) {
      synk_bench_fmt_time(sm, sizeof sm, serial);
      snprintf(mif, sizeof mif, "%.1f", serial / r->ns_run);
    }
    fprintf(f, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %.0f%% | %s |\n", q->case_name, q->isa, ws,
            in_l2 ? "L2" : in_llc ? "LLC" : "DRAM", q->model, b, sm, meas, 100.0 * bound / r->ns_run, mif);
  }
}

static const synk_bench_section machine_sections[] = {{"Roofline", 20, write_roofline}};

const synk_bench_file synk_bench_file_machine = {
    .cases = machine_cases, .ncases = sizeof machine_cases / sizeof machine_cases[0],
    .sections = machine_sections, .nsections = sizeof machine_sections / sizeof machine_sections[0]};
