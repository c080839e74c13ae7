/* SPDX-License-Identifier: MIT */
/*
 * synk_bench: the nanobench-style C harness over the case registry (cases.h).
 *
 * For every case (per native ISA for kernel cases, once for peers): untimed
 * setup, one warm-up run, calibration of the iterations per epoch until an
 * epoch lasts about --epoch-ms, then --epochs timed epochs. A case, its
 * baseline and the peers of its workload are measured as one group with
 * interleaved epochs (epoch e of every variant before epoch e + 1 of any),
 * so a burst of noise on a shared machine hits both sides of a ratio.
 * Statistics (bench/stats.c): the median ns/op over epochs, err% (median
 * absolute percentage error), thread CPU time, counters where the kernel
 * gives them (bench/provenance.c). The relative column is the case's
 * baseline's ns/op over its own (above 1 is faster). Reports: the results
 * table on stdout as the run goes, then the targets; --md, --json, --plots
 * (bench/report_*.c).
 *
 * Modes: default (timed), --smoke (every case once per ISA, digests
 * cross-checked: each ISA and each peer of a workload must reach the same
 * world hash), --list, --list-isas, --slug, --config. Instruction counts come
 * from synk_icount (bench/icount_main.c), a runner of the same registry
 * without peers.
 */
#include "options.h"
#include "provenance.h"
#include "report.h"
#include "stats.h"

#include "synk.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RESULTS 512
#define MAX_VARIANTS 16

static synk_bench_result results[MAX_RESULTS];
static size_t nresults = 0;

/* The backends measured, in order (scalar first: the reference every
 * speedup divides). */
static const char *isa_order[BENCH_MAX_ISAS];
static int nisa_order = 0;

/* The results so far, for lookups. */
static synk_bench_results results_view(const char *default_isa) {
  synk_bench_results rs = {results, nresults, default_isa};
  return rs;
}

/* ---- measurement ----------------------------------------------------------------- */

/* One measured thing: a case on a backend. */
typedef struct variant {
  const synk_bench_case *c;
  const char *isa; /* backend name, or "-" */
  void *st;
  uint64_t iters;
  int epochs, failed;
  double v[BENCH_MAX_EPOCHS], ins[BENCH_MAX_EPOCHS], cyc[BENCH_MAX_EPOCHS], cpu[BENCH_MAX_EPOCHS];
} variant;

static double time_runs(const synk_bench_case *c, void *st, uint64_t iters) {
  double t0 = bench_now_ns();
  for (uint64_t i = 0; i < iters; i++) c->run(st);
  return bench_now_ns() - t0;
}

static void use_isa_for(const variant *v, const char *default_isa) {
  (void)synk_use_isa(strcmp(v->isa, "-") == 0 ? default_isa : v->isa);
}

/* Untimed setup, a warm-up run (caches, page faults, branch predictors), then
 * the iteration count grown until an epoch reaches the target duration; the
 * epochs fit the case's time budget (at least 3). */
static void calibrate(const bench_options *o, variant *v, const char *default_isa) {
  const double target = o->epoch_ms * 1e6;
  use_isa_for(v, default_isa);
  synk_bench_failed = 0;
  v->st = v->c->setup(v->c);
  if (!v->st) {
    v->failed = 1;
    fprintf(stderr, "synk_bench: %s [%s]: setup failed\n", v->c->name, v->isa);
    return;
  }
  double el = time_runs(v->c, v->st, 1);
  uint64_t iters = 1;
  while (el < target * 0.8 && iters < (UINT64_C(1) << 40)) {
    double factor = el > 0 ? target / el : 100.0;
    if (factor > 100) factor = 100;
    uint64_t next = (uint64_t)ceil((double)iters * factor);
    if (next <= iters) next = iters * 2;
    iters = next;
    el = time_runs(v->c, v->st, iters);
  }
  v->iters = iters;
  int epochs = o->epochs;
  if (el * epochs > o->max_case_ms * 1e6) {
    epochs = (int)(o->max_case_ms * 1e6 / el);
    if (epochs < 3) epochs = 3;
    if (epochs > o->epochs) epochs = o->epochs;
  }
  v->epochs = epochs > BENCH_MAX_EPOCHS ? BENCH_MAX_EPOCHS : epochs;
  if (synk_bench_failed) v->failed = 1;
}

