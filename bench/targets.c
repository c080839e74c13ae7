/* SPDX-License-Identifier: MIT */
/*
 * Targets: the goals the case files promise (synk_bench_target, data in each
 * case file), evaluated against a run and written as a table, each
 * measured value set against its goal in plain words ("met: 0.24 µs, goal
 * <= 0.5 µs", "**missed**: 25.2 ns per motion, 5.04x the 5.00 ns goal").
 * Reported, never asserted: a missed goal does not fail the run.
 */
#include "report.h"

#include "synk.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

size_t bench_targets(const synk_bench_target **out, size_t cap) {
  const synk_bench_file *const *files;
  const size_t nf = synk_bench_files(&files);
  size_t n = 0;
  for (size_t i = 0; i < nf; i++)
    for (size_t k = 0; k < files[i]->ntargets; k++, n++)
      if (n < cap) out[n] = &files[i]->targets[k];
  return n < cap ? n : cap;
}

static int at_least(const synk_bench_target *t) {
  return t->compare == SYNK_BENCH_GOAL_SPEEDUP || t->compare == SYNK_BENCH_GOAL_FIGURE_MIN;
}

static int is_figure(const synk_bench_target *t) {
  return t->compare == SYNK_BENCH_GOAL_FIGURE_MAX || t->compare == SYNK_BENCH_GOAL_FIGURE_MIN;
}

/* The target's value in this run; <= 0 when not measured. */
static double target_value(const synk_bench_target *t, const synk_bench_results *rs) {
  if (is_figure(t)) return t->figure ? t->figure(rs) : -1;
  const synk_bench_result *r = synk_bench_measured(rs, t->case_name, t->isa);
  if (!r) return -1;
  if (t->compare == SYNK_BENCH_GOAL_SPEEDUP) {
    const synk_bench_result *b = t->versus ? synk_bench_measured(rs, t->versus, t->isa) : NULL;
    return b ? b->ns_op / r->ns_op : -1;
  }
  return t->compare == SYNK_BENCH_GOAL_RUN_NS ? r->ns_run : r->ns_op;
}

bench_target_eval bench_eval_target(const synk_bench_target *t, const synk_bench_results *rs) {
  bench_target_eval e;
  memset(&e, 0, sizeof e);
  const double v = target_value(t, rs);
  if (!(v > 0)) return e;
  e.have = 1;
  e.value = v;
  e.met = at_least(t) ? v >= t->goal : v <= t->goal;
  e.margin = 100.0 * fabs(v - t->goal) / t->goal;
  return e;
}

const char *bench_target_unit(const synk_bench_target *t) {
  const synk_bench_case *c = synk_bench_find(t->case_name);
  return c ? c->unit : "op";
}

void bench_target_metric(char *out, size_t cap, const synk_bench_target *t) {
  const char *rel = at_least(t) ? ">=" : "<=";
  switch (t->compare) {
  case SYNK_BENCH_GOAL_RUN_NS: snprintf(out, cap, "ns_per_run%s", rel); break;
  case SYNK_BENCH_GOAL_OP_NS: snprintf(out, cap, "ns_per_op%s", rel); break;
  case SYNK_BENCH_GOAL_SPEEDUP: snprintf(out, cap, "speedup%s", rel); break;
  default: snprintf(out, cap, "%s%s", t->metric ? t->metric : "figure", rel); break;
  }
}

/* A value of the target's kind with its unit: "1.20x", "2.310 B/motion",
 * "1.500 µs", "0.31 ns /byte (3.21 GB/s)". */
static void fmt_value(char *out, size_t cap, const synk_bench_target *t, double v) {
  if (t->compare == SYNK_BENCH_GOAL_SPEEDUP) {
    snprintf(out, cap, "%.2fx", v);
  } else if (is_figure(t)) {
    snprintf(out, cap, "%.*f%s", t->digits, v, t->unit ? t->unit : "");
  } else if (t->compare == SYNK_BENCH_GOAL_RUN_NS) {
    synk_bench_fmt_time(out, cap, v);
  } else {
    char tm[32], rate[48];
    const char *unit = bench_target_unit(t);
    synk_bench_fmt_time(tm, sizeof tm, v);
    synk_bench_fmt_rate(rate, sizeof rate, v, unit);
    snprintf(out, cap, "%s /%s (%s)", tm, unit, rate);
  }
}

static void fmt_goal(char *out, size_t cap, const synk_bench_target *t) {
  char lim[96];
  if (t->compare == SYNK_BENCH_GOAL_SPEEDUP) {
    snprintf(out, cap, ">= %.1fx `%s`", t->goal, t->versus ? t->versus : "?");
    return;
  }
  fmt_value(lim, sizeof lim, t, t->goal);
  snprintf(out, cap, "%s %s", at_least(t) ? ">=" : "<=", lim);
}

