/* SPDX-License-Identifier: MIT */
/*
 * Event streams: round trips of every event kind and edge value, compact lone
 * events, stream apply == direct API calls (every backend), atomicity and
 * error locations, hostile inputs (truncated, bit-flipped, oversized), and
 * golden bytes of the format (a change of the format shows here).
 */
#include "sync/sync_internal.h"
#include "test_sync_util.h"

/* tests/test_codec.c golden: regenerate by running the test and copying the
 * printed bytes (only for a deliberate, documented format change). */
#define GOLDEN_STREAM "c22b0703c8010365070201810709a1e0b3fca07fc0090a4000050304571320640802aaaa02004007a028e10b219a21"

static const synk_event edge_events[] = {
    {SYNK_EV_SPAWN, 0, 0, 0, 0, 0},
    {SYNK_EV_SPAWN, 1023, 0xFFFFFFFFu, INT32_MIN, INT32_MAX, -1},
    {SYNK_EV_SPAWN, 5, 7, 1, -1, 0},
    {SYNK_EV_MOTION, 5, 0, 0, 0, 0},
    {SYNK_EV_MOTION, 1023, 0, INT32_MIN, INT32_MAX, 1},
    {SYNK_EV_MOTION, 5, 0, -63, 63, 0},
    {SYNK_EV_PROP, 5, 0, INT32_MIN, 0, 0},
    {SYNK_EV_PROP, 5, 2, INT32_MAX, 0, 0},
    {SYNK_EV_PROP, 0, 1, 0, 0, 0},
    {SYNK_EV_TICK, 0, 1, 0, 0, 0},
    {SYNK_EV_TICK, 0, 31, 0, 0, 0},
    {SYNK_EV_TICK, 0, 32, 0, 0, 0},
    {SYNK_EV_TICK, 0, 0xFFFFFFFFu, 0, 0, 0},
    {SYNK_EV_DESPAWN, 1023, 0, 0, 0, 0},
    {SYNK_EV_DESPAWN, 0, 0, 0, 0, 0},
};
#define NEDGE (sizeof edge_events / sizeof edge_events[0])

static int ev_eq(const synk_event *a, const synk_event *b) {
  return a->type == b->type && a->id == b->id && a->arg == b->arg && a->a == b->a && a->b == b->b && a->c == b->c;
}

static unsigned char *encode(const synk_event *ev, size_t n, size_t *len) {
  CHECK_ST(synk_stream_encode(ev, n, NULL, 0, len), SYNK_OK);
  unsigned char *buf = (unsigned char *)malloc(*len + 1);
  size_t l2 = 0;
  CHECK_ST(synk_stream_encode(ev, n, buf, *len, &l2), SYNK_OK);
  CHECK(l2 == *len);
  if (*len > 1) CHECK_ST(synk_stream_encode(ev, n, buf, *len - 1, &l2), SYNK_E_SPACE);
  return buf;
}

static void roundtrip(const synk_event *ev, size_t n) {
  size_t len = 0, m = 0;
  unsigned char *buf = encode(ev, n, &len);
  CHECK(len <= synk_stream_bound(n));
  CHECK_ST(synk_stream_decode(buf, len, NULL, 0, &m, NULL), SYNK_OK);
  CHECK(m == n);
  synk_event *out = (synk_event *)calloc(n + 1, sizeof *out);
  if (n) CHECK_ST(synk_stream_decode(buf, len, out, n - 1, &m, NULL), SYNK_E_SPACE);
  CHECK_ST(synk_stream_decode(buf, len, out, n + 1, &m, NULL), SYNK_OK);
  int same = m == n;
  for (size_t i = 0; i < n && same; i++) same = ev_eq(&ev[i], &out[i]);
  CHECK(same);
  free(out);
  free(buf);
}

static void test_edges(void) {
  roundtrip(edge_events, NEDGE);
  for (size_t i = 0; i < NEDGE; i++) roundtrip(&edge_events[i], 1);
  roundtrip(NULL, 0);
  /* a lone small motion: a record of at most 7 bytes (8 with the stream
   * header); a stream adds its header and final check, 6 bytes */
  const size_t frame = 1 + SYNK_CHECK_SIZE;
  synk_event m = {SYNK_EV_MOTION, (1u << 21) - 1, 0, -63, 63, 1};
  size_t len = 0;
  CHECK_ST(synk_stream_encode(&m, 1, NULL, 0, &len), SYNK_OK);
  CHECK(len - frame <= 7);
  m.id = 100;
  m.c = 0;
  CHECK_ST(synk_stream_encode(&m, 1, NULL, 0, &len), SYNK_OK);
  CHECK(len - frame <= 4);
  CHECK_ST(synk_stream_encode(NULL, 0, NULL, 0, &len), SYNK_OK);
  CHECK(len == frame); /* the empty stream: header and final check */
  /* invalid events */
  synk_event bad = {SYNK_EV_PROP, 1, 16, 0, 0, 0};
  CHECK_ST(synk_stream_encode(&bad, 1, NULL, 0, &len), SYNK_E_ARG);
  bad.type = SYNK_EV_TICK;
  bad.arg = 0;
  CHECK_ST(synk_stream_encode(&bad, 1, NULL, 0, &len), SYNK_E_ARG);
  bad.type = 9;
  CHECK_ST(synk_stream_encode(&bad, 1, NULL, 0, &len), SYNK_E_ARG);
}

/* Runs: strictly increasing motions, with deltas from small to extreme (so
 * blocks take every width and exceptions), lengths around block edges. */
