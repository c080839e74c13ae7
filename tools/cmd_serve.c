/* SPDX-License-Identifier: MIT */
/*
 * `synk serve-sim`: one server (synk_net.h) and N clients in one process
 * over the simulated message transport (support/msgnet.h), on a crowd world.
 * Prints the server's CPU per tick (a monotonic clock around its calls: a
 * tool's measurement, never asserted by a test), bytes per client per tick,
 * and the verification results: acks verified and mismatched, repairs and
 * snapshots, and at the end every client's world hash against the server's
 * hash of its view. Exits 1 when one differs (or a client did not end live).
 *
 * The world: E entities with 2 props (95% alive at the start) over a 10 x 10
 * grid of 256-unit cells. Every tick (30 Hz, 33 ms) 10% of the entities
 * move by -3..3 (x, y) and -1..1 (z), 0.5% get a property changed, 0.05%
 * despawn and as many respawn elsewhere. Client i views K cells (a run of K
 * consecutive cells from a random one, wrapping); every tick a client moves
 * its view by one cell with probability --view-moves (default 1/200). Links drop at random
 * (--drop-rate: the probability per second per link) and reconnect after
 * --reconnect ms: inside the server's grace period a client resumes with a
 * repair, past it with a snapshot.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "cmd_serve.h"

#include "msgnet.h"
#include "opt.h"
#include "rng.h"
#include "synk.h"
#include "synk_net.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char synk_cli_serve_sim_usage[] =
    "usage: synk serve-sim [--clients N] [--entities E] [--ticks T] [--view-cells K] [--seed S]\n"
    "                      [--latency MS] [--jitter MS] [--drop-rate P] [--reconnect MS]\n"
    "                      [--grace MS] [--view-moves P]\n"
    "Runs one server-authoritative server (synk_net.h) and N clients in one process over\n"
    "the simulated message transport (reliable ordered channels with latency and\n"
    "disconnects), on a crowd world of E entities over a 10x10 grid, for T ticks at\n"
    "30 Hz; each client views K cells. Prints the server's CPU per tick (monotonic clock\n"
    "around synk_server_apply + synk_server_tick; the transport's pump, which runs the\n"
    "server's polls and receives together with every client, apart), bytes per client\n"
    "per tick (mean/min/max over the clients, join snapshot apart) and the verification\n"
    "results: acks verified, mismatches, repairs, snapshots, and every client's final\n"
    "world hash against the server's hash of its view.\n"
    "--drop-rate P is the probability per second that a link drops (0..1, drawn at\n"
    "every tick; no drops after the last tick). A dropped client reconnects after\n"
    "--reconnect MS (default 250) and resumes inside the server's grace period\n"
    "(--grace, default 10000 ms). Latency and jitter are one-way.\n"
    "--view-moves P: the probability per tick that a client's view moves by one cell\n"
    "(default 0.005).\n"
    "Defaults: 50 clients, 10000 entities, 300 ticks, 1 cell, seed 1, no latency or drops.\n"
    "Exits 0 when every client ends live with its world hash equal to the server's view\n"
    "hash, 1 otherwise, 2 on a usage error.\n";

#define SS_GRID 10u
#define SS_CELL 256u
#define SS_PROPS 2u
#define SS_TICK_MS 33u
#define SS_ROOM 0x53494Du

typedef struct ss_opts {
  uint32_t clients, entities, view_cells, latency, jitter, reconnect, grace;
  uint64_t ticks, seed;
  double drop_rate;
  uint32_t view_move_ppm; /* per client per tick */
} ss_opts;

typedef struct ss_client {
  struct ss_sim *sim;
  uint32_t index;
  synk_client *c;
  uint32_t link;
  uint32_t cell0;        /* the first cell of its view */
  int synced;            /* loaded its first snapshot */
  uint64_t join_bytes;   /* bytes received until then */
  uint64_t join_tick;    /* the tick it was loaded at */
  uint64_t syncs;        /* snapshots and repairs loaded */
  uint32_t closed_reason;
  int closed;
} ss_client;

