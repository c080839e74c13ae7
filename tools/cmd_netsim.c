/* SPDX-License-Identifier: MIT */
/*
 * `synk netsim`: N session peers over the deterministic network simulator,
 * playing a synthetic game on a crowd world, in one process. Prints per-peer
 * stats, bytes per player per frame, rollbacks, stalls, every peer's final
 * hash and desync reports; exits 1 when the peers' final hashes differ.
 *
 * The game: player p owns entity p and moves it by its input (two signed
 * bytes); its input also pushes one crowd entity; 1% of the crowd drifts
 * every frame. Inputs change about every 6 frames. --desync-at F makes peer
 * 1 move three crowd entities once at frame F, as a bug in its simulation
 * would: the session must report that frame and exactly those ids.
 */
#include "cmd_netsim.h"

#include "opt.h"
#include "rng.h"
#include "synk.h"
#include "synk_netsim.h"
#include "synk_session.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char synk_cli_netsim_usage[] =
    "usage: synk netsim [--mode lockstep|rollback] [--players N] [--frames F] [--latency MS]\n"
    "                   [--jitter MS] [--loss P] [--dup P] [--reorder P] [--seed S]\n"
    "                   [--desync-at FRAME] [--entities E] [--delay D] [--prediction W]\n"
    "Runs N peers (one player each, 2..16) over the network simulator at 60 Hz on a\n"
    "synthetic game and prints per-peer stats, bytes per player per frame, rollbacks,\n"
    "stalls, the final hash of every peer and desync reports. Probabilities P are\n"
    "0..1 (e.g. --loss 0.2); latency and jitter are one-way, per link. Defaults:\n"
    "rollback, 2 players, 3600 frames, 30 ms latency, no jitter or loss, seed 1, a\n"
    "4096-entity world, no input delay, a prediction window of 8 frames (lockstep: 0).\n"
    "--desync-at F corrupts peer 1's simulation at frame F (three crowd entities).\n"
    "Exits 0 when every peer ends with the same hash, 1 when they differ, 2 on a\n"
    "usage error.\n";

#define NS_CORRUPT 3

typedef struct ns_opts {
  int lockstep;
  uint32_t players, latency, jitter, entities, delay, prediction;
  uint32_t loss_ppm, dup_ppm, reorder_ppm;
  uint64_t frames, seed, desync_at;
} ns_opts;

typedef struct ns_peer {
  synk_world *w;
  synk_session *s;
  uint8_t input[4];
  synk_rng rng; /* the inputs' only randomness (support/rng.h, as in `synk sim`) */
  int pending;
  uint64_t desync_frame;
  uint32_t desync_ids[SYNK_SESSION_MAX_IDS], ndesync;
  int desync_more;
  int have_final;
  uint64_t last_hash;  /* the world after the latest simulation of the last frame */
  uint64_t final_hash; /* ... once no rollback can reach it any more */
} ns_peer;

enum {
  NS_MODE = 256, NS_PLAYERS, NS_FRAMES, NS_LATENCY, NS_JITTER, NS_ENTITIES, NS_DELAY, NS_PREDICTION, NS_SEED,
  NS_DESYNC_AT, NS_LOSS, NS_DUP, NS_REORDER
};

static const synk_opt ns_options[] = {
    {"mode", NS_MODE, SYNK_OPT_CHOICE, 0, 0, "lockstep|rollback"},
    {"players", NS_PLAYERS, SYNK_OPT_NUMBER, 2, SYNK_SESSION_MAX_PEERS, NULL},
    {"frames", NS_FRAMES, SYNK_OPT_NUMBER, 1, 100000000, NULL},
    {"latency", NS_LATENCY, SYNK_OPT_NUMBER, 0, 10000, NULL},
    {"jitter", NS_JITTER, SYNK_OPT_NUMBER, 0, 10000, NULL},
    {"entities", NS_ENTITIES, SYNK_OPT_NUMBER, 64, 1u << 24, NULL},
    {"delay", NS_DELAY, SYNK_OPT_NUMBER, 0, SYNK_SESSION_MAX_DELAY, NULL},
    {"prediction", NS_PREDICTION, SYNK_OPT_NUMBER, 0, SYNK_SESSION_MAX_PREDICTION, NULL},
    {"seed", NS_SEED, SYNK_OPT_NUMBER, 0, UINT64_MAX, NULL},
    {"desync-at", NS_DESYNC_AT, SYNK_OPT_NUMBER, 0, UINT64_MAX - 1, NULL},
    {"loss", NS_LOSS, SYNK_OPT_PROB, 0, 0, NULL},
    {"dup", NS_DUP, SYNK_OPT_PROB, 0, 0, NULL},
    {"reorder", NS_REORDER, SYNK_OPT_PROB, 0, 0, NULL},
};

