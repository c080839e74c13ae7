/* SPDX-License-Identifier: MIT */
/* Path-specific tests of synk_apply_motions (kernel/motion.c), for every
 * backend in synk_isa_list. Each batch is built for one ordering strategy and
 * the test asserts which one ran (synk_world.last_path) as well as the
 * result:
 *
 *   small     n <= 32, sorted in registers
 *   sorted    strictly increasing ids
 *   distinct  distinct ids in any order
 *   general   repeats (coalesced), including n > max_entities
 *   runs      a few non-decreasing runs: disjoint (each to the kernel),
 *             overlapping or with repeats (merged), past the merge budget
 *             (general)
 *
 * and the switches between them: a sorted batch whose last motion breaks the
 * order (distinct) or repeats an earlier id (general), a distinct batch whose
 * last motion is a repeat (general). For every path a batch with an invalid
 * motion at its end (dead id, id >= max_entities), and invalid motions after
 * a switch, must fail with that index and leave the world exactly as it was.
 * A successful batch must equal synk_move on each motion in order (state,
 * hash, chunk sums, every cached entity hash), and synk_hash == synk_rehash.
 * After every call the batch scratch bitmaps are zero again.
 *
 * Worlds: 300 ids (no prefetch), 5000 and 200000 (past the prefetch
 * threshold), 0 and 3 properties, about 80% of the ids alive.
 *
 * Usage: test_paths [--seed=N]
 */
#include <stdint.h>

#include "kernel/internal.h"
#include "synk.h"
#include "test_util.h"

static const char *cur_isa = "?";

static const char *path_str(uint32_t p) {
  switch (p) {
    case SYNK_PATH_NONE: return "none";
    case SYNK_PATH_SMALL: return "small";
    case SYNK_PATH_SORTED: return "sorted";
    case SYNK_PATH_DISTINCT: return "distinct";
    case SYNK_PATH_GENERAL: return "general";
    case SYNK_PATH_RUNS: return "runs";
  }
  return "?";
}

typedef struct world_set {
  synk_world *a;    /* batches go here */
  synk_world *b;    /* the same motions through synk_move, one by one */
  synk_world *keep; /* a's state before a batch that must fail */
  uint32_t *live;   /* live ids, increasing */
  uint32_t *dead;   /* dead ids below max_entities */
  uint32_t nlive, ndead, cap;
  uint32_t band_lo, band_hi; /* ids band_lo..band_hi-1 are all alive */
} world_set;

static synk_world *mk(uint32_t cap, uint32_t np) {
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_entities = cap;
  cfg.num_props = np;
  cfg.seed = 0x7A7E5u + cap + np;
  synk_world *w = NULL;
  return synk_world_create(&cfg, &w) == SYNK_OK ? w : NULL;
}

static int setup(world_set *s, t_rng *r, uint32_t cap, uint32_t np) {
  memset(s, 0, sizeof *s);
  s->cap = cap;
  s->a = mk(cap, np);
  s->b = mk(cap, np);
  s->keep = mk(cap, np);
  s->live = (uint32_t *)malloc(cap * sizeof *s->live);
  s->dead = (uint32_t *)malloc(cap * sizeof *s->dead);
  if (!s->a || !s->b || !s->keep || !s->live || !s->dead) return 0;
  /* a band of consecutive live ids, for the sorted path's runs */
  const uint32_t band_lo = cap / 4, band_hi = band_lo + (cap / 4 < 3000 ? cap / 4 : 3000);
  for (uint32_t id = 0; id < cap; id++) {
    if ((id < band_lo || id >= band_hi) && t_below(r, 5) == 0) {
      s->dead[s->ndead++] = id;
      continue;
    }
    s->live[s->nlive++] = id;
    uint32_t kind = (uint32_t)t_next(r);
    int32_t x = (int32_t)t_next(r), y = (int32_t)t_next(r), z = (int32_t)t_next(r);
    CHECK_ST(synk_spawn(s->a, id, kind, x, y, z), SYNK_OK);
    CHECK_ST(synk_spawn(s->b, id, kind, x, y, z), SYNK_OK);
    for (uint32_t p = 0; p < np; p++) {
      int32_t v = (int32_t)t_next(r);
      CHECK_ST(synk_set_prop(s->a, id, p, v), SYNK_OK);
      CHECK_ST(synk_set_prop(s->b, id, p, v), SYNK_OK);
    }
  }
  s->band_lo = band_lo;
  s->band_hi = band_hi;
  return s->nlive >= 64 && s->ndead >= 1 && band_hi - band_lo >= 40;
}

