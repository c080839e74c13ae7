/* SPDX-License-Identifier: MIT */
/*
 * Server-authoritative sync cases (net/, synk_net.h): one server, a 1e5
 * entity crowd world with 4 props, 1000 clients with grid views.
 *
 * The world: ids 0..99999, positions uniform over a 10240 x 10240 square
 * (z in 0..255), a 10 x 10 grid of 1024-unit cells, so one cell is 1% of the
 * world (about 1000 entities). Each tick 10% of the entities (10000 distinct
 * ids, sorted) move by dx, dy in -3..3 and dz in -1..1 (never all 0); ticks
 * 4..7 undo ticks 0..3 with the same ids and negated deltas, so the runs
 * cycle through 8 ticks and positions never drift (entities near a cell's
 * border cross it and back: spawns and despawns in the views).
 *
 * Clients: 1000, client i viewing cell i % 100 (one cell each, 10 clients
 * per cell: 100 view groups of 10). NET_SAMPLE of them are real synk_client
 * endpoints (their worlds follow the server's, they ack); the others are
 * byte sinks: their HELLO comes from a real client that is then destroyed,
 * and every byte the server polls for them is counted and dropped. After
 * every tick each real client's confirmed hash is checked against
 * synk_server_view_hash, so a case cannot time a broken path.
 *
 * Cases (ops = clients, so ns/op is per client per tick, unless noted):
 *  - net/tick/1000c-1e5: synk_server_apply(the tick's motions) +
 *    synk_server_tick + synk_server_poll of every connection until empty
 *    (+ the real clients' receive and their acks into the server: the
 *    report gives that share, measured by clock reads in the case);
 *  - net/tick/1000c-1e5/peer/json-delta: the same changes as the JSON delta
 *    of the Java service's documented shape, per view (libjansson), handed
 *    to each of the view's clients (a copy per client);
 *  - net/tick/1000c-1e5/peer/snapshot: a full snapshot per tick of each
 *    view's world (one synk world per view group holding exactly the cell's
 *    entities, kept current with the tick's changes, synk_snapshot_save), a
 *    copy per client;
 *  - net/tick/0c-1e5 (ops 1, per tick): the same apply + tick on a server
 *    with no client (the floor of the tick without views);
 *  - net/apply-bare/1e5 (ops 1, per tick): synk_apply_motions + synk_tick of
 *    the same motions on a bare world: the tick's apply cost;
 *  - net/entity-hash/1e5 (ops 1, per tick): synk_entity_hash of the 10k
 *    entities a tick changes;
 *  - net/join/1e5 (ops 1, per join): a client joins the served world (HELLO
 *    to a loaded snapshot of its one-cell view: both endpoints), then is
 *    kicked and its connection closed.
 * Byte figures (deterministic, from a fresh setup: two cycles of 8 ticks)
 * come from net_measure_bytes; the in-case clock phases are kept in
 * net_phases (medians over the case's runs). Both feed the report's
 * "Server-authoritative sync" section and the targets, written at the end of
 * this file.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "cases.h"

#include "rng.h"
#include "json_peer.h"
#include "synk.h"
#include "synk_net.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NET_ENTITIES 100000u
#define NET_PROPS 4u
#define NET_CELL 1024u
#define NET_COLS 10u
#define NET_CELLS (NET_COLS * NET_COLS)
#define NET_SIDE ((int32_t)(NET_CELL * NET_COLS))
#define NET_CLIENTS 1000u
#define NET_MOVERS 10000u
#define NET_TICKS 8u
#define NET_SAMPLE 8u
#define NET_TICK_MS 33u
#define NET_ROOM 0x5E12u
#define NET_SEED 0x6E657462656E6368ull /* the world's hash seed */
#define NET_PHASE_RUNS 8192u

/* the targets (the report's targets table and its section below) */
#define NET_GOAL_CPU_NS 2000.0  /* server CPU per client per tick */
#define NET_GOAL_JSON_X 20.0    /* JSON-delta bytes over synk's, at least */
#define NET_GOAL_SHARE_PCT 15.0 /* view bookkeeping, % of the bare apply, at most */

/* Medians of the clock phases read inside the net/ cases' runs (ns; 0 when
 * the case did not run): [0] synk_server_apply, [1] synk_server_tick, [2]
 * polling every connection (the real clients' receive taken out), [3] the
 * real clients' receive, [4] synk_server_tick's start to its first
 * before_encode hook, [5] the encodings (before_encode to after_encode,
 * summed over the groups). full: net/tick/1000c-1e5, zero: net/tick/0c-1e5. */
typedef struct net_timing {
  double full[6], zero[6];
  uint64_t full_runs, zero_runs;
  uint64_t verified, mismatches, checked_ticks; /* net/tick/1000c-1e5's real clients */
  double join_total, join_server, join_client;  /* net/join/1e5, ns */
  uint64_t join_runs, join_bytes;
} net_timing;

/* The byte figures of the net/tick workload, from a fresh setup over 2
 * cycles of its 8 ticks (deterministic, not timed). Per client per tick:
 * synk (every byte polled for a connection), the JSON-delta peer (payload
 * bytes, no transport framing) and the snapshot-per-tick peer. */
typedef struct net_bytes {
  uint32_t ticks, clients, groups, real_clients;
  double synk_bytes, synk_min, synk_max; /* mean, and the lowest / highest client's mean */
  double synk_changes, json_changes;     /* changes per tick summed over the views */
  int have_json;
  double json_bytes, snapshot_bytes, world_snapshot_bytes;
  uint64_t verified, mismatches;
  char json_sample[160];
} net_bytes;

/* ---- clocks (phase shares only; the harness times the runs) -------------- */

static uint64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static double median_u64(uint64_t *v, size_t n) {
  if (!n) return 0;
  qsort(v, n, sizeof *v, cmp_u64);
  return n % 2 ? (double)v[n / 2] : 0.5 * ((double)v[n / 2 - 1] + (double)v[n / 2]);
}

/* ---- the workload ------------------------------------------------------------ */

typedef struct net_input {
  synk_event *ev[NET_TICKS]; /* NET_MOVERS motion events per tick, ids sorted */
  synk_motion *mv[NET_TICKS];
} net_input;

static synk_world *net_make_world(void) {
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_entities = NET_ENTITIES;
  cfg.num_props = NET_PROPS;
  cfg.seed = NET_SEED;
  synk_world *w = NULL;
  if (synk_world_create(&cfg, &w) != SYNK_OK) return NULL;
  synk_rng r;
  synk_rng_seed(&r, 0xC20ADull);
  for (uint32_t id = 0; id < NET_ENTITIES; id++) {
    uint32_t kind = synk_rng_below(&r, 16);
    int32_t x = synk_rng_range(&r, 0, NET_SIDE - 1);
    int32_t y = synk_rng_range(&r, 0, NET_SIDE - 1);
    int32_t z = synk_rng_range(&r, 0, 255);
    synk_status st = synk_spawn(w, id, kind, x, y, z);
    for (uint32_t p = 0; p < NET_PROPS && st == SYNK_OK; p++) st = synk_set_prop(w, id, p, synk_rng_i32(&r));
    if (st != SYNK_OK) {
      synk_world_destroy(w);
      return NULL;
    }
  }
  synk_tick(w);
  return w;
}

static void net_input_free(net_input *in) {
  for (uint32_t t = 0; t < NET_TICKS; t++) {
    free(in->ev[t]);
    free(in->mv[t]);
  }
}

