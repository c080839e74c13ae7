/* SPDX-License-Identifier: MIT */
/* Property tests, for every backend in synk_isa_list:
 *
 *  (a) batch == sequential: synk_apply_motions on world A and synk_move one
 *      motion at a time on world B give equal hashes, chunk sums and storage.
 *      Random worlds (1 .. 2^20 ids, 0..16 property slots, dense and sparse),
 *      random batches (0 .. ~5000 motions, a few of 200k and more) with many
 *      repeats, clustered and spread ids, contiguous runs and deltas near
 *      INT32_MIN/INT32_MAX so positions wrap. Batches are shaped so that every
 *      ordering strategy of kernel/motion.c runs (small batches sorted in
 *      registers; large ones clustered in a few thousand ids or spread over
 *      the whole range of a large world); the test counts them, and checks
 *      each class is hit. Failing batches (an invalid motion
 *      somewhere) must report the first bad index and change nothing.
 *  (b) synk_hash == synk_rehash after every operation of long random
 *      sequences (spawn, despawn, move, set_prop, apply_motions, tick, get,
 *      entity_hash; many of them failing), checked against a model of the
 *      world: every status is predicted, failing calls leave the hash as is.
 *  (c) a world of 2^20 live entities with batches of 200k and 2^20 motions.
 *
 * Every backend runs the same scenarios (the generator is reseeded), so the
 * final hashes are compared across backends too.
 *
 * Usage: test_props [--seed=N] [--quick]   (--quick: fewer and smaller
 * scenarios, no 2^20 world; for slow sanitizer or emulator runs). In a build
 * without optimization (__OPTIMIZE__ undefined) the SIMDe-emulated backends
 * run the quick scenarios; optimized builds run everything on every backend.
 * Runtime (2 cores, 5 backends): ~9 s Release, ~25 s ASan.
 */
#include <limits.h>
#include <stdint.h>

#include "kernel/internal.h"
#include "synk.h"
#include "test_util.h"

static int quick = 0;
static const char *cur_isa = "?";
static uint64_t cur_seed = 0;

/* Stop a scenario at its first failure, saying how to find it again. */
#define BAIL_IF_FAILED(before, ...)                                                      \
  do {                                                                                 \
    if (t_failures != (before)) {                                                      \
      fprintf(stderr, "  in isa=%s seed=%" PRIu64 ": ", cur_isa, cur_seed);            \
      fprintf(stderr, __VA_ARGS__);                                                    \
      fprintf(stderr, "\n");                                                           \
      goto bail;                                                                       \
    }                                                                                  \
  } while (0)

static synk_world *mk(uint32_t cap, uint32_t np, uint64_t seed) {
  synk_config cfg = {cap, np, seed, NULL, NULL};
  synk_world *w = NULL;
  if (synk_world_create(&cfg, &w) != SYNK_OK || !w) {
    fprintf(stderr, "cannot create a world of %u ids, %u props\n", cap, np);
    exit(1);
  }
  return w;
}

static int32_t as_i32(uint32_t u) {
  int32_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}
static int32_t wrap_add(int32_t a, int32_t b) { return as_i32((uint32_t)a + (uint32_t)b); }

/* A value for a position or property: often at the edges of int32. */
static int32_t rand_value(t_rng *r) {
  switch (t_below(r, 8)) {
    case 0: return 0;
    case 1: return (int32_t)t_below(r, 201) - 100;
    case 2: return INT32_MAX - (int32_t)t_below(r, 16);
    case 3: return INT32_MIN + (int32_t)t_below(r, 16);
    default: return t_i32(r);
  }
}

/* A delta; `mode` 0 small, 1 anything, 2 extremes (wrap-around guaranteed
 * when repeated), 3 a mix. */
static int32_t rand_delta(t_rng *r, int mode) {
  if (mode == 3) mode = (int)t_below(r, 3);
  switch (mode) {
    case 0: return (int32_t)t_below(r, 65) - 32;
    case 1: return t_i32(r);
    default: {
      static const int32_t edge[] = {INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1, 1, -1, 0,
                                     0x40000000, -0x40000000};
      return edge[t_below(r, sizeof edge / sizeof edge[0])];
    }
  }
}

/* ---- comparing worlds ---------------------------------------------------- */

static uint64_t *chunk_a, *chunk_b;
static size_t chunk_cap;

static void chunks_reserve(size_t n) {
  if (n <= chunk_cap) return;
  free(chunk_a);
  free(chunk_b);
  chunk_a = (uint64_t *)malloc(n * sizeof *chunk_a);
  chunk_b = (uint64_t *)malloc(n * sizeof *chunk_b);
  chunk_cap = n;
  if (!chunk_a || !chunk_b) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
}

/* The cached entity hash of every id is exact: h(e) recomputed from the
 * stored state for a live id, 0 for a dead one. */
