/* SPDX-License-Identifier: MIT */
/*
 * Net-layer scenarios, one per ctest (test_net_unit NAME):
 *   repair     a client with a corrupted world is repaired and converges
 *   grace      a reconnect inside the grace period costs one REPAIR, outside
 *              it (or too many frames behind) a snapshot
 *   predict    accepted commands show at once and end equal to the server;
 *              rejected ones are rolled back with the reason
 *   handshake  version, room, config, full, token refusals: CLOSED + reason
 *   app        application messages to all, one, all-but-one, a list, and
 *              from a client to the server
 *   liveness   timeouts, grace expiry, a slow client moved to catch-up with
 *              the server's memory bounded, heartbeats keep idle links up
 *   views      kind masks, explicit ids, callback views, client view
 *              requests, and a view change between apply and tick
 *   bigview    a view change too big for one piece: one catch-up, converges
 *   debounce   at most one TICK message per debounce interval, no tick lost
 *   midframe   clients joining between an apply and the tick (as after an
 *              accepted command) get a consistent snapshot and view hash
 * Every scenario checks client worlds against the server's view hashes and
 * a hash this test computes from the view's definition.
 */
#include "net_util.h"

#define TICK 16u

/* one server tick with n random small motions of live ids in [lo, hi) */
static void tick_moving(tn *h, t_rng *r, uint32_t n, uint32_t lo, uint32_t hi) {
  synk_event ev[256];
  size_t k = 0;
  synk_view v = synk_get_view(h->w);
  for (uint32_t i = 0; i < n && k < 256; i++) {
    uint32_t id = lo + t_below(r, hi - lo);
    if (!((v.alive[id / 64] >> (id % 64)) & 1u)) continue;
    int32_t dx = (int32_t)t_below(r, 9) - 4, dy = (int32_t)t_below(r, 9) - 4; /* in this order */
    synk_event e = {SYNK_EV_MOTION, id, 0, dx, dy, 0};
    ev[k++] = e;
  }
  CHECK_ST(synk_server_apply(h->s, ev, k, NULL), SYNK_OK);
  tn_step(h, TICK, 1);
}

static int all_live(tn *h) {
  for (uint32_t i = 0; i < h->ncl; i++)
    if (synk_client_get_state(h->cl[i].c) != SYNK_CLIENT_LIVE) return 0;
  return 1;
}

/* connect every client and let them join (views set by the hook or later) */
static void join_all(tn *h) {
  for (uint32_t i = 0; i < h->ncl; i++) CHECK_ST(msgnet_connect(h->net, h->cl[i].link, h->now), SYNK_OK);
  for (int k = 0; k < 50 && !all_live(h); k++) tn_step(h, TICK, 0);
  CHECK(all_live(h));
}

static void hook_all_view(tn *h, const synk_net_event *ev) {
  if (ev->type == SYNK_NET_EV_JOINED) {
    synk_net_view v;
    memset(&v, 0, sizeof v);
    v.all = 1;
    CHECK_ST(synk_server_set_view(h->s, ev->client, &v), SYNK_OK);
  }
}

/* ---- repair ------------------------------------------------------------------- */

/* event order log */
static uint32_t ev_log[256], ev_log_n;
static void hook_log(tn *h, const synk_net_event *ev) {
  hook_all_view(h, ev);
  if (ev_log_n < 256) ev_log[ev_log_n++] = ev->type;
}

static int log_index(uint32_t type, uint32_t from) {
  for (uint32_t i = from; i < ev_log_n; i++)
    if (ev_log[i] == type) return (int)i;
  return -1;
}

static int test_repair(void) {
  t_rng r;
  t_seed(&r, 11);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(4096, 2, 5, 3000, 1024, &r, NULL));
  h->sc.ack_interval = 5;
  h->server_hook = hook_log;
  CHECK(tn_start(h, 2));
  join_all(h);
  for (int t = 0; t < 20; t++) tick_moving(h, &r, 50, 0, 3000);
  CHECK(tn_settle(h, TICK, 50));
  CHECK(tn_client_ok(h, 0) && tn_client_ok(h, 1));
  synk_server_stats s0, s1;
  /* four kinds of damage to client 0's world, each repaired in turn */
  for (int kind = 0; kind < 4; kind++) {
    synk_server_get_stats(h->s, &s0);
    uint32_t synced0 = h->cl[0].n_ev[SYNK_CLIENT_EV_SYNCED], synced1 = h->cl[1].n_ev[SYNK_CLIENT_EV_SYNCED];
    ev_log_n = 0;
    synk_world *cw = synk_client_world_mut(h->cl[0].c);
    CHECK(cw != NULL);
    if (!cw) break;
    uint32_t id = 100 + 400 * (uint32_t)kind;
    switch (kind) {
    case 0: CHECK_ST(synk_move(cw, id, 1, 0, 0), SYNK_OK); break;
    case 1: CHECK_ST(synk_set_prop(cw, id, 1, 77), SYNK_OK); break;
    case 2: CHECK_ST(synk_despawn(cw, id), SYNK_OK); break;
    default: CHECK_ST(synk_spawn(cw, 4000, 1, 5, 5, 0), SYNK_OK); break; /* an entity the server lacks */
    }
    uint64_t vh = 0;
    CHECK_ST(synk_server_view_hash(h->s, synk_client_id(h->cl[0].c), &vh), SYNK_OK);
    CHECK(synk_hash(cw) != vh); /* the damage shows in the hash */
    for (int t = 0; t < 20; t++) tick_moving(h, &r, 50, 0, 3000);
    CHECK(tn_settle(h, TICK, 50));
    synk_server_get_stats(h->s, &s1);
    int d = log_index(SYNK_NET_EV_DESYNC, 0), rp = d >= 0 ? log_index(SYNK_NET_EV_REPAIR, (uint32_t)d) : -1;
    CHECK(d >= 0);
    CHECK(rp > d); /* DESYNC, then REPAIR */
    CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_DESYNC].client, synk_client_id(h->cl[0].c));
    CHECK(h->last_sev[SYNK_NET_EV_DESYNC].hash != h->last_sev[SYNK_NET_EV_DESYNC].expected);
    CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_REPAIR].client, synk_client_id(h->cl[0].c));
    CHECK(h->last_sev[SYNK_NET_EV_REPAIR].value >= 1); /* a delta of the differing chunks */
    CHECK(s1.mismatches >= s0.mismatches + 1);
    CHECK(s1.repairs >= s0.repairs + 1);
    CHECK(s1.snapshots == s0.snapshots); /* one chunk differs: no snapshot */
    CHECK(h->cl[0].n_ev[SYNK_CLIENT_EV_SYNCED] > synced0);
    CHECK(h->cl[1].n_ev[SYNK_CLIENT_EV_SYNCED] == synced1); /* the other client was not touched */
    CHECK(s1.verified > s0.verified);
    CHECK(tn_client_ok(h, 0));
    CHECK(tn_client_ok(h, 1));
  }
  /* a client's own request: a repair with nothing to repair */
  synk_server_get_stats(h->s, &s0);
  uint32_t synced = h->cl[1].n_ev[SYNK_CLIENT_EV_SYNCED];
  CHECK_ST(synk_client_request_sync(h->cl[1].c), SYNK_OK);
  for (int t = 0; t < 5; t++) tick_moving(h, &r, 50, 0, 3000);
  CHECK(tn_settle(h, TICK, 50));
  synk_server_get_stats(h->s, &s1);
  CHECK_EQ_U64(s1.repairs, s0.repairs + 1);
  CHECK_EQ_U64(s1.mismatches, s0.mismatches);
  CHECK(h->cl[1].n_ev[SYNK_CLIENT_EV_SYNCED] == synced + 1);
  CHECK(tn_client_ok(h, 1));
  CHECK_EQ_U64(s1.protocol_errors, 0);
  tn_free(h);
  return t_done("net_repair");
}

