/* SPDX-License-Identifier: MIT */
/*
 * synk_bench: the nanobench-style C harness over the case registry.
 *
 * For every case (per native ISA for kernel cases, once for peers): untimed
 * setup, one warm-up run, calibration of the iterations per epoch until an
 * epoch lasts about --epoch-ms, then --epochs timed epochs. Reported: the
 * median ns/op over epochs, op/s, ns per run, err% (the median absolute
 * percentage error of the epochs around the median, as nanobench does), and
 * a relative column against the case's named baseline (baseline time / this
 * time: above 1 is faster). err% at or above 5% is flagged unstable.
 * Hardware counters come from perf_event_open when the kernel allows it; when
 * it does not (as in many VMs), the report says so and why.
 *
 * Modes: default (timed), --smoke (every case once per ISA, digests
 * cross-checked: each ISA and each peer of a workload must reach the same
 * world hash), --list, --list-isas, --slug. Instruction counts come from
 * synk_icount (bench/icount_main.c), a runner of the same registry without peers.
 */
#define _GNU_SOURCE 1 /* syscall(), perf_event_open */

#include "cases.h"
#include "internal.h"
#include "synk.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#if defined(__linux__)
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#define HAVE_PERF_EVENT 1
#endif


#ifndef SYNK_BENCH_COMPILER
#define SYNK_BENCH_COMPILER "unknown"
#endif
#ifndef SYNK_BENCH_CFLAGS
#define SYNK_BENCH_CFLAGS "unknown"
#endif
#ifndef SYNK_BENCH_BUILD_TYPE
#define SYNK_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef SYNK_BENCH_CONFIG_ID
#define SYNK_BENCH_CONFIG_ID "unknown"
#endif
#ifndef SYNK_BENCH_SOURCE_DIR
#define SYNK_BENCH_SOURCE_DIR "."
#endif

#define UNSTABLE_ERR_PCT 5.0
#define MAX_ISAS 8
#define MAX_RESULTS 512

/* ---- options --------------------------------------------------------------- */

typedef struct options {
  int quick, smoke, list, list_isas, slug, config, no_peers, peers_only;
  int epochs;
  double epoch_ms, max_case_ms;
  const char *filter;
  const char *isas[MAX_ISAS];
  int nisas;
  const char *json, *md, *plots, *commit;
} options;

static void usage(FILE *f) {
  fprintf(f,
          "usage: synk_bench [options]\n"
          "  --quick             short epochs (the whole suite in seconds)\n"
          "  --smoke             run every case once per ISA and cross-check digests; no timing\n"
          "  --filter A,B,...    only cases whose name contains one of the substrings\n"
          "  --isa NAME          only this backend (repeatable; default: every native one)\n"
          "  --no-peers          skip peer cases      --peers-only   only peer cases\n"
          "  --epochs N          timed epochs per case (default 21, quick 5)\n"
          "  --epoch-ms X        target epoch duration (default 20, quick 2)\n"
          "  --max-case-ms X     time budget per case; fewer epochs for slow runs (default 4000)\n"
          "  --json FILE         results and provenance as JSON\n"
          "  --md FILE           markdown report (provenance, targets, results, speedups)\n"
          "  --plots DIR         gnuplot data files (bench/plots.gp draws them)\n"
          "  --commit STR        commit to record (default: git in the source tree)\n"
          "  --list | --list-isas | --slug | --config\n"
          "                      print cases / native ISAs / CPU slug / compiler-version-buildtype, exit\n");
}

static int parse_options(int argc, char **argv, options *o) {
  memset(o, 0, sizeof *o);
  o->epochs = -1;
  o->epoch_ms = -1;
  o->max_case_ms = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define FLAG(s, field) \
  if (strcmp(a, s) == 0) { o->field = 1; continue; }
#define VAL(s)                                                  \
  if (strcmp(a, s) == 0) {                                      \
    if (!v) { fprintf(stderr, "synk_bench: %s needs a value\n", s); return -1; } \
    i++;
    FLAG("--quick", quick)
    FLAG("--smoke", smoke)
    FLAG("--list", list)
    FLAG("--list-isas", list_isas)
    FLAG("--slug", slug)
    FLAG("--config", config)
    FLAG("--no-peers", no_peers)
    FLAG("--peers-only", peers_only)
    VAL("--filter") o->filter = v; continue; }
    VAL("--isa") if (o->nisas < MAX_ISAS) o->isas[o->nisas++] = v; continue; }
    VAL("--epochs") o->epochs = atoi(v); continue; }
    VAL("--epoch-ms") o->epoch_ms = atof(v); continue; }
    VAL("--max-case-ms") o->max_case_ms = atof(v); continue; }
    VAL("--json") o->json = v; continue; }
    VAL("--md") o->md = v; continue; }
    VAL("--plots") o->plots = v; continue; }
    VAL("--commit") o->commit = v; continue; }
#undef FLAG
#undef VAL
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      exit(0);
    }
    fprintf(stderr, "synk_bench: unknown option %s\n", a);
    usage(stderr);
    return -1;
  }
  if (o->epochs < 0) o->epochs = o->quick ? 5 : 21;
  if (o->epoch_ms < 0) o->epoch_ms = o->quick ? 2 : 20;
  if (o->max_case_ms < 0) o->max_case_ms = o->quick ? 150 : 4000;
  if (o->epochs < 1) o->epochs = 1;
  return 0;
}

static int matches(const options *o, const synk_bench_case *c) {
  if ((c->flags & SYNK_BENCH_PEER) && o->no_peers) return 0;
  if (!(c->flags & SYNK_BENCH_PEER) && o->peers_only) return 0;
  if (!o->filter) return 1;
  const char *f = o->filter;
  while (*f) {
    const char *e = strchr(f, ',');
    size_t len = e ? (size_t)(e - f) : strlen(f);
    char pat[128];
    if (len >= sizeof pat) len = sizeof pat - 1;
    memcpy(pat, f, len);
    pat[len] = 0;
    if (len && strstr(c->name, pat)) return 1;
    if (!e) break;
    f = e + 1;
  }
  return 0;
}

/* A case runs when it matches the filter, or when it is the baseline of one
 * that does (so the relative column is always filled). */
static int selected(const options *o, const synk_bench_case *c) {
  if (matches(o, c)) return 1;
  if (!o->filter || o->smoke) return 0;
  if ((c->flags & SYNK_BENCH_PEER) && o->no_peers) return 0;
  const synk_bench_case *all;
  size_t n = synk_bench_cases(&all);
  for (size_t i = 0; i < n; i++)
    if (all[i].baseline && strcmp(all[i].baseline, c->name) == 0 && matches(o, &all[i])) return 1;
  return 0;
}

/* ---- provenance ------------------------------------------------------------ */

typedef struct provenance {
  char cpu_model[128];
  int cpu_family, cpu_model_num, cpu_stepping;
  char cpu_flags_all[4096];
  char synk_flags[256];
  char slug[160];
  long ncpu;
  char kernel[256];
  char clocksource[64];
  char compiler[160];
  char commit[96];
  char date[40];
  char default_isa[32];
  char isas[128];
  char load_start[64], load_end[64];
  int hypervisor;
  int perf_ok;
  char perf_why[200];
  double timer_ns;
} provenance;

static void chomp(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = 0;
}

