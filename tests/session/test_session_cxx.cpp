/* SPDX-License-Identifier: MIT */
// The session headers in C++ (extern "C", no C-only constructs): a two-peer
// lockstep session and the network simulator, used from C++11.
#include "synk_netsim.h"
#include "synk_session.h"

#include <cstdio>

int main() {
  synk_session_config c;
  synk_session_config_defaults(&c);
  c.num_players = 2;
  c.num_peers = 2;
  c.player_peer[1] = 1;
  c.input_size = 2;
  synk_session *a = nullptr, *b = nullptr;
  int bad = synk_session_create(&c, &a) != SYNK_OK;
  c.local_peer = 1;
  bad |= synk_session_create(&c, &b) != SYNK_OK;
  synk_netsim *ns = nullptr;
  synk_netsim_config nc;
  synk_netsim_config_defaults(&nc);
  nc.capacity = 64;
  nc.seed = 1;
  bad |= synk_netsim_create(&nc, &ns) != SYNK_OK;
  const unsigned char in[2] = {1, 2};
  bad |= synk_session_add_local_input(a, 0, in) != SYNK_OK;
  bad |= synk_session_advance(a, 0) != SYNK_SESSION_STALL; // lockstep: player 1's input missing
  unsigned char buf[SYNK_SESSION_DEFAULT_MTU];
  uint32_t to = 0, from = 0;
  size_t len = 0;
  while (synk_session_poll(a, 0, &to, buf, sizeof buf, &len) == SYNK_OK) bad |= synk_netsim_send(ns, 0, 0, to, buf, len) != SYNK_OK;
  while (synk_netsim_recv(ns, 0, &from, &to, buf, sizeof buf, &len) == SYNK_OK) bad |= synk_session_receive(b, 0, from, buf, len) != SYNK_OK;
  bad |= synk_session_add_local_input(b, 1, in) != SYNK_OK;
  bad |= synk_session_advance(b, 0) != SYNK_OK;
  synk_session_request rq;
  int advanced = 0;
  while (synk_session_next_request(b, &rq) == SYNK_OK) advanced += rq.type == SYNK_REQ_ADVANCE && rq.inputs[0] == 1 && rq.inputs[3] == 2;
  bad |= advanced != 1;
  synk_session_event ev;
  while (synk_session_next_event(b, &ev) == SYNK_OK) bad |= ev.type < SYNK_SEV_CONNECTED || ev.type > SYNK_SEV_WAIT;
  bad |= synk_session_poll(b, 0, &to, buf, 10, &len) != SYNK_E_SPACE || len != SYNK_SESSION_DEFAULT_MTU;
  synk_session_destroy(a);
  synk_session_destroy(b);
  synk_netsim_destroy(ns);
  std::printf("test_session_cxx: %s\n", bad ? "FAILED" : "ok");
  return bad;
}
