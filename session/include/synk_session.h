/* SPDX-License-Identifier: MIT */
/*
 * synk sessions — lockstep and rollback input synchronization over any
 * transport, sans-IO.
 *
 * A session runs on each peer of a game. Every frame the application adds the
 * inputs of its local players, asks the session to advance, and carries out
 * the requests the session returns (save / load / advance with the frame's
 * inputs). Datagrams go in through synk_session_receive and come out of
 * synk_session_poll; time is passed in by the caller (milliseconds of any
 * monotonic clock). The library never does I/O, never reads a clock, never
 * allocates after synk_session_create, and never aborts.
 *
 * How to drive it: synk_session_create (synk_session_config_defaults, then
 * the fields of your game); then per frame, at time now_ms (a uint64_t of
 * the caller's monotonic clock, never going backwards, always the argument
 * right after the session): synk_session_receive each datagram that
 * arrived; synk_session_add_local_input for each local player, then
 * synk_session_advance -- on SYNK_OK, synk_session_next_request until
 * SYNK_EMPTY, carrying out each request; synk_session_poll until SYNK_EMPTY,
 * sending each datagram to its peer; synk_session_next_event until
 * SYNK_EMPTY. Every call says its cost and errors where it is declared.
 *
 * Peers 0..num_peers-1 form a full mesh: each peer sends the inputs of its
 * local players to every other peer. Players 0..num_players-1 are owned by
 * peers (config.player_peer); one peer may own several players, and a peer
 * that owns none is a spectator: it receives every input and follows the
 * game (desync checks included); nobody waits for its inputs, but players
 * stall rather than run more than the input history ahead of it. Inputs are
 * opaque bytes (input_size per player per frame), compared bytewise.
 *
 * Modes: max_prediction == 0 is lockstep (a frame advances only when every
 * player's input for it is known); max_prediction > 0 is rollback (remote
 * inputs are predicted by repeating the last known one; a late input that
 * differs from its prediction rolls the session back to that frame and
 * re-simulates to the present; the session stalls — SYNK_SESSION_STALL —
 * rather than run more than max_prediction frames past the last confirmed
 * frame). Frames before input_delay have all-zero inputs for every player.
 *
 * World: when config.world is given, the session saves and restores it itself
 * through a synk_ring (dirty chunks only) and ticks it after each advanced
 * frame; the application only applies the frame's inputs (as synk events).
 * SAVE/LOAD requests are emitted in rollback mode in any case, for state the
 * application keeps outside the world (lockstep never rolls back: it emits
 * ADVANCE requests only).
 *
 * Desync detection compares the state of *final* frames only: a frame is
 * final on a peer once it was simulated with every player's confirmed input,
 * or once its inputs are confirmed and equal the predictions it was
 * simulated with (either way it can never be rolled back). The state is the
 * world hash, mixed with the application's checksum when it gives one
 * (synk_session_set_checksum). At every checkpoint frame g ((g + 1) %
 * desync_interval == 0) each peer records the state after g -- with a world
 * also its chunk hashes (synk_chunk_hashes) and a 32-bit fingerprint of every
 * entity -- each time it simulates g, and reports it to the other peers once
 * it is final; predicted and pre-rollback states are never reported. On a
 * mismatch both peers report SYNK_SEV_DESYNC, exchange the chunk hashes of
 * that frame, then the fingerprints of the differing chunks' entities, and
 * report SYNK_SEV_DESYNC_LOCALIZED with the differing entity ids. A desync is
 * latched per peer: after the first one, no further checks run with that
 * peer (the states have diverged; later frames would all differ).
 *
 * Sync-test mode (synctest_frames = K > 0; one peer owning every player,
 * 1 <= K <= max_prediction): after every frame F the session rolls
 * back to frame F + 1 - K and re-simulates up to F (LOAD, then SAVE/ADVANCE
 * requests as for a rollback), comparing the world after each re-simulated
 * frame with the first simulation of it. A difference means the simulation
 * is not a function of the world and the inputs (it reads a clock, an
 * uninitialized value, a pointer, global state ...): the session reports
 * SYNK_SEV_DESYNC for that frame (peer = the local peer; local_hash: the
 * re-simulation's, remote_hash: the first run's) and, with a world,
 * SYNK_SEV_DESYNC_LOCALIZED with the entities that differ, once (later
 * mismatches are only counted in the stats). What is compared is the world
 * hash and the application's checksum (synk_session_set_checksum); without
 * a world the application restores its state on the LOAD requests.
 * Memory: K + 1 records of 8*ceil(max_entities/256) + 4*max_entities bytes;
 * cost: the first run fingerprints the chunks that changed since the
 * previous frame, the re-run compares hashes.
 *
 * Disconnection does not drop players: a peer silent for disconnect_notify_ms
 * is reported interrupted, for disconnect_timeout_ms disconnected; the session
 * keeps waiting for its inputs (stalling), and a datagram from it reconnects
 * it (SYNK_SEV_CONNECTED again). A peer never heard from stays waiting
 * (state 0) without events. Dropping a player needs the remaining peers to
 * agree on a frame and is not part of this version.
 *
 * The wire format is docs/wire-format.md, "Session datagrams".
 * Thread safety: none; use a session from one thread at a time.
 */
