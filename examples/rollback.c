/* SPDX-License-Identifier: MIT */
/* rollback: two peers play a tiny game over a simulated network with 60 ms
 * of latency, 30 ms of jitter and 10% loss, using rollback sessions.
 *
 * Each peer owns one player; an input is 4 bytes (a move dx, dy). The
 * session predicts the other player's input, rolls the world back and
 * re-simulates when a prediction was wrong, and saves/restores the world
 * itself (synk_ring): the game code below only applies the inputs of each
 * ADVANCE request. Every 30 frames the peers compare the world hash of a
 * frame both have confirmed. At the end both worlds must be identical:
 * exits 0 when they are. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "synk_netsim.h"
#include "synk_session.h"

#define FRAMES 600u
#define ENTITIES 256u

typedef struct peer {
  synk_world *w;
  synk_session *s;
} peer;

/* the game: player p's entity moves by its input; one crowd entity drifts */
static void simulate(synk_world *w, uint64_t frame, const uint8_t *inputs) {
  for (uint32_t p = 0; p < 2; p++) synk_move(w, p, (int8_t)inputs[4 * p], (int8_t)inputs[4 * p + 1], 0);
  synk_move(w, 2 + (uint32_t)(frame % (ENTITIES - 2)), 0, 1, 0);
}

/* what player p presses at frame f: a new direction every 8 frames */
static void controls(uint32_t p, uint64_t f, uint8_t in[4]) {
  memset(in, 0, 4);
  in[0] = (uint8_t)(((f / 8) * (p + 3)) % 5) - 2;
  in[1] = (uint8_t)(((f / 8) * (p + 7)) % 3) - 1;
}

int main(void) {
  peer pe[2];
  synk_netsim *net = NULL;
  synk_netsim_link link = {60, 30, 100000, 0, 0, 0, 0, 0}; /* 60 ms + 0..30 ms, 10% loss */
  synk_netsim_config nc;
  synk_netsim_config_defaults(&nc); /* 2 nodes */
  nc.seed = 7;
  if (synk_netsim_create(&nc, &net) != SYNK_OK) return 1;
  synk_netsim_set_link(net, UINT32_MAX, UINT32_MAX, &link);
  for (uint32_t i = 0; i < 2; i++) {
    synk_config wc = {ENTITIES, 0, 2024, NULL, NULL};
    if (synk_world_create(&wc, &pe[i].w) != SYNK_OK) return 1;
    for (uint32_t id = 0; id < ENTITIES; id++) synk_spawn(pe[i].w, id, 0, (int32_t)id, 0, 0);
    synk_session_config sc;
    memset(&sc, 0, sizeof sc);
    sc.num_players = 2;
    sc.num_peers = 2;
    sc.local_peer = i;
    sc.player_peer[0] = 0;
    sc.player_peer[1] = 1;
    sc.input_size = 4;
    sc.input_delay = 1;
    sc.max_prediction = 8;
    sc.desync_interval = 30;
    sc.session_id = 42;
    sc.world = pe[i].w;
    if (synk_session_create(&sc, &pe[i].s) != SYNK_OK) return 1;
  }
  uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
  uint64_t stalls = 0;
  for (uint32_t tick = 0; tick < FRAMES * 4; tick++) {
    uint64_t now = (uint64_t)tick * 50 / 3;
    uint32_t from, to;
    size_t len;
    while (synk_netsim_recv(net, now, &from, &to, buf, sizeof buf, &len) == SYNK_OK)
      synk_session_receive(pe[to].s, now, from, buf, len);
    int done = 1;
    for (uint32_t i = 0; i < 2; i++) {
      synk_session_stats st;
      synk_session_get_stats(pe[i].s, &st);
      if (st.frame < FRAMES) {
        done = 0;
        uint8_t in[4];
        controls(i, st.frame, in);
        synk_session_add_local_input(pe[i].s, i, in);
        synk_status r = synk_session_advance(pe[i].s, now);
        if (r == SYNK_SESSION_STALL) stalls++;
        synk_session_request rq;
        while (r == SYNK_OK && synk_session_next_request(pe[i].s, &rq) == SYNK_OK)
          if (rq.type == SYNK_REQ_ADVANCE) simulate(pe[i].w, rq.frame, rq.inputs);
      }
      synk_session_event ev;
      while (synk_session_next_event(pe[i].s, &ev) == SYNK_OK)
        if (ev.type == SYNK_SEV_DESYNC) printf("peer %u: desync at frame %llu\n", i, (unsigned long long)ev.frame);
      while (synk_session_poll(pe[i].s, now, &to, buf, sizeof buf, &len) == SYNK_OK) synk_netsim_send(net, now, i, to, buf, len);
    }
    if (done) break;
  }
  /* the newest checkpoint both peers recorded as final (the very last frames
     may still rest on predictions) */
  synk_session_stats s0, s1;
  synk_session_get_stats(pe[0].s, &s0);
  synk_session_get_stats(pe[1].s, &s1);
  uint64_t h0 = 0, h1 = 0, frame = 0;
  for (uint64_t f = FRAMES - 1; f > 0 && !frame; f--)
    if (synk_session_final_hash(pe[0].s, f, &h0) == SYNK_OK && synk_session_final_hash(pe[1].s, f, &h1) == SYNK_OK)
      frame = f;
  printf("frames %llu / %llu, rollbacks %llu / %llu, stalls %llu\n", (unsigned long long)s0.frame,
         (unsigned long long)s1.frame, (unsigned long long)s0.rollbacks, (unsigned long long)s1.rollbacks,
         (unsigned long long)stalls);
  printf("confirmed frame %llu: hash 0x%016llx / 0x%016llx -> %s\n", (unsigned long long)frame,
         (unsigned long long)h0, (unsigned long long)h1, frame && h0 == h1 ? "identical" : "DIFFERENT");
  int ok = frame && h0 == h1 && s0.frame == FRAMES && s1.frame == FRAMES;
  for (uint32_t i = 0; i < 2; i++) {
    synk_session_destroy(pe[i].s);
    synk_world_destroy(pe[i].w);
  }
  synk_netsim_destroy(net);
  return ok ? 0 : 1;
}
