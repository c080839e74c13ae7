/* SPDX-License-Identifier: MIT */
/* `synk sim`: a deterministic whole-process scenario (see sim.c), run by the
 * CLI and by the benchmark suite's stand-alone synk_sim. */
#ifndef SYNK_SUPPORT_SIM_H
#define SYNK_SUPPORT_SIM_H

#ifdef __cplusplus
extern "C" {
#endif

/* argv[0] is the command name ("sim"); options follow. Prints the final
 * world hash (16 hex digits) on stdout. Returns 0 on success, 1 when a check
 * failed (synk_hash != synk_rehash, an unexpected status), 2 on a usage
 * error. */
int synk_sim_main(int argc, char **argv);

/* The full help text of `synk sim` (for `synk help sim`). */
extern const char synk_sim_usage[];

#ifdef __cplusplus
}
#endif

#endif
