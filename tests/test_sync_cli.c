/* SPDX-License-Identifier: MIT */
/*
 * A stand-alone driver for the sync commands of the `synk` tool
 * (tools/cmd_sync.c): `test_sync_cli gen|replay|stat ...` behaves like
 * `synk gen|replay|stat ...`. Used by the sync tests and tests/fuzz/run.sh
 * so they do not depend on how tools/synk.c wires its command table.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_sync.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_sync_cli gen|replay|stat ...\n");
    return 2;
  }
  if (strcmp(argv[1], "gen") == 0) return synk_cli_gen(argc - 1, argv + 1);
  if (strcmp(argv[1], "replay") == 0) return synk_cli_replay(argc - 1, argv + 1);
  if (strcmp(argv[1], "stat") == 0) return synk_cli_stat(argc - 1, argv + 1);
  fprintf(stderr, "test_sync_cli: unknown command '%s'\n", argv[1]);
  return 2;
}
