/* SPDX-License-Identifier: MIT */
/*
 * The network simulator's message channels (netsim/include/synk_netsim.h):
 * reliable, ordered, bounded two-way channels of whole messages.
 *
 * Each direction keeps a ring of message headers (due time, send number,
 * length) and a ring of their bytes, both sized at create. Because a
 * direction is a FIFO whose due times never decrease, a channel's next
 * arrival is the earlier of its two directions' first messages (or its timed
 * close, or its close reports); an indexed binary heap orders the channels
 * in use by that next arrival, so recv takes the earliest arrival of any
 * channel in O(log channels). A random close time is drawn once (geometric,
 * by bisection: no per-ms draws, no floating point) and waits in the heap
 * like a message.
 */
#include "netsim_internal.h"

#include <string.h>

#include "common/mix.h"

#define NEVER UINT64_MAX
#define PPM 1000000u

/* ---- memory --------------------------------------------------------------- */

static void *chan_alloc(const synk_netsim *ns, uint64_t n) {
  if (n > SIZE_MAX) return NULL;
  return ns->allocator.alloc(ns->allocator.ctx, (size_t)(n ? n : 1), 16);
}

void netsim_channels_free(synk_netsim *ns) {
  void *parts[] = {ns->chans, ns->chan_msgs, ns->chan_bytes, ns->chan_heap, ns->chan_heap_pos, ns->chan_free};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    if (parts[i]) ns->allocator.free(ns->allocator.ctx, parts[i]);
}

synk_status netsim_channels_create(synk_netsim *ns, const synk_netsim_config *cfg) {
  ns->max_channels = cfg->max_channels;
  ns->channel_bytes = cfg->channel_bytes;
  ns->channel_msgs = cfg->channel_msgs;
  ns->max_message = cfg->max_message;
  /* a stream of its own, so that channels never move the datagrams' draws */
  ns->chan_rng = synk_mix64(cfg->seed ^ UINT64_C(0x6368616E6E656C73));
  if (!ns->max_channels) return SYNK_OK;
  const uint64_t n = ns->max_channels, dirs = 2 * n;
  ns->chans = (channel *)chan_alloc(ns, n * sizeof(channel));
  ns->chan_msgs = (chan_msg *)chan_alloc(ns, dirs * ns->channel_msgs * sizeof(chan_msg));
  ns->chan_bytes = (uint8_t *)chan_alloc(ns, dirs * ns->channel_bytes);
  ns->chan_heap = (uint32_t *)chan_alloc(ns, n * sizeof(uint32_t));
  ns->chan_heap_pos = (uint32_t *)chan_alloc(ns, n * sizeof(uint32_t));
  ns->chan_free = (uint32_t *)chan_alloc(ns, n * sizeof(uint32_t));
  if (!ns->chans || !ns->chan_msgs || !ns->chan_bytes || !ns->chan_heap || !ns->chan_heap_pos || !ns->chan_free)
    return SYNK_E_NOMEM;
  memset(ns->chans, 0, (size_t)n * sizeof(channel));
  for (uint32_t i = 0; i < ns->max_channels; i++) {
    channel *c = &ns->chans[i];
    for (uint32_t d = 0; d < 2; d++) {
      const size_t k = (size_t)i * 2 + d;
      c->dir[d].msgs = ns->chan_msgs + k * ns->channel_msgs;
      c->dir[d].bytes = ns->chan_bytes + k * ns->channel_bytes;
    }
    ns->chan_free[i] = i;
    ns->chan_heap_pos[i] = UINT32_MAX;
  }
  ns->chan_free_count = ns->max_channels;
  return SYNK_OK;
}

/* ---- randomness (the channels' own splitmix64 stream) ---------------------- */

/* a uniform draw in [0, n), 1 <= n <= 2^32 */
static uint64_t chan_below(synk_netsim *ns, uint64_t n) { return ((synk_splitmix64(&ns->chan_rng) >> 32) * n) >> 32; }

