/* SPDX-License-Identifier: MIT */
/*
 * synk_bench's options: parsed with getopt_long from the C library. Integers
 * are decimal or hex (0x...); every value is checked against its range and a
 * bad one names the option, the range and what was given.
 */
#include "options.h"

#include "stats.h"
#include "synk.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
  fprintf(f,
          "usage: synk_bench [options]\n"
          "  --quick             short epochs (the whole suite in seconds)\n"
          "  --smoke             run every case once per ISA and cross-check digests; no timing\n"
          "  --filter A,B,...    only cases whose name contains one of the substrings\n"
          "  --isa NAME          only this backend (repeatable; default: every native one)\n"
          "  --no-peers          skip peer cases      --peers-only   only peer cases\n"
          "  --epochs N          timed epochs per case, 1..%d (default 21, quick 5)\n"
          "  --epoch-ms X        target epoch duration (default 20, quick 2)\n"
          "  --max-case-ms X     time budget per case; fewer epochs for slow runs (default 4000)\n"
          "  --json FILE         results and provenance as JSON\n"
          "  --md FILE           markdown report (provenance, targets, results, speedups)\n"
          "  --plots DIR         gnuplot data files (bench/plots.gp draws them)\n"
          "  --commit STR        commit to record (default: git in the source tree)\n"
          "  --list | --list-isas | --slug | --config\n"
          "                      print cases / native ISAs / CPU slug / compiler-version-buildtype, exit\n"
          "Values follow the option or an '=' (--epochs=5); integers may be hex (0x15).\n",
          BENCH_MAX_EPOCHS);
}

/* An integer in lo..hi, decimal or hex with a 0x prefix. */
static int parse_int(const char *opt, const char *v, long lo, long hi, int *out) {
  const int hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
  char *end = NULL;
  errno = 0;
  long x = strtol(v, &end, hex ? 16 : 10);
  if (!*v || *end || errno || x < lo || x > hi) {
    fprintf(stderr, "synk_bench: --%s must be an integer %ld..%ld (decimal or 0x hex), not '%s'\n", opt, lo, hi, v);
    return -1;
  }
  *out = (int)x;
  return 0;
}

/* A number above 0 and at most hi. */
static int parse_positive(const char *opt, const char *v, double hi, double *out) {
  char *end = NULL;
  errno = 0;
  double x = strtod(v, &end);
  if (!*v || *end || errno || !isfinite(x) || !(x > 0) || x > hi) {
    fprintf(stderr, "synk_bench: --%s must be a number above 0 and at most %g, not '%s'\n", opt, hi, v);
    return -1;
  }
  *out = x;
  return 0;
}

/* --isa NAME: a backend runnable here (native or emulated), at most BENCH_MAX_ISAS. */
static int add_isa(bench_options *o, const char *v) {
  if (synk_isa_emulated(v) < 0) {
    const char *names[16];
    size_t n = synk_isa_list(names, 16);
    fprintf(stderr, "synk_bench: --isa %s: not a backend runnable here (runnable:", v);
    for (size_t i = 0; i < n && i < 16; i++) fprintf(stderr, " %s", names[i]);
    fprintf(stderr, ")\n");
    return -1;
  }
  if (o->nisas == BENCH_MAX_ISAS) {
    fprintf(stderr, "synk_bench: --isa may be given at most %d times\n", BENCH_MAX_ISAS);
    return -1;
  }
  o->isas[o->nisas++] = v;
  return 0;
}

/* An option getopt_long did not take: unknown, or a flag given a value. */
static void complain_unknown(const char *arg, const struct option *opts) {
  const char *eq = strchr(arg, '=');
  if (eq && strncmp(arg, "--", 2) == 0)
    for (const struct option *p = opts; p->name; p++)
      if (p->has_arg == no_argument && strlen(p->name) == (size_t)(eq - arg - 2) &&
          strncmp(p->name, arg + 2, (size_t)(eq - arg - 2)) == 0) {
        fprintf(stderr, "synk_bench: --%s takes no value\n", p->name);
        return;
      }
  fprintf(stderr, "synk_bench: unknown option %s\n", arg);
  usage(stderr);
}

