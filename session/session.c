/* SPDX-License-Identifier: MIT */
/*
 * Input sessions: lockstep and rollback over a caller-driven transport.
 * See session/include/synk_session.h for the contract and
 * docs/wire-format.md ("Session datagrams") for the bytes.
 *
 * Layer rule: this file uses synk.h only (the public kernel API).
 */
#include "session_wire.h"

#include "common/bytes.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT64_MAX
#define CK_SLOTS 4u
#define EVQ 64u
#define LOC_MAX_CHUNKS 8u
_Static_assert(SW_LOC_ENT_PIECES <= 8, "ents_recv holds a bit per piece");
#define PING_MS 1000u
#define RESEND_MS 16u
#define KEEPALIVE_MS 100u

typedef struct ck_rec {
  uint64_t frame; /* NONE: empty */
  uint64_t hash;
  uint64_t *chunks; /* nchunks sums */
  uint32_t *fp;     /* max_entities fingerprints, 0 for a dead id */
  uint32_t locks;   /* localizations using this record */
  int final;        /* recorded from confirmed inputs only: comparable */
  uint32_t acked_by; /* peers that acknowledged its report */
} ck_rec;

typedef struct peer_st {
  uint32_t nplayers;
  uint8_t players[SYNK_SESSION_MAX_PLAYERS];
  uint32_t block;     /* nplayers * input_size */
  uint64_t known;     /* its inputs: frames < known are received */
  uint64_t acked;     /* my inputs: frames < acked the peer has */
  uint64_t emax;      /* largest span end seen from it */
  uint32_t state;     /* 0 waiting, 1 connected, 2 interrupted, 3 disconnected */
  uint32_t last_recv_ms, last_send_ms, last_ping_ms;
  int sent_any, pinged, ack_dirty, pong_pending, synced;
  uint32_t pong_value;
  uint64_t last_sent_end;
  uint32_t rtt;
  int32_t remote_adv;
  int have_remote_adv;
  uint32_t last_wait_ms;
  int waited;
  /* hash reports */
  uint64_t last_report_frame;
  uint32_t last_report_ms;
  uint64_t rh_frame[CK_SLOTS], rh_hash[CK_SLOTS]; /* its reports awaiting mine */
  uint64_t cmp_frame[CK_SLOTS];                   /* the frames compared (a report repeats until acked) */
  int hashack_pending;
  uint64_t hashack_frame;
  int desynced;
  /* localization */
  int loc_active, loc_finished, loc_echo, loc_reported, loc_have_chunks, loc_have_ents, peer_has_chunks, peer_has_ents;
  uint64_t loc_frame;
  uint32_t loc_ck;
  uint64_t *chunk_recv, *chunk_diff; /* bitmaps over chunks */
  uint32_t chunks_recv_count;
  uint32_t ndiff;
  uint32_t diff_chunk[LOC_MAX_CHUNKS];
  int diff_more;
  uint8_t ents_recv[LOC_MAX_CHUNKS]; /* bit per received piece */
  uint32_t nids, ids[SYNK_SESSION_MAX_IDS];
  int ids_more;
  uint32_t loc_rr;
  synk_session_peer_stats st;
  uint32_t tx_start, rx_start, tx_bytes, rx_bytes; /* the current second of each direction */
  int tx_open, rx_open;
} peer_st;

struct synk_session {
  synk_session_config cfg;
  synk_allocator al;
  uint32_t np, B, P, D, Q;  /* players, input size, prediction, delay, history frames */
  uint32_t stride;          /* np * B: one frame of every player's input */
  uint8_t *in;              /* [Q][stride] known inputs */
  uint8_t *used;            /* [Q][stride] inputs of the last simulation of each frame */
  uint8_t *pending;         /* [stride] local inputs for the next advance */
  uint8_t *req_in;          /* [stride] the inputs of the current ADVANCE request */
  uint8_t *scratch;         /* mtu bytes: encoder's change records */
  uint32_t pending_set;     /* bit per local player */
  uint32_t local_mask;
  peer_st peers[SYNK_SESSION_MAX_PEERS];
  uint64_t frame;           /* next frame to plan */
  uint64_t local_end;       /* my inputs: frames < local_end committed */
  uint64_t mispredict;      /* first frame simulated with a wrong prediction */
  /* the planned step */
  int step_open, step_load, tick_pending, tick_confirmed;
  uint64_t step_cur, step_last, step_saved, tick_frame;
  /* world */
  synk_world *w;
  synk_ring *ring;
  uint64_t world_base;
  size_t nchunks;
  uint32_t max_entities;
  ck_rec ck[CK_SLOTS];
  /* sync test */
  uint32_t K;
  ck_rec *st_rec;           /* [K + 1] first-run records, by frame % (K + 1) */
  int st_phase, st_rerun, st_reported;
  uint64_t app_sum;         /* the application's checksum of the frame just advanced */
  int app_set;
  uint64_t *sums;           /* nchunks: scratch for synk_chunk_hashes */
  /* events */
  synk_session_event evq[EVQ];
  uint32_t ev_head, ev_count;
  uint32_t poll_rr;
  int timers_started;
  uint32_t start_ms, timers_ms;
  synk_session_stats st;
};

static void try_compare(synk_session *s, uint32_t q, uint32_t k);
static void make_final(synk_session *s, uint32_t k);
static void promote_finals(synk_session *s);
static void synctest_record(synk_session *s, uint64_t g);
static void fingerprint_chunks(synk_session *s, ck_rec *c, const ck_rec *prev);
static uint64_t state_hash(const synk_session *s);
static void record_state(synk_session *s, ck_rec *c, const ck_rec *prev);
static void synctest_compare(synk_session *s, uint64_t g);

/* ------------------------------------------------------------------ memory */
static void *s_malloc(void *ctx, size_t size, size_t align) {
  (void)ctx;
  (void)align; /* malloc's alignment covers every session buffer */
  return malloc(size);
}
static void s_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}
static void *zalloc(const synk_allocator *al, size_t n) {
  void *p = al->alloc(al->ctx, n ? n : 1, 16);
  if (p) memset(p, 0, n ? n : 1);
  return p;
}
static void zfree(const synk_allocator *al, void *p) {
  if (p) al->free(al->ctx, p);
}

/* ------------------------------------------------------------------ events */
static void push_event(synk_session *s, const synk_session_event *ev) {
  if (s->ev_count == EVQ) { /* drop the oldest */
    s->ev_head = (s->ev_head + 1) % EVQ;
    s->ev_count--;
    s->st.events_dropped++;
  }
  s->evq[(s->ev_head + s->ev_count) % EVQ] = *ev;
  s->ev_count++;
}
static void push_simple(synk_session *s, uint32_t type, uint32_t peer) {
  synk_session_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = type;
  ev.peer = peer;
  push_event(s, &ev);
}

