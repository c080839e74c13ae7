/* SPDX-License-Identifier: MIT */
/*
 * The network simulator's message channels: each direction delivers in
 * order, intact, nothing lost or duplicated, at max(send + latency + jitter,
 * the previous delivery); the bounds push back and a refused send changes
 * nothing; every kind of close (abort, flush, scheduled, random) loses
 * exactly the messages not yet delivered and reaches both ends once; holds;
 * handles are reused only after both ends were told; the same seed gives the
 * same trace, another seed another; channels never move the datagrams'
 * draws; every refused call changes nothing; config bounds and out of memory.
 */
#include "synk_netsim.h"
#include "test_util.h"

#define MAXMSG 256u

/* a simulator with these channels (the rest of the config left 0: its defaults) */
static synk_netsim *mk(uint32_t channels, uint32_t bytes, uint32_t msgs, uint32_t max_message, uint64_t seed) {
  const synk_netsim_config c = {
      .max_channels = channels, .channel_bytes = bytes, .channel_msgs = msgs, .max_message = max_message, .seed = seed};
  synk_netsim *ns = NULL;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_OK);
  return ns;
}

static synk_netsim_channel_link chlink(uint32_t lat0, uint32_t lat1, uint32_t jit0, uint32_t jit1, uint32_t drop) {
  synk_netsim_channel_link l;
  l.latency_ms[0] = lat0;
  l.latency_ms[1] = lat1;
  l.jitter_ms[0] = jit0;
  l.jitter_ms[1] = jit1;
  l.drop_ppm = drop;
  return l;
}

/* a message: its number in its direction, then bytes that depend on it */
static size_t msg_make(uint8_t *buf, uint32_t seq, uint32_t tag, size_t len) {
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(i < 4 ? seq >> (8 * i) : (seq * 31u + tag * 7u + i) & 0xFF);
  return len;
}
static int msg_check(const uint8_t *buf, size_t len, uint32_t tag, uint32_t *seq) {
  if (len < 4) return 0;
  *seq = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
  for (size_t i = 4; i < len; i++)
    if (buf[i] != (uint8_t)((*seq * 31u + tag * 7u + i) & 0xFF)) return 0;
  return 1;
}

static size_t recv_one(synk_netsim *ns, uint64_t now, synk_netsim_arrival *a, uint8_t *buf, synk_status want) {
  size_t len = 12345;
  CHECK_ST(synk_netsim_channel_recv(ns, now, a, buf, MAXMSG, &len), want);
  return len;
}

/* ---- order under jitter ------------------------------------------------------------- */

#define ORDER_MS 20000u

static void test_order_under_jitter(void) {
  synk_netsim *ns = mk(2, 1u << 14, 512, 64, 5);
  synk_netsim_channel_link jittery = chlink(10, 3, 50, 20, 0), flat = chlink(7, 0, 0, 0, 0);
  uint32_t ch[2];
  CHECK_ST(synk_netsim_channel_open(ns, 0, &jittery, &ch[0]), SYNK_OK);
  CHECK_ST(synk_netsim_channel_open(ns, 0, &flat, &ch[1]), SYNK_OK);
  CHECK(ch[0] == 0 && ch[1] == 1);
  static uint64_t sent_at[2][2][ORDER_MS];
  uint32_t sent[2][2] = {{0}}, got[2][2] = {{0}}, bad = 0, behind = 0, delays[64] = {0};
  uint64_t prev_at[2][2] = {{0}}, last_t = 0;
  uint8_t buf[MAXMSG];
  for (uint64_t t = 0; t < ORDER_MS + 100; t++) {
    for (uint32_t c = 0; c < 2 && t < ORDER_MS; c++)
      for (uint32_t e = 0; e < 2; e++) {
        size_t room = 0, len = 4 + sent[c][e] % 60;
        CHECK_ST(synk_netsim_channel_room(ns, ch[c], e, &room), SYNK_OK);
        if (room < len) continue;
        msg_make(buf, sent[c][e], c * 2 + e, len);
        CHECK_ST(synk_netsim_channel_send(ns, t, ch[c], e, buf, len), SYNK_OK);
        sent_at[c][e][sent[c][e]++] = t;
      }
    synk_netsim_arrival a;
    size_t len;
    while (synk_netsim_channel_recv(ns, t, &a, buf, sizeof buf, &len) == SYNK_OK) {
      const uint32_t c = a.channel, from = 1 - a.end;
      uint32_t seq = 0;
      if (c > 1 || a.end > 1 || a.closed || !msg_check(buf, len, c * 2 + from, &seq) || seq != got[c][from] ||
          len != 4 + seq % 60 || t < last_t) {
        bad++;
        continue;
      }
      const synk_netsim_channel_link *l = c ? &flat : &jittery;
      const uint64_t earliest = sent_at[c][from][seq] + l->latency_ms[from];
      const uint64_t latest = earliest + l->jitter_ms[from];
      /* pulled every ms, so t is the due time: max(send + latency + draw, the previous one's) */
      if (t < earliest || t < prev_at[c][from] || (t > latest && t != prev_at[c][from])) bad++;
      if (c == 0 && from == 0) {
        delays[t - earliest < 64 ? t - earliest : 63]++;
        behind += t > earliest && t == prev_at[c][from];
      }
      prev_at[c][from] = t;
      last_t = t;
      got[c][from]++;
    }
  }
  CHECK(bad == 0);
  for (uint32_t c = 0; c < 2; c++)
    for (uint32_t e = 0; e < 2; e++) CHECK(got[c][e] == sent[c][e] && sent[c][e] > ORDER_MS / 2);
  uint32_t distinct = 0;
  for (int i = 0; i < 64; i++) distinct += delays[i] != 0;
  CHECK(distinct >= 25); /* the jitter spreads the delays over [0, 50] (33 here; 1 without jitter) */
  CHECK(behind > 100);   /* and many messages wait for the one before them */
  synk_netsim_stats st;
  CHECK_ST(synk_netsim_get_stats(ns, &st), SYNK_OK);
  CHECK(st.messages_sent == st.messages_delivered && st.messages_lost == 0 && st.channels_opened == 2);
  CHECK(st.sent == 0 && st.delivered == 0); /* no datagram */
  synk_netsim_destroy(ns);
}

