/* SPDX-License-Identifier: MIT */
/*
 * A mesh of session peers over the network simulator, playing a synthetic
 * game: each player's input moves its own entity and pushes one entity of the
 * crowd; a few crowd entities drift every frame. Used by the session tests
 * (and by examples through the same public API).
 *
 * The harness records, per peer, the world hash after the latest simulation
 * of every frame (spec) and after its confirmed simulation (conf), and every
 * session event, so tests can check the peers agree frame by frame.
 */
#ifndef SYNK_SESSION_TEST_UTIL_H
#define SYNK_SESSION_TEST_UTIL_H

#include "synk_netsim.h"
#include "synk_session.h"
#include "test_util.h"

#define SM_MAX_EV 64

typedef struct sm_cfg {
  uint32_t peers, players_per_peer, input_size, delay, prediction, interval, entities, mtu;
  uint32_t spectators; /* the last `spectators` peers own no player: they watch */
  uint64_t frames, seed;
  synk_netsim_link link;
  int corrupt_peer; /* -1: none */
  uint64_t corrupt_frame;
  uint32_t ncorrupt, corrupt_ids[4];
  int quiet;
} sm_cfg;

typedef struct sm_peer {
  synk_world *w;
  synk_session *s;
  t_rng rng;
  uint8_t input[SYNK_SESSION_MAX_PLAYERS][SYNK_SESSION_MAX_INPUT];
  int input_pending;
  uint64_t *spec, *conf; /* [frames + 1] hashes after simulating each frame; 0: none */
  uint64_t *ck;          /* [frames / interval + 1] the session's final checkpoint hashes */
  uint64_t next_ck;      /* next checkpoint frame to ask the session for */
  uint64_t frame;        /* the session's next frame */
  uint32_t wait;
  uint64_t stalls, conf_twice, conf_mismatch, unconfirmed_lockstep, bad_request;
  uint32_t nev;
  synk_session_event ev[SM_MAX_EV];
  uint64_t ev_frame[SM_MAX_EV]; /* our frame when the event was taken */
  uint32_t counts[16];          /* events by type */
} sm_peer;

typedef struct sm {
  sm_cfg c;
  uint32_t nplayers;
  synk_netsim *ns;
  sm_peer p[SYNK_SESSION_MAX_PEERS];
  uint64_t refused, ticks;
  uint8_t buf[65536];
} sm;

/* 2 peers of one player, 4-byte inputs, 8 frames of prediction, a check
 * every 30 frames, 1024 entities, 20 000 frames, a perfect network */
static inline sm_cfg sm_default_cfg(void) {
  sm_cfg c;
  memset(&c, 0, sizeof c);
  c.peers = 2;
  c.players_per_peer = 1;
  c.input_size = 4;
  c.prediction = 8;
  c.interval = 30;
  c.entities = 1024;
  c.frames = 20000;
  c.seed = 1;
  c.corrupt_peer = -1;
  return c;
}

static inline uint64_t sm_now(uint64_t tick) { return tick * 50 / 3; } /* 60 Hz */

static inline void sm_game_apply(const sm *m, uint32_t peer, synk_world *w, uint64_t frame,
                                 const uint8_t *inputs) {
  const uint32_t E = m->c.entities, NP = m->nplayers, B = m->c.input_size;
  int bad = 0;
  for (uint32_t p = 0; p < NP; p++) {
    const uint8_t *in = inputs + (size_t)p * B;
    int32_t dx = (int8_t)in[0], dy = B > 1 ? (int8_t)in[1] : 0;
    bad |= synk_move(w, p, dx, dy, 0) != SYNK_OK;
    uint32_t pushed = NP + (uint32_t)((in[0] * 31u + p * 7u + (uint32_t)(frame % 13)) % (E - NP));
    bad |= synk_move(w, pushed, dx, 1, 0) != SYNK_OK;
    if (B > 2) bad |= synk_set_prop(w, p, 0, (int32_t)(in[2] ^ (uint32_t)(frame & 0xFF))) != SYNK_OK;
  }
  for (uint32_t k = 0; k < 4; k++) {
    uint32_t id = NP + (uint32_t)(((frame * 4 + k) * 2654435761u) % (E - NP));
    bad |= synk_move(w, id, 1, -1, 0) != SYNK_OK;
  }
  if ((int)peer == m->c.corrupt_peer && frame == m->c.corrupt_frame)
    for (uint32_t i = 0; i < m->c.ncorrupt; i++) bad |= synk_move(w, m->c.corrupt_ids[i], 1000, 0, 0) != SYNK_OK;
  CHECK(!bad);
}