int synk_session_next_event(synk_session *s, synk_session_event *ev) {
  if (!s || !ev || s->ev_count == 0) return 0;
  *ev = s->evq[s->ev_head];
  s->ev_head = (s->ev_head + 1) % EVQ;
  s->ev_count--;
  return 1;
}

/* ------------------------------------------------------------------ create */
static uint32_t pow2_at_least(uint32_t n) {
  uint32_t q = 1;
  while (q < n) q <<= 1;
  return q;
}

static int config_ok(const synk_session_config *c) {
  if (c->num_players < 1 || c->num_players > SYNK_SESSION_MAX_PLAYERS) return 0;
  if (c->num_peers < 1 || c->num_peers > SYNK_SESSION_MAX_PEERS) return 0;
  if (c->local_peer >= c->num_peers) return 0;
  if (c->input_size < 1 || c->input_size > SYNK_SESSION_MAX_INPUT) return 0;
  if (c->input_delay > SYNK_SESSION_MAX_DELAY) return 0;
  if (c->max_prediction > SYNK_SESSION_MAX_PREDICTION) return 0;
  for (uint32_t p = 0; p < c->num_players; p++)
    if (c->player_peer[p] >= c->num_peers) return 0;
  uint32_t mtu = c->mtu ? c->mtu : SYNK_SESSION_DEFAULT_MTU;
  if (mtu < SYNK_SESSION_MIN_MTU || mtu > 65507) return 0;
  /* one frame of the largest peer's inputs must fit with its headers */
  for (uint32_t q = 0; q < c->num_peers; q++) {
    uint32_t block = 0;
    for (uint32_t p = 0; p < c->num_players; p++)
      if (c->player_peer[p] == q) block += c->input_size;
    if (block + (block + 7) / 8 + SW_MAX_OVERHEAD > mtu) return 0;
  }
  if (c->allocator && (!c->allocator->alloc || !c->allocator->free)) return 0;
  if (c->synctest_frames && (c->num_peers != 1 || c->synctest_frames > c->max_prediction)) return 0;
  return 1;
}

void synk_session_destroy(synk_session *s) {
  if (!s) return;
  synk_allocator al = s->al;
  synk_ring_destroy(s->ring);
  for (uint32_t k = 0; k < CK_SLOTS; k++) {
    zfree(&al, s->ck[k].chunks);
    zfree(&al, s->ck[k].fp);
  }
  for (uint32_t q = 0; q < SYNK_SESSION_MAX_PEERS; q++) {
    zfree(&al, s->peers[q].chunk_recv);
    zfree(&al, s->peers[q].chunk_diff);
  }
  for (uint32_t k = 0; s->st_rec && k <= s->K; k++) {
    zfree(&al, s->st_rec[k].chunks);
    zfree(&al, s->st_rec[k].fp);
  }
  zfree(&al, s->st_rec);
  zfree(&al, s->sums);
  zfree(&al, s->in);
  zfree(&al, s->used);
  zfree(&al, s->pending);
  zfree(&al, s->req_in);
  zfree(&al, s->scratch);
  al.free(al.ctx, s);
}

synk_status synk_session_create(const synk_session_config *cfg, synk_session **out) {
  if (out) *out = NULL;
  if (!cfg || !out || !config_ok(cfg)) return SYNK_E_ARG;
  synk_allocator al = {s_malloc, s_free, NULL};
  if (cfg->allocator) {
    al = *cfg->allocator;
  } else if (cfg->world) {
    synk_config wc = synk_get_config(cfg->world);
    if (wc.allocator) al = *wc.allocator;
  }
  synk_session *s = (synk_session *)zalloc(&al, sizeof *s);
  if (!s) return SYNK_E_NOMEM;
  s->cfg = *cfg;
  if (!s->cfg.mtu) s->cfg.mtu = SYNK_SESSION_DEFAULT_MTU;
  if (!s->cfg.disconnect_notify_ms) s->cfg.disconnect_notify_ms = 750;
  if (!s->cfg.disconnect_timeout_ms) s->cfg.disconnect_timeout_ms = 3000;
  s->al = al;
  s->np = cfg->num_players;
  s->B = cfg->input_size;
  s->P = cfg->max_prediction;
  s->D = cfg->input_delay;
  s->Q = pow2_at_least(2 * (s->P + s->D) + 16);
  s->stride = s->np * s->B;
  s->in = (uint8_t *)zalloc(&al, (size_t)s->Q * s->stride);
  s->used = (uint8_t *)zalloc(&al, (size_t)s->Q * s->stride);
  s->pending = (uint8_t *)zalloc(&al, s->stride);
  s->req_in = (uint8_t *)zalloc(&al, s->stride);
  s->scratch = (uint8_t *)zalloc(&al, s->cfg.mtu);
  synk_status st = SYNK_E_NOMEM;
  if (!s->in || !s->used || !s->pending || !s->req_in || !s->scratch) goto fail;
  for (uint32_t p = 0; p < s->np; p++) {
    peer_st *pe = &s->peers[cfg->player_peer[p]];
    pe->players[pe->nplayers++] = (uint8_t)p;
    pe->block += s->B;
    if (cfg->player_peer[p] == cfg->local_peer) s->local_mask |= 1u << p;
  }
  s->local_end = s->D;
  s->mispredict = NONE;
  s->w = cfg->world;
  if (s->w) {
    s->world_base = synk_frame(s->w);
    s->nchunks = synk_chunk_hashes(s->w, NULL, 0);
    s->max_entities = synk_get_config(s->w).max_entities;
    if (s->P > 0) {
      st = synk_ring_create(s->w, s->P + 2, &s->ring);
      if (st != SYNK_OK) goto fail;
      st = SYNK_E_NOMEM;
    }
  }
  if (s->w && (cfg->desync_interval || cfg->synctest_frames) && !(s->sums = (uint64_t *)zalloc(&al, s->nchunks * 8)))
    goto fail;
  s->K = cfg->synctest_frames;
  if (s->K) {
    if (!(s->st_rec = (ck_rec *)zalloc(&al, sizeof(ck_rec) * (s->K + 1)))) goto fail;
    for (uint32_t k = 0; k <= s->K; k++) {
      s->st_rec[k].frame = NONE;
      if (!s->w) continue;
      s->st_rec[k].chunks = (uint64_t *)zalloc(&al, s->nchunks * 8);
      s->st_rec[k].fp = (uint32_t *)zalloc(&al, (size_t)s->max_entities * 4);
      if (!s->st_rec[k].chunks || !s->st_rec[k].fp) goto fail;
    }
  }
  for (uint32_t k = 0; k < CK_SLOTS; k++) {
    s->ck[k].frame = NONE;
    if (s->w && cfg->desync_interval) {
      s->ck[k].chunks = (uint64_t *)zalloc(&al, s->nchunks * 8);
      s->ck[k].fp = (uint32_t *)zalloc(&al, (size_t)s->max_entities * 4);
      if (!s->ck[k].chunks || !s->ck[k].fp) goto fail;
    }
  }
  for (uint32_t q = 0; q < cfg->num_peers; q++) {
    peer_st *pe = &s->peers[q];
    pe->known = s->D;
    pe->acked = s->D;
    pe->last_report_frame = NONE;
    for (uint32_t k = 0; k < CK_SLOTS; k++) pe->rh_frame[k] = pe->cmp_frame[k] = NONE;
    if (q != cfg->local_peer && s->w && cfg->desync_interval) {
      size_t words = (s->nchunks + 63) / 64;
      pe->chunk_recv = (uint64_t *)zalloc(&al, words * 8);
      pe->chunk_diff = (uint64_t *)zalloc(&al, words * 8);
      if (!pe->chunk_recv || !pe->chunk_diff) goto fail;
    }
  }
  s->peers[cfg->local_peer].known = s->D;
  *out = s;
  return SYNK_OK;
fail:
  synk_session_destroy(s);
  return st;
}