static int net_input_make(net_input *in) {
  memset(in, 0, sizeof *in);
  uint32_t *perm = (uint32_t *)malloc(NET_ENTITIES * sizeof *perm);
  uint8_t *pick = (uint8_t *)calloc(NET_ENTITIES, 1);
  int ok = perm && pick;
  for (uint32_t t = 0; t < NET_TICKS && ok; t++) {
    in->ev[t] = (synk_event *)calloc(NET_MOVERS, sizeof(synk_event));
    in->mv[t] = (synk_motion *)calloc(NET_MOVERS, sizeof(synk_motion));
    ok = in->ev[t] && in->mv[t];
  }
  synk_rng r;
  synk_rng_seed(&r, 0x7E7ull);
  for (uint32_t i = 0; ok && i < NET_ENTITIES; i++) perm[i] = i;
  for (uint32_t t = 0; ok && t < NET_TICKS / 2; t++) {
    /* NET_MOVERS distinct ids (a partial Fisher-Yates shuffle), then sorted by marking */
    memset(pick, 0, NET_ENTITIES);
    for (uint32_t i = 0; i < NET_MOVERS; i++) {
      uint32_t j = i + synk_rng_below(&r, NET_ENTITIES - i);
      uint32_t tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
      pick[perm[i]] = 1;
    }
    uint32_t k = 0;
    for (uint32_t id = 0; id < NET_ENTITIES; id++) {
      if (!pick[id]) continue;
      int32_t dx, dy, dz;
      do {
        dx = synk_rng_range(&r, -3, 3);
        dy = synk_rng_range(&r, -3, 3);
        dz = synk_rng_range(&r, -1, 1);
      } while (!dx && !dy && !dz);
      synk_motion m = {id, dx, dy, dz}, back = {id, -dx, -dy, -dz};
      in->mv[t][k] = m;
      in->mv[t + NET_TICKS / 2][k] = back;
      k++;
    }
  }
  for (uint32_t t = 0; ok && t < NET_TICKS; t++)
    for (uint32_t i = 0; i < NET_MOVERS; i++) {
      synk_event e = {SYNK_EV_MOTION, in->mv[t][i].id, 0, in->mv[t][i].dx, in->mv[t][i].dy, in->mv[t][i].dz};
      in->ev[t][i] = e;
    }
  free(perm);
  free(pick);
  if (!ok) net_input_free(in);
  return ok ? 0 : -1;
}

static synk_net_grid net_grid(void) {
  synk_net_grid g = {0, 0, NET_CELL, NET_COLS, NET_COLS};
  return g;
}

static uint32_t net_cell(int32_t x, int32_t y) {
  int64_t cx = (int64_t)x < 0 ? -1 : (int64_t)x / NET_CELL, cy = (int64_t)y < 0 ? -1 : (int64_t)y / NET_CELL;
  cx = cx < 0 ? 0 : cx >= NET_COLS ? NET_COLS - 1 : cx;
  cy = cy < 0 ? 0 : cy >= NET_COLS ? NET_COLS - 1 : cy;
  return (uint32_t)(cy * NET_COLS + cx);
}

/* ---- the served world: server, sinks and real clients ---------------------------- */

typedef struct net_served {
  synk_world *w;
  synk_server *srv;
  net_input in;
  uint32_t nclients;
  uint32_t conn[NET_CLIENTS];  /* connection of client index i */
  uint32_t id[NET_CLIENTS];    /* its client id */
  uint32_t cell[NET_CLIENTS];  /* its view */
  synk_client *real[NET_CLIENTS]; /* NULL: a byte sink */
  uint32_t pending_cell;       /* the view of the client joining now (on_event) */
  uint32_t joined_id;
  uint64_t now, tick;
  uint8_t *buf;
  size_t cap;
  /* verification */
  uint64_t verified, desyncs, repairs, mismatches, bad_status;
  /* bytes of the last tick and over all ticks */
  uint64_t tick_bytes, bytes_total, ticks_total;
  /* phases of the last tick (ns) */
  uint64_t t_apply, t_tick, t_poll, t_clients, t_first_encode, t_encode, t_enc_begin, t_tick_start;
  int timing;
  /* group event counts of the last tick (the hook), for cross-checks */
  uint32_t group_events[NET_CELLS * 4];
  uint32_t ngroups_seen;
  int want_group_events;
} net_served;

static void net_on_event(void *ctx, const synk_net_event *ev) {
  net_served *s = (net_served *)ctx;
  switch (ev->type) {
  case SYNK_NET_EV_JOINED: {
    s->joined_id = ev->client;
    uint32_t cell = s->pending_cell;
    synk_net_view v;
    memset(&v, 0, sizeof v);
    v.cells = &cell;
    v.n_cells = 1;
    if (synk_server_set_view(s->srv, ev->client, &v) != SYNK_OK) s->bad_status++;
    break;
  }
  case SYNK_NET_EV_VERIFIED: s->verified++; break;
  case SYNK_NET_EV_DESYNC: s->desyncs++; break;
  case SYNK_NET_EV_REPAIR: s->repairs++; break;
  default: break;
  }
}

static void net_before_encode(void *ctx, uint32_t group, uint32_t clients, const synk_event *ev, size_t n) {
  net_served *s = (net_served *)ctx;
  (void)group, (void)clients, (void)ev;
  if (s->timing) {
    s->t_enc_begin = mono_ns();
    if (!s->t_first_encode) s->t_first_encode = s->t_enc_begin - s->t_tick_start;
  }
  if (s->want_group_events && s->ngroups_seen < sizeof s->group_events / sizeof s->group_events[0]) {
    uint32_t moves = 0; /* what a JSON delta lists: moves, spawns, despawns (not props, ticks) */
    for (size_t i = 0; i < n; i++)
      moves += ev[i].type == SYNK_EV_MOTION || ev[i].type == SYNK_EV_SPAWN || ev[i].type == SYNK_EV_DESPAWN;
    s->group_events[s->ngroups_seen++] = moves;
  }
}

static void net_after_encode(void *ctx, uint32_t group, const void *bytes, size_t len) {
  net_served *s = (net_served *)ctx;
  (void)group, (void)bytes, (void)len;
  if (s->timing) s->t_encode += mono_ns() - s->t_enc_begin;
}

static synk_client *net_client_new(uint64_t now) {
  synk_client_config cc;
  memset(&cc, 0, sizeof cc);
  cc.max_entities = NET_ENTITIES;
  cc.num_props = NET_PROPS;
  cc.seed = NET_SEED;
  cc.room_id = NET_ROOM;
  cc.timeout_ms = 0x7FFFFFFFu;
  synk_client *c = NULL;
  if (synk_client_create(&cc, &c) != SYNK_OK) return NULL;
  if (synk_client_start(c, now) != SYNK_OK) {
    synk_client_destroy(c);
    return NULL;
  }
  return c;
}

/* Everything client c has to send, into the server. */
static int net_up(net_served *s, synk_client *c, uint32_t conn) {
  for (;;) {
    size_t len = 0;
    if (synk_client_poll(c, s->buf, s->cap, &len, s->now) != SYNK_OK) return -1;
    if (!len) return 0;
    synk_status st = synk_server_receive(s->srv, conn, s->buf, len, s->now);
    if (st != SYNK_OK) return -1;
  }
}

/* Everything the server has for connection i now: counted, and fed to its
 * real client if it has one. *client_ns: the real client's receive time. */
static int net_down(net_served *s, uint32_t i, uint64_t *bytes, uint64_t *client_ns) {
  for (;;) {
    size_t len = 0;
    if (synk_server_poll(s->srv, s->conn[i], s->buf, s->cap, &len, s->now) != SYNK_OK) return -1;
    if (!len) return 0;
    *bytes += len;
    if (s->real[i]) {
      uint64_t t0 = client_ns ? mono_ns() : 0;
      synk_status st = synk_client_receive(s->real[i], s->buf, len, s->now);
      if (client_ns) *client_ns += mono_ns() - t0;
      if (st != SYNK_OK) return -1;
    }
  }
}

static void net_served_free(net_served *s) {
  if (!s) return;
  for (uint32_t i = 0; i < NET_CLIENTS; i++) synk_client_destroy(s->real[i]);
  synk_server_destroy(s->srv);
  synk_world_destroy(s->w);
  net_input_free(&s->in);
  free(s->buf);
  free(s);
}

static synk_server *net_server_new(net_served *s, uint32_t max_clients) {
  synk_server_config sc;
  memset(&sc, 0, sizeof sc);
  sc.world = s->w;
  sc.room_id = NET_ROOM;
  sc.max_clients = max_clients;
  sc.grid = net_grid();
  sc.max_view_cells = 1;
  sc.max_view_ids = 1;
  /* byte sinks never ack nor ping: no timeout in the measured window */
  sc.timeout_ms = 0x7FFFFFFFu;
  sc.heartbeat_ms = 0x7FFFFFFFu;
  sc.grace_ms = 0x7FFFFFFFu;
  sc.max_bulk_jobs = 8;
  sc.resume_key[0] = 0x6E65742D62656E63ull; /* fixed: the benchmark is reproducible */
  sc.resume_key[1] = 0x682D726573756D65ull;
  sc.on_event = net_on_event;
  sc.ctx = s;
  sc.hooks.before_encode = net_before_encode;
  sc.hooks.after_encode = net_after_encode;
  sc.hooks.ctx = s;
  synk_server *srv = NULL;
  if (synk_server_create(&sc, &srv) != SYNK_OK) return NULL;
  return srv;
}