/* ---- bounds and backpressure ----------------------------------------------------------- */

static int same_info(const synk_netsim *ns, uint32_t ch, const synk_netsim_channel_info *before) {
  synk_netsim_channel_info now;
  return synk_netsim_channel_get_info(ns, ch, &now) == SYNK_OK && memcmp(&now, before, sizeof now) == 0;
}

static void test_bounds(void) {
  synk_netsim *ns = mk(1, 100, 4, 40, 1);
  synk_netsim_channel_link l = chlink(10, 10, 0, 0, 0);
  uint32_t ch = 9;
  CHECK_ST(synk_netsim_channel_open(ns, 0, &l, &ch), SYNK_OK);
  uint8_t buf[MAXMSG] = {0};
  size_t room = 0;
  CHECK_ST(synk_netsim_channel_room(ns, ch, 0, &room), SYNK_OK);
  CHECK(room == 40);
  CHECK_ST(synk_netsim_channel_send(ns, 0, ch, 0, buf, 41), SYNK_E_ARG); /* never fits */
  CHECK_ST(synk_netsim_channel_send(ns, 0, ch, 0, buf, 40), SYNK_OK);
  CHECK_ST(synk_netsim_channel_send(ns, 0, ch, 0, buf, 40), SYNK_OK);
  CHECK_ST(synk_netsim_channel_room(ns, ch, 0, &room), SYNK_OK);
  CHECK(room == 20);
  synk_netsim_channel_info before;
  synk_netsim_stats st0, st1;
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &before), SYNK_OK);
  CHECK(before.msgs[0] == 2 && before.bytes[0] == 80 && before.msgs[1] == 0);
  synk_netsim_get_stats(ns, &st0);
  CHECK_ST(synk_netsim_channel_send(ns, 0, ch, 0, buf, 21), SYNK_E_SPACE); /* bytes bound */
  synk_netsim_get_stats(ns, &st1);
  CHECK(same_info(ns, ch, &before) && memcmp(&st0, &st1, sizeof st0) == 0);
  CHECK_ST(synk_netsim_channel_send(ns, 0, ch, 0, buf, 20), SYNK_OK);
  CHECK_ST(synk_netsim_channel_room(ns, ch, 0, &room), SYNK_OK);
  CHECK(room == 0);
  CHECK_ST(synk_netsim_channel_send(ns, 1, ch, 0, buf, 1), SYNK_E_SPACE);
  /* the other direction has its own bounds: 4 messages */
  CHECK_ST(synk_netsim_channel_room(ns, ch, 1, &room), SYNK_OK);
  CHECK(room == 40);
  for (int i = 0; i < 4; i++) CHECK_ST(synk_netsim_channel_send(ns, 1, ch, 1, buf, 1), SYNK_OK);
  CHECK_ST(synk_netsim_channel_room(ns, ch, 1, &room), SYNK_OK);
  CHECK(room == 0);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &before), SYNK_OK);
  CHECK_ST(synk_netsim_channel_send(ns, 1, ch, 1, buf, 1), SYNK_E_SPACE); /* messages bound */
  CHECK(same_info(ns, ch, &before));
  /* nothing before the latency; a buffer too small is told the size and loses nothing */
  synk_netsim_arrival a = {7, 7, 7, 7};
  CHECK(recv_one(ns, 9, &a, buf, SYNK_EMPTY) == 0);
  size_t len = 0;
  CHECK_ST(synk_netsim_channel_recv(ns, 10, &a, buf, 39, &len), SYNK_E_SPACE);
  CHECK(len == 40 && a.channel == 7 && a.end == 7 && a.closed == 7);
  CHECK(same_info(ns, ch, &before));
  CHECK(recv_one(ns, 10, &a, buf, SYNK_OK) == 40 && a.channel == ch && a.end == 1 && a.closed == 0);
  CHECK_ST(synk_netsim_channel_room(ns, ch, 0, &room), SYNK_OK);
  CHECK(room == 40); /* delivered bytes leave the bound */
  /* the rest: end 0's two others, then end 1's four (send order at equal due times) */
  uint32_t ends = 0;
  for (int i = 0; i < 6; i++) {
    len = recv_one(ns, 11, &a, buf, SYNK_OK);
    ends = ends << 1 | a.end;
    CHECK(len == (i == 0 ? 40u : i == 1 ? 20u : 1u));
  }
  CHECK(ends == 0x30);
  recv_one(ns, 11, &a, buf, SYNK_EMPTY);
  synk_netsim_destroy(ns);

  /* the rings wrap: random sizes through a 100-byte, 4-message direction, every byte checked */
  ns = mk(1, 100, 4, 40, 2);
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &ch), SYNK_OK);
  t_rng r;
  t_seed(&r, 99);
  uint32_t next_send = 0, next_recv = 0, bad = 0, refused = 0;
  for (uint64_t t = 0; t < 20000; t++) {
    if (t_below(&r, 2)) {
      const size_t want = 4 + t_below(&r, 37);
      CHECK_ST(synk_netsim_channel_room(ns, ch, 0, &room), SYNK_OK);
      msg_make(buf, next_send, 0, want);
      const synk_status s = synk_netsim_channel_send(ns, t, ch, 0, buf, want);
      if (s == SYNK_OK) next_send++;
      refused += s == SYNK_E_SPACE;
      if ((s == SYNK_OK) != (room >= want)) bad++; /* room tells the truth */
    }
    if (t_below(&r, 2) && synk_netsim_channel_recv(ns, t, &a, buf, sizeof buf, &len) == SYNK_OK) {
      uint32_t seq = 0;
      if (!msg_check(buf, len, 0, &seq) || seq != next_recv++) bad++;
    }
  }
  CHECK(bad == 0 && refused > 1000 && next_send > 5000 && next_recv + 4 >= next_send);
  synk_netsim_destroy(ns);
}

