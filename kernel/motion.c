/* SPDX-License-Identifier: MIT */
/*
 * Batch motion: validate -> coalesce -> order by id -> apply through the
 * kernel table. The result is defined as exactly that of synk_move on each
 * motion in order; since motions only add to positions (commutative, wrapping
 * mod 2^32) and the hash is a sum over entities, coalescing per entity and
 * applying in id order gives the same state and the same hash.
 *
 * Small batches are sorted in registers. A larger batch whose ids are
 * strictly increasing (what the codec, the sessions and most engines hand
 * over) is validated in one pass and goes straight to the kernel, which
 * reads the caller's records (motion_apply_aos: no copy). A batch of a few
 * non-decreasing runs takes the runs path (below) before the unordered paths.
 * Any other batch starts as distinct: one pass validates it and marks each id
 * in a two-level "touched" bitmap, noting where its motion is (slot[id]);
 * when no id repeats, the bitmap gives the ids in increasing order (a
 * counting order over the id span, O(n + span/4096)) and each id's deltas
 * come straight from its motion, no coalescing. At the first repeat the batch
 * becomes general: the motions seen so far move into a dense per-id
 * accumulator, the rest coalesce into it, and the same bitmap orders the
 * distinct ids. Every path validates in motion order, so the first invalid
 * motion is the one reported, whichever path found it.
 */
#include "kernel/internal.h"

/* Batches of at most this many motions skip the bitmaps: insertion sort of a
 * local copy is cheaper (bench case motion/batch with 32-motion batches). */
#define SMALL_BATCH 32

/* How many motions ahead pass 1 prefetches the accumulator line (bench case
 * motion/batch random-1e6: 16-32 hide most of the DRAM latency). */
#define PREFETCH_AHEAD 16
#if defined(__GNUC__)
#  define SYNK_PREFETCH(p) __builtin_prefetch((p), 1, 3)
#else
#  define SYNK_PREFETCH(p) ((void)(p))
#endif

static synk_status validate_one(const synk_world *w, uint32_t id) {
  if (SYNK_UNLIKELY(id >= w->cap)) return SYNK_E_RANGE;
  if (SYNK_UNLIKELY(!synk_alive(w, id))) return SYNK_E_DEAD;
  return SYNK_OK;
}

static synk_status apply_small(synk_world *w, const synk_motion *m, size_t n, size_t *bad_index) {
  synk_motion s[SMALL_BATCH];
  w->last_path = SYNK_PATH_SMALL;
  for (size_t i = 0; i < n; i++) {
    synk_status st = validate_one(w, m[i].id);
    if (st != SYNK_OK) {
      if (bad_index) *bad_index = i;
      return st;
    }
    /* insertion sort by id; equal ids keep their order (sums commute anyway) */
    size_t j = i;
    while (j > 0 && s[j - 1].id > m[i].id) {
      s[j] = s[j - 1];
      j--;
    }
    s[j] = m[i];
  }
  uint32_t *ids = w->sorted;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (k && ids[k - 1] == s[i].id) {
      w->dx[k - 1] = synk_wrap_add(w->dx[k - 1], s[i].dx);
      w->dy[k - 1] = synk_wrap_add(w->dy[k - 1], s[i].dy);
      w->dz[k - 1] = synk_wrap_add(w->dz[k - 1], s[i].dz);
    } else {
      ids[k] = s[i].id;
      w->dx[k] = s[i].dx;
      w->dy[k] = s[i].dy;
      w->dz[k] = s[i].dz;
      k++;
    }
  }
  w->sum += synk_kernels_active()->motion_apply(w, ids, w->dx, w->dy, w->dz, k);
  return SYNK_OK;
}

/* Abandon a batch at motion i: clear the touched bitmaps over summary words
 * [slo, shi] (where every mark of this batch lies) and report i. Nothing
 * else was written (the accumulator and slots are read only where touched
 * bits say they were written). */
static synk_status fail(synk_world *w, uint32_t slo, uint32_t shi, size_t i, synk_status st, size_t *bad_index) {
  for (uint32_t sw = slo; sw <= shi && slo <= shi; sw++) {
    for (uint64_t b = w->touched_sum[sw]; b; b &= b - 1) w->touched[(sw << 6) + synk_ctz64(b)] = 0;
    w->touched_sum[sw] = 0;
  }
  if (bad_index) *bad_index = i;
  return st;
}

/* Pass 1: validate + coalesce m[0..n) into the accumulator and the touched
 * bitmaps. Consecutive repeats of one id are summed in registers first (the
 * "1000 motions on one entity" case). With `prefetch` (a constant: two
 * copies of the loop), the accumulator line of the motion PREFETCH_AHEAD
 * ahead is requested early; worlds whose accumulator fits in the caches skip
 * that work. branchless (a constant) picks how a repeat is told from a first
 * touch (see coalesce_branchless); nsink is the caller's sink word (one per
 * task of the parallel general path, whose blocks hold only the ids of the
 * task's range). Returns n, or the index of the first invalid motion with
 * *st set. */
