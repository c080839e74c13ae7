/* SPDX-License-Identifier: MIT */
/*
 * Trace files, generation, replay and statistics for the sync layer.
 *
 * A trace file is a 20-byte header that carries the world config, then one
 * event stream (docs/wire-format.md):
 *   0 "SYNT"  4 version 1  5 num_props  6 reserved (2 bytes, 0)
 *   8 max_entities (u32 LE)  12 seed (u64 LE)  20 the stream
 * With --raw, gen writes the bare stream (fuzz corpus seeds).
 */
#include "cmd_sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bytes.h"
#include "opt.h"
#include "rng.h"
#include "synk.h"

#define TRACE_HDR 20

const char synk_cli_gen_usage[] =
    "usage: synk gen SCENARIO [-o FILE] [--entities N] [--ticks T] [--seed S] [--raw]\n"
    "                [--snapshot FILE] [--delta FILE] [--fuzz-delta FILE]\n"
    "Writes a synthetic event stream (a trace: world config + stream; --raw: the\n"
    "bare stream). Scenarios:\n"
    "  crowd  1e5 entities (4 props); each tick 10% move by -3..3 in clustered id runs\n"
    "  peer   the benchmark's 1000x100 workload: 100 entities, 1000 motions per tick\n"
    "         on ids (i*7+13)%100, dx=1 (coalesced into 100 motions)\n"
    "  churn  1e4 entities; each tick 1% despawn, 1% spawn, 5% move\n"
    "  props  1e4 entities with 8 props; each tick 5% property sets, 2% moves\n"
    "Options: --entities and --ticks override the defaults (crowd 100 ticks, others\n"
    "100). --snapshot writes the final world's snapshot, --delta the delta from the\n"
    "last-but-one tick to the final world, --fuzz-delta a delta fuzz seed (u32 LE\n"
    "snapshot length, base snapshot, delta).\n";
const char synk_cli_replay_usage[] =
    "usage: synk replay FILE [--isa NAME | --all-isas] [--per-tick] [--max-entities N]\n"
    "Applies a trace's stream to a new world and prints the final hash (and with\n"
    "--per-tick the hash after every tick). --all-isas replays on every runnable\n"
    "backend and fails unless all reach the same hash. Exits 1 if the stream is\n"
    "refused. The world is the one the trace's header names, up to --max-entities\n"
    "ids (default 16777216, 2^24): a larger one is refused before anything is\n"
    "allocated, so a small file cannot make replay allocate gigabytes.\n";
const char synk_cli_stat_usage[] =
    "usage: synk stat FILE\n"
    "Bytes per event kind and per motion (in motion runs and alone), and what the\n"
    "motion runs would cost as Stream VByte columns (the measured alternative).\n";

/* ---- small helpers -------------------------------------------------------- */

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = (unsigned char *)malloc(cap);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (n < cap) break;
    unsigned char *nb = (unsigned char *)realloc(buf, cap * 2);
    if (!nb) {
      free(buf);
      buf = NULL;
    } else {
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

static int write_file(const char *path, const void *a, size_t alen, const void *b, size_t blen) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(a, 1, alen, f) == alen && (!blen || fwrite(b, 1, blen, f) == blen);
  return fclose(f) == 0 && ok ? 0 : -1;
}

typedef struct growbuf {
  unsigned char *p;
  size_t len, cap;
} growbuf;
/* Room for n more bytes at g->p + g->len; -1 when out of memory. */
static int gb_reserve(growbuf *g, size_t n) {
  if (g->len + n > g->cap) {
    size_t nc = g->cap ? g->cap : 1 << 16;
    while (nc < g->len + n) nc *= 2;
    unsigned char *np = (unsigned char *)realloc(g->p, nc);
    if (!np) return -1;
    g->p = np;
    g->cap = nc;
  }
  return 0;
}
static int gb_add(growbuf *g, const void *src, size_t n) {
  if (gb_reserve(g, n)) return -1;
  memcpy(g->p + g->len, src, n);
  g->len += n;
  return 0;
}

