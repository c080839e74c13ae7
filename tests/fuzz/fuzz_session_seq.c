/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a game of 3 or 4 session peers, one of them hostile,
 * played step by step as the input says (fuzz_session_seq.h: every byte
 * string decodes to well-formed actions). The honest peers run the real
 * sessions and a deterministic game; the hostile peer H is a real session
 * too, whose datagrams the input may deliver, falsify (every hash report:
 * a peer claiming desyncs), replace by a claim of a wrong hash, mutate
 * (bit flips, inserts, overlong varints, escaped header fields, ...) or
 * forge field by field; H may also corrupt its own world (a real desync).
 * The network is the input's: delivery in any order, duplicates, losses,
 * cuts, time steps (disconnect timers included). Each input ends with a
 * drain: every peer plays and every datagram is delivered for a while.
 *
 * Scenarios (the input's first byte): "three" (2 honest players + H, a
 * player; rollback), "spectator" (3 honest players + H, a spectator;
 * one-byte inputs), "huge" (2 honest players + H, a player, lockstep, a
 * world of 8300 ids: 33 chunks, more than one localization piece of chunk
 * sums) and "multi" (several players per peer, 3-byte inputs: masked change
 * records; rollback with delay 2). Each is built and played to frame 12
 * once; its worlds and sessions are restored from saved images
 * (fuzz_image.h) before each input.
 *
 * Checked after every step:
 *  - every receive: a status of OK, FORMAT or MISMATCH; the world untouched;
 *    a refused datagram changes no byte of the session but its refusal
 *    count; an accepted one decodes and re-encodes to exactly its bytes (one
 *    encoding per message); a datagram a session wrote and nobody changed
 *    is accepted wherever it can be placed (unless H lied to that peer
 *    about acks or inputs, which makes some refusals right);
 *  - every datagram a session writes decodes at its own frame and fits the
 *    MTU; a datagram forged from in-bound fields decodes to those fields;
 *  - every step: OK or STALL, requests in frame order, lockstep confirmed;
 *    honest peers' settled frames agree: the same inputs of honest players,
 *    and the same world hash unless H sent them different inputs of its own
 *    players; no desync reported between two honest peers unless so;
 *  - no allocation or free after creation (the images are frozen); the
 *    worlds self-consistent (hash == rehash);
 *  - the drain: every honest peer advances (no stall caused by a hostile
 *    peer's claims, lies, forgeries or silence, as long as H's own session
 *    can play -- a hostile player can always stall a game by withholding
 *    its inputs, and H can deny itself inputs by acking what it lacks).
 */
#include "fuzz_image.h"
#include "fuzz_session_seq.h"
#include "session_wire.h"
#include "common/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SQ_MAX_PEERS 4
#define SQ_QUEUE 4          /* datagrams queued per link; the oldest is lost beyond */
#define SQ_MAX_FRAMES 320   /* frames recorded per peer */
#define SQ_STEP_LIMIT 200   /* fuzzed steps stop here: the drain has room */
#define SQ_STRIDE 16        /* bytes of one frame of every player's input, at most */
#define SQ_MTU SYNK_SESSION_DEFAULT_MTU
#define SQ_BIG 65507        /* re-encoding: no span cut */
#define SQ_PRELUDE 12
#define SQ_MAX_ACTIONS 192
#define SQ_DRAIN_TICKS 64
#define SQ_DRAIN_FRAMES 6   /* frames every honest peer advances in the drain */
#define SQ_SESSION_ID 0x5E9u
#define SQ_NONE UINT64_MAX
#define SQ_ARENA (32u << 20) /* a game's worlds, rings and sessions */

typedef struct sq_scen {
  uint32_t peers;                /* the last one is H */
  uint8_t players[SQ_MAX_PEERS]; /* players of each peer (0: a spectator) */
  uint32_t input_size, delay, prediction, interval, entities, spawn_every;
} sq_scen;

static const sq_scen SCEN[SQ_SCENARIOS] = {
    {3, {1, 1, 1, 0}, 2, 1, 4, 4, 40, 1},     /* three */
    {4, {1, 1, 1, 0}, 1, 0, 3, 5, 40, 1},     /* spectator */
    {3, {1, 1, 1, 0}, 2, 1, 0, 4, 8300, 64},  /* huge (SQ_HUGE) */
    {3, {2, 1, 2, 0}, 3, 2, 2, 6, 40, 1},     /* multi */
};

/* one queued datagram: `honest` 1 when a session wrote it and nobody changed
   it, 2 when H's session wrote it and only its hash report was falsified */
typedef struct sq_dgram {
  uint16_t len;
  uint8_t honest;
  uint64_t e; /* its span end, as its sender placed it */
  uint8_t b[SQ_MTU];
} sq_dgram;

typedef struct sq_link {
  uint32_t n;
  sq_dgram q[SQ_QUEUE];
} sq_link;

