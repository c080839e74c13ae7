/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: delta apply. Input: u32 LE length L, a snapshot of L bytes
 * (the base world), then a delta (`synk gen ... --fuzz-delta` writes such
 * seeds). When the base loads, the delta is applied: refused, the world is
 * exactly as before; accepted, the world is consistent and carries the
 * delta's target hash and frame. An accepted delta's world re-encoded against
 * the base gives a delta that applies to the base to the same world.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  size_t l = synk_load_le32(data);
  if (l > size - 4) return 0;
  synk_world *w = NULL, *base = NULL;
  if (fz_load_limited(data + 4, l, &w) != SYNK_OK) return 0;
  FZ_CHECK(fz_load_limited(data + 4, l, &base) == SYNK_OK);
  const uint8_t *d = data + 4 + l;
  size_t dl = size - 4 - l;
  synk_status st = synk_delta_apply(w, d, dl);
  FZ_CHECK(st == SYNK_OK || st == SYNK_E_FORMAT || st == SYNK_E_MISMATCH);
  fz_consistent(w);
  if (st != SYNK_OK) {
    FZ_CHECK(fz_same(w, base));
  } else {
    FZ_CHECK(dl >= 60 && synk_hash(w) == synk_load_le64(d + 52) && synk_frame(w) == synk_load_le64(d + 36));
    size_t len = 0;
    FZ_CHECK(synk_delta_encode(base, w, NULL, 0, &len) == SYNK_OK);
    uint8_t *b = (uint8_t *)malloc(len);
    FZ_CHECK(b && synk_delta_encode(base, w, b, len, &len) == SYNK_OK);
    synk_world *c = NULL;
    FZ_CHECK(fz_load_limited(data + 4, l, &c) == SYNK_OK);
    FZ_CHECK(synk_delta_apply(c, b, len) == SYNK_OK && fz_same(c, w));
    synk_world_destroy(c);
    free(b);
  }
  synk_world_destroy(w);
  synk_world_destroy(base);
  return 0;
}
