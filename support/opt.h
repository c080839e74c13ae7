/* SPDX-License-Identifier: MIT */
/*
 * Command-line options of the synk CLI and its helper programs. getopt_long
 * from the C library scans argv (`--name value` and `--name=value`, unique
 * prefixes of long names, short options, `--` ending the options); a table
 * per command names each option, the kind of its value and the range it
 * accepts, and this parser checks every value the same way, so a bad one is
 * reported by the option's name and its valid range:
 *
 *   synk serve-sim: --clients must be 1..65535 (got '0')
 *
 * Numbers are unsigned, decimal or 0x-prefixed hexadecimal (no sign, no
 * spaces, no octal). Every command answers --help and -h with its usage on
 * stdout. The parser keeps getopt's global state: one parse at a time.
 *
 *   static const synk_opt opts[] = {
 *       {"ticks", 't', SYNK_OPT_NUMBER, 1, 1000000, NULL},
 *       {"mode", OPT_MODE, SYNK_OPT_CHOICE, 0, 0, "lockstep|rollback"},
 *       {"verbose", 'v', SYNK_OPT_FLAG, 0, 0, NULL},
 *   };
 *   synk_opt_parser p;
 *   synk_opt_init(&p, "synk NAME", usage, opts, sizeof opts / sizeof opts[0], argc, argv);
 *   for (int k; (k = synk_opt_next(&p)) != SYNK_OPT_END;) {
 *     switch (k) {
 *     case 't': ticks = p.num; break;
 *     ...
 *     default: return synk_opt_stop(&p, k); // --help: 0; a usage error: 2
 *     }
 *   }
 */
#ifndef SYNK_SUPPORT_OPT_H
#define SYNK_SUPPORT_OPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum synk_opt_kind {
  SYNK_OPT_FLAG,   /* takes no value */
  SYNK_OPT_STRING, /* any value: p.str */
  SYNK_OPT_NUMBER, /* an unsigned integer in [min, max]: p.num */
  SYNK_OPT_PROB,   /* a probability 0..1: p.real, and p.num in parts per million (rounded) */
  SYNK_OPT_CHOICE  /* one of the '|'-separated words of `choices`: p.num its index, p.str the word */
} synk_opt_kind;

typedef struct synk_opt {
  const char *name;    /* the long name without its dashes ("entities"); NULL: a short option only */
  int key;             /* what synk_opt_next returns for it: a letter (then -LETTER works too)
                          or a code >= 256 (a long option only) */
  synk_opt_kind kind;
  uint64_t min, max;   /* SYNK_OPT_NUMBER: the valid range, both included */
  const char *choices; /* SYNK_OPT_CHOICE: "word|word|..." */
} synk_opt;

/* The most options one table may hold (--help comes on top). */
#define SYNK_OPT_MAX 32

/* What synk_opt_next returns besides an option's key. */
#define SYNK_OPT_END (-1)     /* no more arguments */
#define SYNK_OPT_OPERAND (-2) /* an argument that is not an option: p.str */
#define SYNK_OPT_HELP (-3)    /* --help or -h: the usage was printed on stdout */
#define SYNK_OPT_ERROR (-4)   /* a usage error, reported on stderr */

typedef struct synk_opt_parser {
  /* the value of the option or operand synk_opt_next returned last */
  const char *str; /* the argument's text (STRING, CHOICE, an operand; else the value as given) */
  uint64_t num;    /* NUMBER, PROB (ppm), CHOICE (index) */
  double real;     /* PROB */
  /* the rest is the parser's */
  const char *prog, *usage;
  const synk_opt *opts;
  size_t nopts;
  int argc;
  char **argv;
  int rest; /* > 0: operands after `--` are returned from here */
  struct option longopts[SYNK_OPT_MAX + 2];
  char shortopts[3 * SYNK_OPT_MAX + 8];
} synk_opt_parser;

/* Start parsing argv[1..argc-1] (argv[0] is the program or command name).
 * prog prefixes every message ("synk sim"); usage is the command's help text.
 * opts (at most SYNK_OPT_MAX) must outlive the parse. */
void synk_opt_init(synk_opt_parser *p, const char *prog, const char *usage, const synk_opt *opts, size_t nopts,
                   int argc, char **argv);

/* The next option's key (its value checked and stored in p), or one of the
 * SYNK_OPT_* codes above. Operands come back in order, as SYNK_OPT_OPERAND. */
int synk_opt_next(synk_opt_parser *p);

/* The index in argv of the first argument synk_opt_next has not returned
 * (after a SYNK_OPT_OPERAND: the argument after that operand). */
int synk_opt_index(const synk_opt_parser *p);

/* The exit status for a code the command does not handle itself: 0 after
 * SYNK_OPT_HELP, 2 after SYNK_OPT_ERROR, and 2 for an operand the command
 * does not take (reported here: "unexpected argument 'X'" and the usage). */
int synk_opt_stop(synk_opt_parser *p, int key);

/* Keep an operand (after SYNK_OPT_OPERAND) in *slot when *slot is still
 * NULL: 0. A command that takes one operand gets a second one reported
 * ("unexpected argument 'X'" and the usage): 2, the exit status. */
int synk_opt_take_operand(synk_opt_parser *p, const char **slot);

/* Report a usage error the table cannot express: "PROG: MESSAGE" on stderr,
 * then (with_usage) the usage. Returns 2, the exit status of a usage error. */
int synk_opt_fail(const synk_opt_parser *p, int with_usage, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A number as the parser reads it: decimal or 0x-prefixed hex, no sign, no
 * spaces, up to UINT64_MAX. 0 and *out set, or -1. */
int synk_opt_parse_number(const char *s, uint64_t *out);

#ifdef __cplusplus
}
#endif

#endif