SYNK_INLINE size_t coalesce(synk_world *w, const synk_motion *m, size_t n, uint32_t nsink, int prefetch,
                            int branchless, uint32_t *slo, uint32_t *shi, synk_status *st) {
  const uint32_t cap = w->cap;
  const uint64_t *alive = w->alive;
  uint64_t *touched = w->touched, *tsum = w->touched_sum;
  uint32_t *acc = w->acc;
  size_t i = 0;
  while (i < n) {
    uint32_t id = m[i].id;
    if (prefetch && i + PREFETCH_AHEAD < n) {
      uint32_t pid = m[i + PREFETCH_AHEAD].id;
      if (pid < cap) SYNK_PREFETCH(acc + (size_t)pid * 4);
    }
    if (SYNK_UNLIKELY(id >= cap)) {
      *st = SYNK_E_RANGE;
      return i;
    }
    uint32_t sx = (uint32_t)m[i].dx, sy = (uint32_t)m[i].dy, sz = (uint32_t)m[i].dz;
    size_t j = i + 1;
    while (j < n && m[j].id == id) {
      sx += (uint32_t)m[j].dx;
      sy += (uint32_t)m[j].dy;
      sz += (uint32_t)m[j].dz;
      j++;
    }
    uint32_t *a = acc + (size_t)id * 4;
    const uint64_t bit = UINT64_C(1) << (id & 63);
    const uint64_t word = touched[id >> 6];
    if (branchless) {
      /* No branch on "touched before in this batch" (with about as many
       * motions as ids it mispredicts a third of the time: bench case
       * rand-1e4): the old sums are kept or dropped by a mask, the alive bit
       * is tested every time (a branch always taken), and the touched word
       * is stored only when it changes -- to the sink word otherwise, the
       * index chosen by arithmetic (a ternary became a branch). */
      if (SYNK_UNLIKELY(!(alive[id >> 6] & bit))) {
        *st = SYNK_E_DEAD;
        return i;
      }
      const uint32_t keep = (uint32_t)0 - (uint32_t)((word & bit) != 0);
      a[1] = (a[1] & keep) + sx;
      a[2] = (a[2] & keep) + sy;
      a[3] = (a[3] & keep) + sz;
      const uint32_t wi = id >> 6;
      touched[wi + ((nsink - wi) & keep)] = word | bit;
    } else if (SYNK_LIKELY(word & bit)) { /* many more motions than ids: mostly repeats, a branch predicted */
      a[1] += sx;
      a[2] += sy;
      a[3] += sz;
      i = j;
      continue;
    } else {
      if (SYNK_UNLIKELY(!(alive[id >> 6] & bit))) {
        *st = SYNK_E_DEAD;
        return i;
      }
      touched[id >> 6] = word | bit;
      a[1] = sx;
      a[2] = sy;
      a[3] = sz;
    }
    if (SYNK_UNLIKELY(!word)) { /* first id of this 64-id word: mark it in the summary */
      uint32_t sw = id >> 12;
      tsum[sw] |= UINT64_C(1) << ((id >> 6) & 63);
      *slo = sw < *slo ? sw : *slo;
      *shi = sw > *shi ? sw : *shi;
    }
    i = j;
  }
  return n;
}

/* Whether coalescing n motions over a world of cap ids tells repeats from
 * first touches without a branch. With up to about one motion per id a
 * motion is a first touch or a repeat unpredictably (uniform ids: a third
 * repeat); with many more motions than ids nearly all repeat, and the branch
 * is predicted (bench cases, avx2, branchless / branch: rand-1e4 5.9 / 7.8,
 * rand-1e5 6.9 / 10.5 ns per motion; peer-7x13, 1000 motions over 100 ids,
 * 3.5 / 2.2 us). */
static int coalesce_branchless(const synk_world *w, size_t n) { return n <= (size_t)w->cap; }

/* The apply step of a large batch: the coalesced, increasing ids[0..k)
 * split across the job interface at 64-chunk group boundaries (16384 ids),
 * so tasks write disjoint positions, chunk sums and dirty-bitmap words. */
#define GROUP_IDS (64u * SYNK_CHUNK_IDS)
/* Distinct ids per task at least (bench case motion/batch/rand-1e6: a task
 * of 16k motions is ~50 us of work, far above a job system's dispatch). */
#define MIN_IDS_PER_TASK 16384u

typedef struct apply_job {
  synk_world *w;
  const synk_kernels *k;
  const synk_motion *m; /* the records (strictly-increasing path), or NULL: the columns */
  const uint32_t *ids;
  const int32_t *dx, *dy, *dz;
  size_t at[SYNK_MAX_TASKS + 1];
  uint64_t part[SYNK_MAX_TASKS];
} apply_job;

static void apply_task(void *arg, uint32_t t) {
  apply_job *j = (apply_job *)arg;
  const size_t a = j->at[t], n = j->at[t + 1] - a;
  if (!n) j->part[t] = 0;
  else if (j->m) j->part[t] = j->k->motion_apply_aos(j->w, j->m + a, n);
  else j->part[t] = j->k->motion_apply(j->w, j->ids + a, j->dx + a, j->dy + a, j->dz + a, n);
}

static inline uint32_t job_id(const apply_job *j, size_t p) { return j->m ? j->m[p].id : j->ids[p]; }

/* Apply k motions with strictly increasing ids: the records m (ids, dx, dy,
 * dz unused) or the columns (m NULL). */