/* ---- grace ---------------------------------------------------------------------- */

static int test_grace(void) {
  t_rng r;
  t_seed(&r, 12);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(4096, 2, 5, 4000, 1024, &r, NULL));
  h->sc.grace_ms = 1000;
  h->sc.resume_frames = 40;
  h->server_hook = hook_all_view;
  CHECK(tn_start(h, 1));
  synk_server_stats a, b;
  synk_server_get_stats(h->s, &a);
  join_all(h);
  CHECK(tn_settle(h, TICK, 50));
  synk_server_get_stats(h->s, &b);
  uint64_t join_bytes = b.bytes_sent - a.bytes_sent;
  CHECK_EQ_U64(b.snapshots, 1);
  CHECK_EQ_U64(b.repairs, 0);
  CHECK(tn_client_ok(h, 0));
  for (int t = 0; t < 10; t++) tick_moving(h, &r, 20, 0, 4000);
  CHECK(tn_settle(h, TICK, 50));

  /* 1. away 20 ticks (320 ms < grace, 20 frames < resume_frames): one REPAIR */
  CHECK_ST(msgnet_disconnect(h->net, 0, h->now, MSGNET_NEVER), SYNK_OK);
  CHECK(h->n_sev[SYNK_NET_EV_DISCONNECTED] == 1);
  for (int t = 0; t < 20; t++) tick_moving(h, &r, 20, 0, 4000);
  synk_server_get_stats(h->s, &a);
  CHECK_EQ_U64(a.in_grace, 1);
  CHECK_ST(msgnet_connect(h->net, 0, h->now), SYNK_OK);
  CHECK(tn_settle(h, TICK, 50));
  synk_server_get_stats(h->s, &b);
  uint64_t resume_bytes = b.bytes_sent - a.bytes_sent;
  CHECK(h->n_sev[SYNK_NET_EV_RESUMED] == 1);
  CHECK_EQ_U64(b.repairs, a.repairs + 1);
  CHECK_EQ_U64(b.snapshots, a.snapshots);
  CHECK_EQ_U64(b.in_grace, 0);
  CHECK(resume_bytes * 2 < join_bytes); /* a delta, not the world */
  CHECK(tn_client_ok(h, 0));

  /* 2. away 50 ticks (800 ms < grace, but 50 frames > resume_frames): a snapshot */
  CHECK_ST(msgnet_disconnect(h->net, 0, h->now, MSGNET_NEVER), SYNK_OK);
  for (int t = 0; t < 50; t++) tick_moving(h, &r, 20, 0, 4000);
  synk_server_get_stats(h->s, &a);
  CHECK_ST(msgnet_connect(h->net, 0, h->now), SYNK_OK);
  CHECK(tn_settle(h, TICK, 50));
  synk_server_get_stats(h->s, &b);
  CHECK(h->n_sev[SYNK_NET_EV_RESUMED] == 2);
  CHECK_EQ_U64(b.repairs, a.repairs);
  CHECK_EQ_U64(b.snapshots, a.snapshots + 1);
  CHECK(tn_client_ok(h, 0));

  /* 3. away 80 ticks (1280 ms > grace): the slot expired, a new join and a snapshot */
  uint32_t joined = h->n_sev[SYNK_NET_EV_JOINED];
  CHECK_ST(msgnet_disconnect(h->net, 0, h->now, MSGNET_NEVER), SYNK_OK);
  for (int t = 0; t < 80; t++) tick_moving(h, &r, 20, 0, 4000);
  CHECK(h->n_sev[SYNK_NET_EV_DROPPED] == 1);
  CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_DROPPED].reason, SYNK_NET_R_EXPIRED);
  synk_server_get_stats(h->s, &a);
  CHECK_EQ_U64(a.in_grace, 0);
  CHECK_ST(msgnet_connect(h->net, 0, h->now), SYNK_OK);
  CHECK(tn_settle(h, TICK, 50));
  synk_server_get_stats(h->s, &b);
  CHECK(h->n_sev[SYNK_NET_EV_RESUMED] == 2);
  CHECK(h->n_sev[SYNK_NET_EV_JOINED] == joined + 1);
  CHECK_EQ_U64(b.repairs, a.repairs);
  CHECK_EQ_U64(b.snapshots, a.snapshots + 1);
  CHECK(b.bytes_sent - a.bytes_sent > resume_bytes);
  CHECK(tn_client_ok(h, 0));
  tn_free(h);
  return t_done("net_grace");
}

/* ---- predict -------------------------------------------------------------------- */

/* commands: [u8 op][i8 dx][i8 dy]; op 1 moves the sender's avatar (entity
 * 1000 + client id), op 2 is rejected with SYNK_NET_R_APP + 7, op 3 moves a
 * dead entity (does not apply: SYNK_NET_R_INVALID) */
#define AVATAR(id) (1000u + (id))
static uint32_t validate_cmd(void *ctx, uint32_t client, const void *cmd, size_t len, synk_event *out, size_t cap,
                             size_t *n) {
  (void)ctx;
  const uint8_t *b = (const uint8_t *)cmd;
  if (len != 3 || cap < 1) return SYNK_NET_R_REJECTED;
  if (b[0] == 2) return SYNK_NET_R_APP + 7;
  synk_event e = {SYNK_EV_MOTION, b[0] == 3 ? 1500u : AVATAR(client), 0, (int8_t)b[1], (int8_t)b[2], 0};
  out[0] = e;
  *n = 1;
  return b[0] == 1 || b[0] == 3 ? 0 : SYNK_NET_R_REJECTED;
}

static void hook_avatar(tn *h, const synk_net_event *ev) {
  hook_all_view(h, ev);
  if (ev->type == SYNK_NET_EV_JOINED) {
    synk_event e = {SYNK_EV_SPAWN, AVATAR(ev->client), 9, 500, 500, 0};
    CHECK_ST(synk_server_apply(h->s, &e, 1, NULL), SYNK_OK);
  }
}

static int32_t x_of(const synk_world *w, uint32_t id) {
  synk_entity e;
  if (synk_get(w, id, &e) != SYNK_OK) return INT32_MIN;
  return e.x;
}

