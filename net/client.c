/* SPDX-License-Identifier: MIT */
/*
 * The client endpoint: handshake, snapshot / repair loading through the
 * bounded loader, tick pieces, acks, and prediction with reconciliation.
 * docs/protocol.md.
 */
#include "net_internal.h"

typedef struct pending {
  uint32_t seq;
  uint32_t n;            /* predicted events */
  uint64_t effect;       /* accepted: the frame whose tick shows it; 0: no answer yet */
  synk_event *ev;
} pending;

struct synk_client {
  synk_client_config cfg;
  const synk_allocator *alloc;
  uint8_t token[256];
  synk_config wcfg;
  uint32_t nchunks;
  uint32_t state;
  uint32_t reason;
  uint32_t id;
  uint64_t rtoken;       /* resume token (0: never welcomed) */
  uint32_t ack_interval;
  int resync;            /* SYNC sent: discard ticks until the repair */
  int sync_owed;         /* a SYNC waits for room in the out queue (2: with the chunk sums) */
  int check_pending;     /* a CHECK arrived while loading */
  synk_world *w;
  synk_ring *ring;       /* predict: the confirmed frame */
  int predicted;         /* predictions are applied on top of the confirmed frame */
  uint64_t confirmed_hash;
  net_rx rx;
  net_fifo out;
  uint8_t *bulk;
  size_t bulk_cap, bulk_len, bulk_have;
  uint32_t bulk_kind, bulk_crc;
  uint64_t bulk_frame, bulk_hash;
  int bulk_on;
  pending *pend;
  uint32_t npend;
  synk_event *pev;
  uint32_t next_seq;
  uint64_t now, last_heard, last_sent;
  uint64_t *sums;
  synk_event *dec;       /* a piece's motions, decoded */
  synk_motion *mot;      /* ... by entity id */
  size_t dec_cap;
};


static void cemit(synk_client *c, uint32_t type, uint32_t reason, uint64_t frame, uint64_t hash,
                  uint64_t value, const void *data, size_t len) {
  if (!c->cfg.on_event) return;
  synk_client_event ev;
  ev.type = type;
  ev.reason = reason;
  ev.frame = frame;
  ev.hash = hash;
  ev.value = value;
  ev.data = data;
  ev.len = len;
  c->cfg.on_event(c->cfg.ctx, &ev);
}

static int out_frame(synk_client *c, uint32_t type, const void *body, size_t len) {
  return net_fifo_frame(&c->out, type, body, len);
}

/* A frame whose body is built in place in the out queue. */
static int out_begin(synk_client *c, nw *w, size_t max_body, size_t *mark) {
  uint8_t *q = net_fifo_reserve(&c->out, max_body + NET_FRAME_OVERHEAD);
  if (!q) return -1;
  nw_init(w, q, max_body + NET_FRAME_OVERHEAD);
  *mark = net_frame_begin(w, 0);
  return 0;
}
static void out_end(synk_client *c, nw *w, size_t mark, uint32_t type, size_t reserved) {
  w->p[mark] = (uint8_t)type;
  net_frame_end(w, mark);
  c->out.tail -= reserved - w->n;
}

static void set_closed(synk_client *c, uint32_t reason) {
  c->state = SYNK_CLIENT_CLOSED;
  c->reason = reason;
  c->bulk_on = 0;
  cemit(c, SYNK_CLIENT_EV_CLOSED, reason, 0, 0, 0, NULL, 0);
}

/* ---- prediction ---------------------------------------------------------------- */

/* Back to the confirmed frame (drop the applied predictions). */
static void unpredict(synk_client *c) {
  if (c->predicted && c->ring) synk_ring_restore(c->ring, synk_frame(c->w));
  c->predicted = 0;
}

/* The world is at the confirmed frame: save it, then re-apply the pending
 * commands' predictions. */
static void repredict(synk_client *c) {
  c->confirmed_hash = synk_hash(c->w);
  if (!c->ring) return;
  synk_ring_save(c->ring);
  for (uint32_t i = 0; i < c->npend; i++)
    if (c->pend[i].n && synk_events_apply(c->w, c->pend[i].ev, c->pend[i].n, NULL) == SYNK_OK) c->predicted = 1;
}

/* drop pending commands whose effects the confirmed frame includes */
static void settle(synk_client *c) {
  uint64_t f = synk_frame(c->w);
  uint32_t k = 0;
  for (uint32_t i = 0; i < c->npend; i++) {
    if (c->pend[i].effect && c->pend[i].effect <= f) continue;
    if (k != i) {
      synk_event *t = c->pend[k].ev;
      c->pend[k] = c->pend[i];
      c->pend[i].ev = t;
    }
    k++;
  }
  c->npend = k;
}

