/* SPDX-License-Identifier: MIT */
/*
 * synk netsim — a deterministic network simulator for testing sans-IO
 * endpoints (sessions today; anything that sends datagrams) in one process:
 * N nodes, one-way links with latency, jitter, loss, duplication, reordering
 * and bursts of total loss, all driven by one seeded PRNG and the caller's
 * clock. The same seed and the same calls give the same deliveries on every
 * machine.
 *
 * How to drive it: synk_netsim_create (synk_netsim_config_defaults, then the
 * fields you need), synk_netsim_set_link for the links that are not perfect;
 * then per tick at time now_ms: synk_netsim_recv until SYNK_EMPTY, handing
 * each datagram to node `to`; let the nodes run; synk_netsim_send what they
 * polled. Times are milliseconds of the caller's monotonic clock (it never
 * goes backwards); the simulator never reads a clock.
 *
 * Memory: a bounded queue of `capacity` datagrams of at most `max_len`
 * bytes, allocated at creation; a send into a full queue drops the datagram
 * (counted). No I/O, no clock, no allocation after creation.
 * Thread safety: none; use a simulator from one thread at a time.
 */
#ifndef SYNK_NETSIM_H
#define SYNK_NETSIM_H

#include "synk.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synk_netsim synk_netsim;

#define SYNK_NETSIM_MAX_NODES 256
#define SYNK_NETSIM_DEFAULT_NODES 2
#define SYNK_NETSIM_DEFAULT_CAPACITY 1024 /* datagrams in flight */
#define SYNK_NETSIM_DEFAULT_MAX_LEN 1500  /* bytes: an Ethernet payload (session datagrams of the default MTU fit) */

typedef struct synk_netsim_config {
  uint32_t nodes;    /* 1..SYNK_NETSIM_MAX_NODES; 0: SYNK_NETSIM_DEFAULT_NODES */
  uint32_t capacity; /* datagrams in flight; 0: SYNK_NETSIM_DEFAULT_CAPACITY */
  uint32_t max_len;  /* largest datagram, bytes; 0: SYNK_NETSIM_DEFAULT_MAX_LEN */
  uint64_t seed;     /* the PRNG's seed (0 is a seed like any other) */
  const synk_allocator *allocator; /* NULL: malloc/free */
} synk_netsim_config;

/* Fill *cfg with the defaults: the SYNK_NETSIM_DEFAULT_* constants, seed 0,
 * no allocator. A field left 0 in a config means the same default.
 * NULL is ignored. Cost: O(1). */
SYNK_API void synk_netsim_config_defaults(synk_netsim_config *cfg);

/* Create a simulator with every link perfect (no delay, no loss).
 * Errors: SYNK_E_ARG (cfg or out NULL, nodes above SYNK_NETSIM_MAX_NODES,
 * an allocator without alloc/free), SYNK_E_NOMEM. On error *out is NULL.
 * Memory: capacity * (max_len + 40) + nodes^2 * 32 bytes. Cost: O(memory). */
SYNK_API synk_status synk_netsim_create(const synk_netsim_config *cfg, synk_netsim **out);

/* Free a simulator. NULL is accepted. */
SYNK_API void synk_netsim_destroy(synk_netsim *ns);

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

/* Set the link from -> to; UINT32_MAX for from or to means every node.
 * Errors: SYNK_E_ARG (ns or link NULL, a node out of range).
 * Cost: O(nodes^2) at most. */
SYNK_API synk_status synk_netsim_set_link(synk_netsim *ns, uint32_t from, uint32_t to,
                                          const synk_netsim_link *link);

/* Send buf[0..len) from -> to at time now_ms. Lost datagrams, and those that
 * find the queue full, are counted and dropped: SYNK_OK all the same (the
 * network ate it). Errors: SYNK_E_ARG (ns NULL, buf NULL with len > 0, a
 * node out of range), SYNK_E_SPACE (len > max_len); nothing is sent then.
 * Cost: O(len + log capacity). */
SYNK_API synk_status synk_netsim_send(synk_netsim *ns, uint64_t now_ms, uint32_t from, uint32_t to, const void *buf,
                                      size_t len);

/* Take the next datagram due at or before now_ms (earliest first, ties in
 * send order): SYNK_OK with *from, *to and buf[0..*len) filled; SYNK_EMPTY
 * when none is due (*len = 0); SYNK_E_SPACE when it is longer than cap
 * (*len = its length; it stays queued). Errors: SYNK_E_ARG (a pointer NULL).
 * Cost: O(len + log capacity). */
SYNK_API synk_status synk_netsim_recv(synk_netsim *ns, uint64_t now_ms, uint32_t *from, uint32_t *to, void *buf,
                                      size_t cap, size_t *len);

typedef struct synk_netsim_stats {
  uint64_t sent, delivered, lost, duplicated, overflow;
} synk_netsim_stats;

/* Counters since creation. Errors: SYNK_E_ARG (ns or out NULL). O(1). */
SYNK_API synk_status synk_netsim_get_stats(const synk_netsim *ns, synk_netsim_stats *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SYNK_NETSIM_H */
