/* SPDX-License-Identifier: MIT */
/*
 * `synk sim`: a deterministic simulation from a seed, for whole-process
 * benchmarks (hyperfine, bench/run.sh) and for cross-ISA determinism checks:
 * every backend must print the same hash for the same options.
 *
 * The world starts with ~90% of its ids alive (churn then settles it near
 * half). Each tick: a crowd batch
 * (10% of the live entities pushed by small deltas in clustered runs of ids,
 * through synk_apply_motions), a few spawns and despawns, property writes and
 * single synk_move calls, then synk_tick. Every --verify-every ticks and at the
 * end, synk_rehash must equal synk_hash. All randomness comes from the
 * fixed PRNG of support/rng.h, never from the library.
 *
 * The whole command lives here, in support/, because two programs run it:
 * the CLI (`synk sim`) and the benchmark suite's stand-alone synk_sim
 * (bench/sim_main.c, timed by hyperfine).
 */
#include "sim.h"

#include "opt.h"
#include "rng.h"
#include "synk.h"
#if defined(SYNK_SUPPORT_HAVE_JOBS)
#include "jobs.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct sim_opts {
  uint64_t seed;
  uint64_t ticks;
  uint32_t entities;
  uint32_t props;
  uint64_t verify_every;
  const char *isa;
  int verbose;
  uint64_t threads;
} sim_opts;

const char synk_sim_usage[] =
    "usage: synk sim [--seed N] [--ticks N] [--entities N] [--props N] [--isa NAME]\n"
    "                [--verify-every N] [--threads N] [-v]\n"
    "Runs a deterministic scenario and prints the final world hash (16 hex digits).\n"
    "Every backend prints the same hash for the same options.\n"
    "  --seed N          scenario seed (default 1)\n"
    "  --ticks N         ticks to simulate (default 1000)\n"
    "  --entities N      world capacity, about half of it alive (default 100000)\n"
    "  --props N         property slots, 0..16 (default 4)\n"
    "  --isa NAME        kernel backend (default: SYNK_ISA or the best native one)\n"
    "  --verify-every N  check synk_rehash == synk_hash every N ticks (default 100; 0: end only)\n"
    "  --threads N       run the large calls on N threads (synk_config.jobs over a pthread\n"
    "                    pool; default 1); the hash is the same for every N\n"
    "  -v                a summary on stderr\n"
    "Exits 0 on success, 1 when a check failed, 2 on a usage error.\n";

/* option keys: long options only (-v is the one short option) */
enum { SIM_SEED = 256, SIM_TICKS, SIM_ENTITIES, SIM_PROPS, SIM_ISA, SIM_VERIFY_EVERY, SIM_THREADS };

static const synk_opt sim_options[] = {
    {"seed", SIM_SEED, SYNK_OPT_NUMBER, 0, UINT64_MAX, NULL},
    {"ticks", SIM_TICKS, SYNK_OPT_NUMBER, 0, UINT64_MAX, NULL},
    {"entities", SIM_ENTITIES, SYNK_OPT_NUMBER, 64, SYNK_MAX_ENTITIES_LIMIT, NULL},
    {"props", SIM_PROPS, SYNK_OPT_NUMBER, 0, SYNK_MAX_PROPS, NULL},
    {"isa", SIM_ISA, SYNK_OPT_STRING, 0, 0, NULL},
    {"verify-every", SIM_VERIFY_EVERY, SYNK_OPT_NUMBER, 0, UINT64_MAX, NULL},
    {"threads", SIM_THREADS, SYNK_OPT_NUMBER, 1, SYNK_MAX_TASKS, NULL},
    {"verbose", 'v', SYNK_OPT_FLAG, 0, 0, NULL},
};

/* -1: run; otherwise the exit status (0 after --help, 2 on a usage error) */
static int sim_parse(int argc, char **argv, sim_opts *o) {
  memset(o, 0, sizeof *o);
  o->seed = 1;
  o->ticks = 1000;
  o->entities = 100000;
  o->props = 4;
  o->verify_every = 100;
  o->threads = 1;
  synk_opt_parser p;
  synk_opt_init(&p, "synk sim", synk_sim_usage, sim_options, sizeof sim_options / sizeof sim_options[0], argc, argv);
  for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
    switch (k) {
    case SIM_SEED: o->seed = p.num; break;
    case SIM_TICKS: o->ticks = p.num; break;
    case SIM_ENTITIES: o->entities = (uint32_t)p.num; break;
    case SIM_PROPS: o->props = (uint32_t)p.num; break;
    case SIM_ISA: o->isa = p.str; break;
    case 'v': o->verbose = 1; break;
    case SIM_VERIFY_EVERY: o->verify_every = p.num; break;
    case SIM_THREADS:
#if !defined(SYNK_SUPPORT_HAVE_JOBS)
      if (p.num > 1) return synk_opt_fail(&p, 0, "this build has no threads (--threads 1 only)");
#endif
      o->threads = p.num;
      break;
    default: return synk_opt_stop(&p, k);
    }
  }
  return -1;
}

static int sim_alive(const synk_view *v, uint32_t id) { return (int)((v->alive[id >> 6] >> (id & 63)) & 1u); }

