/* SPDX-License-Identifier: MIT */
/*
 * msgnet — the deterministic simulated message transport (msgnet.h).
 *
 * Each channel is a byte ring holding whole messages, each behind a 12-byte
 * header (u64 delivery time, u32 length, little-endian), so a channel's
 * memory is fixed at create and its order is its ring order. The PRNG is
 * splitmix64 over one 64-bit state (support/rng.h); draws happen in a fixed
 * order (links in index order, within a link: drop draws, then jitter per
 * message sent, then split points per message delivered), so runs replay
 * exactly.
 */
#include "msgnet.h"

#include "rng.h"

#include <stdlib.h>
#include <string.h>

#define MN_HDR 12u
/* most drop draws per link per pump (a pump after a very long pause) */
#define MN_MAX_DRAWS (1u << 20)

typedef struct mn_chan {
  uint8_t *buf;
  uint32_t cap, head, used, msgs;
  uint64_t last_due;
} mn_chan;

typedef struct mn_link {
  synk_client *c;
  uint32_t state, conn;
  int server_open;   /* the server's side of conn is open */
  int close_req;     /* the server asked to close conn */
  uint64_t reconnect_at;
  int cut_pending;
  uint64_t cut_at;
  uint32_t cut_delay;
  uint64_t stall_until;
  mn_chan up, down;  /* up: client -> server */
  msgnet_link_info info;
} mn_link;

struct msgnet {
  msgnet_config cfg;
  synk_allocator al;
  mn_link *links;
  uint32_t nlinks;
  uint32_t *conn_link; /* [max_connections] */
  uint8_t *scratch;
  size_t scratch_cap;
  size_t frame_bound;
  uint64_t rng;
  uint64_t now;
  msgnet_stats st; /* connect_failures, backpressure (the rest is summed from links) */
};

/* ---- allocation ------------------------------------------------------------ */

static void *mn_std_alloc(void *ctx, size_t size, size_t align) {
  (void)ctx;
  (void)align; /* malloc's alignment suffices for this file's buffers */
  return malloc(size ? size : 1);
}
static void mn_std_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

static void *mn_alloc(const synk_allocator *a, size_t n) {
  void *p = a->alloc(a->ctx, n ? n : 1, 16);
  if (p) memset(p, 0, n ? n : 1);
  return p;
}
static void mn_free(const synk_allocator *a, void *p) {
  if (p) a->free(a->ctx, p);
}

/* ---- PRNG (splitmix64, support/rng.h) ------------------------------------------- */

/* uniform in [0, k) for 1 <= k <= 2^32 */
static uint64_t mn_below(msgnet *n, uint64_t k) { return synk_rng_scale(synk_splitmix_next(&n->rng), k); }

/* ---- channels ------------------------------------------------------------------ */

static void ring_put(mn_chan *ch, uint32_t pos, const void *src, uint32_t n) {
  const uint8_t *s = (const uint8_t *)src;
  pos %= ch->cap;
  uint32_t first = ch->cap - pos < n ? ch->cap - pos : n;
  if (first) memcpy(ch->buf + pos, s, first);
  if (n > first) memcpy(ch->buf, s + first, n - first);
}
static void ring_get(const mn_chan *ch, uint32_t pos, void *dst, uint32_t n) {
  uint8_t *d = (uint8_t *)dst;
  pos %= ch->cap;
  uint32_t first = ch->cap - pos < n ? ch->cap - pos : n;
  if (first) memcpy(d, ch->buf + pos, first);
  if (n > first) memcpy(d + first, ch->buf, n - first);
}

static int chan_room(const msgnet *net, const mn_chan *ch, size_t len) {
  if (net->cfg.channel_msgs && ch->msgs >= net->cfg.channel_msgs) return 0;
  return (uint64_t)ch->used + MN_HDR + len <= ch->cap;
}