static void read_first_line(const char *path, char *out, size_t cap) {
  out[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return;
  if (fgets(out, (int)cap, f)) chomp(out);
  fclose(f);
}

static void read_cpuinfo(provenance *p) {
  snprintf(p->cpu_model, sizeof p->cpu_model, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[8192];
  int got_model = 0, got_flags = 0, got_fam = 0, got_mod = 0, got_step = 0;
  while (fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (!colon) continue;
    char *val = colon + 1;
    while (*val == ' ' || *val == '\t') val++;
    chomp(val);
    if (!got_model && strncmp(line, "model name", 10) == 0) {
      snprintf(p->cpu_model, sizeof p->cpu_model, "%s", val);
      got_model = 1;
    } else if (!got_flags && strncmp(line, "flags", 5) == 0) {
      snprintf(p->cpu_flags_all, sizeof p->cpu_flags_all, "%s", val);
      got_flags = 1;
    } else if (!got_fam && strncmp(line, "cpu family", 10) == 0) {
      p->cpu_family = atoi(val);
      got_fam = 1;
    } else if (!got_mod && strncmp(line, "model\t", 6) == 0) {
      p->cpu_model_num = atoi(val);
      got_mod = 1;
    } else if (!got_step && strncmp(line, "stepping", 8) == 0) {
      p->cpu_stepping = atoi(val);
      got_step = 1;
    }
  }
  fclose(f);
  p->hypervisor = strstr(p->cpu_flags_all, "hypervisor") != NULL;
}

static void make_slug(provenance *p) {
  char *o = p->slug;
  size_t n = 0, cap = sizeof p->slug - 24;
  int dash = 0;
  for (const char *s = p->cpu_model; *s && n < cap; s++) {
    char ch = *s;
    if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
    int alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    if (alnum) {
      if (dash && n) o[n++] = '-';
      o[n++] = ch;
      dash = 0;
    } else {
      dash = 1;
    }
  }
  o[n] = 0;
  /* a model name as bare as "AMD EPYC" (VMs) needs the family/model to name the machine */
  snprintf(o + n, sizeof p->slug - n, "%sf%dm%d", n ? "-" : "", p->cpu_family, p->cpu_model_num);
}

static void run_cmd(const char *cmd, char *out, size_t cap) {
  out[0] = 0;
  FILE *f = popen(cmd, "r");
  if (!f) return;
  if (!fgets(out, (int)cap, f)) out[0] = 0;
  chomp(out);
  pclose(f);
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* CPU time of this thread: excludes the time it was descheduled, so
 * cpu / wall shows how much of a measurement a busy machine took away. */
static double thread_cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Cost of one clock read (median of small batches). */
static double timer_cost(void) {
  double best = 1e9;
  for (int r = 0; r < 20; r++) {
    double t0 = now_ns();
    for (int i = 0; i < 100; i++) (void)now_ns();
    double d = (now_ns() - t0) / 101.0;
    if (d < best) best = d;
  }
  return best;
}

/* ---- perf counters ---------------------------------------------------------- */

typedef struct perf_counters {
  int ok;
  int fd_ins, fd_cyc;
} perf_counters;

#if defined(HAVE_PERF_EVENT)
static int perf_open(uint64_t config, int group) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.type = PERF_TYPE_HARDWARE;
  a.size = sizeof a;
  a.config = config;
  a.disabled = group < 0;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  return (int)syscall(SYS_perf_event_open, &a, 0, -1, group, 0);
}
#endif

static void perf_init(perf_counters *pc, provenance *p) {
  memset(pc, 0, sizeof *pc);
  pc->fd_ins = pc->fd_cyc = -1;
#if defined(HAVE_PERF_EVENT)
  pc->fd_ins = perf_open(PERF_COUNT_HW_INSTRUCTIONS, -1);
  if (pc->fd_ins < 0) {
    int e = errno;
    char par[16];
    read_first_line("/proc/sys/kernel/perf_event_paranoid", par, sizeof par);
    snprintf(p->perf_why, sizeof p->perf_why,
             "perf_event_open(PERF_COUNT_HW_INSTRUCTIONS) failed: %s (errno %d, perf_event_paranoid=%s); "
             "no hardware counters here (typical of VMs without a virtual PMU)",
             strerror(e), e, par[0] ? par : "?");
    return;
  }
  pc->fd_cyc = perf_open(PERF_COUNT_HW_CPU_CYCLES, pc->fd_ins);
  pc->ok = 1;
  p->perf_ok = 1;
  snprintf(p->perf_why, sizeof p->perf_why, "perf_event_open: instructions%s (user space only)",
           pc->fd_cyc >= 0 ? " and cycles" : "");
#else
  snprintf(p->perf_why, sizeof p->perf_why, "perf_event_open is Linux-only; not available on this OS");
#endif
}

static void perf_start(perf_counters *pc) {
#if defined(HAVE_PERF_EVENT)
  if (!pc->ok) return;
  ioctl(pc->fd_ins, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
  ioctl(pc->fd_ins, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
#else
  (void)pc;
#endif
}

static void perf_stop(perf_counters *pc, uint64_t *ins, uint64_t *cyc) {
  *ins = *cyc = 0;
#if defined(HAVE_PERF_EVENT)
  if (!pc->ok) return;
  ioctl(pc->fd_ins, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
  if (read(pc->fd_ins, ins, sizeof *ins) != (ssize_t)sizeof *ins) *ins = 0;
  if (pc->fd_cyc >= 0 && read(pc->fd_cyc, cyc, sizeof *cyc) != (ssize_t)sizeof *cyc) *cyc = 0;
#else
  (void)pc;
#endif
}

static void collect_provenance(provenance *p, const options *o) {
  memset(p, 0, sizeof *p);
  read_cpuinfo(p);
  make_slug(p);
  p->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  struct utsname u;
  if (uname(&u) == 0) snprintf(p->kernel, sizeof p->kernel, "%s %s %s", u.sysname, u.release, u.machine);
  read_first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", p->clocksource,
                  sizeof p->clocksource);
  snprintf(p->compiler, sizeof p->compiler, "%s", SYNK_BENCH_COMPILER);
  if (o->commit) {
    snprintf(p->commit, sizeof p->commit, "%s", o->commit);
  } else {
    char rev[64], dirty[64];
    run_cmd("git -C '" SYNK_BENCH_SOURCE_DIR "' rev-parse --short=12 HEAD 2>/dev/null", rev, sizeof rev);
    run_cmd("git -C '" SYNK_BENCH_SOURCE_DIR "' status --porcelain --untracked-files=no 2>/dev/null | head -1",
            dirty, sizeof dirty);
    snprintf(p->commit, sizeof p->commit, "%s%s", rev[0] ? rev : "unknown", rev[0] && dirty[0] ? "-dirty" : "");
  }
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(p->date, sizeof p->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  read_first_line("/proc/loadavg", p->load_start, sizeof p->load_start);
  snprintf(p->default_isa, sizeof p->default_isa, "%s", synk_isa());
  const char *names[16];
  size_t nf = synk_cpu_flag_names(synk_cpu_detect(), names, 16);
  size_t off = 0;
  for (size_t i = 0; i < nf && i < 16; i++)
    off += (size_t)snprintf(p->synk_flags + off, sizeof p->synk_flags - off, "%s%s", i ? " " : "", names[i]);
  p->timer_ns = timer_cost();
}

/* ---- measurement ------------------------------------------------------------- */

typedef struct result {
  const synk_bench_case *c;
  char isa[32];           /* backend, or "-" for backend-independent peers */
  double ns_op, ns_run, err_pct, min_ns_op, max_ns_op;
  uint64_t iters, epochs;
  double ins_op, cyc_op;  /* 0 when counters are unavailable */
  double cpu_ns_op;       /* median thread CPU time per op */
  int failed;
  double relative;        /* baseline ns/op / this ns/op; 0 when no baseline */
  char rel_isa[32];       /* the baseline's backend when it differs from isa (a peer against a
                             per-ISA case: the default backend), else empty */
} result;

static result results[MAX_RESULTS];
static int nresults = 0;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double time_runs(const synk_bench_case *c, void *st, uint64_t iters) {
  double t0 = now_ns();
  for (uint64_t i = 0; i < iters; i++) c->run(st);
  return now_ns() - t0;
}

static const result *find_result(const char *name, const char *isa) {
  for (int i = 0; i < nresults; i++) {
    const synk_bench_case *c = results[i].c;
    if (strcmp(c->name, name) != 0) continue;
    if (!(c->flags & SYNK_BENCH_PER_ISA) || strcmp(results[i].isa, isa) == 0) return &results[i];
  }
  return NULL;
}

static void fmt_num(char *out, size_t cap, double v) {
  if (v == 0) snprintf(out, cap, "-");
  else if (v >= 1e9) snprintf(out, cap, "%.2fG", v / 1e9);
  else if (v >= 1e6) snprintf(out, cap, "%.2fM", v / 1e6);
  else if (v >= 1e3) snprintf(out, cap, "%.2fk", v / 1e3);
  else snprintf(out, cap, "%.2f", v);
}

static void fmt_time(char *out, size_t cap, double ns) {
  if (ns >= 1e9) snprintf(out, cap, "%.3f s", ns / 1e9);
  else if (ns >= 1e6) snprintf(out, cap, "%.3f ms", ns / 1e6);
  else if (ns >= 1e3) snprintf(out, cap, "%.3f µs", ns / 1e3);
  else if (ns >= 1) snprintf(out, cap, "%.2f ns", ns);
  else snprintf(out, cap, "%.3f ns", ns); /* per-byte cases: keep three digits */
}

static int print_perf_cols = 0;

static void print_header(FILE *f) {
  fprintf(f, "| case | isa | ns/op | op/s | time/run | err%% | cpu%% | vs baseline |%s\n",
          print_perf_cols ? " ins/op | cyc/op | IPC |" : "");
  fprintf(f, "|:--|:--|--:|--:|--:|--:|--:|--:|%s\n", print_perf_cols ? "--:|--:|--:|" : "");
}

static void print_row(FILE *f, const result *r) {
  char nsop[32], ops[32], run[32], rel[96];
  if (r->failed) {
    fprintf(f, "| `%s` | %s | FAILED | | | | | |%s\n", r->c->name, r->isa, print_perf_cols ? " | | |" : "");
    return;
  }
  snprintf(nsop, sizeof nsop, r->ns_op < 1 ? "%.3f" : "%.2f", r->ns_op); /* sub-ns: per-byte cases */
  fmt_num(ops, sizeof ops, 1e9 / r->ns_op);
  fmt_time(run, sizeof run, r->ns_run);
  if (r->relative > 0)
    snprintf(rel, sizeof rel, "%.2fx `%s`%s%s%s", r->relative, r->c->baseline, r->rel_isa[0] ? " (" : "", r->rel_isa,
             r->rel_isa[0] ? ")" : "");
  else snprintf(rel, sizeof rel, "-");
  fprintf(f, "| `%s` | %s | %s | %s | %s | %.1f%%%s | %.0f%% | %s |", r->c->name, r->isa, nsop, ops, run, r->err_pct,
          r->err_pct >= UNSTABLE_ERR_PCT ? " :warning:" : "", 100.0 * r->cpu_ns_op / r->ns_op, rel);
  if (print_perf_cols) {
    if (r->ins_op > 0) fprintf(f, " %.1f | %.1f | %.2f |", r->ins_op, r->cyc_op, r->cyc_op > 0 ? r->ins_op / r->cyc_op : 0);
    else fprintf(f, " - | - | - |");
  }
  fprintf(f, "\n");
}

/* One measured thing: a case on a backend. */
typedef struct variant {
  const synk_bench_case *c;
  const char *isa; /* backend name, or "-" */
  void *st;
  uint64_t iters;
  int epochs, failed;
  double per_epoch;
  double v[64], ins[64], cyc[64], cpu[64];
} variant;

#define MAX_VARIANTS 16

/* The group key: cases measured together share their baseline (a case and
 * its peers), so a burst of machine noise hits the numbers of a ratio alike. */
static const char *group_key(const synk_bench_case *c) { return c->baseline ? c->baseline : c->name; }

static void use_isa_for(const variant *v, const char *default_isa) {
  (void)synk_use_isa(strcmp(v->isa, "-") == 0 ? default_isa : v->isa);
}

/* Measure a group of variants with interleaved epochs: setup and calibrate
 * each, then epoch e of every variant before epoch e + 1 of any. */
static void measure_group(const options *o, perf_counters *pc, variant *vs, int nv, const char *default_isa) {
  const double target = o->epoch_ms * 1e6;
  for (int k = 0; k < nv; k++) {
    variant *v = &vs[k];
    use_isa_for(v, default_isa);
    synk_bench_failed = 0;
    v->st = v->c->setup(v->c);
    if (!v->st) {
      v->failed = 1;
      fprintf(stderr, "synk_bench: %s [%s]: setup failed\n", v->c->name, v->isa);
      continue;
    }
    /* warm-up run (caches, page faults, branch predictors), then grow the
     * iteration count until an epoch reaches the target duration */
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
    v->per_epoch = el;
    int epochs = o->epochs;
    if (el * epochs > o->max_case_ms * 1e6) {
      epochs = (int)(o->max_case_ms * 1e6 / el);
      if (epochs < 3) epochs = 3;
      if (epochs > o->epochs) epochs = o->epochs;
    }
    v->epochs = epochs > 64 ? 64 : epochs;
    if (synk_bench_failed) v->failed = 1;
  }
  int max_epochs = 0;
  for (int k = 0; k < nv; k++) max_epochs = vs[k].epochs > max_epochs ? vs[k].epochs : max_epochs;
  for (int e = 0; e < max_epochs; e++) {
    for (int k = 0; k < nv; k++) {
      variant *v = &vs[k];
      if (v->failed || e >= v->epochs) continue;
      use_isa_for(v, default_isa);
      synk_bench_failed = 0;
      if (v->iters >= 4) v->c->run(v->st); /* re-warm caches after the other variants ran */
      double c0 = thread_cpu_ns();
      perf_start(pc);
      double t = time_runs(v->c, v->st, v->iters);
      uint64_t ni, nc;
      perf_stop(pc, &ni, &nc);
      double c1 = thread_cpu_ns();
      double nops = (double)v->iters * (double)v->c->ops;
      v->v[e] = t / nops;
      v->cpu[e] = (c1 - c0) / nops;
      v->ins[e] = (double)ni / nops;
      v->cyc[e] = (double)nc / nops;
      if (synk_bench_failed) v->failed = 1;
    }
  }
  int first = nresults;
  for (int k = 0; k < nv && nresults < MAX_RESULTS; k++) {
    variant *v = &vs[k];
    result *r = &results[nresults++];
    memset(r, 0, sizeof *r);
    r->c = v->c;
    snprintf(r->isa, sizeof r->isa, "%s", v->isa);
    if (v->st) v->c->teardown(v->st);
    if (v->failed) {
      r->failed = 1;
      fprintf(stderr, "synk_bench: %s [%s]: a run returned an unexpected status\n", v->c->name, v->isa);
      continue;
    }
    int n = v->epochs;
    double mn = v->v[0], mx = v->v[0], dev[64];
    for (int e = 0; e < n; e++) {
      mn = v->v[e] < mn ? v->v[e] : mn;
      mx = v->v[e] > mx ? v->v[e] : mx;
    }
    double med = median(v->v, n);
    /* MdAPE: median over epochs of |epoch - median| / epoch */
    for (int e = 0; e < n; e++) dev[e] = v->v[e] > 0 ? fabs(v->v[e] - med) / v->v[e] : 0;
    r->err_pct = 100.0 * median(dev, n);
    r->ns_op = med;
    r->ns_run = med * (double)v->c->ops;
    r->min_ns_op = mn;
    r->max_ns_op = mx;
    r->iters = v->iters;
    r->epochs = (uint64_t)n;
    r->cpu_ns_op = median(v->cpu, n);
    if (v->ins[0] > 0) {
      r->ins_op = median(v->ins, n);
      r->cyc_op = median(v->cyc, n);
    }
  }
  for (int i = first; i < nresults; i++) {
    result *r = &results[i];
    if (r->c->baseline && !r->failed) {
      const result *b = find_result(r->c->baseline, r->isa);
      /* a backend-independent peer compared with a per-ISA case: against the
       * backend synk picks by default here */
      if (!b && strcmp(r->isa, "-") == 0) {
        b = find_result(r->c->baseline, default_isa);
        if (b && (b->c->flags & SYNK_BENCH_PER_ISA)) snprintf(r->rel_isa, sizeof r->rel_isa, "%s", b->isa);
      }
      if (b && !b->failed && r->ns_op > 0) r->relative = b->ns_op / r->ns_op;
    }
    print_row(stdout, r);
  }
  fflush(stdout);
}

/* ---- targets (from the issue; reported, never asserted) ---------------------- */

/* T_BYTES: bytes per motion of the synk stream encoding of the crowd tick
 * (synk_bench_sync_crowd_bytes_per_motion, deterministic: computed, not timed). */
/* T_NET_RATIO: JSON-delta peer bytes / synk bytes per client per tick (bench/cases_net.c
 * figures, deterministic); T_NET_SHARE: the net tick's view bookkeeping as a percentage of
 * the bare apply of the same events (in-case clock phases against net/apply-bare/1e5). */
enum { T_RUN_NS, T_OP_NS, T_FASTER, T_BYTES, T_NET_RATIO, T_NET_SHARE };

typedef struct target {
  const char *what;
  const char *case_name; /* T_BYTES: the case that produces the encoding */
  const char *isa;       /* "-" for cases not run per ISA */
  int kind;
  double limit;        /* ns (T_RUN_NS, T_OP_NS; T_OP_NS is per the case's unit), minimum speedup
                          (T_FASTER) or bytes (T_BYTES) */
  const char *versus;  /* T_FASTER: the case to beat */
} target;

static const target targets[] = {
    {"1000 motions over 100 entities, ids (i*7+13)%100", "motion/batch/peer-7x13", "avx2", T_RUN_NS, 1500, NULL},
    {"1000 motions on one entity", "motion/batch/peer-one", "avx2", T_RUN_NS, 500, NULL},
    {"rehash of 10k entities, no props (AVX2)", "hash/rehash/1e4/p0", "avx2", T_RUN_NS, 5000, NULL},
    {"rehash of 10k entities, no props (AVX-512)", "hash/rehash/1e4/p0", "avx512", T_RUN_NS, 3000, NULL},
    {"rehash of 10k entities faster than XXH3 over the same bytes", "hash/rehash/1e4/p0", "avx2", T_FASTER, 1.0,
     "peer/xxh3/1e4/p0"},
    {"10k distinct random motions over a 10k world", "motion/batch/peer-perm1e4", "avx2", T_RUN_NS, 20000, NULL},
    {"1e6 random motions over a 1e6 world, per motion", "motion/batch/rand-1e6", "avx2", T_OP_NS, 5, NULL},
    {"1e6 random motions: at least 2x faster than naive per-event apply", "motion/batch/rand-1e6", "avx2", T_FASTER,
     2.0, "peer/naive/rand-1e6"},
    {"synk_move on a 10k world", "motion/single/1e4", "avx2", T_OP_NS, 5, NULL},
    /* sync layer (bench/cases_sync.c) */
    {"decode + apply one crowd tick (10k motions) to a 1e5 world without props: >= 300M motions/s",
     "codec/apply/crowd-1e5-p0", "avx2", T_OP_NS, 1e9 / 300e6, NULL},
    {"decode one crowd tick's motion run into columns: >= 1G motions/s", "codec/decode/crowd-1e5", "avx2", T_OP_NS,
     1.0, NULL},
    {"crowd tick encoded: bytes per motion inside a motion run (stream header and check included)", "codec/encode/crowd-1e5",
     "-", T_BYTES, 2.5, NULL},
    {"diff of two 1e5-entity worlds (no props, 1% changed)", "delta/diff/1e5/p0", "avx2", T_RUN_NS, 50000, NULL},
    {"snapshot save of a 1e5-entity world (4 props): >= 2 GB/s", "snapshot/save/1e5", "-", T_OP_NS, 0.5, NULL},
    {"snapshot load (+ rehash check) of the same world: >= 2 GB/s", "snapshot/load/1e5", "avx2", T_OP_NS, 0.5, NULL},
    {"rollback save of a frame (1e4 entities, 2 of 40 chunks changed)", "rollback/save/1e4", "-", T_RUN_NS, 2000,
     NULL},
    {"rollback save, then restore of the previous frame: each operation", "rollback/save-restore/1e4", "-", T_OP_NS,
     2000, NULL},
    /* sessions (bench/cases_session.c, the rollback/8-frame cases of cases_sync.c) */
    {"session overhead per peer-frame, 4 players (input, advance, datagrams out and in)", "session/frame/4p", "-",
     T_OP_NS, 500, NULL},
    {"8-frame rollback of a 1e4 world (a moving group): >= 10x the full-copy peer", "rollback/8-frame/1e4-group",
     "-", T_FASTER, 10.0, "peer/full-copy/8-frame/1e4-group"},
    {"8-frame rollback of a 1e4 world (random movers): >= 10x the full-copy peer", "rollback/8-frame/1e4-random",
     "-", T_FASTER, 10.0, "peer/full-copy/8-frame/1e4-random"},
    /* server-authoritative sync (bench/cases_net.c; the report's "Server-authoritative sync") */
    {"server CPU per client per tick: 1000 clients, 1e5 crowd, 1-cell views (apply + tick + polls)",
     "net/tick/1000c-1e5", "-", T_OP_NS, 2000, NULL},
    {"bytes per client per tick >= 20x fewer than the JSON-delta peer on the same changes", "net/tick/1000c-1e5", "-",
     T_NET_RATIO, 20.0, NULL},
    {"view bookkeeping (upper bound on the view-hash upkeep) <= 15% of the tick's bare apply", "net/tick/1000c-1e5",
     "-", T_NET_SHARE, 15.0, NULL},
};
#define NTARGETS (sizeof targets / sizeof targets[0])

typedef struct target_eval {
  int have;      /* measured in this run */
  double value;  /* ns or speedup */
  int met;
  double margin; /* percent: under the limit (met) or over it (missed) */
} target_eval;

/* The crowd encoding's bytes per motion, computed once (-1: the encoder failed). */
static double crowd_bpm(void) {
  static double v = 0;
  if (v == 0) v = synk_bench_sync_crowd_bytes_per_motion();
  return v;
}

static double net_ratio(void);
static double net_share(void);

static target_eval eval_target(const target *t) {
  target_eval e;
  memset(&e, 0, sizeof e);
  if (t->kind == T_NET_RATIO || t->kind == T_NET_SHARE) {
    double v = t->kind == T_NET_RATIO ? net_ratio() : net_share();
    if (v <= 0) return e;
    e.have = 1;
    e.value = v;
    e.met = t->kind == T_NET_RATIO ? v >= t->limit : v <= t->limit;
    e.margin = 100.0 * fabs(v - t->limit) / t->limit;
    return e;
  }
  if (t->kind == T_BYTES) {
    double v = crowd_bpm();
    if (v <= 0) return e;
    e.have = 1;
    e.value = v;
    e.met = v <= t->limit;
    e.margin = 100.0 * fabs(v - t->limit) / t->limit;
    return e;
  }
  const result *r = find_result(t->case_name, t->isa);
  if (!r || r->failed) return e;
  if (t->kind == T_FASTER) {
    const result *b = find_result(t->versus, t->isa);
    if (!b || b->failed) return e;
    e.have = 1;
    e.value = b->ns_op / r->ns_op;
    e.met = e.value >= t->limit;
    e.margin = 100.0 * fabs(e.value - t->limit) / t->limit;
    return e;
  }
  e.have = 1;
  e.value = t->kind == T_RUN_NS ? r->ns_run : r->ns_op;
  e.met = e.value <= t->limit;
  e.margin = 100.0 * fabs(e.value - t->limit) / t->limit;
  return e;
}

/* The unit a T_OP_NS target's ns are per ("op" when the case is not in the registry). */
static const char *target_unit(const target *t) {
  const synk_bench_case *c = synk_bench_find(t->case_name);
  return c ? c->unit : "op";
}

/* ns per unit as a rate: "2.00 GB/s" for bytes, "300.00M motion/s" otherwise. */
static void fmt_rate(char *out, size_t cap, double ns, const char *unit) {
  if (strcmp(unit, "byte") == 0) {
    if (ns <= 1.0) snprintf(out, cap, "%.2f GB/s", 1.0 / ns);
    else snprintf(out, cap, "%.1f MB/s", 1e3 / ns);
    return;
  }
  char num[32];
  fmt_num(num, sizeof num, 1e9 / ns);
  snprintf(out, cap, "%s %s/s", num, unit);
}

/* A target value with its unit: "0.31 ns /byte (3.21 GB/s)", "1.20x", "2.310 B/motion". */
static void fmt_target_value(char *out, size_t cap, const target *t, double v) {
  if (t->kind == T_FASTER) snprintf(out, cap, "%.2fx", v);
  else if (t->kind == T_NET_RATIO) snprintf(out, cap, "%.1fx fewer bytes", v);
  else if (t->kind == T_NET_SHARE) snprintf(out, cap, "%.1f%% of the apply", v);
  else if (t->kind == T_BYTES) snprintf(out, cap, "%.3f B/motion", v);
  else if (t->kind == T_RUN_NS) fmt_time(out, cap, v);
  else {
    char tm[32], rate[48];
    const char *unit = target_unit(t);
    fmt_time(tm, sizeof tm, v);
    fmt_rate(rate, sizeof rate, v, unit);
    snprintf(out, cap, "%s /%s (%s)", tm, unit, rate);
  }
}

static int isa_built(const char *isa) {
  if (strcmp(isa, "-") == 0) return 1; /* not run per ISA */
  synk_kernels k;
  return synk_kernels_for(isa, &k) == SYNK_OK || find_result("hash/rehash/1e4/p0", isa) != NULL;
}

static void print_targets(FILE *f) {
  int contended = 0, n = 0;
  for (int i = 0; i < nresults; i++) {
    if (results[i].failed || results[i].ns_op <= 0) continue;
    n++;
    contended += results[i].cpu_ns_op < 0.9 * results[i].ns_op;
  }
  if (n && contended * 4 >= n)
    fprintf(f, ":warning: **Busy machine**: %d of %d results got less than 90%% of a CPU (cpu%% column). "
               "Wall-clock times are inflated; the thread-CPU-time column shows what the code cost when it "
               "ran. Rerun on a quiet machine for publishable numbers.\n\n",
            contended, n);
  fprintf(f, "| target | case | isa | goal | measured | status | thread CPU time |\n|:--|:--|:--|--:|--:|:--|--:|\n");
  for (size_t i = 0; i < NTARGETS; i++) {
    const target *t = &targets[i];
    target_eval e = eval_target(t);
    char goal[128], meas[96], status[160], cpu[48] = "-";
    if (t->kind == T_FASTER) snprintf(goal, sizeof goal, ">= %.1fx `%s`", t->limit, t->versus);
    else if (t->kind == T_NET_RATIO) snprintf(goal, sizeof goal, ">= %.1fx fewer bytes", t->limit);
    else {
      char lim[96];
      fmt_target_value(lim, sizeof lim, t, t->limit);
      snprintf(goal, sizeof goal, "<= %s", lim);
    }
    if (e.have) {
      fmt_target_value(meas, sizeof meas, t, e.value);
      if (e.met) snprintf(status, sizeof status, "met (%.0f%% margin)", e.margin);
      else snprintf(status, sizeof status, "**missed by %.0f%%**", e.margin);
      const result *r = find_result(t->case_name, t->isa);
      if (r && !r->failed && (t->kind == T_RUN_NS || t->kind == T_OP_NS)) {
        fmt_time(cpu, sizeof cpu, t->kind == T_RUN_NS ? r->cpu_ns_op * (double)r->c->ops : r->cpu_ns_op);
        if (t->kind == T_OP_NS) {
          strncat(cpu, " /", sizeof cpu - strlen(cpu) - 1);
          strncat(cpu, target_unit(t), sizeof cpu - strlen(cpu) - 1);
        }
      }
    } else {
      snprintf(meas, sizeof meas, "-");
      snprintf(status, sizeof status, "%s",
               !isa_built(t->isa) ? "not measured: backend not built or not runnable here" : "not measured in this run");
    }
    fprintf(f, "| %s | `%s` | %s | %s | %s | %s | %s |\n", t->what, t->case_name, t->isa, goal, meas, status, cpu);
  }
}

/* ---- the best-known peer ------------------------------------------------------ */

/* The best-known peer (ALICE-Sync, Rust) cannot be built here (its crates are
 * not in Debian), so it is not run by this suite. Its figures come from two
 * sources, each labelled as what it is:
 *  - measured side by side: ALICE-Sync 0.6.0 (commit 3bb79ca), built offline
 *    with its dependencies and run on an AMD EPYC (family 26) 2 vCPU VM
 *    on 2026-12-01 in three rounds interleaved with synk_bench in one window;
 *    the peer's API driven on synk's exact bench inputs, setup outside the
 *    timed region, its fastest path per workload; criterion medians vs
 *    synk_bench medians (AVX2). Only ratios from that run are claimed.
 *  - published: the peer's README (Apple M1), for orientation only. */
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
static double peer_case_now(const char *case_name, const char *isa, int unit) {
  if (unit == PU_BYTES) return crowd_bpm();
  const result *r = find_result(case_name, isa);
  if (!r || r->failed) return -1;
  return unit == PU_RUN ? r->ns_run : r->ns_op;
}

static void fmt_peer_value(char *out, size_t cap, double v, int unit) {
  if (v < 0) snprintf(out, cap, "-");
  else if (unit == PU_BYTES) snprintf(out, cap, "%.2f B", v);
  else fmt_time(out, cap, v);
}

static void print_peers(FILE *f) {
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
  for (size_t i = 0; i < sizeof side_by_side / sizeof side_by_side[0]; i++) {
    const peer_row *p = &side_by_side[i];
    char peer[48], then[48], now[48], ratio[48];
    if (p->peer_text) snprintf(peer, sizeof peer, "%s", p->peer_text);
    else fmt_peer_value(peer, sizeof peer, p->peer, p->unit);
    fmt_peer_value(then, sizeof then, p->synk, p->unit);
    fmt_peer_value(now, sizeof now, peer_case_now(p->case_name, p->isa, p->unit), p->unit);
    if (p->unit == PU_BYTES && p->peer_text) snprintf(ratio, sizeof ratio, "%.1fx / %.0fx", p->peer / p->synk, 12.1 / p->synk);
    else snprintf(ratio, sizeof ratio, "%.1fx", p->peer / p->synk);
    fprintf(f, "| %s | `%s` | %s | %s | %s | %s | %s |\n", p->what, p->case_name, p->peer_path, peer, then, ratio,
            now);
  }
  /* said plainly: where the lead is under the 10x synk aims for */
  double lo = 0, hi = 0;
  size_t under = 0, n = 0;
  for (size_t i = 0; i < sizeof side_by_side / sizeof side_by_side[0]; i++) {
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
  fprintf(f, "\n### Published by the peer\n\n"
             "The peer's own README, on its own hardware (Apple M1); not measured here, quoted for orientation "
             "only (different hardware: no ratio is claimed).\n\n");
  fprintf(f, "| workload (the peer's words) | peer (published, M1) | synk case | synk (this run) |\n"
             "|:--|--:|:--|--:|\n");
  for (size_t i = 0; i < sizeof published / sizeof published[0]; i++) {
    const published_row *p = &published[i];
    char pub[48], now[48];
    fmt_peer_value(pub, sizeof pub, p->value, p->unit);
    fmt_peer_value(now, sizeof now, peer_case_now(p->case_name, p->isa, p->unit), p->unit);
    fprintf(f, "| %s | %s | `%s` (%s) | %s%s |\n", p->what, pub, p->case_name, p->isa, now,
            p->synk_note ? p->synk_note : "");
  }
}

/* ---- roofline ---------------------------------------------------------------------- */

/* What a case must move per run (its compulsory traffic, in bytes) and the
 * memory it touches (its working set), by a model stated in `model`; the
 * report sets them against the machine cases (machine/dram, machine/llc)
 * measured in the same run. Entity state is x, y, z, kind + 4 bytes a prop;
 * a random access moves a whole 64-byte line, read and written back. */
typedef struct roof_row {
  const char *case_name, *isa, *model;
  double bytes;       /* per run */
  double working_set; /* bytes */
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

static void print_roofline(FILE *f) {
  const result *dr = find_result("machine/dram/read", "-"), *dl = find_result("machine/dram/latency", "-");
  const result *lr = find_result("machine/llc/read", "-"), *ll = find_result("machine/llc/latency", "-");
  if (!dr || !dl || !lr || !ll || dr->failed || dl->failed || lr->failed || ll->failed) {
    fprintf(f, "Not measured in this run (the machine/* cases did not run).\n");
    return;
  }
  const long l2 = cache_size(2), l3 = cache_size(3);
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
  fprintf(f, "| case | isa | working set | level | model | bandwidth bound | serial misses | measured | of bound | "
             "misses in flight |\n|:--|:--|--:|:--|:--|--:|--:|--:|--:|--:|\n");
  for (size_t i = 0; i < sizeof roofline / sizeof roofline[0]; i++) {
    const roof_row *q = &roofline[i];
    const result *r = find_result(q->case_name, q->isa);
    if (!r || r->failed) continue;
    const int in_llc = l3 > 0 && q->working_set <= (double)l3;
    const int in_l2 = l2 > 0 && q->working_set <= (double)l2;
    const double ns_byte = in_llc ? lr->ns_op : dr->ns_op, lat = in_llc ? ll->ns_op : dl->ns_op;
    const double bound = q->bytes * ns_byte, serial = q->random_lines * lat;
    char ws[32], b[32], sm[32] = "-", meas[32], mif[32] = "-";
    snprintf(ws, sizeof ws, "%.1f MB", q->working_set / 1e6);
    fmt_time(b, sizeof b, bound);
    fmt_time(meas, sizeof meas, r->ns_run);
    if (serial > 0) {
      fmt_time(sm, sizeof sm, serial);
      snprintf(mif, sizeof mif, "%.1f", serial / r->ns_run);
    }
    fprintf(f, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %.0f%% | %s |\n", q->case_name, q->isa, ws,
            in_l2 ? "L2" : in_llc ? "LLC" : "DRAM", q->model, b, sm, meas, 100.0 * bound / r->ns_run, mif);
  }
}

/* ---- scaling ---------------------------------------------------------------------- */

/* Cases named *-2t run their baseline's workload with 2 threads
 * (synk_config.jobs). From the measured speedup S, Amdahl's serial fraction
 * f = 2/S - 1 and what 16 cores would give, 1 / (f + (1 - f)/16) -- a model
 * that ignores memory bandwidth, which caps it sooner for streaming cases. */
static void print_scaling(FILE *f) {
  int any = 0;
  for (int i = 0; i < nresults; i++) {
    const result *r = &results[i];
    const size_t nl = strlen(r->c->name);
    if (r->failed || nl < 3 || strcmp(r->c->name + nl - 3, "-2t") != 0 || !r->c->baseline) continue;
    const result *b = find_result(r->c->baseline, r->isa);
    if (!b || b->failed) continue;
    if (!any)
      fprintf(f, "| case | isa | 1 thread | 2 threads | speedup | serial fraction | model: 16 cores |\n"
                 "|:--|:--|--:|--:|--:|--:|--:|\n");
    any = 1;
    const double sp = b->ns_run / r->ns_run;
    double ser = 2.0 / sp - 1.0;
    if (ser < 0) ser = 0;
    if (ser > 1) ser = 1;
    char t1[32], t2[32];
    fmt_time(t1, sizeof t1, b->ns_run);
    fmt_time(t2, sizeof t2, r->ns_run);
    fprintf(f, "| `%s` | %s | %s | %s | %.2fx | %.2f | %.1fx |\n", b->c->name, r->isa, t1, t2, sp, ser,
            1.0 / (ser + (1.0 - ser) / 16.0));
  }
  if (!any) fprintf(f, "No multi-thread case ran (no pthreads in this build, or filtered out).\n");
}

/* ---- server-authoritative sync (bench/cases_net.c) ------------------------------- */

/* The byte figures, computed once when the net/tick case ran (a fresh setup
 * of its workload over 16 ticks: deterministic, not timed). */
static const synk_bench_net_bytes *net_figures(void) {
  static synk_bench_net_bytes figs;
  static int state = 0; /* 0: not yet, 1: ok, -1: failed or not measured */
  if (!state) {
    const result *r = find_result("net/tick/1000c-1e5", "-");
    state = r && !r->failed && synk_bench_net_figures(&figs) == 0 ? 1 : -1;
  }
  return state > 0 ? &figs : NULL;
}

static double net_ratio(void) {
  const synk_bench_net_bytes *f = net_figures();
  return f && f->have_json && f->synk_bytes > 0 ? f->json_bytes / f->synk_bytes : -1;
}

/* The net tick's view bookkeeping beyond the bare apply of the same events
 * (ns per tick): synk_server_apply + synk_server_tick up to its first
 * encoding (in-case clock medians) minus net/apply-bare/1e5. -1: not measured. */
static double net_bookkeeping_ns(void) {
  const synk_bench_net_timing *ph = synk_bench_net_phases();
  const result *bare = find_result("net/apply-bare/1e5", "-");
  if (!ph->full_runs || !bare || bare->failed || !net_figures()) return -1;
  return ph->full[0] + ph->full[4] - bare->ns_run;
}

static double net_share(void) {
  const result *bare = find_result("net/apply-bare/1e5", "-");
  const double u = net_bookkeeping_ns();
  if (u < 0 || !bare) return -1;
  return u > 0 ? 100.0 * u / bare->ns_run : 1e-9; /* 0 would read as "not measured" */
}

static void print_net(FILE *f) {
  const result *tick = find_result("net/tick/1000c-1e5", "-");
  const synk_bench_net_bytes *b = net_figures();
  if (!tick || tick->failed || !b) {
    fprintf(f, "Not measured in this run (the net/tick/1000c-1e5 case did not run%s).\n",
            tick && !tick->failed ? ", or its byte figures failed: see stderr" : "");
    return;
  }
  const synk_bench_net_timing *ph = synk_bench_net_phases();
  const result *json = find_result("net/tick/1000c-1e5/peer/json-delta", "-");
  const result *snap = find_result("net/tick/1000c-1e5/peer/snapshot", "-");
  const result *zero = find_result("net/tick/0c-1e5", "-"), *bare = find_result("net/apply-bare/1e5", "-");
  const result *eh = find_result("net/entity-hash/1e5", "-"), *join = find_result("net/join/1e5", "-");
  const double clients = (double)b->clients;
  char t1[32], t2[32], t3[32], t4[32];
  fprintf(f,
          "One server (net/, `synk_net.h`) with a 1e5-entity crowd world (4 props; a 10 x 10 grid of 1024-unit "
          "cells, one cell 1%% of the world; 10%% of the entities move per tick by -3..3 in x and y and -1..1 in z, "
          "ticks 4..7 undoing ticks 0..3) and %u clients with one-cell views (10 per cell: %u view groups), all "
          "joined (bench/cases_net.c). %u of the clients are real `synk_client` endpoints whose confirmed hash is "
          "checked against `synk_server_view_hash` after every tick (%" PRIu64 " ticks checked in the timed case, "
          "%" PRIu64 " acks verified, %" PRIu64 " mismatches; in the byte run %" PRIu64 " acks verified, %" PRIu64
          " mismatches); the others are byte sinks. Times: this run's medians, per client per tick = per tick / %u. "
          "Bytes: a fresh setup over %u ticks (deterministic): every byte the server's polls return for a "
          "connection; the JSON peer's are payload bytes only (no transport framing), its moves list only the "
          "fields that changed.\n\n",
          b->clients, b->groups, b->real_clients, ph->checked_ticks, ph->verified, ph->mismatches, b->verified, b->mismatches,
          b->clients, b->ticks);
  fprintf(f, "| quantity | case | measured | issue's target | status |\n|:--|:--|--:|--:|:--|\n");
  /* server CPU */
  fmt_time(t1, sizeof t1, tick->ns_op);
  fmt_time(t2, sizeof t2, (ph->full[0] + ph->full[1] + ph->full[2]) / clients);
  fmt_time(t3, sizeof t3, tick->cpu_ns_op);
  fprintf(f, "| server CPU per client per tick: apply 10k motions + tick + poll every connection | `%s` | %s "
             "(thread CPU time %s; the in-case phase medians below, the real clients' receive left out, sum to %s) | "
             "<= 2 µs, one core | %s |\n",
          tick->c->name, t1, t3, t2, tick->ns_op <= 2000 ? "met" : "**missed**");
  fmt_time(t1, sizeof t1, ph->full[0]);
  fmt_time(t2, sizeof t2, ph->full[1]);
  fmt_time(t3, sizeof t3, ph->full[2]);
  fmt_time(t4, sizeof t4, ph->full[3]);
  fprintf(f, "| ... of which per tick (in-case clock medians) | `%s` | apply %s, tick %s, polls %s; real clients' "
             "receive %s | | |\n",
          tick->c->name, t1, t2, t3, t4);
  /* bytes */
  fprintf(f, "| bytes per client per tick | `%s` | %.1f B (clients' means %.1f..%.1f) | | |\n", tick->c->name,
          b->synk_bytes, b->synk_min, b->synk_max);
  if (b->have_json) {
    const double ratio = b->json_bytes / b->synk_bytes;
    fprintf(f, "| JSON-delta peer, bytes per client per tick | `net/tick/1000c-1e5/peer/json-delta` | %.1f B: "
               "**%.1fx** synk's | synk >= 20x fewer | %s |\n",
            b->json_bytes, ratio, ratio >= 20 ? "met" : "**missed**");
    if (json && !json->failed) {
      fmt_time(t1, sizeof t1, json->ns_op);
      fprintf(f, "| JSON-delta peer, CPU per client per tick (per-view encoding with libjansson, a copy per "
                 "client) | `%s` | %s (%.1fx synk's) | | |\n",
              json->c->name, t1, json->ns_op / tick->ns_op);
    }
  } else {
    fprintf(f, "| JSON-delta peer | - | not built (libjansson-dev was not found at build time) | synk >= 20x fewer "
               "bytes | not measured |\n");
  }
  fprintf(f, "| snapshot per tick of each view's world, bytes per client per tick | "
             "`net/tick/1000c-1e5/peer/snapshot` | %.0f B (%.0fx synk's; the whole world's snapshot: %.0f B) | | |\n",
          b->snapshot_bytes, b->snapshot_bytes / b->synk_bytes, b->world_snapshot_bytes);
  if (snap && !snap->failed) {
    fmt_time(t1, sizeof t1, snap->ns_op);
    fprintf(f, "| snapshot per tick, CPU per client per tick | `%s` | %s (%.1fx synk's) | | |\n", snap->c->name, t1,
            snap->ns_op / tick->ns_op);
  }
  /* join */
  if (join && !join->failed) {
    fmt_time(t1, sizeof t1, join->ns_run);
    fmt_time(t2, sizeof t2, ph->join_total);
    fmt_time(t3, sizeof t3, ph->join_server);
    fmt_time(t4, sizeof t4, ph->join_client);
    fprintf(f, "| join cost per client: HELLO to a loaded snapshot of its one-cell view | `%s` | %s (in-case: "
               "HELLO to live %s = server %s + client %s; %" PRIu64 " B sent); the run includes the kick and close "
               "| | |\n",
            join->c->name, t1, t2, t3, t4, ph->join_bytes);
  }
  /* view-hash upkeep */
  const double u = net_bookkeeping_ns();
  if (u >= 0 && bare && !bare->failed) {
    fmt_time(t1, sizeof t1, bare->ns_run);
    fmt_time(t2, sizeof t2, u);
    fprintf(f, "| view bookkeeping beyond the bare apply, per tick | `%s`, `%s` | %s = **%.1f%%** of the bare "
               "apply (%s) | view hash <= 15%% of the apply | %s |\n",
            tick->c->name, bare->c->name, t2, 100.0 * u / bare->ns_run, t1,
            100.0 * u / bare->ns_run <= 15 ? "met (an upper bound)" : "**missed** (an upper bound: see below)");
    if (zero && !zero->failed) {
      fmt_time(t3, sizeof t3, zero->ns_run - bare->ns_run);
      fprintf(f, "| ... the same with no client (no view group) | `%s` | %s = %.1f%% of the bare apply | | |\n",
              zero->c->name, t3, 100.0 * (zero->ns_run - bare->ns_run) / bare->ns_run);
    }
    if (eh && !eh->failed) {
      fmt_time(t3, sizeof t3, eh->ns_run);
      fprintf(f, "| ... floor: `synk_entity_hash` of the tick's 10k changed entities | `%s` | %s = %.1f%% of the "
                 "bare apply | | |\n",
              eh->c->name, t3, 100.0 * eh->ns_run / bare->ns_run);
    }
  }
  fmt_time(t4, sizeof t4, ph->full[5]);
  fprintf(f,
          "\nWhat the view-hash row measures, exactly: the view hashes cannot be switched off from outside the "
          "library, so the row takes the server's whole bookkeeping for the tick: `synk_server_apply` (the "
          "old-state copy of each changed entity, then the apply) plus `synk_server_tick` from its start to its "
          "first `before_encode` hook (the world tick, then per changed entity its new `synk_entity_hash`, its "
          "cell, the visibility and running sums of the view groups that see it, then the first group's event "
          "list), both medians of clock reads inside `net/tick/1000c-1e5`, minus the bare apply of the same "
          "events (`net/apply-bare/1e5`: `synk_apply_motions` + `synk_tick` on a world without a server). It is "
          "an upper bound on the view-hash upkeep: the view sums are one part of it. The rows below it are "
          "references: the same server with no client (its change tracking alone), and the `synk_entity_hash` "
          "calls any view-hash scheme over the public API needs (the world hash already hashes each changed "
          "entity inside the apply, but does not expose it). Encoding per tick: %s over %u groups (in-case "
          "median, `before_encode` to `after_encode`).\n",
          t4, b->groups);
  if (b->have_json && b->json_sample[0])
    fprintf(f, "\nThe JSON peer's message for one view, first bytes: `%.120s...`\n", b->json_sample);
}

/* ---- reports -------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

static void print_provenance_md(FILE *f, const provenance *p, const options *o) {
  fprintf(f, "| | |\n|:--|:--|\n");
  fprintf(f, "| CPU | %s (family %d, model %d, stepping %d), %ld logical CPUs%s |\n", p->cpu_model, p->cpu_family,
          p->cpu_model_num, p->cpu_stepping, p->ncpu, p->hypervisor ? ", virtual machine (hypervisor flag)" : "");
  fprintf(f, "| CPU flags (synk detection) | %s |\n", p->synk_flags);
  fprintf(f, "| ISAs measured | %s (default: %s) |\n", p->isas, p->default_isa);
  fprintf(f, "| compiler | %s |\n", p->compiler);
  fprintf(f, "| flags | `%s` |\n", SYNK_BENCH_CFLAGS);
  fprintf(f, "| build type | %s |\n", SYNK_BENCH_BUILD_TYPE);
  fprintf(f, "| commit | %s |\n", p->commit);
  fprintf(f, "| date (UTC) | %s |\n", p->date);
  fprintf(f, "| OS | %s, clocksource %s, clock read %.1f ns |\n", p->kernel, p->clocksource, p->timer_ns);
  fprintf(f, "| load average (start / end) | %s / %s |\n", p->load_start, p->load_end);
  fprintf(f, "| perf counters | %s: %s |\n", p->perf_ok ? "available" : "**not available**", p->perf_why);
  fprintf(f, "| method | %d epochs of ~%.0f ms (max %.0f ms a case), median; err%% = median absolute percentage "
             "error; :warning: at err%% >= %.0f%% |\n",
          o->epochs, o->epoch_ms, o->max_case_ms, UNSTABLE_ERR_PCT);
}

static int case_index(const synk_bench_case *c) {
  const synk_bench_case *all;
  synk_bench_cases(&all);
  return (int)(c - all);
}

static const char *isa_order[MAX_ISAS];
static int nisa_order = 0;

static int isa_rank(const char *isa) {
  for (int i = 0; i < nisa_order; i++)
    if (strcmp(isa_order[i], isa) == 0) return i;
  return MAX_ISAS;
}

static int cmp_result(const void *a, const void *b) {
  const result *x = (const result *)a, *y = (const result *)b;
  int cx = case_index(x->c), cy = case_index(y->c);
  if (cx != cy) return cx - cy;
  return isa_rank(x->isa) - isa_rank(y->isa);
}

static const result *sorted[MAX_RESULTS];

static int write_md(const char *path, const provenance *p, const options *o) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "synk_bench: cannot write %s\n", path);
    return 1;
  }
  fprintf(f, "## Provenance\n\n");
  print_provenance_md(f, p, o);
  fprintf(f, "\n## Targets\n\nMeasured by this suite on this machine; reported, never asserted.\n\n");
  print_targets(f);
  fprintf(f, "\n## The best-known peer\n\n");
  print_peers(f);
  fprintf(f, "\n## Roofline\n\n");
  print_roofline(f);
  fprintf(f, "\n## Scaling with threads\n\nThe `*-2t` cases: their single-thread case's workload through "
             "`synk_config.jobs` over a pool of 2 threads (tools/jobs.c), on this 2-vCPU machine; the model "
             "assumes Amdahl's law with the serial fraction the 2-thread speedup implies.\n\n");
  print_scaling(f);
  fprintf(f, "\n## Server-authoritative sync\n\n");
  print_net(f);

  fprintf(f, "\n## Results\n\nns/op: median time per operation (the unit is per case, see the case list). "
             "time/run: one run of the case (e.g. a whole batch). vs baseline: the named baseline's ns/op "
             "divided by this ns/op (above 1 is faster; a peer compared with a per-backend case uses the default "
             "backend's, named in parentheses). Peer rows (`peer/*`) do not depend on the backend "
             "(isa `-`). cpu%%: this thread's CPU time over wall time (below ~95%% the machine took time "
             "away: another process ran).\n\n");
  print_header(f);
  for (int i = 0; i < nresults; i++) print_row(f, sorted[i]);

  /* speedup over scalar */
  fprintf(f, "\n## Speedup over scalar\n\nscalar ns/op divided by the backend's ns/op, same case, same run.\n\n");
  fprintf(f, "| case |");
  for (int k = 1; k < nisa_order; k++) fprintf(f, " %s |", isa_order[k]);
  fprintf(f, "\n|:--|");
  for (int k = 1; k < nisa_order; k++) fprintf(f, "--:|");
  fprintf(f, "\n");
  for (int i = 0; i < nresults; i++) {
    const result *r = sorted[i];
    if (!(r->c->flags & SYNK_BENCH_PER_ISA) || strcmp(r->isa, "scalar") != 0 || r->failed) continue;
    fprintf(f, "| `%s` |", r->c->name);
    for (int k = 1; k < nisa_order; k++) {
      const result *q = find_result(r->c->name, isa_order[k]);
      if (q && !q->failed) fprintf(f, " %.2fx |", r->ns_op / q->ns_op);
      else fprintf(f, " - |");
    }
    fprintf(f, "\n");
  }

  int unstable = 0;
  for (int i = 0; i < nresults; i++) unstable += sorted[i]->err_pct >= UNSTABLE_ERR_PCT;
  if (unstable)
    fprintf(f, "\n:warning: %d result(s) have err%% >= %.0f%%: the machine was busy or the case is noisy; rerun "
               "on a quiet machine before trusting them.\n",
            unstable, UNSTABLE_ERR_PCT);

  fprintf(f, "\n## Codec size\n\nBytes on the wire per motion of each encoding of the same motions "
             "(bench/cases_sync.c): the crowd tick of the `codec/*/crowd-1e5` cases (10000 distinct sorted "
             "motions, deltas -3..3) and one lone motion. Deterministic (fixed seed), not timed. Peers appear when "
             "their Debian package was found at build time (libmsgpack-dev, libprotobuf-c-dev, libzstd-dev).\n");
  fflush(f);
  synk_bench_sync_sizes(f);

  fprintf(f, "\n## Cases\n\n| case | unit | ops/run | description |\n|:--|:--|--:|:--|\n");
  const synk_bench_case *all;
  size_t nc = synk_bench_cases(&all);
  for (size_t i = 0; i < nc; i++) {
    if (!selected(o, &all[i])) continue;
    fprintf(f, "| `%s` | %s | %" PRIu64 " | %s |\n", all[i].name, all[i].unit, all[i].ops, all[i].desc);
  }
  return fclose(f) != 0;
}

static int write_json(const char *path, const provenance *p, const options *o) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "synk_bench: cannot write %s\n", path);
    return 1;
  }
  fprintf(f, "{\n  \"tool\": \"synk_bench\",\n  \"synk_version\": ");
  json_str(f, synk_version());
  fprintf(f, ",\n  \"provenance\": {\n    \"cpu_model\": ");
  json_str(f, p->cpu_model);
  fprintf(f, ",\n    \"cpu_family\": %d, \"cpu_model_number\": %d, \"cpu_stepping\": %d,\n", p->cpu_family,
          p->cpu_model_num, p->cpu_stepping);
  fprintf(f, "    \"logical_cpus\": %ld, \"virtual_machine\": %s,\n    \"cpu_slug\": ", p->ncpu,
          p->hypervisor ? "true" : "false");
  json_str(f, p->slug);
  fprintf(f, ",\n    \"cpu_flags_synk\": ");
  json_str(f, p->synk_flags);
  fprintf(f, ",\n    \"cpu_flags\": ");
  json_str(f, p->cpu_flags_all);
  fprintf(f, ",\n    \"isas\": ");
  json_str(f, p->isas);
  fprintf(f, ",\n    \"default_isa\": ");
  json_str(f, p->default_isa);
  fprintf(f, ",\n    \"compiler\": ");
  json_str(f, p->compiler);
  fprintf(f, ",\n    \"compiler_version_macro\": ");
  json_str(f, __VERSION__);
  fprintf(f, ",\n    \"flags\": ");
  json_str(f, SYNK_BENCH_CFLAGS);
  fprintf(f, ",\n    \"build_type\": ");
  json_str(f, SYNK_BENCH_BUILD_TYPE);
  fprintf(f, ",\n    \"commit\": ");
  json_str(f, p->commit);
  fprintf(f, ",\n    \"date\": ");
  json_str(f, p->date);
  fprintf(f, ",\n    \"os\": ");
  json_str(f, p->kernel);
  fprintf(f, ",\n    \"clocksource\": ");
  json_str(f, p->clocksource);
  fprintf(f, ",\n    \"clock_read_ns\": %.2f,\n    \"loadavg_start\": ", p->timer_ns);
  json_str(f, p->load_start);
  fprintf(f, ",\n    \"loadavg_end\": ");
  json_str(f, p->load_end);
  fprintf(f, ",\n    \"perf_counters\": {\"available\": %s, \"detail\": ", p->perf_ok ? "true" : "false");
  json_str(f, p->perf_why);
  fprintf(f, "},\n    \"method\": {\"epochs\": %d, \"epoch_ms\": %.3f, \"max_case_ms\": %.1f, \"quick\": %s, "
             "\"unstable_err_pct\": %.1f}\n  },\n",
          o->epochs, o->epoch_ms, o->max_case_ms, o->quick ? "true" : "false", UNSTABLE_ERR_PCT);
  fprintf(f, "  \"results\": [\n");
  for (int i = 0; i < nresults; i++) {
    const result *r = sorted[i];
    fprintf(f, "    {\"case\": ");
    json_str(f, r->c->name);
    fprintf(f, ", \"group\": ");
    json_str(f, r->c->group);
    fprintf(f, ", \"param\": ");
    json_str(f, r->c->param);
    fprintf(f, ", \"size\": %.0f, \"isa\": ", r->c->size);
    json_str(f, r->isa);
    fprintf(f, ", \"unit\": ");
    json_str(f, r->c->unit);
    fprintf(f, ", \"ops_per_run\": %" PRIu64 ", \"failed\": %s", r->c->ops, r->failed ? "true" : "false");
    if (!r->failed) {
      fprintf(f, ", \"ns_per_op\": %.4f, \"op_per_s\": %.1f, \"ns_per_run\": %.2f, \"err_pct\": %.3f, "
                 "\"min_ns_per_op\": %.4f, \"max_ns_per_op\": %.4f, \"iters_per_epoch\": %" PRIu64
                 ", \"epochs\": %" PRIu64 ", \"unstable\": %s",
              r->ns_op, 1e9 / r->ns_op, r->ns_run, r->err_pct, r->min_ns_op, r->max_ns_op, r->iters, r->epochs,
              r->err_pct >= UNSTABLE_ERR_PCT ? "true" : "false");
      fprintf(f, ", \"cpu_ns_per_op\": %.4f", r->cpu_ns_op);
      if (r->ins_op > 0) fprintf(f, ", \"instructions_per_op\": %.2f, \"cycles_per_op\": %.2f", r->ins_op, r->cyc_op);
    }
    if (r->c->baseline) {
      fprintf(f, ", \"baseline\": ");
      json_str(f, r->c->baseline);
      if (r->relative > 0) fprintf(f, ", \"relative\": %.4f", r->relative);
      if (r->relative > 0 && r->rel_isa[0]) {
        fprintf(f, ", \"baseline_isa\": ");
        json_str(f, r->rel_isa);
      }
    }
    fprintf(f, "}%s\n", i + 1 < nresults ? "," : "");
  }
  fprintf(f, "  ],\n  \"targets\": [\n");
  for (size_t i = 0; i < NTARGETS; i++) {
    const target *t = &targets[i];
    target_eval e = eval_target(t);
    fprintf(f, "    {\"target\": ");
    json_str(f, t->what);
    fprintf(f, ", \"case\": ");
    json_str(f, t->case_name);
    fprintf(f, ", \"isa\": ");
    json_str(f, t->isa);
    fprintf(f, ", \"metric\": \"%s\", \"limit\": %.4f",
            t->kind == T_RUN_NS        ? "ns_per_run<="
            : t->kind == T_OP_NS       ? "ns_per_op<="
            : t->kind == T_BYTES       ? "bytes_per_motion<="
            : t->kind == T_NET_RATIO   ? "json_bytes_over_synk_bytes>="
            : t->kind == T_NET_SHARE   ? "view_bookkeeping_pct_of_apply<="
                                       : "speedup>=",
            t->limit);
    if (t->kind == T_OP_NS) {
      fprintf(f, ", \"per\": ");
      json_str(f, target_unit(t));
    }
    if (t->versus) {
      fprintf(f, ", \"versus\": ");
      json_str(f, t->versus);
    }
    if (e.have) fprintf(f, ", \"measured\": %.4f, \"met\": %s, \"margin_pct\": %.2f", e.value, e.met ? "true" : "false",
                        e.margin);
    else fprintf(f, ", \"measured\": null");
    fprintf(f, "}%s\n", i + 1 < NTARGETS ? "," : "");
  }
  fprintf(f, "  ]\n}\n");
  return fclose(f) != 0;
}

/* gnuplot data: one table per plot, first column the x value, one column per series. */
static int write_plots(const char *dir) {
  char path[1024];
  const char *groups[][3] = {
      {"rehash_p0", "hash/rehash/", "/p0"}, {"rehash_p4", "hash/rehash/", "/p4"}, {"motion_rand", "motion/batch/rand-", ""}};
  for (size_t g = 0; g < 3; g++) {
    snprintf(path, sizeof path, "%s/%s.dat", dir, groups[g][0]);
    FILE *f = fopen(path, "w");
    if (!f) continue;
    /* series: each ISA, then the peers of the same sizes */
    const char *peer_prefix[3];
    int npeers = 0;
    if (g < 2) peer_prefix[npeers++] = "peer/xxh3/";
    else {
      peer_prefix[npeers++] = "peer/naive/rand-";
      peer_prefix[npeers++] = "peer/qsort/rand-";
      peer_prefix[npeers++] = "peer/vqsort/rand-";
    }
    fprintf(f, "size");
    for (int k = 0; k < nisa_order; k++) fprintf(f, " %s", isa_order[k]);
    for (int q = 0; q < npeers; q++) {
      char nm[64];
      snprintf(nm, sizeof nm, "%s", peer_prefix[q] + 5);
      char *sl = strchr(nm, '/');
      if (sl) *sl = 0;
      fprintf(f, " %s", nm);
    }
    fprintf(f, "\n");
    const char *sizes[] = {"1e3", "1e4", "1e5", "1e6"};
    for (int s = 0; s < 4; s++) {
      char name[96];
      snprintf(name, sizeof name, "%s%s%s", groups[g][1], sizes[s], groups[g][2]);
      const result *any = NULL;
      for (int k = 0; k < nisa_order && !any; k++) any = find_result(name, isa_order[k]);
      if (!any) continue;
      fprintf(f, "%.0f", any->c->size);
      for (int k = 0; k < nisa_order; k++) {
        const result *r = find_result(name, isa_order[k]);
        if (r && !r->failed) fprintf(f, " %.4f", r->ns_op);
        else fprintf(f, " NaN");
      }
      for (int q = 0; q < npeers; q++) {
        char pn[96];
        snprintf(pn, sizeof pn, "%s%s%s", peer_prefix[q], sizes[s], groups[g][2]);
        const result *r = find_result(pn, "-");
        if (r && !r->failed) fprintf(f, " %.4f", r->ns_op);
        else fprintf(f, " NaN");
      }
      fprintf(f, "\n");
    }
    fclose(f);
  }
  /* speedup over scalar per kernel case */
  snprintf(path, sizeof path, "%s/speedup.dat", dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "synk_bench: cannot write %s\n", path);
    return 1;
  }
  fprintf(f, "case");
  for (int k = 1; k < nisa_order; k++) fprintf(f, " %s", isa_order[k]);
  fprintf(f, "\n");
  for (int i = 0; i < nresults; i++) {
    const result *r = sorted[i];
    if (!(r->c->flags & SYNK_BENCH_PER_ISA) || strcmp(r->isa, "scalar") != 0 || r->failed) continue;
    const char *label = r->c->name;
    if (strncmp(label, "motion/batch/", 13) == 0) label += 13;
    else if (strncmp(label, "hash/", 5) == 0) label += 5;
    fprintf(f, "\"%s\"", label);
    for (int k = 1; k < nisa_order; k++) {
      const result *q = find_result(r->c->name, isa_order[k]);
      if (q && !q->failed) fprintf(f, " %.3f", r->ns_op / q->ns_op);
      else fprintf(f, " NaN");
    }
    fprintf(f, "\n");
  }
  return fclose(f) != 0;
}

/* ---- modes ----------------------------------------------------------------------- */

static int run_smoke(const options *o, const char **isas, int nisas) {
  const synk_bench_case *all;
  size_t nc = synk_bench_cases(&all);
  int failures = 0, checks = 0;
  /* digest of the first run of each workload, for cross-checks */
  const char *wl[MAX_RESULTS];
  uint64_t wd[MAX_RESULTS];
  const char *wfrom[MAX_RESULTS];
  int nwl = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (int k = 0; k < (pass == 0 ? 1 : nisas); k++) {
      if (pass == 1 && synk_use_isa(isas[k]) != SYNK_OK) {
        printf("FAIL: synk_use_isa(%s)\n", isas[k]);
        failures++;
        continue;
      }
      for (size_t i = 0; i < nc; i++) {
        const synk_bench_case *c = &all[i];
        int peer = !(c->flags & SYNK_BENCH_PER_ISA);
        if (peer != (pass == 0) || !selected(o, c) || (c->flags & SYNK_BENCH_MACHINE)) continue;
        const char *isa = pass == 0 ? "-" : isas[k];
        uint64_t d = 0;
        char err[200] = "";
        double t0 = now_ns();
        int bad = synk_bench_smoke_one(c, &d, err, sizeof err);
        double ms = (now_ns() - t0) / 1e6;
        checks++;
        if (!bad && c->workload && d) {
          int found = 0;
          for (int q = 0; q < nwl; q++) {
            if (strcmp(wl[q], c->workload) != 0) continue;
            found = 1;
            if (wd[q] != d) {
              snprintf(err, sizeof err, "digest %016" PRIx64 " differs from %016" PRIx64 " of %s", d, wd[q], wfrom[q]);
              bad = 1;
            }
          }
          if (!found && nwl < MAX_RESULTS) {
            wl[nwl] = c->workload;
            wd[nwl] = d;
            wfrom[nwl] = c->name;
            nwl++;
          }
        }
        printf("%s %-36s %-7s digest %016" PRIx64 " %8.1f ms%s%s\n", bad ? "FAIL" : "ok  ", c->name, isa, d, ms,
               bad ? "  " : "", bad ? err : "");
        failures += bad;
      }
    }
  }
  printf("smoke: %d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}

int main(int argc, char **argv) {
  options o;
  if (parse_options(argc, argv, &o) != 0) return 2;
  const synk_bench_case *all;
  size_t nc = synk_bench_cases(&all);

  if (o.config) {
    printf("%s\n", SYNK_BENCH_CONFIG_ID);
    return 0;
  }
  if (o.list) {
    for (size_t i = 0; i < nc; i++)
      printf("%-36s %-22s %8" PRIu64 " %-7s %s%s\n", all[i].name, all[i].group, all[i].ops, all[i].unit,
             all[i].flags & SYNK_BENCH_PER_ISA ? "per-isa" : all[i].flags & SYNK_BENCH_PEER ? "peer" : "once",
             all[i].flags & SYNK_BENCH_KEY ? " key" : "");
    return 0;
  }

  const char *native[MAX_ISAS];
  size_t nn = synk_bench_native_isas(native, MAX_ISAS);
  if (nn > MAX_ISAS) nn = MAX_ISAS;
  const char *isas[MAX_ISAS];
  int nisas = 0;
  if (o.nisas) {
    for (int i = 0; i < o.nisas; i++) {
      if (synk_isa_emulated(o.isas[i]) < 0) {
        fprintf(stderr, "synk_bench: backend %s is not runnable here\n", o.isas[i]);
        return 2;
      }
      isas[nisas++] = o.isas[i];
    }
  } else {
    /* scalar first: it is the reference every speedup divides */
    for (int i = (int)nn - 1; i >= 0; i--) isas[nisas++] = native[i];
  }
  for (int i = 0; i < nisas; i++) isa_order[nisa_order++] = isas[i];

  if (o.list_isas) {
    for (int i = 0; i < nisas; i++) printf("%s\n", isas[i]);
    return 0;
  }
  provenance prov;
  if (o.slug) {
    collect_provenance(&prov, &o);
    printf("%s\n", prov.slug);
    return 0;
  }
  if (o.smoke) return run_smoke(&o, isas, nisas);

  collect_provenance(&prov, &o);
  {
    size_t off = 0;
    for (int i = 0; i < nisas; i++)
      off += (size_t)snprintf(prov.isas + off, sizeof prov.isas - off, "%s%s", i ? ", " : "", isas[i]);
  }
  perf_counters pc;
  perf_init(&pc, &prov);
  print_perf_cols = pc.ok;
  const char *default_isa = prov.default_isa;

  printf("synk_bench: %s | %s | %s %s | commit %s\n", prov.cpu_model, prov.isas, prov.compiler, SYNK_BENCH_BUILD_TYPE,
         prov.commit);
  printf("perf counters: %s%s\n", pc.ok ? "" : "not available: ", prov.perf_why);
  printf("\n");
  print_header(stdout);

  /* groups: a case with its baseline and peers, every variant interleaved */
  static char done[1024];
  static variant vs[MAX_VARIANTS];
  for (size_t i = 0; i < nc && i < sizeof done; i++) {
    if (done[i] || !selected(&o, &all[i])) continue;
    const char *key = group_key(&all[i]);
    int nv = 0;
    for (size_t j = i; j < nc && j < sizeof done; j++) {
      if (done[j] || !selected(&o, &all[j]) || strcmp(group_key(&all[j]), key) != 0) continue;
      done[j] = 1;
      if (all[j].flags & SYNK_BENCH_PER_ISA) {
        for (int k = 0; k < nisas && nv < MAX_VARIANTS; k++) {
          memset(&vs[nv], 0, sizeof vs[nv]);
          vs[nv].c = &all[j];
          vs[nv++].isa = isas[k];
        }
      } else if (nv < MAX_VARIANTS) {
        memset(&vs[nv], 0, sizeof vs[nv]);
        vs[nv].c = &all[j];
        vs[nv++].isa = "-";
      }
    }
    measure_group(&o, &pc, vs, nv, default_isa);
  }
  (void)synk_use_isa(default_isa);
  read_first_line("/proc/loadavg", prov.load_end, sizeof prov.load_end);

  for (int i = 0; i < nresults; i++) sorted[i] = &results[i];
  {
    /* sort a copy of the pointers by (case order, isa order) */
    static result tmp[MAX_RESULTS];
    memcpy(tmp, results, sizeof(result) * (size_t)nresults);
    qsort(tmp, (size_t)nresults, sizeof *tmp, cmp_result);
    memcpy(results, tmp, sizeof(result) * (size_t)nresults);
  }
  printf("\n");
  print_targets(stdout);
  int write_failed = 0;
  if (o.md) write_failed |= write_md(o.md, &prov, &o);
  if (o.json) write_failed |= write_json(o.json, &prov, &o);
  if (o.plots) write_failed |= write_plots(o.plots);

  int failed = 0, unstable = 0;
  for (int i = 0; i < nresults; i++) {
    failed += results[i].failed;
    unstable += results[i].err_pct >= UNSTABLE_ERR_PCT;
  }
  if (unstable)
    printf("\n:warning: %d result(s) unstable (err%% >= %.0f%%): the machine is busy or the case is noisy.\n", unstable,
           UNSTABLE_ERR_PCT);
  if (failed) printf("\nsynk_bench: %d case(s) FAILED\n", failed);
  return failed || write_failed ? 1 : 0;
}
