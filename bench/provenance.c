/* SPDX-License-Identifier: MIT */
/*
 * Provenance of a run: the CPU (model, family/model/stepping, flags, the
 * features synk detected), the compiler and its flags, the build type, the
 * commit (-dirty when the tree has changes), the date, the OS and its
 * clocksource, the load; the cost of a clock read; and the hardware counters
 * when perf_event_open is allowed (in many VMs it is not: the report says so
 * and why). Public headers only: synk_cpu_features names what synk detected.
 */
#define _GNU_SOURCE 1 /* syscall(), perf_event_open, popen, gmtime_r */

#include "provenance.h"

#include "synk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#if defined(__linux__)
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#define HAVE_PERF_EVENT 1
#endif

#ifndef SYNK_BENCH_COMPILER
#define SYNK_BENCH_COMPILER "unknown"
#endif
#ifndef SYNK_BENCH_CFLAGS
#define SYNK_BENCH_CFLAGS "unknown"
#endif
#ifndef SYNK_BENCH_BUILD_TYPE
#define SYNK_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef SYNK_BENCH_CONFIG_ID
#define SYNK_BENCH_CONFIG_ID "unknown"
#endif
#ifndef SYNK_BENCH_SOURCE_DIR
#define SYNK_BENCH_SOURCE_DIR "."
#endif

const char *bench_config_id(void) { return SYNK_BENCH_CONFIG_ID; }

static void chomp(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = 0;
}