static void chan_push(msgnet *net, mn_chan *ch, const void *p, uint32_t len) {
  uint64_t due = net->now + net->cfg.latency_ms;
  if (net->cfg.jitter_ms) due += mn_below(net, (uint64_t)net->cfg.jitter_ms + 1);
  if (due < ch->last_due) due = ch->last_due; /* order preserved */
  ch->last_due = due;
  uint8_t h[MN_HDR];
  for (int i = 0; i < 8; i++) h[i] = (uint8_t)(due >> (8 * i));
  for (int i = 0; i < 4; i++) h[8 + i] = (uint8_t)(len >> (8 * i));
  uint32_t tail = (uint32_t)(((uint64_t)ch->head + ch->used) % ch->cap);
  ring_put(ch, tail, h, MN_HDR);
  ring_put(ch, (uint32_t)(((uint64_t)tail + MN_HDR) % ch->cap), p, len);
  ch->used += MN_HDR + len;
  ch->msgs++;
}

/* the first message's delivery time and length; 0 if the channel is empty */
static int chan_peek(const mn_chan *ch, uint64_t *due, uint32_t *len) {
  if (!ch->msgs) return 0;
  uint8_t h[MN_HDR];
  ring_get(ch, ch->head, h, MN_HDR);
  uint64_t d = 0;
  uint32_t l = 0;
  for (int i = 0; i < 8; i++) d |= (uint64_t)h[i] << (8 * i);
  for (int i = 0; i < 4; i++) l |= (uint32_t)h[8 + i] << (8 * i);
  *due = d;
  *len = l;
  return 1;
}

static void chan_pop(mn_chan *ch, void *dst, uint32_t len) {
  ring_get(ch, (uint32_t)(((uint64_t)ch->head + MN_HDR) % ch->cap), dst, len);
  ch->head = (uint32_t)(((uint64_t)ch->head + MN_HDR + len) % ch->cap);
  ch->used -= MN_HDR + len;
  ch->msgs--;
  if (!ch->msgs) ch->head = ch->used = 0;
}

static void chan_clear(mn_chan *ch) {
  ch->head = ch->used = ch->msgs = 0;
  ch->last_due = 0;
}

/* ---- create / destroy ------------------------------------------------------------ */

synk_status msgnet_create(const msgnet_config *cfg, msgnet **out) {
  if (out) *out = NULL;
  if (!cfg || !out || !cfg->server || cfg->max_links == 0 || cfg->max_links > 65536) return SYNK_E_ARG;
  if (cfg->allocator && (!cfg->allocator->alloc || !cfg->allocator->free)) return SYNK_E_ARG;
  synk_allocator al = {mn_std_alloc, mn_std_free, NULL};
  if (cfg->allocator) al = *cfg->allocator;
  msgnet_config c = *cfg;
  size_t fb = synk_server_frame_bound(c.server);
  if (fb == 0 || fb > (1u << 30)) return SYNK_E_ARG;
  if (c.max_message == 0) c.max_message = 65536;
  if (c.max_connections == 0) c.max_connections = c.max_links + 64;
  if (c.rounds == 0) c.rounds = 1;
  if (c.channel_bytes == 0) {
    uint64_t want = 2 * ((uint64_t)fb + c.max_message + 2 * MN_HDR);
    if (want < 65536) want = 65536;
    if (want > (1u << 31)) return SYNK_E_ARG;
    c.channel_bytes = (uint32_t)want;
  }
  /* a channel must hold the largest message of either side */
  if ((uint64_t)c.channel_bytes < fb + MN_HDR || (uint64_t)c.channel_bytes < (uint64_t)c.max_message + MN_HDR)
    return SYNK_E_ARG;
  msgnet *n = (msgnet *)mn_alloc(&al, sizeof *n);
  if (!n) return SYNK_E_NOMEM;
  n->cfg = c;
  n->cfg.allocator = NULL;
  n->al = al;
  n->frame_bound = fb;
  n->rng = c.seed;
  n->scratch_cap = fb > c.max_message ? fb : c.max_message;
  n->links = (mn_link *)mn_alloc(&al, sizeof(mn_link) * c.max_links);
  n->conn_link = (uint32_t *)mn_alloc(&al, sizeof(uint32_t) * c.max_connections);
  n->scratch = (uint8_t *)mn_alloc(&al, n->scratch_cap);
  if (!n->links || !n->conn_link || !n->scratch) {
    msgnet_destroy(n);
    return SYNK_E_NOMEM;
  }
  for (uint32_t i = 0; i < c.max_connections; i++) n->conn_link[i] = MSGNET_NONE;
  *out = n;
  return SYNK_OK;
}

