/* SPDX-License-Identifier: MIT */
/*
 * synk net — the server-authoritative sync protocol, sans-IO.
 *
 * One server endpoint holds one authoritative world (a room) and serves many
 * clients; each client endpoint holds a projection of that world: the
 * entities its view (its interest) lets it see, bit for bit, verified by the
 * world hash. Bytes in, bytes out, time passed in (milliseconds of any
 * monotonic clock): the library never does I/O, never reads a clock, never
 * starts a thread and never allocates after create. The application moves
 * the bytes over any reliable, ordered channel per client (TCP, a WebSocket,
 * ENet's reliable channel): it feeds what it receives to *_receive (any
 * split: messages are framed and reassembled) and sends what *_poll returns
 * (one whole protocol message per call, at most the configured frame size,
 * so message transports can send each as one message).
 *
 * Protocol in one paragraph (docs/protocol.md has every message and field):
 * the client says HELLO (protocol version, room id, the world config it
 * expects, an application token, and -- when resuming -- the resume token and
 * its cursor: last applied frame and hash); the server refuses with a reason
 * or WELCOMEs it (client id, a fresh resume token, frame, and on a resume the
 * outcomes of its last commands) and then sends its view of
 * the world: a snapshot of the projection (synk_snapshot format, fragmented
 * into FRAG pieces of at most frag_size bytes), or, for a client resuming
 * inside the grace period whose frame is at most resume_frames old, one
 * delta: the view group's tick pieces since the client's frame (a REPLAY,
 * when the group still holds them and the client's hash at that frame is
 * the one the server expects), else a REPAIR -- the full state of the
 * view's entities in the 256-id chunks whose sums differ from the client's
 * (sent with its HELLO) -- when that is smaller than a snapshot. From then on every server tick reaches the
 * client as a TICK message holding one event-stream piece per tick
 * (synk_stream_encode: spawns with full state for entities entering the view,
 * despawns for those leaving it, the motions and property changes of those
 * staying, and the tick), several ticks per message when the client is
 * slower than the tick rate or its debounce interval asks so. The client
 * acknowledges frame + hash every ack_interval ticks; the server compares
 * with the hash it expects for that client's view at that frame (it keeps
 * every view's hash current incrementally: docs/hash.md, "View hashes") and
 * answers a mismatch, or a client's own SYNC request, with a REPAIR.
 *
 * Views: a view is a set of grid cells over (x, y), a kind mask, explicit
 * ids, or an application callback (synk_net_view). Clients with equal views
 * share one view group: one visibility set, one running hash, one encoding
 * per tick.
 *
 * Authority: clients send commands (opaque bytes); the server's validate
 * callback turns a command into events (applied at once to the world, shown
 * to every client at the next tick) or rejects it with a reason code that
 * goes back to the client. The client endpoint predicts: a command's events
 * are applied to the local world immediately and re-applied on top of every
 * server tick until the server's tick that includes (or the reply that
 * rejects) them.
 *
 * Bounds: every buffer and queue is sized at create from the config. A client
 * that falls behind past its queue bound is moved to catch-up by REPAIR or
 * snapshot; one that breaks the protocol is closed with a reason, and so is
 * one that does not read what it waits for (a reply, a snapshot that holds
 * one of the max_bulk_jobs). Nothing a peer sends makes the other side
 * allocate or work beyond its own config: a client's commands, VIEWs and
 * SYNCs are bounded per tick (max_commands, max_requests).
 *
 * Thread safety: none; use an endpoint from one thread at a time. Callbacks
 * run inside the call that triggers them; from a server callback the
 * application may call synk_server_send, synk_server_set_view and
 * synk_server_kick (they only queue), nothing else of that server.
 */
#ifndef SYNK_NET_H
#define SYNK_NET_H

#include "synk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protocol version carried by HELLO; a server refuses any other. */
#define SYNK_NET_VERSION 1