/* ---- closes ----------------------------------------------------------------------------- */

/* send one message each way per ms in [from, to) (latency 5 on ch) */
static void send_both(synk_netsim *ns, uint32_t ch, uint64_t from, uint64_t to) {
  uint8_t buf[8] = {0};
  for (uint64_t t = from; t < to; t++)
    for (uint32_t e = 0; e < 2; e++) CHECK_ST(synk_netsim_channel_send(ns, t, ch, e, buf, 8), SYNK_OK);
}

/* close reports that drain_messages met after the messages, for expect_close */
static synk_netsim_arrival pending[2];
static uint32_t npending;

/* pull everything due by now: the messages (counted; *to_end0 of them to end
 * 0), then any close report, kept in pending[] (nothing may follow it) */
static uint32_t drain_messages(synk_netsim *ns, uint64_t now, uint32_t ch, uint32_t *to_end0) {
  synk_netsim_arrival a;
  uint8_t buf[MAXMSG];
  size_t len;
  uint32_t n = 0;
  *to_end0 = 0;
  while (synk_netsim_channel_recv(ns, now, &a, buf, sizeof buf, &len) == SYNK_OK) {
    CHECK(a.channel == ch);
    if (a.closed) {
      CHECK(npending < 2 && len == 0);
      if (npending < 2) pending[npending++] = a;
      continue;
    }
    CHECK(npending == 0 && len == 8);
    n++;
    *to_end0 += a.end == 0;
  }
  return n;
}

/* the close of ch reaches end 0, then end 1, with the messages to each it lost */
static void expect_close(synk_netsim *ns, uint64_t now, uint32_t ch, uint32_t cause, uint32_t lost0, uint32_t lost1) {
  synk_netsim_arrival a[2];
  uint8_t buf[MAXMSG];
  for (uint32_t i = 0; i < 2; i++) {
    if (i < npending) {
      a[i] = pending[i];
    } else {
      CHECK(recv_one(ns, now, &a[i], buf, SYNK_OK) == 0);
    }
  }
  npending = 0;
  CHECK(a[0].channel == ch && a[0].end == 0 && a[0].closed == cause && a[0].lost == lost0);
  CHECK(a[1].channel == ch && a[1].end == 1 && a[1].closed == cause && a[1].lost == lost1);
}

