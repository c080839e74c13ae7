/* SPDX-License-Identifier: MIT */
/*
 * What every report names (bench/provenance.c): the machine, the build, the
 * commit, the clocks, and the hardware counters when the kernel gives them.
 */
#ifndef SYNK_BENCH_PROVENANCE_H
#define SYNK_BENCH_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_provenance {
  char cpu_model[128];
  int cpu_family, cpu_model_num, cpu_stepping;
  char cpu_flags_all[4096]; /* /proc/cpuinfo */
  char synk_flags[256];     /* the CPU features synk detected */
  char slug[160];           /* the machine's name in perf-reports/ */
  long ncpu;
  char kernel[256];
  char clocksource[64];
  char compiler[160];
  const char *compiler_macro; /* __VERSION__ */
  const char *flags;          /* compile flags, per-file ISA flags included */
  const char *build_type;
  char commit[96];
  char date[40];
  char default_isa[32];
  char isas[128];             /* the backends measured, as a list */
  char load_start[64], load_end[64];
  int hypervisor;
  int perf_ok;
  char perf_why[200];
  double timer_ns;            /* the cost of one clock read */
} bench_provenance;

/* Everything but the measured ISAs, the load at the end and the counters.
 * commit: what to record, or NULL to ask git in the source tree. */
void bench_collect_provenance(bench_provenance *p, const char *commit);

/* The first line of /proc/loadavg (empty where there is none). */
void bench_read_loadavg(char *out, size_t cap);

/* compiler-version-buildtype: the key of the instruction-count baseline. */
const char *bench_config_id(void);

/* Monotonic wall clock and this thread's CPU time, in ns. */
double bench_now_ns(void);
double bench_thread_cpu_ns(void);

/* Hardware counters of this thread (instructions, cycles) through
 * perf_event_open; ok is 0 where the kernel does not give them. */
typedef struct bench_perf {
  int ok;
  int fd_ins, fd_cyc;
} bench_perf;

/* Opens the counters and says in p->perf_ok / p->perf_why whether it could. */
void bench_perf_init(bench_perf *pc, bench_provenance *p);
void bench_perf_start(bench_perf *pc);
void bench_perf_stop(bench_perf *pc, uint64_t *ins, uint64_t *cyc);

#endif
