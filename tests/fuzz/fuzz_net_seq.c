/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the net server driven by sequences of well-formed
 * messages from honest clients and hostile connections (fuzz_net_seq.h has
 * the scene, the ops and the invariants). Every op is followed by the
 * checks; the input ends with the settle phase and its checks. A broken
 * invariant prints its name and aborts.
 */
#include "fuzz_common.h"
#include "fuzz_net_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ns_env E, Saved;

/* 1 when an invariant broke that SYNK_FUZZ_SKIP names (the input is
 * abandoned); any other aborts */
static int ns_check(ns_env *e, unsigned long allocs) {
  if (e->sheap.allocs != allocs) ns_fail(e, "memory: the server allocated after create");
  if (!e->fail) return 0;
  if (fz_skipped(e->fail)) return 1;
  fprintf(stderr, "fuzz_net_seq: invariant broken: %s (frame %llu, now %llu)\n", e->fail,
          (unsigned long long)synk_frame(e->w), (unsigned long long)e->now);
  abort();
}

static void op_hello(ns_env *e, uint32_t h, fz_in *in) {
  uint32_t v = fz_u8(in), salt = fz_u8(in);
  static const char bad[] = "bad-token";
  const char *tok = ns_good;
  size_t tlen = sizeof ns_good - 1;
  if ((v & 3) == 1) tok = bad, tlen = sizeof bad - 1;
  if ((v & 3) == 2) tlen = 0;
  uint32_t version = SYNK_NET_VERSION, room = NS_ROOM, ents = NS_ENTITIES;
  switch ((v >> 2) & 3) {
  case 1: room = NS_ROOM + 1; break;
  case 2: ents = NS_ENTITIES / 2; break;
  case 3: version = SYNK_NET_VERSION + 1; break;
  default: break;
  }
  ns_peer *p = &e->p[h];
  uint64_t rtoken = p->token;
  switch ((v >> 5) & 3) {
  case 1: rtoken = ns_forged_token(1 + (salt & 15)); break; /* as a zero-key server issues them */
  case 2: rtoken = fz_u64(in); break;
  case 3: rtoken = p->old_token; break;
  default: break;
  }
  size_t n = ns_hello_body(e->msg, sizeof e->msg, tok, tlen, version, room, ents, (v >> 4) & 1, rtoken, v >> 7,
                           salt);
  ns_hostile_send(e, h, FZ_HELLO, e->msg, n);
}

static void op_hostile_msg(ns_env *e, uint32_t h, uint32_t kind, fz_in *in) {
  fz_w w;
  fz_w_init(&w, e->msg, sizeof e->msg);
  ns_peer *p = &e->p[h];
  uint64_t frame = synk_frame(e->w), vh = 0;
  switch (kind) {
  case 0: { /* VIEW: up to 9 cells (8 allowed), some outside the grid */
    uint32_t flags = fz_u8(in), nc = fz_u8(in) % 10, ni = fz_u8(in) % 4;
    fz_w8(&w, flags & 3);
    fz_w64(&w, (flags & 4) ? 0x5 : 0);
    fz_w32(&w, nc);
    for (uint32_t k = 0; k < nc; k++) fz_w32(&w, fz_u8(in) % 70);
    fz_w32(&w, ni);
    for (uint32_t k = 0; k < ni; k++) fz_w32(&w, fz_u16(in) % 520);
    ns_hostile_send(e, h, FZ_VIEW, w.p, w.n);
    return;
  }
  case 1:
  case 2: { /* SYNC: no sums (a snapshot), or random sums (a repair) */
    uint32_t back = fz_u8(in) % 4;
    fz_w64(&w, frame >= back ? frame - back : 0);
    fz_w64(&w, fz_u64(in));
    fz_w32(&w, kind == 2 ? (NS_ENTITIES + 255) / 256 : 0);
    for (uint32_t k = 0; kind == 2 && k < (NS_ENTITIES + 255) / 256; k++) fz_w64(&w, fz_next(&e->rng));
    ns_hostile_send(e, h, FZ_SYNC, w.p, w.n);
    return;
  }
  case 3:
  case 4: /* ACK: the hash the server expects, or another */
    if (kind == 3 && p->id != NS_NONE) synk_server_view_hash(e->s, p->id, &vh);
    fz_w64(&w, frame);
    fz_w64(&w, kind == 3 ? vh : fz_u64(in));
    ns_hostile_send(e, h, FZ_ACK, w.p, w.n);
    return;
  case 5: { /* APP: at most max_command (64) bytes, or more */
    uint32_t len = fz_u8(in) % 80;
    for (uint32_t k = 0; k < len; k++) fz_w8(&w, k);
    ns_hostile_send(e, h, FZ_APP, w.p, w.n);
    return;
  }
  case 6:
    ns_hostile_send(e, h, (fz_u8(in) & 1) ? FZ_PONG : FZ_PING, NULL, 0);
    return;
  default:
    ns_hostile_send(e, h, FZ_BYE, NULL, 0);
    return;
  }
}

