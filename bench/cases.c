/* SPDX-License-Identifier: MIT */
/*
 * The case registry (see cases.h). Every input comes from support/rng.h with a
 * fixed seed; nothing here is timed except the run functions.
 *
 * Workloads of the best-known peer's published benchmark are reproduced
 * exactly (motion/batch/peer-*); the rest measure synk at scale. Peers
 * (peer/...) run the same workloads through other code paths in the same
 * process, so ratios survive a noisy machine.
 */
#include "cases.h"

#include "rng.h"
#include "peers.h"
#include "synk.h"
#if defined(SYNK_BENCH_HAVE_THREADS)
#include "jobs.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(SYNK_BENCH_HAVE_XXH3)
#include <xxh_x86dispatch.h>
#include <xxhash.h>
#else
typedef struct XXH3_state_s XXH3_state_t; /* peer not built: never allocated */
#endif

volatile int synk_bench_failed = 0;
/* Results of pure computations land here, so the compiler cannot drop them. */
static volatile uint64_t sink;

#define WORLD_SEED 0x73796E6B62656E63ull /* "synkbenc" */

/* ---- worlds ---------------------------------------------------------------- */

/* A world of `cap` ids, all alive, with random kinds, positions and props. */
synk_world *synk_bench_make_world(uint32_t cap, uint32_t nprops, uint64_t seed) {
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_entities = cap;
  cfg.num_props = nprops;
  cfg.seed = WORLD_SEED;
  synk_world *w = NULL;
  if (synk_world_create(&cfg, &w) != SYNK_OK) return NULL;
  synk_rng r;
  synk_rng_seed(&r, seed);
  for (uint32_t id = 0; id < cap; id++) {
    /* one draw per declarator: argument evaluation order is unspecified in C,
     * and every compiler must build the same world */
    uint32_t kind = synk_rng_below(&r, 16);
    int32_t x = synk_rng_range(&r, -(1 << 20), 1 << 20), y = synk_rng_range(&r, -(1 << 20), 1 << 20),
            z = synk_rng_range(&r, -(1 << 10), 1 << 10);
    synk_status st = synk_spawn(w, id, kind, x, y, z);
    for (uint32_t p = 0; p < nprops && st == SYNK_OK; p++) st = synk_set_prop(w, id, p, synk_rng_i32(&r));
    if (st != SYNK_OK) {
      synk_world_destroy(w);
      return NULL;
    }
  }
  return w;
}

static uint64_t world_digest(synk_world *w) { return synk_hash(w); }

/* ---- hash cases -------------------------------------------------------------- */

typedef struct hash_arg {
  uint32_t n, props;
} hash_arg;

typedef struct hash_state {
  synk_world *w;
  XXH3_state_t *xs;
  uint64_t last;
} hash_state;

static void *setup_hash(const synk_bench_case *c) {
  const hash_arg *a = (const hash_arg *)c->arg;
  hash_state *s = (hash_state *)calloc(1, sizeof *s);
  if (!s) return NULL;
  s->w = synk_bench_make_world(a->n, a->props, 1000u + a->n + a->props);
#if defined(SYNK_BENCH_HAVE_XXH3)
  s->xs = XXH3_createState();
  if (!s->xs) {
    synk_world_destroy(s->w);
    s->w = NULL;
  }
#endif
  if (!s->w) {
    free(s);
    return NULL;
  }
  return s;
}
static void teardown_hash(void *p) {
  hash_state *s = (hash_state *)p;
  synk_world_destroy(s->w);
#if defined(SYNK_BENCH_HAVE_XXH3)
  XXH3_freeState(s->xs);
#endif
  free(s);
}
static void run_rehash(void *p) {
  hash_state *s = (hash_state *)p;
  s->last = synk_rehash(s->w);
  sink = s->last;
}
static uint64_t digest_rehash(void *p) {
  hash_state *s = (hash_state *)p;
  if (s->last != synk_hash(s->w)) synk_bench_failed = 1;
  return s->last;
}
#if defined(SYNK_BENCH_HAVE_XXH3)
/* XXH3 (the Debian library's run-time dispatched, widest-vector path) over
 * exactly the bytes synk_rehash reads: kind, x, y, z and every property array
 * plus the alive bitmap (ids are implicit in both). */
