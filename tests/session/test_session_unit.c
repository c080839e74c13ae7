/* SPDX-License-Identifier: MIT */
/*
 * Session unit tests, peers wired by hand (no simulator unless said):
 * configuration checks; lockstep never advances without every input, frame
 * 0 included; late inputs roll back to the first mispredicted frame and a
 * right prediction does not; the stall status when the window is exhausted
 * and its end when inputs arrive; disconnect and reconnect; hostile
 * datagrams refused with a status and no change; the frame advantage and the
 * wait recommendation; and golden bytes of one datagram.
 */
#include "session_util.h"
#include "session_wire.h"
#include "common/bytes.h"

#define GOLDEN "10c2ae570904"

typedef struct pair {
  synk_session *s[2];
  synk_world *w[2];
} pair;

static synk_session_config base_cfg(uint32_t local, uint32_t pred, uint32_t delay) {
  synk_session_config c;
  memset(&c, 0, sizeof c);
  c.num_players = 2;
  c.num_peers = 2;
  c.local_peer = local;
  c.player_peer[0] = 0;
  c.player_peer[1] = 1;
  c.input_size = 4;
  c.input_delay = delay;
  c.max_prediction = pred;
  c.session_id = 77;
  return c;
}

/* with_world: a world of that many entities (1: 512), all live, a hash check every 10 frames */
static void pair_open(pair *p, uint32_t pred, uint32_t delay, uint32_t with_world) {
  memset(p, 0, sizeof *p);
  for (uint32_t i = 0; i < 2; i++) {
    synk_session_config c = base_cfg(i, pred, delay);
    if (with_world) {
      uint32_t n = with_world == 1 ? 512 : with_world;
      synk_config wc = {n, 1, 9, NULL, NULL};
      CHECK_ST(synk_world_create(&wc, &p->w[i]), SYNK_OK);
      for (uint32_t id = 0; id < n; id++) synk_spawn(p->w[i], id, 1, (int32_t)id, 0, 0);
      c.world = p->w[i];
      c.desync_interval = 10;
    }
    CHECK_ST(synk_session_create(&c, &p->s[i]), SYNK_OK);
  }
}
static void pair_close(pair *p) {
  for (uint32_t i = 0; i < 2; i++) {
    synk_session_destroy(p->s[i]);
    synk_world_destroy(p->w[i]);
  }
}

/* every datagram from `from` to the other, delivered at once (or dropped) */
static uint32_t pair_send(pair *p, uint32_t from, uint64_t now, int drop) {
  uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
  uint32_t to, n = 0;
  size_t len;
  while (synk_session_poll(p->s[from], now, &to, buf, sizeof buf, &len) == SYNK_OK) {
    CHECK(to == 1 - from);
    CHECK(len <= SYNK_SESSION_DEFAULT_MTU);
    if (!drop) CHECK_ST(synk_session_receive(p->s[1 - from], now, from, buf, len), SYNK_OK);
    n++;
  }
  return n;
}

static void input_of(uint8_t in[4], uint32_t player, uint64_t frame) {
  in[0] = (uint8_t)(player * 16 + frame / 3);
  in[1] = (uint8_t)player;
  in[2] = 0;
  in[3] = (uint8_t)(frame / 5);
}

/* one attempt of peer i: add its input for its next frame, advance; requests
   are recorded (types, frames, inputs of player 1-i) into the log */
typedef struct rlog {
  uint32_t n;
  uint32_t type[64];
  uint64_t frame[64];
  uint8_t other[64][4];
  uint32_t confirmed[64];
} rlog;

static synk_status attempt(pair *p, uint32_t i, uint64_t frame_for_input, uint64_t now, rlog *lg) {
  uint8_t in[4];
  input_of(in, i, frame_for_input);
  CHECK_ST(synk_session_add_local_input(p->s[i], i, in), SYNK_OK);
  synk_status st = synk_session_advance(p->s[i], now);
  if (st != SYNK_OK) return st;
  synk_session_request rq;
  while (synk_session_next_request(p->s[i], &rq) == SYNK_OK) {
    if (lg && lg->n < 64) {
      lg->type[lg->n] = rq.type;
      lg->frame[lg->n] = rq.frame;
      lg->confirmed[lg->n] = rq.confirmed;
      if (rq.type == SYNK_REQ_ADVANCE) memcpy(lg->other[lg->n], rq.inputs + 4 * (1 - i), 4);
      lg->n++;
    }
    if (rq.type == SYNK_REQ_ADVANCE && p->w[i]) { /* the game: each player moves its entity */
      for (uint32_t q = 0; q < 2; q++)
        synk_move(p->w[i], q, (int8_t)rq.inputs[4 * q], (int8_t)rq.inputs[4 * q + 3], 0);
    }
  }
  return st;
}

/* peer `who` (player `who`) advances one frame with input `in`, requests ignored */
static void step_raw(pair *p, uint32_t who, const uint8_t *in, uint32_t now) {
  CHECK_ST(synk_session_add_local_input(p->s[who], who, in), SYNK_OK);
  CHECK_ST(synk_session_advance(p->s[who], now), SYNK_OK);
  synk_session_request rq;
  while (synk_session_next_request(p->s[who], &rq) == SYNK_OK) {}
}

static void test_config(void) {
  synk_session *s = (synk_session *)1;
  synk_session_config c = base_cfg(0, 8, 0);
  CHECK_ST(synk_session_create(NULL, &s), SYNK_E_ARG);
  CHECK(s == NULL);
  CHECK_ST(synk_session_create(&c, NULL), SYNK_E_ARG);
  const struct { int field; uint32_t v; } bad[] = {{0, 0}, {0, 17}, {1, 0}, {1, 17}, {2, 2}, {3, 0}, {3, 65},
                                                   {4, 31}, {5, 65}, {6, 100}, {7, 2}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    synk_session_config b = c;
    switch (bad[i].field) {
      case 0: b.num_players = bad[i].v; break;
      case 1: b.num_peers = bad[i].v; break;
      case 2: b.local_peer = bad[i].v; break;
      case 3: b.input_size = bad[i].v; break;
      case 4: b.input_delay = bad[i].v; break;
      case 5: b.max_prediction = bad[i].v; break;
      case 6: b.mtu = bad[i].v; break;
      default: b.player_peer[1] = (uint8_t)bad[i].v; break;
    }
    CHECK_ST(synk_session_create(&b, &s), SYNK_E_ARG);
  }
  CHECK_ST(synk_session_create(&c, &s), SYNK_OK);
  uint8_t in[4] = {0};
  CHECK_ST(synk_session_add_local_input(s, 1, in), SYNK_E_ARG); /* remote player */
  CHECK_ST(synk_session_add_local_input(s, 2, in), SYNK_E_ARG);
  CHECK_ST(synk_session_advance(s, 0), SYNK_E_ARG); /* no input added */
  CHECK(strcmp(synk_status_str(SYNK_SESSION_STALL), "SYNK_SESSION_STALL") == 0);
  synk_session_destroy(s);
  synk_session_destroy(NULL);
}

/* lockstep without delay: frame 0 needs both inputs, is a normal frame, and
   nothing advances before every input is there */