typedef struct evbuf {
  synk_event *e;
  size_t n, cap;
} evbuf;
static void ev_push(evbuf *b, synk_event e) {
  if (b->n == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 4096;
    b->e = (synk_event *)realloc(b->e, b->cap * sizeof *b->e);
    if (!b->e) {
      fprintf(stderr, "synk gen: out of memory\n");
      exit(1);
    }
  }
  b->e[b->n++] = e;
}

static synk_event ev(uint32_t type, uint32_t id, uint32_t arg, int32_t a, int32_t b, int32_t c) {
  synk_event e;
  e.type = type;
  e.id = id;
  e.arg = arg;
  e.a = a;
  e.b = b;
  e.c = c;
  return e;
}

/* ---- gen ------------------------------------------------------------------- */

typedef struct scen {
  const char *name;
  uint32_t entities, props, ticks;
} scen;
static const scen scens[] = {
    {"crowd", 100000, 4, 100}, {"peer", 100, 0, 100}, {"churn", 10000, 0, 100}, {"props", 10000, 8, 100}};

/* The events of tick t (t == 0: the initial spawns) for world w's state.
 * Random draws are never two arguments of one call: C leaves the order in
 * which arguments are evaluated unspecified (gcc and clang differ), so each
 * draw is its own declarator, and a seed gives the same stream whatever the
 * compiler. */
static void gen_tick(const scen *sc, synk_world *w, synk_splitmix *r, uint32_t t, evbuf *out) {
  const uint32_t n = sc->entities;
  synk_view v = synk_get_view(w);
  out->n = 0;
  if (t == 0) {
    for (uint32_t id = 0; id < n; id++) {
      uint32_t kind = synk_splitmix_below(r, 16);
      int32_t x = synk_splitmix_range(r, -(1 << 20), 1 << 20), y = synk_splitmix_range(r, -(1 << 20), 1 << 20),
              z = synk_splitmix_range(r, -(1 << 10), 1 << 10);
      ev_push(out, ev(SYNK_EV_SPAWN, id, kind, x, y, z));
    }
  } else if (strcmp(sc->name, "crowd") == 0) {
    /* groups of 16..64 contiguous ids at random places, 10% of the world */
    uint32_t want = n / 10, i = 0;
    while (i < want) {
      uint32_t len = 16 + synk_splitmix_below(r, 49);
      if (len > want - i) len = want - i;
      uint32_t start = synk_splitmix_below(r, n - len + 1);
      for (uint32_t k = 0; k < len; k++, i++) {
        int32_t dx = synk_splitmix_range(r, -3, 3), dy = synk_splitmix_range(r, -3, 3),
                dz = synk_splitmix_range(r, -1, 1);
        ev_push(out, ev(SYNK_EV_MOTION, start + k, 0, dx, dy, dz));
      }
    }
  } else if (strcmp(sc->name, "peer") == 0) {
    for (uint32_t i = 0; i < 1000; i++) ev_push(out, ev(SYNK_EV_MOTION, (i * 7 + 13) % n, 0, 1, 0, 0));
  } else if (strcmp(sc->name, "churn") == 0) {
    for (uint32_t i = 0; i < n / 100; i++) {
      uint32_t id = synk_splitmix_below(r, v.capacity);
      int live = (int)((v.alive[id >> 6] >> (id & 63)) & 1);
      for (size_t j = 0; j < out->n && live; j++) live = out->e[j].id != id;
      if (live) ev_push(out, ev(SYNK_EV_DESPAWN, id, 0, 0, 0, 0));
    }
    /* spawns on ids that are dead now and not despawned above: the capacity
     * is twice the population, so a random id is often free */
    for (uint32_t i = 0; i < n / 100; i++) {
      uint32_t id = synk_splitmix_below(r, v.capacity);
      int live = (int)((v.alive[id >> 6] >> (id & 63)) & 1);
      int dup = 0;
      for (size_t j = 0; j < out->n && !dup; j++) dup = out->e[j].id == id;
      if (!live && !dup) {
        uint32_t kind = synk_splitmix_below(r, 16);
        int32_t x = synk_splitmix_range(r, -1000, 1000), y = synk_splitmix_range(r, -1000, 1000);
        ev_push(out, ev(SYNK_EV_SPAWN, id, kind, x, y, 0));
      }
    }
    size_t base = out->n;
    for (uint32_t i = 0; i < n / 20; i++) {
      uint32_t id = synk_splitmix_below(r, v.capacity);
      int live = (int)((v.alive[id >> 6] >> (id & 63)) & 1);
      int gone = 0;
      for (size_t j = 0; j < base && !gone; j++) gone = out->e[j].id == id && out->e[j].type == SYNK_EV_DESPAWN;
      if (live && !gone) {
        int32_t dx = synk_splitmix_range(r, -5, 5), dy = synk_splitmix_range(r, -5, 5);
        ev_push(out, ev(SYNK_EV_MOTION, id, 0, dx, dy, 0));
      }
    }
  } else { /* props */
    for (uint32_t i = 0; i < n / 20; i++) {
      uint32_t id = synk_splitmix_below(r, n), slot = synk_splitmix_below(r, sc->props);
      ev_push(out, ev(SYNK_EV_PROP, id, slot, synk_splitmix_range(r, -100, 1000), 0, 0));
    }
    for (uint32_t i = 0; i < n / 50; i++) {
      uint32_t id = synk_splitmix_below(r, n);
      int32_t dx = synk_splitmix_range(r, -2, 2), dy = synk_splitmix_range(r, -2, 2);
      ev_push(out, ev(SYNK_EV_MOTION, id, 0, dx, dy, 0));
    }
  }
  ev_push(out, ev(SYNK_EV_TICK, 0, 1, 0, 0, 0));
}