static void test_closes(void) {
  synk_netsim *ns = mk(4, 1024, 64, 64, 3);
  synk_netsim_channel_link l = chlink(5, 5, 0, 0, 0);
  synk_netsim_channel_info info;
  synk_netsim_stats st;
  synk_netsim_arrival a;
  uint8_t buf[MAXMSG] = {0};
  size_t room = 1;
  uint32_t ch, to0;

  /* ABORT: 8 each way sent at 0..7, 3 each way delivered by 7, the other 5 each way lost */
  CHECK_ST(synk_netsim_channel_open(ns, 0, &l, &ch), SYNK_OK);
  send_both(ns, ch, 0, 8);
  CHECK(drain_messages(ns, 7, ch, &to0) == 6 && to0 == 3);
  CHECK_ST(synk_netsim_channel_close(ns, 8, ch, 0, SYNK_NETSIM_CLOSE_ABORT), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.state == SYNK_NETSIM_CHANNEL_CLOSED && info.close_cause == SYNK_NETSIM_CLOSED_BY_END0 &&
        info.close_at == 8 && info.msgs[0] == 0 && info.msgs[1] == 0);
  CHECK_ST(synk_netsim_channel_send(ns, 8, ch, 1, buf, 8), SYNK_E_MISMATCH);
  CHECK_ST(synk_netsim_channel_close(ns, 8, ch, 1, SYNK_NETSIM_CLOSE_ABORT), SYNK_E_MISMATCH);
  CHECK_ST(synk_netsim_channel_room(ns, ch, 1, &room), SYNK_OK);
  CHECK(room == 0);
  expect_close(ns, 8, ch, SYNK_NETSIM_CLOSED_BY_END0, 5, 5);
  recv_one(ns, 8, &a, buf, SYNK_EMPTY);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.state == SYNK_NETSIM_CHANNEL_FREE);
  CHECK_ST(synk_netsim_channel_send(ns, 8, ch, 1, buf, 8), SYNK_E_ARG); /* not a channel any more */
  CHECK_ST(synk_netsim_get_stats(ns, &st), SYNK_OK);
  CHECK(st.messages_sent == 16 && st.messages_delivered == 6 && st.messages_lost == 10 && st.channels_closed == 1);

  /* FLUSH by end 1 at 8: the 5 messages to end 1 are lost at once, end 1's 5 still arrive (due 8..12),
   * then the close reaches both ends at 12 */
  CHECK_ST(synk_netsim_channel_open(ns, 8, &l, &ch), SYNK_OK);
  send_both(ns, ch, 8, 16);
  CHECK(drain_messages(ns, 15, ch, &to0) == 6 && to0 == 3);
  CHECK_ST(synk_netsim_channel_close(ns, 16, ch, 1, SYNK_NETSIM_CLOSE_FLUSH), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.state == SYNK_NETSIM_CHANNEL_FLUSHING && info.msgs[1] == 5 && info.msgs[0] == 0 &&
        info.close_cause == SYNK_NETSIM_CLOSED_BY_END1);
  CHECK_ST(synk_netsim_channel_send(ns, 16, ch, 0, buf, 8), SYNK_E_MISMATCH);
  CHECK_ST(synk_netsim_channel_send(ns, 16, ch, 1, buf, 8), SYNK_E_MISMATCH);
  CHECK_ST(synk_netsim_channel_close(ns, 16, ch, 1, SYNK_NETSIM_CLOSE_FLUSH), SYNK_E_MISMATCH);
  CHECK(drain_messages(ns, 19, ch, &to0) == 4 && to0 == 4); /* due 16..19 */
  CHECK(drain_messages(ns, 20, ch, &to0) == 1 && to0 == 1);
  expect_close(ns, 20, ch, SYNK_NETSIM_CLOSED_BY_END1, 0, 5);
  /* FLUSH with nothing to flush closes at once; ABORT of a FLUSHING channel loses the rest */
  CHECK_ST(synk_netsim_channel_open(ns, 20, &l, &ch), SYNK_OK);
  CHECK_ST(synk_netsim_channel_close(ns, 20, ch, 0, SYNK_NETSIM_CLOSE_FLUSH), SYNK_OK);
  expect_close(ns, 20, ch, SYNK_NETSIM_CLOSED_BY_END0, 0, 0);
  CHECK_ST(synk_netsim_channel_open(ns, 20, &l, &ch), SYNK_OK);
  send_both(ns, ch, 20, 23);
  CHECK_ST(synk_netsim_channel_close(ns, 23, ch, 0, SYNK_NETSIM_CLOSE_FLUSH), SYNK_OK);
  CHECK(drain_messages(ns, 25, ch, &to0) == 1 && to0 == 0);
  CHECK_ST(synk_netsim_channel_close(ns, 25, ch, 1, SYNK_NETSIM_CLOSE_ABORT), SYNK_OK);
  expect_close(ns, 25, ch, SYNK_NETSIM_CLOSED_BY_END1, 3, 2);

  /* a scheduled close at 40: the messages due before 40 arrive even when pulled at 200; those due at
   * or after 40 are lost, and so are those sent after 40 (before recv reached the close) */
  CHECK_ST(synk_netsim_channel_open(ns, 25, &l, &ch), SYNK_OK);
  CHECK_ST(synk_netsim_channel_close_at(ns, ch, 40), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.close_at == 40 && info.close_cause == SYNK_NETSIM_CLOSED_AT_TIME);
  send_both(ns, ch, 25, 60); /* due 30..64 */
  CHECK(drain_messages(ns, 200, ch, &to0) == 20 && to0 == 10);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.state == SYNK_NETSIM_CHANNEL_FREE && npending == 2); /* both reports right after the 20 */
  expect_close(ns, 200, ch, SYNK_NETSIM_CLOSED_AT_TIME, 25, 25);
  /* a time already past means the latest now; UINT64_MAX cancels */
  CHECK_ST(synk_netsim_channel_open(ns, 200, &l, &ch), SYNK_OK);
  CHECK_ST(synk_netsim_channel_close_at(ns, ch, 50), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.close_at == 200);
  CHECK_ST(synk_netsim_channel_close_at(ns, ch, UINT64_MAX), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.close_at == UINT64_MAX && info.close_cause == 0);
  recv_one(ns, 100000, &a, buf, SYNK_EMPTY);
  CHECK_ST(synk_netsim_channel_close(ns, 100000, ch, 1, SYNK_NETSIM_CLOSE_ABORT), SYNK_OK);
  expect_close(ns, 100000, ch, SYNK_NETSIM_CLOSED_BY_END1, 0, 0);

  /* holds: end 1 stops reading; the direction fills and pushes back; released, all arrive; a close
   * while held loses what waits */
  CHECK_ST(synk_netsim_channel_open(ns, 100000, NULL, &ch), SYNK_OK);
  CHECK_ST(synk_netsim_channel_hold(ns, ch, 1, 100050), SYNK_OK);
  uint32_t n = 0;
  while (synk_netsim_channel_send(ns, 100000, ch, 0, buf, 8) == SYNK_OK) n++;
  CHECK(n == 64);
  CHECK_ST(synk_netsim_channel_room(ns, ch, 0, &room), SYNK_OK);
  CHECK(room == 0);
  recv_one(ns, 100049, &a, buf, SYNK_EMPTY);
  CHECK(drain_messages(ns, 100050, ch, &to0) == 64 && to0 == 0);
  CHECK_ST(synk_netsim_channel_hold(ns, ch, 1, 100300), SYNK_OK);
  send_both(ns, ch, 100050, 100052);
  CHECK_ST(synk_netsim_channel_close_at(ns, ch, 100200), SYNK_OK);
  CHECK(drain_messages(ns, 100250, ch, &to0) == 2 && to0 == 2); /* end 0 is not held */
  expect_close(ns, 100250, ch, SYNK_NETSIM_CLOSED_AT_TIME, 0, 2);
  synk_netsim_destroy(ns);
}

/* ---- random closes ------------------------------------------------------------------------- */

#define DROPS 4000u