static void test_lockstep(void) {
  pair p;
  pair_open(&p, 0, 0, 1);
  rlog lg = {0};
  CHECK_ST(attempt(&p, 0, 0, 0, &lg), SYNK_SESSION_STALL);
  CHECK_ST(attempt(&p, 0, 0, 0, &lg), SYNK_SESSION_STALL); /* again: still nothing */
  CHECK(lg.n == 0);
  CHECK(synk_frame(p.w[0]) == 0);
  pair_send(&p, 0, 0, 0); /* peer 1 now has input 0 of player 0 */
  rlog l1 = {0};
  CHECK_ST(attempt(&p, 1, 0, 0, &l1), SYNK_OK); /* peer 1 has both */
  CHECK(l1.n == 1 && l1.type[0] == SYNK_REQ_ADVANCE && l1.frame[0] == 0 && l1.confirmed[0]);
  uint8_t want[4];
  input_of(want, 0, 0);
  CHECK(memcmp(l1.other[0], want, 4) == 0); /* frame 0's input of player 0, as given */
  CHECK_ST(attempt(&p, 0, 1, 1, &lg), SYNK_SESSION_STALL); /* peer 0 still lacks player 1's */
  pair_send(&p, 1, 1, 0);
  CHECK_ST(attempt(&p, 0, 1, 2, &lg), SYNK_OK);
  CHECK(lg.n == 1 && lg.frame[0] == 0 && lg.confirmed[0]);
  input_of(want, 1, 0);
  CHECK(memcmp(lg.other[0], want, 4) == 0);
  /* many frames, every one with both inputs, alternating who waits */
  uint32_t adv[2] = {1, 1};
  for (uint32_t t = 3; t < 400; t++) {
    for (uint32_t i = 0; i < 2; i++) {
      rlog l = {0};
      synk_session_stats st;
      synk_session_get_stats(p.s[i], &st);
      synk_status r = attempt(&p, i, st.frame, t, &l);
      if (r == SYNK_OK) {
        CHECK(l.n == 1 && l.type[0] == SYNK_REQ_ADVANCE && l.confirmed[0]);
        input_of(want, 1 - i, l.frame[0]);
        CHECK(memcmp(l.other[0], want, 4) == 0);
        adv[i]++;
      } else {
        CHECK(r == SYNK_SESSION_STALL);
      }
      if (t % 3 != 0) pair_send(&p, i, t, 0); /* sometimes late */
    }
  }
  CHECK(adv[0] > 100 && adv[1] > 100);
  CHECK(adv[0] + 1 >= adv[1] && adv[1] + 1 >= adv[0]); /* lockstep: never more than a frame apart */
  CHECK_EQ_U64(synk_frame(p.w[0]) < synk_frame(p.w[1]) ? synk_frame(p.w[0]) : synk_frame(p.w[1]),
               adv[0] < adv[1] ? adv[0] : adv[1]);
  pair_close(&p);
}

/* rollback: peer 0 runs ahead on predictions; peer 1's inputs arrive late;
   the first frame whose input differs from the prediction is reloaded */
static void test_rollback(void) {
  pair p;
  pair_open(&p, 8, 0, 1);
  rlog lg = {0};
  uint8_t in1[4] = {5, 1, 0, 0};
  /* peer 1: frames 0..5, its input changes at frame 3 */
  for (uint64_t f = 0; f < 6; f++) {
    if (f == 3) in1[0] = 9;
    step_raw(&p, 1, in1, 0);
  }
  /* peer 0: frames 0..5 on predictions (nothing received: zeros) */
  for (uint64_t f = 0; f < 6; f++) CHECK_ST(attempt(&p, 0, f, 0, NULL), SYNK_OK);
  /* the inputs of frames 0..2 are {5,1,0,0}: mispredicted from frame 0 */
  pair_send(&p, 1, 1, 0);
  CHECK_ST(attempt(&p, 0, 6, 2, &lg), SYNK_OK);
  CHECK(lg.n == 1 + 7 * 2 - 1); /* LOAD 0, ADVANCE 0, (SAVE, ADVANCE) 1..6 */
  CHECK(lg.type[0] == SYNK_REQ_LOAD && lg.frame[0] == 0);
  CHECK(lg.type[1] == SYNK_REQ_ADVANCE && lg.frame[1] == 0 && lg.confirmed[1]);
  CHECK(lg.other[1][0] == 5);
  CHECK(lg.type[lg.n - 1] == SYNK_REQ_ADVANCE && lg.frame[lg.n - 1] == 6 && !lg.confirmed[lg.n - 1]);
  CHECK(lg.other[lg.n - 1][0] == 9); /* predicted: the last known input repeated */
  synk_session_stats st;
  synk_session_get_stats(p.s[0], &st);
  CHECK(st.rollbacks == 1 && st.rollback_frames == 6 && st.max_rollback == 6);
  /* peer 1 continues with input 9 (as predicted): no rollback */
  pair_send(&p, 0, 3, 0);
  for (uint64_t f = 6; f < 9; f++) step_raw(&p, 1, in1, 3);
  pair_send(&p, 1, 3, 0);
  memset(&lg, 0, sizeof lg);
  CHECK_ST(attempt(&p, 0, 7, 4, &lg), SYNK_OK);
  CHECK(lg.n == 2 && lg.type[0] == SYNK_REQ_SAVE && lg.type[1] == SYNK_REQ_ADVANCE && lg.frame[1] == 7);
  CHECK(lg.confirmed[1]); /* frame 7's input of player 1 arrived before it ran */
  /* a late input that differs at frame 8 (already simulated by peer 0? no: 8
     is next) -- and one for a frame peer 0 has simulated: change at 8 after 0 ran it */
  CHECK_ST(attempt(&p, 0, 8, 5, NULL), SYNK_OK); /* frame 8 ran with the known input */
  synk_session_get_stats(p.s[0], &st);
  CHECK(st.rollbacks == 1);
  /* peer 0 advances 9, 10 on prediction 9; peer 1 sends 9 then 2 at frame 10 */
  CHECK_ST(attempt(&p, 0, 9, 6, NULL), SYNK_OK);
  CHECK_ST(attempt(&p, 0, 10, 6, NULL), SYNK_OK);
  step_raw(&p, 1, in1, 7);
  in1[0] = 2;
  step_raw(&p, 1, in1, 7);
  pair_send(&p, 1, 7, 0);
  memset(&lg, 0, sizeof lg);
  CHECK_ST(attempt(&p, 0, 11, 8, &lg), SYNK_OK);
  CHECK(lg.type[0] == SYNK_REQ_LOAD && lg.frame[0] == 10); /* the first mispredicted frame */
  CHECK(lg.type[1] == SYNK_REQ_ADVANCE && lg.other[1][0] == 2);
  pair_close(&p);
}

/* the stall: P frames past the last confirmed one, and no further; it ends
   when the inputs come */