static inline int sm_create(sm *m, const sm_cfg *c) {
  memset(m, 0, sizeof *m);
  m->c = *c;
  m->nplayers = (c->peers - c->spectators) * c->players_per_peer;
  synk_netsim_config nc;
  synk_netsim_config_defaults(&nc);
  nc.nodes = c->peers;
  nc.capacity = 8192;
  nc.max_len = c->mtu ? c->mtu : SYNK_SESSION_DEFAULT_MTU;
  nc.seed = c->seed ^ 0x5E55u;
  if (synk_netsim_create(&nc, &m->ns) != SYNK_OK) return 0;
  synk_netsim_set_link(m->ns, UINT32_MAX, UINT32_MAX, &c->link);
  for (uint32_t i = 0; i < c->peers; i++) {
    sm_peer *P = &m->p[i];
    synk_config wc = {c->entities, 2, 42, NULL, NULL};
    if (synk_world_create(&wc, &P->w) != SYNK_OK) return 0;
    for (uint32_t id = 0; id < c->entities; id++)
      synk_spawn(P->w, id, id % 4, (int32_t)(id * 7), (int32_t)(id * 13), 0);
    synk_session_config sc;
    memset(&sc, 0, sizeof sc);
    sc.num_players = m->nplayers;
    sc.num_peers = c->peers;
    sc.local_peer = i;
    for (uint32_t p = 0; p < m->nplayers; p++) sc.player_peer[p] = (uint8_t)(p / c->players_per_peer);
    sc.input_size = c->input_size;
    sc.input_delay = c->delay;
    sc.max_prediction = c->prediction;
    sc.desync_interval = c->interval;
    sc.mtu = c->mtu;
    sc.session_id = 0xC0FFEE;
    sc.world = P->w;
    if (synk_session_create(&sc, &P->s) != SYNK_OK) return 0;
    t_seed(&P->rng, c->seed * 977 + i);
    P->spec = (uint64_t *)calloc(c->frames + 1, 8);
    P->conf = (uint64_t *)calloc(c->frames + 1, 8);
    P->ck = (uint64_t *)calloc(c->frames / (c->interval ? c->interval : 1) + 2, 8);
    if (!P->spec || !P->conf || !P->ck) return 0;
    P->next_ck = c->interval ? c->interval - 1 : UINT64_MAX;
  }
  return 1;
}

static inline void sm_destroy(sm *m) {
  for (uint32_t i = 0; i < m->c.peers; i++) {
    synk_session_destroy(m->p[i].s);
    synk_world_destroy(m->p[i].w);
    free(m->p[i].spec);
    free(m->p[i].conf);
    free(m->p[i].ck);
  }
  synk_netsim_destroy(m->ns);
}

/* carry out one planned step's requests */
static inline void sm_requests(sm *m, uint32_t i) {
  sm_peer *P = &m->p[i];
  synk_session_request rq;
  while (synk_session_next_request(P->s, &rq) == SYNK_OK) {
    if (rq.type == SYNK_REQ_ADVANCE) {
      if (synk_frame(P->w) != rq.frame || rq.frame >= m->c.frames) {
        P->bad_request++;
        continue;
      }
      if (m->c.prediction == 0 && !rq.confirmed) P->unconfirmed_lockstep++;
      sm_game_apply(m, i, P->w, rq.frame, rq.inputs);
      uint64_t h = synk_hash(P->w);
      P->spec[rq.frame] = h;
      if (rq.confirmed) {
        if (P->conf[rq.frame]) P->conf_twice++;
        P->conf[rq.frame] = h;
      }
    } else if (rq.type == SYNK_REQ_SAVE || rq.type == SYNK_REQ_LOAD) {
      if (synk_frame(P->w) != rq.frame) P->bad_request++;
    } else {
      P->bad_request++;
    }
  }
}

