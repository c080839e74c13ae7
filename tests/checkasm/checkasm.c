/* SPDX-License-Identifier: MIT */
/*
 * checkasm: cross-check every SIMD kernel against the scalar reference.
 *
 * In the spirit of dav1d's checkasm (written from scratch): for each kernel of
 * the table (synk_kernels: hash_range, hash_fill, hash_ids, motion_apply) and each
 * backend that can run here (native, and SIMDe emulations such as neon or
 * wasm on x86-64), build random worlds -- any max_entities (tiny, odd, not a
 * multiple of the vector width, the 64-id alive word or the 256-id chunk),
 * 0..16 properties, alive patterns from empty to full, values from small to
 * INT32_MIN/INT32_MAX -- and require bit-identical results:
 *
 *   hash_range    any [first, first + count), aligned or not, empty, to the end
 *   hash_fill     the same ranges; the returned sum, and every cached entity
 *                 hash (w->eh) inside the range stored, every one outside
 *                 left as it was (sentinels)
 *   hash_ids      id lists with repeats, unsorted, any length; the output is
 *                 padded with sentinels on both sides that must stay intact
 *   motion_apply  (and motion_apply_aos: each side reads the columns or the
 *                 synk_motion records, by a coin of its own)
 *                 two worlds built identically, sorted distinct alive ids
 *                 (runs, gaps, runs across chunk boundaries, 0..~1000 ids)
 *                 with positional deltas dx[i], dy[i], dz[i] as the batch
 *                 driver passes them; the returned sum, every chunk sum and
 *                 dirty bit, and the whole state (cached entity hashes
 *                 included) must match, and the chunk sums and cached
 *                 hashes must equal a recomputation
 *
 * Every iteration draws its inputs from the seed, the kernel and the
 * iteration number only, so a printed failure replays exactly:
 *
 *   checkasm [--seed=N] [--iterations=N] [--iteration=N] [--isa=NAME]...
 *            [--kernel=NAME]... [--list]
 *
 * Exit status: 0 all match, 1 any mismatch, 2 usage error.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "kernel/internal.h"
#include "test_util.h"

#define DEFAULT_SEED 1u
#define DEFAULT_ITERATIONS 200u
#define MAX_ISAS 16
#define MAX_REPORTS 6 /* mismatch lines printed per kernel x backend */
#define PAD 16        /* sentinel slots on each side of hash_ids' output */

/* ---- the run ------------------------------------------------------------- */

typedef struct run {
  uint64_t seed;
  unsigned iteration;       /* current iteration */
  const char *kernel;       /* current kernel */
  const char *isa;          /* backend under test */
  const synk_kernels *ref;  /* the scalar reference */
  const synk_kernels *tst;  /* the backend under test */
  unsigned mismatches;      /* of the current kernel x backend */
  unsigned first_bad;       /* iteration of the first mismatch */
  unsigned long cases;      /* comparisons made, current kernel x backend */
  char world[96];           /* description of the current world, for reports */
} run;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void mismatch(run *r, const char *fmt, ...) {
  if (r->mismatches++ == 0) r->first_bad = r->iteration;
  if (r->mismatches > MAX_REPORTS) return;
  printf("MISMATCH kernel=%s isa=%s seed=%" PRIu64 " iteration=%u %s: ", r->kernel, r->isa, r->seed,
         r->iteration, r->world);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  if (r->mismatches == MAX_REPORTS) printf("  (further mismatches of %s on %s not shown)\n", r->kernel, r->isa);
  fflush(stdout);
}

/* ---- random worlds ------------------------------------------------------- */

typedef struct wparams {
  uint32_t cap, np;
  uint64_t cfg_seed;  /* keys the hash */
  uint64_t fill_seed; /* alive pattern and contents */
} wparams;

static void draw_params(t_rng *rng, wparams *p) {
  static const uint32_t special[] = {1,   2,   3,   4,   5,   7,    8,    9,    15,   16,   17,  31,
                                     32,  33,  63,  64,  65,  127,  128,  129,  255,  256,  257, 511,
                                     512, 513, 767, 768, 769, 1023, 1024, 1025, 4095, 4096, 4097};
  uint32_t k = t_below(rng, 100);
  if (k < 25) p->cap = special[t_below(rng, (uint32_t)(sizeof special / sizeof special[0]))];
  else if (k < 45) p->cap = 1 + t_below(rng, 64);
  else if (k < 85) p->cap = 1 + t_below(rng, 3000);
  else if (k < 97) p->cap = 3000 + t_below(rng, 20000);
  else p->cap = 65536 + t_below(rng, 70000); /* long runs of empty alive words */
  p->np = t_below(rng, SYNK_MAX_PROPS + 1);
  p->cfg_seed = t_next(rng);
  p->fill_seed = t_next(rng);
}

enum { VAL_ANY, VAL_SMALL, VAL_EXTREME, VAL_MIXED, VAL_ZERO, VAL_MODES };

