# SPDX-License-Identifier: MIT
# Cross toolchain: AArch64 Linux (NEON native), run under qemu-user.
# Debian packages: gcc-aarch64-linux-gnu (+ g++-aarch64-linux-gnu for C++
# parts, optional), qemu-user, libsimde-dev.
#   cmake --preset aarch64 && cmake --build --preset aarch64 && ctest --preset aarch64
set(SYNK_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SYNK_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
