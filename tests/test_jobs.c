/* SPDX-License-Identifier: MIT */
/*
 * Multi-core execution (synk_config.jobs): batch motion, rehash and snapshot
 * load split across a job interface give bit-identical worlds and hashes for
 * every task count (1, 2, 3, 7) and every runner -- a serial one that runs
 * the tasks in a scrambled order and checks each runs exactly once, and the
 * pthread pool of support/jobs.c (run under ThreadSanitizer by the tsan
 * preset) -- on every backend. The runners count the calls that really
 * split, so a library that stopped splitting would fail here.
 *
 *   test_jobs [--seed S] [--quick]
 */
#include "jobs.h"
#include "test_sync_util.h"

static int quick = 0;

/* ---- a serial runner that scrambles the order ------------------------------ */

typedef struct scramble {
  t_rng r;
  uint64_t calls, split_calls, tasks;
  int bad; /* a task ran twice or not at all */
} scramble;

static void scramble_for(void *ctx, uint32_t n, synk_task_fn task, void *arg) {
  scramble *s = (scramble *)ctx;
  uint32_t order[SYNK_MAX_TASKS];
  unsigned char ran[SYNK_MAX_TASKS] = {0};
  s->calls++;
  s->split_calls += n > 1;
  if (n > SYNK_MAX_TASKS) {
    s->bad = 1;
    return;
  }
  for (uint32_t i = 0; i < n; i++) order[i] = i;
  for (uint32_t i = n; i > 1; i--) { /* Fisher-Yates */
    uint32_t j = t_below(&s->r, i), t = order[i - 1];
    order[i - 1] = order[j];
    order[j] = t;
  }
  for (uint32_t i = 0; i < n; i++) {
    if (ran[order[i]]++) s->bad = 1;
    task(arg, order[i]);
    s->tasks++;
  }
  for (uint32_t i = 0; i < n; i++) s->bad |= ran[i] != 1;
}

/* ---- counting wrapper around the pthread pool -------------------------------- */

typedef struct counted {
  synk_jobs inner;
  uint64_t split_calls;
} counted;

static void counted_for(void *ctx, uint32_t n, synk_task_fn task, void *arg) {
  counted *c = (counted *)ctx;
  c->split_calls += n > 1;
  c->inner.parallel_for(c->inner.ctx, n, task, arg);
}

/* ---- the workload -------------------------------------------------------------- */

/* A batch over the world's live ids: sorted (the fast path), random with
 * repeats, or sorted with a repeat at the end (the general path). */
static size_t make_batch(t_rng *r, const uint32_t *live, uint32_t nlive, synk_motion *m, size_t cap, int shape) {
  size_t n = 0;
  if (shape == 0 || shape == 2) {
    for (uint32_t i = t_below(r, 4); i < nlive && n < cap; i += 1 + t_below(r, 3))
      m[n++] = (synk_motion){live[i], (int32_t)t_below(r, 7) - 3, t_i32(r), 1};
    if (shape == 2 && n > 1) m[n - 1] = m[n - 2];
  } else {
    n = cap / 2 + t_below(r, (uint32_t)(cap / 2));
    for (size_t i = 0; i < n; i++) m[i] = (synk_motion){live[t_below(r, nlive)], t_i32(r), -1, (int32_t)t_below(r, 9)};
  }
  return n;
}