static int32_t draw_value(t_rng *rng, int mode) {
  static const int32_t extremes[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX};
  if (mode == VAL_MIXED) mode = (int)t_below(rng, 3);
  switch (mode) {
    case VAL_ANY: return t_i32(rng);
    case VAL_SMALL: return (int32_t)t_below(rng, 2001) - 1000;
    case VAL_EXTREME: return extremes[t_below(rng, (uint32_t)(sizeof extremes / sizeof extremes[0]))];
    default: return 0;
  }
}

static uint32_t as_u32(int32_t v) { return (uint32_t)v; }

/* Alive pattern of one segment of ids. */
enum { PAT_EMPTY, PAT_FULL, PAT_DENSE, PAT_HALF, PAT_SPARSE, PAT_STRIDE, PAT_RUNS, PAT_COUNT };

/* A valid world: contents only for live ids (dead ids stay 0, as the API
 * keeps them), count, chunk sums and their total computed by the scalar
 * reference. The same params always give the same world. */
static synk_world *build_world(const wparams *p) {
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_entities = p->cap;
  cfg.num_props = p->np;
  cfg.seed = p->cfg_seed;
  synk_world *w = NULL;
  if (synk_world_create(&cfg, &w) != SYNK_OK) return NULL;
  t_rng rng;
  t_seed(&rng, p->fill_seed);

  /* alive bits, segment by segment; segments often end on chunk boundaries */
  uint32_t whole = t_below(&rng, 20); /* 0: all dead, 1: all alive, else mixed */
  for (uint32_t id = 0; id < p->cap;) {
    uint32_t len = t_below(&rng, 3) == 0 ? SYNK_CHUNK_IDS - id % SYNK_CHUNK_IDS : 1 + t_below(&rng, 600);
    if (len > p->cap - id) len = p->cap - id;
    uint32_t pat = whole == 0 ? PAT_EMPTY : whole == 1 ? PAT_FULL : t_below(&rng, PAT_COUNT);
    uint32_t stride = 2 + t_below(&rng, 8), run_left = 0;
    int run_alive = 0;
    for (uint32_t i = id; i < id + len; i++) {
      int alive;
      switch (pat) {
        case PAT_EMPTY: alive = 0; break;
        case PAT_FULL: alive = 1; break;
        case PAT_DENSE: alive = t_below(&rng, 16) != 0; break;
        case PAT_HALF: alive = (int)t_below(&rng, 2); break;
        case PAT_SPARSE: alive = t_below(&rng, 64) == 0; break;
        case PAT_STRIDE: alive = i % stride == 0; break;
        default:
          if (run_left == 0) {
            run_alive = !run_alive;
            run_left = 1 + t_below(&rng, 20);
          }
          run_left--;
          alive = run_alive;
          break;
      }
      if (alive) w->alive[i >> 6] |= UINT64_C(1) << (i & 63);
    }
    id += len;
  }

  /* contents of live ids, each field with its own value distribution */
  int mode[5 + SYNK_MAX_PROPS];
  for (int f = 0; f < 5 + SYNK_MAX_PROPS; f++) mode[f] = (int)t_below(&rng, VAL_MODES);
  size_t count = 0;
  for (uint32_t id = 0; id < p->cap; id++) {
    if (!synk_alive(w, id)) continue;
    count++;
    w->kind[id] = as_u32(draw_value(&rng, mode[0]));
    w->x[id] = draw_value(&rng, mode[1]);
    w->y[id] = draw_value(&rng, mode[2]);
    w->z[id] = draw_value(&rng, mode[3]);
    for (uint32_t s = 0; s < p->np; s++) w->props[s][id] = draw_value(&rng, mode[5 + s]);
  }
  w->count = count;
  w->sum = 0;
  for (uint32_t c = 0; c < w->nchunks; c++) {
    uint32_t first = c * SYNK_CHUNK_IDS;
    uint32_t n = p->cap - first < SYNK_CHUNK_IDS ? p->cap - first : SYNK_CHUNK_IDS;
    w->chunk[c] = synk_hash_range_scalar(w, first, n);
    w->sum += w->chunk[c];
  }
  for (uint32_t id = 0; id < p->cap; id++) w->eh[id] = synk_alive(w, id) ? synk_hash_entity_ref(w, id) : 0;
  return w;
}

static void describe(run *r, const wparams *p, const synk_world *w) {
  snprintf(r->world, sizeof r->world, "(max_entities=%" PRIu32 " num_props=%" PRIu32 " alive=%zu)", p->cap,
           p->np, w ? w->count : (size_t)0);
}

/* Sorted list of the live ids of w (caller frees). */
static uint32_t *alive_ids(const synk_world *w, size_t *n) {
  uint32_t *list = (uint32_t *)malloc((w->count ? w->count : 1) * sizeof *list);
  size_t k = 0;
  if (list)
    for (uint32_t wi = 0; wi < w->nwords; wi++)
      for (uint64_t bits = w->alive[wi]; bits; bits &= bits - 1)
        list[k++] = wi * 64 + synk_ctz64(bits);
  *n = k;
  return list;
}