/* Reasons, carried by REFUSE, CLOSE and REJECT messages and by events. */
typedef enum synk_net_reason {
  SYNK_NET_OK = 0,
  SYNK_NET_R_VERSION = 1,    /* protocol version differs */
  SYNK_NET_R_ROOM = 2,       /* room id differs */
  SYNK_NET_R_CONFIG = 3,     /* world config (max_entities, num_props, seed) differs */
  SYNK_NET_R_FULL = 4,       /* no free client slot */
  SYNK_NET_R_DENIED = 5,     /* the accept callback refused the token */
  SYNK_NET_R_PROTOCOL = 6,   /* malformed bytes, or a message out of state order */
  SYNK_NET_R_TIMEOUT = 7,    /* nothing heard for timeout_ms, or a snapshot / repair
                                not taken for timeout_ms */
  SYNK_NET_R_OVERFLOW = 8,   /* a bound was exceeded (queue, message size, requests per tick) */
  SYNK_NET_R_KICKED = 9,     /* synk_server_kick */
  SYNK_NET_R_EXPIRED = 10,   /* the grace period ended without a reconnect */
  SYNK_NET_R_SHUTDOWN = 11,  /* the endpoint closed */
  SYNK_NET_R_REJECTED = 12,  /* a command was rejected (no application code) */
  SYNK_NET_R_INVALID = 13,   /* a command's events do not apply to the world */
  SYNK_NET_R_DESYNC = 14,    /* the client's world could not be repaired */
  SYNK_NET_R_FORGOTTEN = 15, /* a command's outcome is unknown: the server may have handled
                                it, but the client came back as a new client, or the server
                                no longer keeps that outcome (result_history) */
  SYNK_NET_R_APP = 256       /* application reasons start here */
} synk_net_reason;

/* A static name for a reason ("SYNK_NET_R_ROOM", ...; "SYNK_NET_R_APP+n"
 * is not formatted: application reasons give "SYNK_NET_R_APP"). Never NULL. */
SYNK_API const char *synk_net_reason_str(uint32_t reason);

/* ------------------------------------------------------------------------ */
/* Views                                                                     */
/* ------------------------------------------------------------------------ */

/* The grid the views' cells index: cell (cx, cy) covers x in
 * [x0 + cx*cell_size, x0 + (cx+1)*cell_size) and likewise y; positions
 * outside the grid belong to its border cells (clamped). Cell index is
 * cy*cols + cx. All arithmetic is on int64 (no overflow, no floats). */
typedef struct synk_net_grid {
  int32_t x0, y0;      /* the grid's origin */
  uint32_t cell_size;  /* >= 1 */
  uint32_t cols, rows; /* >= 1; cols*rows <= 2^20 */
} synk_net_grid;

/* The server's callback view: nonzero if `client` may see entity e. Must be
 * a pure function of its arguments (the entity's state and the client), as
 * the server evaluates it only when the entity or the view changes. */
typedef int (*synk_net_view_fn)(void *ctx, uint32_t client, const synk_entity *e);

/* A client's view: an entity is visible when its kind passes kind_mask and
 * it lies in one of the cells, or its id is listed, or the callback says so.
 * The kind mask filters the cells and the whole world; a listed id, or an
 * entity the callback accepts, is visible whatever its kind.
 * kind_mask bit k is kind k for k < 63; bit 63 stands for every kind >= 63.
 * all != 0 is the whole world (cells, ids and callback ignored). */
typedef struct synk_net_view {
  int all;                  /* the whole world (kind_mask still applies) */
  uint64_t kind_mask;       /* 0 counts as all kinds (~0) */
  const uint32_t *cells;    /* n_cells cell indices (< cols*rows), any order, repeats ignored */
  uint32_t n_cells;         /* <= max_view_cells */
  const uint32_t *ids;      /* n_ids entity ids (< max_entities), repeats ignored */
  uint32_t n_ids;           /* <= max_view_ids */
  int use_callback;         /* also ask the server's view_fn (server side only) */
} synk_net_view;