static int test_predict(void) {
  t_rng r;
  t_seed(&r, 13);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(2048, 2, 5, 800, 1024, &r, NULL));
  h->sc.validate = validate_cmd;
  h->cc.predict = 1;
  h->nc.latency_ms = 40; /* each way: an echo takes several ticks */
  h->nc.rounds = 1;
  h->server_hook = hook_avatar;
  CHECK(tn_start(h, 2));
  join_all(h);
  for (int t = 0; t < 5; t++) tick_moving(h, &r, 30, 0, 800);
  CHECK(tn_settle(h, TICK, 50));
  CHECK(tn_client_ok(h, 0) && tn_client_ok(h, 1));
  synk_client *c = h->cl[0].c;
  uint32_t me = AVATAR(synk_client_id(c));
  int32_t x0 = x_of(h->w, me);
  CHECK(x0 == 500 && x_of(synk_client_world(c), me) == 500);

  /* accepted: 5 commands of +3, one per tick; each shows at once */
  uint32_t results0 = h->cl[0].n_results;
  int echoed_at = -1;
  for (int t = 0; t < 30; t++) {
    if (t < 5) {
      uint8_t cmd[3] = {1, 3, 0};
      synk_event pred = {SYNK_EV_MOTION, me, 0, 3, 0, 0};
      uint32_t seq = 0;
      int32_t before = x_of(synk_client_world(c), me);
      CHECK_ST(synk_client_command(c, cmd, 3, &pred, 1, &seq), SYNK_OK);
      CHECK(x_of(synk_client_world(c), me) == before + 3); /* before any echo */
      if (t == 0) CHECK(x_of(h->w, me) == x0);              /* the server has not seen it */
    }
    tick_moving(h, &r, 30, 0, 800);
    /* prediction holds on top of every server tick: never behind what was sent */
    int sent = t < 5 ? t + 1 : 5;
    CHECK(x_of(synk_client_world(c), me) == x0 + 3 * sent);
    if (echoed_at < 0 && x_of(h->w, me) != x0) echoed_at = t;
  }
  CHECK(echoed_at >= 1); /* the server saw the first command later than the client showed it */
  CHECK(tn_settle(h, TICK, 50));
  CHECK(x_of(h->w, me) == x0 + 15);
  CHECK(h->cl[0].n_results == results0 + 5);
  CHECK_EQ_U64(h->cl[0].result_reason, 0);
  CHECK(tn_client_ok(h, 0)); /* equal to the server, no prediction left */
  CHECK(tn_client_ok(h, 1)); /* the other client sees the moves as plain ticks */
  CHECK(x_of(synk_client_world(h->cl[1].c), me) == x0 + 15);

  /* rejected: predicted, then rolled back with the reason */
  {
    uint8_t cmd[3] = {2, 7, 0};
    synk_event pred = {SYNK_EV_MOTION, me, 0, 7, 0, 0};
    uint32_t seq = 0;
    CHECK_ST(synk_client_command(c, cmd, 3, &pred, 1, &seq), SYNK_OK);
    CHECK(x_of(synk_client_world(c), me) == x0 + 22);
    CHECK(synk_hash(synk_client_world(c)) != synk_client_confirmed_hash(c));
    uint32_t n0 = h->cl[0].n_results;
    for (int t = 0; t < 20 && h->cl[0].n_results == n0; t++) tick_moving(h, &r, 30, 0, 800);
    CHECK(h->cl[0].n_results == n0 + 1);
    CHECK_EQ_U64(h->cl[0].result_reason, SYNK_NET_R_APP + 7);
    CHECK_EQ_U64(h->cl[0].result_seq, seq);
    CHECK(x_of(synk_client_world(c), me) == x0 + 15);
    CHECK_EQ_U64(synk_hash(synk_client_world(c)), synk_client_confirmed_hash(c));
    CHECK(tn_settle(h, TICK, 50));
    CHECK(tn_client_ok(h, 0));
  }
  /* invalid: the validated events do not apply; the prediction (which does) is rolled back */
  {
    uint8_t cmd[3] = {3, 1, 1};
    synk_event pred = {SYNK_EV_MOTION, me, 0, 0, 9, 0};
    uint32_t seq = 0, n0 = h->cl[0].n_results;
    uint64_t hash0 = synk_hash(h->w);
    CHECK_ST(synk_client_command(c, cmd, 3, &pred, 1, &seq), SYNK_OK);
    for (int t = 0; t < 20 && h->cl[0].n_results == n0; t++) tn_step(h, TICK, 0);
    CHECK(h->cl[0].n_results == n0 + 1);
    CHECK_EQ_U64(h->cl[0].result_reason, SYNK_NET_R_INVALID);
    CHECK_EQ_U64(synk_hash(h->w), hash0); /* nothing applied */
    CHECK_EQ_U64(synk_hash(synk_client_world(c)), synk_client_confirmed_hash(c));
    tn_step(h, TICK, 1);
    CHECK(tn_settle(h, TICK, 50));
    CHECK(tn_client_ok(h, 0));
  }
  synk_server_stats st;
  synk_server_get_stats(h->s, &st);
  CHECK_EQ_U64(st.commands_accepted, 5);
  CHECK_EQ_U64(st.commands_rejected, 2);
  CHECK_EQ_U64(st.mismatches, 0);
  tn_free(h);
  return t_done("net_predict");
}

/* ---- handshake --------------------------------------------------------------------- */

static uint32_t accept_token(void *ctx, uint32_t client, const void *token, size_t len) {
  (void)ctx;
  (void)client;
  if (len == 3 && !memcmp(token, "bad", 3)) return SYNK_NET_R_DENIED;
  if (len == 3 && !memcmp(token, "app", 3)) return SYNK_NET_R_APP + 3;
  return 0;
}