static int save_snapshot(const synk_world *w, growbuf *g) {
  size_t len = 0;
  synk_snapshot_save(w, NULL, 0, &len);
  unsigned char *b = (unsigned char *)malloc(len);
  int rc = b && synk_snapshot_save(w, b, len, &len) == SYNK_OK ? gb_add(g, b, len) : -1;
  free(b);
  return rc;
}

enum { GEN_OUT = 'o', GEN_ENTITIES = 256, GEN_TICKS, GEN_SEED, GEN_SNAPSHOT, GEN_DELTA, GEN_FUZZ_DELTA, GEN_RAW };
static const synk_opt gen_options[] = {
    {NULL, GEN_OUT, SYNK_OPT_STRING, 0, 0, NULL},
    {"entities", GEN_ENTITIES, SYNK_OPT_NUMBER, 1, 1u << 24, NULL},
    {"ticks", GEN_TICKS, SYNK_OPT_NUMBER, 0, 1000000, NULL},
    {"seed", GEN_SEED, SYNK_OPT_NUMBER, 0, UINT64_MAX, NULL},
    {"snapshot", GEN_SNAPSHOT, SYNK_OPT_STRING, 0, 0, NULL},
    {"delta", GEN_DELTA, SYNK_OPT_STRING, 0, 0, NULL},
    {"fuzz-delta", GEN_FUZZ_DELTA, SYNK_OPT_STRING, 0, 0, NULL},
    {"raw", GEN_RAW, SYNK_OPT_FLAG, 0, 0, NULL},
};