/* ---- hash_range ---------------------------------------------------------- */

static void draw_range(t_rng *rng, uint32_t cap, uint32_t *first, uint32_t *count) {
  uint32_t f = 0, n = cap;
  switch (t_below(rng, 8)) {
    case 0: break; /* the whole world */
    case 1:        /* anywhere, to anywhere */
      f = t_below(rng, cap + 1);
      n = t_below(rng, cap - f + 1);
      break;
    case 2: /* short */
      f = t_below(rng, cap + 1);
      n = t_below(rng, (cap - f < 80 ? cap - f : 80) + 1);
      break;
    case 3: /* one chunk, as synk_rehash asks */
      f = t_below(rng, (cap + SYNK_CHUNK_IDS - 1) / SYNK_CHUNK_IDS) * SYNK_CHUNK_IDS;
      n = cap - f < SYNK_CHUNK_IDS ? cap - f : SYNK_CHUNK_IDS;
      break;
    case 4: /* the tail */
      n = t_below(rng, (cap < 300 ? cap : 300) + 1);
      f = cap - n;
      break;
    case 5: /* empty */
      f = t_below(rng, cap + 1);
      n = 0;
      break;
    case 6: { /* straddling an alive word boundary */
      uint32_t b = 64 * t_below(rng, cap / 64 + 1);
      uint32_t back = t_below(rng, 9);
      f = b - (back < b ? back : b);
      n = t_below(rng, 140);
      if (n > cap - f) n = cap - f;
      break;
    }
    default: /* from an unaligned start to the end */
      f = t_below(rng, cap + 1);
      n = cap - f;
      break;
  }
  *first = f;
  *count = n;
}

static void test_hash_range(run *r, t_rng *rng) {
  wparams p;
  draw_params(rng, &p);
  synk_world *w = build_world(&p);
  describe(r, &p, w);
  if (!w) {
    mismatch(r, "cannot create the world");
    return;
  }
  /* fewer ranges over big worlds: emulated backends in debug builds are slow */
  int queries = p.cap > 20000 ? 4 : 16;
  for (int q = 0; q < queries; q++) {
    uint32_t first, count;
    draw_range(rng, p.cap, &first, &count);
    uint64_t want = r->ref->hash_range(w, first, count);
    uint64_t got = r->tst->hash_range(w, first, count);
    r->cases++;
    if (want != got)
      mismatch(r, "hash_range(first=%" PRIu32 ", count=%" PRIu32 "): scalar %016" PRIx64 ", %s %016" PRIx64,
               first, count, want, r->isa, got);
  }
  synk_world_destroy(w);
}

/* ---- hash_fill ----------------------------------------------------------- */

static uint64_t sentinel(size_t i);

static void test_hash_fill(run *r, t_rng *rng) {
  wparams p;
  draw_params(rng, &p);
  synk_world *w = build_world(&p);
  describe(r, &p, w);
  uint64_t *want = w ? (uint64_t *)malloc((size_t)p.cap * 8) : NULL;
  if (!w || !want) {
    mismatch(r, "cannot create the world");
    free(want);
    synk_world_destroy(w);
    return;
  }
  int queries = p.cap > 20000 ? 4 : 16;
  for (int q = 0; q < queries; q++) {
    uint32_t first, count;
    draw_range(rng, p.cap, &first, &count);
    for (uint32_t i = 0; i < p.cap; i++) w->eh[i] = sentinel(i);
    uint64_t sw = r->ref->hash_fill(w, first, count);
    memcpy(want, w->eh, (size_t)p.cap * 8);
    for (uint32_t i = 0; i < p.cap; i++) w->eh[i] = sentinel(i);
    uint64_t sg = r->tst->hash_fill(w, first, count);
    r->cases++;
    if (sw != sg)
      mismatch(r, "hash_fill(first=%" PRIu32 ", count=%" PRIu32 ") returned: scalar %016" PRIx64 ", %s %016" PRIx64,
               first, count, sw, r->isa, sg);
    for (uint32_t i = 0; i < p.cap; i++) {
      int in = i >= first && i - first < count;
      uint64_t spec = !in ? sentinel(i) : synk_alive(w, i) ? synk_hash_entity_ref(w, i) : 0;
      if (want[i] != spec) {
        mismatch(r, "scalar hash_fill(first=%" PRIu32 ", count=%" PRIu32 ") eh[%" PRIu32 "] = %016" PRIx64
                    ", expected %016" PRIx64 " (the reference or this harness is wrong)",
                 first, count, i, want[i], spec);
        break;
      }
      if (w->eh[i] != want[i]) {
        mismatch(r, "hash_fill(first=%" PRIu32 ", count=%" PRIu32 ") eh[%" PRIu32 "]%s: scalar %016" PRIx64
                    ", %s %016" PRIx64,
                 first, count, i, in ? "" : " (outside the range)", want[i], r->isa, w->eh[i]);
        break;
      }
    }
  }
  free(want);
  synk_world_destroy(w);
}