static int cache_exact(const synk_world *w) {
  for (uint32_t id = 0; id < w->cap; id++)
    if (w->eh[id] != (synk_alive(w, id) ? synk_hash_entity_ref(w, id) : 0)) return 0;
  return 1;
}

/* Equal hash, count, frame, chunk sums and storage, exact entity-hash
 * caches; says what differs. */
static int same_world(const synk_world *a, const synk_world *b, const char **what) {
  *what = "hash";
  if (synk_hash(a) != synk_hash(b)) return 0;
  *what = "count";
  if (synk_count(a) != synk_count(b)) return 0;
  *what = "frame";
  if (synk_frame(a) != synk_frame(b)) return 0;
  size_t nc = synk_chunk_hashes(a, NULL, 0);
  *what = "chunk count";
  if (nc != synk_chunk_hashes(b, NULL, 0)) return 0;
  chunks_reserve(nc);
  synk_chunk_hashes(a, chunk_a, nc);
  synk_chunk_hashes(b, chunk_b, nc);
  *what = "chunk sums";
  if (memcmp(chunk_a, chunk_b, nc * sizeof *chunk_a) != 0) return 0;
  synk_view va = synk_get_view(a), vb = synk_get_view(b);
  *what = "config";
  if (va.capacity != vb.capacity || va.num_props != vb.num_props) return 0;
  size_t n32 = (size_t)va.capacity * 4;
  *what = "x";
  if (memcmp(va.x, vb.x, n32)) return 0;
  *what = "y";
  if (memcmp(va.y, vb.y, n32)) return 0;
  *what = "z";
  if (memcmp(va.z, vb.z, n32)) return 0;
  *what = "kind";
  if (memcmp(va.kind, vb.kind, n32)) return 0;
  *what = "props";
  for (uint32_t p = 0; p < va.num_props; p++)
    if (memcmp(va.props[p], vb.props[p], n32)) return 0;
  *what = "alive";
  if (memcmp(va.alive, vb.alive, ((size_t)va.capacity + 63) / 64 * 8)) return 0;
  *what = "cached entity hashes";
  if (!cache_exact(a) || !cache_exact(b)) return 0;
  *what = "";
  return 1;
}

#define CHECK_SAME(a, b)                                                  \
  do {                                                                    \
    const char *what_;                                                    \
    int same_ = same_world((a), (b), &what_);                             \
    CHECK(same_);                                                         \
    if (!same_) fprintf(stderr, "  worlds differ in: %s\n", what_);       \
  } while (0)

/* ---- (a) batch == sequential --------------------------------------------- */

/* Batch classes, to prove coverage of kernel/motion.c's ordering strategies
 * without depending on its exact thresholds: small batches (<= 32 motions:
 * sorted in registers), large batches whose distinct ids lie within 4096 ids
 * (one or two words of the touched summary bitmap), and large batches spread
 * over more than 2^16 ids (many summary words, mostly empty). Results are
 * checked for every batch, whatever its class. */
enum { PATH_SMALL, PATH_SORTED, PATH_SWITCH, PATH_CLUSTER, PATH_SPREAD, PATH_OTHER, NPATHS };
static const char *path_name[NPATHS] = {"small", "sorted", "sorted-then-not", "clustered", "spread", "other"};
static size_t path_count[NPATHS];

static int classify(const synk_motion *m, size_t n) {
  if (n <= 32) return PATH_SMALL;
  /* strictly increasing ids take the sorted path; strictly increasing but for
   * the last motion (a repeat or a smaller id) start on it and switch */
  size_t inc = 1;
  while (inc < n && m[inc].id > m[inc - 1].id) inc++;
  if (inc == n) return PATH_SORTED;
  if (inc == n - 1) return PATH_SWITCH;
  uint32_t lo = UINT32_MAX, hi = 0;
  for (size_t i = 0; i < n; i++) {
    lo = m[i].id < lo ? m[i].id : lo;
    hi = m[i].id > hi ? m[i].id : hi;
  }
  if (hi - lo < 4096) return PATH_CLUSTER;
  return hi - lo > 65536 ? PATH_SPREAD : PATH_OTHER;
}

typedef struct scen {
  uint32_t cap, np;
  uint32_t *alive;  /* ids alive, increasing */
  uint32_t nalive;
} scen;

