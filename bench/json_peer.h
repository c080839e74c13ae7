/* SPDX-License-Identifier: MIT */
/*
 * The JSON-delta peer of the net/ benchmarks (bench/cases_net.c): what the
 * server-authoritative services synk replaces send to a client per tick, in
 * the shape the Java service documents,
 *
 *   {"type":"DELTA","version":N,"changes":{"<id>":{"x":..,"y":..,"z":..}, ...}}
 *
 * where a moved entity lists the fields that changed, an entity entering the
 * view lists every field (kind, x, y, z, p0..p{num_props-1}) and one leaving
 * it is null. Encoded with libjansson (Debian's libjansson-dev); built only
 * when the library was found (SYNK_BENCH_HAVE_JANSSON), else every call
 * fails and json_peer_available() says so.
 */
#ifndef SYNK_BENCH_JSON_PEER_H
#define SYNK_BENCH_JSON_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "synk.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { JSON_PEER_MOVE = 1, JSON_PEER_SPAWN = 2, JSON_PEER_DESPAWN = 3 };

/* One change one view sees in one tick. */
typedef struct json_peer_change {
  uint32_t what;   /* JSON_PEER_MOVE / _SPAWN / _DESPAWN */
  uint32_t fields; /* MOVE: bit 0 x, bit 1 y, bit 2 z changed */
  synk_entity e;   /* the entity's state after the tick (MOVE, SPAWN; DESPAWN: id only) */
} json_peer_change;

/* 1 when built with libjansson, 0 otherwise. */
int json_peer_available(void);

/* Encode one DELTA message of ch[0..n) (compact JSON, no whitespace) with
 * entities of num_props properties. Returns its length in bytes (the
 * message's payload: no transport framing), or -1 on failure. The encoded
 * text is freed before returning unless out is not NULL: then *out holds it
 * (NUL-terminated; free it with json_peer_free). */
long json_peer_encode(uint64_t version, const json_peer_change *ch, size_t n, uint32_t num_props, char **out);

/* Free a text json_peer_encode returned. */
void json_peer_free(char *text);

/* Decode a DELTA message and count its changes: *moves, *spawns, *despawns
 * (for the smoke cross-check against synk's events). 0 on success, -1 if the
 * text is not a DELTA message of the documented shape. */
int json_peer_count(const char *text, uint64_t *version, size_t *moves, size_t *spawns, size_t *despawns);

#ifdef __cplusplus
}
#endif

#endif