/* ------------------------------------------------------------------------ */
/* Server                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct synk_server synk_server;

/* What the server tells the application through on_event. */
typedef enum synk_net_event_type {
  SYNK_NET_EV_JOINED = 1,       /* a new client finished its handshake (client) */
  SYNK_NET_EV_RESUMED = 2,      /* a client in its grace period came back (client) */
  SYNK_NET_EV_DISCONNECTED = 3, /* a client's connection ended; its grace period starts (client, reason) */
  SYNK_NET_EV_DROPPED = 4,      /* a client's slot is freed (client, reason: EXPIRED, KICKED, ...) */
  SYNK_NET_EV_CLOSE = 5,        /* close connection `conn` after sending what poll returns (conn, reason) */
  SYNK_NET_EV_DESYNC = 6,       /* a client's ack hash differed (client, frame, hash, expected) */
  SYNK_NET_EV_REPAIR = 7,       /* a catch-up payload was sent (client, frame, hash; reason: 1 snapshot,
                                   2 chunk repair, 3 replay; value: chunks repaired / pieces replayed) */
  SYNK_NET_EV_APP = 8,          /* an application message from a client (client, data, len) */
  SYNK_NET_EV_VERIFIED = 9      /* an ack matched (client, frame, hash) */
} synk_net_event_type;

typedef struct synk_net_event {
  uint32_t type;        /* synk_net_event_type */
  uint32_t client;      /* client id (slot index), or UINT32_MAX */
  uint32_t conn;        /* connection handle, or UINT32_MAX */
  uint32_t reason;      /* synk_net_reason or an application reason */
  uint64_t frame;
  uint64_t hash, expected;
  uint64_t value;
  const void *data;     /* SYNK_NET_EV_APP: the message (valid during the callback) */
  size_t len;
} synk_net_event;

/* Where a message is going (synk_server_send). */
typedef enum synk_net_target {
  SYNK_NET_TO_ALL = 0,      /* every joined client */
  SYNK_NET_TO_ONE = 1,      /* client `ids[0]` */
  SYNK_NET_TO_ALL_BUT = 2,  /* every joined client except `ids[0]` */
  SYNK_NET_TO_LIST = 3      /* the clients ids[0..n_ids) */
} synk_net_target;

/* Hooks around the broadcast pipeline, for logging and metrics (any may be
 * NULL). before_encode: a view group's events for one tick, before they are
 * encoded (clients: how many clients share the encoding). after_encode: the
 * encoded piece. after_send: a message handed to the application by
 * synk_server_poll (type: its message type, docs/protocol.md). */
typedef struct synk_net_hooks {
  void (*before_encode)(void *ctx, uint32_t group, uint32_t clients, const synk_event *ev, size_t n);
  void (*after_encode)(void *ctx, uint32_t group, const void *bytes, size_t len);
  void (*after_send)(void *ctx, uint32_t conn, uint32_t client, uint32_t type, size_t len);
  void *ctx;
} synk_net_hooks;