static void test_random_closes(void) {
  synk_netsim *ns = mk(DROPS, 16, 2, 16, 4);
  synk_netsim_channel_link always = chlink(0, 0, 0, 0, 1000000), some = chlink(0, 0, 0, 0, 1000);
  synk_netsim_channel_info info;
  synk_netsim_arrival a;
  uint8_t buf[MAXMSG] = {0};
  uint32_t ch;
  /* a probability of 1 per ms: closed at the end of the first ms */
  CHECK_ST(synk_netsim_channel_open(ns, 10, &always, &ch), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.close_at == 11 && info.close_cause == SYNK_NETSIM_CLOSED_DROPPED);
  CHECK_ST(synk_netsim_channel_send(ns, 10, ch, 0, buf, 1), SYNK_OK); /* due at 10: before the close */
  CHECK(recv_one(ns, 10, &a, buf, SYNK_OK) == 1);
  CHECK_ST(synk_netsim_channel_send(ns, 10, ch, 1, buf, 1), SYNK_OK);
  CHECK_ST(synk_netsim_channel_hold(ns, ch, 0, 11), SYNK_OK); /* held to 11: lost with the close */
  expect_close(ns, 11, ch, SYNK_NETSIM_CLOSED_DROPPED, 1, 0);
  /* 1000 ppm: geometric close times, mean 1000 ms, median ln 2 / p = 693 ms */
  uint64_t sum = 0;
  uint32_t early = 0, first_ms = 0;
  for (uint32_t i = 0; i < DROPS; i++) {
    CHECK_ST(synk_netsim_channel_open(ns, 11, &some, &ch), SYNK_OK);
    CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
    CHECK(info.close_at > 11 && info.close_at < 11 + 100000);
    sum += info.close_at - 11;
    early += info.close_at - 11 <= 693;
    first_ms += info.close_at == 12;
  }
  CHECK(sum / DROPS > 950 && sum / DROPS < 1050);
  CHECK(early > DROPS * 47 / 100 && early < DROPS * 53 / 100);
  CHECK(first_ms < 20); /* about 4 */
  /* each closes at its time, never before */
  uint64_t last = 0;
  uint32_t reports = 0, bad = 0;
  size_t len;
  for (uint64_t t = 11; reports < 2 * DROPS; t += 7) {
    while (synk_netsim_channel_recv(ns, t, &a, buf, sizeof buf, &len) == SYNK_OK) {
      if (a.closed != SYNK_NETSIM_CLOSED_DROPPED) bad++;
      if (a.end == 0) { /* the first report: the channel is CLOSED, at its time, in time order */
        CHECK_ST(synk_netsim_channel_get_info(ns, a.channel, &info), SYNK_OK);
        if (info.close_at > t || info.close_at + 7 <= t || info.close_at < last) bad++;
        last = info.close_at;
      }
      reports++;
    }
    if (t > 1000000) break;
  }
  CHECK(bad == 0 && reports == 2 * DROPS);
  /* a changed probability draws again from now; the same one does not */
  CHECK_ST(synk_netsim_channel_open(ns, 2000000, &some, &ch), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  const uint64_t drawn = info.close_at;
  CHECK_ST(synk_netsim_channel_set_link(ns, 2000005, ch, &some), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.close_at == drawn);
  CHECK_ST(synk_netsim_channel_set_link(ns, 2000005, ch, &always), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.close_at == 2000006 && info.link.drop_ppm == 1000000);
  synk_netsim_channel_link calm = chlink(1, 2, 3, 4, 0);
  CHECK_ST(synk_netsim_channel_set_link(ns, 2000005, UINT32_MAX, &calm), SYNK_OK);
  CHECK_ST(synk_netsim_channel_get_info(ns, ch, &info), SYNK_OK);
  CHECK(info.close_at == UINT64_MAX && memcmp(&info.link, &calm, sizeof calm) == 0);
  synk_netsim_destroy(ns);
}

/* ---- handles ------------------------------------------------------------------------------------ */

static void test_handles(void) {
  synk_netsim *ns = mk(3, 64, 4, 16, 1);
  uint32_t a, b, c, d = 77;
  synk_netsim_arrival ar;
  uint8_t buf[MAXMSG];
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &a), SYNK_OK);
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &b), SYNK_OK);
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &c), SYNK_OK);
  CHECK(a == 0 && b == 1 && c == 2);
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &d), SYNK_E_SPACE);
  CHECK(d == 77);
  CHECK_ST(synk_netsim_channel_close(ns, 0, b, 0, SYNK_NETSIM_CLOSE_ABORT), SYNK_OK);
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &d), SYNK_E_SPACE); /* not before both ends know */
  recv_one(ns, 0, &ar, buf, SYNK_OK);
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &d), SYNK_E_SPACE);
  recv_one(ns, 0, &ar, buf, SYNK_OK);
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &d), SYNK_OK);
  CHECK(d == 1);
  CHECK_ST(synk_netsim_channel_close(ns, 1, c, 1, SYNK_NETSIM_CLOSE_ABORT), SYNK_OK);
  CHECK_ST(synk_netsim_channel_close(ns, 1, a, 1, SYNK_NETSIM_CLOSE_ABORT), SYNK_OK);
  uint32_t order = 0;
  for (int i = 0; i < 4; i++) {
    recv_one(ns, 1, &ar, buf, SYNK_OK);
    order = order * 10 + ar.channel;
  }
  CHECK(order == 22); /* same close time: by handle, both reports of a handle together */
  recv_one(ns, 1, &ar, buf, SYNK_EMPTY);
  CHECK_ST(synk_netsim_channel_open(ns, 1, NULL, &d), SYNK_OK);
  CHECK(d == 0); /* least recently freed first */
  CHECK_ST(synk_netsim_channel_open(ns, 1, NULL, &d), SYNK_OK);
  CHECK(d == 2);
  synk_netsim_destroy(ns);
}

