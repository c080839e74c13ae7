/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the net client facing a hostile server that speaks the
 * protocol's messages well enough to reach every payload decoder
 * (fuzz_net_client_seq.h has the scene, the ops and the invariants). A
 * broken invariant prints its name and aborts.
 */
#include "fuzz_net_client_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cs_env E, Saved;

static void op_tick(cs_env *e, uint32_t a, fz_in *in, int valid) {
  uint32_t pieces = valid ? 1 : (a & 3) + 1, broken = valid ? 0 : (a >> 2) & 3;
  uint8_t piece[CS_PIECE];
  fz_w w;
  fz_w_init(&w, e->body, sizeof e->body);
  fz_w8(&w, 0); /* the low byte of the frame after the last piece: below */
  fz_wvar(&w, pieces);
  for (uint32_t k = 0; k < pieces; k++) {
    size_t n = cs_piece(e, fz_u8(in), piece, sizeof piece, !(broken == 3 && k + 1 == pieces));
    if (!n) return;
    if (k + 1 < pieces) fz_wvar(&w, n);
    fz_wbytes(&w, piece, n);
  }
  if (w.err) return;
  e->body[0] = (uint8_t)(synk_frame(e->t) + (broken == 1 ? 1 : 0));
  if (broken == 2) e->body[fz_u8(in) % w.n] ^= (uint8_t)(1 + fz_u8(in) % 255);
  cs_send(e, FZ_TICK, e->body, w.n);
}

static void op_snapshot(cs_env *e, uint32_t a, fz_in *in) {
  uint32_t how = (a >> 2) & 7;
  size_t frag = 1 + 2 * (size_t)fz_u8(in), len;
  uint64_t frame = synk_frame(e->t), hash = synk_hash(e->t);
  if (how == 6) { /* a world of another config: twice the ids */
    synk_config oc = {2 * CS_ENTITIES, CS_PROPS, CS_SEED, &e->tal, NULL};
    synk_world *o = NULL;
    len = 0;
    if (synk_world_create(&oc, &o) == SYNK_OK) {
      synk_spawn(o, 2 * CS_ENTITIES - 1, 1, 2, 3, 4);
      synk_snapshot_save(o, e->payload, sizeof e->payload, &len);
      hash = synk_hash(o);
    }
    synk_world_destroy(o);
  } else {
    len = cs_snapshot(e);
  }
  if (!len) return;
  if (how == 1) e->payload[fz_u8(in) % len] ^= (uint8_t)(1 + fz_u8(in) % 255);
  if (how == 2) hash ^= 1 + fz_u64(in);
  if (how == 3) frame += 1 + fz_u8(in);
  if (how == 7) frag = 7;
  uint32_t crc = synk_crc32c(0, e->payload, len) ^ (how == 4 ? 1u : 0u);
  cs_bulk(e, FZ_SNAPSHOT, len, frame, hash, crc, frag, how == 5 ? len / 2 : len, how == 0 || how == 7);
}

static void op_repair(cs_env *e, uint32_t a, fz_in *in) {
  uint64_t cf = synk_client_frame(e->c), tf = synk_frame(e->t), base = cf;
  uint32_t b = fz_u8(in);
  switch ((a >> 2) & 3) {
  case 1: base = cf - 1; break;
  case 2: base = cf + 1; break;
  case 3: base = fz_u64(in); break;
  default: break;
  }
  static const uint64_t far[8] = {0, 0, 1, 0xFFFFFFFFull, 0x100000000ull, 1ull << 40, 0, 0};
  uint64_t frame = base + far[b & 7];
  if ((b & 7) == 0) frame = tf >= base ? tf : base;
  if ((b & 7) == 6) frame = 1ull << 63;
  if ((b & 7) == 7) frame = UINT64_MAX;
  /* SYNK_FUZZ_SKIP=work: no frame more than 2^32 ahead (a client that
     ticks its way there pins the CPU past libFuzzer's -timeout) */
  if ((b & 7) >= 3 && fz_skipped("work:")) frame = base + 2;
  uint32_t shape = (b >> 4) & 7;
  uint64_t hash = synk_hash(e->t) ^ ((b & 8) ? 1 : 0);
  size_t len = cs_repair(e, base, frame, shape);
  if (!len) return;
  int valid = base == cf && frame == tf && tf >= base && tf - base <= 8 && !(b & 8) && shape == 0;
  cs_bulk(e, FZ_REPAIR, len, frame, hash, synk_crc32c(0, e->payload, len), CS_FRAG, len, valid);
}