static uint64_t apply_sorted(synk_world *w, const synk_motion *m, const uint32_t *ids, const int32_t *dx,
                             const int32_t *dy, const int32_t *dz, size_t k) {
  const synk_kernels *kt = synk_kernels_active();
  uint32_t nt = synk_jobs_split(w, k, MIN_IDS_PER_TASK);
  if (nt <= 1) return m ? kt->motion_apply_aos(w, m, k) : kt->motion_apply(w, ids, dx, dy, dz, k);
  apply_job j;
  j.w = w;
  j.k = kt;
  j.m = m;
  j.ids = ids;
  j.dx = dx;
  j.dy = dy;
  j.dz = dz;
  j.at[0] = 0;
  for (uint32_t t = 1; t < nt; t++) { /* k*t/nt, moved up to the next group boundary */
    size_t p = (size_t)((uint64_t)k * t / nt);
    if (p < j.at[t - 1]) p = j.at[t - 1];
    while (p > 0 && p < k && job_id(&j, p) / GROUP_IDS == job_id(&j, p - 1) / GROUP_IDS) p++;
    j.at[t] = p;
  }
  j.at[nt] = k;
  synk_jobs_run(w, nt, apply_task, &j);
  uint64_t sum = 0;
  for (uint32_t t = 0; t < nt; t++) sum += j.part[t];
  return sum;
}

/* The first invalid id of the consecutive run lo+1..hi (each id one more
 * than the one before; lo was validated): its offset from lo with *st set,
 * or 0 when all are valid. Whole alive words at a time. */
static size_t run_check(const synk_world *w, uint32_t lo, uint32_t hi, synk_status *st) {
  const uint32_t cap = w->cap;
  const int past = hi >= cap || hi < lo; /* the run leaves the world (hi < lo: it wrapped past 2^32 - 1) */
  const uint32_t top = past ? cap - 1 : hi; /* lo < cap */
  for (uint32_t a = lo + 1; a <= top;) {
    const uint32_t wi = a >> 6, end = (wi << 6) + 63 < top ? (wi << 6) + 63 : top;
    uint64_t dead = ~w->alive[wi] >> (a & 63);
    if (end - a < 63) dead &= (UINT64_C(2) << (end - a)) - 1;
    if (SYNK_UNLIKELY(dead)) {
      *st = SYNK_E_DEAD;
      return a + synk_ctz64(dead) - lo;
    }
    if (end == top) break;
    a = end + 1;
  }
  if (SYNK_UNLIKELY(past)) {
    *st = SYNK_E_RANGE;
    return cap - lo;
  }
  return 0;
}

/* The first motion at or after i that does not extend the stretch of
 * consecutive ids ending at *prev (m[i].id != *prev + 1); *prev becomes the
 * stretch's last id. Four at a time, then one by one (bench case
 * peer-contig1024: 12 -> 5 instructions per motion). */
SYNK_INLINE size_t stretch_end(const synk_motion *m, size_t i, size_t n, uint32_t *prev) {
  uint32_t p = *prev;
  while (n - i >= 4 && m[i].id == p + 1 && m[i + 1].id == p + 2 && m[i + 2].id == p + 3 && m[i + 3].id == p + 4) {
    p += 4;
    i += 4;
  }
  while (i < n && m[i].id == p + 1) {
    p++;
    i++;
  }
  *prev = p;
  return i;
}

/* The end of a consecutive stretch lo..prev (lo validated, at index lo_at):
 * nonzero, with *at the first invalid motion's index and *st set, when one
 * of lo+1..prev is invalid. */
SYNK_INLINE int stretch_bad(const synk_world *w, uint32_t lo, uint32_t prev, size_t lo_at, synk_status *st,
                            size_t *at) {
  if (prev == lo) return 0;
  size_t off = run_check(w, lo, prev, st);
  if (SYNK_LIKELY(!*st)) return 0;
  *at = lo_at + off;
  return 1;
}

/* The strictly-increasing fast path: one pass validates m[0..n); nothing is
 * copied (the kernel reads the records). Returns n when every id is valid
 * and each is larger than the one before (the batch is applied as it is);
 * the index of the first invalid motion with *st set, when the ids up to it
 * were strictly increasing (the batch fails there, exactly as the general
 * path would report it: in a strictly increasing prefix each id is its own
 * first touch); or the index where the order breaks with *st == SYNK_OK (the
 * general path takes over, validating from the start; nothing was written).
 * An id one more than the one before only extends the current run: a run's
 * ids are checked when it ends, whole alive words at a time (bench case
 * motion/batch/peer-contig1024: 20 -> 6 instructions per motion). */
SYNK_NOINLINE static size_t sorted_pass(const synk_world *w, const synk_motion *m, size_t n, synk_status *st) {
  /* five samples must already be increasing: batches that cycle over their
   * ids (bench case motion/batch/peer-mod100) skip the pass at once */
  if (!(m[0].id < m[n / 4].id && m[n / 4].id < m[n / 2].id && m[n / 2].id < m[n - n / 4 - 1].id &&
        m[n - n / 4 - 1].id < m[n - 1].id))
    return 0;
  synk_status e = validate_one(w, m[0].id);
  if (SYNK_UNLIKELY(e)) {
    *st = e;
    return 0;
  }
  uint32_t prev = m[0].id, lo = prev; /* the last id; the first of the current stretch (validated) */
  size_t lo_at = 0, at;               /* lo's index */
  for (size_t i = 1;; i++) {
    i = stretch_end(m, i, n, &prev); /* a stretch's ids are checked at its end */
    if (i == n) break;
    const uint32_t id = m[i].id;
    if (id <= prev) return i; /* the order breaks: the general path takes over */
    if (stretch_bad(w, lo, prev, lo_at, st, &at)) return at; /* the stretch lo..prev ended */
    e = validate_one(w, id);
    if (SYNK_UNLIKELY(e)) {
      *st = e;
      return i;
    }
    prev = lo = id;
    lo_at = i;
  }
  return stretch_bad(w, lo, prev, lo_at, st, &at) ? at : n;
}

