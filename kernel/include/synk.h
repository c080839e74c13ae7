/*
 * synk — deterministic state synchronization kernel.
 *
 * The whole public API. C11 and C++ compatible; depends on <stdint.h> and
 * <stddef.h> only. Every function is documented where it is declared: what it
 * does, the errors it returns, and what it costs.
 *
 * Semantics in one paragraph: a world holds up to `max_entities` entities,
 * addressed by id 0..max_entities-1. Each entity has a kind, an int32 position
 * (x, y, z; fixed point by the caller's convention) and `num_props` int32
 * property slots. All arithmetic on state wraps modulo 2^32. Every mutating
 * call either fully succeeds or returns an error and leaves the world — and its
 * hash — exactly as it was. The library never aborts and never prints.
 *
 * Thread safety: a world is not internally synchronized; use one world from one
 * thread at a time. Distinct worlds may be used from distinct threads. The ISA
 * selection (synk_use_isa) is process-global: call it before worlds are used
 * concurrently.
 */
#ifndef SYNK_H
#define SYNK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SYNK_SHARED)
#  ifdef SYNK_BUILDING
#    define SYNK_API __declspec(dllexport)
#  else
#    define SYNK_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && defined(SYNK_BUILDING)
#  define SYNK_API __attribute__((visibility("default")))
#else
#  define SYNK_API
#endif

#define SYNK_VERSION_MAJOR 0
#define SYNK_VERSION_MINOR 1
#define SYNK_VERSION_PATCH 0

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

typedef enum synk_status {
  SYNK_OK = 0,     /* success */
  SYNK_E_ARG,      /* a pointer argument is NULL, or a config/argument is malformed */
  SYNK_E_RANGE,    /* id >= max_entities, or property slot >= num_props */
  SYNK_E_EXISTS,   /* spawn of an id that is already alive */
  SYNK_E_DEAD,     /* despawn/move/set_prop/get of an id that is not alive */
  SYNK_E_NOMEM,    /* the allocator returned NULL */
  SYNK_E_ISA       /* unknown ISA name, or an ISA this machine cannot run */
  /* later versions append codes; existing values never change */
} synk_status;

/* A static, human-readable name for a status ("SYNK_OK", "SYNK_E_RANGE", ...).
 * Unknown values give "SYNK_E_UNKNOWN". Never NULL. Cost: O(1). */
SYNK_API const char *synk_status_str(synk_status s);

/* ------------------------------------------------------------------------ */
/* World creation                                                            */
/* ------------------------------------------------------------------------ */

/* Engine-provided allocator. `alloc` must return memory aligned to at least
 * `align` bytes (a power of two, at most 64), or NULL on failure. `free` is
 * called once for each pointer `alloc` returned. `ctx` is passed through. */
typedef struct synk_allocator {
  void *(*alloc)(void *ctx, size_t size, size_t align);
  void (*free)(void *ctx, void *p);
  void *ctx;
} synk_allocator;

/* Largest accepted max_entities (2^28). Ids 0..2^24-1 are the documented minimum. */
#define SYNK_MAX_ENTITIES_LIMIT (1u << 28)
/* Property slots per entity: num_props is 0..SYNK_MAX_PROPS. */
#define SYNK_MAX_PROPS 16
/* Ids per hash chunk: chunk c covers ids [c*SYNK_CHUNK_IDS, (c+1)*SYNK_CHUNK_IDS). */
#define SYNK_CHUNK_IDS 256

typedef struct synk_config {
  uint32_t max_entities;            /* 1..SYNK_MAX_ENTITIES_LIMIT */
  uint32_t num_props;               /* 0..SYNK_MAX_PROPS */
  uint64_t seed;                    /* keys the hash; peers must share it */
  const synk_allocator *allocator;  /* NULL: malloc/free; copied at creation */
} synk_config;

typedef struct synk_world synk_world;

typedef struct synk_entity {
  uint32_t id, kind;
  int32_t x, y, z;
  int32_t props[SYNK_MAX_PROPS];    /* slots >= num_props read as 0 */
} synk_entity;