/* ---- determinism, and refused calls change nothing ------------------------------------------------- */

#define LOAD_CH 16u
#define LOAD_MS 20000u

static uint64_t mixin(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15u + (h << 6) + (h >> 2);
  return h * 0xBF58476D1CE4E5B9u;
}

/* Hostile calls that must fail whatever the state; each must leave the
 * stats and the channel's info as they were. */
static void hostile(synk_netsim *ns, t_rng *r, uint64_t t, const uint8_t *state, uint32_t *refused) {
  synk_netsim_stats s0, s1;
  synk_netsim_channel_info i0, i1;
  const uint32_t ch = t_below(r, LOAD_CH);
  synk_netsim_get_stats(ns, &s0);
  synk_netsim_channel_get_info(ns, ch, &i0);
  uint8_t buf[MAXMSG] = {0};
  synk_netsim_channel_link bad = chlink(1, 1, 1, 1, 1000001), ok = chlink(0, 0, 0, 0, 0);
  synk_netsim_arrival a;
  size_t len = 0, room = 0;
  uint32_t h = 0;
  synk_status want = SYNK_E_ARG, got;
  switch (t_below(r, 18)) {
  case 0: got = synk_netsim_channel_send(ns, t, ch, 0, buf, 0); break;
  case 1: got = synk_netsim_channel_send(ns, t, ch, 0, buf, MAXMSG + 1); break;
  case 2: got = synk_netsim_channel_send(ns, t, ch, 2, buf, 1); break;
  case 3: got = synk_netsim_channel_send(ns, t, LOAD_CH, 0, buf, 1); break;
  case 4: got = synk_netsim_channel_send(ns, t, ch, 0, NULL, 1); break;
  case 5: got = synk_netsim_channel_open(ns, t, &bad, &h); break;
  case 6: got = synk_netsim_channel_open(ns, t, NULL, NULL); break;
  case 7: got = synk_netsim_channel_set_link(ns, t, UINT32_MAX, &bad); break;
  case 8: got = synk_netsim_channel_set_link(ns, t, LOAD_CH, &ok); break;
  case 9: got = synk_netsim_channel_recv(ns, t, NULL, buf, sizeof buf, &len); break;
  case 10: got = synk_netsim_channel_recv(ns, t, &a, NULL, 10, &len); break;
  case 11: got = synk_netsim_channel_close(ns, t, ch, 0, 2); break;
  case 12: got = synk_netsim_channel_close(ns, t, ch, 2, SYNK_NETSIM_CLOSE_ABORT); break;
  case 13: got = synk_netsim_channel_hold(ns, ch, 2, t + 5); break;
  case 14: got = synk_netsim_channel_room(ns, ch, 0, NULL); break;
  case 15: /* back in time: the last recv was at t - 1 */
    got = t >= 2 ? synk_netsim_channel_recv(ns, t - 2, &a, buf, sizeof buf, &len) : SYNK_E_ARG;
    break;
  case 16: /* a state-dependent refusal: MISMATCH, SPACE, or a handle not in use */
    if (state[ch] == 0) {
      got = synk_netsim_channel_send(ns, t, ch, 1, buf, 1);
    } else if (state[ch] == 2) {
      want = SYNK_E_MISMATCH;
      got = synk_netsim_channel_send(ns, t, ch, 1, buf, 1);
    } else if (synk_netsim_channel_room(ns, ch, 1, &room) == SYNK_OK && room < MAXMSG) {
      want = SYNK_E_SPACE;
      got = synk_netsim_channel_send(ns, t, ch, 1, buf, room + 1);
    } else {
      got = SYNK_E_ARG;
    }
    break;
  default: got = synk_netsim_channel_close_at(NULL, ch, t); break;
  }
  CHECK_ST(got, want);
  synk_netsim_get_stats(ns, &s1);
  synk_netsim_channel_get_info(ns, ch, &i1);
  CHECK(memcmp(&s0, &s1, sizeof s0) == 0 && memcmp(&i0, &i1, sizeof i0) == 0);
  (*refused)++;
}

/* A random load over LOAD_CH channels with jitter, random closes of every
 * kind and holds: the hash of every arrival (time, channel, end, cause,
 * lost, bytes). The load's choices come from load_seed; the simulator's
 * from ns_seed. With `hostile_calls`, refused calls are mixed in (from a
 * PRNG of their own). */