/* Accumulators up to this many ids (16 bytes each: 1 MiB) stay in the caches
 * of the machines we measure: pass 1 runs without prefetching (bench case
 * motion/batch/peer-7x13, 100 ids). Larger worlds prefetch (rand-1e6). */
#define PREFETCH_MIN_IDS (1u << 16)

/* Pass 1 of an unordered batch: validate m[0..n) in order, marking each id
 * in the touched bitmaps and its motion's index in slot[id] (w->sorted,
 * which order_ids overwrites behind its reads). Returns n when the ids are
 * distinct; the index of the first invalid motion with *st set; or the index
 * of the first repeat with *st == SYNK_OK (the motions before it are valid
 * and distinct). With `prefetch`, the slot of the motion PREFETCH_AHEAD
 * ahead is requested early: 632k distinct shuffled ids over a 1e6 world,
 * median of 4 alternated runs, 21.1 ms with it, 23.4 ms without. */
SYNK_INLINE size_t distinct_pass(synk_world *w, const synk_motion *m, size_t n, int prefetch, uint32_t *slo,
                                 uint32_t *shi, synk_status *st) {
  const uint32_t cap = w->cap;
  const uint64_t *alive = w->alive;
  uint64_t *touched = w->touched, *tsum = w->touched_sum;
  uint32_t *slot = w->sorted; /* order_ids reads slot[id] before it writes sorted[k <= id] */
  for (size_t i = 0; i < n; i++) {
    const uint32_t id = m[i].id;
    if (prefetch && i + PREFETCH_AHEAD < n) {
      uint32_t pid = m[i + PREFETCH_AHEAD].id;
      if (pid < cap) SYNK_PREFETCH(slot + pid);
    }
    if (SYNK_UNLIKELY(id >= cap)) {
      *st = SYNK_E_RANGE;
      return i;
    }
    const uint64_t bit = UINT64_C(1) << (id & 63), word = touched[id >> 6];
    if (SYNK_UNLIKELY(word & bit)) return i; /* a repeat: alive at its first motion */
    if (SYNK_UNLIKELY(!(alive[id >> 6] & bit))) {
      *st = SYNK_E_DEAD;
      return i;
    }
    if (!word) { /* first id of this 64-id word: mark it in the summary */
      uint32_t sw = id >> 12;
      tsum[sw] |= UINT64_C(1) << ((id >> 6) & 63);
      *slo = sw < *slo ? sw : *slo;
      *shi = sw > *shi ? sw : *shi;
    }
    touched[id >> 6] = word | bit;
    slot[id] = (uint32_t)i; /* i < cap: the ids so far are distinct */
  }
  return n;
}

/* Pass 2: the bitmaps over summary words [slo, shi] give the batch's distinct
 * ids in increasing order; with from_slot (a constant) each id's deltas are
 * those of its single motion m[slot[id]], else its coalesced sums in the
 * accumulator. Fills the kernel's columns, leaves the bitmaps zero and
 * returns the number of ids. order_ids_at fills them from position base
 * (every id of the summary words is >= base: one task of the parallel
 * general path writes the columns' part of its own id range). */
SYNK_INLINE size_t order_ids_at(synk_world *w, const synk_motion *m, uint32_t slo, uint32_t shi, int from_slot,
                                uint32_t base) {
  uint64_t *touched = w->touched, *tsum = w->touched_sum;
  const uint32_t *acc = w->acc;
  const uint32_t *slot = w->sorted;
  uint32_t *ids = w->sorted + base;
  int32_t *dx = w->dx + base, *dy = w->dy + base, *dz = w->dz + base;
  size_t k = 0;
  for (uint32_t sw = slo; sw <= shi; sw++) {
    uint64_t sbits = tsum[sw];
    tsum[sw] = 0;
    while (sbits) {
      uint32_t wi = (sw << 6) + synk_ctz64(sbits);
      sbits &= sbits - 1;
      uint64_t bits = touched[wi];
      touched[wi] = 0;
      while (bits) {
        uint32_t id = (wi << 6) + synk_ctz64(bits);
        bits &= bits - 1;
        if (from_slot) {
          const synk_motion *q = m + slot[id]; /* read before ids[k] is written: k <= id */
          dx[k] = q->dx;
          dy[k] = q->dy;
          dz[k] = q->dz;
        } else {
          const uint32_t *a = acc + (size_t)id * 4;
          dx[k] = synk_i32_of(a[1]);
          dy[k] = synk_i32_of(a[2]);
          dz[k] = synk_i32_of(a[3]);
        }
        ids[k] = id;
        k++;
      }
    }
  }
  return k;
}

SYNK_INLINE size_t order_ids(synk_world *w, const synk_motion *m, uint32_t slo, uint32_t shi, int from_slot) {
  return order_ids_at(w, m, slo, shi, from_slot, 0);
}

