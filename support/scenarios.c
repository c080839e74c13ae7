/* SPDX-License-Identifier: MIT */
/*
 * Golden scenarios (see scenarios.h). Every scenario is a fixed function of
 * its config seed: events come from the PRNG (support/rng.h), seeded from that
 * seed, so the final hash is the same on every machine, compiler and backend.
 * The expected hashes live in support/golden.h (tools/gen_golden).
 *
 * Adding a scenario: write a `static uint64_t sc_NAME(sc *c, uint64_t seed)`,
 * add it to the table at the end, regenerate golden.h (support/golden.md).
 * Never change an existing scenario: its golden hash would change with it.
 */
#include "scenarios.h"

#include "rng.h"
#include "synk.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- draws: over the one PRNG of support/rng.h --------------------------- */

static int32_t sc_i32(synk_rng *r) { return synk_rng_as_i32((uint32_t)(synk_rng_next(r) >> 32)); }

/* small signed value in [-lim, lim] */
static int32_t sc_small(synk_rng *r, uint32_t lim) {
  return synk_rng_as_i32(synk_rng_below(r, 2 * lim + 1) - lim);
}

static const int32_t sc_edges[] = {INT32_MIN, INT32_MIN + 1, -65536, -1, 0, 1, 65535, INT32_MAX - 1,
                                   INT32_MAX};
#define SC_NEDGES (sizeof sc_edges / sizeof sc_edges[0])

static int32_t sc_edge(synk_rng *r) { return sc_edges[synk_rng_below(r, (uint32_t)SC_NEDGES)]; }

/* a coordinate or delta: mostly small, sometimes any value, sometimes an edge */
static int32_t sc_val(synk_rng *r) {
  uint32_t k = synk_rng_below(r, 8);
  if (k < 5) return sc_small(r, 100000);
  if (k < 7) return sc_i32(r);
  return sc_edge(r);
}

/* -v mod 2^32 */
static int32_t sc_neg(int32_t v) { return synk_rng_as_i32(0u - (uint32_t)v); }

/* Every draw is its own statement: C leaves the evaluation order of function
 * arguments and of initializer lists unspecified, and a golden hash must not
 * depend on the compiler. Never write f(sc_val(r), sc_val(r)). */
typedef struct sc_v3 {
  int32_t x, y, z;
} sc_v3;

static sc_v3 sc_v3_of(synk_rng *r, int32_t (*gen)(synk_rng *)) {
  sc_v3 v;
  v.x = gen(r);
  v.y = gen(r);
  v.z = gen(r);
  return v;
}

/* ---- scenario context and checks --------------------------------------- */

typedef struct sc {
  synk_world *w;
  synk_rng r;
  int failed;
} sc;

static char sc_errbuf[512];

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void sc_fail(sc *c, int line, const char *fmt, ...) {
  if (c->failed) return; /* keep the first failure: later ones follow from it */
  c->failed = 1;
  int n = snprintf(sc_errbuf, sizeof sc_errbuf, "scenarios.c:%d: ", line);
  if (n < 0 || (size_t)n >= sizeof sc_errbuf) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sc_errbuf + n, sizeof sc_errbuf - (size_t)n, fmt, ap);
  va_end(ap);
}

static void sc_expect(sc *c, synk_status got, synk_status want, const char *what, int line) {
  if (got != want)
    sc_fail(c, line, "%s returned %s, expected %s", what, synk_status_str(got), synk_status_str(want));
}