/* what an input changes besides the sessions and worlds (restored too) */
typedef struct sq_state {
  uint32_t now;
  uint64_t settled[SQ_MAX_PEERS]; /* frames < settled: simulated with final inputs */
  uint8_t used[SQ_MAX_PEERS][SQ_MAX_FRAMES][SQ_STRIDE]; /* inputs of each frame's last simulation */
  uint64_t hash[SQ_MAX_PEERS][SQ_MAX_FRAMES];           /* the world hash after it */
  uint64_t cmp[SQ_MAX_PEERS][SQ_MAX_PEERS];    /* [i < j]: frames compared */
  uint64_t broken[SQ_MAX_PEERS][SQ_MAX_PEERS]; /* [i < j]: first frame whose inputs differ */
  uint64_t desync_frame[SQ_MAX_PEERS];         /* an honest peer's desync with H */
  int cut[SQ_MAX_PEERS];
  int lie, corrupt;
  uint64_t corrupt_frame;
  int ack_taint[SQ_MAX_PEERS]; /* H acked inputs of this peer it lacks */
  int in_taint[SQ_MAX_PEERS];  /* this peer took frames of H's from a datagram H's session did not write */
  int ref_ok[SQ_MAX_PEERS];    /* game.ref[p] is p's session as it is */
} sq_state;

typedef struct sq_game {
  int built;
  const sq_scen *c;
  uint32_t H, np, B, stride, Q, W, nalive;
  uint8_t owner[SYNK_SESSION_MAX_PLAYERS];
  uint32_t block[SQ_MAX_PEERS];
  synk_world *w[SQ_MAX_PEERS];
  synk_session *s[SQ_MAX_PEERS];
  fz_arena arena;                              /* the game's worlds, rings and sessions */
  fz_heap wh[SQ_MAX_PEERS], sh[SQ_MAX_PEERS];  /* each peer's world and ring; its session */
  fz_word refused[SQ_MAX_PEERS][SQ_MAX_PEERS]; /* [receiver][sender]: the refusal counter */
  uint8_t *ref[SQ_MAX_PEERS];                  /* a copy of each session (fz_heap_copy_out) */
  sq_state saved;
} sq_game;

static sq_game games[SQ_SCENARIOS];
static sq_state st;
static sq_link net[SQ_MAX_PEERS][SQ_MAX_PEERS];
static uint8_t scratch[SQ_BIG], reenc[SQ_BIG];

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* ------------------------------------------------------------------ the game */
static void apply(sq_game *g, uint32_t p, uint64_t frame, const uint8_t *in) {
  const uint32_t every = g->c->spawn_every;
  synk_world *w = g->w[p];
  for (uint32_t pl = 0; pl < g->np; pl++) {
    const uint8_t *x = in + (size_t)pl * g->B;
    FZ_CHECK(synk_move(w, pl * every, (int8_t)x[0], g->B > 1 ? (int8_t)x[1] : 0, 0) == SYNK_OK);
  }
  uint32_t drift = (uint32_t)((frame * 7) % g->nalive) * every;
  FZ_CHECK(synk_move(w, drift, 1, -1, (int32_t)(frame & 3)) == SYNK_OK);
  if (p == g->H && st.corrupt && frame == st.corrupt_frame) /* in every simulation of that frame */
    FZ_CHECK(synk_move(w, (g->nalive - 1) * every, 1000, 0, 0) == SYNK_OK);
}

/* ------------------------------------------------------------------ agreement */
/* honest peers i and j: settled frames hold the same inputs of honest players,
   and the same world unless H gave them different inputs of its own */
static void agree_pair(sq_game *g, uint32_t a, uint32_t b) {
  uint32_t i = a < b ? a : b, j = a < b ? b : a;
  uint64_t upto = min64(min64(st.settled[i], st.settled[j]), SQ_MAX_FRAMES);
  for (uint64_t f = st.cmp[i][j]; f < upto; f++) {
    for (uint32_t pl = 0; pl < g->np; pl++) {
      if (memcmp(st.used[i][f] + pl * g->B, st.used[j][f] + pl * g->B, g->B) == 0) continue;
      FZ_CHECK(g->owner[pl] == g->H); /* an honest player's input is its own everywhere */
      if (st.broken[i][j] == SQ_NONE) st.broken[i][j] = f;
    }
    if (st.broken[i][j] == SQ_NONE) FZ_CHECK(st.hash[i][f] == st.hash[j][f]);
  }
  if (upto > st.cmp[i][j]) st.cmp[i][j] = upto;
}

static void events(sq_game *g, uint32_t p) {
  synk_session_event ev;
  while (synk_session_next_event(g->s[p], &ev) == SYNK_OK) {
    st.ref_ok[p] = 0; /* the queue changed */
    FZ_CHECK(ev.type >= SYNK_SEV_CONNECTED && ev.type <= SYNK_SEV_WAIT && ev.peer < g->c->peers);
    if (ev.type == SYNK_SEV_DESYNC_LOCALIZED) {
      FZ_CHECK(ev.num_ids <= SYNK_SESSION_MAX_IDS);
      for (uint32_t k = 0; k < ev.num_ids; k++)
        FZ_CHECK(ev.ids[k] < g->c->entities && (k == 0 || ev.ids[k] > ev.ids[k - 1]));
    }
    if (p == g->H || (ev.type != SYNK_SEV_DESYNC && ev.type != SYNK_SEV_DESYNC_LOCALIZED)) continue;
    if (ev.peer == g->H) {
      st.desync_frame[p] = ev.frame;
      continue;
    }
    /* two honest peers: a desync only after H made their inputs differ */
    agree_pair(g, p, ev.peer);
    uint32_t i = p < ev.peer ? p : ev.peer, j = p ^ ev.peer ^ i;
    FZ_CHECK(st.broken[i][j] <= ev.frame);
  }
}