/* coalesce() on its own stack frame, with or without prefetching (the loop
 * indexes its own motions: inlined into apply_general it kept r live and
 * indexed m[r + i], ~6 instructions more per motion; bench case peer-7x13). */
SYNK_NOINLINE static size_t coalesce_pass(synk_world *w, const synk_motion *m, size_t n, uint32_t *slo, uint32_t *shi,
                                          synk_status *st) {
  const int pf = w->cap > PREFETCH_MIN_IDS;
  const uint32_t sk = synk_sink_word(w, 0);
  if (coalesce_branchless(w, n))
    return pf ? coalesce(w, m, n, sk, 1, 1, slo, shi, st) : coalesce(w, m, n, sk, 0, 1, slo, shi, st);
  return pf ? coalesce(w, m, n, sk, 1, 0, slo, shi, st) : coalesce(w, m, n, sk, 0, 0, slo, shi, st);
}

/* The general path, from the first repeat at m[r]: the distinct motions
 * m[0..r) (marked by distinct_pass) move into the accumulator, m[r..n)
 * coalesce into it (validated in order), then the bitmaps order the ids. */
SYNK_NOINLINE static synk_status apply_general(synk_world *w, const synk_motion *m, size_t n, size_t r, uint32_t slo,
                                 uint32_t shi, size_t *bad_index) {
  w->last_path = SYNK_PATH_GENERAL;
  uint32_t *acc = w->acc;
  for (size_t q = 0; q < r; q++) { /* distinct: each is its id's first touch */
    uint32_t *a = acc + (size_t)m[q].id * 4;
    a[1] = (uint32_t)m[q].dx;
    a[2] = (uint32_t)m[q].dy;
    a[3] = (uint32_t)m[q].dz;
  }
  synk_status st = SYNK_OK;
  size_t i = coalesce_pass(w, m + r, n - r, &slo, &shi, &st);
  if (st) return fail(w, slo, shi, r + i, st, bad_index);
  size_t k = order_ids(w, m, slo, shi, 0);
  w->sum += apply_sorted(w, NULL, w->sorted, w->dx, w->dy, w->dz, k);
  return SYNK_OK;
}

/* ---- the general path across the job interface ---------------------------- */

/* Large unordered batches with a job interface: task t owns the ids of a range
 * of whole 64-chunk groups [lo_t, hi_t) (so tasks share no touched, summary,
 * chunk-sum or dirty-bitmap word). Phase 1, in parallel: every task reads all
 * n motions, SCAN_BLOCK at a time, copies those in its range into a block of
 * its own without a branch (a filter that branched on the id would mispredict
 * half the time on random ids) and coalesces the block into the accumulator
 * (coalesce); a task stops at a dead id (the first motion on any id is
 * where it is first touched), task 0 also at an id >= max_entities. When any
 * task stopped, the batch fails: its first invalid motion is found by one
 * serial scan (the first id out of range or not alive: every motion on a
 * dead id is invalid, so this is the motion the serial path reports), the
 * bitmaps are cleared and nothing was written. Phase 2, in parallel: each task
 * orders its ids (order_ids_at, into the columns' positions [lo_t, hi_t)) and
 * applies them. The accumulator's sums do not depend on how the motions were
 * split, and chunk sums add up in any order: the world is bit-identical for
 * every task count. */
#define MIN_MOTIONS_PER_TASK 16384u
#define SCAN_BLOCK 256u

typedef struct general_job {
  synk_world *w;
  const synk_motion *m;
  size_t n;
  uint32_t nt, groups;
  int failed[SYNK_MAX_TASKS];                        /* phase 1: the task stopped at an invalid motion */
  uint32_t slo[SYNK_MAX_TASKS], shi[SYNK_MAX_TASKS]; /* summary words the task marked */
  uint64_t part[SYNK_MAX_TASKS];                     /* phase 2: the task's hash difference */
} general_job;

static uint32_t task_lo(const general_job *j, uint32_t t) {
  uint64_t g = (uint64_t)j->groups * t / j->nt, id = g * GROUP_IDS;
  return id < j->w->cap ? (uint32_t)id : j->w->cap;
}

static void general_scan_task(void *arg, uint32_t t) {
  general_job *j = (general_job *)arg;
  synk_world *w = j->w;
  const synk_motion *m = j->m;
  const uint32_t lo = task_lo(j, t), span = task_lo(j, t + 1) - lo, cap = w->cap;
  const int pf = cap > PREFETCH_MIN_IDS, bl = coalesce_branchless(w, j->n);
  const uint32_t sink = synk_sink_word(w, t); /* each task its own sink word */
  synk_motion blk[SCAN_BLOCK];
  j->slo[t] = UINT32_MAX;
  j->shi[t] = 0;
  j->failed[t] = 0;
  for (size_t i0 = 0; i0 < j->n; i0 += SCAN_BLOCK) {
    const size_t e = j->n - i0 < SCAN_BLOCK ? j->n : i0 + SCAN_BLOCK;
    size_t k = 0;
    uint32_t out = 0;
    for (size_t i = i0; i < e; i++) {
      const uint32_t id = m[i].id;
      blk[k] = m[i];
      k += id - lo < span;
      out |= id >= cap;
    }
    synk_status st = SYNK_OK;
    if (t == 0 && out) st = SYNK_E_RANGE;
    else if (bl) {
      if (pf) coalesce(w, blk, k, sink, 1, 1, &j->slo[t], &j->shi[t], &st);
      else coalesce(w, blk, k, sink, 0, 1, &j->slo[t], &j->shi[t], &st);
    } else {
      if (pf) coalesce(w, blk, k, sink, 1, 0, &j->slo[t], &j->shi[t], &st);
      else coalesce(w, blk, k, sink, 0, 0, &j->slo[t], &j->shi[t], &st);
    }
    if (st) {
      j->failed[t] = 1;
      return;
    }
  }
}

