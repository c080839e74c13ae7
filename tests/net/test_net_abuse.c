/* SPDX-License-Identifier: MIT */
/*
 * Well-formed messages used against the server and the client (issue 19):
 * peers that follow the framing but not the spirit of the protocol. One
 * scenario per ctest (test_net_abuse NAME), each a regression test of a bug
 * the earlier code had:
 *   evict      a HELLO that `accept` refuses takes no slot in grace
 *   repair     a REPAIR whose frame is 2^40 or 2^64-1 frames ahead is refused
 *              before the client's world changes (it ticked 2^32 times)
 *   results    after a resume every unanswered command is reported with what
 *              the server decided: accepted, rejected (its reason), never
 *              arrived, or forgotten -- never "accepted" for a rejected one
 *   bulkleak   a client that does not read its replies is closed
 *              (SYNK_NET_R_OVERFLOW) and leaks no snapshot job: a new client
 *              still gets its snapshot
 *   token      a server refuses the all-zero resume key; a resume token
 *              works once (a new one comes with every WELCOME)
 *   token0     a resume with token 0 takes no slot (it matched every client
 *              whose previous token was spent)
 *   appwelcome an application message sent before a client read its WELCOME
 *              reaches it after the WELCOME (it went ahead, and the client
 *              closed the connection: PROTOCOL)
 *   replay     a REPLAY that applies but does not verify changes nothing
 *              (the client kept the replayed world)
 *   tickformat a malformed TICK (SYNK_E_FORMAT) changes nothing (the client
 *              had undone its predictions and applied its first pieces)
 *   refusedpredict  a payload refused before the predictions are undone
 *              changes nothing (the predicted world became the confirmed one)
 *   syncfull   a SYNC asked for while the client's out queue is full is sent
 *              once there is room (it was dropped)
 *   stall      a connection that PINGs but never takes its snapshot frees the
 *              job after timeout_ms (it held it forever)
 *   requests   VIEW and SYNC messages are handled at most max_requests per
 *              client and tick; a view's cells in any order with repeats
 *              make the same group
 * The endpoints exchange bytes directly (no transport), so a test decides
 * which messages arrive; hostile connections are the test's own, with
 * frames forged by net_util.h.
 */
#include "net_util.h"

#define TICK 16u
#define NPEER 4
#define R_PROPS 2u /* the room's num_props */

typedef struct room room;

typedef struct peer {
  room *r;
  synk_client *c;
  uint32_t conn;
  int up;
  uint32_t n_ev[8];
  uint32_t nres;
  uint32_t res_seq[16], res_reason[16];
  uint64_t token; /* the resume token of the last WELCOME it received */
} peer;

struct room {
  synk_world *w;
  synk_server_config sc;
  synk_client_config cc;
  synk_server *s;
  t_rng rng;
  uint64_t now;
  uint32_t n_sev[16];
  synk_net_event last_sev[16];
  uint32_t accept_calls, accept_client, view_calls;
  int view_all; /* every joining client sees the whole world */
  peer p[NPEER];
  uint32_t np;
};

static void on_server(void *ctx, const synk_net_event *ev) {
  room *r = (room *)ctx;
  if (ev->type < 16) {
    r->n_sev[ev->type]++;
    r->last_sev[ev->type] = *ev;
  }
  if (ev->type == SYNK_NET_EV_JOINED && r->view_all) {
    synk_net_view v;
    memset(&v, 0, sizeof v);
    v.all = 1;
    CHECK_ST(synk_server_set_view(r->s, ev->client, &v), SYNK_OK);
  }
}

static void on_client(void *ctx, const synk_client_event *ev) {
  peer *p = (peer *)ctx;
  if (ev->type < 8) p->n_ev[ev->type]++;
  if (ev->type == SYNK_CLIENT_EV_RESULT && p->nres < 16) {
    p->res_seq[p->nres] = (uint32_t)ev->value;
    p->res_reason[p->nres++] = ev->reason;
  }
}

/* tokens: "bad" is refused */
static uint32_t accept_fn(void *ctx, uint32_t client, const void *token, size_t len) {
  room *r = (room *)ctx;
  r->accept_calls++;
  r->accept_client = client;
  return len == 3 && !memcmp(token, "bad", 3) ? SYNK_NET_R_DENIED : 0;
}

/* commands: "a" accepted (no events), "r" rejected with SYNK_NET_R_APP + 5 */
static uint32_t validate_fn(void *ctx, uint32_t client, const void *cmd, size_t len, synk_event *out, size_t cap,
                            size_t *n) {
  (void)ctx;
  (void)client;
  (void)out;
  (void)cap;
  *n = 0;
  if (len == 1 && ((const char *)cmd)[0] == 'a') return 0;
  return len == 1 && ((const char *)cmd)[0] == 'r' ? SYNK_NET_R_APP + 5 : SYNK_NET_R_REJECTED;
}

static uint32_t view_request_fn(void *ctx, uint32_t client, const synk_net_view *v) {
  (void)client;
  (void)v;
  ((room *)ctx)->view_calls++;
  return 0;
}

/* A 1024-id world with 600 entities over [0, 1024)^2, a server for it (room
 * 9, 4 slots, the 16 x 16 grid of 64-unit cells, a fixed resume key, views
 * of the whole world); clients of its config. Change r->sc / r->cc, then
 * room_start. */
