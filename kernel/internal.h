/* SPDX-License-Identifier: MIT */
/*
 * The kernel's internals: the world's layout, the scalar reference of the
 * hash, the hash/motion kernel table and the CPU flags. Included by kernel/,
 * arch/, the sync layer (sync/sync_internal.h) and the tests; never by what is
 * above the sync layer, nor by tools/ or bench/ (they use the public headers).
 * Not installed, not part of the public API. Every symbol carries the synk_
 * prefix; only the public header's functions are exported from a shared build.
 */
#ifndef SYNK_INTERNAL_H
#define SYNK_INTERNAL_H

#include "common/bits.h"
#include "synk.h"

#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#  define SYNK_HIDDEN __attribute__((visibility("hidden")))
#  define SYNK_INLINE static inline __attribute__((always_inline))
#  define SYNK_NOINLINE __attribute__((noinline))
#  define SYNK_LIKELY(x) __builtin_expect(!!(x), 1)
#  define SYNK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define SYNK_HIDDEN
#  define SYNK_INLINE static inline
#  define SYNK_NOINLINE
#  define SYNK_LIKELY(x) (x)
#  define SYNK_UNLIKELY(x) (x)
#endif

/* Hash words per entity: id, kind, x, y, z, then up to 16 properties, padded
 * to an even count (docs/hash.md). Keys exist for every word position. */
#define SYNK_HASH_WORDS (5 + SYNK_MAX_PROPS + 1)
/* Odd 32-bit multipliers of the entity finalizer (docs/hash.md). */
#define SYNK_FIN_M1 0x9E3779B1u
#define SYNK_FIN_M2 0x85EBCA77u

/* The seed expanded into per-word keys; derived once at world creation. */
typedef struct synk_keys {
  uint32_t k[SYNK_HASH_WORDS]; /* word j of every entity is offset by k[j] (mod 2^32) */
  uint64_t s0;                 /* start value of every entity accumulator */
  uint64_t wk[4];              /* world finalization keys */
} synk_keys;

struct synk_world {
  synk_allocator alloc;
  synk_jobs jobs;        /* the engine's job interface; parallel_for NULL: none */
  uint32_t cap;          /* max_entities */
  uint32_t num_props;
  uint32_t nchunks;      /* ceil(cap / SYNK_CHUNK_IDS) */
  uint32_t nwords;       /* ceil(cap / 64): alive / touched bitmap words */
  uint64_t seed;
  uint64_t frame;
  size_t count;
  uint64_t sum;          /* wrapping sum of all chunk sums */
  synk_keys keys;

  /* state (SoA, indexed by id, 64-byte aligned, dead ids zero) */
  int32_t *x, *y, *z;
  uint32_t *kind;
  int32_t *props[SYNK_MAX_PROPS];
  uint64_t *alive;
  uint64_t *chunk;       /* per-chunk wrapping sums of h(e) */
  uint64_t *eh;          /* the cached entity hash: eh[id] = h(e) of live id, 0 for a dead
                            id. Every mutation keeps it exact, so a change hashes the new
                            state only and synk_entity_hash is one load (kernel/world.c) */
  uint64_t *dirty;       /* bit per chunk: some entity of it changed since the bit was
                            last cleared (rollback saves copy only dirty chunks) */

  /* batch-motion scratch, sized once at creation (never allocated later) */
  uint32_t *acc;         /* 4 words per id, [scratch, dx, dy, dz]: a batch's coalesced
                            deltas; one cache line access per motion, one base pointer */
  uint64_t *touched;     /* bitmap: id seen in the current batch (all 0 between calls);
                            nwords words, then SYNK_MAX_TASKS sink words a cache line
                            apart (synk_sink_word), written, never read */
  uint64_t *touched_sum; /* bitmap: touched word w is nonzero (all 0 between calls) */
  uint32_t nsum;         /* words of touched_sum */
  uint32_t *sorted;      /* the batch's distinct ids, increasing */
  int32_t *dx, *dy, *dz; /* their coalesced deltas, by position */

  uint32_t last_path;    /* SYNK_PATH_* the last synk_apply_motions took: a test probe
                            (tests/test_paths.c) kept in production because it costs
                            nothing measurable -- one store per call to a line the call
                            reads anyway; bench_icount is the same to 0.01 instruction
                            per motion without it */