static int test_handshake(void) {
  t_rng r;
  t_seed(&r, 14);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(1024, 2, 5, 500, 1024, &r, NULL));
  h->sc.max_clients = 2;
  h->sc.accept = accept_token;
  h->nc.max_links = 16;
  h->server_hook = hook_all_view;
  CHECK(tn_start(h, 2)); /* two good clients: they fill the server */
  join_all(h);
  struct {
    const char *what;
    uint32_t room, max_entities, num_props;
    uint64_t seed;
    const char *token;
    uint32_t reason;
  } cases[] = {
      {"wrong room", 43, 1024, 2, 5, "", SYNK_NET_R_ROOM},
      {"wrong max_entities", 42, 2048, 2, 5, "", SYNK_NET_R_CONFIG},
      {"wrong num_props", 42, 1024, 3, 5, "", SYNK_NET_R_CONFIG},
      {"wrong seed", 42, 1024, 2, 6, "", SYNK_NET_R_CONFIG},
      {"server full", 42, 1024, 2, 5, "", SYNK_NET_R_FULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    synk_client_config cc = h->cc;
    cc.room_id = cases[i].room;
    cc.max_entities = cases[i].max_entities;
    cc.num_props = cases[i].num_props;
    cc.seed = cases[i].seed;
    cc.token = cases[i].token;
    cc.token_len = strlen(cases[i].token);
    int k = tn_add(h, &cc);
    CHECK(k >= 0);
    if (k < 0) continue;
    CHECK_ST(msgnet_connect(h->net, h->cl[k].link, h->now), SYNK_OK);
    for (int t = 0; t < 10; t++) tn_step(h, TICK, 1);
    synk_client *c = h->cl[k].c;
    if (synk_client_get_state(c) != SYNK_CLIENT_CLOSED || synk_client_reason(c) != cases[i].reason)
      fprintf(stderr, "%s: state %d reason %s\n", cases[i].what, (int)synk_client_get_state(c),
              synk_net_reason_str(synk_client_reason(c)));
    CHECK(synk_client_get_state(c) == SYNK_CLIENT_CLOSED);
    CHECK_EQ_U64(synk_client_reason(c), cases[i].reason);
    CHECK_EQ_U64(h->cl[k].closed_reason, cases[i].reason);
    CHECK(h->cl[k].n_ev[SYNK_CLIENT_EV_CLOSED] == 1 && h->cl[k].n_ev[SYNK_CLIENT_EV_WELCOME] == 0);
    CHECK(synk_client_world(c) == NULL);
    CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_CLOSE].reason, cases[i].reason);
    msgnet_link_info li;
    msgnet_link_info_get(h->net, h->cl[k].link, &li);
    CHECK(li.state == MSGNET_OFF);
  }
  /* tokens: free a slot first (kick one good client), then try the tokens */
  CHECK_ST(synk_server_kick(h->s, synk_client_id(h->cl[1].c), SYNK_NET_R_KICKED), SYNK_OK);
  for (int t = 0; t < 5; t++) tn_step(h, TICK, 1);
  CHECK(synk_client_get_state(h->cl[1].c) == SYNK_CLIENT_CLOSED);
  CHECK_EQ_U64(synk_client_reason(h->cl[1].c), SYNK_NET_R_KICKED);
  CHECK(h->n_sev[SYNK_NET_EV_DROPPED] == 1 && h->last_sev[SYNK_NET_EV_DROPPED].reason == SYNK_NET_R_KICKED);
  const char *tokens[2] = {"bad", "app"};
  const uint32_t reasons[2] = {SYNK_NET_R_DENIED, SYNK_NET_R_APP + 3};
  for (int i = 0; i < 2; i++) {
    synk_client_config cc = h->cc;
    cc.token = tokens[i];
    cc.token_len = 3;
    int k = tn_add(h, &cc);
    CHECK(k >= 0);
    if (k < 0) continue;
    CHECK_ST(msgnet_connect(h->net, h->cl[k].link, h->now), SYNK_OK);
    for (int t = 0; t < 10; t++) tn_step(h, TICK, 1);
    CHECK(synk_client_get_state(h->cl[k].c) == SYNK_CLIENT_CLOSED);
    CHECK_EQ_U64(synk_client_reason(h->cl[k].c), reasons[i]);
  }
  /* a good token takes the free slot */
  {
    synk_client_config cc = h->cc;
    cc.token = "ok!";
    cc.token_len = 3;
    int k = tn_add(h, &cc);
    CHECK(k >= 0);
    if (k >= 0) {
      CHECK_ST(msgnet_connect(h->net, h->cl[k].link, h->now), SYNK_OK);
      for (int t = 0; t < 10; t++) tn_step(h, TICK, 1);
      CHECK(synk_client_get_state(h->cl[k].c) == SYNK_CLIENT_LIVE);
      CHECK(tn_settle(h, TICK, 50));
      CHECK(tn_client_ok(h, (uint32_t)k));
    }
  }
  /* a wrong version: a HELLO forged with version 2 on a connection of our
     own; the server's answer goes to a client waiting for its WELCOME */
  {
    uint32_t conn = 0;
    CHECK_ST(synk_server_connect(h->s, h->now, &conn), SYNK_OK);
    static tn_buf hello, out;
    hello.n = out.n = 0;
    static tn_buf body;
    body.n = 0;
    tn_hello hb = {2, 42, 1024, 2, 5, NULL, 0, 0, 0, 0, 0, 0, NULL};
    tn_hello_body(&body, &hb);
    tn_frame(&hello, TN_HELLO, body.b, body.n);
    uint32_t closes = h->n_sev[SYNK_NET_EV_CLOSE];
    synk_status st = synk_server_receive(h->s, conn, hello.b, hello.n, h->now);
    CHECK(st == SYNK_OK || st == SYNK_E_FORMAT);
    CHECK(h->n_sev[SYNK_NET_EV_CLOSE] == closes + 1);
    CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_CLOSE].conn, conn);
    CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_CLOSE].reason, SYNK_NET_R_VERSION);
    size_t len = 0;
    static uint8_t msg[1 << 15];
    for (;;) {
      CHECK_ST(synk_server_poll(h->s, conn, msg, sizeof msg, &len, h->now), SYNK_OK);
      if (!len) break;
      tn_bytes(&out, msg, len);
    }
    CHECK_ST(synk_server_disconnect(h->s, conn, h->now), SYNK_OK);
    synk_client_config cc = h->cc;
    synk_client *c = NULL;
    CHECK_ST(synk_client_create(&cc, &c), SYNK_OK);
    CHECK_ST(synk_client_start(c, h->now), SYNK_OK);
    CHECK_ST(synk_client_poll(c, msg, sizeof msg, &len, h->now), SYNK_OK); /* its HELLO, dropped */
    CHECK(len > 0);
    CHECK(out.n > 0 && out.b[0] == TN_REFUSE);
    CHECK_ST(synk_client_receive(c, out.b, out.n, h->now), SYNK_OK);
    CHECK(synk_client_get_state(c) == SYNK_CLIENT_CLOSED);
    CHECK_EQ_U64(synk_client_reason(c), SYNK_NET_R_VERSION);
    synk_client_destroy(c);
  }
  /* the good client saw none of it */
  for (int t = 0; t < 20; t++) tick_moving(h, &r, 20, 0, 500);
  CHECK(tn_settle(h, TICK, 50));
  CHECK(tn_client_ok(h, 0));
  synk_server_stats st;
  synk_server_get_stats(h->s, &st);
  CHECK_EQ_U64(st.clients, 2);
  CHECK_EQ_U64(st.mismatches, 0);
  tn_free(h);
  return t_done("net_handshake");
}

/* ---- app ------------------------------------------------------------------------------- */