static void run_xxh3(void *p) {
  hash_state *s = (hash_state *)p;
  synk_view v = synk_get_view(s->w);
  size_t n4 = (size_t)v.capacity * 4;
  XXH3_64bits_reset_withSeed(s->xs, WORLD_SEED);
  XXH3_64bits_update_dispatch(s->xs, v.kind, n4);
  XXH3_64bits_update_dispatch(s->xs, v.x, n4);
  XXH3_64bits_update_dispatch(s->xs, v.y, n4);
  XXH3_64bits_update_dispatch(s->xs, v.z, n4);
  for (uint32_t q = 0; q < v.num_props; q++) XXH3_64bits_update_dispatch(s->xs, v.props[q], n4);
  XXH3_64bits_update_dispatch(s->xs, v.alive, ((size_t)v.capacity + 63) / 64 * 8);
  s->last = XXH3_64bits_digest(s->xs);
  sink = s->last;
}
static uint64_t digest_xxh3(void *p) { return ((hash_state *)p)->last; }
#endif
static const void *world_hash(void *p) { return ((hash_state *)p)->w; }

/* ---- motion cases ------------------------------------------------------------ */

enum {
  WL_7X13,   /* the peer's: 1000 motions, ids (i*7+13)%100, dx=1, 100 entities */
  WL_MOD100, /* the peer's: 1000 motions, ids i%100, dx=1, 100 entities */
  WL_ONE,    /* the peer's: 1000 motions all on entity 0, dx=1, 100 entities */
  WL_CONTIG, /* the peer's: ids 0..1023 once each in order, dx=1, 1024 entities */
  WL_PERM,   /* the peer's: n distinct ids in random order, random deltas, n entities */
  WL_RAND,   /* n uniform random ids (repeats allowed), random deltas, n entities */
  WL_CROWD,  /* 10% of the world per tick, in clustered runs of ids, deltas -3..3 */
  WL_SINGLE  /* synk_move one at a time on random ids */
};

typedef struct motion_arg {
  int kind;
  uint32_t n;     /* motions per run */
  uint32_t cap;   /* world size (all alive) */
  uint32_t props; /* property slots of the world */
  uint32_t sets;  /* distinct batches cycled through run after run */
} motion_arg;

typedef struct motion_state {
  synk_world *w;
  synk_motion *m; /* sets * n motions */
  uint64_t *keys; /* peer sort scratch */
  size_t n, sets, cur;
} motion_state;

static void gen_motions(const motion_arg *a, synk_motion *m, uint64_t seed) {
  synk_rng r;
  synk_rng_seed(&r, seed);
  uint32_t n = a->n;
  switch (a->kind) {
    case WL_7X13:
    case WL_MOD100:
    case WL_ONE:
    case WL_CONTIG:
      for (uint32_t i = 0; i < n; i++) {
        m[i].id = a->kind == WL_7X13 ? (i * 7 + 13) % 100 : a->kind == WL_MOD100 ? i % 100 : a->kind == WL_ONE ? 0 : i;
        m[i].dx = 1;
        m[i].dy = 0;
        m[i].dz = 0;
      }
      break;
    case WL_PERM:
      for (uint32_t i = 0; i < n; i++) m[i].id = i;
      for (uint32_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
        uint32_t j = synk_rng_below(&r, i + 1), t = m[i].id;
        m[i].id = m[j].id;
        m[j].id = t;
      }
      for (uint32_t i = 0; i < n; i++) {
        m[i].dx = synk_rng_range(&r, -1000, 1000);
        m[i].dy = synk_rng_range(&r, -1000, 1000);
        m[i].dz = synk_rng_range(&r, -1000, 1000);
      }
      break;
    case WL_RAND:
    case WL_SINGLE:
      for (uint32_t i = 0; i < n; i++) {
        m[i].id = synk_rng_below(&r, a->cap);
        m[i].dx = synk_rng_range(&r, -1000, 1000);
        m[i].dy = synk_rng_range(&r, -1000, 1000);
        m[i].dz = synk_rng_range(&r, -1000, 1000);
      }
      break;
    case WL_CROWD: {
      /* groups of 16..64 contiguous ids starting at random places, in random
       * order, ascending inside a group; overlaps between groups are allowed
       * (an entity pushed twice). Exactly n motions. */
      uint32_t i = 0;
      while (i < n) {
        uint32_t len = 16 + synk_rng_below(&r, 49);
        if (len > n - i) len = n - i;
        uint32_t start = synk_rng_below(&r, a->cap - len + 1);
        for (uint32_t k = 0; k < len; k++, i++) {
          m[i].id = start + k;
          m[i].dx = synk_rng_range(&r, -3, 3);
          m[i].dy = synk_rng_range(&r, -3, 3);
          m[i].dz = synk_rng_range(&r, -1, 1);
        }
      }
      break;
    }
    default:
      break;
  }
}

