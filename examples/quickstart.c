/* SPDX-License-Identifier: MIT */
/* quickstart: two peers, one event stream, one hash.
 *
 * Two worlds created with the same config (same seed) stand for two peers.
 * Both receive the same events; their O(1) hashes agree, and agree with a
 * full recomputation. Exits 0 when they do, 1 otherwise. */
#include <inttypes.h>
#include <stdio.h>

#include "synk.h"

static int apply_events(synk_world *w) {
  size_t bad = 0;
  synk_status st;
  /* spawn three entities: id, kind, x, y, z (fixed-point by our convention) */
  if ((st = synk_spawn(w, 0, 1, 0, 0, 0)) != SYNK_OK) goto fail;
  if ((st = synk_spawn(w, 7, 2, 100, -50, 0)) != SYNK_OK) goto fail;
  if ((st = synk_spawn(w, 42, 1, -1000, 0, 25)) != SYNK_OK) goto fail;
  /* one motion */
  if ((st = synk_move(w, 7, 5, 5, 0)) != SYNK_OK) goto fail;
  /* a batch: any order, repeats allowed; same result as one by one */
  const synk_motion batch[] = {{42, 1, 0, 0}, {0, -3, 2, 1}, {42, 1, 0, 0}, {7, 0, 0, -9}};
  if ((st = synk_apply_motions(w, batch, sizeof batch / sizeof batch[0], &bad)) != SYNK_OK) goto fail;
  /* a property */
  if ((st = synk_set_prop(w, 42, 0, 250)) != SYNK_OK) goto fail;
  synk_tick(w);
  return 0;
fail:
  fprintf(stderr, "event failed: %s\n", synk_status_str(st));
  return 1;
}

int main(void) {
  synk_config cfg = {.max_entities = 1024, .num_props = 2, .seed = 0x5EEDu, .allocator = NULL, NULL};
  synk_world *a = NULL, *b = NULL;
  if (synk_world_create(&cfg, &a) != SYNK_OK || synk_world_create(&cfg, &b) != SYNK_OK) return 1;
  int rc = apply_events(a) | apply_events(b);

  uint64_t ha = synk_hash(a), hb = synk_hash(b);
  printf("backend %s\npeer A %016" PRIx64 "\npeer B %016" PRIx64 "\n", synk_isa(), ha, hb);
  if (rc || ha != hb || ha != synk_rehash(a)) {
    printf("DESYNC\n");
    rc = 1;
  } else {
    printf("in sync: %zu entities at frame %" PRIu64 "\n", synk_count(a), synk_frame(a));
  }
  synk_world_destroy(a);
  synk_world_destroy(b);
  return rc;
}