/* The macros below use the scenario context `c` of the enclosing function. */
#define EXPECT(expr, want) sc_expect(c, (expr), (want), #expr, __LINE__)
#define OK(expr) EXPECT(expr, SYNK_OK)
#define CHECK(cond)                                                    \
  do {                                                                 \
    if (!(cond)) sc_fail(c, __LINE__, "check failed: %s", #cond);     \
  } while (0)
/* A call that must fail with `want` and leave the world's hash and count
 * exactly as they were. */
#define REJECT(expr, want)                                                       \
  do {                                                                           \
    uint64_t h0_ = synk_hash(c->w);                                              \
    size_t n0_ = synk_count(c->w);                                               \
    EXPECT(expr, want);                                                          \
    if (synk_hash(c->w) != h0_ || synk_count(c->w) != n0_)                       \
      sc_fail(c, __LINE__, "failed call changed the world: %s", #expr);          \
  } while (0)
#define VERIFY() sc_verify(c, c->w, __LINE__)

/* synk_hash == synk_rehash, and every chunk sum equals the sum of its live
 * entities' hashes (recomputed through the public API): a kernel that puts a
 * delta into the wrong chunk keeps the total right but breaks the chunks that
 * peers compare to find a desync. */
static void sc_verify(sc *c, const synk_world *w, int line) {
  if (!w) return;
  uint64_t h = synk_hash(w), r = synk_rehash(w);
  if (h != r) {
    sc_fail(c, line, "synk_hash %016" PRIx64 " != synk_rehash %016" PRIx64 " (isa %s)", h, r, synk_isa());
    return;
  }
  size_t nchunks = synk_chunk_hashes(w, NULL, 0);
  uint64_t *chunks = (uint64_t *)malloc(nchunks * sizeof *chunks);
  if (!chunks) {
    sc_fail(c, line, "out of memory");
    return;
  }
  synk_chunk_hashes(w, chunks, nchunks);
  synk_view v = synk_get_view(w);
  const uint32_t words_per_chunk = SYNK_CHUNK_IDS / 64;
  uint32_t nwords = (v.capacity + 63) / 64;
  for (size_t ch = 0; ch < nchunks && !c->failed; ch++) {
    uint64_t sum = 0;
    for (uint32_t wi = (uint32_t)ch * words_per_chunk; wi < nwords && wi < (ch + 1) * words_per_chunk; wi++)
      for (uint64_t bits = v.alive[wi]; bits; bits &= bits - 1) {
        uint32_t bit = 0;
        while (!((bits >> bit) & 1)) bit++;
        uint64_t eh = 0;
        if (synk_entity_hash(w, wi * 64 + bit, &eh) != SYNK_OK)
          sc_fail(c, line, "synk_entity_hash of live id %" PRIu32 " failed", wi * 64 + bit);
        sum += eh;
      }
    if (sum != chunks[ch])
      sc_fail(c, line, "chunk %zu sum %016" PRIx64 " != recomputed %016" PRIx64 " (isa %s)", ch, chunks[ch],
              sum, synk_isa());
  }
  free(chunks);
}

static synk_world *sc_create(sc *c, uint32_t cap, uint32_t np, uint64_t seed, int line) {
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_entities = cap;
  cfg.num_props = np;
  cfg.seed = seed;
  synk_world *w = NULL;
  synk_status st = synk_world_create(&cfg, &w);
  if (st != SYNK_OK) sc_fail(c, line, "synk_world_create(%" PRIu32 ", %" PRIu32 ") returned %s", cap, np,
                             synk_status_str(st));
  return w;
}

/* Create the scenario's world and seed its event generator from `seed`. */
static void sc_open(sc *c, uint32_t cap, uint32_t np, uint64_t seed) {
  c->w = sc_create(c, cap, np, seed, __LINE__);
  synk_rng_seed(&c->r, seed ^ 0x5CE1A5105CE1A510ull);
}

/* Spawn `id` at a position drawn from `gen` (x, then y, then z). */
static synk_status sc_spawn_at(sc *c, synk_world *w, uint32_t id, uint32_t kind,
                               int32_t (*gen)(synk_rng *)) {
  sc_v3 p = sc_v3_of(&c->r, gen);
  return synk_spawn(w, id, kind, p.x, p.y, p.z);
}

/* A motion of `id` by a delta drawn from `gen`. */
static synk_motion sc_mo(sc *c, uint32_t id, int32_t (*gen)(synk_rng *)) {
  sc_v3 d = sc_v3_of(&c->r, gen);
  synk_motion m;
  m.id = id;
  m.dx = d.x;
  m.dy = d.y;
  m.dz = d.z;
  return m;
}

/* synk_move of `id` by a delta drawn with sc_val. */
static synk_status sc_move_by(sc *c, uint32_t id) {
  sc_v3 d = sc_v3_of(&c->r, sc_val);
  return synk_move(c->w, id, d.x, d.y, d.z);
}

/* Final check, final hash, world freed. */
static uint64_t sc_close(sc *c) {
  VERIFY();
  uint64_t h = synk_hash(c->w);
  synk_world_destroy(c->w);
  c->w = NULL;
  return h;
}

static void *sc_alloc(sc *c, size_t bytes, int line) {
  void *p = calloc(1, bytes ? bytes : 1);
  if (!p) sc_fail(c, line, "out of memory (%zu bytes)", bytes);
  return p;
}

static void sc_iota_shuffle(sc *c, uint32_t *a, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) a[i] = i;
  for (uint32_t i = n; i > 1; i--) {
    uint32_t j = synk_rng_below(&c->r, i);
    uint32_t t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
  }
}

/* Apply m[0..n) as one batch to c->w and one motion at a time to `twin`;
 * both must succeed, and the batch must equal the sequence (synk.h, synk_apply_motions). */
static void sc_batch_twin(sc *c, synk_world *twin, const synk_motion *m, size_t n, int line) {
  size_t bad = (size_t)-1;
  synk_status st = synk_apply_motions(c->w, m, n, &bad);
  if (st != SYNK_OK) {
    sc_fail(c, line, "synk_apply_motions(n=%zu) returned %s at index %zu", n, synk_status_str(st), bad);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    st = synk_move(twin, m[i].id, m[i].dx, m[i].dy, m[i].dz);
    if (st != SYNK_OK) {
      sc_fail(c, line, "synk_move(twin, %" PRIu32 ") returned %s", m[i].id, synk_status_str(st));
      return;
    }
  }
  if (synk_hash(c->w) != synk_hash(twin))
    sc_fail(c, line, "batch of %zu motions: hash %016" PRIx64 " != sequential %016" PRIx64, n,
            synk_hash(c->w), synk_hash(twin));
}

/* A set of ids with O(1) insert, remove and uniform pick (shadow model of
 * which ids are alive, so every expected status is known in advance). */
typedef struct sc_set {
  uint32_t n;
  uint32_t *list; /* the members, unordered */
  uint32_t *pos;  /* pos[id] = index in list + 1, 0 when absent */
} sc_set;

static void sc_set_init(sc *c, sc_set *s, uint32_t cap) {
  s->n = 0;
  s->list = (uint32_t *)sc_alloc(c, (size_t)cap * sizeof *s->list, __LINE__);
  s->pos = (uint32_t *)sc_alloc(c, (size_t)cap * sizeof *s->pos, __LINE__);
}
static void sc_set_free(sc_set *s) {
  free(s->list);
  free(s->pos);
  s->list = s->pos = NULL;
}
static int sc_set_has(const sc_set *s, uint32_t id) { return s->pos[id] != 0; }
static void sc_set_add(sc_set *s, uint32_t id) {
  s->list[s->n++] = id;
  s->pos[id] = s->n;
}
static void sc_set_del(sc_set *s, uint32_t id) {
  uint32_t i = s->pos[id] - 1, last = s->list[--s->n];
  s->list[i] = last;
  s->pos[last] = i + 1;
  s->pos[id] = 0;
}
static uint32_t sc_set_pick(sc *c, const sc_set *s) { return s->list[synk_rng_below(&c->r, s->n)]; }

/* ---- the scenarios ------------------------------------------------------- */

/* Spawns: shuffled ids, any coordinates, duplicates and out-of-range ids. */
static uint64_t sc_spawn(sc *c, uint64_t seed) {
  enum { CAP = 1000 };
  uint32_t ids[CAP];
  sc_open(c, CAP, 4, seed);
  sc_iota_shuffle(c, ids, CAP);
  for (uint32_t i = 0; i < 300; i++) {
    uint32_t kind = synk_rng_below(&c->r, 16);
    OK(sc_spawn_at(c, c->w, ids[i], kind, sc_i32));
  }
  CHECK(synk_count(c->w) == 300);
  for (uint32_t i = 0; i < 20; i++)
    REJECT(synk_spawn(c->w, ids[synk_rng_below(&c->r, 300)], 1, 2, 3, 4), SYNK_E_EXISTS);
  REJECT(synk_spawn(c->w, CAP, 0, 0, 0, 0), SYNK_E_RANGE);
  REJECT(synk_spawn(c->w, UINT32_MAX, 0, 0, 0, 0), SYNK_E_RANGE);
  VERIFY();
  for (uint32_t i = 300; i < 500; i++) {
    int32_t x = sc_small(&c->r, 1000), y = sc_small(&c->r, 1000), z = sc_small(&c->r, 1000);
    uint32_t kind = synk_rng_below(&c->r, 4);
    OK(synk_spawn(c->w, ids[i], kind, x, y, z));
    synk_entity e;
    OK(synk_get(c->w, ids[i], &e));
    CHECK(e.id == ids[i] && e.kind == kind && e.x == x && e.y == y && e.z == z);
    CHECK(e.props[0] == 0 && e.props[3] == 0);
  }
  CHECK(synk_count(c->w) == 500);
  for (int t = 0; t < 3; t++) synk_tick(c->w);
  return sc_close(c);
}

/* Despawns, errors on dead ids, respawn with cleared properties. */
static uint64_t sc_despawn(sc *c, uint64_t seed) {
  enum { CAP = 777 };
  uint32_t ids[CAP];
  sc_open(c, CAP, 2, seed);
  sc_iota_shuffle(c, ids, CAP);
  for (uint32_t i = 0; i < 500; i++) {
    uint32_t kind = 1 + synk_rng_below(&c->r, 3);
    OK(sc_spawn_at(c, c->w, ids[i], kind, sc_val));
    OK(synk_set_prop(c->w, ids[i], 0, sc_val(&c->r)));
    OK(synk_set_prop(c->w, ids[i], 1, sc_val(&c->r)));
  }
  for (uint32_t i = 0; i < 250; i++) OK(synk_despawn(c->w, ids[i]));
  CHECK(synk_count(c->w) == 250);
  synk_entity e;
  uint64_t eh;
  for (uint32_t i = 0; i < 10; i++) {
    REJECT(synk_despawn(c->w, ids[i]), SYNK_E_DEAD);
    REJECT(synk_move(c->w, ids[i], 1, 1, 1), SYNK_E_DEAD);
    REJECT(synk_set_prop(c->w, ids[i], 1, 5), SYNK_E_DEAD);
    EXPECT(synk_get(c->w, ids[i], &e), SYNK_E_DEAD);
    EXPECT(synk_entity_hash(c->w, ids[i], &eh), SYNK_E_DEAD);
  }
  REJECT(synk_despawn(c->w, CAP), SYNK_E_RANGE);
  REJECT(synk_despawn(c->w, UINT32_MAX), SYNK_E_RANGE);
  VERIFY();
  for (uint32_t i = 0; i < 50; i++) {
    OK(sc_spawn_at(c, c->w, ids[i], 9, sc_val));
    OK(synk_get(c->w, ids[i], &e));
    CHECK(e.props[0] == 0 && e.props[1] == 0);
  }
  for (uint32_t i = 250; i < 497; i++) OK(synk_despawn(c->w, ids[i]));
  CHECK(synk_count(c->w) == 53);
  synk_tick(c->w);
  return sc_close(c);
}

/* Single moves, wrapping deltas, zero moves and undone moves. */
static uint64_t sc_move(sc *c, uint64_t seed) {
  enum { CAP = 4096, N = 1000 };
  uint32_t ids[CAP];
  sc_open(c, CAP, 1, seed);
  sc_iota_shuffle(c, ids, CAP);
  for (uint32_t i = 0; i < N; i++) {
    OK(sc_spawn_at(c, c->w, ids[i], 2, sc_val));
    OK(synk_set_prop(c->w, ids[i], 0, sc_i32(&c->r)));
  }
  for (uint32_t i = 0; i < 5000; i++) {
    uint32_t id = ids[synk_rng_below(&c->r, N)];
    OK(sc_move_by(c, id));
    if (i % 1000 == 999) {
      synk_tick(c->w);
      VERIFY();
    }
  }
  for (uint32_t i = 0; i < 10; i++) {
    uint32_t id = ids[synk_rng_below(&c->r, N)];
    uint64_t h0 = synk_hash(c->w);
    OK(synk_move(c->w, id, 0, 0, 0));
    CHECK(synk_hash(c->w) == h0);
    int32_t dx = sc_i32(&c->r), dy = sc_val(&c->r), dz = sc_edge(&c->r);
    OK(synk_move(c->w, id, dx, dy, dz));
    CHECK(synk_hash(c->w) != h0);
    OK(synk_move(c->w, id, sc_neg(dx), sc_neg(dy), sc_neg(dz)));
    CHECK(synk_hash(c->w) == h0);
  }
  REJECT(synk_move(c->w, CAP, 1, 2, 3), SYNK_E_RANGE);
  REJECT(synk_move(c->w, ids[N], 1, 2, 3), SYNK_E_DEAD);
  return sc_close(c);
}

/* Batches of every size and shape (up to 32 motions and just above, where
 * the driver changes ordering method; few distinct ids or thousands; sparse
 * over 20000 ids or clustered), with repeats, each checked against the
 * same motions applied one by one to a twin world. */
static uint64_t sc_batch(sc *c, uint64_t seed) {
  enum { CAP = 20000, N = 3000, MAXB = 6000 };
  static const uint32_t sizes[] = {1, 2, 7, 31, 32, 33, 40, 64, 100, 257, 1000, 4000, MAXB};
  uint32_t *ids = (uint32_t *)sc_alloc(c, CAP * sizeof *ids, __LINE__);
  synk_motion *m = (synk_motion *)sc_alloc(c, MAXB * sizeof *m, __LINE__);
  sc_open(c, CAP, 3, seed);
  synk_world *twin = sc_create(c, CAP, 3, seed, __LINE__);
  if (c->failed || !twin) goto out;
  sc_iota_shuffle(c, ids, CAP);
  for (uint32_t i = 0; i < N; i++) {
    uint32_t kind = synk_rng_below(&c->r, 8);
    int32_t x = sc_val(&c->r), y = sc_val(&c->r), z = sc_val(&c->r), p = sc_val(&c->r);
    OK(synk_spawn(c->w, ids[i], kind, x, y, z));
    OK(synk_spawn(twin, ids[i], kind, x, y, z));
    OK(synk_set_prop(c->w, ids[i], (uint32_t)i % 3, p));
    OK(synk_set_prop(twin, ids[i], (uint32_t)i % 3, p));
  }
  for (uint32_t round = 0; round < 3; round++) {
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      uint32_t n = sizes[s], shape = (uint32_t)(s + round) % 4;
      for (uint32_t i = 0; i < n; i++) {
        uint32_t id;
        switch (shape) {
          case 0: id = ids[synk_rng_below(&c->r, N)]; break;          /* anywhere */
          case 1: id = ids[synk_rng_below(&c->r, 40)]; break;         /* few distinct: many repeats */
          case 2: id = i > 0 && synk_rng_below(&c->r, 2) ? m[i - 1].id /* consecutive repeats */
                                                   : ids[synk_rng_below(&c->r, N)];
            break;
          default: id = ids[(i * 7u) % N]; break;               /* a regular pattern */
        }
        m[i].id = id;
        m[i].dx = sc_val(&c->r);
        m[i].dy = sc_val(&c->r);
        m[i].dz = sc_val(&c->r);
      }
      sc_batch_twin(c, twin, m, n, __LINE__);
    }
    synk_tick(c->w);
    synk_tick(twin);
    VERIFY();
    sc_verify(c, twin, __LINE__);
  }
  /* the same id many times: the coalesced sum wraps */
  for (uint32_t i = 0; i < 1000; i++) m[i] = (synk_motion){ids[0], INT32_MAX, INT32_MIN, sc_edge(&c->r)};
  sc_batch_twin(c, twin, m, 1000, __LINE__);
  CHECK(synk_hash(c->w) == synk_hash(twin));
out:
  synk_world_destroy(twin);
  free(ids);
  free(m);
  return c->w ? sc_close(c) : 0;
}