int synk_cli_gen(int argc, char **argv) {
  const char *name = NULL, *outp = NULL, *snapp = NULL, *deltap = NULL, *fuzzp = NULL;
  long long entities = -1, ticks = -1;
  uint64_t seed = 1;
  int raw = 0;
  synk_opt_parser p;
  synk_opt_init(&p, "synk gen", synk_cli_gen_usage, gen_options, sizeof gen_options / sizeof gen_options[0], argc,
                argv);
  for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
    switch (k) {
    case GEN_OUT: outp = p.str; break;
    case GEN_ENTITIES: entities = (long long)p.num; break;
    case GEN_TICKS: ticks = (long long)p.num; break;
    case GEN_SEED: seed = p.num; break;
    case GEN_SNAPSHOT: snapp = p.str; break;
    case GEN_DELTA: deltap = p.str; break;
    case GEN_FUZZ_DELTA: fuzzp = p.str; break;
    case GEN_RAW: raw = 1; break;
    case SYNK_OPT_OPERAND:
      if (synk_opt_take_operand(&p, &name)) return 2;
      break;
    default: return synk_opt_stop(&p, k);
    }
  }
  const scen *found = NULL;
  for (size_t i = 0; name && i < sizeof scens / sizeof scens[0]; i++)
    if (strcmp(scens[i].name, name) == 0) found = &scens[i];
  if (!found) return synk_opt_fail(&p, 1, "unknown or missing scenario%s%s", name ? " " : "", name ? name : "");
  if (!outp) return synk_opt_fail(&p, 1, "missing -o FILE");
  scen sc = *found;
  if (entities > 0) sc.entities = (uint32_t)entities;
  if (ticks >= 0) sc.ticks = (uint32_t)ticks;
  if (strcmp(sc.name, "peer") == 0 && sc.entities > 1000) sc.entities = 1000;
  const uint32_t cap = strcmp(sc.name, "churn") == 0 ? sc.entities * 2 : sc.entities;

  synk_config cfg = {cap, sc.props, seed ^ 0x73796E6B, NULL, NULL};
  synk_world *w = NULL, *prev = NULL;
  if (synk_world_create(&cfg, &w) != SYNK_OK) return 1;
  synk_splitmix r = {seed};
  evbuf eb = {NULL, 0, 0};
  growbuf stream = {NULL, 0, 0}, before = {NULL, 0, 0};
  synk_stream_writer sw = {0, 0, 0};
  size_t applied = 0; /* stream bytes applied to w so far */
  int rc = 0;
  for (uint32_t t = 0; t <= sc.ticks && !rc; t++) {
    gen_tick(&sc, w, &r, t, &eb); /* ends with a tick event */
    size_t n = eb.n;
    synk_events_coalesce(eb.e, &n);
    /* one piece of the file's stream per tick (the last one final), appended */
    const int final = t == sc.ticks;
    size_t len = 0;
    synk_stream_write(&sw, eb.e, n, final, NULL, 0, &len);
    if (gb_reserve(&stream, len) ||
        synk_stream_write(&sw, eb.e, n, final, stream.p + stream.len, len, &len) != SYNK_OK)
      rc = 1;
    else
      stream.len += len;
    if (!rc && t == sc.ticks && (deltap || fuzzp)) {
      before.len = 0;
      prev = NULL;
      if (save_snapshot(w, &before) || synk_snapshot_load(before.p, before.len, &cfg, &prev) != SYNK_OK) rc = 1;
    }
    /* apply the piece as it arrived, through the stream path (proves the bytes) */
    if (!rc && synk_stream_apply(w, stream.p, stream.len, &applied, UINT64_MAX, NULL) != SYNK_OK) rc = 1;
  }
  if (!rc) {
    unsigned char th[TRACE_HDR];
    memcpy(th, "SYNT", 4);
    th[4] = 1;
    th[5] = (unsigned char)sc.props;
    th[6] = th[7] = 0;
    synk_store_le32(th + 8, cap);
    synk_store_le64(th + 12, cfg.seed);
    rc = raw ? write_file(outp, stream.p, stream.len, NULL, 0) : write_file(outp, th, TRACE_HDR, stream.p, stream.len);
  }
  if (!rc && snapp) {
    growbuf s = {NULL, 0, 0};
    rc = save_snapshot(w, &s) || write_file(snapp, s.p, s.len, NULL, 0);
    free(s.p);
  }
  if (!rc && (deltap || fuzzp) && prev) {
    size_t len = 0;
    synk_delta_encode(prev, w, NULL, 0, &len);
    unsigned char *d = (unsigned char *)malloc(len);
    rc = !d || synk_delta_encode(prev, w, d, len, &len) != SYNK_OK;
    if (!rc && deltap) rc = write_file(deltap, d, len, NULL, 0);
    if (!rc && fuzzp) {
      unsigned char l4[4];
      synk_store_le32(l4, (uint32_t)before.len);
      growbuf f = {NULL, 0, 0};
      rc = gb_add(&f, l4, 4) || gb_add(&f, before.p, before.len) || gb_add(&f, d, len) ||
           write_file(fuzzp, f.p, f.len, NULL, 0);
      free(f.p);
    }
    free(d);
  }
  if (rc) fprintf(stderr, "synk gen: failed\n");
  else
    printf("%s: %u entities, %u ticks, %zu stream bytes, hash 0x%016" PRIx64 "\n", sc.name, sc.entities, sc.ticks,
           stream.len, synk_hash(w));
  free(eb.e);
  free(stream.p);
  free(before.p);
  synk_world_destroy(prev);
  synk_world_destroy(w);
  return rc ? 1 : 0;
}