/* ---- create / destroy ---------------------------------------------------------- */

synk_status synk_client_create(const synk_client_config *cfg, synk_client **out) {
  if (out) *out = NULL;
  if (!cfg || !out || cfg->max_entities < 1 || cfg->max_entities > SYNK_MAX_ENTITIES_LIMIT ||
      cfg->num_props > SYNK_MAX_PROPS || cfg->token_len > 256 || (cfg->token_len && !cfg->token))
    return SYNK_E_ARG;
  if (cfg->allocator && (!cfg->allocator->alloc || !cfg->allocator->free)) return SYNK_E_ARG;
  synk_client_config k = *cfg;
  if (!k.frag_size) k.frag_size = 16384;
  if (k.frag_size < 256) return SYNK_E_ARG;
  if (!k.timeout_ms) k.timeout_ms = 5000;
  if (!k.heartbeat_ms) k.heartbeat_ms = 1000;
  if (!k.max_pending) k.max_pending = 32;
  if (!k.max_command) k.max_command = 1024;
  if (!k.max_command_events) k.max_command_events = 64;
  if (!k.max_view || k.max_view > k.max_entities) k.max_view = k.max_entities;
  if (k.max_pending > 4096 || k.max_command > (1u << 20) || k.max_command_events > 4096) return SYNK_E_ARG;
  uint32_t nchunks = (k.max_entities + SYNK_CHUNK_IDS - 1) / SYNK_CHUNK_IDS;
  size_t snap = net_snapshot_bound(k.max_entities, k.num_props);
  size_t rep = net_repair_bound(k.max_entities, k.num_props);
  size_t bound = snap > rep ? snap : rep;
  if (!k.max_message || k.max_message > bound) k.max_message = (uint32_t)(bound > 0xFFFFFFFFu ? 0xFFFFFFFFu : bound);
  synk_client *c = net_alloc(k.allocator, sizeof *c);
  if (!c) return SYNK_E_NOMEM;
  c->alloc = k.allocator;
  c->cfg = k;
  if (k.token_len) memcpy(c->token, k.token, k.token_len);
  c->cfg.token = c->token;
  c->wcfg.max_entities = k.max_entities;
  c->wcfg.num_props = k.num_props;
  c->wcfg.seed = k.seed;
  c->wcfg.allocator = k.allocator;
  c->wcfg.jobs = NULL;
  c->nchunks = nchunks;
  c->rx.max_body = k.frag_size + 64;
  c->rx.cap = c->rx.max_body + NET_FRAME_OVERHEAD;
  c->rx.buf = net_alloc(c->alloc, c->rx.cap);
  c->out.cap = (size_t)nchunks * 8 + 4 * ((size_t)k.max_command + 64) + 8192;
  c->out.buf = net_alloc(c->alloc, c->out.cap);
  c->bulk_cap = k.max_message;
  c->bulk = net_alloc(c->alloc, c->bulk_cap);
  c->pend = net_alloc(c->alloc, (size_t)k.max_pending * sizeof *c->pend);
  c->pev = net_alloc(c->alloc, (size_t)k.max_pending * k.max_command_events * sizeof *c->pev);
  c->sums = net_alloc(c->alloc, (size_t)nchunks * sizeof *c->sums);
  c->dec_cap = k.max_view;
  c->dec = net_alloc(c->alloc, c->dec_cap * sizeof *c->dec);
  c->mot = net_alloc(c->alloc, c->dec_cap * sizeof *c->mot);
  if (!c->rx.buf || !c->out.buf || !c->bulk || !c->pend || !c->pev || !c->sums || !c->dec || !c->mot) {
    synk_client_destroy(c);
    return SYNK_E_NOMEM;
  }
  for (uint32_t i = 0; i < k.max_pending; i++) c->pend[i].ev = c->pev + (size_t)i * k.max_command_events;
  c->state = SYNK_CLIENT_IDLE;
  c->id = NET_NONE;
  c->next_seq = 1;
  *out = c;
  return SYNK_OK;
}

void synk_client_destroy(synk_client *c) {
  if (!c) return;
  synk_ring_destroy(c->ring);
  synk_world_destroy(c->w);
  net_free(c->alloc, c->rx.buf);
  net_free(c->alloc, c->out.buf);
  net_free(c->alloc, c->bulk);
  net_free(c->alloc, c->pend);
  net_free(c->alloc, c->pev);
  net_free(c->alloc, c->sums);
  net_free(c->alloc, c->dec);
  net_free(c->alloc, c->mot);
  net_free(c->alloc, c);
}

