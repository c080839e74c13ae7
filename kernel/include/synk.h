/* SPDX-License-Identifier: MIT */
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
  SYNK_E_ISA,      /* unknown ISA name, or an ISA this machine cannot run */
  SYNK_E_FORMAT,   /* malformed bytes: bad magic/version, truncated, out-of-bound length or value */
  SYNK_E_MISMATCH, /* well-formed bytes that do not fit: hash, config, base world or frame differ */
  SYNK_E_SPACE,    /* the caller's output buffer is too small (the size needed is reported) */
  /* later versions append codes; existing values never change */

  /* The session layer's own status (synk_session.h), not an error: the call
   * did nothing because advancing now would run past the prediction window
   * (rollback) or without a remote input (lockstep), or because the session's
   * input history is full. Retry after receiving datagrams. */
  SYNK_SESSION_STALL = 64,

  /* Nothing to take now, not an error: a poll with nothing due, an empty
   * event or request queue (synk_session.h, synk_net.h, synk_netsim.h). */
  SYNK_EMPTY = 65
} synk_status;

/* A static, human-readable name for every status any synk function returns
 * ("SYNK_OK", "SYNK_E_RANGE", ..., "SYNK_SESSION_STALL"): the kernel's, the
 * sync layer's, the session's and the protocol endpoints' (synk_net.h returns
 * these codes; its close and refusal *reasons* are named by
 * synk_net_reason_str). Unknown values give "SYNK_E_UNKNOWN". Never NULL.
 * Cost: O(1). */
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

/* Most tasks synk splits one call into (synk_jobs.max_tasks). */
#define SYNK_MAX_TASKS 64

/* One task of a split call: synk passes its own arg and the task's index. */
typedef void (*synk_task_fn)(void *arg, uint32_t task);

/* The engine's job system, for multi-core execution of the large calls:
 * synk_apply_motions (large unordered batches whole: validation, coalescing,
 * ordering and apply, each task owning a range of ids and reading every
 * motion; the apply step of large sorted batches), synk_rehash,
 * synk_snapshot_load (its rehash). synk splits such a call by chunk ranges
 * into at most max_tasks tasks and calls parallel_for (once per phase: twice
 * for an unordered batch, validation before anything is written); parallel_for
 * must run task(arg, 0) .. task(arg, n_tasks - 1), each exactly once, in any
 * order, on any threads (the calling one included), and return only when
 * all have finished. Tasks touch disjoint memory (whole groups of 64 chunks)
 * and never call back into synk, so the result -- state and hash, bit for
 * bit -- is the same for every task count, order and thread count. Calls
 * too small to gain run inline, without parallel_for. */
typedef struct synk_jobs {
  void (*parallel_for)(void *ctx, uint32_t n_tasks, synk_task_fn task, void *arg);
  void *ctx;           /* passed through */
  uint32_t max_tasks;  /* 1..SYNK_MAX_TASKS (0 counts as 1: serial) */
} synk_jobs;