static void *setup_motion(const synk_bench_case *c) {
  const motion_arg *a = (const motion_arg *)c->arg;
  motion_state *s = (motion_state *)calloc(1, sizeof *s);
  if (!s) return NULL;
  s->n = a->n;
  s->sets = a->sets ? a->sets : 1;
  s->w = synk_bench_make_world(a->cap, a->props, 2000u + a->cap);
  s->m = (synk_motion *)malloc(s->sets * s->n * sizeof *s->m);
  s->keys = (uint64_t *)malloc(s->n * sizeof *s->keys);
  if (!s->w || !s->m || !s->keys) {
    synk_world_destroy(s->w);
    free(s->m);
    free(s->keys);
    free(s);
    return NULL;
  }
  for (size_t k = 0; k < s->sets; k++) gen_motions(a, s->m + k * s->n, 3000u + a->n + 7919u * k);
  return s;
}
static void teardown_motion(void *p) {
  motion_state *s = (motion_state *)p;
  synk_world_destroy(s->w);
  free(s->m);
  free(s->keys);
  free(s);
}
static const synk_motion *next_set(motion_state *s) {
  const synk_motion *m = s->m + s->cur * s->n;
  if (++s->cur == s->sets) s->cur = 0;
  return m;
}
static uint64_t digest_motion(void *p) { return world_digest(((motion_state *)p)->w); }
static const void *world_motion(void *p) { return ((motion_state *)p)->w; }

/* synk: one batch. */
static void run_batch(void *p) {
  motion_state *s = (motion_state *)p;
  if (synk_apply_motions(s->w, next_set(s), s->n, NULL) != SYNK_OK) synk_bench_failed = 1;
}

/* synk_set_prop one event at a time (prop/single): slot dy & 3, value dx. */
static void run_prop(void *p) {
  motion_state *s = (motion_state *)p;
  const synk_motion *m = next_set(s);
  synk_world *w = s->w;
  for (size_t i = 0; i < s->n; i++)
    if (synk_set_prop(w, m[i].id, (uint32_t)m[i].dy & 3u, m[i].dx) != SYNK_OK) synk_bench_failed = 1;
}

/* synk_despawn then synk_spawn of the same id (event/respawn): one op is the pair. */
static void run_respawn(void *p) {
  motion_state *s = (motion_state *)p;
  const synk_motion *m = next_set(s);
  synk_world *w = s->w;
  for (size_t i = 0; i < s->n; i++)
    if (synk_despawn(w, m[i].id) != SYNK_OK || synk_spawn(w, m[i].id, 3, m[i].dx, m[i].dy, m[i].dz) != SYNK_OK)
      synk_bench_failed = 1;
}

/* synk_entity_hash of one entity at a time (hash/entity). */
static void run_entity_hash(void *p) {
  motion_state *s = (motion_state *)p;
  const synk_motion *m = next_set(s);
  uint64_t acc = 0, h = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (synk_entity_hash(s->w, m[i].id, &h) != SYNK_OK) synk_bench_failed = 1;
    acc += h;
  }
  sink = acc;
}

/* synk_move one event at a time: the naive peer, and motion/single. */
static void run_naive(void *p) {
  motion_state *s = (motion_state *)p;
  const synk_motion *m = next_set(s);
  synk_world *w = s->w;
  for (size_t i = 0; i < s->n; i++)
    if (synk_move(w, m[i].id, m[i].dx, m[i].dy, m[i].dz) != SYNK_OK) synk_bench_failed = 1;
}

/* Sort keys (id << 32 | index), then coalesce each id's deltas (wrapping)
 * and apply one synk_move per distinct id. */
static void coalesce_apply(synk_world *w, const synk_motion *m, const uint64_t *keys, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t id = (uint32_t)(keys[i] >> 32);
    uint32_t sx = 0, sy = 0, sz = 0;
    for (; i < n && (uint32_t)(keys[i] >> 32) == id; i++) {
      const synk_motion *q = &m[(uint32_t)keys[i]];
      sx += (uint32_t)q->dx;
      sy += (uint32_t)q->dy;
      sz += (uint32_t)q->dz;
    }
    int32_t dx, dy, dz;
    memcpy(&dx, &sx, 4);
    memcpy(&dy, &sy, 4);
    memcpy(&dz, &sz, 4);
    if (synk_move(w, id, dx, dy, dz) != SYNK_OK) synk_bench_failed = 1;
  }
}
static void fill_keys(uint64_t *keys, const synk_motion *m, size_t n) {
  for (size_t i = 0; i < n; i++) keys[i] = ((uint64_t)m[i].id << 32) | (uint32_t)i;
}
static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}
static void run_qsort(void *p) {
  motion_state *s = (motion_state *)p;
  const synk_motion *m = next_set(s);
  fill_keys(s->keys, m, s->n);
  qsort(s->keys, s->n, sizeof *s->keys, cmp_u64);
  coalesce_apply(s->w, m, s->keys, s->n);
}
#if defined(SYNK_BENCH_HAVE_VQSORT)
static void run_vqsort(void *p) {
  motion_state *s = (motion_state *)p;
  const synk_motion *m = next_set(s);
  fill_keys(s->keys, m, s->n);
  synk_bench_vqsort_u64(s->keys, s->n);
  coalesce_apply(s->w, m, s->keys, s->n);
}
#endif

