/* SPDX-License-Identifier: MIT */
/*
 * synk_bench's reporters: the markdown report (bench/report_md.c), the JSON
 * results (bench/report_json.c), the gnuplot data (bench/report_plots.c)
 * and the targets they share (bench/targets.c). They read a finished run;
 * what a case file reports (its sections, targets, plots) comes from the
 * registry (cases.h), so no reporter names a case.
 */
#ifndef SYNK_BENCH_REPORT_H
#define SYNK_BENCH_REPORT_H

#include "cases.h"
#include "options.h"
#include "provenance.h"

#include <stdio.h>

/* A finished run. */
typedef struct bench_run {
  const bench_options *o;
  const bench_provenance *p;
  synk_bench_results rs;   /* in registry order, backends in `isas` order */
  const char *const *isas; /* the backends measured, scalar first */
  int nisas;
  int perf_cols;           /* hardware counters were read: ins/op, cyc/op, IPC columns */
} bench_run;

/* ---- the results table (report_md.c; the runner prints it as it measures) ---- */

void bench_print_header(FILE *f, int perf_cols);
void bench_print_row(FILE *f, const synk_bench_result *r, int perf_cols);

/* ---- targets (targets.c) ---------------------------------------------------- */

/* Every case file's targets, in registry order: writes up to cap pointers,
 * returns the count. */
size_t bench_targets(const synk_bench_target **out, size_t cap);

/* A target against this run. */
typedef struct bench_target_eval {
  int have;      /* measured in this run */
  double value;  /* ns (per run or per op), a speedup, or the figure */
  int met;
  double margin; /* percent of the goal between value and goal (the JSON's margin_pct) */
} bench_target_eval;

bench_target_eval bench_eval_target(const synk_bench_target *t, const synk_bench_results *rs);

/* The unit a target's time is per ("op" when its case is not in the registry). */
const char *bench_target_unit(const synk_bench_target *t);

/* The JSON metric: "ns_per_run<=", "speedup>=", "bytes_per_motion<=", ... */
void bench_target_metric(char *out, size_t cap, const synk_bench_target *t);

/* The busy-machine warning (when a quarter of the results got less than 90%
 * of a CPU) and the targets table, measured against each goal in words. */
void bench_print_targets(FILE *f, const synk_bench_results *rs);

/* ---- files ------------------------------------------------------------------ */

/* Each returns 0, or 1 after a message on stderr. */
int bench_write_md(const char *path, const bench_run *run);
int bench_write_json(const char *path, const bench_run *run);
int bench_write_plots(const char *dir, const bench_run *run);

#endif
