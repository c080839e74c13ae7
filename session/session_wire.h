/* SPDX-License-Identifier: MIT */
/*
 * Session datagrams: the codec (docs/wire-format.md, "Session datagrams").
 * Internal to session/: the encoder writes what the session decided to send,
 * the decoder checks every byte and bound before the session looks at it.
 */
#ifndef SYNK_SESSION_WIRE_H
#define SYNK_SESSION_WIRE_H

#include "synk_session.h"

/* header (2 + 10 ack + 10 n + 10 c) + extensions without localization
 * data (53) + check (4) + one change record's head (10): what a datagram
 * needs besides one frame's changed bytes and mask */
#define SW_MAX_OVERHEAD 100u

#define SW_F_PING 0x01u
#define SW_F_PONG 0x02u
#define SW_F_HASH 0x04u
#define SW_F_HASHACK 0x08u
#define SW_F_LOCSTATE 0x10u
#define SW_F_LOCDATA 0x20u

#define SW_LOC_HAVE_CHUNKS 1u
#define SW_LOC_HAVE_ENTS 2u
#define SW_LOC_CHUNKS 2u
#define SW_LOC_ENTS 3u
/* The localization pieces, one definition for the encoder (session.c fills
 * them) and the decoder (which refuses anything larger): chunk sums travel
 * 32 to a piece (8 * 32 = 256 bytes: a piece fits the smallest MTU beside a
 * frame of inputs), a chunk's 256 entity fingerprints in 4 pieces of 64 */
#define SW_LOC_CHUNKS_PER_PIECE 32u
#define SW_LOC_ENT_SLOTS 64u
#define SW_LOC_ENT_PIECES (SYNK_CHUNK_IDS / SW_LOC_ENT_SLOTS)

/* what the check covers besides the bytes (never sent) */
typedef struct sw_keys {
  uint32_t session_id, from, to;
} sw_keys;

/* One datagram, as the session fills it (encoder) or the decoder read it.
 * The span fields are e, n and c of docs/wire-format.md. */
typedef struct sw_datagram {
  uint64_t span_end;     /* e: the sender's inputs of frames < span_end */
  uint64_t ack;          /* the sender has the receiver's inputs of frames < ack */
  uint32_t span_len;     /* n: the span is frames [span_end - span_len, span_end) */
  uint32_t num_changes;  /* c: change records */
  const uint8_t *changes, *changes_end; /* decoder: the change records */
  int has_ping, has_pong, has_hash, has_hashack, has_loc_state, has_loc_data;
  uint32_t ping_ms, pong_ms; /* the low 16 bits of the sender's clock (ms) */
  int32_t ping_frames_ahead; /* the sender's frame minus its estimate of the receiver's */
  uint64_t hash_frame, hash, hashack_frame;
  uint64_t loc_state_frame;
  uint8_t loc_state;
  uint64_t loc_frame;
  uint32_t loc_kind;   /* SW_LOC_CHUNKS or SW_LOC_ENTS */
  uint64_t loc_first;  /* CHUNKS: first chunk; ENTS: the chunk */
  uint32_t loc_count;  /* CHUNKS: sums; ENTS: entries */
  uint32_t loc_piece;  /* ENTS: SW_LOC_ENT_SLOTS-slot piece 0..SW_LOC_ENT_PIECES-1 */
  const uint8_t *loc_payload;   /* decoder: sums (8 B) or entries (slot, fp: 5 B) */
  const uint64_t *loc_chunks;   /* encoder: loc_count sums */
  const uint32_t *loc_fp;       /* encoder: loc_fp_count fingerprints (0: dead) */
  uint32_t loc_fp_count;
} sw_datagram;

/* the block (every input of the sender's players) of frame g */
typedef void (*sw_block_fn)(const void *ctx, uint64_t g, uint8_t *out);

/* The check of a datagram of span end e: CRC-32C of the pseudo-header
 * (keys, e) and buf[0..n) (docs/wire-format.md). */
uint32_t sw_check(const sw_keys *keys, uint64_t e, const uint8_t *buf, size_t n);

/* Decode and check buf[0..len): the span end is placed within `window`
 * frames of `ref` (the candidate the check accepts); the check covers keys
 * and the placed frame. Every field is validated (bounds, change records
 * against `block` bytes and span_len <= history). Errors: SYNK_E_FORMAT. */
synk_status sw_decode(const uint8_t *buf, size_t len, const sw_keys *keys, uint64_t ref, uint32_t window,
                      uint32_t block, uint32_t history, sw_datagram *d);

/* Encode d (span_end, ack, span_len as the whole span the sender would like
 * to send; the span may be cut to fit mtu, d->span_end and d->span_len then
 * say what was sent; a localization piece that does not fit is left out)
 * into out[0..mtu). base is the block of frame span_end - span_len - 1.
 * scratch holds mtu bytes; mtu >= SYNK_SESSION_MIN_MTU.
 * Returns the datagram's length. */
size_t sw_encode(sw_datagram *d, const sw_keys *keys, uint32_t block, const uint8_t *base, sw_block_fn get,
                 const void *ctx, uint8_t *scratch, uint8_t *out, size_t mtu);

/* 1 when every change record of decoded d changes each byte it names, the
 * first record of a byte against `base` (the block of the frame before the
 * span): a
 * record that gives a byte the value it has is another encoding of a span
 * without it (one encoding per message). Cost: O(c * block). */
int sw_span_changes(const sw_datagram *d, uint32_t block, const uint8_t *base);

/* Walk a decoded span frame by frame: cur holds the block of the frame
 * before the span; each sw_span_next turns it into the next frame's. */
typedef struct sw_span_iter {
  const uint8_t *next_record, *end; /* the records not read yet */
  uint32_t left, block;
  uint64_t offset, next_change; /* the next frame's index in the span; the next changed one's (UINT64_MAX: none) */
} sw_span_iter;
void sw_span_begin(sw_span_iter *it, const sw_datagram *d, uint32_t block);
void sw_span_next(sw_span_iter *it, uint8_t *cur);

#endif
