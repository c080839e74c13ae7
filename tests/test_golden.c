/* SPDX-License-Identifier: MIT */
/*
 * Golden vectors: every scenario of support/scenarios.c, run on every backend
 * that can run here (native and SIMDe-emulated), must end with exactly the
 * hash pinned in support/golden.h, and pass its own checks (statuses,
 * state, synk_hash == synk_rehash).
 *
 *   test_golden [--isa=NAME]...   only the named backends
 */
#include "golden.h"
#include "scenarios.h"
#include "synk.h"
#include "test_util.h"

#define MAX_ISAS 16

static const synk_golden *golden_find(const char *name) {
  for (size_t i = 0; i < SYNK_GOLDEN_COUNT; i++)
    if (strcmp(synk_golden_vectors[i].name, name) == 0) return &synk_golden_vectors[i];
  return NULL;
}

static void how_to_regenerate(void) {
  fprintf(stderr,
          "\n"
          "test_golden: the final hashes above differ from support/golden.h.\n"
          "  * Only some backends differ from the golden value: those backends disagree with\n"
          "    the scalar reference -- a bug there. Do NOT regenerate; replay the kernels with\n"
          "    tests/checkasm (checkasm --isa=NAME) to find the input that differs.\n"
          "  * Every backend, scalar included, gives the same new value: the hash definition\n"
          "    or a scenario changed. If that was deliberate (a format change), regenerate:\n"
          "      cmake --build build/dev --target regen-golden\n"
          "    or\n"
          "      cmake --build build/dev --target gen_golden &&\n"
          "      ./build/dev/tools/gen_golden > support/golden.h\n"
          "    then review the diff and document the format change in docs/hash.md\n"
          "    (support/golden.md).\n");
}

int main(int argc, char **argv) {
  const char *isas[MAX_ISAS];
  size_t ni = 0;
  for (int a = 1; a < argc; a++) {
    if (strncmp(argv[a], "--isa=", 6) == 0 && ni < MAX_ISAS) {
      isas[ni++] = argv[a] + 6;
    } else {
      fprintf(stderr, "usage: test_golden [--isa=NAME]...\n");
      return 2;
    }
  }
  if (ni == 0) {
    ni = synk_isa_list(isas, MAX_ISAS);
    if (ni > MAX_ISAS) ni = MAX_ISAS;
  }

  /* the table and the scenarios must describe the same set */
  size_t ns = synk_scenario_count();
  int table_ok = 1;
  for (size_t i = 0; i < ns; i++)
    if (!golden_find(synk_scenario_name(i))) {
      fprintf(stderr, "test_golden: scenario %s has no golden value\n", synk_scenario_name(i));
      table_ok = 0;
    }
  for (size_t k = 0; k < SYNK_GOLDEN_COUNT; k++)
    if (synk_scenario_find(synk_golden_vectors[k].name) == (size_t)-1) {
      fprintf(stderr, "test_golden: golden value %s names no scenario\n", synk_golden_vectors[k].name);
      table_ok = 0;
    }
  CHECK(table_ok);
  CHECK(ns > 0);

  int mismatch = !table_ok;
  for (size_t j = 0; j < ni; j++) {
    synk_status st = synk_use_isa(isas[j]);
    CHECK_ST(st, SYNK_OK);
    if (st != SYNK_OK) {
      fprintf(stderr, "test_golden: backend %s cannot run here\n", isas[j]);
      continue;
    }
    CHECK(strcmp(synk_isa(), isas[j]) == 0);
    int bad_here = 0;
    for (size_t i = 0; i < ns; i++) {
      const char *name = synk_scenario_name(i);
      uint64_t h = 0;
      int rc = synk_scenario_run(i, &h);
      CHECK(rc == 0);
      if (rc != 0) {
        fprintf(stderr, "test_golden: scenario %s on %s failed its own checks: %s\n", name, isas[j],
                synk_scenario_error());
        bad_here = 1;
      }
      const synk_golden *g = golden_find(name);
      if (!g) continue;
      CHECK_EQ_U64(h, g->hash);
      if (h != g->hash) {
        fprintf(stderr,
                "test_golden: MISMATCH scenario %s isa %s%s: expected %016" PRIx64 ", got %016" PRIx64 "\n",
                name, isas[j], synk_isa_emulated(isas[j]) == 1 ? " (emulated)" : "", g->hash, h);
        bad_here = mismatch = 1;
      }
    }
    printf("test_golden: %-8s %zu scenarios %s\n", isas[j], ns, bad_here ? "FAILED" : "ok");
  }
  (void)synk_use_isa("auto");
  if (mismatch) how_to_regenerate();
  return t_done("test_golden");
}
