/* SPDX-License-Identifier: MIT */
/*
 * Shared support of the net-layer tests: a counting allocator (to prove
 * that endpoints allocate nothing after create), a crowd world, protocol
 * frames forged by hand (the framing of docs/protocol.md, written here
 * independently of net/wire.c), an independent view hash, and a harness: one
 * server, its world, N clients over the simulated transport (support/msgnet.h)
 * and per-endpoint event counters.
 */
#ifndef SYNK_NET_TEST_UTIL_H
#define SYNK_NET_TEST_UTIL_H

#include "msgnet.h"
#include "synk_net.h"
#include "test_util.h"

/* ---- counting allocator --------------------------------------------------- */

typedef struct tn_heap {
  uint64_t allocs, frees;
  uint64_t live, peak; /* bytes */
} tn_heap;

#define TN_HEAP_HDR 64u

static inline void *tn_heap_alloc(void *ctx, size_t size, size_t align) {
  tn_heap *h = (tn_heap *)ctx;
  (void)align; /* at most 64, which the header keeps */
  size_t total = TN_HEAP_HDR + (size + 63) / 64 * 64;
  uint8_t *p = (uint8_t *)aligned_alloc(64, total);
  if (!p) return NULL;
  memcpy(p, &size, sizeof size);
  h->allocs++;
  h->live += size;
  if (h->live > h->peak) h->peak = h->live;
  return p + TN_HEAP_HDR;
}

static inline void tn_heap_free(void *ctx, void *q) {
  tn_heap *h = (tn_heap *)ctx;
  if (!q) return;
  uint8_t *p = (uint8_t *)q - TN_HEAP_HDR;
  size_t size;
  memcpy(&size, p, sizeof size);
  h->frees++;
  h->live -= size;
  free(p);
}

/* ---- frames, forged ------------------------------------------------------------ */

enum {
  TN_HELLO = 1, TN_ACK = 2, TN_SYNC = 3, TN_VIEW = 4, TN_COMMAND = 5, TN_APP = 6, TN_PING = 7, TN_PONG = 8,
  TN_BYE = 9, TN_WELCOME = 16, TN_REFUSE = 17, TN_BULK = 18, TN_FRAG = 19, TN_TICK = 20, TN_RESULT = 21,
  TN_SAPP = 22, TN_CLOSE = 25, TN_CHECK = 26, TN_VIEWRES = 27
};

typedef struct tn_buf {
  uint8_t b[1 << 16];
  size_t n;
} tn_buf;

static inline void tn_u8(tn_buf *w, uint32_t v) {
  if (w->n < sizeof w->b) w->b[w->n++] = (uint8_t)v;
}
static inline void tn_u16(tn_buf *w, uint32_t v) {
  tn_u8(w, v);
  tn_u8(w, v >> 8);
}
static inline void tn_u32(tn_buf *w, uint32_t v) {
  for (int i = 0; i < 4; i++) tn_u8(w, v >> (8 * i));
}
static inline void tn_u64(tn_buf *w, uint64_t v) {
  for (int i = 0; i < 8; i++) tn_u8(w, (uint32_t)(v >> (8 * i)));
}
static inline void tn_var(tn_buf *w, uint64_t v) {
  do {
    uint32_t b = (uint32_t)(v & 0x7F);
    v >>= 7;
    tn_u8(w, b | (v ? 0x80u : 0u));
  } while (v);
}
static inline void tn_bytes(tn_buf *w, const void *p, size_t n) {
  for (size_t i = 0; i < n; i++) tn_u8(w, ((const uint8_t *)p)[i]);
}
static inline uint32_t tn_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t tn_le64(const uint8_t *p) { return (uint64_t)tn_le32(p) | (uint64_t)tn_le32(p + 4) << 32; }

/* Append one frame: [u8 type][LEB128 length][body][u32 LE CRC-32C of all before]. */
static inline void tn_frame(tn_buf *out, uint32_t type, const void *body, size_t len) {
  size_t start = out->n;
  tn_u8(out, type);
  tn_var(out, len);
  tn_bytes(out, body, len);
  tn_u32(out, synk_crc32c(0, out->b + start, out->n - start));
}

/* A HELLO body. */
typedef struct tn_hello {
  uint32_t version, room, max_entities, num_props;
  uint64_t seed;
  const void *token;
  uint32_t token_len;
  uint32_t flags; /* bit 0: resume */
  uint64_t rtoken, frame, hash;
  uint32_t nchunks;
  const uint64_t *sums;
} tn_hello;

