/* SPDX-License-Identifier: MIT */
/* netsync: a server and three clients kept bit-identical by one event stream.
 *
 * The server simulates ticks and writes each tick as a piece of one stream
 * (synk_stream_write); a history ring remembers its recent frames.
 *  - client A is there from the start: it appends every piece to its buffer
 *    and applies what arrived (synk_stream_apply, every tick present);
 *  - client B joins late: it gets a snapshot, then follows the stream from
 *    the tick it joined at;
 *  - client C drops out for a few ticks and catches up with one delta from
 *    the last frame it had (synk_ring_since), then follows the stream again.
 * Every piece is CRC-checked as it is applied; after every tick each
 * connected client's hash must equal the server's. Exits 0 when they do. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synk.h"

#define ENTITIES 2000u
#define TICKS 40u

typedef struct client {
  synk_world *w;
  size_t pos;     /* stream offset applied up to */
  int connected;
} client;

static uint32_t rnd(uint64_t *s) { /* xorshift64*, enough for a demo */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return (uint32_t)((*s * 0x2545F4914F6CDD1Dull) >> 32);
}

/* One tick of server events: a crowd of small motions, then the tick. */
static size_t tick_events(uint64_t *s, synk_event *ev) {
  size_t n = 0;
  for (uint32_t k = 0; k < ENTITIES / 10; k++) {
    uint32_t id = rnd(s) % ENTITIES;
    int32_t dx = (int32_t)(rnd(s) % 7) - 3, dy = (int32_t)(rnd(s) % 7) - 3;
    ev[n++] = (synk_event){SYNK_EV_MOTION, id, 0, dx, dy, 0};
  }
  ev[n++] = (synk_event){SYNK_EV_TICK, 0, 1, 0, 0, 0};
  return n;
}

static int fail(const char *what, synk_status st) {
  fprintf(stderr, "netsync: %s: %s\n", what, synk_status_str(st));
  return 1;
}

int main(void) {
  const synk_config cfg = {ENTITIES, 2, 0x6E657473796E63ull, NULL, NULL};
  synk_world *server = NULL;
  synk_ring *history = NULL;
  synk_status st;
  if ((st = synk_world_create(&cfg, &server)) != SYNK_OK) return fail("create", st);
  if ((st = synk_ring_create(server, 16, &history)) != SYNK_OK) return fail("ring", st);

  /* the stream: in a real game, bytes on a connection; here one buffer that
   * every client reads (a client only reads what was sent so far) */
  size_t cap = synk_stream_bound(ENTITIES + TICKS * (ENTITIES / 10 + 1));
  unsigned char *stream = (unsigned char *)malloc(cap), *msg = (unsigned char *)malloc(cap);
  synk_event *ev = (synk_event *)malloc((ENTITIES + 1) * sizeof *ev);
  if (!stream || !msg || !ev) return 1;
  size_t sent = 0;
  synk_stream_writer writer = {0, 0, 0};
  client c[3] = {{NULL, 0, 1}, {NULL, 0, 0}, {NULL, 0, 1}};
  for (int i = 0; i < 3; i += 2)
    if ((st = synk_world_create(&cfg, &c[i].w)) != SYNK_OK) return fail("client", st);

  uint64_t seed = 1;
  int rc = 0;
  for (uint32_t t = 0; t <= TICKS && !rc; t++) {
    /* server: tick 0 spawns everyone, later ticks move a crowd */
    size_t n = 0;
    if (t == 0) {
      for (uint32_t id = 0; id < ENTITIES; id++) ev[n++] = (synk_event){SYNK_EV_SPAWN, id, id % 5, (int32_t)id, 0, 0};
      ev[n++] = (synk_event){SYNK_EV_TICK, 0, 1, 0, 0, 0};
    } else {
      n = tick_events(&seed, ev);
      synk_events_coalesce(ev, &n); /* sorted motions: one compact motion run */
    }
    if ((st = synk_events_apply(server, ev, n, NULL)) != SYNK_OK) return fail("server", st);
    if ((st = synk_ring_save(history)) != SYNK_OK) return fail("save", st);
    size_t len = 0;
    st = synk_stream_write(&writer, ev, n, t == TICKS, stream + sent, cap - sent, &len);
    if (st != SYNK_OK) return fail("write", st);
    sent += len;

    /* client B joins at tick 10 with a snapshot, and follows from here on */
    if (t == 10) {
      size_t sl = 0;
      int is_snapshot = 0;
      if ((st = synk_ring_since(history, UINT64_MAX, msg, cap, &sl, &is_snapshot)) != SYNK_OK || !is_snapshot)
        return fail("snapshot", st);
      if ((st = synk_snapshot_load(msg, sl, &cfg, &c[1].w)) != SYNK_OK) return fail("join", st);
      c[1].pos = sent; /* the stream after the tick the snapshot holds */
      c[1].connected = 1;
    }
    /* client C is away during ticks 20..24, then catches up with a delta */
    if (t == 20) c[2].connected = 0;
    if (t == 25) {
      size_t dl = 0;
      int is_snapshot = 1;
      if ((st = synk_ring_since(history, synk_frame(c[2].w), msg, cap, &dl, &is_snapshot)) != SYNK_OK)
        return fail("since", st);
      if (is_snapshot || (st = synk_delta_apply(c[2].w, msg, dl)) != SYNK_OK) return fail("delta", st);
      printf("client C: caught up from frame 20 with a %zu-byte delta\n", dl);
      c[2].pos = sent;
      c[2].connected = 1;
    }

    /* connected clients apply whatever arrived, every tick present */
    for (int i = 0; i < 3; i++) {
      if (!c[i].connected || c[i].pos == sent) continue;
      synk_stream_info info;
      if ((st = synk_stream_apply(c[i].w, stream, sent, &c[i].pos, UINT64_MAX, &info)) != SYNK_OK)
        return fail("apply", st);
      if (synk_hash(c[i].w) != synk_hash(server)) {
        fprintf(stderr, "netsync: client %c desynced at frame %llu\n", 'A' + i,
                (unsigned long long)synk_frame(server));
        rc = 1;
      }
      if (t == TICKS && !info.end) rc = 1; /* the last piece ends the stream */
    }
  }
  printf("server: frame %llu, %zu stream bytes for %u ticks, hash %016llx; clients %s\n",
         (unsigned long long)synk_frame(server), sent, TICKS + 1, (unsigned long long)synk_hash(server),
         rc ? "DIFFER" : "agree");
  for (int i = 0; i < 3; i++) synk_world_destroy(c[i].w);
  synk_ring_destroy(history);
  synk_world_destroy(server);
  free(stream);
  free(msg);
  free(ev);
  return rc;
}
