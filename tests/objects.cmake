# SPDX-License-Identifier: MIT
# objects_isa: disassemble the built backend objects and check that each one
# really contains its ISA's vector instructions (zmm in the AVX-512 object,
# Advanced SIMD in the aarch64 NEON object, SIMD128 opcodes in the wasm
# object), and that the scalar files contain none (ISA flags stay per file).
# A backend whose intrinsics silently fell back to scalar code fails here.
#
# Skipped in the SIMDE_NO_NATIVE build, where portable code is the point.
# Needs llvm-objdump (Debian: llvm), which reads x86, AArch64 and wasm objects.
if(SYNK_SIMDE_NO_NATIVE OR NOT SYNK_ARCH MATCHES "^(x86_64|aarch64|wasm32)$")
  return()
endif()
find_program(SYNK_LLVM_OBJDUMP NAMES llvm-objdump-14 llvm-objdump llvm-objdump-15 llvm-objdump-16)
add_test(NAME objects_isa
  COMMAND ${CMAKE_COMMAND}
    -DARCH=${SYNK_ARCH}
    -DOBJDUMP=${SYNK_LLVM_OBJDUMP}
    "-DOBJECTS=$<JOIN:$<TARGET_OBJECTS:synk_objects>,|>"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/objects/check_isa.cmake)