/* Spawn the same random population into a and b. */
static void populate(t_rng *r, synk_world *a, synk_world *b, scen *s, int density) {
  s->nalive = 0;
  uint32_t run_left = 0;
  int run_alive = 1;
  /* property writes cost two hashes each: all slots in small worlds, a
   * sample in large ones */
  uint32_t prop_every = s->cap <= 65536 ? 1 : 16;
  for (uint32_t id = 0; id < s->cap; id++) {
    int live;
    switch (density) {
      case 0: live = 1; break;                               /* full */
      case 1: live = t_below(r, 2) == 0; break;              /* half */
      case 2: live = t_below(r, 20) == 0; break;             /* sparse */
      default:                                               /* runs of live and dead ids */
        if (!run_left) {
          run_alive = !run_alive;
          run_left = 1 + t_below(r, run_alive ? 200 : 600);
        }
        run_left--;
        live = run_alive;
        break;
    }
    if (!live) continue;
    uint32_t kind = (uint32_t)t_next(r);
    int32_t x = rand_value(r), y = rand_value(r), z = rand_value(r);
    CHECK_ST(synk_spawn(a, id, kind, x, y, z), SYNK_OK);
    CHECK_ST(synk_spawn(b, id, kind, x, y, z), SYNK_OK);
    if (s->np && id % prop_every == 0) {
      for (uint32_t p = 0; p < s->np; p++) {
        if (s->cap > 65536 && p != 0 && t_below(r, 4)) continue;
        int32_t v = rand_value(r);
        CHECK_ST(synk_set_prop(a, id, p, v), SYNK_OK);
        CHECK_ST(synk_set_prop(b, id, p, v), SYNK_OK);
      }
    }
    s->alive[s->nalive++] = id;
  }
}

static uint32_t pick(t_rng *r, const scen *s) { return s->alive[t_below(r, s->nalive)]; }

/* Fill m[0..n) with motions of live ids in one of several shapes. */
static void make_batch(t_rng *r, const scen *s, synk_motion *m, size_t n, int shape, int dmode) {
  size_t i = 0;
  while (i < n) {
    int sh = shape == 7 ? (int)t_below(r, 9) : shape; /* 7: a mix of pieces */
    if (sh == 7) sh = 8;
    size_t len = shape == 7 ? 1 + t_below(r, (uint32_t)(n - i < 400 ? n - i : 400)) : n - i;
    if (len > n - i) len = n - i;
    switch (sh) {
      case 0: /* uniform over the live ids */
        for (size_t j = 0; j < len; j++) m[i + j].id = pick(r, s);
        break;
      case 1: { /* few distinct ids, many repeats */
        uint32_t few[32];
        uint32_t d = 1 + t_below(r, 32);
        for (uint32_t q = 0; q < d; q++) few[q] = pick(r, s);
        for (size_t j = 0; j < len; j++) m[i + j].id = few[t_below(r, d)];
        break;
      }
      case 2: { /* clustered: a window of live ids */
        uint32_t win = 1 + t_below(r, (uint32_t)(len < s->nalive ? len : s->nalive));
        uint32_t start = t_below(r, s->nalive - win + 1);
        for (size_t j = 0; j < len; j++) m[i + j].id = s->alive[start + t_below(r, win)];
        break;
      }
      case 3: { /* runs of one id back to back */
        size_t j = 0;
        while (j < len) {
          uint32_t id = pick(r, s);
          size_t run = 1 + t_below(r, 9);
          for (size_t q = 0; q < run && j < len; q++) m[i + j++].id = id;
        }
        break;
      }
      case 4: { /* consecutive live ids, ascending or descending */
        uint32_t start = t_below(r, s->nalive);
        int down = (int)t_below(r, 2);
        for (size_t j = 0; j < len; j++) {
          uint32_t k = (uint32_t)((start + j) % s->nalive);
          m[i + j].id = s->alive[down ? s->nalive - 1 - k : k];
        }
        break;
      }
      case 5: { /* strided: every 2^k-th live id */
        uint32_t stride = 1u << (6 + t_below(r, 8));
        uint32_t start = t_below(r, s->nalive);
        for (size_t j = 0; j < len; j++)
          m[i + j].id = s->alive[(uint32_t)((start + (uint64_t)j * stride) % s->nalive)];
        break;
      }
      case 8: { /* some dozens to thousands of distinct ids spread over the
                 * whole range, with repeats (sparse bitmaps) */
        uint32_t lim = s->nalive < 2000 ? s->nalive : 2000;
        uint32_t d = lim > 33 ? 33 + t_below(r, lim - 32) : lim;
        uint32_t *set = (uint32_t *)malloc(d * sizeof *set);
        for (uint32_t q = 0; q < d; q++) set[q] = pick(r, s);
        for (size_t j = 0; j < len; j++) m[i + j].id = j < d ? set[j] : set[t_below(r, d)];
        free(set);
        break;
      }
      case 9:   /* strictly increasing: a sorted random subset of the live ids */
      case 10:  /* the same, but the last motion repeats the one before it */
      case 11: { /* the same, but the last motion goes back to a smaller id */
        uint32_t at = t_below(r, s->nalive / 4 + 1);
        for (size_t j = 0; j < len; j++) {
          m[i + j].id = s->alive[at];
          at += 1 + (t_below(r, 4) == 0);
          if (at >= s->nalive) at = 0; /* out of live ids: the order breaks here */
        }
        if (len >= 2 && sh == 10) m[i + len - 1].id = m[i + len - 2].id;
        if (len >= 2 && sh == 11) m[i + len - 1].id = m[i].id;
        break;
      }
      default: /* the two ends of the id range */
        for (size_t j = 0; j < len; j++)
          m[i + j].id = s->alive[t_below(r, 2) ? t_below(r, s->nalive < 8 ? s->nalive : 8)
                                               : s->nalive - 1 - t_below(r, s->nalive < 8 ? s->nalive : 8)];
        break;
    }
    i += len;
  }
  for (size_t j = 0; j < n; j++) {
    m[j].dx = rand_delta(r, dmode);
    m[j].dy = rand_delta(r, dmode);
    m[j].dz = rand_delta(r, dmode);
  }
}

