# SPDX-License-Identifier: MIT
# Sync-layer tests: event codec, snapshots, deltas, rollback/history, and the
# cross-check of the sync kernels on every runnable backend. Included by
# tests/CMakeLists.txt (which defines synk_test).
synk_test(test_codec SOURCES test_codec.c)
synk_test(test_snapshot SOURCES test_snapshot.c)
synk_test(test_delta SOURCES test_delta.c)
synk_test(test_rollback SOURCES test_rollback.c)
synk_test(test_sync_checkasm SOURCES test_sync_checkasm.c ARGS --seed=1)
add_test(NAME test_sync_checkasm_seed2 COMMAND test_sync_checkasm --seed=0x5EED5)
set_tests_properties(test_codec test_snapshot test_delta test_rollback PROPERTIES TIMEOUT 600)

# The sync CLI commands through a stand-alone driver (tools/cmd_sync.c is also
# linked into the `synk` tool): generate each scenario small, replay it on
# every backend (all must reach one hash), and its statistics.
add_executable(test_sync_cli test_sync_cli.c ${PROJECT_SOURCE_DIR}/tools/cmd_sync.c)
target_link_libraries(test_sync_cli PRIVATE synk_internal)
target_include_directories(test_sync_cli PRIVATE ${PROJECT_SOURCE_DIR}/tools)
target_compile_options(test_sync_cli PRIVATE ${SYNK_WARNINGS})
# The generated streams are pinned (size and final hash): a seed must give the
# same stream with every compiler, target and backend (this runs under gcc,
# clang, aarch64, s390x and wasm32 in make test). A deliberate change of a
# scenario or of the stream format updates these lines.
set(SYNC_GEN_PIN_crowd "26307 stream bytes, hash 0x492069b1d763a9a5")
set(SYNC_GEN_PIN_peer "15058 stream bytes, hash 0xefc9519de1229b09")
set(SYNC_GEN_PIN_churn "26183 stream bytes, hash 0xc13e7fa8c12fd838")
set(SYNC_GEN_PIN_props "30388 stream bytes, hash 0x47170f72f8872bfe")
foreach(sc crowd peer churn props)
  set(trace ${CMAKE_CURRENT_BINARY_DIR}/sync_${sc}.trace)
  synk_add_output_test(NAME sync_gen_${sc} COMMAND test_sync_cli gen ${sc} --entities 2000 --ticks 12 -o ${trace}
    STDOUT "${SYNC_GEN_PIN_${sc}}")
  add_test(NAME sync_stat_${sc} COMMAND test_sync_cli stat ${trace})
  set_tests_properties(sync_stat_${sc} PROPERTIES DEPENDS sync_gen_${sc})
  add_test(NAME sync_replay_${sc} COMMAND test_sync_cli replay ${trace} --all-isas)
  set_tests_properties(sync_replay_${sc} PROPERTIES DEPENDS sync_gen_${sc})
  # a trace whose world is larger than the replayer's limit is refused before
  # anything is allocated (every trace here asks for at least 100 ids)
  synk_add_output_test(NAME sync_replay_limit_${sc} COMMAND test_sync_cli replay ${trace} --max-entities 99
    RC 1 STDERR "asks for a world of [0-9]+ ids, above the limit of 99")
  set_tests_properties(sync_replay_limit_${sc} PROPERTIES DEPENDS sync_gen_${sc})
endforeach()

# multi-core execution through synk_config.jobs (tools/jobs.c: the pthread pool)
find_package(Threads)
if(Threads_FOUND)
  set(jobs_args "")
  if(CMAKE_CROSSCOMPILING OR SYNK_SANITIZE OR SYNK_TSAN)
    set(jobs_args --quick) # smaller worlds under emulators and sanitizers
  endif()
  synk_test(test_jobs SOURCES test_jobs.c ${PROJECT_SOURCE_DIR}/tools/jobs.c LIBS Threads::Threads ARGS ${jobs_args})
endif()
