/* SPDX-License-Identifier: MIT */
/*
 * synk_icount: the counted binary of the instruction-count gate
 * (bench/icount.sh). It runs the key cases of the case registry between
 * callgrind client requests, and nothing else: it is linked from a copy of the
 * registry built without any peer (no libhwy, libxxhash, msgpack, zstd,
 * jansson, libstdc++, no threads), so what valgrind executes is synk's code,
 * the C library and the case setup -- never a peer library's load-time code
 * (libhwy's static initializer probes CPU timers with instructions that
 * valgrind 3.19 cannot run on every CPU: SIGILL before main on a Zen 5 host).
 *
 * The counted region of each case is exactly `runs` runs (the harness's timed
 * region); setup and one warm-up run stay outside. Each case's counts are
 * dumped under "<case>@<isa>", and one line per case on stdout says how many
 * operations the region performed:
 *
 *   icount <case> <isa> <ops>
 *
 * usage: synk_icount [--isa NAME] [--runs N] [--filter NAME[,NAME...]]
 *        synk_icount --list-isas
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "synk.h"

#ifdef SYNK_BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

static void usage(FILE *f) {
  fprintf(f,
          "usage: synk_icount [--isa NAME] [--runs N] [--filter NAME[,NAME...]]\n"
          "       synk_icount --list-isas\n"
          "Runs the key benchmark cases between callgrind client requests (bench/icount.sh).\n"
          "  --isa NAME     backend to count (default: the dispatcher's choice)\n"
          "  --runs N       runs inside the counted region, 1..1000 (default 4)\n"
          "  --filter LIST  these cases (comma-separated names) instead of the key cases\n"
          "  --list-isas    print the native backends runnable here, best first\n");
}

/* Is `name` one of the comma-separated names of `list`? */
static int listed(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && memcmp(p, name, n) == 0) return 1;
    if (!e) break;
    p = e + 1;
  }
  return 0;
}

static int count_case(const synk_bench_case *c, int runs, const char *isa) {
  synk_bench_failed = 0;
  void *st = c->setup(c);
  if (!st) {
    fprintf(stderr, "synk_icount: %s: setup failed\n", c->name);
    return 1;
  }
  c->run(st); /* warm-up, outside the count */
  char label[160];
  snprintf(label, sizeof label, "%s@%s", c->name, isa);
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  for (int r = 0; r < runs; r++) c->run(st);
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT(label);
  c->teardown(st);
  if (synk_bench_failed) {
    fprintf(stderr, "synk_icount: %s: unexpected status\n", c->name);
    return 1;
  }
  printf("icount %s %s %" PRIu64 "\n", c->name, isa, (uint64_t)runs * c->ops);
  return 0;
}

int main(int argc, char **argv) {
  const char *isa = NULL, *filter = NULL;
  int runs = 4;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--list-isas") == 0) {
      const char *names[16];
      size_t n = synk_bench_native_isas(names, 16);
      for (size_t k = 0; k < n && k < 16; k++) printf("%s\n", names[k]);
      return 0;
    } else if ((strcmp(a, "--isa") == 0 || strcmp(a, "--runs") == 0 || strcmp(a, "--filter") == 0) && i + 1 < argc) {
      const char *v = argv[++i];
      if (a[2] == 'i') {
        isa = v;
      } else if (a[2] == 'f') {
        filter = v;
      } else {
        char *end;
        long r = strtol(v, &end, 10);
        if (*end || r < 1 || r > 1000) {
          fprintf(stderr, "synk_icount: --runs: '%s' is not an integer in 1..1000\n", v);
          return 2;
        }
        runs = (int)r;
      }
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "synk_icount: unknown or incomplete option '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (isa && synk_use_isa(isa) != SYNK_OK) {
    fprintf(stderr, "synk_icount: backend %s not runnable here\n", isa);
    return 2;
  }
  const synk_bench_case *all;
  size_t nc = synk_bench_cases(&all);
  int n = 0;
  for (size_t i = 0; i < nc; i++) {
    const synk_bench_case *c = &all[i];
    if (filter ? !listed(filter, c->name) : !(c->flags & SYNK_BENCH_KEY)) continue;
    if (count_case(c, runs, synk_isa())) return 1;
    n++;
  }
  fflush(stdout);
  if (!n) fprintf(stderr, "synk_icount: no case selected\n");
  return n ? 0 : 1;
}
