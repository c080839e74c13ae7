/* SPDX-License-Identifier: MIT */
/*
 * Benchmark cases of the sync layer (codec, snapshots, deltas, rollback) and
 * the codec peers measured in the same run: msgpack-c and protobuf-c
 * encodings of the same motions, zstd (levels 1 and 3) over the raw 16-byte
 * motion structs. The report's Codec size section gives bytes per motion
 * for every encoding.
 *
 * Registration: synk_bench_file_sync (the cases, their targets and the
 * report's Codec size section) is listed by the registry (cases.c). Peers
 * compile in when their Debian package is there: SYNK_BENCH_HAVE_MSGPACK
 * (libmsgpack-dev), SYNK_BENCH_HAVE_PROTOBUF_C (libprotobuf-c-dev),
 * SYNK_BENCH_HAVE_ZSTD (libzstd-dev).
 *
 * Workloads (fixed seeds, support/rng.h):
 *   crowd-1e5  1e5 entities with 4 props; one tick moves 10000 of them (10%)
 *              by -3..3 (dz -1..1) in clustered runs of 16..64 ids that do not
 *              overlap, so the 10000 motions are distinct and sorted: every
 *              encoding carries exactly the same 10000 motions. 8 ticks cycled.
 *   diff-1e5   two 1e5-entity worlds (0 or 4 props), 1% of the entities changed
 *              (moves, property sets, a few despawns/spawns).
 *   save-1e4   a 1e4-entity world (4 props, 40 chunks); each frame changes 2
 *              chunks (5%): the same 2 (a moving group) or 2 random ones.
 *   rollback-8 an 8-frame rollback of a 1e4-entity world (4 props): restore
 *              the frame 8 back, re-simulate 8 frames (each moves 5% of the
 *              entities: 500 motions, a moving group of consecutive ids or
 *              500 random ids, sorted) saving each. synk saves and restores
 *              through a ring (changed chunks only); the peer does what
 *              GGPO-style sessions do, a full copy of the world per frame
 *              (synk_world_copy into one of 9 slots).
 */
#include "cases.h"

#include "rng.h"
#include "synk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(SYNK_BENCH_HAVE_MSGPACK)
#include <msgpack.h>
#endif
#if defined(SYNK_BENCH_HAVE_PROTOBUF_C)
#include <protobuf-c/protobuf-c.h>
#endif
#if defined(SYNK_BENCH_HAVE_ZSTD)
#include <zstd.h>
#endif
/* at least one codec peer built: the shared peer run functions are used */
#if defined(SYNK_BENCH_HAVE_MSGPACK) || defined(SYNK_BENCH_HAVE_PROTOBUF_C) || defined(SYNK_BENCH_HAVE_ZSTD)
#define SYNC_HAVE_PEERS 1
#endif


static volatile uint64_t sync_sink;
#define CROWD_N 100000u
#define CROWD_M 10000u
#define CROWD_SETS 8u

/* One crowd tick: CROWD_M distinct ids in non-overlapping clustered runs,
 * sorted, as motions. */
static void crowd_tick(synk_motion *m, uint64_t seed) {
  synk_rng r;
  synk_rng_seed(&r, seed);
  unsigned char *used = (unsigned char *)calloc(CROWD_N, 1);
  uint32_t i = 0;
  while (i < CROWD_M && used) {
    uint32_t len = 16 + synk_rng_below(&r, 49);
    if (len > CROWD_M - i) len = CROWD_M - i;
    uint32_t start = synk_rng_below(&r, CROWD_N - len + 1), k;
    for (k = 0; k < len && !used[start + k]; k++) {
    }
    if (k < len) continue;
    for (k = 0; k < len; k++, i++) used[start + k] = 1;
  }
  for (uint32_t id = 0, j = 0; id < CROWD_N && used; id++) {
    if (!used[id]) continue;
    m[j].id = id;
    m[j].dx = synk_rng_range(&r, -3, 3);
    m[j].dy = synk_rng_range(&r, -3, 3);
    m[j].dz = synk_rng_range(&r, -1, 1);
    j++;
  }
  free(used);
}

/* ---- codec ------------------------------------------------------------------ */

typedef struct codec_state {
  synk_world *w;
  synk_motion *m[CROWD_SETS];
  synk_event *ev[CROWD_SETS];
  unsigned char *buf[CROWD_SETS];
  size_t len[CROWD_SETS];
  unsigned char *out;
  size_t outcap;
  uint32_t *ids;
  int32_t *dx, *dy, *dz;
  synk_event *dec;
  size_t cur;
  /* peers: encoded forms of each set */
  unsigned char *pbuf[CROWD_SETS];
  size_t plen[CROWD_SETS];
  int peer; /* which peer encoding pbuf holds */
} codec_state;

enum { PEER_NONE, PEER_MSGPACK, PEER_PROTOBUF, PEER_ZSTD1, PEER_ZSTD3 };

static size_t peer_encode(int peer, const synk_motion *m, size_t n, unsigned char *out, size_t cap);
#if defined(SYNC_HAVE_PEERS)
static int peer_decode(int peer, const unsigned char *in, size_t len, synk_motion *m, size_t n);
#endif

static void teardown_codec(void *p) {
  codec_state *s = (codec_state *)p;
  if (!s) return;
  synk_world_destroy(s->w);
  for (unsigned k = 0; k < CROWD_SETS; k++) {
    free(s->m[k]);
    free(s->ev[k]);
    free(s->buf[k]);
    free(s->pbuf[k]);
  }
  free(s->out);
  free(s->ids);
  free(s->dx);
  free(s->dy);
  free(s->dz);
  free(s->dec);
  free(s);
}