static void general_apply_task(void *arg, uint32_t t) {
  general_job *j = (general_job *)arg;
  synk_world *w = j->w;
  const uint32_t lo = task_lo(j, t);
  j->part[t] = 0;
  if (j->slo[t] > j->shi[t]) return; /* no motion in this range */
  size_t k = order_ids_at(w, j->m, j->slo[t], j->shi[t], 0, lo);
  j->part[t] = synk_kernels_active()->motion_apply(w, w->sorted + lo, w->dx + lo, w->dy + lo, w->dz + lo, k);
}

/* The tasks the parallel general path splits n motions into (1: serial). */
static uint32_t general_tasks(const synk_world *w, size_t n) {
  uint32_t nt = synk_jobs_split(w, n, MIN_MOTIONS_PER_TASK), groups = (w->cap + GROUP_IDS - 1) / GROUP_IDS;
  return nt < groups ? nt : groups;
}

SYNK_NOINLINE static synk_status apply_general_parallel(synk_world *w, const synk_motion *m, size_t n, uint32_t nt,
                                                        size_t *bad_index) {
  w->last_path = SYNK_PATH_GENERAL;
  general_job j;
  j.w = w;
  j.m = m;
  j.n = n;
  j.nt = nt;
  j.groups = (w->cap + GROUP_IDS - 1) / GROUP_IDS;
  synk_jobs_run(w, nt, general_scan_task, &j);
  int failed = 0;
  uint32_t slo = UINT32_MAX, shi = 0;
  for (uint32_t t = 0; t < nt; t++) {
    failed |= j.failed[t];
    slo = j.slo[t] < slo ? j.slo[t] : slo;
    shi = j.shi[t] > shi ? j.shi[t] : shi;
  }
  if (failed) {
    for (size_t i = 0; i < n; i++) {
      synk_status st = validate_one(w, m[i].id);
      if (st) return fail(w, slo, shi, i, st, bad_index);
    }
  }
  synk_jobs_run(w, nt, general_apply_task, &j);
  uint64_t sum = 0;
  for (uint32_t t = 0; t < nt; t++) sum += j.part[t];
  w->sum += sum;
  return SYNK_OK;
}

/* Any batch that is not strictly increasing: distinct, or general from its
 * first repeat. */
SYNK_NOINLINE static synk_status apply_unordered(synk_world *w, const synk_motion *m, size_t n, size_t *bad_index) {
  uint32_t slo = UINT32_MAX, shi = 0; /* range of touched_sum words in use */
  synk_status st = SYNK_OK;
  /* large batches with a job interface: the general path, split */
  const uint32_t nt = general_tasks(w, n);
  if (nt > 1) return apply_general_parallel(w, m, n, nt, bad_index);
  /* more motions than ids must repeat one (peer-7x13: 1000 over 100 ids) */
  if (n > w->cap) return apply_general(w, m, n, 0, slo, shi, bad_index);
  size_t i = w->cap > PREFETCH_MIN_IDS ? distinct_pass(w, m, n, 1, &slo, &shi, &st)
                                       : distinct_pass(w, m, n, 0, &slo, &shi, &st);
  if (st) {
    w->last_path = SYNK_PATH_DISTINCT;
    return fail(w, slo, shi, i, st, bad_index);
  }
  if (i < n) return apply_general(w, m, n, i, slo, shi, bad_index);
  w->last_path = SYNK_PATH_DISTINCT;
  size_t k = order_ids(w, m, slo, shi, 1);
  w->sum += apply_sorted(w, NULL, w->sorted, w->dx, w->dy, w->dz, k);
  return SYNK_OK;
}

/* ---- the runs path ------------------------------------------------------ */

/* A batch made of a few non-decreasing runs: what engines hand over when each
 * system or cluster emits its own sorted motions and they are concatenated
 * (bench case motion/batch/crowd-1e5: runs of 16..64 consecutive ids in
 * random order, some overlapping). Pass 1 validates every motion in order
 * and cuts the batch into maximal non-decreasing runs without a jump of more
 * than RUN_GAP between neighbours; a batch with more
 * than n / RUN_MIN_AVG of them goes on to the unordered paths (nothing was
 * written). The runs are ordered by their first ids (a merge sort of R
 * keys). When no two runs overlap and no run repeats an id, each run goes to
 * the kernel as it is, in that order: no copy. Otherwise the runs are merged,
 * in that order, into the kernel's columns: a run beyond the columns' last id
 * is appended, one that overlaps them is merged from the back with the
 * columns' suffix from its first id on, equal ids summed. The merge work is
 * bounded by RUN_MERGE_BUDGET * n elements (adversarial overlaps): past it,
 * or when a merge would not fit the columns, the batch goes to the general
 * path. */