static void test_runs(t_rng *r) {
  static const size_t lens[] = {8, 9, 255, 256, 257, 511, 512, 1000, 3000};
  for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
    for (int mode = 0; mode < 4; mode++) {
      size_t n = lens[li];
      synk_event *ev = (synk_event *)calloc(n, sizeof *ev);
      uint32_t id = mode == 3 ? 0xFFFFFFFFu - (uint32_t)n * 3 : t_below(r, 100);
      for (size_t i = 0; i < n; i++) {
        ev[i].type = SYNK_EV_MOTION;
        ev[i].id = id;
        id += 1 + (mode == 0 ? 0 : mode == 1 ? t_below(r, 3) : t_below(r, 50) ? 0 : t_below(r, 1u << 20));
        if (mode == 3) id = ev[i].id + 1 + t_below(r, 2);
        uint32_t big = t_below(r, 40) == 0;
        ev[i].a = big ? t_i32(r) : (int32_t)t_below(r, 7) - 3;
        ev[i].b = mode == 2 ? t_i32(r) : (int32_t)t_below(r, 7) - 3;
        ev[i].c = (int32_t)t_below(r, 3) - 1;
      }
      roundtrip(ev, n);
      free(ev);
    }
  }
}

/* ---- apply ---------------------------------------------------------------- */

/* Random valid events for a world of cap ids, tracked with a shadow alive set.
 * One draw per declarator (initializer lists and arguments are evaluated in
 * an unspecified order), so a seed replays the same events on every compiler. */
static size_t gen_events(t_rng *r, uint32_t cap, uint32_t np, unsigned char *alive, synk_event *ev, size_t n) {
  size_t k = 0;
  while (k < n) {
    uint32_t op = t_below(r, 100);
    if (op < 5) {
      ev[k++] = (synk_event){SYNK_EV_TICK, 0, 1 + t_below(r, 40), 0, 0, 0};
      continue;
    }
    uint32_t id = t_below(r, cap);
    if (!alive[id]) {
      uint32_t kind = t_below(r, 3);
      int32_t x = t_i32(r), sh = (int32_t)t_below(r, 32), y = (int32_t)t_below(r, 9);
      ev[k++] = (synk_event){SYNK_EV_SPAWN, id, kind, x >> sh, y, 0};
      alive[id] = 1;
    } else if (op < 10) {
      ev[k++] = (synk_event){SYNK_EV_DESPAWN, id, 0, 0, 0, 0};
      alive[id] = 0;
    } else if (op < 20 && np) {
      uint32_t slot = t_below(r, np);
      int32_t v = t_i32(r), sh = (int32_t)t_below(r, 32);
      ev[k++] = (synk_event){SYNK_EV_PROP, id, slot, v >> sh, 0, 0};
    } else if (op < 40) {
      int32_t dx = (int32_t)t_below(r, 7) - 3, dy = t_i32(r) >> 28;
      ev[k++] = (synk_event){SYNK_EV_MOTION, id, 0, dx, dy, 0};
    } else { /* a run of motions, some repeated: coalesce makes it a run record */
      uint32_t m = 1 + t_below(r, 300), start = t_below(r, cap);
      for (uint32_t j = 0; j < m && k < n; j++) {
        uint32_t q = (start + j * (1 + t_below(r, 3))) % cap;
        if (!alive[q]) continue;
        int32_t dx = (int32_t)t_below(r, 7) - 3, dy = (int32_t)t_below(r, 7) - 3, dz = t_below(r, 30) ? 0 : t_i32(r);
        ev[k++] = (synk_event){SYNK_EV_MOTION, q, 0, dx, dy, dz};
      }
    }
  }
  return k;
}

static void apply_direct(synk_world *w, const synk_event *ev, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const synk_event *e = &ev[i];
    synk_status st = SYNK_OK;
    switch (e->type) {
      case SYNK_EV_SPAWN: st = synk_spawn(w, e->id, e->arg, e->a, e->b, e->c); break;
      case SYNK_EV_DESPAWN: st = synk_despawn(w, e->id); break;
      case SYNK_EV_MOTION: st = synk_move(w, e->id, e->a, e->b, e->c); break;
      case SYNK_EV_PROP: st = synk_set_prop(w, e->id, e->arg, e->a); break;
      default:
        for (uint32_t t = 0; t < e->arg; t++) synk_tick(w);
    }
    if (st) {
      CHECK_ST(st, SYNK_OK);
      return;
    }
  }
}

static synk_world *new_world(uint32_t cap, uint32_t np) {
  synk_config cfg = {cap, np, 0x5EED, NULL, NULL};
  synk_world *w = NULL;
  CHECK_ST(synk_world_create(&cfg, &w), SYNK_OK);
  return w;
}

static void test_apply_equiv(t_rng *r, const char *isa) {
  CHECK_ST(synk_use_isa(isa), SYNK_OK);
  for (int round = 0; round < 6; round++) {
    uint32_t cap = round < 3 ? 300 : 5000, np = (uint32_t)round % 4;
    unsigned char *alive = (unsigned char *)calloc(cap, 1);
    size_t n = 2000;
    synk_event *ev = (synk_event *)calloc(n, sizeof *ev);
    n = gen_events(r, cap, np, alive, ev, n);
    synk_world *a = new_world(cap, np), *b = new_world(cap, np);
    apply_direct(a, ev, n);
    size_t m = n;
    CHECK_ST(synk_events_coalesce(ev, &m), SYNK_OK);
    size_t len = 0;
    unsigned char *buf = encode(ev, m, &len);
    synk_stream_info info;
    size_t pos = 0;
    CHECK_ST(synk_stream_apply(b, buf, len, &pos, 0, &info), SYNK_OK);
    CHECK(pos == len && info.events == m);
    CHECK(ts_equal(a, b));
    CHECK_EQ_U64(synk_hash(b), synk_rehash(b));
    /* the decoded events applied as events: the same world */
    synk_world *d = new_world(cap, np);
    size_t nd = 0;
    synk_event *dec = (synk_event *)calloc(m + 1, sizeof *dec);
    CHECK_ST(synk_stream_decode(buf, len, dec, m, &nd, NULL), SYNK_OK);
    size_t badi = 0;
    CHECK_ST(synk_events_apply(d, dec, nd, &badi), SYNK_OK);
    CHECK(ts_equal(a, d));
    if (nd > 2) { /* an invalid event at the end: nothing applied */
      synk_world *e = new_world(cap, np);
      dec[nd - 1] = (synk_event){SYNK_EV_MOTION, cap, 0, 1, 1, 1};
      CHECK_ST(synk_events_apply(e, dec, nd, &badi), SYNK_E_RANGE);
      CHECK(badi == nd - 1 && synk_count(e) == 0 && synk_frame(e) == 0);
      dec[nd - 1] = (synk_event){SYNK_EV_TICK, 0, 0, 0, 0, 0};
      CHECK_ST(synk_events_apply(e, dec, nd, &badi), SYNK_E_ARG);
      CHECK_EQ_U64(synk_hash(e), synk_rehash(e));
      dec[nd - 1] = (synk_event){SYNK_EV_TICK, 0, 1, 0, 0, 0}; /* the scratch is clean: applies */
      CHECK_ST(synk_events_apply(e, dec, nd, &badi), SYNK_OK);
      synk_world_destroy(e);
    }
    free(dec);
    synk_world_destroy(d);
    /* per-tick replay reaches the same world */
    synk_world *c = new_world(cap, np);
    pos = 0;
    size_t steps = 0;
    while (pos < len && steps < m + 2) {
      CHECK_ST(synk_stream_apply(c, buf, len, &pos, 1, NULL), SYNK_OK);
      steps++;
    }
    CHECK(ts_equal(a, c));
    synk_world_destroy(a);
    synk_world_destroy(b);
    synk_world_destroy(c);
    free(buf);
    free(ev);
    free(alive);
  }
}

