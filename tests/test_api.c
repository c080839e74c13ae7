/* SPDX-License-Identifier: MIT */
/* Unit tests of the public API: every function, every error path, and the
 * promise that a failing call leaves the world (state, hash, count, frame)
 * exactly as it was.
 *
 * Option: --expect-isa=NAME only checks, before any other synk call, that the
 * backend selected at first use is NAME ("auto": the best native one, the
 * first of synk_isa_list; "env": $SYNK_ISA if runnable, else "auto"), then
 * runs a short smoke test on it. tests/unit.cmake runs it with SYNK_ISA set. */
#include <limits.h>
#include <stdint.h>

#include "kernel/internal.h"
#include "synk.h"
#include "test_util.h"

/* ---- helpers ------------------------------------------------------------- */

static synk_world *mk(uint32_t max, uint32_t np, uint64_t seed) {
  synk_config cfg = {max, np, seed, NULL, NULL};
  synk_world *w = NULL;
  synk_status st = synk_world_create(&cfg, &w);
  CHECK_ST(st, SYNK_OK);
  CHECK(w != NULL);
  if (!w) {
    fprintf(stderr, "cannot create a world of %u ids, %u props\n", max, np);
    exit(1);
  }
  return w;
}

/* Everything observable about a world, to prove a failing call changed nothing. */
typedef struct snap {
  uint64_t hash, frame;
  size_t count;
  size_t nchunks;
  uint64_t *chunks;
  size_t state_len;
  unsigned char *state;
} snap;

static size_t state_bytes(const synk_world *w) {
  synk_view v = synk_get_view(w);
  size_t n32 = (size_t)v.capacity * 4, nbits = ((size_t)v.capacity + 63) / 64 * 8;
  return n32 * (4 + v.num_props) + nbits;
}

static void state_copy(const synk_world *w, unsigned char *dst) {
  synk_view v = synk_get_view(w);
  size_t n32 = (size_t)v.capacity * 4, nbits = ((size_t)v.capacity + 63) / 64 * 8;
  memcpy(dst, v.x, n32), dst += n32;
  memcpy(dst, v.y, n32), dst += n32;
  memcpy(dst, v.z, n32), dst += n32;
  memcpy(dst, v.kind, n32), dst += n32;
  for (uint32_t p = 0; p < v.num_props; p++) memcpy(dst, v.props[p], n32), dst += n32;
  memcpy(dst, v.alive, nbits);
}

static void snap_take(const synk_world *w, snap *s) {
  s->hash = synk_hash(w);
  s->frame = synk_frame(w);
  s->count = synk_count(w);
  s->nchunks = synk_chunk_hashes(w, NULL, 0);
  s->chunks = (uint64_t *)malloc(s->nchunks * sizeof *s->chunks + 1);
  synk_chunk_hashes(w, s->chunks, s->nchunks);
  s->state_len = state_bytes(w);
  s->state = (unsigned char *)malloc(s->state_len);
  state_copy(w, s->state);
}

/* 1 when w still looks exactly like the snapshot */
static int snap_same(const synk_world *w, const snap *s) {
  int same = synk_hash(w) == s->hash && synk_frame(w) == s->frame && synk_count(w) == s->count &&
             synk_rehash(w) == s->hash;
  uint64_t *c = (uint64_t *)malloc(s->nchunks * sizeof *c + 1);
  same = same && synk_chunk_hashes(w, c, s->nchunks) == s->nchunks &&
         memcmp(c, s->chunks, s->nchunks * sizeof *c) == 0;
  free(c);
  unsigned char *st = (unsigned char *)malloc(s->state_len);
  state_copy(w, st);
  same = same && memcmp(st, s->state, s->state_len) == 0;
  free(st);
  return same;
}

static void snap_free(snap *s) {
  free(s->chunks);
  free(s->state);
}

/* The call must fail with `want` and leave the world untouched. */
#define CHECK_FAILS(w, expr, want)   \
  do {                               \
    snap s_;                         \
    snap_take((w), &s_);             \
    CHECK_ST((expr), (want));        \
    CHECK(snap_same((w), &s_));      \
    snap_free(&s_);                  \
  } while (0)

static int entity_eq(const synk_entity *a, const synk_entity *b) {
  return memcmp(a, b, sizeof *a) == 0;
}

/* ---- a counting allocator ------------------------------------------------ */

#define MAX_BLOCKS 16
typedef struct counting {
  unsigned magic;
  size_t allocs, frees, live;
  size_t fail_at;     /* the alloc with this index (0-based) returns NULL */
  size_t max_size;    /* larger requests return NULL */
  size_t bad_align;   /* requests whose align is not a power of two <= 64 */
  size_t bad_free;    /* frees of pointers this allocator did not return */
  size_t align_seen;  /* OR of every align requested */
  void *user[MAX_BLOCKS], *raw[MAX_BLOCKS];
} counting;
#define COUNTING_MAGIC 0xC0FFEEu

static void counting_init(counting *c) {
  memset(c, 0, sizeof *c);
  c->magic = COUNTING_MAGIC;
  c->fail_at = SIZE_MAX;
  c->max_size = SIZE_MAX;
}

/* Returns memory aligned to exactly `align` and not to 2*align (when align <
 * 128), so a library that relies on more alignment than it asks for is caught. */
static void *counting_alloc(void *ctx, size_t size, size_t align) {
  counting *c = (counting *)ctx;
  if (!c || c->magic != COUNTING_MAGIC) {
    fprintf(stderr, "allocator ctx not passed through\n");
    exit(1);
  }
  size_t idx = c->allocs++;
  if (align == 0 || (align & (align - 1)) || align > 64) c->bad_align++;
  c->align_seen |= align;
  if (idx == c->fail_at || size > c->max_size) return NULL;
  size_t slot = 0;
  while (slot < MAX_BLOCKS && c->user[slot]) slot++;
  if (slot == MAX_BLOCKS) return NULL;
  size_t total = (size + 2 * 128 + 127) & ~(size_t)127;
  unsigned char *raw = (unsigned char *)aligned_alloc(128, total);
  if (!raw) return NULL;
  unsigned char *p = raw + (align && align < 128 && !(align & (align - 1)) ? align : 128);
  c->user[slot] = p;
  c->raw[slot] = raw;
  c->live++;
  return p;
}

static void counting_free(void *ctx, void *p) {
  counting *c = (counting *)ctx;
  if (!c || c->magic != COUNTING_MAGIC) {
    fprintf(stderr, "allocator ctx not passed through\n");
    exit(1);
  }
  c->frees++;
  for (size_t s = 0; s < MAX_BLOCKS; s++)
    if (c->user[s] && c->user[s] == p) {
      free(c->raw[s]);
      c->user[s] = c->raw[s] = NULL;
      c->live--;
      return;
    }
  c->bad_free++;
}

static int aligned64(const void *p) { return ((uintptr_t)p & 63) == 0; }

/* ---- tests --------------------------------------------------------------- */