/* ---- replay ------------------------------------------------------------------ */

/* Default bound on the world a trace may ask replay to create (2^24 ids:
 * about 1.9 GB with 16 props, the documented minimum id range). */
#define REPLAY_MAX_ENTITIES (1u << 24)

/* Read a trace; its header's config is accepted only up to max_entities ids
 * (0: no world is created from it, any size is fine). */
static int load_trace(const char *path, unsigned char **buf, size_t *len, synk_config *cfg, uint32_t max_entities) {
  *buf = read_file(path, len);
  if (!*buf) {
    fprintf(stderr, "synk: cannot read %s\n", path);
    return -1;
  }
  const unsigned char *p = *buf;
  if (*len < TRACE_HDR || memcmp(p, "SYNT", 4) != 0 || p[4] != 1 || p[5] > SYNK_MAX_PROPS) {
    fprintf(stderr, "synk: %s is not a synk trace (synk gen writes them)\n", path);
    return -1;
  }
  memset(cfg, 0, sizeof *cfg);
  cfg->num_props = p[5];
  cfg->max_entities = synk_load_le32(p + 8);
  cfg->seed = synk_load_le64(p + 12);
  if (max_entities && cfg->max_entities > max_entities) {
    fprintf(stderr, "synk: %s asks for a world of %u ids, above the limit of %u (--max-entities)\n", path,
            cfg->max_entities, max_entities);
    return -1;
  }
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Replay the stream on the active backend; 0 on success with *hash set. */
static int replay_once(const synk_config *cfg, const unsigned char *s, size_t slen, int per_tick, uint64_t *hash) {
  synk_world *w = NULL;
  if (synk_world_create(cfg, &w) != SYNK_OK) return 1;
  size_t pos = 0, events = 0;
  synk_stream_info info;
  synk_status st = SYNK_OK;
  double t0 = now_s();
  do {
    st = synk_stream_apply(w, s, slen, &pos, per_tick ? 1 : 0, &info);
    events += info.events;
    if (st == SYNK_OK && per_tick) printf("frame %" PRIu64 " hash 0x%016" PRIx64 "\n", synk_frame(w), synk_hash(w));
  } while (st == SYNK_OK && pos < slen);
  double t1 = now_s();
  int rc = 0;
  if (st != SYNK_OK) {
    fprintf(stderr, "synk replay: %s at event %zu (byte %zu of the stream)\n", synk_status_str(st),
            events + info.bad_event, info.bad_offset);
    rc = 1;
  } else if (!info.end) { /* per tick: every tick checked, but the stream was cut after one */
    fprintf(stderr, "synk replay: the stream ends without its final check (truncated after frame %" PRIu64 ")\n",
            synk_frame(w));
    rc = 1;
  } else if (synk_hash(w) != synk_rehash(w)) {
    fprintf(stderr, "synk replay: hash != rehash\n");
    rc = 1;
  }
  printf("isa %s%s: %zu events, %zu bytes, frame %" PRIu64 ", %zu entities, %.3f ms\n", synk_isa(),
         synk_isa_emulated(synk_isa()) == 1 ? " (emulated)" : "", events, slen, synk_frame(w), synk_count(w),
         (t1 - t0) * 1e3);
  printf("hash 0x%016" PRIx64 "\n", synk_hash(w));
  *hash = synk_hash(w);
  synk_world_destroy(w);
  return rc;
}

enum { REPLAY_LIMIT = 256, REPLAY_ISA, REPLAY_PER_TICK, REPLAY_ALL_ISAS };
static const synk_opt replay_options[] = {
    {"max-entities", REPLAY_LIMIT, SYNK_OPT_NUMBER, 1, SYNK_MAX_ENTITIES_LIMIT, NULL},
    {"isa", REPLAY_ISA, SYNK_OPT_STRING, 0, 0, NULL},
    {"per-tick", REPLAY_PER_TICK, SYNK_OPT_FLAG, 0, 0, NULL},
    {"all-isas", REPLAY_ALL_ISAS, SYNK_OPT_FLAG, 0, 0, NULL},
};

int synk_cli_replay(int argc, char **argv) {
  const char *path = NULL, *isa = NULL;
  int per_tick = 0, all = 0;
  uint32_t max_entities = REPLAY_MAX_ENTITIES;
  synk_opt_parser p;
  synk_opt_init(&p, "synk replay", synk_cli_replay_usage, replay_options,
                sizeof replay_options / sizeof replay_options[0], argc, argv);
  for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
    switch (k) {
    case REPLAY_LIMIT: max_entities = (uint32_t)p.num; break;
    case REPLAY_ISA: isa = p.str; break;
    case REPLAY_PER_TICK: per_tick = 1; break;
    case REPLAY_ALL_ISAS: all = 1; break;
    case SYNK_OPT_OPERAND:
      if (synk_opt_take_operand(&p, &path)) return 2;
      break;
    default: return synk_opt_stop(&p, k);
    }
  }
  if (!path) return synk_opt_fail(&p, 1, "missing FILE");
  if (isa && synk_use_isa(isa) != SYNK_OK) {
    fprintf(stderr, "synk replay: backend '%s' is unknown or cannot run here\n", isa);
    return 2;
  }
  unsigned char *buf = NULL;
  size_t len = 0;
  synk_config cfg;
  if (load_trace(path, &buf, &len, &cfg, max_entities)) {
    free(buf);
    return 1;
  }
  uint64_t h = 0, first = 0;
  int rc = 0;
  if (!all) {
    rc = replay_once(&cfg, buf + TRACE_HDR, len - TRACE_HDR, per_tick, &h);
  } else { /* every runnable backend must reach the same hash */
    const char *isas[16];
    size_t ni = synk_isa_list(isas, 16);
    for (size_t i = 0; i < ni && i < 16 && !rc; i++) {
      synk_use_isa(isas[i]);
      rc = replay_once(&cfg, buf + TRACE_HDR, len - TRACE_HDR, per_tick, &h);
      if (i == 0) first = h;
      if (h != first) {
        fprintf(stderr, "synk replay: %s reaches a different hash than %s\n", isas[i], isas[0]);
        rc = 1;
      }
    }
  }
  free(buf);
  return rc;
}

