/* SPDX-License-Identifier: MIT */
/* Seed corpus of fuzz_session_seq (its input language: fuzz_session_seq.h):
 * for every scenario, a few rounds of honest play (every peer steps and
 * polls, everything is delivered, time passes), alone and with each hostile
 * act of H: lies in its hash reports, a wrong-hash claim, a corrupted world,
 * a mutated datagram, a forged one, a cut link with a long silence.
 * Usage: gen_session_seq_corpus DIR */
#include <stdio.h>
#include <string.h>

#include "fuzz_session_seq.h"

typedef struct seed {
  unsigned char b[4096];
  size_t n;
} seed;

static void op(seed *s, int code, const unsigned char *args) {
  s->b[s->n++] = (unsigned char)code;
  for (unsigned i = 0; i < SQ_ARGS[code]; i++) s->b[s->n++] = args ? args[i] : 0;
}

/* `rounds` of honest play of 4 peers (a scenario of 3 wraps peer 3 to 0) */
static void play(seed *s, int rounds) {
  for (int r = 0; r < rounds; r++) {
    for (unsigned char p = 0; p < 4; p++) {
      const unsigned char a[2] = {p, (unsigned char)(r / 3 + p)};
      op(s, SQ_STEP, a);
    }
    for (unsigned char p = 0; p < 4; p++) op(s, SQ_POLL, &p);
    op(s, SQ_FLUSH, NULL);
    const unsigned char t = 16;
    op(s, SQ_TICK, &t);
  }
}

/* a new input of scenario sc */
static void start(seed *s, int sc) {
  s->n = 0;
  s->b[s->n++] = (unsigned char)sc;
}

static int write_seed(const char *dir, const char *name, int scen, const seed *s) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s-%d.bin", dir, name, scen);
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  int ok = fwrite(s->b, 1, s->n, f) == s->n;
  return fclose(f) == 0 && ok;
}

/* `before` rounds of play, one act (code < 0: none), `after` rounds */
static int one_act(const char *dir, const char *name, int sc, int code, const unsigned char *args, int before,
                   int after) {
  seed s;
  start(&s, sc);
  play(&s, before);
  if (code >= 0) op(&s, code, args);
  play(&s, after);
  return write_seed(dir, name, sc, &s);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_session_seq_corpus DIR\n");
    return 2;
  }
  const unsigned char to0 = 0;
  for (int sc = 0; sc < SQ_SCENARIOS; sc++) {
    seed s;
    /* honest play; with H lying in every hash report; with H claiming a
       wrong hash to peer 0; with H's world diverging */
    if (!one_act(argv[1], "honest", sc, -1, NULL, 0, 12) || !one_act(argv[1], "lie", sc, SQ_LIE, NULL, 0, 12) ||
        !one_act(argv[1], "claim", sc, SQ_CLAIM, &to0, 4, 8) ||
        !one_act(argv[1], "corrupt", sc, SQ_CORRUPT, NULL, 0, 12))
      return 1;
    /* a datagram of H's, mutated: a bit flipped, a varint made overlong, a field escaped */
    start(&s, sc);
    play(&s, 3);
    const unsigned char hp = (unsigned char)(SQ_PEERS[sc] - 1); /* H */
    op(&s, SQ_STEP, (const unsigned char[]){hp, 9});
    op(&s, SQ_POLL, &hp);
    op(&s, SQ_MUTATE, (const unsigned char[]){0, 0, 0, 5, 3, 4, 1, 0, 5, 0, 1});
    play(&s, 3);
    if (!write_seed(argv[1], "mutate", sc, &s)) return 1;
    /* forged datagrams: inputs and every extension, then localization data */
    start(&s, sc);
    play(&s, 3);
    op(&s, SQ_FORGE, (const unsigned char[]){0, 1, 0, 2, 7, 1, 0x3F, 0x10, 0x27, 0xFE, 2, 3, 5, 1, 9});
    op(&s, SQ_FORGE, (const unsigned char[]){1, 0, 1, 0, 0, 0, 0x24, 0, 0, 0, 0x81, 0, 4, 0, 33});
    play(&s, 3);
    if (!write_seed(argv[1], "forge", sc, &s)) return 1;
    /* a cut link and a long silence: interrupted, disconnected, back */
    start(&s, sc);
    play(&s, 2);
    const unsigned char one = 1, long_tick = 255;
    op(&s, SQ_CUT, &one);
    play(&s, 2);
    op(&s, SQ_TICK, &long_tick);
    op(&s, SQ_CUT, &one);
    play(&s, 4);
    if (!write_seed(argv[1], "cut", sc, &s)) return 1;
  }
  return 0;
}