static void op_commands(ns_env *e, uint32_t h, fz_in *in) {
  uint32_t n = 1 + fz_u8(in) % 96, mix = fz_u8(in);
  for (uint32_t k = 0; k < n && e->p[h].open && !e->p[h].closing; k++) {
    uint8_t body[9] = {(uint8_t)k, (uint8_t)(k >> 8), 0, 0, 'X', 0, 0, 0, (uint8_t)((k * 3 + mix) & 7)};
    ns_hostile_send(e, h, FZ_COMMAND, body, sizeof body);
  }
}

static void op_app(ns_env *e, uint32_t a, fz_in *in) {
  uint32_t slot = (a >> 2) & 3, b = fz_u8(in);
  switch (a & 3) {
  case 0: { /* the application sets a client's view */
    uint32_t cells[3] = {b & 63, (b * 7) & 63, (b * 13 + 9) & 63};
    synk_net_view v;
    memset(&v, 0, sizeof v);
    v.all = (b & 0xC0) == 0xC0;
    v.cells = cells;
    v.n_cells = 1 + (b >> 6) % 3;
    if (e->owner[slot] != NS_NONE) synk_server_set_view(e->s, slot, &v);
    return;
  }
  case 1: /* kicks a client */
    e->kicking = 1;
    synk_server_kick(e->s, slot, SYNK_NET_R_KICKED);
    e->kicking = 0;
    return;
  case 2: {
    uint8_t msg[16] = {0};
    synk_server_send(e->s, SYNK_NET_TO_ALL, NULL, 0, msg, b % 16, NULL);
    return;
  }
  default: { /* spawns or despawns one of its own entities */
    uint32_t id = 1 + b % 255;
    if (!(id % 8)) id++;
    synk_entity ent;
    synk_event ev = {SYNK_EV_SPAWN, id, b & 3, (int32_t)(b * 3), (int32_t)(b * 5), 0};
    if (synk_get(e->w, id, &ent) == SYNK_OK) ev.type = SYNK_EV_DESPAWN;
    if (synk_server_apply(e->s, &ev, 1, NULL) != SYNK_OK) ns_fail(e, "harness: the application's own event failed");
    return;
  }
  }
}

static void op_honest_misc(ns_env *e, uint32_t i, uint32_t kind, fz_in *in) {
  synk_client *c = e->c[i];
  uint32_t b = fz_u8(in);
  synk_net_view v;
  memset(&v, 0, sizeof v);
  uint32_t cells[3] = {b & 7, 8 + ((b >> 3) & 7), 16 + (b >> 6)};
  switch (kind) {
  case 0:
    v.cells = cells;
    v.n_cells = 3;
    synk_client_request_view(c, &v);
    break;
  case 1:
    synk_client_request_sync(c);
    break;
  case 2:
    synk_client_send(c, cells, 1 + b % 12);
    break;
  default:
    v.all = 1;
    synk_client_request_view(c, &v);
    break;
  }
}

static void step(ns_env *e, fz_in *in) {
  static const uint32_t waits[4] = {16, 100, 300, 700};
  uint32_t op = fz_u8(in) % 16, a = fz_u8(in), i = (a & 3) % NS_HONEST, h = NS_HONEST + (a & 3) % NS_HOSTILE;
  switch (op) {
  case 0:
    for (uint32_t t = 0; t <= (a >> 6); t++) ns_tick(e, 0);
    break;
  case 1:
    ns_wait(e, waits[(a >> 2) & 3]);
    break;
  case 2: /* an honest command, or a burst of eight */
    for (uint32_t k = 0; k < ((a & 0x80) ? 8u : 1u); k++) ns_honest_command(e, i, ((a >> 2) & 7) + k);
    break;
  case 3: /* an exchange: both ways, only up, only down */
    ns_honest_pump(e, i, ((a >> 2) & 3) != 2, ((a >> 2) & 3) != 1);
    break;
  case 4:
    e->p[i].reading = (a >> 2) & 1;
    break;
  case 5:
    ns_honest_drop(e, i);
    break;
  case 6:
    ns_honest_connect(e, i);
    break;
  case 7:
    op_honest_misc(e, i, (a >> 2) & 3, in);
    break;
  case 8:
    op_hello(e, h, in);
    break;
  case 9:
    op_commands(e, h, in);
    break;
  case 10:
    op_hostile_msg(e, h, (a >> 2) & 7, in);
    break;
  case 11:
    ns_hostile_read(e, h);
    break;
  case 12:
    ns_hostile_drop(e, h);
    break;
  case 13:
    op_app(e, a, in);
    break;
  case 14: { /* raw bytes */
    uint32_t n = fz_u8(in) % 40;
    uint8_t raw[40];
    for (uint32_t k = 0; k < n; k++) raw[k] = (uint8_t)fz_u8(in);
    if (ns_hostile_open(e, h)) synk_server_receive(e->s, e->p[h].conn, raw, n, e->now);
    break;
  }
  default:
    ns_wait(e, 700);
    break;
  }
}