/* An invalid event at a random place: the right status, index and offset,
 * and the world (and its scratch) unchanged. */
static void test_atomic(t_rng *r) {
  for (int round = 0; round < 40; round++) {
    uint32_t cap = 500, np = 2;
    unsigned char *alive = (unsigned char *)calloc(cap, 1);
    size_t n = 400;
    synk_event *ev = (synk_event *)calloc(n + 1, sizeof *ev);
    synk_world *w = new_world(cap, np);
    /* a populated base */
    size_t n0 = gen_events(r, cap, np, alive, ev, 200);
    apply_direct(w, ev, n0);
    n = gen_events(r, cap, np, alive, ev, n);
    synk_events_coalesce(ev, &n);
    size_t at = t_below(r, (uint32_t)n + 1);
    memmove(ev + at + 1, ev + at, (n - at) * sizeof *ev);
    n++;
    synk_status want;
    uint32_t kind = t_below(r, 5);
    uint32_t dead = 0;
    while (dead < cap && alive[dead]) dead++;
    /* alive[] reflects the end of the stream, so pick failures that hold
     * whatever happens before `at`: out-of-range ids and slots */
    switch (kind) {
      case 0: ev[at] = (synk_event){SYNK_EV_MOTION, cap + t_below(r, 5), 0, 1, 0, 0}; want = SYNK_E_RANGE; break;
      case 1: ev[at] = (synk_event){SYNK_EV_SPAWN, cap, 0, 0, 0, 0}; want = SYNK_E_RANGE; break;
      case 2: ev[at] = (synk_event){SYNK_EV_PROP, 0, 3, 0, 0, 0}; want = SYNK_E_RANGE; break;
      case 3: ev[at] = (synk_event){SYNK_EV_DESPAWN, 0xFFFFFFFFu, 0, 0, 0, 0}; want = SYNK_E_RANGE; break;
      default: { /* a run whose 10th motion is out of range */
        synk_event *run = (synk_event *)calloc(n + 20, sizeof *run);
        memcpy(run, ev, at * sizeof *ev);
        uint32_t id0 = cap - 9;
        for (uint32_t j = 0; j < 12; j++) run[at + j] = (synk_event){SYNK_EV_MOTION, id0 + j, 0, 1, 1, 1};
        memcpy(run + at + 12, ev + at + 1, (n - at - 1) * sizeof *ev);
        free(ev);
        ev = run;
        n += 11;
        want = SYNK_E_RANGE;
        break;
      }
    }
    size_t len = 0;
    unsigned char *buf = encode(ev, n, &len);
    uint64_t h = synk_hash(w), f = synk_frame(w);
    size_t c = synk_count(w);
    synk_stream_info info;
    synk_status st = synk_stream_apply(w, buf, len, NULL, 0, &info);
    /* the first failing event may come before `at` only if the run's ids
     * below cap are dead; accept DEAD there */
    if (kind == 4 && st == SYNK_E_DEAD) want = SYNK_E_DEAD;
    CHECK_ST(st, want);
    if (kind != 4) CHECK(info.bad_event == at);
    else if (st == SYNK_E_RANGE) CHECK(info.bad_event == at + 9);
    CHECK(info.bad_offset < len);
    CHECK_EQ_U64(synk_hash(w), h);
    CHECK(synk_frame(w) == f && synk_count(w) == c);
    CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
    /* the scratch is clean: a prefix that is valid applies */
    synk_world *v = ts_clone(w);
    CHECK(v != NULL);
    size_t pre = 0;
    unsigned char *pbuf = encode(ev, at, &pre);
    CHECK_ST(synk_stream_apply(w, pbuf, pre, NULL, 0, NULL), SYNK_OK);
    apply_direct(v, ev, at);
    CHECK(ts_equal(w, v));
    (void)dead;
    free(pbuf);
    synk_world_destroy(v);
    synk_world_destroy(w);
    free(buf);
    free(ev);
    free(alive);
  }
  /* exists / dead */
  synk_world *w = new_world(64, 0);
  synk_event e2[3] = {{SYNK_EV_SPAWN, 3, 0, 0, 0, 0}, {SYNK_EV_SPAWN, 4, 0, 0, 0, 0}, {SYNK_EV_SPAWN, 3, 0, 0, 0, 0}};
  size_t len = 0;
  unsigned char *buf = encode(e2, 3, &len);
  synk_stream_info info;
  CHECK_ST(synk_stream_apply(w, buf, len, NULL, 0, &info), SYNK_E_EXISTS);
  CHECK(info.bad_event == 2 && synk_count(w) == 0);
  free(buf);
  e2[2] = (synk_event){SYNK_EV_DESPAWN, 5, 0, 0, 0, 0};
  buf = encode(e2, 3, &len);
  CHECK_ST(synk_stream_apply(w, buf, len, NULL, 0, &info), SYNK_E_DEAD);
  CHECK(info.bad_event == 2 && synk_count(w) == 0);
  /* reordered records (the motion before the spawn it needs): the check
   * refuses the bytes before the world could */
  synk_event ro[2] = {{SYNK_EV_SPAWN, 9, 1, 0, 0, 0}, {SYNK_EV_MOTION, 9, 0, 1, 2, 3}};
  free(buf);
  buf = encode(ro, 2, &len);
  CHECK_ST(synk_stream_apply(w, buf, len, NULL, 0, &info), SYNK_OK);
  size_t l1 = 0, l2 = 0, body1 = 0, body2 = 0;
  unsigned char *b1 = encode(ro, 1, &l1), *b2 = encode(ro + 1, 1, &l2);
  body1 = l1 - 1 - SYNK_CHECK_SIZE;
  body2 = l2 - 1 - SYNK_CHECK_SIZE;
  unsigned char sw[64];
  memcpy(sw, buf, len);
  memcpy(sw + 1, b2 + 1, body2);
  memcpy(sw + 1 + body2, b1 + 1, body1);
  CHECK(memcmp(sw, buf, len) != 0);
  CHECK_ST(synk_despawn(w, 9), SYNK_OK);
  uint64_t h0 = synk_hash(w);
  CHECK_ST(synk_stream_apply(w, sw, len, NULL, 0, &info), SYNK_E_FORMAT);
  CHECK(info.bad_event == 0 && info.bad_offset == len - SYNK_CHECK_SIZE);
  CHECK_EQ_U64(synk_hash(w), h0);
  free(b1);
  free(b2);
  e2[2] = (synk_event){SYNK_EV_DESPAWN, 4, 0, 0, 0, 0};
  free(buf);
  buf = encode(e2, 3, &len);
  CHECK_ST(synk_stream_apply(w, buf, len, NULL, 0, &info), SYNK_OK);
  CHECK(synk_count(w) == 1);
  free(buf);
  synk_world_destroy(w);
}

