/* SPDX-License-Identifier: MIT */
/*
 * Input sessions: lockstep and rollback over a caller-driven transport.
 * See session/include/synk_session.h for the contract and
 * docs/wire-format.md ("Session datagrams") for the bytes; the files of the
 * session are listed in session_internal.h.
 *
 * This file: create and destroy, the local inputs, advance (planning a
 * step: a rollback to the first mispredicted frame, then the next frame),
 * the requests of a step, events and statistics.
 */
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"

/* ------------------------------------------------------------------ memory */
static void *heap_alloc(void *ctx, size_t size, size_t align) {
  (void)ctx;
  (void)align; /* malloc's alignment covers every session buffer */
  return malloc(size);
}
static void heap_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}
void *session_zalloc(const synk_allocator *al, size_t n) {
  void *p = al->alloc(al->ctx, n ? n : 1, 16);
  if (p) memset(p, 0, n ? n : 1);
  return p;
}
void session_free(const synk_allocator *al, void *p) {
  if (p) al->free(al->ctx, p);
}

/* ------------------------------------------------------------------ events */
void events_push(event_queue *q, const synk_session_event *ev) {
  if (q->count == q->capacity) { /* drop the oldest */
    q->head = q->head + 1 == q->capacity ? 0 : q->head + 1;
    q->count--;
    q->dropped++;
  }
  uint32_t tail = q->head + q->count;
  q->slots[tail >= q->capacity ? tail - q->capacity : tail] = *ev;
  q->count++;
}

void events_push_peer(event_queue *q, uint32_t type, uint32_t peer) {
  synk_session_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = type;
  ev.peer = peer;
  events_push(q, &ev);
}

void desync_event(synk_session_event *ev, uint32_t type, uint32_t peer, uint64_t frame, uint64_t local_hash,
                  uint64_t remote_hash) {
  memset(ev, 0, sizeof *ev);
  ev->type = type;
  ev->peer = peer;
  ev->frame = frame;
  ev->local_hash = local_hash;
  ev->remote_hash = remote_hash;
}

synk_status synk_session_next_event(synk_session *s, synk_session_event *ev) {
  if (!s || !ev) return SYNK_E_ARG;
  event_queue *q = &s->events;
  if (q->count == 0) return SYNK_EMPTY;
  *ev = q->slots[q->head];
  q->head = q->head + 1 == q->capacity ? 0 : q->head + 1;
  q->count--;
  return SYNK_OK;
}

/* ------------------------------------------------------------------ create */
static uint32_t pow2_at_least(uint32_t n) {
  uint32_t q = 1;
  while (q < n) q <<= 1;
  return q;
}

void synk_session_config_defaults(synk_session_config *cfg) {
  if (!cfg) return;
  memset(cfg, 0, sizeof *cfg);
  cfg->disconnect_notify_ms = SYNK_SESSION_DEFAULT_DISCONNECT_NOTIFY_MS;
  cfg->disconnect_timeout_ms = SYNK_SESSION_DEFAULT_DISCONNECT_TIMEOUT_MS;
  cfg->mtu = SYNK_SESSION_DEFAULT_MTU;
  cfg->max_events = SYNK_SESSION_DEFAULT_MAX_EVENTS;
}

/* the fields left 0 take synk_session_config_defaults' values */
static void apply_defaults(synk_session_config *c) {
  synk_session_config d;
  synk_session_config_defaults(&d);
  if (!c->disconnect_notify_ms) c->disconnect_notify_ms = d.disconnect_notify_ms;
  if (!c->disconnect_timeout_ms) c->disconnect_timeout_ms = d.disconnect_timeout_ms;
  if (!c->mtu) c->mtu = d.mtu;
  if (!c->max_events) c->max_events = d.max_events;
}

/* every field in range, defaults applied */
static int config_ok(const synk_session_config *c) {
  if (c->num_players < 1 || c->num_players > SYNK_SESSION_MAX_PLAYERS) return 0;
  if (c->num_peers < 1 || c->num_peers > SYNK_SESSION_MAX_PEERS) return 0;
  if (c->local_peer >= c->num_peers) return 0;
  if (c->input_size < 1 || c->input_size > SYNK_SESSION_MAX_INPUT) return 0;
  if (c->input_delay > SYNK_SESSION_MAX_DELAY) return 0;
  if (c->max_prediction > SYNK_SESSION_MAX_PREDICTION) return 0;
  for (uint32_t p = 0; p < c->num_players; p++)
    if (c->player_peer[p] >= c->num_peers) return 0;
  if (c->mtu < SYNK_SESSION_MIN_MTU || c->mtu > SYNK_SESSION_MAX_MTU) return 0;
  if (c->max_events > SYNK_SESSION_MAX_EVENTS) return 0;
  /* one frame of the largest peer's inputs must fit with its headers */
  for (uint32_t q = 0; q < c->num_peers; q++) {
    uint32_t block = 0;
    for (uint32_t p = 0; p < c->num_players; p++)
      if (c->player_peer[p] == q) block += c->input_size;
    if (block + (block + 7) / 8 + SW_MAX_OVERHEAD > c->mtu) return 0;
  }
  if (c->allocator && (!c->allocator->alloc || !c->allocator->free)) return 0;
  if (c->synctest_frames && (c->num_peers != 1 || c->synctest_frames > c->max_prediction)) return 0;
  return 1;
}