typedef struct ss_sim {
  ss_opts o;
  synk_world *w;
  synk_server *srv;
  msgnet *net;
  ss_client *cl;
  uint32_t slots;         /* the server's client slots: clients + a quarter + 4, for grace */
  uint32_t *client_of_id; /* server client id -> index, UINT32_MAX */
  synk_rng rng;
  uint64_t tick, now;
  uint64_t desyncs, repairs, resumed, dropped, view_changes, bad;
  synk_event *ev;
  uint32_t cells[SS_GRID * SS_GRID];
} ss_sim;

enum {
  SS_CLIENTS = 256, SS_ENTITIES, SS_TICKS, SS_VIEW_CELLS, SS_SEED, SS_LATENCY, SS_JITTER, SS_RECONNECT, SS_GRACE,
  SS_VIEW_MOVES, SS_DROP_RATE
};

static const synk_opt ss_options[] = {
    {"clients", SS_CLIENTS, SYNK_OPT_NUMBER, 1, 65535, NULL},
    {"entities", SS_ENTITIES, SYNK_OPT_NUMBER, 64, 1u << 24, NULL},
    {"ticks", SS_TICKS, SYNK_OPT_NUMBER, 1, 100000000, NULL},
    {"view-cells", SS_VIEW_CELLS, SYNK_OPT_NUMBER, 1, SS_GRID * SS_GRID, NULL},
    {"seed", SS_SEED, SYNK_OPT_NUMBER, 0, UINT64_MAX, NULL},
    {"latency", SS_LATENCY, SYNK_OPT_NUMBER, 0, 10000, NULL},
    {"jitter", SS_JITTER, SYNK_OPT_NUMBER, 0, 10000, NULL},
    {"reconnect", SS_RECONNECT, SYNK_OPT_NUMBER, 0, 600000, NULL},
    {"grace", SS_GRACE, SYNK_OPT_NUMBER, 1, 3600000, NULL},
    {"view-moves", SS_VIEW_MOVES, SYNK_OPT_PROB, 0, 0, NULL},
    {"drop-rate", SS_DROP_RATE, SYNK_OPT_PROB, 0, 0, NULL},
};

/* -1: run; otherwise the exit status (0 after --help, 2 on a usage error) */
static int ss_parse(int argc, char **argv, ss_opts *o) {
  memset(o, 0, sizeof *o);
  o->clients = 50;
  o->entities = 10000;
  o->ticks = 300;
  o->view_cells = 1;
  o->seed = 1;
  o->reconnect = 250;
  o->grace = 10000;
  o->view_move_ppm = 5000;
  synk_opt_parser p;
  synk_opt_init(&p, "synk serve-sim", synk_cli_serve_sim_usage, ss_options, sizeof ss_options / sizeof ss_options[0],
                argc, argv);
  for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
    switch (k) {
    case SS_CLIENTS: o->clients = (uint32_t)p.num; break;
    case SS_ENTITIES: o->entities = (uint32_t)p.num; break;
    case SS_TICKS: o->ticks = p.num; break;
    case SS_VIEW_CELLS: o->view_cells = (uint32_t)p.num; break;
    case SS_SEED: o->seed = p.num; break;
    case SS_LATENCY: o->latency = (uint32_t)p.num; break;
    case SS_JITTER: o->jitter = (uint32_t)p.num; break;
    case SS_RECONNECT: o->reconnect = (uint32_t)p.num; break;
    case SS_GRACE: o->grace = (uint32_t)p.num; break;
    case SS_VIEW_MOVES: o->view_move_ppm = (uint32_t)p.num; break;
    case SS_DROP_RATE: o->drop_rate = p.real; break; /* msgnet takes integer ppm per tick: see ss_drops */
    default: return synk_opt_stop(&p, k);
    }
  }
  return -1;
}

