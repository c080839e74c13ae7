/* SPDX-License-Identifier: MIT */
/*
 * The best-known peer (ALICE-Sync, Rust): its figures and the report's "The
 * best-known peer" section, which sets synk's cases of this run beside them.
 * No case of its own: the peer cannot be built here (its crates are not in
 * Debian), so it is not run by this suite. Its figures come from two
 * sources, each labelled as what it is:
 *  - measured side by side: ALICE-Sync 0.6.0 (commit 3bb79ca), built offline
 *    with its dependencies and run on an AMD EPYC (family 26) 2 vCPU VM
 *    on 2026-12-01 in three rounds interleaved with synk_bench in one window;
 *    the peer's API driven on synk's exact bench inputs, setup outside the
 *    timed region, its fastest path per workload; criterion medians vs
 *    synk_bench medians (AVX2). Only ratios from that run are claimed.
 *  - published: the peer's README (Apple M1), for orientation only.
 */
#include "cases.h"

#include <stdio.h>

enum { PU_RUN, PU_OP, PU_BYTES };

typedef struct peer_row {
  const char *what, *case_name, *isa;
  int unit;              /* PU_RUN: ns per run; PU_OP: ns per op; PU_BYTES: bytes per motion */
  const char *peer_path; /* the peer's fastest path for the workload */
  double peer, synk;     /* the side-by-side run: the peer and synk (same run) */
  const char *peer_text; /* the peer's figure as text, where it is not one number */
} peer_row;

static const peer_row side_by_side[] = {
    {"rehash 10k, no props", "hash/rehash/1e4/p0", "avx2", PU_RUN, "World (AoS) full recalc", 98900, 10300, NULL},
    {"1000 motions / 100 entities, (i*7+13)%100", "motion/batch/peer-7x13", "avx2", PU_RUN, "AoS batch", 12900,
     1890, NULL},
    {"1000 motions / 100 entities, i%100", "motion/batch/peer-mod100", "avx2", PU_RUN, "AoS batch", 12900, 1900,
     NULL},
    {"1000 motions on one entity", "motion/batch/peer-one", "avx2", PU_RUN, "SoA sorted+coalesced", 3390, 581, NULL},
    {"one motion each on 1024 contiguous ids", "motion/batch/peer-contig1024", "avx2", PU_RUN, "AoS batch", 13500,
     5590, NULL},
    {"10k distinct ids, random order, 10k world", "motion/batch/peer-perm1e4", "avx2", PU_RUN, "AoS batch", 250000,
     51200, NULL},
    {"1e4 random motions, 1e4 world", "motion/batch/rand-1e4", "avx2", PU_RUN, "AoS batch", 223000, 44900, NULL},
    {"1e6 random motions, 1e6 world", "motion/batch/rand-1e6", "avx2", PU_RUN, "SoA sorted+coalesced", 60.8e6,
     13.1e6, NULL},
    {"single motion, 10k world", "motion/single/1e4", "avx2", PU_OP, "World (AoS) apply", 26.2, 9.29, NULL},
    {"motion bytes, crowd tick (10k motions)", "codec/encode/crowd-1e5", "-", PU_BYTES,
     "bitcode of the motion list / its compact stream", 5.2, 1.09, "5.2 / 12.1 B"},
};
#define NSIDE (sizeof side_by_side / sizeof side_by_side[0])

typedef struct published_row {
  const char *what, *case_name, *isa;
  int unit;
  double value;
  const char *synk_note; /* appended to synk's figure, where the cases differ in kind */
} published_row;

static const published_row published[] = {
    {"rehash of 10k entities", "hash/rehash/1e4/p0", "avx2", PU_RUN, 46500, NULL},
    {"1000 motions over 100 entities, sorted + coalesced", "motion/batch/peer-7x13", "avx2", PU_RUN, 17300, NULL},
    {"1000 motions over 100 entities, without sorting/coalescing", "motion/batch/peer-7x13", "avx2", PU_RUN, 22300, NULL},
    {"same entity x1000, with coalescing", "motion/batch/peer-one", "avx2", PU_RUN, 6500, NULL},
    {"single motion event apply", "motion/single/1e4", "avx2", PU_OP, 30, NULL},
    {"one motion event on the wire (bitcode)", "codec/encode/crowd-1e5", "-", PU_BYTES, 18,
     " per motion in a crowd tick's run; a lone motion record is 5-7 B (docs/wire-format.md)"},
};

/* synk's figure for a peer row's case in this run (< 0 when not measured). */
static double synk_now(const synk_bench_results *rs, const char *case_name, const char *isa, int unit) {
  if (unit == PU_BYTES) return synk_bench_sync_crowd_bytes_per_motion();
  const synk_bench_result *r = synk_bench_measured(rs, case_name, isa);
  if (!r) return -1;
  return unit == PU_RUN ? r->ns_run : r->ns_op;
}