typedef struct synk_server_config {
  synk_world *world;          /* the authoritative world; the server changes it only
                                 through synk_server_apply / synk_server_tick and the
                                 application must not change it otherwise */
  uint32_t room_id;           /* clients must name it */
  uint32_t max_clients;       /* client slots, 1..65535 (joined + in grace) */
  uint32_t max_connections;   /* transport connections (joined or handshaking); 0: max_clients + 16 */
  synk_net_grid grid;         /* cells for views (cell_size 0: one cell, the whole plane) */
  uint32_t max_view_cells;    /* cells per view; 0: 64 */
  uint32_t max_view_ids;      /* explicit ids per view; 0: 64 */
  uint32_t max_changes;       /* distinct entities changed between two ticks (184 bytes of
                                 records each); 0: 65536 (at most max_entities) */
  uint32_t max_group_events;  /* entities one view group may see change in one tick before
                                 its clients are moved to catch-up (REPAIR); 0: 4096 */
  uint32_t frag_size;         /* largest FRAG payload (bytes) and so the frame bound; 0: 16384, >= 256 */
  uint32_t queue_bytes;       /* per-connection outbound tick bytes before catch-up; 0: 262144 */
  uint32_t max_bulk_jobs;     /* snapshots/repairs being sent at once; 0: 4 */
  uint32_t ack_interval;      /* ticks between a client's acks (sent in WELCOME); 0: 10 */
  uint32_t history;           /* frames of expected view hashes kept per client; 0: 64 */
  uint32_t resume_frames;     /* a client resuming at most this many frames behind gets a
                                 replay or a REPAIR, else a snapshot; 0: 300 */
  uint32_t resume_bytes;      /* per view group: its last encoded tick pieces, kept for
                                 replays to resuming clients; 0: 32768 */
  uint32_t debounce_ms;       /* at least this long between two TICK messages to one client */
  uint32_t heartbeat_ms;      /* PING after this long without sending; 0: 1000 */
  uint32_t timeout_ms;        /* close after this long without hearing; 0: 5000 */
  uint32_t grace_ms;          /* keep a dropped client's slot this long; 0: 10000 */
  uint32_t max_command;       /* bytes per command / application message; 0: 1024 */
  uint32_t max_command_events;/* events one command may produce; 0: 64 */
  uint32_t max_commands;      /* commands one client may have applied per tick; more are
                                 rejected (SYNK_NET_R_OVERFLOW), so one client cannot use
                                 up max_changes; 0: 16 */
  uint32_t max_requests;      /* VIEW and SYNC messages one client may have handled per
                                 tick (each may cost O(max_entities)); past it a VIEW is
                                 refused (SYNK_NET_R_OVERFLOW) and a SYNC is answered by a
                                 snapshot after the next tick; 0: 4 */
  uint32_t result_history;    /* outcomes of a client's last commands kept for its resume
                                 (WELCOME carries them): at least the clients' max_pending,
                                 else older unanswered commands resume as
                                 SYNK_NET_R_FORGOTTEN; 0: 64 (fewer if frag_size < 576);
                                 at most (frag_size - 64) / 8 */
  uint64_t resume_key[2];     /* keys the resume tokens (SipHash-2-4 of a counter), which
                                 let a client resume its slot without `accept`: random
                                 bits from the application (the library has no entropy
                                 source); required, all 0 is refused */

  /* Authentication: 0 accepts, anything else refuses with that reason. NULL
   * accepts every token. */
  uint32_t (*accept)(void *ctx, uint32_t client, const void *token, size_t len);
  /* Authority: turn client `client`'s command into events (at most `cap`,
   * *n the count) and return 0, or return a reason (>= 1) to reject. The
   * events are applied atomically; if they do not apply, the command is
   * rejected with SYNK_NET_R_INVALID. NULL: every command is rejected. */
  uint32_t (*validate)(void *ctx, uint32_t client, const void *cmd, size_t len, synk_event *out,
                       size_t cap, size_t *n);
  /* A client's request for a view: 0 accepts it, a reason refuses it. NULL:
   * client view requests are refused (the server sets views). */
  uint32_t (*view_request)(void *ctx, uint32_t client, const synk_net_view *v);
  synk_net_view_fn view_fn;   /* for views with use_callback */
  void (*on_event)(void *ctx, const synk_net_event *ev);
  void *ctx;                  /* passed to the callbacks above */
  synk_net_hooks hooks;
  const synk_allocator *allocator; /* NULL: the world's */
} synk_server_config;

/* Create a server for cfg->world. Memory: everything, once (docs/protocol.md
 * "Memory" gives the formula): per view group a visibility bitmap and chunk
 * sums (max_entities/8 + max_entities/32 bytes), per client its expected-hash
 * history and command outcomes, per connection its queues (queue_bytes + 2
 * frames), max_bulk_jobs buffers of a full snapshot, and 2 scratch worlds.
 * Errors: SYNK_E_ARG (NULL, out of range, a grid with cols*rows > 2^20, a
 * resume_key of all 0), SYNK_E_NOMEM. Cost: O(max_entities + memory). */
SYNK_API synk_status synk_server_create(const synk_server_config *cfg, synk_server **out);

/* Free a server (not its world). NULL is accepted. */
SYNK_API void synk_server_destroy(synk_server *s);

/* A transport connection opened: returns its handle in *conn (< max_connections).
 * The client's HELLO is expected next. Errors: SYNK_E_ARG, SYNK_E_SPACE (no
 * free connection). O(1). */
SYNK_API synk_status synk_server_connect(synk_server *s, uint64_t now_ms, uint32_t *conn);

/* Bytes that arrived on connection `conn`, any split. Complete messages are
 * handled at once (callbacks run). A protocol violation queues a CLOSE for
 * this connection (SYNK_NET_EV_CLOSE) and never affects another connection
 * or the world. Errors: SYNK_E_ARG (NULL, conn not open), SYNK_E_FORMAT
 * (the connection broke the protocol and is closing). Cost: O(len) plus the
 * messages' work. */