/* ---- the table ---------------------------------------------------------------- */

#define HASH_ARG(N, P) static const hash_arg ha_##N##_p##P = {N, P};
HASH_ARG(1000, 0)
HASH_ARG(10000, 0)
HASH_ARG(100000, 0)
HASH_ARG(1000000, 0)
HASH_ARG(1000, 4)
HASH_ARG(10000, 4)
HASH_ARG(100000, 4)
HASH_ARG(1000000, 4)

static const motion_arg ma_7x13 = {WL_7X13, 1000, 100, 0, 1};
static const motion_arg ma_mod100 = {WL_MOD100, 1000, 100, 0, 1};
static const motion_arg ma_one = {WL_ONE, 1000, 100, 0, 1};
static const motion_arg ma_contig = {WL_CONTIG, 1024, 1024, 0, 1};
static const motion_arg ma_perm = {WL_PERM, 10000, 10000, 0, 1};
static const motion_arg ma_r4 = {WL_RAND, 10000, 10000, 0, 1};
static const motion_arg ma_r5 = {WL_RAND, 100000, 100000, 0, 1};
static const motion_arg ma_r6 = {WL_RAND, 1000000, 1000000, 0, 1};
static const motion_arg ma_crowd = {WL_CROWD, 10000, 100000, 4, 8};
/* 256 moves a run over 16 batches of random ids: one op is one synk_move; the
 * batching only amortizes the harness's call overhead. */
static const motion_arg ma_single = {WL_SINGLE, 256, 10000, 0, 16};
/* The same at L1-, L2- and DRAM-sized worlds, without and with props (the
 * cached entity hash was decided on these: kernel/world.c). A DRAM world
 * cycles 4096 sets (1M moves over 1M ids), so its ids are not cache-resident. */
static const motion_arg ma_single_1e3 = {WL_SINGLE, 256, 1000, 0, 16};
static const motion_arg ma_single_1e6 = {WL_SINGLE, 256, 1000000, 0, 4096};
static const motion_arg ma_single_1e3_p4 = {WL_SINGLE, 256, 1000, 4, 16};
static const motion_arg ma_single_1e4_p4 = {WL_SINGLE, 256, 10000, 4, 16};
static const motion_arg ma_single_1e6_p4 = {WL_SINGLE, 256, 1000000, 4, 4096};

/* ---- multi-core: cases run again through support/jobs.c's pthread pool ----------- */

#if defined(SYNK_BENCH_HAVE_THREADS)
typedef struct mt_arg {
  void *(*setup)(const synk_bench_case *c); /* the single-thread case's setup ... */
  const void *arg;                          /* ... and its argument */
  uint32_t threads;
} mt_arg;

/* Set up as the single-thread case does, then move its world into one with
 * a job interface over a pool of `threads` threads (pools live as long as
 * the process). Every state of these cases starts with its world pointer. */
static void *setup_mt(const synk_bench_case *c) {
  static synk_jobs_pool *pools[SYNK_MAX_TASKS + 1];
  const mt_arg *a = (const mt_arg *)c->arg;
  synk_bench_case base = *c;
  base.arg = a->arg;
  void *s = a->setup(&base);
  if (!s) return NULL;
  synk_world **wp = (synk_world **)s;
  if (!pools[a->threads]) pools[a->threads] = synk_jobs_pool_create(a->threads);
  synk_world *mt = NULL;
  if (pools[a->threads]) {
    synk_jobs jobs = synk_jobs_pool_iface(pools[a->threads], a->threads);
    synk_config cfg = synk_get_config(*wp);
    cfg.allocator = NULL;
    cfg.jobs = &jobs; /* copied by the world */
    if (synk_world_create(&cfg, &mt) == SYNK_OK && synk_world_copy(mt, *wp) != SYNK_OK) {
      synk_world_destroy(mt);
      mt = NULL;
    }
  }
  if (!mt) return s; /* no pool: the case then runs on one thread, and its cpu% shows it */
  synk_world_destroy(*wp);
  *wp = mt;
  return s;
}
#endif

#define P_ISA SYNK_BENCH_PER_ISA
#define K SYNK_BENCH_KEY
#define HV SYNK_BENCH_HEAVY