/* ------------------------------------------------------------------ steps */
static void step(sq_game *g, uint32_t p, uint8_t v) {
  synk_session *s = g->s[p];
  synk_session_stats ss;
  synk_session_get_stats(s, &ss);
  if (ss.frame + 1 >= SQ_MAX_FRAMES) return;
  for (uint32_t pl = 0; pl < g->np; pl++) {
    if (g->owner[pl] != p) continue;
    uint8_t in[SYNK_SESSION_MAX_INPUT];
    for (uint32_t i = 0; i < g->B; i++) in[i] = (uint8_t)(v + 31 * pl + 7 * i);
    FZ_CHECK(synk_session_add_local_input(s, pl, in) == SYNK_OK);
  }
  synk_status r = synk_session_advance(s, st.now);
  st.ref_ok[p] = 0;
  FZ_CHECK(r == SYNK_OK || r == SYNK_SESSION_STALL);
  if (r == SYNK_OK) {
    synk_session_request rq;
    while (synk_session_next_request(s, &rq) == SYNK_OK) {
      FZ_CHECK(synk_frame(g->w[p]) == rq.frame && rq.frame < SQ_MAX_FRAMES);
      if (rq.type != SYNK_REQ_ADVANCE) {
        FZ_CHECK(rq.type == SYNK_REQ_SAVE || rq.type == SYNK_REQ_LOAD);
        continue;
      }
      FZ_CHECK(g->c->prediction || rq.confirmed); /* lockstep never predicts */
      apply(g, p, rq.frame, rq.inputs);
      memcpy(st.used[p][rq.frame], rq.inputs, g->stride);
      st.hash[p][rq.frame] = synk_hash(g->w[p]);
    }
    synk_session_get_stats(s, &ss);
    st.settled[p] = min64(ss.confirmed, ss.frame);
    if (g->c->entities <= 64) fz_consistent(g->w[p]);
  }
  events(g, p);
  if (p != g->H)
    for (uint32_t q = 0; q < g->H; q++)
      if (q != p) agree_pair(g, p, q);
}

/* ------------------------------------------------------------------ datagrams */
static uint64_t ref_of(const sq_game *g, uint32_t p) {
  synk_session_stats ss;
  synk_session_get_stats(g->s[p], &ss);
  return ss.frame + g->c->delay;
}

static int decode_at(const sq_game *g, uint32_t from, uint32_t to, const uint8_t *b, size_t len, uint64_t ref,
                     sw_datagram *d) {
  sw_keys k = {SQ_SESSION_ID, from, to};
  return sw_decode(b, len, &k, ref, g->W, g->block[from], g->Q, d) == SYNK_OK;
}

typedef struct sq_frames {
  uint64_t first;
  uint32_t block;
  uint8_t f[64][SQ_STRIDE];
} sq_frames;
static void frames_get(const void *ctx, uint64_t gf, uint8_t *out) {
  const sq_frames *x = (const sq_frames *)ctx;
  memcpy(out, x->f[gf - x->first], x->block);
}

/* Decode b as `to` would at ref and build it again from its fields with the
 * encoder (with `edit` applied: 1 flips its hash report): its length in out,
 * 0 when it does not decode. The span is rebuilt on a base whose every byte
 * differs from the first value a record gives it (found by walking the span
 * from two bases that differ everywhere): what matters to the records is
 * only how each frame differs from the one before. */
static size_t reencode(const sq_game *g, uint32_t from, uint32_t to, const uint8_t *b, size_t len, uint64_t ref,
                       int edit, uint8_t *out, sw_datagram *d) {
  if (!decode_at(g, from, to, b, len, ref, d)) return 0;
  const uint32_t blk = g->block[from];
  uint8_t z0[SQ_STRIDE], z1[SQ_STRIDE], base[SQ_STRIDE] = {0}, seen[SQ_STRIDE] = {0};
  memset(z0, 0x00, sizeof z0);
  memset(z1, 0xFF, sizeof z1);
  sw_span_iter i0, i1;
  sw_span_begin(&i0, d, blk);
  sw_span_begin(&i1, d, blk);
  for (uint32_t f = 0; f < d->span_len; f++) {
    sw_span_next(&i0, z0);
    sw_span_next(&i1, z1);
    for (uint32_t k = 0; k < blk; k++)
      if (!seen[k] && z0[k] == z1[k]) {
        seen[k] = 1;
        base[k] = (uint8_t)(z0[k] ^ 1);
      }
  }
  static sq_frames fr;
  fr.first = d->span_end - d->span_len;
  fr.block = blk;
  FZ_CHECK(d->span_len <= 64);
  uint8_t cur[SQ_STRIDE];
  memcpy(cur, base, sizeof cur);
  sw_span_iter it;
  sw_span_begin(&it, d, blk);
  for (uint32_t f = 0; f < d->span_len; f++) {
    sw_span_next(&it, cur);
    memcpy(fr.f[f], cur, blk);
  }
  sw_datagram x = *d;
  uint64_t sums[SW_LOC_CHUNKS_PER_PIECE];
  uint32_t fp[SW_LOC_ENT_SLOTS] = {0};
  if (d->has_loc_data && d->loc_kind == SW_LOC_CHUNKS) {
    for (uint32_t k = 0; k < d->loc_count; k++) sums[k] = synk_load_le64(d->loc_payload + 8 * (size_t)k);
    x.loc_chunks = sums;
  } else if (d->has_loc_data) {
    for (uint32_t k = 0; k < d->loc_count; k++)
      fp[d->loc_payload[5 * (size_t)k]] = synk_load_le32(d->loc_payload + 5 * (size_t)k + 1);
    x.loc_fp = fp;
    x.loc_fp_count = SW_LOC_ENT_SLOTS;
  }
  if (edit && x.has_hash) x.hash ^= 0x9E3779B97F4A7C15ull;
  sw_keys k = {SQ_SESSION_ID, from, to};
  return sw_encode(&x, &k, blk, base, frames_get, &fr, scratch, out, SQ_BIG);
}