static void test_create_args(void) {
  synk_world *w = (synk_world *)(uintptr_t)1; /* not NULL: must be reset */
  synk_config cfg = {16, 2, 1, NULL, NULL};
  CHECK_ST(synk_world_create(NULL, &w), SYNK_E_ARG);
  CHECK(w == NULL);
  CHECK_ST(synk_world_create(&cfg, NULL), SYNK_E_ARG);
  CHECK_ST(synk_world_create(NULL, NULL), SYNK_E_ARG);

  synk_config bad[] = {
      {0, 2, 1, NULL, NULL},                                 /* no ids */
      {SYNK_MAX_ENTITIES_LIMIT + 1u, 0, 1, NULL, NULL},      /* above the limit */
      {UINT32_MAX, 0, 1, NULL, NULL},
      {16, SYNK_MAX_PROPS + 1, 1, NULL, NULL},               /* too many slots */
      {16, UINT32_MAX, 1, NULL, NULL},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    w = (synk_world *)(uintptr_t)1;
    CHECK_ST(synk_world_create(&bad[i], &w), SYNK_E_ARG);
    CHECK(w == NULL);
  }

  /* allocator without alloc or free; no allocator call may happen */
  counting c;
  counting_init(&c);
  synk_allocator no_alloc = {NULL, counting_free, &c};
  synk_allocator no_free = {counting_alloc, NULL, &c};
  synk_allocator neither = {NULL, NULL, &c};
  const synk_allocator *bad_alloc[] = {&no_alloc, &no_free, &neither};
  for (size_t i = 0; i < 3; i++) {
    synk_config ac = {16, 2, 1, bad_alloc[i], NULL};
    w = (synk_world *)(uintptr_t)1;
    CHECK_ST(synk_world_create(&ac, &w), SYNK_E_ARG);
    CHECK(w == NULL);
  }
  CHECK(c.allocs == 0 && c.frees == 0);

  /* an allocator with a bad config is not called either */
  synk_allocator good = {counting_alloc, counting_free, &c};
  synk_config bc = {0, 0, 1, &good, NULL};
  CHECK_ST(synk_world_create(&bc, &w), SYNK_E_ARG);
  bc.max_entities = 16;
  bc.num_props = 17;
  CHECK_ST(synk_world_create(&bc, &w), SYNK_E_ARG);
  CHECK(c.allocs == 0);

  /* boundaries that are accepted */
  synk_config edge[] = {{1, 0, 0, NULL, NULL}, {1, SYNK_MAX_PROPS, 0, NULL, NULL}, {255, 0, 0, NULL, NULL},
                        {256, 1, 0, NULL, NULL}, {257, 16, 0, NULL, NULL}};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
    w = NULL;
    CHECK_ST(synk_world_create(&edge[i], &w), SYNK_OK);
    CHECK(w != NULL);
    CHECK(synk_count(w) == 0 && synk_frame(w) == 0);
    CHECK(synk_hash(w) == synk_rehash(w));
    synk_view v = synk_get_view(w);
    CHECK(v.capacity == edge[i].max_entities && v.num_props == edge[i].num_props);
    synk_world_destroy(w);
  }
}

static void test_allocator(void) {
  counting c;
  counting_init(&c);
  synk_allocator a = {counting_alloc, counting_free, &c};
  synk_config cfg = {1000, 3, 42, &a, NULL};
  synk_world *w = NULL;
  CHECK_ST(synk_world_create(&cfg, &w), SYNK_OK);
  CHECK(w != NULL);
  CHECK(c.allocs >= 1 && c.live == c.allocs);
  CHECK(c.bad_align == 0);
  /* the storage is 64-byte aligned (internal.h): the library asked for it */
  synk_view v = synk_get_view(w);
  CHECK(aligned64(v.x) && aligned64(v.y) && aligned64(v.z) && aligned64(v.kind) && aligned64(v.alive));
  for (uint32_t p = 0; p < 3; p++) CHECK(aligned64(v.props[p]));
  CHECK(c.align_seen & 64);
  /* the allocator struct is copied at creation: clobbering ours is harmless */
  a.alloc = NULL;
  a.free = NULL;
  a.ctx = NULL;
  size_t allocs = c.allocs;
  /* no call after creation allocates */
  CHECK_ST(synk_spawn(w, 1, 2, 3, 4, 5), SYNK_OK);
  CHECK_ST(synk_spawn(w, 999, 2, 3, 4, 5), SYNK_OK);
  CHECK_ST(synk_move(w, 1, 1, 1, 1), SYNK_OK);
  CHECK_ST(synk_set_prop(w, 1, 2, 7), SYNK_OK);
  synk_motion m[40];
  for (int i = 0; i < 40; i++) m[i] = (synk_motion){i % 2 ? 1u : 999u, i, -i, 2 * i};
  CHECK_ST(synk_apply_motions(w, m, 40, NULL), SYNK_OK);
  CHECK(synk_hash(w) == synk_rehash(w));
  synk_tick(w);
  CHECK_ST(synk_despawn(w, 1), SYNK_OK);
  CHECK(c.allocs == allocs);
  synk_world_destroy(w);
  CHECK(c.live == 0);
  CHECK(c.frees == c.allocs);
  CHECK(c.bad_free == 0);

  /* a world built through the custom allocator hashes like a default one */
  counting c2;
  counting_init(&c2);
  synk_allocator a2 = {counting_alloc, counting_free, &c2};
  synk_config with = {300, 2, 9, &a2, NULL}, without = {300, 2, 9, NULL, NULL};
  synk_world *p = NULL, *q = NULL;
  CHECK_ST(synk_world_create(&with, &p), SYNK_OK);
  CHECK_ST(synk_world_create(&without, &q), SYNK_OK);
  if (p && q) {
    for (uint32_t id = 0; id < 300; id += 7) {
      CHECK_ST(synk_spawn(p, id, id * 3, (int32_t)id, -(int32_t)id, 5), SYNK_OK);
      CHECK_ST(synk_spawn(q, id, id * 3, (int32_t)id, -(int32_t)id, 5), SYNK_OK);
    }
    CHECK_EQ_U64(synk_hash(p), synk_hash(q));
  }
  synk_world_destroy(p);
  synk_world_destroy(q);
  CHECK(c2.live == 0 && c2.bad_free == 0);

  /* every allocation failure: SYNK_E_NOMEM, *out NULL, nothing leaked */
  size_t failures = 0;
  for (size_t fail_at = 0; fail_at < 64; fail_at++) {
    counting f;
    counting_init(&f);
    f.fail_at = fail_at;
    synk_allocator fa = {counting_alloc, counting_free, &f};
    synk_config fc = {5000, 16, 1, &fa, NULL};
    synk_world *fw = (synk_world *)(uintptr_t)1;
    synk_status st = synk_world_create(&fc, &fw);
    if (st == SYNK_OK) {
      CHECK(fw != NULL);
      CHECK(f.allocs <= fail_at); /* the failing index was never reached */
      synk_world_destroy(fw);
      CHECK(f.live == 0 && f.bad_free == 0);
      break;
    }
    failures++;
    CHECK_ST(st, SYNK_E_NOMEM);
    CHECK(fw == NULL);
    CHECK(f.live == 0);
    CHECK(f.bad_free == 0);
  }
  CHECK(failures >= 1);

  /* the largest accepted max_entities is a valid config: with an allocator
   * that refuses large blocks the answer is SYNK_E_NOMEM, not SYNK_E_ARG */
  counting big;
  counting_init(&big);
  big.max_size = (size_t)1 << 26;
  synk_allocator ba = {counting_alloc, counting_free, &big};
  synk_config bc = {SYNK_MAX_ENTITIES_LIMIT, 16, 1, &ba, NULL};
  synk_world *bw = (synk_world *)(uintptr_t)1;
  CHECK_ST(synk_world_create(&bc, &bw), SYNK_E_NOMEM);
  CHECK(bw == NULL);
  CHECK(big.live == 0 && big.bad_free == 0 && big.allocs >= 1);
  bc.max_entities = SYNK_MAX_ENTITIES_LIMIT + 1u;
  big.allocs = 0;
  CHECK_ST(synk_world_create(&bc, &bw), SYNK_E_ARG);
  CHECK(big.allocs == 0);
}

/* ids 0 and 2^24 - 1 of a 2^24 world (the documented minimum). One world
 * only: creating it touches ~600 MB. */
static void test_large_world(void) {
  const uint32_t max = 1u << 24;
  synk_world *w = mk(max, 0, 77);
  const uint64_t empty = synk_hash(w);
  CHECK(synk_chunk_hashes(w, NULL, 0) == max / SYNK_CHUNK_IDS);
  CHECK_ST(synk_spawn(w, 0, 5, -1, 2, -3), SYNK_OK);
  CHECK_ST(synk_spawn(w, max - 1, 5, -1, 2, -3), SYNK_OK);
  const uint64_t spawned = synk_hash(w);
  CHECK(spawned != empty);
  CHECK_FAILS(w, synk_spawn(w, max, 1, 0, 0, 0), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_move(w, max, 1, 0, 0), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_spawn(w, max - 1, 1, 0, 0, 0), SYNK_E_EXISTS);
  synk_motion m[3] = {{max - 1, 10, 20, 30}, {0, -1, -2, -3}, {max - 1, 1, 1, 1}};
  CHECK_ST(synk_apply_motions(w, m, 3, NULL), SYNK_OK);
  synk_entity e;
  CHECK_ST(synk_get(w, max - 1, &e), SYNK_OK);
  CHECK(e.id == max - 1 && e.kind == 5 && e.x == 10 && e.y == 23 && e.z == 28);
  CHECK_ST(synk_get(w, 0, &e), SYNK_OK);
  CHECK(e.id == 0 && e.x == -2 && e.y == 0 && e.z == -6);
  CHECK(synk_count(w) == 2);
  CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
  uint64_t h0 = 0, h1 = 0;
  CHECK_ST(synk_entity_hash(w, 0, &h0), SYNK_OK);
  CHECK_ST(synk_entity_hash(w, max - 1, &h1), SYNK_OK);
  uint64_t *ch = (uint64_t *)malloc(65536 * sizeof *ch);
  CHECK(synk_chunk_hashes(w, ch, 65536) == 65536);
  CHECK_EQ_U64(ch[0], h0);
  CHECK_EQ_U64(ch[65535], h1);
  free(ch);
  /* moving back one by one returns to the hash right after the spawns */
  for (int i = 2; i >= 0; i--) CHECK_ST(synk_move(w, m[i].id, -m[i].dx, -m[i].dy, -m[i].dz), SYNK_OK);
  CHECK_EQ_U64(synk_hash(w), spawned);
  CHECK_ST(synk_despawn(w, max - 1), SYNK_OK);
  CHECK_ST(synk_despawn(w, 0), SYNK_OK);
  CHECK_EQ_U64(synk_hash(w), empty);
  synk_world_destroy(w);
}