static void *setup_codec_peer(const synk_bench_case *c, int peer, int world) {
  (void)c;
  codec_state *s = (codec_state *)calloc(1, sizeof *s);
  if (!s) return NULL;
  s->outcap = synk_stream_bound(CROWD_M + 1) + 65536;
  s->out = (unsigned char *)malloc(s->outcap);
  s->ids = (uint32_t *)malloc(CROWD_M * 4);
  s->dx = (int32_t *)malloc(CROWD_M * 4);
  s->dy = (int32_t *)malloc(CROWD_M * 4);
  s->dz = (int32_t *)malloc(CROWD_M * 4);
  s->dec = (synk_event *)malloc(CROWD_M * sizeof *s->dec);
  int ok = s->out && s->ids && s->dx && s->dy && s->dz && s->dec;
  if (ok && world) ok = (s->w = synk_bench_make_world(CROWD_N, world == 2 ? 0 : 4, 2000u + CROWD_N)) != NULL;
  s->peer = peer;
  for (unsigned k = 0; k < CROWD_SETS && ok; k++) {
    s->m[k] = (synk_motion *)malloc(CROWD_M * sizeof(synk_motion));
    s->ev[k] = (synk_event *)malloc(CROWD_M * sizeof(synk_event));
    s->buf[k] = (unsigned char *)malloc(s->outcap);
    s->pbuf[k] = (unsigned char *)malloc(s->outcap);
    ok = s->m[k] && s->ev[k] && s->buf[k] && s->pbuf[k];
    if (!ok) break;
    crowd_tick(s->m[k], 5000u + 7919u * k);
    for (uint32_t i = 0; i < CROWD_M; i++) {
      synk_event e = {SYNK_EV_MOTION, s->m[k][i].id, 0, s->m[k][i].dx, s->m[k][i].dy, s->m[k][i].dz};
      s->ev[k][i] = e;
    }
    ok = synk_stream_encode(s->ev[k], CROWD_M, s->buf[k], s->outcap, &s->len[k]) == SYNK_OK;
    if (ok && peer != PEER_NONE) {
      s->plen[k] = peer_encode(peer, s->m[k], CROWD_M, s->pbuf[k], s->outcap);
      ok = s->plen[k] > 0;
    }
  }
  if (!ok) {
    teardown_codec(s);
    return NULL;
  }
  return s;
}
static void *setup_codec(const synk_bench_case *c) { return setup_codec_peer(c, PEER_NONE, 0); }
static void *setup_codec_world(const synk_bench_case *c) { return setup_codec_peer(c, PEER_NONE, 1); }
static void *setup_codec_world_p0(const synk_bench_case *c) { return setup_codec_peer(c, PEER_NONE, 2); }
static size_t next_set(codec_state *s) {
  size_t k = s->cur;
  if (++s->cur == CROWD_SETS) s->cur = 0;
  return k;
}

static void run_encode(void *p) {
  codec_state *s = (codec_state *)p;
  size_t k = next_set(s), len = 0;
  if (synk_stream_encode(s->ev[k], CROWD_M, s->out, s->outcap, &len) != SYNK_OK) synk_bench_failed = 1;
  sync_sink = len;
}
static void run_decode(void *p) {
  codec_state *s = (codec_state *)p;
  size_t k = next_set(s), n = 0;
  if (synk_stream_decode_motions(s->buf[k], s->len[k], s->ids, s->dx, s->dy, s->dz, CROWD_M, &n) != SYNK_OK ||
      n != CROWD_M)
    synk_bench_failed = 1;
  sync_sink = s->ids[n - 1];
}
static void run_decode_events(void *p) {
  codec_state *s = (codec_state *)p;
  size_t k = next_set(s), n = 0;
  if (synk_stream_decode(s->buf[k], s->len[k], s->dec, CROWD_M, &n, NULL) != SYNK_OK || n != CROWD_M)
    synk_bench_failed = 1;
  sync_sink = s->dec[n - 1].id;
}
static void run_apply(void *p) {
  codec_state *s = (codec_state *)p;
  size_t k = next_set(s);
  if (synk_stream_apply(s->w, s->buf[k], s->len[k], NULL, 0, NULL) != SYNK_OK) synk_bench_failed = 1;
}
static void run_batch_ref(void *p) { /* the same motions through synk_apply_motions */
  codec_state *s = (codec_state *)p;
  size_t k = next_set(s);
  if (synk_apply_motions(s->w, s->m[k], CROWD_M, NULL) != SYNK_OK) synk_bench_failed = 1;
}
static uint64_t digest_codec(void *p) {
  codec_state *s = (codec_state *)p;
  return s->w ? synk_hash(s->w) : 0;
}
static const void *world_codec(void *p) { return ((codec_state *)p)->w; }

/* The stream checks' kernel alone: CRC-32C of 64 KiB (ns/op: per byte). */
#define CRC_BYTES 65536u
typedef struct crc_state {
  uint8_t *buf;
  uint32_t crc;
} crc_state;
static void *setup_crc(const synk_bench_case *c) {
  (void)c;
  crc_state *s = (crc_state *)calloc(1, sizeof *s);
  if (!s || !(s->buf = (uint8_t *)malloc(CRC_BYTES))) {
    free(s);
    return NULL;
  }
  synk_rng r;
  synk_rng_seed(&r, 0xC4C32C);
  for (uint32_t i = 0; i < CRC_BYTES; i++) s->buf[i] = (uint8_t)synk_rng_next(&r);
  return s;
}
static void run_crc(void *p) {
  crc_state *s = (crc_state *)p;
  s->crc = synk_crc32c(0, s->buf, CRC_BYTES);
}
static void teardown_crc(void *p) {
  crc_state *s = (crc_state *)p;
  free(s->buf);
  free(s);
}
static uint64_t digest_crc(void *p) { return ((crc_state *)p)->crc; }

/* ---- peers ---------------------------------------------------------------------- */

#if defined(SYNK_BENCH_HAVE_PROTOBUF_C)
/* message Motion { uint32 id = 1; sint32 dx = 2; sint32 dy = 3; sint32 dz = 4; }
 * message Batch  { repeated Motion motions = 1; }
 * Descriptors written by hand (what protoc-c would generate). */