static inline void tn_hello_body(tn_buf *w, const tn_hello *h) {
  tn_u32(w, h->version);
  tn_u32(w, h->room);
  tn_u32(w, h->max_entities);
  tn_u32(w, h->num_props);
  tn_u64(w, h->seed);
  tn_u16(w, h->token_len);
  tn_bytes(w, h->token, h->token_len);
  tn_u8(w, h->flags);
  if (h->flags & 1) {
    tn_u64(w, h->rtoken);
    tn_u64(w, h->frame);
    tn_u64(w, h->hash);
    tn_u32(w, h->nchunks);
    for (uint32_t i = 0; i < h->nchunks; i++) tn_u64(w, h->sums ? h->sums[i] : 0);
  }
}

/* Parse the frames of buf[0..n): calls fn per frame; returns the number of
 * frames, or -1 if the bytes are not a sequence of whole, valid frames. */
typedef void (*tn_frame_fn)(void *ctx, uint32_t type, const uint8_t *body, size_t len);
static inline int tn_parse(const uint8_t *p, size_t n, tn_frame_fn fn, void *ctx) {
  int count = 0;
  size_t off = 0;
  while (off < n) {
    size_t start = off;
    uint32_t type = p[off++];
    uint64_t len = 0;
    int i = 0;
    for (;; i++) {
      if (off >= n || i >= 5) return -1;
      uint32_t b = p[off++];
      len |= (uint64_t)(b & 0x7F) << (7 * i);
      if (!(b & 0x80)) break;
    }
    if (len > n - off || n - off - len < 4) return -1;
    const uint8_t *body = p + off;
    off += (size_t)len;
    if (synk_crc32c(0, p + start, off - start) != tn_le32(p + off)) return -1;
    off += 4;
    if (fn) fn(ctx, type, body, (size_t)len);
    count++;
  }
  return count;
}

/* The frames a server sends on one connection: their types, and the first
 * u32 of each body (the reason of a CLOSE, REFUSE or VIEWRES). */
typedef struct tn_got {
  uint32_t n, type[256], reason[256];
} tn_got;

static inline void tn_got_frame(void *ctx, uint32_t type, const uint8_t *body, size_t len) {
  tn_got *g = (tn_got *)ctx;
  if (g->n < 256) {
    g->type[g->n] = type;
    g->reason[g->n++] = len >= 4 ? tn_le32(body) : UINT32_MAX;
  }
}

/* Poll everything server s has for connection conn (a test's own: nobody
 * else polls it); g (may be NULL) gets the frames. Each poll must give one
 * whole, valid frame within the frame bound. */
static inline void tn_drain(synk_server *s, uint32_t conn, uint64_t now, tn_got *g) {
  static uint8_t buf[1 << 17];
  size_t len = 0;
  if (g) g->n = 0;
  for (int k = 0; k < 100000; k++) {
    if (synk_server_poll(s, conn, buf, sizeof buf, &len, now) != SYNK_OK || !len) break;
    CHECK(len <= synk_server_frame_bound(s));
    CHECK(tn_parse(buf, len, g ? tn_got_frame : NULL, g) == 1);
  }
}

/* ---- worlds and views ------------------------------------------------------------ */

/* A crowd: `alive` entities (ids 0..alive-1) spread uniformly over the square
 * [0, side)^2, kinds 0..3, prop 0 = id. */
static inline synk_world *tn_crowd(uint32_t max_entities, uint32_t num_props, uint64_t seed, uint32_t alive,
                                   int32_t side, t_rng *r, const synk_allocator *al) {
  synk_config wc = {max_entities, num_props, seed, al, NULL};
  synk_world *w = NULL;
  if (synk_world_create(&wc, &w) != SYNK_OK) return NULL;
  for (uint32_t id = 0; id < alive && id < max_entities; id++) {
    int32_t x = (int32_t)t_below(r, (uint32_t)side), y = (int32_t)t_below(r, (uint32_t)side); /* in this order */
    synk_spawn(w, id, id % 4, x, y, 0);
    if (num_props) synk_set_prop(w, id, 0, (int32_t)id);
  }
  return w;
}

