/* SPDX-License-Identifier: MIT */
/*
 * Statistics of a case's epochs: the median ns/op reported, err% (the median
 * absolute percentage error of the epochs around the median, nanobench's
 * measure of spread), the fastest and slowest epoch, and the medians of the
 * thread CPU time and hardware counters beside them.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double bench_median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double bench_mdape(const double *v, int n, double median) {
  double dev[BENCH_MAX_EPOCHS];
  if (n > BENCH_MAX_EPOCHS) n = BENCH_MAX_EPOCHS;
  for (int e = 0; e < n; e++) dev[e] = v[e] > 0 ? fabs(v[e] - median) / v[e] : 0;
  return 100.0 * bench_median(dev, n);
}

void bench_summarize(synk_bench_result *r, double *ns, double *cpu, double *ins, double *cyc, int n, uint64_t ops) {
  double mn = ns[0], mx = ns[0];
  for (int e = 0; e < n; e++) {
    mn = ns[e] < mn ? ns[e] : mn;
    mx = ns[e] > mx ? ns[e] : mx;
  }
  const int counted = ins[0] > 0;
  const double med = bench_median(ns, n);
  r->err_pct = bench_mdape(ns, n, med);
  r->ns_op = med;
  r->ns_run = med * (double)ops;
  r->min_ns_op = mn;
  r->max_ns_op = mx;
  r->epochs = (uint64_t)n;
  r->cpu_ns_op = bench_median(cpu, n);
  if (counted) {
    r->ins_op = bench_median(ins, n);
    r->cyc_op = bench_median(cyc, n);
  }
}
