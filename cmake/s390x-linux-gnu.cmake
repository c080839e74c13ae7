# SPDX-License-Identifier: MIT
# Cross toolchain: IBM Z (s390x) Linux, big-endian, run under qemu-user.
# No SIMD backend here: the scalar reference on a big-endian machine is the
# point (the hash must not depend on byte order).
# Debian packages: gcc-s390x-linux-gnu, qemu-user, libsimde-dev.
#   cmake --preset s390x && cmake --build --preset s390x && ctest --preset s390x
set(SYNK_CROSS_TRIPLE s390x-linux-gnu)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(SYNK_CROSS_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
