/* SPDX-License-Identifier: MIT */
/*
 * results.json: the tool, synk's version, the provenance, every result (with
 * its spread, CPU time, counters and baseline) and every target with what
 * this run measured against it. bench/run.sh reads the results' ns_per_op
 * for the google-benchmark cross-check.
 */
#include "report.h"

#include "stats.h"
#include "synk.h"

#include <inttypes.h>
#include <stdio.h>

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

/* ,\n    "key": "value" */
static void json_field(FILE *f, const char *key, const char *value) {
  fprintf(f, ",\n    \"%s\": ", key);
  json_str(f, value);
}

static void write_provenance(FILE *f, const bench_provenance *p, const bench_options *o) {
  fprintf(f, ",\n  \"provenance\": {\n    \"cpu_model\": ");
  json_str(f, p->cpu_model);
  fprintf(f, ",\n    \"cpu_family\": %d, \"cpu_model_number\": %d, \"cpu_stepping\": %d,\n", p->cpu_family,
          p->cpu_model_num, p->cpu_stepping);
  fprintf(f, "    \"logical_cpus\": %ld, \"virtual_machine\": %s,\n    \"cpu_slug\": ", p->ncpu,
          p->hypervisor ? "true" : "false");
  json_str(f, p->slug);
  const struct {
    const char *key, *value;
  } fields[] = {{"cpu_flags_synk", p->synk_flags},    {"cpu_flags", p->cpu_flags_all},
                {"isas", p->isas},                    {"default_isa", p->default_isa},
                {"compiler", p->compiler},            {"compiler_version_macro", p->compiler_macro},
                {"flags", p->flags},                  {"build_type", p->build_type},
                {"commit", p->commit},                {"date", p->date},
                {"os", p->kernel},                    {"clocksource", p->clocksource}};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) json_field(f, fields[i].key, fields[i].value);
  fprintf(f, ",\n    \"clock_read_ns\": %.2f,\n    \"loadavg_start\": ", p->timer_ns);
  json_str(f, p->load_start);
  json_field(f, "loadavg_end", p->load_end);
  fprintf(f, ",\n    \"perf_counters\": {\"available\": %s, \"detail\": ", p->perf_ok ? "true" : "false");
  json_str(f, p->perf_why);
  fprintf(f, "},\n    \"method\": {\"epochs\": %d, \"epoch_ms\": %.3f, \"max_case_ms\": %.1f, \"quick\": %s, "
             "\"unstable_err_pct\": %.1f}\n  },\n",
          o->epochs, o->epoch_ms, o->max_case_ms, o->quick ? "true" : "false", BENCH_UNSTABLE_ERR_PCT);
}

static void write_result(FILE *f, const synk_bench_result *r) {
  fprintf(f, "    {\"case\": ");
  json_str(f, r->c->name);
  fprintf(f, ", \"group\": ");
  json_str(f, r->c->group);
  fprintf(f, ", \"param\": ");
  json_str(f, r->c->param);
  fprintf(f, ", \"size\": %.0f, \"isa\": ", r->c->size);
  json_str(f, r->isa);
  fprintf(f, ", \"unit\": ");
  json_str(f, r->c->unit);
  fprintf(f, ", \"ops_per_run\": %" PRIu64 ", \"failed\": %s", r->c->ops, r->failed ? "true" : "false");
  if (!r->failed) {
    fprintf(f, ", \"ns_per_op\": %.4f, \"op_per_s\": %.1f, \"ns_per_run\": %.2f, \"err_pct\": %.3f, "
               "\"min_ns_per_op\": %.4f, \"max_ns_per_op\": %.4f, \"iters_per_epoch\": %" PRIu64
               ", \"epochs\": %" PRIu64 ", \"unstable\": %s",
            r->ns_op, 1e9 / r->ns_op, r->ns_run, r->err_pct, r->min_ns_op, r->max_ns_op, r->iters, r->epochs,
            r->err_pct >= BENCH_UNSTABLE_ERR_PCT ? "true" : "false");
    fprintf(f, ", \"cpu_ns_per_op\": %.4f", r->cpu_ns_op);
    if (r->ins_op > 0) fprintf(f, ", \"instructions_per_op\": %.2f, \"cycles_per_op\": %.2f", r->ins_op, r->cyc_op);
  }
  if (r->c->baseline) {
    fprintf(f, ", \"baseline\": ");
    json_str(f, r->c->baseline);
    if (r->relative > 0) fprintf(f, ", \"relative\": %.4f", r->relative);
    if (r->relative > 0 && r->rel_isa[0]) {
      fprintf(f, ", \"baseline_isa\": ");
      json_str(f, r->rel_isa);
    }
  }
  fprintf(f, "}");
}

static void write_target(FILE *f, const synk_bench_target *t, const synk_bench_results *rs) {
  const bench_target_eval e = bench_eval_target(t, rs);
  char metric[96];
  bench_target_metric(metric, sizeof metric, t);
  fprintf(f, "    {\"target\": ");
  json_str(f, t->what);
  fprintf(f, ", \"case\": ");
  json_str(f, t->case_name);
  fprintf(f, ", \"isa\": ");
  json_str(f, t->isa);
  fprintf(f, ", \"metric\": ");
  json_str(f, metric);
  fprintf(f, ", \"limit\": %.4f", t->goal);
  if (t->compare == SYNK_BENCH_GOAL_OP_NS) {
    fprintf(f, ", \"per\": ");
    json_str(f, bench_target_unit(t));
  }
  if (t->versus) {
    fprintf(f, ", \"versus\": ");
    json_str(f, t->versus);
  }
  if (e.have)
    fprintf(f, ", \"measured\": %.4f, \"met\": %s, \"margin_pct\": %.2f", e.value, e.met ? "true" : "false", e.margin);
  else fprintf(f, ", \"measured\": null");
  fprintf(f, "}");
}

int bench_write_json(const char *path, const bench_run *run) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "synk_bench: cannot write %s\n", path);
    return 1;
  }
  fprintf(f, "{\n  \"tool\": \"synk_bench\",\n  \"synk_version\": ");
  json_str(f, synk_version());
  write_provenance(f, run->p, run->o);
  fprintf(f, "  \"results\": [\n");
  for (size_t i = 0; i < run->rs.n; i++) {
    write_result(f, &run->rs.r[i]);
    fprintf(f, "%s\n", i + 1 < run->rs.n ? "," : "");
  }
  fprintf(f, "  ],\n  \"targets\": [\n");
  const synk_bench_target *ts[64];
  const size_t nt = bench_targets(ts, 64);
  for (size_t i = 0; i < nt; i++) {
    write_target(f, ts[i], &run->rs);
    fprintf(f, "%s\n", i + 1 < nt ? "," : "");
  }
  fprintf(f, "  ]\n}\n");
  return fclose(f) != 0;
}
