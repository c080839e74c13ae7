/* SPDX-License-Identifier: MIT */
/* Seed corpus of fuzz_net_client: a real server (512-id world, 2 props,
 * seed 5, room 9) and the target's own client (fuzz_net_client.h) play a
 * session -- join with a snapshot, ticks with motions, property changes,
 * spawns and despawns, predicted commands and their results, a corrupted
 * world answered by CHECK and a REPAIR, a reconnect answered by a REPLAY,
 * application messages -- and every message the server sends is written as
 * a record (framed: type + body; or raw), with the control bits that make
 * the target's client do what this one did after it, so the target replays
 * the session. Usage: gen_net_client_corpus DIR */
#include <stdio.h>

#include "fuzz_net_client.h"

static synk_server *S;
static synk_client *C;
static uint32_t K;
static FILE *out;
static int raw;
static uint8_t buf[1 << 16];

static uint32_t validate(void *ctx, uint32_t client, const void *cmd, size_t len, synk_event *ev, size_t cap,
                         size_t *n) {
  (void)ctx;
  (void)client;
  if (len != 1 || cap < 1) return SYNK_NET_R_APP;
  uint8_t c = ((const uint8_t *)cmd)[0];
  if (c & 0x80) return SYNK_NET_R_APP + 1; /* some commands are rejected */
  synk_event m = {SYNK_EV_MOTION, (uint32_t)(c >> 4), 0, 1, -1, 0};
  ev[0] = m;
  *n = 1;
  return 0;
}

static void on_event(void *ctx, const synk_net_event *ev) {
  (void)ctx;
  if (ev->type == SYNK_NET_EV_JOINED) {
    uint32_t cells[2] = {0, 5}, ids[2] = {3, 300};
    synk_net_view v = {0, 0, cells, 2, ids, 2, 0};
    synk_server_set_view(S, ev->client, &v);
  }
}

static void emit_record(const uint8_t *m, size_t len, unsigned ctl) {
  const uint8_t *p = m;
  size_t n = len;
  static uint8_t tb[1 << 16];
  if (!raw) {
    size_t i = 1;
    while (m[i] & 0x80) i++;
    i++;
    tb[0] = m[0];
    memcpy(tb + 1, m + i, len - i - 4);
    p = tb;
    n = len - i - 4 + 1;
    ctl |= 1;
  }
  uint8_t h[3] = {(uint8_t)ctl, (uint8_t)n, (uint8_t)(n >> 8)};
  fwrite(h, 1, 3, out);
  fwrite(p, 1, n, out);
}

/* server -> client (recorded; `ctl` on the last message), client -> server */
static void pump(uint64_t now, unsigned ctl) {
  for (int round = 0; round < 4; round++) {
    size_t len;
    static uint8_t last[1 << 16];
    size_t last_len = 0;
    while (synk_server_poll(S, K, buf, sizeof buf, &len, now) == SYNK_OK && len) {
      if (last_len) {
        emit_record(last, last_len, 0);
        synk_client_receive(C, last, last_len, now);
      }
      memcpy(last, buf, len);
      last_len = len;
    }
    if (last_len) {
      emit_record(last, last_len, round == 0 ? ctl : 0);
      synk_client_receive(C, last, last_len, now);
      if (round == 0 && (ctl & 2)) {
        synk_event m = {SYNK_EV_MOTION, ctl >> 4, 0, 1, -1, 0};
        uint8_t cmd = (uint8_t)(ctl | 1);
        synk_client_command(C, &cmd, 1, &m, 1, NULL);
      }
      ctl = 0;
    }
    synk_client_service(C, now);
    while (synk_client_poll(C, buf, sizeof buf, &len, now) == SYNK_OK && len) synk_server_receive(S, K, buf, len, now);
  }
}

