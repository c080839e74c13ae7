/* SPDX-License-Identifier: MIT */
/*
 * synk netsim — a deterministic network simulator for testing sans-IO
 * endpoints in one process, in two modes on one object:
 *
 *  - datagrams (sessions, anything that sends datagrams): N nodes, one-way
 *    links with latency, jitter, loss, duplication, reordering and bursts of
 *    total loss;
 *  - message channels (the net protocol's connections, anything that runs
 *    over TCP, a WebSocket or ENet's reliable channel): reliable, ordered,
 *    bounded two-way channels of whole messages, with latency and jitter per
 *    direction, backpressure when a direction is full, and closes (by either
 *    end, at random, at a scheduled time) that lose what was in flight.
 *
 * Everything is driven by one seed and the caller's clock: the same seed and
 * the same calls give the same deliveries on every machine. The two modes
 * draw from two streams of that seed, so using channels never changes which
 * datagrams are delivered, and the reverse.
 *
 * How to drive it: synk_netsim_create (synk_netsim_config_defaults, then the
 * fields you need: max_channels > 0 for channels), synk_netsim_set_link for
 * the datagram links that are not perfect, synk_netsim_channel_open for each
 * connection; then per tick at time now_ms:
 *   - synk_netsim_recv until SYNK_EMPTY, handing each datagram to node `to`;
 *   - synk_netsim_channel_recv until SYNK_EMPTY, handing each message to the
 *     receiving end of its channel, and telling that end when the arrival is
 *     a close instead (each close reaches both ends, once each);
 *   - let the nodes and endpoints run;
 *   - synk_netsim_send what the nodes polled; for each channel end, while
 *     synk_netsim_channel_room leaves room for the endpoint's largest
 *     message, poll the endpoint and synk_netsim_channel_send the message
 *     (a full direction pushes back, as TCP does: the endpoint keeps it).
 * Times are milliseconds of the caller's monotonic clock (it never goes
 * backwards: the channel calls refuse an earlier time than they were last
 * given); the simulator never reads a clock.
 *
 * Memory: allocated at creation, never after: a bounded queue of `capacity`
 * datagrams of at most `max_len` bytes, and `max_channels` channels, each
 * direction bounded by `channel_bytes` bytes and `channel_msgs` messages. A
 * datagram that finds the queue full is dropped (counted); a message that
 * finds its direction full is refused (SYNK_E_SPACE) and nothing changes.
 * No I/O, no clock, no allocation after creation, no floating point.
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
#define SYNK_NETSIM_MAX_CHANNELS (1u << 20)
#define SYNK_NETSIM_MAX_CHANNEL_BYTES (1u << 30)
#define SYNK_NETSIM_DEFAULT_CHANNELS 0            /* none: a datagram simulator pays nothing for channels */
#define SYNK_NETSIM_DEFAULT_CHANNEL_BYTES 262144  /* bytes in flight per direction of a channel */
#define SYNK_NETSIM_DEFAULT_CHANNEL_MSGS 4096     /* messages in flight per direction of a channel */
#define SYNK_NETSIM_DEFAULT_MAX_MESSAGE 65536     /* bytes: the largest channel message */

typedef struct synk_netsim_config {
  uint32_t nodes;    /* 1..SYNK_NETSIM_MAX_NODES; 0: SYNK_NETSIM_DEFAULT_NODES */
  uint32_t capacity; /* datagrams in flight; 0: SYNK_NETSIM_DEFAULT_CAPACITY */
  uint32_t max_len;  /* largest datagram, bytes; 0: SYNK_NETSIM_DEFAULT_MAX_LEN */
  uint32_t max_channels;  /* channels open at once (a closed channel's handle is free again once its close
                             reached both ends), 0..SYNK_NETSIM_MAX_CHANNELS; 0: SYNK_NETSIM_DEFAULT_CHANNELS */
  uint32_t channel_bytes; /* message bytes in flight per direction of a channel,
                             max_message..SYNK_NETSIM_MAX_CHANNEL_BYTES; 0: SYNK_NETSIM_DEFAULT_CHANNEL_BYTES */
  uint32_t channel_msgs;  /* messages in flight per direction of a channel; 0: SYNK_NETSIM_DEFAULT_CHANNEL_MSGS */
  uint32_t max_message;   /* largest channel message, bytes, <= channel_bytes; 0: SYNK_NETSIM_DEFAULT_MAX_MESSAGE */
  uint64_t seed;     /* the PRNG's seed (0 is a seed like any other) */
  const synk_allocator *allocator; /* NULL: malloc/free */
} synk_netsim_config;