/* ---- hash_ids ------------------------------------------------------------ */

static size_t draw_len(t_rng *rng, size_t small_max, size_t big) {
  switch (t_below(rng, 6)) {
    case 0: return t_below(rng, 17);
    case 1: { /* around a multiple of a vector width (draws sequenced: replays on any compiler) */
      size_t width = (size_t)4 << t_below(rng, 3);
      size_t times = 1 + t_below(rng, 8);
      return width * times + t_below(rng, 3) - 1;
    }
    case 2:
    case 3: return t_below(rng, (uint32_t)small_max + 1);
    case 4: return big - 64 + t_below(rng, 128);
    default: return t_below(rng, 64);
  }
}

/* a different value at every index, so a shifted write shows too */
static uint64_t sentinel(size_t i) {
  return UINT64_C(0xA5C3E1F00F1E3C5A) ^ ((uint64_t)i * UINT64_C(0x9E3779B97F4A7C15));
}

/* Check that the sentinels around out[PAD + off .. PAD + off + n) survived. */
static void check_pad(run *r, const uint64_t *buf, size_t lo, size_t n, size_t total, const char *who) {
  for (size_t i = 0; i < total; i++) {
    if (i >= lo && i < lo + n) continue;
    if (buf[i] != sentinel(i)) {
      mismatch(r, "%s hash_ids(n=%zu) wrote outside its output: out[%td] = %016" PRIx64 " (sentinel %016" PRIx64 ")",
               who, n, (ptrdiff_t)i - (ptrdiff_t)lo, buf[i], sentinel(i));
      return;
    }
  }
}

static void test_hash_ids(run *r, t_rng *rng) {
  wparams p;
  draw_params(rng, &p);
  synk_world *w = build_world(&p);
  describe(r, &p, w);
  if (!w) {
    mismatch(r, "cannot create the world");
    return;
  }
  size_t nalive;
  uint32_t *alive = alive_ids(w, &nalive);
  for (int q = 0; q < 8 && alive; q++) {
    size_t n = draw_len(rng, 300, 1500);
    /* exact-size buffers (an over-read is an ASan error), at varying alignment */
    size_t id_off = t_below(rng, 4), out_off = t_below(rng, 4);
    uint32_t *idbuf = (uint32_t *)malloc((n + id_off ? n + id_off : 1) * sizeof *idbuf);
    uint32_t *saved = (uint32_t *)malloc((n ? n : 1) * sizeof *saved);
    size_t total = n + out_off + 2 * PAD;
    uint64_t *want = (uint64_t *)malloc(total * sizeof *want), *got = (uint64_t *)malloc(total * sizeof *got);
    if (!idbuf || !saved || !want || !got) {
      free(idbuf);
      free(saved);
      free(want);
      free(got);
      mismatch(r, "out of memory");
      break;
    }
    uint32_t *ids = idbuf + id_off;
    uint32_t shape = t_below(rng, 7), base = t_below(rng, p.cap);
    uint32_t few[3];
    few[0] = t_below(rng, p.cap);
    few[1] = t_below(rng, p.cap);
    few[2] = p.cap - 1;
    for (size_t i = 0; i < n; i++) {
      uint32_t id;
      switch (shape) {
        case 0: id = t_below(rng, p.cap); break;                                  /* anywhere */
        case 1: id = (uint32_t)((base + i) % p.cap); break;                       /* ascending run */
        case 2: id = base; break;                                                 /* one id */
        case 3: id = i % 2 ? p.cap - 1 : 0; break;                                /* both ends */
        case 4: id = nalive ? alive[t_below(rng, (uint32_t)nalive)] : base; break; /* live ids */
        case 5: id = few[t_below(rng, 3)]; break;                                 /* repeats */
        default: id = (uint32_t)((base + p.cap - i % p.cap) % p.cap); break;      /* descending */
      }
      ids[i] = id;
    }
    if (n) memcpy(saved, ids, n * sizeof *ids);
    for (size_t i = 0; i < total; i++) want[i] = got[i] = sentinel(i);
    size_t lo = PAD + out_off;
    r->ref->hash_ids(w, ids, n, want + lo);
    r->tst->hash_ids(w, ids, n, got + lo);
    r->cases++;
    check_pad(r, want, lo, n, total, "scalar");
    check_pad(r, got, lo, n, total, r->isa);
    for (size_t i = 0; i < n; i++)
      if (want[lo + i] != got[lo + i]) {
        mismatch(r,
                 "hash_ids(n=%zu, shape %" PRIu32 ") out[%zu] (id %" PRIu32 "): scalar %016" PRIx64
                 ", %s %016" PRIx64,
                 n, shape, i, ids[i], want[lo + i], r->isa, got[lo + i]);
        break;
      }
    if (n && memcmp(saved, ids, n * sizeof *ids) != 0) mismatch(r, "hash_ids(n=%zu) modified its ids", n);
    free(idbuf);
    free(saved);
    free(want);
    free(got);
  }
  free(alive);
  synk_world_destroy(w);
}