static void test_null_world(void) {
  synk_entity e;
  uint64_t h = 123;
  synk_motion m = {0, 1, 1, 1};
  size_t bad = 77;
  CHECK_ST(synk_spawn(NULL, 0, 0, 0, 0, 0), SYNK_E_ARG);
  CHECK_ST(synk_despawn(NULL, 0), SYNK_E_ARG);
  CHECK_ST(synk_set_prop(NULL, 0, 0, 1), SYNK_E_ARG);
  CHECK_ST(synk_move(NULL, 0, 1, 1, 1), SYNK_E_ARG);
  CHECK_ST(synk_apply_motions(NULL, &m, 1, &bad), SYNK_E_ARG);
  CHECK_ST(synk_apply_motions(NULL, NULL, 0, &bad), SYNK_E_ARG);
  CHECK_ST(synk_get(NULL, 0, &e), SYNK_E_ARG);
  CHECK_ST(synk_get(NULL, 0, NULL), SYNK_E_ARG);
  CHECK_ST(synk_entity_hash(NULL, 0, &h), SYNK_E_ARG);
  CHECK_ST(synk_entity_hash(NULL, 0, NULL), SYNK_E_ARG);
  CHECK(h == 123);
  CHECK(synk_hash(NULL) == 0);
  CHECK(synk_rehash(NULL) == 0);
  CHECK(synk_frame(NULL) == 0);
  CHECK(synk_count(NULL) == 0);
  uint64_t out[2] = {5, 6};
  CHECK(synk_chunk_hashes(NULL, out, 2) == 0);
  CHECK(synk_chunk_hashes(NULL, NULL, 0) == 0);
  CHECK(out[0] == 5 && out[1] == 6);
  synk_tick(NULL);
  synk_world_destroy(NULL);
  synk_view v = synk_get_view(NULL);
  CHECK(v.x == NULL && v.y == NULL && v.z == NULL && v.kind == NULL && v.alive == NULL);
  CHECK(v.capacity == 0 && v.num_props == 0);
  for (int p = 0; p < SYNK_MAX_PROPS; p++) CHECK(v.props[p] == NULL);

  /* NULL output pointers with a real world */
  synk_world *w = mk(8, 1, 3);
  CHECK_ST(synk_spawn(w, 2, 1, 1, 1, 1), SYNK_OK);
  CHECK_FAILS(w, synk_get(w, 2, NULL), SYNK_E_ARG);
  CHECK_FAILS(w, synk_entity_hash(w, 2, NULL), SYNK_E_ARG);
  CHECK_FAILS(w, synk_apply_motions(w, NULL, 1, &bad), SYNK_E_ARG);
  CHECK_FAILS(w, synk_apply_motions(w, NULL, 5, NULL), SYNK_E_ARG);
  synk_world_destroy(w);
}

static void test_errors(void) {
  const uint32_t max = 100, np = 3;
  synk_world *w = mk(max, np, 0xABCDEF);
  CHECK_ST(synk_spawn(w, 10, 1, 100, 200, 300), SYNK_OK);
  CHECK_ST(synk_spawn(w, 99, 2, -1, -2, -3), SYNK_OK);
  CHECK_ST(synk_spawn(w, 0, 3, 0, 0, 0), SYNK_OK);
  CHECK_ST(synk_set_prop(w, 10, 2, -77), SYNK_OK);
  CHECK_ST(synk_spawn(w, 50, 1, 1, 1, 1), SYNK_OK);
  CHECK_ST(synk_despawn(w, 50), SYNK_OK); /* 50: despawned, 51: never spawned */
  synk_tick(w);
  CHECK(synk_count(w) == 3 && synk_frame(w) == 1);

  /* spawn */
  CHECK_FAILS(w, synk_spawn(w, 10, 9, 9, 9, 9), SYNK_E_EXISTS);
  CHECK_FAILS(w, synk_spawn(w, 0, 3, 0, 0, 0), SYNK_E_EXISTS);
  CHECK_FAILS(w, synk_spawn(w, max, 1, 1, 1, 1), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_spawn(w, UINT32_MAX, 1, 1, 1, 1), SYNK_E_RANGE);
  /* despawn */
  CHECK_FAILS(w, synk_despawn(w, 50), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_despawn(w, 51), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_despawn(w, max), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_despawn(w, UINT32_MAX), SYNK_E_RANGE);
  /* move */
  CHECK_FAILS(w, synk_move(w, 50, 1, 2, 3), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_move(w, 51, 1, 2, 3), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_move(w, max, 1, 2, 3), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_move(w, 0x80000000u, 1, 2, 3), SYNK_E_RANGE);
  /* set_prop: id range, slot range, dead */
  CHECK_FAILS(w, synk_set_prop(w, 50, 0, 1), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_set_prop(w, 51, 2, 1), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_set_prop(w, max, 0, 1), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_set_prop(w, 10, np, 1), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_set_prop(w, 10, SYNK_MAX_PROPS, 1), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_set_prop(w, 10, UINT32_MAX, 1), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_set_prop(w, max, np, 1), SYNK_E_RANGE);
  /* a bad slot is out of range whether or not the id is alive (synk.h, synk_set_prop) */
  CHECK_FAILS(w, synk_set_prop(w, 51, np, 1), SYNK_E_RANGE);
  /* get / entity_hash */
  synk_entity e;
  uint64_t h = 42;
  CHECK_FAILS(w, synk_get(w, 50, &e), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_get(w, 51, &e), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_get(w, max, &e), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_entity_hash(w, 50, &h), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_entity_hash(w, 51, &h), SYNK_E_DEAD);
  CHECK_FAILS(w, synk_entity_hash(w, max, &h), SYNK_E_RANGE);
  CHECK_FAILS(w, synk_entity_hash(w, UINT32_MAX, &h), SYNK_E_RANGE);
  CHECK(h == 42);
  /* the live entities still read back as set */
  CHECK_ST(synk_get(w, 10, &e), SYNK_OK);
  CHECK(e.id == 10 && e.kind == 1 && e.x == 100 && e.y == 200 && e.z == 300);
  CHECK(e.props[0] == 0 && e.props[1] == 0 && e.props[2] == -77);
  CHECK(synk_hash(w) == synk_rehash(w));

  /* a world with no property slots: every slot is out of range */
  synk_world *w0 = mk(4, 0, 1);
  CHECK_ST(synk_spawn(w0, 1, 1, 1, 1, 1), SYNK_OK);
  CHECK_FAILS(w0, synk_set_prop(w0, 1, 0, 1), SYNK_E_RANGE);
  synk_world_destroy(w0);
  synk_world_destroy(w);
}

