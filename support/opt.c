/* SPDX-License-Identifier: MIT */
/*
 * The CLI's option parser (opt.h): getopt_long in "return operands in order"
 * mode ('-' at the start of the short-option string) with its own messages
 * (opterr = 0; ':' after the '-' makes a missing value its own case), and
 * the value checks of each option kind.
 */
#include "opt.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT_HELP_KEY 'h'

static int is_short_key(int key) { return key > 0 && key < 128 && isalpha(key); }

void synk_opt_init(synk_opt_parser *p, const char *prog, const char *usage, const synk_opt *opts, size_t nopts,
                   int argc, char **argv) {
  memset(p, 0, sizeof *p);
  p->prog = prog;
  p->usage = usage;
  p->opts = opts;
  p->nopts = nopts < SYNK_OPT_MAX ? nopts : SYNK_OPT_MAX;
  p->argc = argc;
  p->argv = argv;
  size_t nl = 0, ns = 0;
  p->shortopts[ns++] = '-'; /* operands come back in order, as code 1 */
  p->shortopts[ns++] = ':'; /* a missing value is ':', not '?' */
  for (size_t i = 0; i < p->nopts; i++) {
    const synk_opt *o = &opts[i];
    const int has_arg = o->kind == SYNK_OPT_FLAG ? no_argument : required_argument;
    if (o->name) {
      struct option *lo = &p->longopts[nl++];
      lo->name = o->name;
      lo->has_arg = has_arg;
      lo->flag = NULL;
      lo->val = o->key;
    }
    if (is_short_key(o->key)) {
      p->shortopts[ns++] = (char)o->key;
      if (has_arg == required_argument) p->shortopts[ns++] = ':';
    }
  }
  p->longopts[nl].name = "help";
  p->longopts[nl].has_arg = no_argument;
  p->longopts[nl].flag = NULL;
  p->longopts[nl].val = OPT_HELP_KEY;
  p->shortopts[ns++] = OPT_HELP_KEY;
  p->shortopts[ns] = '\0';
  /* 0, not 1: a full reinitialization of getopt (glibc, musl and the BSDs),
   * which a second parse in one process needs with the '-' extension */
  optind = 0;
  opterr = 0;
}

int synk_opt_index(const synk_opt_parser *p) { return p->rest > 0 ? p->rest : optind; }

static const synk_opt *find_key(const synk_opt_parser *p, int key) {
  for (size_t i = 0; i < p->nopts; i++)
    if (p->opts[i].key == key) return &p->opts[i];
  return NULL;
}

/* How many long options `--arg` (up to a '=') abbreviates. */
static int prefix_matches(const synk_opt_parser *p, const char *arg) {
  if (strncmp(arg, "--", 2) != 0) return 0;
  arg += 2;
  const size_t n = strcspn(arg, "=");
  int hits = 0;
  for (const struct option *lo = p->longopts; lo->name; lo++) hits += n && strncmp(lo->name, arg, n) == 0;
  return hits;
}

/* "--name" or "-k", for messages */
static const char *spelled(const synk_opt *o, char buf[4]) {
  if (o->name) return o->name;
  buf[0] = '-';
  buf[1] = (char)o->key;
  buf[2] = '\0';
  return buf;
}

int synk_opt_fail(const synk_opt_parser *p, int with_usage, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", p->prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  if (with_usage && p->usage) fputs(p->usage, stderr);
  return 2;
}

static int bad_value(const synk_opt_parser *p, const synk_opt *o, const char *arg) {
  char b[4];
  const char *dashes = o->name ? "--" : "";
  switch (o->kind) {
  case SYNK_OPT_NUMBER:
    synk_opt_fail(p, 0, "%s%s must be %" PRIu64 "..%" PRIu64 " (got '%s')", dashes, spelled(o, b), o->min, o->max,
                  arg);
    break;
  case SYNK_OPT_PROB:
    synk_opt_fail(p, 0, "%s%s must be a probability 0..1 (got '%s')", dashes, spelled(o, b), arg);
    break;
  default: /* SYNK_OPT_CHOICE */
    synk_opt_fail(p, 0, "%s%s must be one of %s (got '%s')", dashes, spelled(o, b), o->choices, arg);
    break;
  }
  return SYNK_OPT_ERROR;
}

int synk_opt_parse_number(const char *s, uint64_t *out) {
  unsigned base = 10;
  if (!s) return -1;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  if (!*s) return -1;
  uint64_t v = 0;
  for (; *s; s++) {
    const int c = (unsigned char)*s;
    unsigned d;
    if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
    else return -1;
    if (v > (UINT64_MAX - d) / base) return -1;
    v = v * base + d;
  }
  *out = v;
  return 0;
}