/* deliver b from `from` to `to`; `e`: its span end (honest datagrams) */
static void deliver(sq_game *g, uint32_t from, uint32_t to, const uint8_t *b, size_t len, int honest, uint64_t e) {
  if (st.cut[from] || st.cut[to]) return; /* lost */
  synk_session *s = g->s[to];
  if (!st.ref_ok[to]) {
    fz_heap_copy_out(&g->sh[to], g->ref[to]);
    st.ref_ok[to] = 1;
  }
  uint64_t h0 = synk_hash(g->w[to]), f0 = synk_frame(g->w[to]), ref = ref_of(g, to);
  synk_session_peer_stats p0, p1, hp;
  synk_session_get_peer_stats(s, from, &p0);
  synk_status r = synk_session_receive(s, st.now, from, b, len);
  FZ_CHECK(r == SYNK_OK || r == SYNK_E_FORMAT || r == SYNK_E_MISMATCH);
  FZ_CHECK(synk_hash(g->w[to]) == h0 && synk_frame(g->w[to]) == f0); /* receive never touches the world */
  synk_session_get_peer_stats(s, from, &p1);
  if (r != SYNK_OK) { /* nothing changed but the refusal count */
    FZ_CHECK(p1.datagrams_refused == p0.datagrams_refused + 1);
    fz_word w = g->refused[to][from];
    FZ_CHECK(fz_heap_same_but(&g->sh[to], g->ref[to], w, p1.datagrams_refused));
    memcpy(g->ref[to] + fz_heap_offset(&g->sh[to], w), &p1.datagrams_refused, 8); /* the copy stays exact */
  } else {
    st.ref_ok[to] = 0;
    sw_datagram d;
    /* one encoding per message: the fields encode to the same bytes (the
       check apart: in this build a datagram whose check fails is still
       parsed, at the nearest frame -- in production it is refused) */
    size_t n = reencode(g, from, to, b, len, ref, 0, reenc, &d);
    FZ_CHECK(n == len && memcmp(reenc, b, len - 4) == 0);
    if (from == g->H && honest != 1) {
      synk_session_get_peer_stats(g->s[g->H], to, &hp);
      if (d.ack > hp.remote_frame) st.ack_taint[to] = 1;
      if (honest == 0 && d.span_end > p0.remote_frame) st.in_taint[to] = 1;
    }
  }
  if (honest) { /* written by a session: taken wherever it can be placed */
    int waived = (to == g->H && (st.ack_taint[from] || st.in_taint[from])) || (from == g->H && st.in_taint[to]);
    int placeable = e + g->W >= ref && e <= ref + g->W;
    if (!waived) FZ_CHECK(placeable ? r == SYNK_OK : r == SYNK_E_FORMAT);
  }
  events(g, to);
}

/* H's datagrams are falsified on their way when it lies */
static void deliver_queued(sq_game *g, uint32_t from, uint32_t to, const sq_dgram *q) {
  if (from == g->H && st.lie && q->honest == 1) {
    sw_datagram d;
    size_t n = reencode(g, from, to, q->b, q->len, ref_of(g, to), 1, reenc, &d);
    if (n && d.has_hash) {
      static uint8_t copy[SQ_BIG];
      memcpy(copy, reenc, n);
      deliver(g, from, to, copy, n, 2, q->e);
      return;
    }
  }
  deliver(g, from, to, q->b, q->len, q->honest, q->e);
}

static void poll(sq_game *g, uint32_t p) {
  uint8_t b[SQ_MTU];
  uint32_t to;
  size_t len;
  uint64_t ref = ref_of(g, p);
  while (synk_session_poll(g->s[p], st.now, &to, b, sizeof b, &len) == SYNK_OK) {
    FZ_CHECK(to < g->c->peers && to != p && len >= 6 && len <= SQ_MTU);
    sw_datagram d;
    FZ_CHECK(decode_at(g, p, to, b, len, ref, &d)); /* what a session writes decodes, at its own frame */
    if (st.cut[p]) continue;
    sq_link *l = &net[p][to];
    if (l->n == SQ_QUEUE) { /* the oldest is lost */
      memmove(&l->q[0], &l->q[1], sizeof l->q[0] * (SQ_QUEUE - 1));
      l->n--;
    }
    sq_dgram *q = &l->q[l->n++];
    q->len = (uint16_t)len;
    q->honest = 1;
    q->e = d.span_end;
    memcpy(q->b, b, len);
  }
  st.ref_ok[p] = 0;
}

static int take(sq_link *l, uint32_t idx, sq_dgram *out) {
  if (!l->n) return 0;
  idx %= l->n;
  *out = l->q[idx];
  memmove(&l->q[idx], &l->q[idx + 1], sizeof l->q[0] * (l->n - idx - 1));
  l->n--;
  return 1;
}