static void read_first_line(const char *path, char *out, size_t cap) {
  out[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return;
  if (fgets(out, (int)cap, f)) chomp(out);
  fclose(f);
}

static void read_cpuinfo(bench_provenance *p) {
  snprintf(p->cpu_model, sizeof p->cpu_model, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[8192];
  int got_model = 0, got_flags = 0, got_fam = 0, got_mod = 0, got_step = 0;
  while (fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (!colon) continue;
    char *val = colon + 1;
    while (*val == ' ' || *val == '\t') val++;
    chomp(val);
    if (!got_model && strncmp(line, "model name", 10) == 0) {
      snprintf(p->cpu_model, sizeof p->cpu_model, "%s", val);
      got_model = 1;
    } else if (!got_flags && strncmp(line, "flags", 5) == 0) {
      snprintf(p->cpu_flags_all, sizeof p->cpu_flags_all, "%s", val);
      got_flags = 1;
    } else if (!got_fam && strncmp(line, "cpu family", 10) == 0) {
      p->cpu_family = atoi(val);
      got_fam = 1;
    } else if (!got_mod && strncmp(line, "model\t", 6) == 0) {
      p->cpu_model_num = atoi(val);
      got_mod = 1;
    } else if (!got_step && strncmp(line, "stepping", 8) == 0) {
      p->cpu_stepping = atoi(val);
      got_step = 1;
    }
  }
  fclose(f);
  p->hypervisor = strstr(p->cpu_flags_all, "hypervisor") != NULL;
}

static void make_slug(bench_provenance *p) {
  char *o = p->slug;
  size_t n = 0, cap = sizeof p->slug - 24;
  int dash = 0;
  for (const char *s = p->cpu_model; *s && n < cap; s++) {
    char ch = *s;
    if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
    int alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    if (alnum) {
      if (dash && n) o[n++] = '-';
      o[n++] = ch;
      dash = 0;
    } else {
      dash = 1;
    }
  }
  o[n] = 0;
  /* a model name as bare as "AMD EPYC" (VMs) needs the family/model to name the machine */
  snprintf(o + n, sizeof p->slug - n, "%sf%dm%d", n ? "-" : "", p->cpu_family, p->cpu_model_num);
}

void bench_read_loadavg(char *out, size_t cap) { read_first_line("/proc/loadavg", out, cap); }

static void run_cmd(const char *cmd, char *out, size_t cap) {
  out[0] = 0;
  FILE *f = popen(cmd, "r");
  if (!f) return;
  if (!fgets(out, (int)cap, f)) out[0] = 0;
  chomp(out);
  pclose(f);
}

double bench_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* CPU time of this thread: excludes the time it was descheduled, so
 * cpu / wall shows how much of a measurement a busy machine took away. */
double bench_thread_cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Cost of one clock read (median of small batches). */
static double timer_cost(void) {
  double best = 1e9;
  for (int r = 0; r < 20; r++) {
    double t0 = bench_now_ns();
    for (int i = 0; i < 100; i++) (void)bench_now_ns();
    double d = (bench_now_ns() - t0) / 101.0;
    if (d < best) best = d;
  }
  return best;
}

/* ---- perf counters ---------------------------------------------------------- */

#if defined(HAVE_PERF_EVENT)
static int perf_open(uint64_t config, int group) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.type = PERF_TYPE_HARDWARE;
  a.size = sizeof a;
  a.config = config;
  a.disabled = group < 0;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  return (int)syscall(SYS_perf_event_open, &a, 0, -1, group, 0);
}
#endif

void bench_perf_init(bench_perf *pc, bench_provenance *p) {
  memset(pc, 0, sizeof *pc);
  pc->fd_ins = pc->fd_cyc = -1;
#if defined(HAVE_PERF_EVENT)
  pc->fd_ins = perf_open(PERF_COUNT_HW_INSTRUCTIONS, -1);
  if (pc->fd_ins < 0) {
    int e = errno;
    char par[16];
    read_first_line("/proc/sys/kernel/perf_event_paranoid", par, sizeof par);
    snprintf(p->perf_why, sizeof p->perf_why,
             "perf_event_open(PERF_COUNT_HW_INSTRUCTIONS) failed: %s (errno %d, perf_event_paranoid=%s); "
             "no hardware counters here (typical of VMs without a virtual PMU)",
             strerror(e), e, par[0] ? par : "?");
    return;
  }
  pc->fd_cyc = perf_open(PERF_COUNT_HW_CPU_CYCLES, pc->fd_ins);
  pc->ok = 1;
  p->perf_ok = 1;
  snprintf(p->perf_why, sizeof p->perf_why, "perf_event_open: instructions%s (user space only)",
           pc->fd_cyc >= 0 ? " and cycles" : "");
#else
  snprintf(p->perf_why, sizeof p->perf_why, "perf_event_open is Linux-only; not available on this OS");
#endif
}

void bench_perf_start(bench_perf *pc) {
#if defined(HAVE_PERF_EVENT)
  if (!pc->ok) return;
  ioctl(pc->fd_ins, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
  ioctl(pc->fd_ins, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
#else
  (void)pc;
#endif
}

void bench_perf_stop(bench_perf *pc, uint64_t *ins, uint64_t *cyc) {
  *ins = *cyc = 0;
#if defined(HAVE_PERF_EVENT)
  if (!pc->ok) return;
  ioctl(pc->fd_ins, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
  if (read(pc->fd_ins, ins, sizeof *ins) != (ssize_t)sizeof *ins) *ins = 0;
  if (pc->fd_cyc >= 0 && read(pc->fd_cyc, cyc, sizeof *cyc) != (ssize_t)sizeof *cyc) *cyc = 0;
#else
  (void)pc;
#endif
}

void bench_collect_provenance(bench_provenance *p, const char *commit) {
  memset(p, 0, sizeof *p);
  read_cpuinfo(p);
  make_slug(p);
  p->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  struct utsname u;
  if (uname(&u) == 0) snprintf(p->kernel, sizeof p->kernel, "%s %s %s", u.sysname, u.release, u.machine);
  read_first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", p->clocksource,
                  sizeof p->clocksource);
  snprintf(p->compiler, sizeof p->compiler, "%s", SYNK_BENCH_COMPILER);
  p->compiler_macro = __VERSION__;
  p->flags = SYNK_BENCH_CFLAGS;
  p->build_type = SYNK_BENCH_BUILD_TYPE;
  if (commit) {
    snprintf(p->commit, sizeof p->commit, "%s", commit);
  } else {
    char rev[64], dirty[64];
    run_cmd("git -C '" SYNK_BENCH_SOURCE_DIR "' rev-parse --short=12 HEAD 2>/dev/null", rev, sizeof rev);
    run_cmd("git -C '" SYNK_BENCH_SOURCE_DIR "' status --porcelain --untracked-files=no 2>/dev/null | head -1",
            dirty, sizeof dirty);
    snprintf(p->commit, sizeof p->commit, "%s%s", rev[0] ? rev : "unknown", rev[0] && dirty[0] ? "-dirty" : "");
  }
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(p->date, sizeof p->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  bench_read_loadavg(p->load_start, sizeof p->load_start);
  snprintf(p->default_isa, sizeof p->default_isa, "%s", synk_isa());
  const char *names[16];
  size_t nf = synk_cpu_features(names, 16);
  size_t off = 0;
  for (size_t i = 0; i < nf && i < 16; i++)
    off += (size_t)snprintf(p->synk_flags + off, sizeof p->synk_flags - off, "%s%s", i ? " " : "", names[i]);
  p->timer_ns = timer_cost();
}

