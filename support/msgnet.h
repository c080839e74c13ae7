/* SPDX-License-Identifier: MIT */
/*
 * msgnet — a deterministic simulated message transport for the synk net
 * protocol (synk_net.h): one server endpoint and N client endpoints in one
 * process, each client joined to the server by a reliable, ordered message
 * channel (what TCP, a WebSocket or ENet's reliable channel give), with
 * latency, jitter, disconnects at random or scheduled points and reconnects.
 *
 * Model. A link joins one synk_client to the server. While the link is up it
 * has two channels (client -> server, server -> client); each is a bounded
 * FIFO of whole messages (channel_bytes bytes of messages and their 12-byte
 * headers, at most channel_msgs messages). A message sent at time t is
 * delivered at max(t + latency_ms + a uniform extra in [0, jitter_ms], the
 * delivery time of the message before it on that channel): order is always
 * preserved, nothing is lost or duplicated while the link is up. A full
 * channel pushes back: msgnet stops polling the sending endpoint until there
 * is room (so a server whose client does not read fills its own bounded
 * queues, as it would over TCP). A disconnect (random: drop_ppm per ms of a
 * link being up; scheduled: msgnet_schedule_disconnect; immediate:
 * msgnet_disconnect) loses every undelivered message of both channels and
 * tells both endpoints (synk_server_disconnect, synk_client_disconnect); the
 * link reconnects after a delay (synk_server_connect for a new connection,
 * then synk_client_start). When the server asks to close a connection
 * (SYNK_NET_EV_CLOSE, or a receive that fails with SYNK_E_FORMAT), msgnet
 * sends what the server still has for it, closes the server's side, delivers
 * the rest to the client (its REFUSE or CLOSE) and then ends the link as a
 * disconnect. A client that ends in SYNK_CLIENT_CLOSED (refused, closed by
 * the server, or closed itself on a protocol error) is not reconnected: its
 * link stays OFF (msgnet_connect refuses a client that is not IDLE). A
 * client that gives up by itself (its own timeout: back to IDLE) is treated
 * as a disconnect and reconnects after the configured delay.
 *
 * Time is the caller's (milliseconds of a simulated clock, passed to every
 * call, never decreasing); msgnet reads no clock. Randomness comes from its
 * own PRNG (splitmix64), seeded by the config and drawn in a fixed order: the
 * same seed and the same calls give the same deliveries, disconnects and
 * reconnects on every machine. Memory: allocated at create (two channels per
 * link, one scratch message buffer, the connection table); nothing after.
 *
 * Driving. The application owns the server and the clients (their configs,
 * callbacks and worlds); msgnet only moves bytes and opens and closes
 * connections. The server's on_event callback must pass every event to
 * msgnet_server_event (msgnet acts on SYNK_NET_EV_CLOSE of its links'
 * connections and ignores the rest). Then, once per step of the simulated
 * clock (typically after synk_server_tick):
 *
 *     msgnet_pump(net, now);
 *
 * which (1) carries out the disconnects and reconnects due, (2) delivers
 * every message due by `now` (synk_client_receive, synk_server_receive),
 * (3) in the first round, runs the endpoints' timers (synk_server_service,
 * synk_client_service of every connected client that is not stalled),
 * (4) polls every endpoint's outgoing messages into the channels (for each
 * connection synk_server_poll until it returns 0 or the channel is full, and
 * synk_client_poll likewise), (5) finishes the closes the server asked for;
 * then repeats (2)-(5) up to `rounds` times while messages due by `now`
 * remain (with latency 0 and rounds > 1 a whole exchange completes in one
 * pump). Connections the application opens itself on the same server
 * (synk_server_connect, e.g. to inject bytes) are not msgnet's: it ignores
 * their events, and msgnet's links never use their handles.
 *
 * Callbacks of the endpoints run inside msgnet_pump. From them the
 * application may call msgnet_server_event, msgnet_link_info_get,
 * msgnet_in_flight and msgnet_get_stats, nothing else of msgnet.
 *
 * Plain C11 over the public synk.h / synk_net.h; not part of libsynk but of
 * support/ (for tests/net and `synk serve-sim`). The datagram simulator
 * (netsim/, synk_netsim.h) is public in libsynk; folding this one in beside
 * it is a later step.
 */