#define ONE (UINT64_C(1) << 31)     /* 1.0 in the fixed point of the close-time draw */
#define BLOCK_BITS 20               /* the draw places a close in blocks of 2^20 ms ... */
#define MAX_BLOCKS 64               /* ... and gives up (never) after 64 of them: p < 1e-29 */

/* The ms of the random close, counted from now (1, 2, ...), for a close
 * probability of ppm per ms: geometric, as if drawn once per ms, in at most
 * MAX_BLOCKS + BLOCK_BITS draws. q[k] = (1 - p)^(2^k) in 1.31 fixed point is
 * the chance of no close in 2^k ms. First the block of 2^BLOCK_BITS ms that
 * holds the close (each block is passed with chance q[BLOCK_BITS]); then,
 * halving: the close is in the first h ms of a stretch of 2h that holds it
 * with chance (1 - q^h) / (1 - q^2h) = 1 / (1 + q[k]). NEVER when no block
 * held it. */
static uint64_t close_delay(synk_netsim *ns, uint32_t ppm) {
  uint64_t q[BLOCK_BITS + 1];
  q[0] = (uint64_t)(PPM - ppm) * ONE / PPM;
  for (int k = 0; k < BLOCK_BITS; k++) q[k + 1] = (q[k] * q[k]) >> 31; /* q < 2^31: no overflow */
  uint64_t at = 0;
  for (int b = 0;; b++) {
    if (b == MAX_BLOCKS) return NEVER;
    if ((synk_splitmix64(&ns->chan_rng) >> 33) >= q[BLOCK_BITS]) break;
    at += UINT64_C(1) << BLOCK_BITS;
  }
  for (int k = BLOCK_BITS; k-- > 0;) {
    uint64_t u = synk_splitmix64(&ns->chan_rng) >> 33; /* < 2^31, so u * (ONE + q) < 2^63 */
    if (u * (ONE + q[k]) >= ONE * ONE) at += UINT64_C(1) << k; /* the second half */
  }
  return at + 1;
}

static uint64_t add_sat(uint64_t a, uint64_t b) { return a > NEVER - b ? NEVER : a + b; }

static uint64_t random_close_at(synk_netsim *ns, uint64_t now, uint32_t ppm) {
  return ppm ? add_sat(now, close_delay(ns, ppm)) : NEVER;
}

/* ---- the heap of channels, by next arrival ---------------------------------- */

static int arrives_before(const synk_netsim *ns, uint32_t a, uint32_t b) {
  const channel *x = &ns->chans[a], *y = &ns->chans[b];
  if (x->next_time != y->next_time) return x->next_time < y->next_time;
  if (x->next_rank != y->next_rank) return x->next_rank < y->next_rank;
  if (x->next_seq != y->next_seq) return x->next_seq < y->next_seq;
  return a < b;
}

static void heap_place(synk_netsim *ns, uint32_t i, uint32_t id) {
  ns->chan_heap[i] = id;
  ns->chan_heap_pos[id] = i;
}

static void sift_up(synk_netsim *ns, uint32_t i) {
  const uint32_t id = ns->chan_heap[i];
  while (i > 0) {
    const uint32_t parent = (i - 1) / 2;
    if (!arrives_before(ns, id, ns->chan_heap[parent])) break;
    heap_place(ns, i, ns->chan_heap[parent]);
    i = parent;
  }
  heap_place(ns, i, id);
}

static void sift_down(synk_netsim *ns, uint32_t i) {
  const uint32_t id = ns->chan_heap[i];
  for (;;) {
    uint32_t child = 2 * i + 1;
    if (child >= ns->chan_heap_used) break;
    if (child + 1 < ns->chan_heap_used && arrives_before(ns, ns->chan_heap[child + 1], ns->chan_heap[child])) child++;
    if (!arrives_before(ns, ns->chan_heap[child], id)) break;
    heap_place(ns, i, ns->chan_heap[child]);
    i = child;
  }
  heap_place(ns, i, id);
}

static void heap_remove(synk_netsim *ns, uint32_t id) {
  const uint32_t i = ns->chan_heap_pos[id], last = ns->chan_heap[--ns->chan_heap_used];
  ns->chan_heap_pos[id] = UINT32_MAX;
  if (last == id) return;
  heap_place(ns, i, last);
  sift_up(ns, i);
  sift_down(ns, ns->chan_heap_pos[last]);
}

