/*
 * libFuzzer target: snapshot load. An accepted snapshot yields a consistent
 * world whose snapshot is byte-identical to the input (the format is
 * canonical); a refused one allocates nothing that stays. Allocation is
 * bounded by the format itself (the alive bitmap is max_entities/8 bytes).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  synk_world *w = NULL;
  synk_status st = synk_snapshot_load(data, size, NULL, &w);
  FZ_CHECK(st == SYNK_OK || st == SYNK_E_FORMAT || st == SYNK_E_MISMATCH || st == SYNK_E_NOMEM);
  if (st != SYNK_OK) {
    FZ_CHECK(w == NULL);
    return 0;
  }
  fz_consistent(w);
  size_t len = 0;
  FZ_CHECK(synk_snapshot_save(w, NULL, 0, &len) == SYNK_OK && len == size);
  uint8_t *b = (uint8_t *)malloc(len);
  FZ_CHECK(b && synk_snapshot_save(w, b, len, &len) == SYNK_OK);
  FZ_CHECK(memcmp(b, data, size) == 0);
  free(b);
  synk_world_destroy(w);
  return 0;
}