static void room_init(room *r, uint64_t seed) {
  memset(r, 0, sizeof *r);
  t_seed(&r->rng, seed);
  r->w = tn_crowd(1024, 2, 5, 600, 1024, &r->rng, NULL);
  r->sc.world = r->w;
  r->sc.room_id = 9;
  r->sc.max_clients = 4;
  r->sc.grid.cell_size = 64;
  r->sc.grid.cols = r->sc.grid.rows = 16;
  r->sc.resume_key[0] = 0x61627573652D6B31ull;
  r->sc.resume_key[1] = 0x61627573652D6B32ull;
  r->sc.on_event = on_server;
  r->sc.ctx = r;
  r->cc.max_entities = 1024;
  r->cc.num_props = R_PROPS;
  r->cc.seed = 5;
  r->cc.room_id = 9;
  r->cc.token = "ok";
  r->cc.token_len = 2;
  r->cc.timeout_ms = 1u << 30;
  r->cc.heartbeat_ms = 1u << 30;
  r->view_all = 1;
}

static int room_start(room *r) { return synk_server_create(&r->sc, &r->s) == SYNK_OK; }

static peer *peer_new(room *r, const char *token) {
  peer *p = &r->p[r->np++];
  memset(p, 0, sizeof *p);
  p->r = r;
  synk_client_config cc = r->cc;
  cc.token = token;
  cc.token_len = strlen(token);
  cc.on_event = on_client;
  cc.ctx = p;
  CHECK_ST(synk_client_create(&cc, &p->c), SYNK_OK);
  return p;
}

static void peer_connect(peer *p) {
  CHECK_ST(synk_server_connect(p->r->s, p->r->now, &p->conn), SYNK_OK);
  CHECK_ST(synk_client_start(p->c, p->r->now), SYNK_OK);
  p->up = 1;
}

/* the connection breaks: whatever is queued on either side is lost */
static void peer_cut(peer *p) {
  CHECK_ST(synk_server_disconnect(p->r->s, p->conn, p->r->now), SYNK_OK);
  synk_client_disconnect(p->c);
  p->up = 0;
}

static uint8_t buf[1 << 17];

static void note_welcome(void *ctx, uint32_t type, const uint8_t *body, size_t len) {
  if (type == TN_WELCOME && len >= 12) ((peer *)ctx)->token = tn_le64(body + 4);
}

/* everything the client has queued, to the server */
static void up(peer *p) {
  size_t len = 0;
  while (synk_client_poll(p->c, buf, sizeof buf, &len, p->r->now) == SYNK_OK && len)
    synk_server_receive(p->r->s, p->conn, buf, len, p->r->now);
}

/* everything the server has queued for it, to the client */
static void down(peer *p) {
  size_t len = 0;
  while (synk_server_poll(p->r->s, p->conn, buf, sizeof buf, &len, p->r->now) == SYNK_OK && len) {
    tn_parse(buf, len, note_welcome, p);
    synk_client_receive(p->c, buf, len, p->r->now);
  }
}

/* a few rounds of exchange between the server and every connected peer */
static void pump(room *r) {
  for (int round = 0; round < 6; round++)
    for (uint32_t i = 0; i < r->np; i++) {
      peer *p = &r->p[i];
      if (!p->up || synk_client_get_state(p->c) == SYNK_CLIENT_CLOSED) continue;
      synk_client_service(p->c, r->now);
      up(p);
      down(p);
    }
  synk_server_service(r->s, r->now);
}

/* dt ms later: a few motions, a server tick, the exchange */
static void step(room *r, uint32_t dt) {
  synk_event ev[32];
  size_t k = 0;
  synk_view v = synk_get_view(r->w);
  for (int i = 0; i < 32; i++) {
    uint32_t id = t_below(&r->rng, 600);
    if (!((v.alive[id / 64] >> (id % 64)) & 1u)) continue;
    int32_t dx = (int32_t)t_below(&r->rng, 9) - 4, dy = (int32_t)t_below(&r->rng, 9) - 4; /* in this order */
    synk_event e = {SYNK_EV_MOTION, id, 0, dx, dy, 0};
    ev[k++] = e;
  }
  CHECK_ST(synk_server_apply(r->s, ev, k, NULL), SYNK_OK);
  r->now += dt;
  CHECK_ST(synk_server_tick(r->s, r->now), SYNK_OK);
  pump(r);
}

static void steps(room *r, int n) {
  for (int i = 0; i < n; i++) step(r, TICK);
}

/* p is live and its world is exactly the server's view of it */
static int peer_ok(const peer *p) {
  const synk_world *cw = synk_client_world(p->c);
  uint64_t vh = 0;
  if (synk_client_get_state(p->c) != SYNK_CLIENT_LIVE || !cw ||
      synk_server_view_hash(p->r->s, synk_client_id(p->c), &vh) != SYNK_OK)
    return 0;
  return synk_hash(cw) == vh && synk_client_confirmed_hash(p->c) == vh && synk_client_frame(p->c) == synk_frame(p->r->w);
}

static void room_free(room *r) {
  for (uint32_t i = 0; i < r->np; i++) synk_client_destroy(r->p[i].c);
  synk_server_destroy(r->s);
  synk_world_destroy(r->w);
}

/* ---- hostile connections of the test's own ---------------------------------------- */

static uint32_t raw_open(room *r) {
  uint32_t conn = 0;
  CHECK_ST(synk_server_connect(r->s, r->now, &conn), SYNK_OK);
  return conn;
}

static synk_status raw_send(room *r, uint32_t conn, uint32_t type, const void *body, size_t len) {
  static tn_buf f;
  f.n = 0;
  tn_frame(&f, type, body, len);
  return synk_server_receive(r->s, conn, f.b, f.n, r->now);
}