static int test_app(void) {
  t_rng r;
  t_seed(&r, 15);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(1024, 2, 5, 300, 1024, &r, NULL));
  h->server_hook = hook_all_view;
  CHECK(tn_start(h, 4));
  join_all(h);
  uint32_t id[4];
  for (int i = 0; i < 4; i++) id[i] = synk_client_id(h->cl[i].c);
  size_t sent = 99;
  CHECK_ST(synk_server_send(h->s, SYNK_NET_TO_ALL, NULL, 0, "all", 3, &sent), SYNK_OK);
  CHECK(sent == 4);
  CHECK_ST(synk_server_send(h->s, SYNK_NET_TO_ONE, &id[1], 1, "one", 3, &sent), SYNK_OK);
  CHECK(sent == 1);
  CHECK_ST(synk_server_send(h->s, SYNK_NET_TO_ALL_BUT, &id[2], 1, "but", 3, &sent), SYNK_OK);
  CHECK(sent == 3);
  uint32_t list[2] = {id[0], id[3]};
  CHECK_ST(synk_server_send(h->s, SYNK_NET_TO_LIST, list, 2, "list", 4, &sent), SYNK_OK);
  CHECK(sent == 2);
  /* refused: too long, unknown client, bad target */
  static uint8_t big[2048];
  CHECK_ST(synk_server_send(h->s, SYNK_NET_TO_ALL, NULL, 0, big, sizeof big, NULL), SYNK_E_ARG);
  uint32_t bad = 7;
  CHECK_ST(synk_server_send(h->s, SYNK_NET_TO_ONE, &bad, 1, "x", 1, NULL), SYNK_E_ARG);
  CHECK_ST(synk_server_send(h->s, (synk_net_target)9, NULL, 0, "x", 1, NULL), SYNK_E_ARG);
  for (int t = 0; t < 5; t++) tn_step(h, TICK, 1);
  const char *want[4][3] = {{"all", "but", "list"}, {"all", "one", "but"}, {"all", NULL, NULL}, {"all", "but", "list"}};
  for (int i = 0; i < 4; i++) {
    uint32_t n = 0;
    while (n < 3 && want[i][n]) n++;
    CHECK(h->cl[i].n_app == n);
    for (uint32_t k = 0; k < n && k < h->cl[i].n_app; k++) {
      size_t l = strlen(want[i][k]);
      CHECK(h->cl[i].app_len[k] == l && !memcmp(h->cl[i].app[k], want[i][k], l));
    }
  }
  /* client -> server */
  CHECK_ST(synk_client_send(h->cl[2].c, "hello", 5), SYNK_OK);
  CHECK_ST(synk_client_send(h->cl[2].c, big, sizeof big), SYNK_E_SPACE);
  for (int t = 0; t < 5; t++) tn_step(h, TICK, 1);
  CHECK(h->server_app_n == 1);
  CHECK(h->server_app_client[0] == id[2]);
  CHECK(h->server_app_len[0] == 5 && !memcmp(h->server_app[0], "hello", 5));
  CHECK(tn_settle(h, TICK, 50));
  for (uint32_t i = 0; i < 4; i++) CHECK(tn_client_ok(h, i));
  tn_free(h);
  return t_done("net_app");
}

/* ---- liveness ----------------------------------------------------------------------------- */

static int test_liveness(void) {
  t_rng r;
  t_seed(&r, 16);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(4096, 2, 5, 4096, 1024, &r, NULL));
  h->sc.timeout_ms = 2000;
  h->sc.heartbeat_ms = 300;
  h->sc.grace_ms = 1500;
  h->sc.frag_size = 4096;
  h->sc.queue_bytes = 8192;
  h->cc.timeout_ms = 2000;
  h->cc.heartbeat_ms = 300;
  h->nc.channel_bytes = 16384;
  h->nc.max_message = 4096;
  h->nc.latency_ms = 2;
  h->server_hook = hook_all_view;
  CHECK(tn_start(h, 3));
  join_all(h);
  CHECK(tn_settle(h, TICK, 50));
  uint64_t allocs0 = h->server_heap.allocs;

  /* 1. idle for 10 s: no ticks, heartbeats keep everyone */
  for (int t = 0; t < 625; t++) tn_step(h, TICK, 0);
  CHECK(h->n_sev[SYNK_NET_EV_CLOSE] == 0);
  CHECK(all_live(h));

  /* 2. a connection that never says HELLO times out */
  uint32_t conn = 0;
  CHECK_ST(synk_server_connect(h->s, h->now, &conn), SYNK_OK);
  for (int t = 0; t < 200 && h->n_sev[SYNK_NET_EV_CLOSE] == 0; t++) tn_step(h, TICK, 1);
  CHECK(h->n_sev[SYNK_NET_EV_CLOSE] == 1);
  CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_CLOSE].conn, conn);
  CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_CLOSE].reason, SYNK_NET_R_TIMEOUT);
  CHECK_ST(synk_server_disconnect(h->s, conn, h->now), SYNK_OK);
  CHECK(all_live(h));

  /* 3. a slow client: client 1 is not polled for 1.5 s (< timeout) while the
     whole crowd's first chunk moves by large steps; it is moved to catch-up,
     the server buffers no more than its bounds, and it converges */
  synk_server_stats a, b;
  synk_server_get_stats(h->s, &a);
  msgnet_link_info l0a, l1a, l0b, l1b;
  msgnet_link_info_get(h->net, 0, &l0a);
  msgnet_link_info_get(h->net, 1, &l1a);
  CHECK_ST(msgnet_stall(h->net, 1, h->now + 1500), SYNK_OK);
  for (int t = 0; t < 94; t++) {
    synk_event ev[256];
    for (uint32_t i = 0; i < 256; i++) {
      int32_t dx = (int32_t)t_below(&r, 1u << 20) - (1 << 19), dy = (int32_t)t_below(&r, 200) - 100; /* in this order */
      synk_event e = {SYNK_EV_MOTION, i, 0, dx, dy, 0};
      ev[i] = e;
    }
    CHECK_ST(synk_server_apply(h->s, ev, 256, NULL), SYNK_OK);
    tn_step(h, TICK, 1);
  }
  msgnet_link_info_get(h->net, 0, &l0b);
  uint64_t produced = l0b.bytes_down - l0a.bytes_down; /* what a reader got meanwhile */
  for (int t = 0; t < 10; t++) tn_step(h, TICK, 1);
  CHECK(tn_settle(h, TICK, 100));
  msgnet_link_info l0c;
  msgnet_link_info_get(h->net, 0, &l0c);
  msgnet_link_info_get(h->net, 1, &l1b);
  synk_server_get_stats(h->s, &b);
  /* what the slow client got beyond the ticks both got after the stall */
  uint64_t recovered = (l1b.bytes_down - l1a.bytes_down) - (l0c.bytes_down - l0b.bytes_down);
  CHECK(b.catchups >= a.catchups + 1);
  CHECK(h->n_sev[SYNK_NET_EV_CLOSE] == 1); /* not closed */
  CHECK(tn_client_ok(h, 0));
  if (!tn_client_ok(h, 1)) {
    uint64_t vh1 = 0;
    synk_server_view_hash(h->s, synk_client_id(h->cl[1].c), &vh1);
    fprintf(stderr, "slow client: state %d frame %" PRIu64 "/%" PRIu64 " hash %016" PRIx64 " confirmed %016" PRIx64
            " view %016" PRIx64 " synced %u\n", (int)synk_client_get_state(h->cl[1].c), synk_client_frame(h->cl[1].c),
            synk_frame(h->w), synk_hash(synk_client_world(h->cl[1].c)), synk_client_confirmed_hash(h->cl[1].c), vh1,
            h->cl[1].n_ev[SYNK_CLIENT_EV_SYNCED]);
  }
  CHECK(tn_client_ok(h, 1));
  /* the slow client received less than the stall produced: the server dropped
     its backlog (channel + queue bound + a repair of the moved chunk) */
  uint64_t bound = 16384 + 8192 + 256 * 40 + 4096;
  if (!(produced > 2 * bound && recovered < bound))
    fprintf(stderr, "slow client: produced %" PRIu64 ", recovered with %" PRIu64 " (bound %" PRIu64 ")\n", produced,
            recovered, bound);
  CHECK(produced > 2 * bound);
  CHECK(recovered < bound);
  CHECK_EQ_U64(h->server_heap.allocs, allocs0); /* no memory grew */

  /* 4. a joined client that goes silent longer than timeout_ms: closed with TIMEOUT */
  CHECK_ST(msgnet_stall(h->net, 2, h->now + 3000), SYNK_OK);
  uint32_t disc = h->n_sev[SYNK_NET_EV_DISCONNECTED];
  for (int t = 0; t < 250 && h->n_sev[SYNK_NET_EV_CLOSE] == 1; t++) tn_step(h, TICK, 1);
  CHECK(h->n_sev[SYNK_NET_EV_CLOSE] == 2);
  CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_CLOSE].reason, SYNK_NET_R_TIMEOUT);
  CHECK(h->n_sev[SYNK_NET_EV_DISCONNECTED] == disc + 1);

  /* 5. away longer than grace_ms: DROPPED with EXPIRED */
  uint32_t away = synk_client_id(h->cl[0].c);
  CHECK_ST(msgnet_disconnect(h->net, 0, h->now, MSGNET_NEVER), SYNK_OK);
  uint32_t dropped = h->n_sev[SYNK_NET_EV_DROPPED];
  for (int t = 0; t < 150; t++) tn_step(h, TICK, 1);
  CHECK(h->n_sev[SYNK_NET_EV_DROPPED] >= dropped + 1);
  CHECK_EQ_U64(h->last_sev[SYNK_NET_EV_DROPPED].reason, SYNK_NET_R_EXPIRED);
  synk_server_get_stats(h->s, &b);
  CHECK_EQ_U64(b.in_grace, 0);
  uint64_t vh;
  CHECK_ST(synk_server_view_hash(h->s, away, &vh), SYNK_E_ARG);
  CHECK(tn_settle(h, TICK, 100));
  CHECK(tn_client_ok(h, 1));
  CHECK_EQ_U64(h->server_heap.allocs, allocs0);
  tn_free(h);
  return t_done("net_liveness");
}