/* ---- motion_apply -------------------------------------------------------- */

/* Sorted distinct live ids for one batch; returns how many. */
static size_t select_ids(t_rng *rng, const synk_world *w, const uint32_t *alive, size_t nalive, uint32_t *out) {
  size_t limit;
  uint32_t k = t_below(rng, 10);
  if (k == 0) limit = 0;
  else if (k < 4) limit = t_below(rng, 9);
  else if (k < 7) limit = t_below(rng, 101);
  else if (k < 9) limit = t_below(rng, 1001);
  else limit = 900 + t_below(rng, 125);
  if (limit > nalive) limit = nalive;
  if (limit == 0) return 0;
  size_t n = 0;
  size_t start = t_below(rng, (uint32_t)nalive);
  switch (t_below(rng, 6)) {
    case 0: /* consecutive live ids: contiguous runs where the world is dense */
      for (size_t i = start; i < nalive && n < limit; i++) out[n++] = alive[i];
      break;
    case 1: { /* a random subset */
      uint32_t keep = 1 + t_below(rng, 7); /* of 8 */
      for (size_t i = start; i < nalive && n < limit; i++)
        if (t_below(rng, 8) < keep) out[n++] = alive[i];
      break;
    }
    case 2: { /* runs and gaps */
      uint32_t run_max = 1 + t_below(rng, 40), gap_max = 1 + t_below(rng, 40);
      size_t i = start;
      while (i < nalive && n < limit) {
        for (uint32_t len = 1 + t_below(rng, run_max); len && i < nalive && n < limit; len--) out[n++] = alive[i++];
        i += 1 + t_below(rng, gap_max);
      }
      break;
    }
    case 3: /* short runs across 256-id chunk boundaries */
      for (uint32_t b = SYNK_CHUNK_IDS; b < w->cap && n < limit; b += SYNK_CHUNK_IDS) {
        if (t_below(rng, 4) == 0) continue;
        uint32_t lo = b - 1 - t_below(rng, 12), hi = b + t_below(rng, 12);
        for (uint32_t id = lo; id < hi && id < w->cap && n < limit; id++)
          if (synk_alive(w, id)) out[n++] = id;
      }
      break;
    case 4: /* one id: often the first or the last live one */
      out[n++] = alive[t_below(rng, 2) ? start : t_below(rng, 2) ? 0 : nalive - 1];
      break;
    default: { /* every live id of a window */
      uint32_t lo = alive[start], hi = lo + 1 + t_below(rng, 1200);
      for (size_t i = start; i < nalive && alive[i] < hi && n < limit; i++) out[n++] = alive[i];
      break;
    }
  }
  return n;
}

/* First index where two int32 arrays differ, or -1. */
static long first_diff32(const int32_t *a, const int32_t *b, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (a[i] != b[i]) return (long)i;
  return -1;
}

/* The whole state of want (scalar) and got (backend) must be identical. */
static int compare_worlds(run *r, const synk_world *want, const synk_world *got, size_t n) {
  int bad = 0;
  const struct {
    const char *name;
    const int32_t *a, *b;
  } arrays[] = {{"x", want->x, got->x}, {"y", want->y, got->y}, {"z", want->z, got->z},
                {"kind", (const int32_t *)(const void *)want->kind, (const int32_t *)(const void *)got->kind}};
  for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
    long i = first_diff32(arrays[k].a, arrays[k].b, want->cap);
    if (i >= 0) {
      mismatch(r,
               "motion_apply(n=%zu) %s[%ld]: scalar %" PRId32 " (0x%08" PRIx32 "), %s %" PRId32
               " (0x%08" PRIx32 ")",
               n, arrays[k].name, i, arrays[k].a[i], as_u32(arrays[k].a[i]), r->isa, arrays[k].b[i],
               as_u32(arrays[k].b[i]));
      bad = 1;
    }
  }
  for (uint32_t s = 0; s < want->num_props; s++) {
    long i = first_diff32(want->props[s], got->props[s], want->cap);
    if (i >= 0) {
      mismatch(r, "motion_apply(n=%zu) props[%" PRIu32 "][%ld]: scalar %" PRId32 ", %s %" PRId32, n, s, i,
               want->props[s][i], r->isa, got->props[s][i]);
      bad = 1;
    }
  }
  for (uint32_t i = 0; i < want->cap; i++)
    if (want->eh[i] != got->eh[i]) {
      mismatch(r, "motion_apply(n=%zu) cached hash eh[%" PRIu32 "]: scalar %016" PRIx64 ", %s %016" PRIx64, n, i,
               want->eh[i], r->isa, got->eh[i]);
      bad = 1;
      break;
    }
  for (uint32_t i = 0; i < want->nwords; i++)
    if (want->alive[i] != got->alive[i]) {
      mismatch(r, "motion_apply(n=%zu) alive word %" PRIu32 ": scalar %016" PRIx64 ", %s %016" PRIx64, n, i,
               want->alive[i], r->isa, got->alive[i]);
      bad = 1;
      break;
    }
  /* every chunk the reference marks dirty must be marked (more is harmless) */
  for (uint32_t i = 0; i < (want->nchunks + 63) / 64; i++)
    if (want->dirty[i] & ~got->dirty[i]) {
      uint32_t c = i * 64 + synk_ctz64(want->dirty[i] & ~got->dirty[i]);
      mismatch(r, "motion_apply(n=%zu) left chunk %" PRIu32 " clean; the scalar reference marks it dirty", n, c);
      bad = 1;
      break;
    }
  for (uint32_t c = 0; c < want->nchunks; c++)
    if (want->chunk[c] != got->chunk[c]) {
      mismatch(r,
               "motion_apply(n=%zu) chunk[%" PRIu32 "] (ids %" PRIu32 "..%" PRIu32 "): scalar %016" PRIx64
               ", %s %016" PRIx64,
               n, c, c * SYNK_CHUNK_IDS, c * SYNK_CHUNK_IDS + SYNK_CHUNK_IDS - 1, want->chunk[c], r->isa,
               got->chunk[c]);
      bad = 1;
      break;
    }
  return bad;
}

