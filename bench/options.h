/* SPDX-License-Identifier: MIT */
/*
 * synk_bench's command line (bench/options.c): getopt_long, so `--opt=value`
 * and `--opt value` both work; a bad value names the option and its range.
 */
#ifndef SYNK_BENCH_OPTIONS_H
#define SYNK_BENCH_OPTIONS_H

#include "cases.h"

#define BENCH_MAX_ISAS 8

typedef struct bench_options {
  int quick, smoke, list, list_isas, slug, config, no_peers, peers_only;
  int epochs;                   /* timed epochs per case */
  double epoch_ms, max_case_ms; /* target epoch duration; time budget per case */
  const char *filter;           /* comma-separated substrings of case names, or NULL */
  const char *isas[BENCH_MAX_ISAS];
  int nisas;
  const char *json, *md, *plots, *commit;
} bench_options;

/* Parses argv into o, with the defaults filled in (--quick's where given).
 * Returns 0, 1 when --help was printed (exit 0), or -1 after a message on
 * stderr (exit 2). */
int bench_parse_options(int argc, char **argv, bench_options *o);

/* Does case c run? It matches the filter and the peer options, or it is the
 * baseline of a case that does (so the relative column is always filled). */
int bench_selected(const bench_options *o, const synk_bench_case *c);

#endif