/* ---- views --------------------------------------------------------------------------------- */

static int view_fn_left(void *ctx, uint32_t client, const synk_entity *e) {
  (void)ctx;
  (void)client;
  return e->x < 100 && e->kind != 3;
}

static uint32_t view_req(void *ctx, uint32_t client, const synk_net_view *v) {
  (void)ctx;
  (void)client;
  return v->n_cells > 8 ? SYNK_NET_R_APP + 1 : 0;
}

/* the independent hash of the callback view above */
static uint64_t hash_left(const synk_world *w) {
  synk_view sv = synk_get_view(w);
  uint64_t sum = 0, n = 0;
  for (uint32_t id = 0; id < sv.capacity; id++)
    if (((sv.alive[id / 64] >> (id % 64)) & 1u) && sv.x[id] < 100 && sv.kind[id] != 3) {
      uint64_t hh;
      synk_entity_hash(w, id, &hh);
      sum += hh;
      n++;
    }
  return synk_hash_compose(w, sum, synk_frame(w), n);
}

static int test_views(void) {
  t_rng r;
  t_seed(&r, 17);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(4096, 2, 5, 3000, 1024, &r, NULL));
  h->sc.view_fn = view_fn_left;
  h->sc.view_request = view_req;
  CHECK(tn_start(h, 5));
  join_all(h);
  /* a new client sees nothing until its view is set */
  CHECK(tn_settle(h, TICK, 50));
  for (uint32_t i = 0; i < 5; i++) {
    CHECK(tn_client_ok(h, i));
    CHECK(synk_count(synk_client_world(h->cl[i].c)) == 0);
  }
  uint32_t cells[4] = {0, 1, 16, 17}, ids[3] = {5, 2999, 4000};
  synk_net_view v[5];
  memset(v, 0, sizeof v);
  v[0].cells = cells;          /* cells */
  v[0].n_cells = 4;
  v[1].cells = cells;          /* cells of kinds 0 and 2 */
  v[1].n_cells = 4;
  v[1].kind_mask = 5;
  v[2].ids = ids;              /* explicit ids (4000 is dead) */
  v[2].n_ids = 3;
  v[3].use_callback = 1;       /* the callback */
  v[4].all = 1;                /* kinds 1 and 3 of the whole world */
  v[4].kind_mask = 10;
  for (uint32_t i = 0; i < 5; i++) CHECK_ST(synk_server_set_view(h->s, synk_client_id(h->cl[i].c), &v[i]), SYNK_OK);
  /* refused views */
  uint32_t badcell = 256, badid = 4096;
  synk_net_view bv;
  memset(&bv, 0, sizeof bv);
  bv.cells = &badcell;
  bv.n_cells = 1;
  CHECK_ST(synk_server_set_view(h->s, synk_client_id(h->cl[0].c), &bv), SYNK_E_ARG);
  memset(&bv, 0, sizeof bv);
  bv.ids = &badid;
  bv.n_ids = 1;
  CHECK_ST(synk_server_set_view(h->s, synk_client_id(h->cl[0].c), &bv), SYNK_E_ARG);
  CHECK_ST(synk_server_set_view(h->s, 77, &v[0]), SYNK_E_ARG);
  for (int t = 0; t < 30; t++) {
    tick_moving(h, &r, 300, 0, 3000);
    if (t == 10) { /* entity 4000 spawns: listed, it enters view 2 */
      synk_event e = {SYNK_EV_SPAWN, 4000, 3, 900, 900, 0};
      CHECK_ST(synk_server_apply(h->s, &e, 1, NULL), SYNK_OK);
    }
  }
  CHECK(tn_settle(h, TICK, 50));
  for (uint32_t i = 0; i < 5; i++) {
    CHECK(tn_client_ok(h, i));
    uint64_t want = i == 3 ? hash_left(h->w) : tn_view_hash(h->w, &h->sc.grid, &v[i], NULL);
    CHECK_EQ_U64(synk_hash(synk_client_world(h->cl[i].c)), want);
  }
  CHECK(synk_count(synk_client_world(h->cl[2].c)) == 3);
  /* equal views share one group */
  synk_server_stats st;
  CHECK_ST(synk_server_set_view(h->s, synk_client_id(h->cl[1].c), &v[0]), SYNK_OK);
  synk_server_get_stats(h->s, &st);
  CHECK_EQ_U64(st.groups, 4);
  /* explicit ids with a kind mask: synk_net.h makes a listed id visible
     whatever its kind (the mask filters cells); ids 5 and 7 are kinds 1 and
     3, the mask lets kind 0 only */
  {
    uint32_t mids[2] = {5, 7};
    synk_net_view mv;
    memset(&mv, 0, sizeof mv);
    mv.ids = mids;
    mv.n_ids = 2;
    mv.kind_mask = 1;
    CHECK_ST(synk_server_set_view(h->s, synk_client_id(h->cl[2].c), &mv), SYNK_OK);
    tick_moving(h, &r, 100, 0, 3000);
    CHECK(tn_settle(h, TICK, 50));
    CHECK(tn_client_ok(h, 2));
    size_t n = 0;
    uint64_t want = tn_view_hash(h->w, &h->sc.grid, &mv, &n);
    if (synk_hash(synk_client_world(h->cl[2].c)) != want)
      fprintf(stderr, "ids + kind mask: the client sees %zu entities, synk_net.h says %zu\n",
              synk_count(synk_client_world(h->cl[2].c)), n);
    CHECK_EQ_U64(synk_hash(synk_client_world(h->cl[2].c)), want);
    CHECK_ST(synk_server_set_view(h->s, synk_client_id(h->cl[2].c), &v[2]), SYNK_OK);
  }
  /* between an apply and the tick the view hash stays the last tick's (what
     clients hold until the next tick: synk_net.h), the recomputation sees the
     change; after the tick they agree again */
  {
    synk_event e = {SYNK_EV_MOTION, 1, 0, 1, 1, 0}; /* kind 1: client 4 sees it */
    synk_view wv = synk_get_view(h->w);
    while (!((wv.alive[e.id / 64] >> (e.id % 64)) & 1u) || wv.kind[e.id] != 1) e.id++;
    uint64_t before = 0, vh = 0, rh = 0;
    CHECK_ST(synk_server_view_hash(h->s, synk_client_id(h->cl[4].c), &before), SYNK_OK); /* the whole world */
    CHECK_ST(synk_server_apply(h->s, &e, 1, NULL), SYNK_OK);
    CHECK_ST(synk_server_view_hash(h->s, synk_client_id(h->cl[4].c), &vh), SYNK_OK);
    CHECK_ST(synk_server_view_rehash(h->s, synk_client_id(h->cl[4].c), &rh), SYNK_OK);
    CHECK_EQ_U64(vh, before);
    CHECK(rh != vh);
    tn_step(h, TICK, 1);
    CHECK_ST(synk_server_view_hash(h->s, synk_client_id(h->cl[4].c), &vh), SYNK_OK);
    CHECK_ST(synk_server_view_rehash(h->s, synk_client_id(h->cl[4].c), &rh), SYNK_OK);
    CHECK_EQ_U64(vh, rh);
    CHECK(tn_settle(h, TICK, 50));
    CHECK(tn_client_ok(h, 4));
  }
  /* a view change between apply and tick: the entering entities' changes of
     this frame must not be shown twice */
  for (int t = 0; t < 20; t++) {
    synk_event ev[200];
    for (uint32_t i = 0; i < 200; i++) {
      synk_event e = {SYNK_EV_MOTION, t_below(&r, 3000), 0, 3, -2, 0};
      ev[i] = e;
    }
    CHECK_ST(synk_server_apply(h->s, ev, 200, NULL), SYNK_OK);
    uint32_t c2[4] = {(uint32_t)t % 14, (uint32_t)t % 14 + 1, 16 + (uint32_t)t % 14, 17 + (uint32_t)t % 14};
    synk_net_view mv;
    memset(&mv, 0, sizeof mv);
    mv.cells = c2;
    mv.n_cells = 4;
    CHECK_ST(synk_server_set_view(h->s, synk_client_id(h->cl[0].c), &mv), SYNK_OK);
    tn_step(h, TICK, 1);
    CHECK(tn_settle(h, TICK, 50));
    if (!tn_client_ok(h, 0)) {
      fprintf(stderr, "view change between apply and tick: client world differs at frame %" PRIu64 "\n",
              synk_frame(h->w));
      CHECK(tn_client_ok(h, 0));
      break;
    }
  }
  /* a client's own view request: accepted, refused by view_request */
  uint32_t rc[2] = {34, 35};
  synk_net_view rv;
  memset(&rv, 0, sizeof rv);
  rv.cells = rc;
  rv.n_cells = 2;
  CHECK_ST(synk_client_request_view(h->cl[4].c, &rv), SYNK_OK);
  for (int t = 0; t < 5; t++) tick_moving(h, &r, 100, 0, 3000);
  CHECK(tn_settle(h, TICK, 50));
  CHECK(h->cl[4].n_ev[SYNK_CLIENT_EV_VIEW] == 1 && h->cl[4].view_reason == 0);
  CHECK(tn_client_ok(h, 4));
  CHECK_EQ_U64(synk_hash(synk_client_world(h->cl[4].c)), tn_view_hash(h->w, &h->sc.grid, &rv, NULL));
  uint32_t many[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  rv.cells = many;
  rv.n_cells = 9;
  CHECK_ST(synk_client_request_view(h->cl[4].c, &rv), SYNK_OK);
  for (int t = 0; t < 5; t++) tick_moving(h, &r, 100, 0, 3000);
  CHECK(tn_settle(h, TICK, 50));
  CHECK(h->cl[4].n_ev[SYNK_CLIENT_EV_VIEW] == 2 && h->cl[4].view_reason == SYNK_NET_R_APP + 1);
  CHECK(tn_client_ok(h, 4));
  synk_server_get_stats(h->s, &st);
  CHECK_EQ_U64(st.mismatches, 0);
  tn_free(h);
  return t_done("net_views");
}