static void test_stall(void) {
  const uint32_t P = 5;
  pair p;
  pair_open(&p, P, 0, 0);
  for (uint64_t f = 0; f < P; f++) CHECK_ST(attempt(&p, 0, f, 0, NULL), SYNK_OK);
  for (int k = 0; k < 10; k++) CHECK_ST(attempt(&p, 0, P, 0, NULL), SYNK_SESSION_STALL);
  synk_session_stats st;
  synk_session_get_stats(p.s[0], &st);
  CHECK(st.frame == P && st.stalls == 10 && st.confirmed == 0);
  /* peer 1 advances 2 frames and sends them: 2 more frames may run */
  CHECK_ST(attempt(&p, 1, 0, 0, NULL), SYNK_OK);
  CHECK_ST(attempt(&p, 1, 1, 0, NULL), SYNK_OK);
  pair_send(&p, 1, 0, 0);
  CHECK_ST(attempt(&p, 0, P, 1, NULL), SYNK_OK);
  CHECK_ST(attempt(&p, 0, P + 1, 1, NULL), SYNK_OK);
  CHECK_ST(attempt(&p, 0, P + 2, 1, NULL), SYNK_SESSION_STALL);
  synk_session_get_stats(p.s[0], &st);
  CHECK(st.confirmed == 2 && st.frame == P + 2);
  /* no input was dropped: the stalled peer 0's inputs all reach peer 1 */
  pair_send(&p, 0, 2, 0);
  synk_session_peer_stats ps;
  CHECK_ST(synk_session_get_peer_stats(p.s[1], 0, &ps), SYNK_OK);
  CHECK(ps.remote_frame == P + 3); /* frames 0..P+2 (the stalled attempt committed P+2's) */
  pair_close(&p);
}

/* silence: interrupted, then disconnected; a datagram reconnects */
static void test_disconnect(void) {
  pair p;
  pair_open(&p, 8, 0, 0);
  synk_session_event ev;
  uint32_t now = 0;
  for (uint64_t f = 0; f < 20; f++, now += 16) {
    for (uint32_t i = 0; i < 2; i++) {
      CHECK_ST(attempt(&p, i, f, now, NULL), SYNK_OK);
      pair_send(&p, i, now, 0);
    }
  }
  int connected = 0, synced = 0;
  while (synk_session_next_event(p.s[0], &ev) == SYNK_OK) {
    connected += ev.type == SYNK_SEV_CONNECTED;
    synced += ev.type == SYNK_SEV_SYNCHRONIZED;
  }
  CHECK(connected == 1 && synced == 1);
  synk_session_peer_stats ps;
  synk_session_get_peer_stats(p.s[0], 1, &ps);
  CHECK(ps.state == 1 && ps.rtt_ms <= 32);
  /* peer 1 goes silent: peer 0 stalls at the window, and its events come in time */
  int interrupted_at = -1, disconnected_at = -1;
  uint64_t f0 = 20;
  for (uint32_t t = 0; t < 300; t++, now += 16) {
    if (attempt(&p, 0, f0, now, NULL) == SYNK_OK) f0++;
    pair_send(&p, 0, now, 1); /* lost */
    while (synk_session_next_event(p.s[0], &ev) == SYNK_OK) {
      if (ev.type == SYNK_SEV_INTERRUPTED) interrupted_at = (int)t;
      if (ev.type == SYNK_SEV_DISCONNECTED) disconnected_at = (int)t;
    }
  }
  CHECK(f0 == 28); /* 8 frames of prediction, then the stall */
  CHECK(interrupted_at >= 750 / 16 - 2 && interrupted_at <= 750 / 16 + 2);
  CHECK(disconnected_at >= 3000 / 16 - 2 && disconnected_at <= 3000 / 16 + 2);
  synk_session_get_peer_stats(p.s[0], 1, &ps);
  CHECK(ps.state == 3);
  /* peer 1 comes back: reconnected, and the game goes on */
  int reconnected = 0;
  uint64_t f1 = 20;
  for (uint32_t t = 0; t < 40; t++, now += 16) {
    if (attempt(&p, 1, f1, now, NULL) == SYNK_OK) f1++;
    pair_send(&p, 1, now, 0);
    if (attempt(&p, 0, f0, now, NULL) == SYNK_OK) f0++;
    pair_send(&p, 0, now, 0);
    while (synk_session_next_event(p.s[0], &ev) == SYNK_OK) reconnected += ev.type == SYNK_SEV_CONNECTED;
  }
  CHECK(reconnected == 1);
  CHECK(f0 > 40 && f1 > 40);
  synk_session_get_peer_stats(p.s[0], 1, &ps);
  CHECK(ps.state == 1);
  pair_close(&p);
}

/* observable state of a session, for "changed nothing" */
typedef struct obs {
  synk_session_stats st;
  synk_session_peer_stats ps;
  uint8_t dg[SYNK_SESSION_DEFAULT_MTU];
  size_t len;
} obs;
static void observe(synk_session *s, uint32_t now, obs *o) {
  memset(o, 0, sizeof *o);
  synk_session_get_stats(s, &o->st);
  synk_session_get_peer_stats(s, 1, &o->ps);
  o->ps.datagrams_refused = 0;
  uint32_t to;
  synk_session_poll(s, now, &to, o->dg, sizeof o->dg, &o->len);
}

static void zero_block(const void *ctx, uint64_t g, uint8_t *out) {
  (void)ctx;
  (void)g;
  memset(out, 0, 4);
}

/* forge a datagram from peer 1 to peer 0 with the real encoder */
static size_t forge(uint8_t *out, uint64_t e, uint64_t ack, uint32_t n, uint32_t session_id) {
  sw_datagram d;
  memset(&d, 0, sizeof d);
  d.span_end = e;
  d.ack = ack;
  d.span_len = n;
  uint8_t zero[4] = {0}, scratch[SYNK_SESSION_DEFAULT_MTU];
  sw_keys k = {session_id, 1, 0};
  return sw_encode(&d, &k, 4, zero, zero_block, NULL, scratch, out, SYNK_SESSION_DEFAULT_MTU);
}

