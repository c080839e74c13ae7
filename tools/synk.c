/* SPDX-License-Identifier: MIT */
/*
 * synk: the command-line tool.
 *
 *   synk info                    version, CPU features, backends, active backend
 *   synk verify [--isa=NAME]...  golden scenarios x backends, hashes vs golden
 *   synk sim [options]           deterministic simulation (support/sim.c)
 *   synk gen|replay|stat ...     event streams (tools/cmd_sync.c)
 *   synk netsim [options]        session peers over the network simulator (tools/cmd_netsim.c)
 *   synk serve-sim [options]     a server and its clients over the simulated transport (tools/cmd_serve.c)
 *   synk version                 library version
 *   synk help [COMMAND]          usage
 *
 * Adding a subcommand: write `int NAME(int argc, char **argv)` (argv[0] is
 * the command name; return the exit status), here or in its own file
 * (tools/cmd_NAME.c, like `netsim`), parse its options with support/opt.h
 * (getopt_long and one table of options), and add a row to `commands` below.
 * Exit statuses: 0 success, 1 a check failed, 2 usage error (`synk` without a
 * command, an unknown command or option, a bad value).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_netsim.h"
#include "cmd_serve.h"
#include "cmd_sync.h"
#include "golden.h"
#include "opt.h"
#include "scenarios.h"
#include "sim.h"
#include "synk.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary; /* one line, for `synk help` */
  const char *usage;   /* full help, for `synk help NAME` and `synk NAME --help` */
} command;

