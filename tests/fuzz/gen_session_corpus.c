/* SPDX-License-Identifier: MIT */
/* Seed corpus of fuzz_session: after the shared prelude (fuzz_session.h),
 * peer 1 plays on and its datagrams to peer 0 are written as target inputs:
 * plain frames, a rollback (an input change peer 0 did not predict), the
 * stall window, hash reports, and a desync with its localization.
 * Usage: gen_session_corpus DIR */
#include "fuzz_session.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_session_corpus DIR\n");
    return 2;
  }
  const uint32_t spans[] = {1, 3, 8, 12};
  for (size_t k = 0; k < sizeof spans / sizeof spans[0]; k++) {
    fs_peer a, b;
    if (!fs_prelude(&a, &b)) return 1;
    char name[512];
    snprintf(name, sizeof name, "%s/frames-%u.bin", argv[1], spans[k]);
    FILE *out = fopen(name, "wb");
    if (!out) return 1;
    /* peer 1 runs spans[k] frames ahead of what peer 0 will have seen */
    for (uint64_t f = 30; f < 30 + spans[k]; f++) {
      uint32_t now = (uint32_t)(f * 16);
      fs_step(&b, 1, f, now);
      fs_flush(&b, 1, NULL, now, out);
    }
    fclose(out);
    fs_close(&a);
    fs_close(&b);
  }
  /* a desync: peer 1's world is corrupted after the prelude; both keep
     playing and peer 1's hash reports and localization data are recorded */
  fs_peer a, b;
  if (!fs_prelude(&a, &b)) return 1;
  char name[512];
  snprintf(name, sizeof name, "%s/desync.bin", argv[1]);
  FILE *out = fopen(name, "wb");
  if (!out) return 1;
  synk_move(b.w, 300, 5, 5, 5);
  for (uint64_t f = 30; f < 62; f++) {
    uint32_t now = (uint32_t)(f * 16);
    fs_step(&a, 0, f, now);
    fs_step(&b, 1, f, now);
    fs_flush(&a, 0, &b, now, NULL);
    fs_flush(&b, 1, &a, now, out);
  }
  fclose(out);
  synk_session_event ev;
  int desync = 0;
  while (synk_session_next_event(a.s, &ev)) desync |= ev.type == SYNK_SEV_DESYNC_LOCALIZED;
  fs_close(&a);
  fs_close(&b);
  if (!desync) fprintf(stderr, "gen_session_corpus: the desync seed did not localize\n");
  return desync ? 0 : 1;
}