  void *block;           /* the single allocation holding all of the above */
  void *rings;           /* sync/rollback.c: head of the rings attached to this world,
                            which collect `dirty` (NULL: none; zeroed at creation) */
};

/* Task t's sink word in w->touched: a store that must not change the bitmap
 * goes there (kernel/motion.c, branch-free coalescing); one cache line per
 * task, so that tasks share no word (and no line). */
static inline uint32_t synk_sink_word(const synk_world *w, uint32_t t) { return w->nwords + 8 * t; }

/* The ordering strategies of synk_apply_motions (kernel/motion.c), as
 * recorded in synk_world.last_path for the path-specific tests. */
enum {
  SYNK_PATH_NONE = 0,  /* n == 0, or an argument error */
  SYNK_PATH_SMALL,     /* n <= 32: sorted in registers */
  SYNK_PATH_SORTED,    /* strictly increasing ids: straight to the kernel */
  SYNK_PATH_DISTINCT,  /* distinct ids in any order: bitmap order, no coalescing */
  SYNK_PATH_GENERAL,   /* repeats: coalesced in the accumulator */
  SYNK_PATH_RUNS       /* a few non-decreasing runs: ordered by their first ids, merged */
};

/* ---- multi-core execution (kernel/jobs.c) ---------------------------------- */

/* Run task(arg, 0..n-1) through w's job interface, or inline when it has
 * none or n <= 1. */
SYNK_HIDDEN void synk_jobs_run(const synk_world *w, uint32_t n, synk_task_fn task, void *arg);
/* How many tasks to split `items` units of work into: at most the job
 * interface's max_tasks, at least min_per_task units each (1: inline). */
SYNK_HIDDEN uint32_t synk_jobs_split(const synk_world *w, uint64_t items, uint64_t min_per_task);
/* The wrapping sum of h(e) over every live entity, by chunk ranges, split
 * across the job interface, recomputed from state; with store != 0 each
 * chunk's sum is also written to w->chunk and each entity's hash to w->eh
 * (snapshot load; w is then not const in spirit). */
SYNK_HIDDEN uint64_t synk_sum_chunks(const synk_world *w, int store);

/* Every change of an entity's stored state goes through here: the chunk sum
 * and the chunk's dirty bit. (The world total `sum` is the caller's.) */
static inline void synk_chunk_add(synk_world *w, uint32_t chunk, uint64_t delta) {
  w->chunk[chunk] += delta;
  synk_bit_set(w->dirty, chunk);
}

/* 1 when id (< cap) is alive. */
static inline int synk_alive(const synk_world *w, uint32_t id) { return synk_bit_get(w->alive, id); }

/* Wrapping int32 addition through unsigned arithmetic (no signed overflow). */
static inline int32_t synk_wrap_add(int32_t a, int32_t b) { return synk_i32_of((uint32_t)a + (uint32_t)b); }

/* ---- the scalar reference: the normative definition of the hash -------- */

/* Derive the keys from a seed (docs/hash.md). */
SYNK_HIDDEN void synk_keys_init(synk_keys *k, uint64_t seed);
/* h(e) of one entity from its words w[0..nw) (nw even: id, kind, x, y, z,
 * props..., zero pad). */
SYNK_HIDDEN uint64_t synk_hash_words_ref(const synk_keys *k, const uint32_t *words, uint32_t nw);
/* The hash words of the entity stored at id (docs/hash.md order, zero pad
 * included) into words[SYNK_HASH_WORDS]; returns their (even) count. */
SYNK_HIDDEN uint32_t synk_entity_words(const synk_world *w, uint32_t id, uint32_t *words);
/* h(e) of the entity stored at id (alive or not: it hashes what is stored). */
SYNK_HIDDEN uint64_t synk_hash_entity_ref(const synk_world *w, uint32_t id);
/* h * c mod 2^64 for a 32-bit c. SIMD backends compute it as
 * lo32(h)*c + ((hi32(h)*c) << 32), two 32x32->64 multiplies; the result is
 * the same number, so scalar code may use one 64-bit multiply. */