static void op_replay(cs_env *e, uint32_t a, fz_in *in) {
  uint32_t how = (a >> 2) & 3;
  uint64_t base = synk_client_frame(e->c) + (how == 3 ? 1 : 0), hash = synk_hash(e->t) ^ (how == 1 ? 1 : 0);
  fz_w w;
  fz_w_init(&w, e->payload, sizeof e->payload);
  fz_w64(&w, base);
  size_t count_at = w.n;
  fz_w32(&w, 0);
  uint32_t n = 0, first = e->nlog > CS_LOG ? e->nlog - CS_LOG : 0;
  for (uint32_t k = first; k < e->nlog; k++) {
    uint32_t s = k % CS_LOG;
    if (e->log_frame[s] <= base) continue;
    fz_w32(&w, e->log_len[s]);
    size_t at = w.n;
    fz_wbytes(&w, e->log[s], e->log_len[s]);
    if (how == 2 && n == 0 && !w.err) e->payload[at + fz_u8(in) % e->log_len[s]] ^= 0x5A;
    n++;
  }
  if (w.err) return;
  for (int i = 0; i < 4; i++) e->payload[count_at + (size_t)i] = (uint8_t)(n >> (8 * i));
  cs_bulk(e, FZ_REPLAY, w.n, synk_frame(e->t), hash, synk_crc32c(0, e->payload, w.n), CS_FRAG, w.n, 0);
}

static void op_welcome(cs_env *e, fz_in *in) {
  uint32_t b = fz_u8(in);
  static const uint32_t frags[4] = {CS_FRAG, 256, CS_FRAG + 1, CS_FRAG};
  fz_w w;
  fz_w_init(&w, e->body, sizeof e->body);
  fz_w32(&w, fz_u8(in));
  fz_w64(&w, (b & 1) ? 0 : 0x1234 + fz_u8(in));
  fz_w64(&w, synk_frame(e->t));
  fz_w32(&w, (b >> 1) % 5);
  fz_w8(&w, (b >> 4) & 1);
  fz_w32(&w, frags[(b >> 5) & 3]);
  /* the outcomes of the last commands: byte o, n = o & 7 of them (each a
     pending seq or any, accepted or rejected); o & 8: n one more than
     written; o & 16: last seq and outcomes even when not resumed */
  uint32_t last = (b & 0x80) && e->nseq ? e->seqs[e->nseq - 1] : fz_u8(in), o = fz_u8(in), n = o & 7;
  int resumed = (b >> 4) & 1, any = resumed || (o & 16);
  fz_w32(&w, any ? last : 0);
  fz_w32(&w, any ? n + ((o >> 3) & 1) : 0);
  for (uint32_t k = 0; any && k < n; k++) {
    uint32_t s = fz_u8(in), r = fz_u8(in);
    fz_w32(&w, (s & 0x80) || !e->nseq ? (s & 0x7F) : e->seqs[s % e->nseq]);
    fz_w32(&w, r & 1 ? (r & 2 ? SYNK_NET_R_REJECTED : SYNK_NET_R_APP + (r >> 2)) : 0);
  }
  cs_send(e, FZ_WELCOME, e->body, w.n);
  e->bulk_open = 0;
}

static void op_result(cs_env *e, fz_in *in) {
  uint32_t b = fz_u8(in);
  fz_w w;
  fz_w_init(&w, e->body, sizeof e->body);
  fz_w32(&w, (b & 1) && e->nseq ? e->seqs[fz_u8(in) % e->nseq] : fz_u32(in));
  fz_w32(&w, (b & 2) ? SYNK_NET_R_APP + (b >> 4) : 0);
  uint64_t effect = 0;
  switch ((b >> 2) & 3) {
  case 1: effect = synk_client_frame(e->c) + 1; break;
  case 2: effect = synk_frame(e->t) + 1; break;
  case 3: effect = UINT64_MAX; break;
  default: break;
  }
  fz_w64(&w, effect);
  cs_send(e, FZ_RESULT, e->body, w.n);
}

static void op_control(cs_env *e, uint32_t a, fz_in *in) {
  uint8_t b[8] = {(uint8_t)fz_u8(in), 0, 0, 0, 1, 2, 3, 4};
  switch ((a >> 2) & 7) {
  case 0: cs_send(e, FZ_CHECK, NULL, 0); break;
  case 1: cs_send(e, FZ_VIEWRES, b, 4); break;
  case 2: cs_send(e, FZ_SAPP, b, b[0] % 8); break;
  case 3: cs_send(e, FZ_PING, NULL, 0); break;
  case 4: cs_send(e, FZ_PONG, NULL, 0); break;
  case 5: cs_send(e, FZ_CLOSE, b, 4); break;
  case 6: cs_send(e, FZ_REFUSE, b, 4); break;
  default: cs_send(e, FZ_CHECK, b, 1); break;
  }
}