/* Join client index i viewing `cell`; real: keep its endpoint, else a sink. */
static int net_join(net_served *s, uint32_t i, uint32_t cell, int real) {
  synk_client *c = net_client_new(s->now);
  if (!c) return -1;
  if (synk_server_connect(s->srv, s->now, &s->conn[i]) != SYNK_OK) {
    synk_client_destroy(c);
    return -1;
  }
  s->pending_cell = cell;
  s->joined_id = UINT32_MAX;
  s->cell[i] = cell;
  int bad = net_up(s, c, s->conn[i]);
  s->id[i] = s->joined_id;
  if (real) s->real[i] = c;
  else synk_client_destroy(c);
  return bad || s->id[i] == UINT32_MAX ? -1 : 0;
}

/* Poll every connection until a whole pass yields nothing (joins queue
 * behind max_bulk_jobs). */
static int net_drain(net_served *s) {
  for (int pass = 0; pass < 100000; pass++) {
    uint64_t got = 0;
    for (uint32_t i = 0; i < s->nclients; i++) {
      if (net_down(s, i, &got, NULL)) return -1;
      if (s->real[i] && net_up(s, s->real[i], s->conn[i])) return -1;
    }
    if (!got) return 0;
  }
  return -1;
}

/* Compare every real client with the server's hash of its view. */
static int net_verify(net_served *s) {
  int bad = 0;
  for (uint32_t i = 0; i < s->nclients; i++) {
    if (!s->real[i]) continue;
    uint64_t h = 0;
    if (synk_server_view_hash(s->srv, s->id[i], &h) != SYNK_OK ||
        synk_client_get_state(s->real[i]) != SYNK_CLIENT_LIVE ||
        synk_client_frame(s->real[i]) != synk_frame(s->w) || synk_client_confirmed_hash(s->real[i]) != h) {
      if (!s->mismatches)
        fprintf(stderr,
                "net bench: client %u (cell %u) at frame %" PRIu64 " hash %016" PRIx64 " state %d, server frame %" PRIu64
                " view hash %016" PRIx64 "\n",
                s->id[i], s->cell[i], synk_client_frame(s->real[i]), synk_client_confirmed_hash(s->real[i]),
                (int)synk_client_get_state(s->real[i]), synk_frame(s->w), h);
      s->mismatches++;
      bad = 1;
    }
  }
  return bad;
}

static net_served *net_served_new(uint32_t nclients) {
  net_served *s = (net_served *)calloc(1, sizeof *s);
  if (!s) return NULL;
  s->now = 1000;
  s->nclients = nclients;
  s->w = net_make_world();
  if (!s->w || net_input_make(&s->in) != 0 || !(s->srv = net_server_new(s, nclients ? nclients : 1))) {
    net_served_free(s);
    return NULL;
  }
  s->cap = synk_server_frame_bound(s->srv);
  if (s->cap < 65536) s->cap = 65536;
  s->buf = (uint8_t *)malloc(s->cap);
  if (!s->buf) {
    net_served_free(s);
    return NULL;
  }
  const uint32_t every = nclients / NET_SAMPLE ? nclients / NET_SAMPLE : 1;
  for (uint32_t i = 0; i < nclients; i++) {
    /* real clients spread over the cells: i = 0, 125, 250, ... */
    if (net_join(s, i, i % NET_CELLS, i % every == 0 && i / every < NET_SAMPLE) != 0) {
      fprintf(stderr, "net bench: join of client %u failed\n", i);
      net_served_free(s);
      return NULL;
    }
    /* drain as we go: at most max_bulk_jobs snapshots are in flight */
    if ((i % 64 == 63 || i + 1 == nclients) && net_drain(s) != 0) {
      fprintf(stderr, "net bench: draining the joins failed\n");
      net_served_free(s);
      return NULL;
    }
  }
  if (nclients && net_verify(s)) {
    net_served_free(s);
    return NULL;
  }
  return s;
}

/* One tick: the measured step of the net/tick cases (and of the figures). */
static int net_tick(net_served *s) {
  const synk_event *ev = s->in.ev[s->tick % NET_TICKS];
  s->now += NET_TICK_MS;
  s->t_first_encode = s->t_encode = 0;
  uint64_t t0 = s->timing ? mono_ns() : 0;
  size_t bad = 0;
  int fail = synk_server_apply(s->srv, ev, NET_MOVERS, &bad) != SYNK_OK;
  uint64_t t1 = s->timing ? mono_ns() : 0;
  s->t_tick_start = t1;
  fail |= synk_server_tick(s->srv, s->now) != SYNK_OK;
  uint64_t t2 = s->timing ? mono_ns() : 0;
  uint64_t bytes = 0, cl_ns = 0;
  for (uint32_t i = 0; i < s->nclients && !fail; i++) fail |= net_down(s, i, &bytes, s->timing ? &cl_ns : NULL) != 0;
  /* the real clients' acks into the server */
  for (uint32_t i = 0; i < s->nclients && !fail; i++)
    if (s->real[i]) fail |= net_up(s, s->real[i], s->conn[i]) != 0;
  uint64_t t3 = s->timing ? mono_ns() : 0;
  s->t_apply = t1 - t0;
  s->t_tick = t2 - t1;
  s->t_poll = t3 - t2 - cl_ns;
  s->t_clients = cl_ns;
  s->tick_bytes = bytes;
  s->bytes_total += bytes;
  s->ticks_total++;
  s->tick++;
  fail |= net_verify(s);
  if (fail) s->bad_status++;
  return fail;
}

/* ---- phase records (medians at teardown, for the report) ------------------------- */

typedef struct net_phase_rec {
  uint64_t *v[8];
  size_t n;
} net_phase_rec;

static int phase_init(net_phase_rec *r, int k) {
  memset(r, 0, sizeof *r);
  for (int i = 0; i < k; i++)
    if (!(r->v[i] = (uint64_t *)malloc(NET_PHASE_RUNS * sizeof(uint64_t)))) return -1;
  return 0;
}
static void phase_add(net_phase_rec *r, int k, const uint64_t *vals) {
  size_t slot = r->n % NET_PHASE_RUNS;
  for (int i = 0; i < k; i++) r->v[i][slot] = vals[i];
  r->n++;
}
static double phase_median(net_phase_rec *r, int i) {
  size_t n = r->n < NET_PHASE_RUNS ? r->n : NET_PHASE_RUNS;
  return r->v[i] ? median_u64(r->v[i], n) : 0;
}
static void phase_free(net_phase_rec *r) {
  for (int i = 0; i < 8; i++) free(r->v[i]);
}

static net_timing net_phases; /* the last measured medians */

/* ---- net/tick/1000c-1e5 ----------------------------------------------------------- */

typedef struct tick_state {
  net_served *s;
  net_phase_rec ph;
} tick_state;

enum { PH_APPLY, PH_TICK, PH_POLL, PH_CLIENTS, PH_FIRST_ENCODE, PH_ENCODE, PH_N };

static void *setup_tick(const synk_bench_case *c) {
  tick_state *t = (tick_state *)calloc(1, sizeof *t);
  if (!t) return NULL;
  t->s = net_served_new((uint32_t)c->ops > 1 ? (uint32_t)c->ops : 0);
  if (!t->s || phase_init(&t->ph, PH_N) != 0) {
    net_served_free(t->s);
    phase_free(&t->ph);
    free(t);
    return NULL;
  }
  t->s->timing = 1;
  return t;
}

static void run_tick(void *p) {
  tick_state *t = (tick_state *)p;
  if (net_tick(t->s)) synk_bench_failed = 1;
  uint64_t v[PH_N] = {t->s->t_apply, t->s->t_tick, t->s->t_poll, t->s->t_clients, t->s->t_first_encode,
                      t->s->t_encode};
  phase_add(&t->ph, PH_N, v);
}

