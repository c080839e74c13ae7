# SPDX-License-Identifier: MIT
# C packaging (tests/packaging/run.sh): the installed CMake package and synk.pc
# each build a consumer, a shared build exports exactly synk.h's functions
# with an SONAME, and a project vendoring synk with add_subdirectory builds.
# Native host builds only (SYNK_HOST_TESTS: the release preset); each test
# configures and builds in its own directory under the build tree.
set(SYNK_PKG_RUN ${CMAKE_CURRENT_SOURCE_DIR}/packaging/run.sh)
set(SYNK_PKG_ENV "CC=${CMAKE_C_COMPILER}" "JOBS=2")
add_test(NAME packaging_install
  COMMAND ${SYNK_PKG_RUN} install ${PROJECT_BINARY_DIR} ${CMAKE_CURRENT_BINARY_DIR}/packaging/install)
add_test(NAME packaging_shared
  COMMAND ${SYNK_PKG_RUN} shared ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/packaging/shared)
add_test(NAME packaging_vendor
  COMMAND ${SYNK_PKG_RUN} vendor ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/packaging/vendor)
set_tests_properties(packaging_install packaging_shared packaging_vendor PROPERTIES
  ENVIRONMENT "${SYNK_PKG_ENV}" TIMEOUT 300)
