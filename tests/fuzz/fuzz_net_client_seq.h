/* SPDX-License-Identifier: MIT */
/* fuzz_net_client_seq: the net client facing a hostile server, driven by
 * sequences of structured server messages. The target
 * (fuzz_net_client_seq.c) and its seed generator share this file.
 *
 * The scene, built once and restored before every input (fuzz_image.h): a
 * client (room 9, a 512-id world, 2 props, seed 5, 512-byte fragments,
 * predicting, timeout 1000 ms) that a real server welcomed and brought LIVE
 * with its whole 64-entity world; the server is then gone and the harness
 * plays it. The harness keeps T, the world an honest server would have
 * (the client's world at the start), changes it as a server would, and
 * builds every message itself (fuzz_wire.h) from T: TICK pieces (spawns,
 * despawns, property changes, motions by rank, the tick), snapshots,
 * repairs and replays -- valid, or broken in one chosen way.
 *
 * An input is a sequence of steps (at most CS_MAX_STEPS), each an op byte
 * (mod 16) and a parameter byte a, then what the op reads (past the input's
 * end every byte is 0):
 *   0, 12-15 TICK: (a & 3) + 1 pieces in one message, each one tick of T's
 *     changes (a byte each: motions, a spawn, a despawn, a property); (a >> 2)
 *     & 3 = 1 a wrong frame byte, 2 one byte of the body flipped (position
 *     byte), 3 the last piece without its tick;
 *   1 SNAPSHOT of T: (a >> 2) & 7 = 0 valid, 1 a payload byte flipped (CRC
 *     recomputed), 2 a wrong hash, 3 a wrong frame, 4 a wrong CRC, 5 not all
 *     of it sent, 6 a world of another config, 7 valid in 7-byte fragments;
 *     fragments of 1 + 2 * byte bytes (at most 512);
 *   2 REPAIR: base (a >> 2) & 3 = the client's frame, one less, one more,
 *     a u64; frame (byte & 7) = T's, base, base + 1, base + 2^32 - 1,
 *     base + 2^32, base + 2^40, 2^63, 2^64 - 1; byte & 8 a wrong hash;
 *     (byte >> 4) & 7 = 0 every chunk, 1 only chunk 0, 2 chunks out of order,
 *     3 an entity in the wrong chunk, 4 ids out of order, 5 a count too big,
 *     6 trailing bytes, 7 no chunk;
 *   3 REPLAY of T's last pieces after the client's frame: (a >> 2) & 3 = 0
 *     valid, 1 a wrong hash, 2 a piece's byte flipped, 3 a base off by one;
 *   4 WELCOME (id, token or 0, frame, ack_interval 0-4, resumed, frag_size
 *     256/512/513, last_seq, then byte o: o & 7 command outcomes, each a
 *     pending seq or any and accepted or rejected; o & 8 a count one more
 *     than the outcomes written, o & 16 last_seq and outcomes in a WELCOME
 *     that does not resume);
 *   5 RESULT for a pending command or any seq, accepted or rejected, with
 *     an effect frame of 0, the next frame, T's next or 2^64 - 1;
 *   6 (a >> 2) & 7: CHECK, VIEWRES, APP, PING, PONG, CLOSE, REFUSE, CHECK
 *     with a body;
 *   7 the client's own calls, (a >> 2) & 7: a predicted command, a repair
 *     request, a view request, an APP, 100 ms pass, the connection ends and
 *     the client starts again (HELLO), 2000 ms pass, nothing;
 *   8 one of the last 8 messages again (a replay);
 *   9 raw bytes (byte % 64);
 *  10 (a & 7) + 1 valid TICKs;
 *  11 the answer an honest server gives: a valid repair of every chunk from
 *     the client's frame when it can, else a valid snapshot.
 *
 * Invariants (a failure message starts with the name; SYNK_FUZZ_SKIP in
 * fuzz_common.h can switch names off):
 *  - format: a receive returns SYNK_OK or SYNK_E_FORMAT, and SYNK_E_FORMAT
 *    leaves the client CLOSED with SYNK_NET_R_PROTOCOL and its world
 *    unchanged (frame, confirmed hash, world hash);
 *  - changed: a snapshot or repair the client refuses leaves its confirmed
 *    world unchanged (its frame and hash);
 *  - replay: the same for a replay;
 *  - synced: a payload the client accepts gives exactly the frame and hash
 *    the BULK header named;
 *  - accept: a valid snapshot of T, or a valid repair of every chunk a few
 *    frames ahead, is accepted by a client that can take it;
 *  - work: no receive takes more than CS_WORK_MS of wall time (a frame far
 *    ahead must not make the client tick for minutes; libFuzzer's -timeout
 *    catches the longest; skipping "work" keeps repairs' frames less than
 *    2^32 ahead, so that the rest can be fuzzed on a client that has the bug);
 *  - memory: the client holds at most what it held after the setup and
 *    never more than one world more while it loads one;
 *  - world: its world is always self-consistent and of its own config. */
