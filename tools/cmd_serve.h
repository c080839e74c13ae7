/* SPDX-License-Identifier: MIT */
/* `synk serve-sim`: a server and N clients over the simulated message
 * transport (see cmd_serve.c). */
#ifndef SYNK_CMD_SERVE_H
#define SYNK_CMD_SERVE_H

#ifdef __cplusplus
extern "C" {
#endif

/* argv[0] is "serve-sim"; options follow. Prints the server's CPU per tick,
 * per-client bytes and the verification results. Returns 0 when every
 * client ends live with its world hash equal to the server's hash of its
 * view, 1 otherwise, 2 on a usage error. */
int synk_cli_serve_sim(int argc, char **argv);

/* The full help text of `synk serve-sim`. */
extern const char synk_cli_serve_sim_usage[];

#ifdef __cplusplus
}
#endif

#endif