/* The index of `word` among the '|'-separated words of `choices`, or -1. */
static int choice_index(const char *choices, const char *word) {
  const size_t n = strlen(word);
  int i = 0;
  for (const char *c = choices; c && *c; i++) {
    const char *bar = strchr(c, '|');
    const size_t len = bar ? (size_t)(bar - c) : strlen(c);
    if (len == n && n && strncmp(c, word, n) == 0) return i;
    if (!bar) break;
    c = bar + 1;
  }
  return -1;
}

static int take_value(synk_opt_parser *p, const synk_opt *o, const char *arg) {
  p->str = arg;
  p->num = 0;
  p->real = 0;
  switch (o->kind) {
  case SYNK_OPT_FLAG:
  case SYNK_OPT_STRING: break;
  case SYNK_OPT_NUMBER:
    if (synk_opt_parse_number(arg, &p->num) != 0 || p->num < o->min || p->num > o->max) return bad_value(p, o, arg);
    break;
  case SYNK_OPT_PROB: {
    char *end = NULL;
    /* an option's value, not simulation state: the simulators take integer ppm */
    double v = *arg && !isspace((unsigned char)*arg) ? strtod(arg, &end) : -1.0;
    if (!end || *end || !(v >= 0.0 && v <= 1.0)) return bad_value(p, o, arg);
    p->real = v;
    p->num = (uint64_t)(v * 1e6 + 0.5);
    break;
  }
  case SYNK_OPT_CHOICE: {
    int i = choice_index(o->choices, arg);
    if (i < 0) return bad_value(p, o, arg);
    p->num = (uint64_t)i;
    break;
  }
  }
  return o->key;
}

int synk_opt_next(synk_opt_parser *p) {
  p->str = NULL;
  if (p->rest > 0) { /* operands after `--` */
    if (p->rest >= p->argc) return SYNK_OPT_END;
    p->str = p->argv[p->rest++];
    return SYNK_OPT_OPERAND;
  }
  const int k = getopt_long(p->argc, p->argv, p->shortopts, p->longopts, NULL);
  if (k == -1) {
    if (optind >= p->argc) return SYNK_OPT_END;
    p->rest = optind; /* `--` ended the options */
    return synk_opt_next(p);
  }
  if (k == 1) {
    p->str = optarg;
    return SYNK_OPT_OPERAND;
  }
  if (k == OPT_HELP_KEY) {
    if (p->usage) fputs(p->usage, stdout);
    return SYNK_OPT_HELP;
  }
  const char *arg = optind > 0 && optind <= p->argc ? p->argv[optind - 1] : "";
  if (k == ':' || k == '?') {
    const synk_opt *o = optopt ? find_key(p, optopt) : NULL;
    char b[4];
    if (o && k == ':')
      synk_opt_fail(p, 1, "%s%s needs a value", o->name ? "--" : "", spelled(o, b));
    else if (o && o->name && strncmp(arg, "--", 2) == 0)
      synk_opt_fail(p, 1, "--%s takes no value (got '%s')", o->name, arg);
    else if (k == '?' && optopt && is_short_key(optopt))
      synk_opt_fail(p, 1, "unknown option '-%c'", optopt);
    else if (prefix_matches(p, arg) > 1)
      synk_opt_fail(p, 1, "ambiguous option '%s'", arg);
    else
      synk_opt_fail(p, 1, "unknown option '%s'", arg);
    return SYNK_OPT_ERROR;
  }
  const synk_opt *o = find_key(p, k);
  if (!o) {
    synk_opt_fail(p, 1, "unknown option '%s'", arg);
    return SYNK_OPT_ERROR;
  }
  return take_value(p, o, o->kind == SYNK_OPT_FLAG ? arg : optarg);
}

int synk_opt_take_operand(synk_opt_parser *p, const char **slot) {
  if (*slot) return synk_opt_stop(p, SYNK_OPT_OPERAND);
  *slot = p->str;
  return 0;
}

int synk_opt_stop(synk_opt_parser *p, int key) {
  if (key == SYNK_OPT_HELP) return 0;
  if (key == SYNK_OPT_OPERAND) return synk_opt_fail(p, 1, "unexpected argument '%s'", p->str ? p->str : "");
  if (key == SYNK_OPT_ERROR) return 2;
  char b[4];
  const synk_opt *o = find_key(p, key);
  return synk_opt_fail(p, 1, "option %s%s is not handled here", o && o->name ? "--" : "", o ? spelled(o, b) : "?");
}