#ifndef SYNK_FUZZ_NET_CLIENT_SEQ_H
#define SYNK_FUZZ_NET_CLIENT_SEQ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_common.h"
#include "fuzz_image.h"
#include "fuzz_wire.h"
#include "synk_net.h"

#define CS_ENTITIES 512
#define CS_PROPS 2
#define CS_SEED 5
#define CS_ROOM 9
#define CS_ALIVE 64
#define CS_FRAG 512
#define CS_CHUNKS ((CS_ENTITIES + 255) / 256)
#define CS_MAX_STEPS 128
#define CS_LOG 16
#define CS_PIECE 1024
#define CS_SENT 8
#define CS_MSG 1100
#define CS_PAYLOAD (1u << 16)
#define CS_WORK_MS 500

typedef struct cs_env {
  synk_client *c;
  synk_world *t;              /* what an honest server has for this client */
  fz_heap cheap, theap;
  synk_allocator cal, tal;
  uint64_t now, rng;
  size_t base_live, world_bytes;
  uint32_t nlog;              /* T's last pieces (for REPLAY) */
  uint64_t log_frame[CS_LOG]; /* the frame each piece ticks to */
  uint32_t log_len[CS_LOG];
  uint8_t log[CS_LOG][CS_PIECE];
  uint32_t nsent;             /* the last messages (for replays) */
  uint32_t sent_len[CS_SENT];
  uint8_t sent[CS_SENT][CS_MSG];
  uint32_t seqs[16], nseq;    /* commands the client sent */
  int bulk_open;              /* a BULK whose payload is not all sent */
  int unsure;                 /* raw bytes, or an old BULK / FRAG again, went since the client
                                 started: its framing and payload state are anyone's guess */
  uint64_t synced, synced_frame, synced_hash;
  const char *fail;
  /* scratch, not part of the image */
  uint8_t buf[CS_PAYLOAD + 64];
  uint8_t payload[CS_PAYLOAD];
  uint8_t body[CS_PAYLOAD];
} cs_env;

/* -DCS_DEBUG: a trace of every message and client event on stderr (triage) */
#ifdef CS_DEBUG
#define CS_TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define CS_TRACE(...) ((void)0)
#endif

static fz_arena cs_arena;

static inline void cs_fail(cs_env *e, const char *what) {
  if (!e->fail) e->fail = what;
}

static inline void cs_on_client(void *ctx, const synk_client_event *ev) {
  cs_env *e = (cs_env *)ctx;
  CS_TRACE("  client event %u reason %u frame %llu hash %llx value %llu\n", ev->type, ev->reason,
           (unsigned long long)ev->frame, (unsigned long long)ev->hash, (unsigned long long)ev->value);
  if (ev->type == SYNK_CLIENT_EV_SYNCED) {
    e->synced++;
    e->synced_frame = ev->frame;
    e->synced_hash = ev->hash;
  }
}

static inline double cs_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* the client's world, checked: self-consistent and of its own config */
static inline void cs_check_world(cs_env *e) {
  const synk_world *w = synk_client_world(e->c);
  if (!w) return;
  fz_consistent(w);
  synk_config k = synk_get_config(w);
  if (k.max_entities != CS_ENTITIES || k.num_props != CS_PROPS || k.seed != CS_SEED)
    cs_fail(e, "world: the client's world has another config");
}

/* bytes to the client, with the checks every receive gets (the world's
 * full recomputation unless `partial`: a FRAG that leaves its payload
 * unfinished only stores bytes) */
