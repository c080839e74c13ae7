/* SPDX-License-Identifier: MIT */
/*
 * What the checks compare, and the desync checks with each peer
 * (synk_session.h, "Desync detection"; docs/wire-format.md for the fields).
 *
 * A checkpoint frame's state is recorded each time the frame is simulated;
 * it is final when its inputs were confirmed, or later, when they become
 * confirmed without a misprediction at or before it (desync_promote): a
 * frame predicted right is never simulated again. Final states are reported
 * to each peer until it acknowledges them, and compared with its reports.
 * On a mismatch both peers localize: they exchange the chunk sums of the
 * frame, then the fingerprints of the entities of the chunks that differ.
 */
#include <string.h>

#include "common/bits.h"
#include "common/bytes.h"
#include "common/mix.h"
#include "session_internal.h"

/* ------------------------------------------------------------------ states */
uint64_t state_hash(const state_probe *p) {
  uint64_t h = p->world ? synk_hash(p->world) : 0;
  /* the checksum through splitmix64's step: a bijection, so distinct
     checksums stay distinct */
  if (p->app_checksum_set) h ^= synk_mix64(p->app_checksum + SYNK_SPLITMIX64_GAMMA);
  return h;
}

/* CRC-32C of the entity's id, kind, position and properties (u32
 * little-endian), bit 0 set (0 marks a dead id) */
uint32_t entity_fingerprint(const synk_view *v, uint32_t id) {
  uint8_t b[4 * (5 + SYNK_MAX_PROPS)];
  uint32_t words[5 + SYNK_MAX_PROPS], n = 0;
  words[n++] = id;
  words[n++] = v->kind[id];
  words[n++] = (uint32_t)v->x[id];
  words[n++] = (uint32_t)v->y[id];
  words[n++] = (uint32_t)v->z[id];
  for (uint32_t p = 0; p < v->num_props; p++) words[n++] = (uint32_t)v->props[p][id];
  for (uint32_t i = 0; i < n; i++) synk_store_le32(b + 4 * i, words[i]);
  return synk_crc32c(0, b, 4 * (size_t)n) | 1u;
}

static uint32_t fingerprint_or_dead(const synk_view *v, uint32_t id) {
  return synk_bit_get(v->alive, id) ? entity_fingerprint(v, id) : 0;
}

synk_status frame_state_alloc(frame_state *fs, const state_probe *p, const synk_allocator *al) {
  if (!p->world) return SYNK_OK;
  fs->chunk_sums = (uint64_t *)session_zalloc(al, p->num_chunks * sizeof fs->chunk_sums[0]);
  fs->fingerprints = (uint32_t *)session_zalloc(al, (size_t)p->max_entities * sizeof fs->fingerprints[0]);
  return fs->chunk_sums && fs->fingerprints ? SYNK_OK : SYNK_E_NOMEM;
}

void frame_state_free(frame_state *fs, const synk_allocator *al) {
  session_free(al, fs->chunk_sums);
  session_free(al, fs->fingerprints);
}

/* the fingerprints of the chunks whose sums (in p->chunk_sums) differ from
 * prev's (all without prev); the others are copied from prev */
static void fingerprint_chunks(const state_probe *p, frame_state *fs, const frame_state *prev) {
  synk_view v = synk_get_view(p->world);
  for (size_t ch = 0; ch < p->num_chunks; ch++) {
    uint32_t first = (uint32_t)ch * SYNK_CHUNK_IDS;
    uint32_t n = p->max_entities - first < SYNK_CHUNK_IDS ? p->max_entities - first : SYNK_CHUNK_IDS;
    if (prev && prev->chunk_sums[ch] == p->chunk_sums[ch]) {
      if (prev != fs) memcpy(fs->fingerprints + first, prev->fingerprints + first, n * sizeof fs->fingerprints[0]);
    } else {
      for (uint32_t id = first; id < first + n; id++) fs->fingerprints[id] = fingerprint_or_dead(&v, id);
    }
    fs->chunk_sums[ch] = p->chunk_sums[ch];
  }
}

void frame_state_record(state_probe *p, frame_state *fs, uint64_t frame, const frame_state *prev) {
  fs->frame = frame;
  fs->hash = state_hash(p);
  if (!p->world) return;
  synk_chunk_hashes(p->world, p->chunk_sums, p->num_chunks);
  fingerprint_chunks(p, fs, prev);
}