/* The cell of (x, y) on grid g, computed here (floor division, clamped). */
static inline uint32_t tn_cell(const synk_net_grid *g, int32_t x, int32_t y) {
  if (g->cell_size == 0) return 0;
  int64_t dx = (int64_t)x - g->x0, dy = (int64_t)y - g->y0, s = g->cell_size;
  int64_t cx = dx >= 0 ? dx / s : -((-dx + s - 1) / s), cy = dy >= 0 ? dy / s : -((-dy + s - 1) / s);
  if (cx < 0) cx = 0;
  if (cy < 0) cy = 0;
  if (cx >= (int64_t)g->cols) cx = g->cols - 1;
  if (cy >= (int64_t)g->rows) cy = g->rows - 1;
  return (uint32_t)(cy * g->cols + cx);
}

/* How the kind mask combines with explicit ids. synk_net.h says "an entity
 * is visible when its kind passes kind_mask and it lies in one of the cells,
 * or its id is listed, or the callback says so": the mask filters the cells
 * (and `all`), a listed id is visible whatever its kind. 1 follows that
 * reading; 0 applies the mask to listed ids too. */
#ifndef TN_MASK_CELLS_ONLY
#define TN_MASK_CELLS_ONLY 1
#endif

/* The hash a client's world must have for view v of world w, computed from
 * scratch from the view's definition (no callback views): the sum of h(e)
 * over the visible entities, composed with w's frame and the visible count. */
static inline uint64_t tn_view_hash(const synk_world *w, const synk_net_grid *g, const synk_net_view *v,
                                    size_t *count_out) {
  synk_view sv = synk_get_view(w);
  uint64_t sum = 0, count = 0;
  uint64_t mask = v->kind_mask ? v->kind_mask : ~UINT64_C(0);
  for (uint32_t id = 0; id < sv.capacity; id++) {
    if (!((sv.alive[id / 64] >> (id % 64)) & 1u)) continue;
    uint32_t kind = sv.kind[id];
    int vis = 0;
    int kind_ok = (int)((mask >> (kind < 63 ? kind : 63)) & 1u);
    if (v->all) {
      vis = kind_ok;
    } else {
      if (kind_ok) {
        uint32_t cell = tn_cell(g, sv.x[id], sv.y[id]);
        for (uint32_t k = 0; k < v->n_cells && !vis; k++) vis = v->cells[k] == cell;
      }
      if (kind_ok || TN_MASK_CELLS_ONLY)
        for (uint32_t k = 0; k < v->n_ids && !vis; k++) vis = v->ids[k] == id;
    }
    if (!vis) continue;
    uint64_t h = 0;
    synk_entity_hash(w, id, &h);
    sum += h;
    count++;
  }
  if (count_out) *count_out = (size_t)count;
  return synk_hash_compose(w, sum, synk_frame(w), count);
}

/* ---- harness ------------------------------------------------------------------------ */

#define TN_MAX_APP 16

typedef struct tn tn;

typedef struct tn_cl {
  tn *h;
  uint32_t i, link;
  synk_client *c;
  uint32_t n_ev[8];          /* client events by type */
  uint32_t closed_reason;    /* of the last SYNK_CLIENT_EV_CLOSED */
  uint64_t synced_frame, synced_hash;
  uint32_t n_results, result_reason;
  uint64_t result_seq;
  uint32_t view_reason;
  uint32_t n_app;
  uint8_t app[TN_MAX_APP][64];
  size_t app_len[TN_MAX_APP];
} tn_cl;

struct tn {
  synk_world *w;
  synk_server_config sc;
  synk_client_config cc;
  msgnet_config nc;
  synk_server *s;
  msgnet *net;
  tn_cl *cl;
  uint32_t ncl;
  uint64_t now;
  tn_heap server_heap, client_heap;
  synk_allocator server_al, client_al;
  uint32_t n_sev[16];          /* server events by type */
  synk_net_event last_sev[16]; /* the last of each type (data not kept) */
  uint32_t server_app_n;
  uint32_t server_app_client[TN_MAX_APP];
  uint8_t server_app[TN_MAX_APP][64];
  size_t server_app_len[TN_MAX_APP];
  void (*server_hook)(tn *h, const synk_net_event *ev); /* after the counters */
  void (*client_hook)(tn_cl *c, const synk_client_event *ev);
  void *user;
};

