# SPDX-License-Identifier: MIT
# Net-layer tests (the server-authoritative protocol, net/include/synk_net.h)
# over the simulated transport support/msgnet.c (in synk_support). Included by
# tests/CMakeLists.txt.
# The crowd run takes a tick count: the full 20 000 ticks in optimized native
# builds, fewer under the sanitizers and under emulators (cross builds).
if(SYNK_SANITIZE OR CMAKE_CROSSCOMPILING)
  set(NET_CROWD_TICKS 1500)
else()
  set(NET_CROWD_TICKS 20000)
endif()
foreach(t crowd unit hostile abuse)
  add_executable(test_net_${t} ${CMAKE_CURRENT_SOURCE_DIR}/net/test_net_${t}.c)
  target_link_libraries(test_net_${t} PRIVATE synk_support synk_internal)
  target_include_directories(test_net_${t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/net)
  target_compile_options(test_net_${t} PRIVATE ${SYNK_WARNINGS})
endforeach()
# 200 clients with random views join, move their views, drop and reconnect
# over a 1e4-entity crowd; every client's world hash checked against the
# server's hash of its view after every frame it applies
add_test(NAME net_crowd COMMAND test_net_crowd --clients 200 --entities 10000 --ticks ${NET_CROWD_TICKS} --quiet)
# a smaller, harsher network: more latency and jitter, frequent drops, a short
# grace period, clients that stop reading for a while (small channels and
# queues: the server moves them to catch-up)
add_test(NAME net_crowd_stormy COMMAND test_net_crowd --clients 40 --entities 3000 --ticks 3000 --seed 7
  --latency 40 --jitter 120 --drop-ppm 200 --grace 600 --corrupt-every 201 --barrier 700
  --stall-every 10 --queue 4096 --channel 20000 --quiet)
# no latency: every client is caught up after each pump and checked against the server's hash right then
add_test(NAME net_crowd_instant COMMAND test_net_crowd --clients 50 --entities 4000 --ticks 3000 --seed 3
  --latency 0 --jitter 0 --drop-ppm 50 --quiet)
set_tests_properties(net_crowd PROPERTIES TIMEOUT 900)
foreach(t repair grace predict handshake app liveness views bigview debounce midframe)
  add_test(NAME net_${t} COMMAND test_net_unit ${t})
endforeach()
add_test(NAME net_hostile COMMAND test_net_hostile)
# well-formed abuse (issue 19): each a regression test of a bug the protocol had
foreach(t evict repair results bulkleak token token0 appwelcome replay tickformat refusedpredict syncfull
    stall requests)
  add_test(NAME net_abuse_${t} COMMAND test_net_abuse ${t})
endforeach()
# golden bytes: HELLO, WELCOME and the CRC-32C of every message stream of a fixed scenario
add_executable(test_net_golden ${CMAKE_CURRENT_SOURCE_DIR}/net/test_net_golden.c)
target_link_libraries(test_net_golden PRIVATE synk_internal)
target_compile_options(test_net_golden PRIVATE ${SYNK_WARNINGS})
add_test(NAME net_golden COMMAND test_net_golden)
# the net header from C++11
if(CMAKE_CXX_COMPILER)
  add_executable(test_net_cxx ${CMAKE_CURRENT_SOURCE_DIR}/net/test_net_cxx.cpp)
  target_link_libraries(test_net_cxx PRIVATE synk_support synk_internal)
  set_target_properties(test_net_cxx PROPERTIES CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_options(test_net_cxx PRIVATE -Wall -Wextra -Wpedantic -Werror -Wshadow)
  add_test(NAME net_cxx COMMAND test_net_cxx)
endif()
