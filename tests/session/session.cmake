# SPDX-License-Identifier: MIT
# Session-layer tests (lockstep / rollback sessions over the network
# simulator). Included by tests/CMakeLists.txt (which defines synk_test).
# The mesh runs take a frame count: the full 100 000 frames in optimized
# native builds, fewer under the sanitizers and under emulators (cross builds).
if(SYNK_SANITIZE OR CMAKE_CROSSCOMPILING)
  set(SESSION_FRAMES 20000)
else()
  set(SESSION_FRAMES 100000)
endif()
set(SESSION_NET --loss 20 --dup 5 --reorder 5 --latency 30 --jitter 150)
foreach(t session_mesh session_unit)
  string(REPLACE "session_" "test_session_" src ${t})
  add_executable(${src} ${CMAKE_CURRENT_SOURCE_DIR}/session/${src}.c)
  target_link_libraries(${src} PRIVATE synk_support synk_internal)
  # the unit test forges datagrams with the internal codec (session/session_wire.h)
  target_include_directories(${src} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/session
    ${PROJECT_SOURCE_DIR}/session)
  target_compile_options(${src} PRIVATE ${SYNK_WARNINGS})
endforeach()
foreach(n 2 4 8)
  add_test(NAME session_mesh${n} COMMAND test_session_mesh --peers ${n} --frames ${SESSION_FRAMES} ${SESSION_NET})
endforeach()
add_test(NAME session_mesh_lockstep COMMAND test_session_mesh --peers 4 --lockstep --delay 2
  --frames ${SESSION_FRAMES} ${SESSION_NET})
# several players per peer, longer inputs (the masked change records), delay;
# and big blocks through the smallest MTU (spans cut to fit)
add_test(NAME session_mesh_multi COMMAND test_session_mesh --peers 3 --players-per-peer 2 --input-size 8
  --delay 2 --prediction 6 --frames 10000 ${SESSION_NET})
add_test(NAME session_mesh_mtu COMMAND test_session_mesh --peers 2 --players-per-peer 4 --input-size 64
  --mtu 576 --frames 3000 ${SESSION_NET})
# spectators: peers without players follow the game (and are checked)
add_test(NAME session_mesh_spectators COMMAND test_session_mesh --peers 4 --spectators 2 --frames 10000 ${SESSION_NET})
add_test(NAME session_desync_spectator COMMAND test_session_mesh --peers 3 --spectators 1 --frames 3000
  --corrupt 2:1000 ${SESSION_NET})
add_test(NAME session_desync2 COMMAND test_session_mesh --peers 2 --frames 3000 --corrupt 1:1234 ${SESSION_NET})
# a world over 8192 entities: its 36 chunk sums travel in two localization pieces
add_test(NAME session_desync_big COMMAND test_session_mesh --peers 2 --frames 3000 --entities 9000
  --corrupt 1:1234 ${SESSION_NET})
add_test(NAME session_desync4 COMMAND test_session_mesh --peers 4 --frames 3000 --corrupt 2:1500 ${SESSION_NET})
# the wire target: 2 players, 60 Hz, 4-byte inputs changing every ~6 frames, no loss
add_test(NAME session_bytes COMMAND test_session_mesh --peers 2 --frames 6000 --loss 0 --dup 0 --reorder 0
  --jitter 0 --latency 20 --max-bpf 8)
set_tests_properties(session_mesh2 session_mesh4 session_mesh8 session_mesh_lockstep PROPERTIES TIMEOUT 600)
add_test(NAME session_unit COMMAND test_session_unit)
# the session headers from C++11
if(CMAKE_CXX_COMPILER)
  add_executable(test_session_cxx ${CMAKE_CURRENT_SOURCE_DIR}/session/test_session_cxx.cpp)
  target_link_libraries(test_session_cxx PRIVATE synk_internal)
  set_target_properties(test_session_cxx PROPERTIES CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_options(test_session_cxx PRIVATE -Wall -Wextra -Wpedantic -Werror -Wshadow)
  add_test(NAME session_cxx COMMAND test_session_cxx)
endif()