/* -1: run; otherwise the exit status (0 after --help, 2 on a usage error) */
static int ns_parse(int argc, char **argv, ns_opts *o) {
  memset(o, 0, sizeof *o);
  o->players = 2;
  o->frames = 3600;
  o->latency = 30;
  o->seed = 1;
  o->entities = 4096;
  o->prediction = 8;
  o->desync_at = UINT64_MAX;
  int pred_set = 0;
  synk_opt_parser p;
  synk_opt_init(&p, "synk netsim", synk_cli_netsim_usage, ns_options, sizeof ns_options / sizeof ns_options[0], argc,
                argv);
  for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
    switch (k) {
    case NS_MODE: o->lockstep = p.num == 0; break;
    case NS_PLAYERS: o->players = (uint32_t)p.num; break;
    case NS_FRAMES: o->frames = p.num; break;
    case NS_LATENCY: o->latency = (uint32_t)p.num; break;
    case NS_JITTER: o->jitter = (uint32_t)p.num; break;
    case NS_ENTITIES: o->entities = (uint32_t)p.num; break;
    case NS_DELAY: o->delay = (uint32_t)p.num; break;
    case NS_PREDICTION:
      o->prediction = (uint32_t)p.num;
      pred_set = 1;
      break;
    case NS_SEED: o->seed = p.num; break;
    case NS_DESYNC_AT: o->desync_at = p.num; break;
    case NS_LOSS: o->loss_ppm = (uint32_t)p.num; break;
    case NS_DUP: o->dup_ppm = (uint32_t)p.num; break;
    case NS_REORDER: o->reorder_ppm = (uint32_t)p.num; break;
    default: return synk_opt_stop(&p, k);
    }
  }
  if (o->lockstep) {
    if (pred_set && o->prediction) return synk_opt_fail(&p, 0, "lockstep has no prediction window");
    o->prediction = 0;
  } else if (o->prediction == 0) {
    return synk_opt_fail(&p, 0, "rollback needs --prediction >= 1 (0 is --mode lockstep)");
  }
  return -1;
}

/* The frame's simulation: every player's input moves its entity and pushes
 * one crowd entity; 1% of the crowd drifts; peer 1 may be corrupted once. */
static int ns_simulate(const ns_opts *o, uint32_t peer, synk_world *w, uint64_t frame, const uint8_t *inputs) {
  const uint32_t E = o->entities, NP = o->players;
  int bad = 0;
  for (uint32_t p = 0; p < NP; p++) {
    const uint8_t *in = inputs + (size_t)p * 4;
    const int32_t dx = (int8_t)in[0], dy = (int8_t)in[1];
    bad |= synk_move(w, p, dx, dy, 0) != SYNK_OK;
    const uint32_t pushed = NP + (uint32_t)((in[2] * 131u + p * 17u + (uint32_t)(frame % 29)) % (E - NP));
    bad |= synk_move(w, pushed, dx, 1, 0) != SYNK_OK;
  }
  for (uint32_t k = 0; k < E / 100; k++) {
    const uint32_t id = NP + (uint32_t)(((frame * 97 + k) * 2654435761u) % (E - NP));
    bad |= synk_move(w, id, 1, -1, 0) != SYNK_OK;
  }
  if (peer == 1 && frame == o->desync_at)
    for (uint32_t i = 0; i < NS_CORRUPT; i++) bad |= synk_move(w, NP + 10 + 97 * i, 1000, 0, 0) != SYNK_OK;
  return bad;
}