static inline void cs_deliver_ex(cs_env *e, const uint8_t *p, size_t n, int partial) {
  synk_client *c = e->c;
  uint64_t frame = synk_client_frame(c), ch = synk_client_confirmed_hash(c);
  uint64_t wh = synk_client_world(c) ? synk_hash(synk_client_world(c)) : 0;
  double t0 = cs_ms();
  CS_TRACE("-> type %u (%zu bytes) to a client in state %d at frame %llu (T %llu)\n", n ? p[0] : 0u, n,
           (int)synk_client_get_state(c), (unsigned long long)frame, (unsigned long long)synk_frame(e->t));
  synk_status st = synk_client_receive(c, p, n, e->now);
  if (cs_ms() - t0 > CS_WORK_MS) cs_fail(e, "work: one receive took longer than CS_WORK_MS");
  if (st != SYNK_OK && st != SYNK_E_FORMAT) cs_fail(e, "format: a receive returned another status");
  if (st == SYNK_E_FORMAT) {
    if (synk_client_get_state(c) != SYNK_CLIENT_CLOSED || synk_client_reason(c) != SYNK_NET_R_PROTOCOL)
      cs_fail(e, "format: SYNK_E_FORMAT without the client CLOSED for PROTOCOL");
    if (synk_client_frame(c) != frame || synk_client_confirmed_hash(c) != ch ||
        (synk_client_world(c) ? synk_hash(synk_client_world(c)) : 0) != wh)
      cs_fail(e, "format: a message refused with SYNK_E_FORMAT changed the world");
  }
  if (!partial || st != SYNK_OK) cs_check_world(e);
  if (e->cheap.live > e->base_live || e->cheap.peak > e->base_live + e->world_bytes)
    cs_fail(e, "memory: the client holds more than its config allows");
  size_t len = 0; /* what the client says back is not this target's concern */
  for (int k = 0; k < 64 && synk_client_poll(c, e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len; k++)
    continue;
}
static inline void cs_deliver(cs_env *e, const uint8_t *p, size_t n) { cs_deliver_ex(e, p, n, 0); }

/* a message [type][body], kept for replays */
static inline void cs_send_ex(cs_env *e, uint32_t type, const uint8_t *body, size_t n, int partial) {
  if (n + FZ_FRAME_OVERHEAD > sizeof e->buf) return;
  size_t len = fz_frame(e->buf, type, body, n);
  if (len <= CS_MSG) {
    uint32_t k = e->nsent++ % CS_SENT;
    memcpy(e->sent[k], e->buf, len);
    e->sent_len[k] = (uint32_t)len;
  }
  cs_deliver_ex(e, e->buf, len, partial);
}
static inline void cs_send(cs_env *e, uint32_t type, const uint8_t *body, size_t n) { cs_send_ex(e, type, body, n, 0); }

/* ---- T, the honest server's world -------------------------------------------------- */

/* one tick of changes to T, as piece bytes (docs/protocol.md, "TICK
 * pieces"): byte b picks motions (b & 3), a spawn (b & 4), a despawn
 * (b & 8), a property change (b & 16), large motions (b & 32) */
static inline size_t cs_piece(cs_env *e, uint32_t b, uint8_t *out, size_t cap, int tick) {
  synk_world *t = e->t;
  synk_event ev[8], mv[4];
  size_t n = 0, m = 0;
  synk_view v = synk_get_view(t);
  uint64_t r = fz_next(&e->rng);
  if (b & 4) { /* a spawn of a dead id, with its properties */
    uint32_t id = (uint32_t)(r % CS_ENTITIES);
    if (!((v.alive[id >> 6] >> (id & 63)) & 1u)) {
      synk_event sp = {SYNK_EV_SPAWN, id, (uint32_t)(r >> 9) % 5, (int32_t)(r >> 16) % 300, (int32_t)(r >> 24) % 300, 0};
      synk_event pr = {SYNK_EV_PROP, id, 1, (int32_t)(r >> 32) | 1, 0, 0};
      ev[n++] = sp;
      ev[n++] = pr;
    }
  }
  uint32_t victim = (uint32_t)((r >> 40) % CS_ENTITIES);
  if ((b & 8) && ((v.alive[victim >> 6] >> (victim & 63)) & 1u) && !(n && ev[0].id == victim)) {
    synk_event de = {SYNK_EV_DESPAWN, victim, 0, 0, 0, 0};
    ev[n++] = de;
  }
  if (synk_events_apply(t, ev, n, NULL) != SYNK_OK) return 0;
  if (b & 16) { /* a property change of a live id */
    for (uint32_t id = (uint32_t)(r % CS_ENTITIES), k = 0; k < CS_ENTITIES; k++, id = (id + 1) % CS_ENTITIES)
      if ((v.alive[id >> 6] >> (id & 63)) & 1u) {
        synk_event pr = {SYNK_EV_PROP, id, 0, (int32_t)(r >> 20), 0, 0};
        if (synk_events_apply(t, &pr, 1, NULL) == SYNK_OK) ev[n++] = pr;
        break;
      }
  }
  /* motions of live ids, increasing, by rank among the live ids */
  uint32_t want = b & 3, id = (uint32_t)(fz_next(&e->rng) % CS_ENTITIES), rank = 0;
  for (uint32_t wd = 0; wd < id >> 6; wd++) rank += (uint32_t)__builtin_popcountll(v.alive[wd]);
  rank += (uint32_t)__builtin_popcountll(v.alive[id >> 6] & ((UINT64_C(1) << (id & 63)) - 1));
  for (; id < CS_ENTITIES && m < want; id++) {
    if (!((v.alive[id >> 6] >> (id & 63)) & 1u)) continue;
    int32_t d = (b & 32) ? INT32_MAX - 3 : 2;
    synk_event mo = {SYNK_EV_MOTION, rank, 0, d, -(int32_t)(m + 1), (int32_t)m};
    synk_motion mt = {id, mo.a, mo.b, mo.c};
    if (synk_apply_motions(t, &mt, 1, NULL) != SYNK_OK) break;
    mv[m++] = mo;
    rank++;
  }
  if (tick) synk_tick(t);
  fz_w w;
  fz_w_init(&w, out, cap);
  fz_w8(&w, (n ? 1u : 0u) | (m ? 2u : 0u) | (tick ? 4u : 0u));
  size_t l = 0;
  if (n) {
    if (synk_stream_encode(ev, n, e->payload, sizeof e->payload, &l) != SYNK_OK) return 0;
    fz_wvar(&w, l);
    fz_wbytes(&w, e->payload, l);
  }
  if (m) {
    if (w.err || synk_stream_encode(mv, m, w.p + w.n, w.cap - w.n, &l) != SYNK_OK) return 0;
    w.n += l;
  }
  if (w.err || (!n && !m && !tick)) return 0;
  if (tick && w.n <= CS_PIECE) { /* kept for replays */
    uint32_t k = e->nlog++ % CS_LOG;
    memcpy(e->log[k], out, w.n);
    e->log_len[k] = (uint32_t)w.n;
    e->log_frame[k] = synk_frame(t);
  }
  return w.n;
}

/* ---- bulk payloads ----------------------------------------------------------------- */

/* BULK then FRAGs of `frag` bytes of payload[0..len) -- of `sent` of them
 * when it is less (an unfinished payload) -- and the checks of a payload */
static inline void cs_bulk(cs_env *e, uint32_t kind, size_t len, uint64_t frame, uint64_t hash, uint32_t crc,
                           size_t frag, size_t sent, int valid) {
  fz_w w;
  uint8_t h[32];
  fz_w_init(&w, h, sizeof h);
  fz_w8(&w, kind);
  fz_w32(&w, len);
  fz_w64(&w, frame);
  fz_w64(&w, hash);
  fz_w32(&w, crc);
  synk_client_state before = synk_client_get_state(e->c);
  int can = (before == SYNK_CLIENT_LOADING || before == SYNK_CLIENT_LIVE) && !e->bulk_open && !e->unsure;
  uint64_t f0 = synk_client_frame(e->c), h0 = synk_client_confirmed_hash(e->c), s0 = e->synced;
  cs_send(e, FZ_BULK, h, w.n);
  e->bulk_open = 1;
  if (frag < 1) frag = 1;
  if (frag > CS_FRAG) frag = CS_FRAG;
  for (size_t off = 0; off < sent && off < len; off += frag)
    cs_send_ex(e, FZ_FRAG, e->payload + off, len - off < frag ? len - off : frag, off + frag < len);
  if (sent < len) return; /* the client waits for the rest */
  e->bulk_open = 0;
  if (!can) return;
  if (e->synced != s0) {
    if (e->synced_frame != frame || e->synced_hash != hash || synk_client_confirmed_hash(e->c) != hash ||
        synk_client_frame(e->c) != frame)
      cs_fail(e, "synced: an accepted payload gave another frame or hash than its header");
  } else if (synk_client_get_state(e->c) != SYNK_CLIENT_CLOSED &&
             (synk_client_frame(e->c) != f0 || synk_client_confirmed_hash(e->c) != h0)) {
    cs_fail(e, kind == FZ_REPLAY ? "replay: a refused replay changed the world"
                                 : "changed: a refused snapshot or repair changed the world");
  } else if (valid) {
    cs_fail(e, "accept: the client refused a valid payload");
  }
}

/* T's snapshot into e->payload; its length */
static inline size_t cs_snapshot(cs_env *e) {
  size_t len = 0;
  return synk_snapshot_save(e->t, e->payload, sizeof e->payload, &len) == SYNK_OK ? len : 0;
}

/* one entity of a repair: id, kind, x, y, z, props */
static inline void cs_put_entity(fz_w *w, const synk_world *t, uint32_t id) {
  synk_entity en;
  synk_get(t, id, &en);
  fz_w32(w, id);
  fz_w32(w, en.kind);
  fz_w32(w, (uint32_t)en.x);
  fz_w32(w, (uint32_t)en.y);
  fz_w32(w, (uint32_t)en.z);
  for (uint32_t p = 0; p < CS_PROPS; p++) fz_w32(w, (uint32_t)en.props[p]);
}

/* a REPAIR payload of T's chunks into e->payload (docs/protocol.md); its
 * length. shape 0: every chunk; else one way of breaking it */
static inline size_t cs_repair(cs_env *e, uint64_t base, uint64_t frame, uint32_t shape) {
  synk_view v = synk_get_view(e->t);
  fz_w w;
  fz_w_init(&w, e->payload, sizeof e->payload);
  fz_w64(&w, base);
  fz_w64(&w, frame);
  fz_w64(&w, synk_count(e->t));
  uint32_t order[CS_CHUNKS], nch = CS_CHUNKS;
  for (uint32_t k = 0; k < CS_CHUNKS; k++) order[k] = shape == 2 ? CS_CHUNKS - 1 - k : k;
  if (shape == 1) nch = 1;
  if (shape == 7) nch = 0;
  fz_w32(&w, nch);
  for (uint32_t k = 0; k < nch; k++) {
    uint32_t ch = order[k], first = ch * 256, cnt = 0;
    for (uint32_t id = first; id < first + 256 && id < CS_ENTITIES; id++) cnt += (v.alive[id >> 6] >> (id & 63)) & 1u;
    fz_w32(&w, ch);
    fz_w32(&w, shape == 5 ? 257 : cnt);
    uint32_t ids[256], n = 0;
    for (uint32_t id = first; id < first + 256 && id < CS_ENTITIES; id++)
      if ((v.alive[id >> 6] >> (id & 63)) & 1u) ids[n++] = id;
    if (shape == 4 && n >= 2) {
      uint32_t x = ids[0];
      ids[0] = ids[1];
      ids[1] = x;
    }
    for (uint32_t j = 0; j < n; j++) {
      cs_put_entity(&w, e->t, ids[j]);
      if (shape == 3 && j == 0) { /* the id of another chunk */
        uint32_t bad = (ids[j] + 256) % CS_ENTITIES;
        for (int i = 0; i < 4; i++) w.p[w.n - 4 * (5 + CS_PROPS) + (size_t)i] = (uint8_t)(bad >> (8 * i));
      }
    }
  }
  if (shape == 6) fz_w32(&w, 0);
  return w.err ? 0 : w.n;
}

/* ---- the scene ------------------------------------------------------------------------ */

static inline int cs_open(cs_env *e) {
  memset(e, 0, offsetof(cs_env, buf));
  if (!fz_arena_init(&cs_arena, 64u << 20)) return 0;
  e->rng = 0xC11E;
  e->cal = fz_heap_allocator(&e->cheap, &cs_arena);
  e->tal = fz_heap_allocator(&e->theap, &cs_arena);
  synk_config wc = {CS_ENTITIES, CS_PROPS, CS_SEED, &e->tal, NULL};
  synk_world *w = NULL;
  synk_server *s = NULL;
  if (synk_world_create(&wc, &w) != SYNK_OK) return 0;
  for (uint32_t id = 0; id < 8 * CS_ALIVE; id += 8) {
    synk_spawn(w, id, id / 8 % 4, (int32_t)((id * 37) % 512), (int32_t)((id * 91) % 512), 0);
    synk_set_prop(w, id, 1, (int32_t)id + 1);
  }
  synk_server_config sc;
  memset(&sc, 0, sizeof sc);
  sc.world = w;
  sc.room_id = CS_ROOM;
  sc.max_clients = 2;
  sc.frag_size = CS_FRAG;
  sc.ack_interval = 2;
  sc.resume_key[0] = 0xA4093822299F31D0ull; /* a real key: the zero key is for tests only */
  sc.resume_key[1] = 0x082EFA98EC4E6C89ull;
  sc.allocator = &e->tal;
  synk_client_config cc;
  memset(&cc, 0, sizeof cc);
  cc.max_entities = CS_ENTITIES;
  cc.num_props = CS_PROPS;
  cc.seed = CS_SEED;
  cc.room_id = CS_ROOM;
  cc.token = "fuzz";
  cc.token_len = 4;
  cc.frag_size = CS_FRAG;
  cc.timeout_ms = 1000;
  cc.heartbeat_ms = 250;
  cc.max_pending = 16;
  cc.max_command = 32;
  cc.max_command_events = 4;
  cc.predict = 1;
  cc.on_event = cs_on_client;
  cc.ctx = e;
  cc.allocator = &e->cal;
  uint32_t k = 0;
  if (synk_server_create(&sc, &s) != SYNK_OK || synk_client_create(&cc, &e->c) != SYNK_OK ||
      synk_server_connect(s, 0, &k) != SYNK_OK || synk_client_start(e->c, 0) != SYNK_OK)
    return 0;
  int ok = 0;
  for (int t = 0; t < 40 && !ok; t++) {
    size_t len = 0;
    while (synk_client_poll(e->c, e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len)
      synk_server_receive(s, k, e->buf, len, e->now);
    if (t == 1) { /* welcomed: it has its id */
      synk_net_view all;
      memset(&all, 0, sizeof all);
      all.all = 1;
      synk_server_set_view(s, synk_client_id(e->c), &all);
    }
    synk_event mv[4];
    fz_motions(&e->rng, mv, 4, CS_ALIVE, 3);
    synk_server_apply(s, mv, 4, NULL);
    e->now += 16;
    synk_server_tick(s, e->now);
    while (synk_server_poll(s, k, e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len)
      synk_client_receive(e->c, e->buf, len, e->now);
    ok = t > 4 && synk_client_get_state(e->c) == SYNK_CLIENT_LIVE && synk_client_frame(e->c) == synk_frame(w) &&
         synk_client_confirmed_hash(e->c) == synk_hash(w);
  }
  synk_server_destroy(s);
  synk_world_destroy(w);
  if (!ok) return 0;
  /* T: the client's world, which is now the server's */
  if (synk_world_create(&wc, &e->t) != SYNK_OK || synk_world_copy(e->t, synk_client_world(e->c)) != SYNK_OK)
    return 0;
  size_t len = 0;
  while (synk_client_poll(e->c, e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len) continue;
  /* the memory bound: what the client holds now, plus one world of its config while it loads one */
  fz_heap probe;
  synk_allocator pa = fz_heap_allocator(&probe, &cs_arena);
  synk_config pc = {CS_ENTITIES, CS_PROPS, CS_SEED, &pa, NULL};
  synk_world *pw = NULL;
  if (synk_world_create(&pc, &pw) != SYNK_OK) return 0;
  e->world_bytes = probe.live;
  synk_world_destroy(pw);
  e->base_live = e->cheap.live;
  e->cheap.peak = e->cheap.live;
  e->synced = 0;
  return 1;
}

#endif
