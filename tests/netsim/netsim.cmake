# SPDX-License-Identifier: MIT
# The network simulator (netsim/include/synk_netsim.h). Included by
# tests/CMakeLists.txt (which defines synk_test).
synk_test(test_netsim SOURCES netsim/test_netsim.c)
synk_test(test_netsim_channel SOURCES netsim/test_netsim_channel.c)
# the header from C++11
if(CMAKE_CXX_COMPILER)
  add_executable(test_netsim_cxx ${CMAKE_CURRENT_SOURCE_DIR}/netsim/test_netsim_cxx.cpp)
  target_link_libraries(test_netsim_cxx PRIVATE synk_internal)
  set_target_properties(test_netsim_cxx PROPERTIES CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_options(test_netsim_cxx PRIVATE -Wall -Wextra -Wpedantic -Werror -Wshadow)
  add_test(NAME netsim_cxx COMMAND test_netsim_cxx)
endif()
