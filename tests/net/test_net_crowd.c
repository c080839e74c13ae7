/* SPDX-License-Identifier: MIT */
/*
 * The big one (issue 10, item 9): N clients (200) with random grid views
 * join at random times, move their views, drop and reconnect, over T ticks
 * (20 000) of a crowd world of E entities (1e4) spread over a square, 10%
 * of them moving every tick by small deltas, a few spawning, despawning and
 * changing a property. Everything goes over the simulated transport
 * (support/msgnet.h) with latency, jitter and random disconnects; reconnects
 * come back inside or outside the grace period.
 *
 * Checked, independently of the server's own bookkeeping:
 *  - after every frame a client applies (its SYNCED and TICK events), its
 *    world hash equals the hash the server gave for that client's view at
 *    that frame (recorded by the test after every tick from
 *    synk_server_view_hash), and the event's hash is its world's;
 *  - whenever a client is caught up (LIVE at the server's frame, after a
 *    pump: with latency 0, or at the barriers), its world hash equals
 *    synk_server_view_hash now;
 *  - at barriers (every --barrier ticks, and at the end) the network is
 *    drained (then one more tick, so that the commands that were in flight
 *    are ticked, and drained again) and, for every client and every slot,
 *    synk_server_view_hash ==
 *    synk_server_view_rehash == the hash this test computes from the world
 *    and the view's definition, and every connected client equals it;
 *  - some clients' worlds are corrupted on purpose (synk_client_world_mut):
 *    every mismatch the server reports (SYNK_NET_EV_DESYNC) is one of them,
 *    stats.mismatches counts exactly those reports, and every corrupted
 *    client is repaired (its hash matches the server's view again);
 *  - the first --predictors clients (8) send a command every 8 ticks that
 *    moves their own avatar (validated by the server), predicted at once:
 *    their confirmed worlds are checked as above, every command is accepted,
 *    and at the end no prediction is left (world == confirmed world);
 *  - no protocol error, no client closed for good, no transport error, the
 *    server allocates nothing after create, and the counters show snapshots,
 *    repairs (reconnects inside the grace period) and verified acks.
 *
 * Usage: test_net_crowd [--clients N] [--entities E] [--ticks T] [--seed S]
 *          [--latency MS] [--jitter MS] [--drop-ppm P] [--grace MS]
 *          [--corrupt-every K] [--barrier K] [--stall-every K] [--queue BYTES]
 *          [--channel BYTES] [--predictors N]
 *          [--view-order mixed|before|after|tick] [--quiet]
 *
 * --stall-every K: every K ticks a random client stops reading for 0.2-1.5 s
 * (its backlog fills the channel, then the server's queue of --queue bytes,
 * and the server moves it to catch-up).
 *
 * View changes happen before the tick's world changes, after them, or after
 * the tick (all legal: synk_server_set_view may come anywhere, even between
 * synk_server_apply and synk_server_tick); --view-order picks one place for
 * all (default: mixed). Note that the clients' commands are applied by the
 * server while it receives them, i.e. before the next tick's view changes.
 */
#include "net_util.h"

#define HIST 512u  /* frames of expected view hashes kept per slot */
#define TICK_MS 16u
#define SIDE 2048  /* the square: 16 x 16 cells of 128 */
#define NONE32 UINT32_MAX

typedef struct crowd_cfg {
  uint32_t clients, entities, ticks;
  uint64_t seed;
  uint32_t latency, jitter, drop_ppm, grace, corrupt_every, barrier, stall_every, queue, channel, predictors;
  int quiet;
  int view_order; /* 0 mixed, 1 before the world's changes, 2 after them, 3 after the tick */
} crowd_cfg;

typedef struct lstate {
  uint32_t sid;             /* server client id, or NONE32 */
  int join_welcomed;        /* the client got the WELCOME of its slot's JOINED */
  int joined_new;           /* its last connection JOINED (1) or RESUMED (0) */
  int all;                  /* sees the whole world */
  uint32_t cx, cy, w, h;    /* rectangle of cells */
  uint64_t kmask;
  uint32_t ids[3], n_ids;
  uint32_t join_tick;
  int predicting;           /* sends commands with predictions (its world = confirmed + predicted) */
  int corrupt;              /* corrupted, not yet seen repaired */
  uint64_t corrupt_tick;    /* the last corruption (0: never) */
} lstate;

typedef struct rec {
  uint32_t link, sid, type;
  uint64_t frame, ev_hash, world_hash, world_frame;
} rec;

#define MAX_RECS (1u << 16)

typedef struct crowd {
  crowd_cfg c;
  tn h;
  t_rng rng;
  lstate *ls;
  uint32_t *sid_link;       /* [max_clients] */
  uint64_t *no_record;      /* [max_clients] a frame whose expected hash is unknown (a view moved in it) */
  uint64_t *exp_frame, *exp_hash; /* [max_clients][HIST] */
  uint32_t max_clients;
  /* the world's entities */
  uint32_t *alive, nalive, *pos; /* dense list of live ids, pos[id] its index or NONE32 */
  rec *recs;
  uint32_t nrecs, rec_overflow;
  /* tallies */
  uint64_t checked, skipped, caught_up_checks, barrier_checks;
  uint64_t desync_expected, desync_unexpected, corruptions, repaired;
  uint64_t joined, resumed, dropped, bad_drop, closes_bad, resume_wrong_slot, view_errors;
  uint64_t set_views;
  uint32_t avatar0, spawn_cap; /* avatars: ids avatar0 + link of the predicting links; spawns below spawn_cap */
  uint64_t results_lost, results_forgotten, commands, command_space, results_ok, results_bad;
  uint64_t heap_allocs_after_create;
} crowd;