/* ---- stat ---------------------------------------------------------------------- */

typedef struct stat_ctx {
  size_t bytes[8], recs[8], events[8];
  size_t run_first[1 << 16], run_n[1 << 16], nruns;
  size_t runs_dropped;
} stat_ctx;

static void on_record(stat_ctx *s, const synk_stream_record *r) {
  if (r->type >= 8) return;
  s->bytes[r->type] += r->bytes;
  s->recs[r->type]++;
  s->events[r->type] += r->events;
  if (r->type == SYNK_REC_RUN) {
    if (s->nruns < (1 << 16)) {
      s->run_first[s->nruns] = r->first_event;
      s->run_n[s->nruns++] = r->events;
    } else {
      s->runs_dropped++;
    }
  }
}

/* Every record of the stream s[0..slen) into st; -1 when malformed. */
static int stat_records(const unsigned char *s, size_t slen, stat_ctx *st) {
  size_t nrec = 0;
  if (synk_stream_records(s, slen, NULL, 0, &nrec) != SYNK_OK) return -1;
  synk_stream_record *recs = (synk_stream_record *)malloc((nrec + 1) * sizeof *recs);
  int rc = !recs || synk_stream_records(s, slen, recs, nrec, &nrec) != SYNK_OK ? -1 : 0;
  for (size_t i = 0; !rc && i < nrec; i++) on_record(st, &recs[i]);
  free(recs);
  return rc;
}

