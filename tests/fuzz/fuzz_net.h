/* SPDX-License-Identifier: MIT */
/* The fuzz target fuzz_net and its seed corpus generator share this setup:
 * a server (net/include/synk_net.h) over a 320-id world holding 40 entities
 * in both its 256-id chunks (2 props, seed 5, an 8 x 8 grid of 64-unit cells,
 * 512-byte fragments, acks every 2 ticks, 64 changes per view group and
 * tick before catch-up, a real resume key, no validate callback: every
 * command is rejected, so nothing a client sends can change the world),
 * three honest clients joined over a direct in-memory exchange (views: the
 * whole world, four cells, three ids), and a twin world that receives
 * exactly the server world's events. Every object lives in one arena
 * (fuzz_image.h): the target builds the setup once, saves its image and
 * restores it before each input.
 *
 * An input of the target is a sequence of records, each
 *   [u8 ctl][u16 little-endian length][length bytes]
 * ctl bits 0-1: which of 4 hostile connections the bytes arrive on (opened
 *               on first use, and again after it ended);
 *     bit 2:    framed: the bytes are [u8 type][body] and the harness adds
 *               the LEB128 length and the CRC-32C (so mutations reach the
 *               message parsers); otherwise they are fed raw;
 *     bit 3:    the connection ends after the record (synk_server_disconnect);
 *     bits 4-5: 3: a server tick after the record, followed by the honest
 *               clients' exchange (ticks are the costly part of an input:
 *               one record in four, by chance, has one);
 *     bits 6-7: then time passes without a tick: 0, 16, 200 or 1000 ms
 *               (timers: heartbeats, timeouts, grace periods), followed by
 *               the honest exchange.
 * At most FN_MAX_RECORDS records are used. */
#ifndef SYNK_FUZZ_NET_H
#define SYNK_FUZZ_NET_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_image.h"
#include "fuzz_wire.h"
#include "synk_net.h"

#define FN_SLOTS 4
#define FN_HONEST 3
#define FN_ENTITIES 320
#define FN_ALIVE 40 /* entities: ids 0, 8, ..., 312 (both 256-id chunks) */
#define FN_MAX_RECORDS 256
#define FN_TICK_MS 16
#define FN_BUF (1u << 16)

typedef struct fn_env {
  synk_world *w, *twin;
  synk_server *s;
  fz_heap heap;              /* the server's allocations */
  fz_heap cheap;             /* the worlds' and the clients' */
  synk_allocator al, cal;
  synk_client *c[FN_HONEST];
  uint32_t hconn[FN_HONEST];
  int hijacked[FN_HONEST];   /* a hostile HELLO resumed it with its own token */
  uint32_t slot_conn[FN_SLOTS];
  int slot_open[FN_SLOTS];
  int slot_closed[FN_SLOTS]; /* the server emitted CLOSE for it */
  uint64_t now;
  uint64_t rng;
  uint64_t closes, resumes_by_hostile;
  uint64_t catchups;         /* DESYNC and REPAIR events */
  /* scratch: not part of the image */
  uint8_t buf[FN_BUF];
  uint8_t frame[FN_BUF + 16];
} fn_env;

static inline void fn_on_event(void *ctx, const synk_net_event *ev) {
  fn_env *e = (fn_env *)ctx;
  if (ev->type == SYNK_NET_EV_CLOSE) {
    e->closes++;
    for (int k = 0; k < FN_SLOTS; k++)
      if (e->slot_open[k] && e->slot_conn[k] == ev->conn) e->slot_closed[k] = 1;
  }
  if (ev->type == SYNK_NET_EV_DESYNC || ev->type == SYNK_NET_EV_REPAIR) e->catchups++;
  if (ev->type == SYNK_NET_EV_RESUMED)
    for (int k = 0; k < FN_SLOTS; k++)
      if (e->slot_open[k] && e->slot_conn[k] == ev->conn) {
        e->resumes_by_hostile++;
        for (int i = 0; i < FN_HONEST; i++)
          if (synk_client_id(e->c[i]) == ev->client) e->hijacked[i] = 1;
      }
}