/* HELLO of r's config; resuming with rtoken when `resume` */
static synk_status raw_hello_ex(room *r, uint32_t conn, const char *token, int resume, uint64_t rtoken) {
  static tn_buf body;
  body.n = 0;
  tn_hello h = {SYNK_NET_VERSION, 9, 1024, 2, 5, token, (uint32_t)strlen(token), resume ? 1u : 0u, rtoken, 0, 0,
                0, NULL};
  tn_hello_body(&body, &h);
  return raw_send(r, conn, TN_HELLO, body.b, body.n);
}

/* HELLO of r's config; resuming with rtoken when it is not 0 */
static synk_status raw_hello(room *r, uint32_t conn, const char *token, uint64_t rtoken) {
  return raw_hello_ex(r, conn, token, rtoken != 0, rtoken);
}

/* poll everything the server has for conn; g (may be NULL) gets the frames */
static void raw_drain(room *r, uint32_t conn, tn_got *g) { tn_drain(r->s, conn, r->now, g); }

static uint32_t count_type(const tn_got *g, uint32_t type, uint32_t reason) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < g->n; i++) n += g->type[i] == type && g->reason[i] == reason;
  return n;
}

/* ---- evict ------------------------------------------------------------------------- */

/* A full server of two slots (grace 60 s, `accept` refusing "bad") and its
 * two clients, live. */
static void room_two(room *r, uint64_t seed, peer **a, peer **b) {
  room_init(r, seed);
  r->sc.max_clients = 2;
  r->sc.grace_ms = 60000;
  r->sc.accept = accept_fn;
  CHECK(room_start(r));
  *a = peer_new(r, "ok");
  *b = peer_new(r, "ok");
  peer_connect(*a);
  peer_connect(*b);
  steps(r, 5);
  CHECK(peer_ok(*a) && peer_ok(*b));
}

static int test_evict(void) {
  static room R;
  room *r = &R;
  peer *a, *b;
  room_two(r, 1, &a, &b);
  uint32_t bslot = synk_client_id(b->c);
  peer_cut(b); /* b's slot is in grace: the server is full */
  steps(r, 3);
  synk_server_stats st;
  synk_server_get_stats(r->s, &st);
  CHECK_EQ_U64(st.in_grace, 1);

  /* a refused token: nobody's slot is taken */
  peer *x = peer_new(r, "bad");
  peer_connect(x);
  steps(r, 2);
  CHECK(synk_client_get_state(x->c) == SYNK_CLIENT_CLOSED);
  CHECK_EQ_U64(synk_client_reason(x->c), SYNK_NET_R_DENIED);
  CHECK_EQ_U64(r->accept_client, bslot); /* asked for the slot it would have taken */
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_DROPPED], 0);
  synk_server_get_stats(r->s, &st);
  CHECK_EQ_U64(st.in_grace, 1);
  x->up = 0;

  /* b comes back: its slot, view and world are still there (a delta, no snapshot) */
  uint64_t snaps = st.snapshots;
  peer_connect(b);
  steps(r, 5);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 1);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_JOINED], 2);
  CHECK_EQ_U64(synk_client_id(b->c), bslot);
  synk_server_get_stats(r->s, &st);
  CHECK_EQ_U64(st.snapshots, snaps);
  CHECK(peer_ok(a) && peer_ok(b));

  /* an accepted HELLO still takes the slot in grace when the server is full */
  peer_cut(b);
  steps(r, 2);
  peer *y = peer_new(r, "ok");
  peer_connect(y);
  steps(r, 5);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_DROPPED], 1);
  CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_DROPPED].client, bslot);
  CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_DROPPED].reason, SYNK_NET_R_EXPIRED);
  CHECK_EQ_U64(synk_client_id(y->c), bslot);
  CHECK(peer_ok(a) && peer_ok(y));
  room_free(r);
  return t_done("net_abuse_evict");
}

/* ---- repair ------------------------------------------------------------------------ */

/* A payload of `kind` (1 SNAPSHOT, 2 REPAIR, 3 REPLAY) to p's client: BULK
 * with the header's frame and hash, FRAG; the receive's status. */
static synk_status hostile_bulk(peer *p, uint32_t kind, const tn_buf *pay, uint64_t frame, uint64_t hash) {
  static tn_buf body, f;
  body.n = f.n = 0;
  tn_u8(&body, kind);
  tn_u32(&body, (uint32_t)pay->n);
  tn_u64(&body, frame);
  tn_u64(&body, hash);
  tn_u32(&body, synk_crc32c(0, pay->b, pay->n));
  tn_frame(&f, TN_BULK, body.b, body.n);
  tn_frame(&f, TN_FRAG, pay->b, pay->n);
  return synk_client_receive(p->c, f.b, f.n, p->r->now);
}

/* Feed the client a REPAIR payload (BULK + FRAG) that moves it from its frame
 * to `frame`: with no chunk, structurally sound but farther than any server
 * repairs (resume_frames is a u32); with `entity`, one frame ahead and chunk 0
 * replaced by one made-up entity -- well-formed, but not the BULK header's
 * hash, which the client can tell before it changes anything. */
static void hostile_repair(peer *p, uint64_t frame, int entity) {
  static tn_buf pay;
  pay.n = 0;
  tn_u64(&pay, synk_client_frame(p->c)); /* base: the client's frame */
  tn_u64(&pay, frame);
  tn_u64(&pay, entity ? 1 : 0); /* count */
  tn_u32(&pay, entity ? 1 : 0); /* chunks */
  if (entity) {
    tn_u32(&pay, 0); /* chunk 0 */
    tn_u32(&pay, 1); /* one entity: id 3, kind 9, (1, 2, 3), props 0 */
    tn_u32(&pay, 3);
    tn_u32(&pay, 9);
    for (uint32_t i = 1; i <= 3 + R_PROPS; i++) tn_u32(&pay, i <= 3 ? i : 0);
  }
  CHECK_ST(hostile_bulk(p, 2, &pay, frame, 0x1234), SYNK_OK); /* REPAIR */
}