static int is_live(const synk_world *w, uint32_t id) {
  synk_view v = synk_get_view(w);
  return id < v.capacity && ((v.alive[id >> 6] >> (id & 63)) & 1);
}

/* Make the batch invalid: 1..3 bad motions at random places. Returns the
 * index and status of the first. */
static size_t spoil_batch(t_rng *r, const synk_world *w, synk_motion *m, size_t n, synk_status *st) {
  uint32_t cap = synk_get_view(w).capacity;
  uint32_t bad_count = 1 + t_below(r, 3);
  for (uint32_t b = 0; b < bad_count; b++) {
    size_t at = t_below(r, (uint32_t)n);
    uint32_t id;
    switch (t_below(r, 4)) {
      case 3: /* keep the order: a dead id between the neighbours, or past cap at the end */
        if (at + 1 == n) {
          id = m[at].id >= cap ? m[at].id : cap + t_below(r, 1000);
          if (at && id <= m[at - 1].id) id = m[at].id;
          break;
        }
        id = m[at].id;
        for (uint32_t lo = at ? m[at - 1].id + 1 : 0, c = lo; c < m[at + 1].id && c < cap && c < lo + 64; c++)
          if (!is_live(w, c)) {
            id = c;
            break;
          }
        break;
      case 0: id = cap + t_below(r, 1000); break;
      case 1: id = UINT32_MAX - t_below(r, 4); break;
      default: { /* a dead id, if there is one nearby */
        id = t_below(r, cap);
        for (uint32_t q = 0; q < 64 && is_live(w, id); q++) id = (id + 1) % cap;
        break;
      }
    }
    m[at].id = id;
  }
  for (size_t i = 0; i < n; i++) {
    if (m[i].id >= cap) {
      *st = SYNK_E_RANGE;
      return i;
    }
    if (!is_live(w, m[i].id)) {
      *st = SYNK_E_DEAD;
      return i;
    }
  }
  *st = SYNK_OK; /* every "dead" pick was alive after all */
  return n;
}

static synk_motion *mbuf;
static size_t mbuf_cap;

static synk_motion *motions(size_t n) {
  if (n > mbuf_cap) {
    free(mbuf);
    mbuf = (synk_motion *)malloc((n ? n : 1) * sizeof *mbuf);
    mbuf_cap = n;
    if (!mbuf) {
      fprintf(stderr, "out of memory\n");
      exit(1);
    }
  }
  return mbuf;
}

/* Apply one batch to a (batch) and b (one by one) and compare. Returns 0 on
 * a failure. */
static int run_batch(t_rng *r, synk_world *a, synk_world *b, const scen *s, size_t n, int shape,
                     int dmode, int spoil, int full_check) {
  synk_motion *m = motions(n);
  int before = t_failures;
  if (n) make_batch(r, s, m, n, shape, dmode);
  synk_status want = SYNK_OK;
  size_t want_bad = 0;
  if (spoil && n) want_bad = spoil_batch(r, a, m, n, &want);
  if (want == SYNK_OK) path_count[classify(m, n)]++;
  size_t bad = SIZE_MAX;
  CHECK_ST(synk_apply_motions(a, n ? m : NULL, n, &bad), want);
  if (want == SYNK_OK) {
    for (size_t i = 0; i < n; i++) CHECK_ST(synk_move(b, m[i].id, m[i].dx, m[i].dy, m[i].dz), SYNK_OK);
  } else {
    CHECK(bad == want_bad);
    if (bad != want_bad) fprintf(stderr, "  bad_index %zu, expected %zu\n", bad, want_bad);
  }
  if (full_check || want != SYNK_OK) {
    CHECK_SAME(a, b);
  } else {
    CHECK_EQ_U64(synk_hash(a), synk_hash(b));
  }
  if (full_check) CHECK_EQ_U64(synk_hash(a), synk_rehash(a));
  if (t_failures != before) {
    fprintf(stderr, "  batch of %zu motions, shape %d, deltas %d, spoiled %d, cap %u, np %u, live %u\n", n,
            shape, dmode, spoil, s->cap, s->np, s->nalive);
    return 0;
  }
  return 1;
}

