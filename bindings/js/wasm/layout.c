/* SPDX-License-Identifier: MIT */
/*
 * The struct layouts bindings/js/synk.js reads and writes in wasm memory,
 * pinned: if synk.h changes one, this file stops compiling and synk.js must
 * follow. (wasm32: pointers and size_t are 4 bytes, uint64_t is 8-aligned.)
 */
#include <stddef.h>

#include "synk.h"

#define AT(type, field, off) _Static_assert(offsetof(type, field) == (off), #type "." #field)
#define SIZE(type, n) _Static_assert(sizeof(type) == (n), "sizeof " #type)

SIZE(void *, 4);
SIZE(size_t, 4);
AT(synk_config, max_entities, 0);
AT(synk_config, num_props, 4);
AT(synk_config, seed, 8);
AT(synk_config, allocator, 16);
_Static_assert(sizeof(synk_config) <= 32, "synk.js zeroes 32 bytes of config");
AT(synk_entity, id, 0);
AT(synk_entity, x, 8);
AT(synk_entity, props, 20);
SIZE(synk_entity, 84);
SIZE(synk_motion, 16);
AT(synk_event, type, 0);
AT(synk_event, c, 20);
SIZE(synk_event, 24);
AT(synk_view, x, 0);
AT(synk_view, kind, 12);
AT(synk_view, props, 16);
AT(synk_view, alive, 80);
AT(synk_view, capacity, 84);
AT(synk_view, num_props, 88);
SIZE(synk_view, 92);
AT(synk_stream_info, events, 0);
AT(synk_stream_info, bytes, 4);
AT(synk_stream_info, bad_event, 8);
AT(synk_stream_info, bad_offset, 12);
AT(synk_stream_info, end, 16);
SIZE(synk_stream_info, 20);
AT(synk_stream_writer, bytes, 0);
AT(synk_stream_writer, state, 12);
SIZE(synk_stream_writer, 16);
AT(synk_snapshot_header, max_entities, 0);
AT(synk_snapshot_header, seed, 8);
AT(synk_snapshot_header, frame, 16);
AT(synk_snapshot_header, count, 24);
AT(synk_snapshot_header, hash, 32);
AT(synk_snapshot_header, size, 40);
SIZE(synk_snapshot_header, 48);