void msgnet_destroy(msgnet *net) {
  if (!net) return;
  synk_allocator al = net->al;
  if (net->links)
    for (uint32_t i = 0; i < net->nlinks; i++) {
      mn_free(&al, net->links[i].up.buf);
      mn_free(&al, net->links[i].down.buf);
    }
  mn_free(&al, net->links);
  mn_free(&al, net->conn_link);
  mn_free(&al, net->scratch);
  mn_free(&al, net);
}

synk_status msgnet_attach(msgnet *net, synk_client *c, uint32_t *link) {
  if (!net || !c) return SYNK_E_ARG;
  if (net->nlinks >= net->cfg.max_links) return SYNK_E_SPACE;
  mn_link *L = &net->links[net->nlinks];
  memset(L, 0, sizeof *L);
  L->up.buf = (uint8_t *)mn_alloc(&net->al, net->cfg.channel_bytes);
  L->down.buf = (uint8_t *)mn_alloc(&net->al, net->cfg.channel_bytes);
  if (!L->up.buf || !L->down.buf) {
    mn_free(&net->al, L->up.buf);
    mn_free(&net->al, L->down.buf);
    memset(L, 0, sizeof *L);
    return SYNK_E_NOMEM;
  }
  L->up.cap = L->down.cap = net->cfg.channel_bytes;
  L->c = c;
  L->state = MSGNET_OFF;
  L->conn = UINT32_MAX;
  L->info.conn = UINT32_MAX;
  if (link) *link = net->nlinks;
  net->nlinks++;
  return SYNK_OK;
}

/* ---- link transitions --------------------------------------------------------------- */

static void note_error(mn_link *L, synk_status st) {
  L->info.errors++;
  L->info.last_error = st;
}

static void schedule_reconnect(msgnet *net, mn_link *L, uint32_t delay) {
  if (delay == MSGNET_DEFAULT) {
    if (net->cfg.reconnect_ms == MSGNET_NEVER) {
      L->state = MSGNET_OFF;
      return;
    }
    uint64_t at = net->now + net->cfg.reconnect_ms;
    if (net->cfg.reconnect_jitter_ms) at += mn_below(net, (uint64_t)net->cfg.reconnect_jitter_ms + 1);
    L->reconnect_at = at;
    L->state = MSGNET_DOWN;
  } else if (delay == MSGNET_NEVER) {
    L->state = MSGNET_OFF;
  } else {
    L->reconnect_at = net->now + delay;
    L->state = MSGNET_DOWN;
  }
}

/* close the server's side of the link's connection */
static void server_side_close(msgnet *net, mn_link *L) {
  if (!L->server_open) return;
  synk_status st = synk_server_disconnect(net->cfg.server, L->conn, net->now);
  if (st != SYNK_OK) note_error(L, st);
  if (L->conn < net->cfg.max_connections) net->conn_link[L->conn] = MSGNET_NONE;
  L->server_open = 0;
}

static void lose_all(mn_link *L) {
  L->info.lost_up += L->up.msgs;
  L->info.lost_down += L->down.msgs;
  chan_clear(&L->up);
  chan_clear(&L->down);
}

/* the transport is cut: both sides told, in-flight messages lost */
static void cut(msgnet *net, mn_link *L, uint32_t delay) {
  if (L->state == MSGNET_UP || L->state == MSGNET_CLOSING) {
    lose_all(L);
    server_side_close(net, L);
    if (synk_client_get_state(L->c) != SYNK_CLIENT_CLOSED) synk_client_disconnect(L->c);
    L->info.disconnects++;
    L->conn = UINT32_MAX;
    L->close_req = 0;
  }
  schedule_reconnect(net, L, delay);
}

/* the client ended the connection itself (became CLOSED, or IDLE) */
static void client_ended(msgnet *net, mn_link *L) {
  lose_all(L);
  server_side_close(net, L);
  L->conn = UINT32_MAX;
  L->close_req = 0;
  if (synk_client_get_state(L->c) == SYNK_CLIENT_CLOSED) {
    L->info.client_closes++;
    L->state = MSGNET_OFF;
  } else {
    L->info.disconnects++;
    schedule_reconnect(net, L, MSGNET_DEFAULT);
  }
}