static size_t rand_batch_size(t_rng *r) {
  switch (t_below(r, 10)) {
    case 0: return t_below(r, 4);
    case 1: case 2: case 3: return t_below(r, 41);
    case 4: case 5: case 6: return t_below(r, 1001);
    default: return t_below(r, 5001);
  }
}

/* One random world pair with a series of batches. Returns a digest of the
 * hashes it saw (compared across backends). */
static uint64_t scenario_batches(t_rng *r, uint32_t cap, uint32_t np, int density, int nbatches,
                                 size_t big) {
  uint64_t digest = 0;
  uint64_t wseed = t_next(r);
  synk_world *a = mk(cap, np, wseed), *b = mk(cap, np, wseed);
  scen s = {cap, np, (uint32_t *)malloc((size_t)cap * sizeof(uint32_t)), 0};
  int before = t_failures;
  populate(r, a, b, &s, density);
  if (s.nalive == 0) { /* keep at least one live id */
    CHECK_ST(synk_spawn(a, cap - 1, 1, 2, 3, 4), SYNK_OK);
    CHECK_ST(synk_spawn(b, cap - 1, 1, 2, 3, 4), SYNK_OK);
    s.alive[s.nalive++] = cap - 1;
  }
  CHECK_SAME(a, b);
  CHECK_EQ_U64(synk_hash(a), synk_rehash(a));
  BAIL_IF_FAILED(before, "populating cap %u np %u density %d", cap, np, density);
  int full_every = cap <= 65536 ? 1 : 4;
  for (int i = 0; i < nbatches; i++) {
    size_t n = rand_batch_size(r);
    int shape = (int)t_below(r, 12), dmode = (int)t_below(r, 4);
    int spoil = t_below(r, 8) == 0;
    if (!run_batch(r, a, b, &s, n, shape, dmode, spoil, i % full_every == 0)) goto bail;
    if (t_below(r, 4) == 0) {
      synk_tick(a);
      synk_tick(b);
    }
    digest = digest * 31 + synk_hash(a);
  }
  if (big) {
    /* large batches: spread, clustered, and mixed */
    int shapes[3] = {0, 2, 7};
    for (int q = 0; q < 3; q++) {
      if (!run_batch(r, a, b, &s, big, shapes[q], 3, 0, 1)) goto bail;
      digest = digest * 31 + synk_hash(a);
    }
  }
  CHECK_SAME(a, b);
  CHECK_EQ_U64(synk_hash(a), synk_rehash(a));
bail:
  free(s.alive);
  synk_world_destroy(a);
  synk_world_destroy(b);
  return digest;
}

/* [2^lg, 2^(lg+1)) for lg <= max_log2, half the time from the top 5 lg */
static uint32_t rand_cap(t_rng *r, uint32_t max_log2) {
  uint32_t lg = t_below(r, 2) ? t_below(r, max_log2 + 1) : max_log2 - t_below(r, 5);
  uint32_t lo = 1u << lg;
  return lo + t_below(r, lo);
}

static uint64_t prop_batch_equals_sequential(uint64_t seed) {
  t_rng r;
  t_seed(&r, seed ^ 0xA);
  uint64_t digest = 0;
  int small = quick ? 25 : 60;
  for (int t = 0; t < small; t++) {
    /* 1 .. 2^17 ids */
    uint32_t cap = t < 4 ? (uint32_t)(1 + t) : rand_cap(&r, 16);
    uint32_t np = t_below(&r, SYNK_MAX_PROPS + 1);
    int density = (int)t_below(&r, 4);
    digest = digest * 131 + scenario_batches(&r, cap, np, density, quick ? 8 : 20, 0);
  }
  /* a few large worlds with big batches */
  int large = quick ? 1 : 3;
  for (int t = 0; t < large; t++) {
    uint32_t cap = (1u << 18) + t_below(&r, 3u << 18); /* up to 2^20 */
    uint32_t np = t_below(&r, SYNK_MAX_PROPS + 1);
    int density = (int)t_below(&r, 4);
    digest = digest * 131 + scenario_batches(&r, cap, np, density, 6, quick ? 20000 : 100000);
  }
  return digest;
}

/* ---- (c) 2^20 live entities ---------------------------------------------- */

