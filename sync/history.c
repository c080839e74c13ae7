/* SPDX-License-Identifier: MIT */
/*
 * Catch-up history: "what changed since frame F" for reconnects and late
 * joins. When F is saved in the ring, one delta from the saved frame to the
 * world's current state, whose diff visits only the chunks changed since F
 * (the slot's stale bitmap, exact: a chunk outside it was not written since
 * the save); otherwise a full snapshot.
 */
#include "sync/sync_internal.h"


synk_status synk_ring_since(synk_ring *r, uint64_t frame, void *buf, size_t cap, size_t *len, int *is_snapshot) {
  if (!r || !len || (!buf && cap)) return SYNK_E_ARG;
  const uint64_t *stale = NULL;
  synk_world *w = NULL;
  const synk_world *base = synk_ring_frame(r, frame, &stale, &w);
  if (base) {
    if (is_snapshot) *is_snapshot = 0;
    return synk_delta_encode_chunks(base, w, stale, buf, cap, len);
  }
  if (is_snapshot) *is_snapshot = 1;
  return synk_snapshot_save(w, buf, cap, len);
}
