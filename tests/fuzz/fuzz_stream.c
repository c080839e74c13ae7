/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: event stream decode + apply. The input is a stream
 * (docs/wire-format.md); it is decoded to events (count query, then into a
 * bounded array) and applied to a fresh world (1024 ids, 8 props, empty, as
 * `synk gen ... --raw` streams expect) whole and tick by tick. Checks: no
 * crash, hang or out-of-bounds access (ASan/UBSan); a refused stream leaves
 * the world exactly as it was; an accepted one keeps hash == rehash; both
 * apply paths reach the same world, and so do the decoded events through
 * synk_events_apply (same status, same failing index); decode and apply agree on validity of
 * the bytes (a stream that decodes may still be refused by the world, never
 * the other way round). Built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
 * (tests/fuzz/CMakeLists.txt): the CRC-32C check records are computed but not
 * enforced, so mutations reach the parser and the world; the checks
 * themselves are tested in tests/test_codec.c.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static synk_world *fresh(void) {
  synk_config cfg = {1024, 8, 0x5EED, NULL, NULL};
  synk_world *w = NULL;
  FZ_CHECK(synk_world_create(&cfg, &w) == SYNK_OK);
  return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  synk_event *ev = NULL; /* the decoded events, when they fit */
  size_t n = 0;
  synk_stream_info info;
  synk_status dst = synk_stream_decode(data, size, NULL, 0, &n, &info);
  FZ_CHECK(dst == SYNK_OK || dst == SYNK_E_FORMAT);
  FZ_CHECK(n <= 64 * size + 1);
  if (dst == SYNK_OK) {
    size_t cap = n < 65536 ? n : 65536, m = 0;
    ev = (synk_event *)malloc((cap + 1) * sizeof *ev);
    FZ_CHECK(ev);
    synk_status st = synk_stream_decode(data, size, ev, cap, &m, NULL);
    FZ_CHECK(st == (n > cap ? SYNK_E_SPACE : SYNK_OK) && m == n);
    /* re-encoding the decoded events and decoding again gives the same events */
    if (st == SYNK_OK && n < 4096) {
      size_t len = 0;
      FZ_CHECK(synk_stream_encode(ev, n, NULL, 0, &len) == SYNK_OK);
      uint8_t *b2 = (uint8_t *)malloc(len);
      synk_event *ev2 = (synk_event *)malloc((n + 1) * sizeof *ev2);
      FZ_CHECK(b2 && ev2 && synk_stream_encode(ev, n, b2, len, &len) == SYNK_OK);
      size_t m2 = 0;
      FZ_CHECK(synk_stream_decode(b2, len, ev2, n, &m2, NULL) == SYNK_OK && m2 == n);
      FZ_CHECK(n == 0 || memcmp(ev, ev2, n * sizeof *ev) == 0);
      free(b2);
      free(ev2);
    }
    if (st != SYNK_OK) {
      free(ev);
      ev = NULL;
    }
  }

  synk_world *w = fresh(), *ref = fresh();
  synk_status ast = synk_stream_apply(w, data, size, NULL, 0, &info);
  fz_consistent(w);
  if (ast != SYNK_OK) {
    FZ_CHECK(fz_same(w, ref));
    FZ_CHECK(info.bad_offset <= size);
  } else {
    FZ_CHECK(dst == SYNK_OK);
    /* tick by tick reaches the same world */
    synk_world *t = fresh();
    size_t pos = 0, steps = 0;
    while (pos < size && steps++ <= size) FZ_CHECK(synk_stream_apply(t, data, size, &pos, 1, NULL) == SYNK_OK);
    FZ_CHECK(fz_same(w, t));
    synk_world_destroy(t);
  }
  /* the decoded events applied as events: same outcome, same world */
  if (ev) {
    synk_world *e = fresh();
    size_t bad = 0;
    synk_status est = synk_events_apply(e, ev, n, &bad);
    FZ_CHECK(est == ast);
    if (est == SYNK_OK) FZ_CHECK(fz_same(e, w));
    else FZ_CHECK(bad == info.bad_event && fz_same(e, ref));
    fz_consistent(e);
    synk_world_destroy(e);
  }
  free(ev);
  synk_world_destroy(w);
  synk_world_destroy(ref);
  return 0;
}
