/* SPDX-License-Identifier: MIT */
/*
 * The pthread job runner (jobs.h). parallel_for publishes one batch of
 * tasks; the workers and the caller claim task indices from an atomic
 * counter until none are left; the caller returns when every claimed task
 * has finished. One batch at a time (synk calls parallel_for from the thread
 * that owns the world, never from inside a task).
 */
#include "jobs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct synk_jobs_pool {
  pthread_mutex_t mu;
  pthread_cond_t wake, done;
  pthread_t *threads;
  uint32_t nthreads; /* workers: threads - 1 */
  /* under mu: */
  uint64_t batch;    /* generation of the published batch */
  uint32_t active;   /* workers inside drain() */
  int stop;
  synk_task_fn task;
  void *arg;
  uint32_t n;
  /* claimed lock-free during a batch: */
  atomic_uint next;     /* next task index to claim */
  atomic_uint finished; /* tasks of the batch finished */
};

/* Claim and run tasks of one batch (its parameters copied under mu) until
 * none is left. A new batch is published only when no worker is in here,
 * so `next` always counts the batch the caller copied. */
static void drain(synk_jobs_pool *j, synk_task_fn task, void *arg, uint32_t n) {
  for (;;) {
    unsigned t = atomic_fetch_add(&j->next, 1u);
    if (t >= n) return;
    task(arg, t);
    if (atomic_fetch_add(&j->finished, 1u) + 1 == n) {
      pthread_mutex_lock(&j->mu);
      pthread_cond_broadcast(&j->done);
      pthread_mutex_unlock(&j->mu);
    }
  }
}

static void *worker(void *p) {
  synk_jobs_pool *j = (synk_jobs_pool *)p;
  uint64_t seen = 0;
  pthread_mutex_lock(&j->mu);
  for (;;) {
    while (!j->stop && j->batch == seen) pthread_cond_wait(&j->wake, &j->mu);
    if (j->stop) break;
    seen = j->batch;
    synk_task_fn task = j->task;
    void *arg = j->arg;
    uint32_t n = j->n;
    j->active++;
    pthread_mutex_unlock(&j->mu);
    drain(j, task, arg, n);
    pthread_mutex_lock(&j->mu);
    if (--j->active == 0) pthread_cond_broadcast(&j->done);
  }
  pthread_mutex_unlock(&j->mu);
  return NULL;
}

static void parallel_for(void *ctx, uint32_t n, synk_task_fn task, void *arg) {
  synk_jobs_pool *j = (synk_jobs_pool *)ctx;
  if (n == 0) return;
  pthread_mutex_lock(&j->mu);
  while (j->active > 0) pthread_cond_wait(&j->done, &j->mu); /* a late worker of the last batch */
  j->task = task;
  j->arg = arg;
  j->n = n;
  atomic_store(&j->next, 0u);
  atomic_store(&j->finished, 0u);
  j->batch++;
  pthread_cond_broadcast(&j->wake);
  pthread_mutex_unlock(&j->mu);
  drain(j, task, arg, n);
  pthread_mutex_lock(&j->mu);
  while (atomic_load(&j->finished) < n) pthread_cond_wait(&j->done, &j->mu);
  pthread_mutex_unlock(&j->mu);
}

synk_jobs_pool *synk_jobs_pool_create(uint32_t threads) {
  if (threads < 1 || threads > SYNK_MAX_TASKS) return NULL;
  synk_jobs_pool *j = (synk_jobs_pool *)calloc(1, sizeof *j);
  if (!j) return NULL;
  pthread_mutex_init(&j->mu, NULL);
  pthread_cond_init(&j->wake, NULL);
  pthread_cond_init(&j->done, NULL);
  atomic_init(&j->next, 0u);
  atomic_init(&j->finished, 0u);
  j->threads = (pthread_t *)calloc(threads, sizeof *j->threads);
  if (!j->threads) {
    synk_jobs_pool_destroy(j);
    return NULL;
  }
  for (uint32_t i = 0; i + 1 < threads; i++) {
    if (pthread_create(&j->threads[i], NULL, worker, j) != 0) {
      synk_jobs_pool_destroy(j);
      return NULL;
    }
    j->nthreads++;
  }
  return j;
}

void synk_jobs_pool_destroy(synk_jobs_pool *j) {
  if (!j) return;
  pthread_mutex_lock(&j->mu);
  j->stop = 1;
  pthread_cond_broadcast(&j->wake);
  pthread_mutex_unlock(&j->mu);
  for (uint32_t i = 0; i < j->nthreads; i++) pthread_join(j->threads[i], NULL);
  pthread_cond_destroy(&j->wake);
  pthread_cond_destroy(&j->done);
  pthread_mutex_destroy(&j->mu);
  free(j->threads);
  free(j);
}

synk_jobs synk_jobs_pool_iface(synk_jobs_pool *j, uint32_t max_tasks) {
  synk_jobs it;
  it.parallel_for = parallel_for;
  it.ctx = j;
  it.max_tasks = max_tasks ? max_tasks : j->nthreads + 1;
  if (it.max_tasks > SYNK_MAX_TASKS) it.max_tasks = SYNK_MAX_TASKS;
  return it;
}