/* the timed close that comes first: its time (NEVER: none) and cause */
static uint64_t timed_close(const channel *c, uint32_t *cause) {
  *cause = c->drop_at <= c->close_at ? SYNK_NETSIM_CLOSED_DROPPED : SYNK_NETSIM_CLOSED_AT_TIME;
  return c->drop_at <= c->close_at ? c->drop_at : c->close_at;
}

/* Work out channel id's next arrival and move it to its place in the heap.
 * A message arrives at its due time, or when the hold on its receiving end
 * ends; a timed close at the same time or earlier comes first. */
static void update_next(synk_netsim *ns, uint32_t id) {
  channel *c = &ns->chans[id];
  c->next = NEXT_NONE;
  c->next_time = NEVER;
  c->next_rank = 0;
  c->next_seq = 0;
  if (c->state == SYNK_NETSIM_CHANNEL_CLOSED) {
    c->next = NEXT_REPORT;
    c->next_time = c->closed_at;
  } else {
    for (uint32_t d = 0; d < 2; d++) {
      const chan_dir *dir = &c->dir[d];
      if (!dir->count) continue;
      const chan_msg *m = &dir->msgs[dir->head];
      const uint64_t t = m->due_ms > c->hold_until[1 - d] ? m->due_ms : c->hold_until[1 - d];
      if (c->next == NEXT_NONE || t < c->next_time || (t == c->next_time && m->seq < c->next_seq)) {
        c->next = d ? NEXT_MSG1 : NEXT_MSG0;
        c->next_time = t;
        c->next_rank = 1;
        c->next_seq = m->seq;
      }
    }
    uint32_t cause;
    const uint64_t t = timed_close(c, &cause);
    if (t != NEVER && t <= c->next_time) {
      c->next = NEXT_TIMED_CLOSE;
      c->next_time = t;
      c->next_rank = 0;
      c->next_seq = 0;
    }
  }
  sift_up(ns, ns->chan_heap_pos[id]);
  sift_down(ns, ns->chan_heap_pos[id]);
}

/* ---- one direction's rings ---------------------------------------------------- */

static void ring_write(uint8_t *ring, uint32_t cap, uint32_t at, const uint8_t *src, uint32_t n) {
  const uint32_t first = cap - at < n ? cap - at : n;
  memcpy(ring + at, src, first);
  if (n > first) memcpy(ring, src + first, n - first);
}

static void ring_read(const uint8_t *ring, uint32_t cap, uint32_t at, uint8_t *dst, uint32_t n) {
  const uint32_t first = cap - at < n ? cap - at : n;
  memcpy(dst, ring + at, first);
  if (n > first) memcpy(dst + first, ring, n - first);
}

static uint32_t ring_pos(uint32_t head, uint32_t offset, uint32_t cap) {
  return (uint32_t)(((uint64_t)head + offset) % cap);
}

static void dir_clear(chan_dir *d) {
  d->head = d->count = d->byte_head = d->byte_count = 0;
}

/* ---- closing ------------------------------------------------------------------- */

/* lose the messages from end `from` (counted against the other end) */
static void lose_dir(synk_netsim *ns, channel *c, uint32_t from) {
  c->lost[1 - from] += c->dir[from].count;
  ns->stats.messages_lost += c->dir[from].count;
  dir_clear(&c->dir[from]);
}

/* the channel is closed at time `at`: what is in flight is lost, the close
 * waits to reach both ends */
static void end_channel(synk_netsim *ns, uint32_t id, uint32_t cause, uint64_t at) {
  channel *c = &ns->chans[id];
  lose_dir(ns, c, 0);
  lose_dir(ns, c, 1);
  c->state = SYNK_NETSIM_CHANNEL_CLOSED;
  c->cause = cause;
  c->closed_at = at;
  c->reports = 3;
  c->drop_at = c->close_at = NEVER;
  ns->stats.channels_closed++;
  update_next(ns, id);
}