#define RUN_MIN_AVG 16
/* A run also ends where its ids jump by more than this (a chunk): runs stay
 * dense, so an overlap is merged with the few entries it interleaves with,
 * not with a sparse run's whole tail (concatenated groups of the crowd case
 * otherwise join into runs spanning the world). */
#define RUN_GAP 256u
#define RUN_MERGE_BUDGET 4

/* Pass 1 of the runs path: validate m[0..n) in order and record where each
 * run (non-decreasing, no jump > RUN_GAP) starts (starts[0..R), starts[R] = n). Returns n
 * with *nruns = R (*dup set when some id repeats its predecessor); the index
 * of the first invalid motion with *st set; or 0 with *nruns = 0 when there
 * are more than rmax runs. Consecutive ids are checked a word at a time when
 * their run of consecutive ids ends (run_check), as in sorted_pass. */
static size_t runs_pass(const synk_world *w, const synk_motion *m, size_t n, uint32_t *starts, size_t rmax,
                        size_t *nruns, int *dup, synk_status *st) {
  if (rmax == 0) {
    *nruns = 0;
    return 0;
  }
  synk_status e = validate_one(w, m[0].id);
  if (SYNK_UNLIKELY(e)) {
    *st = e;
    return 0;
  }
  starts[0] = 0;
  uint32_t prev = m[0].id, lo = prev; /* the last id; the first of the current consecutive stretch (validated) */
  size_t lo_at = 0, r = 1, at;
  for (size_t i = 1;; i++) {
    i = stretch_end(m, i, n, &prev); /* a stretch's ids are checked at its end */
    if (i == n) break;
    const uint32_t id = m[i].id;
    if (stretch_bad(w, lo, prev, lo_at, st, &at)) return at; /* the stretch lo..prev ended */
    if (id == prev) { /* a repeat of a valid id */
      *dup = 1;
      lo = id;
      lo_at = i;
      continue;
    }
    if (id < prev || id - prev > RUN_GAP) { /* a new run */
      if (r == rmax) {
        *nruns = 0;
        return 0;
      }
      starts[r++] = (uint32_t)i;
    }
    e = validate_one(w, id);
    if (SYNK_UNLIKELY(e)) {
      *st = e;
      return i;
    }
    prev = lo = id;
    lo_at = i;
  }
  if (stretch_bad(w, lo, prev, lo_at, st, &at)) return at;
  starts[r] = (uint32_t)n;
  *nruns = r;
  return n;
}