/* ---- connection ------------------------------------------------------------------ */

synk_status synk_client_start(synk_client *c, uint64_t now_ms) {
  if (!c) return SYNK_E_ARG;
  if (c->state != SYNK_CLIENT_IDLE) return SYNK_E_MISMATCH;
  c->now = c->last_heard = c->last_sent = now_ms;
  c->rx.have = c->rx.need = 0;
  net_fifo_clear(&c->out);
  c->bulk_on = 0;
  c->resync = 0;
  c->sync_owed = 0;
  c->check_pending = 0;
  int resume = c->rtoken != 0;
  size_t max_body = 64 + c->cfg.token_len + (resume ? 28 + (size_t)c->nchunks * 8 : 0);
  nw w;
  size_t mark;
  if (out_begin(c, &w, max_body, &mark)) return SYNK_E_SPACE;
  nw_u32(&w, SYNK_NET_VERSION);
  nw_u32(&w, c->cfg.room_id);
  nw_u32(&w, c->cfg.max_entities);
  nw_u32(&w, c->cfg.num_props);
  nw_u64(&w, c->cfg.seed);
  nw_u16(&w, (uint32_t)c->cfg.token_len);
  nw_bytes(&w, c->token, c->cfg.token_len);
  nw_u8(&w, resume ? 1u : 0u);
  if (resume) {
    nw_u64(&w, c->rtoken);
    unpredict(c);
    nw_u64(&w, c->w ? synk_frame(c->w) : 0);
    nw_u64(&w, c->w ? synk_hash(c->w) : 0);
    uint32_t n = c->w ? c->nchunks : 0;
    nw_u32(&w, n);
    if (n) {
      synk_chunk_hashes(c->w, c->sums, n);
      for (uint32_t i = 0; i < n; i++) nw_u64(&w, c->sums[i]);
    }
    if (c->w) repredict(c);
  }
  out_end(c, &w, mark, NM_HELLO, max_body + NET_FRAME_OVERHEAD);
  c->state = SYNK_CLIENT_HELLO;
  return SYNK_OK;
}

void synk_client_disconnect(synk_client *c) {
  if (!c) return;
  c->state = SYNK_CLIENT_IDLE;
  c->bulk_on = 0;
  c->sync_owed = 0;
  net_fifo_clear(&c->out);
}

/* Write the owed SYNC -- the confirmed world's chunk sums, or none: ask for
 * a snapshot -- when the out queue has room (an empty queue always has). */
static void flush_sync(synk_client *c) {
  if (!c->sync_owed) return;
  uint32_t n = (c->sync_owed == 2 && c->w) ? c->nchunks : 0;
  size_t max_body = 20 + (size_t)n * 8;
  nw w;
  size_t mark;
  if (out_begin(c, &w, max_body, &mark)) return;
  unpredict(c);
  nw_u64(&w, c->w ? synk_frame(c->w) : 0);
  nw_u64(&w, c->w ? synk_hash(c->w) : 0);
  nw_u32(&w, n);
  if (n) {
    synk_chunk_hashes(c->w, c->sums, n);
    for (uint32_t i = 0; i < n; i++) nw_u64(&w, c->sums[i]);
  }
  out_end(c, &w, mark, NM_SYNC, max_body + NET_FRAME_OVERHEAD);
  if (c->w) repredict(c);
  c->sync_owed = 0;
  c->resync = 1;
}

/* Ask for a repair (with_sums) or a snapshot: ticks are discarded from now
 * until it comes; a full out queue delays the SYNC, never drops it. */
static void send_sync(synk_client *c, int with_sums) {
  c->sync_owed = with_sums ? 2 : 1;
  c->resync = 1;
  flush_sync(c);
}

static void send_ack(synk_client *c) {
  uint8_t b[16];
  nw w;
  nw_init(&w, b, sizeof b);
  nw_u64(&w, synk_frame(c->w));
  nw_u64(&w, c->confirmed_hash);
  out_frame(c, NM_ACK, b, w.n);
}

/* ---- bulk payloads ------------------------------------------------------------- */

static int apply_snapshot(synk_client *c) {
  synk_world *nwld = NULL;
  if (synk_snapshot_load(c->bulk, c->bulk_len, &c->wcfg, &nwld) != SYNK_OK) return -1;
  if (synk_frame(nwld) != c->bulk_frame || synk_hash(nwld) != c->bulk_hash) {
    synk_world_destroy(nwld);
    return -1;
  }
  synk_ring_destroy(c->ring);
  c->ring = NULL;
  synk_world_destroy(c->w);
  c->w = nwld;
  c->predicted = 0;
  if (c->cfg.predict && synk_ring_create(c->w, 2, &c->ring) != SYNK_OK) c->ring = NULL;
  return 0;
}

