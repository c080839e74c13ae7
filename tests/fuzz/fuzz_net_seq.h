/* SPDX-License-Identifier: MIT */
/* fuzz_net_seq: a stateful, structure-aware fuzzer of the net server. The
 * target (fuzz_net_seq.c) and its seed generator share this file.
 *
 * The scene, built once and restored before every input (fuzz_image.h): a
 * server (room 3, a 512-id world of 48 entities, 2 props, an 8 x 8 grid,
 * max_clients 4 -- full from the start --, 1 bulk job, 1 KB queues, grace
 * 600 ms, timeout 1000 ms, at most 4 commands per client and tick, the
 * outcomes of a client's last 48 commands kept for its resume, a real
 * resume key; accept wants the token "good-token", validate accepts,
 * rejects or returns events that do not apply according to the command's
 * last byte) with three honest clients (real synk_client endpoints,
 * predicting, 48 commands in flight at most, views: the whole world, four
 * cells, three ids) and one
 * hostile connection already joined with the good token; up to three
 * hostile connections in all, played by the harness with messages it
 * builds itself (fuzz_wire.h).
 *
 * An input is a sequence of steps (at most NS_MAX_STEPS), each an op byte
 * (mod 16) and a parameter byte a whose low 2 bits pick the peer (honest
 * client (a & 3) % 3, hostile connection 3 + (a & 3) % 3), then whatever the
 * op reads; past the input's end every byte is 0 (fuzz_wire.h, fz_in):
 *   0 TICK: (a >> 6) + 1 server ticks (two motions each), every honest
 *     client exchanging after each;        1 WAIT 16/100/300/700 ms (a >> 2);
 *   2 an honest COMMAND of kind (a >> 2) & 7 (0-3 accepted, 4-6 rejected by
 *     validate, 7 events that do not apply: INVALID), predicted; a & 0x80:
 *     a burst of eight (kinds k, k+1, ...);
 *   3 an honest exchange: (a >> 2) & 3 = 1 only up, 2 only down, else both;
 *   4 honest reading on/off ((a >> 2) & 1): a client that stops reading;
 *   5 its transport is lost;               6 it reconnects (resume or join);
 *   7 it asks: (a >> 2) & 3 = 0 a VIEW of three cells (byte), 1 a repair
 *     (SYNC), 2 sends an APP, 3 the whole world;
 *   8 a hostile HELLO: byte v (v & 3: good, bad, empty, good token; (v >> 2)
 *     & 3: 1 bad room, 2 bad config, 3 bad version; v & 0x10 resume with:
 *     (v >> 5) & 3 = 0 its own token, 1 a token forged the way a zero-key
 *     server issues them (the (salt & 15) + 1-th), 2 a u64 of the input,
 *     3 its previous token; v & 0x80 chunk sums), byte salt;
 *   9 a hostile flood of 1 + (byte % 96) COMMANDs (kinds mixed by a byte);
 *  10 a hostile message, (a >> 2) & 7: VIEW (flags, up to 9 cells -- 8
 *     allowed -- some outside the grid, up to 3 ids), SYNC without sums,
 *     SYNC with random sums, ACK with the expected hash, ACK with a u64, APP
 *     of byte % 80 bytes (64 allowed), PING or PONG, BYE;
 *  11 the hostile connection reads its queue (and learns its token);
 *  12 its transport is lost;
 *  13 the server application: a & 3 = 0 set_view of slot (a >> 2) & 3,
 *     1 kick it, 2 send to all, 3 spawn or despawn one of its entities;
 *  14 raw bytes (byte % 40 of them) on a hostile connection;
 *  15 WAIT 700 ms.
 * Then a settle phase: every honest client reconnects if it must and asks
 * for a repair, every connection reads and is kept alive, and the server
 * ticks until the honest clients are in step (at most NS_SETTLE ticks).
 *
 * Invariants (a failure message starts with the name; SYNK_FUZZ_SKIP in
 * fuzz_common.h can switch names off to fuzz past a known bug):
 *  - hello: a HELLO the server refuses changes no slot (no DROPPED while
 *    the server handles it) -- a client in its grace period keeps its slot
 *    against an unauthenticated peer;
 *  - drop: a slot is freed only by its grace expiring, a kick, its own BYE,
 *    a bound (OVERFLOW), or an admitted HELLO evicting it;
 *  - resume: a connection only ever resumes the slot its peer joined; an
 *    honest client coming back in its grace period (holding that slot's
 *    token) resumes it;
 *  - result: every honest command gets at most one RESULT, and it is the
 *    truth: 0 only for a command validate accepted, a rejection reason only
 *    for one it rejected (or OVERFLOW for one it never saw), SHUTDOWN never
 *    for an accepted command of a slot the client resumed, FORGOTTEN only
 *    for a client that came back as a new client; validate sees
 *    each command from the client that sent it;
 *  - lost: after the settle phase every honest command has its RESULT;
 *  - bulk: after the settle phase no honest client waits for the payload
 *    its HELLO or SYNC asked for (a held bulk job starves it);
 *  - protocol: an honest client's bytes never break the protocol and the
 *    server's never break it for an honest client;
 *  - settle: after the settle phase every honest client still in the game
 *    is LIVE at the server's frame with its view's hash, its predictions
 *    gone, and each view's hash equals the server's recomputation;
 *  - memory: the server allocates nothing after create;
 *  - harness: the application's own calls succeed (a check of this file).
 * An honest client is out of the game only when the server refused it FULL
 * with every slot joined by another peer.
 *
 * SYNK_FUZZ_ZERO_KEY=1 (read once): create the server with the zero
 * resume key when the library still allows it (tests only), so that forged
 * tokens can work; the default is a real key. */
