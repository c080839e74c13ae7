/* SPDX-License-Identifier: MIT */
/* Seed corpus of fuzz_session: after the shared prelude (fuzz_session.h),
 * peer 1 plays on and its datagrams to peer 0 are written as target inputs
 * (at most FS_MAX_DATAGRAMS each, what the target reads): plain frames, a
 * rollback (an input change peer 0 did not predict), the stall window, hash
 * reports, and a desync with its localization -- checked by replaying it as
 * the target does: peer 0 must report the desync localized.
 * Usage: gen_session_corpus DIR */
#include "fuzz_session.h"

/* feed a seed's datagrams to peer 0 of a fresh prelude as fuzz_session does
   (a step after each accepted one); 1 when every one is accepted (and, with
   `localize`, when it reports a localized desync) */
static int replay(const uint8_t *data, size_t size, int localize) {
  fs_peer a, b;
  if (!fs_prelude(&a, &b)) return 0;
  uint64_t frame = 30;
  uint32_t now = 30 * 16;
  int localized = 0, refused = 0;
  for (size_t pos = 0, k = 0; k < FS_MAX_DATAGRAMS && pos + 2 <= size; k++) {
    size_t len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
    pos += 2;
    synk_status st = synk_session_receive(a.s, now, 1, data + pos, len);
    pos += len;
    refused |= st != SYNK_OK;
    if (st != SYNK_OK) continue;
    if (fs_step(&a, 0, frame, now)) frame++;
    fs_flush(&a, 0, NULL, now, NULL);
    synk_session_event ev;
    while (synk_session_next_event(a.s, &ev) == SYNK_OK) localized |= ev.type == SYNK_SEV_DESYNC_LOCALIZED;
    now += 16;
  }
  fs_close(&a);
  fs_close(&b);
  return !refused && (localized || !localize);
}

/* write a seed, after checking the target takes each of its datagrams */
static int write_seed(const char *dir, const char *name, const uint8_t *data, size_t size) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (!replay(data, size, 0)) {
    fprintf(stderr, "gen_session_corpus: %s: a datagram is refused\n", name);
    return 0;
  }
  FILE *out = fopen(path, "wb");
  if (!out) return 0;
  int ok = fwrite(data, 1, size, out) == size;
  return fclose(out) == 0 && ok;
}

/* peer 1's datagrams, as target input (u16 length + bytes), appended to rec */
static size_t record(fs_peer *from, uint32_t now, uint8_t *rec, size_t n, size_t cap, fs_peer *to) {
  uint8_t buf[SYNK_SESSION_DEFAULT_MTU];
  uint32_t peer;
  size_t len;
  while (synk_session_poll(from->s, now, &peer, buf, sizeof buf, &len) == SYNK_OK && n + len + 2 <= cap) {
    if (to) synk_session_receive(to->s, now, 1, buf, len);
    rec[n++] = (uint8_t)len;
    rec[n++] = (uint8_t)(len >> 8);
    memcpy(rec + n, buf, len);
    n += len;
  }
  return n;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_session_corpus DIR\n");
    return 2;
  }
  static uint8_t rec[1 << 16];
  const uint32_t spans[] = {1, 3, 6, FS_MAX_DATAGRAMS};
  for (size_t k = 0; k < sizeof spans / sizeof spans[0]; k++) {
    fs_peer a, b;
    if (!fs_prelude(&a, &b)) return 1;
    /* peer 1 runs spans[k] frames ahead of what peer 0 will have seen */
    size_t n = 0;
    for (uint64_t f = 30; f < 30 + spans[k]; f++) {
      uint32_t now = (uint32_t)(f * 16);
      fs_step(&b, 1, f, now);
      n = record(&b, now, rec, n, sizeof rec, NULL);
    }
    fs_close(&a);
    fs_close(&b);
    char name[64];
    snprintf(name, sizeof name, "frames-%u.bin", spans[k]);
    if (!write_seed(argv[1], name, rec, n)) return 1;
  }
  /* a desync: peer 1's world is corrupted after the prelude; both keep
     playing, every datagram delivered, peer 0 stepping after it takes peer
     1's datagrams of a frame (as the target does); every datagram of peer 1
     is recorded, and the first FS_MAX_DATAGRAMS of them must localize it */
  fs_peer a, b;
  if (!fs_prelude(&a, &b)) return 1;
  size_t n = 0;
  synk_move(b.w, 30, 5, 5, 5);
  for (uint64_t f = 30; f < 30 + FS_MAX_DATAGRAMS; f++) {
    uint32_t now = (uint32_t)(f * 16);
    fs_step(&b, 1, f, now);
    fs_flush(&a, 0, &b, now, NULL);
    n = record(&b, now, rec, n, sizeof rec, &a);
    fs_step(&a, 0, f, now);
  }
  fs_close(&a);
  fs_close(&b);
  if (!replay(rec, n, 1)) {
    fprintf(stderr, "gen_session_corpus: the desync seed does not localize\n");
    return 1;
  }
  return write_seed(argv[1], "desync.bin", rec, n) ? 0 : 1;
}