static void test_get_and_respawn(void) {
  const uint32_t np = 5;
  synk_world *w = mk(64, np, 5);
  CHECK_ST(synk_spawn(w, 7, 0xFFFFFFFFu, INT32_MIN, INT32_MAX, -1), SYNK_OK);
  for (uint32_t s = 0; s < np; s++) CHECK_ST(synk_set_prop(w, 7, s, (int32_t)(s * 1000 + 1)), SYNK_OK);
  synk_entity e;
  memset(&e, 0xAB, sizeof e); /* garbage the library must overwrite */
  CHECK_ST(synk_get(w, 7, &e), SYNK_OK);
  CHECK(e.id == 7 && e.kind == 0xFFFFFFFFu && e.x == INT32_MIN && e.y == INT32_MAX && e.z == -1);
  for (uint32_t s = 0; s < np; s++) CHECK(e.props[s] == (int32_t)(s * 1000 + 1));
  for (uint32_t s = np; s < SYNK_MAX_PROPS; s++) CHECK(e.props[s] == 0);
  /* entity_hash agrees with the reference and with the chunk sum */
  uint64_t h = 0;
  CHECK_ST(synk_entity_hash(w, 7, &h), SYNK_OK);
  CHECK_EQ_U64(h, synk_hash_entity_ref(w, 7));
  uint64_t c = 0;
  CHECK(synk_chunk_hashes(w, &c, 1) == 1);
  CHECK_EQ_U64(c, h);

  /* despawn, spawn again: properties are 0, and the world hash is that of a
   * fresh world that only saw the second spawn */
  CHECK_ST(synk_move(w, 7, 5, 5, 5), SYNK_OK);
  CHECK_ST(synk_despawn(w, 7), SYNK_OK);
  CHECK(synk_count(w) == 0);
  synk_view v = synk_get_view(w);
  CHECK(v.x[7] == 0 && v.y[7] == 0 && v.z[7] == 0 && v.kind[7] == 0);
  for (uint32_t s = 0; s < np; s++) CHECK(v.props[s][7] == 0);
  CHECK_ST(synk_spawn(w, 7, 3, 1, 2, 3), SYNK_OK);
  CHECK_ST(synk_get(w, 7, &e), SYNK_OK);
  for (uint32_t s = 0; s < SYNK_MAX_PROPS; s++) CHECK(e.props[s] == 0);
  synk_world *f = mk(64, np, 5);
  CHECK_ST(synk_spawn(f, 7, 3, 1, 2, 3), SYNK_OK);
  CHECK_EQ_U64(synk_hash(w), synk_hash(f));
  CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
  uint64_t ew = 0, ef = 1;
  CHECK_ST(synk_entity_hash(w, 7, &ew), SYNK_OK);
  CHECK_ST(synk_entity_hash(f, 7, &ef), SYNK_OK);
  CHECK_EQ_U64(ew, ef);
  /* and despawning everything returns to the empty world's hash */
  CHECK_ST(synk_despawn(w, 7), SYNK_OK);
  synk_world *empty = mk(64, np, 5);
  CHECK_EQ_U64(synk_hash(w), synk_hash(empty));
  synk_tick(w);
  CHECK(synk_hash(w) != synk_hash(empty));
  synk_tick(empty);
  CHECK_EQ_U64(synk_hash(w), synk_hash(empty));
  synk_world_destroy(empty);
  synk_world_destroy(f);
  synk_world_destroy(w);
}

static void test_wrap(void) {
  synk_world *a = mk(16, 1, 11), *b = mk(16, 1, 11), *ref = mk(16, 1, 11);
  CHECK_ST(synk_spawn(a, 3, 1, INT32_MAX, INT32_MIN, 0), SYNK_OK);
  CHECK_ST(synk_spawn(b, 3, 1, INT32_MAX, INT32_MIN, 0), SYNK_OK);
  CHECK_ST(synk_move(a, 3, 1, -1, INT32_MIN), SYNK_OK);
  synk_motion m = {3, 1, -1, INT32_MIN};
  CHECK_ST(synk_apply_motions(b, &m, 1, NULL), SYNK_OK);
  synk_entity e;
  CHECK_ST(synk_get(a, 3, &e), SYNK_OK);
  CHECK(e.x == INT32_MIN && e.y == INT32_MAX && e.z == INT32_MIN);
  CHECK_ST(synk_get(b, 3, &e), SYNK_OK);
  CHECK(e.x == INT32_MIN && e.y == INT32_MAX && e.z == INT32_MIN);
  /* the incrementally updated hash is that of an entity spawned there */
  CHECK_ST(synk_spawn(ref, 3, 1, INT32_MIN, INT32_MAX, INT32_MIN), SYNK_OK);
  CHECK_EQ_U64(synk_hash(a), synk_hash(ref));
  CHECK_EQ_U64(synk_hash(b), synk_hash(ref));
  CHECK_EQ_U64(synk_hash(a), synk_rehash(a));

  /* repeated extreme deltas in one batch wrap exactly like one by one:
   * 3 * INT32_MAX = INT32_MAX - 2 (mod 2^32), 2 * INT32_MIN = 0 */
  synk_motion many[5] = {{3, INT32_MAX, INT32_MIN, 1}, {3, INT32_MAX, INT32_MIN, 1},
                         {3, INT32_MAX, 0, -1}, {3, 0, 0, INT32_MAX}, {3, 0, 0, INT32_MAX}};
  CHECK_ST(synk_apply_motions(b, many, 5, NULL), SYNK_OK);
  for (int i = 0; i < 5; i++) CHECK_ST(synk_move(a, 3, many[i].dx, many[i].dy, many[i].dz), SYNK_OK);
  CHECK_ST(synk_get(b, 3, &e), SYNK_OK);
  /* x: MIN + 3*MAX = MIN + (MAX - 2) = -3; y: MAX + 2*MIN = MAX;
   * z: MIN + (1 + 1 - 1 + 2*MAX) = MIN - 1 = MAX */
  CHECK(e.x == -3);
  CHECK(e.y == INT32_MAX);
  CHECK(e.z == INT32_MAX);
  CHECK_EQ_U64(synk_hash(a), synk_hash(b));
  synk_entity ea;
  CHECK_ST(synk_get(a, 3, &ea), SYNK_OK);
  CHECK(entity_eq(&e, &ea));
  CHECK_EQ_U64(synk_hash(b), synk_rehash(b));
  synk_world_destroy(a);
  synk_world_destroy(b);
  synk_world_destroy(ref);
}

/* state + hash of two worlds are identical */
static int same_world(const synk_world *a, const synk_world *b) {
  if (synk_hash(a) != synk_hash(b) || synk_count(a) != synk_count(b)) return 0;
  size_t n = state_bytes(a);
  if (n != state_bytes(b)) return 0;
  unsigned char *sa = (unsigned char *)malloc(n), *sb = (unsigned char *)malloc(n);
  state_copy(a, sa);
  state_copy(b, sb);
  int same = memcmp(sa, sb, n) == 0;
  free(sa);
  free(sb);
  return same;
}