static void test_hostile(void) {
  /* two copies of peer 0 get the same honest traffic; one also gets hostile bytes */
  pair a, b;
  pair_open(&a, 8, 0, 0);
  pair_open(&b, 8, 0, 0);
  uint8_t buf[SYNK_SESSION_DEFAULT_MTU], good[SYNK_SESSION_DEFAULT_MTU];
  size_t glen = 0;
  uint32_t now = 0;
  for (uint64_t f = 0; f < 10; f++, now += 16) {
    CHECK_ST(attempt(&a, 0, f, now, NULL), SYNK_OK);
    CHECK_ST(attempt(&b, 0, f, now, NULL), SYNK_OK);
    CHECK_ST(attempt(&a, 1, f, now, NULL), SYNK_OK);
    uint32_t to;
    size_t len;
    while (synk_session_poll(a.s[0], now, &to, buf, sizeof buf, &len) == SYNK_OK)
      CHECK_ST(synk_session_receive(a.s[1], now, 0, buf, len), SYNK_OK);
    while (synk_session_poll(b.s[0], now, &to, buf, sizeof buf, &len) == SYNK_OK) {}
    while (synk_session_poll(a.s[1], now, &to, buf, sizeof buf, &len) == SYNK_OK) {
      CHECK_ST(synk_session_receive(a.s[0], now, 1, buf, len), SYNK_OK);
      CHECK_ST(synk_session_receive(b.s[0], now, 1, buf, len), SYNK_OK);
      memcpy(good, buf, len);
      glen = len;
    }
  }
  CHECK(glen > 6);
  /* the last honest datagram, hostile variants of it, and forgeries */
  uint64_t refused = 0, bad_ok = 0;
  for (size_t cut = 0; cut < glen; cut++) { /* every truncation */
    synk_status st = synk_session_receive(a.s[0], now, 1, good, cut);
    refused += st == SYNK_E_FORMAT;
    bad_ok += st == SYNK_OK;
  }
  for (size_t bit = 0; bit < glen * 8; bit++) { /* every single bit flip */
    memcpy(buf, good, glen);
    buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    synk_status st = synk_session_receive(a.s[0], now, 1, buf, glen);
    refused += st != SYNK_OK;
    bad_ok += st == SYNK_OK;
  }
  CHECK(bad_ok == 0);
  memcpy(buf, good, glen);
  buf[0] |= 0x80; /* a later version */
  CHECK_ST(synk_session_receive(a.s[0], now, 1, buf, glen), SYNK_E_FORMAT);
  /* forged frames: far in the future (cannot be placed), a span that skips
     frames, an ack of inputs never sent, another session's key */
  size_t n = forge(buf, 5000, 10, 3, 77);
  CHECK_ST(synk_session_receive(a.s[0], now, 1, buf, n), SYNK_E_FORMAT);
  n = forge(buf, 40, 10, 3, 77);
  CHECK_ST(synk_session_receive(a.s[0], now, 1, buf, n), SYNK_E_MISMATCH);
  n = forge(buf, 10, 30, 0, 77);
  CHECK_ST(synk_session_receive(a.s[0], now, 1, buf, n), SYNK_E_MISMATCH);
  n = forge(buf, 10, 10, 0, 78);
  CHECK_ST(synk_session_receive(a.s[0], now, 1, buf, n), SYNK_E_FORMAT);
  CHECK_ST(synk_session_receive(a.s[0], now, 0, good, glen), SYNK_E_ARG); /* from itself */
  CHECK_ST(synk_session_receive(a.s[0], now, 2, good, glen), SYNK_E_ARG);
  CHECK_ST(synk_session_receive(a.s[0], now, 1, NULL, 3), SYNK_E_ARG);
  /* random garbage */
  t_rng r;
  t_seed(&r, 99);
  for (int k = 0; k < 20000; k++) {
    size_t len = 1 + t_below(&r, 64);
    for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)t_next(&r);
    bad_ok += synk_session_receive(a.s[0], now, 1, buf, len) == SYNK_OK;
  }
  CHECK(bad_ok == 0);
  synk_session_peer_stats ps;
  synk_session_get_peer_stats(a.s[0], 1, &ps);
  CHECK(ps.datagrams_refused >= refused + 20000);
  /* nothing changed: same stats, same next datagram, same next step */
  obs oa, ob;
  observe(a.s[0], now, &oa);
  observe(b.s[0], now, &ob);
  CHECK(memcmp(&oa.st, &ob.st, sizeof oa.st) == 0);
  CHECK(memcmp(&oa.ps, &ob.ps, sizeof oa.ps) == 0);
  CHECK(oa.len == ob.len && memcmp(oa.dg, ob.dg, oa.len) == 0);
  rlog la = {0}, lb = {0};
  CHECK_ST(attempt(&a, 0, 10, now, &la), SYNK_OK);
  CHECK_ST(attempt(&b, 0, 10, now, &lb), SYNK_OK);
  CHECK(memcmp(&la, &lb, sizeof la) == 0);
  pair_close(&a);
  pair_close(&b);
}

/* a peer that runs ahead is told to wait */
static void test_wait(void) {
  sm_cfg c = sm_default_cfg();
  c.prediction = 12;
  c.entities = 512;
  c.frames = 2000;
  c.seed = 3;
  c.link.latency_ms = 10;
  static sm m;
  CHECK(sm_create(&m, &c));
  /* peer 1 starts 6 frames late */
  for (int t = 0; t < 6; t++) {
    uint64_t now = sm_now(m.ticks++);
    sm_deliver(&m, now);
    sm_step(&m, 0, now);
    sm_events(&m, 0);
    sm_poll(&m, 0, now);
    sm_poll(&m, 1, now);
  }
  while (!sm_all_done(&m) && m.ticks < 6000) sm_tick(&m);
  CHECK(m.p[0].counts[SYNK_SEV_WAIT] >= 1);
  synk_session_peer_stats ps;
  synk_session_get_peer_stats(m.p[0].s, 1, &ps);
  CHECK(ps.frames_ahead >= -3 && ps.frames_ahead <= 3); /* converged */
  printf("wait: %u recommendations, frames ahead at the end %d\n", m.p[0].counts[SYNK_SEV_WAIT], ps.frames_ahead);
  sm_destroy(&m);
}

/* sync test: a deterministic simulation passes; one that is not (a hidden
   counter moves an entity on its 777th call) is caught at that frame, with
   that entity */
static void synctest_run(int nondeterministic, uint64_t *bad_frame, synk_session_event *dev,
                         synk_session_event *lev, synk_session_stats *out) {
  synk_config wc = {600, 1, 4, NULL, NULL};
  synk_world *w = NULL;
  CHECK_ST(synk_world_create(&wc, &w), SYNK_OK);
  for (uint32_t id = 0; id < 600; id += 2) synk_spawn(w, id, 0, (int32_t)id, 0, 0);
  synk_session_config c = base_cfg(0, 8, 0);
  c.num_peers = 1;
  c.player_peer[1] = 0;
  c.world = w;
  c.synctest_frames = 6;
  synk_session *s = NULL;
  CHECK_ST(synk_session_create(&c, &s), SYNK_OK);
  uint64_t calls = 0;
  *bad_frame = UINT64_MAX;
  memset(dev, 0, sizeof *dev);
  memset(lev, 0, sizeof *lev);
  for (uint64_t f = 0; f < 400; f++) {
    for (uint32_t pl = 0; pl < 2; pl++) {
      uint8_t in[4];
      input_of(in, pl, f);
      CHECK_ST(synk_session_add_local_input(s, pl, in), SYNK_OK);
    }
    CHECK_ST(synk_session_advance(s, (uint32_t)f * 16), SYNK_OK);
    synk_session_request rq;
    while (synk_session_next_request(s, &rq) == SYNK_OK) {
      if (rq.type != SYNK_REQ_ADVANCE) continue;
      CHECK(synk_frame(w) == rq.frame);
      for (uint32_t pl = 0; pl < 2; pl++) synk_move(w, 2 * pl + 100 * (rq.inputs[4 * pl] % 5), 1, (int8_t)rq.inputs[4 * pl + 3], 0);
      if (nondeterministic && ++calls == 777) {
        synk_move(w, 346, 1, 0, 0);
        *bad_frame = rq.frame;
      }
    }
    synk_session_event ev;
    while (synk_session_next_event(s, &ev) == SYNK_OK) {
      if (ev.type == SYNK_SEV_DESYNC) *dev = ev;
      if (ev.type == SYNK_SEV_DESYNC_LOCALIZED) *lev = ev;
    }
  }
  synk_session_get_stats(s, out);
  synk_session_destroy(s);
  synk_world_destroy(w);
}