/* Sort a[0..n) ascending (bottom-up merge sort through tmp[0..n)). */
static void sort_keys(uint64_t *a, uint64_t *tmp, size_t n) {
  uint64_t *src = a, *dst = tmp;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = src[i] <= src[j] ? src[i++] : src[j++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    uint64_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}

/* Merge the run m[s..e) into the columns' sorted distinct ids[0..*k): equal
 * ids summed (dup: some run of the batch repeats an id). Returns 0 when it
 * would exceed the budget or the columns. */
static int merge_run(synk_world *w, const synk_motion *m, size_t s, size_t e, int dup, size_t *k, size_t *budget) {
  uint32_t *ids = w->sorted;
  int32_t *dx = w->dx, *dy = w->dy, *dz = w->dz;
  size_t kk = *k;
  if (!dup && (kk == 0 || m[s].id > ids[kk - 1])) { /* beyond the columns, no repeats in the batch: copy */
    for (size_t q = s; q < e; q++, kk++) {
      ids[kk] = m[q].id;
      dx[kk] = m[q].dx;
      dy[kk] = m[q].dy;
      dz[kk] = m[q].dz;
    }
    *k = kk;
    return 1;
  }
  if (kk == 0 || m[s].id > ids[kk - 1]) { /* beyond the columns: append, summing repeats */
    for (size_t q = s; q < e; q++) {
      if (kk && ids[kk - 1] == m[q].id) {
        dx[kk - 1] = synk_wrap_add(dx[kk - 1], m[q].dx);
        dy[kk - 1] = synk_wrap_add(dy[kk - 1], m[q].dy);
        dz[kk - 1] = synk_wrap_add(dz[kk - 1], m[q].dz);
      } else {
        ids[kk] = m[q].id;
        dx[kk] = m[q].dx;
        dy[kk] = m[q].dy;
        dz[kk] = m[q].dz;
        kk++;
      }
    }
    *k = kk;
    return 1;
  }
  /* p: the first column entry whose id >= the run's first */
  size_t p = 0, hi = kk;
  while (p < hi) {
    size_t mid = p + (hi - p) / 2;
    if (ids[mid] < m[s].id) p = mid + 1;
    else hi = mid;
  }
  const size_t work = (kk - p) + (e - s), top = kk + (e - s);
  if (work > *budget || top > w->cap) return 0;
  *budget -= work;
  /* from the back: the written region is [wr, top); an element equal to the
   * one written last is summed into it. wr >= ia + (ib - s) throughout, so
   * no unread entry is overwritten. */
  size_t wr = top, ia = kk, ib = e;
  while (ia > p || ib > s) {
    uint32_t id;
    int32_t ddx, ddy, ddz;
    if (ib == s || (ia > p && ids[ia - 1] >= m[ib - 1].id)) {
      ia--;
      id = ids[ia];
      ddx = dx[ia];
      ddy = dy[ia];
      ddz = dz[ia];
    } else {
      ib--;
      id = m[ib].id;
      ddx = m[ib].dx;
      ddy = m[ib].dy;
      ddz = m[ib].dz;
    }
    if (wr < top && ids[wr] == id) {
      dx[wr] = synk_wrap_add(dx[wr], ddx);
      dy[wr] = synk_wrap_add(dy[wr], ddy);
      dz[wr] = synk_wrap_add(dz[wr], ddz);
    } else {
      wr--;
      ids[wr] = id;
      dx[wr] = ddx;
      dy[wr] = ddy;
      dz[wr] = ddz;
    }
  }
  const size_t len = top - wr;
  if (wr > p) {
    memmove(ids + p, ids + wr, len * sizeof *ids);
    memmove(dx + p, dx + wr, len * sizeof *dx);
    memmove(dy + p, dy + wr, len * sizeof *dy);
    memmove(dz + p, dz + wr, len * sizeof *dz);
  }
  *k = p + len;
  return 1;
}

/* A cheap look before pass 1: among 32 adjacent pairs sampled over the batch,
 * at most 8 descents (a batch of runs averaging >= 16 motions has ~2; a
 * shuffled one ~16: bench cases peer-perm1e4 and rand-1e4 skip the pass). */
static int looks_like_runs(const synk_motion *m, size_t n) {
  unsigned desc = 0;
  for (size_t j = 0; j < 32; j++) {
    size_t i = j * (n - 1) / 32;
    desc += m[i + 1].id < m[i].id;
  }
  return desc <= 8;
}

/* The runs path; returns 0 (nothing written) when the batch is not one. */
static int apply_runs(synk_world *w, const synk_motion *m, size_t n, size_t *bad_index, synk_status *out) {
  /* more motions than ids: repeats dominate, and the accumulator sums them
   * cheaper (bench cases peer-one, peer-7x13: 1000 motions over 100 ids) */
  if (n > w->cap || n >= UINT32_MAX || !looks_like_runs(m, n)) return 0;
  /* scratch in the accumulator (4 words per id): keys and their sort space
   * (2 * rmax u64), run starts (rmax + 1 u32) */
  size_t rmax = n / RUN_MIN_AVG, room = (4 * (size_t)w->cap - 1) / 5;
  if (rmax > room) rmax = room;
  uint64_t *keys = (uint64_t *)(void *)w->acc, *tmp = keys + rmax;
  uint32_t *starts = (uint32_t *)(void *)(keys + 2 * rmax);
  size_t nr = 0;
  int dup = 0;
  synk_status st = SYNK_OK;
  size_t i = runs_pass(w, m, n, starts, rmax, &nr, &dup, &st);
  if (st) {
    w->last_path = SYNK_PATH_RUNS;
    if (bad_index) *bad_index = i;
    *out = st;
    return 1;
  }
  if (!nr) return 0;
  for (size_t r = 0; r < nr; r++) keys[r] = (uint64_t)m[starts[r]].id << 32 | r;
  sort_keys(keys, tmp, nr);
  int disjoint = !dup;
  for (size_t r = 1; r < nr && disjoint; r++) {
    uint32_t before = (uint32_t)keys[r - 1];
    disjoint = (uint32_t)(keys[r] >> 32) > m[starts[before + 1] - 1].id;
  }
  uint64_t sum = 0;
  if (disjoint) { /* each run to the kernel as it is */
    for (size_t r = 0; r < nr; r++) {
      uint32_t q = (uint32_t)keys[r];
      sum += apply_sorted(w, m + starts[q], NULL, NULL, NULL, NULL, starts[q + 1] - starts[q]);
    }
  } else {
    size_t k = 0, budget = RUN_MERGE_BUDGET * n;
    for (size_t r = 0; r < nr; r++) {
      uint32_t q = (uint32_t)keys[r];
      if (!merge_run(w, m, starts[q], starts[q + 1], dup, &k, &budget)) {
        *out = apply_general(w, m, n, 0, UINT32_MAX, 0, bad_index);
        return 1;
      }
    }
    sum = apply_sorted(w, NULL, w->sorted, w->dx, w->dy, w->dz, k);
  }
  w->last_path = SYNK_PATH_RUNS;
  w->sum += sum;
  *out = SYNK_OK;
  return 1;
}

synk_status synk_apply_motions(synk_world *w, const synk_motion *m, size_t n, size_t *bad_index) {
  if (!w || (!m && n)) return SYNK_E_ARG;
  if (n == 0) {
    w->last_path = SYNK_PATH_NONE;
    return SYNK_OK;
  }
  if (n <= SMALL_BATCH) return apply_small(w, m, n, bad_index);
  synk_status st = SYNK_OK;
  size_t i = sorted_pass(w, m, n, &st);
  if (st) {
    w->last_path = SYNK_PATH_SORTED;
    if (bad_index) *bad_index = i;
    return st;
  }
  if (i < n) {
    if (apply_runs(w, m, n, bad_index, &st)) return st;
    return apply_unordered(w, m, n, bad_index);
  }
  w->last_path = SYNK_PATH_SORTED;
  w->sum += apply_sorted(w, m, NULL, NULL, NULL, NULL, n);
  return SYNK_OK;
}