/* Hostile bytes: every truncation and every single-bit flip is refused with
 * SYNK_E_FORMAT (the chained CRC-32C check records catch what the structure
 * does not), as are random byte garbage and appended junk; a refusal leaves
 * the world exactly as it was. */
static void expect_refused(const unsigned char *b, size_t len, synk_world *w, const synk_world *ref,
                           synk_event *out, size_t cap) {
  size_t m = 0;
  CHECK_ST(synk_stream_decode(b, len, out, cap, &m, NULL), SYNK_E_FORMAT);
  CHECK(m == 0);
  CHECK_ST(synk_stream_apply(w, b, len, NULL, 0, NULL), SYNK_E_FORMAT);
  CHECK(ts_equal(w, ref));
}

static void test_hostile(t_rng *r) {
  uint32_t cap = 400, np = 3;
  unsigned char *alive = (unsigned char *)calloc(cap, 1);
  size_t n = 250;
  synk_event *ev = (synk_event *)calloc(n, sizeof *ev);
  n = gen_events(r, cap, np, alive, ev, n);
  synk_events_coalesce(ev, &n);
  size_t len = 0;
  unsigned char *buf = encode(ev, n, &len);
  synk_world *w = new_world(cap, np), *ref = new_world(cap, np);
  synk_event *out = (synk_event *)calloc(64 * len + 64, sizeof *out);
  const size_t ocap = 64 * len + 64;
  for (size_t cut = 0; cut < len; cut++) expect_refused(buf, cut, w, ref, out, ocap); /* truncated */
  unsigned char *mut = (unsigned char *)malloc(len + 64);
  memcpy(mut, buf, len);
  for (size_t bit = 0; bit < 8 * len; bit++) { /* every single-bit flip */
    mut[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    expect_refused(mut, len, w, ref, out, ocap);
    mut[bit / 8] = buf[bit / 8];
  }
  for (int i = 0; i < 2000; i++) { /* byte garbage, appended junk */
    memcpy(mut, buf, len);
    size_t ml = len;
    if (t_below(r, 2)) {
      mut[t_below(r, (uint32_t)len)] = (unsigned char)t_next(r);
      if (memcmp(mut, buf, len) == 0) continue;
    } else {
      uint32_t extra = 1 + t_below(r, 60);
      for (uint32_t j = 0; j < extra; j++) mut[len + j] = (unsigned char)t_next(r);
      ml += extra;
    }
    expect_refused(mut, ml, w, ref, out, ocap);
  }
  /* a bad header, an empty buffer, a huge claimed run */
  size_t m = 0;
  unsigned char hdr[] = {0xC1};
  CHECK_ST(synk_stream_decode(hdr, 1, NULL, 0, &m, NULL), SYNK_E_FORMAT);
  CHECK_ST(synk_stream_decode(hdr, 0, NULL, 0, &m, NULL), SYNK_E_FORMAT);
  unsigned char huge[] = {0xC2, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x00};
  CHECK_ST(synk_stream_decode(huge, sizeof huge, NULL, 0, &m, NULL), SYNK_E_FORMAT);
  CHECK_ST(synk_stream_apply(w, huge, sizeof huge, NULL, 0, NULL), SYNK_E_FORMAT);
  size_t pos = 5;
  CHECK_ST(synk_stream_apply(w, huge, 3, &pos, 0, NULL), SYNK_E_ARG);
  CHECK_ST(synk_stream_apply(NULL, huge, 3, NULL, 0, NULL), SYNK_E_ARG);
  free(mut);
  free(out);
  free(buf);
  free(ev);
  free(alive);
  synk_world_destroy(w);
  synk_world_destroy(ref);
}

/* Check records: segments are chained (reordered or spliced segments are
 * refused), a stream cut after a tick's check still replays tick by tick up
 * to the cut, resuming needs an offset a call returned, and an event the
 * world refuses is reported as such only when its segment is intact. */
static void test_checks(void) {
  synk_event ev[12];
  size_t n = 0;
  for (uint32_t t = 0; t < 3; t++) {
    ev[n++] = (synk_event){SYNK_EV_SPAWN, t, 1, 5, 0, 0};
    ev[n++] = (synk_event){SYNK_EV_MOTION, t, 0, 1, 2, 3};
    ev[n++] = (synk_event){SYNK_EV_TICK, 0, 1, 0, 0, 0};
  }
  ev[n++] = (synk_event){SYNK_EV_DESPAWN, 0, 0, 0, 0, 0};
  size_t len = 0;
  unsigned char *buf = encode(ev, n, &len);
  /* segment ends: the offsets per-tick replay returns */
  size_t ends[4], ne = 0, pos = 0;
  synk_world *w = new_world(16, 0), *ref = new_world(16, 0);
  while (pos < len && ne < 4) {
    CHECK_ST(synk_stream_apply(w, buf, len, &pos, 1, NULL), SYNK_OK);
    ends[ne++] = pos;
  }
  CHECK(ne == 4 && ends[3] == len && buf[ends[0] - SYNK_CHECK_SIZE] == 0xE0 && buf[len - SYNK_CHECK_SIZE] == 0xE1);
  apply_direct(ref, ev, n);
  CHECK(ts_equal(w, ref));
  synk_world_destroy(w);
  synk_world_destroy(ref);
  /* cut after the second tick's check (a stream still arriving): per-tick
   * replay applies both ticks, says the end is not reached, and finds
   * nothing more at the cut; whole-stream calls refuse the cut stream */
  w = new_world(16, 0);
  ref = new_world(16, 0);
  synk_stream_info info;
  pos = 0;
  CHECK_ST(synk_stream_apply(w, buf, ends[1], &pos, 1, &info), SYNK_OK);
  CHECK(pos == ends[0] && info.end == 0);
  CHECK_ST(synk_stream_apply(w, buf, ends[1], &pos, 1, &info), SYNK_OK);
  CHECK(pos == ends[1] && info.end == 0 && info.events == 3);
  CHECK_ST(synk_stream_apply(w, buf, ends[1], &pos, 1, &info), SYNK_OK);
  CHECK(pos == ends[1] && info.end == 0 && info.events == 0);
  apply_direct(ref, ev, 6);
  CHECK(ts_equal(w, ref));
  /* the rest arrives: the same call goes on to the final check */
  CHECK_ST(synk_stream_apply(w, buf, len, &pos, UINT64_MAX, &info), SYNK_OK);
  CHECK(pos == len && info.end == 1);
  synk_world *wf = new_world(16, 0);
  apply_direct(wf, ev, n);
  CHECK(ts_equal(w, wf));
  synk_world_destroy(wf);
  synk_world_destroy(w);
  w = new_world(16, 0);
  apply_direct(w, ev, 6);
  /* a cut inside a segment is refused, per tick too */
  pos = ends[1];
  CHECK_ST(synk_stream_apply(w, buf, ends[2] - 1, &pos, 1, &info), SYNK_E_FORMAT);
  CHECK(pos == ends[1] && ts_equal(w, ref));
  size_t p2 = ends[0];
  synk_world *w2 = new_world(16, 0);
  apply_direct(w2, ev, 3);
  CHECK_ST(synk_stream_apply(w2, buf, ends[1], &p2, 0, &info), SYNK_E_FORMAT);
  CHECK(info.bad_offset == ends[1] && p2 == ends[0]);
  synk_world_destroy(w2);
  size_t m = 0;
  CHECK_ST(synk_stream_decode(buf, ends[1], NULL, 0, &m, NULL), SYNK_E_FORMAT);
  /* resuming at an offset no call returned */
  for (size_t bad = 1; bad < ends[1]; bad++) {
    if (bad == ends[0]) continue;
    size_t p = bad;
    synk_status st = synk_stream_apply(w, buf, len, &p, 0, NULL);
    if (st != SYNK_E_FORMAT) printf("resume at %zu: status %d\n", bad, (int)st);
    CHECK_ST(st, SYNK_E_FORMAT);
    CHECK(p == bad && ts_equal(w, ref));
  }
  /* segments 1 and 2 swapped (equal lengths: the same records but ids) */
  unsigned char *sw = (unsigned char *)malloc(len);
  memcpy(sw, buf, len);
  size_t s1 = ends[0] - 1, s2 = ends[1] - ends[0];
  CHECK(s1 == s2);
  memcpy(sw + 1, buf + ends[0], s2);
  memcpy(sw + 1 + s2, buf + 1, s1);
  synk_world *e = new_world(16, 0), *e0 = new_world(16, 0);
  CHECK_ST(synk_stream_apply(e, sw, len, NULL, 0, &info), SYNK_E_FORMAT);
  CHECK(info.bad_offset == ends[0] - SYNK_CHECK_SIZE && info.bad_event == 0 && ts_equal(e, e0));
  /* two streams spliced: bytes after the final check */
  unsigned char *two = (unsigned char *)malloc(2 * len);
  memcpy(two, buf, len);
  memcpy(two + len, buf + 1, len - 1);
  CHECK_ST(synk_stream_decode(two, 2 * len - 1, NULL, 0, &m, NULL), SYNK_E_FORMAT);
  CHECK_ST(synk_stream_apply(e, two, 2 * len - 1, NULL, 0, NULL), SYNK_E_FORMAT);
  CHECK(ts_equal(e, e0));
  /* an event the world refuses, in an intact segment: its own status */
  synk_event dup[3] = {{SYNK_EV_SPAWN, 3, 0, 0, 0, 0}, {SYNK_EV_SPAWN, 3, 0, 0, 0, 0}, {SYNK_EV_SPAWN, 4, 0, 0, 0, 0}};
  size_t dl = 0;
  unsigned char *db = encode(dup, 3, &dl);
  CHECK_ST(synk_stream_apply(e, db, dl, NULL, 0, &info), SYNK_E_EXISTS);
  CHECK(info.bad_event == 1);
  /* ... and with a flipped bit after it in the same segment: the bytes are refused */
  db[dl - SYNK_CHECK_SIZE - 1] ^= 0x04;
  CHECK_ST(synk_stream_apply(e, db, dl, NULL, 0, &info), SYNK_E_FORMAT);
  CHECK(ts_equal(e, e0));
  db[dl - SYNK_CHECK_SIZE - 1] ^= 0x04;
  CHECK_ST(synk_stream_apply(e, db, dl, NULL, 0, &info), SYNK_E_EXISTS);
  CHECK(ts_equal(e, e0));
  free(db);
  /* record order, with correct CRCs (the rules refuse, not the checksum): a
   * non-final check right after a check, a check not after a tick, a tick
   * without its check */
  {
    const synk_codec_kernels *k = synk_codec_kernels_active();
    unsigned char c[32];
    size_t l = 0;
    c[l++] = 0xC2;
    c[l++] = 0xA1; /* tick 1 */
    c[l++] = 0xE0;
    uint32_t crc = k->crc32c(0, c, l);
    synk_store_le32(c + l, crc);
    l += 4;
    c[l++] = 0xE1; /* a final check right after a check (a writer closing late): valid */
    synk_store_le32(c + l, k->crc32c(crc, c + l - 1, 1));
    l += 4;
    CHECK_ST(synk_stream_decode(c, l, NULL, 0, &m, NULL), SYNK_OK);
    CHECK(m == 1);
    c[l - 5] = 0xE0; /* ...but not a non-final one */
    synk_store_le32(c + l - 4, k->crc32c(crc, c + l - 5, 1));
    CHECK_ST(synk_stream_decode(c, l, NULL, 0, &m, NULL), SYNK_E_FORMAT);
    CHECK_ST(synk_stream_decode(c, l - SYNK_CHECK_SIZE, NULL, 0, &m, NULL), SYNK_E_FORMAT); /* no final */
    c[3 - 1] = 0xE1; /* the same stream with that check final: valid */
    synk_store_le32(c + 3, k->crc32c(0, c, 3));
    CHECK_ST(synk_stream_decode(c, 7, NULL, 0, &m, NULL), SYNK_OK);
    CHECK(m == 1);
    l = 0; /* a check not after a tick: despawn 0, check, final check */
    c[l++] = 0xC2;
    c[l++] = 0x40;
    c[l++] = 0x00;
    c[l++] = 0xE0;
    crc = k->crc32c(0, c, l);
    synk_store_le32(c + l, crc);
    l += 4;
    c[l++] = 0x40;
    c[l++] = 0x01;
    c[l++] = 0xE1;
    synk_store_le32(c + l, k->crc32c(crc, c + 8, 3));
    l += 4;
    CHECK_ST(synk_stream_decode(c, l, NULL, 0, &m, NULL), SYNK_E_FORMAT);
    l = 0; /* a tick without its check: despawn 0, tick, despawn 1, final check */
    c[l++] = 0xC2;
    c[l++] = 0x40;
    c[l++] = 0x00;
    c[l++] = 0xA1;
    c[l++] = 0x40;
    c[l++] = 0x01;
    c[l++] = 0xE1;
    synk_store_le32(c + l, k->crc32c(0, c, l));
    l += 4;
    CHECK_ST(synk_stream_decode(c, l, NULL, 0, &m, NULL), SYNK_E_FORMAT);
    /* control: the tick replaced by a despawn (despawn 0, 2, 1), CRC redone: valid */
    c[3] = 0x40;
    c[4] = 0x02;
    c[5] = 0x40;
    c[6] = 0x01;
    c[7] = 0xE1;
    l = 8;
    synk_store_le32(c + l, k->crc32c(0, c, l));
    l += 4;
    CHECK_ST(synk_stream_decode(c, l, NULL, 0, &m, NULL), SYNK_OK);
    CHECK(m == 3);
  }
  free(two);
  free(sw);
  synk_world_destroy(e);
  synk_world_destroy(e0);
  synk_world_destroy(w);
  synk_world_destroy(ref);
  free(buf);
}

/* The stream writer: pieces split at ticks, written one by one, form the
 * stream synk_stream_encode writes for all the events; a receiver that
 * appends each piece and applies what arrived tracks the sender's world. */
static void test_writer(t_rng *r) {
  for (int round = 0; round < 20; round++) {
    uint32_t cap = 300, np = 2;
    unsigned char *alive = (unsigned char *)calloc(cap, 1);
    size_t n = 400;
    synk_event *ev = (synk_event *)calloc(n + 1, sizeof *ev);
    n = gen_events(r, cap, np, alive, ev, n);
    synk_events_coalesce(ev, &n);
    size_t whole_len = 0;
    unsigned char *whole = encode(ev, n, &whole_len);
    unsigned char *stream = (unsigned char *)malloc(whole_len + 64);
    synk_stream_writer sw = {0, 0, 0};
    synk_world *rx = new_world(cap, np), *tx = new_world(cap, np);
    size_t slen = 0, pos = 0, i = 0;
    while (i <= n) {
      /* the next piece: up to a random later tick, or everything left (final) */
      size_t j = i, end = n;
      for (; j < n; j++)
        if (ev[j].type == SYNK_EV_TICK && t_below(r, 3) == 0) {
          end = j + 1;
          break;
        }
      int final = end == n;
      size_t need = 0, got = 0;
      synk_stream_writer before = sw;
      CHECK_ST(synk_stream_write(&sw, ev + i, end - i, final, NULL, 0, &need), SYNK_OK);
      CHECK(memcmp(&sw, &before, sizeof sw) == 0);
      if (need > 1) {
        CHECK_ST(synk_stream_write(&sw, ev + i, end - i, final, stream + slen, need - 1, &got), SYNK_E_SPACE);
        CHECK(got == need && memcmp(&sw, &before, sizeof sw) == 0);
      }
      CHECK(slen + need <= whole_len + 64);
      CHECK_ST(synk_stream_write(&sw, ev + i, end - i, final, stream + slen, need, &got), SYNK_OK);
      CHECK(got == need && sw.bytes == slen + need);
      slen += need;
      apply_direct(tx, ev + i, end - i);
      synk_stream_info info;
      CHECK_ST(synk_stream_apply(rx, stream, slen, &pos, UINT64_MAX, &info), SYNK_OK);
      CHECK(pos == slen && info.end == final);
      CHECK(ts_equal(rx, tx));
      i = end;
      if (final) break;
    }
    /* one stream: the same bytes as encoding everything at once */
    CHECK(slen == whole_len && memcmp(stream, whole, slen) == 0);
    size_t m = 0;
    CHECK_ST(synk_stream_decode(stream, slen, NULL, 0, &m, NULL), SYNK_OK);
    CHECK(m == n);
    /* a finished writer, a piece not ending at a tick */
    size_t l = 0;
    synk_event tick = {SYNK_EV_TICK, 0, 1, 0, 0, 0}, mv = {SYNK_EV_MOTION, 1, 0, 1, 0, 0};
    CHECK_ST(synk_stream_write(&sw, &tick, 1, 0, stream, whole_len, &l), SYNK_E_ARG);
    synk_stream_writer fresh = {0, 0, 0};
    CHECK_ST(synk_stream_write(&fresh, &mv, 1, 0, stream, whole_len, &l), SYNK_E_ARG);
    CHECK_ST(synk_stream_write(&fresh, NULL, 0, 0, stream, whole_len, &l), SYNK_E_ARG);
    CHECK_ST(synk_stream_write(NULL, &tick, 1, 1, stream, whole_len, &l), SYNK_E_ARG);
    CHECK(fresh.state == 0 && fresh.bytes == 0);
    synk_world_destroy(rx);
    synk_world_destroy(tx);
    free(stream);
    free(whole);
    free(ev);
    free(alive);
  }
  /* closing after the last tick with an empty final piece: a final check
   * right after a check, still one valid stream */
  synk_stream_writer sw = {0, 0, 0};
  synk_event tick = {SYNK_EV_TICK, 0, 2, 0, 0, 0};
  unsigned char b[32];
  size_t l1 = 0, l2 = 0, m = 0;
  CHECK_ST(synk_stream_write(&sw, &tick, 1, 0, b, sizeof b, &l1), SYNK_OK);
  CHECK_ST(synk_stream_write(&sw, NULL, 0, 1, b + l1, sizeof b - l1, &l2), SYNK_OK);
  CHECK(l2 == SYNK_CHECK_SIZE && sw.state == 2);
  synk_event out[2];
  CHECK_ST(synk_stream_decode(b, l1 + l2, out, 2, &m, NULL), SYNK_OK);
  CHECK(m == 1 && out[0].type == SYNK_EV_TICK && out[0].arg == 2);
}

/* Golden bytes: a fixed stream (lone events and a motion run) encodes to
 * exactly these bytes. A deliberate format change updates them and
 * docs/wire-format.md together. */
/* The golden stream's events: one record of every type. */
static size_t golden_events(synk_event *ev) {
  size_t n = 0;
  ev[n++] = (synk_event){SYNK_EV_SPAWN, 7, 3, 100, -2, 0};
  ev[n++] = (synk_event){SYNK_EV_MOTION, 7, 0, 1, 0, -1};
  ev[n++] = (synk_event){SYNK_EV_PROP, 7, 1, -5, 0, 0};
  ev[n++] = (synk_event){SYNK_EV_TICK, 0, 1, 0, 0, 0};
  for (uint32_t i = 0; i < 9; i++) ev[n++] = (synk_event){SYNK_EV_MOTION, 10 + i + (i > 4 ? 3 : 0), 0, (int32_t)i - 4, 1, 0};
  ev[n++] = (synk_event){SYNK_EV_DESPAWN, 7, 0, 0, 0, 0};
  ev[n++] = (synk_event){SYNK_EV_TICK, 0, 40, 0, 0, 0};
  return n;
}

static void test_golden(void) {
  synk_event ev[16];
  size_t n = golden_events(ev);
  size_t len = 0;
  unsigned char *buf = encode(ev, n, &len);
  char hex[256];
  ts_hex(buf, len < 100 ? len : 100, hex);
  printf("golden stream (%zu bytes): %s\n", len, hex);
  CHECK(strcmp(hex, GOLDEN_STREAM) == 0);
  free(buf);
}

/* ---- records and motion columns --------------------------------------------- */

/* Records of a valid stream tile its bytes after the header, and their events
 * are synk_stream_decode's, in order. */
static void check_tiling(const unsigned char *buf, size_t len, const synk_stream_record *rec, size_t nrec) {
  size_t off = 1, ev = 0, nev = 0;
  int ok = 1;
  for (size_t i = 0; i < nrec; i++) {
    ok &= rec[i].offset == off && rec[i].bytes > 0 && rec[i].first_event == ev;
    ok &= buf[off] >> 5 == rec[i].type; /* the tag byte's top 3 bits */
    ok &= rec[i].type == SYNK_REC_RUN || rec[i].events == (rec[i].type == SYNK_REC_CHECK ? 0u : 1u);
    off += rec[i].bytes;
    ev += rec[i].events;
  }
  CHECK(ok && off == len);
  CHECK_ST(synk_stream_decode(buf, len, NULL, 0, &nev, NULL), SYNK_OK);
  CHECK(nev == ev);
}

static void test_records(t_rng *r) {
  synk_event ev[16];
  size_t n = golden_events(ev), len = 0, m = 0;
  unsigned char *buf = encode(ev, n, &len);
  /* one record of every type, each as long as the format says */
  static const struct { uint32_t type; size_t bytes, events, first; } want[] = {
      {SYNK_REC_SPAWN, 6, 1, 0}, {SYNK_REC_MOTION, 4, 1, 1}, {SYNK_REC_PROP, 3, 1, 2},  {SYNK_REC_TICK, 1, 1, 3},
      {SYNK_REC_CHECK, 5, 0, 4}, {SYNK_REC_RUN, 18, 9, 4},   {SYNK_REC_DESPAWN, 2, 1, 13}, {SYNK_REC_TICK, 2, 1, 14},
      {SYNK_REC_CHECK, 5, 0, 15}};
  const size_t nwant = sizeof want / sizeof want[0];
  synk_stream_record rec[16];
  CHECK_ST(synk_stream_records(buf, len, NULL, 0, &m), SYNK_OK);
  CHECK(m == nwant);
  memset(rec, 0xEE, sizeof rec);
  CHECK_ST(synk_stream_records(buf, len, rec, 4, &m), SYNK_E_SPACE);
  CHECK(m == nwant && rec[3].type == SYNK_REC_TICK && rec[4].type == 0xEEEEEEEEu);
  CHECK_ST(synk_stream_records(buf, len, rec, 16, &m), SYNK_OK);
  int same = m == nwant;
  for (size_t i = 0; i < nwant && same; i++)
    same = rec[i].type == want[i].type && rec[i].bytes == want[i].bytes && rec[i].events == want[i].events &&
           rec[i].first_event == want[i].first;
  CHECK(same);
  check_tiling(buf, len, rec, m);
  /* errors */
  CHECK_ST(synk_stream_records(NULL, len, rec, 16, &m), SYNK_E_ARG);
  CHECK_ST(synk_stream_records(buf, len, rec, 16, NULL), SYNK_E_ARG);
  CHECK_ST(synk_stream_records(NULL, 0, NULL, 0, &m), SYNK_E_FORMAT); /* no header */
  CHECK(m == 0);
  CHECK_ST(synk_stream_records(buf, len - 1, rec, 16, &m), SYNK_E_FORMAT); /* truncated */
  CHECK_ST(synk_stream_records(buf, len - SYNK_CHECK_SIZE, rec, 16, &m), SYNK_E_FORMAT); /* no final check */
  buf[10] ^= 0x02; /* the prop's value: the first check fails */
  CHECK_ST(synk_stream_records(buf, len, rec, 16, &m), SYNK_E_FORMAT);
  CHECK(m == 0);
  buf[10] ^= 0x02;

  /* motions into columns: the lone motion, then the run's nine */
  uint32_t ids[16];
  int32_t dx[16], dy[16], dz[16];
  CHECK_ST(synk_stream_decode_motions(buf, len, NULL, NULL, NULL, NULL, 0, &m), SYNK_OK); /* count query */
  CHECK(m == 10);
  CHECK_ST(synk_stream_decode_motions(buf, len, ids, dx, dy, dz, 16, &m), SYNK_OK);
  same = m == 10 && ids[0] == 7 && dx[0] == 1 && dy[0] == 0 && dz[0] == -1;
  for (uint32_t i = 0; i < 9 && same; i++)
    same = ids[1 + i] == 10 + i + (i > 4 ? 3 : 0) && dx[1 + i] == (int32_t)i - 4 && dy[1 + i] == 1 && dz[1 + i] == 0;
  CHECK(same);
  CHECK_ST(synk_stream_decode_motions(buf, len, ids, dx, dy, dz, 5, &m), SYNK_E_SPACE);
  CHECK(m == 10 && ids[0] == 7); /* the run does not fit: the prefix before it */
  CHECK_ST(synk_stream_decode_motions(NULL, len, ids, dx, dy, dz, 16, &m), SYNK_E_ARG);
  CHECK_ST(synk_stream_decode_motions(buf, len, ids, NULL, dy, dz, 16, &m), SYNK_E_ARG);
  CHECK_ST(synk_stream_decode_motions(buf, len, ids, dx, dy, dz, 16, NULL), SYNK_E_ARG);
  CHECK_ST(synk_stream_decode_motions(buf, len - 1, ids, dx, dy, dz, 16, &m), SYNK_E_FORMAT);
  CHECK(m == 0);
  free(buf);

  /* random streams: records tile them, motions are the decoder's motion events */
  for (int rep = 0; rep < 20; rep++) {
    const uint32_t cap = 500;
    unsigned char alive[500] = {0};
    synk_event *rev = (synk_event *)calloc(3000, sizeof *rev);
    size_t k = gen_events(r, cap, 2, alive, rev, 3000);
    CHECK_ST(synk_events_coalesce(rev, &k), SYNK_OK);
    unsigned char *b = encode(rev, k, &len);
    size_t nrec = 0;
    CHECK_ST(synk_stream_records(b, len, NULL, 0, &nrec), SYNK_OK);
    synk_stream_record *rr = (synk_stream_record *)calloc(nrec + 1, sizeof *rr);
    CHECK_ST(synk_stream_records(b, len, rr, nrec, &nrec), SYNK_OK);
    check_tiling(b, len, rr, nrec);
    size_t nm = 0, want_nm = 0;
    for (size_t i = 0; i < k; i++) want_nm += rev[i].type == SYNK_EV_MOTION;
    uint32_t *mi = (uint32_t *)calloc(want_nm + 1, 4);
    int32_t *mx = (int32_t *)calloc(want_nm + 1, 4), *my = (int32_t *)calloc(want_nm + 1, 4),
            *mz = (int32_t *)calloc(want_nm + 1, 4);
    CHECK_ST(synk_stream_decode_motions(b, len, mi, mx, my, mz, want_nm + 1, &nm), SYNK_OK);
    same = nm == want_nm;
    for (size_t i = 0, j = 0; i < k && same; i++) {
      if (rev[i].type != SYNK_EV_MOTION) continue;
      same = mi[j] == rev[i].id && mx[j] == rev[i].a && my[j] == rev[i].b && mz[j] == rev[i].c;
      j++;
    }
    CHECK(same);
    free(mi);
    free(mx);
    free(my);
    free(mz);
    free(rr);
    free(b);
    free(rev);
  }
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 0xC0DEC);
  t_rng r;
  t_seed(&r, seed);
  test_edges();
  test_runs(&r);
  test_golden();
  const char *isas[16];
  size_t ni = synk_isa_list(isas, 16);
  for (size_t i = 0; i < ni && i < 16; i++) test_apply_equiv(&r, isas[i]);
  synk_use_isa("auto");
  test_atomic(&r);
  test_hostile(&r);
  test_checks();
  test_writer(&r);
  test_records(&r);
  return t_done("test_codec");
}
