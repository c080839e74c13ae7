/* SPDX-License-Identifier: MIT */
/* Seed corpus of fuzz_net_client_seq: short scripts of its ops
 * (fuzz_net_client_seq.h) that an honest server could send, and a few
 * broken payloads each followed by the honest answer -- ticks of every
 * change, snapshots, repairs, a replay after a repair request, a reconnect
 * with its WELCOME, commands and their results, control messages. None of
 * them breaks an invariant on a correct client; the known bugs' reproducers
 * are in tests/fuzz/repro/net_client_seq. Usage: gen_net_client_seq_corpus DIR */
#include "fuzz_net_client_seq.h"

static fz_seed seed;

static void put(uint32_t v) { fz_put(&seed, v); }
static void op(uint32_t code, uint32_t a) { put(code), put(a); }
static int save(const char *dir, const char *name) { return fz_seed_save(&seed, dir, name); }

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_net_client_seq_corpus DIR\n");
    return 2;
  }
  const char *d = argv[1];
  int bad = 0;
  /* ticks: motions, spawns, despawns, properties; several pieces in one message */
  op(10, 3), put(0x03), put(0x07), put(0x0B), put(0x13);
  op(0, 2), put(0x1F), put(0x25), put(0x02);
  op(10, 1), put(0x01), put(0x3F);
  bad |= save(d, "ticks");
  /* snapshots: valid, then broken ones, each answered honestly */
  op(10, 1), put(1), put(2);
  op(1, 0 << 2), put(255);
  op(1, 1 << 2), put(255), put(40), put(3), op(11, 0);
  op(1, 2 << 2), put(255), put(1), op(11, 0);
  op(1, 4 << 2), put(100), op(11, 0);
  op(1, 6 << 2), put(255), op(11, 0);
  bad |= save(d, "snapshot");
  /* repairs: valid, and refused ones whose frame stays the base */
  op(10, 2), put(1), put(2), put(3);
  op(2, 0), put(0x00);
  op(10, 0), put(5);
  op(2, 0), put(0x09);            /* frame = base, wrong hash */
  op(2, 0), put(0x11), op(11, 0); /* frame = base, one chunk */
  op(2, 0), put(0x31), op(11, 0); /* frame = base, an entity in another chunk */
  bad |= save(d, "repair");
  /* a repair request: ticks are discarded until the replay of them */
  op(7, 1 << 2), put(0);
  op(10, 2), put(1), put(4), put(2);
  op(3, 0);
  op(10, 0), put(3);
  bad |= save(d, "replay");
  /* the connection ends; HELLO, WELCOME (resumed), the honest answer */
  op(7, 5 << 2), put(0);
  op(4, 0), put(0x10), put(0), put(1), put(0), put(0);
  op(11, 0), op(10, 1), put(1), put(2);
  /* two commands in flight when the connection ends; the WELCOME of the
     resume carries their outcomes (the first accepted, the second rejected) */
  op(7, 0), put(4), op(7, 0), put(6);
  op(7, 5 << 2), put(0);
  op(4, 0), put(0x90), put(0), put(2), put(2), put(0), put(0), put(1), put(3);
  op(11, 0), op(10, 0), put(1);
  bad |= save(d, "welcome");
  /* predicted commands and their results, control messages */
  op(7, 0), put(3), op(7, 0), put(9);
  op(10, 0), put(1);
  op(5, 0), put(0x05), put(0);      /* the first: accepted, effect the next frame */
  op(5, 0), put(0x03), put(1);      /* the second: rejected */
  op(10, 1), put(1), put(1);
  op(6, 0 << 2), put(0), op(6, 1 << 2), put(0), op(6, 2 << 2), put(5), op(6, 3 << 2), put(0);
  op(7, 3 << 2), put(1), op(7, 4 << 2), put(0);
  op(10, 0), put(2), op(11, 0); /* CHECK asked for a repair */
  bad |= save(d, "commands");
  if (bad) fprintf(stderr, "gen_net_client_seq_corpus: cannot write into %s\n", d);
  return bad;
}
