# SPDX-License-Identifier: MIT
# Runs one program and checks its exit status and what it printed, with stdout
# and stderr kept apart (ctest's PASS_REGULAR_EXPRESSION matches both mixed,
# so a runner's diagnostic on stderr -- Node.js, qemu -- could shift or fake a
# match). Used through synk_add_output_test (cmake/SynkTesting.cmake):
#
#   cmake -DCMD="prog^^arg^^..." [-DRC=0] [-DSTDOUT=regex] [-DSTDERR=regex]
#         -P run_expect.cmake
#
# RC is the exit status required (default 0). STDOUT / STDERR are CMake
# regexes that must match somewhere in that stream alone; "^" anchors at the
# stream's start. The test fails, showing both streams, on any difference.
if(NOT DEFINED CMD)
  message(FATAL_ERROR "run_expect.cmake: CMD is not set")
endif()
string(REPLACE "^^" ";" CMD "${CMD}")
if(NOT DEFINED RC)
  set(RC 0)
endif()
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(bad "")
if(NOT "${rc}" STREQUAL "${RC}")
  string(APPEND bad "exit status '${rc}', expected ${RC}\n")
endif()
if(DEFINED STDOUT AND NOT out MATCHES "${STDOUT}")
  string(APPEND bad "stdout does not match /${STDOUT}/\n")
endif()
if(DEFINED STDERR AND NOT err MATCHES "${STDERR}")
  string(APPEND bad "stderr does not match /${STDERR}/\n")
endif()
if(bad)
  message(FATAL_ERROR "${bad}--- stdout:\n${out}--- stderr:\n${err}")
endif()