static void teardown_tick(void *p) {
  tick_state *t = (tick_state *)p;
  net_served *s = t->s;
  if (t->ph.n > 1) {
    net_timing *o = &net_phases;
    const int zero = s->nclients == 0;
    double *dst = zero ? o->zero : o->full;
    for (int i = 0; i < PH_N; i++) dst[i] = phase_median(&t->ph, i);
    if (zero) o->zero_runs = t->ph.n;
    else {
      o->full_runs = t->ph.n;
      o->verified = s->verified;
      o->mismatches = s->mismatches + s->desyncs;
      o->checked_ticks = s->ticks_total;
    }
  }
  phase_free(&t->ph);
  net_served_free(s);
  free(t);
}

static uint64_t digest_tick(void *p) { return synk_hash(((tick_state *)p)->s->w); }
static const void *world_tick(void *p) { return ((tick_state *)p)->s->w; }

/* ---- the interest mirror of the peers ------------------------------------------------ */

/* The peers keep their own copy of the state and of every entity's cell,
 * as a service without synk would; per tick they turn the motions into each
 * view's changes: a move inside a cell, or a despawn from the old cell and a
 * spawn (full state) into the new one. */
typedef struct net_rec {
  uint32_t id, from, to, fields;
} net_rec;

typedef struct net_mirror {
  net_input in;
  synk_entity *e;   /* NET_ENTITIES states */
  uint8_t *cell;    /* cell of each id */
  net_rec *rec;     /* this tick's changes, bucketed by view: */
  uint32_t *order;  /* 2 * NET_MOVERS indices into rec (a crossing counts in two cells) */
  uint32_t *is_spawn; /* per order slot: 0 move, 1 spawn, 2 despawn */
  uint32_t start[NET_CELLS + 1];
  uint32_t count[NET_CELLS]; /* entities per cell */
  uint32_t clients[NET_CELLS];
  uint64_t tick;
} net_mirror;

static void mirror_free(net_mirror *m) {
  net_input_free(&m->in);
  free(m->e);
  free(m->cell);
  free(m->rec);
  free(m->order);
  free(m->is_spawn);
}

static int mirror_init(net_mirror *m) {
  memset(m, 0, sizeof *m);
  synk_world *w = net_make_world();
  m->e = (synk_entity *)calloc(NET_ENTITIES, sizeof *m->e);
  m->cell = (uint8_t *)malloc(NET_ENTITIES);
  m->rec = (net_rec *)malloc(NET_MOVERS * sizeof *m->rec);
  m->order = (uint32_t *)malloc(2 * NET_MOVERS * sizeof *m->order);
  m->is_spawn = (uint32_t *)malloc(2 * NET_MOVERS * sizeof *m->is_spawn);
  int ok = w && m->e && m->cell && m->rec && m->order && m->is_spawn && net_input_make(&m->in) == 0;
  for (uint32_t id = 0; ok && id < NET_ENTITIES; id++) {
    ok = synk_get(w, id, &m->e[id]) == SYNK_OK;
    m->cell[id] = (uint8_t)net_cell(m->e[id].x, m->e[id].y);
    m->count[m->cell[id]]++;
  }
  for (uint32_t i = 0; i < NET_CLIENTS; i++) m->clients[i % NET_CELLS]++;
  synk_world_destroy(w);
  if (!ok) mirror_free(m);
  return ok ? 0 : -1;
}

/* Apply the next tick's motions to the mirror and bucket its changes. */
static void mirror_tick(net_mirror *m) {
  const synk_motion *mv = m->in.mv[m->tick % NET_TICKS];
  uint32_t cnt[NET_CELLS];
  memset(cnt, 0, sizeof cnt);
  for (uint32_t i = 0; i < NET_MOVERS; i++) {
    synk_entity *e = &m->e[mv[i].id];
    e->x = (int32_t)((uint32_t)e->x + (uint32_t)mv[i].dx);
    e->y = (int32_t)((uint32_t)e->y + (uint32_t)mv[i].dy);
    e->z = (int32_t)((uint32_t)e->z + (uint32_t)mv[i].dz);
    uint32_t from = m->cell[mv[i].id], to = net_cell(e->x, e->y);
    net_rec r = {mv[i].id, from, to, (mv[i].dx != 0) | (uint32_t)(mv[i].dy != 0) << 1 | (uint32_t)(mv[i].dz != 0) << 2};
    m->rec[i] = r;
    cnt[from]++;
    if (to != from) {
      cnt[to]++;
      m->cell[mv[i].id] = (uint8_t)to;
      m->count[from]--;
      m->count[to]++;
    }
  }
  m->start[0] = 0;
  for (uint32_t c = 0; c < NET_CELLS; c++) m->start[c + 1] = m->start[c] + cnt[c];
  uint32_t fill[NET_CELLS];
  memcpy(fill, m->start, sizeof fill);
  /* ids ascending within a cell (the motions are sorted): despawn before spawn never mixes in one cell */
  for (uint32_t i = 0; i < NET_MOVERS; i++) {
    const net_rec *r = &m->rec[i];
    if (r->from == r->to) {
      m->order[fill[r->from]] = i;
      m->is_spawn[fill[r->from]++] = 0;
    } else {
      m->order[fill[r->from]] = i;
      m->is_spawn[fill[r->from]++] = 2;
      m->order[fill[r->to]] = i;
      m->is_spawn[fill[r->to]++] = 1;
    }
  }
  m->tick++;
}

/* ---- peer/json-delta ------------------------------------------------------------------- */

typedef struct json_state {
  net_mirror m;
  json_peer_change *ch;
  char *out; /* the transport's buffer: one copy per client */
  size_t out_cap;
  uint64_t bytes;
} json_state;

static void teardown_json(void *p) {
  json_state *j = (json_state *)p;
  mirror_free(&j->m);
  free(j->ch);
  free(j->out);
  free(j);
}

static void *setup_json(const synk_bench_case *c) {
  (void)c;
  if (!json_peer_available()) return NULL;
  json_state *j = (json_state *)calloc(1, sizeof *j);
  if (!j) return NULL;
  j->out_cap = 1u << 20;
  if (mirror_init(&j->m) != 0 || !(j->ch = (json_peer_change *)malloc(2 * NET_MOVERS * sizeof *j->ch)) ||
      !(j->out = (char *)malloc(j->out_cap))) {
    free(j->ch);
    free(j->out);
    free(j);
    return NULL;
  }
  return j;
}

/* One tick of the JSON peer; per view the encoded delta's length in len[]. */
static int json_tick(json_state *j, long *len) {
  net_mirror *m = &j->m;
  mirror_tick(m);
  int bad = 0;
  for (uint32_t c = 0; c < NET_CELLS; c++) {
    size_t n = 0;
    for (uint32_t k = m->start[c]; k < m->start[c + 1]; k++, n++) {
      const net_rec *r = &m->rec[m->order[k]];
      json_peer_change *ch = &j->ch[n];
      ch->what = m->is_spawn[k] == 0 ? JSON_PEER_MOVE : m->is_spawn[k] == 1 ? JSON_PEER_SPAWN : JSON_PEER_DESPAWN;
      ch->fields = r->fields;
      ch->e = m->e[r->id];
    }
    char *text = NULL;
    long l = json_peer_encode(m->tick, j->ch, n, NET_PROPS, &text);
    if (l < 0 || (size_t)l > j->out_cap) {
      json_peer_free(text);
      bad = 1;
      continue;
    }
    for (uint32_t k = 0; k < m->clients[c]; k++) memcpy(j->out, text, (size_t)l); /* handed to each client's transport */
    j->bytes += (uint64_t)l * m->clients[c];
    if (len) len[c] = l;
    json_peer_free(text);
  }
  return bad;
}

#if defined(SYNK_BENCH_HAVE_JANSSON)
static void run_json(void *p) {
  if (json_tick((json_state *)p, NULL)) synk_bench_failed = 1;
}
#endif

/* ---- peer/snapshot ---------------------------------------------------------------------- */