typedef struct PbMotion {
  ProtobufCMessage base;
  uint32_t id;
  int32_t dx, dy, dz;
} PbMotion;
typedef struct PbBatch {
  ProtobufCMessage base;
  size_t n_motions;
  PbMotion **motions;
} PbBatch;
static const ProtobufCMessageDescriptor pb_motion_desc;
static void pb_motion_init(ProtobufCMessage *m) {
  memset(m, 0, sizeof(PbMotion));
  m->descriptor = &pb_motion_desc;
}
static const ProtobufCFieldDescriptor pb_motion_fields[4] = {
    {"id", 1, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_UINT32, 0, offsetof(PbMotion, id), NULL, NULL, 0, 0, NULL, NULL},
    {"dx", 2, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_SINT32, 0, offsetof(PbMotion, dx), NULL, NULL, 0, 0, NULL, NULL},
    {"dy", 3, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_SINT32, 0, offsetof(PbMotion, dy), NULL, NULL, 0, 0, NULL, NULL},
    {"dz", 4, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_SINT32, 0, offsetof(PbMotion, dz), NULL, NULL, 0, 0, NULL, NULL},
};
static const unsigned pb_motion_by_name[4] = {1, 2, 3, 0};
static const ProtobufCIntRange pb_motion_ranges[2] = {{1, 0}, {0, 4}};
static const ProtobufCMessageDescriptor pb_motion_desc = {
    PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "synk.Motion", "Motion", "PbMotion", "synk", sizeof(PbMotion), 4,
    pb_motion_fields, pb_motion_by_name, 1, pb_motion_ranges, pb_motion_init, NULL, NULL, NULL};
static const ProtobufCMessageDescriptor pb_batch_desc;
static void pb_batch_init(ProtobufCMessage *m) {
  memset(m, 0, sizeof(PbBatch));
  m->descriptor = &pb_batch_desc;
}
static const ProtobufCFieldDescriptor pb_batch_fields[1] = {
    {"motions", 1, PROTOBUF_C_LABEL_REPEATED, PROTOBUF_C_TYPE_MESSAGE, offsetof(PbBatch, n_motions),
     offsetof(PbBatch, motions), &pb_motion_desc, NULL, 0, 0, NULL, NULL},
};
static const unsigned pb_batch_by_name[1] = {0};
static const ProtobufCIntRange pb_batch_ranges[2] = {{1, 0}, {0, 1}};
static const ProtobufCMessageDescriptor pb_batch_desc = {
    PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "synk.Batch", "Batch", "PbBatch", "synk", sizeof(PbBatch), 1,
    pb_batch_fields, pb_batch_by_name, 1, pb_batch_ranges, pb_batch_init, NULL, NULL, NULL};

static size_t pb_encode(const synk_motion *m, size_t n, unsigned char *out, size_t cap) {
  PbMotion *ms = (PbMotion *)malloc(n * sizeof *ms);
  PbMotion **ptr = (PbMotion **)malloc(n * sizeof *ptr);
  size_t len = 0;
  if (ms && ptr) {
    for (size_t i = 0; i < n; i++) {
      pb_motion_init(&ms[i].base);
      ms[i].id = m[i].id;
      ms[i].dx = m[i].dx;
      ms[i].dy = m[i].dy;
      ms[i].dz = m[i].dz;
      ptr[i] = &ms[i];
    }
    PbBatch b;
    pb_batch_init(&b.base);
    b.n_motions = n;
    b.motions = ptr;
    len = protobuf_c_message_get_packed_size(&b.base);
    if (len <= cap) protobuf_c_message_pack(&b.base, out);
    else len = 0;
  }
  free(ms);
  free(ptr);
  return len;
}
#endif

static size_t peer_encode(int peer, const synk_motion *m, size_t n, unsigned char *out, size_t cap) {
  switch (peer) {
#if defined(SYNK_BENCH_HAVE_MSGPACK)
    case PEER_MSGPACK: {
      msgpack_sbuffer sb;
      msgpack_packer pk;
      msgpack_sbuffer_init(&sb);
      msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
      msgpack_pack_array(&pk, n);
      for (size_t i = 0; i < n; i++) {
        msgpack_pack_array(&pk, 4);
        msgpack_pack_uint32(&pk, m[i].id);
        msgpack_pack_int32(&pk, m[i].dx);
        msgpack_pack_int32(&pk, m[i].dy);
        msgpack_pack_int32(&pk, m[i].dz);
      }
      size_t len = sb.size <= cap ? sb.size : 0;
      if (len) memcpy(out, sb.data, len);
      msgpack_sbuffer_destroy(&sb);
      return len;
    }
#endif
#if defined(SYNK_BENCH_HAVE_PROTOBUF_C)
    case PEER_PROTOBUF:
      return pb_encode(m, n, out, cap);
#endif
#if defined(SYNK_BENCH_HAVE_ZSTD)
    case PEER_ZSTD1:
    case PEER_ZSTD3: {
      size_t r = ZSTD_compress(out, cap, m, n * sizeof *m, peer == PEER_ZSTD1 ? 1 : 3);
      return ZSTD_isError(r) ? 0 : r;
    }
#endif
    default:
      (void)m, (void)n, (void)out, (void)cap;
      return 0;
  }
}

#if defined(SYNC_HAVE_PEERS)
static int peer_decode(int peer, const unsigned char *in, size_t len, synk_motion *m, size_t n) {
  switch (peer) {
#if defined(SYNK_BENCH_HAVE_MSGPACK)
    case PEER_MSGPACK: {
      msgpack_unpacked u;
      msgpack_unpacked_init(&u);
      size_t off = 0;
      int ok = msgpack_unpack_next(&u, (const char *)in, len, &off) == MSGPACK_UNPACK_SUCCESS &&
               u.data.type == MSGPACK_OBJECT_ARRAY && u.data.via.array.size == n;
      for (size_t i = 0; ok && i < n; i++) {
        const msgpack_object *o = &u.data.via.array.ptr[i];
        ok = o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size == 4;
        if (!ok) break;
        const msgpack_object *f = o->via.array.ptr;
        m[i].id = (uint32_t)f[0].via.u64;
        m[i].dx = (int32_t)f[1].via.i64;
        m[i].dy = (int32_t)f[2].via.i64;
        m[i].dz = (int32_t)f[3].via.i64;
      }
      msgpack_unpacked_destroy(&u);
      return ok ? 0 : -1;
    }
#endif
#if defined(SYNK_BENCH_HAVE_PROTOBUF_C)
    case PEER_PROTOBUF: {
      PbBatch *b = (PbBatch *)(void *)protobuf_c_message_unpack(&pb_batch_desc, NULL, len, in);
      int ok = b && b->n_motions == n;
      for (size_t i = 0; ok && i < n; i++) {
        m[i].id = b->motions[i]->id;
        m[i].dx = b->motions[i]->dx;
        m[i].dy = b->motions[i]->dy;
        m[i].dz = b->motions[i]->dz;
      }
      if (b) protobuf_c_message_free_unpacked(&b->base, NULL);
      return ok ? 0 : -1;
    }
#endif
#if defined(SYNK_BENCH_HAVE_ZSTD)
    case PEER_ZSTD1:
    case PEER_ZSTD3: {
      size_t r = ZSTD_decompress(m, n * sizeof *m, in, len);
      return ZSTD_isError(r) || r != n * sizeof *m ? -1 : 0;
    }
#endif
    default:
      (void)in, (void)len, (void)m, (void)n;
      return -1;
  }
}