/* ---- the calls -------------------------------------------------------------------- */

static int in_use(const synk_netsim *ns, uint32_t ch) {
  return ch < ns->max_channels && ns->chans[ch].state != SYNK_NETSIM_CHANNEL_FREE;
}

static int link_ok(const synk_netsim_channel_link *link) { return !link || link->drop_ppm <= PPM; }

synk_status synk_netsim_channel_open(synk_netsim *ns, uint64_t now_ms, const synk_netsim_channel_link *link,
                                     uint32_t *ch) {
  if (!ns || !ch || !link_ok(link) || now_ms < ns->chan_now) return SYNK_E_ARG;
  if (!ns->chan_free_count) return SYNK_E_SPACE;
  const uint32_t id = ns->chan_free[ns->chan_free_head];
  ns->chan_free_head = ns->chan_free_head + 1 == ns->max_channels ? 0 : ns->chan_free_head + 1;
  ns->chan_free_count--;
  ns->chan_now = now_ms;
  channel *c = &ns->chans[id];
  chan_dir dirs[2] = {c->dir[0], c->dir[1]};
  memset(c, 0, sizeof *c);
  for (uint32_t d = 0; d < 2; d++) {
    c->dir[d] = dirs[d];
    dir_clear(&c->dir[d]);
    c->dir[d].last_due = 0;
  }
  if (link) c->link = *link;
  c->state = SYNK_NETSIM_CHANNEL_OPEN;
  c->drop_at = random_close_at(ns, now_ms, c->link.drop_ppm);
  c->close_at = NEVER;
  heap_place(ns, ns->chan_heap_used++, id);
  update_next(ns, id);
  ns->stats.channels_opened++;
  *ch = id;
  return SYNK_OK;
}

static void set_link(synk_netsim *ns, uint64_t now_ms, uint32_t id, const synk_netsim_channel_link *link) {
  channel *c = &ns->chans[id];
  const uint32_t old_ppm = c->link.drop_ppm;
  c->link = *link;
  if (link->drop_ppm != old_ppm) {
    c->drop_at = random_close_at(ns, now_ms, link->drop_ppm);
    update_next(ns, id);
  }
}

synk_status synk_netsim_channel_set_link(synk_netsim *ns, uint64_t now_ms, uint32_t ch,
                                         const synk_netsim_channel_link *link) {
  if (!ns || !link || !link_ok(link) || now_ms < ns->chan_now) return SYNK_E_ARG;
  if (ch != UINT32_MAX && !in_use(ns, ch)) return SYNK_E_ARG;
  if (ch != UINT32_MAX && ns->chans[ch].state == SYNK_NETSIM_CHANNEL_CLOSED) return SYNK_E_MISMATCH;
  ns->chan_now = now_ms;
  if (ch != UINT32_MAX) {
    set_link(ns, now_ms, ch, link);
    return SYNK_OK;
  }
  for (uint32_t id = 0; id < ns->max_channels; id++) {
    const uint32_t st = ns->chans[id].state;
    if (st == SYNK_NETSIM_CHANNEL_OPEN || st == SYNK_NETSIM_CHANNEL_FLUSHING) set_link(ns, now_ms, id, link);
  }
  return SYNK_OK;
}

synk_status synk_netsim_channel_send(synk_netsim *ns, uint64_t now_ms, uint32_t ch, uint32_t from_end,
                                     const void *buf, size_t len) {
  if (!ns || !buf || len == 0 || len > ns->max_message || !in_use(ns, ch) || from_end > 1 || now_ms < ns->chan_now)
    return SYNK_E_ARG;
  channel *c = &ns->chans[ch];
  if (c->state != SYNK_NETSIM_CHANNEL_OPEN) return SYNK_E_MISMATCH;
  chan_dir *d = &c->dir[from_end];
  if (d->count == ns->channel_msgs || ns->channel_bytes - d->byte_count < len) return SYNK_E_SPACE;
  ns->chan_now = now_ms;
  uint64_t due = add_sat(now_ms, c->link.latency_ms[from_end]);
  if (c->link.jitter_ms[from_end]) due = add_sat(due, chan_below(ns, (uint64_t)c->link.jitter_ms[from_end] + 1));
  if (due < d->last_due) due = d->last_due; /* order is kept */
  d->last_due = due;
  chan_msg *m = &d->msgs[ring_pos(d->head, d->count, ns->channel_msgs)];
  m->due_ms = due;
  m->seq = ++ns->chan_seq;
  m->len = (uint32_t)len;
  m->pad = 0;
  ring_write(d->bytes, ns->channel_bytes, ring_pos(d->byte_head, d->byte_count, ns->channel_bytes),
             (const uint8_t *)buf, (uint32_t)len);
  d->count++;
  d->byte_count += (uint32_t)len;
  ns->stats.messages_sent++;
  if (d->count == 1) update_next(ns, ch); /* a new first message */
  return SYNK_OK;
}

