/* SPDX-License-Identifier: MIT */
/*
 * A server-authoritative room in one process: a server endpoint owns the
 * world, three clients join with different views, one moves its own entity
 * with predicted commands, one loses its connection and resumes. The "network"
 * is a byte copy between the endpoints (a real program moves the same bytes
 * over TCP, WebSockets or ENet). Exits 0 when every client's world hash equals
 * the server's hash of its view.
 */
#include <stdio.h>
#include <string.h>

#include "synk.h"
#include "synk_net.h"

enum { CLIENTS = 3, ENTITIES = 2000, CELL = 1000 };

static synk_server *server;
static synk_client *clients[CLIENTS];
static uint32_t conns[CLIENTS];
static int connected[CLIENTS];
static uint8_t buf[1 << 16];

/* The server decides what each client sees: client i the grid column i, and
 * its own avatar (entity i) wherever it is. */
static void on_server_event(void *ctx, const synk_net_event *ev) {
  (void)ctx;
  if (ev->type == SYNK_NET_EV_JOINED) {
    uint32_t cells[4], id = ev->client;
    for (uint32_t r = 0; r < 4; r++) cells[r] = r * 4 + ev->client % 4;
    synk_net_view v = {0, 0, cells, 4, &id, 1, 0};
    synk_server_set_view(server, ev->client, &v);
  } else if (ev->type == SYNK_NET_EV_DESYNC) {
    printf("server: client %u disagreed at frame %llu, repairing\n", ev->client,
           (unsigned long long)ev->frame);
  }
}

/* Authority: a command is "move my avatar by (dx, dy)", at most 5 per axis. */
static uint32_t validate(void *ctx, uint32_t client, const void *cmd, size_t len, synk_event *out,
                         size_t cap, size_t *n) {
  (void)ctx;
  int8_t d[2];
  if (len != 2 || cap < 1) return SYNK_NET_R_APP + 1;
  memcpy(d, cmd, 2);
  if (d[0] < -5 || d[0] > 5 || d[1] < -5 || d[1] > 5) return SYNK_NET_R_APP + 2; /* too fast */
  synk_event m = {SYNK_EV_MOTION, client, 0, d[0], d[1], 0};
  out[0] = m;
  *n = 1;
  return 0;
}

/* Move every queued message both ways, a few rounds. */
static void pump(uint64_t now) {
  for (int round = 0; round < 3; round++)
    for (int i = 0; i < CLIENTS; i++) {
      if (!connected[i]) continue;
      size_t len;
      while (synk_server_poll(server, conns[i], buf, sizeof buf, &len, now) == SYNK_OK && len)
        synk_client_receive(clients[i], buf, len, now);
      while (synk_client_poll(clients[i], buf, sizeof buf, &len, now) == SYNK_OK && len)
        synk_server_receive(server, conns[i], buf, len, now);
    }
}

int main(void) {
  synk_config wc = {ENTITIES, 2, 42, NULL, NULL};
  synk_world *world;
  if (synk_world_create(&wc, &world) != SYNK_OK) return 1;
  uint32_t rng = 1;
  for (uint32_t id = 0; id < ENTITIES; id++) {
    rng = rng * 1103515245u + 12345u;
    int32_t x = (int32_t)((rng >> 8) % (4 * CELL));
    rng = rng * 1103515245u + 12345u;
    int32_t y = (int32_t)((rng >> 8) % (4 * CELL));
    synk_spawn(world, id, id % 4, x, y, 0);
  }
  synk_server_config sc;
  memset(&sc, 0, sizeof sc);
  sc.world = world;
  sc.room_id = 1;
  sc.max_clients = 8;
  sc.grid.cell_size = CELL;
  sc.grid.cols = sc.grid.rows = 4;
  sc.ack_interval = 5;
  sc.on_event = on_server_event;
  sc.validate = validate;
  sc.resume_key[0] = 0x0123456789abcdefull; /* use random bits in a real server */
  sc.resume_key[1] = 0xfedcba9876543210ull;
  if (synk_server_create(&sc, &server) != SYNK_OK) return 1;

  for (int i = 0; i < CLIENTS; i++) {
    synk_client_config cc;
    memset(&cc, 0, sizeof cc);
    cc.max_entities = ENTITIES;
    cc.num_props = 2;
    cc.seed = 42;
    cc.room_id = 1;
    cc.predict = 1;
    if (synk_client_create(&cc, &clients[i]) != SYNK_OK) return 1;
    synk_server_connect(server, 0, &conns[i]);
    synk_client_start(clients[i], 0);
    connected[i] = 1;
  }
  pump(0);

  for (uint64_t frame = 1; frame <= 300; frame++) {
    uint64_t now = frame * 33;
    /* the world's own life: every 10th entity drifts */
    synk_event ev[ENTITIES / 10];
    size_t n = 0;
    for (uint32_t id = (uint32_t)(frame % 10); id < ENTITIES; id += 10) {
      synk_event m = {SYNK_EV_MOTION, id, 0, (int32_t)(frame % 3) - 1, 1 - (int32_t)(frame % 3), 0};
      ev[n++] = m;
    }
    synk_server_apply(server, ev, n, NULL);
    /* client 0 walks its avatar east, predicting each step */
    if (synk_client_get_state(clients[0]) == SYNK_CLIENT_LIVE) {
      int8_t d[2] = {3, 0};
      synk_event pred = {SYNK_EV_MOTION, synk_client_id(clients[0]), 0, 3, 0, 0};
      synk_client_command(clients[0], d, sizeof d, &pred, 1, NULL);
    }
    /* client 2's connection drops for 20 frames */
    if (frame == 100) {
      synk_server_disconnect(server, conns[2], now);
      synk_client_disconnect(clients[2]);
      connected[2] = 0;
    }
    if (frame == 120) {
      synk_server_connect(server, now, &conns[2]);
      synk_client_start(clients[2], now);
      connected[2] = 1;
    }
    synk_server_tick(server, now);
    synk_server_service(server, now);
    pump(now);
  }

  int ok = 1;
  for (int i = 0; i < CLIENTS; i++) {
    uint64_t expect = 0;
    synk_server_view_hash(server, synk_client_id(clients[i]), &expect);
    uint64_t got = synk_client_confirmed_hash(clients[i]);
    printf("client %d: %zu entities, frame %llu, hash %016llx %s\n", i, synk_count(synk_client_world(clients[i])),
           (unsigned long long)synk_client_frame(clients[i]), (unsigned long long)got,
           got == expect ? "= server's view hash" : "DIFFERS");
    ok &= got == expect;
  }
  synk_server_stats st;
  synk_server_get_stats(server, &st);
  printf("acks verified %llu, mismatches %llu, snapshots %llu, repairs/replays %llu, commands accepted %llu\n",
         (unsigned long long)st.verified, (unsigned long long)st.mismatches, (unsigned long long)st.snapshots,
         (unsigned long long)st.repairs, (unsigned long long)st.commands_accepted);
  for (int i = 0; i < CLIENTS; i++) synk_client_destroy(clients[i]);
  synk_server_destroy(server);
  synk_world_destroy(world);
  return ok ? 0 : 1;
}
