# SPDX-License-Identifier: MIT
# Minimal platform description for CMAKE_SYSTEM_NAME WASI (CMake 3.25 has
# none): static executables named .wasm, no shared libraries.
set(WASI 1)
set(UNIX 1) # POSIX-like libc (wasi-libc), so the usual flags and names apply
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