/* REPAIR: u64 base, u64 frame, u64 count, u32 chunks, { u32 chunk, u32 n, n entities }.
 * Validated completely before the world is touched: the structure, and the
 * hash the repaired world would have (the chunks' old entity hashes taken out
 * of the world's sum, the new ones put in, at the new frame) against the BULK
 * header's; then the chunks are replaced and the frame set, once. An honest
 * server repairs only clients at most resume_frames (a u32) behind: a larger
 * step is refused, as it would take more than one tick event. */
static int apply_repair(synk_client *c) {
  if (!c->w) return -1;
  uint32_t np = c->cfg.num_props;
  nr r;
  nr_init(&r, c->bulk, c->bulk_len);
  uint64_t base = nr_u64(&r), frame = nr_u64(&r), count = nr_u64(&r);
  uint32_t nch = nr_u32(&r);
  if (r.err || base != synk_frame(c->w) || frame < base || frame - base > UINT32_MAX || frame != c->bulk_frame ||
      nch > c->nchunks)
    return -1;
  unpredict(c); /* the confirmed world is the one repaired */
  synk_view v = synk_get_view(c->w);
  uint64_t sum = synk_hash_sum(c->w), live = synk_count(c->w);
  size_t start = r.off;
  uint32_t prev = 0;
  for (uint32_t i = 0; i < nch; i++) {
    uint32_t ch = nr_u32(&r), n = nr_u32(&r);
    if (r.err || (i && ch <= prev) || ch >= c->nchunks || n > SYNK_CHUNK_IDS) goto refuse;
    prev = ch;
    uint32_t first = ch * SYNK_CHUNK_IDS, end = first + SYNK_CHUNK_IDS;
    if (end > c->cfg.max_entities) end = c->cfg.max_entities;
    for (uint32_t id = first; id < end; id++) /* what the chunk holds now goes */
      if ((v.alive[id >> 6] >> (id & 63)) & 1u) {
        uint64_t h = 0;
        synk_entity_hash(c->w, id, &h);
        sum -= h;
        live--;
      }
    uint32_t lastid = 0;
    for (uint32_t j = 0; j < n; j++) { /* what the server sent comes */
      synk_entity e;
      memset(&e, 0, sizeof e);
      e.id = nr_u32(&r);
      e.kind = nr_u32(&r);
      e.x = nr_i32(&r);
      e.y = nr_i32(&r);
      e.z = nr_i32(&r);
      for (uint32_t p = 0; p < np; p++) e.props[p] = nr_i32(&r);
      uint64_t h = 0;
      if (r.err || e.id / SYNK_CHUNK_IDS != ch || e.id >= c->cfg.max_entities || (j && e.id <= lastid) ||
          synk_entity_hash_of(c->w, &e, &h) != SYNK_OK)
        goto refuse;
      lastid = e.id;
      sum += h;
      live++;
    }
  }
  if (!nr_done(&r) || live != count || synk_hash_compose(c->w, sum, frame, live) != c->bulk_hash) goto refuse;
  r.off = start;
  for (uint32_t i = 0; i < nch; i++) {
    uint32_t ch = nr_u32(&r), n = nr_u32(&r);
    uint32_t first = ch * SYNK_CHUNK_IDS, end = first + SYNK_CHUNK_IDS;
    if (end > c->cfg.max_entities) end = c->cfg.max_entities;
    for (uint32_t id = first; id < end; id++)
      if ((v.alive[id >> 6] >> (id & 63)) & 1u) synk_despawn(c->w, id);
    for (uint32_t j = 0; j < n; j++) {
      uint32_t id = nr_u32(&r), kind = nr_u32(&r);
      int32_t x = nr_i32(&r), y = nr_i32(&r), z = nr_i32(&r);
      synk_spawn(c->w, id, kind, x, y, z);
      for (uint32_t p = 0; p < np; p++) {
        int32_t val = nr_i32(&r);
        if (val) synk_set_prop(c->w, id, p, val);
      }
    }
  }
  if (frame > base) {
    synk_event t = {SYNK_EV_TICK, 0, (uint32_t)(frame - base), 0, 0, 0};
    synk_events_apply(c->w, &t, 1, NULL);
  }
  return synk_hash(c->w) == c->bulk_hash ? 0 : -1; /* computed above: a check of the check */
refuse:
  return -1; /* the world as it was (the caller re-applies the predictions) */
}

