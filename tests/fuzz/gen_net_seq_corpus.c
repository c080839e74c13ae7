/* SPDX-License-Identifier: MIT */
/* Seed corpus of fuzz_net_seq: short scripts of its ops (fuzz_net_seq.h),
 * each a session the server must get right -- commands of every kind,
 * a resume inside the grace period, a new join after the slot expired,
 * hostile HELLOs and messages of every type, a client that stops reading,
 * views and repairs, the application's own calls. None of them breaks an
 * invariant on a correct server: they are where the fuzzer starts, the
 * known bugs' reproducers are in tests/fuzz/repro/net_seq.
 * Usage: gen_net_seq_corpus DIR */
#include <stdio.h>
#include <string.h>

#include "fuzz_net_seq.h"

static fz_seed seed;

static void put(uint32_t v) { fz_put(&seed, v); }
/* op with a parameter byte: its low 2 bits pick the peer (honest i or
 * hostile h; for the application's op, the call), the rest are `bits` */
static void op(uint32_t code, uint32_t peer, uint32_t bits) { put(code), put((bits << 2) | peer); }
static void tick(uint32_t count) { put(0), put((count - 1) << 6); }
static void wait_ms(uint32_t which) { put(1), put(which << 2); } /* 16, 100, 300, 700 ms */

static int save(const char *dir, const char *name) { return fz_seed_save(&seed, dir, name); }

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_net_seq_corpus DIR\n");
    return 2;
  }
  const char *d = argv[1];
  int bad = 0;
  /* commands: accepted, rejected, invalid, a burst; hostile ones too */
  op(2, 0, 0), op(2, 1, 4), op(2, 2, 7), op(2, 0, 0x21);
  op(3, 0, 0), op(3, 1, 0), op(3, 2, 0);
  tick(2);
  op(9, 0, 0), put(4), put(0);
  tick(1);
  bad |= save(d, "commands");
  /* a resume inside the grace period, with an accepted command in flight */
  op(2, 0, 1), op(3, 0, 1), tick(1);
  op(5, 0, 0), wait_ms(1), op(6, 0, 0);
  tick(2);
  bad |= save(d, "resume");
  /* a slot that expires: the client comes back as a new one */
  op(5, 2, 0), wait_ms(3), tick(1), op(6, 2, 0), tick(3);
  bad |= save(d, "expire");
  /* hostile HELLOs (full server, bad room, bad token) and messages */
  op(8, 1, 0), put(0x00), put(0);  /* good token: refused FULL */
  op(8, 2, 0), put(0x04), put(0);  /* bad room */
  op(8, 1, 0), put(0x01), put(0);  /* bad token */
  op(11, 0, 0);                    /* hostile 0 reads (its WELCOME) */
  op(10, 0, 0), put(0), put(2), put(1), put(3), put(9), put(0x20), put(0); /* VIEW: cells 3, 9; id 32 */
  op(10, 0, 3);                    /* ACK with the expected hash */
  op(10, 0, 4), put(1), put(2), put(3), put(4), put(5), put(6), put(7), put(8); /* ACK, another hash */
  op(10, 0, 5), put(12);           /* APP */
  op(10, 0, 6), put(0);            /* PING */
  tick(1), op(11, 0, 0);
  op(10, 0, 1), put(0), put(0), put(0), put(0), put(0), put(0), put(0), put(0), put(0); /* SYNC, no sums */
  tick(1), op(11, 0, 0);
  op(12, 0, 0), wait_ms(1);        /* transport lost, then a resume with its own token */
  op(8, 0, 0), put(0x10), put(0);
  op(11, 0, 0), tick(1);
  bad |= save(d, "hostile");
  /* a client that stops reading, views, a repair asked for */
  op(4, 1, 0), tick(2), op(2, 1, 2), tick(2);
  op(7, 2, 0), put(0x0A), op(7, 0, 1), put(0), op(7, 1, 2), put(5);
  op(4, 1, 1), tick(2);
  bad |= save(d, "reading");
  /* the application: a view, an entity, a message, a kick */
  op(13, 0, 1), put(0x41); /* set_view of slot 1 */
  op(13, 3, 0), put(9);    /* spawn id 10 */
  tick(1);
  op(13, 2, 0), put(5);    /* send to all */
  op(13, 1, 3), put(0);    /* kick slot 3 (the hostile one) */
  tick(1);
  op(13, 3, 0), put(9);    /* despawn id 10 */
  tick(1);
  bad |= save(d, "application");
  if (bad) fprintf(stderr, "gen_net_seq_corpus: cannot write into %s\n", d);
  return bad;
}