static uint64_t load(uint64_t ns_seed, uint64_t load_seed, int hostile_calls, uint32_t *arrivals, uint32_t *refused) {
  synk_netsim *ns = mk(LOAD_CH, 2048, 32, MAXMSG, ns_seed);
  t_rng r, hr;
  t_seed(&r, load_seed);
  t_seed(&hr, load_seed ^ 0xABCDEF);
  uint8_t state[LOAD_CH] = {0}; /* 0 free, 1 open, 2 flushing or closed */
  uint8_t buf[MAXMSG];
  uint64_t h = 0;
  *arrivals = 0;
  for (uint64_t t = 0; t < LOAD_MS; t++) {
    if (hostile_calls && t_below(&hr, 4) == 0) hostile(ns, &hr, t, state, refused);
    const uint32_t op = t_below(&r, 100), ch = t_below(&r, LOAD_CH);
    if (op < 3) {
      synk_netsim_channel_link l = chlink(t_below(&r, 30), t_below(&r, 30), t_below(&r, 40), t_below(&r, 40),
                                          t_below(&r, 3) * 500);
      uint32_t id;
      if (synk_netsim_channel_open(ns, t, &l, &id) == SYNK_OK) state[id] = 1;
    } else if (op < 5 && state[ch] == 1) {
      const uint32_t how = t_below(&r, 2);
      CHECK_ST(synk_netsim_channel_close(ns, t, ch, t_below(&r, 2), how), SYNK_OK);
      state[ch] = 2;
    } else if (op < 6 && state[ch] == 1) {
      CHECK_ST(synk_netsim_channel_close_at(ns, ch, t + t_below(&r, 500)), SYNK_OK);
    } else if (op < 7 && state[ch]) {
      CHECK_ST(synk_netsim_channel_hold(ns, ch, t_below(&r, 2), t + t_below(&r, 300)), SYNK_OK);
    } else if (op < 8 && state[ch] == 1) {
      synk_netsim_channel_link l = chlink(t_below(&r, 10), 0, t_below(&r, 100), 0, t_below(&r, 2) * 2000);
      CHECK_ST(synk_netsim_channel_set_link(ns, t, ch, &l), SYNK_OK);
    } else if (op < 80) {
      for (uint32_t i = 0; i < LOAD_CH; i++)
        for (uint32_t e = 0; e < 2; e++) {
          const size_t len = 1 + t_below(&r, MAXMSG);
          msg_make(buf, (uint32_t)t, i * 2 + e, len);
          if (state[i] == 1) {
            const synk_status s = synk_netsim_channel_send(ns, t, i, e, buf, len);
            CHECK(s == SYNK_OK || s == SYNK_E_SPACE);
          }
        }
    }
    synk_netsim_arrival a;
    size_t len;
    synk_status s;
    while ((s = synk_netsim_channel_recv(ns, t, &a, buf, sizeof buf, &len)) == SYNK_OK) {
      h = mixin(mixin(mixin(h, t), a.channel * 4 + a.end), (uint64_t)a.closed << 32 | a.lost);
      h = mixin(h, len);
      for (size_t i = 0; i < len; i++) h = mixin(h, buf[i]);
      if (a.closed && a.end == 1) state[a.channel] = 0;
      if (a.closed && state[a.channel] == 1) state[a.channel] = 2;
      (*arrivals)++;
    }
    CHECK_ST(s, SYNK_EMPTY);
  }
  synk_netsim_stats st;
  synk_netsim_get_stats(ns, &st);
  h = mixin(mixin(mixin(h, st.messages_sent), st.messages_lost), st.channels_closed);
  CHECK(st.channels_closed > 50 && st.messages_lost > 100 && st.messages_delivered > 10000);
  synk_netsim_destroy(ns);
  return h;
}

static void test_determinism(void) {
  uint32_t n1, n2, n3, n4, refused = 0;
  const uint64_t h1 = load(7, 1, 0, &n1, &refused), h2 = load(7, 1, 0, &n2, &refused);
  CHECK(h1 == h2 && n1 == n2 && n1 > 10000);
  const uint64_t h3 = load(8, 1, 0, &n3, &refused); /* another simulator seed, same calls otherwise */
  CHECK(h3 != h1);
  const uint64_t h4 = load(7, 1, 1, &n4, &refused); /* with refused calls mixed in: the same trace */
  CHECK(h4 == h1 && n4 == n1 && refused > LOAD_MS / 5);
}

/* ---- the datagrams' draws do not move ------------------------------------------------------------------ */

static uint64_t datagrams(uint32_t channels, int use_channels) {
  synk_netsim *ns = mk(channels, 4096, 64, MAXMSG, 21);
  synk_netsim_link l = {20, 80, 100000, 50000, 50000, 0, 0, 0};
  CHECK_ST(synk_netsim_set_link(ns, UINT32_MAX, UINT32_MAX, &l), SYNK_OK);
  synk_netsim_channel_link cl = chlink(5, 5, 60, 60, 2000);
  uint8_t buf[MAXMSG] = {0};
  uint64_t h = 0;
  uint32_t ch = 0, open = 0;
  for (uint64_t t = 0; t < 5000; t++) {
    buf[0] = (uint8_t)t;
    buf[1] = (uint8_t)(t >> 8);
    CHECK_ST(synk_netsim_send(ns, t, (uint32_t)t & 1, 1 - ((uint32_t)t & 1), buf, 2), SYNK_OK);
    if (use_channels) {
      if (!open && synk_netsim_channel_open(ns, t, &cl, &ch) == SYNK_OK) open = 1;
      if (open) synk_netsim_channel_send(ns, t, ch, (uint32_t)t & 1, buf, 100);
      synk_netsim_arrival a;
      size_t len;
      while (synk_netsim_channel_recv(ns, t, &a, buf, sizeof buf, &len) == SYNK_OK)
        if (a.closed && a.end == 1) open = 0;
    }
    uint32_t from, to;
    size_t len;
    while (synk_netsim_recv(ns, t, &from, &to, buf, sizeof buf, &len) == SYNK_OK)
      h = mixin(mixin(mixin(h, t), from * 2 + to), (uint64_t)buf[0] | (uint64_t)buf[1] << 8);
  }
  synk_netsim_stats st;
  synk_netsim_get_stats(ns, &st);
  CHECK(!use_channels || (st.channels_closed > 3 && st.messages_delivered > 1000));
  synk_netsim_destroy(ns);
  return h;
}

static void test_datagrams_unmoved(void) {
  const uint64_t alone = datagrams(0, 0);
  CHECK(datagrams(4, 0) == alone);
  CHECK(datagrams(4, 1) == alone);
}