/* Epoch e of one variant: wall time, thread CPU time and counters per op. */
static void run_epoch(bench_perf *pc, variant *v, int e, const char *default_isa) {
  use_isa_for(v, default_isa);
  synk_bench_failed = 0;
  if (v->iters >= 4) v->c->run(v->st); /* re-warm caches after the other variants ran */
  double c0 = bench_thread_cpu_ns();
  bench_perf_start(pc);
  double t = time_runs(v->c, v->st, v->iters);
  uint64_t ni, nc;
  bench_perf_stop(pc, &ni, &nc);
  double c1 = bench_thread_cpu_ns();
  double nops = (double)v->iters * (double)v->c->ops;
  v->v[e] = t / nops;
  v->cpu[e] = (c1 - c0) / nops;
  v->ins[e] = (double)ni / nops;
  v->cyc[e] = (double)nc / nops;
  if (synk_bench_failed) v->failed = 1;
}

/* The variant's result, appended to results[] (its state torn down). */
static void record(variant *v) {
  if (nresults == MAX_RESULTS) return;
  synk_bench_result *r = &results[nresults++];
  memset(r, 0, sizeof *r);
  r->c = v->c;
  snprintf(r->isa, sizeof r->isa, "%s", v->isa);
  if (v->st) v->c->teardown(v->st);
  if (v->failed) {
    r->failed = 1;
    fprintf(stderr, "synk_bench: %s [%s]: a run returned an unexpected status\n", v->c->name, v->isa);
    return;
  }
  r->iters = v->iters;
  bench_summarize(r, v->v, v->cpu, v->ins, v->cyc, v->epochs, v->c->ops);
}

/* The relative column: the baseline's ns/op over this one's. A
 * backend-independent peer compared with a per-ISA case is set against the
 * backend synk picks by default here. */
static void fill_relative(synk_bench_result *r, const char *default_isa) {
  if (!r->c->baseline || r->failed) return;
  const synk_bench_results rs = results_view(default_isa);
  const synk_bench_result *b = synk_bench_result_of(&rs, r->c->baseline, r->isa);
  if (!b && strcmp(r->isa, "-") == 0) {
    b = synk_bench_result_of(&rs, r->c->baseline, default_isa);
    if (b && (b->c->flags & SYNK_BENCH_PER_ISA)) snprintf(r->rel_isa, sizeof r->rel_isa, "%s", b->isa);
  }
  if (b && !b->failed && r->ns_op > 0) r->relative = b->ns_op / r->ns_op;
}

/* Measure a group of variants with interleaved epochs, record and print them. */
static void measure_group(const bench_options *o, bench_perf *pc, int perf_cols, variant *vs, int nv,
                          const char *default_isa) {
  for (int k = 0; k < nv; k++) calibrate(o, &vs[k], default_isa);
  int max_epochs = 0;
  for (int k = 0; k < nv; k++) max_epochs = vs[k].epochs > max_epochs ? vs[k].epochs : max_epochs;
  for (int e = 0; e < max_epochs; e++)
    for (int k = 0; k < nv; k++)
      if (!vs[k].failed && e < vs[k].epochs) run_epoch(pc, &vs[k], e, default_isa);
  const size_t first = nresults;
  for (int k = 0; k < nv; k++) record(&vs[k]);
  for (size_t i = first; i < nresults; i++) {
    fill_relative(&results[i], default_isa);
    bench_print_row(stdout, &results[i], perf_cols);
  }
  fflush(stdout);
}

/* The group key: cases measured together share their baseline (a case and
 * its peers), so a burst of machine noise hits the numbers of a ratio alike. */
static const char *group_key(const synk_bench_case *c) { return c->baseline ? c->baseline : c->name; }

/* The variants of the group of case i: every selected case with its key, per
 * backend or once; marks them done. */
static int gather_group(const bench_options *o, const synk_bench_case *all, size_t nc, size_t i, char *done,
                        variant *vs) {
  const char *key = group_key(&all[i]);
  int nv = 0;
  for (size_t j = i; j < nc; j++) {
    if (done[j] || !bench_selected(o, &all[j]) || strcmp(group_key(&all[j]), key) != 0) continue;
    done[j] = 1;
    const int per_isa = (all[j].flags & SYNK_BENCH_PER_ISA) != 0;
    for (int k = 0; k < (per_isa ? nisa_order : 1) && nv < MAX_VARIANTS; k++) {
      memset(&vs[nv], 0, sizeof vs[nv]);
      vs[nv].c = &all[j];
      vs[nv++].isa = per_isa ? isa_order[k] : "-";
    }
  }
  return nv;
}

