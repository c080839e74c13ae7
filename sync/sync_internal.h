/* SPDX-License-Identifier: MIT */
/*
 * The sync layer's internals, shared by the sources in sync/, the ISA files of its
 * kernels (arch/codec_tmpl.h and its includers) and the sync tests: the
 * codec kernel table, stream constants, the packed column codec
 * (docs/wire-format.md, "Packed columns") and the shadow-world helpers of
 * rollback and history. Byte mechanics (little-endian access, canonical
 * varints, zigzag, the counting writer) come from common/bytes.h. Includes
 * the kernel's internals; nothing below the sync layer includes this file.
 */
#ifndef SYNK_SYNC_INTERNAL_H
#define SYNK_SYNC_INTERNAL_H

#include "common/bits.h"
#include "common/bytes.h"
#include "kernel/internal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values per column block (docs/wire-format.md). */
#define SYNK_COL_BLOCK 256u

/* Stream header byte: format family 0xC, version 2 (version 1 had no check
 * records). */
#define SYNK_STREAM_HEADER 0xC2u
/* A check record: tag (final flag in bit 0), then a u32 CRC-32C. */
#define SYNK_CHECK_SIZE 5u

/* ---- the sync layer's kernel table ----------------------------------------- */

/* The codec kernel family: the scalar references (sync/codec_kernels.c, the
 * specification) and one rung per ISA (arch/<family>/codec_<isa>.c, written
 * once in arch/codec_tmpl.h), filled by arch/dispatch.c from the same backend
 * row as the kernel's synk_kernels. */
typedef struct synk_codec_kernels {
  const char *name; /* the backend that filled it */
  /* Unpack one full 256-value column block of bit width b (0..32) from the
   * vertical 8-lane layout at src (32*b bytes, little-endian words) into
   * out[0..256) (docs/wire-format.md); with zz != 0 each value v is stored
   * zigzag-decoded, (v >> 1) ^ -(v & 1). Returns the OR of the raw values
   * (the decoder's canonical-width check). */
  uint32_t (*unpack256)(const uint8_t *src, uint32_t b, int zz, uint32_t *out);
  /* Finish a decoded motion run's ids in place: ids[i] = base + i + (gap[0]
   * + ... + gap[i]) (mod 2^32; ids holds the gaps on entry). */
  void (*run_finish)(uint32_t *ids, size_t n, uint32_t base);
  /* For each 64-id word i in [w0, w0 + nw) (ids < cap only): out[i - w0] has
   * bit b set when id 64*i + b differs between a and b (alive bit, kind, x,
   * y, z or a property). a and b share max_entities and num_props. */
  void (*diff_words)(const synk_world *a, const synk_world *b, uint32_t w0, uint32_t nw, uint64_t *out);
  /* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of p[0..n),
   * continuing from crc, the CRC of the bytes before p (0 for none): the
   * stream format's check records (docs/wire-format.md). Standard pre- and
   * post-inversion, so crc32c(0, "123456789", 9) == 0xE3069283. */
  uint32_t (*crc32c)(uint32_t crc, const uint8_t *p, size_t n);
} synk_codec_kernels;

/* The active table: the backend synk_kernels_active() runs (arch/dispatch.c). */
SYNK_HIDDEN const synk_codec_kernels *synk_codec_kernels_active(void);
/* The full table of backend `name` (scalar references first, then the
 * ladder up to it), for cross-checks; SYNK_E_ISA when unknown or not runnable
 * here, SYNK_E_ARG for NULL. */
SYNK_HIDDEN synk_status synk_codec_kernels_for(const char *name, synk_codec_kernels *out);

/* The scalar references (sync/codec_kernels.c), and the per-ISA rungs
 * (arch/<family>/codec_<isa>.c, present when built), each called by its
 * backend's row in arch/dispatch.c. */
SYNK_HIDDEN void synk_codec_init_scalar(synk_codec_kernels *k);
SYNK_HIDDEN uint32_t synk_unpack256_scalar(const uint8_t *src, uint32_t b, int zz, uint32_t *out);
SYNK_HIDDEN void synk_run_finish_scalar(uint32_t *ids, size_t n, uint32_t base);
SYNK_HIDDEN uint32_t synk_crc32c_scalar(uint32_t crc, const uint8_t *p, size_t n);
SYNK_HIDDEN void synk_diff_words_scalar(const synk_world *a, const synk_world *b, uint32_t w0, uint32_t nw,
                                        uint64_t *out);
SYNK_HIDDEN void synk_codec_init_avx2(synk_codec_kernels *k);
SYNK_HIDDEN void synk_codec_init_avx512(synk_codec_kernels *k);
SYNK_HIDDEN void synk_codec_init_neon(synk_codec_kernels *k);
SYNK_HIDDEN void synk_codec_init_wasm(synk_codec_kernels *k);