/* ------------------------------------------------------------------ inputs */
static uint8_t *in_at(const synk_session *s, uint8_t *base, uint64_t frame, uint32_t player) {
  return base + (size_t)(frame & (s->Q - 1)) * s->stride + (size_t)player * s->B;
}

/* frames < confirmed have every player's input */
static uint64_t confirmed_end(const synk_session *s) {
  uint64_t c = s->local_end;
  for (uint32_t q = 0; q < s->cfg.num_peers; q++)
    if (q != s->cfg.local_peer && s->peers[q].nplayers && s->peers[q].known < c) c = s->peers[q].known;
  return c;
}

synk_status synk_session_add_local_input(synk_session *s, uint32_t player, const void *input) {
  if (!s || !input || player >= s->np || !(s->local_mask & (1u << player))) return SYNK_E_ARG;
  memcpy(s->pending + (size_t)player * s->B, input, s->B);
  s->pending_set |= 1u << player;
  return SYNK_OK;
}

/* bytes per second over whole seconds: `bytes` arrive at `now` */
static void rate_add(uint32_t *start, uint32_t *acc, int *open, uint32_t *bps, uint32_t now, size_t bytes) {
  if (!*open) {
    *open = 1;
    *start = now;
  } else if (now - *start >= 1000) {
    *bps = now - *start < 2000 ? *acc : 0; /* a silent second in between: the last second had nothing */
    *acc = 0;
    *start = now - (now - *start) % 1000;
  }
  *acc += (uint32_t)bytes;
}

/* ------------------------------------------------------------------ timers */
static void run_timers(synk_session *s, uint32_t now) {
  if (!s->timers_started) {
    s->timers_started = 1;
    s->start_ms = now;
    for (uint32_t q = 0; q < s->cfg.num_peers; q++) s->peers[q].last_recv_ms = now;
  } else if (now == s->timers_ms) {
    return; /* silence only grows with time: nothing new at the same instant */
  }
  s->timers_ms = now;
  for (uint32_t q = 0; q < s->cfg.num_peers; q++) {
    if (q == s->cfg.local_peer) continue;
    peer_st *pe = &s->peers[q];
    uint32_t quiet = now - pe->last_recv_ms;
    if (pe->state == 1 && quiet >= s->cfg.disconnect_notify_ms) {
      pe->state = 2;
      push_simple(s, SYNK_SEV_INTERRUPTED, q);
    }
    if ((pe->state == 1 || pe->state == 2) && quiet >= s->cfg.disconnect_timeout_ms) {
      pe->state = 3;
      push_simple(s, SYNK_SEV_DISCONNECTED, q);
    }
  }
}

/* ------------------------------------------------------------------ advance */
synk_status synk_session_advance(synk_session *s, uint32_t now_ms) {
  if (!s) return SYNK_E_ARG;
  run_timers(s, now_ms);
  if (s->step_open || s->tick_pending) return SYNK_E_ARG;
  uint64_t F = s->frame, f_in = F + s->D, c_remote = NONE, min_acked = NONE;
  int commit = s->local_end <= f_in; /* not yet committed by an earlier, stalled attempt */
  if (commit && (s->pending_set & s->local_mask) != s->local_mask) return SYNK_E_ARG;
  s->pending_set = 0;
  promote_finals(s);
  for (uint32_t q = 0; q < s->cfg.num_peers; q++) {
    if (q == s->cfg.local_peer) continue;
    if (s->peers[q].nplayers && s->peers[q].known < c_remote) c_remote = s->peers[q].known;
    if (s->peers[q].acked < min_acked) min_acked = s->peers[q].acked;
  }
  if (commit) {
    /* the history: every input not acknowledged, and the frames a rollback or
       a decode may need, must stay in the Q frames kept */
    if (min_acked != NONE && s->local_end + 1 - min_acked > s->Q - 4) goto stall;
    /* commit the local inputs for F + D: they are sent from now on, and are
       the frame's even if it stalls below (so lockstep without delay works) */
    for (uint32_t p = 0; p < s->np; p++)
      if (s->local_mask & (1u << p)) memcpy(in_at(s, s->in, f_in, p), s->pending + (size_t)p * s->B, s->B);
    s->local_end = f_in + 1;
    s->peers[s->cfg.local_peer].known = s->local_end;
  }
  /* the window: F may run at most P frames past the confirmed frames */
  if (c_remote != NONE && F >= c_remote + s->P) goto stall;
  /* plan: a rollback to the first mispredicted frame, then F */
  s->step_open = 1;
  s->step_load = 0;
  s->step_cur = F;
  s->step_saved = NONE;
  if (s->mispredict < F) {
    uint64_t m = s->mispredict;
    s->step_load = 1;
    s->step_cur = m;
    s->st.rollbacks++;
    s->st.rollback_frames += F - m;
    if (F - m > s->st.max_rollback) s->st.max_rollback = (uint32_t)(F - m);
  }
  s->mispredict = NONE;
  s->step_last = F;
  s->frame = F + 1;
  s->st_rerun = s->K && F + 1 >= s->K;
  return SYNK_OK;
stall:
  s->st.stalls++;
  return SYNK_SESSION_STALL;
}