static inline void tn_on_server(void *ctx, const synk_net_event *ev) {
  tn *h = (tn *)ctx;
  if (ev->type < 16) {
    h->n_sev[ev->type]++;
    h->last_sev[ev->type] = *ev;
  }
  if (ev->type == SYNK_NET_EV_APP && h->server_app_n < TN_MAX_APP) {
    uint32_t k = h->server_app_n++;
    h->server_app_client[k] = ev->client;
    h->server_app_len[k] = ev->len < 64 ? ev->len : 64;
    memcpy(h->server_app[k], ev->data, h->server_app_len[k]);
  }
  msgnet_server_event(h->net, ev);
  if (h->server_hook) h->server_hook(h, ev);
}

static inline void tn_on_client(void *ctx, const synk_client_event *ev) {
  tn_cl *c = (tn_cl *)ctx;
  if (ev->type < 8) c->n_ev[ev->type]++;
  switch (ev->type) {
  case SYNK_CLIENT_EV_CLOSED: c->closed_reason = ev->reason; break;
  case SYNK_CLIENT_EV_SYNCED:
    c->synced_frame = ev->frame;
    c->synced_hash = ev->hash;
    break;
  case SYNK_CLIENT_EV_RESULT:
    c->n_results++;
    c->result_reason = ev->reason;
    c->result_seq = ev->value;
    break;
  case SYNK_CLIENT_EV_VIEW: c->view_reason = ev->reason; break;
  case SYNK_CLIENT_EV_APP:
    if (c->n_app < TN_MAX_APP) {
      c->app_len[c->n_app] = ev->len < 64 ? ev->len : 64;
      memcpy(c->app[c->n_app], ev->data, c->app_len[c->n_app]);
      c->n_app++;
    }
    break;
  default: break;
  }
  if (c->h->client_hook) c->h->client_hook(c, ev);
}

/* Defaults: a world of max_entities (num_props, seed) made by the caller
 * (or an empty one), a server for it (room 42, 8 client slots, a 16 x 16 grid
 * of 64-unit cells over [0, 1024)^2), clients of the matching config, and a
 * perfect network (no delay, 16 rounds per pump). Change h->sc / h->cc /
 * h->nc, then tn_start. */
static inline void tn_init(tn *h, synk_world *w) {
  memset(h, 0, sizeof *h);
  h->w = w;
  h->server_al.alloc = tn_heap_alloc;
  h->server_al.free = tn_heap_free;
  h->server_al.ctx = &h->server_heap;
  h->client_al = h->server_al;
  h->client_al.ctx = &h->client_heap;
  synk_config wc = synk_get_config(w);
  h->sc.world = w;
  h->sc.room_id = 42;
  h->sc.max_clients = 8;
  h->sc.grid.x0 = 0;
  h->sc.grid.y0 = 0;
  h->sc.grid.cell_size = 64;
  h->sc.grid.cols = 16;
  h->sc.grid.rows = 16;
  h->sc.allocator = &h->server_al;
  h->sc.resume_key[0] = 0x746E2D6B65793031ull; /* fixed bits: the tests are reproducible */
  h->sc.resume_key[1] = 0x746E2D6B65793032ull;
  h->cc.max_entities = wc.max_entities;
  h->cc.num_props = wc.num_props;
  h->cc.seed = wc.seed;
  h->cc.room_id = 42;
  h->cc.allocator = &h->client_al;
  h->nc.max_links = 1;
  h->nc.rounds = 16;
  h->nc.seed = 1;
}

/* Create a client of config cfg (its on_event and ctx are the harness's)
 * and attach it; returns its index or -1. */
static inline int tn_add(tn *h, const synk_client_config *cfg) {
  if (h->ncl >= h->nc.max_links) return -1;
  tn_cl *c = &h->cl[h->ncl];
  memset(c, 0, sizeof *c);
  c->h = h;
  c->i = h->ncl;
  synk_client_config cc = *cfg;
  cc.on_event = tn_on_client;
  cc.ctx = c;
  if (synk_client_create(&cc, &c->c) != SYNK_OK) return -1;
  if (msgnet_attach(h->net, c->c, &c->link) != SYNK_OK) {
    synk_client_destroy(c->c);
    return -1;
  }
  return (int)h->ncl++;
}

/* Create the server, the transport (room for nc.max_links clients, at least
 * n) and n clients of config h->cc (attached, not connected). */
