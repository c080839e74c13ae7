# SPDX-License-Identifier: MIT
# checkasm: every SIMD kernel of every runnable backend (native and SIMDe-
# emulated) against the scalar reference on random inputs. Fixed seeds only,
# so every CI run checks the same inputs and any failure replays exactly
# (checkasm --seed=N --isa=NAME --kernel=NAME --iteration=I); one ctest entry
# per seed. Seed 1 runs the default 200 worlds per kernel and backend, the
# others 100 each (emulated backends are slow in debug and sanitizer builds).
synk_test(checkasm SOURCES checkasm/checkasm.c ARGS --seed=1)
foreach(seed 2 0xC0FFEE 4206942069)
  add_test(NAME checkasm_seed_${seed} COMMAND checkasm --seed=${seed} --iterations=100)
endforeach()