/* ---- bigview ------------------------------------------------------------------------------ */

/* A view change too big for one piece (frag_size 1024, 3000 entities
 * entering) moves the client to catch-up: it must be repaired (or get a
 * snapshot) in one go, and converge, while the world keeps moving. */
static uint32_t repairs_of[8];
static void hook_count_repairs(tn *h, const synk_net_event *ev) {
  (void)h;
  if (ev->type == SYNK_NET_EV_REPAIR && ev->client < 8) repairs_of[ev->client]++;
}

static int test_bigview(void) {
  t_rng r;
  t_seed(&r, 18);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(4096, 2, 5, 3000, 1024, &r, NULL));
  h->sc.frag_size = 1024;
  h->cc.frag_size = 1024;
  h->nc.max_message = 4096;
  h->server_hook = hook_count_repairs;
  CHECK(tn_start(h, 2));
  join_all(h);
  CHECK(tn_rect_view(h, 1, 0, 0, 2, 2) == SYNK_OK);
  for (int t = 0; t < 5; t++) tick_moving(h, &r, 50, 0, 3000);
  CHECK(tn_settle(h, TICK, 50));
  uint32_t me = synk_client_id(h->cl[0].c);
  memset(repairs_of, 0, sizeof repairs_of);
  uint32_t synced0 = h->cl[0].n_ev[SYNK_CLIENT_EV_SYNCED];
  CHECK_ST(tn_all_view(h, 0), SYNK_OK);
  int t = 0;
  for (; t < 60 && h->cl[0].n_ev[SYNK_CLIENT_EV_SYNCED] == synced0; t++) tick_moving(h, &r, 50, 0, 3000);
  for (int k = 0; k < 5; k++) tick_moving(h, &r, 50, 0, 3000);
  CHECK(tn_settle(h, TICK, 50));
  if (repairs_of[me] > 1)
    fprintf(stderr, "bigview: %u repairs sent before the client synced (after %d ticks)\n", repairs_of[me], t);
  CHECK(h->cl[0].n_ev[SYNK_CLIENT_EV_SYNCED] == synced0 + 1);
  CHECK(repairs_of[me] == 1); /* one catch-up, not a retry per tick */
  CHECK(tn_client_ok(h, 0));
  CHECK_EQ_U64(synk_count(synk_client_world(h->cl[0].c)), synk_count(h->w));
  CHECK(tn_client_ok(h, 1));
  synk_server_stats st;
  synk_server_get_stats(h->s, &st);
  CHECK(st.catchups >= 1);
  CHECK_EQ_U64(st.mismatches, 0);
  tn_free(h);
  return t_done("net_bigview");
}

