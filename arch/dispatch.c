/* SPDX-License-Identifier: MIT */
/*
 * Run-time dispatch (after dav1d and simdjson): one table of function
 * pointers per kernel family -- the kernel's hash and motion kernels
 * (synk_kernels, kernel/internal.h) and the sync layer's codec kernels
 * (synk_codec_kernels, sync/sync_internal.h) -- each filled with its scalar
 * reference first and then by the rungs of one cumulative ladder per ISA.
 * One backend is selected for both, once, at first use: the best native
 * backend, or the one SYNK_ISA names. Never aborts, never prints.
 *
 * It lives in arch/ because it is the one place that names every family's
 * rungs: kernel/ includes nothing of the sync layer, and each layer reaches
 * its own table through its own header.
 */
#include "kernel/internal.h"
#include "sync/sync_internal.h"

#include <stdatomic.h>
#include <stdlib.h>

#if defined(__AVX__) || defined(__AVX2__) || defined(__AVX512F__)
#error "build the dispatcher without global AVX flags: ISA flags belong on arch/ files only"
#endif

#if defined(__aarch64__) && defined(__linux__)
#  include <sys/auxv.h>
#endif

#if !defined(__x86_64__) && !defined(__i386__)
/* Targets without CPUID: what the compiler was told is present, and on
 * AArch64 Linux the kernel's hardware capability bits. */
uint32_t synk_cpu_detect(void) {
  uint32_t f = 0;
#if defined(__ARM_NEON) || defined(__aarch64__)
  f |= SYNK_CPU_NEON;
#endif
#if defined(__ARM_FEATURE_CRC32)
  f |= SYNK_CPU_CRC32;
#elif defined(__aarch64__) && defined(__linux__)
  if (getauxval(AT_HWCAP) & (1ul << 7)) f |= SYNK_CPU_CRC32; /* HWCAP_CRC32 (asm/hwcap.h) */
#endif
#if defined(__wasm_simd128__) || (defined(__wasm__) && defined(SYNK_HAVE_WASM))
  /* WebAssembly has no feature query: a module holding SIMD128 code (the
   * wasm backend, built with -msimd128 for its own file only) validates and
   * instantiates only on an engine that implements SIMD128, so once we run,
   * it is there. */
  f |= SYNK_CPU_SIMD128;
#endif
  return f;
}
#endif

size_t synk_cpu_flag_names(uint32_t flags, const char **names, size_t cap) {
  static const struct { uint32_t bit; const char *name; } tab[] = {
      {SYNK_CPU_SSE2, "sse2"},         {SYNK_CPU_SSE41, "sse4.1"},
      {SYNK_CPU_SSE42, "sse4.2"},
      {SYNK_CPU_AVX, "avx"},           {SYNK_CPU_AVX2, "avx2"},
      {SYNK_CPU_BMI2, "bmi2"},         {SYNK_CPU_AVX512F, "avx512f"},
      {SYNK_CPU_AVX512BW, "avx512bw"}, {SYNK_CPU_AVX512DQ, "avx512dq"},
      {SYNK_CPU_AVX512VL, "avx512vl"}, {SYNK_CPU_NEON, "neon"},
      {SYNK_CPU_SIMD128, "simd128"},   {SYNK_CPU_CRC32, "crc32"},
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
    if (!(flags & tab[i].bit)) continue;
    if (n < cap) names[n] = tab[i].name;
    n++;
  }
  return n;
}

size_t synk_cpu_features(const char **names, size_t cap) {
  return synk_cpu_flag_names(synk_cpu_detect(), names, cap);
}

/* The backends, lowest first; `parent` is the rung below on the same ladder.
 * Each row holds one rung per kernel family: hash/motion
 * (arch/<family>/<isa>.c) and the sync layer's codec
 * (arch/<family>/codec_<isa>.c). A new family adds a column to every row. */
typedef struct backend {
  const char *name;
  uint32_t required;
  int emulated;
  int parent;                                /* index, -1 for scalar */
  void (*kernels)(synk_kernels *k);          /* the hash/motion rung */
  void (*codec)(synk_codec_kernels *k);      /* the sync layer's rung */
} backend;

/* The tables of every family, filled together from one row. */
typedef struct tables {
  synk_kernels kernels;
  synk_codec_kernels codec;
} tables;

/* Row indices, so that a rung can name its parent whatever else is built. */
enum {
  B_SCALAR,
#if defined(SYNK_HAVE_AVX2)
  B_AVX2,
#endif
#if defined(SYNK_HAVE_AVX512)
  B_AVX512,
#endif
#if defined(SYNK_HAVE_NEON)
  B_NEON,
#endif
#if defined(SYNK_HAVE_WASM)
  B_WASM,
#endif
  B_COUNT
};

/* A backend is native where SIMDe lowers its file to the real instructions:
 * NEON on AArch64, SIMD128 on wasm32. Anywhere else its file is SIMDe's
 * emulation: runnable everywhere (required 0), forced by name only. */
#if defined(SYNK_SIMDE_NO_NATIVE)
/* arch/ built with SIMDE_NO_NATIVE (the cross-check of SIMDe's portable
 * fallbacks): no SIMD backend runs native instructions, so every one is
 * emulated and automatic selection falls back to scalar. Each keeps its CPU
 * requirements, since its file is still compiled with its ISA flags. */