static void test_synctest(void) {
  synk_session_config c = base_cfg(0, 4, 0);
  synk_session *s = NULL;
  c.synctest_frames = 2; /* no world, two peers, K > P: refused */
  CHECK_ST(synk_session_create(&c, &s), SYNK_E_ARG);
  uint64_t bad;
  synk_session_event dev, lev;
  synk_session_stats st;
  synctest_run(0, &bad, &dev, &lev, &st);
  CHECK(dev.type == 0 && lev.type == 0);
  CHECK(st.checks == (400 - 5) * 6 && st.synctest_mismatches == 0);
  CHECK(st.rollbacks == 0); /* sync-test re-runs are not rollbacks */
  synctest_run(1, &bad, &dev, &lev, &st);
  CHECK(bad != UINT64_MAX);
  CHECK(dev.type == SYNK_SEV_DESYNC && dev.frame == bad && dev.local_hash != dev.remote_hash);
  CHECK(lev.type == SYNK_SEV_DESYNC_LOCALIZED && lev.frame == bad);
  CHECK(lev.num_ids == 1 && lev.ids[0] == 346 && !lev.more_ids);
  CHECK(st.synctest_mismatches >= 1);
  printf("sync test: non-determinism at frame %" PRIu64 " caught at frame %" PRIu64 ", entity %u\n", bad, dev.frame,
         lev.ids[0]);
}

/* state outside the world: the application saves and loads it on the
   requests and gives its checksum; a session without a world checks it */
typedef struct app {
  uint32_t v[8], saved[32][8];
  uint64_t calls;
} app;

static uint64_t app_sum(const app *a) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a over the state */
  for (int i = 0; i < 8; i++)
    for (int b = 0; b < 4; b++) h = (h ^ ((a->v[i] >> (8 * b)) & 0xFF)) * 1099511628211ull;
  return h;
}

/* carry out a step's requests on app state; `bad_call`: the call that goes wrong */
static void app_requests(synk_session *s, app *a, uint64_t bad_call, uint64_t *bad_frame) {
  synk_session_request rq;
  while (synk_session_next_request(s, &rq) == SYNK_OK) {
    if (rq.type == SYNK_REQ_SAVE) memcpy(a->saved[rq.frame % 32], a->v, sizeof a->v);
    if (rq.type == SYNK_REQ_LOAD) memcpy(a->v, a->saved[rq.frame % 32], sizeof a->v);
    if (rq.type != SYNK_REQ_ADVANCE) continue;
    for (uint32_t pl = 0; pl < 2; pl++) a->v[(rq.frame + pl) % 8] += rq.inputs[4 * pl] + 1u;
    if (++a->calls == bad_call) {
      a->v[3] ^= 1;
      *bad_frame = rq.frame;
    }
    CHECK_ST(synk_session_set_checksum(s, app_sum(a)), SYNK_OK);
  }
}

static void test_app_checksum(void) {
  CHECK_ST(synk_session_set_checksum(NULL, 1), SYNK_E_ARG);
  /* sync test without a world: the application's state alone */
  for (int bad = 0; bad < 2; bad++) {
    synk_session_config c = base_cfg(0, 8, 0);
    c.num_peers = 1;
    c.player_peer[1] = 0;
    c.synctest_frames = 5;
    synk_session *s = NULL;
    CHECK_ST(synk_session_create(&c, &s), SYNK_OK);
    CHECK_ST(synk_session_set_checksum(s, 1), SYNK_E_ARG); /* no ADVANCE carried out */
    app a;
    memset(&a, 0, sizeof a);
    uint64_t bad_frame = UINT64_MAX, desync_frame = UINT64_MAX;
    int localized = 0;
    for (uint64_t f = 0; f < 300; f++) {
      for (uint32_t pl = 0; pl < 2; pl++) {
        uint8_t in[4];
        input_of(in, pl, f);
        CHECK_ST(synk_session_add_local_input(s, pl, in), SYNK_OK);
      }
      CHECK_ST(synk_session_advance(s, 0), SYNK_OK);
      app_requests(s, &a, bad ? 500 : 0, &bad_frame);
      synk_session_event ev;
      while (synk_session_next_event(s, &ev) == SYNK_OK) {
        if (ev.type == SYNK_SEV_DESYNC) desync_frame = ev.frame;
        localized += ev.type == SYNK_SEV_DESYNC_LOCALIZED;
      }
    }
    CHECK(localized == 0);
    CHECK(bad ? desync_frame == bad_frame && bad_frame != UINT64_MAX : desync_frame == UINT64_MAX);
    synk_session_destroy(s);
  }
  /* two peers without a world: peer 1's state goes wrong at frame 57; the
     desync is reported at checkpoint 59 by both, without entities */
  synk_session *s[2];
  app a[2];
  memset(a, 0, sizeof a);
  for (uint32_t i = 0; i < 2; i++) {
    synk_session_config c = base_cfg(i, 8, 0);
    c.desync_interval = 10;
    CHECK_ST(synk_session_create(&c, &s[i]), SYNK_OK);
  }
  uint64_t desync[2] = {UINT64_MAX, UINT64_MAX}, bad_frame = UINT64_MAX;
  for (uint32_t t = 0; t < 200; t++) {
    for (uint32_t i = 0; i < 2; i++) {
      uint8_t in[4];
      input_of(in, i, t);
      CHECK_ST(synk_session_add_local_input(s[i], i, in), SYNK_OK);
      if (synk_session_advance(s[i], t * 16) == SYNK_OK) app_requests(s[i], &a[i], 0, &bad_frame);
      if (i == 1 && t == 57) a[1].v[0] += 1000; /* after frame 57 ran on peer 1 */
      uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
      uint32_t to;
      size_t len;
      while (synk_session_poll(s[i], t * 16, &to, buf, sizeof buf, &len) == SYNK_OK)
        CHECK_ST(synk_session_receive(s[1 - i], t * 16, i, buf, len), SYNK_OK);
      synk_session_event ev;
      while (synk_session_next_event(s[i], &ev) == SYNK_OK) {
        CHECK(ev.type != SYNK_SEV_DESYNC_LOCALIZED);
        if (ev.type == SYNK_SEV_DESYNC) desync[i] = ev.frame;
      }
    }
  }
  printf("app checksums: desync at %" PRIu64 " / %" PRIu64 "\n", desync[0], desync[1]);
  CHECK(desync[0] == 59 && desync[1] == 59);
  synk_session_stats st;
  synk_session_get_stats(s[0], &st);
  CHECK(st.checks >= 5);
  synk_session_destroy(s[0]);
  synk_session_destroy(s[1]);
}

/* the check of a datagram of span end e from `from` to `to`, appended to
   buf[0..n) (docs/wire-format.md: CRC-32C of the pseudo-header and the bytes) */
