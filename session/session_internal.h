/* SPDX-License-Identifier: MIT */
/*
 * The session's insides, shared by its files (the contract is
 * session/include/synk_session.h, the bytes docs/wire-format.md):
 *
 *   session.c       create and destroy, local inputs, advance (planning a
 *                   step: a rollback, then the next frame), the requests of
 *                   a step, events, statistics;
 *   peers.c         the remote peers: datagrams in (receive: inputs, acks,
 *                   pings, the frame advantage) and out (poll), timers;
 *   desync.c        the states the checks compare, desync checks of final
 *                   checkpoint frames with each peer, and their localization
 *                   (chunk sums, then entity fingerprints);
 *   synctest.c      sync-test mode: the re-simulation of the last frames
 *                   and its comparison with their first run;
 *   session_wire.c  the datagram codec (session_wire.h).
 *
 * Layer rule: synk.h (the public kernel and sync API) and common/ only.
 * Frames are uint64_t; times are the caller's uint64_t milliseconds.
 */
#ifndef SYNK_SESSION_INTERNAL_H
#define SYNK_SESSION_INTERNAL_H

#include "session_wire.h"

#define NO_FRAME UINT64_MAX
#define CHECKPOINT_SLOTS 4u  /* desync checkpoints kept */
#define LOC_MAX_CHUNKS 8u    /* differing chunks whose entities a localization compares */
#define PING_MS 1000u        /* a ping to each peer this often */
#define RESEND_MS 16u        /* unacknowledged inputs, reports, localization: again after this */
#define KEEPALIVE_MS 100u    /* a datagram to each peer after this much silence */

/* ------------------------------------------------------------------ memory */
void *session_zalloc(const synk_allocator *al, size_t n); /* zeroed; NULL when out of memory */
void session_free(const synk_allocator *al, void *p);     /* NULL accepted */

/* ------------------------------------------------------------------ events */
/* The events waiting for synk_session_next_event: a ring of max_events; when
 * full, a new one drops the oldest (counted). */
typedef struct event_queue {
  synk_session_event *slots; /* [capacity] */
  uint32_t capacity, head, count;
  uint64_t dropped;
} event_queue;

void events_push(event_queue *q, const synk_session_event *ev);
/* an event that names only its type and peer */
void events_push_peer(event_queue *q, uint32_t type, uint32_t peer);
/* *ev: a DESYNC or DESYNC_LOCALIZED event of `frame` with `peer` (no ids yet) */
void desync_event(synk_session_event *ev, uint32_t type, uint32_t peer, uint64_t frame, uint64_t local_hash,
                  uint64_t remote_hash);

/* ------------------------------------------------------------------ states */
/* What the checks look at after a frame: the world (its chunk sums and
 * entities) and the application's checksum of that frame. */
typedef struct state_probe {
  synk_world *world;     /* NULL: the application's checksum alone */
  size_t num_chunks;     /* the world's hash chunks (0 without a world) */
  uint32_t max_entities;
  uint64_t *chunk_sums;  /* [num_chunks] scratch for synk_chunk_hashes (with a world and checks) */
  uint64_t app_checksum; /* synk_session_set_checksum's, for the ADVANCE just carried out */
  int app_checksum_set;
} state_probe;

/* The state after one frame, as recorded for a later comparison. */
typedef struct frame_state {
  uint64_t frame;         /* NO_FRAME: empty */
  uint64_t hash;          /* state_hash */
  uint64_t *chunk_sums;   /* [num_chunks] (with a world) */
  uint32_t *fingerprints; /* [max_entities]: entity_fingerprint, 0 for a dead id (with a world) */
} frame_state;

/* The state's hash: the world hash, mixed with the application's checksum
 * when it gave one. */