synk_status synk_netsim_channel_room(const synk_netsim *ns, uint32_t ch, uint32_t from_end, size_t *room) {
  if (!ns || !room || !in_use(ns, ch) || from_end > 1) return SYNK_E_ARG;
  const channel *c = &ns->chans[ch];
  const chan_dir *d = &c->dir[from_end];
  *room = 0;
  if (c->state == SYNK_NETSIM_CHANNEL_OPEN && d->count < ns->channel_msgs) {
    const uint32_t free_bytes = ns->channel_bytes - d->byte_count;
    *room = free_bytes < ns->max_message ? free_bytes : ns->max_message;
  }
  return SYNK_OK;
}

synk_status synk_netsim_channel_close(synk_netsim *ns, uint64_t now_ms, uint32_t ch, uint32_t end, uint32_t how) {
  if (!ns || !in_use(ns, ch) || end > 1 || how > SYNK_NETSIM_CLOSE_FLUSH || now_ms < ns->chan_now)
    return SYNK_E_ARG;
  channel *c = &ns->chans[ch];
  if (c->state == SYNK_NETSIM_CHANNEL_CLOSED ||
      (how == SYNK_NETSIM_CLOSE_FLUSH && c->state == SYNK_NETSIM_CHANNEL_FLUSHING))
    return SYNK_E_MISMATCH;
  ns->chan_now = now_ms;
  const uint32_t cause = end ? SYNK_NETSIM_CLOSED_BY_END1 : SYNK_NETSIM_CLOSED_BY_END0;
  if (how == SYNK_NETSIM_CLOSE_ABORT) {
    end_channel(ns, ch, cause, now_ms);
    return SYNK_OK;
  }
  lose_dir(ns, c, 1 - end); /* what was on its way to the closing end */
  if (!c->dir[end].count) {
    end_channel(ns, ch, cause, now_ms);
    return SYNK_OK;
  }
  c->state = SYNK_NETSIM_CHANNEL_FLUSHING;
  c->cause = cause;
  c->closer = end;
  update_next(ns, ch);
  return SYNK_OK;
}

synk_status synk_netsim_channel_close_at(synk_netsim *ns, uint32_t ch, uint64_t at_ms) {
  if (!ns || !in_use(ns, ch)) return SYNK_E_ARG;
  channel *c = &ns->chans[ch];
  if (c->state == SYNK_NETSIM_CHANNEL_CLOSED) return SYNK_E_MISMATCH;
  c->close_at = at_ms == NEVER || at_ms >= ns->chan_now ? at_ms : ns->chan_now;
  update_next(ns, ch);
  return SYNK_OK;
}

synk_status synk_netsim_channel_hold(synk_netsim *ns, uint32_t ch, uint32_t end, uint64_t until_ms) {
  if (!ns || !in_use(ns, ch) || end > 1) return SYNK_E_ARG;
  ns->chans[ch].hold_until[end] = until_ms;
  update_next(ns, ch);
  return SYNK_OK;
}

