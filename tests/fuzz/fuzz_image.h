/* SPDX-License-Identifier: MIT */
/* Saved images of a fuzz target's objects, restored before every input.
 *
 * The stateful targets build servers, clients, worlds and sessions once
 * (tens of milliseconds of joins, snapshots, ticks or frames) and then need
 * exactly that state again for each input; rebuilding it per input costs far
 * more than the input itself. Every object the library creates takes an
 * allocator; a target gives all of them one arena (fz_arena): a bump
 * allocator over one mapping that never moves, so a byte copy of the live
 * blocks is a complete image of every object -- their internal pointers stay
 * valid, with no reset code to trust. fz_arena_save copies the live blocks
 * and the block table aside; fz_arena_restore copies them back (only live
 * blocks, no allocator calls) and forgets every block allocated since.
 *
 * Large blocks (FZ_WATCH_MIN and more: scratch such as a server's motion
 * buffer, 1 MB of which an input writes a page) are not copied back whole:
 * after the save their pages are write-protected, the first write to a page
 * faults, and the fault handler (fz_segv, chained before any other) marks
 * the page dirty and unprotects it; a restore copies back and protects
 * again the dirty pages only -- but a page that inputs keep writing stays
 * unprotected and is copied back every time. Up to FZ_MAX_WATCHED arenas
 * are watched (the first saved); the blocks of any other are copied whole.
 * Any other fault goes on to the handler that was installed before
 * (libFuzzer's, ASan's).
 *
 * ASan still sees each block: the arena is poisoned except for the live
 * blocks, with a redzone after each, and a freed block is poisoned until it
 * is reused (reuse happens only when the bump space runs out).
 *
 * Users: each user of an arena (a server, a client, a world, a session)
 * allocates through its own fz_heap, which counts calls, live and peak bytes
 * (a target can check that a server allocates nothing after create, or that
 * a client never holds more than its config allows) and owns its blocks. A
 * heap can be frozen once its objects are built: any allocation or free
 * through it then fails the target ("memory fixed after creation" is
 * checked, not assumed). And a heap's blocks can be compared with a copy of
 * them (fz_heap_copy_out, fz_heap_same_but): a refused message that must
 * change nothing but a counter is checked byte for byte. */
#ifndef SYNK_FUZZ_IMAGE_H
#define SYNK_FUZZ_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "synk.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(FZ_ASAN)
#define FZ_ASAN 1
#endif
#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#define FZ_POISON(p, n) __asan_poison_memory_region((p), (n))
#define FZ_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define FZ_POISON(p, n) ((void)(p), (void)(n))
#define FZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Harness code, not code under test: no coverage hooks (FZ_HARNESS: they
 * would only add noise to the fuzzer's features, and their comparison hooks
 * cost more than the loops over the block table), and in the loops that
 * copy and compare bytes (FZ_PLAIN) no ASan or UBSan checks (ASan's memcpy
 * check scans the shadow of both ranges, a third of the copy's cost; the
 * ranges are live blocks, unpoisoned first), and never turned into a call
 * of memcpy (which ASan intercepts). */
#if defined(__clang__)
#define FZ_PLAIN __attribute__((no_sanitize("address", "undefined", "coverage"), no_builtin("memcpy")))
#define FZ_HARNESS __attribute__((no_sanitize("coverage")))
#else
#define FZ_PLAIN
#define FZ_HARNESS
#endif

#define FZ_ARENA_BLOCKS 4096
#define FZ_REDZONE 64
#define FZ_PAGE 4096u
#ifndef FZ_WATCH_MIN
#define FZ_WATCH_MIN (256u << 10)
#endif
#define FZ_MAX_WATCHED 8
/* a watched page: CLEAN write-protected, as saved; DIRTY written since the
 * last restore; WARM protected again after the last input wrote it; HOT
 * written by two inputs in a row: copied back at every restore and never
 * protected again (its fault would cost more than its copy) */
enum { FZ_CLEAN = 1, FZ_DIRTY = 2, FZ_WARM = 3, FZ_HOT = 4 };

