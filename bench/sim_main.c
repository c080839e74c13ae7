/* SPDX-License-Identifier: MIT */
/* Standalone `synk_sim` executable: the `synk sim` subcommand without the rest
 * of the CLI, so the benchmark suite does not depend on tools/synk.c. */
#include "cmd_sim.h"

int main(int argc, char **argv) { return synk_cli_sim(argc, argv); }