static inline int tn_start(tn *h, uint32_t n) {
  h->sc.on_event = tn_on_server;
  h->sc.ctx = h;
  if (synk_server_create(&h->sc, &h->s) != SYNK_OK) return 0;
  h->nc.server = h->s;
  if (h->nc.max_links < n) h->nc.max_links = n;
  if (!h->nc.max_connections)
    h->nc.max_connections = h->sc.max_connections ? h->sc.max_connections : h->sc.max_clients + 16;
  if (msgnet_create(&h->nc, &h->net) != SYNK_OK) return 0;
  h->cl = (tn_cl *)calloc(h->nc.max_links, sizeof *h->cl);
  if (!h->cl) return 0;
  for (uint32_t i = 0; i < n; i++)
    if (tn_add(h, &h->cc) < 0) return 0;
  return 1;
}

static inline void tn_free(tn *h) {
  for (uint32_t i = 0; i < h->ncl; i++) synk_client_destroy(h->cl[i].c);
  free(h->cl);
  msgnet_destroy(h->net);
  synk_server_destroy(h->s);
  synk_world_destroy(h->w);
  memset(h, 0, sizeof *h);
}

/* Advance the clock by dt ms and pump; with tick, tick the server first. */
static inline void tn_step(tn *h, uint32_t dt, int tick) {
  h->now += dt;
  if (tick) synk_server_tick(h->s, h->now);
  msgnet_pump(h->net, h->now);
}

/* Every connected client is LIVE at the server's frame and not stalled. */
static inline int tn_caught_up(const tn *h) {
  for (uint32_t i = 0; i < h->ncl; i++) {
    msgnet_link_info li;
    msgnet_link_info_get(h->net, h->cl[i].link, &li);
    if (li.state != MSGNET_UP) continue;
    if (li.stalled_until > h->now || synk_client_get_state(h->cl[i].c) != SYNK_CLIENT_LIVE ||
        synk_client_frame(h->cl[i].c) != synk_frame(h->w))
      return 0;
  }
  return 1;
}

/* Pump (without ticking) until every connected client is caught up and
 * stays so while whatever was in flight lands (a round trip more: an idle
 * network is never empty, heartbeats keep crossing it); at most max_steps
 * steps of dt ms. Returns 1 when settled. */
static inline int tn_settle(tn *h, uint32_t dt, uint32_t max_steps) {
  uint32_t k = 0;
  uint64_t rtt = 2 * ((uint64_t)h->nc.latency_ms + h->nc.jitter_ms) + 2 * (uint64_t)dt;
  while (k < max_steps) {
    if (tn_caught_up(h)) {
      uint64_t until = h->now + rtt;
      while (h->now < until && k < max_steps) {
        tn_step(h, dt, 0);
        k++;
      }
      if (tn_caught_up(h)) return 1;
      continue;
    }
    tn_step(h, dt, 0);
    k++;
  }
  return 0;
}

/* Client i's world hash equals the server's hash of its view (and the
 * server's recomputation); 0 if not, or if it has no world or id. */
static inline int tn_client_ok(const tn *h, uint32_t i) {
  const synk_world *cw = synk_client_world(h->cl[i].c);
  uint64_t vh = 0, rh = 0;
  if (!cw || synk_server_view_hash(h->s, synk_client_id(h->cl[i].c), &vh) != SYNK_OK) return 0;
  if (synk_server_view_rehash(h->s, synk_client_id(h->cl[i].c), &rh) != SYNK_OK) return 0;
  return synk_hash(cw) == vh && vh == rh && synk_rehash(cw) == synk_hash(cw) &&
         synk_client_confirmed_hash(h->cl[i].c) == vh;
}

/* Set client i's view to the cells of the rectangle [cx0, cx0+w) x [cy0, cy0+hgt) of h's grid. */
static inline synk_status tn_rect_view(tn *h, uint32_t i, uint32_t cx0, uint32_t cy0, uint32_t w, uint32_t hgt) {
  uint32_t cells[256];
  uint32_t n = 0;
  for (uint32_t y = cy0; y < cy0 + hgt && y < h->sc.grid.rows; y++)
    for (uint32_t x = cx0; x < cx0 + w && x < h->sc.grid.cols && n < 256; x++) cells[n++] = y * h->sc.grid.cols + x;
  synk_net_view v;
  memset(&v, 0, sizeof v);
  v.cells = cells;
  v.n_cells = n;
  return synk_server_set_view(h->s, synk_client_id(h->cl[i].c), &v);
}

/* Set client i's view to the whole world. */
static inline synk_status tn_all_view(tn *h, uint32_t i) {
  synk_net_view v;
  memset(&v, 0, sizeof v);
  v.all = 1;
  return synk_server_set_view(h->s, synk_client_id(h->cl[i].c), &v);
}

#endif