static int cmd_info(int argc, char **argv);
static int cmd_verify(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const command commands[] = {
    {"info", cmd_info, "version, CPU features, backends and the active backend",
     "usage: synk info\n"
     "Prints the library version, the CPU features detected, the backends that can\n"
     "run here (native or SIMDe-emulated) and the active backend (SYNK_ISA selects it).\n"},
    {"verify", cmd_verify, "run the golden scenarios on every backend and compare hashes",
     "usage: synk verify [--isa=NAME]...\n"
     "Runs every golden scenario on every runnable backend (or only the ones named\n"
     "with --isa) and prints a table of final hashes next to the golden value.\n"
     "  !  the hash differs from the golden value\n"
     "  ?  the scenario's own checks failed (a status, a state, a chunk sum, or\n"
     "     synk_hash != synk_rehash); the error follows on stderr\n"
     "Exits 0 when everything matches, 1 otherwise, 2 on a usage error.\n"},
    {"sim", synk_sim_main, "deterministic simulation from a seed; prints the final hash", synk_sim_usage},
    {"gen", synk_cli_gen, "write a synthetic event stream (crowd, peer, churn, props)", synk_cli_gen_usage},
    {"replay", synk_cli_replay, "apply a stream, print the final hash (--per-tick, --isa, --all-isas)",
     synk_cli_replay_usage},
    {"stat", synk_cli_stat, "bytes per event kind and per motion of a stream", synk_cli_stat_usage},
    {"netsim", synk_cli_netsim, "lockstep/rollback session peers over a simulated network", synk_cli_netsim_usage},
    {"serve-sim", synk_cli_serve_sim, "a server and N clients over the simulated transport: bytes, CPU, verification",
     synk_cli_serve_sim_usage},
    {"version", cmd_version, "print the library version", "usage: synk version\n"},
    {"help", cmd_help, "show this help, or a command's help", "usage: synk help [COMMAND]\n"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The usage of `synk` itself, built once from the table. */
static char main_usage[2048];

static const char *usage_text(void) {
  if (!main_usage[0]) {
    size_t n = (size_t)snprintf(main_usage, sizeof main_usage, "usage: synk <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS && n < sizeof main_usage; i++)
      n += (size_t)snprintf(main_usage + n, sizeof main_usage - n, "  %-9s %s\n", commands[i].name,
                            commands[i].summary);
    if (n < sizeof main_usage)
      snprintf(main_usage + n, sizeof main_usage - n,
               "\nRun 'synk help <command>' or 'synk <command> --help' for details. Options take\n"
               "their value as --name VALUE or --name=VALUE; numbers are decimal or 0x hex.\n");
  }
  return main_usage;
}

static const command *find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

static int unknown_command(const char *name) {
  fprintf(stderr, "synk: unknown command '%s'\n\n%s", name, usage_text());
  return 2;
}

/* Parse the options of a command that takes none but --help: -1 to go on,
 * else the exit status. */
static int no_options(const char *name, int argc, char **argv) {
  char prog[32];
  snprintf(prog, sizeof prog, "synk %s", name);
  synk_opt_parser p;
  synk_opt_init(&p, prog, find_command(name)->usage, NULL, 0, argc, argv);
  const int k = synk_opt_next(&p);
  return k == SYNK_OPT_END ? -1 : synk_opt_stop(&p, k);
}

/* ---- help / version ------------------------------------------------------ */

static int cmd_help(int argc, char **argv) {
  synk_opt_parser p;
  synk_opt_init(&p, "synk help", find_command("help")->usage, NULL, 0, argc, argv);
  const char *name = NULL;
  for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
    if (k != SYNK_OPT_OPERAND) return synk_opt_stop(&p, k);
    if (synk_opt_take_operand(&p, &name)) return 2;
  }
  if (!name) {
    fputs(usage_text(), stdout);
    return 0;
  }
  const command *c = find_command(name);
  if (!c) return unknown_command(name);
  fputs(c->usage, stdout);
  return 0;
}

static int cmd_version(int argc, char **argv) {
  const int status = no_options("version", argc, argv);
  if (status >= 0) return status;
  printf("synk %s\n", synk_version());
  return 0;
}

/* ---- info ---------------------------------------------------------------- */

#define MAX_ISAS 16

static int cmd_info(int argc, char **argv) {
  const int status = no_options("info", argc, argv);
  if (status >= 0) return status;
  printf("synk %s\n", synk_version());

  const char *flags[32];
  size_t nf = synk_cpu_features(flags, 32);
  printf("cpu features:");
  if (nf == 0) printf(" (none detected)");
  for (size_t i = 0; i < nf && i < 32; i++) printf(" %s", flags[i]);
  printf("\n");

  const char *isas[MAX_ISAS];
  size_t ni = synk_isa_list(isas, MAX_ISAS);
  if (ni > MAX_ISAS) ni = MAX_ISAS;
  printf("backends (best first):\n");
  for (size_t i = 0; i < ni; i++) {
    int emu = synk_isa_emulated(isas[i]);
    printf("  %-8s %s\n", isas[i],
           emu == 1 ? "emulated (SIMDe; a correctness check, never a performance claim)"
                    : emu == 0 ? "native" : "unknown");
  }
  const char *env = getenv("SYNK_ISA");
  printf("active backend: %s", synk_isa());
  if (env) printf(" (SYNK_ISA=%s)", env);
  printf("\n");
  return 0;
}

/* ---- verify -------------------------------------------------------------- */

static const synk_golden *golden_find(const char *name) {
  for (size_t i = 0; i < SYNK_GOLDEN_COUNT; i++)
    if (strcmp(synk_golden_vectors[i].name, name) == 0) return &synk_golden_vectors[i];
  return NULL;
}

enum { VERIFY_ISA = 256 };
static const synk_opt verify_options[] = {{"isa", VERIFY_ISA, SYNK_OPT_STRING, 0, 0, NULL}};

static int cmd_verify(int argc, char **argv) {
  const char *isas[MAX_ISAS];
  size_t ni = 0;
  synk_opt_parser p;
  synk_opt_init(&p, "synk verify", find_command("verify")->usage, verify_options,
                sizeof verify_options / sizeof verify_options[0], argc, argv);
  for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
    if (k == VERIFY_ISA) {
      const char *name = p.str;
      if (synk_isa_emulated(name) < 0) {
        const char *all[MAX_ISAS];
        size_t n = synk_isa_list(all, MAX_ISAS);
        fprintf(stderr, "synk verify: backend '%s' is unknown or cannot run here; runnable:", name);
        for (size_t i = 0; i < n && i < MAX_ISAS; i++) fprintf(stderr, " %s", all[i]);
        fprintf(stderr, "\n");
        return 2;
      }
      if (ni < MAX_ISAS) isas[ni++] = name;
      continue;
    }
    return synk_opt_stop(&p, k);
  }
  if (ni == 0) {
    ni = synk_isa_list(isas, MAX_ISAS);
    if (ni > MAX_ISAS) ni = MAX_ISAS;
  }

  /* verify switches backends; restore the one that was active */
  char active[32];
  snprintf(active, sizeof active, "%s", synk_isa());

  size_t ns = synk_scenario_count();
  unsigned mismatches = 0, failures = 0, scalar_mismatches = 0;
  printf("%-14s %-18s", "scenario", "golden");
  for (size_t j = 0; j < ni; j++) {
    char head[32];
    snprintf(head, sizeof head, "%s%s", isas[j], synk_isa_emulated(isas[j]) == 1 ? " (emu)" : "");
    printf(" %-18s", head);
  }
  printf("\n");
  for (size_t i = 0; i < ns; i++) {
    const char *name = synk_scenario_name(i);
    const synk_golden *g = golden_find(name);
    printf("%-14s ", name);
    if (g) printf("%016" PRIx64 "  ", g->hash);
    else printf("%-18s", "(none)");
    fflush(stdout);
    char errors[MAX_ISAS][160];
    for (size_t j = 0; j < ni; j++) {
      errors[j][0] = '\0';
      uint64_t h = 0;
      int rc = -1;
      if (synk_use_isa(isas[j]) == SYNK_OK) rc = synk_scenario_run(i, &h);
      else snprintf(errors[j], sizeof errors[j], "cannot select backend %s", isas[j]);
      int differs = !g || h != g->hash;
      if (rc != 0) {
        failures++;
        if (rc > 0) snprintf(errors[j], sizeof errors[j], "%s", synk_scenario_error());
      }
      if (differs) {
        mismatches++;
        if (strcmp(isas[j], "scalar") == 0) scalar_mismatches++;
      }
      printf(" %016" PRIx64 "%c%c", h, differs ? '!' : ' ', rc != 0 ? '?' : ' ');
      fflush(stdout);
    }
    printf("\n");
    fflush(stdout);
    for (size_t j = 0; j < ni; j++)
      if (errors[j][0]) fprintf(stderr, "  %s on %s: %s\n", name, isas[j], errors[j]);
    fflush(stderr);
  }
  /* a golden entry whose scenario vanished is a mismatch too */
  for (size_t k = 0; k < SYNK_GOLDEN_COUNT; k++)
    if (synk_scenario_find(synk_golden_vectors[k].name) == (size_t)-1) {
      printf("%-14s %016" PRIx64 "   no such scenario!\n", synk_golden_vectors[k].name, synk_golden_vectors[k].hash);
      mismatches++;
      scalar_mismatches++;
    }
  (void)synk_use_isa(active);

  if (mismatches || failures) {
    printf("verify: FAILED: %u hash(es) differ from the golden value (!), %u run(s) failed their own checks (?)\n"
           "        over %zu scenarios x %zu backends\n",
           mismatches, failures, ns, ni);
    if (failures)
      printf("A failed check (?) means an API contract broke (a status, atomicity, chunk sums,\n"
             "synk_hash != synk_rehash) on that backend: a library bug.\n");
    if (scalar_mismatches)
      printf("The scalar reference itself differs (or a scenario has no golden value): the hash\n"
             "definition or a scenario changed. Regression, or a deliberate format change that\n"
             "needs regenerated golden vectors (support/golden.md).\n");
    else if (mismatches)
      printf("Only SIMD backends differ: they disagree with the scalar reference, a bug in\n"
             "arch/. Do not regenerate; find the input with tests/checkasm --isa=NAME.\n");
    return 1;
  }
  printf("verify: ok: %zu scenarios x %zu backends match the golden vectors\n", ns, ni);
  return 0;
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv) {
  synk_opt_parser p;
  synk_opt_init(&p, "synk", usage_text(), NULL, 0, argc, argv);
  const int k = synk_opt_next(&p);
  if (k == SYNK_OPT_END) { /* no command: a usage error */
    fputs(usage_text(), stderr);
    return 2;
  }
  if (k != SYNK_OPT_OPERAND) return synk_opt_stop(&p, k); /* --help: 0; an unknown option: 2 */
  const command *c = find_command(p.str);
  if (!c) return unknown_command(p.str);
  const int at = synk_opt_index(&p) - 1; /* the command's name becomes its argv[0] */
  return c->run(argc - at, argv + at);
}