/* ------------------------------------------------------------------ create */
synk_status desync_init(desync_checks *d, const synk_session_config *cfg, state_probe *probe, event_queue *events,
                        const synk_allocator *al) {
  d->interval = cfg->desync_interval;
  d->num_peers = cfg->num_peers;
  d->local_peer = cfg->local_peer;
  d->probe = probe;
  d->events = events;
  int localize = probe->world && d->interval;
  for (uint32_t k = 0; k < CHECKPOINT_SLOTS; k++) {
    d->slots[k].state.frame = NO_FRAME;
    if (localize && frame_state_alloc(&d->slots[k].state, probe, al) != SYNK_OK) return SYNK_E_NOMEM;
  }
  size_t bitmap_bytes = (probe->num_chunks + 63) / 64 * 8;
  for (uint32_t q = 0; q < d->num_peers; q++) {
    desync_peer *dp = &d->peers[q];
    dp->last_report_frame = NO_FRAME;
    for (uint32_t k = 0; k < CHECKPOINT_SLOTS; k++) dp->their_frame[k] = dp->compared_frame[k] = NO_FRAME;
    if (q == d->local_peer || !localize) continue;
    dp->loc.chunk_received = (uint64_t *)session_zalloc(al, bitmap_bytes);
    dp->loc.chunk_differs = (uint64_t *)session_zalloc(al, bitmap_bytes);
    if (!dp->loc.chunk_received || !dp->loc.chunk_differs) return SYNK_E_NOMEM;
  }
  return SYNK_OK;
}

void desync_free(desync_checks *d, const synk_allocator *al) {
  for (uint32_t k = 0; k < CHECKPOINT_SLOTS; k++) frame_state_free(&d->slots[k].state, al);
  for (uint32_t q = 0; q < SYNK_SESSION_MAX_PEERS; q++) {
    session_free(al, d->peers[q].loc.chunk_received);
    session_free(al, d->peers[q].loc.chunk_differs);
  }
}

/* ------------------------------------------------------------------ comparing */
static void start_localize(desync_checks *d, uint32_t peer, uint32_t slot) {
  localization *loc = &d->peers[peer].loc;
  size_t bitmap_bytes = (d->probe->num_chunks + 63) / 64 * 8;
  memset(loc->chunk_received, 0, bitmap_bytes);
  memset(loc->chunk_differs, 0, bitmap_bytes);
  uint64_t *received = loc->chunk_received, *differs = loc->chunk_differs;
  memset(loc, 0, sizeof *loc);
  loc->chunk_received = received;
  loc->chunk_differs = differs;
  loc->active = 1;
  loc->slot = slot;
  d->slots[slot].locks++;
}

/* compare the peer's report waiting in `slot` with my final state there */
static void try_compare(desync_checks *d, uint32_t peer, uint32_t slot) {
  desync_peer *dp = &d->peers[peer];
  const checkpoint *c = &d->slots[slot];
  if (dp->their_frame[slot] == NO_FRAME || dp->their_frame[slot] != c->state.frame || !c->final) return;
  uint64_t theirs = dp->their_hash[slot];
  dp->their_frame[slot] = NO_FRAME;
  if (dp->desynced || dp->compared_frame[slot] == c->state.frame) return;
  dp->compared_frame[slot] = c->state.frame;
  d->checks++;
  if (theirs == c->state.hash) return;
  synk_session_event ev;
  desync_event(&ev, SYNK_SEV_DESYNC, peer, c->state.frame, c->state.hash, theirs);
  events_push(d->events, &ev);
  dp->desynced = 1;
  dp->desync_frame = c->state.frame; /* its report still goes to the peer */
  if (d->probe->world) start_localize(d, peer, slot); /* entities to name */
}

static void make_final(desync_checks *d, uint32_t slot) {
  d->slots[slot].final = 1;
  for (uint32_t q = 0; q < d->num_peers; q++)
    if (q != d->local_peer) try_compare(d, q, slot);
}