#define SIM_CHECK(expr)                                                                            \
  do {                                                                                             \
    synk_status st_ = (expr);                                                                      \
    if (st_ != SYNK_OK) {                                                                          \
      fprintf(stderr, "synk sim: tick %" PRIu64 ": %s returned %s\n", tick, #expr, synk_status_str(st_)); \
      goto fail;                                                                                   \
    }                                                                                              \
  } while (0)

int synk_sim_main(int argc, char **argv) {
  sim_opts o;
  const int status = sim_parse(argc, argv, &o);
  if (status >= 0) return status;
  if (o.isa) {
    synk_status st = synk_use_isa(o.isa);
    if (st != SYNK_OK) {
      fprintf(stderr, "synk sim: backend '%s': %s\n", o.isa, synk_status_str(st));
      return 2;
    }
  }
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_entities = o.entities;
  cfg.num_props = o.props;
  cfg.seed = o.seed ^ 0x73796E6B73696Dull; /* "synksim" */
#if defined(SYNK_SUPPORT_HAVE_JOBS)
  synk_jobs_pool *pool = o.threads > 1 ? synk_jobs_pool_create((uint32_t)o.threads) : NULL;
  synk_jobs jobs;
  if (pool) {
    jobs = synk_jobs_pool_iface(pool, (uint32_t)o.threads);
    cfg.jobs = &jobs;
  } else if (o.threads > 1) {
    fprintf(stderr, "synk sim: cannot start %u threads\n", (unsigned)o.threads);
    return 1;
  }
#endif
  synk_world *w = NULL;
  synk_motion *m = NULL;
  uint64_t tick = 0, motions = 0, events = 0;
  int rc = 1;
  if (synk_world_create(&cfg, &w) != SYNK_OK) {
    fprintf(stderr, "synk sim: cannot create a world of %u entities\n", o.entities);
    return 1;
  }
  m = (synk_motion *)malloc((size_t)o.entities * sizeof *m);
  if (!m) {
    fprintf(stderr, "synk sim: out of memory\n");
    goto fail;
  }
  struct timespec t0, t1;
  timespec_get(&t0, TIME_UTC); /* C11; only for the -v summary */

  synk_rng r;
  synk_rng_seed(&r, o.seed);
  const synk_view v = synk_get_view(w);
  const uint32_t cap = o.entities;
  for (uint32_t id = 0; id < cap; id++) {
    if (synk_rng_below(&r, 10) == 0) continue;
    /* one draw per declarator: argument evaluation order is unspecified in C */
    uint32_t kind = synk_rng_below(&r, 8);
    int32_t x = synk_rng_range(&r, -100000, 100000), y = synk_rng_range(&r, -100000, 100000),
            z = synk_rng_range(&r, -1000, 1000);
    SIM_CHECK(synk_spawn(w, id, kind, x, y, z));
    events++;
  }
  const uint32_t churn = cap / 2000 + 1, touches = cap / 1000 + 1;
  for (tick = 0; tick < o.ticks; tick++) {
    /* crowd: 10% of the live entities, in clustered runs of 16..64 ids */
    size_t want = synk_count(w) / 10, n = 0;
    while (n < want) {
      uint32_t len = 16 + synk_rng_below(&r, 49);
      uint32_t start = synk_rng_below(&r, cap);
      for (uint32_t k = 0; k < len && start + k < cap && n < want; k++) {
        if (!sim_alive(&v, start + k)) continue;
        m[n].id = start + k;
        m[n].dx = synk_rng_range(&r, -3, 3);
        m[n].dy = synk_rng_range(&r, -3, 3);
        m[n].dz = synk_rng_range(&r, -1, 1);
        n++;
      }
    }
    SIM_CHECK(synk_apply_motions(w, m, n, NULL));
    motions += n;
    /* churn: despawn and spawn a few */
    for (uint32_t k = 0; k < churn; k++) {
      uint32_t id = synk_rng_below(&r, cap);
      if (sim_alive(&v, id)) {
        SIM_CHECK(synk_despawn(w, id));
        events++;
      }
      id = synk_rng_below(&r, cap);
      if (!sim_alive(&v, id)) {
        uint32_t kind = synk_rng_below(&r, 8);
        int32_t x = synk_rng_range(&r, -100000, 100000), y = synk_rng_range(&r, -100000, 100000);
        SIM_CHECK(synk_spawn(w, id, kind, x, y, 0));
        events++;
      }
    }
    /* property writes and single moves on live entities */
    for (uint32_t k = 0; k < touches; k++) {
      uint32_t id = synk_rng_below(&r, cap);
      if (!sim_alive(&v, id)) continue;
      if (o.props) {
        uint32_t slot = synk_rng_below(&r, o.props);
        int32_t value = synk_rng_i32(&r);
        SIM_CHECK(synk_set_prop(w, id, slot, value));
      }
      int32_t dx = synk_rng_range(&r, -50, 50), dy = synk_rng_range(&r, -50, 50);
      SIM_CHECK(synk_move(w, id, dx, dy, 0));
      events += 1u + (o.props != 0);
    }
    synk_tick(w);
    if (o.verify_every && (tick + 1) % o.verify_every == 0 && synk_rehash(w) != synk_hash(w)) {
      fprintf(stderr, "synk sim: tick %" PRIu64 ": synk_rehash != synk_hash on backend %s\n", tick + 1, synk_isa());
      goto fail;
    }
  }
  if (synk_rehash(w) != synk_hash(w)) {
    fprintf(stderr, "synk sim: final synk_rehash != synk_hash on backend %s\n", synk_isa());
    goto fail;
  }
  timespec_get(&t1, TIME_UTC);
  printf("%016" PRIx64 "\n", synk_hash(w));
  if (o.verbose) {
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr,
            "synk sim: isa %s, seed %" PRIu64 ", %" PRIu64 " ticks, %u ids (%zu alive), %u props, %" PRIu64
            " motions, %" PRIu64 " other events, %.3f s\n",
            synk_isa(), o.seed, o.ticks, cap, synk_count(w), o.props, motions, events, s);
  }
  rc = 0;
fail:
  free(m);
  synk_world_destroy(w);
#if defined(SYNK_SUPPORT_HAVE_JOBS)
  synk_jobs_pool_destroy(pool);
#endif
  return rc;
}