#ifndef SYNK_SESSION_H
#define SYNK_SESSION_H

#include "synk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SYNK_SESSION_STALL, the session's own status (a value of synk_status,
 * declared in synk.h and named by synk_status_str): the call did nothing
 * because advancing now would run past the prediction window (rollback) or
 * without a remote input (lockstep), or because the session's input history
 * is full (too many inputs not yet acknowledged by a peer). Retry after
 * receiving datagrams. */

#define SYNK_SESSION_MAX_PLAYERS 16
#define SYNK_SESSION_MAX_PEERS 16
#define SYNK_SESSION_MAX_INPUT 64      /* bytes per player per frame */
#define SYNK_SESSION_MAX_PREDICTION 64 /* frames */
#define SYNK_SESSION_MAX_DELAY 30      /* frames of input delay */
#define SYNK_SESSION_MAX_IDS 32        /* entity ids in one localized desync event */
#define SYNK_SESSION_MIN_MTU 576
#define SYNK_SESSION_MAX_MTU 65507     /* the largest UDP payload */
#define SYNK_SESSION_MAX_EVENTS 65536  /* the largest event queue */

/* The defaults of synk_session_config's fields that have one (the others
 * default to 0: no delay, lockstep, no checks, no sync test, no world). */
#define SYNK_SESSION_DEFAULT_MTU 1200
#define SYNK_SESSION_DEFAULT_DISCONNECT_NOTIFY_MS 750
#define SYNK_SESSION_DEFAULT_DISCONNECT_TIMEOUT_MS 3000
#define SYNK_SESSION_DEFAULT_MAX_EVENTS 64

typedef struct synk_session_config {
  uint32_t num_players;          /* 1..SYNK_SESSION_MAX_PLAYERS (no default: set it) */
  uint32_t num_peers;            /* 1..SYNK_SESSION_MAX_PEERS (no default: set it) */
  uint32_t local_peer;           /* this peer's index, < num_peers */
  uint8_t player_peer[SYNK_SESSION_MAX_PLAYERS]; /* owner peer of each player */
  uint32_t input_size;           /* 1..SYNK_SESSION_MAX_INPUT (no default: set it) */
  uint32_t input_delay;          /* 0..SYNK_SESSION_MAX_DELAY */
  uint32_t max_prediction;       /* 0 (lockstep) .. SYNK_SESSION_MAX_PREDICTION */
  uint32_t desync_interval;      /* frames between hash checks; 0: no checks */
  uint32_t disconnect_notify_ms; /* silence before SYNK_SEV_INTERRUPTED;
                                    0: SYNK_SESSION_DEFAULT_DISCONNECT_NOTIFY_MS */
  uint32_t disconnect_timeout_ms;/* silence before SYNK_SEV_DISCONNECTED;
                                    0: SYNK_SESSION_DEFAULT_DISCONNECT_TIMEOUT_MS */
  uint32_t mtu;                  /* max datagram size, SYNK_SESSION_MIN_MTU..SYNK_SESSION_MAX_MTU;
                                    0: SYNK_SESSION_DEFAULT_MTU */
  uint32_t max_events;           /* events queued for synk_session_next_event,
                                    1..SYNK_SESSION_MAX_EVENTS; 0: SYNK_SESSION_DEFAULT_MAX_EVENTS */
  uint32_t session_id;           /* shared by the peers; keys the datagram checks */
  uint32_t synctest_frames;      /* sync-test mode (0: off): see below */
  synk_world *world;             /* optional: saved/restored/ticked by the session */
  const synk_allocator *allocator; /* NULL: the world's, else malloc/free */
} synk_session_config;