SYNK_API synk_status synk_server_receive(synk_server *s, uint32_t conn, const void *buf, size_t len,
                                         uint64_t now_ms);

/* The next message to send on `conn` into buf[0..cap): *len its size, 0 when
 * there is nothing to send now. Control messages first, then fragments of a
 * snapshot or repair, then TICK data (several ticks per message when they
 * queued up). Errors: SYNK_E_ARG, SYNK_E_SPACE (cap below the frame bound,
 * synk_server_frame_bound). O(message). */
SYNK_API synk_status synk_server_poll(synk_server *s, uint32_t conn, void *buf, size_t cap, size_t *len,
                                      uint64_t now_ms);

/* Largest message synk_server_poll returns (frag_size plus framing). O(1). */
SYNK_API size_t synk_server_frame_bound(const synk_server *s);

/* The transport connection `conn` ended (closed by either side). A joined
 * client enters its grace period. Errors: SYNK_E_ARG. O(1). */
SYNK_API synk_status synk_server_disconnect(synk_server *s, uint32_t conn, uint64_t now_ms);

/* Timers: heartbeats, timeouts (CLOSE), grace expiry (DROPPED). Call as
 * often as convenient (every tick is fine). O(connections). */
SYNK_API void synk_server_service(synk_server *s, uint64_t now_ms);

/* Apply events to the world now, atomically (synk_events_apply; a batch of
 * motions only goes through synk_apply_motions): every client sees them at
 * the next tick. Errors: SYNK_E_ARG (NULL, or a TICK or unknown event: the
 * server ticks in synk_server_tick), SYNK_E_RANGE / SYNK_E_EXISTS /
 * SYNK_E_DEAD (nothing applied; *bad_index names the event), SYNK_E_SPACE
 * (more than max_changes distinct entities changed since the last tick).
 * Cost: the apply plus one state copy per entity first changed since the
 * last tick. */
SYNK_API synk_status synk_server_apply(synk_server *s, const synk_event *ev, size_t n, size_t *bad_index);

/* End the frame: tick the world, bring every view group up to date with the
 * entities changed since the last tick (entering, leaving, changing), encode
 * one stream piece per group and queue it to the group's clients.
 * Errors: SYNK_E_ARG. Cost: O(changed entities x groups seeing them) plus
 * the encodings; no allocation. */
SYNK_API synk_status synk_server_tick(synk_server *s, uint64_t now_ms);

/* Set client `client`'s view (authoritative). Entities entering it reach the
 * client as spawns with full state, leaving it as despawns, before its next
 * tick. Errors: SYNK_E_ARG (bad client, a cell or id out of range, more than
 * max_view_cells / max_view_ids), SYNK_E_SPACE (no free view group).
 * Cost: O(entities in the new view's cells) for a view no other client has,
 * plus O(max_entities/64) to compare the two visibility sets. */
SYNK_API synk_status synk_server_set_view(synk_server *s, uint32_t client, const synk_net_view *v);

/* Send an application message (at most max_command bytes) to clients.
 * Errors: SYNK_E_ARG (bad target or client id, too long), SYNK_E_SPACE (a
 * target's queue is full: the message reached the targets before it in
 * ids order only -- *sent tells how many, may be NULL). O(targets x len). */
SYNK_API synk_status synk_server_send(synk_server *s, synk_net_target to, const uint32_t *ids,
                                      size_t n_ids, const void *msg, size_t len, size_t *sent);

/* Close client `client`'s connection and free its slot with `reason`.
 * Errors: SYNK_E_ARG. O(1). */
SYNK_API synk_status synk_server_kick(synk_server *s, uint32_t client, uint32_t reason);

/* The exact world hash of client `client`'s view at the last tick: what its
 * world's synk_hash is once it applied that frame. (Changes applied since the
 * last tick reach clients with the next one: until then snapshots, repairs
 * and view changes are all of the last tick's state.) Errors: SYNK_E_ARG (not
 * a joined client or one in grace). O(1). */
SYNK_API synk_status synk_server_view_hash(const synk_server *s, uint32_t client, uint64_t *hash);