void desync_record(desync_checks *d, uint64_t frame, int final) {
  if (!d->interval || (frame + 1) % d->interval != 0) return;
  uint32_t slot = (uint32_t)(((frame + 1) / d->interval) % CHECKPOINT_SLOTS);
  checkpoint *c = &d->slots[slot];
  if (c->locks || (c->final && c->state.frame == frame)) return; /* in use by a localization, or already final */
  int again = c->state.frame == frame; /* the same frame re-simulated: unchanged chunks keep their fingerprints */
  c->final = 0;
  c->acked_by = 0;
  frame_state_record(d->probe, &c->state, frame, again ? &c->state : NULL);
  if (final) make_final(d, slot);
}

void desync_promote(desync_checks *d, uint64_t confirmed, uint64_t mispredicted) {
  for (uint32_t k = 0; k < CHECKPOINT_SLOTS; k++) {
    const checkpoint *c = &d->slots[k];
    if (c->state.frame != NO_FRAME && !c->final && c->state.frame < confirmed && mispredicted > c->state.frame)
      make_final(d, k);
  }
}

synk_status desync_final_hash(const desync_checks *d, uint64_t frame, uint64_t *out) {
  for (uint32_t k = 0; k < CHECKPOINT_SLOTS; k++)
    if (d->slots[k].state.frame == frame && d->slots[k].final) {
      *out = d->slots[k].state.hash;
      return SYNK_OK;
    }
  return SYNK_E_RANGE;
}

/* ------------------------------------------------------------------ localization, in */
static void add_id(localization *loc, uint32_t id) {
  if (loc->num_ids < SYNK_SESSION_MAX_IDS) loc->ids[loc->num_ids++] = id;
  else loc->ids_more = 1;
}

/* the ids arrive piece by piece in any order: ascending for the event */
static void sort_ids(uint32_t *ids, uint32_t n) {
  for (uint32_t i = 1; i < n; i++)
    for (uint32_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
      uint32_t t = ids[j];
      ids[j] = ids[j - 1];
      ids[j - 1] = t;
    }
}

static void loc_finish_if_done(desync_checks *d, uint32_t peer) {
  desync_peer *dp = &d->peers[peer];
  localization *loc = &dp->loc;
  if (loc->have_chunks && !loc->have_ents) {
    int all = 1;
    for (uint32_t i = 0; i < loc->num_diff; i++)
      if (loc->ents_received[i] != (1u << SW_LOC_ENT_PIECES) - 1) all = 0;
    loc->have_ents = all;
  }
  if (loc->have_ents && !loc->reported) {
    synk_session_event ev;
    desync_event(&ev, SYNK_SEV_DESYNC_LOCALIZED, peer, dp->desync_frame, d->slots[loc->slot].state.hash, 0);
    ev.num_ids = loc->num_ids;
    ev.more_ids = (uint32_t)(loc->ids_more || loc->diff_more);
    sort_ids(loc->ids, loc->num_ids);
    memcpy(ev.ids, loc->ids, loc->num_ids * sizeof ev.ids[0]);
    events_push(d->events, &ev);
    loc->reported = 1;
  }
  if (loc->reported && loc->peer_has_ents && loc->active) {
    loc->active = 0;
    loc->finished = 1;
    d->slots[loc->slot].locks--;
  }
}

/* a piece of the peer's chunk sums: note the chunks that differ from mine */
static void take_chunk_sums(desync_checks *d, localization *loc, const frame_state *mine, const sw_datagram *dg) {
  for (uint32_t i = 0; i < dg->loc_count; i++) {
    uint32_t ch = (uint32_t)dg->loc_first + i; /* below num_chunks: checked on receipt */
    if (synk_bit_get(loc->chunk_received, ch)) continue;
    synk_bit_set(loc->chunk_received, ch);
    loc->chunks_received++;
    if (synk_load_le64(dg->loc_payload + 8 * (size_t)i) != mine->chunk_sums[ch]) synk_bit_set(loc->chunk_differs, ch);
  }
  if (loc->chunks_received != d->probe->num_chunks) return;
  loc->have_chunks = 1;
  /* the differing chunks in ascending order, as the peer lists them */
  loc->num_diff = 0;
  for (uint32_t ch = 0; ch < d->probe->num_chunks; ch++) {
    if (!synk_bit_get(loc->chunk_differs, ch)) continue;
    if (loc->num_diff < LOC_MAX_CHUNKS) loc->diff_chunk[loc->num_diff++] = ch;
    else loc->diff_more = 1;
  }
}