typedef struct snap_state {
  net_mirror m;
  synk_world *view[NET_CELLS]; /* one world per view group: exactly the cell's entities */
  synk_event *ev;
  uint8_t *snap, *out;
  size_t snap_cap;
  uint64_t bytes;
} snap_state;

static void teardown_snap(void *p) {
  snap_state *s = (snap_state *)p;
  for (uint32_t c = 0; c < NET_CELLS; c++) synk_world_destroy(s->view[c]);
  mirror_free(&s->m);
  free(s->ev);
  free(s->snap);
  free(s->out);
  free(s);
}

static void *setup_snap(const synk_bench_case *bc) {
  (void)bc;
  snap_state *s = (snap_state *)calloc(1, sizeof *s);
  if (!s) return NULL;
  if (mirror_init(&s->m) != 0) {
    free(s);
    return NULL;
  }
  s->ev = (synk_event *)malloc(2 * NET_MOVERS * (2 + NET_PROPS) * sizeof *s->ev);
  s->snap_cap = 52 + 8 * ((NET_ENTITIES + 63) / 64) + (size_t)NET_ENTITIES * 4 * (4 + NET_PROPS);
  s->snap = (uint8_t *)malloc(s->snap_cap);
  s->out = (uint8_t *)malloc(s->snap_cap);
  int ok = s->ev && s->snap && s->out;
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_entities = NET_ENTITIES;
  cfg.num_props = NET_PROPS;
  cfg.seed = NET_SEED;
  for (uint32_t c = 0; ok && c < NET_CELLS; c++) ok = synk_world_create(&cfg, &s->view[c]) == SYNK_OK;
  for (uint32_t id = 0; ok && id < NET_ENTITIES; id++) {
    const synk_entity *e = &s->m.e[id];
    synk_world *v = s->view[s->m.cell[id]];
    ok = synk_spawn(v, id, e->kind, e->x, e->y, e->z) == SYNK_OK;
    for (uint32_t q = 0; ok && q < NET_PROPS; q++) ok = synk_set_prop(v, id, q, e->props[q]) == SYNK_OK;
  }
  if (!ok) {
    teardown_snap(s);
    return NULL;
  }
  return s;
}

/* One tick of the snapshot peer: the views' worlds take the tick's changes,
 * then each is saved and handed to each of its clients. */
static int snap_tick(snap_state *s, size_t *len) {
  net_mirror *m = &s->m;
  const synk_motion *mv = m->in.mv[m->tick % NET_TICKS];
  mirror_tick(m);
  int bad = 0;
  for (uint32_t c = 0; c < NET_CELLS; c++) {
    size_t n = 0;
    for (uint32_t k = m->start[c]; k < m->start[c + 1]; k++) {
      const uint32_t i = m->order[k];
      const net_rec *r = &m->rec[i];
      const synk_entity *e = &m->e[r->id];
      if (m->is_spawn[k] == 0) {
        synk_event ev = {SYNK_EV_MOTION, r->id, 0, mv[i].dx, mv[i].dy, mv[i].dz};
        s->ev[n++] = ev;
      } else if (m->is_spawn[k] == 2) {
        synk_event ev = {SYNK_EV_DESPAWN, r->id, 0, 0, 0, 0};
        s->ev[n++] = ev;
      } else {
        synk_event ev = {SYNK_EV_SPAWN, r->id, e->kind, e->x, e->y, e->z};
        s->ev[n++] = ev;
        for (uint32_t q = 0; q < NET_PROPS; q++) {
          synk_event pe = {SYNK_EV_PROP, r->id, q, e->props[q], 0, 0};
          s->ev[n++] = pe;
        }
      }
    }
    synk_event t = {SYNK_EV_TICK, 0, 1, 0, 0, 0};
    s->ev[n++] = t;
    size_t l = 0;
    bad |= synk_events_apply(s->view[c], s->ev, n, NULL) != SYNK_OK;
    bad |= synk_snapshot_save(s->view[c], s->snap, s->snap_cap, &l) != SYNK_OK;
    for (uint32_t k = 0; k < m->clients[c]; k++) memcpy(s->out, s->snap, l); /* handed to each client's transport */
    s->bytes += (uint64_t)l * m->clients[c];
    if (len) len[c] = l;
  }
  return bad;
}

static void run_snap(void *p) {
  if (snap_tick((snap_state *)p, NULL)) synk_bench_failed = 1;
}

static uint64_t digest_snap(void *p) {
  snap_state *s = (snap_state *)p;
  uint64_t h = 0;
  for (uint32_t c = 0; c < NET_CELLS; c++) h += synk_hash(s->view[c]);
  return h;
}

/* ---- net/apply-bare/1e5 ---------------------------------------------------------------- */

typedef struct bare_state {
  synk_world *w;
  net_input in;
  uint64_t tick, acc;
} bare_state;

static void teardown_bare(void *p) {
  bare_state *b = (bare_state *)p;
  synk_world_destroy(b->w);
  net_input_free(&b->in);
  free(b);
}

static void *setup_bare(const synk_bench_case *c) {
  (void)c;
  bare_state *b = (bare_state *)calloc(1, sizeof *b);
  if (!b) return NULL;
  b->w = net_make_world();
  if (!b->w || net_input_make(&b->in) != 0) {
    synk_world_destroy(b->w);
    free(b);
    return NULL;
  }
  return b;
}

static void run_bare(void *p) {
  bare_state *b = (bare_state *)p;
  size_t bad = 0;
  if (synk_apply_motions(b->w, b->in.mv[b->tick++ % NET_TICKS], NET_MOVERS, &bad) != SYNK_OK) synk_bench_failed = 1;
  synk_tick(b->w);
}

static uint64_t digest_bare(void *p) { return synk_hash(((bare_state *)p)->w); }
static const void *world_bare(void *p) { return ((bare_state *)p)->w; }

/* ---- net/entity-hash/1e5 ------------------------------------------------------------- */

/* synk_entity_hash of every entity the tick changes: what any view-hash
 * scheme over the public API pays per changed entity (the new state's
 * h(e); the old one is known from the previous tick). */
static void run_ehash(void *p) {
  bare_state *b = (bare_state *)p;
  const synk_motion *mv = b->in.mv[b->tick++ % NET_TICKS];
  uint64_t acc = 0, h = 0;
  for (uint32_t i = 0; i < NET_MOVERS; i++) {
    if (synk_entity_hash(b->w, mv[i].id, &h) != SYNK_OK) synk_bench_failed = 1;
    acc += h;
  }
  b->acc += acc;
}

/* ---- net/join/1e5 --------------------------------------------------------------------- */

typedef struct join_state {
  net_served *s;
  net_phase_rec ph;
  uint64_t joins;
  uint64_t bytes; /* server -> client bytes of the last join */
} join_state;

enum { PJ_TOTAL, PJ_SERVER, PJ_CLIENT, PJ_N };

static void *setup_join(const synk_bench_case *c) {
  (void)c;
  join_state *j = (join_state *)calloc(1, sizeof *j);
  if (!j) return NULL;
  j->s = net_served_new(0);
  if (!j->s || phase_init(&j->ph, PJ_N) != 0) {
    net_served_free(j->s);
    phase_free(&j->ph);
    free(j);
    return NULL;
  }
  j->s->nclients = 1; /* the slot the joins reuse: index 0 */
  return j;
}

/* One join: HELLO to a loaded snapshot of the view (timed in phases), then
 * the client is kicked and its connection closed. */