static void teardown(world_set *s) {
  synk_world_destroy(s->a);
  synk_world_destroy(s->b);
  synk_world_destroy(s->keep);
  free(s->live);
  free(s->dead);
}

/* Equal state, frame, count, hash, chunk sums and cached entity hashes. */
static int same(const synk_world *a, const synk_world *b) {
  if (synk_hash(a) != synk_hash(b) || synk_count(a) != synk_count(b) || synk_frame(a) != synk_frame(b)) return 0;
  const uint32_t cap = a->cap;
  if (memcmp(a->x, b->x, cap * 4) || memcmp(a->y, b->y, cap * 4) || memcmp(a->z, b->z, cap * 4) ||
      memcmp(a->kind, b->kind, cap * 4) || memcmp(a->alive, b->alive, a->nwords * 8) ||
      memcmp(a->chunk, b->chunk, a->nchunks * 8) || memcmp(a->eh, b->eh, cap * 8))
    return 0;
  for (uint32_t p = 0; p < a->num_props; p++)
    if (memcmp(a->props[p], b->props[p], cap * 4)) return 0;
  return 1;
}

/* The batch scratch bitmaps are all zero between calls. */
static int scratch_clear(const synk_world *w) {
  for (uint32_t i = 0; i < w->nwords; i++)
    if (w->touched[i]) return 0;
  for (uint32_t i = 0; i < w->nsum; i++)
    if (w->touched_sum[i]) return 0;
  return 1;
}

static int32_t delta(t_rng *r) {
  switch (t_below(r, 4)) {
    case 0: return (int32_t)t_next(r); /* anything: positions wrap */
    case 1: return t_below(r, 2) ? INT32_MAX : INT32_MIN;
    default: return (int32_t)t_below(r, 200) - 100;
  }
}

/* n distinct live ids, increasing (n <= nlive). */
static void pick_sorted(t_rng *r, const world_set *s, synk_motion *m, size_t n) {
  size_t k = 0;
  for (uint32_t i = 0; i < s->nlive && k < n; i++) /* selection sampling: n of nlive, in order */
    if (t_below(r, s->nlive - i) < n - k) m[k++].id = s->live[i];
  for (size_t i = 0; i < n; i++) {
    m[i].dx = delta(r);
    m[i].dy = delta(r);
    m[i].dz = delta(r);
  }
}

static void shuffle(t_rng *r, synk_motion *m, size_t n) {
  for (size_t i = n - 1; i > 0; i--) {
    size_t j = t_below(r, (uint32_t)i + 1);
    synk_motion t = m[i];
    m[i] = m[j];
    m[j] = t;
  }
}

/* A want_path argument names one path, or two with EITHER(a, b): batches
 * whose path depends on the drawn ids (a gap past the runs path's jump, a
 * count of runs near its limit) accept both. */
#define EITHER(a, b) ((uint32_t)(a) | (uint32_t)(b) << 8)
static int path_is(uint32_t got, uint32_t want) { return got == (want & 0xFFu) || (want >> 8 && got == want >> 8); }

/* A successful batch: the expected path, and synk_move one by one on b. */
static void expect_ok(world_set *s, const synk_motion *m, size_t n, uint32_t want_path, const char *what) {
  size_t bad = 12345;
  int before = t_failures;
  CHECK_ST(synk_apply_motions(s->a, m, n, &bad), SYNK_OK);
  CHECK(bad == 12345);
  for (size_t i = 0; i < n; i++) CHECK_ST(synk_move(s->b, m[i].id, m[i].dx, m[i].dy, m[i].dz), SYNK_OK);
  CHECK(path_is(s->a->last_path, want_path));
  CHECK(same(s->a, s->b));
  CHECK_EQ_U64(synk_hash(s->a), synk_rehash(s->a));
  CHECK(scratch_clear(s->a));
  if (t_failures != before)
    fprintf(stderr, "  isa %s, %s (n=%zu, cap %u): path %s, expected %s\n", cur_isa, what, n, s->cap,
            path_str(s->a->last_path), path_str(want_path & 0xFFu));
}

/* A batch that must fail at motion want_bad with want_st, on want_path, and
 * change nothing. */