/* a piece of the fingerprints of a differing chunk: note the entities that differ */
static void take_fingerprints(desync_checks *d, localization *loc, const frame_state *mine, const sw_datagram *dg) {
  for (uint32_t i = 0; i < loc->num_diff; i++) {
    if (loc->diff_chunk[i] != dg->loc_first || ((loc->ents_received[i] >> dg->loc_piece) & 1u)) continue;
    loc->ents_received[i] |= (uint8_t)(1u << dg->loc_piece);
    uint32_t base = loc->diff_chunk[i] * SYNK_CHUNK_IDS + dg->loc_piece * SW_LOC_ENT_SLOTS;
    uint32_t e = 0;
    for (uint32_t slot = 0; slot < SW_LOC_ENT_SLOTS && base + slot < d->probe->max_entities; slot++) {
      uint32_t id = base + slot, theirs = 0;
      if (e < dg->loc_count && dg->loc_payload[5 * (size_t)e] == slot) {
        theirs = synk_load_le32(dg->loc_payload + 5 * (size_t)e + 1);
        e++;
      }
      if (mine->fingerprints[id] != theirs) add_id(loc, id);
    }
  }
}

static void loc_receive(desync_checks *d, uint32_t peer, const sw_datagram *dg) {
  desync_peer *dp = &d->peers[peer];
  localization *loc = &dp->loc;
  if (!loc->active) {
    /* done here, but the peer still talks about it: it lacks our last state */
    if (loc->finished && ((dg->has_loc_state && dg->loc_state_frame == dp->desync_frame) ||
                          (dg->has_loc_data && dg->loc_frame == dp->desync_frame)))
      loc->echo = 1;
    return;
  }
  const frame_state *mine = &d->slots[loc->slot].state;
  if (dg->has_loc_state && dg->loc_state_frame == dp->desync_frame) {
    if (dg->loc_state & SW_LOC_HAVE_CHUNKS) loc->peer_has_chunks = 1;
    if (dg->loc_state & SW_LOC_HAVE_ENTS) loc->peer_has_ents = 1;
  }
  if (dg->has_loc_data && dg->loc_frame == dp->desync_frame) {
    if (dg->loc_kind == SW_LOC_CHUNKS && !loc->have_chunks) take_chunk_sums(d, loc, mine, dg);
    else if (dg->loc_kind == SW_LOC_ENTS && loc->have_chunks) take_fingerprints(d, loc, mine, dg);
  }
  loc_finish_if_done(d, peer);
}

void desync_receive(desync_checks *d, uint32_t peer, const sw_datagram *dg) {
  desync_peer *dp = &d->peers[peer];
  if (dg->has_hashack)
    for (uint32_t k = 0; k < CHECKPOINT_SLOTS; k++)
      if (d->slots[k].state.frame == dg->hashack_frame && d->slots[k].final) d->slots[k].acked_by |= 1u << peer;
  if (dg->has_hash) {
    dp->hashack_pending = 1; /* once: a lost ack makes the report come again */
    dp->hashack_frame = dg->hash_frame;
    if (d->interval && (dg->hash_frame + 1) % d->interval == 0) {
      uint32_t slot = (uint32_t)(((dg->hash_frame + 1) / d->interval) % CHECKPOINT_SLOTS);
      dp->their_frame[slot] = dg->hash_frame;
      dp->their_hash[slot] = dg->hash;
      try_compare(d, peer, slot);
    }
  }
  loc_receive(d, peer, dg);
}

/* ------------------------------------------------------------------ reports and localization, out */
/* the newest of my final checkpoints that the peer has not acknowledged
 * (after a desync with it: only the desync's frame) */
static const checkpoint *report_due(const desync_checks *d, uint32_t peer) {
  const desync_peer *dp = &d->peers[peer];
  const checkpoint *best = NULL;
  for (uint32_t k = 0; k < CHECKPOINT_SLOTS; k++) {
    const checkpoint *c = &d->slots[k];
    if (c->state.frame == NO_FRAME || !c->final || ((c->acked_by >> peer) & 1u)) continue;
    if (dp->desynced && c->state.frame != dp->desync_frame) continue;
    if (!best || c->state.frame > best->state.frame) best = c;
  }
  return best;
}