#define PEER_SETUP(NAME, P)                                                            \
  static void *setup_##NAME(const synk_bench_case *c) { return setup_codec_peer(c, P, 0); }
#if defined(SYNK_BENCH_HAVE_MSGPACK)
PEER_SETUP(msgpack, PEER_MSGPACK)
#endif
#if defined(SYNK_BENCH_HAVE_PROTOBUF_C)
PEER_SETUP(protobuf, PEER_PROTOBUF)
#endif
#if defined(SYNK_BENCH_HAVE_ZSTD)
PEER_SETUP(zstd1, PEER_ZSTD1)
PEER_SETUP(zstd3, PEER_ZSTD3)
#endif

static void run_peer_encode(void *p) {
  codec_state *s = (codec_state *)p;
  size_t k = next_set(s);
  size_t len = peer_encode(s->peer, s->m[k], CROWD_M, s->out, s->outcap);
  if (!len) synk_bench_failed = 1;
  sync_sink = len;
}
static void run_peer_decode(void *p) {
  codec_state *s = (codec_state *)p;
  size_t k = next_set(s);
  /* decode into the SoA-equivalent motion array (reused buffer) */
  if (peer_decode(s->peer, s->pbuf[k], s->plen[k], (synk_motion *)(void *)s->dec, CROWD_M)) synk_bench_failed = 1;
  sync_sink = ((synk_motion *)(void *)s->dec)[CROWD_M - 1].id;
}
#endif /* SYNC_HAVE_PEERS */

/* ---- snapshots ------------------------------------------------------------------ */

#define SNAP_N 100000u
#define SNAP_P 4u
/* 52-byte header + 1563 alive words + 1e5 entities x 32 bytes */
#define SNAP_BYTES (52u + 8u * ((SNAP_N + 63u) / 64u) + SNAP_N * 4u * (4u + SNAP_P))

typedef struct snap_state {
  synk_world *w;
  unsigned char *buf;
  size_t len;
} snap_state;

static void *setup_snap(const synk_bench_case *c) {
  (void)c;
  snap_state *s = (snap_state *)calloc(1, sizeof *s);
  if (!s) return NULL;
  s->w = synk_bench_make_world(SNAP_N, SNAP_P, 4000u);
  s->len = synk_snapshot_size(s->w);
  s->buf = (unsigned char *)malloc(s->len);
  if (!s->w || !s->buf || s->len != SNAP_BYTES || synk_snapshot_save(s->w, s->buf, s->len, &s->len) != SYNK_OK) {
    synk_world_destroy(s->w);
    free(s->buf);
    free(s);
    return NULL;
  }
  return s;
}
static void teardown_snap(void *p) {
  snap_state *s = (snap_state *)p;
  synk_world_destroy(s->w);
  free(s->buf);
  free(s);
}
static void run_snap_save(void *p) {
  snap_state *s = (snap_state *)p;
  size_t len = 0;
  if (synk_snapshot_save(s->w, s->buf, s->len, &len) != SYNK_OK) synk_bench_failed = 1;
}
static void run_snap_load(void *p) {
  snap_state *s = (snap_state *)p;
  synk_world *w = NULL;
  const synk_config cfg = synk_get_config(s->w);
  if (synk_snapshot_load(s->buf, s->len, &cfg, &w) != SYNK_OK) synk_bench_failed = 1;
  sync_sink = synk_hash(w);
  synk_world_destroy(w);
}
static uint64_t digest_snap(void *p) { return synk_hash(((snap_state *)p)->w); }
static const void *world_snap(void *p) { return ((snap_state *)p)->w; }

/* ---- diff and deltas ------------------------------------------------------------- */

typedef struct delta_state {
  synk_world *a, *b;
  unsigned char *ab, *ba, *out;
  size_t lab, lba, cap;
  uint64_t *bits;
} delta_state;

static void teardown_delta(void *p) {
  delta_state *s = (delta_state *)p;
  synk_world_destroy(s->a);
  synk_world_destroy(s->b);
  free(s->ab);
  free(s->ba);
  free(s->out);
  free(s->bits);
  free(s);
}

static void *setup_delta(const synk_bench_case *c) {
  const uint32_t np = *(const uint32_t *)c->arg, n = 100000;
  delta_state *s = (delta_state *)calloc(1, sizeof *s);
  if (!s) return NULL;
  s->a = synk_bench_make_world(n, np, 6000u + np);
  s->b = synk_bench_make_world(n, np, 6000u + np);
  s->bits = (uint64_t *)malloc(((n + 63) / 64) * 8);
  int ok = s->a && s->b && s->bits;
  synk_rng r;
  synk_rng_seed(&r, 77);
  for (uint32_t i = 0; ok && i < n / 100; i++) { /* 1% of the entities change */
    uint32_t id = synk_rng_below(&r, n), op = synk_rng_below(&r, 10);
    synk_entity e;
    if (synk_get(s->b, id, &e) != SYNK_OK) continue;
    if (op < 6) { /* one draw per declarator: argument evaluation order is unspecified */
      int32_t dx = synk_rng_range(&r, -3, 3), dy = synk_rng_range(&r, -3, 3);
      synk_move(s->b, id, dx, dy, 0);
    } else if (op < 9 && np) {
      uint32_t slot = synk_rng_below(&r, np);
      int32_t value = synk_rng_i32(&r);
      synk_set_prop(s->b, id, slot, value);
    } else {
      synk_despawn(s->b, id);
      if (op == 9) synk_spawn(s->b, id, 3, 1, 2, 3);
    }
  }
  synk_tick(s->b);
  if (ok) {
    synk_delta_encode(s->a, s->b, NULL, 0, &s->lab);
    synk_delta_encode(s->b, s->a, NULL, 0, &s->lba);
    s->cap = (s->lab > s->lba ? s->lab : s->lba) + 64;
    s->ab = (unsigned char *)malloc(s->cap);
    s->ba = (unsigned char *)malloc(s->cap);
    s->out = (unsigned char *)malloc(s->cap);
    ok = s->ab && s->ba && s->out && synk_delta_encode(s->a, s->b, s->ab, s->cap, &s->lab) == SYNK_OK &&
         synk_delta_encode(s->b, s->a, s->ba, s->cap, &s->lba) == SYNK_OK;
  }
  if (!ok) {
    teardown_delta(s);
    return NULL;
  }
  return s;
}
static void run_diff(void *p) {
  delta_state *s = (delta_state *)p;
  synk_view v = synk_get_view(s->a);
  if (synk_world_diff(s->a, s->b, s->bits, (v.capacity + 63) / 64) != SYNK_OK) synk_bench_failed = 1;
  sync_sink = s->bits[0];
}
static void run_delta_encode(void *p) {
  delta_state *s = (delta_state *)p;
  size_t len = 0;
  if (synk_delta_encode(s->a, s->b, s->out, s->cap, &len) != SYNK_OK) synk_bench_failed = 1;
}
/* a -> b, then b -> a: the world ends where it started */
static void run_delta_apply(void *p) {
  delta_state *s = (delta_state *)p;
  if (synk_delta_apply(s->a, s->ab, s->lab) != SYNK_OK || synk_delta_apply(s->a, s->ba, s->lba) != SYNK_OK)
    synk_bench_failed = 1;
}
static uint64_t digest_delta(void *p) { return synk_hash(((delta_state *)p)->a); }
static const void *world_delta(void *p) { return ((delta_state *)p)->a; }