/* One piece (docs/protocol.md, "TICK pieces") applied to w (the client's
 * world or a copy of it): u8 flags, [varint length, event stream], [motion
 * stream by view rank], then the tick. Every part is checked before it is
 * applied; a piece that fails part-way leaves the world to a repair (the
 * caller sends SYNC). */
static int apply_piece(synk_client *c, synk_world *w, const uint8_t *p, size_t len) {
  nr r;
  nr_init(&r, p, len);
  uint32_t flags = nr_u8(&r);
  if (r.err || flags > 7 || !flags) return -1;
  if (flags & 1) {
    uint64_t la = nr_var(&r);
    const uint8_t *a = nr_take(&r, (size_t)la);
    if (!a) return -1;
    size_t pos = 0;
    synk_stream_info info;
    if (synk_stream_apply(w, a, (size_t)la, &pos, 0, &info) != SYNK_OK) return -1;
  }
  if (flags & 2) {
    size_t lb = r.n - r.off, n = 0;
    const uint8_t *b = nr_take(&r, lb);
    synk_stream_info info;
    if (!b || synk_stream_decode(b, lb, c->dec, c->dec_cap, &n, &info) != SYNK_OK || !n) return -1;
    /* ranks among the live ids -> ids: one walk of the alive words */
    synk_view v = synk_get_view(w);
    uint32_t nwords = (v.capacity + 63) / 64, wd = 0;
    uint64_t base = 0, prev = 0;
    for (size_t i = 0; i < n; i++) {
      const synk_event *e = &c->dec[i];
      if (e->type != SYNK_EV_MOTION || (i && e->id <= prev)) return -1;
      prev = e->id;
      for (uint32_t pc; wd < nwords && base + (pc = v.alive[wd] ? popcount64(v.alive[wd]) : 0) <= e->id; wd++)
        base += pc;
      if (wd == nwords) return -1;
      uint64_t bits = v.alive[wd];
      for (uint64_t k = e->id - base; k; k--) bits &= bits - 1;
      c->mot[i].id = wd * 64 + ctz64(bits);
      c->mot[i].dx = e->a;
      c->mot[i].dy = e->b;
      c->mot[i].dz = e->c;
    }
    if (synk_apply_motions(w, c->mot, n, NULL) != SYNK_OK) return -1;
  }
  if (!nr_done(&r)) return -1;
  if (flags & 4) synk_tick(w);
  return 0;
}

/* REPLAY: u64 base, u32 n, n x { u32 len, stream piece }: the view group's
 * pieces after the client's frame, applied in order. Only the hash at the
 * end tells a good replay from a bad one, so a refused one is undone: a
 * predicting client applies the pieces in place and, refused, restores the
 * confirmed frame its ring holds (a copy of the chunks the pieces changed,
 * no allocation); one without a ring applies them to a copy of its world,
 * kept once it verifies (one world more while loading, as a snapshot). */
static int apply_replay(synk_client *c) {
  if (!c->w) return -1;
  nr r;
  nr_init(&r, c->bulk, c->bulk_len);
  uint64_t base = nr_u64(&r);
  uint32_t n = nr_u32(&r);
  if (r.err || base != synk_frame(c->w)) return -1;
  unpredict(c);
  synk_world *w = c->w;
  if (c->ring) {
    if (!synk_ring_has(c->ring, base)) synk_ring_save(c->ring);
  } else if (synk_world_create(&c->wcfg, &w) != SYNK_OK || synk_world_copy(w, c->w) != SYNK_OK) {
    synk_world_destroy(w);
    return -1;
  }
  int bad = 0;
  for (uint32_t i = 0; i < n && !bad; i++) {
    uint32_t len = nr_u32(&r);
    const uint8_t *p = nr_take(&r, len);
    bad = !p || apply_piece(c, w, p, len);
  }
  bad = bad || !nr_done(&r) || synk_frame(w) != c->bulk_frame || synk_hash(w) != c->bulk_hash;
  if (c->ring) {
    if (bad) synk_ring_restore(c->ring, base);
  } else if (bad) {
    synk_world_destroy(w);
  } else {
    synk_world_destroy(c->w);
    c->w = w;
  }
  return bad ? -1 : 0;
}