typedef struct synk_session synk_session;

/* Fill *cfg with the defaults: the SYNK_SESSION_DEFAULT_* constants, every
 * other field 0 (num_players, num_peers, input_size and player_peer have no
 * default: the caller sets them). A field left 0 in a config means the same
 * default. NULL is ignored. Cost: O(1). */
SYNK_API void synk_session_config_defaults(synk_session_config *cfg);

/* Create a session. Memory: everything is allocated here, once: the input
 * history (a power of two >= 2*(max_prediction + input_delay) + 16 frames of
 * every player's input), the event queue (max_events events of
 * sizeof(synk_session_event) bytes), max_prediction + 2 ring slots of the world
 * (synk_ring_create) in rollback mode with a world, 4 desync checkpoints of
 * 8*ceil(max_entities/256) + 4*max_entities bytes each when a world is given
 * and desync_interval > 0 (a few bytes without a world), K + 1 such records
 * in sync-test mode, and per peer two bitmaps of ceil(max_entities/256)
 * bits for localization. The world's frame at creation is frame 0 of the
 * session.
 * Errors: SYNK_E_ARG (cfg or out NULL, any field out of range, a player
 * owned by no valid peer, an mtu too small for one frame of a peer's
 * inputs, sync-test mode with more than one peer or with synctest_frames
 * above max_prediction), SYNK_E_NOMEM. On error *out is
 * NULL. Cost: O(memory). */
SYNK_API synk_status synk_session_create(const synk_session_config *cfg, synk_session **out);

/* Free a session and its ring (not the world). NULL is accepted. */
SYNK_API void synk_session_destroy(synk_session *s);

/* Set the input of local player `player` for the next frame to advance
 * (it takes effect at that frame + input_delay). Called for every local
 * player before each synk_session_advance; a second call before advancing
 * replaces the input. The first synk_session_advance attempt of a frame
 * commits (and sends) these inputs even when it stalls: the inputs given
 * for the retries of a stalled frame are ignored. Errors: SYNK_E_ARG (s or
 * input NULL, player not local or out of range). Cost: O(input_size). */
SYNK_API synk_status synk_session_add_local_input(synk_session *s, uint32_t player, const void *input);

/* Plan the next step: a rollback when a received input contradicted a
 * prediction, then the next frame. On SYNK_OK the requests are read with
 * synk_session_next_request. Also runs the timers (interrupt, disconnect)
 * and makes final the checkpoints whose inputs became confirmed.
 * Errors: SYNK_E_ARG (s NULL, a local player's input not added, requests of
 * the previous step not all read; nothing changes), SYNK_SESSION_STALL
 * (nothing planned: the window is exhausted -- the local inputs are
 * committed all the same -- or the history of unacknowledged inputs is full
 * -- nothing committed; a pending rollback stays pending).
 * Cost: O(players*input_size). */
SYNK_API synk_status synk_session_advance(synk_session *s, uint64_t now_ms);

typedef enum synk_session_request_type {
  SYNK_REQ_SAVE = 1,    /* save application state as of the start of `frame` */
  SYNK_REQ_LOAD = 2,    /* restore application state saved at `frame` */
  SYNK_REQ_ADVANCE = 3  /* simulate `frame` with `inputs` (confirmed: all final) */
} synk_session_request_type;