/* ---- packed columns ------------------------------------------------------ */

/* Encode one block of m (1..256) values: m == 256 uses the vertical 8-lane
 * layout, a shorter (last) block the horizontal one. Width and exceptions
 * are chosen to minimize the block's size. */
SYNK_HIDDEN void synk_col_put_block(synk_wr *b, const uint32_t *v, uint32_t m);
/* Encode a whole column of n values (blocks of 256, the last shorter). */
SYNK_HIDDEN void synk_col_put(synk_wr *b, const uint32_t *v, size_t n);

/* Decode (out != NULL) or validate and skip (out NULL) one block of m values
 * at *pp. Returns SYNK_OK or SYNK_E_FORMAT; advances *pp on success. Skipping
 * checks the structure only; decoding also checks the canonical width. With
 * zz != 0 the values are stored zigzag-decoded. When bound is not NULL, adds
 * an upper bound of the block's (raw) sum to it (from the width and the
 * exceptions, without decoding). */
SYNK_HIDDEN synk_status synk_col_block(const synk_codec_kernels *k, const uint8_t **pp, const uint8_t *end,
                                       uint32_t m, uint32_t *out, int zz, uint64_t *bound);
/* Decode (out != NULL) or validate and skip (out NULL) a column of n values;
 * zz and bound as for synk_col_block. */
SYNK_HIDDEN synk_status synk_col_get(const synk_codec_kernels *k, const uint8_t **pp, const uint8_t *end,
                                     size_t n, uint32_t *out, int zz, uint64_t *bound);

/* Streaming column reader (for sections decoded entity by entity). The
 * column's structure must have been validated (synk_col_get with out NULL)
 * first; checks that need the values (canonical widths) set `bad`. */
typedef struct synk_col_reader {
  const synk_codec_kernels *k;
  const uint8_t *p, *end;
  size_t left;   /* values not yet decoded into buf */
  uint32_t i, m; /* next index in buf, values in buf */
  int bad;        /* a block failed to decode (values read as 0) */
  uint32_t buf[SYNK_COL_BLOCK];
} synk_col_reader;

static inline void synk_col_reader_init(synk_col_reader *r, const synk_codec_kernels *k, const uint8_t *p,
                                        const uint8_t *end, size_t n) {
  r->k = k;
  r->p = p;
  r->end = end;
  r->left = n;
  r->i = r->m = 0;
  r->bad = 0;
}
/* Next value (0 past the end). */
static inline uint32_t synk_col_next(synk_col_reader *r) {
  if (r->i == r->m) {
    if (!r->left) return 0;
    uint32_t m = r->left < SYNK_COL_BLOCK ? (uint32_t)r->left : SYNK_COL_BLOCK;
    if (synk_col_block(r->k, &r->p, r->end, m, r->buf, 0, NULL) != SYNK_OK) { /* e.g. a non-canonical width */
      r->left = 0;
      r->bad = 1;
      return 0;
    }
    r->left -= m;
    r->m = m;
    r->i = 0;
  }
  return r->buf[r->i++];
}

/* Encoder for a column built value by value. */
typedef struct synk_col_writer {
  synk_wr *out;
  uint32_t m;
  uint32_t buf[SYNK_COL_BLOCK];
} synk_col_writer;
static inline void synk_colw_init(synk_col_writer *c, synk_wr *out) {
  c->out = out;
  c->m = 0;
}
static inline void synk_colw_push(synk_col_writer *c, uint32_t v) {
  c->buf[c->m++] = v;
  if (c->m == SYNK_COL_BLOCK) {
    synk_col_put_block(c->out, c->buf, c->m);
    c->m = 0;
  }
}
static inline void synk_colw_end(synk_col_writer *c) {
  if (c->m) synk_col_put_block(c->out, c->buf, c->m);
  c->m = 0;
}

/* ---- shadow worlds (saved frames) --------------------------------------- */

/* Bytes of state per id: kind, x, y, z and the properties. */
static inline size_t synk_state_bytes_per_id(const synk_world *w) { return 4u * (4u + w->num_props); }

/* Delta encoding restricted to the chunks set in `chunks` (NULL: all). */
SYNK_HIDDEN synk_status synk_delta_encode_chunks(const synk_world *base, const synk_world *target,
                                                 const uint64_t *chunks, void *buf, size_t cap, size_t *len);

/* sync/rollback.c, for sync/history.c: the shadow world saved for frame
 * F and its stale-chunk bitmap (after collecting the dirty bits), or NULL
 * when F is not in the ring; *world is the ring's world. */
SYNK_HIDDEN const synk_world *synk_ring_frame(synk_ring *r, uint64_t frame, const uint64_t **stale,
                                              synk_world **world);

#ifdef __cplusplus
}
#endif

#endif