static void test_batch_errors(void) {
  const uint32_t max = 1u << 16;
  synk_world *w = mk(max, 2, 99), *seq = mk(max, 2, 99);
  for (uint32_t id = 0; id < max; id += 2) { /* even ids alive, odd dead */
    CHECK_ST(synk_spawn(w, id, id & 7, (int32_t)id, 1, 2), SYNK_OK);
    CHECK_ST(synk_spawn(seq, id, id & 7, (int32_t)id, 1, 2), SYNK_OK);
  }
  size_t bad = 12345;
  /* n == 0: success, nothing happens, m may be NULL */
  CHECK_FAILS(w, synk_apply_motions(w, NULL, 0, &bad), SYNK_OK);
  CHECK_FAILS(w, synk_apply_motions(w, NULL, 0, NULL), SYNK_OK);
  synk_motion one = {5, 1, 1, 1}; /* dead id, but n == 0 */
  CHECK_FAILS(w, synk_apply_motions(w, &one, 0, &bad), SYNK_OK);
  CHECK(bad == 12345);

  /* the first bad motion is reported, whatever comes after it */
  synk_motion m1[] = {{2, 1, 1, 1}, {4, 1, 1, 1}, {3, 1, 1, 1}, {max, 1, 1, 1}, {6, 1, 1, 1}};
  CHECK_FAILS(w, synk_apply_motions(w, m1, 5, &bad), SYNK_E_DEAD);
  CHECK(bad == 2);
  synk_motion m2[] = {{2, 1, 1, 1}, {max, 1, 1, 1}, {3, 1, 1, 1}};
  CHECK_FAILS(w, synk_apply_motions(w, m2, 3, &bad), SYNK_E_RANGE);
  CHECK(bad == 1);
  synk_motion m3[] = {{UINT32_MAX, 1, 1, 1}, {2, 1, 1, 1}};
  CHECK_FAILS(w, synk_apply_motions(w, m3, 2, &bad), SYNK_E_RANGE);
  CHECK(bad == 0);
  /* a bad motion after a run of repeats of one id */
  synk_motion m4[] = {{2, 1, 0, 0}, {2, 1, 0, 0}, {2, 1, 0, 0}, {7, 0, 0, 0}};
  CHECK_FAILS(w, synk_apply_motions(w, m4, 4, &bad), SYNK_E_DEAD);
  CHECK(bad == 3);
  CHECK_FAILS(w, synk_apply_motions(w, m4, 4, NULL), SYNK_E_DEAD);
  /* the last motion is the bad one */
  synk_motion m5[] = {{0, 1, 0, 0}, {max - 1, 1, 0, 0}};
  CHECK_FAILS(w, synk_apply_motions(w, m5, 2, &bad), SYNK_E_DEAD);
  CHECK(bad == 1);

  /* after failures of each size class, later batches still work (the
   * batch scratch was reset): compare with one-by-one moves */
  /* sizes and strides chosen to take each ordering strategy of
   * kernel/motion.c: small batches (either side of 32 motions), many distinct
   * ids spread wide, many clustered */
  const struct { size_t n, stride, cluster; } shapes[] = {
      {3, 74, 0}, {20, 74, 0}, {32, 1300, 0}, {33, 1300, 0}, {100, 1300, 0}, {700, 1302, 0}, {200, 0, 300}, {1500, 74, 0}, {3000, 22, 0}};
  for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
    size_t n = shapes[si].n;
    synk_motion *m = (synk_motion *)malloc((n + 1) * sizeof *m);
    for (size_t i = 0; i < n; i++) {
      uint32_t id = shapes[si].cluster ? (uint32_t)(2 * (i % shapes[si].cluster))
                                       : (uint32_t)((i * shapes[si].stride) % max) & ~1u;
      m[i] = (synk_motion){id, (int32_t)i + 1, -(int32_t)i, 3};
    }
    m[n] = (synk_motion){(uint32_t)(2 * si + 1), 0, 0, 0}; /* dead, last */
    CHECK_FAILS(w, synk_apply_motions(w, m, n + 1, &bad), SYNK_E_DEAD);
    CHECK(bad == n);
    /* the same ids again, now valid */
    CHECK_ST(synk_apply_motions(w, m, n, &bad), SYNK_OK);
    for (size_t i = 0; i < n; i++) CHECK_ST(synk_move(seq, m[i].id, m[i].dx, m[i].dy, m[i].dz), SYNK_OK);
    CHECK(same_world(w, seq));
    CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
    /* a bad motion in the middle, then a single valid motion of an id the
     * failed batch touched: it gets exactly its own delta */
    size_t mid = n / 2;
    uint32_t keep = m[mid].id;
    m[mid].id = max + 5;
    CHECK_FAILS(w, synk_apply_motions(w, m, n, &bad), SYNK_E_RANGE);
    CHECK(bad == mid);
    synk_motion again = {m[0].id, 1000, 0, -1000};
    CHECK_ST(synk_apply_motions(w, &again, 1, NULL), SYNK_OK);
    CHECK_ST(synk_move(seq, again.id, again.dx, again.dy, again.dz), SYNK_OK);
    CHECK(same_world(w, seq));
    m[mid].id = keep;
    free(m);
  }
  synk_world_destroy(w);
  synk_world_destroy(seq);
}

static void test_chunks(void) {
  const uint32_t maxes[] = {1, 255, 256, 257, 1000, 4096};
  for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
    uint32_t max = maxes[i];
    size_t want = (max + SYNK_CHUNK_IDS - 1) / SYNK_CHUNK_IDS;
    synk_world *w = mk(max, 2, 1234 + i);
    CHECK(synk_chunk_hashes(w, NULL, 0) == want);
    uint64_t *c = (uint64_t *)malloc((want + 2) * sizeof *c);
    for (size_t j = 0; j < want + 2; j++) c[j] = 0xDEADu;
    CHECK(synk_chunk_hashes(w, c, want + 2) == want);
    for (size_t j = 0; j < want; j++) CHECK(c[j] == 0);
    CHECK(c[want] == 0xDEADu && c[want + 1] == 0xDEADu);
    /* populate */
    for (uint32_t id = 0; id < max; id += 1 + id % 3) {
      CHECK_ST(synk_spawn(w, id, id * 7, (int32_t)(id * 11), -(int32_t)id, 1), SYNK_OK);
      CHECK_ST(synk_set_prop(w, id, id % 2, (int32_t)id), SYNK_OK);
    }
    CHECK(synk_chunk_hashes(w, c, want) == want);
    uint64_t total = 0;
    for (size_t j = 0; j < want; j++) {
      uint64_t s = 0;
      for (uint32_t id = (uint32_t)j * SYNK_CHUNK_IDS; id < max && id < (j + 1) * SYNK_CHUNK_IDS; id++) {
        uint64_t h;
        if (synk_entity_hash(w, id, &h) == SYNK_OK) s += h;
      }
      CHECK_EQ_U64(c[j], s);
      total += c[j];
    }
    /* the world hash is the finalized total of the chunk sums */
    CHECK_EQ_U64(synk_hash_with(w, total, synk_frame(w), synk_count(w)), synk_hash(w));
    /* cap smaller than the count: only cap values are written */
    if (want >= 2) {
      for (size_t j = 0; j < want + 2; j++) c[j] = 0xBEEFu;
      CHECK(synk_chunk_hashes(w, c, 1) == want);
      uint64_t c0 = 0;
      synk_chunk_hashes(w, &c0, 1);
      CHECK(c[0] == c0 && c[1] == 0xBEEFu);
    }
    CHECK(synk_chunk_hashes(w, c, 0) == want);
    free(c);
    synk_world_destroy(w);
  }
}

static void test_view(void) {
  const uint32_t max = 300, np = 4;
  synk_world *w = mk(max, np, 8);
  for (uint32_t id = 3; id < max; id += 5) {
    CHECK_ST(synk_spawn(w, id, id ^ 0x55u, (int32_t)id * 3, -(int32_t)id, (int32_t)id << 20), SYNK_OK);
    CHECK_ST(synk_set_prop(w, id, id % np, (int32_t)(id * 1001)), SYNK_OK);
  }
  synk_view v = synk_get_view(w);
  CHECK(v.capacity == max && v.num_props == np);
  CHECK(v.x && v.y && v.z && v.kind && v.alive);
  for (uint32_t s = 0; s < SYNK_MAX_PROPS; s++) CHECK((v.props[s] != NULL) == (s < np));
  size_t live = 0;
  for (uint32_t id = 0; id < max; id++) {
    int alive = (int)((v.alive[id / 64] >> (id % 64)) & 1);
    synk_entity e;
    synk_status st = synk_get(w, id, &e);
    CHECK(alive == (st == SYNK_OK));
    if (alive) {
      live++;
      CHECK(e.x == v.x[id] && e.y == v.y[id] && e.z == v.z[id] && e.kind == v.kind[id]);
      for (uint32_t s = 0; s < np; s++) CHECK(e.props[s] == v.props[s][id]);
    } else {
      CHECK_ST(st, SYNK_E_DEAD);
      CHECK(v.x[id] == 0 && v.y[id] == 0 && v.z[id] == 0 && v.kind[id] == 0);
      for (uint32_t s = 0; s < np; s++) CHECK(v.props[s][id] == 0);
    }
  }
  /* bits past max_entities in the last alive word are 0 */
  CHECK((v.alive[(max - 1) / 64] >> (max % 64)) == 0);
  CHECK(live == synk_count(w));
  /* the view is live: it follows later changes */
  CHECK_ST(synk_move(w, 3, 1, 1, 1), SYNK_OK);
  CHECK(v.x[3] == 10 && v.y[3] == -2);
  CHECK_ST(synk_despawn(w, 3), SYNK_OK);
  CHECK(((v.alive[0] >> 3) & 1) == 0 && v.x[3] == 0);
  synk_world_destroy(w);
}