static int ns_setup(const ns_opts *o, synk_netsim **ns, ns_peer *P) {
  synk_netsim_config nc;
  synk_netsim_config_defaults(&nc);
  nc.nodes = o->players;
  nc.capacity = 16384;
  nc.max_len = SYNK_SESSION_DEFAULT_MTU;
  nc.seed = o->seed ^ 0x6E65747369ull;
  if (synk_netsim_create(&nc, ns)) return -1;
  synk_netsim_link link;
  memset(&link, 0, sizeof link);
  link.latency_ms = o->latency;
  link.jitter_ms = o->jitter;
  link.loss_ppm = o->loss_ppm;
  link.dup_ppm = o->dup_ppm;
  link.reorder_ppm = o->reorder_ppm;
  if (synk_netsim_set_link(*ns, UINT32_MAX, UINT32_MAX, &link)) return -1;
  for (uint32_t i = 0; i < o->players; i++) {
    synk_config wc;
    memset(&wc, 0, sizeof wc);
    wc.max_entities = o->entities;
    wc.num_props = 2;
    wc.seed = o->seed ^ 0x676D6Bull;
    if (synk_world_create(&wc, &P[i].w)) return -1;
    for (uint32_t id = 0; id < o->entities; id++)
      if (synk_spawn(P[i].w, id, id % 5, (int32_t)(id * 37 % 4000) - 2000, (int32_t)(id * 53 % 4000) - 2000, 0))
        return -1;
    synk_session_config sc;
    memset(&sc, 0, sizeof sc);
    sc.num_players = o->players;
    sc.num_peers = o->players;
    sc.local_peer = i;
    for (uint32_t p = 0; p < o->players; p++) sc.player_peer[p] = (uint8_t)p;
    sc.input_size = 4;
    sc.input_delay = o->delay;
    sc.max_prediction = o->prediction;
    sc.desync_interval = 30;
    sc.session_id = (uint32_t)(o->seed * 2654435761u) ^ 0x51u;
    sc.world = P[i].w;
    if (synk_session_create(&sc, &P[i].s)) return -1;
    synk_rng_seed(&P[i].rng, o->seed * 1000003u + i);
    P[i].desync_frame = UINT64_MAX;
  }
  return 0;
}

static void ns_events(ns_peer *p) {
  synk_session_event ev;
  while (synk_session_next_event(p->s, &ev) == SYNK_OK) {
    if (ev.type == SYNK_SEV_DESYNC_LOCALIZED && p->desync_frame == UINT64_MAX) {
      p->desync_frame = ev.frame;
      p->ndesync = ev.num_ids;
      memcpy(p->desync_ids, ev.ids, ev.num_ids * sizeof ev.ids[0]);
      p->desync_more = (int)ev.more_ids;
    }
  }
}

/* One peer's turn: its next input (a byte changes about every 6 frames),
 * advance, carry out the requests. Peers play on past the last frame F - 1
 * until its inputs are all known (the session's confirmed count reaches F)
 * and a step has run since (the rollback they may cause is done): the
 * latest simulation of F - 1 is then final -- a frame predicted right is
 * never simulated again. Every peer plays on until all have theirs (one
 * that stopped would leave the others waiting for its inputs). Returns 1
 * when the simulation failed. */
static int ns_step(const ns_opts *o, uint32_t i, ns_peer *p, uint64_t now, uint64_t *stalls) {
  if (!p->pending) {
    if (synk_rng_below(&p->rng, 6) == 0) p->input[synk_rng_below(&p->rng, 4)] = (uint8_t)synk_rng_next(&p->rng);
    p->pending = 1;
  }
  synk_session_add_local_input(p->s, i, p->input);
  synk_status s = synk_session_advance(p->s, now);
  if (s == SYNK_SESSION_STALL) {
    (*stalls)++;
    return 0;
  }
  if (s) return 1;
  p->pending = 0;
  synk_session_request rq;
  int bad = 0;
  while (synk_session_next_request(p->s, &rq) == SYNK_OK) {
    if (rq.type != SYNK_REQ_ADVANCE) continue;
    bad |= ns_simulate(o, i, p->w, rq.frame, rq.inputs);
    if (rq.frame + 1 == o->frames) p->last_hash = synk_hash(p->w); /* the session ticks after the request */
  }
  synk_session_stats st;
  synk_session_get_stats(p->s, &st);
  if (!p->have_final && st.confirmed >= o->frames && st.frame >= o->frames) {
    p->have_final = 1;
    p->final_hash = p->last_hash;
  }
  return bad;
}