static size_t seal(uint8_t *buf, size_t n, uint32_t session_id, uint32_t from, uint32_t to, uint64_t e) {
  uint8_t ph[14];
  for (int i = 0; i < 4; i++) ph[i] = (uint8_t)(session_id >> (8 * i));
  ph[4] = (uint8_t)from;
  ph[5] = (uint8_t)to;
  for (int i = 0; i < 8; i++) ph[6 + i] = (uint8_t)(e >> (8 * i));
  uint32_t c = synk_crc32c(synk_crc32c(0, ph, sizeof ph), buf, n);
  for (int i = 0; i < 4; i++) buf[n + (size_t)i] = (uint8_t)(c >> (8 * i));
  return n + 4;
}

/* one encoding per message (issue 19): the empty datagram of frame 0 (no
   inputs, ack 0, no extension) is 00 00 and its check. Six other byte strings
   decode to the same message and pass the check -- each escaped header field
   (A = 15, N = 15, C = 3) holding 0 where the short form holds it, once as
   00 and once overlong as 80 00: each is refused and changes nothing; the
   canonical one is accepted */
static void test_canonical_empty(void) {
  static const uint8_t alt[6][4] = {{0x3C, 0x00, 0x00}, {0x3C, 0x00, 0x80, 0x00}, {0x00, 0x0F, 0x00},
                                    {0x00, 0x0F, 0x80, 0x00}, {0x03, 0x00, 0x00}, {0x03, 0x00, 0x80, 0x00}};
  static const size_t alt_len[6] = {3, 4, 3, 4, 3, 4};
  pair p;
  pair_open(&p, 8, 0, 0);
  uint8_t buf[16];
  sw_keys keys = {77, 1, 0};
  sw_datagram d;
  for (int k = 0; k < 6; k++) {
    memcpy(buf, alt[k], alt_len[k]);
    size_t n = seal(buf, alt_len[k], 77, 1, 0, 0);
    CHECK_ST(sw_decode(buf, n, &keys, 0, 40, 4, 32, &d), SYNK_E_FORMAT);
    CHECK_ST(synk_session_receive(p.s[0], 0, 1, buf, n), SYNK_E_FORMAT);
  }
  synk_session_peer_stats ps;
  synk_session_get_peer_stats(p.s[0], 1, &ps);
  CHECK(ps.datagrams_refused == 6 && ps.datagrams_received == 0 && ps.state == 0);
  buf[0] = buf[1] = 0;
  size_t n = seal(buf, 2, 77, 1, 0, 0);
  CHECK_ST(sw_decode(buf, n, &keys, 0, 40, 4, 32, &d), SYNK_OK);
  CHECK(d.span_end == 0 && d.ack == 0 && d.span_len == 0 && d.num_changes == 0 && !d.has_ping);
  CHECK_ST(synk_session_receive(p.s[0], 0, 1, buf, n), SYNK_OK);
  synk_session_get_peer_stats(p.s[0], 1, &ps);
  CHECK(ps.datagrams_refused == 6 && ps.datagrams_received == 1 && ps.state == 1);
  pair_close(&p);
}

/* more alternative encodings, each next to the canonical one (accepted):
   overlong varints in an escaped field, a change record's head and each
   extension's fields; a change record rewriting a byte with the value the
   span's previous record gave it (the frame repeats: no record); a listed
   fingerprint without bit 0 (0 is "dead, not listed") */
static void test_canonical_fields(void) {
  /* datagrams of span end e = 8 from peer 1 (a 4-byte block) */
  static const struct {
    uint8_t ok;
    uint8_t n;
    uint8_t b[40];
  } v[] = {
      /* A = 15: zz(e - ack) = 16 (ack = 0), then 10 overlong */
      {1, 3, {0x3C, 0x80, 0x10}},
      {0, 4, {0x3C, 0x80, 0x90, 0x00}},
      /* N = 15 holding 15 frames is malformed here (n > e), so n = 8, C = 3 holding 3 records */
      {1, 9, {0x23, 0x88, 0x03, 0x01, 0x05, 0x01, 0x06, 0x01, 0x07}},
      {0, 10, {0x23, 0x88, 0x83, 0x00, 0x01, 0x05, 0x01, 0x06, 0x01, 0x07}},
      {0, 10, {0x23, 0x88, 0x03, 0x81, 0x00, 0x05, 0x01, 0x06, 0x01, 0x07}},
      /* two records, the second rewriting byte 0 with the value it has */
      {1, 6, {0x22, 0x83, 0x01, 0x05, 0x01, 0x06}},
      {0, 6, {0x22, 0x83, 0x01, 0x05, 0x01, 0x05}},
      /* ... or through another byte: masks 0x3 then 0x3, byte 1 unchanged */
      {0, 8, {0x22, 0x83, 0x03, 0x05, 0x07, 0x03, 0x06, 0x07}},
      {1, 7, {0x22, 0x83, 0x03, 0x05, 0x07, 0x01, 0x06}},
      /* ping: u16 clock, varint zz(advantage) */
      {1, 6, {0x40, 0x80, 0x01, 0x34, 0x12, 0x00}},
      {0, 7, {0x40, 0x80, 0x01, 0x34, 0x12, 0x80, 0x00}},
      /* hash report of frame 7: varint zz(e - 7) = 2, u64 */
      {1, 12, {0x40, 0x80, 0x04, 0x02, 1, 2, 3, 4, 5, 6, 7, 8}},
      {0, 13, {0x40, 0x80, 0x04, 0x82, 0x00, 1, 2, 3, 4, 5, 6, 7, 8}},
      /* chunk sums: first 0, count 1 (overlong count) */
      {1, 15, {0x40, 0x80, 0x20, 0x00, 0x02, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8}},
      {0, 16, {0x40, 0x80, 0x20, 0x00, 0x02, 0x00, 0x81, 0x00, 1, 2, 3, 4, 5, 6, 7, 8}},
      /* entity fingerprints of chunk 0, piece 1: slot 5, fingerprint 0x...01 / 0 / 2 */
      {1, 13, {0x40, 0x80, 0x20, 0x00, 0x03, 0x00, 0x01, 0x01, 0x05, 0x01, 0x00, 0x00, 0x80}},
      {0, 13, {0x40, 0x80, 0x20, 0x00, 0x03, 0x00, 0x01, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00}},
      {0, 13, {0x40, 0x80, 0x20, 0x00, 0x03, 0x00, 0x01, 0x01, 0x05, 0x02, 0x00, 0x00, 0x80}},
  };
  sw_keys keys = {77, 1, 0};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    uint8_t buf[64];
    memcpy(buf, v[k].b, v[k].n);
    size_t n = seal(buf, v[k].n, 77, 1, 0, 8);
    sw_datagram d;
    synk_status st = sw_decode(buf, n, &keys, 8, 40, 4, 32, &d);
    if (st != (v[k].ok ? SYNK_OK : SYNK_E_FORMAT)) fprintf(stderr, "canonical case %zu\n", k);
    CHECK_ST(st, v[k].ok ? SYNK_OK : SYNK_E_FORMAT);
  }
  /* a span's first record against the frame before it (all zeros before the
     input delay), which only the session holds: frame 0 of peer 1 "changes"
     byte 1 to the 0 it has -- the codec cannot tell, the session refuses */
  pair p;
  pair_open(&p, 8, 0, 0);
  uint8_t buf[16] = {0x09, 0x11, 0x03, 0x05, 0x00};
  size_t n = seal(buf, 5, 77, 1, 0, 1);
  sw_datagram d;
  CHECK_ST(sw_decode(buf, n, &keys, 0, 40, 4, 32, &d), SYNK_OK);
  CHECK_ST(synk_session_receive(p.s[0], 0, 1, buf, n), SYNK_E_FORMAT);
  static const uint8_t ok[4] = {0x09, 0x11, 0x01, 0x05};
  memcpy(buf, ok, 4);
  n = seal(buf, 4, 77, 1, 0, 1);
  CHECK_ST(synk_session_receive(p.s[0], 0, 1, buf, n), SYNK_OK);
  synk_session_peer_stats ps;
  synk_session_get_peer_stats(p.s[0], 1, &ps);
  CHECK(ps.datagrams_refused == 1 && ps.remote_frame == 1);
  pair_close(&p);
}