static void test_status_version(void) {
  /* Every status any public function returns (synk.h, synk_session.h,
   * synk_net.h, synk_netsim.h: tests/repo/check_repo.sh checks that each
   * SYNK_E_*, SYNK_SESSION_STALL and SYNK_EMPTY status the headers name is
   * in this table); synk_status_str names them all. */
  struct { synk_status s; int value; const char *name; } tab[] = {
      {SYNK_OK, 0, "SYNK_OK"},         {SYNK_E_ARG, 1, "SYNK_E_ARG"},         {SYNK_E_RANGE, 2, "SYNK_E_RANGE"},
      {SYNK_E_EXISTS, 3, "SYNK_E_EXISTS"}, {SYNK_E_DEAD, 4, "SYNK_E_DEAD"},       {SYNK_E_NOMEM, 5, "SYNK_E_NOMEM"},
      {SYNK_E_ISA, 6, "SYNK_E_ISA"},   {SYNK_E_FORMAT, 7, "SYNK_E_FORMAT"},   {SYNK_E_MISMATCH, 8, "SYNK_E_MISMATCH"},
      {SYNK_E_SPACE, 9, "SYNK_E_SPACE"}, {SYNK_SESSION_STALL, 64, "SYNK_SESSION_STALL"},
      {SYNK_EMPTY, 65, "SYNK_EMPTY"},
  };
  const size_t ntab = sizeof tab / sizeof tab[0];
  for (size_t i = 0; i < ntab; i++) {
    const char *s = synk_status_str(tab[i].s);
    CHECK(s != NULL && strcmp(s, tab[i].name) == 0);
    CHECK((int)tab[i].s == tab[i].value); /* values are fixed by the ABI */
  }
  /* enumerate: exactly the table's values have names, each distinct and
   * SYNK_-prefixed; every other value is "SYNK_E_UNKNOWN" */
  size_t named = 0;
  for (int v = -64; v < 4096; v++) {
    const char *si = synk_status_str((synk_status)v);
    CHECK(si != NULL);
    int in_tab = 0;
    for (size_t i = 0; i < ntab; i++) in_tab |= tab[i].value == v;
    if (strcmp(si, "SYNK_E_UNKNOWN") == 0) {
      CHECK(!in_tab);
      continue;
    }
    CHECK(in_tab && strncmp(si, "SYNK_", 5) == 0); /* its name: checked against the table above */
    named++;
  }
  CHECK(named == ntab);
  CHECK(strcmp(synk_status_str((synk_status)INT_MAX), "SYNK_E_UNKNOWN") == 0);

  char want[64];
  snprintf(want, sizeof want, "%d.%d.%d", SYNK_VERSION_MAJOR, SYNK_VERSION_MINOR, SYNK_VERSION_PATCH);
  CHECK(synk_version() != NULL && strcmp(synk_version(), want) == 0);
}

static int in_list(const char *name, const char **names, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0) return 1;
  return 0;
}

static void test_isa(void) {
  const char *names[16];
  const char *active = synk_isa();
  CHECK(active != NULL);
  size_t n = synk_isa_list(NULL, 0);
  CHECK(n >= 1 && n <= 16);
  if (n > 16) n = 16;
  CHECK(synk_isa_list(names, 16) == n);
  CHECK(in_list("scalar", names, n));
  CHECK(active && in_list(active, names, n));
  /* cap limits the writes */
  const char *one[2] = {NULL, "sentinel"};
  CHECK(synk_isa_list(one, 1) == n);
  CHECK(one[0] && strcmp(one[0], names[0]) == 0 && strcmp(one[1], "sentinel") == 0);
  /* native first, emulated last */
  int seen_emulated = 0;
  for (size_t i = 0; i < n; i++) {
    int e = synk_isa_emulated(names[i]);
    CHECK(e == 0 || e == 1);
    if (e == 1) seen_emulated = 1;
    else CHECK(!seen_emulated);
  }
  CHECK(synk_isa_emulated("scalar") == 0);
  CHECK(synk_isa_emulated("nonsense") == -1);
  CHECK(synk_isa_emulated("") == -1);
  CHECK(synk_isa_emulated(NULL) == -1);
  CHECK(synk_isa_emulated("auto") == -1 || synk_isa_emulated("auto") == 0);

  /* one world, hashed by every backend */
  synk_world *w = mk(2000, 3, 31337);
  for (uint32_t id = 0; id < 2000; id += 3) CHECK_ST(synk_spawn(w, id, id, (int32_t)id, 2, 3), SYNK_OK);
  uint64_t h = synk_hash(w);

  CHECK_ST(synk_use_isa("scalar"), SYNK_OK);
  CHECK(strcmp(synk_isa(), "scalar") == 0);
  CHECK_EQ_U64(synk_rehash(w), h);
  CHECK_ST(synk_use_isa("nonsense"), SYNK_E_ISA);
  CHECK(strcmp(synk_isa(), "scalar") == 0);
  CHECK_ST(synk_use_isa(""), SYNK_E_ISA);
  CHECK_ST(synk_use_isa("SCALAR"), SYNK_E_ISA); /* names are exact */
  CHECK(strcmp(synk_isa(), "scalar") == 0);
  CHECK_ST(synk_use_isa(NULL), SYNK_E_ARG);
  CHECK(strcmp(synk_isa(), "scalar") == 0);
  /* every listed backend can be forced; every other known name is refused */
  const char *known[] = {"scalar", "avx2", "avx512", "neon", "wasm"};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    if (in_list(known[i], names, n)) {
      CHECK_ST(synk_use_isa(known[i]), SYNK_OK);
      CHECK(strcmp(synk_isa(), known[i]) == 0);
      CHECK_EQ_U64(synk_rehash(w), h);
      synk_kernels k;
      CHECK_ST(synk_kernels_for(known[i], &k), SYNK_OK);
      CHECK(k.name && strcmp(k.name, known[i]) == 0 && k.hash_range && k.hash_ids && k.motion_apply);
    } else {
      const char *before = synk_isa();
      CHECK_ST(synk_use_isa(known[i]), SYNK_E_ISA);
      CHECK(synk_isa() == before);
      CHECK(synk_isa_emulated(known[i]) == -1);
      synk_kernels k;
      CHECK_ST(synk_kernels_for(known[i], &k), SYNK_E_ISA);
    }
  }
  for (size_t i = 0; i < n; i++) {
    CHECK_ST(synk_use_isa(names[i]), SYNK_OK);
    CHECK(strcmp(synk_isa(), names[i]) == 0);
  }
  /* a refused name leaves whatever backend is active, not just scalar */
  for (size_t i = 0; i < n; i++) {
    CHECK_ST(synk_use_isa(names[i]), SYNK_OK);
    CHECK_ST(synk_use_isa("nonsense"), SYNK_E_ISA);
    CHECK(strcmp(synk_isa(), names[i]) == 0);
    CHECK_ST(synk_use_isa(NULL), SYNK_E_ARG);
    CHECK(strcmp(synk_isa(), names[i]) == 0);
  }
  /* auto: the best native backend, the first listed */
  CHECK_ST(synk_use_isa("auto"), SYNK_OK);
  CHECK(strcmp(synk_isa(), names[0]) == 0);
  CHECK(synk_isa_emulated(synk_isa()) == 0);
  CHECK_EQ_U64(synk_rehash(w), h);
  CHECK_ST(synk_use_isa("nonsense"), SYNK_E_ISA);
  CHECK(strcmp(synk_isa(), names[0]) == 0);
  synk_world_destroy(w);
}