/* ---- midframe ------------------------------------------------------------------------------ */

/* Clients join while the frame has changes not yet ticked (what happens
 * whenever a command is accepted: the server applies it on receive): the
 * new client's snapshot, its view's hash and the next tick must agree. */
static void hook_rect_view(tn *h, const synk_net_event *ev) {
  if (ev->type == SYNK_NET_EV_JOINED) {
    uint32_t cells[4] = {0, 1, 16, 17};
    synk_net_view v;
    memset(&v, 0, sizeof v);
    v.all = msgnet_link_of_conn(h->net, ev->conn) % 2 == 0;
    v.cells = cells;
    v.n_cells = 4;
    CHECK_ST(synk_server_set_view(h->s, ev->client, &v), SYNK_OK);
  }
}

static int test_midframe(void) {
  t_rng r;
  t_seed(&r, 20);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(2048, 2, 5, 1500, 256, &r, NULL)); /* dense: cells 0,1,16,17 hold many */
  h->server_hook = hook_rect_view;
  CHECK(tn_start(h, 4));
  CHECK_ST(msgnet_connect(h->net, 0, h->now), SYNK_OK);
  CHECK_ST(msgnet_connect(h->net, 1, h->now), SYNK_OK);
  for (int t = 0; t < 5; t++) tick_moving(h, &r, 40, 0, 1500);
  CHECK(tn_settle(h, TICK, 50));
  CHECK(tn_client_ok(h, 0) && tn_client_ok(h, 1));
  /* changes of the coming frame, then two clients join before the tick */
  synk_event ev[200];
  for (uint32_t i = 0; i < 200; i++) {
    synk_event e = {SYNK_EV_MOTION, i, 0, 2, 1, 0};
    ev[i] = e;
  }
  CHECK_ST(synk_server_apply(h->s, ev, 200, NULL), SYNK_OK);
  CHECK_ST(msgnet_connect(h->net, 2, h->now), SYNK_OK);
  CHECK_ST(msgnet_connect(h->net, 3, h->now), SYNK_OK);
  for (int k = 0; k < 10; k++) tn_step(h, TICK, 0);
  CHECK(synk_client_get_state(h->cl[2].c) == SYNK_CLIENT_LIVE && synk_client_get_state(h->cl[3].c) == SYNK_CLIENT_LIVE);
  /* the tick, then before any ack could trigger a repair: every client right */
  tn_step(h, TICK, 1);
  CHECK(tn_settle(h, TICK, 50));
  for (uint32_t i = 0; i < 4; i++)
    if (!tn_client_ok(h, i)) {
      fprintf(stderr, "midframe: after the tick, client %u (joined %s) differs from the server's view\n", i,
              i < 2 ? "before the changes" : "between the changes and the tick");
      CHECK(tn_client_ok(h, i));
    }
  for (int t = 0; t < 12; t++) tick_moving(h, &r, 40, 0, 1500);
  CHECK(tn_settle(h, TICK, 50));
  int bad = 0;
  for (uint32_t i = 0; i < 4; i++)
    if (!tn_client_ok(h, i)) {
      fprintf(stderr, "midframe: client %u (joined %s) differs from the server's view\n", i,
              i < 2 ? "before the changes" : "between the changes and the tick");
      bad = 1;
    }
  CHECK(!bad);
  synk_server_stats st;
  synk_server_get_stats(h->s, &st);
  CHECK_EQ_U64(st.mismatches, 0);
  tn_free(h);
  return t_done("net_midframe");
}

/* ---- debounce ------------------------------------------------------------------------------ */

/* debounce_ms 100 at 16 ms ticks: at most one TICK message per 100 ms to a
 * client, several ticks in each, none lost (the worlds stay equal frame by frame) */
static uint64_t last_tick_frame[4];
static uint32_t frame_gaps;
static void client_hook_frames(tn_cl *c, const synk_client_event *ev) {
  if (ev->type != SYNK_CLIENT_EV_TICK || c->i >= 4) return;
  if (last_tick_frame[c->i] && ev->frame <= last_tick_frame[c->i]) frame_gaps++;
  last_tick_frame[c->i] = ev->frame;
}

static int test_debounce(void) {
  t_rng r;
  t_seed(&r, 19);
  static tn H;
  tn *h = &H;
  tn_init(h, tn_crowd(2048, 2, 5, 1500, 1024, &r, NULL));
  h->sc.debounce_ms = 100;
  h->nc.latency_ms = 5;
  h->server_hook = hook_all_view;
  h->client_hook = client_hook_frames;
  CHECK(tn_start(h, 2));
  join_all(h);
  CHECK(tn_settle(h, TICK, 100));
  uint64_t b0 = 0, t0 = 0, b1 = 0, t1 = 0;
  CHECK_ST(synk_server_client_bytes(h->s, synk_client_id(h->cl[0].c), &b0, &t0), SYNK_OK);
  uint32_t ev0 = h->cl[0].n_ev[SYNK_CLIENT_EV_TICK];
  uint64_t start = h->now;
  for (int t = 0; t < 125; t++) tick_moving(h, &r, 40, 0, 1500); /* 2 s */
  CHECK(tn_settle(h, TICK, 100));
  CHECK_ST(synk_server_client_bytes(h->s, synk_client_id(h->cl[0].c), &b1, &t1), SYNK_OK);
  uint64_t msgs = t1 - t0, span = h->now - start;
  if (msgs > span / 100 + 2) fprintf(stderr, "debounce: %" PRIu64 " TICK messages in %" PRIu64 " ms\n", msgs, span);
  CHECK(msgs >= 10);
  CHECK(msgs <= span / 100 + 2);
  CHECK(h->cl[0].n_ev[SYNK_CLIENT_EV_TICK] - ev0 == msgs); /* one event per message, several ticks each */
  CHECK(frame_gaps == 0);
  CHECK(tn_client_ok(h, 0));
  CHECK(tn_client_ok(h, 1));
  synk_server_stats st;
  synk_server_get_stats(h->s, &st);
  CHECK_EQ_U64(st.mismatches, 0);
  CHECK(st.verified > 0);
  tn_free(h);
  return t_done("net_debounce");
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "";
  if (!strcmp(name, "repair")) return test_repair();
  if (!strcmp(name, "grace")) return test_grace();
  if (!strcmp(name, "predict")) return test_predict();
  if (!strcmp(name, "handshake")) return test_handshake();
  if (!strcmp(name, "app")) return test_app();
  if (!strcmp(name, "liveness")) return test_liveness();
  if (!strcmp(name, "views")) return test_views();
  if (!strcmp(name, "bigview")) return test_bigview();
  if (!strcmp(name, "debounce")) return test_debounce();
  if (!strcmp(name, "midframe")) return test_midframe();
  fprintf(stderr, "usage: test_net_unit repair|grace|predict|handshake|app|liveness|views|bigview|debounce|midframe\n");
  return 2;
}