static inline uint32_t fn_view_req(void *ctx, uint32_t client, const synk_net_view *v) {
  (void)ctx;
  (void)client;
  return v->n_cells > 32 ? SYNK_NET_R_APP : 0;
}

/* one honest exchange: every honest client's messages to the server and back */
static inline int fn_exchange(fn_env *e) {
  size_t len = 0;
  int ok = 1;
  for (int i = 0; i < FN_HONEST; i++) {
    if (e->hijacked[i]) continue;
    synk_client_service(e->c[i], e->now);
    while (synk_client_poll(e->c[i], e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len)
      ok &= synk_server_receive(e->s, e->hconn[i], e->buf, len, e->now) == SYNK_OK;
  }
  synk_server_service(e->s, e->now);
  for (int i = 0; i < FN_HONEST; i++) {
    if (e->hijacked[i]) continue;
    while (synk_server_poll(e->s, e->hconn[i], e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len)
      ok &= synk_client_receive(e->c[i], e->buf, len, e->now) == SYNK_OK;
  }
  return ok;
}

/* every endpoint of the setup lives in this arena (fuzz_image.h) */
static fz_arena fn_arena;
#define FN_ARENA (64u << 20)

/* n server ticks, each with a few motions (applied to the twin too) and
 * followed by the honest clients' exchange */
#define FN_MOTIONS 2
static inline int fn_ticks(fn_env *e, unsigned n) {
  int ok = 1;
  for (unsigned t = 0; t < n; t++) {
    synk_event ev[FN_MOTIONS];
    fz_motions(&e->rng, ev, FN_MOTIONS, FN_ALIVE, 3);
    ok &= synk_server_apply(e->s, ev, FN_MOTIONS, NULL) == SYNK_OK;
    ok &= synk_events_apply(e->twin, ev, FN_MOTIONS, NULL) == SYNK_OK;
    e->now += FN_TICK_MS;
    ok &= synk_server_tick(e->s, e->now) == SYNK_OK;
    synk_tick(e->twin);
    ok &= fn_exchange(e);
  }
  return ok;
}

/* time passes without a tick (timers: heartbeats, timeouts, grace), then
 * the honest exchange (their heartbeats keep them connected: ms <= 1000) */
static inline int fn_wait(fn_env *e, unsigned ms) {
  e->now += ms;
  return fn_exchange(e);
}

/* The honest clients' views: the whole world, four cells, three ids. */
static const uint32_t fn_cells[4] = {0, 1, 8, 9}, fn_ids[3] = {8, 104, 304};

/* The cell of (x, y) on the setup's grid (origin 0, 64-unit cells, 8 x 8,
 * clamped to the border), computed here independently of the server. */
static inline uint32_t fn_cell(int32_t x, int32_t y) {
  int64_t cx = (int64_t)x / 64 - (x < 0 && x % 64 ? 1 : 0), cy = (int64_t)y / 64 - (y < 0 && y % 64 ? 1 : 0);
  cx = cx < 0 ? 0 : cx > 7 ? 7 : cx;
  cy = cy < 0 ? 0 : cy > 7 ? 7 : cy;
  return (uint32_t)(cy * 8 + cx);
}

/* The hash honest client i must hold: its view of the twin world, summed
 * here from the twin's entity hashes (an oracle independent of the server's
 * incremental view hashes and of its own recomputation). */
static inline uint64_t fn_view_expect(const fn_env *e, int i) {
  synk_view v = synk_get_view(e->twin);
  uint64_t sum = 0, count = 0;
  for (uint32_t wd = 0; wd < (v.capacity + 63) / 64; wd++)
    for (uint64_t b = v.alive[wd]; b; b &= b - 1) {
      uint32_t id = wd * 64 + (uint32_t)__builtin_ctzll(b);
      int in = i == 0;
      if (i == 1) {
        uint32_t c = fn_cell(v.x[id], v.y[id]);
        in = c == fn_cells[0] || c == fn_cells[1] || c == fn_cells[2] || c == fn_cells[3];
      }
      if (i == 2) in = id == fn_ids[0] || id == fn_ids[1] || id == fn_ids[2];
      if (!in) continue;
      uint64_t h = 0;
      synk_entity_hash(e->twin, id, &h);
      sum += h;
      count++;
    }
  return synk_hash_compose(e->twin, sum, synk_frame(e->twin), count);
}

/* every honest client is live at the server's frame with its view's hash */
static inline int fn_converged(const fn_env *e) {
  for (int i = 0; i < FN_HONEST; i++) {
    uint64_t vh = 0;
    if (synk_client_get_state(e->c[i]) != SYNK_CLIENT_LIVE || synk_client_frame(e->c[i]) != synk_frame(e->w) ||
        synk_server_view_hash(e->s, synk_client_id(e->c[i]), &vh) != SYNK_OK ||
        synk_hash(synk_client_world(e->c[i])) != vh)
      return 0;
  }
  return 1;
}

static inline int fn_open(fn_env *e) {
  memset(e, 0, offsetof(fn_env, buf));
  if (!fz_arena_init(&fn_arena, FN_ARENA)) return 0;
  e->rng = 0x5EED;
  e->al = fz_heap_allocator(&e->heap, &fn_arena);
  e->cal = fz_heap_allocator(&e->cheap, &fn_arena);
  synk_config wc = {FN_ENTITIES, 2, 5, &e->cal, NULL};
  if (synk_world_create(&wc, &e->w) != SYNK_OK || synk_world_create(&wc, &e->twin) != SYNK_OK) return 0;
  for (uint32_t id = 0; id < 8 * FN_ALIVE; id += 8) {
    int32_t x = (int32_t)((id * 37) % 512), y = (int32_t)((id * 91) % 512);
    synk_spawn(e->w, id, id / 8 % 4, x, y, 0);
    synk_spawn(e->twin, id, id / 8 % 4, x, y, 0);
    synk_set_prop(e->w, id, 1, (int32_t)id);
    synk_set_prop(e->twin, id, 1, (int32_t)id);
  }
  synk_server_config sc;
  memset(&sc, 0, sizeof sc);
  sc.world = e->w;
  sc.room_id = 7;
  sc.max_clients = 8;
  sc.max_connections = FN_HONEST + FN_SLOTS;
  sc.grid.cell_size = 64;
  sc.grid.cols = sc.grid.rows = 8;
  sc.frag_size = 512;
  sc.queue_bytes = 2048;
  sc.resume_bytes = 1024; /* replays of the last few ticks; a small image */
  sc.ack_interval = 2;
  sc.history = 16;
  sc.max_group_events = 64;
  sc.max_changes = 64;   /* 8 motions a tick (hostile commands are all rejected) */
  sc.max_bulk_jobs = 2;
  sc.max_command = 128;
  sc.view_request = fn_view_req;
  sc.on_event = fn_on_event;
  sc.ctx = e;
  sc.allocator = &e->al;
  sc.resume_key[0] = 0x243F6A8885A308D3ull; /* a real key: the zero key is for tests only */
  sc.resume_key[1] = 0x13198A2E03707344ull;
  if (synk_server_create(&sc, &e->s) != SYNK_OK) return 0;
  synk_client_config cc;
  memset(&cc, 0, sizeof cc);
  cc.max_entities = FN_ENTITIES;
  cc.num_props = 2;
  cc.seed = 5;
  cc.room_id = 7;
  cc.frag_size = 512;
  cc.max_command = 128;
  cc.allocator = &e->cal;
  cc.max_view = 2 * FN_ALIVE;
  cc.max_command_events = 8;
  cc.max_pending = 1; /* the honest clients send no command */
  for (int i = 0; i < FN_HONEST; i++) {
    if (synk_client_create(&cc, &e->c[i]) != SYNK_OK) return 0;
    if (synk_server_connect(e->s, e->now, &e->hconn[i]) != SYNK_OK) return 0;
    if (synk_client_start(e->c[i], e->now) != SYNK_OK) return 0;
  }
  if (!fn_exchange(e)) return 0;
  synk_net_view v[FN_HONEST];
  memset(v, 0, sizeof v);
  v[0].all = 1;
  v[1].cells = fn_cells;
  v[1].n_cells = 4;
  v[2].ids = fn_ids;
  v[2].n_ids = 3;
  for (int i = 0; i < FN_HONEST; i++)
    if (synk_server_set_view(e->s, synk_client_id(e->c[i]), &v[i]) != SYNK_OK) return 0;
  /* until every client is live, converged and has had no catch-up for a
     while: the image must not hold a repair in flight (it would run again
     for every input) */
  for (int t = 0, quiet = 0; t < 200; t++) {
    uint64_t c0 = e->catchups;
    if (!fn_ticks(e, 1)) return 0;
    quiet = e->catchups == c0 && fn_converged(e) ? quiet + 1 : 0;
    if (quiet == 8) return 1;
  }
  return 0;
}

/* The image: the state fields of e and the arena, saved after fn_open and
 * restored before each input (the same state, without the setup's work). */
static inline void fn_save(const fn_env *e, fn_env *saved) { fz_image_save(&fn_arena, saved, e, offsetof(fn_env, buf)); }
static inline void fn_restore(fn_env *e, const fn_env *saved) {
  fz_image_restore(&fn_arena, e, saved, offsetof(fn_env, buf));
}

static inline void fn_close(fn_env *e) {
  for (int i = 0; i < FN_HONEST; i++) synk_client_destroy(e->c[i]);
  synk_server_destroy(e->s);
  synk_world_destroy(e->w);
  synk_world_destroy(e->twin);
}

/* the bytes of a record on slot k: framed by the harness or raw */
static inline synk_status fn_feed(fn_env *e, unsigned k, const uint8_t *p, size_t n, int framed) {
  if (!e->slot_open[k]) {
    if (synk_server_connect(e->s, e->now, &e->slot_conn[k]) != SYNK_OK) return SYNK_E_SPACE;
    e->slot_open[k] = 1;
    e->slot_closed[k] = 0;
  }
  if (framed && n >= 1 && n <= FN_BUF)
    return synk_server_receive(e->s, e->slot_conn[k], e->frame, fz_frame(e->frame, p[0], p + 1, n - 1), e->now);
  return synk_server_receive(e->s, e->slot_conn[k], p, n, e->now);
}

/* poll every hostile connection until empty, handing each message to sink
 * (may be NULL); returns 0 if a poll broke its contract */
typedef void (*fn_sink)(void *ctx, unsigned slot, const uint8_t *msg, size_t len);
static inline int fn_drain(fn_env *e, fn_sink sink, void *ctx) {
  int ok = 1;
  size_t len = 0;
  for (unsigned k = 0; k < FN_SLOTS; k++) {
    if (!e->slot_open[k]) continue;
    for (int guard = 0; guard < 100000; guard++) {
      synk_status st = synk_server_poll(e->s, e->slot_conn[k], e->buf, sizeof e->buf, &len, e->now);
      if (st != SYNK_OK) {
        ok = 0;
        break;
      }
      if (!len) break;
      if (len > synk_server_frame_bound(e->s)) ok = 0;
      if (sink) sink(ctx, k, e->buf, len);
    }
  }
  return ok;
}

static inline void fn_end(fn_env *e, unsigned k) {
  if (!e->slot_open[k]) return;
  synk_server_disconnect(e->s, e->slot_conn[k], e->now);
  e->slot_open[k] = 0;
  e->slot_closed[k] = 0;
}

#endif