static uint64_t prop_million(uint64_t seed) {
  t_rng r;
  t_seed(&r, seed ^ 0xC);
  const uint32_t cap = 1u << 20;
  uint32_t np = 1 + t_below(&r, 4);
  uint64_t wseed = t_next(&r);
  synk_world *a = mk(cap, np, wseed), *b = mk(cap, np, wseed);
  scen s = {cap, np, (uint32_t *)malloc((size_t)cap * sizeof(uint32_t)), 0};
  uint64_t digest = 0;
  int before = t_failures;
  populate(&r, a, b, &s, 0);
  CHECK(s.nalive == cap);
  CHECK(synk_count(a) == cap);
  CHECK_SAME(a, b);
  CHECK_EQ_U64(synk_hash(a), synk_rehash(a));
  BAIL_IF_FAILED(before, "populating 2^20 entities");
  /* 200k spread motions, 200k clustered,
   * 200k as a mix, then every id once in random order */
  if (!run_batch(&r, a, b, &s, 200000, 0, 3, 0, 1)) goto bail;
  if (!run_batch(&r, a, b, &s, 200000, 2, 2, 0, 1)) goto bail;
  if (!run_batch(&r, a, b, &s, 200000, 7, 1, 0, 1)) goto bail;
  if (!run_batch(&r, a, b, &s, 200000, 5, 3, 1, 1)) goto bail; /* spoiled: nothing applied */
  {
    synk_motion *m = motions(cap);
    for (uint32_t i = 0; i < cap; i++) m[i] = (synk_motion){i, rand_delta(&r, 3), rand_delta(&r, 3), rand_delta(&r, 3)};
    for (uint32_t i = cap - 1; i > 0; i--) { /* Fisher-Yates */
      uint32_t j = t_below(&r, i + 1);
      synk_motion t = m[i];
      m[i] = m[j];
      m[j] = t;
    }
    path_count[classify(m, cap)]++;
    CHECK_ST(synk_apply_motions(a, m, cap, NULL), SYNK_OK);
    for (uint32_t i = 0; i < cap; i++) CHECK_ST(synk_move(b, m[i].id, m[i].dx, m[i].dy, m[i].dz), SYNK_OK);
    CHECK_SAME(a, b);
    CHECK_EQ_U64(synk_hash(a), synk_rehash(a));
    BAIL_IF_FAILED(before, "2^20 motions, one per id, shuffled");
  }
  digest = synk_hash(a);
bail:
  free(s.alive);
  synk_world_destroy(a);
  synk_world_destroy(b);
  return digest;
}

/* ---- (b) hash == rehash after every operation ---------------------------- */

typedef struct model {
  uint32_t cap, np;
  uint8_t *alive;
  uint32_t *kind;
  int32_t *x, *y, *z;
  int32_t *props[SYNK_MAX_PROPS];
  size_t count;
  uint64_t frame;
} model;

static uint32_t rand_id(t_rng *r, uint32_t cap) {
  switch (t_below(r, 16)) {
    case 0: return cap + t_below(r, 3);
    case 1: return UINT32_MAX - t_below(r, 2);
    case 2: return cap - 1;
    default: return t_below(r, cap < 64 ? cap : (t_below(r, 2) ? 64 : cap)); /* hot low ids */
  }
}

static synk_status model_check_id(const model *md, uint32_t id) {
  if (id >= md->cap) return SYNK_E_RANGE;
  return md->alive[id] ? SYNK_OK : SYNK_E_DEAD;
}

static int model_matches(const synk_world *w, const model *md) {
  synk_view v = synk_get_view(w);
  if (synk_count(w) != md->count || synk_frame(w) != md->frame) return 0;
  for (uint32_t id = 0; id < md->cap; id++) {
    int live = (int)((v.alive[id >> 6] >> (id & 63)) & 1);
    if (live != md->alive[id]) return 0;
    if (v.kind[id] != md->kind[id] || v.x[id] != md->x[id] || v.y[id] != md->y[id] || v.z[id] != md->z[id])
      return 0;
    for (uint32_t p = 0; p < md->np; p++)
      if (v.props[p][id] != md->props[p][id]) return 0;
  }
  return cache_exact(w);
}