/* the report to send now: a new one at once, a repeat after a round trip */
static const checkpoint *report_now(const desync_checks *d, uint32_t peer, uint32_t rtt_ms, uint64_t now_ms) {
  const checkpoint *rep = report_due(d, peer);
  if (!rep) return NULL;
  const desync_peer *dp = &d->peers[peer];
  uint32_t again = rtt_ms && rtt_ms + 2 * RESEND_MS < KEEPALIVE_MS ? rtt_ms + 2 * RESEND_MS : KEEPALIVE_MS;
  if (rep->state.frame == dp->last_report_frame && now_ms - dp->last_report_ms < again) return NULL;
  return rep;
}

int desync_outgoing(const desync_checks *d, uint32_t peer, uint32_t rtt_ms, uint64_t now_ms) {
  return report_now(d, peer, rtt_ms, now_ms) || d->peers[peer].loc.active;
}

/* the localization piece to send next, if any */
static void loc_piece(desync_checks *d, uint32_t peer, sw_datagram *dg) {
  desync_peer *dp = &d->peers[peer];
  localization *loc = &dp->loc;
  if (!loc->active && loc->echo) {
    loc->echo = 0;
    dg->has_loc_state = 1;
    dg->loc_state_frame = dp->desync_frame;
    dg->loc_state = SW_LOC_HAVE_CHUNKS | SW_LOC_HAVE_ENTS;
  }
  if (!loc->active) return;
  const frame_state *mine = &d->slots[loc->slot].state;
  const size_t num_chunks = d->probe->num_chunks;
  const uint32_t max_entities = d->probe->max_entities;
  dg->has_loc_state = 1;
  dg->loc_state_frame = dp->desync_frame;
  dg->loc_state = (uint8_t)((loc->have_chunks ? SW_LOC_HAVE_CHUNKS : 0) | (loc->have_ents ? SW_LOC_HAVE_ENTS : 0));
  if (!loc->peer_has_chunks) {
    const uint32_t per = SW_LOC_CHUNKS_PER_PIECE; /* what the receiver's decoder accepts */
    uint32_t pieces = (uint32_t)((num_chunks + per - 1) / per);
    uint32_t i = loc->next_piece++ % pieces;
    dg->has_loc_data = 1;
    dg->loc_frame = dp->desync_frame;
    dg->loc_kind = SW_LOC_CHUNKS;
    dg->loc_first = (uint64_t)i * per;
    dg->loc_count = (uint32_t)(num_chunks - dg->loc_first < per ? num_chunks - dg->loc_first : per);
    dg->loc_chunks = mine->chunk_sums + dg->loc_first;
  } else if (loc->have_chunks && !loc->peer_has_ents && loc->num_diff) {
    const uint32_t slots = SW_LOC_ENT_SLOTS;
    uint32_t i = loc->next_piece++ % (loc->num_diff * SW_LOC_ENT_PIECES);
    dg->has_loc_data = 1;
    dg->loc_frame = dp->desync_frame;
    dg->loc_kind = SW_LOC_ENTS;
    dg->loc_first = loc->diff_chunk[i / SW_LOC_ENT_PIECES];
    dg->loc_piece = i % SW_LOC_ENT_PIECES;
    uint32_t base = (uint32_t)dg->loc_first * SYNK_CHUNK_IDS + dg->loc_piece * slots;
    dg->loc_fp = base < max_entities ? mine->fingerprints + base : NULL;
    dg->loc_fp_count = base < max_entities ? (max_entities - base < slots ? max_entities - base : slots) : 0;
  }
}

void desync_fill(desync_checks *d, uint32_t peer, uint32_t rtt_ms, uint64_t now_ms, sw_datagram *dg) {
  desync_peer *dp = &d->peers[peer];
  const checkpoint *rep = report_now(d, peer, rtt_ms, now_ms);
  if (rep) {
    dp->last_report_frame = rep->state.frame;
    dp->last_report_ms = now_ms;
    dg->has_hash = 1;
    dg->hash_frame = rep->state.frame;
    dg->hash = rep->state.hash;
  }
  if (dp->hashack_pending) {
    dp->hashack_pending = 0;
    dg->has_hashack = 1;
    dg->hashack_frame = dp->hashack_frame;
  }
  loc_piece(d, peer, dg);
}
