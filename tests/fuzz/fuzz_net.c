/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the net server's receive path. A server with a small
 * world and three honest clients joined (fuzz_net.h; built once, then
 * restored from its image before each input: fuzz_image.h) receives the input's
 * records on up to four hostile connections (raw bytes, or messages the
 * harness frames with a valid length and CRC-32C so mutations reach the
 * parsers), with server ticks and the honest exchange in between.
 * Checks: no crash, hang, leak or out-of-bounds access (ASan/UBSan); every
 * receive returns SYNK_OK or SYNK_E_FORMAT, and SYNK_E_FORMAT comes with a
 * CLOSE event for that connection; every poll gives one message within the
 * frame bound; the world equals its twin (which got only the server's own
 * events: with no validate callback nothing a client sends may change it)
 * and stays self-consistent; the server allocates nothing after create; and
 * at the end (a tick, then up to 9 more until they are in step) every
 * honest client -- unless a hostile HELLO resumed its slot with its own
 * resume token -- is LIVE with its world equal to the server's hash of its
 * view, which equals the view's hash summed here from the twin world
 * (fn_view_expect: an oracle independent of the server's code).
 */
#include "fuzz_common.h"
#include "fuzz_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fn_env E, Saved;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  fn_env *e = &E;
  if (!ready) { /* the setup once; every input starts from its image */
    FZ_CHECK(fn_open(e));
    fn_save(e, &Saved);
    ready = 1;
  }
  fn_restore(e, &Saved);
  unsigned long allocs = e->heap.allocs;
  size_t pos = 0;
  for (int r = 0; r < FN_MAX_RECORDS && pos + 3 <= size; r++) {
    unsigned ctl = data[pos];
    size_t len = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;
    pos += 3;
    if (len > size - pos) len = size - pos;
    unsigned k = ctl & 3;
    uint64_t closes = e->closes;
    synk_status st = fn_feed(e, k, data + pos, len, (ctl >> 2) & 1);
    pos += len;
    FZ_CHECK(st == SYNK_OK || st == SYNK_E_FORMAT || st == SYNK_E_SPACE);
    if (st == SYNK_E_FORMAT) FZ_CHECK(e->closes > closes && e->slot_closed[k]);
    FZ_CHECK(fn_drain(e, NULL, NULL));
    for (unsigned j = 0; j < FN_SLOTS; j++)
      if (e->slot_closed[j]) fn_end(e, j);
    if ((ctl >> 3) & 1) fn_end(e, k);
    static const unsigned wait_ms[4] = {0, 16, 200, 1000};
    FZ_CHECK(fn_ticks(e, ((ctl >> 4) & 3) == 3));
    if (ctl >> 6) FZ_CHECK(fn_wait(e, wait_ms[ctl >> 6]));
    FZ_CHECK(fn_drain(e, NULL, NULL));
    FZ_CHECK(synk_hash(e->w) == synk_hash(e->twin));
  }
  /* the end: a tick, then until the honest clients are back in step (at
     most 9 more: enough for acks and a repair), and they must be right */
  FZ_CHECK(fn_ticks(e, 1));
  for (int t = 0; t < 9 && !fn_converged(e); t++) FZ_CHECK(fn_ticks(e, 1));
  FZ_CHECK(fn_drain(e, NULL, NULL));
  FZ_CHECK(synk_hash(e->w) == synk_hash(e->twin));
  fz_consistent(e->w);
  for (int i = 0; i < FN_HONEST; i++) {
    if (e->hijacked[i]) continue;
    uint64_t vh = 0;
    FZ_CHECK(synk_client_get_state(e->c[i]) == SYNK_CLIENT_LIVE);
    FZ_CHECK(synk_server_view_hash(e->s, synk_client_id(e->c[i]), &vh) == SYNK_OK);
    FZ_CHECK(vh == fn_view_expect(e, i));
    FZ_CHECK(synk_hash(synk_client_world(e->c[i])) == vh);
  }
  FZ_CHECK(e->heap.allocs == allocs);
  return 0;
}