/* num_props == 0: no property slots at all. */
static uint64_t sc_props0(sc *c, uint64_t seed) {
  enum { CAP = 200 };
  uint32_t ids[CAP];
  synk_motion m[64];
  sc_open(c, CAP, 0, seed);
  sc_iota_shuffle(c, ids, CAP);
  for (uint32_t i = 0; i < 100; i++)
    OK(sc_spawn_at(c, c->w, ids[i], i, sc_val));
  REJECT(synk_set_prop(c->w, ids[0], 0, 5), SYNK_E_RANGE);
  REJECT(synk_set_prop(c->w, ids[150], 0, 5), SYNK_E_RANGE);
  for (uint32_t i = 0; i < 200; i++)
    OK(sc_move_by(c, ids[synk_rng_below(&c->r, 100)]));
  for (uint32_t i = 0; i < 64; i++)
    m[i] = sc_mo(c, ids[synk_rng_below(&c->r, 100)], sc_val);
  OK(synk_apply_motions(c->w, m, 64, NULL));
  for (uint32_t i = 0; i < 20; i++) OK(synk_despawn(c->w, ids[i]));
  synk_entity e;
  OK(synk_get(c->w, ids[50], &e));
  CHECK(e.props[0] == 0 && e.props[15] == 0);
  synk_tick(c->w);
  return sc_close(c);
}

