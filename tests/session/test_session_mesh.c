/* SPDX-License-Identifier: MIT */
/*
 * N peers over a lossy, jittery, duplicating, reordering simulated network:
 * every peer's confirmed frames hash identically (every frame, and every
 * checkpoint the sessions compared), rollbacks happen, nothing is refused, no
 * desync is reported; with --corrupt PEER:FRAME one peer's simulation is
 * corrupted at that frame and the desync must be reported at the first
 * checkpoint at or after it, by exactly the pairs involving that peer, soon,
 * naming exactly the corrupted entities.
 *
 *   test_session_mesh [--peers N] [--frames F] [--lockstep] [--prediction P]
 *     [--delay D] [--interval I] [--latency MS] [--jitter MS] [--loss PCT]
 *     [--dup PCT] [--reorder PCT] [--players-per-peer K] [--spectators N] [--input-size B]
 *     [--entities E] [--seed S] [--mtu BYTES] [--corrupt PEER:FRAME] [--max-bpf BYTES]
 */
#include "session_util.h"

static uint64_t arg_u64(const char *s) { return strtoull(s, NULL, 0); }

int main(int argc, char **argv) {
  sm_cfg c = sm_default_cfg();
  c.link.latency_ms = 30;
  c.link.jitter_ms = 150;
  c.link.loss_ppm = 200000;
  c.link.dup_ppm = 50000;
  c.link.reorder_ppm = 50000;
  double max_bpf = 0;
  for (int a = 1; a < argc; a++) {
    const char *k = argv[a], *v = a + 1 < argc ? argv[a + 1] : "0";
    if (!strcmp(k, "--lockstep")) { c.prediction = 0; continue; }
    a++;
    if (!strcmp(k, "--peers")) c.peers = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--frames")) c.frames = arg_u64(v);
    else if (!strcmp(k, "--prediction")) c.prediction = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--delay")) c.delay = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--interval")) c.interval = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--latency")) c.link.latency_ms = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--jitter")) c.link.jitter_ms = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--loss")) c.link.loss_ppm = (uint32_t)(arg_u64(v) * 10000);
    else if (!strcmp(k, "--dup")) c.link.dup_ppm = (uint32_t)(arg_u64(v) * 10000);
    else if (!strcmp(k, "--reorder")) c.link.reorder_ppm = (uint32_t)(arg_u64(v) * 10000);
    else if (!strcmp(k, "--players-per-peer")) c.players_per_peer = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--spectators")) c.spectators = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--input-size")) c.input_size = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--entities")) c.entities = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--seed")) c.seed = arg_u64(v);
    else if (!strcmp(k, "--mtu")) c.mtu = (uint32_t)arg_u64(v);
    else if (!strcmp(k, "--max-bpf")) max_bpf = strtod(v, NULL);
    else if (!strcmp(k, "--corrupt")) {
      char *end;
      c.corrupt_peer = (int)strtol(v, &end, 0);
      c.corrupt_frame = strtoull(end + 1, NULL, 0);
      c.ncorrupt = 2;
      c.corrupt_ids[0] = 700; /* two crowd entities in two chunks */
      c.corrupt_ids[1] = 300;
    } else {
      fprintf(stderr, "unknown argument %s\n", k);
      return 2;
    }
  }
  static sm m;
  if (!sm_create(&m, &c)) {
    fprintf(stderr, "setup failed\n");
    return 1;
  }
  uint64_t limit = c.frames * 6 + 2000;
  while (!sm_all_done(&m) && m.ticks < limit) sm_tick(&m);
  CHECK(sm_all_done(&m));
  uint64_t bytes = 0, datagrams = 0; /* on the wire while the frames were played */
  for (uint32_t i = 0; i < c.peers; i++)
    for (uint32_t q = 0; q < c.peers; q++) {
      synk_session_peer_stats ps;
      if (q == i) continue;
      synk_session_get_peer_stats(m.p[i].s, q, &ps);
      bytes += ps.bytes_sent;
      datagrams += ps.datagrams_sent;
    }
  printf("ticks %" PRIu64 ", datagrams %" PRIu64 "\n", m.ticks, datagrams);
  { /* the per-second rates agree with the totals (link 0 -> 1, both ends) */
    synk_session_peer_stats p01, p10;
    synk_session_get_peer_stats(m.p[0].s, 1, &p01);
    synk_session_get_peer_stats(m.p[1].s, 0, &p10);
    double avg = (double)p01.bytes_sent * 1000.0 / sm_now(m.ticks);
    printf("peer 0 -> 1: %u B/s sent (average %.0f), %u B/s received by 1\n", p01.send_bps, avg, p10.receive_bps);
    CHECK(p01.send_bps > avg / 2 && p01.send_bps < avg * 2);
    if (!c.link.loss_ppm && !c.link.dup_ppm) CHECK(p10.receive_bps > avg / 2 && p10.receive_bps < avg * 2);
  }
  for (int extra = 0; extra < 120; extra++) sm_tick(&m); /* last reports and localizations */
  /* then the links fall quiet: keepalives and pings, no localization left running */
  uint64_t before = 0, after = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t i = 0; i < c.peers; i++)
      for (uint32_t q = 0; q < c.peers; q++) {
        synk_session_peer_stats ps;
        if (q == i) continue;
        synk_session_get_peer_stats(m.p[i].s, q, &ps);
        *(pass ? &after : &before) += ps.bytes_sent;
      }
    if (!pass)
      for (int extra = 0; extra < 120; extra++) sm_tick(&m);
  }
  double idle = (double)(after - before) / (120.0 * c.peers * (c.peers - 1));
  printf("idle: %.2f bytes per link per tick\n", idle);
  CHECK(idle < 2.0);

  /* every frame that can no longer roll back hashes the same on every (honest) peer */
  uint64_t settled = c.frames > c.prediction + 2 ? c.frames - c.prediction - 2 : 0;
  uint32_t ref = c.corrupt_peer == 0 ? 1 : 0;
  uint64_t diff_frames = 0, first_diff = UINT64_MAX, conf_frames = 0;
  for (uint32_t i = 0; i < c.peers; i++) {
    if ((int)i == c.corrupt_peer) continue;
    for (uint64_t g = 0; g < settled; g++) {
      if (m.p[i].spec[g] != m.p[ref].spec[g] || !m.p[i].spec[g]) {
        diff_frames++;
        if (g < first_diff) first_diff = g;
      }
      if (m.p[i].conf[g]) {
        conf_frames++;
        if (m.p[i].conf[g] != m.p[i].spec[g]) m.p[i].conf_mismatch++;
      }
    }
  }
  if (diff_frames) fprintf(stderr, "%" PRIu64 " frames differ, first %" PRIu64 "\n", diff_frames, first_diff);
  CHECK(diff_frames == 0);
  CHECK(conf_frames > 0);
  if (c.corrupt_peer >= 0) { /* the corrupted peer agrees up to the corruption, then not */
    const sm_peer *C = &m.p[c.corrupt_peer];
    int before_ok = 1;
    for (uint64_t g = 0; g < c.corrupt_frame; g++) before_ok &= C->spec[g] == m.p[ref].spec[g];
    CHECK(before_ok);
    CHECK(C->spec[c.corrupt_frame] != m.p[ref].spec[c.corrupt_frame]);
  }
  /* the checkpoints the sessions compared: identical where both recorded one */
  uint64_t cks = 0, ck_diff = 0;
  for (uint64_t k = 0; c.interval && k < settled / c.interval; k++) {
    for (uint32_t i = 0; i < c.peers; i++) {
      uint64_t g = k * c.interval + c.interval - 1;
      int corrupted = (int)i == c.corrupt_peer && g >= c.corrupt_frame;
      if (!m.p[i].ck[k] || !m.p[ref].ck[k] || corrupted) continue;
      cks++;
      if (m.p[i].ck[k] != m.p[ref].ck[k]) ck_diff++;
    }
  }
  CHECK(ck_diff == 0);
  CHECK(cks >= (settled / c.interval) * (c.peers - (c.corrupt_peer >= 0)) * 9 / 10);

  uint64_t rollbacks = 0, rb_frames = 0, stalls = 0, checks = 0;
  uint32_t max_rb = 0;
  uint64_t desyncs = 0, localized = 0;
  for (uint32_t i = 0; i < c.peers; i++) {
    sm_peer *P = &m.p[i];
    synk_session_stats st;
    synk_session_get_stats(P->s, &st);
    rollbacks += st.rollbacks;
    rb_frames += st.rollback_frames;
    if (st.max_rollback > max_rb) max_rb = st.max_rollback;
    stalls += st.stalls;
    checks += st.checks;
    CHECK(st.max_rollback <= c.prediction);
    CHECK(P->conf_twice == 0);
    CHECK(P->conf_mismatch == 0);
    CHECK(P->bad_request == 0);
    CHECK(P->unconfirmed_lockstep == 0);
    CHECK(P->counts[SYNK_SEV_CONNECTED] == c.peers - 1);
    CHECK(P->counts[SYNK_SEV_DISCONNECTED] == 0);
    desyncs += P->counts[SYNK_SEV_DESYNC];
    localized += P->counts[SYNK_SEV_DESYNC_LOCALIZED];
    /* desync events: only with / at the corrupted peer, at its first checkpoint */
    for (uint32_t e = 0; e < P->nev; e++) {
      const synk_session_event *ev = &P->ev[e];
      if (ev->type != SYNK_SEV_DESYNC && ev->type != SYNK_SEV_DESYNC_LOCALIZED) continue;
      uint64_t want = (c.corrupt_frame / c.interval) * c.interval + c.interval - 1;
      CHECK(c.corrupt_peer >= 0);
      CHECK((int)i == c.corrupt_peer || (int)ev->peer == c.corrupt_peer);
      CHECK_EQ_U64(ev->frame, want);
      if (ev->type == SYNK_SEV_DESYNC) {
        /* within interval + round trip: reported by frame corrupt + interval + rtt + P
           (the round trip at its worst: twice the longest one-way delay, a datagram
           held back for reordering included; P: the frame must become final) */
        uint64_t one_way = c.link.latency_ms + c.link.jitter_ms;
        if (c.link.reorder_ppm) one_way *= 2;
        uint64_t rtt_frames = (2 * one_way * 3 + 49) / 50;
        uint64_t late = P->ev_frame[e] - c.corrupt_frame;
        printf("peer %u: desync with peer %u at frame %" PRIu64 " reported at our frame %" PRIu64
               " (%" PRIu64 " frames after the corruption; bound %" PRIu64 ")\n",
               i, ev->peer, ev->frame, P->ev_frame[e], late, c.interval + rtt_frames + c.prediction);
        CHECK(late <= c.interval + rtt_frames + c.prediction);
      } else {
        printf("peer %u: localized with peer %u: %u ids:", i, ev->peer, ev->num_ids);
        for (uint32_t k = 0; k < ev->num_ids; k++) printf(" %u", ev->ids[k]);
        printf("\n");
        CHECK(ev->num_ids == 2 && ev->ids[0] == 300 && ev->ids[1] == 700 && !ev->more_ids);
      }
    }
  }
  CHECK(m.refused == 0);
  if (c.prediction > 0 && (c.link.jitter_ms || c.link.loss_ppm)) CHECK(rollbacks > 0);
  if (c.corrupt_peer < 0) {
    CHECK(desyncs == 0);
    CHECK(checks > 0);
  } else {
    CHECK(desyncs == 2 * (c.peers - 1)); /* each pair with the corrupted peer, both sides */
    CHECK(localized == 2 * (c.peers - 1));
  }
  synk_netsim_stats ns;
  synk_netsim_get_stats(m.ns, &ns);
  double bpf = (double)bytes / ((double)c.frames * m.nplayers);

  printf("%u peers, %" PRIu64 " frames, %s: rollbacks %" PRIu64 " (%" PRIu64 " frames, max %u), stalls %" PRIu64
         ", checks %" PRIu64 ", desyncs %" PRIu64 "\n",
         c.peers, c.frames, c.prediction ? "rollback" : "lockstep", rollbacks, rb_frames, max_rb, stalls, checks,
         desyncs);
  printf("network: %" PRIu64 " sent, %" PRIu64 " lost, %" PRIu64 " duplicated; %.2f bytes per player per frame\n",
         ns.sent, ns.lost, ns.duplicated, bpf);
  if (max_bpf > 0) CHECK(bpf <= max_bpf);
  sm_destroy(&m);
  return t_done("test_session_mesh");
}