uint64_t state_hash(const state_probe *p);
/* 32 bits that tell two states of a live entity apart, never 0. */
uint32_t entity_fingerprint(const synk_view *v, uint32_t id);
/* Buffers for a world's states (none without a world); SYNK_E_NOMEM. */
synk_status frame_state_alloc(frame_state *fs, const state_probe *p, const synk_allocator *al);
void frame_state_free(frame_state *fs, const synk_allocator *al);
/* Record the state after `frame` into fs; the fingerprints of chunks whose
 * sums equal prev's are copied from prev (which may be fs itself, or NULL). */
void frame_state_record(state_probe *p, frame_state *fs, uint64_t frame, const frame_state *prev);

/* ------------------------------------------------------------------ desync checks */
/* A checkpoint frame's state, recorded each time the frame is simulated. */
typedef struct checkpoint {
  frame_state state;
  int final;         /* recorded from inputs that can no longer change: comparable */
  uint32_t locks;    /* localizations using it (its slot is not reused meanwhile) */
  uint32_t acked_by; /* bit per peer that acknowledged its report */
} checkpoint;

/* Finding the entities behind a desync with one peer: both exchange the
 * chunk sums of the desync frame, then the fingerprints of the entities of
 * the chunks that differ. */
typedef struct localization {
  int active;                 /* under way */
  int finished;               /* done; the peer may still ask (then we echo our state) */
  int echo;                   /* the peer still talks about it: tell it we have everything */
  int reported;               /* SYNK_SEV_DESYNC_LOCALIZED pushed */
  int have_chunks, have_ents; /* we have every chunk sum / the fingerprints of every differing chunk */
  int peer_has_chunks, peer_has_ents; /* the peer says it has ours */
  uint32_t slot;              /* the checkpoint compared (locked while active) */
  uint64_t *chunk_received, *chunk_differs; /* bitmaps over chunks */
  uint32_t chunks_received;
  uint32_t num_diff;          /* differing chunks listed (ascending) */
  uint32_t diff_chunk[LOC_MAX_CHUNKS];
  int diff_more;              /* more chunks differ than listed */
  uint8_t ents_received[LOC_MAX_CHUNKS]; /* bit per received fingerprint piece of each listed chunk */
  uint32_t num_ids, ids[SYNK_SESSION_MAX_IDS];
  int ids_more;
  uint32_t next_piece;        /* round robin over the pieces we send */
} localization;

/* The checks with one peer. */
typedef struct desync_peer {
  uint64_t their_frame[CHECKPOINT_SLOTS], their_hash[CHECKPOINT_SLOTS]; /* its reports awaiting mine */
  uint64_t compared_frame[CHECKPOINT_SLOTS]; /* compared already (a report repeats until acked) */
  uint64_t last_report_frame, last_report_ms; /* my report sent last, and when */
  int hashack_pending;                        /* its report arrived: acknowledge it */
  uint64_t hashack_frame;
  int desynced;                               /* latched: no more checks with it */
  uint64_t desync_frame;
  localization loc;
} desync_peer;

typedef struct desync_checks {
  uint32_t interval; /* desync_interval: a checkpoint every `interval` frames; 0: no checks */
  uint32_t num_peers, local_peer;
  state_probe *probe;
  event_queue *events;
  checkpoint slots[CHECKPOINT_SLOTS]; /* frame g in slot ((g + 1) / interval) % CHECKPOINT_SLOTS */
  desync_peer peers[SYNK_SESSION_MAX_PEERS];
  uint64_t checks;   /* final hashes compared */
} desync_checks;

synk_status desync_init(desync_checks *d, const synk_session_config *cfg, state_probe *probe, event_queue *events,
                        const synk_allocator *al);
void desync_free(desync_checks *d, const synk_allocator *al);
/* The world is the state after `frame`, simulated with inputs that are all
 * confirmed (final) or not. Records it when frame is a checkpoint. */
void desync_record(desync_checks *d, uint64_t frame, int final);
/* Frames below `confirmed` have every input; the first frame simulated with
 * a wrong prediction is `mispredicted` (NO_FRAME: none): the checkpoints
 * before it became final. */