static int session(const char *path, int raw_records) {
  raw = raw_records;
  out = fopen(path, "wb");
  if (!out) return 1;
  synk_config wc = {FC_ENTITIES, FC_PROPS, FC_SEED, NULL, NULL};
  synk_world *w;
  if (synk_world_create(&wc, &w)) return 1;
  for (uint32_t id = 0; id < FC_ENTITIES; id += 3) synk_spawn(w, id, id % 4, (int32_t)(id * 7 % 256), (int32_t)(id * 11 % 256), 0);
  synk_server_config sc;
  memset(&sc, 0, sizeof sc);
  sc.world = w;
  sc.room_id = FC_ROOM;
  sc.max_clients = 4;
  sc.grid.cell_size = 64;
  sc.grid.cols = sc.grid.rows = 4;
  sc.frag_size = 512;
  sc.ack_interval = 4;
  sc.resume_key[0] = 0x9216D5D98979FB1Bull; /* a real key: the zero key is for tests only */
  sc.resume_key[1] = 0xD1310BA698DFB5ACull;
  sc.on_event = on_event;
  sc.validate = validate;
  if (synk_server_create(&sc, &S) || fc_client(&C) || synk_server_connect(S, 0, &K)) return 1;
  pump(0, 0);
  for (uint64_t t = 1; t <= 40; t++) {
    synk_event ev[80];
    size_t n = 0;
    for (uint32_t id = (uint32_t)(t % 3) * 3; id < FC_ENTITIES; id += 9) {
      synk_event m = {SYNK_EV_MOTION, id, 0, (int32_t)(t % 5) - 2, (int32_t)(t % 3) - 1, 0};
      ev[n++] = m;
    }
    if (t % 4 == 0) {
      synk_event p = {SYNK_EV_PROP, (uint32_t)(t * 3) % FC_ENTITIES / 3 * 3, 1, (int32_t)t, 0, 0};
      ev[n++] = p;
    }
    if (t == 8) {
      synk_event sp = {SYNK_EV_SPAWN, 301, 1, 10, 10, 0};
      ev[n++] = sp;
    }
    if (t == 16) {
      synk_event de = {SYNK_EV_DESPAWN, 301, 0, 0, 0, 0};
      ev[n++] = de;
    }
    synk_server_apply(S, ev, n, NULL);
    if (t == 12) synk_server_send(S, SYNK_NET_TO_ALL, NULL, 0, "hello", 5, NULL);
    if (t == 20) synk_move(synk_client_world_mut(C), 3, 5, 5, 0); /* corrupted: CHECK, SYNC, REPAIR */
    synk_server_tick(S, t * 16);
    unsigned ctl = 0;
    if (t % 6 == 0) ctl |= 2 | (3u << 4); /* a predicted command on entity 3 */
    if (t == 30) ctl |= 4;                /* the connection ends after this record */
    pump(t * 16, ctl);
    if (t == 30) {
      synk_server_disconnect(S, K, t * 16);
      synk_client_disconnect(C);
      synk_server_connect(S, t * 16, &K);
      synk_client_start(C, t * 16);
    }
  }
  fclose(out);
  /* the session must have been what it says, or the seed is worth less */
  synk_server_stats st;
  synk_server_get_stats(S, &st);
  uint64_t vh = 0;
  synk_server_view_hash(S, synk_client_id(C), &vh);
  if (synk_client_get_state(C) != SYNK_CLIENT_LIVE || synk_client_confirmed_hash(C) != vh || st.snapshots < 1 ||
      st.repairs < 2 || st.mismatches != 1 || st.commands_accepted < 1) {
    fprintf(stderr, "gen_net_client_corpus: the session went wrong (state %d, snapshots %llu, repairs %llu, "
            "mismatches %llu, commands %llu)\n", (int)synk_client_get_state(C), (unsigned long long)st.snapshots,
            (unsigned long long)st.repairs, (unsigned long long)st.mismatches,
            (unsigned long long)st.commands_accepted);
    return 1;
  }
  synk_client_destroy(C);
  synk_server_destroy(S);
  synk_world_destroy(w);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_net_client_corpus DIR\n");
    return 2;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/session.bin", argv[1]);
  if (session(path, 0)) return 1;
  snprintf(path, sizeof path, "%s/session-raw.bin", argv[1]);
  if (session(path, 1)) return 1;
  return 0;
}