static crowd *G_;

/* ---- views ------------------------------------------------------------------------ */

static void view_of(const crowd *k, uint32_t link, synk_net_view *v, uint32_t *cells) {
  const lstate *l = &k->ls[link];
  memset(v, 0, sizeof *v);
  v->all = l->all;
  v->kind_mask = l->kmask;
  uint32_t n = 0;
  if (!l->all)
    for (uint32_t y = l->cy; y < l->cy + l->h; y++)
      for (uint32_t x = l->cx; x < l->cx + l->w; x++) cells[n++] = y * 16 + x;
  v->cells = cells;
  v->n_cells = n;
  v->ids = l->ids;
  v->n_ids = l->n_ids;
}

/* a random view: 30% one of 8 popular rectangles (shared view groups), else
 * a random rectangle of 1..4 x 1..4 cells; some with a kind mask, some with ids */
static void random_view(crowd *k, uint32_t link) {
  lstate *l = &k->ls[link];
  if (l->all) return;
  if (t_below(&k->rng, 10) < 3) {
    uint32_t p = t_below(&k->rng, 8);
    l->cx = (p * 5) % 13;
    l->cy = (p * 3) % 13;
    l->w = l->h = 3;
    l->kmask = 0;
    l->n_ids = 0;
    return;
  }
  l->w = 1 + t_below(&k->rng, 4);
  l->h = 1 + t_below(&k->rng, 4);
  l->cx = t_below(&k->rng, 16 - l->w + 1);
  l->cy = t_below(&k->rng, 16 - l->h + 1);
  l->kmask = t_below(&k->rng, 10) < 3 ? (uint64_t)(1 + t_below(&k->rng, 15)) : 0;
  l->n_ids = t_below(&k->rng, 10) < 2 ? 1 + t_below(&k->rng, 3) : 0;
  for (uint32_t i = 0; i < l->n_ids; i++) l->ids[i] = t_below(&k->rng, k->c.entities);
}

/* a nearby view: the rectangle shifted by one cell */
static void shift_view(crowd *k, uint32_t link) {
  lstate *l = &k->ls[link];
  if (l->all) return;
  int dx = (int)t_below(&k->rng, 3) - 1, dy = (int)t_below(&k->rng, 3) - 1;
  int nx = (int)l->cx + dx, ny = (int)l->cy + dy;
  if (nx >= 0 && nx + (int)l->w <= 16) l->cx = (uint32_t)nx;
  if (ny >= 0 && ny + (int)l->h <= 16) l->cy = (uint32_t)ny;
}

static void apply_view(crowd *k, uint32_t link, int moved);

/* one random client's view moves (mostly a small shift) */
static void move_view(crowd *k) {
  uint32_t i = t_below(&k->rng, k->c.clients);
  if (k->ls[i].sid == NONE32 || k->ls[i].all) return;
  if (t_below(&k->rng, 4) == 0)
    random_view(k, i);
  else
    shift_view(k, i);
  apply_view(k, i, 1);
}

static void invalidate_exp(crowd *k, uint32_t sid, uint64_t frame) {
  k->exp_frame[(size_t)sid * HIST + frame % HIST] = UINT64_MAX;
}

static void apply_view(crowd *k, uint32_t link, int moved) {
  uint32_t cells[64];
  synk_net_view v;
  view_of(k, link, &v, cells);
  uint32_t sid = k->ls[link].sid;
  synk_status st = synk_server_set_view(k->h.s, sid, &v);
  if (st != SYNK_OK) {
    k->view_errors++;
    fprintf(stderr, "set_view(client %u) returned %s\n", sid, synk_status_str(st));
  }
  k->set_views++;
  /* a view change shows at the client as a piece without a tick: at the
     current frame the client's world is first the old view's, then the new
     one's; that frame is not checked (and, for a move, not recorded either) */
  invalidate_exp(k, sid, synk_frame(k->h.w));
  if (moved) k->no_record[sid] = synk_frame(k->h.w);
}

/* ---- callbacks ---------------------------------------------------------------------- */