static int join_once(join_state *j) {
  net_served *s = j->s;
  uint64_t t0 = mono_ns(), server_ns = 0, client_ns = 0;
  s->now += 1;
  synk_client *c = net_client_new(s->now);
  if (!c) return -1;
  s->real[0] = c;
  s->cell[0] = (uint32_t)(j->joins % NET_CELLS);
  s->pending_cell = s->cell[0];
  s->joined_id = UINT32_MAX;
  int bad = synk_server_connect(s->srv, s->now, &s->conn[0]) != SYNK_OK;
  uint64_t bytes = 0;
  for (int round = 0; !bad && round < 64 && synk_client_get_state(c) != SYNK_CLIENT_LIVE; round++) {
    uint64_t a = mono_ns();
    bad |= net_up(s, c, s->conn[0]);
    server_ns += mono_ns() - a;
    uint64_t before = client_ns;
    a = mono_ns();
    bad |= net_down(s, 0, &bytes, &client_ns);
    server_ns += mono_ns() - a - (client_ns - before);
  }
  s->id[0] = s->joined_id;
  uint64_t t1 = mono_ns();
  bad |= synk_client_get_state(c) != SYNK_CLIENT_LIVE;
  if (!bad) {
    uint64_t h = 0;
    bad |= synk_server_view_hash(s->srv, s->id[0], &h) != SYNK_OK || h != synk_client_confirmed_hash(c);
    if (bad && !s->mismatches++)
      fprintf(stderr, "net bench: join: client %u hash %016" PRIx64 " != view hash %016" PRIx64 "\n", s->id[0],
              synk_client_confirmed_hash(c), h);
  }
  /* leave: kick, drain the CLOSE, close the connection */
  if (s->id[0] != UINT32_MAX) bad |= synk_server_kick(s->srv, s->id[0], SYNK_NET_R_KICKED) != SYNK_OK;
  s->real[0] = NULL;
  uint64_t drop = 0;
  bad |= net_down(s, 0, &drop, NULL);
  bad |= synk_server_disconnect(s->srv, s->conn[0], s->now) != SYNK_OK;
  synk_client_destroy(c);
  j->bytes = bytes;
  j->joins++;
  uint64_t v[PJ_N] = {t1 - t0, server_ns, client_ns};
  phase_add(&j->ph, PJ_N, v);
  return bad ? -1 : 0;
}

static void run_join(void *p) {
  if (join_once((join_state *)p)) synk_bench_failed = 1;
}

static void teardown_join(void *p) {
  join_state *j = (join_state *)p;
  if (j->ph.n > 1) {
    net_phases.join_total = phase_median(&j->ph, PJ_TOTAL);
    net_phases.join_server = phase_median(&j->ph, PJ_SERVER);
    net_phases.join_client = phase_median(&j->ph, PJ_CLIENT);
    net_phases.join_runs = j->ph.n;
    net_phases.join_bytes = j->bytes;
  }
  phase_free(&j->ph);
  net_served_free(j->s);
  free(j);
}

static uint64_t digest_join(void *p) { return synk_hash(((join_state *)p)->s->w); }
static const void *world_join(void *p) { return ((join_state *)p)->s->w; }

/* ---- the table --------------------------------------------------------------------------- */

#define HV SYNK_BENCH_HEAVY
static const synk_bench_case net_cases[] = {
    {"net/tick/1000c-1e5", "net/tick", "1000 clients, 1e5 entities, 1-cell views", 1000, NET_CLIENTS, "client-tick",
     HV, NULL, NULL, "net/crowd-1e5-tick",
     "one server tick for 1000 clients (apply 10k motions, tick, poll every connection), per client",
     setup_tick, run_tick, teardown_tick, digest_tick, world_tick, NULL},
#if defined(SYNK_BENCH_HAVE_JANSSON)
    {"net/tick/1000c-1e5/peer/json-delta", "peer/json-delta", "1000 clients, 1e5 entities", 1000, NET_CLIENTS,
     "client-tick", SYNK_BENCH_PEER | HV, "net/tick/1000c-1e5", NULL, NULL,
     "the same changes as per-view JSON deltas (libjansson, the Java service's shape), a copy per client",
     setup_json, run_json, teardown_json, NULL, NULL, NULL},
#endif
    {"net/tick/1000c-1e5/peer/snapshot", "peer/snapshot", "1000 clients, 1e5 entities", 1000, NET_CLIENTS,
     "client-tick", SYNK_BENCH_PEER | HV, "net/tick/1000c-1e5", NULL, NULL,
     "a full snapshot per tick of each view's world (kept current), a copy per client", setup_snap, run_snap,
     teardown_snap, digest_snap, NULL, NULL},
    {"net/tick/0c-1e5", "net/tick", "no clients, 1e5 entities", 0, 1, "tick", HV, NULL, NULL, "net/crowd-1e5-tick",
     "the same apply + tick on a server with no client (ops 1: per tick)", setup_tick, run_tick, teardown_tick,
     digest_tick, world_tick, NULL},
    {"net/apply-bare/1e5", "net/apply-bare", "1e5 entities, 10k motions", 1e5, 1, "tick", HV, NULL, NULL,
     "net/crowd-1e5-tick",
     "synk_apply_motions + synk_tick of the same motions on a bare world: the tick's apply cost", setup_bare,
     run_bare, teardown_bare, digest_bare, world_bare, NULL},
    {"net/entity-hash/1e5", "net/entity-hash", "1e5 entities, 10k changed", 1e5, 1, "tick", HV, NULL, NULL, NULL,
     "synk_entity_hash of the 10k entities a tick changes (the floor of any view-hash upkeep over the API)",
     setup_bare, run_ehash, teardown_bare, NULL, NULL, NULL},
    {"net/join/1e5", "net/join", "1 client joins a 1e5 world (a 1-cell view)", 1e5, 1, "join", HV, NULL, NULL, NULL,
     "HELLO to a loaded snapshot of a one-cell view (both endpoints), then kick and close", setup_join, run_join,
     teardown_join, digest_join, world_join, NULL},
};
#undef HV

/* ---- byte figures (deterministic) ---------------------------------------------------------- */

/* The JSON peer on the byte figures' ticks: its bytes, its changes (which
 * must be synk's), one tick's messages decoded back. 0, or -1. */
static int net_measure_json(net_bytes *f, uint32_t ticks) {
  int bad = 0;
  json_state *j = (json_state *)setup_json(NULL);
  if (!j) return -1;
  long len[NET_CELLS];
  uint64_t changes = 0;
  for (uint32_t t = 0; t < ticks && !bad; t++) {
    bad |= json_tick(j, len);
    changes += j->m.start[NET_CELLS];
    if (t == 0) { /* decode one tick's messages back: the shape and the counts */
      for (uint32_t c = 0; c < NET_CELLS && !bad; c++) {
        /* re-encode cell c of this tick to read it back */
        size_t n = 0;
        for (uint32_t k = j->m.start[c]; k < j->m.start[c + 1]; k++, n++) {
          const net_rec *r = &j->m.rec[j->m.order[k]];
          json_peer_change *ch = &j->ch[n];
          ch->what = j->m.is_spawn[k] == 0 ? JSON_PEER_MOVE : j->m.is_spawn[k] == 1 ? JSON_PEER_SPAWN : JSON_PEER_DESPAWN;
          ch->fields = r->fields;
          ch->e = j->m.e[r->id];
        }
        char *text = NULL;
        long l = json_peer_encode(j->m.tick, j->ch, n, NET_PROPS, &text);
        uint64_t ver = 0;
        size_t mv = 0, sp = 0, de = 0;
        bad |= l != len[c] || !text || json_peer_count(text, &ver, &mv, &sp, &de) != 0 || ver != j->m.tick ||
               mv + sp + de != n;
        if (c == 0 && text) snprintf(f->json_sample, sizeof f->json_sample, "%.*s", (int)sizeof f->json_sample - 1, text);
        json_peer_free(text);
      }
    }
  }
  f->json_bytes = (double)j->bytes / ((double)ticks * NET_CLIENTS);
  f->json_changes = (double)changes / ticks;
  f->have_json = 1;
  teardown_json(j);
  if (bad) return -1;
  /* the same changes, seen by both (per view: moves + spawns + despawns) */
  if (f->json_changes != f->synk_changes) {
    fprintf(stderr, "net bench: the JSON peer saw %.1f changes per tick, synk's views %.1f\n", f->json_changes,
            f->synk_changes);
    return -1;
  }
  return 0;
}

/* Fills f; 0, or -1 when a step failed (a client's hash differed, the peer
 * and synk saw different changes). */
