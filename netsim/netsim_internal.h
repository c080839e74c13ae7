/* SPDX-License-Identifier: MIT */
/*
 * The network simulator's insides, shared by its two files (the contract is
 * netsim/include/synk_netsim.h):
 *
 *   netsim.c   create and destroy, the datagram links: a binary heap of
 *              datagram slots ordered by (due time, send sequence);
 *   channel.c  the message channels: per direction a ring of messages and a
 *              ring of their bytes, an indexed heap of channels ordered by
 *              each channel's next arrival, a ring of free handles.
 *
 * Randomness: splitmix64 (common/mix.h), two streams of the one seed — `rng`
 * for the datagrams (its draws are exactly those of the datagram mode
 * before channels existed), `chan_rng` for the channels — so neither mode
 * moves the other's draws. Layer rule: synk.h and common/ only.
 */
#ifndef SYNK_NETSIM_INTERNAL_H
#define SYNK_NETSIM_INTERNAL_H

#include "synk_netsim.h"

/* a datagram in flight */
typedef struct in_flight {
  uint64_t due_ms, seq; /* delivered at due_ms; ties in send order */
  uint32_t from, to, len;
} in_flight;

/* a channel message in flight: its bytes follow the previous message's in
 * the direction's byte ring */
typedef struct chan_msg {
  uint64_t due_ms, seq; /* due time; send order over every channel */
  uint32_t len, pad;
} chan_msg;

/* one direction of a channel, named by its sending end */
typedef struct chan_dir {
  chan_msg *msgs;                 /* ring [channel_msgs] */
  uint8_t *bytes;                 /* ring [channel_bytes] */
  uint32_t head, count;           /* the first message, messages in flight */
  uint32_t byte_head, byte_count; /* where the first message's bytes start, bytes in flight */
  uint64_t last_due;              /* the due time of the last message sent: order is kept */
} chan_dir;

/* what a channel has next, for the heap of channels */
enum chan_next { NEXT_NONE, NEXT_MSG0, NEXT_MSG1, NEXT_TIMED_CLOSE, NEXT_REPORT };

typedef struct channel {
  chan_dir dir[2];
  synk_netsim_channel_link link;
  uint32_t state;        /* synk_netsim_channel_state */
  uint32_t cause;        /* FLUSHING, CLOSED: a synk_netsim_close_cause */
  uint32_t closer;       /* FLUSHING: the end whose messages still arrive */
  uint32_t reports;      /* CLOSED: bit e set while the close waits to reach end e */
  uint32_t lost[2];      /* by receiving end: messages the close lost */
  uint64_t drop_at;      /* the random close's time; UINT64_MAX: none */
  uint64_t close_at;     /* synk_netsim_channel_close_at's time; UINT64_MAX: none */
  uint64_t closed_at;    /* CLOSED: when */
  uint64_t hold_until[2];/* by receiving end */
  /* the next arrival: ordered by (time, rank: closes 0 before messages 1, seq, handle) */
  uint64_t next_time, next_seq;
  uint32_t next_rank, next;
} channel;

struct synk_netsim {
  synk_allocator allocator;
  uint32_t nodes, capacity, max_len, used;
  uint64_t rng, seq;       /* the datagram PRNG's state; the next datagram's number */
  synk_netsim_link *links; /* [from][to] */
  in_flight *meta;         /* [capacity] */
  uint8_t *data;           /* [capacity][max_len] */
  uint32_t *heap;          /* slot indices, heap[0..used) */
  uint32_t *free_slots;    /* stack of capacity - used slots */
  synk_netsim_stats stats;
  /* channels (channel.c); all NULL when max_channels is 0 */
  uint32_t max_channels, channel_bytes, channel_msgs, max_message;
  uint64_t chan_rng, chan_seq; /* the channels' PRNG state; the last message's number */
  uint64_t chan_now;           /* the latest now_ms a channel call was given */
  channel *chans;              /* [max_channels] */
  chan_msg *chan_msgs;         /* [max_channels][2][channel_msgs] */
  uint8_t *chan_bytes;         /* [max_channels][2][channel_bytes] */
  uint32_t *chan_heap;         /* handles of channels in use, a heap of chan_heap_used */
  uint32_t *chan_heap_pos;     /* [max_channels]: a handle's index in chan_heap */
  uint32_t *chan_free;         /* ring of free handles: chan_free_count from chan_free_head */
  uint32_t chan_heap_used, chan_free_head, chan_free_count;
};

/* Allocate and set up the channels of cfg (defaults already applied) with
 * ns->allocator: SYNK_OK (also for 0 channels) or SYNK_E_NOMEM (the caller
 * then destroys ns, which netsim_channels_free handles). */
synk_status netsim_channels_create(synk_netsim *ns, const synk_netsim_config *cfg);

/* Free what netsim_channels_create allocated (NULL pointers skipped). */
void netsim_channels_free(synk_netsim *ns);

#endif