typedef struct synk_session_request {
  uint32_t type;            /* synk_session_request_type */
  uint32_t confirmed;       /* ADVANCE: 1 when no input of it is predicted */
  uint64_t frame;
  const uint8_t *inputs;    /* ADVANCE: num_players * input_size bytes, player-major;
                               valid until the next call on the session */
} synk_session_request;

/* The next request of the planned step, in order: SYNK_OK with *req
 * filled, SYNK_EMPTY when the step is done (*req untouched). With a world,
 * the session restores it before a LOAD, saves it before each ADVANCE
 * (rollback mode) and ticks it when the request after an ADVANCE is asked
 * for: the application applies the inputs of an ADVANCE to the world and
 * nothing else. Call it until SYNK_EMPTY before the next
 * synk_session_advance. Errors: SYNK_E_ARG (s or req NULL; nothing
 * changes). Cost: O(players*input_size) plus the world's ring
 * save/restore and, at a checkpoint, the desync record. */
SYNK_API synk_status synk_session_next_request(synk_session *s, synk_session_request *req);

/* The checksum of the application's own state (what it keeps outside the
 * world) after the frame of the ADVANCE request just carried out: call it
 * after applying that request's inputs and before asking for the next
 * request. It joins the world hash in the desync checks and the sync test
 * (mixed in; a frame without one compares the world hash alone), so state
 * outside the world is checked too -- and a session without a world checks
 * the application's checksums alone (desyncs are then reported without
 * entities). Every peer must give one for the same frames.
 * Errors: SYNK_E_ARG (s NULL, no ADVANCE just carried out). O(1). */
SYNK_API synk_status synk_session_set_checksum(synk_session *s, uint64_t checksum);

/* Take one datagram received from `peer`. Hostile bytes are refused with a
 * status and change nothing. A datagram whose frames lie more than the input
 * history plus 8 frames from the receiver's own (see create; e.g. 40 frames
 * with max_prediction 8 and no delay) cannot be placed and is refused: a
 * replayed or very late one, or one of another session. Each message has
 * one encoding: any other (an overlong varint, an escaped header field whose
 * value fits the short form, a change record that changes nothing) is
 * refused as malformed. A well-formed extension this session cannot use
 * (localization data naming chunks its world does not have) is dropped
 * alone and counted (extensions_ignored); the rest of the datagram counts.
 * Errors: SYNK_E_ARG (s NULL, buf NULL with len > 0, peer out of range or
 * local), SYNK_E_FORMAT (truncated, wrong version, failed check, malformed,
 * non-canonical, out-of-bound value), SYNK_E_MISMATCH (well formed but
 * impossible: an ack of inputs never sent, a span that skips frames or
 * holds frames below the input delay). Cost: O(len + records * block): a span's
 * records are walked from the frame before it. */
SYNK_API synk_status synk_session_receive(synk_session *s, uint64_t now_ms, uint32_t peer, const void *buf,
                                          size_t len);

/* The next datagram to send: at most one per peer per call sequence, when
 * there are unacknowledged inputs, an ack to give, a ping or hash report or
 * desync localization due, or 100 ms of silence. SYNK_OK: *peer and
 * buf[0..*len) filled (at most the mtu); SYNK_EMPTY: nothing is due (*len =
 * 0). Call it until SYNK_EMPTY, once per frame or more often.
 * Errors: SYNK_E_ARG (a pointer NULL), SYNK_E_SPACE (cap below the mtu: no
 * datagram is sized before it is written, so cap must hold the largest;
 * *len = the mtu); nothing changes then. Cost: O(datagram). */
SYNK_API synk_status synk_session_poll(synk_session *s, uint64_t now_ms, uint32_t *peer, void *buf, size_t cap,
                                       size_t *len);