void synk_session_destroy(synk_session *s) {
  if (!s) return;
  synk_allocator al = s->allocator;
  synk_ring_destroy(s->ring);
  desync_free(&s->desync, &al);
  synctest_free(&s->synctest, &al);
  session_free(&al, s->probe.chunk_sums);
  session_free(&al, s->events.slots);
  session_free(&al, s->inputs);
  session_free(&al, s->simulated);
  session_free(&al, s->local_pending);
  session_free(&al, s->request_inputs);
  session_free(&al, s->encode_scratch);
  al.free(al.ctx, s);
}

/* the input history and buffers of one frame */
static synk_status alloc_inputs(synk_session *s) {
  const synk_allocator *al = &s->allocator;
  s->inputs = (uint8_t *)session_zalloc(al, (size_t)s->history * s->frame_bytes);
  s->simulated = (uint8_t *)session_zalloc(al, (size_t)s->history * s->frame_bytes);
  s->local_pending = (uint8_t *)session_zalloc(al, s->frame_bytes);
  s->request_inputs = (uint8_t *)session_zalloc(al, s->frame_bytes);
  s->encode_scratch = (uint8_t *)session_zalloc(al, s->cfg.mtu);
  s->events.slots = (synk_session_event *)session_zalloc(al, sizeof(synk_session_event) * s->events.capacity);
  return s->inputs && s->simulated && s->local_pending && s->request_inputs && s->encode_scratch && s->events.slots
             ? SYNK_OK
             : SYNK_E_NOMEM;
}

/* the world's ring (rollback mode), the checks' states */
static synk_status alloc_world(synk_session *s) {
  const synk_session_config *cfg = &s->cfg;
  state_probe *p = &s->probe;
  p->world = cfg->world;
  if (p->world) {
    s->world_base = synk_frame(p->world);
    p->num_chunks = synk_chunk_hashes(p->world, NULL, 0);
    p->max_entities = synk_get_config(p->world).max_entities;
    if (s->max_prediction > 0) {
      synk_status st = synk_ring_create(p->world, s->max_prediction + 2, &s->ring);
      if (st != SYNK_OK) return st;
    }
    if ((cfg->desync_interval || cfg->synctest_frames) &&
        !(p->chunk_sums = (uint64_t *)session_zalloc(&s->allocator, p->num_chunks * sizeof p->chunk_sums[0])))
      return SYNK_E_NOMEM;
  }
  synk_status st = synctest_init(&s->synctest, cfg->synctest_frames, p, &s->allocator);
  if (st == SYNK_OK) st = desync_init(&s->desync, cfg, p, &s->events, &s->allocator);
  return st;
}

static void init_peers(synk_session *s) {
  const synk_session_config *cfg = &s->cfg;
  for (uint32_t p = 0; p < s->num_players; p++) {
    peer_state *ps = &s->peers[cfg->player_peer[p]];
    ps->players[ps->num_players++] = (uint8_t)p;
    ps->block += s->input_size;
    if (cfg->player_peer[p] == cfg->local_peer) s->local_mask |= 1u << p;
  }
  for (uint32_t q = 0; q < cfg->num_peers; q++) {
    s->peers[q].known = s->input_delay;
    s->peers[q].acked = s->input_delay;
  }
}

