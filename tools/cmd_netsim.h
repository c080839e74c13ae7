/* SPDX-License-Identifier: MIT */
/* `synk netsim`: session peers over the network simulator (see cmd_netsim.c). */
#ifndef SYNK_CMD_NETSIM_H
#define SYNK_CMD_NETSIM_H

#ifdef __cplusplus
extern "C" {
#endif

/* argv[0] is "netsim"; options follow. Prints per-peer stats and final
 * hashes. Returns 0 when every peer reached the last frame with the same
 * hash, 1 otherwise (hashes differ, a peer stalled for good, the game's
 * simulation failed), 2 on a usage error. */
int synk_cli_netsim(int argc, char **argv);

/* The full help text of `synk netsim`. */
extern const char synk_cli_netsim_usage[];

#ifdef __cplusplus
}
#endif

#endif