static uint64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The K cells of a view starting at cell0 (consecutive, wrapping). */
static synk_net_view ss_view(ss_sim *s, uint32_t cell0) {
  synk_net_view v;
  memset(&v, 0, sizeof v);
  for (uint32_t k = 0; k < s->o.view_cells; k++) s->cells[k] = (cell0 + k) % (SS_GRID * SS_GRID);
  v.cells = s->cells;
  v.n_cells = s->o.view_cells;
  return v;
}

static void ss_server_event(void *ctx, const synk_net_event *ev) {
  ss_sim *s = (ss_sim *)ctx;
  msgnet_server_event(s->net, ev);
  switch (ev->type) {
  case SYNK_NET_EV_JOINED:
  case SYNK_NET_EV_RESUMED: {
    uint32_t link = msgnet_link_of_conn(s->net, ev->conn);
    if (link == MSGNET_NONE || link >= s->o.clients || ev->client >= s->slots) {
      s->bad++;
      break;
    }
    s->client_of_id[ev->client] = link;
    if (ev->type == SYNK_NET_EV_RESUMED) {
      s->resumed++;
      break;
    }
    synk_net_view v = ss_view(s, s->cl[link].cell0);
    if (synk_server_set_view(s->srv, ev->client, &v) != SYNK_OK) s->bad++;
    break;
  }
  case SYNK_NET_EV_DESYNC: s->desyncs++; break;
  case SYNK_NET_EV_REPAIR: s->repairs += ev->value != 0; break;
  case SYNK_NET_EV_DROPPED:
    if (ev->client < s->slots) s->client_of_id[ev->client] = UINT32_MAX;
    s->dropped++;
    break;
  default: break;
  }
}

static void ss_client_event(void *ctx, const synk_client_event *ev) {
  ss_client *c = (ss_client *)ctx;
  if (ev->type == SYNK_CLIENT_EV_SYNCED) {
    c->syncs++;
    if (!c->synced) {
      msgnet_link_info li;
      if (msgnet_link_info_get(c->sim->net, c->link, &li) == SYNK_OK) c->join_bytes = li.bytes_down;
      c->join_tick = c->sim->tick;
      c->synced = 1;
    }
  } else if (ev->type == SYNK_CLIENT_EV_CLOSED) {
    c->closed = 1;
    c->closed_reason = ev->reason;
  }
}

static void ss_free(ss_sim *s) {
  msgnet_destroy(s->net);
  if (s->cl)
    for (uint32_t i = 0; i < s->o.clients; i++) synk_client_destroy(s->cl[i].c);
  synk_server_destroy(s->srv);
  synk_world_destroy(s->w);
  free(s->cl);
  free(s->client_of_id);
  free(s->ev);
}

