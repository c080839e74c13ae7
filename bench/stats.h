/* SPDX-License-Identifier: MIT */
/*
 * The statistics of a measurement (bench/stats.c): the median of the epochs,
 * their spread as nanobench measures it, and a result from them.
 */
#ifndef SYNK_BENCH_STATS_H
#define SYNK_BENCH_STATS_H

#include "cases.h"

/* Timed epochs per case, at most. */
#define BENCH_MAX_EPOCHS 64

/* err% at or above this marks a result unstable (:warning:). */
#define BENCH_UNSTABLE_ERR_PCT 5.0

/* The median of v[0..n) (n >= 1); sorts v. */
double bench_median(double *v, int n);

/* err%: the median over the epochs of |epoch - median| / epoch, in percent
 * (MdAPE). v is left as it is. */
double bench_mdape(const double *v, int n, double median);

/* The per-operation figures of n epochs (ns, thread CPU ns, instructions,
 * cycles: each n values; ins[0] == 0 when there are no counters) summarized
 * into r: medians, err%, the range, ns per run of `ops` operations. The
 * arrays are sorted in place. */
void bench_summarize(synk_bench_result *r, double *ns, double *cpu, double *ins, double *cyc, int n, uint64_t ops);

#endif