static void flush(sq_game *g) {
  static sq_dgram q;
  for (uint32_t a = 0; a < g->c->peers; a++)
    for (uint32_t b = 0; b < g->c->peers; b++)
      while (take(&net[a][b], 0, &q)) deliver_queued(g, a, b, &q);
}

static size_t seal(const sq_game *g, uint32_t to, uint8_t *b, size_t n, uint64_t e) {
  sw_keys k = {SQ_SESSION_ID, g->H, to};
  uint32_t c = sw_check(&k, e, b, n);
  for (int i = 0; i < 4; i++) b[n + (size_t)i] = (uint8_t)(c >> (8 * i));
  return n + 4;
}

/* ------------------------------------------------------------------ H */
/* the position after the varint at p (at most n) */
static size_t skip_varint(const uint8_t *b, size_t n, size_t p) {
  while (p < n && (b[p] & 0x80)) p++;
  return p < n ? p + 1 : n;
}

static void insert(uint8_t *b, size_t *n, size_t at, uint8_t v) {
  memmove(b + at + 1, b + at, *n - at);
  b[at] = v;
  (*n)++;
}

/* Where to make a varint of b[0..n) overlong: a byte below 0x80 may end a
 * varint; of those where the change leaves a datagram the decoder takes
 * (the decoder as the oracle of where varints are: none once overlong ones
 * are refused), the (pick % count)-th; else byte pick % n if below 0x80;
 * n when none. */
static size_t overlong_at(const sq_game *g, uint32_t to, const uint8_t *b, size_t n, uint64_t e, uint8_t pick) {
  static uint8_t c[SQ_MTU + 16];
  size_t ok[64], nok = 0, at = n ? pick % n : 0;
  const uint64_t ref = ref_of(g, to);
  for (size_t i = 0; i < n && n + 5 <= SQ_MTU && nok < 64; i++) {
    if (b[i] >= 0x80) continue;
    memcpy(c, b, i + 1);
    c[i] |= 0x80;
    c[i + 1] = 0;
    memcpy(c + i + 2, b + i + 1, n - i - 1);
    size_t len = seal(g, to, c, n + 1, e);
    sw_datagram d;
    if (decode_at(g, g->H, to, c, len, ref, &d)) ok[nok++] = i;
  }
  return nok ? ok[pick % nok] : at < n && b[at] < 0x80 ? at : n;
}

/* H's queued datagram to `to` (a[0]: which; H polled first when none is),
   edited by three ops (a[1..9]), sealed again, delivered */
static void mutate(sq_game *g, uint32_t to, const uint8_t *a) {
  static sq_dgram q;
  if (!net[g->H][to].n) poll(g, g->H); /* none queued: whatever H has to say now */
  if (!take(&net[g->H][to], a[0], &q)) return;
  a++;
  uint8_t b[SQ_MTU + 16];
  size_t n = q.len - 4;
  memcpy(b, q.b, n);
  for (int k = 0; k < 3; k++) {
    uint8_t op = a[3 * k], pos = a[1 + 3 * k], v = a[2 + 3 * k];
    size_t at = n ? pos % n : 0;
    switch (op % 8) {
      case 0: if (n) b[at] ^= (uint8_t)(1u << (v & 7)); break;
      case 1: if (n) b[at] = v; break;
      case 2: if (n < SQ_MTU) insert(b, &n, pos % (n + 1), v); break;
      case 3: if (n > 2) { memmove(b + at, b + at + 1, n - at - 1); n--; } break;
      case 4: /* a varint made overlong: its last byte continued by a zero */
        at = overlong_at(g, to, b, n, q.e, pos);
        if (at < n && n < SQ_MTU) {
          b[at] |= 0x80;
          insert(b, &n, at + 1, 0);
        }
        break;
      case 5: { /* a header field escaped though the short form holds it */
        if (n < 2 || n + 1 > SQ_MTU) break;
        uint32_t A = (b[0] >> 2) & 15u, N = b[1] & 15u, C = b[0] & 3u, f = v % 3;
        size_t p = 2; /* the escapes follow byte 1 in the order A, N, C */
        if (f > 0 && A == 15) p = skip_varint(b, n, p);
        if (f > 1 && N == 15) p = skip_varint(b, n, p);
        if (f == 0 && A < 15) {
          b[0] = (uint8_t)(b[0] | 0x3C);
          insert(b, &n, p, (uint8_t)A);
        } else if (f == 1 && N < 15) {
          b[1] = (uint8_t)(b[1] | 0x0F);
          insert(b, &n, p, (uint8_t)N);
        } else if (f == 2 && C < 3) {
          b[0] = (uint8_t)(b[0] | 3u);
          insert(b, &n, p, (uint8_t)C);
        }
        break;
      }
      case 6: if (n > 2) n = 2 + pos % (n - 1); break;
      default: if (n < SQ_MTU) b[n++] = v; break;
    }
  }
  n = seal(g, to, b, n, q.e);
  deliver(g, g->H, to, b, n, 0, q.e);
}

typedef struct sq_pattern {
  uint8_t v0, stepk;
  uint32_t block;
} sq_pattern;
static void pattern_get(const void *ctx, uint64_t gf, uint8_t *out) {
  const sq_pattern *x = (const sq_pattern *)ctx;
  for (uint32_t i = 0; i < x->block; i++) out[i] = (uint8_t)(x->v0 + (gf / (x->stepk % 4 + 1)) * 7 + i * (x->stepk | 1));
}