static inline uint64_t synk_mul64x32(uint64_t h, uint32_t c) {
  return h * (uint64_t)c;
}
/* The entity finalizer (docs/hash.md). */
static inline uint64_t synk_fin(uint64_t h) {
  h ^= h >> 32;
  h = (h & 0xFFFFFFFFu) * SYNK_FIN_M1 + (h & 0xFFFFFFFF00000000u); /* lo*M1 + hi<<32 */
  h ^= h >> 32;
  h = synk_mul64x32(h, SYNK_FIN_M2);
  h ^= h >> 32;
  return h;
}
/* One pair term: X = a + ka, Y = b + kb (mod 2^32); X*Y + (Y<<32 | X).
 * Computed as X*(Y+1) + (Y<<32), the same number mod 2^64 with one fewer
 * operation (the SIMD template uses the defining form). */
static inline uint64_t synk_pair(uint32_t a, uint32_t b, uint32_t ka, uint32_t kb) {
  uint32_t X = a + ka, Y = b + kb;
  return (uint64_t)X * ((uint64_t)Y + 1) + ((uint64_t)Y << 32);
}
/* The part of h(e)'s accumulator that motion does not change: s0 plus every
 * pair except (x, y) and (z, word5). Used to hash old and new positions with
 * one shared computation; the sum is the same as the reference order's. */
static inline uint64_t synk_hash_static_part(const synk_world *w, uint32_t id) {
  const synk_keys *k = &w->keys;
  uint64_t acc = k->s0 + synk_pair(id, w->kind[id], k->k[0], k->k[1]);
  uint32_t np = w->num_props;
  for (uint32_t p = 1; p < np; p += 2) {
    uint32_t a = (uint32_t)w->props[p][id];
    uint32_t b = p + 1 < np ? (uint32_t)w->props[p + 1][id] : 0;
    acc += synk_pair(a, b, k->k[5 + p], k->k[6 + p]);
  }
  return acc;
}
/* word 5: property 0, or the zero pad when there are no properties. */
static inline uint32_t synk_word5(const synk_world *w, uint32_t id) {
  return w->num_props ? (uint32_t)w->props[0][id] : 0;
}
static inline uint64_t synk_hash_motion_part(const synk_keys *k, uint32_t x, uint32_t y,
                                             uint32_t z, uint32_t w5) {
  return synk_pair(x, y, k->k[2], k->k[3]) + synk_pair(z, w5, k->k[4], k->k[5]);
}
/* h(e) of the entity stored at id, inlined from the parts above: the same
 * number as synk_hash_entity_ref (the reference's pair order is a sum), in
 * about half its instructions (no word array). The single-event paths use
 * it (bench cases prop/single/1e4-p4, event/respawn/1e4-p4). */
static inline uint64_t synk_hash_stored(const synk_world *w, uint32_t id) {
  return synk_fin(synk_hash_static_part(w, id) + synk_hash_motion_part(&w->keys, (uint32_t)w->x[id],
                                                                       (uint32_t)w->y[id], (uint32_t)w->z[id],
                                                                       synk_word5(w, id)));
}
/* The world hash of w's config (seed keys, max_entities, num_props) with the
 * given sum of h(e), frame and entity count (docs/hash.md, "World hash"):
 * synk_hash(w) is synk_hash_with(w, w->sum, w->frame, w->count). O(1). */
SYNK_HIDDEN uint64_t synk_hash_with(const synk_world *w, uint64_t sum, uint64_t frame, uint64_t count);

/* ---- kernel table -------------------------------------------------------- */

/* The hash/motion kernel family: the scalar reference (kernel/hash.c) and one
 * rung per ISA (arch/<family>/<isa>.c), filled by arch/dispatch.c. (The sync
 * layer's kernels have a table of their own, sync/sync_internal.h.) */