/* Fill *cfg with the defaults: the SYNK_NETSIM_DEFAULT_* constants, seed 0,
 * no allocator. A field left 0 in a config means the same default.
 * NULL is ignored. Cost: O(1). */
SYNK_API void synk_netsim_config_defaults(synk_netsim_config *cfg);

/* Create a simulator with every link perfect (no delay, no loss) and no
 * channel open. Errors: SYNK_E_ARG (cfg or out NULL, nodes above
 * SYNK_NETSIM_MAX_NODES, max_channels above SYNK_NETSIM_MAX_CHANNELS,
 * channel_bytes above SYNK_NETSIM_MAX_CHANNEL_BYTES or below max_message,
 * an allocator without alloc/free), SYNK_E_NOMEM (also when the memory
 * below does not fit in a size_t). On error *out is NULL.
 * Memory: capacity * (max_len + 40) + nodes^2 * 32 bytes, plus, with
 * channels, max_channels * (2 * (channel_bytes + 24 * channel_msgs) + 208)
 * bytes at most. Cost: O(memory). */
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
  /* datagrams */
  uint64_t sent, delivered, lost, duplicated, overflow;
  /* channels: opened; closes (every cause); messages accepted by channel_send,
   * delivered by channel_recv, lost by closes */
  uint64_t channels_opened, channels_closed, messages_sent, messages_delivered, messages_lost;
} synk_netsim_stats;

/* Counters since creation. Errors: SYNK_E_ARG (ns or out NULL). O(1). */
SYNK_API synk_status synk_netsim_get_stats(const synk_netsim *ns, synk_netsim_stats *out);

/* ------------------------------------------------------------------------ */
/* Message channels                                                          */
/* ------------------------------------------------------------------------ */
/*
 * A channel joins two ends, end 0 (the one that opened it, say a client)
 * and end 1 (say the server); a channel is named by a handle below
 * max_channels, and the application knows which endpoint is at which end.
 * Each direction (named by its sending end) is a FIFO of whole messages of
 * 1..max_message bytes, bounded by channel_bytes bytes and channel_msgs
 * messages. A message sent at time t from end e is due at
 * max(t + latency_ms[e] + a uniform draw in [0, jitter_ms[e]], the due time
 * of the message sent before it in that direction): order is preserved and,
 * while the channel is up, nothing is lost or duplicated. It is delivered by
 * synk_netsim_channel_recv at or after its due time (and not before the
 * receiving end's hold, synk_netsim_channel_hold, ends); its bytes leave the
 * direction's bounds when it is delivered.
 *
 * A channel closes (a) when an end calls synk_netsim_channel_close: now,
 * losing every message not yet delivered in both directions (ABORT), or
 * after delivering what the closing end had sent (FLUSH, a graceful close);
 * (b) at random: with probability drop_ppm per ms it is up (the close time
 * is drawn when the channel opens, and again from now when drop_ppm
 * changes); (c) at a time set by synk_netsim_channel_close_at. A timed close
 * (b, c) at time T happens in the order of the deliveries: the messages that
 * were due (and not held) before T are delivered first, however late the
 * caller pulls them; every message still in flight at T is lost, and so is
 * every message sent before recv reached T (the channel stays open to its
 * ends until then). Each close is then reported to both ends, end 0 first,
 * as arrivals of channel_recv that carry the cause and the number of
 * messages to that end it lost. After the second report the handle is free
 * for a later channel_open (handles are reused least recently freed first).
 *
 * Randomness: one draw per message sent on a direction with jitter, at most
 * 84 draws when a channel's close time is drawn, in call order, from the
 * channels' own stream of the seed.
 */

/* One channel's faults. Latency and jitter are per direction, indexed by
 * the sending end: [0] is end 0 -> end 1, [1] is end 1 -> end 0. */
typedef struct synk_netsim_channel_link {
  uint32_t latency_ms[2]; /* base one-way delay */
  uint32_t jitter_ms[2];  /* plus a uniform extra delay in [0, jitter_ms] per message */
  uint32_t drop_ppm;      /* the channel closes by itself with this probability per ms it is up, parts per
                             million, 0..1000000 (0: never at random) */
} synk_netsim_channel_link;