/* a datagram H builds field by field (a: 14 bytes), sealed, delivered; one
   whose fields are all within the format's bounds decodes to those fields */
static void forge(sq_game *g, uint32_t to, const uint8_t *a) {
  const uint64_t ref = ref_of(g, to);
  const int64_t de = (int8_t)a[0];
  sw_datagram d;
  memset(&d, 0, sizeof d);
  d.span_end = (int64_t)ref + de < 0 ? 0 : (uint64_t)((int64_t)ref + de);
  int64_t da = (int8_t)a[1];
  d.ack = (int64_t)d.span_end - da < 0 ? 0 : (uint64_t)((int64_t)d.span_end - da);
  d.span_len = a[2] % (g->Q + 1);
  if (d.span_len > d.span_end) d.span_len = (uint32_t)d.span_end;
  sq_pattern pat = {a[3], a[4], g->block[g->H]};
  uint32_t f = a[5];
  d.has_ping = f & 1;
  d.has_pong = (f >> 1) & 1;
  d.has_hash = (f >> 2) & 1;
  d.has_hashack = (f >> 3) & 1;
  d.has_loc_state = (f >> 4) & 1;
  d.has_loc_data = (f >> 5) & 1;
  d.ping_ms = d.pong_ms = (uint32_t)a[6] | (uint32_t)a[7] << 8;
  d.ping_frames_ahead = (int8_t)a[8];
  uint64_t back = a[9] & 0x7F, frame = d.span_end > back ? d.span_end - back : 0;
  if ((a[9] & 0x80) && st.desync_frame[to] != SQ_NONE) frame = st.desync_frame[to]; /* the frame being localized */
  d.hash_frame = d.hashack_frame = d.loc_state_frame = d.loc_frame = frame;
  uint64_t truth;
  d.hash = synk_session_final_hash(g->s[to], frame, &truth) == SYNK_OK ? truth ^ a[10] : 0x1234567ull * a[10];
  d.loc_state = a[11] & 3u;
  d.loc_kind = (a[11] & 4u) ? SW_LOC_ENTS : SW_LOC_CHUNKS;
  uint32_t nchunks = (g->c->entities + SYNK_CHUNK_IDS - 1) / SYNK_CHUNK_IDS;
  d.loc_first = a[12] % (nchunks + 2);
  d.loc_count = a[13] % SW_LOC_CHUNKS_PER_PIECE + 1;
  d.loc_piece = (a[11] >> 3) % SW_LOC_ENT_PIECES;
  uint64_t sums[SW_LOC_CHUNKS_PER_PIECE];
  uint32_t fp[SW_LOC_ENT_SLOTS];
  for (uint32_t k = 0; k < SW_LOC_CHUNKS_PER_PIECE; k++) sums[k] = 0x9E37ull * (a[13] + k);
  for (uint32_t k = 0; k < SW_LOC_ENT_SLOTS; k++) fp[k] = (k * a[13]) % 3 ? ((uint32_t)a[12] << 8 | k) | 1u : 0;
  d.loc_chunks = sums;
  d.loc_fp = fp;
  d.loc_fp_count = SW_LOC_ENT_SLOTS;
  uint8_t base[SQ_STRIDE] = {0};
  if (d.span_end - d.span_len > 0) pattern_get(&pat, d.span_end - d.span_len - 1, base);
  sw_keys k = {SQ_SESSION_ID, g->H, to};
  static uint8_t b[SQ_MTU];
  sw_datagram x = d;
  size_t len = sw_encode(&x, &k, g->block[g->H], base, pattern_get, &pat, scratch, b, SQ_MTU);
  FZ_CHECK(len >= 6 && len <= SQ_MTU);
  /* decode(encode(x)) == x, within the window and the format's bounds */
  sw_datagram y;
  if (x.span_end + g->W >= ref && x.span_end <= ref + g->W && x.span_end >= x.span_len) {
    FZ_CHECK(decode_at(g, g->H, to, b, len, ref, &y));
    FZ_CHECK(y.span_end == x.span_end && y.ack == x.ack && y.span_len == x.span_len && y.num_changes == x.num_changes);
    FZ_CHECK(y.has_ping == x.has_ping && y.has_pong == x.has_pong && y.has_hash == x.has_hash &&
             y.has_hashack == x.has_hashack && y.has_loc_state == x.has_loc_state && y.has_loc_data == x.has_loc_data);
    FZ_CHECK(!y.has_ping || (y.ping_ms == (x.ping_ms & 0xFFFF) && y.ping_frames_ahead == x.ping_frames_ahead));
    FZ_CHECK(!y.has_pong || y.pong_ms == (x.pong_ms & 0xFFFF));
    FZ_CHECK(!y.has_hash || (y.hash_frame == x.hash_frame && y.hash == x.hash));
    FZ_CHECK(!y.has_hashack || y.hashack_frame == x.hashack_frame);
    FZ_CHECK(!y.has_loc_state || (y.loc_state_frame == x.loc_state_frame && y.loc_state == x.loc_state));
    FZ_CHECK(!y.has_loc_data || (y.loc_frame == x.loc_frame && y.loc_kind == x.loc_kind && y.loc_first == x.loc_first));
  }
  deliver(g, g->H, to, b, len, 0, x.span_end);
}