/* the check of a datagram from peer 1 to peer 0 as peer 0 places it */
static int decode_from1(pair *p, const uint8_t *buf, size_t len, sw_datagram *d) {
  synk_session_stats st;
  synk_session_get_stats(p->s[0], &st);
  sw_keys keys = {77, 1, 0};
  return sw_decode(buf, len, &keys, st.frame, 40, 4, 32, d) == SYNK_OK;
}

/* issue 19, bug 3: a world over 8192 entities has more chunk sums (36 here)
   than one localization piece carries. Peer 1 lies in every hash report it
   sends; peer 0 sees a desync at the first check and localizes it with
   peer 1, sending its chunk sums in pieces peer 1 must accept: every
   datagram is accepted both ways and both peers play on */
static void test_big_world_claim(void) {
  pair p;
  pair_open(&p, 8, 0, 9000);
  uint64_t f[2] = {0, 0};
  uint32_t now = 0, desync = 0, lies = 0;
  for (uint32_t t = 0; t < 400; t++, now += 16) {
    for (uint32_t i = 0; i < 2; i++)
      if (f[i] < 300 && attempt(&p, i, f[i], now, NULL) == SYNK_OK) f[i]++;
    pair_send(&p, 0, now, 0);
    uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
    uint32_t to;
    size_t len;
    while (synk_session_poll(p.s[1], now, &to, buf, sizeof buf, &len) == SYNK_OK) {
      sw_datagram d;
      CHECK(decode_from1(&p, buf, len, &d));
      if (d.has_hash) { /* the report's u64, found by value, falsified and sealed again */
        for (size_t i = 0; i + 12 <= len; i++)
          if (synk_load_le64(buf + i) == d.hash) {
            buf[i] ^= 1;
            seal(buf, len - 4, 77, 1, 0, d.span_end);
            lies++;
            break;
          }
      }
      CHECK_ST(synk_session_receive(p.s[0], now, 1, buf, len), SYNK_OK);
    }
    synk_session_event ev;
    while (synk_session_next_event(p.s[0], &ev) == SYNK_OK) desync += ev.type == SYNK_SEV_DESYNC && ev.peer == 1;
  }
  printf("big world claim: frames %" PRIu64 " / %" PRIu64 ", %u lies, %u desyncs\n", f[0], f[1], lies, desync);
  CHECK(f[0] == 300 && f[1] == 300);
  CHECK(lies > 0 && desync == 1);
  for (uint32_t i = 0; i < 2; i++) {
    synk_session_peer_stats ps;
    synk_session_get_peer_stats(p.s[i], 1 - i, &ps);
    CHECK(ps.datagrams_refused == 0);
  }
  pair_close(&p);
}

static void player1_block(const void *ctx, uint64_t g, uint8_t *out) {
  (void)ctx;
  input_of(out, 1, g);
}

/* issue 19: a well-formed extension the receiver cannot use -- localization
   data naming chunks its world does not have (2 here) -- is dropped alone:
   the datagram's inputs and ack still count */
static void test_unusable_extension(void) {
  for (int kind = 0; kind < 2; kind++) {
    pair p;
    pair_open(&p, 8, 0, 1);
    CHECK_ST(attempt(&p, 0, 0, 0, NULL), SYNK_OK);
    sw_datagram d;
    memset(&d, 0, sizeof d);
    d.span_end = 3;
    d.ack = 1;
    d.span_len = 3;
    uint64_t sums[1] = {42};
    uint32_t fp[2] = {0, 0x4321};
    d.has_loc_data = 1;
    d.loc_frame = 0;
    d.loc_kind = kind ? SW_LOC_ENTS : SW_LOC_CHUNKS;
    d.loc_first = kind ? 2 : 1; /* chunks [1, 3) / chunk 2 */
    d.loc_count = 2;
    d.loc_chunks = sums;
    d.loc_fp = fp;
    d.loc_fp_count = 2;
    uint64_t two[2] = {42, 43};
    if (!kind) d.loc_chunks = two;
    uint8_t buf[SYNK_SESSION_DEFAULT_MTU], scratch[SYNK_SESSION_DEFAULT_MTU], zero[4] = {0};
    sw_keys k = {77, 1, 0};
    size_t n = sw_encode(&d, &k, 4, zero, player1_block, NULL, scratch, buf, sizeof buf);
    CHECK(d.has_loc_data && d.span_len == 3);
    CHECK_ST(synk_session_receive(p.s[0], 0, 1, buf, n), SYNK_OK);
    synk_session_peer_stats ps;
    synk_session_get_peer_stats(p.s[0], 1, &ps);
    CHECK(ps.remote_frame == 3 && ps.extensions_ignored == 1 && ps.datagrams_refused == 0);
    rlog lg = {0};
    /* frame 0 ran on a prediction that was wrong: rolled back, then 0 and 1
       run with player 1's inputs, confirmed */
    CHECK_ST(attempt(&p, 0, 1, 0, &lg), SYNK_OK);
    uint8_t want0[4], want1[4];
    input_of(want0, 1, 0);
    input_of(want1, 1, 1);
    CHECK(lg.n == 4 && lg.type[0] == SYNK_REQ_LOAD && lg.frame[0] == 0);
    CHECK(lg.type[1] == SYNK_REQ_ADVANCE && lg.confirmed[1] && memcmp(lg.other[1], want0, 4) == 0);
    CHECK(lg.type[3] == SYNK_REQ_ADVANCE && lg.confirmed[3] && memcmp(lg.other[3], want1, 4) == 0);
    pair_close(&p);
  }
}

/* a span never holds frames below the input delay (they are all zero and
   never sent): one starting below it is refused, one starting at it accepted */
