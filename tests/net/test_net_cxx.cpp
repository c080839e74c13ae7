/* SPDX-License-Identifier: MIT */
// The net header in C++ (extern "C", no C-only constructs): a server and a
// client endpoint joined over a direct in-memory exchange, from C++11. The
// simulated transport's header is compiled too (its functions are C, not
// linked here).
#include "msgnet.h"
#include "synk_net.h"

#include <cstdio>
#include <cstring>
#include <vector>

namespace {

struct Events {
  int joined = 0, closes = 0;
};

void on_server(void *ctx, const synk_net_event *ev) {
  Events *e = static_cast<Events *>(ctx);
  if (ev->type == SYNK_NET_EV_JOINED) e->joined++;
  if (ev->type == SYNK_NET_EV_CLOSE) e->closes++;
}

}  // namespace

int main() {
  synk_config wc = {512, 1, 9, nullptr, nullptr};
  synk_world *w = nullptr;
  int bad = synk_world_create(&wc, &w) != SYNK_OK;
  for (uint32_t id = 0; id < 100 && !bad; id++) bad |= synk_spawn(w, id, id % 3, static_cast<int32_t>(id), 0, 0) != SYNK_OK;
  Events ev;
  synk_server_config sc;
  std::memset(&sc, 0, sizeof sc);
  sc.world = w;
  sc.room_id = 3;
  sc.max_clients = 2;
  sc.on_event = on_server;
  sc.ctx = &ev;
  sc.resume_key[0] = 3;
  sc.resume_key[1] = 4;
  synk_server *s = nullptr;
  bad |= synk_server_create(&sc, &s) != SYNK_OK;
  synk_client_config cc;
  std::memset(&cc, 0, sizeof cc);
  cc.max_entities = 512;
  cc.num_props = 1;
  cc.seed = 9;
  cc.room_id = 3;
  synk_client *c = nullptr;
  bad |= synk_client_create(&cc, &c) != SYNK_OK;
  if (bad) {
    std::printf("test_net_cxx: FAILED (create)\n");
    return 1;
  }
  uint32_t conn = 0;
  bad |= synk_server_connect(s, 0, &conn) != SYNK_OK;
  bad |= synk_client_start(c, 0) != SYNK_OK;
  synk_net_view all;
  std::memset(&all, 0, sizeof all);
  all.all = 1;
  std::vector<unsigned char> buf(synk_server_frame_bound(s) + 65536);
  for (uint64_t now = 0; now < 40 * 16; now += 16) {
    size_t len = 0;
    while (synk_client_poll(c, buf.data(), buf.size(), &len, now) == SYNK_OK && len)
      bad |= synk_server_receive(s, conn, buf.data(), len, now) != SYNK_OK;
    if (ev.joined == 1 && synk_client_id(c) < 2) bad |= synk_server_set_view(s, synk_client_id(c), &all) != SYNK_OK;
    synk_event mv = {SYNK_EV_MOTION, static_cast<uint32_t>(now / 16) % 100, 0, 1, 2, 0};
    bad |= synk_server_apply(s, &mv, 1, nullptr) != SYNK_OK;
    bad |= synk_server_tick(s, now) != SYNK_OK;
    while (synk_server_poll(s, conn, buf.data(), buf.size(), &len, now) == SYNK_OK && len)
      bad |= synk_client_receive(c, buf.data(), len, now) != SYNK_OK;
  }
  uint64_t vh = 0;
  bad |= synk_server_view_hash(s, synk_client_id(c), &vh) != SYNK_OK;
  bad |= synk_client_get_state(c) != SYNK_CLIENT_LIVE;
  bad |= synk_client_world(c) == nullptr || synk_hash(synk_client_world(c)) != vh;
  bad |= ev.joined != 1 || ev.closes != 0;
  bad |= std::strcmp(synk_net_reason_str(SYNK_NET_R_ROOM), "SYNK_NET_R_ROOM") != 0;
  msgnet_config mc;  // the transport's types are usable from C++
  std::memset(&mc, 0, sizeof mc);
  mc.max_links = MSGNET_NONE == UINT32_MAX ? 1 : 0;
  bad |= mc.max_links != 1;
  synk_client_destroy(c);
  synk_server_destroy(s);
  synk_world_destroy(w);
  std::printf("test_net_cxx: %s\n", bad ? "FAILED" : "ok");
  return bad;
}
