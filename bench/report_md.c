/* SPDX-License-Identifier: MIT */
/*
 * The markdown report: Provenance, Targets, the case files' sections ranked
 * before the results, Results, Speedup over scalar, the sections ranked
 * after them, Cases. bench/run.sh assembles perf-reports/<slug>/report.md
 * and the README's headline from these sections by their headings.
 */
#include "report.h"

#include "stats.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

void bench_print_header(FILE *f, int perf_cols) {
  fprintf(f, "| case | isa | ns/op | op/s | time/run | err%% | cpu%% | vs baseline |%s\n",
          perf_cols ? " ins/op | cyc/op | IPC |" : "");
  fprintf(f, "|:--|:--|--:|--:|--:|--:|--:|--:|%s\n", perf_cols ? "--:|--:|--:|" : "");
}

void bench_print_row(FILE *f, const synk_bench_result *r, int perf_cols) {
  char nsop[32], ops[32], run[32], rel[96];
  if (r->failed) {
    fprintf(f, "| `%s` | %s | FAILED | | | | | |%s\n", r->c->name, r->isa, perf_cols ? " | | |" : "");
    return;
  }
  snprintf(nsop, sizeof nsop, r->ns_op < 1 ? "%.3f" : "%.2f", r->ns_op); /* sub-ns: per-byte cases */
  synk_bench_fmt_num(ops, sizeof ops, 1e9 / r->ns_op);
  synk_bench_fmt_time(run, sizeof run, r->ns_run);
  if (r->relative > 0)
    snprintf(rel, sizeof rel, "%.2fx `%s`%s%s%s", r->relative, r->c->baseline, r->rel_isa[0] ? " (" : "", r->rel_isa,
             r->rel_isa[0] ? ")" : "");
  else snprintf(rel, sizeof rel, "-");
  fprintf(f, "| `%s` | %s | %s | %s | %s | %.1f%%%s | %.0f%% | %s |", r->c->name, r->isa, nsop, ops, run, r->err_pct,
          r->err_pct >= BENCH_UNSTABLE_ERR_PCT ? " :warning:" : "", 100.0 * r->cpu_ns_op / r->ns_op, rel);
  if (perf_cols) {
    if (r->ins_op > 0) fprintf(f, " %.1f | %.1f | %.2f |", r->ins_op, r->cyc_op, r->cyc_op > 0 ? r->ins_op / r->cyc_op : 0);
    else fprintf(f, " - | - | - |");
  }
  fprintf(f, "\n");
}

static void write_provenance(FILE *f, const bench_provenance *p, const bench_options *o) {
  fprintf(f, "| | |\n|:--|:--|\n");
  fprintf(f, "| CPU | %s (family %d, model %d, stepping %d), %ld logical CPUs%s |\n", p->cpu_model, p->cpu_family,
          p->cpu_model_num, p->cpu_stepping, p->ncpu, p->hypervisor ? ", virtual machine (hypervisor flag)" : "");
  fprintf(f, "| CPU flags (synk detection) | %s |\n", p->synk_flags);
  fprintf(f, "| ISAs measured | %s (default: %s) |\n", p->isas, p->default_isa);
  fprintf(f, "| compiler | %s |\n", p->compiler);
  fprintf(f, "| flags | `%s` |\n", p->flags);
  fprintf(f, "| build type | %s |\n", p->build_type);
  fprintf(f, "| commit | %s |\n", p->commit);
  fprintf(f, "| date (UTC) | %s |\n", p->date);
  fprintf(f, "| OS | %s, clocksource %s, clock read %.1f ns |\n", p->kernel, p->clocksource, p->timer_ns);
  fprintf(f, "| load average (start / end) | %s / %s |\n", p->load_start, p->load_end);
  fprintf(f, "| perf counters | %s: %s |\n", p->perf_ok ? "available" : "**not available**", p->perf_why);
  fprintf(f, "| method | %d epochs of ~%.0f ms (max %.0f ms a case), median; err%% = median absolute percentage "
             "error; :warning: at err%% >= %.0f%% |\n",
          o->epochs, o->epoch_ms, o->max_case_ms, BENCH_UNSTABLE_ERR_PCT);
}

/* ---- the case files' sections ----------------------------------------------------- */

#define MAX_SECTIONS 32

/* Every file's sections, ordered by rank (registry order among equals). */
static size_t sections_by_rank(const synk_bench_section **out) {
  const synk_bench_file *const *files;
  const size_t nf = synk_bench_files(&files);
  size_t n = 0;
  for (size_t i = 0; i < nf; i++)
    for (size_t k = 0; k < files[i]->nsections && n < MAX_SECTIONS; k++) {
      const synk_bench_section *s = &files[i]->sections[k];
      size_t at = n++;
      for (; at > 0 && out[at - 1]->rank > s->rank; at--) out[at] = out[at - 1];
      out[at] = s;
    }
  return n;
}