static void test_hash_semantics(void) {
  const uint32_t max = 512, np = 4;
  /* same config + same events -> same hash; the order of spawns does not matter */
  synk_world *a = mk(max, np, 1), *b = mk(max, np, 1);
  for (uint32_t i = 0; i < 100; i++) {
    uint32_t ia = i * 5, ib = (99 - i) * 5;
    CHECK_ST(synk_spawn(a, ia, ia % 4, (int32_t)ia, 1, 2), SYNK_OK);
    CHECK_ST(synk_spawn(b, ib, ib % 4, (int32_t)ib, 1, 2), SYNK_OK);
  }
  CHECK_EQ_U64(synk_hash(a), synk_hash(b));
  CHECK_ST(synk_set_prop(a, 10, 1, 5), SYNK_OK);
  CHECK(synk_hash(a) != synk_hash(b));
  CHECK_ST(synk_set_prop(b, 10, 1, 5), SYNK_OK);
  CHECK_EQ_U64(synk_hash(a), synk_hash(b));
  /* setting a property back to its old value restores the hash */
  uint64_t before = synk_hash(a);
  CHECK_ST(synk_set_prop(a, 10, 1, -5), SYNK_OK);
  CHECK(synk_hash(a) != before);
  CHECK_ST(synk_set_prop(a, 10, 1, 5), SYNK_OK);
  CHECK_EQ_U64(synk_hash(a), before);
  CHECK_ST(synk_set_prop(a, 10, 1, 5), SYNK_OK); /* same value: unchanged */
  CHECK_EQ_U64(synk_hash(a), before);
  /* moving there and back restores it too; a zero move changes nothing */
  CHECK_ST(synk_move(a, 10, 7, -8, 9), SYNK_OK);
  CHECK(synk_hash(a) != before);
  CHECK_ST(synk_move(a, 10, -7, 8, -9), SYNK_OK);
  CHECK_EQ_U64(synk_hash(a), before);
  CHECK_ST(synk_move(a, 10, 0, 0, 0), SYNK_OK);
  CHECK_EQ_U64(synk_hash(a), before);

  /* frame is part of the hash */
  uint64_t h0 = synk_hash(a);
  synk_tick(a);
  CHECK(synk_frame(a) == 1);
  uint64_t h1 = synk_hash(a);
  CHECK(h1 != h0);
  synk_tick(a);
  CHECK(synk_frame(a) == 2);
  CHECK(synk_hash(a) != h1 && synk_hash(a) != h0);
  CHECK_EQ_U64(synk_hash(a), synk_rehash(a));
  synk_tick(b);
  synk_tick(b);
  CHECK_EQ_U64(synk_hash(a), synk_hash(b));
  /* the entity count is part of the hash too (synk.h). White box: no event
   * changes the count without changing the entity sum, so poke it. */
  h0 = synk_hash(a);
  a->count++;
  CHECK(synk_hash(a) != h0);
  a->count--;
  CHECK_EQ_U64(synk_hash(a), h0);
  a->frame += UINT64_C(1) << 40;
  CHECK(synk_hash(a) != h0);
  a->frame -= UINT64_C(1) << 40;
  CHECK_EQ_U64(synk_hash(a), h0);
  synk_world_destroy(a);
  synk_world_destroy(b);

  /* seed keys the hash, empty or not */
  synk_world *s1 = mk(max, np, 1), *s2 = mk(max, np, 2);
  CHECK(synk_hash(s1) != synk_hash(s2));
  CHECK_ST(synk_spawn(s1, 3, 1, 1, 1, 1), SYNK_OK);
  CHECK_ST(synk_spawn(s2, 3, 1, 1, 1, 1), SYNK_OK);
  CHECK(synk_hash(s1) != synk_hash(s2));
  uint64_t e1, e2;
  CHECK_ST(synk_entity_hash(s1, 3, &e1), SYNK_OK);
  CHECK_ST(synk_entity_hash(s2, 3, &e2), SYNK_OK);
  CHECK(e1 != e2);
  synk_world_destroy(s1);
  synk_world_destroy(s2);

  /* single-entity worlds that differ in one field all differ */
  struct { uint32_t id, kind; int32_t x, y, z; int32_t p[4]; } v[] = {
      {5, 1, 1, 2, 3, {5, 9, 0, 0}},  /* base */
      {5, 1, 1, 2, 3, {9, 5, 0, 0}},  /* prop slots swapped */
      {5, 1, 1, 2, 3, {0, 0, 5, 9}},  /* same values, other slots */
      {5, 1, 1, 2, 3, {0, 0, 9, 5}},
      {5, 1, 1, 2, 3, {5, 0, 9, 0}},
      {5, 2, 1, 2, 3, {5, 9, 0, 0}},  /* kind */
      {6, 1, 1, 2, 3, {5, 9, 0, 0}},  /* id */
      {5, 1, 2, 1, 3, {5, 9, 0, 0}},  /* x <-> y */
      {5, 1, 3, 2, 1, {5, 9, 0, 0}},  /* x <-> z */
      {5, 1, 1, 3, 2, {5, 9, 0, 0}},  /* y <-> z */
      {5, 1, 1, 2, 3, {5, 9, 0, 1}},  /* last slot */
      {5, 3, 1, 2, 3, {5, 9, 0, 0}},  /* kind 3 */
      {1, 5, 1, 2, 3, {5, 9, 0, 0}},  /* id <-> kind */
      {5, 1, 5, 2, 3, {1, 9, 0, 0}},  /* x <-> prop0 */
      {5, 1, 1, 2, 3, {5, 9, 0, 0}},  /* == base (control) */
  };
  const size_t nv = sizeof v / sizeof v[0];
  uint64_t wh[32], eh[32];
  for (size_t i = 0; i < nv; i++) {
    synk_world *w = mk(16, 4, 0x5107);
    CHECK_ST(synk_spawn(w, v[i].id, v[i].kind, v[i].x, v[i].y, v[i].z), SYNK_OK);
    for (uint32_t s = 0; s < 4; s++) CHECK_ST(synk_set_prop(w, v[i].id, s, v[i].p[s]), SYNK_OK);
    wh[i] = synk_hash(w);
    CHECK_ST(synk_entity_hash(w, v[i].id, &eh[i]), SYNK_OK);
    CHECK_EQ_U64(wh[i], synk_rehash(w));
    synk_world_destroy(w);
  }
  for (size_t i = 0; i < nv; i++)
    for (size_t j = i + 1; j < nv; j++) {
      int same = i == 0 && j == nv - 1;
      CHECK((wh[i] == wh[j]) == same);
      CHECK((eh[i] == eh[j]) == same);
    }
}

/* synk_entity_hash_of equals synk_entity_hash of the same state, alive or
 * not; synk_hash_sum composes to synk_hash; bad arguments change nothing. */
static void test_hash_of_and_sum(void) {
  for (uint32_t np = 0; np <= 5; np++) {
    synk_world *w = mk(300, np, 0xABCDu + np);
    CHECK_EQ_U64(synk_hash_sum(w), 0);
    for (uint32_t id = 0; id < 300; id += 7) {
      synk_entity e;
      memset(&e, 0, sizeof e);
      e.id = id;
      e.kind = id * 3 + 1;
      e.x = (int32_t)(id * 1000u) - 70000;
      e.y = -(int32_t)id;
      e.z = INT32_MIN + (int32_t)id;
      for (uint32_t p = 0; p < SYNK_MAX_PROPS; p++) e.props[p] = (int32_t)(id ^ (p * 77u));
      uint64_t before = 0, after = 0;
      CHECK_ST(synk_entity_hash_of(w, &e, &before), SYNK_OK); /* not alive yet */
      CHECK_ST(synk_spawn(w, id, e.kind, e.x, e.y, e.z), SYNK_OK);
      for (uint32_t p = 0; p < np; p++) CHECK_ST(synk_set_prop(w, id, p, e.props[p]), SYNK_OK);
      CHECK_ST(synk_entity_hash(w, id, &after), SYNK_OK);
      CHECK_EQ_U64(before, after);
      e.props[np < SYNK_MAX_PROPS ? np : 0] ^= np < SYNK_MAX_PROPS ? 1 : 0; /* past num_props: ignored */
      CHECK_ST(synk_entity_hash_of(w, &e, &after), SYNK_OK);
      CHECK_EQ_U64(before, after);
      e.x ^= 1; /* any field counts */
      CHECK_ST(synk_entity_hash_of(w, &e, &after), SYNK_OK);
      CHECK(before != after);
    }
    synk_tick(w);
    CHECK_EQ_U64(synk_hash_compose(w, synk_hash_sum(w), synk_frame(w), synk_count(w)), synk_hash(w));
    synk_entity e;
    memset(&e, 0, sizeof e);
    uint64_t out = 42;
    e.id = 300;
    CHECK_ST(synk_entity_hash_of(w, &e, &out), SYNK_E_RANGE);
    CHECK_ST(synk_entity_hash_of(NULL, &e, &out), SYNK_E_ARG);
    CHECK_ST(synk_entity_hash_of(w, NULL, &out), SYNK_E_ARG);
    CHECK_ST(synk_entity_hash_of(w, &e, NULL), SYNK_E_ARG);
    CHECK_EQ_U64(out, 42);
    synk_world_destroy(w);
  }
  CHECK_EQ_U64(synk_hash_sum(NULL), 0);
}

static void test_count_frame(void) {
  synk_world *w = mk(10, 0, 0);
  for (uint32_t id = 0; id < 10; id++) {
    CHECK_ST(synk_spawn(w, id, 0, 0, 0, 0), SYNK_OK);
    CHECK(synk_count(w) == id + 1);
  }
  CHECK_FAILS(w, synk_spawn(w, 10, 0, 0, 0, 0), SYNK_E_RANGE);
  for (uint32_t id = 0; id < 10; id += 2) CHECK_ST(synk_despawn(w, id), SYNK_OK);
  CHECK(synk_count(w) == 5);
  for (int i = 0; i < 1000; i++) synk_tick(w);
  CHECK(synk_frame(w) == 1000);
  CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
  synk_world_destroy(w);
}

/* --expect-isa=NAME: the backend selected at first use. NAME "auto" is the
 * best native backend (first listed); "env" is $SYNK_ISA when that names a
 * runnable backend, else "auto". Then a short smoke test on that backend. */
