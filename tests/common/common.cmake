# SPDX-License-Identifier: MIT
# common/ (floor 0, header-only): its unit test as C11, as C++11 and with the
# portable fallbacks of bits.h. Included by tests/CMakeLists.txt.
function(synk_common_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEFS;OPTIONS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/support)
  target_compile_definitions(${name} PRIVATE ${T_DEFS})
  target_compile_options(${name} PRIVATE ${T_OPTIONS})
  add_test(NAME ${name} COMMAND ${name})
endfunction()

synk_common_test(test_common SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_common.c OPTIONS ${SYNK_WARNINGS})
synk_common_test(test_common_portable SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_common.c
  DEFS SYNK_BITS_PORTABLE OPTIONS ${SYNK_WARNINGS})
if(CMAKE_CXX_COMPILER)
  # the C-only warnings of SYNK_WARNINGS do not apply to C++
  synk_common_test(test_common_cxx SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_common_cxx.cpp
    OPTIONS -std=c++11 -Wall -Wextra -Wpedantic -Wshadow $<$<BOOL:${SYNK_WERROR}>:-Werror>)
  set_target_properties(test_common_cxx PROPERTIES CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
endif()