static void server_hook(tn *h, const synk_net_event *ev) {
  crowd *k = G_;
  (void)h;
  switch (ev->type) {
  case SYNK_NET_EV_JOINED: {
    uint32_t link = msgnet_link_of_conn(k->h.net, ev->conn);
    if (link == MSGNET_NONE || ev->client >= k->max_clients) {
      k->closes_bad++;
      return;
    }
    k->joined++;
    if (k->ls[link].sid != NONE32 && k->ls[link].sid != ev->client) {
      /* it came back as a new client while its old slot is in grace: right
         only if it never got that slot's WELCOME (no resume token for it) */
      if (k->ls[link].join_welcomed) {
        k->resume_wrong_slot++;
        fprintf(stderr, "link %u joined as client %u while its slot %u is held\n", link, ev->client, k->ls[link].sid);
      }
      k->sid_link[k->ls[link].sid] = NONE32; /* the orphan slot expires unwatched */
    }
    k->ls[link].sid = ev->client;
    k->ls[link].join_welcomed = 0; /* its WELCOME (with the resume token) is on the way */
    k->ls[link].joined_new = 1;
    k->sid_link[ev->client] = link;
    for (uint32_t f = 0; f < HIST; f++) k->exp_frame[(size_t)ev->client * HIST + f] = UINT64_MAX;
    apply_view(k, link, 0); /* its snapshot comes with the new view: the frame is recorded */
    break;
  }
  case SYNK_NET_EV_RESUMED: {
    uint32_t link = msgnet_link_of_conn(k->h.net, ev->conn);
    k->resumed++;
    if (link != MSGNET_NONE) k->ls[link].joined_new = 0;
    if (link == MSGNET_NONE || k->ls[link].sid != ev->client) {
      k->resume_wrong_slot++;
      fprintf(stderr, "link %d resumed client %u, its slot is %u\n", link == MSGNET_NONE ? -1 : (int)link, ev->client,
              link == MSGNET_NONE ? NONE32 : k->ls[link].sid);
    }
    break;
  }
  case SYNK_NET_EV_DROPPED: {
    k->dropped++;
    if (ev->reason != SYNK_NET_R_EXPIRED) k->bad_drop++;
    if (ev->client < k->max_clients && k->sid_link[ev->client] != NONE32) {
      uint32_t link = k->sid_link[ev->client];
      if (k->ls[link].sid == ev->client) k->ls[link].sid = NONE32;
      k->sid_link[ev->client] = NONE32;
    }
    break;
  }
  case SYNK_NET_EV_DESYNC: {
    uint32_t link = ev->client < k->max_clients ? k->sid_link[ev->client] : NONE32;
    if (link != NONE32 && k->ls[link].corrupt_tick) {
      k->desync_expected++;
    } else {
      k->desync_unexpected++;
      fprintf(stderr, "unexpected DESYNC: client %u (link %d) frame %" PRIu64 " hash %016" PRIx64
              " expected %016" PRIx64 "\n", ev->client, link == NONE32 ? -1 : (int)link, ev->frame, ev->hash,
              ev->expected);
    }
    break;
  }
  case SYNK_NET_EV_CLOSE:
    if (ev->reason != SYNK_NET_R_SHUTDOWN) {
      k->closes_bad++;
      fprintf(stderr, "server closed connection %u: %s\n", ev->conn, synk_net_reason_str(ev->reason));
    }
    break;
  default: break;
  }
}

static void client_hook(tn_cl *c, const synk_client_event *ev) {
  crowd *k = G_;
  /* a WELCOME always answers the link's last JOINED or RESUMED (older
     connections' messages are lost): after a JOINED's, it holds the token */
  if (ev->type == SYNK_CLIENT_EV_WELCOME) k->ls[c->i].join_welcomed = 1;
  if (ev->type == SYNK_CLIENT_EV_RESULT) {
    if (ev->reason == 0)
      k->results_ok++;
    else if (ev->reason == SYNK_NET_R_SHUTDOWN)
      k->results_lost++; /* in flight when its connection broke: never reached the server */
    else if (ev->reason == SYNK_NET_R_FORGOTTEN && k->ls[c->i].joined_new)
      k->results_forgotten++; /* it came back as a new client: its old slot's outcomes are gone */
    else {
      k->results_bad++;
      fprintf(stderr, "link %u: command %" PRIu64 " rejected: %s\n", c->i, ev->value, synk_net_reason_str(ev->reason));
    }
  }
  if (ev->type != SYNK_CLIENT_EV_TICK && ev->type != SYNK_CLIENT_EV_SYNCED) return;
  if (k->nrecs >= MAX_RECS) {
    k->rec_overflow++;
    return;
  }
  const synk_world *w = synk_client_world(c->c);
  rec *r = &k->recs[k->nrecs++];
  r->link = c->i;
  r->sid = synk_client_id(c->c);
  r->type = ev->type;
  r->frame = ev->frame;
  r->ev_hash = ev->hash;
  r->world_hash = synk_hash(w);
  r->world_frame = synk_frame(w);
}

/* commands: [u32 avatar id][i8 dx][i8 dy]; a client may move its own avatar only */
static uint32_t validate_avatar(void *ctx, uint32_t client, const void *cmd, size_t len, synk_event *out, size_t cap,
                                size_t *n) {
  crowd *k = G_;
  const uint8_t *b = (const uint8_t *)cmd;
  (void)ctx;
  if (len != 6 || cap < 1 || client >= k->max_clients) return SYNK_NET_R_APP + 1;
  uint32_t link = k->sid_link[client], id = tn_le32(b);
  if (link == NONE32 || id != k->avatar0 + link) return SYNK_NET_R_APP + 2;
  synk_event e = {SYNK_EV_MOTION, id, 0, (int8_t)b[4], (int8_t)b[5], 0};
  out[0] = e;
  *n = 1;
  return 0;
}