struct fz_heap;

typedef struct fz_block {
  size_t off, size;             /* place in the arena and room (a multiple of 64) */
  size_t req;                   /* bytes asked for (0: free) */
  const struct fz_heap *owner;  /* the heap that allocated it */
} fz_block;

typedef struct fz_arena {
  uint8_t *mem, *img; /* the arena and the saved image of it */
  size_t cap;
  size_t used;        /* bump pointer */
  fz_block *b;        /* blocks in address order */
  uint32_t n;
  fz_block *sb;       /* the saved block table */
  uint32_t sn;
  size_t sused;
  uint8_t *watch;     /* per page of a watched block: FZ_CLEAN, FZ_DIRTY, FZ_WARM, FZ_HOT */
  int watching;
} fz_arena;

/* One user of an arena (a server, a client, a world): its counts and blocks. */
typedef struct fz_heap {
  fz_arena *a;
  unsigned long allocs, frees;
  size_t live, peak;
  int frozen; /* fz_heap_freeze: no allocation or free from now on */
} fz_heap;

/* Map (once) and empty an arena of cap bytes. 0 on failure. */
FZ_HARNESS static inline int fz_arena_init(fz_arena *a, size_t cap) {
  if (!a->mem) {
    a->mem = (uint8_t *)mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    a->img = (uint8_t *)mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    a->b = (fz_block *)mmap(NULL, 2 * FZ_ARENA_BLOCKS * sizeof(fz_block), PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    a->watch = (uint8_t *)mmap(NULL, cap / FZ_PAGE + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a->mem == MAP_FAILED || a->img == MAP_FAILED || a->b == MAP_FAILED || a->watch == MAP_FAILED) {
      a->mem = NULL;
      return 0;
    }
    a->sb = a->b + FZ_ARENA_BLOCKS;
    a->cap = cap;
  }
  if (a->watching) mprotect(a->mem, a->cap, PROT_READ | PROT_WRITE);
  a->watching = 0;
  memset(a->watch, 0, a->cap / FZ_PAGE + 1);
  a->used = 0;
  a->n = a->sn = 0;
  a->sused = 0;
  FZ_POISON(a->mem, a->cap);
  return 1;
}

FZ_HARNESS static inline void *fz_arena_alloc(fz_arena *a, size_t req, size_t align, const fz_heap *owner) {
  if (!req) req = 1;
  if (align > 64 || req > a->cap) return NULL;
  size_t size = (req + 63) / 64 * 64, at = a->used;
  if (size >= FZ_WATCH_MIN) { /* whole pages of its own: it may be watched */
    size = (size + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;
    at = (at + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;
  }
  fz_block *k = NULL;
  if (a->n < FZ_ARENA_BLOCKS && at <= a->cap && a->cap - at >= size + FZ_PAGE) {
    k = &a->b[a->n++];
    k->off = at;
    k->size = size;
    a->used = at + size + FZ_REDZONE;
  } else {
    for (uint32_t i = 0; i < a->n && !k; i++) /* out of bump space: reuse a freed block */
      if (!a->b[i].req && a->b[i].size >= req) k = &a->b[i];
    if (!k) return NULL;
  }
  k->req = req;
  k->owner = owner;
  FZ_UNPOISON(a->mem + k->off, req);
  return a->mem + k->off;
}

FZ_HARNESS static inline fz_block *fz_arena_find(fz_arena *a, const void *p) {
  size_t off = (size_t)((const uint8_t *)p - a->mem);
  uint32_t lo = 0, hi = a->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (a->b[mid].off < off)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < a->n && a->b[lo].off == off && a->b[lo].req ? &a->b[lo] : NULL;
}

/* copy n bytes both sides own (64 at a time, vectorized) */
FZ_PLAIN static inline void fz_copy(uint8_t *d, const uint8_t *s, size_t n) {
  typedef uint64_t fz_v64 __attribute__((vector_size(64), aligned(1)));
  size_t i = 0;
  for (; i + 64 <= n; i += 64) *(fz_v64 *)(void *)(d + i) = *(const fz_v64 *)(const void *)(s + i);
  for (; i < n; i++) d[i] = s[i];
}

/* 1 when the n bytes at a and b are equal (8 at a time, vectorized) */
FZ_PLAIN static inline int fz_equal(const uint8_t *a, const uint8_t *b, size_t n) {
  uint64_t d = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    __builtin_memcpy(&x, a + i, 8);
    __builtin_memcpy(&y, b + i, 8);
    d |= x ^ y;
  }
  for (; i < n; i++) d |= (uint64_t)(a[i] ^ b[i]);
  return d == 0;
}

static fz_arena *fz_watched[FZ_MAX_WATCHED];
static uint32_t fz_nwatched;
static struct sigaction fz_prev_segv;

/* A write to a watched page: note it, let it through. Anything else: the
 * handler installed before this one. */
static inline void fz_segv(int sig, siginfo_t *si, void *uc) {
  uint8_t *p = (uint8_t *)si->si_addr;
  for (uint32_t i = 0; i < fz_nwatched; i++) {
    fz_arena *a = fz_watched[i];
    if (p < a->mem || p >= a->mem + a->cap) continue;
    size_t pg = (size_t)(p - a->mem) / FZ_PAGE;
    if (a->watch[pg] != FZ_CLEAN && a->watch[pg] != FZ_WARM) break;
    a->watch[pg] = a->watch[pg] == FZ_WARM ? FZ_HOT : FZ_DIRTY;
    mprotect(a->mem + pg * FZ_PAGE, FZ_PAGE, PROT_READ | PROT_WRITE);
    return;
  }
  if (fz_prev_segv.sa_flags & SA_SIGINFO) {
    if (fz_prev_segv.sa_sigaction) fz_prev_segv.sa_sigaction(sig, si, uc);
    return;
  }
  sigaction(SIGSEGV, &fz_prev_segv, NULL); /* the default action, on the retried access */
}

static inline int fz_is_watched(const fz_block *k) { return k->size >= FZ_WATCH_MIN; }

/* Copy the live blocks and the table aside: the image fz_arena_restore
 * returns to. Watched blocks are write-protected from here on (in the first
 * FZ_MAX_WATCHED arenas saved). */
FZ_HARNESS static inline void fz_arena_save(fz_arena *a) {
  for (uint32_t i = 0; i < a->n; i++)
    if (a->b[i].req) memcpy(a->img + a->b[i].off, a->mem + a->b[i].off, a->b[i].req);
  memcpy(a->sb, a->b, a->n * sizeof *a->b);
  a->sn = a->n;
  a->sused = a->used;
  int watched = 0;
  for (uint32_t i = 0; i < fz_nwatched; i++) watched |= fz_watched[i] == a;
  if (!watched) {
    if (fz_nwatched == FZ_MAX_WATCHED) return;
    if (!fz_nwatched) {
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_sigaction = fz_segv;
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
      sigemptyset(&sa.sa_mask);
      if (sigaction(SIGSEGV, &sa, &fz_prev_segv) != 0) return;
    }
    fz_watched[fz_nwatched++] = a;
  }
  for (uint32_t i = 0; i < a->n; i++)
    if (a->b[i].req && fz_is_watched(&a->b[i])) {
      memset(a->watch + a->b[i].off / FZ_PAGE, FZ_CLEAN, a->b[i].size / FZ_PAGE);
      mprotect(a->mem + a->b[i].off, a->b[i].size, PROT_READ);
      a->watching = 1;
    }
}

/* Back to the saved image: its live blocks' bytes (of a watched block, the
 * pages written since), its table, its bump pointer; blocks allocated since
 * are forgotten (and poisoned). */
FZ_HARNESS static inline void fz_arena_restore(fz_arena *a) {
  if (a->used > a->sused) FZ_POISON(a->mem + a->sused, a->used - a->sused);
  for (uint32_t i = 0; i < a->sn; i++) {
    const fz_block *s = &a->sb[i];
    fz_block *k = &a->b[i];
    if (k->req != s->req) {
      if (k->req) FZ_POISON(a->mem + k->off, k->size);
      if (s->req) FZ_UNPOISON(a->mem + s->off, s->req);
    }
    if (!s->req) continue;
    if (a->watching && fz_is_watched(s)) {
      for (size_t pg = s->off / FZ_PAGE, end = (s->off + s->size) / FZ_PAGE; pg < end; pg++) {
        uint8_t *w = &a->watch[pg];
        if (*w == FZ_DIRTY || *w == FZ_HOT) fz_copy(a->mem + pg * FZ_PAGE, a->img + pg * FZ_PAGE, FZ_PAGE);
        if (*w == FZ_DIRTY) { /* protected again: clean, but warm -- written again next time, it is hot */
          mprotect(a->mem + pg * FZ_PAGE, FZ_PAGE, PROT_READ);
          *w = FZ_WARM;
        } else if (*w == FZ_WARM) {
          *w = FZ_CLEAN;
        }
      }
      continue;
    }
    fz_copy(a->mem + s->off, a->img + s->off, s->req);
  }
  memcpy(a->b, a->sb, a->sn * sizeof *a->b);
  a->n = a->sn;
  a->used = a->sused;
}

/* A target's image: the first `bytes` of its state struct (the rest is
 * scratch) and its arena, saved once the scene is built, restored before
 * each input. */
static inline void fz_image_save(fz_arena *a, void *saved, const void *env, size_t bytes) {
  memcpy(saved, env, bytes);
  fz_arena_save(a);
}
static inline void fz_image_restore(fz_arena *a, void *env, const void *saved, size_t bytes) {
  memcpy(env, saved, bytes);
  fz_arena_restore(a);
}

/* Bytes a restore copies. */
FZ_HARNESS static inline size_t fz_arena_image_bytes(const fz_arena *a) {
  size_t n = 0;
  for (uint32_t i = 0; i < a->sn; i++) n += fz_is_watched(&a->sb[i]) ? 0 : a->sb[i].req;
  return n;
}

/* ---- heaps ------------------------------------------------------------------------ */

FZ_HARNESS static inline void *fz_heap_alloc(void *ctx, size_t size, size_t align) {
  fz_heap *h = (fz_heap *)ctx;
  FZ_CHECK(!h->frozen); /* nothing is allocated after creation */
  void *p = fz_arena_alloc(h->a, size, align, h);
  h->allocs++;
  if (p) {
    h->live += size;
    if (h->live > h->peak) h->peak = h->live;
  }
  return p;
}

FZ_HARNESS static inline void fz_heap_free(void *ctx, void *p) {
  fz_heap *h = (fz_heap *)ctx;
  if (!p) return;
  FZ_CHECK(!h->frozen);
  fz_block *k = fz_arena_find(h->a, p);
  FZ_CHECK(k && k->owner == h); /* a live block of this heap: not a double or foreign free */
  h->frees++;
  h->live -= k->req;
  k->req = 0;
  FZ_POISON(h->a->mem + k->off, k->size);
}

/* An allocator for synk_*_create that counts into h. */
static inline synk_allocator fz_heap_allocator(fz_heap *h, fz_arena *a) {
  memset(h, 0, sizeof *h);
  h->a = a;
  synk_allocator al = {fz_heap_alloc, fz_heap_free, h};
  return al;
}

/* No allocation or free through h from now on (each fails the target). */
static inline void fz_heap_freeze(fz_heap *h) { h->frozen = 1; }

/* ---- a heap's bytes, compared -------------------------------------------------------- */

/* The live blocks of heap h, one after another, are its bytes: a copy of
 * them (fz_heap_copy_out, fz_heap_bytes long) is what a later state is
 * compared with. A word of h: the 8 bytes at `off` of the arena's block
 * `block` (a counter). */
typedef struct fz_word {
  uint32_t block;
  size_t off;
} fz_word;

FZ_HARNESS static inline int fz_owns(const fz_heap *h, const fz_block *k) { return k->req && k->owner == h; }

FZ_HARNESS static inline size_t fz_heap_bytes(const fz_heap *h) {
  size_t n = 0;
  for (uint32_t i = 0; i < h->a->n; i++) n += fz_owns(h, &h->a->b[i]) ? h->a->b[i].req : 0;
  return n;
}

/* copy h's bytes into out / back from `from` */
FZ_HARNESS static inline void fz_heap_copy_out(const fz_heap *h, uint8_t *out) {
  const fz_arena *a = h->a;
  for (uint32_t i = 0; i < a->n; i++)
    if (fz_owns(h, &a->b[i])) {
      fz_copy(out, a->mem + a->b[i].off, a->b[i].req);
      out += a->b[i].req;
    }
}
FZ_HARNESS static inline void fz_heap_copy_in(const fz_heap *h, const uint8_t *from) {
  const fz_arena *a = h->a;
  for (uint32_t i = 0; i < a->n; i++)
    if (fz_owns(h, &a->b[i])) {
      fz_copy(a->mem + a->b[i].off, from, a->b[i].req);
      from += a->b[i].req;
    }
}

static inline uint8_t *fz_word_at(const fz_arena *a, fz_word w) { return a->mem + a->b[w.block].off + w.off; }
static inline uint64_t fz_word_get(const fz_arena *a, fz_word w) {
  uint64_t v;
  memcpy(&v, fz_word_at(a, w), 8);
  return v;
}
/* word w as the arena's saved image has it */
static inline void fz_word_reset(fz_arena *a, fz_word w) {
  memcpy(fz_word_at(a, w), a->img + a->b[w.block].off + w.off, 8);
}

/* where word w of h lies in a copy by fz_heap_copy_out */
FZ_HARNESS static inline size_t fz_heap_offset(const fz_heap *h, fz_word w) {
  size_t base = 0;
  for (uint32_t i = 0; i < w.block; i++) base += fz_owns(h, &h->a->b[i]) ? h->a->b[i].req : 0;
  return base + w.off;
}

/* Where h's bytes differ from `before` (a copy by fz_heap_copy_out): 1 and
 * *w when in exactly one 8-byte-aligned word of one block, else 0. Slow (a
 * byte loop): for finding a counter once, at setup. */
FZ_HARNESS static inline int fz_heap_find_word(const fz_heap *h, const uint8_t *before, fz_word *w) {
  const fz_arena *a = h->a;
  int found = 0;
  for (uint32_t i = 0; i < a->n; i++) {
    if (!fz_owns(h, &a->b[i])) continue;
    const uint8_t *now = a->mem + a->b[i].off;
    for (size_t b = 0; b < a->b[i].req; b++) {
      if (now[b] == before[b]) continue;
      size_t off = b / 8 * 8;
      if (off + 8 > a->b[i].req || (found && (w->block != i || w->off != off))) return 0;
      w->block = i;
      w->off = off;
      found = 1;
    }
    before += a->b[i].req;
  }
  return found;
}

/* h's bytes are those of `before` but for word w, which holds `value`. One
 * pass over h's blocks. */
FZ_HARNESS static inline int fz_heap_same_but(const fz_heap *h, const uint8_t *before, fz_word w, uint64_t value) {
  const fz_arena *a = h->a;
  for (uint32_t i = 0; i < a->n; i++) {
    if (!fz_owns(h, &a->b[i])) continue;
    const uint8_t *now = a->mem + a->b[i].off;
    size_t n = a->b[i].req;
    if (i != w.block) {
      if (!fz_equal(now, before, n)) return 0;
    } else if (!fz_equal(now, before, w.off) || !fz_equal(now + w.off + 8, before + w.off + 8, n - w.off - 8)) {
      return 0;
    }
    before += n;
  }
  return fz_word_get(a, w) == value;
}

#endif