/* ------------------------------------------------------------------ checkpoints */
/* 32 bits that tell two states of a live entity apart: CRC-32C of its id,
 * kind, position and properties (little-endian), never 0 (0 marks dead) */
static uint32_t fingerprint(const synk_view *v, uint32_t id) {
  uint8_t b[4 * (5 + SYNK_MAX_PROPS)];
  uint32_t words[5 + SYNK_MAX_PROPS], n = 0;
  words[n++] = id;
  words[n++] = v->kind[id];
  words[n++] = (uint32_t)v->x[id];
  words[n++] = (uint32_t)v->y[id];
  words[n++] = (uint32_t)v->z[id];
  for (uint32_t p = 0; p < v->num_props; p++) words[n++] = (uint32_t)v->props[p][id];
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t j = 0; j < 4; j++) b[4 * i + j] = (uint8_t)(words[i] >> (8 * j));
  return synk_crc32c(0, b, 4 * (size_t)n) | 1u;
}



/* The world is the state after frame g. A checkpoint is recorded every time
 * its frame is simulated; it is final when its inputs were confirmed, or
 * later, when they become confirmed without a misprediction at or before g
 * (promote_finals): a frame predicted right is never simulated again. */
static void record_checkpoint(synk_session *s, uint64_t g, int final) {
  uint32_t iv = s->cfg.desync_interval;
  if (!iv || (g + 1) % iv != 0) return;
  uint32_t k = (uint32_t)(((g + 1) / iv) % CK_SLOTS);
  ck_rec *c = &s->ck[k];
  if (c->locks || (c->final && c->frame == g)) return; /* in use by a localization, or already final */
  int again = c->frame == g; /* the same frame re-simulated: unchanged chunks keep their fingerprints */
  c->frame = g;
  c->final = 0;
  c->acked_by = 0;
  record_state(s, c, again ? c : NULL);
  if (final) make_final(s, k);
}

static void make_final(synk_session *s, uint32_t k) {
  s->ck[k].final = 1;
  for (uint32_t q = 0; q < s->cfg.num_peers; q++)
    if (q != s->cfg.local_peer) try_compare(s, q, k);
}

static void promote_finals(synk_session *s) {
  uint64_t c = confirmed_end(s);
  for (uint32_t k = 0; k < CK_SLOTS; k++) {
    const ck_rec *r = &s->ck[k];
    if (r->frame != NONE && !r->final && r->frame < c && s->mispredict > r->frame) make_final(s, k);
  }
}

synk_status synk_session_final_hash(const synk_session *s, uint64_t frame, uint64_t *out) {
  if (!s || !out) return SYNK_E_ARG;
  for (uint32_t k = 0; k < CK_SLOTS; k++)
    if (s->ck[k].frame == frame && s->ck[k].final) {
      *out = s->ck[k].hash;
      return SYNK_OK;
    }
  return SYNK_E_RANGE;
}

static void start_localize(synk_session *s, uint32_t q, uint32_t k) {
  peer_st *pe = &s->peers[q];
  size_t words = (s->nchunks + 63) / 64;
  pe->loc_active = 1;
  pe->loc_frame = s->ck[k].frame;
  pe->loc_ck = k;
  s->ck[k].locks++;
  memset(pe->chunk_recv, 0, words * 8);
  memset(pe->chunk_diff, 0, words * 8);
  pe->chunks_recv_count = 0;
  pe->ndiff = 0;
  pe->diff_more = 0;
  memset(pe->ents_recv, 0, sizeof pe->ents_recv);
  pe->nids = 0;
  pe->ids_more = 0;
  pe->loc_have_chunks = pe->loc_have_ents = pe->peer_has_chunks = pe->peer_has_ents = 0;
  pe->loc_reported = 0;
  pe->loc_rr = 0;
}

static void try_compare(synk_session *s, uint32_t q, uint32_t k) {
  peer_st *pe = &s->peers[q];
  if (pe->rh_frame[k] == NONE || pe->rh_frame[k] != s->ck[k].frame || !s->ck[k].final) return;
  uint64_t theirs = pe->rh_hash[k];
  pe->rh_frame[k] = NONE;
  if (pe->desynced || pe->cmp_frame[k] == s->ck[k].frame) return;
  pe->cmp_frame[k] = s->ck[k].frame;
  s->st.checks++;
  if (theirs == s->ck[k].hash) return;
  synk_session_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = SYNK_SEV_DESYNC;
  ev.peer = q;
  ev.frame = s->ck[k].frame;
  ev.local_hash = s->ck[k].hash;
  ev.remote_hash = theirs;
  push_event(s, &ev);
  pe->desynced = 1;
  pe->loc_frame = s->ck[k].frame; /* the desync's frame: its report still goes to the peer */
  if (s->w) start_localize(s, q, k); /* entities to name */
}

static void loc_finish_if_done(synk_session *s, uint32_t q) {
  peer_st *pe = &s->peers[q];
  if (pe->loc_have_chunks && !pe->loc_have_ents) {
    int all = 1;
    for (uint32_t i = 0; i < pe->ndiff; i++)
      if (pe->ents_recv[i] != (1u << SW_LOC_ENT_PIECES) - 1) all = 0;
    pe->loc_have_ents = all;
  }
  if (pe->loc_have_ents && !pe->loc_reported) {
    synk_session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SYNK_SEV_DESYNC_LOCALIZED;
    ev.peer = q;
    ev.frame = pe->loc_frame;
    ev.local_hash = s->ck[pe->loc_ck].hash;
    ev.num_ids = pe->nids;
    ev.more_ids = (uint32_t)(pe->ids_more || pe->diff_more);
    /* ids arrive piece by piece in any order: sort ascending */
    for (uint32_t i = 1; i < pe->nids; i++)
      for (uint32_t j = i; j > 0 && pe->ids[j - 1] > pe->ids[j]; j--) {
        uint32_t t = pe->ids[j];
        pe->ids[j] = pe->ids[j - 1];
        pe->ids[j - 1] = t;
      }
    memcpy(ev.ids, pe->ids, pe->nids * sizeof ev.ids[0]);
    push_event(s, &ev);
    pe->loc_reported = 1;
  }
  if (pe->loc_reported && pe->peer_has_ents && pe->loc_active) {
    pe->loc_active = 0;
    pe->loc_finished = 1;
    s->ck[pe->loc_ck].locks--;
  }
}