static void bulk_done(synk_client *c) {
  c->bulk_on = 0;
  if (synk_crc32c(0, c->bulk, c->bulk_len) != c->bulk_crc) {
    send_sync(c, 0);
    return;
  }
  int ok = c->bulk_kind == NB_SNAPSHOT ? apply_snapshot(c) : c->bulk_kind == NB_REPAIR ? apply_repair(c)
                                                                                     : apply_replay(c);
  if (ok) {
    /* the server's data did not verify here: the world as it was (a payload
       refused before the predictions were undone still has them), and a
       snapshot asked for */
    if (c->w) {
      unpredict(c);
      repredict(c);
    }
    send_sync(c, 0);
    return;
  }
  c->resync = 0;
  c->state = SYNK_CLIENT_LIVE;
  settle(c);
  repredict(c);
  send_ack(c);
  cemit(c, SYNK_CLIENT_EV_SYNCED, 0, synk_frame(c->w), c->confirmed_hash, c->bulk_kind, NULL, 0);
  if (c->check_pending) {
    c->check_pending = 0;
    send_sync(c, 1);
  }
}

/* ---- messages ------------------------------------------------------------------- */

static int on_tick(synk_client *c, nr *r) {
  uint32_t frame_end = nr_u8(r); /* the low byte of the frame after the last piece */
  uint64_t n = nr_var(r);
  if (r->err || n == 0 || n > r->n) return -1;
  if (c->state != SYNK_CLIENT_LIVE || c->resync || !c->w) return 0; /* discarded: a repair is coming */
  /* the pieces' framing first: a message refused as malformed changes nothing */
  size_t start = r->off;
  for (uint64_t i = 0; i + 1 < n; i++) {
    uint64_t len = nr_var(r);
    if (r->err || len > r->n - r->off) return -1;
    r->off += (size_t)len;
  }
  r->off = start;
  unpredict(c);
  int failed = 0;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t len = i + 1 < n ? nr_var(r) : (uint64_t)(r->n - r->off); /* the last piece: the rest */
    const uint8_t *p = nr_take(r, (size_t)len);
    if (!p) return -1; /* (checked above) */
    if (failed) continue;
    uint64_t before = synk_frame(c->w);
    if (apply_piece(c, c->w, p, (size_t)len)) {
      failed = 1;
      continue;
    }
    if (synk_frame(c->w) != before) {
      c->confirmed_hash = synk_hash(c->w);
      if (c->ack_interval && synk_frame(c->w) % c->ack_interval == 0) send_ack(c);
    }
  }
  if (!nr_done(r)) return -1;
  if (!failed && (synk_frame(c->w) & 0xFF) != frame_end) failed = 1;
  settle(c);
  repredict(c);
  if (failed) {
    send_sync(c, 1);
    return 0;
  }
  cemit(c, SYNK_CLIENT_EV_TICK, 0, synk_frame(c->w), c->confirmed_hash, 0, NULL, 0);
  return 0;
}