/* ---- the world's changes --------------------------------------------------------------- */

static void alive_add(crowd *k, uint32_t id) {
  k->pos[id] = k->nalive;
  k->alive[k->nalive++] = id;
}
static void alive_del(crowd *k, uint32_t id) {
  uint32_t p = k->pos[id], last = k->alive[--k->nalive];
  k->alive[p] = last;
  k->pos[last] = p;
  k->pos[id] = NONE32;
}

static int world_step(crowd *k) {
  synk_event ev[64];
  size_t n = 0;
  /* 3 despawns, 3 spawns, 10 property changes */
  for (int i = 0; i < 3 && k->nalive > 1; i++) {
    uint32_t id = k->alive[t_below(&k->rng, k->nalive)];
    synk_event e = {SYNK_EV_DESPAWN, id, 0, 0, 0, 0};
    ev[n++] = e;
    alive_del(k, id);
  }
  for (int i = 0; i < 3; i++) {
    uint32_t id = t_below(&k->rng, k->spawn_cap);
    if (k->pos[id] != NONE32) continue;
    int was_despawned = 0;
    for (size_t j = 0; j < n; j++) was_despawned |= ev[j].id == id;
    if (was_despawned) continue;
    /* one draw per statement: an initializer list's order is not specified */
    uint32_t kind = t_below(&k->rng, 4);
    int32_t x = (int32_t)t_below(&k->rng, SIDE), y = (int32_t)t_below(&k->rng, SIDE);
    synk_event e = {SYNK_EV_SPAWN, id, kind, x, y, 0};
    ev[n++] = e;
    alive_add(k, id);
  }
  for (int i = 0; i < 10 && k->nalive; i++) {
    uint32_t id = k->alive[t_below(&k->rng, k->nalive)];
    uint32_t slot = t_below(&k->rng, 2);
    synk_event e = {SYNK_EV_PROP, id, slot, (int32_t)t_below(&k->rng, 100), 0, 0};
    ev[n++] = e;
  }
  size_t bad = 0;
  synk_status st = synk_server_apply(k->h.s, ev, n, &bad);
  if (st != SYNK_OK) {
    fprintf(stderr, "synk_server_apply(events) returned %s at %zu\n", synk_status_str(st), bad);
    return 0;
  }
  /* 10% of the crowd moves by small deltas, reflected at the square's edges */
  static synk_event mv[1 << 16];
  size_t m = 0, want = k->nalive / 10;
  synk_view v = synk_get_view(k->h.w);
  for (size_t i = 0; i < want && m < sizeof mv / sizeof mv[0]; i++) {
    uint32_t id = k->alive[t_below(&k->rng, k->nalive)];
    int32_t dx = (int32_t)t_below(&k->rng, 7) - 3, dy = (int32_t)t_below(&k->rng, 7) - 3;
    if (v.x[id] + dx < 0 || v.x[id] + dx >= SIDE) dx = -dx;
    if (v.y[id] + dy < 0 || v.y[id] + dy >= SIDE) dy = -dy;
    synk_event e = {SYNK_EV_MOTION, id, 0, dx, dy, 0};
    mv[m++] = e;
  }
  st = synk_server_apply(k->h.s, mv, m, &bad);
  if (st != SYNK_OK) {
    fprintf(stderr, "synk_server_apply(motions) returned %s at %zu\n", synk_status_str(st), bad);
    return 0;
  }
  return 1;
}

/* ---- checks ----------------------------------------------------------------------------------- */

static void record_expected(crowd *k) {
  uint64_t f = synk_frame(k->h.w);
  for (uint32_t sid = 0; sid < k->max_clients; sid++) {
    if (k->sid_link[sid] == NONE32) continue;
    uint64_t vh;
    if (synk_server_view_hash(k->h.s, sid, &vh) != SYNK_OK) continue;
    size_t i = (size_t)sid * HIST + f % HIST;
    if (k->no_record[sid] == f) continue;
    k->exp_frame[i] = f;
    k->exp_hash[i] = vh;
  }
}

static int exp_lookup(const crowd *k, uint32_t sid, uint64_t frame, uint64_t *hash) {
  size_t i = (size_t)sid * HIST + frame % HIST;
  if (k->exp_frame[i] != frame) return 0;
  *hash = k->exp_hash[i];
  return 1;
}

static void check_records(crowd *k) {
  for (uint32_t i = 0; i < k->nrecs; i++) {
    const rec *r = &k->recs[i];
    lstate *l = &k->ls[r->link];
    CHECK(r->world_frame == r->frame);
    if (!l->predicting) CHECK(r->world_hash == r->ev_hash); /* no prediction: world == confirmed */
    uint64_t got = l->predicting ? r->ev_hash : r->world_hash, want;
    if (r->sid >= k->max_clients || !exp_lookup(k, r->sid, r->frame, &want)) {
      k->skipped++;
      continue;
    }
    if (l->corrupt) {
      if (got == want) {
        l->corrupt = 0;
        k->repaired++;
      }
      continue;
    }
    k->checked++;
    if (got != want) {
      CHECK_EQ_U64(got, want);
      fprintf(stderr, "  link %u client %u %s frame %" PRIu64 "\n", r->link, r->sid,
              r->type == SYNK_CLIENT_EV_TICK ? "TICK" : "SYNCED", r->frame);
    }
  }
  k->nrecs = 0;
}