/* ------------------------------------------------------------------ states */
/* what desync checks and sync tests compare: the world hash, mixed with the
 * application's checksum of the frame when it gave one */
static uint64_t state_hash(const synk_session *s) {
  uint64_t h = s->w ? synk_hash(s->w) : 0;
  if (s->app_set) {
    uint64_t z = s->app_sum + 0x9E3779B97F4A7C15ull; /* splitmix64's finalizer: a bijection */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    h ^= z ^ (z >> 31);
  }
  return h;
}

/* record the state after a frame into c; unchanged chunks' fingerprints come
 * from prev (which may be c itself) */
static void record_state(synk_session *s, ck_rec *c, const ck_rec *prev) {
  c->hash = state_hash(s);
  if (!s->w) return;
  synk_chunk_hashes(s->w, s->sums, s->nchunks);
  fingerprint_chunks(s, c, prev);
}

synk_status synk_session_set_checksum(synk_session *s, uint64_t checksum) {
  if (!s || !s->tick_pending) return SYNK_E_ARG;
  s->app_sum = checksum;
  s->app_set = 1;
  return SYNK_OK;
}

/* ------------------------------------------------------------------ sync test */
/* fingerprints of the chunks whose sums differ from `prev`'s (all without
 * prev), the others copied from prev; the sums are in s->sums */
static void fingerprint_chunks(synk_session *s, ck_rec *c, const ck_rec *prev) {
  synk_view v = synk_get_view(s->w);
  for (size_t ch = 0; ch < s->nchunks; ch++) {
    uint32_t first = (uint32_t)ch * SYNK_CHUNK_IDS;
    uint32_t n = s->max_entities - first < SYNK_CHUNK_IDS ? s->max_entities - first : SYNK_CHUNK_IDS;
    if (prev && prev->chunks[ch] == s->sums[ch]) {
      if (prev != c) memcpy(c->fp + first, prev->fp + first, n * sizeof c->fp[0]);
    } else {
      for (uint32_t id = first; id < first + n; id++)
        c->fp[id] = ((v.alive[id / 64] >> (id % 64)) & 1u) ? fingerprint(&v, id) : 0;
    }
    c->chunks[ch] = s->sums[ch];
  }
}

static void synctest_record(synk_session *s, uint64_t g) {
  ck_rec *c = &s->st_rec[g % (s->K + 1)];
  const ck_rec *prev = g ? &s->st_rec[(g - 1) % (s->K + 1)] : NULL;
  if (prev && prev->frame != g - 1) prev = NULL;
  c->frame = g;
  record_state(s, c, prev);
}

static void synctest_compare(synk_session *s, uint64_t g) {
  const ck_rec *c = &s->st_rec[g % (s->K + 1)];
  if (c->frame != g) return;
  s->st.checks++;
  uint64_t h = state_hash(s);
  if (h == c->hash) return;
  s->st.synctest_mismatches++;
  if (s->st_reported) return;
  s->st_reported = 1;
  synk_session_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = SYNK_SEV_DESYNC;
  ev.peer = s->cfg.local_peer;
  ev.frame = g;
  ev.local_hash = h;
  ev.remote_hash = c->hash;
  push_event(s, &ev);
  if (!s->w) return; /* the application's checksum only: no entities to name */
  /* the entities: in the chunks whose sums differ, the fingerprints that do */
  ev.type = SYNK_SEV_DESYNC_LOCALIZED;
  synk_chunk_hashes(s->w, s->sums, s->nchunks);
  synk_view v = synk_get_view(s->w);
  for (size_t ch = 0; ch < s->nchunks; ch++) {
    if (s->sums[ch] == c->chunks[ch]) continue;
    uint32_t first = (uint32_t)ch * SYNK_CHUNK_IDS;
    for (uint32_t id = first; id < first + SYNK_CHUNK_IDS && id < s->max_entities; id++) {
      uint32_t now = ((v.alive[id / 64] >> (id % 64)) & 1u) ? fingerprint(&v, id) : 0;
      if (now == c->fp[id]) continue;
      if (ev.num_ids < SYNK_SESSION_MAX_IDS) ev.ids[ev.num_ids++] = id;
      else ev.more_ids = 1;
    }
  }
  push_event(s, &ev);
}

/* ------------------------------------------------------------------ requests */
static void build_inputs(synk_session *s, uint64_t g, int *confirmed) {
  int conf = 1;
  for (uint32_t p = 0; p < s->np; p++) {
    const peer_st *pe = &s->peers[s->cfg.player_peer[p]];
    uint8_t *dst = s->req_in + (size_t)p * s->B;
    if (g < pe->known) {
      memcpy(dst, in_at(s, s->in, g, p), s->B);
    } else { /* predicted: repeat the last known input */
      conf = 0;
      if (pe->known > 0) memcpy(dst, in_at(s, s->in, pe->known - 1, p), s->B);
      else memset(dst, 0, s->B); /* frame 0 without delay: nothing known yet */
    }
    memcpy(in_at(s, s->used, g, p), dst, s->B);
  }
  *confirmed = conf;
}

int synk_session_next_request(synk_session *s, synk_session_request *req) {
  if (!s || !req) return 0;
  if (s->tick_pending) { /* the application applied ADVANCE(tick_frame) */
    s->tick_pending = 0;
    if (s->w) synk_tick(s->w);
    if (!s->K) record_checkpoint(s, s->tick_frame, s->tick_confirmed);
    else if (!s->st_phase) synctest_record(s, s->tick_frame);
    else synctest_compare(s, s->tick_frame);
    if (s->st_phase && !s->step_open) s->st_phase = 0;
  }
  if (!s->step_open && s->st_rerun) { /* sync test: the same frames again */
    s->st_rerun = 0;
    s->st_phase = 1;
    s->step_open = 1;
    s->step_load = 1;
    s->step_cur = s->step_last + 1 - s->K;
  }
  if (!s->step_open) return 0;
  memset(req, 0, sizeof *req);
  if (s->step_load) {
    s->step_load = 0;
    if (s->ring) synk_ring_restore(s->ring, s->world_base + s->step_cur);
    s->step_saved = s->step_cur; /* the loaded state is the saved one */
    req->type = SYNK_REQ_LOAD;
    req->frame = s->step_cur;
    return 1;
  }
  uint64_t g = s->step_cur;
  if (s->P > 0 && s->step_saved != g) {
    if (s->ring) synk_ring_save(s->ring);
    s->step_saved = g;
    req->type = SYNK_REQ_SAVE;
    req->frame = g;
    return 1;
  }
  int conf;
  build_inputs(s, g, &conf);
  req->type = SYNK_REQ_ADVANCE;
  req->frame = g;
  req->confirmed = (uint32_t)conf;
  req->inputs = s->req_in;
  s->tick_pending = 1;
  s->app_set = 0;
  s->tick_frame = g;
  s->tick_confirmed = conf;
  s->step_cur = g + 1;
  if (g == s->step_last) s->step_open = 0;
  return 1;
}

