/* SPDX-License-Identifier: MIT */
/*
 * `synk gen`, `synk replay`, `synk stat`: synthetic event streams, replaying
 * them, and their byte statistics (tools/cmd_sync.c). Each takes argv with
 * argv[0] the command name and returns the exit status (0 ok, 1 a check or
 * an operation failed, 2 usage error).
 */
#ifndef SYNK_CMD_SYNC_H
#define SYNK_CMD_SYNC_H

#ifdef __cplusplus
extern "C" {
#endif

int synk_cli_gen(int argc, char **argv);
int synk_cli_replay(int argc, char **argv);
int synk_cli_stat(int argc, char **argv);

/* Usage texts, for the command table's help. */
extern const char synk_cli_gen_usage[];
extern const char synk_cli_replay_usage[];
extern const char synk_cli_stat_usage[];

#ifdef __cplusplus
}
#endif

#endif