static void check_caught_up(crowd *k) {
  uint64_t f = synk_frame(k->h.w);
  for (uint32_t i = 0; i < k->c.clients; i++) {
    synk_client *c = k->h.cl[i].c;
    lstate *l = &k->ls[i];
    if (l->corrupt || l->sid == NONE32 || synk_client_get_state(c) != SYNK_CLIENT_LIVE) continue;
    if (synk_client_frame(c) != f || synk_client_id(c) != l->sid) continue;
    uint64_t vh = 0;
    CHECK_ST(synk_server_view_hash(k->h.s, l->sid, &vh), SYNK_OK);
    k->caught_up_checks++;
    uint64_t got = l->predicting ? synk_client_confirmed_hash(c) : synk_hash(synk_client_world(c));
    if (got != vh) {
      CHECK_EQ_U64(got, vh);
      fprintf(stderr, "  caught-up link %u client %u frame %" PRIu64 "\n", i, l->sid, f);
    }
  }
}

/* drain the network without ticking, then check every view three ways */
static void barrier(crowd *k) {
  msgnet_set_faults(k->h.net, 0, k->c.latency, k->c.jitter); /* no disconnects while draining */
  int settled = tn_settle(&k->h, TICK_MS, 2000);
  /* the commands that were in flight are applied now: one more tick shows
     them (view hashes are compared with the world below, after a tick) */
  k->h.now += TICK_MS;
  CHECK_ST(synk_server_tick(k->h.s, k->h.now), SYNK_OK);
  record_expected(k);
  settled = tn_settle(&k->h, TICK_MS, 2000) && settled;
  msgnet_set_faults(k->h.net, k->c.drop_ppm, k->c.latency, k->c.jitter);
  check_records(k);
  if (!settled) {
    CHECK(settled);
    for (uint32_t i = 0; i < k->c.clients; i++) {
      msgnet_link_info li;
      msgnet_link_info_get(k->h.net, i, &li);
      if (li.state == MSGNET_UP && (synk_client_get_state(k->h.cl[i].c) != SYNK_CLIENT_LIVE ||
                                    synk_client_frame(k->h.cl[i].c) != synk_frame(k->h.w)))
        fprintf(stderr, "  unsettled link %u: state %d frame %" PRIu64 " / %" PRIu64 "\n", i,
                (int)synk_client_get_state(k->h.cl[i].c), synk_client_frame(k->h.cl[i].c), synk_frame(k->h.w));
    }
  }
  for (uint32_t sid = 0; sid < k->max_clients; sid++) {
    uint32_t link = k->sid_link[sid];
    if (link == NONE32) continue;
    uint64_t vh = 0, rh = 0;
    CHECK_ST(synk_server_view_hash(k->h.s, sid, &vh), SYNK_OK);
    CHECK_ST(synk_server_view_rehash(k->h.s, sid, &rh), SYNK_OK);
    uint32_t cells[64];
    synk_net_view v;
    view_of(k, link, &v, cells);
    uint64_t mine = tn_view_hash(k->h.w, &k->h.sc.grid, &v, NULL);
    CHECK_EQ_U64(vh, rh);
    CHECK_EQ_U64(vh, mine);
    k->barrier_checks++;
    synk_client *c = k->h.cl[link].c;
    msgnet_link_info li;
    msgnet_link_info_get(k->h.net, link, &li);
    if (li.state == MSGNET_UP && !k->ls[link].corrupt && synk_client_get_state(c) == SYNK_CLIENT_LIVE &&
        synk_client_id(c) == sid) {
      const synk_world *cw = synk_client_world(c);
      CHECK_EQ_U64(k->ls[link].predicting ? synk_client_confirmed_hash(c) : synk_hash(cw), vh);
      CHECK_EQ_U64(synk_rehash(cw), synk_hash(cw));
    }
  }
}

/* corrupt one live client's world: move one of its entities */
static void corrupt_one(crowd *k, uint64_t tick) {
  for (int tries = 0; tries < 20; tries++) {
    uint32_t i = t_below(&k->rng, k->c.clients);
    lstate *l = &k->ls[i];
    synk_client *c = k->h.cl[i].c;
    if (l->corrupt || l->predicting || l->sid == NONE32 || synk_client_get_state(c) != SYNK_CLIENT_LIVE) continue;
    synk_world *w = synk_client_world_mut(c);
    if (!w || synk_count(w) == 0) continue;
    synk_view v = synk_get_view(w);
    uint32_t start = t_below(&k->rng, v.capacity);
    for (uint32_t j = 0; j < v.capacity; j++) {
      uint32_t id = (start + j) % v.capacity;
      if ((v.alive[id / 64] >> (id % 64)) & 1u) {
        synk_move(w, id, 1, 0, 0);
        l->corrupt = 1;
        l->corrupt_tick = tick;
        k->corruptions++;
        return;
      }
    }
  }
}