static void expect_fail(world_set *s, const synk_motion *m, size_t n, size_t want_bad, synk_status want_st,
                        uint32_t want_path, const char *what) {
  int before = t_failures;
  CHECK_ST(synk_world_copy(s->keep, s->a), SYNK_OK);
  size_t bad = 12345;
  CHECK_ST(synk_apply_motions(s->a, m, n, &bad), want_st);
  CHECK(bad == want_bad);
  CHECK(path_is(s->a->last_path, want_path));
  CHECK(same(s->a, s->keep));
  CHECK(same(s->a, s->b));
  CHECK(scratch_clear(s->a));
  if (t_failures != before)
    fprintf(stderr, "  isa %s, %s (n=%zu, cap %u): status at %zu, path %s, expected %zu on %s\n", cur_isa, what, n,
            s->cap, bad, path_str(s->a->last_path), want_bad, path_str(want_path & 0xFFu));
}

/* ids lo, lo+1, ... (n of them, live, dead or >= max_entities), random deltas. */
static void pick_window(t_rng *r, synk_motion *m, uint32_t lo, size_t n) {
  for (size_t i = 0; i < n; i++) m[i] = (synk_motion){lo + (uint32_t)i, delta(r), delta(r), delta(r)};
}

/* The first motion of m[0..n) (distinct ids) that must fail, and its status;
 * n when none. */
static size_t first_bad(const world_set *s, const synk_motion *m, size_t n, synk_status *st) {
  for (size_t i = 0; i < n; i++) {
    if (m[i].id >= s->cap) {
      *st = SYNK_E_RANGE;
      return i;
    }
    if (!synk_alive(s->a, m[i].id)) {
      *st = SYNK_E_DEAD;
      return i;
    }
  }
  *st = SYNK_OK;
  return n;
}

/* A batch of distinct ids that succeeds on want_path, or fails at its first
 * invalid motion. */
static void expect_window(world_set *s, const synk_motion *m, size_t n, uint32_t want_path, const char *what) {
  synk_status st;
  size_t bad = first_bad(s, m, n, &st);
  if (bad == n) expect_ok(s, m, n, want_path, what);
  else expect_fail(s, m, n, bad, st, want_path, what);
}

/* About no motions in runs of 16..64 (returns how many): windows of
 * consecutive ids of the live band, overlapping at random; with mixed, half
 * of the runs are increasing live ids with gaps instead and a window repeats
 * some of its ids, else no id follows itself. */
static size_t pick_overlapping(t_rng *r, const world_set *s, synk_motion *m, size_t no, int mixed) {
  const uint32_t band = s->band_hi - s->band_lo;
  size_t k = 0;
  while (k < no) {
    size_t len = 16 + t_below(r, 49);
    if (len > no - k) len = no - k;
    if (len > band) len = band;
    if (mixed && t_below(r, 2) == 0) { /* increasing live ids with gaps */
      size_t at = t_below(r, s->nlive - (uint32_t)len + 1);
      for (size_t q = 0; q < len; q++) m[k++] = (synk_motion){s->live[at + q], delta(r), delta(r), delta(r)};
      continue;
    }
    uint32_t lo = s->band_lo + t_below(r, band - (uint32_t)len + 1);
    if (!mixed && k && lo == m[k - 1].id) continue; /* the id before: draw again */
    for (size_t q = 0; q < len; q++) {
      uint32_t id = lo + (uint32_t)q;
      m[k++] = (synk_motion){id, delta(r), delta(r), delta(r)};
      if (mixed && t_below(r, 8) == 0 && k < no) m[k++] = (synk_motion){id, delta(r), delta(r), delta(r)};
    }
  }
  return k;
}

/* Replace motion i by an invalid one: a dead id or one >= max_entities. */
static synk_status spoil(t_rng *r, const world_set *s, synk_motion *m, size_t i) {
  if (t_below(r, 2)) {
    m[i].id = s->dead[t_below(r, s->ndead)];
    return SYNK_E_DEAD;
  }
  m[i].id = s->cap + t_below(r, 1000);
  return SYNK_E_RANGE;
}