typedef enum synk_netsim_channel_state {
  SYNK_NETSIM_CHANNEL_FREE = 0,     /* the handle is not in use */
  SYNK_NETSIM_CHANNEL_OPEN = 1,     /* carrying messages both ways */
  SYNK_NETSIM_CHANNEL_FLUSHING = 2, /* closed with SYNK_NETSIM_CLOSE_FLUSH: the closing end's messages still
                                       arrive, then the close */
  SYNK_NETSIM_CHANNEL_CLOSED = 3    /* closed; the close is being reported to the ends */
} synk_netsim_channel_state;

/* How synk_netsim_channel_close closes. */
typedef enum synk_netsim_close_how {
  SYNK_NETSIM_CLOSE_ABORT = 0, /* now: every undelivered message of both directions is lost (TCP's reset) */
  SYNK_NETSIM_CLOSE_FLUSH = 1  /* the closing end's undelivered messages still arrive, then the close reaches
                                  both ends (TCP's close after the last write); the messages to the closing
                                  end are lost now, and neither end may send any more */
} synk_netsim_close_how;

/* Why a channel closed (synk_netsim_arrival.closed). */
typedef enum synk_netsim_close_cause {
  SYNK_NETSIM_CLOSED_BY_END0 = 1, /* synk_netsim_channel_close by end 0 */
  SYNK_NETSIM_CLOSED_BY_END1 = 2, /* synk_netsim_channel_close by end 1 */
  SYNK_NETSIM_CLOSED_DROPPED = 3, /* at random (drop_ppm) */
  SYNK_NETSIM_CLOSED_AT_TIME = 4  /* at the time set by synk_netsim_channel_close_at */
} synk_netsim_close_cause;

/* What synk_netsim_channel_recv took. */
typedef struct synk_netsim_arrival {
  uint32_t channel; /* the channel's handle */
  uint32_t end;     /* the receiving end: 0 or 1 */
  uint32_t closed;  /* 0: a message (its bytes in the caller's buffer); else the channel closed, a
                       synk_netsim_close_cause (no bytes: *len is 0) */
  uint32_t lost;    /* for a close: the messages to this end it lost (0 for a message) */
} synk_netsim_arrival;

/* A channel's state (synk_netsim_channel_get_info). */
typedef struct synk_netsim_channel_info {
  uint32_t state;           /* synk_netsim_channel_state */
  uint32_t close_cause;     /* FLUSHING, CLOSED: why; OPEN: the cause of the next timed close (or 0) */
  uint32_t msgs[2];         /* messages in flight, by sending end */
  uint32_t bytes[2];        /* their bytes */
  uint64_t close_at;        /* OPEN, FLUSHING: the time of the next timed close (UINT64_MAX: none);
                               CLOSED: when it closed */
  uint64_t hold_until[2];   /* by receiving end: no delivery before this time */
  synk_netsim_channel_link link; /* the faults in force */
} synk_netsim_channel_info;

/* Open a channel at now_ms with the given faults (NULL: a perfect channel,
 * no delay, no random close): *ch its handle. Draws its random close time
 * when link->drop_ppm > 0. Errors: SYNK_E_ARG (ns or ch NULL, drop_ppm above
 * 1000000, now_ms earlier than a previous channel call's), SYNK_E_SPACE
 * (max_channels handles in use, counting closed channels whose close has not
 * yet reached both ends); nothing changes then. Cost: O(log max_channels). */
SYNK_API synk_status synk_netsim_channel_open(synk_netsim *ns, uint64_t now_ms, const synk_netsim_channel_link *link,
                                              uint32_t *ch);

/* Change the faults of channel ch, or of every OPEN and FLUSHING channel (in
 * handle order) when ch is UINT32_MAX, from now_ms on: messages sent from
 * now use the new latency and jitter (those in flight keep their due times;
 * order is still preserved); a changed drop_ppm draws the random close time
 * again from now_ms (0: no random close). Errors: SYNK_E_ARG (ns or link
 * NULL, drop_ppm above 1000000, ch neither a channel in use nor UINT32_MAX,
 * now_ms earlier than a previous channel call's), SYNK_E_MISMATCH (ch is
 * CLOSED); nothing changes then. Cost: O(log max_channels) per channel
 * whose drop_ppm changes, plus O(max_channels) for UINT32_MAX. */
SYNK_API synk_status synk_netsim_channel_set_link(synk_netsim *ns, uint64_t now_ms, uint32_t ch,
                                                  const synk_netsim_channel_link *link);

