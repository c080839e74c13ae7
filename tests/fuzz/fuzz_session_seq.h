/* SPDX-License-Identifier: MIT */
/*
 * fuzz_session_seq's input language, shared with its seed generator
 * (gen_session_seq_corpus.c). An input is a scenario byte, then actions,
 * each an opcode byte and a fixed number of argument bytes (SQ_ARGS); bytes
 * past the end read as 0 and end the input. Every byte string decodes to a
 * sequence of well-formed actions.
 *
 * Peers are the sessions of one game: the last peer of a scenario is the
 * hostile one, H -- a real session whose datagrams the fuzzer may deliver as
 * they are, falsify (hash reports), mutate or replace by forgeries; the
 * others are honest, and the network between all of them is the fuzzer's
 * (delivery in any order, duplicates, losses, cuts, time).
 */
#ifndef SYNK_FUZZ_SESSION_SEQ_H
#define SYNK_FUZZ_SESSION_SEQ_H

enum sq_op {
  SQ_STEP,     /* peer, input byte: the peer's local inputs, one advance, its requests */
  SQ_POLL,     /* peer: its datagrams to the network */
  SQ_DELIVER,  /* from, to, index: one queued datagram delivered (reordered by index) */
  SQ_DUP,      /* from, to, index: delivered and kept queued */
  SQ_DROP,     /* from, to, index: lost */
  SQ_FLUSH,    /* every queued datagram delivered, oldest first */
  SQ_TICK,     /* t: time passes (t < 240: 1..64 ms; else (t - 239) * 250 ms) */
  SQ_CUT,      /* peer: its network is cut / restored (its datagrams lost both ways) */
  SQ_LIE,      /* H falsifies every hash report it sends from now on (toggle) */
  SQ_CORRUPT,  /* H's world diverges: its simulation of its next frame moves an entity */
  SQ_CLAIM,    /* to: H claims a wrong hash for the newest final checkpoint of `to` */
  SQ_MUTATE,   /* to, index, 3 ops x (op, pos, value): H's queued datagram to `to`, edited, sealed, delivered */
  SQ_FORGE,    /* to, 14 field bytes: a datagram H builds field by field, sealed, delivered */
  SQ_OPS
};

/* argument bytes of each opcode */
static const unsigned char SQ_ARGS[SQ_OPS] = {2, 1, 3, 3, 3, 0, 1, 1, 0, 0, 1, 2 + 9, 1 + 14};

/* the scenarios (fuzz_session_seq.c describes them) */
#define SQ_SCENARIOS 4
#define SQ_HUGE 2 /* the scenario whose world has more than 8192 ids */
/* peers of each scenario; the last is H */
static const unsigned char SQ_PEERS[SQ_SCENARIOS] = {3, 4, 3, 3};

#endif
