/* SPDX-License-Identifier: MIT */
/* `synk sim`: a deterministic whole-process scenario (see cmd_sim.c). */
#ifndef SYNK_CMD_SIM_H
#define SYNK_CMD_SIM_H

#ifdef __cplusplus
extern "C" {
#endif

/* argv[0] is the subcommand name ("sim"); options follow. Prints the final
 * world hash (16 hex digits) on stdout. Returns 0 on success, 1 when a check
 * failed (synk_hash != synk_rehash, an unexpected status), 2 on a usage
 * error. */
int synk_cli_sim(int argc, char **argv);

/* The full help text of `synk sim` (for `synk help sim`). */
extern const char synk_cli_sim_usage[];

#ifdef __cplusplus
}
#endif

#endif
