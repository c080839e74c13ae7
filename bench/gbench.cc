/* SPDX-License-Identifier: MIT */
// google-benchmark shim: registers every case of the registry (bench/cases.h)
// once per native ISA (kernel cases) or once (peers), with the same setup /
// run / teardown as the C harness. Setup runs before the timed loop and
// teardown after it, so neither is timed. Times are wall clock (UseRealTime),
// as in the C harness. Counters: items_per_second is operations per second;
// ns_per_op is the per-operation time.
//
// Extra flag (consumed before google-benchmark sees argv):
//   --synk_smoke   one iteration per case, heavy (1e6) cases left out: they
//                  only repeat setup here and run in the C harness's smoke test
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cases.h"
#include "synk.h"

namespace {

void run_case(benchmark::State &state, const synk_bench_case *c, std::string isa) {
  if (!isa.empty() && synk_use_isa(isa.c_str()) != SYNK_OK) {
    state.SkipWithError("backend not runnable");
    return;
  }
  synk_bench_failed = 0;
  void *st = c->setup(c);
  if (!st) {
    state.SkipWithError("setup failed");
    return;
  }
  for (auto _ : state) c->run(st);
  c->teardown(st);
  if (synk_bench_failed) state.SkipWithError("a run returned an unexpected status");
  const double ops = static_cast<double>(state.iterations()) * static_cast<double>(c->ops);
  state.SetItemsProcessed(static_cast<int64_t>(ops));
  // a rate inverted is seconds per item; scaled by 1e-9 it reads in ns per op
  state.counters["ns_per_op"] =
      benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(c->param);
}

}  // namespace

int main(int argc, char **argv) {
  bool smoke = false;
  std::vector<char *> args;
  for (int i = 0; i < argc; i++) {
    if (std::strcmp(argv[i], "--synk_smoke") == 0) smoke = true;
    else args.push_back(argv[i]);
  }
  const char *names[16];
  size_t nisas = synk_bench_native_isas(names, 16);
  if (nisas > 16) nisas = 16;
  const char *default_isa = synk_isa();
  const synk_bench_case *all = nullptr;
  size_t nc = synk_bench_cases(&all);
  for (size_t i = 0; i < nc; i++) {
    const synk_bench_case *c = &all[i];
    if (smoke && (c->flags & SYNK_BENCH_HEAVY)) continue;
    if (!(c->flags & SYNK_BENCH_PER_ISA)) {
      auto *b = benchmark::RegisterBenchmark(c->name, run_case, c, std::string(default_isa));
      b->UseRealTime();  // wall clock, as the C harness
      if (smoke) b->Iterations(1);
      continue;
    }
    for (size_t k = nisas; k-- > 0;) {  // scalar first
      std::string name = std::string(c->name) + "/" + names[k];
      auto *b = benchmark::RegisterBenchmark(name.c_str(), run_case, c, std::string(names[k]));
      b->UseRealTime();
      if (smoke) b->Iterations(1);
    }
  }
  std::string isas;
  for (size_t k = nisas; k-- > 0;) isas += std::string(names[k]) + (k ? "," : "");
  benchmark::AddCustomContext("synk_version", synk_version());
  benchmark::AddCustomContext("synk_isas", isas);
  benchmark::AddCustomContext("synk_default_isa", default_isa);
  int ac = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&ac, args.data());
  if (benchmark::ReportUnrecognizedArguments(ac, args.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  (void)synk_use_isa(default_isa);
  return 0;
}