static void saw_sync(void *ctx, uint32_t type, const uint8_t *body, size_t len) {
  if (type == TN_SYNC && len == 20 && tn_le32(body + 16) == 0) (*(int *)ctx)++;
}

static int test_repair(void) {
  static room R;
  room *r = &R;
  room_init(r, 2);
  CHECK(room_start(r));
  peer *a = peer_new(r, "ok");
  peer_connect(a);
  steps(r, 8);
  CHECK(peer_ok(a));
  for (int i = 0; i < 3; i++) {
    uint64_t frame0 = synk_client_frame(a->c), hash0 = synk_hash(synk_client_world(a->c));
    size_t count0 = synk_count(synk_client_world(a->c));
    if (i < 2)
      hostile_repair(a, i ? UINT64_MAX : UINT64_C(1) << 40, 0);
    else
      hostile_repair(a, frame0 + 1, 1);
    CHECK_EQ_U64(synk_client_frame(a->c), frame0); /* the world is as it was */
    CHECK_EQ_U64(synk_count(synk_client_world(a->c)), count0);
    CHECK_EQ_U64(synk_hash(synk_client_world(a->c)), hash0);
    CHECK_EQ_U64(synk_rehash(synk_client_world(a->c)), hash0);
    /* and the client asks for a snapshot */
    int syncs = 0;
    size_t len = 0;
    while (synk_client_poll(a->c, buf, sizeof buf, &len, r->now) == SYNK_OK && len) {
      tn_parse(buf, len, saw_sync, &syncs);
      synk_server_receive(r->s, a->conn, buf, len, r->now);
    }
    CHECK(syncs == 1);
    steps(r, 6); /* which the server sends */
    CHECK(peer_ok(a));
  }
  room_free(r);
  return t_done("net_abuse_repair");
}

/* ---- results ----------------------------------------------------------------------- */

/* Commands 1-4 reach the server (accepted, rejected by the application,
 * accepted, rejected by max_commands), their RESULTs are lost with the
 * connection, command 5 never leaves the client; then the client comes back
 * (after its slot expired when `expire`). */
static void results_run(uint32_t history, int expire, const uint32_t want[5]) {
  static room R;
  room *r = &R;
  room_init(r, 3);
  r->sc.validate = validate_fn;
  r->sc.max_commands = 2;
  r->sc.result_history = history;
  r->sc.grace_ms = 5000;
  CHECK(room_start(r));
  peer *a = peer_new(r, "ok");
  peer_connect(a);
  steps(r, 4);
  CHECK(peer_ok(a));
  const char *cmds = "araaa";
  for (int i = 0; i < 4; i++) CHECK_ST(synk_client_command(a->c, cmds + i, 1, NULL, 0, NULL), SYNK_OK);
  up(a); /* the server handles them; their RESULTs wait in its queue */
  CHECK_ST(synk_client_command(a->c, cmds + 4, 1, NULL, 0, NULL), SYNK_OK);
  peer_cut(a);
  if (expire) {
    r->now += 6000;
    synk_server_service(r->s, r->now);
    CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_DROPPED], 1);
  }
  steps(r, 2);
  peer_connect(a);
  steps(r, 4);
  CHECK(peer_ok(a));
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], expire ? 0 : 1);
  CHECK_EQ_U64(a->nres, 5);
  for (uint32_t i = 0; i < a->nres && i < 5; i++) {
    if (a->res_seq[i] != i + 1 || a->res_reason[i] != want[i])
      fprintf(stderr, "results (history %u%s): command %u reported %s, want %s\n", history, expire ? ", expired" : "",
              a->res_seq[i], synk_net_reason_str(a->res_reason[i]), synk_net_reason_str(want[i]));
    CHECK_EQ_U64(a->res_seq[i], i + 1);
    CHECK_EQ_U64(a->res_reason[i], want[i]);
  }
  room_free(r);
}

static int test_results(void) {
  const uint32_t all[5] = {0, SYNK_NET_R_APP + 5, 0, SYNK_NET_R_OVERFLOW, SYNK_NET_R_SHUTDOWN};
  results_run(0, 0, all);
  /* two outcomes kept: the first two are no longer known */
  const uint32_t two[5] = {SYNK_NET_R_FORGOTTEN, SYNK_NET_R_FORGOTTEN, 0, SYNK_NET_R_OVERFLOW, SYNK_NET_R_SHUTDOWN};
  results_run(2, 0, two);
  /* the slot expired: it came back as a new client, nothing is known */
  const uint32_t none[5] = {SYNK_NET_R_FORGOTTEN, SYNK_NET_R_FORGOTTEN, SYNK_NET_R_FORGOTTEN, SYNK_NET_R_FORGOTTEN,
                            SYNK_NET_R_FORGOTTEN};
  results_run(0, 1, none);
  return t_done("net_abuse_results");
}

/* ---- bulkleak ---------------------------------------------------------------------- */

/* A joined hostile connection that took its snapshot sends `ncmd` commands
 * (each answered by a RESULT it never reads), then a SYNC: with one bulk job,
 * a client joining next must still get its snapshot. */