static uint64_t prop_hash_equals_rehash(uint64_t seed) {
  t_rng r;
  t_seed(&r, seed ^ 0xB);
  uint64_t digest = 0;
  int sequences = quick ? 6 : 14;
  for (int sq = 0; sq < sequences; sq++) {
    static const uint32_t caps[] = {1, 2, 7, 64, 65, 300, 1000, 4096};
    model md;
    memset(&md, 0, sizeof md);
    md.cap = caps[sq % 8];
    md.np = t_below(&r, SYNK_MAX_PROPS + 1);
    uint64_t wseed = t_next(&r);
    synk_world *w = mk(md.cap, md.np, wseed);
    md.alive = (uint8_t *)calloc(md.cap, 1);
    md.kind = (uint32_t *)calloc(md.cap, 4);
    md.x = (int32_t *)calloc(md.cap, 4);
    md.y = (int32_t *)calloc(md.cap, 4);
    md.z = (int32_t *)calloc(md.cap, 4);
    for (uint32_t p = 0; p < md.np; p++) md.props[p] = (int32_t *)calloc(md.cap, 4);
    int steps = quick ? 800 : 2500;
    int before = t_failures;
    /* start from a random population (0..100% of the ids, some with
     * properties) so that rehash and batches see many live entities */
    uint32_t fill = t_below(&r, 101);
    for (uint32_t q = 0; q < md.cap; q++) {
      if (t_below(&r, 100) >= fill) continue;
      md.alive[q] = 1;
      md.kind[q] = (uint32_t)t_next(&r);
      md.x[q] = rand_value(&r);
      md.y[q] = rand_value(&r);
      md.z[q] = rand_value(&r);
      md.count++;
      CHECK_ST(synk_spawn(w, q, md.kind[q], md.x[q], md.y[q], md.z[q]), SYNK_OK);
      for (uint32_t p = 0; p < md.np; p++) {
        if (t_below(&r, 2)) continue;
        md.props[p][q] = rand_value(&r);
        CHECK_ST(synk_set_prop(w, q, p, md.props[p][q]), SYNK_OK);
      }
    }
    CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
    CHECK(model_matches(w, &md));
    for (int step = 0; step < steps; step++) {
      uint64_t h0 = synk_hash(w);
      synk_status want = SYNK_OK, got = SYNK_OK;
      int op = (int)t_below(&r, 9);
      uint32_t id = rand_id(&r, md.cap);
      switch (op) {
        case 0: { /* spawn */
          uint32_t kind = (uint32_t)t_next(&r);
          int32_t x = rand_value(&r), y = rand_value(&r), z = rand_value(&r);
          want = id >= md.cap ? SYNK_E_RANGE : md.alive[id] ? SYNK_E_EXISTS : SYNK_OK;
          got = synk_spawn(w, id, kind, x, y, z);
          if (want == SYNK_OK) {
            md.alive[id] = 1;
            md.kind[id] = kind;
            md.x[id] = x;
            md.y[id] = y;
            md.z[id] = z;
            md.count++;
          }
          break;
        }
        case 1: /* despawn */
          want = model_check_id(&md, id);
          got = synk_despawn(w, id);
          if (want == SYNK_OK) {
            md.alive[id] = 0;
            md.kind[id] = 0;
            md.x[id] = md.y[id] = md.z[id] = 0;
            for (uint32_t p = 0; p < md.np; p++) md.props[p][id] = 0;
            md.count--;
          }
          break;
        case 2: case 3: { /* move */
          int32_t dx = rand_delta(&r, 3), dy = rand_delta(&r, 3), dz = rand_delta(&r, 3);
          want = model_check_id(&md, id);
          got = synk_move(w, id, dx, dy, dz);
          if (want == SYNK_OK) {
            md.x[id] = wrap_add(md.x[id], dx);
            md.y[id] = wrap_add(md.y[id], dy);
            md.z[id] = wrap_add(md.z[id], dz);
          }
          break;
        }
        case 4: { /* set_prop, sometimes with a bad slot */
          uint32_t slot = t_below(&r, 8) == 0 ? md.np + t_below(&r, 20) : t_below(&r, md.np ? md.np : 1);
          int32_t v = rand_value(&r);
          want = id >= md.cap || slot >= md.np ? SYNK_E_RANGE : md.alive[id] ? SYNK_OK : SYNK_E_DEAD;
          got = synk_set_prop(w, id, slot, v);
          if (want == SYNK_OK) md.props[slot][id] = v;
          break;
        }
        case 5: case 6: { /* a batch of ids, most of them live */
          size_t n = t_below(&r, 60);
          synk_motion m[60];
          size_t want_bad = SIZE_MAX;
          for (size_t i = 0; i < n; i++) {
            uint32_t bid = t_below(&r, 3) ? rand_id(&r, md.cap) : id;
            /* prefer a live id: try a few */
            for (int q = 0; q < 4 && model_check_id(&md, bid) != SYNK_OK && t_below(&r, 6); q++)
              bid = t_below(&r, md.cap);
            m[i] = (synk_motion){bid, rand_delta(&r, 3), rand_delta(&r, 3), rand_delta(&r, 3)};
            synk_status s = model_check_id(&md, bid);
            if (s != SYNK_OK && want == SYNK_OK) {
              want = s;
              want_bad = i;
            }
          }
          size_t bad = SIZE_MAX;
          got = synk_apply_motions(w, n ? m : NULL, n, &bad);
          if (want == SYNK_OK) {
            for (size_t i = 0; i < n; i++) {
              md.x[m[i].id] = wrap_add(md.x[m[i].id], m[i].dx);
              md.y[m[i].id] = wrap_add(md.y[m[i].id], m[i].dy);
              md.z[m[i].id] = wrap_add(md.z[m[i].id], m[i].dz);
            }
          } else {
            CHECK(bad == want_bad);
          }
          break;
        }
        case 7: /* tick */
          synk_tick(w);
          md.frame++;
          break;
        default: { /* queries: get and entity_hash */
          synk_entity e;
          uint64_t eh = 0;
          want = model_check_id(&md, id);
          got = synk_get(w, id, &e);
          CHECK_ST(synk_entity_hash(w, id, &eh), want);
          if (want == SYNK_OK && got == SYNK_OK) {
            CHECK(e.id == id && e.kind == md.kind[id] && e.x == md.x[id] && e.y == md.y[id] && e.z == md.z[id]);
            for (uint32_t p = 0; p < SYNK_MAX_PROPS; p++) CHECK(e.props[p] == (p < md.np ? md.props[p][id] : 0));
            CHECK_EQ_U64(eh, synk_hash_entity_ref(w, id));
          }
          break;
        }
      }
      CHECK_ST(got, want);
      if (want != SYNK_OK) CHECK_EQ_U64(synk_hash(w), h0);
      CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
      CHECK(synk_count(w) == md.count && synk_frame(w) == md.frame);
      if (step % 64 == 63 || t_failures != before) CHECK(model_matches(w, &md));
      BAIL_IF_FAILED(before, "sequence %d (cap %u, np %u), step %d, op %d, id %u", sq, md.cap, md.np, step, op, id);
    }
    CHECK(model_matches(w, &md));
    /* a world built directly from the final state has the same hash */
    {
      synk_world *fresh = mk(md.cap, md.np, wseed);
      for (uint32_t q = 0; q < md.cap; q++) {
        if (!md.alive[q]) continue;
        CHECK_ST(synk_spawn(fresh, q, md.kind[q], md.x[q], md.y[q], md.z[q]), SYNK_OK);
        for (uint32_t p = 0; p < md.np; p++) CHECK_ST(synk_set_prop(fresh, q, p, md.props[p][q]), SYNK_OK);
      }
      for (uint64_t f = 0; f < md.frame; f++) synk_tick(fresh);
      CHECK_SAME(w, fresh);
      synk_world_destroy(fresh);
    }
    digest = digest * 131 + synk_hash(w);
  bail:
    synk_world_destroy(w);
    free(md.alive);
    free(md.kind);
    free(md.x);
    free(md.y);
    free(md.z);
    for (uint32_t p = 0; p < md.np; p++) free(md.props[p]);
  }
  return digest;
}