/* One batch: the scalar reference on world a, the backend on world b (built
 * identically); both get their own copies of the same ids and deltas. */
static int batch_check(run *r, synk_world *a, synk_world *b, const uint32_t *sel, const uint32_t *ids_a,
                       const uint32_t *ids_b, int32_t *const d_a[3], int32_t *const d_b[3], size_t n) {
  /* each side reads the columns or, with its own coin, the records
   * (motion_apply_aos: the strictly-increasing batch path) */
  synk_motion *m = (synk_motion *)malloc((n ? n : 1) * sizeof *m);
  if (!m) {
    mismatch(r, "out of memory");
    return 1;
  }
  const int ref_aos = (int)((r->iteration + n) & 1), tst_aos = (int)(((r->iteration + n) >> 1) & 1);
  for (size_t i = 0; i < n; i++) {
    m[i].id = ids_b[i];
    m[i].dx = d_b[0][i];
    m[i].dy = d_b[1][i];
    m[i].dz = d_b[2][i];
  }
  uint64_t want = ref_aos ? r->ref->motion_apply_aos(a, m, n) : r->ref->motion_apply(a, ids_a, d_a[0], d_a[1], d_a[2], n);
  uint64_t got = tst_aos ? r->tst->motion_apply_aos(b, m, n) : r->tst->motion_apply(b, ids_b, d_b[0], d_b[1], d_b[2], n);
  for (size_t i = 0; i < n; i++)
    if (m[i].id != ids_b[i] || m[i].dx != d_b[0][i] || m[i].dy != d_b[1][i] || m[i].dz != d_b[2][i]) {
      mismatch(r, "motion_apply_aos(n=%zu) modified its records", n);
      free(m);
      return 1;
    }
  free(m);
  a->sum += want;
  b->sum += got;
  r->cases++;
  int bad = 0;
  if (want != got) {
    mismatch(r, "motion_apply(n=%zu, ids %" PRIu32 "..%" PRIu32 ") returned: scalar %016" PRIx64 ", %s %016" PRIx64,
             n, n ? sel[0] : 0, n ? sel[n - 1] : 0, want, r->isa, got);
    bad = 1;
  }
  bad |= compare_worlds(r, a, b, n);
  int touched_inputs = n && memcmp(ids_b, sel, n * sizeof *sel) != 0;
  for (int d = 0; d < 3; d++) touched_inputs |= n && memcmp(d_a[d], d_b[d], n * sizeof *d_a[d]) != 0;
  if (touched_inputs) {
    mismatch(r, "motion_apply(n=%zu) modified its ids or deltas", n);
    bad = 1;
  }
  /* the reference itself: every chunk sum equals a recomputation */
  for (uint32_t c = 0; c < a->nchunks && !bad; c++) {
    uint32_t first = c * SYNK_CHUNK_IDS;
    uint32_t cnt = a->cap - first < SYNK_CHUNK_IDS ? a->cap - first : SYNK_CHUNK_IDS;
    uint64_t fresh = synk_hash_range_scalar(a, first, cnt);
    if (fresh != a->chunk[c]) {
      mismatch(r, "scalar motion_apply(n=%zu) left chunk[%" PRIu32 "] = %016" PRIx64 ", recomputed %016" PRIx64
                  " (the reference or this harness is wrong)",
               n, c, a->chunk[c], fresh);
      bad = 1;
    }
  }
  for (uint32_t i = 0; i < a->cap && !bad; i++) {
    uint64_t fresh = synk_alive(a, i) ? synk_hash_entity_ref(a, i) : 0;
    if (fresh != a->eh[i]) {
      mismatch(r, "scalar motion_apply(n=%zu) left eh[%" PRIu32 "] = %016" PRIx64 ", recomputed %016" PRIx64
                  " (the reference or this harness is wrong)",
               n, i, a->eh[i], fresh);
      bad = 1;
    }
  }
  return bad;
}