static void bulkleak_run(uint32_t ncmd, int closed_before_sync) {
  static room R;
  room *r = &R;
  room_init(r, 4);
  r->sc.max_bulk_jobs = 1;
  r->sc.frag_size = 1024;
  r->sc.queue_bytes = 4096;
  CHECK(room_start(r));
  peer *a = peer_new(r, "ok");
  peer_connect(a);
  steps(r, 3);
  uint32_t k = raw_open(r);
  CHECK_ST(raw_hello(r, k, "ok", 0), SYNK_OK);
  tn_got g;
  raw_drain(r, k, &g); /* WELCOME and the snapshot: the job is free again */
  CHECK(g.n > 2 && g.type[0] == TN_WELCOME && g.type[1] == TN_BULK);
  uint32_t closes = r->n_sev[SYNK_NET_EV_CLOSE];
  for (uint32_t i = 0; i < ncmd; i++) {
    uint8_t cmd[5] = {(uint8_t)(i + 1), (uint8_t)((i + 1) >> 8), 0, 0, 'x'};
    synk_status st = raw_send(r, k, TN_COMMAND, cmd, sizeof cmd);
    CHECK(st == SYNK_OK);
  }
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_CLOSE] - closes, closed_before_sync ? 1 : 0);
  uint8_t sync[20] = {0};
  raw_send(r, k, TN_SYNC, sync, sizeof sync); /* a snapshot, please */
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_CLOSE] - closes, 1);
  CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_CLOSE].conn, k);
  CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_CLOSE].reason, SYNK_NET_R_OVERFLOW);
  raw_drain(r, k, &g); /* all it has left is the CLOSE */
  CHECK(g.n == 1 && g.type[0] == TN_CLOSE && g.reason[0] == SYNK_NET_R_OVERFLOW);
  peer *b = peer_new(r, "ok");
  peer_connect(b);
  steps(r, 6);
  if (!peer_ok(b))
    fprintf(stderr, "bulkleak (%u commands): the new client is %d after 6 ticks\n", ncmd,
            (int)synk_client_get_state(b->c));
  CHECK(peer_ok(b));
  CHECK(peer_ok(a));
  CHECK_ST(synk_server_disconnect(r->s, k, r->now), SYNK_OK);
  room_free(r);
}

static int test_bulkleak(void) {
  /* RESULT records are 35 bytes (a 13-byte record header, a 22-byte frame):
     117 fill 4095 of the 4096 queue bytes and leave no room for the
     snapshot's 17-byte record; 300 overflow the queue with RESULTs */
  bulkleak_run(117, 0);
  bulkleak_run(300, 1);
  return t_done("net_abuse_bulkleak");
}

/* ---- token ------------------------------------------------------------------------- */

static int test_token(void) {
  static room R;
  room *r = &R;
  room_init(r, 5);
  synk_server_config zero = r->sc;
  zero.resume_key[0] = zero.resume_key[1] = 0;
  synk_server *s = NULL;
  CHECK_ST(synk_server_create(&zero, &s), SYNK_E_ARG);
  CHECK(s == NULL);
  zero.resume_key[1] = 1; /* any other key will do */
  CHECK_ST(synk_server_create(&zero, &s), SYNK_OK);
  synk_server_destroy(s);

  CHECK(room_start(r));
  peer *a = peer_new(r, "ok");
  peer_connect(a);
  steps(r, 4);
  uint64_t t1 = a->token;
  CHECK(t1 != 0);
  peer_cut(a);
  steps(r, 2);
  peer_connect(a);
  steps(r, 4);
  uint64_t t2 = a->token;
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 1);
  CHECK(t2 != 0 && t2 != t1); /* a new token with every WELCOME */
  CHECK(peer_ok(a));
  /* the old token, replayed by someone else, resumes nothing */
  peer_cut(a);
  uint32_t k = raw_open(r);
  CHECK_ST(raw_hello(r, k, "ok", t1), SYNK_OK);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 1);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_JOINED], 2);
  CHECK_ST(synk_server_disconnect(r->s, k, r->now), SYNK_OK);
  /* the new one does */
  peer_connect(a);
  steps(r, 4);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 2);
  CHECK(peer_ok(a));
  /* a resume whose WELCOME (and new token) never reaches the client: the
     token it holds resumes it again, until it is heard on a connection */
  uint64_t held = a->token;
  peer_cut(a);
  k = raw_open(r);
  CHECK_ST(raw_hello(r, k, "ok", held), SYNK_OK); /* resumed; its WELCOME is never read */
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 3);
  CHECK_ST(synk_server_disconnect(r->s, k, r->now), SYNK_OK);
  peer_connect(a);
  steps(r, 4);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 4); /* not a new client */
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_JOINED], 2);
  CHECK(a->token != held);
  CHECK(peer_ok(a));
  /* heard since: the token it came with is spent */
  k = raw_open(r);
  CHECK_ST(raw_hello(r, k, "ok", held), SYNK_OK);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 4);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_JOINED], 3);
  CHECK_ST(synk_server_disconnect(r->s, k, r->now), SYNK_OK);
  room_free(r);
  return t_done("net_abuse_token");
}

/* ---- token0 ------------------------------------------------------------------------ */

/* A resume with token 0, which no WELCOME carries: a new client, refused by
 * `accept` here (the server matched it to the first client whose previous
 * token was spent -- 0 -- and gave that slot away without asking). */
