/* SPDX-License-Identifier: MIT */
/*
 * A small pthread job runner for synk_config.jobs: the CLI and the
 * benchmarks use it for --threads; an engine brings its own job system.
 * Not part of libsynk (which has no threads).
 */
#ifndef SYNK_SUPPORT_JOBS_H
#define SYNK_SUPPORT_JOBS_H

#include <stdint.h>

#include "synk.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synk_jobs_pool synk_jobs_pool;

/* A pool of threads - 1 workers (the caller of parallel_for is the last
 * thread). threads 1..64. NULL on failure (threads out of range, no memory,
 * or a thread could not start). */
synk_jobs_pool *synk_jobs_pool_create(uint32_t threads);

/* Stop and join the workers. NULL is accepted. */
void synk_jobs_pool_destroy(synk_jobs_pool *j);

/* The synk_jobs interface over the pool, splitting calls into at most
 * max_tasks tasks (0: one per thread). Valid while the pool lives. */
synk_jobs synk_jobs_pool_iface(synk_jobs_pool *j, uint32_t max_tasks);

#ifdef __cplusplus
}
#endif

#endif
