/* SPDX-License-Identifier: MIT */
/*
 * Deterministic network simulator (netsim/include/synk_netsim.h): create,
 * destroy and the datagram links — a binary heap of datagram slots ordered
 * by (due time, send sequence), one splitmix64 stream (common/mix.h) for
 * every random choice of the datagrams. The channels are in channel.c.
 */
#include "netsim_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/mix.h"

static void *ns_malloc(void *ctx, size_t size, size_t align) {
  (void)ctx;
  (void)align;
  return malloc(size);
}
static void ns_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

/* a uniform draw in [0, n) */
static uint32_t below(synk_netsim *ns, uint32_t n) { return (uint32_t)(((synk_splitmix64(&ns->rng) >> 32) * n) >> 32); }
static int chance(synk_netsim *ns, uint32_t ppm) { return ppm && below(ns, 1000000) < ppm; }

void synk_netsim_destroy(synk_netsim *ns) {
  if (!ns) return;
  synk_allocator al = ns->allocator;
  void *parts[] = {ns->links, ns->meta, ns->data, ns->heap, ns->free_slots};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    if (parts[i]) al.free(al.ctx, parts[i]);
  netsim_channels_free(ns);
  al.free(al.ctx, ns);
}

void synk_netsim_config_defaults(synk_netsim_config *cfg) {
  if (!cfg) return;
  memset(cfg, 0, sizeof *cfg);
  cfg->nodes = SYNK_NETSIM_DEFAULT_NODES;
  cfg->capacity = SYNK_NETSIM_DEFAULT_CAPACITY;
  cfg->max_len = SYNK_NETSIM_DEFAULT_MAX_LEN;
  cfg->max_channels = SYNK_NETSIM_DEFAULT_CHANNELS;
  cfg->channel_bytes = SYNK_NETSIM_DEFAULT_CHANNEL_BYTES;
  cfg->channel_msgs = SYNK_NETSIM_DEFAULT_CHANNEL_MSGS;
  cfg->max_message = SYNK_NETSIM_DEFAULT_MAX_MESSAGE;
}

synk_status synk_netsim_create(const synk_netsim_config *cfg, synk_netsim **out) {
  if (out) *out = NULL;
  if (!cfg || !out) return SYNK_E_ARG;
  synk_netsim_config c;
  synk_netsim_config_defaults(&c);
  c.seed = cfg->seed;
  c.allocator = cfg->allocator;
  if (cfg->nodes) c.nodes = cfg->nodes;
  if (cfg->capacity) c.capacity = cfg->capacity;
  if (cfg->max_len) c.max_len = cfg->max_len;
  if (cfg->max_channels) c.max_channels = cfg->max_channels;
  if (cfg->channel_bytes) c.channel_bytes = cfg->channel_bytes;
  if (cfg->channel_msgs) c.channel_msgs = cfg->channel_msgs;
  if (cfg->max_message) c.max_message = cfg->max_message;
  if (c.nodes > SYNK_NETSIM_MAX_NODES || c.max_channels > SYNK_NETSIM_MAX_CHANNELS ||
      c.channel_bytes > SYNK_NETSIM_MAX_CHANNEL_BYTES || c.max_message > c.channel_bytes)
    return SYNK_E_ARG;
  if (c.allocator && (!c.allocator->alloc || !c.allocator->free)) return SYNK_E_ARG;
  if ((uint64_t)c.capacity * c.max_len > SIZE_MAX) return SYNK_E_NOMEM; /* a 32-bit size_t */
  synk_allocator al = {ns_malloc, ns_free, NULL};
  if (c.allocator) al = *c.allocator;
  synk_netsim *ns = (synk_netsim *)al.alloc(al.ctx, sizeof *ns, 16);
  if (!ns) return SYNK_E_NOMEM;
  memset(ns, 0, sizeof *ns);
  ns->allocator = al;
  ns->nodes = c.nodes;
  ns->capacity = c.capacity;
  ns->max_len = c.max_len;
  ns->rng = c.seed;
  const size_t nodes = c.nodes, capacity = c.capacity;
  ns->links = (synk_netsim_link *)al.alloc(al.ctx, sizeof(synk_netsim_link) * nodes * nodes, 16);
  ns->meta = (in_flight *)al.alloc(al.ctx, sizeof(in_flight) * capacity, 16);
  ns->data = (uint8_t *)al.alloc(al.ctx, capacity * c.max_len, 16);
  ns->heap = (uint32_t *)al.alloc(al.ctx, sizeof(uint32_t) * capacity, 16);
  ns->free_slots = (uint32_t *)al.alloc(al.ctx, sizeof(uint32_t) * capacity, 16);
  if (!ns->links || !ns->meta || !ns->data || !ns->heap || !ns->free_slots) {
    synk_netsim_destroy(ns);
    return SYNK_E_NOMEM;
  }
  memset(ns->links, 0, sizeof(synk_netsim_link) * nodes * nodes);
  for (uint32_t i = 0; i < c.capacity; i++) ns->free_slots[i] = c.capacity - 1 - i;
  if (netsim_channels_create(ns, &c) != SYNK_OK) {
    synk_netsim_destroy(ns);
    return SYNK_E_NOMEM;
  }
  *out = ns;
  return SYNK_OK;
}