static int test_token0(void) {
  static room R;
  room *r = &R;
  peer *a, *b;
  room_two(r, 9, &a, &b);
  for (int round = 0; round < 2; round++) { /* both joined; then b in its grace period */
    if (round) {
      peer_cut(b);
      steps(r, 2);
    }
    uint32_t closes = r->n_sev[SYNK_NET_EV_CLOSE];
    uint32_t k = raw_open(r);
    CHECK_ST(raw_hello_ex(r, k, "bad", 1, 0), SYNK_OK);
    CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 0);
    CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_DROPPED], 0);
    CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_CLOSE] - closes, 1); /* its own refusal, nobody else's connection */
    CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_CLOSE].conn, k);
    CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_CLOSE].reason, round ? SYNK_NET_R_DENIED : SYNK_NET_R_FULL);
    CHECK_ST(synk_server_disconnect(r->s, k, r->now), SYNK_OK);
    steps(r, 2);
    CHECK(peer_ok(a));
    CHECK(round || peer_ok(b));
  }
  peer_connect(b); /* b still has its slot */
  steps(r, 5);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_RESUMED], 1);
  CHECK(peer_ok(a) && peer_ok(b));
  room_free(r);
  return t_done("net_abuse_token0");
}

/* ---- appwelcome -------------------------------------------------------------------- */

/* The application sends to all between a client's HELLO and its reading
 * the WELCOME (a join, then a resume): the client takes the WELCOME first
 * and then the message (the APP went out on the control queue ahead of the
 * WELCOME, and a client in HELLO closed the connection: PROTOCOL). */
static int test_appwelcome(void) {
  static room R;
  room *r = &R;
  room_init(r, 10);
  CHECK(room_start(r));
  peer *a = peer_new(r, "ok"), *b = peer_new(r, "ok");
  peer_connect(a);
  steps(r, 4);
  CHECK(peer_ok(a));
  for (int round = 0; round < 2; round++) { /* b joins; then b resumes */
    if (round) {
      peer_cut(b);
      steps(r, 2);
    }
    peer_connect(b);
    up(b); /* the server has its HELLO: its WELCOME is queued */
    CHECK_EQ_U64(r->n_sev[round ? SYNK_NET_EV_RESUMED : SYNK_NET_EV_JOINED], round ? 1 : 2);
    size_t sent = 0;
    CHECK_ST(synk_server_send(r->s, SYNK_NET_TO_ALL, NULL, 0, "hi", 2, &sent), SYNK_OK);
    CHECK_EQ_U64(sent, 2);
    size_t len = 0;
    CHECK_ST(synk_server_poll(r->s, b->conn, buf, sizeof buf, &len, r->now), SYNK_OK);
    CHECK(len > 0 && buf[0] == TN_WELCOME);
    CHECK_ST(synk_client_receive(b->c, buf, len, r->now), SYNK_OK);
    down(b); /* the APP, then its snapshot or repair */
    CHECK(synk_client_get_state(b->c) != SYNK_CLIENT_CLOSED);
    CHECK_EQ_U64(b->n_ev[SYNK_CLIENT_EV_CLOSED], 0);
    CHECK_EQ_U64(b->n_ev[SYNK_CLIENT_EV_APP], (uint64_t)round + 1);
    steps(r, 4);
    CHECK(peer_ok(a) && peer_ok(b));
  }
  CHECK_EQ_U64(a->n_ev[SYNK_CLIENT_EV_APP], 2);
  room_free(r);
  return t_done("net_abuse_appwelcome");
}

/* ---- refused payloads and messages ------------------------------------------------ */

/* What a client's world shows: its frame, hash (predictions included),
 * confirmed hash and count. */
typedef struct seen {
  uint64_t frame, hash, confirmed, count;
} seen;

static seen seen_of(const peer *p) {
  const synk_world *w = synk_client_world(p->c);
  seen s = {synk_client_frame(p->c), synk_hash(w), synk_client_confirmed_hash(p->c), synk_count(w)};
  CHECK_EQ_U64(synk_rehash(w), s.hash);
  return s;
}

static void check_seen(const peer *p, const seen *was) {
  seen now = seen_of(p);
  CHECK_EQ_U64(now.frame, was->frame);
  CHECK_EQ_U64(now.hash, was->hash);
  CHECK_EQ_U64(now.confirmed, was->confirmed);
  CHECK_EQ_U64(now.count, was->count);
}

/* A live client (predicting or not) of a fresh room; predicting, with one
 * command predicted (a motion of its first entity) that the server has not
 * seen yet. */
static peer *live_client(room *r, uint64_t seed, int predict) {
  room_init(r, seed);
  r->cc.predict = predict;
  CHECK(room_start(r));
  peer *a = peer_new(r, "ok");
  peer_connect(a);
  steps(r, 6);
  CHECK(peer_ok(a));
  if (predict) {
    synk_view v = synk_get_view(synk_client_world(a->c));
    uint32_t id = 0;
    while (id < v.capacity && !((v.alive[id / 64] >> (id % 64)) & 1u)) id++;
    synk_event mv = {SYNK_EV_MOTION, id, 0, 3, -2, 0};
    uint64_t h0 = synk_hash(synk_client_world(a->c));
    CHECK_ST(synk_client_command(a->c, "a", 1, &mv, 1, NULL), SYNK_OK);
    CHECK(synk_hash(synk_client_world(a->c)) != h0); /* predicted */
  }
  return a;
}

/* The client asked for a snapshot `n` times (a SYNC without chunk sums),
 * which the server sends: it is live again. */
static void resynced(peer *a, int n) {
  int syncs = 0;
  size_t len = 0;
  while (synk_client_poll(a->c, buf, sizeof buf, &len, a->r->now) == SYNK_OK && len) {
    tn_parse(buf, len, saw_sync, &syncs);
    synk_server_receive(a->r->s, a->conn, buf, len, a->r->now);
  }
  CHECK_EQ_U64(syncs, n);
  steps(a->r, 6);
  CHECK(peer_ok(a));
}