typedef struct synk_motion {
  uint32_t id;
  int32_t dx, dy, dz;
} synk_motion;

/* Create an empty world (frame 0, no entities).
 * Memory: all storage and all scratch are allocated here, once: about
 * (48 + 4*num_props) bytes per id (16 + 4*num_props of state, 32 of
 * batch-motion scratch) plus 8 bytes per SYNK_CHUNK_IDS ids; no later
 * call allocates.
 * Errors: SYNK_E_ARG (cfg or out NULL, max_entities 0 or above the limit,
 * num_props above SYNK_MAX_PROPS, allocator given without alloc/free),
 * SYNK_E_NOMEM. On error *out is set to NULL (when out is not NULL).
 * Cost: O(max_entities) to zero the storage. */
SYNK_API synk_status synk_world_create(const synk_config *cfg, synk_world **out);

/* Free a world and everything it owns. NULL is accepted. Cost: O(1) frees. */
SYNK_API void synk_world_destroy(synk_world *w);

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

/* Bring entity `id` to life with the given kind and position; its properties
 * are 0. Errors: SYNK_E_ARG (w NULL), SYNK_E_RANGE (id >= max_entities),
 * SYNK_E_EXISTS (id alive). Cost: O(num_props), one entity hash. */
SYNK_API synk_status synk_spawn(synk_world *w, uint32_t id, uint32_t kind,
                                int32_t x, int32_t y, int32_t z);

/* Remove entity `id`. Its storage is cleared to 0.
 * Errors: SYNK_E_ARG, SYNK_E_RANGE, SYNK_E_DEAD. Cost: O(num_props), one hash. */
SYNK_API synk_status synk_despawn(synk_world *w, uint32_t id);

/* Set property `slot` of entity `id` to `value`.
 * Errors: SYNK_E_ARG, SYNK_E_RANGE (id or slot out of range; the id is checked
 * first), SYNK_E_DEAD. Cost: O(num_props), two entity hashes. */
SYNK_API synk_status synk_set_prop(synk_world *w, uint32_t id, uint32_t slot, int32_t value);

/* Add (dx, dy, dz) to the position of `id`, wrapping modulo 2^32.
 * Errors: SYNK_E_ARG, SYNK_E_RANGE, SYNK_E_DEAD. Cost: O(num_props), two
 * entity hashes (old and new). */
SYNK_API synk_status synk_move(synk_world *w, uint32_t id, int32_t dx, int32_t dy, int32_t dz);

/* Apply n motions, in any order and with repeats. The result (state and hash)
 * is exactly that of calling synk_move on m[0], m[1], ... in order. Atomic: if
 * any motion names an id that is out of range or not alive, nothing is applied,
 * *bad_index (when bad_index is not NULL) is set to the index of the first such
 * motion, and its error is returned. n == 0 succeeds and does nothing (m may
 * then be NULL).
 * Errors: SYNK_E_ARG (w NULL, or m NULL with n > 0), SYNK_E_RANGE, SYNK_E_DEAD.
 * Cost: O(n) to validate and coalesce same-entity deltas, then a radix or
 * bitmap ordering of the u distinct ids, then one SIMD pass hashing each
 * distinct entity once before and once after; no allocation. */
SYNK_API synk_status synk_apply_motions(synk_world *w, const synk_motion *m, size_t n,
                                        size_t *bad_index);

/* Advance the frame counter by one (it is part of the world hash).
 * w NULL is ignored. Cost: O(1). */
SYNK_API void synk_tick(synk_world *w);

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */
/* ------------------------------------------------------------------------ */

/* Current frame (number of ticks since creation); 0 for NULL. O(1). */
SYNK_API uint64_t synk_frame(const synk_world *w);

/* Number of live entities; 0 for NULL. O(1). */
SYNK_API size_t synk_count(const synk_world *w);

