/* SPDX-License-Identifier: MIT */
// synk.h compiled as C++11 (-Wall -Wextra -Wpedantic -Werror): it must parse,
// give C linkage (this links against the C library), and behave as in C.
#include "synk.h"
#include "synk.h"  // include guard

#include <cstdio>
#include <cstring>
#include <type_traits>

static int failures = 0;
static int checks = 0;
#define EXPECT(cond)                                                       \
  do {                                                                     \
    checks++;                                                              \
    if (!(cond)) {                                                         \
      failures++;                                                          \
      std::fprintf(stderr, "%s:%d: EXPECT failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

// The public types are plain C aggregates usable from C++.
static_assert(std::is_standard_layout<synk_entity>::value, "synk_entity is standard layout");
static_assert(std::is_trivially_copyable<synk_motion>::value, "synk_motion is trivially copyable");
static_assert(std::is_trivially_copyable<synk_view>::value, "synk_view is trivially copyable");
static_assert(sizeof(synk_motion) == 16, "synk_motion is {u32, i32, i32, i32}");
static_assert(SYNK_MAX_PROPS == 16 && SYNK_CHUNK_IDS == 256, "documented constants");

namespace {

// RAII over the C handle, the way a C++ engine would wrap it.
struct World {
  synk_world *w = nullptr;
  explicit World(const synk_config &cfg) { status = synk_world_create(&cfg, &w); }
  ~World() { synk_world_destroy(w); }
  World(const World &) = delete;
  World &operator=(const World &) = delete;
  synk_status status;
};

const char *name_of(synk_status s) {
  switch (s) {  // every enumerator is a valid C++ case label
    case SYNK_OK: return "ok";
    case SYNK_E_ARG: return "arg";
    case SYNK_E_RANGE: return "range";
    case SYNK_E_EXISTS: return "exists";
    case SYNK_E_DEAD: return "dead";
    case SYNK_E_NOMEM: return "nomem";
    case SYNK_E_ISA: return "isa";
    default: return "other";  // later versions append codes
  }
}

}  // namespace

int main() {
  synk_config cfg = {1024, 2, 0x5EEDu, nullptr, NULL};
  World a(cfg), b(cfg);
  EXPECT(a.status == SYNK_OK && a.w != nullptr);
  EXPECT(b.status == SYNK_OK && b.w != nullptr);
  if (!a.w || !b.w) return 1;

  EXPECT(synk_spawn(a.w, 7, 2, 100, -50, 0) == SYNK_OK);
  EXPECT(synk_spawn(b.w, 7, 2, 100, -50, 0) == SYNK_OK);
  EXPECT(synk_spawn(a.w, 7, 2, 0, 0, 0) == SYNK_E_EXISTS);
  EXPECT(std::strcmp(name_of(synk_spawn(a.w, 5000, 1, 0, 0, 0)), "range") == 0);
  EXPECT(synk_set_prop(a.w, 7, 1, 42) == SYNK_OK);
  EXPECT(synk_set_prop(b.w, 7, 1, 42) == SYNK_OK);

  const synk_motion batch[] = {{7, 1, 2, 3}, {7, -1, 0, 0}, {7, 0, 0, 2147483647}};
  size_t bad = 0;
  EXPECT(synk_apply_motions(a.w, batch, sizeof batch / sizeof batch[0], &bad) == SYNK_OK);
  for (const synk_motion &m : batch) EXPECT(synk_move(b.w, m.id, m.dx, m.dy, m.dz) == SYNK_OK);
  synk_tick(a.w);
  synk_tick(b.w);

  EXPECT(synk_hash(a.w) == synk_hash(b.w));
  EXPECT(synk_hash(a.w) == synk_rehash(a.w));
  EXPECT(synk_count(a.w) == 1 && synk_frame(a.w) == 1);

  synk_entity e;
  EXPECT(synk_get(a.w, 7, &e) == SYNK_OK);
  EXPECT(e.id == 7 && e.kind == 2 && e.x == 100 && e.y == -48 && e.z == -2147483646 /* 3 + INT32_MAX wraps */ && e.props[1] == 42);
  uint64_t h = 0;
  EXPECT(synk_entity_hash(a.w, 7, &h) == SYNK_OK && h != 0);
  uint64_t chunks[4] = {0, 0, 0, 0};
  EXPECT(synk_chunk_hashes(a.w, chunks, 4) == 4);
  EXPECT(chunks[0] == h && chunks[1] == 0);

  synk_view v = synk_get_view(a.w);
  EXPECT(v.capacity == 1024 && v.num_props == 2 && v.props[2] == nullptr);
  EXPECT(v.x[7] == 100 && ((v.alive[0] >> 7) & 1u) == 1u);

  EXPECT(std::strcmp(synk_status_str(SYNK_E_DEAD), "SYNK_E_DEAD") == 0);
  EXPECT(synk_isa() != nullptr);
  const char *names[8] = {};
  EXPECT(synk_isa_list(names, 8) >= 1);
  EXPECT(synk_use_isa("scalar") == SYNK_OK && std::strcmp(synk_isa(), "scalar") == 0);
  EXPECT(synk_rehash(a.w) == synk_hash(a.w));
  EXPECT(synk_use_isa(nullptr) == SYNK_E_ARG);
  EXPECT(synk_use_isa("auto") == SYNK_OK);
  EXPECT(synk_isa_emulated("scalar") == 0);
  char version[32];
  std::snprintf(version, sizeof version, "%d.%d.%d", SYNK_VERSION_MAJOR, SYNK_VERSION_MINOR, SYNK_VERSION_PATCH);
  EXPECT(std::strcmp(synk_version(), version) == 0);

  std::printf("test_cxx: %d checks, %d passed, %d failed\n", checks, checks - failures, failures);
  return failures ? 1 : 0;
}