static void test_motion_apply(run *r, t_rng *rng) {
  wparams p;
  draw_params(rng, &p);
  synk_world *a = build_world(&p), *b = build_world(&p);
  describe(r, &p, a);
  size_t nalive = 0;
  uint32_t *alive = a ? alive_ids(a, &nalive) : NULL;
  uint32_t *sel = (uint32_t *)malloc((nalive ? nalive : 1) * sizeof *sel);
  if (!a || !b || !alive || !sel) {
    mismatch(r, "cannot create the worlds");
    goto out;
  }
  for (uint32_t batch = 0, batches = 1 + t_below(rng, 3); batch < batches; batch++) {
    size_t n = select_ids(rng, a, alive, nalive, sel);
    int mode[3];
    for (int d = 0; d < 3; d++) mode[d] = (int)t_below(rng, VAL_MODES);
    /* each kernel gets its own exact-size copies (an over-read is an ASan error) */
    size_t bytes = (n ? n : 1) * sizeof(uint32_t);
    uint32_t *ids_a = (uint32_t *)malloc(bytes), *ids_b = (uint32_t *)malloc(bytes);
    int32_t *d_a[3], *d_b[3];
    int oom = !ids_a || !ids_b, bad = 0;
    for (int d = 0; d < 3; d++) {
      d_a[d] = (int32_t *)malloc(bytes);
      d_b[d] = (int32_t *)malloc(bytes);
      oom |= !d_a[d] || !d_b[d];
    }
    if (!oom) {
      for (size_t i = 0; i < n; i++) {
        ids_a[i] = ids_b[i] = sel[i];
        for (int d = 0; d < 3; d++) d_a[d][i] = d_b[d][i] = draw_value(rng, mode[d]);
      }
    }
    if (oom) {
      mismatch(r, "out of memory");
    } else {
      bad = batch_check(r, a, b, sel, ids_a, ids_b, d_a, d_b, n);
    }
    free(ids_a);
    free(ids_b);
    for (int d = 0; d < 3; d++) {
      free(d_a[d]);
      free(d_b[d]);
    }
    if (oom || bad) break; /* the worlds differ now: later batches prove nothing */
  }
out:
  free(sel);
  free(alive);
  synk_world_destroy(a);
  synk_world_destroy(b);
}

/* ---- driver -------------------------------------------------------------- */

typedef struct kernel_test {
  const char *name;
  void (*test)(run *r, t_rng *rng);
  int (*same)(const synk_kernels *a, const synk_kernels *b); /* same function in both tables */
} kernel_test;

static int same_hash_range(const synk_kernels *a, const synk_kernels *b) { return a->hash_range == b->hash_range; }
static int same_hash_fill(const synk_kernels *a, const synk_kernels *b) { return a->hash_fill == b->hash_fill; }
static int same_hash_ids(const synk_kernels *a, const synk_kernels *b) { return a->hash_ids == b->hash_ids; }
static int same_motion_apply(const synk_kernels *a, const synk_kernels *b) {
  return a->motion_apply == b->motion_apply;
}

static const kernel_test kernel_tests[] = {
    {"hash_range", test_hash_range, same_hash_range},
    {"hash_fill", test_hash_fill, same_hash_fill},
    {"hash_ids", test_hash_ids, same_hash_ids},
    {"motion_apply", test_motion_apply, same_motion_apply},
};
#define NKERNELS (sizeof kernel_tests / sizeof kernel_tests[0])

static void usage(FILE *f) {
  fprintf(f,
          "usage: checkasm [--seed=N] [--iterations=N] [--iteration=N] [--isa=NAME]...\n"
          "                [--kernel=NAME]... [--list] [N]\n"
          "  --seed=N        PRNG seed (default %u); a bare number N is a seed too\n"
          "  --iterations=N  random worlds per kernel and backend (default %u)\n"
          "  --iteration=N   run only iteration N (replay a reported mismatch)\n"
          "  --isa=NAME      check only this backend (repeatable; 'scalar' self-checks)\n"
          "  --kernel=NAME   check only this kernel (repeatable)\n"
          "  --list          list kernels and runnable backends\n",
          DEFAULT_SEED, DEFAULT_ITERATIONS);
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end = NULL;
  if (!*s || *s == '-') return 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (*end) return 0;
  *out = (uint64_t)v;
  return 1;
}

