/* SPDX-License-Identifier: MIT */
/*
 * The benchmark case registry: one table, run by the C harness
 * (synk_bench: bench/runner.c), the google-benchmark shim (bench/gbench.cc), the smoke
 * tests and the instruction-count mode.
 *
 * A case is setup -> run (timed, repeated) -> teardown. Setup builds the world
 * and generates every input from a fixed seed (support/rng.h) and is never
 * timed. One run performs exactly `ops` operations of the case's unit (one
 * motion, one entity hashed, one event...). Runs may be repeated any number of
 * times on the same state: a batch-motion run keeps moving the same entities
 * (positions drift and wrap, the work per run stays identical).
 *
 * Cases flagged SYNK_BENCH_PER_ISA exercise the kernel table and are run once
 * for every native backend (synk_use_isa before each set). The others (peers,
 * reference points) do not depend on the backend and run once.
 *
 * Each case file (cases.c, cases_sync.c, cases_session.c, cases_net.c,
 * cases_machine.c) contributes a synk_bench_file: its cases, the targets it
 * promises (goals as data: case, backend, goal, comparison), the sections of
 * the markdown report it writes and the plots it draws. The registry in
 * cases.c lists the files; synk_bench_cases() returns every case as one
 * contiguous table. The harness reads results through synk_bench_results and
 * names no case: adding a case file with its section touches no reporter.
 */
#ifndef SYNK_BENCH_CASES_H
#define SYNK_BENCH_CASES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  SYNK_BENCH_PER_ISA = 1u << 0, /* depends on the kernel backend: run per native ISA */
  SYNK_BENCH_PEER = 1u << 1,    /* a comparison point, not synk's own code path */
  SYNK_BENCH_KEY = 1u << 2,     /* gated by the instruction-count regression test */
  SYNK_BENCH_HEAVY = 1u << 3,   /* 1e6-sized setup: left out of the gbench smoke test */
  SYNK_BENCH_MACHINE = 1u << 4  /* measures the machine (DRAM), not synk: no smoke run */
};

typedef struct synk_bench_case synk_bench_case;

struct synk_bench_case {
  const char *name;     /* unique, "group/param", e.g. "motion/batch/peer-7x13" */
  const char *group;    /* e.g. "hash/rehash", "motion/batch", "peer/naive" */
  const char *param;    /* human-readable parameter, e.g. "n=1e4 props=0" */
  double size;          /* the numeric parameter (entities or motions), for plots */
  uint64_t ops;         /* operations per run */
  const char *unit;     /* what one operation is: "motion", "entity", ... */
  unsigned flags;       /* SYNK_BENCH_* */
  const char *baseline; /* case name the relative column compares with, or NULL */
  const char *kernel;   /* kernel family for the speedup-over-scalar plot, or NULL */
  const char *workload; /* cases with equal workload reach equal digests after
                           one run from a fresh setup (smoke cross-check) */
  const char *desc;     /* one line for the report */
  void *(*setup)(const synk_bench_case *c); /* untimed; NULL on failure */
  void (*run)(void *st);                     /* timed: exactly `ops` operations */
  void (*teardown)(void *st);
  /* Digest of the state/result (world hash or computed hash); 0 = none. For
   * world cases the smoke mode also checks synk_hash == synk_rehash. */
  uint64_t (*digest)(void *st);
  /* The world a case mutates, if any (smoke checks), or NULL. */
  const void *(*world)(void *st);
  const void *arg; /* the case's parameters (private to cases.c) */
};

/* A world of `cap` ids, all alive, with kinds, positions and `nprops`
 * properties drawn from a PRNG seeded with `seed` (the world's hash seed is
 * fixed). NULL on failure. Untimed setup helper shared by the case files. */
struct synk_world *synk_bench_make_world(uint32_t cap, uint32_t nprops, uint64_t seed);

/* The registry: *out points to the static table; returns its length. One
 * contiguous array (the harness orders results by pointer difference): the
 * cases of every case file (synk_bench_files, in that order), built on the
 * first call (not thread-safe; the harnesses call it from one thread). */
size_t synk_bench_cases(const synk_bench_case **out);

/* The case called `name`, or NULL. */
const synk_bench_case *synk_bench_find(const char *name);