int main(int argc, char **argv) {
  int quick_arg = 0;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--quick") == 0) quick_arg = 1;
  uint64_t seed = t_seed_arg(argc, argv, 0x5EED0001u);
  cur_seed = seed;
  const char *names[16];
  size_t nisa = synk_isa_list(names, 16);
  if (nisa > 16) nisa = 16;
  /* digests of the first backend run at each scale: all must agree */
  uint64_t ref[2][3];
  int have_ref[2] = {0, 0};
  for (size_t i = 0; i < nisa; i++) {
    CHECK_ST(synk_use_isa(names[i]), SYNK_OK);
    cur_isa = names[i];
    CHECK(strcmp(synk_isa(), names[i]) == 0);
    /* SIMDe emulations are ~10x slower without optimization: in such builds
     * they run the quick scenarios (optimized builds run everything fully) */
    quick = quick_arg;
#if !defined(__OPTIMIZE__)
    if (synk_isa_emulated(names[i]) == 1) quick = 1;
#endif
    memset(path_count, 0, sizeof path_count);
    uint64_t digest[3];
    digest[0] = prop_batch_equals_sequential(seed);
    digest[1] = prop_hash_equals_rehash(seed);
    digest[2] = quick ? 0 : prop_million(seed);
    printf("isa %-8s%s batches by path:", names[i], quick ? " (quick)" : "");
    for (int p = 0; p < NPATHS; p++) printf(" %s %zu%s", path_name[p], path_count[p], p + 1 < NPATHS ? "," : "\n");
    for (int p = 0; p < PATH_OTHER; p++) CHECK(path_count[p] >= 3);
    if (!have_ref[quick]) {
      memcpy(ref[quick], digest, sizeof digest);
      have_ref[quick] = 1;
    }
    /* the same scenarios gave the same hashes on every backend */
    for (int q = 0; q < 3; q++) CHECK_EQ_U64(digest[q], ref[quick][q]);
  }
  synk_use_isa("auto");
  free(chunk_a);
  free(chunk_b);
  free(mbuf);
  return t_done(quick_arg ? "test_props (quick)" : "test_props");
}
