/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the session receive path. Peer 0 of a session brought to
 * frame 30 honestly (fuzz_session.h) receives the input's datagrams (the
 * first FS_MAX_DATAGRAMS) as if from peer 1, advancing a frame (and carrying
 * out its requests) and sending after each one it accepts; a refused one is
 * checked to have changed nothing, so what would follow it is what followed
 * the datagram before. Long sequences with several peers are
 * fuzz_session_seq's.
 *
 * The session is built once: peer 0's world (with its ring) and its session
 * are made in a saved-image arena (fuzz_image.h, a heap each) and put back
 * in place before each input -- the state at frame 30, byte for byte,
 * without replaying the 30 frames of the prelude or creating anything.
 *
 * Checks, after every datagram: no crash, hang or out-of-bounds access
 * (ASan/UBSan); every status is OK, SYNK_E_FORMAT or SYNK_E_MISMATCH; a
 * refused datagram changes no byte of the session's memory but its refusal
 * count (compared before and after) and no receive touches the world (hash,
 * frame); the world stays self-consistent (hash == rehash) through every
 * rollback the datagrams cause; every datagram the session then sends is
 * within the MTU; events are of known types; nothing is allocated or freed
 * after creation (the heaps are frozen). Built with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (tests/fuzz/CMakeLists.txt): a
 * datagram whose CRC-32C check fails at every candidate frame is still
 * parsed (placed at the nearest), so mutations reach the parser; the check
 * itself is tested by tests/session/test_session_unit.c (every truncation
 * and bit flip of a datagram refused).
 */
#include "fuzz_image.h"
#include "fuzz_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fs_peer A;
static fz_arena arena;          /* peer 0's world, ring and session */
static fz_heap world, session;  /* the world and its ring; the session */
static uint8_t *saved, *before; /* copies of the session's bytes: as saved, and as a datagram found them */
static fz_word refused_word;    /* where the session counts peer 1's refused datagrams */

static void setup(void) {
  FZ_CHECK(fz_arena_init(&arena, 16u << 20));
  synk_allocator wa = fz_heap_allocator(&world, &arena), sa = fz_heap_allocator(&session, &arena);
  fs_peer b;
  FZ_CHECK(fs_prelude_with(&A, &b, &wa, &sa));
  fs_close(&b);
  fz_arena_save(&arena);
  fz_heap_freeze(&world);
  fz_heap_freeze(&session);
  saved = (uint8_t *)malloc(fz_heap_bytes(&session));
  before = (uint8_t *)malloc(fz_heap_bytes(&session));
  FZ_CHECK(saved && before);
  fz_heap_copy_out(&session, saved);
  /* find the refusal counter: a datagram of a later version is refused, and
     changes that word alone */
  static const uint8_t later[6] = {0x80, 0, 0, 0, 0, 0};
  synk_session_peer_stats ps;
  FZ_CHECK(synk_session_receive(A.s, 30 * 16, 1, later, sizeof later) == SYNK_E_FORMAT);
  synk_session_get_peer_stats(A.s, 1, &ps);
  FZ_CHECK(fz_heap_find_word(&session, saved, &refused_word));
  FZ_CHECK(fz_word_get(&arena, refused_word) == ps.datagrams_refused);
  fz_arena_restore(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready, accepted;
  if (!ready) {
    setup();
    ready = 1;
  } else if (accepted) {
    fz_arena_restore(&arena);
  } else {
    /* every datagram of the last input was refused: the world and its ring
       (changed by steps alone) were left alone, the session was checked
       equal to the saved image but for its refusal count */
    fz_word_reset(&arena, refused_word);
  }
  accepted = 0;
  /* the session's bytes after the last accepted datagram (at first the
     saved image): a refused datagram changes nothing but the refusal count
     (checked), so this stays the reference */
  const uint8_t *was = saved;
  uint64_t frame = 30;
  uint32_t now = 30 * 16;
  size_t pos = 0;
  for (int k = 0; k < FS_MAX_DATAGRAMS && pos + 2 <= size; k++) {
    size_t len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
    pos += 2;
    if (len > size - pos) len = size - pos;
    const uint64_t refused0 = fz_word_get(&arena, refused_word);
    uint64_t hash0 = synk_hash(A.w), frame0 = synk_frame(A.w);
    synk_status st = synk_session_receive(A.s, now, 1, data + pos, len);
    pos += len;
    FZ_CHECK(st == SYNK_OK || st == SYNK_E_FORMAT || st == SYNK_E_MISMATCH);
    FZ_CHECK(synk_hash(A.w) == hash0 && synk_frame(A.w) == frame0); /* receive never touches the world */
    if (st != SYNK_OK) {
      /* nothing changed but the refusal count: then the step, the datagrams
         and the events that would follow are those without this datagram,
         and are left out */
      synk_session_peer_stats ps;
      synk_session_get_peer_stats(A.s, 1, &ps);
      FZ_CHECK(ps.datagrams_refused == refused0 + 1);
      FZ_CHECK(fz_heap_same_but(&session, was, refused_word, ps.datagrams_refused));
      continue;
    }
    accepted = 1;
    if (fs_step(&A, 0, frame, now)) frame++;
    fz_consistent(A.w);
    uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
    uint32_t peer;
    size_t out;
    while (synk_session_poll(A.s, now, &peer, buf, sizeof buf, &out) == SYNK_OK) FZ_CHECK(peer == 1 && out <= sizeof buf);
    synk_session_event ev;
    while (synk_session_next_event(A.s, &ev) == SYNK_OK) FZ_CHECK(ev.type >= SYNK_SEV_CONNECTED && ev.type <= SYNK_SEV_WAIT);
    now += 16;
    if (k + 1 < FS_MAX_DATAGRAMS && pos + 2 <= size) { /* a datagram follows: its reference */
      fz_heap_copy_out(&session, before);
      was = before;
    }
  }
  return 0;
}
