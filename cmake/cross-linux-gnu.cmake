# SPDX-License-Identifier: MIT
# Shared part of the Debian cross toolchains (included by <triple>.cmake after
# it sets SYNK_CROSS_TRIPLE, CMAKE_SYSTEM_PROCESSOR and SYNK_CROSS_QEMU).
# Compilers come from Debian's gcc-<triple> packages, the target libc from
# /usr/<triple>, and ctest runs every test binary through qemu-user with that
# libc (CMAKE_CROSSCOMPILING_EMULATOR), so cross tests look like native ones.
set(CMAKE_C_COMPILER ${SYNK_CROSS_TRIPLE}-gcc)
find_program(_synk_cross_cxx ${SYNK_CROSS_TRIPLE}-g++)
if(_synk_cross_cxx)
  set(CMAKE_CXX_COMPILER ${_synk_cross_cxx})
else()
  # No cross C++ compiler (Debian: g++-<triple>): say so explicitly, or a
  # check_language(CXX) would find the host's c++ and link x86 objects
  # against target libraries. C++-only tests then skip themselves.
  set(CMAKE_CXX_COMPILER CMAKE_CXX_COMPILER-NOTFOUND)
endif()

set(CMAKE_FIND_ROOT_PATH /usr/${SYNK_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# SIMDe is header-only and target-independent; Debian installs it in
# /usr/include, which Debian's cross compilers search after their own sysroot
# (and CMake then adds no flag for it).
if(EXISTS /usr/include/simde/simde-common.h)
  set(SIMDE_INCLUDE_DIR /usr/include CACHE PATH "SIMDe headers (target-independent)")
endif()

find_program(SYNK_QEMU ${SYNK_CROSS_QEMU})
if(NOT SYNK_QEMU)
  message(WARNING "${SYNK_CROSS_QEMU} not found (Debian package qemu-user): tests cannot run")
  set(SYNK_QEMU ${SYNK_CROSS_QEMU})
endif()
# -L: where the dynamic loader and libc of the target live
set(CMAKE_CROSSCOMPILING_EMULATOR ${SYNK_QEMU} -L /usr/${SYNK_CROSS_TRIPLE})
# for scripts that run this build's programs by hand (tests/cross/*.sh)
set(SYNK_TARGET_EMULATOR "${CMAKE_CROSSCOMPILING_EMULATOR}" CACHE INTERNAL "runs this build's programs")
