/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the net client's receive path -- WELCOME, BULK/FRAG
 * (snapshots through the bounded loader, repairs, replays), TICK pieces,
 * RESULT with prediction and reconciliation, CHECK, APP, CLOSE -- fed hostile
 * server bytes (fuzz_net_client.h). Checks: no crash, hang, leak or
 * out-of-bounds access (ASan/UBSan); every receive returns SYNK_OK or
 * SYNK_E_FORMAT, and SYNK_E_FORMAT leaves the client CLOSED with
 * SYNK_NET_R_PROTOCOL; the client's world, when it has one, is always
 * self-consistent (maintained hash == recomputed, counts) and of the config
 * the client accepts (nothing the server sends makes it allocate another):
 * checked whenever its frame, hash or count moved, and at the end; the
 * client's memory stays within its own world, ring, and one more world
 * while it loads one; every poll gives a well-formed frame. The started
 * client is restored from an image before each input (fuzz_image.h).
 */
#include "fuzz_common.h"
#include "fuzz_net_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t frame_buf[70000], out_buf[1 << 17];

/* what the last full check of the world saw */
static struct {
  const synk_world *w;
  uint64_t frame, hash;
  size_t count;
} seen;

/* The world's full check (recomputed hash, counts, config) when anything
 * of it a caller can see changed since the last one -- and always with
 * `full` (the end of every input: whatever a record did is checked by then). */
static void check_world(const synk_client *c, int full) {
  const synk_world *w = synk_client_world(c);
  if (!w) return;
  if (!full && w == seen.w && synk_frame(w) == seen.frame && synk_hash(w) == seen.hash && synk_count(w) == seen.count)
    return;
  fz_consistent(w);
  synk_config k = synk_get_config(w);
  FZ_CHECK(k.max_entities == FC_ENTITIES && k.num_props == FC_PROPS && k.seed == FC_SEED);
  seen.w = w;
  seen.frame = synk_frame(w);
  seen.hash = synk_hash(w);
  seen.count = synk_count(w);
}

static void drain(synk_client *c) {
  size_t len;
  for (int i = 0; i < 64; i++) {
    synk_status st = synk_client_poll(c, out_buf, sizeof out_buf, &len, 0);
    FZ_CHECK(st == SYNK_OK);
    if (!len) break;
    FZ_CHECK(len >= 6);
    uint32_t crc = synk_crc32c(0, out_buf, len - 4);
    FZ_CHECK(out_buf[len - 4] == (uint8_t)crc && out_buf[len - 1] == (uint8_t)(crc >> 24));
  }
}

/* the started client, made once in an arena and restored before each input
 * (fuzz_image.h); the worlds its snapshots create come from the arena too */
static fz_arena arena;
static fz_heap heap, heap_saved;
static synk_allocator alloc;
static synk_client *client;
static size_t world_bytes, ring_bytes; /* one world of the client's config, its 2-frame ring */

/* memory: the client as created, plus its world and ring, plus one more
 * world while a snapshot loads */
static void check_memory(void) {
  FZ_CHECK(heap.live <= heap_saved.live + world_bytes + ring_bytes);
  FZ_CHECK(heap.peak <= heap_saved.live + 2 * world_bytes + ring_bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!client) {
    FZ_CHECK(fz_arena_init(&arena, 64u << 20));
    alloc = fz_heap_allocator(&heap, &arena);
    fz_heap probe;
    synk_allocator pa = fz_heap_allocator(&probe, &arena);
    synk_config pc = {FC_ENTITIES, FC_PROPS, FC_SEED, &pa, NULL};
    synk_world *pw = NULL;
    synk_ring *pr = NULL;
    FZ_CHECK(synk_world_create(&pc, &pw) == SYNK_OK);
    world_bytes = probe.live;
    FZ_CHECK(synk_ring_create(pw, 2, &pr) == SYNK_OK);
    ring_bytes = probe.live - world_bytes;
    synk_ring_destroy(pr);
    synk_world_destroy(pw);
    FZ_CHECK(fc_client_with(&client, &alloc) == SYNK_OK);
    drain(client);
    heap.peak = heap.live;
    heap_saved = heap;
    fz_arena_save(&arena);
  }
  heap = heap_saved;
  fz_arena_restore(&arena);
  memset(&seen, 0, sizeof seen);
  synk_client *c = client;
  size_t pos = 0;
  uint64_t now = 0;
  for (int r = 0; r < FC_MAX_RECORDS && pos + 3 <= size; r++) {
    unsigned ctl = data[pos];
    size_t len = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;
    pos += 3;
    if (len > size - pos) len = size - pos;
    const uint8_t *p = data + pos;
    size_t n = len;
    if (ctl & 1) {
      n = fc_frame(frame_buf, p, len);
      p = frame_buf;
    }
    pos += len;
    now += 16;
    synk_status st = synk_client_receive(c, p, n, now);
    FZ_CHECK(st == SYNK_OK || st == SYNK_E_FORMAT);
    if (st == SYNK_E_FORMAT)
      FZ_CHECK(synk_client_get_state(c) == SYNK_CLIENT_CLOSED && synk_client_reason(c) == SYNK_NET_R_PROTOCOL);
    check_world(c, 0);
    check_memory();
    if (ctl & 2) {
      synk_event m = {SYNK_EV_MOTION, ctl >> 4, 0, 1, -1, 0};
      uint8_t cmd = (uint8_t)ctl;
      synk_status cs = synk_client_command(c, &cmd, 1, &m, 1, NULL);
      FZ_CHECK(cs == SYNK_OK || cs == SYNK_E_MISMATCH || cs == SYNK_E_SPACE);
      check_world(c, 0);
    }
    if (ctl & 8) {
      synk_status ss = synk_client_request_sync(c);
      FZ_CHECK(ss == SYNK_OK || ss == SYNK_E_MISMATCH);
    }
    synk_client_service(c, now);
    drain(c);
    if (ctl & 4) {
      synk_client_disconnect(c);
      FZ_CHECK(synk_client_get_state(c) == SYNK_CLIENT_IDLE);
      FZ_CHECK(synk_client_start(c, now) == SYNK_OK);
      drain(c);
    }
  }
  check_world(c, 1);
  check_memory();
  return 0;
}
