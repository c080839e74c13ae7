/* SPDX-License-Identifier: MIT */
/*
 * What the harness's reporters and the case files' report sections share
 * (declared in cases.h): the lookup of a run's results and the formats of
 * times, counts and rates. Part of the case registry's library, so a case
 * file's section links wherever its cases do.
 */
#include "cases.h"

#include <stdio.h>
#include <string.h>

const synk_bench_result *synk_bench_result_of(const synk_bench_results *rs, const char *name, const char *isa) {
  for (size_t i = 0; i < rs->n; i++) {
    const synk_bench_case *c = rs->r[i].c;
    if (strcmp(c->name, name) != 0) continue;
    if (!(c->flags & SYNK_BENCH_PER_ISA) || strcmp(rs->r[i].isa, isa) == 0) return &rs->r[i];
  }
  return NULL;
}

const synk_bench_result *synk_bench_measured(const synk_bench_results *rs, const char *name, const char *isa) {
  const synk_bench_result *r = synk_bench_result_of(rs, name, isa);
  return r && !r->failed ? r : NULL;
}

void synk_bench_fmt_num(char *out, size_t cap, double v) {
  if (v == 0) snprintf(out, cap, "-");
  else if (v >= 1e9) snprintf(out, cap, "%.2fG", v / 1e9);
  else if (v >= 1e6) snprintf(out, cap, "%.2fM", v / 1e6);
  else if (v >= 1e3) snprintf(out, cap, "%.2fk", v / 1e3);
  else snprintf(out, cap, "%.2f", v);
}

void synk_bench_fmt_time(char *out, size_t cap, double ns) {
  if (ns >= 1e9) snprintf(out, cap, "%.3f s", ns / 1e9);
  else if (ns >= 1e6) snprintf(out, cap, "%.3f ms", ns / 1e6);
  else if (ns >= 1e3) snprintf(out, cap, "%.3f µs", ns / 1e3);
  else if (ns >= 1) snprintf(out, cap, "%.2f ns", ns);
  else snprintf(out, cap, "%.3f ns", ns); /* per-byte cases: keep three digits */
}

void synk_bench_fmt_rate(char *out, size_t cap, double ns, const char *unit) {
  if (strcmp(unit, "byte") == 0) {
    if (ns <= 1.0) snprintf(out, cap, "%.2f GB/s", 1.0 / ns);
    else snprintf(out, cap, "%.1f MB/s", 1e3 / ns);
    return;
  }
  char num[32];
  synk_bench_fmt_num(num, sizeof num, 1e9 / ns);
  snprintf(out, cap, "%s %s/s", num, unit);
}