enum { O_FILTER = 256, O_ISA, O_EPOCHS, O_EPOCH_MS, O_MAX_CASE_MS, O_JSON, O_MD, O_PLOTS, O_COMMIT };

/* One option with a value; 0, or -1 after a message. */
static int take_value(bench_options *o, int opt, const char *name, const char *v) {
  switch (opt) {
  case O_FILTER: o->filter = v; return 0;
  case O_ISA: return add_isa(o, v);
  case O_EPOCHS: return parse_int(name, v, 1, BENCH_MAX_EPOCHS, &o->epochs);
  case O_EPOCH_MS: return parse_positive(name, v, 60000, &o->epoch_ms);
  case O_MAX_CASE_MS: return parse_positive(name, v, 3600000, &o->max_case_ms);
  case O_JSON: o->json = v; return 0;
  case O_MD: o->md = v; return 0;
  case O_PLOTS: o->plots = v; return 0;
  case O_COMMIT: o->commit = v; return 0;
  default: return -1;
  }
}

int bench_parse_options(int argc, char **argv, bench_options *o) {
  memset(o, 0, sizeof *o);
  o->epochs = -1;
  o->epoch_ms = -1;
  o->max_case_ms = -1;
  const struct option opts[] = {
      {"quick", no_argument, &o->quick, 1},         {"smoke", no_argument, &o->smoke, 1},
      {"list", no_argument, &o->list, 1},           {"list-isas", no_argument, &o->list_isas, 1},
      {"slug", no_argument, &o->slug, 1},           {"config", no_argument, &o->config, 1},
      {"no-peers", no_argument, &o->no_peers, 1},   {"peers-only", no_argument, &o->peers_only, 1},
      {"filter", required_argument, NULL, O_FILTER}, {"isa", required_argument, NULL, O_ISA},
      {"epochs", required_argument, NULL, O_EPOCHS}, {"epoch-ms", required_argument, NULL, O_EPOCH_MS},
      {"max-case-ms", required_argument, NULL, O_MAX_CASE_MS},
      {"json", required_argument, NULL, O_JSON},     {"md", required_argument, NULL, O_MD},
      {"plots", required_argument, NULL, O_PLOTS},   {"commit", required_argument, NULL, O_COMMIT},
      {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
  opterr = 0; /* the messages below name the option */
  int c, idx = -1;
  while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
    if (c == 'h') {
      usage(stdout);
      return 1;
    }
    if (c == ':') {
      fprintf(stderr, "synk_bench: %s needs a value\n", argv[optind - 1]);
      return -1;
    }
    if (c == '?') {
      complain_unknown(argv[optind - 1], opts);
      return -1;
    }
    if (c != 0 && take_value(o, c, opts[idx].name, optarg) != 0) return -1;
    idx = -1;
  }
  if (optind < argc) {
    fprintf(stderr, "synk_bench: unexpected argument %s\n", argv[optind]);
    usage(stderr);
    return -1;
  }
  if (o->epochs < 0) o->epochs = o->quick ? 5 : 21;
  if (o->epoch_ms < 0) o->epoch_ms = o->quick ? 2 : 20;
  if (o->max_case_ms < 0) o->max_case_ms = o->quick ? 150 : 4000;
  return 0;
}

static int matches(const bench_options *o, const synk_bench_case *c) {
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

int bench_selected(const bench_options *o, const synk_bench_case *c) {
  if (matches(o, c)) return 1;
  if (!o->filter || o->smoke) return 0;
  if ((c->flags & SYNK_BENCH_PEER) && o->no_peers) return 0;
  const synk_bench_case *all;
  size_t n = synk_bench_cases(&all);
  for (size_t i = 0; i < n; i++)
    if (all[i].baseline && strcmp(all[i].baseline, c->name) == 0 && matches(o, &all[i])) return 1;
  return 0;
}