/* H claims a wrong hash for the newest final checkpoint of `to` */
static void claim(sq_game *g, uint32_t to) {
  synk_session_stats ss;
  synk_session_get_stats(g->s[to], &ss);
  const uint64_t iv = g->c->interval;
  uint64_t h = 0, frame = SQ_NONE;
  for (int64_t f = (int64_t)((ss.frame / iv + 1) * iv) - 1, k = 0; k < 6 && f >= 0; k++, f -= (int64_t)iv)
    if ((uint64_t)f < ss.frame && synk_session_final_hash(g->s[to], (uint64_t)f, &h) == SYNK_OK) {
      frame = (uint64_t)f;
      break;
    }
  if (frame == SQ_NONE) return;
  synk_session_peer_stats known, mine;
  synk_session_get_peer_stats(g->s[to], g->H, &known);
  synk_session_get_peer_stats(g->s[g->H], to, &mine);
  sw_datagram d;
  memset(&d, 0, sizeof d);
  d.span_end = known.remote_frame; /* an empty span where `to` expects H's next inputs */
  d.ack = mine.remote_frame;
  d.has_hash = 1;
  d.hash_frame = frame;
  d.hash = h ^ 0xA5A5A5A5A5A5A5A5ull;
  uint8_t zero[SQ_STRIDE] = {0};
  sq_pattern pat = {0, 0, g->block[g->H]};
  sw_keys k = {SQ_SESSION_ID, g->H, to};
  static uint8_t b[SQ_MTU];
  size_t len = sw_encode(&d, &k, g->block[g->H], zero, pattern_get, &pat, scratch, b, SQ_MTU);
  deliver(g, g->H, to, b, len, 0, d.span_end);
}

/* ------------------------------------------------------------------ the drain */
static void drain(sq_game *g) {
  uint64_t start[SQ_MAX_PEERS], frame[SQ_MAX_PEERS];
  for (uint32_t p = 0; p < g->c->peers; p++) {
    st.cut[p] = 0;
    start[p] = frame[p] = ref_of(g, p) - g->c->delay;
  }
  for (uint32_t t = 0; t < SQ_DRAIN_TICKS; t++) {
    st.now += 16;
    uint64_t top = 0;
    for (uint32_t p = 0; p < g->c->peers; p++) top = frame[p] > top ? frame[p] : top;
    for (uint32_t p = 0; p < g->c->peers; p++) {
      for (int k = 0; k < 4 && (k == 0 || frame[p] < top); k++) { /* laggards catch up */
        step(g, p, (uint8_t)(t * 13 + p * 5 + k));
        frame[p] = ref_of(g, p) - g->c->delay;
      }
    }
    for (uint32_t p = 0; p < g->c->peers; p++) poll(g, p);
    flush(g);
    int done = 1;
    for (uint32_t p = 0; p < g->H; p++) done &= frame[p] >= start[p] + SQ_DRAIN_FRAMES;
    if (done) break;
  }
  /* nothing H claimed, lied, corrupted, or withheld while the input ran
     stalls the honest peers now -- unless H denied itself what it needs to
     play and ack (it acked inputs it lacks, or made a peer take frames of
     its that its session never sent: that peer then acks frames H refuses),
     which stalls a game as a silent peer does (documented: players wait for
     a player's inputs, and for a spectator's acks) */
  int h_denied = 0;
  for (uint32_t p = 0; p < g->H; p++) h_denied |= st.ack_taint[p] || st.in_taint[p];
  if (!h_denied)
    for (uint32_t p = 0; p < g->H; p++) FZ_CHECK(frame[p] >= start[p] + SQ_DRAIN_FRAMES);
  for (uint32_t p = 0; p < g->c->peers; p++) fz_consistent(g->w[p]);
}

/* ------------------------------------------------------------------ setup */
static uint32_t pow2_at_least(uint32_t n) {
  uint32_t q = 1;
  while (q < n) q <<= 1;
  return q;
}

