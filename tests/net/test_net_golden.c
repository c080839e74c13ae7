/* SPDX-License-Identifier: MIT */
/*
 * Golden bytes of the protocol (docs/protocol.md): a fixed scenario -- a
 * 256-id world, one server with a fixed resume key, two clients (a cell view
 * and the whole world) that join, follow 40 ticks of motions, property
 * changes, spawns and despawns, send commands (one accepted, one rejected)
 * and an application message, and one that resumes -- exchanged directly (no
 * transport), every message in both directions recorded. Pinned: the exact
 * bytes of the first HELLO and WELCOME and of the resumed client's WELCOME
 * (its new resume token, the outcome of its command), and a CRC-32C and the
 * length of every message stream, so any
 * change to a message's layout, to the event pieces the server encodes or to
 * the order it sends them fails here, on every architecture and backend
 * (the bytes are little-endian by specification, whatever the host).
 * A format change updates these numbers deliberately (run with --print).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synk.h"
#include "synk_net.h"

#define N 256
static synk_server *S;
static synk_client *C[2];
static uint32_t K[2];
static uint8_t buf[1 << 16];
static uint32_t crc_down[2], crc_up[2];
static uint64_t len_down[2], len_up[2];
static uint8_t first_hello[128], first_welcome[128], resumed_welcome[128];
static size_t first_hello_len, first_welcome_len, resumed_welcome_len;
static int failures;

static void on_event(void *ctx, const synk_net_event *ev) {
  (void)ctx;
  if (ev->type == SYNK_NET_EV_JOINED) {
    uint32_t cell = 5;
    synk_net_view v = {ev->client == 1, 0, &cell, 1, NULL, 0, 0};
    synk_server_set_view(S, ev->client, &v);
  }
}

static uint32_t validate(void *ctx, uint32_t client, const void *cmd, size_t len, synk_event *out, size_t cap,
                         size_t *n) {
  (void)ctx;
  (void)client;
  if (len != 1 || cap < 1) return SYNK_NET_R_APP;
  synk_event m = {SYNK_EV_MOTION, 8, 0, ((const int8_t *)cmd)[0], 0, 0};
  out[0] = m;
  *n = 1;
  return 0;
}

/* A stream's CRC-32C runs over each message without its own trailing
 * CRC-32C: over a whole frame it would end in CRC-32C's residue whatever the
 * frame held, and the stream's CRC would pin nothing. */
static uint32_t stream_crc(uint32_t crc, const uint8_t *msg, size_t len) {
  return len >= 4 ? synk_crc32c(crc, msg, len - 4) : synk_crc32c(crc, msg, len);
}

static void pump(uint64_t now, int skip) {
  for (int round = 0; round < 4; round++)
    for (int i = 0; i < 2; i++) {
      if (i == skip) continue;
      size_t len;
      while (synk_server_poll(S, K[i], buf, sizeof buf, &len, now) == SYNK_OK && len) {
        if (!first_welcome_len && buf[0] == 16 && len <= sizeof first_welcome) {
          memcpy(first_welcome, buf, len);
          first_welcome_len = len;
        } else if (i == 1 && buf[0] == 16 && len <= sizeof resumed_welcome) {
          memcpy(resumed_welcome, buf, len);
          resumed_welcome_len = len;
        }
        crc_down[i] = stream_crc(crc_down[i], buf, len);
        len_down[i] += len;
        synk_client_receive(C[i], buf, len, now);
      }
      while (synk_client_poll(C[i], buf, sizeof buf, &len, now) == SYNK_OK && len) {
        if (!first_hello_len && len <= sizeof first_hello) {
          memcpy(first_hello, buf, len);
          first_hello_len = len;
        }
        crc_up[i] = stream_crc(crc_up[i], buf, len);
        len_up[i] += len;
        synk_server_receive(S, K[i], buf, len, now);
      }
    }
}

static void check_hex(const char *what, const uint8_t *got, size_t n, const char *want, int print) {
  char hex[260];
  size_t k = 0;
  for (size_t i = 0; i < n && k + 2 < sizeof hex; i++) k += (size_t)snprintf(hex + k, sizeof hex - k, "%02x", got[i]);
  hex[k] = 0;
  if (print) printf("%s %s\n", what, hex);
  if (strcmp(hex, want)) {
    fprintf(stderr, "%s bytes: %s, golden %s\n", what, hex, want);
    failures++;
  }
}