/* num_props == 16: every slot, edge values, slot and id range errors. */
static uint64_t sc_props16(sc *c, uint64_t seed) {
  enum { CAP = 300, N = 150 };
  uint32_t ids[CAP];
  synk_motion m[100];
  sc_open(c, CAP, 16, seed);
  sc_iota_shuffle(c, ids, CAP);
  for (uint32_t i = 0; i < N; i++) {
    OK(sc_spawn_at(c, c->w, ids[i], 3, sc_val));
    for (uint32_t s = 0; s < 16; s++) {
      int32_t v = i % 2 ? sc_edge(&c->r) : sc_i32(&c->r);
      OK(synk_set_prop(c->w, ids[i], s, v));
    }
  }
  VERIFY();
  REJECT(synk_set_prop(c->w, ids[0], 16, 1), SYNK_E_RANGE);
  REJECT(synk_set_prop(c->w, ids[0], UINT32_MAX, 1), SYNK_E_RANGE);
  REJECT(synk_set_prop(c->w, CAP, 0, 1), SYNK_E_RANGE);
  REJECT(synk_set_prop(c->w, ids[N], 3, 1), SYNK_E_DEAD);
  REJECT(synk_set_prop(c->w, ids[N], 16, 1), SYNK_E_RANGE); /* range is checked before liveness */
  /* properties bound to their slot: swapping two slots' values changes h(e) */
  OK(synk_set_prop(c->w, ids[1], 4, 111));
  OK(synk_set_prop(c->w, ids[1], 5, 222));
  uint64_t h_a, h_b;
  OK(synk_entity_hash(c->w, ids[1], &h_a));
  OK(synk_set_prop(c->w, ids[1], 4, 222));
  OK(synk_set_prop(c->w, ids[1], 5, 111));
  OK(synk_entity_hash(c->w, ids[1], &h_b));
  CHECK(h_a != h_b);
  for (uint32_t i = 0; i < 100; i++)
    m[i] = sc_mo(c, ids[synk_rng_below(&c->r, N)], sc_val);
  OK(synk_apply_motions(c->w, m, 100, NULL));
  synk_entity e;
  OK(synk_set_prop(c->w, ids[2], 15, INT32_MIN));
  OK(synk_get(c->w, ids[2], &e));
  CHECK(e.props[15] == INT32_MIN);
  synk_tick(c->w);
  return sc_close(c);
}

/* An odd num_props (7): the hash pads the last pair with a zero word. */
static uint64_t sc_props7(sc *c, uint64_t seed) {
  enum { CAP = 129, N = 90 };
  uint32_t ids[CAP];
  synk_motion m[40];
  sc_open(c, CAP, 7, seed);
  sc_iota_shuffle(c, ids, CAP);
  for (uint32_t i = 0; i < N; i++) {
    int32_t x = sc_val(&c->r), z = sc_val(&c->r);
    OK(synk_spawn(c->w, ids[i], 5, x, 0, z));
  }
  for (uint32_t i = 0; i < 600; i++) {
    uint32_t id = ids[synk_rng_below(&c->r, N)], slot = synk_rng_below(&c->r, 7);
    OK(synk_set_prop(c->w, id, slot, sc_val(&c->r)));
  }
  for (uint32_t i = 0; i < 10; i++) { /* writing the stored value changes nothing */
    uint32_t id = ids[synk_rng_below(&c->r, N)], slot = synk_rng_below(&c->r, 7);
    synk_entity e;
    OK(synk_get(c->w, id, &e));
    uint64_t h0 = synk_hash(c->w);
    OK(synk_set_prop(c->w, id, slot, e.props[slot]));
    CHECK(synk_hash(c->w) == h0);
  }
  REJECT(synk_set_prop(c->w, ids[0], 7, 1), SYNK_E_RANGE);
  for (uint32_t i = 0; i < 40; i++)
    m[i] = sc_mo(c, ids[synk_rng_below(&c->r, N)], sc_val);
  OK(synk_apply_motions(c->w, m, 40, NULL));
  synk_tick(c->w);
  return sc_close(c);
}

