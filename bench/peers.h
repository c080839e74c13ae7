/* SPDX-License-Identifier: MIT */
/* Entry points of the C++ peer shims (bench/peer_vqsort.cc). */
#ifndef SYNK_BENCH_PEERS_H
#define SYNK_BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sort n 64-bit keys ascending with Highway's vqsort. */
void synk_bench_vqsort_u64(uint64_t *keys, size_t n);

#ifdef __cplusplus
}
#endif

#endif
