# SPDX-License-Identifier: MIT
# synk_add_output_test(NAME <name> COMMAND <target> [args...]
#                      [RC <status>] [STDOUT <regex>] [STDERR <regex>])
#
# A ctest that runs <target> (under this build's emulator when cross
# compiling: qemu-user, Node.js WASI) and checks its exit status and its
# stdout / stderr separately (cmake/run_expect.cmake). Prefer it to
# PASS_REGULAR_EXPRESSION whenever the expected text is the program's own
# output: ctest mixes both streams, and an emulator's warning on stderr must
# neither break nor satisfy the check. Arguments must not contain ';' or '^^'.
set(SYNK_RUN_EXPECT ${CMAKE_CURRENT_LIST_DIR}/run_expect.cmake)
function(synk_add_output_test)
  cmake_parse_arguments(T "" "NAME;RC;STDOUT;STDERR" "COMMAND" ${ARGN})
  if(NOT T_NAME OR NOT T_COMMAND)
    message(FATAL_ERROR "synk_add_output_test: NAME and COMMAND are required")
  endif()
  list(POP_FRONT T_COMMAND target)
  set(cmd ${CMAKE_CROSSCOMPILING_EMULATOR} $<TARGET_FILE:${target}> ${T_COMMAND})
  list(JOIN cmd "^^" cmd) # a list cannot cross add_test's arguments: run_expect.cmake splits it again
  set(defs "-DCMD=${cmd}")
  if(DEFINED T_RC)
    list(APPEND defs -DRC=${T_RC})
  endif()
  if(DEFINED T_STDOUT)
    list(APPEND defs "-DSTDOUT=${T_STDOUT}")
  endif()
  if(DEFINED T_STDERR)
    list(APPEND defs "-DSTDERR=${T_STDERR}")
  endif()
  add_test(NAME ${T_NAME} COMMAND ${CMAKE_COMMAND} ${defs} -P ${SYNK_RUN_EXPECT})
endfunction()