static void test_span_below_delay(void) {
  pair p;
  pair_open(&p, 8, 2, 0);
  uint8_t buf[SYNK_SESSION_DEFAULT_MTU], scratch[SYNK_SESSION_DEFAULT_MTU], zero[4] = {0};
  sw_keys k = {77, 1, 0};
  for (uint32_t n = 2; n >= 1; n--) {
    sw_datagram d;
    memset(&d, 0, sizeof d);
    d.span_end = 3;
    d.ack = 2;
    d.span_len = n; /* frames [1, 3), then [2, 3) */
    size_t len = sw_encode(&d, &k, 4, zero, zero_block, NULL, scratch, buf, sizeof buf);
    CHECK_ST(synk_session_receive(p.s[0], 0, 1, buf, len), n == 2 ? SYNK_E_MISMATCH : SYNK_OK);
  }
  synk_session_peer_stats ps;
  synk_session_get_peer_stats(p.s[0], 1, &ps);
  CHECK(ps.datagrams_refused == 1 && ps.remote_frame == 3);
  pair_close(&p);
}

/* golden bytes: a datagram's layout is the format's, on every target */
static void test_golden(void) {
  uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
  size_t n = forge(buf, 300, 298, 2, 77);
  char hex[64] = {0};
  for (size_t i = 0; i < n && i < 31; i++) snprintf(hex + 2 * i, 3, "%02x", buf[i]);
  printf("golden: %s\n", hex);
  CHECK(n == 6);
  CHECK(strcmp(hex, GOLDEN) == 0);
}

/* the API's dialect (docs/dialect.md): config defaults by name, 0 meaning
   the default; SYNK_EMPTY ends every pull; a poll buffer below the mtu is
   told the size and loses nothing; a bounded event queue drops the oldest
   and counts it; a uint64 clock far past 2^32 ms */
static void test_dialect(void) {
  synk_session_config c;
  memset(&c, 0xFF, sizeof c);
  synk_session_config_defaults(&c);
  CHECK(c.mtu == SYNK_SESSION_DEFAULT_MTU && c.max_events == SYNK_SESSION_DEFAULT_MAX_EVENTS &&
        c.disconnect_notify_ms == SYNK_SESSION_DEFAULT_DISCONNECT_NOTIFY_MS &&
        c.disconnect_timeout_ms == SYNK_SESSION_DEFAULT_DISCONNECT_TIMEOUT_MS);
  CHECK(c.num_players == 0 && c.num_peers == 0 && c.input_size == 0 && c.max_prediction == 0 && c.world == NULL &&
        c.allocator == NULL && c.synctest_frames == 0 && c.desync_interval == 0 && c.player_peer[1] == 0);
  synk_session_config_defaults(NULL);
  synk_session *s = NULL;
  CHECK_ST(synk_session_create(&c, &s), SYNK_E_ARG); /* no players: no default */
  c.num_players = c.num_peers = 2;
  c.player_peer[1] = 1;
  c.input_size = 4;
  c.max_events = SYNK_SESSION_MAX_EVENTS + 1;
  CHECK_ST(synk_session_create(&c, &s), SYNK_E_ARG);
  c.mtu = SYNK_SESSION_MAX_MTU + 1;
  c.max_events = SYNK_SESSION_MAX_EVENTS;
  CHECK_ST(synk_session_create(&c, &s), SYNK_E_ARG);
  c.mtu = 0; /* the default */
  CHECK_ST(synk_session_create(&c, &s), SYNK_OK);
  synk_session_request rq;
  synk_session_event ev;
  uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
  uint32_t to = 7;
  size_t len = 1;
  CHECK_ST(synk_session_next_request(s, &rq), SYNK_EMPTY);
  CHECK_ST(synk_session_next_event(s, &ev), SYNK_EMPTY);
  CHECK_ST(synk_session_poll(s, 0, &to, buf, sizeof buf - 1, &len), SYNK_E_SPACE);
  CHECK(len == SYNK_SESSION_DEFAULT_MTU && to == 7);
  CHECK_ST(synk_session_poll(s, 0, &to, buf, sizeof buf, &len), SYNK_OK); /* the datagram is still due */
  CHECK(to == 1 && len >= 6);
  CHECK_ST(synk_session_poll(s, 0, &to, buf, sizeof buf, &len), SYNK_EMPTY);
  CHECK(len == 0);
  CHECK_ST(synk_session_poll(s, 0, NULL, buf, sizeof buf, &len), SYNK_E_ARG);
  CHECK_ST(synk_session_poll(s, 0, &to, NULL, sizeof buf, &len), SYNK_E_ARG);
  CHECK_ST(synk_session_poll(s, 0, &to, buf, sizeof buf, NULL), SYNK_E_ARG);
  CHECK_ST(synk_session_poll(NULL, 0, &to, buf, sizeof buf, &len), SYNK_E_ARG);
  CHECK_ST(synk_session_next_request(s, NULL), SYNK_E_ARG);
  CHECK_ST(synk_session_next_request(NULL, &rq), SYNK_E_ARG);
  CHECK_ST(synk_session_next_event(s, NULL), SYNK_E_ARG);
  CHECK_ST(synk_session_next_event(NULL, &ev), SYNK_E_ARG);
  synk_session_destroy(s);
  /* two events kept: connected and synchronized, then interrupted and
     disconnected push them out (counted), oldest first; the clock starts
     far past 2^32 ms */
  pair p;
  memset(&p, 0, sizeof p);
  for (uint32_t i = 0; i < 2; i++) {
    synk_session_config b = base_cfg(i, 8, 0);
    b.max_events = 2;
    CHECK_ST(synk_session_create(&b, &p.s[i]), SYNK_OK);
  }
  uint64_t now = (uint64_t)1 << 40, f = 0;
  for (; f < 20; f++, now += 16)
    for (uint32_t i = 0; i < 2; i++) {
      CHECK_ST(attempt(&p, i, f, now, NULL), SYNK_OK);
      pair_send(&p, i, now, 0);
    }
  synk_session_stats st;
  synk_session_peer_stats ps;
  synk_session_get_stats(p.s[0], &st);
  synk_session_get_peer_stats(p.s[0], 1, &ps);
  CHECK(st.events_dropped == 0 && ps.state == 1 && ps.rtt_ms <= 32);
  for (uint32_t t = 0; t < 250; t++, now += 16) { /* peer 1 silent: past disconnect_timeout_ms */
    if (attempt(&p, 0, f, now, NULL) == SYNK_OK) f++;
    pair_send(&p, 0, now, 1);
  }
  synk_session_get_stats(p.s[0], &st);
  CHECK(st.events_dropped == 2);
  CHECK_ST(synk_session_next_event(p.s[0], &ev), SYNK_OK);
  CHECK(ev.type == SYNK_SEV_INTERRUPTED && ev.peer == 1);
  CHECK_ST(synk_session_next_event(p.s[0], &ev), SYNK_OK);
  CHECK(ev.type == SYNK_SEV_DISCONNECTED && ev.peer == 1);
  CHECK_ST(synk_session_next_event(p.s[0], &ev), SYNK_EMPTY);
  pair_close(&p);
}

int main(void) {
  test_config();
  test_dialect();
  test_lockstep();
  test_rollback();
  test_stall();
  test_disconnect();
  test_hostile();
  test_wait();
  test_golden();
  test_canonical_empty();
  test_canonical_fields();
  test_big_world_claim();
  test_unusable_extension();
  test_span_below_delay();
  test_synctest();
  test_app_checksum();
  return t_done("test_session_unit");
}
