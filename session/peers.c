/* SPDX-License-Identifier: MIT */
/*
 * The remote peers of a session: datagrams in (synk_session_receive: inputs,
 * acks, pings and round trips, the frame advantage), datagrams out
 * (synk_session_poll: what is due to whom), the connection timers and the
 * byte rates. The desync fields of a datagram are desync.c's.
 */
#include <string.h>

#include "session_internal.h"

/* ------------------------------------------------------------------ inputs */
/* a peer's block of `frame`: its players' inputs, concatenated */
static void block_get(const synk_session *s, const peer_state *ps, uint8_t *base, uint64_t frame, uint8_t *out) {
  for (uint32_t i = 0; i < ps->num_players; i++)
    memcpy(out + (size_t)i * s->input_size, input_at(s, base, frame, ps->players[i]), s->input_size);
}

static void block_put(synk_session *s, const peer_state *ps, uint64_t frame, const uint8_t *blk) {
  for (uint32_t i = 0; i < ps->num_players; i++)
    memcpy(input_at(s, s->inputs, frame, ps->players[i]), blk + (size_t)i * s->input_size, s->input_size);
}

/* the block of the frame before a span that starts at `start` (all zeros
   before the input delay) */
static void block_before(const synk_session *s, const peer_state *ps, uint64_t start, uint8_t *out) {
  if (start <= s->input_delay) memset(out, 0, ps->block);
  else block_get(s, ps, s->inputs, start - 1, out);
}

/* ------------------------------------------------------------------ time */
/* bytes per second over whole seconds: `bytes` pass at `now` */
static void rate_add(rate_meter *m, uint32_t *bps, uint64_t now, size_t bytes) {
  if (!m->open) {
    m->open = 1;
    m->start_ms = now;
  } else if (now - m->start_ms >= 1000) {
    *bps = now - m->start_ms < 2000 ? m->bytes : 0; /* a silent second in between: the last second had nothing */
    m->bytes = 0;
    m->start_ms = now - (now - m->start_ms) % 1000;
  }
  m->bytes += (uint32_t)bytes;
}

void run_timers_now(synk_session *s, uint64_t now) {
  if (!s->timers_started) {
    s->timers_started = 1;
    for (uint32_t q = 0; q < s->cfg.num_peers; q++) s->peers[q].last_recv_ms = now;
  }
  s->timers_ms = now;
  for (uint32_t q = 0; q < s->cfg.num_peers; q++) {
    if (q == s->cfg.local_peer) continue;
    peer_state *ps = &s->peers[q];
    uint64_t quiet = now - ps->last_recv_ms;
    if (ps->state == PEER_CONNECTED && quiet >= s->cfg.disconnect_notify_ms) {
      ps->state = PEER_INTERRUPTED;
      events_push_peer(&s->events, SYNK_SEV_INTERRUPTED, q);
    }
    if ((ps->state == PEER_CONNECTED || ps->state == PEER_INTERRUPTED) && quiet >= s->cfg.disconnect_timeout_ms) {
      ps->state = PEER_DISCONNECTED;
      events_push_peer(&s->events, SYNK_SEV_DISCONNECTED, q);
    }
  }
}

/* ------------------------------------------------------------------ receive */
/* Decode a datagram from `peer` and check it against the session, changing
 * nothing: the codec's checks, then what only the session knows. */
