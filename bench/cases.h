/* SPDX-License-Identifier: MIT */
/*
 * The benchmark case registry: one table, run by the C harness
 * (bench/harness.c), the google-benchmark shim (bench/gbench.cc), the smoke
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
 * The sync layer's cases (codec, snapshot, delta, rollback and the codec
 * peers) live in bench/cases_sync.c; synk_bench_cases() returns them appended
 * to the kernel cases of bench/cases.c, as one contiguous table.
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
 * kernel cases of cases.c followed by the sync cases of cases_sync.c, built
 * on the first call (not thread-safe; the harnesses call it from one thread). */
size_t synk_bench_cases(const synk_bench_case **out);

/* The case called `name`, or NULL. */
const synk_bench_case *synk_bench_find(const char *name);

/* bench/cases_sync.c and bench/cases_machine.c: their own tables (appended
 * by synk_bench_cases; use that). */
size_t synk_bench_sync_cases(const synk_bench_case **out);
size_t synk_bench_machine_cases(const synk_bench_case **out);
size_t synk_bench_session_cases(const synk_bench_case **out); /* bench/cases_session.c */
size_t synk_bench_net_cases(const synk_bench_case **out);     /* bench/cases_net.c */

/* bench/cases_net.c: medians of the clock phases read inside the net/
 * cases' runs (ns; 0 when the case did not run): [0] synk_server_apply, [1]
 * synk_server_tick, [2] polling every connection (the real clients' receive
 * taken out), [3] the real clients' receive, [4] synk_server_tick's start to
 * its first before_encode hook, [5] the encodings (before_encode to
 * after_encode, summed over the groups). full: net/tick/1000c-1e5, zero:
 * net/tick/0c-1e5. */
typedef struct synk_bench_net_timing {
  double full[6], zero[6];
  uint64_t full_runs, zero_runs;
  uint64_t verified, mismatches, checked_ticks; /* net/tick/1000c-1e5's real clients */
  double join_total, join_server, join_client;            /* net/join/1e5, ns */
  uint64_t join_runs, join_bytes;
} synk_bench_net_timing;
const synk_bench_net_timing *synk_bench_net_phases(void);

/* bench/cases_net.c: the byte figures of the net/tick workload, from a fresh
 * setup over 2 cycles of its 8 ticks (deterministic, not timed). Per client
 * per tick: synk (every byte polled for a connection), the JSON-delta peer
 * (payload bytes, no transport framing) and the snapshot-per-tick peer.
 * Returns 0, or -1 when a step failed (a client's hash differed, the peer
 * and synk saw different changes). */
typedef struct synk_bench_net_bytes {
  uint32_t ticks, clients, groups, real_clients;
  double synk_bytes, synk_min, synk_max; /* mean, and the lowest / highest client's mean */
  double synk_changes, json_changes;     /* changes per tick summed over the views */
  int have_json;
  double json_bytes, snapshot_bytes, world_snapshot_bytes;
  uint64_t verified, mismatches;
  char json_sample[160];
} synk_bench_net_bytes;
int synk_bench_net_figures(synk_bench_net_bytes *f);

/* bench/cases_sync.c: the markdown table of bytes per motion of every
 * encoding (synk stream and the codec peers built in) for the crowd tick and
 * a lone motion, written to f. */
void synk_bench_sync_sizes(FILE *f);

/* bench/cases_sync.c: bytes per motion of the synk stream encoding of one
 * crowd tick (10000 sorted motions in one motion run, stream header
 * included): the figure of synk_bench_sync_sizes's first row. -1 on failure. */
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
