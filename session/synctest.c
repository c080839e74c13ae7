/* SPDX-License-Identifier: MIT */
/*
 * Sync-test mode (synk_session.h, "Sync-test mode"): after every frame F
 * the session rolls back to F + 1 - frames and re-simulates up to F; each
 * re-simulated frame's state is compared with its first run's.
 *
 * A mode of the session, not an object of its own (GGRS has a separate
 * SyncTestSession): the test runs the application's own frame loop -- the
 * same create, add_local_input, advance, next_request, set_checksum and
 * next_event calls as a networked session -- so the code under test is the
 * code that ships, and the planning, the requests, the ring and the events
 * are the session's. What is its own is here: the first runs' states, the
 * re-simulation step and the comparison.
 */
#include <string.h>

#include "common/bits.h"
#include "session_internal.h"

synk_status synctest_init(synctest *t, uint32_t frames, const state_probe *probe, const synk_allocator *al) {
  t->frames = frames;
  if (!frames) return SYNK_OK;
  t->first_runs = (frame_state *)session_zalloc(al, sizeof(frame_state) * (frames + 1));
  if (!t->first_runs) return SYNK_E_NOMEM;
  for (uint32_t k = 0; k <= frames; k++) {
    t->first_runs[k].frame = NO_FRAME;
    if (frame_state_alloc(&t->first_runs[k], probe, al) != SYNK_OK) return SYNK_E_NOMEM;
  }
  return SYNK_OK;
}

void synctest_free(synctest *t, const synk_allocator *al) {
  for (uint32_t k = 0; t->first_runs && k <= t->frames; k++) frame_state_free(&t->first_runs[k], al);
  session_free(al, t->first_runs);
}

/* the first run of `frame`: its state, the chunks unchanged since the frame
   before taking their fingerprints from it */
static void record_first_run(synctest *t, state_probe *probe, uint64_t frame) {
  frame_state *fs = &t->first_runs[frame % (t->frames + 1)];
  const frame_state *prev = frame ? &t->first_runs[(frame - 1) % (t->frames + 1)] : NULL;
  if (prev && prev->frame != frame - 1) prev = NULL;
  frame_state_record(probe, fs, frame, prev);
}

/* the entities of the world that differ from the first run: in the chunks
   whose sums differ, the fingerprints that do */
static void list_differences(const state_probe *probe, const frame_state *first, synk_session_event *ev) {
  synk_chunk_hashes(probe->world, probe->chunk_sums, probe->num_chunks);
  synk_view v = synk_get_view(probe->world);
  for (size_t ch = 0; ch < probe->num_chunks; ch++) {
    if (probe->chunk_sums[ch] == first->chunk_sums[ch]) continue;
    uint32_t start = (uint32_t)ch * SYNK_CHUNK_IDS;
    for (uint32_t id = start; id < start + SYNK_CHUNK_IDS && id < probe->max_entities; id++) {
      uint32_t now = synk_bit_get(v.alive, id) ? entity_fingerprint(&v, id) : 0;
      if (now == first->fingerprints[id]) continue;
      if (ev->num_ids < SYNK_SESSION_MAX_IDS) ev->ids[ev->num_ids++] = id;
      else ev->more_ids = 1;
    }
  }
}

/* the re-run of `frame`: its state against the first run's */
static void compare_rerun(synctest *t, state_probe *probe, event_queue *events, uint32_t local_peer, uint64_t frame) {
  const frame_state *first = &t->first_runs[frame % (t->frames + 1)];
  if (first->frame != frame) return;
  t->checks++;
  uint64_t h = state_hash(probe);
  if (h == first->hash) return;
  t->mismatches++;
  if (t->reported) return;
  t->reported = 1;
  synk_session_event ev;
  desync_event(&ev, SYNK_SEV_DESYNC, local_peer, frame, h, first->hash);
  events_push(events, &ev);
  if (!probe->world) return; /* the application's checksum only: no entities to name */
  ev.type = SYNK_SEV_DESYNC_LOCALIZED;
  list_differences(probe, first, &ev);
  events_push(events, &ev);
}

void synctest_after_frame(synctest *t, state_probe *probe, event_queue *events, uint32_t local_peer, uint64_t frame,
                          int step_done) {
  if (!t->rerunning) {
    record_first_run(t, probe, frame);
    return;
  }
  compare_rerun(t, probe, events, local_peer, frame);
  if (step_done) t->rerunning = 0;
}

int synctest_plan_rerun(synctest *t, step_plan *step) {
  t->rerun_due = 0;
  t->rerunning = 1;
  step->open = 1;
  step->load = 1;
  step->next = step->last + 1 - t->frames;
  return 1;
}
