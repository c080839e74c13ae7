/* SPDX-License-Identifier: MIT */
// The network simulator's header in C++ (extern "C", no C-only constructs):
// a datagram and a message channel both ways, a close reaching both ends,
// used from C++11.
#include "synk_netsim.h"

#include <cstdio>

int main() {
  synk_netsim_config c;
  synk_netsim_config_defaults(&c);
  c.max_channels = 2;
  c.channel_bytes = 256;
  c.channel_msgs = 8;
  c.max_message = 64;
  c.seed = 3;
  synk_netsim *ns = nullptr;
  int bad = synk_netsim_create(&c, &ns) != SYNK_OK;
  const unsigned char hello[5] = {'h', 'e', 'l', 'l', 'o'};
  unsigned char buf[64];
  size_t len = 0, room = 0;
  uint32_t from = 0, to = 0;
  bad |= synk_netsim_send(ns, 0, 0, 1, hello, sizeof hello) != SYNK_OK;
  bad |= synk_netsim_recv(ns, 0, &from, &to, buf, sizeof buf, &len) != SYNK_OK || len != 5 || to != 1;
  synk_netsim_channel_link link = {{10, 20}, {5, 0}, 0};
  uint32_t ch = 99;
  bad |= synk_netsim_channel_open(ns, 0, &link, &ch) != SYNK_OK || ch != 0;
  bad |= synk_netsim_channel_room(ns, ch, 0, &room) != SYNK_OK || room != 64;
  bad |= synk_netsim_channel_send(ns, 0, ch, 0, hello, sizeof hello) != SYNK_OK;
  bad |= synk_netsim_channel_send(ns, 0, ch, 1, hello, 2) != SYNK_OK;
  synk_netsim_arrival a;
  bad |= synk_netsim_channel_recv(ns, 9, &a, buf, sizeof buf, &len) != SYNK_EMPTY;
  bad |= synk_netsim_channel_recv(ns, 20, &a, buf, sizeof buf, &len) != SYNK_OK || len != 5 || a.end != 1; // due 10..15
  bad |= synk_netsim_channel_recv(ns, 20, &a, buf, sizeof buf, &len) != SYNK_OK || len != 2 || a.end != 0; // due 20
  bad |= synk_netsim_channel_close(ns, 20, ch, 1, SYNK_NETSIM_CLOSE_FLUSH) != SYNK_OK;
  bad |= synk_netsim_channel_close_at(ns, ch, 30) != SYNK_E_MISMATCH;
  bad |= synk_netsim_channel_hold(ns, ch, 0, 0) != SYNK_OK;
  int told = 0;
  while (synk_netsim_channel_recv(ns, 20, &a, nullptr, 0, &len) == SYNK_OK)
    told += a.closed == SYNK_NETSIM_CLOSED_BY_END1 && a.channel == ch && len == 0;
  synk_netsim_channel_info info;
  bad |= synk_netsim_channel_get_info(ns, ch, &info) != SYNK_OK || info.state != SYNK_NETSIM_CHANNEL_FREE;
  bad |= told != 2;
  bad |= synk_netsim_channel_set_link(ns, 20, UINT32_MAX, &link) != SYNK_OK;
  synk_netsim_stats st;
  bad |= synk_netsim_get_stats(ns, &st) != SYNK_OK || st.messages_delivered != 2 || st.channels_closed != 1;
  synk_netsim_destroy(ns);
  std::printf("test_netsim_cxx: %s\n", bad ? "FAILED" : "ok");
  return bad;
}