static int ss_setup(ss_sim *s) {
  const ss_opts *o = &s->o;
  synk_rng_seed(&s->rng, o->seed ^ 0x736572766573696Dull);
  synk_config wc;
  memset(&wc, 0, sizeof wc);
  wc.max_entities = o->entities;
  wc.num_props = SS_PROPS;
  wc.seed = o->seed ^ 0x776F726C64ull;
  if (synk_world_create(&wc, &s->w) != SYNK_OK) return -1;
  const int32_t side = (int32_t)(SS_GRID * SS_CELL);
  for (uint32_t id = 0; id < o->entities; id++) {
    int alive = synk_rng_below(&s->rng, 100) < 95;
    uint32_t kind = synk_rng_below(&s->rng, 8);
    int32_t x = synk_rng_range(&s->rng, 0, side - 1), y = synk_rng_range(&s->rng, 0, side - 1);
    int32_t z = synk_rng_range(&s->rng, 0, 63);
    int32_t p0 = synk_rng_i32(&s->rng);
    if (!alive) continue;
    if (synk_spawn(s->w, id, kind, x, y, z) != SYNK_OK || synk_set_prop(s->w, id, 0, p0) != SYNK_OK) return -1;
  }
  size_t cap = o->entities / 10 + 16;
  s->ev = (synk_event *)malloc(cap * sizeof *s->ev);
  s->cl = (ss_client *)calloc(o->clients, sizeof *s->cl);
  /* slots beyond the clients: a client cut off before its WELCOME arrived has no resume
   * token, so it comes back as a new client while its first slot waits out the grace period */
  s->slots = o->clients + o->clients / 4 + 4 > 65535 ? 65535 : o->clients + o->clients / 4 + 4;
  s->client_of_id = (uint32_t *)malloc(s->slots * sizeof *s->client_of_id);
  if (!s->ev || !s->cl || !s->client_of_id) return -1;
  for (uint32_t i = 0; i < s->slots; i++) s->client_of_id[i] = UINT32_MAX;

  synk_server_config sc;
  memset(&sc, 0, sizeof sc);
  sc.world = s->w;
  sc.room_id = SS_ROOM;
  sc.max_clients = s->slots;
  sc.grid.x0 = sc.grid.y0 = 0;
  sc.grid.cell_size = SS_CELL;
  sc.grid.cols = sc.grid.rows = SS_GRID;
  sc.max_view_cells = o->view_cells;
  sc.max_view_ids = 1;
  sc.grace_ms = o->grace;
  /* a simulation keys its resume tokens by its seed (reproducible runs); a
     real server draws random bits (synk_net.h) */
  sc.resume_key[0] = o->seed ^ 0x726573756D654B30ull;
  sc.resume_key[1] = o->seed ^ 0x726573756D654B31ull;
  sc.on_event = ss_server_event;
  sc.ctx = s;
  if (synk_server_create(&sc, &s->srv) != SYNK_OK) return -1;

  msgnet_config nc;
  memset(&nc, 0, sizeof nc);
  nc.server = s->srv;
  nc.max_links = o->clients;
  nc.latency_ms = o->latency;
  nc.jitter_ms = o->jitter;
  nc.drop_ppm = 0; /* the tool drops links itself, per tick (ss_drops), so that drops end with the ticks */
  nc.reconnect_ms = o->reconnect;
  nc.rounds = 16;
  nc.seed = o->seed ^ 0x6D73676E6574ull;
  if (msgnet_create(&nc, &s->net) != SYNK_OK) return -1;

  for (uint32_t i = 0; i < o->clients; i++) {
    ss_client *c = &s->cl[i];
    c->sim = s;
    c->index = i;
    c->cell0 = synk_rng_below(&s->rng, SS_GRID * SS_GRID);
    synk_client_config cc;
    memset(&cc, 0, sizeof cc);
    cc.max_entities = o->entities;
    cc.num_props = SS_PROPS;
    cc.seed = wc.seed;
    cc.room_id = SS_ROOM;
    cc.on_event = ss_client_event;
    cc.ctx = c;
    if (synk_client_create(&cc, &c->c) != SYNK_OK) return -1;
    if (msgnet_attach(s->net, c->c, &c->link) != SYNK_OK || c->link != i) return -1;
    if (msgnet_connect(s->net, c->link, s->now) != SYNK_OK) return -1;
  }
  return 0;
}

