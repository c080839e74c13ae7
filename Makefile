# synk — the two commands: `make test` and `make bench`.
# Both install the Debian packages they need when missing (as root), build
# with CMake presets (CMakePresets.json) and run. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

PKGS_BUILD := cmake make gcc g++ clang lld libsimde-dev
PKGS_TEST  := $(PKGS_BUILD) binutils valgrind
PKGS_BENCH := $(PKGS_BUILD) libbenchmark-dev hyperfine libxxhash-dev libhwy-dev valgrind gnuplot-nox

# build/run/test one preset
define preset
	cmake --preset $(1) >/dev/null
	cmake --build --preset $(1) -j $(JOBS)
	ctest --preset $(1) -j $(JOBS)
endef

.PHONY: all test test-release test-asan test-clang bench deps-test deps-bench clean
all: test

deps-test:
	@scripts/ensure-packages.sh $(PKGS_TEST)
deps-bench:
	@scripts/ensure-packages.sh $(PKGS_BENCH)

test-release: deps-test
	$(call preset,release)
test-asan: deps-test
	$(call preset,asan)
test-clang: deps-test
	$(call preset,clang)

# Every test: gcc release, ASan+UBSan, clang (all with -Werror).
test: test-clang test-asan test-release
	@echo "make test: all presets passed"

clean:
	rm -rf build