/* Send buf[0..len) from end `from_end` (0 or 1) of channel ch at now_ms.
 * Errors: SYNK_E_ARG (ns NULL or buf NULL, len 0 or above max_message, ch
 * not a channel in use, from_end above 1, now_ms earlier than a previous
 * channel call's), SYNK_E_MISMATCH (the channel is FLUSHING or CLOSED: no
 * more sends), SYNK_E_SPACE (the direction is full: backpressure; try again
 * after deliveries). Nothing changes on an error. Cost: O(len + log
 * max_channels), one draw when the direction has jitter. */
SYNK_API synk_status synk_netsim_channel_send(synk_netsim *ns, uint64_t now_ms, uint32_t ch, uint32_t from_end,
                                              const void *buf, size_t len);

/* The longest message end `from_end` of channel ch can send now: *room is
 * min(max_message, free bytes of the direction) while the direction has a
 * free message slot and the channel is OPEN, else 0. A driver polls an
 * endpoint only while *room covers the endpoint's largest message. Errors:
 * SYNK_E_ARG (ns or room NULL, ch not a channel in use, from_end above 1).
 * Cost: O(1). */
SYNK_API synk_status synk_netsim_channel_room(const synk_netsim *ns, uint32_t ch, uint32_t from_end, size_t *room);

/* Close channel ch from end `end` (0 or 1) at now_ms, `how` a
 * synk_netsim_close_how: ABORT an OPEN or FLUSHING channel, FLUSH an OPEN
 * one. Both ends are told through synk_netsim_channel_recv (cause
 * SYNK_NETSIM_CLOSED_BY_END0 or _END1): at now_ms for ABORT, or when the
 * last of the closing end's messages has been delivered for FLUSH (at once
 * if there is none). Errors: SYNK_E_ARG (ns NULL, ch not a channel in use,
 * end above 1, how unknown, now_ms earlier than a previous channel call's),
 * SYNK_E_MISMATCH (the channel is CLOSED already, or FLUSHING for FLUSH);
 * nothing changes then. Cost: O(log max_channels). */
SYNK_API synk_status synk_netsim_channel_close(synk_netsim *ns, uint64_t now_ms, uint32_t ch, uint32_t end,
                                               uint32_t how);

/* Close channel ch at time at_ms (a timed close, cause
 * SYNK_NETSIM_CLOSED_AT_TIME; see the model above), replacing an earlier
 * time set here; UINT64_MAX cancels it. A time before the latest now_ms a
 * channel call was given means that time. A random close due earlier still
 * happens first. Errors: SYNK_E_ARG (ns NULL, ch not a channel in use),
 * SYNK_E_MISMATCH (CLOSED); nothing changes then. Cost: O(log max_channels). */
SYNK_API synk_status synk_netsim_channel_close_at(synk_netsim *ns, uint32_t ch, uint64_t at_ms);

/* Hold back the messages to end `end` of channel ch until until_ms (a
 * stopped or slow reader): none is delivered before then; the direction
 * fills up and pushes back on the sender. A time already past ends a hold.
 * Closes are not held. Errors: SYNK_E_ARG (ns NULL, ch not a channel in
 * use, end above 1); nothing changes then. Cost: O(log max_channels). */
SYNK_API synk_status synk_netsim_channel_hold(synk_netsim *ns, uint32_t ch, uint32_t end, uint64_t until_ms);

/* Take the next arrival of any channel due at or before now_ms, earliest
 * first (ties: closes first, by handle, then messages in send order):
 * SYNK_OK with *what filled and, for a message, buf[0..*len) (for a close
 * *len is 0);
 * SYNK_EMPTY when nothing is due (*len = 0); SYNK_E_SPACE when the message
 * is longer than cap (*len = its length; it stays queued, *what is
 * unchanged). Timed closes due by now_ms happen on the way. buf may be NULL
 * when cap is 0. Errors: SYNK_E_ARG (ns, what or len NULL, buf NULL with
 * cap > 0, now_ms earlier than a previous channel call's); nothing changes
 * then. Cost: O(len + log max_channels), plus O(log max_channels) per timed
 * close passed. */
SYNK_API synk_status synk_netsim_channel_recv(synk_netsim *ns, uint64_t now_ms, synk_netsim_arrival *what, void *buf,
                                              size_t cap, size_t *len);

/* The state, load and faults of channel ch (any handle below max_channels;
 * a FREE one reads as all zero but its state). Errors: SYNK_E_ARG (ns or out
 * NULL, ch >= max_channels). Cost: O(1). */
SYNK_API synk_status synk_netsim_channel_get_info(const synk_netsim *ns, uint32_t ch, synk_netsim_channel_info *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SYNK_NETSIM_H */