/* Copy entity `id` into *out (props beyond num_props are 0).
 * Errors: SYNK_E_ARG (w or out NULL), SYNK_E_RANGE, SYNK_E_DEAD. O(num_props). */
SYNK_API synk_status synk_get(const synk_world *w, uint32_t id, synk_entity *out);

/* The world hash: keyed by the seed, covering every live entity (id, kind,
 * position, properties), the frame counter and the entity count. Two worlds
 * created with the same config that received the same events have equal
 * hashes on every machine. 0 for NULL. Cost: O(1) (kept current by every
 * mutation). The exact definition is docs/hash.md. */
SYNK_API uint64_t synk_hash(const synk_world *w);

/* Recompute the world hash from scratch with the active SIMD backend. Always
 * equals synk_hash(w); exists to prove it. 0 for NULL.
 * Cost: O(max_entities), about 0.5-1.5 ns per live id on AVX2. */
SYNK_API uint64_t synk_rehash(const synk_world *w);

/* The per-entity hash h(e) of live entity `id` (docs/hash.md).
 * Errors: SYNK_E_ARG, SYNK_E_RANGE, SYNK_E_DEAD. Cost: O(num_props). */
SYNK_API synk_status synk_entity_hash(const synk_world *w, uint32_t id, uint64_t *out);

/* Per-chunk sums of entity hashes: chunk c is the wrapping sum of h(e) over the
 * live ids in [c*SYNK_CHUNK_IDS, (c+1)*SYNK_CHUNK_IDS). Writes min(cap, count)
 * sums to out (out may be NULL when cap is 0) and returns the chunk count,
 * ceil(max_entities / SYNK_CHUNK_IDS). Two peers whose hashes differ compare
 * chunk sums to find the ids that differ. Cost: O(min(cap, count)). */
SYNK_API size_t synk_chunk_hashes(const synk_world *w, uint64_t *out, size_t cap);

/* Read-only, zero-copy view of the storage (structure of arrays indexed by id).
 * Entries of dead ids are 0. Bit (id % 64) of alive[id / 64] is 1 for a live
 * id. props[s] is NULL for s >= num_props. Valid until the world is destroyed;
 * contents change with the world. */
typedef struct synk_view {
  const int32_t *x, *y, *z;
  const uint32_t *kind;
  const int32_t *props[SYNK_MAX_PROPS];
  const uint64_t *alive;
  uint32_t capacity;    /* max_entities */
  uint32_t num_props;
} synk_view;

/* The view of w (all fields zero for NULL). O(1). */
SYNK_API synk_view synk_get_view(const synk_world *w);

/* ------------------------------------------------------------------------ */
/* Backends                                                                  */
/* ------------------------------------------------------------------------ */

/* Name of the active kernel backend: "scalar", "avx2", ... The first call of
 * any synk function selects it: the best native backend, or the one named by
 * the environment variable SYNK_ISA when that names a runnable backend (read
 * once). O(1) after the first call. */
SYNK_API const char *synk_isa(void);

/* Force a backend by name: "scalar", "avx2", "avx512", "neon", "wasm", or
 * "auto" for the best native one. Backends built as SIMDe emulations on this
 * host (e.g. "neon" on x86-64) can be forced for testing; "auto" never picks
 * them. Errors: SYNK_E_ARG (NULL), SYNK_E_ISA (unknown name, or not runnable
 * here); on error the active backend is unchanged. Process-global. O(1). */
SYNK_API synk_status synk_use_isa(const char *name);

/* Names of the backends runnable here, best native first (emulated ones
 * last). Writes min(cap, count) pointers to static strings into names (may be
 * NULL when cap is 0) and returns the count. O(1). */
SYNK_API size_t synk_isa_list(const char **names, size_t cap);

/* 1 if backend `name` is a SIMDe emulation on this host (a correctness check,
 * never a performance claim), 0 if native, -1 if unknown or not runnable. */
SYNK_API int synk_isa_emulated(const char *name);

/* Library version, "MAJOR.MINOR.PATCH". */
SYNK_API const char *synk_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SYNK_H */
