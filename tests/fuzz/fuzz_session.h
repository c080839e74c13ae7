/* SPDX-License-Identifier: MIT */
/* The fuzz target's session and the seed corpus generator share this setup:
 * peer 0 of a 2-peer rollback session (one player each, 4-byte inputs, 4
 * frames of prediction, 1 frame of delay, a hash check every 16 frames) over
 * a 32-id world (one chunk, no properties), brought to frame 30 by an honest
 * exchange with peer 1. An input of the target is a sequence of datagrams
 * from peer 1, each as a u16 little-endian length and its bytes (the first
 * FS_MAX_DATAGRAMS are read). */
#ifndef SYNK_FUZZ_SESSION_H
#define SYNK_FUZZ_SESSION_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synk_session.h"

/* a small world: one chunk; every check per datagram stays cheap */
#define FS_ENTITIES 32
/* datagrams read from one input: longer sequences are fuzz_session_seq's */
#define FS_MAX_DATAGRAMS 8

typedef struct fs_peer {
  synk_world *w;
  synk_session *s;
} fs_peer;

/* world_al / session_al: the allocators of the world (and its ring) and of
 * the session (NULL: malloc) */
static inline int fs_open(fs_peer *p, uint32_t local, const synk_allocator *world_al,
                          const synk_allocator *session_al) {
  synk_config wc = {FS_ENTITIES, 0, 5, world_al, NULL};
  if (synk_world_create(&wc, &p->w) != SYNK_OK) return 0;
  for (uint32_t id = 0; id < FS_ENTITIES; id += 3) synk_spawn(p->w, id, id % 5, (int32_t)id, 0, 0);
  synk_session_config c;
  memset(&c, 0, sizeof c);
  c.num_players = 2;
  c.num_peers = 2;
  c.local_peer = local;
  c.player_peer[1] = 1;
  c.input_size = 4;
  c.input_delay = 1;
  c.max_prediction = 4;
  c.desync_interval = 16;
  c.session_id = 0xF022;
  c.world = p->w;
  c.allocator = session_al;
  return synk_session_create(&c, &p->s) == SYNK_OK;
}

static inline void fs_close(fs_peer *p) {
  synk_session_destroy(p->s);
  synk_world_destroy(p->w);
}

/* one frame of peer `who`: its input, the step, the game (player q moves
 * entity 3q by its input's first two bytes); 0 when it stalled */
static inline int fs_step(fs_peer *p, uint32_t who, uint64_t frame, uint32_t now) {
  uint8_t in[4] = {(uint8_t)(frame / 4 + who), (uint8_t)(who * 3), 0, (uint8_t)(frame / 7)};
  synk_session_add_local_input(p->s, who, in);
  if (synk_session_advance(p->s, now) != SYNK_OK) return 0;
  synk_session_request rq;
  while (synk_session_next_request(p->s, &rq) == SYNK_OK)
    if (rq.type == SYNK_REQ_ADVANCE)
      for (uint32_t q = 0; q < 2; q++) synk_move(p->w, 3 * q, (int8_t)rq.inputs[4 * q], (int8_t)rq.inputs[4 * q + 1], 0);
  return 1;
}

/* move every datagram of `from` to `to`; with `out`, also append peer 1's
 * datagrams as target input (u16 length + bytes) */
static inline void fs_flush(fs_peer *from, uint32_t fi, fs_peer *to, uint32_t now, FILE *out) {
  uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
  uint32_t peer;
  size_t len;
  while (synk_session_poll(from->s, now, &peer, buf, sizeof buf, &len) == SYNK_OK) {
    if (to) synk_session_receive(to->s, now, fi, buf, len);
    if (out) {
      uint8_t h[2] = {(uint8_t)len, (uint8_t)(len >> 8)};
      fwrite(h, 1, 2, out);
      fwrite(buf, 1, len, out);
    }
  }
}

/* the honest prelude: both peers to frame 30, every datagram delivered;
 * peer a's world and session made with the given allocators (NULL: malloc) */
static inline int fs_prelude_with(fs_peer *a, fs_peer *b, const synk_allocator *world_al,
                                  const synk_allocator *session_al) {
  if (!fs_open(a, 0, world_al, session_al) || !fs_open(b, 1, NULL, NULL)) return 0;
  for (uint64_t f = 0; f < 30; f++) {
    uint32_t now = (uint32_t)(f * 16);
    if (!fs_step(a, 0, f, now) || !fs_step(b, 1, f, now)) return 0;
    fs_flush(a, 0, b, now, NULL);
    fs_flush(b, 1, a, now, NULL);
  }
  return 1;
}
static inline int fs_prelude(fs_peer *a, fs_peer *b) { return fs_prelude_with(a, b, NULL, NULL); }

#endif