void desync_promote(desync_checks *d, uint64_t confirmed, uint64_t mispredicted);
synk_status desync_final_hash(const desync_checks *d, uint64_t frame, uint64_t *out);
/* The desync fields of an accepted datagram from `peer`: acks of my
 * reports, its report (acknowledged even without checks of my own), its
 * localization state and data. */
void desync_receive(desync_checks *d, uint32_t peer, const sw_datagram *dg);
/* 1 when dg holds something desync_receive acts on. */
static inline int desync_concerns(const desync_checks *d, const sw_datagram *dg) {
  return d->interval || dg->has_hash; /* without checks of mine, only its reports get acked */
}
/* 1 when `peer` must get a datagram now: an ack of its report, or an echo
 * of a finished localization. */
static inline int desync_urgent(const desync_checks *d, uint32_t peer) {
  return d->peers[peer].hashack_pending || d->peers[peer].loc.echo;
}
/* 1 when my report of a final checkpoint or a localization piece waits for
 * `peer` (sent after RESEND_MS of silence, a report again after a round
 * trip); rtt_ms: the round trip to it (0: unknown). */
int desync_outgoing(const desync_checks *d, uint32_t peer, uint32_t rtt_ms, uint64_t now_ms);
static inline int desync_waiting(const desync_checks *d, uint32_t peer, uint32_t rtt_ms, uint64_t now_ms) {
  return d->interval && desync_outgoing(d, peer, rtt_ms, now_ms); /* no reports without checks */
}
/* Add to the datagram for `peer` the report, ack and localization piece due. */
void desync_fill(desync_checks *d, uint32_t peer, uint32_t rtt_ms, uint64_t now_ms, sw_datagram *dg);
/* 1 when desync_fill has something for `peer`'s datagram. */
static inline int desync_fills(const desync_checks *d, uint32_t peer) {
  return d->interval || d->peers[peer].hashack_pending;
}

/* ------------------------------------------------------------------ sync test */
typedef struct synctest {
  uint32_t frames;         /* synctest_frames: re-simulated after each frame; 0: off */
  frame_state *first_runs; /* [frames + 1]: each frame's first simulation, by frame % (frames + 1) */
  int rerun_due;           /* the step just planned is followed by a re-simulation */
  int rerunning;           /* the re-simulation is under way: compare, do not record */
  int reported;            /* the first mismatch was reported (later ones are only counted) */
  uint64_t checks, mismatches;
} synctest;

/* The step planned by advance and handed out by next_request. */
typedef struct step_plan {
  int open;             /* requests remain */
  int load;             /* a LOAD comes first */
  uint64_t next;        /* the next frame to hand out */
  uint64_t last;        /* the step's last frame */
  uint64_t saved;       /* the frame whose state is saved (NO_FRAME: none) */
  int tick_pending;     /* an ADVANCE was handed out: tick and record at the next request */
  int tick_confirmed;   /* its inputs were all confirmed */
  uint64_t tick_frame;
} step_plan;

synk_status synctest_init(synctest *t, uint32_t frames, const state_probe *probe, const synk_allocator *al);
void synctest_free(synctest *t, const synk_allocator *al);
/* The world is the state after `frame`: the first run records it, the
 * re-run compares it (events on a difference; step_done: it was the
 * re-simulation's last frame). */
void synctest_after_frame(synctest *t, state_probe *probe, event_queue *events, uint32_t local_peer, uint64_t frame,
                          int step_done);
/* After the step of frame `last` is planned. */
static inline void synctest_planned(synctest *t, uint64_t last) { t->rerun_due = t->frames && last + 1 >= t->frames; }
/* When the step is done and a re-simulation is due: plan it into *step
 * (LOAD of the oldest frame re-simulated, then up to the step's last
 * frame) and return 1. */