/* The frame counter is part of the hash. */
static uint64_t sc_tick(sc *c, uint64_t seed) {
  enum { CAP = 64 };
  sc_open(c, CAP, 1, seed);
  for (uint32_t id = 0; id < 10; id++) OK(synk_spawn(c->w, id * 6, id, 0, 0, 0));
  for (uint32_t t = 0; t < 1000; t++) {
    uint64_t h0 = synk_hash(c->w);
    synk_tick(c->w);
    CHECK(synk_hash(c->w) != h0);
    if (t % 7 == 0) {
      uint32_t id = 6 * synk_rng_below(&c->r, 10);
      OK(synk_move(c->w, id, sc_small(&c->r, 3), 1, -1));
    }
    if (t % 100 == 0) VERIFY();
  }
  CHECK(synk_frame(c->w) == 1000);
  return sc_close(c);
}

/* INT32_MIN / INT32_MAX wrap-around in moves and batches, extreme kinds and
 * properties, the first and last id. */
static uint64_t sc_edge_values(sc *c, uint64_t seed) {
  enum { CAP = 300 };
  synk_motion m[3 * 20 + CAP];
  synk_entity e;
  const uint32_t last = CAP - 1;
  sc_open(c, CAP, 2, seed);
  OK(synk_spawn(c->w, 0, 0, INT32_MAX, INT32_MIN, 0));
  OK(synk_spawn(c->w, last, UINT32_MAX, INT32_MIN, INT32_MAX, -1));
  OK(synk_spawn(c->w, 150, 0x80000000u, 0, 0, 0));
  OK(synk_move(c->w, 0, 1, -1, INT32_MIN));
  OK(synk_get(c->w, 0, &e));
  CHECK(e.x == INT32_MIN && e.y == INT32_MAX && e.z == INT32_MIN);
  OK(synk_move(c->w, last, INT32_MIN, INT32_MIN, INT32_MIN));
  OK(synk_get(c->w, last, &e));
  CHECK(e.x == 0 && e.y == -1 && e.z == INT32_MAX);
  OK(synk_set_prop(c->w, 0, 0, INT32_MIN));
  OK(synk_set_prop(c->w, 0, 1, INT32_MAX));
  OK(synk_set_prop(c->w, last, 1, -1));
  VERIFY();
  /* 20 rounds over three ids, interleaved: every coordinate wraps many times */
  uint32_t ex[3] = {0, 0, 0}, ey[3] = {0, 0, 0}, ez[3] = {0, 0, 0};
  const uint32_t who[3] = {0, 150, last};
  for (uint32_t i = 0; i < 3; i++) {
    OK(synk_get(c->w, who[i], &e));
    ex[i] = (uint32_t)e.x;
    ey[i] = (uint32_t)e.y;
    ez[i] = (uint32_t)e.z;
  }
  size_t n = 0;
  for (uint32_t r = 0; r < 20; r++)
    for (uint32_t i = 0; i < 3; i++) {
      synk_motion mo = {who[i], INT32_MAX, INT32_MIN, sc_edge(&c->r)};
      ex[i] += (uint32_t)mo.dx;
      ey[i] += (uint32_t)mo.dy;
      ez[i] += (uint32_t)mo.dz;
      m[n++] = mo;
    }
  OK(synk_apply_motions(c->w, m, n, NULL));
  for (uint32_t i = 0; i < 3; i++) {
    OK(synk_get(c->w, who[i], &e));
    CHECK(e.x == synk_rng_as_i32(ex[i]) && e.y == synk_rng_as_i32(ey[i]) && e.z == synk_rng_as_i32(ez[i]));
  }
  /* everything else alive with edge values, then one batch over all ids */
  for (uint32_t id = 1; id < last; id++) {
    if (id == 150) continue;
    uint32_t kind = (uint32_t)sc_edge(&c->r);
    OK(sc_spawn_at(c, c->w, id, kind, sc_edge));
    OK(synk_set_prop(c->w, id, id % 2, sc_edge(&c->r)));
  }
  CHECK(synk_count(c->w) == CAP);
  n = 0;
  for (uint32_t id = 0; id < CAP; id++) m[n++] = sc_mo(c, last - id, sc_edge);
  OK(synk_apply_motions(c->w, m, n, NULL));
  REJECT(synk_spawn(c->w, CAP, 0, 0, 0, 0), SYNK_E_RANGE);
  REJECT(synk_move(c->w, CAP, 0, 0, 0), SYNK_E_RANGE);
  OK(synk_despawn(c->w, 0));
  OK(synk_spawn(c->w, 0, UINT32_MAX, INT32_MIN, INT32_MIN, INT32_MIN));
  OK(synk_move(c->w, 0, -1, -1, -1));
  OK(synk_get(c->w, 0, &e));
  CHECK(e.x == INT32_MAX && e.y == INT32_MAX && e.z == INT32_MAX && e.props[0] == 0);
  synk_tick(c->w);
  return sc_close(c);
}

/* A 2^24-id world with a few entities: far-apart ids, chunk and word edges,
 * batches whose ids span the whole 24-bit id space. */