/* ---- results, as targets and report sections see them ------------------------ */

/* One case measured on one backend (the C harness fills it). */
typedef struct synk_bench_result {
  const synk_bench_case *c;
  char isa[32];            /* backend, or "-" for cases not run per ISA */
  double ns_op, ns_run;    /* medians over epochs: per operation (the case's unit), per run */
  double err_pct;          /* median absolute percentage error of the epochs around the median */
  double min_ns_op, max_ns_op;
  uint64_t iters, epochs;  /* runs per epoch, epochs */
  double ins_op, cyc_op;   /* hardware counters per operation; 0 when unavailable */
  double cpu_ns_op;        /* median thread CPU time per operation */
  int failed;
  double relative;         /* the baseline's ns/op / this ns/op; 0 when no baseline */
  char rel_isa[32];        /* the baseline's backend when it differs from isa (a peer against a
                              per-ISA case: the default backend), else empty */
} synk_bench_result;

/* A run's results, in registry order (backends in the order measured). */
typedef struct synk_bench_results {
  const synk_bench_result *r;
  size_t n;
  const char *default_isa; /* the backend synk picks on this machine */
} synk_bench_results;

/* The result of case `name` on backend `isa` (ignored for a case not run per
 * ISA), failed or not; NULL when it did not run. */
const synk_bench_result *synk_bench_result_of(const synk_bench_results *rs, const char *name, const char *isa);

/* The same, but NULL also when the case failed: a result to quote. */
const synk_bench_result *synk_bench_measured(const synk_bench_results *rs, const char *name, const char *isa);

/* Times, counts and rates as the report writes them: "1.234 µs", "1.50M",
 * "2.00 GB/s" or "300.00M motion/s" (a time per `unit`, as a rate). */
void synk_bench_fmt_time(char *out, size_t cap, double ns);
void synk_bench_fmt_num(char *out, size_t cap, double v);
void synk_bench_fmt_rate(char *out, size_t cap, double ns, const char *unit);

/* ---- targets: the goals a case file promises ------------------------------------ */

/* How a target's measured value is compared with its goal. */
enum {
  SYNK_BENCH_GOAL_RUN_NS,     /* the case's ns per run <= goal */
  SYNK_BENCH_GOAL_OP_NS,      /* the case's ns per operation (its unit) <= goal */
  SYNK_BENCH_GOAL_SPEEDUP,    /* `versus`'s ns/op over the case's >= goal */
  SYNK_BENCH_GOAL_FIGURE_MAX, /* figure(results) <= goal, in `unit` */
  SYNK_BENCH_GOAL_FIGURE_MIN  /* figure(results) >= goal, in `unit` */
};

/* One goal, reported (measured against it in words), never asserted. A
 * figure is a quantity other than the case's own time (bytes per motion, a
 * ratio of two peers' bytes...), computed from the run's results; the case
 * is the one that produces it. */
typedef struct synk_bench_target {
  const char *what;      /* the promise in words */
  const char *case_name; /* the case measured */
  const char *isa;       /* its backend, "-" for a case not run per ISA */
  int compare;           /* SYNK_BENCH_GOAL_* */
  double goal;           /* ns, a speedup, or a figure in `unit` */
  const char *versus;    /* SYNK_BENCH_GOAL_SPEEDUP: the case to beat */
  const char *unit;      /* figures: written right after the number (" B/motion", "x fewer bytes") */
  int digits;            /* figures: decimals written */
  const char *metric;    /* figures: the JSON metric's name ("bytes_per_motion") */
  double (*figure)(const synk_bench_results *rs); /* figures: the value, <= 0 when not measured */
} synk_bench_target;

/* Table rows, one per kind of goal. */
#define SYNK_BENCH_RUN_AT_MOST(what, name, isa, ns) \
  {(what), (name), (isa), SYNK_BENCH_GOAL_RUN_NS, (ns), NULL, NULL, 0, NULL, NULL}
#define SYNK_BENCH_OP_AT_MOST(what, name, isa, ns) \
  {(what), (name), (isa), SYNK_BENCH_GOAL_OP_NS, (ns), NULL, NULL, 0, NULL, NULL}
