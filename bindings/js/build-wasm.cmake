# SPDX-License-Identifier: MIT
# cmake -DSOURCE=<synk> -DBUILD=<dir> -DNAME=synk-simd|synk-scalar -DSIMD=ON|OFF
#       -DOUT=<package dir> -P build-wasm.cmake
# Configures (once) and builds bindings/js/wasm for wasm32-wasi, then copies
# the module into the package directory. Run by the release tree's target
# synk_js (bindings/js/CMakeLists.txt).
if(NOT EXISTS ${BUILD}/CMakeCache.txt)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE}/bindings/js/wasm -B ${BUILD}
      --toolchain ${SOURCE}/cmake/wasm32-wasi.cmake -DCMAKE_BUILD_TYPE=Release -DSYNK_WERROR=ON
      -DSYNK_SOURCE_DIR=${SOURCE} -DSYNK_WASM_NAME=${NAME} -DSYNK_WASM_SIMD128=${SIMD}
    RESULT_VARIABLE rc OUTPUT_QUIET)
  if(rc)
    file(REMOVE ${BUILD}/CMakeCache.txt)
    message(FATAL_ERROR "configuring the ${NAME} wasm build failed")
  endif()
endif()
set(ENV{MAKEFLAGS} "") # the parent make's jobserver does not reach this nested build
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building ${NAME}.wasm failed")
endif()
file(COPY ${BUILD}/${NAME}.wasm DESTINATION ${OUT})