static int expect_isa(const char *want) {
  const char *got = synk_isa(); /* must be the first synk call */
  const char *names[16];
  size_t n = synk_isa_list(names, 16);
  if (n > 16) n = 16;
  const char *env = getenv("SYNK_ISA");
  if (strcmp(want, "env") == 0) want = env && in_list(env, names, n) ? env : "auto";
  if (strcmp(want, "auto") == 0) want = n ? names[0] : "?";
  printf("SYNK_ISA=%s: selected %s, expected %s\n", env ? env : "(unset)", got ? got : "(null)", want);
  CHECK(got && strcmp(got, want) == 0);
  synk_world *w = mk(1000, 3, 17);
  for (uint32_t id = 0; id < 1000; id += 3) CHECK_ST(synk_spawn(w, id, id, (int32_t)id, 0, 0), SYNK_OK);
  synk_motion m[100];
  for (uint32_t i = 0; i < 100; i++) m[i] = (synk_motion){(i * 33) % 999, 1, 2, 3};
  CHECK_ST(synk_apply_motions(w, m, 100, NULL), SYNK_OK);
  CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
  CHECK(got && strcmp(synk_isa(), got) == 0);
  synk_world_destroy(w);
  return t_done("test_api --expect-isa");
}

/* synk_world_copy: an exact copy (state, frame, count, hash), refused for
 * another config with dst unchanged; a ring on dst sees the copy's changes. */
static unsigned char *snap_bytes(const synk_world *w, size_t *len) {
  CHECK_ST(synk_snapshot_save(w, NULL, 0, len), SYNK_OK);
  unsigned char *b = (unsigned char *)malloc(*len);
  CHECK(b != NULL);
  CHECK_ST(synk_snapshot_save(w, b, *len, len), SYNK_OK);
  return b;
}

static void test_world_copy(void) {
  synk_config cfg = {3000, 3, 77, NULL, NULL};
  synk_world *a = NULL, *b = NULL, *other = NULL;
  CHECK_ST(synk_world_create(&cfg, &a), SYNK_OK);
  CHECK_ST(synk_world_create(&cfg, &b), SYNK_OK);
  for (uint32_t id = 0; id < 3000; id += 7) {
    CHECK_ST(synk_spawn(a, id, id % 5, (int32_t)id, -(int32_t)id, 3), SYNK_OK);
    CHECK_ST(synk_set_prop(a, id, id % 3, (int32_t)(id * 31)), SYNK_OK);
  }
  synk_tick(a);
  for (uint32_t id = 1; id < 3000; id += 11) CHECK_ST(synk_spawn(b, id, 9, 1, 2, 3), SYNK_OK);
  synk_ring *ring = NULL;
  CHECK_ST(synk_ring_create(b, 4, &ring), SYNK_OK);
  CHECK_ST(synk_ring_save(ring), SYNK_OK); /* b's own frame 0 */
  size_t lb0 = 0;
  unsigned char *b0 = snap_bytes(b, &lb0);
  CHECK_ST(synk_world_copy(b, a), SYNK_OK);
  CHECK_EQ_U64(synk_hash(b), synk_hash(a));
  CHECK_EQ_U64(synk_rehash(b), synk_hash(b));
  CHECK(synk_frame(b) == 1 && synk_count(b) == synk_count(a));
  size_t la = 0, lb = 0;
  unsigned char *sa = snap_bytes(a, &la), *sb = snap_bytes(b, &lb);
  CHECK(la == lb && memcmp(sa, sb, la) == 0);
  /* the copy is b's next state for its ring: frame 0 restores exactly */
  CHECK_ST(synk_ring_save(ring), SYNK_OK);
  CHECK_ST(synk_ring_restore(ring, 0), SYNK_OK);
  size_t lr = 0;
  unsigned char *br = snap_bytes(b, &lr);
  CHECK(lr == lb0 && memcmp(br, b0, lr) == 0);
  synk_ring_destroy(ring);
  /* independent after the copy */
  CHECK_ST(synk_move(a, 7, 1, 1, 1), SYNK_OK);
  CHECK(synk_hash(a) != synk_hash(b));
  /* another config: refused, dst unchanged */
  synk_config ocfg = {3000, 2, 77, NULL, NULL};
  CHECK_ST(synk_world_create(&ocfg, &other), SYNK_OK);
  const uint64_t oh = synk_hash(other);
  CHECK_ST(synk_world_copy(other, a), SYNK_E_MISMATCH);
  CHECK_EQ_U64(synk_hash(other), oh);
  ocfg.num_props = 3;
  ocfg.seed = 78;
  synk_world *o2 = NULL;
  CHECK_ST(synk_world_create(&ocfg, &o2), SYNK_OK);
  CHECK_ST(synk_world_copy(o2, a), SYNK_E_MISMATCH);
  CHECK_ST(synk_world_copy(NULL, a), SYNK_E_ARG);
  CHECK_ST(synk_world_copy(a, NULL), SYNK_E_ARG);
  CHECK_ST(synk_world_copy(a, a), SYNK_OK);
  free(sa);
  free(sb);
  free(br);
  free(b0);
  synk_world_destroy(o2);
  synk_world_destroy(other);
  synk_world_destroy(a);
  synk_world_destroy(b);
}

/* synk_crc32c: the published check value, chaining, the empty input, and the
 * same value from every runnable backend. */
static void test_crc32c(void) {
  const char *kat = "123456789";
  const char *saved = synk_isa();
  const char *isas[16];
  size_t ni = synk_isa_list(isas, 16);
  for (size_t i = 0; i < ni && i < 16; i++) {
    CHECK_ST(synk_use_isa(isas[i]), SYNK_OK);
    CHECK(synk_crc32c(0, kat, 9) == 0xE3069283u);
    CHECK(synk_crc32c(synk_crc32c(0, kat, 4), kat + 4, 5) == 0xE3069283u);
    CHECK(synk_crc32c(0x1234u, NULL, 0) == 0x1234u);
    unsigned char buf[300];
    for (int b = 0; b < 300; b++) buf[b] = (unsigned char)(b * 7 + 1);
    uint32_t whole = synk_crc32c(0, buf, sizeof buf), parts = 0;
    for (size_t at = 0; at < sizeof buf; at += 37)
      parts = synk_crc32c(parts, buf + at, at + 37 <= sizeof buf ? 37 : sizeof buf - at);
    CHECK(whole == parts && whole != 0);
  }
  CHECK_ST(synk_use_isa(saved), SYNK_OK);
}

/* synk_cpu_features: what the dispatcher detected, by name; the count
 * query, the cap, and agreement with the native backends it allows. */
static void test_cpu_features(void) {
  const char *f[32], *isas[16];
  size_t n = synk_cpu_features(NULL, 0);
  CHECK(n <= 32);
  if (n > 32) n = 32;
  CHECK(synk_cpu_features(f, 32) == n);
  for (size_t i = 0; i < n; i++) CHECK(f[i] && f[i][0]);
  const char *one[2] = {NULL, "sentinel"};
  CHECK(synk_cpu_features(one, 1) == n);
  CHECK(strcmp(one[1], "sentinel") == 0 && (n == 0 || (one[0] && strcmp(one[0], f[0]) == 0)));
  const char *names[32];
  CHECK(synk_cpu_flag_names(synk_cpu_detect(), names, 32) == n);
  size_t ni = synk_isa_list(isas, 16);
  if (ni > 16) ni = 16;
  /* a native SIMD backend runs only where its features were detected */
  static const char *const need[][2] = {{"avx2", "avx2"}, {"avx512", "avx512f"}, {"neon", "neon"}, {"wasm", "simd128"}};
  for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
    if (in_list(need[k][0], isas, ni) && synk_isa_emulated(need[k][0]) == 0) CHECK(in_list(need[k][1], f, n));
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strncmp(argv[i], "--expect-isa=", 13) == 0) return expect_isa(argv[i] + 13);
  printf("backend at start: %s\n", synk_isa());
  test_create_args();
  test_allocator();
  test_null_world();
  test_errors();
  test_get_and_respawn();
  test_wrap();
  test_batch_errors();
  test_chunks();
  test_view();
  test_world_copy();
  test_status_version();
  test_hash_semantics();
  test_hash_of_and_sum();
  test_count_frame();
  test_crc32c();
  test_cpu_features();
  test_large_world();
  test_isa(); /* last: it changes the process-global backend */
  return t_done("test_api");
}