static inline void sm_events(sm *m, uint32_t i) {
  sm_peer *P = &m->p[i];
  synk_session_event ev;
  while (synk_session_next_event(P->s, &ev) == SYNK_OK) {
    if (ev.type < 16) P->counts[ev.type]++;
    if (ev.type == SYNK_SEV_WAIT) P->wait = ev.frames > 8 ? 8 : ev.frames;
    if (P->nev < SM_MAX_EV && ev.type != SYNK_SEV_WAIT) {
      P->ev_frame[P->nev] = P->frame;
      P->ev[P->nev++] = ev;
    }
  }
  /* the session's final checkpoints, in order; one that can no longer become
     final (its slot was reused, or held by a localization) is passed over */
  uint64_t h;
  synk_session_stats st;
  synk_session_get_stats(P->s, &st);
  while (P->next_ck < m->c.frames) {
    if (synk_session_final_hash(P->s, P->next_ck, &h) == SYNK_OK) P->ck[P->next_ck / m->c.interval] = h;
    else if (st.confirmed < P->next_ck + 3 * (uint64_t)m->c.interval) break;
    P->next_ck += m->c.interval;
  }
}

static inline void sm_step(sm *m, uint32_t i, uint64_t now) {
  sm_peer *P = &m->p[i];
  if (P->wait) {
    P->wait--;
    return;
  }
  synk_session_stats st;
  synk_session_get_stats(P->s, &st);
  if (st.frame >= m->c.frames) return;
  if (!P->input_pending) { /* the next inputs: each changes one byte about every 6 frames */
    for (uint32_t k = 0; k < m->c.players_per_peer && i < m->c.peers - m->c.spectators; k++)
      if (t_below(&P->rng, 6) == 0) P->input[k][t_below(&P->rng, m->c.input_size)] = (uint8_t)t_next(&P->rng);
    P->input_pending = 1;
  }
  for (uint32_t k = 0; k < m->c.players_per_peer && i < m->c.peers - m->c.spectators; k++)
    CHECK_ST(synk_session_add_local_input(P->s, i * m->c.players_per_peer + k, P->input[k]), SYNK_OK);
  synk_status s = synk_session_advance(P->s, now);
  if (s == SYNK_SESSION_STALL) {
    P->stalls++;
    return;
  }
  CHECK_ST(s, SYNK_OK);
  P->input_pending = 0;
  sm_requests(m, i);
  synk_session_get_stats(P->s, &st);
  P->frame = st.frame;
}

static inline void sm_deliver(sm *m, uint64_t now) {
  uint32_t from, to;
  size_t len;
  while (synk_netsim_recv(m->ns, now, &from, &to, m->buf, sizeof m->buf, &len) == SYNK_OK) {
    synk_status s = synk_session_receive(m->p[to].s, now, from, m->buf, len);
    if (s != SYNK_OK) {
      if (m->refused++ < 5) fprintf(stderr, "peer %u refused a datagram from %u: %s\n", to, from, synk_status_str(s));
    }
  }
}

static inline void sm_poll(sm *m, uint32_t i, uint64_t now) {
  uint32_t to;
  size_t len;
  while (synk_session_poll(m->p[i].s, now, &to, m->buf, sizeof m->buf, &len) == SYNK_OK)
    CHECK_ST(synk_netsim_send(m->ns, now, i, to, m->buf, len), SYNK_OK);
}

/* one tick of the whole mesh: deliveries, a step of every peer (a spectator
   that fell behind the first peer catches up with up to 4 steps), their
   datagrams */
static inline void sm_tick(sm *m) {
  uint64_t now = sm_now(m->ticks++);
  sm_deliver(m, now);
  for (uint32_t i = 0; i < m->c.peers; i++) {
    uint64_t before = m->p[i].frame;
    sm_step(m, i, now);
    for (int k = 0; k < 3 && i >= m->c.peers - m->c.spectators && m->p[i].frame > before &&
                    m->p[i].frame + 1 < m->p[0].frame; k++) {
      before = m->p[i].frame;
      sm_step(m, i, now);
    }
    sm_events(m, i);
  }
  for (uint32_t i = 0; i < m->c.peers; i++) sm_poll(m, i, now);
}

static inline int sm_all_done(const sm *m) {
  for (uint32_t i = 0; i < m->c.peers; i++) {
    synk_session_stats st;
    synk_session_get_stats(m->p[i].s, &st);
    if (st.frame < m->c.frames) return 0;
  }
  return 1;
}

#endif