/* The sections ranked in [lo, hi). */
static void write_sections(FILE *f, const synk_bench_results *rs, int lo, int hi) {
  const synk_bench_section *secs[MAX_SECTIONS];
  const size_t n = sections_by_rank(secs);
  for (size_t i = 0; i < n; i++) {
    if (secs[i]->rank < lo || secs[i]->rank >= hi) continue;
    fprintf(f, "\n## %s\n\n", secs[i]->title);
    secs[i]->write(f, rs);
  }
}

/* ---- results ------------------------------------------------------------------------ */

static void write_results(FILE *f, const bench_run *run) {
  fprintf(f, "\n## Results\n\nns/op: median time per operation (the unit is per case, see the case list). "
             "time/run: one run of the case (e.g. a whole batch). vs baseline: the named baseline's ns/op "
             "divided by this ns/op (above 1 is faster; a peer compared with a per-backend case uses the default "
             "backend's, named in parentheses). Peer rows (`peer/*`) do not depend on the backend "
             "(isa `-`). cpu%%: this thread's CPU time over wall time (below ~95%% the machine took time "
             "away: another process ran).\n\n");
  bench_print_header(f, run->perf_cols);
  for (size_t i = 0; i < run->rs.n; i++) bench_print_row(f, &run->rs.r[i], run->perf_cols);
}

/* scalar ns/op over each backend's, for every case run per backend */
static void write_speedup(FILE *f, const bench_run *run) {
  const synk_bench_results *rs = &run->rs;
  fprintf(f, "\n## Speedup over scalar\n\nscalar ns/op divided by the backend's ns/op, same case, same run.\n\n");
  fprintf(f, "| case |");
  for (int k = 1; k < run->nisas; k++) fprintf(f, " %s |", run->isas[k]);
  fprintf(f, "\n|:--|");
  for (int k = 1; k < run->nisas; k++) fprintf(f, "--:|");
  fprintf(f, "\n");
  for (size_t i = 0; i < rs->n; i++) {
    const synk_bench_result *r = &rs->r[i];
    if (!(r->c->flags & SYNK_BENCH_PER_ISA) || strcmp(r->isa, "scalar") != 0 || r->failed) continue;
    fprintf(f, "| `%s` |", r->c->name);
    for (int k = 1; k < run->nisas; k++) {
      const synk_bench_result *q = synk_bench_measured(rs, r->c->name, run->isas[k]);
      if (q) fprintf(f, " %.2fx |", r->ns_op / q->ns_op);
      else fprintf(f, " - |");
    }
    fprintf(f, "\n");
  }
  int unstable = 0;
  for (size_t i = 0; i < rs->n; i++) unstable += rs->r[i].err_pct >= BENCH_UNSTABLE_ERR_PCT;
  if (unstable)
    fprintf(f, "\n:warning: %d result(s) have err%% >= %.0f%%: the machine was busy or the case is noisy; rerun "
               "on a quiet machine before trusting them.\n",
            unstable, BENCH_UNSTABLE_ERR_PCT);
}

static void write_cases(FILE *f, const bench_options *o) {
  fprintf(f, "\n## Cases\n\n| case | unit | ops/run | description |\n|:--|:--|--:|:--|\n");
  const synk_bench_case *all;
  const size_t nc = synk_bench_cases(&all);
  for (size_t i = 0; i < nc; i++) {
    if (!bench_selected(o, &all[i])) continue;
    fprintf(f, "| `%s` | %s | %" PRIu64 " | %s |\n", all[i].name, all[i].unit, all[i].ops, all[i].desc);
  }
}

int bench_write_md(const char *path, const bench_run *run) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "synk_bench: cannot write %s\n", path);
    return 1;
  }
  fprintf(f, "## Provenance\n\n");
  write_provenance(f, run->p, run->o);
  fprintf(f, "\n## Targets\n\nMeasured by this suite on this machine; reported, never asserted.\n\n");
  bench_print_targets(f, &run->rs);
  write_sections(f, &run->rs, INT_MIN, SYNK_BENCH_RANK_RESULTS);
  write_results(f, run);
  write_speedup(f, run);
  write_sections(f, &run->rs, SYNK_BENCH_RANK_RESULTS, INT_MAX);
  write_cases(f, run->o);
  return fclose(f) != 0;
}