#ifndef SYNK_MSGNET_H
#define SYNK_MSGNET_H

#include "synk.h"
#include "synk_net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A delay that never elapses: the link stays down until msgnet_connect. */
#define MSGNET_NEVER UINT32_MAX
/* For msgnet_disconnect / msgnet_schedule_disconnect: the config's delay. */
#define MSGNET_DEFAULT (UINT32_MAX - 1u)
/* The link index of "no link". */
#define MSGNET_NONE UINT32_MAX

typedef struct msgnet msgnet;

typedef struct msgnet_config {
  synk_server *server;          /* the server endpoint (required) */
  uint32_t max_links;           /* client endpoints that can be attached, 1..65536 */
  uint32_t max_connections;     /* connection handles the server can return (the size of
                                   msgnet's handle table): >= the server's max_connections;
                                   0: max_links + 64 */
  uint32_t channel_bytes;       /* per channel (each direction of each link): bytes in flight,
                                   12 bytes of header per message included;
                                   0: max(65536, 2 x (frame bound + max_message + 24)) */
  uint32_t channel_msgs;        /* messages in flight per channel; 0: no bound but the bytes */
  uint32_t max_message;         /* largest client message polled (buffer size); 0: 65536 */
  uint32_t latency_ms;          /* one-way base delay, both directions */
  uint32_t jitter_ms;           /* plus a uniform extra in [0, jitter_ms] per message */
  uint32_t split;               /* nonzero: each message is handed to the receiver in 1..3
                                   pieces cut at random points (exercises reassembly) */
  uint32_t drop_ppm;            /* disconnect probability per ms of a link being up, parts
                                   per million (0: only scheduled disconnects) */
  uint32_t reconnect_ms;        /* delay from a disconnect to the reconnect; MSGNET_NEVER:
                                   only msgnet_connect reconnects */
  uint32_t reconnect_jitter_ms; /* plus a uniform extra in [0, reconnect_jitter_ms] */
  uint32_t rounds;              /* delivery rounds per pump; 0: 1 */
  uint64_t seed;                /* the PRNG's seed */
  const synk_allocator *allocator; /* NULL: malloc/free */
} msgnet_config;

typedef enum msgnet_state {
  MSGNET_OFF = 0,     /* not connected and no reconnect scheduled */
  MSGNET_DOWN = 1,    /* disconnected; reconnects at `reconnect_at` */
  MSGNET_UP = 2,      /* connected */
  MSGNET_CLOSING = 3  /* the server closed its side; the rest goes to the client */
} msgnet_state;

typedef struct msgnet_link_info {
  uint32_t state;           /* msgnet_state */
  uint32_t conn;            /* the server's connection handle, or UINT32_MAX */
  uint64_t reconnect_at;    /* MSGNET_DOWN: when it reconnects */
  uint64_t stalled_until;   /* msgnet_stall: frozen before this time */
  synk_client *client;
  /* counters since attach: messages and bytes delivered (up: client -> server) */
  uint64_t msgs_up, msgs_down, bytes_up, bytes_down;
  uint64_t lost_up, lost_down;  /* undelivered messages lost by disconnects */
  uint64_t connects;            /* connections opened */
  uint64_t disconnects;         /* transport cuts (random, scheduled, msgnet_disconnect) */
  uint64_t server_closes;       /* connections the server closed (CLOSE event / SYNK_E_FORMAT) */
  uint64_t client_closes;       /* connections ended because the client became CLOSED */
  uint32_t last_close_reason;   /* the reason of the server's last CLOSE event, or 0 */
  uint64_t errors;              /* endpoint calls that returned an unexpected status */
  synk_status last_error;       /* the last such status */
} msgnet_link_info;

typedef struct msgnet_stats {
  uint64_t msgs_up, msgs_down, bytes_up, bytes_down, lost_up, lost_down;
  uint64_t connects, disconnects, server_closes, client_closes, errors;
  uint64_t connect_failures; /* reconnects postponed: the server had no free connection */
  uint64_t backpressure;     /* polls skipped because a channel was full */
} msgnet_stats;