/* The application's tick: motions, property changes, churn, view moves. */
static int ss_world_tick(ss_sim *s) {
  const uint32_t E = s->o.entities;
  size_t n = 0, bad = 0;
  synk_entity e;
  for (uint32_t k = 0; k < E / 10; k++) {
    uint32_t id = synk_rng_below(&s->rng, E);
    int32_t dx = synk_rng_range(&s->rng, -3, 3), dy = synk_rng_range(&s->rng, -3, 3);
    int32_t dz = synk_rng_range(&s->rng, -1, 1);
    if (synk_get(s->w, id, &e) != SYNK_OK) continue;
    synk_event m = {SYNK_EV_MOTION, id, 0, dx, dy, dz};
    s->ev[n++] = m;
  }
  if (n && synk_server_apply(s->srv, s->ev, n, &bad) != SYNK_OK) return -1;
  n = 0;
  for (uint32_t k = 0; k < E / 200; k++) {
    uint32_t id = synk_rng_below(&s->rng, E), slot = synk_rng_below(&s->rng, SS_PROPS);
    int32_t v = synk_rng_i32(&s->rng);
    if (synk_get(s->w, id, &e) != SYNK_OK) continue;
    synk_event p = {SYNK_EV_PROP, id, slot, v, 0, 0};
    s->ev[n++] = p;
  }
  if (n && synk_server_apply(s->srv, s->ev, n, &bad) != SYNK_OK) return -1;
  const int32_t side = (int32_t)(SS_GRID * SS_CELL);
  for (uint32_t k = 0; k < E / 2000; k++) {
    uint32_t id = synk_rng_below(&s->rng, E);
    synk_event d = {SYNK_EV_DESPAWN, id, 0, 0, 0, 0};
    if (synk_get(s->w, id, &e) == SYNK_OK && synk_server_apply(s->srv, &d, 1, &bad) != SYNK_OK) return -1;
    id = synk_rng_below(&s->rng, E);
    synk_event sp = {SYNK_EV_SPAWN, id, synk_rng_below(&s->rng, 8), synk_rng_range(&s->rng, 0, side - 1), 0, 0};
    sp.b = synk_rng_range(&s->rng, 0, side - 1);
    if (synk_get(s->w, id, &e) != SYNK_OK && synk_server_apply(s->srv, &sp, 1, &bad) != SYNK_OK) return -1;
  }
  for (uint32_t i = 0; i < s->o.clients; i++) {
    if (synk_rng_below(&s->rng, 1000000) >= s->o.view_move_ppm) continue;
    ss_client *c = &s->cl[i];
    static const int32_t step[4] = {1, -1, (int32_t)SS_GRID, -(int32_t)SS_GRID};
    const int32_t total = (int32_t)(SS_GRID * SS_GRID);
    c->cell0 = (uint32_t)((((int32_t)c->cell0 + step[synk_rng_below(&s->rng, 4)]) % total + total) % total);
    uint32_t id = synk_client_id(c->c);
    if (id < s->slots && s->client_of_id[id] == i) {
      synk_net_view v = ss_view(s, c->cell0);
      if (synk_server_set_view(s->srv, id, &v) != SYNK_OK) return -1;
      s->view_changes++;
    }
  }
  return 0;
}

/* Random drops: each link that is up drops with probability drop_rate * 33 ms / 1 s
 * at each tick (the tool's PRNG), and reconnects after --reconnect ms. */
static void ss_drops(ss_sim *s) {
  if (s->o.drop_rate <= 0) return;
  const uint32_t ppm = (uint32_t)(s->o.drop_rate * SS_TICK_MS * 1000.0 + 0.5); /* per tick, parts per million */
  for (uint32_t i = 0; i < s->o.clients; i++) {
    if (synk_rng_below(&s->rng, 1000000) >= ppm) continue;
    msgnet_link_info li;
    if (msgnet_link_info_get(s->net, s->cl[i].link, &li) == SYNK_OK && li.state == MSGNET_UP)
      msgnet_disconnect(s->net, s->cl[i].link, s->now, s->o.reconnect);
  }
}

/* Settled: every client is live at the server's frame (heartbeats may still be in flight). */
static int ss_settled(ss_sim *s) {
  for (uint32_t i = 0; i < s->o.clients; i++) {
    const ss_client *c = &s->cl[i];
    if (c->closed) continue;
    if (synk_client_get_state(c->c) != SYNK_CLIENT_LIVE || synk_client_frame(c->c) != synk_frame(s->w)) return 0;
  }
  return 1;
}

