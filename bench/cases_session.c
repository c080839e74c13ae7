/* SPDX-License-Identifier: MIT */
/*
 * Session cases: the cost of the input-session layer itself per advanced
 * frame, without the application's simulation. 4 peers with one player
 * each (4-byte inputs, a byte changing about every 6 frames, rollback with
 * 8 frames of prediction, a hash check every 30 frames) in one process;
 * datagrams go from poll straight to the receiver's receive (a perfect
 * network). One run is one frame on every peer: add the local input,
 * advance, read the requests, poll every datagram, deliver it. ns/op is per
 * peer-frame. No world is attached: the rollback cost of a world is measured
 * by the rollback/8-frame cases.
 */
#include "cases.h"

#include "rng.h"
#include "synk.h"
#include "synk_session.h"

#include <stdlib.h>
#include <string.h>

#define SB_PEERS 4u

typedef struct sess_state {
  synk_session *s[SB_PEERS];
  uint8_t input[SB_PEERS][4];
  synk_rng rng;
  uint64_t frames;
  uint8_t buf[2048];
} sess_state;

static void teardown_sess(void *p) {
  sess_state *st = (sess_state *)p;
  for (uint32_t i = 0; i < SB_PEERS; i++) synk_session_destroy(st->s[i]);
  free(st);
}

static void run_sess_frame(void *p) {
  sess_state *st = (sess_state *)p;
  const uint64_t now = st->frames * 50 / 3;
  for (uint32_t i = 0; i < SB_PEERS; i++) {
    if (synk_rng_below(&st->rng, 6) == 0) st->input[i][synk_rng_below(&st->rng, 4)] = (uint8_t)synk_rng_next(&st->rng);
    if (synk_session_add_local_input(st->s[i], i, st->input[i]) != SYNK_OK) synk_bench_failed = 1;
    synk_status r = synk_session_advance(st->s[i], now);
    if (r == SYNK_OK) {
      synk_session_request rq;
      while (synk_session_next_request(st->s[i], &rq) == SYNK_OK) {
      }
    } else if (r != SYNK_SESSION_STALL) {
      synk_bench_failed = 1;
    }
    synk_session_event ev;
    while (synk_session_next_event(st->s[i], &ev) == SYNK_OK) {
    }
  }
  for (uint32_t i = 0; i < SB_PEERS; i++) {
    uint32_t to;
    size_t len;
    while (synk_session_poll(st->s[i], now, &to, st->buf, sizeof st->buf, &len) == SYNK_OK)
      if (to < SB_PEERS && synk_session_receive(st->s[to], now, i, st->buf, len) != SYNK_OK) synk_bench_failed = 1;
  }
  st->frames++;
}

static void *setup_sess(const synk_bench_case *c) {
  (void)c;
  sess_state *st = (sess_state *)calloc(1, sizeof *st);
  if (!st) return NULL;
  synk_rng_seed(&st->rng, 0x5E55);
  for (uint32_t i = 0; i < SB_PEERS; i++) {
    synk_session_config sc;
    memset(&sc, 0, sizeof sc);
    sc.num_players = SB_PEERS;
    sc.num_peers = SB_PEERS;
    sc.local_peer = i;
    for (uint32_t q = 0; q < SB_PEERS; q++) sc.player_peer[q] = (uint8_t)q;
    sc.input_size = 4;
    sc.max_prediction = 8;
    sc.desync_interval = 0; /* no world: nothing to hash */
    sc.session_id = 0xBE7C4;
    if (synk_session_create(&sc, &st->s[i]) != SYNK_OK) {
      teardown_sess(st);
      return NULL;
    }
  }
  for (int f = 0; f < 120; f++) run_sess_frame(st); /* connected, synchronized, steady state */
  return st;
}

static const synk_bench_case session_cases[] = {
    {"session/frame/4p", "session/frame", "4 peers rollback", 4, SB_PEERS, "peer-frame", 0, NULL, NULL, NULL,
     "one frame on each of 4 rollback peers (input, advance, requests, poll, receive), no simulation",
     setup_sess, run_sess_frame, teardown_sess, NULL, NULL, NULL},
};

static const synk_bench_target session_targets[] = {
    SYNK_BENCH_OP_AT_MOST("session overhead per peer-frame, 4 players (input, advance, datagrams out and in)",
                          "session/frame/4p", "-", 500),
};

const synk_bench_file synk_bench_file_session = {
    .cases = session_cases, .ncases = sizeof session_cases / sizeof session_cases[0],
    .targets = session_targets, .ntargets = sizeof session_targets / sizeof session_targets[0]};
