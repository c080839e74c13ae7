/* SPDX-License-Identifier: MIT */
/*
 * Multi-core execution through the engine's job interface (synk_config.jobs).
 * Work is split by ranges of whole 64-chunk groups (16384 ids: one word of
 * the chunk dirty bitmap), so tasks never write the same word; their partial
 * sums are combined by wrapping addition, which is associative and
 * commutative: the result does not depend on how many tasks ran, in which
 * order or on which threads.
 */
#include "kernel/internal.h"

void synk_jobs_run(const synk_world *w, uint32_t n, synk_task_fn task, void *arg) {
  if (n > 1 && w->jobs.parallel_for) {
    w->jobs.parallel_for(w->jobs.ctx, n, task, arg);
    return;
  }
  for (uint32_t i = 0; i < n; i++) task(arg, i);
}

uint32_t synk_jobs_split(const synk_world *w, uint64_t items, uint64_t min_per_task) {
  if (!w->jobs.parallel_for || w->jobs.max_tasks <= 1) return 1;
  uint64_t n = items / (min_per_task ? min_per_task : 1);
  if (n > w->jobs.max_tasks) n = w->jobs.max_tasks;
  return n < 1 ? 1 : (uint32_t)n;
}

/* Ids per chunk group: the chunks of one word of the dirty bitmap. */
#define GROUP_CHUNKS 64u

/* Chunk sums of a world below this many chunks run inline (bench case
 * hash/rehash/1e5: 391 chunks take ~40 us, well above a job system's
 * dispatch cost of a few us). */
#define MIN_CHUNKS_PER_TASK 256u

typedef struct sum_job {
  const synk_world *w;
  const synk_kernels *k;
  uint32_t groups, n;
  int store;
  uint64_t part[SYNK_MAX_TASKS];
} sum_job;

static void sum_task(void *arg, uint32_t t) {
  sum_job *j = (sum_job *)arg;
  const synk_world *w = j->w;
  /* groups [g0, g1) of this task, then their chunks */
  uint32_t g0 = (uint32_t)((uint64_t)j->groups * t / j->n), g1 = (uint32_t)((uint64_t)j->groups * (t + 1) / j->n);
  uint32_t c0 = g0 * GROUP_CHUNKS, c1 = g1 * GROUP_CHUNKS < w->nchunks ? g1 * GROUP_CHUNKS : w->nchunks;
  uint64_t sum = 0;
  for (uint32_t c = c0; c < c1; c++) {
    uint32_t first = c * SYNK_CHUNK_IDS;
    uint32_t cnt = w->cap - first < SYNK_CHUNK_IDS ? w->cap - first : SYNK_CHUNK_IDS;
    /* with store: the chunks and cached entity hashes of this task only */
    uint64_t h = j->store ? j->k->hash_fill(w, first, cnt) : j->k->hash_range(w, first, cnt);
    if (j->store) w->chunk[c] = h;
    sum += h;
  }
  j->part[t] = sum;
}

uint64_t synk_sum_chunks(const synk_world *w, int store) {
  sum_job j;
  j.w = w;
  j.k = synk_kernels_active();
  j.groups = (w->nchunks + GROUP_CHUNKS - 1) / GROUP_CHUNKS;
  j.n = synk_jobs_split(w, w->nchunks, MIN_CHUNKS_PER_TASK);
  if (j.n > j.groups) j.n = j.groups;
  j.store = store;
  synk_jobs_run(w, j.n, sum_task, &j);
  uint64_t sum = 0;
  for (uint32_t t = 0; t < j.n; t++) sum += j.part[t];
  return sum;
}