#define SYNK_BENCH_SPEEDUP_AT_LEAST(what, name, isa, x, versus) \
  {(what), (name), (isa), SYNK_BENCH_GOAL_SPEEDUP, (x), (versus), NULL, 0, NULL, NULL}
#define SYNK_BENCH_FIGURE_AT_MOST(what, name, isa, goal, unit, digits, metric, fn) \
  {(what), (name), (isa), SYNK_BENCH_GOAL_FIGURE_MAX, (goal), NULL, (unit), (digits), (metric), (fn)}
#define SYNK_BENCH_FIGURE_AT_LEAST(what, name, isa, goal, unit, digits, metric, fn) \
  {(what), (name), (isa), SYNK_BENCH_GOAL_FIGURE_MIN, (goal), NULL, (unit), (digits), (metric), (fn)}

/* ---- report sections and plots -------------------------------------------------- */

/* A "## title" section of the markdown report: the harness writes the
 * heading, write() the body. Sections are placed by rank (ascending): below
 * SYNK_BENCH_RANK_RESULTS between the Targets and the Results tables, at or
 * above it between the Results tables (with Speedup over scalar) and the
 * list of cases. Today: 10 The best-known peer, 20 Roofline, 30 Scaling
 * with threads, 40 Server-authoritative sync, RESULTS + 10 Codec size.
 * bench/run.sh finds sections by their titles: keep them stable. */
enum { SYNK_BENCH_RANK_RESULTS = 100 };
typedef struct synk_bench_section {
  const char *title;
  int rank;
  void (*write)(FILE *f, const synk_bench_results *rs);
} synk_bench_section;

/* A gnuplot data file of ns/op against size (bench/plots.gp draws it): one
 * row per size for which the case ran, the case's name being `name` with
 * the size in place of its '*'; a column per backend, then one per peer
 * pattern (the peer's name the same way, the column named by the peer's
 * group without "peer/"). */
typedef struct synk_bench_plot {
  const char *file;         /* DIR/<file>.dat */
  const char *name;         /* '*' where the size goes, e.g. "motion/batch/rand-*" */
  const char *peers[4];     /* NULL-terminated */
  const char *sizes[8];     /* NULL-terminated */
} synk_bench_plot;

/* ---- the registry: what each case file contributes ----------------------------- */

typedef struct synk_bench_file {
  const synk_bench_case *cases;
  size_t ncases;
  const synk_bench_target *targets;
  size_t ntargets;
  const synk_bench_section *sections;
  size_t nsections;
  const synk_bench_plot *plots;
  size_t nplots;
  /* prefixes dropped from its case names where room is short (the speedup
   * plot's labels), NULL-terminated, or NULL */
  const char *const *short_prefixes;
} synk_bench_file;

/* Every case file's contribution, in registry order (bench/cases.c). */
size_t synk_bench_files(const synk_bench_file *const **out);

/* The case files (each defines its own): the kernel cases (cases.c), the
 * sync layer (cases_sync.c), sessions, server-authoritative sync, the
 * machine, and the best-known peer (best_peer.c: a report section, no case). */
extern const synk_bench_file synk_bench_file_sync, synk_bench_file_session, synk_bench_file_net,
    synk_bench_file_machine, synk_bench_file_best_peer;

/* bench/cases_sync.c: bytes per motion of the synk stream encoding of one
 * crowd tick (10000 sorted motions in one motion run, stream header and
 * check included): the first row of the report's Codec size table. -1 on
 * failure. */
double synk_bench_sync_crowd_bytes_per_motion(void);

/* Native (not emulated) backends runnable here, best first. Returns the count
 * (at most cap written). */
size_t synk_bench_native_isas(const char **names, size_t cap);

/* Run `c` once from a fresh setup and check it: the run succeeded, a world
 * case keeps synk_hash == synk_rehash. Writes the digest. Returns 0 on
 * success, else 1 with a message in err (cap bytes). */
int synk_bench_smoke_one(const synk_bench_case *c, uint64_t *digest, char *err, size_t cap);

/* Set by a run that hit an unexpected status (the harness checks it: a broken
 * benchmark must not report a number). Cleared by synk_bench_smoke_one. */
extern volatile int synk_bench_failed;

#ifdef __cplusplus
}
#endif

#endif
