/* SPDX-License-Identifier: MIT */
// vqsort (Highway's vectorized quicksort, Debian libhwy-dev) as the sort step
// of a peer batch-motion implementation. A C entry point so the C case
// registry can call it; the Sorter owns its scratch and is built once.
#include <hwy/contrib/sort/vqsort.h>

#include "peers.h"

extern "C" void synk_bench_vqsort_u64(uint64_t *keys, size_t n) {
  static const hwy::Sorter sorter;  // allocates its buffer once, never timed twice
  sorter(keys, n, hwy::SortAscending());
}