static int on_cmessage(void *ctx, uint32_t type, const uint8_t *body, size_t len) {
  synk_client *c = ctx;
  nr r;
  nr_init(&r, body, len);
  if (type == NM_PING) {
    if (len) return -1;
    out_frame(c, NM_PONG, NULL, 0);
    return 0;
  }
  if (type == NM_PONG) return len ? -1 : 0;
  if (type == NM_CLOSE || type == NM_REFUSE) {
    uint32_t reason = nr_u32(&r);
    if (!nr_done(&r)) return -1;
    set_closed(c, reason);
    return 1;
  }
  if (c->state == SYNK_CLIENT_HELLO) {
    if (type != NM_WELCOME) return -1;
    uint32_t id = nr_u32(&r);
    uint64_t token = nr_u64(&r), frame = nr_u64(&r);
    uint32_t ack = nr_u32(&r), resumed = nr_u8(&r), frag = nr_u32(&r), last_seq = nr_u32(&r), n = nr_u32(&r);
    if (r.err || n > (r.n - r.off) / 8) return -1;
    const uint8_t *out = nr_take(&r, (size_t)n * 8); /* n x (u32 seq, u32 reason), oldest first */
    if (!nr_done(&r) || resumed > 1 || frag > c->cfg.frag_size || token == 0 || (!resumed && (last_seq || n)))
      return -1;
    c->id = id;
    c->rtoken = token;
    c->ack_interval = ack;
    c->state = SYNK_CLIENT_LOADING;
    /* commands in flight when the connection broke: what the server decided
       (accepted ones are in the state it is about to send, or its next
       tick), never arrived (after last_seq), or no longer known (older than
       the outcomes it kept, or the slot is gone); no prediction stays */
    for (uint32_t i = 0; i < c->npend; i++) {
      if (c->pend[i].effect) continue;
      uint32_t seq = c->pend[i].seq, reason = SYNK_NET_R_FORGOTTEN;
      if (resumed && seq > last_seq) reason = SYNK_NET_R_SHUTDOWN;
      for (uint32_t j = n; resumed && reason == SYNK_NET_R_FORGOTTEN && j-- > 0;)
        if (net_le32(out + 8 * (size_t)j) == seq) reason = net_le32(out + 8 * (size_t)j + 4);
      cemit(c, SYNK_CLIENT_EV_RESULT, reason, 0, 0, seq, NULL, 0);
    }
    c->npend = 0;
    cemit(c, SYNK_CLIENT_EV_WELCOME, 0, frame, 0, id, NULL, 0);
    return 0;
  }
  if (c->state != SYNK_CLIENT_LOADING && c->state != SYNK_CLIENT_LIVE) return -1;
  switch (type) {
  case NM_BULK: {
    uint32_t kind = nr_u8(&r), total = nr_u32(&r);
    uint64_t frame = nr_u64(&r), hash = nr_u64(&r);
    uint32_t crc = nr_u32(&r);
    if (!nr_done(&r) || (kind < NB_SNAPSHOT || kind > NB_REPLAY) || total > c->bulk_cap || c->bulk_on)
      return -1;
    c->bulk_on = 1;
    c->bulk_kind = kind;
    c->bulk_len = total;
    c->bulk_have = 0;
    c->bulk_frame = frame;
    c->bulk_hash = hash;
    c->bulk_crc = crc;
    c->state = SYNK_CLIENT_LOADING;
    if (total == 0) bulk_done(c);
    return 0;
  }
  case NM_FRAG:
    if (!c->bulk_on || len > c->bulk_len - c->bulk_have || len == 0) return -1;
    memcpy(c->bulk + c->bulk_have, body, len);
    c->bulk_have += len;
    if (c->bulk_have == c->bulk_len) bulk_done(c);
    return 0;
  case NM_TICK:
    if (c->bulk_on) return -1;
    return on_tick(c, &r);
  case NM_RESULT: {
    uint32_t seq = nr_u32(&r), reason = nr_u32(&r);
    uint64_t effect = nr_u64(&r);
    if (!nr_done(&r)) return -1;
    for (uint32_t i = 0; i < c->npend; i++)
      if (c->pend[i].seq == seq) {
        if (reason) {
          /* rejected: roll the prediction back */
          c->pend[i].n = 0;
          c->pend[i].effect = 1;
          if (c->w && c->state == SYNK_CLIENT_LIVE && !c->bulk_on) {
            unpredict(c);
            settle(c);
            repredict(c);
          } else {
            settle(c);
          }
        } else {
          c->pend[i].effect = effect ? effect : 1;
        }
        break;
      }
    cemit(c, SYNK_CLIENT_EV_RESULT, reason, effect, 0, seq, NULL, 0);
    return 0;
  }
  case NM_SAPP:
    cemit(c, SYNK_CLIENT_EV_APP, 0, 0, 0, 0, body, len);
    return 0;
  case NM_CHECK:
    if (len) return -1;
    if (c->state == SYNK_CLIENT_LIVE && !c->bulk_on)
      send_sync(c, 1);
    else
      c->check_pending = 1;
    return 0;
  case NM_VIEWRES: {
    uint32_t reason = nr_u32(&r);
    if (!nr_done(&r)) return -1;
    cemit(c, SYNK_CLIENT_EV_VIEW, reason, 0, 0, 0, NULL, 0);
    return 0;
  }
  default:
    return -1;
  }
}

synk_status synk_client_receive(synk_client *c, const void *buf, size_t len, uint64_t now_ms) {
  if (!c || (len && !buf)) return SYNK_E_ARG;
  c->now = now_ms;
  if (c->state == SYNK_CLIENT_IDLE || c->state == SYNK_CLIENT_CLOSED) return SYNK_OK;
  c->last_heard = now_ms;
  int r = net_rx_feed(&c->rx, buf, len, on_cmessage, c);
  if (r < 0) {
    set_closed(c, SYNK_NET_R_PROTOCOL);
    return SYNK_E_FORMAT;
  }
  return SYNK_OK;
}

synk_status synk_client_poll(synk_client *c, void *buf, size_t cap, size_t *len, uint64_t now_ms) {
  if (!c || !len || (cap && !buf)) return SYNK_E_ARG;
  *len = 0;
  c->now = now_ms;
  if (!net_fifo_used(&c->out) || c->state == SYNK_CLIENT_IDLE) return SYNK_OK;
  const uint8_t *p = c->out.buf + c->out.head;
  size_t sz = net_frame_size(p, NULL);
  if (sz > cap) {
    *len = sz;
    return SYNK_E_SPACE;
  }
  memcpy(buf, p, sz);
  c->out.head += sz;
  if (c->out.head == c->out.tail) c->out.head = c->out.tail = 0;
  *len = sz;
  c->last_sent = now_ms;
  flush_sync(c); /* room now, maybe */
  return SYNK_OK;
}