/* ------------------------------------------------------------------ receive */
/* frames of `pe`'s block: its players' inputs of one frame, concatenated */
static void block_get(const synk_session *s, const peer_st *pe, uint8_t *base, uint64_t g, uint8_t *out) {
  for (uint32_t i = 0; i < pe->nplayers; i++)
    memcpy(out + (size_t)i * s->B, in_at(s, base, g, pe->players[i]), s->B);
}
static void block_put(synk_session *s, const peer_st *pe, uint64_t g, const uint8_t *blk) {
  for (uint32_t i = 0; i < pe->nplayers; i++)
    memcpy(in_at(s, s->in, g, pe->players[i]), blk + (size_t)i * s->B, s->B);
}

static void add_id(peer_st *pe, uint32_t id) {
  if (pe->nids < SYNK_SESSION_MAX_IDS) pe->ids[pe->nids++] = id;
  else pe->ids_more = 1;
}

static void loc_receive(synk_session *s, uint32_t q, const sw_datagram *d) {
  peer_st *pe = &s->peers[q];
  if (!pe->loc_active) {
    /* done here, but the peer still talks about it: it lacks our last state */
    if (pe->loc_finished && ((d->has_loc_state && d->loc_state_frame == pe->loc_frame) ||
                             (d->has_loc_data && d->loc_frame == pe->loc_frame)))
      pe->loc_echo = 1;
    return;
  }
  const ck_rec *c = &s->ck[pe->loc_ck];
  if (d->has_loc_state && d->loc_state_frame == pe->loc_frame) {
    if (d->loc_state & SW_LOC_HAVE_CHUNKS) pe->peer_has_chunks = 1;
    if (d->loc_state & SW_LOC_HAVE_ENTS) pe->peer_has_ents = 1;
  }
  if (d->has_loc_data && d->loc_frame == pe->loc_frame) {
    if (d->loc_kind == SW_LOC_CHUNKS && !pe->loc_have_chunks) {
      for (uint32_t i = 0; i < d->loc_count; i++) {
        uint64_t ch = d->loc_first + i;
        if ((pe->chunk_recv[ch / 64] >> (ch % 64)) & 1u) continue;
        pe->chunk_recv[ch / 64] |= 1ull << (ch % 64);
        pe->chunks_recv_count++;
        if (synk_load_le64(d->loc_payload + 8 * (size_t)i) != c->chunks[ch]) pe->chunk_diff[ch / 64] |= 1ull << (ch % 64);
      }
      if (pe->chunks_recv_count == s->nchunks) {
        pe->loc_have_chunks = 1;
        /* the differing chunks in ascending order, as the peer lists them */
        pe->ndiff = 0;
        for (uint64_t ch = 0; ch < s->nchunks; ch++) {
          if (!((pe->chunk_diff[ch / 64] >> (ch % 64)) & 1u)) continue;
          if (pe->ndiff < LOC_MAX_CHUNKS) pe->diff_chunk[pe->ndiff++] = (uint32_t)ch;
          else pe->diff_more = 1;
        }
      }
    } else if (d->loc_kind == SW_LOC_ENTS && pe->loc_have_chunks) {
      for (uint32_t i = 0; i < pe->ndiff; i++) {
        if (pe->diff_chunk[i] != d->loc_first || ((pe->ents_recv[i] >> d->loc_piece) & 1u)) continue;
        pe->ents_recv[i] |= (uint8_t)(1u << d->loc_piece);
        uint32_t base = pe->diff_chunk[i] * SYNK_CHUNK_IDS + d->loc_piece * SW_LOC_ENT_SLOTS;
        uint32_t e = 0;
        for (uint32_t slot = 0; slot < SW_LOC_ENT_SLOTS && base + slot < s->max_entities; slot++) {
          uint32_t id = base + slot, theirs = 0;
          if (e < d->loc_count && d->loc_payload[5 * (size_t)e] == slot) {
            theirs = synk_load_le32(d->loc_payload + 5 * (size_t)e + 1);
            e++;
          }
          if (c->fp[id] != theirs) add_id(pe, id);
        }
      }
    }
  }
  loc_finish_if_done(s, q);
}