#ifndef SYNK_FUZZ_NET_SEQ_H
#define SYNK_FUZZ_NET_SEQ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_image.h"
#include "fuzz_wire.h"
#include "synk_net.h"

#define NS_HONEST 3
#define NS_HOSTILE 3
#define NS_PEERS (NS_HONEST + NS_HOSTILE)
#define NS_SLOTS 4
#define NS_ENTITIES 512
#define NS_PROPS 2
#define NS_SEED 11
#define NS_ROOM 3
#define NS_ALIVE 48 /* ids 0, 8, ..., 376; the application spawns ids 1..255 not divisible by 8 */
#define NS_DEAD_ID 511 /* never alive: an INVALID command despawns it */
#define NS_TICK_MS 16
#define NS_GRACE_MS 600
#define NS_TIMEOUT_MS 1000
#define NS_MAX_STEPS 160
#define NS_SETTLE 48
#define NS_CMDS 1024
#define NS_PENDING 48 /* an honest client's commands in flight; the server keeps as many outcomes */
#define NS_BUF (1u << 16)
#define NS_NONE 0xFFFFFFFFu

enum { NS_UNSEEN = 0, NS_ACCEPTED = 1, NS_REJECTED = 2 };

typedef struct ns_cmd {
  uint32_t seq;    /* the honest client's sequence number */
  uint32_t peer;   /* which honest client */
  uint32_t truth;  /* NS_UNSEEN (validate never saw it), NS_ACCEPTED, NS_REJECTED */
  uint32_t reason; /* rejected: the reason the server gives */
  uint32_t slot;   /* the client id validate saw it from */
  uint32_t results;
  uint64_t effect; /* reported accepted: the frame whose tick shows it */
} ns_cmd;

typedef struct ns_peer {
  int open;          /* a server connection is open */
  uint32_t conn;
  int closing;       /* the server emitted CLOSE for it */
  uint32_t close_reason;
  uint32_t id;       /* its slot, from the server's JOINED / RESUMED (NS_NONE: none) */
  uint64_t token;    /* hostile: the resume token of its last WELCOME */
  uint64_t old_token;
  int reading;       /* honest: reads what the server sends */
  int out;           /* honest: refused FULL with every slot joined by another peer */
  int resumed;       /* honest: its last handshake resumed its slot */
  uint32_t welcomed; /* honest: the slot of the last WELCOME it read (it holds that slot's token) */
  int awaiting;      /* honest: sent a SYNC (or a HELLO) and has not loaded a payload since */
} ns_peer;

typedef struct ns_env {
  synk_world *w;
  synk_server *s;
  synk_client *c[NS_HONEST];
  fz_heap sheap, cheap;
  synk_allocator sal, cal;
  ns_peer p[NS_PEERS];        /* honest 0..2, hostile 3..5 */
  uint32_t owner[NS_SLOTS];   /* the peer that joined each slot (NS_NONE: free) */
  uint64_t grace_from[NS_SLOTS];
  uint64_t now, rng;
  uint64_t key[2];
  int zero_key;
  /* what the call in progress is (the server's callbacks judge by it) */
  uint32_t hello_conn;        /* a HELLO is being handled on it (NS_NONE: not) */
  uint32_t hello_dropped;     /* slots freed meanwhile (bits) */
  int hello_admitted;
  int kicking;
  uint32_t ncmds;
  ns_cmd cmd[NS_CMDS];
  const char *fail;           /* the invariant that broke (the target aborts) */
  /* scratch, not part of the image */
  uint8_t buf[NS_BUF];
  uint8_t msg[NS_BUF];
} ns_env;