/* a closing link delivered everything the server sent: the connection ends */
static void closing_done(msgnet *net, mn_link *L) {
  lose_all(L);
  L->conn = UINT32_MAX;
  L->close_req = 0;
  if (synk_client_get_state(L->c) == SYNK_CLIENT_CLOSED) {
    L->state = MSGNET_OFF; /* refused or closed: it does not come back by itself */
  } else {
    synk_client_disconnect(L->c);
    schedule_reconnect(net, L, MSGNET_DEFAULT);
  }
}

static synk_status do_connect(msgnet *net, mn_link *L) {
  if (synk_client_get_state(L->c) != SYNK_CLIENT_IDLE) return SYNK_E_MISMATCH;
  uint32_t conn = UINT32_MAX;
  synk_status st = synk_server_connect(net->cfg.server, net->now, &conn);
  if (st != SYNK_OK) return st;
  if (conn >= net->cfg.max_connections) { /* msgnet's table is smaller than the server's */
    synk_server_disconnect(net->cfg.server, conn, net->now);
    return SYNK_E_SPACE;
  }
  st = synk_client_start(L->c, net->now);
  if (st != SYNK_OK) {
    synk_server_disconnect(net->cfg.server, conn, net->now);
    return st;
  }
  net->conn_link[conn] = (uint32_t)(L - net->links);
  chan_clear(&L->up);
  chan_clear(&L->down);
  L->conn = conn;
  L->server_open = 1;
  L->close_req = 0;
  L->cut_pending = 0;
  L->state = MSGNET_UP;
  L->info.connects++;
  return SYNK_OK;
}

synk_status msgnet_connect(msgnet *net, uint32_t link, uint64_t now_ms) {
  if (!net || link >= net->nlinks) return SYNK_E_ARG;
  mn_link *L = &net->links[link];
  if (L->state == MSGNET_UP || L->state == MSGNET_CLOSING) return SYNK_E_MISMATCH;
  if (now_ms > net->now) net->now = now_ms;
  return do_connect(net, L);
}

synk_status msgnet_disconnect(msgnet *net, uint32_t link, uint64_t now_ms, uint32_t reconnect_after_ms) {
  if (!net || link >= net->nlinks) return SYNK_E_ARG;
  if (now_ms > net->now) net->now = now_ms;
  cut(net, &net->links[link], reconnect_after_ms);
  return SYNK_OK;
}

synk_status msgnet_schedule_disconnect(msgnet *net, uint32_t link, uint64_t at_ms, uint32_t reconnect_after_ms) {
  if (!net || link >= net->nlinks) return SYNK_E_ARG;
  mn_link *L = &net->links[link];
  L->cut_pending = 1;
  L->cut_at = at_ms;
  L->cut_delay = reconnect_after_ms;
  return SYNK_OK;
}

synk_status msgnet_stall(msgnet *net, uint32_t link, uint64_t until_ms) {
  if (!net || link >= net->nlinks) return SYNK_E_ARG;
  net->links[link].stall_until = until_ms;
  return SYNK_OK;
}

synk_status msgnet_set_faults(msgnet *net, uint32_t drop_ppm, uint32_t latency_ms, uint32_t jitter_ms) {
  if (!net) return SYNK_E_ARG;
  net->cfg.drop_ppm = drop_ppm;
  net->cfg.latency_ms = latency_ms;
  net->cfg.jitter_ms = jitter_ms;
  return SYNK_OK;
}

int msgnet_server_event(msgnet *net, const synk_net_event *ev) {
  if (!net || !ev || ev->type != SYNK_NET_EV_CLOSE) return 0;
  if (ev->conn >= net->cfg.max_connections) return 0;
  uint32_t l = net->conn_link[ev->conn];
  if (l == MSGNET_NONE) return 0;
  mn_link *L = &net->links[l];
  if (!L->server_open || L->conn != ev->conn) return 0;
  L->close_req = 1;
  L->info.last_close_reason = ev->reason;
  return 1;
}

/* ---- pump ------------------------------------------------------------------------------- */

static int stalled(const msgnet *net, const mn_link *L) { return L->stall_until > net->now; }

static int client_gone(const mn_link *L) {
  synk_client_state s = synk_client_get_state(L->c);
  return s == SYNK_CLIENT_CLOSED || s == SYNK_CLIENT_IDLE;
}

