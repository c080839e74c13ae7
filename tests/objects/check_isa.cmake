# SPDX-License-Identifier: MIT
# cmake -DARCH=x86_64|aarch64|wasm32 -DOBJDUMP=llvm-objdump -DOBJECTS="a.o|b.o|..." -P check_isa.cmake
#
# For each backend object built natively on ARCH: its disassembly must match
# every `need` pattern (the ISA's core instructions: the 32x32->64 multiply,
# 64-bit lane adds, the wide registers), and must not match `forbid`. The
# portable files (kernel/, sync/, arch/dispatch.c) must contain no vector instructions of the
# backends' ISAs.
cmake_minimum_required(VERSION 3.25)
if(NOT OBJDUMP OR NOT EXISTS "${OBJDUMP}")
  message(FATAL_ERROR "objects_isa: llvm-objdump not found (Debian package: llvm); "
                      "cannot prove the backends use their instructions")
endif()
string(REPLACE "|" ";" objects "${OBJECTS}")

set(failures 0)
set(checked 0)

# AArch64: decode the optional CRC32 extension too (llvm-objdump shows
# instructions outside the base architecture only when told to)
set(mattr "")
if(ARCH STREQUAL "aarch64")
  set(mattr --mattr=+crc)
endif()

function(disasm obj out)
  execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn ${mattr} "${obj}"
                  OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objects_isa: ${OBJDUMP} -d ${obj} failed: ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# check(<file-name regex> NEED <regex>... FORBID <regex>... WHAT <text>)
function(check name_re)
  cmake_parse_arguments(C "" "WHAT" "NEED;FORBID" ${ARGN})
  set(found 0)
  foreach(obj IN LISTS objects)
    if(NOT obj MATCHES "${name_re}")
      continue()
    endif()
    set(found 1)
    disasm("${obj}" text)
    get_filename_component(short "${obj}" NAME)
    foreach(re IN LISTS C_NEED)
      string(REGEX MATCHALL "${re}" hits "${text}")
      list(LENGTH hits n)
      string(REPLACE "\n" "\\n" shown "${re}")
      if(n EQUAL 0)
        message("FAIL ${short}: no instruction matches '${shown}' (${C_WHAT})")
        math(EXPR failures "${failures} + 1")
      else()
        message("ok   ${short}: ${n} x '${shown}'")
      endif()
    endforeach()
    foreach(re IN LISTS C_FORBID)
      string(REGEX MATCH "[^\n]*${re}[^\n]*" hit "${text}")
      string(REPLACE "\n" "\\n" shown "${re}")
      if(hit)
        string(STRIP "${hit}" hit)
        message("FAIL ${short}: '${shown}' must not appear (${C_WHAT}); first: ${hit}")
        math(EXPR failures "${failures} + 1")
      else()
        message("ok   ${short}: no '${shown}'")
      endif()
    endforeach()
    math(EXPR checked "${checked} + 1")
  endforeach()
  if(NOT found)
    message("FAIL no object matches '${name_re}' (${C_WHAT}): not built?")
    math(EXPR failures "${failures} + 1")
  endif()
  set(failures ${failures} PARENT_SCOPE)
  set(checked ${checked} PARENT_SCOPE)
endfunction()

set(portable "/((kernel|sync)/[a-z_]+|arch/dispatch)\\.c\\.o(bj)?$")
if(ARCH STREQUAL "x86_64")
  # AT&T syntax: "vpmuludq %zmm1, %zmm2, %zmm3"
  check("/avx512\\.c\\.o(bj)?$" WHAT "AVX-512 kernels on zmm registers"
    NEED "vpmuludq[^\n]*%zmm" "vpaddq[^\n]*%zmm" "vpmovqd[^\n]*%zmm"
         "vpgatherdd")
  check("/avx2\\.c\\.o(bj)?$" WHAT "AVX2 kernels on ymm registers, nothing of AVX-512"
    NEED "vpmuludq[^\n]*%ymm" "vpaddq[^\n]*%ymm" "vpgatherdd"
    FORBID "%zmm" "%k[0-7]")
  # the codec's AVX2 file: column unpacking on ymm, the stream checks with
  # the SSE4.2 crc32 instruction (8 bytes per instruction)
  check("/codec_avx2\\.c\\.o(bj)?$" WHAT "AVX2 codec kernels: ymm unpacking, crc32 checks"
    NEED "vpsrld[^\n]*%ymm" "vpor[^\n]*%ymm" "crc32q"
    FORBID "%zmm" "%k[0-7]")
  check("${portable}" WHAT "portable code is built without ISA flags"
    FORBID "%[yz]mm")
elseif(ARCH STREQUAL "aarch64")
  # umull v.2d, v.2s, v.2s is the 32x32->64 multiply; add v.2d the 64-bit lane add
  check("/neon\\.c\\.o(bj)?$" WHAT "NEON kernels on 128-bit vectors"
    NEED "umull[ \t]+v[0-9]+\\.2d, v[0-9]+\\.2s, v[0-9]+\\.2s" "add[ \t]+v[0-9]+\\.2d"
         "add[ \t]+v[0-9]+\\.4s" "xtn[ \t]+v[0-9]+\\.2s, v[0-9]+\\.2d")
  # the codec's NEON file: column unpacking on q registers, the stream
  # checks with the CRC32 extension
  check("/codec_neon\\.c\\.o(bj)?$" WHAT "NEON codec kernels, crc32cx checks"
    NEED "v[0-9]+\\.4s" "crc32cx")
elseif(ARCH STREQUAL "wasm32")
  check("/simd128\\.c\\.o(bj)?$" WHAT "SIMD128 kernels"
    NEED "i64x2\\.extmul_low_i32x4_u" "i64x2\\.add" "i32x4\\.add" "i64x2\\.shr_u" "v128\\.load32_lane")
  check("${portable}" WHAT "portable code is built without -msimd128, so scalar is scalar"
    FORBID "(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\\.")
endif()

if(failures GREATER 0)
  message(FATAL_ERROR "objects_isa: ${failures} check(s) failed over ${checked} object(s)")
endif()
message("objects_isa: ${checked} object(s) checked, all backends use their ISA")