/* ---- config, create, refused arguments -------------------------------------------------------------------- */

typedef struct counting_alloc {
  int allocs, frees, fail_at;
} counting_alloc;

static void *ca_alloc(void *ctx, size_t size, size_t align) {
  counting_alloc *c = (counting_alloc *)ctx;
  (void)align;
  if (c->allocs++ == c->fail_at) return NULL;
  return malloc(size);
}
static void ca_free(void *ctx, void *p) {
  ((counting_alloc *)ctx)->frees++;
  free(p);
}

static void test_config(void) {
  synk_netsim_config c;
  memset(&c, 0xFF, sizeof c);
  synk_netsim_config_defaults(&c);
  CHECK(c.max_channels == SYNK_NETSIM_DEFAULT_CHANNELS && c.channel_bytes == SYNK_NETSIM_DEFAULT_CHANNEL_BYTES &&
        c.channel_msgs == SYNK_NETSIM_DEFAULT_CHANNEL_MSGS && c.max_message == SYNK_NETSIM_DEFAULT_MAX_MESSAGE);
  synk_netsim *ns = (synk_netsim *)1;
  c.max_channels = SYNK_NETSIM_MAX_CHANNELS + 1;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_E_ARG);
  CHECK(ns == NULL);
  c.max_channels = 1;
  c.channel_bytes = SYNK_NETSIM_MAX_CHANNEL_BYTES + 1;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_E_ARG);
  c.channel_bytes = 100;
  c.max_message = 101;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_E_ARG); /* a message that never fits */
  c.max_message = 100;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_OK);
  synk_netsim_destroy(ns);
  /* without channels (the default): none to open, nothing to receive */
  memset(&c, 0, sizeof c);
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_OK);
  uint32_t ch = 5;
  synk_netsim_arrival a;
  synk_netsim_channel_info info;
  size_t len = 3, room = 3;
  CHECK_ST(synk_netsim_channel_open(ns, 0, NULL, &ch), SYNK_E_SPACE);
  CHECK(ch == 5);
  CHECK_ST(synk_netsim_channel_recv(ns, 0, &a, NULL, 0, &len), SYNK_EMPTY);
  CHECK(len == 0);
  CHECK_ST(synk_netsim_channel_get_info(ns, 0, &info), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_room(ns, 0, 0, &room), SYNK_E_ARG);
  synk_netsim_destroy(ns);
  /* out of memory at each allocation: SYNK_E_NOMEM, nothing leaked */
  counting_alloc ca = {0, 0, -1};
  synk_allocator al = {ca_alloc, ca_free, &ca};
  synk_netsim_config_defaults(&c);
  c.max_channels = 3;
  c.channel_bytes = 64;
  c.max_message = 64;
  c.allocator = &al;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_OK);
  synk_netsim_destroy(ns);
  const int total = ca.allocs;
  CHECK(total >= 12 && ca.frees == total);
  for (int k = 0; k < total; k++) {
    ca.allocs = ca.frees = 0;
    ca.fail_at = k;
    ns = (synk_netsim *)1;
    CHECK_ST(synk_netsim_create(&c, &ns), SYNK_E_NOMEM);
    CHECK(ns == NULL && ca.frees == ca.allocs - 1);
  }
  /* NULLs everywhere */
  uint8_t buf[4] = {0};
  synk_netsim_channel_link l = chlink(0, 0, 0, 0, 0);
  CHECK_ST(synk_netsim_channel_open(NULL, 0, NULL, &ch), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_set_link(NULL, 0, 0, &l), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_send(NULL, 0, 0, 0, buf, 1), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_room(NULL, 0, 0, &room), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_close(NULL, 0, 0, 0, SYNK_NETSIM_CLOSE_ABORT), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_close_at(NULL, 0, 0), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_hold(NULL, 0, 0, 0), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_recv(NULL, 0, &a, buf, 4, &len), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_get_info(NULL, 0, &info), SYNK_E_ARG);
  ns = mk(2, 64, 4, 16, 1);
  CHECK_ST(synk_netsim_channel_open(ns, 10, NULL, &ch), SYNK_OK);
  CHECK_ST(synk_netsim_channel_open(ns, 9, NULL, &ch), SYNK_E_ARG); /* back in time */
  CHECK_ST(synk_netsim_channel_recv(ns, 10, &a, buf, 4, NULL), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_get_info(ns, 2, &info), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_get_info(ns, 1, NULL), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_get_info(ns, 1, &info), SYNK_OK);
  CHECK(info.state == SYNK_NETSIM_CHANNEL_FREE);
  CHECK_ST(synk_netsim_channel_set_link(ns, 10, 1, &l), SYNK_E_ARG); /* a free handle */
  CHECK_ST(synk_netsim_channel_close_at(ns, 1, 10), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_hold(ns, 1, 0, 10), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_set_link(ns, 10, ch, NULL), SYNK_E_ARG);
  CHECK_ST(synk_netsim_channel_close(ns, 10, ch, 0, SYNK_NETSIM_CLOSE_ABORT), SYNK_OK);
  CHECK_ST(synk_netsim_channel_set_link(ns, 10, ch, &l), SYNK_E_MISMATCH); /* closed */
  CHECK_ST(synk_netsim_channel_close_at(ns, ch, 10), SYNK_E_MISMATCH);
  synk_netsim_destroy(ns);
}

int main(void) {
  test_order_under_jitter();
  test_bounds();
  test_closes();
  test_random_closes();
  test_handles();
  test_determinism();
  test_datagrams_unmoved();
  test_config();
  return t_done("test_netsim_channel");
}
