# SPDX-License-Identifier: MIT
# Included by the top-level CMakeLists.txt, after its install() of the
# library (export set synkTargets) and the public headers: `cmake --install`
# also gets a CMake package (find_package(synk CONFIG) -> synk::synk, with a
# version file) and synk.pc for pkg-config, both relocatable (the prefix may
# change at install time). Tested by tests/packaging (README "Installing").
include(CMakePackageConfigHelpers)
set(SYNK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/synk)
install(EXPORT synkTargets NAMESPACE synk:: DESTINATION ${SYNK_CMAKE_DIR})
if(BUILD_SHARED_LIBS)
  set(BUILD_SHARED_LIBS_BOOL ON)
  set(SYNK_PC_CFLAGS " -DSYNK_SHARED")
else()
  set(BUILD_SHARED_LIBS_BOOL OFF)
  set(SYNK_PC_CFLAGS "")
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/synkConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/synkConfig.cmake
  INSTALL_DESTINATION ${SYNK_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/synkConfigVersion.cmake
  COMPATIBILITY SameMinorVersion) # 0.x: a minor version may break the API
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/synkConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/synkConfigVersion.cmake
  DESTINATION ${SYNK_CMAKE_DIR})
# synk.pc finds its prefix from its own location (${pcfiledir})
set(SYNK_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(SYNK_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(SYNK_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
file(RELATIVE_PATH SYNK_PC_UP /synk-prefix/${SYNK_PC_DIR} /synk-prefix)
set(SYNK_PC_PREFIX "\${pcfiledir}/${SYNK_PC_UP}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/synk.pc.in ${CMAKE_CURRENT_BINARY_DIR}/synk.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/synk.pc DESTINATION ${SYNK_PC_DIR})
