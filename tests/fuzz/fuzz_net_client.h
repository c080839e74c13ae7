/* SPDX-License-Identifier: MIT */
/* The fuzz target fuzz_net_client and its seed corpus generator share this
 * setup: a client endpoint (net/include/synk_net.h) that accepts a 512-id
 * world (2 props, seed 5) in room 9, with prediction on, started (its HELLO
 * queued), receiving hostile server bytes.
 *
 * An input is a sequence of records, each [u8 ctl][u16 little-endian length]
 * [length bytes]:
 *   ctl bit 0: framed: the bytes are [u8 type][body] and the harness adds the
 *              LEB128 length and the CRC-32C (so mutations reach the message
 *              parsers); otherwise they are fed raw;
 *       bit 1: after the record the client sends a command predicting a
 *              motion of entity (ctl >> 4) (tests reconciliation under
 *              hostile ticks and results);
 *       bit 2: the connection ends after the record and the client starts
 *              again (a resume);
 *       bit 3: a synk_client_request_sync after the record.
 */
#ifndef SYNK_FUZZ_NET_CLIENT_H
#define SYNK_FUZZ_NET_CLIENT_H

#include <stdlib.h>
#include <string.h>

#include "fuzz_image.h"
#include "fuzz_wire.h"
#include "synk_net.h"

#define FC_ENTITIES 512
#define FC_PROPS 2
#define FC_SEED 5
#define FC_ROOM 9
#define FC_MAX_RECORDS 256

/* the client (allocator: NULL for malloc) */
static inline synk_status fc_client_with(synk_client **out, const synk_allocator *al) {
  synk_client_config cc;
  memset(&cc, 0, sizeof cc);
  cc.allocator = al;
  cc.max_entities = FC_ENTITIES;
  cc.num_props = FC_PROPS;
  cc.seed = FC_SEED;
  cc.room_id = FC_ROOM;
  cc.frag_size = 512;
  cc.predict = 1;
  cc.token = "fuzz";
  cc.token_len = 4;
  synk_status st = synk_client_create(&cc, out);
  if (st) return st;
  return synk_client_start(*out, 0);
}
static inline synk_status fc_client(synk_client **out) { return fc_client_with(out, NULL); }

/* frame [type][body] into out: type, LEB128 length, body, CRC-32C */
static inline size_t fc_frame(uint8_t *out, const uint8_t *tb, size_t n) {
  return fz_frame(out, n ? tb[0] : 0, tb + (n ? 1 : 0), n ? n - 1 : 0);
}

#endif
