/* SPDX-License-Identifier: MIT */
/* Standalone `synk_sim` executable: the `synk sim` command (support/sim.c)
 * without the rest of the CLI, for hyperfine and bench/sim_check.sh. */
#include "sim.h"

int main(int argc, char **argv) { return synk_sim_main(argc, argv); }