/* The thread CPU time beside a time target's wall-clock figure ("-" otherwise). */
static void fmt_cpu(char *out, size_t cap, const synk_bench_target *t, const synk_bench_results *rs) {
  snprintf(out, cap, "-");
  const synk_bench_result *r = synk_bench_measured(rs, t->case_name, t->isa);
  if (!r) return;
  if (t->compare == SYNK_BENCH_GOAL_RUN_NS) {
    synk_bench_fmt_time(out, cap, r->cpu_ns_op * (double)r->c->ops);
  } else if (t->compare == SYNK_BENCH_GOAL_OP_NS) {
    char tm[32];
    synk_bench_fmt_time(tm, sizeof tm, r->cpu_ns_op);
    snprintf(out, cap, "%s /%s", tm, bench_target_unit(t));
  }
}

/* A value in words: "15.60 ns per motion", "1.809 µs", "5.65x", "1.087 B/motion". */
static void fmt_plain(char *out, size_t cap, const synk_bench_target *t, double v) {
  if (t->compare == SYNK_BENCH_GOAL_SPEEDUP) {
    snprintf(out, cap, v < 10 ? "%.2fx" : "%.1fx", v);
  } else if (is_figure(t)) {
    snprintf(out, cap, "%.*f%s", t->digits, v, t->unit ? t->unit : "");
  } else {
    char tm[32];
    synk_bench_fmt_time(tm, sizeof tm, v);
    if (t->compare == SYNK_BENCH_GOAL_RUN_NS) snprintf(out, cap, "%s", tm);
    else snprintf(out, cap, "%s per %s", tm, bench_target_unit(t));
  }
}

/* The goal as the status names it: "5.00 ns", "1.500 µs", "10.0x", "2.500 B/motion". */
static void fmt_plain_goal(char *out, size_t cap, const synk_bench_target *t) {
  if (t->compare == SYNK_BENCH_GOAL_SPEEDUP) snprintf(out, cap, "%.1fx", t->goal);
  else if (is_figure(t)) snprintf(out, cap, "%.*f%s", t->digits, t->goal, t->unit ? t->unit : "");
  else synk_bench_fmt_time(out, cap, t->goal);
}

/* Measured against the goal in plain words: "met: 410.56 ns, goal <= 500.00
 * ns"; "**missed**: 15.60 ns per motion, 3.12x the 5.00 ns goal"; for a
 * goal to reach or pass, "**missed**: 5.65x, 1.77x short of the 10.0x goal". */
static void fmt_status(char *out, size_t cap, const synk_bench_target *t, const bench_target_eval *e) {
  if (!e->have) {
    const int runnable = strcmp(t->isa, "-") == 0 || synk_isa_emulated(t->isa) >= 0;
    snprintf(out, cap, "%s",
             runnable ? "not measured in this run" : "not measured: backend not built or not runnable here");
    return;
  }
  char value[96], goal[64];
  fmt_plain(value, sizeof value, t, e->value);
  fmt_plain_goal(goal, sizeof goal, t);
  if (e->met) {
    snprintf(out, cap, "met: %s, goal %s %s", value, at_least(t) ? ">=" : "<=", goal);
    return;
  }
  const double times = at_least(t) ? t->goal / e->value : e->value / t->goal;
  snprintf(out, cap, times < 10 ? "**missed**: %s, %.2fx %s %s goal" : "**missed**: %s, %.0fx %s %s goal", value,
           times, at_least(t) ? "short of the" : "the", goal);
}

static void print_busy_warning(FILE *f, const synk_bench_results *rs) {
  int contended = 0, n = 0;
  for (size_t i = 0; i < rs->n; i++) {
    if (rs->r[i].failed || rs->r[i].ns_op <= 0) continue;
    n++;
    contended += rs->r[i].cpu_ns_op < 0.9 * rs->r[i].ns_op;
  }
  if (n && contended * 4 >= n)
    fprintf(f, ":warning: **Busy machine**: %d of %d results got less than 90%% of a CPU (cpu%% column). "
               "Wall-clock times are inflated; the thread-CPU-time column shows what the code cost when it "
               "ran. Rerun on a quiet machine for publishable numbers.\n\n",
            contended, n);
}

void bench_print_targets(FILE *f, const synk_bench_results *rs) {
  print_busy_warning(f, rs);
  fprintf(f, "| target | case | isa | goal | measured | status | thread CPU time |\n|:--|:--|:--|--:|--:|:--|--:|\n");
  const synk_bench_target *ts[64];
  const size_t nt = bench_targets(ts, 64);
  for (size_t i = 0; i < nt; i++) {
    const synk_bench_target *t = ts[i];
    const bench_target_eval e = bench_eval_target(t, rs);
    char goal[128], meas[96] = "-", status[200], cpu[48] = "-";
    fmt_goal(goal, sizeof goal, t);
    if (e.have) {
      fmt_value(meas, sizeof meas, t, e.value);
      fmt_cpu(cpu, sizeof cpu, t, rs);
    }
    fmt_status(status, sizeof status, t, &e);
    fprintf(f, "| %s | `%s` | %s | %s | %s | %s | %s |\n", t->what, t->case_name, t->isa, goal, meas, status, cpu);
  }
}
