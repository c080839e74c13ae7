# SPDX-License-Identifier: MIT
# Cross toolchain: wasm32-wasi with SIMD128, run by Node.js's built-in WASI.
# Debian packages: clang, lld, llvm (llvm-ar, llvm-ranlib), wasi-libc,
# libclang-rt-14-dev-wasm32 (compiler-rt builtins for clang 14), nodejs
# (tested with Node 20; Node 18 needs the flag passed below), libsimde-dev.
#   cmake --preset wasm32 && cmake --build --preset wasm32 && ctest --preset wasm32
# No threads; size_t is 32 bits. -msimd128 is a per-file flag of
# arch/wasm/simd128.c (see CMakeLists.txt), so the scalar backend here is
# scalar code; the module as a whole needs an engine with SIMD128.
list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_LIST_DIR}) # Platform/WASI.cmake
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(SYNK_WASI_TRIPLE wasm32-wasi)

# Prefer the versioned Debian names, fall back to unversioned ones.
find_program(_synk_clang NAMES clang-14 clang-15 clang-16 clang REQUIRED)
find_program(_synk_clangxx NAMES clang++-14 clang++-15 clang++-16 clang++)
find_program(_synk_llvm_ar NAMES llvm-ar-14 llvm-ar-15 llvm-ar-16 llvm-ar REQUIRED)
find_program(_synk_llvm_ranlib NAMES llvm-ranlib-14 llvm-ranlib-15 llvm-ranlib-16 llvm-ranlib REQUIRED)
set(CMAKE_C_COMPILER ${_synk_clang})
set(CMAKE_C_COMPILER_TARGET ${SYNK_WASI_TRIPLE})
# C++ needs libc++ for wasm32-wasi (Debian: libc++-14-dev-wasm32,
# libc++abi-14-dev-wasm32); without it, say so explicitly so that
# check_language(CXX) does not report a compiler that cannot link.
file(GLOB _synk_wasi_libcxx /usr/lib/wasm32-wasi/libc++.a /usr/lib/llvm-*/lib/wasm32-wasi/libc++.a)
if(_synk_clangxx AND _synk_wasi_libcxx)
  set(CMAKE_CXX_COMPILER ${_synk_clangxx})
  set(CMAKE_CXX_COMPILER_TARGET ${SYNK_WASI_TRIPLE})
else()
  set(CMAKE_CXX_COMPILER CMAKE_CXX_COMPILER-NOTFOUND)
endif()
# GNU ar cannot index wasm objects; wasm-ld needs the index
set(CMAKE_AR ${_synk_llvm_ar} CACHE FILEPATH "llvm-ar for wasm archives")
set(CMAKE_RANLIB ${_synk_llvm_ranlib} CACHE FILEPATH "llvm-ranlib for wasm archives")

# Debian's clang finds wasi-libc in /usr/include/wasm32-wasi and
# /usr/lib/wasm32-wasi; /usr/include (SIMDe) comes after it.
set(CMAKE_FIND_ROOT_PATH /usr/lib/wasm32-wasi /usr/include/wasm32-wasi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
if(EXISTS /usr/include/simde/simde-common.h)
  set(SIMDE_INCLUDE_DIR /usr/include CACHE PATH "SIMDe headers (target-independent)")
endif()

# The default wasm stack is 64 KiB and an overflow silently corrupts linear
# memory; give it 8 MiB like a Linux thread, and let memory grow to 4 GiB.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-z,stack-size=8388608 -Wl,--max-memory=4294967296")

find_program(SYNK_NODE NAMES node nodejs)
if(NOT SYNK_NODE)
  message(WARNING "node not found (Debian package nodejs): wasm tests cannot run")
  set(SYNK_NODE node)
endif()
# --experimental-wasi-unstable-preview1: Node 18 (Debian 12's nodejs) needs
# it for node:wasi; Node 20 accepts and ignores it.
set(CMAKE_CROSSCOMPILING_EMULATOR ${SYNK_NODE} --experimental-wasi-unstable-preview1 --no-warnings
    ${CMAKE_CURRENT_LIST_DIR}/wasi-run.mjs)
# for scripts that run this build's programs by hand (tests/cross/*.sh)
set(SYNK_TARGET_EMULATOR "${CMAKE_CROSSCOMPILING_EMULATOR}" CACHE INTERNAL "runs this build's programs")