/* The hash of the view recomputed from the world's current state and the
 * view's definition, for tests and audits: right after synk_server_tick (no
 * synk_server_apply since) it must equal synk_server_view_hash.
 * Errors: SYNK_E_ARG. O(max_entities). */
SYNK_API synk_status synk_server_view_rehash(const synk_server *s, uint32_t client, uint64_t *hash);

typedef struct synk_server_stats {
  uint32_t clients;           /* joined and connected */
  uint32_t in_grace;
  uint32_t connections;
  uint32_t groups;            /* view groups in use */
  uint64_t ticks;
  uint64_t tick_messages;     /* TICK messages polled */
  uint64_t bytes_sent, bytes_received;
  uint64_t snapshots, repairs, repair_chunks;
  uint64_t verified, mismatches;
  uint64_t commands_accepted, commands_rejected;
  uint64_t encodings;         /* pieces encoded (one per group per tick) */
  uint64_t catchups;          /* clients moved to catch-up by a bound */
  uint64_t protocol_errors;
} synk_server_stats;

/* Counters since create. O(1). */
SYNK_API void synk_server_get_stats(const synk_server *s, synk_server_stats *out);

/* Per-client traffic: bytes polled for it and TICK messages. Errors: SYNK_E_ARG. O(1). */
SYNK_API synk_status synk_server_client_bytes(const synk_server *s, uint32_t client, uint64_t *bytes,
                                              uint64_t *ticks);

/* ------------------------------------------------------------------------ */
/* Client                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct synk_client synk_client;

typedef enum synk_client_state {
  SYNK_CLIENT_IDLE = 0,       /* not connected (before start, or after a disconnect) */
  SYNK_CLIENT_HELLO = 1,      /* HELLO sent, waiting for WELCOME */
  SYNK_CLIENT_LOADING = 2,    /* welcomed, receiving the snapshot or repair */
  SYNK_CLIENT_LIVE = 3,       /* the world follows the server tick by tick */
  SYNK_CLIENT_CLOSED = 4      /* refused or closed by the server (synk_client_reason) */
} synk_client_state;

typedef enum synk_client_event_type {
  SYNK_CLIENT_EV_WELCOME = 1,   /* joined (client id in value) */
  SYNK_CLIENT_EV_SYNCED = 2,    /* the world was loaded or repaired (frame, hash) */
  SYNK_CLIENT_EV_TICK = 3,      /* a server tick was applied (frame, hash) */
  SYNK_CLIENT_EV_RESULT = 4,    /* a command's result (value = seq, reason 0: accepted); at a
                                   WELCOME, each command still unanswered: what the server
                                   decided (0: its effects are in the state that follows),
                                   SYNK_NET_R_SHUTDOWN if it never reached the server, or
                                   SYNK_NET_R_FORGOTTEN if the server no longer knows */
  SYNK_CLIENT_EV_APP = 5,       /* an application message (data, len) */
  SYNK_CLIENT_EV_CLOSED = 6,    /* refused or closed (reason) */
  SYNK_CLIENT_EV_VIEW = 7       /* a view request's answer (reason 0: accepted) */
} synk_client_event_type;

typedef struct synk_client_event {
  uint32_t type;
  uint32_t reason;
  uint64_t frame, hash, value;
  const void *data;
  size_t len;
} synk_client_event;

typedef struct synk_client_config {
  uint32_t max_entities, num_props; /* the world config the client accepts ... */
  uint64_t seed;                    /* ... and its seed */
  uint32_t room_id;
  const void *token;                /* application token for the server's accept (copied) */
  size_t token_len;                 /* <= 256 */
  uint32_t frag_size;               /* largest piece accepted; 0: 16384 (must be >= the server's) */
  uint32_t max_message;             /* largest message accepted; 0: the bound of a full snapshot */
  uint32_t timeout_ms;              /* close after this long without hearing; 0: 5000 */
  uint32_t heartbeat_ms;            /* PING after this long without sending; 0: 1000 */
  uint32_t max_view;                /* most entities its view may hold: sizes the scratch
                                       that decodes a tick's motions (40 bytes each);
                                       0: max_entities */
  uint32_t max_pending;             /* commands in flight; 0: 32 (at most the server's
                                       result_history, so a resume reports them all) */
  uint32_t max_command;             /* bytes per command; 0: 1024 */
  uint32_t max_command_events;      /* predicted events per command; 0: 64 */
  int predict;                      /* keep a confirmed copy to predict commands */
  void (*on_event)(void *ctx, const synk_client_event *ev);
  void *ctx;
  const synk_allocator *allocator;  /* NULL: malloc/free */
} synk_client_config;