/* Create a transport for cfg->server. Errors: SYNK_E_ARG (NULL, max_links out
 * of range, a channel smaller than one message, an allocator without
 * alloc/free), SYNK_E_NOMEM. Memory: 2 x max_links x channel_bytes + the
 * largest message + 4 x max_connections bytes. */
synk_status msgnet_create(const msgnet_config *cfg, msgnet **out);

/* Free a transport (not the endpoints). NULL is accepted. */
void msgnet_destroy(msgnet *net);

/* Attach client endpoint c (IDLE, not yet started) as a new link, OFF:
 * *link its index (0, 1, ... in attach order). Errors: SYNK_E_ARG, SYNK_E_SPACE
 * (max_links links attached). */
synk_status msgnet_attach(msgnet *net, synk_client *c, uint32_t *link);

/* Open the link now: synk_server_connect, then synk_client_start. Errors:
 * SYNK_E_ARG (bad link), SYNK_E_MISMATCH (the link is up or closing, or the
 * client is not IDLE), SYNK_E_SPACE (no free server connection), or the
 * endpoint's status. */
synk_status msgnet_connect(msgnet *net, uint32_t link, uint64_t now_ms);

/* Cut the link now (if it is up or closing): both channels' undelivered
 * messages are lost, synk_server_disconnect and synk_client_disconnect are
 * called, and the link reconnects after reconnect_after_ms (MSGNET_DEFAULT:
 * the config's delay and jitter; MSGNET_NEVER: it stays OFF). On a link that
 * is down this only reschedules its reconnect. Errors: SYNK_E_ARG. */
synk_status msgnet_disconnect(msgnet *net, uint32_t link, uint64_t now_ms, uint32_t reconnect_after_ms);

/* Cut the link at the first pump at or after at_ms (replaces an earlier
 * schedule; nothing happens if the link is not up then), reconnecting as
 * msgnet_disconnect. Errors: SYNK_E_ARG. */
synk_status msgnet_schedule_disconnect(msgnet *net, uint32_t link, uint64_t at_ms, uint32_t reconnect_after_ms);

/* Freeze the client's end of the link until until_ms (a stopped or slow
 * client process): nothing is delivered to the client, it is neither polled
 * nor serviced; the server's messages pile up in the channel and then in the
 * server's own queues. Messages already sent by the client still reach the
 * server. until_ms <= now ends a stall. Errors: SYNK_E_ARG. */
synk_status msgnet_stall(msgnet *net, uint32_t link, uint64_t until_ms);

/* Change the network's faults from now on: the disconnect probability
 * (drop_ppm), latency and jitter of messages sent from now (messages in
 * flight keep their delivery times; order is still preserved). Errors:
 * SYNK_E_ARG. */
synk_status msgnet_set_faults(msgnet *net, uint32_t drop_ppm, uint32_t latency_ms, uint32_t jitter_ms);

/* Pass every server event here (from the server's on_event). Returns 1 when
 * the event is a CLOSE of one of msgnet's connections (acted on at the next
 * pump), else 0. net or ev NULL: 0. */
int msgnet_server_event(msgnet *net, const synk_net_event *ev);

/* Advance to now_ms (see the header comment). Returns the number of messages
 * delivered. Time going backwards counts as no time passing. */
size_t msgnet_pump(msgnet *net, uint64_t now_ms);

/* Messages in flight on both channels of a link (0 for a bad link). */
size_t msgnet_in_flight(const msgnet *net, uint32_t link);

/* The link of a server connection handle, or MSGNET_NONE. */
uint32_t msgnet_link_of_conn(const msgnet *net, uint32_t conn);

/* A link's state and counters. Errors: SYNK_E_ARG. */
synk_status msgnet_link_info_get(const msgnet *net, uint32_t link, msgnet_link_info *out);

/* Totals over every link. */
void msgnet_get_stats(const msgnet *net, msgnet_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* SYNK_MSGNET_H */