void synk_client_service(synk_client *c, uint64_t now_ms) {
  if (!c) return;
  c->now = now_ms;
  if (c->state == SYNK_CLIENT_IDLE || c->state == SYNK_CLIENT_CLOSED) return;
  if (now_ms - c->last_heard >= c->cfg.timeout_ms) {
    c->state = SYNK_CLIENT_IDLE;
    c->bulk_on = 0;
    net_fifo_clear(&c->out);
    cemit(c, SYNK_CLIENT_EV_CLOSED, SYNK_NET_R_TIMEOUT, 0, 0, 0, NULL, 0);
    return;
  }
  if (now_ms - c->last_sent >= c->cfg.heartbeat_ms && !net_fifo_used(&c->out)) {
    out_frame(c, NM_PING, NULL, 0);
    c->last_sent = now_ms;
  }
}

/* ---- commands, views, messages ------------------------------------------------------ */

synk_status synk_client_command(synk_client *c, const void *cmd, size_t len, const synk_event *pred, size_t n,
                                uint32_t *seq) {
  if (!c || (len && !cmd) || (n && !pred)) return SYNK_E_ARG;
  if (c->state != SYNK_CLIENT_LIVE) return SYNK_E_MISMATCH;
  if (len > c->cfg.max_command || n > c->cfg.max_command_events || c->npend >= c->cfg.max_pending)
    return SYNK_E_SPACE;
  nw w;
  size_t mark;
  if (out_begin(c, &w, 4 + len, &mark)) return SYNK_E_SPACE;
  uint32_t s = c->next_seq++;
  nw_u32(&w, s);
  nw_bytes(&w, cmd, len);
  out_end(c, &w, mark, NM_COMMAND, 4 + len + NET_FRAME_OVERHEAD);
  pending *p = &c->pend[c->npend++];
  p->seq = s;
  p->effect = 0;
  p->n = (uint32_t)n;
  if (n) memcpy(p->ev, pred, n * sizeof *pred);
  if (n && c->cfg.predict && c->ring && c->w && !c->bulk_on && !c->resync) {
    if (synk_events_apply(c->w, pred, n, NULL) == SYNK_OK) c->predicted = 1;
  }
  if (!c->cfg.predict) p->n = 0;
  if (seq) *seq = s;
  return SYNK_OK;
}

synk_status synk_client_request_view(synk_client *c, const synk_net_view *v) {
  if (!c || !v || (v->n_cells && !v->cells) || (v->n_ids && !v->ids)) return SYNK_E_ARG;
  if (c->state != SYNK_CLIENT_LIVE && c->state != SYNK_CLIENT_LOADING) return SYNK_E_MISMATCH;
  size_t max_body = 17 + 4 * ((size_t)v->n_cells + v->n_ids);
  nw w;
  size_t mark;
  if (out_begin(c, &w, max_body, &mark)) return SYNK_E_SPACE;
  net_view_write(&w, v);
  out_end(c, &w, mark, NM_VIEW, max_body + NET_FRAME_OVERHEAD);
  return SYNK_OK;
}

synk_status synk_client_send(synk_client *c, const void *msg, size_t len) {
  if (!c || (len && !msg)) return SYNK_E_ARG;
  if (c->state != SYNK_CLIENT_LIVE && c->state != SYNK_CLIENT_LOADING) return SYNK_E_MISMATCH;
  if (len > c->cfg.max_command) return SYNK_E_SPACE;
  return out_frame(c, NM_APP, msg, len) ? SYNK_E_SPACE : SYNK_OK;
}

synk_status synk_client_request_sync(synk_client *c) {
  if (!c) return SYNK_E_ARG;
  if (c->state != SYNK_CLIENT_LIVE || c->bulk_on) return SYNK_E_MISMATCH;
  send_sync(c, 1);
  return SYNK_OK;
}

synk_client_state synk_client_get_state(const synk_client *c) {
  return c ? (synk_client_state)c->state : SYNK_CLIENT_CLOSED;
}
uint32_t synk_client_reason(const synk_client *c) { return c ? c->reason : 0; }
uint32_t synk_client_id(const synk_client *c) { return c ? c->id : NET_NONE; }
const synk_world *synk_client_world(const synk_client *c) { return c ? c->w : NULL; }
synk_world *synk_client_world_mut(synk_client *c) { return c ? c->w : NULL; }
uint64_t synk_client_frame(const synk_client *c) { return c && c->w ? synk_frame(c->w) : 0; }
uint64_t synk_client_confirmed_hash(const synk_client *c) { return c ? c->confirmed_hash : 0; }