/* ---- rollback --------------------------------------------------------------------- */

typedef struct rb_state {
  synk_world *w;
  synk_ring *ring;
  int scattered;
  synk_rng r;
} rb_state;

static void *setup_rb(const synk_bench_case *c) {
  rb_state *s = (rb_state *)calloc(1, sizeof *s);
  if (!s) return NULL;
  s->scattered = *(const int *)c->arg;
  s->w = synk_bench_make_world(10000, 4, 7000u);
  synk_rng_seed(&s->r, 99);
  if (!s->w || synk_ring_create(s->w, 8, &s->ring) != SYNK_OK) {
    synk_world_destroy(s->w);
    free(s);
    return NULL;
  }
  for (int f = 0; f < 10; f++) { /* fill the window */
    synk_ring_save(s->ring);
    synk_tick(s->w);
  }
  synk_ring_save(s->ring);
  return s;
}
static void teardown_rb(void *p) {
  rb_state *s = (rb_state *)p;
  synk_ring_destroy(s->ring);
  synk_world_destroy(s->w);
  free(s);
}
/* change 2 of the 40 chunks (5%): one motion in each */
static void rb_change(rb_state *s) {
  uint32_t c0 = s->scattered ? synk_rng_below(&s->r, 39) : 7;
  uint32_t c1 = s->scattered ? c0 + 1 + synk_rng_below(&s->r, 39 - c0) : 8;
  if (synk_move(s->w, c0 * 256 + 5, 1, 0, 0) != SYNK_OK || synk_move(s->w, c1 * 256 + 9, 0, 1, 0) != SYNK_OK)
    synk_bench_failed = 1;
}
static void run_rb_save(void *p) {
  rb_state *s = (rb_state *)p;
  rb_change(s);
  synk_tick(s->w);
  if (synk_ring_save(s->ring) != SYNK_OK) synk_bench_failed = 1;
}
/* save frame f, then restore f - 1 (the world is back where the run started) */
static void run_rb_save_restore(void *p) {
  rb_state *s = (rb_state *)p;
  rb_change(s);
  synk_tick(s->w);
  uint64_t f = synk_frame(s->w);
  if (synk_ring_save(s->ring) != SYNK_OK || synk_ring_restore(s->ring, f - 1) != SYNK_OK) synk_bench_failed = 1;
}
static uint64_t digest_rb(void *p) { return synk_hash(((rb_state *)p)->w); }
static const void *world_rb(void *p) { return ((rb_state *)p)->w; }

/* ---- 8-frame rollback: ring vs full copies ----------------------------------------------- */

#define RB8_N 10000u
#define RB8_MOVE 500u  /* 5% of the entities move each frame */
#define RB8_DEPTH 8u
#define RB8_SLOTS (RB8_DEPTH + 1)

typedef struct rb8_state {
  synk_world *w;
  synk_ring *ring;                     /* synk: the ring (NULL for the peer) */
  synk_world *slot[RB8_SLOTS];         /* the peer: a full copy per frame */
  synk_motion m[RB8_DEPTH][RB8_MOVE];  /* the inputs of the 8 frames re-simulated */
} rb8_state;

/* Frame f's motions: `group` moves ids [g, g + 500) of a group that drifts
 * slowly through the world; otherwise 500 distinct random ids. Sorted. */
static void rb8_frame(synk_motion *m, uint32_t f, int group, synk_rng *r) {
  if (group) {
    uint32_t g = (f * 16u) % (RB8_N - RB8_MOVE);
    for (uint32_t i = 0; i < RB8_MOVE; i++) m[i] = (synk_motion){g + i, 1, -1, 0};
    return;
  }
  uint32_t i = 0;
  for (uint32_t id = 0; id < RB8_N && i < RB8_MOVE; id++) /* selection sampling: sorted, distinct */
    if (synk_rng_below(r, RB8_N - id) < RB8_MOVE - i) m[i++] = (synk_motion){id, synk_rng_range(r, -3, 3), synk_rng_range(r, -3, 3), 0};
}

/* one frame: its inputs, the tick, and the save of the frame reached */
static void rb8_step(rb8_state *s, const synk_motion *m) {
  if (synk_apply_motions(s->w, m, RB8_MOVE, NULL) != SYNK_OK) synk_bench_failed = 1;
  synk_tick(s->w);
  if (s->ring ? synk_ring_save(s->ring) != SYNK_OK
              : synk_world_copy(s->slot[synk_frame(s->w) % RB8_SLOTS], s->w) != SYNK_OK)
    synk_bench_failed = 1;
}

static void teardown_rb8(void *p) {
  rb8_state *s = (rb8_state *)p;
  synk_ring_destroy(s->ring);
  for (uint32_t i = 0; i < RB8_SLOTS; i++) synk_world_destroy(s->slot[i]);
  synk_world_destroy(s->w);
  free(s);
}