int main(int argc, char **argv) {
  uint64_t seed = DEFAULT_SEED, iterations = DEFAULT_ITERATIONS, only_iteration = UINT64_MAX, v;
  const char *isas[MAX_ISAS], *kernels[NKERNELS + 1];
  size_t nisas = 0, nkernels = 0;
  int list = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--seed=", 7) == 0 && parse_u64(a + 7, &v)) seed = v;
    else if (parse_u64(a, &v)) seed = v;
    else if (strncmp(a, "--iterations=", 13) == 0 && parse_u64(a + 13, &v)) iterations = v;
    else if (strncmp(a, "--iteration=", 12) == 0 && parse_u64(a + 12, &v)) only_iteration = v;
    else if (strncmp(a, "--isa=", 6) == 0 && nisas < MAX_ISAS) isas[nisas++] = a + 6;
    else if (strncmp(a, "--kernel=", 9) == 0 && nkernels < NKERNELS + 1) kernels[nkernels++] = a + 9;
    else if (strcmp(a, "--list") == 0) list = 1;
    else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "checkasm: bad argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }

  const char *runnable[MAX_ISAS];
  size_t nrunnable = synk_isa_list(runnable, MAX_ISAS);
  if (nrunnable > MAX_ISAS) nrunnable = MAX_ISAS;
  if (list) {
    printf("kernels:");
    for (size_t k = 0; k < NKERNELS; k++) printf(" %s", kernel_tests[k].name);
    printf("\nbackends:");
    for (size_t j = 0; j < nrunnable; j++)
      printf(" %s%s", runnable[j], synk_isa_emulated(runnable[j]) == 1 ? " (emulated)" : "");
    printf("\n");
    return 0;
  }
  for (size_t k = 0; k < nkernels; k++) {
    size_t t = 0;
    while (t < NKERNELS && strcmp(kernel_tests[t].name, kernels[k]) != 0) t++;
    if (t == NKERNELS) {
      fprintf(stderr, "checkasm: unknown kernel '%s' (try --list)\n", kernels[k]);
      return 2;
    }
  }
  if (nisas == 0) { /* every runnable backend but the reference itself */
    for (size_t j = 0; j < nrunnable; j++)
      if (strcmp(runnable[j], "scalar") != 0) isas[nisas++] = runnable[j];
  }

  synk_kernels ref, tst;
  for (size_t j = 0; j < nisas; j++)
    if (synk_kernels_for(isas[j], &tst) != SYNK_OK) {
      fprintf(stderr, "checkasm: backend '%s' is unknown or cannot run here (try --list)\n", isas[j]);
      return 2;
    }
  if (synk_kernels_for("scalar", &ref) != SYNK_OK) {
    fprintf(stderr, "checkasm: no scalar reference table\n");
    return 1;
  }

  printf("checkasm: seed %" PRIu64 " (replay: checkasm --seed=%" PRIu64 "), %" PRIu64 " iterations\n", seed, seed,
         iterations);
  if (nisas == 0) printf("checkasm: no SIMD backend can run here; nothing to compare\n");
  fflush(stdout);

  unsigned failed_pairs = 0, pairs = 0;
  for (size_t j = 0; j < nisas; j++) {
    (void)synk_kernels_for(isas[j], &tst); /* checked above */
    int emu = synk_isa_emulated(isas[j]);
    for (size_t k = 0; k < NKERNELS; k++) {
      const kernel_test *kt = &kernel_tests[k];
      int wanted = nkernels == 0;
      for (size_t q = 0; q < nkernels; q++) wanted |= strcmp(kernels[q], kt->name) == 0;
      if (!wanted) continue;
      run r;
      memset(&r, 0, sizeof r);
      r.seed = seed;
      r.kernel = kt->name;
      r.isa = isas[j];
      r.ref = &ref;
      r.tst = &tst;
      const char *note = kt->same(&ref, &tst) && strcmp(isas[j], "scalar") != 0 ? " (the scalar function)" : "";
      for (uint64_t it = 0; it < iterations; it++) {
        if (only_iteration != UINT64_MAX && it != only_iteration) continue;
        r.iteration = (unsigned)it;
        /* inputs depend on seed, kernel and iteration only: every backend sees the same */
        t_rng rng;
        t_seed(&rng, seed ^ ((uint64_t)(k + 1) << 56) ^ (it * UINT64_C(0xD1B54A32D192ED03)));
        kt->test(&r, &rng);
      }
      pairs++;
      t_checks++;
      if (r.mismatches) {
        failed_pairs++;
        t_failures++;
        printf("  %-13s %-8s FAILED  %u mismatch(es) in %lu cases; replay: checkasm --seed=%" PRIu64
               " --isa=%s --kernel=%s --iteration=%u\n",
               kt->name, isas[j], r.mismatches, r.cases, seed, isas[j], kt->name, r.first_bad);
      } else {
        printf("  %-13s %-8s ok      %lu cases%s%s\n", kt->name, isas[j], r.cases,
               emu == 1 ? " (SIMDe emulation)" : "", note);
      }
      fflush(stdout);
    }
  }
  if (failed_pairs)
    printf("checkasm: FAILED: %u of %u kernel x backend pairs differ from the scalar reference (seed %" PRIu64 ")\n",
           failed_pairs, pairs, seed);
  return t_done("checkasm");
}