static void measure_all(const bench_options *o, bench_perf *pc, int perf_cols, const char *default_isa) {
  static char done[1024];
  static variant vs[MAX_VARIANTS];
  const synk_bench_case *all;
  size_t nc = synk_bench_cases(&all);
  if (nc > sizeof done) nc = sizeof done;
  for (size_t i = 0; i < nc; i++) {
    if (done[i] || !bench_selected(o, &all[i])) continue;
    const int nv = gather_group(o, all, nc, i, done, vs);
    measure_group(o, pc, perf_cols, vs, nv, default_isa);
  }
  (void)synk_use_isa(default_isa);
}

/* ---- order of the results: registry order, then backend order ---------------------- */

static int case_index(const synk_bench_case *c) {
  const synk_bench_case *all;
  synk_bench_cases(&all);
  return (int)(c - all);
}

static int isa_rank(const char *isa) {
  for (int i = 0; i < nisa_order; i++)
    if (strcmp(isa_order[i], isa) == 0) return i;
  return BENCH_MAX_ISAS;
}

static int cmp_result(const void *a, const void *b) {
  const synk_bench_result *x = (const synk_bench_result *)a, *y = (const synk_bench_result *)b;
  int cx = case_index(x->c), cy = case_index(y->c);
  if (cx != cy) return cx - cy;
  return isa_rank(x->isa) - isa_rank(y->isa);
}

/* ---- modes -------------------------------------------------------------------------- */

/* Cross-checks of --smoke: the first digest of each workload. */
typedef struct smoke_digests {
  const char *workload[MAX_RESULTS], *from[MAX_RESULTS];
  uint64_t digest[MAX_RESULTS];
  int n;
} smoke_digests;

/* 1 (with a message in err) when c's digest differs from its workload's first. */
static int smoke_cross_check(smoke_digests *sd, const synk_bench_case *c, uint64_t d, char *err, size_t cap) {
  int found = 0, bad = 0;
  for (int q = 0; q < sd->n; q++) {
    if (strcmp(sd->workload[q], c->workload) != 0) continue;
    found = 1;
    if (sd->digest[q] != d) {
      snprintf(err, cap, "digest %016" PRIx64 " differs from %016" PRIx64 " of %s", d, sd->digest[q], sd->from[q]);
      bad = 1;
    }
  }
  if (!found && sd->n < MAX_RESULTS) {
    sd->workload[sd->n] = c->workload;
    sd->digest[sd->n] = d;
    sd->from[sd->n++] = c->name;
  }
  return bad;
}

/* One case once; prints its line; 1 when it failed. */
static int smoke_case(smoke_digests *sd, const synk_bench_case *c, const char *isa) {
  uint64_t d = 0;
  char err[200] = "";
  double t0 = bench_now_ns();
  int bad = synk_bench_smoke_one(c, &d, err, sizeof err);
  double ms = (bench_now_ns() - t0) / 1e6;
  if (!bad && c->workload && d) bad = smoke_cross_check(sd, c, d, err, sizeof err);
  printf("%s %-36s %-7s digest %016" PRIx64 " %8.1f ms%s%s\n", bad ? "FAIL" : "ok  ", c->name, isa, d, ms,
         bad ? "  " : "", bad ? err : "");
  return bad;
}

/* Every selected case once: backend-independent ones first, then the rest on
 * each backend; each workload's digests must agree. */