synk_status synk_netsim_set_link(synk_netsim *ns, uint32_t from, uint32_t to, const synk_netsim_link *link) {
  if (!ns || !link || (from != UINT32_MAX && from >= ns->nodes) || (to != UINT32_MAX && to >= ns->nodes))
    return SYNK_E_ARG;
  for (uint32_t a = 0; a < ns->nodes; a++)
    for (uint32_t b = 0; b < ns->nodes; b++)
      if ((from == UINT32_MAX || a == from) && (to == UINT32_MAX || b == to)) ns->links[a * ns->nodes + b] = *link;
  return SYNK_OK;
}

static int before(const synk_netsim *ns, uint32_t a, uint32_t b) {
  const in_flight *x = &ns->meta[a], *y = &ns->meta[b];
  return x->due_ms < y->due_ms || (x->due_ms == y->due_ms && x->seq < y->seq);
}

static void heap_push(synk_netsim *ns, uint32_t slot) {
  uint32_t i = ns->used++;
  ns->heap[i] = slot;
  while (i > 0) {
    uint32_t p = (i - 1) / 2;
    if (!before(ns, ns->heap[i], ns->heap[p])) break;
    uint32_t t = ns->heap[i];
    ns->heap[i] = ns->heap[p];
    ns->heap[p] = t;
    i = p;
  }
}

static uint32_t heap_pop(synk_netsim *ns) {
  uint32_t top = ns->heap[0];
  ns->heap[0] = ns->heap[--ns->used];
  uint32_t i = 0;
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < ns->used && before(ns, ns->heap[l], ns->heap[m])) m = l;
    if (r < ns->used && before(ns, ns->heap[r], ns->heap[m])) m = r;
    if (m == i) break;
    uint32_t t = ns->heap[i];
    ns->heap[i] = ns->heap[m];
    ns->heap[m] = t;
    i = m;
  }
  return top;
}

static void enqueue(synk_netsim *ns, const synk_netsim_link *l, uint64_t now, uint32_t from, uint32_t to,
                    const void *buf, size_t len) {
  if (chance(ns, l->loss_ppm)) {
    ns->stats.lost++;
    return;
  }
  if (ns->used == ns->capacity) {
    ns->stats.overflow++;
    return;
  }
  uint64_t delay = l->latency_ms + (l->jitter_ms ? below(ns, l->jitter_ms + 1) : 0);
  if (chance(ns, l->reorder_ppm)) delay += (uint64_t)l->latency_ms + l->jitter_ms + 1;
  uint32_t slot = ns->free_slots[ns->capacity - 1 - ns->used];
  in_flight *p = &ns->meta[slot];
  p->due_ms = now + delay;
  p->seq = ns->seq++;
  p->from = from;
  p->to = to;
  p->len = (uint32_t)len;
  if (len) memcpy(ns->data + (size_t)slot * ns->max_len, buf, len);
  heap_push(ns, slot);
}

synk_status synk_netsim_send(synk_netsim *ns, uint64_t now_ms, uint32_t from, uint32_t to, const void *buf,
                             size_t len) {
  if (!ns || (!buf && len) || from >= ns->nodes || to >= ns->nodes) return SYNK_E_ARG;
  if (len > ns->max_len) return SYNK_E_SPACE;
  const synk_netsim_link *l = &ns->links[from * ns->nodes + to];
  ns->stats.sent++;
  if (l->down || (l->burst_len_ms && l->burst_period_ms && now_ms % l->burst_period_ms < l->burst_len_ms)) {
    ns->stats.lost++;
    return SYNK_OK;
  }
  int dup = chance(ns, l->dup_ppm);
  enqueue(ns, l, now_ms, from, to, buf, len);
  if (dup) {
    ns->stats.duplicated++;
    enqueue(ns, l, now_ms, from, to, buf, len);
  }
  return SYNK_OK;
}

synk_status synk_netsim_recv(synk_netsim *ns, uint64_t now_ms, uint32_t *from, uint32_t *to, void *buf, size_t cap,
                             size_t *len) {
  if (!ns || !from || !to || !buf || !len) return SYNK_E_ARG;
  if (ns->used == 0 || ns->meta[ns->heap[0]].due_ms > now_ms) {
    *len = 0;
    return SYNK_EMPTY;
  }
  const in_flight *next = &ns->meta[ns->heap[0]];
  if (next->len > cap) {
    *len = next->len;
    return SYNK_E_SPACE;
  }
  uint32_t slot = heap_pop(ns);
  ns->free_slots[ns->capacity - 1 - ns->used] = slot;
  const in_flight *p = &ns->meta[slot];
  *from = p->from;
  *to = p->to;
  *len = p->len;
  memcpy(buf, ns->data + (size_t)slot * ns->max_len, p->len);
  ns->stats.delivered++;
  return SYNK_OK;
}

synk_status synk_netsim_get_stats(const synk_netsim *ns, synk_netsim_stats *out) {
  if (!ns || !out) return SYNK_E_ARG;
  *out = ns->stats;
  return SYNK_OK;
}