static void run_world(t_rng *r, uint32_t cap, uint32_t np) {
  world_set s;
  if (!setup(&s, r, cap, np)) {
    CHECK(0 && "setup");
    teardown(&s);
    return;
  }
  const size_t big = s.nlive < 5000 ? s.nlive : 5000;
  synk_motion *m = (synk_motion *)malloc((2 * (size_t)s.cap + 16) * sizeof *m);
  if (!m) {
    CHECK(0 && "malloc");
    teardown(&s);
    return;
  }
  const int rounds = s.cap > 10000 ? 2 : 6; /* the largest world: fewer rounds (each failure copies it) */
  for (int round = 0; round < rounds; round++) {
    size_t n = 33 + t_below(r, (uint32_t)(big - 33));
    synk_status st;

    /* small: up to 32 motions, repeats allowed */
    size_t ns = 1 + t_below(r, 32);
    for (size_t i = 0; i < ns; i++)
      m[i] = (synk_motion){s.live[t_below(r, s.nlive)], delta(r), delta(r), delta(r)};
    expect_ok(&s, m, ns, SYNK_PATH_SMALL, "small");
    st = spoil(r, &s, m, ns - 1);
    expect_fail(&s, m, ns, ns - 1, st, SYNK_PATH_SMALL, "small, bad id at the end");

    /* sorted */
    pick_sorted(r, &s, m, n);
    expect_ok(&s, m, n, SYNK_PATH_SORTED, "sorted");
    st = spoil(r, &s, m, n - 1);
    if (st == SYNK_E_DEAD && m[n - 1].id < m[n - 2].id) m[n - 1].id = s.cap; /* stay increasing */
    expect_fail(&s, m, n, n - 1, m[n - 1].id >= s.cap ? SYNK_E_RANGE : st, SYNK_PATH_SORTED,
                "sorted, bad id at the end");

    /* sorted, consecutive ids: runs checked a word at a time (kernel/motion.c
     * run_check). All alive (the band); over live and dead ids alike (fails
     * at the first dead one, if any); past max_entities (fails at the first
     * dead one before it, or at the first id >= max_entities) */
    {
      const uint32_t band = s.band_hi - s.band_lo;
      size_t nw = 33 + t_below(r, band - 33 + 1);
      pick_window(r, m, s.band_lo + t_below(r, band - (uint32_t)nw + 1), nw);
      expect_window(&s, m, nw, SYNK_PATH_SORTED, "sorted, one run of live ids");
      nw = 33 + t_below(r, 200);
      uint32_t lo = t_below(r, s.cap - (uint32_t)nw);
      pick_window(r, m, lo, nw);
      expect_window(&s, m, nw, SYNK_PATH_SORTED, "sorted, consecutive ids");
      uint32_t back = 1 + t_below(r, s.cap < 300 ? s.cap - 1 : 300);
      nw = back + 1 + t_below(r, 40);
      if (nw < 33) nw = 33;
      if (back > s.cap) back = s.cap;
      pick_window(r, m, s.cap - back, nw);
      expect_window(&s, m, nw, SYNK_PATH_SORTED, "sorted, consecutive ids past max_entities");
      /* a mix of runs and gaps: the live ids from a random one on */
      size_t at = t_below(r, s.nlive - 33), nl = 33 + t_below(r, (uint32_t)(s.nlive - at - 33 + 1));
      if (nl > big) nl = big;
      for (size_t i = 0; i < nl; i++) m[i] = (synk_motion){s.live[at + i], delta(r), delta(r), delta(r)};
      expect_ok(&s, m, nl, SYNK_PATH_SORTED, "sorted, runs of live ids and gaps");
      /* consecutive ids, then a smaller live id: the order breaks after the
       * run, and the runs path validates the run again */
      nw = 33 + t_below(r, 200);
      lo = s.live[0] + 1 + t_below(r, s.cap - s.live[0] - (uint32_t)nw);
      pick_window(r, m, lo, nw);
      m[nw] = (synk_motion){s.live[0], delta(r), delta(r), delta(r)};
      expect_window(&s, m, nw + 1, SYNK_PATH_RUNS, "consecutive ids, then a smaller one");
    }

    /* sorted, then one repeat at the end: general */
    pick_sorted(r, &s, m, n);
    m[n - 1].id = m[t_below(r, (uint32_t)n - 1)].id;
    expect_ok(&s, m, n, EITHER(SYNK_PATH_RUNS, SYNK_PATH_GENERAL), "sorted with a repeat at the end");
    /* ... and with a bad id after it */
    pick_sorted(r, &s, m, n + 1);
    m[n - 1].id = m[t_below(r, (uint32_t)n - 1)].id;
    st = spoil(r, &s, m, n);
    expect_fail(&s, m, n + 1, n, st, EITHER(SYNK_PATH_RUNS, SYNK_PATH_GENERAL), "sorted, a repeat, then a bad id");

    /* sorted but for a smaller, distinct last id: distinct */
    pick_sorted(r, &s, m, n);
    {
      synk_motion last = m[n - 1];
      size_t at = t_below(r, (uint32_t)n - 1);
      memmove(m + at + 1, m + at, (n - 1 - at) * sizeof *m); /* move the largest id to a random place */
      m[at] = last;
    }
    expect_ok(&s, m, n, EITHER(SYNK_PATH_RUNS, SYNK_PATH_DISTINCT), "sorted but for one motion");

    /* runs: a few non-decreasing runs (16..64 motions each on average).
     * Disjoint: a sorted batch cut into pieces, the pieces shuffled (each
     * run to the kernel as it is) */
    {
      const size_t nd = n < 200 ? (s.nlive < 200 ? s.nlive : 200) : n; /* >= 80: room for the runs */
      const size_t at0 = t_below(r, s.nlive - (uint32_t)nd + 1);
      for (size_t i = 0; i < nd; i++) m[i] = (synk_motion){s.live[at0 + i], delta(r), delta(r), delta(r)};
      size_t cut[65], nc = 0;
      for (size_t at = 0; at < nd && nc < 64;) {
        cut[nc++] = at;
        at += 16 + t_below(r, 49);
      }
      cut[nc] = nd;
      synk_motion *tmp = m + nd; /* m holds 2 * cap + 16 motions, nd <= cap */
      size_t order[65], k = 0;
      for (size_t c = 0; c < nc; c++) order[c] = c;
      for (size_t c = nc - 1; c > 0; c--) {
        size_t j = t_below(r, (uint32_t)c + 1), t = order[c];
        order[c] = order[j];
        order[j] = t;
      }
      if (nc > 1 && order[0] == 0) { /* never the sorted order: piece 0 after another */
        order[0] = order[1];
        order[1] = 0;
      }
      for (size_t c = 0; c < nc; c++)
        for (size_t q = cut[order[c]]; q < cut[order[c] + 1]; q++) tmp[k++] = m[q];
      memcpy(m, tmp, nd * sizeof *m);
      const uint32_t want = nc > 1 ? SYNK_PATH_RUNS : SYNK_PATH_SORTED;
      expect_ok(&s, m, nd, want, "runs, disjoint");
      if (nc > 1) {
        st = spoil(r, &s, m, nd - 1);
        expect_fail(&s, m, nd, nd - 1, st, want, "runs, disjoint, bad id at the end");
      }
    }
    /* overlapping: windows of consecutive ids in the live band, repeated
     * ids inside runs, runs of live ids with gaps (merged into the columns) */
    {
      const size_t no = pick_overlapping(r, &s, m, n < 200 ? 200 : n, 1);
      m[1] = (synk_motion){m[0].id, delta(r), delta(r), delta(r)}; /* a repeat: never strictly increasing */
      expect_ok(&s, m, no, SYNK_PATH_RUNS, "runs, overlapping");
      st = spoil(r, &s, m, no - 1);
      expect_fail(&s, m, no, no - 1, st, SYNK_PATH_RUNS, "runs, overlapping, bad id at the end");
      st = spoil(r, &s, m, no / 2);
      expect_fail(&s, m, no, no / 2, st, SYNK_PATH_RUNS, "runs, overlapping, bad id in the middle");
      /* windows only, no id twice in a row: runs copied or merged without
       * summing inside a run */
      const size_t nw = pick_overlapping(r, &s, m, n < 200 ? 200 : n, 0);
      expect_ok(&s, m, nw, EITHER(SYNK_PATH_RUNS, SYNK_PATH_SORTED), "runs, overlapping, no repeat in a run");
    }
    /* one id many times (one run of repeats), and the live ids cycled (every
     * run the same ids; more motions than ids when the world is small) */
    {
      uint32_t id = s.live[t_below(r, s.nlive)];
      for (size_t i = 0; i < n; i++) m[i] = (synk_motion){id, delta(r), delta(r), delta(r)};
      expect_ok(&s, m, n, SYNK_PATH_RUNS, "runs, one id");
      size_t per = s.nlive < 64 ? s.nlive : 64, nn = per * (3 + t_below(r, 4));
      for (size_t i = 0; i < nn; i++) m[i] = (synk_motion){s.live[i % per], delta(r), delta(r), delta(r)};
      /* more motions than ids: the general path's accumulator sums the repeats */
      expect_ok(&s, m, nn, nn > s.cap ? SYNK_PATH_GENERAL : SYNK_PATH_RUNS, "runs, the same ids cycled");
    }
    /* past the merge budget: one long run, then short runs that all merge
     * near its start (each merge moves the long run's tail): general */
    {
      size_t L = s.nlive < 1000 ? s.nlive : 1000, k = 0;
      for (size_t q = 0; q < L; q++) m[k++] = (synk_motion){s.live[q], delta(r), delta(r), delta(r)};
      for (int run = 0; run < 12; run++) {
        size_t at = t_below(r, 16);
        for (size_t q = 0; q < 16; q++) m[k++] = (synk_motion){s.live[at + q], delta(r), delta(r), delta(r)};
      }
      expect_ok(&s, m, k, SYNK_PATH_GENERAL, "runs past the merge budget");
    }

    /* distinct, any order */
    pick_sorted(r, &s, m, n);
    shuffle(r, m, n);
    expect_ok(&s, m, n, SYNK_PATH_DISTINCT, "distinct");
    st = spoil(r, &s, m, n - 1);
    expect_fail(&s, m, n, n - 1, st, SYNK_PATH_DISTINCT, "distinct, bad id at the end");

    /* distinct, then one repeat at the end: general */
    pick_sorted(r, &s, m, n);
    shuffle(r, m, n);
    m[n - 1].id = m[t_below(r, (uint32_t)n - 1)].id;
    expect_ok(&s, m, n, SYNK_PATH_GENERAL, "distinct with a repeat at the end");
    /* ... and with a bad id after it, or a bad id before the repeat */
    pick_sorted(r, &s, m, n + 1);
    shuffle(r, m, n + 1);
    m[n - 1].id = m[t_below(r, (uint32_t)n - 1)].id;
    st = spoil(r, &s, m, n);
    expect_fail(&s, m, n + 1, n, st, SYNK_PATH_GENERAL, "distinct, a repeat, then a bad id");
    pick_sorted(r, &s, m, n);
    shuffle(r, m, n);
    m[n - 1].id = m[0].id;
    st = spoil(r, &s, m, n - 2);
    expect_fail(&s, m, n, n - 2, st, SYNK_PATH_DISTINCT, "distinct, a bad id, then a repeat");

    /* general: many repeats, consecutive runs too */
    for (size_t i = 0; i < n; i++) {
      uint32_t id = t_below(r, 4) == 0 && i ? m[i - 1].id : s.live[t_below(r, s.nlive < 64 ? s.nlive : 64)];
      m[i] = (synk_motion){id, delta(r), delta(r), delta(r)};
    }
    expect_ok(&s, m, n, SYNK_PATH_GENERAL, "general");
    st = spoil(r, &s, m, n - 1);
    expect_fail(&s, m, n, n - 1, st, SYNK_PATH_GENERAL, "general, bad id at the end");

    /* general because there are more motions than ids */
    if (round == 0 && s.cap <= 5000) {
      size_t nn = 2 * (size_t)s.cap + 16;
      for (size_t i = 0; i < nn; i++) m[i] = (synk_motion){s.live[t_below(r, s.nlive)], delta(r), delta(r), delta(r)};
      expect_ok(&s, m, nn, SYNK_PATH_GENERAL, "more motions than ids");
      st = spoil(r, &s, m, nn - 1);
      expect_fail(&s, m, nn, nn - 1, st, SYNK_PATH_GENERAL, "more motions than ids, bad id at the end");
    }
    synk_tick(s.a);
    synk_tick(s.b);
  }
  free(m);
  teardown(&s);
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 0x9A7450u);
  const char *names[16];
  size_t nisa = synk_isa_list(names, 16);
  if (nisa > 16) nisa = 16;
  for (size_t i = 0; i < nisa; i++) {
    CHECK_ST(synk_use_isa(names[i]), SYNK_OK);
    cur_isa = names[i];
    t_rng r;
    t_seed(&r, seed);
    static const uint32_t caps[] = {300, 5000, 200000};
    for (int c = 0; c < 3; c++)
      for (uint32_t np = 0; np <= 3; np += 3) run_world(&r, caps[c], np);
    printf("isa %s: done\n", names[i]);
  }
  synk_use_isa("auto");
  return t_done("test_paths");
}
