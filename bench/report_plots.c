/* SPDX-License-Identifier: MIT */
/*
 * gnuplot data for bench/plots.gp: one table per plot, the x value first, a
 * column per series. The ns/op-against-size plots are the case files'
 * (synk_bench_plot); speedup.dat holds every case run per backend, scalar
 * ns/op over each other backend's.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

/* `pattern` with `size` in place of its '*'. */
static void expand(char *out, size_t cap, const char *pattern, const char *size) {
  const char *star = strchr(pattern, '*');
  if (!star) snprintf(out, cap, "%s", pattern);
  else snprintf(out, cap, "%.*s%s%s", (int)(star - pattern), pattern, size, star + 1);
}

/* A peer's column: its group without "peer/" ("peer/naive/rand-*" -> "naive"). */
static void peer_column(char *out, size_t cap, const char *pattern) {
  const char *s = strncmp(pattern, "peer/", 5) == 0 ? pattern + 5 : pattern;
  const char *sl = strchr(s, '/');
  snprintf(out, cap, "%.*s", sl ? (int)(sl - s) : (int)strlen(s), s);
}

static void write_row(FILE *f, const bench_run *run, const synk_bench_plot *pl, const char *size) {
  char name[128];
  expand(name, sizeof name, pl->name, size);
  const synk_bench_result *any = NULL;
  for (int k = 0; k < run->nisas && !any; k++) any = synk_bench_result_of(&run->rs, name, run->isas[k]);
  if (!any) return;
  fprintf(f, "%.0f", any->c->size);
  for (int k = 0; k < run->nisas; k++) {
    const synk_bench_result *r = synk_bench_measured(&run->rs, name, run->isas[k]);
    if (r) fprintf(f, " %.4f", r->ns_op);
    else fprintf(f, " NaN");
  }
  for (size_t q = 0; q < sizeof pl->peers / sizeof pl->peers[0] && pl->peers[q]; q++) {
    char pn[128];
    expand(pn, sizeof pn, pl->peers[q], size);
    const synk_bench_result *r = synk_bench_measured(&run->rs, pn, "-");
    if (r) fprintf(f, " %.4f", r->ns_op);
    else fprintf(f, " NaN");
  }
  fprintf(f, "\n");
}

static void write_plot(const char *dir, const bench_run *run, const synk_bench_plot *pl) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.dat", dir, pl->file);
  FILE *f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "size");
  for (int k = 0; k < run->nisas; k++) fprintf(f, " %s", run->isas[k]);
  for (size_t q = 0; q < sizeof pl->peers / sizeof pl->peers[0] && pl->peers[q]; q++) {
    char col[64];
    peer_column(col, sizeof col, pl->peers[q]);
    fprintf(f, " %s", col);
  }
  fprintf(f, "\n");
  for (size_t s = 0; s < sizeof pl->sizes / sizeof pl->sizes[0] && pl->sizes[s]; s++) write_row(f, run, pl, pl->sizes[s]);
  fclose(f);
}

/* The case's name in the speedup plot: without its file's short prefix. */
static const char *short_label(const synk_bench_case *c) {
  const synk_bench_file *const *files;
  const size_t nf = synk_bench_files(&files);
  for (size_t i = 0; i < nf; i++) {
    const char *const *p = files[i]->short_prefixes;
    for (; p && *p; p++)
      if (strncmp(c->name, *p, strlen(*p)) == 0) return c->name + strlen(*p);
  }
  return c->name;
}

static int write_speedup(const char *dir, const bench_run *run) {
  char path[1024];
  snprintf(path, sizeof path, "%s/speedup.dat", dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "synk_bench: cannot write %s\n", path);
    return 1;
  }
  fprintf(f, "case");
  for (int k = 1; k < run->nisas; k++) fprintf(f, " %s", run->isas[k]);
  fprintf(f, "\n");
  for (size_t i = 0; i < run->rs.n; i++) {
    const synk_bench_result *r = &run->rs.r[i];
    if (!(r->c->flags & SYNK_BENCH_PER_ISA) || strcmp(r->isa, "scalar") != 0 || r->failed) continue;
    fprintf(f, "\"%s\"", short_label(r->c));
    for (int k = 1; k < run->nisas; k++) {
      const synk_bench_result *q = synk_bench_measured(&run->rs, r->c->name, run->isas[k]);
      if (q) fprintf(f, " %.3f", r->ns_op / q->ns_op);
      else fprintf(f, " NaN");
    }
    fprintf(f, "\n");
  }
  return fclose(f) != 0;
}

int bench_write_plots(const char *dir, const bench_run *run) {
  const synk_bench_file *const *files;
  const size_t nf = synk_bench_files(&files);
  for (size_t i = 0; i < nf; i++)
    for (size_t k = 0; k < files[i]->nplots; k++) write_plot(dir, run, &files[i]->plots[k]);
  return write_speedup(dir, run);
}