/* arg: bit 0 = the moving group (else random ids), bit 1 = the full-copy peer */
static void *setup_rb8(const synk_bench_case *c) {
  const int mode = *(const int *)c->arg, group = mode & 1, peer = mode & 2;
  rb8_state *s = (rb8_state *)calloc(1, sizeof *s);
  if (!s) return NULL;
  s->w = synk_bench_make_world(RB8_N, 4, 8000u);
  int ok = s->w != NULL;
  if (ok && !peer) ok = synk_ring_create(s->w, 16, &s->ring) == SYNK_OK && synk_ring_save(s->ring) == SYNK_OK;
  if (ok && peer) {
    const synk_config cfg = synk_get_config(s->w);
    for (uint32_t i = 0; i < RB8_SLOTS && ok; i++) ok = synk_world_create(&cfg, &s->slot[i]) == SYNK_OK;
    ok = ok && synk_world_copy(s->slot[0], s->w) == SYNK_OK;
  }
  if (!ok) {
    teardown_rb8(s);
    return NULL;
  }
  /* 16 frames of play; the last 8 are the ones each run re-simulates */
  synk_rng r;
  synk_rng_seed(&r, 8001u);
  synk_motion warm[RB8_MOVE];
  for (uint32_t f = 0; f < 16; f++) {
    synk_motion *m = f >= 16 - RB8_DEPTH ? s->m[f - (16 - RB8_DEPTH)] : warm;
    rb8_frame(m, f, group, &r);
    rb8_step(s, m);
  }
  return s;
}

/* roll back 8 frames and re-simulate them: the world ends where it started */
static void run_rb8(void *p) {
  rb8_state *s = (rb8_state *)p;
  const uint64_t back = synk_frame(s->w) - RB8_DEPTH;
  if (s->ring ? synk_ring_restore(s->ring, back) != SYNK_OK
              : synk_world_copy(s->w, s->slot[back % RB8_SLOTS]) != SYNK_OK)
    synk_bench_failed = 1;
  for (uint32_t f = 0; f < RB8_DEPTH; f++) rb8_step(s, s->m[f]);
}
static uint64_t digest_rb8(void *p) { return synk_hash(((rb8_state *)p)->w); }
static const void *world_rb8(void *p) { return ((rb8_state *)p)->w; }

/* ---- the table --------------------------------------------------------------------- */

static const uint32_t np0 = 0, np4 = 4;
static const int same_chunks = 0, scattered_chunks = 1;
static const int rb8_random = 0, rb8_group = 1, rb8_random_copy = 2, rb8_group_copy = 3;

#define P_ISA SYNK_BENCH_PER_ISA
#define PEER SYNK_BENCH_PEER
#define WLC "sync-crowd-1e5"
#define CODEC(NAME, FLAGS, BASE, SETUP, RUN, DESC)                                                           \
  {"codec/" NAME "/crowd-1e5", "codec/" NAME, "world=1e5 10%/tick", CROWD_M, CROWD_M, "motion", FLAGS, BASE, \
   "codec-" NAME, NULL, DESC, SETUP, RUN, teardown_codec, digest_codec, world_codec, NULL}
#define PEERCASE(NAME, OP, SETUP, RUN, DESC)                                                                  \
  {"peer/" NAME "/" OP "/crowd-1e5", "peer/" NAME, OP " world=1e5 10%/tick", CROWD_M, CROWD_M, "motion", PEER, \
   "codec/" OP "/crowd-1e5", NULL, NULL, DESC, SETUP, RUN, teardown_codec, NULL, NULL, NULL}