/* hand msg[0..len) to a receiver in 1..3 pieces; returns the first error */
static synk_status deliver(msgnet *net, mn_link *L, int to_server, const uint8_t *msg, size_t len) {
  size_t cuts[2] = {len, len};
  if (net->cfg.split && len > 1) {
    uint32_t k = (uint32_t)mn_below(net, 3);
    for (uint32_t i = 0; i < k; i++) cuts[i] = 1 + (size_t)mn_below(net, (uint64_t)len - 1);
    if (cuts[0] > cuts[1]) {
      size_t t = cuts[0];
      cuts[0] = cuts[1];
      cuts[1] = t;
    }
  }
  size_t from = 0;
  for (int i = 0; i <= 2; i++) {
    size_t to = i < 2 ? cuts[i] : len;
    if (to <= from) continue;
    synk_status st = to_server ? synk_server_receive(net->cfg.server, L->conn, msg + from, to - from, net->now)
                               : synk_client_receive(L->c, msg + from, to - from, net->now);
    if (st != SYNK_OK) return st;
    from = to;
  }
  return SYNK_OK;
}

/* deliver what is due on both channels; returns messages delivered */
static size_t deliver_due(msgnet *net, mn_link *L) {
  size_t moved = 0;
  uint64_t due;
  uint32_t len;
  /* server -> client (also while closing: the REFUSE / CLOSE must arrive) */
  while ((L->state == MSGNET_UP || L->state == MSGNET_CLOSING) && !stalled(net, L) &&
         chan_peek(&L->down, &due, &len) && due <= net->now) {
    chan_pop(&L->down, net->scratch, len);
    L->info.msgs_down++;
    L->info.bytes_down += len;
    moved++;
    synk_status st = deliver(net, L, 0, net->scratch, len);
    if (st != SYNK_OK && st != SYNK_E_FORMAT) note_error(L, st);
    if (client_gone(L)) {
      if (L->state == MSGNET_UP) client_ended(net, L);
      else closing_done(net, L);
      return moved;
    }
  }
  /* client -> server */
  while (L->state == MSGNET_UP && L->server_open && !L->close_req && chan_peek(&L->up, &due, &len) &&
         due <= net->now) {
    chan_pop(&L->up, net->scratch, len);
    L->info.msgs_up++;
    L->info.bytes_up += len;
    moved++;
    synk_status st = deliver(net, L, 1, net->scratch, len);
    if (st == SYNK_E_FORMAT) {
      L->close_req = 1; /* the server closes it (its CLOSE event says why) */
    } else if (st != SYNK_OK) {
      note_error(L, st);
      L->close_req = 1;
    }
  }
  return moved;
}

/* poll both endpoints into the channels, finish server closes; returns messages polled */
static size_t poll_link(msgnet *net, mn_link *L) {
  size_t moved = 0, len = 0;
  if (L->server_open) {
    for (;;) {
      if (!chan_room(net, &L->down, net->frame_bound)) {
        net->st.backpressure++;
        break;
      }
      synk_status st = synk_server_poll(net->cfg.server, L->conn, net->scratch, net->scratch_cap, &len, net->now);
      if (st != SYNK_OK) {
        note_error(L, st);
        break;
      }
      if (len == 0) {
        if (L->close_req) { /* everything before the close is out: close the server's side */
          server_side_close(net, L);
          L->info.server_closes++;
          L->info.lost_up += L->up.msgs;
          chan_clear(&L->up);
          L->state = MSGNET_CLOSING;
        }
        break;
      }
      chan_push(net, &L->down, net->scratch, (uint32_t)len);
      moved++;
    }
  }
  if (L->state == MSGNET_UP && !stalled(net, L)) {
    for (;;) {
      if (!chan_room(net, &L->up, net->cfg.max_message)) {
        net->st.backpressure++;
        break;
      }
      synk_status st = synk_client_poll(L->c, net->scratch, net->cfg.max_message, &len, net->now);
      if (st != SYNK_OK) {
        note_error(L, st);
        break;
      }
      if (len == 0) break;
      chan_push(net, &L->up, net->scratch, (uint32_t)len);
      moved++;
    }
  }
  if (L->state == MSGNET_CLOSING && L->down.msgs == 0) closing_done(net, L);
  return moved;
}