static uint64_t sc_large_ids(sc *c, uint64_t seed) {
  enum { CAP = 1u << 24, NFIX = 13, NRAND = 100, N = NFIX + NRAND };
  static const uint32_t fixed[NFIX] = {0,       1,         63,          64,          255,         256,    257,
                                       65535,   65536,     (1u << 20) + 7, CAP - 256, CAP - 2, CAP - 1};
  uint32_t ids[N];
  synk_motion m[3 * N];
  sc_open(c, CAP, 2, seed);
  if (c->failed) return 0;
  uint32_t n = 0;
  for (; n < NFIX; n++) {
    ids[n] = fixed[n];
    OK(sc_spawn_at(c, c->w, ids[n], n, sc_val));
  }
  while (n < N) {
    uint32_t id = synk_rng_below(&c->r, CAP);
    synk_status st = sc_spawn_at(c, c->w, id, 7, sc_val);
    if (st == SYNK_E_EXISTS) continue; /* drawn twice */
    EXPECT(st, SYNK_OK);
    ids[n++] = id;
  }
  CHECK(synk_count(c->w) == N);
  CHECK(synk_chunk_hashes(c->w, NULL, 0) == CAP / 256);
  VERIFY();
  for (uint32_t i = 0; i < N; i++) OK(synk_set_prop(c->w, ids[i], i % 2, sc_i32(&c->r)));
  for (uint32_t i = 0; i < 300; i++)
    OK(sc_move_by(c, ids[synk_rng_below(&c->r, N)]));
  /* every id, shuffled, plus repeats */
  size_t k = 0;
  for (uint32_t i = 0; i < 3 * N; i++)
    m[k++] = sc_mo(c, ids[synk_rng_below(&c->r, N)], sc_val);
  OK(synk_apply_motions(c->w, m, k, NULL));
  /* the top chunk only */
  k = 0;
  for (uint32_t i = 0; i < 40; i++)
    m[k++] = sc_mo(c, fixed[NFIX - 1 - i % 3], sc_val);
  OK(synk_apply_motions(c->w, m, k, NULL));
  REJECT(synk_spawn(c->w, CAP, 0, 0, 0, 0), SYNK_E_RANGE);
  REJECT(synk_move(c->w, CAP, 0, 0, 0), SYNK_E_RANGE);
  for (uint32_t i = 0; i < 10; i++) OK(synk_despawn(c->w, ids[NFIX + i]));
  synk_tick(c->w);
  return sc_close(c);
}

/* Despawn/respawn churn over many rounds, tracked by a shadow set. */
static uint64_t sc_churn(sc *c, uint64_t seed) {
  enum { CAP = 513 };
  synk_motion m[256];
  sc_set live;
  sc_open(c, CAP, 5, seed);
  sc_set_init(c, &live, CAP);
  if (c->failed) goto out;
  for (uint32_t i = 0; i < 300; i++) {
    uint32_t id = synk_rng_below(&c->r, CAP);
    if (sc_set_has(&live, id)) {
      REJECT(synk_spawn(c->w, id, 1, 1, 1, 1), SYNK_E_EXISTS);
      continue;
    }
    OK(sc_spawn_at(c, c->w, id, 1, sc_val));
    sc_set_add(&live, id);
  }
  for (uint32_t round = 0; round < 30; round++) {
    for (uint32_t id = 0; id < CAP; id++) {
      if (synk_rng_below(&c->r, 3)) continue;
      if (sc_set_has(&live, id)) {
        OK(synk_despawn(c->w, id));
        sc_set_del(&live, id);
      } else {
        synk_entity e;
        OK(sc_spawn_at(c, c->w, id, round, sc_val));
        OK(synk_get(c->w, id, &e));
        CHECK(e.props[0] == 0 && e.props[4] == 0);
        sc_set_add(&live, id);
        for (uint32_t s = synk_rng_below(&c->r, 6); s > 0; s--) OK(synk_set_prop(c->w, id, s - 1, sc_val(&c->r)));
      }
    }
    CHECK(synk_count(c->w) == live.n);
    if (live.n) {
      uint32_t n = synk_rng_below(&c->r, 256);
      for (uint32_t i = 0; i < n; i++)
        m[i] = sc_mo(c, sc_set_pick(c, &live), sc_val);
      OK(synk_apply_motions(c->w, m, n, NULL));
      for (uint32_t i = 0; i < 20; i++)
        OK(sc_move_by(c, sc_set_pick(c, &live)));
    }
    synk_tick(c->w);
    if (round % 5 == 4) VERIFY();
  }
out:
  sc_set_free(&live);
  return c->w ? sc_close(c) : 0;
}

/* Batches that fail midway leave the world untouched, report the first bad
 * motion, and leave no trace in the next batch; then more events. */
static uint64_t sc_batch_atomic(sc *c, uint64_t seed) {
  enum { CAP = 2000, N = 1000, B = 200 };
  synk_motion m[B];
  synk_entity before[B], after;
  sc_set live;
  size_t bad;
  sc_open(c, CAP, 2, seed);
  synk_world *twin = sc_create(c, CAP, 2, seed, __LINE__);
  sc_set_init(c, &live, CAP);
  if (c->failed) goto out;
  while (live.n < N) {
    uint32_t id = synk_rng_below(&c->r, CAP);
    if (sc_set_has(&live, id)) continue;
    int32_t x = sc_val(&c->r), y = sc_val(&c->r), z = sc_val(&c->r);
    OK(synk_spawn(c->w, id, 4, x, y, z));
    OK(synk_spawn(twin, id, 4, x, y, z));
    sc_set_add(&live, id);
  }
  uint32_t dead = 0;
  while (sc_set_has(&live, dead)) dead++;

  for (uint32_t t = 0; t < 6; t++) {
    /* a valid batch with repeats (some consecutive) */
    for (uint32_t i = 0; i < B; i++) {
      uint32_t id = i && synk_rng_below(&c->r, 4) == 0 ? m[i - 1].id : sc_set_pick(c, &live);
      m[i] = sc_mo(c, id, sc_val);
    }
    for (uint32_t i = 0; i < B; i++) OK(synk_get(c->w, m[i].id, &before[i]));
    /* poison it: which positions, which errors */
    static const uint32_t at1[6] = {137, 0, B - 1, 50, 50, 100};
    static const uint32_t at2[6] = {B, B, B, 60, 60, 101};
    static const synk_status e1[6] = {SYNK_E_DEAD, SYNK_E_RANGE, SYNK_E_RANGE, SYNK_E_DEAD, SYNK_E_RANGE,
                                      SYNK_E_DEAD};
    const uint32_t bad_ids[3] = {dead, CAP, UINT32_MAX};
    synk_motion keep1 = m[at1[t]], keep2 = at2[t] < B ? m[at2[t]] : m[0];
    m[at1[t]].id = e1[t] == SYNK_E_DEAD ? dead : bad_ids[1 + t % 2];
    if (at2[t] < B) m[at2[t]].id = e1[t] == SYNK_E_DEAD ? CAP : dead; /* a later, different error */
    bad = (size_t)-1;
    REJECT(synk_apply_motions(c->w, m, B, &bad), e1[t]);
    CHECK(bad == at1[t]);
    for (uint32_t i = 0; i < B; i++) {
      if (i == at1[t] || i == at2[t]) continue;
      OK(synk_get(c->w, m[i].id, &after));
      CHECK(memcmp(&after, &before[i], sizeof after) == 0);
    }
    VERIFY();
    /* the repaired batch succeeds and equals the sequence */
    m[at1[t]] = keep1;
    if (at2[t] < B) m[at2[t]] = keep2;
    sc_batch_twin(c, twin, m, B, __LINE__);
  }
  /* n == 0 does nothing; NULL with n > 0 is an argument error */
  REJECT(synk_apply_motions(c->w, NULL, 0, NULL), SYNK_OK);
  REJECT(synk_apply_motions(c->w, NULL, 3, NULL), SYNK_E_ARG);
  /* more events after the failures */
  for (uint32_t i = 0; i < 100; i++) {
    uint32_t id = sc_set_pick(c, &live);
    OK(synk_despawn(c->w, id));
    OK(synk_despawn(twin, id));
    sc_set_del(&live, id);
  }
  for (uint32_t i = 0; i < 20; i++) {
    for (uint32_t j = 0; j < 50; j++)
      m[j] = sc_mo(c, sc_set_pick(c, &live), sc_val);
    sc_batch_twin(c, twin, m, 50, __LINE__);
    synk_tick(c->w);
    synk_tick(twin);
  }
  sc_verify(c, twin, __LINE__);
  CHECK(synk_hash(c->w) == synk_hash(twin));
out:
  synk_world_destroy(twin);
  sc_set_free(&live);
  return c->w ? sc_close(c) : 0;
}