/* take the first message of direction `from` of channel id into buf */
static void take_message(synk_netsim *ns, uint32_t id, uint32_t from, synk_netsim_arrival *what, void *buf,
                         size_t *len) {
  channel *c = &ns->chans[id];
  chan_dir *d = &c->dir[from];
  const chan_msg *m = &d->msgs[d->head];
  const uint64_t at = c->next_time;
  ring_read(d->bytes, ns->channel_bytes, d->byte_head, (uint8_t *)buf, m->len);
  *len = m->len;
  d->byte_head = ring_pos(d->byte_head, m->len, ns->channel_bytes);
  d->byte_count -= m->len;
  d->head = ring_pos(d->head, 1, ns->channel_msgs);
  d->count--;
  if (!d->count) d->head = d->byte_head = 0;
  ns->stats.messages_delivered++;
  what->channel = id;
  what->end = 1 - from;
  what->closed = 0;
  what->lost = 0;
  if (c->state == SYNK_NETSIM_CHANNEL_FLUSHING && !d->count)
    end_channel(ns, id, c->cause, at); /* the closing end's last message is out */
  else
    update_next(ns, id);
}

/* hand the close of channel id to its next end still to be told */
static void take_report(synk_netsim *ns, uint32_t id, synk_netsim_arrival *what) {
  channel *c = &ns->chans[id];
  const uint32_t end = (c->reports & 1u) ? 0 : 1;
  what->channel = id;
  what->end = end;
  what->closed = c->cause;
  what->lost = c->lost[end];
  c->reports &= ~(1u << end);
  if (c->reports) {
    update_next(ns, id);
    return;
  }
  heap_remove(ns, id); /* told both ends: the handle is free */
  c->state = SYNK_NETSIM_CHANNEL_FREE;
  ns->chan_free[ring_pos(ns->chan_free_head, ns->chan_free_count, ns->max_channels)] = id;
  ns->chan_free_count++;
}

synk_status synk_netsim_channel_recv(synk_netsim *ns, uint64_t now_ms, synk_netsim_arrival *what, void *buf,
                                     size_t cap, size_t *len) {
  if (!ns || !what || !len || (!buf && cap) || now_ms < ns->chan_now) return SYNK_E_ARG;
  ns->chan_now = now_ms;
  while (ns->chan_heap_used) {
    const uint32_t id = ns->chan_heap[0];
    channel *c = &ns->chans[id];
    if (c->next == NEXT_NONE || c->next_time > now_ms) break;
    if (c->next == NEXT_TIMED_CLOSE) {
      uint32_t cause;
      const uint64_t at = timed_close(c, &cause);
      end_channel(ns, id, cause, at);
      continue;
    }
    if (c->next == NEXT_REPORT) {
      take_report(ns, id, what);
      *len = 0;
      return SYNK_OK;
    }
    const uint32_t from = c->next == NEXT_MSG1 ? 1 : 0;
    const chan_msg *m = &c->dir[from].msgs[c->dir[from].head];
    if (m->len > cap) {
      *len = m->len;
      return SYNK_E_SPACE;
    }
    take_message(ns, id, from, what, buf, len);
    return SYNK_OK;
  }
  *len = 0;
  return SYNK_EMPTY;
}

synk_status synk_netsim_channel_get_info(const synk_netsim *ns, uint32_t ch, synk_netsim_channel_info *out) {
  if (!ns || !out || ch >= ns->max_channels) return SYNK_E_ARG;
  const channel *c = &ns->chans[ch];
  memset(out, 0, sizeof *out);
  out->state = c->state;
  if (c->state == SYNK_NETSIM_CHANNEL_FREE) return SYNK_OK;
  for (uint32_t d = 0; d < 2; d++) {
    out->msgs[d] = c->dir[d].count;
    out->bytes[d] = c->dir[d].byte_count;
    out->hold_until[d] = c->hold_until[d];
  }
  out->link = c->link;
  if (c->state == SYNK_NETSIM_CHANNEL_CLOSED) {
    out->close_cause = c->cause;
    out->close_at = c->closed_at;
  } else {
    uint32_t cause;
    out->close_at = timed_close(c, &cause);
    out->close_cause = c->state == SYNK_NETSIM_CHANNEL_FLUSHING ? c->cause : out->close_at == NEVER ? 0 : cause;
  }
  return SYNK_OK;
}