static int run_smoke(const bench_options *o) {
  static smoke_digests sd;
  const synk_bench_case *all;
  size_t nc = synk_bench_cases(&all);
  int failures = 0, checks = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (int k = 0; k < (pass == 0 ? 1 : nisa_order); k++) {
      if (pass == 1 && synk_use_isa(isa_order[k]) != SYNK_OK) {
        printf("FAIL: synk_use_isa(%s)\n", isa_order[k]);
        failures++;
        continue;
      }
      for (size_t i = 0; i < nc; i++) {
        const synk_bench_case *c = &all[i];
        int peer = !(c->flags & SYNK_BENCH_PER_ISA);
        if (peer != (pass == 0) || !bench_selected(o, c) || (c->flags & SYNK_BENCH_MACHINE)) continue;
        checks++;
        failures += smoke_case(&sd, c, pass == 0 ? "-" : isa_order[k]);
      }
    }
  }
  printf("smoke: %d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}

static void list_cases(void) {
  const synk_bench_case *all;
  size_t nc = synk_bench_cases(&all);
  for (size_t i = 0; i < nc; i++)
    printf("%-36s %-22s %8" PRIu64 " %-7s %s%s\n", all[i].name, all[i].group, all[i].ops, all[i].unit,
           all[i].flags & SYNK_BENCH_PER_ISA ? "per-isa" : all[i].flags & SYNK_BENCH_PEER ? "peer" : "once",
           all[i].flags & SYNK_BENCH_KEY ? " key" : "");
}

/* The backends to measure: --isa's, else every native one, scalar first. */
static void choose_isas(const bench_options *o) {
  if (o->nisas) {
    for (int i = 0; i < o->nisas; i++) isa_order[nisa_order++] = o->isas[i];
    return;
  }
  const char *native[BENCH_MAX_ISAS];
  size_t nn = synk_bench_native_isas(native, BENCH_MAX_ISAS);
  if (nn > BENCH_MAX_ISAS) nn = BENCH_MAX_ISAS;
  for (int i = (int)nn - 1; i >= 0; i--) isa_order[nisa_order++] = native[i];
}

/* The timed run: measure, sort, print the targets, write the reports. */
static int run_timed(const bench_options *o) {
  static bench_provenance prov;
  bench_collect_provenance(&prov, o->commit);
  size_t off = 0;
  for (int i = 0; i < nisa_order; i++)
    off += (size_t)snprintf(prov.isas + off, sizeof prov.isas - off, "%s%s", i ? ", " : "", isa_order[i]);
  bench_perf pc;
  bench_perf_init(&pc, &prov);
  printf("synk_bench: %s | %s | %s %s | commit %s\n", prov.cpu_model, prov.isas, prov.compiler, prov.build_type,
         prov.commit);
  printf("perf counters: %s%s\n\n", pc.ok ? "" : "not available: ", prov.perf_why);
  bench_print_header(stdout, pc.ok);
  measure_all(o, &pc, pc.ok, prov.default_isa);
  bench_read_loadavg(prov.load_end, sizeof prov.load_end);
  qsort(results, nresults, sizeof *results, cmp_result);

  const bench_run run = {o, &prov, results_view(prov.default_isa), isa_order, nisa_order, pc.ok};
  printf("\n");
  bench_print_targets(stdout, &run.rs);
  int write_failed = 0;
  if (o->md) write_failed |= bench_write_md(o->md, &run);
  if (o->json) write_failed |= bench_write_json(o->json, &run);
  if (o->plots) write_failed |= bench_write_plots(o->plots, &run);

  int failed = 0, unstable = 0;
  for (size_t i = 0; i < nresults; i++) {
    failed += results[i].failed;
    unstable += results[i].err_pct >= BENCH_UNSTABLE_ERR_PCT;
  }
  if (unstable)
    printf("\n:warning: %d result(s) unstable (err%% >= %.0f%%): the machine is busy or the case is noisy.\n", unstable,
           BENCH_UNSTABLE_ERR_PCT);
  if (failed) printf("\nsynk_bench: %d case(s) FAILED\n", failed);
  return failed || write_failed ? 1 : 0;
}

int main(int argc, char **argv) {
  bench_options o;
  const int parsed = bench_parse_options(argc, argv, &o);
  if (parsed != 0) return parsed > 0 ? 0 : 2;
  if (o.config) {
    printf("%s\n", bench_config_id());
    return 0;
  }
  if (o.list) {
    list_cases();
    return 0;
  }
  choose_isas(&o);
  if (o.list_isas) {
    for (int i = 0; i < nisa_order; i++) printf("%s\n", isa_order[i]);
    return 0;
  }
  if (o.slug) {
    static bench_provenance prov;
    bench_collect_provenance(&prov, o.commit);
    printf("%s\n", prov.slug);
    return 0;
  }
  if (o.smoke) return run_smoke(&o);
  return run_timed(&o);
}
