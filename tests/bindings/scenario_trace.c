/* SPDX-License-Identifier: MIT */
/*
 * scenario_trace: records every golden scenario (support/scenarios.c) as a
 * trace of the synk calls it makes, for the bindings' tests to replay through
 * Python and JavaScript/WASM: every call with its arguments and the status C
 * returned, every rehash with the hash C computed, every synk_get with the
 * entity, and the final hash. A binding that replays a trace makes the same
 * calls through its own API and must see the same statuses, entities and
 * hashes, ending on the golden hash (support/golden.h).
 *
 *   scenario_trace OUTDIR      writes OUTDIR/<scenario>.trace for every scenario
 *
 * The scenarios are compiled in with their synk calls redirected to the
 * recording wrappers below (the #defines before the #include).
 *
 * Format: little-endian uint32 words. Each record is an opcode word followed
 * by its words; w is a world slot (0..3, in creation order, reused after a
 * destroy); statuses are synk_status values; 64-bit values are two words, low
 * first. The last record is END.
 *   1 CREATE  w cap num_props seed_lo seed_hi status
 *   2 DESTROY w
 *   3 SPAWN   w id kind x y z status
 *   4 DESPAWN w id status
 *   5 MOVE    w id dx dy dz status
 *   6 PROP    w id slot value status
 *   7 TICK    w
 *   8 MOTIONS w n status bad_index, then n motions of 4 words (id dx dy dz)
 *   9 REHASH  w hash_lo hash_hi
 *  10 GET     w id status, then 21 words of synk_entity (id kind x y z props[16])
 *  11 END     hash_lo hash_hi
 * A call the bindings cannot express (synk_apply_motions with NULL and n > 0)
 * is not recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synk.h"

enum { T_CREATE = 1, T_DESTROY, T_SPAWN, T_DESPAWN, T_MOVE, T_PROP, T_TICK, T_MOTIONS, T_REHASH, T_GET, T_END };

static FILE *trace_out;
static int trace_err;
static const synk_world *slots[4];

static void put(uint32_t v) {
  unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
  if (trace_out && fwrite(b, 1, 4, trace_out) != 4) trace_err = 1;
}
static void put_i(int32_t v) {
  uint32_t u;
  memcpy(&u, &v, sizeof u);
  put(u);
}
static void put64(uint64_t v) {
  put((uint32_t)v);
  put((uint32_t)(v >> 32));
}
static uint32_t slot_of(const synk_world *w) {
  for (uint32_t i = 0; i < 4; i++)
    if (slots[i] == w) return i;
  fprintf(stderr, "scenario_trace: a world that was not created by the scenario\n");
  exit(1);
}

static synk_status rec_world_create(const synk_config *cfg, synk_world **out) {
  synk_status st = synk_world_create(cfg, out);
  if (st != SYNK_OK) { /* the bindings' create raises; nothing to replay against */
    fprintf(stderr, "scenario_trace: synk_world_create failed: %s\n", synk_status_str(st));
    exit(1);
  }
  uint32_t s = slot_of(NULL);
  slots[s] = *out;
  put(T_CREATE), put(s), put(cfg->max_entities), put(cfg->num_props), put64(cfg->seed), put((uint32_t)st);
  return st;
}
static void rec_world_destroy(synk_world *w) {
  if (w) {
    uint32_t s = slot_of(w);
    put(T_DESTROY), put(s);
    slots[s] = NULL;
  }
  synk_world_destroy(w);
}
static synk_status rec_spawn(synk_world *w, uint32_t id, uint32_t kind, int32_t x, int32_t y, int32_t z) {
  synk_status st = synk_spawn(w, id, kind, x, y, z);
  put(T_SPAWN), put(slot_of(w)), put(id), put(kind), put_i(x), put_i(y), put_i(z), put((uint32_t)st);
  return st;
}
static synk_status rec_despawn(synk_world *w, uint32_t id) {
  synk_status st = synk_despawn(w, id);
  put(T_DESPAWN), put(slot_of(w)), put(id), put((uint32_t)st);
  return st;
}
static synk_status rec_move(synk_world *w, uint32_t id, int32_t dx, int32_t dy, int32_t dz) {
  synk_status st = synk_move(w, id, dx, dy, dz);
  put(T_MOVE), put(slot_of(w)), put(id), put_i(dx), put_i(dy), put_i(dz), put((uint32_t)st);
  return st;
}
static synk_status rec_set_prop(synk_world *w, uint32_t id, uint32_t slot, int32_t value) {
  synk_status st = synk_set_prop(w, id, slot, value);
  put(T_PROP), put(slot_of(w)), put(id), put(slot), put_i(value), put((uint32_t)st);
  return st;
}
static void rec_tick(synk_world *w) {
  synk_tick(w);
  put(T_TICK), put(slot_of(w));
}
static synk_status rec_apply_motions(synk_world *w, const synk_motion *m, size_t n, size_t *bad_index) {
  size_t bad = 0;
  synk_status st = synk_apply_motions(w, m, n, &bad);
  if (bad_index) *bad_index = bad;
  if (!m && n > 0) return st;
  put(T_MOTIONS), put(slot_of(w)), put((uint32_t)n), put((uint32_t)st), put(st == SYNK_OK ? 0 : (uint32_t)bad);
  for (size_t i = 0; i < n; i++) put(m[i].id), put_i(m[i].dx), put_i(m[i].dy), put_i(m[i].dz);
  return st;
}
static uint64_t rec_rehash(const synk_world *w) {
  uint64_t h = synk_rehash(w);
  put(T_REHASH), put(slot_of(w)), put64(h);
  return h;
}
static synk_status rec_get(const synk_world *w, uint32_t id, synk_entity *out) {
  synk_status st = synk_get(w, id, out);
  put(T_GET), put(slot_of(w)), put(id), put((uint32_t)st);
  synk_entity e;
  memset(&e, 0, sizeof e);
  if (st == SYNK_OK) e = *out;
  put(e.id), put(e.kind), put_i(e.x), put_i(e.y), put_i(e.z);
  for (int i = 0; i < SYNK_MAX_PROPS; i++) put_i(e.props[i]);
  return st;
}

#define synk_world_create rec_world_create
#define synk_world_destroy rec_world_destroy
#define synk_spawn rec_spawn
#define synk_despawn rec_despawn
#define synk_move rec_move
#define synk_set_prop rec_set_prop
#define synk_tick rec_tick
#define synk_apply_motions rec_apply_motions
#define synk_rehash rec_rehash
#define synk_get rec_get
#include "scenarios.c"
#undef synk_world_destroy

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: scenario_trace OUTDIR\n");
    return 2;
  }
  for (size_t i = 0; i < synk_scenario_count(); i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.trace", argv[1], synk_scenario_name(i));
    trace_out = fopen(path, "wb");
    if (!trace_out) {
      perror(path);
      return 1;
    }
    memset(slots, 0, sizeof slots);
    uint64_t h = 0;
    int rc = synk_scenario_run(i, &h); /* a world left open is destroyed by it, recorded */
    put(T_END), put64(h);
    if (fclose(trace_out) != 0) trace_err = 1;
    if (rc != 0 || trace_err) {
      fprintf(stderr, "scenario_trace: %s: %s\n", synk_scenario_name(i),
              trace_err ? "write error" : synk_scenario_error());
      return 1;
    }
  }
  return 0;
}
