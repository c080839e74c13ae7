/* SPDX-License-Identifier: MIT */
/* Seed corpus of fuzz_net: after the shared setup (fuzz_net.h), a real
 * client endpoint joins on hostile slot 0 and plays by the rules -- HELLO,
 * its ACKs, a SYNC, VIEW requests, COMMANDs, APP messages, a resuming HELLO
 * after a reconnect, BYE -- and every message it sends is written as a
 * framed record (the harness adds length and CRC), with the ticks between
 * them, so the target replays exactly this session. A few more seeds: the
 * same with raw records, and two clients interleaved on slots 0 and 1.
 * Usage: gen_net_corpus DIR */
#include "fuzz_net.h"

typedef struct gen {
  fn_env e;
  synk_client *c[2];
  FILE *out;
  int raw;
  unsigned pending_ticks;
  uint8_t msg[FN_BUF];
} gen;

static gen G;

static void sink(void *ctx, unsigned slot, const uint8_t *m, size_t len) {
  gen *g = (gen *)ctx;
  if (slot < 2 && g->c[slot]) synk_client_receive(g->c[slot], m, len, g->e.now);
}

/* write one record and run it through the same harness steps as the target */
static void record(gen *g, unsigned slot, const uint8_t *m, size_t len, unsigned ticks, int end) {
  const uint8_t *p = m;
  size_t n = len;
  static uint8_t framed[FN_BUF];
  if (!g->raw) { /* strip the length and the CRC: type + body */
    size_t i = 1;
    while (i < len && (m[i] & 0x80)) i++;
    i++;
    framed[0] = m[0];
    n = len - i - 4 + 1;
    memcpy(framed + 1, m + i, n - 1);
    p = framed;
  }
  unsigned ctl = slot | (g->raw ? 0u : 4u) | (end ? 8u : 0u) | (ticks ? 0x30u : 0u); /* ticks <= 1 */
  uint8_t h[3] = {(uint8_t)ctl, (uint8_t)n, (uint8_t)(n >> 8)};
  fwrite(h, 1, 3, g->out);
  fwrite(p, 1, n, g->out);
  fn_env *e = &g->e;
  fn_feed(e, slot, p, n, !g->raw);
  fn_drain(e, sink, g);
  for (unsigned j = 0; j < FN_SLOTS; j++)
    if (e->slot_closed[j]) fn_end(e, j);
  if (end) fn_end(e, slot);
  fn_ticks(e, ticks);
  fn_drain(e, sink, g);
}

/* a whole frame of `type` with an empty body */
static void empty_frame(uint8_t f[6], uint32_t type) {
  f[0] = (uint8_t)type;
  f[1] = 0;
  uint32_t crc = synk_crc32c(0, f, 2);
  for (int i = 0; i < 4; i++) f[2 + i] = (uint8_t)(crc >> (8 * i));
}

/* send what client `slot` has queued; then, with ticks, PING records that
 * carry them (the server answers each with a PONG) */
static void flush(gen *g, unsigned slot, unsigned ticks) {
  size_t len = 0;
  synk_client_service(g->c[slot], g->e.now);
  while (synk_client_poll(g->c[slot], g->msg, sizeof g->msg, &len, g->e.now) == SYNK_OK && len) {
    static uint8_t m[FN_BUF];
    memcpy(m, g->msg, len);
    record(g, slot, m, len, 0, 0);
  }
  while (ticks--) { /* one a record */
    uint8_t f[6];
    empty_frame(f, 7);
    record(g, slot, f, 6, 1, 0);
  }
}

static int begin(gen *g, const char *dir, const char *name, int raw, int nclients) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.bin", dir, name);
  memset(g->c, 0, sizeof g->c);
  if (!fn_open(&g->e)) return 0;
  g->out = fopen(path, "wb");
  if (!g->out) return 0;
  g->raw = raw;
  synk_client_config cc;
  memset(&cc, 0, sizeof cc);
  cc.max_entities = FN_ENTITIES;
  cc.num_props = 2;
  cc.seed = 5;
  cc.room_id = 7;
  cc.frag_size = 512;
  cc.max_command = 128;
  cc.predict = 1;
  cc.token = "fuzz";
  cc.token_len = 4;
  for (int i = 0; i < nclients; i++) {
    if (synk_client_create(&cc, &g->c[i]) != SYNK_OK) return 0;
    if (synk_client_start(g->c[i], g->e.now) != SYNK_OK) return 0;
  }
  return 1;
}

static int finish(gen *g, int nclients) {
  int live = 1;
  for (int i = 0; i < nclients; i++) {
    live &= synk_client_get_state(g->c[i]) == SYNK_CLIENT_LIVE || synk_client_get_state(g->c[i]) == SYNK_CLIENT_IDLE ||
            synk_client_get_state(g->c[i]) == SYNK_CLIENT_CLOSED;
    synk_client_destroy(g->c[i]);
  }
  fclose(g->out);
  fn_close(&g->e);
  return live;
}

/* the rule-abiding session of client `slot` */
static int session(gen *g, unsigned slot, int with_bye) {
  synk_client *c = g->c[slot];
  flush(g, slot, 0); /* HELLO, then WELCOME and the (empty-view) snapshot */
  if (synk_client_get_state(c) != SYNK_CLIENT_LIVE) return 0;
  uint32_t cells[3] = {9, 10, 17};
  synk_net_view v;
  memset(&v, 0, sizeof v);
  v.cells = cells;
  v.n_cells = 3;
  v.kind_mask = 3;
  synk_client_request_view(c, &v); /* VIEW */
  flush(g, slot, 2);                /* an ACK follows the ticks */
  uint8_t cmd[6] = {1, 2, 3, 4, 5, 6};
  synk_event pred = {SYNK_EV_MOTION, 4, 0, 1, 1, 0};
  uint32_t seq;
  synk_client_command(c, cmd, sizeof cmd, &pred, 1, &seq); /* COMMAND (rejected: no validate) */
  synk_client_send(c, "hello server", 12);                 /* APP */
  flush(g, slot, 1);
  synk_client_request_sync(c); /* SYNC with chunk sums */
  flush(g, slot, 2);
  v.all = 1;
  synk_client_request_view(c, &v);
  flush(g, slot, 1);
  if (with_bye) {
    /* reconnect: the connection ends, a resuming HELLO on a new one */
    uint8_t f[6];
    empty_frame(f, 7);
    record(g, slot, f, 6, 1, 1);
    synk_client_disconnect(c);
    synk_client_start(c, g->e.now);
    flush(g, slot, 2);
    uint8_t bye[6];
    empty_frame(bye, 9);
    record(g, slot, bye, 6, 1, 0);
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_net_corpus DIR\n");
    return 2;
  }
  gen *g = &G;
  int ok = 1;
  if (!begin(g, argv[1], "session", 0, 1)) return 1;
  ok &= session(g, 0, 1);
  ok &= finish(g, 1);
  if (!begin(g, argv[1], "session-raw", 1, 1)) return 1;
  ok &= session(g, 0, 0);
  ok &= finish(g, 1);
  if (!begin(g, argv[1], "two-clients", 0, 2)) return 1;
  flush(g, 0, 0);
  ok &= session(g, 1, 0);
  ok &= session(g, 0, 1);
  ok &= finish(g, 2);
  /* just a HELLO and the ticks after it */
  if (!begin(g, argv[1], "hello", 0, 1)) return 1;
  flush(g, 0, 1);
  ok &= finish(g, 1);
  if (!ok) fprintf(stderr, "gen_net_corpus: a session did not go as planned\n");
  return ok ? 0 : 1;
}
