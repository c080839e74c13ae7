/* SPDX-License-Identifier: MIT */
/*
 * Saved images for fuzz targets that need objects in a given state (worlds,
 * sessions, rings) before every input. Rebuilding them per input costs far
 * more than the input itself; libsynk allocates nothing after creation, so
 * an allocator that keeps a table of the blocks it hands out lets a target
 * build its objects once, save the bytes of every block (fi_save), and put
 * them back in place before each input (fi_restore): the same addresses, the
 * same bytes, hence the same state -- exactly, with no reset code to trust.
 * Each block is its own malloc block, so ASan still guards every one.
 * After fi_save the image is frozen: any allocation or free through it fails
 * the target ("memory fixed after creation" is checked, not assumed).
 */
#ifndef SYNK_FUZZ_SESSION_IMAGE_H
#define SYNK_FUZZ_SESSION_IMAGE_H

#include "fuzz_common.h"

#define FI_MAX_BLOCKS 64

/* Harness code, not code under test: no coverage hooks (they would only add
 * noise to the fuzzer's features), no ASan or UBSan checks (the ranges are
 * the blocks themselves; the checks keep the loops from being vectorized),
 * and no call to the intercepted memcpy (which checks every byte's shadow)
 * in the two loops below. */
#if defined(__clang__)
#define FI_PLAIN __attribute__((no_sanitize("address", "undefined", "coverage"), no_builtin("memcpy")))
#else
#define FI_PLAIN
#endif

/* copy n bytes (8 at a time, vectorized) */
FI_PLAIN static inline void fi_copy(uint8_t *dst, const uint8_t *src, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    __builtin_memcpy(&x, src + i, 8);
    __builtin_memcpy(dst + i, &x, 8);
  }
  for (; i < n; i++) dst[i] = src[i];
}

/* 1 when the n bytes at a and b are equal (8 at a time, vectorized) */
FI_PLAIN static inline int fi_equal(const uint8_t *a, const uint8_t *b, size_t n) {
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

typedef struct fi_image {
  void *p[FI_MAX_BLOCKS];
  size_t size[FI_MAX_BLOCKS];
  uint32_t n;
  int frozen;
  uint8_t *saved; /* the blocks' bytes, one after another */
  size_t total;
} fi_image;

static inline void *fi_alloc(void *ctx, size_t size, size_t align) {
  fi_image *im = (fi_image *)ctx;
  FZ_CHECK(!im->frozen); /* nothing is allocated after creation */
  if (im->n == FI_MAX_BLOCKS) return NULL;
  if (align < 16) align = 16;
  size_t whole = (size + align - 1) / align * align; /* aligned_alloc's rule */
  void *p = aligned_alloc(align, whole ? whole : align);
  if (!p) return NULL;
  im->p[im->n] = p;
  im->size[im->n] = size;
  im->n++;
  return p;
}

static inline void fi_free(void *ctx, void *p) {
  fi_image *im = (fi_image *)ctx;
  FZ_CHECK(!im->frozen);
  for (uint32_t i = 0; i < im->n; i++)
    if (im->p[i] == p) {
      im->n--;
      im->p[i] = im->p[im->n];
      im->size[i] = im->size[im->n];
      free(p);
      return;
    }
  FZ_CHECK(p == NULL); /* a block this image never gave */
}

static inline synk_allocator fi_allocator(fi_image *im) {
  synk_allocator a = {fi_alloc, fi_free, im};
  return a;
}

/* the bytes of every block together */
static inline size_t fi_size(const fi_image *im) {
  size_t total = 0;
  for (uint32_t i = 0; i < im->n; i++) total += im->size[i];
  return total;
}

/* save every block's bytes; the image is frozen from now on */
static inline void fi_save(fi_image *im) {
  im->total = fi_size(im);
  im->saved = (uint8_t *)malloc(im->total ? im->total : 1);
  FZ_CHECK(im->saved);
  size_t off = 0;
  for (uint32_t i = 0; i < im->n; i++) {
    memcpy(im->saved + off, im->p[i], im->size[i]);
    off += im->size[i];
  }
  im->frozen = 1;
}

/* copy every block into out (im->total bytes) / back from `from` */
static inline void fi_copy_out(const fi_image *im, uint8_t *out) {
  size_t off = 0;
  for (uint32_t i = 0; i < im->n; i++) {
    fi_copy(out + off, (const uint8_t *)im->p[i], im->size[i]);
    off += im->size[i];
  }
}
static inline void fi_copy_in(const fi_image *im, const uint8_t *from) {
  size_t off = 0;
  for (uint32_t i = 0; i < im->n; i++) {
    fi_copy((uint8_t *)im->p[i], from + off, im->size[i]);
    off += im->size[i];
  }
}

/* the saved state, in place */
static inline void fi_restore(const fi_image *im) { fi_copy_in(im, im->saved); }

/* A word of an image: the 8 bytes at `off` in block `block` (a counter). */
typedef struct fi_word {
  uint32_t block;
  size_t off;
} fi_word;

static inline uint64_t fi_get_word(const fi_image *im, fi_word w) {
  uint64_t v;
  memcpy(&v, (const uint8_t *)im->p[w.block] + w.off, 8);
  return v;
}

/* where word w lies in a copy by fi_copy_out (or the saved bytes) */
static inline size_t fi_offset(const fi_image *im, fi_word w) {
  size_t base = 0;
  for (uint32_t i = 0; i < w.block; i++) base += im->size[i];
  return base + w.off;
}

/* Where the blocks differ from `before` (a copy by fi_copy_out): 1 and *w
 * when in exactly one 8-byte-aligned word of one block, else 0. Slow (a byte
 * loop): for finding a counter once, at setup. */
static inline int fi_find_word(const fi_image *im, const uint8_t *before, fi_word *w) {
  size_t base = 0;
  int found = 0;
  for (uint32_t i = 0; i < im->n; i++) {
    const uint8_t *now = (const uint8_t *)im->p[i], *was = before + base;
    for (size_t b = 0; b < im->size[i]; b++) {
      if (now[b] == was[b]) continue;
      size_t off = b / 8 * 8;
      if (off + 8 > im->size[i] || (found && (w->block != i || w->off != off))) return 0;
      w->block = i;
      w->off = off;
      found = 1;
    }
    base += im->size[i];
  }
  return found;
}

/* The blocks hold what `before` holds, but for word w, which holds `value`.
 * One pass over the blocks. */
static inline int fi_same_but(const fi_image *im, const uint8_t *before, fi_word w, uint64_t value) {
  size_t base = 0;
  for (uint32_t i = 0; i < im->n; i++) {
    const uint8_t *now = (const uint8_t *)im->p[i], *was = before + base;
    size_t n = im->size[i];
    base += n;
    if (i != w.block) {
      if (!fi_equal(now, was, n)) return 0;
    } else if (!fi_equal(now, was, w.off) || !fi_equal(now + w.off + 8, was + w.off + 8, n - w.off - 8)) {
      return 0;
    }
  }
  return fi_get_word(im, w) == value;
}

#endif