static const synk_bench_case sync_cases[] = {
    CODEC("encode", 0, NULL, setup_codec, run_encode,
          "synk_stream_encode of one crowd tick: 10000 sorted motions -> one motion run"),
    CODEC("decode", P_ISA, NULL, setup_codec, run_decode,
          "decode one crowd tick's motion run into id/dx/dy/dz columns (the apply path's decoder)"),
    CODEC("decode-events", P_ISA, "codec/decode/crowd-1e5", setup_codec, run_decode_events,
          "synk_stream_decode of one crowd tick into synk_event structs"),
    CODEC("apply", P_ISA, "codec/apply-batch/crowd-1e5", setup_codec_world, run_apply,
          "synk_stream_apply of one crowd tick to a 1e5-entity world (4 props): validate + decode + apply"),
    CODEC("apply-batch", P_ISA, NULL, setup_codec_world, run_batch_ref,
          "the same 10000 motions through synk_apply_motions (no codec): the apply floor"),
    {"codec/crc32c/64KiB", "codec/crc32c", "64 KiB", CRC_BYTES, CRC_BYTES, "byte", P_ISA, NULL, "codec-crc32c",
     "crc-64k", "CRC-32C of 64 KiB: the stream check records' kernel (ns/op: per byte)", setup_crc, run_crc,
     teardown_crc, digest_crc, NULL, NULL},
    {"codec/apply/crowd-1e5-p0", "codec/apply", "world=1e5 props=0 10%/tick", CROWD_M, CROWD_M, "motion", P_ISA,
     "codec/apply-batch/crowd-1e5-p0", "codec-apply-p0", NULL,
     "synk_stream_apply of one crowd tick to a 1e5-entity world without props", setup_codec_world_p0, run_apply,
     teardown_codec, digest_codec, world_codec, NULL},
    {"codec/apply-batch/crowd-1e5-p0", "codec/apply-batch", "world=1e5 props=0 10%/tick", CROWD_M, CROWD_M,
     "motion", P_ISA, NULL, "codec-apply-batch-p0", NULL,
     "the same motions through synk_apply_motions, world without props", setup_codec_world_p0, run_batch_ref,
     teardown_codec, digest_codec, world_codec, NULL},
#if defined(SYNK_BENCH_HAVE_MSGPACK)
    PEERCASE("msgpack", "encode", setup_msgpack, run_peer_encode, "msgpack-c: array of [id, dx, dy, dz] arrays"),
    PEERCASE("msgpack", "decode", setup_msgpack, run_peer_decode, "msgpack-c: unpack and read back the motions"),
#endif
#if defined(SYNK_BENCH_HAVE_PROTOBUF_C)
    PEERCASE("protobuf-c", "encode", setup_protobuf, run_peer_encode,
             "protobuf-c: Batch { repeated Motion {uint32 id; sint32 dx, dy, dz} }"),
    PEERCASE("protobuf-c", "decode", setup_protobuf, run_peer_decode, "protobuf-c: unpack and read back"),
#endif
#if defined(SYNK_BENCH_HAVE_ZSTD)
    PEERCASE("zstd1", "encode", setup_zstd1, run_peer_encode, "zstd level 1 over the raw 16-byte motion structs"),
    PEERCASE("zstd1", "decode", setup_zstd1, run_peer_decode, "zstd level 1: decompress"),
    PEERCASE("zstd3", "encode", setup_zstd3, run_peer_encode, "zstd level 3 over the raw 16-byte motion structs"),
    PEERCASE("zstd3", "decode", setup_zstd3, run_peer_decode, "zstd level 3: decompress"),
#endif
    {"snapshot/save/1e5", "snapshot/save", "n=1e5 props=4", SNAP_N, SNAP_BYTES, "byte", 0, NULL, NULL, NULL,
     "synk_snapshot_save of a 1e5-entity world with 4 props (ns/op: per byte)", setup_snap, run_snap_save,
     teardown_snap, digest_snap, world_snap, NULL},
    {"snapshot/load/1e5", "snapshot/load", "n=1e5 props=4", SNAP_N, SNAP_BYTES, "byte", P_ISA, NULL, "snapshot",
     NULL, "synk_snapshot_load (new world + SIMD rehash check) of the same snapshot (ns/op: per byte)", setup_snap,
     run_snap_load, teardown_snap, digest_snap, world_snap, NULL},
    {"delta/diff/1e5/p0", "delta/diff", "n=1e5 props=0 1% changed", 100000, 1, "diff", P_ISA, NULL, "diff", NULL,
     "diff kernel over two 1e5-entity worlds (no props), 1% of entities changed", setup_delta, run_diff,
     teardown_delta, digest_delta, world_delta, &np0},
    {"delta/diff/1e5/p4", "delta/diff", "n=1e5 props=4 1% changed", 100000, 1, "diff", P_ISA, NULL, "diff", NULL,
     "diff kernel over two 1e5-entity worlds (4 props), 1% of entities changed", setup_delta, run_diff,
     teardown_delta, digest_delta, world_delta, &np4},
    {"delta/encode/1e5/p4", "delta/encode", "n=1e5 props=4 1% changed", 100000, 1, "delta", P_ISA, NULL, NULL, NULL,
     "synk_delta_encode of the same pair (diff + packed columns)", setup_delta, run_delta_encode, teardown_delta,
     digest_delta, world_delta, &np4},
    {"delta/apply/1e5/p4", "delta/apply", "n=1e5 props=4 1% changed", 100000, 2, "delta", P_ISA, NULL, NULL, NULL,
     "synk_delta_apply a->b then b->a (each verifies base and target hashes)", setup_delta, run_delta_apply,
     teardown_delta, digest_delta, world_delta, &np4},
    {"rollback/save/1e4", "rollback/save", "n=1e4 props=4 5% chunks", 10000, 1, "save", 0, NULL, NULL, NULL,
     "2 motions in the same 2 of 40 chunks, tick, synk_ring_save (window 8)", setup_rb, run_rb_save, teardown_rb,
     digest_rb, world_rb, &same_chunks},
    {"rollback/save-restore/1e4", "rollback/save-restore", "n=1e4 props=4 5% chunks", 10000, 2, "op", 0, NULL, NULL,
     NULL, "as rollback/save, then synk_ring_restore of the previous frame (ns/op: per save or restore)", setup_rb,
     run_rb_save_restore, teardown_rb, digest_rb, world_rb, &same_chunks},
    {"rollback/save/1e4-scattered", "rollback/save", "n=1e4 props=4 5% random chunks", 10000, 1, "save", 0,
     "rollback/save/1e4", NULL, NULL,
     "as rollback/save with 2 random chunks per frame (a slot then copies what changed over the 8-frame window)",
     setup_rb, run_rb_save, teardown_rb, digest_rb, world_rb, &scattered_chunks},
    {"rollback/8-frame/1e4-group", "rollback/8-frame", "n=1e4 props=4 5%/frame group", 10000, 1, "rollback", 0,
     NULL, NULL, "rb8-group",
     "synk_ring_restore 8 frames back, then 8 x (500 motions of a moving group, tick, synk_ring_save)", setup_rb8,
     run_rb8, teardown_rb8, digest_rb8, world_rb8, &rb8_group},
    {"peer/full-copy/8-frame/1e4-group", "peer/full-copy", "n=1e4 props=4 5%/frame group", 10000, 1, "rollback",
     PEER, "rollback/8-frame/1e4-group", NULL, "rb8-group",
     "the same frames; save = synk_world_copy of the whole world per frame, restore = copy back (GGPO/GGRS style)",
     setup_rb8, run_rb8, teardown_rb8, digest_rb8, world_rb8, &rb8_group_copy},
    {"rollback/8-frame/1e4-random", "rollback/8-frame", "n=1e4 props=4 5%/frame random", 10000, 1, "rollback", 0,
     NULL, NULL, "rb8-random", "as rollback/8-frame/1e4-group with 500 random ids per frame (every chunk changes)",
     setup_rb8, run_rb8, teardown_rb8, digest_rb8, world_rb8, &rb8_random},
    {"peer/full-copy/8-frame/1e4-random", "peer/full-copy", "n=1e4 props=4 5%/frame random", 10000, 1, "rollback",
     PEER, "rollback/8-frame/1e4-random", NULL, "rb8-random", "the full-copy peer on the random frames",
     setup_rb8, run_rb8, teardown_rb8, digest_rb8, world_rb8, &rb8_random_copy},
};

/* ---- bytes per motion ----------------------------------------------------------------- */

/* The report's Codec size section: bytes per motion of every encoding (the
 * synk stream and the codec peers built in) of the crowd tick and of a lone
 * motion. */
