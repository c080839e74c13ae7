/* SPDX-License-Identifier: MIT */
/*
 * The network simulator: the same seed gives the same deliveries; loss,
 * duplication and reordering happen at their rates; every datagram arrives
 * within its link's delay bounds, intact; bursts and cut links lose
 * everything; the queue is bounded; a receive buffer too small is told the
 * size and loses nothing; config defaults; bad arguments are refused.
 */
#include "synk_netsim.h"
#include "test_util.h"

#define N 100000u

typedef struct rec {
  uint32_t from, to, at;
  uint32_t seq;
} rec;

static synk_netsim *create(uint32_t nodes, uint32_t capacity, uint32_t max_len, uint64_t seed) {
  synk_netsim_config c;
  synk_netsim_config_defaults(&c);
  c.nodes = nodes;
  c.capacity = capacity;
  c.max_len = max_len;
  c.seed = seed;
  synk_netsim *ns = NULL;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_OK);
  return ns;
}

/* send N numbered datagrams 0 -> 1 (one per ms) and record what arrives */
static uint32_t run(const synk_netsim_link *l, uint64_t seed, rec *out, uint32_t *delay_bad, synk_netsim_stats *st) {
  synk_netsim *ns = create(2, 4096, 64, seed);
  CHECK_ST(synk_netsim_set_link(ns, 0, 1, l), SYNK_OK);
  uint32_t got = 0, from, to;
  uint8_t buf[64];
  size_t len;
  uint32_t max_delay = l->latency_ms + l->jitter_ms + (l->reorder_ppm ? l->latency_ms + l->jitter_ms + 1 : 0);
  *delay_bad = 0;
  for (uint32_t t = 0; t < N + max_delay + 1; t++) {
    if (t < N) {
      uint8_t msg[8];
      for (int i = 0; i < 4; i++) msg[i] = (uint8_t)(t >> (8 * i));
      for (int i = 4; i < 8; i++) msg[i] = (uint8_t)(msg[i - 4] ^ 0xA5);
      CHECK_ST(synk_netsim_send(ns, t, 0, 1, msg, sizeof msg), SYNK_OK);
    }
    while (synk_netsim_recv(ns, t, &from, &to, buf, sizeof buf, &len) == SYNK_OK) {
      uint32_t seq = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
      int intact = len == 8;
      for (int i = 4; i < 8 && intact; i++) intact = buf[i] == (uint8_t)(buf[i - 4] ^ 0xA5);
      CHECK(intact && from == 0 && to == 1);
      if (t < seq + l->latency_ms || t > seq + max_delay) (*delay_bad)++;
      if (got < 2 * N) out[got] = (rec){from, to, t, seq};
      got++;
    }
  }
  CHECK_ST(synk_netsim_get_stats(ns, st), SYNK_OK);
  synk_netsim_destroy(ns);
  return got;
}