static size_t svb_bytes(uint32_t v) { return v < (1u << 8) ? 1 : v < (1u << 16) ? 2 : v < (1u << 24) ? 3 : 4; }

int synk_cli_stat(int argc, char **argv) {
  const char *path = NULL;
  synk_opt_parser p;
  synk_opt_init(&p, "synk stat", synk_cli_stat_usage, NULL, 0, argc, argv);
  for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
    if (k != SYNK_OPT_OPERAND) return synk_opt_stop(&p, k);
    if (synk_opt_take_operand(&p, &path)) return 2;
  }
  if (!path) return synk_opt_fail(&p, 1, "missing FILE");
  unsigned char *buf = NULL;
  size_t len = 0;
  synk_config cfg;
  if (load_trace(path, &buf, &len, &cfg, 0)) {
    free(buf);
    return 1;
  }
  const unsigned char *s = buf + TRACE_HDR;
  size_t slen = len - TRACE_HDR, n = 0;
  stat_ctx *st = (stat_ctx *)calloc(1, sizeof *st);
  synk_event *ev = NULL;
  int rc = 1;
  if (!st || stat_records(s, slen, st) ||
      synk_stream_decode(s, slen, NULL, 0, &n, NULL) != SYNK_OK) {
    fprintf(stderr, "synk stat: malformed stream\n");
    goto done;
  }
  ev = (synk_event *)malloc((n + 1) * sizeof *ev);
  if (!ev || synk_stream_decode(s, slen, ev, n, &n, NULL) != SYNK_OK) goto done;
  static const char *names[8] = {"?", "spawn", "despawn", "motion (alone)", "prop", "tick", "motion (in runs)", "check"};
  printf("%s: %zu bytes, %zu events (max_entities %u, %u props)\n", path, slen, n, cfg.max_entities, cfg.num_props);
  printf("  %-18s %10s %10s %12s %10s\n", "kind", "records", "events", "bytes", "B/event");
  for (int t = 1; t <= 7; t++) {
    if (!st->recs[t]) continue;
    if (t == SYNK_REC_CHECK) /* no events: bytes per record */
      printf("  %-18s %10zu %10s %12zu %10s\n", names[t], st->recs[t], "-", st->bytes[t], "-");
    else
      printf("  %-18s %10zu %10zu %12zu %10.3f\n", names[t], st->recs[t], st->events[t], st->bytes[t],
             (double)st->bytes[t] / (double)st->events[t]);
  }
  size_t mot = st->events[SYNK_REC_MOTION] + st->events[SYNK_REC_RUN];
  if (mot)
    printf("  bytes per motion, all motions: %.3f\n",
           (double)(st->bytes[SYNK_REC_MOTION] + st->bytes[SYNK_REC_RUN]) / (double)mot);
  if (st->nruns) {
    /* the same runs as Stream VByte columns (2-bit control per value, 1-4
     * data bytes): the alternative layout, measured on the same values */
    size_t svb = 0, vals = 0;
    for (size_t i = 0; i < st->nruns; i++) {
      const synk_event *e = ev + st->run_first[i];
      for (size_t j = 0; j < st->run_n[i]; j++) {
        uint32_t gap = j ? e[j].id - e[j - 1].id - 1 : 0;
        svb += svb_bytes(gap) + svb_bytes(synk_zigzag_enc32((uint32_t)e[j].a)) +
               svb_bytes(synk_zigzag_enc32((uint32_t)e[j].b)) + svb_bytes(synk_zigzag_enc32((uint32_t)e[j].c));
        vals += 4;
      }
    }
    svb += (vals + 3) / 4;
    size_t inruns = st->events[SYNK_REC_RUN];
    printf("  motion runs: %zu runs, %.1f motions/run, %.3f B/motion packed (Stream VByte would be %.3f)\n",
           st->nruns, (double)inruns / (double)st->nruns, (double)st->bytes[SYNK_REC_RUN] / (double)inruns,
           (double)svb / (double)inruns);
  }
  rc = 0;
done:
  free(ev);
  free(st);
  free(buf);
  return rc;
}