/* -DNS_DEBUG: a trace of every event and honest read on stderr (triage) */
#ifdef NS_DEBUG
#define NS_TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define NS_TRACE(...) ((void)0)
#endif

static fz_arena ns_arena;
#define NS_ARENA (64u << 20)

static inline void ns_fail(ns_env *e, const char *what) {
  if (!e->fail) e->fail = what;
}

static inline uint32_t ns_peer_of_conn(const ns_env *e, uint32_t conn) {
  for (uint32_t i = 0; i < NS_PEERS; i++)
    if (e->p[i].open && e->p[i].conn == conn) return i;
  return NS_NONE;
}

/* ---- the zero key's tokens, as net/server.c derives them (for forgeries) ---- */

static inline uint64_t ns_rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }
static inline void ns_sipround(uint64_t v[4]) {
  v[0] += v[1], v[1] = ns_rotl(v[1], 13) ^ v[0], v[0] = ns_rotl(v[0], 32);
  v[2] += v[3], v[3] = ns_rotl(v[3], 16) ^ v[2];
  v[0] += v[3], v[3] = ns_rotl(v[3], 21) ^ v[0];
  v[2] += v[1], v[1] = ns_rotl(v[1], 17) ^ v[2], v[2] = ns_rotl(v[2], 32);
}
/* SipHash-2-4 of one little-endian u64 */
static inline uint64_t ns_siphash(const uint64_t k[2], uint64_t m) {
  uint64_t v[4] = {k[0] ^ 0x736f6d6570736575ull, k[1] ^ 0x646f72616e646f6dull, k[0] ^ 0x6c7967656e657261ull,
                   k[1] ^ 0x7465646279746573ull};
  uint64_t last = (uint64_t)8 << 56;
  v[3] ^= m;
  ns_sipround(v), ns_sipround(v);
  v[0] ^= m;
  v[3] ^= last;
  ns_sipround(v), ns_sipround(v);
  v[0] ^= last;
  v[2] ^= 0xff;
  for (int i = 0; i < 4; i++) ns_sipround(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}
/* the k-th token a server keyed by the zero key issues (k >= 1) */
static inline uint64_t ns_forged_token(uint64_t k) {
  uint64_t key[2];
  key[0] = fz_mix64((uint64_t)NS_SEED ^ 0x5EED5EED5EEDull);
  key[1] = fz_mix64(key[0]);
  uint64_t t = ns_siphash(key, k);
  return t ? t : 1;
}

/* ---- the server application's callbacks ----------------------------------------- */

static const char ns_good[] = "good-token";
static const uint32_t ns_cells[4] = {0, 1, 8, 9}, ns_ids[3] = {8, 104, 304};

static inline synk_net_view ns_honest_view(uint32_t i) {
  synk_net_view v;
  memset(&v, 0, sizeof v);
  if (i == 0) v.all = 1;
  if (i == 1) v.cells = ns_cells, v.n_cells = 4;
  if (i == 2) v.ids = ns_ids, v.n_ids = 3;
  return v;
}

static inline uint32_t ns_accept(void *ctx, uint32_t client, const void *token, size_t len) {
  (void)ctx;
  (void)client;
  return len == sizeof ns_good - 1 && !memcmp(token, ns_good, len) ? 0 : SYNK_NET_R_DENIED;
}

/* command bytes: 'H' or 'X', the honest client (H), u16 command id (H), op */
static inline uint32_t ns_validate(void *ctx, uint32_t client, const void *cmd, size_t len, synk_event *out,
                                   size_t cap, size_t *n) {
  ns_env *e = (ns_env *)ctx;
  const uint8_t *b = (const uint8_t *)cmd;
  if (len < 5 || cap < 1) return SYNK_NET_R_APP;
  uint32_t op = b[4], reason = 0;
  synk_event ev = {SYNK_EV_MOTION, (op * 7u + b[2]) % NS_ALIVE * 8u, 0, 1, -1, 0};
  if ((op & 7) >= 4 && (op & 7) < 7) reason = SYNK_NET_R_APP + (op & 7);
  if ((op & 7) == 7) { /* events that do not apply: the server rejects with INVALID */
    synk_event de = {SYNK_EV_DESPAWN, NS_DEAD_ID, 0, 0, 0, 0};
    ev = de;
  }
  if (b[0] == 'H') {
    uint32_t id = (uint32_t)fz_le(b + 2, 2);
    if (b[1] >= NS_HONEST || id >= e->ncmds || e->cmd[id].peer != b[1]) {
      ns_fail(e, "result: validate saw an honest command that was never sent");
    } else {
      ns_cmd *c = &e->cmd[id];
      if (c->truth != NS_UNSEEN) ns_fail(e, "result: validate saw a command twice");
      if (client >= NS_SLOTS || e->owner[client] != c->peer)
        ns_fail(e, "result: validate saw a command from a client that did not send it");
      c->slot = client;
      c->truth = reason ? NS_REJECTED : (op & 7) == 7 ? NS_REJECTED : NS_ACCEPTED;
      c->reason = reason ? reason : (op & 7) == 7 ? SYNK_NET_R_INVALID : 0;
    }
  }
  if (reason) return reason;
  out[0] = ev;
  *n = 1;
  return 0;
}

static inline uint32_t ns_view_request(void *ctx, uint32_t client, const synk_net_view *v) {
  (void)ctx;
  (void)client;
  return v->n_cells <= 6 && v->n_ids <= 6 ? 0 : SYNK_NET_R_APP + 9;
}

static inline void ns_on_event(void *ctx, const synk_net_event *ev) {
  ns_env *e = (ns_env *)ctx;
  uint32_t cl = ev->client, pe = ev->conn != NS_NONE ? ns_peer_of_conn(e, ev->conn) : NS_NONE;
  NS_TRACE("[server] event %u client %u conn %u (peer %u) reason %u frame %llu now %llu\n", ev->type, cl, ev->conn, pe,
           ev->reason, (unsigned long long)ev->frame, (unsigned long long)e->now);
  switch (ev->type) {
  case SYNK_NET_EV_JOINED:
    if (cl >= NS_SLOTS || pe == NS_NONE || e->owner[cl] != NS_NONE) {
      ns_fail(e, "resume: JOINED a slot that is not free");
      break;
    }
    e->owner[cl] = pe;
    e->p[pe].id = cl;
    e->p[pe].resumed = 0;
    if (e->hello_conn == ev->conn) e->hello_admitted = 1;
    if (pe < NS_HONEST) {
      synk_net_view v = ns_honest_view(pe);
      if (synk_server_set_view(e->s, cl, &v) != SYNK_OK) ns_fail(e, "harness: the server refused an honest view");
    }
    break;
  case SYNK_NET_EV_RESUMED:
    if (cl >= NS_SLOTS || pe == NS_NONE || e->owner[cl] != pe) {
      ns_fail(e, "resume: a connection resumed a slot its peer never joined");
      break;
    }
    e->p[pe].id = cl;
    e->p[pe].resumed = 1;
    if (e->hello_conn == ev->conn) e->hello_admitted = 1;
    break;
  case SYNK_NET_EV_DISCONNECTED:
    if (cl < NS_SLOTS) e->grace_from[cl] = e->now;
    break;
  case SYNK_NET_EV_DROPPED:
    if (cl >= NS_SLOTS) break;
    if (e->hello_conn != NS_NONE) {
      e->hello_dropped |= 1u << cl; /* judged when the HELLO's fate is known */
    } else if (!e->kicking && !(ev->reason == SYNK_NET_R_EXPIRED && e->now >= e->grace_from[cl] + NS_GRACE_MS) &&
               !(ev->reason == SYNK_NET_OK && e->owner[cl] >= NS_HONEST) && ev->reason != SYNK_NET_R_OVERFLOW) {
      ns_fail(e, "drop: a slot freed without cause");
    }
    if (e->owner[cl] != NS_NONE) {
      ns_peer *o = &e->p[e->owner[cl]];
      if (o->id == cl) o->id = NS_NONE;
      if (o->welcomed == cl) o->welcomed = NS_NONE; /* that slot's token is worthless now */
    }
    e->owner[cl] = NS_NONE;
    break;
  case SYNK_NET_EV_CLOSE:
    if (pe != NS_NONE) {
      e->p[pe].closing = 1;
      e->p[pe].close_reason = ev->reason;
      if (pe < NS_HONEST && ev->reason == SYNK_NET_R_PROTOCOL)
        ns_fail(e, "protocol: the server closed an honest client for a protocol error");
    }
    break;
  default:
    break;
  }
}

/* ---- honest clients ----------------------------------------------------------------- */

static inline ns_cmd *ns_find_cmd(ns_env *e, uint32_t peer, uint32_t seq) {
  for (uint32_t i = 0; i < e->ncmds; i++)
    if (e->cmd[i].peer == peer && e->cmd[i].seq == seq) return &e->cmd[i];
  return NULL;
}

typedef struct ns_cctx {
  ns_env *e;
  uint32_t peer;
} ns_cctx;
static ns_cctx ns_cctxs[NS_HONEST];

static inline void ns_on_client(void *ctx, const synk_client_event *ev) {
  ns_env *e = ((ns_cctx *)ctx)->e;
  uint32_t peer = ((ns_cctx *)ctx)->peer;
  NS_TRACE("[honest %u] event %u reason %u frame %llu value %llu; confirmed frame %llu hash %llx\n", peer, ev->type,
           ev->reason, (unsigned long long)ev->frame, (unsigned long long)ev->value,
           (unsigned long long)synk_client_frame(e->c[peer]), (unsigned long long)synk_client_confirmed_hash(e->c[peer]));
  if (ev->type == SYNK_CLIENT_EV_CLOSED && ev->reason == SYNK_NET_R_PROTOCOL)
    ns_fail(e, "protocol: an honest client saw the server break the protocol");
  if (ev->type == SYNK_CLIENT_EV_WELCOME) e->p[peer].welcomed = (uint32_t)ev->value;
  if (ev->type == SYNK_CLIENT_EV_SYNCED) e->p[peer].awaiting = 0;
  if (ev->type != SYNK_CLIENT_EV_RESULT) return;
  ns_cmd *c = ns_find_cmd(e, peer, (uint32_t)ev->value);
  if (!c) {
    ns_fail(e, "result: a RESULT for a command the client never sent");
    return;
  }
  if (c->results++) ns_fail(e, "result: a command answered twice");
  c->effect = ev->reason == 0 ? ev->frame : 0;
  if (ev->reason == 0 && c->truth != NS_ACCEPTED) {
    ns_fail(e, "result: a command the server did not accept reported accepted");
  } else if (ev->reason == SYNK_NET_R_FORGOTTEN) {
    /* the truth when the client came back as a new client; a resumed slot
       keeps the outcomes of all it can have in flight (result_history >=
       max_pending) */
    if (e->p[peer].resumed) ns_fail(e, "result: a command of a resumed slot reported forgotten");
  } else if (ev->reason == SYNK_NET_R_SHUTDOWN) {
    if (c->truth == NS_ACCEPTED && e->p[peer].resumed && e->p[peer].id == c->slot)
      ns_fail(e, "result: an accepted command of the resumed slot reported lost");
  } else if (ev->reason != 0) {
    if (c->truth == NS_ACCEPTED) ns_fail(e, "result: an accepted command reported rejected");
    if (c->truth == NS_REJECTED && ev->reason != c->reason) ns_fail(e, "result: a rejection with another reason");
    if (c->truth == NS_UNSEEN && ev->reason != SYNK_NET_R_OVERFLOW)
      ns_fail(e, "result: a command validate never saw rejected for another reason than OVERFLOW");
  }
}

/* honest i's transport ends (lost, or the server closed it): the client keeps its world and token */
static inline void ns_honest_drop(ns_env *e, uint32_t i) {
  ns_peer *p = &e->p[i];
  if (p->open) synk_server_disconnect(e->s, p->conn, e->now);
  p->open = p->closing = 0;
  synk_client_disconnect(e->c[i]);
}

/* the server takes what honest i sends (and what it sends back, when reading) */
static inline void ns_honest_up(ns_env *e, uint32_t i) {
  ns_peer *p = &e->p[i];
  size_t len = 0;
  if (!p->open) return;
  synk_client_service(e->c[i], e->now);
  while (synk_client_poll(e->c[i], e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len) {
    uint32_t type = e->buf[0];
    int hello = type == FZ_HELLO && !p->closing;
    if (type == FZ_HELLO || type == FZ_SYNC) p->awaiting = 1;
    uint32_t before = p->id;
    if (hello) {
      e->hello_conn = p->conn;
      e->hello_dropped = 0;
      e->hello_admitted = 0;
    }
    /* refused only as the connection closes for a bound (OVERFLOW, ...), never as broken */
    if (synk_server_receive(e->s, p->conn, e->buf, len, e->now) != SYNK_OK &&
        !(p->closing && p->close_reason != SYNK_NET_R_PROTOCOL))
      ns_fail(e, "protocol: the server refused an honest client's bytes");
    if (hello) {
      e->hello_conn = NS_NONE;
      if (e->hello_dropped && !e->hello_admitted) ns_fail(e, "hello: a refused HELLO freed a slot");
      if (p->closing && p->close_reason == SYNK_NET_R_FULL) {
        synk_server_stats st;
        synk_server_get_stats(e->s, &st);
        if (st.in_grace || st.clients < NS_SLOTS) ns_fail(e, "settle: an honest client refused FULL with room");
        p->out = 1;
      } else if (p->closing) {
        ns_fail(e, "settle: an honest HELLO refused");
      }
      if (before != NS_NONE && p->welcomed == before && e->owner[before] == i && !p->resumed)
        ns_fail(e, "resume: an honest client in its grace period was not resumed");
    }
  }
}

static inline void ns_honest_down(ns_env *e, uint32_t i) {
  ns_peer *p = &e->p[i];
  size_t len = 0;
  if (!p->open) return;
  while (synk_server_poll(e->s, p->conn, e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len) {
    NS_TRACE("[honest %u] reads type %u (%zu bytes) in state %d\n", i, e->buf[0], len,
             (int)synk_client_get_state(e->c[i]));
    if (synk_client_receive(e->c[i], e->buf, len, e->now) != SYNK_OK)
      ns_fail(e, "protocol: an honest client refused the server's bytes");
  }
}

/* after an exchange: a client that timed out or was closed loses its transport */
static inline void ns_honest_after(ns_env *e, uint32_t i) {
  synk_client_state st = synk_client_get_state(e->c[i]);
  if (e->p[i].open && (st == SYNK_CLIENT_IDLE || st == SYNK_CLIENT_CLOSED)) ns_honest_drop(e, i);
}

static inline void ns_honest_pump(ns_env *e, uint32_t i, int up, int down) {
  if (up) ns_honest_up(e, i);
  if (down) ns_honest_down(e, i);
  ns_honest_after(e, i);
}

static inline void ns_honest_connect(ns_env *e, uint32_t i) {
  ns_peer *p = &e->p[i];
  if (p->open) return;
  p->out = 0;
  if (synk_client_get_state(e->c[i]) != SYNK_CLIENT_IDLE) synk_client_disconnect(e->c[i]);
  if (synk_server_connect(e->s, e->now, &p->conn) != SYNK_OK) return; /* no free connection now */
  p->open = 1;
  p->closing = 0;
  if (synk_client_start(e->c[i], e->now) != SYNK_OK) ns_fail(e, "protocol: a client could not start");
  ns_honest_pump(e, i, 1, p->reading);
}

static inline void ns_honest_command(ns_env *e, uint32_t i, uint32_t op) {
  if (e->ncmds >= NS_CMDS || synk_client_get_state(e->c[i]) != SYNK_CLIENT_LIVE) return;
  uint32_t id = e->ncmds;
  uint8_t b[5] = {'H', (uint8_t)i, (uint8_t)id, (uint8_t)(id >> 8), (uint8_t)op};
  synk_event pred = {SYNK_EV_MOTION, (op * 7u + (uint8_t)id) % NS_ALIVE * 8u, 0, 1, -1, 0};
  uint32_t seq = 0;
  if (synk_client_command(e->c[i], b, sizeof b, &pred, 1, &seq) != SYNK_OK) return;
  ns_cmd *c = &e->cmd[e->ncmds++];
  memset(c, 0, sizeof *c);
  c->seq = seq;
  c->peer = i;
  c->slot = NS_NONE;
}

/* ---- hostile connections --------------------------------------------------------------- */

static inline int ns_hostile_open(ns_env *e, uint32_t h) {
  ns_peer *p = &e->p[h];
  if (p->open) return 1;
  if (synk_server_connect(e->s, e->now, &p->conn) != SYNK_OK) return 0;
  p->open = 1;
  p->closing = 0;
  p->id = NS_NONE;
  return 1;
}

static inline void ns_hostile_drop(ns_env *e, uint32_t h) {
  ns_peer *p = &e->p[h];
  if (!p->open) return;
  synk_server_disconnect(e->s, p->conn, e->now);
  p->open = p->closing = 0;
}

/* send one message [type][body] on hostile h (opened if needed) */
static inline void ns_hostile_send(ns_env *e, uint32_t h, uint32_t type, const uint8_t *body, size_t n) {
  if (!ns_hostile_open(e, h) || n + FZ_FRAME_OVERHEAD > sizeof e->buf) return;
  ns_peer *p = &e->p[h];
  size_t len = fz_frame(e->buf, type, body, n);
  int hello = type == FZ_HELLO && !p->closing;
  if (hello) {
    e->hello_conn = p->conn;
    e->hello_dropped = 0;
    e->hello_admitted = 0;
  }
  synk_server_receive(e->s, p->conn, e->buf, len, e->now);
  if (hello) {
    e->hello_conn = NS_NONE;
    if (e->hello_dropped && !e->hello_admitted) ns_fail(e, "hello: a refused HELLO freed a slot");
  }
}

/* hostile h reads its queue: it learns its id and resume token from WELCOME */
static inline void ns_hostile_read(ns_env *e, uint32_t h) {
  ns_peer *p = &e->p[h];
  size_t len = 0;
  if (!p->open) return;
  while (synk_server_poll(e->s, p->conn, e->buf, sizeof e->buf, &len, e->now) == SYNK_OK && len) {
    uint32_t type;
    const uint8_t *b;
    size_t n;
    if (fz_unframe(e->buf, len, &type, &b, &n) && type == FZ_WELCOME && n >= 12) {
      p->old_token = p->token;
      p->token = fz_le(b + 4, 8);
    }
  }
}

/* ---- time ------------------------------------------------------------------------------------ */

/* every open connection exchanges what it may: honest clients both ways
 * (down only when reading), hostile ones only when `hostile_read` */
static inline void ns_pump_all(ns_env *e, int hostile_read) {
  for (uint32_t i = 0; i < NS_HONEST; i++) ns_honest_pump(e, i, 1, e->p[i].reading);
  synk_server_service(e->s, e->now);
  for (uint32_t i = 0; i < NS_HONEST; i++) ns_honest_pump(e, i, 1, e->p[i].reading);
  if (hostile_read)
    for (uint32_t h = NS_HONEST; h < NS_PEERS; h++) ns_hostile_read(e, h);
}

#define NS_MOTIONS 2
static inline void ns_tick(ns_env *e, int hostile_read) {
  synk_event ev[NS_MOTIONS];
  fz_motions(&e->rng, ev, NS_MOTIONS, NS_ALIVE, 4);
  if (synk_server_apply(e->s, ev, NS_MOTIONS, NULL) != SYNK_OK) ns_fail(e, "harness: the application's motions failed");
  e->now += NS_TICK_MS;
  synk_server_tick(e->s, e->now);
  ns_pump_all(e, hostile_read);
}

static inline void ns_wait(ns_env *e, uint32_t ms) {
  e->now += ms;
  ns_pump_all(e, 0);
}

/* ---- the scene ------------------------------------------------------------------------------- */

static inline int ns_zero_key_wanted(void) {
  static int v = -1;
  if (v < 0) {
    const char *s = getenv("SYNK_FUZZ_ZERO_KEY");
    v = s && s[0] == '1';
  }
  return v;
}

/* the message bodies a hostile connection sends */
static inline size_t ns_hello_body(uint8_t *out, size_t cap, const char *token, size_t tlen, uint32_t version,
                                   uint32_t room, uint32_t ents, int resume, uint64_t rtoken, int sums,
                                   uint64_t salt) {
  fz_w w;
  fz_w_init(&w, out, cap);
  fz_w32(&w, version);
  fz_w32(&w, room);
  fz_w32(&w, ents);
  fz_w32(&w, NS_PROPS);
  fz_w64(&w, NS_SEED);
  fz_w16(&w, tlen);
  fz_wbytes(&w, token, tlen);
  fz_w8(&w, resume ? 1 : 0);
  if (resume) {
    fz_w64(&w, rtoken);
    fz_w64(&w, salt & 0xFF);
    fz_w64(&w, salt * 0x9E3779B97F4A7C15ull);
    fz_w32(&w, sums ? (NS_ENTITIES + 255) / 256 : 0);
    for (int k = 0; sums && k < (NS_ENTITIES + 255) / 256; k++) fz_w64(&w, fz_mix64(salt + (uint64_t)k));
  }
  return w.n;
}

static inline int ns_open(ns_env *e) {
  memset(e, 0, offsetof(ns_env, buf));
  if (!fz_arena_init(&ns_arena, NS_ARENA)) return 0;
  e->rng = 0x5EED5;
  e->hello_conn = NS_NONE;
  for (uint32_t i = 0; i < NS_SLOTS; i++) e->owner[i] = NS_NONE;
  for (uint32_t i = 0; i < NS_PEERS; i++) e->p[i].id = e->p[i].welcomed = NS_NONE, e->p[i].reading = 1;
  e->sal = fz_heap_allocator(&e->sheap, &ns_arena);
  e->cal = fz_heap_allocator(&e->cheap, &ns_arena);
  synk_config wc = {NS_ENTITIES, NS_PROPS, NS_SEED, &e->cal, NULL};
  if (synk_world_create(&wc, &e->w) != SYNK_OK) return 0;
  for (uint32_t id = 0; id < 8 * NS_ALIVE; id += 8) {
    synk_spawn(e->w, id, id / 8 % 4, (int32_t)((id * 37) % 512), (int32_t)((id * 91) % 512), 0);
    synk_set_prop(e->w, id, 1, (int32_t)id);
  }
  synk_server_config sc;
  memset(&sc, 0, sizeof sc);
  sc.world = e->w;
  sc.room_id = NS_ROOM;
  sc.max_clients = NS_SLOTS;
  sc.max_connections = 8;
  sc.grid.cell_size = 64;
  sc.grid.cols = sc.grid.rows = 8;
  sc.max_view_cells = 8;
  sc.max_view_ids = 8;
  sc.max_changes = 128;
  sc.max_group_events = 128;
  sc.frag_size = 512;
  sc.queue_bytes = 1024;
  sc.max_bulk_jobs = 1;
  sc.ack_interval = 2;
  sc.history = 16;
  sc.resume_frames = 64;
  sc.resume_bytes = 2048;
  sc.heartbeat_ms = 200;
  sc.timeout_ms = NS_TIMEOUT_MS;
  sc.grace_ms = NS_GRACE_MS;
  sc.max_command = 64;
  sc.max_command_events = 4;
  sc.max_commands = 4;
  sc.result_history = NS_PENDING; /* every command a client can have in flight */
  e->key[0] = 0x452821E638D01377ull; /* a real key: the zero key is for tests only */
  e->key[1] = 0xBE5466CF34E90C6Cull;
  if (ns_zero_key_wanted()) {
    sc.resume_key[0] = sc.resume_key[1] = 0;
    if (synk_server_create(&sc, &e->s) == SYNK_OK) {
      e->zero_key = 1;
      synk_server_destroy(e->s);
      e->s = NULL;
    } else {
      fprintf(stderr, "fuzz_net_seq: the server refuses the zero resume key; fuzzing with a real key\n");
    }
  }
  if (!e->zero_key) sc.resume_key[0] = e->key[0], sc.resume_key[1] = e->key[1];
  sc.accept = ns_accept;
  sc.validate = ns_validate;
  sc.view_request = ns_view_request;
  sc.on_event = ns_on_event;
  sc.ctx = e;
  sc.allocator = &e->sal;
  if (synk_server_create(&sc, &e->s) != SYNK_OK) return 0;
  synk_client_config cc;
  memset(&cc, 0, sizeof cc);
  cc.max_entities = NS_ENTITIES;
  cc.num_props = NS_PROPS;
  cc.seed = NS_SEED;
  cc.room_id = NS_ROOM;
  cc.token = ns_good;
  cc.token_len = sizeof ns_good - 1;
  cc.frag_size = 512;
  cc.timeout_ms = NS_TIMEOUT_MS;
  cc.heartbeat_ms = 200;
  cc.max_view = 2 * NS_ALIVE;
  cc.max_pending = NS_PENDING;
  cc.max_command = 64;
  cc.max_command_events = 4;
  cc.predict = 1;
  cc.on_event = ns_on_client;
  cc.allocator = &e->cal;
  for (uint32_t i = 0; i < NS_HONEST; i++) {
    ns_cctxs[i].e = e;
    ns_cctxs[i].peer = i;
    cc.ctx = &ns_cctxs[i];
    if (synk_client_create(&cc, &e->c[i]) != SYNK_OK) return 0;
    ns_honest_connect(e, i);
  }
  /* hostile 0 joins with the good token: the server is full */
  uint8_t body[256];
  ns_hostile_send(e, NS_HONEST, FZ_HELLO, body,
                  ns_hello_body(body, sizeof body, ns_good, sizeof ns_good - 1, SYNK_NET_VERSION, NS_ROOM,
                                NS_ENTITIES, 0, 0, 0, 0));
  ns_hostile_read(e, NS_HONEST);
  for (int t = 0; t < 60; t++) {
    ns_tick(e, 1);
    int live = 1;
    for (uint32_t i = 0; i < NS_HONEST; i++) {
      uint64_t vh = 0;
      live &= synk_client_get_state(e->c[i]) == SYNK_CLIENT_LIVE &&
              synk_server_view_hash(e->s, synk_client_id(e->c[i]), &vh) == SYNK_OK &&
              synk_client_frame(e->c[i]) == synk_frame(e->w) && synk_client_confirmed_hash(e->c[i]) == vh;
    }
    for (uint32_t k = 0; k < NS_SLOTS; k++) live &= e->owner[k] != NS_NONE;
    if (live && t >= 8 && !e->fail) return 1;
  }
  return 0;
}

#endif