static void fmt_value(char *out, size_t cap, double v, int unit) {
  if (v < 0) snprintf(out, cap, "-");
  else if (unit == PU_BYTES) snprintf(out, cap, "%.2f B", v);
  else synk_bench_fmt_time(out, cap, v);
}

/* Said plainly: the range of synk's lead in time, and where it is under the
 * 10x synk aims for. */
static void write_lead(FILE *f) {
  double lo = 0, hi = 0;
  size_t under = 0, n = 0;
  for (size_t i = 0; i < NSIDE; i++) {
    const peer_row *p = &side_by_side[i];
    if (p->unit == PU_BYTES) continue;
    double x = p->peer / p->synk;
    lo = n == 0 || x < lo ? x : lo;
    hi = n == 0 || x > hi ? x : hi;
    n++;
    under += x < 10.0;
  }
  fprintf(f, "\nIn time, synk leads on all %zu workloads by %.1fx to %.1fx; the lead is **under the 10x synk aims "
             "for on %zu of them**.\n", n, lo, hi, under);
}

static void write_side_by_side(FILE *f, const synk_bench_results *rs) {
  fprintf(f,
          "### Measured side by side\n\n"
          "ALICE-Sync 0.6.0 (commit 3bb79ca), built offline with its dependencies and run on an AMD EPYC "
          "(family 26) 2 vCPU VM, the machine of `perf-reports/amd-epyc-f26m2/`, on 2026-12-01, three rounds "
          "interleaved with `synk_bench` in one window: the peer's API driven on synk's exact bench inputs with "
          "setup outside the timed region, its fastest path per workload; criterion medians vs synk_bench "
          "medians (AVX2). The ratio is from that run only. The last column is synk in this run, on this "
          "report's machine, for orientation (another run, possibly another machine: not a ratio). The peer is "
          "not built by this suite (its crates are not Debian packages).\n\n");
  fprintf(f, "| workload | synk case | peer's fastest path | peer | synk (same run) | ratio | synk (this run) |\n"
             "|:--|:--|:--|--:|--:|--:|--:|\n");
  for (size_t i = 0; i < NSIDE; i++) {
    const peer_row *p = &side_by_side[i];
    char peer[48], then[48], now[48], ratio[48];
    if (p->peer_text) snprintf(peer, sizeof peer, "%s", p->peer_text);
    else fmt_value(peer, sizeof peer, p->peer, p->unit);
    fmt_value(then, sizeof then, p->synk, p->unit);
    fmt_value(now, sizeof now, synk_now(rs, p->case_name, p->isa, p->unit), p->unit);
    if (p->unit == PU_BYTES && p->peer_text) snprintf(ratio, sizeof ratio, "%.1fx / %.0fx", p->peer / p->synk, 12.1 / p->synk);
    else snprintf(ratio, sizeof ratio, "%.1fx", p->peer / p->synk);
    fprintf(f, "| %s | `%s` | %s | %s | %s | %s | %s |\n", p->what, p->case_name, p->peer_path, peer, then, ratio,
            now);
  }
  write_lead(f);
}

static void write_published(FILE *f, const synk_bench_results *rs) {
  fprintf(f, "\n### Published by the peer\n\n"
             "The peer's own README, on its own hardware (Apple M1); not measured here, quoted for orientation "
             "only (different hardware: no ratio is claimed).\n\n");
  fprintf(f, "| workload (the peer's words) | peer (published, M1) | synk case | synk (this run) |\n"
             "|:--|--:|:--|--:|\n");
  for (size_t i = 0; i < sizeof published / sizeof published[0]; i++) {
    const published_row *p = &published[i];
    char pub[48], now[48];
    fmt_value(pub, sizeof pub, p->value, p->unit);
    fmt_value(now, sizeof now, synk_now(rs, p->case_name, p->isa, p->unit), p->unit);
    fprintf(f, "| %s | %s | `%s` (%s) | %s%s |\n", p->what, pub, p->case_name, p->isa, now,
            p->synk_note ? p->synk_note : "");
  }
}

static void write_best_peer(FILE *f, const synk_bench_results *rs) {
  write_side_by_side(f, rs);
  write_published(f, rs);
}

static const synk_bench_section best_peer_sections[] = {{"The best-known peer", 10, write_best_peer}};

const synk_bench_file synk_bench_file_best_peer = {
    .sections = best_peer_sections, .nsections = sizeof best_peer_sections / sizeof best_peer_sections[0]};
