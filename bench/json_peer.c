/* SPDX-License-Identifier: MIT */
/*
 * The JSON-delta peer (bench/json_peer.h), on libjansson: a jansson object
 * tree per message, dumped compact, exactly as a service would build and
 * send it.
 */
#include "json_peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(SYNK_BENCH_HAVE_JANSSON)
#include <jansson.h>

int json_peer_available(void) { return 1; }

static int set_int(json_t *obj, const char *key, int32_t v) {
  return json_object_set_new_nocheck(obj, key, json_integer((json_int_t)v));
}

long json_peer_encode(uint64_t version, const json_peer_change *ch, size_t n, uint32_t num_props, char **out) {
  static const char *const prop_keys[SYNK_MAX_PROPS] = {"p0", "p1", "p2",  "p3",  "p4",  "p5",  "p6",  "p7",
                                                        "p8", "p9", "p10", "p11", "p12", "p13", "p14", "p15"};
  if (out) *out = NULL;
  if (num_props > SYNK_MAX_PROPS || (n && !ch)) return -1;
  json_t *root = json_object(), *changes = json_object();
  int bad = !root || !changes;
  if (!bad) {
    bad |= json_object_set_new_nocheck(root, "type", json_string("DELTA"));
    bad |= json_object_set_new_nocheck(root, "version", json_integer((json_int_t)version));
  }
  for (size_t i = 0; i < n && !bad; i++) {
    const json_peer_change *c = &ch[i];
    char key[16];
    snprintf(key, sizeof key, "%u", (unsigned)c->e.id);
    json_t *v;
    if (c->what == JSON_PEER_DESPAWN) {
      v = json_null();
    } else {
      v = json_object();
      if (!v) {
        bad = 1;
        break;
      }
      if (c->what == JSON_PEER_SPAWN) {
        bad |= json_object_set_new_nocheck(v, "kind", json_integer((json_int_t)c->e.kind));
        bad |= set_int(v, "x", c->e.x) | set_int(v, "y", c->e.y) | set_int(v, "z", c->e.z);
        for (uint32_t p = 0; p < num_props; p++) bad |= set_int(v, prop_keys[p], c->e.props[p]);
      } else {
        if (c->fields & 1u) bad |= set_int(v, "x", c->e.x);
        if (c->fields & 2u) bad |= set_int(v, "y", c->e.y);
        if (c->fields & 4u) bad |= set_int(v, "z", c->e.z);
      }
    }
    bad |= json_object_set_new(changes, key, v);
  }
  if (!bad) {
    bad = json_object_set_new_nocheck(root, "changes", changes);
    changes = NULL; /* owned by root now (even on failure) */
  }
  long len = -1;
  if (!bad) {
    char *text = json_dumps(root, JSON_COMPACT);
    if (text) {
      len = (long)strlen(text);
      if (out) *out = text;
      else free(text);
    }
  }
  json_decref(changes);
  json_decref(root);
  return len;
}

void json_peer_free(char *text) { free(text); }

int json_peer_count(const char *text, uint64_t *version, size_t *moves, size_t *spawns, size_t *despawns) {
  *moves = *spawns = *despawns = 0;
  json_error_t err;
  json_t *root = json_loads(text, 0, &err);
  if (!root) return -1;
  json_t *type = json_object_get(root, "type"), *ver = json_object_get(root, "version"),
         *changes = json_object_get(root, "changes");
  int bad = !json_is_string(type) || strcmp(json_string_value(type), "DELTA") != 0 || !json_is_integer(ver) ||
            !json_is_object(changes);
  if (!bad) {
    *version = (uint64_t)json_integer_value(ver);
    const char *key;
    json_t *v;
    json_object_foreach(changes, key, v) {
      if (json_is_null(v)) (*despawns)++;
      else if (!json_is_object(v)) bad = 1;
      else if (json_object_get(v, "kind")) (*spawns)++;
      else (*moves)++;
    }
  }
  json_decref(root);
  return bad ? -1 : 0;
}

#else /* no libjansson */

int json_peer_available(void) { return 0; }

long json_peer_encode(uint64_t version, const json_peer_change *ch, size_t n, uint32_t num_props, char **out) {
  (void)version, (void)ch, (void)n, (void)num_props;
  if (out) *out = NULL;
  return -1;
}

void json_peer_free(char *text) { free(text); }

int json_peer_count(const char *text, uint64_t *version, size_t *moves, size_t *spawns, size_t *despawns) {
  (void)text, (void)version;
  *moves = *spawns = *despawns = 0;
  return -1;
}

#endif