/* A REPLAY whose one piece (a tick) applies but whose hash is wrong is
 * refused with the world as it was, predicting or not (the world kept the
 * replayed tick). */
static int test_replay(void) {
  for (int predict = 0; predict < 2; predict++) {
    static room R;
    room *r = &R;
    peer *a = live_client(r, 11, predict);
    seen was = seen_of(a);
    static tn_buf pay;
    pay.n = 0;
    tn_u64(&pay, was.frame); /* base */
    tn_u32(&pay, 1);
    tn_u32(&pay, 1);
    tn_u8(&pay, 4); /* a piece that only ticks */
    CHECK_ST(hostile_bulk(a, 3, &pay, was.frame + 1, 0x1234), SYNK_OK);
    check_seen(a, &was);
    resynced(a, 1);
    room_free(r);
  }
  return t_done("net_abuse_replay");
}

/* A TICK whose second piece's length runs past the message is refused as
 * malformed (SYNK_E_FORMAT, CLOSED) with the world as it was, predicting or
 * not (the client had undone its predictions and applied the first piece). */
static int test_tickformat(void) {
  for (int predict = 0; predict < 2; predict++) {
    static room R;
    room *r = &R;
    peer *a = live_client(r, 12, predict);
    seen was = seen_of(a);
    static tn_buf body, f;
    body.n = f.n = 0;
    tn_u8(&body, (uint32_t)(was.frame + 2) & 0xFF);
    tn_var(&body, 3);
    tn_var(&body, 1);
    tn_u8(&body, 4); /* a tick */
    tn_var(&body, 200); /* more than the message holds */
    tn_u8(&body, 4);
    tn_frame(&f, TN_TICK, body.b, body.n);
    CHECK_ST(synk_client_receive(a->c, f.b, f.n, r->now), SYNK_E_FORMAT);
    CHECK(synk_client_get_state(a->c) == SYNK_CLIENT_CLOSED);
    CHECK_EQ_U64(synk_client_reason(a->c), SYNK_NET_R_PROTOCOL);
    check_seen(a, &was);
    room_free(r);
  }
  return t_done("net_abuse_tickformat");
}

/* Payloads refused before the client undid its predictions -- a REPAIR and
 * a REPLAY from another frame, a snapshot that does not load -- leave a
 * predicting client's world and confirmed hash as they were (the predicted
 * world was saved as the confirmed one, its hash acked, the predictions
 * applied on it again). */
static int test_refusedpredict(void) {
  static room R;
  room *r = &R;
  peer *a = live_client(r, 13, 1);
  static tn_buf pay;
  for (int kind = 1; kind <= 3; kind++) {
    seen was = seen_of(a);
    pay.n = 0;
    tn_u64(&pay, was.frame + 1); /* a base that is not the client's frame; as a snapshot, garbage */
    tn_u64(&pay, was.frame + 1);
    tn_u64(&pay, 0);
    tn_u32(&pay, 0);
    CHECK_ST(hostile_bulk(a, (uint32_t)kind, &pay, was.frame + 1, 0x1234), SYNK_OK);
    check_seen(a, &was);
    if (kind == 3) resynced(a, 3); /* one snapshot asked for each */
  }
  room_free(r);
  return t_done("net_abuse_refusedpredict");
}

/* ---- syncfull ---------------------------------------------------------------------- */

static int test_syncfull(void) {
  static room R;
  room *r = &R;
  room_init(r, 6);
  CHECK(room_start(r));
  peer *a = peer_new(r, "ok");
  peer_connect(a);
  steps(r, 4);
  CHECK(peer_ok(a));
  static uint8_t big[1024];
  int sent = 0, small = 0;
  while (sent < 1000 && synk_client_send(a->c, big, sizeof big) == SYNK_OK) sent++;
  while (small < 1000 && synk_client_send(a->c, big, 1) == SYNK_OK) small++;
  CHECK(sent > 0 && sent < 1000 && small < 1000); /* the out queue is full: not a byte more */
  synk_server_stats s0, s1;
  synk_server_get_stats(r->s, &s0);
  uint32_t synced = a->n_ev[SYNK_CLIENT_EV_SYNCED];
  CHECK_ST(synk_client_request_sync(a->c), SYNK_OK);
  steps(r, 8);
  synk_server_get_stats(r->s, &s1);
  CHECK_EQ_U64(a->n_ev[SYNK_CLIENT_EV_SYNCED], synced + 1);
  CHECK_EQ_U64(s1.repairs + s1.snapshots, s0.repairs + s0.snapshots + 1);
  CHECK(peer_ok(a));
  room_free(r);
  return t_done("net_abuse_syncfull");
}

/* ---- stall ------------------------------------------------------------------------- */

static int test_stall(void) {
  static room R;
  room *r = &R;
  room_init(r, 7);
  r->sc.max_bulk_jobs = 1;
  r->sc.timeout_ms = 1000;
  r->sc.heartbeat_ms = 200;
  r->cc.heartbeat_ms = 200;
  CHECK(room_start(r));
  uint32_t k = raw_open(r);
  CHECK_ST(raw_hello(r, k, "ok", 0), SYNK_OK); /* its snapshot takes the job; it never reads it */
  peer *a = peer_new(r, "ok");
  peer_connect(a);
  uint32_t closes = r->n_sev[SYNK_NET_EV_CLOSE];
  for (int t = 0; t < 40; t++) { /* 2 s, the hostile connection PINGing */
    CHECK_ST(raw_send(r, k, TN_PING, NULL, 0), SYNK_OK);
    r->now += 50;
    pump(r);
  }
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_CLOSE] - closes, 1);
  CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_CLOSE].conn, k);
  CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_CLOSE].reason, SYNK_NET_R_TIMEOUT);
  steps(r, 3);
  CHECK(peer_ok(a));
  CHECK_ST(synk_server_disconnect(r->s, k, r->now), SYNK_OK);
  room_free(r);
  return t_done("net_abuse_stall");
}

