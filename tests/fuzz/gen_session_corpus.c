/* Seed corpus of fuzz_session: after the shared prelude (fuzz_session.h),
 * peer 1 plays on and its datagrams to peer 0 are written as target inputs:
 * plain frames, a rollback (an input change peer 0 did not predict), the
 * stall window, hash reports. Usage: gen_session_corpus DIR */
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
  return 0;
}