static void build(sq_game *g, const sq_scen *c) {
  memset(&st, 0, sizeof st);
  memset(net, 0, sizeof net);
  g->c = c;
  FZ_CHECK(c->peers == SQ_PEERS[c - SCEN]);
  g->H = c->peers - 1;
  g->B = c->input_size;
  g->Q = pow2_at_least(2 * (c->prediction + c->delay) + 16); /* the session's input history */
  g->W = g->Q + 8;                                          /* its placement window */
  g->nalive = (c->entities + c->spawn_every - 1) / c->spawn_every;
  g->np = 0;
  for (uint32_t p = 0; p < c->peers; p++) {
    for (uint32_t k = 0; k < c->players[p]; k++) g->owner[g->np++] = (uint8_t)p;
    g->block[p] = c->players[p] * c->input_size;
  }
  g->stride = g->np * g->B;
  FZ_CHECK(g->stride <= SQ_STRIDE);
  FZ_CHECK(fz_arena_init(&g->arena, SQ_ARENA));
  for (uint32_t p = 0; p < c->peers; p++) {
    synk_allocator wa = fz_heap_allocator(&g->wh[p], &g->arena), sa = fz_heap_allocator(&g->sh[p], &g->arena);
    synk_config wc = {c->entities, 0, 77, &wa, NULL};
    FZ_CHECK(synk_world_create(&wc, &g->w[p]) == SYNK_OK);
    for (uint32_t k = 0; k < g->nalive; k++)
      FZ_CHECK(synk_spawn(g->w[p], k * c->spawn_every, k % 3, (int32_t)k, (int32_t)(k * 5), 0) == SYNK_OK);
    synk_session_config sc;
    memset(&sc, 0, sizeof sc);
    sc.num_players = g->np;
    sc.num_peers = c->peers;
    sc.local_peer = p;
    memcpy(sc.player_peer, g->owner, g->np);
    sc.input_size = c->input_size;
    sc.input_delay = c->delay;
    sc.max_prediction = c->prediction;
    sc.desync_interval = c->interval;
    sc.session_id = SQ_SESSION_ID;
    sc.world = g->w[p];
    sc.allocator = &sa;
    FZ_CHECK(synk_session_create(&sc, &g->s[p]) == SYNK_OK);
  }
  for (uint32_t p = 0; p < c->peers; p++) st.desync_frame[p] = SQ_NONE;
  for (uint32_t i = 0; i < SQ_MAX_PEERS; i++)
    for (uint32_t j = 0; j < SQ_MAX_PEERS; j++) st.broken[i][j] = SQ_NONE;
  for (uint32_t p = 0; p < c->peers; p++) {
    g->ref[p] = (uint8_t *)malloc(fz_heap_bytes(&g->sh[p]));
    FZ_CHECK(g->ref[p]);
  }
  /* each refusal counter: a datagram of a later version is refused and
     changes that word alone */
  static const uint8_t later[6] = {0x80, 0, 0, 0, 0, 0};
  for (uint32_t r = 0; r < c->peers; r++)
    for (uint32_t s = 0; s < c->peers; s++) {
      if (r == s) continue;
      fz_heap_copy_out(&g->sh[r], g->ref[r]);
      FZ_CHECK(synk_session_receive(g->s[r], st.now, s, later, sizeof later) == SYNK_E_FORMAT);
      FZ_CHECK(fz_heap_find_word(&g->sh[r], g->ref[r], &g->refused[r][s]));
      fz_heap_copy_in(&g->sh[r], g->ref[r]);
    }
  /* the prelude: everybody plays SQ_PRELUDE frames, every datagram delivered */
  for (uint32_t t = 0; t < SQ_PRELUDE; t++) {
    for (uint32_t p = 0; p < c->peers; p++) step(g, p, (uint8_t)(t + 3 * p));
    for (uint32_t p = 0; p < c->peers; p++) poll(g, p);
    flush(g);
    st.now += 16;
  }
  fz_arena_save(&g->arena);
  for (uint32_t p = 0; p < c->peers; p++) {
    fz_heap_freeze(&g->wh[p]);
    fz_heap_freeze(&g->sh[p]);
    st.ref_ok[p] = 0;
  }
  g->saved = st;
  g->built = 1;
}

/* ------------------------------------------------------------------ target */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  sq_game *g = &games[data[0] % SQ_SCENARIOS];
  if (!g->built) {
    build(g, &SCEN[data[0] % SQ_SCENARIOS]);
  } else {
    fz_arena_restore(&g->arena);
    st = g->saved;
    for (uint32_t a = 0; a < SQ_MAX_PEERS; a++)
      for (uint32_t b = 0; b < SQ_MAX_PEERS; b++) net[a][b].n = 0;
  }
  const uint32_t P = g->c->peers;
  size_t pos = 1;
  for (int k = 0; k < SQ_MAX_ACTIONS && pos < size; k++) {
    uint8_t op = data[pos++] % SQ_OPS, a[16] = {0};
    for (uint32_t i = 0; i < SQ_ARGS[op]; i++) a[i] = pos < size ? data[pos++] : 0;
    uint32_t x = a[0] % P, y = a[1] % P;
    switch (op) {
      case SQ_STEP:
        if (ref_of(g, x) < SQ_STEP_LIMIT) step(g, x, a[1]);
        break;
      case SQ_POLL: poll(g, x); break;
      case SQ_DELIVER:
      case SQ_DUP:
      case SQ_DROP: {
        static sq_dgram q;
        sq_link *l = &net[x][y];
        if (x == y || !take(l, a[2], &q)) break;
        if (op == SQ_DUP && l->n < SQ_QUEUE) l->q[l->n++] = q;
        if (op != SQ_DROP) deliver_queued(g, x, y, &q);
        break;
      }
      case SQ_FLUSH: flush(g); break;
      case SQ_TICK: st.now += a[0] < 240 ? (uint32_t)(a[0] % 64) + 1 : (uint32_t)(a[0] - 239) * 250; break;
      case SQ_CUT: st.cut[x] = !st.cut[x]; break;
      case SQ_LIE: st.lie = !st.lie; break;
      case SQ_CORRUPT:
        if (!st.corrupt) {
          st.corrupt = 1;
          st.corrupt_frame = ref_of(g, g->H) - g->c->delay;
        }
        break;
      case SQ_CLAIM:
        if (x != g->H) claim(g, x);
        break;
      case SQ_MUTATE:
        if (x != g->H) mutate(g, x, a + 1);
        break;
      default: /* SQ_FORGE */
        if (x != g->H) forge(g, x, a + 1);
        break;
    }
  }
  drain(g);
  return 0;
}
