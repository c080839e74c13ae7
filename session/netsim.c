/* SPDX-License-Identifier: MIT */
/*
 * Deterministic network simulator (session/include/synk_netsim.h): a binary
 * heap of datagram slots ordered by (due time, send sequence).
 */
#include "synk_netsim.h"

#include <stdlib.h>
#include <string.h>

typedef struct pkt {
  uint64_t due, seq;
  uint32_t from, to, len;
} pkt;

struct synk_netsim {
  synk_allocator al;
  uint32_t nodes, capacity, max_len, used;
  uint64_t rng, seq;
  synk_netsim_link *links; /* [from][to] */
  pkt *meta;               /* [capacity] */
  uint8_t *data;           /* [capacity][max_len] */
  uint32_t *heap;          /* slot indices, heap[0..used) */
  uint32_t *free_slots;    /* stack of capacity - used slots */
  synk_netsim_stats st;
};

static void *ns_malloc(void *ctx, size_t size, size_t align) {
  (void)ctx;
  (void)align;
  return malloc(size);
}
static void ns_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

/* splitmix64: fixed, portable */
static uint64_t next_u64(synk_netsim *ns) {
  uint64_t z = (ns->rng += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static uint32_t below(synk_netsim *ns, uint32_t n) { return (uint32_t)(((next_u64(ns) >> 32) * n) >> 32); }
static int chance(synk_netsim *ns, uint32_t ppm) { return ppm && below(ns, 1000000) < ppm; }

void synk_netsim_destroy(synk_netsim *ns) {
  if (!ns) return;
  synk_allocator al = ns->al;
  void *parts[] = {ns->links, ns->meta, ns->data, ns->heap, ns->free_slots};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    if (parts[i]) al.free(al.ctx, parts[i]);
  al.free(al.ctx, ns);
}

synk_status synk_netsim_create(uint32_t nodes, uint32_t capacity, uint32_t max_len, uint64_t seed,
                               const synk_allocator *allocator, synk_netsim **out) {
  if (out) *out = NULL;
  if (!out || nodes == 0 || nodes > 256 || capacity == 0 || max_len == 0) return SYNK_E_ARG;
  if (allocator && (!allocator->alloc || !allocator->free)) return SYNK_E_ARG;
  synk_allocator al = {ns_malloc, ns_free, NULL};
  if (allocator) al = *allocator;
  synk_netsim *ns = (synk_netsim *)al.alloc(al.ctx, sizeof *ns, 16);
  if (!ns) return SYNK_E_NOMEM;
  memset(ns, 0, sizeof *ns);
  ns->al = al;
  ns->nodes = nodes;
  ns->capacity = capacity;
  ns->max_len = max_len;
  ns->rng = seed;
  ns->links = (synk_netsim_link *)al.alloc(al.ctx, sizeof(synk_netsim_link) * nodes * nodes, 16);
  ns->meta = (pkt *)al.alloc(al.ctx, sizeof(pkt) * capacity, 16);
  ns->data = (uint8_t *)al.alloc(al.ctx, (size_t)capacity * max_len, 16);
  ns->heap = (uint32_t *)al.alloc(al.ctx, sizeof(uint32_t) * capacity, 16);
  ns->free_slots = (uint32_t *)al.alloc(al.ctx, sizeof(uint32_t) * capacity, 16);
  if (!ns->links || !ns->meta || !ns->data || !ns->heap || !ns->free_slots) {
    synk_netsim_destroy(ns);
    return SYNK_E_NOMEM;
  }
  memset(ns->links, 0, sizeof(synk_netsim_link) * nodes * nodes);
  for (uint32_t i = 0; i < capacity; i++) ns->free_slots[i] = capacity - 1 - i;
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
  const pkt *x = &ns->meta[a], *y = &ns->meta[b];
  return x->due < y->due || (x->due == y->due && x->seq < y->seq);
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

static void enqueue(synk_netsim *ns, const synk_netsim_link *l, uint32_t from, uint32_t to, const void *buf,
                    size_t len, uint32_t now) {
  if (chance(ns, l->loss_ppm)) {
    ns->st.lost++;
    return;
  }
  if (ns->used == ns->capacity) {
    ns->st.overflow++;
    return;
  }
  uint64_t delay = l->latency_ms + (l->jitter_ms ? below(ns, l->jitter_ms + 1) : 0);
  if (chance(ns, l->reorder_ppm)) delay += (uint64_t)l->latency_ms + l->jitter_ms + 1;
  uint32_t slot = ns->free_slots[ns->capacity - 1 - ns->used];
  pkt *p = &ns->meta[slot];
  p->due = (uint64_t)now + delay;
  p->seq = ns->seq++;
  p->from = from;
  p->to = to;
  p->len = (uint32_t)len;
  if (len) memcpy(ns->data + (size_t)slot * ns->max_len, buf, len);
  heap_push(ns, slot);
}

synk_status synk_netsim_send(synk_netsim *ns, uint32_t from, uint32_t to, const void *buf, size_t len,
                             uint32_t now_ms) {
  if (!ns || (!buf && len) || from >= ns->nodes || to >= ns->nodes) return SYNK_E_ARG;
  if (len > ns->max_len) return SYNK_E_SPACE;
  const synk_netsim_link *l = &ns->links[from * ns->nodes + to];
  ns->st.sent++;
  if (l->down || (l->burst_len_ms && l->burst_period_ms && now_ms % l->burst_period_ms < l->burst_len_ms)) {
    ns->st.lost++;
    return SYNK_OK;
  }
  int dup = chance(ns, l->dup_ppm);
  enqueue(ns, l, from, to, buf, len, now_ms);
  if (dup) {
    ns->st.duplicated++;
    enqueue(ns, l, from, to, buf, len, now_ms);
  }
  return SYNK_OK;
}

int synk_netsim_recv(synk_netsim *ns, uint32_t now_ms, uint32_t *from, uint32_t *to, void *buf, size_t cap,
                     size_t *len) {
  if (!ns || !from || !to || !buf || !len || cap < ns->max_len) return 0;
  if (ns->used == 0 || ns->meta[ns->heap[0]].due > now_ms) return 0;
  uint32_t slot = heap_pop(ns);
  ns->free_slots[ns->capacity - 1 - ns->used] = slot;
  const pkt *p = &ns->meta[slot];
  *from = p->from;
  *to = p->to;
  *len = p->len;
  memcpy(buf, ns->data + (size_t)slot * ns->max_len, p->len);
  ns->st.delivered++;
  return 1;
}

synk_status synk_netsim_get_stats(const synk_netsim *ns, synk_netsim_stats *out) {
  if (!ns || !out) return SYNK_E_ARG;
  *out = ns->st;
  return SYNK_OK;
}
