/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the session receive path. Peer 0 of a session brought to
 * frame 30 honestly (fuzz_session.h) receives the input's datagrams as if
 * from peer 1, advancing a frame (and carrying out its requests) after each.
 * Checks: no crash, hang or out-of-bounds access (ASan/UBSan); every status
 * is OK, SYNK_E_FORMAT or SYNK_E_MISMATCH; a refused datagram changes none of
 * the session's statistics but its refusal count; the world stays
 * self-consistent (hash == rehash) through every rollback the datagrams
 * cause; every datagram the session then sends is within the MTU. Built with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (tests/fuzz/CMakeLists.txt): the
 * CRC-32C check is computed but not enforced (the span end is placed at the
 * nearest candidate frame), so mutations reach the parser; the check itself
 * is tested by tests/session/test_session_unit.c (every truncation and bit
 * flip of a datagram refused).
 */
#include "fuzz_common.h"
#include "fuzz_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fs_peer a, b;
  FZ_CHECK(fs_prelude(&a, &b));
  uint64_t frame = 30;
  uint32_t now = 30 * 16;
  size_t pos = 0;
  for (int k = 0; k < 64 && pos + 2 <= size; k++) {
    size_t len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
    pos += 2;
    if (len > size - pos) len = size - pos;
    synk_session_stats s0, s1;
    synk_session_peer_stats p0, p1;
    synk_session_get_stats(a.s, &s0);
    synk_session_get_peer_stats(a.s, 1, &p0);
    synk_status st = synk_session_receive(a.s, 1, data + pos, len, now);
    pos += len;
    FZ_CHECK(st == SYNK_OK || st == SYNK_E_FORMAT || st == SYNK_E_MISMATCH);
    if (st != SYNK_OK) { /* nothing changed */
      synk_session_get_stats(a.s, &s1);
      synk_session_get_peer_stats(a.s, 1, &p1);
      FZ_CHECK(p1.datagrams_refused == p0.datagrams_refused + 1);
      p1.datagrams_refused = p0.datagrams_refused;
      FZ_CHECK(memcmp(&s0, &s1, sizeof s0) == 0 && memcmp(&p0, &p1, sizeof p0) == 0);
    }
    if (fs_step(&a, 0, frame, now)) frame++;
    fz_consistent(a.w);
    uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
    uint32_t peer;
    size_t out;
    while (synk_session_poll(a.s, now, &peer, buf, sizeof buf, &out)) FZ_CHECK(peer == 1 && out <= sizeof buf);
    synk_session_event ev;
    while (synk_session_next_event(a.s, &ev)) FZ_CHECK(ev.type >= SYNK_SEV_CONNECTED && ev.type <= SYNK_SEV_WAIT);
    now += 16;
  }
  fs_close(&a);
  fs_close(&b);
  return 0;
}
