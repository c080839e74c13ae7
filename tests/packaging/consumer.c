/* SPDX-License-Identifier: MIT */
/* A program that uses synk the way an installed or vendored library is used:
 * only <synk.h> and the library. Exit 0 when the library behaves; prints the
 * version and the world hash. Built by tests/packaging/run.sh three ways
 * (find_package, pkg-config, add_subdirectory). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <synk.h>

int main(void) {
  synk_config cfg = {.max_entities = 300, .num_props = 1, .seed = 42};
  synk_world *w = NULL;
  if (synk_world_create(&cfg, &w) != SYNK_OK) return 1;
  if (synk_spawn(w, 257, 3, 1, 2, 3) != SYNK_OK) return 2;
  const synk_motion m[] = {{257, 5, 0, -1}, {257, 1, 1, 1}};
  size_t bad = 0;
  if (synk_apply_motions(w, m, 2, &bad) != SYNK_OK) return 3;
  if (synk_move(w, 9, 1, 1, 1) != SYNK_E_DEAD) return 4;
  if (strcmp(synk_status_str(SYNK_E_DEAD), "SYNK_E_DEAD") != 0) return 5;
  synk_tick(w);
  if (synk_hash(w) != synk_rehash(w) || synk_count(w) != 1) return 6;
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", SYNK_VERSION_MAJOR, SYNK_VERSION_MINOR, SYNK_VERSION_PATCH);
  if (strcmp(synk_version(), want) != 0) return 7; /* header and library agree */
  printf("synk %s hash %016" PRIx64 "\n", synk_version(), synk_hash(w));
  synk_world_destroy(w);
  return 0;
}