/* Create a client. Memory: its world (created at the first snapshot, of the
 * config above only), a message buffer of max_message bytes, 40*max_view
 * bytes of decoding scratch, with predict a 2-frame synk_ring.
 * Errors: SYNK_E_ARG, SYNK_E_NOMEM. */
SYNK_API synk_status synk_client_create(const synk_client_config *cfg, synk_client **out);

/* Free a client and its world. NULL is accepted. */
SYNK_API void synk_client_destroy(synk_client *c);

/* A connection to the server is open: queue HELLO (resuming when the client
 * was welcomed before: its resume token and cursor, plus its chunk sums).
 * Errors: SYNK_E_ARG, SYNK_E_MISMATCH (state not IDLE). */
SYNK_API synk_status synk_client_start(synk_client *c, uint64_t now_ms);

/* Bytes from the server, any split. Errors: SYNK_E_ARG, SYNK_E_FORMAT (the
 * server broke the protocol: the client is CLOSED with SYNK_NET_R_PROTOCOL;
 * its world is unchanged). */
SYNK_API synk_status synk_client_receive(synk_client *c, const void *buf, size_t len, uint64_t now_ms);

/* The next message to send, as synk_server_poll. */
SYNK_API synk_status synk_client_poll(synk_client *c, void *buf, size_t cap, size_t *len, uint64_t now_ms);

/* The connection ended (lost, or closed by the server: CLOSED): back to
 * IDLE, keeping the world, the resume token and the cursor for the next
 * synk_client_start, which resumes the slot if the server still keeps it
 * (a client the server timed out resumes like one whose connection broke).
 * Whether to reconnect after a refusal or a kick is the application's call
 * (synk_client_reason). NULL is ignored. */
SYNK_API void synk_client_disconnect(synk_client *c);

/* Timers (heartbeat, timeout). */
SYNK_API void synk_client_service(synk_client *c, uint64_t now_ms);

/* Send a command with sequence number *seq (assigned). With predict, `pred`
 * (n events, may be 0) is applied to the local world at once -- atomically;
 * events that do not apply are not predicted -- and kept on top of every
 * server tick until the server's tick that includes the command's effects,
 * or its rejection. Errors: SYNK_E_ARG, SYNK_E_MISMATCH (not LIVE),
 * SYNK_E_SPACE (max_pending commands in flight, or too long). */
SYNK_API synk_status synk_client_command(synk_client *c, const void *cmd, size_t len, const synk_event *pred,
                                         size_t n, uint32_t *seq);

/* Ask the server for a view (the server's view_request decides). */
SYNK_API synk_status synk_client_request_view(synk_client *c, const synk_net_view *v);

/* Send an application message (at most max_command bytes). */
SYNK_API synk_status synk_client_send(synk_client *c, const void *msg, size_t len);

/* Ask for a repair now (a SYNC with the chunk sums of the confirmed world). */
SYNK_API synk_status synk_client_request_sync(synk_client *c);

/* State, the reason it closed (SYNK_NET_OK while open), client id. */
SYNK_API synk_client_state synk_client_get_state(const synk_client *c);
SYNK_API uint32_t synk_client_reason(const synk_client *c);
SYNK_API uint32_t synk_client_id(const synk_client *c);

/* The local world (NULL before the first snapshot): the server's projection
 * plus the predicted commands. Read it; do not change it. */
SYNK_API const synk_world *synk_client_world(const synk_client *c);

/* The last frame confirmed by the server and its hash (the hash of the local
 * world without predictions). */
SYNK_API uint64_t synk_client_frame(const synk_client *c);
SYNK_API uint64_t synk_client_confirmed_hash(const synk_client *c);

/* For tests of repair: the local world, writable. Changing it makes the
 * client's next ack differ from the server's hash. */
SYNK_API synk_world *synk_client_world_mut(synk_client *c);

#ifdef __cplusplus
}
#endif

#endif /* SYNK_NET_H */