int synk_cli_netsim(int argc, char **argv) {
  ns_opts o;
  const int status = ns_parse(argc, argv, &o);
  if (status >= 0) return status;
  synk_netsim *ns = NULL;
  ns_peer P[SYNK_SESSION_MAX_PEERS];
  memset(P, 0, sizeof P);
  uint64_t stalls[SYNK_SESSION_MAX_PEERS] = {0};
  static uint8_t buf[65536];
  int rc = 1;
  if (ns_setup(&o, &ns, P)) {
    fprintf(stderr, "synk netsim: setup failed\n");
    goto done;
  }
  /* 60 Hz ticks; a bound on the run: a session stalled for good ends it */
  const uint64_t max_ticks = o.frames * 4 + 6000;
  uint64_t tick = 0, refused = 0;
  int all_done = 0, sim_bad = 0;
  for (; tick < max_ticks && !all_done; tick++) {
    const uint64_t now = tick * 50 / 3;
    uint32_t from, to;
    size_t len;
    while (synk_netsim_recv(ns, now, &from, &to, buf, sizeof buf, &len) == SYNK_OK)
      refused += synk_session_receive(P[to].s, now, from, buf, len) != SYNK_OK;
    all_done = 1;
    for (uint32_t i = 0; i < o.players; i++) {
      sim_bad |= ns_step(&o, i, &P[i], now, &stalls[i]);
      ns_events(&P[i]);
      all_done &= P[i].have_final;
    }
    for (uint32_t i = 0; i < o.players; i++)
      while (synk_session_poll(P[i].s, now, &to, buf, sizeof buf, &len) == SYNK_OK) synk_netsim_send(ns, now, i, to, buf, len);
  }
  synk_netsim_stats nst;
  synk_netsim_get_stats(ns, &nst);
  printf("%s, %u players, %" PRIu64 " frames, latency %u ms, jitter %u ms, loss %.3f, dup %.3f, reorder %.3f, seed %" PRIu64
         "\n",
         o.lockstep ? "lockstep" : "rollback", o.players, o.frames, o.latency, o.jitter, o.loss_ppm / 1e6,
         o.dup_ppm / 1e6, o.reorder_ppm / 1e6, o.seed);
  printf("network: %" PRIu64 " datagrams sent, %" PRIu64 " delivered, %" PRIu64 " lost, %" PRIu64
         " duplicated; %" PRIu64 " refused by a session\n",
         nst.sent, nst.delivered, nst.lost, nst.duplicated, refused);
  printf("%-5s %8s %9s %9s %10s %9s %7s %12s %6s  %-18s\n", "peer", "frame", "rollbacks", "max depth", "resim", "stalls",
         "rtt ms", "B/player/fr", "checks", "final hash");
  uint64_t first = 0;
  int differ = 0, incomplete = 0;
  for (uint32_t i = 0; i < o.players; i++) {
    synk_session_stats st;
    synk_session_get_stats(P[i].s, &st);
    uint64_t sent = 0, rtt = 0;
    for (uint32_t j = 0; j < o.players; j++) {
      if (j == i) continue;
      synk_session_peer_stats ps;
      if (synk_session_get_peer_stats(P[i].s, j, &ps) == SYNK_OK) {
        sent += ps.bytes_sent;
        rtt = ps.rtt_ms > rtt ? ps.rtt_ms : rtt;
      }
    }
    /* bytes this peer put on the wire per frame, for its one player, per receiver */
    const double bpf = st.frame ? (double)sent / (double)st.frame / (double)(o.players - 1) : 0.0;
    const uint64_t h = P[i].final_hash;
    if (i == 0) first = h;
    differ |= h != first;
    incomplete |= !P[i].have_final;
    printf("%-5u %8" PRIu64 " %9" PRIu64 " %9u %10" PRIu64 " %9" PRIu64 " %7" PRIu64 " %12.2f %6" PRIu64
           "  0x%016" PRIx64 "\n",
           i, st.frame, st.rollbacks, st.max_rollback, st.rollback_frames, stalls[i], rtt, bpf, st.checks, h);
  }
  for (uint32_t i = 0; i < o.players; i++) {
    if (P[i].desync_frame == UINT64_MAX) continue;
    printf("peer %u: desync at frame %" PRIu64 ", entities", i, P[i].desync_frame);
    for (uint32_t k = 0; k < P[i].ndesync; k++) printf(" %u", P[i].desync_ids[k]);
    printf("%s\n", P[i].desync_more ? " (and more)" : "");
  }
  if (sim_bad) fprintf(stderr, "synk netsim: the game's simulation failed (an event was refused)\n");
  if (incomplete) fprintf(stderr, "synk netsim: not every peer confirmed frame %" PRIu64 "\n", o.frames - 1);
  if (differ) printf("final hashes differ\n");
  else printf("final hashes equal\n");
  rc = differ || incomplete || sim_bad ? 1 : 0;
done:
  for (uint32_t i = 0; i < o.players; i++) {
    synk_session_destroy(P[i].s);
    synk_world_destroy(P[i].w);
  }
  synk_netsim_destroy(ns);
  return rc;
}
