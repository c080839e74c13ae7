# SPDX-License-Identifier: MIT
# The bindings' tests. The golden scenarios are recorded as call traces
# (bindings/scenario_trace.c -> <build>/traces/<scenario>.trace) that the
# Python and JavaScript tests replay through their APIs, expecting C's
# statuses and hashes and the golden hash of support/golden.h. The recorder
# compiles support/scenarios.c itself (with its calls redirected), over the
# public library.
add_executable(scenario_trace bindings/scenario_trace.c)
target_link_libraries(scenario_trace PRIVATE synk)
target_include_directories(scenario_trace PRIVATE ${PROJECT_SOURCE_DIR}/support)
target_compile_options(scenario_trace PRIVATE ${SYNK_WARNINGS})
set(SYNK_TRACE_DIR ${CMAKE_BINARY_DIR}/traces)
add_custom_command(OUTPUT ${SYNK_TRACE_DIR}/stamp
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SYNK_TRACE_DIR}
  COMMAND scenario_trace ${SYNK_TRACE_DIR}
  COMMAND ${CMAKE_COMMAND} -E touch ${SYNK_TRACE_DIR}/stamp
  DEPENDS scenario_trace
  COMMENT "Recording the golden scenarios as call traces")
add_custom_target(synk_traces ALL DEPENDS ${SYNK_TRACE_DIR}/stamp)
set(SYNK_GOLDEN_H ${PROJECT_SOURCE_DIR}/support/golden.h)

# ---- Python: one ctest per pytest file of bindings/python/tests
if(SYNK_BUILD_PYTHON)
  file(GLOB _synk_py_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bindings/python/tests/test_*.py)
  foreach(t ${_synk_py_tests})
    get_filename_component(n ${t} NAME_WE)
    string(REGEX REPLACE "^test_" "" n ${n})
    add_test(NAME python_${n} COMMAND ${SYNK_PYTHON} -m pytest -q -p no:cacheprovider ${t})
    set_tests_properties(python_${n} PROPERTIES TIMEOUT 300 ENVIRONMENT
      "PYTHONPATH=${SYNK_PYTHONPATH};SYNK_TRACE_DIR=${SYNK_TRACE_DIR};SYNK_GOLDEN_H=${SYNK_GOLDEN_H};SYNK_CLI=$<TARGET_FILE:synk_cli>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()

# ---- JavaScript/WASM: one ctest per bindings/js/tests/*.test.mjs (node --test)
if(SYNK_BUILD_JS AND SYNK_JS_PACKAGE)
  find_program(SYNK_JS_OBJDUMP NAMES llvm-objdump-14 llvm-objdump llvm-objdump-15 llvm-objdump-16)
  file(GLOB _synk_js_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bindings/js/tests/*.test.mjs)
  foreach(t ${_synk_js_tests})
    get_filename_component(n ${t} NAME)
    string(REGEX REPLACE "\\.test\\.mjs$" "" n ${n})
    add_test(NAME js_${n} COMMAND ${SYNK_NODE_EXE} --test ${t})
    set_tests_properties(js_${n} PROPERTIES TIMEOUT 300 ENVIRONMENT
      "SYNK_JS_PACKAGE=${SYNK_JS_PACKAGE};SYNK_TRACE_DIR=${SYNK_TRACE_DIR};SYNK_GOLDEN_H=${SYNK_GOLDEN_H};SYNK_SOURCE_DIR=${PROJECT_SOURCE_DIR};SYNK_OBJDUMP=${SYNK_JS_OBJDUMP}")
  endforeach()
endif()

# ---- the browser example in headless Chromium (tests/web): needs the package
if(SYNK_BUILD_JS AND SYNK_JS_PACKAGE)
  add_test(NAME web_chromium COMMAND ${SYNK_NODE_EXE} --test ${CMAKE_CURRENT_SOURCE_DIR}/web/browser.test.mjs)
  set_tests_properties(web_chromium PROPERTIES TIMEOUT 600 ENVIRONMENT "SYNK_BUILD_DIR=${CMAKE_BINARY_DIR}")
endif()

# ---- the bindings' benchmarks run once, quick (no timing is checked: they
# must run and print every row; make bench runs them in full)
if(SYNK_BUILD_PYTHON AND SYNK_BUILD_BENCH)
  add_test(NAME bench_python_smoke COMMAND ${SYNK_PYTHON} ${PROJECT_SOURCE_DIR}/bench/python_bench.py --quick)
  set_tests_properties(bench_python_smoke PROPERTIES ENVIRONMENT "PYTHONPATH=${SYNK_PYTHONPATH}"
    PASS_REGULAR_EXPRESSION "scalar \\| `apply_motions`, 1e4 motions, NumPy MOTION_DTYPE \\| [0-9.]+ \\| [0-9.]+ \\|")
endif()
if(SYNK_BUILD_JS AND SYNK_JS_PACKAGE AND SYNK_BUILD_BENCH)
  add_test(NAME bench_js_smoke COMMAND ${SYNK_NODE_EXE} ${PROJECT_SOURCE_DIR}/bench/js_bench.mjs ${CMAKE_BINARY_DIR} --quick)
  set_tests_properties(bench_js_smoke PROPERTIES
    PASS_REGULAR_EXPRESSION "\\| wasm32, scalar module [^|]*\\| [0-9.]+ \\| [0-9.]+x \\| [0-9.]+x \\| [0-9.]+ \\|")
endif()

# ---- README: the examples it shows are the files run here, and they run
if(SYNK_BUILD_PYTHON AND SYNK_BUILD_JS AND SYNK_JS_PACKAGE)
  add_test(NAME docs_examples COMMAND ${SYNK_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/bindings/check_docs.py
    ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR})
endif()