/* Worlds a (with jobs) and b (serial) take the same steps; equal after each. */
static void run_pair(t_rng *r, const synk_jobs *jobs, const char *what) {
  const uint32_t cap = quick ? (1u << 17) + 777 : (1u << 19) + 12345, np = 3;
  const uint64_t wseed = t_next(r);
  t_rng ra = *r, rb = *r; /* the same population in both */
  synk_world *a0 = ts_world(cap, np, wseed, &ra, 200), *b = ts_world(cap, np, wseed, &rb, 200);
  *r = ra;
  CHECK(a0 && b);
  if (!a0 || !b) return;
  /* a: the same world with the job interface (through a snapshot load, which
   * rehashes split across the jobs) */
  synk_config cfg = synk_get_config(a0);
  cfg.allocator = NULL;
  cfg.jobs = jobs;
  size_t len = 0;
  CHECK_ST(synk_snapshot_save(a0, NULL, 0, &len), SYNK_OK);
  unsigned char *snap = (unsigned char *)malloc(len);
  CHECK_ST(synk_snapshot_save(a0, snap, len, &len), SYNK_OK);
  synk_world *a = NULL;
  CHECK_ST(synk_snapshot_load(snap, len, &cfg, &a), SYNK_OK);
  free(snap);
  synk_world_destroy(a0);
  if (!a) {
    synk_world_destroy(b);
    return;
  }
  CHECK(synk_get_config(a).jobs != NULL);
  CHECK(ts_equal(a, b));
  uint32_t *live = (uint32_t *)malloc(cap * sizeof *live), nlive = 0;
  synk_view v = synk_get_view(b);
  for (uint32_t id = 0; id < cap; id++)
    if ((v.alive[id >> 6] >> (id & 63)) & 1) live[nlive++] = id;
  const size_t mcap = quick ? 60000 : 200000;
  synk_motion *m = (synk_motion *)malloc(mcap * sizeof *m);
  const int steps = quick ? 6 : 12;
  for (int s = 0; s < steps; s++) {
    size_t n = make_batch(r, live, nlive, m, mcap, s % 3);
    size_t bad_a = 0, bad_b = 0;
    CHECK_ST(synk_apply_motions(a, m, n, &bad_a), SYNK_OK);
    CHECK_ST(synk_apply_motions(b, m, n, &bad_b), SYNK_OK);
    /* a failing batch changes nothing either way; with the batch split by
     * id ranges (the parallel general path), the first invalid motion in
     * order is the one reported, whichever task found it: an id out of
     * range (task 0's to report) before or after a dead id (the owning
     * task's), the dead one in the last range */
    uint32_t dead = cap;
    for (uint32_t id = cap - 1; id > 0 && dead == cap; id--)
      if (!((v.alive[id >> 6] >> (id & 63)) & 1)) dead = id;
    const synk_motion keep3 = m[n / 3], keep2 = m[n / 2];
    m[n / 2].id = cap + 1;
    CHECK_ST(synk_apply_motions(a, m, n, &bad_a), SYNK_E_RANGE);
    CHECK(bad_a == n / 2);
    if (dead < cap) {
      m[n / 3].id = dead;
      CHECK_ST(synk_apply_motions(a, m, n, &bad_a), SYNK_E_DEAD);
      CHECK(bad_a == n / 3);
      m[n / 3].id = cap + 7;
      m[n / 2].id = dead;
      CHECK_ST(synk_apply_motions(a, m, n, &bad_a), SYNK_E_RANGE);
      CHECK(bad_a == n / 3);
    }
    m[n / 3] = keep3;
    m[n / 2] = keep2;
    synk_tick(a);
    synk_tick(b);
    CHECK_EQ_U64(synk_hash(a), synk_hash(b));
    CHECK_EQ_U64(synk_rehash(a), synk_hash(a));
  }
  CHECK(ts_equal(a, b));
  if (t_failures) fprintf(stderr, "  (%s, isa %s)\n", what, synk_isa());
  free(m);
  free(live);
  synk_world_destroy(a);
  synk_world_destroy(b);
}

static void test_config_errors(void) {
  synk_jobs none = {NULL, NULL, 2}, big = {scramble_for, NULL, SYNK_MAX_TASKS + 1};
  synk_config cfg = {1000, 0, 1, NULL, &none};
  synk_world *w = NULL;
  CHECK_ST(synk_world_create(&cfg, &w), SYNK_E_ARG);
  cfg.jobs = &big;
  CHECK_ST(synk_world_create(&cfg, &w), SYNK_E_ARG);
  CHECK(w == NULL);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--quick") == 0) quick = 1;
  const uint64_t seed = t_seed_arg(argc, argv, 0x10B5);
  test_config_errors();
  const char *isas[16];
  size_t ni = synk_isa_list(isas, 16);
  static const uint32_t tasks[] = {1, 2, 3, 7};
  synk_jobs_pool *pool2 = synk_jobs_pool_create(2), *pool3 = synk_jobs_pool_create(3);
  CHECK(pool2 && pool3);
  for (size_t i = 0; i < ni && i < 16; i++) {
    CHECK_ST(synk_use_isa(isas[i]), SYNK_OK);
    /* SIMDe emulations are slow without optimization: one task count each */
    int emulated = synk_isa_emulated(isas[i]) == 1;
    for (size_t q = 0; q < sizeof tasks / sizeof tasks[0]; q++) {
      if (emulated && q != 2) continue;
      t_rng r;
      t_seed(&r, seed + 31 * q);
      scramble sc;
      memset(&sc, 0, sizeof sc);
      t_seed(&sc.r, seed ^ q);
      synk_jobs sj = {scramble_for, &sc, tasks[q]};
      run_pair(&r, &sj, "scrambled serial runner");
      CHECK(!sc.bad);
      CHECK(tasks[q] == 1 ? sc.split_calls == 0 : sc.split_calls > 0); /* the calls really split */
      if (!pool2 || !pool3) continue;
      counted c = {synk_jobs_pool_iface(tasks[q] % 2 ? pool3 : pool2, tasks[q]), 0};
      synk_jobs pj = {counted_for, &c, tasks[q]};
      t_seed(&r, seed + 31 * q);
      run_pair(&r, &pj, "pthread pool");
      CHECK(tasks[q] == 1 ? c.split_calls == 0 : c.split_calls > 0);
    }
    printf("isa %-7s ok\n", isas[i]);
  }
  synk_jobs_pool_destroy(pool2);
  synk_jobs_pool_destroy(pool3);
  return t_done("test_jobs");
}