/* A long random mix of every event, about a tenth of them invalid, every
 * status predicted by a shadow set. max_entities is not a multiple of 64. */
static uint64_t sc_mixed(sc *c, uint64_t seed) {
  enum { CAP = 1003, NP = 3 };
  synk_motion m[64];
  sc_set live;
  sc_open(c, CAP, NP, seed);
  sc_set_init(c, &live, CAP);
  if (c->failed) goto out;
  for (uint32_t ev = 0; ev < 20000 && !c->failed; ev++) {
    uint32_t op = synk_rng_below(&c->r, 100);
    uint32_t id = synk_rng_below(&c->r, CAP + 3);
    if (op >= 25 && op < 85 && live.n && synk_rng_below(&c->r, 10)) id = sc_set_pick(c, &live);
    synk_status want = id >= CAP ? SYNK_E_RANGE : sc_set_has(&live, id) ? SYNK_OK : SYNK_E_DEAD;
    if (op < 15) { /* spawn */
      want = id >= CAP ? SYNK_E_RANGE : sc_set_has(&live, id) ? SYNK_E_EXISTS : SYNK_OK;
      if (want == SYNK_OK) {
        uint32_t kind = synk_rng_below(&c->r, 5);
        OK(sc_spawn_at(c, c->w, id, kind, sc_val));
        sc_set_add(&live, id);
      } else {
        REJECT(synk_spawn(c->w, id, 0, 0, 0, 0), want);
      }
    } else if (op < 25) { /* despawn */
      if (want == SYNK_OK) {
        OK(synk_despawn(c->w, id));
        sc_set_del(&live, id);
      } else {
        REJECT(synk_despawn(c->w, id), want);
      }
    } else if (op < 55) { /* move */
      int32_t dx = sc_val(&c->r), dy = sc_val(&c->r), dz = sc_val(&c->r);
      if (want == SYNK_OK) OK(synk_move(c->w, id, dx, dy, dz));
      else REJECT(synk_move(c->w, id, dx, dy, dz), want);
    } else if (op < 70) { /* set_prop: the id is checked before the slot's liveness */
      uint32_t slot = synk_rng_below(&c->r, NP + 1);
      if (id >= CAP || slot >= NP) want = SYNK_E_RANGE;
      int32_t v = sc_val(&c->r);
      if (want == SYNK_OK) OK(synk_set_prop(c->w, id, slot, v));
      else REJECT(synk_set_prop(c->w, id, slot, v), want);
    } else if (op < 85) { /* batch */
      uint32_t n = synk_rng_below(&c->r, 65);
      size_t first_bad = (size_t)-1;
      want = SYNK_OK;
      for (uint32_t i = 0; i < n; i++) {
        uint32_t bid = live.n && synk_rng_below(&c->r, 200) ? sc_set_pick(c, &live) : synk_rng_below(&c->r, CAP + 3);
        m[i] = sc_mo(c, bid, sc_val);
        if (want == SYNK_OK && (bid >= CAP || !sc_set_has(&live, bid))) {
          want = bid >= CAP ? SYNK_E_RANGE : SYNK_E_DEAD;
          first_bad = i;
        }
      }
      size_t bad = (size_t)-1;
      if (want == SYNK_OK) {
        OK(synk_apply_motions(c->w, m, n, &bad));
      } else {
        REJECT(synk_apply_motions(c->w, m, n, &bad), want);
        CHECK(bad == first_bad);
      }
    } else if (op < 95) {
      synk_tick(c->w);
    } else {
      VERIFY();
    }
  }
  CHECK(synk_count(c->w) == live.n);
out:
  sc_set_free(&live);
  return c->w ? sc_close(c) : 0;
}

/* A full world moved as contiguous runs (the straight load/add/store path),
 * runs across 256-id chunk boundaries, then again with gaps. */
static uint64_t sc_dense_runs(sc *c, uint64_t seed) {
  enum { CAP = 4099 };
  synk_motion *m = (synk_motion *)sc_alloc(c, 2 * CAP * sizeof *m, __LINE__);
  sc_open(c, CAP, 1, seed);
  synk_world *twin = sc_create(c, CAP, 1, seed, __LINE__);
  if (c->failed) goto out;
  for (uint32_t id = 0; id < CAP; id++) {
    int32_t x = synk_rng_as_i32(id * 3u), y = synk_rng_as_i32(0u - id), z = sc_val(&c->r);
    OK(synk_spawn(c->w, id, id % 7, x, y, z));
    OK(synk_spawn(twin, id, id % 7, x, y, z));
    if (id % 5 == 0) {
      OK(synk_set_prop(c->w, id, 0, synk_rng_as_i32(id)));
      OK(synk_set_prop(twin, id, 0, synk_rng_as_i32(id)));
    }
  }
  size_t n = 0;
  for (uint32_t id = 0; id < CAP; id++) m[n++] = (synk_motion){id, 1, -1, sc_val(&c->r)};
  sc_batch_twin(c, twin, m, n, __LINE__); /* increasing */
  n = 0;
  for (uint32_t id = CAP; id-- > 0;) m[n++] = (synk_motion){id, sc_val(&c->r), 2, -2};
  sc_batch_twin(c, twin, m, n, __LINE__); /* decreasing */
  n = 0;
  for (uint32_t ch = 1; ch * 256 < CAP; ch++)
    for (uint32_t id = ch * 256 - 5; id < ch * 256 + 6 && id < CAP; id++)
      m[n++] = sc_mo(c, id, sc_val);
  sc_batch_twin(c, twin, m, n, __LINE__); /* short runs over chunk boundaries */
  VERIFY();
  for (uint32_t id = 0; id < CAP; id += 3) {
    OK(synk_despawn(c->w, id));
    OK(synk_despawn(twin, id));
  }
  n = 0;
  for (uint32_t id = 0; id < CAP; id++)
    if (id % 3) m[n++] = sc_mo(c, id, sc_val);
  sc_batch_twin(c, twin, m, n, __LINE__); /* runs of two with gaps */
  n = 0;
  for (uint32_t id = 1000; id < 3000; id++)
    if (id % 3) {
      m[n++] = (synk_motion){id, 7, 7, 7};
      m[n++] = (synk_motion){id, -7, sc_val(&c->r), 0};
    }
  sc_batch_twin(c, twin, m, n, __LINE__);
  synk_tick(c->w);
  synk_tick(twin);
  CHECK(synk_hash(c->w) == synk_hash(twin));
out:
  synk_world_destroy(twin);
  free(m);
  return c->w ? sc_close(c) : 0;
}