static int net_measure_bytes(net_bytes *f) {
  memset(f, 0, sizeof *f);
  const uint32_t ticks = 2 * NET_TICKS;
  net_served *s = net_served_new(NET_CLIENTS);
  if (!s) return -1;
  s->want_group_events = 1;
  uint64_t bytes = 0, mn = UINT64_MAX, mx = 0;
  uint64_t synk_changes = 0;
  int bad = 0;
  /* per-client bytes: sum over the ticks of each connection's polled bytes */
  uint64_t *per = (uint64_t *)calloc(NET_CLIENTS, sizeof *per);
  if (!per) bad = 1;
  for (uint32_t t = 0; t < ticks && !bad; t++) {
    s->ngroups_seen = 0;
    /* as net_tick, with the bytes kept per connection */
    const synk_event *ev = s->in.ev[s->tick % NET_TICKS];
    s->now += NET_TICK_MS;
    size_t bi = 0;
    bad |= synk_server_apply(s->srv, ev, NET_MOVERS, &bi) != SYNK_OK;
    bad |= synk_server_tick(s->srv, s->now) != SYNK_OK;
    for (uint32_t i = 0; i < NET_CLIENTS && !bad; i++) {
      uint64_t b = 0;
      bad |= net_down(s, i, &b, NULL) != 0;
      per[i] += b;
      bytes += b;
    }
    for (uint32_t i = 0; i < NET_CLIENTS && !bad; i++)
      if (s->real[i]) bad |= net_up(s, s->real[i], s->conn[i]) != 0;
    s->tick++;
    bad |= net_verify(s);
    for (uint32_t g = 0; g < s->ngroups_seen; g++) synk_changes += s->group_events[g];
  }
  for (uint32_t i = 0; i < NET_CLIENTS; i++) {
    mn = per[i] < mn ? per[i] : mn;
    mx = per[i] > mx ? per[i] : mx;
  }
  free(per);
  f->ticks = ticks;
  f->clients = NET_CLIENTS;
  f->real_clients = NET_SAMPLE;
  f->synk_bytes = (double)bytes / ((double)ticks * NET_CLIENTS);
  f->synk_min = (double)mn / ticks;
  f->synk_max = (double)mx / ticks;
  f->synk_changes = (double)synk_changes / ticks; /* per tick, over the groups */
  f->verified = s->verified;
  f->mismatches = s->mismatches + s->desyncs;
  synk_server_stats ss;
  synk_server_get_stats(s->srv, &ss);
  f->groups = ss.groups;
  f->world_snapshot_bytes = (double)synk_snapshot_size(s->w);
  net_served_free(s);
  if (bad) return -1;

  if (json_peer_available() && net_measure_json(f, ticks) != 0) return -1;

  /* a snapshot per tick of each view: the exact size from its world */
  snap_state *sn = (snap_state *)setup_snap(NULL);
  if (!sn) return -1;
  for (uint32_t t = 0; t < ticks && !bad; t++) bad |= snap_tick(sn, NULL);
  f->snapshot_bytes = (double)sn->bytes / ((double)ticks * NET_CLIENTS);
  teardown_snap(sn);
  return bad ? -1 : 0;
}

/* ---- the report: targets and the "Server-authoritative sync" section ------------------------ */

/* The byte figures, computed once when the net/tick case ran (a fresh setup
 * of its workload over 16 ticks: deterministic, not timed). */
static const net_bytes *net_figures(const synk_bench_results *rs) {
  static net_bytes figs;
  static int state = 0; /* 0: not yet, 1: ok, -1: failed or not measured */
  if (!state) state = synk_bench_measured(rs, "net/tick/1000c-1e5", "-") && net_measure_bytes(&figs) == 0 ? 1 : -1;
  return state > 0 ? &figs : NULL;
}

/* JSON-delta peer bytes / synk bytes per client per tick; -1: not measured. */
static double net_json_ratio(const synk_bench_results *rs) {
  const net_bytes *f = net_figures(rs);
  return f && f->have_json && f->synk_bytes > 0 ? f->json_bytes / f->synk_bytes : -1;
}

/* The net tick's view bookkeeping beyond the bare apply of the same events
 * (ns per tick): synk_server_apply + synk_server_tick up to its first
 * encoding (in-case clock medians) minus net/apply-bare/1e5. -1: not measured. */
static double net_bookkeeping_ns(const synk_bench_results *rs) {
  const synk_bench_result *bare = synk_bench_measured(rs, "net/apply-bare/1e5", "-");
  if (!net_phases.full_runs || !bare || !net_figures(rs)) return -1;
  return net_phases.full[0] + net_phases.full[4] - bare->ns_run;
}

/* That bookkeeping as a percentage of the bare apply; -1: not measured. */
static double net_bookkeeping_share(const synk_bench_results *rs) {
  const synk_bench_result *bare = synk_bench_measured(rs, "net/apply-bare/1e5", "-");
  const double u = net_bookkeeping_ns(rs);
  if (u < 0 || !bare) return -1;
  return u > 0 ? 100.0 * u / bare->ns_run : 1e-9; /* 0 would read as "not measured" */
}

static const synk_bench_target net_targets[] = {
    SYNK_BENCH_OP_AT_MOST("server CPU per client per tick: 1000 clients, 1e5 crowd, 1-cell views (apply + tick + "
                          "polls)",
                          "net/tick/1000c-1e5", "-", NET_GOAL_CPU_NS),
    SYNK_BENCH_FIGURE_AT_LEAST("bytes per client per tick >= 20x fewer than the JSON-delta peer on the same changes",
                               "net/tick/1000c-1e5", "-", NET_GOAL_JSON_X, "x fewer bytes", 1,
                               "json_bytes_over_synk_bytes", net_json_ratio),
    SYNK_BENCH_FIGURE_AT_MOST("view bookkeeping (upper bound on the view-hash upkeep) <= 15% of the tick's bare apply",
                              "net/tick/1000c-1e5", "-", NET_GOAL_SHARE_PCT, "% of the apply", 1,
                              "view_bookkeeping_pct_of_apply", net_bookkeeping_share),
};

static void write_net_intro(FILE *f, const net_bytes *b) {
  const net_timing *ph = &net_phases;
  fprintf(f,
          "One server (net/, `synk_net.h`) with a 1e5-entity crowd world (4 props; a 10 x 10 grid of 1024-unit "
          "cells, one cell 1%% of the world; 10%% of the entities move per tick by -3..3 in x and y and -1..1 in z, "
          "ticks 4..7 undoing ticks 0..3) and %u clients with one-cell views (10 per cell: %u view groups), all "
          "joined (bench/cases_net.c). %u of the clients are real `synk_client` endpoints whose confirmed hash is "
          "checked against `synk_server_view_hash` after every tick (%" PRIu64 " ticks checked in the timed case, "
          "%" PRIu64 " acks verified, %" PRIu64 " mismatches; in the byte run %" PRIu64 " acks verified, %" PRIu64
          " mismatches); the others are byte sinks. Times: this run's medians, per client per tick = per tick / %u. "
          "Bytes: a fresh setup over %u ticks (deterministic): every byte the server's polls return for a "
          "connection; the JSON peer's are payload bytes only (no transport framing), its moves list only the "
          "fields that changed.\n\n",
          b->clients, b->groups, b->real_clients, ph->checked_ticks, ph->verified, ph->mismatches, b->verified,
          b->mismatches, b->clients, b->ticks);
}