static void write_codec_size(FILE *f, const synk_bench_results *rs) {
  (void)rs;
  fprintf(f, "Bytes on the wire per motion of each encoding of the same motions (bench/cases_sync.c): the crowd "
             "tick of the `codec/*/crowd-1e5` cases (10000 distinct sorted motions, deltas -3..3) and one lone "
             "motion. Deterministic (fixed seed), not timed. Peers appear when their Debian package was found at "
             "build time (libmsgpack-dev, libprotobuf-c-dev, libzstd-dev).\n");
  fflush(f);
  synk_motion *m = (synk_motion *)malloc(CROWD_M * sizeof *m);
  synk_event *ev = (synk_event *)malloc(CROWD_M * sizeof *ev);
  size_t cap = synk_stream_bound(CROWD_M) + 65536;
  unsigned char *buf = (unsigned char *)malloc(cap);
  if (!m || !ev || !buf) goto done;
  fprintf(f, "\n### Bytes per motion (crowd tick: 10000 sorted motions; lone: one small motion)\n\n");
  fprintf(f, "| encoding | crowd batch B/motion | lone motion bytes |\n|:--|--:|--:|\n");
  /* synk's figures are whole streams: header (1 byte) and final check (5)
   * included; the lone motion's record alone is 6 bytes fewer */
  crowd_tick(m, 5000u);
  for (uint32_t i = 0; i < CROWD_M; i++) {
    synk_event e = {SYNK_EV_MOTION, m[i].id, 0, m[i].dx, m[i].dy, m[i].dz};
    ev[i] = e;
  }
  size_t len = 0, lone = 0;
  synk_stream_encode(ev, CROWD_M, buf, cap, &len);
  synk_event one = {SYNK_EV_MOTION, 12345, 0, 2, -1, 0};
  synk_motion onem = {12345, 2, -1, 0};
  synk_stream_encode(&one, 1, buf, cap, &lone);
  fprintf(f, "| synk stream (motion run / lone record; header and final check included) | %.3f | %zu (record %zu) |\n",
          (double)len / CROWD_M, lone, lone - 1 - 5);
  static const char *names[] = {"", "msgpack-c [id,dx,dy,dz]", "protobuf-c repeated Motion", "zstd -1 raw structs",
                                "zstd -3 raw structs"};
  for (int p = PEER_MSGPACK; p <= PEER_ZSTD3; p++) {
    size_t b = peer_encode(p, m, CROWD_M, buf, cap), l = peer_encode(p, &onem, 1, buf, cap);
    if (b) fprintf(f, "| %s | %.3f | %zu |\n", names[p], (double)b / CROWD_M, l);
  }
done:
  free(m);
  free(ev);
  free(buf);
}

/* The crowd figure of the table above (its first row), for the targets and
 * the best-known peer's section: the same tick (crowd_tick seed 5000), the
 * same encoder. */
double synk_bench_sync_crowd_bytes_per_motion(void) {
  synk_motion *m = (synk_motion *)malloc(CROWD_M * sizeof *m);
  synk_event *ev = (synk_event *)malloc(CROWD_M * sizeof *ev);
  size_t cap = synk_stream_bound(CROWD_M) + 65536, len = 0;
  unsigned char *buf = (unsigned char *)malloc(cap);
  double bpm = -1;
  if (m && ev && buf) {
    crowd_tick(m, 5000u);
    for (uint32_t i = 0; i < CROWD_M; i++) {
      synk_event e = {SYNK_EV_MOTION, m[i].id, 0, m[i].dx, m[i].dy, m[i].dz};
      ev[i] = e;
    }
    if (synk_stream_encode(ev, CROWD_M, buf, cap, &len) == SYNK_OK) bpm = (double)len / CROWD_M;
  }
  free(m);
  free(ev);
  free(buf);
  return bpm;
}

/* ---- targets, report section --------------------------------------------------------- */

static double crowd_bpm_figure(const synk_bench_results *rs) {
  (void)rs;
  return synk_bench_sync_crowd_bytes_per_motion();
}

static const synk_bench_target sync_targets[] = {
    SYNK_BENCH_OP_AT_MOST("decode + apply one crowd tick (10k motions) to a 1e5 world without props: >= 300M "
                          "motions/s",
                          "codec/apply/crowd-1e5-p0", "avx2", 1e9 / 300e6),
    SYNK_BENCH_OP_AT_MOST("decode one crowd tick's motion run into columns: >= 1G motions/s", "codec/decode/crowd-1e5",
                          "avx2", 1.0),
    SYNK_BENCH_FIGURE_AT_MOST("crowd tick encoded: bytes per motion inside a motion run (stream header and check "
                              "included)",
                              "codec/encode/crowd-1e5", "-", 2.5, " B/motion", 3, "bytes_per_motion",
                              crowd_bpm_figure),
    SYNK_BENCH_RUN_AT_MOST("diff of two 1e5-entity worlds (no props, 1% changed)", "delta/diff/1e5/p0", "avx2", 50000),
    SYNK_BENCH_OP_AT_MOST("snapshot save of a 1e5-entity world (4 props): >= 2 GB/s", "snapshot/save/1e5", "-", 0.5),
    SYNK_BENCH_OP_AT_MOST("snapshot load (+ rehash check) of the same world: >= 2 GB/s", "snapshot/load/1e5", "avx2",
                          0.5),
    SYNK_BENCH_RUN_AT_MOST("rollback save of a frame (1e4 entities, 2 of 40 chunks changed)", "rollback/save/1e4", "-",
                           2000),
    SYNK_BENCH_OP_AT_MOST("rollback save, then restore of the previous frame: each operation",
                          "rollback/save-restore/1e4", "-", 2000),
    SYNK_BENCH_SPEEDUP_AT_LEAST("8-frame rollback of a 1e4 world (a moving group): >= 10x the full-copy peer",
                                "rollback/8-frame/1e4-group", "-", 10.0, "peer/full-copy/8-frame/1e4-group"),
    SYNK_BENCH_SPEEDUP_AT_LEAST("8-frame rollback of a 1e4 world (random movers): >= 10x the full-copy peer",
                                "rollback/8-frame/1e4-random", "-", 10.0, "peer/full-copy/8-frame/1e4-random"),
};

static const synk_bench_section sync_sections[] = {{"Codec size", SYNK_BENCH_RANK_RESULTS + 10, write_codec_size}};

const synk_bench_file synk_bench_file_sync = {
    .cases = sync_cases, .ncases = sizeof sync_cases / sizeof sync_cases[0],
    .targets = sync_targets, .ntargets = sizeof sync_targets / sizeof sync_targets[0],
    .sections = sync_sections, .nsections = sizeof sync_sections / sizeof sync_sections[0]};