/* Each macro expands to one or more table entries, each followed by a comma. */
#if defined(SYNK_BENCH_HAVE_XXH3)
#define XXH3_PEER(N, NS, P, F)                                                                                \
  {"peer/xxh3/" NS "/p" #P, "peer/xxh3", "n=" NS " props=" #P, N, N, "entity", SYNK_BENCH_PEER | (F), NULL,   \
   NULL, NULL, "XXH3-64 (libxxhash, run-time dispatched) over the same state bytes synk_rehash reads",       \
   setup_hash, run_xxh3, teardown_hash, digest_xxh3, world_hash, &ha_##N##_p##P},
#define XXH3_BASE(NS, P) "peer/xxh3/" NS "/p" #P
#else
#define XXH3_PEER(N, NS, P, F)
#define XXH3_BASE(NS, P) NULL
#endif

#define REHASH(N, NS, P, F)                                                                                   \
  {"hash/rehash/" NS "/p" #P, "hash/rehash", "n=" NS " props=" #P, N, N, "entity", P_ISA | (F),              \
   XXH3_BASE(NS, P), "rehash p" #P, "rehash-" NS "-p" #P,                                                      \
   "synk_rehash of a world of " NS " live entities with " #P " props (ns/op: per entity)", setup_hash,       \
   run_rehash, teardown_hash, digest_rehash, world_hash, &ha_##N##_p##P},                                    \
  XXH3_PEER(N, NS, P, (F) & ~K)

#if defined(SYNK_BENCH_HAVE_VQSORT)
#define VQSORT_PEER(WL, SIZE, N, ARG, F)                                                                      \
  {"peer/vqsort/" WL, "peer/vqsort", WL, SIZE, N, "motion", SYNK_BENCH_PEER | (F), "peer/naive/" WL, NULL,   \
   WL, "as peer/qsort with Highway vqsort (libhwy) as the sort step", setup_motion, run_vqsort,             \
   teardown_motion, digest_motion, world_motion, ARG},
#else
#define VQSORT_PEER(WL, SIZE, N, ARG, F)
#endif

#define MOTION_PEERS(WL, SIZE, N, ARG, F)                                                                     \
  {"peer/naive/" WL, "peer/naive", WL, SIZE, N, "motion", SYNK_BENCH_PEER | (F), NULL, NULL, WL,            \
   "synk_move once per motion, in order (naive per-event apply)", setup_motion, run_naive, teardown_motion, \
   digest_motion, world_motion, ARG},                                                                        \
  {"peer/qsort/" WL, "peer/qsort", WL, SIZE, N, "motion", SYNK_BENCH_PEER | (F), "peer/naive/" WL, NULL, WL, \
   "qsort (id<<32|index) keys, coalesce, one synk_move per distinct id", setup_motion, run_qsort,           \
   teardown_motion, digest_motion, world_motion, ARG},                                                       \
  VQSORT_PEER(WL, SIZE, N, ARG, F)

#define BATCH(WL, PARAM, SIZE, N, ARG, F, DESC)                                                               \
  {"motion/batch/" WL, "motion/batch", PARAM, SIZE, N, "motion", P_ISA | (F), "peer/naive/" WL, "batch",    \
   WL, DESC, setup_motion, run_batch, teardown_motion, digest_motion, world_motion, ARG},

/* A single-event case: 256 events per run on random live ids. */
#define SINGLE(GROUP, NAME, PARAM, SIZE, RUN, ARG, F, DESC)                                                   \
  {GROUP "/" NAME, GROUP, PARAM, SIZE, 256, "op", P_ISA | (F), NULL, NULL, GROUP "/" NAME, DESC " (256 per run)", \
   setup_motion, RUN, teardown_motion, digest_motion, world_motion, ARG},

#if defined(SYNK_BENCH_HAVE_THREADS)
static const mt_arg mt_rehash_1e6 = {setup_hash, &ha_1000000_p0, 2};
static const mt_arg mt_rand_1e6 = {setup_motion, &ma_r6, 2};
/* the same workloads as their single-thread cases (equal digests in the smoke test) */
#define MT_CASES                                                                                                \
  {"hash/rehash/1e6/p0-2t", "hash/rehash-2t", "n=1e6 props=0 threads=2", 1000000, 1000000, "entity",          \
   P_ISA | HV, "hash/rehash/1e6/p0", NULL, "rehash-1e6-p0",                                                    \
   "hash/rehash/1e6/p0 split across 2 threads (synk_config.jobs over support/jobs.c's pool)", setup_mt,          \
   run_rehash, teardown_hash, digest_rehash, world_hash, &mt_rehash_1e6},                                      \
  {"motion/batch/rand-1e6-2t", "motion/batch-2t", "n=1e6 world=1e6 threads=2", 1000000, 1000000, "motion",    \
   P_ISA | HV, "motion/batch/rand-1e6", NULL, "rand-1e6",                                                      \
   "motion/batch/rand-1e6 with 2 threads: the apply step split by 64-chunk groups (validation, coalescing "   \
   "and ordering stay serial)", setup_mt, run_batch, teardown_motion, digest_motion, world_motion, &mt_rand_1e6},
#else
#define MT_CASES
#endif

static const synk_bench_case cases[] = {
    REHASH(1000, "1e3", 0, K)
    REHASH(10000, "1e4", 0, K)
    REHASH(100000, "1e5", 0, 0)
    REHASH(1000000, "1e6", 0, HV)
    REHASH(1000, "1e3", 4, 0)
    REHASH(10000, "1e4", 4, K)
    REHASH(100000, "1e5", 4, 0)
    REHASH(1000000, "1e6", 4, HV)

    {"motion/single/1e4", "motion/single", "world=1e4", 10000, 256, "motion", P_ISA | K, NULL, NULL, "single",
     "synk_move of one random live entity in a 10k world, incremental hash included (256 moves a run)",
     setup_motion, run_naive, teardown_motion, digest_motion, world_motion, &ma_single},
    SINGLE("motion/single", "1e3", "world=1e3", 1000, run_naive, &ma_single_1e3, 0, "synk_move, 1k world (L1-sized state)")
    SINGLE("motion/single", "1e6", "world=1e6", 1000000, run_naive, &ma_single_1e6, HV,
           "synk_move, 1M world (DRAM-sized state), ids spread over the world")
    SINGLE("motion/single", "1e3-p4", "world=1e3 props=4", 1000, run_naive, &ma_single_1e3_p4, 0,
           "synk_move, 1k world, 4 props")
    SINGLE("motion/single", "1e4-p4", "world=1e4 props=4", 10000, run_naive, &ma_single_1e4_p4, K,
           "synk_move, 10k world, 4 props")
    SINGLE("motion/single", "1e6-p4", "world=1e6 props=4", 1000000, run_naive, &ma_single_1e6_p4, HV,
           "synk_move, 1M world, 4 props")
    SINGLE("prop/single", "1e3-p4", "world=1e3 props=4", 1000, run_prop, &ma_single_1e3_p4, 0,
           "synk_set_prop of a random slot of a random entity, 1k world, 4 props")
    SINGLE("prop/single", "1e4-p4", "world=1e4 props=4", 10000, run_prop, &ma_single_1e4_p4, K,
           "synk_set_prop, 10k world, 4 props")
    SINGLE("prop/single", "1e6-p4", "world=1e6 props=4", 1000000, run_prop, &ma_single_1e6_p4, HV,
           "synk_set_prop, 1M world, 4 props")
    SINGLE("hash/entity", "1e4-p4", "world=1e4 props=4", 10000, run_entity_hash, &ma_single_1e4_p4, K,
           "synk_entity_hash of a random entity, 10k world, 4 props")
    SINGLE("event/respawn", "1e4-p4", "world=1e4 props=4", 10000, run_respawn, &ma_single_1e4_p4, K,
           "synk_despawn then synk_spawn of a random entity, 10k world, 4 props (one op: the pair)")

    BATCH("peer-7x13", "n=1000 ids=100", 1000, 1000, &ma_7x13, K,
          "peer workload: 1000 motions, ids (i*7+13)%100, dx=1, 100-entity world")
    BATCH("peer-mod100", "n=1000 ids=100", 1000, 1000, &ma_mod100, K,
          "peer workload: 1000 motions, ids i%100, dx=1, 100-entity world")
    BATCH("peer-one", "n=1000 ids=1", 1000, 1000, &ma_one, K,
          "peer workload: 1000 motions all on entity 0, dx=1, 100-entity world")
    BATCH("peer-contig1024", "n=1024 contiguous", 1024, 1024, &ma_contig, K,
          "peer workload: one motion for each of ids 0..1023 in order, dx=1, 1024-entity world")
    BATCH("peer-perm1e4", "n=1e4 distinct", 10000, 10000, &ma_perm, K,
          "peer workload: 10k distinct ids in random order, random deltas, 10k-entity world")
    BATCH("rand-1e4", "n=1e4 world=1e4", 10000, 10000, &ma_r4, K,
          "1e4 uniform random motions (repeats allowed) over a 1e4-entity world")
    BATCH("rand-1e5", "n=1e5 world=1e5", 100000, 100000, &ma_r5, 0,
          "1e5 uniform random motions (repeats allowed) over a 1e5-entity world")
    BATCH("rand-1e6", "n=1e6 world=1e6", 1000000, 1000000, &ma_r6, HV,
          "1e6 uniform random motions (repeats allowed) over a 1e6-entity world")
    BATCH("crowd-1e5", "world=1e5 10%/tick", 100000, 10000, &ma_crowd, K,
          "crowd: 1e5 entities (4 props), 10% move per tick by -3..3 in clustered id runs (8 ticks cycled)")

    MOTION_PEERS("peer-7x13", 1000, 1000, &ma_7x13, 0)
    MOTION_PEERS("peer-mod100", 1000, 1000, &ma_mod100, 0)
    MOTION_PEERS("peer-one", 1000, 1000, &ma_one, 0)
    MOTION_PEERS("peer-contig1024", 1024, 1024, &ma_contig, 0)
    MOTION_PEERS("peer-perm1e4", 10000, 10000, &ma_perm, 0)
    MOTION_PEERS("rand-1e4", 10000, 10000, &ma_r4, 0)
    MOTION_PEERS("rand-1e5", 100000, 100000, &ma_r5, 0)
    MOTION_PEERS("rand-1e6", 1000000, 1000000, &ma_r6, HV)
    MOTION_PEERS("crowd-1e5", 100000, 10000, &ma_crowd, 0)
    MT_CASES
};

/* ---- targets, the Scaling with threads section, plots ------------------------------- */

static const synk_bench_target kernel_targets[] = {
    SYNK_BENCH_RUN_AT_MOST("1000 motions over 100 entities, ids (i*7+13)%100", "motion/batch/peer-7x13", "avx2",
                           1500),
    SYNK_BENCH_RUN_AT_MOST("1000 motions on one entity", "motion/batch/peer-one", "avx2", 500),
    SYNK_BENCH_RUN_AT_MOST("rehash of 10k entities, no props (AVX2)", "hash/rehash/1e4/p0", "avx2", 5000),
    SYNK_BENCH_RUN_AT_MOST("rehash of 10k entities, no props (AVX-512)", "hash/rehash/1e4/p0", "avx512", 3000),
    SYNK_BENCH_SPEEDUP_AT_LEAST("rehash of 10k entities faster than XXH3 over the same bytes", "hash/rehash/1e4/p0",
                                "avx2", 1.0, "peer/xxh3/1e4/p0"),
    SYNK_BENCH_RUN_AT_MOST("10k distinct random motions over a 10k world", "motion/batch/peer-perm1e4", "avx2",
                           20000),
    SYNK_BENCH_OP_AT_MOST("1e6 random motions over a 1e6 world, per motion", "motion/batch/rand-1e6", "avx2", 5),
    SYNK_BENCH_SPEEDUP_AT_LEAST("1e6 random motions: at least 2x faster than naive per-event apply",
                                "motion/batch/rand-1e6", "avx2", 2.0, "peer/naive/rand-1e6"),
    SYNK_BENCH_OP_AT_MOST("synk_move on a 10k world", "motion/single/1e4", "avx2", 5),
};

/* Cases named *-2t run their baseline's workload with 2 threads
 * (synk_config.jobs). From the measured speedup S, Amdahl's serial fraction
 * f = 2/S - 1 and what 16 cores would give, 1 / (f + (1 - f)/16) -- a model
 * that ignores memory bandwidth, which caps it sooner for streaming cases. */
static void write_scaling(FILE *f, const synk_bench_results *rs) {
  fprintf(f, "The `*-2t` cases: their single-thread case's workload through `synk_config.jobs` over a pool of 2 "
             "threads (support/jobs.c), on this 2-vCPU machine; the model assumes Amdahl's law with the serial "
             "fraction the 2-thread speedup implies.\n\n");
  int any = 0;
  for (size_t i = 0; i < rs->n; i++) {
    const synk_bench_result *r = &rs->r[i];
    const size_t nl = strlen(r->c->name);
    if (r->failed || nl < 3 || strcmp(r->c->name + nl - 3, "-2t") != 0 || !r->c->baseline) continue;
    const synk_bench_result *b = synk_bench_measured(rs, r->c->baseline, r->isa);
    if (!b) continue;
    if (!any)
      fprintf(f, "| case | isa | 1 thread | 2 threads | speedup | serial fraction | model: 16 cores |\n"
                 "|:--|:--|--:|--:|--:|--:|--:|\n");
    any = 1;
    const double sp = b->ns_run / r->ns_run;
    double ser = 2.0 / sp - 1.0;
    if (ser < 0) ser = 0;
    if (ser > 1) ser = 1;
    char t1[32], t2[32];
    synk_bench_fmt_time(t1, sizeof t1, b->ns_run);
    synk_bench_fmt_time(t2, sizeof t2, r->ns_run);
    fprintf(f, "| `%s` | %s | %s | %s | %.2fx | %.2f | %.1fx |\n", b->c->name, r->isa, t1, t2, sp, ser,
            1.0 / (ser + (1.0 - ser) / 16.0));
  }
  if (!any) fprintf(f, "No multi-thread case ran (no pthreads in this build, or filtered out).\n");
}

static const synk_bench_section kernel_sections[] = {{"Scaling with threads", 30, write_scaling}};

static const synk_bench_plot kernel_plots[] = {
    {"rehash_p0", "hash/rehash/*/p0", {"peer/xxh3/*/p0", NULL}, {"1e3", "1e4", "1e5", "1e6", NULL}},
    {"rehash_p4", "hash/rehash/*/p4", {"peer/xxh3/*/p4", NULL}, {"1e3", "1e4", "1e5", "1e6", NULL}},
    {"motion_rand",
     "motion/batch/rand-*",
     {"peer/naive/rand-*", "peer/qsort/rand-*", "peer/vqsort/rand-*", NULL},
     {"1e3", "1e4", "1e5", "1e6", NULL}},
};

static const char *const kernel_short_prefixes[] = {"motion/batch/", "hash/", NULL};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
static const synk_bench_file kernel_file = {
    .cases = cases, .ncases = COUNT(cases),
    .targets = kernel_targets, .ntargets = COUNT(kernel_targets),
    .sections = kernel_sections, .nsections = COUNT(kernel_sections),
    .plots = kernel_plots, .nplots = COUNT(kernel_plots),
    .short_prefixes = kernel_short_prefixes};

/* ---- the registry ------------------------------------------------------------------- */

/* The case files, in the order of their cases (and targets) in the report. */
static const synk_bench_file *const files[] = {&kernel_file,          &synk_bench_file_sync,
                                               &synk_bench_file_session, &synk_bench_file_net,
                                               &synk_bench_file_machine, &synk_bench_file_best_peer};

size_t synk_bench_files(const synk_bench_file *const **out) {
  if (out) *out = files;
  return COUNT(files);
}

/* Every file's cases copied once into one array, so every case pointer lies
 * in a single object (the harness orders results by pointer difference). */
#define MAX_CASES 256
_Static_assert(COUNT(cases) <= MAX_CASES, "bench/cases.c: MAX_CASES too small for the kernel cases");
static synk_bench_case all_cases[MAX_CASES];
static size_t n_all_cases = 0;

static void build_registry(void) {
  if (n_all_cases) return;
  for (size_t t = 0; t < COUNT(files); t++) {
    const synk_bench_file *fl = files[t];
    if (fl->ncases > MAX_CASES - n_all_cases) {
      fprintf(stderr, "synk bench: more than MAX_CASES (%d) cases: raise it in bench/cases.c\n", MAX_CASES);
      abort();
    }
    if (fl->ncases) memcpy(all_cases + n_all_cases, fl->cases, fl->ncases * sizeof *fl->cases);
    n_all_cases += fl->ncases;
  }
}

size_t synk_bench_cases(const synk_bench_case **out) {
  build_registry();
  if (out) *out = all_cases;
  return n_all_cases;
}

const synk_bench_case *synk_bench_find(const char *name) {
  build_registry();
  for (size_t i = 0; i < n_all_cases; i++)
    if (strcmp(all_cases[i].name, name) == 0) return &all_cases[i];
  return NULL;
}

size_t synk_bench_native_isas(const char **names, size_t cap) {
  const char *all[16];
  size_t n = synk_isa_list(all, 16), k = 0;
  if (n > 16) n = 16;
  for (size_t i = 0; i < n; i++) {
    if (synk_isa_emulated(all[i]) != 0) continue;
    if (k < cap) names[k] = all[i];
    k++;
  }
  return k;
}

int synk_bench_smoke_one(const synk_bench_case *c, uint64_t *digest, char *err, size_t cap) {
  synk_bench_failed = 0;
  *digest = 0;
  void *st = c->setup(c);
  if (!st) {
    snprintf(err, cap, "setup failed");
    return 1;
  }
  c->run(st);
  int bad = 0;
  if (synk_bench_failed) {
    snprintf(err, cap, "run reported an unexpected status");
    bad = 1;
  }
  if (!bad && c->digest) *digest = c->digest(st);
  if (!bad && synk_bench_failed) {
    snprintf(err, cap, "digest check failed (rehash != hash)");
    bad = 1;
  }
  if (!bad && c->world) {
    const synk_world *w = (const synk_world *)c->world(st);
    if (w && synk_hash(w) != synk_rehash(w)) {
      snprintf(err, cap, "synk_hash != synk_rehash after one run");
      bad = 1;
    }
  }
  c->teardown(st);
  return bad;
}