/* every honest client still in the game is live, in step and answered */
static const char *unsettled(ns_env *e) {
  for (uint32_t i = 0; i < NS_HONEST; i++) {
    ns_peer *p = &e->p[i];
    if (p->out && !p->open) continue;
    uint64_t vh = 0;
    if (!p->open) return "settle: an honest client has no connection";
    if (p->awaiting) return "bulk: an honest client's HELLO or SYNC was never answered with a payload";
    if (synk_client_get_state(e->c[i]) != SYNK_CLIENT_LIVE) return "settle: an honest client is not LIVE";
    if (synk_server_view_hash(e->s, synk_client_id(e->c[i]), &vh) != SYNK_OK)
      return "settle: an honest client has no slot";
    if (synk_client_frame(e->c[i]) != synk_frame(e->w)) return "settle: an honest client is behind";
    if (synk_client_confirmed_hash(e->c[i]) != vh) return "settle: an honest client's hash differs from its view's";
    for (uint32_t k = 0; k < e->ncmds; k++) {
      if (e->cmd[k].peer != i) continue;
      if (!e->cmd[k].results) return "lost: a command was never answered";
      if (e->cmd[k].effect > synk_client_frame(e->c[i])) return "settle: a command's effect is still to come";
    }
  }
  return NULL;
}

static void settle(ns_env *e, unsigned long allocs) {
  for (uint32_t i = 0; i < NS_HONEST; i++) {
    e->p[i].reading = 1;
    ns_honest_connect(e, i);
    if (synk_client_get_state(e->c[i]) == SYNK_CLIENT_LIVE) synk_client_request_sync(e->c[i]);
  }
  const char *why = NULL;
  for (int t = 0; t < NS_SETTLE; t++) {
    for (uint32_t h = NS_HONEST; h < NS_PEERS; h++)
      if (e->p[h].open && !e->p[h].closing) {
        ns_hostile_read(e, h);
        ns_hostile_send(e, h, FZ_PING, NULL, 0);
      }
    ns_tick(e, 1);
    for (uint32_t i = 0; i < NS_HONEST; i++)
      if (!e->p[i].open && !e->p[i].out) ns_honest_connect(e, i);
    if (ns_check(e, allocs)) return;
    if (!(why = unsettled(e))) break;
  }
  if (why) ns_fail(e, why);
  for (uint32_t i = 0; i < NS_HONEST && !why; i++)
    if (!e->p[i].out && synk_hash(synk_client_world(e->c[i])) != synk_client_confirmed_hash(e->c[i]))
      ns_fail(e, "settle: a predicted world kept predictions with no command pending");
  /* right after a tick (nothing applied since) each view's hash is its recomputation */
  e->now += NS_TICK_MS;
  synk_server_tick(e->s, e->now);
  for (uint32_t k = 0; k < NS_SLOTS && !why; k++) {
    uint64_t vh = 0, rh = 0;
    if (synk_server_view_hash(e->s, k, &vh) != SYNK_OK) continue;
    synk_server_view_rehash(e->s, k, &rh);
    if (vh != rh) ns_fail(e, "settle: a view hash differs from its recomputation");
  }
  ns_check(e, allocs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  ns_env *e = &E;
  if (!ready) {
    FZ_CHECK(ns_open(e));
    fz_image_save(&ns_arena, &Saved, e, offsetof(ns_env, buf));
    ready = 1;
  }
  fz_image_restore(&ns_arena, e, &Saved, offsetof(ns_env, buf));
  unsigned long allocs = e->sheap.allocs;
  fz_in in = {data, size, 0};
  for (int s = 0; s < NS_MAX_STEPS && fz_more(&in); s++) {
    step(e, &in);
    if (ns_check(e, allocs)) return 0;
  }
  settle(e, allocs);
  return 0;
}