typedef struct synk_config {
  uint32_t max_entities;            /* 1..SYNK_MAX_ENTITIES_LIMIT */
  uint32_t num_props;               /* 0..SYNK_MAX_PROPS */
  uint64_t seed;                    /* keys the hash; peers must share it */
  const synk_allocator *allocator;  /* NULL: malloc/free; copied at creation */
  const synk_jobs *jobs;            /* NULL: every call runs on the calling thread;
                                       copied at creation */
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
 * (56 + 4*num_props) bytes per id (16 + 4*num_props of state, 8 of cached
 * entity hash, 32 of batch-motion scratch) plus 8 bytes per SYNK_CHUNK_IDS
 * ids and 4 KiB; no later call allocates.
 * Errors: SYNK_E_ARG (cfg or out NULL, max_entities 0 or above the limit,
 * num_props above SYNK_MAX_PROPS, allocator given without alloc/free, jobs
 * given without parallel_for or with max_tasks above SYNK_MAX_TASKS),
 * SYNK_E_NOMEM. On error *out is set to NULL (when out is not NULL).
 * Cost: O(max_entities) to zero the storage. */
SYNK_API synk_status synk_world_create(const synk_config *cfg, synk_world **out);

/* Free a world and everything it owns. NULL is accepted. Cost: O(1) frees. */
SYNK_API void synk_world_destroy(synk_world *w);

/* Make dst an exact copy of src (state, frame, count, hash): a save state by
 * cloning, as engines without rings do it. The two worlds must have the same
 * config (max_entities, num_props, seed; the allocators may differ). Rings
 * attached to dst see every chunk as changed. src == dst does nothing.
 * Errors: SYNK_E_ARG (NULL), SYNK_E_MISMATCH (configs differ; dst unchanged).
 * Cost: O(max_entities): one copy of the state, (24 + 4*num_props) bytes per
 * id (the cached entity hashes included) plus the bitmap and chunk sums; no
 * allocation. */
SYNK_API synk_status synk_world_copy(synk_world *dst, const synk_world *src);

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

/* Bring entity `id` to life with the given kind and position; its properties
 * are 0. Errors: SYNK_E_ARG (w NULL), SYNK_E_RANGE (id >= max_entities),
 * SYNK_E_EXISTS (id alive). Cost: O(num_props), one entity hash. */
SYNK_API synk_status synk_spawn(synk_world *w, uint32_t id, uint32_t kind,
                                int32_t x, int32_t y, int32_t z);

/* Remove entity `id`. Its storage is cleared to 0.
 * Errors: SYNK_E_ARG, SYNK_E_RANGE, SYNK_E_DEAD. Cost: O(num_props) to clear
 * the properties; no hash computed (its cached h(e) is subtracted). */
SYNK_API synk_status synk_despawn(synk_world *w, uint32_t id);

/* Set property `slot` of entity `id` to `value`.
 * Errors: SYNK_E_ARG, SYNK_E_RANGE (id or slot out of range; the id is checked
 * first), SYNK_E_DEAD. Cost: O(num_props), one entity hash (of the new state;
 * the old one is cached). */
SYNK_API synk_status synk_set_prop(synk_world *w, uint32_t id, uint32_t slot, int32_t value);

/* Add (dx, dy, dz) to the position of `id`, wrapping modulo 2^32.
 * Errors: SYNK_E_ARG, SYNK_E_RANGE, SYNK_E_DEAD. Cost: O(num_props), one
 * entity hash (of the new position; the old hash is cached). */
SYNK_API synk_status synk_move(synk_world *w, uint32_t id, int32_t dx, int32_t dy, int32_t dz);

/* Apply n motions, in any order and with repeats. The result (state and hash)
 * is exactly that of calling synk_move on m[0], m[1], ... in order. Atomic: if
 * any motion names an id that is out of range or not alive, nothing is applied,
 * *bad_index (when bad_index is not NULL) is set to the index of the first such
 * motion, and its error is returned. n == 0 succeeds and does nothing (m may
 * then be NULL).
 * Errors: SYNK_E_ARG (w NULL, or m NULL with n > 0), SYNK_E_RANGE, SYNK_E_DEAD.
 * Cost: O(n) to validate (strictly increasing ids: nothing more; the kernel
 * reads m itself); a batch made of a few non-decreasing runs (at most one per
 * 16 motions, as when sorted batches are concatenated) is ordered by sorting
 * its R runs, O(n + R log R), and merged only where runs overlap or repeat
 * ids (bounded: O(n)); any other order gets a bitmap ordering of the u
 * distinct ids over their span, O(n + span/4096), coalescing same-entity
 * deltas only when an id repeats; then one SIMD pass hashing each distinct
 * entity once, after its motion (the hash before is cached); no allocation. */
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
 * Errors: SYNK_E_ARG, SYNK_E_RANGE, SYNK_E_DEAD. Cost: O(1): every world
 * keeps h(e) of each live entity cached, exact after every call. */
SYNK_API synk_status synk_entity_hash(const synk_world *w, uint32_t id, uint64_t *out);

/* The world hash that a world of w's config (max_entities, num_props, seed)
 * holding entities whose h(e) sum (wrapping) to `sum`, `count` of them, at
 * frame `frame` would have: synk_hash(w) == synk_hash_compose(w, sum of h(e)
 * over w's live entities, synk_frame(w), synk_count(w)). A view's hash --
 * the hash of a world holding a subset of w's entities, as the net layer's
 * clients do -- is composed from the subset's sum and count without building
 * that world (docs/hash.md, "View hashes"). 0 for NULL. Cost: O(1), four
 * 64-bit mixes. */
SYNK_API uint64_t synk_hash_compose(const synk_world *w, uint64_t sum, uint64_t frame, uint64_t count);

/* The wrapping sum of h(e) over w's live entities, the world hash before its
 * finalization: synk_hash(w) == synk_hash_compose(w, synk_hash_sum(w),
 * synk_frame(w), synk_count(w)). With synk_entity_hash_of, a caller computes
 * the hash a change would give before making it (the net client validates a
 * repair so). 0 for NULL. Cost: O(1) (kept current by every mutation). */
SYNK_API uint64_t synk_hash_sum(const synk_world *w);

/* The per-entity hash h(e) that entity state *e (id, kind, position, the
 * first num_props properties; slots past num_props are ignored) would have in
 * w, whether or not it is alive there: equal to synk_entity_hash after
 * spawning it and setting its properties. Errors: SYNK_E_ARG (NULL),
 * SYNK_E_RANGE (e->id >= max_entities); *out unchanged on error.
 * Cost: O(num_props), one scalar entity hash. */
SYNK_API synk_status synk_entity_hash_of(const synk_world *w, const synk_entity *e, uint64_t *out);

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

/* The config w was created with (all fields zero for NULL): what a receiver
 * passes to synk_snapshot_load to accept snapshots of worlds like w. Its
 * allocator points at w's copy of the allocator (valid while w lives; the
 * default malloc/free one when w was created without); jobs at w's copy of
 * the job interface, or NULL. O(1). */
SYNK_API synk_config synk_get_config(const synk_world *w);

/* The view of w (all fields zero for NULL). O(1). */
SYNK_API synk_view synk_get_view(const synk_world *w);

/* ------------------------------------------------------------------------ */
/* Sync layer: event streams, snapshots, deltas, history and rollback        */
/* ------------------------------------------------------------------------ */
/* Byte formats are specified in docs/wire-format.md: versioned, little-endian
 * whatever the host, every length bounded. Decoders treat their input as
 * hostile: they never read outside [buf, buf + len), never allocate (except
 * synk_snapshot_load, which creates a world of the config its caller
 * expects, never one the bytes choose), their work is bounded by the bytes
 * they are given and the caller's config, and every failing call leaves the
 * world exactly as it was. */

typedef enum synk_event_type {
  SYNK_EV_SPAWN = 1,   /* id, arg = kind, a/b/c = x/y/z */
  SYNK_EV_DESPAWN = 2, /* id */
  SYNK_EV_MOTION = 3,  /* id, a/b/c = dx/dy/dz */
  SYNK_EV_PROP = 4,    /* id, arg = slot, a = value */
  SYNK_EV_TICK = 5     /* arg = number of ticks (>= 1) */
} synk_event_type;

/* One event, as the decoder returns it and the encoder takes it. Fields a
 * type does not use are 0 in decoded events and ignored by the encoder. */
typedef struct synk_event {
  uint32_t type; /* synk_event_type */
  uint32_t id;
  uint32_t arg;
  int32_t a, b, c;
} synk_event;

/* Where a stream call stopped or failed. */
typedef struct synk_stream_info {
  size_t events;     /* events decoded or applied by this call */
  size_t bytes;      /* on success: the offset just past the last record used */
  size_t bad_event;  /* on error: index of the failing event, counted from the
                        first event of this call (a motion run counts one
                        event per motion) */
  size_t bad_offset; /* on error: byte offset of the record holding it */
  int end;           /* on success: 1 when the call reached the stream's final
                        check (the stream is complete), 0 when it stopped at a
                        tick's check (per-tick replay, or more to come) */
} synk_stream_info;

/* Worst-case encoded size of n events as one stream (header and check
 * records included), for sizing a buffer without a query pass. O(1). */
SYNK_API size_t synk_stream_bound(size_t n);

/* Sort and coalesce, in place, every maximal run of consecutive motion events
 * of ev[0..*n): motions of one run are ordered by id and motions of one id
 * summed (wrapping). Applying the result gives exactly the state and hash the
 * input gives (motions commute); the encoder turns such runs into compact
 * column blocks. *n becomes the new count. Other events keep their order.
 * Errors: SYNK_E_ARG (NULL with *n > 0). Cost: O(m log m) per run of m
 * motions (heapsort, in place, no allocation). */
SYNK_API synk_status synk_events_coalesce(synk_event *ev, size_t *n);

/* Encode ev[0..n) as an event stream into buf[0..cap). Each maximal run of at
 * least 8 consecutive motions with strictly increasing ids becomes one motion
 * run (column blocks, about 1 byte per motion for small deltas); every other
 * event is a small record (a motion with |d| < 64 and id < 2^21: at most 7
 * bytes). Every tick record is followed by a 5-byte check record (CRC-32C
 * chained over the stream) and the stream ends with a final one, so a stream
 * costs 1 header byte + 5 per tick + 5. *len receives the stream's size.
 * buf NULL (cap 0) is a size query: nothing is written, *len is set, SYNK_OK.
 * Errors: SYNK_E_ARG (len NULL, ev NULL with n > 0, unknown type, slot >= 16,
 * tick count 0), SYNK_E_SPACE (cap too small: *len is the size needed,
 * buf's contents are unspecified). Cost: O(n). */
SYNK_API synk_status synk_stream_encode(const synk_event *ev, size_t n, void *buf, size_t cap,
                                        size_t *len);

/* Incremental encoding of one stream, piece by piece: a recording written
 * tick by tick, or a connection that carries one long stream. Zero it
 * (`synk_stream_writer sw = {0};`) before the first piece; the fields are the
 * writer's state, not to be changed by the caller. */
typedef struct synk_stream_writer {
  uint64_t bytes; /* stream bytes written so far */
  uint32_t crc;   /* the check chain's value after the last check written */
  uint32_t state; /* 0: nothing written, 1: open, 2: finished */
} synk_stream_writer;

/* Encode ev[0..n) as the next piece of sw's stream into buf[0..cap): the
 * header first (first piece only), the records exactly as
 * synk_stream_encode writes them, a check after every tick, and with
 * `final` != 0 the final check that ends the stream. A piece that is not
 * final must end with a tick event, so that every piece ends at a check: a
 * receiver can append pieces to its buffer and apply each as it arrives
 * (synk_stream_apply with max_ticks > 0). The pieces of one writer, in order,
 * form one stream; a single final piece equals synk_stream_encode's output.
 * buf NULL (cap 0) is a size query: *len is set, sw unchanged, SYNK_OK.
 * Errors: SYNK_E_ARG (sw or len NULL, ev NULL with n > 0, an invalid event
 * as for synk_stream_encode, a non-final piece that does not end with a
 * tick, a writer already finished), SYNK_E_SPACE (cap too small: *len is the
 * size needed; sw unchanged, so the piece can be written again).
 * Cost: O(n). */
SYNK_API synk_status synk_stream_write(synk_stream_writer *sw, const synk_event *ev, size_t n, int final,
                                       void *buf, size_t cap, size_t *len);

/* Decode a whole stream into out[0..cap) (a motion run yields one motion event
 * per motion). *n_out receives the number of events; out NULL (cap 0) is a
 * count query. info (may be NULL) tells where decoding stopped or failed.
 * Every check record is verified: corrupt, truncated, reordered or spliced
 * bytes are refused (docs/wire-format.md, "Check records").
 * Errors: SYNK_E_ARG (buf NULL with len > 0, n_out NULL), SYNK_E_FORMAT
 * (malformed, a failed check, or no final check: info->bad_offset is the
 * record, or len; *n_out is 0 and out's contents are unspecified),
 * SYNK_E_SPACE (cap too small; *n_out is the count needed). The count is at
 * most 64 * len. Cost: O(len + events); SIMD column decoding, CRC-32C with
 * the crc32 instruction where the backend has it. */
SYNK_API synk_status synk_stream_decode(const void *buf, size_t len, synk_event *out, size_t cap,
                                        size_t *n_out, synk_stream_info *info);

/* Decode the motions of a whole stream into columns: entry i of ids, dx, dy
 * and dz is the stream's i-th motion, in stream order. A motion run goes in
 * bulk from its column blocks straight into the arrays (SIMD unpacking, no
 * synk_event in between), a lone motion record fills one entry; the other
 * records are validated and skipped. For engines that keep motions in their
 * own structure of arrays, and for measuring the decoder alone. Every check
 * record is verified, as by synk_stream_decode. *n_out receives the number
 * of motions; cap 0 (the arrays may then be NULL) is a count query.
 * Errors: SYNK_E_ARG (buf NULL with len > 0, n_out NULL, an array NULL with
 * cap > 0), SYNK_E_FORMAT (malformed, a failed check, or no final check;
 * *n_out is 0), SYNK_E_SPACE (more than cap motions: *n_out is the count
 * needed; the arrays hold a prefix). The arrays' contents past *n_out, and
 * on error, are unspecified. Cost: O(len + motions); no allocation. */
SYNK_API synk_status synk_stream_decode_motions(const void *buf, size_t len, uint32_t *ids, int32_t *dx,
                                                int32_t *dy, int32_t *dz, size_t cap, size_t *n_out);

/* Record types of an event stream: the top 3 bits of a record's tag byte
 * (docs/wire-format.md, "Event streams"). */
typedef enum synk_record_type {
  SYNK_REC_SPAWN = 1,
  SYNK_REC_DESPAWN = 2,
  SYNK_REC_MOTION = 3, /* one motion on its own */
  SYNK_REC_PROP = 4,
  SYNK_REC_TICK = 5,
  SYNK_REC_RUN = 6,    /* a motion run: n motions as packed column blocks */
  SYNK_REC_CHECK = 7   /* a check record (CRC-32C of the bytes before it): no event */
} synk_record_type;

/* One record of a stream, as synk_stream_records lists it. */
typedef struct synk_stream_record {
  uint32_t type;      /* synk_record_type */
  size_t offset;      /* byte offset of the record in the stream */
  size_t bytes;       /* its size in bytes */
  size_t events;      /* events it holds: a run's motions, 0 for a check, else 1 */
  size_t first_event; /* index of its first event among the stream's events
                         (synk_stream_decode's order) */
} synk_stream_record;

/* List the records of a whole stream (header excluded) into out[0..cap), in
 * order: what each costs in bytes and which events it holds (`synk stat`
 * reports a stream's bytes per record type from this). *n_out receives the
 * number of records; out NULL (cap 0) is a count query. The structure and
 * every check record are verified as synk_stream_decode verifies them; the
 * values inside a motion run's columns are not decoded, so a stream listed
 * here may still be refused by the decoders (a non-canonical block width).
 * Errors: SYNK_E_ARG (buf NULL with len > 0, n_out NULL), SYNK_E_FORMAT
 * (malformed, a failed check, or no final check; *n_out is 0, out's contents
 * unspecified), SYNK_E_SPACE (cap too small: *n_out is the count needed,
 * out holds the first cap). The count is below len. Cost: O(len) (the CRC
 * and the column headers; no value decoding); no allocation. */
SYNK_API synk_status synk_stream_records(const void *buf, size_t len, synk_stream_record *out, size_t cap,
                                         size_t *n_out);

/* Decode and apply stream records to w, atomically: either every record from
 * *pos up to the stopping point is applied, in order, exactly as the
 * corresponding synk_spawn / synk_despawn / synk_move / synk_set_prop /
 * synk_tick calls would, or nothing is. pos NULL or *pos == 0 starts at the
 * stream header; otherwise *pos must be an offset a previous call returned
 * (any other offset is refused: SYNK_E_FORMAT). With max_ticks > 0 the call
 * stops after the check record that follows the tick bringing the ticks it
 * applied to max_ticks (per-tick replay), or at the end of the bytes if that
 * is a check (a stream still arriving: append the next pieces and call again
 * from *pos; UINT64_MAX applies every tick present); info->end tells whether
 * the stream's final check was reached. With max_ticks == 0 the call applies
 * to the end, which must be the stream's final check (a stream cut anywhere
 * is refused). Nothing is applied from bytes whose check record has not been
 * verified. On success *pos (if not NULL) is the offset where it stopped
 * (len at the end).
 * Errors: SYNK_E_ARG (w NULL, buf NULL with len > 0, *pos > len),
 * SYNK_E_FORMAT (malformed, a failed check, truncated), SYNK_E_RANGE /
 * SYNK_E_EXISTS / SYNK_E_DEAD (an event that the direct call would refuse,
 * reported once the rest of its tick's bytes pass their check; if they do
 * not, SYNK_E_FORMAT); info->bad_event and info->bad_offset locate the first
 * failing event (for a failed check: the first event of its tick and the
 * check record).
 * Memory: motion runs decode into the world's batch scratch; nothing is
 * allocated. Cost: O(len + events): one validation pass (a motion run is
 * decoded once and applied through the batch-motion kernel) and one apply
 * pass. */
SYNK_API synk_status synk_stream_apply(synk_world *w, const void *buf, size_t len, size_t *pos,
                                       uint64_t max_ticks, synk_stream_info *info);

/* Apply decoded events ev[0..n) to w, atomically, exactly as the direct
 * calls would in order (synk_spawn, synk_despawn, synk_move, synk_set_prop,
 * `arg` calls of synk_tick). If any event would fail, nothing is applied and
 * *bad_index (when not NULL) names the first failing event.
 * Errors: SYNK_E_ARG (w NULL, ev NULL with n > 0, an unknown type or a tick
 * count of 0), SYNK_E_RANGE, SYNK_E_EXISTS, SYNK_E_DEAD. Cost: O(n), one
 * validation pass and one apply pass (one synk_move per motion: batches of
 * motions are faster as a stream, which carries them sorted and coalesced);
 * no allocation. */
SYNK_API synk_status synk_events_apply(synk_world *w, const synk_event *ev, size_t n, size_t *bad_index);

/* Exact size of w's snapshot: 52 + 8*ceil(max_entities/64)
 * + count*4*(4 + num_props) bytes; 0 for NULL. O(1). */
SYNK_API size_t synk_snapshot_size(const synk_world *w);

/* Write w (config, frame, count, every live entity and the world hash) into
 * buf[0..cap); *len receives synk_snapshot_size(w). Bit-exact: loading it
 * gives a world with the same state and hash.
 * Errors: SYNK_E_ARG (w or len NULL, buf NULL with cap > 0), SYNK_E_SPACE
 * (cap too small; *len is the size needed). Cost: O(max_entities/64 + count)
 * with word-at-a-time copies. */
SYNK_API synk_status synk_snapshot_save(const synk_world *w, void *buf, size_t cap, size_t *len);

/* What a snapshot's header says, checked for structure (synk_snapshot_inspect). */
typedef struct synk_snapshot_header {
  uint32_t max_entities, num_props; /* the config of the world it holds ... */
  uint64_t seed;                    /* ... with its seed */
  uint64_t frame, count, hash;      /* its frame, live entities and world hash */
  size_t size;                      /* the snapshot's size in bytes (== len) */
} synk_snapshot_header;

/* Read a snapshot's header without loading it: magic, version, the bounds of
 * every field, the size its counts imply (must equal len), and the alive
 * bitmap (no ids >= max_entities, exactly `count` live ids). The entity
 * columns and the hash are not checked (synk_snapshot_load does that). For a
 * caller that must choose a config before loading -- a tool opening a file,
 * a server accepting any world up to its own limit -- and then passes it to
 * synk_snapshot_load, having refused configs beyond its limit.
 * Errors: SYNK_E_ARG (buf or out NULL), SYNK_E_FORMAT (as for
 * synk_snapshot_load; *out unchanged). Cost: O(len / 64): reads the header
 * and the bitmap, allocates nothing. */
SYNK_API synk_status synk_snapshot_inspect(const void *buf, size_t len, synk_snapshot_header *out);

/* Create a new world from a snapshot of a world whose config is `expect`'s:
 * the config the receiver agreed to (at a handshake, or from its own limits
 * via synk_snapshot_inspect). A snapshot of any other config (max_entities,
 * num_props or seed) is refused before anything is allocated, so what a peer
 * sends can never make the receiver allocate beyond its own configuration.
 * The new world uses expect->allocator (NULL: malloc/free). The world hash is
 * recomputed and must equal the one carried.
 * Errors: SYNK_E_ARG (buf, expect or out NULL, or an allocator without
 * alloc/free), SYNK_E_FORMAT (malformed, wrong length, bits beyond
 * max_entities, count not the number of live ids), SYNK_E_MISMATCH (a config
 * other than *expect -- nothing allocated -- or a recomputed hash that
 * differs), SYNK_E_NOMEM. On error *out is NULL and nothing stays allocated.
 * Memory: one world of config *expect, as synk_world_create.
 * Cost: header and bitmap checks (O(len / 64)) before allocating, then
 * O(max_entities) (creation) + a SIMD rehash of the live entities, which
 * also fills the world's cached entity hashes. */
SYNK_API synk_status synk_snapshot_load(const void *buf, size_t len, const synk_config *expect,
                                        synk_world **out);

/* Encode what changed from `base` to `target` (two worlds of the same config):
 * despawned ids, spawned entities, and for entities alive in both the
 * position change (as packed wrapping deltas), kind and property changes,
 * with the base and target frames and hashes. The differing ids are found by
 * the SIMD diff kernel. buf NULL (cap 0) is a size query.
 * Errors: SYNK_E_ARG (NULL base/target/len), SYNK_E_MISMATCH (configs
 * differ: max_entities, num_props or seed), SYNK_E_SPACE (*len is the size
 * needed). Cost: O(max_entities) compare (memory bound) + O(changes). */
SYNK_API synk_status synk_delta_encode(const synk_world *base, const synk_world *target, void *buf,
                                       size_t cap, size_t *len);

/* Apply a delta to w, which must be its base: same config, frame and hash
 * (else SYNK_E_MISMATCH, w unchanged). The result is verified before
 * anything is written: the target hash computed from w and the delta must
 * equal the carried one (else SYNK_E_MISMATCH). On success w equals the
 * target exactly (state, frame, count, hash).
 * Errors: SYNK_E_ARG (w NULL, buf NULL with len > 0), SYNK_E_FORMAT
 * (malformed), SYNK_E_MISMATCH. Cost: O(len + changes) with one scalar
 * entity hash per spawned or changed entity in each of its two passes
 * (verify, then write; the hashes before are cached, despawns need none);
 * no allocation. */
SYNK_API synk_status synk_delta_apply(synk_world *w, const void *buf, size_t len);

/* Which ids differ between worlds a and b of the same config: bit (id % 64)
 * of out[id / 64] is set when id is alive in one world and not the other, or
 * alive in both with a different kind, position or property (a dead id holds
 * zeros, so two dead ids never differ; frames are not compared). Writes
 * ceil(max_entities / 64) words; bits at ids >= max_entities are 0. This is
 * the diff behind synk_delta_encode, for finding the entities of a desync
 * once synk_chunk_hashes has narrowed it down.
 * Errors: SYNK_E_ARG (a NULL argument), SYNK_E_MISMATCH (configs differ:
 * max_entities, num_props or seed), SYNK_E_SPACE (cap, in words, below
 * ceil(max_entities / 64)); nothing is written on error. Cost:
 * O(max_entities * (4 + num_props)) compares through the active backend's
 * SIMD diff kernel (memory bound); no allocation. */
SYNK_API synk_status synk_world_diff(const synk_world *a, const synk_world *b, uint64_t *out, size_t cap);

/* A ring of saved frames of one world: rollback (save every frame, restore
 * any of the last `slots` saved frames) and catch-up history ("what changed
 * since frame F"). A save copies only the 256-id chunks changed since the
 * previous save (the world's per-chunk dirty bits); a restore copies back
 * only the chunks changed since the frame restored. The dirty bits are
 * collected into every ring attached to the world, so several rings (e.g. a
 * short rollback ring and a long history ring) on one world each see every
 * change. Destroy rings before their world. */
typedef struct synk_ring synk_ring;

/* Attach a ring of `slots` saved frames (1..65536) to w. Memory: slots + 2
 * copies of the state, about (24 + 4*num_props)*max_entities bytes each
 * (the cached entity hashes included, so a restore needs no hashing; room
 * for every frame to change every chunk), from w's allocator, once.
 * Cost: one copy of the world. Errors: SYNK_E_ARG, SYNK_E_NOMEM. */
SYNK_API synk_status synk_ring_create(synk_world *w, uint32_t slots, synk_ring **out);

/* Detach and free a ring. NULL is accepted. */
SYNK_API void synk_ring_destroy(synk_ring *r);

/* Save the world at its current frame F. Saved frames >= F are replaced
 * (re-simulation after a rollback saves them again); when the ring is full
 * the oldest frame is dropped. Errors: SYNK_E_ARG. Cost: O(rings*chunks/64)
 * to collect the dirty bits, a copy of each chunk changed since the previous
 * save, and at most as many copies for the frame dropped (its chunks that no
 * later frame covers). */
SYNK_API synk_status synk_ring_save(synk_ring *r);

/* 1 if frame F is saved in the ring, else 0. O(1). */
SYNK_API int synk_ring_has(const synk_ring *r, uint64_t frame);

/* Restore the world to saved frame F exactly (state, frame, count, chunk sums,
 * hash). Saved frames after F are dropped: the timeline restarts at F.
 * Errors: SYNK_E_ARG, SYNK_E_RANGE (F not in the ring; world unchanged).
 * Cost: a copy of each chunk changed since F was saved (from the newest
 * image at or before F: O(slots) bit tests per chunk to find it). */
SYNK_API synk_status synk_ring_restore(synk_ring *r, uint64_t frame);

/* Catch-up for a peer at frame F: if F is saved in the ring, a delta from F
 * to the world's current state (synk_delta_apply format; the diff only visits
 * chunks changed since F); otherwise a full snapshot of the world
 * (synk_snapshot_load format). *is_snapshot (may be NULL) says which. buf
 * NULL (cap 0) is a size query (it does the work of the call).
 * Errors: SYNK_E_ARG, SYNK_E_SPACE (*len is the size needed).
 * Cost: delta: frame F rebuilt in the ring's scratch for the chunks changed
 * since F, their diff and encoding; snapshot: as synk_snapshot_save. */
SYNK_API synk_status synk_ring_since(synk_ring *r, uint64_t frame, void *buf, size_t cap, size_t *len,
                                     int *is_snapshot);

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

/* Names of the CPU features synk detected here ("sse4.2", "avx2", "neon",
 * "simd128", "crc32", ...; what `synk info` prints). Writes min(cap, count)
 * pointers to static strings into names (may be NULL when cap is 0) and
 * returns the count. O(1) after the first call. */
SYNK_API size_t synk_cpu_features(const char **names, size_t cap);

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of p[0..n),
 * continuing from crc, the CRC of the bytes before p (0 for none):
 * synk_crc32c(synk_crc32c(0, a, na), b, nb) is the CRC of a followed by b.
 * Standard pre- and post-inversion: synk_crc32c(0, "123456789", 9) ==
 * 0xE3069283. The integrity check of every synk wire format (streams' check
 * records, session datagrams, protocol messages), exposed for the layers
 * above the kernel. p may be NULL when n is 0. Cost: O(n), the active
 * backend's kernel (SSE4.2 / ARMv8 crc32 instructions where available,
 * slice-by-8 otherwise). */
SYNK_API uint32_t synk_crc32c(uint32_t crc, const void *p, size_t n);

/* Library version, "MAJOR.MINOR.PATCH". */
SYNK_API const char *synk_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SYNK_H */