synk_status synk_session_create(const synk_session_config *cfg, synk_session **out) {
  if (out) *out = NULL;
  if (!cfg || !out) return SYNK_E_ARG;
  synk_session_config c = *cfg;
  apply_defaults(&c);
  if (!config_ok(&c)) return SYNK_E_ARG;
  synk_allocator al = {heap_alloc, heap_free, NULL};
  if (c.allocator) {
    al = *c.allocator;
  } else if (c.world) {
    synk_config wc = synk_get_config(c.world);
    if (wc.allocator) al = *wc.allocator;
  }
  synk_session *s = (synk_session *)session_zalloc(&al, sizeof *s);
  if (!s) return SYNK_E_NOMEM;
  s->cfg = c;
  s->allocator = al;
  s->num_players = c.num_players;
  s->input_size = c.input_size;
  s->max_prediction = c.max_prediction;
  s->input_delay = c.input_delay;
  s->history = pow2_at_least(2 * (s->max_prediction + s->input_delay) + 16);
  s->frame_bytes = s->num_players * s->input_size;
  s->events.capacity = c.max_events;
  s->local_end = s->input_delay;
  s->mispredicted = NO_FRAME;
  synk_status st = alloc_inputs(s);
  if (st == SYNK_OK) st = alloc_world(s);
  if (st != SYNK_OK) {
    synk_session_destroy(s);
    return st;
  }
  init_peers(s);
  *out = s;
  return SYNK_OK;
}

/* ------------------------------------------------------------------ inputs */
/* frames < the result have every player's input */
static uint64_t confirmed_end(const synk_session *s) {
  uint64_t c = s->local_end;
  for (uint32_t q = 0; q < s->cfg.num_peers; q++)
    if (q != s->cfg.local_peer && s->peers[q].num_players && s->peers[q].known < c) c = s->peers[q].known;
  return c;
}

synk_status synk_session_add_local_input(synk_session *s, uint32_t player, const void *input) {
  if (!s || !input || player >= s->num_players || !(s->local_mask & (1u << player))) return SYNK_E_ARG;
  memcpy(s->local_pending + (size_t)player * s->input_size, input, s->input_size);
  s->pending_set |= 1u << player;
  return SYNK_OK;
}

/* ------------------------------------------------------------------ advance */
/* commit the local inputs for `frame` (the next frame + input_delay): they
 * are sent from now on, and are the frame's even if it stalls (so lockstep
 * without delay works) */
static void commit_local_inputs(synk_session *s, uint64_t frame) {
  for (uint32_t p = 0; p < s->num_players; p++)
    if (s->local_mask & (1u << p))
      memcpy(input_at(s, s->inputs, frame, p), s->local_pending + (size_t)p * s->input_size, s->input_size);
  s->local_end = frame + 1;
  s->peers[s->cfg.local_peer].known = s->local_end;
}

/* the step of `frame`: a rollback to the first mispredicted frame first */
static void plan_step(synk_session *s, uint64_t frame) {
  step_plan *step = &s->step;
  step->open = 1;
  step->load = 0;
  step->next = frame;
  step->saved = NO_FRAME;
  if (s->mispredicted < frame) {
    uint64_t from = s->mispredicted, depth = frame - from;
    step->load = 1;
    step->next = from;
    s->stats.rollbacks++;
    s->stats.rollback_frames += depth;
    if (depth > s->stats.max_rollback) s->stats.max_rollback = (uint32_t)depth;
  }
  s->mispredicted = NO_FRAME;
  step->last = frame;
  s->frame = frame + 1;
  synctest_planned(&s->synctest, frame);
}

synk_status synk_session_advance(synk_session *s, uint64_t now_ms) {
  if (!s || s->step.open || s->step.tick_pending) return SYNK_E_ARG;
  const uint64_t frame = s->frame, input_frame = frame + s->input_delay;
  int commit = s->local_end <= input_frame; /* not yet committed by an earlier, stalled attempt */
  if (commit && (s->pending_set & s->local_mask) != s->local_mask) return SYNK_E_ARG;
  run_timers(s, now_ms);
  s->pending_set = 0;
  if (s->desync.interval) desync_promote(&s->desync, confirmed_end(s), s->mispredicted);
  uint64_t remote_end = NO_FRAME, min_acked = NO_FRAME; /* the fewest inputs of a player peer; of acks */
  for (uint32_t q = 0; q < s->cfg.num_peers; q++) {
    if (q == s->cfg.local_peer) continue;
    if (s->peers[q].num_players && s->peers[q].known < remote_end) remote_end = s->peers[q].known;
    if (s->peers[q].acked < min_acked) min_acked = s->peers[q].acked;
  }
  if (commit) {
    /* the history: every input not acknowledged, and the frames a rollback or
       a decode may need, must stay in the frames kept */
    if (min_acked != NO_FRAME && s->local_end + 1 - min_acked > s->history - 4) goto stall;
    commit_local_inputs(s, input_frame);
  }
  /* the window: the frame may run at most max_prediction frames past the confirmed ones */
  if (remote_end != NO_FRAME && frame >= remote_end + s->max_prediction) goto stall;
  plan_step(s, frame);
  return SYNK_OK;
stall:
  s->stats.stalls++;
  return SYNK_SESSION_STALL;
}