#  define ALL_EMULATED 1
#else
#  define ALL_EMULATED 0
#endif
#if defined(__aarch64__)
#  define NEON_EMULATED ALL_EMULATED
#  define NEON_REQUIRED SYNK_CPU_NEON
#else
#  define NEON_EMULATED 1
#  define NEON_REQUIRED 0u
#endif
#if defined(__wasm__)
#  define WASM_EMULATED ALL_EMULATED
#  define WASM_REQUIRED SYNK_CPU_SIMD128
#else
#  define WASM_EMULATED 1
#  define WASM_REQUIRED 0u
#endif

/* A rung's `required` includes its parent's: the ladder fills the parent's
 * kernels first. */
static const backend backends[] = {
    {"scalar", 0, 0, -1, synk_kernels_init_scalar, synk_codec_init_scalar},
#if defined(SYNK_HAVE_AVX2)
    /* AVX2 + BMI2 for the hash/motion kernels, SSE4.2 for the codec's crc32 */
    {"avx2", SYNK_CPU_AVX2 | SYNK_CPU_BMI2 | SYNK_CPU_SSE42, ALL_EMULATED, B_SCALAR,
     synk_kernels_init_avx2, synk_codec_init_avx2},
#endif
#if defined(SYNK_HAVE_AVX512)
    /* the subsets arch/x86/avx512.c uses: F everywhere, DQ for vpmovm2q, and
     * the avx2 rung's AVX2 (vpgatherdd ymm) + BMI2 + SSE4.2 */
    {"avx512", SYNK_CPU_AVX2 | SYNK_CPU_BMI2 | SYNK_CPU_SSE42 | SYNK_CPU_AVX512F | SYNK_CPU_AVX512DQ, ALL_EMULATED,
     B_AVX2,
     synk_kernels_init_avx512, synk_codec_init_avx512},
#endif
#if defined(SYNK_HAVE_NEON)
    {"neon", NEON_REQUIRED, NEON_EMULATED, B_SCALAR, synk_kernels_init_neon, synk_codec_init_neon},
#endif
#if defined(SYNK_HAVE_WASM)
    {"wasm", WASM_REQUIRED, WASM_EMULATED, B_SCALAR, synk_kernels_init_wasm, synk_codec_init_wasm},
#endif
};
_Static_assert(sizeof backends / sizeof backends[0] == B_COUNT, "backend rows and indices disagree");
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

static void fill(int idx, tables *t) {
  if (backends[idx].parent >= 0) fill(backends[idx].parent, t);
  else memset(t, 0, sizeof *t);
  backends[idx].kernels(&t->kernels);
  backends[idx].codec(&t->codec);
  t->kernels.name = t->codec.name = backends[idx].name;
}

static int best_native(void) {
  int best = 0;
  for (size_t i = 0; i < NBACKENDS; i++)
    if (!backends[i].emulated && runnable(&backends[i])) best = (int)i;
  return best;
}

/* The active tables. Initialization is idempotent; the state word makes a
 * concurrent first use wait for the one thread that fills them. */
static tables active;
static atomic_int state = 0; /* 0 empty, 1 filling, 2 ready */

static int resolve(const char *name) {
  if (!name) return -1;
  if (strcmp(name, "auto") == 0) return best_native();
  int i = find(name);
  if (i < 0 || !runnable(&backends[i])) return -1;
  return i;
}

/* The first use: select and fill (or wait for the thread that does). */
SYNK_NOINLINE static void first_use(void) {
  int expected = 0;
  if (atomic_compare_exchange_strong(&state, &expected, 1)) {
    int idx = resolve(getenv("SYNK_ISA"));
    fill(idx >= 0 ? idx : best_native(), &active);
    atomic_store_explicit(&state, 2, memory_order_release);
  } else {
    while (atomic_load_explicit(&state, memory_order_acquire) != 2) {
    }
  }
}

const synk_kernels *synk_kernels_active(void) {
  if (SYNK_UNLIKELY(atomic_load_explicit(&state, memory_order_acquire) != 2)) first_use();
  return &active.kernels;
}

const synk_codec_kernels *synk_codec_kernels_active(void) {
  if (SYNK_UNLIKELY(atomic_load_explicit(&state, memory_order_acquire) != 2)) first_use();
  return &active.codec;
}

/* Both tables of backend `name`, for the cross-checks. */
static synk_status tables_for(const char *name, tables *t) {
  if (!name) return SYNK_E_ARG;
  int idx = resolve(name);
  if (idx < 0) return SYNK_E_ISA;
  fill(idx, t);
  return SYNK_OK;
}

synk_status synk_kernels_for(const char *name, synk_kernels *out) {
  tables t;
  synk_status st = out ? tables_for(name, &t) : SYNK_E_ARG;
  if (st == SYNK_OK) *out = t.kernels;
  return st;
}

synk_status synk_codec_kernels_for(const char *name, synk_codec_kernels *out) {
  tables t;
  synk_status st = out ? tables_for(name, &t) : SYNK_E_ARG;
  if (st == SYNK_OK) *out = t.codec;
  return st;
}

const char *synk_isa(void) { return synk_kernels_active()->name; }

synk_status synk_use_isa(const char *name) {
  if (!name) return SYNK_E_ARG;
  int idx = resolve(name);
  if (idx < 0) return SYNK_E_ISA;
  (void)synk_kernels_active();
  tables t;
  fill(idx, &t);
  active = t;
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