static synk_status check_datagram(const synk_session *s, uint32_t peer, const void *buf, size_t len, sw_datagram *d) {
  const peer_state *ps = &s->peers[peer];
  sw_keys keys = {s->cfg.session_id, peer, s->cfg.local_peer};
  uint64_t ref = s->frame + s->input_delay;
  /* every peer's span end lies within history + 1 frames of ours (each stalls
     before its unacknowledged inputs fill the history), spectators included */
  synk_status st = sw_decode((const uint8_t *)buf, len, &keys, ref, s->history + 8, ps->block, s->history, d);
  if (st != SYNK_OK) return st;
  const uint64_t start = d->span_end - d->span_len, delay = s->input_delay;
  if (d->ack > s->local_end) return SYNK_E_MISMATCH;               /* acks inputs never sent */
  if (d->span_end < delay) return SYNK_E_MISMATCH;                 /* frames < delay are never sent */
  if (d->span_len && start < delay) return SYNK_E_MISMATCH;        /* ... nor in a span */
  if (d->span_len && start > ps->known) return SYNK_E_MISMATCH;    /* skips frames */
  /* one encoding per span: each record's first change of a byte changes it
     from the frame before the span, when we still hold that frame (an older
     span is not used: see take_inputs) */
  if (d->num_changes && (start == delay || ps->known - (start - 1) <= s->history)) {
    uint8_t base[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
    block_before(s, ps, start, base);
    if (!sw_span_changes(d, ps->block, base)) return SYNK_E_FORMAT;
  }
  return SYNK_OK;
}

/* the span's inputs: decoded frame by frame from the block before it; a frame
 * simulated with a prediction that differs marks a misprediction */
static void take_inputs(synk_session *s, peer_state *ps, const sw_datagram *d) {
  const uint64_t start = d->span_end - d->span_len;
  const uint64_t oldest = s->frame > s->max_prediction + 1 ? s->frame - s->max_prediction - 1 : 0; /* still needed */
  const uint64_t keep_end = oldest + s->history - 2; /* frames kept: [oldest, keep_end) */
  if (!ps->num_players) { /* a spectator: no inputs, its frames all "known" */
    if (d->span_end > ps->known) {
      ps->known = d->span_end < keep_end ? d->span_end : keep_end;
      ps->ack_dirty = 1;
    }
    return;
  }
  if (d->span_end <= ps->known || (start > s->input_delay && ps->known - (start - 1) > s->history)) return;
  uint8_t cur[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
  block_before(s, ps, start, cur);
  sw_span_iter it;
  sw_span_begin(&it, d, ps->block);
  const uint64_t old_known = ps->known;
  for (uint64_t frame = start; frame < d->span_end && frame < keep_end; frame++) {
    sw_span_next(&it, cur);
    if (frame < old_known) continue;
    block_put(s, ps, frame, cur);
    ps->known = frame + 1;
    if (frame < s->frame && s->mispredicted > frame) { /* simulated with a prediction */
      uint8_t was[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
      block_get(s, ps, s->simulated, frame, was);
      if (memcmp(was, cur, ps->block) != 0) s->mispredicted = frame;
    }
  }
  if (ps->known > old_known) ps->ack_dirty = 1;
}

/* a datagram arrived: counts, rates, connection state */
static void heard_from(synk_session *s, uint32_t peer, size_t len, uint64_t now) {
  peer_state *ps = &s->peers[peer];
  ps->stats.datagrams_received++;
  ps->stats.bytes_received += len;
  rate_add(&ps->recv_rate, &ps->stats.receive_bps, now, len);
  ps->last_recv_ms = now;
  if (ps->state == PEER_WAITING || ps->state == PEER_DISCONNECTED) {
    ps->state = PEER_CONNECTED;
    events_push_peer(&s->events, SYNK_SEV_CONNECTED, peer);
  } else if (ps->state == PEER_INTERRUPTED) {
    ps->state = PEER_CONNECTED;
    events_push_peer(&s->events, SYNK_SEV_RESUMED, peer);
  }
}

/* ping (to answer), pong (a round trip) */
static void take_ping_pong(synk_session *s, uint32_t peer, const sw_datagram *d, uint64_t now) {
  peer_state *ps = &s->peers[peer];
  if (d->has_ping) {
    ps->pong_pending = 1;
    ps->pong_value = d->ping_ms;
    ps->remote_frames_ahead = d->ping_frames_ahead;
    ps->has_remote_frames_ahead = 1;
  }
  if (d->has_pong) {
    ps->rtt_ms = (uint32_t)((now - d->pong_ms) & 0xFFFFu); /* 16-bit timestamps: round trips under 65 s */
    if (!ps->synced) {
      ps->synced = 1;
      events_push_peer(&s->events, SYNK_SEV_SYNCHRONIZED, peer);
    }
  }
}

/* time sync: our frame against the peer's (its span end is its frame +
 * input_delay + 1); with its ping, the advantage it measures over us: when we
 * run ahead, recommend waiting half the difference */
static void sync_time(synk_session *s, uint32_t peer, const sw_datagram *d, uint64_t now) {
  peer_state *ps = &s->peers[peer];
  int64_t remote_frame = (int64_t)ps->max_span_end - (int64_t)s->input_delay - 1;
  ps->stats.frames_ahead = (int32_t)((int64_t)s->frame - remote_frame);
  if (!d->has_ping || !ps->has_remote_frames_ahead) return;
  int64_t wait = ((int64_t)ps->stats.frames_ahead - ps->remote_frames_ahead) / 2; /* int64: the peer's word */
  int64_t most = (int64_t)s->max_prediction + s->input_delay + 1; /* never more than peers can drift */
  if (wait > most) wait = most;
  if (wait < 2 || (ps->waited && now - ps->last_wait_ms < 1000)) return;
  synk_session_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = SYNK_SEV_WAIT;
  ev.peer = peer;
  ev.frames = (uint32_t)wait;
  events_push(&s->events, &ev);
  ps->waited = 1;
  ps->last_wait_ms = now;
}

synk_status synk_session_receive(synk_session *s, uint64_t now_ms, uint32_t peer, const void *buf, size_t len) {
  if (!s || (!buf && len) || peer >= s->cfg.num_peers || peer == s->cfg.local_peer) return SYNK_E_ARG;
  peer_state *ps = &s->peers[peer];
  sw_datagram d;
  synk_status st = check_datagram(s, peer, buf, len, &d);
  if (st != SYNK_OK) {
    ps->stats.datagrams_refused++;
    return st;
  }
  /* a well-formed extension this session cannot use is dropped alone: the
     datagram's inputs, acks and other fields still count (localization data
     naming chunks this world does not have: another world size, or none) */
  const uint64_t num_chunks = s->probe.num_chunks;
  if (d.has_loc_data && (d.loc_kind == SW_LOC_CHUNKS ? d.loc_first + d.loc_count > num_chunks
                                                      : d.loc_first >= num_chunks)) {
    d.has_loc_data = 0;
    ps->stats.extensions_ignored++;
  }
  run_timers(s, now_ms);
  heard_from(s, peer, len, now_ms);
  if (d.ack > ps->acked) ps->acked = d.ack;
  if (d.span_end > ps->max_span_end) ps->max_span_end = d.span_end;
  take_inputs(s, ps, &d);
  take_ping_pong(s, peer, &d, now_ms);
  if (desync_concerns(&s->desync, &d)) desync_receive(&s->desync, peer, &d);
  sync_time(s, peer, &d, now_ms);
  return SYNK_OK;
}

/* ------------------------------------------------------------------ poll */
/* sw_encode's view of my inputs: the local peer's block of `frame` */
static void local_block(const void *ctx, uint64_t frame, uint8_t *out) {
  const synk_session *s = (const synk_session *)ctx;
  block_get(s, &s->peers[s->cfg.local_peer], s->inputs, frame, out);
}

static int peer_due(const synk_session *s, uint32_t peer, uint64_t now) {
  const peer_state *ps = &s->peers[peer];
  if (!ps->sent_any || ps->ack_dirty || ps->pong_pending || desync_urgent(&s->desync, peer)) return 1;
  if (s->local_end > ps->last_sent_end) return 1;
  uint64_t quiet = now - ps->last_send_ms;
  if (quiet >= KEEPALIVE_MS || now - ps->last_ping_ms >= PING_MS) return 1;
  int waiting = ps->acked < s->local_end || desync_waiting(&s->desync, peer, ps->rtt_ms, now);
  return waiting && quiet >= RESEND_MS;
}

/* the datagram to `peer` into out[0..mtu): every input it has not
 * acknowledged, acks, ping, pong, desync fields; returns its length */
static size_t send_to(synk_session *s, uint32_t peer, uint64_t now, uint8_t *out) {
  peer_state *ps = &s->peers[peer];
  const peer_state *me = &s->peers[s->cfg.local_peer];
  sw_datagram d;
  memset(&d, 0, sizeof d);
  d.span_end = s->local_end;
  d.ack = ps->known;
  d.span_len = (uint32_t)(s->local_end - ps->acked);
  if (now - ps->last_ping_ms >= PING_MS || !ps->pinged) {
    d.has_ping = 1;
    d.ping_ms = (uint32_t)(now & 0xFFFFu);
    d.ping_frames_ahead = ps->stats.frames_ahead;
  }
  if (ps->pong_pending) {
    d.has_pong = 1;
    d.pong_ms = ps->pong_value;
  }
  if (desync_fills(&s->desync, peer)) desync_fill(&s->desync, peer, ps->rtt_ms, now, &d);
  /* the span starts where the peer's ack says; its base is the frame before */
  uint8_t base[SYNK_SESSION_MAX_PLAYERS * SYNK_SESSION_MAX_INPUT];
  block_before(s, me, ps->acked, base);
  sw_keys keys = {s->cfg.session_id, s->cfg.local_peer, peer};
  size_t n = sw_encode(&d, &keys, me->block, base, local_block, s, s->encode_scratch, out, s->cfg.mtu);
  if (d.has_ping) {
    ps->last_ping_ms = now;
    ps->pinged = 1;
  }
  ps->pong_pending = 0;
  ps->ack_dirty = 0;
  ps->sent_any = 1;
  ps->last_send_ms = now;
  ps->last_sent_end = s->local_end;
  ps->stats.datagrams_sent++;
  ps->stats.bytes_sent += n;
  rate_add(&ps->send_rate, &ps->stats.send_bps, now, n);
  return n;
}

synk_status synk_session_poll(synk_session *s, uint64_t now_ms, uint32_t *peer, void *buf, size_t cap, size_t *len) {
  if (!s || !peer || !buf || !len) return SYNK_E_ARG;
  if (cap < s->cfg.mtu) {
    *len = s->cfg.mtu;
    return SYNK_E_SPACE;
  }
  run_timers(s, now_ms);
  for (uint32_t i = 0; i < s->cfg.num_peers; i++) {
    uint32_t q = (s->poll_next + i) % s->cfg.num_peers;
    if (q == s->cfg.local_peer || !peer_due(s, q, now_ms)) continue;
    *len = send_to(s, q, now_ms, (uint8_t *)buf);
    *peer = q;
    s->poll_next = q + 1;
    return SYNK_OK;
  }
  *len = 0;
  return SYNK_EMPTY;
}