typedef struct synk_kernels {
  const char *name;
  /* Wrapping sum of h(e) over live ids in [first, first + count);
   * first + count <= cap. */
  uint64_t (*hash_range)(const synk_world *w, uint32_t first, uint32_t count);
  /* out[i] = h(stored entity ids[i]) for i < n; ids < cap (need not be alive). */
  void (*hash_ids)(const synk_world *w, const uint32_t *ids, size_t n, uint64_t *out);
  /* Wrapping sum of h(e) over live ids in [first, first + count), like
   * hash_range, also storing each id's h(e) into w->eh (0 for dead ids): the
   * cache rebuilt from state (snapshot load). first + count <= cap. */
  uint64_t (*hash_fill)(const synk_world *w, uint32_t first, uint32_t count);
  /* Apply coalesced motions: ids strictly increasing, all alive; entity
   * ids[i] moves by (dx[i], dy[i], dz[i]). Its old hash is the cached
   * w->eh[id]; its new hash replaces it. Adds each entity's (new - old) hash
   * to its chunk sum and returns the wrapping total of those differences. */
  uint64_t (*motion_apply)(synk_world *w, const uint32_t *ids, const int32_t *dx,
                           const int32_t *dy, const int32_t *dz, size_t n);
  /* motion_apply on the caller's records: m[i].id strictly increasing, all
   * alive; entity m[i].id moves by (m[i].dx, m[i].dy, m[i].dz). The same
   * result as motion_apply on those columns, without copying them (the
   * strictly-increasing batch path). */
  uint64_t (*motion_apply_aos)(synk_world *w, const synk_motion *m, size_t n);
} synk_kernels;

/* CPU feature bits (arch/x86/cpu.c, and the fixed flags of other targets). */
enum {
  SYNK_CPU_SSE2 = 1u << 0,
  SYNK_CPU_SSE41 = 1u << 1,
  SYNK_CPU_AVX = 1u << 2,
  SYNK_CPU_AVX2 = 1u << 3,
  SYNK_CPU_BMI2 = 1u << 4,
  SYNK_CPU_AVX512F = 1u << 5,
  SYNK_CPU_AVX512BW = 1u << 6,
  SYNK_CPU_AVX512DQ = 1u << 7,
  SYNK_CPU_AVX512VL = 1u << 8,
  SYNK_CPU_NEON = 1u << 9,
  SYNK_CPU_SIMD128 = 1u << 10,
  SYNK_CPU_SSE42 = 1u << 11,
  SYNK_CPU_CRC32 = 1u << 12 /* AArch64 CRC32 instructions (HWCAP_CRC32) */
};
SYNK_HIDDEN uint32_t synk_cpu_detect(void);
/* Names of the bits of synk_cpu_detect(), for `synk info`. */
SYNK_HIDDEN size_t synk_cpu_flag_names(uint32_t flags, const char **names, size_t cap);

/* The active table (selected at first use, arch/dispatch.c). */
SYNK_HIDDEN const synk_kernels *synk_kernels_active(void);
/* A full table for backend `name` (scalar reference first, then the ladder up
 * to that backend), for cross-checks. Returns SYNK_E_ISA when the backend is
 * unknown or not runnable here. */
SYNK_HIDDEN synk_status synk_kernels_for(const char *name, synk_kernels *out);

/* Scalar reference kernels. */
SYNK_HIDDEN void synk_kernels_init_scalar(synk_kernels *k);
SYNK_HIDDEN uint64_t synk_hash_range_scalar(const synk_world *w, uint32_t first, uint32_t count);
SYNK_HIDDEN void synk_hash_ids_scalar(const synk_world *w, const uint32_t *ids, size_t n, uint64_t *out);
SYNK_HIDDEN uint64_t synk_hash_fill_scalar(const synk_world *w, uint32_t first, uint32_t count);
SYNK_HIDDEN uint64_t synk_motion_apply_scalar(synk_world *w, const uint32_t *ids, const int32_t *dx,
                                              const int32_t *dy, const int32_t *dz, size_t n);
SYNK_HIDDEN uint64_t synk_motion_apply_aos_scalar(synk_world *w, const synk_motion *m, size_t n);

/* Per-ISA rungs (present when built; SYNK_HAVE_<ISA> says which). */
SYNK_HIDDEN void synk_kernels_init_avx2(synk_kernels *k);
SYNK_HIDDEN void synk_kernels_init_avx512(synk_kernels *k);
SYNK_HIDDEN void synk_kernels_init_neon(synk_kernels *k);
SYNK_HIDDEN void synk_kernels_init_wasm(synk_kernels *k);

#ifdef __cplusplus
}
#endif

#endif