int main(void) {
  static rec a[2 * N], b[2 * N];
  synk_netsim_link l = {30, 150, 200000, 50000, 50000, 0, 0, 0};
  uint32_t bad_a, bad_b;
  synk_netsim_stats sa, sb;
  uint32_t na = run(&l, 11, a, &bad_a, &sa), nb = run(&l, 11, b, &bad_b, &sb);
  CHECK(na == nb && memcmp(a, b, na * sizeof a[0]) == 0); /* deterministic */
  CHECK(bad_a == 0);
  CHECK(sa.sent == N && sa.delivered == na);
  /* loss 20% of datagrams and of their duplicates; duplicates 5% */
  CHECK(sa.duplicated > N * 45 / 1000 && sa.duplicated < N * 55 / 1000);
  CHECK(sa.lost > (N + sa.duplicated) * 19 / 100 && sa.lost < (N + sa.duplicated) * 21 / 100);
  CHECK(sa.delivered + sa.lost == N + sa.duplicated);
  uint32_t inversions = 0;
  for (uint32_t i = 1; i < na; i++) inversions += a[i].seq < a[i - 1].seq;
  CHECK(inversions > N / 10); /* jitter and reordering: many overtakes */
  /* another seed, other deliveries */
  uint32_t nc = run(&l, 12, b, &bad_b, &sb);
  CHECK(nc != na || memcmp(a, b, na * sizeof a[0]) != 0);
  /* a perfect link: everything, in order, after exactly the latency */
  synk_netsim_link clean = {5, 0, 0, 0, 0, 0, 0, 0};
  na = run(&clean, 1, a, &bad_a, &sa);
  CHECK(na == N && sa.lost == 0 && bad_a == 0);
  int ordered = 1;
  for (uint32_t i = 0; i < na; i++) ordered &= a[i].seq == i && a[i].at == i + 5;
  CHECK(ordered);
  /* bursts: 100 ms of every second lost */
  synk_netsim_link burst = {0, 0, 0, 0, 0, 1000, 100, 0};
  na = run(&burst, 1, a, &bad_a, &sa);
  CHECK(na == N * 9 / 10 && sa.lost == N / 10);
  int outside = 1;
  for (uint32_t i = 0; i < na; i++) outside &= a[i].seq % 1000 >= 100;
  CHECK(outside);
  /* a cut link */
  synk_netsim_link down = {0, 0, 0, 0, 0, 0, 0, 1};
  na = run(&down, 1, a, &bad_a, &sa);
  CHECK(na == 0 && sa.lost == N);
  /* the queue is bounded */
  synk_netsim *ns = create(3, 4, 16, 1);
  synk_netsim_link slow = {10, 0, 0, 0, 0, 0, 0, 0};
  CHECK_ST(synk_netsim_set_link(ns, UINT32_MAX, UINT32_MAX, &slow), SYNK_OK);
  uint8_t buf[16] = {1, 2, 3};
  for (int i = 0; i < 10; i++) CHECK_ST(synk_netsim_send(ns, 0, 2, 0, buf, 3), SYNK_OK);
  synk_netsim_stats st;
  synk_netsim_get_stats(ns, &st);
  CHECK(st.overflow == 6);
  uint32_t from = 9, to = 9, got = 0;
  size_t len = 9;
  CHECK_ST(synk_netsim_recv(ns, 9, &from, &to, buf, sizeof buf, &len), SYNK_EMPTY); /* not yet due */
  CHECK(len == 0 && from == 9 && to == 9);
  /* a buffer too small: the size needed, and the datagram stays queued */
  CHECK_ST(synk_netsim_recv(ns, 10, &from, &to, buf, 2, &len), SYNK_E_SPACE);
  CHECK(len == 3 && from == 9 && to == 9);
  synk_netsim_get_stats(ns, &st);
  CHECK(st.delivered == 0);
  synk_status r;
  while ((r = synk_netsim_recv(ns, 10, &from, &to, buf, 3, &len)) == SYNK_OK) got += from == 2 && to == 0 && len == 3;
  CHECK_ST(r, SYNK_EMPTY);
  CHECK(got == 4);
  /* refused arguments */
  CHECK_ST(synk_netsim_send(ns, 0, 3, 0, buf, 3), SYNK_E_ARG);
  CHECK_ST(synk_netsim_send(ns, 0, 0, 1, buf, 17), SYNK_E_SPACE);
  CHECK_ST(synk_netsim_send(ns, 0, 0, 1, NULL, 3), SYNK_E_ARG);
  CHECK_ST(synk_netsim_set_link(ns, 0, 5, &slow), SYNK_E_ARG);
  CHECK_ST(synk_netsim_recv(ns, 100, NULL, &to, buf, sizeof buf, &len), SYNK_E_ARG);
  CHECK_ST(synk_netsim_recv(ns, 100, &from, &to, buf, sizeof buf, NULL), SYNK_E_ARG);
  CHECK_ST(synk_netsim_get_stats(ns, NULL), SYNK_E_ARG);
  synk_netsim_destroy(ns);
  synk_netsim_destroy(NULL);
  /* the config: defaults named in the header, 0 meaning the default */
  synk_netsim_config c;
  memset(&c, 0xFF, sizeof c);
  synk_netsim_config_defaults(&c);
  CHECK(c.nodes == SYNK_NETSIM_DEFAULT_NODES && c.capacity == SYNK_NETSIM_DEFAULT_CAPACITY &&
        c.max_len == SYNK_NETSIM_DEFAULT_MAX_LEN && c.seed == 0 && c.allocator == NULL);
  synk_netsim_config_defaults(NULL);
  memset(&c, 0, sizeof c);
  ns = (synk_netsim *)1;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_OK); /* all defaults */
  uint8_t big[SYNK_NETSIM_DEFAULT_MAX_LEN + 1] = {0};
  CHECK_ST(synk_netsim_send(ns, 0, 1, 0, big, SYNK_NETSIM_DEFAULT_MAX_LEN), SYNK_OK);
  CHECK_ST(synk_netsim_send(ns, 0, 1, 0, big, sizeof big), SYNK_E_SPACE);
  CHECK_ST(synk_netsim_send(ns, 0, SYNK_NETSIM_DEFAULT_NODES, 0, big, 1), SYNK_E_ARG);
  CHECK_ST(synk_netsim_recv(ns, 0, &from, &to, big, sizeof big, &len), SYNK_OK);
  CHECK(len == SYNK_NETSIM_DEFAULT_MAX_LEN && from == 1 && to == 0);
  synk_netsim_destroy(ns);
  ns = (synk_netsim *)1;
  c.nodes = SYNK_NETSIM_MAX_NODES + 1;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_E_ARG);
  CHECK(ns == NULL);
  CHECK_ST(synk_netsim_create(NULL, &ns), SYNK_E_ARG);
  c.nodes = SYNK_NETSIM_MAX_NODES;
  CHECK_ST(synk_netsim_create(&c, NULL), SYNK_E_ARG);
  synk_allocator half = {NULL, NULL, NULL};
  c.allocator = &half;
  CHECK_ST(synk_netsim_create(&c, &ns), SYNK_E_ARG);
  return t_done("test_netsim");
}