size_t msgnet_pump(msgnet *net, uint64_t now_ms) {
  if (!net) return 0;
  uint64_t elapsed = now_ms > net->now ? now_ms - net->now : 0;
  if (now_ms > net->now) net->now = now_ms;
  /* (1) disconnects and reconnects due */
  for (uint32_t i = 0; i < net->nlinks; i++) {
    mn_link *L = &net->links[i];
    if (L->cut_pending && L->cut_at <= net->now) {
      L->cut_pending = 0;
      if (L->state == MSGNET_UP || L->state == MSGNET_CLOSING) cut(net, L, L->cut_delay);
    }
    if (L->state == MSGNET_UP && net->cfg.drop_ppm) {
      uint64_t draws = elapsed < MN_MAX_DRAWS ? elapsed : MN_MAX_DRAWS;
      for (uint64_t k = 0; k < draws; k++)
        if (mn_below(net, 1000000) < net->cfg.drop_ppm) {
          cut(net, L, MSGNET_DEFAULT);
          break;
        }
    }
    if (L->state == MSGNET_DOWN && L->reconnect_at <= net->now) {
      synk_status st = do_connect(net, L);
      if (st == SYNK_E_SPACE) {
        net->st.connect_failures++; /* try again at the next pump */
      } else if (st != SYNK_OK) {
        note_error(L, st);
        L->state = MSGNET_OFF;
      }
    }
  }
  /* (2)-(5), `rounds` times while something moves */
  size_t delivered = 0;
  for (uint32_t r = 0; r < net->cfg.rounds; r++) {
    size_t moved = 0;
    for (uint32_t i = 0; i < net->nlinks; i++) {
      size_t d = deliver_due(net, &net->links[i]);
      delivered += d;
      moved += d;
    }
    if (r == 0) {
      synk_server_service(net->cfg.server, net->now);
      for (uint32_t i = 0; i < net->nlinks; i++) {
        mn_link *L = &net->links[i];
        if ((L->state != MSGNET_UP && L->state != MSGNET_CLOSING) || stalled(net, L)) continue;
        synk_client_service(L->c, net->now);
        if (client_gone(L)) {
          if (L->state == MSGNET_UP) client_ended(net, L);
          else closing_done(net, L);
        }
      }
    }
    for (uint32_t i = 0; i < net->nlinks; i++) moved += poll_link(net, &net->links[i]);
    if (!moved) break;
  }
  return delivered;
}

/* ---- queries ------------------------------------------------------------------------------ */

size_t msgnet_in_flight(const msgnet *net, uint32_t link) {
  if (!net || link >= net->nlinks) return 0;
  return (size_t)net->links[link].up.msgs + net->links[link].down.msgs;
}

uint32_t msgnet_link_of_conn(const msgnet *net, uint32_t conn) {
  if (!net || conn >= net->cfg.max_connections) return MSGNET_NONE;
  return net->conn_link[conn];
}

synk_status msgnet_link_info_get(const msgnet *net, uint32_t link, msgnet_link_info *out) {
  if (!net || !out || link >= net->nlinks) return SYNK_E_ARG;
  const mn_link *L = &net->links[link];
  *out = L->info;
  out->state = L->state;
  out->conn = L->server_open ? L->conn : UINT32_MAX;
  out->reconnect_at = L->reconnect_at;
  out->stalled_until = L->stall_until;
  out->client = L->c;
  return SYNK_OK;
}

void msgnet_get_stats(const msgnet *net, msgnet_stats *out) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  if (!net) return;
  *out = net->st;
  for (uint32_t i = 0; i < net->nlinks; i++) {
    const msgnet_link_info *s = &net->links[i].info;
    out->msgs_up += s->msgs_up;
    out->msgs_down += s->msgs_down;
    out->bytes_up += s->bytes_up;
    out->bytes_down += s->bytes_down;
    out->lost_up += s->lost_up;
    out->lost_down += s->lost_down;
    out->connects += s->connects;
    out->disconnects += s->disconnects;
    out->server_closes += s->server_closes;
    out->client_closes += s->client_closes;
    out->errors += s->errors;
  }
}