/* ------------------------------------------------------------------ requests */
/* the inputs of `frame` into request_inputs (a remote player's predicted by
 * repeating its last known input), also kept as the ones it was simulated
 * with; returns 1 when none was predicted */
static int build_inputs(synk_session *s, uint64_t frame) {
  int confirmed = 1;
  for (uint32_t p = 0; p < s->num_players; p++) {
    const peer_state *ps = &s->peers[s->cfg.player_peer[p]];
    uint8_t *dst = s->request_inputs + (size_t)p * s->input_size;
    if (frame < ps->known) {
      memcpy(dst, input_at(s, s->inputs, frame, p), s->input_size);
    } else {
      confirmed = 0;
      if (ps->known > 0) memcpy(dst, input_at(s, s->inputs, ps->known - 1, p), s->input_size);
      else memset(dst, 0, s->input_size); /* frame 0 without delay: nothing known yet */
    }
    memcpy(input_at(s, s->simulated, frame, p), dst, s->input_size);
  }
  return confirmed;
}

/* the application carried out ADVANCE(tick_frame): tick the world, record
 * the state for the checks */
static void finish_advance(synk_session *s) {
  step_plan *step = &s->step;
  step->tick_pending = 0;
  if (s->probe.world) synk_tick(s->probe.world);
  if (s->synctest.frames)
    synctest_after_frame(&s->synctest, &s->probe, &s->events, s->cfg.local_peer, step->tick_frame, !step->open);
  else if (s->desync.interval)
    desync_record(&s->desync, step->tick_frame, step->tick_confirmed);
}

synk_status synk_session_next_request(synk_session *s, synk_session_request *req) {
  if (!s || !req) return SYNK_E_ARG;
  step_plan *step = &s->step;
  if (step->tick_pending) finish_advance(s);
  synctest_next_step(&s->synctest, step); /* sync test: the same frames again */
  if (!step->open) return SYNK_EMPTY;
  memset(req, 0, sizeof *req);
  uint64_t frame = step->next;
  if (step->load) {
    step->load = 0;
    if (s->ring) synk_ring_restore(s->ring, s->world_base + frame);
    step->saved = frame; /* the loaded state is the saved one */
    req->type = SYNK_REQ_LOAD;
    req->frame = frame;
    return SYNK_OK;
  }
  if (s->max_prediction > 0 && step->saved != frame) {
    if (s->ring) synk_ring_save(s->ring);
    step->saved = frame;
    req->type = SYNK_REQ_SAVE;
    req->frame = frame;
    return SYNK_OK;
  }
  int confirmed = build_inputs(s, frame);
  req->type = SYNK_REQ_ADVANCE;
  req->frame = frame;
  req->confirmed = (uint32_t)confirmed;
  req->inputs = s->request_inputs;
  step->tick_pending = 1;
  step->tick_frame = frame;
  step->tick_confirmed = confirmed;
  s->probe.app_checksum_set = 0;
  step->next = frame + 1;
  if (frame == step->last) step->open = 0;
  return SYNK_OK;
}

synk_status synk_session_set_checksum(synk_session *s, uint64_t checksum) {
  if (!s || !s->step.tick_pending) return SYNK_E_ARG;
  s->probe.app_checksum = checksum;
  s->probe.app_checksum_set = 1;
  return SYNK_OK;
}

/* ------------------------------------------------------------------ stats */
synk_status synk_session_get_stats(const synk_session *s, synk_session_stats *out) {
  if (!s || !out) return SYNK_E_ARG;
  *out = s->stats;
  out->frame = s->frame;
  out->confirmed = confirmed_end(s);
  out->checks = s->desync.checks + s->synctest.checks;
  out->synctest_mismatches = s->synctest.mismatches;
  out->events_dropped = s->events.dropped;
  return SYNK_OK;
}

synk_status synk_session_get_peer_stats(const synk_session *s, uint32_t peer, synk_session_peer_stats *out) {
  if (!s || !out || peer >= s->cfg.num_peers) return SYNK_E_ARG;
  const peer_state *ps = &s->peers[peer];
  *out = ps->stats;
  out->rtt_ms = ps->rtt_ms;
  out->remote_frame = ps->known;
  out->state = ps->state;
  return SYNK_OK;
}

synk_status synk_session_final_hash(const synk_session *s, uint64_t frame, uint64_t *out) {
  if (!s || !out) return SYNK_E_ARG;
  return desync_final_hash(&s->desync, frame, out);
}