/* ---- requests ---------------------------------------------------------------------- */

static int test_requests(void) {
  static room R;
  room *r = &R;
  room_init(r, 8);
  r->sc.view_request = view_request_fn;
  r->sc.max_view_cells = 256;
  CHECK(room_start(r));
  uint32_t k = raw_open(r);
  CHECK_ST(raw_hello(r, k, "ok", 0), SYNK_OK);
  tn_got g;
  raw_drain(r, k, &g);
  /* ten VIEWs in one tick: four are handled */
  static tn_buf views, body;
  views.n = 0;
  for (uint32_t i = 0; i < 10; i++) {
    body.n = 0;
    tn_u8(&body, 0);
    tn_u64(&body, 0);
    tn_u32(&body, 1);
    tn_u32(&body, i);
    tn_u32(&body, 0);
    tn_frame(&views, TN_VIEW, body.b, body.n);
  }
  CHECK_ST(synk_server_receive(r->s, k, views.b, views.n, r->now), SYNK_OK);
  raw_drain(r, k, &g);
  CHECK_EQ_U64(r->view_calls, 4);
  CHECK_EQ_U64(count_type(&g, TN_VIEWRES, 0), 4);
  CHECK_EQ_U64(count_type(&g, TN_VIEWRES, SYNK_NET_R_OVERFLOW), 6);
  /* the next tick: ten SYNCs, each payload taken before the next is sent:
     four snapshots now, one more after the next tick */
  r->now += TICK;
  CHECK_ST(synk_server_tick(r->s, r->now), SYNK_OK);
  raw_drain(r, k, NULL);
  uint32_t snaps0 = r->n_sev[SYNK_NET_EV_REPAIR];
  uint8_t sync[20] = {0};
  for (int i = 0; i < 10; i++) {
    CHECK_ST(raw_send(r, k, TN_SYNC, sync, sizeof sync), SYNK_OK);
    raw_drain(r, k, NULL);
    synk_server_service(r->s, r->now);
  }
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_REPAIR] - snaps0, 4);
  r->now += TICK;
  CHECK_ST(synk_server_tick(r->s, r->now), SYNK_OK);
  raw_drain(r, k, &g);
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_REPAIR] - snaps0, 5);
  CHECK_EQ_U64(r->last_sev[SYNK_NET_EV_REPAIR].reason, 1); /* a snapshot */
  CHECK_EQ_U64(r->n_sev[SYNK_NET_EV_CLOSE], 0);
  CHECK_ST(synk_server_disconnect(r->s, k, r->now), SYNK_OK);

  /* a view's cells in any order, with repeats, make one group */
  r->view_all = 0;
  peer *a = peer_new(r, "ok"), *b = peer_new(r, "ok");
  peer_connect(a);
  peer_connect(b);
  steps(r, 3);
  uint32_t up_cells[100], down_cells[256];
  for (uint32_t i = 0; i < 100; i++) up_cells[i] = 20 + i;
  for (uint32_t i = 0; i < 200; i++) down_cells[i] = 20 + 99 - i / 2; /* 119, 119, 118, 118, ... */
  synk_net_view va, vb;
  memset(&va, 0, sizeof va);
  memset(&vb, 0, sizeof vb);
  va.cells = up_cells;
  va.n_cells = 100;
  vb.cells = down_cells;
  vb.n_cells = 200;
  synk_server_stats s0, s1;
  CHECK_ST(synk_server_set_view(r->s, synk_client_id(a->c), &va), SYNK_OK);
  synk_server_get_stats(r->s, &s0);
  CHECK_ST(synk_server_set_view(r->s, synk_client_id(b->c), &vb), SYNK_OK);
  synk_server_get_stats(r->s, &s1);
  CHECK_EQ_U64(s1.groups, s0.groups - 1); /* b joined a's group, their empty one is gone */
  steps(r, 4);
  CHECK(peer_ok(a) && peer_ok(b));
  CHECK_EQ_U64(synk_hash(synk_client_world(a->c)), tn_view_hash(r->w, &r->sc.grid, &va, NULL));
  CHECK(synk_count(synk_client_world(a->c)) > 0);
  room_free(r);
  return t_done("net_abuse_requests");
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "";
  if (!strcmp(name, "evict")) return test_evict();
  if (!strcmp(name, "repair")) return test_repair();
  if (!strcmp(name, "results")) return test_results();
  if (!strcmp(name, "bulkleak")) return test_bulkleak();
  if (!strcmp(name, "token")) return test_token();
  if (!strcmp(name, "token0")) return test_token0();
  if (!strcmp(name, "appwelcome")) return test_appwelcome();
  if (!strcmp(name, "replay")) return test_replay();
  if (!strcmp(name, "tickformat")) return test_tickformat();
  if (!strcmp(name, "refusedpredict")) return test_refusedpredict();
  if (!strcmp(name, "syncfull")) return test_syncfull();
  if (!strcmp(name, "stall")) return test_stall();
  if (!strcmp(name, "requests")) return test_requests();
  fprintf(stderr, "usage: test_net_abuse evict|repair|results|bulkleak|token|token0|appwelcome|replay|tickformat|"
                  "refusedpredict|syncfull|stall|requests\n");
  return 2;
}