/* ---- main ------------------------------------------------------------------------------------------ */

static uint32_t arg_u32(int argc, char **argv, const char *name, uint32_t def) {
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], name)) return (uint32_t)strtoul(argv[i + 1], NULL, 0);
  return def;
}

int main(int argc, char **argv) {
  static crowd K;
  crowd *k = &K;
  G_ = k;
  k->c.clients = arg_u32(argc, argv, "--clients", 200);
  k->c.entities = arg_u32(argc, argv, "--entities", 10000);
  k->c.ticks = arg_u32(argc, argv, "--ticks", 20000);
  k->c.seed = arg_u32(argc, argv, "--seed", 1);
  k->c.latency = arg_u32(argc, argv, "--latency", 5);
  k->c.jitter = arg_u32(argc, argv, "--jitter", 25);
  k->c.drop_ppm = arg_u32(argc, argv, "--drop-ppm", 20);
  k->c.grace = arg_u32(argc, argv, "--grace", 2000);
  k->c.stall_every = arg_u32(argc, argv, "--stall-every", 0);
  k->c.queue = arg_u32(argc, argv, "--queue", 1 << 16);
  k->c.channel = arg_u32(argc, argv, "--channel", 0);
  k->c.predictors = arg_u32(argc, argv, "--predictors", 8);
  /* defaults scale down with short runs: a few corruptions and barriers in any run */
  k->c.corrupt_every = arg_u32(argc, argv, "--corrupt-every", k->c.ticks >= 6000 ? 997 : k->c.ticks / 6 + 1);
  k->c.barrier = arg_u32(argc, argv, "--barrier", k->c.ticks >= 7500 ? 2500 : k->c.ticks / 3 + 1);
  for (int i = 1; i < argc; i++) {
    k->c.quiet |= !strcmp(argv[i], "--quiet");
    if (!strcmp(argv[i], "--view-order") && i + 1 < argc) {
      const char *o = argv[i + 1];
      k->c.view_order = !strcmp(o, "before") ? 1 : !strcmp(o, "after") ? 2 : !strcmp(o, "tick") ? 3 : 0;
    }
  }
  if (k->c.predictors > k->c.clients) k->c.predictors = k->c.clients;
  if (k->c.clients < 3 || k->c.entities < 100 || k->c.ticks < 100) {
    fprintf(stderr, "usage: test_net_crowd [--clients N>=3] [--entities E>=100] [--ticks T>=100] ...\n");
    return 2;
  }
  printf("test_net_crowd: %u clients, %u entities, %u ticks, seed %" PRIu64 "\n", k->c.clients, k->c.entities,
         k->c.ticks, k->c.seed);
  t_seed(&k->rng, k->c.seed);

  uint32_t max_entities = k->c.entities + k->c.entities / 4;
  synk_world *w = tn_crowd(max_entities, 2, 0xC0FFEEu, k->c.entities, SIDE, &k->rng, NULL);
  CHECK(w != NULL);
  if (!w) return t_done("test_net_crowd");
  /* the predicting clients' avatars: the last ids, never touched by the crowd's changes */
  k->avatar0 = k->spawn_cap = max_entities - k->c.predictors;
  for (uint32_t i = 0; i < k->c.predictors; i++) {
    int32_t x = 512 + (int32_t)t_below(&k->rng, 1024); /* one draw after the other (argument order is not specified) */
    CHECK_ST(synk_spawn(w, k->avatar0 + i, 7, x, 512 + (int32_t)t_below(&k->rng, 1024), 0), SYNK_OK);
  }
  tn *h = &k->h;
  tn_init(h, w);
  k->max_clients = k->c.clients + 8;
  h->sc.max_clients = k->max_clients;
  h->sc.grid.cell_size = 128;
  h->sc.grace_ms = k->c.grace;
  h->sc.queue_bytes = k->c.queue;
  h->sc.max_bulk_jobs = 4;
  h->sc.ack_interval = 10;
  h->nc.latency_ms = k->c.latency;
  h->nc.jitter_ms = k->c.jitter;
  h->nc.drop_ppm = k->c.drop_ppm;
  h->nc.reconnect_ms = 100;
  h->nc.reconnect_jitter_ms = 2 * k->c.grace; /* about half come back inside the grace period */
  h->nc.rounds = 3; /* with latency 0, a request and its answer within one pump */
  h->nc.split = 1;
  h->nc.max_message = 4096;
  h->nc.channel_bytes = k->c.channel; /* 0: msgnet's default */
  h->nc.seed = k->c.seed ^ 0xABCDu;
  h->server_hook = server_hook;
  h->client_hook = client_hook;
  h->sc.validate = validate_avatar;
  h->nc.max_links = k->c.clients;
  int started = tn_start(h, 0);
  for (uint32_t i = 0; i < k->c.clients && started; i++) {
    synk_client_config cc = h->cc;
    cc.predict = i < k->c.predictors; /* the first ones predict their commands */
    started = tn_add(h, &cc) == (int)i;
  }
  if (!started) {
    CHECK(!"tn_start");
    return t_done("test_net_crowd");
  }
  uint64_t allocs_at_create = h->server_heap.allocs;

  k->ls = (lstate *)calloc(k->c.clients, sizeof *k->ls);
  k->sid_link = (uint32_t *)malloc(sizeof(uint32_t) * k->max_clients);
  k->no_record = (uint64_t *)malloc(sizeof(uint64_t) * k->max_clients);
  k->exp_frame = (uint64_t *)malloc(sizeof(uint64_t) * k->max_clients * HIST);
  k->exp_hash = (uint64_t *)calloc((size_t)k->max_clients * HIST, sizeof(uint64_t));
  k->alive = (uint32_t *)malloc(sizeof(uint32_t) * max_entities);
  k->pos = (uint32_t *)malloc(sizeof(uint32_t) * max_entities);
  k->recs = (rec *)malloc(sizeof(rec) * MAX_RECS);
  if (!k->ls || !k->sid_link || !k->no_record || !k->exp_frame || !k->exp_hash || !k->alive || !k->pos || !k->recs) return 1;
  for (uint32_t i = 0; i < k->max_clients; i++) {
    k->sid_link[i] = NONE32;
    k->no_record[i] = UINT64_MAX;
  }
  for (size_t i = 0; i < (size_t)k->max_clients * HIST; i++) k->exp_frame[i] = UINT64_MAX;
  for (uint32_t id = 0; id < max_entities; id++) k->pos[id] = NONE32;
  for (uint32_t id = 0; id < k->c.entities; id++) alive_add(k, id);
  uint32_t join_window = k->c.ticks / 10;
  for (uint32_t i = 0; i < k->c.clients; i++) {
    k->ls[i].sid = NONE32;
    k->ls[i].all = i < 2; /* two clients see everything */
    k->ls[i].predicting = i < k->c.predictors;
    random_view(k, i);
    k->ls[i].join_tick = 1 + t_below(&k->rng, join_window);
  }

  uint64_t now = 0;
  uint32_t last_corrupt_tick = k->c.ticks > 600 ? k->c.ticks - 600 : k->c.ticks / 2;
  for (uint32_t t = 1; t <= k->c.ticks; t++) {
    now += TICK_MS;
    h->now = now;
    for (uint32_t i = 0; i < k->c.clients; i++)
      if (k->ls[i].join_tick == t) CHECK_ST(msgnet_connect(h->net, h->cl[i].link, now), SYNK_OK);
    /* about 2 view changes per tick, mostly small moves; each before the
       tick's world changes, after them, or after the tick (--view-order) */
    int when[2];
    for (int j = 0; j < 2; j++) {
      when[j] = k->c.view_order ? k->c.view_order : 1 + (int)t_below(&k->rng, 3);
      if (when[j] == 1) move_view(k);
    }
    if (!world_step(k)) {
      CHECK(!"world_step");
      break;
    }
    for (int j = 0; j < 2; j++)
      if (when[j] == 2) move_view(k);
    if (k->c.corrupt_every && t % k->c.corrupt_every == 0 && t <= last_corrupt_tick) corrupt_one(k, t);
    for (uint32_t i = 0; i < k->c.predictors && t + 100 < k->c.ticks; i++) /* a command every 8 ticks */
      if ((t + i) % 8 == 0 && synk_client_get_state(h->cl[i].c) == SYNK_CLIENT_LIVE) {
        uint32_t id = k->avatar0 + i;
        int8_t dx = (t / 8) % 2 ? 1 : -1, dy = (int8_t)(i % 3) - 1;
        uint8_t cmd[6] = {(uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16), (uint8_t)(id >> 24), (uint8_t)dx,
                          (uint8_t)dy};
        synk_event pred = {SYNK_EV_MOTION, id, 0, dx, dy, 0};
        synk_status cs = synk_client_command(h->cl[i].c, cmd, sizeof cmd, &pred, 1, NULL);
        if (cs == SYNK_OK) k->commands++;
        else if (cs == SYNK_E_SPACE) k->command_space++;
        else CHECK_ST(cs, SYNK_OK);
      }
    if (k->c.stall_every && t % k->c.stall_every == 0) { /* a client stops reading for 0.2-1.5 s */
      uint32_t who = t_below(&k->rng, k->c.clients); /* one draw after the other: the same run from every compiler */
      msgnet_stall(h->net, who, now + 200 + t_below(&k->rng, 1300));
    }
    CHECK_ST(synk_server_tick(h->s, now), SYNK_OK);
    for (int j = 0; j < 2; j++)
      if (when[j] == 3) move_view(k);
    msgnet_pump(h->net, now);
    record_expected(k);
    check_records(k);
    check_caught_up(k);
    if (k->c.barrier && t % k->c.barrier == 0) {
      barrier(k);
      now = h->now;
      record_expected(k);
    }
    if (t_failures > 50) {
      fprintf(stderr, "too many failures, stopping at tick %u\n", t);
      break;
    }
  }
  /* the end: every corrupted client had acks to be caught by; drain and check */
  for (int j = 0; j < 40; j++) {
    now += TICK_MS;
    h->now = now;
    world_step(k);
    synk_server_tick(h->s, now);
    msgnet_pump(h->net, now);
    record_expected(k);
    check_records(k);
    check_caught_up(k);
  }
  barrier(k);
  k->heap_allocs_after_create = h->server_heap.allocs - allocs_at_create;
  /* every command was settled: the predicting clients' worlds are their confirmed worlds */
  uint32_t unsettled = 0;
  for (uint32_t i = 0; i < k->c.predictors; i++) {
    msgnet_link_info li;
    msgnet_link_info_get(h->net, i, &li);
    const synk_world *cw = synk_client_world(h->cl[i].c);
    if (li.state == MSGNET_UP && cw && synk_hash(cw) != synk_client_confirmed_hash(h->cl[i].c)) unsettled++;
  }

  synk_server_stats st;
  synk_server_get_stats(h->s, &st);
  msgnet_stats ns;
  msgnet_get_stats(h->net, &ns);
  uint32_t closed_clients = 0, never_live = 0;
  for (uint32_t i = 0; i < k->c.clients; i++) {
    closed_clients += synk_client_get_state(h->cl[i].c) == SYNK_CLIENT_CLOSED;
    never_live += h->cl[i].n_ev[SYNK_CLIENT_EV_SYNCED] == 0;
  }
  if (!k->c.quiet || t_failures) {
    printf("server: ticks %" PRIu64 ", snapshots %" PRIu64 ", repairs %" PRIu64 " (%" PRIu64 " chunks), verified %"
           PRIu64 ", mismatches %" PRIu64 ", catchups %" PRIu64 ", protocol errors %" PRIu64 ", encodings %" PRIu64
           ", groups %u, tick messages %" PRIu64 ", bytes sent %" PRIu64 "\n",
           st.ticks, st.snapshots, st.repairs, st.repair_chunks, st.verified, st.mismatches, st.catchups,
           st.protocol_errors, st.encodings, st.groups, st.tick_messages, st.bytes_sent);
    printf("net: %" PRIu64 " connects, %" PRIu64 " disconnects, %" PRIu64 " server closes, %" PRIu64
           " lost messages, %" PRIu64 " errors, backpressure %" PRIu64 "\n",
           ns.connects, ns.disconnects, ns.server_closes, ns.lost_up + ns.lost_down, ns.errors, ns.backpressure);
    printf("test: %" PRIu64 " frames checked (%" PRIu64 " unrecorded), %" PRIu64 " caught-up checks, %" PRIu64
           " barrier checks, %" PRIu64 " view changes, joins %" PRIu64 ", resumes %" PRIu64 ", drops %" PRIu64
           ", corruptions %" PRIu64 " (repaired %" PRIu64 ", desyncs %" PRIu64 ")\n",
           k->checked, k->skipped, k->caught_up_checks, k->barrier_checks, k->set_views, k->joined, k->resumed,
           k->dropped, k->corruptions, k->repaired, k->desync_expected);
    printf("commands: %" PRIu64 " sent (%" PRIu64 " refused: too many in flight), %" PRIu64 " accepted, %" PRIu64
           " results seen (%" PRIu64 " never arrived, %" PRIu64 " forgotten with an expired slot)\n", k->commands,
           k->command_space, st.commands_accepted, k->results_ok + k->results_bad, k->results_lost,
           k->results_forgotten);
  }
  /* the verdicts */
  CHECK(k->rec_overflow == 0);
  CHECK(unsettled == 0);
  CHECK(k->results_bad == 0);
  CHECK_EQ_U64(st.commands_rejected, 0);
  if (k->c.predictors) {
    CHECK(k->results_ok > 0);
    CHECK(st.commands_accepted >= k->results_ok);
  }
  CHECK(k->desync_unexpected == 0);
  CHECK_EQ_U64(st.mismatches, k->desync_expected + k->desync_unexpected);
  CHECK_EQ_U64(k->repaired, k->corruptions);
  if (k->corruptions) CHECK(k->desync_expected >= 1);
  CHECK(k->closes_bad == 0);
  CHECK(k->bad_drop == 0);
  CHECK(k->resume_wrong_slot == 0);
  CHECK(k->view_errors == 0);
  CHECK(closed_clients == 0);
  CHECK(never_live == 0);
  CHECK(st.protocol_errors == 0);
  CHECK(ns.errors == 0);
  CHECK_EQ_U64(k->heap_allocs_after_create, 0);
  CHECK(st.snapshots >= k->c.clients);
  CHECK(st.verified > 0);
  CHECK(k->checked >= (uint64_t)k->c.clients * k->c.ticks / 4);
  if (k->c.latency == 0 && k->c.jitter == 0) CHECK(k->caught_up_checks > 0); /* else only at barriers */
  if (ns.disconnects >= 20) {
    CHECK(st.repairs > 0);  /* some came back inside the grace period */
    CHECK(k->resumed > 0);
    CHECK(k->dropped > 0);  /* and some outside it */
  }
  tn_free(h);
  free(k->ls);
  free(k->sid_link);
  free(k->no_record);
  free(k->exp_frame);
  free(k->exp_hash);
  free(k->alive);
  free(k->pos);
  free(k->recs);
  return t_done("test_net_crowd");
}