int synk_cli_serve_sim(int argc, char **argv) {
  ss_sim sim;
  memset(&sim, 0, sizeof sim);
  const int status = ss_parse(argc, argv, &sim.o);
  if (status >= 0) return status;
  ss_sim *s = &sim;
  const ss_opts *o = &s->o;
  uint64_t *srv_ns = (uint64_t *)malloc(o->ticks * sizeof *srv_ns);
  if (!srv_ns || ss_setup(s) != 0) {
    fprintf(stderr, "synk serve-sim: setup failed (out of memory, or a bad configuration)\n");
    free(srv_ns);
    ss_free(s);
    return 1;
  }
  printf("serve-sim: %u clients (%u server slots), %u entities (%u props), %" PRIu64 " ticks at 30 Hz, views of %u of %u cells, "
         "seed %" PRIu64 ", latency %u ms + jitter %u ms, drop rate %g/s, reconnect %u ms, grace %u ms\n",
         o->clients, s->slots, o->entities, SS_PROPS, o->ticks, o->view_cells, SS_GRID * SS_GRID, o->seed,
         o->latency, o->jitter, o->drop_rate, o->reconnect, o->grace);
  /* the transport is pumped every ms when messages take time, else once per tick */
  const uint32_t step = o->latency || o->jitter ? 1 : SS_TICK_MS;
  uint64_t pump_ns = 0;
  int fail = 0;
  for (s->tick = 0; s->tick < o->ticks && !fail; s->tick++) {
    uint64_t t0 = mono_ns();
    fail |= ss_world_tick(s) != 0;
    fail |= synk_server_tick(s->srv, s->now) != SYNK_OK;
    srv_ns[s->tick] = mono_ns() - t0;
    ss_drops(s);
    uint64_t t1 = mono_ns();
    for (uint32_t ms = 0; ms < SS_TICK_MS; ms += step) {
      msgnet_pump(s->net, s->now + ms);
    }
    s->now += SS_TICK_MS;
    pump_ns += mono_ns() - t1;
  }
  if (fail) fprintf(stderr, "synk serve-sim: a server call failed at tick %" PRIu64 "\n", s->tick);
  /* settle: no more ticks nor drops; every client reconnects and catches up to the last
   * frame, then the transport runs a little longer for what is still in flight (a repair
   * answering a late ack) */
  uint64_t settle_ms = 0, extra = 2u * (o->latency + o->jitter) + 100u;
  while (!fail && !ss_settled(s) && settle_ms < 60000) {
    msgnet_pump(s->net, s->now);
    s->now += step;
    settle_ms += step;
  }
  for (uint64_t ms = 0; ms < extra; ms += step) {
    msgnet_pump(s->net, s->now);
    s->now += step;
  }

  /* server CPU per tick */
  uint64_t sum = 0, mx = 0;
  for (uint64_t t = 0; t < s->tick; t++) {
    sum += srv_ns[t];
    mx = srv_ns[t] > mx ? srv_ns[t] : mx;
  }
  qsort(srv_ns, s->tick, sizeof *srv_ns, cmp_u64);
  const double med = s->tick ? (double)srv_ns[s->tick / 2] : 0, mean = s->tick ? (double)sum / (double)s->tick : 0;
  synk_server_stats st;
  synk_server_get_stats(s->srv, &st);
  printf("server CPU per tick (synk_server_apply + synk_server_tick, %u view groups at the end): median %.1f us, "
         "mean %.1f us, max %.1f us; %.3f us per client per tick (median)\n",
         st.groups, med / 1e3, mean / 1e3, (double)mx / 1e3, med / 1e3 / o->clients);
  printf("transport pump per tick (deliveries, the server's polls and receives, every client's receive and "
         "acks): mean %.1f us\n",
         s->tick ? (double)pump_ns / (double)s->tick / 1e3 : 0);

  /* bytes per client per tick, after its first snapshot */
  double bmin = 0, bmax = 0, bsum = 0, jsum = 0;
  uint32_t nb = 0;
  msgnet_stats ns;
  msgnet_get_stats(s->net, &ns);
  for (uint32_t i = 0; i < o->clients; i++) {
    const ss_client *c = &s->cl[i];
    msgnet_link_info li;
    if (!c->synced || msgnet_link_info_get(s->net, c->link, &li) != SYNK_OK) continue;
    uint64_t live_ticks = s->tick - c->join_tick;
    if (!live_ticks) continue;
    double b = (double)(li.bytes_down - c->join_bytes) / (double)live_ticks;
    bmin = nb == 0 || b < bmin ? b : bmin;
    bmax = nb == 0 || b > bmax ? b : bmax;
    bsum += b;
    jsum += (double)c->join_bytes;
    nb++;
  }
  printf("bytes per client per tick (server to client, after the join): mean %.1f, min %.1f, max %.1f; join "
         "(welcome + snapshot) mean %.0f bytes; client to server %.1f per client per tick\n",
         nb ? bsum / nb : 0, bmin, bmax, nb ? jsum / nb : 0,
         s->tick ? (double)ns.bytes_up / ((double)s->tick * o->clients) : 0);
  printf("transport: %" PRIu64 " disconnects, %" PRIu64 " connects, %" PRIu64 " resumed, %" PRIu64
         " dropped after grace, %" PRIu64 " view changes, %" PRIu64 " catch-ups by a bound, settled in %" PRIu64
         " ms\n",
         ns.disconnects, ns.connects, s->resumed, s->dropped, s->view_changes, st.catchups, settle_ms);

  /* final hashes: each client against the server's hash of its view (and that against a rehash) */
  uint32_t equal = 0, differ = 0, not_live = 0, audit_bad = 0;
  for (uint32_t i = 0; i < o->clients; i++) {
    const ss_client *c = &s->cl[i];
    uint32_t id = synk_client_id(c->c);
    uint64_t h = 0, rh = 0;
    if (synk_client_get_state(c->c) != SYNK_CLIENT_LIVE || id >= s->slots || s->client_of_id[id] != i ||
        synk_server_view_hash(s->srv, id, &h) != SYNK_OK) {
      msgnet_link_info li;
      memset(&li, 0, sizeof li);
      msgnet_link_info_get(s->net, c->link, &li);
      if (not_live++ < 5)
        fprintf(stderr,
                "synk serve-sim: client %u not live at the end (state %d, reason %s; link state %u, %" PRIu64
                " connects, %" PRIu64 " disconnects, %" PRIu64 " errors, last %s; transport: %" PRIu64
                " connects postponed for want of a server connection)\n",
                i, (int)synk_client_get_state(c->c), synk_net_reason_str(synk_client_reason(c->c)), li.state,
                li.connects, li.disconnects, li.errors, synk_status_str(li.last_error), ns.connect_failures);
      continue;
    }
    const synk_world *cw = synk_client_world(c->c);
    if (synk_server_view_rehash(s->srv, id, &rh) != SYNK_OK || rh != h) audit_bad++;
    if (cw && synk_client_frame(c->c) == synk_frame(s->w) && synk_client_confirmed_hash(c->c) == h &&
        synk_hash(cw) == h && synk_rehash(cw) == h)
      equal++;
    else {
      if (differ++ < 5)
        fprintf(stderr,
                "synk serve-sim: client %u (id %u) at frame %" PRIu64 " hash %016" PRIx64 ", server frame %" PRIu64
                " view hash %016" PRIx64 "\n",
                i, id, synk_client_frame(c->c), cw ? synk_hash(cw) : 0, synk_frame(s->w), h);
    }
  }
  printf("verification: %" PRIu64 " acks verified, %" PRIu64 " mismatches, %" PRIu64 " repairs (%" PRIu64
         " chunks), %" PRIu64 " snapshots; final hashes: %u of %u clients equal the server's view hash"
         "%s%s\n",
         st.verified, st.mismatches, st.repairs, st.repair_chunks, st.snapshots, equal, o->clients,
         audit_bad ? ", VIEW HASH AUDIT FAILED" : "", differ || not_live ? ", MISMATCH" : "");
  int rc = fail || differ || not_live || audit_bad || s->bad || equal != o->clients ? 1 : 0;
  free(srv_ns);
  ss_free(s);
  return rc;
}