static void op_client(cs_env *e, uint32_t a, fz_in *in) {
  synk_client *c = e->c;
  uint32_t b = fz_u8(in), seq = 0;
  switch ((a >> 2) & 7) {
  case 0: {
    synk_event pred = {SYNK_EV_MOTION, b % CS_ALIVE * 8, 0, 1, -1, 0};
    uint8_t cmd[2] = {(uint8_t)b, 7};
    if (synk_client_command(c, cmd, sizeof cmd, &pred, 1, &seq) == SYNK_OK && e->nseq < 16) e->seqs[e->nseq++] = seq;
    break;
  }
  case 1: synk_client_request_sync(c); break;
  case 2: {
    uint32_t cells[2] = {b % 16, 3};
    synk_net_view v;
    memset(&v, 0, sizeof v);
    v.cells = cells;
    v.n_cells = 2;
    synk_client_request_view(c, &v);
    break;
  }
  case 3: synk_client_send(c, &b, sizeof b); break;
  case 4: e->now += 100, synk_client_service(c, e->now); break;
  case 5:
    synk_client_disconnect(c);
    e->bulk_open = e->unsure = 0;
    if (synk_client_start(c, e->now) != SYNK_OK) cs_fail(e, "format: the client could not start again");
    break;
  case 6: e->now += 2000, synk_client_service(c, e->now); break;
  default: break;
  }
  cs_check_world(e);
}

/* the honest answer: a repair of every chunk from the client's frame, else a snapshot */
static void op_answer(cs_env *e) {
  uint64_t cf = synk_client_frame(e->c), tf = synk_frame(e->t);
  if (synk_client_world(e->c) && tf >= cf && tf - cf <= 8) {
    size_t len = cs_repair(e, cf, tf, 0);
    if (len) {
      cs_bulk(e, FZ_REPAIR, len, tf, synk_hash(e->t), synk_crc32c(0, e->payload, len), CS_FRAG, len, 1);
      return;
    }
  }
  size_t len = cs_snapshot(e);
  if (len) cs_bulk(e, FZ_SNAPSHOT, len, tf, synk_hash(e->t), synk_crc32c(0, e->payload, len), CS_FRAG, len, 1);
}

static void step(cs_env *e, fz_in *in) {
  uint32_t op = fz_u8(in) % 16, a = fz_u8(in);
  e->now += 16;
  switch (op) {
  case 1: op_snapshot(e, a, in); break;
  case 2: op_repair(e, a, in); break;
  case 3: op_replay(e, a, in); break;
  case 4: op_welcome(e, in); break;
  case 5: op_result(e, in); break;
  case 6: op_control(e, a, in); break;
  case 7: op_client(e, a, in); break;
  case 8: {
    uint32_t k = (a >> 2) & 7;
    if (k >= e->nsent) break;
    const uint8_t *m = e->sent[(e->nsent - 1 - k) % CS_SENT];
    e->unsure |= m[0] == FZ_BULK || m[0] == FZ_FRAG;
    cs_deliver(e, m, e->sent_len[(e->nsent - 1 - k) % CS_SENT]);
    break;
  }
  case 9: {
    uint32_t n = fz_u8(in) % 64;
    for (uint32_t k = 0; k < n; k++) e->body[k] = (uint8_t)fz_u8(in);
    e->unsure |= n != 0;
    cs_deliver(e, e->body, n);
    break;
  }
  case 10:
    for (uint32_t k = 0; k <= (a & 7); k++) op_tick(e, 0, in, 1);
    break;
  case 11: op_answer(e); break;
  default: op_tick(e, a, in, 0); break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  cs_env *e = &E;
  if (!ready) {
    FZ_CHECK(cs_open(e));
    fz_image_save(&cs_arena, &Saved, e, offsetof(cs_env, buf));
    ready = 1;
  }
  fz_image_restore(&cs_arena, e, &Saved, offsetof(cs_env, buf));
  fz_in in = {data, size, 0};
  for (int s = 0; s < CS_MAX_STEPS && fz_more(&in); s++) {
    step(e, &in);
    if (!e->fail) continue;
    if (fz_skipped(e->fail)) return 0;
    fprintf(stderr, "fuzz_net_client_seq: invariant broken: %s\n", e->fail);
    abort();
  }
  return 0;
}
