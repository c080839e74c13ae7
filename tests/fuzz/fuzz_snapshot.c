/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: snapshot inspect + load, as two receivers: one with a
 * limit (inspect the header, refuse worlds above FZ_MAX_ENTITIES, load with
 * the config the header names) and one with a fixed agreed config (that of
 * the corpus seed crowd-1.bin: 60 ids, 4 props, seed 1 ^ 0x73796E6B; inputs
 * of any other config are refused as MISMATCH before anything is
 * allocated). Checks: an
 * accepted snapshot yields a consistent world whose snapshot is
 * byte-identical to the input (the format is canonical); a refused one
 * leaves nothing allocated; inspect and load agree on the structure; memory
 * stays within the receivers' limits (run.sh: -malloc_limit_mb).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void accepted(const synk_world *w, const uint8_t *data, size_t size) {
  fz_consistent(w);
  size_t len = 0;
  FZ_CHECK(synk_snapshot_save(w, NULL, 0, &len) == SYNK_OK && len == size);
  uint8_t *b = (uint8_t *)malloc(len);
  FZ_CHECK(b && synk_snapshot_save(w, b, len, &len) == SYNK_OK);
  FZ_CHECK(memcmp(b, data, size) == 0);
  free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  synk_snapshot_header h;
  const synk_status ist = synk_snapshot_inspect(data, size, &h);
  FZ_CHECK(ist == SYNK_OK || ist == SYNK_E_FORMAT);
  if (ist == SYNK_OK) FZ_CHECK(h.size == size && h.count <= h.max_entities && h.num_props <= SYNK_MAX_PROPS);

  synk_world *w = NULL;
  synk_status st = fz_load_limited(data, size, &w);
  FZ_CHECK(st == SYNK_OK || st == SYNK_E_FORMAT || st == SYNK_E_MISMATCH || st == SYNK_E_RANGE);
  FZ_CHECK((st == SYNK_E_FORMAT) == (ist == SYNK_E_FORMAT)); /* the same structural verdict */
  FZ_CHECK((st == SYNK_OK) == (w != NULL));
  if (w) {
    accepted(w, data, size);
    synk_world_destroy(w);
  }

  const synk_config fixed = {60, 4, 0x73796E6A, NULL, NULL};
  synk_world *f = NULL;
  synk_status fst = synk_snapshot_load(data, size, &fixed, &f);
  FZ_CHECK(fst == SYNK_OK || fst == SYNK_E_FORMAT || fst == SYNK_E_MISMATCH);
  FZ_CHECK((fst == SYNK_OK) == (f != NULL));
  const int same_cfg = ist == SYNK_OK && h.max_entities == fixed.max_entities && h.num_props == fixed.num_props &&
                       h.seed == fixed.seed;
  if (fst == SYNK_OK) FZ_CHECK(same_cfg);
  if (same_cfg) FZ_CHECK(fst == st); /* the two receivers agree on bytes both accept the config of */
  if (f) {
    accepted(f, data, size);
    synk_world_destroy(f);
  }
  return 0;
}
