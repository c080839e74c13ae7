/* SPDX-License-Identifier: MIT */
/*
 * synk netsim — a deterministic network simulator for testing sessions (and
 * anything else that sends datagrams) in one process: N nodes, one-way links
 * with latency, jitter, loss, duplication, reordering and bursts of total
 * loss, all driven by one seeded PRNG and the caller's clock. The same seed
 * and the same calls give the same deliveries on every machine.
 *
 * Memory: a bounded queue of `capacity` datagrams of at most `max_len` bytes,
 * allocated at creation; a send into a full queue drops the datagram
 * (counted). No I/O, no clock, no allocation after creation.
 */
#ifndef SYNK_NETSIM_H
#define SYNK_NETSIM_H

#include "synk.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synk_netsim synk_netsim;

/* One direction of a link. Probabilities are in parts per million. */
typedef struct synk_netsim_link {
  uint32_t latency_ms;      /* base one-way delay */
  uint32_t jitter_ms;       /* plus a uniform extra delay in [0, jitter_ms] */
  uint32_t loss_ppm;        /* each datagram (and each duplicate) lost with this probability */
  uint32_t dup_ppm;         /* a datagram is delivered twice with this probability */
  uint32_t reorder_ppm;     /* a datagram is held back an extra latency + jitter + 1 ms */
  uint32_t burst_period_ms; /* every burst_period_ms ... */
  uint32_t burst_len_ms;    /* ... the first burst_len_ms lose everything (0: no bursts) */
  uint32_t down;            /* non-zero: the link is cut (everything lost) */
} synk_netsim_link;

typedef struct synk_netsim_stats {
  uint64_t sent, delivered, lost, duplicated, overflow;
} synk_netsim_stats;

/* Create a simulator of `nodes` (1..256) nodes with every link perfect
 * (no delay, no loss). Errors: SYNK_E_ARG (out NULL, nodes or capacity 0 or
 * nodes > 256, max_len 0, an allocator without alloc/free), SYNK_E_NOMEM.
 * Memory: capacity * (max_len + 24) bytes. Cost: O(memory). */
SYNK_API synk_status synk_netsim_create(uint32_t nodes, uint32_t capacity, uint32_t max_len, uint64_t seed,
                                        const synk_allocator *allocator, synk_netsim **out);

/* Free a simulator. NULL is accepted. */
SYNK_API void synk_netsim_destroy(synk_netsim *ns);

/* Set the link from -> to; UINT32_MAX for from or to means every node.
 * Errors: SYNK_E_ARG (NULL, node out of range). O(nodes^2) at most. */
SYNK_API synk_status synk_netsim_set_link(synk_netsim *ns, uint32_t from, uint32_t to,
                                          const synk_netsim_link *link);

/* Send buf[0..len) from -> to at time now_ms. Lost datagrams, and those that
 * find the queue full, are counted and dropped (SYNK_OK: the network ate it).
 * Errors: SYNK_E_ARG (NULL, node out of range), SYNK_E_SPACE (len > max_len).
 * Cost: O(len + log capacity). */
SYNK_API synk_status synk_netsim_send(synk_netsim *ns, uint32_t from, uint32_t to, const void *buf, size_t len,
                                      uint32_t now_ms);

/* The next datagram due at or before now_ms (earliest first, ties in send
 * order): returns 1 and fills *from, *to, buf[0..*len); 0 when none is due.
 * cap must be at least max_len. Cost: O(len + log capacity). */
SYNK_API int synk_netsim_recv(synk_netsim *ns, uint32_t now_ms, uint32_t *from, uint32_t *to, void *buf,
                              size_t cap, size_t *len);

/* Counters since creation. Errors: SYNK_E_ARG. O(1). */
SYNK_API synk_status synk_netsim_get_stats(const synk_netsim *ns, synk_netsim_stats *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SYNK_NETSIM_H */