typedef enum synk_session_event_type {
  SYNK_SEV_CONNECTED = 1,        /* first valid datagram from peer (or after a disconnect) */
  SYNK_SEV_SYNCHRONIZED = 2,     /* first round trip with peer measured */
  SYNK_SEV_INTERRUPTED = 3,      /* peer silent for disconnect_notify_ms */
  SYNK_SEV_RESUMED = 4,          /* an interrupted peer is heard again */
  SYNK_SEV_DISCONNECTED = 5,     /* peer silent for disconnect_timeout_ms */
  SYNK_SEV_DESYNC = 6,           /* final hashes of `frame` differ with peer */
  SYNK_SEV_DESYNC_LOCALIZED = 7, /* ... and these entities differ */
  SYNK_SEV_WAIT = 8              /* we run ahead of peer: wait `frames` frames */
} synk_session_event_type;

typedef struct synk_session_event {
  uint32_t type;        /* synk_session_event_type */
  uint32_t peer;
  uint64_t frame;       /* DESYNC*: the frame whose final state differs (the state
                           after simulating it) */
  uint64_t local_hash, remote_hash; /* DESYNC */
  uint32_t frames;      /* WAIT: recommended frames to wait */
  uint32_t num_ids;     /* LOCALIZED: ids listed (<= SYNK_SESSION_MAX_IDS) */
  uint32_t more_ids;    /* LOCALIZED: 1 when more entities (or chunks) differ than listed */
  uint32_t ids[SYNK_SESSION_MAX_IDS]; /* LOCALIZED: ascending differing entity ids */
} synk_session_event;

/* Pop the oldest event: SYNK_OK with *ev filled, SYNK_EMPTY when there is
 * none (*ev untouched). The queue holds config.max_events events; when
 * full, a new event drops the oldest (counted: events_dropped in the
 * stats). Errors: SYNK_E_ARG (s or ev NULL). Cost: O(1). */
SYNK_API synk_status synk_session_next_event(synk_session *s, synk_session_event *ev);

typedef struct synk_session_peer_stats {
  uint32_t rtt_ms;             /* last measured round trip (0: none yet) */
  int32_t frames_ahead;        /* our frame minus the peer's estimated current frame */
  uint64_t bytes_sent, bytes_received, datagrams_sent, datagrams_received;
  uint32_t send_bps, receive_bps; /* bytes per second: over the last full second of sending / receiving */
  uint64_t datagrams_refused;  /* refused by receive (any status but OK) */
  uint64_t remote_frame;       /* frames of the peer's inputs received (confirmed) */
  uint32_t state;              /* 0 waiting, 1 connected, 2 interrupted, 3 disconnected */
  uint64_t extensions_ignored; /* well-formed extensions of accepted datagrams this session
                                  cannot use, dropped alone (localization data naming chunks
                                  its world does not have) */
} synk_session_peer_stats;

typedef struct synk_session_stats {
  uint64_t frame;              /* next frame to advance */
  uint64_t confirmed;          /* frames whose every input is known */
  uint64_t rollbacks, rollback_frames; /* rollbacks and frames re-simulated */
  uint32_t max_rollback;       /* deepest rollback (frames) */
  uint64_t stalls;             /* advance calls that returned SYNK_SESSION_STALL */
  uint64_t checks;             /* final hashes compared with a peer (sync test: re-simulated frames) */
  uint64_t synctest_mismatches; /* sync test: re-simulated frames that differed */
  uint64_t events_dropped;
} synk_session_stats;

/* Session-wide and per-peer statistics. Errors: SYNK_E_ARG (s NULL, out
 * NULL, peer out of range). Cost: O(1). */
SYNK_API synk_status synk_session_get_stats(const synk_session *s, synk_session_stats *out);
SYNK_API synk_status synk_session_get_peer_stats(const synk_session *s, uint32_t peer,
                                                 synk_session_peer_stats *out);

/* The final world hash this peer recorded for frame `frame` (a checkpoint:
 * (frame + 1) % desync_interval == 0), if still among the last 4 recorded.
 * Errors: SYNK_E_ARG, SYNK_E_RANGE (not recorded). O(1). */
SYNK_API synk_status synk_session_final_hash(const synk_session *s, uint64_t frame, uint64_t *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SYNK_SESSION_H */