int synctest_plan_rerun(synctest *t, step_plan *step);
static inline int synctest_next_step(synctest *t, step_plan *step) {
  return !step->open && t->rerun_due && synctest_plan_rerun(t, step);
}

/* ------------------------------------------------------------------ the session */
enum { PEER_WAITING = 0, PEER_CONNECTED = 1, PEER_INTERRUPTED = 2, PEER_DISCONNECTED = 3 };

/* Bytes per second over whole seconds, one direction. */
typedef struct rate_meter {
  int open;
  uint64_t start_ms; /* the current second began */
  uint32_t bytes;    /* bytes in the current second */
} rate_meter;

typedef struct peer_state {
  uint32_t num_players;
  uint8_t players[SYNK_SESSION_MAX_PLAYERS]; /* its players, ascending */
  uint32_t block;          /* num_players * input_size: its inputs of one frame */
  uint64_t known;          /* its inputs: frames < known are received */
  uint64_t acked;          /* my inputs: frames < acked the peer has */
  uint64_t max_span_end;   /* the largest span end it sent */
  uint32_t state;          /* PEER_* */
  uint64_t last_recv_ms, last_send_ms, last_ping_ms, last_wait_ms;
  int sent_any, pinged, ack_dirty, pong_pending, synced, waited;
  uint32_t pong_value;     /* its ping's clock, to echo */
  uint64_t last_sent_end;  /* local_end when I last sent to it */
  uint32_t rtt_ms;
  int32_t remote_frames_ahead; /* the frame advantage it measures over me */
  int has_remote_frames_ahead;
  synk_session_peer_stats stats;
  rate_meter send_rate, recv_rate;
} peer_state;

struct synk_session {
  synk_session_config cfg; /* defaults applied */
  synk_allocator allocator; /* cfg.allocator, the world's, or malloc/free */
  uint32_t num_players, input_size, max_prediction, input_delay;
  uint32_t history;        /* frames of inputs kept: a power of two */
  uint32_t frame_bytes;    /* num_players * input_size: one frame of every player's input */
  uint8_t *inputs;         /* [history][frame_bytes] known inputs */
  uint8_t *simulated;      /* [history][frame_bytes] inputs of the last simulation of each frame */
  uint8_t *local_pending;  /* [frame_bytes] local inputs for the next advance */
  uint8_t *request_inputs; /* [frame_bytes] the inputs of the current ADVANCE request */
  uint8_t *encode_scratch; /* [mtu] the encoder's change records */
  uint32_t pending_set;    /* bit per local player whose input was added */
  uint32_t local_mask;     /* bit per local player */
  peer_state peers[SYNK_SESSION_MAX_PEERS];
  uint64_t frame;          /* next frame to plan */
  uint64_t local_end;      /* my inputs: frames < local_end committed */
  uint64_t mispredicted;   /* first frame simulated with a wrong prediction (NO_FRAME: none) */
  step_plan step;
  synk_ring *ring;         /* rollback mode with a world */
  uint64_t world_base;     /* the world's frame at session frame 0 */
  state_probe probe;
  desync_checks desync;
  synctest synctest;
  event_queue events;
  uint32_t poll_next;      /* round robin: the peer poll considers first */
  int timers_started;
  uint64_t timers_ms;      /* when the timers last ran */
  synk_session_stats stats;
};

/* the input of `player` for `frame` in a [history][frame_bytes] array */
static inline uint8_t *input_at(const synk_session *s, uint8_t *base, uint64_t frame, uint32_t player) {
  return base + (size_t)(frame & (s->history - 1)) * s->frame_bytes + (size_t)player * s->input_size;
}
/* run the interrupt and disconnect timers (peers.c); silence only grows
 * with time: nothing new at the instant they last ran */
void run_timers_now(synk_session *s, uint64_t now_ms);
static inline void run_timers(synk_session *s, uint64_t now_ms) {
  if (!s->timers_started || now_ms != s->timers_ms) run_timers_now(s, now_ms);
}

#endif