synk_status synk_session_receive(synk_session *s, uint32_t peer, const void *buf, size_t len, uint32_t now_ms) {
  if (!s || (!buf && len) || peer >= s->cfg.num_peers || peer == s->cfg.local_peer) return SYNK_E_ARG;
  peer_st *pe = &s->peers[peer];
  sw_datagram d;
  sw_keys keys = {s->cfg.session_id, peer, s->cfg.local_peer};
  uint64_t ref = s->frame + s->D;
  /* every peer's span end lies within Q + 1 frames of ours (each stalls before
     its unacknowledged inputs fill the history), spectators included */
  synk_status st = sw_decode((const uint8_t *)buf, len, &keys, ref, s->Q + 8, pe->block, s->Q, &d);
  if (st == SYNK_OK) {
    /* semantics, before any change */
    if (d.ack > s->local_end) st = SYNK_E_MISMATCH;           /* acks inputs never sent */
    else if (d.span_end < s->D) st = SYNK_E_MISMATCH;                /* frames < D are never sent */
    else if (d.span_len && d.span_end - d.span_len < s->D) st = SYNK_E_MISMATCH;   /* ... nor in a span */
    else if (d.span_len && d.span_end - d.span_len > pe->known) st = SYNK_E_MISMATCH; /* skips frames */
  }
  if (st == SYNK_OK && d.num_changes) {
    /* one encoding per span: each record's first change of a byte changes it
       from the frame before the span, when we still hold that frame (an
       older span is not used: see below) */
    uint64_t S = d.span_end - d.span_len;
    if (S == s->D || pe->known - (S - 1) <= s->Q) {
      uint8_t base[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
      if (S == s->D) memset(base, 0, pe->block);
      else block_get(s, pe, s->in, S - 1, base);
      if (!sw_span_changes(&d, pe->block, base)) st = SYNK_E_FORMAT;
    }
  }
  if (st != SYNK_OK) {
    pe->st.datagrams_refused++;
    return st;
  }
  /* a well-formed extension this session cannot use is dropped alone: the
     datagram's inputs, acks and other fields still count (localization data
     naming chunks this world does not have: another world size, or none) */
  if (d.has_loc_data && (d.loc_kind == SW_LOC_CHUNKS ? d.loc_first + d.loc_count > s->nchunks
                                                      : d.loc_first >= s->nchunks)) {
    d.has_loc_data = 0;
    pe->st.extensions_ignored++;
  }
  run_timers(s, now_ms);
  pe->st.datagrams_received++;
  pe->st.bytes_received += len;
  rate_add(&pe->rx_start, &pe->rx_bytes, &pe->rx_open, &pe->st.receive_bps, now_ms, len);
  pe->last_recv_ms = now_ms;
  if (pe->state == 0 || pe->state == 3) {
    pe->state = 1;
    push_simple(s, SYNK_SEV_CONNECTED, peer);
  } else if (pe->state == 2) {
    pe->state = 1;
    push_simple(s, SYNK_SEV_RESUMED, peer);
  }
  if (d.ack > pe->acked) pe->acked = d.ack;
  if (d.span_end > pe->emax) pe->emax = d.span_end;
  /* inputs: decode the span [e-n, e) from the block before it */
  uint64_t S = d.span_end - d.span_len;
  uint64_t lo = s->frame > s->P + 1 ? s->frame - s->P - 1 : 0; /* oldest frame still needed */
  uint64_t cap = lo + s->Q - 2;                                  /* frames kept: [lo, cap) */
  if (pe->nplayers && d.span_end > pe->known && (S <= s->D || pe->known - (S - 1) <= s->Q)) {
    uint8_t cur[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
    if (S <= s->D) memset(cur, 0, pe->block);
    else block_get(s, pe, s->in, S - 1, cur);
    sw_span_iter it;
    sw_span_begin(&it, &d, pe->block);
    uint64_t old_known = pe->known;
    for (uint64_t g = S; g < d.span_end && g < cap; g++) {
      sw_span_next(&it, cur);
      if (g < old_known) continue;
      block_put(s, pe, g, cur);
      pe->known = g + 1;
      if (g < s->frame && s->mispredict > g) { /* simulated with a prediction */
        uint8_t was[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
        block_get(s, pe, s->used, g, was);
        if (memcmp(was, cur, pe->block) != 0) s->mispredict = g;
      }
    }
    if (pe->known > old_known) pe->ack_dirty = 1;
  } else if (!pe->nplayers && d.span_end > pe->known) { /* a spectator: no inputs, its frames all "known" */
    pe->known = d.span_end < cap ? d.span_end : cap;
    pe->ack_dirty = 1;
  }
  if (d.has_ping) {
    pe->pong_pending = 1;
    pe->pong_value = d.ping_ms;
    pe->remote_adv = d.ping_adv;
    pe->have_remote_adv = 1;
  }
  if (d.has_pong) {
    pe->rtt = (now_ms - d.pong_ms) & 0xFFFFu; /* 16-bit timestamps: round trips under 65 s */
    if (!pe->synced) {
      pe->synced = 1;
      push_simple(s, SYNK_SEV_SYNCHRONIZED, peer);
    }
  }
  if (d.has_hashack)
    for (uint32_t k = 0; k < CK_SLOTS; k++)
      if (s->ck[k].frame == d.hashack_frame && s->ck[k].final) s->ck[k].acked_by |= 1u << peer;
  if (d.has_hash) {
    pe->hashack_pending = 1; /* once: a lost ack makes the report come again */
    pe->hashack_frame = d.hash_frame;
    uint32_t iv = s->cfg.desync_interval;
    if (iv && (d.hash_frame + 1) % iv == 0) {
      uint32_t k = (uint32_t)(((d.hash_frame + 1) / iv) % CK_SLOTS);
      pe->rh_frame[k] = d.hash_frame;
      pe->rh_hash[k] = d.hash;
      try_compare(s, peer, k);
    }
  }
  loc_receive(s, peer, &d);
  /* time sync: our frame against the peer's (its span end is its frame + D + 1) */
  int64_t remote_frame = (int64_t)pe->emax - (int64_t)s->D - 1;
  pe->st.frames_ahead = (int32_t)((int64_t)s->frame - remote_frame);
  if (d.has_ping && pe->have_remote_adv) {
    int64_t rec = ((int64_t)pe->st.frames_ahead - pe->remote_adv) / 2; /* int64: remote_adv is the peer's word */
    if (rec > (int64_t)s->P + s->D + 1) rec = (int64_t)s->P + s->D + 1; /* never more than peers can drift */
    if (rec >= 2 && (!pe->waited || now_ms - pe->last_wait_ms >= 1000)) {
      synk_session_event ev;
      memset(&ev, 0, sizeof ev);
      ev.type = SYNK_SEV_WAIT;
      ev.peer = peer;
      ev.frames = (uint32_t)rec;
      push_event(s, &ev);
      pe->waited = 1;
      pe->last_wait_ms = now_ms;
    }
  }
  return SYNK_OK;
}

/* ------------------------------------------------------------------ poll */
/* sw_encode's view of my inputs: the local peer's block of frame g */
static void local_block(const void *ctx, uint64_t g, uint8_t *out) {
  const synk_session *s = (const synk_session *)ctx;
  block_get(s, &s->peers[s->cfg.local_peer], s->in, g, out);
}

/* the newest of my final checkpoints that peer q has not acknowledged
 * (after a desync with q: only the desync's frame) */
static const ck_rec *report_due(const synk_session *s, const peer_st *pe) {
  const ck_rec *best = NULL;
  uint32_t bit = 1u << (uint32_t)(pe - s->peers);
  for (uint32_t k = 0; k < CK_SLOTS; k++) {
    const ck_rec *c = &s->ck[k];
    if (c->frame == NONE || !c->final || (c->acked_by & bit)) continue;
    if (pe->desynced && c->frame != pe->loc_frame) continue;
    if (!best || c->frame > best->frame) best = c;
  }
  return best;
}

/* the report to send now: a new one at once, a repeat after a round trip */
static const ck_rec *report_now(const synk_session *s, const peer_st *pe, uint32_t now) {
  const ck_rec *rep = report_due(s, pe);
  if (!rep) return NULL;
  uint32_t again = pe->rtt && pe->rtt + 2 * RESEND_MS < KEEPALIVE_MS ? pe->rtt + 2 * RESEND_MS : KEEPALIVE_MS;
  if (rep->frame == pe->last_report_frame && now - pe->last_report_ms < again) return NULL;
  return rep;
}

static int peer_due(const synk_session *s, const peer_st *pe, uint32_t now) {
  if (!pe->sent_any || pe->ack_dirty || pe->pong_pending || pe->hashack_pending || pe->loc_echo) return 1;
  if (s->local_end > pe->last_sent_end) return 1;
  uint32_t quiet = now - pe->last_send_ms;
  if (quiet >= KEEPALIVE_MS || now - pe->last_ping_ms >= PING_MS) return 1;
  int pending = pe->acked < s->local_end || report_now(s, pe, now) || pe->loc_active;
  return pending && quiet >= RESEND_MS;
}

/* the localization piece to send next, if any */
static void loc_piece(synk_session *s, uint32_t q, sw_datagram *d) {
  peer_st *pe = &s->peers[q];
  if (!pe->loc_active && pe->loc_echo) {
    pe->loc_echo = 0;
    d->has_loc_state = 1;
    d->loc_state_frame = pe->loc_frame;
    d->loc_state = SW_LOC_HAVE_CHUNKS | SW_LOC_HAVE_ENTS;
  }
  if (!pe->loc_active) return;
  const ck_rec *c = &s->ck[pe->loc_ck];
  d->has_loc_state = 1;
  d->loc_state_frame = pe->loc_frame;
  d->loc_state = (uint8_t)((pe->loc_have_chunks ? SW_LOC_HAVE_CHUNKS : 0) | (pe->loc_have_ents ? SW_LOC_HAVE_ENTS : 0));
  if (!pe->peer_has_chunks) {
    const uint32_t per = SW_LOC_CHUNKS_PER_PIECE; /* what the receiver's decoder accepts */
    uint32_t pieces = (uint32_t)((s->nchunks + per - 1) / per);
    uint32_t i = pe->loc_rr++ % pieces;
    d->has_loc_data = 1;
    d->loc_frame = pe->loc_frame;
    d->loc_kind = SW_LOC_CHUNKS;
    d->loc_first = (uint64_t)i * per;
    d->loc_count = (uint32_t)(s->nchunks - d->loc_first < per ? s->nchunks - d->loc_first : per);
    d->loc_chunks = c->chunks + d->loc_first;
  } else if (pe->loc_have_chunks && !pe->peer_has_ents && pe->ndiff) {
    const uint32_t slots = SW_LOC_ENT_SLOTS;
    uint32_t i = pe->loc_rr++ % (pe->ndiff * SW_LOC_ENT_PIECES);
    d->has_loc_data = 1;
    d->loc_frame = pe->loc_frame;
    d->loc_kind = SW_LOC_ENTS;
    d->loc_first = pe->diff_chunk[i / SW_LOC_ENT_PIECES];
    d->loc_piece = i % SW_LOC_ENT_PIECES;
    uint32_t base = (uint32_t)d->loc_first * SYNK_CHUNK_IDS + d->loc_piece * slots;
    d->loc_fp = base < s->max_entities ? c->fp + base : NULL;
    d->loc_fp_count = base < s->max_entities ? (s->max_entities - base < slots ? s->max_entities - base : slots) : 0;
  }
}

int synk_session_poll(synk_session *s, uint32_t now_ms, uint32_t *peer, void *buf, size_t cap, size_t *len) {
  if (!s || !peer || !buf || !len || cap < s->cfg.mtu) return 0;
  run_timers(s, now_ms);
  for (uint32_t i = 0; i < s->cfg.num_peers; i++) {
    uint32_t q = (s->poll_rr + i) % s->cfg.num_peers;
    peer_st *pe = &s->peers[q];
    if (q == s->cfg.local_peer || !peer_due(s, pe, now_ms)) continue;
    const peer_st *me = &s->peers[s->cfg.local_peer];
    sw_datagram d;
    memset(&d, 0, sizeof d);
    d.span_end = s->local_end;
    d.ack = pe->known;
    d.span_len = (uint32_t)(s->local_end - pe->acked);
    if (now_ms - pe->last_ping_ms >= PING_MS || !pe->pinged) {
      d.has_ping = 1;
      d.ping_ms = now_ms;
      d.ping_adv = pe->st.frames_ahead;
    }
    if (pe->pong_pending) {
      d.has_pong = 1;
      d.pong_ms = pe->pong_value;
    }
    const ck_rec *rep = report_now(s, pe, now_ms);
    if (rep) {
      pe->last_report_frame = rep->frame;
      pe->last_report_ms = now_ms;
      d.has_hash = 1;
      d.hash_frame = rep->frame;
      d.hash = rep->hash;
    }
    if (pe->hashack_pending) {
      d.has_hashack = 1;
      d.hashack_frame = pe->hashack_frame;
    }
    loc_piece(s, q, &d);
    /* the span starts where the peer's ack says; its base is the frame before */
    uint8_t base[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
    uint64_t S = pe->acked;
    if (S <= s->D) memset(base, 0, me->block);
    else block_get(s, me, s->in, S - 1, base);
    sw_keys keys = {s->cfg.session_id, s->cfg.local_peer, q};
    size_t n = sw_encode(&d, &keys, me->block, base, local_block, s, s->scratch, (uint8_t *)buf, s->cfg.mtu);
    if (d.has_ping) {
      pe->last_ping_ms = now_ms;
      pe->pinged = 1;
    }
    pe->pong_pending = 0;
    pe->hashack_pending = 0;
    pe->ack_dirty = 0;
    pe->sent_any = 1;
    pe->last_send_ms = now_ms;
    pe->last_sent_end = s->local_end;
    pe->st.datagrams_sent++;
    pe->st.bytes_sent += n;
    rate_add(&pe->tx_start, &pe->tx_bytes, &pe->tx_open, &pe->st.send_bps, now_ms, n);
    s->poll_rr = q + 1;
    *peer = q;
    *len = n;
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------ stats */
synk_status synk_session_get_stats(const synk_session *s, synk_session_stats *out) {
  if (!s || !out) return SYNK_E_ARG;
  *out = s->st;
  out->frame = s->frame;
  out->confirmed = confirmed_end(s);
  return SYNK_OK;
}

synk_status synk_session_get_peer_stats(const synk_session *s, uint32_t peer, synk_session_peer_stats *out) {
  if (!s || !out || peer >= s->cfg.num_peers) return SYNK_E_ARG;
  const peer_st *pe = &s->peers[peer];
  *out = pe->st;
  out->rtt_ms = pe->rtt;
  out->remote_frame = pe->known;
  out->state = pe->state;
  return SYNK_OK;
}

const char *synk_session_status_str(synk_status st) {
  if (st == SYNK_SESSION_STALL) return "SYNK_SESSION_STALL";
  return synk_status_str(st);
}