/* The rows of the server's CPU and of the bytes against the two peers. */
static void write_net_cpu_bytes(FILE *f, const synk_bench_results *rs, const synk_bench_result *tick,
                                const net_bytes *b) {
  const net_timing *ph = &net_phases;
  const synk_bench_result *json = synk_bench_measured(rs, "net/tick/1000c-1e5/peer/json-delta", "-");
  const synk_bench_result *snap = synk_bench_measured(rs, "net/tick/1000c-1e5/peer/snapshot", "-");
  char t1[32], t2[32], t3[32], t4[32];
  synk_bench_fmt_time(t1, sizeof t1, tick->ns_op);
  synk_bench_fmt_time(t2, sizeof t2, (ph->full[0] + ph->full[1] + ph->full[2]) / (double)b->clients);
  synk_bench_fmt_time(t3, sizeof t3, tick->cpu_ns_op);
  fprintf(f, "| server CPU per client per tick: apply 10k motions + tick + poll every connection | `%s` | %s "
             "(thread CPU time %s; the in-case phase medians below, the real clients' receive left out, sum to %s) | "
             "<= %.0f µs, one core | %s |\n",
          tick->c->name, t1, t3, t2, NET_GOAL_CPU_NS / 1e3, tick->ns_op <= NET_GOAL_CPU_NS ? "met" : "**missed**");
  synk_bench_fmt_time(t1, sizeof t1, ph->full[0]);
  synk_bench_fmt_time(t2, sizeof t2, ph->full[1]);
  synk_bench_fmt_time(t3, sizeof t3, ph->full[2]);
  synk_bench_fmt_time(t4, sizeof t4, ph->full[3]);
  fprintf(f, "| ... of which per tick (in-case clock medians) | `%s` | apply %s, tick %s, polls %s; real clients' "
             "receive %s | | |\n",
          tick->c->name, t1, t2, t3, t4);
  fprintf(f, "| bytes per client per tick | `%s` | %.1f B (clients' means %.1f..%.1f) | | |\n", tick->c->name,
          b->synk_bytes, b->synk_min, b->synk_max);
  if (b->have_json) {
    const double ratio = b->json_bytes / b->synk_bytes;
    fprintf(f, "| JSON-delta peer, bytes per client per tick | `net/tick/1000c-1e5/peer/json-delta` | %.1f B: "
               "**%.1fx** synk's | synk >= %.0fx fewer | %s |\n",
            b->json_bytes, ratio, NET_GOAL_JSON_X, ratio >= NET_GOAL_JSON_X ? "met" : "**missed**");
    if (json) {
      synk_bench_fmt_time(t1, sizeof t1, json->ns_op);
      fprintf(f, "| JSON-delta peer, CPU per client per tick (per-view encoding with libjansson, a copy per "
                 "client) | `%s` | %s (%.1fx synk's) | | |\n",
              json->c->name, t1, json->ns_op / tick->ns_op);
    }
  } else {
    fprintf(f, "| JSON-delta peer | - | not built (libjansson-dev was not found at build time) | synk >= %.0fx fewer "
               "bytes | not measured |\n", NET_GOAL_JSON_X);
  }
  fprintf(f, "| snapshot per tick of each view's world, bytes per client per tick | "
             "`net/tick/1000c-1e5/peer/snapshot` | %.0f B (%.0fx synk's; the whole world's snapshot: %.0f B) | | |\n",
          b->snapshot_bytes, b->snapshot_bytes / b->synk_bytes, b->world_snapshot_bytes);
  if (snap) {
    synk_bench_fmt_time(t1, sizeof t1, snap->ns_op);
    fprintf(f, "| snapshot per tick, CPU per client per tick | `%s` | %s (%.1fx synk's) | | |\n", snap->c->name, t1,
            snap->ns_op / tick->ns_op);
  }
}

static void write_net_join(FILE *f, const synk_bench_results *rs) {
  const net_timing *ph = &net_phases;
  const synk_bench_result *join = synk_bench_measured(rs, "net/join/1e5", "-");
  if (!join) return;
  char t1[32], t2[32], t3[32], t4[32];
  synk_bench_fmt_time(t1, sizeof t1, join->ns_run);
  synk_bench_fmt_time(t2, sizeof t2, ph->join_total);
  synk_bench_fmt_time(t3, sizeof t3, ph->join_server);
  synk_bench_fmt_time(t4, sizeof t4, ph->join_client);
  fprintf(f, "| join cost per client: HELLO to a loaded snapshot of its one-cell view | `%s` | %s (in-case: "
             "HELLO to live %s = server %s + client %s; %" PRIu64 " B sent); the run includes the kick and close "
             "| | |\n",
          join->c->name, t1, t2, t3, t4, ph->join_bytes);
}

/* The view bookkeeping beyond the bare apply, and its two references. */
static void write_net_bookkeeping(FILE *f, const synk_bench_results *rs, const synk_bench_result *tick) {
  const synk_bench_result *bare = synk_bench_measured(rs, "net/apply-bare/1e5", "-");
  const synk_bench_result *zero = synk_bench_measured(rs, "net/tick/0c-1e5", "-");
  const synk_bench_result *eh = synk_bench_measured(rs, "net/entity-hash/1e5", "-");
  const double u = net_bookkeeping_ns(rs);
  if (u < 0 || !bare) return;
  char t1[32], t2[32], t3[32];
  synk_bench_fmt_time(t1, sizeof t1, bare->ns_run);
  synk_bench_fmt_time(t2, sizeof t2, u);
  const double share = 100.0 * u / bare->ns_run;
  fprintf(f, "| view bookkeeping beyond the bare apply, per tick | `%s`, `%s` | %s = **%.1f%%** of the bare "
             "apply (%s) | view hash <= %.0f%% of the apply | %s |\n",
          tick->c->name, bare->c->name, t2, share, t1, NET_GOAL_SHARE_PCT,
          share <= NET_GOAL_SHARE_PCT ? "met (an upper bound)" : "**missed** (an upper bound: see below)");
  if (zero) {
    synk_bench_fmt_time(t3, sizeof t3, zero->ns_run - bare->ns_run);
    fprintf(f, "| ... the same with no client (no view group) | `%s` | %s = %.1f%% of the bare apply | | |\n",
            zero->c->name, t3, 100.0 * (zero->ns_run - bare->ns_run) / bare->ns_run);
  }
  if (eh) {
    synk_bench_fmt_time(t3, sizeof t3, eh->ns_run);
    fprintf(f, "| ... floor: `synk_entity_hash` of the tick's 10k changed entities | `%s` | %s = %.1f%% of the "
               "bare apply | | |\n",
            eh->c->name, t3, 100.0 * eh->ns_run / bare->ns_run);
  }
}

static void write_net_notes(FILE *f, const net_bytes *b) {
  char t4[32];
  synk_bench_fmt_time(t4, sizeof t4, net_phases.full[5]);
  fprintf(f,
          "\nWhat the view-hash row measures, exactly: the view hashes cannot be switched off from outside the "
          "library, so the row takes the server's whole bookkeeping for the tick: `synk_server_apply` (the "
          "old-state copy of each changed entity, then the apply) plus `synk_server_tick` from its start to its "
          "first `before_encode` hook (the world tick, then per changed entity its new `synk_entity_hash`, its "
          "cell, the visibility and running sums of the view groups that see it, then the first group's event "
          "list), both medians of clock reads inside `net/tick/1000c-1e5`, minus the bare apply of the same "
          "events (`net/apply-bare/1e5`: `synk_apply_motions` + `synk_tick` on a world without a server). It is "
          "an upper bound on the view-hash upkeep: the view sums are one part of it. The rows below it are "
          "references: the same server with no client (its change tracking alone), and the `synk_entity_hash` "
          "calls any view-hash scheme over the public API needs (the world hash already hashes each changed "
          "entity inside the apply, but does not expose it). Encoding per tick: %s over %u groups (in-case "
          "median, `before_encode` to `after_encode`).\n",
          t4, b->groups);
  if (b->have_json && b->json_sample[0])
    fprintf(f, "\nThe JSON peer's message for one view, first bytes: `%.120s...`\n", b->json_sample);
}

static void write_net(FILE *f, const synk_bench_results *rs) {
  const synk_bench_result *tick = synk_bench_result_of(rs, "net/tick/1000c-1e5", "-");
  const net_bytes *b = net_figures(rs);
  if (!tick || tick->failed || !b) {
    fprintf(f, "Not measured in this run (the net/tick/1000c-1e5 case did not run%s).\n",
            tick && !tick->failed ? ", or its byte figures failed: see stderr" : "");
    return;
  }
  write_net_intro(f, b);
  fprintf(f, "| quantity | case | measured | issue's target | status |\n|:--|:--|--:|--:|:--|\n");
  write_net_cpu_bytes(f, rs, tick, b);
  write_net_join(f, rs);
  write_net_bookkeeping(f, rs, tick);
  write_net_notes(f, b);
}

static const synk_bench_section net_sections[] = {{"Server-authoritative sync", 40, write_net}};

const synk_bench_file synk_bench_file_net = {
    .cases = net_cases, .ncases = sizeof net_cases / sizeof net_cases[0],
    .targets = net_targets, .ntargets = sizeof net_targets / sizeof net_targets[0],
    .sections = net_sections, .nsections = sizeof net_sections / sizeof net_sections[0]};