/* max_entities == 1 with all 16 property slots: the smallest world. */
static uint64_t sc_tiny(sc *c, uint64_t seed) {
  synk_motion m[5];
  sc_open(c, 1, 16, seed);
  OK(synk_spawn(c->w, 0, 42, -5, 5, INT32_MAX));
  REJECT(synk_spawn(c->w, 1, 0, 0, 0, 0), SYNK_E_RANGE);
  REJECT(synk_spawn(c->w, 0, 0, 0, 0, 0), SYNK_E_EXISTS);
  for (uint32_t s = 0; s < 16; s++) OK(synk_set_prop(c->w, 0, s, sc_val(&c->r)));
  OK(synk_move(c->w, 0, 1, 1, 1));
  for (int i = 0; i < 5; i++) m[i] = sc_mo(c, 0, sc_val);
  OK(synk_apply_motions(c->w, m, 5, NULL));
  VERIFY();
  OK(synk_despawn(c->w, 0));
  CHECK(synk_count(c->w) == 0);
  REJECT(synk_move(c->w, 0, 1, 1, 1), SYNK_E_DEAD);
  m[0].id = 0;
  REJECT(synk_apply_motions(c->w, m, 5, NULL), SYNK_E_DEAD);
  VERIFY();
  synk_tick(c->w);
  OK(synk_spawn(c->w, 0, 43, 0, 0, 0));
  OK(synk_set_prop(c->w, 0, 15, -1));
  synk_tick(c->w);
  return sc_close(c);
}

/* ---- registry ------------------------------------------------------------ */

typedef struct sc_entry {
  const char *name;
  const char *desc;
  uint64_t seed; /* the world config seed; also seeds the event generator */
  uint64_t (*run)(sc *c, uint64_t seed);
} sc_entry;

static const sc_entry sc_table[] = {
    {"spawn", "spawns of shuffled ids, EXISTS/RANGE errors", 0x0000000000000001ull, sc_spawn},
    {"despawn", "despawns, DEAD errors, respawn clears properties", 0x5EED0000DE5BA3E1ull, sc_despawn},
    {"move", "single moves, wrapping deltas, undone moves", 0x9E3779B97F4A7C15ull, sc_move},
    {"batch", "batches of 1..6000 motions with repeats == sequential moves", 0xBA7C4000000000B1ull,
     sc_batch},
    {"props0", "num_props 0: no property slots", 0x0ull, sc_props0},
    {"props16", "num_props 16: every slot, edge values, slot errors", 0xFFFFFFFFFFFFFFFFull, sc_props16},
    {"props7", "num_props 7: odd slot count (zero pad word)", 0x7777777777777777ull, sc_props7},
    {"tick", "1000 ticks: the frame counter is hashed", 0x71C4ull, sc_tick},
    {"edge_values", "INT32_MIN/INT32_MAX wrap-around, ids 0 and max_entities-1", 0xED6E000000000000ull,
     sc_edge_values},
    {"large_ids", "max_entities 1<<24 with 113 entities, far-apart ids", 0x1A26E1D5ull, sc_large_ids},
    {"churn", "30 rounds of despawn/respawn churn", 0xC4C4C4C4ull, sc_churn},
    {"batch_atomic", "batches failing midway change nothing; then more events", 0xA70A1Cull,
     sc_batch_atomic},
    {"mixed", "20000 random events incl. invalid ones, statuses predicted", 0x31CED00Dull, sc_mixed},
    {"dense_runs", "full world, contiguous runs across chunks, gaps", 0xDE45Eull, sc_dense_runs},
    {"tiny", "max_entities 1, 16 property slots", 0x1ull << 63, sc_tiny},
};
#define SC_COUNT (sizeof sc_table / sizeof sc_table[0])

size_t synk_scenario_count(void) { return SC_COUNT; }

const char *synk_scenario_name(size_t i) { return i < SC_COUNT ? sc_table[i].name : NULL; }

const char *synk_scenario_desc(size_t i) { return i < SC_COUNT ? sc_table[i].desc : NULL; }

size_t synk_scenario_find(const char *name) {
  if (!name) return (size_t)-1;
  for (size_t i = 0; i < SC_COUNT; i++)
    if (strcmp(sc_table[i].name, name) == 0) return i;
  return (size_t)-1;
}

int synk_scenario_run(size_t i, uint64_t *hash_out) {
  sc_errbuf[0] = '\0';
  if (i >= SC_COUNT) {
    if (hash_out) *hash_out = 0;
    snprintf(sc_errbuf, sizeof sc_errbuf, "no scenario %zu (there are %zu)", i, (size_t)SC_COUNT);
    return -1;
  }
  sc c;
  memset(&c, 0, sizeof c);
  uint64_t h = sc_table[i].run(&c, sc_table[i].seed);
  if (c.w) { /* a scenario that bailed out early still frees its world */
    h = synk_hash(c.w);
    synk_world_destroy(c.w);
  }
  if (hash_out) *hash_out = h;
  return c.failed ? 1 : 0;
}

const char *synk_scenario_error(void) { return sc_errbuf; }
