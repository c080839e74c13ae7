# SPDX-License-Identifier: MIT
# synk — the two commands: `make test` and `make bench`.
# Both install the Debian packages they need when missing (as root), build
# with CMake presets (CMakePresets.json) and run. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Every package is named: scripts/ensure-packages.sh installs with
# --no-install-recommends, so nothing arrives as a recommendation (the cross
# compilers only recommend their C libraries). `make fresh-check` proves the
# lists on a fresh Debian 12 root.
PKGS_BUILD := cmake make gcc g++ libc6-dev clang lld libsimde-dev git
PKGS_BENCH := $(PKGS_BUILD) libbenchmark-dev hyperfine libxxhash-dev libhwy-dev valgrind gnuplot-nox \
              libmsgpack-dev libprotobuf-c-dev libzstd-dev libjansson-dev \
              python3-dev python3-numpy llvm wasi-libc libclang-rt-14-dev-wasm32 nodejs
# make test runs every benchmark case once (smoke) and the instruction-count gate
PKGS_TEST  := $(PKGS_BUILD) binutils pkgconf python3-dev python3-numpy python3-pytest valgrind libbenchmark-dev libxxhash-dev libhwy-dev \
              libmsgpack-dev libprotobuf-c-dev libzstd-dev libjansson-dev libclang-rt-14-dev
# the browser test: Debian's chromium, driven by playwright-core (npm ci, tests/web);
# ca-certificates for the registry's TLS (named: it arrives only as a recommendation)
PKGS_TEST  += chromium ca-certificates
# npm for the JavaScript package's tests; Debian ships it apart from nodejs
# (NodeSource's nodejs bundles it, and conflicts with Debian's npm)
PKGS_TEST  += $(if $(shell command -v npm),,npm)
# cross-architecture determinism: aarch64 and s390x under qemu, wasm32 under Node.js WASI
PKGS_CROSS := gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-s390x-linux-gnu libc6-dev-s390x-cross \
              qemu-user llvm wasi-libc libclang-rt-14-dev-wasm32 nodejs

# build/run/test one preset
define preset
	cmake --preset $(1) >/dev/null
	cmake --build --preset $(1) -j $(JOBS)
	ctest --preset $(1) -j $(JOBS)
endef

.PHONY: fresh-check all test test-release test-asan test-clang test-tsan test-cross test-fuzz fuzz bench deps-test deps-bench clean
all: test

deps-test:
	@scripts/ensure-packages.sh $(PKGS_TEST) $(PKGS_CROSS)
deps-bench:
	@scripts/ensure-packages.sh $(PKGS_BENCH)

test-release: deps-test
	$(call preset,release)
test-asan: deps-test
	$(call preset,asan)
test-clang: deps-test
	$(call preset,clang)
# ThreadSanitizer over the multi-core execution tests (synk_config.jobs with
# the pthread pool of support/jobs.c): only the test that runs threads is built
test-tsan: deps-test
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS) --target test_jobs
	ctest --preset tsan

# Every target and backend: gcc release on x86-64 with every ISA (native and
# SIMDe-emulated), the SIMDE_NO_NATIVE build, aarch64, s390x and wasm32, then
# the determinism matrix (perf-reports/determinism.md).
test-cross: deps-test
	tests/cross/all.sh

# libFuzzer targets (stream decode+apply, snapshot load, delta apply): replay
# the checked-in corpus, then fuzz each target. `make fuzz` for longer runs.
FUZZ_SECONDS ?= 300
fuzz: deps-test
	tests/fuzz/run.sh $(FUZZ_SECONDS)
test-fuzz: deps-test
	tests/fuzz/run.sh 20

# Every test: clang, ASan+UBSan, TSan (threads), every target (all with -Werror), the fuzzers.
test: test-clang test-asan test-tsan test-cross test-fuzz
	@echo "make test: all presets passed"

# The main job: build the release preset, run the whole benchmark suite and
# write perf-reports/<cpu-slug>/ (<= 10 min on 2 cores). QUICK=1: about a
# minute, written under build/release/perf-reports/ instead.
bench: deps-bench
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)
	bench/run.sh build/release $(if $(filter 1,$(QUICK)),--quick)

# Proves the README's commands on a fresh system: a minimal Debian 12 root
# (debootstrap --variant=minbase), a clean clone of HEAD, `make test` as root
# in a clean environment. Needs root and debootstrap; ~25 min on 2 cores.
# FRESH_TARGET=bench runs `make bench QUICK=1` instead.
fresh-check:
	scripts/fresh-check.sh $(or $(FRESH_TARGET),test)

clean:
	rm -rf build
