/*
 * Run-time dispatch (after dav1d and simdjson): one table of kernel pointers,
 * filled with the scalar reference first and then by each backend's rung of
 * its cumulative ladder. Selected once, at first use: the best native backend,
 * or the one SYNK_ISA names. Never aborts, never prints.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>

#if defined(__AVX__) || defined(__AVX2__) || defined(__AVX512F__)
#error "build the dispatcher without global AVX flags: ISA flags belong on arch/ files only"
#endif

#if !defined(__x86_64__) && !defined(__i386__)
/* Targets without run-time detection: what the compiler was told is present. */
uint32_t synk_cpu_detect(void) {
  uint32_t f = 0;
#if defined(__ARM_NEON) || defined(__aarch64__)
  f |= SYNK_CPU_NEON;
#endif
#if defined(__wasm_simd128__)
  f |= SYNK_CPU_SIMD128;
#endif
  return f;
}
#endif

size_t synk_cpu_flag_names(uint32_t flags, const char **names, size_t cap) {
  static const struct { uint32_t bit; const char *name; } tab[] = {
      {SYNK_CPU_SSE2, "sse2"},         {SYNK_CPU_SSE41, "sse4.1"},
      {SYNK_CPU_AVX, "avx"},           {SYNK_CPU_AVX2, "avx2"},
      {SYNK_CPU_BMI2, "bmi2"},         {SYNK_CPU_AVX512F, "avx512f"},
      {SYNK_CPU_AVX512BW, "avx512bw"}, {SYNK_CPU_AVX512DQ, "avx512dq"},
      {SYNK_CPU_AVX512VL, "avx512vl"}, {SYNK_CPU_NEON, "neon"},
      {SYNK_CPU_SIMD128, "simd128"},
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
    if (!(flags & tab[i].bit)) continue;
    if (n < cap) names[n] = tab[i].name;
    n++;
  }
  return n;
}

/* The backends, lowest first; `parent` is the rung below on the same ladder. */
typedef struct backend {
  const char *name;
  uint32_t required;
  int emulated;
  int parent; /* index, -1 for scalar */
  void (*init)(synk_kernels *k);
} backend;

static const backend backends[] = {
    {"scalar", 0, 0, -1, synk_kernels_init_scalar},
#if defined(SYNK_HAVE_AVX2)
    {"avx2", SYNK_CPU_AVX2 | SYNK_CPU_BMI2, 0, 0, synk_kernels_init_avx2},
#endif
};
#define NBACKENDS (sizeof backends / sizeof backends[0])

static uint32_t cpu_flags(void) {
  static atomic_uint cached = 0;        /* bit 31 marks "detected" */
  unsigned v = atomic_load_explicit(&cached, memory_order_relaxed);
  if (!v) {
    v = synk_cpu_detect() | 0x80000000u;
    atomic_store_explicit(&cached, v, memory_order_relaxed);
  }
  return v & 0x7FFFFFFFu;
}

static int runnable(const backend *b) { return (b->required & cpu_flags()) == b->required; }

static int find(const char *name) {
  for (size_t i = 0; i < NBACKENDS; i++)
    if (strcmp(backends[i].name, name) == 0) return (int)i;
  return -1;
}

static void fill(int idx, synk_kernels *k) {
  if (backends[idx].parent >= 0) fill(backends[idx].parent, k);
  else memset(k, 0, sizeof *k);
  backends[idx].init(k);
  k->name = backends[idx].name;
}

static int best_native(void) {
  int best = 0;
  for (size_t i = 0; i < NBACKENDS; i++)
    if (!backends[i].emulated && runnable(&backends[i])) best = (int)i;
  return best;
}

/* The active table. Initialization is idempotent; the state word makes a
 * concurrent first use wait for the one thread that fills it. */
static synk_kernels active;
static atomic_int state = 0; /* 0 empty, 1 filling, 2 ready */

static int resolve(const char *name) {
  if (!name) return -1;
  if (strcmp(name, "auto") == 0) return best_native();
  int i = find(name);
  if (i < 0 || !runnable(&backends[i])) return -1;
  return i;
}

const synk_kernels *synk_kernels_active(void) {
  if (SYNK_LIKELY(atomic_load_explicit(&state, memory_order_acquire) == 2)) return &active;
  int expected = 0;
  if (atomic_compare_exchange_strong(&state, &expected, 1)) {
    int idx = resolve(getenv("SYNK_ISA"));
    fill(idx >= 0 ? idx : best_native(), &active);
    atomic_store_explicit(&state, 2, memory_order_release);
  } else {
    while (atomic_load_explicit(&state, memory_order_acquire) != 2) {
    }
  }
  return &active;
}

synk_status synk_kernels_for(const char *name, synk_kernels *out) {
  if (!name || !out) return SYNK_E_ARG;
  int idx = resolve(name);
  if (idx < 0) return SYNK_E_ISA;
  fill(idx, out);
  return SYNK_OK;
}

const char *synk_isa(void) { return synk_kernels_active()->name; }

synk_status synk_use_isa(const char *name) {
  if (!name) return SYNK_E_ARG;
  int idx = resolve(name);
  if (idx < 0) return SYNK_E_ISA;
  (void)synk_kernels_active();
  synk_kernels k;
  fill(idx, &k);
  active = k;
  return SYNK_OK;
}

size_t synk_isa_list(const char **names, size_t cap) {
  size_t n = 0;
  for (int pass = 0; pass < 2; pass++) /* native first, emulated last */
    for (int i = (int)NBACKENDS - 1; i >= 0; i--) {
      const backend *b = &backends[i];
      if (b->emulated != pass || !runnable(b)) continue;
      if (names && n < cap) names[n] = b->name;
      n++;
    }
  return n;
}

int synk_isa_emulated(const char *name) {
  if (!name) return -1;
  int i = find(name);
  if (i < 0 || !runnable(&backends[i])) return -1;
  return backends[i].emulated;
}