int main(int argc, char **argv) {
  int print = argc > 1 && !strcmp(argv[1], "--print");
  synk_config wc = {N, 2, 77, NULL, NULL};
  synk_world *w;
  if (synk_world_create(&wc, &w)) return 1;
  for (uint32_t id = 0; id < N; id += 2) synk_spawn(w, id, id % 3, (int32_t)(id * 13 % 400), (int32_t)(id * 29 % 400), 0);
  synk_server_config sc;
  memset(&sc, 0, sizeof sc);
  sc.world = w;
  sc.room_id = 3;
  sc.max_clients = 4;
  sc.grid.cell_size = 100;
  sc.grid.cols = sc.grid.rows = 4;
  sc.ack_interval = 4;
  sc.frag_size = 512;
  sc.on_event = on_event;
  sc.validate = validate;
  sc.resume_key[0] = 1;
  sc.resume_key[1] = 2;
  if (synk_server_create(&sc, &S)) return 1;
  for (int i = 0; i < 2; i++) {
    synk_client_config cc;
    memset(&cc, 0, sizeof cc);
    cc.max_entities = N;
    cc.num_props = 2;
    cc.seed = 77;
    cc.room_id = 3;
    cc.token = "tok";
    cc.token_len = 3;
    cc.frag_size = 512;
    cc.heartbeat_ms = 100000;
    cc.timeout_ms = 100000;
    if (synk_client_create(&cc, &C[i]) || synk_server_connect(S, 0, &K[i]) || synk_client_start(C[i], 0)) return 1;
  }
  pump(0, -1);
  for (uint64_t t = 1; t <= 40; t++) {
    synk_event ev[40];
    size_t n = 0;
    for (uint32_t id = (uint32_t)(t % 4) * 2; id < N; id += 8) {
      synk_event m = {SYNK_EV_MOTION, id, 0, (int32_t)(t % 5) - 2, 3 - (int32_t)(t % 7), 0};
      ev[n++] = m;
    }
    if (t % 5 == 0) {
      synk_event p = {SYNK_EV_PROP, (uint32_t)(t * 6) % N & ~1u, 1, (int32_t)t * 1000, 0, 0};
      ev[n++] = p;
    }
    if (t == 10) {
      synk_event sp = {SYNK_EV_SPAWN, 101, 2, 150, 150, 0};
      ev[n++] = sp;
    }
    if (t == 20) {
      synk_event de = {SYNK_EV_DESPAWN, 101, 0, 0, 0, 0};
      ev[n++] = de;
    }
    if (synk_server_apply(S, ev, n, NULL)) return 1;
    if (t == 12) {
      int8_t d = 2;
      synk_client_command(C[0], &d, 1, NULL, 0, NULL);
      synk_client_command(C[1], "no", 2, NULL, 0, NULL); /* rejected: SYNK_NET_R_APP */
      synk_client_send(C[1], "hi", 2);
    }
    if (t == 25) { /* client 1 loses its connection for 5 ticks */
      synk_server_disconnect(S, K[1], t * 16);
      synk_client_disconnect(C[1]);
    }
    if (t == 30) {
      synk_server_connect(S, t * 16, &K[1]);
      synk_client_start(C[1], t * 16);
    }
    synk_server_tick(S, t * 16);
    pump(t * 16, t >= 25 && t < 30 ? 1 : -1);
  }
  for (int i = 0; i < 2; i++) {
    uint64_t vh = 0;
    synk_server_view_hash(S, synk_client_id(C[i]), &vh);
    if (synk_hash(synk_client_world(C[i])) != vh) {
      fprintf(stderr, "client %d: world hash differs from the view hash\n", i);
      failures++;
    }
  }
  synk_server_stats st;
  synk_server_get_stats(S, &st);
  if (st.repairs != 1 || st.snapshots != 2 || st.commands_accepted != 1) {
    fprintf(stderr, "scenario: %" PRIu64 " repairs, %" PRIu64 " snapshots, %" PRIu64 " commands (want 1, 2, 1)\n",
            st.repairs, st.snapshots, st.commands_accepted);
    failures++;
  }
  check_hex("hello", first_hello, first_hello_len,
            /* type 1, length 30: version 1, room 3, max_entities 256, 2 props, */
            "011e" "01000000" "03000000" "00010000" "02000000"
            /* seed 77, token "tok", flags 0 (not resuming), CRC-32C */
            "4d00000000000000" "0300" "746f6b" "00" "877da9f7",
            print);
  check_hex("welcome", first_welcome, first_welcome_len,
            /* type 16, length 37: client 0, resume token (SipHash-2-4 of 1 under key {1, 2}), */
            "1025" "00000000" "e4be984a414fc6e4"
            /* frame 0, ack every 4 ticks, not resumed, frag_size 512, last command 0, */
            "0000000000000000" "04000000" "00" "00020000" "00000000"
            /* no command outcomes, CRC-32C */
            "00000000" "32742e6a",
            print);
  check_hex("resumed welcome", resumed_welcome, resumed_welcome_len,
            /* type 16, length 45: client 1, a new resume token (SipHash-2-4 of 3: the third issued), */
            "102d" "01000000" "351c52f0830b1542"
            /* frame 30, ack every 4 ticks, resumed, frag_size 512, last command 1, */
            "1e00000000000000" "04000000" "01" "00020000" "01000000"
            /* one outcome: command 1 rejected with SYNK_NET_R_APP (256), CRC-32C */
            "01000000" "01000000" "00010000" "ab327eaa",
            print);
  struct {
    const char *what;
    uint32_t crc;
    uint64_t len;
    uint32_t want_crc;
    uint64_t want_len;
  } streams[4] = {{"down0", crc_down[0], len_down[0], 0xe3d32c43u, 1116},
                  {"down1", crc_down[1], len_down[1], 0xdce5ba92u, 5265},
                  {"up0", crc_up[0], len_up[0], 0xc0c0f60cu, 289},
                  {"up1", crc_up[1], len_up[1], 0xacd49266u, 370}};
  for (int i = 0; i < 4; i++) {
    if (print) printf("%s crc %08" PRIx32 " len %" PRIu64 "\n", streams[i].what, streams[i].crc, streams[i].len);
    if (streams[i].crc != streams[i].want_crc || streams[i].len != streams[i].want_len) {
      fprintf(stderr, "%s: crc %08" PRIx32 " len %" PRIu64 ", golden %08" PRIx32 " %" PRIu64 "\n", streams[i].what,
              streams[i].crc, streams[i].len, streams[i].want_crc, streams[i].want_len);
      failures++;
    }
  }
  for (int i = 0; i < 2; i++) synk_client_destroy(C[i]);
  synk_server_destroy(S);
  synk_world_destroy(w);
  if (failures) fprintf(stderr, "net golden: %d failures\n", failures);
  return failures ? 1 : 0;
}
