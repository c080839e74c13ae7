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

# The sync commands of the CLI (`synk gen|replay|stat`, their pinned streams)
# are tested with the CLI, in tools/CMakeLists.txt.

# multi-core execution through synk_config.jobs (support/jobs.c: the pthread pool)
if(SYNK_SUPPORT_HAVE_JOBS)
  set(jobs_args "")
  if(CMAKE_CROSSCOMPILING OR SYNK_SANITIZE OR SYNK_TSAN)
    set(jobs_args --quick) # smaller worlds under emulators and sanitizers
  endif()
  synk_test(test_jobs SOURCES test_jobs.c ARGS ${jobs_args})
endif()
